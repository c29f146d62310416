/*
 * test_keys.c - keys.c without a database: kind names, prefixes, and the
 * kind a token's prefix names.
 */
#include <string.h>

#include "mihwar.h"
#include "tests.h"

static const struct {
	enum key_kind	 kind;
	const char	*name, *prefix;
} kinds[] = {
	{ KEY_INTEGRATION, "integration", "rn_live_" },
	{ KEY_SCIM, "scim", "scim_live_" },
	{ KEY_INGEST, "ingest", "wp_live_" },
	{ KEY_CLIENT, "client", "fc_live_" },
	{ KEY_ADMIN, "admin", "fa_live_" },
};

static void
test_kind_name_prefix(void)
{
	size_t	 i;

	CHECK(NELEM(kinds) == KEY_KIND__MAX, "[table] %zu kinds tested, %d "
	    "exist", NELEM(kinds), (int)KEY_KIND__MAX);
	for (i = 0; i < NELEM(kinds); i++) {
		CHECK_STR(kinds[i].name, keys_kind_name(kinds[i].kind),
		    kinds[i].name);
		CHECK_STR(kinds[i].name, keys_kind_prefix(kinds[i].kind),
		    kinds[i].prefix);
	}
	CHECK_STR("KEY_KIND__MAX name", keys_kind_name(KEY_KIND__MAX),
	    "unknown");
	CHECK_STR("KEY_KIND__MAX prefix", keys_kind_prefix(KEY_KIND__MAX),
	    "");
}

static void
test_kind_parse(void)
{
	static const char *const bad[] = {
		"", "Integration", "INTEGRATION", "integrations", "integ",
		"scim ", " scim", "unknown", "rn_live_", "fulfillment", NULL,
	};
	enum key_kind	 k;
	size_t		 i;

	for (i = 0; i < NELEM(kinds); i++) {
		k = KEY_KIND__MAX;
		CHECK(keys_kind_parse(kinds[i].name, &k) && k == kinds[i].kind,
		    "[%s] kind %d, want %d", kinds[i].name, (int)k,
		    (int)kinds[i].kind);
	}
	for (i = 0; i < NELEM(bad); i++) {
		k = KEY_KIND__MAX;
		CHECK(!keys_kind_parse(bad[i], &k) && k == KEY_KIND__MAX,
		    "[%s] parsed as kind %d", bad[i] ? bad[i] : "(null)",
		    (int)k);
	}
}

static void
test_token_kind(void)
{
	static const struct {
		const char	*tok;
		int		 ok;
		enum key_kind	 kind;
	} cases[] = {
		{ "rn_live_0123456789abcdefghijABCDEFGHIJ0123456789", 1,
		    KEY_INTEGRATION },
		{ "scim_live_abc", 1, KEY_SCIM },
		{ "wp_live_abc", 1, KEY_INGEST },
		{ "fc_live_abc", 1, KEY_CLIENT },
		{ "fa_live_abc", 1, KEY_ADMIN },
		{ "rn_live_", 1, KEY_INTEGRATION },
		{ "", 0, KEY_KIND__MAX },
		{ "rn_test_abc", 0, KEY_KIND__MAX },
		{ "RN_LIVE_abc", 0, KEY_KIND__MAX },
		{ "rn_live", 0, KEY_KIND__MAX },
		{ "scim_live", 0, KEY_KIND__MAX },
		{ "xrn_live_abc", 0, KEY_KIND__MAX },
		{ " rn_live_abc", 0, KEY_KIND__MAX },
		{ "sk_live_abc", 0, KEY_KIND__MAX },
		{ "fb_live_abc", 0, KEY_KIND__MAX },
		{ "Bearer rn_live_abc", 0, KEY_KIND__MAX },
	};
	enum key_kind	 k;
	size_t		 i;
	int		 ok;

	for (i = 0; i < NELEM(cases); i++) {
		k = KEY_KIND__MAX;
		ok = keys_token_kind(cases[i].tok, &k);
		CHECK(ok == cases[i].ok && k == cases[i].kind, "[%s] ok %d "
		    "kind %d, want ok %d kind %d", cases[i].tok, ok, (int)k,
		    cases[i].ok, (int)cases[i].kind);
	}
}

/* Every kind's prefix names that kind again. */
static void
test_prefix_round_trip(void)
{
	char		 tok[64];
	enum key_kind	 k;
	size_t		 i;

	for (i = 0; i < NELEM(kinds); i++) {
		snprintf(tok, sizeof(tok), "%sAbC123",
		    keys_kind_prefix(kinds[i].kind));
		k = KEY_KIND__MAX;
		CHECK(keys_token_kind(tok, &k) && k == kinds[i].kind,
		    "[%s] kind %d, want %d", tok, (int)k, (int)kinds[i].kind);
	}
}

/* A key principal numbered n, and a hash of its own. */
static void
cache_key(int n, struct principal *p, unsigned char hash[32])
{
	memset(p, 0, sizeof(*p));
	p->kind = PRINCIPAL_KEY;
	p->key_id = 1000 + n;
	p->org_id = 7;
	p->app_id = n % 2 ? 0 : 3;
	p->key_kind = n % 2 ? KEY_INTEGRATION : KEY_INGEST;
	snprintf(p->key_public_id, sizeof(p->key_public_id), "key-%d", n);
	snprintf(p->org_slug, sizeof(p->org_slug), "org-%d", n);
	memset(hash, 0, 32);
	/* The same first 8 bytes for all: the full hash must decide. */
	hash[31] = (unsigned char)n;
	hash[30] = (unsigned char)(n >> 8);
}

/* A hit gives back every field; a key's entry lives key_cache_seconds. */
static void
test_cache_lifetime(void)
{
	static const struct {
		const char	*name;
		int64_t		 age_ms;
		long long	 seconds;
		int		 hit;
	} cases[] = {
		{ "fresh", 0, 1, 1 },
		{ "999 ms, 1 s", 999, 1, 1 },
		{ "1000 ms, 1 s", 1000, 1, 0 },
		{ "5 s, 1 s", 5000, 1, 0 },
		{ "fresh, cache off", 0, 0, 0 },
		{ "59 s, 60 s", 59000, 60, 1 },
		{ "60 s, 60 s", 60000, 60, 0 },
		{ "a clock that went back", -1, 1, 0 },
	};
	struct principal p, got;
	unsigned char	 hash[32];
	size_t		 i;
	int		 hit;

	for (i = 0; i < NELEM(cases); i++) {
		keys_cache_clear();
		cache_key(2, &p, hash);
		keys_cache_put(hash, 100000, &p);
		memset(&got, 0xff, sizeof(got));
		hit = keys_cache_get(hash, 100000 + cases[i].age_ms,
		    cases[i].seconds, &got);
		CHECK(hit == cases[i].hit, "[%s] hit %d, want %d",
		    cases[i].name, hit, cases[i].hit);
		if (hit)
			CHECK(got.kind == PRINCIPAL_KEY && got.key_id == 1002 &&
			    got.org_id == 7 && got.app_id == 3 &&
			    got.key_kind == KEY_INGEST && !got.platform_admin &&
			    strcmp(got.key_public_id, "key-2") == 0 &&
			    strcmp(got.org_slug, "org-2") == 0 &&
			    got.user_id == 0 && got.role[0] == '\0',
			    "[%s] the principal differs", cases[i].name);
	}
	keys_cache_clear();
}

/* Another hash misses; a dropped (revoked) key misses at once, and the
 * other keys stay. */
static void
test_cache_drop(void)
{
	struct principal p, q, got;
	unsigned char	 h1[32], h2[32], other[32];

	keys_cache_clear();
	cache_key(1, &p, h1);
	cache_key(2, &q, h2);
	keys_cache_put(h1, 5000, &p);
	keys_cache_put(h2, 5000, &q);
	memcpy(other, h1, 32);
	other[0] ^= 1;
	CHECK(!keys_cache_get(other, 5000, 1, &got), "[other hash] a hit");
	other[0] ^= 1;
	other[17] ^= 0x80;
	CHECK(!keys_cache_get(other, 5000, 1, &got), "[bit 17] a hit");
	CHECK(keys_cache_get(h1, 5001, 1, &got) && got.key_id == 1001,
	    "[key 1] no hit before the drop");
	keys_cache_drop("key-1");
	CHECK(!keys_cache_get(h1, 5001, 1, &got), "[key 1] a hit after "
	    "its drop");
	CHECK(keys_cache_get(h2, 5001, 1, &got) && got.key_id == 1002,
	    "[key 2] lost with key 1");
	keys_cache_drop("no-such-key");
	CHECK(keys_cache_get(h2, 5001, 1, &got), "[key 2] lost by a drop "
	    "of another key");
	/* Put again after the drop (looked up again): a hit. */
	keys_cache_put(h1, 5002, &p);
	CHECK(keys_cache_get(h1, 5002, 1, &got) && got.key_id == 1001,
	    "[key 1] no hit when put again");
	keys_cache_clear();
}

/* KEYS_CACHE_MAX entries at most: one more replaces the oldest. */
static void
test_cache_bound(void)
{
	struct principal p, got;
	unsigned char	 hash[32];
	int		 n, misses = 0;

	keys_cache_clear();
	for (n = 0; n <= KEYS_CACHE_MAX; n++) {
		cache_key(n, &p, hash);
		keys_cache_put(hash, 10000 + n, &p);
	}
	cache_key(0, &p, hash);
	CHECK(!keys_cache_get(hash, 10000 + KEYS_CACHE_MAX, 60, &got),
	    "[oldest] still there past %d entries", KEYS_CACHE_MAX);
	for (n = 1; n <= KEYS_CACHE_MAX; n++) {
		cache_key(n, &p, hash);
		if (!keys_cache_get(hash, 10000 + KEYS_CACHE_MAX, 60, &got) ||
		    got.key_id != 1000 + n)
			misses++;
	}
	CHECK(misses == 0, "[newest %d] %d lost", KEYS_CACHE_MAX, misses);
	/* The same key put again takes its own slot, not another's. */
	cache_key(5, &p, hash);
	keys_cache_put(hash, 20000, &p);
	cache_key(1, &p, hash);
	CHECK(keys_cache_get(hash, 20000, 60, &got), "[key 1] lost when "
	    "key 5 was put again");
	keys_cache_clear();
}

/* The "keys" suite. */
void
test_keys_register(void)
{
	static const struct test_def tests[] = {
		{ "keys_kind_name and keys_kind_prefix", test_kind_name_prefix },
		{ "keys_kind_parse", test_kind_parse },
		{ "keys_token_kind", test_token_kind },
		{ "keys prefix round trip", test_prefix_round_trip },
		{ "key cache: lifetime and fields", test_cache_lifetime },
		{ "key cache: other hashes, drop on revoke", test_cache_drop },
		{ "key cache: bounded, oldest out", test_cache_bound },
	};

	test_add_suite("keys", NULL, NULL, tests, NELEM(tests));
}
