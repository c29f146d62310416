/*
 * links.c - one-time links that set a console user's first password or
 * reset it. The token (43 random base62 characters) goes to the admin
 * who asked, once; only its keyed hash is stored. A link lasts 72 hours,
 * works once, and only while its user is active; a new link of a user
 * retires the user's unused ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"

enum links_sql_id {
	SQL_LINKS_RETIRE, SQL_LINK_INSERT, SQL_LINK_FIND, SQL_LINK_LOCK,
	SQL_LINK_USE, LINKS_SQL__MAX
};

/* A live link: unused, not expired, its user active in its org. */
#define LINK_LIVE \
	"SELECT l.user_id, l.org_id, l.purpose, u.user_name" \
	" FROM user_links l JOIN users u ON u.id = l.user_id" \
	" AND u.org_id = l.org_id WHERE l.id_hash = ? AND l.used_at IS NULL" \
	" AND l.expires_at > NOW(3) AND u.active = 1"

static const char *const links_sql[LINKS_SQL__MAX] = {
	[SQL_LINKS_RETIRE] =
	    "DELETE FROM user_links WHERE user_id = ? AND org_id = ?"
	    " AND used_at IS NULL",
	[SQL_LINK_INSERT] =
	    "INSERT INTO user_links (id_hash, user_id, org_id, purpose,"
	    " created_by, expires_at)"
	    " VALUES (?, ?, ?, ?, ?, NOW(3) + INTERVAL 72 HOUR)",
	[SQL_LINK_FIND] = LINK_LIVE,
	/* The link row (and its user) held to the end of the transaction:
	 * two submissions of one link cannot both find it unused. */
	[SQL_LINK_LOCK] = LINK_LIVE " FOR UPDATE",
	[SQL_LINK_USE] =
	    "UPDATE user_links SET used_at = NOW(3) WHERE id_hash = ?"
	    " AND org_id = ? AND used_at IS NULL",
};

const struct db_stmts links_stmts = {
	"links", links_sql, LINKS_SQL__MAX, NULL, 0
};

/* 1 when s has the shape of a token of ours (so nothing else is hashed
 * and looked up). */
static int
links_token_shape(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= LINKS_TOKEN_LEN || !((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
			return 0;
	return i == LINKS_TOKEN_LEN;
}

/* The user's unused links stop working (a new link, or deactivation). */
enum db_code
links_retire(struct db *db, long long org_id, long long user_id)
{
	return db_exec(db, links_sql[SQL_LINKS_RETIRE], DB_PARAMS(
	    DB_INT(user_id), DB_INT(org_id)));
}

/*
 * A new link of purpose for user of org, made by the console user
 * created_by (0: none), after retiring the user's unused links: its
 * token into tok (shown once, never stored).
 */
enum db_code
links_create(struct db *db, long long org_id, long long user_id,
    enum link_purpose purpose, long long created_by,
    char tok[LINKS_TOKEN_LEN + 1])
{
	unsigned char	 hash[32];
	enum db_code	 code;

	if ((code = links_retire(db, org_id, user_id)) != DB_OK)
		return code;
	crypto_random_token(tok, LINKS_TOKEN_LEN + 1);
	crypto_key_hash(tok, LINKS_TOKEN_LEN, hash);
	return db_exec(db, links_sql[SQL_LINK_INSERT], DB_PARAMS(
	    DB_BLOB(hash, sizeof(hash)), DB_INT(user_id), DB_INT(org_id),
	    DB_STR(purpose == LINK_RESET ? "reset" : "set"),
	    DB_ID(created_by)));
}

/* The live link of tok into *l (locked to the end of the transaction
 * when lock is set); DB_NOTFOUND when it is not one, or not any more. */
static enum db_code
links_get(struct db *db, const char *tok, int lock, struct user_link *l)
{
	struct db_rows	*rows = NULL;
	unsigned char	 hash[32];
	enum db_code	 code;

	memset(l, 0, sizeof(*l));
	if (tok == NULL || !links_token_shape(tok))
		return DB_NOTFOUND;
	crypto_key_hash(tok, LINKS_TOKEN_LEN, hash);
	code = db_query(db, &rows, links_sql[lock ? SQL_LINK_LOCK :
	    SQL_LINK_FIND], DB_PARAMS(DB_BLOB(hash, sizeof(hash))));
	if (code == DB_OK && rows->nrows == 0)
		code = DB_NOTFOUND;
	if (code == DB_OK) {
		l->user_id = atoll(db_cell(rows, 0, 0));
		l->org_id = atoll(db_cell(rows, 0, 1));
		l->purpose = strcmp(db_cell(rows, 0, 2), "reset") == 0 ?
		    LINK_RESET : LINK_SET;
		snprintf(l->user_name, sizeof(l->user_name), "%s",
		    db_cell(rows, 0, 3));
	}
	db_rows_free(rows);
	return code;
}

/* The live link of tok into *l, without a lock (the form's page). */
enum db_code
links_find(struct db *db, const char *tok, struct user_link *l)
{
	return links_get(db, tok, 0, l);
}

/*
 * Use the link of tok, in the caller's transaction: lock it and check it
 * again, set its user's password (which the caller checked against
 * users_password_ok), mark it used and end every session of the user
 * (whoever held one no longer knows the password). *l tells whose it
 * was. DB_NOTFOUND when the link is not live.
 */
enum db_code
links_consume(struct db *db, const char *tok, const char *password,
    struct user_link *l)
{
	unsigned char	 hash[32];
	enum db_code	 code;

	if ((code = links_get(db, tok, 1, l)) != DB_OK)
		return code;
	crypto_key_hash(tok, LINKS_TOKEN_LEN, hash);
	code = users_set_password(db, l->org_id, l->user_id, password);
	if (code == DB_OK)
		code = db_exec(db, links_sql[SQL_LINK_USE], DB_PARAMS(
		    DB_BLOB(hash, sizeof(hash)), DB_INT(l->org_id)));
	if (code == DB_OK && db_affected(db) != 1)
		code = DB_NOTFOUND;
	if (code == DB_OK)
		code = users_password_changed(db, l->org_id, l->user_id);
	return code;
}
