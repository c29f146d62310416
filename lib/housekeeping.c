/*
 * housekeeping.c - trimming what grows, and telling the operator how
 * big it is. The worker runs a pass once a minute (any worker may: every
 * step is a bounded DELETE that is safe to repeat anywhere); `mihwar-worker
 * --once-housekeeping` runs one and exits; `mihwarctl status` shows the
 * growing tables' sizes and oldest rows.
 *
 * A pass forgets expired idempotency keys and old rate windows; events
 * older than events_retention_days that are done with (every delivery
 * ended, delivered or failed for good; every consumer's cursor past them;
 * no consumer failure on record), their deliveries and, by cascade, the
 * deliveries' attempt log; parked consumer failures as old; sessions past
 * their absolute or idle bound; one-time links used or expired more than
 * a day ago; webhook-ids integrations received more than 10 minutes ago
 * (a replay that old fails the 5-minute timestamp window anyway). Each
 * DELETE takes at most HK_BATCH rows (one transaction;
 * events HK_EVENT_BATCH a transaction, with their deliveries), and a pass
 * at most HK_MAX_BATCHES of them per step, so that a backlog is worked
 * off over several passes without holding locks for long.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <json-c/json.h>

#include "mihwar.h"

#define HK_BATCH	1000	/* rows one DELETE takes */
#define HK_MAX_BATCHES	50	/* DELETEs of one step in one pass */
/* Events a transaction: each goes with its deliveries and their
 * attempts, so fewer of them. */
#define HK_EVENT_BATCH	100

/* Rate windows are kept past the longest one counted (sign-in's 15
 * minutes, onboarding's hour), or a window would be forgotten while it
 * is still counting and its limit would reset early. */
#define HK_RATE_KEEP_S	(2 * 3600)

enum housekeeping_sql_id {
	SQL_IDEM_EXPIRE, SQL_RATE_EXPIRE, SQL_EVENTS_DONE,
	SQL_EVENT_DELIVERIES_DELETE, SQL_EVENT_DELETE, SQL_FAILURES_EXPIRE,
	SQL_SESSIONS_EXPIRE, SQL_LINKS_EXPIRE, SQL_RECEIPTS_EXPIRE,
	/* mihwarctl status */
	SQL_TABLE_ROWS, SQL_OLDEST_EVENT, SQL_OLDEST_DELIVERY,
	SQL_OLDEST_ATTEMPT, SQL_OLDEST_FAILURE, SQL_OLDEST_SESSION,
	SQL_OLDEST_IDEM, SQL_OLDEST_RATE, SQL_OLDEST_LINK,
	SQL_OLDEST_HISTORY, SQL_OLDEST_ACTIVITY,
	HOUSEKEEPING_SQL__MAX
};

static const char *const housekeeping_sql[HOUSEKEEPING_SQL__MAX] = {
	[SQL_IDEM_EXPIRE] =
	    "DELETE FROM idempotency_keys WHERE expires_at < NOW(3) LIMIT ?",
	[SQL_RATE_EXPIRE] =
	    "DELETE FROM rate_counters WHERE window_start < ? LIMIT ?",
	/*
	 * Events that are done with: older than the retention (? days),
	 * every consumer's cursor past them, no consumer failure on record,
	 * no delivery still under way. Read through ix_event_created, so
	 * that only old events are looked at.
	 */
	[SQL_EVENTS_DONE] =
	    "SELECT e.id FROM events e FORCE INDEX (ix_event_created)"
	    " WHERE e.created_at < NOW(3) - INTERVAL ? DAY"
	    " AND e.id <= (SELECT MIN(c.last_event_id) FROM event_cursors c)"
	    " AND NOT EXISTS (SELECT 1 FROM event_failures f"
	    "  WHERE f.event_id = e.id)"
	    " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries u"
	    "  WHERE u.event_id = e.id AND u.state IN ('pending','delivering'))"
	    " ORDER BY e.created_at LIMIT ?",
	/* One such event's ended deliveries; their attempts go with them
	 * (fk_att_del cascades). A delivery sent again meanwhile (the
	 * console's redeliver) is pending, so it stays, and so does its
	 * event (below). */
	[SQL_EVENT_DELIVERIES_DELETE] =
	    "DELETE FROM webhook_deliveries WHERE event_id = ?"
	    " AND state IN ('succeeded','failed')",
	[SQL_EVENT_DELETE] =
	    "DELETE FROM events WHERE id = ?"
	    " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d"
	    "  WHERE d.event_id = events.id)"
	    " AND NOT EXISTS (SELECT 1 FROM event_failures f"
	    "  WHERE f.event_id = events.id)",
	/* A parked failure is kept as long as events are, then the event
	 * it names may go too. */
	[SQL_FAILURES_EXPIRE] =
	    "DELETE FROM event_failures WHERE state = 'parked'"
	    " AND last_failed_at < NOW(3) - INTERVAL ? DAY LIMIT ?",
	/* Past the bounds lib/auth/session.c checks: 12 h from sign-in,
	 * 2 h idle. */
	[SQL_SESSIONS_EXPIRE] =
	    "DELETE FROM sessions WHERE created_at <= NOW(3) - INTERVAL 12 HOUR"
	    " OR last_seen_at <= NOW(3) - INTERVAL 2 HOUR LIMIT ?",
	[SQL_LINKS_EXPIRE] =
	    "DELETE FROM user_links WHERE used_at < NOW(3) - INTERVAL 1 DAY"
	    " OR expires_at < NOW(3) - INTERVAL 1 DAY LIMIT ?",
	/* Past twice the receiving endpoint's 5-minute window. */
	[SQL_RECEIPTS_EXPIRE] =
	    "DELETE FROM integration_receipts"
	    " WHERE received_at < NOW(3) - INTERVAL 10 MINUTE LIMIT ?",
	/* InnoDB's estimate, which costs no scan. */
	[SQL_TABLE_ROWS] =
	    "SELECT TABLE_ROWS FROM information_schema.TABLES"
	    " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
	/* The oldest row of each table, through an index (the row with the
	 * lowest id where the time column has none: ids grow with time). */
	[SQL_OLDEST_EVENT] = "SELECT MIN(created_at) FROM events",
	[SQL_OLDEST_DELIVERY] =
	    "SELECT created_at FROM webhook_deliveries ORDER BY id LIMIT 1",
	[SQL_OLDEST_ATTEMPT] =
	    "SELECT started_at FROM webhook_attempts ORDER BY id LIMIT 1",
	[SQL_OLDEST_FAILURE] =
	    "SELECT first_failed_at FROM event_failures ORDER BY id LIMIT 1",
	[SQL_OLDEST_SESSION] = "SELECT MIN(created_at) FROM sessions",
	[SQL_OLDEST_IDEM] = "SELECT MIN(created_at) FROM idempotency_keys",
	[SQL_OLDEST_RATE] =
	    "SELECT FROM_UNIXTIME(MIN(window_start)) FROM rate_counters",
	[SQL_OLDEST_LINK] = "SELECT MIN(created_at) FROM user_links",
	/* A history line has a business date only: its batch's import time. */
	[SQL_OLDEST_HISTORY] =
	    "SELECT b.created_at FROM order_history_lines l"
	    " JOIN import_batches b ON b.id = l.batch_id ORDER BY l.id LIMIT 1",
	[SQL_OLDEST_ACTIVITY] =
	    "SELECT received_at FROM activity_events ORDER BY id LIMIT 1",
};

const struct db_stmts housekeeping_stmts = {
	"housekeeping", housekeeping_sql, HOUSEKEEPING_SQL__MAX, NULL, 0
};

/*
 * Run DELETE statement id, whose last parameter is its LIMIT (batch) and
 * whose others are arg (when has_arg), until it deletes fewer than batch
 * rows, at most HK_MAX_BATCHES times; the rows deleted, or -1 when it
 * failed.
 */
static long long
housekeeping_trim(struct db *db, enum housekeeping_sql_id id, long long batch,
    int has_arg, long long arg)
{
	long long	 total = 0, got;
	enum db_code	 code;
	int		 i;

	for (i = 0; i < HK_MAX_BATCHES; i++) {
		code = has_arg ? db_exec(db, housekeeping_sql[id],
		    DB_PARAMS(DB_INT(arg), DB_INT(batch))) :
		    db_exec(db, housekeeping_sql[id], DB_PARAMS(DB_INT(batch)));
		if (code != DB_OK) {
			log_warn("housekeeping: %s", db_errstr(db));
			return -1;
		}
		got = (long long)db_affected(db);
		total += got;
		if (got < batch)
			break;
	}
	return total;
}

/*
 * Delete one batch of events that are done with, each with its ended
 * deliveries and their attempts, in one transaction. The rows deleted
 * go to *events and *deliveries; returns how many events were found
 * (HK_EVENT_BATCH: there may be more), or -1 when the database failed.
 */
static long long
housekeeping_events_batch(struct db *db, long long days, long long *events,
    long long *deliveries)
{
	struct db_rows	*rows = NULL;
	long long	 id;
	size_t		 i;

	if (db_begin(db) != DB_OK)
		goto fail;
	if (db_query(db, &rows, housekeeping_sql[SQL_EVENTS_DONE],
	    DB_PARAMS(DB_INT(days), DB_INT(HK_EVENT_BATCH))) != DB_OK)
		goto fail;
	for (i = 0; i < rows->nrows; i++) {
		id = atoll(db_cell(rows, i, 0));
		if (db_exec(db, housekeeping_sql[SQL_EVENT_DELIVERIES_DELETE],
		    DB_PARAMS(DB_INT(id))) != DB_OK)
			goto fail;
		*deliveries += (long long)db_affected(db);
		if (db_exec(db, housekeeping_sql[SQL_EVENT_DELETE],
		    DB_PARAMS(DB_INT(id))) != DB_OK)
			goto fail;
		*events += (long long)db_affected(db);
	}
	if (db_commit(db) != DB_OK)
		goto fail;
	i = rows->nrows;
	db_rows_free(rows);
	return (long long)i;
fail:
	log_warn("housekeeping: events: %s", db_errstr(db));
	db_rollback(db);
	db_rows_free(rows);
	return -1;
}

/* Events past the retention, batch after batch (at most HK_MAX_BATCHES);
 * 1, or 0 when the database failed. */
static int
housekeeping_events(struct db *db, long long days, long long *events,
    long long *deliveries)
{
	long long	 found;
	int		 i;

	*events = *deliveries = 0;
	for (i = 0; i < HK_MAX_BATCHES; i++) {
		if ((found = housekeeping_events_batch(db, days, events,
		    deliveries)) < 0)
			return 0;
		if (found < HK_EVENT_BATCH)
			break;
	}
	return 1;
}

/*
 * One pass of every step, now. Each step's count (rows deleted, -1 when
 * it failed) goes to out[enum hk_step]; returns 1 when every step ran.
 */
int
housekeeping_run(struct db *db, const struct conf *conf,
    long long out[HK_STEPS__MAX])
{
	const long long	 days = conf->events_retention_days;
	const long long	 rate_before =
			    (long long)time(NULL) - HK_RATE_KEEP_S;
	size_t		 i;
	int		 ok = 1;

	out[HK_IDEM] = housekeeping_trim(db, SQL_IDEM_EXPIRE, HK_BATCH, 0, 0);
	out[HK_RATE] = housekeeping_trim(db, SQL_RATE_EXPIRE, HK_BATCH, 1,
	    rate_before);
	out[HK_FAILURES] = housekeeping_trim(db, SQL_FAILURES_EXPIRE,
	    HK_BATCH, 1, days);
	if (!housekeeping_events(db, days, &out[HK_EVENTS],
	    &out[HK_DELIVERIES]))
		out[HK_EVENTS] = out[HK_DELIVERIES] = -1;
	out[HK_SESSIONS] = housekeeping_trim(db, SQL_SESSIONS_EXPIRE,
	    HK_BATCH, 0, 0);
	out[HK_LINKS] = housekeeping_trim(db, SQL_LINKS_EXPIRE, HK_BATCH, 0, 0);
	out[HK_RECEIPTS] = housekeeping_trim(db, SQL_RECEIPTS_EXPIRE, HK_BATCH,
	    0, 0);
	for (i = 0; i < HK_STEPS__MAX; i++)
		ok = ok && out[i] >= 0;
	if (out[HK_EVENTS] > 0 || out[HK_DELIVERIES] > 0 ||
	    out[HK_SESSIONS] > 0 || out[HK_LINKS] > 0 || out[HK_FAILURES] > 0)
		log_info("housekeeping: deleted %lld events older than %lld "
		    "days, %lld of their deliveries (with their attempts), "
		    "%lld parked failures, %lld sessions, %lld one-time links",
		    out[HK_EVENTS], days, out[HK_DELIVERIES], out[HK_FAILURES],
		    out[HK_SESSIONS], out[HK_LINKS]);
	return ok;
}

/*
 * The worker's job: a pass once a minute. The cadence is per process;
 * the work is safe to repeat anywhere.
 */
int
housekeeping_job(struct db *db, const struct conf *conf)
{
	static time_t	 last;
	time_t		 now = time(NULL);
	long long	 counts[HK_STEPS__MAX];

	if (now - last < 60)
		return 0;
	last = now;
	(void)housekeeping_run(db, conf, counts);
	return 0;
}

/* The growing tables mihwarctl status shows, with their oldest row. */
static const struct {
	const char		*table;
	enum housekeeping_sql_id oldest;
} housekeeping_tables[] = {
	{ "events", SQL_OLDEST_EVENT },
	{ "event_failures", SQL_OLDEST_FAILURE },
	{ "webhook_deliveries", SQL_OLDEST_DELIVERY },
	{ "webhook_attempts", SQL_OLDEST_ATTEMPT },
	{ "sessions", SQL_OLDEST_SESSION },
	{ "idempotency_keys", SQL_OLDEST_IDEM },
	{ "rate_counters", SQL_OLDEST_RATE },
	{ "user_links", SQL_OLDEST_LINK },
	{ "order_history_lines", SQL_OLDEST_HISTORY },
	{ "activity_events", SQL_OLDEST_ACTIVITY },
};

/* One table's {"table", "rows", "oldest"}; NULL when the database failed. */
static struct json_object *
housekeeping_table_json(struct db *db, size_t t)
{
	struct db_rows		*count = NULL, *oldest = NULL;
	struct json_object	*o = NULL;
	const char		*name = housekeeping_tables[t].table;

	if (db_query(db, &count, housekeeping_sql[SQL_TABLE_ROWS],
	    DB_PARAMS(DB_STR(name))) != DB_OK || db_query(db, &oldest,
	    housekeeping_sql[housekeeping_tables[t].oldest], DB_NONE) != DB_OK)
		goto out;
	o = json_object_new_object();
	json_put_str(o, "table", name);
	json_object_object_add(o, "rows", json_object_new_int64(
	    count->nrows > 0 && db_cell(count, 0, 0) != NULL ?
	    atoll(db_cell(count, 0, 0)) : 0));
	json_object_object_add(o, "oldest", oldest->nrows > 0 ?
	    json_time(db_cell(oldest, 0, 0)) : NULL);
out:
	db_rows_free(count);
	db_rows_free(oldest);
	return o;
}

/*
 * The growing tables, each with its approximate row count (InnoDB's
 * estimate from information_schema.TABLES: no table is scanned) and the
 * time of its oldest row (null when empty), as {"rowsApproximate": true,
 * "tables": [...]}; the caller owns it. NULL when the database failed.
 */
struct json_object *
housekeeping_status_json(struct db *db)
{
	struct json_object	*o, *arr, *t;
	size_t			 i;

	arr = json_object_new_array();
	for (i = 0; i < sizeof(housekeeping_tables) /
	    sizeof(housekeeping_tables[0]); i++) {
		if ((t = housekeeping_table_json(db, i)) == NULL) {
			json_object_put(arr);
			return NULL;
		}
		json_object_array_add(arr, t);
	}
	o = json_object_new_object();
	json_object_object_add(o, "rowsApproximate",
	    json_object_new_boolean(1));
	json_object_object_add(o, "tables", arr);
	return o;
}
