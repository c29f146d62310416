/*
 * receive.c - POST /api/v1/webhooks/receive/{id}: webhooks other
 * services send to an integration. Senders hold no key: the request is
 * the integration's when it is signed with the integration's signing
 * secret, by Standard Webhooks (webhook-id, webhook-timestamp within 5
 * minutes, webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.
 * body>" under the base64-decoded secret; a webhook-id seen before is
 * refused) or by GitHub's X-Hub-Signature-256 ("sha256=<hex HMAC-SHA256
 * of the body>" keyed with the whole secret string, "whsec_" included,
 * as GitHub keys it with what it was given). An accepted request is
 * logged with its headers and first 64 KiB and told as an
 * integration.webhook_received event, in one transaction; a refused one
 * is logged as rejected. The body cap (1 MiB, the route's
 * ROUTE_MIB_BODY) holds before the body is read when Content-Length
 * says it is larger.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <sodium.h>

#include "mihwar.h"

#define RECEIVE_ID_MAX		255	/* integration_receipts.webhook_id */
#define RECEIVE_LOG_BODY	65536	/* the first 64 KiB are logged */
#define RECEIVE_HEADERS_MAX	16384	/* logged headers, as JSON text */

enum receive_sql_id { SQL_RECEIPT_INSERT, RECEIVE_SQL__MAX };

static const char *const receive_sql[RECEIVE_SQL__MAX] = {
	/* A webhook-id accepted: its second coming is a replay. Trimmed by
	 * housekeeping once past the timestamp window. */
	[SQL_RECEIPT_INSERT] =
	    "INSERT INTO integration_receipts (integration_id, webhook_id)"
	    " VALUES (?, ?)",
};

const struct db_stmts receive_stmts = {
	"receive", receive_sql, RECEIVE_SQL__MAX, NULL, 0
};

/* --- the signature --------------------------------------------------- */

/* Standard Webhooks: base64 of HMAC-SHA256 over "id.ts.body" under key. */
static void
receive_std_mac(const unsigned char *key, size_t keylen, const char *id,
    const char *ts, const unsigned char *body, size_t len, char out[64])
{
	crypto_auth_hmacsha256_state	 st;
	unsigned char			 mac[32];

	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id,
	    strlen(id));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts,
	    strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, 64, mac, sizeof(mac),
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(mac, sizeof(mac));
}

/* 1 when one of the space-separated "v1,<base64>" of list is want
 * (compared in constant time); other versions are passed over. */
static int
receive_std_match(const char *list, const char *want)
{
	size_t	 wlen = strlen(want), n;
	int	 ok = 0;

	while (*list != '\0') {
		while (*list == ' ')
			list++;
		n = strcspn(list, " ");
		if (n == 3 + wlen && strncmp(list, "v1,", 3) == 0 &&
		    crypto_equal(list + 3, want, wlen))
			ok = 1;	/* no early exit: every one is looked at */
		list += n;
	}
	return ok;
}

static enum receive_verdict
receive_verify_std(const struct receive_sig *s, const char *secret,
    const unsigned char *body, size_t len, long long now, char *why,
    size_t whysz)
{
	unsigned char	 key[64];
	char		 want[64];
	size_t		 keylen = 0, i;
	long long	 ts;
	int		 ok;

	if (s->id == NULL || s->timestamp == NULL) {
		snprintf(why, whysz, "%s: missing (webhook-signature needs "
		    "webhook-id and webhook-timestamp)", s->id == NULL ?
		    "webhook-id" : "webhook-timestamp");
		return RECEIVE_MISSING;
	}
	for (i = 0; s->id[i] != '\0'; i++)
		if ((unsigned char)s->id[i] <= ' ' ||
		    (unsigned char)s->id[i] >= 0x7f)
			break;
	if (i == 0 || i > RECEIVE_ID_MAX || s->id[i] != '\0') {
		snprintf(why, whysz, "webhook-id: 1 to %d printable ASCII "
		    "characters", RECEIVE_ID_MAX);
		return RECEIVE_MALFORMED;
	}
	if (!util_strtonum(s->timestamp, 0, 1LL << 40, &ts)) {
		snprintf(why, whysz, "webhook-timestamp: not a number of "
		    "seconds");
		return RECEIVE_MALFORMED;
	}
	if (ts < now - RECEIVE_TOLERANCE_S || ts > now + RECEIVE_TOLERANCE_S) {
		snprintf(why, whysz, "webhook-timestamp: more than %d seconds "
		    "from now", RECEIVE_TOLERANCE_S);
		return RECEIVE_STALE;
	}
	if (strncmp(secret, "whsec_", 6) != 0 || sodium_base642bin(key,
	    sizeof(key), secret + 6, strlen(secret + 6), NULL, &keylen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || keylen == 0) {
		snprintf(why, whysz, "the integration's secret cannot sign");
		return RECEIVE_MISMATCH;
	}
	receive_std_mac(key, keylen, s->id, s->timestamp, body, len, want);
	sodium_memzero(key, sizeof(key));
	ok = receive_std_match(s->signature, want);
	sodium_memzero(want, sizeof(want));
	if (!ok) {
		snprintf(why, whysz, "webhook-signature: no v1 signature "
		    "matches");
		return RECEIVE_MISMATCH;
	}
	return RECEIVE_OK;
}

/* GitHub: "sha256=" + hex HMAC-SHA256 of the body keyed with the secret
 * string; hex digits in either case. */
static enum receive_verdict
receive_verify_github(const char *hdr, const char *secret,
    const unsigned char *body, size_t len, char *why, size_t whysz)
{
	char	 want[65], got[65];
	size_t	 i;
	int	 ok;

	if (strncmp(hdr, "sha256=", 7) != 0 || strlen(hdr + 7) != 64) {
		snprintf(why, whysz, "X-Hub-Signature-256: not sha256= and 64 "
		    "hex digits");
		return RECEIVE_MALFORMED;
	}
	for (i = 0; i < 64; i++)
		got[i] = (char)tolower((unsigned char)hdr[7 + i]);
	got[64] = '\0';
	crypto_hmac_sha256_hex((const unsigned char *)secret, strlen(secret),
	    body, len, want);
	ok = crypto_equal(got, want, 64);
	sodium_memzero(want, sizeof(want));
	if (!ok) {
		snprintf(why, whysz, "X-Hub-Signature-256: does not match");
		return RECEIVE_MISMATCH;
	}
	return RECEIVE_OK;
}

/*
 * Check the signature headers s of body (len bytes) against the
 * integration's secret at time now (seconds): Standard Webhooks when
 * webhook-signature is there, else GitHub's X-Hub-Signature-256. Not
 * RECEIVE_OK: why says what is wrong (never the expected value).
 */
enum receive_verdict
receive_verify(const struct receive_sig *s, const char *secret,
    const unsigned char *body, size_t len, long long now, char *why,
    size_t whysz)
{
	if (s->signature != NULL)
		return receive_verify_std(s, secret, body, len, now, why,
		    whysz);
	if (s->hub256 != NULL)
		return receive_verify_github(s->hub256, secret, body, len,
		    why, whysz);
	snprintf(why, whysz, "signature: missing (send webhook-id, "
	    "webhook-timestamp and webhook-signature, or "
	    "X-Hub-Signature-256)");
	return RECEIVE_MISSING;
}

/* --- the request ----------------------------------------------------- */

/* 1 when id has the shape of a public id (a UUID). */
static int
receive_id_shape(const char *id)
{
	size_t	 i;

	for (i = 0; id[i] != '\0'; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? id[i] != '-' :
		    !isxdigit((unsigned char)id[i]))
			return 0;
	return i == 36;
}

/* The request's headers as a JSON object's text, without credentials
 * (Cookie, Authorization, Proxy-Authorization); the caller frees it. */
static char *
receive_headers_json(const struct req *r)
{
	struct json_object	*o = json_object_new_object();
	const struct header	*h;
	const char		*v;
	char			*s;
	size_t			 i, used = 2;

	for (i = 0; i < r->in.nheaders; i++) {
		h = &r->in.headers[i];
		if (strcmp(h->name, "cookie") == 0 ||
		    strcmp(h->name, "authorization") == 0 ||
		    strcmp(h->name, "proxy-authorization") == 0)
			continue;
		v = util_utf8_valid(h->value, strlen(h->value)) ? h->value :
		    "(not UTF-8)";
		/* A generous bound: the escaped text may be longer still. */
		used += strlen(h->name) + strlen(v) + 6;
		if (used > RECEIVE_HEADERS_MAX / 2)
			break;
		json_put_str(o, h->name, v);
	}
	s = util_strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

/* Log the request on in's log: status with http_status and why (NULL:
 * none); the body only when it was accepted. e->id gets the line's id. */
static enum db_code
receive_log(struct req *r, const struct integ *in, const char *status,
    int http_status, const char *why, struct integ_log_entry *e)
{
	char		*headers = receive_headers_json(r);
	enum db_code	 code;

	memset(e, 0, sizeof(*e));
	e->direction = "incoming";
	e->kind = "received";
	e->status = status;
	e->http_status = http_status;
	e->duration_ms = (long)(util_now_ms() - r->start_ms);
	e->error = why;
	e->headers = headers;
	if (http_status == 202) {
		e->body = (const unsigned char *)r->in.body.data;
		e->body_len = r->in.body.len > RECEIVE_LOG_BODY ?
		    RECEIVE_LOG_BODY : r->in.body.len;
	}
	code = integ_log_write(r->db, in, e);
	free(headers);
	return code;
}

/* Refuse with status: the refusal is logged and kept (req_keep). */
static void
receive_refuse(struct req *r, const struct integ *in, int status,
    const char *why)
{
	struct integ_log_entry	 e;

	if (receive_log(r, in, "rejected", status, why, &e) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		return;
	}
	req_keep(r);
	req_resp_error(r, status, NULL, "%s", why);
}

/* Note the webhook-id as received; DB_CONSTRAINT when it was before
 * (the failed statement leaves nothing behind). A concurrent twin waits
 * on the first one's row and fails once it commits. */
static enum db_code
receive_note_id(struct req *r, const struct integ *in, const char *id)
{
	return db_exec(r->db, receive_sql[SQL_RECEIPT_INSERT],
	    DB_PARAMS(DB_INT(in->rowid), DB_STR(id)));
}

/* The accepted request: its log line and its event. */
static int
receive_accept(struct req *r, const struct integ *in, const char *msgid,
    struct integ_log_entry *e)
{
	struct json_object	*p;

	if (receive_log(r, in, "accepted", 202, NULL, e) != DB_OK)
		return 0;
	p = json_object_new_object();
	json_put_str(p, "integrationId", in->id);
	json_put_str(p, "logId", e->id);
	json_put_str(p, "webhookId", msgid);
	json_object_object_add(p, "bodyBytes",
	    json_object_new_int64((int64_t)r->in.body.len));
	return events_emit(r->db, in->org_id,
	    EVENT_INTEGRATION_WEBHOOK_RECEIVED, p) == DB_OK;
}

/*
 * POST /api/v1/webhooks/receive/{id}: 202 {"received":true,"log_id"}
 * for a request signed with integration id's secret; 404 for no such
 * integration (another shape of id, deleted), 409 when it is inactive or
 * the webhook-id was received before, 401 for a missing or wrong
 * signature, 413 over 1 MiB. Refusals after the integration is known are
 * logged as rejected.
 */
void
receive_webhook(struct req *r)
{
	struct integ		 in;
	struct integ_log_entry	 e;
	struct receive_sig	 s;
	struct json_object	*o;
	enum db_code		 code;
	char			 why[200];

	memset(&in, 0, sizeof(in));
	if (r->in.body.len > RECEIVE_MAX_BODY) {
		req_resp_error(r, 413, NULL, "body: larger than %d bytes",
		    RECEIVE_MAX_BODY);
		return;
	}
	if (!receive_id_shape(r->args[0]) ||
	    (code = integ_load(r->db, 0, r->args[0], &in)) == DB_NOTFOUND) {
		req_resp_error(r, 404, NULL, "no such integration: %.40s",
		    r->args[0]);
		return;
	}
	if (code != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		return;
	}
	if (in.status == INTEG_INACTIVE) {
		req_resp_error(r, 409, NULL, "integration %s is inactive",
		    in.id);
		goto out;
	}
	s.id = req_header(r, "webhook-id");
	s.timestamp = req_header(r, "webhook-timestamp");
	s.signature = req_header(r, "webhook-signature");
	s.hub256 = req_header(r, "x-hub-signature-256");
	if (receive_verify(&s, in.signing_secret,
	    (const unsigned char *)r->in.body.data, r->in.body.len,
	    (long long)time(NULL), why, sizeof(why)) != RECEIVE_OK) {
		receive_refuse(r, &in, 401, why);
		goto out;
	}
	/* Only a signed webhook-id is noted: GitHub signs no id. */
	if (s.signature != NULL &&
	    (code = receive_note_id(r, &in, s.id)) != DB_OK) {
		if (code == DB_CONSTRAINT) {
			snprintf(why, sizeof(why), "webhook-id: %s was "
			    "received before (a replay)", s.id);
			receive_refuse(r, &in, 409, why);
		} else
			req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	if (!receive_accept(r, &in, s.signature != NULL ? s.id :
	    req_header(r, "x-github-delivery"), &e)) {
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	o = json_object_new_object();
	json_object_object_add(o, "received", json_object_new_boolean(1));
	json_put_str(o, "log_id", e.id);
	req_resp_json(r, 202, o);
out:
	integ_free(&in);
}
