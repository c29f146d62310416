/*
 * console/integrations.c - /admin/integrations (admins): the
 * organization's integrations with type and status filters, a new one
 * (its signing secret shown once on its page), one integration's page
 * with its details, incoming URL, edit form (credential fields left
 * empty keep what is stored; a box clears them), a connection test with
 * its result, its log, and a delete asked to confirm first. Writes go
 * through impex/integrations.c, as the API's do; credentials are never
 * shown back, not even in a refused form.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "console/console.h"
#include "impex/impex.h"

#define INTEG_PAGE	"/admin/integrations"
#define INTEG_LIST_MAX	100
#define INTEG_LOG_MAX	50

/* What a form sent: its fields, owned. */
struct integ_form {
	char	*name, *type, *status, *url, *key, *secret, *config, *clear;
};

static void
integ_form_free(struct integ_form *f)
{
	free(f->name);
	free(f->type);
	free(f->status);
	free(f->url);
	if (f->key != NULL)
		sodium_memzero(f->key, strlen(f->key));
	if (f->secret != NULL)
		sodium_memzero(f->secret, strlen(f->secret));
	free(f->key);
	free(f->secret);
	free(f->config);
	free(f->clear);
	memset(f, 0, sizeof(*f));
}

/* Read the form; 0 when a value is not valid form encoding or UTF-8. */
static int
integ_form_read(struct req *r, struct integ_form *f)
{
	static const char *const names[] = {
		"name", "type", "status", "webhook_url", "api_key",
		"api_secret", "config_data", "clear_credentials"
	};
	char	**slots[] = { &f->name, &f->type, &f->status, &f->url,
		    &f->key, &f->secret, &f->config, &f->clear };
	size_t	 i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (req_form_param(r, names[i], slots[i]) < 0 ||
		    (*slots[i] != NULL && !util_utf8_valid(*slots[i],
		    strlen(*slots[i]))))
			return 0;
	return 1;
}

/* The form as integ_write takes it: empty fields are not given (the
 * stored value stays; on creation, the default). */
static void
integ_form_in(const struct integ_form *f, struct integ_in *in, int create)
{
	memset(in, 0, sizeof(*in));
	in->name = f->name ? f->name : "";
	in->type = f->type && *f->type ? f->type : create ? "" : NULL;
	in->status = f->status && *f->status ? f->status : NULL;
	/* an emptied URL field removes the URL (required for webhooks) */
	in->webhook_url = f->url ? f->url : create ? NULL : "";
	if (create && in->webhook_url && !*in->webhook_url)
		in->webhook_url = NULL;
	in->api_key = f->key;
	in->api_secret = f->secret;
	in->config = f->config && *f->config ? f->config : "{}";
	in->clear_credentials = f->clear != NULL && strcmp(f->clear, "1") == 0;
}

/* <option value="v">label</option>, selected when v is cur. */
static void
integ_option(struct req *r, const char *v, const char *label,
    const char *cur)
{
	html_raw(r, "<option value=\"");
	html_text(r, v);
	html_raw(r, cur != NULL && strcmp(cur, v) == 0 ? "\" selected>" :
	    "\">");
	html_text(r, label);
	html_raw(r, "</option>");
}

static void
integ_input(struct req *r, const char *label, const char *type,
    const char *name, const char *value, const char *extra)
{
	html_raw(r, "<label>");
	html_text(r, label);
	html_raw(r, " <input type=\"");
	html_text(r, type);
	html_raw(r, "\" name=\"");
	html_text(r, name);
	html_raw(r, "\" value=\"");
	html_text(r, value ? value : "");
	html_raw(r, "\"");
	if (extra)
		html_raw(r, extra);
	html_raw(r, "></label>");
}

/* The fields shared by the new and the edit form, holding what was
 * typed (f) or stored (o); credentials always empty. */
static void
integ_fields(struct req *r, const struct integ_form *f, struct json_object *o)
{
	struct json_object	*v;
	const char		*name = f ? f->name : NULL, *url = f ? f->url :
				    NULL, *config = f ? f->config : NULL;
	const char		*type = f ? f->type : NULL;

	if (o != NULL) {
		name = json_object_get_string(json_object_object_get(o,
		    "name"));
		type = json_object_get_string(json_object_object_get(o,
		    "type"));
		v = json_object_object_get(o, "webhook_url");
		url = v ? json_object_get_string(v) : NULL;
		config = json_to_str(json_object_object_get(o,
		    "config_data"));
	}
	integ_input(r, "Name", "text", "name", name,
	    " required maxlength=\"255\"");
	html_raw(r, "<label>Type <select name=\"type\">");
	integ_option(r, "webhook", "Webhook", type);
	integ_option(r, "api", "API", type);
	html_raw(r, "</select></label>");
	integ_input(r, "Webhook URL (webhooks)", "url", "webhook_url", url,
	    " maxlength=\"2048\" placeholder=\"https://example.com/hooks\"");
	integ_input(r, o ? "API key (empty: keep the stored one)" :
	    "API key (API integrations)", "password", "api_key", NULL,
	    " maxlength=\"4096\" autocomplete=\"off\"");
	integ_input(r, o ? "API secret (empty: keep the stored one)" :
	    "API secret (API integrations)", "password", "api_secret", NULL,
	    " maxlength=\"4096\" autocomplete=\"off\"");
	html_raw(r, "<label>Configuration (a JSON object, e.g. "
	    "{\"base_url\": \"https://api.example.com\"}) <textarea "
	    "name=\"config_data\" rows=\"3\" cols=\"60\">");
	html_text(r, config && strcmp(config, "{}") != 0 ? config : "");
	html_raw(r, "</textarea></label>");
}

/* --- the list ------------------------------------------------------- */

static void
integ_filters(struct req *r, const char *type, const char *status)
{
	html_raw(r, "<form method=\"get\" action=\"" INTEG_PAGE "\" "
	    "class=\"filters\"><label>Type <select name=\"type\">");
	integ_option(r, "", "Any", type ? type : "");
	integ_option(r, "webhook", "Webhook", type);
	integ_option(r, "api", "API", type);
	html_raw(r, "</select></label><label>Status <select name=\"status\">");
	integ_option(r, "", "Any", status ? status : "");
	integ_option(r, "active", "Active", status);
	integ_option(r, "inactive", "Inactive", status);
	integ_option(r, "error", "Error", status);
	html_raw(r, "</select></label><button>Filter</button></form>\n");
}

static void
integ_list_row(struct req *r, const struct db_rows *rows, size_t i)
{
	char	 masked[600];

	html_raw(r, "<tr><th scope=\"row\"><a href=\"" INTEG_PAGE "/");
	html_text(r, db_cell(rows, i, IC_ID));
	html_raw(r, "\">");
	html_text(r, db_cell(rows, i, IC_NAME));
	html_raw(r, "</a></th>");
	console_cell(r, db_cell(rows, i, IC_TYPE));
	console_cell(r, db_cell(rows, i, IC_STATUS));
	if (db_cell(rows, i, IC_URL) != NULL) {
		integ_mask_url(db_cell(rows, i, IC_URL), masked,
		    sizeof(masked));
		console_cell(r, masked);
	} else
		console_cell(r, NULL);
	console_cell(r, db_cell(rows, i, IC_TESTED));
	console_cell(r, db_cell(rows, i, IC_CREATED));
	html_raw(r, "</tr>\n");
}

static void
integ_list_page(struct req *r, int status, const char *notice,
    const char *cls, const struct integ_form *f)
{
	struct db_rows	*rows = NULL;
	char		*type = NULL, *st = NULL, *after = NULL;
	long long	 after_id = 0;
	size_t		 i, n;

	if (!console_query_param(r, "type", &type) ||
	    !console_query_param(r, "status", &st) ||
	    !console_query_param(r, "after", &after) ||
	    (after && !util_strtonum(after, 0, INT64_MAX, &after_id))) {
		html_error_page(r, 400, "A filter is not valid.");
		goto out;
	}
	if (type && strcmp(type, "webhook") != 0 && strcmp(type, "api") != 0) {
		free(type);
		type = NULL;
	}
	if (st && strcmp(st, "active") != 0 && strcmp(st, "inactive") != 0 &&
	    strcmp(st, "error") != 0) {
		free(st);
		st = NULL;
	}
	if (!console_begin(r, integ_page(r->db, r->principal.org_id, after_id,
	    INTEG_LIST_MAX, type, st, &rows), "Integrations", notice, cls))
		goto out;
	r->out.status = status;
	integ_filters(r, type, st);
	n = rows->nrows > INTEG_LIST_MAX ? INTEG_LIST_MAX : rows->nrows;
	if (n == 0)
		html_raw(r, "<p class=\"muted\">No integrations here yet.</p>");
	else {
		html_raw(r, "<table><caption>Integrations (webhook URLs shown "
		    "up to their host)</caption><tr><th scope=\"col\">Name"
		    "</th><th scope=\"col\">Type</th><th scope=\"col\">Status"
		    "</th><th scope=\"col\">Webhook URL</th><th scope=\"col\">"
		    "Last tested</th><th scope=\"col\">Created</th></tr>\n");
		for (i = 0; i < n; i++)
			integ_list_row(r, rows, i);
		html_raw(r, "</table>\n");
	}
	if (rows->nrows > n) {
		html_raw(r, "<p class=\"pager\"><a href=\"" INTEG_PAGE "?");
		html_textf(r, "type=%s&status=%s&after=%s", type ? type : "",
		    st ? st : "", db_cell(rows, n - 1, IC_ROWID));
		html_raw(r, "\">Next page</a></p>");
	}
	html_raw(r, "<h2 id=\"new\">Add an integration</h2><form "
	    "method=\"post\" action=\"" INTEG_PAGE "\" class=\"card\">");
	html_csrf(r);
	integ_fields(r, f, NULL);
	html_raw(r, "<button>Create integration</button></form>\n");
	html_end(r);
out:
	db_rows_free(rows);
	free(type);
	free(st);
	free(after);
}

/* GET /admin/integrations?type=&status=&after= */
void
console_integrations(struct req *r)
{
	char	 flash[300];

	if (session_flash_take(r, flash, sizeof(flash)) &&
	    strncmp(flash, "d:", 2) == 0)
		integ_list_page(r, 200, flash + 2, "ok", NULL);
	else
		integ_list_page(r, 200, NULL, NULL, NULL);
}

/* POST /admin/integrations: then its page, with the secret shown once. */
void
console_integration_create(struct req *r)
{
	struct integ_form	 f;
	struct integ_in		 in;
	char			 id[37], secret[64], why[300], flash[140];
	char			 page[80];
	int			 rc;

	if (!integ_form_read(r, &f)) {
		html_error_page(r, 400, "The form is not valid.");
		goto out;
	}
	integ_form_in(&f, &in, 1);
	rc = integ_write(r->db, r->conf, r->principal.org_id, NULL, &in,
	    r->principal.user_name, id, secret, why, sizeof(why));
	if (rc == 422)
		integ_list_page(r, 400, why, "error", &f);
	else if (rc != 0)
		html_error_page(r, 503, "The database is unavailable.");
	else {
		snprintf(flash, sizeof(flash), "%s|%s", id, secret);
		snprintf(page, sizeof(page), INTEG_PAGE "/%s", id);
		console_flash_redirect(r, "s:", flash, page);
		sodium_memzero(flash, sizeof(flash));
		sodium_memzero(secret, sizeof(secret));
	}
out:
	integ_form_free(&f);
}

/* --- one integration ------------------------------------------------ */

static const char *
integ_get_str(struct json_object *o, const char *k)
{
	struct json_object	*v = json_object_object_get(o, k);

	return v ? json_object_get_string(v) : NULL;
}

static void
integ_dl(struct req *r, const char *term, const char *value)
{
	html_raw(r, "<dt>");
	html_text(r, term);
	html_raw(r, "</dt><dd>");
	html_text(r, value && *value ? value : "—");
	html_raw(r, "</dd>");
}

static void
integ_details(struct req *r, struct json_object *o)
{
	int	 key = json_object_get_boolean(json_object_object_get(o,
		    "has_api_key"));
	int	 sec = json_object_get_boolean(json_object_object_get(o,
		    "has_api_secret"));

	html_raw(r, "<dl class=\"details\">");
	integ_dl(r, "Type", integ_get_str(o, "type"));
	integ_dl(r, "Status", integ_get_str(o, "status"));
	integ_dl(r, "Webhook URL", integ_get_str(o, "webhook_url"));
	integ_dl(r, "Credentials stored", key && sec ? "API key and secret" :
	    key ? "API key" : sec ? "API secret" : "none");
	integ_dl(r, "Incoming URL (senders sign with the secret shown at "
	    "creation)", integ_get_str(o, "incoming_url"));
	integ_dl(r, "Last tested", integ_get_str(o, "last_tested_at"));
	integ_dl(r, "Last error", integ_get_str(o, "last_error"));
	integ_dl(r, "Created", integ_get_str(o, "created_at"));
	html_raw(r, "</dl>\n");
}

static void
integ_action_form(struct req *r, const char *id, const char *action)
{
	html_raw(r, "<form method=\"post\" action=\"" INTEG_PAGE "/");
	html_text(r, id);
	html_raw(r, "/");
	html_text(r, action);
	html_raw(r, "\" class=\"card\">");
	html_csrf(r);
}

static void
integ_edit_form(struct req *r, const char *id, struct json_object *o,
    const struct integ_form *f)
{
	const char	*status = f && f->status ? f->status :
			    integ_get_str(o, "status");

	html_raw(r, "<h2>Edit</h2>");
	integ_action_form(r, id, "update");
	integ_fields(r, f, f ? NULL : o);
	html_raw(r, "<label>Status <select name=\"status\">");
	integ_option(r, "active", "Active", status);
	integ_option(r, "inactive", "Inactive", status);
	if (status && strcmp(status, "error") == 0)
		integ_option(r, "error", "Error (set by a failed test)",
		    status);
	html_raw(r, "</select></label><label><input type=\"checkbox\" "
	    "name=\"clear_credentials\" value=\"1\"> Clear the stored API "
	    "key and secret</label><button>Save changes</button></form>\n");
}

static void
integ_log_table(struct req *r, struct db *db, long long org, const char *id)
{
	struct integ	 in;
	struct db_rows	*rows = NULL;
	size_t		 i, n;

	html_raw(r, "<h2>Log</h2>");
	if (integ_load(db, org, id, &in) != DB_OK)
		return;
	if (integ_log_page(db, &in, 0, INTEG_LOG_MAX, &rows) != DB_OK) {
		integ_free(&in);
		return;
	}
	n = rows->nrows > INTEG_LOG_MAX ? INTEG_LOG_MAX : rows->nrows;
	if (n == 0)
		html_raw(r, "<p class=\"muted\">Nothing logged yet.</p>");
	else {
		html_raw(r, "<table class=\"log\"><caption>The last entries, "
		    "newest first</caption><tr><th scope=\"col\">Time</th>"
		    "<th scope=\"col\">Direction</th><th scope=\"col\">Kind</th>"
		    "<th scope=\"col\">Status</th><th scope=\"col\">HTTP</th>"
		    "<th scope=\"col\">ms</th><th scope=\"col\">Error</th>"
		    "</tr>\n");
		for (i = 0; i < n; i++) {
			html_raw(r, "<tr>");
			console_cell(r, db_cell(rows, i, 7));
			console_cell(r, db_cell(rows, i, 1));
			console_cell(r, db_cell(rows, i, 2));
			console_cell(r, db_cell(rows, i, 3));
			console_cell(r, db_cell(rows, i, 4));
			console_cell(r, db_cell(rows, i, 5));
			console_cell(r, db_cell(rows, i, 6));
			html_raw(r, "</tr>\n");
		}
		html_raw(r, "</table>\n");
	}
	db_rows_free(rows);
	integ_free(&in);
}

/* Integration id's page (status 200, or 400 with a refused edit f). */
static void
integ_show(struct req *r, const char *id, int status, const char *notice,
    const char *cls, const char *secret, const struct integ_form *f)
{
	struct json_object	*o;
	enum db_code		 code;

	if ((o = integ_fetch_json(r->db, r->conf, r->principal.org_id, id,
	    &code)) == NULL) {
		if (code == DB_NOTFOUND)
			html_error_page(r, 404, "No such integration.");
		else
			html_error_page(r, 503, "The database is unavailable.");
		return;
	}
	html_begin(r, status, integ_get_str(o, "name"));
	if (notice)
		html_notice(r, cls, notice);
	html_raw(r, "<p><a href=\"" INTEG_PAGE "\">All integrations</a></p>");
	if (secret) {
		console_secret(r, "Signing secret — shown this once; copy it "
		    "now. Senders sign webhooks to the incoming URL with it "
		    "(Standard Webhooks), and deliveries to your webhook URL "
		    "are signed with it:", "secret", secret);
	}
	integ_details(r, o);
	html_raw(r, "<h2>Connection test</h2>");
	integ_action_form(r, id, "test");
	html_raw(r, "<p>Sends a signed integration.test event (webhooks), or "
	    "GET config_data.base_url with the stored credentials (API)."
	    "</p><button>Test integration</button></form>\n");
	integ_edit_form(r, id, o, f);
	integ_log_table(r, r->db, r->principal.org_id, id);
	html_raw(r, "<h2>Delete</h2>");
	integ_action_form(r, id, "delete");
	html_raw(r, "<p>Removes the integration and its log.</p>"
	    "<button class=\"danger\">Delete integration</button></form>\n");
	html_end(r);
	json_object_put(o);
}

/* GET /admin/integrations/{id} (with a new one's secret, once). */
void
console_integration(struct req *r)
{
	char	 flash[300], *bar;

	if (session_flash_take(r, flash, sizeof(flash)) &&
	    strncmp(flash, "s:", 2) == 0 && (bar = strchr(flash, '|')) &&
	    (size_t)(bar - flash - 2) == strlen(r->args[0]) &&
	    strncmp(flash + 2, r->args[0], strlen(r->args[0])) == 0) {
		integ_show(r, r->args[0], 200, "Integration created.", "ok",
		    bar + 1, NULL);
		sodium_memzero(flash, sizeof(flash));
	} else
		integ_show(r, r->args[0], 200, NULL, NULL, NULL, NULL);
}

static void
integ_update_action(struct req *r, const char *id)
{
	struct integ_form	 f;
	struct integ_in		 in;
	char			 out_id[37], secret[64], why[300];
	int			 rc;

	if (!integ_form_read(r, &f)) {
		html_error_page(r, 400, "The form is not valid.");
		goto out;
	}
	integ_form_in(&f, &in, 0);
	/* an error shown in the form is kept as it is, not set anew */
	if (in.status && strcmp(in.status, "error") == 0)
		in.status = NULL;
	rc = integ_write(r->db, r->conf, r->principal.org_id, id, &in,
	    r->principal.user_name, out_id, secret, why, sizeof(why));
	if (rc == 0)
		integ_show(r, id, 200, "Saved.", "ok", NULL, NULL);
	else if (rc == 422)
		integ_show(r, id, 400, why, "error", NULL, &f);
	else if (rc == 404)
		html_error_page(r, 404, "No such integration.");
	else
		html_error_page(r, 503, "The database is unavailable.");
out:
	integ_form_free(&f);
}

static void
integ_test_action(struct req *r, const char *id)
{
	struct integ_test_result	 t;
	char				 msg[700];

	switch (integ_test_run(r->db, r->conf, r->principal.org_id, id, &t)) {
	case 0:
		snprintf(msg, sizeof(msg), "Test %s: %s (%ld ms).",
		    t.success ? "succeeded" : "failed", t.message,
		    t.duration_ms);
		integ_show(r, id, 200, msg, t.success ? "ok" : "error", NULL,
		    NULL);
		break;
	case 404:
		html_error_page(r, 404, "No such integration.");
		break;
	default:
		html_error_page(r, 503, "The database is unavailable.");
		break;
	}
}

/* The page that asks to confirm a delete; nothing is written. */
static void
integ_confirm_delete(struct req *r, const char *id)
{
	struct json_object	*o;
	enum db_code		 code;

	if ((o = integ_fetch_json(r->db, r->conf, r->principal.org_id, id,
	    &code)) == NULL) {
		html_error_page(r, code == DB_NOTFOUND ? 404 : 503, code ==
		    DB_NOTFOUND ? "No such integration." :
		    "The database is unavailable.");
		return;
	}
	html_begin(r, 200, "Delete an integration");
	html_raw(r, "<p class=\"notice error\" id=\"confirm-question\">");
	html_textf(r, "Delete %s? Its log goes with it, senders to its "
	    "incoming URL are refused, and this cannot be undone.",
	    integ_get_str(o, "name"));
	html_raw(r, "</p>\n");
	integ_action_form(r, id, "delete");
	html_raw(r, "<input type=\"hidden\" name=\"confirm\" value=\"1\">"
	    "<button class=\"danger\">");
	html_textf(r, "Delete %s", integ_get_str(o, "name"));
	html_raw(r, "</button></form>\n<p><a href=\"" INTEG_PAGE "/");
	html_text(r, id);
	html_raw(r, "\">Cancel: back to the integration</a></p>\n");
	html_end(r);
	json_object_put(o);
}

static void
integ_delete_action(struct req *r, const char *id)
{
	char	*confirm = NULL;

	if (req_form_param(r, "confirm", &confirm) < 0 || confirm == NULL ||
	    strcmp(confirm, "1") != 0)
		integ_confirm_delete(r, id);
	else
		switch (integ_remove(r->db, r->principal.org_id, id)) {
		case 0:
			console_flash_redirect(r, "d:", "Integration deleted.",
			    INTEG_PAGE);
			break;
		case 404:
			html_error_page(r, 404, "No such integration.");
			break;
		default:
			html_error_page(r, 503, "The database is unavailable.");
			break;
		}
	free(confirm);
}

/* POST /admin/integrations/{id}/{update|test|delete} */
void
console_integration_action(struct req *r)
{
	const char	*id = r->args[0], *act = r->args[1];

	if (strcmp(act, "update") == 0)
		integ_update_action(r, id);
	else if (strcmp(act, "test") == 0)
		integ_test_action(r, id);
	else if (strcmp(act, "delete") == 0)
		integ_delete_action(r, id);
	else
		html_error_page(r, 404, "No such action.");
}
