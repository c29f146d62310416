/*
 * payables.c - accounts payable: vendors with their balance, and the
 * bills that invoice cases post to them.
 *
 * Integrating a case finds its vendor (by the case's vendor_id, else by
 * exact name, created when new), locks it, refuses a second live bill
 * of that vendor and invoice number, writes a bill of the case's total
 * due 30 days after the invoice date, and raises the vendor's balance.
 * Rolling back voids the bill (it stays, readable, and no longer counts
 * as a duplicate) and lowers the balance by its amount.
 *
 * Lock order, everywhere: the case (taken by integrate.c), then the
 * vendor, then its bills. Every query is scoped by organization.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cases/cases.h"

#define VENDOR_ID_PREFIX	"vendor-"
#define BILL_ID_PREFIX		"bill-"
#define BILL_DUE_DAYS		"30"	/* the contract's default term */

/* The columns of a vendor in a list or on its own page. */
#define VENDOR_COLUMNS \
    "v.id, v.public_id, v.name, v.currency, v.balance," \
    " (SELECT COUNT(*) FROM ap_bills b WHERE b.vendor_id = v.id" \
    "  AND b.status = 'open'), v.created_at"

enum vendor_col {
	VC_ROWID, VC_ID, VC_NAME, VC_CURRENCY, VC_BALANCE, VC_OPEN,
	VC_CREATED
};

enum payables_sql_id {
	SQL_VENDOR_LOCK_PUBLIC, SQL_VENDOR_UPSERT, SQL_VENDOR_LOCK_ROW,
	SQL_VENDOR_RAISE, SQL_VENDOR_LOWER, SQL_BILL_SAME_NUMBER,
	SQL_BILL_INSERT, SQL_BILL_DUE, SQL_BILL_LIVE, SQL_BILL_VOID,
	SQL_VENDOR_LIST, SQL_VENDOR_GET, SQL_VENDOR_BILLS, SQL_CASE_BILLS,
	PAYABLES_SQL__MAX
};

static const char *const payables_sql[PAYABLES_SQL__MAX] = {
	[SQL_VENDOR_LOCK_PUBLIC] =
	    "SELECT id, public_id, currency FROM ap_vendors"
	    " WHERE org_id = ? AND public_id = ? FOR UPDATE",
	/* Creates the vendor or, when the name is taken, points
	 * LAST_INSERT_ID at it; either way the row is locked exclusively,
	 * so two cases of one new vendor cannot deadlock creating it. */
	[SQL_VENDOR_UPSERT] =
	    "INSERT INTO ap_vendors (public_id, org_id, name, currency)"
	    " VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)",
	[SQL_VENDOR_LOCK_ROW] =
	    "SELECT id, public_id, currency FROM ap_vendors"
	    " WHERE org_id = ? AND id = ? FOR UPDATE",
	[SQL_VENDOR_RAISE] =
	    "UPDATE ap_vendors SET balance = balance + ?"
	    " WHERE org_id = ? AND id = ?",
	[SQL_VENDOR_LOWER] =
	    "UPDATE ap_vendors SET balance = balance - ?"
	    " WHERE org_id = ? AND id = ?",
	/* live_number is NULL on a void bill: those never match. */
	[SQL_BILL_SAME_NUMBER] =
	    "SELECT c.public_id FROM ap_bills b"
	    " JOIN invoice_cases c ON c.id = b.case_id"
	    " WHERE b.org_id = ? AND b.vendor_id = ? AND b.live_number = ?"
	    " AND b.case_id <> ? LIMIT 1",
	[SQL_BILL_INSERT] =
	    "INSERT INTO ap_bills (public_id, org_id, vendor_id, case_id,"
	    " invoice_number, amount, currency, bill_date, due_date)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS DATE),"
	    " DATE_ADD(CAST(? AS DATE), INTERVAL " BILL_DUE_DAYS " DAY))",
	[SQL_BILL_DUE] =
	    "SELECT DATE_FORMAT(due_date, '%Y-%m-%d') FROM ap_bills"
	    " WHERE org_id = ? AND id = ?",
	[SQL_BILL_LIVE] =
	    "SELECT id, vendor_id, amount FROM ap_bills"
	    " WHERE org_id = ? AND live_case_id = ?",
	[SQL_BILL_VOID] =
	    "UPDATE ap_bills SET status = 'void', voided_at = NOW(3)"
	    " WHERE org_id = ? AND id = ? AND status <> 'void'",
	[SQL_VENDOR_LIST] =
	    "SELECT " VENDOR_COLUMNS " FROM ap_vendors v"
	    " WHERE v.org_id = ? AND v.id > ? ORDER BY v.id LIMIT ?",
	[SQL_VENDOR_GET] =
	    "SELECT " VENDOR_COLUMNS " FROM ap_vendors v"
	    " WHERE v.org_id = ? AND v.public_id = ?",
	[SQL_VENDOR_BILLS] =
	    "SELECT b.public_id, c.public_id, b.invoice_number, b.amount,"
	    " b.currency, DATE_FORMAT(b.bill_date, '%Y-%m-%d'),"
	    " DATE_FORMAT(b.due_date, '%Y-%m-%d'), b.status, b.created_at,"
	    " b.voided_at FROM ap_bills b JOIN invoice_cases c ON c.id = b.case_id"
	    " WHERE b.org_id = ? AND b.vendor_id = ? ORDER BY b.id DESC",
	[SQL_CASE_BILLS] =
	    "SELECT b.public_id, v.public_id, v.name, b.status,"
	    " DATE_FORMAT(b.due_date, '%Y-%m-%d'), b.created_at, b.voided_at,"
	    " b.amount FROM ap_bills b JOIN ap_vendors v ON v.id = b.vendor_id"
	    " WHERE b.org_id = ? AND b.case_id = ? ORDER BY b.id DESC",
};

const struct db_stmts payables_stmts = {
	"payables", payables_sql, PAYABLES_SQL__MAX, NULL, 0
};

/* The vendor a bill goes to, copied out of its (locked) row. */
struct ap_vendor {
	long long	 rowid;
	char		 id[CASE_PUBLIC_ID_LEN + 1];
	char		 currency[4];
};

static enum case_res
payables_refuse(struct case_step *s, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A permanent refusal: code and a sentence saying why. */
static enum case_res
payables_refuse(struct case_step *s, const char *code, const char *fmt, ...)
{
	va_list	 ap;

	s->code = code;
	va_start(ap, fmt);
	vsnprintf(s->message, sizeof(s->message), fmt, ap);
	va_end(ap);
	return CASE_REFUSED;
}

/* Lock the vendor row selected by sql (one of the SQL_VENDOR_LOCK_*)
 * and copy it into v; DB_NOTFOUND when there is none. */
static enum db_code
payables_vendor_lock(struct db *db, enum payables_sql_id sql,
    const struct db_param *p, size_t n, struct ap_vendor *v)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	if ((code = db_query(db, &rows, payables_sql[sql], p, n)) != DB_OK)
		return code;
	if (rows->nrows == 0)
		code = DB_NOTFOUND;
	else {
		v->rowid = atoll(db_cell(rows, 0, 0));
		snprintf(v->id, sizeof(v->id), "%s", db_cell(rows, 0, 1));
		snprintf(v->currency, sizeof(v->currency), "%s",
		    db_cell(rows, 0, 2));
	}
	db_rows_free(rows);
	return code;
}

/* The vendor named exactly like the case's, created (in the case's
 * currency) when the organization has none yet; locked. */
static enum db_code
payables_vendor_by_name(struct case_step *s, struct ap_vendor *v)
{
	char		 uuid[37], id[CASE_PUBLIC_ID_LEN];
	enum db_code	 code;

	crypto_uuid7(uuid);
	snprintf(id, sizeof(id), VENDOR_ID_PREFIX "%s", uuid);
	if ((code = db_exec(s->db, payables_sql[SQL_VENDOR_UPSERT], DB_PARAMS(
	    DB_STR(id), DB_INT(s->org_id), DB_STR(s->c->vendor_name),
	    DB_STR(s->c->currency)))) != DB_OK)
		return code;
	code = payables_vendor_lock(s->db, SQL_VENDOR_LOCK_ROW, DB_PARAMS(
	    DB_INT(s->org_id), DB_INT((long long)db_insert_id(s->db))), v);
	/* The row the upsert just locked cannot be missing. */
	return code == DB_NOTFOUND ? DB_ERROR : code;
}

/* The case's vendor, locked: by its vendor_id when the case names one
 * (refused with VENDOR_NOT_FOUND when this organization has no such
 * vendor), else by name. */
static enum case_res
payables_vendor(struct case_step *s, struct ap_vendor *v)
{
	const char	*ref = s->c->vendor_ref;
	enum db_code	 code;

	if (ref == NULL)
		code = payables_vendor_by_name(s, v);
	else if ((code = payables_vendor_lock(s->db, SQL_VENDOR_LOCK_PUBLIC,
	    DB_PARAMS(DB_INT(s->org_id), DB_STR(ref)), v)) == DB_NOTFOUND)
		return payables_refuse(s, "VENDOR_NOT_FOUND", "vendor_id: no "
		    "vendor %s in this organization", ref);
	if (code != DB_OK)
		return CASE_TRANSIENT;
	/* One balance holds one currency: mixing them would make it
	 * meaningless, and there is no exchange rate to convert with. */
	if (strcmp(v->currency, s->c->currency) != 0)
		return payables_refuse(s, "CURRENCY_MISMATCH", "vendor %s keeps "
		    "its balance in %s; the invoice is in %s", v->id,
		    v->currency, s->c->currency);
	return CASE_DONE;
}

/* Refuse when another case already holds a live bill of this vendor
 * and invoice number. The vendor lock keeps it so until commit. */
static enum case_res
payables_check_duplicate(struct case_step *s, const struct ap_vendor *v)
{
	struct db_rows	*rows = NULL;
	enum case_res	 res = CASE_DONE;

	if (db_query(s->db, &rows, payables_sql[SQL_BILL_SAME_NUMBER],
	    DB_PARAMS(DB_INT(s->org_id), DB_INT(v->rowid),
	    DB_STR(s->c->invoice_number), DB_INT(s->c->rowid))) != DB_OK)
		return CASE_TRANSIENT;
	if (rows->nrows > 0)
		res = payables_refuse(s, "DUPLICATE_BILL", "vendor %s already "
		    "has a bill for invoice %s (case %s)", v->id,
		    s->c->invoice_number, db_cell(rows, 0, 0));
	db_rows_free(rows);
	return res;
}

static enum case_res
payables_duplicate(struct case_step *s, const struct ap_vendor *v)
{
	return payables_refuse(s, "DUPLICATE_BILL", "vendor %s already has a "
	    "live bill for invoice %s", v->id, s->c->invoice_number);
}

/* Write the case's bill to v and raise v's balance by its amount; its
 * public id into id and its due date (YYYY-MM-DD) into due. */
static enum case_res
payables_bill_create(struct case_step *s, const struct ap_vendor *v,
    char id[CASE_PUBLIC_ID_LEN], char due[11])
{
	struct db_rows	*rows = NULL;
	char		 uuid[37], amount[DECIMAL_BUFSZ];
	long long	 rowid;
	enum db_code	 code;

	crypto_uuid7(uuid);
	snprintf(id, CASE_PUBLIC_ID_LEN, BILL_ID_PREFIX "%s", uuid);
	decimal_format(s->c->total, amount);
	code = db_exec(s->db, payables_sql[SQL_BILL_INSERT], DB_PARAMS(
	    DB_STR(id), DB_INT(s->org_id), DB_INT(v->rowid),
	    DB_INT(s->c->rowid), DB_STR(s->c->invoice_number), DB_STR(amount),
	    DB_STR(s->c->currency), DB_STR(s->c->invoice_date),
	    DB_STR(s->c->invoice_date)));
	/* A live bill of the same vendor and number, or of this case,
	 * that the check above could not see. */
	if (code == DB_CONSTRAINT)
		return payables_duplicate(s, v);
	if (code != DB_OK)
		return CASE_TRANSIENT;
	rowid = (long long)db_insert_id(s->db);
	if (db_exec(s->db, payables_sql[SQL_VENDOR_RAISE], DB_PARAMS(
	    DB_STR(amount), DB_INT(s->org_id), DB_INT(v->rowid))) != DB_OK ||
	    db_query(s->db, &rows, payables_sql[SQL_BILL_DUE], DB_PARAMS(
	    DB_INT(s->org_id), DB_INT(rowid))) != DB_OK || rows->nrows == 0) {
		db_rows_free(rows);
		return CASE_TRANSIENT;
	}
	snprintf(due, 11, "%s", db_cell(rows, 0, 0));
	db_rows_free(rows);
	return CASE_DONE;
}

/*
 * The AP system's step (integrate.c): post the case s->c as a bill of
 * its vendor, in the caller's transaction. On CASE_DONE s->result holds
 * bill_id, vendor_id, amount and due_date; a refusal (VENDOR_NOT_FOUND,
 * CURRENCY_MISMATCH, DUPLICATE_BILL) leaves its writes to the caller's
 * savepoint.
 */
enum case_res
payables_integrate(struct case_step *s)
{
	struct ap_vendor	 v;
	char			 id[CASE_PUBLIC_ID_LEN], due[11];
	enum case_res		 res;

	if ((res = payables_vendor(s, &v)) != CASE_DONE ||
	    (res = payables_check_duplicate(s, &v)) != CASE_DONE ||
	    (res = payables_bill_create(s, &v, id, due)) != CASE_DONE)
		return res;
	json_put_str(s->result, "bill_id", id);
	json_put_str(s->result, "vendor_id", v.id);
	json_object_object_add(s->result, "amount",
	    decimal_money_json(s->c->total));
	json_put_str(s->result, "due_date", due);
	return CASE_DONE;
}

/*
 * The AP system's rollback (integrate.c): void the case's live bill and
 * lower its vendor's balance by the bill's amount, in the caller's
 * transaction. CASE_NOTHING when the case has no live bill.
 */
enum case_res
payables_rollback(struct case_step *s)
{
	struct db_rows		*rows = NULL;
	struct ap_vendor	 v;
	enum case_res		 res = CASE_TRANSIENT;
	long long		 bill, vendor;

	/* The case is locked: nobody else changes its bill meanwhile. */
	if (db_query(s->db, &rows, payables_sql[SQL_BILL_LIVE], DB_PARAMS(
	    DB_INT(s->org_id), DB_INT(s->c->rowid))) != DB_OK)
		goto out;
	if (rows->nrows == 0) {
		res = CASE_NOTHING;
		goto out;
	}
	bill = atoll(db_cell(rows, 0, 0));
	vendor = atoll(db_cell(rows, 0, 1));
	/* The vendor before the bill, the order integrating takes. */
	if (payables_vendor_lock(s->db, SQL_VENDOR_LOCK_ROW, DB_PARAMS(
	    DB_INT(s->org_id), DB_INT(vendor)), &v) != DB_OK ||
	    db_exec(s->db, payables_sql[SQL_BILL_VOID], DB_PARAMS(
	    DB_INT(s->org_id), DB_INT(bill))) != DB_OK)
		goto out;
	if (db_affected(s->db) != 1) {
		res = CASE_NOTHING;
		goto out;
	}
	if (db_exec(s->db, payables_sql[SQL_VENDOR_LOWER], DB_PARAMS(
	    DB_STR(db_cell(rows, 0, 2)), DB_INT(s->org_id),
	    DB_INT(vendor))) == DB_OK)
		res = CASE_DONE;
out:
	db_rows_free(rows);
	return res;
}

/* A vendor row (VENDOR_COLUMNS) as the API shows it. */
static struct json_object *
payables_vendor_json(const struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object();

	json_put_str(o, "vendor_id", db_cell(rows, i, VC_ID));
	json_put_str(o, "name", db_cell(rows, i, VC_NAME));
	json_put_str(o, "currency", db_cell(rows, i, VC_CURRENCY));
	json_object_object_add(o, "balance",
	    decimal_sql_to_money_json(db_cell(rows, i, VC_BALANCE)));
	json_object_object_add(o, "open_bills", json_object_new_int64(
	    atoll(db_cell(rows, i, VC_OPEN))));
	json_object_object_add(o, "created_at",
	    json_time(db_cell(rows, i, VC_CREATED)));
	return o;
}

enum bill_col {
	BC_ID, BC_CASE, BC_NUMBER, BC_AMOUNT, BC_CURRENCY, BC_DATE, BC_DUE,
	BC_STATUS, BC_CREATED, BC_VOIDED
};

static struct json_object *
payables_bill_json(const struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object();

	json_put_str(o, "bill_id", db_cell(rows, i, BC_ID));
	json_put_str(o, "case_id", db_cell(rows, i, BC_CASE));
	json_put_str(o, "invoice_number", db_cell(rows, i, BC_NUMBER));
	json_object_object_add(o, "amount",
	    decimal_sql_to_money_json(db_cell(rows, i, BC_AMOUNT)));
	json_put_str(o, "currency", db_cell(rows, i, BC_CURRENCY));
	json_put_str(o, "bill_date", db_cell(rows, i, BC_DATE));
	json_put_str(o, "due_date", db_cell(rows, i, BC_DUE));
	json_put_str(o, "status", db_cell(rows, i, BC_STATUS));
	json_object_object_add(o, "created_at",
	    json_time(db_cell(rows, i, BC_CREATED)));
	json_object_object_add(o, "voided_at",
	    json_time(db_cell(rows, i, BC_VOIDED)));
	return o;
}

/* GET /api/vendors */
void
vendors_list(struct req *r)
{
	struct page	 pg;
	struct db_rows	*rows = NULL;

	if (!page_parse(r, &pg))
		return;
	if (db_query(r->db, &rows, payables_sql[SQL_VENDOR_LIST], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_INT(pg.after_id),
	    DB_INT(pg.limit + 1))) != DB_OK)
		req_resp_error(r, 503, NULL, "database unavailable");
	else
		page_respond_rows(r, rows, pg.limit, VC_ROWID,
		    payables_vendor_json);
	db_rows_free(rows);
}

/* GET /api/vendors/{id}: the vendor with every bill, void ones too,
 * newest first. */
void
vendors_get(struct req *r)
{
	struct db_rows		*v = NULL, *b = NULL;
	struct json_object	*o, *bills;
	size_t			 i;

	if (db_query(r->db, &v, payables_sql[SQL_VENDOR_GET], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_STR(r->args[0]))) != DB_OK)
		goto fail;
	if (v->nrows == 0) {
		req_resp_error(r, 404, "VENDOR_NOT_FOUND", "no vendor %s",
		    r->args[0]);
		goto out;
	}
	if (db_query(r->db, &b, payables_sql[SQL_VENDOR_BILLS], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_INT(atoll(db_cell(v, 0,
	    VC_ROWID))))) != DB_OK)
		goto fail;
	o = payables_vendor_json(v, 0);
	bills = json_object_new_array();
	for (i = 0; i < b->nrows; i++)
		json_object_array_add(bills, payables_bill_json(b, i));
	json_object_object_add(o, "bills", bills);
	req_resp_json(r, 200, o);
	goto out;
fail:
	req_resp_error(r, 503, NULL, "database unavailable");
out:
	db_rows_free(v);
	db_rows_free(b);
}

/* --- the view for the case page and the console ---------------------- */

enum case_bill_col {
	CB_ID, CB_VENDOR_ID, CB_VENDOR, CB_STATUS, CB_DUE, CB_CREATED,
	CB_VOIDED, CB_AMOUNT
};

/*
 * Every bill of the case (row id case_rowid) of org, void ones too,
 * newest first, with its vendor, into b; strings are borrowed from b
 * (created_at and voided_at as SQL DATETIME text, voided_at NULL while
 * live). Free with payables_case_bills_cleanup, also after a failure.
 */
enum db_code
payables_case_bills(struct db *db, long long org_id, long long case_rowid,
    struct case_bills *b)
{
	struct case_bill	*x;
	enum db_code		 code;

	memset(b, 0, sizeof(*b));
	if ((b->v = db_query_view(db, &b->rows, sizeof(*b->v), &code,
	    payables_sql[SQL_CASE_BILLS], DB_PARAMS(DB_INT(org_id),
	    DB_INT(case_rowid)))) == NULL)
		return code;
	for (; b->n < b->rows->nrows; b->n++) {
		x = &b->v[b->n];
		x->id = db_cell(b->rows, b->n, CB_ID);
		x->vendor_id = db_cell(b->rows, b->n, CB_VENDOR_ID);
		x->vendor_name = db_cell(b->rows, b->n, CB_VENDOR);
		x->status = db_cell(b->rows, b->n, CB_STATUS);
		x->due_date = db_cell(b->rows, b->n, CB_DUE);
		x->created_at = db_cell(b->rows, b->n, CB_CREATED);
		x->voided_at = db_cell(b->rows, b->n, CB_VOIDED);
		(void)decimal_parse(db_cell(b->rows, b->n, CB_AMOUNT),
		    &x->amount);
	}
	return DB_OK;
}

/* Free what payables_case_bills filled; safe on a zeroed b. */
void
payables_case_bills_cleanup(struct case_bills *b)
{
	free(b->v);
	db_rows_free(b->rows);
	memset(b, 0, sizeof(*b));
}
