/*
 * scheduler.c - the worker's checklist jobs (to be written).
 */
#include "checklists/checklists.h"

const struct db_stmts clscheduler_stmts = { "clscheduler", NULL, 0, NULL, 0 };

int
clinstances_job(struct db *db, const struct conf *conf)
{
	(void)db, (void)conf;
	return 0;
}

int
clinstances_tick(struct db *db, int64_t now_ms)
{
	(void)db, (void)now_ms;
	return 0;
}
