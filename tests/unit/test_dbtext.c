/*
 * test_dbtext.c - db_int_text and db_time_text: the text of integer
 * and date-time cells fetched in their binary form must be the bytes
 * Connector/C writes when it converts them to text itself (every
 * caller of db_query and db_query_each reads that text).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "mihwar.h"
#include "tests.h"

/* Connector/C's own text of t (ps_fetch_datetime), for comparison. */
static void
connector_time_text(const MYSQL_TIME *t, int with_time, unsigned decimals,
    char *out, size_t sz)
{
	char	 ms[16];

	if (!with_time) {
		snprintf(out, sz, "%04u-%02u-%02u", t->year, t->month, t->day);
		return;
	}
	snprintf(out, sz, "%04u-%02u-%02u %02u:%02u:%02u", t->year, t->month,
	    t->day, t->hour, t->minute, t->second);
	if (decimals && decimals <= 6) {
		snprintf(ms, sizeof(ms), ".%06lu", t->second_part);
		if (decimals < 6)
			ms[decimals + 1] = '\0';
		strncat(out, ms, sz - strlen(out) - 1);
	}
}

static MYSQL_TIME
mk_time(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
    unsigned s, unsigned long us)
{
	MYSQL_TIME	 t;

	memset(&t, 0, sizeof(t));
	t.year = y;
	t.month = mo;
	t.day = d;
	t.hour = h;
	t.minute = mi;
	t.second = s;
	t.second_part = us;
	t.time_type = MYSQL_TIMESTAMP_DATETIME;
	return t;
}

/* Dates and times as the tables hold them, and the edges. */
static void
test_time_cases(void)
{
	static const struct {
		unsigned	 y, mo, d, h, mi, s;
		unsigned long	 us;
		int		 with_time;
		unsigned	 decimals;
		const char	*want;
	} cases[] = {
		{ 2026, 3, 30, 12, 0, 0, 123000, 1, 3,
		    "2026-03-30 12:00:00.123" },
		{ 2026, 3, 30, 12, 0, 0, 0, 1, 0, "2026-03-30 12:00:00" },
		/* The zero date (sent with no bytes: every part 0). */
		{ 0, 0, 0, 0, 0, 0, 0, 1, 0, "0000-00-00 00:00:00" },
		{ 0, 0, 0, 0, 0, 0, 0, 1, 3, "0000-00-00 00:00:00.000" },
		{ 0, 0, 0, 0, 0, 0, 0, 0, 0, "0000-00-00" },
		/* Microseconds: cut (not rounded) to the column's places. */
		{ 1999, 12, 31, 23, 59, 59, 999999, 1, 6,
		    "1999-12-31 23:59:59.999999" },
		{ 1999, 12, 31, 23, 59, 59, 999999, 1, 3,
		    "1999-12-31 23:59:59.999" },
		{ 2000, 1, 2, 3, 4, 5, 5, 1, 6, "2000-01-02 03:04:05.000005" },
		{ 2000, 1, 2, 3, 4, 5, 5, 1, 1, "2000-01-02 03:04:05.0" },
		{ 2000, 1, 2, 3, 4, 5, 450000, 1, 2,
		    "2000-01-02 03:04:05.45" },
		/* More places than 6 (an expression's 31): no fraction. */
		{ 2000, 1, 2, 3, 4, 5, 450000, 1, 31, "2000-01-02 03:04:05" },
		{ 2000, 1, 2, 3, 4, 5, 450000, 1, 7, "2000-01-02 03:04:05" },
		{ 1000, 1, 1, 0, 0, 0, 0, 1, 0, "1000-01-01 00:00:00" },
		{ 9999, 12, 31, 23, 59, 59, 999000, 1, 3,
		    "9999-12-31 23:59:59.999" },
		{ 33, 2, 3, 0, 0, 0, 0, 0, 0, "0033-02-03" },
		/* Wider than the format's width: every digit, as %04u. */
		{ 12345, 123, 45, 100, 61, 61, 123456, 1, 6,
		    "12345-123-45 100:61:61.123456" },
	};
	MYSQL_TIME	 t;
	char		 got[DB_CELL_TEXTSZ], ref[128];
	size_t		 i, n;

	for (i = 0; i < NELEM(cases); i++) {
		t = mk_time(cases[i].y, cases[i].mo, cases[i].d, cases[i].h,
		    cases[i].mi, cases[i].s, cases[i].us);
		n = db_time_text(&t, cases[i].with_time, cases[i].decimals,
		    got);
		CHECK_STR(cases[i].want, got, cases[i].want);
		CHECK(n == strlen(got), "%s: length %zu", cases[i].want, n);
		connector_time_text(&t, cases[i].with_time, cases[i].decimals,
		    ref, sizeof(ref));
		CHECK_STR(cases[i].want, got, ref);
	}
}

/* Many times at random, every number of places, against the format. */
static void
test_time_random(void)
{
	MYSQL_TIME	 t;
	char		 got[DB_CELL_TEXTSZ], ref[128];
	unsigned	 dec;
	int		 i;

	srand(14);
	for (i = 0; i < 20000; i++) {
		t = mk_time((unsigned)rand() % 10000, (unsigned)rand() % 13,
		    (unsigned)rand() % 32, (unsigned)rand() % 24,
		    (unsigned)rand() % 60, (unsigned)rand() % 60,
		    (unsigned long)rand() % 1000000);
		dec = (unsigned)i % 8;
		(void)db_time_text(&t, i % 5 != 0, dec, got);
		connector_time_text(&t, i % 5 != 0, dec, ref, sizeof(ref));
		if (!CHECK_STR("random time", got, ref))
			break;
	}
}

/* Integers, signed and unsigned, at their edges. */
static void
test_int_cases(void)
{
	static const struct {
		int64_t		 v;
		int		 is_unsigned;
		const char	*want;
	} cases[] = {
		{ 0, 0, "0" },
		{ 0, 1, "0" },
		{ 7, 0, "7" },
		{ -1, 0, "-1" },
		{ 10, 0, "10" },
		{ -10, 0, "-10" },
		{ 1234567890123LL, 0, "1234567890123" },
		{ INT64_MAX, 0, "9223372036854775807" },
		{ INT64_MIN, 0, "-9223372036854775808" },
		/* The bits of an unsigned BIGINT past INT64_MAX. */
		{ -1, 1, "18446744073709551615" },
		{ INT64_MIN, 1, "9223372036854775808" },
		{ 255, 1, "255" },
	};
	char	 got[DB_CELL_TEXTSZ];
	size_t	 i, n;

	for (i = 0; i < NELEM(cases); i++) {
		n = db_int_text(cases[i].v, cases[i].is_unsigned, got);
		CHECK_STR(cases[i].want, got, cases[i].want);
		CHECK(n == strlen(cases[i].want), "%s: length %zu",
		    cases[i].want, n);
	}
}

/* Integers at random, against printf. */
static void
test_int_random(void)
{
	char		 got[DB_CELL_TEXTSZ], ref[32];
	uint64_t	 u;
	int		 i;

	for (i = 0; i < 20000; i++) {
		u = ((uint64_t)rand() << 42) ^ ((uint64_t)rand() << 21) ^
		    (uint64_t)rand();
		u >>= i % 64;
		(void)db_int_text((int64_t)u, i % 2, got);
		if (i % 2)
			snprintf(ref, sizeof(ref), "%" PRIu64, u);
		else
			snprintf(ref, sizeof(ref), "%" PRId64, (int64_t)u);
		if (!CHECK_STR("random integer", got, ref))
			break;
	}
}

void
test_dbtext_register(void)
{
	static const struct test_def tests[] = {
		{ "db_time_text: dates and times as Connector/C",
		    test_time_cases },
		{ "db_time_text: random times, every number of places",
		    test_time_random },
		{ "db_int_text: integers at their edges", test_int_cases },
		{ "db_int_text: random integers as printf", test_int_random },
	};

	test_add_suite("dbtext", NULL, NULL, tests, NELEM(tests));
}
