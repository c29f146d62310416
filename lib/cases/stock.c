/*
 * stock.c - the inventory system of invoice cases and SKU aliases (to be written; answers 501 until then).
 */
#include <string.h>

#include <json-c/json.h>

#include "cases/cases.h"


const struct db_stmts stock_stmts = { "stock", NULL, 0, NULL, 0 };

enum case_res
stock_integrate(struct case_step *s)
{
	s->code = "NOT_IMPLEMENTED";
	return CASE_REFUSED;
}

enum case_res
stock_rollback(struct case_step *s)
{
	(void)s;
	return CASE_NOTHING;
}

void aliases_list(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void aliases_create(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void aliases_delete(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
