/*
 * worker.c - the worker's loop: each tick records a heartbeat (so an
 * operator can see which workers are alive) and runs every job once.
 * Jobs pick their own work with row leases, so any number of workers on
 * any number of hosts can run side by side.
 */
#include <stdio.h>
#include <unistd.h>

#include "mihwar.h"

enum worker_sql_id {
	SQL_HEARTBEAT, WORKER_SQL__MAX
};

static const char *const worker_sql[WORKER_SQL__MAX] = {
	[SQL_HEARTBEAT] =
	    "INSERT INTO worker_heartbeats (worker_id, started_at, beat_at)"
	    " VALUES (?, NOW(3), NOW(3)) ON DUPLICATE KEY UPDATE beat_at = NOW(3)",
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

static int
worker_tick(struct db *db, const struct conf *conf, const char *id)
{
	size_t	 i;
	int	 done = 0;

	if (db_exec(db, worker_sql[SQL_HEARTBEAT],
	    DB_PARAMS(DB_STR(id))) != DB_OK)
		return 0;
	for (i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++)
		done += jobs[i](db, conf);
	return done;
}

/*
 * Run ticks until *stop is set (or once). Sleeps worker_poll_ms when a
 * tick found nothing to do; a database outage is waited out.
 */
void
worker_run(struct db *db, const struct conf *conf,
    volatile sig_atomic_t *stop, int once)
{
	const char	*id = util_host_pid();

	log_info("worker %s started", id);
	while (!*stop) {
		if (worker_tick(db, conf, id) == 0 && !once)
			usleep((useconds_t)conf->worker_poll_ms * 1000);
		if (once)
			break;
	}
	log_info("worker %s stopped", id);
}
