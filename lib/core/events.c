/*
 * events.c - the transactional outbox: a state change worth telling
 * writes its event in the same transaction as the change, with a type
 * from the one catalogue below; background consumers (webhook fan-out,
 * prediction regeneration, automatic case integration) read it through
 * events_consume, each behind its own cursor, and an event a consumer
 * fails on is retried, then parked, without holding the cursor back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/core.h"

_Static_assert(EVENT__MAX < 32, "EVENTS_ALL shifts a 32-bit 1 by EVENT__MAX");

struct event_def {
	const char	*name;		/* on the wire and in events.type */
	int		 subscribable;	/* may a subscription ask for it */
	const char	*payload;	/* the fields of its payload */
};

/*
 * Every event Mihwar emits. webhook.test is addressed to one
 * subscription (events_emit_to), so no subscription asks for it.
 */
static const struct event_def events_catalogue[EVENT__MAX] = {
	[EVENT_IMPORT_COMPLETED] = { "import.completed", 1,
	    "importBatchId, source, periodKind, externalSourceId, inserted" },
	[EVENT_INVENTORY_LOW_STOCK] = { "inventory.low_stock", 1,
	    "itemId, itemName, sku, currentStock" },
	[EVENT_INVENTORY_STOCKOUT] = { "inventory.stockout", 1,
	    "itemId, sku, previousStock, nextStock, source" },
	[EVENT_INVENTORY_STOCKOUT_RESOLVED] = { "inventory.stockout.resolved",
	    1, "itemId, sku, previousStock, nextStock, source" },
	/* Purchase orders carry no source; a storefront order (issue 12)
	 * carries source "fulfillment" and its client's slug. */
	[EVENT_ORDER_CREATED] = { "order.created", 1,
	    "orderId, status, vendorName, lineCount; a storefront order: "
	    "orderId, status, source (\"fulfillment\"), clientSlug, total" },
	[EVENT_ORDER_STATUS_CHANGED] = { "order.status_changed", 1,
	    "orderId, status, previousStatus; a storefront order also "
	    "source (\"fulfillment\"), clientSlug, and statusNote when "
	    "Printful failed or canceled it" },
	[EVENT_ORDER_FULFILLED] = { "order.fulfilled", 1,
	    "orderId, status; a storefront order also source "
	    "(\"fulfillment\"), clientSlug, printfulOrderId" },
	[EVENT_WEBHOOK_TEST] = { "webhook.test", 0,
	    "subscriptionId" },
	/* What automatic case integration starts from; not for webhooks. */
	[EVENT_CASE_APPROVED] = { "case.approved", 0,
	    "case_id, approved_by, auto_integrate" },
	[EVENT_INTEGRATION_INVENTORY_SUCCESS] = {
	    "integration.inventory.success", 1,
	    "case_id, items_created, items_updated" },
	[EVENT_INTEGRATION_AP_SUCCESS] = { "integration.ap.success", 1,
	    "case_id, bill_id, vendor_id, amount, due_date" },
	[EVENT_INTEGRATION_ACCOUNTING_SUCCESS] = {
	    "integration.accounting.success", 1,
	    "case_id, entry_id, total_debits, total_credits" },
	[EVENT_INTEGRATION_FAILED] = { "integration.failed", 1,
	    "case_id, system, error_code, errors" },
	[EVENT_INTEGRATION_ROLLED_BACK] = { "integration.rolled_back", 1,
	    "case_id, rollback_status" },
	[EVENT_CHECKLIST_COMPLETED] = { "checklist.completed", 1,
	    "checklistInstanceId, templateId, templateTitle, dueDate, "
	    "completedAt, completedBy, late" },
	[EVENT_CHECKLIST_MISSED] = { "checklist.missed", 1,
	    "checklistInstanceId, templateId, templateTitle, dueDate" },
	/* issue 13: a blueprint crafted, and a webhook an integration
	 * received */
	[EVENT_CRAFT_COMPLETED] = { "craft.completed", 1,
	    "blueprintId, blueprintName, outputItemId, outputQuantity, "
	    "quantity, locationId" },
	[EVENT_INTEGRATION_WEBHOOK_RECEIVED] = {
	    "integration.webhook_received", 1,
	    "integrationId, logId, webhookId, bodyBytes" },
};

enum events_sql_id {
	SQL_EVENT_INSERT, SQL_CURSOR_ENSURE, SQL_CURSOR_CLAIM,
	SQL_CURSOR_SET, SQL_EVENTS_AFTER, SQL_STEP_BEGIN, SQL_STEP_UNDO,
	SQL_STEP_END, SQL_FAILURES_DUE, SQL_FAILURE_RETRY, SQL_FAILURE_PARK,
	SQL_FAILURE_CLEAR, SQL_FAILURES_LIST, EVENTS_SQL__MAX
};

static const char *const events_sql[EVENTS_SQL__MAX] = {
	[SQL_EVENT_INSERT] =
	    "INSERT INTO events (public_id, org_id, subscription_id, type, payload)"
	    " VALUES (?, ?, ?, ?, ?)",
	[SQL_CURSOR_ENSURE] =
	    "INSERT IGNORE INTO event_cursors (consumer) VALUES (?)",
	[SQL_CURSOR_CLAIM] =
	    "SELECT last_event_id FROM event_cursors"
	    " WHERE consumer = ? FOR UPDATE SKIP LOCKED",
	[SQL_CURSOR_SET] =
	    "UPDATE event_cursors SET last_event_id = ? WHERE consumer = ?",
	[SQL_EVENTS_AFTER] =
	    "SELECT id, org_id, subscription_id, type, public_id, payload,"
	    " TIMESTAMPDIFF(MICROSECOND, created_at, NOW(3)) DIV 1000"
	    " FROM events WHERE id > ? ORDER BY id LIMIT ?",
	/* One event's work, undone on its own when the consumer fails on
	 * it. Named apart from db_savepoint's, which a consumer may use. */
	[SQL_STEP_BEGIN] = "SAVEPOINT mihwar_event",
	[SQL_STEP_UNDO] = "ROLLBACK TO SAVEPOINT mihwar_event",
	[SQL_STEP_END] = "RELEASE SAVEPOINT mihwar_event",
	/* The events of SQL_EVENTS_AFTER's first six columns, then the
	 * attempts so far. */
	[SQL_FAILURES_DUE] =
	    "SELECT e.id, e.org_id, e.subscription_id, e.type, e.public_id,"
	    " e.payload, f.attempts"
	    " FROM event_failures f JOIN events e ON e.id = f.event_id"
	    " WHERE f.consumer = ? AND f.state = 'retrying'"
	    " AND f.next_retry_at <= NOW(3)"
	    " ORDER BY f.next_retry_at LIMIT ?",
	[SQL_FAILURE_RETRY] =
	    "INSERT INTO event_failures (consumer, event_id, org_id, state,"
	    " attempts, last_error, next_retry_at)"
	    " VALUES (?, ?, ?, 'retrying', ?, ?, NOW(3) + INTERVAL ? SECOND)"
	    " ON DUPLICATE KEY UPDATE state = 'retrying',"
	    " attempts = VALUES(attempts), last_error = VALUES(last_error),"
	    " last_failed_at = NOW(3), next_retry_at = VALUES(next_retry_at)",
	[SQL_FAILURE_PARK] =
	    "INSERT INTO event_failures (consumer, event_id, org_id, state,"
	    " attempts, last_error, next_retry_at)"
	    " VALUES (?, ?, ?, 'parked', ?, ?, NULL)"
	    " ON DUPLICATE KEY UPDATE state = 'parked',"
	    " attempts = VALUES(attempts), last_error = VALUES(last_error),"
	    " last_failed_at = NOW(3), next_retry_at = NULL",
	[SQL_FAILURE_CLEAR] =
	    "DELETE FROM event_failures WHERE consumer = ? AND event_id = ?",
	/* The operator's list (mihwarctl events failed), newest first;
	 * org 0 for every organization. */
	[SQL_FAILURES_LIST] =
	    "SELECT f.consumer, e.public_id, e.type, o.slug, f.state, f.attempts,"
	    " f.last_error, f.first_failed_at, f.last_failed_at, f.next_retry_at,"
	    " f.event_id"
	    " FROM event_failures f LEFT JOIN events e ON e.id = f.event_id"
	    " LEFT JOIN organizations o ON o.id = f.org_id"
	    " WHERE ? = 0 OR f.org_id = ? ORDER BY f.id DESC LIMIT 1000",
};

const struct db_stmts events_stmts = {
	"events", events_sql, EVENTS_SQL__MAX, NULL, 0
};

/* The wire name of type (static); NULL for no such type. */
const char *
events_name(enum event_type type)
{
	if ((unsigned)type >= EVENT__MAX)
		return NULL;
	return events_catalogue[type].name;
}

/* The type named name into *type: 1, or 0 when the catalogue has none. */
int
events_parse(const char *name, enum event_type *type)
{
	size_t	 i;

	if (name == NULL)
		return 0;
	for (i = 0; i < EVENT__MAX; i++)
		if (strcmp(events_catalogue[i].name, name) == 0) {
			*type = (enum event_type)i;
			return 1;
		}
	return 0;
}

/* 1 when a webhook subscription may ask for type. */
int
events_subscribable(enum event_type type)
{
	return (unsigned)type < EVENT__MAX &&
	    events_catalogue[type].subscribable;
}

/* The fields of type's payload, as a comma list (static); NULL for none. */
const char *
events_payload_shape(enum event_type type)
{
	if ((unsigned)type >= EVENT__MAX)
		return NULL;
	return events_catalogue[type].payload;
}

/*
 * The name of the i-th type a subscription may ask for (static), in
 * catalogue order; NULL past the last, so that a loop ends on it.
 */
const char *
events_subscribable_at(size_t i)
{
	size_t	 t;

	for (t = 0; t < EVENT__MAX; t++)
		if (events_catalogue[t].subscribable && i-- == 0)
			return events_catalogue[t].name;
	return NULL;
}

/* The one writer of the outbox; sub 0 means every subscriber. */
static enum db_code
events_write(struct db *db, long long org_id, enum event_type type,
    long long sub, struct json_object *payload)
{
	const char	*name = events_name(type);
	char		 id[37];
	enum db_code	 code;

	if (name == NULL) {
		log_error("events: no event type %d", (int)type);
		json_object_put(payload);
		return DB_ERROR;
	}
	crypto_uuid7(id);
	code = db_exec(db, events_sql[SQL_EVENT_INSERT], DB_PARAMS(DB_STR(id),
	    DB_INT(org_id), DB_ID(sub), DB_STR(name),
	    DB_STR(json_to_str(payload))));
	json_object_put(payload);
	if (code != DB_OK)
		log_error("events: could not write %s", name);
	return code;
}

/* Write an event of type with payload (consumed) for org, inside the
 * caller's transaction; it goes to every subscription asking for it. */
enum db_code
events_emit(struct db *db, long long org_id, enum event_type type,
    struct json_object *payload)
{
	return events_write(db, org_id, type, 0, payload);
}

/* As events_emit, for the one subscription (row id) sub only, whatever
 * its filter says. */
enum db_code
events_emit_to(struct db *db, long long org_id, enum event_type type,
    long long sub, struct json_object *payload)
{
	if (sub <= 0) {
		log_error("events: %s addressed to no subscription",
		    events_name(type) ? events_name(type) : "(unknown)");
		json_object_put(payload);
		return DB_ERROR;
	}
	return events_write(db, org_id, type, sub, payload);
}

/* What one pass of a consumer works with. */
struct events_pass {
	struct db		*db;
	const struct conf	*conf;
	const char		*consumer;
	unsigned		 mask;
	events_fn		 fn;
	void			*ctx;
};

/* Hand row i of rows (an event, columns as SQL_EVENTS_AFTER's first six)
 * to the pass's fn when its type is in the mask; DB_OK otherwise. */
static enum db_code
events_handle(const struct events_pass *p, const struct db_rows *rows,
    size_t i)
{
	struct event	 ev;
	const char	*sub;

	memset(&ev, 0, sizeof(ev));
	ev.id = atoll(db_cell(rows, i, 0));
	if (!events_parse(db_cell(rows, i, 3), &ev.type)) {
		/* Written by a newer or an older server: not ours to tell. */
		log_warn("events: skipping event %lld of unknown type %.64s",
		    ev.id, db_cell(rows, i, 3) ? db_cell(rows, i, 3) : "");
		return DB_OK;
	}
	if ((p->mask & EVENT_BIT(ev.type)) == 0)
		return DB_OK;
	ev.org_id = atoll(db_cell(rows, i, 1));
	sub = db_cell(rows, i, 2);
	ev.subscription_id = sub != NULL ? atoll(sub) : 0;
	ev.public_id = db_cell(rows, i, 4);
	ev.payload = db_cell(rows, i, 5) ? db_cell(rows, i, 5) : "{}";
	return p->fn(p->db, &ev, p->ctx);
}

/* 1 when row i is an event of a known type in the pass's mask (the
 * others events_handle skips). */
static int
events_wanted(const struct events_pass *p, const struct db_rows *rows,
    size_t i)
{
	enum event_type	 type;

	if (!events_parse(db_cell(rows, i, 3), &type))
		return 1;	/* events_handle logs and skips it */
	return (p->mask & EVENT_BIT(type)) != 0;
}

/*
 * Run the consumer on row i behind a savepoint. DB_OK with *failed 0
 * when it succeeded, with *failed 1 and its error in err when it failed
 * and its writes were undone; any other code when the transaction itself
 * is gone (connection lost, deadlock): nothing can be recorded then, and
 * the whole pass is tried again on the next tick.
 */
static enum db_code
events_try(const struct events_pass *p, const struct db_rows *rows,
    size_t i, int *failed, char *err, size_t errsz)
{
	enum db_code	 code;

	*failed = 0;
	/* An event this consumer does not take costs no savepoint: each
	 * consumer reads every event, and two round trips for each one it
	 * skips were most of a webhook drain's statements (issue 14). */
	if (!events_wanted(p, rows, i))
		return DB_OK;
	if ((code = db_exec(p->db, events_sql[SQL_STEP_BEGIN], DB_NONE)) !=
	    DB_OK)
		return code;
	if (events_handle(p, rows, i) == DB_OK)
		return db_exec(p->db, events_sql[SQL_STEP_END], DB_NONE);
	snprintf(err, errsz, "%s", db_errstr(p->db));
	util_utf8_cut(err, 500);	/* event_failures.last_error */
	if ((code = db_exec(p->db, events_sql[SQL_STEP_UNDO], DB_NONE)) !=
	    DB_OK)
		return code;
	*failed = 1;
	return DB_OK;
}

/*
 * Record the attempts-th failure of the consumer on row i: the next try
 * after the attempts-th delay of event_retry_schedule, or, once every
 * delay is spent, the event is parked (logged once, at warn).
 */
static enum db_code
events_record_failure(const struct events_pass *p, const struct db_rows *rows,
    size_t i, long long attempts, const char *err)
{
	long long	 id = atoll(db_cell(rows, i, 0));
	long long	 org = atoll(db_cell(rows, i, 1));
	size_t		 step = (size_t)attempts - 1;

	if (step < p->conf->nevent_retry_delays) {
		log_info("events: %s failed on event %lld (org %lld), attempt "
		    "%lld, retry in %lld s: %s", p->consumer, id, org, attempts,
		    p->conf->event_retry_delays[step], err);
		return db_exec(p->db, events_sql[SQL_FAILURE_RETRY], DB_PARAMS(
		    DB_STR(p->consumer), DB_INT(id), DB_INT(org),
		    DB_INT(attempts), DB_STR(err),
		    DB_INT(p->conf->event_retry_delays[step])));
	}
	log_warn("events: %s parked event %lld (org %lld, %s) after %lld "
	    "attempts: %s", p->consumer, id, org, db_cell(rows, i, 4) ?
	    db_cell(rows, i, 4) : "", attempts, err);
	return db_exec(p->db, events_sql[SQL_FAILURE_PARK], DB_PARAMS(
	    DB_STR(p->consumer), DB_INT(id), DB_INT(org), DB_INT(attempts),
	    DB_STR(err)));
}

/* Try the events the consumer failed on whose next try is due: a success
 * forgets the failure, a failure is recorded again. */
static enum db_code
events_retry_due(const struct events_pass *p)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;
	char		 err[512];
	size_t		 i;
	int		 failed;

	if ((code = db_query(p->db, &rows, events_sql[SQL_FAILURES_DUE],
	    DB_PARAMS(DB_STR(p->consumer), DB_INT(EVENTS_BATCH)))) != DB_OK)
		return code;
	for (i = 0; i < rows->nrows && code == DB_OK; i++) {
		code = events_try(p, rows, i, &failed, err, sizeof(err));
		if (code != DB_OK)
			break;
		if (failed)
			code = events_record_failure(p, rows, i,
			    atoll(db_cell(rows, i, 6)) + 1, err);
		else {
			log_info("events: %s processed event %s on retry",
			    p->consumer, db_cell(rows, i, 4));
			code = db_exec(p->db, events_sql[SQL_FAILURE_CLEAR],
			    DB_PARAMS(DB_STR(p->consumer),
			    DB_INT(atoll(db_cell(rows, i, 0)))));
		}
	}
	db_rows_free(rows);
	return code;
}

/* Hand the first n of rows (new events, in id order) to the consumer; one
 * it fails on is recorded for a retry, and the next is taken anyway. */
static enum db_code
events_take(const struct events_pass *p, const struct db_rows *rows, size_t n)
{
	enum db_code	 code = DB_OK;
	char		 err[512];
	size_t		 i;
	int		 failed;

	for (i = 0; i < n && code == DB_OK; i++) {
		code = events_try(p, rows, i, &failed, err, sizeof(err));
		if (code == DB_OK && failed)
			code = events_record_failure(p, rows, i, 1, err);
	}
	return code;
}

/*
 * How many of rows (read after cursor) may be consumed now. Ids are
 * handed out when an event is written but seen when its transaction
 * commits, so a missing id may still come: stop before a gap until the
 * event after it is EVENTS_GAP_WAIT_MS old (by then the writer has
 * committed or rolled back, and a rolled-back id never comes).
 */
static size_t
events_ready(const struct db_rows *rows, long long cursor)
{
	long long	 id, next = cursor + 1;
	size_t		 i;

	for (i = 0; i < rows->nrows; i++, next = id + 1) {
		id = atoll(db_cell(rows, i, 0));
		if (id != next && atoll(db_cell(rows, i, 6)) < EVENTS_GAP_WAIT_MS)
			break;
	}
	return i;
}

/*
 * One pass of consumer over the outbox, in one transaction under its
 * cursor row (claimed with SKIP LOCKED: while another worker holds it,
 * this returns 0 at once). First the events it failed on whose retry is
 * due, then the next batch (up to EVENTS_BATCH events, in id order,
 * stopping before a gap that may still fill): fn(db, event, ctx) is
 * called for each event whose type is in types_mask (EVENT_BIT per
 * type), and the cursor moves past every event read.
 *
 * Failures are isolated: each event runs behind a savepoint, and one fn
 * fails on is undone alone and recorded in event_failures, to be retried
 * after each delay of conf's event_retry_schedule and then parked, while
 * the cursor moves on; events of every organization after it are taken
 * meanwhile. Only a failure of the transaction itself (the database
 * gone, a deadlock, the commit refused) rolls everything back and
 * returns -1, and the same pass runs again on the next tick. Otherwise
 * the number of new events read.
 */
int
events_consume(struct db *db, const struct conf *conf, const char *consumer,
    unsigned types_mask, events_fn fn, void *ctx)
{
	const struct events_pass p = {
		db, conf, consumer, types_mask, fn, ctx
	};
	struct db_rows	*cur = NULL, *rows = NULL;
	size_t		 ready = 0;
	long long	 cursor;

	if (db_exec(db, events_sql[SQL_CURSOR_ENSURE],
	    DB_PARAMS(DB_STR(consumer))) != DB_OK || db_begin(db) != DB_OK) {
		log_error("events: %s: %s", consumer, db_errstr(db));
		return -1;
	}
	if (db_query(db, &cur, events_sql[SQL_CURSOR_CLAIM],
	    DB_PARAMS(DB_STR(consumer))) != DB_OK)
		goto fail;
	if (cur->nrows == 0) {
		/* Another worker holds the cursor and reads this batch. */
		db_rows_free(cur);
		db_rollback(db);
		return 0;
	}
	cursor = atoll(db_cell(cur, 0, 0));
	if (events_retry_due(&p) != DB_OK ||
	    db_query(db, &rows, events_sql[SQL_EVENTS_AFTER],
	    DB_PARAMS(DB_INT(cursor), DB_INT(EVENTS_BATCH))) != DB_OK)
		goto fail;
	ready = events_ready(rows, cursor);
	if (events_take(&p, rows, ready) != DB_OK)
		goto fail;
	if (ready > 0 && db_exec(db, events_sql[SQL_CURSOR_SET],
	    DB_PARAMS(DB_INT(atoll(db_cell(rows, ready - 1, 0))),
	    DB_STR(consumer))) != DB_OK)
		goto fail;
	if (db_commit(db) != DB_OK)
		goto fail;
	db_rows_free(cur);
	db_rows_free(rows);
	return (int)ready;
fail:
	log_error("events: %s could not consume: %s", consumer,
	    db_errstr(db));
	db_rollback(db);
	db_rows_free(cur);
	db_rows_free(rows);
	return -1;
}

/*
 * The events consumers failed on (retrying or parked), newest first, at
 * most 1000, of organization org_id (0: every organization), as a JSON
 * array the caller owns; NULL when the database failed.
 */
struct json_object *
events_failures_json(struct db *db, long long org_id)
{
	struct db_rows		*rows = NULL;
	struct json_object	*arr, *o;
	size_t			 i;

	if (db_query(db, &rows, events_sql[SQL_FAILURES_LIST],
	    DB_PARAMS(DB_INT(org_id), DB_INT(org_id))) != DB_OK)
		return NULL;
	arr = json_object_new_array();
	for (i = 0; i < rows->nrows; i++) {
		o = json_object_new_object();
		json_put_str(o, "consumer", db_cell(rows, i, 0));
		json_put_str(o, "eventId", db_cell(rows, i, 1));
		json_put_str(o, "eventType", db_cell(rows, i, 2));
		json_put_str(o, "org", db_cell(rows, i, 3));
		json_put_str(o, "state", db_cell(rows, i, 4));
		json_object_object_add(o, "attempts",
		    json_object_new_int64(atoll(db_cell(rows, i, 5))));
		json_put_str(o, "lastError", db_cell(rows, i, 6));
		json_object_object_add(o, "firstFailedAt",
		    json_time(db_cell(rows, i, 7)));
		json_object_object_add(o, "lastFailedAt",
		    json_time(db_cell(rows, i, 8)));
		json_object_object_add(o, "nextRetryAt",
		    json_time(db_cell(rows, i, 9)));
		json_object_object_add(o, "outboxId",
		    json_object_new_int64(atoll(db_cell(rows, i, 10))));
		json_object_array_add(arr, o);
	}
	db_rows_free(rows);
	return arr;
}
