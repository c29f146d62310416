/*
 * fusage.c - fulfillment usage (to be written; answers 501 until then).
 */
#include <string.h>

#include <json-c/json.h>

#include "fulfillment/fulfillment.h"

const struct db_stmts usage_fulfill_stmts = { "fusage", NULL, 0, NULL, 0 };

void usage_me(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }

enum db_code
usage_record(struct db *db, long long org, const char *kind, const char *ref)
{
	(void)db, (void)org, (void)kind, (void)ref;
	return DB_OK;
}
