/*
 * test_decimal.c - decimal.c (fixed point at scale 4: parse, format,
 * money with two decimals) and the invoice rules built on it in
 * cases.c: a line's amount to the cent and calendar dates.
 */
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "tests.h"

static void
test_parse_format(void)
{
	static const struct {
		const char	*in;
		int		 ok;
		int64_t		 v;
		const char	*out;
	} cases[] = {
		{ "0", 1, 0, "0" },
		{ "12.5", 1, 125000, "12.5" },
		{ "-3", 1, -30000, "-3" },
		{ "0.0001", 1, 1, "0.0001" },
		{ "1.25e2", 1, 1250000, "125" },
		{ "1.00000", 1, 10000, "1" },
		{ "0.00001", 0, 0, NULL },
		{ "1e-5", 0, 0, NULL },
		{ "", 0, 0, NULL },
		{ "1.2.3", 0, 0, NULL },
		{ "abc", 0, 0, NULL },
		{ "99999999999999.9999", 1, 999999999999999999LL,
		    "99999999999999.9999" },
		{ "999999999999999", 0, 0, NULL },
	};
	char	 buf[DECIMAL_BUFSZ];
	int64_t	 v;
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++) {
		v = 0;
		if (!CHECK(decimal_parse(cases[i].in, &v) == cases[i].ok,
		    "[%s] parses: %d", cases[i].in, cases[i].ok) ||
		    !cases[i].ok)
			continue;
		CHECK(v == cases[i].v, "[%s] is %lld, got %lld", cases[i].in,
		    (long long)cases[i].v, (long long)v);
		decimal_format(v, buf);
		CHECK_STR(cases[i].in, buf, cases[i].out);
	}
}

static void
test_money(void)
{
	static const struct {
		int64_t		 v;
		const char	*text;
		int		 cents;
	} cases[] = {
		{ 0, "0.00", 1 },
		{ 11000000, "1100.00", 1 },
		{ 255000, "25.50", 1 },
		{ 1250, "0.125", 0 },
		{ -1000, "-0.10", 1 },
		{ 3, "0.0003", 0 },
		{ 999999999999999900LL, "99999999999999.99", 1 },
	};
	char			 buf[DECIMAL_BUFSZ];
	struct json_object	*o;
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		decimal_format_money(cases[i].v, buf);
		CHECK_STR("money text", buf, cases[i].text);
		CHECK(decimal_cents(cases[i].v) == cases[i].cents,
		    "[%s] whole cents: %d", cases[i].text, cases[i].cents);
		o = decimal_money_json(cases[i].v);
		CHECK_STR("money JSON", json_object_to_json_string(o),
		    cases[i].text);
		json_object_put(o);
	}
}

static void
test_line_amount(void)
{
	static const struct {
		const char	*qty, *price;
		int		 ok;
		const char	*amount;
	} cases[] = {
		{ "10", "100", 1, "1000" },
		{ "3", "0.3333", 1, "1" },		/* 0.9999 -> 1.00 */
		{ "0.5", "0.05", 1, "0.03" },		/* 0.025 half up */
		{ "0.5", "0.0499", 1, "0.02" },	/* 0.02495 down */
		{ "4", "25.5", 1, "102" },
		{ "0.0001", "0.0001", 1, "0" },
		{ "99999999999999", "99999999999999", 0, NULL },
	};
	int64_t	 q, p, a, want;
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++) {
		CHECK(decimal_parse(cases[i].qty, &q) &&
		    decimal_parse(cases[i].price, &p), "[%zu] parse", i);
		if (!CHECK(cases_line_amount(q, p, &a) == cases[i].ok,
		    "[%s x %s] fits: %d", cases[i].qty, cases[i].price,
		    cases[i].ok) || !cases[i].ok)
			continue;
		CHECK(decimal_parse(cases[i].amount, &want) && a == want,
		    "[%s x %s] is %s, got %lld", cases[i].qty, cases[i].price,
		    cases[i].amount, (long long)a);
	}
}

/* decimal_mul: exact products split at four places, refused past
 * DECIMAL(18,4) (issue 16: an order's total read back as null). */
static void
test_mul(void)
{
	static const struct {
		const char	*a, *b;
		int		 ok;
		const char	*whole;
		long long	 rest;
	} cases[] = {
		{ "10", "100", 1, "1000", 0 },
		{ "0.0001", "0.0001", 1, "0", 1 },
		{ "0.5", "0.0499", 1, "0.0249", 5000 },
		{ "1.2345", "6.7891", 1, "8.3811", 4395 },	/* 8.38114395 */
		{ "3", "0.3333", 1, "0.9999", 0 },
		{ "99999999999.9999", "1000", 1, "99999999999999.9", 0 },
		{ "99999999999999.9999", "1", 1, "99999999999999.9999", 0 },
		{ "1", "99999999999999.9999", 1, "99999999999999.9999", 0 },
		{ "9999999.9999", "9999999.9999", 1, "99999999998000",
		    1 },				/* 10^14 - 2000 + 10^-8 */
		{ "10000000", "10000000", 0, NULL, 0 },		/* 10^14 */
		{ "99999999999999.9999", "1.0001", 0, NULL, 0 },
		{ "99999999999999.9999", "99999999999999.9999", 0, NULL, 0 },
		{ "100000000000", "100000000000", 0, NULL, 0 },
		{ "0", "99999999999999.9999", 1, "0", 0 },
		{ "-1", "1", 0, NULL, 0 },
	};
	int64_t	 a, b, whole, rest, want;
	size_t	 i;
	int	 ok;

	for (i = 0; i < NELEM(cases); i++) {
		CHECK(decimal_parse(cases[i].a, &a) &&
		    decimal_parse(cases[i].b, &b), "[%zu] parse", i);
		ok = decimal_mul(a, b, &whole, &rest);
		if (!CHECK(ok == cases[i].ok, "[%s x %s] ok %d, want %d",
		    cases[i].a, cases[i].b, ok, cases[i].ok) || !ok)
			continue;
		CHECK(decimal_parse(cases[i].whole, &want) && whole == want &&
		    rest == cases[i].rest, "[%s x %s] is %s + %lld, got %lld "
		    "+ %lld", cases[i].a, cases[i].b, cases[i].whole,
		    cases[i].rest, (long long)whole, (long long)rest);
	}
}

static void
test_dates(void)
{
	static const struct {
		const char	*s;
		int		 ok;
	} cases[] = {
		{ "2026-01-20", 1 }, { "2024-02-29", 1 }, { "2000-02-29", 1 },
		{ "2026-02-29", 0 }, { "1900-02-29", 0 }, { "2026-04-31", 0 },
		{ "2026-12-31", 1 }, { "2026-13-01", 0 }, { "2026-00-10", 0 },
		{ "2026-1-20", 0 }, { "2026-01-2", 0 }, { "20260120", 0 },
		{ "2026-01-20T00", 0 }, { "", 0 }, { "1899-12-31", 0 },
		{ "2026/01/20", 0 }, { "+026-01-20", 0 }, { "2026-01-+2", 0 },
	};
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++)
		CHECK(cases_date_valid(cases[i].s) == cases[i].ok,
		    "[%s] valid: %d", cases[i].s, cases[i].ok);
}

void
test_decimal_register(void)
{
	static const struct test_def tests[] = {
		{ "decimal_parse and decimal_format", test_parse_format },
		{ "money: two decimals, whole cents", test_money },
		{ "a line's amount to the cent, half up", test_line_amount },
		{ "decimal_mul: exact, refused past DECIMAL(18,4)", test_mul },
		{ "invoice dates are calendar dates", test_dates },
	};

	test_add_suite("decimal", NULL, NULL, tests, NELEM(tests));
}
