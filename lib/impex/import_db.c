/*
 * import_db.c - an import's rows against the database, inside the
 * caller's transaction: duplicates inside the file, ids (unique across
 * organizations: another's is "already in use", nothing more), names
 * (update by exact unique name), the items and locations a row names,
 * then the writes: new items 500 rows a statement, updates one
 * statement each, stock through items_stock_set_at, blueprints through
 * blueprints_insert / blueprints_update. Lookups go a chunk of 500 keys
 * at a time, never one query per row. A dry run stops before writing.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "impex/impex.h"

enum impex_import_shape_id {
	SHAPE_BP_BY_ID, SHAPE_BP_BY_NAME, IMPEX_IMPORT_SHAPE__MAX
};

static const struct db_shape impex_import_shapes[IMPEX_IMPORT_SHAPE__MAX] = {
	/* As items' ids: unique across organizations; another's tells
	 * only that it is taken (row id 0). */
	[SHAPE_BP_BY_ID] = { "SELECT public_id, IF(org_id = ?, id, 0)"
	    " FROM blueprints WHERE public_id IN (", "?", ")" },
	[SHAPE_BP_BY_NAME] = { "SELECT id, public_id, name FROM blueprints"
	    " WHERE org_id = ? AND name IN (", "?", ")" },
};

const struct db_stmts impex_import_stmts = {
	"impex_import", NULL, 0, impex_import_shapes, IMPEX_IMPORT_SHAPE__MAX
};

/* --- an index of keys to rows, sorted --------------------------------- */

struct import_key {
	const char	*key;
	size_t		 i;		/* the row */
};

static int
import_key_cmp(const void *a, const void *b)
{
	const struct import_key	*x = a, *y = b;
	int			 c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* The first entry of key in the sorted idx[0..n), or NULL. */
static const struct import_key *
import_key_find(const struct import_key *idx, size_t n, const char *key)
{
	size_t	 lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(idx[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(idx[lo].key, key) == 0 ? &idx[lo] : NULL;
}

/* What one import needs as it goes. */
struct import_ctx {
	struct db		*db;
	long long		 org;
	struct import_batch	*b;
	struct impex_result	*r;
	int			 update, dry_run;
	const char		*actor;
	struct import_key	*idx;	/* the index a lookup fills from */
	size_t			 nidx;
	int			 oom;
};

/* Build ctx's index of key(row) over the good rows where key is not
 * NULL or "", sorted. 0 when out of memory. */
static int
import_index(struct import_ctx *c, const char *(*key)(const struct
    import_ctx *, const struct import_row *))
{
	const char	*k;
	size_t		 i;

	free(c->idx);
	c->nidx = 0;
	if ((c->idx = calloc(c->b->n + 1, sizeof(*c->idx))) == NULL)
		return 0;
	for (i = 0; i < c->b->n; i++)
		if (!c->b->rows[i].bad && (k = key(c, &c->b->rows[i])) != NULL &&
		    *k != '\0') {
			c->idx[c->nidx].key = k;
			c->idx[c->nidx++].i = i;
		}
	qsort(c->idx, c->nidx, sizeof(*c->idx), import_key_cmp);
	return 1;
}

/* A later row with the key of an earlier one is an error of field;
 * what names the key in the message. */
static int
import_file_dups(struct import_ctx *c, const char *field, const char *what)
{
	size_t	 i, first = 0;

	for (i = 1; i < c->nidx; i++) {
		if (strcmp(c->idx[i].key, c->idx[first].key) != 0) {
			first = i;
			continue;
		}
		if (!import_error(c->r, &c->b->rows[c->idx[i].i], field,
		    "duplicate %s: the file has it at row %ld already", what,
		    c->b->rows[c->idx[first].i].row))
			return 0;
	}
	return 1;
}

/* The distinct keys of ctx's index, for an IN list (caller frees). */
static const char **
import_distinct(const struct import_ctx *c, size_t *n)
{
	const char	**v;
	size_t		 i;

	*n = 0;
	if ((v = calloc(c->nidx + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < c->nidx; i++)
		if (i == 0 || strcmp(c->idx[i].key, c->idx[i - 1].key) != 0)
			v[(*n)++] = c->idx[i].key;
	return v;
}

/* Every row of the index with key: fn(c, row, cells of result row j). */
static void
import_each_match(struct import_ctx *c, const char *key,
    void (*fn)(struct import_ctx *, struct import_row *,
    const struct db_rows *, size_t), const struct db_rows *rows, size_t j)
{
	const struct import_key	*k = import_key_find(c->idx, c->nidx, key);
	const struct import_key	*end = c->idx + c->nidx;

	for (; k != NULL && k < end && strcmp(k->key, key) == 0; k++)
		fn(c, &c->b->rows[k->i], rows, j);
}

/* --- lookups: ids and names ----------------------------------------- */

static const char *
import_key_id(const struct import_ctx *c, const struct import_row *row)
{
	(void)c;
	return row->id;
}

/* A row whose name is compared with what exists: a row without an id,
 * or any row when update_existing is off (a duplicate name is an error
 * then). */
static const char *
import_key_name(const struct import_ctx *c, const struct import_row *row)
{
	if (row->id[0] != '\0' && c->update)
		return NULL;
	return row->name;
}

/* (public_id, row id when org's else 0): the row's id is taken. */
static void
import_on_id(struct import_ctx *c, struct import_row *row,
    const struct db_rows *rows, size_t j)
{
	long long	 mine = atoll(db_cell(rows, j, 1));

	(void)c;
	row->rowid = mine > 0 ? mine : -1;
}

static void
import_ids_found(void *arg, const struct db_rows *rows)
{
	struct import_ctx	*c = arg;
	size_t			 j;

	for (j = 0; j < rows->nrows; j++)
		import_each_match(c, db_cell(rows, j, 0), import_on_id, rows, j);
}

/* (row id, public_id, name): another of that exact name. */
static void
import_on_name(struct import_ctx *c, struct import_row *row,
    const struct db_rows *rows, size_t j)
{
	(void)c;
	row->name_count++;
	row->name_rowid = atoll(db_cell(rows, j, 0));
}

static void
import_names_found(void *arg, const struct db_rows *rows)
{
	struct import_ctx	*c = arg;
	size_t			 j;

	/* The collation matched case and trailing-space variants too;
	 * only the exact name counts. */
	for (j = 0; j < rows->nrows; j++)
		import_each_match(c, db_cell(rows, j, 2), import_on_name, rows,
		    j);
}

/* The items' (blueprints') rows found for the index's keys with fn. */
typedef enum db_code (*import_lookup_fn)(struct db *, long long,
		    const char *const *, size_t, catalog_rows_fn, void *);

static enum db_code
import_lookup(struct import_ctx *c, import_lookup_fn lookup,
    catalog_rows_fn found)
{
	const char	**keys;
	size_t		 n;
	enum db_code	 code;

	if ((keys = import_distinct(c, &n)) == NULL)
		return DB_ERROR;
	code = lookup(c->db, c->org, keys, n, found, c);
	free(keys);
	return code;
}

static enum db_code
import_bp_shape(struct import_ctx *c, enum impex_import_shape_id shape,
    const char *const *keys, size_t n, catalog_rows_fn fn)
{
	struct db_param	 p[DB_CHUNK_ROWS + 1];
	struct db_rows	*rows = NULL;
	const char	*sql = dbreg_shape(&impex_import_shapes[shape],
			    DB_CHUNK_ROWS);
	size_t		 i, k;
	enum db_code	 code;

	for (i = 0; i < n; i += DB_CHUNK_ROWS) {
		p[0] = DB_INT(c->org);
		for (k = 0; k < DB_CHUNK_ROWS; k++)
			p[k + 1] = i + k < n ? DB_STR(keys[i + k]) : DB_NULL;
		if ((code = db_query(c->db, &rows, sql, p, DB_CHUNK_ROWS + 1)) !=
		    DB_OK)
			return code;
		fn(c, rows);
		db_rows_free(rows);
		rows = NULL;
	}
	return DB_OK;
}

static enum db_code
import_bp_by_id(struct db *db, long long org, const char *const *keys,
    size_t n, catalog_rows_fn fn, void *arg)
{
	(void)db;
	(void)org;
	return import_bp_shape(arg, SHAPE_BP_BY_ID, keys, n, fn);
}

static enum db_code
import_bp_by_name(struct db *db, long long org, const char *const *keys,
    size_t n, catalog_rows_fn fn, void *arg)
{
	(void)db;
	(void)org;
	return import_bp_shape(arg, SHAPE_BP_BY_NAME, keys, n, fn);
}

/*
 * Duplicates in the file, then ids and names against the table (items
 * or blueprints, by the two lookups): each good row ends with rowid > 0
 * (it updates that row), 0 (it is new) or an error.
 */
static enum db_code
import_resolve_rows(struct import_ctx *c, import_lookup_fn by_id,
    import_lookup_fn by_name, const char *what)
{
	struct import_row	*row;
	enum db_code		 code;
	size_t			 i;

	/* Each index is built again after its duplicates are marked bad,
	 * so that only the first of them is looked up. */
	if (!import_index(c, import_key_id) ||
	    !import_file_dups(c, "id", "id") ||
	    !import_index(c, import_key_id))
		return DB_ERROR;
	if ((code = import_lookup(c, by_id, import_ids_found)) != DB_OK)
		return code;
	if (!import_index(c, import_key_name) ||
	    !import_file_dups(c, "name", "name") ||
	    !import_index(c, import_key_name))
		return DB_ERROR;
	if ((code = import_lookup(c, by_name, import_names_found)) != DB_OK)
		return code;
	for (i = 0; i < c->b->n; i++) {
		row = &c->b->rows[i];
		if (row->bad)
			continue;
		if (row->rowid < 0 || (row->rowid > 0 && !c->update)) {
			if (!import_error(c->r, row, "id", "id %s is already in "
			    "use%s", row->id, row->rowid > 0 ? " (set "
			    "update_existing to true to update it)" : ""))
				return DB_ERROR;
			continue;
		}
		if (row->rowid > 0 || import_key_name(c, row) == NULL)
			continue;
		if (c->update && row->name_count == 1)
			row->rowid = row->name_rowid;
		else if (c->update && row->name_count > 1) {
			if (!import_error(c->r, row, "name", "%ld %s are named "
			    "\"%s\"; give the id of the one to update",
			    row->name_count, what, row->name))
				return DB_ERROR;
		} else if (!c->update && row->name_count > 0 &&
		    !import_error(c->r, row, "name", "a%s %s named \"%s\" "
		    "already exists (set update_existing to true to update "
		    "it)", what[0] == 'i' ? "n" : "", what[0] == 'i' ? "item" :
		    "blueprint", row->name))
			return DB_ERROR;
	}
	return DB_OK;
}

/* Item ids a row names (inventory's item, a blueprint's output and
 * ingredients) as org's row ids; 0 where none is org's. */
struct import_refs {
	struct import_key	*idx;
	size_t			 n;
	long long		*rowid;	/* per idx entry */
};

static void
import_refs_found(void *arg, const struct db_rows *rows)
{
	struct import_refs	*f = arg;
	const struct import_key	*k;
	size_t			 j;

	for (j = 0; j < rows->nrows; j++)
		if ((k = import_key_find(f->idx, f->n, db_cell(rows, j, 0))) !=
		    NULL)
			f->rowid[k - f->idx] = atoll(db_cell(rows, j, 1));
}

/* Collect every item id the good rows name into f (sorted, distinct). */
static int
import_refs_collect(struct import_ctx *c, struct import_refs *f)
{
	struct import_row	*row;
	size_t			 i, k, n = 0, cap = 0;

	for (i = 0; i < c->b->n; i++)
		cap += 1 + c->b->rows[i].ning;
	if ((f->idx = calloc(cap + 1, sizeof(*f->idx))) == NULL ||
	    (f->rowid = calloc(cap + 1, sizeof(*f->rowid))) == NULL)
		return 0;
	for (i = 0; i < c->b->n; i++) {
		row = &c->b->rows[i];
		if (row->bad)
			continue;
		f->idx[n++].key = c->b->kind == IMPEX_INVENTORY ? row->id :
		    row->ref;
		for (k = 0; k < row->ning; k++)
			f->idx[n++].key = row->ings[k].item_id;
	}
	qsort(f->idx, n, sizeof(*f->idx), import_key_cmp);
	/* Distinct: i is 0 for all, so equal keys sort next to each other. */
	for (i = k = 0; i < n; i++)
		if (k == 0 || strcmp(f->idx[i].key, f->idx[k - 1].key) != 0)
			f->idx[k++] = f->idx[i];
	f->n = k;
	return 1;
}

/* The row id of item id in f (0: not org's). */
static long long
import_ref(const struct import_refs *f, const char *id)
{
	const struct import_key	*k = import_key_find(f->idx, f->n, id);

	return k != NULL ? f->rowid[k - f->idx] : 0;
}

static enum db_code
import_resolve_refs(struct import_ctx *c, struct import_refs *f)
{
	const char	**keys;
	size_t		 i;
	enum db_code	 code;

	memset(f, 0, sizeof(*f));
	if (!import_refs_collect(c, f) ||
	    (keys = calloc(f->n + 1, sizeof(*keys))) == NULL)
		return DB_ERROR;
	for (i = 0; i < f->n; i++)
		keys[i] = f->idx[i].key;
	code = catalog_items_by_id(c->db, c->org, keys, f->n, import_refs_found,
	    f);
	free(keys);
	return code;
}

static void
import_refs_free(struct import_refs *f)
{
	free(f->idx);
	free(f->rowid);
}

/* --- items ---------------------------------------------------------- */

static unsigned
import_item_has(const struct import_row *row)
{
	return ((row->has & (1u << IF_DESCRIPTION)) ?
	    CATALOG_HAS_DESCRIPTION : 0) |
	    ((row->has & (1u << IF_CATEGORY)) ? CATALOG_HAS_CATEGORY : 0) |
	    ((row->has & (1u << IF_SUBCATEGORY)) ? CATALOG_HAS_SUBCATEGORY : 0) |
	    ((row->has & (1u << IF_RARITY)) ? CATALOG_HAS_RARITY : 0) |
	    ((row->has & (1u << IF_METADATA)) ? CATALOG_HAS_METADATA : 0);
}

static void
import_catalog_item(const struct import_row *row, struct catalog_item *it)
{
	it->id = row->id;
	it->name = row->name;
	it->description = row->description;
	it->category = row->category;
	it->subcategory = row->subcategory;
	it->rarity = row->rarity;
	it->metadata = row->metadata;
	it->has = import_item_has(row);
}

static enum db_code
import_items_write(struct import_ctx *c)
{
	struct catalog_item	*ins, it;
	struct import_row	*row;
	size_t			 i, n = 0;
	enum db_code		 code = DB_OK;

	if ((ins = calloc(c->b->n + 1, sizeof(*ins))) == NULL)
		return DB_ERROR;
	for (i = 0; i < c->b->n && code == DB_OK; i++) {
		row = &c->b->rows[i];
		if (row->bad)
			continue;
		if (row->rowid > 0) {
			import_catalog_item(row, &it);
			code = catalog_item_update(c->db, c->org, row->rowid, &it);
		} else {
			if (row->id[0] == '\0')
				crypto_uuid7(row->id);
			import_catalog_item(row, &ins[n++]);
		}
	}
	if (code == DB_OK)
		code = catalog_items_insert(c->db, c->org, ins, n);
	free(ins);
	return code;
}

static enum db_code
import_items(struct import_ctx *c)
{
	enum db_code	 code;

	if ((code = import_resolve_rows(c, catalog_items_by_id,
	    catalog_items_by_name, "items")) != DB_OK || c->dry_run)
		return code;
	return import_items_write(c);
}

/* --- inventory ------------------------------------------------------ */

/* The locations of org, public id to row id. */
static enum db_code
import_locations(struct import_ctx *c)
{
	struct db_rows		*rows = NULL;
	struct import_row	*row;
	enum db_code		 code;
	size_t			 i, j;

	if ((code = catalog_locations(c->db, c->org, &rows)) != DB_OK)
		return code;
	for (i = 0; i < c->b->n; i++) {
		row = &c->b->rows[i];
		for (j = 0; !row->bad && j < rows->nrows; j++)
			if (strcmp(db_cell(rows, j, 1), row->ref) == 0)
				row->ref_rowid = atoll(db_cell(rows, j, 0));
		if (!row->bad && row->ref_rowid == 0 && !import_error(c->r, row,
		    "location_id", "location %s does not exist", row->ref)) {
			code = DB_ERROR;
			break;
		}
	}
	db_rows_free(rows);
	return code;
}

/* Stock rows that exist: with update_existing off, such a row of the
 * file is a duplicate. */
static void
import_stock_found(void *arg, const struct db_rows *rows)
{
	struct import_ctx	*c = arg;
	char			 key[48];
	const struct import_key	*k, *end = c->idx + c->nidx;
	size_t			 j;

	for (j = 0; j < rows->nrows; j++) {
		snprintf(key, sizeof(key), "%s:%s", db_cell(rows, j, 0),
		    db_cell(rows, j, 1));
		for (k = import_key_find(c->idx, c->nidx, key); k != NULL &&
		    k < end && strcmp(k->key, key) == 0; k++)
			if (!c->b->rows[k->i].bad && !import_error(c->r,
			    &c->b->rows[k->i], "item_id", "item %s already has "
			    "stock at location %s (set update_existing to true "
			    "to replace it)", c->b->rows[k->i].id,
			    c->b->rows[k->i].ref))
				c->oom = 1;
	}
}

/* Row ids "item:location" of each good row, for duplicates. */
static enum db_code
import_stock_pairs(struct import_ctx *c)
{
	char		(*pairs)[48];
	long long	*items;
	size_t		 i, n = 0;
	enum db_code	 code = DB_OK;

	pairs = calloc(c->b->n + 1, sizeof(*pairs));
	items = calloc(c->b->n + 1, sizeof(*items));
	free(c->idx);
	c->nidx = 0;
	c->idx = calloc(c->b->n + 1, sizeof(*c->idx));
	if (pairs == NULL || items == NULL || c->idx == NULL)
		code = DB_ERROR;
	for (i = 0; code == DB_OK && i < c->b->n; i++) {
		if (c->b->rows[i].bad)
			continue;
		snprintf(pairs[i], sizeof(pairs[i]), "%lld:%lld",
		    c->b->rows[i].item_rowid, c->b->rows[i].ref_rowid);
		c->idx[c->nidx].key = pairs[i];
		c->idx[c->nidx++].i = i;
		items[n++] = c->b->rows[i].item_rowid;
	}
	if (code == DB_OK) {
		qsort(c->idx, c->nidx, sizeof(*c->idx), import_key_cmp);
		if (!import_file_dups(c, "item_id", "item_id and "
		    "location_id"))
			code = DB_ERROR;
	}
	if (code == DB_OK && !c->update)
		code = catalog_stock_of(c->db, c->org, items, n,
		    import_stock_found, c);
	if (c->oom)
		code = DB_ERROR;
	free(c->idx);
	c->idx = NULL;
	c->nidx = 0;
	free(pairs);
	free(items);
	return code;
}

static enum db_code
import_stock_write(struct import_ctx *c)
{
	struct stock_change	 ch;
	struct import_row	*row;
	size_t			 i;
	enum db_code		 code;

	for (i = 0; i < c->b->n; i++) {
		row = &c->b->rows[i];
		if (row->bad)
			continue;
		code = items_stock_set_at(c->db, c->org, row->id, row->ref_rowid,
		    row->qty, row->reserved, "import", "import", c->actor, &ch);
		if (code == DB_CONSTRAINT || code == DB_NOTFOUND) {
			if (!import_error(c->r, row, code == DB_NOTFOUND ?
			    "item_id" : "quantity", code == DB_NOTFOUND ?
			    "item %s does not exist" : "the item's total stock "
			    "would pass 99999999999999.9999", row->id))
				return DB_ERROR;
		} else if (code != DB_OK)
			return code;
	}
	return DB_OK;
}

static enum db_code
import_inventory(struct import_ctx *c)
{
	struct import_refs	 f;
	struct import_row	*row;
	enum db_code		 code;
	size_t			 i;

	if ((code = import_resolve_refs(c, &f)) != DB_OK)
		goto out;
	for (i = 0; i < c->b->n; i++) {
		row = &c->b->rows[i];
		if (row->bad || (row->item_rowid = import_ref(&f, row->id)) > 0)
			continue;
		if (!import_error(c->r, row, "item_id", "item %s does not exist",
		    row->id)) {
			code = DB_ERROR;
			goto out;
		}
	}
	if ((code = import_locations(c)) != DB_OK ||
	    (code = import_stock_pairs(c)) != DB_OK || c->dry_run)
		goto out;
	code = import_stock_write(c);
out:
	import_refs_free(&f);
	return code;
}

/* --- blueprints ----------------------------------------------------- */

/* The output item and every ingredient must be org's items. */
static int
import_bp_refs(struct import_ctx *c, const struct import_refs *f,
    struct import_row *row)
{
	char	 field[96];
	size_t	 k;

	if ((row->ref_rowid = import_ref(f, row->ref)) == 0 &&
	    !import_error(c->r, row, "output_item_id", "output item %s does "
	    "not exist", row->ref))
		return 0;
	for (k = 0; k < row->ning; k++) {
		if ((row->ings[k].item_rowid = import_ref(f,
		    row->ings[k].item_id)) > 0)
			continue;
		snprintf(field, sizeof(field),
		    "blueprint_data.ingredients[%zu].item_id", k);
		/* One error a row for its ingredients, as for the file. */
		return import_error(c->r, row, field, "ingredient item %s does "
		    "not exist", row->ings[k].item_id);
	}
	return 1;
}

/* Write one blueprint row, undone to its savepoint when refused. */
static enum db_code
import_bp_write(struct import_ctx *c, struct import_row *row)
{
	struct bp_ingredient	*ings;
	struct blueprint_in	 in;
	enum db_code		 code;
	size_t			 k;

	if ((ings = calloc(row->ning + 1, sizeof(*ings))) == NULL)
		return DB_ERROR;
	for (k = 0; k < row->ning; k++) {
		ings[k].item_rowid = row->ings[k].item_rowid;
		ings[k].quantity = row->ings[k].quantity;
		ings[k].optional = row->ings[k].optional;
	}
	memset(&in, 0, sizeof(in));
	in.name = row->name;
	in.description = row->description;
	in.category = row->category;
	in.crafting_minutes = row->minutes;
	in.output_item_rowid = row->ref_rowid;
	in.output_quantity = row->qty;
	in.is_public = row->is_public;
	in.ingredients = ings;
	in.ningredients = row->ning;
	if ((code = db_savepoint(c->db)) == DB_OK)
		code = row->rowid > 0 ? blueprints_update(c->db, c->org,
		    row->rowid, &in) : blueprints_insert(c->db, c->org, &in,
		    row->id);
	free(ings);
	if (code != DB_CONSTRAINT && code != DB_NOTFOUND)
		return code;
	/* Taken or gone meanwhile (another request): this row only. */
	if (db_rollback_to_savepoint(c->db) != DB_OK)
		return DB_ERROR;
	return import_error(c->r, row, code == DB_CONSTRAINT ? "id" :
	    "output_item_id", code == DB_CONSTRAINT ? "id %s is already in "
	    "use" : "an item it names no longer exists", row->id) ? DB_OK :
	    DB_ERROR;
}

static enum db_code
import_blueprints(struct import_ctx *c)
{
	struct import_refs	 f;
	size_t			 i;
	enum db_code		 code;

	memset(&f, 0, sizeof(f));
	if ((code = import_resolve_rows(c, import_bp_by_id, import_bp_by_name,
	    "blueprints")) != DB_OK || (code = import_resolve_refs(c, &f)) !=
	    DB_OK)
		goto out;
	for (i = 0; i < c->b->n; i++)
		if (!c->b->rows[i].bad && !import_bp_refs(c, &f,
		    &c->b->rows[i])) {
			code = DB_ERROR;
			goto out;
		}
	for (i = 0; !c->dry_run && i < c->b->n && code == DB_OK; i++)
		if (!c->b->rows[i].bad)
			code = import_bp_write(c, &c->b->rows[i]);
out:
	import_refs_free(&f);
	return code;
}

/* --- the whole import ----------------------------------------------- */

/* The errors by row, each row's in the order they were found. */
struct import_order {
	long	 row;
	size_t	 i;
};

static int
import_order_cmp(const void *a, const void *b)
{
	const struct import_order	*x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int
import_errors_sort(struct impex_result *r)
{
	struct import_order	*o;
	struct impex_error	*e;
	size_t			 i;

	if (r->nerrors < 2)
		return 1;
	o = calloc(r->nerrors, sizeof(*o));
	e = calloc(r->nerrors, sizeof(*e));
	if (o == NULL || e == NULL) {
		free(o);
		free(e);
		return 0;
	}
	for (i = 0; i < r->nerrors; i++) {
		o[i].row = r->errors[i].row_number;
		o[i].i = i;
	}
	qsort(o, r->nerrors, sizeof(*o), import_order_cmp);
	for (i = 0; i < r->nerrors; i++)
		e[i] = r->errors[o[i].i];
	memcpy(r->errors, e, r->nerrors * sizeof(*e));
	free(o);
	free(e);
	return 1;
}

/*
 * Import data (named filename) into org inside the caller's
 * transaction: read and check every row (import.c), then resolve and
 * write (or, for a dry run, only resolve). actor names who did it in
 * the stock records. 1 when r is filled (status 200, or 400/413/409
 * with detail); 0 on a database failure.
 */
int
impex_import(struct db *db, long long org, enum impex_kind kind,
    const char *filename, const unsigned char *data, size_t len,
    int update_existing, int dry_run, const char *actor,
    struct impex_result *r)
{
	struct import_batch	 b;
	struct import_ctx	 c;
	enum db_code		 code = DB_OK;
	size_t			 i;

	memset(r, 0, sizeof(*r));
	r->status = 200;
	if (!import_read(kind, filename, data, len, &b, r)) {
		import_batch_free(&b);
		return r->status != 500;
	}
	memset(&c, 0, sizeof(c));
	c.db = db;
	c.org = org;
	c.b = &b;
	c.r = r;
	c.update = update_existing;
	c.dry_run = dry_run;
	c.actor = actor;
	code = kind == IMPEX_ITEMS ? import_items(&c) :
	    kind == IMPEX_INVENTORY ? import_inventory(&c) :
	    import_blueprints(&c);
	for (i = 0; i < b.n; i++)
		if (b.rows[i].bad)
			r->failed++;
		else
			r->imported++;
	if (!import_errors_sort(r))
		code = DB_ERROR;
	free(c.idx);
	import_batch_free(&b);
	return code == DB_OK;
}
