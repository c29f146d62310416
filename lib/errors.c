/*
 * errors.c - the error body of each API family (DESIGN.md table). Every
 * body carries the request id that is also in X-Request-Id and the log.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"

#define SCIM_ERROR_SCHEMA	"urn:ietf:params:scim:api:messages:2.0:Error"

/* Generic codes that have a SCIM scimType of their own (RFC 7644 3.12). */
static const char *
errors_scim_type(const char *code)
{
	if (code == NULL)
		return NULL;
	if (strcmp(code, "invalid_json") == 0)
		return "invalidSyntax";
	if (strcmp(code, "invalid_body") == 0)
		return "invalidValue";
	/* Already a scimType (camelCase, no underscore)? Pass it on. */
	return strchr(code, '_') == NULL ? code : NULL;
}

static struct json_object *
errors_scim(int status, const char *code, const char *msg,
    const char *reqid)
{
	struct json_object	*o = json_object_new_object(), *s;
	const char		*type = errors_scim_type(code);
	char			 st[8];

	s = json_object_new_array();
	json_object_array_add(s, json_object_new_string(SCIM_ERROR_SCHEMA));
	json_object_object_add(o, "schemas", s);
	snprintf(st, sizeof(st), "%d", status);
	json_object_object_add(o, "status", json_object_new_string(st));
	/* RFC 7644 3.12: scimType goes with 400, and 409 for uniqueness. */
	if (type != NULL && (status == 400 ||
	    (status == 409 && strcmp(type, "uniqueness") == 0)))
		json_object_object_add(o, "scimType",
		    json_object_new_string(type));
	json_object_object_add(o, "detail", json_object_new_string(msg));
	json_object_object_add(o, "requestId", json_object_new_string(reqid));
	return o;
}

/*
 * The body for an error of status with a machine code and a message, in
 * the shape of family f. The caller owns the returned object.
 */
struct json_object *
errors_body(enum family f, int status, const char *code, const char *msg,
    const char *reqid)
{
	struct json_object	*o, *e;

	switch (f) {
	case FAM_SCIM:
		return errors_scim(status, code, msg, reqid);
	case FAM_FULFILL:
		o = json_object_new_object();
		json_object_object_add(o, "error", json_object_new_string(msg));
		json_object_object_add(o, "requestId",
		    json_object_new_string(reqid));
		return o;
	case FAM_IMPEX:
		o = json_object_new_object();
		json_object_object_add(o, "detail", json_object_new_string(msg));
		json_object_object_add(o, "requestId",
		    json_object_new_string(reqid));
		return o;
	default:
		o = json_object_new_object();
		e = json_object_new_object();
		json_object_object_add(e, "code", json_object_new_string(
		    code ? code : errors_code_for_status(f, status)));
		json_object_object_add(e, "message",
		    json_object_new_string(msg));
		json_object_object_add(e, "requestId",
		    json_object_new_string(reqid));
		json_object_object_add(o, "error", e);
		return o;
	}
}

/* A default machine code for a status. */
const char *
errors_code_for_status(enum family f, int status)
{
	switch (status) {
	case 400:
		return f == FAM_INGEST ? "invalid_body" : "bad_request";
	case 401:
		return "unauthorized";
	case 403:
		return "forbidden";
	case 404:
		return "not_found";
	case 405:
		return "method_not_allowed";
	case 409:
		return "conflict";
	case 413:
		return f == FAM_INGEST ? "batch_too_large" : "payload_too_large";
	case 422:
		return "unprocessable";
	case 429:
		return "rate_limited";
	case 503:
		return "unavailable";
	default:
		return status >= 500 ? "internal_error" : "error";
	}
}
