/*
 * approvals.c - the console's approvals page: purchase orders waiting
 * for approval, approve or reject with a note (audited by the orders
 * domain), and the recent decisions. Open to members and admins.
 */
#include <stdlib.h>
#include <string.h>

#include "console/console.h"

enum console_sql_id {
	SQL_PENDING_ORDERS, SQL_RECENT_DECISIONS, CONSOLE_SQL__MAX
};

static const char *const console_sql[CONSOLE_SQL__MAX] = {
	[SQL_PENDING_ORDERS] =
	    "SELECT o.public_id, v.name, o.reference, o.notes, o.created_at,"
	    " (SELECT COUNT(*) FROM purchase_order_lines l WHERE l.order_id = o.id),"
	    " (SELECT ROUND(SUM(l.quantity * l.unit_cost), 4)"
	    "  FROM purchase_order_lines l WHERE l.order_id = o.id)"
	    " FROM purchase_orders o LEFT JOIN vendors v ON v.id = o.vendor_id"
	    " WHERE o.org_id = ? AND o.status = 'SUBMITTED' ORDER BY o.id LIMIT 200",
	[SQL_RECENT_DECISIONS] =
	    "SELECT o.public_id, h.to_status, h.actor, h.note, h.created_at"
	    " FROM order_status_history h JOIN purchase_orders o ON o.id = h.order_id"
	    " WHERE h.org_id = ? AND h.to_status IN ('APPROVED','REJECTED')"
	    " ORDER BY h.id DESC LIMIT 20",
};

const struct db_stmts console_stmts = {
	"console", console_sql, CONSOLE_SQL__MAX, NULL, 0
};

static void
console_pending_row(struct req *r, const struct db_rows *rows, size_t i)
{
	html_raw(r, "<tr>");
	console_cell(r, db_cell(rows, i, 0));
	console_cell(r, db_cell(rows, i, 1));
	console_cell(r, db_cell(rows, i, 2));
	console_cell(r, db_cell(rows, i, 5));
	console_decimal(r, db_cell(rows, i, 6));
	console_cell(r, db_cell(rows, i, 4));
	html_raw(r, "<td><form method=\"post\" action=\"/admin/approvals/");
	html_text(r, db_cell(rows, i, 0));
	html_raw(r, "\">");
	html_csrf(r);
	html_raw(r, "<input name=\"note\" placeholder=\"Note\" maxlength=\"1000\">"
	    "<button name=\"action\" value=\"approve\">Approve</button>"
	    "<button name=\"action\" value=\"reject\" class=\"danger\">Reject"
	    "</button></form></td></tr>\n");
}

static void
console_decisions(struct req *r)
{
	struct db_rows	*rows = NULL;

	if (db_query(r->db, &rows, console_sql[SQL_RECENT_DECISIONS],
	    DB_PARAMS(DB_INT(r->principal.org_id))) != DB_OK) {
		db_rows_free(rows);
		return;
	}
	html_raw(r, "<h2>Recent decisions</h2><table><tr><th>Order</th>"
	    "<th>Decision</th><th>By</th><th>Note</th><th>When</th></tr>\n");
	console_rows(r, rows, 5);
	html_raw(r, "</table>\n");
	db_rows_free(rows);
}

static void
console_approvals_page(struct req *r, const char *notice, const char *cls)
{
	struct db_rows	*rows = NULL;
	size_t		 i;

	if (db_query(r->db, &rows, console_sql[SQL_PENDING_ORDERS],
	    DB_PARAMS(DB_INT(r->principal.org_id))) != DB_OK) {
		db_rows_free(rows);
		html_error_page(r, 503, "The database is unavailable.");
		return;
	}
	html_begin(r, 200, "Approvals");
	if (notice)
		html_notice(r, cls, notice);
	html_raw(r, "<h2>Purchase orders waiting for approval</h2>\n");
	if (rows->nrows == 0)
		html_raw(r, "<p class=\"muted\">Nothing is waiting.</p>\n");
	else {
		html_raw(r, "<table><tr><th>Order</th><th>Vendor</th>"
		    "<th>Reference</th><th>Lines</th><th>Total</th>"
		    "<th>Created</th><th></th></tr>\n");
		for (i = 0; i < rows->nrows; i++)
			console_pending_row(r, rows, i);
		html_raw(r, "</table>\n");
	}
	db_rows_free(rows);
	console_decisions(r);
	html_end(r);
}

/* GET /admin/approvals */
void
console_approvals(struct req *r)
{
	console_approvals_page(r, NULL, NULL);
}

/* POST /admin/approvals/{id}: approve or reject, audited. */
void
console_approve(struct req *r)
{
	char		*action = NULL, *note = NULL, actor[300], from[16];
	const char	*to;
	enum order_move	 m = ORDER_DB_ERROR;

	req_form_param(r, "action", &action);
	req_form_param(r, "note", &note);
	to = action && strcmp(action, "approve") == 0 ? "APPROVED" :
	    action && strcmp(action, "reject") == 0 ? "REJECTED" : NULL;
	if (to == NULL || (note && strlen(note) > 1000)) {
		console_approvals_page(r, "Choose approve or reject (a note of "
		    "at most 1000 characters).", "error");
		goto out;
	}
	principal_actor(&r->principal, actor, sizeof(actor));
	m = orders_transition(r->db, r->principal.org_id, r->args[0], to,
	    actor, note && *note ? note : NULL, from);
	if (m == ORDER_MOVED)
		html_redirect(r, "/admin/approvals");
	else {
		req_undo(r);
		console_approvals_page(r, m == ORDER_NOT_FOUND ? "No such order." :
		    m == ORDER_BAD_MOVE ? "That order is no longer waiting for "
		    "approval." : "The database is unavailable; nothing changed.",
		    "error");
	}
out:
	free(action);
	free(note);
}

