/*
 * test_items.c - creating and reading inventory items: validation that
 * names the field and writes nothing, duplicates, and tenant isolation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "itest.h"

static char	 auth_a[200], auth_b[200];

static int
items_init(void)
{
	char	 org[64], tok[128], id[37];

	if (!fixture_org(org) || !fixture_key(org, "integration", NULL, tok, id))
		return 1;
	snprintf(auth_a, sizeof(auth_a), "Authorization: Bearer %s", tok);
	if (!fixture_org(org) || !fixture_key(org, "integration", NULL, tok, id))
		return 1;
	snprintf(auth_b, sizeof(auth_b), "Authorization: Bearer %s", tok);
	return 0;
}

static struct json_object *
items_post(const char *auth, const char *body, int want)
{
	const char *const	 h[] = { auth, NULL };
	struct http_resp	 r;
	struct json_object	*o;

	http_do("POST", "/api/integrations/v1/inventory/items", h, body,
	    strlen(body), &r);
	ASSERT_STATUS(&r, want);
	o = http_json(&r);
	http_resp_free(&r);
	return o;
}

static void
test_create_and_get(void)
{
	const char *const	 h[] = { auth_a, NULL };
	struct json_object	*o, *g;
	struct http_resp	 r;
	char			 path[200];
	const char		*id;

	o = items_post(auth_a, "{\"sku\":\"COF-1KG\",\"name\":\"Coffee <b>\","
	    "\"stockOnHand\":12.5,\"unitCost\":18.25,\"leadTimeDays\":3,"
	    "\"category\":\"Coffee\"}", 201);
	id = json_path_str(o, "data.id");
	CU_ASSERT_FATAL(id != NULL);
	ASSERT_STR(json_path_str(o, "data.sku"), "COF-1KG", "sku");
	snprintf(path, sizeof(path), "/api/integrations/v1/inventory/items/%s",
	    id);
	http_do("GET", path, h, NULL, 0, &r);
	ASSERT_STATUS(&r, 200);
	g = http_json(&r);
	ASSERT_STR(json_path_str(g, "data.name"), "Coffee <b>", "name");
	/* Decimals come back exactly, as numbers. */
	CU_ASSERT(strstr(r.body, "\"stockOnHand\":12.5,") != NULL);
	CU_ASSERT(strstr(r.body, "\"unitCost\":18.25,") != NULL);
	json_object_put(g);
	http_resp_free(&r);

	/* Another organization's key does not see it. */
	{
		const char *const hb[] = { auth_b, NULL };

		http_do("GET", path, hb, NULL, 0, &r);
		ASSERT_STATUS(&r, 404);
		http_resp_free(&r);
	}
	json_object_put(o);
}

/*
 * Names of 62 to 66 bytes and of 200 characters (two-byte ones, 400
 * bytes) come back whole from GET and from the list: the database layer
 * reads short cells from a 64-byte buffer and fetches longer ones again.
 */
static void
test_long_values_whole(void)
{
	static const int	 lens[] = { 62, 63, 64, 65, 66 };
	struct json_object	*o, *g;
	char			 name[420], body[600], path[200], sku[32];
	size_t			 i, k;

	for (i = 0; i <= sizeof(lens) / sizeof(lens[0]); i++) {
		if (i < sizeof(lens) / sizeof(lens[0])) {
			memset(name, 'n', (size_t)lens[i]);
			name[lens[i]] = '\0';
			name[lens[i] - 1] = 'Z';
		} else {
			for (k = 0; k < 200; k++)
				memcpy(name + 2 * k, "\xc3\xa9", 2);
			name[400] = '\0';
		}
		snprintf(sku, sizeof(sku), "LONG-%zu", i);
		snprintf(body, sizeof(body), "{\"sku\":\"%s\",\"name\":\"%s\"}",
		    sku, name);
		o = items_post(auth_a, body, 201);
		ASSERT_EQS(json_path_str(o, "data.name"), name, "name (POST)");
		snprintf(path, sizeof(path),
		    "/api/integrations/v1/inventory/items/%s",
		    json_path_str(o, "data.id"));
		g = API_JSON("GET", path, auth_a, NULL, 200);
		ASSERT_EQS(json_path_str(g, "data.name"), name, "name (GET)");
		json_object_put(g);
		snprintf(path, sizeof(path), "/api/integrations/v1/inventory/"
		    "items?search=%s", sku);
		g = API_JSON("GET", path, auth_a, NULL, 200);
		ASSERT_EQS(json_str_at(g, "data.0.name"), name, "name (list)");
		json_object_put(g);
		json_object_put(o);
	}
}

static void
test_duplicate_sku(void)
{
	struct json_object	*o;

	json_object_put(items_post(auth_a, "{\"sku\":\"DUP-1\",\"name\":\"a\"}",
	    201));
	o = items_post(auth_a, "{\"sku\":\"DUP-1\",\"name\":\"b\"}", 409);
	ASSERT_STR(json_path_str(o, "error.code"), "duplicate_sku", "409 code");
	json_object_put(o);
	/* The same sku in another organization is its own item. */
	json_object_put(items_post(auth_b, "{\"sku\":\"DUP-1\",\"name\":\"c\"}",
	    201));
}

static void
test_validation_names_field(void)
{
	static const struct {
		const char	*body, *field;
	} cases[] = {
		{ "{\"name\":\"x\"}", "sku" },
		{ "{\"sku\":\"\",\"name\":\"x\"}", "sku" },
		{ "{\"sku\":\"V-1\"}", "name" },
		{ "{\"sku\":\"V-1\",\"name\":\"x\",\"unitCost\":-1}", "unitCost" },
		{ "{\"sku\":\"V-1\",\"name\":\"x\",\"unitCost\":0.12345}",
		    "unitCost" },
		{ "{\"sku\":\"V-1\",\"name\":\"x\",\"stockOnHand\":\"3\"}",
		    "stockOnHand" },
		{ "{\"sku\":\"V-1\",\"name\":\"x\",\"leadTimeDays\":1.5}",
		    "leadTimeDays" },
		{ "{\"sku\":\"V-1\",\"name\":\"x\",\"leadTimeDays\":99999}",
		    "leadTimeDays" },
		{ "{\"sku\":\"V-1\",\"name\":\"x\",\"lowStockThreshold\":1e30}",
		    "lowStockThreshold" },
	};
	const char *const	 h[] = { auth_a, NULL };
	struct json_object	*o;
	struct http_resp	 r;
	const char		*msg;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o = items_post(auth_a, cases[i].body, 400);
		msg = json_path_str(o, "error.message");
		CU_ASSERT_FATAL(msg != NULL);
		if (strncmp(msg, cases[i].field, strlen(cases[i].field)) != 0)
			CU_FAIL(cases[i].body);
		json_object_put(o);
	}
	/* Nothing was written: V-1 can still be created. */
	json_object_put(items_post(auth_a, "{\"sku\":\"V-1\",\"name\":\"x\"}",
	    201));
	http_do("GET", "/api/integrations/v1/inventory/items/not-an-id", h,
	    NULL, 0, &r);
	ASSERT_STATUS(&r, 404);
	http_resp_free(&r);
}

void
suite_items_register(void)
{
	CU_pSuite	 s = CU_add_suite("items", items_init, NULL);

	CU_add_test(s, "create, get, other tenant 404", test_create_and_get);
	CU_add_test(s, "duplicate sku is 409 per tenant", test_duplicate_sku);
	CU_add_test(s, "long values come back whole", test_long_values_whole);
	CU_add_test(s, "bad fields: 400 naming the field, nothing written",
	    test_validation_names_field);
}
