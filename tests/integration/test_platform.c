/*
 * test_platform.c - shared behaviour of every request: health, 404 and
 * 405 as JSON, the body cap, malformed JSON, and the request id in the
 * header, the error body and the web server's log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "itest.h"

static char	 org[64], key[128], key_id[37];
static char	 auth[200];

static int
platform_init(void)
{
	if (!fixture_org(org) || !fixture_key(org, "integration", NULL, key,
	    key_id))
		return 1;
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	return 0;
}

static void
test_healthz(void)
{
	struct http_resp	 r;
	struct json_object	*o;

	http_do("GET", "/api/healthz", NULL, NULL, 0, &r);
	ASSERT_STATUS(&r, 200);
	o = http_json(&r);
	CU_ASSERT_PTR_NOT_NULL(o);
	ASSERT_STR(json_path_str(o, "db"), "up", "healthz db");
	CU_ASSERT(strstr(r.body, "\"ok\":true") != NULL);
	json_object_put(o);
	http_resp_free(&r);

	http_do("HEAD", "/api/healthz", NULL, NULL, 0, &r);
	ASSERT_STATUS(&r, 200);
	CU_ASSERT_EQUAL(r.len, 0);
	http_resp_free(&r);
}

static void
test_not_found_json(void)
{
	const char *const	 h[] = { auth, NULL };
	struct http_resp	 r;
	struct json_object	*o;

	http_do("GET", "/api/integrations/v1/no-such-thing", h, NULL, 0, &r);
	ASSERT_STATUS(&r, 404);
	o = http_json(&r);
	ASSERT_STR(json_path_str(o, "error.code"), "not_found", "404 code");
	json_object_put(o);
	http_resp_free(&r);

	/* Outside every family: still JSON. */
	http_do("GET", "/api/nothing-here", NULL, NULL, 0, &r);
	ASSERT_STATUS(&r, 404);
	o = http_json(&r);
	ASSERT_STR(json_path_str(o, "error.code"), "not_found", "404 outside");
	json_object_put(o);
	http_resp_free(&r);
}

static void
test_method_not_allowed(void)
{
	const char *const	 h[] = { auth, NULL };
	struct http_resp	 r;
	struct json_object	*o;
	char			*allow;

	http_do("DELETE", "/api/integrations/v1/whoami", h, NULL, 0, &r);
	ASSERT_STATUS(&r, 405);
	o = http_json(&r);
	ASSERT_STR(json_path_str(o, "error.code"), "method_not_allowed",
	    "405 code");
	allow = http_header(&r, "Allow");
	ASSERT_STR(allow, "GET", "Allow header");
	free(allow);
	json_object_put(o);
	http_resp_free(&r);
}

static void
test_body_too_large(void)
{
	const char *const	 h[] = { auth, "Content-Type: application/json",
				    NULL };
	struct http_resp	 r;
	struct json_object	*o;
	long long		 cap = atoll(itest_env("MIHWAR_MAX_BODY"));
	size_t			 n = (size_t)cap + 10;
	char			*big = malloc(n);

	/* {"name":"xxx…"}: padded inside a string, so that a proxy that
	 * parses and writes JSON again (scripts/check.sh) keeps the size. */
	memset(big, 'x', n);
	memcpy(big, "{\"name\":\"", 9);
	memcpy(big + n - 2, "\"}", 2);
	http_do("POST", "/api/integrations/v1/inventory/items", h, big, n, &r);
	ASSERT_STATUS(&r, 413);
	o = http_json(&r);
	ASSERT_STR(json_path_str(o, "error.code"), "payload_too_large",
	    "413 code");
	json_object_put(o);
	http_resp_free(&r);

	/* Exactly at the cap is read (and then judged on its content). */
	memcpy(big + cap - 2, "\"}", 2);
	http_do("POST", "/api/integrations/v1/inventory/items", h, big,
	    (size_t)cap, &r);
	ASSERT_STATUS(&r, 400);
	http_resp_free(&r);
	free(big);

	http_do("GET", "/api/healthz", NULL, NULL, 0, &r);
	ASSERT_STATUS(&r, 200);
	http_resp_free(&r);
}

static void
test_malformed_json(void)
{
	static const struct {
		const char	*name, *body;
		const char	*code;
	} cases[] = {
		{ "truncated", "{\"sku\":", "invalid_json" },
		{ "trailing junk", "{\"sku\":\"a\",\"name\":\"b\"} x",
		    "invalid_json" },
		{ "single quotes", "{'sku':'a'}", "invalid_json" },
		{ "bad utf-8", "{\"sku\":\"\xff\",\"name\":\"b\"}",
		    "invalid_json" },
		{ "empty", "", "invalid_json" },
		{ "array", "[1,2]", "invalid_body" },
		{ "wrong type", "{\"sku\":5,\"name\":\"b\"}", "invalid_body" },
	};
	const char *const	 h[] = { auth, NULL };
	struct http_resp	 r;
	struct json_object	*o;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		http_do("POST", "/api/integrations/v1/inventory/items", h,
		    cases[i].body, strlen(cases[i].body), &r);
		ASSERT_STATUS(&r, 400);
		o = http_json(&r);
		ASSERT_STR(json_path_str(o, "error.code"), cases[i].code,
		    cases[i].name);
		json_object_put(o);
		http_resp_free(&r);
	}
}

/* 1 when the web server's error log has a request line for id. */
static int
log_has_request(const char *id)
{
	char	 line[8192], want[128];
	FILE	*f;
	int	 found = 0, tries;

	snprintf(want, sizeof(want), "req id=%s ", id);
	/* The log line may reach the file a moment after the response. */
	for (tries = 0; tries < 20 && !found; tries++) {
		if ((f = fopen(itest_env("MIHWAR_WEB_LOG"), "r")) == NULL)
			return 0;
		while (!found && fgets(line, sizeof(line), f) != NULL)
			found = strstr(line, want) != NULL;
		fclose(f);
		if (!found)
			usleep(100000);
	}
	return found;
}

static void
test_request_id(void)
{
	const char *const	 given[] = { "X-Request-Id: itest-given-0001",
				    NULL };
	struct http_resp	 r;
	struct json_object	*o;
	char			*id;

	/* Minted: 32 hex characters, the same in header, body and log. */
	http_do("GET", "/api/integrations/v1/whoami", NULL, NULL, 0, &r);
	ASSERT_STATUS(&r, 401);
	id = http_header(&r, "X-Request-Id");
	CU_ASSERT_FATAL(id != NULL);
	CU_ASSERT_EQUAL(strlen(id), 32);
	o = http_json(&r);
	ASSERT_STR(json_path_str(o, "error.requestId"), id, "body requestId");
	CU_ASSERT(log_has_request(id));
	json_object_put(o);
	free(id);
	http_resp_free(&r);

	/* A caller's plain id is kept, so logs join across systems. */
	http_do("GET", "/api/healthz", given, NULL, 0, &r);
	id = http_header(&r, "X-Request-Id");
	ASSERT_STR(id, "itest-given-0001", "given id");
	CU_ASSERT(log_has_request("itest-given-0001"));
	free(id);
	http_resp_free(&r);
}

/* Console sign-in: 5 failures for an account within 15 minutes lock it
 * (429, Retry-After) even with the right password; other accounts are
 * not affected. */
static void
test_login_throttle(void)
{
	char			 slug[64], a[128], b[128], args[300];
	struct http_resp	 r;
	char			*ra;
	int			 i;

	CU_ASSERT_FATAL(fixture_org(slug));
	snprintf(a, sizeof(a), "locked@%s.example", slug);
	snprintf(b, sizeof(b), "other@%s.example", slug);
	snprintf(args, sizeof(args), "user create --org %s --email %s "
	    "--password-stdin --role admin", slug, a);
	CU_ASSERT_FATAL(ctl_run(args, "right-password-1\n", NULL) == 0);
	snprintf(args, sizeof(args), "user create --org %s --email %s "
	    "--password-stdin", slug, b);
	CU_ASSERT_FATAL(ctl_run(args, "right-password-2\n", NULL) == 0);

	CU_ASSERT_EQUAL(console_login(a, "right-password-1", &r), 303);
	http_resp_free(&r);
	for (i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(console_login(a, "wrong-password", &r), 401);
		http_resp_free(&r);
	}
	CU_ASSERT_EQUAL(console_login(a, "right-password-1", &r), 429);
	ra = http_header(&r, "Retry-After");
	CU_ASSERT_PTR_NOT_NULL(ra);
	free(ra);
	http_resp_free(&r);
	CU_ASSERT_EQUAL(console_login(b, "right-password-2", &r), 303);
	http_resp_free(&r);
}

void
suite_platform_register(void)
{
	CU_pSuite	 s = CU_add_suite("platform", platform_init, NULL);

	CU_add_test(s, "healthz", test_healthz);
	CU_add_test(s, "404 as JSON", test_not_found_json);
	CU_add_test(s, "405 with Allow", test_method_not_allowed);
	CU_add_test(s, "413 over the body cap", test_body_too_large);
	CU_add_test(s, "400 for malformed JSON", test_malformed_json);
	CU_add_test(s, "request id in header, body and log", test_request_id);
	CU_add_test(s, "console sign-in throttled per account",
	    test_login_throttle);
}
