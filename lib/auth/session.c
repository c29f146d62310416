/*
 * session.c - console sign-in. A session id is 32 random characters in an
 * HttpOnly, SameSite=Lax cookie (Secure over HTTPS), stored only as its
 * keyed hash, with an idle (2 h) and an absolute (12 h) expiry and a CSRF
 * token that every POST must carry. Failed sign-ins are throttled per
 * account and per address; an inactive user is refused and loses every
 * session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "auth/auth.h"

#define SESSION_COOKIE		"mihwar_session"
#define LOGIN_COOKIE		"mihwar_login"
#define LOGIN_WINDOW		900	/* seconds */
#define LOGIN_MAX_ACCOUNT	5	/* failures per window */
#define LOGIN_MAX_ADDRESS	30
#define LOGIN_MAX_CANDIDATES	10	/* passwords tried per sign-in */

enum session_sql_id {
	SQL_SESSION_GET, SQL_SESSION_TOUCH, SQL_SESSION_INSERT,
	SQL_FLASH_SET, SQL_FLASH_GET, SQL_FLASH_CLEAR, SQL_SESSION_DELETE,
	SQL_LOGIN_USERS, SQL_LOGIN_USERS_ORG, SQL_LOGIN_FAIL, SQL_LOGIN_FAILS,
	SESSION_SQL__MAX
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
	[SQL_LOGIN_USERS] =
	    "SELECT id, org_id, password_hash FROM users"
	    " WHERE user_name = ? AND active = 1 AND password_hash IS NOT NULL"
	    " UNION SELECT u.id, u.org_id, u.password_hash FROM user_emails e"
	    " JOIN users u ON u.id = e.user_id WHERE e.email = ?"
	    " AND e.user_active = 1 AND u.active = 1"
	    " AND u.password_hash IS NOT NULL ORDER BY id LIMIT 11",
	[SQL_LOGIN_USERS_ORG] =
	    "SELECT u.id, u.org_id, u.password_hash FROM users u"
	    " JOIN organizations o ON o.id = u.org_id WHERE o.slug = ?"
	    " AND u.user_name = ? AND u.active = 1"
	    " AND u.password_hash IS NOT NULL"
	    " UNION SELECT u.id, u.org_id, u.password_hash FROM user_emails e"
	    " JOIN users u ON u.id = e.user_id"
	    " JOIN organizations o ON o.id = u.org_id WHERE o.slug = ?"
	    " AND e.email = ? AND e.user_active = 1 AND u.active = 1"
	    " AND u.password_hash IS NOT NULL ORDER BY id LIMIT 11",
	[SQL_LOGIN_FAIL] =
	    "INSERT INTO rate_counters (scope, window_start, hits)"
	    " VALUES (?, ?, 1) ON DUPLICATE KEY UPDATE hits = hits + 1",
	[SQL_LOGIN_FAILS] =
	    "SELECT hits FROM rate_counters WHERE scope = ? AND window_start = ?",
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

/*
 * The CSRF token of a form shown to someone without a session (sign-in,
 * setting a password from a link) into tok, for its hidden csrf field:
 * a double-submit token, also set as a cookie, that
 * session_form_csrf_ok compares with the field.
 */
void
session_form_token(struct req *r, char tok[44])
{
	crypto_random_token(tok, 44);
	session_set_cookie(r, LOGIN_COOKIE, tok, 3600);
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

/*
 * The user whose password matches, by userName or any active address,
 * in the named organization or (none named) in any: id and org. A name
 * that more than LOGIN_MAX_CANDIDATES users of several organizations
 * share, none of the first matching, needs the organization
 * (LOGIN_ASK_ORG): each candidate costs an argon2id verification.
 */
static enum login_res
session_check_password(struct req *r, const struct login_form *f,
    long long *user, long long *org)
{
	struct db_rows	*rows = NULL;
	enum login_res	 res = LOGIN_WRONG;
	enum db_code	 code;
	size_t		 i;

	if (f->org != NULL)
		code = db_query(r->db, &rows, session_sql[SQL_LOGIN_USERS_ORG],
		    DB_PARAMS(DB_STR(f->org), DB_STR(f->login),
		    DB_STR(f->org), DB_STR(f->login)));
	else
		code = db_query(r->db, &rows, session_sql[SQL_LOGIN_USERS],
		    DB_PARAMS(DB_STR(f->login), DB_STR(f->login)));
	if (code != DB_OK) {
		db_rows_free(rows);
		return LOGIN_WRONG;
	}
	for (i = 0; i < rows->nrows && i < LOGIN_MAX_CANDIDATES &&
	    res != LOGIN_OK; i++)
		if (crypto_password_verify(db_cell(rows, i, 2), f->pw)) {
			*user = atoll(db_cell(rows, i, 0));
			*org = atoll(db_cell(rows, i, 1));
			res = LOGIN_OK;
		}
	if (res != LOGIN_OK && rows->nrows > LOGIN_MAX_CANDIDATES)
		res = LOGIN_ASK_ORG;
	db_rows_free(rows);
	return res;
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

/* The form's csrf field matches the token session_form_token set. */
int
session_form_csrf_ok(struct req *r)
{
	char	 cookie[64], *field = NULL;
	int	 ok;

	ok = session_cookie(r, LOGIN_COOKIE, cookie, sizeof(cookie)) &&
	    req_form_param(r, "csrf", &field) == 1 &&
	    strlen(field) == strlen(cookie) &&
	    crypto_equal(field, cookie, strlen(cookie));
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

/* Count a failed sign-in against the account and the address. */
static void
session_login_failed(struct req *r, const char *acct, const char *addr,
    long long window, const struct login_form *f)
{
	(void)db_exec(r->db, session_sql[SQL_LOGIN_FAIL],
	    DB_PARAMS(DB_STR(acct), DB_INT(window)));
	(void)db_exec(r->db, session_sql[SQL_LOGIN_FAIL],
	    DB_PARAMS(DB_STR(addr), DB_INT(window)));
	log_warn("console: failed sign-in for %s%s%s from %s", f->login,
	    f->org ? " in " : "", f->org ? f->org : "",
	    r->in.remote_addr ? r->in.remote_addr : "-");
}

/* POST /admin/login */
void
session_login_post(struct req *r)
{
	struct login_form f;
	char		 acct[340], addr[80];
	long long	 window = (long long)(time(NULL) / LOGIN_WINDOW *
			    LOGIN_WINDOW), user, org;
	enum login_res	 res;

	if (!session_form_csrf_ok(r)) {
		html_error_page(r, 403, "The sign-in form expired; reload it.");
		return;
	}
	if (!session_login_read(r, &f))
		goto out;
	snprintf(acct, sizeof(acct), "login:a:%s%s%s", f.org ? f.org : "",
	    f.org ? "/" : "", f.login);
	snprintf(addr, sizeof(addr), "login:i:%s",
	    r->in.remote_addr ? r->in.remote_addr : "-");
	for (char *p = acct; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	if (session_fails(r, acct, window) >= LOGIN_MAX_ACCOUNT ||
	    session_fails(r, addr, window) >= LOGIN_MAX_ADDRESS) {
		req_resp_header(r, "Retry-After", "900");
		session_form(r, "Too many failed sign-ins; wait 15 minutes.",
		    NULL, &f);
		r->out.status = 429;
		goto out;
	}
	if ((res = session_check_password(r, &f, &user, &org)) != LOGIN_OK) {
		session_login_failed(r, acct, addr, window, &f);
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
