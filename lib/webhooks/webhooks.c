/*
 * webhooks.c - webhook subscriptions of an organization: create (the
 * secret is shown once and stored sealed), list, enable and disable,
 * rotate the secret, delete, send a test event, list deliveries and
 * their attempts, and redeliver. Used by POST /api/settings/webhooks and
 * by the console; deliver.c sends.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <sodium.h>

#include "webhooks/webhooks.h"

enum webhooks_sql_id {
	SQL_SUB_INSERT, SQL_SUB_LIST, SQL_SUB_SET_ACTIVE, SQL_SUB_SET_SECRET,
	SQL_SUB_DELETE, SQL_SUB_ID, SQL_DELIVERY_LIST, SQL_ATTEMPT_LIST,
	SQL_REDELIVER, WEBHOOKS_SQL__MAX
};

static const char *const webhooks_sql[WEBHOOKS_SQL__MAX] = {
	[SQL_SUB_INSERT] =
	    "INSERT INTO webhook_subscriptions (public_id, org_id, url, events,"
	    " secret_enc, created_by) VALUES (?, ?, ?, ?, ?, ?)",
	[SQL_SUB_LIST] =
	    "SELECT public_id, url, events, active, disabled_reason, failing_since,"
	    " created_at FROM webhook_subscriptions WHERE org_id = ? ORDER BY id",
	[SQL_SUB_SET_ACTIVE] =
	    "UPDATE webhook_subscriptions SET active = ?, disabled_reason = NULL,"
	    " failing_since = NULL WHERE org_id = ? AND public_id = ?",
	[SQL_SUB_SET_SECRET] =
	    "UPDATE webhook_subscriptions SET secret_enc = ?"
	    " WHERE org_id = ? AND public_id = ?",
	[SQL_SUB_DELETE] =
	    "DELETE FROM webhook_subscriptions WHERE org_id = ? AND public_id = ?",
	[SQL_SUB_ID] =
	    "SELECT id FROM webhook_subscriptions WHERE org_id = ? AND public_id = ?",
	[SQL_DELIVERY_LIST] =
	    "SELECT d.public_id, d.event_type, d.state, d.attempts, d.last_status,"
	    " d.next_attempt_at, d.created_at FROM webhook_deliveries d"
	    " JOIN webhook_subscriptions s ON s.id = d.subscription_id"
	    " WHERE s.org_id = ? AND s.public_id = ? ORDER BY d.id DESC LIMIT 50",
	[SQL_ATTEMPT_LIST] =
	    "SELECT a.attempt_no, a.started_at, a.status_code, a.duration_ms,"
	    " a.error, a.response_excerpt FROM webhook_attempts a"
	    " JOIN webhook_deliveries d ON d.id = a.delivery_id"
	    " WHERE d.org_id = ? AND d.public_id = ? ORDER BY a.attempt_no",
	[SQL_REDELIVER] =
	    "UPDATE webhook_deliveries SET state = 'pending', attempts = 0,"
	    " next_attempt_at = NOW(3), lease_owner = NULL, lease_until = NULL"
	    " WHERE org_id = ? AND public_id = ? AND state IN ('succeeded','failed')",
};

const struct db_stmts webhooks_stmts = {
	"webhooks", webhooks_sql, WEBHOOKS_SQL__MAX, NULL, 0
};

/*
 * 1 when a subscription may ask for the event type name: one the
 * catalogue has and tells every subscriber. Else 0, and why into err.
 */
int
webhooks_event_offered(const char *name, char *err, size_t errsz)
{
	enum event_type	 t;
	size_t		 i;

	/* Echo only a short printable name: the message goes back out. */
	for (i = 0; name[i] != '\0' && i <= 64 && name[i] > ' ' &&
	    name[i] < 0x7f; i++)
		;
	if (!events_parse(name, &t))
		snprintf(err, errsz, "%s is not emitted by this server",
		    i > 0 && name[i] == '\0' ? name : "this event type");
	else if (!events_subscribable(t))
		snprintf(err, errsz, "%s is sent only to the subscription "
		    "it is addressed to", name);
	else
		return 1;
	return 0;
}

/* A new secret, "whsec_" + base64 of 24 random bytes (Standard Webhooks). */
static void
webhooks_new_secret(char out[WEBHOOK_SECRET_MAX])
{
	unsigned char	 raw[24];

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, "whsec_", 6);
	sodium_bin2base64(out + 6, WEBHOOK_SECRET_MAX - 6, raw, sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(raw, sizeof(raw));
}

static size_t
webhooks_seal(const char *secret, unsigned char *out)
{
	return crypto_seal((const unsigned char *)secret, strlen(secret), out);
}

/*
 * Check a subscription URL: http(s), a host, and (with the SSRF guard) a
 * destination we may reach. 0 with the reason in err.
 */
int
webhooks_url_ok(const struct conf *conf, const char *url, char *err,
    size_t errsz)
{
	struct curl_slist	*pin = NULL;
	int			 ok;

	if (strlen(url) > 2048) {
		snprintf(err, errsz, "at most 2048 characters");
		return 0;
	}
	ok = httpout_vet(conf, url, &pin, err, errsz);
	curl_slist_free_all(pin);
	return ok;
}

/*
 * Create a subscription of org to url for events ("*" or a comma list of
 * known types). The secret goes to secret (shown once), the id to id.
 */
enum db_code
webhooks_create(struct db *db, long long org_id, const char *url,
    const char *events, const char *actor, char id[37],
    char secret[WEBHOOK_SECRET_MAX])
{
	unsigned char	 sealed[WEBHOOK_SECRET_MAX + CRYPTO_SEAL_OVERHEAD];
	size_t		 n;

	webhooks_new_secret(secret);
	n = webhooks_seal(secret, sealed);
	crypto_uuid7(id);
	return db_exec(db, webhooks_sql[SQL_SUB_INSERT],
	    DB_PARAMS(DB_STR(id), DB_INT(org_id),
	    DB_STR(url), DB_STR(events), DB_BLOB(sealed, n), DB_STR(actor)));
}

/* Enable or disable; DB_NOTFOUND for another org's or no subscription. */
enum db_code
webhooks_set_active(struct db *db, long long org_id, const char *id,
    int active)
{
	enum db_code	 code;

	code = db_exec(db, webhooks_sql[SQL_SUB_SET_ACTIVE],
	    DB_PARAMS(DB_INT(active), DB_INT(org_id), DB_STR(id)));
	return code == DB_OK && db_affected(db) == 0 ? DB_NOTFOUND : code;
}

/* A new secret for the subscription, into secret (shown once). */
enum db_code
webhooks_rotate(struct db *db, long long org_id, const char *id,
    char secret[WEBHOOK_SECRET_MAX])
{
	unsigned char	 sealed[WEBHOOK_SECRET_MAX + CRYPTO_SEAL_OVERHEAD];
	size_t		 n;
	enum db_code	 code;

	webhooks_new_secret(secret);
	n = webhooks_seal(secret, sealed);
	code = db_exec(db, webhooks_sql[SQL_SUB_SET_SECRET],
	    DB_PARAMS(DB_BLOB(sealed, n), DB_INT(org_id), DB_STR(id)));
	return code == DB_OK && db_affected(db) == 0 ? DB_NOTFOUND : code;
}

enum db_code
webhooks_delete(struct db *db, long long org_id, const char *id)
{
	enum db_code	 code;

	code = db_exec(db, webhooks_sql[SQL_SUB_DELETE],
	    DB_PARAMS(DB_INT(org_id), DB_STR(id)));
	return code == DB_OK && db_affected(db) == 0 ? DB_NOTFOUND : code;
}

/* Queue a webhook.test event for this one subscription; the worker's
 * fan-out makes its delivery. */
enum db_code
webhooks_send_test(struct db *db, long long org_id, const char *id)
{
	struct db_rows		*rows = NULL;
	struct json_object	*p;
	enum db_code		 code;
	long long		 sub;

	if ((code = db_query(db, &rows, webhooks_sql[SQL_SUB_ID],
	    DB_PARAMS(DB_INT(org_id), DB_STR(id)))) != DB_OK)
		return code;
	if (rows->nrows == 0) {
		db_rows_free(rows);
		return DB_NOTFOUND;
	}
	sub = atoll(db_cell(rows, 0, 0));
	db_rows_free(rows);
	p = json_object_new_object();
	json_object_object_add(p, "subscriptionId", json_object_new_string(id));
	return events_emit_to(db, org_id, EVENT_WEBHOOK_TEST, sub, p);
}

/* Send a finished delivery again, from a fresh retry schedule. */
enum db_code
webhooks_redeliver(struct db *db, long long org_id, const char *delivery)
{
	enum db_code	 code;

	code = db_exec(db, webhooks_sql[SQL_REDELIVER],
	    DB_PARAMS(DB_INT(org_id), DB_STR(delivery)));
	return code == DB_OK && db_affected(db) == 0 ? DB_NOTFOUND : code;
}

enum sub_col {
	SC_ID, SC_URL, SC_EVENTS, SC_ACTIVE, SC_REASON, SC_FAILING, SC_CREATED
};

/*
 * The organization's subscriptions (never a secret), oldest first, into
 * l; its strings are borrowed from l. Free with webhooks_subs_cleanup,
 * also after a failure.
 */
enum db_code
webhooks_subs_list(struct db *db, long long org_id, struct webhooks_subs *l)
{
	struct webhook_sub	*s;
	enum db_code		 code;

	memset(l, 0, sizeof(*l));
	if ((l->v = db_query_view(db, &l->rows, sizeof(*l->v), &code,
	    webhooks_sql[SQL_SUB_LIST], DB_PARAMS(DB_INT(org_id)))) == NULL)
		return code;
	for (; l->n < l->rows->nrows; l->n++) {
		s = &l->v[l->n];
		s->id = db_cell(l->rows, l->n, SC_ID);
		s->url = db_cell(l->rows, l->n, SC_URL);
		s->events = db_cell(l->rows, l->n, SC_EVENTS);
		s->active = atoi(db_cell(l->rows, l->n, SC_ACTIVE)) != 0;
		s->disabled_reason = db_cell(l->rows, l->n, SC_REASON);
		s->failing_since = db_cell(l->rows, l->n, SC_FAILING);
		s->created_at = db_cell(l->rows, l->n, SC_CREATED);
	}
	return DB_OK;
}

/* Free what webhooks_subs_list filled; safe on a zeroed l. */
void
webhooks_subs_cleanup(struct webhooks_subs *l)
{
	free(l->v);
	db_rows_free(l->rows);
	memset(l, 0, sizeof(*l));
}

/* A cell of an integer column that may be NULL, as 0 then. */
static long long
webhooks_int(const char *cell)
{
	return cell ? atoll(cell) : 0;
}

enum delivery_col {
	DC_ID, DC_TYPE, DC_STATE, DC_ATTEMPTS, DC_STATUS, DC_NEXT, DC_CREATED
};

/*
 * The last 50 deliveries of subscription id of org, newest first, into
 * l; its strings are borrowed from l. None for another org's or no
 * subscription. Free with webhooks_deliveries_cleanup, also after a
 * failure.
 */
enum db_code
webhooks_deliveries_list(struct db *db, long long org_id, const char *id,
    struct webhooks_deliveries *l)
{
	struct webhook_delivery	*d;
	enum db_code		 code;

	memset(l, 0, sizeof(*l));
	if ((l->v = db_query_view(db, &l->rows, sizeof(*l->v), &code,
	    webhooks_sql[SQL_DELIVERY_LIST], DB_PARAMS(DB_INT(org_id),
	    DB_STR(id)))) == NULL)
		return code;
	for (; l->n < l->rows->nrows; l->n++) {
		d = &l->v[l->n];
		d->id = db_cell(l->rows, l->n, DC_ID);
		d->event_type = db_cell(l->rows, l->n, DC_TYPE);
		d->state = db_cell(l->rows, l->n, DC_STATE);
		d->attempts = (int)webhooks_int(db_cell(l->rows, l->n,
		    DC_ATTEMPTS));
		d->last_status = (int)webhooks_int(db_cell(l->rows, l->n,
		    DC_STATUS));
		d->next_attempt_at = db_cell(l->rows, l->n, DC_NEXT);
		d->created_at = db_cell(l->rows, l->n, DC_CREATED);
		/* What SQL_REDELIVER takes: a finished delivery. */
		d->redeliverable = strcmp(d->state, "succeeded") == 0 ||
		    strcmp(d->state, "failed") == 0;
	}
	return DB_OK;
}

/* Free what webhooks_deliveries_list filled; safe on a zeroed l. */
void
webhooks_deliveries_cleanup(struct webhooks_deliveries *l)
{
	free(l->v);
	db_rows_free(l->rows);
	memset(l, 0, sizeof(*l));
}

enum attempt_col {
	AC_NO, AC_STARTED, AC_STATUS, AC_MS, AC_ERROR, AC_RESPONSE
};

/*
 * The attempts of delivery id of org, in order, into l; its strings
 * are borrowed from l. None for another org's or no delivery. Free with
 * webhooks_attempts_cleanup, also after a failure.
 */
enum db_code
webhooks_attempts_list(struct db *db, long long org_id, const char *id,
    struct webhooks_attempts *l)
{
	struct webhook_attempt	*a;
	enum db_code		 code;

	memset(l, 0, sizeof(*l));
	if ((l->v = db_query_view(db, &l->rows, sizeof(*l->v), &code,
	    webhooks_sql[SQL_ATTEMPT_LIST], DB_PARAMS(DB_INT(org_id),
	    DB_STR(id)))) == NULL)
		return code;
	for (; l->n < l->rows->nrows; l->n++) {
		a = &l->v[l->n];
		a->attempt_no = (int)webhooks_int(db_cell(l->rows, l->n, AC_NO));
		a->started_at = db_cell(l->rows, l->n, AC_STARTED);
		a->status_code = (int)webhooks_int(db_cell(l->rows, l->n,
		    AC_STATUS));
		a->duration_ms = webhooks_int(db_cell(l->rows, l->n, AC_MS));
		a->error = db_cell(l->rows, l->n, AC_ERROR);
		a->response = db_cell(l->rows, l->n, AC_RESPONSE);
	}
	return DB_OK;
}

/* Free what webhooks_attempts_list filled; safe on a zeroed l. */
void
webhooks_attempts_cleanup(struct webhooks_attempts *l)
{
	free(l->v);
	db_rows_free(l->rows);
	memset(l, 0, sizeof(*l));
}

/*
 * The events field of a request: absent or "*" means all; else an array
 * of known types, joined with commas into out. 0 after answering 400.
 */
static int
webhooks_read_events(struct req *r, struct json_object *b, struct buf *out)
{
	struct json_object	*arr, *e;
	char			 err[160];
	size_t			 i, n;

	if (!json_object_object_get_ex(b, "events", &arr) || arr == NULL ||
	    (json_object_is_type(arr, json_type_string) &&
	    strcmp(json_object_get_string(arr), "*") == 0))
		return buf_puts(out, "*");
	if (!json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) == 0) {
		req_resp_error(r, 400, "invalid_body", "events: expected \"*\" "
		    "or a non-empty array of event types");
		return 0;
	}
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(e, json_type_string)) {
			req_resp_error(r, 400, "invalid_body", "events[%zu]: "
			    "expected a string", i);
			return 0;
		}
		if (!webhooks_event_offered(json_object_get_string(e), err,
		    sizeof(err))) {
			req_resp_error(r, 400, "invalid_body",
			    "events[%zu]: %s", i, err);
			return 0;
		}
		if (i > 0)
			buf_puts(out, ",");
		buf_puts(out, json_object_get_string(e));
	}
	return 1;
}

/* The stored filter as the API shows it: "*", or the list of types. */
static struct json_object *
webhooks_events_json(const char *stored)
{
	struct json_object	*a;
	const char		*p = stored, *comma;

	if (strcmp(stored, "*") == 0)
		return json_object_new_string("*");
	a = json_object_new_array();
	for (; *p != '\0'; p = *comma ? comma + 1 : comma) {
		comma = p + strcspn(p, ",");
		json_object_array_add(a, json_object_new_string_len(p,
		    (int)(comma - p)));
	}
	return a;
}

/* POST /api/settings/webhooks (console session, admin, CSRF token) */
void
webhooks_api_create(struct req *r)
{
	struct json_object	*b, *o, *d;
	const char		*url;
	char			 id[37], secret[WEBHOOK_SECRET_MAX], err[160];
	struct buf		 events;

	buf_init(&events);
	if ((b = req_json_body(r)) == NULL)
		return;
	if (!valid_object(r, b) || !valid_string(r, b, "url", 1, 1, 2048, &url) ||
	    !webhooks_read_events(r, b, &events))
		goto out;
	if (!webhooks_url_ok(r->conf, url, err, sizeof(err))) {
		req_resp_error(r, 400, "invalid_body", "url: %s", err);
		goto out;
	}
	if (webhooks_create(r->db, r->principal.org_id, url, events.data,
	    r->principal.user_name, id, secret) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	o = json_object_new_object();
	d = json_object_new_object();
	json_object_object_add(d, "id", json_object_new_string(id));
	json_object_object_add(d, "url", json_object_new_string(url));
	json_object_object_add(d, "events", webhooks_events_json(events.data));
	json_object_object_add(d, "active", json_object_new_boolean(1));
	json_object_object_add(d, "secret", json_object_new_string(secret));
	json_object_object_add(o, "data", d);
	req_resp_json(r, 201, o);
	sodium_memzero(secret, sizeof(secret));
out:
	buf_cleanup(&events);
	json_object_put(b);
}
