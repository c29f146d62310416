/*
 * approvals.c - the console's approvals page: purchase orders waiting
 * for approval, approve or reject with a note (audited by the orders
 * domain), invoice cases waiting for approval with their lines (decided
 * through /admin/cases/{id}/approve|reject, cases.c), and the recent
 * decisions of both. Open to members and admins; only admins see the
 * forms.
 */
#include <stdlib.h>
#include <string.h>

#include "console/console.h"

/* What is being approved: who submitted it, its notes, its lines. */
static void
console_waiting_detail(struct req *r, const struct order_waiting *o)
{
	const struct order_waiting_line	*l;
	size_t				 i;

	html_raw(r, "<tr class=\"order-lines\"><td colspan=\"7\"><p>");
	if (o->submitted_by)
		html_textf(r, "Submitted by %s at %s.", o->submitted_by,
		    o->submitted_at);
	else
		html_text(r, "Who submitted it is not recorded.");
	if (o->notes) {
		html_raw(r, " Notes: ");
		html_text(r, o->notes);
	}
	html_raw(r, "</p><table class=\"lines\"><tr><th>SKU</th>"
	    "<th>Item</th><th>Quantity</th><th>Unit cost</th>"
	    "<th>Amount</th></tr>\n");
	for (i = 0; i < o->nlines; i++) {
		l = &o->lines[i];
		html_raw(r, "<tr>");
		console_cell(r, l->sku);
		console_cell(r, l->name);
		console_decimal(r, l->quantity, 1);
		console_decimal(r, l->unit_cost, l->has_cost);
		console_decimal(r, l->amount, l->has_amount);
		html_raw(r, "</tr>\n");
	}
	html_raw(r, "<tr><th colspan=\"4\" scope=\"row\">Total</th>");
	console_decimal(r, o->total, o->has_total);
	html_raw(r, "</tr></table></td></tr>\n");
}

static void
console_waiting_row(struct req *r, const struct order_waiting *o)
{
	html_raw(r, "<tr>");
	console_cell(r, o->id);
	console_cell(r, o->vendor);
	console_cell(r, o->reference);
	console_int(r, (long long)o->nlines, 1);
	console_decimal(r, o->total, o->has_total);
	console_cell(r, o->created_at);
	/* Deciding is the admin's (the route refuses others): a member sees
	 * what waits, not buttons that answer 403. */
	if (!principal_is_admin(&r->principal)) {
		html_raw(r, "<td class=\"muted\">An admin decides.</td></tr>\n");
		console_waiting_detail(r, o);
		return;
	}
	html_raw(r, "<td><form method=\"post\" action=\"/admin/approvals/");
	html_text(r, o->id);
	html_raw(r, "\">");
	html_csrf(r);
	html_raw(r, "<input name=\"note\" placeholder=\"Note\" "
	    "maxlength=\"1000\"><button name=\"action\" value=\"approve\">"
	    "Approve</button><button name=\"action\" value=\"reject\" "
	    "class=\"danger\">Reject</button></form></td></tr>\n");
	console_waiting_detail(r, o);
}

static void
console_decisions(struct req *r)
{
	struct orders_decisions	 d;
	size_t			 i;

	if (orders_decisions_list(r->db, r->principal.org_id, &d) != DB_OK)
		goto out;
	html_raw(r, "<h2>Recent decisions</h2><table><tr><th>Order</th>"
	    "<th>Decision</th><th>By</th><th>Note</th><th>When</th></tr>\n");
	for (i = 0; i < d.n; i++) {
		html_raw(r, "<tr>");
		console_cell(r, d.v[i].order_id);
		console_cell(r, d.v[i].status);
		console_cell(r, d.v[i].actor);
		console_cell(r, d.v[i].note);
		console_cell(r, d.v[i].decided_at);
		html_raw(r, "</tr>\n");
	}
	html_raw(r, "</table>\n");
out:
	orders_decisions_cleanup(&d);
}

/* The case's lines and amounts, and the decision form (admins), under
 * the case's row. */
static void
console_case_waiting_detail(struct req *r, const struct case_waiting *c)
{
	html_raw(r, "<tr class=\"case-lines\"><td colspan=\"8\">");
	console_case_lines(r, c->lines, c->nlines, c->subtotal, c->tax,
	    c->total, c->currency);
	/* Deciding is the admin's (the route refuses others). */
	if (principal_is_admin(&r->principal))
		console_case_decide_form(r, c->id, c->vendor_name, c->total,
		    c->currency, "approvals");
	else
		html_raw(r, "<p class=\"muted\">An admin decides.</p>");
	html_raw(r, "</td></tr>\n");
}

static void
console_case_waiting_row(struct req *r, const struct case_waiting *c)
{
	html_raw(r, "<tbody id=\"");
	html_text(r, c->id);
	html_raw(r, "\"><tr><td><a href=\"/admin/cases/");
	html_text(r, c->id);
	html_raw(r, "\">");
	html_text(r, c->id);
	html_raw(r, "</a></td>");
	console_cell(r, c->vendor_name);
	console_cell(r, c->invoice_number);
	console_cell(r, c->invoice_date);
	console_int(r, (long long)c->nlines, 1);
	console_money(r, c->total, c->currency);
	console_cell(r, c->created_by);
	console_cell(r, c->created_at);
	html_raw(r, "</tr>\n");
	console_case_waiting_detail(r, c);
	html_raw(r, "</tbody>\n");
}

static void
console_cases_waiting(struct req *r, const struct cases_waiting *w)
{
	size_t	 i;

	html_raw(r, "<h2>Invoice cases waiting for approval</h2>\n");
	if (w->n == 0) {
		html_raw(r, "<p class=\"muted\">No invoice case is waiting."
		    "</p>\n");
		return;
	}
	html_raw(r, "<table class=\"cases\"><thead><tr><th>Case</th>"
	    "<th>Vendor</th><th>Invoice</th><th>Invoice date</th>"
	    "<th>Lines</th><th>Total</th><th>Sent by</th><th>Sent at</th>"
	    "</tr></thead>\n");
	for (i = 0; i < w->n; i++)
		console_case_waiting_row(r, &w->v[i]);
	html_raw(r, "</table>\n");
	if (w->n >= CASES_WAITING_MAX) {
		html_raw(r, "<p class=\"muted\">");
		html_textf(r, "The oldest %d are shown; decide these to see "
		    "the next.", CASES_WAITING_MAX);
		html_raw(r, "</p>\n");
	}
}

static void
console_cases_decided(struct req *r, const struct cases_decided *d)
{
	const struct case_decided	*c;
	size_t				 i;

	html_raw(r, "<h2>Recent invoice case decisions</h2>\n");
	if (d->n == 0) {
		html_raw(r, "<p class=\"muted\">No invoice case has been "
		    "decided yet.</p>\n");
		return;
	}
	html_raw(r, "<table class=\"cases-decided\"><tr><th>Case</th>"
	    "<th>Vendor</th><th>Invoice</th><th>Total</th><th>Outcome</th>"
	    "<th>By</th><th>Note</th><th>When</th><th>Status now</th>"
	    "</tr>\n");
	for (i = 0; i < d->n; i++) {
		c = &d->v[i];
		html_raw(r, "<tr><td><a href=\"/admin/cases/");
		html_text(r, c->id);
		html_raw(r, "\">");
		html_text(r, c->id);
		html_raw(r, "</a></td>");
		console_cell(r, c->vendor_name);
		console_cell(r, c->invoice_number);
		console_money(r, c->total, c->currency);
		console_cell(r, strcmp(c->status, "rejected") == 0 ?
		    "rejected" : "approved");
		console_cell(r, c->decided_by);
		console_cell(r, c->note);
		console_cell(r, c->decided_at);
		console_cell(r, c->status);
		html_raw(r, "</tr>\n");
	}
	html_raw(r, "</table>\n");
}

/*
 * The approvals page, with notice (of class cls) when there is one:
 * the purchase orders and the invoice cases waiting, then the recent
 * decisions of each.
 */
void
console_approvals_show(struct req *r, const char *notice, const char *cls)
{
	struct orders_waiting	 w;
	struct cases_waiting	 cw;
	struct cases_decided	 cd;
	enum db_code		 code;
	size_t			 i;

	memset(&cw, 0, sizeof(cw));
	memset(&cd, 0, sizeof(cd));
	if ((code = orders_waiting_list(r->db, r->principal.org_id, &w)) ==
	    DB_OK && (code = cases_waiting_list(r->db, r->principal.org_id,
	    &cw)) == DB_OK)
		code = cases_decided_list(r->db, r->principal.org_id, &cd);
	if (!console_begin(r, code, "Approvals", notice, cls))
		goto out;
	html_raw(r, "<h2>Purchase orders waiting for approval</h2>\n");
	if (w.n == 0)
		html_raw(r, "<p class=\"muted\">Nothing is waiting.</p>\n");
	else {
		/* No table of the schema has a currency. */
		html_raw(r, "<p class=\"muted\">Amounts are decimals as "
		    "entered; no currency recorded.</p>\n");
		html_raw(r, "<table><tr><th>Order</th><th>Vendor</th>"
		    "<th>Reference</th><th>Lines</th><th>Total</th>"
		    "<th>Created</th><th></th></tr>\n");
		for (i = 0; i < w.n; i++)
			console_waiting_row(r, &w.v[i]);
		html_raw(r, "</table>\n");
	}
	console_cases_waiting(r, &cw);
	console_decisions(r);
	console_cases_decided(r, &cd);
	html_end(r);
out:
	cases_decided_cleanup(&cd);
	cases_waiting_cleanup(&cw);
	orders_waiting_cleanup(&w);
}

/* GET /admin/approvals (shows the flash of a case decided here). */
void
console_approvals(struct req *r)
{
	char		 flash[300];
	const char	*notice, *cls = NULL;

	notice = console_case_flash_take(r, flash, sizeof(flash), &cls);
	console_approvals_show(r, notice, cls);
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
		console_approvals_show(r, "Choose approve or reject (a note of "
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
		console_approvals_show(r, m == ORDER_NOT_FOUND ?
		    "No such order." : m == ORDER_BAD_MOVE ? "That order is "
		    "no longer waiting for approval." : "The database is "
		    "unavailable; nothing changed.", "error");
	}
out:
	free(action);
	free(note);
}

