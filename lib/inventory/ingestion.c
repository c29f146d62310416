/*
 * ingestion.c - POST /api/integrations/v1/ingestion/order-lines: order
 * history from ERPs and scripts. Every line is validated before anything
 * is written; then SKUs are resolved, missing items optionally created,
 * and the batch, its lines and its import.completed event are written in
 * one transaction, lines in chunks of 500 rows.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "inventory/inventory.h"

#define INGEST_MAX_LINES	5000

/*
 * The order dates a line may carry, as days since 1970-01-01 (UTC):
 * from 2000-01-01 to 366 days after today. Order history is the past;
 * a year ahead leaves room for pre-dated orders and any time zone. A
 * date outside is a bad date like an unreadable one: the forecast
 * starts from an organization's latest period, so one line in 9999
 * would move all its predictions there (and past year 9999, where SQL
 * dates end), and nothing older than 2000 is history it would read.
 */
#define INGEST_FIRST_DAY	10957		/* 2000-01-01 */
#define INGEST_DAYS_AHEAD	366
#define DAY_MS			86400000LL

enum ingestion_sql_id {
	SQL_BATCH_INSERT, INGESTION_SQL__MAX
};

static const char *const ingestion_sql[INGESTION_SQL__MAX] = {
	[SQL_BATCH_INSERT] =
	    "INSERT INTO import_batches (public_id, org_id, source, period_kind,"
	    " external_source_id, api_key_id, lines_inserted)"
	    " VALUES (?, ?, 'api', ?, ?, ?, ?)",
};

/* Multi-row statements, built at every chunk size by the registry. */
enum ingestion_shape_id {
	SHAPE_SKU_LOOKUP, SHAPE_AUTOITEM, SHAPE_AUTOITEM_MINE, SHAPE_LINES,
	INGESTION_SHAPE__MAX
};

static const struct db_shape ingestion_shapes[INGESTION_SHAPE__MAX] = {
	[SHAPE_SKU_LOOKUP] = { "SELECT id, sku FROM inventory_items"
	    " WHERE org_id = ? AND sku IN (", "?", ")" },
	/* A SKU another request created meanwhile is kept, not an error. */
	[SHAPE_AUTOITEM] = { "INSERT INTO inventory_items (public_id, org_id,"
	    " sku, name) VALUES ", "(?, ?, ?, ?)",
	    " ON DUPLICATE KEY UPDATE id = id" },
	[SHAPE_AUTOITEM_MINE] = { "SELECT COUNT(*) FROM inventory_items"
	    " WHERE org_id = ? AND public_id IN (", "?", ")" },
	[SHAPE_LINES] = { "INSERT INTO order_history_lines (org_id, batch_id,"
	    " item_id, order_date, ordered_qty, delivered_qty) VALUES ",
	    "(?, ?, ?, ?, ?, ?)", "" },
};

const struct db_stmts ingestion_stmts = {
	"ingestion", ingestion_sql, INGESTION_SQL__MAX, ingestion_shapes,
	INGESTION_SHAPE__MAX
};

static const char *const period_kinds[] = { "DAY", "WEEK", "MONTH",
    "CUSTOM", NULL };

struct line {
	const char	*sku;		/* borrowed from the parsed body */
	const char	*name;
	int64_t		 ordered, delivered;
	char		 date[11];
	int		 bad_date;
	long long	 item_id;
};

/* One SKU of the request, with the item it names (0: none yet). */
struct sku {
	const char	*sku;
	const char	*name;		/* first itemName given for it */
	long long	 item_id;
};

struct ingest {
	const char	*period;
	const char	*external;
	int		 autocreate;
	struct line	*lines;
	size_t		 nlines;
	struct sku	*skus;
	size_t		 nskus;
	int		 autocreated;
	int		 bad_dates;
	int		 unknown_lines;
	size_t		 inserted;
};

/* 1 when the instant ms falls on a UTC day from INGEST_FIRST_DAY to
 * INGEST_DAYS_AHEAD days after the day of now_ms. */
static int
ingest_date_in_window(int64_t ms, int64_t now_ms)
{
	return ms >= INGEST_FIRST_DAY * DAY_MS &&
	    ms / DAY_MS <= now_ms / DAY_MS + INGEST_DAYS_AHEAD;
}

static int
ingest_read_date(struct req *r, struct json_object *o, struct line *ln,
    int64_t now_ms)
{
	const char	*s;
	int64_t		 ms;

	if (!valid_string(r, o, "orderDate", 1, 0, 64, &s))
		return 0;
	/* Unreadable or outside the window: counted, not refused (the
	 * spec), and nothing is written for the line. */
	if (util_parse_time(s, &ms) && ingest_date_in_window(ms, now_ms))
		util_sql_date(ms, ln->date);
	else
		ln->bad_date = 1;
	return 1;
}

static int
ingest_read_line(struct req *r, struct json_object *o, struct line *ln,
    int64_t now_ms)
{
	int	 has;

	if (!json_object_is_type(o, json_type_object)) {
		req_resp_error(r, 400, "invalid_body", "%.*s: expected an object",
		    (int)strlen(r->vprefix) - 1, r->vprefix);
		return 0;
	}
	if (!valid_string(r, o, "sku", 1, 1, 128, &ln->sku) ||
	    !valid_string(r, o, "itemName", 0, 1, 200, &ln->name) ||
	    !valid_decimal(r, o, "orderedQty", 1, 1, DECIMAL_MAX, &ln->ordered,
	    &has) ||
	    !valid_decimal(r, o, "deliveredQty", 0, 0, DECIMAL_MAX,
	    &ln->delivered, &has))
		return 0;
	if (!has)
		ln->delivered = ln->ordered;
	return ingest_read_date(r, o, ln, now_ms);
}

static int
ingest_read_lines(struct req *r, struct json_object *arr, struct ingest *in)
{
	int64_t	 now_ms = util_now_ms();
	size_t	 i;

	in->nlines = json_object_array_length(arr);
	if (in->nlines == 0) {
		req_resp_error(r, 400, "invalid_body", "lines: at least one line "
		    "is required");
		return 0;
	}
	if (in->nlines > INGEST_MAX_LINES) {
		req_resp_error(r, 413, "batch_too_large", "lines: at most %d "
		    "lines per request (got %zu); split larger dumps",
		    INGEST_MAX_LINES, in->nlines);
		return 0;
	}
	if ((in->lines = calloc(in->nlines, sizeof(*in->lines))) == NULL) {
		req_resp_error(r, 503, NULL, "out of memory");
		return 0;
	}
	for (i = 0; i < in->nlines; i++) {
		snprintf(r->vprefix, sizeof(r->vprefix), "lines[%zu].", i);
		if (!ingest_read_line(r, json_object_array_get_idx(arr, i),
		    &in->lines[i], now_ms))
			return 0;
		in->bad_dates += in->lines[i].bad_date;
	}
	r->vprefix[0] = '\0';
	return 1;
}

/* Validate the whole body into in; 0 after answering 400 or 413. */
static int
ingest_read(struct req *r, struct json_object *b, struct ingest *in)
{
	struct json_object	*arr;

	in->period = "CUSTOM";
	if (!valid_object(r, b) ||
	    !valid_enum(r, b, "periodKind", 0, period_kinds, &in->period) ||
	    !valid_string(r, b, "externalSourceId", 0, 0, 256,
	    &in->external) ||
	    !valid_bool(r, b, "autoCreateItems", &in->autocreate))
		return 0;
	if (in->period == NULL)
		in->period = "CUSTOM";
	if (!json_object_object_get_ex(b, "lines", &arr) || arr == NULL) {
		req_resp_error(r, 400, "invalid_body", "lines: is required");
		return 0;
	}
	if (!json_object_is_type(arr, json_type_array)) {
		req_resp_error(r, 400, "invalid_body", "lines: expected an array");
		return 0;
	}
	return ingest_read_lines(r, arr, in);
}

static int
sku_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sku *)a)->sku, ((const struct sku *)b)->sku);
}

static struct sku *
ingest_sku_find(struct ingest *in, const char *sku)
{
	struct sku	 key = { sku, NULL, 0 };

	return bsearch(&key, in->skus, in->nskus, sizeof(key), sku_cmp);
}

/* The distinct SKUs of the lines with a usable date, sorted. */
static int
ingest_collect_skus(struct ingest *in)
{
	size_t	 i, n = 0;

	if ((in->skus = calloc(in->nlines, sizeof(*in->skus))) == NULL)
		return 0;
	for (i = 0; i < in->nlines; i++)
		if (!in->lines[i].bad_date) {
			in->skus[n].sku = in->lines[i].sku;
			in->skus[n++].name = in->lines[i].name;
		}
	qsort(in->skus, n, sizeof(*in->skus), sku_cmp);
	in->nskus = 0;
	for (i = 0; i < n; i++) {
		if (in->nskus > 0 &&
		    strcmp(in->skus[in->nskus - 1].sku, in->skus[i].sku) == 0) {
			if (in->skus[in->nskus - 1].name == NULL)
				in->skus[in->nskus - 1].name = in->skus[i].name;
			continue;
		}
		in->skus[in->nskus++] = in->skus[i];
	}
	return 1;
}

/* Look up the item ids of every SKU still without one, 500 at a time. */
static enum db_code
ingest_lookup(struct req *r, struct ingest *in)
{
	struct db_param	 p[DB_CHUNK_ROWS + 1];
	struct db_rows	*rows;
	const char	*sql;
	struct sku	*s;
	size_t		 i = 0, k, j;
	enum db_code	 code;

	sql = dbreg_shape(&ingestion_shapes[SHAPE_SKU_LOOKUP], DB_CHUNK_ROWS);
	while (i < in->nskus) {
		p[0] = DB_INT(r->principal.org_id);
		for (k = 0; k < DB_CHUNK_ROWS; k++) {
			while (i < in->nskus && in->skus[i].item_id != 0)
				i++;
			/* NULL matches nothing: pads the fixed-size IN list. */
			p[k + 1] = i < in->nskus ? DB_STR(in->skus[i++].sku) :
			    DB_NULL;
		}
		if ((code = db_query(r->db, &rows, sql, p, DB_CHUNK_ROWS + 1)) !=
		    DB_OK)
			return code;
		for (j = 0; j < rows->nrows; j++)
			if ((s = ingest_sku_find(in, db_cell(rows, j, 1))) != NULL)
				s->item_id = atoll(db_cell(rows, j, 0));
		db_rows_free(rows);
	}
	return DB_OK;
}

/* How many of the ids[0..n) this request inserted exist now. */
static enum db_code
ingest_count_mine(struct req *r, char (*ids)[37], size_t n, int *mine)
{
	struct db_param	 p[DB_CHUNK_ROWS + 1];
	struct db_rows	*rows = NULL;
	enum db_code	 code;
	size_t		 k;

	p[0] = DB_INT(r->principal.org_id);
	for (k = 0; k < DB_CHUNK_ROWS; k++)
		p[k + 1] = k < n ? DB_STR(ids[k]) : DB_NULL;
	if ((code = db_query(r->db, &rows, dbreg_shape(
	    &ingestion_shapes[SHAPE_AUTOITEM_MINE], DB_CHUNK_ROWS), p,
	    DB_CHUNK_ROWS + 1)) == DB_OK)
		*mine += atoi(db_cell(rows, 0, 0));
	db_rows_free(rows);
	return code;
}

/*
 * Create the items of the SKUs still missing (autoCreateItems). A SKU
 * that a concurrent request creates first is taken as it is; only the
 * rows this request inserted count as auto-created.
 */
static enum db_code
ingest_autocreate(struct req *r, struct ingest *in)
{
	struct db_param	*p;
	char		(*ids)[37];
	size_t		 i = 0, k, n, miss = 0;
	enum db_code	 code = DB_OK;

	for (n = 0; n < in->nskus; n++)
		miss += in->skus[n].item_id == 0;
	if (miss == 0)
		return DB_OK;
	p = calloc(DB_CHUNK_ROWS * 4, sizeof(*p));
	ids = calloc(DB_CHUNK_ROWS, sizeof(*ids));
	if (p == NULL || ids == NULL)
		code = DB_ERROR;
	while (code == DB_OK && miss > 0) {
		n = db_chunk_size(miss);
		for (k = 0; k < n; k++, i++) {
			while (in->skus[i].item_id != 0)
				i++;
			crypto_uuid7(ids[k]);
			p[4 * k] = DB_STR(ids[k]);
			p[4 * k + 1] = DB_INT(r->principal.org_id);
			p[4 * k + 2] = DB_STR(in->skus[i].sku);
			p[4 * k + 3] = DB_STR(in->skus[i].name ? in->skus[i].name :
			    in->skus[i].sku);
		}
		code = db_exec(r->db, dbreg_shape(
		    &ingestion_shapes[SHAPE_AUTOITEM], n), p, 4 * n);
		if (code == DB_OK)
			code = ingest_count_mine(r, ids, n, &in->autocreated);
		miss -= n;
	}
	free(p);
	free(ids);
	return code == DB_OK ? ingest_lookup(r, in) : code;
}

/* Give each line its item, or count it as an unknown SKU. */
static struct json_object *
ingest_assign(struct ingest *in)
{
	struct json_object	*missing = json_object_new_array();
	struct sku		*s;
	size_t			 i;

	for (i = 0; i < in->nskus; i++)
		if (in->skus[i].item_id == 0)
			json_object_array_add(missing,
			    json_object_new_string(in->skus[i].sku));
	for (i = 0; i < in->nlines; i++) {
		if (in->lines[i].bad_date)
			continue;
		s = ingest_sku_find(in, in->lines[i].sku);
		if ((in->lines[i].item_id = s->item_id) == 0)
			in->unknown_lines++;
		else
			in->inserted++;
	}
	return missing;
}

/* Insert every resolved line, DB_CHUNK_ROWS rows a statement. */
static enum db_code
ingest_insert_lines(struct req *r, struct ingest *in, long long batch_id)
{
	struct db_param	*p;
	char		(*qty)[2][DECIMAL_BUFSZ];
	size_t		 i = 0, k, n, left = in->inserted;
	enum db_code	 code = DB_OK;

	p = calloc(DB_CHUNK_ROWS * 6, sizeof(*p));
	qty = calloc(DB_CHUNK_ROWS, sizeof(*qty));
	if (p == NULL || qty == NULL)
		code = DB_ERROR;
	while (code == DB_OK && left > 0) {
		n = db_chunk_size(left);
		for (k = 0; k < n; k++, i++) {
			while (in->lines[i].item_id == 0)
				i++;
			decimal_format(in->lines[i].ordered, qty[k][0]);
			decimal_format(in->lines[i].delivered, qty[k][1]);
			p[6 * k] = DB_INT(r->principal.org_id);
			p[6 * k + 1] = DB_INT(batch_id);
			p[6 * k + 2] = DB_INT(in->lines[i].item_id);
			p[6 * k + 3] = DB_STRN(in->lines[i].date, 10);
			p[6 * k + 4] = DB_STR(qty[k][0]);
			p[6 * k + 5] = DB_STR(qty[k][1]);
		}
		code = db_exec(r->db, dbreg_shape(&ingestion_shapes[SHAPE_LINES],
		    n), p, 6 * n);
		left -= n;
	}
	free(p);
	free(qty);
	return code;
}

static struct json_object *
ingest_event(const struct ingest *in, const char *batch)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "importBatchId", json_object_new_string(batch));
	json_object_object_add(o, "source", json_object_new_string("api"));
	json_object_object_add(o, "periodKind",
	    json_object_new_string(in->period));
	json_object_object_add(o, "externalSourceId", in->external ?
	    json_object_new_string(in->external) : NULL);
	json_object_object_add(o, "inserted",
	    json_object_new_int64((int64_t)in->inserted));
	return o;
}

static struct json_object *
ingest_answer(const struct ingest *in, const char *batch,
    struct json_object *missing)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*d = json_object_new_object();

	json_object_object_add(d, "inserted",
	    json_object_new_int64((int64_t)in->inserted));
	json_object_object_add(d, "importBatchId", json_object_new_string(batch));
	json_object_object_add(d, "autoCreatedItems",
	    json_object_new_int(in->autocreated));
	json_object_object_add(d, "skippedUnknownSku",
	    json_object_new_int(in->unknown_lines));
	json_object_object_add(d, "missingSkus", missing);
	json_object_object_add(d, "skippedBadDate",
	    json_object_new_int(in->bad_dates));
	json_object_object_add(d, "batchedInserts", json_object_new_int64(
	    (int64_t)((in->inserted + DB_CHUNK_ROWS - 1) / DB_CHUNK_ROWS)));
	json_object_object_add(o, "data", d);
	return o;
}

/* Resolve, insert and answer inside the pipeline's transaction. */
static int
ingest_write(struct req *r, struct ingest *in)
{
	struct json_object	*missing = NULL;
	char			 batch[37];
	long long		 batch_id;

	if (!ingest_collect_skus(in) || ingest_lookup(r, in) != DB_OK ||
	    (in->autocreate && ingest_autocreate(r, in) != DB_OK))
		return 0;
	missing = ingest_assign(in);
	crypto_uuid7(batch);
	if (db_exec(r->db, ingestion_sql[SQL_BATCH_INSERT],
	    DB_PARAMS(DB_STR(batch),
	    DB_INT(r->principal.org_id), DB_STR(in->period), DB_STR(in->external),
	    DB_INT(r->principal.key_id), DB_INT((long long)in->inserted))) != DB_OK) {
		json_object_put(missing);
		return 0;
	}
	batch_id = (long long)db_insert_id(r->db);
	if (ingest_insert_lines(r, in, batch_id) != DB_OK ||
	    events_emit(r->db, r->principal.org_id, EVENT_IMPORT_COMPLETED,
	    ingest_event(in, batch)) != DB_OK) {
		json_object_put(missing);
		return 0;
	}
	log_info("ingest: batch %s, %zu lines, %d unknown, %d bad dates",
	    batch, in->inserted, in->unknown_lines, in->bad_dates);
	req_resp_json(r, 201, ingest_answer(in, batch, missing));
	return 1;
}

/* POST /api/integrations/v1/ingestion/order-lines */
void
ingestion_post(struct req *r)
{
	struct json_object	*b;
	struct ingest		 in;

	memset(&in, 0, sizeof(in));
	if ((b = req_json_body(r)) == NULL)
		return;
	if (!ingest_read(r, b, &in))
		goto out;
	if (!ingest_write(r, &in)) {
		if (r->out.status < 500)
			req_resp_error(r, 503, NULL, "database unavailable; "
			    "nothing was written");
	}
out:
	free(in.lines);
	free(in.skus);
	json_object_put(b);
}
