/*
 * stockview.c - what the console's inventory pages show, as typed views:
 * an item's stock, its supplier, days of cover at the forecast rate and
 * the suggested reorder quantity; one item's stock moves, past demand
 * and forecast. And purchase-order drafts made from the forecast's
 * suggestions, one per supplier (stockview_reorder, and POST
 * /api/integrations/v1/orders/from-suggestions). Every query is scoped
 * by organization; amounts are DECIMAL in SQL and fixed point here.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "inventory/inventory.h"

#define SV_LIMIT_DEFAULT	50
#define SV_LIMIT_MAX		200
#define SV_DEMAND_PERIODS	26	/* as SQL_SV_DEMAND's LIMIT */
#define SV_REORDER_MAX		500	/* itemIds and quantities */
#define SV_NAME_KEY_CHARS	19	/* as SV_COLUMNS' LEFT(i.name, 19) */
#define SV_CURSOR_TAG		's'
#define SV_CURSOR_FIXED		18	/* tag, flag, cover, id */

/*
 * An item's suggestion and forecast rate come from its first prediction
 * period from today on; its supplier is the vendor of its most recent
 * purchase-order line whose order names one (a draft without a vendor
 * says nothing about who sells the item).
 */
#define SV_JOINS \
    " LEFT JOIN predictions p ON p.id = (SELECT p2.id FROM predictions p2" \
    "  WHERE p2.org_id = i.org_id AND p2.item_id = i.id" \
    "  AND p2.period_start >= UTC_DATE()" \
    "  ORDER BY p2.period_start, p2.id LIMIT 1)" \
    " LEFT JOIN vendors v ON v.id = (SELECT o.vendor_id" \
    "  FROM purchase_order_lines l" \
    "  JOIN purchase_orders o ON o.id = l.order_id" \
    "  WHERE l.org_id = i.org_id AND l.item_id = i.id" \
    "  AND o.vendor_id IS NOT NULL ORDER BY l.id DESC LIMIT 1)"

#define SV_DAYS	"(DATEDIFF(p.period_end, p.period_start) + 1)"

/*
 * The daily rate is the period's forecast over its days; days of cover =
 * stock / rate, computed as stock * days / forecast (exact in DECIMAL),
 * none when the rate shown is 0, never below 0, capped at 10^11. The
 * sort key is (no cover, cover, the name's first 19 characters, id): a
 * key that fits the cursor (128 bytes) whatever the name.
 */
#define SV_COLUMNS \
    "i.public_id, i.sku, i.name, i.category, i.unit, v.name AS supplier," \
    " i.stock_on_hand AS stock, i.low_stock_threshold AS threshold," \
    " p.reorder_qty AS suggestion," \
    " ROUND(p.forecast_qty / " SV_DAYS ", 4) AS rate," \
    " CASE WHEN ROUND(p.forecast_qty / " SV_DAYS ", 4) > 0" \
    "  THEN LEAST(GREATEST(ROUND(" \
    "  i.stock_on_hand * " SV_DAYS " / p.forecast_qty, 4), 0)," \
    "  100000000000) END AS cover," \
    " LEFT(i.name, 19) AS name_key, i.id"

#define SV_REORDER_COLUMNS \
    "i.id, i.public_id, i.unit_cost, p.reorder_qty, v.id, v.name"

/*
 * The list page over from (which names the item i): stock filters,
 * category, then the cursor on the sort key; SQL_SV_LIST over every
 * item, SQL_SV_SEARCH over those a q= search finds through the indexes
 * (as the items API's search=, README "Search"), bound first.
 */
#define SV_LIST_SQL(from) \
    "SELECT s.* FROM (SELECT " SV_COLUMNS from SV_JOINS \
    " WHERE i.org_id = ? AND i.archived = 0" \
    " AND (? = 0 OR (i.low_stock_threshold IS NOT NULL" \
    "  AND i.stock_on_hand <= i.low_stock_threshold))" \
    " AND (? = 0 OR i.stock_on_hand <= 0)" \
    " AND (? IS NULL OR i.category = ? COLLATE utf8mb4_bin)) s" \
    " WHERE (? = 0 OR (s.cover IS NULL, COALESCE(s.cover, 0)," \
    "  s.name_key, s.id) > (?, CAST(? AS DECIMAL(30,4)), ?, ?))" \
    " ORDER BY s.cover IS NULL, COALESCE(s.cover, 0), s.name_key, s.id" \
    " LIMIT ?"

#define SV_SEARCH_FROM \
    " FROM (SELECT id AS hit FROM inventory_items" \
    "  WHERE org_id = ? AND sku LIKE ?" \
    " UNION SELECT id FROM inventory_items WHERE org_id = ? AND " \
    SEARCH_MATCH ") m STRAIGHT_JOIN inventory_items i ON i.id = m.hit"

enum stockview_sql_id {
	SQL_SV_LIST, SQL_SV_SEARCH, SQL_SV_ITEM, SQL_SV_MOVES, SQL_SV_DEMAND, SQL_SV_FORECAST,
	SQL_SV_BATCH_KIND, SQL_SV_REORDER_ITEM, SQL_SV_SUGGESTED,
	STOCKVIEW_SQL__MAX
};

static const char *const stockview_sql[STOCKVIEW_SQL__MAX] = {
	[SQL_SV_LIST] = SV_LIST_SQL(" FROM inventory_items i"),
	[SQL_SV_SEARCH] = SV_LIST_SQL(SV_SEARCH_FROM),
	[SQL_SV_ITEM] =
	    "SELECT " SV_COLUMNS " FROM inventory_items i" SV_JOINS
	    " WHERE i.org_id = ? AND i.public_id = ?",
	[SQL_SV_MOVES] =
	    "SELECT created_at, source, reason, actor, delta, stock_after"
	    " FROM stock_adjustments WHERE org_id = ? AND item_id = ?"
	    " ORDER BY id DESC LIMIT 100",
	/* The latest 26 periods with orders, each by its first day. */
	[SQL_SV_DEMAND] =
	    "SELECT CASE ? WHEN 'DAY' THEN h.order_date"
	    "  WHEN 'MONTH' THEN h.order_date"
	    "   - INTERVAL DAYOFMONTH(h.order_date) - 1 DAY"
	    "  ELSE h.order_date - INTERVAL WEEKDAY(h.order_date) DAY"
	    " END AS ps,"
	    " SUM(h.ordered_qty) FROM order_history_lines h"
	    " WHERE h.org_id = ? AND h.item_id = ?"
	    " GROUP BY ps ORDER BY ps DESC LIMIT 26",
	[SQL_SV_FORECAST] =
	    "SELECT period_start, period_end, forecast_qty, lower_qty,"
	    " upper_qty, method, period_kind FROM predictions"
	    " WHERE org_id = ? AND item_id = ? ORDER BY period_start, id",
	[SQL_SV_BATCH_KIND] =
	    "SELECT period_kind FROM import_batches WHERE org_id = ?"
	    " ORDER BY id DESC LIMIT 1",
	[SQL_SV_REORDER_ITEM] =
	    "SELECT " SV_REORDER_COLUMNS " FROM inventory_items i" SV_JOINS
	    " WHERE i.org_id = ? AND i.public_id = ?",
	[SQL_SV_SUGGESTED] =
	    "SELECT " SV_REORDER_COLUMNS " FROM inventory_items i" SV_JOINS
	    " WHERE i.org_id = ? AND i.archived = 0 AND p.reorder_qty > 0"
	    " ORDER BY i.id",
};

const struct db_stmts stockview_stmts = {
	"stockview", stockview_sql, STOCKVIEW_SQL__MAX, NULL, 0
};

enum sv_col {
	SC_ID, SC_SKU, SC_NAME, SC_CATEGORY, SC_UNIT, SC_SUPPLIER, SC_STOCK,
	SC_THRESHOLD, SC_SUGGESTION, SC_RATE, SC_COVER, SC_NAME_KEY, SC_ROWID
};

/* --- the cursor: the sort key of the last row shown, and its id ----- */

static void
stockview_put64(unsigned char *p, uint64_t v)
{
	int	 i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)(v & 0xff);
}

static uint64_t
stockview_get64(const unsigned char *p)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* The name part of a sort key: valid UTF-8 of at most 19 characters,
 * no NUL (it came from LEFT(name, 19)). */
static int
stockview_name_key_ok(const char *s, size_t n)
{
	return n < sizeof(((struct stock_cursor *)0)->name) &&
	    memchr(s, '\0', n) == NULL && util_utf8_valid(s, n);
}

/*
 * The opaque cursor of key c into out: URL-safe base64 of a tag, the
 * no-cover flag, cover and id (big-endian) and the name part. 0 when c
 * is not a key of this list.
 */
int
stockview_cursor_encode(const struct stock_cursor *c, char out[128])
{
	unsigned char	 bin[SV_CURSOR_FIXED + sizeof(c->name)];
	size_t		 n = strlen(c->name);

	if (!stockview_name_key_ok(c->name, n) ||
	    util_utf8_chars(c->name) > SV_NAME_KEY_CHARS ||
	    c->cover < 0 || c->cover > DECIMAL_MAX ||
	    (c->nocover && c->cover != 0) || c->id <= 0)
		return 0;
	bin[0] = SV_CURSOR_TAG;
	bin[1] = c->nocover ? 1 : 0;
	stockview_put64(bin + 2, (uint64_t)c->cover);
	stockview_put64(bin + 10, (uint64_t)c->id);
	memcpy(bin + SV_CURSOR_FIXED, c->name, n);
	sodium_bin2base64(out, 128, bin, SV_CURSOR_FIXED + n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 1;
}

/* Read the cursor s back into c; 0 when it is not one of this list's. */
int
stockview_cursor_decode(const char *s, struct stock_cursor *c)
{
	unsigned char	 bin[128];
	size_t		 len, slen = strlen(s);

	memset(c, 0, sizeof(*c));
	if (slen == 0 || slen > 127 || sodium_base642bin(bin, sizeof(bin), s,
	    slen, NULL, &len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) !=
	    0 || len < SV_CURSOR_FIXED || bin[0] != SV_CURSOR_TAG || bin[1] > 1)
		return 0;
	c->nocover = bin[1];
	c->cover = (int64_t)stockview_get64(bin + 2);
	c->id = (long long)stockview_get64(bin + 10);
	len -= SV_CURSOR_FIXED;
	if (!stockview_name_key_ok((const char *)bin + SV_CURSOR_FIXED, len))
		return 0;
	memcpy(c->name, bin + SV_CURSOR_FIXED, len);
	c->name[len] = '\0';
	return util_utf8_chars(c->name) <= SV_NAME_KEY_CHARS &&
	    c->cover >= 0 && c->cover <= DECIMAL_MAX &&
	    (!c->nocover || c->cover == 0) && c->id > 0;
}

/* 1 when s is a cursor stockview_list handed out (or could have). */
int
stockview_cursor_valid(const char *s)
{
	struct stock_cursor	 c;

	return s != NULL && stockview_cursor_decode(s, &c);
}

/* --- the list and the item ------------------------------------------ */

/* A DECIMAL cell as fixed point; 0 for NULL (or junk, which SQL's
 * DECIMAL(18,4) cannot hold). */
static int
stockview_amount(const char *sql, int64_t *v)
{
	*v = 0;
	return sql != NULL && decimal_parse(sql, v);
}

/* Row i of SV_COLUMNS as a stock_row borrowing rows' strings. */
static void
stockview_row(const struct db_rows *rows, size_t i, struct stock_row *s)
{
	memset(s, 0, sizeof(*s));
	s->id = db_cell(rows, i, SC_ID);
	s->sku = db_cell(rows, i, SC_SKU);
	s->name = db_cell(rows, i, SC_NAME);
	s->category = db_cell(rows, i, SC_CATEGORY);
	s->unit = db_cell(rows, i, SC_UNIT);
	s->supplier = db_cell(rows, i, SC_SUPPLIER);
	stockview_amount(db_cell(rows, i, SC_STOCK), &s->stock);
	s->has_threshold = stockview_amount(db_cell(rows, i, SC_THRESHOLD),
	    &s->threshold);
	s->has_suggestion = stockview_amount(db_cell(rows, i, SC_SUGGESTION),
	    &s->suggestion);
	s->has_rate = stockview_amount(db_cell(rows, i, SC_RATE),
	    &s->daily_rate);
	s->has_cover = stockview_amount(db_cell(rows, i, SC_COVER),
	    &s->cover_days);
	s->low = s->has_threshold && s->stock <= s->threshold;
	s->out = s->stock <= 0;
}

/* The cursor after row i (its sort key as SQL computed it). */
static void
stockview_row_cursor(const struct db_rows *rows, size_t i, char out[128])
{
	struct stock_cursor	 c;
	const char		*cover = db_cell(rows, i, SC_COVER);

	memset(&c, 0, sizeof(c));
	c.nocover = cover == NULL;
	stockview_amount(cover, &c.cover);
	c.id = atoll(db_cell(rows, i, SC_ROWID));
	snprintf(c.name, sizeof(c.name), "%s", db_cell(rows, i, SC_NAME_KEY));
	if (!stockview_cursor_encode(&c, out))
		out[0] = '\0';	/* cannot be: SQL made the key */
}

/*
 * One page of org's items (not archived) as f filters them, by days of
 * cover (items without a cover last), then name and id, into out: at
 * most f->limit rows (1..200; else 50 or 200), and next_cursor when
 * more follow. One statement a page. Strings are borrowed from out;
 * free with stockview_list_cleanup, also after a failure. DB_CONSTRAINT
 * for a cursor that is not one of this list's.
 */
enum db_code
stockview_list(struct db *db, long long org, const struct stock_filter *f,
    struct stock_rows *out)
{
	struct stock_cursor	 c;
	struct search_plan	 sp;
	char			*prefix, cover[DECIMAL_BUFSZ];
	long long		 limit = f->limit;
	int			 after = f->cursor && *f->cursor != '\0';
	enum db_code		 code;
	const char		*cat = f->category && *f->category ?
				    f->category : NULL;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if (after && !stockview_cursor_decode(f->cursor, &c))
		return DB_CONSTRAINT;
	if (limit < 1)
		limit = SV_LIMIT_DEFAULT;
	if (limit > SV_LIMIT_MAX)
		limit = SV_LIMIT_MAX;
	decimal_format(c.cover, cover);
	if (f->search == NULL || *f->search == '\0')
		out->v = db_query_view(db, &out->rows, sizeof(*out->v), &code,
		    stockview_sql[SQL_SV_LIST], DB_PARAMS(DB_INT(org),
		    DB_INT(f->low_only != 0), DB_INT(f->out_only != 0), DB_STR(cat), DB_STR(cat),
		    DB_INT(after), DB_INT(c.nocover), DB_STR(cover),
		    DB_STR(c.name), DB_INT(c.id), DB_INT(limit + 1)));
	else if (!search_plan_init(&sp, org, f->search))
		return DB_ERROR;
	else if ((prefix = db_like_prefix(f->search)) == NULL) {
		search_plan_free(&sp);
		return DB_ERROR;
	} else {
		out->v = db_query_view(db, &out->rows, sizeof(*out->v), &code,
		    stockview_sql[SQL_SV_SEARCH], DB_PARAMS(DB_INT(org),
		    DB_STR(prefix), DB_INT(org), SEARCH_PARAMS(&sp),
		    DB_INT(org),
		    DB_INT(f->low_only != 0), DB_INT(f->out_only != 0), DB_STR(cat), DB_STR(cat),
		    DB_INT(after), DB_INT(c.nocover), DB_STR(cover),
		    DB_STR(c.name), DB_INT(c.id), DB_INT(limit + 1)));
		free(prefix);
		search_plan_free(&sp);
	}
	if (out->v == NULL)
		return code;
	for (; out->n < out->rows->nrows && out->n < (size_t)limit; out->n++)
		stockview_row(out->rows, out->n, &out->v[out->n]);
	if (out->rows->nrows > out->n && out->n > 0)
		stockview_row_cursor(out->rows, out->n - 1, out->next_cursor);
	return DB_OK;
}

/* Free what stockview_list filled; safe on a zeroed r. */
void
stockview_list_cleanup(struct stock_rows *r)
{
	free(r->v);
	db_rows_free(r->rows);
	memset(r, 0, sizeof(*r));
}

/* Periods of a series, numbered as predict.c numbers them. */
enum sv_period { SV_DAY, SV_WEEK, SV_MONTH };

static const char *const sv_period_names[] = { "DAY", "WEEK", "MONTH" };

/* Days since 1970-01-01 of "YYYY-MM-DD" (0 for junk, which a DATE
 * column cannot hold). */
static long
stockview_day(const char *date)
{
	int64_t	 ms;

	return date != NULL && util_parse_date(date, &ms) ?
	    (long)(ms / 86400000) : 0;
}

/* The period number of day d. */
static long
stockview_bucket(enum sv_period p, long d)
{
	char	 date[11];

	switch (p) {
	case SV_DAY:
		return d;
	case SV_WEEK:
		return (d + 3) / 7;	/* weeks start on Monday */
	case SV_MONTH:
		util_sql_date((int64_t)d * 86400000, date);
		return atol(date) * 12 + (atol(date + 5) - 1);
	}
	return d;
}

/* First and last day of period b, as YYYY-MM-DD. */
static void
stockview_bounds(enum sv_period p, long b, char first[11], char last[11])
{
	char	 date[32];
	int64_t	 f = b, l = b, ms;

	switch (p) {
	case SV_DAY:
		break;
	case SV_WEEK:
		f = (int64_t)b * 7 - 3;
		l = f + 6;
		break;
	case SV_MONTH:
		snprintf(date, sizeof(date), "%04ld-%02ld-01", b / 12,
		    b % 12 + 1);
		f = util_parse_date(date, &ms) ? ms / 86400000 : 0;
		snprintf(date, sizeof(date), "%04ld-%02ld-01", (b + 1) / 12,
		    (b + 1) % 12 + 1);
		l = util_parse_date(date, &ms) ? ms / 86400000 - 1 : 0;
		break;
	}
	util_sql_date(f * 86400000, first);
	util_sql_date(l * 86400000, last);
}

static enum sv_period
stockview_period(const char *kind)
{
	if (strcmp(kind, "DAY") == 0)
		return SV_DAY;
	if (strcmp(kind, "MONTH") == 0)
		return SV_MONTH;
	return SV_WEEK;		/* WEEK, and CUSTOM is summed weekly */
}

/* The item's forecast (future periods, as predict.c wrote them), and
 * the period of its series: the forecast's, else the latest batch's. */
static enum db_code
stockview_forecast(struct db *db, long long org, long long item,
    struct stock_item_view *v, enum sv_period *period)
{
	struct db_rows	*kind = NULL;
	struct db_rows	*rows;
	enum db_code	 code;
	size_t		 i;

	if ((v->forecast = db_query_view(db, &v->rows[3], sizeof(*v->forecast),
	    &code, stockview_sql[SQL_SV_FORECAST], DB_PARAMS(DB_INT(org),
	    DB_INT(item)))) == NULL)
		return code;
	rows = v->rows[3];
	for (i = 0; i < rows->nrows; i++) {
		v->forecast[i].start = db_cell(rows, i, 0);
		v->forecast[i].end = db_cell(rows, i, 1);
		stockview_amount(db_cell(rows, i, 2), &v->forecast[i].qty);
		stockview_amount(db_cell(rows, i, 3), &v->forecast[i].lo);
		stockview_amount(db_cell(rows, i, 4), &v->forecast[i].hi);
	}
	v->nforecast = rows->nrows;
	if (rows->nrows > 0) {
		v->method = db_cell(rows, 0, 5);
		*period = stockview_period(db_cell(rows, 0, 6));
		v->period_kind = sv_period_names[*period];
		return DB_OK;
	}
	if ((code = db_query(db, &kind, stockview_sql[SQL_SV_BATCH_KIND],
	    DB_PARAMS(DB_INT(org)))) != DB_OK)
		return code;
	if (kind->nrows > 0) {
		*period = stockview_period(db_cell(kind, 0, 0));
		v->period_kind = sv_period_names[*period];
	}
	db_rows_free(kind);
	return DB_OK;
}

/* The item's demand summed per period, oldest first: the periods from
 * its first with orders (at most 26 back) to its last, or to the one
 * before its forecast, with zeros between. */
static enum db_code
stockview_demand(struct db *db, long long org, long long item,
    struct stock_item_view *v, enum sv_period period)
{
	struct db_rows		*rows;
	struct stock_point	*pt;
	char			*text;
	long			 last, oldest, start, b;
	size_t			 i, k, n;
	enum db_code		 code;

	if ((code = db_query(db, &v->rows[2], stockview_sql[SQL_SV_DEMAND],
	    DB_PARAMS(DB_STR(sv_period_names[period]), DB_INT(org),
	    DB_INT(item)))) != DB_OK)
		return code;
	rows = v->rows[2];
	if (rows->nrows == 0)
		return DB_OK;
	last = stockview_bucket(period, stockview_day(db_cell(rows, 0, 0)));
	oldest = stockview_bucket(period, stockview_day(db_cell(rows,
	    rows->nrows - 1, 0)));
	if (v->nforecast > 0 && (b = stockview_bucket(period,
	    stockview_day(v->forecast[0].start)) - 1) > last)
		last = b;
	start = last - (SV_DEMAND_PERIODS - 1);
	if (oldest > start)
		start = oldest;
	n = (size_t)(last - start + 1);
	/* The points, then their dates, in one block. */
	if ((pt = calloc(n, sizeof(*pt) + 22)) == NULL)
		return DB_ERROR;
	text = (char *)(pt + n);
	for (k = 0; k < n; k++) {
		b = start + (long)k;
		stockview_bounds(period, b, text + 22 * k, text + 22 * k + 11);
		pt[k].start = text + 22 * k;
		pt[k].end = text + 22 * k + 11;
		for (i = 0; i < rows->nrows; i++)
			if (stockview_bucket(period, stockview_day(
			    db_cell(rows, i, 0))) == b)
				stockview_amount(db_cell(rows, i, 1),
				    &pt[k].qty);
		pt[k].lo = pt[k].hi = pt[k].qty;
	}
	v->demand = pt;
	v->ndemand = n;
	return DB_OK;
}

static enum db_code
stockview_moves(struct db *db, long long org, long long item,
    struct stock_item_view *v)
{
	struct db_rows	*rows;
	struct stock_move *m;
	enum db_code	 code;
	size_t		 i;

	if ((v->moves = db_query_view(db, &v->rows[1], sizeof(*v->moves),
	    &code, stockview_sql[SQL_SV_MOVES], DB_PARAMS(DB_INT(org),
	    DB_INT(item)))) == NULL)
		return code;
	rows = v->rows[1];
	for (i = 0; i < rows->nrows; i++) {
		m = &v->moves[i];
		m->at = db_cell(rows, i, 0);
		m->source = db_cell(rows, i, 1);
		m->reason = db_cell(rows, i, 2);
		m->actor = db_cell(rows, i, 3);
		stockview_amount(db_cell(rows, i, 4), &m->delta);
		stockview_amount(db_cell(rows, i, 5), &m->after);
	}
	v->nmoves = rows->nrows;
	return DB_OK;
}

/*
 * The item public_id of org (archived or not) into v: its row as the
 * list shows it, its last 100 stock moves (newest first), its demand by
 * period and its forecast. Strings are borrowed from v; free with
 * stockview_item_cleanup, also after a failure. DB_NOTFOUND when org
 * has no such item.
 */
enum db_code
stockview_item(struct db *db, long long org, const char *public_id,
    struct stock_item_view *v)
{
	enum sv_period	 period = SV_WEEK;
	long long	 item;
	enum db_code	 code;

	memset(v, 0, sizeof(*v));
	if ((code = db_query(db, &v->rows[0], stockview_sql[SQL_SV_ITEM],
	    DB_PARAMS(DB_INT(org), DB_STR(public_id)))) != DB_OK)
		return code;
	if (v->rows[0]->nrows == 0)
		return DB_NOTFOUND;
	stockview_row(v->rows[0], 0, &v->item);
	item = atoll(db_cell(v->rows[0], 0, SC_ROWID));
	if ((code = stockview_moves(db, org, item, v)) != DB_OK ||
	    (code = stockview_forecast(db, org, item, v, &period)) != DB_OK)
		return code;
	if (v->period_kind == NULL)
		return DB_OK;	/* no order history at all */
	return stockview_demand(db, org, item, v, period);
}

/* Free what stockview_item filled; safe on a zeroed v. */
void
stockview_item_cleanup(struct stock_item_view *v)
{
	size_t	 i;

	free(v->moves);
	free(v->demand);
	free(v->forecast);
	for (i = 0; i < sizeof(v->rows) / sizeof(v->rows[0]); i++)
		db_rows_free(v->rows[i]);
	memset(v, 0, sizeof(*v));
}

/* --- drafts from suggestions ---------------------------------------- */

/* A line to order, resolved: the item, what to order of it, and from
 * whom. */
struct sv_line {
	struct order_new_line	 l;
	char			 item_id[37];
	long long		 vendor;	/* 0: no supplier */
	char			*vendor_name;
	size_t			 seq;		/* as asked */
};

struct sv_lines {
	struct sv_line	*v;
	size_t		 n, cap;
};

static void
stockview_lines_free(struct sv_lines *ls)
{
	size_t	 i;

	for (i = 0; i < ls->n; i++)
		free(ls->v[i].vendor_name);
	free(ls->v);
	memset(ls, 0, sizeof(*ls));
}

enum sv_reorder_col { RC_ROWID, RC_ID, RC_COST, RC_SUGGESTION, RC_VENDOR,
	RC_VENDOR_NAME };

/* Append row i of SV_REORDER_COLUMNS with qty (0: its suggestion, or
 * nothing when it has none). */
static enum db_code
stockview_lines_add(struct sv_lines *ls, const struct db_rows *rows,
    size_t i, int64_t qty)
{
	struct sv_line	*l, *nv;
	const char	*vendor = db_cell(rows, i, RC_VENDOR);

	if (ls->n == ls->cap) {
		if ((nv = reallocarray(ls->v, ls->cap ? 2 * ls->cap : 16,
		    sizeof(*nv))) == NULL)
			return DB_ERROR;
		ls->v = nv;
		ls->cap = ls->cap ? 2 * ls->cap : 16;
	}
	l = &ls->v[ls->n];
	memset(l, 0, sizeof(*l));
	l->l.item = atoll(db_cell(rows, i, RC_ROWID));
	snprintf(l->item_id, sizeof(l->item_id), "%s", db_cell(rows, i, RC_ID));
	l->l.has_cost = stockview_amount(db_cell(rows, i, RC_COST), &l->l.cost);
	if ((l->l.qty = qty) == 0)
		stockview_amount(db_cell(rows, i, RC_SUGGESTION), &l->l.qty);
	if (vendor != NULL) {
		l->vendor = atoll(vendor);
		if ((l->vendor_name = util_strdup(db_cell(rows, i,
		    RC_VENDOR_NAME))) == NULL)
			return DB_ERROR;
	}
	l->seq = ls->n++;
	return DB_OK;
}

/* Append the item public_id of org; DB_NOTFOUND when org has none. */
static enum db_code
stockview_lines_item(struct db *db, long long org, const char *public_id,
    int64_t qty, struct sv_lines *ls)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	if ((code = db_query(db, &rows, stockview_sql[SQL_SV_REORDER_ITEM],
	    DB_PARAMS(DB_INT(org), DB_STR(public_id)))) != DB_OK)
		return code;
	code = rows->nrows == 0 ? DB_NOTFOUND :
	    stockview_lines_add(ls, rows, 0, qty);
	db_rows_free(rows);
	return code;
}

/* Append every item of org (not archived) with a suggestion above 0. */
static enum db_code
stockview_lines_suggested(struct db *db, long long org, struct sv_lines *ls)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;
	size_t		 i;

	if ((code = db_query(db, &rows, stockview_sql[SQL_SV_SUGGESTED],
	    DB_PARAMS(DB_INT(org)))) != DB_OK)
		return code;
	for (i = 0; i < rows->nrows && code == DB_OK; i++)
		code = stockview_lines_add(ls, rows, i, 0);
	db_rows_free(rows);
	return code;
}

/* Drafts in vendor name order, the one without a vendor last; lines
 * as they were asked for. */
static int
stockview_line_cmp(const void *a, const void *b)
{
	const struct sv_line	*x = a, *y = b;
	int			 c;

	if ((x->vendor == 0) != (y->vendor == 0))
		return x->vendor == 0 ? 1 : -1;
	if (x->vendor != y->vendor && (c = strcmp(x->vendor_name,
	    y->vendor_name)) != 0)
		return c;
	if (x->vendor != y->vendor)
		return x->vendor < y->vendor ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Write one DRAFT per supplier for the lines of ls with something to
 * order, in the caller's transaction, through orders.c's path (each
 * with its order.created event); the drafts' public ids into a new
 * array *ids. DB_CONSTRAINT when no line has a quantity above 0, or
 * (*too_large set) when a draft's line amount or total would pass what
 * DECIMAL(18,4) holds; nothing is written then.
 */
static enum db_code
stockview_drafts(struct db *db, long long org, struct sv_lines *ls,
    const char *actor, struct json_object **ids, int *too_large)
{
	struct order_new_line	*group = NULL;
	char			 notes[400], id[37];
	size_t			 i, j, n = 0, k, bad;
	enum db_code		 code = DB_OK;

	*ids = NULL;
	*too_large = 0;
	for (i = 0; i < ls->n; i++)	/* keep what has a quantity */
		if (ls->v[i].l.qty > 0)
			ls->v[n++] = ls->v[i];
		else
			free(ls->v[i].vendor_name);
	ls->n = n;
	if (n == 0)
		return DB_CONSTRAINT;
	qsort(ls->v, n, sizeof(*ls->v), stockview_line_cmp);
	if ((group = calloc(n, sizeof(*group))) == NULL)
		return DB_ERROR;
	snprintf(notes, sizeof(notes), "Drafted from the forecast's reorder "
	    "suggestions by %s.", actor ? actor : "the system");
	*too_large = 0;
	for (i = 0; i < n && !*too_large; i = j) {	/* check them all first */
		for (j = i, k = 0; j < n && ls->v[j].vendor == ls->v[i].vendor;
		    j++)
			group[k++] = ls->v[j].l;
		*too_large = orders_amounts_fit(group, k, &bad) != ORDER_FITS;
	}
	if (*too_large) {
		free(group);
		return DB_CONSTRAINT;
	}
	*ids = json_object_new_array();
	for (i = 0; i < n && code == DB_OK; i = j) {
		for (j = i, k = 0; j < n && ls->v[j].vendor == ls->v[i].vendor;
		    j++)
			group[k++] = ls->v[j].l;
		code = orders_draft_write(db, org, ls->v[i].vendor_name, NULL,
		    notes, group, k, id);
		if (code == DB_OK)
			json_object_array_add(*ids, json_object_new_string(id));
	}
	free(group);
	if (code != DB_OK) {
		json_object_put(*ids);
		*ids = NULL;
	}
	return code;
}

/*
 * Drafts from suggestions: see inventory.h. The lines are resolved
 * before anything is written.
 */
enum db_code
stockview_reorder(struct db *db, long long org, const struct reorder_line *l,
    size_t n, const char *actor, struct json_object **ids, int *too_large)
{
	struct sv_lines	 ls;
	enum db_code	 code = DB_OK;
	size_t		 i;

	*ids = NULL;
	memset(&ls, 0, sizeof(ls));
	for (i = 0; i < n && code == DB_OK; i++)
		code = l[i].item_id == NULL ? DB_NOTFOUND :
		    stockview_lines_item(db, org, l[i].item_id,
		    l[i].qty > 0 ? l[i].qty : 0, &ls);
	*too_large = 0;
	if (code == DB_OK)
		code = stockview_drafts(db, org, &ls, actor, ids, too_large);
	stockview_lines_free(&ls);
	return code;
}

/* --- POST /api/integrations/v1/orders/from-suggestions -------------- */

/* What the body asks for: itemIds (NULL: every suggestion) and
 * quantities (NULL: none), both borrowed from the body. */
struct sv_ask {
	struct json_object	*ids;
	struct json_object	*qty;
};

static int
stockview_ask_ids(struct req *r, struct json_object *b, struct sv_ask *a)
{
	struct json_object	*e;
	const char		*s;
	size_t			 i, j, n;

	if ((a->ids = valid_get(b, "itemIds")) == NULL)
		return 1;
	if (!json_object_is_type(a->ids, json_type_array) ||
	    (n = json_object_array_length(a->ids)) < 1 || n > SV_REORDER_MAX) {
		req_resp_error(r, 400, "invalid_body", "itemIds: expected an "
		    "array of 1 to %d item ids", SV_REORDER_MAX);
		return 0;
	}
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a->ids, i);
		if (!json_object_is_type(e, json_type_string) ||
		    util_utf8_chars(s = json_object_get_string(e)) < 1 ||
		    util_utf8_chars(s) > 64) {
			req_resp_error(r, 400, "invalid_body", "itemIds[%zu]: "
			    "expected an item id (a string of 1 to 64 "
			    "characters)", i);
			return 0;
		}
		for (j = 0; j < i; j++)
			if (strcmp(s, json_object_get_string(
			    json_object_array_get_idx(a->ids, j))) == 0) {
				req_resp_error(r, 400, "invalid_body",
				    "itemIds[%zu]: repeats itemIds[%zu]", i, j);
				return 0;
			}
	}
	return 1;
}

/* Is id one of itemIds? */
static int
stockview_ask_has(const struct sv_ask *a, const char *id)
{
	size_t	 i, n = json_object_array_length(a->ids);

	for (i = 0; i < n; i++)
		if (strcmp(id, json_object_get_string(
		    json_object_array_get_idx(a->ids, i))) == 0)
			return 1;
	return 0;
}

static int
stockview_ask_qty(struct req *r, struct json_object *b, struct sv_ask *a)
{
	int64_t	 q;
	int	 has, ok = 1;

	if ((a->qty = valid_get(b, "quantities")) == NULL)
		return 1;
	if (!json_object_is_type(a->qty, json_type_object) ||
	    json_object_object_length(a->qty) > SV_REORDER_MAX) {
		req_resp_error(r, 400, "invalid_body", "quantities: expected "
		    "an object of at most %d item ids and their quantities",
		    SV_REORDER_MAX);
		return 0;
	}
	snprintf(r->vprefix, sizeof(r->vprefix), "quantities.");
	json_object_object_foreach(a->qty, key, val) {
		(void)val;
		if (util_utf8_chars(key) < 1 || util_utf8_chars(key) > 64) {
			req_resp_error(r, 400, "invalid_body", "quantities: "
			    "expected item ids of 1 to 64 characters as keys");
			ok = 0;
		} else if (!valid_decimal(r, a->qty, key, 1, 1, DECIMAL_MAX, &q,
		    &has))
			ok = 0;
		else if (a->ids != NULL && !stockview_ask_has(a, key)) {
			req_resp_error(r, 400, "invalid_body", "quantities.%s: "
			    "not one of itemIds", key);
			ok = 0;
		}
		if (!ok)
			break;
	}
	r->vprefix[0] = '\0';
	return ok;
}

/* The quantity asked for item id; 0: its suggestion. */
static int64_t
stockview_ask_qty_of(const struct sv_ask *a, const char *id)
{
	struct json_object	*v;
	int64_t			 q;

	if (a->qty == NULL || !json_object_object_get_ex(a->qty, id, &v) ||
	    !decimal_from_json(v, &q))
		return 0;
	return q;
}

/* The lines asked for, resolved; 0 after answering (404 naming the
 * field of an item that is not the organization's). */
static int
stockview_ask_lines(struct req *r, const struct sv_ask *a, struct sv_lines *ls)
{
	long long	 org = r->principal.org_id;
	enum db_code	 code = DB_OK;
	const char	*id = "";
	char		 field[96] = "";
	size_t		 i, n;

	if (a->ids != NULL) {
		n = json_object_array_length(a->ids);
		for (i = 0; i < n && code == DB_OK; i++) {
			id = json_object_get_string(json_object_array_get_idx(
			    a->ids, i));
			snprintf(field, sizeof(field), "itemIds[%zu]", i);
			code = stockview_lines_item(r->db, org, id,
			    stockview_ask_qty_of(a, id), ls);
		}
	} else if ((code = stockview_lines_suggested(r->db, org, ls)) ==
	    DB_OK && a->qty != NULL) {
		/* Quantities override a suggestion, or add an item. */
		json_object_object_foreach(a->qty, key, val) {
			(void)val;
			id = key;
			snprintf(field, sizeof(field), "quantities.%s", key);
			for (i = 0; i < ls->n && strcmp(ls->v[i].item_id, key);
			    i++)
				;
			if (i < ls->n)
				ls->v[i].l.qty = stockview_ask_qty_of(a, key);
			else if ((code = stockview_lines_item(r->db, org, key,
			    stockview_ask_qty_of(a, key), ls)) != DB_OK)
				break;
		}
	}
	if (code == DB_NOTFOUND)
		req_resp_error(r, 404, NULL, "%s: no inventory item %s", field,
		    id);
	else if (code != DB_OK)
		req_resp_error(r, 503, NULL, "database unavailable; nothing "
		    "was written");
	return code == DB_OK;
}

/* 201 {data: {orders: [each draft as GET /orders/{id} shows it]}}. */
static void
stockview_answer(struct req *r, struct json_object *ids)
{
	struct json_object	*orders = json_object_new_array(), *o, *d;
	enum db_code		 code;
	size_t			 i;

	for (i = 0; i < json_object_array_length(ids); i++) {
		if ((o = orders_fetch_json(r->db, r->principal.org_id,
		    json_object_get_string(json_object_array_get_idx(ids, i)),
		    &code)) == NULL) {
			json_object_put(orders);
			req_resp_error(r, 503, NULL, "database unavailable; "
			    "nothing was written");
			return;
		}
		json_object_array_add(orders, o);
	}
	d = json_object_new_object();
	json_object_object_add(d, "orders", orders);
	o = json_object_new_object();
	json_object_object_add(o, "data", d);
	req_resp_json(r, 201, o);
}

/*
 * POST /api/integrations/v1/orders/from-suggestions {itemIds?,
 * quantities?}: one DRAFT per supplier of the items asked for (absent:
 * every item with a suggestion above 0), each line the quantity given
 * or the suggestion. 400 naming the field, 404 for an item that is not
 * the organization's, 422 when nothing is left to order.
 */
void
orders_from_suggestions(struct req *r)
{
	struct json_object	*b, *ids = NULL;
	struct sv_ask		 a;
	struct sv_lines		 ls;
	char			 actor[300];
	int			 too_large = 0;

	memset(&ls, 0, sizeof(ls));
	/* No body asks for every suggestion, as {} does. */
	b = r->in.body.len == 0 ? json_object_new_object() : req_json_body(r);
	if (b == NULL)
		return;
	memset(&a, 0, sizeof(a));
	if (!valid_object(r, b) || !stockview_ask_ids(r, b, &a) ||
	    !stockview_ask_qty(r, b, &a) || !stockview_ask_lines(r, &a, &ls))
		goto out;
	principal_actor(&r->principal, actor, sizeof(actor));
	switch (stockview_drafts(r->db, r->principal.org_id, &ls, actor,
	    &ids, &too_large)) {
	case DB_OK:
		stockview_answer(r, ids);
		break;
	case DB_CONSTRAINT:
		if (too_large) {
			req_resp_error(r, 400, "invalid_body", "quantities: a "
			    "draft's line amount or total would pass "
			    "99999999999999.9999; nothing was written");
			break;
		}
		req_resp_error(r, 422, "nothing_to_order", "nothing to order: "
		    "no item asked for has a suggested or given quantity above "
		    "0");
		break;
	default:
		req_resp_error(r, 503, NULL, "database unavailable; nothing "
		    "was written");
		break;
	}
out:
	json_object_put(ids);
	stockview_lines_free(&ls);
	json_object_put(b);
}
