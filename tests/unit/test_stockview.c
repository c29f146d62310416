/*
 * test_stockview.c - stockview.c's cursor: every sort key of the
 * inventory list round-trips through its opaque text, which fits the
 * 128 bytes of stock_rows.next_cursor; keys that cannot come from the
 * list are not encoded, and text that no key made is not read back.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mihwar.h"
#include "tests.h"

static int
suite_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

static void
test_round_trip(void)
{
	static const struct {
		const char		*name;
		struct stock_cursor	 key;
	} cases[] = {
		{ "first item, no name", { 0, 0, 1, "" } },
		{ "cover 12.3456", { 0, 123456, 42, "Oat milk" } },
		{ "no cover", { 1, 0, 9007199254740993LL, "Zebra cake" } },
		{ "largest cover", { 0, DECIMAL_MAX, INT64_MAX,
		    "Coffee beans 1kg da" } },
		{ "19 characters of 2 bytes", { 0, 5, 7,
		    "\xc3\x84\xc3\x84\xc3\x84\xc3\x84\xc3\x84\xc3\x84\xc3\x84"
		    "\xc3\x84\xc3\x84\xc3\x84\xc3\x84\xc3\x84\xc3\x84\xc3\x84"
		    "\xc3\x84\xc3\x84\xc3\x84\xc3\x84\xc3\x84" } },
		/* The longest key there is: 19 characters of 4 bytes. */
		{ "19 characters of 4 bytes", { 1, 0, INT64_MAX,
		    "\xf0\x9f\x8d\xb5\xf0\x9f\x8d\xb5\xf0\x9f\x8d\xb5"
		    "\xf0\x9f\x8d\xb5\xf0\x9f\x8d\xb5\xf0\x9f\x8d\xb5"
		    "\xf0\x9f\x8d\xb5\xf0\x9f\x8d\xb5\xf0\x9f\x8d\xb5"
		    "\xf0\x9f\x8d\xb5\xf0\x9f\x8d\xb5\xf0\x9f\x8d\xb5"
		    "\xf0\x9f\x8d\xb5\xf0\x9f\x8d\xb5\xf0\x9f\x8d\xb5"
		    "\xf0\x9f\x8d\xb5\xf0\x9f\x8d\xb5\xf0\x9f\x8d\xb5"
		    "\xf0\x9f\x8d\xb5" } },
		{ "quotes and ampersand", { 0, 1, 3, "Tom & \"Jerry\" <x>" } },
	};
	struct stock_cursor	 back;
	char			 text[128];
	size_t			 i, k;

	for (i = 0; i < NELEM(cases); i++) {
		memset(text, 'x', sizeof(text));
		if (!CHECK(stockview_cursor_encode(&cases[i].key, text),
		    "[%s] not encoded", cases[i].name))
			continue;
		CHECK(memchr(text, '\0', sizeof(text)) != NULL &&
		    strlen(text) <= 127, "[%s] does not fit", cases[i].name);
		for (k = 0; text[k] != '\0'; k++)
			CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
			    "qrstuvwxyz0123456789-_", text[k]) != NULL,
			    "[%s] %s: not URL-safe", cases[i].name, text);
		CHECK(stockview_cursor_valid(text), "[%s] %s: not valid",
		    cases[i].name, text);
		if (!CHECK(stockview_cursor_decode(text, &back),
		    "[%s] %s: not read back", cases[i].name, text))
			continue;
		CHECK(back.nocover == cases[i].key.nocover &&
		    back.cover == cases[i].key.cover &&
		    back.id == cases[i].key.id, "[%s] got %d %lld %lld",
		    cases[i].name, back.nocover, (long long)back.cover,
		    back.id);
		CHECK_STR(cases[i].name, back.name, cases[i].key.name);
	}
}

static void
test_encode_refused(void)
{
	static const struct {
		const char		*name;
		struct stock_cursor	 key;
	} cases[] = {
		{ "no cover but a cover", { 1, 5, 1, "a" } },
		{ "negative cover", { 0, -1, 1, "a" } },
		{ "cover beyond DECIMAL(18,4)", { 0, DECIMAL_MAX + 1, 1, "a" } },
		{ "id 0", { 0, 0, 0, "a" } },
		{ "negative id", { 0, 0, -5, "a" } },
		{ "20 characters", { 0, 0, 1, "abcdefghijklmnopqrst" } },
		{ "bad UTF-8", { 0, 0, 1, "caf\xe9" } },
	};
	char	 text[128];
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++)
		CHECK(!stockview_cursor_encode(&cases[i].key, text),
		    "[%s] encoded", cases[i].name);
}

/* URL-safe base64 of n bytes, into a static buffer. */
static const char *
b64(const void *p, size_t n)
{
	static char	 out[256];

	sodium_bin2base64(out, sizeof(out), p, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

/* A binary key: tag, flag, cover, id (big-endian), then name. */
static const char *
raw(int tag, int flag, uint64_t cover, uint64_t id, const char *name,
    size_t nlen)
{
	unsigned char	 bin[160];
	int		 i;

	bin[0] = (unsigned char)tag;
	bin[1] = (unsigned char)flag;
	for (i = 0; i < 8; i++) {
		bin[2 + i] = (unsigned char)(cover >> (56 - 8 * i));
		bin[10 + i] = (unsigned char)(id >> (56 - 8 * i));
	}
	memcpy(bin + 18, name, nlen);
	return b64(bin, 18 + nlen);
}

static void
test_decode_refused(void)
{
	struct {
		const char	*name;
		char		 text[260];
	} cases[] = {
		{ "empty", "" },
		{ "not base64", "!!!!" },
		{ "standard base64", "c/AAAAAAAAATiAAAAAAAAAAB+2F0" },
		{ "padded", "cwAAAAAAAAATiAAAAAAAAAABT2F0IG1pbGs=" },
		{ "a page.c cursor", "YzEuNDI" },
		{ "too long", "" },
		{ "too short", "" },
		{ "another tag", "" },
		{ "flag 2", "" },
		{ "no cover but a cover", "" },
		{ "cover beyond DECIMAL(18,4)", "" },
		{ "negative cover", "" },
		{ "id 0", "" },
		{ "NUL in the name", "" },
		{ "bad UTF-8 in the name", "" },
		{ "20 characters", "" },
	};
	struct stock_cursor	 back;
	size_t			 i;
	char			 tmp[260];

	/* The binary cases, built here. */
	memset(tmp, 'A', 200);
	tmp[200] = '\0';
	snprintf(cases[5].text, sizeof(cases[5].text), "%s", tmp);
	snprintf(cases[6].text, sizeof(cases[6].text), "%s",
	    b64("s\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 17));
	snprintf(cases[7].text, sizeof(cases[7].text), "%s",
	    raw('c', 0, 1, 1, "a", 1));
	snprintf(cases[8].text, sizeof(cases[8].text), "%s",
	    raw('s', 2, 0, 1, "a", 1));
	snprintf(cases[9].text, sizeof(cases[9].text), "%s",
	    raw('s', 1, 5, 1, "a", 1));
	snprintf(cases[10].text, sizeof(cases[10].text), "%s",
	    raw('s', 0, (uint64_t)DECIMAL_MAX + 1, 1, "a", 1));
	snprintf(cases[11].text, sizeof(cases[11].text), "%s",
	    raw('s', 0, UINT64_MAX, 1, "a", 1));
	snprintf(cases[12].text, sizeof(cases[12].text), "%s",
	    raw('s', 0, 0, 0, "a", 1));
	snprintf(cases[13].text, sizeof(cases[13].text), "%s",
	    raw('s', 0, 0, 1, "a\0b", 3));
	snprintf(cases[14].text, sizeof(cases[14].text), "%s",
	    raw('s', 0, 0, 1, "caf\xe9", 4));
	snprintf(cases[15].text, sizeof(cases[15].text), "%s",
	    raw('s', 0, 0, 1, "abcdefghijklmnopqrst", 20));
	for (i = 0; i < NELEM(cases); i++) {
		CHECK(!stockview_cursor_decode(cases[i].text, &back),
		    "[%s] %s: read back", cases[i].name, cases[i].text);
		CHECK(!stockview_cursor_valid(cases[i].text), "[%s] valid",
		    cases[i].name);
	}
	CHECK(!stockview_cursor_valid(NULL), "[NULL] valid");
	/* The same bytes with a good key are read back (the cases above
	 * fail for the reason they name). */
	CHECK(stockview_cursor_decode(raw('s', 0, 1, 1, "a", 1), &back),
	    "[control] not read back");
}

/* The "stockview" suite. */
void
test_stockview_register(void)
{
	static const struct test_def tests[] = {
		{ "cursor round trip", test_round_trip },
		{ "cursor keys not of the list are not encoded",
		    test_encode_refused },
		{ "cursor text no key made is refused", test_decode_refused },
	};

	test_add_suite("stockview", suite_init, NULL, tests, NELEM(tests));
}
