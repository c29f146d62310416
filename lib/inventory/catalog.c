/*
 * catalog.c - the catalog as import/export reads and writes it, a
 * whole file at a time: items looked up by id or by name in chunks of
 * 500, new items inserted 500 rows a statement, an item's attributes
 * updated (description, category, subcategory, rarity, metadata), and
 * the keyset pages an export streams (items and stock per location, by
 * row id). Stock itself changes only through items_stock_set_at.
 */
#include <stdlib.h>
#include <string.h>

#include "inventory/inventory.h"

enum catalog_sql_id {
	SQL_CAT_UPDATE, SQL_CAT_ITEMS_PAGE, SQL_CAT_STOCK_PAGE,
	SQL_CAT_LOCATIONS, CATALOG_SQL__MAX
};

static const char *const catalog_sql[CATALOG_SQL__MAX] = {
	/* A column the file did not have keeps its value (the flag 0). */
	[SQL_CAT_UPDATE] =
	    "UPDATE inventory_items SET name = ?,"
	    " description = IF(?, ?, description),"
	    " category = IF(?, ?, category),"
	    " subcategory = IF(?, ?, subcategory),"
	    " rarity = IF(?, ?, rarity),"
	    " metadata = IF(?, ?, metadata)"
	    " WHERE org_id = ? AND id = ?",
	[SQL_CAT_ITEMS_PAGE] =
	    "SELECT id, public_id, name, description, category, subcategory,"
	    " rarity, metadata FROM inventory_items"
	    " WHERE org_id = ? AND id > ? AND (? IS NULL OR category = ?)"
	    " ORDER BY id LIMIT ?",
	[SQL_CAT_STOCK_PAGE] =
	    "SELECT s.item_id, s.location_id, i.public_id, l.public_id,"
	    " s.quantity, s.reserved FROM inventory_stock s"
	    " JOIN inventory_items i ON i.id = s.item_id"
	    " JOIN locations l ON l.id = s.location_id"
	    " WHERE s.org_id = ? AND (s.item_id > ?"
	    "  OR (s.item_id = ? AND s.location_id > ?))"
	    " ORDER BY s.item_id, s.location_id LIMIT ?",
	[SQL_CAT_LOCATIONS] =
	    "SELECT id, public_id FROM locations WHERE org_id = ? ORDER BY id",
};

enum catalog_shape_id {
	SHAPE_CAT_BY_ID, SHAPE_CAT_BY_NAME, SHAPE_CAT_INSERT,
	SHAPE_CAT_STOCK_OF, CATALOG_SHAPE__MAX
};

static const struct db_shape catalog_shapes[CATALOG_SHAPE__MAX] = {
	/* Ids are unique across organizations: an id of another one is
	 * taken, and this tells only that (its row id stays 0). */
	[SHAPE_CAT_BY_ID] = { "SELECT public_id, IF(org_id = ?, id, 0)"
	    " FROM inventory_items WHERE public_id IN (", "?", ")" },
	[SHAPE_CAT_BY_NAME] = { "SELECT id, public_id, name FROM inventory_items"
	    " WHERE org_id = ? AND name IN (", "?", ")" },
	[SHAPE_CAT_INSERT] = { "INSERT INTO inventory_items (public_id, org_id,"
	    " name, description, category, subcategory, rarity, metadata)"
	    " VALUES ", "(?, ?, ?, ?, ?, ?, ?, ?)", "" },
	[SHAPE_CAT_STOCK_OF] = { "SELECT item_id, location_id FROM"
	    " inventory_stock WHERE org_id = ? AND item_id IN (", "?", ")" },
};

const struct db_stmts catalog_stmts = {
	"catalog", catalog_sql, CATALOG_SQL__MAX, catalog_shapes,
	CATALOG_SHAPE__MAX
};

/*
 * Run shape (one leading org parameter, then one per key) over keys
 * [0..n) in chunks of DB_CHUNK_ROWS (the last padded with NULL, which
 * matches nothing), handing each result to fn.
 */
static enum db_code
catalog_in_chunks(struct db *db, enum catalog_shape_id shape, long long org,
    const struct db_param *keys, size_t n, catalog_rows_fn fn, void *arg)
{
	struct db_param	 p[DB_CHUNK_ROWS + 1];
	struct db_rows	*rows = NULL;
	const char	*sql = dbreg_shape(&catalog_shapes[shape], DB_CHUNK_ROWS);
	size_t		 i, k;
	enum db_code	 code;

	for (i = 0; i < n; i += DB_CHUNK_ROWS) {
		p[0] = DB_INT(org);
		for (k = 0; k < DB_CHUNK_ROWS; k++)
			p[k + 1] = i + k < n ? keys[i + k] : DB_NULL;
		if ((code = db_query(db, &rows, sql, p, DB_CHUNK_ROWS + 1)) !=
		    DB_OK)
			return code;
		fn(arg, rows);
		db_rows_free(rows);
		rows = NULL;
	}
	return DB_OK;
}

static enum db_code
catalog_strings(struct db *db, enum catalog_shape_id shape, long long org,
    const char *const *keys, size_t n, catalog_rows_fn fn, void *arg)
{
	struct db_param	*p;
	enum db_code	 code;
	size_t		 i;

	if (n == 0)
		return DB_OK;
	if ((p = calloc(n, sizeof(*p))) == NULL)
		return DB_ERROR;
	for (i = 0; i < n; i++)
		p[i] = DB_STR(keys[i]);
	code = catalog_in_chunks(db, shape, org, p, n, fn, arg);
	free(p);
	return code;
}

/* Items with the public ids ids[0..n): rows (public_id, row id when the
 * item is org's, else 0), to fn a chunk at a time. */
enum db_code
catalog_items_by_id(struct db *db, long long org, const char *const *ids,
    size_t n, catalog_rows_fn fn, void *arg)
{
	return catalog_strings(db, SHAPE_CAT_BY_ID, org, ids, n, fn, arg);
}

/* Items of org named (collation-equal to) names[0..n): rows (row id,
 * public_id, name); the caller compares names exactly. */
enum db_code
catalog_items_by_name(struct db *db, long long org, const char *const *names,
    size_t n, catalog_rows_fn fn, void *arg)
{
	return catalog_strings(db, SHAPE_CAT_BY_NAME, org, names, n, fn, arg);
}

/* The stock rows of org's items rowids[0..n): (item row id, location
 * row id). */
enum db_code
catalog_stock_of(struct db *db, long long org, const long long *rowids,
    size_t n, catalog_rows_fn fn, void *arg)
{
	struct db_param	*p;
	enum db_code	 code;
	size_t		 i;

	if (n == 0)
		return DB_OK;
	if ((p = calloc(n, sizeof(*p))) == NULL)
		return DB_ERROR;
	for (i = 0; i < n; i++)
		p[i] = DB_INT(rowids[i]);
	code = catalog_in_chunks(db, SHAPE_CAT_STOCK_OF, org, p, n, fn, arg);
	free(p);
	return code;
}

/*
 * Insert the items in[0..n) of org (public ids given), DB_CHUNK_ROWS
 * rows a statement, with no SKU, no stock and the default unit.
 * DB_CONSTRAINT when an id is taken meanwhile.
 */
enum db_code
catalog_items_insert(struct db *db, long long org,
    const struct catalog_item *in, size_t n)
{
	struct db_param	*p;
	size_t		 i = 0, k, c;
	enum db_code	 code = DB_OK;

	if ((p = calloc(DB_CHUNK_ROWS * 8, sizeof(*p))) == NULL)
		return DB_ERROR;
	while (code == DB_OK && i < n) {
		c = db_chunk_size(n - i);
		for (k = 0; k < c; k++, i++) {
			p[8 * k] = DB_STR(in[i].id);
			p[8 * k + 1] = DB_INT(org);
			p[8 * k + 2] = DB_STR(in[i].name);
			p[8 * k + 3] = DB_STR(in[i].description);
			p[8 * k + 4] = DB_STR(in[i].category);
			p[8 * k + 5] = DB_STR(in[i].subcategory);
			p[8 * k + 6] = DB_STR(in[i].rarity);
			p[8 * k + 7] = DB_STR(in[i].metadata);
		}
		code = db_exec(db, dbreg_shape(&catalog_shapes[SHAPE_CAT_INSERT],
		    c), p, 8 * c);
	}
	free(p);
	return code;
}

/* Update item rowid of org with in: the name, and each attribute whose
 * CATALOG_HAS_* bit is set in in->has (the others are kept). */
enum db_code
catalog_item_update(struct db *db, long long org, long long rowid,
    const struct catalog_item *in)
{
	return db_exec(db, catalog_sql[SQL_CAT_UPDATE], DB_PARAMS(
	    DB_STR(in->name),
	    DB_INT((in->has & CATALOG_HAS_DESCRIPTION) != 0),
	    DB_STR(in->description),
	    DB_INT((in->has & CATALOG_HAS_CATEGORY) != 0), DB_STR(in->category),
	    DB_INT((in->has & CATALOG_HAS_SUBCATEGORY) != 0),
	    DB_STR(in->subcategory),
	    DB_INT((in->has & CATALOG_HAS_RARITY) != 0), DB_STR(in->rarity),
	    DB_INT((in->has & CATALOG_HAS_METADATA) != 0), DB_STR(in->metadata),
	    DB_INT(org), DB_INT(rowid)));
}

/* Up to limit items of org after row id after (category NULL: any), by
 * row id: (id, public_id, name, description, category, subcategory,
 * rarity, metadata). */
enum db_code
catalog_items_page(struct db *db, long long org, const char *category,
    long long after, long long limit, struct db_rows **rows)
{
	return db_query(db, rows, catalog_sql[SQL_CAT_ITEMS_PAGE], DB_PARAMS(
	    DB_INT(org), DB_INT(after), DB_STR(category), DB_STR(category),
	    DB_INT(limit)));
}

/* Up to limit stock rows of org after (item, location) row ids, in that
 * order: (item row id, location row id, item id, location id, quantity,
 * reserved). */
enum db_code
catalog_stock_page(struct db *db, long long org, long long after_item,
    long long after_loc, long long limit, struct db_rows **rows)
{
	return db_query(db, rows, catalog_sql[SQL_CAT_STOCK_PAGE], DB_PARAMS(
	    DB_INT(org), DB_INT(after_item), DB_INT(after_item),
	    DB_INT(after_loc), DB_INT(limit)));
}

/* Every location of org: (row id, public_id), by row id. */
enum db_code
catalog_locations(struct db *db, long long org, struct db_rows **rows)
{
	return db_query(db, rows, catalog_sql[SQL_CAT_LOCATIONS],
	    DB_PARAMS(DB_INT(org)));
}
