/*
 * schedule.c - local times in an IANA time zone, with no database: is a
 * zone name one the system tz database has, "HH:MM", the due instants
 * of a daily or weekly schedule in a window, and the local date of an
 * instant. The zone rules come from the system tz database through the C
 * library (TZ, tzset, mktime, localtime_r), so a daily 07:00 is 07:00
 * local on both sides of a daylight-saving change. A local time that a
 * spring-forward skips is taken as the first instant after the gap; one
 * that a fall-back repeats, as its first occurrence.
 *
 * TZ is process-wide: each function sets it and puts the caller's back
 * before returning (the processes are single-threaded).
 */
#include <sys/stat.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checklists/checklists.h"

#define ZONEINFO	"/usr/share/zoneinfo/"
#define TZ_NAME_MAX	64		/* organizations.timezone */
#define DAY_MIN		(24 * 60)
#define SEARCH_S	(26 * 3600)	/* a gap is searched this far around */

/* The caller's TZ, kept while a zone is in force. */
struct schedule_tz {
	char	*saved;
	int	 had;
};

/*
 * Is name a zone of the system tz database: "UTC", or a relative path of
 * [A-Za-z0-9_+-/] without ".." to a file under /usr/share/zoneinfo.
 */
int
schedule_tz_valid(const char *name)
{
	char		 path[sizeof(ZONEINFO) + TZ_NAME_MAX];
	struct stat	 st;
	const char	*p;
	size_t		 n;

	if (name == NULL)
		return 0;
	if (strcmp(name, "UTC") == 0)
		return 1;
	n = strlen(name);
	if (n == 0 || n > TZ_NAME_MAX || name[0] == '/' ||
	    strstr(name, "..") != NULL)
		return 0;
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '+' ||
		    *p == '-' || *p == '/'))
			return 0;
	memcpy(path, ZONEINFO, sizeof(ZONEINFO) - 1);
	memcpy(path + sizeof(ZONEINFO) - 1, name, n + 1);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* "HH:MM" (00:00..23:59, exactly five characters): 1 with h and m set. */
int
schedule_parse_time(const char *s, int *h, int *m)
{
	int	 i;

	if (s == NULL || strlen(s) != 5 || s[2] != ':')
		return 0;
	for (i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return 0;
	*h = (s[0] - '0') * 10 + (s[1] - '0');
	*m = (s[3] - '0') * 10 + (s[4] - '0');
	return *h <= 23 && *m <= 59;
}

/* Put zone tz in force (validated first); 0 when it is not a zone. */
static int
schedule_tz_enter(const char *tz, struct schedule_tz *st)
{
	const char	*cur = getenv("TZ");

	if (!schedule_tz_valid(tz))
		return 0;
	st->had = cur != NULL;
	st->saved = cur != NULL ? strdup(cur) : NULL;
	if (st->had && st->saved == NULL)
		return 0;
	if (setenv("TZ", tz, 1) != 0) {
		free(st->saved);
		return 0;
	}
	tzset();
	return 1;
}

static void
schedule_tz_leave(struct schedule_tz *st)
{
	if (st->had)
		setenv("TZ", st->saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(st->saved);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
schedule_days_from_civil(int64_t y, int m, int d)
{
	int64_t		 era;
	int64_t		 yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date of day z since 1970-01-01. */
static void
schedule_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t		 era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* ISO weekday (1 Monday .. 7 Sunday) of day z since 1970-01-01. */
static int
schedule_iso_weekday(int64_t z)
{
	return (int)(((z % 7) + 7 + 3) % 7) + 1;	/* 1970-01-01: Thursday */
}

/* The local wall clock at t, as minutes since 1970-01-01 00:00 local. */
static int64_t
schedule_wall(time_t t)
{
	struct tm	 tm;

	if (localtime_r(&t, &tm) == NULL)
		return INT64_MIN;
	return schedule_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday) * DAY_MIN + tm.tm_hour * 60 + tm.tm_min;
}

/*
 * The first instant whose wall clock is at or after want, searched
 * minute by minute around t (wall time only moves forward near a gap).
 */
static time_t
schedule_after_gap(time_t t, int64_t want)
{
	time_t	 lo = (t - SEARCH_S) / 60, hi = (t + SEARCH_S) / 60, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (schedule_wall(mid * 60) >= want)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo * 60;
}

/*
 * The instant of local date day (days since 1970-01-01) at h:m in the
 * zone in force: the earliest reading of that wall time (a fall-back
 * repeats it), or the first instant after a spring-forward gap.
 */
static time_t
schedule_local_instant(int64_t day, int h, int m)
{
	static const int	 dst[] = { -1, 0, 1 };
	struct tm		 tm;
	time_t			 t, best = (time_t)-1, guess = (time_t)-1;
	int64_t			 want = day * DAY_MIN + h * 60 + m;
	int			 y, mo, d;
	size_t			 i;

	schedule_civil_from_days(day, &y, &mo, &d);
	for (i = 0; i < sizeof(dst) / sizeof(dst[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = m;
		tm.tm_isdst = dst[i];
		if ((t = mktime(&tm)) == (time_t)-1)
			continue;
		guess = t;
		/* mktime normalizes a time that is not there: keep only
		 * readings whose wall clock is the one asked for. */
		if (schedule_wall(t) == want && (best == (time_t)-1 || t < best))
			best = t;
	}
	if (best != (time_t)-1 || guess == (time_t)-1)
		return best;
	return schedule_after_gap(guess, want);
}

/* Is local day (days since 1970-01-01) one the schedule runs on? */
static int
schedule_runs_on(const struct cl_schedule *sc, int64_t day)
{
	return !sc->weekly || sc->weekdays[schedule_iso_weekday(day)];
}

/*
 * The due instants (UTC ms, ascending) of schedule sc in zone tz within
 * [from, to), at most max of them into out, their number in n. 1 done;
 * 0 for a zone that is not one, a bad schedule or more than max.
 */
int
schedule_due_times(const struct cl_schedule *sc, const char *tz, int64_t from,
    int64_t to, int64_t *out, size_t max, size_t *n)
{
	struct schedule_tz	 st;
	int64_t			 day, last, ms;
	time_t			 t;
	int			 ok = 1;

	*n = 0;
	if (sc->hour < 0 || sc->hour > 23 || sc->minute < 0 || sc->minute > 59)
		return 0;
	if (from >= to)
		return schedule_tz_valid(tz);
	if (!schedule_tz_enter(tz, &st))
		return 0;
	/* A day either side: a local day and its UTC day differ by up to
	 * 14 hours, and a gap can push an instant over midnight. */
	day = schedule_wall((time_t)(from / 1000)) / DAY_MIN - 1;
	last = schedule_wall((time_t)(to / 1000)) / DAY_MIN + 1;
	for (; day <= last && ok; day++) {
		if (!schedule_runs_on(sc, day))
			continue;
		if ((t = schedule_local_instant(day, sc->hour, sc->minute)) ==
		    (time_t)-1) {
			ok = 0;
			break;
		}
		ms = (int64_t)t * 1000;
		if (ms < from || ms >= to || (*n > 0 && out[*n - 1] >= ms))
			continue;
		if (*n == max)
			ok = 0;
		else
			out[(*n)++] = ms;
	}
	schedule_tz_leave(&st);
	return ok;
}

/* Two digits of v (0..99) at out. */
static void
schedule_2d(char *out, int v)
{
	out[0] = (char)('0' + v / 10 % 10);
	out[1] = (char)('0' + v % 10);
}

/*
 * The local "YYYY-MM-DD" (date) and "HH:MM" (hhmm) of instant ms in zone
 * tz; either may be NULL. 1 done; 0 for a zone that is none or a year
 * outside 0..9999.
 */
int
schedule_local(const char *tz, int64_t ms, char date[11], char hhmm[6])
{
	struct schedule_tz	 st;
	int64_t			 wall, day, minute;
	int			 y, m, d;

	if (date != NULL)
		date[0] = '\0';
	if (hhmm != NULL)
		hhmm[0] = '\0';
	if (!schedule_tz_enter(tz, &st))
		return 0;
	wall = schedule_wall((time_t)(ms >= 0 ? ms / 1000 :
	    (ms - 999) / 1000));
	schedule_tz_leave(&st);
	if (wall == INT64_MIN)
		return 0;
	day = wall >= 0 ? wall / DAY_MIN : (wall - DAY_MIN + 1) / DAY_MIN;
	minute = wall - day * DAY_MIN;
	schedule_civil_from_days(day, &y, &m, &d);
	if (y < 0 || y > 9999)
		return 0;
	if (date != NULL) {
		schedule_2d(date, y / 100);
		schedule_2d(date + 2, y % 100);
		date[4] = '-';
		schedule_2d(date + 5, m);
		date[7] = '-';
		schedule_2d(date + 8, d);
		date[10] = '\0';
	}
	if (hhmm != NULL) {
		schedule_2d(hhmm, (int)(minute / 60));
		hhmm[2] = ':';
		schedule_2d(hhmm + 3, (int)(minute % 60));
		hhmm[5] = '\0';
	}
	return 1;
}

/* "YYYY-MM-DD" of the local day holding instant ms in zone tz; 1 done. */
int
schedule_local_date(const char *tz, int64_t ms, char out[11])
{
	return schedule_local(tz, ms, out, NULL);
}
