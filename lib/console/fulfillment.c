/*
 * fulfillment.c - the platform operator's human gate on storefront
 * orders (/admin/fulfillment): every client's orders waiting for admin
 * approval, each with its client, items and designs, shipping address,
 * customer e-mail, total and when it was paid; Approve, which first
 * answers a confirmation page naming the order and the amount (a second
 * POST submits: no JavaScript involved), and Reject with a note.
 *
 * Deciding is the API's own decision, forders_admin_decide (the same
 * claim, the one submission to Printful, the same record), so the
 * console cannot submit an order the API would refuse, or twice. What
 * the pages show comes from the fulfillment domain's views (views.c).
 * Only platform admins see any of it; anyone else gets 403.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "console/console.h"

#define FUL_PAGE	"/admin/fulfillment"
#define FUL_FLASH_OK	"f+"	/* the session flash of a decision */
#define FUL_FLASH_ERR	"f!"
#define FUL_FLASH_TEXT	250	/* bytes of text the session's flash holds */
#define FUL_NOTE_MAX	2000	/* characters of a note, as the API's */
#define FUL_ID_MAX	36	/* an order's public id, a UUID */
#define FUL_WAITING	"pending_admin_approval"

/* "29.99 USD": an amount with its currency, into out. */
static void
console_ful_amount(int64_t v, const char *currency, char *out, size_t sz)
{
	char	 s[DECIMAL_BUFSZ];

	decimal_format_money(v, s);
	snprintf(out, sz, "%s %s", s, currency ? currency : "");
}

/* 1 for a platform admin; else the 403 page, and 0. */
static int
console_ful_allowed(struct req *r)
{
	if (r->principal.platform_admin)
		return 1;
	req_undo(r);
	html_error_page(r, 403, "Only a platform operator sees and decides "
	    "the orders waiting for admin approval.");
	return 0;
}

static int
console_ful_is_web_url(const char *url)
{
	return strncasecmp(url, "https://", 8) == 0 ||
	    strncasecmp(url, "http://", 7) == 0;
}

/*
 * 1 when url is on this console's own origin: the only place the page's
 * Content-Security-Policy (default-src 'self') lets an image load from.
 */
static int
console_ful_same_origin(const struct req *r, const char *url)
{
	const char	*host = req_header(r, "host");
	const char	*scheme = r->in.https ? "https://" : "http://";
	size_t		 sl = strlen(scheme), hl;

	if (host == NULL || *host == '\0' || strncasecmp(url, scheme, sl) != 0)
		return 0;
	hl = strlen(host);
	return strncasecmp(url + sl, host, hl) == 0 && url[sl + hl] == '/';
}

/*
 * An item's design: a thumbnail when the browser may load it, and the
 * address as a link (as text when it is not a web address: a
 * javascript: or data: URL is never made a link).
 */
static void
console_ful_design(struct req *r, const struct fview_item *it)
{
	const char	*url = it->image_url;

	html_raw(r, "<td class=\"design\">");
	if (url == NULL) {
		html_raw(r, "—</td>");
		return;
	}
	if (!console_ful_is_web_url(url)) {
		html_text(r, url);
		html_raw(r, " <span class=\"muted\">(not a web address)</span>"
		    "</td>");
		return;
	}
	if (console_ful_same_origin(r, url)) {
		html_raw(r, "<img src=\"");
		html_text(r, url);
		html_raw(r, "\" alt=\"");
		html_textf(r, "Design of %s", it->title ? it->title :
		    "this item");
		html_raw(r, "\" width=\"96\"><br>");
	}
	html_raw(r, "<a href=\"");
	html_text(r, url);
	html_raw(r, "\">");
	html_text(r, url);
	html_raw(r, "</a></td>");
}

/* The order's items: design, title, type, size, quantity, price. */
static void
console_ful_items(struct req *r, const struct fview_order *o)
{
	const struct fview_item	*it;
	size_t			 i;

	if (o->items_unreadable)
		html_raw(r, "<p class=\"notice error\">The order's items could "
		    "not all be read; approving is likely to be refused.</p>");
	if (o->nitems == 0) {
		html_raw(r, "<p class=\"muted\">No items: approving is "
		    "refused.</p>\n");
		return;
	}
	html_raw(r, "<p><strong>Items</strong></p><table class=\"lines items\">"
	    "<tr><th>Design</th>"
	    "<th>Item</th><th>Type</th><th>Size</th><th>Quantity</th>"
	    "<th>Price</th></tr>\n");
	for (i = 0; i < o->nitems; i++) {
		it = &o->items[i];
		html_raw(r, "<tr>");
		console_ful_design(r, it);
		console_cell(r, it->title);
		console_cell(r, it->type);
		console_cell(r, it->size);
		console_int(r, it->quantity, it->has_quantity);
		if (it->has_price)
			console_money(r, it->price, o->currency);
		else
			console_cell(r, NULL);
		html_raw(r, "</tr>\n");
	}
	html_raw(r, "</table>\n");
}

/* One line of an address, when there is one; *n counts the lines
 * written, so that breaks go only between them. */
static void
console_ful_address_line(struct req *r, int *n, const char *a,
    const char *b, const char *c)
{
	if (a == NULL && b == NULL && c == NULL)
		return;
	if ((*n)++ > 0)
		html_raw(r, "<br>");
	html_text(r, a);
	if (a != NULL && (b != NULL || c != NULL))
		html_raw(r, ", ");
	html_text(r, b);
	if (b != NULL && c != NULL)
		html_raw(r, " ");
	html_text(r, c);
}

static void
console_ful_address(struct req *r, const struct fview_order *o)
{
	const struct fview_address	*a = &o->address;
	int				 n = 0;

	if (!o->has_address) {
		html_raw(r, "<p class=\"muted\">No shipping address: approving "
		    "is refused.</p>\n");
		return;
	}
	html_raw(r, "<address class=\"shipping\">");
	console_ful_address_line(r, &n, a->name, NULL, NULL);
	console_ful_address_line(r, &n, a->line1, NULL, NULL);
	console_ful_address_line(r, &n, a->line2, NULL, NULL);
	console_ful_address_line(r, &n, a->city, a->state, a->postal_code);
	console_ful_address_line(r, &n, a->country, NULL, NULL);
	html_raw(r, "</address>\n");
}

/* The client as "name (slug)". */
static void
console_ful_client(struct req *r, const struct fview_order *o)
{
	html_raw(r, "<td>");
	html_text(r, o->client_name);
	html_raw(r, " <span class=\"muted\">(");
	html_text(r, o->client_slug);
	html_raw(r, ")</span></td>");
}

/* What is shipped where, and the order's note (the client's, or why
 * an earlier submission failed). */
static void
console_ful_detail(struct req *r, const struct fview_order *o)
{
	console_ful_items(r, o);
	html_raw(r, "<p><strong>Ship to</strong></p>");
	console_ful_address(r, o);
	if (o->status_note != NULL) {
		html_raw(r, "<p class=\"status-note\"><strong>Note:</strong> ");
		html_text(r, o->status_note);
		html_raw(r, "</p>\n");
	}
}

static void
console_ful_form_open(struct req *r, const char *id, const char *action)
{
	html_raw(r, "<form method=\"post\" action=\"" FUL_PAGE "/");
	html_text(r, id);
	html_raw(r, "/");
	html_text(r, action);
	html_raw(r, "\" class=\"decide\">");
	html_csrf(r);
}

/* Approve (which only asks, on the next page) and Reject with a note;
 * neither while a submission holds the order. */
static void
console_ful_forms(struct req *r, const struct fview_order *o)
{
	if (o->submitting) {
		html_raw(r, "<p class=\"notice error\">A submission to Printful "
		    "holds this order and its outcome is not known yet; it is "
		    "checked with Printful within minutes, so it cannot be "
		    "decided now.</p>\n");
		return;
	}
	console_ful_form_open(r, o->id, "approve");
	html_raw(r, "<button>Approve</button></form>");
	console_ful_form_open(r, o->id, "reject");
	html_raw(r, "<label>Note <input name=\"note\" maxlength=\"2000\">"
	    "</label><button class=\"danger\">Reject</button></form>\n");
}

static void
console_ful_waiting_order(struct req *r, const struct fview_order *o)
{
	html_raw(r, "<tbody id=\"order-");
	html_text(r, o->id);
	html_raw(r, "\"><tr>");
	console_cell(r, o->id);
	console_ful_client(r, o);
	console_cell(r, o->customer_email);
	console_money(r, o->total, o->currency);
	console_cell(r, o->paid_at);
	html_raw(r, "</tr>\n<tr class=\"order-lines\"><td colspan=\"5\">");
	console_ful_detail(r, o);
	console_ful_forms(r, o);
	html_raw(r, "</td></tr></tbody>\n");
}

/*
 * The gate's page, with notice (of class cls) when there is one: every
 * client's orders waiting for admin approval, oldest first.
 */
static void
console_ful_show(struct req *r, const char *notice, const char *cls)
{
	struct fview_orders	 w;
	enum db_code		 code;
	size_t			 i;

	code = fviews_waiting(r->db, &w);
	if (!console_begin(r, code, "Fulfillment", notice, cls))
		goto out;
	html_raw(r, "<p>Orders their store has approved wait here for a "
	    "platform operator. Approving submits the order to Printful: it "
	    "creates a physical product and spends money, so it is confirmed "
	    "on a second page and is never automated. Designs hosted "
	    "elsewhere are linked rather than shown, since this console loads "
	    "images only from its own site.</p>\n"
	    "<h2>Orders waiting for admin approval</h2>\n");
	if (w.n == 0) {
		html_raw(r, "<p class=\"muted\">No order is waiting for admin "
		    "approval.</p>\n");
		html_end(r);
		goto out;
	}
	html_raw(r, "<table class=\"forders\"><thead><tr><th>Order</th>"
	    "<th>Client</th><th>Customer</th><th>Total</th>"
	    "<th>Paid (UTC)</th></tr></thead>\n");
	for (i = 0; i < w.n; i++)
		console_ful_waiting_order(r, &w.v[i]);
	html_raw(r, "</table>\n");
	if (w.n >= FVIEWS_WAITING_MAX) {
		html_raw(r, "<p class=\"muted\">");
		html_textf(r, "The oldest %d are shown; decide these to see "
		    "the next.", FVIEWS_WAITING_MAX);
		html_raw(r, "</p>\n");
	}
	html_end(r);
out:
	fviews_cleanup(&w);
}

/* The flash of a decision, once: its text (in buf) and its class into
 * cls; NULL when there is none of ours. */
static const char *
console_ful_flash_take(struct req *r, char *buf, size_t sz,
    const char **cls)
{
	if (!session_flash_take(r, buf, sz))
		return NULL;
	if (strncmp(buf, FUL_FLASH_OK, 2) == 0)
		*cls = "ok";
	else if (strncmp(buf, FUL_FLASH_ERR, 2) == 0)
		*cls = "error";
	else
		return NULL;
	return buf + 2;
}

/* GET /admin/fulfillment (shows the flash of the decision before). */
void
console_fulfillment(struct req *r)
{
	char		 flash[300];
	const char	*notice, *cls = NULL;

	if (!console_ful_allowed(r))
		return;
	notice = console_ful_flash_take(r, flash, sizeof(flash), &cls);
	console_ful_show(r, notice, cls);
}

/* --- decisions --------------------------------------------------------- */

/* Refused, with nothing to keep: the list again with why, answering
 * status. */
static void
console_ful_refuse(struct req *r, int status, const char *why)
{
	req_undo(r);
	console_ful_show(r, why, "error");
	if (r->out.status == 200)
		r->out.status = status;
}

/* What happened, flashed, then back to the list (POST-redirect-GET). */
static void
console_ful_flash(struct req *r, int ok, char *text)
{
	util_utf8_cut(text, FUL_FLASH_TEXT);
	console_flash_redirect(r, ok ? FUL_FLASH_OK : FUL_FLASH_ERR, text,
	    FUL_PAGE);
}

/*
 * The first step of Approve: a page that names the order and the
 * amount, with the form whose POST submits it. Nothing is written.
 */
static void
console_ful_confirm_page(struct req *r, const struct fview_order *o)
{
	char	 amount[DECIMAL_BUFSZ + 8];

	console_ful_amount(o->total, o->currency, amount, sizeof(amount));
	html_begin(r, 200, "Confirm the submission to Printful");
	html_raw(r, "<p class=\"notice error\" id=\"confirm-question\">");
	html_textf(r, "Submit order %s to Printful for %s? This creates a "
	    "physical product and spends money.", o->id, amount);
	html_raw(r, "</p>\n<h2>The order</h2><table class=\"facts\">"
	    "<tr><th scope=\"row\">Order</th>");
	console_cell(r, o->id);
	html_raw(r, "</tr><tr><th scope=\"row\">Client</th>");
	console_ful_client(r, o);
	html_raw(r, "</tr><tr><th scope=\"row\">Customer</th>");
	console_cell(r, o->customer_email);
	html_raw(r, "</tr><tr><th scope=\"row\">Total</th>");
	console_cell(r, amount);
	html_raw(r, "</tr><tr><th scope=\"row\">Paid (UTC)</th>");
	console_cell(r, o->paid_at);
	html_raw(r, "</tr></table>\n");
	console_ful_detail(r, o);
	console_ful_form_open(r, o->id, "confirm");
	html_raw(r, "<button>Submit to Printful</button></form>\n"
	    "<p><a href=\"" FUL_PAGE "\">Cancel: back to the waiting orders"
	    "</a></p>\n");
	html_end(r);
}

/* The note of a rejection into *note (NULL for none); what is wrong
 * with it, or NULL. */
static const char *
console_ful_note(struct req *r, char **note)
{
	int	 got;

	if ((got = req_form_param(r, "note", note)) < 0)
		return "The note is not valid form data; nothing changed.";
	if (got == 1 && util_utf8_chars(*note) > FUL_NOTE_MAX)
		return "A note has at most 2000 characters; nothing changed.";
	if (*note != NULL && (*note)[0] == '\0') {
		free(*note);
		*note = NULL;
	}
	return NULL;
}

/*
 * Decide order o (approve: submit it to Printful; else reject it with
 * note) through the API's own decision, and tell what happened: a
 * flash on the list after a decision or a kept refusal (a released
 * claim and its reason), the list with why after anything else.
 */
static void
console_ful_decide(struct req *r, const struct fview_order *o, int approve,
    const char *note)
{
	struct forder_outcome	 out;
	char			 actor[300], amount[DECIMAL_BUFSZ + 8];
	char			 msg[600];

	principal_actor(&r->principal, actor, sizeof(actor));
	forders_admin_decide(r, o->id, approve, actor, note, &out);
	console_ful_amount(o->total, o->currency, amount, sizeof(amount));
	if (out.status == 200) {
		if (approve)
			snprintf(msg, sizeof(msg), "Submitted order %s of %s to "
			    "Printful for %s (Printful order %lld).", o->id,
			    o->client_name, amount, out.printful_order_id);
		else
			snprintf(msg, sizeof(msg), "Rejected order %s of %s "
			    "(%s).", o->id, o->client_name, amount);
		console_ful_flash(r, 1, msg);
	} else if (out.keep) {
		req_keep(r);
		snprintf(msg, sizeof(msg), "Order %s was not submitted: %s",
		    o->id, out.message);
		console_ful_flash(r, 0, msg);
	} else if (out.status == 404) {
		req_undo(r);
		html_error_page(r, 404, "No such order.");
	} else {
		snprintf(msg, sizeof(msg), "Order %s: %s; nothing changed.",
		    o->id, out.message);
		console_ful_refuse(r, out.status, msg);
	}
}

enum ful_act { FUL_APPROVE, FUL_CONFIRM, FUL_REJECT };

static int
console_ful_act_parse(const char *s, enum ful_act *act)
{
	if (strcmp(s, "approve") == 0)
		*act = FUL_APPROVE;
	else if (strcmp(s, "confirm") == 0)
		*act = FUL_CONFIRM;
	else if (strcmp(s, "reject") == 0)
		*act = FUL_REJECT;
	else
		return 0;
	return 1;
}

/*
 * POST /admin/fulfillment/{id}/{action}: approve (the confirmation
 * page), confirm (the submission) or reject, in the pipeline's
 * transaction.
 */
void
console_fulfillment_action(struct req *r)
{
	struct fview_orders	 w;
	enum ful_act		 act;
	enum db_code		 code = DB_NOTFOUND;
	const char		*bad;
	char			*note = NULL, msg[400];

	memset(&w, 0, sizeof(w));
	if (!console_ful_allowed(r))
		return;
	if (!console_ful_act_parse(r->args[1], &act)) {
		req_undo(r);
		html_error_page(r, 404, "No such action.");
		return;
	}
	if (strlen(r->args[0]) <= FUL_ID_MAX)
		code = fviews_order(r->db, r->args[0], &w);
	if (code != DB_OK) {
		req_undo(r);
		html_error_page(r, code == DB_NOTFOUND ? 404 : 503, code ==
		    DB_NOTFOUND ? "No such order." :
		    "The database is unavailable; nothing changed.");
		goto out;
	}
	/* Told here for the page; the decision checks it again, claimed. */
	if (strcmp(w.v[0].status, FUL_WAITING) != 0) {
		snprintf(msg, sizeof(msg), "Order %s is no longer waiting for "
		    "admin approval (it is %s); nothing changed.", w.v[0].id,
		    w.v[0].status);
		console_ful_refuse(r, 409, msg);
		goto out;
	}
	if (w.v[0].submitting) {
		snprintf(msg, sizeof(msg), "Order %s is being submitted to "
		    "Printful; its outcome is checked within minutes. Nothing "
		    "changed.", w.v[0].id);
		console_ful_refuse(r, 409, msg);
		goto out;
	}
	if (act == FUL_APPROVE)
		console_ful_confirm_page(r, &w.v[0]);
	else if (act == FUL_CONFIRM)
		console_ful_decide(r, &w.v[0], 1, NULL);
	else if ((bad = console_ful_note(r, &note)) != NULL)
		console_ful_refuse(r, 400, bad);
	else
		console_ful_decide(r, &w.v[0], 0, note);
out:
	free(note);
	fviews_cleanup(&w);
}
