/*
 * log.c - one line per event. The FastCGI main points the sink at the
 * request's error stream, so lines land in the web server's error log;
 * elsewhere they go to stderr.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/core.h"

static log_sink_fn	 sink_fn;
static void		*sink_arg;
static enum log_level	 min_level = LOG_INFO;
static char		 prefix[32] = "mihwar";

void
log_set_sink(log_sink_fn fn, void *arg)
{
	sink_fn = fn;
	sink_arg = arg;
}

void
log_set_level(enum log_level lvl)
{
	min_level = lvl;
}

/* Level by name (debug, info, warn, error); unknown names mean info. */
void
log_set_level_name(const char *name)
{
	min_level = strcmp(name, "debug") == 0 ? LOG_DEBUG :
	    strcmp(name, "warn") == 0 ? LOG_WARN :
	    strcmp(name, "error") == 0 ? LOG_ERROR : LOG_INFO;
}

void
log_set_prefix(const char *p)
{
	snprintf(prefix, sizeof(prefix), "%s", p);
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	char		 line[2048];
	char		 ts[32];
	struct tm	 tm;
	time_t		 now;
	va_list		 ap;
	int		 n, m;

	if (lvl < min_level)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s %s[%s] ", ts, prefix,
	    names[lvl]);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	/* A truncated line still ends in a newline. */
	n = (m < 0) ? n : (m >= (int)sizeof(line) - n - 1 ?
	    (int)sizeof(line) - 2 : n + m);
	/* Outside text (a path with %0A) must not forge log lines. */
	for (m = 0; m < n; m++)
		if ((unsigned char)line[m] < 0x20 || line[m] == 0x7f)
			line[m] = '?';
	line[n++] = '\n';
	line[n] = '\0';
	if (sink_fn != NULL)
		sink_fn(sink_arg, line, (size_t)n);
	else {
		fputs(line, stderr);
		fflush(stderr);
	}
}
