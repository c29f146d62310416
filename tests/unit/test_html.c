/*
 * test_html.c - html.c: the escaping writer of the console. Every value
 * goes out with & < > " ' escaped; pages carry their security headers;
 * only a session shows who is signed in; errors name the request;
 * redirects are 303 with a Location.
 */
#include <stdio.h>
#include <string.h>

#include "mihwar.h"
#include "tests.h"

/* The five escapes, once, for the tables below. */
#define ESC_ALL		"&amp;&lt;&gt;&quot;&#39;"

/*
 * The response body as a string: only its first len bytes count, since
 * a writer that starts over sets len to 0 and keeps the old bytes.
 */
static const char *
body(const struct req *r)
{
	static char	 s[16384];

	snprintf(s, sizeof(s), "%.*s", (int)r->out.body.len,
	    r->out.body.data ? r->out.body.data : "");
	return s;
}

/* The response headers, "" when none. */
static const char *
headers(const struct req *r)
{
	return r->out.headers.data && r->out.headers.len ?
	    r->out.headers.data : "";
}

/* Occurrences of needle in hay. */
static size_t
count(const char *hay, const char *needle)
{
	size_t	 n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static void
test_text(void)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "", "" },
		{ "plain text", "plain text" },
		{ "&", "&amp;" },
		{ "<", "&lt;" },
		{ ">", "&gt;" },
		{ "\"", "&quot;" },
		{ "'", "&#39;" },
		{ "&<>\"'", ESC_ALL },
		{ "&amp;", "&amp;amp;" },
		{ "&#39;", "&amp;#39;" },
		{ "<script>alert('x')</script>",
		    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" },
		{ "\" onmouseover=\"alert(1)",
		    "&quot; onmouseover=&quot;alert(1)" },
		{ "' autofocus onfocus='x", "&#39; autofocus onfocus=&#39;x" },
		{ "a<b>c", "a&lt;b&gt;c" },
		{ "<<>>", "&lt;&lt;&gt;&gt;" },
		{ "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80",
		    "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80" },
		{ "tab\there\nline", "tab\there\nline" },
		{ "a=b;c/d?e#f%20", "a=b;c/d?e#f%20" },
		{ "`backtick`", "`backtick`" },
	};
	struct req	 r;
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		req_init(&r, NULL, NULL);
		html_text(&r, cases[i].in);
		CHECK_STR(test_esc(cases[i].in, strlen(cases[i].in)), body(&r),
		    cases[i].out);
		req_cleanup(&r);
	}

	/* NULL writes nothing, and text appends to what is there. */
	req_init(&r, NULL, NULL);
	html_text(&r, NULL);
	CHECK_STR("NULL", body(&r), "");
	html_text(&r, "a<");
	html_text(&r, ">b");
	CHECK_STR("appended", body(&r), "a&lt;&gt;b");
	req_cleanup(&r);
}

static void
test_textf(void)
{
	static char	 longer[1100];
	struct req	 r;

	req_init(&r, NULL, NULL);
	html_textf(&r, "%s & %d %s", "<b>", 42, "'q'");
	CHECK_STR("formatted", body(&r), "&lt;b&gt; &amp; 42 &#39;q&#39;");
	req_cleanup(&r);

	/* The format string itself is escaped too. */
	req_init(&r, NULL, NULL);
	html_textf(&r, "<%s>", "\"");
	CHECK_STR("format escaped", body(&r), "&lt;&quot;&gt;");
	req_cleanup(&r);

	/* Past its buffer the text is cut, never written unescaped. */
	memset(longer, '<', sizeof(longer) - 1);
	req_init(&r, NULL, NULL);
	html_textf(&r, "%s", longer);
	CHECK(count(body(&r), "&lt;") == 1023 && strchr(body(&r), '<') == NULL,
	    "[1099 '<'] wrote %zu escapes, %s a raw '<'",
	    count(body(&r), "&lt;"), strchr(body(&r), '<') ? "and" : "no");
	req_cleanup(&r);
}

static void
test_raw(void)
{
	static const char *const cases[] = {
		"", "<p>", "<a href=\"/admin\">x</a>", "&amp; stays", "'\"<>&",
	};
	struct req	 r;
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		req_init(&r, NULL, NULL);
		html_raw(&r, cases[i]);
		CHECK_STR(cases[i], body(&r), cases[i]);
		req_cleanup(&r);
	}
}

static void
test_csrf(void)
{
	static const struct {
		const char	*csrf, *out;
	} cases[] = {
		{ "AbC123-_xyz", "<input type=\"hidden\" name=\"csrf\" "
		    "value=\"AbC123-_xyz\">" },
		{ "", "<input type=\"hidden\" name=\"csrf\" value=\"\">" },
		{ "\"><script>", "<input type=\"hidden\" name=\"csrf\" "
		    "value=\"&quot;&gt;&lt;script&gt;\">" },
		{ "&<>\"'", "<input type=\"hidden\" name=\"csrf\" "
		    "value=\"" ESC_ALL "\">" },
	};
	struct req	 r;
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		req_init(&r, NULL, NULL);
		r.principal.kind = PRINCIPAL_SESSION;
		snprintf(r.principal.csrf, sizeof(r.principal.csrf), "%s",
		    cases[i].csrf);
		html_csrf(&r);
		CHECK_STR(cases[i].csrf, body(&r), cases[i].out);
		req_cleanup(&r);
	}
}

static void
test_notice(void)
{
	struct req	 r;

	req_init(&r, NULL, NULL);
	html_notice(&r, "ok\"", "saved <b>'x'</b> & done");
	CHECK_STR("notice", body(&r), "<p class=\"notice ok&quot;\">saved "
	    "&lt;b&gt;&#39;x&#39;&lt;/b&gt; &amp; done</p>\n");
	req_cleanup(&r);
}

/*
 * html_begin: status, type, headers, title escaped, and the signed-in
 * user (escaped) only for a session, whatever the principal holds.
 */
static void
test_begin(void)
{
	static const struct {
		const char		*name;
		enum principal_kind	 kind;
		int			 shows_user;
	} cases[] = {
		{ "no principal", PRINCIPAL_NONE, 0 },
		{ "API key", PRINCIPAL_KEY, 0 },
		{ "session", PRINCIPAL_SESSION, 1 },
	};
	static const char *const want_headers[] = {
		"Content-Security-Policy: default-src 'self'; "
		    "frame-ancestors 'none'; form-action 'self'\r\n",
		"X-Frame-Options: DENY\r\n",
		"Referrer-Policy: same-origin\r\n",
	};
	static const char	 email_out[] = "a&lt;b&gt;&amp;&quot;c&#39;"
	    "@x.example";
	struct req		 r;
	const char		*b, *who;
	size_t			 i, k;

	for (i = 0; i < NELEM(cases); i++) {
		req_init(&r, NULL, NULL);
		r.principal.kind = cases[i].kind;
		snprintf(r.principal.user_name, sizeof(r.principal.user_name),
		    "a<b>&\"c'@x.example");
		snprintf(r.principal.org_slug, sizeof(r.principal.org_slug),
		    "acme<i>");
		snprintf(r.principal.csrf, sizeof(r.principal.csrf),
		    "tok'en");
		html_raw(&r, "left over from before");
		html_begin(&r, 409, "Keys <&> 'x'");
		html_end(&r);
		b = body(&r);

		CHECK(r.out.status == 409, "[%s] status %d", cases[i].name,
		    r.out.status);
		CHECK_STR(cases[i].name, r.out.content_type,
		    "text/html; charset=utf-8");
		for (k = 0; k < NELEM(want_headers); k++)
			CHECK(count(headers(&r), want_headers[k]) == 1,
			    "[%s] header %s missing from %s", cases[i].name,
			    test_esc(want_headers[k], strlen(want_headers[k])),
			    test_esc(headers(&r), strlen(headers(&r))));
		CHECK(strncmp(b, "<!DOCTYPE html>", 15) == 0, "[%s] begins "
		    "%.40s", cases[i].name, b);
		CHECK(strstr(b, "left over") == NULL, "[%s] kept the old body",
		    cases[i].name);
		CHECK(strstr(b, "<title>Keys &lt;&amp;&gt; &#39;x&#39; ")
		    != NULL, "[%s] no escaped title in %s", cases[i].name, b);
		CHECK(strstr(b, "<h1>Keys &lt;&amp;&gt; &#39;x&#39;</h1>")
		    != NULL, "[%s] no escaped heading", cases[i].name);
		CHECK(strstr(b, "<b>") == NULL && strstr(b, "<i>") == NULL &&
		    strstr(b, "<&>") == NULL, "[%s] raw value in %s",
		    cases[i].name, b);
		CHECK(strlen(b) >= 22 &&
		    strcmp(b + strlen(b) - 22, "</main></body></html>\n") == 0,
		    "[%s] html_end did not close the page", cases[i].name);

		who = strstr(b, "<span class=\"who\">");
		if (cases[i].shows_user) {
			CHECK(who != NULL && strstr(who, email_out) != NULL &&
			    strstr(who, "acme&lt;i&gt;") != NULL, "[%s] no "
			    "escaped user in %s", cases[i].name, b);
			CHECK(strstr(b, "value=\"tok&#39;en\"") != NULL &&
			    strstr(b, "action=\"/admin/logout\"") != NULL,
			    "[%s] no sign-out form with the csrf field",
			    cases[i].name);
			CHECK(strstr(b, "<nav>") != NULL, "[%s] no navigation",
			    cases[i].name);
		} else {
			CHECK(who == NULL && strstr(b, "x.example") == NULL &&
			    strstr(b, "acme") == NULL, "[%s] shows a user: %s",
			    cases[i].name, b);
			CHECK(strstr(b, "tok") == NULL && strstr(b, "csrf") ==
			    NULL, "[%s] shows the csrf token", cases[i].name);
			CHECK(strstr(b, "<nav>") == NULL, "[%s] navigation "
			    "without a session", cases[i].name);
		}
		req_cleanup(&r);
	}
}

static void
test_error_page(void)
{
	static const struct {
		int		 status;
		const char	*id, *msg, *title, *msg_out, *id_out;
	} cases[] = {
		{ 404, "rid-0001", "no such key", "Not Found",
		    "<p>no such key</p>", "Request rid-0001</p>" },
		{ 500, "<rid>&\"'", "<b>boom</b> & 'x'",
		    "Internal Server Error",
		    "<p>&lt;b&gt;boom&lt;/b&gt; &amp; &#39;x&#39;</p>",
		    "Request &lt;rid&gt;&amp;&quot;&#39;</p>" },
		{ 403, "", "", "Forbidden", "<p></p>", "Request </p>" },
	};
	struct req	 r;
	char		 name[32], want[64];
	const char	*b;
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(name, sizeof(name), "%d", cases[i].status);
		req_init(&r, NULL, NULL);
		snprintf(r.id, sizeof(r.id), "%s", cases[i].id);
		html_error_page(&r, cases[i].status, cases[i].msg);
		b = body(&r);
		CHECK(r.out.status == cases[i].status, "[%s] status %d", name,
		    r.out.status);
		CHECK_STR(name, r.out.content_type, "text/html; charset=utf-8");
		snprintf(want, sizeof(want), "<h1>%s</h1>", cases[i].title);
		CHECK(strstr(b, want) != NULL, "[%s] no %s", name, want);
		CHECK(strstr(b, cases[i].msg_out) != NULL, "[%s] no %s in %s",
		    name, cases[i].msg_out, b);
		CHECK(strstr(b, cases[i].id_out) != NULL, "[%s] no %s in %s",
		    name, cases[i].id_out, b);
		CHECK(count(headers(&r), "X-Frame-Options: DENY\r\n") == 1,
		    "[%s] headers %s", name, headers(&r));
		req_cleanup(&r);
	}
}

/* An error of the console family is a page, not a JSON body. */
static void
test_console_error(void)
{
	struct req	 r;
	const char	*b;

	req_init(&r, NULL, NULL);
	r.family = family_get(FAM_ADMIN);
	snprintf(r.id, sizeof(r.id), "rid-console");
	req_resp_error(&r, 403, "forbidden", "not for <%s>", "members");
	b = body(&r);
	CHECK(r.out.status == 403, "status %d", r.out.status);
	CHECK_STR("console error", r.out.content_type,
	    "text/html; charset=utf-8");
	CHECK(strstr(b, "<p>not for &lt;members&gt;</p>") != NULL &&
	    strstr(b, "Request rid-console") != NULL && b[0] != '{',
	    "not an escaped page: %s", b);
	req_cleanup(&r);
}

static void
log_capture(void *arg, const char *line, size_t n)
{
	buf_append(arg, line, n);
}

static void
test_redirect(void)
{
	static const char *const paths[] = {
		"/admin/keys", "/admin/approvals?done=1", "/",
	};
	struct req	 r;
	struct buf	 log;
	char		 want[128];
	size_t		 i;

	for (i = 0; i < NELEM(paths); i++) {
		req_init(&r, NULL, NULL);
		html_begin(&r, 200, "before");
		html_redirect(&r, paths[i]);
		CHECK(r.out.status == 303, "[%s] status %d", paths[i],
		    r.out.status);
		snprintf(want, sizeof(want), "Location: %s\r\n", paths[i]);
		CHECK(count(headers(&r), want) == 1, "[%s] headers %s",
		    paths[i], test_esc(headers(&r), strlen(headers(&r))));
		CHECK(r.out.body.len == 0, "[%s] body of %zu bytes", paths[i],
		    r.out.body.len);
		CHECK_STR(paths[i], r.out.content_type,
		    "text/plain; charset=utf-8");
		req_cleanup(&r);
	}

	/* A Location that would split the header is not written. */
	buf_init(&log);
	log_set_sink(log_capture, &log);
	req_init(&r, NULL, NULL);
	html_redirect(&r, "/admin\r\nSet-Cookie: s=1");
	CHECK(strstr(headers(&r), "Set-Cookie") == NULL, "split header: %s",
	    test_esc(headers(&r), strlen(headers(&r))));
	CHECK(log.len > 0, "the refused header was not logged");
	req_cleanup(&r);
	log_set_sink(NULL, NULL);
	buf_cleanup(&log);
}

/* The "html" suite. */
void
test_html_register(void)
{
	static const struct test_def tests[] = {
		{ "html_text escapes & < > \" '", test_text },
		{ "html_textf escapes what it formats", test_textf },
		{ "html_raw passes markup through", test_raw },
		{ "html_csrf", test_csrf },
		{ "html_notice", test_notice },
		{ "html_begin headers and the signed-in user", test_begin },
		{ "html_error_page", test_error_page },
		{ "console errors are pages", test_console_error },
		{ "html_redirect", test_redirect },
	};

	test_add_suite("html", NULL, NULL, tests, NELEM(tests));
}
