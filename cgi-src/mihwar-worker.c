/*
 * mihwar-worker.c - the background worker (worker.c). Without a mode it
 * is a daemon that polls until SIGTERM or SIGINT. --once does what is
 * due and exits, within --max-seconds (50 by default, so that a cron
 * line every minute replaces the daemon); --once-housekeeping runs one
 * housekeeping pass (housekeeping.c), exiting 1 when a step failed.
 * --conf names the configuration file (else $MIHWAR_CONF, else
 * var/mihwar.conf).
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "mihwar.h"

#define WORKER_ONCE_SECONDS	50

static const char usage[] = "usage: mihwar-worker [--conf FILE] "
    "[--once [--max-seconds N] | --once-housekeeping]";

static volatile sig_atomic_t	 stopping;

struct worker_args {
	const char	*conf;
	int		 once, housekeeping;
	long long	 max_seconds;
};

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* 1 when argv makes sense, the options into a. */
static int
worker_args_parse(int argc, char *argv[], struct worker_args *a)
{
	int	 i, max_given = 0;

	memset(a, 0, sizeof(*a));
	a->max_seconds = WORKER_ONCE_SECONDS;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0)
			a->once = 1;
		else if (strcmp(argv[i], "--once-housekeeping") == 0)
			a->housekeeping = 1;
		else if (strcmp(argv[i], "--conf") == 0 && i + 1 < argc)
			a->conf = argv[++i];
		else if (strcmp(argv[i], "--max-seconds") == 0 &&
		    i + 1 < argc) {
			if (!util_strtonum(argv[++i], 1, 86400, &a->max_seconds))
				return 0;
			max_given = 1;
		} else
			return 0;
	}
	return !(a->once && a->housekeeping) && (!max_given || a->once);
}

int
main(int argc, char *argv[])
{
	struct worker_args	 a;
	struct conf		 conf;
	struct db		*db;
	struct sigaction	 sa;
	long long		 counts[HK_STEPS__MAX];
	int			 rc;

	log_set_prefix("mihwar-worker");
	if (!worker_args_parse(argc, argv, &a)) {
		log_error("%s", usage);
		return 2;
	}
	if (!boot_load(&conf, "mihwar-worker", a.conf))
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (!registry_init() || (db = db_new(&conf)) == NULL)
		return 1;
	if (a.housekeeping)
		rc = housekeeping_run(db, &conf, counts) ? 0 : 1;
	else
		rc = worker_run(db, &conf, &stopping, a.once, a.max_seconds);
	db_free(db);
	conf_cleanup(&conf);
	return rc;
}
