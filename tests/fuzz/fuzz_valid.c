/*
 * fuzz_valid.c - a request body as a handler reads it: req_json_body,
 * then the typed field readers of valid.c with the fields and bounds of
 * items.c (and a few more). Every reader either yields a value within
 * its bounds or answers 400 with a JSON error body; nothing in between.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "fuzz.h"


static void
check_error(struct req *r, int ok)
{
	struct json_object	*o;
	char			 err[160];

	if (ok) {
		if (r->out.status != 0)
			abort();	/* accepted, yet answered */
		return;
	}
	if (r->out.status != 400 || r->out.body.len == 0)
		abort();
	if ((o = json_parse_body(r->out.body.data, r->out.body.len, err,
	    sizeof(err))) == NULL)
		abort();		/* the error body is not JSON */
	json_object_put(o);
	r->out.status = 0;
	r->out.body.len = 0;
}

static void
string_field(struct req *r, struct json_object *b, const char *f,
    int required, size_t min, size_t max)
{
	const char	*s = NULL;
	size_t		 n;
	int		 ok;

	ok = valid_string(r, b, f, required, min, max, &s);
	check_error(r, ok);
	if (ok && s != NULL) {
		n = util_utf8_chars(s);
		if (n < min || n > max || !util_utf8_valid(s, strlen(s)))
			abort();
	} else if (ok && required)
		abort();
}

static void
decimal_field(struct req *r, struct json_object *b, const char *f,
    int64_t min, int64_t max)
{
	int64_t	 v = 0;
	int	 present = -1, ok;

	ok = valid_decimal(r, b, f, 0, min, max, &v, &present);
	check_error(r, ok);
	if (ok && present && (v < min || v > max))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum family_id fams[] = {
		FAM_INTEG, FAM_SCIM, FAM_INGEST, FAM_FULFILL, FAM_IMPEX,
	};
	struct json_object	*b;
	struct req		 r;
	long long		 lead = 7;
	int			 present = -1, flag = 5, ok;

	req_init(&r, NULL, NULL);
	memcpy(r.id, "fuzz-request-id", sizeof("fuzz-request-id"));
	r.family = family_get(fams[size % (sizeof(fams) / sizeof(fams[0]))]);
	if (!buf_append(&r.in.body, data, size))
		goto out;
	if ((b = req_json_body(&r)) == NULL) {
		check_error(&r, 0);
		goto out;
	}
	check_error(&r, 1);

	ok = valid_object(&r, b);
	check_error(&r, ok);
	if (ok) {
		string_field(&r, b, "sku", 1, 1, 128);
		string_field(&r, b, "name", 1, 1, 200);
		string_field(&r, b, "unit", 0, 1, 32);
		string_field(&r, b, "category", 0, 1, 100);
		string_field(&r, b, "userName", 1, 0, (size_t)-1);
		decimal_field(&r, b, "stockOnHand", -DECIMAL_MAX, DECIMAL_MAX);
		decimal_field(&r, b, "lowStockThreshold", 0, DECIMAL_MAX);
		decimal_field(&r, b, "unitCost", 0, DECIMAL_MAX);
		decimal_field(&r, b, "orderedQty", INT64_MIN, INT64_MAX);
		ok = valid_int(&r, b, "leadTimeDays", 0, 0, 3650, &lead,
		    &present);
		check_error(&r, ok);
		if (ok && present && (lead < 0 || lead > 3650))
			abort();
		ok = valid_int(&r, b, "count", 0, LLONG_MIN, LLONG_MAX, &lead,
		    &present);
		check_error(&r, ok);
		ok = valid_bool(&r, b, "active", &flag);
		check_error(&r, ok);
		if (ok && flag != 0 && flag != 1 && flag != 5)
			abort();
	}
	json_object_put(b);
out:
	req_cleanup(&r);
	return 0;
}
