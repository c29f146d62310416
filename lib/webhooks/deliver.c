/*
 * deliver.c - the worker's webhook jobs. Fan-out reads the event outbox
 * (events_consume) and queues one delivery per matching active
 * subscription, or for the one subscription an event is addressed to.
 * Delivery claims due deliveries in batches with a lease (SKIP LOCKED,
 * then a compare-and-set UPDATE on state and lease under a token of this
 * claim, so two workers, on several hosts or Galera nodes, never both
 * hold one), logs each attempt as sending, POSTs the signed envelopes
 * concurrently (curl multi: delivery_concurrency in flight, at most
 * delivery_per_endpoint to one endpoint, connections kept open between
 * requests), completes the attempts' log rows, and either finishes each
 * delivery or schedules its next attempt with backoff and jitter. Delivery is at least once: a worker that dies
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

/* Ids one claim takes at most: the length of the IN lists below. */
#define DELIVER_BATCH		32
/* Subscriptions a claim passes over (their endpoint's line is full). */
#define DELIVER_SKIP		16
/* How long a turn waits for the answers still in flight before it
 * records those that came (each turn's commit flushes the log). */
#define DELIVER_GATHER_MS	2
/* One deliver_job call drives the transfers this long at most, so the
 * worker's other jobs (fan-out first) still run between calls. */
#define DELIVER_SLICE_MS	200
/* A lease taken longer ago than this is renewed before its send, so
 * that it covers the whole request (timeout: lease - 1 s). */
#define DELIVER_RENEW_MS	500
/* A delivery claimed for an endpoint whose line is full is handed back,
 * due again this many seconds later (not an attempt). */
#define DELIVER_DEFER_SECONDS	1
#define FAILING_DISABLE_DAYS	5
/* What the log says of an attempt in flight, and of one whose worker
 * stopped before it logged an answer. */
#define DELIVER_SENDING		"sending: no answer yet"
#define DELIVER_INTERRUPTED	"interrupted: the worker stopped before an " \
				"answer was logged"

enum deliver_sql_id {
	SQL_FAN_SUBS, SQL_FAN_SUB_ONE, SQL_CLAIM, SQL_LEASE,
	SQL_RENEW, SQL_RELEASE, SQL_LOAD, SQL_ATTEMPT, SQL_ATTEMPT_NO,
	SQL_ATTEMPT_NOS, SQL_ATTEMPT_CUT, SQL_ATTEMPT_END,
	SQL_DONE, SQL_HELD, SQL_DONE_OK, SQL_SUB_OK, SQL_SUB_FAILING,
	DELIVER_SQL__MAX
};

/* A list of DELIVER_BATCH ids (unused places bound to 0, no row's id),
 * and of DELIVER_SKIP subscriptions. */
#define IDS4	"?,?,?,?"
#define IDS16	IDS4 "," IDS4 "," IDS4 "," IDS4
#define IDS32	IDS16 "," IDS16

static const char *const deliver_sql[DELIVER_SQL__MAX] = {
	[SQL_FAN_SUBS] =
	    "SELECT id FROM webhook_subscriptions WHERE org_id = ? AND active = 1"
	    " AND (events = '*' OR FIND_IN_SET(?, events) > 0)",
	/* The addressee of a directed event, whatever its filter and state. */
	[SQL_FAN_SUB_ONE] =
	    "SELECT id FROM webhook_subscriptions WHERE id = ? AND org_id = ?",
	/* Due, or held by a worker whose lease ran out (it died); not to
	 * the subscriptions listed (their endpoint has its fill here). */
	[SQL_CLAIM] =
	    "SELECT id FROM webhook_deliveries"
	    " WHERE ((state = 'pending' AND next_attempt_at <= NOW(3))"
	    " OR (state = 'delivering' AND lease_until < NOW(3)))"
	    " AND (subscription_id IS NULL OR subscription_id NOT IN (" IDS16 "))"
	    " ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED",
	/* The lease is a compare-and-set: only rows still due (or whose
	 * lease ran out) take this claim's token, so of two workers (two
	 * Galera nodes: one loses at certification) only one holds a row;
	 * what it holds is read back by the token (SQL_LOAD). */
	[SQL_LEASE] =
	    "UPDATE webhook_deliveries SET state = 'delivering', lease_owner = ?,"
	    " lease_until = NOW(3) + INTERVAL ? SECOND WHERE id IN (" IDS32 ")"
	    " AND ((state = 'pending' AND next_attempt_at <= NOW(3))"
	    " OR (state = 'delivering' AND lease_until < NOW(3)))",
	/* Just before sending: still ours? Then the lease covers this send. */
	[SQL_RENEW] =
	    "UPDATE webhook_deliveries SET lease_until = NOW(3) + INTERVAL ? SECOND"
	    " WHERE id = ? AND lease_owner = ? AND state = 'delivering'"
	    " AND lease_until > NOW(3)",
	/* Hand a held delivery back, due after ? seconds: not sent. */
	[SQL_RELEASE] =
	    "UPDATE webhook_deliveries SET state = 'pending', lease_owner = NULL,"
	    " lease_until = NULL, next_attempt_at = NOW(3) + INTERVAL ? SECOND"
	    " WHERE id = ? AND lease_owner = ? AND state = 'delivering'",
	/* What a claim holds: to a subscription (s.*) or an integration
	 * (i.public_id). */
	[SQL_LOAD] =
	    "SELECT d.public_id, d.event_type, d.attempts, s.url, s.secret_enc,"
	    " s.active, e.payload, s.id, d.org_id, i.public_id, d.id"
	    " FROM webhook_deliveries d"
	    " LEFT JOIN webhook_subscriptions s ON s.id = d.subscription_id"
	    " LEFT JOIN integrations i ON i.id = d.integration_id"
	    " JOIN events e ON e.id = d.event_id WHERE d.id IN (" IDS32 ")"
	    " AND d.lease_owner = ? AND d.state = 'delivering'"
	    " ORDER BY d.next_attempt_at, d.id",
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
	/* The same for a batch whose leases are held: the last numbers,
	 * and how many a dead worker left sending. */
	[SQL_ATTEMPT_NOS] =
	    "SELECT delivery_id, MAX(attempt_no), SUM(state = 'sending')"
	    " FROM webhook_attempts"
	    " WHERE delivery_id IN (" IDS32 ") GROUP BY delivery_id",
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
	/* A turn's finished deliveries still in our hands, locked until
	 * commit: the compare-and-set of SQL_DONE for the whole batch. */
	[SQL_HELD] =
	    "SELECT id, lease_owner FROM webhook_deliveries"
	    " WHERE id IN (" IDS32 ") AND state = 'delivering' FOR UPDATE",
	/* Those of them that succeeded with one status, in one statement
	 * (SQL_DONE's outcome for each). */
	[SQL_DONE_OK] =
	    "UPDATE webhook_deliveries SET state = 'succeeded',"
	    " attempts = attempts + 1, last_status = ?, next_attempt_at = NOW(3),"
	    " lease_owner = NULL, lease_until = NULL"
	    " WHERE id IN (" IDS32 ") AND state = 'delivering'",
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

/* Multi-row statements, built at every chunk size by the registry:
 * one event's deliveries, and one turn's attempts logged as sending. */
enum deliver_shape_id {
	SHAPE_FAN_INSERT, SHAPE_ATTEMPTS, SHAPE_ATTEMPTS_END, DELIVER_SHAPE__MAX
};

static const struct db_shape deliver_shapes[DELIVER_SHAPE__MAX] = {
	[SHAPE_FAN_INSERT] = { "INSERT IGNORE INTO webhook_deliveries"
	    " (public_id, org_id, subscription_id, event_id, event_type)"
	    " VALUES ", "(?, ?, ?, ?, ?)", "" },
	[SHAPE_ATTEMPTS] = { "INSERT INTO webhook_attempts (delivery_id,"
	    " attempt_no, state, worker, started_at, duration_ms, error)"
	    " VALUES ", "(?, ?, 'sending', ?, ?, 0, '" DELIVER_SENDING "')",
	    "" },
	/* A turn's outcomes into their attempts' rows (SQL_ATTEMPT_END for
	 * each): the rows exist, written as sending by this lease, so the
	 * key always matches; state is set last, as the IFs read it. */
	[SHAPE_ATTEMPTS_END] = { "INSERT INTO webhook_attempts (delivery_id,"
	    " attempt_no, state, worker, started_at, duration_ms, status_code,"
	    " error, response_excerpt) VALUES ",
	    "(?, ?, 'done', ?, ?, ?, ?, ?, ?)",
	    " ON DUPLICATE KEY UPDATE"
	    " duration_ms = IF(state = 'sending', VALUES(duration_ms),"
	    "  duration_ms),"
	    " status_code = IF(state = 'sending', VALUES(status_code),"
	    "  status_code),"
	    " error = IF(state = 'sending', VALUES(error), error),"
	    " response_excerpt = IF(state = 'sending', VALUES(response_excerpt),"
	    "  response_excerpt),"
	    " state = 'done'" },
};

const struct db_stmts deliver_stmts = {
	"deliver", deliver_sql, DELIVER_SQL__MAX, deliver_shapes,
	DELIVER_SHAPE__MAX
};

/*
 * One fan-out pass's last subscription lookup, kept for the next event
 * of the same organization and type (a backlog is mostly that): the
 * pass reads them all in one transaction, so a lookup repeated inside
 * it would see the same rows.
 */
struct deliver_fan {
	long long	 org;
	const char	*type;
	struct db_rows	*subs;
};

/* The active subscriptions of org whose filter names type, looked up
 * once per run of events alike; rows stay owned by fan. */
static enum db_code
deliver_fan_subs(struct db *db, struct deliver_fan *fan, long long org,
    const char *type, struct db_rows **subs)
{
	enum db_code	 code;

	if (fan->subs == NULL || fan->org != org || fan->type != type) {
		db_rows_free(fan->subs);
		fan->subs = NULL;
		if ((code = db_query(db, &fan->subs, deliver_sql[SQL_FAN_SUBS],
		    DB_PARAMS(DB_INT(org), DB_STR(type)))) != DB_OK) {
			fan->subs = NULL;
			return code;
		}
		fan->org = org;
		fan->type = type;
	}
	*subs = fan->subs;
	return DB_OK;
}

/* One delivery of event ev per row of subs (column 0: its id), in
 * multi-row INSERTs of the registry's chunk sizes. */
static enum db_code
deliver_fan_insert(struct db *db, const struct event *ev, const char *type,
    const struct db_rows *subs)
{
	struct db_param	 p[5 * DB_CHUNK_ROWS];
	char		 ids[DB_CHUNK_ROWS][37];
	enum db_code	 code = DB_OK;
	size_t		 off = 0, k, i;

	while (code == DB_OK && off < subs->nrows) {
		k = db_chunk_size(subs->nrows - off);
		for (i = 0; i < k; i++) {
			crypto_uuid7(ids[i]);
			p[5 * i] = DB_STR(ids[i]);
			p[5 * i + 1] = DB_INT(ev->org_id);
			p[5 * i + 2] = DB_INT(atoll(db_cell(subs, off + i, 0)));
			p[5 * i + 3] = DB_INT(ev->id);
			p[5 * i + 4] = DB_STR(type);
		}
		code = db_exec(db, dbreg_shape(&deliver_shapes[SHAPE_FAN_INSERT],
		    k), p, 5 * k);
		off += k;
	}
	return code;
}

/*
 * Queue deliveries for one event: an event addressed to one subscription
 * goes to it alone (a disabled one logs its delivery as not sent), any
 * other to each active subscription of its organization whose filter
 * names its type. DB_OK when done.
 */
static enum db_code
deliver_fan_event(struct db *db, const struct event *ev, void *ctx)
{
	struct deliver_fan *fan = ctx;
	struct db_rows	*one = NULL, *subs = NULL;
	const char	*type = events_name(ev->type);
	enum db_code	 code;

	if (ev->subscription_id > 0) {
		if ((code = db_query(db, &one, deliver_sql[SQL_FAN_SUB_ONE],
		    DB_PARAMS(DB_INT(ev->subscription_id),
		    DB_INT(ev->org_id)))) != DB_OK)
			return code;
		subs = one;
	} else if (!events_subscribable(ev->type))
		return DB_OK;	/* nobody may ask for it */
	else if ((code = outgoing_fan_event(db, ev)) != DB_OK)
		return code;	/* the integrations' share first */
	else if ((code = deliver_fan_subs(db, fan, ev->org_id, type, &subs)) !=
	    DB_OK)
		return code;
	code = deliver_fan_insert(db, ev, type, subs);
	db_rows_free(one);
	return code;
}

/* The last fan-out read a full batch: more events are waiting. */
static int	deliver_fan_backlog;

/* Worker job: turn new events into deliveries (an event it fails on is
 * retried, then parked, by events_consume). Returns events read. */
int
deliver_fanout_job(struct db *db, const struct conf *conf)
{
	struct deliver_fan	 fan = { 0, NULL, NULL };
	int			 n;

	n = events_consume(db, conf, "webhooks", EVENTS_ALL, deliver_fan_event,
	    &fan);
	db_rows_free(fan.subs);
	deliver_fan_backlog = n >= EVENTS_BATCH;
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

/* X-Mihwar-Attempt: the attempt's number in the delivery's log. Every
 * attempt of a delivery has its webhook-id; the number tells a receiver
 * (and the cluster test) a new attempt from the same one sent twice. */
static struct curl_slist *
deliver_attempt_header(struct curl_slist *h, long long attempt_no)
{
	struct curl_slist	*n;
	char			 line[48];

	snprintf(line, sizeof(line), "X-Mihwar-Attempt: %lld", attempt_no);
	return (n = curl_slist_append(h, line)) != NULL ? n : h;
}

struct delivery {
	long long	 rowid, sub;
	long long	 attempt_no;	/* its row in the attempt log */
	char		 started[24];	/* that row's started_at */
	char		 id[37];
	char		 type[65];
	long long	 attempts;
	int		 active;
	char		*url, *payload;
	char		 secret[WEBHOOK_SECRET_MAX];
	char		 lease[100];	/* the claim's token: lease_owner */
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

/* Row r of SQL_LOAD into d (whose lease is set); 0 when it cannot be
 * sent (logged). */
static int
deliver_load_row(struct db *db, struct db_rows *rows, size_t r,
    struct delivery *d)
{
	unsigned long	 n;

	d->rowid = atoll(db_cell(rows, r, 10));
	if (db_cell(rows, r, 9) != NULL) {
		if (!deliver_load_integ(db, atoll(db_cell(rows, r, 8)),
		    db_cell(rows, r, 9), d))
			return 0;
		goto common;
	}
	n = rows->lens[r * rows->ncols + 4];
	if (n <= CRYPTO_SEAL_OVERHEAD || n - CRYPTO_SEAL_OVERHEAD >=
	    sizeof(d->secret) || !crypto_open((const unsigned char *)
	    db_cell(rows, r, 4), n, (unsigned char *)d->secret)) {
		log_error("deliver: cannot open the secret of delivery %lld "
		    "(master key changed?)", d->rowid);
		return 0;
	}
	d->secret[n - CRYPTO_SEAL_OVERHEAD] = '\0';
	d->url = strdup(db_cell(rows, r, 3));
	d->active = strcmp(db_cell(rows, r, 5), "1") == 0;
	d->sub = atoll(db_cell(rows, r, 7));
common:
	snprintf(d->id, sizeof(d->id), "%s", db_cell(rows, r, 0));
	snprintf(d->type, sizeof(d->type), "%s", db_cell(rows, r, 1));
	d->attempts = atoll(db_cell(rows, r, 2));
	d->payload = strdup(db_cell(rows, r, 6));
	return d->url != NULL && d->payload != NULL;
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

/* What a recorded outcome does to its subscription's failing state. */
enum deliver_mark { MARK_NONE, MARK_OK, MARK_FAILING, MARK_BY_OUTCOME };

static enum db_code
deliver_mark_sub(struct db *db, long long sub, enum deliver_mark mark)
{
	if (mark == MARK_OK)
		return db_exec(db, deliver_sql[SQL_SUB_OK],
		    DB_PARAMS(DB_INT(sub)));
	if (mark == MARK_FAILING)
		return db_exec(db, deliver_sql[SQL_SUB_FAILING], DB_PARAMS(
		    DB_INT(FAILING_DISABLE_DAYS), DB_INT(FAILING_DISABLE_DAYS),
		    DB_INT(FAILING_DISABLE_DAYS), DB_INT(sub)));
	return DB_OK;
}

/*
 * Inside a transaction: move the delivery on and complete its attempt's
 * log row (not when with_log is 0), only while we hold the lease:
 * DB_NOTFOUND, having changed nothing, when we no longer do. mark says
 * what to do to the subscription (a batch marks each one once).
 */
static enum db_code
deliver_record_rows(struct db *db, const struct conf *conf,
    const struct delivery *d, const char *body, const struct httpout_res *res,
    const char *excerpt, int with_log, enum deliver_mark mark)
{
	const char	*state = deliver_state(conf, d, res);
	enum db_code	 code;

	if ((code = db_exec(db, deliver_sql[SQL_DONE],
	    DB_PARAMS(DB_STR(state), res->status ?
	    DB_INT(res->status) : DB_NULL, DB_INT(strcmp(state, "pending") == 0 ?
	    deliver_delay(conf, d->attempts + 1) : 0), DB_INT(d->rowid),
	    DB_STR(d->lease)))) != DB_OK)
		return code;
	if (db_affected(db) != 1) {
		log_warn("deliver: lost the lease of %s while sending", d->id);
		return DB_NOTFOUND;
	}
	if (mark == MARK_BY_OUTCOME)
		mark = strcmp(state, "succeeded") == 0 ? MARK_OK :
		    MARK_FAILING;
	if (d->integ != NULL)
		code = with_log ? outgoing_log_attempt(db, d->integ, d->id,
		    d->type, body, res) : DB_OK;
	else
		code = deliver_mark_sub(db, d->sub, mark);
	if (code != DB_OK || !with_log)
		return code;
	return db_exec(db, deliver_sql[SQL_ATTEMPT_END],
	    DB_PARAMS(DB_INT(res->ms > 0 ? res->ms : 0),
	    res->status ? DB_INT(res->status) : DB_NULL,
	    DB_STR(res->error[0] ? res->error : NULL),
	    DB_STR(excerpt[0] ? excerpt : NULL), DB_INT(d->rowid),
	    DB_INT(d->attempt_no)));
}

/* deliver_record_rows in a transaction of its own. */
static enum db_code
deliver_record_tx(struct db *db, const struct conf *conf,
    const struct delivery *d, const char *body, const struct httpout_res *res,
    const char *excerpt, int with_log)
{
	enum db_code	 code;

	if ((code = db_begin(db)) != DB_OK)
		return code;
	if ((code = deliver_record_rows(db, conf, d, body, res, excerpt,
	    with_log, MARK_BY_OUTCOME)) != DB_OK) {
		db_rollback(db);
		return code;
	}
	return db_commit(db);
}

/* The first 1000 bytes of the answer, as the log keeps them. */
static void
deliver_excerpt(const struct httpout_res *res, char excerpt[1024])
{
	snprintf(excerpt, 1024, "%.*s", (int)(res->body.len > 1000 ?
	    1000 : res->body.len), res->body.data ? res->body.data : "");
	if (!util_utf8_valid(excerpt, strlen(excerpt)))
		snprintf(excerpt, 1024, "(not UTF-8 text)");
}

static void
deliver_log_outcome(const struct conf *conf, const struct delivery *d,
    const struct httpout_res *res)
{
	log_info("deliver: %s %s attempt %lld -> %ld (%s) in %lld ms", d->id,
	    d->type, d->attempts + 1, res->status, deliver_state(conf, d, res),
	    (long long)res->ms);
}

/* One delivery's outcome alone: the way back when a batch's
 * transaction could not be committed. */
static void
deliver_record(struct db *db, const struct conf *conf,
    const struct delivery *d, const char *body, const struct httpout_res *res)
{
	char		 excerpt[1024];
	enum db_code	 code;
	int		 tries = 0;

	deliver_excerpt(res, excerpt);
	/* A lock conflict or a lost connection rolls back cleanly: try
	 * again before leaving the delivery to its lease (which would send
	 * it a second time). */
	do
		code = deliver_record_tx(db, conf, d, body, res, excerpt, 1);
	while (code != DB_OK && code != DB_NOTFOUND && db_transient(db) &&
	    ++tries < 3);
	if (code != DB_OK && code != DB_NOTFOUND) {
		/* Keep at least the outcome, so that the lease running out
		 * does not send the delivery again. */
		log_error("deliver: could not log attempt of %s: %s", d->id,
		    db_errstr(db));
		code = deliver_record_tx(db, conf, d, body, res, excerpt, 0);
	}
	if (code == DB_NOTFOUND)
		return;
	if (code != DB_OK) {
		log_error("deliver: could not record delivery %s: %s", d->id,
		    db_errstr(db));
		return;
	}
	deliver_log_outcome(conf, d, res);
}

/*
 * Before one send, in one transaction: renew the lease (DB_NOTFOUND when
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
	    DB_INT(d->rowid), DB_STR(d->lease)))) != DB_OK)
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
 * left to its lease (and sent later, by whichever worker holds it). The
 * way back when a batch's transaction could not be committed. */
static int
deliver_log_start(struct db *db, const struct conf *conf, const char *worker,
    struct delivery *d)
{
	char		 started[24];
	enum db_code	 code;
	int		 tries = 0;

	util_sql_time(util_now_ms(), started);
	snprintf(d->started, sizeof(d->started), "%s", started);
	do
		code = deliver_log_start_tx(db, conf, worker, d, started);
	while (code != DB_OK && code != DB_NOTFOUND && db_transient(db) &&
	    ++tries < 3);
	if (code != DB_OK && code != DB_NOTFOUND)
		log_error("deliver: could not log the start of %s, not sent: "
		    "%s", d->id, db_errstr(db));
	return code == DB_OK;
}

/*
 * The worker's deliveries in hand. Each claimed delivery waits in line
 * until its endpoint has a free slot (delivery_per_endpoint) and the
 * worker one (delivery_concurrency), is logged as sending, goes out on
 * the multi, and is done when its answer (or error) is in; done ones
 * are recorded together in one transaction, with the starts of the
 * next ones. An endpoint's line is at most delivery_concurrency long:
 * while it is full, claims pass over its subscriptions, so one slow
 * receiver holds its own slots and line, never the others'.
 */
struct deliver_job {
	struct delivery		 d;
	char			 endpoint[320];
	int64_t			 leased_at;	/* ms: taken or renewed */
	char			*body;
	struct curl_slist	*hdrs;
	struct httpout_req	 q;
	struct httpout_res	 res;
	int			 dropped;	/* the lease is no longer ours */
	struct deliver_job	*next;
};

static struct deliver_pool {
	struct httpout_multi	*multi;
	struct deliver_job	*waiting;	/* in line, claim order */
	struct deliver_job	*sending;	/* on the multi */
	struct deliver_job	*finished;	/* done without a request */
	size_t			 nsending;
	unsigned long long	 claims;	/* lease tokens */
} pool;

static void
deliver_job_free(struct deliver_job *j)
{
	deliver_free(&j->d);
	free(j->body);
	curl_slist_free_all(j->hdrs);
	buf_cleanup(&j->res.body);
	free(j);
}

static void
deliver_push(struct deliver_job **list, struct deliver_job *j)
{
	while (*list != NULL)
		list = &(*list)->next;
	j->next = NULL;
	*list = j;
}

/* Jobs of list to endpoint ep. */
static size_t
deliver_count(const struct deliver_job *list, const char *ep)
{
	size_t	 n = 0;

	for (; list != NULL; list = list->next)
		n += strcmp(list->endpoint, ep) == 0;
	return n;
}

static size_t
deliver_held(const char *ep)
{
	return deliver_count(pool.sending, ep) + deliver_count(pool.waiting,
	    ep);
}

/* An endpoint's line is full: its slots and delivery_concurrency more. */
static int
deliver_line_full(const struct conf *conf, const char *ep)
{
	return deliver_held(ep) >= (size_t)(conf->delivery_per_endpoint +
	    conf->delivery_concurrency);
}

/* Build j's request (envelope signed, or a chat body) and put it on the
 * multi; one that cannot go (disabled, refused URL) is finished. */
static void
deliver_send(const struct conf *conf, struct deliver_job *j)
{
	struct delivery	*d = &j->d;

	if (d->integ != NULL && outgoing_format_of(d->integ) !=
	    OUTGOING_STANDARD) {
		/* Discord and Slack take their own shape, unsigned. */
		j->body = outgoing_chat_body(outgoing_format_of(d->integ),
		    d->type, d->payload, d->integ->config);
		j->hdrs = curl_slist_append(NULL,
		    "Content-Type: application/json");
	} else {
		j->body = deliver_envelope(d->type, d->payload);
		j->hdrs = j->body != NULL ? deliver_headers(d->secret, d->id,
		    d->type, j->body) : NULL;
		if (j->hdrs != NULL)
			j->hdrs = deliver_attempt_header(j->hdrs, d->attempt_no);
	}
	if (!d->active || j->body == NULL) {
		memset(&j->res, 0, sizeof(j->res));
		buf_init(&j->res.body);
		snprintf(j->res.error, sizeof(j->res.error), j->body == NULL ?
		    "out of memory" : d->integ != NULL ? "integration inactive: "
		    "not sent" : "subscription disabled");
		deliver_push(&pool.finished, j);
		return;
	}
	httpout_post_req(conf, d->url, j->hdrs, j->body, strlen(j->body),
	    &j->q);
	if (!httpout_multi_add(pool.multi, &j->q, &j->res, j)) {
		deliver_push(&pool.finished, j);
		return;
	}
	j->next = pool.sending;
	pool.sending = j;
	pool.nsending++;
}

/* Take j off the sending list. */
static void
deliver_unlink_sending(struct deliver_job *j)
{
	struct deliver_job	**p;

	for (p = &pool.sending; *p != NULL; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			pool.nsending--;
			return;
		}
}

/* Up to DELIVER_BATCH jobs that are done, into done after its first n;
 * the count then. */
static size_t
deliver_harvest(struct deliver_job *done[DELIVER_BATCH], size_t n)
{
	struct deliver_job	*j;

	while (n < DELIVER_BATCH && (j = pool.finished) != NULL) {
		pool.finished = j->next;
		done[n++] = j;
	}
	while (n < DELIVER_BATCH && (j = httpout_multi_next(pool.multi)) !=
	    NULL) {
		deliver_unlink_sending(j);
		done[n++] = j;
	}
	return n;
}

/* Jobs of start[0..n) to endpoint ep. */
static size_t
deliver_count_in(struct deliver_job *const *start, size_t n, const char *ep)
{
	size_t	 i, c = 0;

	for (i = 0; i < n; i++)
		c += strcmp(start[i]->endpoint, ep) == 0;
	return c;
}

/* Take from the line, in order, the jobs that have a free slot now. */
static size_t
deliver_pick(const struct conf *conf, struct deliver_job *start[DELIVER_BATCH])
{
	struct deliver_job	**p = &pool.waiting, *j;
	size_t			 n = 0;

	while ((j = *p) != NULL && n < DELIVER_BATCH &&
	    pool.nsending + n < (size_t)conf->delivery_concurrency) {
		if (deliver_count(pool.sending, j->endpoint) +
		    deliver_count_in(start, n, j->endpoint) >=
		    (size_t)conf->delivery_per_endpoint) {
			p = &j->next;
			continue;
		}
		*p = j->next;
		start[n++] = j;
	}
	return n;
}

/* Bind ids of jobs (those still held) to an IN list of DELIVER_BATCH. */
static void
deliver_bind_ids(struct db_param p[DELIVER_BATCH],
    struct deliver_job *const *jobs, size_t n)
{
	size_t	 i, k = 0;

	for (i = 0; i < n; i++)
		if (!jobs[i]->dropped)
			p[k++] = DB_INT(jobs[i]->d.rowid);
	while (k < DELIVER_BATCH)
		p[k++] = DB_INT(0);
}

/* The attempt rows of the jobs of start still held, as sending, in
 * multi-row INSERTs of the registry's chunk sizes (n <= DELIVER_BATCH). */
static enum db_code
deliver_attempts_insert(struct db *db, const char *worker,
    const char *started, struct deliver_job *const *start, size_t n)
{
	struct db_param	 p[4 * DELIVER_BATCH];
	enum db_code	 code = DB_OK;
	size_t		 i, k = 0, off = 0, c;

	for (i = 0; i < n; i++) {
		if (start[i]->dropped)
			continue;
		p[4 * k] = DB_INT(start[i]->d.rowid);
		p[4 * k + 1] = DB_INT(start[i]->d.attempt_no);
		p[4 * k + 2] = DB_STR(worker);
		p[4 * k + 3] = DB_STR(started);
		k++;
	}
	while (code == DB_OK && off < k) {
		c = db_chunk_size(k - off);
		code = db_exec(db, dbreg_shape(&deliver_shapes[SHAPE_ATTEMPTS],
		    c), p + 4 * off, 4 * c);
		off += c;
	}
	return code;
}

/*
 * Inside a transaction: log the jobs of start as sending (the batch
 * form of deliver_log_start_tx). A lease taken more than
 * DELIVER_RENEW_MS ago is renewed first; one lost meanwhile drops its
 * job. Then the last attempt numbers are read (no locks), the attempts
 * a dead worker left sending closed (only where there are some: that
 * UPDATE's gap locks, taken by two workers' batches at once, deadlocked
 * their INSERTs), and an attempt row written for each.
 */
static enum db_code
deliver_starts_rows(struct db *db, const struct conf *conf,
    const char *worker, struct deliver_job *const *start, size_t n)
{
	struct db_param	 ids[DELIVER_BATCH];
	struct db_rows	*rows = NULL;
	struct delivery	*d;
	char		 started[24];
	int64_t		 now = util_now_ms();
	enum db_code	 code;
	size_t		 i, r;

	for (i = 0; i < n; i++) {
		d = &start[i]->d;
		d->attempt_no = 1;
		if (now - start[i]->leased_at <= DELIVER_RENEW_MS)
			continue;
		if ((code = db_exec(db, deliver_sql[SQL_RENEW],
		    DB_PARAMS(DB_INT(conf->webhook_lease_seconds),
		    DB_INT(d->rowid), DB_STR(d->lease)))) != DB_OK)
			return code;
		start[i]->dropped = db_affected(db) != 1;
	}
	deliver_bind_ids(ids, start, n);
	if ((code = db_query(db, &rows, deliver_sql[SQL_ATTEMPT_NOS], ids,
	    DELIVER_BATCH)) != DB_OK)
		return code;
	for (r = 0; r < rows->nrows && code == DB_OK; r++)
		for (i = 0; i < n && code == DB_OK; i++) {
			d = &start[i]->d;
			if (start[i]->dropped ||
			    d->rowid != atoll(db_cell(rows, r, 0)))
				continue;
			d->attempt_no = atoll(db_cell(rows, r, 1)) + 1;
			if (atoll(db_cell(rows, r, 2)) > 0)
				code = db_exec(db, deliver_sql[SQL_ATTEMPT_CUT],
				    DB_PARAMS(DB_INT(d->rowid)));
		}
	db_rows_free(rows);
	if (code != DB_OK)
		return code;
	util_sql_time(now, started);
	for (i = 0; i < n; i++)
		memcpy(start[i]->d.started, started, sizeof(started));
	return deliver_attempts_insert(db, worker, started, start, n);
}

/* Subscriptions first, in id order: the rows two workers' batches both
 * lock (SQL_SUB_OK) are then taken in the same order. */
static int
deliver_by_sub(const void *a, const void *b)
{
	const struct deliver_job *x = *(struct deliver_job *const *)a;
	const struct deliver_job *y = *(struct deliver_job *const *)b;

	return (x->d.sub > y->d.sub) - (x->d.sub < y->d.sub);
}

/*
 * What done[i] (sorted by subscription) does to its subscription: the
 * last of each subscription's run marks it once, working if any of the
 * run succeeded, else failing; the others leave it.
 */
static enum deliver_mark
deliver_mark_of(const struct conf *conf, struct deliver_job *const *done,
    size_t ndone, size_t i)
{
	size_t	 k;

	if (i + 1 < ndone && done[i + 1]->d.sub == done[i]->d.sub)
		return MARK_NONE;
	for (k = i + 1; k-- > 0 && done[k]->d.sub == done[i]->d.sub; )
		if (strcmp(deliver_state(conf, &done[k]->d, &done[k]->res),
		    "succeeded") == 0)
			return MARK_OK;
	return MARK_FAILING;
}

/* Which of done are still ours (lease token and state), locking their
 * rows until commit; the others are dropped, having changed nothing. */
static enum db_code
deliver_held_rows(struct db *db, struct deliver_job *const *done,
    size_t ndone)
{
	struct db_param	 ids[DELIVER_BATCH];
	struct db_rows	*rows = NULL;
	const char	*owner;
	enum db_code	 code;
	size_t		 i, r;
	int		 held;

	for (i = 0; i < ndone; i++)
		done[i]->dropped = 0;
	deliver_bind_ids(ids, done, ndone);
	if ((code = db_query(db, &rows, deliver_sql[SQL_HELD], ids,
	    DELIVER_BATCH)) != DB_OK)
		return code;
	for (i = 0; i < ndone; i++) {
		for (held = 0, r = 0; r < rows->nrows && !held; r++) {
			owner = db_cell(rows, r, 1);
			held = atoll(db_cell(rows, r, 0)) == done[i]->d.rowid &&
			    owner != NULL && strcmp(owner, done[i]->d.lease) == 0;
		}
		if (!held) {
			log_warn("deliver: lost the lease of %s while sending",
			    done[i]->d.id);
			done[i]->dropped = 1;
		}
	}
	db_rows_free(rows);
	return DB_OK;
}

/* The successes of ok (held, locked), one UPDATE per answer status. */
static enum db_code
deliver_done_ok(struct db *db, struct deliver_job *const *ok, size_t nok)
{
	struct deliver_job	*same[DELIVER_BATCH];
	struct db_param		 p[DELIVER_BATCH + 1];
	char			 taken[DELIVER_BATCH] = { 0 };
	enum db_code		 code;
	size_t			 i, k, n;

	for (i = 0; i < nok; i++) {
		if (taken[i])
			continue;
		for (n = 0, k = i; k < nok; k++)
			if (!taken[k] && ok[k]->res.status == ok[i]->res.status) {
				taken[k] = 1;
				same[n++] = ok[k];
			}
		p[0] = DB_INT(ok[i]->res.status);
		deliver_bind_ids(p + 1, same, n);
		if ((code = db_exec(db, deliver_sql[SQL_DONE_OK], p,
		    DELIVER_BATCH + 1)) != DB_OK)
			return code;
		if (db_affected(db) != (uint64_t)n) {
			log_error("deliver: %lld of %zu locked deliveries "
			    "completed", (long long)db_affected(db), n);
			return DB_ERROR;	/* one by one, as a failed batch */
		}
	}
	return DB_OK;
}

/* The attempt rows of ok completed with their outcomes, in multi-row
 * statements of the registry's chunk sizes. */
static enum db_code
deliver_attempts_end(struct db *db, const char *worker,
    struct deliver_job *const *ok, size_t nok)
{
	static char	 excerpt[DELIVER_BATCH][1024];
	struct db_param	 p[8 * DELIVER_BATCH], *q;
	enum db_code	 code = DB_OK;
	size_t		 i, off = 0, c;

	for (i = 0; i < nok; i++) {
		const struct httpout_res *res = &ok[i]->res;

		deliver_excerpt(res, excerpt[i]);
		q = p + 8 * i;
		q[0] = DB_INT(ok[i]->d.rowid);
		q[1] = DB_INT(ok[i]->d.attempt_no);
		q[2] = DB_STR(worker);
		q[3] = DB_STR(ok[i]->d.started);
		q[4] = DB_INT(res->ms > 0 ? res->ms : 0);
		q[5] = res->status ? DB_INT(res->status) : DB_NULL;
		q[6] = DB_STR(res->error[0] ? res->error : NULL);
		q[7] = DB_STR(excerpt[i][0] ? excerpt[i] : NULL);
	}
	while (code == DB_OK && off < nok) {
		c = db_chunk_size(nok - off);
		code = db_exec(db, dbreg_shape(
		    &deliver_shapes[SHAPE_ATTEMPTS_END], c), p + 8 * off, 8 * c);
		off += c;
	}
	return code;
}

/*
 * Inside a transaction: the outcomes of done. The rows still ours are
 * locked first (one read FOR UPDATE, the lease's compare-and-set for
 * the whole turn: no other worker can change them before commit); the
 * successes to subscriptions are then completed together, and the rest
 * (a retry, a failure, an integration's) one by one, as before.
 */
static enum db_code
deliver_done_rows(struct db *db, const struct conf *conf, const char *worker,
    struct deliver_job *const *done, size_t ndone)
{
	struct deliver_job	*ok[DELIVER_BATCH];
	char			 excerpt[1024];
	enum db_code		 code;
	size_t			 i, nok = 0;

	if ((code = deliver_held_rows(db, done, ndone)) != DB_OK)
		return code;
	for (i = 0; i < ndone; i++) {
		if (done[i]->dropped)
			continue;
		if (done[i]->d.integ == NULL && strcmp(deliver_state(conf,
		    &done[i]->d, &done[i]->res), "succeeded") == 0) {
			ok[nok++] = done[i];
			continue;
		}
		deliver_excerpt(&done[i]->res, excerpt);
		code = deliver_record_rows(db, conf, &done[i]->d,
		    done[i]->body, &done[i]->res, excerpt, 1, MARK_NONE);
		done[i]->dropped = code == DB_NOTFOUND;
		if (code != DB_OK && code != DB_NOTFOUND)
			return code;
	}
	if (nok == 0 || (code = deliver_done_ok(db, ok, nok)) != DB_OK)
		return nok == 0 ? DB_OK : code;
	return deliver_attempts_end(db, worker, ok, nok);
}

/*
 * One transaction: the outcomes of done, the starts of start, then the
 * subscriptions marked, in id order. The marks come last: a batch that
 * holds a subscription's row then waits for nothing else, where one
 * that marked first and inserted after deadlocked with another
 * worker's batch (its attempt rows' gap locks against our row lock).
 */
static enum db_code
deliver_step_tx(struct db *db, const struct conf *conf, const char *worker,
    struct deliver_job *const *done, size_t ndone,
    struct deliver_job *const *start, size_t nstart)
{
	enum deliver_mark mark;
	enum db_code	 code;
	size_t		 i;

	if ((code = db_begin(db)) != DB_OK)
		return code;
	if (ndone > 0 && (code = deliver_done_rows(db, conf, worker, done,
	    ndone)) != DB_OK)
		goto fail;
	if (nstart > 0 && (code = deliver_starts_rows(db, conf, worker, start,
	    nstart)) != DB_OK)
		goto fail;
	for (i = 0; i < ndone; i++) {
		mark = deliver_mark_of(conf, done, ndone, i);
		if (done[i]->d.integ == NULL && (code = deliver_mark_sub(db,
		    done[i]->d.sub, mark)) != DB_OK)
			goto fail;
	}
	return db_commit(db);
fail:
	db_rollback(db);
	return code;
}

/*
 * Record done and log start in one transaction (tried again when it
 * conflicts); when it cannot be committed, each on its own, the way
 * single deliveries are. Then the started jobs still held go out.
 */
static void
deliver_commit_step(struct db *db, const struct conf *conf,
    const char *worker, struct deliver_job **done, size_t ndone,
    struct deliver_job **start, size_t nstart)
{
	enum db_code	 code;
	size_t		 i;
	int		 tries = 0;

	qsort(done, ndone, sizeof(*done), deliver_by_sub);
	do {
		for (i = 0; i < nstart; i++)
			start[i]->dropped = 0;
		code = deliver_step_tx(db, conf, worker, done, ndone, start,
		    nstart);
	} while (code != DB_OK && db_transient(db) && ++tries < 3);
	if (code != DB_OK) {
		log_warn("deliver: a batch's log failed (%s); one by one",
		    db_errstr(db));
		for (i = 0; i < ndone; i++)
			deliver_record(db, conf, &done[i]->d, done[i]->body,
			    &done[i]->res);
		for (i = 0; i < nstart; i++)
			start[i]->dropped = !deliver_log_start(db, conf,
			    worker, &start[i]->d);
	} else
		for (i = 0; i < ndone; i++)
			if (!done[i]->dropped)
				deliver_log_outcome(conf, &done[i]->d,
				    &done[i]->res);
	for (i = 0; i < ndone; i++)
		deliver_job_free(done[i]);
	for (i = 0; i < nstart; i++) {
		if (start[i]->dropped)
			deliver_job_free(start[i]);
		else
			deliver_send(conf, start[i]);
	}
}

/*
 * Move the transfers on (waiting up to wait_ms for one to finish), then
 * record what is done and start what may go. Returns the deliveries
 * done.
 */
static size_t
deliver_step(struct db *db, const struct conf *conf, const char *worker,
    int wait_ms)
{
	struct deliver_job	*done[DELIVER_BATCH], *start[DELIVER_BATCH];
	size_t			 ndone, nstart;
	int64_t			 end;

	if (pool.nsending > 0)
		httpout_multi_wait(pool.multi, pool.finished != NULL ? 0 :
		    wait_ms);
	ndone = deliver_harvest(done, 0);
	/* A turn costs a commit (a log flush, most of its time): while
	 * as many requests are in flight as have finished, give them
	 * DELIVER_GATHER_MS to finish and share it. */
	for (end = util_now_ms() + DELIVER_GATHER_MS; ndone > 0 &&
	    ndone < DELIVER_BATCH && pool.nsending >= ndone &&
	    util_now_ms() < end; ) {
		httpout_multi_wait(pool.multi, 1);
		ndone = deliver_harvest(done, ndone);
	}
	nstart = deliver_pick(conf, start);
	if (ndone + nstart > 0)
		deliver_commit_step(db, conf, worker, done, ndone, start,
		    nstart);
	return ndone;
}

/* Hand j back, due after delay seconds, and free it. */
static void
deliver_release(struct db *db, struct deliver_job *j, long long delay)
{
	if (db_exec(db, deliver_sql[SQL_RELEASE], DB_PARAMS(DB_INT(delay),
	    DB_INT(j->d.rowid), DB_STR(j->d.lease))) != DB_OK)
		log_warn("deliver: %s not handed back (%s): its lease runs "
		    "out", j->d.id, db_errstr(db));
	deliver_job_free(j);
}

/* The subscriptions of endpoints whose line is full, into p (bound as
 * DELIVER_SKIP values, 0 where unused). */
static void
deliver_bind_skips(const struct conf *conf, struct db_param *p)
{
	const struct deliver_job	*lists[2] = { pool.sending,
					    pool.waiting }, *j;
	long long			 subs[DELIVER_SKIP];
	size_t				 i, k, n = 0;

	for (i = 0; i < 2; i++)
		for (j = lists[i]; j != NULL && n < DELIVER_SKIP; j = j->next) {
			if (j->d.sub <= 0 || !deliver_line_full(conf,
			    j->endpoint))
				continue;
			for (k = 0; k < n && subs[k] != j->d.sub; k++)
				;
			if (k == n)
				subs[n++] = j->d.sub;
		}
	for (k = 0; k < DELIVER_SKIP; k++)
		p[k] = DB_INT(k < n ? subs[k] : 0);
}

/* Lease up to want due deliveries under the token lease; their ids into
 * ids. 0 when none (or the claim lost a conflict: next time). */
static size_t
deliver_lease(struct db *db, const struct conf *conf, const char *lease,
    size_t want, struct db_param ids[DELIVER_BATCH])
{
	struct db_param	 p[DELIVER_SKIP + 1], q[DELIVER_BATCH + 2];
	struct db_rows	*rows = NULL;
	size_t		 i, n;

	deliver_bind_skips(conf, p);
	p[DELIVER_SKIP] = DB_INT((long long)want);
	if (db_begin(db) != DB_OK)
		return 0;
	if (db_query(db, &rows, deliver_sql[SQL_CLAIM], p, DELIVER_SKIP + 1) !=
	    DB_OK || (n = rows->nrows) == 0)
		goto fail;
	for (i = 0; i < DELIVER_BATCH; i++)
		ids[i] = DB_INT(i < n ? atoll(db_cell(rows, i, 0)) : 0);
	q[0] = DB_STR(lease);
	q[1] = DB_INT(conf->webhook_lease_seconds);
	memcpy(q + 2, ids, sizeof(*ids) * DELIVER_BATCH);
	if (db_exec(db, deliver_sql[SQL_LEASE], q, DELIVER_BATCH + 2) != DB_OK)
		goto fail;
	db_rows_free(rows);
	if (db_commit(db) != DB_OK)
		return 0;
	return n;
fail:
	db_rows_free(rows);
	db_rollback(db);
	return 0;
}

/*
 * Claim up to want due deliveries (one SKIP LOCKED read, one
 * compare-and-set lease under a new token, committed), read back what
 * the token holds, and put each in its endpoint's line; one whose line
 * is full is handed back. Returns the deliveries claimed.
 */
static size_t
deliver_claim(struct db *db, const struct conf *conf, const char *worker,
    size_t want)
{
	struct db_param		 ids[DELIVER_BATCH + 1];
	struct db_rows		*rows = NULL;
	struct deliver_job	*j;
	char			 lease[100];
	size_t			 r, n;

	snprintf(lease, sizeof(lease), "%s#%llu", worker, ++pool.claims);
	if ((n = deliver_lease(db, conf, lease, want, ids)) == 0)
		return 0;
	ids[DELIVER_BATCH] = DB_STR(lease);
	if (db_query(db, &rows, deliver_sql[SQL_LOAD], ids,
	    DELIVER_BATCH + 1) != DB_OK) {
		log_error("deliver: cannot read claim %s: %s", lease,
		    db_errstr(db));
		return 0;	/* its leases run out */
	}
	for (r = 0; r < rows->nrows; r++) {
		if ((j = calloc(1, sizeof(*j))) == NULL)
			break;
		snprintf(j->d.lease, sizeof(j->d.lease), "%s", lease);
		buf_init(&j->res.body);
		j->leased_at = util_now_ms();
		if (!deliver_load_row(db, rows, r, &j->d)) {
			deliver_job_free(j);	/* its lease runs out */
			continue;
		}
		httpout_endpoint(j->d.url, j->endpoint, sizeof(j->endpoint));
		if (deliver_line_full(conf, j->endpoint))
			deliver_release(db, j, DELIVER_DEFER_SECONDS);
		else
			deliver_push(&pool.waiting, j);
	}
	n = rows->nrows;
	db_rows_free(rows);
	return n;
}

/*
 * How many more to claim now: up to DELIVER_BATCH, while the jobs that
 * can move (sending, or in a line that is not full) are fewer than
 * twice delivery_concurrency, and no more than the fullest open line
 * has room for (with one endpoint, claims stop at its line's length
 * instead of claiming what would be handed back).
 */
static size_t
deliver_want(const struct conf *conf)
{
	const struct deliver_job	*j;
	size_t				 line = (size_t)(conf->delivery_per_endpoint +
					    conf->delivery_concurrency);
	size_t				 moving = pool.nsending, held, most = 0;
	size_t				 want = DELIVER_BATCH;

	for (j = pool.waiting; j != NULL; j = j->next)
		if ((held = deliver_held(j->endpoint)) < line) {
			moving++;
			if (held > most)
				most = held;
		}
	if (moving >= 2 * (size_t)conf->delivery_concurrency)
		return 0;
	if (want > 2 * (size_t)conf->delivery_concurrency - moving)
		want = 2 * (size_t)conf->delivery_concurrency - moving;
	if (want > line - most)
		want = line - most;
	/* A few at a time cost a claim each: wait for a quarter batch,
	 * unless the line is empty. */
	if (want < DELIVER_BATCH / 4 && pool.waiting != NULL)
		return 0;
	return want;
}

static int
deliver_busy(void)
{
	return pool.nsending > 0 || pool.waiting != NULL ||
	    pool.finished != NULL;
}

static int
deliver_pool_init(const struct conf *conf)
{
	if (pool.multi == NULL)
		pool.multi = httpout_multi_new(conf,
		    (long)conf->delivery_concurrency);
	return pool.multi != NULL;
}

/*
 * Worker job: send what is due, for DELIVER_SLICE_MS at most; transfers
 * still in flight go on at the next call. Claims while there is room,
 * and again after deliveries finish. Returns the deliveries done, at
 * least 1 while some are in hand (so that the worker does not sleep).
 */
int
deliver_job(struct db *db, const struct conf *conf)
{
	const char	*worker = util_host_pid();
	int64_t		 t0 = util_now_ms(), left;
	size_t		 done = 0, want, n;
	int		 dry = 0;

	if (!deliver_pool_init(conf)) {
		log_error("deliver: out of memory");
		return 0;
	}
	for (;;) {
		if (!dry && (want = deliver_want(conf)) > 0)
			dry = deliver_claim(db, conf, worker, want) == 0;
		/* Nothing left to claim while events wait in the outbox
		 * (a backlog, fanned out EVENTS_BATCH a tick): fan out the
		 * next batch here, and claim it, rather than idle until
		 * the next tick. */
		if (dry && deliver_fan_backlog && util_now_ms() - t0 <
		    DELIVER_SLICE_MS && deliver_fanout_job(db, conf) > 0) {
			dry = 0;
			continue;
		}
		if (!deliver_busy())
			break;
		if ((left = DELIVER_SLICE_MS - (util_now_ms() - t0)) <= 0)
			break;
		n = deliver_step(db, conf, worker, left < 50 ? (int)left : 50);
		if (n > 0)
			dry = 0;	/* room again: more may be due */
		done += n;
	}
	return (int)done + deliver_busy();
}

/*
 * When the worker stops: hand back the deliveries still in line (due at
 * once, for another worker), and finish those in flight (each within
 * its timeout) so that none is sent twice.
 */
void
deliver_drain(struct db *db, const struct conf *conf)
{
	const char		*worker = util_host_pid();
	struct deliver_job	*j;

	if (pool.multi == NULL)
		return;
	while ((j = pool.waiting) != NULL) {
		pool.waiting = j->next;
		deliver_release(db, j, 0);
	}
	while (deliver_busy())
		deliver_step(db, conf, worker, 100);
	httpout_multi_free(pool.multi);
	pool.multi = NULL;
}
