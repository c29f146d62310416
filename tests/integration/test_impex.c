/*
 * test_impex.c - the integrations and import/export family (issue 13)
 * over HTTP: integrations (create, list, get, patch, put, delete, test,
 * logs), the incoming webhook with Standard Webhooks and GitHub
 * signatures, exports and multipart imports, locations, blueprints and
 * crafting. Each route is driven to its main success and error answers,
 * so that in make check the validating proxy holds every one of them to
 * www/openapi.yaml (tag integrations-impex); the node suites under
 * tests/impex cover the rules in depth.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <sodium.h>

#include "itest.h"

#define BOUNDARY	"mihwar-itest-7f3a9c"
#define MIB		1048576

static char	 org_a[64], auth_a[200], org_b[64], auth_b[200];

static int
impex_init(void)
{
	return !(sodium_init() >= 0 && fixture_org_auth(org_a, auth_a) &&
	    fixture_org_auth(org_b, auth_b));
}

/* --- answers -------------------------------------------------------- */

/*
 * Assert r's status; for an error, the family's body: {detail, requestId}
 * with detail starting with prefix (NULL: any) and requestId the
 * X-Request-Id header, and WWW-Authenticate: Bearer on a 401 of a key.
 * The body as JSON (NULL if not JSON; caller puts).
 */
static struct json_object *
impex_check_at(const char *file, int line, const char *what,
    const struct http_resp *r, long want, const char *prefix)
{
	struct json_object	*o = http_json(r);
	const char		*detail, *bid;
	char			*rid, msg[512];

	snprintf(msg, sizeof(msg), "%s: status %ld, want %ld; body: %.200s",
	    what, r->status, want, r->body);
	CU_assertImplementation(r->status == want, line, msg, file, "",
	    CU_FALSE);
	if (r->status < 400 || r->status != want)
		return o;
	detail = json_str_at(o, "detail");
	bid = json_str_at(o, "requestId");
	rid = http_header(r, "X-Request-Id");
	snprintf(msg, sizeof(msg), "%s: detail \"%s\", want it to start with "
	    "\"%s\"; requestId %s, X-Request-Id %s", what,
	    detail ? detail : "(none)", prefix ? prefix : "",
	    bid ? bid : "(none)", rid ? rid : "(none)");
	CU_assertImplementation(detail != NULL && (prefix == NULL ||
	    strncmp(detail, prefix, strlen(prefix)) == 0) && rid != NULL &&
	    bid != NULL && strcmp(bid, rid) == 0 &&
	    json_at(o, "error") == NULL, line, msg, file, "", CU_FALSE);
	free(rid);
	return o;
}
#define IMPEX_CHECK(what, r, want, prefix)				\
	impex_check_at(__FILE__, __LINE__, (what), (r), (want), (prefix))

/* A JSON request (body NULL: none) with auth and another header line
 * extra (each NULL: none), checked as impex_check_at does. */
static struct json_object *
impex_call_at(const char *file, int line, const char *method,
    const char *path, const char *auth, const char *extra, const char *body,
    long want, const char *prefix)
{
	struct http_resp	 r;
	struct json_object	*o;
	char			 what[300];

	api_do(&r, method, path, auth, extra, body);
	snprintf(what, sizeof(what), "%s %.200s", method, path);
	o = impex_check_at(file, line, what, &r, want, prefix);
	http_resp_free(&r);
	return o;
}
#define IMPEX_CALL(m, p, a, b, w, pre)					\
	impex_call_at(__FILE__, __LINE__, (m), (p), (a), NULL, (b), (w), (pre))
#define IMPEX_CALL_H(m, p, a, x, b, w, pre)				\
	impex_call_at(__FILE__, __LINE__, (m), (p), (a), (x), (b), (w), (pre))

/* A request whose answer is not looked at further. */
#define IMPEX_DO(m, p, a, b, w, pre)					\
	json_object_put(IMPEX_CALL((m), (p), (a), (b), (w), (pre)))

/* json_str_at, copied into out (outsz) for after the object is put. */
static void
impex_copy(struct json_object *o, const char *path, char *out, size_t outsz)
{
	const char	*s = json_str_at(o, path);

	CU_ASSERT_PTR_NOT_NULL(s);
	snprintf(out, outsz, "%s", s ? s : "");
}

static int
impex_bool_at(struct json_object *o, const char *path)
{
	struct json_object	*v = json_at(o, path);

	return v != NULL && json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v);
}

/* 1 when the member at path is there and JSON null. */
static int
impex_null_at(struct json_object *o, const char *path)
{
	struct json_object	*parent;
	const char		*dot = strrchr(path, '.');
	char			 head[200];

	if (dot == NULL)
		parent = o;
	else {
		snprintf(head, sizeof(head), "%.*s", (int)(dot - path), path);
		parent = json_at(o, head);
	}
	return parent != NULL && json_object_object_get_ex(parent,
	    dot ? dot + 1 : path, NULL) && json_at(o, path) == NULL;
}

/* --- fixtures ------------------------------------------------------- */

/* An item of the key's organization with stock at Main; its id. */
static void
impex_item(const char *auth, const char *sku, const char *qty, char id[64])
{
	struct json_object	*o;
	char			 body[300];

	snprintf(body, sizeof(body), "{\"sku\":\"%s\",\"name\":\"Item %s\","
	    "\"stockOnHand\":%s}", sku, sku, qty);
	o = IMPEX_CALL("POST", "/api/integrations/v1/inventory/items", auth,
	    body, 201, NULL);
	impex_copy(o, "data.id", id, 64);
	json_object_put(o);
}

/* The id of the organization's default location ("Main"). */
static void
impex_main_location(const char *auth, char id[64])
{
	struct json_object	*o;

	o = IMPEX_CALL("GET", "/api/v1/locations", auth, NULL, 200, NULL);
	ASSERT_EQS(json_str_at(o, "data.0.name"), "Main", "first location");
	impex_copy(o, "data.0.id", id, 64);
	json_object_put(o);
}

/* A new integration from body; its id (64) and signing secret (80). */
static void
impex_integration(const char *auth, const char *body, char *id, char *secret)
{
	struct json_object	*o;

	o = IMPEX_CALL("POST", "/api/v1/integrations", auth, body, 201, NULL);
	impex_copy(o, "id", id, 64);
	if (secret != NULL)
		impex_copy(o, "signing_secret", secret, 80);
	json_object_put(o);
}

/* --- 401 ------------------------------------------------------------ */

static void
test_unauthorized(void)
{
	static const struct {
		const char	*method, *path, *body;
	} routes[] = {
		{ "GET", "/api/v1/integrations", NULL },
		{ "POST", "/api/v1/integrations", "{}" },
		{ "GET", "/api/v1/integrations/x", NULL },
		{ "PATCH", "/api/v1/integrations/x", "{}" },
		{ "PUT", "/api/v1/integrations/x", "{}" },
		{ "DELETE", "/api/v1/integrations/x", NULL },
		{ "POST", "/api/v1/integrations/x/test", NULL },
		{ "GET", "/api/v1/integrations/x/logs", NULL },
		{ "GET", "/api/v1/import-export/items.csv", NULL },
		{ "POST", "/api/v1/import-export/items/import", "{}" },
		{ "GET", "/api/v1/locations", NULL },
		{ "POST", "/api/v1/locations", "{}" },
		{ "GET", "/api/v1/blueprints", NULL },
		{ "POST", "/api/v1/blueprints", "{}" },
		{ "GET", "/api/v1/blueprints/x", NULL },
		{ "PATCH", "/api/v1/blueprints/x", "{}" },
		{ "DELETE", "/api/v1/blueprints/x", NULL },
		{ "POST", "/api/v1/blueprints/x/craft", "{}" },
	};
	static const char *const creds[] = { NULL,
	    "Authorization: Bearer rn_live_notakeyatall0000000000",
	    "Authorization: Basic dXNlcjpwYXNz" };
	struct http_resp	 r;
	char			 what[200];
	size_t			 i, k;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		for (k = 0; k < sizeof(creds) / sizeof(creds[0]); k++) {
			api_do(&r, routes[i].method, routes[i].path, creds[k],
			    NULL, routes[i].body);
			snprintf(what, sizeof(what), "%s %s, credential %zu",
			    routes[i].method, routes[i].path, k);
			json_object_put(IMPEX_CHECK(what, &r, 401, NULL));
			ASSERT_HDR(&r, "WWW-Authenticate", "Bearer");
			http_resp_free(&r);
		}
}

/* --- locations ------------------------------------------------------ */

static void
test_locations(void)
{
	const char		*path = "/api/v1/locations";
	struct json_object	*o, *p;
	char			 id[64], key[80], cursor[100], url[200];

	o = IMPEX_CALL("GET", path, auth_a, NULL, 200, NULL);
	ASSERT_EQS(json_str_at(o, "data.0.name"), "Main", "default first");
	CU_ASSERT(impex_bool_at(o, "data.0.is_default"));
	CU_ASSERT(impex_null_at(o, "nextCursor"));
	json_object_put(o);

	o = IMPEX_CALL("POST", path, auth_a, "{\"name\":\"Back room\"}", 201,
	    NULL);
	ASSERT_EQS(json_str_at(o, "name"), "Back room", "name");
	CU_ASSERT(!impex_bool_at(o, "is_default"));
	impex_copy(o, "id", id, sizeof(id));
	json_object_put(o);
	/* The collation's idea of the same name: case and trailing spaces. */
	IMPEX_DO("POST", path, auth_a, "{\"name\":\"BACK ROOM \"}", 409,
	    "name:");
	IMPEX_DO("POST", path, auth_a, "{\"name\":\"\"}", 422, "name:");
	IMPEX_DO("POST", path, auth_a, "{}", 422, "name:");
	IMPEX_DO("POST", path, auth_a, "[\"Back room\"]", 400, NULL);

	/* Pages: Main, then the others in creation order. */
	o = IMPEX_CALL("GET", "/api/v1/locations?limit=1", auth_a, NULL, 200,
	    NULL);
	impex_copy(o, "nextCursor", cursor, sizeof(cursor));
	json_object_put(o);
	snprintf(url, sizeof(url), "%s?limit=1&cursor=%s", path, cursor);
	o = IMPEX_CALL("GET", url, auth_a, NULL, 200, NULL);
	ASSERT_EQS(json_str_at(o, "data.0.id"), id, "second page");
	json_object_put(o);
	IMPEX_DO("GET", "/api/v1/locations?limit=0", auth_a, NULL, 400,
	    "limit");
	IMPEX_DO("GET", "/api/v1/locations?cursor=not-a-cursor", auth_a, NULL,
	    400, "cursor");

	/* Another organization sees its own Main only. */
	o = IMPEX_CALL("GET", path, auth_b, NULL, 200, NULL);
	CU_ASSERT_EQUAL(json_len_at(o, "data"), 1);
	json_object_put(o);

	/* Idempotency-Key: the 201 again, replayed; another body is 422. */
	snprintf(key, sizeof(key), "Idempotency-Key: loc-%ld-%d",
	    (long)time(NULL), rand());
	o = IMPEX_CALL_H("POST", path, auth_a, key, "{\"name\":\"Dock\"}", 201,
	    NULL);
	p = IMPEX_CALL_H("POST", path, auth_a, key, "{\"name\":\"Dock\"}", 201,
	    NULL);
	ASSERT_EQS(json_str_at(p, "id"), json_str_at(o, "id"), "replayed id");
	json_object_put(o);
	json_object_put(p);
	json_object_put(IMPEX_CALL_H("POST", path, auth_a, key,
	    "{\"name\":\"Dock 2\"}", 422, NULL));
}

/* --- integrations ---------------------------------------------------- */

static void
test_integrations(void)
{
	struct json_object	*o;
	struct sbuf		 b = { NULL, 0, 0 };
	char			 hook[64], api[64], secret[80], path[200];
	const char		*s;

	impex_integration(auth_a, "{\"name\":\"Discord alerts\",\"type\":"
	    "\"webhook\",\"webhook_url\":\"https://discord.com/api/webhooks/1/"
	    "tok-abc\",\"config_data\":{\"notify_on\":[]}}", hook, secret);
	CU_ASSERT(strncmp(secret, "whsec_", 6) == 0 && strlen(secret) == 50);
	sb_printf(&b, "{\"name\":\"ERP\",\"type\":\"api\",\"api_key\":"
	    "\"key-sekrit-1\",\"api_secret\":\"sec-sekrit-2\",\"config_data\":"
	    "{\"base_url\":\"%s/api/healthz\",\"notify_on\":[]}}",
	    itest_stack_url());
	o = IMPEX_CALL("POST", "/api/v1/integrations", auth_a, b.p, 201, NULL);
	impex_copy(o, "id", api, sizeof(api));
	CU_ASSERT(impex_bool_at(o, "has_api_key"));
	CU_ASSERT(impex_bool_at(o, "has_api_secret"));
	CU_ASSERT(impex_null_at(o, "webhook_url"));
	/* Credentials never leave. */
	CU_ASSERT(strstr(json_object_to_json_string(o), "sekrit") == NULL);
	json_object_put(o);
	sb_free(&b);

	/* Lists mask the URL after the host; the single GET shows it. */
	o = IMPEX_CALL("GET", "/api/v1/integrations?type=webhook", auth_a,
	    NULL, 200, NULL);
	CU_ASSERT_EQUAL(json_len_at(o, "data"), 1);
	ASSERT_EQS(json_str_at(o, "data.0.webhook_url"),
	    "https://discord.com/\xe2\x80\xa6", "masked URL");
	json_object_put(o);
	snprintf(path, sizeof(path), "/api/v1/integrations/%s", hook);
	o = IMPEX_CALL("GET", path, auth_a, NULL, 200, NULL);
	ASSERT_EQS(json_str_at(o, "webhook_url"),
	    "https://discord.com/api/webhooks/1/tok-abc", "whole URL");
	CU_ASSERT(json_at(o, "signing_secret") == NULL);
	s = json_str_at(o, "incoming_url");
	CU_ASSERT(s != NULL && strstr(s, "/api/v1/webhooks/receive/") != NULL);
	json_object_put(o);
	o = IMPEX_CALL("GET", "/api/v1/integrations?status=inactive&limit=5",
	    auth_a, NULL, 200, NULL);
	CU_ASSERT_EQUAL(json_len_at(o, "data"), 0);
	json_object_put(o);
	IMPEX_DO("GET", "/api/v1/integrations?type=sms", auth_a, NULL, 400,
	    "type:");

	/* PATCH and PUT: the fields sent; empty credentials keep. */
	o = IMPEX_CALL("PATCH", path, auth_a, "{\"name\":\"Discord\"}", 200,
	    NULL);
	ASSERT_EQS(json_str_at(o, "name"), "Discord", "patched name");
	json_object_put(o);
	snprintf(path, sizeof(path), "/api/v1/integrations/%s", api);
	o = IMPEX_CALL("PATCH", path, auth_a, "{\"api_key\":\"\"}", 200, NULL);
	CU_ASSERT(impex_bool_at(o, "has_api_key"));
	json_object_put(o);
	o = IMPEX_CALL("PUT", path, auth_a, "{\"clear_credentials\":true}", 200,
	    NULL);
	CU_ASSERT(!impex_bool_at(o, "has_api_key"));
	CU_ASSERT(!impex_bool_at(o, "has_api_secret"));
	json_object_put(o);
	o = IMPEX_CALL("PUT", path, auth_a, "{\"status\":\"inactive\"}", 200,
	    NULL);
	ASSERT_EQS(json_str_at(o, "status"), "inactive", "put status");
	json_object_put(o);

	/* Fields that cannot be taken: 422 naming them; not JSON: 400. */
	IMPEX_DO("PATCH", path, auth_a, "{\"status\":\"error\"}", 422,
	    "status:");
	IMPEX_DO("PUT", path, auth_a, "{\"config_data\":[1]}", 422,
	    "config_data:");
	IMPEX_DO("PATCH", path, auth_a, "[]", 400, NULL);
	IMPEX_DO("POST", "/api/v1/integrations", auth_a, "{\"type\":"
	    "\"webhook\",\"webhook_url\":\"https://example.com/h\"}", 422,
	    "name:");
	IMPEX_DO("POST", "/api/v1/integrations", auth_a, "{\"name\":\"x\","
	    "\"type\":\"sms\"}", 422, "type:");
	IMPEX_DO("POST", "/api/v1/integrations", auth_a, "{\"name\":\"x\","
	    "\"type\":\"webhook\",\"webhook_url\":\"ftp://example.com/h\"}",
	    422, "webhook_url:");
	IMPEX_DO("POST", "/api/v1/integrations", auth_a, "{\"name\":\"x\","
	    "\"type\":\"webhook\"}", 422, "webhook_url:");
	IMPEX_DO("POST", "/api/v1/integrations", auth_a, "[{}]", 400, NULL);

	/* Another organization's integration is no integration. */
	IMPEX_DO("GET", path, auth_b, NULL, 404, NULL);
	IMPEX_DO("PATCH", path, auth_b, "{\"name\":\"mine\"}", 404, NULL);
	IMPEX_DO("PUT", path, auth_b, "{\"name\":\"mine\"}", 404, NULL);
	IMPEX_DO("DELETE", path, auth_b, NULL, 404, NULL);

	IMPEX_DO("DELETE", path, auth_a, NULL, 204, NULL);
	IMPEX_DO("GET", path, auth_a, NULL, 404, NULL);
	IMPEX_DO("DELETE", path, auth_a, NULL, 404, NULL);
}

/* A test that reaches a server that answers 200, one that reaches
 * nothing; both 200 with what happened, and both in the log. */
static void
test_integration_test_and_logs(void)
{
	struct json_object	*o;
	struct sbuf		 b = { NULL, 0, 0 };
	char			 api[64], hook[64], path[200];

	sb_printf(&b, "{\"name\":\"Health\",\"type\":\"api\",\"api_key\":"
	    "\"k-1\",\"config_data\":{\"base_url\":\"%s/api/healthz\"}}",
	    itest_stack_url());
	impex_integration(auth_a, b.p, api, NULL);
	sb_free(&b);
	snprintf(path, sizeof(path), "/api/v1/integrations/%s/test", api);
	o = IMPEX_CALL("POST", path, auth_a, NULL, 200, NULL);
	CU_ASSERT(impex_bool_at(o, "success"));
	ASSERT_NUM(o, "status_code", 200);
	json_object_put(o);

	/* Port 9 (discard) of loopback: nothing listens, nothing answers. */
	impex_integration(auth_a, "{\"name\":\"Nowhere\",\"type\":\"webhook\","
	    "\"webhook_url\":\"http://127.0.0.1:9/hook\",\"config_data\":"
	    "{\"notify_on\":[]}}", hook, NULL);
	snprintf(path, sizeof(path), "/api/v1/integrations/%s/test", hook);
	o = IMPEX_CALL("POST", path, auth_a, NULL, 200, NULL);
	CU_ASSERT(!impex_bool_at(o, "success"));
	CU_ASSERT(impex_null_at(o, "status_code"));
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "message"));
	json_object_put(o);
	snprintf(path, sizeof(path), "/api/v1/integrations/%s", hook);
	o = IMPEX_CALL("GET", path, auth_a, NULL, 200, NULL);
	ASSERT_EQS(json_str_at(o, "status"), "error", "status after failure");
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "last_error"));
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "last_tested_at"));
	json_object_put(o);

	snprintf(path, sizeof(path), "/api/v1/integrations/%s/logs", hook);
	o = IMPEX_CALL("GET", path, auth_a, NULL, 200, NULL);
	CU_ASSERT_EQUAL(json_len_at(o, "data"), 1);
	ASSERT_EQS(json_str_at(o, "data.0.kind"), "test", "log kind");
	ASSERT_EQS(json_str_at(o, "data.0.direction"), "outgoing", "direction");
	ASSERT_EQS(json_str_at(o, "data.0.status"), "failed", "log status");
	CU_ASSERT(impex_null_at(o, "data.0.http_status"));
	json_object_put(o);
	snprintf(path, sizeof(path), "/api/v1/integrations/%s/logs", api);
	o = IMPEX_CALL("GET", path, auth_a, NULL, 200, NULL);
	ASSERT_EQS(json_str_at(o, "data.0.status"), "success", "log status");
	ASSERT_NUM(o, "data.0.http_status", 200);
	json_object_put(o);
	snprintf(path, sizeof(path), "/api/v1/integrations/%s/logs?limit=999",
	    api);
	IMPEX_DO("GET", path, auth_a, NULL, 400, "limit");

	/* Not the caller's, or none at all. */
	snprintf(path, sizeof(path), "/api/v1/integrations/%s/test", api);
	IMPEX_DO("POST", path, auth_b, NULL, 404, NULL);
	snprintf(path, sizeof(path), "/api/v1/integrations/%s/logs", api);
	IMPEX_DO("GET", path, auth_b, NULL, 404, NULL);
	IMPEX_DO("POST", "/api/v1/integrations/00000000-0000-7000-8000-"
	    "000000000000/test", auth_a, NULL, 404, NULL);
}

/* --- the incoming webhook ------------------------------------------- */

/* "v1,<base64 HMAC-SHA256 of id.ts.body>" under secret's decoded bytes,
 * as Standard Webhooks signs; into out (120). */
static void
impex_sign(const char *secret, const char *msgid, const char *ts,
    const char *body, char *out)
{
	crypto_auth_hmacsha256_state	 st;
	unsigned char			 key[64], mac[32];
	size_t				 keylen = 0;

	CU_ASSERT_FATAL(sodium_base642bin(key, sizeof(key), secret + 6,
	    strlen(secret) - 6, NULL, &keylen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) == 0);
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msgid,
	    strlen(msgid));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts,
	    strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body,
	    strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "v1,", 3);
	sodium_bin2base64(out + 3, 117, mac, sizeof(mac),
	    sodium_base64_VARIANT_ORIGINAL);
}

/* POST body to integration id's incoming URL with the Standard Webhooks
 * headers (msgid NULL: none) signed by secret at now + skew seconds. */
static struct json_object *
impex_receive_at(const char *file, int line, const char *id,
    const char *secret, const char *msgid, long skew, const char *body,
    long want, const char *prefix)
{
	struct http_resp	 r;
	struct json_object	*o;
	const char		*h[5];
	char			 path[200], hid[300], hts[60], hsig[160];
	char			 ts[24], sig[120];

	snprintf(path, sizeof(path), "/api/v1/webhooks/receive/%s", id);
	h[0] = "Content-Type: application/json";
	h[1] = NULL;
	if (msgid != NULL) {
		snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL) + skew);
		impex_sign(secret, msgid, ts, body, sig);
		snprintf(hid, sizeof(hid), "webhook-id: %s", msgid);
		snprintf(hts, sizeof(hts), "webhook-timestamp: %s", ts);
		snprintf(hsig, sizeof(hsig), "webhook-signature: %s", sig);
		h[1] = hid;
		h[2] = hts;
		h[3] = hsig;
		h[4] = NULL;
	}
	http_do("POST", path, h, body, strlen(body), &r);
	o = impex_check_at(file, line, path, &r, want, prefix);
	http_resp_free(&r);
	return o;
}
#define IMPEX_RECEIVE(id, sec, msg, skew, body, want, pre)		\
	impex_receive_at(__FILE__, __LINE__, (id), (sec), (msg),	\
	    (skew), (body), (want), (pre))

/* X-Hub-Signature-256 of body: hex HMAC-SHA256 keyed with the whole
 * secret string, as GitHub signs. */
static void
impex_hub_sign(const char *secret, const char *body, char *out /* 140 */)
{
	crypto_auth_hmacsha256_state	 st;
	unsigned char			 mac[32];
	char				 hex[65];

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
	    strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body,
	    strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	snprintf(out, 140, "X-Hub-Signature-256: sha256=%s", hex);
}

/* An integration.webhook_received event of org slug names log_id. */
static int
impex_event_for_log(const char *slug, const char *log_id)
{
	struct itest_event	*ev;
	size_t			 n, i;
	int			 found = 0;
	const char		*l;

	n = db_events(db_org_id(slug), &ev);
	for (i = 0; i < n; i++) {
		l = json_str_at(ev[i].payload, "logId");
		if (strcmp(ev[i].type, "integration.webhook_received") == 0 &&
		    l != NULL && strcmp(l, log_id) == 0)
			found = 1;
	}
	db_events_free(ev, n);
	return found;
}

static void
test_receive(void)
{
	static const char	 body[] = "{\"event\":\"ping\",\"n\":1}";
	struct json_object	*o;
	struct http_resp	 r;
	const char		*h[4];
	char			 id[64], secret[80], msgid[80], path[200];
	char			 hub[140], *big;

	impex_integration(auth_a, "{\"name\":\"Inbox\",\"type\":\"webhook\","
	    "\"webhook_url\":\"http://127.0.0.1:9/inbox\",\"config_data\":"
	    "{\"notify_on\":[]}}", id, secret);
	snprintf(msgid, sizeof(msgid), "msg_itest_%ld_%d", (long)time(NULL),
	    rand());

	o = IMPEX_RECEIVE(id, secret, msgid, 0, body, 202, NULL);
	CU_ASSERT(impex_bool_at(o, "received"));
	CU_ASSERT(json_str_at(o, "log_id") != NULL &&
	    impex_event_for_log(org_a, json_str_at(o, "log_id")));
	json_object_put(o);
	/* The same webhook-id again is a replay. */
	json_object_put(IMPEX_RECEIVE(id, secret, msgid, 0, body, 409,
	    "webhook-id:"));
	/* Wrong secret, no signature, a timestamp an hour old. */
	json_object_put(IMPEX_RECEIVE(id, "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0N"
	    "TY3ODlhYmNkZWY=", "msg_itest_wrong", 0, body, 401, NULL));
	json_object_put(IMPEX_RECEIVE(id, secret, NULL, 0, body, 401, NULL));
	json_object_put(IMPEX_RECEIVE(id, secret, "msg_itest_old", -3600, body,
	    401, NULL));

	/* GitHub's signature over the body alone. */
	snprintf(path, sizeof(path), "/api/v1/webhooks/receive/%s", id);
	impex_hub_sign(secret, body, hub);
	h[0] = "Content-Type: application/json";
	h[1] = hub;
	h[2] = "X-GitHub-Delivery: 72d3162e-cc78-11e3-81ab-4c9367dc0958";
	h[3] = NULL;
	http_do("POST", path, h, body, strlen(body), &r);
	json_object_put(IMPEX_CHECK("GitHub signature", &r, 202, NULL));
	http_resp_free(&r);

	/* Over 1 MiB: 413 whatever the signature. */
	big = malloc(MIB + 2);
	CU_ASSERT_FATAL(big != NULL);
	memset(big, 'a', MIB + 1);
	big[MIB + 1] = '\0';
	h[0] = "Content-Type: text/plain";
	h[1] = NULL;
	http_do("POST", path, h, big, MIB + 1, &r);
	json_object_put(IMPEX_CHECK("over 1 MiB", &r, 413, NULL));
	http_resp_free(&r);
	free(big);

	/* No such integration: unknown, malformed. */
	json_object_put(IMPEX_RECEIVE("00000000-0000-7000-8000-000000000000",
	    secret, "msg_itest_none", 0, body, 404, NULL));
	json_object_put(IMPEX_RECEIVE("not-an-id", secret, "msg_itest_none",
	    0, body, 404, NULL));

	/* Accepted and rejected requests are in the integration's log. */
	snprintf(path, sizeof(path), "/api/v1/integrations/%s/logs", id);
	o = IMPEX_CALL("GET", path, auth_a, NULL, 200, NULL);
	CU_ASSERT_EQUAL(json_len_at(o, "data"), 6);
	ASSERT_EQS(json_str_at(o, "data.0.status"), "accepted", "GitHub's");
	ASSERT_EQS(json_str_at(o, "data.1.status"), "rejected", "the old one");
	ASSERT_EQS(json_str_at(o, "data.1.direction"), "incoming", "direction");
	ASSERT_EQS(json_str_at(o, "data.1.kind"), "received", "kind");
	json_object_put(o);

	/* An inactive integration takes nothing, however well signed. */
	snprintf(path, sizeof(path), "/api/v1/integrations/%s", id);
	IMPEX_DO("PATCH", path, auth_a, "{\"status\":\"inactive\"}", 200,
	    NULL);
	snprintf(msgid, sizeof(msgid), "msg_itest_%ld_%d", (long)time(NULL),
	    rand());
	json_object_put(IMPEX_RECEIVE(id, secret, msgid, 0, body, 409,
	    "integration"));
	IMPEX_DO("DELETE", path, auth_a, NULL, 204, NULL);
	json_object_put(IMPEX_RECEIVE(id, secret, msgid, 0, body, 404, NULL));
}

/* --- blueprints and crafting ----------------------------------------- */

static void
test_blueprints(void)
{
	struct json_object	*o;
	struct sbuf		 b = { NULL, 0, 0 };
	char			 ore[64], coal[64], bar[64], flux[64];
	char			 other[64], bp[64], path[200], craft[200];
	char			 b_main[64];

	impex_item(auth_a, "BP-ORE", "10", ore);
	impex_item(auth_a, "BP-COAL", "1", coal);
	impex_item(auth_a, "BP-BAR", "0", bar);
	impex_item(auth_a, "BP-FLUX", "0", flux);
	impex_item(auth_b, "BP-B", "5", other);
	impex_main_location(auth_b, b_main);

	sb_printf(&b, "{\"name\":\"Iron bar\",\"output_item_id\":\"%s\","
	    "\"output_quantity\":2,\"crafting_time_minutes\":5,"
	    "\"blueprint_data\":{\"ingredients\":[{\"item_id\":\"%s\","
	    "\"quantity\":2},{\"item_id\":\"%s\",\"quantity\":0.5},"
	    "{\"item_id\":\"%s\",\"quantity\":1,\"optional\":true}]}}",
	    bar, ore, coal, flux);
	o = IMPEX_CALL("POST", "/api/v1/blueprints", auth_a, b.p, 201, NULL);
	sb_free(&b);
	impex_copy(o, "id", bp, sizeof(bp));
	ASSERT_NUM(o, "output_quantity", 2);
	ASSERT_NUM(o, "blueprint_data.ingredients.1.quantity", 0.5);
	CU_ASSERT(impex_bool_at(o, "blueprint_data.ingredients.2.optional"));
	CU_ASSERT(impex_null_at(o, "description"));
	json_object_put(o);

	snprintf(path, sizeof(path), "/api/v1/blueprints/%s", bp);
	o = IMPEX_CALL("GET", path, auth_a, NULL, 200, NULL);
	ASSERT_EQS(json_str_at(o, "output_item_id"), bar, "output item");
	CU_ASSERT_EQUAL(json_len_at(o, "blueprint_data.ingredients"), 3);
	json_object_put(o);
	o = IMPEX_CALL("GET", "/api/v1/blueprints?search=Iron&limit=10", auth_a,
	    NULL, 200, NULL);
	CU_ASSERT_EQUAL(json_len_at(o, "data"), 1);
	json_object_put(o);
	o = IMPEX_CALL("GET", "/api/v1/blueprints?search=zzz", auth_a, NULL,
	    200, NULL);
	CU_ASSERT_EQUAL(json_len_at(o, "data"), 0);
	json_object_put(o);
	IMPEX_DO("GET", "/api/v1/blueprints?limit=x", auth_a, NULL, 400,
	    "limit");
	IMPEX_DO("GET", path, auth_b, NULL, 404, NULL);

	o = IMPEX_CALL("PATCH", path, auth_a, "{\"description\":\"Smelted\","
	    "\"category\":null}", 200, NULL);
	ASSERT_EQS(json_str_at(o, "description"), "Smelted", "description");
	json_object_put(o);
	IMPEX_DO("PATCH", path, auth_a, "{\"output_quantity\":0}", 422,
	    "output_quantity:");
	IMPEX_DO("PATCH", path, auth_a, "[]", 400, NULL);
	IMPEX_DO("PATCH", path, auth_b, "{\"name\":\"mine\"}", 404, NULL);

	/* Another organization's item is no item; a field missing. */
	sb_printf(&b, "{\"name\":\"Theft\",\"output_item_id\":\"%s\","
	    "\"blueprint_data\":{\"ingredients\":[{\"item_id\":\"%s\","
	    "\"quantity\":1}]}}", bar, other);
	IMPEX_DO("POST", "/api/v1/blueprints", auth_a, b.p, 422,
	    "blueprint_data.ingredients[0].item_id: no such item");
	sb_free(&b);
	sb_printf(&b, "{\"name\":\"Nothing\",\"output_item_id\":\"%s\"}", bar);
	IMPEX_DO("POST", "/api/v1/blueprints", auth_a, b.p, 422,
	    "blueprint_data:");
	sb_free(&b);
	IMPEX_DO("POST", "/api/v1/blueprints", auth_a, "[1]", 400, NULL);

	/* Craft 2: 4 ore and 1 coal taken, the flux skipped, 4 bars. */
	snprintf(craft, sizeof(craft), "/api/v1/blueprints/%s/craft", bp);
	o = IMPEX_CALL("POST", craft, auth_a, "{\"quantity\":2}", 200, NULL);
	ASSERT_EQS(json_str_at(o, "blueprint_id"), bp, "blueprint_id");
	CU_ASSERT_EQUAL(json_len_at(o, "consumed"), 2);
	ASSERT_NUM(o, "consumed.0.quantity", 4);
	ASSERT_NUM(o, "consumed.1.quantity", 1);
	ASSERT_EQS(json_str_at(o, "skipped.0.item_id"), flux, "skipped");
	ASSERT_EQS(json_str_at(o, "produced.item_id"), bar, "produced");
	ASSERT_NUM(o, "produced.quantity", 4);
	json_object_put(o);
	/* Now the coal is gone: 409 naming it, nothing taken. */
	o = IMPEX_CALL("POST", craft, auth_a, "{\"quantity\":1}", 409, NULL);
	CU_ASSERT_EQUAL(json_len_at(o, "missing"), 1);
	ASSERT_EQS(json_str_at(o, "missing.0.item_id"), coal, "missing item");
	ASSERT_NUM(o, "missing.0.required", 0.5);
	ASSERT_NUM(o, "missing.0.available", 0);
	json_object_put(o);
	sb_printf(&b, "{\"quantity\":1,\"location_id\":\"%s\"}", b_main);
	IMPEX_DO("POST", craft, auth_a, b.p, 422, "location_id:");
	sb_free(&b);
	IMPEX_DO("POST", craft, auth_a, "{\"quantity\":0}", 422, "quantity:");
	IMPEX_DO("POST", craft, auth_a, "[]", 400, NULL);
	IMPEX_DO("POST", craft, auth_b, "{\"quantity\":1}", 404, NULL);

	IMPEX_DO("DELETE", path, auth_b, NULL, 404, NULL);
	IMPEX_DO("DELETE", path, auth_a, NULL, 204, NULL);
	IMPEX_DO("GET", path, auth_a, NULL, 404, NULL);
	IMPEX_DO("DELETE", path, auth_a, NULL, 404, NULL);
}

/* --- import and export ----------------------------------------------- */

/* One part of a multipart/form-data body: field name, its file name
 * (NULL: none) and its value. */
static void
impex_part(struct sbuf *b, const char *name, const char *filename,
    const char *value)
{
	sb_printf(b, "--%s\r\nContent-Disposition: form-data; name=\"%s\"",
	    BOUNDARY, name);
	if (filename != NULL)
		sb_printf(b, "; filename=\"%s\"\r\nContent-Type: "
		    "application/octet-stream", filename);
	sb_printf(b, "\r\n\r\n%s\r\n", value);
}

/* POST file (filename NULL: a part without one; content NULL: no file
 * part) to kind's import with the flags (NULL: not sent). */
static struct json_object *
impex_import_at(const char *file, int line, const char *kind,
    const char *auth, const char *extra, const char *filename,
    const char *content, const char *update, const char *dry, long want,
    const char *prefix)
{
	struct sbuf		 b = { NULL, 0, 0 };
	struct http_resp	 r;
	struct json_object	*o;
	const char		*h[4];
	char			 path[200];
	int			 n = 0;

	if (content != NULL)
		impex_part(&b, "file", filename, content);
	if (update != NULL)
		impex_part(&b, "update_existing", NULL, update);
	if (dry != NULL)
		impex_part(&b, "dry_run", NULL, dry);
	sb_printf(&b, "--%s--\r\n", BOUNDARY);
	h[n++] = auth;
	h[n++] = "Content-Type: multipart/form-data; boundary=" BOUNDARY;
	if (extra != NULL)
		h[n++] = extra;
	h[n] = NULL;
	snprintf(path, sizeof(path), "/api/v1/import-export/%s/import", kind);
	http_do("POST", path, h, b.p, b.len, &r);
	o = impex_check_at(file, line, path, &r, want, prefix);
	http_resp_free(&r);
	sb_free(&b);
	return o;
}
#define IMPEX_IMPORT(k, a, x, fn, c, u, d, w, pre)			\
	impex_import_at(__FILE__, __LINE__, (k), (a), (x), (fn), (c),	\
	    (u), (d), (w), (pre))

/* GET an export; its body (malloc'd) after checking the type and name. */
static char *
impex_export_at(const char *file, int line, const char *auth,
    const char *name, const char *query, const char *ctype)
{
	struct http_resp	 r;
	struct json_object	*o;
	const char *const	 h[] = { auth, NULL };
	char			 path[400], disp[120], *body;

	snprintf(path, sizeof(path), "/api/v1/import-export/%s%s", name,
	    query);
	http_do("GET", path, h, NULL, 0, &r);
	o = impex_check_at(file, line, path, &r, 200, NULL);
	json_object_put(o);
	ASSERT_HDR(&r, "Content-Type", ctype);
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", name);
	ASSERT_HDR(&r, "Content-Disposition", disp);
	body = r.body;
	r.body = NULL;
	http_resp_free(&r);
	return body;
}
#define IMPEX_EXPORT(a, n, q, t)					\
	impex_export_at(__FILE__, __LINE__, (a), (n), (q), (t))
#define CSV_TYPE	"text/csv; charset=utf-8"
#define JSON_TYPE	"application/json"

/* Lines (CRLF-ended rows) of a CSV export. */
static int
impex_csv_rows(const char *s)
{
	int	 n = 0;

	for (; (s = strstr(s, "\r\n")) != NULL; s += 2)
		n++;
	return n;
}

/* Items, stock and blueprints in through the import, out through the
 * export, in both formats, for an organization of their own. */
static void
test_import_export(void)
{
	struct json_object	*o;
	struct sbuf		 b = { NULL, 0, 0 };
	char			 org[64], auth[200], main_loc[64];
	char			 widget[64], gadget[64], *csv, *json;

	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	o = IMPEX_IMPORT("items", auth, NULL, "items.csv", "name,category,"
	    "metadata\r\nWidget,Tools,\r\n\"Gadget, big\",Toys,\"{\"\"size\"\":"
	    "2}\"\r\n", NULL, NULL, 200, NULL);
	CU_ASSERT(impex_bool_at(o, "success"));
	ASSERT_NUM(o, "imported_count", 2);
	ASSERT_NUM(o, "failed_count", 0);
	CU_ASSERT_EQUAL(json_len_at(o, "errors"), 0);
	json_object_put(o);

	csv = IMPEX_EXPORT(auth, "items.csv", "", CSV_TYPE);
	CU_ASSERT(strncmp(csv, "id,name,description,category,subcategory,"
	    "rarity,metadata\r\n", 58) == 0);
	CU_ASSERT_EQUAL(impex_csv_rows(csv), 3);
	CU_ASSERT(strstr(csv, ",\"Gadget, big\",,Toys,,,\"{\"\"size\"\":2}\""
	    "\r\n") != NULL);
	free(csv);
	csv = IMPEX_EXPORT(auth, "items.csv", "?category=Tools", CSV_TYPE);
	CU_ASSERT_EQUAL(impex_csv_rows(csv), 2);
	free(csv);
	json = IMPEX_EXPORT(auth, "items.json", "", JSON_TYPE);
	o = json_tokener_parse(json);
	CU_ASSERT_EQUAL(json_len_at(o, ""), 2);
	impex_copy(o, "0.id", widget, sizeof(widget));
	impex_copy(o, "1.id", gadget, sizeof(gadget));
	ASSERT_NUM(o, "1.metadata.size", 2);
	CU_ASSERT(impex_null_at(o, "0.metadata"));
	json_object_put(o);
	free(json);

	/* Stock at Main, as JSON; a row for an unknown item is refused. */
	impex_main_location(auth, main_loc);
	sb_printf(&b, "[{\"item_id\":\"%s\",\"location_id\":\"%s\","
	    "\"quantity\":5,\"reserved_quantity\":1.5},{\"item_id\":"
	    "\"00000000-0000-7000-8000-000000000000\",\"location_id\":\"%s\","
	    "\"quantity\":1,\"reserved_quantity\":0}]", widget, main_loc,
	    main_loc);
	o = IMPEX_IMPORT("inventory", auth, NULL, "stock.json", b.p, "false",
	    "false", 200, NULL);
	sb_free(&b);
	CU_ASSERT(!impex_bool_at(o, "success"));
	ASSERT_NUM(o, "imported_count", 1);
	ASSERT_NUM(o, "failed_count", 1);
	ASSERT_NUM(o, "errors.0.row_number", 2);
	ASSERT_EQS(json_str_at(o, "errors.0.field"), "item_id", "field");
	json_object_put(o);
	csv = IMPEX_EXPORT(auth, "inventory.csv", "", CSV_TYPE);
	sb_printf(&b, "item_id,location_id,quantity,reserved_quantity\r\n"
	    "%s,%s,5,1.5\r\n", widget, main_loc);
	ASSERT_EQS(csv, b.p, "inventory.csv");
	sb_free(&b);
	free(csv);
	json = IMPEX_EXPORT(auth, "inventory.json", "", JSON_TYPE);
	o = json_tokener_parse(json);
	ASSERT_NUM(o, "0.reserved_quantity", 1.5);
	json_object_put(o);
	free(json);

	/* A blueprint, as CSV with its ingredients as JSON text. */
	sb_printf(&b, "name,output_item_id,output_quantity,"
	    "crafting_time_minutes,is_public,blueprint_data\r\nKit,%s,1,0,"
	    "true,\"{\"\"ingredients\"\":[{\"\"item_id\"\":\"\"%s\"\","
	    "\"\"quantity\"\":2}]}\"\r\n", widget, gadget);
	o = IMPEX_IMPORT("blueprints", auth, NULL, "bp.csv", b.p, NULL, NULL,
	    200, NULL);
	sb_free(&b);
	ASSERT_NUM(o, "imported_count", 1);
	json_object_put(o);
	csv = IMPEX_EXPORT(auth, "blueprints.csv", "", CSV_TYPE);
	CU_ASSERT_EQUAL(impex_csv_rows(csv), 2);
	free(csv);
	json = IMPEX_EXPORT(auth, "blueprints.json", "", JSON_TYPE);
	o = json_tokener_parse(json);
	CU_ASSERT(impex_bool_at(o, "0.is_public"));
	ASSERT_NUM(o, "0.blueprint_data.ingredients.0.quantity", 2);
	json_object_put(o);
	free(json);

	/* Another organization's export holds none of it. */
	csv = IMPEX_EXPORT(auth_b, "blueprints.csv", "", CSV_TYPE);
	CU_ASSERT_EQUAL(impex_csv_rows(csv), 1);
	free(csv);
	json = IMPEX_EXPORT(auth_b, "inventory.json", "", JSON_TYPE);
	CU_ASSERT(strstr(json, widget) == NULL);
	free(json);

	/* No such export; a category too long. */
	IMPEX_DO("GET", "/api/v1/import-export/widgets.csv", auth, NULL, 404,
	    NULL);
	IMPEX_DO("GET", "/api/v1/import-export/items.xml", auth, NULL, 404,
	    NULL);
	sb_printf(&b, "/api/v1/import-export/items.csv?category=%0101d", 0);
	IMPEX_DO("GET", b.p, auth, NULL, 400, "category");
	sb_free(&b);
}

/* What an import refuses, and what a dry run and a replay answer. */
static void
test_import_refused(void)
{
	struct json_object	*o, *p;
	struct sbuf		 b = { NULL, 0, 0 };
	char			 org[64], auth[200], key[80], *csv;
	int			 i;

	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	/* A dry run reports as the import would, and writes nothing. */
	o = IMPEX_IMPORT("items", auth, NULL, "items.csv", "name,category\n"
	    "A,x\n,y\nB,z\n", NULL, "true", 200, NULL);
	ASSERT_NUM(o, "imported_count", 2);
	ASSERT_NUM(o, "failed_count", 1);
	ASSERT_NUM(o, "errors.0.row_number", 3);
	ASSERT_EQS(json_str_at(o, "errors.0.field"), "name", "no name");
	json_object_put(o);
	csv = IMPEX_EXPORT(auth, "items.csv", "", CSV_TYPE);
	CU_ASSERT_EQUAL(impex_csv_rows(csv), 1);
	free(csv);

	/* Files that cannot be read, forms that are wrong: 400. */
	json_object_put(IMPEX_IMPORT("items", auth, NULL, "items.csv",
	    "category\nTools\n", NULL, NULL, 400, NULL));
	json_object_put(IMPEX_IMPORT("items", auth, NULL, "items.json",
	    "[{\"name\":", NULL, NULL, 400, NULL));
	json_object_put(IMPEX_IMPORT("items", auth, NULL, "items.json",
	    "{\"name\":\"A\"}", NULL, NULL, 400, NULL));
	json_object_put(IMPEX_IMPORT("items", auth, NULL, "items.csv",
	    "name\nA\n", "maybe", NULL, 400, "update_existing:"));
	json_object_put(IMPEX_IMPORT("items", auth, NULL, NULL, NULL, "true",
	    NULL, 400, "file:"));
	json_object_put(IMPEX_IMPORT("widgets", auth, NULL, "w.csv", "name\n",
	    NULL, NULL, 404, NULL));
	IMPEX_DO("POST", "/api/v1/import-export/items/import", auth,
	    "{\"file\":\"name\\nA\\n\"}", 415, "Content-Type:");

	/* More than 50,000 rows: 413, nothing imported. */
	sb_printf(&b, "name\n");
	for (i = 0; i <= 50000; i++)
		sb_printf(&b, "r%d\n", i);
	json_object_put(IMPEX_IMPORT("items", auth, NULL, "many.csv", b.p,
	    NULL, NULL, 413, NULL));
	sb_free(&b);

	/* Idempotency-Key: the 200 replayed; another file with it is 422. */
	snprintf(key, sizeof(key), "Idempotency-Key: imp-%ld-%d",
	    (long)time(NULL), rand());
	o = IMPEX_IMPORT("items", auth, key, "items.csv", "name\nOnce\n", NULL,
	    NULL, 200, NULL);
	p = IMPEX_IMPORT("items", auth, key, "items.csv", "name\nOnce\n", NULL,
	    NULL, 200, NULL);
	ASSERT_NUM(p, "imported_count", 1);
	json_object_put(o);
	json_object_put(p);
	json_object_put(IMPEX_IMPORT("items", auth, key, "items.csv",
	    "name\nTwice\n", NULL, NULL, 422, NULL));
	csv = IMPEX_EXPORT(auth, "items.csv", "", CSV_TYPE);
	CU_ASSERT_EQUAL(impex_csv_rows(csv), 2);
	free(csv);
}

void
suite_impex_register(void)
{
	CU_pSuite	 s = CU_add_suite("impex", impex_init, NULL);

	CU_add_test(s, "every route: 401 without a key of the organization",
	    test_unauthorized);
	CU_add_test(s, "locations: Main first, 201, 409, 422, pages",
	    test_locations);
	CU_add_test(s, "integrations: create, list masked, get, patch, put, "
	    "delete, 422 naming the field, other tenant 404",
	    test_integrations);
	CU_add_test(s, "integration test and logs",
	    test_integration_test_and_logs);
	CU_add_test(s, "incoming webhook: signed 202, replay 409, 401, 404, "
	    "413, inactive 409", test_receive);
	CU_add_test(s, "blueprints and crafting: 201, 200, 409 missing, 422, "
	    "404", test_blueprints);
	CU_add_test(s, "import and export of items, stock and blueprints",
	    test_import_export);
	CU_add_test(s, "imports refused: 400, 404, 413, 415; dry run; replay",
	    test_import_refused);
}
