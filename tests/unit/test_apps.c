/*
 * test_apps.c - ingest/apps.c: event types as the contract's pattern
 * has them, and the allowed types an admin types in the console, each
 * refusal naming the type.
 */
#include <stdlib.h>
#include <string.h>

#include "mihwar.h"
#include "tests.h"

static void
test_event_type(void)
{
	static const struct {
		const char	*s;
		int		 ok;
	} cases[] = {
		{ "ticket.resolved", 1 }, { "abc", 1 }, { "A_b-c.9", 1 },
		{ "0x0", 1 },
		{ "ab", 0 }, { "", 0 }, { ".abc", 0 }, { "abc.", 0 },
		{ "_abc", 0 }, { "abc-", 0 }, { "a bc", 0 }, { "a/bc", 0 },
		{ "<b>x</b>", 0 }, { "tick\xc3\xa9t", 0 }, { "a,b,c", 0 },
		{ "a1234567890123456789012345678901234567890123456789012345678901"
		    "2z", 1 },	/* 64 */
		{ "a1234567890123456789012345678901234567890123456789012345678901"
		    "23z", 0 },	/* 65 */
	};
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++)
		CHECK(batch_type_valid(cases[i].s) == cases[i].ok,
		    "[%s] want %d", test_esc(cases[i].s, strlen(cases[i].s)),
		    cases[i].ok);
}

static void
test_types_parse(void)
{
	static const struct {
		const char	*in, *out;	/* out NULL: refused */
		const char	*err;		/* the start of the reason */
	} cases[] = {
		{ "", "", NULL },
		{ "  ,\n ", "", NULL },
		{ "ticket.resolved", "ticket.resolved", NULL },
		{ "a.b, c-d\r\ne_f  g.h,", "a.b,c-d,e_f,g.h", NULL },
		{ "abc, abc,def abc", "abc,def", NULL },
		{ "abc,ab", NULL, "\"ab\" is not an event type" },
		{ "abc <b>x</b>", NULL, "\"<b>x</b>\" is not" },
		{ "a1234567890123456789012345678901234567890123456789012345678901"
		    "234", NULL, "An event type has at most 64" },
	};
	struct buf	 b;
	char		 err[200];
	size_t		 i;
	int		 ok;

	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b);
		err[0] = '\0';
		ok = apps_types_parse(cases[i].in, &b, err, sizeof(err));
		CHECK(ok == (cases[i].out != NULL), "[%s] parsed %d: %s",
		    test_esc(cases[i].in, strlen(cases[i].in)), ok, err);
		if (ok && cases[i].out)
			CHECK_STR(cases[i].in, b.data, cases[i].out);
		if (!ok && cases[i].err)
			CHECK(strncmp(err, cases[i].err,
			    strlen(cases[i].err)) == 0, "[%s] reason %s",
			    cases[i].in, err);
		buf_cleanup(&b);
	}
}

/* More than APPS_TYPES_MAX distinct types are refused; that many pass. */
static void
test_types_max(void)
{
	struct buf	 in, out;
	char		 err[200];
	int		 i;

	buf_init(&in);
	for (i = 0; i < APPS_TYPES_MAX; i++)
		buf_printf(&in, "type.%03d ", i);
	buf_init(&out);
	CHECK(apps_types_parse(in.data, &out, err, sizeof(err)), "%d types",
	    APPS_TYPES_MAX);
	buf_cleanup(&out);
	buf_puts(&in, "one.more");
	buf_init(&out);
	CHECK(!apps_types_parse(in.data, &out, err, sizeof(err)) &&
	    strncmp(err, "At most", 7) == 0, "%d + 1 types: %s",
	    APPS_TYPES_MAX, err);
	buf_cleanup(&out);
	buf_cleanup(&in);
}

/* The "apps" suite. */
void
test_apps_register(void)
{
	static const struct test_def tests[] = {
		{ "batch_type_valid: the contract's pattern",
		    test_event_type },
		{ "apps_types_parse", test_types_parse },
		{ "apps_types_parse: at most APPS_TYPES_MAX", test_types_max },
	};

	test_add_suite("apps", NULL, NULL, tests, NELEM(tests));
}
