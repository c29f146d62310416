/*
 * items.c - the inventory catalog of an organization: its queries, its
 * JSON shape, its handlers, and the one place stock on hand changes
 * (with the low-stock and stockout events that causes). Every query is
 * scoped by organization.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "inventory/inventory.h"

#define ITEM_COLUMNS \
    "public_id, sku, name, unit, category, stock_on_hand," \
    " low_stock_threshold, unit_cost, lead_time_days, archived," \
    " created_at, updated_at, description, subcategory, rarity, metadata," \
    " stock_reserved, id"

enum items_sql_id {
	SQL_ITEM_INSERT, SQL_ITEM_BY_ID, SQL_ITEM_LIST, SQL_ITEM_LOCK_SKU,
	SQL_ITEM_UPDATE, SQL_ITEM_LOCK_STOCK, SQL_ITEM_SET_STOCK,
	SQL_ADJ_INSERT, SQL_STOCK_LOCK_AT, SQL_STOCK_UPSERT_AT,
	SQL_ITEM_SET_COST, SQL_ITEM_SET_ARCHIVED, SQL_ITEM_SEARCH,
	ITEMS_SQL__MAX
};

static const char *const items_sql[ITEMS_SQL__MAX] = {
	[SQL_ITEM_INSERT] =
	    "INSERT INTO inventory_items (public_id, org_id, sku, name, unit,"
	    " category, stock_on_hand, low_stock_threshold, unit_cost,"
	    " lead_time_days, archived) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[SQL_ITEM_BY_ID] =
	    "SELECT " ITEM_COLUMNS " FROM inventory_items"
	    " WHERE org_id = ? AND public_id = ?",
	/* Through (org_id, id), never the primary key: ORDER BY id LIMIT
	 * tempts the optimizer to walk the whole table in id order and
	 * filter the organization, which reads every row of the tenants
	 * (and every deleted row not yet purged) below this one's first
	 * id: a page of 50 took a second in a table of 250,000. */
	[SQL_ITEM_LIST] =
	    "SELECT " ITEM_COLUMNS " FROM inventory_items"
	    " FORCE INDEX (ix_item_org_id)"
	    " WHERE org_id = ? AND id > ? AND (? = 1 OR archived = 0)"
	    " AND (? IS NULL OR updated_at > ?)"
	    " ORDER BY id LIMIT ?",
	[SQL_ITEM_LOCK_SKU] =
	    "SELECT id, public_id, unit_cost, archived FROM inventory_items"
	    " WHERE org_id = ? AND sku = ? FOR UPDATE",
	[SQL_ITEM_UPDATE] =
	    "UPDATE inventory_items SET name = COALESCE(?, name),"
	    " unit = COALESCE(?, unit), category = COALESCE(?, category),"
	    " low_stock_threshold = COALESCE(?, low_stock_threshold),"
	    " unit_cost = COALESCE(?, unit_cost),"
	    " lead_time_days = COALESCE(?, lead_time_days),"
	    " archived = COALESCE(?, archived) WHERE id = ?",
	[SQL_ITEM_LOCK_STOCK] =
	    "SELECT id, public_id, sku, name, stock_on_hand, low_stock_threshold"
	    " FROM inventory_items WHERE org_id = ? AND public_id = ? FOR UPDATE",
	[SQL_ITEM_SET_STOCK] =
	    "UPDATE inventory_items SET stock_on_hand = ?,"
	    " stock_reserved = stock_reserved + ? WHERE id = ?",
	[SQL_ADJ_INSERT] =
	    "INSERT INTO stock_adjustments (org_id, item_id, location_id, delta,"
	    " stock_after, source, reason, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[SQL_STOCK_LOCK_AT] =
	    "SELECT quantity, reserved FROM inventory_stock"
	    " WHERE item_id = ? AND location_id = ? FOR UPDATE",
	[SQL_STOCK_UPSERT_AT] =
	    "INSERT INTO inventory_stock (org_id, item_id, location_id,"
	    " quantity, reserved) VALUES (?, ?, ?, ?, ?)"
	    " ON DUPLICATE KEY UPDATE quantity = VALUES(quantity),"
	    " reserved = VALUES(reserved)",
	[SQL_ITEM_SET_COST] =
	    "UPDATE inventory_items SET unit_cost = ?"
	    " WHERE org_id = ? AND public_id = ?",
	[SQL_ITEM_SET_ARCHIVED] =
	    "UPDATE inventory_items SET archived = ?"
	    " WHERE org_id = ? AND public_id = ?",
	/*
	 * search=: the SKU begins with the term (byte for byte, through
	 * (org_id, sku)), or every word of it begins a word of the name or
	 * SKU (SEARCH_MATCH, FULLTEXT); one page of ids, then its rows.
	 */
	[SQL_ITEM_SEARCH] =
	    "SELECT " ITEM_COLUMNS " FROM (SELECT id AS hit FROM inventory_items"
	    "  WHERE org_id = ? AND sku LIKE ? AND id > ?"
	    "  AND (? = 1 OR archived = 0) AND (? IS NULL OR updated_at > ?)"
	    " UNION SELECT id FROM inventory_items"
	    "  WHERE org_id = ? AND id > ? AND (? = 1 OR archived = 0)"
	    "  AND (? IS NULL OR updated_at > ?) AND " SEARCH_MATCH
	    " ORDER BY hit LIMIT ?) m"
	    " STRAIGHT_JOIN inventory_items ON id = m.hit"
	    " WHERE org_id = ? ORDER BY id",
};

const struct db_stmts items_stmts = {
	"items", items_sql, ITEMS_SQL__MAX, NULL, 0
};

enum item_col {
	IC_ID, IC_SKU, IC_NAME, IC_UNIT, IC_CATEGORY, IC_STOCK, IC_LOW,
	IC_COST, IC_LEAD, IC_ARCHIVED, IC_CREATED, IC_UPDATED, IC_DESC,
	IC_SUBCATEGORY, IC_RARITY, IC_METADATA, IC_RESERVED, IC_ROWID
};

/*
 * One row of ITEM_COLUMNS (cells c) as the API's item object, written
 * by w: an element (key NULL) or the member key. The one serializer of
 * an item: every answer and items_fetch_json go through it.
 */
static int
items_write(struct jsonw *w, const char *key, const char *const *c)
{
	jsonw_obj_open(w, key);
	jsonw_str(w, "id", c[IC_ID]);
	/* Items that arrived by import may have no SKU. */
	jsonw_str(w, "sku", c[IC_SKU]);
	jsonw_str(w, "name", c[IC_NAME]);
	jsonw_str(w, "unit", c[IC_UNIT]);
	jsonw_str(w, "category", c[IC_CATEGORY]);
	/* The contract's attributes (issue 13): imported items carry them. */
	jsonw_str(w, "description", c[IC_DESC]);
	jsonw_str(w, "subcategory", c[IC_SUBCATEGORY]);
	jsonw_str(w, "rarity", c[IC_RARITY]);
	/* JSON text, checked by the table; printed as json-c prints it. */
	jsonw_json_text(w, "metadata", c[IC_METADATA]);
	/* The sum over the item's locations, as stockReserved is. */
	jsonw_decimal_sql(w, "stockOnHand", c[IC_STOCK]);
	jsonw_decimal_sql(w, "stockReserved", c[IC_RESERVED]);
	jsonw_decimal_sql(w, "lowStockThreshold", c[IC_LOW]);
	jsonw_decimal_sql(w, "unitCost", c[IC_COST]);
	jsonw_int(w, "leadTimeDays", c[IC_LEAD] ? atoll(c[IC_LEAD]) : 0);
	jsonw_bool(w, "archived", c[IC_ARCHIVED] != NULL &&
	    strcmp(c[IC_ARCHIVED], "1") == 0);
	jsonw_time_sql(w, "createdAt", c[IC_CREATED]);
	jsonw_time_sql(w, "updatedAt", c[IC_UPDATED]);
	return jsonw_obj_close(w);
}

/* Where items_write_row writes the one row of SQL_ITEM_BY_ID. */
struct items_one {
	struct jsonw	*w;
	const char	*key;
	int		 found;
};

static int
items_write_row(const struct db_row *row, void *arg)
{
	struct items_one	*one = arg;

	one->found = 1;
	return items_write(one->w, one->key, row->cells);
}

/*
 * Write the item public_id of org with w (as member key, or an element
 * when key is NULL), straight from the fetched row: DB_NOTFOUND when
 * there is none (nothing written), else the query's code; a failure of
 * the writer is w's to tell (jsonw_done).
 */
static enum db_code
items_write_by_id(struct db *db, long long org_id, const char *public_id,
    struct jsonw *w, const char *key)
{
	struct items_one	 one = { w, key, 0 };
	enum db_code		 code;

	code = db_query_each(db, items_write_row, &one,
	    items_sql[SQL_ITEM_BY_ID], DB_PARAMS(DB_INT(org_id),
	    DB_STR(public_id)));
	if (code == DB_OK && !one.found)
		code = DB_NOTFOUND;
	return code;
}

/*
 * The item with public_id as a json-c object (for answers that embed
 * it in one of their own), or NULL: *code says DB_NOTFOUND or a
 * database failure. Written by items_write and parsed back, so it is
 * the same JSON as every other answer gives.
 */
struct json_object *
items_fetch_json(struct db *db, long long org_id, const char *public_id,
    enum db_code *code)
{
	struct json_object	*o = NULL;
	struct jsonw		 w;
	struct buf		 b;

	buf_init(&b);
	jsonw_init(&w, &b);
	if ((*code = items_write_by_id(db, org_id, public_id, &w, NULL)) ==
	    DB_OK && (!jsonw_done(&w) ||
	    (o = json_tokener_parse(b.data)) == NULL))
		*code = DB_ERROR;
	buf_cleanup(&b);
	return o;
}

/*
 * Answer {"data": item} with the item public_id as it stands, written
 * straight into the response (status when found); 404 or 503.
 */
static void
items_respond(struct req *r, int status, const char *public_id)
{
	struct jsonw	 w;
	enum db_code	 code;

	r->out.body.len = 0;
	jsonw_init(&w, &r->out.body);
	jsonw_obj_open(&w, NULL);
	code = items_write_by_id(r->db, r->principal.org_id, public_id, &w,
	    "data");
	jsonw_obj_close(&w);
	if (code == DB_NOTFOUND)
		req_resp_error(r, 404, NULL, "no inventory item %s", public_id);
	else if (code != DB_OK)
		req_resp_error(r, 503, NULL, "database unavailable");
	else if (!jsonw_done(&w))
		req_resp_error(r, 500, NULL, "out of memory");
	else
		req_resp_written(r, status);
}

struct item_input {
	const char	*name, *unit, *category;
	int64_t		 stock, low, cost;
	int		 has_low, has_cost, has_stock, has_lead, archived;
	long long	 lead;
};

static int
items_read(struct req *r, struct json_object *b, struct item_input *in,
    int name_required)
{
	memset(in, 0, sizeof(in[0]));
	in->archived = -1;
	return valid_object(r, b) &&
	    valid_string(r, b, "name", name_required, 1, 200, &in->name) &&
	    valid_string(r, b, "unit", 0, 1, 32, &in->unit) &&
	    valid_string(r, b, "category", 0, 1, 100, &in->category) &&
	    valid_decimal(r, b, "stockOnHand", 0, 0, DECIMAL_MAX,
	    &in->stock, &in->has_stock) &&
	    valid_decimal(r, b, "lowStockThreshold", 0, 0, DECIMAL_MAX, &in->low,
	    &in->has_low) &&
	    valid_decimal(r, b, "unitCost", 0, 0, DECIMAL_MAX, &in->cost,
	    &in->has_cost) &&
	    valid_int(r, b, "leadTimeDays", 0, 0, 3650, &in->lead,
	    &in->has_lead) &&
	    valid_bool(r, b, "archived", &in->archived);
}

/* Insert the item of org (inside the caller's transaction). */
static enum db_code
items_insert(struct db *db, long long org_id, const char *sku,
    const struct item_input *in, char id[37], long long *rowid_out)
{
	char	 stock[DECIMAL_BUFSZ], low[DECIMAL_BUFSZ], cost[DECIMAL_BUFSZ];

	decimal_format(in->has_stock ? in->stock : 0, stock);
	decimal_format(in->low, low);
	decimal_format(in->cost, cost);
	enum db_code	 code;
	long long	 rowid;

	crypto_uuid7(id);
	if ((code = db_exec(db, items_sql[SQL_ITEM_INSERT], DB_PARAMS(DB_STR(id),
	    DB_INT(org_id), DB_STR(sku), DB_STR(in->name),
	    DB_STR(in->unit ? in->unit : "each"), DB_STR(in->category),
	    DB_STR(stock), DB_STR(in->has_low ? low : NULL),
	    DB_STR(in->has_cost ? cost : NULL), DB_INT(in->has_lead ?
	    in->lead : 7), DB_INT(in->archived == 1)))) != DB_OK)
		return code;
	/* The stock it starts with is at the default location; the item's
	 * rowid stays what db_insert_id answers (for items_create_minimal). */
	rowid = (long long)db_insert_id(db);
	if ((code = locations_seed_stock(db, org_id, rowid, stock)) != DB_OK)
		return code;
	if (rowid_out != NULL)
		*rowid_out = rowid;
	return DB_OK;
}

/* Answer the item as it stands after a write. */
static void
items_answer(struct req *r, int status, const char *id)
{
	items_respond(r, status, id);
}

/* POST /api/integrations/v1/inventory/items: 201, 400 or 409 (sku). */
void
items_create(struct req *r)
{
	struct json_object	*b;
	struct item_input	 in;
	const char		*sku;
	char			 id[37];

	if ((b = req_json_body(r)) == NULL)
		return;
	if (!items_read(r, b, &in, 1) ||
	    !valid_string(r, b, "sku", 1, 1, 128, &sku))
		goto out;
	switch (items_insert(r->db, r->principal.org_id, sku, &in, id, NULL)) {
	case DB_OK:
		items_answer(r, 201, id);
		break;
	case DB_CONSTRAINT:
		req_resp_error(r, 409, "duplicate_sku", "sku: %s already "
		    "exists", sku);
		break;
	default:
		req_resp_error(r, 503, NULL, "database unavailable");
		break;
	}
out:
	json_object_put(b);
}

/* Update the locked item rowid with the fields sent. */
static enum db_code
items_update(struct req *r, long long rowid, const struct item_input *in)
{
	char	 low[DECIMAL_BUFSZ], cost[DECIMAL_BUFSZ];

	decimal_format(in->low, low);
	decimal_format(in->cost, cost);
	return db_exec(r->db, items_sql[SQL_ITEM_UPDATE],
	    DB_PARAMS(DB_STR(in->name), DB_STR(in->unit), DB_STR(in->category),
	    DB_STR(in->has_low ? low : NULL), DB_STR(in->has_cost ? cost : NULL),
	    in->has_lead ? DB_INT(in->lead) : DB_NULL,
	    in->archived < 0 ? DB_NULL : DB_INT(in->archived), DB_INT(rowid)));
}

/* Create (name required) or update the item sku, in the transaction.
 * Two requests creating the same new SKU at once: the loser gets 409. */
static void
items_upsert(struct req *r, const char *sku, const struct item_input *in)
{
	struct db_rows	*rows = NULL;
	char		 id[37];

	if (db_query(r->db, &rows, items_sql[SQL_ITEM_LOCK_SKU], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_STR(sku))) != DB_OK)
		goto fail;
	if (rows->nrows == 0) {
		if (in->name == NULL)
			req_resp_error(r, 400, "invalid_body", "name: is required "
			    "to create an item");
		else switch (items_insert(r->db, r->principal.org_id, sku, in,
		    id, NULL)) {
		case DB_OK:
			items_answer(r, 201, id);
			break;
		case DB_CONSTRAINT:
			req_resp_error(r, 409, "conflict", "sku: %s was created "
			    "at the same time; retry", sku);
			break;
		default:
			goto fail;
		}
	} else if (in->has_stock)
		req_resp_error(r, 400, "invalid_body", "stockOnHand: change the "
		    "stock of an existing item with an adjustment");
	else if (items_update(r, atoll(db_cell(rows, 0, 0)), in) == DB_OK) {
		snprintf(id, sizeof(id), "%s", db_cell(rows, 0, 1));
		items_answer(r, 200, id);
	} else
		goto fail;
	db_rows_free(rows);
	return;
fail:
	db_rows_free(rows);
	req_resp_error(r, 503, NULL, "database unavailable");
}

/* PUT /api/integrations/v1/inventory/items/by-sku/{sku} */
void
items_put_by_sku(struct req *r)
{
	struct json_object	*b;
	struct item_input	 in;
	size_t			 n = util_utf8_chars(r->args[0]);

	if (n < 1 || n > 128) {
		req_resp_error(r, 400, "invalid_body", "sku: expected 1 to 128 "
		    "characters");
		return;
	}
	if ((b = req_json_body(r)) == NULL)
		return;
	if (items_read(r, b, &in, 0))
		items_upsert(r, r->args[0], &in);
	json_object_put(b);
}

/* GET /api/integrations/v1/inventory/items/{id} */
void
items_get(struct req *r)
{
	items_respond(r, 200, r->args[0]);
}

/*
 * One page of org's items for items_list, each row to fn with arg as it
 * is fetched: after is the updatedAfter bound or NULL, search the
 * search= term or NULL (the indexed SQL_ITEM_SEARCH, README "Search").
 */
static enum db_code
items_list_rows(struct db *db, long long org, const struct page *pg,
    int archived, const char *after, const char *search, db_row_fn fn,
    void *arg)
{
	enum db_code		 code;
	struct search_plan	 sp;
	char			*prefix;

	if (search == NULL || *search == '\0')
		return db_query_each(db, fn, arg, items_sql[SQL_ITEM_LIST],
		    DB_PARAMS(DB_INT(org), DB_INT(pg->after_id),
		    DB_INT(archived), DB_STR(after), DB_STR(after),
		    DB_INT(pg->limit + 1)));
	if (!search_plan_init(&sp, org, search))
		return DB_ERROR;
	if ((prefix = db_like_prefix(search)) == NULL) {
		search_plan_free(&sp);
		return DB_ERROR;
	}
	code = db_query_each(db, fn, arg, items_sql[SQL_ITEM_SEARCH], DB_PARAMS(
	    DB_INT(org), DB_STR(prefix), DB_INT(pg->after_id), DB_INT(archived),
	    DB_STR(after), DB_STR(after),
	    DB_INT(org), DB_INT(pg->after_id), DB_INT(archived),
	    DB_STR(after), DB_STR(after),
	    SEARCH_PARAMS(&sp), DB_INT(pg->limit + 1), DB_INT(org)));
	free(prefix);
	search_plan_free(&sp);
	return code;
}

/* GET /api/integrations/v1/inventory/items */
void
items_list(struct req *r)
{
	struct page		 pg;
	struct page_writer	 pw;
	enum db_code		 code;
	char			 after[24], *search = NULL;
	int			 archived = 0, has_after;

	if (!page_parse(r, &pg) || !query_bool(r, "includeArchived",
	    &archived) || !query_time(r, "updatedAfter", after, &has_after) ||
	    !query_string(r, "search", 200, &search))
		return;
	/* Rows go into the answer as they are fetched. */
	page_write_begin(r, &pw, pg.limit, IC_ROWID, items_write);
	code = items_list_rows(r->db, r->principal.org_id, &pg, archived,
	    has_after ? after : NULL, search, page_write_row, &pw);
	page_write_end(r, &pw, code);
	free(search);
}

/* --- for other domains: posting to an item by SKU ------------------- */

static void
items_ref_from_row(const struct db_rows *rows, struct item_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	ref->rowid = atoll(db_cell(rows, 0, 0));
	snprintf(ref->item_id, sizeof(ref->item_id), "%s", db_cell(rows, 0, 1));
	ref->has_cost = db_cell(rows, 0, 2) != NULL &&
	    decimal_parse(db_cell(rows, 0, 2), &ref->unit_cost);
	ref->archived = strcmp(db_cell(rows, 0, 3), "1") == 0;
}

/*
 * The item sku of org, locked FOR UPDATE in the caller's transaction,
 * into ref: DB_NOTFOUND when there is none (the SKU's gap stays locked
 * until the transaction ends, so a create that follows cannot race).
 */
enum db_code
items_lock_by_sku(struct db *db, long long org_id, const char *sku,
    struct item_ref *ref)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	memset(ref, 0, sizeof(*ref));
	if ((code = db_query(db, &rows, items_sql[SQL_ITEM_LOCK_SKU],
	    DB_PARAMS(DB_INT(org_id), DB_STR(sku)))) != DB_OK)
		return code;
	if (rows->nrows == 0)
		code = DB_NOTFOUND;
	else
		items_ref_from_row(rows, ref);
	db_rows_free(rows);
	return code;
}

/*
 * Create the item sku of org with name, unit "each", no stock and no
 * cost, in the caller's transaction; ref says which it is.
 * DB_CONSTRAINT when the SKU exists already.
 */
enum db_code
items_create_minimal(struct db *db, long long org_id, const char *sku,
    const char *name, struct item_ref *ref)
{
	struct item_input	 in;
	enum db_code		 code;

	memset(&in, 0, sizeof(in));
	memset(ref, 0, sizeof(*ref));
	in.name = name;
	code = items_insert(db, org_id, sku, &in, ref->item_id, &ref->rowid);
	return code;
}

/* Set the unit cost of item public_id of org; cost NULL clears it. */
enum db_code
items_set_cost(struct db *db, long long org_id, const char *public_id,
    const int64_t *cost)
{
	char	 c[DECIMAL_BUFSZ];

	if (cost != NULL)
		decimal_format(*cost, c);
	return db_exec(db, items_sql[SQL_ITEM_SET_COST], DB_PARAMS(
	    DB_STR(cost ? c : NULL), DB_INT(org_id), DB_STR(public_id)));
}

/* Archive (1) or unarchive (0) item public_id of org. */
enum db_code
items_set_archived(struct db *db, long long org_id, const char *public_id,
    int archived)
{
	return db_exec(db, items_sql[SQL_ITEM_SET_ARCHIVED], DB_PARAMS(
	    DB_INT(archived != 0), DB_INT(org_id), DB_STR(public_id)));
}

/* --- the one stock-change path --------------------------------------- */

/* An event's sku: null for an item without one (c->sku is then ""). */
static void
items_event_sku(struct json_object *p, const struct stock_change *c)
{
	json_put_str(p, "sku", c->sku[0] != '\0' ? c->sku : NULL);
}

static enum db_code
items_stock_event(struct db *db, long long org_id, const struct stock_change *c,
    enum event_type type)
{
	struct json_object	*p = json_object_new_object();

	json_object_object_add(p, "itemId", json_object_new_string(c->item_id));
	if (type == EVENT_INVENTORY_LOW_STOCK) {
		json_object_object_add(p, "itemName",
		    json_object_new_string(c->name));
		items_event_sku(p, c);
		json_object_object_add(p, "currentStock",
		    decimal_to_json(c->next));
	} else {
		items_event_sku(p, c);
		json_object_object_add(p, "previousStock",
		    decimal_to_json(c->prev));
		json_object_object_add(p, "nextStock", decimal_to_json(c->next));
		json_object_object_add(p, "source",
		    json_object_new_string(c->source));
	}
	return events_emit(db, org_id, type, p);
}

/* The events a change of stock from prev to next tells of. */
static enum db_code
items_stock_events(struct db *db, long long org_id,
    const struct stock_change *c)
{
	enum db_code	 code = DB_OK;

	if (c->prev > 0 && c->next <= 0)
		code = items_stock_event(db, org_id, c,
		    EVENT_INVENTORY_STOCKOUT);
	else if (c->prev <= 0 && c->next > 0)
		code = items_stock_event(db, org_id, c,
		    EVENT_INVENTORY_STOCKOUT_RESOLVED);
	if (code == DB_OK && c->has_threshold && c->next > 0 &&
	    c->prev > c->threshold && c->next <= c->threshold)
		code = items_stock_event(db, org_id, c,
		    EVENT_INVENTORY_LOW_STOCK);
	return code;
}

/* Lock item public_id of org and fill c's item fields; DB_NOTFOUND. */
static enum db_code
items_stock_lock(struct db *db, long long org_id, const char *public_id,
    const char *source, struct stock_change *c)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	memset(c, 0, sizeof(*c));
	if ((code = db_query(db, &rows, items_sql[SQL_ITEM_LOCK_STOCK],
	    DB_PARAMS( DB_INT(org_id), DB_STR(public_id)))) != DB_OK)
		return code;
	if (rows->nrows == 0 || !decimal_parse(db_cell(rows, 0, 4), &c->prev)) {
		db_rows_free(rows);
		return DB_NOTFOUND;
	}
	c->rowid = atoll(db_cell(rows, 0, 0));
	snprintf(c->item_id, sizeof(c->item_id), "%s", db_cell(rows, 0, 1));
	/* Imported items may have no SKU: c->sku is then "" (events say
	 * null). */
	snprintf(c->sku, sizeof(c->sku), "%s", db_cell(rows, 0, 2) ?
	    db_cell(rows, 0, 2) : "");
	snprintf(c->name, sizeof(c->name), "%s", db_cell(rows, 0, 3));
	c->has_threshold = db_cell(rows, 0, 5) != NULL &&
	    decimal_parse(db_cell(rows, 0, 5), &c->threshold);
	c->source = source;
	db_rows_free(rows);
	return DB_OK;
}

/* Lock the item's row at location loc (0: the default) and read its
 * quantity and reserved quantity into c (0 when it has none there). */
static enum db_code
items_stock_lock_at(struct db *db, long long org_id, long long *loc,
    struct stock_change *c)
{
	struct location_ref	 def;
	struct db_rows		*rows = NULL;
	enum db_code		 code;

	if (*loc == 0) {
		if ((code = locations_default(db, org_id, &def)) != DB_OK)
			return code;
		*loc = def.rowid;
	}
	if ((code = db_query(db, &rows, items_sql[SQL_STOCK_LOCK_AT],
	    DB_PARAMS(DB_INT(c->rowid), DB_INT(*loc)))) != DB_OK)
		return code;
	if (rows->nrows > 0 && (!decimal_parse(db_cell(rows, 0, 0),
	    &c->loc_prev) || !decimal_parse(db_cell(rows, 0, 1),
	    &c->reserved)))
		code = DB_ERROR;
	db_rows_free(rows);
	return code;
}

/* Write c (locked by the two above) at location loc: the location's
 * row, the item's totals, the record of the change and its events. */
static enum db_code
items_stock_write(struct db *db, long long org_id, long long loc,
    int64_t reserved_delta, const char *reason, const char *actor,
    const struct stock_change *c)
{
	char		 d[DECIMAL_BUFSZ], n[DECIMAL_BUFSZ], l[DECIMAL_BUFSZ];
	char		 rs[DECIMAL_BUFSZ], rd[DECIMAL_BUFSZ];
	enum db_code	 code;

	decimal_format(c->next - c->prev, d);
	decimal_format(c->next, n);
	decimal_format(c->loc_next, l);
	decimal_format(c->reserved, rs);
	decimal_format(reserved_delta, rd);
	if ((code = db_exec(db, items_sql[SQL_STOCK_UPSERT_AT], DB_PARAMS(
	    DB_INT(org_id), DB_INT(c->rowid), DB_INT(loc), DB_STR(l),
	    DB_STR(rs)))) != DB_OK ||
	    (code = db_exec(db, items_sql[SQL_ITEM_SET_STOCK],
	    DB_PARAMS(DB_STR(n), DB_STR(rd), DB_INT(c->rowid)))) != DB_OK)
		return code;
	if (c->next == c->prev)
		return DB_OK;
	if ((code = db_exec(db, items_sql[SQL_ADJ_INSERT],
	    DB_PARAMS(DB_INT(org_id), DB_INT(c->rowid), DB_INT(loc), DB_STR(d),
	    DB_STR(n), DB_STR(c->source), DB_STR(reason),
	    DB_STR(actor)))) != DB_OK)
		return code;
	return items_stock_events(db, org_id, c);
}

/* Whether next is past what a DECIMAL(18,4) column holds, or below 0. */
static int
items_stock_out_of_range(int64_t next)
{
	return next < 0 || next > DECIMAL_SQL_MAX;
}

/*
 * Change the stock of item public_id of org at location loc (0: the
 * default location) by delta, inside the caller's transaction: the rows
 * are locked, the item's total follows, the change is recorded with its
 * source and reason, and its events are written. DB_CONSTRAINT when the
 * total would go below zero or above DECIMAL_SQL_MAX (c->next says
 * which; the column holds no more), or the location's stock below zero
 * or below its reserved quantity (c->short_at_location); DB_NOTFOUND
 * for no such item. c is filled.
 */
enum db_code
items_stock_change_at(struct db *db, long long org_id, const char *public_id,
    long long loc, int64_t delta, const char *source, const char *reason,
    const char *actor, struct stock_change *c)
{
	enum db_code	 code;

	if ((code = items_stock_lock(db, org_id, public_id, source, c)) !=
	    DB_OK || (code = items_stock_lock_at(db, org_id, &loc, c)) != DB_OK)
		return code;
	/* A delta past the column's range is past it either way (and
	 * would not fit int64 added). */
	if (delta < -DECIMAL_SQL_MAX || delta > DECIMAL_SQL_MAX) {
		c->next = delta < 0 ? -1 : DECIMAL_SQL_MAX + 1;
		return DB_CONSTRAINT;
	}
	c->next = c->prev + delta;
	c->loc_next = c->loc_prev + delta;
	if (items_stock_out_of_range(c->next))
		return DB_CONSTRAINT;
	if (c->loc_next < c->reserved) {
		c->short_at_location = 1;
		return DB_CONSTRAINT;
	}
	return items_stock_write(db, org_id, loc, 0, reason, actor, c);
}

/* items_stock_change_at at the default location. */
enum db_code
items_stock_change(struct db *db, long long org_id, const char *public_id,
    int64_t delta, const char *source, const char *reason, const char *actor,
    struct stock_change *c)
{
	return items_stock_change_at(db, org_id, public_id, 0, delta, source,
	    reason, actor, c);
}

/*
 * Set the stock of item public_id of org at location loc to qty, of
 * which reserved is reserved (0 <= reserved <= qty, checked by the
 * caller), as items_stock_change_at does a change: the difference is
 * recorded and tells its events. DB_CONSTRAINT when the item's total
 * would pass DECIMAL_SQL_MAX.
 */
enum db_code
items_stock_set_at(struct db *db, long long org_id, const char *public_id,
    long long loc, int64_t qty, int64_t reserved, const char *source,
    const char *reason, const char *actor, struct stock_change *c)
{
	enum db_code	 code;
	int64_t		 reserved_delta;

	if ((code = items_stock_lock(db, org_id, public_id, source, c)) !=
	    DB_OK || (code = items_stock_lock_at(db, org_id, &loc, c)) != DB_OK)
		return code;
	c->loc_next = qty;
	c->next = c->prev - c->loc_prev + qty;
	reserved_delta = reserved - c->reserved;
	c->reserved = reserved;
	if (items_stock_out_of_range(c->next))
		return DB_CONSTRAINT;
	return items_stock_write(db, org_id, loc, reserved_delta, reason,
	    actor, c);
}

/* {"data":{"item":…,"previousStock":…,"nextStock":…}} after c. */
static void
items_adjusted(struct req *r, const struct stock_change *c)
{
	struct jsonw	 w;
	enum db_code	 code;

	r->out.body.len = 0;
	jsonw_init(&w, &r->out.body);
	jsonw_obj_open(&w, NULL);
	jsonw_obj_open(&w, "data");
	code = items_write_by_id(r->db, r->principal.org_id, c->item_id, &w,
	    "item");
	jsonw_decimal(&w, "previousStock", c->prev);
	jsonw_decimal(&w, "nextStock", c->next);
	jsonw_obj_close(&w);
	jsonw_obj_close(&w);
	if (code != DB_OK)
		req_resp_error(r, 503, NULL, "database unavailable");
	else if (!jsonw_done(&w))
		req_resp_error(r, 500, NULL, "out of memory");
	else
		req_resp_written(r, 200);
}

/* POST /api/integrations/v1/inventory/items/{id}/adjustments */
void
items_adjust(struct req *r)
{
	struct json_object	*b;
	struct stock_change	 c;
	const char		*reason;
	int64_t			 delta;
	int			 has;

	if ((b = req_json_body(r)) == NULL)
		return;
	if (!valid_object(r, b) || !valid_decimal(r, b, "delta", 1, -DECIMAL_MAX,
	    DECIMAL_MAX, &delta, &has) ||
	    !valid_string(r, b, "reason", 1, 1, 200, &reason))
		goto out;
	if (delta == 0) {
		req_resp_error(r, 400, "invalid_body", "delta: must not be 0");
		goto out;
	}
	switch (items_stock_change(r->db, r->principal.org_id, r->args[0], delta,
	    "adjustment", reason, r->principal.key_public_id, &c)) {
	case DB_OK:
		items_adjusted(r, &c);
		break;
	case DB_NOTFOUND:
		req_resp_error(r, 404, NULL, "no inventory item %s", r->args[0]);
		break;
	case DB_CONSTRAINT:
		if (c.next < 0 || c.short_at_location)
			req_resp_error(r, 409, "insufficient_stock", "delta: "
			    "stock would fall below zero");
		else
			req_resp_error(r, 409, "stock_out_of_range", "delta: "
			    "stock would be more than 99999999999999.9999");
		break;
	default:
		req_resp_error(r, 503, NULL, "database unavailable");
		break;
	}
out:
	json_object_put(b);
}
