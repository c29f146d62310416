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

/* The "keys" suite. */
void
test_keys_register(void)
{
	static const struct test_def tests[] = {
		{ "keys_kind_name and keys_kind_prefix", test_kind_name_prefix },
		{ "keys_kind_parse", test_kind_parse },
		{ "keys_token_kind", test_token_kind },
		{ "keys prefix round trip", test_prefix_round_trip },
	};

	test_add_suite("keys", NULL, NULL, tests, NELEM(tests));
}
