/*
 * items.c - the inventory catalog of an organization: its queries, its
 * JSON shape and its handlers. Every query is scoped by organization.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"

#define ITEM_COLUMNS \
    "public_id, sku, name, unit, category, stock_on_hand," \
    " low_stock_threshold, unit_cost, lead_time_days, archived," \
    " created_at, updated_at"

static const char *const SQL_ITEM_INSERT =
    "INSERT INTO inventory_items (public_id, org_id, sku, name, unit,"
    " category, stock_on_hand, low_stock_threshold, unit_cost,"
    " lead_time_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char *const SQL_ITEM_BY_ID =
    "SELECT " ITEM_COLUMNS " FROM inventory_items"
    " WHERE org_id = ? AND public_id = ?";

#define QTY_MAX		(100000000000LL * 10000)	/* 10^11 units */

enum item_col {
	IC_ID, IC_SKU, IC_NAME, IC_UNIT, IC_CATEGORY, IC_STOCK, IC_LOW,
	IC_COST, IC_LEAD, IC_ARCHIVED, IC_CREATED, IC_UPDATED
};

/* One row of ITEM_COLUMNS as the API's item object. */
static struct json_object *
items_json(const struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object();
	const char		*cat = db_cell(rows, i, IC_CATEGORY);

	json_object_object_add(o, "id",
	    json_object_new_string(db_cell(rows, i, IC_ID)));
	json_object_object_add(o, "sku",
	    json_object_new_string(db_cell(rows, i, IC_SKU)));
	json_object_object_add(o, "name",
	    json_object_new_string(db_cell(rows, i, IC_NAME)));
	json_object_object_add(o, "unit",
	    json_object_new_string(db_cell(rows, i, IC_UNIT)));
	json_object_object_add(o, "category",
	    cat ? json_object_new_string(cat) : NULL);
	json_object_object_add(o, "stockOnHand",
	    decimal_sql_to_json(db_cell(rows, i, IC_STOCK)));
	json_object_object_add(o, "lowStockThreshold",
	    decimal_sql_to_json(db_cell(rows, i, IC_LOW)));
	json_object_object_add(o, "unitCost",
	    decimal_sql_to_json(db_cell(rows, i, IC_COST)));
	json_object_object_add(o, "leadTimeDays",
	    json_object_new_int64(atoll(db_cell(rows, i, IC_LEAD))));
	json_object_object_add(o, "archived", json_object_new_boolean(
	    strcmp(db_cell(rows, i, IC_ARCHIVED), "1") == 0));
	json_object_object_add(o, "createdAt",
	    json_time(db_cell(rows, i, IC_CREATED)));
	json_object_object_add(o, "updatedAt",
	    json_time(db_cell(rows, i, IC_UPDATED)));
	return o;
}

/* Answer 200/201 with {"data": item} for public id, or 404. */
static void
items_respond(struct req *r, int status, const char *public_id)
{
	struct db_rows		*rows = NULL;
	struct json_object	*o;

	if (db_query(r->db, &rows, SQL_ITEM_BY_ID,
	    DB_PARAMS(DB_INT(r->key.org_id), DB_STR(public_id))) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		return;
	}
	if (rows->nrows == 0)
		req_resp_error(r, 404, NULL, "no inventory item %s", public_id);
	else {
		o = json_object_new_object();
		json_object_object_add(o, "data", items_json(rows, 0));
		req_resp_json(r, status, o);
	}
	db_rows_free(rows);
}

struct item_input {
	const char	*sku, *name, *unit, *category;
	int64_t		 stock, low, cost;
	int		 has_low, has_cost, has_stock, has_lead;
	long long	 lead;
};

static int
items_read(struct req *r, struct json_object *b, struct item_input *in)
{
	memset(in, 0, sizeof(*in));
	in->lead = 7;
	return valid_object(r, b) &&
	    valid_string(r, b, "sku", 1, 1, 128, &in->sku) &&
	    valid_string(r, b, "name", 1, 1, 200, &in->name) &&
	    valid_string(r, b, "unit", 0, 1, 32, &in->unit) &&
	    valid_string(r, b, "category", 0, 1, 100, &in->category) &&
	    valid_decimal(r, b, "stockOnHand", 0, -QTY_MAX, QTY_MAX,
	    &in->stock, &in->has_stock) &&
	    valid_decimal(r, b, "lowStockThreshold", 0, 0, QTY_MAX, &in->low,
	    &in->has_low) &&
	    valid_decimal(r, b, "unitCost", 0, 0, QTY_MAX, &in->cost,
	    &in->has_cost) &&
	    valid_int(r, b, "leadTimeDays", 0, 0, 3650, &in->lead,
	    &in->has_lead);
}

/* POST /api/integrations/v1/inventory/items: 201, 400 or 409 (sku). */
void
items_create(struct req *r)
{
	struct json_object	*b;
	struct item_input	 in;
	char			 id[37], stock[DECIMAL_BUFSZ];
	char			 low[DECIMAL_BUFSZ], cost[DECIMAL_BUFSZ];

	if ((b = req_json_body(r)) == NULL)
		return;
	if (!items_read(r, b, &in))
		goto out;
	decimal_format(in.has_stock ? in.stock : 0, stock);
	decimal_format(in.low, low);
	decimal_format(in.cost, cost);
	crypto_uuid7(id);
	switch (db_exec(r->db, SQL_ITEM_INSERT, DB_PARAMS(DB_STR(id),
	    DB_INT(r->key.org_id), DB_STR(in.sku), DB_STR(in.name),
	    DB_STR(in.unit ? in.unit : "each"), DB_STR(in.category),
	    DB_STR(stock), DB_STR(in.has_low ? low : NULL),
	    DB_STR(in.has_cost ? cost : NULL), DB_INT(in.lead)))) {
	case DB_OK:
		items_respond(r, 201, id);
		break;
	case DB_CONSTRAINT:
		req_resp_error(r, 409, "duplicate_sku", "sku: %s already "
		    "exists", in.sku);
		break;
	default:
		req_resp_error(r, 503, NULL, "database unavailable");
		break;
	}
out:
	json_object_put(b);
}

/* GET /api/integrations/v1/inventory/items/{id} */
void
items_get(struct req *r)
{
	items_respond(r, 200, r->args[0]);
}
