/*
 * inventory.c - the console's inventory pages. /admin/inventory lists
 * the items with stock on hand, days of cover and the forecast's
 * reorder suggestion, filtered by a GET form and paged by a "Next" link
 * with the view's cursor; for admins the table is one form that makes
 * draft purchase orders from the chosen suggestions (one per supplier),
 * and the drafts made come back in the flash, each with a button that
 * submits it for approval. /admin/inventory/{id} shows one item: its
 * details, a chart of past demand, the forecast with its bounds and the
 * projected stock (with a table of the same numbers), and its stock
 * history. Open to every signed-in user; only admins see the forms.
 *
 * Everything shown comes from the inventory domain's views (stockview_*,
 * orders_fetch_json for a draft, items_fetch_json for the unit cost the
 * item view does not carry); nothing here knows a table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "console/console.h"

#define INV_LIMIT	50	/* items a page, unless limit= */
#define INV_SEARCH_MAX	200	/* characters of a search */
#define INV_CATEGORY_MAX 100	/* characters, as inventory_items.category */
#define INV_LINES_MAX	200	/* items one reorder takes, a page's most */
#define INV_DRAFTS_MAX	6	/* draft ids the session's flash holds */
#define INV_ID_LEN	36	/* a public id */
#define INV_QTY_MAX	((int64_t)1000000000 * 10000)	/* a billion */
#define INV_FLASH_MADE	"i+D"	/* flash: drafts made, "n:id,id…" */
#define INV_FLASH_SENT	"i+S"	/* flash: one submitted, "id;id,id…" */

/* The list's query parameters, as given (NULL when absent or empty). */
struct inv_query {
	char		*low, *out, *search, *category, *cursor, *limit;
};

/* The drafts a flash names, and what the notice above them says. */
struct inv_drafts {
	char		 ids[INV_DRAFTS_MAX][INV_ID_LEN + 1];
	size_t		 n;
	char		 notice[200];
};

static void
inv_query_free(struct inv_query *q)
{
	free(q->low);
	free(q->out);
	free(q->search);
	free(q->category);
	free(q->cursor);
	free(q->limit);
}

/* --- reading the filters ----------------------------------------------- */

/* A box of the filter form: absent, or "1" (its value when ticked). */
static int
inv_box(const char *v, int *on)
{
	*on = v != NULL;
	return v == NULL || strcmp(v, "1") == 0;
}

/*
 * Read and check the query into q and f; 0 with what is wrong, naming
 * the parameter, in msg.
 */
static int
inv_filter(struct req *r, struct inv_query *q, struct stock_filter *f,
    char *msg, size_t msgsz)
{
	memset(f, 0, sizeof(*f));
	f->limit = INV_LIMIT;
	if (!console_query_param(r, "low", &q->low) || !console_query_param(r, "out", &q->out) ||
	    !console_query_param(r, "q", &q->search) ||
	    !console_query_param(r, "category", &q->category) ||
	    !console_query_param(r, "cursor", &q->cursor) ||
	    !console_query_param(r, "limit", &q->limit))
		snprintf(msg, msgsz, "The address is not valid: a filter is "
		    "not percent-encoded UTF-8.");
	else if (!inv_box(q->low, &f->low_only))
		snprintf(msg, msgsz, "low: 1 (the Low stock box) or nothing.");
	else if (!inv_box(q->out, &f->out_only))
		snprintf(msg, msgsz, "out: 1 (the Out of stock box) or "
		    "nothing.");
	else if (q->search && util_utf8_chars(q->search) > INV_SEARCH_MAX)
		snprintf(msg, msgsz, "q: at most %d characters.",
		    INV_SEARCH_MAX);
	else if (q->category &&
	    util_utf8_chars(q->category) > INV_CATEGORY_MAX)
		snprintf(msg, msgsz, "category: at most %d characters.",
		    INV_CATEGORY_MAX);
	else if (q->limit && !util_strtonum(q->limit, 1, 200, &f->limit))
		snprintf(msg, msgsz, "limit: a number from 1 to 200.");
	else if (q->cursor && !stockview_cursor_valid(q->cursor))
		snprintf(msg, msgsz, "cursor: not a cursor of this list; start "
		    "again from the first page.");
	else {
		f->search = q->search;
		f->category = q->category;
		f->cursor = q->cursor;
		return 1;
	}
	return 0;
}

/* --- the list ---------------------------------------------------------- */

/* A link to this list with the current filters and cursor (NULL: the
 * first page): the query as it came, less its cursor. */
static void
inv_page_link(struct req *r, const char *cursor, const char *label,
    const char *rel)
{
	struct buf	 url;
	const char	*p, *amp;
	size_t		 len;

	buf_init(&url);
	for (p = r->in.query; p != NULL && *p != '\0'; p = amp ? amp + 1 :
	    NULL) {
		amp = strchr(p, '&');
		len = amp ? (size_t)(amp - p) : strlen(p);
		if (len == 0 || (strncmp(p, "cursor", 6) == 0 && (len == 6 ||
		    p[6] == '=')))
			continue;
		buf_printf(&url, "%s%.*s", url.len ? "&" : "", (int)len, p);
	}
	if (cursor != NULL) {
		buf_printf(&url, "%scursor=", url.len ? "&" : "");
		/* Opaque to us: every byte that is not unreserved encoded. */
		for (p = cursor; *p != '\0'; p++)
			if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
			    "qrstuvwxyz0123456789-_.~", *p) != NULL)
				buf_append(&url, p, 1);
			else
				buf_printf(&url, "%%%02X", (unsigned char)*p);
	}
	html_raw(r, "<a href=\"/admin/inventory");
	if (url.len > 0) {
		html_raw(r, "?");
		html_text(r, url.data);
	}
	html_raw(r, "\" rel=\"");
	html_text(r, rel);
	html_raw(r, "\">");
	html_text(r, label);
	html_raw(r, "</a>");
	buf_cleanup(&url);
}

static void
inv_filter_form(struct req *r, const struct inv_query *q)
{
	html_raw(r, "<form method=\"get\" action=\"/admin/inventory\" "
	    "class=\"filters\"><label class=\"box\"><input type=\"checkbox\" "
	    "name=\"low\" value=\"1\"");
	html_raw(r, q->low ? " checked>" : ">");
	html_raw(r, " Low stock</label><label class=\"box\"><input "
	    "type=\"checkbox\" name=\"out\" value=\"1\"");
	html_raw(r, q->out ? " checked>" : ">");
	html_raw(r, " Out of stock</label><label>Search SKU or name <input "
	    "type=\"search\" name=\"q\" maxlength=\"200\" value=\"");
	html_text(r, q->search);
	html_raw(r, "\"></label><label>Category <input name=\"category\" "
	    "maxlength=\"100\" value=\"");
	html_text(r, q->category);
	html_raw(r, "\"></label>");
	if (q->limit) {
		html_raw(r, "<input type=\"hidden\" name=\"limit\" value=\"");
		html_text(r, q->limit);
		html_raw(r, "\">");
	}
	html_raw(r, "<button>Filter</button> <a href=\"/admin/inventory\">"
	    "Clear filters</a></form>\n");
}

/* "12.5 kg": an amount with the item's unit. */
static void
inv_amount_cell(struct req *r, int64_t v, int known, const char *unit)
{
	char	 s[DECIMAL_BUFSZ];

	if (!known) {
		console_cell(r, NULL);
		return;
	}
	decimal_format(v, s);
	html_raw(r, "<td class=\"num\">");
	html_text(r, s);
	if (unit != NULL && *unit != '\0') {
		html_raw(r, " ");
		html_text(r, unit);
	}
	html_raw(r, "</td>");
}

/* Days of cover (scale 4) with one decimal, rounded half away from 0. */
static void
inv_cover_text(int64_t v, char out[DECIMAL_BUFSZ])
{
	uint64_t	 a = v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v;

	a = (a + 500) / 1000;
	snprintf(out, DECIMAL_BUFSZ, "%s%llu.%llu", v < 0 && a ? "-" : "",
	    (unsigned long long)(a / 10), (unsigned long long)(a % 10));
}

static void
inv_cover_cell(struct req *r, const struct stock_row *s)
{
	char	 t[DECIMAL_BUFSZ];

	if (!s->has_cover) {
		console_cell(r, NULL);
		return;
	}
	inv_cover_text(s->cover_days, t);
	html_raw(r, "<td class=\"num\">");
	html_text(r, t);
	html_raw(r, "</td>");
}

/* What the row's class and words say of its stock. */
static const char *
inv_state(const struct stock_row *s, const char **cls)
{
	if (s->out) {
		*cls = "out";
		return "Out of stock";
	}
	if (s->low) {
		*cls = "low";
		return "Low stock";
	}
	*cls = "";
	return "In stock";
}

/* What names an item in a label: its SKU, or its name when it has none
 * (an item that arrived by import). */
static const char *
inv_label(const struct stock_row *s)
{
	return s->sku != NULL ? s->sku : s->name;
}

/* The admin's cell of a row: a box to choose the item and the quantity
 * to order, its suggestion pre-filled; chosen already when low or out. */
static void
inv_order_cell(struct req *r, const struct stock_row *s)
{
	char	 q[DECIMAL_BUFSZ];

	if (!s->has_suggestion) {
		html_raw(r, "<td class=\"muted\">No suggestion</td>");
		return;
	}
	decimal_format(s->suggestion, q);
	html_raw(r, "<td class=\"order\"><input type=\"checkbox\" "
	    "name=\"item\" value=\"");
	html_text(r, s->id);
	html_raw(r, "\" aria-label=\"");
	html_textf(r, "Order %s", inv_label(s));
	html_raw(r, s->low || s->out ? "\" checked> " : "\"> ");
	html_raw(r, "<input type=\"number\" name=\"qty-");
	html_text(r, s->id);
	html_raw(r, "\" min=\"0\" step=\"any\" value=\"");
	html_text(r, q);
	html_raw(r, "\" aria-label=\"");
	html_textf(r, "Quantity of %s to order", inv_label(s));
	html_raw(r, "\"></td>");
}

static void
inv_row(struct req *r, const struct stock_row *s, int admin)
{
	const char	*cls, *state = inv_state(s, &cls);

	html_raw(r, "<tr id=\"item-");
	html_text(r, s->id);
	html_raw(r, "\" class=\"");
	html_text(r, cls);
	html_raw(r, "\"><td><a href=\"/admin/inventory/");
	html_text(r, s->id);
	html_raw(r, "\">");
	html_text(r, s->sku != NULL ? s->sku : "No SKU");
	html_raw(r, "</a></td>");
	console_cell(r, s->name);
	console_cell(r, s->category);
	inv_amount_cell(r, s->stock, 1, s->unit);
	inv_amount_cell(r, s->threshold, s->has_threshold, s->unit);
	inv_cover_cell(r, s);
	inv_amount_cell(r, s->suggestion, s->has_suggestion, s->unit);
	console_cell(r, s->supplier);
	html_raw(r, "<td class=\"state\">");
	html_text(r, state);
	html_raw(r, "</td>");
	if (admin)
		inv_order_cell(r, s);
	html_raw(r, "</tr>\n");
}

/* The items: for an admin, one form around the table that orders. */
static void
inv_table(struct req *r, const struct stock_rows *rows, int admin)
{
	size_t	 i;

	html_raw(r, "<h2 id=\"items-title\">Items</h2>\n");
	if (rows->n == 0) {
		html_raw(r, "<p class=\"muted\">No items match.</p>\n");
		return;
	}
	if (admin) {
		html_raw(r, "<form method=\"post\" action=\"/admin/inventory/"
		    "reorder\" class=\"reorder\">");
		html_csrf(r);
	}
	html_raw(r, "<table class=\"stock\" aria-labelledby=\"items-title\">"
	    "<thead><tr><th scope=\"col\">SKU</th><th scope=\"col\">Name</th>"
	    "<th scope=\"col\">Category</th><th scope=\"col\">On hand</th>"
	    "<th scope=\"col\">Low-stock threshold</th>"
	    "<th scope=\"col\">Days of cover</th>"
	    "<th scope=\"col\">Suggested reorder</th>"
	    "<th scope=\"col\">Supplier</th><th scope=\"col\">Stock</th>");
	if (admin)
		html_raw(r, "<th scope=\"col\">Order</th>");
	html_raw(r, "</tr></thead><tbody>\n");
	for (i = 0; i < rows->n; i++)
		inv_row(r, &rows->v[i], admin);
	html_raw(r, "</tbody></table>\n");
	if (admin)
		html_raw(r, "<p class=\"muted\">Each draft takes the chosen "
		    "items of one supplier; items without a supplier share "
		    "a draft without a vendor. An empty quantity takes the "
		    "suggestion.</p><button>Create draft purchase orders"
		    "</button></form>\n");
}

static void
inv_pager(struct req *r, const struct inv_query *q,
    const struct stock_rows *rows)
{
	if (q->cursor == NULL && rows->next_cursor[0] == '\0')
		return;
	html_raw(r, "<p class=\"pager\">");
	if (q->cursor)
		inv_page_link(r, NULL, "First page", "first");
	if (q->cursor && rows->next_cursor[0])
		html_raw(r, " · ");
	if (rows->next_cursor[0])
		inv_page_link(r, rows->next_cursor, "Next", "next");
	html_raw(r, "</p>\n");
}

/* --- the drafts of a reorder ------------------------------------------- */

/* A member of a JSON object as text; NULL when absent or null. */
static const char *
inv_json_text(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return NULL;
	return json_object_get_string(v);
}

/* The submit form of draft k: it carries the drafts listed with it, so
 * that the page after it lists them still. */
static void
inv_submit_form(struct req *r, const struct inv_drafts *d, size_t k)
{
	size_t	 i;
	int	 first = 1;

	html_raw(r, "<form method=\"post\" action=\"/admin/inventory/drafts/");
	html_text(r, d->ids[k]);
	html_raw(r, "/submit\" class=\"inline\">");
	html_csrf(r);
	html_raw(r, "<input type=\"hidden\" name=\"rest\" value=\"");
	for (i = 0; i < d->n; i++)
		if (i != k) {
			html_raw(r, first ? "" : ",");
			html_text(r, d->ids[i]);
			first = 0;
		}
	html_raw(r, "\"><button aria-label=\"");
	html_textf(r, "Submit for approval: %s", d->ids[k]);
	html_raw(r, "\">Submit for approval</button></form>");
}

/* Draft k's row: its supplier, lines and total, as the orders domain
 * has them now; a draft of another organization is not shown. */
static void
inv_draft_row(struct req *r, const struct inv_drafts *d, size_t k,
    int admin)
{
	struct json_object	*o;
	enum db_code		 code;
	const char		*status, *vendor;

	if ((o = orders_fetch_json(r->db, r->principal.org_id, d->ids[k],
	    &code)) == NULL)
		return;
	status = inv_json_text(o, "status");
	vendor = inv_json_text(o, "vendorName");
	html_raw(r, "<tr id=\"draft-");
	html_text(r, d->ids[k]);
	html_raw(r, "\"><td>");
	html_text(r, d->ids[k]);
	html_raw(r, "</td>");
	console_cell(r, vendor ? vendor : "No supplier");
	console_cell(r, inv_json_text(o, "lineCount"));
	console_cell(r, inv_json_text(o, "total"));
	console_cell(r, status);
	html_raw(r, "<td>");
	if (admin && status && strcmp(status, "DRAFT") == 0)
		inv_submit_form(r, d, k);
	else if (status && strcmp(status, "SUBMITTED") == 0)
		html_raw(r, "Waiting on <a href=\"/admin/approvals\">"
		    "Approvals</a>");
	html_raw(r, "</td></tr>\n");
	json_object_put(o);
}

static void
inv_drafts_table(struct req *r, const struct inv_drafts *d)
{
	size_t	 i;

	if (d->n == 0)
		return;
	html_raw(r, "<table class=\"drafts\"><caption>Draft purchase orders "
	    "made from the suggestions</caption><thead><tr>"
	    "<th scope=\"col\">Order</th><th scope=\"col\">Supplier</th>"
	    "<th scope=\"col\">Lines</th><th scope=\"col\">Total</th>"
	    "<th scope=\"col\">Status</th><th scope=\"col\"></th></tr>"
	    "</thead><tbody>\n");
	for (i = 0; i < d->n; i++)
		inv_draft_row(r, d, i, principal_is_admin(&r->principal));
	html_raw(r, "</tbody></table>\n");
}

/* A draft id of ours: 36 of 0-9 a-f and '-'. */
static int
inv_id_valid(const char *s, size_t len)
{
	size_t	 i;

	if (len != INV_ID_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (strchr("0123456789abcdef-", s[i]) == NULL || s[i] == '\0')
			return 0;
	return 1;
}

/* Add the comma-separated ids of list to d (invalid ones dropped). */
static void
inv_drafts_add(struct inv_drafts *d, const char *list)
{
	const char	*p, *comma;
	size_t		 len;

	for (p = list; p != NULL && *p != '\0'; p = comma ? comma + 1 : NULL) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (d->n < INV_DRAFTS_MAX && inv_id_valid(p, len)) {
			memcpy(d->ids[d->n], p, len);
			d->ids[d->n++][len] = '\0';
		}
	}
}

/* The flash of a reorder or a submission into d; 0 when there is none
 * of ours. */
static int
inv_flash_take(struct req *r, struct inv_drafts *d)
{
	char		 flash[300], *rest;
	long long	 made;

	memset(d, 0, sizeof(*d));
	if (!session_flash_take(r, flash, sizeof(flash)))
		return 0;
	if (strncmp(flash, INV_FLASH_MADE, 3) == 0 &&
	    (rest = strchr(flash, ':')) != NULL) {
		*rest++ = '\0';
		if (!util_strtonum(flash + 3, 1, 100000, &made))
			return 0;
		inv_drafts_add(d, rest);
		snprintf(d->notice, sizeof(d->notice), made == 1 ? "Created %lld "
		    "draft purchase order. Submit it for approval below." :
		    "Created %lld draft purchase orders, one per supplier. "
		    "Submit each for approval below.", made);
		if ((size_t)made > d->n)
			snprintf(d->notice + strlen(d->notice), sizeof(d->notice) -
			    strlen(d->notice), " %zu are listed here; find the "
			    "others among the orders in DRAFT.", d->n);
		return 1;
	}
	if (strncmp(flash, INV_FLASH_SENT, 3) == 0 &&
	    (rest = strchr(flash, ';')) != NULL && inv_id_valid(flash + 3,
	    (size_t)(rest - flash - 3))) {
		*rest++ = '\0';
		snprintf(d->notice, sizeof(d->notice), "Purchase order %.36s was "
		    "submitted for approval; it waits on the Approvals page.",
		    flash + 3);
		inv_drafts_add(d, rest);
		return 1;
	}
	return 0;
}

/* --- the list page ----------------------------------------------------- */

/*
 * The list with q's filters (NULL: none), its notice (of class cls) or
 * the drafts of a flash (d) above it. A refused filter shows the form
 * again with why, answering 400.
 */
static void
inv_list_show(struct req *r, struct inv_query *q, const char *notice,
    const char *cls, const struct inv_drafts *d)
{
	struct inv_query	 none;
	struct stock_filter	 f;
	struct stock_rows	 rows;
	char			 msg[200];
	enum db_code		 code = DB_OK;
	int			 ok = 1;

	memset(&rows, 0, sizeof(rows));
	memset(&none, 0, sizeof(none));
	if (q == NULL) {
		q = &none;
		memset(&f, 0, sizeof(f));
		f.limit = INV_LIMIT;
	} else if (!(ok = inv_filter(r, q, &f, msg, sizeof(msg)))) {
		notice = msg;
		cls = "error";
	}
	if (ok)
		code = stockview_list(r->db, r->principal.org_id, &f, &rows);
	if (!console_begin(r, code, "Inventory", notice ? notice :
	    d && d->notice[0] ? d->notice : NULL, cls ? cls : "ok"))
		goto out;
	if (d != NULL)
		inv_drafts_table(r, d);
	inv_filter_form(r, q);
	if (!ok)
		r->out.status = 400;	/* the form again, with what is wrong */
	else {
		inv_table(r, &rows, principal_is_admin(&r->principal));
		inv_pager(r, q, &rows);
	}
	html_end(r);
out:
	stockview_list_cleanup(&rows);
}

/* The list without filters, after a refused POST: status and why;
 * nothing of the POST is kept. */
static void
inv_refuse(struct req *r, int status, const char *why)
{
	req_undo(r);
	if (status >= 500) {
		html_error_page(r, status, why);
		return;
	}
	inv_list_show(r, NULL, why, "error", NULL);
	if (r->out.status == 200)
		r->out.status = status;
}

/* GET /admin/inventory (shows the drafts of a reorder just made). */
void
console_inventory(struct req *r)
{
	struct inv_query	 q;
	struct inv_drafts	 d;

	memset(&q, 0, sizeof(q));
	inv_list_show(r, &q, NULL, NULL, inv_flash_take(r, &d) ? &d : NULL);
	inv_query_free(&q);
}

/* --- the reorder and the submission ------------------------------------ */

/*
 * The quantity of item id in the form (qty-ID) into *v, and whether to
 * order it into *take: empty takes the suggestion (0), a typed 0 orders
 * nothing. NULL, or what is wrong.
 */
static const char *
inv_reorder_qty(struct req *r, const char *id, int64_t *v, int *take)
{
	char		 name[8 + INV_ID_LEN], *qty = NULL;
	const char	*bad = NULL;

	*v = 0;
	snprintf(name, sizeof(name), "qty-%s", id);
	if (req_form_param(r, name, &qty) < 0)
		return "The form is not valid: a quantity is not "
		    "percent-encoded.";
	if (qty != NULL && *qty != '\0' && (!decimal_parse(qty, v) ||
	    *v < 0 || *v > INV_QTY_MAX))
		bad = "Each quantity is a number of 0 or more with at most 4 "
		    "decimals (empty: the suggestion).";
	*take = qty == NULL || *qty == '\0' || *v > 0;
	free(qty);
	return bad;
}

/*
 * The chosen items of the form (every item=ID, each once; ids in ids,
 * *chosen of them, for the caller to free) and the lines to order of
 * them into l and *n. NULL, or what is wrong.
 */
static const char *
inv_reorder_read(struct req *r, struct reorder_line *l, char **ids,
    size_t *n, size_t *chosen)
{
	const char	*p, *amp, *bad, *body = r->in.body.data ?
			    r->in.body.data : "";
	char		*id;
	size_t		 len, i;
	int64_t		 v;
	int		 take;

	*n = *chosen = 0;
	for (p = body; *p != '\0'; p = amp ? amp + 1 : "") {
		amp = strchr(p, '&');
		len = amp ? (size_t)(amp - p) : strlen(p);
		if (len <= 5 || strncmp(p, "item=", 5) != 0)
			continue;
		if (!req_url_decode(p + 5, len - 5, &id))
			return "The form is not valid: an item is not "
			    "percent-encoded.";
		for (i = 0; i < *chosen && strcmp(ids[i], id) != 0; i++)
			;
		if (i < *chosen || strlen(id) > INV_ID_LEN) {
			free(id);	/* twice, or no id of ours */
			continue;
		}
		if (*chosen == INV_LINES_MAX) {
			free(id);
			return "Choose at most 200 items at once.";
		}
		ids[(*chosen)++] = id;
		if ((bad = inv_reorder_qty(r, id, &v, &take)) != NULL)
			return bad;
		if (take) {
			l[*n].item_id = id;
			l[(*n)++].qty = v;
		}
	}
	return *chosen == 0 ? "Choose at least one item to order." : NULL;
}

/* Flash the drafts made (their count, and the ids that fit) and go
 * back to the list. */
static void
inv_reorder_done(struct req *r, struct json_object *ids)
{
	char		 flash[257];
	const char	*id;
	size_t		 i, n = json_object_array_length(ids), len;

	len = (size_t)snprintf(flash, sizeof(flash), INV_FLASH_MADE "%zu:", n);
	for (i = 0; i < n && i < INV_DRAFTS_MAX; i++) {
		id = json_object_get_string(json_object_array_get_idx(ids, i));
		if (id == NULL || strlen(id) != INV_ID_LEN ||
		    len + INV_ID_LEN + 1 >= sizeof(flash))
			break;
		len += (size_t)snprintf(flash + len, sizeof(flash) - len,
		    "%s%s", i ? "," : "", id);
	}
	if (session_flash_set(r, flash))
		html_redirect(r, "/admin/inventory");
	else
		inv_refuse(r, 503, "The database is unavailable; nothing "
		    "changed.");
}

/* POST /admin/inventory/reorder: draft purchase orders from the chosen
 * suggestions, one per supplier, in the pipeline's transaction. */
void
console_inventory_reorder(struct req *r)
{
	struct reorder_line	*l = NULL;
	struct json_object	*ids = NULL;
	char			**chosen = NULL, actor[300];
	const char		*bad;
	size_t			 n = 0, nchosen = 0, i;
	int			 too_large = 0;

	l = calloc(INV_LINES_MAX, sizeof(*l));
	chosen = calloc(INV_LINES_MAX, sizeof(*chosen));
	if (l == NULL || chosen == NULL) {
		inv_refuse(r, 503, "Out of memory; nothing changed.");
		goto out;
	}
	if ((bad = inv_reorder_read(r, l, chosen, &n, &nchosen)) != NULL) {
		inv_refuse(r, 400, bad);
		goto out;
	}
	if (n == 0) {
		inv_refuse(r, 422, "Nothing to order: every chosen quantity "
		    "is 0.");
		goto out;
	}
	principal_actor(&r->principal, actor, sizeof(actor));
	switch (stockview_reorder(r->db, r->principal.org_id, l, n, actor,
	    &ids, &too_large)) {
	case DB_OK:
		inv_reorder_done(r, ids);
		break;
	case DB_NOTFOUND:
		inv_refuse(r, 404, "A chosen item is not in this "
		    "organization's inventory (any more); nothing changed.");
		break;
	case DB_CONSTRAINT:
		inv_refuse(r, 422, too_large ? "A draft's line amount or total "
		    "would pass 99999999999999.9999; order less." : "Nothing to "
		    "order: the chosen items have no suggested quantity above "
		    "0; type a quantity.");
		break;
	default:
		inv_refuse(r, 503, "The database is unavailable; nothing "
		    "changed.");
		break;
	}
out:
	json_object_put(ids);
	for (i = 0; i < nchosen; i++)
		free(chosen[i]);
	free(chosen);
	free(l);
}

/* POST /admin/inventory/drafts/{id}/submit: DRAFT -> SUBMITTED, audited
 * by the orders domain as the API's status change is; the drafts listed
 * with it (rest) are listed again after it. */
void
console_inventory_submit(struct req *r)
{
	struct inv_drafts	 d;
	char			 flash[257], actor[300], from[16], why[200];
	char			*rest = NULL;
	size_t			 i, len;

	memset(&d, 0, sizeof(d));
	if (req_form_param(r, "rest", &rest) >= 0)
		inv_drafts_add(&d, rest);
	principal_actor(&r->principal, actor, sizeof(actor));
	switch (orders_transition(r->db, r->principal.org_id, r->args[0],
	    "SUBMITTED", actor, NULL, from)) {
	case ORDER_MOVED:
		len = (size_t)snprintf(flash, sizeof(flash), INV_FLASH_SENT
		    "%s;", r->args[0]);
		for (i = 0; i < d.n && len + INV_ID_LEN + 1 < sizeof(flash); i++)
			len += (size_t)snprintf(flash + len, sizeof(flash) -
			    len, "%s%s", i ? "," : "", d.ids[i]);
		if (strlen(r->args[0]) == INV_ID_LEN && session_flash_set(r,
		    flash))
			html_redirect(r, "/admin/inventory");
		else
			inv_refuse(r, 503, "The database is unavailable; "
			    "nothing changed.");
		break;
	case ORDER_NOT_FOUND:
		req_undo(r);
		html_error_page(r, 404, "No such purchase order.");
		break;
	case ORDER_BAD_MOVE:
		snprintf(why, sizeof(why), "Purchase order %s is %s, not a "
		    "draft; nothing changed.", r->args[0], from);
		inv_refuse(r, 409, why);
		break;
	default:
		inv_refuse(r, 503, "The database is unavailable; nothing "
		    "changed.");
		break;
	}
	free(rest);
}

/* --- one item ---------------------------------------------------------- */

static void
inv_fact(struct req *r, const char *name, const char *value)
{
	html_raw(r, "<tr><th scope=\"row\">");
	html_text(r, name);
	html_raw(r, "</th>");
	console_cell(r, value);
	html_raw(r, "</tr>\n");
}

/* A fact of an amount (with the unit when one is given). */
static void
inv_fact_amount(struct req *r, const char *name, int64_t v, int known,
    const char *unit)
{
	html_raw(r, "<tr><th scope=\"row\">");
	html_text(r, name);
	html_raw(r, "</th>");
	inv_amount_cell(r, v, known, unit);
	html_raw(r, "</tr>\n");
}

/* What the period kind of the series is called. */
static const char *
inv_period_name(const char *kind)
{
	if (kind == NULL)
		return NULL;
	if (strcmp(kind, "DAY") == 0)
		return "Days";
	if (strcmp(kind, "WEEK") == 0)
		return "Weeks (Monday to Sunday)";
	if (strcmp(kind, "MONTH") == 0)
		return "Months";
	return kind;
}

static void
inv_details(struct req *r, const struct stock_item_view *v,
    struct json_object *item)
{
	const struct stock_row	*s = &v->item;
	struct json_object	*o;
	const char		*cls;
	char			 t[DECIMAL_BUFSZ];
	int64_t			 cost = 0;
	int			 has_cost;

	has_cost = item != NULL && json_object_object_get_ex(item, "unitCost",
	    &o) && o != NULL && decimal_from_json(o, &cost);
	html_raw(r, "<table class=\"facts\"><caption>Details</caption>\n");
	inv_fact(r, "SKU", s->sku);
	inv_fact(r, "Name", s->name);
	inv_fact(r, "Category", s->category);
	inv_fact(r, "Unit", s->unit);
	inv_fact_amount(r, "Stock on hand", s->stock, 1, s->unit);
	inv_fact_amount(r, "Low-stock threshold", s->threshold,
	    s->has_threshold, s->unit);
	inv_fact(r, "Stock", inv_state(s, &cls));
	inv_fact_amount(r, "Unit cost", cost, has_cost, NULL);
	inv_fact(r, "Supplier", s->supplier);
	if (s->has_cover)
		inv_cover_text(s->cover_days, t);
	inv_fact(r, "Days of cover", s->has_cover ? t : NULL);
	inv_fact_amount(r, "Forecast demand a day", s->daily_rate,
	    s->has_rate, s->unit);
	inv_fact_amount(r, "Suggested reorder quantity", s->suggestion,
	    s->has_suggestion, s->unit);
	inv_fact(r, "Forecast method", v->method);
	inv_fact(r, "Forecast period", inv_period_name(v->period_kind));
	html_raw(r, "</table>\n");
}

/* The chart's numbers, one x per period: past demand, then the
 * forecast with its bounds, and the stock projected from what is on
 * hand now, less the forecast of each period before. */
struct inv_series {
	size_t		 n;
	const char	**x;
	int64_t		*demand, *fc, *lo, *hi, *stock;
	int		*has_demand, *has_fc;
};

static void
inv_series_free(struct inv_series *s)
{
	free(s->x);
	free(s->demand);
	free(s->fc);
	free(s->lo);
	free(s->hi);
	free(s->stock);
	free(s->has_demand);
	free(s->has_fc);
}

static int
inv_series_build(const struct stock_item_view *v, struct inv_series *s)
{
	const struct stock_point	*p;
	size_t				 i, k, n = v->ndemand + v->nforecast;
	int64_t				 left = v->item.stock;

	memset(s, 0, sizeof(*s));
	s->n = n;
	if (n == 0)
		return 1;
	s->x = calloc(n, sizeof(*s->x));
	s->demand = calloc(n, sizeof(int64_t));
	s->fc = calloc(n, sizeof(int64_t));
	s->lo = calloc(n, sizeof(int64_t));
	s->hi = calloc(n, sizeof(int64_t));
	s->stock = calloc(n, sizeof(int64_t));
	s->has_demand = calloc(n, sizeof(int));
	s->has_fc = calloc(n, sizeof(int));
	if (!s->x || !s->demand || !s->fc || !s->lo || !s->hi || !s->stock ||
	    !s->has_demand || !s->has_fc)
		return 0;
	for (i = 0; i < v->ndemand; i++) {
		s->x[i] = v->demand[i].start;
		s->demand[i] = v->demand[i].qty;
		s->has_demand[i] = 1;
	}
	for (k = 0; k < v->nforecast; k++, i++) {
		p = &v->forecast[k];
		s->x[i] = p->start;
		s->fc[i] = p->qty;
		s->lo[i] = p->lo;
		s->hi[i] = p->hi;
		s->has_fc[i] = 1;
		s->stock[i] = left > 0 ? left : 0;
		left -= p->qty;
	}
	return 1;
}

/* One cell of the chart's table; "—" where the series has no point. */
static void
inv_point_cell(struct req *r, int64_t v, int has)
{
	char	 t[DECIMAL_BUFSZ];

	decimal_format(v, t);
	html_raw(r, "<td class=\"num\">");
	html_text(r, has ? t : "—");
	html_raw(r, "</td>");
}

/* The table of the chart's numbers, for screen readers and anyone. */
static void
inv_chart_table(struct req *r, const struct stock_item_view *v,
    const struct inv_series *s)
{
	const struct stock_point	*p;
	size_t				 i;

	html_raw(r, "<table class=\"chart-data\"><caption>The chart's "
	    "numbers: demand per period, the forecast with its lower and "
	    "upper bounds, and the projected stock</caption><thead><tr>"
	    "<th scope=\"col\">Period</th><th scope=\"col\">Past demand</th>"
	    "<th scope=\"col\">Forecast</th><th scope=\"col\">Lower bound</th>"
	    "<th scope=\"col\">Upper bound</th>"
	    "<th scope=\"col\">Projected stock</th></tr></thead><tbody>\n");
	for (i = 0; i < s->n; i++) {
		p = i < v->ndemand ? &v->demand[i] :
		    &v->forecast[i - v->ndemand];
		html_raw(r, "<tr><th scope=\"row\">");
		if (p->end != NULL && strcmp(p->start, p->end) != 0)
			html_textf(r, "%s to %s", p->start, p->end);
		else
			html_text(r, p->start);
		html_raw(r, "</th>");
		inv_point_cell(r, s->demand[i], s->has_demand[i]);
		inv_point_cell(r, s->fc[i], s->has_fc[i]);
		inv_point_cell(r, s->lo[i], s->has_fc[i]);
		inv_point_cell(r, s->hi[i], s->has_fc[i]);
		inv_point_cell(r, s->stock[i], s->has_fc[i]);
		html_raw(r, "</tr>\n");
	}
	html_raw(r, "</tbody></table>\n");
}

static void
inv_chart(struct req *r, const struct stock_item_view *v,
    const struct inv_series *s)
{
	struct chart_series	 series[3];
	struct chart		 c;
	/* names go to 255 characters (of up to 4 bytes: imports) */
	char			 title[1100], desc[300];

	snprintf(title, sizeof(title), "Demand and forecast of %s",
	    v->item.name);
	snprintf(desc, sizeof(desc), "Bars: past demand per period. Dashed "
	    "line: the forecast, its lower and upper bounds hatched. Steps: "
	    "the stock on hand now, less the forecast of each period before.");
	memset(series, 0, sizeof(series));
	series[0] = (struct chart_series){ "Past demand", CHART_BARS,
	    s->demand, NULL, NULL, s->has_demand };
	series[1] = (struct chart_series){ "Forecast (with its bounds)",
	    CHART_DASHED, s->fc, s->lo, s->hi, s->has_fc };
	series[2] = (struct chart_series){ "Projected stock", CHART_STEP,
	    s->stock, NULL, NULL, s->has_fc };
	memset(&c, 0, sizeof(c));
	c.title = title;
	c.desc = desc;
	c.y_unit = v->item.unit;
	c.nx = s->n;
	c.x_labels = s->x;
	c.nseries = 3;
	c.series = series;
	html_raw(r, "<h2>Demand, forecast and stock</h2>\n<figure "
	    "class=\"chart\">");
	svg_chart(r, &c);
	html_raw(r, "</figure>\n");
	if (s->n == 0)
		html_raw(r, "<p class=\"muted\">No order history or forecast "
		    "yet.</p>\n");
	else
		inv_chart_table(r, v, s);
}

static void
inv_history(struct req *r, const struct stock_item_view *v)
{
	const struct stock_move	*m;
	size_t			 i;

	html_raw(r, "<h2>Stock history</h2>\n");
	if (v->nmoves == 0) {
		html_raw(r, "<p class=\"muted\">No change of stock yet.</p>\n");
		return;
	}
	html_raw(r, "<table class=\"history\"><caption>The latest changes, "
	    "newest first</caption><thead><tr><th scope=\"col\">When</th>"
	    "<th scope=\"col\">Source</th><th scope=\"col\">Reason</th>"
	    "<th scope=\"col\">Who</th><th scope=\"col\">Change</th>"
	    "<th scope=\"col\">Stock after</th></tr></thead><tbody>\n");
	for (i = 0; i < v->nmoves; i++) {
		m = &v->moves[i];
		html_raw(r, "<tr>");
		console_cell(r, m->at);
		console_cell(r, m->source);
		console_cell(r, m->reason);
		console_cell(r, m->actor);
		inv_point_cell(r, m->delta, 1);
		inv_point_cell(r, m->after, 1);
		html_raw(r, "</tr>\n");
	}
	html_raw(r, "</tbody></table>\n");
}

/* GET /admin/inventory/{id} */
void
console_inventory_item(struct req *r)
{
	struct stock_item_view	 v;
	struct inv_series	 s;
	struct json_object	*item = NULL;
	enum db_code		 code;

	memset(&s, 0, sizeof(s));
	memset(&v, 0, sizeof(v));
	if ((code = stockview_item(r->db, r->principal.org_id, r->args[0],
	    &v)) == DB_NOTFOUND) {
		html_error_page(r, 404, "No such item.");
		goto out;
	}
	if (code == DB_OK)
		item = items_fetch_json(r->db, r->principal.org_id, r->args[0],
		    &code);
	if (code == DB_OK && !inv_series_build(&v, &s))
		code = DB_ERROR;
	if (!console_begin(r, code, code == DB_OK && v.item.name ?
	    v.item.name : "Item", NULL, NULL))
		goto out;
	html_raw(r, "<p><a href=\"/admin/inventory\">All items</a></p>\n");
	inv_details(r, &v, item);
	inv_chart(r, &v, &s);
	inv_history(r, &v);
	html_end(r);
out:
	inv_series_free(&s);
	json_object_put(item);
	stockview_item_cleanup(&v);
}
