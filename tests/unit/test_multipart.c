/*
 * test_multipart.c - multipart.c: the boundary of a Content-Type, parts
 * with their name, filename and bytes (binary, CRLF framing), the limits,
 * refusals that name what is wrong; req_form_param reading a field of a
 * multipart body; and a streamed answer (req_resp_stream) serialized
 * without a Content-Length, its body written by req_stream_run.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "tests.h"

static void
test_boundary(void)
{
	static const struct {
		const char	*ct;
		int		 ok;
		const char	*want;
	} cases[] = {
		{ "multipart/form-data; boundary=abc", 1, "abc" },
		{ "Multipart/Form-Data;boundary=abc", 1, "abc" },
		{ "multipart/form-data; BOUNDARY=\"a b:c\"", 1, "a b:c" },
		{ "multipart/form-data; charset=utf-8; boundary=----x1", 1,
		    "----x1" },
		{ "multipart/form-data; boundary=\"q\\\"\"", 0, NULL },
		{ "multipart/form-data", 0, NULL },
		{ "multipart/form-data; boundary=", 0, NULL },
		{ "multipart/form-data; boundary=\"\"", 0, NULL },
		{ "multipart/form-data; boundary=\"ends \"", 0, NULL },
		{ "multipart/form-data; boundary=\"unterminated", 0, NULL },
		{ "multipart/form-data; boundary=a;junk", 0, NULL },
		{ "multipart/mixed; boundary=abc", 0, NULL },
		{ "multipart/form-datax; boundary=abc", 0, NULL },
		{ "application/json", 0, NULL },
		{ NULL, 0, NULL },
		/* 70 characters is the most RFC 2046 allows; 71 is refused. */
		{ "multipart/form-data; boundary=1234567890123456789012345678901"
		    "234567890123456789012345678901234567890", 1,
		    "1234567890123456789012345678901234567890123456789012345678"
		    "901234567890" },
		{ "multipart/form-data; boundary=1234567890123456789012345678901"
		    "2345678901234567890123456789012345678901", 0, NULL },
	};
	char		 b[MULTIPART_BOUNDARY_MAX + 1];
	const char	*why;
	size_t		 i;
	int		 ok;

	for (i = 0; i < NELEM(cases); i++) {
		why = NULL;
		ok = multipart_boundary(cases[i].ct, b, &why);
		CHECK(ok == cases[i].ok, "[%s] ok %d, want %d (%s)",
		    cases[i].ct ? cases[i].ct : "(null)", ok, cases[i].ok,
		    why ? why : "");
		if (ok && cases[i].ok)
			CHECK_STR(cases[i].ct, b, cases[i].want);
		if (!ok)
			CHECK(why != NULL && strncmp(why, "Content-Type: ",
			    14) == 0, "[%s] refusal names the header: %s",
			    cases[i].ct ? cases[i].ct : "(null)",
			    why ? why : "(null)");
	}
}

#define CT	"multipart/form-data; boundary=XyZ"

static void
test_parse(void)
{
	static const char binary[] = "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"file\"; "
	    "filename=\"a \\\"b\\\".csv\"\r\n"
	    "Content-Type: text/csv\r\n\r\n"
	    "a\0b\n--XyZ\r\n"
	    "\r\n--XyZ  \r\n"
	    "content-disposition: form-data; name=dry_run\r\n\r\n"
	    "true\r\n--XyZ--\r\nepilogue";
	struct multipart	 mp;
	const struct mpart	*p;
	const char		*why = NULL;

	CHECK(multipart_parse(CT, binary, sizeof(binary) - 1, &mp, &why),
	    "binary body refused: %s", why ? why : "");
	CHECK(mp.nparts == 2, "%zu parts, want 2", mp.nparts);
	if ((p = multipart_get(&mp, "file")) != NULL) {
		CHECK(p->has_filename, "file part has a filename");
		CHECK_STR("filename", p->filename, "a \"b\".csv");
		CHECK_STR("content type", p->content_type, "text/csv");
		CHECK(p->len == 11 && memcmp(p->data, "a\0b\n--XyZ\r\n",
		    11) == 0, "file data of %zu bytes: %s", p->len,
		    test_esc(p->data, p->len));
	} else
		CHECK(0, "no file part");
	if ((p = multipart_get(&mp, "dry_run")) != NULL) {
		CHECK(!p->has_filename, "dry_run is a field");
		CHECK(p->len == 4 && memcmp(p->data, "true", 4) == 0,
		    "dry_run %s", test_esc(p->data, p->len));
	} else
		CHECK(0, "no dry_run part");
	CHECK(multipart_get(&mp, "other") == NULL, "no part named other");
}

static void
test_parse_refused(void)
{
	static const struct {
		const char	*name, *body, *why;
	} cases[] = {
		{ "no boundary in body", "hello", "body: the boundary" },
		{ "never closed", "--XyZ\r\nContent-Disposition: form-data; "
		    "name=a\r\n\r\nx", "body: it ends before the closing" },
		{ "LF framing", "--XyZ\nContent-Disposition: form-data; "
		    "name=a\n\nx\n--XyZ--\n", "body: a boundary line does not "
		    "end with CRLF" },
		{ "no disposition", "--XyZ\r\nContent-Type: text/plain\r\n\r\n"
		    "x\r\n--XyZ--", "body: a part has no Content-Disposition" },
		{ "not form-data", "--XyZ\r\nContent-Disposition: attachment; "
		    "name=a\r\n\r\nx\r\n--XyZ--", "body: a part's "
		    "Content-Disposition is not form-data" },
		{ "no name", "--XyZ\r\nContent-Disposition: form-data; "
		    "filename=a\r\n\r\nx\r\n--XyZ--", "body: a part's "
		    "Content-Disposition has no name" },
		{ "headers unended", "--XyZ\r\nContent-Disposition: form-data; "
		    "name=a\r\n--XyZ--", "body: a part's headers do not end" },
		{ "header without colon", "--XyZ\r\nContent-Disposition: "
		    "form-data; name=a\r\nbroken\r\n\r\nx\r\n--XyZ--",
		    "body: a part's header line has no name" },
		{ "bad UTF-8 name", "--XyZ\r\nContent-Disposition: form-data; "
		    "name=\"\xff\"\r\n\r\nx\r\n--XyZ--", "body: a part's header "
		    "line is malformed" },
	};
	struct multipart	 mp;
	const char		*why;
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		why = NULL;
		CHECK(!multipart_parse(CT, cases[i].body, strlen(cases[i].body),
		    &mp, &why), "[%s] accepted", cases[i].name);
		CHECK(why != NULL && strncmp(why, cases[i].why,
		    strlen(cases[i].why)) == 0, "[%s] why \"%s\", want \"%s\"",
		    cases[i].name, why ? why : "(null)", cases[i].why);
	}
}

/* 16 parts pass, a 17th is refused. */
static void
test_parts_bounded(void)
{
	struct multipart	 mp;
	struct buf		 b;
	const char		*why = NULL;
	int			 i;

	buf_init(&b);
	for (i = 0; i < MULTIPART_MAX_PARTS; i++)
		buf_printf(&b, "--XyZ\r\nContent-Disposition: form-data; "
		    "name=f%d\r\n\r\nv%d\r\n", i, i);
	buf_puts(&b, "--XyZ--\r\n");
	CHECK(multipart_parse(CT, b.data, b.len, &mp, &why) &&
	    mp.nparts == MULTIPART_MAX_PARTS, "16 parts: %s", why ? why : "");
	b.len -= strlen("--XyZ--\r\n");
	buf_puts(&b, "--XyZ\r\nContent-Disposition: form-data; name=extra"
	    "\r\n\r\nv\r\n--XyZ--\r\n");
	CHECK(!multipart_parse(CT, b.data, b.len, &mp, &why) &&
	    strcmp(why, "body: more than 16 parts") == 0, "17 parts: %s",
	    why ? why : "");
	buf_cleanup(&b);
}

/* The console's upload form sends its CSRF token as a multipart field. */
static void
test_form_param(void)
{
	static const char body[] = "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"csrf\"\r\n\r\n"
	    "tok+en%20\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"bad\"\r\n\r\n"
	    "\xff\r\n--XyZ--\r\n";
	struct conf	 conf;
	struct req	 r;
	char		*v = NULL;

	conf_init(&conf);
	req_init(&r, NULL, &conf);
	req_add_header(&r, "CONTENT_TYPE", CT);
	buf_append(&r.in.body, body, sizeof(body) - 1);
	CHECK(req_form_param(&r, "csrf", &v) == 1, "csrf found");
	/* Taken as sent: no URL decoding in a multipart field. */
	CHECK_STR("csrf", v, "tok+en%20");
	free(v);
	CHECK(req_form_param(&r, "missing", &v) == 0 && v == NULL,
	    "missing field");
	CHECK(req_form_param(&r, "bad", &v) == -1, "bad UTF-8 field");
	req_cleanup(&r);
	conf_cleanup(&conf);
}

static int
sink_write(void *arg, const char *p, size_t n)
{
	return buf_append(arg, p, n);
}

static int
stream_three(struct req *r, void *arg, req_write_fn write, void *sink)
{
	int	*calls = arg;

	(void)r;
	(*calls)++;
	return write(sink, "one,", 4) && write(sink, "two,", 4) &&
	    write(sink, "three", 5);
}

static void
test_stream(void)
{
	struct conf	 conf;
	struct req	 r;
	struct buf	 head, body;
	int		 calls = 0;

	conf_init(&conf);
	req_init(&r, NULL, &conf);
	r.in.method = "GET";
	req_resp_stream(&r, 200, "text/csv; charset=utf-8", stream_three,
	    &calls, NULL);
	req_resp_header(&r, "Content-Disposition", "attachment; "
	    "filename=\"items.csv\"");
	buf_init(&head);
	buf_init(&body);
	CHECK(req_serialize(&r, &head), "serialized");
	CHECK(head.data != NULL && strstr(head.data, "Content-Length") == NULL,
	    "no Content-Length for a stream: %s", head.data);
	CHECK(head.data != NULL && strstr(head.data, "Content-Type: text/csv; "
	    "charset=utf-8\r\n") != NULL && strstr(head.data,
	    "Content-Disposition: attachment; filename=\"items.csv\"\r\n") !=
	    NULL && head.len > 4 && memcmp(head.data + head.len - 4,
	    "\r\n\r\n", 4) == 0, "headers end the head: %s", head.data);
	CHECK(req_stream_run(&r, sink_write, &body) == 1 && calls == 1,
	    "stream ran once");
	CHECK(body.len == 13 && memcmp(body.data, "one,two,three", 13) == 0,
	    "streamed body");
	CHECK(req_stream_run(&r, sink_write, &body) == 1 && calls == 1,
	    "a second run writes nothing");
	/* An error answer after a stream replaces it. */
	req_resp_stream(&r, 200, "text/csv", stream_three, &calls, NULL);
	req_resp_error(&r, 503, NULL, "database unavailable");
	CHECK(r.out.stream == NULL, "error dropped the stream");
	buf_cleanup(&head);
	buf_cleanup(&body);
	req_cleanup(&r);
	conf_cleanup(&conf);
}

/* The "multipart" suite. */
void
test_multipart_register(void)
{
	static const struct test_def tests[] = {
		{ "multipart_boundary", test_boundary },
		{ "multipart_parse: binary parts, CRLF framing", test_parse },
		{ "multipart_parse refusals name what is wrong",
		    test_parse_refused },
		{ "multipart_parse: at most 16 parts", test_parts_bounded },
		{ "req_form_param reads a multipart field", test_form_param },
		{ "req_resp_stream and req_stream_run", test_stream },
	};

	test_add_suite("multipart", NULL, NULL, tests, NELEM(tests));
}
