/*
 * test_partitions.c - the worker's partition job on activity_events:
 * after set-up (mihwarctl migrate) and after a worker's tick, this month
 * and the next have partitions; a month older than ingest_retention_days
 * is dropped whole, its rows with it, while recent rows stay; and a month
 * inside the retention is kept. The old month is made here with SQL (as
 * the worker would have made it then) and filled with rows dated then;
 * the worker runs once (mihwar-worker --once) with the retention of the
 * harness's configuration (400 days), then with 30 days given as
 * MIHWAR_INGEST_RETENTION_DAYS.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

#define PARTS	"FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA ="	\
		" DATABASE() AND TABLE_NAME = 'activity_events'"

/* The name of the month k months from this one (UTC), pYYYYMM, and the
 * first day of the month after it, YYYY-MM-01; 16 bytes each. */
static void
month(int k, char *name, char *next_first)
{
	time_t		 t = time(NULL);
	struct tm	 tm;
	int		 m;

	gmtime_r(&t, &tm);
	m = tm.tm_year * 12 + tm.tm_mon + k;	/* months since 1900-01 */
	snprintf(name, 16, "p%04d%02d", (1900 + m / 12) % 10000, m % 12 + 1);
	m++;
	snprintf(next_first, 16, "%04d-%02d-01", (1900 + m / 12) % 10000,
	    m % 12 + 1);
}

static int
has_partition(const char *name)
{
	return db_long("SELECT COUNT(*) " PARTS " AND PARTITION_NAME = '%s'",
	    name) == 1;
}

/* Who holds the worker lock (a --once run stood aside): the connection,
 * and the workers running. */
static void
lock_holder(void)
{
	char	*out = NULL;

	if (sql_query("SELECT ID, USER, HOST, COMMAND, TIME, STATE FROM"
	    " information_schema.PROCESSLIST WHERE ID = IS_USED_LOCK(CONCAT("
	    "'mihwar-worker:', DATABASE()))", &out) == 0)
		fprintf(stderr, "  the lock's connection: %s\n",
		    out != NULL ? out : "none");
	free(out);
	fflush(stderr);
	if (system("ps -eo pid,lstart,args | grep '[m]ihwar-worker' >&2") != 0)
		fprintf(stderr, "  no mihwar-worker running\n");
}

/*
 * mihwar-worker --once (beside mihwarctl), with retention days when not
 * NULL; 1 when it exited 0 having run (not stood aside). A --once run
 * stands aside while another worker holds the worker lock: the stack's
 * daemon is stopped for it (and started again after; on a cluster,
 * every worker: cluster.sh stack-of), and a run of a
 * cron loop standing in for cron is waited out. Its output (the
 * first 4 KiB) is shown when it failed.
 */
static int
worker_once(const char *retention)
{
	char	 ctl[512], cmd[1200], buf[512], pidfile[600], conf[512];
	char	 said[4096] = "";
	FILE	*p;
	int	 st = -1, tries, aside = 1, daemon;
	size_t	 n;

	snprintf(ctl, sizeof(ctl), "%s", itest_env("MIHWAR_CTL"));
	snprintf(conf, sizeof(conf), "%s", itest_env("MIHWAR_CONF"));
	snprintf(pidfile, sizeof(pidfile), "%s/run/worker.pid", dirname(conf));
	if ((daemon = access(pidfile, F_OK) == 0))
		stack_run("worker-stop");
	snprintf(cmd, sizeof(cmd), "%s%s%s MIHWAR_CONF='%s' '%s/mihwar-worker'"
	    " --once 2>&1", retention ? "MIHWAR_INGEST_RETENTION_DAYS=" : "",
	    retention ? retention : "", retention ? " " : "",
	    itest_env("MIHWAR_CONF"), dirname(ctl));
	for (tries = 0; aside && tries < 140; tries++) {
		if (tries > 0)
			usleep(500 * 1000);
		if ((p = popen(cmd, "r")) == NULL)
			break;
		aside = 0;
		said[0] = '\0';
		while (fgets(buf, sizeof(buf), p) != NULL) {
			if (strstr(buf, "holds the lock") != NULL)
				aside = 1;
			n = strlen(said);
			snprintf(said + n, sizeof(said) - n, "  worker: %s",
			    buf);
		}
		st = pclose(p);
	}
	if (st != 0 || aside) {
		fprintf(stderr, "\n  mihwar-worker --once: status %d%s\n%s",
		    st, aside ? ", stood aside" : "", said);
		lock_holder();
	}
	if (daemon)
		stack_run("worker-start");
	return st == 0 && !aside;
}

static void
test_months_ahead(void)
{
	char	 now[16], next[16], after[16], first[16];

	month(0, now, first);
	month(1, next, first);
	month(2, after, first);
	/* mihwarctl migrate made them at set-up; the worker keeps them. */
	CU_ASSERT(has_partition(now));
	CU_ASSERT(has_partition(next));
	CU_ASSERT_FATAL(worker_once(NULL));
	CU_ASSERT(has_partition(now));
	CU_ASSERT(has_partition(next));
	CU_ASSERT(has_partition(after));
	CU_ASSERT(has_partition("p_future"));
	CU_ASSERT(has_partition("p_before_2000"));
}

/*
 * Split the month of rows dated old_day off the partition holding it:
 * old_name less than old_bound. 1 when that partition is there.
 */
static int
make_old_month(const char *old_day, const char *old_name,
    const char *old_bound)
{
	char	 sql[600], *out = NULL, name[64], bound[16];
	int	 ok = 0;

	snprintf(sql, sizeof(sql), "SELECT PARTITION_NAME,"
	    " REPLACE(PARTITION_DESCRIPTION, '''', '') " PARTS
	    " AND PARTITION_NAME <> 'p_future'"
	    " AND REPLACE(PARTITION_DESCRIPTION, '''', '') > '%s'"
	    " ORDER BY PARTITION_ORDINAL_POSITION LIMIT 1", old_day);
	if (sql_query(sql, &out) != 0 ||
	    sscanf(out, "%63s %15s", name, bound) != 2)
		goto out;
	if (strcmp(bound, old_bound) <= 0) {	/* a month as old is there */
		ok = strcmp(name, old_name) == 0 || has_partition(old_name);
		goto out;
	}
	snprintf(sql, sizeof(sql), "ALTER TABLE activity_events REORGANIZE"
	    " PARTITION %s INTO (PARTITION %s VALUES LESS THAN ('%s'),"
	    " PARTITION %s VALUES LESS THAN ('%s'))", name, old_name,
	    old_bound, name, bound);
	free(out);
	out = NULL;
	if (sql_query(sql, &out) != 0)
		fprintf(stderr, "\n  %s: %s", sql, out);
	ok = has_partition(old_name);
out:
	free(out);
	return ok;
}

static long
rows_between(long org, const char *from, const char *to)
{
	return db_long("SELECT COUNT(*) FROM activity_events WHERE org_id = %ld"
	    " AND occurred_at >= '%s' AND occurred_at < '%s'", org, from, to);
}

static void
test_retention(void)
{
	char	 org[64], old_day[11], old_name[16], old_bound[16], sql[700];
	char	 when[32];
	long	 org_id;
	int	 i;

	/* The month three before this one ends on the first of the month
	 * two before: 59 to 92 days ago, past 30 days and within 400. Rows
	 * 100 days old are in it. */
	month(-3, old_name, old_bound);
	utc_date(-100, old_day);
	CU_ASSERT_FATAL(fixture_org(org));
	CU_ASSERT_FATAL((org_id = db_org_id(org)) > 0);
	CU_ASSERT_FATAL(make_old_month(old_day, old_name, old_bound));
	for (i = 0; i < 5; i++) {
		/* Three rows 100 days old, two of now. */
		if (i < 3)
			snprintf(when, sizeof(when), "'%s 12:00:00'", old_day);
		else
			snprintf(when, sizeof(when), "NOW(3)");
		snprintf(sql, sizeof(sql), "INSERT INTO activity_events"
		    " (public_id, org_id, app_id, worker_id, event_type,"
		    " category, occurred_at) VALUES (UUID(), %ld, 0, 0,"
		    " 'retention.check', 'other', %s)", org_id, when);
		CU_ASSERT_FATAL(sql_query(sql, NULL) == 0);
	}
	CU_ASSERT(db_long("SELECT COUNT(*) FROM activity_events PARTITION (%s)"
	    " WHERE org_id = %ld", old_name, org_id) == 3);

	/* 400 days: the month stays. */
	CU_ASSERT_FATAL(worker_once(NULL));
	CU_ASSERT(has_partition(old_name));
	CU_ASSERT(rows_between(org_id, old_day, old_bound) == 3);

	/* 30 days: the month goes, with its rows; today's stay. */
	CU_ASSERT_FATAL(worker_once("30"));
	CU_ASSERT(!has_partition(old_name));
	CU_ASSERT(rows_between(org_id, old_day, old_bound) == 0);
	CU_ASSERT(rows_between(org_id, old_bound, "9999-12-31") == 2);
	CU_ASSERT(has_partition("p_future"));
	month(0, old_name, old_bound);
	CU_ASSERT(has_partition(old_name));	/* this month */
}

void
suite_partitions_register(void)
{
	CU_pSuite	 s = CU_add_suite("partitions", NULL, NULL);

	CU_add_test(s, "this month and the next two have partitions",
	    test_months_ahead);
	CU_add_test(s, "a month past ingest_retention_days is dropped whole",
	    test_retention);
}
