/*
 * test_req.c - req.c: reading the body under a cap, URL decoding, query
 * parameters, request ids, headers, and the serialized response.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "tests.h"

static struct conf	 conf;

static int
suite_init(void)
{
	conf_init(&conf);
	return crypto_init(NULL) ? 0 : -1;
}

static int
suite_cleanup(void)
{
	conf_cleanup(&conf);
	return 0;
}

/* An in-memory request body, handed out chunk bytes at a time. */
struct reader {
	const char	*data;
	size_t		 len, pos, chunk;
	size_t		 calls_after_end;
};

static int
reader_read(void *arg, char *out, int n)
{
	struct reader	*rd = arg;
	size_t		 k = rd->len - rd->pos;

	if (k == 0) {
		rd->calls_after_end++;
		return 0;
	}
	if (k > rd->chunk)
		k = rd->chunk;
	if (k > (size_t)n)
		k = (size_t)n;
	memcpy(out, rd->data + rd->pos, k);
	rd->pos += k;
	return (int)k;
}

static void
test_read_body(void)
{
	static const struct {
		const char		*name;
		size_t			 len, chunk;
		const char		*clen;
		long long		 cap;
		enum req_body_res	 res;
	} cases[] = {
		{ "exact length", 100, 7, "100", 100, BODY_OK },
		{ "under cap", 100, 7, "100", 1000, BODY_OK },
		{ "no length", 100, 7, NULL, 100, BODY_OK },
		{ "empty length", 100, 7, "", 100, BODY_OK },
		{ "empty body", 0, 7, "0", 100, BODY_OK },
		{ "empty body, no length", 0, 7, NULL, 100, BODY_OK },
		{ "many chunks", 40000, 4096, "40000", 40000, BODY_OK },
		{ "length over cap", 300, 7, "300", 100, BODY_TOO_LARGE },
		{ "huge length", 300, 7, "9223372036854775807", 100,
		    BODY_TOO_LARGE },
		{ "stream over cap", 101, 7, NULL, 100, BODY_TOO_LARGE },
		{ "big stream over cap", 40000, 4096, NULL, 1024,
		    BODY_TOO_LARGE },
		{ "length under data, over cap", 300, 7, "50", 100,
		    BODY_TOO_LARGE },
		{ "length over data", 100, 7, "120", 1000, BODY_READ_ERROR },
		{ "length under data", 100, 7, "80", 1000, BODY_READ_ERROR },
		{ "non-numeric length", 10, 7, "ten", 1000, BODY_READ_ERROR },
		{ "negative length", 10, 7, "-1", 1000, BODY_READ_ERROR },
		{ "length with junk", 10, 7, "10x", 1000, BODY_READ_ERROR },
		{ "length too big", 10, 7, "99999999999999999999", 1000,
		    BODY_READ_ERROR },
	};
	struct reader		 rd;
	struct buf		 b;
	char			*data;
	size_t			 i, k;
	enum req_body_res	 res;

	for (i = 0; i < NELEM(cases); i++) {
		if ((data = malloc(cases[i].len + 1)) == NULL)
			return;
		for (k = 0; k < cases[i].len; k++)
			data[k] = (char)('a' + k % 26);
		memset(&rd, 0, sizeof(rd));
		rd.data = data;
		rd.len = cases[i].len;
		rd.chunk = cases[i].chunk;
		buf_init(&b);
		res = req_read_body(&b, reader_read, &rd, cases[i].clen,
		    cases[i].cap);
		CHECK(res == cases[i].res, "[%s] result %d, want %d",
		    cases[i].name, (int)res, (int)cases[i].res);
		if (res == BODY_OK && cases[i].res == BODY_OK)
			CHECK(b.len == cases[i].len && (b.len == 0 ||
			    memcmp(b.data, data, b.len) == 0), "[%s] body of "
			    "%zu bytes, want the %zu sent", cases[i].name,
			    b.len, cases[i].len);
		if (cases[i].res == BODY_TOO_LARGE) {
			CHECK(rd.pos == rd.len && rd.calls_after_end > 0,
			    "[%s] not drained: %zu of %zu bytes read",
			    cases[i].name, rd.pos, rd.len);
			CHECK((long long)b.len <= cases[i].cap, "[%s] kept %zu "
			    "bytes over a cap of %lld", cases[i].name, b.len,
			    cases[i].cap);
		}
		buf_cleanup(&b);
		free(data);
	}
}

static void
test_url_decode(void)
{
	static const struct {
		const char	*in;
		size_t		 len;	/* 0: strlen(in) */
		int		 ok;
		const char	*out;
	} cases[] = {
		{ "", 0, 1, "" },
		{ "abc", 0, 1, "abc" },
		{ "a%20b", 0, 1, "a b" },
		{ "%41%42%43", 0, 1, "ABC" },
		{ "%2f%2F", 0, 1, "//" },
		{ "%7e", 0, 1, "~" },
		{ "a+b", 0, 1, "a+b" },
		{ "%2B", 0, 1, "+" },
		{ "%25", 0, 1, "%" },
		{ "%C3%A9t%c3%a9", 0, 1, "\xc3\xa9t\xc3\xa9" },
		{ "%F0%9F%98%80", 0, 1, "\xf0\x9f\x98\x80" },
		{ "caf\xc3\xa9", 0, 1, "caf\xc3\xa9" },
		{ "abc%41", 3, 1, "abc" },
		{ "%41", 3, 1, "A" },
		{ "%00", 0, 0, NULL },
		{ "a%00b", 0, 0, NULL },
		{ "%zz", 0, 0, NULL },
		{ "%4g", 0, 0, NULL },
		{ "%g4", 0, 0, NULL },
		{ "%4", 0, 0, NULL },
		{ "%", 0, 0, NULL },
		{ "ab%", 0, 0, NULL },
		{ "ab%4", 0, 0, NULL },
		{ "%41", 2, 0, NULL },
		{ "% 41", 0, 0, NULL },
		{ "%C3", 0, 0, NULL },
		{ "%C3%28", 0, 0, NULL },
		{ "%C0%AF", 0, 0, NULL },
		{ "%E0%80%AF", 0, 0, NULL },
		{ "%ED%A0%80", 0, 0, NULL },
		{ "%80", 0, 0, NULL },
		{ "%FF", 0, 0, NULL },
		{ "caf\xe9", 0, 0, NULL },
	};
	char	*out;
	size_t	 i, len;
	int	 ok;

	for (i = 0; i < NELEM(cases); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		out = NULL;
		ok = req_url_decode(cases[i].in, len, &out);
		CHECK(ok == cases[i].ok, "[%s, %zu bytes] ok %d, want %d",
		    test_esc(cases[i].in, strlen(cases[i].in)), len, ok,
		    cases[i].ok);
		if (ok && cases[i].ok)
			CHECK_STR(test_esc(cases[i].in, len), out,
			    cases[i].out);
		if (ok)
			free(out);
	}
}

/*
 * req_set_path: the decoded path, and the route path that keeps the
 * escapes of '/' and '%' (uppercased) so a segment holding them stays
 * one segment; an unreadable path is bad_request 1.
 */
static void
test_set_path(void)
{
	static const struct {
		const char	*in, *path, *route;	/* NULL: unreadable */
	} cases[] = {
		{ "/items/by-sku/A%2FB", "/items/by-sku/A/B",
		    "/items/by-sku/A%2FB" },
		{ "/items/by-sku/A%2fB", "/items/by-sku/A/B",
		    "/items/by-sku/A%2FB" },
		{ "/items/by-sku/50%25", "/items/by-sku/50%",
		    "/items/by-sku/50%25" },
		{ "/%69tems/%41%20b", "/items/A b", "/items/A b" },
		{ "/caf%C3%A9/x", "/caf\xc3\xa9/x", "/caf\xc3\xa9/x" },
		{ "/a+b", "/a+b", "/a+b" },
		{ "/", "/", "/" },
		{ "/a%2", NULL, NULL },
		{ "/a%00b", NULL, NULL },
		{ "/a%C3%2F", NULL, NULL },
		{ "/%FF", NULL, NULL },
	};
	struct req	 r;
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		memset(&r, 0, sizeof(r));
		CHECK(req_set_path(&r, cases[i].in, strlen(cases[i].in)),
		    "[%s] failed", cases[i].in);
		CHECK(r.in.bad_request == (cases[i].path == NULL), "[%s] "
		    "bad_request %d", cases[i].in, r.in.bad_request);
		CHECK_STR(cases[i].in, r.in.path, cases[i].path ?
		    cases[i].path : "(invalid)");
		CHECK_STR(cases[i].in, r.in.route_path, cases[i].route ?
		    cases[i].route : "(invalid)");
		free(r.in.path);
		free(r.in.route_path);
	}
}

static void
test_query_param(void)
{
	static const struct {
		const char	*q, *name;
		int		 res;
		const char	*out;
	} cases[] = {
		{ "a=1&b=2", "a", 1, "1" },
		{ "a=1&b=2", "b", 1, "2" },
		{ "a=1&b=2", "c", 0, NULL },
		{ "", "a", 0, NULL },
		{ "a=1&a=2", "a", 1, "1" },
		{ "a=&b=2", "a", 1, "" },
		{ "a&b=2", "a", 1, "" },
		{ "b=2&a", "a", 1, "" },
		{ "b=2&a=", "a", 1, "" },
		{ "q=hello+world", "q", 1, "hello world" },
		{ "q=a%2Bb", "q", 1, "a+b" },
		{ "q=a%20b+c", "q", 1, "a b c" },
		{ "q=caf%C3%A9", "q", 1, "caf\xc3\xa9" },
		{ "q=a%26b&r=1", "q", 1, "a&b" },
		{ "q=a=b", "q", 1, "a=b" },
		{ "limit=10&lim=5", "lim", 1, "5" },
		{ "lim=5&limit=10", "limit", 1, "10" },
		{ "limit=10", "lim", 0, NULL },
		{ "lim=5", "limit", 0, NULL },
		{ "xa=1&a=2", "a", 1, "2" },
		{ "xa=1", "a", 0, NULL },
		{ "&&a=3&", "a", 1, "3" },
		{ "q=%zz", "q", -1, NULL },
		{ "q=%00", "q", -1, NULL },
		{ "q=%C3", "q", -1, NULL },
		{ "q=%4", "q", -1, NULL },
		{ "q=%zz&r=1", "r", 1, "1" },
	};
	char	 name[96];
	char	*out;
	size_t	 i;
	int	 res;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(name, sizeof(name), "%s in %s", cases[i].name,
		    cases[i].q);
		out = (char *)"untouched";
		res = req_query_param(cases[i].q, cases[i].name, &out);
		CHECK(res == cases[i].res, "[%s] result %d, want %d", name,
		    res, cases[i].res);
		if (res == 1 && cases[i].res == 1)
			CHECK_STR(name, out, cases[i].out);
		else
			CHECK(out == NULL, "[%s] *out not NULL", name);
		if (res == 1)
			free(out);
	}
}

static int
is_hex32(const char *s)
{
	return strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32;
}

static void
test_set_id(void)
{
	static const char	 id64[] = "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef";
	static const char	 id65[] = "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef0";
	static const struct {
		const char	*given;
		int		 kept;
	} cases[] = {
		{ "abcdefgh", 1 },
		{ "req-2024_01.07", 1 },
		{ "ABCDEFGH12345678", 1 },
		{ id64, 1 },
		{ id65, 0 },
		{ "abcdefg", 0 },
		{ "", 0 },
		{ NULL, 0 },
		{ "abc defgh", 0 },
		{ "abcdefgh\r\nSet-Cookie: x=1", 0 },
		{ "abcdefgh\r", 0 },
		{ "abcdefgh\n", 0 },
		{ "abc/defgh", 0 },
		{ "abcdefgh\"", 0 },
		{ "caf\xc3\xa9-request", 0 },
	};
	struct req	 r;
	size_t		 i;
	const char	*name;
	char		 prev[65] = "";

	for (i = 0; i < NELEM(cases); i++) {
		name = cases[i].given ? test_esc(cases[i].given,
		    strlen(cases[i].given)) : "(null)";
		req_init(&r, NULL, &conf);
		req_set_id(&r, cases[i].given);
		if (cases[i].kept)
			CHECK_STR(name, r.id, cases[i].given);
		else {
			CHECK(is_hex32(r.id), "[%s] minted id \"%s\" is not "
			    "32 lowercase hex", name, test_esc(r.id,
			    strlen(r.id)));
			CHECK(strcmp(r.id, prev) != 0, "[%s] minted the same "
			    "id twice: %s", name, r.id);
			memcpy(prev, r.id, sizeof(prev));
		}
		req_cleanup(&r);
	}
}

static void
test_headers(void)
{
	static const struct {
		const char	*name, *value, *lookup;
	} cases[] = {
		{ "Content-Type", "application/json", "content-type" },
		{ "CONTENT_LENGTH", "12", "content-length" },
		{ "X_Request_Id", "abc", "x-request-id" },
		{ "authorization", "Bearer x", "authorization" },
		{ "X-Idempotency_KEY", "k1", "x-idempotency-key" },
	};
	static const char *const absent[] = {
		"Content-Type", "content_type", "x-missing", "content",
	};
	struct req	 r;
	size_t		 i;

	req_init(&r, NULL, &conf);
	for (i = 0; i < NELEM(cases); i++)
		CHECK(req_add_header(&r, cases[i].name, cases[i].value),
		    "[%s] not added", cases[i].name);
	for (i = 0; i < NELEM(cases); i++)
		CHECK_STR(cases[i].lookup, req_header(&r, cases[i].lookup),
		    cases[i].value);
	for (i = 0; i < NELEM(absent); i++)
		CHECK(req_header(&r, absent[i]) == NULL, "[%s] found",
		    absent[i]);
	req_cleanup(&r);
}

/* The value of header name in a serialized head, or "" when absent. */
static const char *
head_value(const char *head, const char *name, char *out, size_t sz)
{
	const char	*p = head;
	size_t		 n = strlen(name), k;

	*out = '\0';
	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1 + strspn(p + n + 1, " ");
			k = strcspn(p, "\r");
			snprintf(out, sz, "%.*s", (int)k, p);
			return out;
		}
		p = strstr(p, "\r\n");
		p = p ? p + 2 : NULL;
	}
	return out;
}

/* The main's two pieces (headers, then the body from the request's
 * own buffer) are the whole response whole. */
static void
serialize_in_two(struct req *r, const struct buf *whole, const char *name)
{
	struct buf	 head;
	const char	*body;
	size_t		 n;

	buf_init(&head);
	n = req_body_out(r, &body);
	if (CHECK(req_serialize_head(r, &head), "[%s] head failed", name))
		CHECK(head.len + n == whole->len && memcmp(head.data,
		    whole->data, head.len) == 0 && (n == 0 || memcmp(body,
		    whole->data + head.len, n) == 0), "[%s] head %zu and body "
		    "%zu bytes are not the %zu of the whole", name, head.len,
		    n, whole->len);
	buf_cleanup(&head);
}

static void
test_serialize(void)
{
	static const struct {
		int		 status;
		const char	*type, *body, *status_line;
		int		 has_body;
	} cases[] = {
		{ 200, "application/json", "{\"a\":1}", "Status: 200 OK", 1 },
		{ 201, "application/json", "{}", "Status: 201 Created", 1 },
		{ 404, "application/scim+json", "{\"detail\":\"gone\"}",
		    "Status: 404 Not Found", 1 },
		{ 200, "text/plain", "", "Status: 200 OK", 1 },
		{ 204, "application/json", "{\"a\":1}",
		    "Status: 204 No Content", 0 },
		{ 299, NULL, "x", "Status: 299 Unknown", 1 },
	};
	struct req	 r;
	struct buf	 out;
	char		 name[64], v[256], want[32];
	const char	*body;
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(name, sizeof(name), "status %d, body \"%s\"",
		    cases[i].status, cases[i].body);
		req_init(&r, NULL, &conf);
		req_set_id(&r, "test-request-0001");
		r.out.status = cases[i].status;
		r.out.content_type = cases[i].type;
		buf_puts(&r.out.body, cases[i].body);
		req_resp_header(&r, "Location", "/x/1");
		buf_init(&out);
		CHECK(req_serialize(&r, &out), "[%s] failed", name);
		body = out.data ? strstr(out.data, "\r\n\r\n") : NULL;
		if (!CHECK(body != NULL, "[%s] no blank line", name))
			goto next;
		body += 4;
		CHECK(strncmp(out.data, cases[i].status_line,
		    strlen(cases[i].status_line)) == 0 &&
		    out.data[strlen(cases[i].status_line)] == '\r',
		    "[%s] starts \"%.30s\", want \"%s\"", name,
		    test_esc(out.data, out.len), cases[i].status_line);
		CHECK_STR(name, head_value(out.data, "X-Request-Id", v,
		    sizeof(v)), "test-request-0001");
		CHECK_STR(name, head_value(out.data, "Location", v, sizeof(v)),
		    "/x/1");
		CHECK_STR(name, head_value(out.data, "Content-Type", v,
		    sizeof(v)), cases[i].has_body && cases[i].type ?
		    cases[i].type : "");
		snprintf(want, sizeof(want), "%zu", strlen(body));
		CHECK_STR(name, head_value(out.data, "Content-Length", v,
		    sizeof(v)), cases[i].has_body ? want : "");
		CHECK_STR(name, body, cases[i].has_body ? cases[i].body : "");
		CHECK(out.len == (size_t)(body - out.data) + strlen(body),
		    "[%s] NUL inside the response", name);
		serialize_in_two(&r, &out, name);
	next:
		buf_cleanup(&out);
		req_cleanup(&r);
	}
}

static void
log_capture(void *arg, const char *line, size_t n)
{
	buf_append(arg, line, n);
}

static void
test_resp_header(void)
{
	static const struct {
		const char	*name, *value;
		int		 ok;
	} cases[] = {
		{ "X-A", "1", 1 },
		{ "Retry-After", "30", 1 },
		{ "X-A", "1\r\nSet-Cookie: s=1", 0 },
		{ "X-A", "a\nb", 0 },
		{ "X-A", "a\rb", 0 },
		{ "X-A", "\n", 0 },
		{ "X-A\r\nSet-Cookie", "s=1", 0 },
		{ "X-A\n", "1", 0 },
	};
	struct req	 r;
	struct buf	 log;
	char		 name[64], want[64];
	size_t		 i;

	buf_init(&log);
	log_set_sink(log_capture, &log);
	for (i = 0; i < NELEM(cases); i++) {
		snprintf(name, sizeof(name), "%s",
		    test_esc(cases[i].name, strlen(cases[i].name)));
		req_init(&r, NULL, &conf);
		log.len = 0;
		req_resp_header(&r, cases[i].name, cases[i].value);
		snprintf(want, sizeof(want), "%s: %s\r\n", cases[i].name,
		    cases[i].value);
		CHECK_STR(name, r.out.headers.data ? r.out.headers.data : "",
		    cases[i].ok ? want : "");
		CHECK((log.len > 0) == !cases[i].ok, "[%s: %s] logged %zu "
		    "bytes", name, test_esc(cases[i].value,
		    strlen(cases[i].value)), log.len);
		req_cleanup(&r);
	}
	log_set_sink(NULL, NULL);
	buf_cleanup(&log);
}

/* Error responses take the family's shape and content type. */
static void
test_resp_error(void)
{
	static const struct {
		enum family_id	 family;
		int		 status;
		const char	*code, *type, *body;
	} cases[] = {
		{ FAM_SCIM, 404, "not_found", "application/scim+json",
		    "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:"
		    "Error\"],\"status\":\"404\",\"detail\":\"no user u1\","
		    "\"requestId\":\"req-0000000001\"}" },
		{ FAM_SCIM, 400, "invalid_json", "application/scim+json",
		    "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:"
		    "Error\"],\"status\":\"400\",\"scimType\":\"invalidSyntax\","
		    "\"detail\":\"no user u1\",\"requestId\":\"req-0000000001\"}" },
		{ FAM_INTEG, 404, "not_found", "application/json",
		    "{\"error\":{\"code\":\"not_found\",\"message\":\"no user "
		    "u1\",\"requestId\":\"req-0000000001\"}}" },
		{ FAM_FULFILL, 401, NULL, "application/json",
		    "{\"error\":\"no user u1\",\"requestId\":"
		    "\"req-0000000001\"}" },
	};
	struct req	 r;
	char		 name[32];
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(name, sizeof(name), "family %d, %d",
		    (int)cases[i].family, cases[i].status);
		req_init(&r, NULL, &conf);
		req_set_id(&r, "req-0000000001");
		r.family = family_get(cases[i].family);
		req_resp_error(&r, cases[i].status, cases[i].code, "no %s %s",
		    "user", "u1");
		CHECK(r.out.status == cases[i].status, "[%s] status %d", name,
		    r.out.status);
		CHECK_STR(name, r.out.content_type, cases[i].type);
		CHECK_STR(name, r.out.body.data, cases[i].body);
		req_cleanup(&r);
	}
}

/* A body that is not JSON is 400 with the family's code for it. */
static void
test_json_body_code(void)
{
	static const struct {
		enum family_id	 family;
		const char	*body, *want;
	} cases[] = {
		{ FAM_INTEG, "{", "{\"error\":{\"code\":\"invalid_json\","
		    "\"message\":\"body: malformed JSON at byte 1: unexpected "
		    "end\",\"requestId\":\"req-0000000001\"}}" },
		{ FAM_INGEST, "{", "{\"error\":{\"code\":\"invalid_body\","
		    "\"message\":\"body: malformed JSON at byte 1: unexpected "
		    "end\",\"requestId\":\"req-0000000001\"}}" },
		{ FAM_INGEST, "", "{\"error\":{\"code\":\"invalid_body\","
		    "\"message\":\"body: expected a JSON document\","
		    "\"requestId\":\"req-0000000001\"}}" },
		{ FAM_INGEST, "{\"a\":\"\xff\"}", "{\"error\":{\"code\":"
		    "\"invalid_body\",\"message\":\"body: not valid UTF-8\","
		    "\"requestId\":\"req-0000000001\"}}" },
	};
	struct req	 r;
	char		 name[32];
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(name, sizeof(name), "family %d, case %zu",
		    (int)cases[i].family, i);
		req_init(&r, NULL, &conf);
		req_set_id(&r, "req-0000000001");
		r.family = family_get(cases[i].family);
		buf_puts(&r.in.body, cases[i].body);
		CHECK(req_json_body(&r) == NULL, "[%s] parsed", name);
		CHECK(r.out.status == 400, "[%s] status %d", name,
		    r.out.status);
		CHECK_STR(name, r.out.body.data, cases[i].want);
		req_cleanup(&r);
	}
}

/* The "req" suite. */
void
test_req_register(void)
{
	static const struct test_def tests[] = {
		{ "req_read_body", test_read_body },
		{ "req_url_decode", test_url_decode },
		{ "req_set_path", test_set_path },
		{ "req_query_param", test_query_param },
		{ "req_set_id", test_set_id },
		{ "req_add_header and req_header", test_headers },
		{ "req_serialize", test_serialize },
		{ "req_resp_header refuses line breaks", test_resp_header },
		{ "req_resp_error content type and shape", test_resp_error },
		{ "req_json_body answers the family's code",
		    test_json_body_code },
	};

	test_add_suite("req", suite_init, suite_cleanup, tests, NELEM(tests));
}
