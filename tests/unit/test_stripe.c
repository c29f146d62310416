/*
 * test_stripe.c - stripe.c: the Stripe-Signature header (parsed, then
 * verified against vectors computed outside with Python's hmac over
 * "<t>.<body>": any v1 of several, the 300 s tolerance both ways, a
 * wrong secret, a changed body, no secret), and the Checkout Session
 * read into an order (OrderItem[] rules, cents to fixed point, the
 * shipping address from either place Stripe puts it, unpaid sessions).
 */
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "tests.h"

#define SECRET	"whsec_test_secret"
#define T0	1700000000LL
#define BODY	"{\"id\":\"evt_1\",\"type\":\"checkout.session.completed\"}"
/* HMAC-SHA256(SECRET, "1700000000." BODY), and under "whsec_other". */
#define SIG_OK	"a13d4b1f9003bc2fb6c06224e878b6056185eaa50d40e1e7dc05517f8af41d7b"
#define SIG_OTHER "f9e5f219a592e1abd56c6b0d3489748da4ddca9b4a5c8bfb31f55c5214e676d2"
/* HMAC-SHA256(SECRET, "1700000000.") (an empty body). */
#define SIG_EMPTY "316b9ab98c15bfa039d243f3196acee619cf29749a91a634e6a8154e2f7b6727"

static int
suite_init(void)
{
	return crypto_init(NULL) ? 0 : -1;
}

static void
test_sig_parse(void)
{
	static const struct {
		const char	*header;
		int		 ok;
		long long	 t;
		size_t		 nv1;
	} cases[] = {
		{ "t=1700000000,v1=" SIG_OK, 1, T0, 1 },
		{ "t=1700000000,v1=" SIG_OTHER ",v1=" SIG_OK, 1, T0, 2 },
		{ "v1=" SIG_OK ",t=1700000000", 1, T0, 1 },
		{ "t=1700000000, v1=" SIG_OK, 1, T0, 1 },
		/* v0 and unknown schemes are Stripe's own; ignored */
		{ "t=1700000000,v1=" SIG_OK ",v0=abc", 1, T0, 1 },
		{ "t=1700000000,v2=" SIG_OK ",v1=" SIG_OK, 1, T0, 1 },
		/* a v1 that is not 64 hex digits is kept, but cannot match */
		{ "t=1700000000,v1=abc", 1, T0, 1 },
		{ "", 0, 0, 0 },
		{ "t=1700000000", 0, 0, 0 },
		{ "v1=" SIG_OK, 0, 0, 0 },
		{ "t=,v1=" SIG_OK, 0, 0, 0 },
		{ "t=abc,v1=" SIG_OK, 0, 0, 0 },
		{ "t=-5,v1=" SIG_OK, 0, 0, 0 },
		{ "t=+5,v1=" SIG_OK, 0, 0, 0 },
		{ "t=1700000000,t=1700000001,v1=" SIG_OK, 0, 0, 0 },
		{ "t=1700000000,,v1=" SIG_OK, 0, 0, 0 },
		{ "t=1700000000,v1=" SIG_OK ",", 0, 0, 0 },
		{ "t=1700000000;v1=" SIG_OK, 0, 0, 0 },
		{ "t=1700000000,=x,v1=" SIG_OK, 0, 0, 0 },
		{ "t=1700000000,novalue,v1=" SIG_OK, 0, 0, 0 },
		{ "t=99999999999999999999,v1=" SIG_OK, 0, 0, 0 },
		{ "t=1,v1=a,v1=a,v1=a,v1=a,v1=a,v1=a,v1=a,v1=a", 1, 1, 8 },
		{ "t=1,v1=a,v1=a,v1=a,v1=a,v1=a,v1=a,v1=a,v1=a,v1=a", 0, 0, 0 },
	};
	struct stripe_sig	 sig;
	size_t			 i;
	int			 ok;

	CHECK(!stripe_sig_parse(NULL, &sig), "[NULL] parsed");
	for (i = 0; i < NELEM(cases); i++) {
		ok = stripe_sig_parse(cases[i].header, &sig);
		if (!CHECK(ok == cases[i].ok, "[%s] parse %d, want %d",
		    cases[i].header, ok, cases[i].ok) || !ok)
			continue;
		CHECK(sig.t == cases[i].t && sig.nv1 == cases[i].nv1,
		    "[%s] t=%lld nv1=%zu, want %lld, %zu", cases[i].header,
		    (long long)sig.t, sig.nv1, cases[i].t, cases[i].nv1);
	}
	/* Upper-case hex is the same signature. */
	CHECK(stripe_sig_parse("t=1,v1=A13D4B1F9003BC2FB6C06224E878B605"
	    "6185EAA50D40E1E7DC05517F8AF41D7B", &sig) &&
	    strcmp(sig.v1[0], SIG_OK) == 0, "[upper case] v1 %s", sig.v1[0]);
}

static void
test_verify(void)
{
	static const struct {
		const char		*name, *secret, *header, *body;
		long long		 now;
		enum stripe_verdict	 want;
	} cases[] = {
		{ "good", SECRET, "t=1700000000,v1=" SIG_OK, BODY, T0,
		    STRIPE_OK },
		{ "second of two v1 (a secret roll)", SECRET,
		    "t=1700000000,v1=" SIG_OTHER ",v1=" SIG_OK, BODY, T0,
		    STRIPE_OK },
		{ "first of two v1", SECRET,
		    "t=1700000000,v1=" SIG_OK ",v1=" SIG_OTHER, BODY, T0,
		    STRIPE_OK },
		{ "300 s old", SECRET, "t=1700000000,v1=" SIG_OK, BODY,
		    T0 + 300, STRIPE_OK },
		{ "301 s old", SECRET, "t=1700000000,v1=" SIG_OK, BODY,
		    T0 + 301, STRIPE_STALE },
		{ "300 s ahead", SECRET, "t=1700000000,v1=" SIG_OK, BODY,
		    T0 - 300, STRIPE_OK },
		{ "301 s ahead", SECRET, "t=1700000000,v1=" SIG_OK, BODY,
		    T0 - 301, STRIPE_STALE },
		{ "signed by another secret", SECRET,
		    "t=1700000000,v1=" SIG_OTHER, BODY, T0, STRIPE_MISMATCH },
		{ "another secret configured", "whsec_other",
		    "t=1700000000,v1=" SIG_OTHER, BODY, T0, STRIPE_OK },
		{ "another t", SECRET, "t=1700000001,v1=" SIG_OK, BODY,
		    T0, STRIPE_MISMATCH },
		{ "body changed", SECRET, "t=1700000000,v1=" SIG_OK,
		    BODY " ", T0, STRIPE_MISMATCH },
		{ "empty body", SECRET, "t=1700000000,v1=" SIG_EMPTY, "", T0,
		    STRIPE_OK },
		{ "v0 only", SECRET, "t=1700000000,v0=" SIG_OK, BODY, T0,
		    STRIPE_MALFORMED },
		{ "missing", SECRET, NULL, BODY, T0, STRIPE_MISSING },
		{ "empty", SECRET, "", BODY, T0, STRIPE_MISSING },
		{ "malformed", SECRET, "sha256=" SIG_OK, BODY, T0,
		    STRIPE_MALFORMED },
		{ "no secret", NULL, "t=1700000000,v1=" SIG_OK, BODY, T0,
		    STRIPE_NO_SECRET },
		{ "empty secret", "", "t=1700000000,v1=" SIG_OK, BODY, T0,
		    STRIPE_NO_SECRET },
		{ "truncated signature", SECRET, "t=1700000000,v1="
		    "a13d4b1f9003bc2fb6c06224e878b6056185eaa50d40e1e7dc05517f8af41d7",
		    BODY, T0, STRIPE_MISMATCH },
	};
	enum stripe_verdict	 v;
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		v = stripe_verify(cases[i].secret, cases[i].header,
		    cases[i].body, strlen(cases[i].body), cases[i].now);
		CHECK(v == cases[i].want, "[%s] verdict %d, want %d",
		    cases[i].name, (int)v, (int)cases[i].want);
		CHECK(stripe_verdict_text(v) != NULL &&
		    *stripe_verdict_text(v) != '\0', "[%s] no text",
		    cases[i].name);
	}
}

#define ITEM(extra) "{\"productTitle\":\"Punk Skull Tee\"," \
	"\"productType\":\"shirt\",\"imageUrl\":\"https://cdn.example/a.png\"," \
	"\"size\":\"M\",\"quantity\":1,\"price\":29.99" extra "}"

static void
test_items(void)
{
	static const struct {
		const char	*name, *text;
		int		 ok;
		const char	*why;	/* the start of the reason */
	} cases[] = {
		{ "one", "[" ITEM("") "]", 1, NULL },
		{ "two", "[" ITEM("") "," ITEM("") "]", 1, NULL },
		{ "extra field dropped", "[" ITEM(",\"x\":1") "]", 1, NULL },
		{ "none", NULL, 0, "items:" },
		{ "not JSON", "[{", 0, "items: not JSON" },
		{ "empty array", "[]", 0, "items: expected an array" },
		{ "object", ITEM(""), 0, "items: expected an array" },
		{ "not an object", "[1]", 0, "items[0]: expected an object" },
		{ "no title", "[{\"productType\":\"shirt\"}]", 0,
		    "items[0].productTitle" },
		{ "bad type", "[{\"productTitle\":\"a\",\"productType\":\"mug\"}]",
		    0, "items[0].productType" },
		{ "bad size", "[{\"productTitle\":\"a\",\"productType\":\"shirt\","
		    "\"imageUrl\":\"https://x/a.png\",\"size\":\"XXL\"}]", 0,
		    "items[0].size" },
		{ "bad url", "[{\"productTitle\":\"a\",\"productType\":\"shirt\","
		    "\"imageUrl\":\"ftp://x/a.png\",\"size\":\"M\",\"quantity\":1,"
		    "\"price\":1}]", 0, "items[0].imageUrl" },
		{ "url with a space", "[{\"productTitle\":\"a\","
		    "\"productType\":\"shirt\",\"imageUrl\":\"https://x/a b\","
		    "\"size\":\"M\",\"quantity\":1,\"price\":1}]", 0,
		    "items[0].imageUrl" },
		{ "quantity 0", "[{\"productTitle\":\"a\",\"productType\":\"shirt\","
		    "\"imageUrl\":\"https://x/a\",\"size\":\"M\",\"quantity\":0,"
		    "\"price\":1}]", 0, "items[0].quantity" },
		{ "quantity as text", "[{\"productTitle\":\"a\","
		    "\"productType\":\"shirt\",\"imageUrl\":\"https://x/a\","
		    "\"size\":\"M\",\"quantity\":\"1\",\"price\":1}]", 0,
		    "items[0].quantity" },
		{ "price as text", "[{\"productTitle\":\"a\","
		    "\"productType\":\"shirt\",\"imageUrl\":\"https://x/a\","
		    "\"size\":\"M\",\"quantity\":1,\"price\":\"1\"}]", 0,
		    "items[0].price" },
		{ "negative price", "[{\"productTitle\":\"a\","
		    "\"productType\":\"shirt\",\"imageUrl\":\"https://x/a\","
		    "\"size\":\"M\",\"quantity\":1,\"price\":-1}]", 0,
		    "items[0].price" },
		{ "five decimals", "[{\"productTitle\":\"a\","
		    "\"productType\":\"shirt\",\"imageUrl\":\"https://x/a\","
		    "\"size\":\"M\",\"quantity\":1,\"price\":1.00001}]", 0,
		    "items[0].price" },
		{ "second bad", "[" ITEM("") ",{}]", 0, "items[1]" },
	};
	struct json_object	*out;
	char			 why[256] = "";
	size_t			 i;
	int			 ok;

	for (i = 0; i < NELEM(cases); i++) {
		why[0] = '\0';
		ok = stripe_items_read(cases[i].text, &out, why, sizeof(why));
		CHECK(ok == cases[i].ok, "[%s] read %d, want %d (%s)",
		    cases[i].name, ok, cases[i].ok, why);
		if (!ok) {
			CHECK(out == NULL, "[%s] output on failure",
			    cases[i].name);
			CHECK(strncmp(why, cases[i].why, strlen(cases[i].why)) ==
			    0, "[%s] why \"%s\", want \"%s...\"", cases[i].name,
			    why, cases[i].why);
		}
		json_object_put(out);
	}
	/* The normal form: the contract's six fields, price as money. */
	CHECK(stripe_items_read("[" ITEM(",\"x\":1") "]", &out, why,
	    sizeof(why)), "[normal form] refused: %s", why);
	CHECK_STR("normal form", json_object_to_json_string_ext(out,
	    JSON_C_TO_STRING_PLAIN), "[{\"productTitle\":\"Punk Skull Tee\","
	    "\"productType\":\"shirt\",\"imageUrl\":\"https:\\/\\/cdn.example"
	    "\\/a.png\",\"size\":\"M\",\"quantity\":1,\"price\":29.99}]");
	json_object_put(out);
}

/* A checkout session with the given metadata.items and extra members. */
static struct json_object *
session(const char *extra)
{
	char	 text[2048];

	snprintf(text, sizeof(text), "{\"id\":\"cs_test_1\","
	    "\"object\":\"checkout.session\",\"amount_total\":2999,"
	    "\"currency\":\"usd\",\"payment_intent\":\"pi_1\","
	    "\"customer_details\":{\"email\":\"jane@example.test\"},"
	    "\"metadata\":{\"clientSlug\":\"discount-punk\",\"items\":"
	    "\"[{\\\"productTitle\\\":\\\"Tee\\\",\\\"productType\\\":"
	    "\\\"shirt\\\",\\\"imageUrl\\\":\\\"https://x/a.png\\\","
	    "\\\"size\\\":\\\"M\\\",\\\"quantity\\\":1,\\\"price\\\":29.99}]\"}"
	    "%s}", extra);
	return json_tokener_parse(text);
}

#define SHIP "{\"name\":\"Jane Doe\",\"address\":{\"line1\":\"123 Punk Ave\"," \
	"\"line2\":null,\"city\":\"Portland\",\"state\":\"OR\"," \
	"\"postal_code\":\"97201\",\"country\":\"US\"}}"
#define SHIP_JSON "{\"name\":\"Jane Doe\",\"line1\":\"123 Punk Ave\"," \
	"\"city\":\"Portland\",\"state\":\"OR\",\"postal_code\":\"97201\"," \
	"\"country\":\"US\"}"

static void
test_session(void)
{
	static const struct {
		const char		*name, *extra;
		enum stripe_read	 want;
		const char		*shipping;	/* NULL: none */
	} cases[] = {
		{ "no shipping", "", STRIPE_READ_OK, NULL },
		{ "shipping_details", ",\"shipping_details\":" SHIP,
		    STRIPE_READ_OK, SHIP_JSON },
		{ "collected_information", ",\"collected_information\":"
		    "{\"shipping_details\":" SHIP "}", STRIPE_READ_OK,
		    SHIP_JSON },
		{ "line2 kept", ",\"shipping_details\":{\"name\":\"J\","
		    "\"address\":{\"line1\":\"1 A St\",\"line2\":\"Apt 2\","
		    "\"city\":\"C\",\"country\":\"CA\",\"state\":\"ON\","
		    "\"postal_code\":\"K1A\"}}", STRIPE_READ_OK,
		    "{\"name\":\"J\",\"line1\":\"1 A St\",\"line2\":\"Apt 2\","
		    "\"city\":\"C\",\"state\":\"ON\",\"postal_code\":\"K1A\","
		    "\"country\":\"CA\"}" },
		{ "no line1: no address", ",\"shipping_details\":{\"name\":"
		    "\"J\",\"address\":{\"city\":\"C\"}}", STRIPE_READ_OK, NULL },
		{ "country defaults to US", ",\"shipping_details\":{\"name\":"
		    "\"J\",\"address\":{\"line1\":\"1\",\"city\":\"C\"}}",
		    STRIPE_READ_OK, "{\"name\":\"J\",\"line1\":\"1\",\"city\":"
		    "\"C\",\"state\":\"\",\"postal_code\":\"\",\"country\":"
		    "\"US\"}" },
		{ "paid", ",\"payment_status\":\"paid\"", STRIPE_READ_OK, NULL },
		{ "unpaid", ",\"payment_status\":\"unpaid\"",
		    STRIPE_READ_UNPAID, NULL },
	};
	struct stripe_order	 o;
	struct json_object	*s;
	enum stripe_read	 res;
	char			 why[256] = "";
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		s = session(cases[i].extra);
		why[0] = '\0';
		res = stripe_session_read(s, &o, why, sizeof(why));
		CHECK(res == cases[i].want, "[%s] read %d, want %d (%s)",
		    cases[i].name, (int)res, (int)cases[i].want, why);
		if (res == STRIPE_READ_OK) {
			CHECK_STR(cases[i].name, o.session_id, "cs_test_1");
			CHECK_STR(cases[i].name, o.payment_intent, "pi_1");
			CHECK_STR(cases[i].name, o.client_slug, "discount-punk");
			CHECK_STR(cases[i].name, o.email, "jane@example.test");
			CHECK_STR(cases[i].name, o.currency, "USD");
			CHECK(o.total == 299900, "[%s] total %lld",
			    cases[i].name, (long long)o.total);
			CHECK(json_object_array_length(o.items) == 1,
			    "[%s] items", cases[i].name);
			CHECK_STR(cases[i].name, o.shipping ?
			    json_object_to_json_string_ext(o.shipping,
			    JSON_C_TO_STRING_PLAIN) : NULL, cases[i].shipping);
		}
		stripe_order_cleanup(&o);
		json_object_put(s);
	}
}

/* Sessions that make no order, and why. */
static void
test_session_refused(void)
{
	static const struct {
		const char		*name, *text;
		enum stripe_read	 want;
	} cases[] = {
		{ "not an object", "[]", STRIPE_READ_BAD_SESSION },
		{ "no id", "{\"amount_total\":1}", STRIPE_READ_BAD_SESSION },
		{ "no client", "{\"id\":\"cs_1\",\"amount_total\":1}",
		    STRIPE_READ_NO_CLIENT },
		{ "client not a slug", "{\"id\":\"cs_1\",\"amount_total\":1,"
		    "\"metadata\":{\"clientSlug\":\"Bad Slug\"}}",
		    STRIPE_READ_NO_CLIENT },
		{ "no amount", "{\"id\":\"cs_1\",\"metadata\":{\"clientSlug\":"
		    "\"a-shop\",\"items\":\"[]\"}}", STRIPE_READ_BAD_SESSION },
		{ "amount as a fraction", "{\"id\":\"cs_1\",\"amount_total\":"
		    "29.99,\"metadata\":{\"clientSlug\":\"a-shop\"}}",
		    STRIPE_READ_BAD_SESSION },
		{ "negative amount", "{\"id\":\"cs_1\",\"amount_total\":-1,"
		    "\"metadata\":{\"clientSlug\":\"a-shop\"}}",
		    STRIPE_READ_BAD_SESSION },
		{ "no items", "{\"id\":\"cs_1\",\"amount_total\":1,"
		    "\"metadata\":{\"clientSlug\":\"a-shop\"}}",
		    STRIPE_READ_BAD_ITEMS },
		{ "items not JSON", "{\"id\":\"cs_1\",\"amount_total\":1,"
		    "\"metadata\":{\"clientSlug\":\"a-shop\",\"items\":\"[{\"}}",
		    STRIPE_READ_BAD_ITEMS },
	};
	struct stripe_order	 o;
	struct json_object	*s;
	enum stripe_read	 res;
	char			 why[256] = "";
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		s = json_tokener_parse(cases[i].text);
		why[0] = '\0';
		res = stripe_session_read(s, &o, why, sizeof(why));
		CHECK(res == cases[i].want, "[%s] read %d, want %d (%s)",
		    cases[i].name, (int)res, (int)cases[i].want, why);
		CHECK(why[0] != '\0', "[%s] no reason", cases[i].name);
		CHECK(o.items == NULL && o.shipping == NULL, "[%s] output left",
		    cases[i].name);
		stripe_order_cleanup(&o);
		json_object_put(s);
	}
}

/* The "stripe" suite. */
void
test_stripe_register(void)
{
	static const struct test_def tests[] = {
		{ "stripe_sig_parse", test_sig_parse },
		{ "stripe_verify vectors and tolerance", test_verify },
		{ "stripe_items_read OrderItem rules", test_items },
		{ "stripe_session_read", test_session },
		{ "stripe_session_read refusals", test_session_refused },
	};

	test_add_suite("stripe", suite_init, NULL, tests, NELEM(tests));
}
