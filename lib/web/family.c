/*
 * family.c - the API families (DESIGN.md's table): one row each with
 * everything that differs between them, its path prefixes, the
 * credential it asks for and the key kinds it takes, its content type,
 * error body and 401 codes, its idempotency window and rate policy.
 * Adding a family is one row here plus its routes; nothing else
 * switches on the family. Every error body carries the request id that
 * is also in X-Request-Id and the log.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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
/* Identity providers write the resource endpoints in any case ("/users",
 * "/GROUPS", "/Users/.SEARCH"). */
static const char *const loose_scim[] = { "Users", "Groups",
    "ServiceProviderConfig", "ResourceTypes", "Schemas", ".search", NULL };
static const char *const prefixes_ingest[] = { "/api/v1/ingest/", NULL };
static const char *const prefixes_cases[] = {
	"/api/cases", "/api/integrations/", "/api/vendors", "/api/accounting",
	NULL
};
static const char *const prefixes_fulfill[] = {
	"/api/onboarding/", "/api/products/", "/api/orders", "/api/chat/",
	"/api/me/", "/api/stripe/", "/api/printful/", NULL
};
static const char *const prefixes_impex[] = {
	"/api/v1/integrations", "/api/v1/webhooks/", "/api/v1/import-export/",
	"/api/v1/locations", "/api/v1/blueprints", NULL
};
static const char *const prefixes_admin[] = { "/admin", NULL };

#define JSON		"application/json"
#define IDEM_BUSY	"idempotency_in_flight"
#define CONF(f)		offsetof(struct conf, f)

/* What most families share; each row names only what differs. */
#define FAMILY_DEFAULTS \
	.content_type = JSON, .error_body = family_error_nested, \
	.code_missing = "unauthorized", .code_invalid = "unauthorized", \
	.code_400 = "bad_request", .code_413 = "payload_too_large", \
	.code_json = "invalid_json", .idem_key_max = 255, \
	.code_idem_busy = IDEM_BUSY, .code_idem_key = "invalid_idempotency_key"

/* A row names the defaults first, then what differs: a later initializer
 * of a field replacing the default is the point, not a slip. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
static const struct family families[FAM__MAX] = {
	[FAM_INTEG] = { FAMILY_DEFAULTS, .id = FAM_INTEG,
	    .name = "integrations", .prefixes = prefixes_integ,
	    .credential = CRED_BEARER, .key_kinds = KEY_BIT(KEY_INTEGRATION),
	    .www_authenticate = "Bearer", .idem_window_s = DAY_SECONDS,
	    .rate_per_key = 120, .rate_key_conf = CONF(rate_limit_per_minute) },
	[FAM_SETTINGS] = { FAMILY_DEFAULTS, .id = FAM_SETTINGS,
	    .name = "settings", .prefixes = prefixes_settings,
	    .credential = CRED_SESSION },
	[FAM_SCIM] = { FAMILY_DEFAULTS, .id = FAM_SCIM, .name = "scim",
	    .prefixes = prefixes_scim, .credential = CRED_BEARER,
	    .key_kinds = KEY_BIT(KEY_SCIM),
	    .content_type = "application/scim+json",
	    .error_body = family_error_scim, .www_authenticate = "Bearer",
	    .loose_segments = loose_scim, .loose_trailing_slash = 1 },
	/* activity-ingest.openapi.yaml: 600 a minute per key and 3000 per
	 * organization, counted on every answer after the key (X-RateLimit-*
	 * on errors too); a 1 MiB body; keys of at most 200 replayed for 10
	 * minutes. Its Error enum has one code for every bad request, JSON
	 * or not, Idempotency-Key included. */
	[FAM_INGEST] = { FAMILY_DEFAULTS, .id = FAM_INGEST,
	    .name = "activity-ingest", .prefixes = prefixes_ingest,
	    .credential = CRED_BEARER, .key_kinds = KEY_BIT(KEY_INGEST),
	    .www_authenticate = "Bearer", .code_missing = "missing_auth",
	    .code_invalid = "invalid_key", .code_400 = "invalid_body",
	    .code_json = "invalid_body", .code_413 = "batch_too_large",
	    .idem_window_s = 600, .idem_key_max = 200,
	    .code_idem_busy = "idempotency_in_progress",
	    .code_idem_key = "invalid_body",
	    .rate_per_key = 600, .rate_per_org = 3000,
	    .rate_key_conf = CONF(ingest_rate_per_key),
	    .rate_org_conf = CONF(ingest_rate_per_org), .rate_all = 1,
	    .max_body_bytes = 1048576, .api_version = "2026-04-01" },
	/* invoice-case-integrations.md: 100 a minute per tenant, across
	 * its keys, on every request of the family. */
	[FAM_CASES] = { FAMILY_DEFAULTS, .id = FAM_CASES,
	    .name = "invoice-cases", .prefixes = prefixes_cases,
	    .credential = CRED_BEARER, .key_kinds = KEY_BIT(KEY_INTEGRATION),
	    .www_authenticate = "Bearer", .idem_window_s = DAY_SECONDS,
	    .rate_per_org = 100, .rate_org_conf = CONF(cases_rate_per_org),
	    .rate_all = 1 },
	[FAM_FULFILL] = { FAMILY_DEFAULTS, .id = FAM_FULFILL,
	    .name = "fulfillment", .prefixes = prefixes_fulfill,
	    .credential = CRED_API_KEY,
	    .key_kinds = KEY_BIT(KEY_CLIENT) | KEY_BIT(KEY_ADMIN),
	    .error_body = family_error_flat, .idem_window_s = DAY_SECONDS },
	[FAM_IMPEX] = { FAMILY_DEFAULTS, .id = FAM_IMPEX,
	    .name = "integrations-impex", .prefixes = prefixes_impex,
	    .credential = CRED_BEARER, .key_kinds = KEY_BIT(KEY_INTEGRATION),
	    .error_body = family_error_detail, .www_authenticate = "Bearer",
	    .idem_window_s = DAY_SECONDS },
	[FAM_ADMIN] = { FAMILY_DEFAULTS, .id = FAM_ADMIN, .name = "console",
	    .prefixes = prefixes_admin, .credential = CRED_SESSION,
	    .content_type = "text/html; charset=utf-8", .error_body = NULL,
	    .signin_page = "/admin/login" },
	/* Paths of no family (health, static files) are public. */
	[FAM_NONE] = { FAMILY_DEFAULTS, .id = FAM_NONE, .name = "platform",
	    .prefixes = prefixes_none, .credential = CRED_NONE },
};
#pragma GCC diagnostic pop

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

/*
 * Rewrite path (of family f) in place, same length, to the route table's
 * spelling: each segment after f's prefix that is one of its loose
 * segments in another case, and a trailing slash dropped where f allows
 * it ("/api/scim/v2/users/" is "/api/scim/v2/Users").
 */
void
family_path_canon(const struct family *f, char *path)
{
	size_t	 plen, n, k, len;
	char	*seg;

	if (f->loose_segments == NULL && !f->loose_trailing_slash)
		return;
	plen = strlen(f->prefixes[0]);
	if (strncmp(path, f->prefixes[0], plen) != 0)
		return;
	for (seg = path + plen; f->loose_segments != NULL && *seg != '\0';
	    seg += n + (seg[n] == '/')) {
		n = strcspn(seg, "/");
		for (k = 0; f->loose_segments[k] != NULL; k++)
			if (n == strlen(f->loose_segments[k]) &&
			    strncasecmp(seg, f->loose_segments[k], n) == 0)
				memcpy(seg, f->loose_segments[k], n);
	}
	len = strlen(path);
	if (f->loose_trailing_slash && len > plen && path[len - 1] == '/')
		path[len - 1] = '\0';
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

/* A limit of struct conf at offset off, or 0 (offset 0: no setting). */
static long long
family_conf_limit(const struct conf *conf, size_t off)
{
	if (off == 0)
		return 0;
	return *(const long long *)(const void *)((const char *)conf + off);
}

/*
 * Requests a minute f allows per API key and per organization (0: no
 * limit of that kind): the spec's figures, unless the configuration sets
 * the family's own setting.
 */
void
family_rate_limits(const struct family *f, const struct conf *conf,
    long long *per_key, long long *per_org)
{
	long long	 v;

	*per_key = f->rate_per_key;
	*per_org = f->rate_per_org;
	if (*per_key > 0 && (v = family_conf_limit(conf, f->rate_key_conf)) > 0)
		*per_key = v;
	if (*per_org > 0 && (v = family_conf_limit(conf, f->rate_org_conf)) > 0)
		*per_org = v;
}

/* The largest body f takes. */
long long
family_body_cap(const struct family *f, const struct conf *conf)
{
	if (f->max_body_bytes > 0 && f->max_body_bytes < conf->max_body_bytes)
		return f->max_body_bytes;
	return conf->max_body_bytes;
}
