/*
 * blueprints.c - blueprints of an organization: recipes (bills of
 * materials), an output item and quantity made from ingredient items.
 * Their statements, their JSON shape (the contract's), the writes the
 * import shares (blueprints_insert, blueprints_update), the handlers of
 * /api/v1/blueprints, and crafting, which changes stock only through
 * items_stock_change_at. Every query is scoped by organization: an item
 * or blueprint of another one is not found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "impex/impex.h"

#define BP_INGREDIENTS_MAX	500
#define BP_MINUTES_MAX		2147483647LL
#define BP_DESCRIPTION_MAX	10000

#define BP_COLUMNS \
    "b.public_id, b.name, b.description, b.category," \
    " b.crafting_time_minutes, oi.public_id, b.output_quantity," \
    " b.is_public, b.created_at, b.updated_at, b.id"

/* A blueprint's rows joined with its ingredients, in their order. */
#define BP_ING_COLUMNS \
    BP_COLUMNS ", ii.public_id, bi.quantity, bi.optional"

#define BP_JOINS \
    " JOIN inventory_items oi ON oi.id = b.output_item_id" \
    " LEFT JOIN blueprint_ingredients bi ON bi.blueprint_id = b.id" \
    " LEFT JOIN inventory_items ii ON ii.id = bi.item_id"

enum blueprints_sql_id {
	SQL_BP_INSERT, SQL_BP_LOCK, SQL_BP_UPDATE, SQL_BPI_DELETE,
	SQL_BPI_INSERT, SQL_BP_ITEM_ROWID, SQL_BP_ITEM_OF_ORG, SQL_BP_ONE,
	SQL_BP_PAGE, SQL_BP_DELETE, SQL_BP_LOCK_PUBLIC, SQL_BPI_OF,
	SQL_BP_SEARCH, BLUEPRINTS_SQL__MAX
};

static const char *const blueprints_sql[BLUEPRINTS_SQL__MAX] = {
	/* The output item must be the organization's: none, no row. */
	[SQL_BP_INSERT] =
	    "INSERT INTO blueprints (public_id, org_id, name, description,"
	    " category, crafting_time_minutes, output_item_id, output_quantity,"
	    " is_public) SELECT ?, org_id, ?, ?, ?, ?, id, ?, ?"
	    " FROM inventory_items WHERE org_id = ? AND id = ?",
	[SQL_BP_LOCK] =
	    "SELECT id FROM blueprints WHERE org_id = ? AND id = ? FOR UPDATE",
	[SQL_BP_UPDATE] =
	    "UPDATE blueprints SET name = ?, description = ?, category = ?,"
	    " crafting_time_minutes = ?, output_item_id = ?,"
	    " output_quantity = ?, is_public = ?,"
	    " updated_at = CURRENT_TIMESTAMP(3) WHERE org_id = ? AND id = ?",
	[SQL_BPI_DELETE] =
	    "DELETE bi FROM blueprint_ingredients bi"
	    " JOIN blueprints b ON b.id = bi.blueprint_id"
	    " WHERE b.org_id = ? AND b.id = ?",
	/* The ingredient must be an item of the organization. */
	[SQL_BPI_INSERT] =
	    "INSERT INTO blueprint_ingredients (blueprint_id, position, item_id,"
	    " quantity, optional) SELECT ?, ?, id, ?, ? FROM inventory_items"
	    " WHERE org_id = ? AND id = ?",
	[SQL_BP_ITEM_ROWID] =
	    "SELECT id FROM inventory_items WHERE org_id = ? AND public_id = ?",
	[SQL_BP_ITEM_OF_ORG] =
	    "SELECT id FROM inventory_items WHERE org_id = ? AND id = ?",
	[SQL_BP_ONE] =
	    "SELECT " BP_ING_COLUMNS " FROM blueprints b" BP_JOINS
	    " WHERE b.org_id = ? AND b.public_id = ? ORDER BY bi.position",
	/* One page (limit + 1 blueprints) with their ingredients. */
	[SQL_BP_PAGE] =
	    "SELECT " BP_ING_COLUMNS " FROM (SELECT * FROM blueprints"
	    "  WHERE org_id = ? AND id > ?"
	    "  ORDER BY id LIMIT ?) b" BP_JOINS
	    " ORDER BY b.id, bi.position",
	/* The same page of those whose name has every word of a search
	 * (SEARCH_MATCH: FULLTEXT, README "Search"). */
	[SQL_BP_SEARCH] =
	    "SELECT " BP_ING_COLUMNS " FROM (SELECT * FROM blueprints"
	    "  WHERE org_id = ? AND id > ? AND " SEARCH_MATCH
	    "  ORDER BY id LIMIT ?) b" BP_JOINS
	    " ORDER BY b.id, bi.position",
	[SQL_BP_DELETE] =
	    "DELETE FROM blueprints WHERE org_id = ? AND public_id = ?",
	/* What a change or a craft starts from, locked. */
	[SQL_BP_LOCK_PUBLIC] =
	    "SELECT b.id, b.name, b.description, b.category,"
	    " b.crafting_time_minutes, b.output_item_id, b.output_quantity,"
	    " b.is_public, oi.public_id, b.public_id FROM blueprints b"
	    " JOIN inventory_items oi ON oi.id = b.output_item_id"
	    " WHERE b.org_id = ? AND b.public_id = ? FOR UPDATE",
	[SQL_BPI_OF] =
	    "SELECT bi.item_id, bi.quantity, bi.optional, ii.public_id"
	    " FROM blueprint_ingredients bi"
	    " JOIN blueprints b ON b.id = bi.blueprint_id"
	    " JOIN inventory_items ii ON ii.id = bi.item_id"
	    " WHERE b.org_id = ? AND b.id = ? ORDER BY bi.position",
};

const struct db_stmts blueprints_stmts = {
	"blueprints", blueprints_sql, BLUEPRINTS_SQL__MAX, NULL, 0
};

enum bp_col {
	BC_ID, BC_NAME, BC_DESC, BC_CATEGORY, BC_MINUTES, BC_OUTPUT,
	BC_OUTPUT_QTY, BC_PUBLIC, BC_CREATED, BC_UPDATED, BC_ROWID,
	BC_ING_ITEM, BC_ING_QTY, BC_ING_OPTIONAL
};

/* Columns of SQL_BP_LOCK_PUBLIC and SQL_BPI_OF. */
enum bp_lock_col {
	BL_ROWID, BL_NAME, BL_DESC, BL_CATEGORY, BL_MINUTES, BL_OUTPUT_ROWID,
	BL_OUTPUT_QTY, BL_PUBLIC, BL_OUTPUT_ID, BL_ID
};
enum bpi_col { BI_ITEM_ROWID, BI_QTY, BI_OPTIONAL, BI_ITEM_ID };

/* --- the writes the API and the import share ------------------------ */

static enum db_code
blueprints_ingredients_write(struct db *db, long long org, long long bp,
    const struct blueprint_in *in)
{
	char		 q[DECIMAL_BUFSZ];
	enum db_code	 code;
	size_t		 i;

	for (i = 0; i < in->ningredients; i++) {
		decimal_format(in->ingredients[i].quantity, q);
		if ((code = db_exec(db, blueprints_sql[SQL_BPI_INSERT],
		    DB_PARAMS(DB_INT(bp), DB_INT((long long)i), DB_STR(q),
		    DB_INT(in->ingredients[i].optional != 0), DB_INT(org),
		    DB_INT(in->ingredients[i].item_rowid)))) != DB_OK)
			return code;
		if (db_affected(db) != 1)
			return DB_NOTFOUND;
	}
	return DB_OK;
}

/*
 * Insert blueprint in for org with public id id (the caller's, or made
 * when id[0] is '\0'), with its ingredients, inside the caller's
 * transaction. DB_CONSTRAINT when the id is taken (by any
 * organization); DB_NOTFOUND when the output item or an ingredient is
 * not an item of org (the caller rolls back what was written).
 */
enum db_code
blueprints_insert(struct db *db, long long org, const struct blueprint_in *in,
    char id[37])
{
	char		 q[DECIMAL_BUFSZ];
	enum db_code	 code;

	if (id[0] == '\0')
		crypto_uuid7(id);
	decimal_format(in->output_quantity, q);
	if ((code = db_exec(db, blueprints_sql[SQL_BP_INSERT], DB_PARAMS(
	    DB_STR(id), DB_STR(in->name), DB_STR(in->description),
	    DB_STR(in->category), DB_INT(in->crafting_minutes), DB_STR(q),
	    DB_INT(in->is_public != 0), DB_INT(org),
	    DB_INT(in->output_item_rowid)))) != DB_OK)
		return code;
	if (db_affected(db) != 1)
		return DB_NOTFOUND;
	return blueprints_ingredients_write(db, org,
	    (long long)db_insert_id(db), in);
}

/* Whether item rowid is org's: DB_OK, DB_NOTFOUND or a failure. */
static enum db_code
blueprints_item_of_org(struct db *db, long long org, long long rowid)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	if ((code = db_query(db, &rows, blueprints_sql[SQL_BP_ITEM_OF_ORG],
	    DB_PARAMS(DB_INT(org), DB_INT(rowid)))) != DB_OK)
		return code;
	code = rows->nrows == 1 ? DB_OK : DB_NOTFOUND;
	db_rows_free(rows);
	return code;
}

/*
 * Replace blueprint rowid of org with in, its ingredients as a whole,
 * inside the caller's transaction. DB_NOTFOUND when the blueprint, its
 * output item or an ingredient is not org's.
 */
enum db_code
blueprints_update(struct db *db, long long org, long long rowid,
    const struct blueprint_in *in)
{
	struct db_rows	*rows = NULL;
	char		 q[DECIMAL_BUFSZ];
	enum db_code	 code;

	if ((code = db_query(db, &rows, blueprints_sql[SQL_BP_LOCK],
	    DB_PARAMS(DB_INT(org), DB_INT(rowid)))) != DB_OK)
		return code;
	code = rows->nrows == 1 ? DB_OK : DB_NOTFOUND;
	db_rows_free(rows);
	if (code != DB_OK || (code = blueprints_item_of_org(db, org,
	    in->output_item_rowid)) != DB_OK)
		return code;
	decimal_format(in->output_quantity, q);
	if ((code = db_exec(db, blueprints_sql[SQL_BP_UPDATE], DB_PARAMS(
	    DB_STR(in->name), DB_STR(in->description), DB_STR(in->category),
	    DB_INT(in->crafting_minutes), DB_INT(in->output_item_rowid),
	    DB_STR(q), DB_INT(in->is_public != 0), DB_INT(org),
	    DB_INT(rowid)))) != DB_OK ||
	    (code = db_exec(db, blueprints_sql[SQL_BPI_DELETE], DB_PARAMS(
	    DB_INT(org), DB_INT(rowid)))) != DB_OK)
		return code;
	return blueprints_ingredients_write(db, org, rowid, in);
}

/* --- the JSON shape ------------------------------------------------- */

static struct json_object *
blueprints_head_json(const struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object(), *data;

	json_object_object_add(o, "id",
	    json_object_new_string(db_cell(rows, i, BC_ID)));
	json_object_object_add(o, "name",
	    json_object_new_string(db_cell(rows, i, BC_NAME)));
	json_put_str(o, "description", db_cell(rows, i, BC_DESC));
	json_put_str(o, "category", db_cell(rows, i, BC_CATEGORY));
	json_object_object_add(o, "crafting_time_minutes",
	    json_object_new_int64(atoll(db_cell(rows, i, BC_MINUTES))));
	json_object_object_add(o, "output_item_id",
	    json_object_new_string(db_cell(rows, i, BC_OUTPUT)));
	json_object_object_add(o, "output_quantity",
	    decimal_sql_to_json(db_cell(rows, i, BC_OUTPUT_QTY)));
	json_object_object_add(o, "is_public", json_object_new_boolean(
	    strcmp(db_cell(rows, i, BC_PUBLIC), "1") == 0));
	data = json_object_new_object();
	json_object_object_add(data, "ingredients", json_object_new_array());
	json_object_object_add(o, "blueprint_data", data);
	json_object_object_add(o, "created_at",
	    json_time(db_cell(rows, i, BC_CREATED)));
	json_object_object_add(o, "updated_at",
	    json_time(db_cell(rows, i, BC_UPDATED)));
	return o;
}

static void
blueprints_add_ingredient(struct json_object *bp, const struct db_rows *rows,
    size_t i)
{
	struct json_object	*data, *arr, *ing;

	if (db_cell(rows, i, BC_ING_ITEM) == NULL)
		return;		/* none: the LEFT JOIN's one empty row */
	json_object_object_get_ex(bp, "blueprint_data", &data);
	json_object_object_get_ex(data, "ingredients", &arr);
	ing = json_object_new_object();
	json_object_object_add(ing, "item_id",
	    json_object_new_string(db_cell(rows, i, BC_ING_ITEM)));
	json_object_object_add(ing, "quantity",
	    decimal_sql_to_json(db_cell(rows, i, BC_ING_QTY)));
	json_object_object_add(ing, "optional", json_object_new_boolean(
	    strcmp(db_cell(rows, i, BC_ING_OPTIONAL), "1") == 0));
	json_object_array_add(arr, ing);
}

/* Blueprint public_id of org as JSON, or NULL: *code says why. */
static struct json_object *
blueprints_fetch_json(struct db *db, long long org, const char *public_id,
    enum db_code *code)
{
	struct db_rows		*rows = NULL;
	struct json_object	*arr, *o = NULL;
	long long		 last;
	size_t			 n;

	if ((*code = db_query(db, &rows, blueprints_sql[SQL_BP_ONE],
	    DB_PARAMS(DB_INT(org), DB_STR(public_id)))) != DB_OK)
		return NULL;
	arr = page_group_rows(rows, BC_ROWID, 1,
	    blueprints_head_json, blueprints_add_ingredient, &n, &last);
	if (n == 0)
		*code = DB_NOTFOUND;
	else
		o = json_object_get(json_object_array_get_idx(arr, 0));
	json_object_put(arr);
	db_rows_free(rows);
	return o;
}

/* Answer blueprint public_id as it stands (after a write). */
static void
blueprints_answer(struct req *r, int status, const char *public_id)
{
	struct json_object	*o;
	enum db_code		 code;

	if ((o = blueprints_fetch_json(r->db, r->principal.org_id, public_id,
	    &code)) != NULL)
		req_resp_json(r, status, o);
	else if (code == DB_NOTFOUND)
		req_resp_error(r, 404, NULL, "no blueprint %s", public_id);
	else
		req_resp_error(r, 503, NULL, "database unavailable");
}

/* --- reading a body: 422 naming the field --------------------------- */

/* The contract answers a field it refuses with 422; valid.c's readers
 * answer 400, so a refusal of theirs is turned into it. */
static int
blueprints_field(struct req *r, int ok)
{
	if (!ok && r->out.status == 400)
		r->out.status = 422;
	return ok;
}

static int
blueprints_refuse(struct req *r, const char *field, const char *why)
{
	req_resp_error(r, 422, "invalid_body", "%s%s: %s", r->vprefix, field,
	    why);
	return 0;
}

/* Whether field is present in o as JSON null. */
static int
blueprints_null(struct json_object *o, const char *field)
{
	struct json_object	*v = NULL;

	return json_object_object_get_ex(o, field, &v) && v == NULL;
}

/* The row id of item public_id of org into *rowid; 0 after answering
 * (422 naming field when it is not one of org's items, or 503). */
static int
blueprints_item_rowid(struct req *r, const char *field, const char *public_id,
    long long *rowid)
{
	struct db_rows	*rows = NULL;
	int		 ok = 0;

	if (db_query(r->db, &rows, blueprints_sql[SQL_BP_ITEM_ROWID], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_STR(public_id))) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		return 0;
	}
	if (rows->nrows == 0)
		blueprints_refuse(r, field, "no such item");
	else {
		*rowid = atoll(db_cell(rows, 0, 0));
		ok = 1;
	}
	db_rows_free(rows);
	return ok;
}

/* A body's blueprint: in, with the ingredients owned here. */
struct blueprints_body {
	struct blueprint_in	 in;
	struct bp_ingredient	*ings;
};

static int
blueprints_read_ingredient(struct req *r, struct json_object *o,
    struct bp_ingredient *ing)
{
	const char	*item;
	int		 has;

	if (!json_object_is_type(o, json_type_object))
		return blueprints_refuse(r, "", "expected an object");
	ing->optional = 0;
	if (blueprints_null(o, "optional"))
		return blueprints_refuse(r, "optional", "expected true or "
		    "false");
	return blueprints_field(r, valid_string(r, o, "item_id", 1, 1, 64,
	    &item)) &&
	    blueprints_field(r, valid_decimal(r, o, "quantity", 1, 1,
	    DECIMAL_MAX, &ing->quantity, &has)) &&
	    blueprints_field(r, valid_bool(r, o, "optional", &ing->optional)) &&
	    blueprints_item_rowid(r, "item_id", item, &ing->item_rowid);
}

/* blueprint_data: {"ingredients": [...]}, replacing b's ingredients. */
static int
blueprints_read_data(struct req *r, struct json_object *data,
    struct blueprints_body *b)
{
	struct json_object	*arr;
	size_t			 i, n;
	int			 ok = 1;

	if (!json_object_is_type(data, json_type_object))
		return blueprints_refuse(r, "blueprint_data", "expected an "
		    "object with ingredients");
	arr = valid_get(data, "ingredients");
	if (arr == NULL || !json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) > BP_INGREDIENTS_MAX) {
		req_resp_error(r, 422, "invalid_body", "blueprint_data."
		    "ingredients: expected an array of at most %d ingredients",
		    BP_INGREDIENTS_MAX);
		return 0;
	}
	free(b->ings);
	if ((b->ings = calloc(n ? n : 1, sizeof(b->ings[0]))) == NULL) {
		req_resp_error(r, 503, NULL, "out of memory");
		return 0;
	}
	for (i = 0; ok && i < n; i++) {
		/* i < BP_INGREDIENTS_MAX: 5 digits at most fit */
		snprintf(r->vprefix, sizeof(r->vprefix),
		    "blueprint_data.ingredients[%hu].", (unsigned short)i);
		ok = blueprints_read_ingredient(r,
		    json_object_array_get_idx(arr, i), &b->ings[i]);
	}
	r->vprefix[0] = '\0';
	b->in.ingredients = b->ings;
	b->in.ningredients = n;
	return ok;
}

/* A nullable string field: absent keeps *out, null clears it. */
static int
blueprints_read_text(struct req *r, struct json_object *o, const char *field,
    size_t max, const char **out)
{
	const char	*s;

	if (blueprints_null(o, field)) {
		*out = NULL;
		return 1;
	}
	if (!blueprints_field(r, valid_string(r, o, field, 0, 0, max, &s)))
		return 0;
	if (s != NULL)
		*out = s;
	return 1;
}

/*
 * The fields of body o over b (what it holds: the blueprint as stored,
 * for a PATCH, or nothing, for a POST, where create says the required
 * ones must be there). 0 after answering 422 naming the field.
 */
static int
blueprints_read(struct req *r, struct json_object *o,
    struct blueprints_body *b, int create)
{
	static const char *const not_null[] = { "name",
	    "crafting_time_minutes", "output_item_id", "output_quantity",
	    "is_public", "blueprint_data", NULL };
	struct json_object	*data;
	const char		*s;
	long long		 minutes;
	int64_t			 qty;
	int			 has, pub = -1;
	size_t			 i;

	for (i = 0; not_null[i] != NULL; i++)
		if (blueprints_null(o, not_null[i]))
			return blueprints_refuse(r, not_null[i],
			    "must not be null");
	if (!blueprints_field(r, valid_string(r, o, "name", create, 1, 255,
	    &s)))
		return 0;
	if (s != NULL)
		b->in.name = s;
	if (!blueprints_read_text(r, o, "description", BP_DESCRIPTION_MAX,
	    &b->in.description) ||
	    !blueprints_read_text(r, o, "category", 100, &b->in.category))
		return 0;
	if (!blueprints_field(r, valid_int(r, o, "crafting_time_minutes", 0, 0,
	    BP_MINUTES_MAX, &minutes, &has)))
		return 0;
	if (has)
		b->in.crafting_minutes = minutes;
	if (!blueprints_field(r, valid_string(r, o, "output_item_id", create, 1,
	    64, &s)) || (s != NULL && !blueprints_item_rowid(r,
	    "output_item_id", s, &b->in.output_item_rowid)))
		return 0;
	if (!blueprints_field(r, valid_decimal(r, o, "output_quantity", 0, 1,
	    DECIMAL_MAX, &qty, &has)))
		return 0;
	if (has)
		b->in.output_quantity = qty;
	if (!blueprints_field(r, valid_bool(r, o, "is_public", &pub)))
		return 0;
	if (pub >= 0)
		b->in.is_public = pub;
	if ((data = valid_get(o, "blueprint_data")) != NULL)
		return blueprints_read_data(r, data, b);
	if (create)
		return blueprints_refuse(r, "blueprint_data", "is required");
	return 1;
}

/* --- a stored blueprint, locked ------------------------------------- */

struct blueprints_stored {
	long long		 rowid;
	const char		*id, *output_id;	/* public ids */
	const char		**ing_ids;	/* the ingredients' items */
	struct blueprints_body	 b;
	struct db_rows		*rows, *irows;
};

static void
blueprints_stored_cleanup(struct blueprints_stored *s)
{
	free(s->b.ings);
	free(s->ing_ids);
	db_rows_free(s->rows);
	db_rows_free(s->irows);
	memset(s, 0, sizeof(*s));
}

static int
blueprints_stored_ingredients(struct db *db, long long org,
    struct blueprints_stored *s)
{
	const struct db_rows	*ir;
	size_t			 i, n;

	if (db_query(db, &s->irows, blueprints_sql[SQL_BPI_OF], DB_PARAMS(
	    DB_INT(org), DB_INT(s->rowid))) != DB_OK)
		return 0;
	ir = s->irows;
	n = ir->nrows;
	s->b.ings = calloc(n ? n : 1, sizeof(s->b.ings[0]));
	s->ing_ids = calloc(n ? n : 1, sizeof(s->ing_ids[0]));
	if (s->b.ings == NULL || s->ing_ids == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		s->b.ings[i].item_rowid = atoll(db_cell(ir, i, BI_ITEM_ROWID));
		s->b.ings[i].quantity = decimal_sql(db_cell(ir, i, BI_QTY));
		s->b.ings[i].optional =
		    strcmp(db_cell(ir, i, BI_OPTIONAL), "1") == 0;
		s->ing_ids[i] = db_cell(ir, i, BI_ITEM_ID);
	}
	s->b.in.ingredients = s->b.ings;
	s->b.in.ningredients = n;
	return 1;
}

/* Blueprint public_id of org, locked for the transaction, into s:
 * DB_NOTFOUND, or a failure. Strings are borrowed from s's rows. */
static enum db_code
blueprints_stored_load(struct db *db, long long org, const char *public_id,
    struct blueprints_stored *s)
{
	const struct db_rows	*rw;
	enum db_code		 code;

	memset(s, 0, sizeof(*s));
	if ((code = db_query(db, &s->rows, blueprints_sql[SQL_BP_LOCK_PUBLIC],
	    DB_PARAMS(DB_INT(org), DB_STR(public_id)))) != DB_OK)
		return code;
	rw = s->rows;
	if (rw->nrows == 0)
		return DB_NOTFOUND;
	s->rowid = atoll(db_cell(rw, 0, BL_ROWID));
	s->id = db_cell(rw, 0, BL_ID);
	s->output_id = db_cell(rw, 0, BL_OUTPUT_ID);
	s->b.in.name = db_cell(rw, 0, BL_NAME);
	s->b.in.description = db_cell(rw, 0, BL_DESC);
	s->b.in.category = db_cell(rw, 0, BL_CATEGORY);
	s->b.in.crafting_minutes = atoll(db_cell(rw, 0, BL_MINUTES));
	s->b.in.output_item_rowid = atoll(db_cell(rw, 0, BL_OUTPUT_ROWID));
	s->b.in.output_quantity = decimal_sql(db_cell(rw, 0, BL_OUTPUT_QTY));
	s->b.in.is_public = strcmp(db_cell(rw, 0, BL_PUBLIC), "1") == 0;
	return blueprints_stored_ingredients(db, org, s) ? DB_OK : DB_ERROR;
}

/* --- the handlers --------------------------------------------------- */

/* POST /api/v1/blueprints: 201, or 422 naming the field. */
void
blueprints_create(struct req *r)
{
	struct json_object	*o;
	struct blueprints_body	 b;
	char			 id[37] = "";

	memset(&b, 0, sizeof(b));
	b.in.output_quantity = 10000;	/* 1 when not given */
	if ((o = req_json_body(r)) == NULL)
		return;
	if (!valid_object(r, o) || !blueprints_read(r, o, &b, 1))
		goto out;
	switch (blueprints_insert(r->db, r->principal.org_id, &b.in, id)) {
	case DB_OK:
		blueprints_answer(r, 201, id);
		break;
	case DB_NOTFOUND:	/* an item went between the check and now */
		req_resp_error(r, 422, "invalid_body", "output_item_id: no "
		    "such item");
		break;
	default:
		req_resp_error(r, 503, NULL, "database unavailable");
		break;
	}
out:
	free(b.ings);
	json_object_put(o);
}

/* GET /api/v1/blueprints/{id} */
void
blueprints_get(struct req *r)
{
	blueprints_answer(r, 200, r->args[0]);
}

/* PATCH /api/v1/blueprints/{id}: the fields sent replace the stored
 * ones; blueprint_data's ingredients replace them as a whole. */
void
blueprints_patch(struct req *r)
{
	struct json_object		*o;
	struct blueprints_stored	 s;
	char				 id[37];
	enum db_code			 code;

	if ((o = req_json_body(r)) == NULL)
		return;
	if (!valid_object(r, o))
		goto out;
	code = blueprints_stored_load(r->db, r->principal.org_id, r->args[0],
	    &s);
	if (code == DB_NOTFOUND)
		req_resp_error(r, 404, NULL, "no blueprint %s", r->args[0]);
	else if (code != DB_OK)
		req_resp_error(r, 503, NULL, "database unavailable");
	else if (blueprints_read(r, o, &s.b, 0)) {
		snprintf(id, sizeof(id), "%s", s.id);
		if (blueprints_update(r->db, r->principal.org_id, s.rowid,
		    &s.b.in) == DB_OK)
			blueprints_answer(r, 200, id);
		else
			req_resp_error(r, 503, NULL, "database unavailable");
	}
	blueprints_stored_cleanup(&s);
out:
	json_object_put(o);
}

/* DELETE /api/v1/blueprints/{id}: 204 (its ingredients go with it). */
void
blueprints_delete(struct req *r)
{
	if (db_exec(r->db, blueprints_sql[SQL_BP_DELETE], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_STR(r->args[0]))) != DB_OK)
		req_resp_error(r, 503, NULL, "database unavailable");
	else if (db_affected(r->db) == 0)
		req_resp_error(r, 404, NULL, "no blueprint %s", r->args[0]);
	else
		req_resp_written(r, 204);
}

/* One page of org's blueprints (limit + 1) into rows, those matching
 * search when it is not NULL. */
static enum db_code
blueprints_page_rows(struct db *db, long long org, const struct page *pg,
    const char *search, struct db_rows **rows)
{
	struct search_plan	 sp;
	enum db_code		 code;

	if (search == NULL || *search == '\0')
		return db_query(db, rows, blueprints_sql[SQL_BP_PAGE],
		    DB_PARAMS(DB_INT(org), DB_INT(pg->after_id),
		    DB_INT(pg->limit + 1)));
	if (!search_plan_init(&sp, org, search))
		return DB_ERROR;
	code = db_query(db, rows, blueprints_sql[SQL_BP_SEARCH], DB_PARAMS(
	    DB_INT(org), DB_INT(pg->after_id), SEARCH_PARAMS(&sp),
	    DB_INT(pg->limit + 1)));
	search_plan_free(&sp);
	return code;
}

/* GET /api/v1/blueprints?search=&limit=&cursor= in creation order;
 * search finds names with every word of it at the start of a word. */
void
blueprints_list(struct req *r)
{
	struct page		 pg;
	struct db_rows		*rows = NULL;
	struct json_object	*arr;
	char			*search = NULL;
	long long		 last;
	size_t			 n;

	if (!page_parse(r, &pg) || !query_string(r, "search", 255, &search))
		return;
	if (blueprints_page_rows(r->db, r->principal.org_id, &pg, search,
	    &rows) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	arr = page_group_rows(rows, BC_ROWID, (size_t)pg.limit,
	    blueprints_head_json, blueprints_add_ingredient, &n, &last);
	page_respond(r, arr, last, n > (size_t)pg.limit);
out:
	db_rows_free(rows);
	free(search);
}

/* --- crafting -------------------------------------------------------- */

/* What one craft takes of an item, or makes of it. */
struct craft_need {
	long long	 rowid;
	const char	*item_id;	/* borrowed from the stored blueprint */
	int64_t		 qty;
	int		 optional;
};

/* a x b when it has at most four decimal places and fits; else 0. */
static int
blueprints_times(int64_t a, int64_t b, int64_t *out)
{
	int64_t	 rest;

	return decimal_mul(a, b, out, &rest) && rest == 0;
}

static int
blueprints_need_cmp(const void *a, const void *b)
{
	const struct craft_need	*x = a, *y = b;

	return (x->rowid > y->rowid) - (x->rowid < y->rowid);
}

/*
 * What crafting quantity of s takes: the required ingredients first,
 * one need per item (an item named twice adds up), in row id order so
 * two crafts lock their rows in one order; then the optional ones as
 * listed. *n needs into needs (room for every ingredient). 0 after
 * answering 422 when a product has more than four decimal places or
 * passes the largest stock.
 */
static int
blueprints_needs(struct req *r, const struct blueprints_stored *s,
    int64_t quantity, struct craft_need *needs, size_t *n)
{
	const struct blueprint_in	*in = &s->b.in;
	size_t				 i, j, req_n = 0;
	int64_t				 q;
	int				 pass;

	*n = 0;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < in->ningredients; i++) {
			if (in->ingredients[i].optional != pass)
				continue;
			if (!blueprints_times(quantity,
			    in->ingredients[i].quantity, &q)) {
				req_resp_error(r, 422, "invalid_body", "quantity: "
				    "quantity x blueprint_data.ingredients[%zu]."
				    "quantity has more than 4 decimal places or "
				    "is too large", i);
				return 0;
			}
			for (j = 0; !pass && j < *n; j++)
				if (needs[j].rowid == in->ingredients[i].item_rowid)
					break;
			if (!pass && j < *n) {
				if (needs[j].qty > DECIMAL_SQL_MAX - q) {
					req_resp_error(r, 422, "invalid_body",
					    "quantity: too large");
					return 0;
				}
				needs[j].qty += q;
				continue;
			}
			needs[*n].rowid = in->ingredients[i].item_rowid;
			needs[*n].item_id = s->ing_ids[i];
			needs[*n].qty = q;
			needs[*n].optional = pass;
			(*n)++;
			if (!pass)
				req_n = *n;
		}
	qsort(needs, req_n, sizeof(needs[0]), blueprints_need_cmp);
	return 1;
}

static struct json_object *
blueprints_amount_json(const char *item_id, const char *name, int64_t qty)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "item_id", json_object_new_string(item_id));
	json_object_object_add(o, name, decimal_to_json(qty));
	return o;
}

/* {item_id, required, available} of a need the location cannot give:
 * available is what it holds free of reservations. */
static struct json_object *
blueprints_short_json(const struct craft_need *need,
    const struct stock_change *c)
{
	struct json_object	*o;
	int64_t			 free_qty = c->loc_prev - c->reserved;

	o = blueprints_amount_json(need->item_id, "required", need->qty);
	json_object_object_add(o, "available",
	    decimal_to_json(free_qty > 0 ? free_qty : 0));
	return o;
}

/* The outcome of one craft, built as it goes. */
struct craft {
	struct json_object	*consumed, *missing, *skipped;
	char			 reason[80];
};

/* Take need at loc: consumed, or short (missing for a required need,
 * skipped for an optional one). 0 on a database failure. */
static int
blueprints_take(struct req *r, long long loc, const struct craft_need *need,
    struct craft *cr)
{
	struct stock_change	 c;
	struct json_object	*o;

	switch (items_stock_change_at(r->db, r->principal.org_id,
	    need->item_id, loc, -need->qty, "craft", cr->reason,
	    r->principal.key_public_id, &c)) {
	case DB_OK:
		o = blueprints_amount_json(need->item_id, "quantity",
		    need->qty);
		json_object_object_add(o, "optional",
		    json_object_new_boolean(need->optional));
		json_object_array_add(cr->consumed, o);
		return 1;
	case DB_CONSTRAINT:	/* nothing was written for it */
		json_object_array_add(need->optional ? cr->skipped :
		    cr->missing, blueprints_short_json(need, &c));
		return 1;
	default:
		return 0;
	}
}

/* 409 {"detail", "missing": [...], "requestId"}; missing is consumed. */
static void
blueprints_short(struct req *r, struct json_object *missing)
{
	struct json_object	*o;

	o = family_error_body(r->family, 409, "insufficient_stock",
	    "not enough stock at the location for the required ingredients",
	    r->id);
	json_object_object_add(o, "missing", missing);
	req_resp_json(r, 409, o);
}

/* craft.completed, and the answer; produced has been added. */
static int
blueprints_crafted(struct req *r, const struct blueprints_stored *s,
    int64_t quantity, int64_t produced, const struct location_ref *loc,
    struct craft *cr)
{
	struct json_object	*p = json_object_new_object(), *o;

	json_object_object_add(p, "blueprintId", json_object_new_string(s->id));
	json_object_object_add(p, "blueprintName",
	    json_object_new_string(s->b.in.name));
	json_object_object_add(p, "outputItemId",
	    json_object_new_string(s->output_id));
	json_object_object_add(p, "outputQuantity", decimal_to_json(produced));
	json_object_object_add(p, "quantity", decimal_to_json(quantity));
	json_object_object_add(p, "locationId", json_object_new_string(loc->id));
	if (events_emit(r->db, r->principal.org_id, EVENT_CRAFT_COMPLETED,
	    p) != DB_OK)
		return 0;
	o = json_object_new_object();
	json_object_object_add(o, "blueprint_id", json_object_new_string(s->id));
	json_object_object_add(o, "quantity", decimal_to_json(quantity));
	json_object_object_add(o, "location_id",
	    json_object_new_string(loc->id));
	json_object_object_add(o, "consumed", json_object_get(cr->consumed));
	json_object_object_add(o, "skipped", json_object_get(cr->skipped));
	json_object_object_add(o, "produced",
	    blueprints_amount_json(s->output_id, "quantity", produced));
	req_resp_json(r, 200, o);
	return 1;
}

/* The location of the body's location_id, or the default one; 0 after
 * answering. */
static int
blueprints_location(struct req *r, const char *location_id,
    struct location_ref *loc)
{
	enum db_code	 code;

	code = location_id == NULL ?
	    locations_default(r->db, r->principal.org_id, loc) :
	    locations_find(r->db, r->principal.org_id, location_id, loc);
	if (code == DB_OK)
		return 1;
	if (code == DB_NOTFOUND)
		return blueprints_refuse(r, "location_id", "no such location");
	req_resp_error(r, 503, NULL, "database unavailable");
	return 0;
}

/* Craft quantity of s at loc: the needs, then the output. */
static void
blueprints_craft_at(struct req *r, const struct blueprints_stored *s,
    int64_t quantity, const struct location_ref *loc)
{
	struct craft		 cr = { json_object_new_array(),
	    json_object_new_array(), json_object_new_array(), "" };
	struct craft_need	*needs, out;
	struct stock_change	 c;
	size_t			 i, n;
	int64_t			 produced;

	needs = calloc(s->b.in.ningredients ? s->b.in.ningredients : 1,
	    sizeof(needs[0]));
	snprintf(cr.reason, sizeof(cr.reason), "blueprint %s", s->id);
	if (needs == NULL || !blueprints_needs(r, s, quantity, needs, &n))
		goto done;
	if (!blueprints_times(quantity, s->b.in.output_quantity, &produced)) {
		req_resp_error(r, 422, "invalid_body", "quantity: quantity x "
		    "output_quantity has more than 4 decimal places or is too "
		    "large");
		goto done;
	}
	/* Every required need is tried, so the 409 lists all that are short;
	 * what was taken before is rolled back with the answer. */
	for (i = 0; i < n && !needs[i].optional; i++)
		if (!blueprints_take(r, loc->rowid, &needs[i], &cr))
			goto fail;
	if (json_object_array_length(cr.missing) > 0) {
		blueprints_short(r, json_object_get(cr.missing));
		goto done;
	}
	for (; i < n; i++)
		if (!blueprints_take(r, loc->rowid, &needs[i], &cr))
			goto fail;
	memset(&out, 0, sizeof(out));
	switch (items_stock_change_at(r->db, r->principal.org_id, s->output_id,
	    loc->rowid, produced, "craft", cr.reason,
	    r->principal.key_public_id, &c)) {
	case DB_OK:
		if (!blueprints_crafted(r, s, quantity, produced, loc, &cr))
			goto fail;
		break;
	case DB_CONSTRAINT:
		req_resp_error(r, 409, "stock_out_of_range", "quantity: the "
		    "output item's stock would be more than "
		    "99999999999999.9999");
		break;
	default:
		goto fail;
	}
	goto done;
fail:
	req_resp_reset(r);
	req_resp_error(r, 503, NULL, "database unavailable");
done:
	free(needs);
	json_object_put(cr.consumed);
	json_object_put(cr.missing);
	json_object_put(cr.skipped);
}

/*
 * POST /api/v1/blueprints/{id}/craft {quantity, location_id?}: takes
 * quantity x each ingredient at the location (the default one when
 * none is named; an optional ingredient only when the location holds
 * enough of it) and adds quantity x output_quantity of the output item
 * there, in the pipeline's one transaction; 409 with what is missing,
 * nothing changed, when stock is short.
 */
void
blueprints_craft(struct req *r)
{
	struct json_object		*o;
	struct blueprints_stored	 s;
	struct location_ref		 loc;
	const char			*location_id;
	int64_t				 quantity;
	int				 has;
	enum db_code			 code;

	memset(&s, 0, sizeof(s));
	if ((o = req_json_body(r)) == NULL)
		return;
	if (!valid_object(r, o) ||
	    !blueprints_field(r, valid_decimal(r, o, "quantity", 1, 1,
	    DECIMAL_MAX, &quantity, &has)) ||
	    !blueprints_field(r, valid_string(r, o, "location_id", 0, 1, 64,
	    &location_id)))
		goto out;
	code = blueprints_stored_load(r->db, r->principal.org_id, r->args[0],
	    &s);
	if (code == DB_NOTFOUND)
		req_resp_error(r, 404, NULL, "no blueprint %s", r->args[0]);
	else if (code != DB_OK)
		req_resp_error(r, 503, NULL, "database unavailable");
	else if (blueprints_location(r, location_id, &loc))
		blueprints_craft_at(r, &s, quantity, &loc);
out:
	blueprints_stored_cleanup(&s);
	json_object_put(o);
}
