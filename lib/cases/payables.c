/*
 * payables.c - payables: vendors and bills (to be written; answers 501 until then).
 */
#include <string.h>

#include <json-c/json.h>

#include "cases/cases.h"


const struct db_stmts payables_stmts = { "payables", NULL, 0, NULL, 0 };

enum case_res
payables_integrate(struct case_step *s)
{
	s->code = "NOT_IMPLEMENTED";
	return CASE_REFUSED;
}

enum case_res
payables_rollback(struct case_step *s)
{
	(void)s;
	return CASE_NOTHING;
}

void vendors_list(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void vendors_get(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }

enum db_code
payables_case_bills(struct db *db, long long org, long long c, struct case_bills *b)
{
	(void)db, (void)org, (void)c;
	memset(b, 0, sizeof(*b));
	return DB_OK;
}

void payables_case_bills_cleanup(struct case_bills *b) { (void)b; }
