/*
 * test_page.c - page.c: limit and cursor of list requests, the page
 * shape {"data":[…],"nextCursor":…|null} and its cursor read back, and
 * the typed query parameters; every refusal is 400 invalid_query naming
 * the parameter.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "mihwar.h"
#include "tests.h"

static int
suite_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

/* A request with query q (copied; req_cleanup frees it). */
static void
start(struct req *r, const char *q)
{
	req_init(r, NULL, NULL);
	r->family = family_get(FAM_INTEG);
	snprintf(r->id, sizeof(r->id), "rid-page");
	r->in.query = strdup(q);
}

/* Nothing answered when msg is NULL; else 400 invalid_query, msg. */
static void
answered(const char *name, struct req *r, int ok, const char *msg)
{
	char	 want[512];

	if (msg == NULL) {
		CHECK(ok == 1, "[%s] refused: %s", name, r->out.body.data ?
		    r->out.body.data : "");
		CHECK(r->out.status == 0 && r->out.body.len == 0,
		    "[%s] answered %d", name, r->out.status);
		return;
	}
	CHECK(ok == 0, "[%s] accepted, want \"%s\"", name, msg);
	CHECK(r->out.status == 400, "[%s] status %d", name, r->out.status);
	snprintf(want, sizeof(want), "{\"error\":{\"code\":\"invalid_query\","
	    "\"message\":\"%s\",\"requestId\":\"rid-page\"}}", msg);
	CHECK_STR(name, r->out.body.data, want);
}

/* "cursor=" and the URL-safe base64 of text, as page_respond encodes. */
static const char *
cursor_of(const char *text)
{
	static char	 q[160];

	memcpy(q, "cursor=", 7);
	sodium_bin2base64(q + 7, sizeof(q) - 7, (const unsigned char *)text,
	    strlen(text), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return q;
}

static void
test_limit(void)
{
	static const struct {
		const char	*q;
		long long	 limit;
		const char	*msg;
	} cases[] = {
		/* refused */
		{ "limit=0", 0, "limit: expected an integer from 1 to 200" },
		{ "limit=201", 0, "limit: expected an integer from 1 to 200" },
		{ "limit=-1", 0, "limit: expected an integer from 1 to 200" },
		{ "limit=", 0, "limit: expected an integer from 1 to 200" },
		{ "limit", 0, "limit: expected an integer from 1 to 200" },
		{ "limit=abc", 0, "limit: expected an integer from 1 to 200" },
		{ "limit=5x", 0, "limit: expected an integer from 1 to 200" },
		{ "limit=1e2", 0, "limit: expected an integer from 1 to 200" },
		{ "limit=2.5", 0, "limit: expected an integer from 1 to 200" },
		{ "limit=%205", 0, "limit: expected an integer from 1 to 200" },
		{ "limit=+5", 0, "limit: expected an integer from 1 to 200" },
		{ "limit=99999999999999999999", 0,
		    "limit: expected an integer from 1 to 200" },
		{ "limit=%zz", 0, "limit: invalid encoding" },
		{ "limit=%00", 0, "limit: invalid encoding" },
		{ "limit=0&cursor=%zz", 0,
		    "limit: expected an integer from 1 to 200" },
		/* accepted */
		{ "", 50, NULL },
		{ "other=1", 50, NULL },
		{ "limit=1", 1, NULL },
		{ "limit=200", 200, NULL },
		{ "limit=50", 50, NULL },
		{ "limit=007", 7, NULL },
		{ "limit=%32%30", 20, NULL },
		{ "limit=10&limit=500", 10, NULL },
		{ "xlimit=0&limit=3", 3, NULL },
	};
	struct req	 r;
	struct page	 pg;
	size_t		 i;
	int		 ok;

	for (i = 0; i < NELEM(cases); i++) {
		start(&r, cases[i].q);
		memset(&pg, 0xff, sizeof(pg));
		ok = page_parse(&r, &pg);
		answered(cases[i].q, &r, ok, cases[i].msg);
		if (ok && cases[i].msg == NULL) {
			CHECK(pg.limit == cases[i].limit, "[%s] limit %lld, "
			    "want %lld", cases[i].q, pg.limit, cases[i].limit);
			CHECK(pg.after_id == 0, "[%s] after %lld", cases[i].q,
			    pg.after_id);
		}
		req_cleanup(&r);
	}
}

#define NOT_OURS	"cursor: not a cursor from this list"

/* A cursor not made by page_respond is refused, however near. */
static void
test_cursor_refused(void)
{
	static const char *const encoded[] = {
		"c2.5", "C1.5", "c1", "c1.", "c1.-5", "c1.+5", "c1. 5",
		"c1.5 ", "c1.5x", "c1.abc", "c1.0x10", "c1.99999999999999999999",
		"c1.5.", "x1.5", "5", "", "c15",
	};
	static const struct {
		const char	*q, *msg;
	} raw[] = {
		{ "cursor=", NOT_OURS },
		{ "cursor", NOT_OURS },
		{ "cursor=garbage!", NOT_OURS },
		{ "cursor=c1.5", NOT_OURS },
		{ "cursor=12345", NOT_OURS },
		{ "cursor=Y", NOT_OURS },
		{ "cursor=YzEuN", NOT_OURS },
		{ "cursor=YzEuNQ==", NOT_OURS },	/* padded "c1.5" */
		{ "cursor=YzEu%2BNQ", NOT_OURS },
		{ "cursor=%2F%2F%2F%2F", NOT_OURS },
		{ "cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		    NOT_OURS },
		{ "cursor=%zz", "cursor: invalid encoding" },
		{ "cursor=%00", "cursor: invalid encoding" },
		{ "cursor=YzEuNQ%C3", "cursor: invalid encoding" },
	};
	struct req	 r;
	struct page	 pg;
	char		 q[200];
	size_t		 i;

	for (i = 0; i < NELEM(encoded); i++) {
		snprintf(q, sizeof(q), "%s", cursor_of(encoded[i]));
		start(&r, q);
		answered(encoded[i], &r, page_parse(&r, &pg), NOT_OURS);
		req_cleanup(&r);
	}
	for (i = 0; i < NELEM(raw); i++) {
		start(&r, raw[i].q);
		answered(raw[i].q, &r, page_parse(&r, &pg), raw[i].msg);
		req_cleanup(&r);
	}
}

/* The page shape, and its cursor read back by page_parse. */
static void
test_respond_round_trip(void)
{
	static const long long	 ids[] = {
		0, 1, 49, 12345, 4294967296LL, 9223372036854775807LL,
	};
	struct json_object	*arr, *b, *c;
	struct req		 r;
	struct page		 pg;
	char			 name[40], q[200], err[160] = "";
	const char		*cursor;
	size_t			 i;

	for (i = 0; i < NELEM(ids); i++) {
		snprintf(name, sizeof(name), "after %lld", ids[i]);
		start(&r, "");
		arr = json_object_new_array();
		json_object_array_add(arr, json_object_new_int(1));
		json_object_array_add(arr, json_object_new_string("two"));
		page_respond(&r, arr, ids[i], 1);
		CHECK(r.out.status == 200, "[%s] status %d", name,
		    r.out.status);
		CHECK_STR(name, r.out.content_type, "application/json");
		b = json_parse_body(r.out.body.data, r.out.body.len, err,
		    sizeof(err));
		c = NULL;
		if (!CHECK(b != NULL && json_object_object_get_ex(b,
		    "nextCursor", &c) && json_object_is_type(c,
		    json_type_string), "[%s] no nextCursor in %s", name,
		    r.out.body.data)) {
			json_object_put(b);
			req_cleanup(&r);
			continue;
		}
		cursor = json_object_get_string(c);
		snprintf(q, sizeof(q), "{\"data\":[1,\"two\"],"
		    "\"nextCursor\":\"%s\"}", cursor);
		CHECK_STR(name, r.out.body.data, q);
		CHECK(strspn(cursor, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
		    "opqrstuvwxyz0123456789-_") == strlen(cursor), "[%s] cursor "
		    "%s needs URL encoding", name, cursor);
		snprintf(q, sizeof(q), "limit=10&cursor=%s", cursor);
		json_object_put(b);
		req_cleanup(&r);

		start(&r, q);
		memset(&pg, 0, sizeof(pg));
		answered(q, &r, page_parse(&r, &pg), NULL);
		CHECK(pg.after_id == ids[i] && pg.limit == 10, "[%s] after "
		    "%lld, limit %lld", name, pg.after_id, pg.limit);
		req_cleanup(&r);
	}

	/* The last page: null, not a cursor. */
	start(&r, "");
	arr = json_object_new_array();
	page_respond(&r, arr, 99, 0);
	CHECK(r.out.status == 200, "[last page] status %d", r.out.status);
	CHECK_STR("last page", r.out.body.data,
	    "{\"data\":[],\"nextCursor\":null}");
	req_cleanup(&r);
}

/* A page of rows fetched with LIMIT limit + 1. */
static struct json_object *
row_json(const struct db_rows *rows, size_t i)
{
	return json_object_new_string(db_cell(rows, i, 1));
}

static void
test_respond_rows(void)
{
	static char	*cells[] = {
		(char *)"3", (char *)"a", (char *)"7", (char *)"b",
		(char *)"9", (char *)"c",
	};
	static unsigned long	 lens[6] = { 1, 1, 1, 1, 1, 1 };
	static const struct {
		size_t		 nrows;
		long long	 limit;
		const char	*data;
		long long	 after;	/* -1: nextCursor null */
	} cases[] = {
		{ 3, 2, "[\"a\",\"b\"]", 7 },
		{ 2, 1, "[\"a\"]", 3 },
		{ 2, 2, "[\"a\",\"b\"]", -1 },
		{ 3, 5, "[\"a\",\"b\",\"c\"]", -1 },
		{ 0, 50, "[]", -1 },
	};
	struct db_rows		 rows;
	struct json_object	*b, *v;
	struct req		 r;
	struct page		 pg;
	char			 name[32], q[200], err[160] = "";
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(name, sizeof(name), "%zu rows, limit %lld",
		    cases[i].nrows, cases[i].limit);
		memset(&rows, 0, sizeof(rows));
		rows.nrows = cases[i].nrows;
		rows.ncols = 2;
		rows.cells = cells;
		rows.lens = lens;
		start(&r, "");
		page_respond_rows(&r, &rows, cases[i].limit, 0, row_json);
		b = json_parse_body(r.out.body.data, r.out.body.len, err,
		    sizeof(err));
		if (!CHECK(b != NULL, "[%s] %s", name, err)) {
			req_cleanup(&r);
			continue;
		}
		json_object_object_get_ex(b, "data", &v);
		CHECK_STR(name, json_to_str(v), cases[i].data);
		json_object_object_get_ex(b, "nextCursor", &v);
		if (cases[i].after < 0)
			CHECK(v == NULL, "[%s] a cursor on the last page",
			    name);
		else if (CHECK(json_object_is_type(v, json_type_string),
		    "[%s] no cursor", name)) {
			snprintf(q, sizeof(q), "cursor=%s",
			    json_object_get_string(v));
			req_cleanup(&r);
			start(&r, q);
			answered(q, &r, page_parse(&r, &pg), NULL);
			CHECK(pg.after_id == cases[i].after, "[%s] after %lld,"
			    " want %lld", name, pg.after_id, cases[i].after);
		}
		json_object_put(b);
		req_cleanup(&r);
	}
}

static void
test_query_bool(void)
{
	static const struct {
		const char	*q;
		int		 out;	/* 7: the default, kept */
		const char	*msg;
	} cases[] = {
		/* refused */
		{ "active=yes", 7, "active: expected true or false" },
		{ "active=no", 7, "active: expected true or false" },
		{ "active=2", 7, "active: expected true or false" },
		{ "active=-1", 7, "active: expected true or false" },
		{ "active=truex", 7, "active: expected true or false" },
		{ "active=tru", 7, "active: expected true or false" },
		{ "active=01", 7, "active: expected true or false" },
		{ "active=+true", 7, "active: expected true or false" },
		{ "active=", 7, "active: expected true or false" },
		{ "active", 7, "active: expected true or false" },
		{ "active=%zz", 7, "active: invalid encoding" },
		{ "active=true%00", 7, "active: invalid encoding" },
		/* accepted */
		{ "", 7, NULL },
		{ "inactive=true", 7, NULL },
		{ "active=true", 1, NULL },
		{ "active=TRUE", 1, NULL },
		{ "active=True", 1, NULL },
		{ "active=1", 1, NULL },
		{ "active=false", 0, NULL },
		{ "active=FALSE", 0, NULL },
		{ "active=0", 0, NULL },
		{ "active=%74rue", 1, NULL },
		{ "active=false&active=true", 0, NULL },
	};
	struct req	 r;
	size_t		 i;
	int		 ok, out;

	for (i = 0; i < NELEM(cases); i++) {
		start(&r, cases[i].q);
		out = 7;
		ok = query_bool(&r, "active", &out);
		answered(cases[i].q, &r, ok, cases[i].msg);
		CHECK(out == cases[i].out, "[%s] %d, want %d", cases[i].q, out,
		    cases[i].out);
		req_cleanup(&r);
	}
}

#define TIME_MSG	"since: expected an ISO 8601 date-time such as " \
	"2026-03-30T12:00:00Z"

static void
test_query_time(void)
{
	static const struct {
		const char	*q, *out, *msg;	/* out NULL: absent */
	} cases[] = {
		/* refused */
		{ "since=", NULL, TIME_MSG },
		{ "since", NULL, TIME_MSG },
		{ "since=yesterday", NULL, TIME_MSG },
		{ "since=1711800000", NULL, TIME_MSG },
		{ "since=2026-03-30T25:00:00Z", NULL, TIME_MSG },
		{ "since=2026-03-30T12:60:00Z", NULL, TIME_MSG },
		{ "since=2026-13-01T00:00:00Z", NULL, TIME_MSG },
		{ "since=2026-03-30T12:00:00.Z", NULL, TIME_MSG },
		{ "since=2026-03-30T12:00:00X", NULL, TIME_MSG },
		{ "since=2026-03-30X12:00:00Z", NULL, TIME_MSG },
		{ "since=2026/03/30", NULL, TIME_MSG },
		/* '+' is a space in a query: an offset must come as %2B */
		{ "since=2026-03-30T12:00:00+02:00", NULL, TIME_MSG },
		{ "since=%zz", NULL, "since: invalid encoding" },
		{ "since=2026-03-30%00", NULL, "since: invalid encoding" },
		/* accepted */
		{ "", NULL, NULL },
		{ "until=2026-03-30T12:00:00Z", NULL, NULL },
		{ "since=2026-03-30T12:00:00Z", "2026-03-30 12:00:00.000",
		    NULL },
		{ "since=2026-03-30T12:00Z", "2026-03-30 12:00:00.000", NULL },
		{ "since=2026-03-30T12:00:00.5Z", "2026-03-30 12:00:00.500",
		    NULL },
		{ "since=2026-03-30T12:00:00.123456Z",
		    "2026-03-30 12:00:00.123", NULL },
		{ "since=2026-03-30T12:00:00%2B02:00",
		    "2026-03-30 10:00:00.000", NULL },
		{ "since=2026-03-30T01:00:00-02:30",
		    "2026-03-30 03:30:00.000", NULL },
		{ "since=2026-03-30", "2026-03-30 00:00:00.000", NULL },
		{ "since=2026-03-30T12%3A00%3A00Z", "2026-03-30 12:00:00.000",
		    NULL },
	};
	struct req	 r;
	char		 out[24];
	size_t		 i;
	int		 ok, present;

	for (i = 0; i < NELEM(cases); i++) {
		start(&r, cases[i].q);
		snprintf(out, sizeof(out), "untouched");
		present = -1;
		ok = query_time(&r, "since", out, &present);
		answered(cases[i].q, &r, ok, cases[i].msg);
		CHECK(present == (cases[i].out != NULL), "[%s] present %d",
		    cases[i].q, present);
		if (ok && cases[i].out != NULL)
			CHECK_STR(cases[i].q, out, cases[i].out);
		req_cleanup(&r);
	}
}

static void
test_query_string(void)
{
	static const struct {
		const char	*q, *out, *msg;	/* out NULL: absent */
	} cases[] = {
		/* refused */
		{ "q=abcdef", NULL, "q: at most 5 characters" },
		{ "q=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9", NULL,
		    "q: at most 5 characters" },
		{ "q=%zz", NULL, "q: invalid encoding" },
		{ "q=%00", NULL, "q: invalid encoding" },
		{ "q=ab%00", NULL, "q: invalid encoding" },
		{ "q=%C3", NULL, "q: invalid encoding" },
		{ "q=%C0%AF", NULL, "q: invalid encoding" },
		{ "q=%ED%A0%80", NULL, "q: invalid encoding" },
		{ "q=%4", NULL, "q: invalid encoding" },
		{ "q=caf\xe9", NULL, "q: invalid encoding" },
		/* accepted */
		{ "", NULL, NULL },
		{ "qq=abc", NULL, NULL },
		{ "q=", "", NULL },
		{ "q", "", NULL },
		{ "q=abc", "abc", NULL },
		{ "q=abcde", "abcde", NULL },
		{ "q=a+b", "a b", NULL },
		{ "q=a+b+c", "a b c", NULL },
		{ "q=%3Cb%3E", "<b>", NULL },
		{ "q=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9",
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", NULL },
		{ "q=%F0%9F%98%80%F0%9F%98%80", "\xf0\x9f\x98\x80\xf0\x9f\x98"
		    "\x80", NULL },
		{ "q=ab&q=abcdefgh", "ab", NULL },
	};
	struct req	 r;
	char		*out;
	size_t		 i;
	int		 ok;

	for (i = 0; i < NELEM(cases); i++) {
		start(&r, cases[i].q);
		out = (char *)"untouched";
		ok = query_string(&r, "q", 5, &out);
		answered(cases[i].q, &r, ok, cases[i].msg);
		if (ok && cases[i].msg == NULL)
			CHECK_STR(cases[i].q, out, cases[i].out);
		if (!ok)
			CHECK(out == NULL, "[%s] *out set on failure",
			    cases[i].q);
		if (ok)
			free(out);
		req_cleanup(&r);
	}
}

/* The "page" suite. */
void
test_page_register(void)
{
	static const struct test_def tests[] = {
		{ "page_parse limit", test_limit },
		{ "page_parse refuses cursors not of page_respond",
		    test_cursor_refused },
		{ "page_respond shape and cursor round trip",
		    test_respond_round_trip },
		{ "page_respond_rows", test_respond_rows },
		{ "query_bool", test_query_bool },
		{ "query_time", test_query_time },
		{ "query_string", test_query_string },
	};

	test_add_suite("page", suite_init, NULL, tests, NELEM(tests));
}
