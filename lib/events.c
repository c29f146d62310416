/*
 * events.c - the transactional outbox: a state change worth telling
 * writes its event in the same transaction as the change, with a type
 * from the one catalogue below; the worker fans events out later.
 */
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"

_Static_assert(EVENT__MAX <= 32, "event type masks are 32 bits");

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
	[EVENT_ORDER_CREATED] = { "order.created", 1,
	    "orderId, status, vendorName, lineCount" },
	[EVENT_ORDER_STATUS_CHANGED] = { "order.status_changed", 1,
	    "orderId, status, previousStatus" },
	[EVENT_ORDER_FULFILLED] = { "order.fulfilled", 1,
	    "orderId, status" },
	[EVENT_WEBHOOK_TEST] = { "webhook.test", 0,
	    "subscriptionId" },
};

static const char *const SQL_EVENT_INSERT =
    "INSERT INTO events (public_id, org_id, subscription_id, type, payload)"
    " VALUES (?, ?, ?, ?, ?)";

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
	code = db_exec(db, SQL_EVENT_INSERT, DB_PARAMS(DB_STR(id),
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
