/*
 * users.c - the console's Users page (admins): the organization's users
 * by userName, 50 a page; a new user, whose one-time link to set a first
 * password is shown once; role changes; deactivation (after a page that
 * asks to confirm it) and reactivation; a new one-time link to reset a
 * password. Users a SCIM client provisions are its identity provider's
 * to manage: here they can only be deactivated and reactivated.
 *
 * The link's own pages (/admin/set-password) need no session: they are
 * the way in of someone who has no password yet. And the platform
 * operator's /admin/organizations: every organization, counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "console/console.h"

#define USERS_PATH	"/admin/users"
#define USERS_FLASH_OK	"u+"	/* the session flash of a change */
#define USERS_FLASH_LINK 'L'	/* ... of a new link: L, s|r, id, token */
#define USERS_FLASH_TEXT 250	/* bytes of text the flash holds */
#define USERS_ID_MAX	36	/* a user's public id, a UUID */
#define LINK_GONE	"This link has expired or was already used."

/* What the form to add a user held, shown again when it is refused. */
struct users_form {
	char	*user_name, *display_name, *email, *role;
};

/* A one-time link to show once: whose, what for, and its URL. */
struct users_link {
	enum link_purpose	 purpose;
	const char		*user_name;
	char			 url[400];
};

static void
users_form_cleanup(struct users_form *f)
{
	free(f->user_name);
	free(f->display_name);
	free(f->email);
	free(f->role);
}

/* --- the list ----------------------------------------------------------- */

/* Append "?name=value" (value percent-encoded) to url. */
static void
console_users_url_param(struct buf *url, const char *name, const char *value)
{
	const char	*p;

	buf_printf(url, "?%s=", name);
	for (p = value; *p != '\0'; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-_.~", *p) != NULL)
			buf_append(url, p, 1);
		else
			buf_printf(url, "%%%02X", (unsigned char)*p);
}

/* The addresses (one a line) as lines of the cell; "—" for none. */
static void
console_users_emails(struct req *r, const char *s)
{
	size_t	 n;

	html_raw(r, "<td>");
	if (s == NULL)
		html_text(r, "—");
	while (s != NULL && *s != '\0') {
		n = strcspn(s, "\n");
		html_textf(r, "%.*s", (int)n, s);
		s += n;
		if (*s == '\n' && *++s != '\0')
			html_raw(r, "<br>");
	}
	html_raw(r, "</td>");
}

/* <form> posting to /admin/users/{id}/{action}, with its CSRF field. */
static void
console_users_form_open(struct req *r, const char *id, const char *action)
{
	html_raw(r, "<form method=\"post\" action=\"" USERS_PATH "/");
	html_text(r, id);
	html_raw(r, "/");
	html_text(r, action);
	html_raw(r, "\" class=\"inline\">");
	html_csrf(r);
}

/* The form's button, whose accessible name adds the user to its text,
 * and the end of the form. */
static void
console_users_submit(struct req *r, const char *cls, const char *label,
    const char *user)
{
	html_raw(r, "<button");
	if (cls) {
		html_raw(r, " class=\"");
		html_text(r, cls);
		html_raw(r, "\"");
	}
	html_raw(r, " aria-label=\"");
	html_textf(r, "%s: %s", label, user);
	html_raw(r, "\">");
	html_text(r, label);
	html_raw(r, "</button></form>");
}

/* What an admin may do to u: SCIM users only go inactive or active
 * again; nobody demotes or deactivates themself. */
static void
console_users_actions(struct req *r, const struct user_row *u)
{
	int	 self = u->id == r->principal.user_id;

	html_raw(r, "<td class=\"actions\">");
	if (!u->scim_managed && !self) {
		console_users_form_open(r, u->public_id, "role");
		html_raw(r, "<input type=\"hidden\" name=\"role\" value=\"");
		html_text(r, strcmp(u->role, "admin") == 0 ? "member" : "admin");
		html_raw(r, "\">");
		console_users_submit(r, NULL, strcmp(u->role, "admin") == 0 ?
		    "Make member" : "Make admin", u->user_name);
	}
	if (!u->scim_managed && u->active) {
		console_users_form_open(r, u->public_id, "reset");
		console_users_submit(r, NULL, "Reset password", u->user_name);
	}
	if (!self) {
		console_users_form_open(r, u->public_id, "active");
		html_raw(r, "<input type=\"hidden\" name=\"active\" value=\"");
		html_text(r, u->active ? "0" : "1");
		html_raw(r, "\">");
		console_users_submit(r, u->active ? "danger" : NULL,
		    u->active ? "Deactivate" : "Reactivate", u->user_name);
	}
	if (self)
		html_raw(r, "<span class=\"muted\">you</span>");
	html_raw(r, "</td>");
}

static void
console_users_row(struct req *r, const struct user_row *u)
{
	html_raw(r, "<tr id=\"user-");
	html_text(r, u->public_id);
	html_raw(r, "\">");
	console_cell(r, u->display_name);
	console_cell(r, u->user_name);
	console_users_emails(r, u->emails);
	html_raw(r, "<td>");
	html_text(r, u->role);
	if (u->platform_admin)
		html_text(r, " (platform operator)");
	html_raw(r, "</td>");
	console_cell(r, u->active ? "active" : "inactive");
	console_cell(r, u->scim_managed ? "SCIM" : "Console");
	console_cell(r, u->last_sign_in_at ? u->last_sign_in_at : "never");
	console_users_actions(r, u);
	html_raw(r, "</tr>\n");
}

/* The link to the next page, after the last userName shown; and one
 * back to the first when this is not it. */
static void
console_users_pager(struct req *r, const struct user_rows *l,
    const char *after)
{
	struct buf	 url;

	if (!l->more && after == NULL)
		return;
	html_raw(r, "<p class=\"pager\">");
	if (after != NULL)
		html_raw(r, "<a href=\"" USERS_PATH "\">First page</a> ");
	if (l->more && l->n > 0) {
		buf_init(&url);
		console_users_url_param(&url, "after",
		    l->v[l->n - 1].user_name);
		html_raw(r, "<a rel=\"next\" href=\"" USERS_PATH);
		html_text(r, url.data);
		html_raw(r, "\">Next page</a>");
		buf_cleanup(&url);
	}
	html_raw(r, "</p>\n");
}

/* The form that adds a user, holding what f held (NULL: empty). */
static void
console_users_create_form(struct req *r, const struct users_form *f)
{
	int	 admin = f != NULL && f->role != NULL &&
		    strcmp(f->role, "admin") == 0;

	html_raw(r, "<h2 id=\"add\">Add a user</h2>\n<form method=\"post\" "
	    "action=\"" USERS_PATH "\" class=\"card\" aria-labelledby=\"add\">");
	html_csrf(r);
	html_raw(r, "<label>User name <input name=\"user_name\" required "
	    "maxlength=\"255\" autocomplete=\"off\" autocapitalize=\"none\" "
	    "spellcheck=\"false\" value=\"");
	html_text(r, f ? f->user_name : NULL);
	html_raw(r, "\"></label><label>Display name (optional) <input "
	    "name=\"display_name\" maxlength=\"255\" autocomplete=\"off\" "
	    "value=\"");
	html_text(r, f ? f->display_name : NULL);
	html_raw(r, "\"></label><label>E-mail (optional) <input type=\"email\" "
	    "name=\"email\" maxlength=\"254\" autocomplete=\"off\" value=\"");
	html_text(r, f ? f->email : NULL);
	html_raw(r, "\"></label><label>Role <select name=\"role\"><option");
	html_raw(r, admin ? "" : " selected");
	html_raw(r, ">member</option><option");
	html_raw(r, admin ? " selected" : "");
	html_raw(r, ">admin</option></select></label>"
	    "<p class=\"muted\">The new user gets no password: the page "
	    "shows a link, once, with which they set one within 72 hours."
	    "</p><button>Create user</button></form>\n");
}

/*
 * The Users page: the page of users after the userName after (NULL: the
 * first), with notice (of class cls), a new link shown once, and the
 * form to add a user holding f (each NULL for none).
 */
static void
console_users_show(struct req *r, const char *after, const char *notice,
    const char *cls, const struct users_link *link,
    const struct users_form *f)
{
	struct user_rows	 l;
	size_t			 i;

	if (!console_begin(r, users_list(r->db, r->principal.org_id, after,
	    &l), "Users", notice, cls))
		goto out;
	if (link != NULL) {
		req_resp_header(r, "Cache-Control", "no-store");
		html_raw(r, "<div class=\"secret\"><p>");
		html_textf(r, "One-time link for %s to %s — shown this once, "
		    "valid for 72 hours. Give it to them yourself:",
		    link->user_name, link->purpose == LINK_RESET ?
		    "reset their password" : "set their password");
		html_raw(r, "</p><code id=\"user-link\">");
		html_text(r, link->url);
		html_raw(r, "</code></div>\n");
	}
	html_raw(r, "<p class=\"muted\" id=\"scim-note\">Users provisioned by "
	    "SCIM are managed by your identity provider: here they can only "
	    "be deactivated or reactivated, and the identity provider may "
	    "reactivate a deactivated one on its next sync.</p>\n"
	    "<table class=\"users\"><thead><tr><th scope=\"col\">Name</th>"
	    "<th scope=\"col\">User name</th><th scope=\"col\">E-mail</th>"
	    "<th scope=\"col\">Role</th><th scope=\"col\">Status</th>"
	    "<th scope=\"col\">Source</th>"
	    "<th scope=\"col\">Last sign-in (UTC)</th>"
	    "<th scope=\"col\">Actions</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < l.n; i++)
		console_users_row(r, &l.v[i]);
	html_raw(r, "</tbody></table>\n");
	if (l.n == 0)
		html_raw(r, "<p class=\"muted\">No users on this page.</p>\n");
	console_users_pager(r, &l, after);
	console_users_create_form(r, f);
	html_end(r);
out:
	users_rows_cleanup(&l);
}

/* The full URL of the link of tok into out: on base_url (never on the
 * Host header, which the client chooses), else from the path alone. */
static void
console_users_link_url(struct req *r, const char *tok, char *out, size_t n)
{
	const char	*base = r->conf ? r->conf->base_url : NULL;
	size_t		 bl;

	if (base != NULL && *base != '\0') {
		bl = strlen(base);
		while (bl > 0 && base[bl - 1] == '/')
			bl--;
		snprintf(out, n, "%.*s/admin/set-password?token=%s", (int)bl,
		    base, tok);
	} else
		snprintf(out, n, "/admin/set-password?token=%s", tok);
}

/*
 * The flash of a new link ("L", s or r, the user's public id, the
 * token) into *link, with the notice that goes with it; 0 when flash is
 * not one.
 */
static int
console_users_flash_link(struct req *r, const char *flash,
    struct user_rows *who, struct users_link *link, char *notice,
    size_t nsz)
{
	char	 id[USERS_ID_MAX + 1];

	if (flash[0] != USERS_FLASH_LINK || (flash[1] != 's' &&
	    flash[1] != 'r') || strlen(flash) != 2 + USERS_ID_MAX +
	    LINKS_TOKEN_LEN)
		return 0;
	memcpy(id, flash + 2, USERS_ID_MAX);
	id[USERS_ID_MAX] = '\0';
	link->purpose = flash[1] == 'r' ? LINK_RESET : LINK_SET;
	link->user_name = users_get(r->db, r->principal.org_id, id, who) ==
	    DB_OK ? who->v[0].user_name : "the user";
	console_users_link_url(r, flash + 2 + USERS_ID_MAX, link->url,
	    sizeof(link->url));
	if (link->purpose == LINK_SET)
		snprintf(notice, nsz, "User %s created.", link->user_name);
	else
		snprintf(notice, nsz, "A new password link for %s: their "
		    "earlier links no longer work, and their password stays "
		    "as it is until they use this one.", link->user_name);
	return 1;
}

/* GET /admin/users[?after=userName] (shows the flash of the change
 * before, a new link once). */
void
console_users(struct req *r)
{
	struct user_rows	 who;
	struct users_link	 link;
	char			 flash[300], notice[600], *after = NULL;
	const char		*text = NULL;
	int			 shown = 0;

	memset(&who, 0, sizeof(who));
	memset(&link, 0, sizeof(link));
	if (!console_query_param(r, "after", &after) ||
	    (after != NULL && strlen(after) > 255)) {
		html_error_page(r, 400, "after: not a user name of this page; "
		    "start again from the first page.");
		goto out;
	}
	if (session_flash_take(r, flash, sizeof(flash))) {
		if (console_users_flash_link(r, flash, &who, &link, notice,
		    sizeof(notice))) {
			shown = 1;
			text = notice;
		} else if (strncmp(flash, USERS_FLASH_OK, 2) == 0)
			text = flash + 2;
	}
	console_users_show(r, after, text, "ok", shown ? &link : NULL, NULL);
out:
	sodium_memzero(flash, sizeof(flash));
	sodium_memzero(&link, sizeof(link));
	users_rows_cleanup(&who);
	free(after);
}

/* --- changes ------------------------------------------------------------ */

/* Refused: nothing the handler wrote stays; the list again (or the
 * form, as f held it) with why, answering status. */
static void
console_users_refuse(struct req *r, int status, const char *why,
    const struct users_form *f)
{
	(void)db_rollback_to_savepoint(r->db);
	req_undo(r);
	console_users_show(r, NULL, why, "error", NULL, f);
	if (r->out.status == 200)
		r->out.status = status;
}

/* What changed, flashed, then back to the list (POST-redirect-GET). */
static void
console_users_done(struct req *r, char *text)
{
	util_utf8_cut(text, USERS_FLASH_TEXT);
	console_flash_redirect(r, USERS_FLASH_OK, text, USERS_PATH);
}

/* The new link of user id, flashed to be shown once, then the list. */
static void
console_users_link_done(struct req *r, enum link_purpose purpose,
    const char *id, const char *tok)
{
	char	 flash[2 + USERS_ID_MAX + LINKS_TOKEN_LEN + 1];

	snprintf(flash, sizeof(flash), "%c%s%s", purpose == LINK_RESET ?
	    'r' : 's', id, tok);
	console_flash_redirect(r, "L", flash, USERS_PATH);
	sodium_memzero(flash, sizeof(flash));
}

static void
console_users_unavailable(struct req *r)
{
	req_undo(r);
	html_error_page(r, 503, "The database is unavailable; nothing changed.");
}

/* Form field name into *out (NULL when absent or empty); 0 when it is
 * not valid form data or not UTF-8. */
static int
console_users_field(struct req *r, const char *name, char **out)
{
	if (req_form_param(r, name, out) < 0)
		return 0;
	if (*out != NULL && **out == '\0') {
		free(*out);
		*out = NULL;
	}
	return *out == NULL || util_utf8_valid(*out, strlen(*out));
}

/* What is wrong with the form to add a user, naming the field; NULL when
 * nothing is. */
static const char *
console_users_form_check(struct req *r, struct users_form *f)
{
	if (!console_users_field(r, "user_name", &f->user_name) ||
	    !console_users_field(r, "display_name", &f->display_name) ||
	    !console_users_field(r, "email", &f->email) ||
	    !console_users_field(r, "role", &f->role))
		return "The form is not valid form data in UTF-8; nothing was "
		    "created.";
	if (f->user_name == NULL)
		return "User name: required.";
	if (!users_name_valid(f->user_name))
		return "User name: 1 to 255 characters, not only spaces, and "
		    "no control characters.";
	if (f->display_name != NULL && (!users_name_valid(f->display_name) ||
	    util_utf8_chars(f->display_name) > 255))
		return "Display name: at most 255 characters, and no control "
		    "characters.";
	if (f->email != NULL && !users_email_valid(f->email))
		return "E-mail: not an e-mail address.";
	if (f->role == NULL || (strcmp(f->role, "admin") != 0 &&
	    strcmp(f->role, "member") != 0))
		return "Role: admin or member.";
	return NULL;
}

/* Which of the new user's fields another user holds, as a refusal;
 * NULL when none does (or the database did not say). */
static const char *
console_users_taken(struct req *r, const struct users_form *f, char *msg,
    size_t n)
{
	int	 name = 0, email = 0;

	if (users_taken(r->db, r->principal.org_id, f->user_name, f->email,
	    &name, &email) != DB_OK)
		return NULL;
	if (name)
		snprintf(msg, n, "User name: %s is taken in this organization "
		    "(user names are compared without case); nothing was "
		    "created.", f->user_name);
	else if (email)
		snprintf(msg, n, "E-mail: %s is the address of another active "
		    "user of this organization; nothing was created.", f->email);
	return name || email ? msg : NULL;
}

/* POST /admin/users: a new console user without a password, and the
 * one-time link with which they set one. */
void
console_user_create(struct req *r)
{
	struct users_form	 f;
	struct user_new		 u;
	struct user_rows	 l;
	enum db_code		 code;
	const char		*bad;
	char			 id[37], tok[LINKS_TOKEN_LEN + 1], msg[700];

	memset(&f, 0, sizeof(f));
	memset(&l, 0, sizeof(l));
	if (db_savepoint(r->db) != DB_OK) {
		console_users_unavailable(r);
		goto out;
	}
	if ((bad = console_users_form_check(r, &f)) != NULL ||
	    (bad = console_users_taken(r, &f, msg, sizeof(msg))) != NULL) {
		console_users_refuse(r, bad == msg ? 409 : 400, bad, &f);
		goto out;
	}
	memset(&u, 0, sizeof(u));
	u.org_id = r->principal.org_id;
	u.user_name = f.user_name;
	u.display_name = f.display_name;
	u.email = f.email;
	u.role = f.role;
	code = users_create(r->db, &u, id);
	if (code == DB_OK)
		code = users_get(r->db, r->principal.org_id, id, &l);
	if (code == DB_OK)
		code = links_create(r->db, r->principal.org_id, l.v[0].id,
		    LINK_SET, r->principal.user_id, tok);
	if (code == DB_CONSTRAINT)
		/* Taken between the check and the insert. */
		console_users_refuse(r, 409, "User name or e-mail: just taken "
		    "by another user; nothing was created.", &f);
	else if (code != DB_OK)
		console_users_unavailable(r);
	else
		console_users_link_done(r, LINK_SET, id, tok);
	sodium_memzero(tok, sizeof(tok));
out:
	users_rows_cleanup(&l);
	users_form_cleanup(&f);
}

/* The user of the route's {id} into l, with a savepoint to refuse to;
 * else the 404 or 503 page, and 0. */
static int
console_users_target(struct req *r, struct user_rows *l)
{
	enum db_code	 code = DB_NOTFOUND;

	memset(l, 0, sizeof(*l));
	if (strlen(r->args[0]) <= USERS_ID_MAX)
		code = users_get(r->db, r->principal.org_id, r->args[0], l);
	if (code == DB_OK)
		code = db_savepoint(r->db);
	if (code == DB_OK)
		return 1;
	req_undo(r);
	html_error_page(r, code == DB_NOTFOUND ? 404 : 503, code ==
	    DB_NOTFOUND ? "No such user." :
	    "The database is unavailable; nothing changed.");
	return 0;
}

/* POST /admin/users/{id}/role: role=admin|member, of a console user
 * other than oneself. */
void
console_user_role(struct req *r)
{
	struct user_rows	 l;
	const struct user_row	*u;
	char			*role = NULL, msg[600];
	int			 admin;

	if (!console_users_target(r, &l))
		goto out;
	u = &l.v[0];
	if (!console_users_field(r, "role", &role) || role == NULL ||
	    (strcmp(role, "admin") != 0 && strcmp(role, "member") != 0)) {
		console_users_refuse(r, 400, "Role: admin or member; nothing "
		    "changed.", NULL);
		goto out;
	}
	admin = strcmp(role, "admin") == 0;
	if (u->scim_managed) {
		snprintf(msg, sizeof(msg), "%s is provisioned by SCIM: their "
		    "identity provider manages their role; nothing changed.",
		    u->user_name);
		console_users_refuse(r, 400, msg, NULL);
	} else if (u->id == r->principal.user_id && !admin)
		console_users_refuse(r, 403, "You cannot take away your own "
		    "admin role; another admin can. Nothing changed.", NULL);
	else if (users_set_role(r->db, r->principal.org_id, u->id, role) !=
	    DB_OK)
		console_users_unavailable(r);
	else {
		snprintf(msg, sizeof(msg), "%s is now %s.", u->user_name,
		    admin ? "an admin" : "a member");
		console_users_done(r, msg);
	}
out:
	free(role);
	users_rows_cleanup(&l);
}

/* The page that asks to confirm deactivating u; nothing is written. */
static void
console_users_confirm(struct req *r, const struct user_row *u)
{
	html_begin(r, 200, "Deactivate a user");
	html_raw(r, "<p class=\"notice error\" id=\"confirm-question\">");
	html_textf(r, "Deactivate %s? They are signed out at once, "
	    "everywhere, and cannot sign in until an admin reactivates them.",
	    u->user_name);
	html_raw(r, "</p>\n");
	if (u->scim_managed) {
		html_raw(r, "<p>");
		html_textf(r, "%s is provisioned by SCIM: their identity "
		    "provider may reactivate them on its next sync.",
		    u->user_name);
		html_raw(r, "</p>\n");
	}
	console_users_form_open(r, u->public_id, "active");
	html_raw(r, "<input type=\"hidden\" name=\"active\" value=\"0\">"
	    "<input type=\"hidden\" name=\"confirm\" value=\"1\">"
	    "<button class=\"danger\">");
	html_textf(r, "Deactivate %s", u->user_name);
	html_raw(r, "</button></form>\n<p><a href=\"" USERS_PATH "\">Cancel: "
	    "back to the users</a></p>\n");
	html_end(r);
}

/* Reactivate u; refused when one of their addresses is now another
 * active user's. */
static void
console_users_reactivate(struct req *r, const struct user_row *u)
{
	enum db_code	 code;
	char		 email[256], msg[900];

	code = users_set_active(r->db, r->principal.org_id, u->id, 1);
	if (code == DB_CONSTRAINT) {
		if (users_email_clash(r->db, r->principal.org_id, u->id, email,
		    sizeof(email)) != DB_OK)
			snprintf(email, sizeof(email), "one of their addresses");
		snprintf(msg, sizeof(msg), "%s cannot be reactivated: %s is now "
		    "the address of another active user of this organization. "
		    "Nothing changed.", u->user_name, email);
		console_users_refuse(r, 409, msg, NULL);
	} else if (code != DB_OK)
		console_users_unavailable(r);
	else {
		snprintf(msg, sizeof(msg), "%s is active again.", u->user_name);
		console_users_done(r, msg);
	}
}

/*
 * POST /admin/users/{id}/active: active=1 reactivates; active=0 asks
 * to confirm first (confirm=1 deactivates, which ends the user's
 * sessions). Never oneself.
 */
void
console_user_active(struct req *r)
{
	struct user_rows	 l;
	const struct user_row	*u;
	char			*active = NULL, *confirm = NULL, msg[600];

	if (!console_users_target(r, &l))
		goto out;
	u = &l.v[0];
	if (!console_users_field(r, "active", &active) ||
	    !console_users_field(r, "confirm", &confirm) || active == NULL ||
	    (strcmp(active, "0") != 0 && strcmp(active, "1") != 0))
		console_users_refuse(r, 400, "active: 0 or 1; nothing changed.",
		    NULL);
	else if (strcmp(active, "1") == 0)
		console_users_reactivate(r, u);
	else if (u->id == r->principal.user_id)
		console_users_refuse(r, 403, "You cannot deactivate yourself; "
		    "another admin can. Nothing changed.", NULL);
	else if (confirm == NULL || strcmp(confirm, "1") != 0)
		console_users_confirm(r, u);
	else if (users_set_active(r->db, r->principal.org_id, u->id, 0) !=
	    DB_OK)
		console_users_unavailable(r);
	else {
		snprintf(msg, sizeof(msg), "%s is deactivated and signed out.",
		    u->user_name);
		console_users_done(r, msg);
	}
out:
	free(active);
	free(confirm);
	users_rows_cleanup(&l);
}

/* POST /admin/users/{id}/reset: a new one-time link to reset a console
 * user's password (their earlier links stop working; the password stays
 * until the link is used). */
void
console_user_reset(struct req *r)
{
	struct user_rows	 l;
	const struct user_row	*u;
	char			 tok[LINKS_TOKEN_LEN + 1], msg[600];

	if (!console_users_target(r, &l))
		goto out;
	u = &l.v[0];
	if (u->scim_managed) {
		snprintf(msg, sizeof(msg), "%s is provisioned by SCIM: their "
		    "identity provider manages how they sign in; nothing "
		    "changed.", u->user_name);
		console_users_refuse(r, 400, msg, NULL);
	} else if (!u->active) {
		snprintf(msg, sizeof(msg), "%s is inactive: reactivate them "
		    "first. Nothing changed.", u->user_name);
		console_users_refuse(r, 409, msg, NULL);
	} else if (links_create(r->db, r->principal.org_id, u->id, LINK_RESET,
	    r->principal.user_id, tok) != DB_OK)
		console_users_unavailable(r);
	else
		console_users_link_done(r, LINK_RESET, u->public_id, tok);
	sodium_memzero(tok, sizeof(tok));
out:
	users_rows_cleanup(&l);
}

/* --- the one-time link's pages (no session) ----------------------------- */

/* The answer to a link that is not live, whatever the reason. */
static void
console_link_gone(struct req *r)
{
	req_undo(r);
	html_begin(r, 410, "Link expired or used");
	html_raw(r, "<p id=\"link-gone\">" LINK_GONE " Ask an administrator of "
	    "your organization for a new one.</p>\n<p><a href=\"/admin/login\">"
	    "Sign in</a></p>\n");
	html_end(r);
}

/* The form that sets the password of l's user, with error (or NULL). */
static void
console_password_form(struct req *r, const char *tok,
    const struct user_link *l, const char *error)
{
	char	 csrf[44];

	session_form_token(r, csrf);
	html_begin(r, error ? 400 : 200, l->purpose == LINK_RESET ?
	    "Reset your password" : "Set your password");
	req_resp_header(r, "Cache-Control", "no-store");
	if (error)
		html_notice(r, "error", error);
	html_raw(r, "<form method=\"post\" action=\"/admin/set-password\" "
	    "class=\"card\"><input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(r, csrf);
	html_raw(r, "\"><input type=\"hidden\" name=\"token\" value=\"");
	html_text(r, tok);
	html_raw(r, "\"><label>User name <input type=\"text\" name=\"username\" "
	    "readonly autocomplete=\"username\" value=\"");
	html_text(r, l->user_name);
	html_raw(r, "\"></label><label>New password <input type=\"password\" "
	    "name=\"password\" required minlength=\"8\" maxlength=\"254\" "
	    "autocomplete=\"new-password\"></label><label>Repeat the new "
	    "password <input type=\"password\" name=\"password2\" required "
	    "minlength=\"8\" maxlength=\"254\" autocomplete=\"new-password\">"
	    "</label><p class=\"muted\">" USERS_PASSWORD_RULE ". This link "
	    "works once.</p><button>Set password</button></form>\n");
	html_end(r);
	sodium_memzero(csrf, sizeof(csrf));
}

/* GET /admin/set-password?token=… */
void
console_set_password_page(struct req *r)
{
	struct user_link	 l;
	char			*tok = NULL;
	enum db_code		 code = DB_NOTFOUND;

	if (req_query_param(r->in.query, "token", &tok) == 1)
		code = links_find(r->db, tok, &l);
	if (code == DB_OK)
		console_password_form(r, tok, &l, NULL);
	else if (code == DB_NOTFOUND)
		console_link_gone(r);
	else
		html_error_page(r, 503, "The database is unavailable.");
	free(tok);
}

/* What is wrong with the two passwords typed; NULL when nothing is. */
static const char *
console_password_check(const char *pw, const char *pw2)
{
	if (pw == NULL || pw2 == NULL)
		return "Type the new password twice.";
	if (!users_password_ok(pw))
		return "The password needs " USERS_PASSWORD_RULE ".";
	if (strcmp(pw, pw2) != 0)
		return "The two passwords differ; type them again.";
	return NULL;
}

static void
console_password_free(char *pw)
{
	if (pw != NULL)
		sodium_memzero(pw, strlen(pw));
	free(pw);
}

/*
 * POST /admin/set-password: in the pipeline's transaction, the link is
 * locked and checked again, the password set, the link marked used and
 * the user's sessions ended; then to sign-in.
 */
void
console_set_password(struct req *r)
{
	struct user_link	 l;
	char			*tok = NULL, *pw = NULL, *pw2 = NULL;
	const char		*bad;
	enum db_code		 code;

	if (!session_form_csrf_ok(r)) {
		html_error_page(r, 403, "The form expired; open the link "
		    "again.");
		return;
	}
	(void)req_form_param(r, "token", &tok);
	(void)req_form_param(r, "password", &pw);
	(void)req_form_param(r, "password2", &pw2);
	code = links_find(r->db, tok, &l);
	if (code == DB_OK && (bad = console_password_check(pw, pw2)) != NULL) {
		console_password_form(r, tok, &l, bad);
		goto out;
	}
	if (code == DB_OK)
		code = links_consume(r->db, tok, pw, &l);
	if (code == DB_OK) {
		log_info("console: %s set a password with a one-time link",
		    l.user_name);
		html_redirect(r, "/admin/login?password=set");
	} else if (code == DB_NOTFOUND)
		console_link_gone(r);
	else
		html_error_page(r, 503, "The database is unavailable; "
		    "nothing changed.");
out:
	free(tok);
	console_password_free(pw);
	console_password_free(pw2);
}

/* --- every organization (the platform operator) ------------------------- */

static void
console_org_row(struct req *r, const struct org_row *o)
{
	html_raw(r, "<tr id=\"org-");
	html_text(r, o->slug);
	html_raw(r, "\">");
	console_cell(r, o->slug);
	console_cell(r, o->name);
	console_cell(r, o->created_at);
	console_int(r, o->users_active, 1);
	console_int(r, o->users, 1);
	console_int(r, o->keys, 1);
	html_raw(r, "</tr>\n");
}

/* GET /admin/organizations: platform admins only. */
void
console_organizations(struct req *r)
{
	struct org_rows	 l;
	size_t		 i;

	memset(&l, 0, sizeof(l));
	if (!r->principal.platform_admin) {
		html_error_page(r, 403, "Only a platform operator sees every "
		    "organization.");
		return;
	}
	if (!console_begin(r, users_orgs_list(r->db, &l), "Organizations",
	    NULL, NULL))
		goto out;
	html_raw(r, "<table class=\"orgs\"><thead><tr><th scope=\"col\">Slug"
	    "</th><th scope=\"col\">Name</th><th scope=\"col\">Created (UTC)"
	    "</th><th scope=\"col\">Active users</th><th scope=\"col\">Users"
	    "</th><th scope=\"col\">API keys (unrevoked)</th></tr></thead>\n"
	    "<tbody>\n");
	for (i = 0; i < l.n; i++)
		console_org_row(r, &l.v[i]);
	html_raw(r, "</tbody></table>\n");
	html_end(r);
out:
	users_orgs_cleanup(&l);
}
