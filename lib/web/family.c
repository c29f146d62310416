/*
 * family.c - the API families (DESIGN.md's table): one row each with
 * everything that differs between them, its path prefixes, the
 * credential it asks for and the key kinds it takes, its content type,
 * error body and 401 codes, its idempotency window and rate policy.
 * Adding a family is one row here plus its routes; nothing else
 * switches on the family. Every error body carries the request id that
 * is also in X-Request-Id and the log.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "web/web.h"

#define SCIM_ERROR_SCHEMA	"urn:ietf:params:scim:api:messages:2.0:Error"
#define DAY_SECONDS		(24 * 3600)

/* {"error":{"code","message","requestId"}} */
static struct json_object *
family_error_nested(const struct family *f, int status, const char *code,
    const char *msg, const char *reqid)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*e = json_object_new_object();

	json_object_object_add(e, "code", json_object_new_string(
	    code ? code : family_code_for_status(f, status)));
	json_object_object_add(e, "message", json_object_new_string(msg));
	json_object_object_add(e, "requestId", json_object_new_string(reqid));
	json_object_object_add(o, "error", e);
	return o;
}

/* {"error":"…","requestId"}: the fulfillment spec's shape. */
static struct json_object *
family_error_flat(const struct family *f, int status, const char *code,
    const char *msg, const char *reqid)
{
	struct json_object	*o = json_object_new_object();

	(void)f, (void)status, (void)code;
	json_object_object_add(o, "error", json_object_new_string(msg));
	json_object_object_add(o, "requestId", json_object_new_string(reqid));
	return o;
}

/* {"detail":"…","requestId"}: the integrations/import-export shape. */
static struct json_object *
family_error_detail(const struct family *f, int status, const char *code,
    const char *msg, const char *reqid)
{
	struct json_object	*o = json_object_new_object();

	(void)f, (void)status, (void)code;
	json_object_object_add(o, "detail", json_object_new_string(msg));
	json_object_object_add(o, "requestId", json_object_new_string(reqid));
	return o;
}

/* Generic codes that have a SCIM scimType of their own (RFC 7644 3.12). */
static const char *
family_scim_type(const char *code)
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

/* RFC 7644 3.12 */
static struct json_object *
family_error_scim(const struct family *f, int status, const char *code,
    const char *msg, const char *reqid)
{
	struct json_object	*o = json_object_new_object(), *s;
	const char		*type = family_scim_type(code);
	char			 st[8];

	(void)f;
	s = json_object_new_array();
	json_object_array_add(s, json_object_new_string(SCIM_ERROR_SCHEMA));
	json_object_object_add(o, "schemas", s);
	snprintf(st, sizeof(st), "%d", status);
	json_object_object_add(o, "status", json_object_new_string(st));
	/* scimType goes with 400, and with 409 for uniqueness. */
	if (type != NULL && (status == 400 ||
	    (status == 409 && strcmp(type, "uniqueness") == 0)))
		json_object_object_add(o, "scimType",
		    json_object_new_string(type));
	json_object_object_add(o, "detail", json_object_new_string(msg));
	json_object_object_add(o, "requestId", json_object_new_string(reqid));
	return o;
}

static const char *const prefixes_none[] = { NULL };
static const char *const prefixes_integ[] = { "/api/integrations/v1", NULL };
static const char *const prefixes_settings[] = { "/api/settings/", NULL };
static const char *const prefixes_scim[] = { "/api/scim/v2/", NULL };
static const char *const prefixes_ingest[] = { "/api/v1/ingest/", NULL };
static const char *const prefixes_cases[] = {
	"/api/cases/", "/api/integrations/", NULL
};
static const char *const prefixes_fulfill[] = {
	"/api/onboarding/", "/api/products/", "/api/orders/", "/api/chat/",
	"/api/me/", NULL
};
static const char *const prefixes_impex[] = {
	"/api/v1/integrations", "/api/v1/webhooks/", "/api/v1/import-export/",
	NULL
};
static const char *const prefixes_admin[] = { "/admin", NULL };

#define JSON	"application/json"

static const struct family families[FAM__MAX] = {
	[FAM_INTEG] = { FAM_INTEG, "integrations", prefixes_integ,
	    CRED_BEARER, KEY_BIT(KEY_INTEGRATION), JSON, family_error_nested,
	    NULL, "Bearer", "unauthorized", "unauthorized", "bad_request",
	    "payload_too_large", DAY_SECONDS, RATE_PER_KEY, 120 },
	[FAM_SETTINGS] = { FAM_SETTINGS, "settings", prefixes_settings,
	    CRED_SESSION, 0, JSON, family_error_nested, NULL, NULL,
	    "unauthorized", "unauthorized", "bad_request", "payload_too_large",
	    0, RATE_NONE, 0 },
	[FAM_SCIM] = { FAM_SCIM, "scim", prefixes_scim, CRED_BEARER,
	    KEY_BIT(KEY_SCIM), "application/scim+json", family_error_scim,
	    NULL, "Bearer", "unauthorized", "unauthorized", "bad_request",
	    "payload_too_large", 0, RATE_NONE, 0 },
	[FAM_INGEST] = { FAM_INGEST, "activity-ingest", prefixes_ingest,
	    CRED_BEARER, KEY_BIT(KEY_INGEST), JSON, family_error_nested, NULL,
	    "Bearer", "missing_auth", "invalid_key", "invalid_body",
	    "batch_too_large", DAY_SECONDS, RATE_PER_KEY, 120 },
	[FAM_CASES] = { FAM_CASES, "invoice-cases", prefixes_cases,
	    CRED_BEARER, KEY_BIT(KEY_INTEGRATION), JSON, family_error_nested,
	    NULL, "Bearer", "unauthorized", "unauthorized", "bad_request",
	    "payload_too_large", DAY_SECONDS, RATE_PER_ORG, 100 },
	[FAM_FULFILL] = { FAM_FULFILL, "fulfillment", prefixes_fulfill,
	    CRED_API_KEY, KEY_BIT(KEY_CLIENT) | KEY_BIT(KEY_ADMIN), JSON,
	    family_error_flat, NULL, NULL, "unauthorized", "unauthorized",
	    "bad_request", "payload_too_large", DAY_SECONDS, RATE_NONE, 0 },
	[FAM_IMPEX] = { FAM_IMPEX, "integrations-impex", prefixes_impex,
	    CRED_BEARER, KEY_BIT(KEY_INTEGRATION), JSON, family_error_detail,
	    NULL, "Bearer", "unauthorized", "unauthorized", "bad_request",
	    "payload_too_large", DAY_SECONDS, RATE_NONE, 0 },
	[FAM_ADMIN] = { FAM_ADMIN, "console", prefixes_admin, CRED_SESSION, 0,
	    "text/html; charset=utf-8", NULL, "/admin/login", NULL,
	    "unauthorized", "unauthorized", "bad_request", "payload_too_large",
	    0, RATE_NONE, 0 },
	/* Paths of no family (health, static files) are public. */
	[FAM_NONE] = { FAM_NONE, "platform", prefixes_none, CRED_NONE, 0, JSON,
	    family_error_nested, NULL, NULL, "unauthorized", "unauthorized",
	    "bad_request", "payload_too_large", 0, RATE_NONE, 0 },
};

/* A prefix ending in '/' matches every path below it; any other matches
 * itself and the paths below it ("/admin", not "/administrator"). */
static int
family_prefix_match(const char *prefix, const char *path)
{
	size_t	 n = strlen(prefix);

	if (strncmp(path, prefix, n) != 0)
		return 0;
	return prefix[n - 1] == '/' || path[n] == '\0' || path[n] == '/';
}

/* The family a path belongs to, by its longest matching prefix (so
 * "/api/integrations/v1/…" is the Integrations API, not the invoice
 * cases' "/api/integrations/…"); the FAM_NONE row for the rest. */
const struct family *
family_of_path(const char *path)
{
	const struct family	*best = &families[FAM_NONE];
	size_t			 i, k, n, bestlen = 0;

	for (i = 0; i < FAM__MAX; i++)
		for (k = 0; families[i].prefixes[k] != NULL; k++) {
			n = strlen(families[i].prefixes[k]);
			if (n > bestlen &&
			    family_prefix_match(families[i].prefixes[k], path)) {
				best = &families[i];
				bestlen = n;
			}
		}
	return best;
}

/* The row of family id. */
const struct family *
family_get(enum family_id id)
{
	return &families[id < FAM__MAX ? id : FAM_NONE];
}

/* The body of an error in f's shape; the caller owns it. NULL for a
 * family whose errors are HTML pages. */
struct json_object *
family_error_body(const struct family *f, int status, const char *code,
    const char *msg, const char *reqid)
{
	if (f->error_body == NULL)
		return NULL;
	return f->error_body(f, status, code, msg, reqid);
}

/* A default machine code for a status. */
const char *
family_code_for_status(const struct family *f, int status)
{
	switch (status) {
	case 400:
		return f->code_400;
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
		return f->code_413;
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

/* Requests a minute f allows: the spec's figure, unless the operator set
 * rate_limit_per_minute for every family. */
long long
family_rate_limit(const struct family *f, const struct conf *conf)
{
	return conf->rate_limit_per_minute > 0 ? conf->rate_limit_per_minute :
	    f->rate_per_minute;
}
