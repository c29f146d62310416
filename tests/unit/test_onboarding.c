/*
 * test_onboarding.c - onboarding.c without a database: the allowed
 * embed origins of a storefront's chat. An Origin passes only as the
 * whole of one stored scheme://host[:port] (case aside); the operator's
 * list is read into that form or refused.
 */
#include <string.h>

#include "mihwar.h"
#include "tests.h"

static void
test_origin_allowed(void)
{
	static const char allowed[] = "https://a.example,"
	    "http://localhost:3000, https://shop.b.example ,https://[::1]:8443";
	static const struct {
		const char	*origin;
		int		 ok;
	} cases[] = {
		{ "https://a.example", 1 },
		{ "https://A.EXAMPLE", 1 },
		{ "HTTPS://a.example", 1 },
		{ "http://localhost:3000", 1 },
		{ "https://shop.b.example", 1 },
		{ "https://[::1]:8443", 1 },
		/* suffix and prefix tricks */
		{ "https://a.example.evil", 0 },
		{ "https://a.example.evil.com", 0 },
		{ "https://evil-a.example", 0 },
		{ "https://evila.example", 0 },
		{ "https://x.a.example", 0 },
		{ "https://b.example", 0 },
		{ "https://a.exampl", 0 },
		{ "https://a.example:443", 0 },
		{ "https://a.example:8443", 0 },
		{ "https://a.example/", 0 },
		{ "https://a.example/path", 0 },
		{ "https://user@a.example", 0 },
		{ "https://a.example@evil.example", 0 },
		/* scheme and port are part of the origin */
		{ "http://a.example", 0 },
		{ "ws://a.example", 0 },
		{ "https://localhost:3000", 0 },
		{ "http://localhost", 0 },
		{ "http://localhost:30000", 0 },
		{ "http://localhost:300", 0 },
		/* two entries, or an entry with its separators, are not one */
		{ "https://a.example,http://localhost:3000", 0 },
		{ "https://a.example,", 0 },
		{ " https://shop.b.example ", 0 },
		{ " https://a.example", 0 },
		{ "https://a.example ", 0 },
		{ "https://a.example\n", 0 },
		/* the opaque origin, and nothing */
		{ "null", 0 },
		{ "NULL", 0 },
		{ "", 0 },
		{ "*", 0 },
		{ "https://*.example", 0 },
	};
	size_t	 i;
	int	 ok;

	for (i = 0; i < NELEM(cases); i++) {
		ok = onboarding_origin_allowed(allowed, cases[i].origin);
		CHECK(ok == cases[i].ok, "[%s] %d, want %d",
		    test_esc(cases[i].origin, strlen(cases[i].origin)), ok,
		    cases[i].ok);
	}
	CHECK(!onboarding_origin_allowed(allowed, NULL), "NULL origin");
	CHECK(!onboarding_origin_allowed(NULL, "https://a.example"),
	    "no list");
	CHECK(!onboarding_origin_allowed("", "https://a.example"), "empty list");
	CHECK(!onboarding_origin_allowed(",,", ""), "empty entries, empty "
	    "origin");
	/* Even a list that somehow holds "null" never lets it through. */
	CHECK(!onboarding_origin_allowed("null,https://a.example", "null"),
	    "stored null");
}

static void
test_origin_normalize(void)
{
	static const struct {
		const char	*in;
		const char	*want;	/* NULL: refused */
	} cases[] = {
		{ "a.example", "https://a.example" },
		{ "A.Example", "https://a.example" },
		{ "shop.a-b.example", "https://shop.a-b.example" },
		{ "a.example:8443", "https://a.example:8443" },
		{ "https://a.example", "https://a.example" },
		{ "HTTPS://A.EXAMPLE", "https://a.example" },
		{ "http://a.example", "http://a.example" },
		{ "http://localhost:3000", "http://localhost:3000" },
		{ "http://127.0.0.1:8080", "http://127.0.0.1:8080" },
		{ "https://[::1]:8443", "https://[::1]:8443" },
		{ "https://[2001:DB8::1]", "https://[2001:db8::1]" },
		/* the scheme's own port is left out, as browsers do */
		{ "https://a.example:443", "https://a.example" },
		{ "http://a.example:80", "http://a.example" },
		{ "http://a.example:443", "http://a.example:443" },
		{ "https://a.example:80", "https://a.example:80" },
		{ "https://a.example:65535", "https://a.example:65535" },
		/* anything else */
		{ "", NULL },
		{ "null", NULL },
		{ "NULL", NULL },
		{ "https://", NULL },
		{ "ftp://a.example", NULL },
		{ "ws://a.example", NULL },
		{ "//a.example", NULL },
		{ "https:/a.example", NULL },
		{ "https://a.example/", NULL },
		{ "https://a.example/path", NULL },
		{ "https://a.example?x=1", NULL },
		{ "https://a.example#x", NULL },
		{ "https://user@a.example", NULL },
		{ "https://user:pw@a.example", NULL },
		{ "*.a.example", NULL },
		{ "https://*.a.example", NULL },
		{ "*", NULL },
		{ "a..example", NULL },
		{ ".a.example", NULL },
		{ "a.example.", NULL },
		{ "-a.example", NULL },
		{ "a-.example", NULL },
		{ "a_b.example", NULL },
		{ "a example", NULL },
		{ "caf\xc3\xa9.example", NULL },
		{ "https://a.example:", NULL },
		{ "https://a.example:0", NULL },
		{ "https://a.example:08443", NULL },
		{ "https://a.example:65536", NULL },
		{ "https://a.example:+443", NULL },
		{ "https://a.example:44x", NULL },
		{ "https://a.example:1:2", NULL },
		{ "https://[::1", NULL },
		{ "https://[]", NULL },
		{ "https://[::1]x", NULL },
		{ "https://[zz::1]", NULL },
		{ "a.example,b.example", NULL },
	};
	char	 out[300];
	size_t	 i;
	int	 ok;

	for (i = 0; i < NELEM(cases); i++) {
		ok = onboarding_origin_normalize(cases[i].in, out, sizeof(out));
		if (cases[i].want == NULL)
			CHECK(!ok, "[%s] accepted as %s, want refused",
			    test_esc(cases[i].in, strlen(cases[i].in)), out);
		else if (CHECK(ok, "[%s] refused, want %s", test_esc(
		    cases[i].in, strlen(cases[i].in)), cases[i].want))
			CHECK_STR(cases[i].in, out, cases[i].want);
	}
	/* An origin that does not fit is refused, not cut. */
	CHECK(!onboarding_origin_normalize("a.example", out, 10), "short out");
}

static void
test_domains_parse(void)
{
	static const struct {
		const char	*in;
		const char	*want;	/* NULL: refused */
	} cases[] = {
		{ "", "" },
		{ "  ", "" },
		{ "a.example", "https://a.example" },
		{ "a.example,b.example", "https://a.example,https://b.example" },
		{ " a.example , http://localhost:3000 ",
		    "https://a.example,http://localhost:3000" },
		{ "a.example,https://A.example,https://a.example:443",
		    "https://a.example" },
		{ "a.example,", NULL },
		{ ",a.example", NULL },
		{ "a.example,,b.example", NULL },
		{ "a.example, ,b.example", NULL },
		{ "a.example,*.b.example", NULL },
		{ "a.example,null", NULL },
		{ "a.example b.example", NULL },
		{ "a.example;b.example", NULL },
	};
	char	 err[200];
	size_t	 i;
	int	 ok;
	struct buf b;

	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b);
		err[0] = '\0';
		ok = onboarding_domains_parse(cases[i].in, &b, err, sizeof(err));
		if (cases[i].want == NULL)
			CHECK(!ok && err[0] != '\0', "[%s] accepted as %s, want "
			    "refused with a reason", cases[i].in,
			    b.data ? b.data : "(null)");
		else if (CHECK(ok, "[%s] refused: %s", cases[i].in, err))
			CHECK_STR(cases[i].in, b.data, cases[i].want);
		buf_cleanup(&b);
	}
}

void
test_onboarding_register(void)
{
	static const struct test_def tests[] = {
		{ "origin allowed: exact, no tricks", test_origin_allowed },
		{ "origin normalize", test_origin_normalize },
		{ "domains list parse", test_domains_parse },
	};

	test_add_suite("onboarding", NULL, NULL, tests, NELEM(tests));
}
