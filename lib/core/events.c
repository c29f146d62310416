/*
 * events.c - the transactional outbox: a state change worth telling
 * writes its event in the same transaction as the change, with a type
 * from the one catalogue below; background consumers (webhook fan-out,
 * prediction regeneration) read it through events_consume, each behind
 * its own cursor.
 */
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
};

enum events_sql_id {
	SQL_EVENT_INSERT, SQL_CURSOR_ENSURE, SQL_CURSOR_CLAIM,
	SQL_CURSOR_SET, SQL_EVENTS_AFTER, EVENTS_SQL__MAX
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

/* Hand row i of rows to fn when its type is in mask; DB_OK otherwise. */
static enum db_code
events_handle(struct db *db, const struct db_rows *rows, size_t i,
    unsigned mask, events_fn fn, void *ctx)
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
	if ((mask & EVENT_BIT(ev.type)) == 0)
		return DB_OK;
	ev.org_id = atoll(db_cell(rows, i, 1));
	sub = db_cell(rows, i, 2);
	ev.subscription_id = sub != NULL ? atoll(sub) : 0;
	ev.public_id = db_cell(rows, i, 4);
	ev.payload = db_cell(rows, i, 5) ? db_cell(rows, i, 5) : "{}";
	return fn(db, &ev, ctx);
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
 * Read the next batch of the outbox (up to EVENTS_BATCH events, in id
 * order, stopping before a gap that may still fill) for consumer, and call fn(db, event, ctx) for each event whose
 * type is in types_mask (EVENT_BIT per type), all in one transaction
 * that also moves the consumer's cursor past every event read. The
 * cursor row is claimed with SKIP LOCKED: while another worker holds it,
 * this returns 0 at once. Any failure, fn's included, rolls everything
 * back (fn's writes too) and returns -1; else the number of events read.
 */
int
events_consume(struct db *db, const char *consumer, unsigned types_mask,
    events_fn fn, void *ctx)
{
	struct db_rows	*cur = NULL, *rows = NULL;
	enum db_code	 code;
	size_t		 i, ready;
	long long	 cursor;
	int		 n = -1;

	if (db_exec(db, events_sql[SQL_CURSOR_ENSURE],
	    DB_PARAMS(DB_STR(consumer))) != DB_OK || db_begin(db) != DB_OK) {
		log_error("events: %s: %s", consumer, db_errstr(db));
		return -1;
	}
	if ((code = db_query(db, &cur, events_sql[SQL_CURSOR_CLAIM],
	    DB_PARAMS(DB_STR(consumer)))) != DB_OK)
		goto fail;
	if (cur->nrows == 0) {
		/* Another worker holds the cursor and reads this batch. */
		db_rows_free(cur);
		db_rollback(db);
		return 0;
	}
	cursor = atoll(db_cell(cur, 0, 0));
	if ((code = db_query(db, &rows, events_sql[SQL_EVENTS_AFTER],
	    DB_PARAMS(DB_INT(cursor), DB_INT(EVENTS_BATCH)))) != DB_OK)
		goto fail;
	ready = events_ready(rows, cursor);
	for (i = 0; i < ready; i++)
		if ((code = events_handle(db, rows, i, types_mask, fn, ctx)) !=
		    DB_OK)
			goto fail;
	if (ready > 0 && (code = db_exec(db, events_sql[SQL_CURSOR_SET],
	    DB_PARAMS(DB_INT(atoll(db_cell(rows, ready - 1, 0))),
	    DB_STR(consumer)))) != DB_OK)
		goto fail;
	if ((code = db_commit(db)) != DB_OK)
		goto fail;
	n = (int)ready;
	db_rows_free(cur);
	db_rows_free(rows);
	return n;
fail:
	log_error("events: %s could not consume: %s", consumer,
	    db_errstr(db));
	db_rollback(db);
	db_rows_free(cur);
	db_rows_free(rows);
	return -1;
}
