/*
 * test_partitions.c - ingest/partitions.c: the partitions it reads back
 * are only the shapes it makes, the months it adds ahead (across a year's
 * end, none twice, after a gap), the months past the retention it drops
 * (never p_before_2000 or p_future), and db_ddl's refusal of text that
 * is not plain DDL of names and dates.
 */
#include <stdlib.h>
#include <string.h>

#include "mihwar.h"
#include "tests.h"

/* parts from "name=description" pairs, as information_schema lists them. */
static size_t
parts_of(const char *const *spec, struct partition *parts)
{
	char	 name[32];
	size_t	 n;

	for (n = 0; spec[n] != NULL; n++) {
		snprintf(name, sizeof(name), "%.*s",
		    (int)strcspn(spec[n], "="), spec[n]);
		if (!partitions_parse(name, strchr(spec[n], '=') + 1,
		    &parts[n]))
			CHECK(0, "[%s] not parsed", spec[n]);
	}
	return n;
}

static const char *const fresh[] = {
	"p_before_2000='2000-01-01'", "p_future=MAXVALUE", NULL
};
static const char *const ready[] = {
	"p_before_2000='2000-01-01'", "p202611='2026-12-01'",
	"p202612='2027-01-01'", "p202701='2027-02-01'", "p_future=MAXVALUE",
	NULL
};
static const char *const gap[] = {
	"p_before_2000='2000-01-01'", "p202001='2020-02-01'",
	"p_future=MAXVALUE", NULL
};

static void
test_parse(void)
{
	static const struct {
		const char	*name, *desc;
		int		 ok;
		const char	*bound;
	} cases[] = {
		{ "p_before_2000", "'2000-01-01'", 1, "2000-01-01" },
		{ "p202611", "'2026-12-01'", 1, "2026-12-01" },
		{ "p_future", "MAXVALUE", 1, "" },
		{ "p_future", "'2026-12-01'", 0, NULL },
		{ "p202611", "MAXVALUE", 0, NULL },
		{ "p202611", "2026-12-01", 0, NULL },
		{ "p202611", "'2026-12-01", 0, NULL },
		{ "p202611", "'2026-12-0x'", 0, NULL },
		{ "p2026111", "'2026-12-01'", 0, NULL },
		{ "p20261", "'2026-12-01'", 0, NULL },
		{ "pabcdef", "'2026-12-01'", 0, NULL },
		{ "q202611", "'2026-12-01'", 0, NULL },
		{ "p202611; DROP", "'2026-12-01'", 0, NULL },
		{ "p_archive", "'2026-12-01'", 0, NULL },
		{ NULL, "'2026-12-01'", 0, NULL },
		{ "p202611", NULL, 0, NULL },
	};
	struct partition	 p;
	size_t			 i;
	int			 ok;

	for (i = 0; i < NELEM(cases); i++) {
		memset(&p, 0, sizeof(p));
		ok = partitions_parse(cases[i].name, cases[i].desc, &p);
		CHECK(ok == cases[i].ok, "[%s %s] parsed %d",
		    cases[i].name ? cases[i].name : "(null)",
		    cases[i].desc ? cases[i].desc : "(null)", ok);
		if (ok && cases[i].ok) {
			CHECK_STR(cases[i].name, p.name, cases[i].name);
			CHECK_STR(cases[i].name, p.bound, cases[i].bound);
		}
	}
}

static void
test_add(void)
{
	static const struct {
		const char		*name;
		const char *const	*spec;
		const char		*now;
		size_t			 added;
		const char		*ddl;
	} cases[] = {
		{ "fresh table", fresh, "2026-11-30T23:59:59Z", 3,
		    "ALTER TABLE activity_events REORGANIZE PARTITION p_future"
		    " INTO (PARTITION p202611 VALUES LESS THAN ('2026-12-01'),"
		    " PARTITION p202612 VALUES LESS THAN ('2027-01-01'),"
		    " PARTITION p202701 VALUES LESS THAN ('2027-02-01'),"
		    " PARTITION p_future VALUES LESS THAN (MAXVALUE))" },
		{ "all there", ready, "2026-11-01T00:00:00Z", 0, "" },
		{ "a month later", ready, "2026-12-01T00:00:00Z", 1,
		    "ALTER TABLE activity_events REORGANIZE PARTITION p_future"
		    " INTO (PARTITION p202702 VALUES LESS THAN ('2027-03-01'),"
		    " PARTITION p_future VALUES LESS THAN (MAXVALUE))" },
		{ "across the year's end", fresh, "2026-12-31T12:00:00Z", 3,
		    "ALTER TABLE activity_events REORGANIZE PARTITION p_future"
		    " INTO (PARTITION p202612 VALUES LESS THAN ('2027-01-01'),"
		    " PARTITION p202701 VALUES LESS THAN ('2027-02-01'),"
		    " PARTITION p202702 VALUES LESS THAN ('2027-03-01'),"
		    " PARTITION p_future VALUES LESS THAN (MAXVALUE))" },
		{ "after years without a worker", gap, "2026-10-15T08:00:00Z", 3,
		    "ALTER TABLE activity_events REORGANIZE PARTITION p_future"
		    " INTO (PARTITION p202610 VALUES LESS THAN ('2026-11-01'),"
		    " PARTITION p202611 VALUES LESS THAN ('2026-12-01'),"
		    " PARTITION p202612 VALUES LESS THAN ('2027-01-01'),"
		    " PARTITION p_future VALUES LESS THAN (MAXVALUE))" },
	};
	struct partition	 parts[8];
	struct buf		 b;
	int64_t			 now;
	size_t			 i, n, added;

	for (i = 0; i < NELEM(cases); i++) {
		n = parts_of(cases[i].spec, parts);
		CHECK(util_parse_time(cases[i].now, &now), "[%s] time",
		    cases[i].name);
		buf_init(&b);
		buf_puts(&b, "");
		added = partitions_add_ddl(now, parts, n, PARTITIONS_AHEAD, &b);
		CHECK(added == cases[i].added, "[%s] added %zu, want %zu",
		    cases[i].name, added, cases[i].added);
		CHECK_STR(cases[i].name, b.data, cases[i].ddl);
		buf_cleanup(&b);
	}
}

static void
test_drop(void)
{
	static const char *const spec[] = {
		"p_before_2000='2000-01-01'", "p202608='2026-09-01'",
		"p202609='2026-10-01'", "p202610='2026-11-01'",
		"p202611='2026-12-01'", "p_future=MAXVALUE", NULL
	};
	static const struct {
		const char	*cutoff;
		size_t		 dropped;
		const char	*ddl;
	} cases[] = {
		{ "2026-08-31", 0, "" },
		{ "2026-09-01", 1,
		    "ALTER TABLE activity_events DROP PARTITION p202608" },
		{ "2026-10-26", 2,
		    "ALTER TABLE activity_events DROP PARTITION p202608, p202609" },
		/* A retention shorter than a month keeps the current one. */
		{ "2026-11-29", 3, "ALTER TABLE activity_events DROP PARTITION"
		    " p202608, p202609, p202610" },
		{ "9999-12-31", 4, "ALTER TABLE activity_events DROP PARTITION"
		    " p202608, p202609, p202610, p202611" },
	};
	struct partition	 parts[8];
	struct buf		 b;
	size_t			 i, n, dropped;

	n = parts_of(spec, parts);
	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b);
		buf_puts(&b, "");
		dropped = partitions_drop_ddl(cases[i].cutoff, parts, n, &b);
		CHECK(dropped == cases[i].dropped, "[%s] dropped %zu, want %zu",
		    cases[i].cutoff, dropped, cases[i].dropped);
		CHECK_STR(cases[i].cutoff, b.data, cases[i].ddl);
		buf_cleanup(&b);
	}
}

static void
log_capture(void *arg, const char *line, size_t len)
{
	buf_append(arg, line, len);
}

/* db_ddl refuses, and logs why, before it connects: no database is
 * needed here. */
static void
test_ddl_refused(void)
{
	static const char *const bad[] = {
		"ALTER TABLE activity_events DROP PARTITION p202608; DROP TABLE x",
		"ALTER TABLE activity_events DROP PARTITION p202608 -- x",
		"ALTER TABLE t /* x */ DROP PARTITION p1",
		"ALTER TABLE t REORGANIZE PARTITION p INTO (PARTITION q VALUES"
		    " LESS THAN ('2026-12-01))",
		"ALTER TABLE t DROP PARTITION `p1`",
		"ALTER TABLE t DROP PARTITION p1\\",
		"ALTER TABLE t DROP PARTITION p1\n",
		"ALTER TABLE t DROP PARTITION p1 # x",
	};
	struct conf	 conf;
	struct db	*db;
	size_t		 i;

	struct buf	 log;

	conf_init(&conf);
	db = db_new(&conf);
	CHECK(db != NULL, "db_new");
	buf_init(&log);
	log_set_sink(log_capture, &log);
	for (i = 0; db != NULL && i < NELEM(bad); i++) {
		log.len = 0;
		CHECK(db_ddl(db, bad[i]) == DB_ERROR && !db_connected(db) &&
		    log.len > 0, "[%s] not refused",
		    test_esc(bad[i], strlen(bad[i])));
	}
	log_set_sink(NULL, NULL);
	buf_cleanup(&log);
	db_free(db);
	conf_cleanup(&conf);
}

/* The "partitions" suite. */
void
test_partitions_register(void)
{
	static const struct test_def tests[] = {
		{ "partitions_parse takes only its own shapes", test_parse },
		{ "partitions_add_ddl: months ahead", test_add },
		{ "partitions_drop_ddl: months past the retention", test_drop },
		{ "db_ddl refuses anything but plain DDL", test_ddl_refused },
	};

	test_add_suite("partitions", NULL, NULL, tests, NELEM(tests));
}
