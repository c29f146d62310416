/*
 * test_ingest.c - POST /api/integrations/v1/ingestion/order-lines: the
 * counts of the 201 body for a known input, unknown SKUs, auto-created
 * items, every date form, defaults, the batch limits, and line
 * validation that names the field and writes nothing (checked in the
 * database).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "itest.h"

#define INGEST	"/api/integrations/v1/ingestion/order-lines"
#define ITEMS	"/api/integrations/v1/inventory/items"

static char	 org_a[64], auth_a[200];
static long	 org_a_id;

static int
ingest_init(void)
{
	if (!fixture_org_auth(org_a, auth_a))
		return 1;
	if ((org_a_id = db_org_id(org_a)) <= 0) {
		fprintf(stderr, "ingest: cannot read organizations over "
		    "MIHWAR_DB_SOCKET\n");
		return 1;
	}
	return 0;
}

static void
make_item(const char *auth, const char *sku, const char *name)
{
	char	 body[256];

	snprintf(body, sizeof(body), "{\"sku\":\"%s\",\"name\":\"%s\"}", sku,
	    name);
	json_object_put(API_JSON("POST", ITEMS, auth, body, 201));
}

static long
batches(long org_id)
{
	return db_long("SELECT COUNT(*) FROM import_batches WHERE org_id = %ld",
	    org_id);
}

static long
history_lines(long org_id)
{
	return db_long("SELECT COUNT(*) FROM order_history_lines WHERE "
	    "org_id = %ld", org_id);
}

/* A string array as one sorted, comma-joined string (caller frees). */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *
sorted_strings(struct json_object *arr)
{
	const char	*v[64];
	struct sbuf	 b = { 0 };
	size_t		 i, n;

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return strdup("(not an array)");
	n = json_object_array_length(arr);
	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++)
		v[i] = json_object_get_string(json_object_array_get_idx(arr,
		    i));
	qsort(v, n, sizeof(v[0]), cmp_str);
	sb_printf(&b, "%s", "");
	for (i = 0; i < n; i++)
		sb_printf(&b, "%s%s", i ? "," : "", v[i] ? v[i] : "(null)");
	return b.p;
}

static void
test_known_input(void)
{
	static const char body[] = "{\"periodKind\":\"DAY\","
	    "\"externalSourceId\":\"erp-export-77\",\"lines\":["
	    "{\"sku\":\"K-A1\",\"orderedQty\":5,\"orderDate\":\"2026-03-15\","
	    "\"deliveredQty\":4},"
	    "{\"sku\":\"K-A1\",\"orderedQty\":2.5,"
	    "\"orderDate\":\"2026-03-15T10:00:00Z\"},"
	    "{\"sku\":\"K-A2\",\"orderedQty\":1,"
	    "\"orderDate\":\"2026-03-15T01:00:00+02:00\"},"
	    "{\"sku\":\"K-A2\",\"orderedQty\":3,"
	    "\"orderDate\":\"2026-03-14T23:30:00-05:00\",\"deliveredQty\":0},"
	    "{\"sku\":\"K-A2\",\"orderedQty\":7,"
	    "\"orderDate\":\"2026-03-16T12:00:00.250Z\"},"
	    "{\"sku\":\"K-NOPE-1\",\"orderedQty\":1,\"orderDate\":\"2026-03-15\"},"
	    "{\"sku\":\"K-NOPE-2\",\"orderedQty\":1,\"orderDate\":\"2026-03-16\"},"
	    "{\"sku\":\"K-NOPE-1\",\"orderedQty\":2,\"orderDate\":\"2026-03-17\"},"
	    "{\"sku\":\"K-A2\",\"orderedQty\":1,\"orderDate\":\"2026-02-30\"},"
	    "{\"sku\":\"K-A2\",\"orderedQty\":1,\"orderDate\":\"yesterday\"},"
	    "{\"sku\":\"K-A1\",\"orderedQty\":1,\"orderDate\":\"\"},"
	    "{\"sku\":\"K-A1\",\"orderedQty\":1,\"orderDate\":\"2026-13-01\"}"
	    "]}";
	struct json_object	*o, *list;
	char			 sql[512], *rows = NULL, *missing;
	const char		*batch;
	struct itest_event	*ev;
	size_t			 nev, i;
	int			 completed = 0;

	make_item(auth_a, "K-A1", "Known one");
	make_item(auth_a, "K-A2", "Known two");
	o = API_JSON("POST", INGEST, auth_a, body, 201);
	ASSERT_NUM(o, "data.inserted", 5);
	ASSERT_NUM(o, "data.autoCreatedItems", 0);
	ASSERT_NUM(o, "data.skippedUnknownSku", 3);
	ASSERT_NUM(o, "data.skippedBadDate", 4);
	ASSERT_NUM(o, "data.batchedInserts", 1);
	missing = sorted_strings(json_at(o, "data.missingSkus"));
	ASSERT_EQS(missing, "K-NOPE-1,K-NOPE-2", "missingSkus (unique)");
	free(missing);
	batch = json_str_at(o, "data.importBatchId");
	CU_ASSERT_FATAL(batch != NULL && strlen(batch) > 0 &&
	    strlen(batch) < 64);

	/* What was written: the batch and its lines, dates in UTC. */
	snprintf(sql, sizeof(sql), "SELECT period_kind, external_source_id, "
	    "lines_inserted FROM import_batches WHERE public_id = '%s' AND "
	    "org_id = %ld", batch, org_a_id);
	CU_ASSERT_EQUAL(sql_query(sql, &rows), 0);
	ASSERT_EQS(rows, "DAY\terp-export-77\t5\n", "the batch row");
	free(rows);
	snprintf(sql, sizeof(sql), "SELECT i.sku, l.order_date, "
	    "l.ordered_qty, l.delivered_qty FROM order_history_lines l "
	    "JOIN inventory_items i ON i.id = l.item_id JOIN import_batches b "
	    "ON b.id = l.batch_id WHERE b.public_id = '%s' "
	    "ORDER BY i.sku, l.order_date, l.ordered_qty", batch);
	CU_ASSERT_EQUAL(sql_query(sql, &rows), 0);
	ASSERT_EQS(rows,
	    "K-A1\t2026-03-15\t2.5000\t2.5000\n"
	    "K-A1\t2026-03-15\t5.0000\t4.0000\n"
	    "K-A2\t2026-03-14\t1.0000\t1.0000\n"
	    "K-A2\t2026-03-15\t3.0000\t0.0000\n"
	    "K-A2\t2026-03-16\t7.0000\t7.0000\n", "the history lines");
	free(rows);

	/* import.completed was written for it. */
	nev = db_events(org_a_id, &ev);
	for (i = 0; i < nev; i++)
		if (strcmp(ev[i].type, "import.completed") == 0)
			completed++;
	CU_ASSERT_EQUAL(completed, 1);
	db_events_free(ev, nev);

	/* Unknown SKUs were not created without autoCreateItems. */
	list = API_JSON("GET", ITEMS "?search=K-NOPE", auth_a, NULL, 200);
	CU_ASSERT_EQUAL(json_len_at(list, "data"), 0);
	json_object_put(list);
	json_object_put(o);
}

static void
test_auto_create(void)
{
	static const char body[] = "{\"autoCreateItems\":true,\"lines\":["
	    "{\"sku\":\"AC-1\",\"itemName\":\"Auto One\",\"orderedQty\":1,"
	    "\"orderDate\":\"2026-03-01\"},"
	    "{\"sku\":\"AC-1\",\"itemName\":\"Auto One\",\"orderedQty\":2,"
	    "\"orderDate\":\"2026-03-02\"},"
	    "{\"sku\":\"AC-2\",\"orderedQty\":3,\"orderDate\":\"2026-03-02\"},"
	    "{\"sku\":\"K-AC\",\"orderedQty\":3,\"orderDate\":\"2026-03-02\"}"
	    "]}";
	struct json_object	*o, *list, *it;
	size_t			 i, n;
	int			 seen1 = 0, seen2 = 0;
	char			 path[256];

	make_item(auth_a, "K-AC", "Existing");
	o = API_JSON("POST", INGEST, auth_a, body, 201);
	ASSERT_NUM(o, "data.inserted", 4);
	ASSERT_NUM(o, "data.autoCreatedItems", 2);
	ASSERT_NUM(o, "data.skippedUnknownSku", 0);
	ASSERT_NUM(o, "data.skippedBadDate", 0);
	CU_ASSERT_EQUAL(json_len_at(o, "data.missingSkus"), 0);
	json_object_put(o);

	/* K-AC too: "AC" begins a word of its SKU (README "Search"). */
	list = API_JSON("GET", ITEMS "?search=AC-", auth_a, NULL, 200);
	n = json_len_at(list, "data") > 0 ? (size_t)json_len_at(list, "data") :
	    0;
	CU_ASSERT_EQUAL(n, 3);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "data.%zu", i);
		it = json_at(list, path);
		if (json_str_at(it, "sku") == NULL)
			continue;
		if (strcmp(json_str_at(it, "sku"), "AC-1") == 0) {
			seen1 = 1;
			ASSERT_EQS(json_str_at(it, "name"), "Auto One",
			    "auto-created name from itemName");
		} else if (strcmp(json_str_at(it, "sku"), "AC-2") == 0) {
			seen2 = 1;
			ASSERT_EQS(json_str_at(it, "name"), "AC-2",
			    "auto-created name defaults to the sku");
		}
	}
	CU_ASSERT(seen1 && seen2);
	json_object_put(list);
}

static void
test_period_kind(void)
{
	static const char *const bad[] = {
		"{\"periodKind\":\"YEAR\",\"lines\":[{\"sku\":\"K-A1\","
		    "\"orderedQty\":1,\"orderDate\":\"2026-03-01\"}]}",
		"{\"periodKind\":\"day\",\"lines\":[{\"sku\":\"K-A1\","
		    "\"orderedQty\":1,\"orderDate\":\"2026-03-01\"}]}",
		"{\"periodKind\":7,\"lines\":[{\"sku\":\"K-A1\","
		    "\"orderedQty\":1,\"orderDate\":\"2026-03-01\"}]}",
	};
	static const char *const kinds[] = { "DAY", "WEEK", "MONTH", "CUSTOM" };
	struct json_object	*o;
	char			 body[256];
	long			 before;
	size_t			 i;

	make_item(auth_a, "PK-1", "Period kind");
	/* Default: CUSTOM. */
	o = API_JSON("POST", INGEST, auth_a, "{\"lines\":[{\"sku\":\"PK-1\","
	    "\"orderedQty\":1,\"orderDate\":\"2026-03-01\"}]}", 201);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM import_batches WHERE "
	    "public_id = '%s' AND period_kind = 'CUSTOM'",
	    json_str_at(o, "data.importBatchId") ?
	    json_str_at(o, "data.importBatchId") : "-"), 1);
	json_object_put(o);
	for (i = 0; i < 4; i++) {
		snprintf(body, sizeof(body), "{\"periodKind\":\"%s\",\"lines\":"
		    "[{\"sku\":\"PK-1\",\"orderedQty\":1,\"orderDate\":"
		    "\"2026-03-02\"}]}", kinds[i]);
		o = API_JSON("POST", INGEST, auth_a, body, 201);
		CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM import_batches "
		    "WHERE public_id = '%s' AND period_kind = '%s'",
		    json_str_at(o, "data.importBatchId") ?
		    json_str_at(o, "data.importBatchId") : "-", kinds[i]), 1);
		json_object_put(o);
	}
	before = batches(org_a_id);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = API_JSON("POST", INGEST, auth_a, bad[i], 400);
		ASSERT_ERROR(o, NULL, "periodKind");
		json_object_put(o);
	}
	CU_ASSERT_EQUAL(batches(org_a_id), before);
}

static void
test_external_source_id(void)
{
	struct sbuf		 b = { 0 };
	struct json_object	*o;
	char			 id[300];
	long			 before;

	memset(id, 'e', 257);
	id[257] = '\0';
	before = batches(org_a_id);
	sb_printf(&b, "{\"externalSourceId\":\"%s\",\"lines\":[{\"sku\":"
	    "\"K-A1\",\"orderedQty\":1,\"orderDate\":\"2026-03-01\"}]}", id);
	o = API_JSON("POST", INGEST, auth_a, b.p, 400);
	ASSERT_ERROR(o, NULL, "externalSourceId");
	json_object_put(o);
	CU_ASSERT_EQUAL(batches(org_a_id), before);
	sb_free(&b);

	/* 256 is allowed and kept whole. */
	id[256] = '\0';
	sb_printf(&b, "{\"externalSourceId\":\"%s\",\"lines\":[{\"sku\":"
	    "\"K-A1\",\"orderedQty\":1,\"orderDate\":\"2026-03-01\"}]}", id);
	o = API_JSON("POST", INGEST, auth_a, b.p, 201);
	CU_ASSERT_EQUAL(db_long("SELECT LENGTH(external_source_id) FROM "
	    "import_batches WHERE public_id = '%s'",
	    json_str_at(o, "data.importBatchId") ?
	    json_str_at(o, "data.importBatchId") : "-"), 256);
	json_object_put(o);
	sb_free(&b);
}

static void
test_batch_limits(void)
{
	struct sbuf		 b = { 0 };
	struct json_object	*o;
	char			 day[11];
	long			 before;
	int			 i;

	before = batches(org_a_id);
	o = API_JSON("POST", INGEST, auth_a, "{\"lines\":[]}", 400);
	ASSERT_ERROR(o, NULL, "lines");
	json_object_put(o);
	o = API_JSON("POST", INGEST, auth_a, "{\"periodKind\":\"DAY\"}", 400);
	ASSERT_ERROR(o, NULL, "lines");
	json_object_put(o);
	o = API_JSON("POST", INGEST, auth_a, "{\"lines\":\"many\"}", 400);
	ASSERT_ERROR(o, NULL, "lines");
	json_object_put(o);
	o = API_JSON("POST", INGEST, auth_a, "{\"lines\":[", 400);
	json_object_put(o);
	o = API_JSON("POST", INGEST, auth_a, "[]", 400);
	json_object_put(o);
	o = API_JSON("POST", INGEST, auth_a, "{\"autoCreateItems\":\"yes\","
	    "\"lines\":[{\"sku\":\"K-A1\",\"orderedQty\":1,\"orderDate\":"
	    "\"2026-03-01\"}]}", 400);
	ASSERT_ERROR(o, NULL, "autoCreateItems");
	json_object_put(o);

	/* 5001 lines: 413 batch_too_large. */
	sb_printf(&b, "{\"autoCreateItems\":true,\"lines\":[");
	for (i = 0; i < 5001; i++) {
		utc_date(-1 - i % 60, day);
		sb_printf(&b, "%s{\"sku\":\"BIG-%d\",\"orderedQty\":%d,"
		    "\"orderDate\":\"%s\"}", i ? "," : "", i % 10, 1 + i % 7,
		    day);
	}
	sb_printf(&b, "]}");
	o = API_JSON("POST", INGEST, auth_a, b.p, 413);
	ASSERT_ERROR(o, "batch_too_large", NULL);
	json_object_put(o);
	CU_ASSERT_EQUAL(batches(org_a_id), before);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM inventory_items WHERE "
	    "org_id = %ld AND sku LIKE 'BIG-%%'", org_a_id), 0);
	sb_free(&b);

	/* Exactly 5000: 201 in 10 chunks of 500. */
	sb_printf(&b, "{\"autoCreateItems\":true,\"lines\":[");
	for (i = 0; i < 5000; i++) {
		utc_date(-1 - i % 60, day);
		sb_printf(&b, "%s{\"sku\":\"BIG-%d\",\"orderedQty\":%d,"
		    "\"orderDate\":\"%s\"}", i ? "," : "", i % 10, 1 + i % 7,
		    day);
	}
	sb_printf(&b, "]}");
	o = API_JSON("POST", INGEST, auth_a, b.p, 201);
	ASSERT_NUM(o, "data.inserted", 5000);
	ASSERT_NUM(o, "data.batchedInserts", 10);
	ASSERT_NUM(o, "data.autoCreatedItems", 10);
	ASSERT_NUM(o, "data.skippedUnknownSku", 0);
	ASSERT_NUM(o, "data.skippedBadDate", 0);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM order_history_lines l "
	    "JOIN import_batches b ON b.id = l.batch_id WHERE b.public_id = "
	    "'%s'", json_str_at(o, "data.importBatchId") ?
	    json_str_at(o, "data.importBatchId") : "-"), 5000);
	json_object_put(o);
	CU_ASSERT_EQUAL(batches(org_a_id), before + 1);
	sb_free(&b);
}

static void
test_line_validation(void)
{
	static const struct {
		const char	*line, *field;
	} cases[] = {
		{ "{\"sku\":\"K-A1\",\"orderedQty\":0,\"orderDate\":"
		    "\"2026-03-01\"}", "lines[2].orderedQty" },
		{ "{\"sku\":\"K-A1\",\"orderedQty\":-3,\"orderDate\":"
		    "\"2026-03-01\"}", "lines[2].orderedQty" },
		{ "{\"sku\":\"K-A1\",\"orderedQty\":\"3\",\"orderDate\":"
		    "\"2026-03-01\"}", "lines[2].orderedQty" },
		{ "{\"sku\":\"K-A1\",\"orderDate\":\"2026-03-01\"}",
		    "lines[2].orderedQty" },
		{ "{\"sku\":\"K-A1\",\"orderedQty\":1e30,\"orderDate\":"
		    "\"2026-03-01\"}", "lines[2].orderedQty" },
		{ "{\"sku\":\"K-A1\",\"orderedQty\":2,\"deliveredQty\":-1,"
		    "\"orderDate\":\"2026-03-01\"}", "lines[2].deliveredQty" },
		{ "{\"sku\":\"K-A1\",\"orderedQty\":2,\"deliveredQty\":\"1\","
		    "\"orderDate\":\"2026-03-01\"}", "lines[2].deliveredQty" },
		{ "{\"orderedQty\":2,\"orderDate\":\"2026-03-01\"}",
		    "lines[2].sku" },
		{ "{\"sku\":\"\",\"orderedQty\":2,\"orderDate\":\"2026-03-01\"}",
		    "lines[2].sku" },
		{ "{\"sku\":17,\"orderedQty\":2,\"orderDate\":\"2026-03-01\"}",
		    "lines[2].sku" },
		{ "{\"sku\":\"K-A1\",\"orderedQty\":2}", "lines[2].orderDate" },
		{ "\"K-A1\"", "lines[2]" },
	};
	struct json_object	*o;
	char			 body[1024], what[64];
	long			 b0, l0;
	size_t			 i;

	b0 = batches(org_a_id);
	l0 = history_lines(org_a_id);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "{\"autoCreateItems\":true,"
		    "\"lines\":[{\"sku\":\"V-OK\",\"orderedQty\":1,"
		    "\"orderDate\":\"2026-03-01\"},{\"sku\":\"K-A1\","
		    "\"orderedQty\":1,\"orderDate\":\"2026-03-02\"},%s]}",
		    cases[i].line);
		o = API_JSON("POST", INGEST, auth_a, body, 400);
		ASSERT_ERROR(o, NULL, cases[i].field);
		json_object_put(o);
		snprintf(what, sizeof(what), "case %zu: nothing written", i);
		CU_assertImplementation(batches(org_a_id) == b0 &&
		    history_lines(org_a_id) == l0, __LINE__, what, __FILE__,
		    "", CU_FALSE);
	}
	/* Not even the item it would have auto-created. */
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM inventory_items WHERE "
	    "org_id = %ld AND sku = 'V-OK'", org_a_id), 0);
}

static void
test_auth_required(void)
{
	static const char body[] = "{\"lines\":[{\"sku\":\"K-A1\","
	    "\"orderedQty\":1,\"orderDate\":\"2026-03-01\"}]}";
	struct json_object	*o;
	long			 before = batches(org_a_id);

	o = API_JSON("POST", INGEST, NULL, body, 401);
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "error.code"));
	json_object_put(o);
	o = API_JSON("POST", INGEST, "Authorization: Bearer rn_live_"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", body, 401);
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "error.code"));
	json_object_put(o);
	o = API_JSON("POST", INGEST, "Authorization: Bearer not-a-key", body,
	    401);
	json_object_put(o);
	CU_ASSERT_EQUAL(batches(org_a_id), before);
}

/*
 * Several ingestions at once that auto-create the same new SKU: each is
 * a valid request, so each gets its 201 (never a 5xx), and the SKU is
 * created once. Three rounds of 8, so that a race shows.
 */
static void
test_concurrent_auto_create(void)
{
	enum { N = 8 };
	struct http_resp	 r[N];
	char			 body[512], msg[300];
	unsigned		 tag = (unsigned)rand();
	int			 i, round;

	for (round = 0; round < 3; round++) {
		snprintf(body, sizeof(body), "{\"externalSourceId\":"
		    "\"race-%u-%d\",\"autoCreateItems\":true,\"lines\":[{"
		    "\"sku\":\"RACE-NEW-%u-%d\",\"orderedQty\":1,"
		    "\"orderDate\":\"2026-03-01\"}]}", tag, round, tag, round);
		api_race(N, "POST", INGEST, auth_a, NULL, body, r);
		for (i = 0; i < N; i++) {
			snprintf(msg, sizeof(msg), "round %d racer %d: %.250s",
			    round, i, r[i].body);
			CU_assertImplementation(r[i].status == 201, __LINE__,
			    msg, __FILE__, "", CU_FALSE);
			http_resp_free(&r[i]);
		}
		CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM inventory_items "
		    "WHERE org_id = %ld AND sku = 'RACE-NEW-%u-%d'", org_a_id,
		    tag, round), 1);
		CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM import_batches "
		    "WHERE org_id = %ld AND external_source_id = 'race-%u-%d'",
		    org_a_id, tag, round), N);
	}
}

void
suite_ingest_register(void)
{
	CU_pSuite	 s = CU_add_suite("ingestion", ingest_init, NULL);

	CU_add_test(s, "known input: exact counts, UTC dates, batch, event",
	    test_known_input);
	CU_add_test(s, "autoCreateItems names items by itemName or sku",
	    test_auto_create);
	CU_add_test(s, "periodKind default CUSTOM, enum, bad is 400",
	    test_period_kind);
	CU_add_test(s, "externalSourceId: 256 kept, 257 is 400",
	    test_external_source_id);
	CU_add_test(s, "0 lines 400, 5001 lines 413, 5000 lines in 10 chunks",
	    test_batch_limits);
	CU_add_test(s, "bad line: 400 naming lines[N].field, nothing written",
	    test_line_validation);
	CU_add_test(s, "missing or invalid key: 401", test_auth_required);
	CU_add_test(s, "concurrent auto-create of one SKU: all 201, one item",
	    test_concurrent_auto_create);
}
