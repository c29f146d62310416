/*
 * util.c - growable buffers, bounded number parsing, UTF-8 checks.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "core/core.h"

void
buf_init(struct buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
buf_cleanup(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* Grow so that n more bytes and a NUL fit; 0 on allocation failure.
 * (For writers that fill b->data past b->len themselves.) */
int
buf_reserve(struct buf *b, size_t n)
{
	size_t	 cap;
	char	*p;

	if (n > SIZE_MAX / 2 - b->len)
		return 0;
	if (b->len + n + 1 <= b->cap)
		return 1;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	if ((p = realloc(b->data, cap)) == NULL)
		return 0;
	b->data = p;
	b->cap = cap;
	return 1;
}

/* Append n bytes; the buffer stays NUL-terminated. */
int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (!buf_reserve(b, n))
		return 0;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 1;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !buf_reserve(b, (size_t)n))
		return 0;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 1;
}

/*
 * Parse a whole decimal integer within [min, max] into *out.
 * Returns 1 on success, 0 for empty, trailing junk or out of range.
 */
int
util_strtonum(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s) || *s == '+')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

/* 1 if s[0..n) is well-formed UTF-8 (no overlongs, surrogates or NUL). */
int
util_utf8_valid(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, k, len;
	unsigned int		 cp;

	while (i < n) {
		if (p[i] == 0)
			return 0;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xE0) == 0xC0) {
			len = 2;
			cp = p[i] & 0x1F;
		} else if ((p[i] & 0xF0) == 0xE0) {
			len = 3;
			cp = p[i] & 0x0F;
		} else if ((p[i] & 0xF8) == 0xF0) {
			len = 4;
			cp = p[i] & 0x07;
		} else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += len;
	}
	return 1;
}

/* Number of characters (code points) of a valid UTF-8 string. */
size_t
util_utf8_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Cut the valid UTF-8 string s to at most n bytes, at a character's
 * start (never inside one). */
void
util_utf8_cut(char *s, size_t n)
{
	if (strlen(s) <= n)
		return;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	s[n] = '\0';
}

/* Lowercase hex of n bytes into out, which holds 2n+1 bytes. */
void
util_hex(const unsigned char *p, size_t n, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xF];
	}
	out[2 * n] = '\0';
}

/* strdup that accepts NULL (and returns NULL for it). */
char *
util_strdup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

int64_t
util_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Two digits at s (no sign, no space); -1 when not digits. */
static int
util_2d(const char *s)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Days in month m (1..12) of year y. */
static int
util_mdays(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* "YYYY-MM-DD" at s into tm (a real calendar date, years 1000..9999). */
static int
util_ymd(const char *s, struct tm *tm)
{
	int	 y1 = util_2d(s), y2 = util_2d(s + 2), m, d;

	if (y1 < 10 || y2 < 0 || s[4] != '-' || s[7] != '-')
		return 0;
	m = util_2d(s + 5);
	d = util_2d(s + 8);
	if (m < 1 || m > 12 || d < 1 || d > util_mdays(y1 * 100 + y2, m))
		return 0;
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = y1 * 100 + y2 - 1900;
	tm->tm_mon = m - 1;
	tm->tm_mday = d;
	return 1;
}

/* "YYYY-MM-DD" as milliseconds since the epoch at 00:00 UTC. */
int
util_parse_date(const char *s, int64_t *ms)
{
	struct tm	 tm;

	if (strlen(s) != 10 || !util_ymd(s, &tm))
		return 0;
	*ms = (int64_t)timegm(&tm) * 1000;
	return 1;
}

/* "Z", "+HH:MM", "-HHMM" at s: the offset in seconds east of UTC. */
static int
util_offset(const char *s, long *off)
{
	int	 h, m, sign;

	if (strcmp(s, "Z") == 0 || strcmp(s, "z") == 0) {
		*off = 0;
		return 1;
	}
	if (*s != '+' && *s != '-')
		return 0;
	sign = *s == '-' ? -1 : 1;
	if ((h = util_2d(s + 1)) < 0 || h > 23)
		return 0;
	s += 3;
	if (*s == ':')
		s++;
	if ((m = util_2d(s)) < 0 || m > 59 || s[2] != '\0')
		return 0;
	*off = sign * (h * 3600L + m * 60L);
	return 1;
}

/*
 * An ISO 8601 date ("2026-03-15") or date-time ("2026-03-15T10:00:00Z",
 * "…T10:00:00.250+02:00", "…T10:00Z", "…T10:00" as a browser's
 * datetime-local sends a whole minute; without a zone it is taken as UTC,
 * as ERP exports usually mean) as milliseconds since the epoch. 0 when
 * it is not one.
 */
int
util_parse_time(const char *s, int64_t *ms)
{
	struct tm	 tm;
	const char	*p;
	long		 off, frac = 0;
	int		 digits = 0;

	if (strlen(s) == 10)
		return util_parse_date(s, ms);
	if (strlen(s) < 16 || strlen(s) > 35 || !util_ymd(s, &tm) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
		return 0;
	if ((tm.tm_hour = util_2d(s + 11)) < 0 || tm.tm_hour > 23 ||
	    s[13] != ':' || (tm.tm_min = util_2d(s + 14)) < 0 || tm.tm_min > 59)
		return 0;
	p = s + 16;
	if (*p == ':') {
		if ((tm.tm_sec = util_2d(p + 1)) < 0 || tm.tm_sec > 60)
			return 0;
		p += 3;
		if (*p == '.') {
			for (p++; isdigit((unsigned char)*p); p++, digits++)
				if (digits < 3)
					frac = frac * 10 + (*p - '0');
			if (digits == 0)
				return 0;
			for (; digits < 3; digits++)
				frac *= 10;
		}
	}
	if (*p == '\0')
		off = 0;
	else if (!util_offset(p, &off))
		return 0;
	*ms = ((int64_t)timegm(&tm) - off) * 1000 + frac;
	return 1;
}

/* "YYYY-MM-DD HH:MM:SS.mmm" (UTC) for binding to DATETIME(3). */
void
util_sql_time(int64_t ms, char out[24])
{
	time_t		 t = (time_t)(ms / 1000);
	struct tm	 tm;
	char		 s[64];

	gmtime_r(&t, &tm);
	snprintf(s, sizeof(s), "%04d-%02d-%02d %02d:%02d:%02d.%03d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	memcpy(out, s, 23);
	out[23] = '\0';
}

/* "YYYY-MM-DD" of the UTC day holding ms. */
void
util_sql_date(int64_t ms, char out[11])
{
	time_t		 t = (time_t)(ms / 1000);
	struct tm	 tm;
	char		 s[64];

	gmtime_r(&t, &tm);
	snprintf(s, sizeof(s), "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
	memcpy(out, s, 10);
	out[10] = '\0';
}

/* This process's name, host:pid (worker leases and attempts carry it);
 * built once per process. Borrowed. */
const char *
util_host_pid(void)
{
	static char	 name[100];
	char		 host[64];

	if (name[0] != '\0')
		return name;
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	snprintf(name, sizeof(name), "%s:%ld", host, (long)getpid());
	return name;
}
