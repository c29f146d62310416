/*
 * test_util.c - util.c: bounded integer parsing, UTF-8 validation,
 * growable buffers and hex.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mihwar.h"
#include "tests.h"

static void
test_strtonum(void)
{
	static const struct {
		const char	*s;
		long long	 min, max;
		int		 ok;
		long long	 v;
	} cases[] = {
		{ "0", 0, 10, 1, 0 },
		{ "10", 0, 10, 1, 10 },
		{ "7", 7, 7, 1, 7 },
		{ "-5", -10, 10, 1, -5 },
		{ "-0", 0, 10, 1, 0 },
		{ "007", 0, 10, 1, 7 },
		{ "010", 0, 100, 1, 10 },
		{ "11", 0, 10, 0, 0 },
		{ "-1", 0, 10, 0, 0 },
		{ "6", 7, 7, 0, 0 },
		{ "", 0, 10, 0, 0 },
		{ NULL, 0, 10, 0, 0 },
		{ "abc", 0, 10, 0, 0 },
		{ "12abc", 0, 100, 0, 0 },
		{ "1 ", 0, 10, 0, 0 },
		{ "1\n", 0, 10, 0, 0 },
		{ " 1", 0, 10, 0, 0 },
		{ "\t1", 0, 10, 0, 0 },
		{ "\n1", 0, 10, 0, 0 },
		{ "+1", 0, 10, 0, 0 },
		{ "-", -10, 10, 0, 0 },
		{ "--1", -10, 10, 0, 0 },
		{ "0x10", 0, 100, 0, 0 },
		{ "1e3", 0, 10000, 0, 0 },
		{ "1.0", 0, 10, 0, 0 },
		{ "1,000", 0, 10000, 0, 0 },
		{ "9223372036854775807", LLONG_MIN, LLONG_MAX, 1, LLONG_MAX },
		{ "-9223372036854775808", LLONG_MIN, LLONG_MAX, 1, LLONG_MIN },
		{ "9223372036854775808", LLONG_MIN, LLONG_MAX, 0, 0 },
		{ "-9223372036854775809", LLONG_MIN, LLONG_MAX, 0, 0 },
		{ "99999999999999999999999", 0, LLONG_MAX, 0, 0 },
	};
	long long	 v;
	size_t		 i;
	int		 ok;
	const char	*name;

	for (i = 0; i < NELEM(cases); i++) {
		name = cases[i].s ? test_esc(cases[i].s, strlen(cases[i].s)) :
		    "(null)";
		v = 424242;
		ok = util_strtonum(cases[i].s, cases[i].min, cases[i].max, &v);
		CHECK(ok == cases[i].ok, "[%s in %lld..%lld] ok %d, want %d",
		    name, cases[i].min, cases[i].max, ok, cases[i].ok);
		if (cases[i].ok)
			CHECK(v == cases[i].v, "[%s] value %lld, want %lld",
			    name, v, cases[i].v);
		else
			CHECK(v == 424242, "[%s] refused but wrote %lld", name,
			    v);
	}
}

static void
test_utf8_valid(void)
{
	static const struct {
		const char	*name, *s;
		size_t		 len;	/* 0: strlen(s) */
		int		 ok;
	} cases[] = {
		{ "empty", "", 0, 1 },
		{ "ascii", "hello, world", 0, 1 },
		{ "U+0080", "\xc2\x80", 0, 1 },
		{ "U+00E9", "caf\xc3\xa9", 0, 1 },
		{ "U+07FF", "\xdf\xbf", 0, 1 },
		{ "U+0800", "\xe0\xa0\x80", 0, 1 },
		{ "U+20AC", "\xe2\x82\xac", 0, 1 },
		{ "U+D7FF", "\xed\x9f\xbf", 0, 1 },
		{ "U+E000", "\xee\x80\x80", 0, 1 },
		{ "U+FFFF", "\xef\xbf\xbf", 0, 1 },
		{ "U+10000", "\xf0\x90\x80\x80", 0, 1 },
		{ "U+1F600", "\xf0\x9f\x98\x80", 0, 1 },
		{ "U+10FFFF", "\xf4\x8f\xbf\xbf", 0, 1 },
		{ "only the first len bytes", "ab\xff", 2, 1 },
		{ "NUL", "a\0b", 3, 0 },
		{ "lone NUL", "\0", 1, 0 },
		{ "overlong NUL", "\xc0\x80", 0, 0 },
		{ "overlong '/'", "\xc0\xaf", 0, 0 },
		{ "overlong 2-byte C1", "\xc1\xbf", 0, 0 },
		{ "overlong 3-byte", "\xe0\x80\xaf", 0, 0 },
		{ "overlong U+07FF", "\xe0\x9f\xbf", 0, 0 },
		{ "overlong 4-byte", "\xf0\x80\x80\xaf", 0, 0 },
		{ "overlong U+FFFF", "\xf0\x8f\xbf\xbf", 0, 0 },
		{ "lone continuation", "\x80", 0, 0 },
		{ "continuation after ascii", "a\xbf", 0, 0 },
		{ "two continuations", "\xc3\xa9\xa9", 0, 0 },
		{ "truncated 2-byte", "\xc3", 0, 0 },
		{ "truncated 3-byte", "\xe2\x82", 0, 0 },
		{ "truncated 4-byte", "\xf0\x9f\x98", 0, 0 },
		{ "truncated by len", "\xc3\xa9", 1, 0 },
		{ "bad continuation", "\xc3\x28", 0, 0 },
		{ "ascii as continuation", "\xe2\x28\xa1", 0, 0 },
		{ "surrogate D800", "\xed\xa0\x80", 0, 0 },
		{ "surrogate DFFF", "\xed\xbf\xbf", 0, 0 },
		{ "surrogate pair", "\xed\xa0\xbd\xed\xb8\x80", 0, 0 },
		{ "above U+10FFFF", "\xf4\x90\x80\x80", 0, 0 },
		{ "F5 lead", "\xf5\x80\x80\x80", 0, 0 },
		{ "F8 lead", "\xf8\x88\x80\x80\x80", 0, 0 },
		{ "FE", "\xfe", 0, 0 },
		{ "FF", "\xff", 0, 0 },
		{ "latin-1", "caf\xe9", 0, 0 },
	};
	size_t	 i, len;
	int	 ok;

	for (i = 0; i < NELEM(cases); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].s);
		ok = util_utf8_valid(cases[i].s, len);
		CHECK(ok == cases[i].ok, "[%s: %s] %d, want %d", cases[i].name,
		    test_esc(cases[i].s, len), ok, cases[i].ok);
	}
}

/* Appending pieces of these sizes keeps content, length and the NUL. */
static void
test_buf_append(void)
{
	static const struct {
		const char	*name;
		size_t		 n, sizes[4];
	} cases[] = {
		{ "nothing", 1, { 0 } },
		{ "255 fits the first 256", 1, { 255 } },
		{ "256 grows", 1, { 256 } },
		{ "255 then 1", 2, { 255, 1 } },
		{ "100, 200, 300", 3, { 100, 200, 300 } },
		{ "5000 at once", 1, { 5000 } },
		{ "1, 0, 511, 513", 4, { 1, 0, 511, 513 } },
	};
	struct buf	 b;
	char		 want[8192];
	size_t		 i, k, len;

	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b);
		len = 0;
		for (k = 0; k < cases[i].n; k++) {
			memset(want + len, (int)('a' + k), cases[i].sizes[k]);
			CHECK(buf_append(&b, want + len, cases[i].sizes[k]),
			    "[%s] piece %zu refused", cases[i].name, k);
			len += cases[i].sizes[k];
			if (!CHECK(b.len == len && b.data != NULL &&
			    b.cap > b.len && b.data[b.len] == '\0',
			    "[%s] after piece %zu: len %zu (want %zu), cap "
			    "%zu, not NUL-terminated", cases[i].name, k, b.len,
			    len, b.cap))
				break;
		}
		CHECK(b.data != NULL && memcmp(b.data, want, len) == 0,
		    "[%s] content differs", cases[i].name);
		buf_cleanup(&b);
		CHECK(b.data == NULL && b.len == 0 && b.cap == 0,
		    "[%s] not reset by buf_cleanup", cases[i].name);
	}
}

static void
test_buf_printf(void)
{
	static const struct {
		const char	*name;
		size_t		 prefix, width;
	} cases[] = {
		{ "short", 0, 3 },
		{ "up to 255", 0, 255 - 4 },
		{ "exactly 256", 0, 256 - 4 },
		{ "300", 0, 300 },
		{ "after 250 bytes", 250, 20 },
		{ "2000 after 1000", 1000, 2000 },
	};
	struct buf	 b;
	char		*want;
	size_t		 i, total;

	for (i = 0; i < NELEM(cases); i++) {
		total = cases[i].prefix + 4 + cases[i].width;
		if ((want = malloc(total + 1)) == NULL)
			return;
		memset(want, 'p', cases[i].prefix);
		snprintf(want + cases[i].prefix, total + 1 - cases[i].prefix,
		    "n=%02d%*s", 7, (int)cases[i].width, "x");
		buf_init(&b);
		buf_append(&b, want, cases[i].prefix);
		CHECK(buf_printf(&b, "n=%02d%*s", 7, (int)cases[i].width, "x"),
		    "[%s] refused", cases[i].name);
		CHECK(b.len == total && b.cap > b.len, "[%s] len %zu (want "
		    "%zu), cap %zu", cases[i].name, b.len, total, b.cap);
		CHECK(b.data != NULL && strlen(b.data) == total &&
		    strcmp(b.data, want) == 0, "[%s] content differs",
		    cases[i].name);
		buf_cleanup(&b);
		free(want);
	}
	buf_init(&b);
	CHECK(buf_printf(&b, "%s", "") && b.data != NULL && b.len == 0 &&
	    b.data[0] == '\0', "[empty format] no empty string");
	CHECK(buf_puts(&b, "ab") && buf_printf(&b, "%d", 12) &&
	    buf_puts(&b, "") && strcmp(b.data, "ab12") == 0 && b.len == 4,
	    "[puts, printf, puts] \"%s\"", b.data ? b.data : "(null)");
	buf_cleanup(&b);
}

static void
test_hex(void)
{
	static const struct {
		const char	*in;
		size_t		 n;
		const char	*hex;
	} cases[] = {
		{ "", 0, "" },
		{ "\x00", 1, "00" },
		{ "\xff", 1, "ff" },
		{ "\x0f\xf0", 2, "0ff0" },
		{ "\x01\xab\xcd\xef", 4, "01abcdef" },
		{ "Hi!", 3, "486921" },
		{ "\x00\x00\x00", 3, "000000" },
	};
	char	 out[16];
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++) {
		memset(out, 'X', sizeof(out));
		util_hex((const unsigned char *)cases[i].in, cases[i].n, out);
		CHECK_STR(test_esc(cases[i].in, cases[i].n), out,
		    cases[i].hex);
	}
}

/* The "util" suite. */
static void
test_parse_time(void)
{
	static const struct {
		const char	*s;
		int		 ok;
		int64_t		 ms;
	} cases[] = {
		{ "2026-03-15", 1, 1773532800000LL },
		{ "2026-03-15T10:00:00Z", 1, 1773568800000LL },
		{ "2026-03-15T10:00:00.250+02:00", 1, 1773561600250LL },
		{ "2026-03-15T10:00Z", 1, 1773568800000LL },
		/* a datetime-local input drops zero seconds */
		{ "2026-03-15T10:00", 1, 1773568800000LL },
		{ "2026-03-15T10:00:01", 1, 1773568801000LL },
		{ "2026-03-15T10:0", 0, 0 },
		{ "2026-03-15T1000", 0, 0 },
		{ "2026-03-15T24:00", 0, 0 },
		{ "2026-03-15X10:00", 0, 0 },
		{ "2026-03-15T10:00:00.", 0, 0 },
	};
	int64_t	 ms;
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++) {
		ms = 0;
		if (CHECK(util_parse_time(cases[i].s, &ms) == cases[i].ok,
		    "[%s] parses: %d", cases[i].s, cases[i].ok) && cases[i].ok)
			CHECK(ms == cases[i].ms, "[%s] is %lld, got %lld",
			    cases[i].s, (long long)cases[i].ms, (long long)ms);
	}
}

static void
test_utf8_cut(void)
{
	static const struct {
		const char	*in;
		size_t		 n;
		const char	*out;
	} cases[] = {
		{ "abcdef", 3, "abc" },
		{ "abc", 3, "abc" },
		{ "abc", 10, "abc" },
		{ "ab\xc3\xa9", 3, "ab" },		/* not inside é */
		{ "ab\xc3\xa9", 4, "ab\xc3\xa9" },
		{ "\xe2\x82\xac\xe2\x82\xac", 4, "\xe2\x82\xac" },
		{ "\xf0\x9f\x98\x80x", 2, "" },
		{ "x", 0, "" },
	};
	char	 buf[32];
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		util_utf8_cut(buf, cases[i].n);
		CHECK_STR(test_esc(cases[i].in, strlen(cases[i].in)), buf,
		    cases[i].out);
		CHECK(util_utf8_valid(buf, strlen(buf)), "[%zu] still UTF-8",
		    i);
	}
}

/* A search term is a literal prefix inside LIKE's pattern. */
static void
test_like_prefix(void)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "oat", "oat%" },
		{ "S19-0499", "S19-0499%" },
		{ "50%", "50\\%%" },
		{ "a_b", "a\\_b%" },
		{ "%_", "\\%\\_%" },
		{ "c:\\x", "c:\\\\x%" },
	};
	char	*got;
	size_t	 i;

	CHECK(db_like_prefix(NULL) == NULL, "NULL: no pattern");
	CHECK(db_like_prefix("") == NULL, "empty: no pattern");
	for (i = 0; i < NELEM(cases); i++) {
		got = db_like_prefix(cases[i].in);
		CHECK_STR(cases[i].in, got, cases[i].out);
		free(got);
	}
}

/* search_plan_init: FULLTEXT gets the longest word (of equals, one
 * with a digit), the others become LIKEs on the tokens; a term the
 * server must cut itself goes whole (ft NULL). */
static void
test_search_plan(void)
{
	static const struct {
		const char	*term, *ft, *like0, *like1;
	} cases[] = {
		{ "G-000123", "+o7_000123*", "% o7\\_G%", "%" },
		{ "S19-0499", "+o7_0499*", "% o7\\_S19%", "%" },
		{ "walnut", "+o7_walnut*", "%", "%" },
		{ "ab 12", "+o7_12*", "% o7\\_ab%", "%" },
		{ "oat pack 3", "+o7_pack*", "% o7\\_oat%", "% o7\\_3%" },
		{ "caf\xc3\xa9 oat", NULL, "%", "%" },
		{ "a b c d e f", NULL, "%", "%" },
		{ "--", NULL, "%", "%" },
	};
	struct search_plan	 sp;
	char			 longword[80];
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		CHECK(search_plan_init(&sp, 7, cases[i].term), "plan made");
		CHECK(sp.term == cases[i].term, "the term kept");
		if (cases[i].ft == NULL)
			CHECK(sp.ft == NULL, "whole term to FULLTEXT");
		else
			CHECK_STR(cases[i].term, sp.ft, cases[i].ft);
		CHECK_STR(cases[i].term, sp.like[0], cases[i].like0);
		CHECK_STR(cases[i].term, sp.like[1], cases[i].like1);
		CHECK_STR(cases[i].term, sp.like[3], "%");
		search_plan_free(&sp);
	}
	/* A word is cut at 60 characters, as the column cuts it. */
	memset(longword, 'x', 70);
	longword[70] = '\0';
	CHECK(search_plan_init(&sp, 7, longword), "plan made");
	CHECK(sp.ft != NULL && strlen(sp.ft) == strlen("+o7_") + 60 + 1,
	    "60 characters to FULLTEXT");
	search_plan_free(&sp);
}

/* db_socket and db_host as lists of nodes (issue 15). */
static void
test_db_endpoints(void)
{
	struct conf		 c;
	struct db_endpoint	 ep;

	memset(&c, 0, sizeof(c));
	c.db_port = 3306;
	c.db_socket = "/a/one.sock";
	CHECK(db_endpoint_count(&c) == 1, "one socket");
	db_endpoint_get(&c, 0, &ep);
	CHECK_STR("socket", ep.sock, "/a/one.sock");
	CHECK(ep.host[0] == '\0', "no host with a socket");
	c.db_socket = "/a/1.sock, /b/2.sock ,/c/3.sock";
	CHECK(db_endpoint_count(&c) == 3, "three sockets");
	db_endpoint_get(&c, 1, &ep);
	CHECK_STR("second socket, trimmed", ep.sock, "/b/2.sock");
	db_endpoint_get(&c, 2, &ep);
	CHECK_STR("third socket", ep.sock, "/c/3.sock");
	c.db_socket = NULL;
	c.db_host = "db1.lan,db2.lan:3307,[::1]:3308,[::1],10.0.0.9";
	CHECK(db_endpoint_count(&c) == 5, "five hosts");
	db_endpoint_get(&c, 0, &ep);
	CHECK_STR("host", ep.host, "db1.lan");
	CHECK(ep.port == 3306 && ep.sock[0] == '\0', "db_port by default");
	db_endpoint_get(&c, 1, &ep);
	CHECK_STR("host:port", ep.host, "db2.lan");
	CHECK(ep.port == 3307, "its own port");
	db_endpoint_get(&c, 2, &ep);
	CHECK_STR("[v6]:port", ep.host, "::1");
	CHECK(ep.port == 3308, "a v6 host's port");
	db_endpoint_get(&c, 3, &ep);
	CHECK_STR("[v6]", ep.host, "::1");
	CHECK(ep.port == 3306, "a v6 host, db_port");
	db_endpoint_get(&c, 4, &ep);
	CHECK_STR("v4", ep.host, "10.0.0.9");
	c.db_host = "::1";
	db_endpoint_get(&c, 0, &ep);
	CHECK_STR("bare v6: all host", ep.host, "::1");
	CHECK(ep.port == 3306, "bare v6, db_port");
}

void
test_util_register(void)
{
	static const struct test_def tests[] = {
		{ "util_strtonum", test_strtonum },
		{ "util_utf8_valid", test_utf8_valid },
		{ "buf_append", test_buf_append },
		{ "buf_printf", test_buf_printf },
		{ "util_hex", test_hex },
		{ "util_utf8_cut", test_utf8_cut },
		{ "util_parse_time", test_parse_time },
		{ "db_like_prefix", test_like_prefix },
		{ "search_plan", test_search_plan },
		{ "db_endpoints", test_db_endpoints },
	};

	test_add_suite("util", NULL, NULL, tests, NELEM(tests));
}
