/*
 * templates.c - checklist templates (to be written; 501 until then).
 */
#include "checklists/checklists.h"

const struct db_stmts cltemplates_stmts = { "cltemplates", NULL, 0, NULL, 0 };

void cltemplates_list(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void cltemplates_create(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void cltemplates_get(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void cltemplates_patch(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void cltemplates_delete(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }

int
cltemplates_write(struct db *db, long long org, const char *id,
    const struct cl_template_in *in, char out_id[37], char *why, size_t whysz)
{
	(void)db, (void)org, (void)id, (void)in, (void)why, (void)whysz;
	out_id[0] = '\0';
	return 501;
}

int
cltemplates_set_active(struct db *db, long long org, const char *id, int on)
{
	(void)db, (void)org, (void)id, (void)on;
	return 501;
}

int
cltemplates_remove(struct db *db, long long org, const char *id)
{
	(void)db, (void)org, (void)id;
	return 501;
}
