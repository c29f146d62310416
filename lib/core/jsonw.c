/*
 * jsonw.c - JSON written straight into a buffer (the response body), in
 * the manner of kcgi's kjson: open and close objects and arrays, put
 * members and values, every string escaped. A list page costs no object
 * tree and no malloc per value. The bytes are those json-c prints for
 * the same values (JSON_C_TO_STRING_PLAIN, no slash escape): the short
 * escapes \b \f \n \r \t, \u00xx for the other control characters, the
 * quote and the backslash escaped, every other byte (UTF-8) as it is.
 *
 * A failure (out of memory, nesting past JSONW_DEPTH, a close that
 * matches no open) is sticky: every later call does nothing and
 * jsonw_done answers 0, so a writer can put a whole shape and check once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/core.h"

/* Start writing at the end of b (which the caller owns). */
void
jsonw_init(struct jsonw *w, struct buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->ok = 1;
}

/* 1 when everything was written and every container closed. */
int
jsonw_done(const struct jsonw *w)
{
	return w->ok && w->depth == 0;
}

static int
jsonw_fail(struct jsonw *w)
{
	w->ok = 0;
	return 0;
}

static int
jsonw_raw(struct jsonw *w, const char *s, size_t n)
{
	if (!w->ok)
		return 0;
	if (!buf_append(w->b, s, n))
		return jsonw_fail(w);
	return 1;
}

/*
 * Append s[0..n) to b as a quoted JSON string, escaped as json-c does.
 * Room for the worst case (every byte \u00xx) is made once, so the
 * bytes are written with no call per run. 1, or 0 when out of memory.
 */
int
jsonw_escape(struct buf *b, const char *s, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	const char		*run = s, *end = s + n;
	char			*o;
	unsigned char		 c;

	if (n > (SIZE_MAX - 3) / 6 || !buf_reserve(b, 6 * n + 2))
		return 0;
	o = b->data + b->len;
	*o++ = '"';
	for (; s < end; s++) {
		c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		memcpy(o, run, (size_t)(s - run));
		o += s - run;
		run = s + 1;
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 0xf];
			break;
		}
	}
	memcpy(o, run, (size_t)(end - run));
	o += end - run;
	*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - b->data);
	return 1;
}

/* The decimal digits of v into the end of out (of size sz, at least
 * 21); where they start. printf is most of the cost of a number. */
static char *
jsonw_digits(uint64_t v, char *out, size_t sz)
{
	char	*p = out + sz;

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	return p;
}

/* The comma before a value (or member) that is not its container's
 * first, and the member's name. */
static int
jsonw_lead(struct jsonw *w, const char *key)
{
	if (!w->ok)
		return 0;
	if (w->depth > 0) {
		if (w->more[w->depth - 1] && !jsonw_raw(w, ",", 1))
			return 0;
		w->more[w->depth - 1] = 1;
	}
	if (key == NULL)
		return 1;
	if (!jsonw_escape(w->b, key, strlen(key)))
		return jsonw_fail(w);
	return jsonw_raw(w, ":", 1);
}

static int
jsonw_open(struct jsonw *w, const char *key, const char *bracket)
{
	if (!jsonw_lead(w, key))
		return 0;
	if (w->depth == JSONW_DEPTH)
		return jsonw_fail(w);
	w->more[w->depth++] = 0;
	return jsonw_raw(w, bracket, 1);
}

static int
jsonw_close(struct jsonw *w, const char *bracket)
{
	if (!w->ok)
		return 0;
	if (w->depth == 0)
		return jsonw_fail(w);
	w->depth--;
	return jsonw_raw(w, bracket, 1);
}

/* An object: a value (key NULL), or the member key of the object open. */
int
jsonw_obj_open(struct jsonw *w, const char *key)
{
	return jsonw_open(w, key, "{");
}

int
jsonw_obj_close(struct jsonw *w)
{
	return jsonw_close(w, "}");
}

/* An array, as jsonw_obj_open. */
int
jsonw_arr_open(struct jsonw *w, const char *key)
{
	return jsonw_open(w, key, "[");
}

int
jsonw_arr_close(struct jsonw *w)
{
	return jsonw_close(w, "]");
}

/* The string s[0..n), escaped. */
int
jsonw_strn(struct jsonw *w, const char *key, const char *s, size_t n)
{
	if (!jsonw_lead(w, key))
		return 0;
	if (!jsonw_escape(w->b, s, n))
		return jsonw_fail(w);
	return 1;
}

/* The string s, or null when s is NULL (SQL NULL). */
int
jsonw_str(struct jsonw *w, const char *key, const char *s)
{
	if (s == NULL)
		return jsonw_null(w, key);
	return jsonw_strn(w, key, s, strlen(s));
}

int
jsonw_null(struct jsonw *w, const char *key)
{
	return jsonw_lead(w, key) && jsonw_raw(w, "null", 4);
}

int
jsonw_bool(struct jsonw *w, const char *key, int v)
{
	return jsonw_lead(w, key) && (v ? jsonw_raw(w, "true", 4) :
	    jsonw_raw(w, "false", 5));
}

int
jsonw_int(struct jsonw *w, const char *key, long long v)
{
	char	 s[24], *p;

	/* -(v + 1) + 1: LLONG_MIN has no positive long long. */
	p = jsonw_digits(v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v, s,
	    sizeof(s));
	if (v < 0)
		*--p = '-';
	return jsonw_lead(w, key) && jsonw_raw(w, p, (size_t)(s + sizeof(s) -
	    p));
}

/*
 * A fixed-point value (scale 4) as a JSON number without padding
 * (100, 1.5, -0.0001), as decimal_to_json prints it.
 */
int
jsonw_decimal(struct jsonw *w, const char *key, int64_t v)
{
	char		 s[DECIMAL_BUFSZ], *p, *end = s + sizeof(s);
	uint64_t	 a = v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v;
	unsigned	 frac = (unsigned)(a % 10000), places = 4;

	/* decimal_format's text: the fraction without its trailing
	 * zeros, no point when it is 0. */
	p = end;
	if (frac != 0) {
		while (frac % 10 == 0) {
			frac /= 10;
			places--;
		}
		while (places-- > 0) {
			*--p = (char)('0' + frac % 10);
			frac /= 10;
		}
		*--p = '.';
	}
	p = jsonw_digits(a / 10000, s, (size_t)(p - s));
	if (v < 0)
		*--p = '-';
	return jsonw_lead(w, key) && jsonw_raw(w, p, (size_t)(end - p));
}

/* A SQL DECIMAL cell as decimal_sql_to_json gives it: the number
 * without padding, null for NULL or text that is not a decimal. */
int
jsonw_decimal_sql(struct jsonw *w, const char *key, const char *sql)
{
	int64_t	 v;

	if (sql == NULL || !decimal_parse(sql, &v))
		return jsonw_null(w, key);
	return jsonw_decimal(w, key, v);
}

/*
 * A SQL DATETIME cell ("2026-03-30 12:00:00.123", UTC) as json_time
 * gives it: ISO 8601 with T and Z; text of another length as it is;
 * null for NULL.
 */
int
jsonw_time_sql(struct jsonw *w, const char *key, const char *sql)
{
	char	 s[40];
	size_t	 n;

	if (sql == NULL)
		return jsonw_null(w, key);
	n = strlen(sql);
	if (n < 19 || n > 30)
		return jsonw_strn(w, key, sql, n);
	memcpy(s, sql, n);
	s[10] = 'T';
	s[n] = 'Z';
	return jsonw_strn(w, key, s, n + 1);
}

/*
 * A JSON value held as text (a JSON column) as json-c prints it once
 * parsed: compact, its escapes and duplicate members as json-c settles
 * them; null for NULL or text that does not parse. This one value goes
 * through json-c: such columns are rare and their shape is free.
 */
int
jsonw_json_text(struct jsonw *w, const char *key, const char *text)
{
	struct json_object	*o;
	const char		*s;
	int			 ok;

	if (text == NULL || (o = json_tokener_parse(text)) == NULL)
		return jsonw_null(w, key);
	s = json_to_str(o);
	ok = jsonw_lead(w, key) && jsonw_raw(w, s, strlen(s));
	json_object_put(o);
	return ok;
}
