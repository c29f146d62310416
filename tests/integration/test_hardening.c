/*
 * test_hardening.c - input the outside probe of issue 16 found
 * mishandled: order dates outside the window the forecast can use, a
 * time zone that pushes a date past year 9999, NUL characters inside
 * JSON strings, SKUs holding '/', purchase-order amounts and stock past
 * DECIMAL(18,4). Each answer is a 4xx naming the field (or the line
 * counted as skipped), never a 503, and nothing is half-written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "itest.h"

#define ITEMS	"/api/integrations/v1/inventory/items"
#define ORDERS	"/api/integrations/v1/orders"
#define INGEST	"/api/integrations/v1/ingestion/order-lines"

/* The largest DECIMAL(18,4), as the API writes it. */
#define SQL_MAX	"99999999999999.9999"

static char	 org[64], auth[200];

static int
hardening_init(void)
{
	return !fixture_org_auth(org, auth);
}

/* A new item of the suite's organization; its id (malloc'd) or NULL. */
static char *
item_new(const char *sku, const char *extra)
{
	char			 body[512];
	struct json_object	*o;
	char			*id;

	snprintf(body, sizeof(body), "{\"sku\":\"%s\",\"name\":\"Item %s\"%s%s}",
	    sku, sku, extra ? "," : "", extra ? extra : "");
	o = API_JSON("POST", ITEMS, auth, body, 201);
	id = json_str_at(o, "data.id") ? strdup(json_str_at(o, "data.id")) :
	    NULL;
	json_object_put(o);
	return id;
}

/* The history lines stored for the suite's organization and sku. */
static long
history_lines(const char *sku)
{
	return db_long("SELECT COUNT(*) FROM order_history_lines l"
	    " JOIN inventory_items i ON i.id = l.item_id"
	    " WHERE l.org_id = %ld AND i.sku = '%s'", db_org_id(org), sku);
}

/* One ingestion line of sku dated date; the whole body into b. */
static void
ingest_body(struct sbuf *b, const char *sku, const char *date)
{
	sb_printf(b, "{\"autoCreateItems\":true,\"lines\":["
	    "{\"sku\":\"DW-OK\",\"orderedQty\":1,\"orderDate\":\"2026-03-15\"},"
	    "{\"sku\":\"%s\",\"orderedQty\":2,\"orderDate\":\"%s\"}]}", sku,
	    date);
}

/*
 * A list's time filter past what DATETIME holds (a zone pushing it past
 * year 9999, or before year 1000) is 400 naming the parameter; the
 * database would otherwise cut it to a time that matches everything.
 */
static void
test_query_time_range(void)
{
	struct json_object	*o;

	o = API_JSON("GET", ITEMS "?updatedAfter=9999-12-31T23:59:59-00:01",
	    auth, NULL, 400);
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "error.message") ?
	    strstr(json_str_at(o, "error.message"), "updatedAfter") : NULL);
	json_object_put(o);
	o = API_JSON("GET", ORDERS "?createdAfter=0999-12-31T00:00:00Z", auth,
	    NULL, 400);
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "error.message") ?
	    strstr(json_str_at(o, "error.message"), "createdAfter") : NULL);
	json_object_put(o);
	o = API_JSON("GET", ITEMS "?updatedAfter=9999-12-31T23:59:59Z", auth,
	    NULL, 200);
	json_object_put(o);
}

/*
 * Item 2: an order date outside 2000-01-01 .. today + 366 days is
 * counted in skippedBadDate and nothing is written for its line; the
 * bounds themselves are accepted.
 */
static void
test_order_date_window(void)
{
	static const struct {
		const char	*sku, *date;
		int		 skipped;
	} cases[] = {
		{ "DW-9999", "9999-12-31", 1 },
		{ "DW-1999", "1999-12-31", 1 },
		{ "DW-1970", "1970-01-01T00:00:00Z", 1 },
		{ "DW-2000", "2000-01-01", 0 },
		/* counts on its UTC date, 2000-01-01 */
		{ "DW-2000TZ", "1999-12-31T23:30:00-01:00", 0 },
		{ "DW-LAST", NULL, 0 },		/* today + 366 */
		{ "DW-PAST", NULL, 1 },		/* today + 367 */
	};
	struct json_object	*o;
	struct sbuf		 b = { 0 };
	char			 day[11];
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b.len = 0;
		if (cases[i].date != NULL)
			snprintf(day, sizeof(day), "%s", cases[i].date);
		if (cases[i].date == NULL)
			utc_date(cases[i].skipped ? 367 : 366, day);
		ingest_body(&b, cases[i].sku, cases[i].date ? cases[i].date :
		    day);
		o = API_JSON("POST", INGEST, auth, b.p, 201);
		ASSERT_NUM(o, "data.skippedBadDate", cases[i].skipped);
		ASSERT_NUM(o, "data.inserted", 2 - cases[i].skipped);
		CU_ASSERT_EQUAL(history_lines(cases[i].sku),
		    cases[i].skipped ? 0 : 1);
		json_object_put(o);
	}
	sb_free(&b);
}

/*
 * Item 8: a time zone that pushes the date past 9999-12-31 was a 503
 * for the whole batch; the line is a bad date like any other now.
 */
static void
test_order_date_past_year_9999(void)
{
	struct json_object	*o;
	struct sbuf		 b = { 0 };

	ingest_body(&b, "DW-TZ", "9999-12-31T23:59:59-00:01");
	o = API_JSON("POST", INGEST, auth, b.p, 201);
	ASSERT_NUM(o, "data.skippedBadDate", 1);
	ASSERT_NUM(o, "data.inserted", 1);
	CU_ASSERT_EQUAL(history_lines("DW-TZ"), 0);
	json_object_put(o);
	sb_free(&b);
}

/* Item 9: a NUL in any string is refused naming the field. */
static void
test_nul_in_strings(void)
{
	static const struct {
		const char	*path, *body, *field;
	} cases[] = {
		{ ITEMS, "{\"sku\":\"NUL-X\\u0000zz\",\"name\":\"n\"}",
		    "sku: " },
		{ ITEMS, "{\"sku\":\"NUL-Y\",\"name\":\"Co\\u0000ffee\"}",
		    "name: " },
		{ ITEMS "/by-sku/NUL-Z", "{\"name\":\"a\",\"category\":"
		    "\"\\u0000\"}", "category: " },
		{ INGEST, "{\"lines\":[{\"sku\":\"NUL-W\",\"orderedQty\":1,"
		    "\"orderDate\":\"2026-03-15\"},{\"sku\":\"NUL-V\",\"orderedQty\""
		    ":1,\"orderDate\":\"2026-03-15\",\"itemName\":\"a\\u0000\"}],"
		    "\"autoCreateItems\":true}", "lines[1].itemName: " },
	};
	struct json_object	*o;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o = API_JSON(i == 2 ? "PUT" : "POST", cases[i].path, auth,
		    cases[i].body, 400);
		ASSERT_ERROR(o, "invalid_json", cases[i].field);
		json_object_put(o);
	}
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM inventory_items WHERE "
	    "org_id = %ld AND sku LIKE 'NUL-%%'", db_org_id(org)), 0);
}

/* PUT by-sku/{raw} with body; the answer's item id (malloc'd). */
static char *
put_by_sku(const char *raw, const char *body, long want, const char *sku)
{
	char			 path[256];
	struct json_object	*o;
	char			*id = NULL;

	snprintf(path, sizeof(path), ITEMS "/by-sku/%s", raw);
	o = API_JSON("PUT", path, auth, body, want);
	ASSERT_EQS(json_str_at(o, "data.sku"), sku, "data.sku");
	if (json_str_at(o, "data.id") != NULL)
		id = strdup(json_str_at(o, "data.id"));
	json_object_put(o);
	return id;
}

/*
 * Item 13: a SKU holding '/' (or '%') is reached by PUT by-sku with the
 * slash escaped; the path is routed before its segments are decoded.
 */
static void
test_sku_with_slash(void)
{
	struct json_object	*o;
	char			*a, *a2, *a3, *p, path[256];

	a = put_by_sku("SL%2FA", "{\"name\":\"slash\"}", 201, "SL/A");
	a2 = put_by_sku("SL%2fA", "{\"name\":\"renamed\"}", 200, "SL/A");
	/* Any escape of a segment decodes to the same SKU. */
	a3 = put_by_sku("%53L%2F%41", "{\"unit\":\"kg\"}", 200, "SL/A");
	CU_ASSERT(a != NULL && a2 != NULL && strcmp(a, a2) == 0);
	CU_ASSERT(a != NULL && a3 != NULL && strcmp(a, a3) == 0);
	p = put_by_sku("SL%25A", "{\"name\":\"percent\"}", 201, "SL%A");
	CU_ASSERT(p != NULL && a != NULL && strcmp(p, a) != 0);
	if (a != NULL) {
		snprintf(path, sizeof(path), ITEMS "/%s", a);
		o = API_JSON("GET", path, auth, NULL, 200);
		ASSERT_EQS(json_str_at(o, "data.name"), "renamed", "name");
		ASSERT_EQS(json_str_at(o, "data.unit"), "kg", "unit");
		json_object_put(o);
	}
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM inventory_items WHERE "
	    "org_id = %ld AND sku IN ('SL/A', 'SL%%A')", db_org_id(org)), 2);
	/* Literal segments still match in any escape; an escaped '/' is no
	 * separator, so it joins no two literal segments. */
	o = API_JSON("GET", "/api/integrations/v1/inventory/%69tems", auth,
	    NULL, 200);
	json_object_put(o);
	o = API_JSON("PUT", ITEMS "%2Fby-sku/SL%2FA", auth,
	    "{\"name\":\"x\"}", 404);
	json_object_put(o);
	free(a);
	free(a2);
	free(a3);
	free(p);
}

/*
 * Item 14: a line whose quantity x unitCost, or an order whose total,
 * is past DECIMAL(18,4) is refused naming the line's field; nothing is
 * written. A total right at the limit is kept.
 */
static void
test_order_amount_overflow(void)
{
	struct json_object	*o;
	long			 before;
	char			*id;

	id = item_new("PO-BIG", NULL);
	before = db_long("SELECT COUNT(*) FROM purchase_orders WHERE "
	    "org_id = %ld", db_org_id(org));
	o = API_JSON("POST", ORDERS, auth, "{\"lines\":[{\"sku\":\"PO-BIG\","
	    "\"quantity\":100000000000,\"unitCost\":100000000000}]}", 400);
	ASSERT_ERROR(o, "invalid_body", "lines[0].unitCost: ");
	json_object_put(o);
	o = API_JSON("POST", ORDERS, auth, "{\"lines\":["
	    "{\"sku\":\"PO-BIG\",\"quantity\":1,\"unitCost\":5},"
	    "{\"sku\":\"PO-BIG\",\"quantity\":99999999999.9999,\"unitCost\":"
	    "999.9999},{\"sku\":\"PO-BIG\",\"quantity\":10000,\"unitCost\":"
	    "1000}]}", 400);
	ASSERT_ERROR(o, "invalid_body", "lines[2].unitCost: ");
	json_object_put(o);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM purchase_orders WHERE "
	    "org_id = %ld", db_org_id(org)), before);
	/* 99999999999.9999 x 1000 = 99999999999999.9 and one 0.0999: the
	 * total is the largest DECIMAL(18,4). Straight to the stack: the
	 * proxy prints numbers back through doubles. */
	itest_direct(1);
	o = API_JSON("POST", ORDERS, auth, "{\"lines\":["
	    "{\"sku\":\"PO-BIG\",\"quantity\":99999999999.9999,\"unitCost\":"
	    "1000},{\"sku\":\"PO-BIG\",\"quantity\":0.0999,\"unitCost\":1}]}",
	    201);
	itest_direct(0);
	CU_ASSERT(strstr(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), "\"total\":" SQL_MAX ",") != NULL);
	json_object_put(o);
	free(id);
}

/*
 * The same limit for drafts made from suggestions: a quantity whose
 * amount at the item's unit cost would pass DECIMAL(18,4) is 400 naming
 * quantities, and no draft is written.
 */
static void
test_drafts_amount_overflow(void)
{
	struct json_object	*o;
	struct sbuf		 b = { NULL, 0, 0 };
	long			 before;
	char			*id;

	id = item_new("PO-DRAFT-BIG", "\"unitCost\":100000000000");
	CU_ASSERT_PTR_NOT_NULL_FATAL(id);
	before = db_long("SELECT COUNT(*) FROM purchase_orders WHERE "
	    "org_id = %ld", db_org_id(org));
	sb_printf(&b, "{\"itemIds\":[\"%s\"],\"quantities\":{\"%s\":"
	    "100000000000}}", id, id);
	o = API_JSON("POST", ORDERS "/from-suggestions", auth, b.p, 400);
	ASSERT_ERROR(o, "invalid_body", "quantities: ");
	json_object_put(o);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM purchase_orders WHERE "
	    "org_id = %ld", db_org_id(org)), before);
	sb_free(&b);
	sb_printf(&b, "{\"itemIds\":[\"%s\"],\"quantities\":{\"%s\":"
	    "2}}", id, id);
	o = API_JSON("POST", ORDERS "/from-suggestions", auth, b.p, 201);
	json_object_put(o);
	sb_free(&b);
	free(id);
}

/* POST n lines of item quantity qty as a new order moved to APPROVED;
 * its id (malloc'd) or NULL. */
static char *
order_approved(const char *item, int n, const char *qty)
{
	struct json_object	*o;
	struct sbuf		 b = { 0 };
	char			 path[256], *id = NULL;
	int			 i;

	sb_printf(&b, "{\"lines\":[");
	for (i = 0; i < n; i++)
		sb_printf(&b, "%s{\"itemId\":\"%s\",\"quantity\":%s}",
		    i ? "," : "", item, qty);
	sb_printf(&b, "]}");
	o = API_JSON("POST", ORDERS, auth, b.p, 201);
	if (json_str_at(o, "data.id") != NULL)
		id = strdup(json_str_at(o, "data.id"));
	json_object_put(o);
	sb_free(&b);
	if (id == NULL)
		return NULL;
	snprintf(path, sizeof(path), ORDERS "/%s/status", id);
	json_object_put(API_JSON("POST", path, auth,
	    "{\"status\":\"SUBMITTED\"}", 200));
	json_object_put(API_JSON("POST", path, auth,
	    "{\"status\":\"APPROVED\"}", 200));
	return id;
}

static void
assert_stock_at(const char *file, int line, const char *item,
    const char *want)
{
	char			 path[256];
	struct json_object	*o;
	const char		*text;

	snprintf(path, sizeof(path), ITEMS "/%s", item);
	/* Straight to the stack: the proxy prints numbers through doubles,
	 * which do not hold 99999999999999.9999. */
	itest_direct(1);
	o = api_json_at(file, line, "GET", path, auth, NULL, NULL, 200);
	itest_direct(0);
	text = json_object_to_json_string_ext(json_at(o, "data.stockOnHand"),
	    JSON_C_TO_STRING_PLAIN);
	assert_str_at(file, line, text, want, "stockOnHand");
	json_object_put(o);
}
#define ASSERT_STOCK(item, want) assert_stock_at(__FILE__, __LINE__, \
	(item), (want))

/*
 * Item 8: receiving a purchase order that would put stock past
 * DECIMAL(18,4) is a 409 naming the line; the order stays APPROVED with
 * stock unchanged, and is received once there is room. An adjustment
 * past the limit is refused the same way.
 */
static void
test_receive_stock_overflow(void)
{
	struct json_object	*o;
	char			*item, *po1, *po2, path[256], adj[256];

	if ((item = item_new("PO-STOCK", NULL)) == NULL)
		return;
	snprintf(adj, sizeof(adj), ITEMS "/%s/adjustments", item);
	/* 500 lines of 10^11: 5 x 10^13 each order. */
	po1 = order_approved(item, 500, "100000000000");
	po2 = order_approved(item, 500, "100000000000");
	CU_ASSERT_FATAL(po1 != NULL && po2 != NULL);
	snprintf(path, sizeof(path), ORDERS "/%s/status", po1);
	json_object_put(API_JSON("POST", path, auth,
	    "{\"status\":\"RECEIVED\"}", 200));
	ASSERT_STOCK(item, "50000000000000");
	/* The second would reach 10^14 at its last line. */
	snprintf(path, sizeof(path), ORDERS "/%s/status", po2);
	o = API_JSON("POST", path, auth, "{\"status\":\"RECEIVED\"}", 409);
	ASSERT_ERROR(o, "stock_out_of_range", "lines[499].quantity: ");
	json_object_put(o);
	ASSERT_STOCK(item, "50000000000000");
	snprintf(path, sizeof(path), ORDERS "/%s", po2);
	o = API_JSON("GET", path, auth, NULL, 200);
	ASSERT_EQS(json_str_at(o, "data.status"), "APPROVED", "status");
	json_object_put(o);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM stock_adjustments a "
	    "JOIN inventory_items i ON i.id = a.item_id WHERE i.public_id = "
	    "'%s'", item), 500);
	/* Room for it: the order is received whole. */
	json_object_put(API_JSON("POST", adj, auth,
	    "{\"delta\":-0.0001,\"reason\":\"room\"}", 200));
	snprintf(path, sizeof(path), ORDERS "/%s/status", po2);
	o = API_JSON("POST", path, auth, "{\"status\":\"RECEIVED\"}", 200);
	ASSERT_EQS(json_str_at(o, "data.status"), "RECEIVED", "status");
	json_object_put(o);
	ASSERT_STOCK(item, SQL_MAX);
	o = API_JSON("POST", adj, auth, "{\"delta\":0.0001,\"reason\":\"x\"}",
	    409);
	ASSERT_ERROR(o, "stock_out_of_range", "delta: ");
	json_object_put(o);
	ASSERT_STOCK(item, SQL_MAX);
	free(item);
	free(po1);
	free(po2);
}

void
suite_hardening_register(void)
{
	CU_pSuite	 s = CU_add_suite("input hardening", hardening_init,
			    NULL);

	CU_add_test(s, "orderDate outside 2000-01-01..today+366: skipped",
	    test_order_date_window);
	CU_add_test(s, "orderDate pushed past 9999 by its zone: skipped",
	    test_order_date_past_year_9999);
	CU_add_test(s, "NUL in a JSON string: 400 naming the field",
	    test_nul_in_strings);
	CU_add_test(s, "SKU with '/': PUT by-sku with %2F", test_sku_with_slash);
	CU_add_test(s, "order line amount or total past DECIMAL(18,4): 400",
	    test_order_amount_overflow);
	CU_add_test(s, "receive past DECIMAL(18,4): 409, still APPROVED",
	    test_receive_stock_overflow);
	CU_add_test(s, "updatedAfter / createdAfter past what DATETIME holds: "
	    "400", test_query_time_range);
	CU_add_test(s, "drafts from suggestions past DECIMAL(18,4): 400",
	    test_drafts_amount_overflow);
}
