/*
 * worker.c - the worker's loop: each tick records a heartbeat (so an
 * operator can see which workers are alive) and runs every job once.
 * Jobs pick their own work with row leases, so any number of workers on
 * any number of hosts can run side by side.
 *
 * Two ways to run: the daemon ticks until it is told to stop; --once
 * (from cron, every minute) ticks until nothing is due or its time is
 * up. Both take the database's named lock mihwar-worker:<database>: a
 * --once run that finds it held (another --once run still busy, or a
 * daemon) stands aside at once, so cron runs never pile up. A daemon
 * runs whether or not it holds the lock (several daemons may share the
 * work); it takes the lock when it is free so that cron runs stand aside.
 * A named lock belongs to the connection: it is seen from every host
 * using the same server, needs no privilege, and goes when the process
 * dies (on Galera it is only seen on the node it was taken on).
 */
#include <stdio.h>
#include <unistd.h>

#include "mihwar.h"

/* A daemon that does not hold the lock tries again this often. */
#define WORKER_LOCK_RETRY_MS	10000
/* Heartbeats older than this are of workers gone (a cron run's pid is
 * new every minute): removed when a worker starts. */
#define WORKER_BEATS_KEEP	"1 DAY"

/* mihwar-worker:<database>; a lock name has at most 64 characters, so a
 * longer database name is named by its MD5. */
#define WORKER_LOCK_NAME	"CONCAT('mihwar-worker:', IF(LENGTH(DATABASE())" \
				" <= 50, DATABASE(), MD5(DATABASE())))"

enum worker_sql_id {
	SQL_HEARTBEAT, SQL_LOCK, SQL_BEATS_TRIM, WORKER_SQL__MAX
};

static const char *const worker_sql[WORKER_SQL__MAX] = {
	[SQL_HEARTBEAT] =
	    "INSERT INTO worker_heartbeats (worker_id, started_at, beat_at)"
	    " VALUES (?, NOW(3), NOW(3)) ON DUPLICATE KEY UPDATE beat_at = NOW(3)",
	/* 1 when this connection holds the lock (already, or now), 0 when
	 * another does. GET_LOCK only when not held: each GET_LOCK of a
	 * held lock would count once more. */
	[SQL_LOCK] =
	    "SELECT IF(IS_USED_LOCK(" WORKER_LOCK_NAME ") <=> CONNECTION_ID(),"
	    " 1, GET_LOCK(" WORKER_LOCK_NAME ", 0))",
	[SQL_BEATS_TRIM] =
	    "DELETE FROM worker_heartbeats"
	    " WHERE beat_at < NOW(3) - INTERVAL " WORKER_BEATS_KEEP " LIMIT 1000",
};

const struct db_stmts worker_stmts = {
	"worker", worker_sql, WORKER_SQL__MAX, NULL, 0
};

typedef int	(*worker_job_fn)(struct db *, const struct conf *);

/* The jobs; each returns how much work it did (0: idle). */
static const worker_job_fn	 jobs[] = {
	deliver_fanout_job,
	deliver_job,
	predict_job,
	integrate_auto_job,
	forders_recover_job,
	clinstances_job,
	housekeeping_job,
	partitions_job,
};

/*
 * Hold the lock: WORKER_LOCKED, WORKER_LOCK_BUSY (another connection
 * holds it) or WORKER_LOCK_FAILED (the database, logged).
 */
enum worker_lock { WORKER_LOCKED, WORKER_LOCK_BUSY, WORKER_LOCK_FAILED };

static enum worker_lock
worker_lock(struct db *db)
{
	struct db_rows		*rows;
	const char		*v;
	enum worker_lock	 res;

	if (db_query(db, &rows, worker_sql[SQL_LOCK], DB_NONE) != DB_OK) {
		log_error("worker: the lock: %s", db_errstr(db));
		return WORKER_LOCK_FAILED;
	}
	v = db_cell(rows, 0, 0);
	res = v != NULL && v[0] == '1' ? WORKER_LOCKED : WORKER_LOCK_BUSY;
	db_rows_free(rows);
	return res;
}

/*
 * One tick: the heartbeat, then each job while time is left (deadline
 * in ms, 0: none) and no stop was asked. Returns the work done, -1 when
 * the database could not be reached.
 */
static int
worker_tick(struct db *db, const struct conf *conf, const char *id,
    int64_t deadline, volatile sig_atomic_t *stop)
{
	size_t	 i;
	int	 done = 0;

	if (db_exec(db, worker_sql[SQL_HEARTBEAT],
	    DB_PARAMS(DB_STR(id))) != DB_OK) {
		log_error("worker %s: the heartbeat: %s", id, db_errstr(db));
		return -1;
	}
	for (i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
		if (*stop || (deadline > 0 && util_now_ms() >= deadline))
			break;
		done += jobs[i](db, conf);
	}
	return done;
}

static void
worker_trim_beats(struct db *db)
{
	if (db_exec(db, worker_sql[SQL_BEATS_TRIM], DB_NONE) != DB_OK)
		log_warn("worker: old heartbeats not removed: %s",
		    db_errstr(db));
}

/*
 * Tick until *stop is set, sleeping worker_poll_ms after a tick that
 * found nothing to do; a database outage is waited out. The lock is
 * taken when free (and again after a reconnect lost it).
 */
static void
worker_daemon(struct db *db, const struct conf *conf,
    volatile sig_atomic_t *stop, const char *id)
{
	int64_t	 next_try = 0, now;
	int	 held = 0;

	while (!*stop) {
		if ((now = util_now_ms()) >= next_try) {
			switch (worker_lock(db)) {
			case WORKER_LOCKED:
				if (!held)
					log_info("worker %s holds the lock: "
					    "--once runs stand aside", id);
				held = 1;
				break;
			case WORKER_LOCK_BUSY:
				if (held || next_try == 0)
					log_info("worker %s: another worker "
					    "holds the lock; running beside "
					    "it", id);
				held = 0;
				break;
			case WORKER_LOCK_FAILED:
				held = 0;
				break;
			}
			next_try = now + WORKER_LOCK_RETRY_MS;
		}
		if (worker_tick(db, conf, id, 0, stop) <= 0 && !*stop)
			usleep((useconds_t)conf->worker_poll_ms * 1000);
	}
}

/*
 * Tick until a tick finds nothing due, max_seconds pass or *stop is
 * set. The bound is checked between jobs: a job under way finishes (a
 * batch of deliveries, each with its own timeout). 0 when done or when
 * another worker holds the lock, 1 when the database failed.
 */
static int
worker_once(struct db *db, const struct conf *conf,
    volatile sig_atomic_t *stop, const char *id, long long max_seconds)
{
	int64_t		 start = util_now_ms();
	int64_t		 deadline = start + max_seconds * 1000;
	long long	 total = 0, ticks = 0;
	int		 done;

	switch (worker_lock(db)) {
	case WORKER_LOCKED:
		break;
	case WORKER_LOCK_BUSY:
		log_info("worker %s: another worker holds the lock "
		    "mihwar-worker:%s (a --once run still busy, or a daemon);"
		    " nothing to do", id, conf->db_name);
		return 0;
	case WORKER_LOCK_FAILED:
		return 1;
	}
	worker_trim_beats(db);
	do {
		if ((done = worker_tick(db, conf, id, deadline, stop)) < 0)
			return 1;
		total += done;
		ticks++;
	} while (done > 0 && !*stop && util_now_ms() < deadline);
	if (done > 0 && !*stop)
		log_warn("worker %s: stopped after its %lld seconds with work"
		    " still due; the next run goes on", id, max_seconds);
	log_msg(total > 0 ? LOG_INFO : LOG_DEBUG, "worker %s: --once did %lld"
	    " items of work in %lld ticks, %lld ms", id, total, ticks,
	    (long long)(util_now_ms() - start));
	return 0;
}

/*
 * Run the worker: as a daemon until *stop is set, or once (max_seconds
 * at most; see worker_once). Returns the process's exit status.
 */
int
worker_run(struct db *db, const struct conf *conf,
    volatile sig_atomic_t *stop, int once, long long max_seconds)
{
	const char	*id = util_host_pid();

	int		 rc = 0;

	if (once)
		rc = worker_once(db, conf, stop, id, max_seconds);
	else {
		log_info("worker %s started", id);
		worker_trim_beats(db);
		worker_daemon(db, conf, stop, id);
	}
	/* Deliveries in flight are finished, those in line handed back. */
	deliver_drain(db, conf);
	if (!once)
		log_info("worker %s stopped", id);
	return rc;
}
