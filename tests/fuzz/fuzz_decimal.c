/*
 * fuzz_decimal.c - decimal_parse, which reads quantities and money from
 * request bodies (JSON numbers by their original text), and the way back
 * out (decimal_format, decimal_to_json). The input up to its first NUL
 * is parsed as decimal text; the whole input as a JSON body whose
 * numbers (top level, or an object's or array's members) are read with
 * decimal_from_json. Whatever is accepted must survive the round trip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "fuzz.h"

#define DEC_MAX		999999999999999999LL	/* DECIMAL(18,4) */

/* v is in range, prints short and plain, and reads back as v. */
static void
round_trip(int64_t v)
{
	struct json_object	*o, *back, *f;
	char			 s[DECIMAL_BUFSZ], err[160], body[64];
	const char		*t;
	int64_t			 w;

	if (v > DEC_MAX || v < -DEC_MAX)
		abort();
	decimal_format(v, s);
	if (strlen(s) >= DECIMAL_BUFSZ || !decimal_parse(s, &w) || w != v)
		abort();
	if ((o = decimal_to_json(v)) == NULL)
		abort();
	t = json_to_str(o);
	if (strcmp(t, s) != 0)
		abort();		/* the exact text goes out */
	/* As a field of a body, as clients send it back. */
	snprintf(body, sizeof(body), "{\"v\":%s}", t);
	if ((back = json_parse_body(body, strlen(body), err,
	    sizeof(err))) == NULL || !json_object_object_get_ex(back, "v", &f) ||
	    !decimal_from_json(f, &w) || w != v)
		abort();
	json_object_put(back);
	json_object_put(o);
}

static void
from_json(struct json_object *o)
{
	int64_t	 v;

	if (decimal_from_json(o, &v))
		round_trip(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*o, *sql;
	struct json_object_iterator it, end;
	const uint8_t		*nul = memchr(data, '\0', size);
	size_t			 n = nul ? (size_t)(nul - data) : size, i;
	char			*s, fmt[DECIMAL_BUFSZ], err[160];
	int64_t			 v;

	if ((s = malloc(n + 1)) == NULL)
		return 0;
	memcpy(s, data, n);
	s[n] = '\0';
	if (decimal_parse(s, &v))
		round_trip(v);
	/* SQL DECIMAL text comes back through the same parser. */
	sql = decimal_sql_to_json(s);
	json_object_put(sql);
	free(s);

	/* Any 64-bit value formats within the buffer. */
	if (size >= 8) {
		memcpy(&v, data, sizeof(v));
		decimal_format(v, fmt);
		if (memchr(fmt, '\0', sizeof(fmt)) == NULL)
			abort();
		if (v <= DEC_MAX && v >= -DEC_MAX)
			round_trip(v);
	}

	if ((o = json_parse_body((const char *)data, size, err,
	    sizeof(err))) == NULL)
		return 0;
	if (json_object_is_type(o, json_type_object)) {
		it = json_object_iter_begin(o);
		end = json_object_iter_end(o);
		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it))
			from_json(json_object_iter_peek_value(&it));
	} else if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < json_object_array_length(o); i++)
			from_json(json_object_array_get_idx(o, i));
	} else
		from_json(o);
	json_object_put(o);
	return 0;
}
