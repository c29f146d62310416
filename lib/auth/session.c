/*
 * session.c - console sign-in. A session id is 32 random characters in an
 * HttpOnly, SameSite=Lax cookie (Secure over HTTPS), stored only as its
 * keyed hash, with an idle (2 h) and an absolute (12 h) expiry and a CSRF
 * token that every POST must carry. Failed sign-ins are throttled per
 * account and per address; an inactive user is refused and loses every
 * session.
 *
 * The database compares userNames and addresses without regard to case
 * or accents (utf8mb4_unicode_ci), so "thróttle@…" and its full-width
 * form find the user "throttle@…": the per-account throttle is keyed by
 * the user ids the text finds, or (none found) by the collation's own
 * weights of the text, never by the text; and only the spelling stored
 * (ASCII case aside) signs in. A name that finds no user still costs an
 * argon2id verification, against a dummy hash, so that the time of an
 * answer does not tell which names exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "auth/auth.h"

#define SESSION_COOKIE		"mihwar_session"
#define LOGIN_COOKIE		"mihwar_login"
#define LOGIN_WINDOW		900	/* seconds */
#define LOGIN_MAX_ACCOUNT	5	/* failures per window */
#define LOGIN_MAX_ADDRESS	30
#define LOGIN_MAX_CANDIDATES	10	/* passwords tried per sign-in */
#define LOGIN_ID_LEN		32	/* the pre-session id of a form */
#define LOGIN_SCOPE_MAX		96	/* bytes of a throttle key */

enum session_sql_id {
	SQL_SESSION_GET, SQL_SESSION_TOUCH, SQL_SESSION_INSERT,
	SQL_FLASH_SET, SQL_FLASH_GET, SQL_FLASH_CLEAR, SQL_SESSION_DELETE,
	SQL_LOGIN_USERS, SQL_LOGIN_USERS_ORG, SQL_LOGIN_FAIL, SQL_LOGIN_FAILS,
	SQL_LOGIN_WEIGHTS, SESSION_SQL__MAX
};

static const char *const session_sql[SESSION_SQL__MAX] = {
	[SQL_SESSION_GET] =
	    "SELECT s.user_id, s.org_id, s.csrf_token, u.public_id, u.user_name, u.role,"
	    " u.platform_admin, o.slug,"
	    " s.last_seen_at < NOW(3) - INTERVAL 60 SECOND"
	    " FROM sessions s JOIN users u ON u.id = s.user_id"
	    " JOIN organizations o ON o.id = s.org_id"
	    " WHERE s.id_hash = ? AND u.active = 1"
	    " AND s.created_at > NOW(3) - INTERVAL 12 HOUR"
	    " AND s.last_seen_at > NOW(3) - INTERVAL 2 HOUR",
	[SQL_SESSION_TOUCH] =
	    "UPDATE sessions SET last_seen_at = NOW(3) WHERE id_hash = ?",
	[SQL_SESSION_INSERT] =
	    "INSERT INTO sessions (id_hash, user_id, org_id, csrf_token)"
	    " VALUES (?, ?, ?, ?)",
	[SQL_FLASH_SET] =
	    "UPDATE sessions SET flash = ? WHERE id_hash = ?",
	[SQL_FLASH_GET] =
	    "SELECT flash FROM sessions WHERE id_hash = ? AND flash IS NOT NULL",
	[SQL_FLASH_CLEAR] =
	    "UPDATE sessions SET flash = NULL WHERE id_hash = ?",
	[SQL_SESSION_DELETE] =
	    "DELETE FROM sessions WHERE id_hash = ?",
	/* Sign-in looks in every organization (or the one named); the
	 * last column is the spelling stored, the name or the address. */
	[SQL_LOGIN_USERS] =
	    "SELECT id, org_id, password_hash, user_name FROM users"
	    " WHERE user_name = ? AND active = 1 AND password_hash IS NOT NULL"
	    " UNION SELECT u.id, u.org_id, u.password_hash, e.email"
	    " FROM user_emails e"
	    " JOIN users u ON u.id = e.user_id WHERE e.email = ?"
	    " AND e.user_active = 1 AND u.active = 1"
	    " AND u.password_hash IS NOT NULL ORDER BY id LIMIT 11",
	[SQL_LOGIN_USERS_ORG] =
	    "SELECT u.id, u.org_id, u.password_hash, u.user_name FROM users u"
	    " JOIN organizations o ON o.id = u.org_id WHERE o.slug = ?"
	    " AND u.user_name = ? AND u.active = 1"
	    " AND u.password_hash IS NOT NULL"
	    " UNION SELECT u.id, u.org_id, u.password_hash, e.email"
	    " FROM user_emails e"
	    " JOIN users u ON u.id = e.user_id"
	    " JOIN organizations o ON o.id = u.org_id WHERE o.slug = ?"
	    " AND e.email = ? AND e.user_active = 1 AND u.active = 1"
	    " AND u.password_hash IS NOT NULL ORDER BY id LIMIT 11",
	[SQL_LOGIN_FAIL] =
	    "INSERT INTO rate_counters (scope, window_start, hits)"
	    " VALUES (?, ?, 1) ON DUPLICATE KEY UPDATE hits = hits + 1",
	[SQL_LOGIN_FAILS] =
	    "SELECT hits FROM rate_counters WHERE scope = ? AND window_start = ?",
	/* What the lookup compares: the text's weights in the columns'
	 * collation (case, accents and width folded). */
	[SQL_LOGIN_WEIGHTS] =
	    "SELECT WEIGHT_STRING(CONVERT(? USING utf8mb4)"
	    " COLLATE utf8mb4_unicode_ci)",
};

const struct db_stmts session_stmts = {
	"session", session_sql, SESSION_SQL__MAX, NULL, 0
};

/* The value of cookie name into out (at most n-1 characters). */
static int
session_cookie(const struct req *r, const char *name, char *out, size_t n)
{
	const char	*c = req_header(r, "cookie"), *v;
	size_t		 len = strlen(name), vlen;

	while (c != NULL && *c != '\0') {
		while (*c == ' ' || *c == ';')
			c++;
		if (strncmp(c, name, len) == 0 && c[len] == '=') {
			v = c + len + 1;
			vlen = strcspn(v, ";");
			if (vlen == 0 || vlen >= n)
				return 0;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return 1;
		}
		c = strchr(c, ';');
	}
	return 0;
}

static void
session_set_cookie(struct req *r, const char *name, const char *value,
    int max_age)
{
	char	 line[256];

	snprintf(line, sizeof(line), "%s=%s; Path=/; HttpOnly; SameSite=Lax;"
	    " Max-Age=%d%s", name, value, max_age, r->in.https ? "; Secure" : "");
	req_resp_header(r, "Set-Cookie", line);
}

/*
 * Resolve the session cookie to r->principal. 1 when signed in (and the
 * session is live), else 0 — nothing is answered.
 */
int
session_resolve(struct req *r)
{
	struct db_rows	*rows = NULL;
	char		 tok[64];
	unsigned char	 hash[32];
	int		 ok = 0;

	if (!session_cookie(r, SESSION_COOKIE, tok, sizeof(tok)))
		return 0;
	crypto_key_hash(tok, strlen(tok), hash);
	memcpy(r->principal.session_hash, hash, sizeof(hash));
	if (db_query(r->db, &rows, session_sql[SQL_SESSION_GET],
	    DB_PARAMS(DB_BLOB(hash, sizeof(hash)))) != DB_OK || rows->nrows == 0)
		goto out;
	r->principal.user_id = atoll(db_cell(rows, 0, 0));
	r->principal.org_id = atoll(db_cell(rows, 0, 1));
	snprintf(r->principal.csrf, sizeof(r->principal.csrf), "%s",
	    db_cell(rows, 0, 2));
	snprintf(r->principal.user_public_id, sizeof(r->principal.user_public_id),
	    "%s", db_cell(rows, 0, 3));
	snprintf(r->principal.user_name, sizeof(r->principal.user_name), "%s",
	    db_cell(rows, 0, 4));
	snprintf(r->principal.role, sizeof(r->principal.role), "%s",
	    db_cell(rows, 0, 5));
	r->principal.platform_admin = strcmp(db_cell(rows, 0, 6), "1") == 0;
	snprintf(r->principal.org_slug, sizeof(r->principal.org_slug), "%s",
	    db_cell(rows, 0, 7));
	if (strcmp(db_cell(rows, 0, 8), "1") == 0)
		(void)db_exec(r->db, session_sql[SQL_SESSION_TOUCH],
		    DB_PARAMS(DB_BLOB(hash, sizeof(hash))));
	r->principal.kind = PRINCIPAL_SESSION;
	ok = 1;
out:
	db_rows_free(rows);
	return ok;
}

/* The POST's CSRF token (form field or X-CSRF-Token) matches. */
int
session_csrf_ok(struct req *r)
{
	const char	*h = req_header(r, "x-csrf-token");
	char		*f = NULL;
	int		 ok;

	if (h == NULL && req_form_param(r, "csrf", &f) != 1)
		return 0;
	if (h == NULL)
		h = f;
	ok = strlen(h) == strlen(r->principal.csrf) &&
	    crypto_equal(h, r->principal.csrf, strlen(h));
	free(f);
	return ok;
}

/* 1 when s has the shape of a pre-session id of ours. */
static int
session_login_id_shape(const char *s)
{
	size_t	 n = strlen(s);

	return n == LOGIN_ID_LEN && strspn(s, "0123456789"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == n;
}

/* The form token of pre-session id: a keyed BLAKE2b (its key derived
 * from the master key) of the id under a tag of its own, base64url. */
static void
session_form_token_of(const char *id, char tok[44])
{
	char		 msg[64];
	unsigned char	 mac[32];
	int		 n;

	n = snprintf(msg, sizeof(msg), "mihwar-form-csrf:%s", id);
	crypto_key_hash(msg, (size_t)n, mac);
	sodium_bin2base64(tok, 44, mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/*
 * The CSRF token of a form shown to someone without a session (sign-in,
 * setting a password from a link) into tok, for its hidden csrf field.
 * The cookie holds a random pre-session id (the one the browser already
 * has, so two open tabs both work) and the field its keyed hash, which
 * session_form_csrf_ok computes again: a pair chosen by someone who does
 * not hold the server's key never matches.
 */
void
session_form_token(struct req *r, char tok[44])
{
	char	 id[LOGIN_ID_LEN + 1];

	if (!session_cookie(r, LOGIN_COOKIE, id, sizeof(id)) ||
	    !session_login_id_shape(id))
		crypto_random_token(id, sizeof(id));
	session_set_cookie(r, LOGIN_COOKIE, id, 3600);
	session_form_token_of(id, tok);
}

/* What the sign-in form holds: the organization's short name only
 * when the name alone was not enough. */
struct login_form {
	char	*login, *org, *pw;
	int	 ask_org;
};

static void
session_form(struct req *r, const char *error, const char *notice,
    const struct login_form *f)
{
	char	 tok[44];

	/* Double-submit token: sign-in has no session to hold one yet. */
	session_form_token(r, tok);
	html_begin(r, error ? 401 : 200, "Sign in");
	if (error)
		html_notice(r, "error", error);
	else if (notice)
		html_notice(r, "ok", notice);
	html_raw(r, "<form method=\"post\" action=\"/admin/login\" "
	    "class=\"card\"><input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(r, tok);
	html_raw(r, "\"><label>E-mail or user name <input type=\"text\" "
	    "name=\"login\" required autocomplete=\"username\" "
	    "autocapitalize=\"none\" spellcheck=\"false\" value=\"");
	html_text(r, f && f->login ? f->login : "");
	html_raw(r, "\"></label>");
	if (f && (f->ask_org || f->org)) {
		html_raw(r, "<label>Organization (its short name) <input "
		    "type=\"text\" name=\"organization\" required "
		    "autocapitalize=\"none\" spellcheck=\"false\" value=\"");
		html_text(r, f->org ? f->org : "");
		html_raw(r, "\"></label>");
	}
	html_raw(r, "<label>Password <input type=\"password\" "
	    "name=\"password\" required autocomplete=\"current-password\">"
	    "</label><button>Sign in</button></form>");
	html_end(r);
}

/* GET /admin/login; ?password=set after a one-time link set it. */
void
session_login_page(struct req *r)
{
	char	*set = NULL;

	if (session_resolve(r)) {
		html_redirect(r, "/admin/approvals");
		return;
	}
	(void)req_query_param(r->in.query, "password", &set);
	session_form(r, NULL, set != NULL && strcmp(set, "set") == 0 ?
	    "Your password is set. Sign in with it." : NULL, NULL);
	free(set);
}

static long long
session_fails(struct req *r, const char *scope, long long window)
{
	struct db_rows	*rows = NULL;
	long long	 n = 0;

	if (db_query(r->db, &rows, session_sql[SQL_LOGIN_FAILS],
	    DB_PARAMS(DB_STR(scope),
	    DB_INT(window))) == DB_OK && rows->nrows > 0)
		n = atoll(db_cell(rows, 0, 0));
	db_rows_free(rows);
	return n;
}

enum login_res { LOGIN_OK, LOGIN_WRONG, LOGIN_ASK_ORG };

/* Column of the candidate rows (SQL_LOGIN_USERS*). */
enum login_col { LC_ID, LC_ORG, LC_HASH, LC_STORED };

/* What a sign-in's text finds: the users (rows, by LC_*), and the
 * per-account throttle keys its failures count under. */
struct login_try {
	struct db_rows	*rows;
	char		 keys[LOGIN_MAX_CANDIDATES + 1][LOGIN_SCOPE_MAX];
	size_t		 nkeys;
};

/*
 * 1 when typed is the spelling stored, ASCII case aside. The database
 * found the user with case, accents, width and trailing spaces folded
 * (and no-break spaces taken for spaces); any fold beyond ASCII case is
 * refused, so that each account has one name to sign in with and to be
 * throttled under.
 */
static int
session_login_spelled(const char *typed, const char *stored)
{
	return stored != NULL && strcasecmp(typed, stored) == 0;
}

/*
 * The throttle key of text that finds no user (with the organization
 * named, if any): "login:n:" and a keyed hash of the collation's weights
 * of the text, so that every spelling the lookup would fold to one name
 * counts as that name. The collation pads with spaces (a trailing space
 * or no-break space does not change what it finds): their weights at
 * the end are cut. 0 when the database does not answer.
 */
static int
session_unknown_key(struct req *r, const struct login_form *f,
    char out[LOGIN_SCOPE_MAX])
{
	static const unsigned char	 space[2] = { 0x02, 0x09 };
	struct db_rows			*rows = NULL;
	struct buf			 in;
	const char			*w;
	unsigned long			 n;
	unsigned char			 mac[32];
	char				 hex[65];
	int				 ok = 0;

	buf_init(&in);
	if (db_query(r->db, &rows, session_sql[SQL_LOGIN_WEIGHTS],
	    DB_PARAMS(DB_STR(f->login))) != DB_OK || rows->nrows != 1 ||
	    (w = db_cell(rows, 0, 0)) == NULL)
		goto out;
	for (n = rows->lens[0]; n >= 2 && memcmp(w + n - 2, space, 2) == 0;)
		n -= 2;
	/* The slug (no NUL in it) ends at the NUL: no two inputs meet. */
	if (!buf_puts(&in, f->org ? f->org : "") || !buf_append(&in, "", 1) ||
	    !buf_append(&in, w, n))
		goto out;
	for (n = 0; f->org != NULL && n < strlen(f->org); n++)
		in.data[n] = (char)(in.data[n] >= 'A' && in.data[n] <= 'Z' ?
		    in.data[n] + 32 : in.data[n]);
	crypto_key_hash(in.data, in.len, mac);
	util_hex(mac, sizeof(mac), hex);
	snprintf(out, LOGIN_SCOPE_MAX, "login:n:%s", hex);
	ok = 1;
out:
	buf_cleanup(&in);
	db_rows_free(rows);
	return ok;
}

/* 1 when row i's user came in an earlier row too (the text found its
 * name and one of its addresses), one spelled as typed when spelled. */
static int
session_row_repeated(const struct db_rows *rows, size_t i, const char *spelled)
{
	size_t	 k;

	for (k = 0; k < i; k++)
		if (strcmp(db_cell(rows, k, LC_ID),
		    db_cell(rows, i, LC_ID)) == 0 && (spelled == NULL ||
		    session_login_spelled(spelled, db_cell(rows, k, LC_STORED))))
			return 1;
	return 0;
}

/*
 * The users the form's text finds, by userName or any active address,
 * in the named organization or (none named) in any, into t, with the
 * throttle key of each ("login:u:<id>"), or of the text when it finds
 * none. 0 when the database does not answer.
 */
static int
session_login_find(struct req *r, const struct login_form *f,
    struct login_try *t)
{
	enum db_code	 code;
	size_t		 i;

	memset(t, 0, sizeof(*t));
	if (f->org != NULL)
		code = db_query(r->db, &t->rows,
		    session_sql[SQL_LOGIN_USERS_ORG], DB_PARAMS(DB_STR(f->org),
		    DB_STR(f->login), DB_STR(f->org), DB_STR(f->login)));
	else
		code = db_query(r->db, &t->rows, session_sql[SQL_LOGIN_USERS],
		    DB_PARAMS(DB_STR(f->login), DB_STR(f->login)));
	if (code != DB_OK)
		return 0;
	for (i = 0; i < t->rows->nrows && t->nkeys < LOGIN_MAX_CANDIDATES + 1;
	    i++)
		if (!session_row_repeated(t->rows, i, NULL))
			snprintf(t->keys[t->nkeys++], LOGIN_SCOPE_MAX,
			    "login:u:%s", db_cell(t->rows, i, LC_ID));
	if (t->nkeys == 0) {
		if (!session_unknown_key(r, f, t->keys[0]))
			return 0;
		t->nkeys = 1;
	}
	return 1;
}

/* 1 when an account the text finds has failed too often this window. */
static int
session_login_throttled(struct req *r, const struct login_try *t,
    long long window)
{
	size_t	 i;

	for (i = 0; i < t->nkeys; i++)
		if (session_fails(r, t->keys[i], window) >= LOGIN_MAX_ACCOUNT)
			return 1;
	return 0;
}

/*
 * Spend an argon2id verification on a password no user has: a sign-in
 * that verifies nothing else (the name is unknown, or not spelled as
 * stored) takes as long as a wrong password. The hash is made once per
 * process, of a random password.
 */
static void
session_dummy_verify(const char *pw)
{
	static char	 dummy[crypto_pwhash_STRBYTES];
	char		 secret[33];

	if (dummy[0] == '\0') {
		crypto_random_token(secret, sizeof(secret));
		if (!crypto_password_hash(secret, dummy))
			dummy[0] = '\0';
		sodium_memzero(secret, sizeof(secret));
	}
	if (dummy[0] != '\0')
		(void)crypto_password_verify(dummy, pw);
}

/*
 * The user among t's whose password matches: id and org. Only the
 * users whose stored name or address is the text typed (ASCII case
 * aside) are tried, at most LOGIN_MAX_CANDIDATES of them; past that the
 * form asks for the organization (LOGIN_ASK_ORG): each candidate costs
 * an argon2id verification.
 */
static enum login_res
session_check_password(const struct login_form *f, const struct login_try *t,
    long long *user, long long *org)
{
	const struct db_rows	*rows = t->rows;
	size_t			 i;
	int			 tried = 0;

	for (i = 0; i < rows->nrows && i < LOGIN_MAX_CANDIDATES; i++) {
		if (!session_login_spelled(f->login,
		    db_cell(rows, i, LC_STORED)) ||
		    session_row_repeated(rows, i, f->login))
			continue;
		tried++;
		if (crypto_password_verify(db_cell(rows, i, LC_HASH), f->pw)) {
			*user = atoll(db_cell(rows, i, LC_ID));
			*org = atoll(db_cell(rows, i, LC_ORG));
			return LOGIN_OK;
		}
	}
	if (tried == 0)
		session_dummy_verify(f->pw);
	return rows->nrows > LOGIN_MAX_CANDIDATES ? LOGIN_ASK_ORG : LOGIN_WRONG;
}

static int
session_start(struct req *r, long long user, long long org)
{
	char		 tok[33], csrf[44];
	unsigned char	 hash[32];

	crypto_random_token(tok, sizeof(tok));
	crypto_random_token(csrf, sizeof(csrf));
	crypto_key_hash(tok, strlen(tok), hash);
	if (db_exec(r->db, session_sql[SQL_SESSION_INSERT],
	    DB_PARAMS(DB_BLOB(hash,
	    sizeof(hash)), DB_INT(user), DB_INT(org), DB_STR(csrf))) != DB_OK)
		return 0;
	session_set_cookie(r, SESSION_COOKIE, tok, 12 * 3600);
	session_set_cookie(r, LOGIN_COOKIE, "x", 0);
	(void)users_signed_in(r->db, user);
	return 1;
}

/* The form's csrf field is the token of the pre-session id in the
 * cookie (session_form_token). */
int
session_form_csrf_ok(struct req *r)
{
	char	 id[LOGIN_ID_LEN + 1], want[44], *field = NULL;
	int	 ok;

	ok = session_cookie(r, LOGIN_COOKIE, id, sizeof(id)) &&
	    session_login_id_shape(id) &&
	    req_form_param(r, "csrf", &field) == 1 &&
	    strlen(field) == sizeof(want) - 1;
	if (ok) {
		session_form_token_of(id, want);
		ok = crypto_equal(field, want, sizeof(want) - 1);
	}
	free(field);
	return ok;
}

/* Read the sign-in form; 0 after answering it again. */
static int
session_login_read(struct req *r, struct login_form *f)
{
	memset(f, 0, sizeof(*f));
	if (req_form_param(r, "organization", &f->org) == 1 &&
	    *f->org == '\0') {
		free(f->org);
		f->org = NULL;
	}
	if (req_form_param(r, "login", &f->login) != 1 ||
	    req_form_param(r, "password", &f->pw) != 1 || *f->login == '\0' ||
	    strlen(f->login) > 255 || (f->org && strlen(f->org) > 63)) {
		session_form(r, "Enter your e-mail or user name, and your "
		    "password.", NULL, f);
		return 0;
	}
	return 1;
}

/* Count a failed sign-in against every account the text found (or
 * the text, none found) and against the address. */
static void
session_login_failed(struct req *r, const struct login_try *t,
    const char *addr, long long window, const struct login_form *f)
{
	size_t	 i;

	for (i = 0; i < t->nkeys; i++)
		(void)db_exec(r->db, session_sql[SQL_LOGIN_FAIL],
		    DB_PARAMS(DB_STR(t->keys[i]), DB_INT(window)));
	(void)db_exec(r->db, session_sql[SQL_LOGIN_FAIL],
	    DB_PARAMS(DB_STR(addr), DB_INT(window)));
	log_warn("console: failed sign-in for %s%s%s from %s", f->login,
	    f->org ? " in " : "", f->org ? f->org : "",
	    r->in.remote_addr ? r->in.remote_addr : "-");
}

static void
session_login_too_many(struct req *r, const struct login_form *f)
{
	req_resp_header(r, "Retry-After", "900");
	session_form(r, "Too many failed sign-ins; wait 15 minutes.", NULL, f);
	r->out.status = 429;
}

/* POST /admin/login */
void
session_login_post(struct req *r)
{
	struct login_form f;
	struct login_try t;
	char		 addr[80];
	long long	 window = (long long)(time(NULL) / LOGIN_WINDOW *
			    LOGIN_WINDOW), user, org;
	enum login_res	 res;

	memset(&t, 0, sizeof(t));
	if (!session_form_csrf_ok(r)) {
		html_error_page(r, 403, "The sign-in form expired; reload it.");
		return;
	}
	if (!session_login_read(r, &f))
		goto out;
	snprintf(addr, sizeof(addr), "login:i:%s",
	    r->in.remote_addr ? r->in.remote_addr : "-");
	if (session_fails(r, addr, window) >= LOGIN_MAX_ADDRESS) {
		session_login_too_many(r, &f);
		goto out;
	}
	if (!session_login_find(r, &f, &t)) {
		html_error_page(r, 503, "The database is unavailable.");
		goto out;
	}
	if (session_login_throttled(r, &t, window)) {
		session_login_too_many(r, &f);
		goto out;
	}
	if ((res = session_check_password(&f, &t, &user, &org)) != LOGIN_OK) {
		session_login_failed(r, &t, addr, window, &f);
		f.ask_org = res == LOGIN_ASK_ORG;
		session_form(r, f.ask_org ? "This name is used in many "
		    "organizations: enter your organization's short name too." :
		    "Wrong e-mail, user name or password.", NULL, &f);
		goto out;
	}
	if (!session_start(r, user, org))
		html_error_page(r, 503, "The database is unavailable.");
	else
		html_redirect(r, "/admin/approvals");
out:
	if (f.pw != NULL)
		sodium_memzero(f.pw, strlen(f.pw));
	db_rows_free(t.rows);
	free(f.login);
	free(f.org);
	free(f.pw);
}

/* POST /admin/logout */
void
session_logout(struct req *r)
{
	char		 tok[64];
	unsigned char	 hash[32];

	if (session_cookie(r, SESSION_COOKIE, tok, sizeof(tok))) {
		crypto_key_hash(tok, strlen(tok), hash);
		if (db_exec(r->db, session_sql[SQL_SESSION_DELETE],
		    DB_PARAMS(DB_BLOB(hash, sizeof(hash)))) != DB_OK) {
			html_error_page(r, 503, "The database is unavailable; "
			    "you are still signed in.");
			return;
		}
	}
	session_set_cookie(r, SESSION_COOKIE, "x", 0);
	html_redirect(r, "/admin/login");
}

/* Keep text (a secret to show once) for this session's next page. */
int
session_flash_set(struct req *r, const char *text)
{
	unsigned char	 sealed[256 + CRYPTO_SEAL_OVERHEAD];
	size_t		 n = strlen(text);

	if (n > 256)
		return 0;
	n = crypto_seal((const unsigned char *)text, n, sealed);
	return db_exec(r->db, session_sql[SQL_FLASH_SET],
	    DB_PARAMS(DB_BLOB(sealed, n),
	    DB_BLOB(r->principal.session_hash, 32))) == DB_OK;
}

/* Take the session's flash (once) into out; 0 when there is none. */
int
session_flash_take(struct req *r, char *out, size_t outsz)
{
	struct db_rows	*rows = NULL;
	unsigned long	 n;
	int		 ok = 0;

	if (db_query(r->db, &rows, session_sql[SQL_FLASH_GET],
	    DB_PARAMS(DB_BLOB(
	    r->principal.session_hash, 32))) != DB_OK || rows->nrows == 0)
		goto out;
	n = rows->lens[0];
	if (n > CRYPTO_SEAL_OVERHEAD && n - CRYPTO_SEAL_OVERHEAD < outsz &&
	    crypto_open((const unsigned char *)db_cell(rows, 0, 0), n,
	    (unsigned char *)out)) {
		out[n - CRYPTO_SEAL_OVERHEAD] = '\0';
		ok = 1;
	}
	(void)db_exec(r->db, session_sql[SQL_FLASH_CLEAR], DB_PARAMS(DB_BLOB(
	    r->principal.session_hash, 32)));
out:
	db_rows_free(rows);
	return ok;
}
