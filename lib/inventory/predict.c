/*
 * predict.c - demand predictions: the list endpoint, and the worker job
 * that regenerates an organization's predictions after each
 * import.completed event, never in the request path. Order history is
 * summed per period (the latest batch's granularity; CUSTOM means
 * weekly), each item's series is forecast by forecast.c, and the rows
 * are replaced in one transaction.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "inventory/inventory.h"

#define PREDICT_SERVICE_Z	1.65	/* about 95 % cycle service level */
#define PREDICT_MAX_PERIODS	3660	/* ten years of days */

enum predict_sql_id {
	SQL_PRED_LIST, SQL_LATEST_BATCH, SQL_HISTORY, SQL_PRED_DELETE,
	PREDICT_SQL__MAX
};

static const char *const predict_sql[PREDICT_SQL__MAX] = {
	[SQL_PRED_LIST] =
	    "SELECT p.public_id, i.public_id, i.sku, p.period_kind, p.period_start,"
	    " p.period_end, p.forecast_qty, p.lower_qty, p.upper_qty, p.method,"
	    " p.reorder_qty, p.generated_at, p.id"
	    " FROM predictions p JOIN inventory_items i ON i.id = p.item_id"
	    " WHERE p.org_id = ? AND p.id > ? AND (? IS NULL OR i.public_id = ?)"
	    " ORDER BY p.id LIMIT ?",
	[SQL_LATEST_BATCH] =
	    "SELECT id, period_kind FROM import_batches WHERE org_id = ?"
	    " ORDER BY id DESC LIMIT 1",
	[SQL_HISTORY] =
	    "SELECT h.item_id, DATEDIFF(h.order_date, '1970-01-01'),"
	    " SUM(h.ordered_qty), i.stock_on_hand, i.lead_time_days"
	    " FROM order_history_lines h JOIN inventory_items i ON i.id = h.item_id"
	    " WHERE h.org_id = ? GROUP BY h.item_id, h.order_date"
	    " ORDER BY h.item_id, h.order_date",
	[SQL_PRED_DELETE] =
	    "DELETE FROM predictions WHERE org_id = ?",
};

/* Multi-row statements, built at every chunk size by the registry. */
enum predict_shape_id { SHAPE_PREDICTIONS, PREDICT_SHAPE__MAX };

static const struct db_shape predict_shapes[PREDICT_SHAPE__MAX] = {
	[SHAPE_PREDICTIONS] = { "INSERT INTO predictions (public_id, org_id,"
	    " item_id, batch_id, period_kind, period_start, period_end,"
	    " forecast_qty, lower_qty, upper_qty, method, reorder_qty) VALUES ",
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "" },
};

const struct db_stmts predict_stmts = {
	"predict", predict_sql, PREDICT_SQL__MAX, predict_shapes,
	PREDICT_SHAPE__MAX
};

enum period { PERIOD_DAY, PERIOD_WEEK, PERIOD_MONTH };

/* The period number of day d (days since 1970-01-01). */
static long
predict_bucket(enum period p, long d)
{
	char	 date[11];
	int	 y, m;

	switch (p) {
	case PERIOD_DAY:
		return d;
	case PERIOD_WEEK:
		return (d + 3) / 7;	/* weeks start on Monday */
	case PERIOD_MONTH:
		util_sql_date((int64_t)d * 86400000, date);
		y = atoi(date);
		m = atoi(date + 5);
		return (long)y * 12 + (m - 1);
	}
	return d;
}

/* First and last day (days since the epoch) of period b. */
static void
predict_bounds(enum period p, long b, long *first, long *last)
{
	char	 date[32];
	int64_t	 ms;

	*first = *last = b;
	switch (p) {
	case PERIOD_DAY:
		return;
	case PERIOD_WEEK:
		*first = b * 7 - 3;
		*last = *first + 6;
		return;
	case PERIOD_MONTH:
		snprintf(date, sizeof(date), "%04ld-%02ld-01", b / 12, b % 12 + 1);
		util_parse_date(date, &ms);
		*first = (long)(ms / 86400000);
		snprintf(date, sizeof(date), "%04ld-%02ld-01", (b + 1) / 12,
		    (b + 1) % 12 + 1);
		util_parse_date(date, &ms);
		*last = (long)(ms / 86400000) - 1;
		return;
	}
}

struct series {
	long long	 item_id;
	long		 first;		/* period of y[0] */
	double		*y;
	size_t		 n;
	double		 stock;
	double		 lead_days;
};

struct predict_run {
	long long	 org_id, batch_id;
	enum period	 period;
	const char	*kind;		/* DAY, WEEK, MONTH */
	long		 last;		/* the organization's latest period */
	size_t		 horizon;
	struct db_param	*p;		/* rows waiting to be inserted */
	char		(*text)[6][DECIMAL_BUFSZ];
	char		(*ids)[37];
	size_t		 nrows;
};

static double
predict_qty(const char *s)
{
	int64_t	 v;

	return s != NULL && decimal_parse(s, &v) ? (double)v / 10000.0 : 0;
}

static void
predict_fmt(double v, char out[DECIMAL_BUFSZ])
{
	if (!isfinite(v) || v < 0)
		v = 0;
	if (v > 1e13)
		v = 1e13;
	decimal_format((int64_t)llround(v * 10000.0), out);
}

/* Insert the rows waiting in run, in power-of-two statements. */
static enum db_code
predict_flush(struct db *db, struct predict_run *run)
{
	enum db_code	 code = DB_OK;
	size_t		 off = 0, k;

	while (code == DB_OK && off < run->nrows) {
		k = db_chunk_size(run->nrows - off);
		code = db_exec(db, dbreg_shape(&predict_shapes[SHAPE_PREDICTIONS],
		    k), run->p + 12 * off, 12 * k);
		off += k;
	}
	run->nrows = 0;
	return code;
}

/* Queue one prediction row; flushes whenever a chunk size is full. */
static enum db_code
predict_row(struct db *db, struct predict_run *run, long long item,
    long period, const struct forecast *fc, size_t h, double reorder)
{
	struct db_param	*p = run->p + 12 * run->nrows;
	char		(*t)[DECIMAL_BUFSZ] = run->text[run->nrows];
	long		 first, last;

	predict_bounds(run->period, period, &first, &last);
	util_sql_date((int64_t)first * 86400000, t[0]);
	util_sql_date((int64_t)last * 86400000, t[1]);
	predict_fmt(fc->mean[h], t[2]);
	predict_fmt(fc->lower[h], t[3]);
	predict_fmt(fc->upper[h], t[4]);
	predict_fmt(reorder, t[5]);
	crypto_uuid7(run->ids[run->nrows]);
	p[0] = DB_STR(run->ids[run->nrows]);
	p[1] = DB_INT(run->org_id);
	p[2] = DB_INT(item);
	p[3] = DB_ID(run->batch_id);
	p[4] = DB_STR(run->kind);
	p[5] = DB_STR(t[0]);
	p[6] = DB_STR(t[1]);
	p[7] = DB_STR(t[2]);
	p[8] = DB_STR(t[3]);
	p[9] = DB_STR(t[4]);
	p[10] = DB_STR(forecast_method_name(fc->method));
	p[11] = DB_STR(t[5]);
	/* Statements of 256 rows: a power of two, so one text serves. */
	if (++run->nrows == 256)
		return predict_flush(db, run);
	return DB_OK;
}

/* Forecast one item's series and queue its rows. */
static enum db_code
predict_item(struct db *db, struct predict_run *run, const struct series *s)
{
	struct forecast	 fc;
	double		 buf[3 * 16], period_days, reorder;
	size_t		 h;
	enum db_code	 code = DB_OK;

	memset(&fc, 0, sizeof(fc));
	fc.mean = buf;
	fc.lower = buf + 16;
	fc.upper = buf + 32;
	if (!forecast_series(s->y, s->n, run->period == PERIOD_DAY ? 7 : 0,
	    run->horizon, &fc))
		return DB_OK;
	period_days = run->period == PERIOD_DAY ? 1 : run->period ==
	    PERIOD_WEEK ? 7 : 30.44;
	reorder = forecast_reorder_qty(&fc, s->lead_days / period_days,
	    s->stock, PREDICT_SERVICE_Z);
	for (h = 0; h < run->horizon && code == DB_OK; h++)
		code = predict_row(db, run, s->item_id, run->last + 1 + (long)h,
		    &fc, h, reorder);
	return code;
}

/* Build item i's series (rows [*at, end) of rows) and forecast it. */
static enum db_code
predict_series(struct db *db, struct predict_run *run,
    const struct db_rows *rows, size_t *at)
{
	struct series	 s;
	size_t		 i = *at;
	long		 b;
	enum db_code	 code;

	memset(&s, 0, sizeof(s));
	s.item_id = atoll(db_cell(rows, i, 0));
	s.first = predict_bucket(run->period, atol(db_cell(rows, i, 1)));
	if (run->last - s.first + 1 > PREDICT_MAX_PERIODS)
		s.first = run->last - PREDICT_MAX_PERIODS + 1;
	s.n = (size_t)(run->last - s.first + 1);
	s.stock = predict_qty(db_cell(rows, i, 3));
	s.lead_days = atof(db_cell(rows, i, 4));
	if ((s.y = calloc(s.n, sizeof(*s.y))) == NULL)
		return DB_ERROR;
	for (; i < rows->nrows && atoll(db_cell(rows, i, 0)) == s.item_id; i++)
		if ((b = predict_bucket(run->period,
		    atol(db_cell(rows, i, 1)))) >= s.first)
			s.y[b - s.first] += predict_qty(db_cell(rows, i, 2));
	*at = i;
	code = predict_item(db, run, &s);
	free(s.y);
	return code;
}

/* The org's latest batch decides the granularity and the horizon. */
static int
predict_setup(struct db *db, struct predict_run *run)
{
	struct db_rows	*rows = NULL;
	const char	*kind;

	if (db_query(db, &rows, predict_sql[SQL_LATEST_BATCH],
	    DB_PARAMS(DB_INT(run->org_id))) != DB_OK)
		return 0;
	kind = rows->nrows ? db_cell(rows, 0, 1) : "CUSTOM";
	run->batch_id = rows->nrows ? atoll(db_cell(rows, 0, 0)) : 0;
	if (strcmp(kind, "DAY") == 0) {
		run->period = PERIOD_DAY;
		run->kind = "DAY";
		run->horizon = 14;
	} else if (strcmp(kind, "MONTH") == 0) {
		run->period = PERIOD_MONTH;
		run->kind = "MONTH";
		run->horizon = 3;
	} else {			/* WEEK, and CUSTOM aggregates weekly */
		run->period = PERIOD_WEEK;
		run->kind = "WEEK";
		run->horizon = 8;
	}
	db_rows_free(rows);
	return 1;
}

/* Replace every prediction of org_id (inside the caller's transaction). */
static enum db_code
predict_org(struct db *db, long long org_id)
{
	struct predict_run	 run;
	struct db_rows		*rows = NULL;
	enum db_code		 code = DB_ERROR;
	size_t			 i = 0;
	long			 d, maxday = 0;

	memset(&run, 0, sizeof(run));
	run.org_id = org_id;
	if (!predict_setup(db, &run) ||
	    (code = db_query(db, &rows, predict_sql[SQL_HISTORY],
	    DB_PARAMS(DB_INT(org_id)))) != DB_OK)
		return code == DB_OK ? DB_ERROR : code;
	for (i = 0; i < rows->nrows; i++)
		if ((d = atol(db_cell(rows, i, 1))) > maxday)
			maxday = d;
	run.last = predict_bucket(run.period, maxday);
	run.p = calloc(256 * 12, sizeof(*run.p));
	run.text = calloc(256, sizeof(*run.text));
	run.ids = calloc(256, sizeof(*run.ids));
	code = run.p && run.text && run.ids ? db_exec(db, predict_sql[SQL_PRED_DELETE],
	    DB_PARAMS(DB_INT(org_id))) : DB_ERROR;
	for (i = 0; code == DB_OK && i < rows->nrows;)
		code = predict_series(db, &run, rows, &i);
	if (code == DB_OK)
		code = predict_flush(db, &run);
	log_info("predict: org %lld, %s, %zu history rows", org_id, run.kind,
	    rows->nrows);
	free(run.p);
	free(run.text);
	free(run.ids);
	db_rows_free(rows);
	return code;
}

/* The organizations regenerated in one round, each once: the retries
 * due and the new events of one events_consume pass. */
#define PREDICT_ROUND_MAX	(2 * EVENTS_BATCH)
struct predict_round {
	long long	 orgs[PREDICT_ROUND_MAX];
	size_t		 n;
};

/* events_consume callback: regenerate the organization of an
 * import.completed event, once a round, in the consumer's transaction.
 * An organization counts as done only when its regeneration succeeded:
 * a failure is the consumer's to retry (events_consume), and the next
 * event of that organization in the round tries again. */
static enum db_code
predict_event(struct db *db, const struct event *ev, void *ctx)
{
	struct predict_round	*round = ctx;
	enum db_code		 code;
	size_t			 i;

	for (i = 0; i < round->n && round->orgs[i] != ev->org_id; i++)
		;
	if (i < round->n)
		return DB_OK;	/* one regeneration per org a round */
	if (round->n == PREDICT_ROUND_MAX)
		return DB_ERROR;	/* cannot be: a round reads no more */
	if ((code = predict_org(db, ev->org_id)) == DB_OK)
		round->orgs[round->n++] = ev->org_id;
	return code;
}

/*
 * The worker job: regenerate predictions for organizations with new
 * import.completed events (and those whose retry is due). events_consume
 * claims the cursor with SKIP LOCKED, so with several workers one does
 * it and the others move on; an organization whose regeneration fails
 * is retried, then parked, without holding back the others. Returns the
 * number of organizations done.
 */
int
predict_job(struct db *db, const struct conf *conf)
{
	struct predict_round	 round;

	round.n = 0;
	if (events_consume(db, conf, "predictions",
	    EVENT_BIT(EVENT_IMPORT_COMPLETED), predict_event, &round) < 0) {
		log_error("predict: regeneration failed");
		return 0;
	}
	return (int)round.n;
}

static struct json_object *
predict_json(const struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object();
	static const char *const names[] = { "id", "itemId", "sku",
	    "periodKind", "periodStart", "periodEnd" };
	size_t			 k;

	/* json_put_str: an item that arrived by import may have no SKU */
	for (k = 0; k < 6; k++)
		json_put_str(o, names[k], db_cell(rows, i, k));
	json_object_object_add(o, "forecastQty",
	    decimal_sql_to_json(db_cell(rows, i, 6)));
	json_object_object_add(o, "lowerQty",
	    decimal_sql_to_json(db_cell(rows, i, 7)));
	json_object_object_add(o, "upperQty",
	    decimal_sql_to_json(db_cell(rows, i, 8)));
	json_object_object_add(o, "method",
	    json_object_new_string(db_cell(rows, i, 9)));
	json_object_object_add(o, "suggestedReorderQty",
	    decimal_sql_to_json(db_cell(rows, i, 10)));
	json_object_object_add(o, "generatedAt",
	    json_time(db_cell(rows, i, 11)));
	return o;
}

/* GET /api/integrations/v1/predictions */
void
predictions_list(struct req *r)
{
	struct page		 pg;
	struct db_rows		*rows = NULL;
	char			*item = NULL;

	if (!page_parse(r, &pg) || !query_string(r, "itemId", 64, &item))
		return;
	if (db_query(r->db, &rows, predict_sql[SQL_PRED_LIST], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_INT(pg.after_id), DB_STR(item),
	    DB_STR(item), DB_INT(pg.limit + 1))) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	page_respond_rows(r, rows, pg.limit, 12, predict_json);
out:
	db_rows_free(rows);
	free(item);
}
