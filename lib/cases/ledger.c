/*
 * ledger.c - the ledger of invoice cases: each organization's chart of
 * accounts (seeded with Inventory, Tax Expense and Accounts Payable),
 * the journal entry an approved case posts (DR inventory the subtotal,
 * DR tax expense the tax, CR accounts payable the total, as ERPNext and
 * Odoo post a purchase invoice), its reversal, the entries list and the
 * trial balance. Amounts are fixed point in C and DECIMAL in SQL; an
 * entry whose debits and credits differ by one unit is never written.
 * Every query is scoped by organization.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cases/cases.h"

#define ENTRY_ID_PREFIX		"entry-"
#define LEDGER_MEMO_BYTES	2048	/* 500 characters of UTF-8 fit */

/* One row per line of each entry (an entry without lines gives one row
 * with NULL line columns), with the entry's fields on every row. */
#define ENTRY_COLUMNS \
    "e.id, e.public_id, c.public_id, r.public_id," \
    " DATE_FORMAT(e.entry_date, '%Y-%m-%d'), e.memo, e.currency," \
    " e.total_debits, e.total_credits, e.reversed_at, e.created_at," \
    " a.code, a.name, l.debit, l.credit"
#define ENTRY_JOINS \
    " LEFT JOIN invoice_cases c ON c.id = e.case_id" \
    " LEFT JOIN journal_entries r ON r.id = e.reverses_id" \
    " LEFT JOIN journal_lines l ON l.entry_id = e.id" \
    " LEFT JOIN ledger_accounts a ON a.id = l.account_id"

enum entry_col {
	EC_ROWID, EC_ID, EC_CASE, EC_REVERSES, EC_DATE, EC_MEMO, EC_CURRENCY,
	EC_DEBITS, EC_CREDITS, EC_REVERSED_AT, EC_CREATED_AT, EC_CODE,
	EC_NAME, EC_DEBIT, EC_CREDIT
};

enum ledger_sql_id {
	SQL_SEED, SQL_ACCOUNT_BY_CODE, SQL_ENTRY_INSERT, SQL_LINE_INSERT,
	SQL_LIVE_ENTRY, SQL_ENTRY_REVERSED, SQL_LINES_REVERSE,
	SQL_ENTRIES_PAGE, SQL_CASE_ENTRIES, SQL_TRIAL_BALANCE, LEDGER_SQL__MAX
};

static const char *const ledger_sql[LEDGER_SQL__MAX] = {
	/* The codes are the defaults of invoice_case_settings. */
	[SQL_SEED] =
	    "INSERT IGNORE INTO ledger_accounts (org_id, code, name, type)"
	    " VALUES (?, '1400', 'Inventory', 'asset'),"
	    " (?, '6300', 'Tax Expense', 'expense'),"
	    " (?, '2100', 'Accounts Payable', 'liability')",
	[SQL_ACCOUNT_BY_CODE] =
	    "SELECT id FROM ledger_accounts WHERE org_id = ? AND code = ?",
	[SQL_ENTRY_INSERT] =
	    "INSERT INTO journal_entries (public_id, org_id, case_id,"
	    " reverses_id, entry_date, memo, currency, total_debits,"
	    " total_credits, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[SQL_LINE_INSERT] =
	    "INSERT INTO journal_lines (entry_id, org_id, account_id, debit,"
	    " credit) VALUES (?, ?, ?, ?, ?)",
	/* The case's posting that is neither reversed nor a reversal. */
	[SQL_LIVE_ENTRY] =
	    "SELECT id, DATE_FORMAT(entry_date, '%Y-%m-%d'), memo, currency,"
	    " total_debits, total_credits FROM journal_entries"
	    " WHERE org_id = ? AND live_case_id = ? FOR UPDATE",
	[SQL_ENTRY_REVERSED] =
	    "UPDATE journal_entries SET reversed_at = NOW(3)"
	    " WHERE id = ? AND org_id = ? AND reversed_at IS NULL",
	/* The reversal's lines: the original's, debit and credit swapped. */
	[SQL_LINES_REVERSE] =
	    "INSERT INTO journal_lines (entry_id, org_id, account_id, debit,"
	    " credit, memo) SELECT ?, org_id, account_id, credit, debit, memo"
	    " FROM journal_lines WHERE entry_id = ? AND org_id = ? ORDER BY id",
	/* A page of entries (LIMIT counts entries, not lines), optionally
	 * of one case; an unknown case matches nothing. */
	[SQL_ENTRIES_PAGE] =
	    "SELECT " ENTRY_COLUMNS " FROM (SELECT x.* FROM journal_entries x"
	    "  WHERE x.org_id = ? AND x.id > ? AND (? IS NULL OR x.case_id ="
	    "  (SELECT id FROM invoice_cases WHERE org_id = ? AND public_id = ?))"
	    "  ORDER BY x.id LIMIT ?) e" ENTRY_JOINS
	    " ORDER BY e.id, l.id",
	[SQL_CASE_ENTRIES] =
	    "SELECT " ENTRY_COLUMNS " FROM journal_entries e" ENTRY_JOINS
	    " WHERE e.org_id = ? AND e.case_id = ? ORDER BY e.id, l.id",
	/* Per account, then one total row (kind 1), summed as DECIMAL in
	 * one statement so that both come from the same snapshot. */
	[SQL_TRIAL_BALANCE] =
	    "SELECT 0, a.code, a.name, a.type, COALESCE(SUM(l.debit), 0),"
	    " COALESCE(SUM(l.credit), 0),"
	    " COALESCE(SUM(l.debit), 0) - COALESCE(SUM(l.credit), 0), NULL"
	    " FROM ledger_accounts a LEFT JOIN journal_lines l"
	    " ON l.account_id = a.id AND l.org_id = a.org_id"
	    " WHERE a.org_id = ? GROUP BY a.id, a.code, a.name, a.type"
	    " UNION ALL"
	    " SELECT 1, NULL, NULL, NULL, COALESCE(SUM(debit), 0),"
	    " COALESCE(SUM(credit), 0),"
	    " COALESCE(SUM(debit), 0) - COALESCE(SUM(credit), 0),"
	    " COALESCE(SUM(debit), 0) = COALESCE(SUM(credit), 0)"
	    " FROM journal_lines WHERE org_id = ?"
	    " ORDER BY 1, 2",
};

const struct db_stmts ledger_stmts = {
	"ledger", ledger_sql, LEDGER_SQL__MAX, NULL, 0
};

/*
 * INSERT IGNORE the starting chart of org: 1400 Inventory (asset), 6300
 * Tax Expense (expense), 2100 Accounts Payable (liability). Accounts
 * already there are left as they are. In the caller's transaction.
 */
enum db_code
ledger_seed_accounts(struct db *db, long long org_id)
{
	return db_exec(db, ledger_sql[SQL_SEED], DB_PARAMS(DB_INT(org_id),
	    DB_INT(org_id), DB_INT(org_id)));
}

/* --- posting ---------------------------------------------------------- */

static enum case_res
ledger_refuse(struct case_step *s, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum case_res
ledger_refuse(struct case_step *s, const char *code, const char *fmt, ...)
{
	va_list	 ap;

	s->code = code;
	va_start(ap, fmt);
	vsnprintf(s->message, sizeof(s->message), fmt, ap);
	va_end(ap);
	return CASE_REFUSED;
}

/* One account of the mapping: role is its key under accounts in the
 * case settings, code the mapped code ("" when unset). */
struct ledger_account {
	const char	*role;
	char		 code[33];
	long long	 id;
};

/* Find the account mapped to a->role in org's chart into a->id. */
static enum case_res
ledger_find_account(struct case_step *s, struct ledger_account *a)
{
	struct db_rows	*rows = NULL;
	enum case_res	 res = CASE_DONE;

	if (a->code[0] == '\0')
		return ledger_refuse(s, "ACCOUNT_NOT_FOUND", "accounts.%s: no "
		    "account is mapped; set one with PUT /api/cases/settings",
		    a->role);
	if (db_query(s->db, &rows, ledger_sql[SQL_ACCOUNT_BY_CODE], DB_PARAMS(
	    DB_INT(s->org_id), DB_STR(a->code))) != DB_OK)
		res = CASE_TRANSIENT;
	else if (rows->nrows == 0)
		res = ledger_refuse(s, "ACCOUNT_NOT_FOUND", "accounts.%s: "
		    "account %s is not in the chart of accounts", a->role,
		    a->code);
	else
		a->id = atoll(db_cell(rows, 0, 0));
	db_rows_free(rows);
	return res;
}

/* A line of the entry about to be posted. */
struct ledger_line {
	long long	 account_id;
	int64_t		 debit, credit;
};
struct ledger_plan {
	struct ledger_line	 v[3];
	size_t			 n;
	int64_t			 debits, credits;
};

static void
ledger_plan_add(struct ledger_plan *p, long long account_id, int64_t debit,
    int64_t credit)
{
	p->v[p->n].account_id = account_id;
	p->v[p->n].debit = debit;
	p->v[p->n].credit = credit;
	p->n++;
	p->debits += debit;
	p->credits += credit;
}

/*
 * Seed the chart, read the mapping and find its accounts: inventory,
 * accounts_payable, and tax_expense when the invoice has tax (an
 * account the entry does not use is not asked for).
 */
static enum case_res
ledger_map_accounts(struct case_step *s, struct ledger_account acc[3])
{
	struct case_settings	 set;
	enum case_res		 res;
	size_t			 i;

	if (ledger_seed_accounts(s->db, s->org_id) != DB_OK ||
	    cases_settings_load(s->db, s->org_id, &set) != DB_OK)
		return CASE_TRANSIENT;
	memset(acc, 0, 3 * sizeof(*acc));
	acc[0].role = "inventory";
	acc[1].role = "tax_expense";
	acc[2].role = "accounts_payable";
	snprintf(acc[0].code, sizeof(acc[0].code), "%s",
	    set.account_inventory);
	snprintf(acc[1].code, sizeof(acc[1].code), "%s", set.account_tax);
	snprintf(acc[2].code, sizeof(acc[2].code), "%s",
	    set.account_payable);
	for (i = 0; i < 3; i++) {
		if (i == 1 && s->c->tax == 0)
			continue;
		if ((res = ledger_find_account(s, &acc[i])) != CASE_DONE)
			return res;
	}
	return CASE_DONE;
}

static enum db_code
ledger_insert_entry(struct case_step *s, const char *public_id,
    long long reverses_id, const char *date, const char *memo,
    const char *currency, int64_t debits, int64_t credits,
    long long *rowid)
{
	char		 d[DECIMAL_BUFSZ], c[DECIMAL_BUFSZ];
	enum db_code	 code;

	decimal_format(debits, d);
	decimal_format(credits, c);
	if ((code = db_exec(s->db, ledger_sql[SQL_ENTRY_INSERT], DB_PARAMS(
	    DB_STR(public_id), DB_INT(s->org_id), DB_INT(s->c->rowid),
	    DB_ID(reverses_id), DB_STR(date), DB_STR(memo), DB_STR(currency),
	    DB_STR(d), DB_STR(c), DB_STR(s->actor)))) == DB_OK)
		*rowid = (long long)db_insert_id(s->db);
	return code;
}

static enum db_code
ledger_insert_lines(struct case_step *s, long long entry_rowid,
    const struct ledger_plan *p)
{
	char		 d[DECIMAL_BUFSZ], c[DECIMAL_BUFSZ];
	enum db_code	 code;
	size_t		 i;

	for (i = 0; i < p->n; i++) {
		decimal_format(p->v[i].debit, d);
		decimal_format(p->v[i].credit, c);
		if ((code = db_exec(s->db, ledger_sql[SQL_LINE_INSERT],
		    DB_PARAMS(DB_INT(entry_rowid), DB_INT(s->org_id),
		    DB_INT(p->v[i].account_id), DB_STR(d), DB_STR(c)))) !=
		    DB_OK)
			return code;
	}
	return DB_OK;
}

static void
ledger_new_id(char out[CASE_PUBLIC_ID_LEN])
{
	char	 uuid[37];

	crypto_uuid7(uuid);
	snprintf(out, CASE_PUBLIC_ID_LEN, ENTRY_ID_PREFIX "%s", uuid);
}

/* Write the balanced plan p of the case as a new entry; its id into id. */
static enum case_res
ledger_post(struct case_step *s, const struct ledger_plan *p,
    char id[CASE_PUBLIC_ID_LEN])
{
	char		 memo[LEDGER_MEMO_BYTES];
	long long	 rowid = 0;
	enum db_code	 code;

	ledger_new_id(id);
	snprintf(memo, sizeof(memo), "Invoice %s from %s",
	    s->c->invoice_number, s->c->vendor_name);
	code = ledger_insert_entry(s, id, 0, s->c->invoice_date, memo,
	    s->c->currency, p->debits, p->credits, &rowid);
	/* uq_entry_live_case: the case already has a live posting. */
	if (code == DB_CONSTRAINT)
		return ledger_refuse(s, "ALREADY_INTEGRATED", "case %s already "
		    "has a journal entry; roll it back first", s->c->id);
	if (code != DB_OK || ledger_insert_lines(s, rowid, p) != DB_OK)
		return CASE_TRANSIENT;
	return CASE_DONE;
}

/*
 * Post the approved case s->c to the ledger: DR inventory = subtotal,
 * DR tax expense = tax (no line when it is 0), CR accounts payable =
 * total, dated the invoice's date, in its currency. ACCOUNT_NOT_FOUND
 * for an unmapped account or a code not in the chart, UNBALANCED_ENTRY
 * when debits and credits differ; either way nothing is written.
 */
enum case_res
ledger_integrate(struct case_step *s)
{
	const struct invoice_case	*c = s->c;
	struct ledger_account		 acc[3];
	struct ledger_plan		 p;
	enum case_res			 res;
	char				 id[CASE_PUBLIC_ID_LEN],
					 d[DECIMAL_BUFSZ], k[DECIMAL_BUFSZ];

	if ((res = ledger_map_accounts(s, acc)) != CASE_DONE)
		return res;
	memset(&p, 0, sizeof(p));
	ledger_plan_add(&p, acc[0].id, c->subtotal, 0);
	if (c->tax != 0)
		ledger_plan_add(&p, acc[1].id, c->tax, 0);
	ledger_plan_add(&p, acc[2].id, 0, c->total);
	if (p.debits != p.credits) {
		decimal_format_money(p.debits, d);
		decimal_format_money(p.credits, k);
		return ledger_refuse(s, "UNBALANCED_ENTRY", "debits %s (subtotal "
		    "+ tax) do not equal credits %s (total); nothing was "
		    "posted", d, k);
	}
	if ((res = ledger_post(s, &p, id)) != CASE_DONE)
		return res;
	json_put_str(s->result, "entry_id", id);
	json_object_object_add(s->result, "total_debits",
	    decimal_money_json(p.debits));
	json_object_object_add(s->result, "total_credits",
	    decimal_money_json(p.credits));
	json_object_object_add(s->result, "balanced",
	    json_object_new_boolean(1));
	return CASE_DONE;
}

/* --- reversal --------------------------------------------------------- */

/* Reverse the original entry (row 0 of live, locked): the reversal
 * swaps debits and credits, points at it, and is dated as it is, so
 * that the ledger nets to zero at every date (ERPNext's cancellation). */
static enum case_res
ledger_reverse(struct case_step *s, const struct db_rows *live)
{
	long long	 orig = atoll(db_cell(live, 0, 0)), rowid = 0;
	char		 id[CASE_PUBLIC_ID_LEN], memo[LEDGER_MEMO_BYTES];

	ledger_new_id(id);
	snprintf(memo, sizeof(memo), "Reversal of %s", db_cell(live, 0, 2));
	if (db_exec(s->db, ledger_sql[SQL_ENTRY_REVERSED], DB_PARAMS(
	    DB_INT(orig), DB_INT(s->org_id))) != DB_OK ||
	    ledger_insert_entry(s, id, orig, db_cell(live, 0, 1), memo,
	    db_cell(live, 0, 3), decimal_sql(db_cell(live, 0, 5)),
	    decimal_sql(db_cell(live, 0, 4)), &rowid) != DB_OK ||
	    db_exec(s->db, ledger_sql[SQL_LINES_REVERSE], DB_PARAMS(
	    DB_INT(rowid), DB_INT(orig), DB_INT(s->org_id))) != DB_OK)
		return CASE_TRANSIENT;
	json_put_str(s->result, "entry_id", id);
	return CASE_DONE;
}

/*
 * Roll the case's live posting back with a reversing entry; the
 * original stays, marked reversed. CASE_NOTHING when the case has no
 * live posting.
 */
enum case_res
ledger_rollback(struct case_step *s)
{
	struct db_rows	*live = NULL;
	enum case_res	 res;

	if (db_query(s->db, &live, ledger_sql[SQL_LIVE_ENTRY], DB_PARAMS(
	    DB_INT(s->org_id), DB_INT(s->c->rowid))) != DB_OK)
		res = CASE_TRANSIENT;
	else if (live->nrows == 0)
		res = CASE_NOTHING;
	else
		res = ledger_reverse(s, live);
	db_rows_free(live);
	return res;
}

/* --- reading entries -------------------------------------------------- */

/* Start entry e->v[e->n] from row i. */
static struct case_entry *
ledger_entry_add(struct case_entries *e, size_t i, size_t nlines)
{
	const struct db_rows	*rows = e->rows;
	struct case_entry	*en = &e->v[e->n++];

	en->rowid = atoll(db_cell(rows, i, EC_ROWID));
	en->id = db_cell(rows, i, EC_ID);
	en->case_id = db_cell(rows, i, EC_CASE);
	en->reverses_id = db_cell(rows, i, EC_REVERSES);
	en->entry_date = db_cell(rows, i, EC_DATE);
	en->memo = db_cell(rows, i, EC_MEMO);
	en->currency = db_cell(rows, i, EC_CURRENCY);
	en->total_debits = decimal_sql(db_cell(rows, i, EC_DEBITS));
	en->total_credits = decimal_sql(db_cell(rows, i, EC_CREDITS));
	en->reversed_at = db_cell(rows, i, EC_REVERSED_AT);
	en->created_at = db_cell(rows, i, EC_CREATED_AT);
	en->lines = &e->lines[nlines];
	return en;
}

/* Run sql (rows of ENTRY_COLUMNS, by entry then line) into e. */
static enum db_code
ledger_entries_query(struct db *db, struct case_entries *e, const char *sql,
    const struct db_param *params, size_t nparams)
{
	struct case_entry	*en = NULL;
	struct case_entry_line	*l;
	enum db_code		 code;
	size_t			 i, nlines = 0;

	memset(e, 0, sizeof(*e));
	if ((e->v = db_query_view(db, &e->rows, sizeof(*e->v), &code, sql,
	    params, nparams)) == NULL)
		return code;
	if ((e->lines = calloc(e->rows->nrows ? e->rows->nrows : 1,
	    sizeof(*e->lines))) == NULL)
		return DB_ERROR;
	for (i = 0; i < e->rows->nrows; i++) {
		if (en == NULL ||
		    en->rowid != atoll(db_cell(e->rows, i, EC_ROWID)))
			en = ledger_entry_add(e, i, nlines);
		if (db_cell(e->rows, i, EC_DEBIT) == NULL)
			continue;	/* an entry without lines */
		l = &e->lines[nlines++];
		l->account_code = db_cell(e->rows, i, EC_CODE);
		l->account_name = db_cell(e->rows, i, EC_NAME);
		l->debit = decimal_sql(db_cell(e->rows, i, EC_DEBIT));
		l->credit = decimal_sql(db_cell(e->rows, i, EC_CREDIT));
		en->nlines++;
	}
	return DB_OK;
}

/*
 * Every journal entry of the case (row id) of org, originals and
 * reversals, oldest first, each with its lines, into e; its strings are
 * borrowed from e. Free with ledger_case_entries_cleanup, also after a
 * failure.
 */
enum db_code
ledger_case_entries(struct db *db, long long org_id, long long case_rowid,
    struct case_entries *e)
{
	return ledger_entries_query(db, e, ledger_sql[SQL_CASE_ENTRIES],
	    DB_PARAMS(DB_INT(org_id), DB_INT(case_rowid)));
}

/* Free what ledger_case_entries filled; safe on a zeroed e. */
void
ledger_case_entries_cleanup(struct case_entries *e)
{
	free(e->lines);
	free(e->v);
	db_rows_free(e->rows);
	memset(e, 0, sizeof(*e));
}

static struct json_object *
ledger_entry_json(const struct case_entry *en)
{
	struct json_object	*o = json_object_new_object(), *a, *l;
	size_t			 i;

	json_put_str(o, "entry_id", en->id);
	json_put_str(o, "case_id", en->case_id);
	json_put_str(o, "reverses_entry_id", en->reverses_id);
	json_put_str(o, "entry_date", en->entry_date);
	json_put_str(o, "memo", en->memo);
	json_put_str(o, "currency", en->currency);
	json_object_object_add(o, "total_debits",
	    decimal_money_json(en->total_debits));
	json_object_object_add(o, "total_credits",
	    decimal_money_json(en->total_credits));
	a = json_object_new_array();
	for (i = 0; i < en->nlines; i++) {
		l = json_object_new_object();
		json_put_str(l, "account_code", en->lines[i].account_code);
		json_put_str(l, "account_name", en->lines[i].account_name);
		json_object_object_add(l, "debit",
		    decimal_money_json(en->lines[i].debit));
		json_object_object_add(l, "credit",
		    decimal_money_json(en->lines[i].credit));
		json_object_array_add(a, l);
	}
	json_object_object_add(o, "lines", a);
	json_object_object_add(o, "reversed_at", json_time(en->reversed_at));
	json_object_object_add(o, "created_at", json_time(en->created_at));
	return o;
}

/* GET /api/accounting/entries[?case_id=] */
void
ledger_entries_list(struct req *r)
{
	struct case_entries	 e;
	struct json_object	*arr;
	struct page		 pg;
	char			*case_id = NULL;
	size_t			 i, n;

	if (!page_parse(r, &pg) ||
	    !query_string(r, "case_id", CASE_PUBLIC_ID_LEN - 1, &case_id))
		return;
	if (ledger_entries_query(r->db, &e, ledger_sql[SQL_ENTRIES_PAGE],
	    DB_PARAMS(DB_INT(r->principal.org_id), DB_INT(pg.after_id),
	    DB_STR(case_id), DB_INT(r->principal.org_id), DB_STR(case_id),
	    DB_INT(pg.limit + 1))) != DB_OK)
		req_resp_error(r, 503, NULL, "database unavailable");
	else {
		/* One entry more than the page shows that more follow. */
		n = e.n > (size_t)pg.limit ? (size_t)pg.limit : e.n;
		arr = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(arr, ledger_entry_json(&e.v[i]));
		page_respond(r, arr, n ? e.v[n - 1].rowid : 0, e.n > n);
	}
	ledger_case_entries_cleanup(&e);
	free(case_id);
}

enum trial_col {
	TC_KIND, TC_CODE, TC_NAME, TC_TYPE, TC_DEBIT, TC_CREDIT, TC_BALANCE,
	TC_BALANCED
};

/* One account of the trial balance; balance is debit minus credit, so
 * a credit balance (payables) is negative and the balances sum to 0. */
static struct json_object *
ledger_account_json(const struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object();

	json_put_str(o, "code", db_cell(rows, i, TC_CODE));
	json_put_str(o, "name", db_cell(rows, i, TC_NAME));
	json_put_str(o, "type", db_cell(rows, i, TC_TYPE));
	json_object_object_add(o, "debit",
	    decimal_sql_to_money_json(db_cell(rows, i, TC_DEBIT)));
	json_object_object_add(o, "credit",
	    decimal_sql_to_money_json(db_cell(rows, i, TC_CREDIT)));
	json_object_object_add(o, "balance",
	    decimal_sql_to_money_json(db_cell(rows, i, TC_BALANCE)));
	return o;
}

/* GET /api/accounting/trial-balance: every account of the chart with
 * the sums of its lines, and the totals of all lines. */
void
ledger_trial_balance(struct req *r)
{
	struct db_rows		*rows = NULL;
	struct json_object	*o, *accounts;
	size_t			 i;

	if (db_query(r->db, &rows, ledger_sql[SQL_TRIAL_BALANCE], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_INT(r->principal.org_id))) !=
	    DB_OK || rows->nrows == 0) {
		req_resp_error(r, 503, NULL, "database unavailable");
		db_rows_free(rows);
		return;
	}
	o = json_object_new_object();
	accounts = json_object_new_array();
	json_object_object_add(o, "accounts", accounts);
	for (i = 0; i < rows->nrows; i++) {
		if (strcmp(db_cell(rows, i, TC_KIND), "0") == 0) {
			json_object_array_add(accounts,
			    ledger_account_json(rows, i));
			continue;
		}
		json_object_object_add(o, "total_debits",
		    decimal_sql_to_money_json(db_cell(rows, i, TC_DEBIT)));
		json_object_object_add(o, "total_credits",
		    decimal_sql_to_money_json(db_cell(rows, i, TC_CREDIT)));
		json_object_object_add(o, "balanced", json_object_new_boolean(
		    strcmp(db_cell(rows, i, TC_BALANCED), "1") == 0));
	}
	req_resp_json(r, 200, o);
	db_rows_free(rows);
}
