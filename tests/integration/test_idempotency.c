/*
 * test_idempotency.c - Idempotency-Key on ingestion (and one order
 * create): a replay is byte-identical and marked, quoting does not make
 * another key, another body is 422, concurrent duplicates write once,
 * keys are per API key, and a refused request does not burn its key.
 * The number of batches written is checked in the database.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "itest.h"

#define INGEST	"/api/integrations/v1/ingestion/order-lines"

static char	 org[64], auth1[200], auth2[200];
static long	 org_id;
static unsigned	 run_tag;

static int
idem_init(void)
{
	if (!fixture_org_auth(org, auth1) || !fixture_auth(org, auth2))
		return 1;
	if ((org_id = db_org_id(org)) <= 0)
		return 1;
	run_tag = (unsigned)rand();
	return 0;
}

/* A small valid body whose batch is tagged by externalSourceId. */
static void
body_for(char *buf, size_t size, const char *tag, int qty)
{
	snprintf(buf, size, "{\"externalSourceId\":\"%s\",\"autoCreateItems\":"
	    "true,\"lines\":[{\"sku\":\"IDEM-1\",\"orderedQty\":%d,"
	    "\"orderDate\":\"2026-03-01\"}]}", tag, qty);
}

static long
tagged(const char *tag)
{
	return db_long("SELECT COUNT(*) FROM import_batches WHERE org_id = %ld "
	    "AND external_source_id = '%s'", org_id, tag);
}

static void
same_bytes(const struct http_resp *a, const struct http_resp *b)
{
	CU_ASSERT_EQUAL(a->status, b->status);
	CU_ASSERT_EQUAL(a->len, b->len);
	CU_ASSERT(a->len == b->len && memcmp(a->body, b->body, a->len) == 0);
}

static void
test_replay(void)
{
	struct http_resp	 r1, r2, r3;
	char			 body[512], tag[64], key[128];

	snprintf(tag, sizeof(tag), "replay-%u", run_tag);
	snprintf(key, sizeof(key), "Idempotency-Key: replay-%u", run_tag);
	body_for(body, sizeof(body), tag, 2);
	api_do(&r1, "POST", INGEST, auth1, key, body);
	ASSERT_STATUS(&r1, 201);
	CU_ASSERT(!http_replayed(&r1));
	api_do(&r2, "POST", INGEST, auth1, key, body);
	ASSERT_STATUS(&r2, 201);
	CU_ASSERT(http_replayed(&r2));
	same_bytes(&r1, &r2);
	api_do(&r3, "POST", INGEST, auth1, key, body);
	ASSERT_STATUS(&r3, 201);
	CU_ASSERT(http_replayed(&r3));
	same_bytes(&r1, &r3);
	CU_ASSERT_EQUAL(tagged(tag), 1);
	http_resp_free(&r1);
	http_resp_free(&r2);
	http_resp_free(&r3);
}

static void
test_quoted_is_same_key(void)
{
	struct http_resp	 r1, r2;
	char			 body[512], tag[64], k1[128], k2[128];

	snprintf(tag, sizeof(tag), "quoted-%u", run_tag);
	snprintf(k1, sizeof(k1), "Idempotency-Key: \"abc-%u\"", run_tag);
	snprintf(k2, sizeof(k2), "Idempotency-Key: abc-%u", run_tag);
	body_for(body, sizeof(body), tag, 3);
	api_do(&r1, "POST", INGEST, auth1, k1, body);
	ASSERT_STATUS(&r1, 201);
	api_do(&r2, "POST", INGEST, auth1, k2, body);
	ASSERT_STATUS(&r2, 201);
	CU_ASSERT(http_replayed(&r2));
	same_bytes(&r1, &r2);
	CU_ASSERT_EQUAL(tagged(tag), 1);
	http_resp_free(&r1);
	http_resp_free(&r2);
}

static void
test_other_body_422(void)
{
	struct http_resp	 r;
	struct json_object	*o;
	char			 body[512], other[512], tag[64], tag2[64];
	char			 key[128];

	snprintf(tag, sizeof(tag), "reuse-%u", run_tag);
	snprintf(tag2, sizeof(tag2), "reuse2-%u", run_tag);
	snprintf(key, sizeof(key), "Idempotency-Key: reuse-%u", run_tag);
	body_for(body, sizeof(body), tag, 1);
	body_for(other, sizeof(other), tag2, 1);
	json_object_put(API_JSON_H("POST", INGEST, auth1, key, body, 201));
	api_do(&r, "POST", INGEST, auth1, key, other);
	ASSERT_STATUS(&r, 422);
	CU_ASSERT(!http_replayed(&r));
	o = http_json(&r);
	ASSERT_ERROR(o, "idempotency_key_reused", NULL);
	json_object_put(o);
	http_resp_free(&r);
	/* The same body with another quantity is another body too. */
	body_for(other, sizeof(other), tag, 9);
	o = API_JSON_H("POST", INGEST, auth1, key, other, 422);
	ASSERT_ERROR(o, "idempotency_key_reused", NULL);
	json_object_put(o);
	CU_ASSERT_EQUAL(tagged(tag), 1);
	CU_ASSERT_EQUAL(tagged(tag2), 0);
}

struct racer {
	pthread_barrier_t	*bar;
	const char		*key, *body;
	struct http_resp	 r;
};

static void *
racer_run(void *arg)
{
	struct racer	*rc = arg;

	pthread_barrier_wait(rc->bar);
	api_do(&rc->r, "POST", INGEST, auth1, rc->key, rc->body);
	return NULL;
}

static void
test_concurrent(void)
{
	enum { N = 8 };
	pthread_barrier_t	 bar;
	pthread_t		 th[N];
	struct racer		 rc[N];
	struct sbuf		 b = { 0 };
	struct json_object	*o;
	char			 tag[64], key[128], day[11], msg[300];
	char			*batch = NULL;
	const char		*id, *code;
	int			 i, created = 0, busy = 0;

	snprintf(tag, sizeof(tag), "race-%u", run_tag);
	snprintf(key, sizeof(key), "Idempotency-Key: race-%u", run_tag);
	/* Big enough that the first request is still running when the
	 * others arrive. */
	sb_printf(&b, "{\"externalSourceId\":\"%s\",\"autoCreateItems\":true,"
	    "\"lines\":[", tag);
	for (i = 0; i < 3000; i++) {
		utc_date(-1 - i % 90, day);
		sb_printf(&b, "%s{\"sku\":\"RACE-%d\",\"orderedQty\":%d,"
		    "\"orderDate\":\"%s\"}", i ? "," : "", i % 20, 1 + i % 5,
		    day);
	}
	sb_printf(&b, "]}");
	pthread_barrier_init(&bar, NULL, N);
	for (i = 0; i < N; i++) {
		rc[i].bar = &bar;
		rc[i].key = key;
		rc[i].body = b.p;
		pthread_create(&th[i], NULL, racer_run, &rc[i]);
	}
	for (i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&bar);

	for (i = 0; i < N; i++) {
		o = http_json(&rc[i].r);
		snprintf(msg, sizeof(msg), "racer %d: %ld %.200s", i,
		    rc[i].r.status, rc[i].r.body);
		if (rc[i].r.status == 201) {
			created++;
			id = json_str_at(o, "data.importBatchId");
			CU_assertImplementation(id != NULL, __LINE__, msg,
			    __FILE__, "", CU_FALSE);
			if (id != NULL && batch == NULL)
				batch = strdup(id);
			else if (id != NULL)
				CU_assertImplementation(strcmp(id, batch) == 0,
				    __LINE__, msg, __FILE__, "", CU_FALSE);
		} else if (rc[i].r.status == 409) {
			busy++;
			code = json_str_at(o, "error.code");
			CU_assertImplementation(code != NULL &&
			    strcmp(code, "idempotency_in_flight") == 0,
			    __LINE__, msg, __FILE__, "", CU_FALSE);
		} else
			CU_assertImplementation(0, __LINE__, msg, __FILE__,
			    "", CU_FALSE);
		json_object_put(o);
		http_resp_free(&rc[i].r);
	}
	fprintf(stderr, "[idempotency race: %d x 201, %d x 409] ", created,
	    busy);
	CU_ASSERT(created >= 1);
	CU_ASSERT_EQUAL(created + busy, N);
	CU_ASSERT_EQUAL(tagged(tag), 1);
	/* One batch of 3000 lines, not more. */
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM order_history_lines l "
	    "JOIN import_batches b ON b.id = l.batch_id WHERE b.org_id = %ld "
	    "AND b.external_source_id = '%s'", org_id, tag), 3000);
	/* Afterwards the key replays the one answer. */
	o = API_JSON_H("POST", INGEST, auth1, key, b.p, 201);
	if (batch != NULL)
		ASSERT_EQS(json_str_at(o, "data.importBatchId"), batch,
		    "replay after the race");
	json_object_put(o);
	free(batch);
	sb_free(&b);
}

static void
test_per_api_key(void)
{
	struct http_resp	 r1, r2;
	char			 body[512], body2[512], tag[64], tag2[64];
	char			 key[128];
	struct json_object	*o1, *o2, *o3;

	snprintf(tag, sizeof(tag), "perkey-%u", run_tag);
	snprintf(tag2, sizeof(tag2), "perkey2-%u", run_tag);
	snprintf(key, sizeof(key), "Idempotency-Key: shared-%u", run_tag);
	body_for(body, sizeof(body), tag, 4);
	body_for(body2, sizeof(body2), tag2, 4);
	api_do(&r1, "POST", INGEST, auth1, key, body);
	ASSERT_STATUS(&r1, 201);
	/* The other API key, same Idempotency-Key and body: its own
	 * request, not a replay of key 1's answer. */
	api_do(&r2, "POST", INGEST, auth2, key, body);
	ASSERT_STATUS(&r2, 201);
	CU_ASSERT(!http_replayed(&r2));
	o1 = http_json(&r1);
	o2 = http_json(&r2);
	CU_ASSERT(json_str_at(o1, "data.importBatchId") != NULL &&
	    json_str_at(o2, "data.importBatchId") != NULL &&
	    strcmp(json_str_at(o1, "data.importBatchId"),
	    json_str_at(o2, "data.importBatchId")) != 0);
	CU_ASSERT_EQUAL(tagged(tag), 2);
	http_resp_free(&r2);
	/* Key 2 now has its own record of that key: another body is 422. */
	o3 = API_JSON_H("POST", INGEST, auth2, key, body2, 422);
	ASSERT_ERROR(o3, "idempotency_key_reused", NULL);
	json_object_put(o3);
	CU_ASSERT_EQUAL(tagged(tag2), 0);
	/* Key 1 still replays its own. */
	o3 = API_JSON_H("POST", INGEST, auth1, key, body, 201);
	ASSERT_EQS(json_str_at(o3, "data.importBatchId"),
	    json_str_at(o1, "data.importBatchId") ?
	    json_str_at(o1, "data.importBatchId") : "?", "key 1 replay");
	CU_ASSERT_EQUAL(tagged(tag), 2);
	json_object_put(o1);
	json_object_put(o2);
	json_object_put(o3);
	http_resp_free(&r1);
}

static void
test_reuse_after_400(void)
{
	struct http_resp	 r;
	struct json_object	*o;
	char			 body[512], tag[64], key[128];

	snprintf(tag, sizeof(tag), "after400-%u", run_tag);
	snprintf(key, sizeof(key), "Idempotency-Key: after400-%u", run_tag);
	body_for(body, sizeof(body), tag, 0);		/* orderedQty 0 */
	o = API_JSON_H("POST", INGEST, auth1, key, body, 400);
	ASSERT_ERROR(o, NULL, "lines[0].orderedQty");
	json_object_put(o);
	body_for(body, sizeof(body), tag, 5);
	api_do(&r, "POST", INGEST, auth1, key, body);
	ASSERT_STATUS(&r, 201);
	CU_ASSERT(!http_replayed(&r));
	http_resp_free(&r);
	api_do(&r, "POST", INGEST, auth1, key, body);
	ASSERT_STATUS(&r, 201);
	CU_ASSERT(http_replayed(&r));
	http_resp_free(&r);
	CU_ASSERT_EQUAL(tagged(tag), 1);
}

static void
test_key_too_long(void)
{
	char			 key[400], body[512], tag[64];
	struct json_object	*o;

	snprintf(tag, sizeof(tag), "long-%u", run_tag);
	body_for(body, sizeof(body), tag, 1);
	snprintf(key, sizeof(key), "Idempotency-Key: ");
	memset(key + strlen(key), 'k', 256);
	key[17 + 256] = '\0';
	o = API_JSON_H("POST", INGEST, auth1, key, body, 400);
	ASSERT_ERROR(o, NULL, "Idempotency-Key");
	json_object_put(o);
	CU_ASSERT_EQUAL(tagged(tag), 0);
	/* Not printable ASCII, or empty between quotes. */
	o = API_JSON_H("POST", INGEST, auth1, "Idempotency-Key: cl\xc3\xa9",
	    body, 400);
	ASSERT_ERROR(o, NULL, "Idempotency-Key");
	json_object_put(o);
	o = API_JSON_H("POST", INGEST, auth1, "Idempotency-Key: \"\"", body,
	    400);
	ASSERT_ERROR(o, NULL, "Idempotency-Key");
	json_object_put(o);
	CU_ASSERT_EQUAL(tagged(tag), 0);
	/* 255 is fine. */
	key[17 + 255] = '\0';
	json_object_put(API_JSON_H("POST", INGEST, auth1, key, body, 201));
	CU_ASSERT_EQUAL(tagged(tag), 1);
}

static void
test_order_create_replay(void)
{
	char			 o2[64], a2[200], key[128];
	struct http_resp	 r1, r2;
	struct json_object	*o;

	CU_ASSERT_FATAL(fixture_org_auth(o2, a2));
	json_object_put(API_JSON("POST", "/api/integrations/v1/inventory/items",
	    a2, "{\"sku\":\"IDO-1\",\"name\":\"x\"}", 201));
	snprintf(key, sizeof(key), "Idempotency-Key: order-%u", run_tag);
	api_do(&r1, "POST", "/api/integrations/v1/orders", a2, key,
	    "{\"lines\":[{\"sku\":\"IDO-1\",\"quantity\":2}]}");
	ASSERT_STATUS(&r1, 201);
	api_do(&r2, "POST", "/api/integrations/v1/orders", a2, key,
	    "{\"lines\":[{\"sku\":\"IDO-1\",\"quantity\":2}]}");
	ASSERT_STATUS(&r2, 201);
	CU_ASSERT(http_replayed(&r2));
	same_bytes(&r1, &r2);
	o = API_JSON("GET", "/api/integrations/v1/orders", a2, NULL, 200);
	CU_ASSERT_EQUAL(json_len_at(o, "data"), 1);
	json_object_put(o);
	http_resp_free(&r1);
	http_resp_free(&r2);
}

/*
 * Every POST and PUT takes the key: an adjustment, a status move and a
 * PUT by SKU retried with their key write once and replay.
 */
static void
test_other_writes(void)
{
	char			 o2[64], a2[200], key[128], path[256];
	char			 ipath[256], *item = NULL, *order = NULL;
	struct http_resp	 r1, r2;
	struct json_object	*o;

	CU_ASSERT_FATAL(fixture_org_auth(o2, a2));
	o = API_JSON("POST", "/api/integrations/v1/inventory/items", a2,
	    "{\"sku\":\"IDW-1\",\"name\":\"x\",\"stockOnHand\":10}", 201);
	if (json_str_at(o, "data.id") != NULL)
		item = strdup(json_str_at(o, "data.id"));
	json_object_put(o);
	CU_ASSERT_FATAL(item != NULL);

	/* Adjustment: -3 sent twice with one key takes 3 once. */
	snprintf(key, sizeof(key), "Idempotency-Key: adj-%u", run_tag);
	snprintf(path, sizeof(path), "/api/integrations/v1/inventory/items/%s/"
	    "adjustments", item);
	snprintf(ipath, sizeof(ipath), "/api/integrations/v1/inventory/items/"
	    "%s", item);
	api_do(&r1, "POST", path, a2, key, "{\"delta\":-3,\"reason\":\"sold\"}");
	ASSERT_STATUS(&r1, 200);
	api_do(&r2, "POST", path, a2, key, "{\"delta\":-3,\"reason\":\"sold\"}");
	ASSERT_STATUS(&r2, 200);
	CU_ASSERT(http_replayed(&r2));
	same_bytes(&r1, &r2);
	http_resp_free(&r1);
	http_resp_free(&r2);
	o = API_JSON("GET", ipath, a2, NULL, 200);
	ASSERT_NUM(o, "data.stockOnHand", 7);
	json_object_put(o);

	/* PUT by SKU: the retry replays the first answer (201), and does
	 * not turn into an update. */
	snprintf(key, sizeof(key), "Idempotency-Key: put-%u", run_tag);
	api_do(&r1, "PUT", "/api/integrations/v1/inventory/items/by-sku/IDW-2",
	    a2, key, "{\"name\":\"Put once\"}");
	ASSERT_STATUS(&r1, 201);
	api_do(&r2, "PUT", "/api/integrations/v1/inventory/items/by-sku/IDW-2",
	    a2, key, "{\"name\":\"Put once\"}");
	ASSERT_STATUS(&r2, 201);
	CU_ASSERT(http_replayed(&r2));
	same_bytes(&r1, &r2);
	http_resp_free(&r1);
	http_resp_free(&r2);

	/* A status move retried: the replay is 200, not 409. */
	o = API_JSON("POST", "/api/integrations/v1/orders", a2,
	    "{\"lines\":[{\"sku\":\"IDW-1\",\"quantity\":1}]}", 201);
	if (json_str_at(o, "data.id") != NULL)
		order = strdup(json_str_at(o, "data.id"));
	json_object_put(o);
	CU_ASSERT_FATAL(order != NULL);
	snprintf(key, sizeof(key), "Idempotency-Key: status-%u", run_tag);
	snprintf(path, sizeof(path), "/api/integrations/v1/orders/%s/status",
	    order);
	api_do(&r1, "POST", path, a2, key, "{\"status\":\"SUBMITTED\"}");
	ASSERT_STATUS(&r1, 200);
	api_do(&r2, "POST", path, a2, key, "{\"status\":\"SUBMITTED\"}");
	ASSERT_STATUS(&r2, 200);
	CU_ASSERT(http_replayed(&r2));
	same_bytes(&r1, &r2);
	http_resp_free(&r1);
	http_resp_free(&r2);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM events e JOIN "
	    "organizations o ON o.id = e.org_id WHERE o.slug = '%s' AND "
	    "e.type = 'order.status_changed'", o2), 1);
	free(item);
	free(order);
}

void
suite_idempotency_register(void)
{
	CU_pSuite	 s = CU_add_suite("idempotency", idem_init, NULL);

	CU_add_test(s, "replay: same status, same bytes, marked, one batch",
	    test_replay);
	CU_add_test(s, "quoted and unquoted key are one key",
	    test_quoted_is_same_key);
	CU_add_test(s, "same key, another body: 422 idempotency_key_reused",
	    test_other_body_422);
	CU_add_test(s, "8 concurrent duplicates: one batch, 201 or 409",
	    test_concurrent);
	CU_add_test(s, "keys are per API key", test_per_api_key);
	CU_add_test(s, "after a 400 the key can be used", test_reuse_after_400);
	CU_add_test(s, "a key of 256 characters or not ASCII is 400",
	    test_key_too_long);
	CU_add_test(s, "order create replay writes one order",
	    test_order_create_replay);
	CU_add_test(s, "adjustment, PUT by SKU, status move: replayed once",
	    test_other_writes);
}
