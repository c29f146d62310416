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

/*
 * Room for n more bytes (and the NUL) at the end of w's buffer: where
 * they go, or NULL when w has failed or cannot grow. One reservation a
 * value: its comma, key and text are then written with no further call.
 */
static char *
jsonw_room(struct jsonw *w, size_t n)
{
	struct buf	*b = w->b;

	if (!w->ok)
		return NULL;
	if ((n >= b->cap || b->len + n + 1 > b->cap) && !buf_reserve(b, n)) {
		jsonw_fail(w);
		return NULL;
	}
	return b->data + b->len;
}

/* The bytes up to o (in the room jsonw_room made) are written. */
static int
jsonw_end(struct jsonw *w, char *o)
{
	*o = '\0';
	w->b->len = (size_t)(o - w->b->data);
	return 1;
}

static int
jsonw_raw(struct jsonw *w, const char *s, size_t n)
{
	char	*o;

	if ((o = jsonw_room(w, n)) == NULL)
		return 0;
	memcpy(o, s, n);
	return jsonw_end(w, o + n);
}

/* Eight bytes of a string that need no escape: none a control
 * character, a quote or a backslash (bytes of UTF-8 pass). Exact for
 * "any byte": the word tricks of Bit Twiddling Hacks (haszero, hasless). */
static int
jsonw_plain8(uint64_t x)
{
	const uint64_t	 ones = 0x0101010101010101ULL;
	const uint64_t	 highs = 0x8080808080808080ULL;
	uint64_t	 lt = (x - ones * 0x20) & ~x;
	uint64_t	 q = x ^ (ones * '"'), bs = x ^ (ones * '\\');

	q = (q - ones) & ~q;
	bs = (bs - ones) & ~bs;
	return ((lt | q | bs) & highs) == 0;
}

/* The escape of byte c (one that needs one) at o; the end. */
static char *
jsonw_escape_byte(char *o, unsigned char c)
{
	static const char	 hex[] = "0123456789abcdef";

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
	return o;
}

/*
 * s[0..n) quoted and escaped as json-c does, at o (room for 6 n + 2
 * bytes); the end. Eight plain bytes at a time: most text has nothing
 * to escape, and a byte at a time was a list page's largest cost.
 */
static char *
jsonw_quote(char *o, const char *s, size_t n)
{
	const char	*end = s + n;
	uint64_t	 x;
	unsigned char	 c;

	*o++ = '"';
	while (end - s >= 8) {
		memcpy(&x, s, 8);
		if (jsonw_plain8(x)) {
			memcpy(o, s, 8);
			o += 8;
			s += 8;
			continue;
		}
		for (n = 0; n < 8; n++, s++) {
			c = (unsigned char)*s;
			if (c >= 0x20 && c != '"' && c != '\\')
				*o++ = (char)c;
			else
				o = jsonw_escape_byte(o, c);
		}
	}
	for (; s < end; s++) {
		c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			*o++ = (char)c;
		else
			o = jsonw_escape_byte(o, c);
	}
	*o++ = '"';
	return o;
}

/* The room a quoted s of n bytes may take; 0 when past any buffer. */
static size_t
jsonw_quoted_max(size_t n)
{
	return n > (SIZE_MAX / 2 - 64) / 6 ? 0 : 6 * n + 2;
}

/*
 * Append s[0..n) to b as a quoted JSON string, escaped as json-c does.
 * 1, or 0 when out of memory.
 */
int
jsonw_escape(struct buf *b, const char *s, size_t n)
{
	size_t	 max = jsonw_quoted_max(n);
	char	*o;

	if (max == 0 || !buf_reserve(b, max))
		return 0;
	o = jsonw_quote(b->data + b->len, s, n);
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

/*
 * The comma before a value (or member) that is not its container's
 * first, and the member's name, with room for n bytes of value after
 * them: where the value goes, or NULL when w has failed.
 */
static char *
jsonw_lead(struct jsonw *w, const char *key, size_t n)
{
	size_t	 kn = key != NULL ? strlen(key) : 0, kmax = 0;
	char	*o;

	if (key != NULL && (kmax = jsonw_quoted_max(kn)) == 0) {
		jsonw_fail(w);
		return NULL;
	}
	if (n > SIZE_MAX / 4 || (o = jsonw_room(w, 2 + kmax + n)) == NULL)
		return NULL;
	if (w->depth > 0) {
		if (w->more[w->depth - 1])
			*o++ = ',';
		w->more[w->depth - 1] = 1;
	}
	if (key != NULL) {
		o = jsonw_quote(o, key, kn);
		*o++ = ':';
	}
	return o;
}

/* The lead and then the n bytes of s. */
static int
jsonw_put(struct jsonw *w, const char *key, const char *s, size_t n)
{
	char	*o;

	if ((o = jsonw_lead(w, key, n)) == NULL)
		return 0;
	memcpy(o, s, n);
	return jsonw_end(w, o + n);
}

static int
jsonw_open(struct jsonw *w, const char *key, const char *bracket)
{
	char	*o;

	if ((o = jsonw_lead(w, key, 1)) == NULL)
		return 0;
	if (w->depth == JSONW_DEPTH)
		return jsonw_fail(w);
	w->more[w->depth++] = 0;
	*o++ = *bracket;
	return jsonw_end(w, o);
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
	size_t	 max = jsonw_quoted_max(n);
	char	*o;

	if (max == 0)
		return jsonw_fail(w);
	if ((o = jsonw_lead(w, key, max)) == NULL)
		return 0;
	return jsonw_end(w, jsonw_quote(o, s, n));
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
	return jsonw_put(w, key, "null", 4);
}

int
jsonw_bool(struct jsonw *w, const char *key, int v)
{
	return v ? jsonw_put(w, key, "true", 4) : jsonw_put(w, key, "false", 5);
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
	return jsonw_put(w, key, p, (size_t)(s + sizeof(s) - p));
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
	return jsonw_put(w, key, p, (size_t)(end - p));
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
	ok = jsonw_put(w, key, s, strlen(s));
	json_object_put(o);
	return ok;
}
