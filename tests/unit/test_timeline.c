/*
 * test_timeline.c - ingest/timeline.c: the categories of the contract,
 * and the timeline's cursor: what a page hands out reads back as the
 * position after its last row, and nothing else is taken for one.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mihwar.h"
#include "tests.h"

static int
suite_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

static void
test_categories(void)
{
	static const char *const want[] = {
		"communication", "project_management", "code", "calendar",
		"design", "ai_tools", "other"
	};
	size_t	 i;

	for (i = 0; i < NELEM(want); i++) {
		CHECK_STR(want[i], batch_category_at(i), want[i]);
		CHECK(batch_category_valid(want[i]), "[%s]", want[i]);
	}
	CHECK(batch_category_at(NELEM(want)) == NULL, "after the last");
	CHECK(!batch_category_valid("Code"), "[Code]");
	CHECK(!batch_category_valid(""), "[]");
}

/* text as a cursor is encoded: base64url without padding. */
static void
encode(const char *text, char *out, size_t outsz)
{
	sodium_bin2base64(out, outsz, (const unsigned char *)text,
	    strlen(text), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void
test_cursor(void)
{
	static const struct {
		const char	*text;		/* NULL: the raw cursor */
		const char	*raw;
		int		 ok;
		const char	*at;
		long long	 id;
	} cases[] = {
		{ "t1.1796012648268.3", NULL, 1, "2026-11-30 04:24:08.268", 3 },
		{ "t1.0.1", NULL, 1, "1970-01-01 00:00:00.000", 1 },
		{ "t1.1796012648268.0", NULL, 0, NULL, 0 },
		{ "t1.1796012648268", NULL, 0, NULL, 0 },
		{ "t1.-5.3", NULL, 0, NULL, 0 },
		{ "t1.x.3", NULL, 0, NULL, 0 },
		{ "c1.3", NULL, 0, NULL, 0 },
		{ "t1.1796012648268.3 OR 1=1", NULL, 0, NULL, 0 },
		{ NULL, "not base64!", 0, NULL, 0 },
		{ NULL, "", 0, NULL, 0 },
	};
	struct timeline_filter	 f;
	char			 c[200];
	size_t			 i;
	int			 ok;

	for (i = 0; i < NELEM(cases); i++) {
		memset(&f, 0, sizeof(f));
		if (cases[i].text)
			encode(cases[i].text, c, sizeof(c));
		else
			snprintf(c, sizeof(c), "%s", cases[i].raw);
		ok = timeline_cursor_parse(c, &f);
		CHECK(ok == cases[i].ok, "[%s] parsed %d", cases[i].text ?
		    cases[i].text : cases[i].raw, ok);
		if (ok && cases[i].ok) {
			CHECK_STR(cases[i].text, f.before_at, cases[i].at);
			CHECK(f.before_id == cases[i].id, "[%s] id %lld",
			    cases[i].text, f.before_id);
		}
	}
}

/* The "timeline" suite. */
void
test_timeline_register(void)
{
	static const struct test_def tests[] = {
		{ "the contract's categories", test_categories },
		{ "timeline_cursor_parse", test_cursor },
	};

	test_add_suite("timeline", suite_init, NULL, tests, NELEM(tests));
}
