/*
 * test_errors.c - errors.c: the error body of every API family, exactly,
 * and the default machine code of each status.
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
		enum family	 family;
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
		{ "admin 500", FAM_ADMIN, 500, NULL,
		    "{\"error\":{\"code\":\"internal_error\",\"message\":\"m\","
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
		o = errors_body(cases[i].family, cases[i].status,
		    cases[i].code, "m", "rid-1");
		CHECK_STR(cases[i].name, json_to_str(o), cases[i].body);
		json_object_put(o);
	}
}

/* The message and id are JSON strings: quotes and controls escaped. */
static void
test_body_escaping(void)
{
	static const enum family	 families[] = {
		FAM_NONE, FAM_INTEG, FAM_SETTINGS, FAM_SCIM, FAM_INGEST,
		FAM_CASES, FAM_FULFILL, FAM_IMPEX, FAM_ADMIN,
	};
	struct json_object	*o, *back;
	char			 name[32], err[160];
	const char		*s;
	size_t			 i;

	for (i = 0; i < NELEM(families); i++) {
		snprintf(name, sizeof(name), "family %d", (int)families[i]);
		o = errors_body(families[i], 400, "invalid_json",
		    "field \"a\"\n<b>", "rid\"2");
		s = json_to_str(o);
		strcpy(err, "no error");
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
		enum family	 family;
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
		CHECK_STR(name, errors_code_for_status(cases[i].family,
		    cases[i].status), cases[i].code);
	}
}

/* The "errors" suite. */
void
test_errors_register(void)
{
	static const struct test_def tests[] = {
		{ "errors_body per family", test_body },
		{ "errors_body escaping", test_body_escaping },
		{ "errors_code_for_status", test_code_for_status },
	};

	test_add_suite("errors", NULL, NULL, tests, NELEM(tests));
}
