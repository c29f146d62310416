/*
 * test_scimfilter.c - scimfilter.c: SCIM filters (RFC 7644 §3.4.2.2)
 * parsed and matched against fixture resources, the filters real
 * clients send (Okta, Entra ID), refused filters with their messages,
 * the length and depth bounds, and PATCH paths (§3.5.2).
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "tests.h"

#define SENTINEL	"(err untouched)"
#define ENT		"urn:ietf:params:scim:schemas:extension:" \
			    "enterprise:2.0:User"
#define ENT_LC		"urn:ietf:params:scim:schemas:extension:" \
			    "enterprise:2.0:user"
#define NFIX		4

/*
 * The fixtures, in the order of each case's want string: Ann (as Okta
 * provisions her, with the enterprise extension), Bob (as Entra ID
 * does), Carol (almost nothing set) and a group.
 */
static const char *const fixture_text[NFIX] = {
	"{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\","
	"\"" ENT "\"],"
	"\"id\":\"2819c223-7f76-453a-919d-413861904646\","
	"\"externalId\":\"00u1ab2CD3ef\","
	"\"userName\":\"a@b.com\","
	"\"name\":{\"givenName\":\"Ann\",\"familyName\":\"Smith\"},"
	"\"displayName\":\"Ann Smith\","
	"\"title\":\"Engineer\","
	"\"userType\":\"Employee\","
	"\"emails\":[{\"value\":\"ann@example.com\",\"type\":\"work\","
	"\"primary\":true},{\"value\":\"a@b.com\",\"type\":\"home\","
	"\"primary\":false}],"
	"\"active\":true,"
	"\"loginCount\":42,"
	"\"score\":4.5,"
	"\"meta\":{\"resourceType\":\"User\","
	"\"created\":\"2026-01-15T08:00:00Z\","
	"\"lastModified\":\"2026-03-30T12:00:00.000Z\","
	"\"version\":\"W/\\\"a1\\\"\"},"
	"\"" ENT "\":{\"employeeNumber\":\"701984\","
	"\"department\":\"Tour Operations\","
	"\"manager\":{\"value\":\"26118915-6090-4610-87e4-49d8ca9f808d\","
	"\"displayName\":\"John Smith\"}}}",

	"{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
	"\"id\":\"b1e2c3d4-0000-4000-8000-000000000001\","
	"\"externalId\":\"5c7fA1e0-ENTRA\","
	"\"userName\":\"Bob.Jones@Example.com\","
	"\"name\":{\"givenName\":\"Bob\",\"familyName\":\"Jones\"},"
	"\"displayName\":\"B\xc3\xb8" "b J\xc3\xb6nes\","
	"\"title\":\"\","
	"\"userType\":\"Contractor\","
	"\"emails\":[{\"value\":\"bob.jones@example.com\",\"type\":\"work\","
	"\"primary\":true}],"
	"\"active\":false,"
	"\"loginCount\":7,"
	"\"score\":-1,"
	"\"meta\":{\"resourceType\":\"User\","
	"\"created\":\"2025-06-01T00:00:00Z\","
	"\"lastModified\":\"2025-12-31T23:59:59Z\","
	"\"version\":\"W/\\\"b2\\\"\"}}",

	"{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
	"\"id\":\"c3\","
	"\"userName\":\"carol\","
	"\"nickName\":\"\xf0\x9f\x98\x80 carol\","
	"\"name\":{},"
	"\"title\":null,"
	"\"emails\":[],"
	"\"active\":true,"
	"\"meta\":{\"lastModified\":\"2026-02-01T00:00:00+02:00\"}}",

	"{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],"
	"\"id\":\"e9e30dba-f08f-4109-8486-d5c6a331660a\","
	"\"displayName\":\"Tour Guides\","
	"\"members\":[{\"value\":\"abc\",\"display\":\"Ann Smith\"},"
	"{\"value\":\"2819c223-7f76-453a-919d-413861904646\","
	"\"$ref\":\"https://example.com/v2/Users/2819c223\"}],"
	"\"meta\":{\"resourceType\":\"Group\","
	"\"lastModified\":\"2026-03-01T00:00:00Z\"}}",
};

static struct json_object	*fixtures[NFIX];

static int
fixtures_init(void)
{
	size_t	 i;

	for (i = 0; i < NFIX; i++)
		if ((fixtures[i] = json_tokener_parse(fixture_text[i])) == NULL)
			return 1;
	return 0;
}

static int
fixtures_cleanup(void)
{
	size_t	 i;

	for (i = 0; i < NFIX; i++) {
		json_object_put(fixtures[i]);
		fixtures[i] = NULL;
	}
	return 0;
}

/* Each filter parses, and matches the fixtures marked '1' in want. */
static void
test_match(void)
{
	static const struct {
		const char	*filter;
		const char	*want;	/* Ann, Bob, Carol, group */
	} cases[] = {
		/* Okta and Entra ID look users up by these. */
		{ "userName eq \"a@b.com\"", "1000" },
		{ "USERNAME Eq \"A@B.COM\"", "1000" },
		{ "userName eq \"bob.jones@example.com\"", "0100" },
		{ "externalId eq \"00u1ab2CD3ef\"", "1000" },
		{ "externalId eq \"00U1AB2CD3EF\"", "0000" },
		{ "externalID eq \"5c7fA1e0-ENTRA\"", "0100" },
		{ "id eq \"c3\"", "0010" },
		{ "id eq \"C3\"", "0000" },
		{ "meta.version eq \"W/\\\"a1\\\"\"", "1000" },
		{ "meta.version eq \"w/\\\"A1\\\"\"", "0000" },
		{ "displayName eq \"tour guides\"", "0001" },
		/* Value paths and multi-valued attributes. */
		{ "emails[type eq \"work\"].value co \"@example.com\"",
		    "1100" },
		{ "emails[type eq \"home\"].value co \"@example.com\"",
		    "0000" },
		{ "emails[type eq \"work\" and primary eq true].value eq "
		    "\"ANN@example.com\"", "1000" },
		{ "emails[type eq \"home\"].primary eq false", "1000" },
		{ "emails[primary eq true].type eq \"WORK\"", "1100" },
		{ "emails[type eq \"work\"]", "1100" },
		{ "emails[type eq \"work\" or type eq \"home\"]", "1100" },
		{ "emails[not (type eq \"work\")]", "1000" },
		{ "emails[type eq \"work\" and (value ew \".com\" or "
		    "primary eq false)]", "1100" },
		{ "emails.value co \"@b.com\"", "1000" },
		{ "emails co \"example.com\"", "1100" },
		{ "emails.value sw \"BOB\"", "0100" },
		{ "emails.value ew \".COM\"", "1100" },
		{ "members[value eq \"ABC\"]", "0001" },
		{ "members.value eq \"2819C223-7F76-453A-919D-413861904646\"",
		    "0001" },
		{ "members[$ref pr]", "0001" },
		{ "schemas eq \"" ENT "\"", "1000" },
		/* Sub-attributes, substrings. */
		{ "name.familyName sw \"Sm\"", "1000" },
		{ "name.familyName sw \"sm\"", "1000" },
		{ "name.familyName ew \"es\"", "0100" },
		{ "name.givenName co \"o\"", "0100" },
		{ "userName co \"\"", "1110" },
		/* Dates compare in time, an offset included; else as text. */
		{ "meta.lastModified gt \"2026-01-01T00:00:00Z\"", "1011" },
		{ "meta.lastModified lt \"2026-01-31T23:00:00Z\"", "0110" },
		{ "meta.lastModified ge \"2026-03-30T12:00:00Z\"", "1000" },
		{ "meta.lastModified le \"2025-12-31T23:59:59Z\"", "0100" },
		{ "meta.created gt \"2026\"", "1000" },
		/* Booleans, not, presence, null. */
		{ "active eq true", "1010" },
		{ "active eq false", "0100" },
		{ "not (active eq false)", "1011" },
		{ "not(active eq true)", "0101" },
		{ "active ne true", "0100" },
		{ "active eq TRUE", "1010" },
		{ "title pr", "1000" },
		{ "not (title pr)", "0111" },
		{ "title eq null", "0111" },
		{ "title ne null", "1000" },
		{ "emails pr", "1100" },
		{ "name pr", "1100" },
		/* Precedence: not, then and, then or. */
		{ "userName eq \"carol\" or userName eq \"a@b.com\" and "
		    "active eq false", "0010" },
		{ "(userName eq \"carol\" or userName eq \"a@b.com\") and "
		    "active eq true", "1010" },
		{ "userName eq \"a@b.com\" or userName eq \"carol\" or "
		    "displayName pr and active eq false", "1110" },
		{ "userType ne \"Employee\" and not (emails co \"example.org\" "
		    "or emails.value co \"b.com\")", "0100" },
		{ "title pr and userType eq \"Employee\"", "1000" },
		{ "userName eq \"a@b.com\" AND active EQ true OR id eq \"c3\"",
		    "1010" },
		/* Numbers. */
		{ "loginCount gt 10", "1000" },
		{ "loginCount le 7", "0100" },
		{ "loginCount eq 42.0", "1000" },
		{ "loginCount eq 4.2e1", "1000" },
		{ "loginCount eq \"42\"", "0000" },
		{ "score lt 0", "0100" },
		{ "score gt 4.25", "1000" },
		{ "score eq 4.5", "1000" },
		{ "score ge -1", "1100" },
		/* Schema URNs: core stripped, the extension kept. */
		{ "urn:ietf:params:scim:schemas:core:2.0:User:userName "
		    "sw \"a@\"", "1000" },
		{ "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName "
		    "eq \"jones\"", "0100" },
		{ ENT ":employeeNumber eq \"701984\"", "1000" },
		{ ENT ":manager.value eq "
		    "\"26118915-6090-4610-87e4-49d8ca9f808d\"", "1000" },
		{ "URN:IETF:params:scim:schemas:extension:enterprise:2.0:user:"
		    "department co \"tour\"", "1000" },
		{ ENT " pr", "1000" },
		{ "urn:example:custom:2.0:User:badge eq \"x\"", "0000" },
		/* Unknown attributes match nothing. */
		{ "favoriteColor eq \"x\"", "0000" },
		{ "favoriteColor pr", "0000" },
		{ "not (favoriteColor pr)", "1111" },
		{ "userName eq \"a@b.com\" or foo.bar eq \"x\"", "1000" },
		/* JSON string escapes and UTF-8. */
		{ "displayName eq \"Ann\\u0020Smith\"", "1000" },
		{ "name.familyName eq \"\\u0053mith\"", "1000" },
		{ "displayName eq \"B\\u00f8b J\\u00F6nes\"", "0100" },
		{ "displayName eq \"B\xc3\xb8" "b J\xc3\xb6nes\"", "0100" },
		{ "nickName sw \"\\ud83d\\ude00\"", "0010" },
		{ "displayName eq \"Tour\\tGuides\"", "0000" },
		{ "displayName eq \"Tour\\/Guides\"", "0000" },
		/* Spacing. */
		{ "  userName   eq   \"a@b.com\"  ", "1000" },
		{ "(userName eq \"a@b.com\")", "1000" },
		{ "((((userName eq \"a@b.com\"))))", "1000" },
		{ "userName\teq\t\"carol\"", "0010" },
	};
	struct scimf	*f;
	char		 err[160];
	size_t		 i, j;
	int		 got;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(err, sizeof(err), "%s", SENTINEL);
		f = scimf_parse(cases[i].filter, err, sizeof(err));
		if (!CHECK(f != NULL, "[%s] refused: %s",
		    test_esc(cases[i].filter, strlen(cases[i].filter)), err))
			continue;
		for (j = 0; j < NFIX; j++) {
			got = scimf_match(f, fixtures[j]);
			CHECK(got == (cases[i].want[j] == '1'), "[%s] fixture "
			    "%zu: got %d, want %c", test_esc(cases[i].filter,
			    strlen(cases[i].filter)), j, got, cases[i].want[j]);
		}
		scimf_free(f);
	}
}

/* Refused filters: NULL, with err containing want. */
static void
test_invalid(void)
{
	static const struct {
		const char	*name, *filter, *err;
	} cases[] = {
		{ "empty", "", "empty filter" },
		{ "blank", "   ", "empty filter" },
		{ "bad operator", "userName eqq \"x\"",
		    "unknown operator \"eqq\" at byte 9" },
		{ "word operator", "userName equals \"x\"",
		    "unknown operator \"equals\"" },
		{ "symbol operator", "userName = \"x\"",
		    "expected an operator at byte 9" },
		{ "no operator", "userName", "expected an operator after "
		    "\"userName\" at byte 8" },
		{ "missing value", "userName eq", "missing value after \"eq\" "
		    "at byte 11" },
		{ "missing value, space", "userName eq ",
		    "missing value after \"eq\"" },
		{ "missing value in group", "(userName eq )",
		    "missing value after \"eq\" at byte 13" },
		{ "open paren", "(userName eq \"x\"", "unbalanced parentheses: "
		    "\"(\" at byte 0 is not closed" },
		{ "open inner paren", "((userName pr)", "unbalanced "
		    "parentheses: \"(\" at byte 0 is not closed" },
		{ "close paren", "userName eq \"x\")", "unbalanced "
		    "parentheses: unexpected \")\" at byte 15" },
		{ "junk in group", "(userName pr x)", "expected \")\", and or "
		    "or at byte 13, found \"x\"" },
		{ "trailing junk", "userName eq \"x\" junk",
		    "unexpected \"junk\" at byte 16" },
		{ "dangling and", "userName eq \"x\" and",
		    "expected an attribute name at byte 19, found the end" },
		{ "dangling or", "title pr or ", "expected an attribute name "
		    "at byte 12" },
		{ "bad escape", "userName eq \"a\\qb\"",
		    "bad string escape \"\\q\" at byte 14" },
		{ "short \\u", "userName eq \"\\u12\"", "four hex digits" },
		{ "lone high surrogate", "userName eq \"\\ud800\"",
		    "lone surrogate" },
		{ "lone low surrogate", "userName eq \"\\udc00x\"",
		    "lone surrogate" },
		{ "\\u0000", "userName eq \"a\\u0000\"",
		    "\\u0000 is not allowed" },
		{ "unterminated string", "userName eq \"abc",
		    "unterminated string starting at byte 12" },
		{ "backslash at end", "userName eq \"abc\\",
		    "unterminated string" },
		{ "control character", "userName eq \"a\x01\"",
		    "control character in string at byte 14" },
		{ "unknown literal", "active eq yes",
		    "unknown literal \"yes\" at byte 10" },
		{ "unquoted string", "userName eq bob", "strings need double "
		    "quotes" },
		{ "single quotes", "userName eq 'x'",
		    "expected a value at byte 12" },
		{ "leading zero", "loginCount eq 01", "invalid number \"01\"" },
		{ "number ends in dot", "loginCount eq 1.",
		    "invalid number \"1.\"" },
		{ "lone minus", "loginCount eq -", "invalid number" },
		{ "number then letters", "loginCount eq 12ab",
		    "invalid number \"12ab\"" },
		{ "huge number", "loginCount gt 1e999", "number out of range" },
		{ "boolean ordered", "active gt true", "\"gt\" needs a string, "
		    "number or date value" },
		{ "null ordered", "title le null", "\"le\" needs a string" },
		{ "number substring", "title co 5",
		    "\"co\" needs a string value" },
		{ "null prefix", "title sw null", "\"sw\" needs a string" },
		{ "not without (", "not active eq true",
		    "expected \"(\" after not, at byte 4" },
		{ "not at end", "not", "expected \"(\" after not" },
		{ "open bracket", "emails[type eq \"work\"",
		    "unbalanced brackets: \"[\" at byte 6 is not closed" },
		{ "close bracket", "emails[type eq \"work\"]]",
		    "unbalanced brackets: unexpected \"]\" at byte 22" },
		{ "junk in brackets", "emails[type pr x]",
		    "expected \"]\", and or or at byte 15" },
		{ "value path, sub, no operator",
		    "emails[type eq \"work\"].value",
		    "expected an operator after" },
		{ "value path then operator", "emails[type pr] eq \"x\"",
		    "unexpected \"eq\" at byte 16" },
		{ "nested value path", "emails[value[type pr] pr]",
		    "a value filter cannot hold another, at byte 12" },
		{ "empty value filter", "emails[]",
		    "expected an attribute name at byte 7, found \"]\"" },
		{ "filter after sub", "name.familyName[value pr]",
		    "\"[\" cannot follow a sub-attribute" },
		{ "two sub-attributes", "a.b.c eq \"x\"",
		    "more than one sub-attribute" },
		{ "empty sub-attribute", "name. pr", "missing attribute name "
		    "at byte 5" },
		{ "name starts with digit", "1abc eq \"x\"",
		    "invalid attribute name \"1abc\"" },
		{ "name with a colon", "a:b eq \"x\"",
		    "invalid attribute name \"a:b\"" },
		{ "no attribute", "= \"x\"",
		    "expected an attribute name at byte 0" },
		{ "core URN alone", "urn:ietf:params:scim:schemas:core:2.0:"
		    "User eq \"x\"", "needs an attribute name after it" },
		{ "URN without name", "urn:x: pr", "missing attribute name" },
		{ "not UTF-8", "userName eq \"\xff\"", "not valid UTF-8" },
		{ "overlong UTF-8", "userName eq \"\xc0\xaf\"",
		    "not valid UTF-8" },
	};
	struct scimf	*f;
	char		 err[160];
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(err, sizeof(err), "%s", SENTINEL);
		f = scimf_parse(cases[i].filter, err, sizeof(err));
		CHECK(f == NULL, "[%s] accepted", cases[i].name);
		CHECK(strstr(err, cases[i].err) != NULL, "[%s] error \"%s\" "
		    "lacks \"%s\"", cases[i].name, err, cases[i].err);
		scimf_free(f);
	}
}

/* n groups around "title pr": "(((title pr)))", or "not (" each. */
static char *
nested(const char *open, int n, const char *inner)
{
	size_t	 olen = strlen(open), ilen = strlen(inner), k;
	char	*s, *p;

	if ((s = malloc(olen * (size_t)n + ilen + (size_t)n + 1)) == NULL)
		return NULL;
	p = s;
	for (k = 0; k < (size_t)n; k++, p += olen)
		memcpy(p, open, olen);
	memcpy(p, inner, ilen);
	p += ilen;
	memset(p, ')', (size_t)n);
	p[n] = '\0';
	return s;
}

/* Groups, not and value filters nest at most 32 deep. */
static void
test_depth(void)
{
	static const struct {
		const char	*open, *inner;
		int		 n, ok;
		const char	*want;	/* of the fixtures, when ok */
	} cases[] = {
		{ "(", "title pr", 1, 1, "1000" },
		{ "(", "title pr", 32, 1, "1000" },
		{ "(", "title pr", 33, 0, NULL },
		{ "(", "title pr", 500, 0, NULL },
		{ "not (", "title pr", 31, 1, "0111" },
		{ "not (", "title pr", 32, 1, "1000" },
		{ "not (", "title pr", 33, 0, NULL },
		/* The brackets count too: 31 groups and "[" is 32. */
		{ "(", "emails[type pr]", 31, 1, "1100" },
		{ "(", "emails[type pr]", 32, 0, NULL },
		{ "(", "emails[(type pr)]", 30, 1, "1100" },
		{ "(", "emails[(type pr)]", 31, 0, NULL },
	};
	struct scimf	*f;
	char		 err[160], *s;
	size_t		 i, j;

	for (i = 0; i < NELEM(cases); i++) {
		if ((s = nested(cases[i].open, cases[i].n, cases[i].inner)) ==
		    NULL)
			continue;
		snprintf(err, sizeof(err), "%s", SENTINEL);
		f = scimf_parse(s, err, sizeof(err));
		CHECK((f != NULL) == cases[i].ok, "[%d x %s%s] %s: %s",
		    cases[i].n, cases[i].open, cases[i].inner,
		    f ? "accepted" : "refused", err);
		if (f == NULL && !cases[i].ok)
			CHECK(strstr(err, "nesting deeper than 32 levels") !=
			    NULL, "[%d x %s%s] error \"%s\" lacks the depth",
			    cases[i].n, cases[i].open, cases[i].inner, err);
		for (j = 0; f != NULL && cases[i].want != NULL && j < NFIX;
		    j++)
			CHECK(scimf_match(f, fixtures[j]) ==
			    (cases[i].want[j] == '1'), "[%d x %s%s] fixture "
			    "%zu: want %c", cases[i].n, cases[i].open,
			    cases[i].inner, j, cases[i].want[j]);
		scimf_free(f);
		free(s);
	}
}

/*
 * At most 4096 bytes; a chain of and/or as long as that costs no depth
 * (it is one node), whatever its length.
 */
static void
test_length(void)
{
	static const char	 pre[] = "userName eq \"";
	struct scimf		*f;
	char			 s[4100], err[160];
	size_t			 n, k;

	/* A 4096-byte filter: a string value filling it. */
	memcpy(s, pre, sizeof(pre) - 1);
	memset(s + sizeof(pre) - 1, 'a', 4096 - sizeof(pre));
	s[4095] = '"';
	s[4096] = '\0';
	f = scimf_parse(s, err, sizeof(err));
	CHECK(f != NULL, "[4096 bytes] refused: %s", err);
	if (f != NULL)
		CHECK(!scimf_match(f, fixtures[0]), "[4096 bytes] matched");
	scimf_free(f);

	s[4095] = 'a';
	s[4096] = '"';
	s[4097] = '\0';
	snprintf(err, sizeof(err), "%s", SENTINEL);
	f = scimf_parse(s, err, sizeof(err));
	CHECK(f == NULL, "[4097 bytes] accepted");
	CHECK(strstr(err, "longer than 4096 bytes") != NULL, "[4097 bytes] "
	    "error \"%s\"", err);
	scimf_free(f);

	/* title pr and title pr and ... (12 bytes each) near 4096. */
	for (n = 0, k = 0; n + 21 <= 4096; k++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%stitle pr",
		    k ? " and " : "");
	f = scimf_parse(s, err, sizeof(err));
	CHECK(f != NULL, "[%zu ands] refused: %s", k, err);
	if (f != NULL) {
		CHECK(scimf_match(f, fixtures[0]), "[%zu ands] Ann", k);
		CHECK(!scimf_match(f, fixtures[1]), "[%zu ands] Bob", k);
	}
	scimf_free(f);
	for (n = 0, k = 0; n + 40 <= 4096; k++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%sid eq \"%zu\"",
		    k ? " or " : "", k);
	n += (size_t)snprintf(s + n, sizeof(s) - n, " or id eq \"c3\"");
	f = scimf_parse(s, err, sizeof(err));
	CHECK(f != NULL, "[%zu ors] refused: %s", k, err);
	if (f != NULL)
		CHECK(scimf_match(f, fixtures[2]), "[%zu ors] Carol", k);
	scimf_free(f);
}

/* NULLs and small error buffers are handled. */
static void
test_edges(void)
{
	struct scim_path	 p;
	struct scimf		*f;
	char			 err[8];

	f = scimf_parse("userName eq", NULL, 0);
	CHECK(f == NULL, "[no err buffer] accepted");
	f = scimf_parse(NULL, err, sizeof(err));
	CHECK(f == NULL, "[NULL text] accepted");
	snprintf(err, sizeof(err), "%s", "xxxxxxx");
	f = scimf_parse("userName eqq \"x\"", err, sizeof(err));
	CHECK(f == NULL && strlen(err) == sizeof(err) - 1, "[small err "
	    "buffer] \"%s\"", err);
	f = scimf_parse("title pr", err, sizeof(err));
	CHECK(f != NULL, "[title pr] refused");
	CHECK(!scimf_match(f, NULL), "[NULL resource] matched");
	CHECK(!scimf_match(NULL, fixtures[0]), "[NULL filter] matched");
	scimf_free(f);
	scimf_free(NULL);
	memset(&p, 0, sizeof(p));
	scimf_path_cleanup(&p);
	scimf_path_cleanup(NULL);
}

/* PATCH paths that parse, and what their value filter selects. */
static void
test_path_valid(void)
{
	static const struct {
		const char	*path, *attr, *sub;
		const char	*yes, *no;	/* values for the filter */
	} cases[] = {
		{ "active", "active", "", NULL, NULL },
		{ "userName", "username", "", NULL, NULL },
		{ " title ", "title", "", NULL, NULL },
		{ "name.familyName", "name", "familyname", NULL, NULL },
		{ "emails[type eq \"work\"].value", "emails", "value",
		    "{\"type\":\"Work\",\"value\":\"x@y\"}",
		    "{\"type\":\"home\",\"value\":\"x@y\"}" },
		{ "members[value eq \"abc\"]", "members", "",
		    "{\"value\":\"abc\"}", "{\"value\":\"abd\"}" },
		{ "EMAILS[TYPE EQ \"work\" and primary eq true].VALUE",
		    "emails", "value", "{\"type\":\"work\",\"primary\":true}",
		    "{\"type\":\"work\",\"primary\":false}" },
		{ "addresses[type eq \"work\"].streetAddress", "addresses",
		    "streetaddress", "{\"type\":\"work\"}", "{}" },
		{ "phoneNumbers[type eq \"mobile\" or type eq \"other\"]",
		    "phonenumbers", "", "{\"type\":\"other\"}",
		    "{\"type\":\"fax\"}" },
		{ "members[not (value eq \"abc\")]", "members", "",
		    "{\"value\":\"abd\"}", "{\"value\":\"abc\"}" },
		{ "urn:ietf:params:scim:schemas:core:2.0:User:userName",
		    "username", "", NULL, NULL },
		{ "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName",
		    "name", "givenname", NULL, NULL },
		{ "urn:ietf:params:scim:schemas:core:2.0:Group:displayName",
		    "displayname", "", NULL, NULL },
		{ "urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "
		    "\"work\"].value", "emails", "value", "{\"type\":\"work\"}",
		    "{\"type\":\"home\"}" },
		{ ENT ":employeeNumber",
		    ENT_LC,
		    "employeenumber", NULL, NULL },
		{ ENT ":manager",
		    ENT_LC,
		    "manager", NULL, NULL },
		{ ENT,
		    ENT_LC,
		    "", NULL, NULL },
		{ "members[$ref pr]", "members", "",
		    "{\"$ref\":\"https://x/Users/1\"}", "{\"value\":\"1\"}" },
	};
	struct scim_path	 p;
	struct json_object	*v;
	char			 err[160];
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(err, sizeof(err), "%s", SENTINEL);
		if (!CHECK(scimf_path_parse(cases[i].path, &p, err,
		    sizeof(err)) == 1, "[%s] refused: %s", cases[i].path, err))
			continue;
		CHECK_STR(cases[i].path, p.attr, cases[i].attr);
		CHECK_STR(cases[i].path, p.sub, cases[i].sub);
		CHECK((p.filter != NULL) == (cases[i].yes != NULL),
		    "[%s] filter %s", cases[i].path, p.filter ? "set" : "NULL");
		if (p.filter != NULL && cases[i].yes != NULL) {
			v = json_tokener_parse(cases[i].yes);
			CHECK(scimf_match(p.filter, v), "[%s] %s not selected",
			    cases[i].path, cases[i].yes);
			json_object_put(v);
			v = json_tokener_parse(cases[i].no);
			CHECK(!scimf_match(p.filter, v), "[%s] %s selected",
			    cases[i].path, cases[i].no);
			json_object_put(v);
		}
		scimf_path_cleanup(&p);
		CHECK(p.filter == NULL && p.attr[0] == '\0', "[%s] not empty "
		    "after cleanup", cases[i].path);
	}
}

/* invalidPath: 0, out empty, err containing want. */
static void
test_path_invalid(void)
{
	static const struct {
		const char	*name, *path, *err;
	} cases[] = {
		{ "empty", "", "empty path" },
		{ "blank", "  ", "empty path" },
		{ "open bracket", "emails[type eq \"work\"",
		    "\"[\" at byte 6 is not closed" },
		{ "missing value", "emails[type eq]",
		    "missing value after \"eq\"" },
		{ "bad operator", "emails[type is \"work\"]",
		    "unknown operator \"is\"" },
		{ "two sub-attributes", "name.familyName.x",
		    "more than one sub-attribute" },
		{ "extension too deep", ENT ":manager.value",
		    "goes deeper than an attribute's sub-attribute" },
		{ "sub after sub", "emails[type eq \"work\"].value.x",
		    "invalid attribute name \"value.x\"" },
		{ "empty sub", "emails[type eq \"work\"].", "missing attribute "
		    "name at byte 23" },
		{ "trailing junk", "emails[type eq \"work\"] junk",
		    "unexpected \"junk\" at byte 23" },
		{ "a filter, not a path", "userName eq \"x\"",
		    "unexpected \"eq\" at byte 9" },
		{ "filter after sub", "name.givenName[value pr]",
		    "must follow a top-level attribute" },
		{ "filter on extension", ENT ":manager[value pr]",
		    "must follow a top-level attribute" },
		{ "name starts with digit", "1bad",
		    "invalid attribute name \"1bad\"" },
		{ "core URN alone", "urn:ietf:params:scim:schemas:core:2.0:"
		    "User", "needs an attribute name after it" },
		{ "nested filter", "emails[value[x pr] pr]",
		    "cannot hold another" },
		{ "empty filter", "emails[]", "expected an attribute name at "
		    "byte 7" },
		{ "long URN", "urn:example:"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    ":attr", "schema URN in path longer than 63 bytes" },
		{ "long name", "a234567890123456789012345678901234567890"
		    "123456789012345678901234", "invalid attribute name" },
		{ "bad escape", "emails[type eq \"\\x\"]",
		    "bad string escape" },
		{ "not UTF-8", "emails[type eq \"\xe2\x82\"]",
		    "not valid UTF-8" },
	};
	struct scim_path	 p;
	char			 err[160];
	size_t			 i;
	int			 rc;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(err, sizeof(err), "%s", SENTINEL);
		memset(&p, 0x55, sizeof(p));
		rc = scimf_path_parse(cases[i].path, &p, err, sizeof(err));
		CHECK(rc == 0, "[%s] accepted", cases[i].name);
		CHECK(strstr(err, cases[i].err) != NULL, "[%s] error \"%s\" "
		    "lacks \"%s\"", cases[i].name, err, cases[i].err);
		CHECK(p.filter == NULL && p.attr[0] == '\0' &&
		    p.sub[0] == '\0', "[%s] out not emptied", cases[i].name);
		if (rc)
			scimf_path_cleanup(&p);
	}
}

/* The indexed term a User filter rests on, its value, and whether the
 * filter says nothing more. */
static void
test_anchor(void)
{
	static const struct {
		const char		*filter, *value;
		enum scimf_anchor	 a;
		int			 whole;
	} cases[] = {
		{ "userName eq \"Jdoe\"", "Jdoe", SCIMF_USERNAME, 1 },
		{ "USERNAME Eq \"x\"", "x", SCIMF_USERNAME, 1 },
		{ "externalId eq \"e1\"", "e1", SCIMF_EXTERNALID, 1 },
		{ "id eq \"u1\"", "u1", SCIMF_ID, 1 },
		{ "emails.value eq \"a@b.c\"", "a@b.c", SCIMF_EMAIL, 1 },
		{ "emails[value eq \"a@b.c\"]", "a@b.c", SCIMF_EMAIL, 1 },
		{ "emails[type eq \"work\" and value eq \"a@b.c\"]", "a@b.c",
		    SCIMF_EMAIL, 0 },
		{ "active eq true", "1", SCIMF_ACTIVE, 1 },
		{ "active eq false", "0", SCIMF_ACTIVE, 1 },
		{ "active pr", NULL, SCIMF_ALL, 1 },
		{ "active eq true and userName eq \"j\"", "j", SCIMF_USERNAME,
		    0 },
		{ "userName eq \"j\" and active eq true", "j", SCIMF_USERNAME,
		    0 },
		{ "userName eq \"j\" or id eq \"k\"", NULL, SCIMF_ALL, 0 },
		{ "not (userName eq \"j\")", NULL, SCIMF_ALL, 0 },
		{ "userName ne \"j\"", NULL, SCIMF_ALL, 0 },
		{ "userName co \"j\"", NULL, SCIMF_ALL, 0 },
		{ "displayName eq \"j\"", NULL, SCIMF_ALL, 0 },
		{ "name.givenName eq \"j\"", NULL, SCIMF_ALL, 0 },
		{ "userName eq 12", NULL, SCIMF_ALL, 0 },
	};
	struct scimf		*f;
	const char		*v;
	char			 err[160];
	enum scimf_anchor	 a;
	size_t			 i;
	int			 whole;

	a = scimf_anchor(NULL, &v, &whole);
	CHECK(a == SCIMF_ALL && v == NULL && whole == 1, "no filter");
	for (i = 0; i < NELEM(cases); i++) {
		f = scimf_parse(cases[i].filter, err, sizeof(err));
		CHECK(f != NULL, "[%s] %s", cases[i].filter, err);
		if (f == NULL)
			continue;
		a = scimf_anchor(f, &v, &whole);
		CHECK(a == cases[i].a && whole == cases[i].whole &&
		    (cases[i].value == NULL ? v == NULL : v != NULL &&
		    strcmp(v, cases[i].value) == 0), "[%s] anchor %d %s whole "
		    "%d", cases[i].filter, (int)a, v ? v : "(null)", whole);
		scimf_free(f);
	}
}

/* The "scimfilter" suite. */
void
test_scimfilter_register(void)
{
	static const struct test_def tests[] = {
		{ "scimf_parse and scimf_match", test_match },
		{ "scimf_parse invalid filters", test_invalid },
		{ "scimf_parse depth limit", test_depth },
		{ "scimf_parse length limit", test_length },
		{ "scimf NULLs and small buffers", test_edges },
		{ "scimf_path_parse valid paths", test_path_valid },
		{ "scimf_path_parse invalid paths", test_path_invalid },
		{ "scimf_anchor: the indexed term of a filter", test_anchor },
	};

	test_add_suite("scimfilter", fixtures_init, fixtures_cleanup, tests,
	    NELEM(tests));
}
