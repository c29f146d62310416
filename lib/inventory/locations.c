/*
 * locations.c - where stock is kept. Every organization has one default
 * location, "Main", made on first use (the migration made it for the
 * organizations there were). An item's stock on hand is the sum of its
 * rows in inventory_stock, kept equal by every writer in the same
 * transaction (items.c holds the one stock-change path).
 */
#include <stdlib.h>
#include <string.h>

#include "inventory/inventory.h"

enum locations_sql_id {
	SQL_LOC_DEFAULT, SQL_LOC_DEFAULT_MAKE, SQL_LOC_BY_PUBLIC,
	SQL_STOCK_SEED, LOCATIONS_SQL__MAX
};

static const char *const locations_sql[LOCATIONS_SQL__MAX] = {
	[SQL_LOC_DEFAULT] =
	    "SELECT id, public_id FROM locations"
	    " WHERE org_id = ? AND is_default = 1",
	/* Two first uses at once: the unique (org, default) key keeps one. */
	[SQL_LOC_DEFAULT_MAKE] =
	    "INSERT IGNORE INTO locations (public_id, org_id, name, is_default)"
	    " VALUES (?, ?, 'Main', 1)",
	[SQL_LOC_BY_PUBLIC] =
	    "SELECT id, public_id FROM locations"
	    " WHERE org_id = ? AND public_id = ?",
	[SQL_STOCK_SEED] =
	    "INSERT INTO inventory_stock (org_id, item_id, location_id,"
	    " quantity) VALUES (?, ?, ?, ?)",
};

const struct db_stmts locations_stmts = {
	"locations", locations_sql, LOCATIONS_SQL__MAX, NULL, 0
};

static enum db_code
locations_one(struct db *db, const char *sql, const struct db_param *p,
    size_t n, struct location_ref *loc)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	if ((code = db_query(db, &rows, sql, p, n)) != DB_OK)
		return code;
	if (rows->nrows == 0)
		code = DB_NOTFOUND;
	else {
		loc->rowid = atoll(db_cell(rows, 0, 0));
		snprintf(loc->id, sizeof(loc->id), "%s", db_cell(rows, 0, 1));
	}
	db_rows_free(rows);
	return code;
}

/* The default location of org, made if it has none yet. */
enum db_code
locations_default(struct db *db, long long org_id, struct location_ref *loc)
{
	enum db_code	 code;
	char		 id[37];

	code = locations_one(db, locations_sql[SQL_LOC_DEFAULT],
	    DB_PARAMS(DB_INT(org_id)), loc);
	if (code != DB_NOTFOUND)
		return code;
	crypto_uuid7(id);
	if ((code = db_exec(db, locations_sql[SQL_LOC_DEFAULT_MAKE],
	    DB_PARAMS(DB_STR(id), DB_INT(org_id)))) != DB_OK)
		return code;
	return locations_one(db, locations_sql[SQL_LOC_DEFAULT],
	    DB_PARAMS(DB_INT(org_id)), loc);
}

/* Location public_id of org; DB_NOTFOUND for another's or none. */
enum db_code
locations_find(struct db *db, long long org_id, const char *public_id,
    struct location_ref *loc)
{
	return locations_one(db, locations_sql[SQL_LOC_BY_PUBLIC],
	    DB_PARAMS(DB_INT(org_id), DB_STR(public_id)), loc);
}

/* The first stock of a new item (rowid) at org's default location, for
 * an item created with stock; no event, as for any new item. */
enum db_code
locations_seed_stock(struct db *db, long long org_id, long long item_rowid,
    const char *qty)
{
	struct location_ref	 loc;
	enum db_code		 code;
	int64_t			 v;

	if (qty == NULL || !decimal_parse(qty, &v) || v == 0)
		return DB_OK;
	if ((code = locations_default(db, org_id, &loc)) != DB_OK)
		return code;
	return db_exec(db, locations_sql[SQL_STOCK_SEED], DB_PARAMS(
	    DB_INT(org_id), DB_INT(item_rowid), DB_INT(loc.rowid),
	    DB_STR(qty)));
}
