/*
 * ingestapps.c - the console's ingest apps page: each app of the
 * organization with its wp_live_ keys, the event types it may send and
 * when it last sent one; a new app with its first key, another key for
 * an app (each shown once), and the allowed event types edited. Admins
 * only. Keys are revoked on /admin/keys.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "console/console.h"

#define INGEST_FLASH	"i:"	/* the session flash of a new key */

static void
ingestapps_keys(struct req *r, const struct ingest_app *a)
{
	const struct api_key	*k;
	size_t			 i;

	html_raw(r, "<td>");
	if (a->nkeys == 0)
		html_raw(r, "<span class=\"muted\">No keys.</span>");
	else
		html_raw(r, "<ul class=\"keys\">");
	for (i = 0; i < a->nkeys; i++) {
		k = a->keys[i];
		html_raw(r, "<li><code>");
		html_textf(r, "%s…%s", k->prefix, k->last4);
		html_raw(r, "</code>");
		if (k->name) {
			html_raw(r, " ");
			html_text(r, k->name);
		}
		html_raw(r, " <span class=\"muted\">");
		if (k->revoked_at)
			html_textf(r, "revoked %s", k->revoked_at);
		else if (k->last_used_at)
			html_textf(r, "last used %s", k->last_used_at);
		else
			html_text(r, "never used");
		html_raw(r, "</span></li>");
	}
	if (a->nkeys > 0)
		html_raw(r, "</ul>");
	html_raw(r, "<form method=\"post\" action=\"/admin/ingest-apps/");
	html_text(r, a->id);
	html_raw(r, "/keys\" class=\"inline\">");
	html_csrf(r);
	html_raw(r, "<button aria-label=\"New key for ");
	html_text(r, a->slug);
	html_raw(r, "\">New key</button></form></td>");
}

/* The allowed types, one form per app: "a, b" in a text field. */
static void
ingestapps_types(struct req *r, const struct ingest_app *a)
{
	const char	*p;
	struct buf	 shown;

	html_raw(r, "<td><form method=\"post\" action=\"/admin/ingest-apps/");
	html_text(r, a->id);
	html_raw(r, "/types\" class=\"types\">");
	html_csrf(r);
	html_raw(r, "<input name=\"types\" maxlength=\"7000\" "
	    "placeholder=\"every type\" aria-label=\"Allowed event types of ");
	html_text(r, a->slug);
	html_raw(r, "\" value=\"");
	buf_init(&shown);
	for (p = a->allowed_types; p != NULL && *p != '\0'; p++)
		buf_append(&shown, *p == ',' ? ", " : p, *p == ',' ? 2 : 1);
	html_text(r, shown.data);
	buf_cleanup(&shown);
	html_raw(r, "\"><button aria-label=\"Save the event types of ");
	html_text(r, a->slug);
	html_raw(r, "\">Save</button></form></td>");
}

static void
ingestapps_row(struct req *r, const struct ingest_app *a)
{
	html_raw(r, "<tr id=\"app-");
	html_text(r, a->slug);
	html_raw(r, "\"><td>");
	html_text(r, a->name);
	html_raw(r, "<br><code>");
	html_text(r, a->slug);
	html_raw(r, "</code></td>");
	ingestapps_types(r, a);
	console_cell(r, a->last_event_at ? a->last_event_at : "never");
	ingestapps_keys(r, a);
	html_raw(r, "</tr>\n");
}

static void
ingestapps_page(struct req *r, const char *notice, const char *cls,
    const char *token)
{
	struct ingest_apps	 l;
	size_t			 i;

	if (!console_begin(r, apps_list(r->db, r->principal.org_id, 1, &l),
	    "Ingest apps", notice, cls))
		goto out;
	if (token)
		console_secret(r, "New ingest key — shown this once; copy it "
		    "now:", "new-key", token);
	html_raw(r, "<p class=\"muted\">Tools send activity to "
	    "<code>/api/v1/ingest</code> with a key of their app. An app "
	    "without allowed event types may send every type. Keys are "
	    "revoked on the <a href=\"/admin/keys\">keys page</a>.</p>\n");
	if (l.n == 0)
		html_raw(r, "<p class=\"muted\">No ingest apps yet.</p>\n");
	else {
		html_raw(r, "<table class=\"apps\"><tr><th>App</th><th>Allowed "
		    "event types</th><th>Last event (UTC)</th><th>Keys</th>"
		    "</tr>\n");
		for (i = 0; i < l.n; i++)
			ingestapps_row(r, &l.v[i]);
		html_raw(r, "</table>\n");
	}
	html_raw(r, "<h2>Create an app</h2><form method=\"post\" "
	    "action=\"/admin/ingest-apps\" class=\"card\">");
	html_csrf(r);
	html_raw(r, "<label>Slug <input name=\"slug\" required minlength=\"2\" "
	    "maxlength=\"63\" pattern=\"[a-z0-9][a-z0-9-]+\" "
	    "placeholder=\"helpdesk\"></label><label>Name <input name=\"name\" "
	    "maxlength=\"200\" placeholder=\"Helpdesk\"></label><label>Allowed "
	    "event types (separated by commas; none for every type) <input "
	    "name=\"types\" maxlength=\"7000\" placeholder=\"ticket.resolved, "
	    "ticket.opened\"></label><label>Key name <input name=\"keyname\" "
	    "maxlength=\"200\"></label><button>Create app and key</button>"
	    "</form>\n");
	html_end(r);
out:
	apps_list_cleanup(&l);
}

/* GET /admin/ingest-apps (shows a key flashed by the POST before). */
void
console_ingest_apps(struct req *r)
{
	char	 flash[300];

	if (session_flash_take(r, flash, sizeof(flash)) &&
	    strncmp(flash, INGEST_FLASH, 2) == 0) {
		ingestapps_page(r, "Key created.", "ok", flash + 2);
		sodium_memzero(flash, sizeof(flash));
	} else
		ingestapps_page(r, NULL, NULL, NULL);
}

/* The page again with what is wrong, answered with status. */
static void
ingestapps_refuse(struct req *r, int status, const char *msg)
{
	ingestapps_page(r, msg, "error", NULL);
	if (r->out.status == 200)
		r->out.status = status;
}

/* A new ingest key of app (row id) shown once on the page. */
static void
ingestapps_new_key(struct req *r, long long app_id, const char *name)
{
	char	 tok[128], id[37];

	if (!keys_create(r->db, r->principal.org_id, KEY_INGEST, app_id, name,
	    tok, sizeof(tok), id))
		html_error_page(r, 503, "The database is unavailable.");
	else
		console_flash_redirect(r, INGEST_FLASH, tok,
		    "/admin/ingest-apps");
	sodium_memzero(tok, sizeof(tok));
}

/* A form field into *out; "" when absent. 0 (and the page refused)
 * when it is longer than max characters or not UTF-8. */
static int
ingestapps_field(struct req *r, const char *name, size_t max, char **out)
{
	char	 msg[120];

	if (req_form_param(r, name, out) < 0 || (*out == NULL &&
	    (*out = strdup("")) == NULL) ||
	    !util_utf8_valid(*out, strlen(*out)) ||
	    util_utf8_chars(*out) > max) {
		snprintf(msg, sizeof(msg), "%s: at most %zu characters of "
		    "text.", name, max);
		ingestapps_refuse(r, 400, msg);
		return 0;
	}
	return 1;
}

/* POST /admin/ingest-apps: an app and its first key. */
void
console_ingest_app_create(struct req *r)
{
	char		*slug = NULL, *name = NULL, *types = NULL, *keyname = NULL;
	char		 msg[200], pid[37];
	struct buf	 list;
	long long	 app_id;
	enum db_code	 code;

	buf_init(&list);
	if (!ingestapps_field(r, "slug", 63, &slug) ||
	    !ingestapps_field(r, "name", 200, &name) ||
	    !ingestapps_field(r, "types", 7000, &types) ||
	    !ingestapps_field(r, "keyname", 200, &keyname))
		goto out;
	if (!orgs_slug_valid(slug)) {
		ingestapps_refuse(r, 400, "Slug: 2 to 63 of a-z, 0-9 and '-', "
		    "not starting with '-'.");
		goto out;
	}
	if (!apps_types_parse(types, &list, msg, sizeof(msg))) {
		ingestapps_refuse(r, 400, msg);
		goto out;
	}
	code = orgs_app_create(r->db, r->principal.org_id, slug,
	    *name ? name : slug, &app_id, pid);
	if (code == DB_OK && list.len > 0)
		code = apps_types_set(r->db, r->principal.org_id, pid,
		    list.data);
	if (code == DB_CONSTRAINT) {
		snprintf(msg, sizeof(msg), "There is an app %s already; give "
		    "it another key below.", slug);
		ingestapps_refuse(r, 409, msg);
	} else if (code != DB_OK)
		html_error_page(r, 503, "The database is unavailable.");
	else
		ingestapps_new_key(r, app_id, *keyname ? keyname : NULL);
out:
	buf_cleanup(&list);
	free(slug);
	free(name);
	free(types);
	free(keyname);
}

/* POST /admin/ingest-apps/{id}/keys: another key of the app. */
void
console_ingest_app_key(struct req *r)
{
	long long	 app_id;
	enum db_code	 code;

	code = apps_find(r->db, r->principal.org_id, r->args[0], &app_id);
	if (code == DB_NOTFOUND)
		html_error_page(r, 404, "No such ingest app.");
	else if (code != DB_OK)
		html_error_page(r, 503, "The database is unavailable.");
	else
		ingestapps_new_key(r, app_id, NULL);
}

/* POST /admin/ingest-apps/{id}/types: the event types it may send. */
void
console_ingest_app_types(struct req *r)
{
	char		*types = NULL, msg[200];
	struct buf	 list;
	enum db_code	 code;

	buf_init(&list);
	if (!ingestapps_field(r, "types", 7000, &types))
		goto out;
	if (!apps_types_parse(types, &list, msg, sizeof(msg))) {
		ingestapps_refuse(r, 400, msg);
		goto out;
	}
	code = apps_types_set(r->db, r->principal.org_id, r->args[0],
	    list.data);
	if (code == DB_OK)
		html_redirect(r, "/admin/ingest-apps");
	else if (code == DB_NOTFOUND)
		html_error_page(r, 404, "No such ingest app.");
	else
		html_error_page(r, 503, "The database is unavailable.");
out:
	buf_cleanup(&list);
	free(types);
}
