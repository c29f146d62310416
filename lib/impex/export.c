/*
 * export.c - GET /api/v1/import-export/{items|inventory|blueprints}.
 * {csv|json}: the catalog written a page of 500 rows at a time (keyset
 * by row id, in one read-only snapshot) through a sink, so memory stays
 * flat however many rows there are. Columns exactly as the contract
 * lists them; CSV by RFC 4180 with CRLF and a header row; numbers
 * without padding (100, 1.5); metadata and blueprint_data as compact
 * JSON. What it writes reads back through the import as the same rows,
 * so export, import (update_existing) and export again is byte-identical.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "impex/impex.h"

#define EXPORT_PAGE	500
#define EXPORT_FLUSH	65536	/* bytes gathered before the sink */

enum impex_export_sql_id {
	SQL_X_BP_PAGE, SQL_X_BPI_RANGE, IMPEX_EXPORT_SQL__MAX
};

static const char *const impex_export_sql[IMPEX_EXPORT_SQL__MAX] = {
	[SQL_X_BP_PAGE] =
	    "SELECT b.id, b.public_id, b.name, b.description, b.category,"
	    " b.crafting_time_minutes, oi.public_id, b.output_quantity,"
	    " b.is_public FROM blueprints b"
	    " JOIN inventory_items oi ON oi.id = b.output_item_id"
	    " WHERE b.org_id = ? AND b.id > ? ORDER BY b.id LIMIT ?",
	/* The ingredients of the blueprints of one page (ids in (a, b]). */
	[SQL_X_BPI_RANGE] =
	    "SELECT bi.blueprint_id, ii.public_id, bi.quantity, bi.optional"
	    " FROM blueprint_ingredients bi"
	    " JOIN blueprints b ON b.id = bi.blueprint_id"
	    " JOIN inventory_items ii ON ii.id = bi.item_id"
	    " WHERE b.org_id = ? AND bi.blueprint_id > ? AND"
	    " bi.blueprint_id <= ? ORDER BY bi.blueprint_id, bi.position",
};

const struct db_stmts impex_export_stmts = {
	"impex_export", impex_export_sql, IMPEX_EXPORT_SQL__MAX, NULL, 0
};

/* One export under way. */
struct impex_out {
	struct buf		 b;
	enum impex_format	 format;
	impex_sink		 sink;
	void			*arg;
	size_t			 rows;		/* written so far */
	int			 failed;
};

/* Hand what was gathered to the sink; 0 when it refused or memory ran
 * out before. */
static int
impex_out_flush(struct impex_out *o)
{
	if (o->failed)
		return 0;
	if (o->b.len > 0 && !o->sink(o->arg, o->b.data, o->b.len))
		o->failed = 1;
	o->b.len = 0;
	return !o->failed;
}

static void
impex_out_puts(struct impex_out *o, const char *s)
{
	if (!buf_puts(&o->b, s))
		o->failed = 1;
}

/* The start of a row: a JSON array's comma and line, or nothing. */
static void
impex_out_row_open(struct impex_out *o)
{
	if (o->format == IMPEX_JSON)
		impex_out_puts(o, o->rows == 0 ? "[\n{" : ",\n{");
}

static int
impex_out_row_close(struct impex_out *o)
{
	impex_out_puts(o, o->format == IMPEX_JSON ? "}" : "\r\n");
	o->rows++;
	return o->b.len < EXPORT_FLUSH || impex_out_flush(o);
}

/* Field i of a row: a CSV cell (s NULL: empty), or a JSON member as a
 * string (NULL: null). */
static void
impex_out_str(struct impex_out *o, int first, const char *key, const char *s)
{
	int	 ok = 1;

	if (o->format == IMPEX_CSV)
		ok = (first || buf_puts(&o->b, ",")) && impex_csv_put(&o->b, s);
	else
		ok = (first || buf_puts(&o->b, ",")) &&
		    json_write_str(&o->b, key) && buf_puts(&o->b, ":") &&
		    (s != NULL ? json_write_str(&o->b, s) :
		    buf_puts(&o->b, "null"));
	if (!ok)
		o->failed = 1;
}

/* A member or cell whose JSON is raw text (a number, a boolean, an
 * object): the text itself in JSON, as a cell in CSV. */
static void
impex_out_raw(struct impex_out *o, int first, const char *key, const char *s)
{
	int	 ok;

	if (o->format == IMPEX_CSV)
		ok = (first || buf_puts(&o->b, ",")) && impex_csv_put(&o->b, s);
	else
		ok = (first || buf_puts(&o->b, ",")) &&
		    json_write_str(&o->b, key) && buf_puts(&o->b, ":") &&
		    buf_puts(&o->b, s != NULL ? s : "null");
	if (!ok)
		o->failed = 1;
}

/* A DECIMAL cell without padding ("100.0000" -> 100, "1.5000" -> 1.5). */
static void
impex_out_decimal(struct impex_out *o, const char *key, const char *sql)
{
	char	 d[DECIMAL_BUFSZ];
	int64_t	 v;

	if (sql == NULL || !decimal_parse(sql, &v))
		snprintf(d, sizeof(d), "0");
	else
		decimal_format(v, d);
	impex_out_raw(o, 0, key, d);
}

/* Stored JSON text in its compact form (the import's), NULL for none. */
static void
impex_out_json(struct impex_out *o, const char *key, const char *text)
{
	struct json_object	*j;

	if (text == NULL) {
		impex_out_raw(o, 0, key, o->format == IMPEX_CSV ? NULL : "null");
		return;
	}
	if ((j = json_tokener_parse(text)) == NULL)
		impex_out_raw(o, 0, key, text);
	else
		impex_out_raw(o, 0, key, json_to_str(j));
	json_object_put(j);
}

static void
impex_out_header(struct impex_out *o, enum impex_kind kind)
{
	if (o->format == IMPEX_CSV) {
		impex_out_puts(o, impex_columns_line(kind));
		impex_out_puts(o, "\r\n");
	}
}

/* The end: the array closed ("[]" when empty), the rest flushed. */
static int
impex_out_end(struct impex_out *o)
{
	if (o->format == IMPEX_JSON)
		impex_out_puts(o, o->rows == 0 ? "[]\n" : "\n]\n");
	return impex_out_flush(o);
}

/* --- items ---------------------------------------------------------- */

static int
impex_export_items(struct db *db, long long org, const char *category,
    struct impex_out *o)
{
	struct db_rows	*rows = NULL;
	long long	 after = 0;
	size_t		 i, n;

	do {
		if (catalog_items_page(db, org, category, after, EXPORT_PAGE,
		    &rows) != DB_OK)
			return 0;
		n = rows->nrows;
		for (i = 0; i < n && !o->failed; i++) {
			impex_out_row_open(o);
			impex_out_str(o, 1, "id", db_cell(rows, i, 1));
			impex_out_str(o, 0, "name", db_cell(rows, i, 2));
			impex_out_str(o, 0, "description", db_cell(rows, i, 3));
			impex_out_str(o, 0, "category", db_cell(rows, i, 4));
			impex_out_str(o, 0, "subcategory", db_cell(rows, i, 5));
			impex_out_str(o, 0, "rarity", db_cell(rows, i, 6));
			impex_out_json(o, "metadata", db_cell(rows, i, 7));
			impex_out_row_close(o);
			after = atoll(db_cell(rows, i, 0));
		}
		db_rows_free(rows);
		rows = NULL;
	} while (n == EXPORT_PAGE && !o->failed);
	return !o->failed;
}

/* --- inventory ------------------------------------------------------ */

static int
impex_export_stock(struct db *db, long long org, struct impex_out *o)
{
	struct db_rows	*rows = NULL;
	long long	 item = 0, loc = 0;
	size_t		 i, n;

	do {
		if (catalog_stock_page(db, org, item, loc, EXPORT_PAGE, &rows) !=
		    DB_OK)
			return 0;
		n = rows->nrows;
		for (i = 0; i < n && !o->failed; i++) {
			impex_out_row_open(o);
			impex_out_str(o, 1, "item_id", db_cell(rows, i, 2));
			impex_out_str(o, 0, "location_id", db_cell(rows, i, 3));
			impex_out_decimal(o, "quantity", db_cell(rows, i, 4));
			impex_out_decimal(o, "reserved_quantity",
			    db_cell(rows, i, 5));
			impex_out_row_close(o);
			item = atoll(db_cell(rows, i, 0));
			loc = atoll(db_cell(rows, i, 1));
		}
		db_rows_free(rows);
		rows = NULL;
	} while (n == EXPORT_PAGE && !o->failed);
	return !o->failed;
}

/* --- blueprints ----------------------------------------------------- */

/* {"ingredients":[...]} of blueprint bp from the page's ingredient rows
 * ing, starting at *k (rows in blueprint order), into b. */
static int
impex_export_bp_data(struct buf *b, const struct db_rows *ing, size_t *k,
    const char *bp)
{
	char	 d[DECIMAL_BUFSZ];
	int64_t	 v;
	int	 first = 1, ok;

	ok = buf_puts(b, "{\"ingredients\":[");
	for (; ok && *k < ing->nrows && strcmp(db_cell(ing, *k, 0), bp) == 0;
	    (*k)++) {
		if (!decimal_parse(db_cell(ing, *k, 2), &v))
			v = 0;
		decimal_format(v, d);
		ok = (first || buf_puts(b, ",")) &&
		    buf_puts(b, "{\"item_id\":") &&
		    json_write_str(b, db_cell(ing, *k, 1)) &&
		    buf_printf(b, ",\"quantity\":%s,\"optional\":%s}", d,
		    strcmp(db_cell(ing, *k, 3), "1") == 0 ? "true" : "false");
		first = 0;
	}
	return ok && buf_puts(b, "]}");
}

static void
impex_export_bp_row(struct impex_out *o, const struct db_rows *rows,
    size_t i, const struct db_rows *ing, size_t *k)
{
	struct buf	 data;

	impex_out_row_open(o);
	impex_out_str(o, 1, "id", db_cell(rows, i, 1));
	impex_out_str(o, 0, "name", db_cell(rows, i, 2));
	impex_out_str(o, 0, "description", db_cell(rows, i, 3));
	impex_out_str(o, 0, "category", db_cell(rows, i, 4));
	impex_out_raw(o, 0, "crafting_time_minutes", db_cell(rows, i, 5));
	impex_out_str(o, 0, "output_item_id", db_cell(rows, i, 6));
	impex_out_decimal(o, "output_quantity", db_cell(rows, i, 7));
	impex_out_raw(o, 0, "is_public", strcmp(db_cell(rows, i, 8), "1") == 0 ?
	    "true" : "false");
	buf_init(&data);
	if (!impex_export_bp_data(&data, ing, k, db_cell(rows, i, 0)))
		o->failed = 1;
	else
		impex_out_raw(o, 0, "blueprint_data", data.data);
	buf_cleanup(&data);
	impex_out_row_close(o);
}

static int
impex_export_blueprints(struct db *db, long long org, struct impex_out *o)
{
	struct db_rows	*rows = NULL, *ing = NULL;
	long long	 after = 0, last;
	size_t		 i, k, n;

	do {
		if (db_query(db, &rows, impex_export_sql[SQL_X_BP_PAGE],
		    DB_PARAMS(DB_INT(org), DB_INT(after),
		    DB_INT(EXPORT_PAGE))) != DB_OK)
			return 0;
		if ((n = rows->nrows) > 0) {
			last = atoll(db_cell(rows, n - 1, 0));
			if (db_query(db, &ing, impex_export_sql[SQL_X_BPI_RANGE],
			    DB_PARAMS(DB_INT(org), DB_INT(after),
			    DB_INT(last))) != DB_OK) {
				db_rows_free(rows);
				return 0;
			}
			for (i = k = 0; i < n && !o->failed; i++)
				impex_export_bp_row(o, rows, i, ing, &k);
			after = last;
		}
		db_rows_free(ing);
		db_rows_free(rows);
		ing = rows = NULL;
	} while (n == EXPORT_PAGE && !o->failed);
	return !o->failed;
}

/*
 * Write the export of kind of org in format through sink (which answers
 * 0 to stop), a piece of at most about 64 KiB at a time; category
 * filters items (NULL: all). Read in one snapshot: a transaction of its
 * own, rolled back, when the caller has none. 1 on success.
 */
int
impex_export(struct db *db, long long org, enum impex_kind kind,
    enum impex_format format, const char *category, impex_sink sink,
    void *arg)
{
	struct impex_out	 o;
	int			 ok, own_tx = 0;

	memset(&o, 0, sizeof(o));
	buf_init(&o.b);
	o.format = format;
	o.sink = sink;
	o.arg = arg;
	if (!db_in_tx(db)) {
		if (db_begin(db) != DB_OK)
			return 0;
		own_tx = 1;
	}
	impex_out_header(&o, kind);
	ok = kind == IMPEX_ITEMS ? impex_export_items(db, org, category, &o) :
	    kind == IMPEX_INVENTORY ? impex_export_stock(db, org, &o) :
	    impex_export_blueprints(db, org, &o);
	ok = ok && impex_out_end(&o);
	if (own_tx)
		db_rollback(db);
	buf_cleanup(&o.b);
	return ok;
}

/* --- the handler ---------------------------------------------------- */

static const char *const impex_kinds[] = { "items", "inventory",
    "blueprints", NULL };

/* "items" etc. as a kind; 0 when it is none. */
int
impex_kind_parse(const char *s, enum impex_kind *kind)
{
	size_t	 i;

	for (i = 0; impex_kinds[i] != NULL; i++)
		if (strcmp(s, impex_kinds[i]) == 0) {
			*kind = (enum impex_kind)i;
			return 1;
		}
	return 0;
}

/* What the stream of one export needs, freed after it. */
struct impex_export_job {
	long long		 org;
	enum impex_kind		 kind;
	enum impex_format	 format;
	char			*category;
};

static void
impex_export_job_free(void *p)
{
	struct impex_export_job	*j = p;

	if (j != NULL)
		free(j->category);
	free(j);
}

static int
impex_export_stream(struct req *r, void *arg, req_write_fn write, void *sink)
{
	struct impex_export_job	*j = arg;

	return impex_export(r->db, j->org, j->kind, j->format, j->category,
	    write, sink);
}

/*
 * Answer r with the export of kind in format of r's organization (items
 * of category only, when given), streamed as filename: the status goes
 * out before the first row is read, so the database is asked first. 0,
 * having answered nothing, when it is not there (or no memory): the
 * caller answers in its own shape (the API's error, the console's page).
 */
int
impex_export_respond(struct req *r, enum impex_kind kind,
    enum impex_format format, const char *category, const char *filename)
{
	struct impex_export_job	*j;
	char			 disp[96];

	if (db_ping(r->db) != DB_OK || (j = calloc(1, sizeof(*j))) == NULL)
		return 0;
	j->org = r->principal.org_id;
	j->kind = kind;
	j->format = format;
	if (kind == IMPEX_ITEMS && category != NULL && *category != '\0' &&
	    (j->category = strdup(category)) == NULL) {
		impex_export_job_free(j);
		return 0;
	}
	req_resp_stream(r, 200, format == IMPEX_CSV ?
	    "text/csv; charset=utf-8" : "application/json", impex_export_stream,
	    j, impex_export_job_free);
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", filename);
	req_resp_header(r, "Content-Disposition", disp);
	return 1;
}

/* GET /api/v1/import-export/{kind}.{csv|json}[?category=] */
void
impex_export_get(struct req *r)
{
	const char		*dot = strrchr(r->args[0], '.');
	char			 kind[16], *category = NULL;
	enum impex_kind		 k;

	snprintf(kind, sizeof(kind), "%.*s", dot ? (int)(dot - r->args[0]) :
	    0, r->args[0]);
	if (dot == NULL || !impex_kind_parse(kind, &k) || (strcmp(dot, ".csv") !=
	    0 && strcmp(dot, ".json") != 0)) {
		req_resp_error(r, 404, NULL, "no export %s: items, inventory or "
		    "blueprints, as .csv or .json", r->args[0]);
		return;
	}
	if (!query_string(r, "category", 100, &category))
		return;
	if (!impex_export_respond(r, k, strcmp(dot, ".csv") == 0 ? IMPEX_CSV :
	    IMPEX_JSON, category, r->args[0]))
		req_resp_error(r, 503, NULL, "database unavailable");
	free(category);
}
