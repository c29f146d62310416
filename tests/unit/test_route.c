/*
 * test_route.c - route.c: pattern matching, lookup (404 vs 405), Allow.
 */
#include <stdlib.h>
#include <string.h>

#include "mihwar.h"
#include "tests.h"

static void
noop(struct req *r)
{
	(void)r;
}

/* A small table of our own: the real one changes with every feature. */
static const struct route tab[] = {
	{ "GET", "/items", noop, 0 },
	{ "POST", "/items", noop, 0 },
	{ "GET", "/items/{id}", noop, 0 },
	{ "DELETE", "/items/{id}", noop, 0 },
	{ "GET", "/items/{id}/tags/{tag}", noop, 0 },
	{ "PUT", "/a/{1}/{2}/{3}/{4}/{5}", noop, 0 },
};

static void
free_args(char **args, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(args[i]);
}

/* The captured args, joined by '|', against want. */
static void
check_args(const char *name, char **args, size_t nargs, const char *want)
{
	char	 got[256] = "";
	size_t	 i;

	for (i = 0; i < nargs; i++) {
		if (i > 0)
			strncat(got, "|", sizeof(got) - strlen(got) - 1);
		strncat(got, args[i], sizeof(got) - strlen(got) - 1);
	}
	CHECK_STR(name, got, want);
}

static void
test_match(void)
{
	static const struct {
		const char	*pat, *path;
		int		 match;
		const char	*args;
	} cases[] = {
		{ "/items", "/items", 1, "" },
		{ "/", "/", 1, "" },
		{ "/items", "/item", 0, "" },
		{ "/items", "/itemsx", 0, "" },
		{ "/items", "/Items", 0, "" },
		{ "/items", "/items/", 0, "" },
		{ "/items/", "/items", 0, "" },
		{ "/items", "", 0, "" },
		{ "/items/{id}", "/items/42", 1, "42" },
		{ "/items/{id}", "/items/a-b_c.d", 1, "a-b_c.d" },
		{ "/items/{id}", "/items/", 0, "" },
		{ "/items/{id}", "/items", 0, "" },
		{ "/items/{id}", "/items/42/", 0, "" },
		{ "/items/{id}", "/items/42/x", 0, "" },
		{ "/items/{id}/tags", "/items//tags", 0, "" },
		{ "/items/{id}/tags", "/items/7/tags", 1, "7" },
		{ "/items/{id}/tags/{tag}", "/items/7/tags/red", 1, "7|red" },
		{ "/items/{id}/tags/{tag}", "/items/7/tags/", 0, "" },
		{ "/{a}/{b}/{c}/{d}", "/1/2/3/4", 1, "1|2|3|4" },
		{ "/{a}/{b}/{c}/{d}/{e}", "/1/2/3/4/5", 0, "" },
		{ "/items/{id", "/items/42", 0, "" },
		/* A route path keeps %2F and %25; captures are decoded. */
		{ "/items/{id}", "/items/A%2FB", 1, "A/B" },
		{ "/items/{id}", "/items/100%25", 1, "100%" },
		{ "/items/{id}/tags/{tag}", "/items/a%2F%2Fb/tags/%25%2F", 1,
		    "a//b|%/" },
		{ "/items/{id}", "/items/A/B", 0, "" },
		{ "/items/{id}/tags", "/items%2F7/tags", 0, "" },
		{ "/items/{id}", "/items/%zz", 0, "" },
		{ "/items/{id}", "/items/%00", 0, "" },
	};
	char	*args[ROUTE_MAXARGS];
	size_t	 i, nargs;
	int	 got;

	for (i = 0; i < NELEM(cases); i++) {
		nargs = 99;
		got = route_match(cases[i].pat, cases[i].path, args, &nargs);
		CHECK(got == cases[i].match, "[%s vs %s] match %d, want %d",
		    cases[i].pat, cases[i].path, got, cases[i].match);
		check_args(cases[i].path, args, nargs, cases[i].args);
		free_args(args, nargs);
		/* Only testing (no args) must give the same answer. */
		got = route_match(cases[i].pat, cases[i].path, NULL, NULL);
		CHECK(got == cases[i].match, "[%s vs %s, no args] match %d, "
		    "want %d", cases[i].pat, cases[i].path, got,
		    cases[i].match);
	}
}

static void
test_lookup(void)
{
	static const struct {
		const char	*method, *path;
		enum route_res	 res;
		int		 index;
		const char	*args;
	} cases[] = {
		{ "GET", "/items", ROUTE_FOUND, 0, "" },
		{ "POST", "/items", ROUTE_FOUND, 1, "" },
		{ "GET", "/items/42", ROUTE_FOUND, 2, "42" },
		{ "DELETE", "/items/42", ROUTE_FOUND, 3, "42" },
		{ "GET", "/items/42/tags/red", ROUTE_FOUND, 4, "42|red" },
		{ "PUT", "/items", ROUTE_BADMETHOD, -1, "" },
		{ "PATCH", "/items/42", ROUTE_BADMETHOD, -1, "" },
		{ "get", "/items", ROUTE_BADMETHOD, -1, "" },
		{ "POST", "/items/42/tags/red", ROUTE_BADMETHOD, -1, "" },
		{ "GET", "/nope", ROUTE_NOTFOUND, -1, "" },
		{ "GET", "/items/", ROUTE_NOTFOUND, -1, "" },
		{ "GET", "/items/42/", ROUTE_NOTFOUND, -1, "" },
		{ "GET", "/items//tags/red", ROUTE_NOTFOUND, -1, "" },
		{ "PUT", "/a/1/2/3/4/5", ROUTE_NOTFOUND, -1, "" },
	};
	const struct route	*r;
	char			*args[ROUTE_MAXARGS];
	char			 name[64];
	size_t			 i, nargs;
	enum route_res		 res;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(name, sizeof(name), "%s %s", cases[i].method,
		    cases[i].path);
		r = NULL;
		res = route_lookup(tab, NELEM(tab), cases[i].method,
		    cases[i].path, &r, args, &nargs);
		CHECK(res == cases[i].res, "[%s] result %d, want %d", name,
		    (int)res, (int)cases[i].res);
		if (res == ROUTE_FOUND && cases[i].res == ROUTE_FOUND)
			CHECK(r == &tab[cases[i].index], "[%s] route #%d, "
			    "want #%d", name, r ? (int)(r - tab) : -1,
			    cases[i].index);
		if (res != ROUTE_FOUND)
			CHECK(nargs == 0, "[%s] %zu args without a route",
			    name, nargs);
		check_args(name, args, nargs, cases[i].args);
		free_args(args, nargs);
	}
}

static void
test_allow(void)
{
	static const struct {
		const char	*path, *allow;
	} cases[] = {
		{ "/items", "GET, POST" },
		{ "/items/42", "GET, DELETE" },
		{ "/items/42/tags/x", "GET" },
		{ "/nope", "" },
		{ "/items/", "" },
	};
	struct buf	 b;
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b);
		route_allow(tab, NELEM(tab), cases[i].path, &b);
		CHECK_STR(cases[i].path, b.data ? b.data : "", cases[i].allow);
		buf_cleanup(&b);
	}
}

/*
 * The routes of key families that take no key, on purpose: fulfillment's
 * onboarding and storefront chat (callers have no key yet, or are
 * shoppers) and the providers' webhooks (Stripe signs, Printful's URL
 * carries a token), and the webhooks integrations receive (signed with
 * the integration's secret). Any other public route must be outside
 * them.
 */
static int
public_on_purpose(const char *pattern)
{
	static const char *const ok[] = {
		"/api/onboarding/check-slug/{slug}", "/api/onboarding/request",
		"/api/chat/{slug}", "/api/stripe/webhook",
		"/api/printful/webhook/{token}",
		"/api/v1/webhooks/receive/{id}",
	};
	size_t	 i;

	for (i = 0; i < NELEM(ok); i++)
		if (strcmp(ok[i], pattern) == 0)
			return 1;
	return 0;
}

/*
 * The real table: an idempotent route is in a family whose callers are
 * API keys and which has a replay window; a rate-limited one in a family
 * with a rate policy; a public one outside the key families, but for
 * the few listed above.
 */
static void
test_table_flags(void)
{
	const struct family	*f;
	size_t			 i;

	for (i = 0; i < routes_len; i++) {
		f = family_of_path(routes[i].pattern);
		if ((routes[i].flags & ROUTE_IDEMPOTENT) == ROUTE_IDEMPOTENT)
			CHECK((f->credential == CRED_BEARER ||
			    f->credential == CRED_API_KEY) &&
			    f->idem_window_s > 0, "[%s %s] idempotent in %s",
			    routes[i].method, routes[i].pattern, f->name);
		if (routes[i].flags & ROUTE_RATELIMIT)
			CHECK(f->rate_per_key > 0 || f->rate_per_org > 0,
			    "[%s %s] rate-limited "
			    "in %s, which has no rate policy", routes[i].method,
			    routes[i].pattern, f->name);
		if (routes[i].flags & ROUTE_PUBLIC)
			CHECK(f->credential == CRED_NONE ||
			    f->credential == CRED_SESSION ||
			    public_on_purpose(routes[i].pattern), "[%s %s] public in "
			    "%s", routes[i].method, routes[i].pattern, f->name);
	}
}

/* The "route" suite. */
void
test_route_register(void)
{
	static const struct test_def tests[] = {
		{ "route_match", test_match },
		{ "route_lookup", test_lookup },
		{ "route_allow", test_allow },
		{ "the route table's flags fit their families", test_table_flags },
	};

	test_add_suite("route", NULL, NULL, tests, NELEM(tests));
}
