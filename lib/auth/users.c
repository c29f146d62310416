/*
 * users.c - console users: the userName (any non-empty string, unique
 * per organization without regard to case), the e-mail addresses they
 * may also sign in with (unique per organization among active users),
 * and being active. SCIM and the console's Users page both change users
 * through these functions, so the addresses' copy of "active" that the
 * uniqueness rests on never drifts from the user's.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/auth.h"

enum users_sql_id {
	SQL_USER_INSERT, SQL_EMAILS_CLEAR, SQL_EMAIL_ADD, SQL_SET_ACTIVE,
	SQL_EMAILS_ACTIVE, SQL_END_SESSIONS, SQL_SET_PASSWORD, SQL_SIGNED_IN,
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
	    " user_active) VALUES (?, ?, ?, ?, ?, ?)"
	    " ON DUPLICATE KEY UPDATE is_primary = GREATEST(is_primary,"
	    " VALUES(is_primary))",
	[SQL_SET_ACTIVE] =
	    "UPDATE users SET active = ?, version = version + 1"
	    " WHERE id = ? AND org_id = ?",
	[SQL_EMAILS_ACTIVE] =
	    "UPDATE user_emails SET user_active = ? WHERE user_id = ?"
	    " AND org_id = ?",
	[SQL_END_SESSIONS] =
	    "DELETE FROM sessions WHERE user_id = ?",
	[SQL_SET_PASSWORD] =
	    "UPDATE users SET password_hash = ? WHERE id = ? AND org_id = ?",
	[SQL_SIGNED_IN] =
	    "UPDATE users SET last_sign_in_at = NOW(3) WHERE id = ?",
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
	return code;
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
	    DB_INT(active != 0), DB_INT(user_id), DB_INT(org_id)));
	if (code == DB_OK)
		code = users_active_sync(db, org_id, user_id, active);
	return code;
}

/* The addresses follow the user's active flag (set by the caller's own
 * UPDATE of users); sessions end when the user is inactive. */
enum db_code
users_active_sync(struct db *db, long long org_id, long long user_id,
    int active)
{
	enum db_code	 code;

	code = db_exec(db, users_sql[SQL_EMAILS_ACTIVE], DB_PARAMS(
	    DB_INT(active != 0), DB_INT(user_id), DB_INT(org_id)));
	if (code == DB_OK && !active)
		code = db_exec(db, users_sql[SQL_END_SESSIONS],
		    DB_PARAMS(DB_INT(user_id)));
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

/* Note a successful sign-in (shown on the Users page). */
enum db_code
users_signed_in(struct db *db, long long user_id)
{
	return db_exec(db, users_sql[SQL_SIGNED_IN], DB_PARAMS(DB_INT(user_id)));
}
