/*
 * test_inventory.c - the inventory part of the Integrations API: the
 * item list (cursor pages, limits, search, includeArchived, updatedAfter,
 * a walk while rows are inserted, tenancy), create-or-update by SKU, and
 * stock adjustments with the events they write (read from the events
 * table).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "itest.h"

#define ITEMS	"/api/integrations/v1/inventory/items"

static char	 org_b[64], auth_b[200];

static int
inv_init(void)
{
	return fixture_org_auth(org_b, auth_b) ? 0 : 1;
}

/* POST an item; its id (malloc'd) or NULL. */
static char *
item_create(const char *auth, const char *sku, const char *name,
    const char *extra)
{
	char			 body[512];
	struct json_object	*o;
	char			*id;

	snprintf(body, sizeof(body), "{\"sku\":\"%s\",\"name\":\"%s\"%s%s}",
	    sku, name, extra ? "," : "", extra ? extra : "");
	o = API_JSON("POST", ITEMS, auth, body, 201);
	id = json_str_at(o, "data.id") ? strdup(json_str_at(o, "data.id")) :
	    NULL;
	json_object_put(o);
	return id;
}

/* nextCursor is present and null. */
static int
cursor_null(struct json_object *o)
{
	struct json_object	*v = NULL;

	return json_object_object_get_ex(o, "nextCursor", &v) && v == NULL;
}

struct walk {
	char	**sku;
	size_t	  n;
	int	  pages, ok;
	size_t	  page_len[64];
};

static void
walk_free(struct walk *w)
{
	size_t	 i;

	for (i = 0; i < w->n; i++)
		free(w->sku[i]);
	free(w->sku);
	memset(w, 0, sizeof(*w));
}

/*
 * Every page of path (with a query already, or not) at limit; the skus
 * in order. ms: a pause between pages.
 */
static void
walk_items(const char *auth, const char *query, int limit, long ms,
    struct walk *w)
{
	struct json_object	*o, *data;
	char			 path[1024], *esc, *cursor = NULL;
	struct timespec		 ts = { 0, ms * 1000000L };
	size_t			 i, len;
	const char		*c, *s;

	memset(w, 0, sizeof(*w));
	w->ok = 1;
	for (;;) {
		if (cursor == NULL)
			snprintf(path, sizeof(path), ITEMS "?limit=%d%s%s",
			    limit, query && *query ? "&" : "",
			    query ? query : "");
		else {
			esc = curl_easy_escape(NULL, cursor, 0);
			snprintf(path, sizeof(path), ITEMS "?limit=%d%s%s"
			    "&cursor=%s", limit, query && *query ? "&" : "",
			    query ? query : "", esc);
			curl_free(esc);
		}
		free(cursor);
		cursor = NULL;
		o = API_JSON("GET", path, auth, NULL, 200);
		data = json_at(o, "data");
		if (data == NULL || !json_object_is_type(data,
		    json_type_array) || w->pages >= 60) {
			w->ok = 0;
			json_object_put(o);
			break;
		}
		len = json_object_array_length(data);
		w->page_len[w->pages++] = len;
		CU_ASSERT(len <= (size_t)limit);
		w->sku = realloc(w->sku, (w->n + len + 1) * sizeof(char *));
		for (i = 0; i < len; i++) {
			s = json_str_at(json_object_array_get_idx(data, i),
			    "sku");
			w->sku[w->n++] = strdup(s ? s : "(no sku)");
		}
		c = json_str_at(o, "nextCursor");
		if (c == NULL) {
			CU_ASSERT(cursor_null(o));
			json_object_put(o);
			break;
		}
		cursor = strdup(c);
		json_object_put(o);
		if (ms > 0)
			nanosleep(&ts, NULL);
	}
	free(cursor);
}

static size_t
count_sku(const struct walk *w, const char *sku)
{
	size_t	 i, n = 0;

	for (i = 0; i < w->n; i++)
		n += strcmp(w->sku[i], sku) == 0;
	return n;
}

/* The skus of one GET as one comma-joined, sorted string. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
skus_of(const char *auth, const char *query)
{
	struct walk	 w;
	struct sbuf	 b = { 0 };
	size_t		 i;

	walk_items(auth, query, 200, 0, &w);
	qsort(w.sku, w.n, sizeof(char *), cmp_str);
	sb_printf(&b, "%s", "");
	for (i = 0; i < w.n; i++)
		sb_printf(&b, "%s%s", i ? "," : "", w.sku[i]);
	walk_free(&w);
	return b.p;
}

#define ASSERT_SKUS(auth, query, want) do {				\
	char *got_ = skus_of((auth), (query));			\
	ASSERT_EQS(got_, (want), (query));				\
	free(got_);							\
} while (0)

static void
test_page_walk(void)
{
	char		 org[64], auth[200], sku[32];
	struct walk	 w;
	struct json_object *o;
	int		 i;

	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	for (i = 0; i < 25; i++) {
		snprintf(sku, sizeof(sku), "PW-%02d", i);
		free(item_create(auth, sku, "Page walk", NULL));
	}
	walk_items(auth, NULL, 7, 0, &w);
	CU_ASSERT(w.ok);
	CU_ASSERT_EQUAL(w.n, 25);
	CU_ASSERT_EQUAL(w.pages, 4);
	CU_ASSERT(w.page_len[0] == 7 && w.page_len[1] == 7 &&
	    w.page_len[2] == 7 && w.page_len[3] == 4);
	/* Every item once, in creation order. */
	for (i = 0; i < 25 && (size_t)i < w.n; i++) {
		snprintf(sku, sizeof(sku), "PW-%02d", i);
		ASSERT_EQS(w.sku[i], sku, "page walk order");
	}
	walk_free(&w);

	/* The default limit (50) holds them all on one page. */
	o = API_JSON("GET", ITEMS, auth, NULL, 200);
	CU_ASSERT_EQUAL(json_len_at(o, "data"), 25);
	CU_ASSERT(cursor_null(o));
	json_object_put(o);
	o = API_JSON("GET", ITEMS "?limit=1", auth, NULL, 200);
	CU_ASSERT_EQUAL(json_len_at(o, "data"), 1);
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "nextCursor"));
	ASSERT_EQS(json_str_at(o, "data.0.sku"), "PW-00", "limit=1");
	json_object_put(o);
	o = API_JSON("GET", ITEMS "?limit=200", auth, NULL, 200);
	CU_ASSERT_EQUAL(json_len_at(o, "data"), 25);
	/* Item fields as the schema has them. */
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "data.0.id"));
	ASSERT_EQS(json_str_at(o, "data.0.unit"), "each", "default unit");
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "data.0.createdAt"));
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "data.0.updatedAt"));
	ASSERT_NUM(o, "data.0.stockOnHand", 0);
	CU_ASSERT(json_at(o, "data.0.archived") != NULL &&
	    json_object_is_type(json_at(o, "data.0.archived"),
	    json_type_boolean));
	json_object_put(o);
}

static void
test_limit_cursor_validation(void)
{
	static const char *const bad_limit[] = {
		"limit=0", "limit=201", "limit=abc", "limit=-1", "limit=1.5",
		"limit=",
	};
	static const char *const bad_cursor[] = {
		"cursor=garbage!!", "cursor=AAAA", "cursor=-1",
	};
	char			 path[256];
	struct json_object	*o;
	size_t			 i;

	for (i = 0; i < sizeof(bad_limit) / sizeof(bad_limit[0]); i++) {
		snprintf(path, sizeof(path), ITEMS "?%s", bad_limit[i]);
		o = API_JSON("GET", path, auth_b, NULL, 400);
		ASSERT_ERROR(o, NULL, "limit");
		json_object_put(o);
	}
	for (i = 0; i < sizeof(bad_cursor) / sizeof(bad_cursor[0]); i++) {
		snprintf(path, sizeof(path), ITEMS "?%s", bad_cursor[i]);
		o = API_JSON("GET", path, auth_b, NULL, 400);
		ASSERT_ERROR(o, NULL, "cursor");
		json_object_put(o);
	}
}

static void
test_search_and_archived(void)
{
	char			 org[64], auth[200];
	struct json_object	*o;

	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	free(item_create(auth, "COF-ARA", "Arabica Coffee", NULL));
	free(item_create(auth, "TEA-GRN", "Green Tea", NULL));
	free(item_create(auth, "FLT-01", "Paper coffee filter", NULL));
	free(item_create(auth, "PCT_1", "Plain", NULL));
	free(item_create(auth, "ARCH-1", "Old coffee", "\"archived\":true"));

	ASSERT_SKUS(auth, "search=COFFEE", "COF-ARA,FLT-01");
	ASSERT_SKUS(auth, "search=cof", "COF-ARA,FLT-01");
	ASSERT_SKUS(auth, "search=tea-g", "TEA-GRN");
	ASSERT_SKUS(auth, "search=green%20TEA", "TEA-GRN");
	ASSERT_SKUS(auth, "search=zzz", "");
	/* Word and SKU prefixes (README "Search"), not LIKE patterns. */
	ASSERT_SKUS(auth, "search=%25", "");
	ASSERT_SKUS(auth, "search=_", "");
	ASSERT_SKUS(auth, "search=PCT_", "PCT_1");
	ASSERT_SKUS(auth, "search=offee", "");
	/* Archived items only on request. */
	ASSERT_SKUS(auth, "search=coffee&includeArchived=true",
	    "ARCH-1,COF-ARA,FLT-01");
	ASSERT_SKUS(auth, "includeArchived=false",
	    "COF-ARA,FLT-01,PCT_1,TEA-GRN");
	ASSERT_SKUS(auth, "includeArchived=true",
	    "ARCH-1,COF-ARA,FLT-01,PCT_1,TEA-GRN");
	ASSERT_SKUS(auth, "", "COF-ARA,FLT-01,PCT_1,TEA-GRN");
	o = API_JSON("GET", ITEMS "?includeArchived=maybe", auth, NULL, 400);
	ASSERT_ERROR(o, NULL, "includeArchived");
	json_object_put(o);
	/* Archiving by PUT takes it out of the list. */
	json_object_put(API_JSON("PUT", ITEMS "/by-sku/PCT_1", auth,
	    "{\"archived\":true}", 200));
	ASSERT_SKUS(auth, "", "COF-ARA,FLT-01,TEA-GRN");
}

static void
test_updated_after(void)
{
	char			 org[64], auth[200], t[32], q[128];
	struct json_object	*o;

	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	free(item_create(auth, "UA-X", "Before", NULL));
	next_second(t);
	free(item_create(auth, "UA-Y", "After", NULL));
	snprintf(q, sizeof(q), "updatedAfter=%s", t);
	ASSERT_SKUS(auth, q, "UA-Y");
	ASSERT_SKUS(auth, "updatedAfter=2000-01-01T00:00:00Z", "UA-X,UA-Y");
	ASSERT_SKUS(auth, "updatedAfter=2999-01-01T00:00:00Z", "");
	/* An update moves X after t. */
	json_object_put(API_JSON("PUT", ITEMS "/by-sku/UA-X", auth,
	    "{\"name\":\"Changed\"}", 200));
	ASSERT_SKUS(auth, q, "UA-X,UA-Y");
	o = API_JSON("GET", ITEMS "?updatedAfter=yesterday", auth, NULL, 400);
	ASSERT_ERROR(o, NULL, "updatedAfter");
	json_object_put(o);
	o = API_JSON("GET", ITEMS "?updatedAfter=2026-13-01T00:00:00Z", auth,
	    NULL, 400);
	ASSERT_ERROR(o, NULL, "updatedAfter");
	json_object_put(o);
}

struct inserter {
	const char	*auth;
	int		 n;
};

static void *
inserter_run(void *arg)
{
	struct inserter	*in = arg;
	char		 sku[32], body[128];
	struct http_resp r;
	int		 i;

	for (i = 0; i < in->n; i++) {
		snprintf(sku, sizeof(sku), "WI-NEW-%02d", i);
		snprintf(body, sizeof(body), "{\"sku\":\"%s\",\"name\":\"n\"}",
		    sku);
		api_do(&r, "POST", ITEMS, in->auth, NULL, body);
		http_resp_free(&r);
	}
	return NULL;
}

static void
test_walk_while_inserting(void)
{
	char		 org[64], auth[200], sku[32], msg[64];
	struct inserter	 in;
	struct walk	 w;
	pthread_t	 th;
	size_t		 i, j;
	int		 k;

	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	for (k = 0; k < 30; k++) {
		snprintf(sku, sizeof(sku), "WI-OLD-%02d", k);
		free(item_create(auth, sku, "o", NULL));
	}
	in.auth = auth;
	in.n = 30;
	pthread_create(&th, NULL, inserter_run, &in);
	walk_items(auth, NULL, 4, 15, &w);
	pthread_join(th, NULL);
	CU_ASSERT(w.ok);
	for (k = 0; k < 30; k++) {
		snprintf(sku, sizeof(sku), "WI-OLD-%02d", k);
		snprintf(msg, sizeof(msg), "%s seen once", sku);
		CU_assertImplementation(count_sku(&w, sku) == 1, __LINE__, msg,
		    __FILE__, "", CU_FALSE);
	}
	for (i = 0; i < w.n; i++)
		for (j = i + 1; j < w.n; j++)
			if (strcmp(w.sku[i], w.sku[j]) == 0)
				CU_FAIL("an item repeated in the walk");
	walk_free(&w);
	/* All 60 are there afterwards. */
	walk_items(auth, NULL, 200, 0, &w);
	CU_ASSERT_EQUAL(w.n, 60);
	walk_free(&w);
}

static void
test_tenancy(void)
{
	char			 org[64], auth[200], path[256], *bid;
	struct json_object	*o;
	struct walk		 w;

	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	bid = item_create(auth_b, "SECRET-B", "Secret of B",
	    "\"stockOnHand\":5");
	CU_ASSERT_FATAL(bid != NULL);
	free(item_create(auth, "MINE-1", "Mine", NULL));
	walk_items(auth, "includeArchived=true", 200, 0, &w);
	CU_ASSERT_EQUAL(w.n, 1);
	CU_ASSERT_EQUAL(count_sku(&w, "SECRET-B"), 0);
	walk_free(&w);
	ASSERT_SKUS(auth, "search=secret", "");
	snprintf(path, sizeof(path), ITEMS "/%s", bid);
	json_object_put(API_JSON("GET", path, auth, NULL, 404));
	snprintf(path, sizeof(path), ITEMS "/%s/adjustments", bid);
	json_object_put(API_JSON("POST", path, auth,
	    "{\"delta\":-1,\"reason\":\"theft\"}", 404));
	/* The same SKU by PUT in another organization is its own item. */
	o = API_JSON("PUT", ITEMS "/by-sku/SECRET-B", auth,
	    "{\"name\":\"Mine now\"}", 201);
	CU_ASSERT(json_str_at(o, "data.id") != NULL &&
	    strcmp(json_str_at(o, "data.id"), bid) != 0);
	json_object_put(o);
	snprintf(path, sizeof(path), ITEMS "/%s", bid);
	o = API_JSON("GET", path, auth_b, NULL, 200);
	ASSERT_EQS(json_str_at(o, "data.name"), "Secret of B", "B untouched");
	ASSERT_NUM(o, "data.stockOnHand", 5);
	json_object_put(o);
	free(bid);
}

static void
test_put_by_sku(void)
{
	char			 org[64], auth[200], path[256];
	struct json_object	*o;
	char			*id;
	struct sbuf		 b = { 0 };
	char			 longsku[200];

	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	/* Creating needs a name; nothing is made without. */
	o = API_JSON("PUT", ITEMS "/by-sku/NEW-1", auth,
	    "{\"unit\":\"kg\"}", 400);
	ASSERT_ERROR(o, NULL, "name");
	json_object_put(o);
	ASSERT_SKUS(auth, "includeArchived=true", "");

	o = API_JSON("PUT", ITEMS "/by-sku/NEW-1", auth, "{\"name\":\"New\","
	    "\"unit\":\"kg\",\"category\":\"Dry\",\"stockOnHand\":5,"
	    "\"lowStockThreshold\":2,\"unitCost\":1.5,\"leadTimeDays\":4}",
	    201);
	ASSERT_EQS(json_str_at(o, "data.sku"), "NEW-1", "sku");
	ASSERT_EQS(json_str_at(o, "data.name"), "New", "name");
	ASSERT_NUM(o, "data.stockOnHand", 5);
	id = json_str_at(o, "data.id") ? strdup(json_str_at(o, "data.id")) :
	    NULL;
	json_object_put(o);
	CU_ASSERT_FATAL(id != NULL);

	/* Update: only the fields sent change. */
	o = API_JSON("PUT", ITEMS "/by-sku/NEW-1", auth,
	    "{\"unitCost\":2.25}", 200);
	ASSERT_EQS(json_str_at(o, "data.id"), id, "same item");
	json_object_put(o);
	snprintf(path, sizeof(path), ITEMS "/%s", id);
	o = API_JSON("GET", path, auth, NULL, 200);
	ASSERT_NUM(o, "data.unitCost", 2.25);
	ASSERT_EQS(json_str_at(o, "data.name"), "New", "name kept");
	ASSERT_EQS(json_str_at(o, "data.unit"), "kg", "unit kept");
	ASSERT_EQS(json_str_at(o, "data.category"), "Dry", "category kept");
	ASSERT_NUM(o, "data.stockOnHand", 5);
	ASSERT_NUM(o, "data.lowStockThreshold", 2);
	ASSERT_NUM(o, "data.leadTimeDays", 4);
	json_object_put(o);

	/* stockOnHand is refused on update, and nothing changes. */
	o = API_JSON("PUT", ITEMS "/by-sku/NEW-1", auth,
	    "{\"name\":\"Renamed\",\"stockOnHand\":9}", 400);
	ASSERT_ERROR(o, NULL, "stockOnHand");
	json_object_put(o);
	o = API_JSON("PUT", ITEMS "/by-sku/NEW-1", auth, "{\"name\":\"\"}",
	    400);
	ASSERT_ERROR(o, NULL, "name");
	json_object_put(o);
	o = API_JSON("PUT", ITEMS "/by-sku/NEW-1", auth,
	    "{\"unitCost\":-1}", 400);
	ASSERT_ERROR(o, NULL, "unitCost");
	json_object_put(o);
	o = API_JSON("GET", path, auth, NULL, 200);
	ASSERT_NUM(o, "data.stockOnHand", 5);
	ASSERT_EQS(json_str_at(o, "data.name"), "New", "name after 400s");
	ASSERT_NUM(o, "data.unitCost", 2.25);
	json_object_put(o);

	/* A SKU with a space, percent-encoded in the path. */
	o = API_JSON("PUT", ITEMS "/by-sku/COF%201KG", auth,
	    "{\"name\":\"Spaced\"}", 201);
	ASSERT_EQS(json_str_at(o, "data.sku"), "COF 1KG", "decoded sku");
	json_object_put(o);
	/* A SKU longer than 128. */
	memset(longsku, 'S', 129);
	longsku[129] = '\0';
	sb_printf(&b, ITEMS "/by-sku/%s", longsku);
	o = API_JSON("PUT", b.p, auth, "{\"name\":\"Long\"}", 400);
	ASSERT_ERROR(o, NULL, "sku");
	json_object_put(o);
	sb_free(&b);
	free(id);
}

/* The inventory events of an item, as "type,type,…". */
static char *
item_events(long org_id, const char *item_id)
{
	struct itest_event	*ev;
	struct sbuf		 b = { 0 };
	size_t			 n, i;
	const char		*p;

	n = db_events(org_id, &ev);
	sb_printf(&b, "%s", "");
	for (i = 0; i < n; i++) {
		p = json_str_at(ev[i].payload, "itemId");
		if (strncmp(ev[i].type, "inventory.", 10) == 0 && p != NULL &&
		    strcmp(p, item_id) == 0)
			sb_printf(&b, "%s%s", b.len ? "," : "", ev[i].type);
	}
	db_events_free(ev, n);
	return b.p;
}

/* The payload of the last event of type for item (caller puts). */
static struct json_object *
last_event(long org_id, const char *type, const char *item_id)
{
	struct itest_event	*ev;
	struct json_object	*o = NULL;
	size_t			 n, i;
	const char		*p;

	n = db_events(org_id, &ev);
	for (i = 0; i < n; i++) {
		p = json_str_at(ev[i].payload, "itemId");
		if (strcmp(ev[i].type, type) == 0 && p != NULL &&
		    strcmp(p, item_id) == 0) {
			json_object_put(o);
			o = json_object_get(ev[i].payload);
		}
	}
	db_events_free(ev, n);
	return o;
}

static void
test_adjustments(void)
{
	static const struct {
		const char	*body, *field;
	} bad[] = {
		{ "{\"reason\":\"count\"}", "delta" },
		{ "{\"delta\":1}", "reason" },
		{ "{\"delta\":0,\"reason\":\"count\"}", "delta" },
		{ "{\"delta\":\"1\",\"reason\":\"count\"}", "delta" },
		{ "{\"delta\":1.00001,\"reason\":\"count\"}", "delta" },
		{ "{\"delta\":1e30,\"reason\":\"count\"}", "delta" },
		{ "{\"delta\":1,\"reason\":\"\"}", "reason" },
		{ "{\"delta\":1,\"reason\":7}", "reason" },
	};
	char			 org[64], auth[200], path[256], ipath[256];
	struct json_object	*o;
	char			*id, *seq;
	long			 org_id;
	size_t			 i;

	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	org_id = db_org_id(org);
	id = item_create(auth, "ADJ-1", "Adjusted beans",
	    "\"stockOnHand\":10,\"lowStockThreshold\":3");
	CU_ASSERT_FATAL(id != NULL);
	snprintf(path, sizeof(path), ITEMS "/%s/adjustments", id);
	snprintf(ipath, sizeof(ipath), ITEMS "/%s", id);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = API_JSON("POST", path, auth, bad[i].body, 400);
		ASSERT_ERROR(o, NULL, bad[i].field);
		json_object_put(o);
	}
	json_object_put(API_JSON("POST", ITEMS "/no-such-item/adjustments",
	    auth, "{\"delta\":1,\"reason\":\"x\"}", 404));

	/* 10 -> 5: above the threshold, no event. */
	o = API_JSON("POST", path, auth, "{\"delta\":-5,\"reason\":\"sold\"}",
	    200);
	ASSERT_NUM(o, "data.previousStock", 10);
	ASSERT_NUM(o, "data.nextStock", 5);
	ASSERT_NUM(o, "data.item.stockOnHand", 5);
	ASSERT_EQS(json_str_at(o, "data.item.id"), id, "adjusted item");
	json_object_put(o);
	seq = item_events(org_id, id);
	ASSERT_EQS(seq, "", "no event above the threshold");
	free(seq);

	/* 5 -> 2: at or below 3, low stock. */
	o = API_JSON("POST", path, auth, "{\"delta\":-3,\"reason\":\"sold\"}",
	    200);
	ASSERT_NUM(o, "data.nextStock", 2);
	json_object_put(o);
	o = last_event(org_id, "inventory.low_stock", id);
	CU_ASSERT_PTR_NOT_NULL(o);
	ASSERT_EQS(json_str_at(o, "itemName"), "Adjusted beans", "itemName");
	ASSERT_EQS(json_str_at(o, "sku"), "ADJ-1", "sku");
	ASSERT_NUM(o, "currentStock", 2);
	json_object_put(o);

	/* 2 - 3 would go below zero: 409, nothing changes. */
	o = API_JSON("POST", path, auth, "{\"delta\":-3,\"reason\":\"sold\"}",
	    409);
	ASSERT_ERROR(o, "insufficient_stock", NULL);
	json_object_put(o);
	o = API_JSON("GET", ipath, auth, NULL, 200);
	ASSERT_NUM(o, "data.stockOnHand", 2);
	json_object_put(o);

	/* 2 -> 0: stockout (not low stock). */
	o = API_JSON("POST", path, auth, "{\"delta\":-2,\"reason\":\"sold\"}",
	    200);
	ASSERT_NUM(o, "data.previousStock", 2);
	ASSERT_NUM(o, "data.nextStock", 0);
	json_object_put(o);
	o = last_event(org_id, "inventory.stockout", id);
	CU_ASSERT_PTR_NOT_NULL(o);
	ASSERT_NUM(o, "previousStock", 2);
	ASSERT_NUM(o, "nextStock", 0);
	json_object_put(o);

	/* 0 -> 5.5: resolved. */
	o = API_JSON("POST", path, auth,
	    "{\"delta\":5.5,\"reason\":\"delivery\"}", 200);
	ASSERT_NUM(o, "data.previousStock", 0);
	ASSERT_NUM(o, "data.nextStock", 5.5);
	json_object_put(o);
	o = last_event(org_id, "inventory.stockout.resolved", id);
	CU_ASSERT_PTR_NOT_NULL(o);
	json_object_put(o);
	o = API_JSON("GET", ipath, auth, NULL, 200);
	ASSERT_NUM(o, "data.stockOnHand", 5.5);
	json_object_put(o);

	seq = item_events(org_id, id);
	ASSERT_EQS(seq, "inventory.low_stock,inventory.stockout,"
	    "inventory.stockout.resolved", "the item's events in order");
	free(seq);

	/* Another organization's item: 404, and its stock is untouched. */
	snprintf(path, sizeof(path), ITEMS "/%s/adjustments", id);
	json_object_put(API_JSON("POST", path, auth_b,
	    "{\"delta\":1,\"reason\":\"x\"}", 404));
	o = API_JSON("GET", ipath, auth, NULL, 200);
	ASSERT_NUM(o, "data.stockOnHand", 5.5);
	json_object_put(o);
	free(id);
}

/*
 * 8 concurrent adjustments of -3 on a stock of 10: exactly 3 go
 * through, the others are 409, and the stock is 1, never below zero.
 */
static void
test_concurrent_adjustments(void)
{
	enum { N = 8 };
	char			 org[64], auth[200], path[256], msg[300];
	struct http_resp	 r[N];
	struct json_object	*o;
	char			*id;
	int			 i, ok = 0, refused = 0;

	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	id = item_create(auth, "RACE-ADJ", "Raced", "\"stockOnHand\":10");
	CU_ASSERT_FATAL(id != NULL);
	snprintf(path, sizeof(path), ITEMS "/%s/adjustments", id);
	api_race(N, "POST", path, auth, NULL,
	    "{\"delta\":-3,\"reason\":\"rush\"}", r);
	for (i = 0; i < N; i++) {
		snprintf(msg, sizeof(msg), "racer %d: %ld %.200s", i,
		    r[i].status, r[i].body);
		if (r[i].status == 200)
			ok++;
		else if (r[i].status == 409)
			refused++;
		else
			CU_assertImplementation(0, __LINE__, msg, __FILE__, "",
			    CU_FALSE);
		http_resp_free(&r[i]);
	}
	CU_ASSERT_EQUAL(ok, 3);
	CU_ASSERT_EQUAL(refused, N - 3);
	snprintf(path, sizeof(path), ITEMS "/%s", id);
	o = API_JSON("GET", path, auth, NULL, 200);
	ASSERT_NUM(o, "data.stockOnHand", 1);
	json_object_put(o);
	free(id);
}

void
suite_inventory_register(void)
{
	CU_pSuite	 s = CU_add_suite("inventory", inv_init, NULL);

	CU_add_test(s, "25 items, limit 7: every item once, in order",
	    test_page_walk);
	CU_add_test(s, "bad limit or cursor: 400 naming it",
	    test_limit_cursor_validation);
	CU_add_test(s, "search (sku or name, any case) and includeArchived",
	    test_search_and_archived);
	CU_add_test(s, "updatedAfter", test_updated_after);
	CU_add_test(s, "a page walk while items are inserted",
	    test_walk_while_inserting);
	CU_add_test(s, "another organization's items never appear",
	    test_tenancy);
	CU_add_test(s, "PUT by-sku: 201 create, 200 partial update, 400s",
	    test_put_by_sku);
	CU_add_test(s, "adjustments: validation, 409, stock events",
	    test_adjustments);
	CU_add_test(s, "concurrent adjustments never go below zero",
	    test_concurrent_adjustments);
}
