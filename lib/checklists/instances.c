/*
 * instances.c - checklist instances (to be written; 501 until then).
 */
#include <stdio.h>

#include "checklists/checklists.h"

const struct db_stmts clinstances_stmts = { "clinstances", NULL, 0, NULL, 0 };

void clinstances_list(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void clinstances_complete(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }

int
clinstances_complete_ids(struct db *db, long long org, const char *id,
    const char *const *done, size_t ndone, const char *actor, const char *note,
    char *why, size_t whysz)
{
	(void)db, (void)org, (void)id, (void)done, (void)ndone, (void)actor;
	(void)note;
	snprintf(why, whysz, "not yet");
	return 501;
}
