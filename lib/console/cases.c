/*
 * cases.c - the console's invoice case page (/admin/cases/{id}): the
 * invoice and its lines, each system's state with a button to integrate
 * or roll it back, the bills, the journal entries, the artifacts and the
 * audit log; and the one POST of every decision and action on a case,
 * answered with a redirect and a flash message (POST-redirect-GET), or
 * with the page again when nothing may be kept. Members see the pages;
 * only admins see their forms (the route refuses anyone else).
 *
 * Everything shown comes from the cases domain's typed views
 * (cases/views.c, integrate_states, payables_case_bills,
 * ledger_case_entries); nothing here knows a table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "console/console.h"

#define CASE_FLASH_OK	"c+"	/* the session flash of a case action */
#define CASE_FLASH_ERR	"c!"
#define CASE_FLASH_TEXT	250	/* bytes of text the session's flash holds */
#define CASE_NOTE_MAX	1000	/* characters, as decision_note */
#define CASE_PAGE_LEN	(sizeof("/admin/cases/") + CASE_PUBLIC_ID_LEN)

/* What the page calls each system, and what its buttons confirm. */
static const struct {
	const char	*title, *name;
	const char	*integrate, *rollback;
} console_systems[CASE_SYS__MAX] = {
	[CASE_SYS_INVENTORY] = { "Inventory", "inventory",
	    "Add the invoice's quantities to stock at its unit prices",
	    "Take the added stock out again and restore the previous unit "
	    "costs" },
	[CASE_SYS_AP] = { "Payables", "payables",
	    "Create the vendor's bill for the invoice's total",
	    "Void the bill and lower the vendor's balance" },
	[CASE_SYS_ACCOUNTING] = { "Accounting", "accounting",
	    "Post the invoice's journal entry to the ledger",
	    "Post a reversing journal entry (the original stays)" },
};

/* "1212.20 USD": money with its currency, into out. */
static void
console_money_text(int64_t v, const char *currency, char *out, size_t sz)
{
	char	 s[DECIMAL_BUFSZ];

	decimal_format_money(v, s);
	snprintf(out, sz, "%s %s", s, currency ? currency : "");
}

/* A cell of money with its currency. */
void
console_money(struct req *r, int64_t v, const char *currency)
{
	char	 s[DECIMAL_BUFSZ + 8];

	console_money_text(v, currency, s, sizeof(s));
	console_cell(r, s);
}

/* A cell "by at" of who did something when; "—" for nobody. */
static void
console_by_at(struct req *r, const char *by, const char *at)
{
	html_raw(r, "<td>");
	if (by == NULL && at == NULL)
		html_text(r, "—");
	html_text(r, by);
	if (by != NULL && at != NULL)
		html_raw(r, " <span class=\"muted\">");
	html_text(r, at);
	if (by != NULL && at != NULL)
		html_raw(r, "</span>");
	html_raw(r, "</td>");
}

/* The required box that confirms what a button does. */
static void
console_confirm_box(struct req *r, const char *what)
{
	html_raw(r, "<label class=\"confirm\"><input type=\"checkbox\" "
	    "name=\"confirm\" value=\"1\" required>");
	html_text(r, what);
	html_raw(r, "</label>");
}

static void
console_case_form_open(struct req *r, const char *id, const char *action,
    const char *cls)
{
	html_raw(r, "<form method=\"post\" action=\"/admin/cases/");
	html_text(r, id);
	html_raw(r, "/");
	html_text(r, action);
	html_raw(r, "\" class=\"");
	html_text(r, cls);
	html_raw(r, "\">");
	html_csrf(r);
}

/*
 * The decision form of pending case id (admins only): a note, the box
 * confirming that approving commits the organization to pay vendor
 * total, Approve, and Reject (which needs no box). from names the page
 * to come back to ("approvals" or "case").
 */
void
console_case_decide_form(struct req *r, const char *id, const char *vendor,
    int64_t total, const char *currency, const char *from)
{
	char	 amount[DECIMAL_BUFSZ + 8], what[1024];

	console_money_text(total, currency, amount, sizeof(amount));
	console_case_form_open(r, id, "approve", "decide");
	html_raw(r, "<input type=\"hidden\" name=\"from\" value=\"");
	html_text(r, from);
	html_raw(r, "\"><label>Note <input name=\"note\" maxlength=\"1000\">"
	    "</label>");
	snprintf(what, sizeof(what), "Approving commits us to pay %s %s",
	    vendor, amount);
	console_confirm_box(r, what);
	html_raw(r, "<button>Approve</button><button formaction=\"/admin/"
	    "cases/");
	html_text(r, id);
	html_raw(r, "/reject\" formnovalidate class=\"danger\">Reject</button>"
	    "</form>");
}

/*
 * The flash of a case decision or action, once: its text (in buf), and
 * the class of its notice into cls; NULL when there is none.
 */
const char *
console_case_flash_take(struct req *r, char *buf, size_t sz,
    const char **cls)
{
	if (!session_flash_take(r, buf, sz))
		return NULL;
	if (strncmp(buf, CASE_FLASH_OK, 2) == 0)
		*cls = "ok";
	else if (strncmp(buf, CASE_FLASH_ERR, 2) == 0)
		*cls = "error";
	else
		return NULL;
	return buf + 2;
}

/* --- the page ---------------------------------------------------------- */

static void
console_fact(struct req *r, const char *name, const char *value)
{
	html_raw(r, "<tr><th scope=\"row\">");
	html_text(r, name);
	html_raw(r, "</th>");
	console_cell(r, value);
	html_raw(r, "</tr>\n");
}

static void
console_fact_money(struct req *r, const char *name, int64_t v,
    const char *currency)
{
	char	 s[DECIMAL_BUFSZ + 8];

	console_money_text(v, currency, s, sizeof(s));
	console_fact(r, name, s);
}

static void
console_case_facts(struct req *r, const struct invoice_case *c)
{
	int	 rejected = strcmp(c->status, "rejected") == 0;

	html_raw(r, "<h2>Invoice</h2><table class=\"facts\">\n");
	console_fact(r, "Case", c->id);
	console_fact(r, "Status", c->status);
	console_fact(r, "Vendor", c->vendor_name);
	if (c->vendor_ref)
		console_fact(r, "Vendor id", c->vendor_ref);
	console_fact(r, "Invoice number", c->invoice_number);
	console_fact(r, "Invoice date", c->invoice_date);
	console_fact(r, "Currency", c->currency);
	console_fact_money(r, "Subtotal", c->subtotal, c->currency);
	console_fact_money(r, "Tax", c->tax, c->currency);
	console_fact_money(r, "Total", c->total, c->currency);
	console_fact(r, "Created by", c->created_by);
	console_fact(r, "Created at", c->created_at);
	if (c->decided_at != NULL) {
		console_fact(r, rejected ? "Rejected by" : "Approved by",
		    c->decided_by);
		console_fact(r, rejected ? "Rejected at" : "Approved at",
		    c->decided_at);
		console_fact(r, "Note", c->decision_note);
	}
	html_raw(r, "</table>\n");
}

/* The lines of an invoice as a table, its amounts after them. Shared
 * with the approvals page. */
void
console_case_lines(struct req *r, const struct case_line *l, size_t n,
    int64_t subtotal, int64_t tax, int64_t total, const char *currency)
{
	static const char *const sums[] = { "Subtotal", "Tax", "Total" };
	int64_t	 v[3] = { subtotal, tax, total };
	size_t	 i;

	html_raw(r, "<table class=\"lines\"><tr><th>SKU</th>"
	    "<th>Description</th><th>Quantity</th><th>Unit price</th>"
	    "<th>Line total</th></tr>\n");
	for (i = 0; i < n; i++) {
		html_raw(r, "<tr>");
		console_cell(r, l[i].sku);
		console_cell(r, l[i].description);
		console_decimal(r, l[i].quantity, 1);
		console_money(r, l[i].unit_price, currency);
		console_money(r, l[i].line_total, currency);
		html_raw(r, "</tr>\n");
	}
	for (i = 0; i < 3; i++) {
		html_raw(r, "<tr><th colspan=\"4\" scope=\"row\">");
		html_text(r, sums[i]);
		html_raw(r, "</th>");
		console_money(r, v[i], currency);
		html_raw(r, "</tr>\n");
	}
	html_raw(r, "</table>\n");
}

/* Integrate (or, when integrated, roll back) sys on case c. */
static void
console_system_action(struct req *r, const struct invoice_case *c,
    enum case_system sys, int integrated)
{
	char	 action[32], button[48];

	html_raw(r, "<td>");
	if (!cases_may_integrate(c->status)) {
		html_raw(r, strcmp(c->status, "rejected") == 0 ?
		    "<span class=\"muted\">A rejected case is not posted."
		    "</span></td>" : "<span class=\"muted\">Approve the case "
		    "first.</span></td>");
		return;
	}
	snprintf(action, sizeof(action), "%s-%s", integrated ? "rollback" :
	    "integrate", integrate_system_name(sys));
	snprintf(button, sizeof(button), "%s %s", integrated ? "Roll back" :
	    "Integrate", console_systems[sys].name);
	console_case_form_open(r, c->id, action, "act");
	console_confirm_box(r, integrated ? console_systems[sys].rollback :
	    console_systems[sys].integrate);
	html_raw(r, integrated ? "<button class=\"danger\">" : "<button>");
	html_text(r, button);
	html_raw(r, "</button></form></td>");
}

static void
console_case_systems(struct req *r, const struct invoice_case *c,
    const struct case_system_states *st)
{
	const struct case_system_state	*s;
	int				 admin;
	size_t				 i;

	admin = principal_is_admin(&r->principal);
	html_raw(r, "<h2>Systems</h2><table class=\"systems\"><tr>"
	    "<th>System</th><th>State</th><th>Error</th><th>Integrated</th>"
	    "<th>Rolled back</th>");
	if (admin)
		html_raw(r, "<th>Action</th>");
	html_raw(r, "</tr>\n");
	for (i = 0; i < st->n && i < CASE_SYS__MAX; i++) {
		s = &st->v[i];
		html_raw(r, "<tr id=\"system-");
		html_text(r, s->system);
		html_raw(r, "\">");
		console_cell(r, console_systems[i].title);
		console_cell(r, s->state);
		console_cell(r, s->error_code);
		console_by_at(r, s->integrated_by, s->integrated_at);
		console_by_at(r, s->rolled_back_by, s->rolled_back_at);
		if (admin)
			console_system_action(r, c, (enum case_system)i,
			    strcmp(s->state, "integrated") == 0);
		html_raw(r, "</tr>\n");
	}
	html_raw(r, "</table>\n");
}

static void
console_case_bills(struct req *r, const struct case_bills *b,
    const char *currency)
{
	const struct case_bill	*v;
	size_t			 i;

	html_raw(r, "<h2>Bills</h2>\n");
	if (b->n == 0) {
		html_raw(r, "<p class=\"muted\">No bill.</p>\n");
		return;
	}
	html_raw(r, "<table class=\"bills\"><tr><th>Bill</th><th>Vendor</th>"
	    "<th>Amount</th><th>Due</th><th>Status</th><th>Created</th>"
	    "<th>Voided</th></tr>\n");
	for (i = 0; i < b->n; i++) {
		v = &b->v[i];
		html_raw(r, "<tr>");
		console_cell(r, v->id);
		console_cell(r, v->vendor_name);
		console_money(r, v->amount, currency);
		console_cell(r, v->due_date);
		console_cell(r, v->status);
		console_cell(r, v->created_at);
		console_cell(r, v->voided_at);
		html_raw(r, "</tr>\n");
	}
	html_raw(r, "</table>\n");
}

static void
console_case_entry(struct req *r, const struct case_entry *e,
    const char *currency)
{
	size_t	 i;

	html_raw(r, "<section class=\"entry\"><h3>");
	html_text(r, e->id);
	html_raw(r, " — ");
	html_text(r, e->entry_date);
	html_raw(r, "</h3><p>");
	html_text(r, e->memo);
	if (e->reverses_id) {
		html_raw(r, " <span class=\"muted\">Reverses ");
		html_text(r, e->reverses_id);
		html_raw(r, ".</span>");
	}
	html_raw(r, "</p><table class=\"lines\"><tr><th>Account</th>"
	    "<th>Name</th><th>Debit</th><th>Credit</th></tr>\n");
	for (i = 0; i < e->nlines; i++) {
		html_raw(r, "<tr>");
		console_cell(r, e->lines[i].account_code);
		console_cell(r, e->lines[i].account_name);
		console_money(r, e->lines[i].debit, currency);
		console_money(r, e->lines[i].credit, currency);
		html_raw(r, "</tr>\n");
	}
	html_raw(r, "<tr><th colspan=\"2\" scope=\"row\">Total</th>");
	console_money(r, e->total_debits, currency);
	console_money(r, e->total_credits, currency);
	html_raw(r, "</tr></table></section>\n");
}

static void
console_case_entries(struct req *r, const struct case_entries *e,
    const char *currency)
{
	size_t	 i;

	html_raw(r, "<h2>Journal entries</h2>\n");
	if (e->n == 0)
		html_raw(r, "<p class=\"muted\">No journal entry.</p>\n");
	for (i = 0; i < e->n; i++)
		console_case_entry(r, &e->v[i], currency);
}

static void
console_case_artifacts(struct req *r, const struct case_view *v)
{
	const struct case_artifact	*a;
	size_t				 i;

	html_raw(r, "<h2>Artifacts</h2>\n");
	if (v->nartifacts == 0) {
		html_raw(r, "<p class=\"muted\">No artifact.</p>\n");
		return;
	}
	html_raw(r, "<table class=\"artifacts\"><tr><th>File</th><th>Type</th>"
	    "<th>Bytes</th><th>Added</th></tr>\n");
	for (i = 0; i < v->nartifacts; i++) {
		a = &v->artifacts[i];
		html_raw(r, "<tr>");
		console_cell(r, a->filename);
		console_cell(r, a->content_type);
		console_int(r, a->size_bytes, 1);
		console_by_at(r, a->created_by, a->created_at);
		html_raw(r, "</tr>\n");
	}
	html_raw(r, "</table>\n");
}

static void
console_case_audit(struct req *r, const struct case_view *v)
{
	const struct case_audit_entry	*a;
	size_t				 i;

	html_raw(r, "<h2>Audit log</h2><table class=\"audit\"><tr>"
	    "<th>When</th><th>Who</th><th>Action</th><th>Result</th>"
	    "<th>Detail</th></tr>\n");
	for (i = 0; i < v->naudit; i++) {
		a = &v->audit[i];
		html_raw(r, "<tr>");
		console_cell(r, a->at);
		console_cell(r, a->actor);
		console_cell(r, a->action);
		console_cell(r, a->result);
		console_cell(r, a->detail);
		html_raw(r, "</tr>\n");
	}
	html_raw(r, "</table>\n");
}

/* Read what the page shows of case id; DB_OK when all of it was. */
static enum db_code
console_case_read(struct req *r, const char *id, struct case_view *v,
    struct case_system_states *st, struct case_bills *b,
    struct case_entries *e)
{
	long long	 org = r->principal.org_id;
	enum db_code	 code;

	if ((code = case_view(r->db, org, id, v)) != DB_OK ||
	    (code = integrate_states(r->db, v->c.rowid, st)) != DB_OK ||
	    (code = payables_case_bills(r->db, org, v->c.rowid, b)) != DB_OK)
		return code;
	return ledger_case_entries(r->db, org, v->c.rowid, e);
}

/*
 * The page of case id of the caller's organization, with notice (of
 * class cls) when there is one; the console's 404 page for no such case.
 */
void
console_case_show(struct req *r, const char *id, const char *notice,
    const char *cls)
{
	struct case_view		 v;
	struct case_system_states	 st;
	struct case_bills		 b;
	struct case_entries		 e;
	enum db_code			 code;
	char				 title[512] = "";

	memset(&v, 0, sizeof(v));
	memset(&st, 0, sizeof(st));
	memset(&b, 0, sizeof(b));
	memset(&e, 0, sizeof(e));
	if ((code = console_case_read(r, id, &v, &st, &b, &e)) ==
	    DB_NOTFOUND) {
		html_error_page(r, 404, "No such invoice case.");
		goto out;
	}
	if (code == DB_OK)
		snprintf(title, sizeof(title), "Invoice %s",
		    v.c.invoice_number);
	if (!console_begin(r, code, title, notice, cls))
		goto out;
	html_raw(r, "<p><a href=\"/admin/approvals\">Approvals</a></p>\n");
	console_case_facts(r, &v.c);
	if (strcmp(v.c.status, "pending") == 0) {
		if (principal_is_admin(&r->principal))
			console_case_decide_form(r, v.c.id, v.c.vendor_name,
			    v.c.total, v.c.currency, "case");
		else
			html_raw(r, "<p class=\"muted\">An admin decides."
			    "</p>\n");
	}
	html_raw(r, "<h2>Lines</h2>\n");
	console_case_lines(r, v.c.lines, v.c.nlines, v.c.subtotal, v.c.tax,
	    v.c.total, v.c.currency);
	console_case_systems(r, &v.c, &st);
	console_case_bills(r, &b, v.c.currency);
	console_case_entries(r, &e, v.c.currency);
	console_case_artifacts(r, &v);
	console_case_audit(r, &v);
	html_end(r);
out:
	ledger_case_entries_cleanup(&e);
	payables_case_bills_cleanup(&b);
	integrate_states_cleanup(&st);
	case_view_cleanup(&v);
}

/* GET /admin/cases/{id} (shows the flash of the POST before). */
void
console_case(struct req *r)
{
	char		 flash[300];
	const char	*notice, *cls = NULL;

	notice = console_case_flash_take(r, flash, sizeof(flash), &cls);
	console_case_show(r, r->args[0], notice, cls);
}

/* --- decisions and actions -------------------------------------------- */

enum case_act { ACT_APPROVE, ACT_REJECT, ACT_INTEGRATE, ACT_ROLLBACK };

/* The form of an action: the page to come back to, a note, the box. */
struct case_form {
	int	 approvals;	/* back to /admin/approvals, else the case */
	char	*note;		/* NULL when none was written */
	int	 confirmed;
	char	 page[CASE_PAGE_LEN];
};

/* approve, reject, integrate-{system}, rollback-{system}; 0 for none. */
static int
console_case_act_parse(const char *s, enum case_act *act,
    enum case_system *sys)
{
	if (strcmp(s, "approve") == 0 || strcmp(s, "reject") == 0) {
		*act = s[0] == 'a' ? ACT_APPROVE : ACT_REJECT;
		return 1;
	}
	if (strncmp(s, "integrate-", 10) == 0) {
		*act = ACT_INTEGRATE;
		return integrate_system_parse(s + 10, sys);
	}
	if (strncmp(s, "rollback-", 9) == 0) {
		*act = ACT_ROLLBACK;
		return integrate_system_parse(s + 9, sys);
	}
	return 0;
}

/* Read the form into f; what is wrong with it, or NULL. */
static const char *
console_case_form_read(struct req *r, const struct invoice_case *c,
    enum case_act act, struct case_form *f)
{
	char	*v = NULL;
	int	 got;

	if (req_form_param(r, "from", &v) == 1)
		f->approvals = strcmp(v, "approvals") == 0;
	free(v);
	v = NULL;
	snprintf(f->page, sizeof(f->page), "%s%s", f->approvals ?
	    "/admin/approvals" : "/admin/cases/", f->approvals ? "" : c->id);
	if (req_form_param(r, "confirm", &v) == 1)
		f->confirmed = strcmp(v, "1") == 0;
	free(v);
	if ((got = req_form_param(r, "note", &f->note)) < 0)
		return "The note is not valid form data; nothing changed.";
	if (got == 1 && util_utf8_chars(f->note) > CASE_NOTE_MAX)
		return "A note has at most 1000 characters; nothing changed.";
	if (f->note != NULL && f->note[0] == '\0') {
		free(f->note);
		f->note = NULL;
	}
	if (act != ACT_REJECT && !f->confirmed)
		return "Tick the box to confirm first; nothing changed.";
	return NULL;
}

/* Refused with nothing to keep: the page the form came from, with why,
 * answering status. */
static void
console_case_refuse(struct req *r, const struct invoice_case *c,
    const struct case_form *f, int status, const char *why)
{
	req_undo(r);
	if (f->approvals)
		console_approvals_show(r, why, "error");
	else
		console_case_show(r, c->id, why, "error");
	if (r->out.status == 200)
		r->out.status = status;
}

/* What happened, flashed, then back to the form's page. */
static void
console_case_flash(struct req *r, const struct case_form *f, int ok,
    char *text)
{
	util_utf8_cut(text, CASE_FLASH_TEXT);
	console_flash_redirect(r, ok ? CASE_FLASH_OK : CASE_FLASH_ERR, text,
	    f->page);
}

/* A database failure: nothing of the POST is kept. */
static void
console_case_unavailable(struct req *r)
{
	req_undo(r);
	html_error_page(r, 503, "The database is unavailable; nothing "
	    "changed.");
}

static void
console_case_decide(struct req *r, const struct invoice_case *c,
    const struct case_form *f, int approve, const char *actor)
{
	char	 msg[600], amount[DECIMAL_BUFSZ + 8];

	switch (cases_decide(r->db, r->principal.org_id, c->id, approve ?
	    "approved" : "rejected", actor, f->note, NULL)) {
	case DB_OK:
		console_money_text(c->total, c->currency, amount,
		    sizeof(amount));
		snprintf(msg, sizeof(msg), approve ? "Approved invoice %s of "
		    "%s: %s to pay." : "Rejected invoice %s of %s (%s).",
		    c->invoice_number, c->vendor_name, amount);
		console_case_flash(r, f, 1, msg);
		break;
	case DB_NOTFOUND:
		req_undo(r);
		html_error_page(r, 404, "No such invoice case.");
		break;
	case DB_CONSTRAINT:
		console_case_refuse(r, c, f, 409, "This invoice case is no "
		    "longer pending; nothing changed.");
		break;
	default:
		console_case_unavailable(r);
		break;
	}
}

/* A member of a result body as text; "" when it is not there. */
static const char *
console_json_text(struct json_object *o, const char *key)
{
	struct json_object	*v;
	const char		*s;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return "";
	s = json_object_get_string(v);
	return s ? s : "";
}

/* What an integration did, from its answer body. */
static void
console_integrated_text(enum case_system sys, struct json_object *b,
    const char *currency, char *msg, size_t sz)
{
	switch (sys) {
	case CASE_SYS_INVENTORY:
		snprintf(msg, sz, "Inventory integrated: %s items created, %s "
		    "updated.", console_json_text(b, "items_created"),
		    console_json_text(b, "items_updated"));
		break;
	case CASE_SYS_AP:
		snprintf(msg, sz, "Payables integrated: bill %s of %s %s, due "
		    "%s.", console_json_text(b, "bill_id"),
		    console_json_text(b, "amount"), currency,
		    console_json_text(b, "due_date"));
		break;
	default:
		snprintf(msg, sz, "Accounting integrated: entry %s posted, "
		    "debits %s = credits %s %s.", console_json_text(b,
		    "entry_id"), console_json_text(b, "total_debits"),
		    console_json_text(b, "total_credits"), currency);
		break;
	}
}

/* Why an integration was refused: code, message, and the failing lines
 * of an inventory refusal. */
static void
console_refused_text(enum case_system sys, const struct case_outcome *out,
    char *msg, size_t sz)
{
	struct json_object	*errors = NULL;
	size_t			 i, n, len;

	len = (size_t)snprintf(msg, sz, "%s integration refused (%s): %s",
	    console_systems[sys].title, out->code ? out->code : "error",
	    out->message);
	if (out->body != NULL &&
	    json_object_object_get_ex(out->body, "errors", &errors) &&
	    json_object_is_type(errors, json_type_array))
		for (i = 0, n = json_object_array_length(errors);
		    i < n && len < sz; i++)
			len += (size_t)snprintf(msg + len, sz - len, "%s%s",
			    i ? "; " : " — ", json_object_get_string(
			    json_object_array_get_idx(errors, i)));
}

/* An error without a record to keep: the 404 page, the 503 page, or the
 * form's page with why. */
static void
console_case_not_done(struct req *r, const struct invoice_case *c,
    const struct case_form *f, const struct case_outcome *out)
{
	char	 msg[400];

	if (out->status == 404) {
		req_undo(r);
		html_error_page(r, 404, "No such invoice case.");
	} else if (out->status >= 500)
		console_case_unavailable(r);
	else {
		snprintf(msg, sizeof(msg), "%s: %s; nothing changed.",
		    out->code ? out->code : "Refused", out->message);
		console_case_refuse(r, c, f, out->status, msg);
	}
}

static void
console_case_integrate(struct req *r, const struct invoice_case *c,
    const struct case_form *f, enum case_system sys, const char *actor)
{
	struct case_outcome	 out;
	char			 msg[1024];

	integrate_case(r->db, r->principal.org_id, c->id, sys, actor, &out);
	if (out.status == 200) {
		console_integrated_text(sys, out.body, c->currency, msg,
		    sizeof(msg));
		console_case_flash(r, f, 1, msg);
	} else if (out.keep) {
		/* The refused step is undone; its record (failed state,
		 * audit line, integration.failed) is committed. */
		req_keep(r);
		console_refused_text(sys, &out, msg, sizeof(msg));
		console_case_flash(r, f, 0, msg);
	} else
		console_case_not_done(r, c, f, &out);
	json_object_put(out.body);
}

static void
console_case_rollback(struct req *r, const struct invoice_case *c,
    const struct case_form *f, enum case_system sys, const char *actor)
{
	struct case_outcome	 out;
	struct json_object	*st = NULL;
	const char		*res = "";
	int			 which[CASE_SYS__MAX] = { 0 };
	char			 msg[400];

	which[sys] = 1;
	integrate_rollback_case(r->db, r->principal.org_id, c->id, which,
	    actor, &out);
	if (out.status != 200 || out.body == NULL) {
		console_case_not_done(r, c, f, &out);
		goto out;
	}
	if (json_object_object_get_ex(out.body, "rollback_status", &st))
		res = console_json_text(st, integrate_system_name(sys));
	if (strcmp(res, "success") == 0)
		snprintf(msg, sizeof(msg), "%s rolled back: %s.",
		    console_systems[sys].title, console_systems[sys].rollback);
	else if (strcmp(res, "not_integrated") == 0)
		snprintf(msg, sizeof(msg), "%s holds nothing of this invoice; "
		    "nothing was rolled back.", console_systems[sys].title);
	else
		snprintf(msg, sizeof(msg), "%s rollback refused (%s); nothing "
		    "changed.", console_systems[sys].title, res);
	console_case_flash(r, f, strcmp(res, "success") == 0, msg);
out:
	json_object_put(out.body);
}

/* POST /admin/cases/{id}/{action}: a decision, an integration or a
 * rollback of one system, in the pipeline's transaction. */
void
console_case_action(struct req *r)
{
	struct invoice_case	 c;
	struct case_form	 f;
	enum case_act		 act;
	enum case_system	 sys = CASE_SYS_INVENTORY;
	enum db_code		 code;
	const char		*bad;
	char			 actor[300];

	memset(&c, 0, sizeof(c));
	memset(&f, 0, sizeof(f));
	if (!console_case_act_parse(r->args[1], &act, &sys)) {
		html_error_page(r, 404, "No such action.");
		return;
	}
	/* Locked, as every action locks it: what the page shows after a
	 * refusal is what is there now. */
	if ((code = cases_load(r->db, r->principal.org_id, r->args[0], 1,
	    &c)) != DB_OK) {
		req_undo(r);
		html_error_page(r, code == DB_NOTFOUND ? 404 : 503, code ==
		    DB_NOTFOUND ? "No such invoice case." :
		    "The database is unavailable.");
		goto out;
	}
	if ((bad = console_case_form_read(r, &c, act, &f)) != NULL) {
		console_case_refuse(r, &c, &f, 400, bad);
		goto out;
	}
	principal_actor(&r->principal, actor, sizeof(actor));
	if (act == ACT_APPROVE || act == ACT_REJECT)
		console_case_decide(r, &c, &f, act == ACT_APPROVE, actor);
	else if (act == ACT_INTEGRATE)
		console_case_integrate(r, &c, &f, sys, actor);
	else
		console_case_rollback(r, &c, &f, sys, actor);
out:
	free(f.note);
	cases_release(&c);
}
