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
