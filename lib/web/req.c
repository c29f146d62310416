/*
 * req.c - a request as the FastCGI main hands it over (method, decoded
 * path and the path it is routed on, raw query, headers, body under a size cap), and the response the
 * handler builds on it. Everything per request hangs off struct req and
 * is freed once by req_cleanup.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "web/web.h"

static void	 req_stream_drop(struct req *);

void
req_init(struct req *r, struct db *db, const struct conf *conf)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->in.body);
	buf_init(&r->out.headers);
	buf_init(&r->out.body);
	r->db = db;
	r->conf = conf;
	r->family = family_get(FAM_NONE);
	r->in.method = "";
	r->start_ms = util_now_ms();
}

void
req_cleanup(struct req *r)
{
	size_t	 i;

	free(r->in.path);
	free(r->in.route_path);
	free(r->in.query);
	for (i = 0; i < r->in.nheaders; i++) {
		free(r->in.headers[i].name);
		free(r->in.headers[i].value);
	}
	free(r->in.headers);
	for (i = 0; i < r->nargs; i++)
		free(r->args[i]);
	buf_cleanup(&r->in.body);
	req_stream_drop(r);
	buf_cleanup(&r->out.headers);
	buf_cleanup(&r->out.body);
	memset(r, 0, sizeof(*r));
}

/* Add a request header; the name is stored lowercased with '-'. */
int
req_add_header(struct req *r, const char *name, const char *value)
{
	struct header	*h;
	char		*n;
	size_t		 i;

	if ((h = realloc(r->in.headers, (r->in.nheaders + 1) * sizeof(*h))) == NULL)
		return 0;
	r->in.headers = h;
	if ((n = strdup(name)) == NULL)
		return 0;
	for (i = 0; n[i] != '\0'; i++)
		n[i] = n[i] == '_' ? '-' : (char)tolower((unsigned char)n[i]);
	h[r->in.nheaders].name = n;
	if ((h[r->in.nheaders].value = strdup(value)) == NULL) {
		free(n);
		return 0;
	}
	r->in.nheaders++;
	return 1;
}

/* Borrowed value of a header by lowercase name, or NULL. */
const char *
req_header(const struct req *r, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->in.nheaders; i++)
		if (strcmp(r->in.headers[i].name, name) == 0)
			return r->in.headers[i].value;
	return NULL;
}

/*
 * Read the body through fn into b. Over cap, the rest is read and thrown
 * away (so the web server sees a clean exchange) and BODY_TOO_LARGE is
 * returned. A Content-Length larger than the data is a read error.
 */
enum req_body_res
req_read_body(struct buf *b, req_read_fn fn, void *ctx, const char *clen,
    long long cap)
{
	char		 chunk[16384];
	long long	 want = -1, got = 0;
	int		 n, over = 0;

	if (clen != NULL && *clen != '\0' &&
	    !util_strtonum(clen, 0, INT64_MAX, &want))
		return BODY_READ_ERROR;
	if (want > cap)
		over = 1;
	while ((n = fn(ctx, chunk, sizeof(chunk))) > 0) {
		got += n;
		if (over || got > cap) {
			over = 1;
			continue;
		}
		if (!buf_append(b, chunk, (size_t)n))
			return BODY_READ_ERROR;
	}
	if (n < 0)
		return BODY_READ_ERROR;
	if (over)
		return BODY_TOO_LARGE;
	if (want >= 0 && got != want)
		return BODY_READ_ERROR;
	return BODY_OK;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Percent-decode s[0..n) into *out (the caller's to free); with keep,
 * the escapes of '/' and '%' stay as they are written (uppercased), so
 * the result is still split into segments where s is. Fails on a bad
 * escape, a NUL or invalid UTF-8 (of the whole decoded text, checked
 * also when keep leaves escapes).
 */
static int
req_decode(const char *s, size_t n, int keep, char **out)
{
	char	*d;
	size_t	 i, j = 0;
	int	 hi, lo, c, bad = 0;

	if ((d = malloc(n + 1)) == NULL)
		return 0;
	for (i = 0; i < n && !bad; i++) {
		if (s[i] != '%') {
			d[j++] = s[i];
			continue;
		}
		if (i + 2 >= n || (hi = hexval((unsigned char)s[i + 1])) < 0 ||
		    (lo = hexval((unsigned char)s[i + 2])) < 0 ||
		    (c = hi << 4 | lo) == 0) {
			bad = 1;
			break;
		}
		if (keep && (c == '/' || c == '%')) {
			d[j++] = '%';
			d[j++] = '2';
			d[j++] = c == '/' ? 'F' : '5';
		} else
			d[j++] = (char)c;
		i += 2;
	}
	d[j] = '\0';
	if (bad || !util_utf8_valid(d, j)) {
		free(d);
		return 0;
	}
	*out = d;
	return 1;
}

/*
 * Percent-decode s[0..n) ('+' is a space only in queries, so callers
 * decode paths and query values alike and keep '+'). Fails on a bad
 * escape, a NUL or invalid UTF-8. *out is the caller's to free.
 */
int
req_url_decode(const char *s, size_t n, char **out)
{
	return req_decode(s, n, 0, out);
}

/*
 * Set the request's paths from the raw path uri[0..n) (no query): the
 * decoded path, and the path routes are matched on, where "%2F" and
 * "%25" stay escaped so that a '/' inside a segment (a SKU "A/B") does
 * not split it; route_match decodes each captured segment. An
 * unreadable path sets bad_request 1 (and both paths to "(invalid)").
 * 0 when out of memory.
 */
int
req_set_path(struct req *r, const char *uri, size_t n)
{
	free(r->in.path);
	free(r->in.route_path);
	r->in.path = r->in.route_path = NULL;
	if (req_decode(uri, n, 0, &r->in.path) &&
	    req_decode(uri, n, 1, &r->in.route_path))
		return 1;
	free(r->in.path);
	r->in.bad_request = 1;
	r->in.path = strdup("(invalid)");
	r->in.route_path = strdup("(invalid)");
	return r->in.path != NULL && r->in.route_path != NULL;
}

/*
 * Find name in a raw query string. 1 with a decoded copy in *out, 0 when
 * absent, -1 when present but badly encoded. '+' means a space here.
 */
int
req_query_param(const char *q, const char *name, char **out)
{
	size_t		 nlen = strlen(name), vlen, i;
	const char	*p = q, *amp, *v;
	char		*raw;
	int		 ok;

	*out = NULL;
	while (p != NULL && *p != '\0') {
		amp = strchr(p, '&');
		if (strncmp(p, name, nlen) == 0 &&
		    (p[nlen] == '=' || p[nlen] == '&' || p[nlen] == '\0')) {
			v = p[nlen] == '=' ? p + nlen + 1 : p + nlen;
			vlen = amp ? (size_t)(amp - v) : strlen(v);
			if (amp != NULL && amp < v)
				vlen = 0;
			if ((raw = strndup(v, vlen)) == NULL)
				return -1;
			for (i = 0; i < vlen; i++)
				if (raw[i] == '+')
					raw[i] = ' ';
			ok = req_url_decode(raw, vlen, out);
			free(raw);
			return ok ? 1 : -1;
		}
		p = amp ? amp + 1 : NULL;
	}
	return 0;
}

/* A text field of a multipart/form-data body, as req_form_param. */
static int
req_multipart_param(const struct req *r, const char *name, char **out)
{
	struct multipart	 mp;
	const struct mpart	*p;
	const char		*why;

	if (!multipart_parse(req_header(r, "content-type"), r->in.body.data ?
	    r->in.body.data : "", r->in.body.len, &mp, &why) ||
	    (p = multipart_get(&mp, name)) == NULL)
		return 0;
	if (!util_utf8_valid(p->data, p->len))
		return -1;
	return (*out = strndup(p->data, p->len)) != NULL ? 1 : -1;
}

/* A value of a form body (application/x-www-form-urlencoded, or a text
 * field of multipart/form-data), as req_query_param. */
int
req_form_param(const struct req *r, const char *name, char **out)
{
	*out = NULL;
	if (multipart_is(req_header(r, "content-type")))
		return req_multipart_param(r, name, out);
	return req_query_param(r->in.body.data ? r->in.body.data : "", name,
	    out);
}

/* Take the caller's X-Request-Id when it is short and plain, else mint. */
void
req_set_id(struct req *r, const char *given)
{
	unsigned char	 rnd[16];
	size_t		 i, n = given ? strlen(given) : 0;

	if (n >= 8 && n < sizeof(r->id)) {
		for (i = 0; i < n; i++)
			if (!isalnum((unsigned char)given[i]) &&
			    strchr("-_.", given[i]) == NULL)
				break;
		if (i == n) {
			memcpy(r->id, given, n + 1);
			return;
		}
	}
	randombytes_buf(rnd, sizeof(rnd));
	util_hex(rnd, sizeof(rnd), r->id);
}

/* Add a response header (name and value must hold no CR or LF). */
void
req_resp_header(struct req *r, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n") != NULL || strpbrk(value, "\r\n") != NULL) {
		log_error("req: refused a header with a line break: %s", name);
		return;
	}
	buf_printf(&r->out.headers, "%s: %s\r\n", name, value);
}

/* Forget a streamed body set before (an answer that replaces it). */
static void
req_stream_drop(struct req *r)
{
	if (r->out.stream_free != NULL)
		r->out.stream_free(r->out.stream_arg);
	r->out.stream = NULL;
	r->out.stream_arg = NULL;
	r->out.stream_free = NULL;
}

/* Answer status with the JSON o (consumed). */
void
req_resp_json(struct req *r, int status, struct json_object *o)
{
	req_stream_drop(r);
	r->out.status = status;
	r->out.body.len = 0;
	if (o == NULL) {
		r->out.status = 500;
		buf_puts(&r->out.body, "{}");
	} else
		buf_puts(&r->out.body, json_to_str(o));
	json_object_put(o);
	if (r->out.content_type == NULL)
		r->out.content_type = r->family->content_type;
}

/* Answer status with the JSON the handler wrote into r->out.body. */
void
req_resp_written(struct req *r, int status)
{
	r->out.status = status;
	if (r->out.content_type == NULL)
		r->out.content_type = r->family->content_type;
}

/* Answer an error in the shape of the request's family. */
void
req_resp_error(struct req *r, int status, const char *code, const char *fmt,
    ...)
{
	char	 msg[512];
	va_list	 ap;
	size_t	 len;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A cut must not split a UTF-8 character: the body must stay JSON. */
	if (n >= (int)sizeof(msg)) {
		len = sizeof(msg) - 1;
		while (len > 0 && !util_utf8_valid(msg, len))
			len--;
		msg[len] = '\0';
	}
	if (r->family->error_body == NULL)
		html_error_page(r, status, msg);
	else
		req_resp_json(r, status, family_error_body(r->family, status,
		    code, msg, r->id));
}

/* Forget the answer set so far, headers too (a Location or a cookie of
 * an answer that is not sent). */
void
req_resp_reset(struct req *r)
{
	r->out.status = 0;
	r->out.headers.len = 0;
	r->out.body.len = 0;
	r->out.content_type = NULL;
	r->out.undo = 0;
	r->out.keep = 0;
	req_stream_drop(r);
}

/* Keep the answer the handler set, but roll back what it wrote (a page
 * that shows an error with 200). */
void
req_undo(struct req *r)
{
	r->out.undo = 1;
}

/* Commit what the handler wrote although its answer is an error: the
 * record of a refusal (an audit line, a failed state), whose refused
 * step the handler undid itself to a savepoint. Never stored for replay. */
void
req_keep(struct req *r)
{
	r->out.keep = 1;
}

/*
 * Commit what a write route wrote so far and go on in a new transaction
 * of the pipeline: for a step that must be visible before an outside
 * call (an order claimed before it is sent to Printful, so a second
 * approval sees the claim). 0 when the commit or the new transaction
 * failed; the caller answers 503.
 */
int
req_commit_step(struct req *r)
{
	if (!db_in_tx(r->db) || db_commit(r->db) != DB_OK)
		return 0;
	r->out.stepped = 1;
	return db_begin(r->db) == DB_OK;
}

const char *
req_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 207: return "Multi-Status";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 412: return "Precondition Failed";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

/* The whole FastCGI response (headers and body) into out. */
int
req_serialize(struct req *r, struct buf *out)
{
	return req_serialize_head(r, out) && (r->out.status == 204 ||
	    r->out.stream != NULL || r->out.body.len == 0 ||
	    buf_append(out, r->out.body.data, r->out.body.len));
}

/*
 * The FastCGI response's headers (up to the blank line) into out; the
 * body, when there is one, follows from r->out.body, sent by the main
 * straight from there (a list page is not copied once more).
 */
int
req_serialize_head(struct req *r, struct buf *out)
{
	int	 ok;

	ok = buf_printf(out, "Status: %d %s\r\n", r->out.status,
	    req_status_text(r->out.status)) &&
	    buf_printf(out, "X-Request-Id: %s\r\n", r->id) &&
	    (r->family == NULL || r->family->api_version == NULL ||
	    buf_printf(out, "X-API-Version: %s\r\n", r->family->api_version)) &&
	    buf_puts(out, "X-Content-Type-Options: nosniff\r\n") &&
	    buf_puts(out, "Cache-Control: no-store\r\n");
	if (ok && r->out.status != 204 && r->out.content_type != NULL)
		ok = buf_printf(out, "Content-Type: %s\r\n", r->out.content_type);
	if (ok && r->out.headers.len > 0)
		ok = buf_append(out, r->out.headers.data, r->out.headers.len);
	/* A streamed body's length is not known: the FastCGI stream's end
	 * ends it. */
	if (ok && r->out.status != 204 && r->out.stream == NULL)
		ok = buf_printf(out, "Content-Length: %zu\r\n", r->out.body.len);
	return ok && buf_puts(out, "\r\n");
}

/* The body that follows req_serialize_head's headers (none for 204 or
 * a streamed answer): its length, and *data. */
size_t
req_body_out(const struct req *r, const char **data)
{
	*data = r->out.body.data;
	if (r->out.status == 204 || r->out.stream != NULL)
		return 0;
	return r->out.body.len;
}

/*
 * Answer status with a body the main streams after the headers: fn is
 * called once with arg (owned by r from now on, freed with freefn) and
 * writes the body a piece at a time, so that a large export is never
 * held whole.
 */
void
req_resp_stream(struct req *r, int status, const char *content_type,
    req_stream_fn fn, void *arg, void (*freefn)(void *))
{
	req_stream_drop(r);
	r->out.status = status;
	r->out.body.len = 0;
	r->out.content_type = content_type;
	r->out.stream = fn;
	r->out.stream_arg = arg;
	r->out.stream_free = freefn;
}

/* Write a streamed body through write(sink, ...) after the headers were
 * sent (nothing for HEAD, or when the answer is not streamed). 1 when
 * the stream ran to its end. */
int
req_stream_run(struct req *r, req_write_fn write, void *sink)
{
	int	 ok = 1;

	if (r->out.stream != NULL && strcmp(r->in.method, "HEAD") != 0)
		ok = r->out.stream(r, r->out.stream_arg, write, sink);
	req_stream_drop(r);
	return ok;
}

/* The body parsed as JSON, or NULL after answering 400 with the family's
 * code for a body that is not JSON. */
struct json_object *
req_json_body(struct req *r)
{
	struct json_object	*o;
	char			 err[160];

	if ((o = json_parse_body(r->in.body.data ? r->in.body.data : "", r->in.body.len,
	    err, sizeof(err))) == NULL)
		req_resp_error(r, 400, r->family->code_json, "%s", err);
	return o;
}
