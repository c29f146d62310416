/*
 * test_valid.c - valid.c: typed reads of JSON body fields. A valid
 * field is stored and nothing is answered; an invalid one answers 400
 * invalid_body whose message names the field, with r.vprefix before it
 * for nested fields ("lines[3].qty").
 */
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "tests.h"

/* A body parsed as the pipeline parses it; NULL fails the case. */
static struct json_object *
parse(const char *name, const char *json)
{
	struct json_object	*o;
	char			 err[160] = "";

	o = json_parse_body(json, strlen(json), err, sizeof(err));
	CHECK(o != NULL, "[%s] test body %s does not parse: %s", name,
	    json, err);
	return o;
}

static void
start(struct req *r, const char *prefix)
{
	req_init(r, NULL, NULL);
	r->family = family_get(FAM_INTEG);
	snprintf(r->id, sizeof(r->id), "rid-valid");
	snprintf(r->vprefix, sizeof(r->vprefix), "%s", prefix ? prefix : "");
}

/*
 * What the reader returned and answered: nothing on success; 400
 * invalid_body with exactly msg on failure.
 */
static void
answered(const char *name, struct req *r, int ok, const char *msg)
{
	struct json_object	*b, *e, *v;
	char			 err[160];

	if (msg == NULL) {
		CHECK(ok == 1, "[%s] refused: %s", name, r->out.body.data ?
		    r->out.body.data : "");
		CHECK(r->out.status == 0 && r->out.body.len == 0, "[%s] "
		    "answered %d", name, r->out.status);
		return;
	}
	CHECK(ok == 0, "[%s] accepted, want \"%s\"", name, msg);
	CHECK(r->out.status == 400, "[%s] status %d", name, r->out.status);
	if (!CHECK(r->out.body.len > 0, "[%s] no error body", name))
		return;
	b = json_parse_body(r->out.body.data, r->out.body.len, err,
	    sizeof(err));
	if (CHECK(b != NULL && json_object_object_get_ex(b, "error", &e),
	    "[%s] not an error body: %s", name, r->out.body.data)) {
		json_object_object_get_ex(e, "code", &v);
		CHECK_STR(name, json_object_get_string(v), "invalid_body");
		json_object_object_get_ex(e, "message", &v);
		CHECK_STR(name, json_object_get_string(v), msg);
	}
	json_object_put(b);
}

static void
test_object(void)
{
	static const struct {
		const char	*json;
		int		 ok;
	} cases[] = {
		{ "{}", 1 },
		{ "{\"a\":1}", 1 },
		{ "[]", 0 },
		{ "[{}]", 0 },
		{ "\"{}\"", 0 },
		{ "1", 0 },
		{ "true", 0 },
	};
	struct json_object	*o;
	struct req		 r;
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		if ((o = parse(cases[i].json, cases[i].json)) == NULL)
			continue;
		start(&r, NULL);
		answered(cases[i].json, &r, valid_object(&r, o), cases[i].ok ?
		    NULL : "body: expected a JSON object");
		req_cleanup(&r);
		json_object_put(o);
	}
	start(&r, NULL);
	answered("NULL", &r, valid_object(&r, NULL),
	    "body: expected a JSON object");
	req_cleanup(&r);
}

static void
test_string(void)
{
	static const struct {
		const char	*name, *prefix, *json;
		int		 required;
		size_t		 min, max;
		const char	*out;	/* success: *out (NULL: absent) */
		const char	*msg;	/* failure: the message */
	} cases[] = {
		/* refused */
		{ "required, absent", NULL, "{}", 1, 2, 5, NULL,
		    "name: is required" },
		{ "required, null", NULL, "{\"name\":null}", 1, 2, 5, NULL,
		    "name: is required" },
		{ "other field only", NULL, "{\"Name\":\"abc\"}", 1, 2, 5,
		    NULL, "name: is required" },
		{ "number", NULL, "{\"name\":12}", 1, 2, 5, NULL,
		    "name: expected a string" },
		{ "number, optional", NULL, "{\"name\":12}", 0, 2, 5, NULL,
		    "name: expected a string" },
		{ "true", NULL, "{\"name\":true}", 1, 2, 5, NULL,
		    "name: expected a string" },
		{ "array", NULL, "{\"name\":[\"ab\"]}", 1, 2, 5, NULL,
		    "name: expected a string" },
		{ "object", NULL, "{\"name\":{}}", 1, 2, 5, NULL,
		    "name: expected a string" },
		{ "empty", NULL, "{\"name\":\"\"}", 1, 2, 5, NULL,
		    "name: expected 2 to 5 characters, got 0" },
		{ "short", NULL, "{\"name\":\"a\"}", 1, 2, 5, NULL,
		    "name: expected 2 to 5 characters, got 1" },
		{ "long", NULL, "{\"name\":\"abcdef\"}", 1, 2, 5, NULL,
		    "name: expected 2 to 5 characters, got 6" },
		{ "long, optional", NULL, "{\"name\":\"abcdef\"}", 0, 2, 5,
		    NULL, "name: expected 2 to 5 characters, got 6" },
		{ "6 two-byte characters", NULL,
		    "{\"name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9\"}", 1, 2, 5, NULL,
		    "name: expected 2 to 5 characters, got 6" },
		{ "1 four-byte character", NULL,
		    "{\"name\":\"\xf0\x9f\x98\x80\"}", 1, 2, 5, NULL,
		    "name: expected 2 to 5 characters, got 1" },
		{ "6 escaped characters", NULL,
		    "{\"name\":\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"}",
		    1, 2, 5, NULL,
		    "name: expected 2 to 5 characters, got 6" },
		{ "prefix, absent", "lines[3].", "{}", 1, 2, 5, NULL,
		    "lines[3].name: is required" },
		{ "prefix, number", "lines[3].", "{\"name\":1}", 1, 2, 5, NULL,
		    "lines[3].name: expected a string" },
		{ "prefix, long", "lines[3].", "{\"name\":\"abcdef\"}", 1, 2,
		    5, NULL, "lines[3].name: expected 2 to 5 characters, "
		    "got 6" },
		/* accepted */
		{ "shortest", NULL, "{\"name\":\"ab\"}", 1, 2, 5, "ab", NULL },
		{ "longest", NULL, "{\"name\":\"abcde\"}", 1, 2, 5, "abcde",
		    NULL },
		{ "optional, absent", NULL, "{}", 0, 2, 5, NULL, NULL },
		{ "optional, null", NULL, "{\"name\":null}", 0, 2, 5, NULL,
		    NULL },
		{ "5 two-byte characters (10 bytes)", NULL,
		    "{\"name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}",
		    1, 2, 5, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", NULL },
		{ "2 four-byte characters (8 bytes)", NULL,
		    "{\"name\":\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"}", 1, 2, 5,
		    "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", NULL },
		{ "5 three-byte characters (15 bytes)", NULL,
		    "{\"name\":\"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
		    "\xe2\x82\xac\xe2\x82\xac\"}", 1, 2, 5,
		    "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
		    "\xe2\x82\xac", NULL },
		{ "escaped", NULL, "{\"name\":\"a\\\"\\n\"}", 1, 2, 5,
		    "a\"\n", NULL },
		{ "zero minimum", NULL, "{\"name\":\"\"}", 1, 0, 5, "", NULL },
		{ "prefix, accepted", "lines[3].", "{\"name\":\"abc\"}", 1, 2,
		    5, "abc", NULL },
	};
	struct json_object	*o;
	struct req		 r;
	const char		*out;
	size_t			 i;
	int			 ok;

	for (i = 0; i < NELEM(cases); i++) {
		if ((o = parse(cases[i].name, cases[i].json)) == NULL)
			continue;
		start(&r, cases[i].prefix);
		out = "untouched";
		ok = valid_string(&r, o, "name", cases[i].required,
		    cases[i].min, cases[i].max, &out);
		answered(cases[i].name, &r, ok, cases[i].msg);
		if (ok && cases[i].msg == NULL)
			CHECK_STR(cases[i].name, out, cases[i].out);
		if (!ok)
			CHECK(out == NULL, "[%s] *out set on failure",
			    cases[i].name);
		req_cleanup(&r);
		json_object_put(o);
	}
}

static void
test_decimal(void)
{
	/* price in [-10, 1000], units of 1/10000 */
	static const struct {
		const char	*name, *prefix, *json;
		int		 required;
		int64_t		 out;
		int		 present;
		const char	*msg;
	} cases[] = {
		/* refused */
		{ "required, absent", NULL, "{}", 1, 0, 0,
		    "price: is required" },
		{ "required, null", NULL, "{\"price\":null}", 1, 0, 0,
		    "price: is required" },
		{ "string", NULL, "{\"price\":\"12.5\"}", 1, 0, 0,
		    "price: expected a number with at most 4 decimal places" },
		{ "string, optional", NULL, "{\"price\":\"1\"}", 0, 0, 0,
		    "price: expected a number with at most 4 decimal places" },
		{ "true", NULL, "{\"price\":true}", 1, 0, 0,
		    "price: expected a number with at most 4 decimal places" },
		{ "array", NULL, "{\"price\":[1]}", 1, 0, 0,
		    "price: expected a number with at most 4 decimal places" },
		{ "5 places", NULL, "{\"price\":1.23456}", 1, 0, 0,
		    "price: expected a number with at most 4 decimal places" },
		{ "5 places by exponent", NULL, "{\"price\":1.5e-4}", 1, 0, 0,
		    "price: expected a number with at most 4 decimal places" },
		{ "0.00001", NULL, "{\"price\":0.00001}", 1, 0, 0,
		    "price: expected a number with at most 4 decimal places" },
		{ "over DECIMAL(18,4)", NULL, "{\"price\":1e30}", 1, 0, 0,
		    "price: expected a number with at most 4 decimal places" },
		{ "just over max", NULL, "{\"price\":1000.0001}", 1, 0, 0,
		    "price: must be between -10 and 1000" },
		{ "over max", NULL, "{\"price\":5000}", 1, 0, 0,
		    "price: must be between -10 and 1000" },
		{ "just under min", NULL, "{\"price\":-10.0001}", 1, 0, 0,
		    "price: must be between -10 and 1000" },
		{ "under min", NULL, "{\"price\":-11}", 1, 0, 0,
		    "price: must be between -10 and 1000" },
		{ "over max by exponent", NULL, "{\"price\":1.0001e3}", 1, 0,
		    0, "price: must be between -10 and 1000" },
		{ "prefix, absent", "lines[3].", "{}", 1, 0, 0,
		    "lines[3].price: is required" },
		{ "prefix, string", "lines[3].", "{\"price\":\"1\"}", 1, 0, 0,
		    "lines[3].price: expected a number with at most 4 "
		    "decimal places" },
		{ "prefix, range", "lines[3].", "{\"price\":-20}", 1, 0, 0,
		    "lines[3].price: must be between -10 and 1000" },
		/* accepted */
		{ "integer", NULL, "{\"price\":12}", 1, 120000, 1, NULL },
		{ "one place", NULL, "{\"price\":12.5}", 1, 125000, 1, NULL },
		{ "four places", NULL, "{\"price\":1.2345}", 1, 12345, 1,
		    NULL },
		{ "trailing zeros", NULL, "{\"price\":1.23450}", 1, 12345, 1,
		    NULL },
		{ "smallest unit", NULL, "{\"price\":0.0001}", 1, 1, 1, NULL },
		{ "zero", NULL, "{\"price\":0}", 1, 0, 1, NULL },
		{ "negative zero", NULL, "{\"price\":-0}", 1, 0, 1, NULL },
		{ "negative", NULL, "{\"price\":-2.5}", 1, -25000, 1, NULL },
		{ "min", NULL, "{\"price\":-10}", 1, -100000, 1, NULL },
		{ "max", NULL, "{\"price\":1000}", 1, 10000000, 1, NULL },
		{ "max with places", NULL, "{\"price\":1000.0000}", 1,
		    10000000, 1, NULL },
		{ "exponent", NULL, "{\"price\":1e2}", 1, 1000000, 1, NULL },
		{ "negative exponent", NULL, "{\"price\":15E-4}", 1, 15, 1,
		    NULL },
		{ "optional, absent", NULL, "{}", 0, 0, 0, NULL },
		{ "optional, null", NULL, "{\"price\":null}", 0, 0, 0, NULL },
		{ "prefix, accepted", "lines[3].", "{\"price\":3}", 1, 30000,
		    1, NULL },
	};
	struct json_object	*o;
	struct req		 r;
	int64_t			 out;
	size_t			 i;
	int			 ok, present;

	for (i = 0; i < NELEM(cases); i++) {
		if ((o = parse(cases[i].name, cases[i].json)) == NULL)
			continue;
		start(&r, cases[i].prefix);
		out = -1;
		present = -1;
		ok = valid_decimal(&r, o, "price", cases[i].required,
		    -100000, 10000000, &out, &present);
		answered(cases[i].name, &r, ok, cases[i].msg);
		CHECK(present == cases[i].present, "[%s] present %d, want %d",
		    cases[i].name, present, cases[i].present);
		if (ok && cases[i].present)
			CHECK(out == cases[i].out, "[%s] %lld, want %lld",
			    cases[i].name, (long long)out,
			    (long long)cases[i].out);
		req_cleanup(&r);
		json_object_put(o);
	}
}

static void
test_int(void)
{
	/* qty in [1, 100] */
	static const struct {
		const char	*name, *prefix, *json;
		int		 required;
		long long	 out;
		int		 present;
		const char	*msg;
	} cases[] = {
		/* refused */
		{ "required, absent", NULL, "{}", 1, 0, 0,
		    "qty: is required" },
		{ "required, null", NULL, "{\"qty\":null}", 1, 0, 0,
		    "qty: is required" },
		{ "string", NULL, "{\"qty\":\"5\"}", 1, 0, 0,
		    "qty: expected an integer" },
		{ "fraction", NULL, "{\"qty\":1.5}", 1, 0, 0,
		    "qty: expected an integer" },
		{ "whole fraction", NULL, "{\"qty\":2.0}", 1, 0, 0,
		    "qty: expected an integer" },
		{ "exponent", NULL, "{\"qty\":1e1}", 1, 0, 0,
		    "qty: expected an integer" },
		{ "true", NULL, "{\"qty\":true}", 1, 0, 0,
		    "qty: expected an integer" },
		{ "object", NULL, "{\"qty\":{}}", 0, 0, 0,
		    "qty: expected an integer" },
		{ "zero", NULL, "{\"qty\":0}", 1, 0, 0,
		    "qty: must be between 1 and 100" },
		{ "negative", NULL, "{\"qty\":-5}", 1, 0, 0,
		    "qty: must be between 1 and 100" },
		{ "over max", NULL, "{\"qty\":101}", 1, 0, 0,
		    "qty: must be between 1 and 100" },
		{ "past int64", NULL, "{\"qty\":99999999999999999999}", 1, 0,
		    0, "qty: must be between 1 and 100" },
		{ "prefix, absent", "lines[3].", "{}", 1, 0, 0,
		    "lines[3].qty: is required" },
		{ "prefix, type", "lines[3].", "{\"qty\":\"1\"}", 1, 0, 0,
		    "lines[3].qty: expected an integer" },
		{ "prefix, range", "lines[3].", "{\"qty\":0}", 1, 0, 0,
		    "lines[3].qty: must be between 1 and 100" },
		/* accepted */
		{ "min", NULL, "{\"qty\":1}", 1, 1, 1, NULL },
		{ "max", NULL, "{\"qty\":100}", 1, 100, 1, NULL },
		{ "middle", NULL, "{\"qty\":42}", 1, 42, 1, NULL },
		{ "optional, absent", NULL, "{}", 0, 0, 0, NULL },
		{ "optional, null", NULL, "{\"qty\":null}", 0, 0, 0, NULL },
		{ "prefix, accepted", "lines[3].", "{\"qty\":7}", 1, 7, 1,
		    NULL },
	};
	struct json_object	*o;
	struct req		 r;
	long long		 out;
	size_t			 i;
	int			 ok, present;

	for (i = 0; i < NELEM(cases); i++) {
		if ((o = parse(cases[i].name, cases[i].json)) == NULL)
			continue;
		start(&r, cases[i].prefix);
		out = -1;
		present = -1;
		ok = valid_int(&r, o, "qty", cases[i].required, 1, 100, &out,
		    &present);
		answered(cases[i].name, &r, ok, cases[i].msg);
		CHECK(present == cases[i].present, "[%s] present %d, want %d",
		    cases[i].name, present, cases[i].present);
		if (ok && cases[i].present)
			CHECK(out == cases[i].out, "[%s] %lld, want %lld",
			    cases[i].name, out, cases[i].out);
		req_cleanup(&r);
		json_object_put(o);
	}
}

static void
test_bool(void)
{
	static const struct {
		const char	*name, *prefix, *json;
		int		 out;	/* 7: the default, kept */
		const char	*msg;
	} cases[] = {
		/* refused */
		{ "one", NULL, "{\"active\":1}", 7, "active: expected true or "
		    "false" },
		{ "zero", NULL, "{\"active\":0}", 7, "active: expected true "
		    "or false" },
		{ "string", NULL, "{\"active\":\"true\"}", 7, "active: "
		    "expected true or false" },
		{ "array", NULL, "{\"active\":[true]}", 7, "active: expected "
		    "true or false" },
		{ "prefix", "lines[3].", "{\"active\":\"no\"}", 7,
		    "lines[3].active: expected true or false" },
		/* accepted */
		{ "true", NULL, "{\"active\":true}", 1, NULL },
		{ "false", NULL, "{\"active\":false}", 0, NULL },
		{ "absent", NULL, "{}", 7, NULL },
		{ "null", NULL, "{\"active\":null}", 7, NULL },
		{ "prefix, accepted", "lines[3].", "{\"active\":false}", 0,
		    NULL },
	};
	struct json_object	*o;
	struct req		 r;
	size_t			 i;
	int			 ok, out;

	for (i = 0; i < NELEM(cases); i++) {
		if ((o = parse(cases[i].name, cases[i].json)) == NULL)
			continue;
		start(&r, cases[i].prefix);
		out = 7;
		ok = valid_bool(&r, o, "active", &out);
		answered(cases[i].name, &r, ok, cases[i].msg);
		CHECK(out == cases[i].out, "[%s] %d, want %d", cases[i].name,
		    out, cases[i].out);
		req_cleanup(&r);
		json_object_put(o);
	}
}

static void
test_enum(void)
{
	static const char *const choices[] = { "open", "closed", NULL };
	static const char	 long65[] = "{\"status\":\""
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "\"}";
	static const struct {
		const char	*name, *prefix, *json;
		int		 required;
		const char	*out, *msg;
	} cases[] = {
		/* refused */
		{ "required, absent", NULL, "{}", 1, NULL,
		    "status: is required" },
		{ "required, null", NULL, "{\"status\":null}", 1, NULL,
		    "status: is required" },
		{ "other case", NULL, "{\"status\":\"Open\"}", 1, NULL,
		    "status: Open is not one of the allowed values" },
		{ "prefix of a choice", NULL, "{\"status\":\"ope\"}", 1, NULL,
		    "status: ope is not one of the allowed values" },
		{ "longer than a choice", NULL, "{\"status\":\"opened\"}", 1,
		    NULL, "status: opened is not one of the allowed values" },
		{ "space", NULL, "{\"status\":\"open \"}", 1, NULL,
		    "status: open  is not one of the allowed values" },
		{ "empty", NULL, "{\"status\":\"\"}", 1, NULL,
		    "status: expected 1 to 64 characters, got 0" },
		{ "65 characters", NULL, long65, 1, NULL,
		    "status: expected 1 to 64 characters, got 65" },
		{ "number", NULL, "{\"status\":1}", 1, NULL,
		    "status: expected a string" },
		{ "array", NULL, "{\"status\":[\"open\"]}", 0, NULL,
		    "status: expected a string" },
		{ "optional, wrong", NULL, "{\"status\":\"x\"}", 0, NULL,
		    "status: x is not one of the allowed values" },
		{ "prefix, absent", "lines[3].", "{}", 1, NULL,
		    "lines[3].status: is required" },
		{ "prefix, wrong", "lines[3].", "{\"status\":\"x\"}", 1, NULL,
		    "lines[3].status: x is not one of the allowed values" },
		/* accepted */
		{ "first", NULL, "{\"status\":\"open\"}", 1, "open", NULL },
		{ "last", NULL, "{\"status\":\"closed\"}", 1, "closed", NULL },
		{ "optional, absent", NULL, "{}", 0, NULL, NULL },
		{ "optional, null", NULL, "{\"status\":null}", 0, NULL, NULL },
		{ "prefix, accepted", "lines[3].", "{\"status\":\"open\"}", 1,
		    "open", NULL },
	};
	struct json_object	*o;
	struct req		 r;
	const char		*out;
	size_t			 i;
	int			 ok;

	for (i = 0; i < NELEM(cases); i++) {
		if ((o = parse(cases[i].name, cases[i].json)) == NULL)
			continue;
		start(&r, cases[i].prefix);
		out = "untouched";
		ok = valid_enum(&r, o, "status", cases[i].required, choices,
		    &out);
		answered(cases[i].name, &r, ok, cases[i].msg);
		if (ok && cases[i].msg == NULL)
			CHECK_STR(cases[i].name, out, cases[i].out);
		req_cleanup(&r);
		json_object_put(o);
	}
}

/*
 * An escaped NUL (\u0000) would end the C string a reader returns, so a
 * longer or different value than the client sent would pass the checks:
 * the body is refused before any reader sees it, 400 invalid_json.
 */
static void
test_embedded_nul(void)
{
	static const struct {
		const char	*name, *json;
	} cases[] = {
		{ "string over max after a NUL",
		    "{\"name\":\"ab\\u0000cdefghijkl\"}" },
		{ "string cut at a NUL", "{\"name\":\"abc\\u0000\"}" },
		{ "enum choice then a NUL", "{\"name\":\"open\\u0000x\"}" },
		{ "a NUL in a key", "{\"na\\u0000me\":\"x\"}" },
	};
	struct json_object	*o;
	struct req		 r;
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		start(&r, NULL);
		buf_puts(&r.in.body, cases[i].json);
		CHECK(req_json_body(&r) == NULL, "[%s] %s parsed",
		    cases[i].name, cases[i].json);
		CHECK(r.out.status == 400 && r.out.body.data != NULL &&
		    strstr(r.out.body.data, "invalid_json") != NULL &&
		    strstr(r.out.body.data, "u0000") != NULL, "[%s] answered "
		    "%d %s", cases[i].name, r.out.status, r.out.body.data ?
		    r.out.body.data : "");
		req_cleanup(&r);
	}
	/* "\u00000" is a NUL then a '0'; "\u0100" is no NUL. */
	start(&r, NULL);
	buf_puts(&r.in.body, "{\"name\":\"\\u0100\"}");
	o = req_json_body(&r);
	CHECK(o != NULL, "\\u0100 refused");
	json_object_put(o);
	req_cleanup(&r);
}

/* The field name is the caller's, whatever it is. */
static void
test_field_names(void)
{
	static const char *const fields[] = {
		"sku", "unitPrice", "a.b", "x_y",
	};
	struct json_object	*o;
	struct req		 r;
	char			 want[80];
	const char		*s;
	long long		 n;
	size_t			 i;
	int			 present;

	if ((o = parse("empty", "{}")) == NULL)
		return;
	for (i = 0; i < NELEM(fields); i++) {
		start(&r, "items[0].");
		snprintf(want, sizeof(want), "items[0].%s: is required",
		    fields[i]);
		answered(fields[i], &r, valid_string(&r, o, fields[i], 1, 1, 9,
		    &s), want);
		req_cleanup(&r);
		start(&r, NULL);
		snprintf(want, sizeof(want), "%s: is required", fields[i]);
		answered(fields[i], &r, valid_int(&r, o, fields[i], 1, 0, 9,
		    &n, &present), want);
		req_cleanup(&r);
	}
	json_object_put(o);
}

/* The "valid" suite. */
void
test_valid_register(void)
{
	static const struct test_def tests[] = {
		{ "valid_object", test_object },
		{ "valid_string", test_string },
		{ "valid_decimal", test_decimal },
		{ "valid_int", test_int },
		{ "valid_bool", test_bool },
		{ "valid_enum", test_enum },
		{ "the message names the field", test_field_names },
		{ "an escaped NUL is refused",
		    test_embedded_nul },
	};

	test_add_suite("valid", NULL, NULL, tests, NELEM(tests));
}
