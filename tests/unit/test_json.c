/*
 * test_json.c - json.c: parsing request bodies strictly (UTF-8, depth,
 * trailing data, error text with the byte offset) and compact output.
 */
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "tests.h"

#define SENTINEL	"(err untouched)"

/* Valid documents parse, and print back compactly as want. */
static void
test_valid(void)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "{}", "{}" },
		{ "[]", "[]" },
		{ "{\"a\":1}", "{\"a\":1}" },
		{ " {\"a\" : [1, 2, {\"b\": null}]}\r\n\t",
		    "{\"a\":[1,2,{\"b\":null}]}" },
		{ "[true,false,null]", "[true,false,null]" },
		{ "{\"s\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}",
		    "{\"s\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}" },
		{ "{\"u\":\"\\u00e9\"}", "{\"u\":\"\xc3\xa9\"}" },
		{ "{\"p\":\"a/b\"}", "{\"p\":\"a/b\"}" },
		{ "[-1.5,0,1e3]", "[-1.5,0,1e3]" },
		{ "\"text\"", "\"text\"" },
		/* RFC 8259: any value is a document, a bare scalar too. */
		{ "42", "42" },
		{ "-1.5", "-1.5" },
		{ "true", "true" },
		{ "42 ", "42" },
	};
	struct json_object	*o;
	char			 err[160];
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(err, sizeof(err), "%s", SENTINEL);
		o = json_parse_body(cases[i].in, strlen(cases[i].in), err,
		    sizeof(err));
		if (!CHECK(o != NULL, "[%s] refused: %s",
		    test_esc(cases[i].in, strlen(cases[i].in)), err))
			continue;
		CHECK_STR(test_esc(cases[i].in, strlen(cases[i].in)),
		    json_to_str(o), cases[i].out);
		json_object_put(o);
	}
}

/* Refused bodies: NULL, with err containing want. */
static void
test_invalid(void)
{
	static const struct {
		const char	*name, *in;
		size_t		 len;	/* 0: strlen(in) */
		const char	*err;
	} cases[] = {
		{ "empty", "", 0, "expected a JSON document" },
		{ "only spaces", "   ", 0, "unexpected end" },
		{ "open object", "{", 0, "unexpected end" },
		{ "open string", "{\"a\":\"b", 0, "unexpected end" },
		{ "missing value", "{\"a\":}", 0, "at byte 5" },
		{ "trailing comma", "[1,]", 0, "at byte 3" },
		{ "unquoted key", "{a:1}", 0, "at byte 1" },
		{ "single-quoted string", "['a']", 0, "at byte 1" },
		{ "leading zero", "[01]", 0, "at byte" },
		{ "hex number", "[0x10]", 0, "at byte" },
		{ "bad escape", "[\"\\x41\"]", 0, "at byte" },
		{ "comment", "[1 /* c */]", 0, "at byte" },
		{ "capital TRUE", "[TRUE]", 0, "at byte 1" },
		{ "garbage after", "{} x", 0, "at byte 3" },
		{ "two documents", "[1] [2]", 0, "byte 4" },
		{ "second object", "{}{}", 0, "byte 2" },
		{ "NUL after", "{}\0", 3, "UTF-8" },
		{ "overlong slash", "{\"a\":\"\xc0\xaf\"}", 0, "UTF-8" },
		{ "lone continuation", "{\"a\":\"\x80\"}", 0, "UTF-8" },
		{ "surrogate", "{\"a\":\"\xed\xa0\x80\"}", 0, "UTF-8" },
		{ "truncated", "{\"a\":\"\xe2\x82\"}", 0, "UTF-8" },
		{ "truncated at end", "[\"\xf0\x9f\x98", 0, "UTF-8" },
		{ "latin-1", "{\"a\":\"caf\xe9\"}", 0, "UTF-8" },
		{ "above U+10FFFF", "[\"\xf4\x90\x80\x80\"]", 0, "UTF-8" },
	};
	struct json_object	*o;
	char			 err[160];
	size_t			 i, len;

	for (i = 0; i < NELEM(cases); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		snprintf(err, sizeof(err), "%s", SENTINEL);
		o = json_parse_body(cases[i].in, len, err, sizeof(err));
		CHECK(o == NULL, "[%s] accepted as %s", cases[i].name,
		    o ? json_to_str(o) : "");
		CHECK(strstr(err, cases[i].err) != NULL, "[%s] error \"%s\" "
		    "lacks \"%s\"", cases[i].name, err, cases[i].err);
		CHECK(strncmp(err, "body: ", 6) == 0, "[%s] error \"%s\" does "
		    "not start with \"body: \"", cases[i].name, err);
		json_object_put(o);
	}
}

/*
 * What RFC 8259 forbids but json-c's strict mode (0.16) lets through:
 * NaN, Infinity, control characters in strings, a single-quoted key,
 * a number ending in '.'. Only the refusal is checked, not its text.
 */
static void
test_not_json(void)
{
	static const struct {
		const char	*name, *in;
	} cases[] = {
		{ "NaN", "[NaN]" },
		{ "Infinity", "{\"q\":Infinity}" },
		{ "-Infinity", "[-Infinity]" },
		{ "raw tab in string", "[\"a\tb\"]" },
		{ "raw newline in string", "[\"a\nb\"]" },
		{ "single-quoted key", "{'a':1}" },
		{ "number ending in dot", "[1.]" },
	};
	struct json_object	*o;
	char			 err[160];
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(err, sizeof(err), "%s", SENTINEL);
		o = json_parse_body(cases[i].in, strlen(cases[i].in), err,
		    sizeof(err));
		CHECK(o == NULL, "[%s] accepted as %s", cases[i].name,
		    o ? json_to_str(o) : "");
		CHECK(o != NULL || strcmp(err, SENTINEL) != 0,
		    "[%s] refused without an error text", cases[i].name);
		json_object_put(o);
	}
}

/* A document of depth d: d nested arrays, the innermost empty. */
static char *
nested(char *s, int d)
{
	memset(s, '[', (size_t)d);
	memset(s + d, ']', (size_t)d);
	s[2 * d] = '\0';
	return s;
}

static void
test_depth(void)
{
	static const struct {
		int	 depth, ok;
	} cases[] = {
		{ 1, 1 }, { 31, 1 }, { 32, 1 }, { 33, 0 }, { 200, 0 },
	};
	struct json_object	*o;
	char			 doc[2 * 200 + 1], err[160];
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		nested(doc, cases[i].depth);
		snprintf(err, sizeof(err), "%s", SENTINEL);
		o = json_parse_body(doc, strlen(doc), err, sizeof(err));
		CHECK((o != NULL) == cases[i].ok, "[depth %d] %s: %s",
		    cases[i].depth, o ? "accepted" : "refused", err);
		if (!cases[i].ok)
			CHECK(strstr(err, "too deep") != NULL, "[depth %d] "
			    "error \"%s\" lacks \"too deep\"", cases[i].depth,
			    err);
		json_object_put(o);
	}
}

/*
 * "null" parses to json-c's NULL object, which is also the failure
 * return: then err must still say what is wrong, for req_json_body
 * prints it.
 */
static void
test_null_document(void)
{
	static const char *const cases[] = { "null", "null ", " null\n" };
	struct json_object	*o;
	char			 err[160];
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(err, sizeof(err), "%s", SENTINEL);
		o = json_parse_body(cases[i], strlen(cases[i]), err,
		    sizeof(err));
		CHECK(o == NULL, "[%s] not NULL",
		    test_esc(cases[i], strlen(cases[i])));
		CHECK(strcmp(err, SENTINEL) != 0, "[%s] NULL without an "
		    "error text", test_esc(cases[i], strlen(cases[i])));
		json_object_put(o);
	}
}

/* Only len bytes are read: the text need not be NUL-terminated. */
static void
test_length_bound(void)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*out;
	} cases[] = {
		{ "{\"a\":1}garbage", 7, "{\"a\":1}" },
		{ "[1,2]]", 5, "[1,2]" },
		{ "[\"x\"]\xff", 5, "[\"x\"]" },
	};
	struct json_object	*o;
	char			 err[160];
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(err, sizeof(err), "%s", SENTINEL);
		o = json_parse_body(cases[i].in, cases[i].len, err,
		    sizeof(err));
		if (CHECK(o != NULL, "[%s] refused: %s",
		    test_esc(cases[i].in, cases[i].len), err))
			CHECK_STR(test_esc(cases[i].in, cases[i].len),
			    json_to_str(o), cases[i].out);
		json_object_put(o);
	}
}

/* json_to_str: compact, no escaped slashes, escapes what JSON needs. */
static void
test_to_str(void)
{
	struct json_object	*o, *a;

	o = json_object_new_object();
	json_object_object_add(o, "url", json_object_new_string("/a/b"));
	json_object_object_add(o, "q", json_object_new_string("say \"hi\"\n"));
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_int64(-9007199254740993LL));
	json_object_array_add(a, json_object_new_boolean(1));
	json_object_array_add(a, NULL);
	json_object_object_add(o, "a", a);
	json_object_object_add(o, "e", json_object_new_object());
	CHECK_STR("object", json_to_str(o), "{\"url\":\"/a/b\","
	    "\"q\":\"say \\\"hi\\\"\\n\",\"a\":[-9007199254740993,true,null],"
	    "\"e\":{}}");
	json_object_put(o);
	CHECK_STR("NULL object", json_to_str(NULL), "null");
}

/* The "json" suite. */
/*
 * The writer for answers written straight into a buffer: the quote, the
 * backslash and control characters escaped, UTF-8 as it is, and what it
 * writes parses back to the same string.
 */
static void
test_write_str(void)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "", "\"\"" },
		{ "plain", "\"plain\"" },
		{ "a\"b", "\"a\\\"b\"" },
		{ "a\\b", "\"a\\\\b\"" },
		{ "line\nnext\ttab", "\"line\\nnext\\ttab\"" },
		{ "\x01\x1f", "\"\\u0001\\u001f\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac", "\"caf\xc3\xa9 \xe2\x82\xac\"" },
		{ "</script>", "\"</script>\"" },
	};
	struct json_object	*o;
	struct buf		 b;
	char			 err[160];
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b);
		CHECK(json_write_str(&b, cases[i].in), "[%zu] failed", i);
		CHECK(b.len == strlen(cases[i].out) &&
		    memcmp(b.data, cases[i].out, b.len) == 0, "[%zu] wrote %.*s, "
		    "want %s", i, (int)b.len, b.data, cases[i].out);
		err[0] = '\0';
		o = json_parse_body(b.data, b.len, err, sizeof(err));
		CHECK(o != NULL && json_object_is_type(o, json_type_string) &&
		    strcmp(json_object_get_string(o), cases[i].in) == 0,
		    "[%zu] does not parse back: %s", i, err);
		json_object_put(o);
		buf_cleanup(&b);
	}
	buf_init(&b);
	buf_puts(&b, "{\"a\":1");
	CHECK(json_write_member(&b, "k\"", "v") &&
	    json_write_member(&b, "n", NULL) && buf_puts(&b, "}"),
	    "members failed");
	CHECK_STR("members", b.data, "{\"a\":1,\"k\\\"\":\"v\",\"n\":null}");
	buf_cleanup(&b);
}

/*
 * A NUL in a string value is refused naming its path (issue 16: a
 * "sku":"X\u0000zz" was stored as "X"); in a member name, where no
 * path can name it, as malformed JSON. Escaped NULs elsewhere pass.
 */
static void
test_nul(void)
{
	static const struct {
		const char	*in, *err;	/* err NULL: accepted */
	} cases[] = {
		{ "{\"sku\":\"X\\u0000zz\"}",
		    "sku: must not contain the NUL character (\\u0000)" },
		{ "{\"a\":1,\"lines\":[{\"sku\":\"k\"},{\"n\":{\"x\":"
		    "[\"\",\"\\u0000\"]}}]}",
		    "lines[1].n.x[1]: must not contain the NUL character" },
		{ "[\"ok\",\"\\u0000\"]", "[1]: must not contain" },
		{ "\"\\u0000\"", "body: must not contain the NUL character" },
		{ "{\"s\\u0000\":1}", "body: malformed JSON at byte 9: "
		    "\\u0000 in a member name" },
		{ "{\"a\":\"\\u0001\\\\u0000\"}", NULL },	/* "\\u0000" */
		{ "{\"a\":\"\\u00000\"}", "a: must not contain" },
	};
	struct json_object	*o;
	char			 err[160], in[200];
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(err, sizeof(err), "%s", SENTINEL);
		o = json_parse_body(cases[i].in, strlen(cases[i].in), err,
		    sizeof(err));
		if (cases[i].err == NULL)
			CHECK(o != NULL, "[%zu] refused: %s", i, err);
		else {
			CHECK(o == NULL, "[%zu] accepted", i);
			CHECK(strncmp(err, cases[i].err, strlen(cases[i].err)) ==
			    0, "[%zu] error \"%s\", want \"%s\"", i, err,
			    cases[i].err);
		}
		json_object_put(o);
	}
	/* A long path is cut on a character; the reason stays whole. */
	snprintf(in, sizeof(in), "{\"%s\":\"\\u0000\"}",
	    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	    "\xc3\xa9\xc3\xa9\xc3\xa9kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
	o = json_parse_body(in, strlen(in), err, sizeof(err));
	CHECK(o == NULL && strcmp(err, "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	    "kkkkkkkkkkkkkkkkkkkkkk\xc3\xa9\xe2\x80\xa6: must not contain the "
	    "NUL character (\\u0000)") == 0, "long path: %s", err);
	json_object_put(o);
}

void
test_json_register(void)
{
	static const struct test_def tests[] = {
		{ "json_parse_body valid documents", test_valid },
		{ "json_parse_body invalid bodies", test_invalid },
		{ "json_parse_body RFC 8259 violations", test_not_json },
		{ "json_parse_body depth limit", test_depth },
		{ "json_parse_body null document", test_null_document },
		{ "json_parse_body reads only len bytes", test_length_bound },
		{ "json_parse_body refuses NUL, naming the field", test_nul },
		{ "json_to_str", test_to_str },
		{ "json_write_str and json_write_member", test_write_str },
	};

	test_add_suite("json", NULL, NULL, tests, NELEM(tests));
}
