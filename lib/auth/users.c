/*
 * users.c - console users: the userName (any non-empty string, unique
 * per organization without regard to case), the e-mail addresses they
 * may also sign in with (unique per organization among active users),
 * and being active. SCIM and the console's Users page both change users
 * through these functions, so the addresses' copy of "active" that the
 * uniqueness rests on never drifts from the user's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "auth/auth.h"

enum users_sql_id {
	SQL_USER_INSERT, SQL_EMAILS_CLEAR, SQL_EMAIL_ADD, SQL_SET_ACTIVE,
	SQL_EMAILS_ACTIVE, SQL_SET_PASSWORD,
	SQL_SIGNED_IN, SQL_END_SESSIONS, SQL_COUNT_ADD, SQL_COUNTS,
	USERS_SQL__MAX
};

static const char *const users_sql[USERS_SQL__MAX] = {
	[SQL_USER_INSERT] =
	    "INSERT INTO users (public_id, org_id, user_name, display_name,"
	    " password_hash, role, platform_admin) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[SQL_EMAILS_CLEAR] =
	    "DELETE FROM user_emails WHERE user_id = ?",
	[SQL_EMAIL_ADD] =
	    "INSERT INTO user_emails (user_id, org_id, email, type, is_primary,"
	    " user_active) VALUES (?, ?, ?, ?, ?, ?)",
	[SQL_SET_ACTIVE] =
	    "UPDATE users SET active = ?, version = version + 1"
	    " WHERE id = ? AND org_id = ? AND active <> ?",
	[SQL_EMAILS_ACTIVE] =
	    "UPDATE user_emails SET user_active = ? WHERE user_id = ?"
	    " AND org_id = ?",
	[SQL_SET_PASSWORD] =
	    "UPDATE users SET password_hash = ? WHERE id = ? AND org_id = ?",
	[SQL_SIGNED_IN] =
	    "UPDATE users SET last_sign_in_at = NOW(3) WHERE id = ?",
	[SQL_END_SESSIONS] =
	    "DELETE FROM sessions WHERE user_id = ? AND org_id = ?",
	[SQL_COUNT_ADD] =
	    "UPDATE organizations SET users_total = users_total + ?,"
	    " users_active = users_active + ? WHERE id = ?",
	[SQL_COUNTS] =
	    "SELECT users_total, users_active FROM organizations WHERE id = ?",
};

const struct db_stmts users_stmts = {
	"users", users_sql, USERS_SQL__MAX, NULL, 0
};

/* A userName: 1..255 bytes of UTF-8 without control characters, not
 * only spaces (RFC 7643 asks only for a non-empty unique string). */
int
users_name_valid(const char *s)
{
	const unsigned char	*p;
	int			 seen = 0;

	if (*s == '\0' || strlen(s) > 255 || !util_utf8_valid(s, strlen(s)))
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (*p != ' ')
			seen = 1;
	}
	return seen;
}

/*
 * The one password policy of every path that sets a password (SCIM, the
 * console's one-time link, mihwarctl): valid UTF-8 of 8 to 254
 * characters (code points, not bytes: a password of accented letters is
 * as long as it looks), not only white space. 1 when pw may be set.
 */
int
users_password_ok(const char *pw)
{
	size_t	 n;

	if (pw == NULL || !util_utf8_valid(pw, strlen(pw)))
		return 0;
	n = util_utf8_chars(pw);
	return n >= USERS_PASSWORD_MIN && n <= USERS_PASSWORD_MAX &&
	    pw[strspn(pw, " \t\r\n\v\f")] != '\0';
}

/*
 * Create a console user (not provisioned by SCIM) named user_name, with
 * e-mail (or NULL) as its primary work address and an argon2id password
 * (NULL: none yet). DB_CONSTRAINT when the name or the address is taken.
 */
enum db_code
users_create(struct db *db, const struct user_new *u, char out_id[37])
{
	char		 hash[crypto_pwhash_STRBYTES];
	struct user_email e = { u->email, "work", 1 };
	enum db_code	 code;

	if (u->password != NULL && !crypto_password_hash(u->password, hash))
		return DB_ERROR;
	crypto_uuid7(out_id);
	code = db_exec(db, users_sql[SQL_USER_INSERT], DB_PARAMS(DB_STR(out_id),
	    DB_INT(u->org_id), DB_STR(u->user_name), DB_STR(u->display_name),
	    DB_STR(u->password ? hash : NULL), DB_STR(u->role),
	    DB_INT((long long)u->platform_admin)));
	sodium_memzero(hash, sizeof(hash));
	if (code == DB_OK && u->email != NULL)
		code = users_emails_set(db, u->org_id,
		    (long long)db_insert_id(db), 1, &e, 1);
	if (code == DB_OK)
		code = users_count_add(db, u->org_id, 1, 1);
	return code;
}

/* Keep the organization's user counts: dtotal users and dactive active
 * users more (or fewer), in the transaction of the change. */
enum db_code
users_count_add(struct db *db, long long org_id, int dtotal, int dactive)
{
	if (dtotal == 0 && dactive == 0)
		return DB_OK;
	return db_exec(db, users_sql[SQL_COUNT_ADD], DB_PARAMS(
	    DB_INT(dtotal), DB_INT(dactive), DB_INT(org_id)));
}

/* The organization's users and active users. */
enum db_code
users_counts(struct db *db, long long org_id, long long *total,
    long long *active)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	code = db_query(db, &rows, users_sql[SQL_COUNTS],
	    DB_PARAMS(DB_INT(org_id)));
	if (code == DB_OK && rows->nrows != 1)
		code = DB_NOTFOUND;
	if (code == DB_OK) {
		*total = atoll(db_cell(rows, 0, 0));
		*active = atoll(db_cell(rows, 0, 1));
	}
	db_rows_free(rows);
	return code;
}

/* 1 when e[i]'s address came earlier in e (compared without case, as
 * the column does for ASCII). */
static int
users_email_repeated(const struct user_email *e, size_t i)
{
	size_t	 k;

	for (k = 0; k < i; k++)
		if (strcasecmp(e[k].value, e[i].value) == 0)
			return 1;
	return 0;
}

/*
 * Replace user's addresses with e[0..n). DB_CONSTRAINT when an address
 * belongs to another active user of the organization (active: whether
 * this user is). A repeated address keeps the first type given.
 */
enum db_code
users_emails_set(struct db *db, long long org_id, long long user_id,
    int active, const struct user_email *e, size_t n)
{
	enum db_code	 code;
	size_t		 i;

	code = db_exec(db, users_sql[SQL_EMAILS_CLEAR],
	    DB_PARAMS(DB_INT(user_id)));
	for (i = 0; i < n && code == DB_OK; i++)
		if (!users_email_repeated(e, i))
			code = db_exec(db, users_sql[SQL_EMAIL_ADD],
			    DB_PARAMS(DB_INT(user_id), DB_INT(org_id),
			    DB_STR(e[i].value), DB_STR(e[i].type),
			    DB_INT(e[i].primary != 0), DB_INT(active != 0)));
	return code;
}

/*
 * Make the user active or not. Deactivating ends every session; on
 * reactivation DB_CONSTRAINT means one of the user's addresses now
 * belongs to another active user.
 */
enum db_code
users_set_active(struct db *db, long long org_id, long long user_id,
    int active)
{
	enum db_code	 code;

	code = db_exec(db, users_sql[SQL_SET_ACTIVE], DB_PARAMS(
	    DB_INT(active != 0), DB_INT(user_id), DB_INT(org_id),
	    DB_INT(active != 0)));
	if (code == DB_OK && db_affected(db) == 1)
		code = users_count_add(db, org_id, 0, active ? 1 : -1);
	if (code == DB_OK)
		code = users_active_sync(db, org_id, user_id, active);
	return code;
}

/* The addresses follow the user's active flag (set by the caller's own
 * UPDATE of users); when the user is inactive their sessions end and
 * their unused password links stop working. */
enum db_code
users_active_sync(struct db *db, long long org_id, long long user_id,
    int active)
{
	enum db_code	 code;

	code = db_exec(db, users_sql[SQL_EMAILS_ACTIVE], DB_PARAMS(
	    DB_INT(active != 0), DB_INT(user_id), DB_INT(org_id)));
	if (code == DB_OK && !active)
		code = users_password_changed(db, org_id, user_id);
	if (code == DB_OK && !active)
		code = links_retire(db, org_id, user_id);
	return code;
}

/* Set the user's password (argon2id). */
enum db_code
users_set_password(struct db *db, long long org_id, long long user_id,
    const char *password)
{
	char		 hash[crypto_pwhash_STRBYTES];
	enum db_code	 code;

	if (!crypto_password_hash(password, hash))
		return DB_ERROR;
	code = db_exec(db, users_sql[SQL_SET_PASSWORD], DB_PARAMS(DB_STR(hash),
	    DB_INT(user_id), DB_INT(org_id)));
	sodium_memzero(hash, sizeof(hash));
	return code;
}

/* The user's password changed, or the user was deactivated: every
 * session of theirs ends (whoever held one may not know the new password,
 * or may no longer sign in at all). */
enum db_code
users_password_changed(struct db *db, long long org_id, long long user_id)
{
	return db_exec(db, users_sql[SQL_END_SESSIONS], DB_PARAMS(
	    DB_INT(user_id), DB_INT(org_id)));
}

/* Note a successful sign-in (shown on the Users page). */
enum db_code
users_signed_in(struct db *db, long long user_id)
{
	return db_exec(db, users_sql[SQL_SIGNED_IN], DB_PARAMS(DB_INT(user_id)));
}

/* --- the console's views: the Users and Organizations pages ----------- */

enum users_views_sql_id {
	SQL_UV_FIRST, SQL_UV_AFTER, SQL_UV_ONE, SQL_UV_TAKEN, SQL_UV_ROLE,
	SQL_UV_CLASH, SQL_UV_ORGS, USERS_VIEWS_SQL__MAX
};

/* The addresses one per line, the primary first. */
#define UV_COLUMNS \
	"SELECT u.id, u.public_id, u.user_name, u.display_name," \
	" (SELECT GROUP_CONCAT(e.email ORDER BY e.is_primary DESC, e.email" \
	" SEPARATOR '\n') FROM user_emails e WHERE e.user_id = u.id" \
	" AND e.org_id = u.org_id)," \
	" u.role, u.active, u.scim_managed, u.platform_admin," \
	" DATE_FORMAT(u.last_sign_in_at, '%Y-%m-%d %H:%i:%s')" \
	" FROM users u WHERE u.org_id = ?"

static const char *const users_views_sql[USERS_VIEWS_SQL__MAX] = {
	/* By userName, in the column's collation (uq_user_org_name): a
	 * name is unique in it, so it alone is the page's cursor. */
	[SQL_UV_FIRST] = UV_COLUMNS " ORDER BY u.user_name LIMIT ?",
	[SQL_UV_AFTER] = UV_COLUMNS " AND u.user_name > ?"
	    " ORDER BY u.user_name LIMIT ?",
	[SQL_UV_ONE] = UV_COLUMNS " AND u.public_id = ?",
	[SQL_UV_TAKEN] =
	    "SELECT EXISTS (SELECT 1 FROM users WHERE org_id = ?"
	    " AND user_name = ?), EXISTS (SELECT 1 FROM user_emails"
	    " WHERE org_id = ? AND live_email = ?)",
	[SQL_UV_ROLE] =
	    "UPDATE users SET role = ?, version = version + 1"
	    " WHERE id = ? AND org_id = ? AND scim_managed = 0",
	[SQL_UV_CLASH] =
	    "SELECT e.email FROM user_emails e JOIN user_emails o"
	    " ON o.org_id = e.org_id AND o.live_email = e.email"
	    " AND o.user_id <> e.user_id"
	    " WHERE e.user_id = ? AND e.org_id = ? ORDER BY e.email LIMIT 1",
	/* The platform operator's view: every organization, so not scoped
	 * by one; the console shows it to platform admins only. */
	[SQL_UV_ORGS] =
	    "SELECT o.slug, o.name,"
	    " DATE_FORMAT(o.created_at, '%Y-%m-%d %H:%i:%s'),"
	    " (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id"
	    " AND u.active = 1),"
	    " (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id),"
	    " (SELECT COUNT(*) FROM api_keys k WHERE k.org_id = o.id"
	    " AND k.revoked_at IS NULL)"
	    " FROM organizations o ORDER BY o.slug",
};

const struct db_stmts users_views_stmts = {
	"users_views", users_views_sql, USERS_VIEWS_SQL__MAX, NULL, 0
};

enum uv_col {
	UV_ID, UV_PUBLIC_ID, UV_NAME, UV_DISPLAY, UV_EMAILS, UV_ROLE,
	UV_ACTIVE, UV_SCIM, UV_PLATFORM, UV_SIGNED_IN
};

/* The rows of a users statement into l; more when the statement
 * answered more than max rows (the last is not shown). */
static enum db_code
users_rows_read(struct db *db, struct user_rows *l, size_t max,
    const char *sql, const struct db_param *p, size_t np)
{
	struct user_row	*u;
	enum db_code	 code;
	size_t		 i;

	memset(l, 0, sizeof(*l));
	l->v = db_query_view(db, &l->rows, sizeof(*l->v), &code, sql, p, np);
	if (code != DB_OK)
		return code;
	for (i = 0; i < l->rows->nrows && i < max; i++) {
		u = &l->v[l->n++];
		u->id = atoll(db_cell(l->rows, i, UV_ID));
		u->public_id = db_cell(l->rows, i, UV_PUBLIC_ID);
		u->user_name = db_cell(l->rows, i, UV_NAME);
		u->display_name = db_cell(l->rows, i, UV_DISPLAY);
		u->emails = db_cell(l->rows, i, UV_EMAILS);
		u->role = db_cell(l->rows, i, UV_ROLE);
		u->active = strcmp(db_cell(l->rows, i, UV_ACTIVE), "1") == 0;
		u->scim_managed = strcmp(db_cell(l->rows, i, UV_SCIM), "1") == 0;
		u->platform_admin =
		    strcmp(db_cell(l->rows, i, UV_PLATFORM), "1") == 0;
		u->last_sign_in_at = db_cell(l->rows, i, UV_SIGNED_IN);
	}
	l->more = l->rows->nrows > max;
	return DB_OK;
}

/*
 * A page of org's users by userName: the first (after NULL) or the one
 * after the userName after; l->more when another follows. Free with
 * users_rows_cleanup.
 */
enum db_code
users_list(struct db *db, long long org_id, const char *after,
    struct user_rows *l)
{
	if (after == NULL)
		return users_rows_read(db, l, USERS_PAGE,
		    users_views_sql[SQL_UV_FIRST], DB_PARAMS(DB_INT(org_id),
		    DB_INT(USERS_PAGE + 1)));
	return users_rows_read(db, l, USERS_PAGE,
	    users_views_sql[SQL_UV_AFTER], DB_PARAMS(DB_INT(org_id),
	    DB_STR(after), DB_INT(USERS_PAGE + 1)));
}

/* The user of org with public_id as l->v[0]; DB_NOTFOUND when none. */
enum db_code
users_get(struct db *db, long long org_id, const char *public_id,
    struct user_rows *l)
{
	enum db_code	 code;

	code = users_rows_read(db, l, 1, users_views_sql[SQL_UV_ONE],
	    DB_PARAMS(DB_INT(org_id), DB_STR(public_id)));
	return code == DB_OK && l->n == 0 ? DB_NOTFOUND : code;
}

void
users_rows_cleanup(struct user_rows *l)
{
	free(l->v);
	db_rows_free(l->rows);
	memset(l, 0, sizeof(*l));
}

/* Whether user_name is taken in org (by anyone) and email (or NULL) by
 * an active user: what a new user would collide with. */
enum db_code
users_taken(struct db *db, long long org_id, const char *user_name,
    const char *email, int *name_taken, int *email_taken)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	code = db_query(db, &rows, users_views_sql[SQL_UV_TAKEN], DB_PARAMS(
	    DB_INT(org_id), DB_STR(user_name), DB_INT(org_id), DB_STR(email)));
	if (code == DB_OK && rows->nrows == 1) {
		*name_taken = strcmp(db_cell(rows, 0, 0), "1") == 0;
		*email_taken = strcmp(db_cell(rows, 0, 1), "1") == 0;
	} else if (code == DB_OK)
		code = DB_ERROR;
	db_rows_free(rows);
	return code;
}

/* Set the role ("admin" or "member") of a console user (never of one
 * SCIM provisions: its groups decide); DB_NOTFOUND when no such one. */
enum db_code
users_set_role(struct db *db, long long org_id, long long user_id,
    const char *role)
{
	enum db_code	 code;

	code = db_exec(db, users_views_sql[SQL_UV_ROLE], DB_PARAMS(
	    DB_STR(role), DB_INT(user_id), DB_INT(org_id)));
	return code == DB_OK && db_affected(db) != 1 ? DB_NOTFOUND : code;
}

/* An address of user that another active user of org has (why the user
 * cannot be reactivated) into out; DB_NOTFOUND when none does. */
enum db_code
users_email_clash(struct db *db, long long org_id, long long user_id,
    char *out, size_t n)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	code = db_query(db, &rows, users_views_sql[SQL_UV_CLASH], DB_PARAMS(
	    DB_INT(user_id), DB_INT(org_id)));
	if (code == DB_OK && rows->nrows == 0)
		code = DB_NOTFOUND;
	if (code == DB_OK)
		snprintf(out, n, "%s", db_cell(rows, 0, 0));
	db_rows_free(rows);
	return code;
}

/* Every organization by slug, with its users (active and all) and its
 * unrevoked API keys counted. Free with users_orgs_cleanup. */
enum db_code
users_orgs_list(struct db *db, struct org_rows *l)
{
	struct org_row	*o;
	enum db_code	 code;
	size_t		 i;

	memset(l, 0, sizeof(*l));
	l->v = db_query_view(db, &l->rows, sizeof(*l->v), &code,
	    users_views_sql[SQL_UV_ORGS], DB_NONE);
	if (code != DB_OK)
		return code;
	for (i = 0; i < l->rows->nrows; i++) {
		o = &l->v[l->n++];
		o->slug = db_cell(l->rows, i, 0);
		o->name = db_cell(l->rows, i, 1);
		o->created_at = db_cell(l->rows, i, 2);
		o->users_active = atoll(db_cell(l->rows, i, 3));
		o->users = atoll(db_cell(l->rows, i, 4));
		o->keys = atoll(db_cell(l->rows, i, 5));
	}
	return DB_OK;
}

void
users_orgs_cleanup(struct org_rows *l)
{
	free(l->v);
	db_rows_free(l->rows);
	memset(l, 0, sizeof(*l));
}
