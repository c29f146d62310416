/*
 * apikeys.c - the console's API keys page: the organization's keys, a new
 * key shown once, and revocation. Admins only.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "console/console.h"

static void
console_key_row(struct req *r, const struct api_key *k)
{
	html_raw(r, "<tr>");
	console_cell(r, k->kind);
	html_raw(r, "<td><code>");
	html_textf(r, "%s…%s", k->prefix, k->last4);
	html_raw(r, "</code></td>");
	console_cell(r, k->name);
	console_cell(r, k->app);
	console_cell(r, k->created_at);
	console_cell(r, k->last_used_at);
	html_raw(r, "<td>");
	if (k->revoked_at)
		html_textf(r, "revoked %s", k->revoked_at);
	else {
		html_raw(r, "<form method=\"post\" action=\"/admin/keys/");
		html_text(r, k->id);
		html_raw(r, "/revoke\" class=\"inline\">");
		html_csrf(r);
		html_raw(r, "<button class=\"danger\">Revoke</button></form>");
	}
	html_raw(r, "</td></tr>\n");
}

static void
console_keys_page(struct req *r, const char *notice, const char *cls,
    const char *token)
{
	struct api_keys	 l;
	size_t		 i;
	int		 k;

	if (!console_begin(r, keys_list(r->db, r->principal.org_id, &l),
	    "API keys", notice, cls))
		goto out;
	if (token)
		console_secret(r, "New key — shown this once; copy it now:",
		    "new-key", token);
	html_raw(r, "<table><tr><th>Kind</th><th>Key</th><th>Name</th>"
	    "<th>App</th><th>Created</th><th>Last used</th><th></th></tr>\n");
	for (i = 0; i < l.n; i++)
		console_key_row(r, &l.v[i]);
	html_raw(r, "</table>\n<h2>Create a key</h2><form method=\"post\" "
	    "action=\"/admin/keys\" class=\"card\">");
	html_csrf(r);
	html_raw(r, "<label>Kind <select name=\"kind\">");
	for (k = 0; k < KEY_KIND__MAX; k++) {
		if (!principal_may_grant(&r->principal, (enum key_kind)k))
			continue;
		html_raw(r, "<option>");
		html_text(r, keys_kind_name((enum key_kind)k));
		html_raw(r, "</option>");
	}
	html_raw(r, "</select></label><label>Name <input name=\"name\" "
	    "maxlength=\"200\"></label><label>Ingest app (ingest keys only) "
	    "<input name=\"app\" maxlength=\"63\" pattern=\"[a-z0-9][a-z0-9-]+\">"
	    "</label><button>Create key</button></form>\n");
	html_end(r);
out:
	keys_list_cleanup(&l);
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
	else if (!principal_may_grant(&r->principal, k))
		html_error_page(r, 403, "Only the platform operator can create "
		    "admin keys.");
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
