/*
 * cases.c - invoice cases: created from a supplier invoice (validated to
 * the cent), listed, read with each system's state and the audit log,
 * approved or rejected once, and the organization's case settings.
 * Every state change is in the case's audit log, in the transaction of
 * the change. Every query is scoped by organization.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cases/cases.h"

#define CASE_COLUMNS \
    "c.id, c.public_id, c.status, c.invoice_number," \
    " DATE_FORMAT(c.invoice_date, '%Y-%m-%d'), c.vendor_name, c.vendor_ref," \
    " c.currency, c.subtotal, c.tax, c.total, c.created_by, c.created_at," \
    " c.decided_by, c.decided_at, c.decision_note," \
    " (SELECT COUNT(*) FROM invoice_case_lines l WHERE l.case_id = c.id)"

enum case_col {
	CC_ROWID, CC_ID, CC_STATUS, CC_NUMBER, CC_DATE, CC_VENDOR, CC_VREF,
	CC_CURRENCY, CC_SUBTOTAL, CC_TAX, CC_TOTAL, CC_CREATED_BY,
	CC_CREATED_AT, CC_DECIDED_BY, CC_DECIDED_AT, CC_NOTE, CC_NLINES
};

enum cases_sql_id {
	SQL_CASE_INSERT, SQL_LINE_INSERT, SQL_CASE_BY_ID, SQL_CASE_LOCK,
	SQL_CASE_LINES, SQL_CASE_LIST, SQL_CASE_SET_STATUS, SQL_CASE_DECIDE,
	SQL_AUDIT_INSERT, SQL_AUDIT_LIST, SQL_SETTINGS_ENSURE, SQL_SETTINGS_GET,
	SQL_SETTINGS_PUT, CASES_SQL__MAX
};

static const char *const cases_sql[CASES_SQL__MAX] = {
	[SQL_CASE_INSERT] =
	    "INSERT INTO invoice_cases (public_id, org_id, invoice_number,"
	    " invoice_date, vendor_name, vendor_ref, vendor_key, currency,"
	    " subtotal, tax, total, created_by)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[SQL_LINE_INSERT] =
	    "INSERT INTO invoice_case_lines (case_id, org_id, line_no, sku,"
	    " description, quantity, unit_price, line_total)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[SQL_CASE_BY_ID] =
	    "SELECT " CASE_COLUMNS " FROM invoice_cases c"
	    " WHERE c.org_id = ? AND c.public_id = ?",
	[SQL_CASE_LOCK] =
	    "SELECT " CASE_COLUMNS " FROM invoice_cases c"
	    " WHERE c.org_id = ? AND c.public_id = ? FOR UPDATE",
	[SQL_CASE_LINES] =
	    "SELECT line_no, sku, description, quantity, unit_price, line_total"
	    " FROM invoice_case_lines WHERE case_id = ? ORDER BY line_no",
	[SQL_CASE_LIST] =
	    "SELECT " CASE_COLUMNS " FROM invoice_cases c"
	    " WHERE c.org_id = ? AND c.id > ? AND (? IS NULL OR c.status = ?)"
	    " ORDER BY c.id LIMIT ?",
	[SQL_CASE_SET_STATUS] =
	    "UPDATE invoice_cases SET status = ? WHERE id = ?",
	[SQL_CASE_DECIDE] =
	    "UPDATE invoice_cases SET status = ?, decided_by = ?,"
	    " decided_at = NOW(3), decision_note = ? WHERE id = ?",
	[SQL_AUDIT_INSERT] =
	    "INSERT INTO invoice_case_audit (case_id, org_id, actor, action,"
	    " result, detail) VALUES (?, ?, ?, ?, ?, ?)",
	[SQL_AUDIT_LIST] =
	    "SELECT actor, action, result, detail, created_at"
	    " FROM invoice_case_audit WHERE case_id = ? AND org_id = ?"
	    " ORDER BY id",
	[SQL_SETTINGS_ENSURE] =
	    "INSERT IGNORE INTO invoice_case_settings (org_id) VALUES (?)",
	[SQL_SETTINGS_GET] =
	    "SELECT auto_enabled, auto_systems, auto_on_failure,"
	    " account_inventory, account_tax, account_payable"
	    " FROM invoice_case_settings WHERE org_id = ?",
	[SQL_SETTINGS_PUT] =
	    "UPDATE invoice_case_settings SET auto_enabled = ?,"
	    " auto_systems = ?, auto_on_failure = ?, account_inventory = ?,"
	    " account_tax = ?, account_payable = ? WHERE org_id = ?",
};

const struct db_stmts cases_stmts = {
	"cases", cases_sql, CASES_SQL__MAX, NULL, 0
};

static const char *const case_statuses[] = {
	"pending", "approved", "rejected", "integrated", "failed",
	"needs_review", NULL
};

/* 1 when a case in status may be posted to (or rolled back from) a
 * system: it was approved, whatever happened since. */
int
cases_may_integrate(const char *status)
{
	return status != NULL && (strcmp(status, "approved") == 0 ||
	    strcmp(status, "integrated") == 0 ||
	    strcmp(status, "failed") == 0 ||
	    strcmp(status, "needs_review") == 0);
}

/* Fill c's fields from row 0 of c->rows. */
static void
cases_from_row(struct invoice_case *c)
{
	const struct db_rows	*rows = c->rows;

	c->rowid = atoll(db_cell(rows, 0, CC_ROWID));
	c->id = db_cell(rows, 0, CC_ID);
	c->status = db_cell(rows, 0, CC_STATUS);
	c->invoice_number = db_cell(rows, 0, CC_NUMBER);
	c->invoice_date = db_cell(rows, 0, CC_DATE);
	c->vendor_name = db_cell(rows, 0, CC_VENDOR);
	c->vendor_ref = db_cell(rows, 0, CC_VREF);
	c->currency = db_cell(rows, 0, CC_CURRENCY);
	c->subtotal = decimal_sql(db_cell(rows, 0, CC_SUBTOTAL));
	c->tax = decimal_sql(db_cell(rows, 0, CC_TAX));
	c->total = decimal_sql(db_cell(rows, 0, CC_TOTAL));
	c->created_by = db_cell(rows, 0, CC_CREATED_BY);
	c->created_at = db_cell(rows, 0, CC_CREATED_AT);
	c->decided_by = db_cell(rows, 0, CC_DECIDED_BY);
	c->decided_at = db_cell(rows, 0, CC_DECIDED_AT);
	c->decision_note = db_cell(rows, 0, CC_NOTE);
}

static enum db_code
cases_load_lines(struct db *db, struct invoice_case *c)
{
	const struct db_rows	*l;
	enum db_code		 code;
	size_t			 i;

	if ((code = db_query(db, &c->line_rows, cases_sql[SQL_CASE_LINES],
	    DB_PARAMS(DB_INT(c->rowid)))) != DB_OK)
		return code;
	l = c->line_rows;
	if (l->nrows > 0 &&
	    (c->lines = calloc(l->nrows, sizeof(*c->lines))) == NULL)
		return DB_ERROR;
	for (i = 0; i < l->nrows; i++) {
		c->lines[i].line_no = atoi(db_cell(l, i, 0));
		c->lines[i].sku = db_cell(l, i, 1);
		c->lines[i].description = db_cell(l, i, 2);
		c->lines[i].quantity = decimal_sql(db_cell(l, i, 3));
		c->lines[i].unit_price = decimal_sql(db_cell(l, i, 4));
		c->lines[i].line_total = decimal_sql(db_cell(l, i, 5));
	}
	c->nlines = l->nrows;
	return DB_OK;
}

/*
 * Read the case public_id of org, with its lines, into c (locked FOR
 * UPDATE when lock is set, inside the caller's transaction). DB_NOTFOUND
 * for no such case of this organization. Free with cases_release.
 */
enum db_code
cases_load(struct db *db, long long org_id, const char *public_id,
    int lock, struct invoice_case *c)
{
	enum db_code	 code;

	memset(c, 0, sizeof(*c));
	if ((code = db_query(db, &c->rows, cases_sql[lock ? SQL_CASE_LOCK :
	    SQL_CASE_BY_ID], DB_PARAMS(DB_INT(org_id), DB_STR(public_id)))) !=
	    DB_OK)
		return code;
	if (c->rows->nrows == 0)
		return DB_NOTFOUND;
	cases_from_row(c);
	return cases_load_lines(db, c);
}

void
cases_release(struct invoice_case *c)
{
	free(c->lines);
	db_rows_free(c->rows);
	db_rows_free(c->line_rows);
	memset(c, 0, sizeof(*c));
}

/* One line of case_rowid's audit log, in the caller's transaction. */
enum db_code
cases_audit(struct db *db, long long org_id, long long case_rowid,
    const char *actor, const char *action, const char *result,
    const char *detail)
{
	char	 d[2001];

	snprintf(d, sizeof(d), "%s", detail ? detail : "");
	return db_exec(db, cases_sql[SQL_AUDIT_INSERT], DB_PARAMS(
	    DB_INT(case_rowid), DB_INT(org_id), DB_STR(actor), DB_STR(action),
	    DB_STR(result), DB_STR(detail ? d : NULL)));
}

enum db_code
cases_set_status(struct db *db, long long case_rowid, const char *status)
{
	return db_exec(db, cases_sql[SQL_CASE_SET_STATUS],
	    DB_PARAMS(DB_STR(status), DB_INT(case_rowid)));
}

/* The list's summary of one case row. */
static struct json_object *
cases_summary_json(const struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object();
	const char		*status = db_cell(rows, i, CC_STATUS);
	int			 decided = db_cell(rows, i, CC_DECIDED_AT) != NULL;
	int			 approved = decided &&
				    strcmp(status, "rejected") != 0;

	json_put_str(o, "case_id", db_cell(rows, i, CC_ID));
	json_put_str(o, "status", status);
	json_put_str(o, "invoice_number", db_cell(rows, i, CC_NUMBER));
	json_put_str(o, "invoice_date", db_cell(rows, i, CC_DATE));
	json_put_str(o, "vendor_name", db_cell(rows, i, CC_VENDOR));
	json_put_str(o, "vendor_id", db_cell(rows, i, CC_VREF));
	json_put_str(o, "currency", db_cell(rows, i, CC_CURRENCY));
	json_object_object_add(o, "subtotal",
	    decimal_sql_to_money_json(db_cell(rows, i, CC_SUBTOTAL)));
	json_object_object_add(o, "tax",
	    decimal_sql_to_money_json(db_cell(rows, i, CC_TAX)));
	json_object_object_add(o, "total",
	    decimal_sql_to_money_json(db_cell(rows, i, CC_TOTAL)));
	json_object_object_add(o, "line_count", json_object_new_int64(
	    atoll(db_cell(rows, i, CC_NLINES))));
	json_put_str(o, "created_by", db_cell(rows, i, CC_CREATED_BY));
	json_object_object_add(o, "created_at",
	    json_time(db_cell(rows, i, CC_CREATED_AT)));
	json_put_str(o, "approved_by",
	    approved ? db_cell(rows, i, CC_DECIDED_BY) : NULL);
	json_object_object_add(o, "approved_at", approved ?
	    json_time(db_cell(rows, i, CC_DECIDED_AT)) : NULL);
	if (decided && !approved) {
		json_put_str(o, "rejected_by", db_cell(rows, i, CC_DECIDED_BY));
		json_object_object_add(o, "rejected_at",
		    json_time(db_cell(rows, i, CC_DECIDED_AT)));
	}
	json_put_str(o, "note", db_cell(rows, i, CC_NOTE));
	return o;
}

static struct json_object *
cases_lines_json(const struct invoice_case *c)
{
	struct json_object	*a = json_object_new_array(), *o;
	size_t			 i;

	for (i = 0; i < c->nlines; i++) {
		o = json_object_new_object();
		json_put_str(o, "sku", c->lines[i].sku);
		json_put_str(o, "description", c->lines[i].description);
		json_object_object_add(o, "quantity",
		    decimal_to_json(c->lines[i].quantity));
		json_object_object_add(o, "unit_price",
		    decimal_money_json(c->lines[i].unit_price));
		json_object_object_add(o, "line_total",
		    decimal_money_json(c->lines[i].line_total));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *
cases_audit_json(struct db *db, long long org_id, long long case_rowid,
    enum db_code *code)
{
	struct db_rows		*rows = NULL;
	struct json_object	*a, *o;
	size_t			 i;

	if ((*code = db_query(db, &rows, cases_sql[SQL_AUDIT_LIST], DB_PARAMS(
	    DB_INT(case_rowid), DB_INT(org_id)))) != DB_OK)
		return NULL;
	a = json_object_new_array();
	for (i = 0; i < rows->nrows; i++) {
		o = json_object_new_object();
		json_put_str(o, "actor", db_cell(rows, i, 0));
		json_put_str(o, "action", db_cell(rows, i, 1));
		json_put_str(o, "result", db_cell(rows, i, 2));
		json_put_str(o, "detail", db_cell(rows, i, 3));
		json_object_object_add(o, "at", json_time(db_cell(rows, i, 4)));
		json_object_array_add(a, o);
	}
	db_rows_free(rows);
	return a;
}

/* The whole case: summary, lines, systems, artifacts, audit log. */
static struct json_object *
cases_full_json(struct db *db, long long org_id, const struct invoice_case *c,
    enum db_code *code)
{
	struct json_object	*o, *systems, *audit;

	if ((systems = integrate_states_json(db, c->rowid)) == NULL) {
		*code = DB_ERROR;
		return NULL;
	}
	if ((audit = cases_audit_json(db, org_id, c->rowid, code)) == NULL) {
		json_object_put(systems);
		return NULL;
	}
	o = cases_summary_json(c->rows, 0);
	json_object_object_del(o, "line_count");
	json_object_object_add(o, "line_items", cases_lines_json(c));
	json_object_object_add(o, "integrations", systems);
	artifacts_list_json(db, org_id, c->rowid, o);
	json_object_object_add(o, "audit_log", audit);
	return o;
}

/* --- validation of a new case --------------------------------------- */

static int
cases_422(struct req *r, const char *fmt, const char *field, const char *why)
{
	req_resp_error(r, 422, "VALIDATION_ERROR", fmt, r->vprefix, field, why);
	return 0;
}

/* A money amount: >= 0, whole cents. */
static int
cases_money(struct req *r, struct json_object *o, const char *field,
    int64_t *out)
{
	int	 has;

	if (!valid_decimal(r, o, field, 1, 0, DECIMAL_MAX, out, &has))
		return 0;
	if (!decimal_cents(*out))
		return cases_422(r, "%s%s: %s", field,
		    "must be a whole number of cents");
	return 1;
}

/* A calendar date YYYY-MM-DD (1900 on): digits where digits go. */
int
cases_date_valid(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int	 y, m, d, i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return !(m == 2 && d == 29 && (y % 4 != 0 ||
	    (y % 100 == 0 && y % 400 != 0)));
}

/* quantity x unit_price (scale 4 each) rounded half up to the cent, at
 * scale 4; 0 when it overflows. */
int
cases_line_amount(int64_t qty, int64_t price, int64_t *out)
{
	__int128	 p = (__int128)qty * price;	/* scale 8 */

	p = (p + 500000) / 1000000;			/* cents */
	if (p > DECIMAL_MAX / 100)
		return 0;
	*out = (int64_t)p * 100;
	return 1;
}

static int
cases_read_line(struct req *r, struct json_object *o, struct new_line *l)
{
	int64_t	 want;
	int	 has;
	char	 a[DECIMAL_BUFSZ], b[DECIMAL_BUFSZ];

	if (!json_object_is_type(o, json_type_object)) {
		req_resp_error(r, 400, "invalid_body", "%s: expected an object",
		    r->vprefix);
		return 0;
	}
	if (!valid_string(r, o, "sku", 1, 1, 128, &l->sku) ||
	    !valid_string(r, o, "description", 0, 0, 500, &l->description) ||
	    !valid_decimal(r, o, "quantity", 1, -DECIMAL_MAX, DECIMAL_MAX,
	    &l->quantity, &has) ||
	    !valid_decimal(r, o, "unit_price", 1, 0, DECIMAL_MAX,
	    &l->unit_price, &has) ||
	    !cases_money(r, o, "line_total", &l->line_total))
		return 0;
	if (l->quantity <= 0)
		return cases_422(r, "%s%s: %s", "quantity",
		    "must be greater than 0");
	if (!cases_line_amount(l->quantity, l->unit_price, &want))
		return cases_422(r, "%s%s: %s", "line_total",
		    "quantity x unit_price is too large");
	if (want != l->line_total) {
		decimal_format_money(l->line_total, a);
		decimal_format_money(want, b);
		req_resp_error(r, 422, "VALIDATION_ERROR", "%sline_total: %s is "
		    "not quantity x unit_price (%s)", r->vprefix, a, b);
		return 0;
	}
	return 1;
}

static int
cases_read_lines(struct req *r, struct json_object *b, struct new_case *nc)
{
	struct json_object	*arr = valid_get(b, "line_items");
	int64_t			 sum = 0;
	size_t			 i;

	if (!json_object_is_type(arr, json_type_array)) {
		req_resp_error(r, 400, "invalid_body", "line_items: %s", arr ?
		    "expected an array" : "is required");
		return 0;
	}
	nc->nlines = json_object_array_length(arr);
	if (nc->nlines == 0 || nc->nlines > CASE_MAX_LINES) {
		req_resp_error(r, 422, "VALIDATION_ERROR", "line_items: expected "
		    "1 to %d lines", CASE_MAX_LINES);
		return 0;
	}
	if ((nc->lines = calloc(nc->nlines, sizeof(*nc->lines))) == NULL) {
		req_resp_error(r, 503, NULL, "out of memory");
		return 0;
	}
	for (i = 0; i < nc->nlines; i++) {
		snprintf(r->vprefix, sizeof(r->vprefix), "line_items[%zu].", i);
		if (!cases_read_line(r, json_object_array_get_idx(arr, i),
		    &nc->lines[i]))
			return 0;
		sum += nc->lines[i].line_total;	/* 500 x 10^15: no overflow */
	}
	r->vprefix[0] = '\0';
	if (sum != nc->subtotal)
		return cases_422(r, "%s%s: %s", "subtotal",
		    "is not the sum of line_items[].line_total");
	return 1;
}

/*
 * Read and check a new case from body b: 1 with nc filled (strings
 * borrowed from b; free nc->lines), or 0 after answering 400 (a field of
 * the wrong type or size) or 422 (a rule of the invoice broken).
 */
int
cases_read(struct req *r, struct json_object *b, struct new_case *nc)
{
	memset(nc, 0, sizeof(*nc));
	if (!valid_object(r, b) ||
	    !valid_string(r, b, "invoice_number", 1, 1, 100, &nc->number) ||
	    !valid_string(r, b, "invoice_date", 1, 10, 10, &nc->date) ||
	    !valid_string(r, b, "vendor_name", 1, 1, 200, &nc->vendor) ||
	    !valid_string(r, b, "vendor_id", 0, 1, 64, &nc->vendor_ref) ||
	    !valid_string(r, b, "currency", 0, 3, 3, &nc->currency) ||
	    !cases_money(r, b, "subtotal", &nc->subtotal) ||
	    !cases_money(r, b, "tax", &nc->tax) ||
	    !cases_money(r, b, "total", &nc->total))
		return 0;
	if (!cases_date_valid(nc->date))
		return cases_422(r, "%s%s: %s", "invoice_date",
		    "expected a calendar date YYYY-MM-DD");
	if (nc->currency != NULL && (strspn(nc->currency,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3))
		return cases_422(r, "%s%s: %s", "currency",
		    "expected an ISO 4217 code such as USD");
	if (nc->subtotal + nc->tax != nc->total)
		return cases_422(r, "%s%s: %s", "total",
		    "is not subtotal + tax");
	return cases_read_lines(r, b, nc);
}

static enum db_code
cases_insert(struct req *r, const struct new_case *nc, const char *id,
    const char *actor)
{
	char		 key[211], s[DECIMAL_BUFSZ], t[DECIMAL_BUFSZ],
			 u[DECIMAL_BUFSZ];
	long long	 rowid;
	enum db_code	 code;
	size_t		 i;

	snprintf(key, sizeof(key), "%s:%s", nc->vendor_ref ? "id" : "name",
	    nc->vendor_ref ? nc->vendor_ref : nc->vendor);
	decimal_format(nc->subtotal, s);
	decimal_format(nc->tax, t);
	decimal_format(nc->total, u);
	if ((code = db_exec(r->db, cases_sql[SQL_CASE_INSERT], DB_PARAMS(
	    DB_STR(id), DB_INT(r->principal.org_id), DB_STR(nc->number),
	    DB_STR(nc->date), DB_STR(nc->vendor), DB_STR(nc->vendor_ref),
	    DB_STR(key), DB_STR(nc->currency ? nc->currency : "USD"),
	    DB_STR(s), DB_STR(t), DB_STR(u), DB_STR(actor)))) != DB_OK)
		return code;
	rowid = (long long)db_insert_id(r->db);
	for (i = 0; i < nc->nlines; i++) {
		decimal_format(nc->lines[i].quantity, s);
		decimal_format(nc->lines[i].unit_price, t);
		decimal_format(nc->lines[i].line_total, u);
		if ((code = db_exec(r->db, cases_sql[SQL_LINE_INSERT], DB_PARAMS(
		    DB_INT(rowid), DB_INT(r->principal.org_id),
		    DB_INT((long long)i + 1), DB_STR(nc->lines[i].sku),
		    DB_STR(nc->lines[i].description ?
		    nc->lines[i].description : ""), DB_STR(s), DB_STR(t),
		    DB_STR(u)))) != DB_OK)
			return code;
	}
	return cases_audit(r->db, r->principal.org_id, rowid, actor, "create",
	    "pending", nc->number);
}

/* POST /api/cases */
void
cases_create(struct req *r)
{
	struct json_object	*b = req_json_body(r), *o;
	struct new_case		 nc;
	char			 id[CASE_PUBLIC_ID_LEN], uuid[37], actor[256];

	if (b == NULL)
		return;
	if (!cases_read(r, b, &nc))
		goto out;
	crypto_uuid7(uuid);
	snprintf(id, sizeof(id), CASE_ID_PREFIX "%s", uuid);
	principal_actor(&r->principal, actor, sizeof(actor));
	switch (cases_insert(r, &nc, id, actor)) {
	case DB_OK:
		o = json_object_new_object();
		json_put_str(o, "case_id", id);
		json_put_str(o, "status", "pending");
		req_resp_json(r, 201, o);
		break;
	case DB_CONSTRAINT:
		req_resp_error(r, 409, "DUPLICATE_INVOICE", "invoice_number: "
		    "invoice %s of this vendor is already a case", nc.number);
		break;
	default:
		req_resp_error(r, 503, NULL, "database unavailable");
		break;
	}
out:
	free(nc.lines);
	json_object_put(b);
}

/* --- reading ---------------------------------------------------------- */

/* GET /api/cases */
void
cases_list(struct req *r)
{
	struct page	 pg;
	struct db_rows	*rows = NULL;
	char		*status = NULL;

	if (!page_parse(r, &pg) ||
	    !query_enum(r, "status", case_statuses, &status))
		goto out;
	if (db_query(r->db, &rows, cases_sql[SQL_CASE_LIST], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_INT(pg.after_id), DB_STR(status),
	    DB_STR(status), DB_INT(pg.limit + 1))) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	page_respond_rows(r, rows, pg.limit, CC_ROWID, cases_summary_json);
out:
	db_rows_free(rows);
	free(status);
}

/* GET /api/cases/{id} */
void
cases_get(struct req *r)
{
	struct invoice_case	 c;
	struct json_object	*o;
	enum db_code		 code;

	code = cases_load(r->db, r->principal.org_id, r->args[0], 0, &c);
	if (code == DB_OK && (o = cases_full_json(r->db, r->principal.org_id,
	    &c, &code)) != NULL)
		req_resp_json(r, 200, o);
	else if (code == DB_NOTFOUND)
		req_resp_error(r, 404, "CASE_NOT_FOUND", "no case %s",
		    r->args[0]);
	else
		req_resp_error(r, 503, NULL, "database unavailable");
	cases_release(&c);
}

/* --- decisions -------------------------------------------------------- */

static struct json_object *
cases_decision_json(struct db *db, long long org_id, const char *public_id,
    enum db_code *code)
{
	struct invoice_case	 c;
	struct json_object	*o = NULL;
	int			 approved;

	if ((*code = cases_load(db, org_id, public_id, 0, &c)) == DB_OK) {
		approved = strcmp(c.status, "approved") == 0;
		o = json_object_new_object();
		json_put_str(o, "case_id", c.id);
		json_put_str(o, "status", c.status);
		json_put_str(o, approved ? "approved_by" : "rejected_by",
		    c.decided_by);
		json_object_object_add(o, approved ? "approved_at" :
		    "rejected_at", json_time(c.decided_at));
		json_put_str(o, "note", c.decision_note);
	}
	cases_release(&c);
	return o;
}

/*
 * Approve or reject (status "approved" or "rejected") the pending case
 * public_id, in the caller's transaction: audited, and an approval
 * writes case.approved for automatic integration. *out (may be NULL) is
 * the answer body. DB_NOTFOUND for no such case, DB_CONSTRAINT when it
 * is not pending.
 */
enum db_code
cases_decide(struct db *db, long long org_id, const char *public_id,
    const char *status, const char *actor, const char *note,
    struct json_object **out)
{
	struct invoice_case	 c;
	struct case_settings	 s;
	struct json_object	*ev;
	enum db_code		 code;
	int			 approve = strcmp(status, "approved") == 0;

	if ((code = cases_load(db, org_id, public_id, 1, &c)) != DB_OK)
		goto done;
	if (strcmp(c.status, "pending") != 0) {
		code = DB_CONSTRAINT;
		goto done;
	}
	if ((code = db_exec(db, cases_sql[SQL_CASE_DECIDE], DB_PARAMS(
	    DB_STR(status), DB_STR(actor), DB_STR(note), DB_INT(c.rowid)))) !=
	    DB_OK || (code = cases_audit(db, org_id, c.rowid, actor,
	    approve ? "approve" : "reject", status, note)) != DB_OK)
		goto done;
	if (approve) {
		/* The settings at approval decide whether the worker posts
		 * the case, not those it finds when it gets to it. */
		if ((code = cases_settings_load(db, org_id, &s)) != DB_OK)
			goto done;
		ev = json_object_new_object();
		json_put_str(ev, "case_id", c.id);
		json_put_str(ev, "approved_by", actor);
		json_object_object_add(ev, "auto_integrate",
		    json_object_new_boolean(s.auto_enabled));
		if ((code = events_emit(db, org_id, EVENT_CASE_APPROVED, ev)) !=
		    DB_OK)
			goto done;
	}
	if (out != NULL && (*out = cases_decision_json(db, org_id, public_id,
	    &code)) == NULL)
		code = code == DB_OK ? DB_ERROR : code;
done:
	cases_release(&c);
	return code;
}

static void
cases_decide_req(struct req *r, const char *status)
{
	struct json_object	*b = NULL, *o = NULL;
	const char		*note = NULL;
	char			 actor[256];

	if (r->in.body.len > 0) {
		if ((b = req_json_body(r)) == NULL)
			return;
		if (!valid_object(r, b) ||
		    !valid_string(r, b, "note", 0, 0, 1000, &note))
			goto out;
	}
	principal_actor(&r->principal, actor, sizeof(actor));
	switch (cases_decide(r->db, r->principal.org_id, r->args[0], status,
	    actor, note, &o)) {
	case DB_OK:
		req_resp_json(r, 200, o);
		break;
	case DB_NOTFOUND:
		req_resp_error(r, 404, "CASE_NOT_FOUND", "no case %s",
		    r->args[0]);
		break;
	case DB_CONSTRAINT:
		req_resp_error(r, 409, "INVALID_STATE", "case %s is not pending; "
		    "only a pending case can be approved or rejected",
		    r->args[0]);
		break;
	default:
		req_resp_error(r, 503, NULL, "database unavailable");
		break;
	}
out:
	json_object_put(b);
}

/* POST /api/cases/{id}/approve */
void
cases_approve(struct req *r)
{
	cases_decide_req(r, "approved");
}

/* POST /api/cases/{id}/reject */
void
cases_reject(struct req *r)
{
	cases_decide_req(r, "rejected");
}

/* --- settings --------------------------------------------------------- */

static void
cases_settings_systems(const char *list, struct case_settings *s)
{
	enum case_system	 sys;
	char			 buf[65], *p, *save = NULL;
	size_t			 n = 0;

	snprintf(buf, sizeof(buf), "%s", list ? list : "");
	for (p = strtok_r(buf, ",", &save); p != NULL && n < CASE_SYS__MAX;
	    p = strtok_r(NULL, ",", &save))
		if (integrate_system_parse(p, &sys))
			s->auto_systems[n++] = (int)sys;
	for (; n < CASE_SYS__MAX; n++)
		s->auto_systems[n] = -1;
}

/* The organization's case settings (its defaults until it sets them). */
enum db_code
cases_settings_load(struct db *db, long long org_id, struct case_settings *s)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	memset(s, 0, sizeof(*s));
	if ((code = db_exec(db, cases_sql[SQL_SETTINGS_ENSURE],
	    DB_PARAMS(DB_INT(org_id)))) != DB_OK ||
	    (code = db_query(db, &rows, cases_sql[SQL_SETTINGS_GET],
	    DB_PARAMS(DB_INT(org_id)))) != DB_OK)
		return code;
	if (rows->nrows == 0) {
		db_rows_free(rows);
		return DB_ERROR;
	}
	s->auto_enabled = strcmp(db_cell(rows, 0, 0), "1") == 0;
	cases_settings_systems(db_cell(rows, 0, 1), s);
	s->rollback_on_failure = strcmp(db_cell(rows, 0, 2), "rollback") == 0;
	snprintf(s->account_inventory, sizeof(s->account_inventory), "%s",
	    db_cell(rows, 0, 3) ? db_cell(rows, 0, 3) : "");
	snprintf(s->account_tax, sizeof(s->account_tax), "%s",
	    db_cell(rows, 0, 4) ? db_cell(rows, 0, 4) : "");
	snprintf(s->account_payable, sizeof(s->account_payable), "%s",
	    db_cell(rows, 0, 5) ? db_cell(rows, 0, 5) : "");
	db_rows_free(rows);
	return DB_OK;
}

static struct json_object *
cases_settings_json(const struct case_settings *s)
{
	struct json_object	*o = json_object_new_object(), *a, *sys, *acc;
	size_t			 i;

	a = json_object_new_object();
	json_object_object_add(a, "enabled",
	    json_object_new_boolean(s->auto_enabled));
	sys = json_object_new_array();
	for (i = 0; i < CASE_SYS__MAX && s->auto_systems[i] >= 0; i++)
		json_object_array_add(sys, json_object_new_string(
		    integrate_system_name((enum case_system)s->auto_systems[i])));
	json_object_object_add(a, "systems", sys);
	json_put_str(a, "on_failure", s->rollback_on_failure ? "rollback" :
	    "stop");
	json_object_object_add(o, "auto_integrate", a);
	acc = json_object_new_object();
	json_put_str(acc, "inventory", s->account_inventory[0] ?
	    s->account_inventory : NULL);
	json_put_str(acc, "tax_expense", s->account_tax[0] ?
	    s->account_tax : NULL);
	json_put_str(acc, "accounts_payable", s->account_payable[0] ?
	    s->account_payable : NULL);
	json_object_object_add(o, "accounts", acc);
	return o;
}

/* GET /api/cases/settings */
void
cases_settings_get(struct req *r)
{
	struct case_settings	 s;

	if (cases_settings_load(r->db, r->principal.org_id, &s) != DB_OK)
		req_resp_error(r, 503, NULL, "database unavailable");
	else
		req_resp_json(r, 200, cases_settings_json(&s));
}

static int
cases_put_systems(struct req *r, struct json_object *arr,
    struct case_settings *s)
{
	enum case_system	 sys;
	int			 seen[CASE_SYS__MAX] = { 0 };
	size_t			 i, n;
	const char		*name;

	if (!json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) == 0 || n > CASE_SYS__MAX) {
		req_resp_error(r, 400, "invalid_body", "auto_integrate.systems: "
		    "expected 1 to 3 of inventory, ap, accounting");
		return 0;
	}
	for (i = 0; i < CASE_SYS__MAX; i++)
		s->auto_systems[i] = -1;
	for (i = 0; i < n; i++) {
		name = json_object_get_string(json_object_array_get_idx(arr, i));
		if (!json_object_is_type(json_object_array_get_idx(arr, i),
		    json_type_string) || !integrate_system_parse(name, &sys) ||
		    seen[sys]++) {
			req_resp_error(r, 400, "invalid_body", "auto_integrate."
			    "systems[%zu]: expected one of inventory, ap, "
			    "accounting, each once", i);
			return 0;
		}
		s->auto_systems[i] = (int)sys;
	}
	return 1;
}

static int
cases_put_auto(struct req *r, struct json_object *a, struct case_settings *s)
{
	static const char *const failures[] = { "rollback", "stop", NULL };
	struct json_object	*sys;
	const char		*on;
	int			 enabled = -1;

	if (a == NULL)
		return 1;
	snprintf(r->vprefix, sizeof(r->vprefix), "auto_integrate.");
	if (!valid_object(r, a) || !valid_bool(r, a, "enabled", &enabled) ||
	    !valid_enum(r, a, "on_failure", 0, failures, &on))
		return 0;
	r->vprefix[0] = '\0';
	if (enabled >= 0)
		s->auto_enabled = enabled;
	if (on != NULL)
		s->rollback_on_failure = strcmp(on, "rollback") == 0;
	if ((sys = valid_get(a, "systems")) != NULL &&
	    !cases_put_systems(r, sys, s))
		return 0;
	return 1;
}

/* One account mapping: absent keeps it, null clears it, else a code. */
static int
cases_put_account(struct req *r, struct json_object *acc, const char *field,
    char out[33])
{
	struct json_object	*v;
	const char		*code;

	if (!json_object_object_get_ex(acc, field, &v))
		return 1;
	if (v == NULL) {
		out[0] = '\0';
		return 1;
	}
	if (!valid_string(r, acc, field, 1, 1, 32, &code))
		return 0;
	snprintf(out, 33, "%s", code);
	return 1;
}

static int
cases_put_accounts(struct req *r, struct json_object *acc,
    struct case_settings *s)
{
	if (acc == NULL)
		return 1;
	snprintf(r->vprefix, sizeof(r->vprefix), "accounts.");
	if (!valid_object(r, acc) ||
	    !cases_put_account(r, acc, "inventory", s->account_inventory) ||
	    !cases_put_account(r, acc, "tax_expense", s->account_tax) ||
	    !cases_put_account(r, acc, "accounts_payable", s->account_payable))
		return 0;
	r->vprefix[0] = '\0';
	return 1;
}

static enum db_code
cases_settings_store(struct db *db, long long org_id,
    const struct case_settings *s)
{
	char	 list[64] = "";
	size_t	 i, n = 0;

	for (i = 0; i < CASE_SYS__MAX && s->auto_systems[i] >= 0; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
		    i ? "," : "", integrate_system_name(
		    (enum case_system)s->auto_systems[i]));
	return db_exec(db, cases_sql[SQL_SETTINGS_PUT], DB_PARAMS(
	    DB_INT(s->auto_enabled), DB_STR(list),
	    DB_STR(s->rollback_on_failure ? "rollback" : "stop"),
	    DB_STR(s->account_inventory[0] ? s->account_inventory : NULL),
	    DB_STR(s->account_tax[0] ? s->account_tax : NULL),
	    DB_STR(s->account_payable[0] ? s->account_payable : NULL),
	    DB_INT(org_id)));
}

/* PUT /api/cases/settings: the fields given replace the stored ones. */
void
cases_settings_put(struct req *r)
{
	struct json_object	*b = req_json_body(r);
	struct case_settings	 s;

	if (b == NULL)
		return;
	if (!valid_object(r, b))
		goto out;
	if (cases_settings_load(r->db, r->principal.org_id, &s) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	if (!cases_put_auto(r, valid_get(b, "auto_integrate"), &s) ||
	    !cases_put_accounts(r, valid_get(b, "accounts"), &s))
		goto out;
	if (cases_settings_store(r->db, r->principal.org_id, &s) != DB_OK)
		req_resp_error(r, 503, NULL, "database unavailable");
	else
		req_resp_json(r, 200, cases_settings_json(&s));
out:
	json_object_put(b);
}
