/*
 * locations.c - where stock is kept. Every organization has one default
 * location, "Main", made on first use (the migration made it for the
 * organizations there were). An item's stock on hand is the sum of its
 * rows in inventory_stock, kept equal by every writer in the same
 * transaction (items.c holds the one stock-change path).
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "inventory/inventory.h"

enum locations_sql_id {
	SQL_LOC_DEFAULT, SQL_LOC_DEFAULT_MAKE, SQL_LOC_BY_PUBLIC,
	SQL_STOCK_SEED, SQL_LOC_INSERT, SQL_LOC_PAGE, SQL_LOC_BY_PUBLIC_FULL, LOCATIONS_SQL__MAX
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
	[SQL_LOC_INSERT] =
	    "INSERT INTO locations (public_id, org_id, name) VALUES (?, ?, ?)",
	/* The default location is made before any other (locations_create),
	 * so creation order puts "Main" first. */
	[SQL_LOC_PAGE] =
	    "SELECT public_id, name, is_default, created_at, id FROM locations"
	    " WHERE org_id = ? AND id > ? ORDER BY id LIMIT ?",
	[SQL_LOC_BY_PUBLIC_FULL] =
	    "SELECT public_id, name, is_default, created_at, id FROM locations"
	    " WHERE org_id = ? AND public_id = ?",
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

/* --- the API: /api/v1/locations --------------------------------------- */

enum loc_col { LC_ID, LC_NAME, LC_DEFAULT, LC_CREATED, LC_ROWID };

static struct json_object *
locations_json(const struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "id",
	    json_object_new_string(db_cell(rows, i, LC_ID)));
	json_object_object_add(o, "name",
	    json_object_new_string(db_cell(rows, i, LC_NAME)));
	json_object_object_add(o, "is_default", json_object_new_boolean(
	    strcmp(db_cell(rows, i, LC_DEFAULT), "1") == 0));
	json_object_object_add(o, "created_at",
	    json_time(db_cell(rows, i, LC_CREATED)));
	return o;
}

/* GET /api/v1/locations?limit=&cursor=: the default location first,
 * then the others as they were made. */
void
locations_list(struct req *r)
{
	struct location_ref	 def;
	struct page		 pg;
	struct db_rows		*rows = NULL;

	if (!page_parse(r, &pg))
		return;
	/* An organization made since the migration gets its "Main" here,
	 * on first use, as everywhere. */
	if (locations_default(r->db, r->principal.org_id, &def) != DB_OK ||
	    db_query(r->db, &rows, locations_sql[SQL_LOC_PAGE], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_INT(pg.after_id),
	    DB_INT(pg.limit + 1))) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	page_respond_rows(r, rows, pg.limit, LC_ROWID, locations_json);
out:
	db_rows_free(rows);
}

/* POST /api/v1/locations {name}: 201, 422 naming the field, 409 when
 * the organization has a location of that name (as the collation
 * compares names: case and trailing spaces aside). */
void
locations_create(struct req *r)
{
	struct json_object	*b;
	struct location_ref	 def;
	struct db_rows		*rows = NULL;
	const char		*name;
	char			 id[37];
	enum db_code		 code;

	if ((b = req_json_body(r)) == NULL)
		return;
	if (!valid_object(r, b))
		goto out;
	if (!valid_string(r, b, "name", 1, 1, 255, &name)) {
		r->out.status = 422;	/* the contract's status for a field */
		goto out;
	}
	crypto_uuid7(id);
	if ((code = locations_default(r->db, r->principal.org_id, &def)) ==
	    DB_OK)
		code = db_exec(r->db, locations_sql[SQL_LOC_INSERT], DB_PARAMS(
		    DB_STR(id), DB_INT(r->principal.org_id), DB_STR(name)));
	if (code == DB_CONSTRAINT)
		req_resp_error(r, 409, "conflict", "name: a location named %s "
		    "exists", name);
	else if (code != DB_OK || db_query(r->db, &rows,
	    locations_sql[SQL_LOC_BY_PUBLIC_FULL], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_STR(id))) != DB_OK ||
	    rows->nrows != 1)
		req_resp_error(r, 503, NULL, "database unavailable");
	else
		req_resp_json(r, 201, locations_json(rows, 0));
out:
	db_rows_free(rows);
	json_object_put(b);
}
