/*
 * deliver.c - the worker's webhook jobs. Fan-out reads the event outbox
 * (events_consume) and queues one delivery per matching active
 * subscription, or for the one subscription an event is addressed to.
 * Delivery claims due deliveries with a lease (SKIP LOCKED, so several
 * workers on several hosts never take the same one), logs the attempt
 * as sending, POSTs each signed envelope, completes the attempt's log
 * row, and either finishes the delivery or schedules the next attempt
 * with backoff and jitter. Delivery is at least once: a worker that dies
 * mid-delivery loses nothing (its lease runs out and another worker
 * sends again, with the same webhook-id), and its attempt stays in the
 * log, closed as interrupted by the worker that takes over.
 *
 * Webhook-type integrations (issue 13) ride the same rows: a delivery is
 * to a subscription or to an integration (webhook_deliveries.
 * integration_id); impex/outgoing.c picks their deliveries at fan-out,
 * shapes their bodies (Discord, Slack or this envelope, signed with the
 * integration's secret) and logs their attempts in integration_logs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <sodium.h>

#include "webhooks/webhooks.h"
#include "impex/impex.h"

#define DELIVER_BATCH		8
#define FAILING_DISABLE_DAYS	5
/* What the log says of an attempt in flight, and of one whose worker
 * stopped before it logged an answer. */
#define DELIVER_SENDING		"sending: no answer yet"
#define DELIVER_INTERRUPTED	"interrupted: the worker stopped before an " \
				"answer was logged"

enum deliver_sql_id {
	SQL_FAN_SUBS, SQL_FAN_SUB_ONE, SQL_FAN_INSERT, SQL_CLAIM, SQL_LEASE,
	SQL_RENEW, SQL_LOAD, SQL_ATTEMPT, SQL_ATTEMPT_NO, SQL_ATTEMPT_CUT,
	SQL_ATTEMPT_END, SQL_DONE, SQL_SUB_OK, SQL_SUB_FAILING,
	DELIVER_SQL__MAX
};

static const char *const deliver_sql[DELIVER_SQL__MAX] = {
	[SQL_FAN_SUBS] =
	    "SELECT id FROM webhook_subscriptions WHERE org_id = ? AND active = 1"
	    " AND (events = '*' OR FIND_IN_SET(?, events) > 0)",
	/* The addressee of a directed event, whatever its filter and state. */
	[SQL_FAN_SUB_ONE] =
	    "SELECT id FROM webhook_subscriptions WHERE id = ? AND org_id = ?",
	[SQL_FAN_INSERT] =
	    "INSERT IGNORE INTO webhook_deliveries (public_id, org_id,"
	    " subscription_id, event_id, event_type) VALUES (?, ?, ?, ?, ?)",
	/* Due, or held by a worker whose lease ran out (it died). */
	[SQL_CLAIM] =
	    "SELECT id FROM webhook_deliveries"
	    " WHERE (state = 'pending' AND next_attempt_at <= NOW(3))"
	    " OR (state = 'delivering' AND lease_until < NOW(3))"
	    " ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED",
	[SQL_LEASE] =
	    "UPDATE webhook_deliveries SET state = 'delivering', lease_owner = ?,"
	    " lease_until = NOW(3) + INTERVAL ? SECOND WHERE id = ?",
	/* Just before sending: still ours? Then the lease covers this send. */
	[SQL_RENEW] =
	    "UPDATE webhook_deliveries SET lease_until = NOW(3) + INTERVAL ? SECOND"
	    " WHERE id = ? AND lease_owner = ? AND state = 'delivering'"
	    " AND lease_until > NOW(3)",
	/* A subscription's (s.*) or an integration's (i.public_id). */
	[SQL_LOAD] =
	    "SELECT d.public_id, d.event_type, d.attempts, s.url, s.secret_enc,"
	    " s.active, e.payload, s.id, d.org_id, i.public_id"
	    " FROM webhook_deliveries d"
	    " LEFT JOIN webhook_subscriptions s ON s.id = d.subscription_id"
	    " LEFT JOIN integrations i ON i.id = d.integration_id"
	    " JOIN events e ON e.id = d.event_id WHERE d.id = ?",
	/* Before the send: the attempt, with no outcome yet. */
	[SQL_ATTEMPT] =
	    "INSERT INTO webhook_attempts (delivery_id, attempt_no, state, worker,"
	    " started_at, duration_ms, error)"
	    " VALUES (?, ?, 'sending', ?, ?, 0, '" DELIVER_SENDING "')",
	/* A plain (snapshot) read, taking no gap locks; run after SQL_RENEW,
	 * whose row lock on the delivery keeps other loggers out until commit. */
	[SQL_ATTEMPT_NO] =
	    "SELECT COALESCE(MAX(attempt_no), 0) + 1 FROM webhook_attempts"
	    " WHERE delivery_id = ?",
	/* Attempts still sending when we hold the lease: their worker died. */
	[SQL_ATTEMPT_CUT] =
	    "UPDATE webhook_attempts SET state = 'done',"
	    " error = '" DELIVER_INTERRUPTED "'"
	    " WHERE delivery_id = ? AND state = 'sending'",
	/* After the send: its outcome. */
	[SQL_ATTEMPT_END] =
	    "UPDATE webhook_attempts SET state = 'done', duration_ms = ?,"
	    " status_code = ?, error = ?, response_excerpt = ?"
	    " WHERE delivery_id = ? AND attempt_no = ? AND state = 'sending'",
	[SQL_DONE] =
	    "UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1,"
	    " last_status = ?, next_attempt_at = NOW(3) + INTERVAL ? SECOND,"
	    " lease_owner = NULL, lease_until = NULL"
	    " WHERE id = ? AND lease_owner = ? AND state = 'delivering'",
	[SQL_SUB_OK] =
	    "UPDATE webhook_subscriptions SET failing_since = NULL WHERE id = ?",
	[SQL_SUB_FAILING] =
	    "UPDATE webhook_subscriptions SET"
	    " failing_since = COALESCE(failing_since, NOW(3)),"
	    " active = IF(failing_since < NOW(3) - INTERVAL ? DAY, 0, active),"
	    " disabled_reason = IF(failing_since < NOW(3) - INTERVAL ? DAY,"
	    "  CONCAT('failing for ', ?, ' days'), disabled_reason)"
	    " WHERE id = ?",
};

const struct db_stmts deliver_stmts = {
	"deliver", deliver_sql, DELIVER_SQL__MAX, NULL, 0
};

/*
 * Queue deliveries for one event: an event addressed to one subscription
 * goes to it alone (a disabled one logs its delivery as not sent), any
 * other to each active subscription of its organization whose filter
 * names its type. DB_OK when done.
 */
static enum db_code
deliver_fan_event(struct db *db, const struct event *ev, void *ctx)
{
	struct db_rows	*subs = NULL;
	const char	*type = events_name(ev->type);
	char		 id[37];
	enum db_code	 code;
	size_t		 i;

	(void)ctx;
	if (ev->subscription_id > 0)
		code = db_query(db, &subs, deliver_sql[SQL_FAN_SUB_ONE],
		    DB_PARAMS(
		    DB_INT(ev->subscription_id), DB_INT(ev->org_id)));
	else if (!events_subscribable(ev->type))
		return DB_OK;	/* nobody may ask for it */
	else if ((code = outgoing_fan_event(db, ev)) != DB_OK)
		return code;	/* the integrations' share first */
	else
		code = db_query(db, &subs, deliver_sql[SQL_FAN_SUBS], DB_PARAMS(
		    DB_INT(ev->org_id), DB_STR(type)));
	if (code != DB_OK)
		return code;
	for (i = 0; i < subs->nrows && code == DB_OK; i++) {
		crypto_uuid7(id);
		code = db_exec(db, deliver_sql[SQL_FAN_INSERT],
		    DB_PARAMS(DB_STR(id),
		    DB_INT(ev->org_id), DB_INT(atoll(db_cell(subs, i, 0))),
		    DB_INT(ev->id), DB_STR(type)));
	}
	db_rows_free(subs);
	return code;
}

/* Worker job: turn new events into deliveries (an event it fails on is
 * retried, then parked, by events_consume). Returns events read. */
int
deliver_fanout_job(struct db *db, const struct conf *conf)
{
	int	 n;

	n = events_consume(db, conf, "webhooks", EVENTS_ALL, deliver_fan_event,
	    NULL);
	return n > 0 ? n : 0;
}

/* {"event","payload","sentAt"}: the exact bytes that are signed. */
static char *
deliver_envelope(const char *type, const char *payload)
{
	struct json_object	*o = json_object_new_object(), *p;
	char			 at[24], iso[32];
	char			*s;

	util_sql_time(util_now_ms(), at);
	snprintf(iso, sizeof(iso), "%.10sT%sZ", at, at + 11);
	if ((p = json_tokener_parse(payload)) == NULL)
		p = json_object_new_object();
	json_object_object_add(o, "event", json_object_new_string(type));
	json_object_object_add(o, "payload", p);
	json_object_object_add(o, "sentAt", json_object_new_string(iso));
	s = strdup(json_to_str(o));
	json_object_put(o);
	return s;
}

/*
 * The signature headers: X-Mihwar-Signature (HMAC-SHA256 of the body
 * under the secret as given), and Standard Webhooks' webhook-id,
 * webhook-timestamp and webhook-signature (HMAC over id.timestamp.body
 * under the base64-decoded secret) so receivers can refuse replays.
 */
static struct curl_slist *
deliver_headers(const char *secret, const char *id, const char *type,
    const char *body)
{
	struct curl_slist	*h = NULL;
	unsigned char		 key[64], mac[32];
	char			 line[256], hex[65], b64[64], ts[24];
	size_t			 keylen = 0;
	struct buf		 signed_content;
	crypto_auth_hmacsha256_state st;

	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	crypto_hmac_sha256_hex((const unsigned char *)secret, strlen(secret),
	    (const unsigned char *)body, strlen(body), hex);
	if (strncmp(secret, "whsec_", 6) != 0 || sodium_base642bin(key,
	    sizeof(key), secret + 6, strlen(secret + 6), NULL, &keylen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0)
		keylen = 0;
	buf_init(&signed_content);
	buf_printf(&signed_content, "%s.%s.", id, ts);
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (unsigned char *)signed_content.data,
	    signed_content.len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body,
	    strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	buf_cleanup(&signed_content);
	sodium_bin2base64(b64, sizeof(b64), mac, sizeof(mac),
	    sodium_base64_VARIANT_ORIGINAL);
	h = curl_slist_append(h, "Content-Type: application/json");
#define ADD(...) do { snprintf(line, sizeof(line), __VA_ARGS__); \
	h = curl_slist_append(h, line); } while (0)
	ADD("X-Mihwar-Event: %s", type);
	ADD("X-Mihwar-Delivery: %s", id);
	ADD("X-Mihwar-Timestamp: %s", ts);
	ADD("X-Mihwar-Signature: sha256=%s", hex);
	ADD("webhook-id: %s", id);
	ADD("webhook-timestamp: %s", ts);
	ADD("webhook-signature: v1,%s", b64);
#undef ADD
	sodium_memzero(key, sizeof(key));
	return h;
}

struct delivery {
	long long	 rowid, sub;
	long long	 attempt_no;	/* its row in the attempt log */
	char		 id[37];
	char		 type[65];
	long long	 attempts;
	int		 active;
	char		*url, *payload;
	char		 secret[WEBHOOK_SECRET_MAX];
	struct integ	*integ;	/* an integration's delivery; NULL: a
				 * subscription's */
};

/* The integration (public id integ_id of org) a delivery is to: its URL,
 * its opened signing secret and its state, read as it is now (one made
 * inactive, or no longer a webhook, since is sent nothing). */
static int
deliver_load_integ(struct db *db, long long org, const char *integ_id,
    struct delivery *d)
{
	const char	*url;

	if ((d->integ = calloc(1, sizeof(*d->integ))) == NULL)
		return 0;
	if (integ_load(db, org, integ_id, d->integ) != DB_OK) {
		log_error("deliver: cannot load integration %s", integ_id);
		return 0;
	}
	url = d->integ->webhook_url;
	snprintf(d->secret, sizeof(d->secret), "%s",
	    d->integ->signing_secret);
	d->url = strdup(url != NULL ? url : "");
	d->active = d->integ->status != INTEG_INACTIVE &&
	    d->integ->type == INTEG_WEBHOOK && url != NULL;
	return 1;
}

static int
deliver_load(struct db *db, long long rowid, struct delivery *d)
{
	struct db_rows	*rows = NULL;
	unsigned long	 n;
	int		 ok = 0;

	memset(d, 0, sizeof(*d));
	d->rowid = rowid;
	if (db_query(db, &rows, deliver_sql[SQL_LOAD],
	    DB_PARAMS(DB_INT(rowid))) != DB_OK || rows->nrows == 0)
		goto out;
	if (db_cell(rows, 0, 9) != NULL) {
		if (!deliver_load_integ(db, atoll(db_cell(rows, 0, 8)),
		    db_cell(rows, 0, 9), d))
			goto out;
		goto common;
	}
	n = rows->lens[4];
	if (n <= CRYPTO_SEAL_OVERHEAD || n - CRYPTO_SEAL_OVERHEAD >=
	    sizeof(d->secret) || !crypto_open((const unsigned char *)
	    db_cell(rows, 0, 4), n, (unsigned char *)d->secret)) {
		log_error("deliver: cannot open the secret of delivery %lld "
		    "(master key changed?)", rowid);
		goto out;
	}
	d->secret[n - CRYPTO_SEAL_OVERHEAD] = '\0';
	d->url = strdup(db_cell(rows, 0, 3));
	d->active = strcmp(db_cell(rows, 0, 5), "1") == 0;
	d->sub = atoll(db_cell(rows, 0, 7));
common:
	snprintf(d->id, sizeof(d->id), "%s", db_cell(rows, 0, 0));
	snprintf(d->type, sizeof(d->type), "%s", db_cell(rows, 0, 1));
	d->attempts = atoll(db_cell(rows, 0, 2));
	d->payload = strdup(db_cell(rows, 0, 6));
	ok = d->url != NULL && d->payload != NULL;
out:
	db_rows_free(rows);
	return ok;
}

static void
deliver_free(struct delivery *d)
{
	free(d->url);
	free(d->payload);
	sodium_memzero(d->secret, sizeof(d->secret));
	if (d->integ != NULL) {
		integ_free(d->integ);
		free(d->integ);
	}
}

/* Seconds until the next attempt: the schedule's delay, +-10 % jitter. */
static long long
deliver_delay(const struct conf *conf, long long attempts_made)
{
	long long	 base = conf->retry_delays[attempts_made];
	long long	 spread = base / 10;

	if (spread == 0)
		return base;
	return base - spread + (long long)randombytes_uniform(
	    (uint32_t)(2 * spread + 1));
}

/* What this attempt makes of the delivery. */
static const char *
deliver_state(const struct conf *conf, const struct delivery *d,
    const struct httpout_res *res)
{
	if (res->status >= 200 && res->status < 300)
		return "succeeded";
	if (d->integ != NULL && !d->active)
		return "failed";	/* an inactive integration gets nothing */
	return d->attempts + 1 >= (long long)conf->nretry_delays ? "failed" :
	    "pending";
}

/*
 * Move the delivery on and complete its attempt's log row in one
 * transaction, only while we hold the lease; without the log when
 * with_log is 0.
 */
static enum db_code
deliver_record_tx(struct db *db, const struct conf *conf, const char *worker,
    const struct delivery *d, const char *body, const struct httpout_res *res,
    const char *excerpt, int with_log)
{
	const char	*state = deliver_state(conf, d, res);
	int		 ok = strcmp(state, "succeeded") == 0;
	enum db_code	 code;

	if ((code = db_begin(db)) != DB_OK)
		return code;
	if ((code = db_exec(db, deliver_sql[SQL_DONE],
	    DB_PARAMS(DB_STR(state), res->status ?
	    DB_INT(res->status) : DB_NULL, DB_INT(strcmp(state, "pending") == 0 ?
	    deliver_delay(conf, d->attempts + 1) : 0), DB_INT(d->rowid),
	    DB_STR(worker)))) != DB_OK)
		goto fail;
	if (db_affected(db) != 1) {
		log_warn("deliver: lost the lease of %s while sending", d->id);
		code = DB_NOTFOUND;
		goto fail;
	}
	if (d->integ != NULL)
		code = with_log ? outgoing_log_attempt(db, d->integ, d->id,
		    d->type, body, res) : DB_OK;
	else if (ok)
		code = db_exec(db, deliver_sql[SQL_SUB_OK],
		    DB_PARAMS(DB_INT(d->sub)));
	else
		code = db_exec(db, deliver_sql[SQL_SUB_FAILING], DB_PARAMS(
		    DB_INT(FAILING_DISABLE_DAYS), DB_INT(FAILING_DISABLE_DAYS),
		    DB_INT(FAILING_DISABLE_DAYS), DB_INT(d->sub)));
	if (code != DB_OK)
		goto fail;
	if (!with_log)
		return db_commit(db);
	if ((code = db_exec(db, deliver_sql[SQL_ATTEMPT_END],
	    DB_PARAMS(DB_INT(res->ms > 0 ? res->ms : 0),
	    res->status ? DB_INT(res->status) : DB_NULL,
	    DB_STR(res->error[0] ? res->error : NULL),
	    DB_STR(excerpt[0] ? excerpt : NULL), DB_INT(d->rowid),
	    DB_INT(d->attempt_no)))) != DB_OK)
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return code;
}

static void
deliver_record(struct db *db, const struct conf *conf, const char *worker,
    const struct delivery *d, const char *body, const struct httpout_res *res)
{
	char		 excerpt[1024];
	enum db_code	 code;
	int		 tries = 0;

	snprintf(excerpt, sizeof(excerpt), "%.*s", (int)(res->body.len > 1000 ?
	    1000 : res->body.len), res->body.data ? res->body.data : "");
	if (!util_utf8_valid(excerpt, strlen(excerpt)))
		snprintf(excerpt, sizeof(excerpt), "(not UTF-8 text)");
	/* A lock conflict or a lost connection rolls back cleanly: try
	 * again before leaving the delivery to its lease (which would send
	 * it a second time). */
	do
		code = deliver_record_tx(db, conf, worker, d, body, res,
		    excerpt, 1);
	while (code != DB_OK && code != DB_NOTFOUND && db_transient(db) &&
	    ++tries < 3);
	if (code != DB_OK && code != DB_NOTFOUND) {
		/* Keep at least the outcome, so that the lease running out
		 * does not send the delivery again. */
		log_error("deliver: could not log attempt of %s: %s", d->id,
		    db_errstr(db));
		code = deliver_record_tx(db, conf, worker, d, body, res,
		    excerpt, 0);
	}
	if (code == DB_NOTFOUND)
		return;
	if (code != DB_OK) {
		log_error("deliver: could not record delivery %s: %s", d->id,
		    db_errstr(db));
		return;
	}
	log_info("deliver: %s %s attempt %lld -> %ld (%s) in %lld ms", d->id,
	    d->type, d->attempts + 1, res->status, deliver_state(conf, d, res),
	    (long long)res->ms);
}

/*
 * Before the send, in one transaction: renew the lease (DB_NOTFOUND when
 * another worker took the delivery over meanwhile), close the attempts
 * a dead worker left sending, and log this one as sending, its number
 * into d->attempt_no. The number is read apart from the INSERT: INSERT
 * ... SELECT MAX() took gap locks that deadlocked two workers logging at
 * once. (The delivery's own counter is no help: a redelivery starts it
 * again from 0.) Every locking statement comes before that read.
 */
static enum db_code
deliver_log_start_tx(struct db *db, const struct conf *conf,
    const char *worker, struct delivery *d, const char *started)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	if ((code = db_begin(db)) != DB_OK)
		return code;
	if ((code = db_exec(db, deliver_sql[SQL_RENEW],
	    DB_PARAMS(DB_INT(conf->webhook_lease_seconds),
	    DB_INT(d->rowid), DB_STR(worker)))) != DB_OK)
		goto fail;
	if (db_affected(db) != 1) {
		code = DB_NOTFOUND;
		goto fail;
	}
	if ((code = db_exec(db, deliver_sql[SQL_ATTEMPT_CUT],
	    DB_PARAMS(DB_INT(d->rowid)))) != DB_OK ||
	    (code = db_query(db, &rows, deliver_sql[SQL_ATTEMPT_NO],
	    DB_PARAMS(DB_INT(d->rowid)))) != DB_OK)
		goto fail;
	d->attempt_no = atoll(db_cell(rows, 0, 0));
	db_rows_free(rows);
	if ((code = db_exec(db, deliver_sql[SQL_ATTEMPT],
	    DB_PARAMS(DB_INT(d->rowid), DB_INT(d->attempt_no),
	    DB_STR(worker), DB_STR(started)))) != DB_OK)
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return code;
}

/* 1 when the attempt is logged as sending and may go out; else it is
 * left to its lease (and sent later, by whichever worker holds it). */
static int
deliver_log_start(struct db *db, const struct conf *conf, const char *worker,
    struct delivery *d, int64_t t0)
{
	char		 started[24];
	enum db_code	 code;
	int		 tries = 0;

	util_sql_time(t0, started);
	do
		code = deliver_log_start_tx(db, conf, worker, d, started);
	while (code != DB_OK && code != DB_NOTFOUND && db_transient(db) &&
	    ++tries < 3);
	if (code != DB_OK && code != DB_NOTFOUND)
		log_error("deliver: could not log the start of %s, not sent: "
		    "%s", d->id, db_errstr(db));
	return code == DB_OK;
}

static void
deliver_one(struct db *db, const struct conf *conf, const char *worker,
    long long rowid)
{
	struct delivery		 d;
	struct httpout_res	 res;
	struct curl_slist	*h;
	char			*body;
	int64_t			 t0 = util_now_ms();

	if (!deliver_load(db, rowid, &d)) {
		deliver_free(&d);
		return;
	}
	/* A batch is sent one by one: renew this row's lease first (and let
	 * it go when another worker took it over meanwhile), and log the
	 * attempt before it goes out, so that it shows even if we die. */
	if (!deliver_log_start(db, conf, worker, &d, t0)) {
		deliver_free(&d);
		return;
	}
	if (d.integ != NULL && outgoing_format_of(d.integ) !=
	    OUTGOING_STANDARD) {
		/* Discord and Slack take their own shape, unsigned. */
		body = outgoing_chat_body(outgoing_format_of(d.integ), d.type,
		    d.payload, d.integ->config);
		h = curl_slist_append(NULL, "Content-Type: application/json");
	} else {
		body = deliver_envelope(d.type, d.payload);
		h = deliver_headers(d.secret, d.id, d.type, body);
	}
	if (!d.active || body == NULL) {
		memset(&res, 0, sizeof(res));
		buf_init(&res.body);
		snprintf(res.error, sizeof(res.error), body == NULL ?
		    "out of memory" : d.integ != NULL ? "integration inactive: "
		    "not sent" : "subscription disabled");
	} else
		httpout_post(conf, d.url, h, body, strlen(body), &res);
	deliver_record(db, conf, worker, &d, body, &res);
	buf_cleanup(&res.body);
	curl_slist_free_all(h);
	free(body);
	deliver_free(&d);
}

/* Claim up to DELIVER_BATCH due deliveries; their row ids into ids. */
static size_t
deliver_claim(struct db *db, const struct conf *conf, const char *worker,
    long long ids[DELIVER_BATCH])
{
	struct db_rows	*rows = NULL;
	size_t		 i, n = 0;

	if (db_begin(db) != DB_OK)
		return 0;
	if (db_query(db, &rows, deliver_sql[SQL_CLAIM],
	    DB_PARAMS(DB_INT(DELIVER_BATCH))) != DB_OK)
		goto fail;
	for (i = 0; i < rows->nrows && i < DELIVER_BATCH; i++) {
		ids[n] = atoll(db_cell(rows, i, 0));
		if (db_exec(db, deliver_sql[SQL_LEASE],
		    DB_PARAMS(DB_STR(worker),
		    DB_INT(conf->webhook_lease_seconds), DB_INT(ids[n]))) != DB_OK)
			goto fail;
		n++;
	}
	db_rows_free(rows);
	if (db_commit(db) != DB_OK)
		return 0;
	return n;
fail:
	db_rows_free(rows);
	db_rollback(db);
	return 0;
}

/* Worker job: send what is due. Returns the number of attempts made. */
int
deliver_job(struct db *db, const struct conf *conf)
{
	const char	*worker = util_host_pid();
	long long	 ids[DELIVER_BATCH];
	size_t		 i, n;

	n = deliver_claim(db, conf, worker, ids);
	for (i = 0; i < n; i++)
		deliver_one(db, conf, worker, ids[i]);
	return (int)n;
}
