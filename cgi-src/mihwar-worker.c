/*
 * mihwar-worker.c - the background worker: a poll loop over the jobs
 * libmihwar registers (worker.c). Stops cleanly on SIGTERM or SIGINT.
 * --once runs one tick; --once-housekeeping one housekeeping pass
 * (housekeeping.c), exiting 1 when a step of it failed.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "mihwar.h"

static volatile sig_atomic_t	 stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

int
main(int argc, char *argv[])
{
	struct conf		 conf;
	struct db		*db;
	struct sigaction	 sa;
	long long		 counts[HK_STEPS__MAX];
	int			 once = argc > 1 && strcmp(argv[1], "--once") == 0;
	int			 hk = argc > 1 &&
				    strcmp(argv[1], "--once-housekeeping") == 0;
	int			 rc = 0;

	if (argc > 2 || (argc > 1 && !once && !hk)) {
		log_error("usage: mihwar-worker [--once | --once-housekeeping]");
		return 2;
	}
	if (!boot_load(&conf, "mihwar-worker", NULL))
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (!registry_init() || (db = db_new(&conf)) == NULL)
		return 1;
	if (hk)
		rc = housekeeping_run(db, &conf, counts) ? 0 : 1;
	else
		worker_run(db, &conf, &stopping, once);
	db_free(db);
	conf_cleanup(&conf);
	return rc;
}
