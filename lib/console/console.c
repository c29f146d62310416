/*
 * console.c - the administrators' HTML console: approvals, webhook
 * settings with their delivery log, and API keys. Server-rendered, no
 * JavaScript; every form carries the CSRF token (checked in auth.c);
 * every POST answers with a redirect or with the page it changed. Pages
 * that change settings need the admin role.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

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

/* GET /admin */
void
console_home(struct req *r)
{
	html_redirect(r, "/admin/approvals");
}

static void
console_cell(struct req *r, const char *s)
{
	html_raw(r, "<td>");
	html_text(r, s ? s : "—");
	html_raw(r, "</td>");
}

/* A DECIMAL cell in its shortest form ("10", not "10.0000"). */
static void
console_decimal(struct req *r, const char *sql)
{
	char	 s[DECIMAL_BUFSZ];
	int64_t	 v;

	if (sql == NULL || !decimal_parse(sql, &v)) {
		console_cell(r, sql);
		return;
	}
	decimal_format(v, s);
	console_cell(r, s);
}

/* Each row of rows as a table row of its first ncols cells. */
static void
console_rows(struct req *r, const struct db_rows *rows, size_t ncols)
{
	size_t	 i, k;

	for (i = 0; i < rows->nrows; i++) {
		html_raw(r, "<tr>");
		for (k = 0; k < ncols; k++)
			console_cell(r, db_cell(rows, i, k));
		html_raw(r, "</tr>\n");
	}
}

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

static void
console_event_boxes(struct req *r)
{
	const char	*name;
	size_t		 i;

	html_raw(r, "<fieldset><legend>Events</legend><label><input "
	    "type=\"checkbox\" name=\"all\" value=\"1\" checked> All events"
	    "</label>");
	for (i = 0; (name = events_subscribable_at(i)) != NULL; i++) {
		html_raw(r, "<label><input type=\"checkbox\" name=\"event\" "
		    "value=\"");
		html_text(r, name);
		html_raw(r, "\"> ");
		html_text(r, name);
		html_raw(r, "</label>");
	}
	html_raw(r, "</fieldset>");
}

static void
console_sub_actions(struct req *r, const char *id, int active)
{
	static const char *const acts[][2] = {
		{ "test", "Send test event" }, { "rotate", "Rotate secret" },
		{ "delete", "Delete" },
	};
	size_t	 i;

	html_raw(r, "<td class=\"actions\">");
	for (i = 0; i < 4; i++) {
		const char *act = i == 0 ? (active ? "disable" : "enable") :
		    acts[i - 1][0];

		html_raw(r, "<form method=\"post\" action=\"/admin/webhooks/");
		html_text(r, id);
		html_raw(r, "/");
		html_text(r, act);
		html_raw(r, "\" class=\"inline\">");
		html_csrf(r);
		html_raw(r, "<button");
		if (strcmp(act, "delete") == 0)
			html_raw(r, " class=\"danger\"");
		html_raw(r, ">");
		html_text(r, i == 0 ? (active ? "Disable" : "Enable") :
		    acts[i - 1][1]);
		html_raw(r, "</button></form>");
	}
	html_raw(r, "</td>");
}

static void
console_webhooks_page(struct req *r, const char *notice, const char *cls,
    const char *secret)
{
	struct db_rows	*rows = NULL;
	size_t		 i;

	if (webhooks_list(r->db, r->principal.org_id, &rows) != DB_OK) {
		db_rows_free(rows);
		html_error_page(r, 503, "The database is unavailable.");
		return;
	}
	html_begin(r, 200, "Webhooks");
	if (notice)
		html_notice(r, cls, notice);
	if (secret) {
		html_raw(r, "<div class=\"secret\"><p>Signing secret — shown this "
		    "once; copy it now:</p><code id=\"secret\">");
		html_text(r, secret);
		html_raw(r, "</code></div>\n");
	}
	html_raw(r, "<table><tr><th>URL</th><th>Events</th><th>State</th>"
	    "<th></th></tr>\n");
	for (i = 0; i < rows->nrows; i++) {
		int active = strcmp(db_cell(rows, i, 3), "1") == 0;

		html_raw(r, "<tr><td><a href=\"/admin/webhooks/");
		html_text(r, db_cell(rows, i, 0));
		html_raw(r, "\">");
		html_text(r, db_cell(rows, i, 1));
		html_raw(r, "</a></td>");
		console_cell(r, db_cell(rows, i, 2));
		html_raw(r, "<td>");
		html_text(r, active ? "active" : "disabled");
		if (!active && db_cell(rows, i, 4))
			html_textf(r, ": %s", db_cell(rows, i, 4));
		if (active && db_cell(rows, i, 5))
			html_textf(r, " (failing since %s)", db_cell(rows, i, 5));
		html_raw(r, "</td>");
		console_sub_actions(r, db_cell(rows, i, 0), active);
		html_raw(r, "</tr>\n");
	}
	html_raw(r, "</table>\n<h2>Add a subscription</h2><form method=\"post\" "
	    "action=\"/admin/webhooks\" class=\"card\">");
	html_csrf(r);
	html_raw(r, "<label>URL <input type=\"url\" name=\"url\" required "
	    "maxlength=\"2048\" placeholder=\"https://example.com/hooks\">"
	    "</label>");
	console_event_boxes(r);
	html_raw(r, "<button>Subscribe</button></form>\n");
	db_rows_free(rows);
	html_end(r);
}

/* GET /admin/webhooks (shows a secret flashed by the POST before). */
void
console_webhooks(struct req *r)
{
	char	 flash[300];

	if (session_flash_take(r, flash, sizeof(flash)) &&
	    (strncmp(flash, "w:", 2) == 0 || strncmp(flash, "r:", 2) == 0)) {
		console_webhooks_page(r, flash[0] == 'w' ? "Subscription added." :
		    "Secret rotated; the old one no longer signs.", "ok",
		    flash + 2);
		sodium_memzero(flash, sizeof(flash));
	} else
		console_webhooks_page(r, NULL, NULL, NULL);
}

/* Redirect to a page that shows secret once (POST-redirect-GET, so a
 * reload does not repeat the POST). */
static void
console_flash_redirect(struct req *r, const char *tag, const char *secret,
    const char *page)
{
	char	 flash[300];

	snprintf(flash, sizeof(flash), "%s%s", tag, secret);
	if (session_flash_set(r, flash))
		html_redirect(r, page);
	else
		html_error_page(r, 503, "The database is unavailable.");
	sodium_memzero(flash, sizeof(flash));
}

/* The checked events of the form, "*" for all. 0 with the reason in
 * msg when there is none, or one is not offered. */
static int
console_form_events(struct req *r, struct buf *out, char *msg, size_t msgsz)
{
	const char	*p = r->in.body.data ? r->in.body.data : "";
	char		*all = NULL, *v, err[160];
	size_t		 n;
	int		 ok = 1;

	if (req_form_param(r, "all", &all) == 1) {
		free(all);
		return buf_puts(out, "*");
	}
	/* Each "event=" pair of the body; several boxes share the name. */
	while ((p = strstr(p, "event=")) != NULL) {
		if (p != r->in.body.data && p[-1] != '&') {
			p += 6;
			continue;
		}
		n = strcspn(p + 6, "&");
		if (!req_url_decode(p + 6, n, &v)) {
			snprintf(msg, msgsz, "event: not a valid form value");
			return 0;
		}
		if (!webhooks_event_offered(v, err, sizeof(err))) {
			if (ok)
				snprintf(msg, msgsz, "event: %s", err);
			ok = 0;
		} else {
			if (out->len > 0)
				buf_puts(out, ",");
			buf_puts(out, v);
		}
		free(v);
		p += 6 + n;
	}
	if (ok && out->len == 0)
		snprintf(msg, msgsz, "Choose all events or at least one.");
	return ok && out->len > 0;
}

/* POST /admin/webhooks */
void
console_webhook_create(struct req *r)
{
	char		*url = NULL, err[160], msg[200], id[37];
	char		 secret[WEBHOOK_SECRET_MAX];
	struct buf	 events;

	buf_init(&events);
	if (req_form_param(r, "url", &url) != 1 || *url == '\0')
		console_webhooks_page(r, "Enter the URL to send events to.",
		    "error", NULL);
	else if (!webhooks_url_ok(r->conf, url, err, sizeof(err))) {
		snprintf(msg, sizeof(msg), "URL: %s", err);
		console_webhooks_page(r, msg, "error", NULL);
	} else if (!console_form_events(r, &events, msg, sizeof(msg))) {
		console_webhooks_page(r, msg, "error", NULL);
		if (r->out.status == 200)
			r->out.status = 400;	/* the form again, refused */
	} else if (webhooks_create(r->db, r->principal.org_id, url, events.data,
	    r->principal.email, id, secret) != DB_OK)
		html_error_page(r, 503, "The database is unavailable.");
	else {
		console_flash_redirect(r, "w:", secret, "/admin/webhooks");
		sodium_memzero(secret, sizeof(secret));
	}
	buf_cleanup(&events);
	free(url);
}

/* POST /admin/webhooks/{id}/{action} */
void
console_webhook_action(struct req *r)
{
	const char	*act = r->args[1], *id = r->args[0];
	char		 secret[WEBHOOK_SECRET_MAX];
	enum db_code	 code;

	if (strcmp(act, "enable") == 0 || strcmp(act, "disable") == 0)
		code = webhooks_set_active(r->db, r->principal.org_id, id,
		    strcmp(act, "enable") == 0);
	else if (strcmp(act, "delete") == 0)
		code = webhooks_delete(r->db, r->principal.org_id, id);
	else if (strcmp(act, "test") == 0)
		code = webhooks_send_test(r->db, r->principal.org_id, id);
	else if (strcmp(act, "rotate") == 0) {
		if ((code = webhooks_rotate(r->db, r->principal.org_id, id,
		    secret)) == DB_OK) {
			console_flash_redirect(r, "r:", secret, "/admin/webhooks");
			sodium_memzero(secret, sizeof(secret));
			return;
		}
	} else {
		html_error_page(r, 404, "No such action.");
		return;
	}
	if (code == DB_NOTFOUND)
		html_error_page(r, 404, "No such subscription.");
	else if (code != DB_OK)
		html_error_page(r, 503, "The database is unavailable.");
	else if (strcmp(act, "test") == 0)
		console_webhooks_page(r, "Test event queued; see the delivery log.",
		    "ok", NULL);
	else
		html_redirect(r, "/admin/webhooks");
}

static void
console_attempts(struct req *r, long long delivery)
{
	struct db_rows	*rows = NULL;

	if (webhooks_attempts(r->db, delivery, &rows) != DB_OK) {
		db_rows_free(rows);
		return;
	}
	html_raw(r, "<table class=\"attempts\"><tr><th>#</th><th>Time</th>"
	    "<th>Status</th><th>ms</th><th>Error</th><th>Response</th></tr>");
	console_rows(r, rows, 6);
	html_raw(r, "</table>");
	db_rows_free(rows);
}

static void
console_delivery(struct req *r, const struct db_rows *rows, size_t i)
{
	const char	*state = db_cell(rows, i, 2);

	html_raw(r, "<section class=\"delivery\"><h3>");
	html_textf(r, "%s — %s — %s", db_cell(rows, i, 1), state,
	    db_cell(rows, i, 6));
	html_raw(r, "</h3>");
	console_attempts(r, atoll(db_cell(rows, i, 7)));
	if (strcmp(state, "succeeded") == 0 || strcmp(state, "failed") == 0) {
		html_raw(r, "<form method=\"post\" action=\"/admin/deliveries/");
		html_text(r, db_cell(rows, i, 0));
		html_raw(r, "/redeliver\">");
		html_csrf(r);
		html_raw(r, "<button>Redeliver</button></form>");
	}
	html_raw(r, "</section>\n");
}

/* GET /admin/webhooks/{id}: the delivery log of one subscription. */
void
console_webhook_log(struct req *r)
{
	struct db_rows	*rows = NULL;
	size_t		 i;

	if (webhooks_deliveries(r->db, r->principal.org_id, r->args[0],
	    &rows) != DB_OK) {
		db_rows_free(rows);
		html_error_page(r, 503, "The database is unavailable.");
		return;
	}
	html_begin(r, 200, "Delivery log");
	html_raw(r, "<p><a href=\"/admin/webhooks\">All subscriptions</a></p>");
	if (rows->nrows == 0)
		html_raw(r, "<p class=\"muted\">No deliveries yet.</p>");
	for (i = 0; i < rows->nrows; i++)
		console_delivery(r, rows, i);
	db_rows_free(rows);
	html_end(r);
}

/* POST /admin/deliveries/{id}/redeliver */
void
console_redeliver(struct req *r)
{
	enum db_code	 code;

	code = webhooks_redeliver(r->db, r->principal.org_id, r->args[0]);
	if (code == DB_OK)
		html_redirect(r, "/admin/webhooks");
	else
		html_error_page(r, code == DB_NOTFOUND ? 404 : 503, code ==
		    DB_NOTFOUND ? "No such finished delivery." :
		    "The database is unavailable.");
}

static void
console_key_row(struct req *r, struct json_object *k)
{
	const char	*revoked;

#define F(n)	json_object_get_string(json_object_object_get(k, n))
	revoked = F("revokedAt");
	html_raw(r, "<tr>");
	console_cell(r, F("kind"));
	html_raw(r, "<td><code>");
	html_textf(r, "%s…%s", F("prefix"), F("last4"));
	html_raw(r, "</code></td>");
	console_cell(r, F("name"));
	console_cell(r, F("app"));
	console_cell(r, F("createdAt"));
	console_cell(r, F("lastUsedAt"));
	html_raw(r, "<td>");
	if (revoked)
		html_textf(r, "revoked %s", revoked);
	else {
		html_raw(r, "<form method=\"post\" action=\"/admin/keys/");
		html_text(r, F("id"));
		html_raw(r, "/revoke\" class=\"inline\">");
		html_csrf(r);
		html_raw(r, "<button class=\"danger\">Revoke</button></form>");
	}
	html_raw(r, "</td></tr>\n");
#undef F
}

static void
console_keys_page(struct req *r, const char *notice, const char *cls,
    const char *token)
{
	struct json_object	*arr;
	size_t			 i;
	int			 k;

	if ((arr = keys_list_json(r->db, r->principal.org_id)) == NULL) {
		html_error_page(r, 503, "The database is unavailable.");
		return;
	}
	html_begin(r, 200, "API keys");
	if (notice)
		html_notice(r, cls, notice);
	if (token) {
		html_raw(r, "<div class=\"secret\"><p>New key — shown this once; "
		    "copy it now:</p><code id=\"new-key\">");
		html_text(r, token);
		html_raw(r, "</code></div>\n");
	}
	html_raw(r, "<table><tr><th>Kind</th><th>Key</th><th>Name</th>"
	    "<th>App</th><th>Created</th><th>Last used</th><th></th></tr>\n");
	for (i = 0; i < json_object_array_length(arr); i++)
		console_key_row(r, json_object_array_get_idx(arr, i));
	html_raw(r, "</table>\n<h2>Create a key</h2><form method=\"post\" "
	    "action=\"/admin/keys\" class=\"card\">");
	html_csrf(r);
	html_raw(r, "<label>Kind <select name=\"kind\">");
	for (k = 0; k < KEY_KIND__MAX; k++) {
		html_raw(r, "<option>");
		html_text(r, keys_kind_name((enum key_kind)k));
		html_raw(r, "</option>");
	}
	html_raw(r, "</select></label><label>Name <input name=\"name\" "
	    "maxlength=\"200\"></label><label>Ingest app (ingest keys only) "
	    "<input name=\"app\" maxlength=\"63\" pattern=\"[a-z0-9][a-z0-9-]+\">"
	    "</label><button>Create key</button></form>\n");
	json_object_put(arr);
	html_end(r);
}

/* GET /admin/keys (shows a key flashed by the POST before). */
void
console_keys(struct req *r)
{
	char	 flash[300];

	if (session_flash_take(r, flash, sizeof(flash)) &&
	    strncmp(flash, "k:", 2) == 0) {
		console_keys_page(r, "Key created.", "ok", flash + 2);
		sodium_memzero(flash, sizeof(flash));
	} else
		console_keys_page(r, NULL, NULL, NULL);
}

/* POST /admin/keys */
void
console_key_create(struct req *r)
{
	char		*kind = NULL, *name = NULL, *app = NULL, tok[128], id[37];
	enum key_kind	 k;
	long long	 app_id = 0;

	req_form_param(r, "kind", &kind);
	req_form_param(r, "name", &name);
	req_form_param(r, "app", &app);
	if (app != NULL && *app == '\0') {
		free(app);
		app = NULL;
	}
	if (kind == NULL || !keys_kind_parse(kind, &k))
		console_keys_page(r, "Choose a kind of key.", "error", NULL);
	else if ((k == KEY_INGEST) != (app != NULL) ||
	    (app && !orgs_slug_valid(app)))
		console_keys_page(r, "Ingest keys need an app (a-z, 0-9, '-'); "
		    "other kinds none.", "error", NULL);
	else if (name && strlen(name) > 200)
		console_keys_page(r, "The name is too long.", "error", NULL);
	else if ((app && orgs_app_ensure(r->db, r->principal.org_id, app,
	    &app_id) != DB_OK) || !keys_create(r->db, r->principal.org_id, k,
	    app_id, name && *name ? name : NULL, tok, sizeof(tok), id))
		html_error_page(r, 503, "The database is unavailable.");
	else {
		console_flash_redirect(r, "k:", tok, "/admin/keys");
		sodium_memzero(tok, sizeof(tok));
	}
	free(kind);
	free(name);
	free(app);
}

/* POST /admin/keys/{id}/revoke */
void
console_key_revoke(struct req *r)
{
	enum db_code	 code;

	code = keys_revoke_org(r->db, r->principal.org_id, r->args[0]);
	if (code == DB_OK)
		html_redirect(r, "/admin/keys");
	else
		html_error_page(r, code == DB_NOTFOUND ? 404 : 503,
		    code == DB_NOTFOUND ? "No such key." :
		    "The database is unavailable.");
}
