/*
 * valid.c - typed reads of JSON body fields. Each reader either stores a
 * valid value or answers 400 naming the field and returns 0, so a
 * handler validates everything before it writes anything.
 */
#include <string.h>

#include <json-c/json.h>

#include "web/web.h"

/* The body must be a JSON object; else 400. */
int
valid_object(struct req *r, struct json_object *o)
{
	if (json_object_is_type(o, json_type_object))
		return 1;
	req_resp_error(r, 400, "invalid_body", "body: expected a JSON object");
	return 0;
}

/* Field of o, or NULL when absent or JSON null. Borrowed. */
struct json_object *
valid_get(struct json_object *o, const char *field)
{
	struct json_object	*v = NULL;

	if (!json_object_object_get_ex(o, field, &v))
		return NULL;
	return v;
}

static int
valid_missing(struct req *r, const char *field, int required)
{
	if (!required)
		return 1;
	req_resp_error(r, 400, "invalid_body", "%s%s: is required",
	    r->vprefix, field);
	return 0;
}

/*
 * A string of minlen..maxlen characters (UTF-8 is checked by the parser).
 * *out is borrowed from o; NULL when absent and optional.
 */
int
valid_string(struct req *r, struct json_object *o, const char *field,
    int required, size_t minlen, size_t maxlen, const char **out)
{
	struct json_object	*v = valid_get(o, field);
	const char		*s;
	size_t			 n;

	*out = NULL;
	if (v == NULL)
		return valid_missing(r, field, required);
	if (!json_object_is_type(v, json_type_string)) {
		req_resp_error(r, 400, "invalid_body", "%s%s: expected a string",
		    r->vprefix, field);
		return 0;
	}
	s = json_object_get_string(v);
	n = util_utf8_chars(s);
	if (n < minlen || n > maxlen) {
		req_resp_error(r, 400, "invalid_body", "%s%s: expected %zu to "
		    "%zu characters, got %zu", r->vprefix, field, minlen, maxlen,
		    n);
		return 0;
	}
	*out = s;
	return 1;
}

/* A decimal number within [min, max] (units of 1/10000). */
int
valid_decimal(struct req *r, struct json_object *o, const char *field,
    int required, int64_t min, int64_t max, int64_t *out, int *present)
{
	struct json_object	*v = valid_get(o, field);
	char			 a[DECIMAL_BUFSZ], b[DECIMAL_BUFSZ];

	*present = 0;
	if (v == NULL)
		return valid_missing(r, field, required);
	if (json_object_is_type(v, json_type_string) ||
	    !decimal_from_json(v, out)) {
		req_resp_error(r, 400, "invalid_body", "%s%s: expected a "
		    "number with at most 4 decimal places", r->vprefix, field);
		return 0;
	}
	if (*out < min || *out > max) {
		decimal_format(min, a);
		decimal_format(max, b);
		req_resp_error(r, 400, "invalid_body", "%s%s: must be between "
		    "%s and %s", r->vprefix, field, a, b);
		return 0;
	}
	*present = 1;
	return 1;
}

/* A whole number within [min, max]. */
int
valid_int(struct req *r, struct json_object *o, const char *field,
    int required, long long min, long long max, long long *out, int *present)
{
	struct json_object	*v = valid_get(o, field);

	*present = 0;
	if (v == NULL)
		return valid_missing(r, field, required);
	if (!json_object_is_type(v, json_type_int)) {
		req_resp_error(r, 400, "invalid_body", "%s%s: expected an "
		    "integer", r->vprefix, field);
		return 0;
	}
	*out = json_object_get_int64(v);
	if (*out < min || *out > max) {
		req_resp_error(r, 400, "invalid_body", "%s%s: must be between "
		    "%lld and %lld", r->vprefix, field, min, max);
		return 0;
	}
	*present = 1;
	return 1;
}

/* A JSON boolean; *out keeps its default when absent. */
int
valid_bool(struct req *r, struct json_object *o, const char *field,
    int *out)
{
	struct json_object	*v = valid_get(o, field);

	if (v == NULL)
		return 1;
	if (!json_object_is_type(v, json_type_boolean)) {
		req_resp_error(r, 400, "invalid_body", "%s%s: expected true or "
		    "false", r->vprefix, field);
		return 0;
	}
	*out = json_object_get_boolean(v);
	return 1;
}

/* A string that must be one of the NULL-terminated choices. */
int
valid_enum(struct req *r, struct json_object *o, const char *field,
    int required, const char *const *choices, const char **out)
{
	size_t	 i;

	if (!valid_string(r, o, field, required, 1, 64, out))
		return 0;
	if (*out == NULL)		/* absent, and optional */
		return 1;
	for (i = 0; choices[i] != NULL; i++)
		if (strcmp(*out, choices[i]) == 0)
			return 1;
	req_resp_error(r, 400, "invalid_body", "%s%s: %s is not one of the "
	    "allowed values", r->vprefix, field, *out);
	return 0;
}
