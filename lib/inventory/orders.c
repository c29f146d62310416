/*
 * orders.c - purchase orders: create in DRAFT with lines, read, list,
 * and move through DRAFT -> SUBMITTED -> APPROVED | REJECTED,
 * APPROVED -> RECEIVED -> FULFILLED. Each move is audited and writes
 * its events in the same transaction; receiving adds the lines'
 * quantities to stock.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "inventory/inventory.h"

#define ORDER_MAX_LINES	500

#define ORDER_COLUMNS \
    "o.public_id, o.status, v.name, o.reference, o.notes, o.decided_by," \
    " o.decision_note, o.created_at, o.updated_at," \
    " (SELECT COUNT(*) FROM purchase_order_lines l WHERE l.order_id = o.id)," \
    " (SELECT ROUND(SUM(l.quantity * l.unit_cost), 4)" \
    "  FROM purchase_order_lines l WHERE l.order_id = o.id), o.id"

enum orders_sql_id {
	SQL_ORDER_BY_ID, SQL_ORDER_LIST, SQL_ORDER_LINES, SQL_VENDOR_UPSERT,
	SQL_ITEM_BY_PUBLIC, SQL_ITEM_BY_SKU, SQL_ORDER_INSERT,
	SQL_OLINE_INSERT, SQL_ORDER_LOCK, SQL_ORDER_SET_STATUS,
	SQL_ORDER_HISTORY, SQL_ORDER_RECEIVE_LINES, SQL_ORDER_WAITING,
	SQL_ORDER_DECISIONS, ORDERS_SQL__MAX
};

static const char *const orders_sql[ORDERS_SQL__MAX] = {
	[SQL_ORDER_BY_ID] =
	    "SELECT " ORDER_COLUMNS " FROM purchase_orders o"
	    " LEFT JOIN vendors v ON v.id = o.vendor_id"
	    " WHERE o.org_id = ? AND o.public_id = ?",
	[SQL_ORDER_LIST] =
	    "SELECT " ORDER_COLUMNS " FROM purchase_orders o"
	    " LEFT JOIN vendors v ON v.id = o.vendor_id"
	    " WHERE o.org_id = ? AND o.id > ? AND (? IS NULL OR o.status = ?)"
	    " AND (? IS NULL OR o.created_at > ?) ORDER BY o.id LIMIT ?",
	[SQL_ORDER_LINES] =
	    "SELECT l.public_id, i.public_id, i.sku, i.name, l.quantity, l.unit_cost"
	    " FROM purchase_order_lines l JOIN inventory_items i ON i.id = l.item_id"
	    " WHERE l.order_id = ? ORDER BY l.id",
	[SQL_VENDOR_UPSERT] =
	    "INSERT INTO vendors (public_id, org_id, name) VALUES (?, ?, ?)"
	    " ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)",
	[SQL_ITEM_BY_PUBLIC] =
	    "SELECT id FROM inventory_items WHERE org_id = ? AND public_id = ?",
	[SQL_ITEM_BY_SKU] =
	    "SELECT id FROM inventory_items WHERE org_id = ? AND sku = ?",
	[SQL_ORDER_INSERT] =
	    "INSERT INTO purchase_orders (public_id, org_id, vendor_id, reference,"
	    " notes) VALUES (?, ?, ?, ?, ?)",
	[SQL_OLINE_INSERT] =
	    "INSERT INTO purchase_order_lines (public_id, order_id, org_id, item_id,"
	    " quantity, unit_cost) VALUES (?, ?, ?, ?, ?, ?)",
	[SQL_ORDER_LOCK] =
	    "SELECT id, status FROM purchase_orders"
	    " WHERE org_id = ? AND public_id = ? FOR UPDATE",
	[SQL_ORDER_SET_STATUS] =
	    "UPDATE purchase_orders SET status = ?,"
	    " decided_by = COALESCE(?, decided_by),"
	    " decision_note = COALESCE(?, decision_note) WHERE id = ?",
	[SQL_ORDER_HISTORY] =
	    "INSERT INTO order_status_history (org_id, order_id, from_status,"
	    " to_status, actor, note) VALUES (?, ?, ?, ?, ?, ?)",
	[SQL_ORDER_RECEIVE_LINES] =
	    "SELECT i.public_id, l.quantity FROM purchase_order_lines l"
	    " JOIN inventory_items i ON i.id = l.item_id"
	    " WHERE l.order_id = ? ORDER BY l.id",
	/* One row per line of the first 200 waiting orders, in one
	 * statement so the lines are those of the orders it lists. */
	[SQL_ORDER_WAITING] =
	    "SELECT w.public_id, w.vendor, w.reference, w.notes, w.created_at,"
	    " w.total, w.submitted_by, w.submitted_at, i.sku, i.name,"
	    " l.quantity, l.unit_cost, ROUND(l.quantity * l.unit_cost, 4)"
	    " FROM (SELECT o.id, o.public_id, v.name AS vendor, o.reference,"
	    "  o.notes, o.created_at,"
	    "  (SELECT ROUND(SUM(l.quantity * l.unit_cost), 4)"
	    "   FROM purchase_order_lines l WHERE l.order_id = o.id) AS total,"
	    "  (SELECT h.actor FROM order_status_history h"
	    "   WHERE h.order_id = o.id AND h.to_status = 'SUBMITTED'"
	    "   ORDER BY h.id DESC LIMIT 1) AS submitted_by,"
	    "  (SELECT h.created_at FROM order_status_history h"
	    "   WHERE h.order_id = o.id AND h.to_status = 'SUBMITTED'"
	    "   ORDER BY h.id DESC LIMIT 1) AS submitted_at"
	    "  FROM purchase_orders o LEFT JOIN vendors v ON v.id = o.vendor_id"
	    "  WHERE o.org_id = ? AND o.status = 'SUBMITTED'"
	    "  ORDER BY o.id LIMIT 200) w"
	    " LEFT JOIN purchase_order_lines l ON l.order_id = w.id"
	    " LEFT JOIN inventory_items i ON i.id = l.item_id"
	    " ORDER BY w.id, l.id",
	[SQL_ORDER_DECISIONS] =
	    "SELECT o.public_id, h.to_status, h.actor, h.note, h.created_at"
	    " FROM order_status_history h"
	    " JOIN purchase_orders o ON o.id = h.order_id"
	    " WHERE h.org_id = ? AND h.to_status IN ('APPROVED','REJECTED')"
	    " ORDER BY h.id DESC LIMIT 20",
};

const struct db_stmts orders_stmts = {
	"orders", orders_sql, ORDERS_SQL__MAX, NULL, 0
};

static const char *const order_statuses[] = { "DRAFT", "SUBMITTED",
    "APPROVED", "RECEIVED", "REJECTED", "FULFILLED", NULL };
static const char *const target_statuses[] = { "SUBMITTED", "APPROVED",
    "REJECTED", "RECEIVED", "FULFILLED", NULL };

static const struct {
	const char	*from, *to;
} transitions[] = {
	{ "DRAFT", "SUBMITTED" },
	{ "SUBMITTED", "APPROVED" },
	{ "SUBMITTED", "REJECTED" },
	{ "APPROVED", "RECEIVED" },
	{ "RECEIVED", "FULFILLED" },
};

enum order_col {
	OC_ID, OC_STATUS, OC_VENDOR, OC_REF, OC_NOTES, OC_DECIDED_BY,
	OC_DECISION, OC_CREATED, OC_UPDATED, OC_LINES, OC_TOTAL, OC_ROWID
};

static struct json_object *
orders_json(const struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object();
	const char		*total = db_cell(rows, i, OC_TOTAL);

	json_put_str(o, "id", db_cell(rows, i, OC_ID));
	json_put_str(o, "status", db_cell(rows, i, OC_STATUS));
	json_put_str(o, "vendorName", db_cell(rows, i, OC_VENDOR));
	json_put_str(o, "reference", db_cell(rows, i, OC_REF));
	json_put_str(o, "notes", db_cell(rows, i, OC_NOTES));
	json_put_str(o, "decidedBy", db_cell(rows, i, OC_DECIDED_BY));
	json_put_str(o, "decisionNote", db_cell(rows, i, OC_DECISION));
	json_object_object_add(o, "lineCount",
	    json_object_new_int64(atoll(db_cell(rows, i, OC_LINES))));
	json_object_object_add(o, "total", total ? decimal_sql_to_json(total) :
	    decimal_to_json(0));
	json_object_object_add(o, "createdAt",
	    json_time(db_cell(rows, i, OC_CREATED)));
	json_object_object_add(o, "updatedAt",
	    json_time(db_cell(rows, i, OC_UPDATED)));
	return o;
}

static struct json_object *
orders_lines_json(struct db *db, long long rowid, enum db_code *code)
{
	struct db_rows		*rows = NULL;
	struct json_object	*arr, *l;
	size_t			 i;

	if ((*code = db_query(db, &rows, orders_sql[SQL_ORDER_LINES],
	    DB_PARAMS(DB_INT(rowid)))) != DB_OK)
		return NULL;
	arr = json_object_new_array();
	for (i = 0; i < rows->nrows; i++) {
		l = json_object_new_object();
		json_put_str(l, "id", db_cell(rows, i, 0));
		json_put_str(l, "itemId", db_cell(rows, i, 1));
		json_put_str(l, "sku", db_cell(rows, i, 2));
		json_put_str(l, "name", db_cell(rows, i, 3));
		json_object_object_add(l, "quantity",
		    decimal_sql_to_json(db_cell(rows, i, 4)));
		json_object_object_add(l, "unitCost",
		    decimal_sql_to_json(db_cell(rows, i, 5)));
		json_object_array_add(arr, l);
	}
	db_rows_free(rows);
	return arr;
}

/*
 * The order public_id of org with its lines, as JSON; NULL with *code
 * DB_NOTFOUND or a database failure.
 */
struct json_object *
orders_fetch_json(struct db *db, long long org_id, const char *public_id,
    enum db_code *code)
{
	struct db_rows		*rows = NULL;
	struct json_object	*o = NULL, *lines;

	if ((*code = db_query(db, &rows, orders_sql[SQL_ORDER_BY_ID], DB_PARAMS(
	    DB_INT(org_id), DB_STR(public_id)))) != DB_OK)
		return NULL;
	if (rows->nrows == 0)
		*code = DB_NOTFOUND;
	else if ((lines = orders_lines_json(db, atoll(db_cell(rows, 0,
	    OC_ROWID)), code)) != NULL) {
		o = orders_json(rows, 0);
		json_object_object_add(o, "lines", lines);
	}
	db_rows_free(rows);
	return o;
}

static struct json_object *
orders_data(struct db *db, long long org_id, const char *public_id)
{
	struct json_object	*o, *d;
	enum db_code		 code;

	if ((d = orders_fetch_json(db, org_id, public_id, &code)) == NULL)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "data", d);
	return o;
}

/* GET /api/integrations/v1/orders/{id} */
void
orders_get(struct req *r)
{
	struct json_object	*o, *d;
	enum db_code		 code;

	if ((d = orders_fetch_json(r->db, r->principal.org_id, r->args[0],
	    &code)) == NULL) {
		if (code == DB_NOTFOUND)
			req_resp_error(r, 404, NULL, "no order %s", r->args[0]);
		else
			req_resp_error(r, 503, NULL, "database unavailable");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "data", d);
	req_resp_json(r, 200, o);
}

/* GET /api/integrations/v1/orders */
void
orders_list(struct req *r)
{
	struct page		 pg;
	struct db_rows		*rows = NULL;
	char			 after[24], *status = NULL;
	int			 has_after;

	if (!page_parse(r, &pg) ||
	    !query_enum(r, "status", order_statuses, &status) ||
	    !query_time(r, "createdAfter", after, &has_after))
		goto out;
	if (db_query(r->db, &rows, orders_sql[SQL_ORDER_LIST], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_INT(pg.after_id), DB_STR(status),
	    DB_STR(status), DB_STR(has_after ? after : NULL),
	    DB_STR(has_after ? after : NULL), DB_INT(pg.limit + 1))) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	page_respond_rows(r, rows, pg.limit, OC_ROWID, orders_json);
out:
	db_rows_free(rows);
	free(status);
}

/* The item a line names (itemId or sku); 0 after answering. */
static int
orders_line_item(struct req *r, struct json_object *o,
    struct order_new_line *l)
{
	const char	*id, *sku;
	struct db_rows	*rows = NULL;
	int		 ok;

	if (!valid_string(r, o, "itemId", 0, 1, 64, &id) ||
	    !valid_string(r, o, "sku", 0, 1, 128, &sku))
		return 0;
	if ((id == NULL) == (sku == NULL)) {
		req_resp_error(r, 400, "invalid_body", "%sitemId: give itemId "
		    "or sku (one of them)", r->vprefix);
		return 0;
	}
	if (db_query(r->db, &rows, id ? orders_sql[SQL_ITEM_BY_PUBLIC] : orders_sql[SQL_ITEM_BY_SKU],
	    DB_PARAMS(DB_INT(r->principal.org_id), DB_STR(id ? id : sku))) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		return 0;
	}
	if (!(ok = rows->nrows == 1))
		req_resp_error(r, 400, "invalid_body", "%s%s: no such item: %s",
		    r->vprefix, id ? "itemId" : "sku", id ? id : sku);
	else
		l->item = atoll(db_cell(rows, 0, 0));
	db_rows_free(rows);
	return ok;
}

static int
orders_read_lines(struct req *r, struct json_object *arr,
    struct order_new_line *l, size_t n)
{
	struct json_object	*o;
	size_t			 i;
	int			 has;

	for (i = 0; i < n; i++) {
		snprintf(r->vprefix, sizeof(r->vprefix), "lines[%zu].", i);
		o = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(o, json_type_object)) {
			req_resp_error(r, 400, "invalid_body", "lines[%zu]: "
			    "expected an object", i);
			return 0;
		}
		if (!valid_decimal(r, o, "quantity", 1, 1, DECIMAL_MAX, &l[i].qty,
		    &has) || !valid_decimal(r, o, "unitCost", 0, 0, DECIMAL_MAX,
		    &l[i].cost, &l[i].has_cost) ||
		    !orders_line_item(r, o, &l[i]))
			return 0;
	}
	r->vprefix[0] = '\0';
	return 1;
}

/*
 * Whether the n lines' amounts (quantity x unit cost, as SQL's ROUND(q
 * x c, 4)) and their total (ROUND(SUM(q x c), 4)) fit DECIMAL(18,4),
 * as the order's total is read back; else which is too large, and the
 * line that makes it so in *bad. Lines without a cost add nothing.
 */
enum order_fit
orders_amounts_fit(const struct order_new_line *l, size_t n, size_t *bad)
{
	int64_t	 whole, rest, total = 0, total_rest = 0;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (!l[i].has_cost)
			continue;
		*bad = i;
		if (!decimal_mul(l[i].qty, l[i].cost, &whole, &rest) ||
		    whole + (rest >= 5000) > DECIMAL_SQL_MAX)
			return ORDER_LINE_TOO_LARGE;
		/* Both terms are at most DECIMAL_SQL_MAX: no int64 overflow. */
		total += whole;
		total_rest += rest;
		total += total_rest / 10000;
		total_rest %= 10000;
		if (total + (total_rest >= 5000) > DECIMAL_SQL_MAX)
			return ORDER_TOTAL_TOO_LARGE;
	}
	return ORDER_FITS;
}

/* 400 naming the line when an amount or the total is too large. */
static int
orders_check_amounts(struct req *r, const struct order_new_line *l,
    size_t n)
{
	char	 max[DECIMAL_BUFSZ];
	size_t	 bad = 0;

	decimal_format(DECIMAL_SQL_MAX, max);
	switch (orders_amounts_fit(l, n, &bad)) {
	case ORDER_FITS:
		return 1;
	case ORDER_LINE_TOO_LARGE:
		req_resp_error(r, 400, "invalid_body", "lines[%zu].unitCost: "
		    "quantity x unitCost is more than %s", bad, max);
		return 0;
	case ORDER_TOTAL_TOO_LARGE:
		req_resp_error(r, 400, "invalid_body", "lines[%zu].unitCost: "
		    "the order's total would be more than %s", bad, max);
		return 0;
	}
	return 0;
}

static enum db_code
orders_insert_lines(struct db *db, long long org_id, long long order,
    const struct order_new_line *l, size_t n)
{
	char		 id[37], q[DECIMAL_BUFSZ], c[DECIMAL_BUFSZ];
	enum db_code	 code = DB_OK;
	size_t		 i;

	for (i = 0; i < n && code == DB_OK; i++) {
		crypto_uuid7(id);
		decimal_format(l[i].qty, q);
		decimal_format(l[i].cost, c);
		code = db_exec(db, orders_sql[SQL_OLINE_INSERT],
		    DB_PARAMS(DB_STR(id), DB_INT(order), DB_INT(org_id),
		    DB_INT(l[i].item), DB_STR(q),
		    DB_STR(l[i].has_cost ? c : NULL)));
	}
	return code;
}

static enum db_code
orders_created_event(struct db *db, long long org_id, const char *id,
    const char *vendor, size_t n)
{
	struct json_object	*p = json_object_new_object();

	json_object_object_add(p, "orderId", json_object_new_string(id));
	json_object_object_add(p, "status", json_object_new_string("DRAFT"));
	json_put_str(p, "vendorName", vendor);
	json_object_object_add(p, "lineCount", json_object_new_int64(
	    (int64_t)n));
	return events_emit(db, org_id, EVENT_ORDER_CREATED, p);
}

/*
 * Write a DRAFT order of org (vendor by name, created when new; ref,
 * notes and vendor may be NULL) with its n lines and its order.created
 * event, inside the caller's transaction: the one path of POST /orders
 * and of drafts from suggestions (stockview.c). The lines' items must
 * be org's. Its public id into id.
 */
enum db_code
orders_draft_write(struct db *db, long long org_id, const char *vendor,
    const char *ref, const char *notes, const struct order_new_line *l,
    size_t n, char id[37])
{
	char		 vid[37];
	long long	 vendor_id = 0, order;
	enum db_code	 code;

	if (vendor != NULL) {
		crypto_uuid7(vid);
		if ((code = db_exec(db, orders_sql[SQL_VENDOR_UPSERT],
		    DB_PARAMS(DB_STR(vid), DB_INT(org_id), DB_STR(vendor)))) !=
		    DB_OK)
			return code;
		vendor_id = (long long)db_insert_id(db);
	}
	crypto_uuid7(id);
	if ((code = db_exec(db, orders_sql[SQL_ORDER_INSERT],
	    DB_PARAMS(DB_STR(id), DB_INT(org_id), DB_ID(vendor_id),
	    DB_STR(ref), DB_STR(notes)))) != DB_OK)
		return code;
	order = (long long)db_insert_id(db);
	if ((code = orders_insert_lines(db, org_id, order, l, n)) != DB_OK)
		return code;
	return orders_created_event(db, org_id, id, vendor, n);
}

/* Write the order inside the open transaction and answer it. */
static int
orders_write(struct req *r, const char *vendor, const char *ref,
    const char *notes, const struct order_new_line *l, size_t n)
{
	char			 id[37];
	struct json_object	*o;

	if (orders_draft_write(r->db, r->principal.org_id, vendor, ref, notes,
	    l, n, id) != DB_OK ||
	    (o = orders_data(r->db, r->principal.org_id, id)) == NULL)
		return 0;
	req_resp_json(r, 201, o);
	return 1;
}

/* POST /api/integrations/v1/orders */
void
orders_create(struct req *r)
{
	struct json_object	*b, *arr;
	const char		*vendor, *ref, *notes;
	struct order_new_line	*l = NULL;
	size_t			 n = 0;

	if ((b = req_json_body(r)) == NULL)
		return;
	if (!valid_object(r, b) ||
	    !valid_string(r, b, "vendorName", 0, 1, 200, &vendor) ||
	    !valid_string(r, b, "reference", 0, 1, 64, &ref) ||
	    !valid_string(r, b, "notes", 0, 0, 1000, &notes))
		goto out;
	if (!json_object_object_get_ex(b, "lines", &arr) ||
	    !json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) < 1 || n > ORDER_MAX_LINES) {
		req_resp_error(r, 400, "invalid_body", "lines: expected an array "
		    "of 1 to %d lines", ORDER_MAX_LINES);
		goto out;
	}
	if ((l = calloc(n, sizeof(*l))) == NULL ||
	    !orders_read_lines(r, arr, l, n) || !orders_check_amounts(r, l, n))
		goto out;
	if (!orders_write(r, vendor, ref, notes, l, n)) {
		if (r->out.status < 500)
			req_resp_error(r, 503, NULL, "database unavailable; "
			    "nothing was written");
	}
out:
	free(l);
	json_object_put(b);
}

static int
orders_allowed(const char *from, const char *to)
{
	size_t	 i;

	for (i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
		if (strcmp(transitions[i].from, from) == 0 &&
		    strcmp(transitions[i].to, to) == 0)
			return 1;
	return 0;
}

/* Where receiving stopped: the line (as the order lists its lines)
 * whose item's stock would pass DECIMAL_SQL_MAX, and that item. */
struct receive_refusal {
	size_t		 line;
	char		 sku[129 * 4];
};

/*
 * Add every line's quantity to its item's stock. DB_CONSTRAINT when a
 * line would put its item past DECIMAL_SQL_MAX (why says which); the
 * caller's transaction is then undone whole.
 */
static enum db_code
orders_receive(struct db *db, long long org_id, long long order,
    const char *order_id, const char *actor, struct receive_refusal *why)
{
	struct db_rows		*rows = NULL;
	struct stock_change	 c;
	char			 reason[80];
	int64_t			 qty;
	enum db_code		 code;
	size_t			 i;

	if ((code = db_query(db, &rows, orders_sql[SQL_ORDER_RECEIVE_LINES],
	    DB_PARAMS(DB_INT(order)))) != DB_OK)
		return code;
	snprintf(reason, sizeof(reason), "received purchase order %s",
	    order_id);
	for (i = 0; i < rows->nrows && code == DB_OK; i++) {
		if (!decimal_parse(db_cell(rows, i, 1), &qty))
			code = DB_ERROR;
		else
			code = items_stock_change(db, org_id, db_cell(rows, i, 0),
			    qty, "purchase_order", reason, actor, &c);
		if (code == DB_CONSTRAINT && why != NULL) {
			why->line = i;
			/* no SKU (an imported item): its id names it */
			snprintf(why->sku, sizeof(why->sku), "%s",
			    c.sku[0] != '\0' ? c.sku : c.item_id);
		}
	}
	db_rows_free(rows);
	return code;
}

static enum db_code
orders_status_events(struct db *db, long long org_id, const char *id,
    const char *from, const char *to)
{
	struct json_object	*p = json_object_new_object();
	enum db_code		 code;

	json_object_object_add(p, "orderId", json_object_new_string(id));
	json_object_object_add(p, "status", json_object_new_string(to));
	json_object_object_add(p, "previousStatus",
	    json_object_new_string(from));
	if ((code = events_emit(db, org_id, EVENT_ORDER_STATUS_CHANGED, p)) !=
	    DB_OK || strcmp(to, "FULFILLED") != 0)
		return code;
	p = json_object_new_object();
	json_object_object_add(p, "orderId", json_object_new_string(id));
	json_object_object_add(p, "status", json_object_new_string(to));
	return events_emit(db, org_id, EVENT_ORDER_FULFILLED, p);
}

/* orders_transition, and why a receipt was refused (why may be NULL). */
static enum order_move
orders_move(struct db *db, long long org_id, const char *public_id,
    const char *to, const char *actor, const char *note, char from[16],
    struct receive_refusal *why)
{
	struct db_rows	*rows = NULL;
	long long	 order;
	enum db_code	 code;
	int		 decision = strcmp(to, "APPROVED") == 0 ||
			    strcmp(to, "REJECTED") == 0;

	if (db_query(db, &rows, orders_sql[SQL_ORDER_LOCK],
	    DB_PARAMS(DB_INT(org_id), DB_STR(public_id))) != DB_OK)
		return ORDER_DB_ERROR;
	if (rows->nrows == 0) {
		db_rows_free(rows);
		return ORDER_NOT_FOUND;
	}
	order = atoll(db_cell(rows, 0, 0));
	snprintf(from, 16, "%s", db_cell(rows, 0, 1));
	db_rows_free(rows);
	if (!orders_allowed(from, to))
		return ORDER_BAD_MOVE;
	if (db_exec(db, orders_sql[SQL_ORDER_SET_STATUS], DB_PARAMS(DB_STR(to),
	    DB_STR(decision ? actor : NULL), DB_STR(decision ? note : NULL),
	    DB_INT(order))) != DB_OK ||
	    db_exec(db, orders_sql[SQL_ORDER_HISTORY], DB_PARAMS(DB_INT(org_id),
	    DB_INT(order), DB_STR(from), DB_STR(to), DB_STR(actor),
	    DB_STR(note))) != DB_OK)
		return ORDER_DB_ERROR;
	if (strcmp(to, "RECEIVED") == 0 && (code = orders_receive(db, org_id,
	    order, public_id, actor, why)) != DB_OK)
		return code == DB_CONSTRAINT ? ORDER_STOCK_RANGE :
		    ORDER_DB_ERROR;
	if (orders_status_events(db, org_id, public_id, from, to) != DB_OK)
		return ORDER_DB_ERROR;
	return ORDER_MOVED;
}

/*
 * Move order public_id of org to status `to`, inside the caller's
 * transaction: checked against the allowed moves, audited with actor and
 * note, events written, stock received. from (16 bytes) gets the old
 * status. ORDER_MOVED, or why not; after anything else the caller
 * rolls back (ORDER_STOCK_RANGE leaves the order's lines half received).
 */
enum order_move
orders_transition(struct db *db, long long org_id, const char *public_id,
    const char *to, const char *actor, const char *note, char from[16])
{
	return orders_move(db, org_id, public_id, to, actor, note, from, NULL);
}

/* POST /api/integrations/v1/orders/{id}/status */
void
orders_set_status(struct req *r)
{
	struct json_object	*b, *o;
	const char		*to, *note;
	char			 from[16], actor[48], max[DECIMAL_BUFSZ];
	struct receive_refusal	 why;

	if ((b = req_json_body(r)) == NULL)
		return;
	if (!valid_object(r, b) ||
	    !valid_enum(r, b, "status", 1, target_statuses, &to) ||
	    !valid_string(r, b, "note", 0, 0, 1000, &note))
		goto out;
	principal_actor(&r->principal, actor, sizeof(actor));
	switch (orders_move(r->db, r->principal.org_id, r->args[0], to, actor,
	    note, from, &why)) {
	case ORDER_MOVED:
		if ((o = orders_data(r->db, r->principal.org_id, r->args[0])) != NULL)
			req_resp_json(r, 200, o);
		else
			req_resp_error(r, 503, NULL, "database unavailable");
		break;
	case ORDER_NOT_FOUND:
		req_resp_error(r, 404, NULL, "no order %s", r->args[0]);
		break;
	case ORDER_BAD_MOVE:
		req_resp_error(r, 409, "invalid_transition", "status: an order "
		    "in %s cannot move to %s", from, to);
		break;
	case ORDER_STOCK_RANGE:
		decimal_format(DECIMAL_SQL_MAX, max);
		req_resp_error(r, 409, "stock_out_of_range", "lines[%zu]."
		    "quantity: receiving it would put the stock of %s above "
		    "%s; nothing was received", why.line, why.sku, max);
		break;
	case ORDER_DB_ERROR:
		req_resp_error(r, 503, NULL, "database unavailable; nothing was "
		    "written");
		break;
	}
out:
	json_object_put(b);
}

/*
 * A DECIMAL cell as fixed point into v; 0 for NULL or beyond
 * DECIMAL(18,4) (orders_json answers null for both).
 */
static int
orders_amount(const char *sql, int64_t *v)
{
	*v = 0;
	return sql != NULL && decimal_parse(sql, v);
}

enum waiting_col {
	WC_ID, WC_VENDOR, WC_REF, WC_NOTES, WC_CREATED, WC_TOTAL,
	WC_SUBMITTED_BY, WC_SUBMITTED_AT, WC_SKU, WC_NAME, WC_QTY, WC_COST,
	WC_AMOUNT
};

/* Row i of w's rows as a new order of w. */
static struct order_waiting *
orders_waiting_add(struct orders_waiting *w, size_t i)
{
	struct order_waiting	*o = &w->v[w->n++];

	o->id = db_cell(w->rows, i, WC_ID);
	o->vendor = db_cell(w->rows, i, WC_VENDOR);
	o->reference = db_cell(w->rows, i, WC_REF);
	o->notes = db_cell(w->rows, i, WC_NOTES);
	o->created_at = db_cell(w->rows, i, WC_CREATED);
	o->submitted_by = db_cell(w->rows, i, WC_SUBMITTED_BY);
	o->submitted_at = db_cell(w->rows, i, WC_SUBMITTED_AT);
	o->has_total = orders_amount(db_cell(w->rows, i, WC_TOTAL), &o->total);
	o->lines = &w->lines[w->nlines];
	return o;
}

/*
 * The orders of org waiting for approval (SUBMITTED), oldest first, at
 * most 200, each with its lines, into w; its strings are borrowed from
 * w. Free with orders_waiting_cleanup, also after a failure.
 */
enum db_code
orders_waiting_list(struct db *db, long long org_id, struct orders_waiting *w)
{
	struct order_waiting		*o = NULL;
	struct order_waiting_line	*l;
	enum db_code			 code;
	size_t				 i;

	memset(w, 0, sizeof(*w));
	if ((w->v = db_query_view(db, &w->rows, sizeof(*w->v), &code,
	    orders_sql[SQL_ORDER_WAITING], DB_PARAMS(DB_INT(org_id)))) == NULL)
		return code;
	if ((w->lines = calloc(w->rows->nrows ? w->rows->nrows : 1,
	    sizeof(*w->lines))) == NULL)
		return DB_ERROR;
	/* The rows come by order, then line; a new id starts an order. */
	for (i = 0; i < w->rows->nrows; i++) {
		if (o == NULL || strcmp(o->id, db_cell(w->rows, i, WC_ID)) != 0)
			o = orders_waiting_add(w, i);
		if (db_cell(w->rows, i, WC_QTY) == NULL)
			continue;	/* an order without lines */
		l = &w->lines[w->nlines++];
		l->sku = db_cell(w->rows, i, WC_SKU);
		l->name = db_cell(w->rows, i, WC_NAME);
		orders_amount(db_cell(w->rows, i, WC_QTY), &l->quantity);
		l->has_cost = orders_amount(db_cell(w->rows, i, WC_COST),
		    &l->unit_cost);
		l->has_amount = orders_amount(db_cell(w->rows, i, WC_AMOUNT),
		    &l->amount);
		o->nlines++;
	}
	return DB_OK;
}

/* Free what orders_waiting_list filled; safe on a zeroed w. */
void
orders_waiting_cleanup(struct orders_waiting *w)
{
	free(w->lines);
	free(w->v);
	db_rows_free(w->rows);
	memset(w, 0, sizeof(*w));
}

enum decision_col { DC_ID, DC_STATUS, DC_ACTOR, DC_NOTE, DC_AT };

/*
 * The last 20 approvals and rejections of org's orders, newest first,
 * into d; its strings are borrowed from d. Free with
 * orders_decisions_cleanup, also after a failure.
 */
enum db_code
orders_decisions_list(struct db *db, long long org_id,
    struct orders_decisions *d)
{
	struct order_decision	*o;
	enum db_code		 code;

	memset(d, 0, sizeof(*d));
	if ((d->v = db_query_view(db, &d->rows, sizeof(*d->v), &code,
	    orders_sql[SQL_ORDER_DECISIONS], DB_PARAMS(DB_INT(org_id)))) ==
	    NULL)
		return code;
	for (; d->n < d->rows->nrows; d->n++) {
		o = &d->v[d->n];
		o->order_id = db_cell(d->rows, d->n, DC_ID);
		o->status = db_cell(d->rows, d->n, DC_STATUS);
		o->actor = db_cell(d->rows, d->n, DC_ACTOR);
		o->note = db_cell(d->rows, d->n, DC_NOTE);
		o->decided_at = db_cell(d->rows, d->n, DC_AT);
	}
	return DB_OK;
}

/* Free what orders_decisions_list filled; safe on a zeroed d. */
void
orders_decisions_cleanup(struct orders_decisions *d)
{
	free(d->v);
	db_rows_free(d->rows);
	memset(d, 0, sizeof(*d));
}
