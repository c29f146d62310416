/*
 * schedule.c - local times in an IANA time zone (to be written).
 */
#include <string.h>

#include "checklists/checklists.h"

int schedule_tz_valid(const char *tz) { return tz != NULL && strcmp(tz, "UTC") == 0; }

int
schedule_parse_time(const char *s, int *h, int *m)
{
	(void)s, (void)h, (void)m;
	return 0;
}

int
schedule_due_times(const struct cl_schedule *sc, const char *tz, int64_t from,
    int64_t to, int64_t *out, size_t max, size_t *n)
{
	(void)sc, (void)tz, (void)from, (void)to, (void)out, (void)max;
	*n = 0;
	return 0;
}

int
schedule_local_date(const char *tz, int64_t ms, char out[11])
{
	(void)tz, (void)ms;
	out[0] = '\0';
	return 0;
}
