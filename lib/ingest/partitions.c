/*
 * partitions.c - activity_events is partitioned by month on occurred_at
 * (RANGE COLUMNS, migration 0011). The worker keeps this month and the
 * next PARTITIONS_AHEAD ready, by splitting p_future (which holds only
 * what is newer than every month, so the split moves next to nothing),
 * and drops each month whose every row is older than
 * ingest_retention_days: a DROP PARTITION, not millions of DELETEs.
 * `mihwarctl migrate` adds the months too, so events arriving right
 * after set-up land in their month, not in p_future.
 *
 * The first month a table gets also holds everything older (its range
 * starts where the partition before it ends), and is dropped once its
 * own month is past the retention.
 *
 * ALTER TABLE … PARTITION takes no bound parameter, so its text is built
 * here from dates and names this file computes from the clock and from
 * partitions it made itself (each read back is checked against the
 * shapes it makes), never from input, and run through db_ddl. A named
 * lock keeps workers on several hosts from altering the table at once.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest/ingest.h"

#define PARTITIONS_LOCK		"mihwar.activity_partitions"
#define PARTITIONS_EVERY_S	3600	/* how often a worker looks */
#define PARTITIONS_MAX		1200	/* a century of months */

enum partitions_sql_id {
	SQL_PART_LOCK, SQL_PART_UNLOCK, SQL_PART_LIST, PARTITIONS_SQL__MAX
};

static const char *const partitions_sql[PARTITIONS_SQL__MAX] = {
	/* Wait a little: another worker's turn takes a moment. */
	[SQL_PART_LOCK] =
	    "SELECT GET_LOCK('" PARTITIONS_LOCK "', 10)",
	[SQL_PART_UNLOCK] =
	    "SELECT RELEASE_LOCK('" PARTITIONS_LOCK "')",
	[SQL_PART_LIST] =
	    "SELECT PARTITION_NAME, PARTITION_DESCRIPTION"
	    " FROM information_schema.PARTITIONS"
	    " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'activity_events'"
	    " ORDER BY PARTITION_ORDINAL_POSITION",
};

const struct db_stmts partitions_stmts = {
	"partitions", partitions_sql, PARTITIONS_SQL__MAX, NULL, 0
};

/* 1 when s is n digits. */
static int
partitions_digits(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * A partition as information_schema lists it (name, description) into p;
 * 0 when it is none of the shapes this file makes: p_before_2000 or
 * pYYYYMM less than 'YYYY-MM-DD', p_future less than MAXVALUE.
 */
int
partitions_parse(const char *name, const char *desc, struct partition *p)
{
	size_t	 n = name ? strlen(name) : 0;

	if (name == NULL || desc == NULL)
		return 0;
	if (strcmp(name, "p_future") == 0) {
		if (strcmp(desc, "MAXVALUE") != 0)
			return 0;
		p->bound[0] = '\0';
	} else {
		if (!((n == 7 && name[0] == 'p' && partitions_digits(name + 1,
		    6)) || strcmp(name, "p_before_2000") == 0))
			return 0;
		/* '2026-12-01' */
		if (strlen(desc) != 12 || desc[0] != '\'' || desc[11] != '\'' ||
		    !partitions_digits(desc + 1, 4) || desc[5] != '-' ||
		    !partitions_digits(desc + 6, 2) || desc[8] != '-' ||
		    !partitions_digits(desc + 9, 2))
			return 0;
		memcpy(p->bound, desc + 1, 10);
		p->bound[10] = '\0';
	}
	memcpy(p->name, name, n + 1);
	return 1;
}

/*
 * The REORGANIZE that adds to parts (the table's partitions in order, the
 * last p_future) the months from the one holding now_ms to ahead months
 * after it that are not there yet, into out; how many it adds (0: none,
 * out untouched).
 */
size_t
partitions_add_ddl(int64_t now_ms, const struct partition *parts, size_t n,
    int ahead, struct buf *out)
{
	const char	*last = n >= 2 ? parts[n - 2].bound : "";
	time_t		 t = (time_t)(now_ms / 1000);
	struct tm	 tm;
	char		 bound[16];
	int		 k, y, m, ny, nm;
	size_t		 added = 0;

	gmtime_r(&t, &tm);
	for (k = 0; k <= ahead; k++) {
		y = tm.tm_year + 1900 + (tm.tm_mon + k) / 12;
		m = (tm.tm_mon + k) % 12 + 1;		/* 1..12 */
		ny = m == 12 ? y + 1 : y;
		nm = m == 12 ? 1 : m + 1;
		snprintf(bound, sizeof(bound), "%04d-%02d-01", ny, nm);
		if (strcmp(bound, last) <= 0)
			continue;	/* there already */
		buf_printf(out, "%sPARTITION p%04d%02d VALUES LESS THAN "
		    "('%s')", added == 0 ? "ALTER TABLE activity_events "
		    "REORGANIZE PARTITION p_future INTO (" : ", ", y, m, bound);
		added++;
	}
	if (added > 0)
		buf_puts(out, ", PARTITION p_future VALUES LESS THAN (MAXVALUE))");
	return added;
}

/*
 * The DROP of every month of parts whose bound is on or before cutoff
 * ("YYYY-MM-DD": all its rows are older) into out; how many (0: none,
 * out untouched). p_before_2000 and p_future are never dropped.
 */
size_t
partitions_drop_ddl(const char *cutoff, const struct partition *parts,
    size_t n, struct buf *out)
{
	size_t	 i, dropped = 0;

	for (i = 0; i < n; i++) {
		if (strlen(parts[i].name) != 7 || parts[i].bound[0] == '\0' ||
		    strcmp(parts[i].bound, cutoff) > 0)
			continue;
		buf_printf(out, "%s%s", dropped == 0 ? "ALTER TABLE "
		    "activity_events DROP PARTITION " : ", ", parts[i].name);
		dropped++;
	}
	return dropped;
}

/* The table's partitions, checked, into *parts (free it); how many, or
 * 0 when they cannot be read or are not all of the shapes made here. */
static size_t
partitions_read(struct db *db, struct partition **parts)
{
	struct db_rows	*r = NULL;
	size_t		 i, n = 0;

	*parts = NULL;
	if (db_query(db, &r, partitions_sql[SQL_PART_LIST], DB_NONE) != DB_OK)
		goto out;
	if (r->nrows < 1 || r->nrows > PARTITIONS_MAX ||
	    (*parts = calloc(r->nrows, sizeof(**parts))) == NULL)
		goto out;
	for (i = 0; i < r->nrows; i++)
		if (!partitions_parse(db_cell(r, i, 0), db_cell(r, i, 1),
		    &(*parts)[i])) {
			log_warn("partitions: activity_events has partition "
			    "%s, not one of ours: left as it is",
			    db_cell(r, i, 0) ? db_cell(r, i, 0) : "?");
			goto out;
		}
	/* p_future last: every month is split from it. */
	if ((*parts)[r->nrows - 1].bound[0] == '\0')
		n = r->nrows;
out:
	if (n == 0) {
		free(*parts);
		*parts = NULL;
	}
	db_rows_free(r);
	return n;
}

/* Run one statement of DDL built above; 1 when it ran. */
static int
partitions_apply(struct db *db, struct buf *ddl, const char *what)
{
	if (db_ddl(db, ddl->data) != DB_OK) {
		log_error("partitions: %s failed: %s", what, db_errstr(db));
		return 0;
	}
	log_info("partitions: %s", ddl->data);
	return 1;
}

/*
 * Under the named lock: add the months up to PARTITIONS_AHEAD, then,
 * when retention_days > 0, drop the months past it. How many statements
 * ran; -1 on a failure.
 */
static int
partitions_run(struct db *db, long long retention_days)
{
	struct db_rows		*r = NULL;
	struct partition	*parts = NULL;
	struct buf		 ddl;
	char			 cutoff[11];
	int64_t			 now = util_now_ms();
	size_t			 n;
	int			 done = 0;

	if (db_query(db, &r, partitions_sql[SQL_PART_LOCK], DB_NONE) !=
	    DB_OK || db_cell(r, 0, 0) == NULL ||
	    strcmp(db_cell(r, 0, 0), "1") != 0) {
		db_rows_free(r);
		log_warn("partitions: another worker holds the lock; next time");
		return -1;
	}
	db_rows_free(r);
	buf_init(&ddl);
	if ((n = partitions_read(db, &parts)) == 0)
		done = -1;
	else if (partitions_add_ddl(now, parts, n, PARTITIONS_AHEAD, &ddl) > 0)
		done = partitions_apply(db, &ddl, "add months") ? 1 : -1;
	if (done >= 0 && retention_days > 0) {
		/* Read again: the months just added are partitions now. */
		free(parts);
		ddl.len = 0;
		util_sql_date(now - retention_days * 86400000LL, cutoff);
		if ((n = partitions_read(db, &parts)) == 0)
			done = -1;
		else if (partitions_drop_ddl(cutoff, parts, n, &ddl) > 0)
			done = partitions_apply(db, &ddl, "drop months") ?
			    done + 1 : -1;
	}
	free(parts);
	buf_cleanup(&ddl);
	r = NULL;
	(void)db_query(db, &r, partitions_sql[SQL_PART_UNLOCK], DB_NONE);
	db_rows_free(r);
	return done;
}

/*
 * Make sure this month and the next PARTITIONS_AHEAD have partitions
 * (mihwarctl migrate). 1 when they have.
 */
int
partitions_ensure(struct db *db)
{
	return partitions_run(db, 0) >= 0;
}

/*
 * The worker's job, once an hour per worker (and at its first tick):
 * months ahead, and months past ingest_retention_days dropped. Safe to
 * run on every worker at once. Returns how many changes it made.
 */
int
partitions_job(struct db *db, const struct conf *conf)
{
	static time_t	 last;
	time_t		 now = time(NULL);
	int		 done;

	if (last != 0 && now - last < PARTITIONS_EVERY_S)
		return 0;
	last = now;
	done = partitions_run(db, conf->ingest_retention_days);
	if (done < 0)	/* the database away, say: again in a minute */
		last = now - PARTITIONS_EVERY_S + 60;
	return done > 0 ? done : 0;
}
