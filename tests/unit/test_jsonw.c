/*
 * test_jsonw.c - jsonw.c, the JSON writer of item and list answers: it
 * must print exactly the bytes json-c prints for the same values (the
 * answers it replaced were json-c's), strings escaped as RFC 8259 asks,
 * and refuse a shape that does not close.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "tests.h"

/* How the answers' json-c path printed (json_to_str). */
#define JSONC_FLAGS	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* json-c's text of the string s[0..n); the caller frees. */
static char *
jsonc_string(const char *s, size_t n)
{
	struct json_object	*o = json_object_new_string_len(s, (int)n);
	char			*t = strdup(json_object_to_json_string_ext(o,
				    JSONC_FLAGS));

	json_object_put(o);
	return t;
}

/* jsonw_escape's text of s[0..n); the caller frees (buf_cleanup). */
static void
jsonw_string(struct buf *b, const char *s, size_t n)
{
	buf_init(b);
	CHECK(jsonw_escape(b, s, n), "[%s] escape failed", test_esc(s, n));
}

/* Strings that need escapes, and some that must pass untouched. */
static void
test_escape_cases(void)
{
	static const struct {
		const char	*s;
		size_t		 n;	/* 0: strlen */
		const char	*want;
	} cases[] = {
		{ "", 0, "\"\"" },
		{ "plain", 0, "\"plain\"" },
		{ "quote \" back \\", 0, "\"quote \\\" back \\\\\"" },
		{ "\b\f\n\r\t", 0, "\"\\b\\f\\n\\r\\t\"" },
		{ "\x01\x1f\x0b", 0, "\"\\u0001\\u001f\\u000b\"" },
		{ "a\0b", 3, "\"a\\u0000b\"" },
		{ "/ </script>", 0, "\"/ </script>\"" },
		{ "caf\xc3\xa9 \xf0\x9f\x98\x80", 0,
		    "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"" },
		/* U+2028 and U+2029 are valid in JSON strings: kept. */
		{ "\xe2\x80\xa8\xe2\x80\xa9", 0, "\"\xe2\x80\xa8\xe2\x80\xa9\"" },
		{ "\x7f", 0, "\"\x7f\"" },
		{ "\"\"", 0, "\"\\\"\\\"\"" },
	};
	struct buf	 b;
	char		*jc;
	size_t		 i, n;

	for (i = 0; i < NELEM(cases); i++) {
		n = cases[i].n ? cases[i].n : strlen(cases[i].s);
		jsonw_string(&b, cases[i].s, n);
		CHECK_STR(test_esc(cases[i].s, n), b.data, cases[i].want);
		jc = jsonc_string(cases[i].s, n);
		CHECK_STR(test_esc(cases[i].s, n), b.data, jc);
		free(jc);
		buf_cleanup(&b);
	}
}

/* Every byte alone, and every byte between two others, as json-c. */
static void
test_escape_every_byte(void)
{
	struct buf	 b;
	char		 s[3], *jc;
	int		 c;

	for (c = 0; c < 256; c++) {
		s[0] = 'a';
		s[1] = (char)c;
		s[2] = 'z';
		jsonw_string(&b, s + 1, 1);
		jc = jsonc_string(s + 1, 1);
		CHECK(strcmp(b.data, jc) == 0, "byte 0x%02x: %s, json-c %s",
		    c, test_esc(b.data, b.len), test_esc(jc, strlen(jc)));
		free(jc);
		buf_cleanup(&b);
		jsonw_string(&b, s, 3);
		jc = jsonc_string(s, 3);
		CHECK(strcmp(b.data, jc) == 0, "a, byte 0x%02x, z: %s, "
		    "json-c %s", c, test_esc(b.data, b.len),
		    test_esc(jc, strlen(jc)));
		free(jc);
		buf_cleanup(&b);
	}
}

/*
 * Every byte at every place of a 17-byte string, the rest plain or
 * UTF-8: the writer takes plain text eight bytes at a time, so a byte
 * to escape must be found in each lane of a block and in the tail.
 */
static void
test_escape_every_lane(void)
{
	static const char	 fills[] = { 'x', (char)0xc3, ' ', '~' };
	struct buf		 b;
	char			 s[17], *jc;
	size_t			 at, f;
	int			 c;

	for (f = 0; f < NELEM(fills); f++)
		for (at = 0; at < sizeof(s); at++)
			for (c = 0; c < 256; c++) {
				memset(s, fills[f], sizeof(s));
				s[at] = (char)c;
				jsonw_string(&b, s, sizeof(s));
				jc = jsonc_string(s, sizeof(s));
				CHECK(strcmp(b.data, jc) == 0, "byte 0x%02x "
				    "at %zu of %s: %s", c, at,
				    test_esc(s, sizeof(s)),
				    test_esc(b.data, b.len));
				free(jc);
				buf_cleanup(&b);
			}
}

/* What json-c reads back from the writer's string is the string. */
static void
test_escape_round_trip(void)
{
	static const char	 s[] = "n\0ul \x01 \" \\ \n caf\xc3\xa9 \x7f";
	struct json_object	*o;
	struct buf		 b;

	jsonw_string(&b, s, sizeof(s) - 1);
	o = json_tokener_parse(b.data);
	if (CHECK(o != NULL, "json-c refused %s", test_esc(b.data, b.len))) {
		CHECK(json_object_get_string_len(o) == (int)sizeof(s) - 1 &&
		    memcmp(json_object_get_string(o), s, sizeof(s) - 1) == 0,
		    "read back as %s", test_esc(json_object_get_string(o),
		    (size_t)json_object_get_string_len(o)));
		json_object_put(o);
	}
	buf_cleanup(&b);
}

/* A shape of objects, arrays and every kind of value prints as json-c
 * prints the same tree. */
static void
test_shape(void)
{
	struct json_object	*o, *a, *e;
	struct jsonw		 w;
	struct buf		 b;

	buf_init(&b);
	jsonw_init(&w, &b);
	jsonw_obj_open(&w, NULL);
	jsonw_arr_open(&w, "data");
	jsonw_obj_open(&w, NULL);
	jsonw_str(&w, "id", "x\"1");
	jsonw_str(&w, "sku", NULL);
	jsonw_int(&w, "n", LLONG_MIN);
	jsonw_int(&w, "m", LLONG_MAX);
	jsonw_bool(&w, "t", 1);
	jsonw_bool(&w, "f", 0);
	jsonw_arr_open(&w, "empty");
	jsonw_arr_close(&w);
	jsonw_obj_open(&w, "o");
	jsonw_obj_close(&w);
	jsonw_obj_close(&w);
	jsonw_str(&w, NULL, "second");
	jsonw_null(&w, NULL);
	jsonw_int(&w, NULL, 3);
	jsonw_arr_close(&w);
	jsonw_null(&w, "nextCursor");
	jsonw_obj_close(&w);
	CHECK(jsonw_done(&w), "the shape did not close");

	o = json_object_new_object();
	a = json_object_new_array();
	e = json_object_new_object();
	json_object_object_add(e, "id", json_object_new_string("x\"1"));
	json_object_object_add(e, "sku", NULL);
	json_object_object_add(e, "n", json_object_new_int64(LLONG_MIN));
	json_object_object_add(e, "m", json_object_new_int64(LLONG_MAX));
	json_object_object_add(e, "t", json_object_new_boolean(1));
	json_object_object_add(e, "f", json_object_new_boolean(0));
	json_object_object_add(e, "empty", json_object_new_array());
	json_object_object_add(e, "o", json_object_new_object());
	json_object_array_add(a, e);
	json_object_array_add(a, json_object_new_string("second"));
	json_object_array_add(a, NULL);
	json_object_array_add(a, json_object_new_int64(3));
	json_object_object_add(o, "data", a);
	json_object_object_add(o, "nextCursor", NULL);
	CHECK_STR("shape", b.data, json_object_to_json_string_ext(o,
	    JSONC_FLAGS));
	json_object_put(o);
	buf_cleanup(&b);
}

/* Decimal cells print as decimal_sql_to_json, times as json_time,
 * JSON text as json-c prints it parsed. */
static void
test_cells(void)
{
	static const char *const decimals[] = {
		"0.0000", "12.5000", "-0.0001", "99999999999999.9999",
		"1234.5600", "100", "-7", "abc", "", NULL,
	};
	static const char *const times[] = {
		"2026-03-30 12:00:00", "2026-03-30 12:00:00.123",
		"2026-03-30 12:00:00.123456", "short", NULL,
	};
	static const char *const texts[] = {
		"{\"a\": [1, 2.50, \"x\\u00e9\\/\"], \"a\": -0, \"b\": 1E2}",
		"[]", "\"s\"", "null", "12345678901234567890", "{bad", NULL,
	};
	struct json_object	*want;
	struct jsonw		 w;
	struct buf		 b;
	const char		*wt;
	size_t			 i;

	for (i = 0; i < NELEM(decimals) + NELEM(times) + NELEM(texts); i++) {
		buf_init(&b);
		jsonw_init(&w, &b);
		if (i < NELEM(decimals)) {
			jsonw_decimal_sql(&w, NULL, decimals[i]);
			want = decimal_sql_to_json(decimals[i]);
		} else if (i < NELEM(decimals) + NELEM(times)) {
			wt = times[i - NELEM(decimals)];
			jsonw_time_sql(&w, NULL, wt);
			want = json_time(wt);
		} else {
			wt = texts[i - NELEM(decimals) - NELEM(times)];
			jsonw_json_text(&w, NULL, wt);
			want = wt ? json_tokener_parse(wt) : NULL;
		}
		CHECK_STR(test_esc(b.data, b.len), b.data, want ?
		    json_object_to_json_string_ext(want, JSONC_FLAGS) : "null");
		json_object_put(want);
		buf_cleanup(&b);
	}
}

/* Fixed-point values and integers print as decimal_to_json and json-c's
 * int64 print them (the writer formats numbers itself, without printf). */
static void
test_numbers(void)
{
	static const int64_t values[] = {
		0, 1, -1, 9, 10, 10000, -10000, 12345, -12345, 100001,
		1234560000, -999999999999999999LL, 999999999999999999LL,
		5000, 50, 505, 123456789, INT64_MAX, INT64_MIN,
	};
	struct json_object	*want;
	struct jsonw		 w;
	struct buf		 b;
	size_t			 i, k;

	for (i = 0; i < NELEM(values); i++)
		for (k = 0; k < 2; k++) {
			buf_init(&b);
			jsonw_init(&w, &b);
			if (k == 0) {
				jsonw_decimal(&w, NULL, values[i]);
				want = decimal_to_json(values[i]);
			} else {
				jsonw_int(&w, NULL, values[i]);
				want = json_object_new_int64(values[i]);
			}
			CHECK(strcmp(b.data, json_object_to_json_string_ext(want,
			    JSONC_FLAGS)) == 0, "%s %lld: %s", k ? "int" :
			    "decimal", (long long)values[i], b.data);
			json_object_put(want);
			buf_cleanup(&b);
		}
}

/* A close with nothing open, nesting past JSONW_DEPTH, or a container
 * left open: jsonw_done says no, and the failure sticks. */
static void
test_refusals(void)
{
	struct jsonw	 w;
	struct buf	 b;
	size_t		 i, len;

	buf_init(&b);
	jsonw_init(&w, &b);
	CHECK(!jsonw_obj_close(&w) && !jsonw_done(&w), "a close of nothing");
	len = b.len;
	CHECK(!jsonw_str(&w, NULL, "x") && b.len == len,
	    "a write after a failure");
	buf_cleanup(&b);

	buf_init(&b);
	jsonw_init(&w, &b);
	for (i = 0; i < JSONW_DEPTH; i++)
		jsonw_arr_open(&w, NULL);
	CHECK(w.ok, "JSONW_DEPTH levels");
	CHECK(!jsonw_arr_open(&w, NULL) && !w.ok, "one level more");
	buf_cleanup(&b);

	buf_init(&b);
	jsonw_init(&w, &b);
	jsonw_obj_open(&w, NULL);
	CHECK(!jsonw_done(&w), "an object left open");
	buf_cleanup(&b);
}

void
test_jsonw_register(void)
{
	static const struct test_def tests[] = {
		{ "jsonw_escape: the escapes json-c writes", test_escape_cases },
		{ "jsonw_escape: every byte as json-c", test_escape_every_byte },
		{ "jsonw_escape: every byte in every lane of a block",
		    test_escape_every_lane },
		{ "jsonw_escape: json-c reads the string back",
		    test_escape_round_trip },
		{ "jsonw: a shape as json-c prints it", test_shape },
		{ "jsonw: decimal, time and JSON cells", test_cells },
		{ "jsonw: numbers without printf", test_numbers },
		{ "jsonw: refusals stick", test_refusals },
	};

	test_add_suite("jsonw", NULL, NULL, tests, NELEM(tests));
}
