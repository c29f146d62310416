/*
 * json.c - parsing JSON from outside and writing JSON out, through json-c.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"

#define JSON_MAX_DEPTH	32

/*
 * Parse a whole request body. On failure returns NULL with a message
 * naming the problem and its byte offset in err.
 */
struct json_object *
json_parse_body(const char *s, size_t len, char *err, size_t errsz)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	enum json_tokener_error	 jerr;
	size_t			 off;

	if (len == 0) {
		snprintf(err, errsz, "body: expected a JSON document");
		return NULL;
	}
	if (!util_utf8_valid(s, len)) {
		snprintf(err, errsz, "body: not valid UTF-8");
		return NULL;
	}
	if (len > INT32_MAX || (tok = json_tokener_new_ex(JSON_MAX_DEPTH)) == NULL) {
		snprintf(err, errsz, "body: too large");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, s, (int)len);
	jerr = json_tokener_get_error(tok);
	off = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue)
		snprintf(err, errsz, "body: malformed JSON: unexpected end");
	else if (jerr != json_tokener_success)
		snprintf(err, errsz, "body: malformed JSON at byte %zu: %s",
		    off, json_tokener_error_desc(jerr));
	else {
		while (off < len && strchr(" \t\r\n", s[off]) != NULL)
			off++;
		if (off == len) {
			json_tokener_free(tok);
			return o;
		}
		snprintf(err, errsz, "body: unexpected data after JSON at "
		    "byte %zu", off);
	}
	json_object_put(o);
	json_tokener_free(tok);
	return NULL;
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
