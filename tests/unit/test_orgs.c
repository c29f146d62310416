/*
 * test_orgs.c - orgs.c without a database: slug and e-mail validation.
 */
#include <string.h>

#include "mihwar.h"
#include "tests.h"

#define C10	"abcdefghij"

static void
test_slug_valid(void)
{
	static const struct {
		const char	*s;
		int		 ok;
	} cases[] = {
		{ "ab", 1 },
		{ "acme", 1 },
		{ "acme-co", 1 },
		{ "a1", 1 },
		{ "123", 1 },
		{ "my-store-2", 1 },
		{ "a--b", 1 },
		{ C10 C10 C10 C10 C10 C10 "abc", 1 },
		{ C10 C10 C10 C10 C10 C10 "abcd", 0 },
		{ "", 0 },
		{ "a", 0 },
		{ "-acme", 0 },
		{ "Acme", 0 },
		{ "ACME", 0 },
		{ "ac me", 0 },
		{ "acme ", 0 },
		{ "ac_me", 0 },
		{ "acme.co", 0 },
		{ "acme/co", 0 },
		{ "caf\xc3\xa9", 0 },
		{ "acme\n", 0 },
	};
	size_t	 i;
	int	 ok;

	for (i = 0; i < NELEM(cases); i++) {
		ok = orgs_slug_valid(cases[i].s);
		CHECK(ok == cases[i].ok, "[%s] %d, want %d",
		    test_esc(cases[i].s, strlen(cases[i].s)), ok, cases[i].ok);
	}
}

static void
test_email_valid(void)
{
	static const char	 local64[] = C10 C10 C10 C10 C10 C10 "abcd";
	static const struct {
		const char	*s;
		int		 ok;
	} cases[] = {
		{ "a@b.c", 1 },
		{ "alice@example.com", 1 },
		{ "first.last+tag@sub.example.org", 1 },
		{ "o'brien@example.ie", 1 },
		{ "", 0 },
		{ "ab", 0 },
		{ "alice", 0 },
		{ "alice@example", 0 },
		{ "@example.com", 0 },
		{ "alice@", 0 },
		{ "alice@@example.com", 0 },
		{ "a@b@example.com", 0 },
		{ "al ice@example.com", 0 },
		{ " alice@example.com", 0 },
		{ "alice@example.com ", 0 },
		{ "alice@example.com\n", 0 },
		{ "alice\t@example.com", 0 },
		{ "<alice@example.com>", 0 },
		{ "alice@exa>mple.com", 0 },
		{ "a.b.c", 0 },
	};
	char	 s[300];
	size_t	 i;
	int	 ok;

	for (i = 0; i < NELEM(cases); i++) {
		ok = users_email_valid(cases[i].s);
		CHECK(ok == cases[i].ok, "[%s] %d, want %d",
		    test_esc(cases[i].s, strlen(cases[i].s)), ok, cases[i].ok);
	}
	/* 254 characters is the longest address; 255 is refused. */
	snprintf(s, sizeof(s), "%s@%s.%s.%s.example.com", local64 + 1,
	    local64, local64, local64 + 16);
	CHECK(strlen(s) == 254, "[254 chars] built %zu", strlen(s));
	CHECK(users_email_valid(s), "[254 chars] refused");
	snprintf(s, sizeof(s), "%s@%s.%s.%s.example.com", local64, local64,
	    local64, local64 + 16);
	CHECK(strlen(s) == 255, "[255 chars] built %zu", strlen(s));
	CHECK(!users_email_valid(s), "[255 chars] accepted");
}

/* The "orgs" suite. */
void
test_orgs_register(void)
{
	static const struct test_def tests[] = {
		{ "orgs_slug_valid", test_slug_valid },
		{ "users_email_valid", test_email_valid },
	};

	test_add_suite("orgs", NULL, NULL, tests, NELEM(tests));
}
