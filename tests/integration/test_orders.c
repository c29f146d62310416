/*
 * test_orders.c - purchase orders over the Integrations API: create in
 * DRAFT (lines by itemId or sku, validation naming lines[N]), read, list
 * (status, createdAfter, pages), and the status machine with its events
 * and the stock that RECEIVED adds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "itest.h"

#define ITEMS	"/api/integrations/v1/inventory/items"
#define ORDERS	"/api/integrations/v1/orders"

static char	 org_b[64], auth_b[200], *item_b;

static char *
item_create(const char *auth, const char *sku, const char *extra)
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

static int
orders_init(void)
{
	struct http_resp	 r;
	struct json_object	*o;

	if (!fixture_org_auth(org_b, auth_b))
		return 1;
	/* No assertions outside a test. */
	api_do(&r, "POST", ITEMS, auth_b, NULL,
	    "{\"sku\":\"B-ONLY\",\"name\":\"Item B-ONLY\"}");
	o = http_json(&r);
	if (r.status == 201 && json_str_at(o, "data.id") != NULL)
		item_b = strdup(json_str_at(o, "data.id"));
	json_object_put(o);
	http_resp_free(&r);
	return item_b == NULL;
}

static int
orders_clean(void)
{
	free(item_b);
	item_b = NULL;
	return 0;
}

/* Create an order from a body; its id (malloc'd) or NULL. */
static char *
order_create(const char *auth, const char *body)
{
	struct json_object	*o;
	char			*id;

	o = API_JSON("POST", ORDERS, auth, body, 201);
	id = json_str_at(o, "data.id") ? strdup(json_str_at(o, "data.id")) :
	    NULL;
	json_object_put(o);
	return id;
}

/* POST a status; the response JSON. */
static struct json_object *
order_status_at(const char *file, int line, const char *auth, const char *id,
    const char *body, long want)
{
	char	 path[256];

	snprintf(path, sizeof(path), ORDERS "/%s/status", id);
	return api_json_at(file, line, "POST", path, auth, NULL, body, want);
}
#define ORDER_STATUS(a, id, b, w)	order_status_at(__FILE__, __LINE__, \
	(a), (id), (b), (w))

/* Move an order and check the answer. */
static void
move_at(const char *file, int line, const char *auth, const char *id,
    const char *status)
{
	char			 body[128];
	struct json_object	*o;
	const char		*got;
	char			 msg[256];

	snprintf(body, sizeof(body), "{\"status\":\"%s\"}", status);
	o = order_status_at(file, line, auth, id, body, 200);
	got = json_str_at(o, "data.status");
	snprintf(msg, sizeof(msg), "moved to %s, status now %s", status,
	    got ? got : "(null)");
	CU_assertImplementation(got != NULL && strcmp(got, status) == 0, line,
	    msg, file, "", CU_FALSE);
	json_object_put(o);
}
#define MOVE(a, id, s)	move_at(__FILE__, __LINE__, (a), (id), (s))

static double
stock_of(const char *auth, const char *item)
{
	char			 path[256];
	struct json_object	*o;
	double			 v = -1;

	snprintf(path, sizeof(path), ITEMS "/%s", item);
	o = API_JSON("GET", path, auth, NULL, 200);
	if (!json_num_at(o, "data.stockOnHand", &v))
		v = -1;
	json_object_put(o);
	return v;
}

/*
 * The order.* events of one order as "type[:status<previousStatus]",
 * comma-joined.
 */
static char *
order_events(long org_id, const char *order_id)
{
	struct itest_event	*ev;
	struct sbuf		 b = { 0 };
	size_t			 n, i;
	const char		*p, *st, *prev;

	n = db_events(org_id, &ev);
	sb_printf(&b, "%s", "");
	for (i = 0; i < n; i++) {
		p = json_str_at(ev[i].payload, "orderId");
		if (strncmp(ev[i].type, "order.", 6) != 0 || p == NULL ||
		    strcmp(p, order_id) != 0)
			continue;
		sb_printf(&b, "%s%s", b.len ? "," : "", ev[i].type);
		if (strcmp(ev[i].type, "order.status_changed") == 0) {
			st = json_str_at(ev[i].payload, "status");
			prev = json_str_at(ev[i].payload, "previousStatus");
			sb_printf(&b, ":%s<%s", st ? st : "?",
			    prev ? prev : "?");
		}
	}
	db_events_free(ev, n);
	return b.p;
}

static void
test_create_and_get(void)
{
	char			 org[64], auth[200], body[512], path[256];
	struct json_object	*o, *g;
	struct itest_event	*ev;
	char			*i1, *i2, *oid;
	long			 org_id;
	size_t			 n, k;
	int			 created = 0;

	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	org_id = db_org_id(org);
	i1 = item_create(auth, "PO-1", "\"unitCost\":2.5");
	i2 = item_create(auth, "PO-2", "\"stockOnHand\":5");
	CU_ASSERT_FATAL(i1 != NULL && i2 != NULL);
	snprintf(body, sizeof(body), "{\"vendorName\":\"Acme Supply\","
	    "\"reference\":\"PO-100\",\"notes\":\"rush\",\"lines\":["
	    "{\"itemId\":\"%s\",\"quantity\":3,\"unitCost\":2.5},"
	    "{\"sku\":\"PO-2\",\"quantity\":1.5}]}", i1);
	o = API_JSON("POST", ORDERS, auth, body, 201);
	ASSERT_EQS(json_str_at(o, "data.status"), "DRAFT", "new order");
	ASSERT_EQS(json_str_at(o, "data.vendorName"), "Acme Supply", "vendor");
	ASSERT_EQS(json_str_at(o, "data.reference"), "PO-100", "reference");
	ASSERT_EQS(json_str_at(o, "data.notes"), "rush", "notes");
	ASSERT_NUM(o, "data.lineCount", 2);
	ASSERT_NUM(o, "data.total", 7.5);
	CU_ASSERT_EQUAL(json_len_at(o, "data.lines"), 2);
	ASSERT_EQS(json_str_at(o, "data.lines.0.itemId"), i1, "line 0 item");
	ASSERT_EQS(json_str_at(o, "data.lines.0.sku"), "PO-1", "line 0 sku");
	ASSERT_EQS(json_str_at(o, "data.lines.0.name"), "Item PO-1",
	    "line 0 name");
	ASSERT_NUM(o, "data.lines.0.quantity", 3);
	ASSERT_NUM(o, "data.lines.0.unitCost", 2.5);
	ASSERT_EQS(json_str_at(o, "data.lines.1.itemId"), i2, "line 1 item");
	ASSERT_EQS(json_str_at(o, "data.lines.1.sku"), "PO-2", "line 1 sku");
	ASSERT_NUM(o, "data.lines.1.quantity", 1.5);
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "data.createdAt"));
	oid = json_str_at(o, "data.id") ? strdup(json_str_at(o, "data.id")) :
	    NULL;
	json_object_put(o);
	CU_ASSERT_FATAL(oid != NULL);

	snprintf(path, sizeof(path), ORDERS "/%s", oid);
	g = API_JSON("GET", path, auth, NULL, 200);
	ASSERT_EQS(json_str_at(g, "data.id"), oid, "get by id");
	ASSERT_EQS(json_str_at(g, "data.status"), "DRAFT", "get status");
	CU_ASSERT_EQUAL(json_len_at(g, "data.lines"), 2);
	ASSERT_EQS(json_str_at(g, "data.lines.1.sku"), "PO-2", "get line 1");
	ASSERT_NUM(g, "data.lineCount", 2);
	json_object_put(g);
	json_object_put(API_JSON("GET", path, auth_b, NULL, 404));
	json_object_put(API_JSON("GET", ORDERS "/no-such-order", auth, NULL,
	    404));

	/* order.created {orderId, status, vendorName, lineCount}. */
	n = db_events(org_id, &ev);
	for (k = 0; k < n; k++) {
		if (strcmp(ev[k].type, "order.created") != 0)
			continue;
		created++;
		ASSERT_EQS(json_str_at(ev[k].payload, "orderId"), oid,
		    "order.created orderId");
		ASSERT_EQS(json_str_at(ev[k].payload, "status"), "DRAFT",
		    "order.created status");
		ASSERT_EQS(json_str_at(ev[k].payload, "vendorName"),
		    "Acme Supply", "order.created vendorName");
		ASSERT_NUM(ev[k].payload, "lineCount", 2);
	}
	CU_ASSERT_EQUAL(created, 1);
	db_events_free(ev, n);
	free(i1);
	free(i2);
	free(oid);
}

static void
test_create_validation(void)
{
	char			 org[64], auth[200];
	struct {
		char		 body[512];
		const char	*field;
	} cases[24];
	struct json_object	*o;
	struct sbuf		 b = { 0 };
	size_t			 n = 0, i;
	long			 org_id;
	int			 k;

#define CASE(f, ...) do {						\
	snprintf(cases[n].body, sizeof(cases[n].body), __VA_ARGS__);	\
	cases[n++].field = (f);						\
} while (0)
	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	org_id = db_org_id(org);
	free(item_create(auth, "POV-1", NULL));
	CASE("lines", "{\"lines\":[]}");
	CASE("lines", "{\"vendorName\":\"x\"}");
	CASE("lines[0].quantity", "{\"lines\":[{\"sku\":\"POV-1\","
	    "\"quantity\":0}]}");
	CASE("lines[0].quantity", "{\"lines\":[{\"sku\":\"POV-1\","
	    "\"quantity\":-2}]}");
	CASE("lines[0].quantity", "{\"lines\":[{\"sku\":\"POV-1\"}]}");
	CASE("lines[0].quantity", "{\"lines\":[{\"sku\":\"POV-1\","
	    "\"quantity\":\"2\"}]}");
	CASE("lines[0].quantity", "{\"lines\":[{\"sku\":\"POV-1\","
	    "\"quantity\":1e30}]}");
	CASE("lines[0].unitCost", "{\"lines\":[{\"sku\":\"POV-1\","
	    "\"quantity\":2,\"unitCost\":-1}]}");
	CASE("lines[1]", "{\"lines\":[{\"sku\":\"POV-1\",\"quantity\":1},"
	    "{\"sku\":\"NO-SUCH\",\"quantity\":1}]}");
	CASE("lines[1]", "{\"lines\":[{\"sku\":\"POV-1\",\"quantity\":1},"
	    "{\"itemId\":\"no-such-id\",\"quantity\":1}]}");
	CASE("lines[1]", "{\"lines\":[{\"sku\":\"POV-1\",\"quantity\":1},"
	    "{\"quantity\":1}]}");
	CASE("lines[1]", "{\"lines\":[{\"sku\":\"POV-1\",\"quantity\":1},"
	    "{\"itemId\":\"%s\",\"quantity\":1}]}", item_b);
	CASE("lines[2]", "{\"lines\":[{\"sku\":\"POV-1\",\"quantity\":1},"
	    "{\"sku\":\"POV-1\",\"quantity\":1},{\"sku\":\"B-ONLY\","
	    "\"quantity\":1}]}");
	CASE("vendorName", "{\"vendorName\":\"\",\"lines\":[{\"sku\":"
	    "\"POV-1\",\"quantity\":1}]}");
	CASE("reference", "{\"reference\":\"%0*d\",\"lines\":[{\"sku\":"
	    "\"POV-1\",\"quantity\":1}]}", 65, 7);
#undef CASE
	for (i = 0; i < n; i++) {
		o = API_JSON("POST", ORDERS, auth, cases[i].body, 400);
		ASSERT_ERROR(o, NULL, cases[i].field);
		json_object_put(o);
	}
	/* 501 lines. */
	sb_printf(&b, "{\"lines\":[");
	for (k = 0; k < 501; k++)
		sb_printf(&b, "%s{\"sku\":\"POV-1\",\"quantity\":1}",
		    k ? "," : "");
	sb_printf(&b, "]}");
	o = API_JSON("POST", ORDERS, auth, b.p, 400);
	ASSERT_ERROR(o, NULL, "lines");
	json_object_put(o);
	/* Nothing was written. */
	o = API_JSON("GET", ORDERS, auth, NULL, 200);
	CU_ASSERT_EQUAL(json_len_at(o, "data"), 0);
	json_object_put(o);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM purchase_orders WHERE "
	    "org_id = %ld", org_id), 0);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM events WHERE org_id = "
	    "%ld AND type LIKE 'order.%%'", org_id), 0);
	/* 500 lines is fine. */
	b.len = 0;
	b.p[0] = '\0';
	sb_printf(&b, "{\"lines\":[");
	for (k = 0; k < 500; k++)
		sb_printf(&b, "%s{\"sku\":\"POV-1\",\"quantity\":1}",
		    k ? "," : "");
	sb_printf(&b, "]}");
	o = API_JSON("POST", ORDERS, auth, b.p, 201);
	ASSERT_NUM(o, "data.lineCount", 500);
	json_object_put(o);
	sb_free(&b);
}

/* Every page of a list, the ids in order, comma-joined. */
static char *
order_walk(const char *auth, const char *query, int limit, int *pages)
{
	struct sbuf		 b = { 0 };
	struct json_object	*o, *row;
	char			 path[1024], *esc, *cursor = NULL;
	const char		*c, *id;
	long			 n, i;

	sb_printf(&b, "%s", "");
	*pages = 0;
	for (;;) {
		esc = cursor ? curl_easy_escape(NULL, cursor, 0) : NULL;
		snprintf(path, sizeof(path), ORDERS "?limit=%d%s%s%s%s", limit,
		    *query ? "&" : "", query, esc ? "&cursor=" : "",
		    esc ? esc : "");
		curl_free(esc);
		free(cursor);
		cursor = NULL;
		o = API_JSON("GET", path, auth, NULL, 200);
		n = json_len_at(o, "data");
		if (n < 0 || ++*pages > 50) {
			json_object_put(o);
			break;
		}
		for (i = 0; i < n; i++) {
			row = json_object_array_get_idx(json_at(o, "data"),
			    (size_t)i);
			id = json_str_at(row, "id");
			sb_printf(&b, "%s%s", b.len ? "," : "", id ? id : "?");
			/* Lists carry no lines. */
			CU_ASSERT(json_at(row, "lines") == NULL);
			CU_ASSERT(json_num_at(row, "lineCount", &(double){0}));
		}
		if ((c = json_str_at(o, "nextCursor")) == NULL) {
			json_object_put(o);
			break;
		}
		cursor = strdup(c);
		json_object_put(o);
	}
	free(cursor);
	return b.p;
}

static void
test_list(void)
{
	char			 org[64], auth[200], t[32], q[128], want[512];
	char			*o1, *o2, *o3, *o4, *got;
	struct json_object	*o;
	int			 pages;
	static const char	 body[] =
	    "{\"lines\":[{\"sku\":\"POL-1\",\"quantity\":1}]}";

	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	free(item_create(auth, "POL-1", NULL));
	o1 = order_create(auth, body);
	o2 = order_create(auth, body);
	o3 = order_create(auth, body);
	CU_ASSERT_FATAL(o1 && o2 && o3);
	MOVE(auth, o2, "SUBMITTED");
	next_second(t);
	o4 = order_create(auth, body);
	CU_ASSERT_FATAL(o4 != NULL);

	got = order_walk(auth, "", 2, &pages);
	snprintf(want, sizeof(want), "%s,%s,%s,%s", o1, o2, o3, o4);
	ASSERT_EQS(got, want, "all orders, limit 2, creation order");
	CU_ASSERT(pages >= 2 && pages <= 3);
	free(got);
	got = order_walk(auth, "status=DRAFT", 200, &pages);
	snprintf(want, sizeof(want), "%s,%s,%s", o1, o3, o4);
	ASSERT_EQS(got, want, "status=DRAFT");
	free(got);
	got = order_walk(auth, "status=SUBMITTED", 200, &pages);
	ASSERT_EQS(got, o2, "status=SUBMITTED");
	free(got);
	got = order_walk(auth, "status=FULFILLED", 200, &pages);
	ASSERT_EQS(got, "", "status=FULFILLED");
	free(got);
	snprintf(q, sizeof(q), "createdAfter=%s", t);
	got = order_walk(auth, q, 200, &pages);
	ASSERT_EQS(got, o4, "createdAfter");
	free(got);
	snprintf(q, sizeof(q), "createdAfter=%s&status=DRAFT", t);
	got = order_walk(auth, q, 1, &pages);
	ASSERT_EQS(got, o4, "createdAfter and status, limit 1");
	free(got);
	/* Another organization sees none of them. */
	got = order_walk(auth_b, "", 200, &pages);
	CU_ASSERT(strstr(got, o1) == NULL && strstr(got, o4) == NULL);
	free(got);

	o = API_JSON("GET", ORDERS "?status=SHIPPED", auth, NULL, 400);
	ASSERT_ERROR(o, NULL, "status");
	json_object_put(o);
	o = API_JSON("GET", ORDERS "?createdAfter=last-week", auth, NULL, 400);
	ASSERT_ERROR(o, NULL, "createdAfter");
	json_object_put(o);
	o = API_JSON("GET", ORDERS "?limit=0", auth, NULL, 400);
	ASSERT_ERROR(o, NULL, "limit");
	json_object_put(o);
	o = API_JSON("GET", ORDERS "?limit=201", auth, NULL, 400);
	ASSERT_ERROR(o, NULL, "limit");
	json_object_put(o);
	o = API_JSON("GET", ORDERS "?cursor=not-a-cursor", auth, NULL, 400);
	ASSERT_ERROR(o, NULL, "cursor");
	json_object_put(o);
	free(o1);
	free(o2);
	free(o3);
	free(o4);
}

/* Every status in a body that must be refused from the current state. */
static void
refuse_all_at(const char *file, int line, const char *auth, const char *id,
    const char *const *statuses)
{
	char			 body[128];
	struct json_object	*o;

	for (; *statuses != NULL; statuses++) {
		snprintf(body, sizeof(body), "{\"status\":\"%s\"}", *statuses);
		o = order_status_at(file, line, auth, id, body, 409);
		assert_error_at(file, line, o, "invalid_transition", NULL);
		json_object_put(o);
	}
}
#define REFUSE(a, id, ...)	do {					\
	static const char *const l_[] = { __VA_ARGS__, NULL };		\
	refuse_all_at(__FILE__, __LINE__, (a), (id), l_);		\
} while (0)

static void
test_full_path(void)
{
	char			 org[64], auth[200], body[512], want[1024];
	char			*r0, *r5, *oid, *seq;
	struct json_object	*o;
	struct itest_event	*ev;
	long			 org_id;
	size_t			 n, k;
	int			 resolved = 0;

	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	org_id = db_org_id(org);
	r0 = item_create(auth, "R-0", NULL);
	r5 = item_create(auth, "R-5", "\"stockOnHand\":5");
	CU_ASSERT_FATAL(r0 && r5);
	snprintf(body, sizeof(body), "{\"vendorName\":\"Beans Co\",\"lines\":["
	    "{\"sku\":\"R-0\",\"quantity\":4},{\"itemId\":\"%s\","
	    "\"quantity\":2.5,\"unitCost\":1}]}", r5);
	oid = order_create(auth, body);
	CU_ASSERT_FATAL(oid != NULL);

	MOVE(auth, oid, "SUBMITTED");
	MOVE(auth, oid, "APPROVED");
	/* Stock moves only on RECEIVED. */
	CU_ASSERT_EQUAL(stock_of(auth, r0), 0);
	o = ORDER_STATUS(auth, oid, "{\"status\":\"RECEIVED\"}", 200);
	ASSERT_EQS(json_str_at(o, "data.status"), "RECEIVED", "received");
	CU_ASSERT_EQUAL(json_len_at(o, "data.lines"), 2);
	json_object_put(o);
	CU_ASSERT_EQUAL(stock_of(auth, r0), 4);
	CU_ASSERT_EQUAL(stock_of(auth, r5), 7.5);
	MOVE(auth, oid, "FULFILLED");

	/* From FULFILLED nothing moves, and stock is not added again. */
	REFUSE(auth, oid, "SUBMITTED", "APPROVED", "REJECTED", "RECEIVED",
	    "FULFILLED");
	CU_ASSERT_EQUAL(stock_of(auth, r0), 4);
	CU_ASSERT_EQUAL(stock_of(auth, r5), 7.5);

	seq = order_events(org_id, oid);
	snprintf(want, sizeof(want), "order.created,"
	    "order.status_changed:SUBMITTED<DRAFT,"
	    "order.status_changed:APPROVED<SUBMITTED,"
	    "order.status_changed:RECEIVED<APPROVED,");
	/* FULFILLED writes both; either order within the transaction. */
	snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s",
	    strstr(seq, "order.fulfilled,order.status_changed") != NULL ?
	    "order.fulfilled,order.status_changed:FULFILLED<RECEIVED" :
	    "order.status_changed:FULFILLED<RECEIVED,order.fulfilled");
	ASSERT_EQS(seq, want, "the order's events");
	free(seq);

	/* R-0 was at zero: receiving it resolved the stockout. */
	n = db_events(org_id, &ev);
	for (k = 0; k < n; k++) {
		const char *it = json_str_at(ev[k].payload, "itemId");

		if (strcmp(ev[k].type, "inventory.stockout.resolved") != 0 ||
		    it == NULL)
			continue;
		CU_ASSERT(strcmp(it, r5) != 0);
		if (strcmp(it, r0) == 0) {
			resolved++;
			ASSERT_EQS(json_str_at(ev[k].payload, "source"),
			    "purchase_order", "stockout.resolved source");
		}
	}
	CU_ASSERT_EQUAL(resolved, 1);
	db_events_free(ev, n);
	free(r0);
	free(r5);
	free(oid);
}

static void
test_invalid_transitions(void)
{
	char			 org[64], auth[200], path[256];
	char			*item, *oid, *seq;
	struct json_object	*o;
	long			 org_id;
	static const char *const bad[] = {
		"{\"status\":\"DRAFT\"}", "{\"status\":\"SHIPPED\"}",
		"{\"status\":\"submitted\"}", "{\"status\":5}", "{}",
		"{\"note\":\"x\"}",
	};
	size_t			 i;
	struct sbuf		 b = { 0 };

	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	org_id = db_org_id(org);
	item = item_create(auth, "T-1", "\"stockOnHand\":1");
	CU_ASSERT_FATAL(item != NULL);
	oid = order_create(auth, "{\"lines\":[{\"sku\":\"T-1\","
	    "\"quantity\":2}]}");
	CU_ASSERT_FATAL(oid != NULL);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = ORDER_STATUS(auth, oid, bad[i], 400);
		ASSERT_ERROR(o, NULL, "status");
		json_object_put(o);
	}
	sb_printf(&b, "{\"status\":\"SUBMITTED\",\"note\":\"%01001d\"}", 0);
	o = ORDER_STATUS(auth, oid, b.p, 400);
	ASSERT_ERROR(o, NULL, "note");
	json_object_put(o);
	sb_free(&b);

	REFUSE(auth, oid, "APPROVED", "REJECTED", "RECEIVED", "FULFILLED");
	MOVE(auth, oid, "SUBMITTED");
	REFUSE(auth, oid, "SUBMITTED", "RECEIVED", "FULFILLED");
	MOVE(auth, oid, "APPROVED");
	REFUSE(auth, oid, "SUBMITTED", "APPROVED", "REJECTED", "FULFILLED");
	MOVE(auth, oid, "RECEIVED");
	CU_ASSERT_EQUAL(stock_of(auth, item), 3);
	REFUSE(auth, oid, "SUBMITTED", "APPROVED", "REJECTED", "RECEIVED");
	/* Received once: stock added once. */
	CU_ASSERT_EQUAL(stock_of(auth, item), 3);

	seq = order_events(org_id, oid);
	ASSERT_EQS(seq, "order.created,order.status_changed:SUBMITTED<DRAFT,"
	    "order.status_changed:APPROVED<SUBMITTED,"
	    "order.status_changed:RECEIVED<APPROVED",
	    "refused moves write no event");
	free(seq);

	/* Another organization's order, or none: 404. */
	o = ORDER_STATUS(auth_b, oid, "{\"status\":\"FULFILLED\"}", 404);
	json_object_put(o);
	o = ORDER_STATUS(auth, "no-such-order", "{\"status\":\"SUBMITTED\"}",
	    404);
	json_object_put(o);
	snprintf(path, sizeof(path), ORDERS "/%s", oid);
	o = API_JSON("GET", path, auth, NULL, 200);
	ASSERT_EQS(json_str_at(o, "data.status"), "RECEIVED", "still RECEIVED");
	json_object_put(o);
	free(item);
	free(oid);
}

static void
test_rejected(void)
{
	char			 org[64], auth[200];
	char			*item, *oid, *seq;
	struct json_object	*o;
	long			 org_id;

	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	org_id = db_org_id(org);
	item = item_create(auth, "RJ-1", "\"stockOnHand\":2");
	oid = order_create(auth, "{\"lines\":[{\"sku\":\"RJ-1\","
	    "\"quantity\":10}]}");
	CU_ASSERT_FATAL(item && oid);
	MOVE(auth, oid, "SUBMITTED");
	o = ORDER_STATUS(auth, oid, "{\"status\":\"REJECTED\","
	    "\"note\":\"too expensive\"}", 200);
	ASSERT_EQS(json_str_at(o, "data.status"), "REJECTED", "rejected");
	ASSERT_EQS(json_str_at(o, "data.decisionNote"), "too expensive",
	    "decisionNote from the note");
	json_object_put(o);
	REFUSE(auth, oid, "APPROVED", "SUBMITTED", "RECEIVED", "FULFILLED",
	    "REJECTED");
	CU_ASSERT_EQUAL(stock_of(auth, item), 2);
	seq = order_events(org_id, oid);
	ASSERT_EQS(seq, "order.created,order.status_changed:SUBMITTED<DRAFT,"
	    "order.status_changed:REJECTED<SUBMITTED", "rejected path events");
	free(seq);
	free(item);
	free(oid);
}

/*
 * The same move from 6 clients at once: one 200, the rest 409; and
 * RECEIVED from 6 at once adds the stock once.
 */
static void
test_concurrent_moves(void)
{
	enum { N = 6 };
	char			 org[64], auth[200], path[256], msg[300];
	char			*item, *oid, *seq;
	struct http_resp	 r[N];
	long			 org_id;
	int			 i, round, ok, refused;
	static const char *const moves[] = { "SUBMITTED", "APPROVED",
	    "RECEIVED" };

	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	org_id = db_org_id(org);
	item = item_create(auth, "RACE-PO", "\"stockOnHand\":1");
	oid = order_create(auth, "{\"lines\":[{\"sku\":\"RACE-PO\","
	    "\"quantity\":5}]}");
	CU_ASSERT_FATAL(item && oid);
	snprintf(path, sizeof(path), ORDERS "/%s/status", oid);
	for (round = 0; round < 3; round++) {
		char body[64];

		snprintf(body, sizeof(body), "{\"status\":\"%s\"}",
		    moves[round]);
		api_race(N, "POST", path, auth, NULL, body, r);
		for (ok = refused = i = 0; i < N; i++) {
			snprintf(msg, sizeof(msg), "%s racer %d: %ld %.200s",
			    moves[round], i, r[i].status, r[i].body);
			if (r[i].status == 200)
				ok++;
			else if (r[i].status == 409)
				refused++;
			else
				CU_assertImplementation(0, __LINE__, msg,
				    __FILE__, "", CU_FALSE);
			http_resp_free(&r[i]);
		}
		CU_ASSERT_EQUAL(ok, 1);
		CU_ASSERT_EQUAL(refused, N - 1);
	}
	CU_ASSERT_EQUAL(stock_of(auth, item), 6);
	seq = order_events(org_id, oid);
	ASSERT_EQS(seq, "order.created,order.status_changed:SUBMITTED<DRAFT,"
	    "order.status_changed:APPROVED<SUBMITTED,"
	    "order.status_changed:RECEIVED<APPROVED", "one event per move");
	free(seq);
	free(item);
	free(oid);
}

void
suite_orders_register(void)
{
	CU_pSuite	 s = CU_add_suite("purchase orders", orders_init,
			    orders_clean);

	CU_add_test(s, "create DRAFT with lines, get, order.created",
	    test_create_and_get);
	CU_add_test(s, "bad order: 400 naming the field, nothing written",
	    test_create_validation);
	CU_add_test(s, "list: status, createdAfter, pages, no lines",
	    test_list);
	CU_add_test(s, "DRAFT to FULFILLED: events, stock on RECEIVED",
	    test_full_path);
	CU_add_test(s, "every invalid transition is 409, bad status 400",
	    test_invalid_transitions);
	CU_add_test(s, "SUBMITTED to REJECTED, then nothing",
	    test_rejected);
	CU_add_test(s, "concurrent moves: one wins, stock added once",
	    test_concurrent_moves);
}
