/*
 * test_family.c - family.c: the error body of every API family, exactly,
 * the default machine code of each status, and the rate limit a family
 * allows.
 */
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "tests.h"

#define SCIM_SCHEMAS \
	"\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"]"

static void
test_body(void)
{
	static const struct {
		const char	*name;
		enum family_id	 family;
		int		 status;
		const char	*code, *body;
	} cases[] = {
		{ "integ 404", FAM_INTEG, 404, "not_found",
		    "{\"error\":{\"code\":\"not_found\",\"message\":\"m\","
		    "\"requestId\":\"rid-1\"}}" },
		{ "integ default code", FAM_INTEG, 409, NULL,
		    "{\"error\":{\"code\":\"conflict\",\"message\":\"m\","
		    "\"requestId\":\"rid-1\"}}" },
		{ "cases 422", FAM_CASES, 422, "validation_failed",
		    "{\"error\":{\"code\":\"validation_failed\",\"message\":"
		    "\"m\",\"requestId\":\"rid-1\"}}" },
		{ "none 404", FAM_NONE, 404, NULL,
		    "{\"error\":{\"code\":\"not_found\",\"message\":\"m\","
		    "\"requestId\":\"rid-1\"}}" },
		{ "settings 403", FAM_SETTINGS, 403, NULL,
		    "{\"error\":{\"code\":\"forbidden\",\"message\":\"m\","
		    "\"requestId\":\"rid-1\"}}" },
		{ "ingest 413", FAM_INGEST, 413, NULL,
		    "{\"error\":{\"code\":\"batch_too_large\",\"message\":"
		    "\"m\",\"requestId\":\"rid-1\"}}" },
		{ "ingest 429", FAM_INGEST, 429, NULL,
		    "{\"error\":{\"code\":\"rate_limited\",\"message\":\"m\","
		    "\"requestId\":\"rid-1\"}}" },
		{ "ingest 400", FAM_INGEST, 400, NULL,
		    "{\"error\":{\"code\":\"invalid_body\",\"message\":\"m\","
		    "\"requestId\":\"rid-1\"}}" },
		{ "ingest own code", FAM_INGEST, 400, "invalid_event",
		    "{\"error\":{\"code\":\"invalid_event\",\"message\":\"m\","
		    "\"requestId\":\"rid-1\"}}" },
		{ "scim 400 invalid_json", FAM_SCIM, 400, "invalid_json",
		    "{" SCIM_SCHEMAS ",\"status\":\"400\",\"scimType\":"
		    "\"invalidSyntax\",\"detail\":\"m\",\"requestId\":"
		    "\"rid-1\"}" },
		{ "scim 400 invalid_body", FAM_SCIM, 400, "invalid_body",
		    "{" SCIM_SCHEMAS ",\"status\":\"400\",\"scimType\":"
		    "\"invalidValue\",\"detail\":\"m\",\"requestId\":"
		    "\"rid-1\"}" },
		{ "scim 400 camelCase", FAM_SCIM, 400, "invalidFilter",
		    "{" SCIM_SCHEMAS ",\"status\":\"400\",\"scimType\":"
		    "\"invalidFilter\",\"detail\":\"m\",\"requestId\":"
		    "\"rid-1\"}" },
		{ "scim 400 snake_case", FAM_SCIM, 400, "bad_request",
		    "{" SCIM_SCHEMAS ",\"status\":\"400\",\"detail\":\"m\","
		    "\"requestId\":\"rid-1\"}" },
		{ "scim 400 no code", FAM_SCIM, 400, NULL,
		    "{" SCIM_SCHEMAS ",\"status\":\"400\",\"detail\":\"m\","
		    "\"requestId\":\"rid-1\"}" },
		{ "scim 500 camelCase", FAM_SCIM, 500, "internalError",
		    "{" SCIM_SCHEMAS ",\"status\":\"500\",\"detail\":\"m\","
		    "\"requestId\":\"rid-1\"}" },
		/* RFC 7644 3.3: a conflict MUST be 409 with "uniqueness". */
		{ "scim 409 uniqueness", FAM_SCIM, 409, "uniqueness",
		    "{" SCIM_SCHEMAS ",\"status\":\"409\",\"scimType\":"
		    "\"uniqueness\",\"detail\":\"m\",\"requestId\":"
		    "\"rid-1\"}" },
		{ "scim 404", FAM_SCIM, 404, "not_found",
		    "{" SCIM_SCHEMAS ",\"status\":\"404\",\"detail\":\"m\","
		    "\"requestId\":\"rid-1\"}" },
		{ "fulfill 404", FAM_FULFILL, 404, "not_found",
		    "{\"error\":\"m\",\"requestId\":\"rid-1\"}" },
		{ "fulfill no code", FAM_FULFILL, 401, NULL,
		    "{\"error\":\"m\",\"requestId\":\"rid-1\"}" },
		{ "impex 400", FAM_IMPEX, 400, "invalid_body",
		    "{\"detail\":\"m\",\"requestId\":\"rid-1\"}" },
		{ "impex no code", FAM_IMPEX, 503, NULL,
		    "{\"detail\":\"m\",\"requestId\":\"rid-1\"}" },
	};
	struct json_object	*o;
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		o = family_error_body(family_get(cases[i].family), cases[i].status,
		    cases[i].code, "m", "rid-1");
		CHECK_STR(cases[i].name, json_to_str(o), cases[i].body);
		json_object_put(o);
	}
}

/* The message and id are JSON strings: quotes and controls escaped. */
static void
test_body_escaping(void)
{
	static const enum family_id	 families[] = {
		FAM_NONE, FAM_INTEG, FAM_SETTINGS, FAM_SCIM, FAM_INGEST,
		FAM_CASES, FAM_FULFILL, FAM_IMPEX,
	};
	struct json_object	*o, *back;
	char			 name[32], err[160];
	const char		*s;
	size_t			 i;

	for (i = 0; i < NELEM(families); i++) {
		snprintf(name, sizeof(name), "family %d", (int)families[i]);
		o = family_error_body(family_get(families[i]), 400, "invalid_json",
		    "field \"a\"\n<b>", "rid\"2");
		s = json_to_str(o);
		snprintf(err, sizeof(err), "no error");
		back = json_parse_body(s, strlen(s), err, sizeof(err));
		CHECK(back != NULL, "[%s] %s does not parse: %s", name, s,
		    err);
		CHECK(strstr(s, "field \\\"a\\\"\\n<b>") != NULL, "[%s] %s "
		    "lacks the escaped message", name, s);
		CHECK(strstr(s, "\"requestId\":\"rid\\\"2\"") != NULL,
		    "[%s] %s lacks the escaped requestId", name, s);
		json_object_put(back);
		json_object_put(o);
	}
}

static void
test_code_for_status(void)
{
	static const struct {
		enum family_id	 family;
		int		 status;
		const char	*code;
	} cases[] = {
		{ FAM_INGEST, 400, "invalid_body" },
		{ FAM_INTEG, 400, "bad_request" },
		{ FAM_SCIM, 400, "bad_request" },
		{ FAM_INTEG, 401, "unauthorized" },
		{ FAM_INGEST, 401, "unauthorized" },
		{ FAM_INTEG, 403, "forbidden" },
		{ FAM_INTEG, 404, "not_found" },
		{ FAM_INTEG, 405, "method_not_allowed" },
		{ FAM_INTEG, 409, "conflict" },
		{ FAM_INGEST, 413, "batch_too_large" },
		{ FAM_INTEG, 413, "payload_too_large" },
		{ FAM_CASES, 413, "payload_too_large" },
		{ FAM_INTEG, 422, "unprocessable" },
		{ FAM_INGEST, 429, "rate_limited" },
		{ FAM_INTEG, 429, "rate_limited" },
		{ FAM_INTEG, 500, "internal_error" },
		{ FAM_INTEG, 502, "internal_error" },
		{ FAM_INTEG, 503, "unavailable" },
		{ FAM_INTEG, 418, "error" },
	};
	char	 name[32];
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(name, sizeof(name), "family %d, %d",
		    (int)cases[i].family, cases[i].status);
		CHECK_STR(name, family_code_for_status(family_get(cases[i].family),
		    cases[i].status), cases[i].code);
	}
}

static void
test_family_of_path(void)
{
	static const struct {
		const char	*path;
		enum family_id	 family;
	} cases[] = {
		{ "/api/integrations/v1/whoami", FAM_INTEG },
		{ "/api/integrations/v1/", FAM_INTEG },
		{ "/api/integrations/v1", FAM_INTEG },
		{ "/api/integrations/v10/x", FAM_CASES },
		{ "/api/integrations/inventory", FAM_CASES },
		{ "/api/integrations/rollback", FAM_CASES },
		{ "/api/cases/123", FAM_CASES },
		{ "/api/settings/webhooks", FAM_SETTINGS },
		{ "/api/scim/v2/Users", FAM_SCIM },
		{ "/api/v1/ingest/events", FAM_INGEST },
		{ "/api/v1/integrations", FAM_IMPEX },
		{ "/api/v1/integrations/abc/test", FAM_IMPEX },
		{ "/api/v1/webhooks/receive/abc", FAM_IMPEX },
		{ "/api/v1/import-export/jobs", FAM_IMPEX },
		{ "/api/onboarding/request-access", FAM_FULFILL },
		{ "/api/products/1", FAM_FULFILL },
		{ "/api/orders/1", FAM_FULFILL },
		{ "/api/chat/acme", FAM_FULFILL },
		{ "/api/me/usage", FAM_FULFILL },
		{ "/admin/", FAM_ADMIN },
		{ "/admin/orgs", FAM_ADMIN },
		{ "/admin", FAM_ADMIN },
		{ "/", FAM_NONE },
		{ "", FAM_NONE },
		{ "/api/healthz", FAM_NONE },
		{ "/api/", FAM_NONE },
		{ "/adminx", FAM_NONE },
		{ "/api/v1/", FAM_NONE },
		{ "/api/v1/ingest", FAM_NONE },
		{ "/API/cases/1", FAM_NONE },
		{ "/x/api/cases/1", FAM_NONE },
	};
	size_t		 i;
	enum family_id	 f;

	for (i = 0; i < NELEM(cases); i++) {
		f = family_of_path(cases[i].path)->id;
		CHECK(f == cases[i].family, "[%s] family %d, want %d",
		    cases[i].path, (int)f, (int)cases[i].family);
	}
}

/* The credential each family asks for, and the kinds of key it takes. */
static void
test_family_credential(void)
{
	static const struct {
		enum family_id	 family;
		enum credential	 cred;
		unsigned int	 kinds;
	} cases[] = {
		{ FAM_NONE, CRED_NONE, 0 },
		{ FAM_INTEG, CRED_BEARER, KEY_BIT(KEY_INTEGRATION) },
		{ FAM_CASES, CRED_BEARER, KEY_BIT(KEY_INTEGRATION) },
		{ FAM_IMPEX, CRED_BEARER, KEY_BIT(KEY_INTEGRATION) },
		{ FAM_SCIM, CRED_BEARER, KEY_BIT(KEY_SCIM) },
		{ FAM_INGEST, CRED_BEARER, KEY_BIT(KEY_INGEST) },
		{ FAM_FULFILL, CRED_API_KEY,
		    KEY_BIT(KEY_CLIENT) | KEY_BIT(KEY_ADMIN) },
		{ FAM_SETTINGS, CRED_SESSION, 0 },
		{ FAM_ADMIN, CRED_SESSION, 0 },
	};
	const struct family	*f;
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		f = family_get(cases[i].family);
		CHECK(f->id == cases[i].family, "[family %d] row %d",
		    (int)cases[i].family, (int)f->id);
		CHECK(f->credential == cases[i].cred, "[%s] credential %d, "
		    "want %d", f->name, (int)f->credential, (int)cases[i].cred);
		CHECK(f->key_kinds == cases[i].kinds, "[%s] key kinds %#x, "
		    "want %#x", f->name, f->key_kinds, cases[i].kinds);
	}
}

/* The console's errors are pages, not JSON. */
static void
test_html_family(void)
{
	CHECK(family_error_body(family_get(FAM_ADMIN), 500, NULL, "m",
	    "rid") == NULL, "the console has a JSON error body");
	CHECK(family_get(FAM_ADMIN)->signin_page != NULL,
	    "the console does not send the browser to sign in");
	CHECK(family_get(FAM_SETTINGS)->signin_page == NULL,
	    "the settings API redirects instead of answering 401");
}

/* The spec's limits, per key and per organization, unless the
 * configuration sets the family's own. */
static void
test_rate_limit(void)
{
	static const struct {
		enum family_id	 family;
		long long	 key, org;
	} cases[] = {
		{ FAM_INTEG, 120, 0 }, { FAM_INGEST, 600, 3000 },
		{ FAM_CASES, 0, 100 }, { FAM_SCIM, 0, 0 }, { FAM_ADMIN, 0, 0 },
	};
	struct conf	 c;
	long long	 k, o;
	size_t		 i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < NELEM(cases); i++) {
		family_rate_limits(family_get(cases[i].family), &c, &k, &o);
		CHECK(k == cases[i].key && o == cases[i].org, "[family %d] "
		    "%lld/%lld, want %lld/%lld", (int)cases[i].family, k, o,
		    cases[i].key, cases[i].org);
	}
	c.rate_limit_per_minute = 7;
	c.ingest_rate_per_key = 8;
	c.ingest_rate_per_org = 9;
	family_rate_limits(family_get(FAM_INTEG), &c, &k, &o);
	CHECK(k == 7 && o == 0, "integrations with settings: %lld/%lld", k, o);
	family_rate_limits(family_get(FAM_INGEST), &c, &k, &o);
	CHECK(k == 8 && o == 9, "ingest with settings: %lld/%lld", k, o);
	/* A setting never adds a limit the family does not have. */
	family_rate_limits(family_get(FAM_CASES), &c, &k, &o);
	CHECK(k == 0 && o == 100, "cases with settings: %lld/%lld", k, o);
}

/* The body cap: the family's own where it is the smaller. */
static void
test_body_cap(void)
{
	struct conf	 c;

	memset(&c, 0, sizeof(c));
	c.max_body_bytes = 8 << 20;
	CHECK(family_body_cap(family_get(FAM_INGEST), &c) == 1048576,
	    "ingest: %lld", family_body_cap(family_get(FAM_INGEST), &c));
	CHECK(family_body_cap(family_get(FAM_INTEG), &c) == 8 << 20,
	    "integrations: %lld", family_body_cap(family_get(FAM_INTEG), &c));
	c.max_body_bytes = 1024;
	CHECK(family_body_cap(family_get(FAM_INGEST), &c) == 1024,
	    "ingest under a smaller conf cap: %lld",
	    family_body_cap(family_get(FAM_INGEST), &c));
}

/* The "family" suite. */
/* Paths in the route table's spelling: SCIM's endpoints in any case and
 * without a trailing slash; ids and other families untouched. */
static void
test_path_canon(void)
{
	static const struct {
		enum family_id	 id;
		const char	*in, *want;
	} cases[] = {
		{ FAM_SCIM, "/api/scim/v2/users", "/api/scim/v2/Users" },
		{ FAM_SCIM, "/api/scim/v2/GROUPS/", "/api/scim/v2/Groups" },
		{ FAM_SCIM, "/api/scim/v2/Users/", "/api/scim/v2/Users" },
		{ FAM_SCIM, "/api/scim/v2/uSeRs/.SEARCH",
		    "/api/scim/v2/Users/.search" },
		{ FAM_SCIM, "/api/scim/v2/serviceproviderconfig",
		    "/api/scim/v2/ServiceProviderConfig" },
		{ FAM_SCIM, "/api/scim/v2/users/AbC-1", "/api/scim/v2/Users/AbC-1" },
		{ FAM_SCIM, "/api/scim/v2/", "/api/scim/v2/" },
		{ FAM_SCIM, "/api/scim/v2/Userss", "/api/scim/v2/Userss" },
		{ FAM_INTEG, "/api/integrations/v1/whoami/",
		    "/api/integrations/v1/whoami/" },
		{ FAM_INTEG, "/api/integrations/v1/Users",
		    "/api/integrations/v1/Users" },
	};
	char	 path[128];
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(path, sizeof(path), "%s", cases[i].in);
		family_path_canon(family_get(cases[i].id), path);
		CU_ASSERT_STRING_EQUAL(path, cases[i].want);
	}
}

void
test_family_register(void)
{
	static const struct test_def tests[] = {
		{ "family_error_body per family", test_body },
		{ "family_error_body escaping", test_body_escaping },
		{ "family_code_for_status", test_code_for_status },
		{ "family_of_path", test_family_of_path },
		{ "credentials", test_family_credential },
		{ "HTML family", test_html_family },
		{ "family_rate_limits", test_rate_limit },
		{ "family_body_cap", test_body_cap },
		{ "family_path_canon", test_path_canon },
	};

	test_add_suite("family", NULL, NULL, tests, NELEM(tests));
}
