/*
 * decimal.c - quantities and money as fixed-point integers with four
 * decimal places (DECIMAL(18,4) in SQL). Never a double: JSON numbers
 * are read from their original text.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "core/core.h"

#define DEC_MAX		DECIMAL_SQL_MAX		/* 18 digits */
#define DEC_ONE		10000LL			/* 1 at scale 4 */

/*
 * Parse "-12.5", "3", "1.25e2" into units of 1/10000. Fails on more than
 * four significant decimal places, overflow of DECIMAL(18,4), or junk.
 */
int
decimal_parse(const char *s, int64_t *out)
{
	int64_t		 v = 0;
	int		 neg = 0, frac = -1, exp = 0, eneg = 0, digits = 0, i;
	const char	*p = s;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	for (; *p != '\0'; p++) {
		if (*p == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (!isdigit((unsigned char)*p))
			break;
		if (v > (DEC_MAX - 9) / 10)
			return 0;
		v = v * 10 + (*p - '0');
		digits++;
		if (frac >= 0)
			frac++;
	}
	if (digits == 0)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			eneg = *p++ == '-';
		if (!isdigit((unsigned char)*p))
			return 0;
		for (; isdigit((unsigned char)*p); p++)
			if ((exp = exp * 10 + (*p - '0')) > 40)
				return 0;
	}
	if (*p != '\0')
		return 0;
	/* value = v * 10^(exp' ) with exp' = ±exp - frac; want scale 4. */
	exp = (eneg ? -exp : exp) - (frac < 0 ? 0 : frac) + 4;
	for (i = 0; i < exp; i++) {
		if (v > DEC_MAX / 10)
			return 0;
		v *= 10;
	}
	for (i = 0; i > exp; i--) {
		if (v % 10 != 0)
			return 0;	/* more than four decimal places */
		v /= 10;
	}
	*out = neg ? -v : v;
	return 1;
}

/*
 * The exact product a x b of two decimals in 0..DECIMAL_SQL_MAX (scale
 * 4 each, so scale 8): *whole (scale 4, the product cut to four places)
 * and *rest, the four places cut (0..9999, in units of 10^-8), so that
 * sums of products can be rounded once, as SQL's ROUND(SUM(a * b), 4).
 * 0 when whole would pass DECIMAL_SQL_MAX (or an input is out of range).
 */
int
decimal_mul(int64_t a, int64_t b, int64_t *whole, int64_t *rest)
{
	int64_t	 ah = a / DEC_ONE, al = a % DEC_ONE;
	int64_t	 bh = b / DEC_ONE, bl = b % DEC_ONE;

	if (a < 0 || b < 0 || a > DEC_MAX || b > DEC_MAX)
		return 0;
	/* a x b / 10^4 = ah x b + al x bh + al x bl / 10^4, every term
	 * checked before it could pass the range (or int64). */
	if (ah != 0 && b > DEC_MAX / ah)
		return 0;
	*whole = ah * b;
	if (al * bh > DEC_MAX - *whole)		/* al < 10^4, bh < 10^14 */
		return 0;
	*whole += al * bh + al * bl / DEC_ONE;
	*rest = al * bl % DEC_ONE;
	return *whole <= DEC_MAX;
}

/* A JSON number (or numeric string) as a decimal; 0 when it is not. */
int
decimal_from_json(struct json_object *o, int64_t *out)
{
	switch (json_object_get_type(o)) {
	case json_type_int:
	case json_type_double:
		/* The tokener keeps a parsed number's original text. */
		return decimal_parse(json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN), out);
	case json_type_string:
		return decimal_parse(json_object_get_string(o), out);
	default:
		return 0;
	}
}

/* Shortest text of v (units of 1/10000): "12.5", "-3", "0.0001". */
void
decimal_format(int64_t v, char out[DECIMAL_BUFSZ])
{
	uint64_t	 a = v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v;
	unsigned	 frac = (unsigned)(a % 10000);
	int		 n, places = 4;

	n = snprintf(out, DECIMAL_BUFSZ, "%s%llu", v < 0 ? "-" : "",
	    (unsigned long long)(a / 10000));
	if (frac == 0)
		return;
	while (frac % 10 == 0) {
		frac /= 10;
		places--;
	}
	snprintf(out + n, DECIMAL_BUFSZ - n, ".%0*u", places, frac);
}

/* A JSON number carrying the exact decimal text of v. */
struct json_object *
decimal_to_json(int64_t v)
{
	char	 s[DECIMAL_BUFSZ];

	decimal_format(v, s);
	return json_object_new_double_s((double)v / 10000.0, s);
}

/* The same, from SQL DECIMAL text; JSON null for NULL or bad text. */
struct json_object *
decimal_sql_to_json(const char *sql)
{
	int64_t	 v;

	if (sql == NULL || !decimal_parse(sql, &v))
		return NULL;
	return decimal_to_json(v);
}

/* A DECIMAL cell as fixed point; 0 for NULL or text that is none. */
int64_t
decimal_sql(const char *sql)
{
	int64_t	 v = 0;

	if (sql == NULL || !decimal_parse(sql, &v))
		return 0;
	return v;
}

/* Money from a DECIMAL cell, two decimals at least; JSON null for NULL
 * (or a sum past the fixed point's range). */
struct json_object *
decimal_sql_to_money_json(const char *sql)
{
	int64_t	 v;

	if (sql == NULL || !decimal_parse(sql, &v))
		return NULL;
	return decimal_money_json(v);
}

/* 1 when v (scale 4) is a whole number of cents. */
int
decimal_cents(int64_t v)
{
	return v % 100 == 0;
}

/* Money as text with at least two decimals: "1100.00", "0.125". */
void
decimal_format_money(int64_t v, char out[DECIMAL_BUFSZ])
{
	char	*dot;
	size_t	 n;

	decimal_format(v, out);
	n = strlen(out);
	if ((dot = strchr(out, '.')) == NULL) {
		snprintf(out + n, DECIMAL_BUFSZ - n, ".00");
		return;
	}
	if (n - (size_t)(dot - out) == 2)
		snprintf(out + n, DECIMAL_BUFSZ - n, "0");
}

/* A JSON number carrying money's text, two decimals at least. */
struct json_object *
decimal_money_json(int64_t v)
{
	char	 s[DECIMAL_BUFSZ];

	decimal_format_money(v, s);
	return json_object_new_double_s((double)v / 10000.0, s);
}
