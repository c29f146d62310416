/*
 * test_predictions.c - GET /predictions after ingestion: the worker
 * regenerates them (polled for), one row per item and future period at
 * the batch's granularity (DAY 14, WEEK 8, MONTH 3), sane bounds, a
 * method from the enum, the reorder quantity, the itemId filter, paging,
 * and tenancy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "itest.h"

#define INGEST	"/api/integrations/v1/ingestion/order-lines"
#define ITEMS	"/api/integrations/v1/inventory/items"
#define PRED	"/api/integrations/v1/predictions"

static char	 org_d[64], auth_d[200];	/* daily history */
static char	 org_w[64], auth_w[200];	/* weekly */
static char	 org_m[64], auth_m[200];	/* monthly */
static char	 org_q[64], auth_q[200];	/* none */
static char	 org_c[64], auth_c[200];	/* CUSTOM */
static char	 org_x[64], auth_x[200];	/* DAY, later WEEK */
static int	 ingested;

static int
ingest(const char *auth, const char *body)
{
	struct http_resp	 r;
	long			 st;

	st = api_do(&r, "POST", INGEST, auth, NULL, body);
	if (st != 201)
		fprintf(stderr, "predictions: ingest: %ld %.200s\n", st,
		    r.body);
	http_resp_free(&r);
	return st == 201;
}

static int
pred_init(void)
{
	static const int	 week[7] = { 10, 12, 14, 16, 30, 40, 8 };
	struct sbuf		 b = { 0 };
	struct http_resp	 r;
	char			 day[11];
	int			 d, ok;

	if (!fixture_org_auth(org_d, auth_d) ||
	    !fixture_org_auth(org_w, auth_w) ||
	    !fixture_org_auth(org_m, auth_m) ||
	    !fixture_org_auth(org_q, auth_q) ||
	    !fixture_org_auth(org_c, auth_c) ||
	    !fixture_org_auth(org_x, auth_x))
		return 1;
	/* Known stock: one item short of everything, one with plenty. */
	api_do(&r, "POST", ITEMS, auth_d, NULL, "{\"sku\":\"PRED-SEAS\","
	    "\"name\":\"Seasonal\",\"stockOnHand\":0,\"leadTimeDays\":7}");
	ok = r.status == 201;
	http_resp_free(&r);
	api_do(&r, "POST", ITEMS, auth_d, NULL, "{\"sku\":\"PRED-RICH\","
	    "\"name\":\"Plenty\",\"stockOnHand\":1000000,\"leadTimeDays\":7}");
	ok = ok && r.status == 201;
	http_resp_free(&r);
	if (!ok)
		return 1;

	/* Daily: 8 weeks with a weekly pattern, an intermittent series,
	 * a steady one, and 3 days of another; all ending yesterday. */
	sb_printf(&b, "{\"periodKind\":\"DAY\",\"autoCreateItems\":true,"
	    "\"lines\":[");
	for (d = 56; d >= 1; d--) {
		utc_date(-d, day);
		sb_printf(&b, "{\"sku\":\"PRED-SEAS\",\"orderedQty\":%d,"
		    "\"orderDate\":\"%s\"},", week[d % 7] + d % 3, day);
		sb_printf(&b, "{\"sku\":\"PRED-RICH\",\"orderedQty\":5,"
		    "\"orderDate\":\"%s\"},", day);
		if (d % 5 == 1)
			sb_printf(&b, "{\"sku\":\"PRED-INT\",\"orderedQty\":4,"
			    "\"orderDate\":\"%s\"},", day);
		if (d <= 3)
			sb_printf(&b, "{\"sku\":\"PRED-SHORT\",\"orderedQty\":"
			    "%d,\"orderDate\":\"%s\"},", 1 + d, day);
	}
	b.p[--b.len] = '\0';
	sb_printf(&b, "]}");
	ok = ingest(auth_d, b.p);
	sb_free(&b);

	/* Weekly: 20 weeks. */
	sb_printf(&b, "{\"periodKind\":\"WEEK\",\"autoCreateItems\":true,"
	    "\"lines\":[");
	for (d = 20; d >= 1; d--) {
		utc_date(-7 * d, day);
		sb_printf(&b, "%s{\"sku\":\"PRED-WK\",\"orderedQty\":%d,"
		    "\"orderDate\":\"%s\"}", d == 20 ? "" : ",", 50 + d % 4,
		    day);
	}
	sb_printf(&b, "]}");
	ok = ingest(auth_w, b.p) && ok;
	sb_free(&b);

	/* Monthly: 12 months. */
	sb_printf(&b, "{\"periodKind\":\"MONTH\",\"autoCreateItems\":true,"
	    "\"lines\":[");
	for (d = 12; d >= 1; d--) {
		utc_date(-30 * d, day);
		sb_printf(&b, "%s{\"sku\":\"PRED-MO\",\"orderedQty\":%d,"
		    "\"orderDate\":\"%s\"}", d == 12 ? "" : ",", 200 + 10 * d,
		    day);
	}
	sb_printf(&b, "]}");
	ok = ingest(auth_m, b.p) && ok;
	sb_free(&b);

	/* CUSTOM (the default periodKind), and DAY for the org that later
	 * gets a WEEK batch: 30 days each. */
	for (ok = ok ? 1 : 0, d = 0; d < 2; d++) {
		int	 k;

		sb_printf(&b, "{%s\"autoCreateItems\":true,\"lines\":[",
		    d == 0 ? "" : "\"periodKind\":\"DAY\",");
		for (k = 30; k >= 1; k--) {
			utc_date(-k, day);
			sb_printf(&b, "%s{\"sku\":\"%s\",\"orderedQty\":%d,"
			    "\"orderDate\":\"%s\"}", k == 30 ? "" : ",",
			    d == 0 ? "PRED-CU" : "PRED-X", 3 + k % 4, day);
		}
		sb_printf(&b, "]}");
		ok = ingest(d == 0 ? auth_c : auth_x, b.p) && ok;
		sb_free(&b);
	}
	ingested = ok;
	return 0;
}

/* Rows of every page at limit (query may be ""), as one array. */
static struct json_object *
pred_walk(const char *auth, const char *query, int limit, int *pages)
{
	struct json_object	*all = json_object_new_array(), *o, *data;
	char			 path[1024], *esc, *cursor = NULL;
	const char		*c;
	size_t			 i, n;

	*pages = 0;
	for (;;) {
		esc = cursor ? curl_easy_escape(NULL, cursor, 0) : NULL;
		snprintf(path, sizeof(path), PRED "?limit=%d%s%s%s%s", limit,
		    *query ? "&" : "", query, esc ? "&cursor=" : "",
		    esc ? esc : "");
		curl_free(esc);
		free(cursor);
		cursor = NULL;
		o = API_JSON("GET", path, auth, NULL, 200);
		data = json_at(o, "data");
		if (data == NULL || !json_object_is_type(data,
		    json_type_array) || ++*pages > 100) {
			json_object_put(o);
			break;
		}
		n = json_object_array_length(data);
		for (i = 0; i < n; i++)
			json_object_array_add(all, json_object_get(
			    json_object_array_get_idx(data, i)));
		if ((c = json_str_at(o, "nextCursor")) == NULL) {
			json_object_put(o);
			break;
		}
		cursor = strdup(c);
		json_object_put(o);
	}
	free(cursor);
	return all;
}

/* How many rows of sku in a list. */
static int
rows_of(struct json_object *all, const char *sku)
{
	size_t		 i, n = json_object_array_length(all);
	const char	*s;
	int		 k = 0;

	for (i = 0; i < n; i++) {
		s = json_str_at(json_object_array_get_idx(all, i), "sku");
		k += s != NULL && strcmp(s, sku) == 0;
	}
	return k;
}

/*
 * Poll (every 250 ms, up to 30 s, once per organization) until each sku
 * has want rows; then the full list, walked with assertions (caller
 * puts), or NULL if the time ran out.
 */
static struct json_object *
poll_for(const char *auth, const char *const *skus, int want)
{
	static const char	*gave_up[8];
	static int		 ngave_up;
	struct json_object	*o, *data;
	struct http_resp	 r;
	struct timespec		 ts = { 0, 250000000L };
	long			 t0 = now_ms();
	int			 pages, i, done, tried = 0;

	for (i = 0; i < ngave_up; i++)
		if (gave_up[i] == auth)
			tried = 1;
	for (;;) {
		api_do(&r, "GET", PRED "?limit=200", auth, NULL, NULL);
		o = http_json(&r);
		http_resp_free(&r);
		data = json_at(o, "data");
		done = data != NULL && json_object_is_type(data,
		    json_type_array);
		for (i = 0; done && skus[i] != NULL; i++)
			if (rows_of(data, skus[i]) != want)
				done = 0;
		json_object_put(o);
		if (done)
			return pred_walk(auth, "", 200, &pages);
		if (tried || now_ms() - t0 > 30000) {
			if (!tried && ngave_up < 8)
				gave_up[ngave_up++] = auth;
			fprintf(stderr, "predictions: no %d rows per item "
			    "after %ld ms\n", want, now_ms() - t0);
			return NULL;
		}
		nanosleep(&ts, NULL);
	}
}

static time_t
parse_day(const char *s)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || strlen(s) != 10 ||
	    strptime(s, "%Y-%m-%d", &tm) == NULL)
		return (time_t)-1;
	return timegm(&tm);
}

/*
 * Every row well-formed; rows grouped by item, periods rising by step
 * days (0: by a month) and none wholly in the past.
 */
static void
check_rows(struct json_object *all, const char *kind, int step)
{
	static const char *const methods[] = { "naive_mean", "croston_sba",
	    "holt", "holt_winters", NULL };
	struct json_object	*row;
	const char		*item, *m, *ps, *pe, *prev_item = NULL;
	char			 today[11], msg[256];
	time_t			 t, te, prev_t = 0;
	double			 f, lo, hi, re;
	size_t			 i, n = json_object_array_length(all);
	int			 k, okm, okn;
	struct tm		 a, b;

	utc_date(0, today);
	for (i = 0; i < n; i++) {
		row = json_object_array_get_idx(all, i);
		item = json_str_at(row, "itemId");
		ps = json_str_at(row, "periodStart");
		pe = json_str_at(row, "periodEnd");
		m = json_str_at(row, "method");
		snprintf(msg, sizeof(msg), "row %zu: %.200s", i,
		    json_object_to_json_string(row));
		CU_assertImplementation(json_str_at(row, "id") != NULL &&
		    item != NULL && json_str_at(row, "sku") != NULL &&
		    json_str_at(row, "generatedAt") != NULL, __LINE__, msg,
		    __FILE__, "", CU_FALSE);
		CU_assertImplementation(json_str_at(row, "periodKind") &&
		    strcmp(json_str_at(row, "periodKind"), kind) == 0,
		    __LINE__, msg, __FILE__, "", CU_FALSE);
		okn = json_num_at(row, "forecastQty", &f) &&
		    json_num_at(row, "lowerQty", &lo) &&
		    json_num_at(row, "upperQty", &hi) &&
		    json_num_at(row, "suggestedReorderQty", &re);
		CU_assertImplementation(okn && f >= 0 && lo >= 0 && hi >= 0 &&
		    re >= 0 && lo <= f && f <= hi, __LINE__, msg, __FILE__, "",
		    CU_FALSE);
		for (okm = 0, k = 0; methods[k] != NULL; k++)
			okm |= m != NULL && strcmp(m, methods[k]) == 0;
		CU_assertImplementation(okm, __LINE__, msg, __FILE__, "",
		    CU_FALSE);
		t = parse_day(ps);
		te = parse_day(pe);
		CU_assertImplementation(t != (time_t)-1 && te != (time_t)-1 &&
		    te >= t && strcmp(pe, today) >= 0, __LINE__, msg, __FILE__,
		    "", CU_FALSE);
		if (prev_item != NULL && item != NULL &&
		    strcmp(prev_item, item) == 0 && t != (time_t)-1) {
			/* The next period of the same item. */
			if (step > 0)
				CU_assertImplementation(t - prev_t ==
				    (time_t)step * 86400, __LINE__, msg,
				    __FILE__, "", CU_FALSE);
			else {
				gmtime_r(&prev_t, &a);
				gmtime_r(&t, &b);
				CU_assertImplementation((b.tm_year * 12 +
				    b.tm_mon) - (a.tm_year * 12 + a.tm_mon) ==
				    1, __LINE__, msg, __FILE__, "", CU_FALSE);
			}
		}
		prev_item = item;
		prev_t = t;
	}
}

/* Rows of one item are contiguous (ordered by item, then period). */
static void
check_grouped(struct json_object *all)
{
	size_t		 i, j, n = json_object_array_length(all);
	const char	*a, *b, *c;

	for (i = 0; i + 1 < n; i++) {
		a = json_str_at(json_object_array_get_idx(all, i), "itemId");
		b = json_str_at(json_object_array_get_idx(all, i + 1),
		    "itemId");
		if (a == NULL || b == NULL || strcmp(a, b) == 0)
			continue;
		/* a ended: it must not come back later. */
		for (j = i + 1; j < n; j++) {
			c = json_str_at(json_object_array_get_idx(all, j),
			    "itemId");
			if (c != NULL && strcmp(a, c) == 0) {
				CU_FAIL("an item's rows are not contiguous");
				return;
			}
		}
	}
}

static void
test_daily(void)
{
	static const char *const skus[] = { "PRED-SEAS", "PRED-RICH",
	    "PRED-INT", "PRED-SHORT", NULL };
	struct json_object	*all, *row;
	size_t			 i, n;
	const char		*sku;
	double			 re;
	int			 seas_reorder = 0;

	CU_ASSERT_FATAL(ingested);
	all = poll_for(auth_d, skus, 14);
	CU_ASSERT_PTR_NOT_NULL_FATAL(all);
	n = json_object_array_length(all);
	CU_ASSERT_EQUAL(n, 56);
	check_rows(all, "DAY", 1);
	check_grouped(all);
	/* Reorder: demand over the lead time + safety - stock, >= 0. */
	for (i = 0; i < n; i++) {
		row = json_object_array_get_idx(all, i);
		sku = json_str_at(row, "sku");
		if (sku == NULL || !json_num_at(row, "suggestedReorderQty",
		    &re))
			continue;
		if (strcmp(sku, "PRED-RICH") == 0)
			CU_ASSERT(re == 0);
		if (strcmp(sku, "PRED-SEAS") == 0 && re > 0)
			seas_reorder++;
	}
	CU_ASSERT(seas_reorder > 0);
	json_object_put(all);
}

static void
test_item_filter_and_paging(void)
{
	static const char *const skus[] = { "PRED-SEAS", "PRED-INT", NULL };
	struct json_object	*all, *one, *paged, *o;
	char			 q[128], *seas = NULL;
	size_t			 i, n;
	int			 pages;
	const char		*a, *b, *id;

	CU_ASSERT_FATAL(ingested);
	all = poll_for(auth_d, skus, 14);
	CU_ASSERT_PTR_NOT_NULL_FATAL(all);
	n = json_object_array_length(all);
	for (i = 0; i < n && seas == NULL; i++)
		if (strcmp(json_str_at(json_object_array_get_idx(all, i),
		    "sku") ? json_str_at(json_object_array_get_idx(all, i),
		    "sku") : "", "PRED-SEAS") == 0 &&
		    (id = json_str_at(json_object_array_get_idx(all, i),
		    "itemId")) != NULL)
			seas = strdup(id);
	CU_ASSERT_FATAL(seas != NULL);

	/* itemId filter. */
	snprintf(q, sizeof(q), "itemId=%s", seas);
	one = pred_walk(auth_d, q, 200, &pages);
	CU_ASSERT_EQUAL(json_object_array_length(one), 14);
	CU_ASSERT_EQUAL(rows_of(one, "PRED-SEAS"), 14);
	json_object_put(one);

	/* Pages of 5 give the same rows in the same order. */
	paged = pred_walk(auth_d, "", 5, &pages);
	CU_ASSERT_EQUAL(json_object_array_length(paged), n);
	CU_ASSERT(pages >= (int)(n + 4) / 5);
	for (i = 0; i < n && i < json_object_array_length(paged); i++) {
		a = json_str_at(json_object_array_get_idx(all, i), "id");
		b = json_str_at(json_object_array_get_idx(paged, i), "id");
		if (a == NULL || b == NULL || strcmp(a, b) != 0) {
			CU_FAIL("paged predictions differ from one page");
			break;
		}
	}
	json_object_put(paged);
	json_object_put(all);

	o = API_JSON("GET", PRED "?limit=0", auth_d, NULL, 400);
	ASSERT_ERROR(o, NULL, "limit");
	json_object_put(o);
	o = API_JSON("GET", PRED "?limit=201", auth_d, NULL, 400);
	ASSERT_ERROR(o, NULL, "limit");
	json_object_put(o);
	o = API_JSON("GET", PRED "?cursor=%7Bjunk", auth_d, NULL, 400);
	ASSERT_ERROR(o, NULL, "cursor");
	json_object_put(o);

	/* Another organization sees none of them, filtered or not. */
	o = API_JSON("GET", PRED, auth_q, NULL, 200);
	CU_ASSERT_EQUAL(json_len_at(o, "data"), 0);
	json_object_put(o);
	snprintf(q, sizeof(q), PRED "?itemId=%s", seas);
	{
		struct http_resp r;

		api_do(&r, "GET", q, auth_q, NULL, NULL);
		o = http_json(&r);
		CU_ASSERT(r.status == 404 || (r.status == 200 &&
		    json_len_at(o, "data") == 0));
		json_object_put(o);
		http_resp_free(&r);
	}
	free(seas);
}

static void
test_weekly_monthly(void)
{
	static const char *const wk[] = { "PRED-WK", NULL };
	static const char *const mo[] = { "PRED-MO", NULL };
	struct json_object	*all;

	CU_ASSERT_FATAL(ingested);
	all = poll_for(auth_w, wk, 8);
	CU_ASSERT_PTR_NOT_NULL(all);
	if (all != NULL) {
		CU_ASSERT_EQUAL(json_object_array_length(all), 8);
		check_rows(all, "WEEK", 7);
		json_object_put(all);
	}
	all = poll_for(auth_m, mo, 3);
	CU_ASSERT_PTR_NOT_NULL(all);
	if (all != NULL) {
		CU_ASSERT_EQUAL(json_object_array_length(all), 3);
		check_rows(all, "MONTH", 0);
		json_object_put(all);
	}
}

static void
test_custom_and_regeneration(void)
{
	static const char *const cu[] = { "PRED-CU", NULL };
	static const char *const x[] = { "PRED-X", NULL };
	struct json_object	*all;
	struct sbuf		 b = { 0 };
	char			 day[11];
	int			 k;

	CU_ASSERT_FATAL(ingested);
	/* CUSTOM aggregates weekly: 8 WEEK periods. */
	all = poll_for(auth_c, cu, 8);
	CU_ASSERT_PTR_NOT_NULL(all);
	if (all != NULL) {
		CU_ASSERT_EQUAL(json_object_array_length(all), 8);
		check_rows(all, "WEEK", 7);
		json_object_put(all);
	}
	/* DAY first... */
	all = poll_for(auth_x, x, 14);
	CU_ASSERT_PTR_NOT_NULL(all);
	if (all != NULL) {
		check_rows(all, "DAY", 1);
		json_object_put(all);
	}
	/* ...then a WEEK batch: the latest batch's granularity wins, and
	 * the DAY rows are replaced. */
	sb_printf(&b, "{\"periodKind\":\"WEEK\",\"lines\":[");
	for (k = 10; k >= 1; k--) {
		utc_date(-7 * k, day);
		sb_printf(&b, "%s{\"sku\":\"PRED-X\",\"orderedQty\":20,"
		    "\"orderDate\":\"%s\"}", k == 10 ? "" : ",", day);
	}
	sb_printf(&b, "]}");
	json_object_put(API_JSON("POST", INGEST, auth_x, b.p, 201));
	sb_free(&b);
	all = poll_for(auth_x, x, 8);
	CU_ASSERT_PTR_NOT_NULL(all);
	if (all != NULL) {
		CU_ASSERT_EQUAL(json_object_array_length(all), 8);
		check_rows(all, "WEEK", 7);
		json_object_put(all);
	}
}

void
suite_predictions_register(void)
{
	CU_pSuite	 s = CU_add_suite("predictions", pred_init, NULL);

	CU_add_test(s, "daily history: 14 DAY periods per item, sane rows",
	    test_daily);
	CU_add_test(s, "itemId filter, paging, other organization",
	    test_item_filter_and_paging);
	CU_add_test(s, "WEEK batch: 8 periods, MONTH batch: 3",
	    test_weekly_monthly);
	CU_add_test(s, "CUSTOM is weekly; a later WEEK batch replaces DAY",
	    test_custom_and_regeneration);
}
