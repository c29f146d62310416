/*
 * fusage.c - what a client used, for billing: one row per fulfilled
 * order (written in the transaction that records the successful
 * Printful submission) and per created product (with the product), and
 * GET /api/me/usage, the calling client's counts and latest events.
 */
#include <string.h>

#include <json-c/json.h>

#include "fulfillment/fulfillment.h"

/* The newest events GET /api/me/usage lists. */
#define FUSAGE_EVENTS_MAX	200

enum fusage_sql_id {
	SQL_FUSAGE_INSERT, SQL_FUSAGE_COUNTS, SQL_FUSAGE_EVENTS,
	FUSAGE_SQL__MAX
};

static const char *const fusage_sql[FUSAGE_SQL__MAX] = {
	[SQL_FUSAGE_INSERT] =
	    "INSERT INTO fulfill_usage_events (org_id, kind, ref_id)"
	    " VALUES (?, ?, ?)",
	[SQL_FUSAGE_COUNTS] =
	    "SELECT o.public_id,"
	    " (SELECT COUNT(*) FROM fulfill_usage_events u"
	    "  WHERE u.org_id = o.id AND u.kind = 'order_fulfilled'),"
	    " (SELECT COUNT(*) FROM fulfill_usage_events u"
	    "  WHERE u.org_id = o.id AND u.kind = 'product_created')"
	    " FROM organizations o WHERE o.id = ?",
	/* Newest first: ids grow with time. */
	[SQL_FUSAGE_EVENTS] =
	    "SELECT kind, ref_id, created_at FROM fulfill_usage_events"
	    " WHERE org_id = ? ORDER BY id DESC LIMIT ?",
};

const struct db_stmts usage_fulfill_stmts = {
	"fusage", fusage_sql, FUSAGE_SQL__MAX, NULL, 0
};

enum fusage_event_col { FE_KIND, FE_REF, FE_CREATED };

/*
 * Record one usage event of org: kind "order_fulfilled" (ref: the
 * order's public id) or "product_created" (ref: the product's public
 * id), in the caller's transaction. DB_ERROR for another kind.
 */
enum db_code
usage_record(struct db *db, long long org, const char *kind, const char *ref)
{
	if (strcmp(kind, "order_fulfilled") != 0 &&
	    strcmp(kind, "product_created") != 0) {
		log_error("usage_record: unknown kind %s", kind);
		return DB_ERROR;
	}
	return db_exec(db, fusage_sql[SQL_FUSAGE_INSERT], DB_PARAMS(
	    DB_INT(org), DB_STR(kind), DB_STR(ref)));
}

/*
 * One event as listed: the contract's {eventType, orderId, metadata,
 * createdAt} (orderId for an order, metadata.productId for a product)
 * and the same as {type, refId} for callers that want one reference
 * whatever the kind.
 */
static struct json_object *
fusage_event_json(const struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*meta = json_object_new_object();
	const char		*kind = db_cell(rows, i, FE_KIND);
	const char		*ref = db_cell(rows, i, FE_REF);
	int			 order = strcmp(kind, "order_fulfilled") == 0;

	json_put_str(o, "eventType", kind);
	json_put_str(o, "orderId", order ? ref : NULL);
	if (!order && ref != NULL)
		json_put_str(meta, "productId", ref);
	json_object_object_add(o, "metadata", meta);
	json_object_object_add(o, "createdAt",
	    json_time(db_cell(rows, i, FE_CREATED)));
	json_put_str(o, "type", kind);
	json_put_str(o, "refId", ref);
	return o;
}

/* {clientId, fulfilledOrders, productCreations} of org_id into o. */
static enum db_code
fusage_counts(struct db *db, long long org_id, struct json_object *o)
{
	struct db_rows	*rows;
	enum db_code	 code;
	long long	 fulfilled = 0, created = 0;

	if ((code = db_query(db, &rows, fusage_sql[SQL_FUSAGE_COUNTS],
	    DB_PARAMS(DB_INT(org_id)))) != DB_OK)
		return code;
	if (rows->nrows == 0 ||
	    !util_strtonum(db_cell(rows, 0, 1), 0, INT64_MAX, &fulfilled) ||
	    !util_strtonum(db_cell(rows, 0, 2), 0, INT64_MAX, &created))
		code = DB_NOTFOUND;
	else {
		json_put_str(o, "clientId", db_cell(rows, 0, 0));
		json_object_object_add(o, "fulfilledOrders",
		    json_object_new_int64(fulfilled));
		json_object_object_add(o, "productCreations",
		    json_object_new_int64(created));
	}
	db_rows_free(rows);
	return code;
}

/* The newest events of org_id as o's "events". */
static enum db_code
fusage_events(struct db *db, long long org_id, struct json_object *o)
{
	struct json_object	*arr;
	struct db_rows		*rows;
	enum db_code		 code;
	size_t			 i;

	if ((code = db_query(db, &rows, fusage_sql[SQL_FUSAGE_EVENTS],
	    DB_PARAMS(DB_INT(org_id), DB_INT(FUSAGE_EVENTS_MAX)))) != DB_OK)
		return code;
	arr = json_object_new_array();
	for (i = 0; i < rows->nrows && i < FUSAGE_EVENTS_MAX; i++)
		json_object_array_add(arr, fusage_event_json(rows, i));
	json_object_object_add(o, "events", arr);
	db_rows_free(rows);
	return DB_OK;
}

/* GET /api/me/usage: the calling client's usage; a platform admin's key
 * is not a client's (403). */
void
usage_me(struct req *r)
{
	struct json_object	*o;

	if (r->principal.key_kind != KEY_CLIENT) {
		req_resp_error(r, 403, NULL, "usage is a client's: call with "
		    "the client's key (fc_live_)");
		return;
	}
	o = json_object_new_object();
	if (fusage_counts(r->db, r->principal.org_id, o) != DB_OK ||
	    fusage_events(r->db, r->principal.org_id, o) != DB_OK) {
		json_object_put(o);
		req_resp_error(r, 503, NULL, "database unavailable");
		return;
	}
	req_resp_json(r, 200, o);
}
