/*
 * test_ratelimit.c - ingestion allows 120 requests a minute per key,
 * counted across the whole FastCGI pool: a burst from 4 threads gets
 * exactly 120 through in one fixed minute, then 429 rate_limited with
 * Retry-After and X-RateLimit-*; refused requests write nothing, and
 * another key of the same organization is not limited.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "itest.h"

#define INGEST	"/api/integrations/v1/ingestion/order-lines"
#define LIMIT	120
#define BURST	(LIMIT + 6)
#define THREADS	4

static char	 org[64], auth_org[200];
static long	 org_id;

static int
rl_init(void)
{
	if (!fixture_org_auth(org, auth_org) || (org_id = db_org_id(org)) <= 0)
		return 1;
	return 0;
}

struct burst {
	const char		*auth, *body;
	atomic_int		 next;
	long			 status[BURST];
	pthread_mutex_t		 mu;
	struct http_resp	 first429;
	int			 have429;
	char			 other[256];	/* the first other answer */
	time_t			 minute;
};

static void *
burst_run(void *arg)
{
	struct burst		*b = arg;
	struct http_resp	 r;
	int			 i;

	while ((i = atomic_fetch_add(&b->next, 1)) < BURST) {
		api_do(&r, "POST", INGEST, b->auth, NULL, b->body);
		b->status[i] = r.status;
		pthread_mutex_lock(&b->mu);
		if (r.status == 429 && !b->have429) {
			b->first429 = r;
			b->have429 = 1;
			memset(&r, 0, sizeof(r));
		} else if (r.status != 201 && r.status != 429 &&
		    b->other[0] == '\0')
			snprintf(b->other, sizeof(b->other), "%ld %.200s",
			    r.status, r.body);
		pthread_mutex_unlock(&b->mu);
		http_resp_free(&r);
	}
	return NULL;
}

/* One burst with a fresh key; 1 if it stayed within one minute. */
static int
burst_once(struct burst *b, char *auth, char *tag, size_t tagsize,
    char *body, size_t bodysize)
{
	pthread_t	 th[THREADS];
	time_t		 t0, t1;
	int		 i;

	CU_ASSERT_FATAL(fixture_auth(org, auth));
	snprintf(tag, tagsize, "rl-%u", (unsigned)rand());
	snprintf(body, bodysize, "{\"externalSourceId\":\"%s\","
	    "\"lines\":[{\"sku\":\"RL-1\","
	    "\"orderedQty\":1,\"orderDate\":\"2026-03-01\"}]}", tag);
	memset(b, 0, sizeof(*b));
	b->auth = auth;
	b->body = body;
	atomic_init(&b->next, 0);
	pthread_mutex_init(&b->mu, NULL);
	early_in_minute(53);
	t0 = time(NULL);
	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, burst_run, b);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	t1 = time(NULL);
	pthread_mutex_destroy(&b->mu);
	b->minute = t1 / 60;
	return t0 / 60 == t1 / 60;
}

static void
test_limit_across_pool(void)
{
	static struct burst	 b;
	char			 auth[200], tag[64], body[512], msg[512];
	char			*h;
	struct json_object	*o;
	long			 v;
	int			 i, ok = 0, limited = 0, other = 0, tries;

	/* The item exists first: the burst only measures the limit. */
	json_object_put(API_JSON("POST", "/api/integrations/v1/inventory/items",
	    auth_org, "{\"sku\":\"RL-1\",\"name\":\"Rate\"}", 201));
	for (tries = 0; tries < 2; tries++) {
		if (burst_once(&b, auth, tag, sizeof(tag), body, sizeof(body)))
			break;
		fprintf(stderr, "rate limit burst straddled a minute; again\n");
		if (b.have429)
			http_resp_free(&b.first429);
	}
	for (i = 0; i < BURST; i++) {
		if (b.status[i] == 201)
			ok++;
		else if (b.status[i] == 429)
			limited++;
		else
			other++;
	}
	snprintf(msg, sizeof(msg), "burst of %d: %d passed, %d limited, "
	    "%d other (want %d, %d, 0); first other: %.200s", BURST, ok,
	    limited, other, LIMIT, BURST - LIMIT, b.other);
	CU_assertImplementation(ok == LIMIT && limited == BURST - LIMIT &&
	    other == 0, __LINE__, msg, __FILE__, "", CU_FALSE);
	/* Only the requests let through wrote a batch. */
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM import_batches WHERE "
	    "org_id = %ld AND external_source_id = '%s'", org_id, tag), ok);

	CU_ASSERT_FATAL(b.have429);
	h = http_header(&b.first429, "Retry-After");
	CU_ASSERT_PTR_NOT_NULL(h);
	v = h ? strtol(h, NULL, 10) : 0;
	CU_ASSERT(v >= 1 && v <= 60);
	free(h);
	ASSERT_HDR(&b.first429, "X-RateLimit-Limit", "120");
	ASSERT_HDR(&b.first429, "X-RateLimit-Remaining", "0");
	h = http_header(&b.first429, "X-RateLimit-Reset");
	CU_ASSERT(h != NULL && *h >= '0' && *h <= '9');
	free(h);
	o = http_json(&b.first429);
	ASSERT_ERROR(o, "rate_limited", NULL);
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "error.requestId"));
	json_object_put(o);
	http_resp_free(&b.first429);

	/* Still limited on the next request with that key (in the same
	 * minute)... */
	if (time(NULL) / 60 == b.minute) {
		o = API_JSON("POST", INGEST, auth, body, 429);
		ASSERT_ERROR(o, "rate_limited", NULL);
		json_object_put(o);
	}
	/* ...but not another key of the same organization. */
	json_object_put(API_JSON("POST", INGEST, auth_org, body, 201));
}

void
suite_ratelimit_register(void)
{
	CU_pSuite	 s = CU_add_suite("rate limit", rl_init, NULL);

	CU_add_test(s, "120/min per key across the pool, then 429",
	    test_limit_across_pool);
}
