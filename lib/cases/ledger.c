/*
 * ledger.c - the ledger: chart of accounts, journal entries, trial balance (to be written; answers 501 until then).
 */
#include <string.h>

#include <json-c/json.h>

#include "cases/cases.h"


const struct db_stmts ledger_stmts = { "ledger", NULL, 0, NULL, 0 };

enum case_res
ledger_integrate(struct case_step *s)
{
	s->code = "NOT_IMPLEMENTED";
	return CASE_REFUSED;
}

enum case_res
ledger_rollback(struct case_step *s)
{
	(void)s;
	return CASE_NOTHING;
}

void ledger_entries_list(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void ledger_trial_balance(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }

enum db_code ledger_seed_accounts(struct db *db, long long org) { (void)db, (void)org; return DB_OK; }

enum db_code
ledger_case_entries(struct db *db, long long org, long long c, struct case_entries *e)
{
	(void)db, (void)org, (void)c;
	memset(e, 0, sizeof(*e));
	return DB_OK;
}

void ledger_case_entries_cleanup(struct case_entries *e) { (void)e; }
