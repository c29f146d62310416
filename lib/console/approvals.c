/*
 * approvals.c - the console's approvals page: purchase orders waiting
 * for approval, approve or reject with a note (audited by the orders
 * domain), and the recent decisions. Open to members and admins.
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

static void
console_approvals_page(struct req *r, const char *notice, const char *cls)
{
	struct orders_waiting	 w;
	size_t			 i;

	if (!console_begin(r, orders_waiting_list(r->db, r->principal.org_id,
	    &w), "Approvals", notice, cls))
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
	console_decisions(r);
	html_end(r);
out:
	orders_waiting_cleanup(&w);
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

