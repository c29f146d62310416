/*
 * views.c - typed views of invoice cases for the console: the cases
 * waiting for a decision with their lines, the recent decisions, and one
 * case with its audit log and artifacts. Each view's strings are
 * borrowed from the rows it holds; its cleanup frees them, and is safe
 * after a failure. Every query is scoped by organization.
 */
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"

enum views_sql_id {
	SQL_VIEW_WAITING, SQL_VIEW_DECIDED, SQL_VIEW_AUDIT, SQL_VIEW_ARTIFACTS,
	VIEWS_SQL__MAX
};

static const char *const views_sql[VIEWS_SQL__MAX] = {
	/* One row per line of the first pending cases, oldest first, in
	 * one statement so the lines are those of the cases it lists. */
	[SQL_VIEW_WAITING] =
	    "SELECT w.public_id, w.invoice_number,"
	    " DATE_FORMAT(w.invoice_date, '%Y-%m-%d'), w.vendor_name,"
	    " w.vendor_ref, w.currency, w.subtotal, w.tax, w.total,"
	    " w.created_by, w.created_at, l.line_no, l.sku, l.description,"
	    " l.quantity, l.unit_price, l.line_total"
	    " FROM (SELECT c.id, c.public_id, c.invoice_number, c.invoice_date,"
	    "  c.vendor_name, c.vendor_ref, c.currency, c.subtotal, c.tax,"
	    "  c.total, c.created_by, c.created_at FROM invoice_cases c"
	    "  WHERE c.org_id = ? AND c.status = 'pending'"
	    "  ORDER BY c.id LIMIT ?) w"
	    " LEFT JOIN invoice_case_lines l ON l.case_id = w.id"
	    " ORDER BY w.id, l.line_no",
	[SQL_VIEW_DECIDED] =
	    "SELECT c.public_id, c.invoice_number, c.vendor_name, c.currency,"
	    " c.total, c.status, c.decided_by, c.decided_at, c.decision_note"
	    " FROM invoice_cases c"
	    " WHERE c.org_id = ? AND c.decided_at IS NOT NULL"
	    " ORDER BY c.decided_at DESC, c.id DESC LIMIT 20",
	[SQL_VIEW_AUDIT] =
	    "SELECT actor, action, result, detail, created_at"
	    " FROM invoice_case_audit WHERE case_id = ? AND org_id = ?"
	    " ORDER BY id",
	[SQL_VIEW_ARTIFACTS] =
	    "SELECT public_id, filename, content_type, size_bytes, created_by,"
	    " created_at FROM invoice_case_artifacts"
	    " WHERE case_id = ? AND org_id = ? ORDER BY id",
};

const struct db_stmts views_stmts = {
	"views", views_sql, VIEWS_SQL__MAX, NULL, 0
};

enum waiting_col {
	VW_ID, VW_NUMBER, VW_DATE, VW_VENDOR, VW_VREF, VW_CURRENCY,
	VW_SUBTOTAL, VW_TAX, VW_TOTAL, VW_CREATED_BY, VW_CREATED_AT,
	VW_LINE_NO, VW_SKU, VW_DESCRIPTION, VW_QTY, VW_PRICE, VW_LINE_TOTAL
};

/* Row i of w's rows as a new case of w. */
static struct case_waiting *
views_waiting_add(struct cases_waiting *w, size_t i)
{
	struct case_waiting	*c = &w->v[w->n++];
	const struct db_rows	*rows = w->rows;

	c->id = db_cell(rows, i, VW_ID);
	c->invoice_number = db_cell(rows, i, VW_NUMBER);
	c->invoice_date = db_cell(rows, i, VW_DATE);
	c->vendor_name = db_cell(rows, i, VW_VENDOR);
	c->vendor_ref = db_cell(rows, i, VW_VREF);
	c->currency = db_cell(rows, i, VW_CURRENCY);
	c->subtotal = decimal_sql(db_cell(rows, i, VW_SUBTOTAL));
	c->tax = decimal_sql(db_cell(rows, i, VW_TAX));
	c->total = decimal_sql(db_cell(rows, i, VW_TOTAL));
	c->created_by = db_cell(rows, i, VW_CREATED_BY);
	c->created_at = db_cell(rows, i, VW_CREATED_AT);
	c->lines = &w->lines[w->nlines];
	return c;
}

/*
 * The pending cases of org, oldest first, at most CASES_WAITING_MAX,
 * each with its lines in the invoice's order, into w. Free with
 * cases_waiting_cleanup, also after a failure.
 */
enum db_code
cases_waiting_list(struct db *db, long long org_id, struct cases_waiting *w)
{
	struct case_waiting	*c = NULL;
	struct case_line	*l;
	enum db_code		 code;
	size_t			 i;

	memset(w, 0, sizeof(*w));
	if ((w->v = db_query_view(db, &w->rows, sizeof(*w->v), &code,
	    views_sql[SQL_VIEW_WAITING], DB_PARAMS(DB_INT(org_id),
	    DB_INT(CASES_WAITING_MAX)))) == NULL)
		return code;
	if ((w->lines = calloc(w->rows->nrows ? w->rows->nrows : 1,
	    sizeof(*w->lines))) == NULL)
		return DB_ERROR;
	/* The rows come by case, then line; a new id starts a case. */
	for (i = 0; i < w->rows->nrows; i++) {
		if (c == NULL || strcmp(c->id, db_cell(w->rows, i, VW_ID)) != 0)
			c = views_waiting_add(w, i);
		if (db_cell(w->rows, i, VW_LINE_NO) == NULL)
			continue;	/* no lines: none is created so */
		l = &w->lines[w->nlines++];
		l->line_no = atoi(db_cell(w->rows, i, VW_LINE_NO));
		l->sku = db_cell(w->rows, i, VW_SKU);
		l->description = db_cell(w->rows, i, VW_DESCRIPTION);
		l->quantity = decimal_sql(db_cell(w->rows, i, VW_QTY));
		l->unit_price = decimal_sql(db_cell(w->rows, i, VW_PRICE));
		l->line_total = decimal_sql(db_cell(w->rows, i, VW_LINE_TOTAL));
		c->nlines++;
	}
	return DB_OK;
}

/* Free what cases_waiting_list filled; safe on a zeroed w. */
void
cases_waiting_cleanup(struct cases_waiting *w)
{
	free(w->lines);
	free(w->v);
	db_rows_free(w->rows);
	memset(w, 0, sizeof(*w));
}

enum decided_col {
	VD_ID, VD_NUMBER, VD_VENDOR, VD_CURRENCY, VD_TOTAL, VD_STATUS,
	VD_BY, VD_AT, VD_NOTE
};

/*
 * The last 20 decided (approved or rejected) cases of org, newest
 * decision first, with their status now, into d. Free with
 * cases_decided_cleanup, also after a failure.
 */
enum db_code
cases_decided_list(struct db *db, long long org_id, struct cases_decided *d)
{
	struct case_decided	*c;
	enum db_code		 code;

	memset(d, 0, sizeof(*d));
	if ((d->v = db_query_view(db, &d->rows, sizeof(*d->v), &code,
	    views_sql[SQL_VIEW_DECIDED], DB_PARAMS(DB_INT(org_id)))) == NULL)
		return code;
	for (; d->n < d->rows->nrows; d->n++) {
		c = &d->v[d->n];
		c->id = db_cell(d->rows, d->n, VD_ID);
		c->invoice_number = db_cell(d->rows, d->n, VD_NUMBER);
		c->vendor_name = db_cell(d->rows, d->n, VD_VENDOR);
		c->currency = db_cell(d->rows, d->n, VD_CURRENCY);
		c->total = decimal_sql(db_cell(d->rows, d->n, VD_TOTAL));
		c->status = db_cell(d->rows, d->n, VD_STATUS);
		c->decided_by = db_cell(d->rows, d->n, VD_BY);
		c->decided_at = db_cell(d->rows, d->n, VD_AT);
		c->note = db_cell(d->rows, d->n, VD_NOTE);
	}
	return DB_OK;
}

/* Free what cases_decided_list filled; safe on a zeroed d. */
void
cases_decided_cleanup(struct cases_decided *d)
{
	free(d->v);
	db_rows_free(d->rows);
	memset(d, 0, sizeof(*d));
}

static enum db_code
views_audit(struct db *db, long long org_id, struct case_view *v)
{
	struct case_audit_entry	*a;
	enum db_code		 code;

	if ((v->audit = db_query_view(db, &v->audit_rows, sizeof(*v->audit),
	    &code, views_sql[SQL_VIEW_AUDIT], DB_PARAMS(DB_INT(v->c.rowid),
	    DB_INT(org_id)))) == NULL)
		return code;
	for (; v->naudit < v->audit_rows->nrows; v->naudit++) {
		a = &v->audit[v->naudit];
		a->actor = db_cell(v->audit_rows, v->naudit, 0);
		a->action = db_cell(v->audit_rows, v->naudit, 1);
		a->result = db_cell(v->audit_rows, v->naudit, 2);
		a->detail = db_cell(v->audit_rows, v->naudit, 3);
		a->at = db_cell(v->audit_rows, v->naudit, 4);
	}
	return DB_OK;
}

static enum db_code
views_artifacts(struct db *db, long long org_id, struct case_view *v)
{
	struct case_artifact	*a;
	const struct db_rows	*rows;
	enum db_code		 code;
	size_t			 i;

	if ((v->artifacts = db_query_view(db, &v->artifact_rows,
	    sizeof(*v->artifacts), &code, views_sql[SQL_VIEW_ARTIFACTS],
	    DB_PARAMS(DB_INT(v->c.rowid), DB_INT(org_id)))) == NULL)
		return code;
	rows = v->artifact_rows;
	for (i = 0; i < rows->nrows; i++) {
		a = &v->artifacts[i];
		a->id = db_cell(rows, i, 0);
		a->filename = db_cell(rows, i, 1);
		a->content_type = db_cell(rows, i, 2);
		a->size_bytes = atoll(db_cell(rows, i, 3));
		a->created_by = db_cell(rows, i, 4);
		a->created_at = db_cell(rows, i, 5);
	}
	v->nartifacts = rows->nrows;
	return DB_OK;
}

/*
 * The case public_id of org with its lines (cases_load), audit log and
 * artifacts, into v. DB_NOTFOUND for no such case of this organization.
 * Free with case_view_cleanup, also after a failure.
 */
enum db_code
case_view(struct db *db, long long org_id, const char *public_id,
    struct case_view *v)
{
	enum db_code	 code;

	memset(v, 0, sizeof(*v));
	if ((code = cases_load(db, org_id, public_id, 0, &v->c)) != DB_OK ||
	    (code = views_audit(db, org_id, v)) != DB_OK)
		return code;
	return views_artifacts(db, org_id, v);
}

/* Free what case_view filled; safe on a zeroed v. */
void
case_view_cleanup(struct case_view *v)
{
	cases_release(&v->c);
	free(v->audit);
	free(v->artifacts);
	db_rows_free(v->audit_rows);
	db_rows_free(v->artifact_rows);
	memset(v, 0, sizeof(*v));
}
