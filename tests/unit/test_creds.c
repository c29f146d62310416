/*
 * test_creds.c - impex/creds.c: credentials sealed bound to their row
 * (another organization, integration or field does not open them; nor
 * a flipped bit or another version byte), the Standard Webhooks
 * signature against its published vector, the signing secret's form,
 * the destination URL check and the masked URL of lists.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mihwar.h"
#include "tests.h"

static int
suite_init(void)
{
	return crypto_init(NULL) ? 0 : -1;
}

#define ID1	"01a22c76-699a-7f70-8565-4da5b5095a1d"
#define ID2	"01a22c76-69a5-7f75-8d4a-d49966609a8f"

static void
test_seal_bound(void)
{
	static const struct {
		const char	*name;
		long long	 org;
		const char	*id, *field;
	} others[] = {
		{ "another organization", 8, ID1, "api_key" },
		{ "another integration", 7, ID2, "api_key" },
		{ "another field", 7, ID1, "api_secret" },
		{ "the signing secret's field", 7, ID1, "signing_secret" },
	};
	const char	*plain = "sk_live_shh";
	unsigned char	 sealed[64 + CRYPTO_SEAL_AD_OVERHEAD];
	size_t		 n, i;
	char		*got;

	n = integ_seal(7, ID1, "api_key", plain, strlen(plain), sealed);
	CHECK(n == strlen(plain) + CRYPTO_SEAL_AD_OVERHEAD, "sealed %zu bytes",
	    n);
	CHECK(sealed[0] == CRYPTO_SEAL_AD_VERSION, "version byte %d",
	    sealed[0]);
	CHECK(memmem(sealed, n, plain, strlen(plain)) == NULL, "plain text "
	    "in the sealed bytes");
	got = integ_open(7, ID1, "api_key", sealed, n);
	CHECK_STR("its own row", got, plain);
	integ_secret_free(got);
	for (i = 0; i < NELEM(others); i++) {
		got = integ_open(others[i].org, others[i].id, others[i].field,
		    sealed, n);
		CHECK(got == NULL, "[%s] opened: %s", others[i].name,
		    got ? got : "");
		integ_secret_free(got);
	}
	/* the AD itself, through crypto_open_ad */
	{
		unsigned char	 out[64];

		CHECK(crypto_open_ad(sealed, n, "7:" ID1 ":api_key", out),
		    "[crypto_open_ad] its AD does not open");
		CHECK(!crypto_open_ad(sealed, n, "7:" ID2 ":api_key", out),
		    "[crypto_open_ad] another AD opens");
	}
	sealed[n - 1] ^= 1;
	CHECK(integ_open(7, ID1, "api_key", sealed, n) == NULL, "[tampered] "
	    "opened");
	sealed[n - 1] ^= 1;
	sealed[0] = CRYPTO_SEAL_AD_VERSION + 1;
	CHECK(integ_open(7, ID1, "api_key", sealed, n) == NULL, "[another "
	    "version] opened");
	CHECK(integ_open(7, ID1, "api_key", sealed, 10) == NULL, "[short] "
	    "opened");
}

/* The vector of the Standard Webhooks libraries' own tests. */
static void
test_sign_vector(void)
{
	const char	*body = "{\"test\": 2432232314}";
	char		 sig[64];

	CHECK(integ_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
	    "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, strlen(body),
	    sig), "signing failed");
	CHECK_STR("signature", sig,
	    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	CHECK(!integ_sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "m", 1, body,
	    strlen(body), sig), "[no whsec_] signed");
	CHECK(!integ_sign("whsec_!!!", "m", 1, body, strlen(body), sig),
	    "[not base64] signed");
}

static void
test_new_secret(void)
{
	char		 a[64], b[64];
	unsigned char	 raw[64];
	size_t		 n = 0;

	integ_new_signing_secret(a);
	integ_new_signing_secret(b);
	CHECK(strncmp(a, "whsec_", 6) == 0, "secret %s", a);
	CHECK(strlen(a) == 6 + 44, "secret %s is %zu long", a, strlen(a));
	CHECK(sodium_base642bin(raw, sizeof(raw), a + 6, strlen(a + 6), NULL,
	    &n, NULL, sodium_base64_VARIANT_ORIGINAL) == 0 && n == 32,
	    "secret %s does not decode to 32 bytes (%zu)", a, n);
	CHECK(strcmp(a, b) != 0, "two secrets equal");
}

static void
test_url_ok(void)
{
	static const struct {
		const char	*url;
		int		 ok, ok_private;
	} cases[] = {
		{ "https://discord.com/api/webhooks/1/x", 1, 1 },
		{ "http://example.com/hook", 1, 1 },
		{ "ftp://example.com/", 0, 0 },
		{ "not a url", 0, 0 },
		{ "https://", 0, 0 },
		{ "http://127.0.0.1:8080/", 0, 1 },
		{ "http://10.1.2.3/", 0, 1 },
		{ "http://192.168.0.1/", 0, 1 },
		{ "http://172.16.0.1/", 0, 1 },
		{ "http://169.254.169.254/latest", 0, 1 },
		{ "http://[::1]/", 0, 1 },
		{ "http://[fe80::1]/", 0, 1 },
		{ "http://[::ffff:127.0.0.1]/", 0, 1 },
		{ "http://localhost/", 0, 1 },
		{ "http://a.localhost/", 0, 1 },
		{ "http://8.8.8.8/", 1, 1 },
	};
	struct conf	 conf;
	char		 why[200];
	size_t		 i;

	memset(&conf, 0, sizeof(conf));
	for (i = 0; i < NELEM(cases); i++) {
		conf.allow_private_destinations = 0;
		CHECK(integ_url_ok(&conf, cases[i].url, why, sizeof(why)) ==
		    cases[i].ok, "[%s] want %d (%s)", cases[i].url,
		    cases[i].ok, why);
		conf.allow_private_destinations = 1;
		CHECK(integ_url_ok(&conf, cases[i].url, why, sizeof(why)) ==
		    cases[i].ok_private, "[%s, private allowed] want %d (%s)",
		    cases[i].url, cases[i].ok_private, why);
	}
}

static void
test_mask_url(void)
{
	static const struct {
		const char	*url, *want;
	} cases[] = {
		{ "https://discord.com/api/webhooks/123/tok",
		    "https://discord.com/…" },
		{ "https://hooks.slack.com/services/T/B/x",
		    "https://hooks.slack.com/…" },
		{ "http://127.0.0.1:8080/hook?token=x",
		    "http://127.0.0.1:8080/…" },
		{ "https://user:pass@example.com/x", "https://example.com/…" },
		{ "https://example.com", "https://example.com" },
		{ "https://example.com/", "https://example.com" },
		{ "https://example.com?k=v", "https://example.com/…" },
		{ "garbage", "…" },
	};
	char	 out[256];
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++) {
		integ_mask_url(cases[i].url, out, sizeof(out));
		CHECK_STR(cases[i].url, out, cases[i].want);
	}
}

/* The "creds" suite. */
void
test_creds_register(void)
{
	static const struct test_def tests[] = {
		{ "integ_seal bound to org, integration, field", test_seal_bound },
		{ "integ_sign Standard Webhooks vector", test_sign_vector },
		{ "integ_new_signing_secret", test_new_secret },
		{ "integ_url_ok", test_url_ok },
		{ "integ_mask_url", test_mask_url },
	};

	test_add_suite("creds", suite_init, NULL, tests, NELEM(tests));
}
