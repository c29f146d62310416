/*
 * test_schedule.c - schedule.c: zone names (the system tz database's, and
 * nothing that could walk out of it), "HH:MM", due instants of daily and
 * weekly schedules across daylight-saving changes (Europe/Berlin's spring
 * gap and autumn repeat, America/New_York's), UTC, local dates, and that
 * the caller's TZ is put back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mihwar.h"
#include "tests.h"

#define DUE_MAX	64

/* UTC ms of an ISO 8601 instant (the tests' literals are all valid). */
static int64_t
at(const char *iso)
{
	int64_t	 ms = 0;

	if (!util_parse_time(iso, &ms))
		CHECK(0, "bad literal %s", iso);
	return ms;
}

/* The due instants as "YYYY-MM-DDTHH:MM:SS.mmmZ,..." for one compare. */
static const char *
due(const struct cl_schedule *sc, const char *tz, const char *from,
    const char *to)
{
	static char	 s[DUE_MAX * 26];
	int64_t		 out[DUE_MAX];
	char		 t[24];
	size_t		 n, i, len = 0;

	if (!schedule_due_times(sc, tz, at(from), at(to), out, DUE_MAX, &n))
		return "(failed)";
	s[0] = '\0';
	for (i = 0; i < n; i++) {
		util_sql_time(out[i], t);
		t[10] = 'T';
		len += (size_t)snprintf(s + len, sizeof(s) - len, "%s%sZ",
		    i ? "," : "", t);
	}
	return s;
}

static struct cl_schedule
daily(int h, int m)
{
	struct cl_schedule	 sc;

	memset(&sc, 0, sizeof(sc));
	sc.hour = h;
	sc.minute = m;
	return sc;
}

static void
test_tz_valid(void)
{
	static const char *const good[] = {
		"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata",
		"America/Argentina/Buenos_Aires", "Etc/GMT+5", "Etc/GMT-14",
	};
	static const char *const bad[] = {
		"", "Europe/Nowhere", "europe/berlin", "/etc/passwd",
		"../../../etc/passwd", "Europe/../Europe/Berlin", "Europe",
		"Europe/Berlin ", "Europe/Berlin\n", "CET;rm", "Europe\\Berlin",
		"UTC+02:00", "Europe/Berlin/", "Europe/Berlin.",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	size_t	 i;

	for (i = 0; i < NELEM(good); i++)
		CHECK(schedule_tz_valid(good[i]), "valid: %s", good[i]);
	for (i = 0; i < NELEM(bad); i++)
		CHECK(!schedule_tz_valid(bad[i]), "invalid: %s",
		    test_esc(bad[i], strlen(bad[i])));
	CHECK(!schedule_tz_valid(NULL), "invalid: NULL");
}

static void
test_parse_time(void)
{
	static const struct {
		const char	*in;
		int		 ok, h, m;
	} cases[] = {
		{ "07:00", 1, 7, 0 }, { "00:00", 1, 0, 0 },
		{ "23:59", 1, 23, 59 }, { "02:30", 1, 2, 30 },
		{ "24:00", 0, 0, 0 }, { "12:60", 0, 0, 0 }, { "7:00", 0, 0, 0 },
		{ "07:0", 0, 0, 0 }, { "07-00", 0, 0, 0 }, { "07:00:00", 0, 0, 0 },
		{ "", 0, 0, 0 }, { " 7:00", 0, 0, 0 }, { "+7:00", 0, 0, 0 },
		{ "0a:00", 0, 0, 0 },
	};
	size_t	 i;
	int	 h, m, ok;

	for (i = 0; i < NELEM(cases); i++) {
		h = m = -1;
		ok = schedule_parse_time(cases[i].in, &h, &m);
		CHECK(ok == cases[i].ok, "parse %s: %d", cases[i].in, ok);
		if (ok && cases[i].ok)
			CHECK(h == cases[i].h && m == cases[i].m,
			    "parse %s: %d:%d", cases[i].in, h, m);
	}
	CHECK(!schedule_parse_time(NULL, &h, &m), "parse NULL");
}

static void
test_berlin_spring(void)
{
	struct cl_schedule	 sc = daily(7, 0);

	/* 07:00 CET is 06:00Z; from 2026-03-29 on, 07:00 CEST is 05:00Z. */
	CHECK_STR("berlin 07:00 spring", due(&sc, "Europe/Berlin",
	    "2026-03-27T00:00:00Z", "2026-03-31T00:00:00Z"),
	    "2026-03-27T06:00:00.000Z,2026-03-28T06:00:00.000Z,"
	    "2026-03-29T05:00:00.000Z,2026-03-30T05:00:00.000Z");
	/* 02:30 does not exist on 2026-03-29: the first instant after the
	 * gap, 03:00 CEST (01:00Z). */
	sc = daily(2, 30);
	CHECK_STR("berlin 02:30 gap", due(&sc, "Europe/Berlin",
	    "2026-03-28T00:00:00Z", "2026-03-31T00:00:00Z"),
	    "2026-03-28T01:30:00.000Z,2026-03-29T01:00:00.000Z,"
	    "2026-03-30T00:30:00.000Z");
	sc = daily(2, 0);
	CHECK_STR("berlin 02:00 gap", due(&sc, "Europe/Berlin",
	    "2026-03-29T00:00:00Z", "2026-03-30T00:00:00Z"),
	    "2026-03-29T01:00:00.000Z");
}

static void
test_berlin_autumn(void)
{
	struct cl_schedule	 sc = daily(7, 0);

	CHECK_STR("berlin 07:00 autumn", due(&sc, "Europe/Berlin",
	    "2026-10-24T00:00:00Z", "2026-10-27T00:00:00Z"),
	    "2026-10-24T05:00:00.000Z,2026-10-25T06:00:00.000Z,"
	    "2026-10-26T06:00:00.000Z");
	/* 02:30 happens twice on 2026-10-25 (CEST, then CET): once, the
	 * first (00:30Z), and not again at 01:30Z. */
	sc = daily(2, 30);
	CHECK_STR("berlin 02:30 repeat", due(&sc, "Europe/Berlin",
	    "2026-10-24T00:00:00Z", "2026-10-27T00:00:00Z"),
	    "2026-10-24T00:30:00.000Z,2026-10-25T00:30:00.000Z,"
	    "2026-10-26T01:30:00.000Z");
	CHECK_STR("berlin 02:30 repeat, second reading only", due(&sc,
	    "Europe/Berlin", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z"),
	    "");
}

static void
test_window(void)
{
	struct cl_schedule	 sc = daily(7, 0);
	int64_t			 out[1];
	size_t			 n = 9;

	/* [from, to): the due instant itself is in, to is out. */
	CHECK_STR("from inclusive", due(&sc, "Europe/Berlin",
	    "2026-03-29T05:00:00Z", "2026-03-29T05:00:00.001Z"),
	    "2026-03-29T05:00:00.000Z");
	CHECK_STR("to exclusive", due(&sc, "Europe/Berlin",
	    "2026-03-29T04:00:00Z", "2026-03-29T05:00:00Z"), "");
	CHECK_STR("36 h ahead", due(&sc, "Europe/Berlin",
	    "2026-03-28T05:00:00Z", "2026-03-29T17:00:00Z"),
	    "2026-03-28T06:00:00.000Z,2026-03-29T05:00:00.000Z");
	CHECK(!schedule_due_times(&sc, "Europe/Berlin",
	    at("2026-03-27T00:00:00Z"), at("2026-03-31T00:00:00Z"), out, 1,
	    &n), "more than max fails");
	sc.hour = 24;
	CHECK(!schedule_due_times(&sc, "UTC", 0, 86400000, out, 1, &n),
	    "hour 24 fails");
}

static void
test_weekly(void)
{
	struct cl_schedule	 sc = daily(22, 15);

	/* Monday, Wednesday, Sunday; 2026-03-23 is a Monday. */
	sc.weekly = 1;
	sc.weekdays[1] = sc.weekdays[3] = sc.weekdays[7] = 1;
	CHECK_STR("weekly berlin", due(&sc, "Europe/Berlin",
	    "2026-03-23T00:00:00Z", "2026-03-31T00:00:00Z"),
	    "2026-03-23T21:15:00.000Z,2026-03-25T21:15:00.000Z,"
	    "2026-03-29T20:15:00.000Z,2026-03-30T20:15:00.000Z");
	memset(sc.weekdays, 0, sizeof(sc.weekdays));
	CHECK_STR("weekly without days", due(&sc, "UTC",
	    "2026-03-23T00:00:00Z", "2026-03-31T00:00:00Z"), "");
	/* A local weekday, not the UTC one: Saturday 00:30 in Berlin is
	 * still Friday in UTC. */
	sc = daily(0, 30);
	sc.weekly = 1;
	sc.weekdays[6] = 1;
	CHECK_STR("weekly local weekday", due(&sc, "Europe/Berlin",
	    "2026-03-23T00:00:00Z", "2026-03-31T00:00:00Z"),
	    "2026-03-27T23:30:00.000Z");
}

static void
test_new_york(void)
{
	struct cl_schedule	 sc = daily(7, 0);

	/* EST -5 until 2026-03-08, then EDT -4; back on 2026-11-01. */
	CHECK_STR("new york spring", due(&sc, "America/New_York",
	    "2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z"),
	    "2026-03-07T12:00:00.000Z,2026-03-08T11:00:00.000Z,"
	    "2026-03-09T11:00:00.000Z");
	CHECK_STR("new york autumn", due(&sc, "America/New_York",
	    "2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z"),
	    "2026-10-31T11:00:00.000Z,2026-11-01T12:00:00.000Z,"
	    "2026-11-02T12:00:00.000Z");
	sc = daily(2, 15);
	CHECK_STR("new york gap", due(&sc, "America/New_York",
	    "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z"),
	    "2026-03-08T07:00:00.000Z");
	sc = daily(1, 30);
	CHECK_STR("new york repeat", due(&sc, "America/New_York",
	    "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"),
	    "2026-11-01T05:30:00.000Z");
}

static void
test_utc_and_invalid(void)
{
	struct cl_schedule	 sc = daily(7, 0);
	int64_t			 out[4];
	size_t			 n = 9;
	char			 d[11];

	CHECK_STR("utc", due(&sc, "UTC", "2026-03-28T00:00:00Z",
	    "2026-03-31T00:00:00Z"), "2026-03-28T07:00:00.000Z,"
	    "2026-03-29T07:00:00.000Z,2026-03-30T07:00:00.000Z");
	CHECK(!schedule_due_times(&sc, "Europe/Nowhere", 0, 86400000, out, 4,
	    &n) && n == 0, "invalid zone fails, none made");
	CHECK(!schedule_due_times(&sc, "../etc/passwd", 0, 86400000, out, 4,
	    &n), "path zone fails");
	CHECK(!schedule_local_date("Mars/Olympus", 0, d) && d[0] == '\0',
	    "local date of an invalid zone");
}

static void
test_local_date(void)
{
	static const struct {
		const char	*tz, *at, *want;
	} cases[] = {
		{ "Europe/Berlin", "2026-03-28T22:59:59Z", "2026-03-28" },
		{ "Europe/Berlin", "2026-03-28T23:00:00Z", "2026-03-29" },
		{ "Europe/Berlin", "2026-03-29T21:59:59Z", "2026-03-29" },
		{ "Europe/Berlin", "2026-03-29T22:00:00Z", "2026-03-30" },
		{ "America/New_York", "2026-03-29T03:59:00Z", "2026-03-28" },
		{ "UTC", "2026-03-29T23:59:59.999Z", "2026-03-29" },
		{ "Pacific/Kiritimati", "2026-12-31T10:00:00Z", "2027-01-01" },
	};
	size_t	 i;
	char	 d[11];

	for (i = 0; i < NELEM(cases); i++) {
		CHECK(schedule_local_date(cases[i].tz, at(cases[i].at), d),
		    "local date %s %s", cases[i].tz, cases[i].at);
		CHECK_STR(cases[i].at, d, cases[i].want);
	}
}

/* The local clock of an instant, what the console shows as due time. */
static void
test_local_time(void)
{
	static const struct {
		const char	*tz, *at, *date, *hhmm;
	} cases[] = {
		{ "Europe/Berlin", "2026-03-28T06:00:00Z", "2026-03-28", "07:00" },
		{ "Europe/Berlin", "2026-03-30T05:00:00Z", "2026-03-30", "07:00" },
		{ "Europe/Berlin", "2026-03-29T01:00:00Z", "2026-03-29", "03:00" },
		{ "America/New_York", "2026-03-29T03:59:00Z", "2026-03-28",
		    "23:59" },
		{ "UTC", "2026-12-31T23:59:59Z", "2026-12-31", "23:59" },
	};
	char	 d[11], t[6];
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++) {
		CHECK(schedule_local(cases[i].tz, at(cases[i].at), d, t),
		    "local %s %s", cases[i].tz, cases[i].at);
		CHECK_STR(cases[i].at, d, cases[i].date);
		CHECK_STR(cases[i].at, t, cases[i].hhmm);
	}
	CHECK(!schedule_local("Mars/Olympus", 0, d, t) && t[0] == '\0',
	    "no zone, no time");
}

static void
test_tz_restored(void)
{
	struct cl_schedule	 sc = daily(7, 0);
	int64_t			 out[4];
	size_t			 n;
	char			 d[11];
	const char		*cur;

	unsetenv("TZ");
	schedule_due_times(&sc, "Europe/Berlin", 0, 86400000, out, 4, &n);
	CHECK(getenv("TZ") == NULL, "TZ unset again");
	setenv("TZ", "Asia/Tokyo", 1);
	schedule_local_date("America/New_York", 0, d);
	cur = getenv("TZ");
	CHECK(cur != NULL && strcmp(cur, "Asia/Tokyo") == 0, "TZ put back");
	unsetenv("TZ");
}

void
test_schedule_register(void)
{
	static const struct test_def	 tests[] = {
		{ "zone names", test_tz_valid },
		{ "HH:MM", test_parse_time },
		{ "Berlin, spring forward", test_berlin_spring },
		{ "Berlin, fall back", test_berlin_autumn },
		{ "the window [from, to)", test_window },
		{ "weekly weekdays", test_weekly },
		{ "America/New_York", test_new_york },
		{ "UTC and invalid zones", test_utc_and_invalid },
		{ "local dates", test_local_date },
		{ "schedule_local: date and HH:MM", test_local_time },
		{ "TZ put back", test_tz_restored },
	};

	test_add_suite("schedule", NULL, NULL, tests, NELEM(tests));
}
