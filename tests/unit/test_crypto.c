/*
 * test_crypto.c - crypto.c: HMAC-SHA256 against RFC 4231, keyed key
 * hashes under a master key, random tokens, UUIDv7, constant-time
 * comparison and argon2id passwords.
 */
#include <string.h>
#include <time.h>

#include "mihwar.h"
#include "tests.h"

/* A string literal as bytes and length. */
#define S(s)	(const unsigned char *)(s), sizeof(s) - 1

static int
suite_init(void)
{
	return crypto_init(NULL) ? 0 : -1;
}

/* RFC 4231 section 4: test cases 1, 2, 3, 4, 6 and 7 (5 truncates). */
static void
test_hmac_rfc4231(void)
{
	static unsigned char	 k1[20], k3[20], k4[25], k6[131];
	static unsigned char	 d3[50], d4[50];
	static const struct {
		const char		*name;
		const unsigned char	*key;
		size_t			 keylen;
		const unsigned char	*msg;
		size_t			 msglen;
		const char		*hex;
	} cases[] = {
		{ "case 1", k1, sizeof(k1), S("Hi There"),
		    "b0344c61d8db38535ca8afceaf0bf12b"
		    "881dc200c9833da726e9376c2e32cff7" },
		{ "case 2", S("Jefe"), S("what do ya want for nothing?"),
		    "5bdcc146bf60754e6a042426089575c7"
		    "5a003f089d2739839dec58b964ec3843" },
		{ "case 3", k3, sizeof(k3), d3, sizeof(d3),
		    "773ea91e36800e46854db8ebd09181a7"
		    "2959098b3ef8c122d9635514ced565fe" },
		{ "case 4", k4, sizeof(k4), d4, sizeof(d4),
		    "82558a389a443c0ea4cc819899f2083a"
		    "85f0faa3e578f8077a2e3ff46729665b" },
		{ "case 6", k6, sizeof(k6),
		    S("Test Using Larger Than Block-Size Key - Hash Key First"),
		    "60e431591ee0b67f0d8a26aacbf5b77f"
		    "8e0bc6213728c5140546040f0ee37f54" },
		{ "case 7", k6, sizeof(k6), S("This is a test using a larger "
		    "than block-size key and a larger than block-size data. "
		    "The key needs to be hashed before being used by the HMAC "
		    "algorithm."),
		    "9b09ffa71b942fcb27635fbcd5b0e944"
		    "bfdc63644f0713938a7f51535c3a35e2" },
	};
	char	 out[65];
	size_t	 i;

	memset(k1, 0x0b, sizeof(k1));
	memset(k3, 0xaa, sizeof(k3));
	memset(d3, 0xdd, sizeof(d3));
	for (i = 0; i < sizeof(k4); i++)
		k4[i] = (unsigned char)(i + 1);
	memset(d4, 0xcd, sizeof(d4));
	memset(k6, 0xaa, sizeof(k6));
	for (i = 0; i < NELEM(cases); i++) {
		memset(out, 'X', sizeof(out));
		crypto_hmac_sha256_hex(cases[i].key, cases[i].keylen,
		    cases[i].msg, cases[i].msglen, out);
		CHECK(memchr(out, '\0', sizeof(out)) == out + 64,
		    "[%s] not 64 characters", cases[i].name);
		out[64] = '\0';
		CHECK_STR(cases[i].name, out, cases[i].hex);
	}
}

/* Deterministic under one master key, different under another. */
static void
test_key_hash(void)
{
	static const char *const toks[] = {
		"rn_live_abc", "rn_live_abd", "scim_live_0123456789", "",
	};
	unsigned char	 mk1[32], mk2[32];
	unsigned char	 h1[NELEM(toks)][32], h[32];
	size_t		 i, j;

	memset(mk1, 0x11, sizeof(mk1));
	memcpy(mk2, mk1, sizeof(mk2));
	mk2[31] ^= 0x01;
	CHECK(crypto_init(mk1), "crypto_init(key 1) failed");
	for (i = 0; i < NELEM(toks); i++) {
		crypto_key_hash(toks[i], strlen(toks[i]), h1[i]);
		crypto_key_hash(toks[i], strlen(toks[i]), h);
		CHECK(memcmp(h, h1[i], 32) == 0, "[%s] two hashes differ",
		    toks[i]);
		for (j = 0; j < i; j++)
			CHECK(memcmp(h1[i], h1[j], 32) != 0, "[%s] hashes "
			    "like [%s]", toks[i], toks[j]);
	}
	CHECK(crypto_init(mk2), "crypto_init(key 2) failed");
	for (i = 0; i < NELEM(toks); i++) {
		crypto_key_hash(toks[i], strlen(toks[i]), h);
		CHECK(memcmp(h, h1[i], 32) != 0, "[%s] same hash under "
		    "another master key", toks[i]);
	}
	CHECK(crypto_init(mk1), "crypto_init(key 1 again) failed");
	for (i = 0; i < NELEM(toks); i++) {
		crypto_key_hash(toks[i], strlen(toks[i]), h);
		CHECK(memcmp(h, h1[i], 32) == 0, "[%s] hash changed after "
		    "re-initialising with the same key", toks[i]);
	}
}

static int
is_base62(const char *s)
{
	return s[strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz")] == '\0';
}

static void
test_random_token(void)
{
	static const size_t	 sizes[] = { 1, 2, 17, 41, 64 };
	char			 a[65], b[65];
	size_t			 i;

	for (i = 0; i < NELEM(sizes); i++) {
		memset(a, 'X', sizeof(a));
		crypto_random_token(a, sizes[i]);
		CHECK(memchr(a, '\0', sizes[i]) == a + sizes[i] - 1,
		    "[size %zu] length %zu, want %zu", sizes[i],
		    strnlen(a, sizes[i]), sizes[i] - 1);
		CHECK(a[sizes[i]] == 'X', "[size %zu] wrote past the end",
		    sizes[i]);
		a[sizes[i] - 1] = '\0';
		CHECK(is_base62(a), "[size %zu] not base62: %s", sizes[i], a);
	}
	crypto_random_token(a, sizeof(a));
	crypto_random_token(b, sizeof(b));
	CHECK(strcmp(a, b) != 0, "[64 chars] two tokens equal: %s", a);
	a[0] = 'X';
	crypto_random_token(a, 0);
	CHECK(a[0] == 'X', "[size 0] wrote into the buffer");
}

/* The 48-bit millisecond timestamp of a UUIDv7. */
static long long
uuid7_ms(const char *u)
{
	long long	 ms = 0;
	size_t		 i;

	for (i = 0; i < 13; i++) {
		if (u[i] == '-')
			continue;
		ms = ms * 16 + (u[i] <= '9' ? u[i] - '0' : u[i] - 'a' + 10);
	}
	return ms;
}

static void
check_uuid7_format(const char *name, const char *u)
{
	size_t	 i;
	int	 ok = strlen(u) == 36;

	for (i = 0; ok && i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23)
			ok = u[i] == '-';
		else
			ok = strchr("0123456789abcdef", u[i]) != NULL &&
			    u[i] != '\0';
	CHECK(ok, "[%s] %s: not 36 lowercase hex with hyphens at 8, 13, "
	    "18, 23", name, u);
	CHECK(u[14] == '7', "[%s] %s: version nibble %c, want 7", name, u,
	    u[14]);
	CHECK(strchr("89ab", u[19]) != NULL && u[19] != '\0',
	    "[%s] %s: variant nibble %c, want 10xx", name, u, u[19]);
}

static void
test_uuid7(void)
{
	struct timespec	 pause = { 0, 3 * 1000 * 1000 };
	char		 a[37], b[37], c[37], name[32];
	long long	 before, after;
	int		 i;

	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "uuid %d", i);
		crypto_uuid7(a);
		check_uuid7_format(name, a);
	}
	before = util_now_ms();
	crypto_uuid7(a);
	crypto_uuid7(b);
	after = util_now_ms();
	CHECK(uuid7_ms(a) >= before && uuid7_ms(a) <= after, "[%s] "
	    "timestamp %lld outside [%lld, %lld]", a, uuid7_ms(a), before,
	    after);
	CHECK(uuid7_ms(b) >= uuid7_ms(a), "[%s then %s] time went back", a,
	    b);
	CHECK(strcmp(a, b) != 0, "[%s] two successive ids equal", a);
	nanosleep(&pause, NULL);
	crypto_uuid7(c);
	CHECK(strcmp(b, c) < 0, "[%s then %s, 3 ms apart] not ordered", b,
	    c);
}

static void
test_equal(void)
{
	static const struct {
		const char	*a, *b;
		size_t		 n;
		int		 eq;
	} cases[] = {
		{ "abcdef", "abcdef", 6, 1 },
		{ "abcdef", "abcdeg", 6, 0 },
		{ "xbcdef", "abcdef", 6, 0 },
		{ "abcdef", "abcdeg", 5, 1 },
		{ "", "", 0, 1 },
		{ "a\0b", "a\0c", 3, 0 },
	};
	size_t	 i;
	int	 got;

	for (i = 0; i < NELEM(cases); i++) {
		got = crypto_equal(cases[i].a, cases[i].b, cases[i].n);
		CHECK(got == cases[i].eq, "[%s vs %s, %zu bytes] %d, want %d",
		    test_esc(cases[i].a, cases[i].n),
		    test_esc(cases[i].b, cases[i].n), cases[i].n, got,
		    cases[i].eq);
	}
}

static void
test_password(void)
{
	static const struct {
		const char	*pw;
		int		 ok;
	} cases[] = {
		{ "correct horse battery staple", 1 },
		{ "correct horse battery stapl", 0 },
		{ "Correct horse battery staple", 0 },
		{ "correct horse battery staple ", 0 },
		{ "", 0 },
	};
	char	 hash[128], other[128];
	size_t	 i;

	if (!CHECK(crypto_password_hash(cases[0].pw, hash),
	    "[%s] hashing failed", cases[0].pw))
		return;
	CHECK(strncmp(hash, "$argon2id$", 10) == 0, "[%s] hash %s is not "
	    "argon2id", cases[0].pw, hash);
	CHECK(strstr(hash, cases[0].pw) == NULL, "[%s] hash holds the "
	    "password", cases[0].pw);
	for (i = 0; i < NELEM(cases); i++)
		CHECK(crypto_password_verify(hash, cases[i].pw) == cases[i].ok,
		    "[%s] verify %d, want %d", cases[i].pw, !cases[i].ok,
		    cases[i].ok);
	CHECK(crypto_password_hash("", other), "[empty] hashing failed");
	CHECK(crypto_password_verify(other, ""), "[empty] does not verify");
	CHECK(strcmp(hash, other) != 0, "[salt] two hashes equal");
	CHECK(!crypto_password_verify("not a hash", "x"), "[not a hash] "
	    "verified");
}

/* The "crypto" suite. */
void
test_crypto_register(void)
{
	static const struct test_def tests[] = {
		{ "crypto_hmac_sha256_hex RFC 4231", test_hmac_rfc4231 },
		{ "crypto_key_hash under master keys", test_key_hash },
		{ "crypto_random_token", test_random_token },
		{ "crypto_uuid7", test_uuid7 },
		{ "crypto_equal", test_equal },
		{ "crypto_password_hash and verify", test_password },
	};

	test_add_suite("crypto", suite_init, NULL, tests, NELEM(tests));
}
