/*
 * json.c - parsing JSON from outside and writing JSON out, through json-c.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "core/core.h"

#define JSON_MAX_DEPTH	32

/* A cursor over the text being checked. */
struct jscan {
	const char	*s;
	size_t		 n, i;
	int		 depth;
	const char	*why;
};

static int	jscan_value(struct jscan *);

static void
jscan_ws(struct jscan *j)
{
	while (j->i < j->n && strchr(" \t\r\n", j->s[j->i]) != NULL &&
	    j->s[j->i] != '\0')
		j->i++;
}

static int
jscan_fail(struct jscan *j, const char *why)
{
	/* Running out of input is the clearer reason for truncated text. */
	j->why = j->i >= j->n ? "unexpected end" : why;
	return 0;
}

static int
jscan_lit(struct jscan *j, const char *lit)
{
	size_t	 n = strlen(lit);

	if (j->n - j->i < n || memcmp(j->s + j->i, lit, n) != 0)
		return jscan_fail(j, "unexpected character");
	j->i += n;
	return 1;
}

static int
jscan_digits(struct jscan *j)
{
	size_t	 start = j->i;

	while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
		j->i++;
	return j->i > start;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
jscan_number(struct jscan *j)
{
	if (j->s[j->i] == '-')
		j->i++;
	if (j->i < j->n && j->s[j->i] == '0')
		j->i++;
	else if (!jscan_digits(j))
		return jscan_fail(j, "invalid number");
	if (j->i < j->n && j->s[j->i] == '.') {
		j->i++;
		if (!jscan_digits(j))
			return jscan_fail(j, "invalid number");
	}
	if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
			j->i++;
		if (!jscan_digits(j))
			return jscan_fail(j, "invalid number");
	}
	return 1;
}

/* A string; a member name (name 1) may not hold \u0000: json-c keeps
 * names as C strings, so one would be cut without a trace. NUL in a
 * value is found on the parsed tree, where its path can be named. */
static int
jscan_string(struct jscan *j, int name)
{
	unsigned char	 c;
	int		 k;

	j->i++;				/* the opening quote */
	while (j->i < j->n) {
		c = (unsigned char)j->s[j->i++];
		if (c == '"')
			return 1;
		if (c < 0x20)
			return jscan_fail(j, "control character in string");
		if (c != '\\')
			continue;
		if (j->i >= j->n)
			break;
		c = (unsigned char)j->s[j->i++];
		if (c == 'u') {
			for (k = 0; k < 4; k++, j->i++)
				if (j->i >= j->n ||
				    !isxdigit((unsigned char)j->s[j->i]))
					return jscan_fail(j, "invalid \\u escape");
			if (name && strncmp(j->s + j->i - 4, "0000", 4) == 0)
				return jscan_fail(j, "\\u0000 in a member name");
		} else if (strchr("\"\\/bfnrt", c) == NULL || c == '\0')
			return jscan_fail(j, "invalid escape");
	}
	return jscan_fail(j, "unterminated string");
}

/* Members or elements up to the closing bracket. */
static int
jscan_container(struct jscan *j, char close, int object)
{
	if (++j->depth > JSON_MAX_DEPTH)
		return jscan_fail(j, "nested too deeply");
	j->i++;
	jscan_ws(j);
	if (j->i < j->n && j->s[j->i] == close) {
		j->i++;
		j->depth--;
		return 1;
	}
	for (;;) {
		jscan_ws(j);
		if (object) {
			if (j->i >= j->n || j->s[j->i] != '"')
				return jscan_fail(j, "expected a member name");
			if (!jscan_string(j, 1))
				return 0;
			jscan_ws(j);
			if (j->i >= j->n || j->s[j->i] != ':')
				return jscan_fail(j, "expected ':'");
			j->i++;
		}
		if (!jscan_value(j))
			return 0;
		jscan_ws(j);
		if (j->i < j->n && j->s[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->i < j->n && j->s[j->i] == close) {
			j->i++;
			j->depth--;
			return 1;
		}
		return jscan_fail(j, object ? "expected ',' or '}'" :
		    "expected ',' or ']'");
	}
}

static int
jscan_value(struct jscan *j)
{
	jscan_ws(j);
	if (j->i >= j->n)
		return jscan_fail(j, "unexpected end");
	switch (j->s[j->i]) {
	case '{':
		return jscan_container(j, '}', 1);
	case '[':
		return jscan_container(j, ']', 0);
	case '"':
		return jscan_string(j, 0);
	case 't':
		return jscan_lit(j, "true");
	case 'f':
		return jscan_lit(j, "false");
	case 'n':
		return jscan_lit(j, "null");
	default:
		if (j->s[j->i] == '-' || (j->s[j->i] >= '0' && j->s[j->i] <= '9'))
			return jscan_number(j);
		return jscan_fail(j, "unexpected character");
	}
}

/*
 * 1 when s[0..n) is one RFC 8259 JSON text (json-c alone lets NaN,
 * Infinity, raw control characters and single quotes through); else 0
 * with the reason and byte offset.
 */
int
json_check(const char *s, size_t n, size_t *off, const char **why)
{
	struct jscan	 j = { s, n, 0, 0, NULL };

	if (jscan_value(&j)) {
		jscan_ws(&j);
		if (j.i == n)
			return 1;
		j.why = "unexpected data after the JSON value";
	}
	*off = j.i;
	*why = j.why;
	return 0;
}

/* Append the step to member key or element i to path (of size sz);
 * its length, or sz when it does not fit. */
static size_t
json_path_step(char *path, size_t len, size_t sz, const char *key, size_t i)
{
	int	 n;

	if (len >= sz)
		return sz;
	if (key != NULL)
		n = snprintf(path + len, sz - len, "%s%s", len ? "." : "", key);
	else
		n = snprintf(path + len, sz - len, "[%zu]", i);
	return n < 0 || (size_t)n >= sz - len ? sz : len + (size_t)n;
}

/*
 * 1 when a string value under o holds a NUL; its path ("lines[2].sku",
 * "" for o itself) is then in path. Every C string read from such a
 * value would be cut at the NUL, silently.
 */
static int
json_nul_find(struct json_object *o, char *path, size_t len, size_t sz)
{
	size_t	 i, n;

	switch (json_object_get_type(o)) {
	case json_type_string:
		if (memchr(json_object_get_string(o), '\0',
		    (size_t)json_object_get_string_len(o)) == NULL)
			return 0;
		path[len < sz ? len : sz - 1] = '\0';
		return 1;
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (json_nul_find(json_object_array_get_idx(o, i), path,
			    json_path_step(path, len, sz, NULL, i), sz))
				return 1;
		return 0;
	case json_type_object: {
		json_object_object_foreach(o, key, v)
			if (json_nul_find(v, path, json_path_step(path, len, sz,
			    key, 0), sz))
				return 1;
		return 0;
	}
	default:
		return 0;
	}
}

/*
 * Parse a whole request body. On failure returns NULL with a message
 * naming the problem and its byte offset in err, or the path of a
 * string value holding a NUL. A body of JSON null is refused too, so
 * NULL always means "answered with err".
 */
struct json_object *
json_parse_body(const char *s, size_t len, char *err, size_t errsz)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	const char		*why;
	size_t			 off;
	char			 path[128];

	if (len == 0) {
		snprintf(err, errsz, "body: expected a JSON document");
		return NULL;
	}
	if (!util_utf8_valid(s, len)) {
		snprintf(err, errsz, "body: not valid UTF-8");
		return NULL;
	}
	if (len > INT32_MAX) {
		snprintf(err, errsz, "body: too large");
		return NULL;
	}
	if (!json_check(s, len, &off, &why)) {
		snprintf(err, errsz, "body: malformed JSON at byte %zu: %s",
		    off, why);
		return NULL;
	}
	/* The text is valid JSON now: json-c only builds the objects. */
	if ((tok = json_tokener_new_ex(JSON_MAX_DEPTH + 1)) == NULL) {
		snprintf(err, errsz, "body: out of memory");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, s, (int)len);
	/* A bare number or literal only ends at end of input. */
	if (o == NULL && json_tokener_get_error(tok) == json_tokener_continue)
		o = json_tokener_parse_ex(tok, "", 1);
	json_tokener_free(tok);
	if (o == NULL)
		snprintf(err, errsz, "body: expected a JSON value other than "
		    "null");
	else if (json_nul_find(o, path, 0, sizeof(path))) {
		/* A long path is cut (on a character) so the reason stays. */
		if (path[0] == '\0')
			snprintf(path, sizeof(path), "body");
		for (off = strlen(path) < 64 ? strlen(path) : 64; off > 0 &&
		    !util_utf8_valid(path, off); off--)
			;
		snprintf(err, errsz, "%.*s%s: must not contain the NUL "
		    "character (\\u0000)", (int)off, path,
		    off < strlen(path) ? "…" : "");
		json_object_put(o);
		o = NULL;
	}
	return o;
}

/* Compact text of o; borrowed, valid until o is freed. */
const char *
json_to_str(struct json_object *o)
{
	return json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/*
 * A SQL DATETIME text ("2026-03-30 12:00:00.123", UTC) as an ISO 8601
 * JSON string with Z; JSON null for NULL.
 */
struct json_object *
json_time(const char *sql)
{
	char	 s[40];
	size_t	 n;

	if (sql == NULL)
		return NULL;
	n = strlen(sql);
	if (n < 19 || n > 30)
		return json_object_new_string(sql);
	memcpy(s, sql, n);
	s[10] = 'T';
	s[n] = 'Z';
	s[n + 1] = '\0';
	return json_object_new_string(s);
}

/*
 * Append s to b as a JSON string, quoted and escaped as every answer
 * escapes (jsonw_escape: json-c's forms). For answers written straight
 * into the response, with no object tree. 1, or 0 when out of memory.
 */
int
json_write_str(struct buf *b, const char *s)
{
	return jsonw_escape(b, s, strlen(s));
}

/* "key": then the string v, or null for NULL; after the first member. */
int
json_write_member(struct buf *b, const char *key, const char *v)
{
	return buf_puts(b, ",") && json_write_str(b, key) && buf_puts(b, ":") &&
	    (v != NULL ? json_write_str(b, v) : buf_puts(b, "null"));
}

/* o[k] = the string v, or JSON null when v is NULL (SQL NULL). */
void
json_put_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}
