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
	BLUEPRINTS_SQL__MAX
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
	    "  WHERE org_id = ? AND id > ? AND (? IS NULL OR name LIKE ?)"
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
