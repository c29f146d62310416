/*
 * scimusers.c - SCIM /Users: the organization's console users. userName
 * is any non-empty string (unique per organization without regard to
 * case); the addresses in emails are kept in user_emails too, for
 * sign-in and for lookups. The document a client sent is kept (minus
 * password), keys in the schema's case, so attributes Mihwar does not
 * model — the enterprise extension's among them — come back as given.
 * A password (any case, bare or fully qualified) must meet the policy
 * of every path (users_password_ok); it is kept only as its argon2id
 * hash, never returned, and writing one ends the user's sessions.
 *
 * Lists rest on an index: the filter's userName, externalId, id or
 * emails.value eq, or active eq, narrows the rows in SQL and the whole
 * filter is then evaluated on those, a batch at a time. An unfiltered
 * list (or active eq / active pr alone) is paged in SQL, so a page deep
 * in the directory reads only that page.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <sodium.h>

#include "scim/scim.h"

#define SCAN_BATCH	500	/* rows evaluated in memory at a time */
#define MAX_EMAILS	16

#define USER_COLS \
    "public_id, user_name, active, external_id, scim_json, version," \
    " created_at, updated_at, id, display_name," \
    " (SELECT GROUP_CONCAT(email ORDER BY is_primary DESC, email" \
    " SEPARATOR ' ') FROM user_emails e WHERE e.user_id = users.id)"
enum ucol { UC_ID, UC_NAME, UC_ACTIVE, UC_EXT, UC_JSON, UC_VER, UC_CREATED,
    UC_UPDATED, UC_ROWID, UC_DISPLAY, UC_EMAILS };

/* The indexed term of each anchor (scimf_anchor), one bound value. */
#define W_ALL		"1 = ?"
#define W_USERNAME	"user_name = ?"
#define W_EXTERNALID	"external_id = ?"
#define W_ID		"public_id = ?"
#define W_EMAIL		"id IN (SELECT e.user_id FROM user_emails e" \
			" WHERE e.org_id = users.org_id AND e.email = ?)"
#define W_ACTIVE	"active = ?"
/* Rows after an id, a batch; one page by offset (the ids found in the
 * index first, then only those rows read). */
#define SCAN(w)	"SELECT " USER_COLS " FROM users WHERE org_id = ? AND " w \
		" AND id > ? ORDER BY id LIMIT ?"
#define PAGE(w)	"SELECT " USER_COLS " FROM (SELECT id AS pid FROM users" \
		" WHERE org_id = ? AND " w " ORDER BY id LIMIT ? OFFSET ?) p" \
		" JOIN users ON users.id = p.pid ORDER BY users.id"
#define BY_ANCHOR(base, m) \
	[base + SCIMF_ALL] = m(W_ALL), \
	[base + SCIMF_USERNAME] = m(W_USERNAME), \
	[base + SCIMF_EXTERNALID] = m(W_EXTERNALID), \
	[base + SCIMF_ID] = m(W_ID), \
	[base + SCIMF_EMAIL] = m(W_EMAIL), \
	[base + SCIMF_ACTIVE] = m(W_ACTIVE)

enum scimu_sql_id {
	SQL_USER, SQL_USER_LOCK, SQL_USER_INSERT, SQL_USER_UPDATE,
	SQL_USER_DELETE, SQL_USER_HASH,
	SQL_SCAN, SQL_PAGE = SQL_SCAN + SCIMF_ANCHOR__MAX,
	SCIMU_SQL__MAX = SQL_PAGE + SCIMF_ANCHOR__MAX
};

static const char *const scimu_sql[SCIMU_SQL__MAX] = {
	[SQL_USER] =
	    "SELECT " USER_COLS " FROM users WHERE org_id = ? AND public_id = ?",
	[SQL_USER_LOCK] =
	    "SELECT " USER_COLS " FROM users WHERE org_id = ? AND public_id = ?"
	    " FOR UPDATE",
	[SQL_USER_INSERT] =
	    "INSERT INTO users (public_id, org_id, user_name, display_name,"
	    " external_id, password_hash, role, active, scim_json, scim_managed)"
	    " VALUES (?, ?, ?, ?, ?, ?, 'member', ?, ?, 1)",
	[SQL_USER_UPDATE] =
	    "UPDATE users SET user_name = ?, display_name = ?, external_id = ?,"
	    " active = ?, scim_json = ?, password_hash = COALESCE(?,"
	    " password_hash), version = version + 1 WHERE id = ?",
	[SQL_USER_HASH] =
	    "SELECT password_hash FROM users WHERE id = ?",
	[SQL_USER_DELETE] =
	    "DELETE FROM users WHERE id = ?",
	BY_ANCHOR(SQL_SCAN, SCAN),
	BY_ANCHOR(SQL_PAGE, PAGE),
};

const struct db_stmts scimu_stmts = {
	"scimusers", scimu_sql, SCIMU_SQL__MAX, NULL, 0
};

/* emails from the user_emails column (space-separated, primary first),
 * for users whose document has none (made in the console). */
static struct json_object *
scimu_emails_json(const char *list)
{
	struct json_object	*arr = json_object_new_array(), *e;
	size_t			 n;
	int			 first = 1;

	while (list != NULL && *list != '\0') {
		n = strcspn(list, " ");
		e = json_object_new_object();
		json_object_object_add(e, "value",
		    json_object_new_string_len(list, (int)n));
		json_object_object_add(e, "type", json_object_new_string("work"));
		json_object_object_add(e, "primary",
		    json_object_new_boolean(first));
		json_object_array_add(arr, e);
		first = 0;
		list += n + (list[n] == ' ');
	}
	return arr;
}

/* The SCIM User resource of row i: the stored document plus the fields
 * Mihwar owns, in the schema's case. */
static struct json_object *
scimu_json(const struct req *r, const struct db_rows *u, size_t i)
{
	struct json_object	*o = NULL, *s;
	const char		*doc = db_cell(u, i, UC_JSON);

	if (doc == NULL || (o = json_tokener_parse(doc)) == NULL ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = json_object_new_object();
	}
	o = scimp_canon(o);	/* documents stored before issue 9 */
	/* Write-only (RFC 7643 returned "never"): a document stored before
	 * issue 16 may still hold one under a fully qualified name. */
	json_object_object_del(o, "password");
	s = json_object_new_array();
	json_object_array_add(s, json_object_new_string(SCIM_SCHEMA_USER));
	if (json_object_object_get_ex(o, SCIM_SCHEMA_ENTERPRISE, NULL))
		json_object_array_add(s,
		    json_object_new_string(SCIM_SCHEMA_ENTERPRISE));
	json_object_object_add(o, "schemas", s);
	json_object_object_add(o, "id",
	    json_object_new_string(db_cell(u, i, UC_ID)));
	json_object_object_add(o, "userName",
	    json_object_new_string(db_cell(u, i, UC_NAME)));
	json_object_object_add(o, "active", json_object_new_boolean(
	    strcmp(db_cell(u, i, UC_ACTIVE), "1") == 0));
	if (db_cell(u, i, UC_EXT))
		json_object_object_add(o, "externalId",
		    json_object_new_string(db_cell(u, i, UC_EXT)));
	if (!json_object_object_get_ex(o, "displayName", NULL) &&
	    db_cell(u, i, UC_DISPLAY))
		json_object_object_add(o, "displayName",
		    json_object_new_string(db_cell(u, i, UC_DISPLAY)));
	if (!json_object_object_get_ex(o, "emails", NULL) &&
	    db_cell(u, i, UC_EMAILS))
		json_object_object_add(o, "emails",
		    scimu_emails_json(db_cell(u, i, UC_EMAILS)));
	json_object_object_add(o, "meta", scim_meta(r, "Users",
	    db_cell(u, i, UC_ID), db_cell(u, i, UC_CREATED),
	    db_cell(u, i, UC_UPDATED), db_cell(u, i, UC_VER)));
	return o;
}

/* --- lists --- */

/* Append row i's resource to res when it falls on the page. */
static void
scimu_page_add(const struct req *r, const struct scim_listq *q,
    struct json_object *res, const struct db_rows *u, size_t i)
{
	struct json_object	*o = scimu_json(r, u, i);

	scim_project_q(q, o);
	json_object_array_add(res, o);
}

/* The filter is the anchor alone and exact (active, or none): the
 * organization's counts are the total, and the page is read in SQL. */
static int
scimu_list_paged(struct req *r, const struct scim_listq *q,
    enum scimf_anchor a, const char *value, struct json_object *res,
    long long *total)
{
	struct db_rows	*u = NULL;
	long long	 all, active;
	size_t		 i;
	int		 ok = 0;

	if (users_counts(r->db, r->principal.org_id, &all, &active) != DB_OK)
		goto out;
	*total = a == SCIMF_ALL ? all : strcmp(value, "1") == 0 ? active :
	    all - active;
	if (q->count > 0 && q->start <= *total) {
		if (db_query(r->db, &u, scimu_sql[SQL_PAGE + a], DB_PARAMS(
		    DB_INT(r->principal.org_id), DB_STR(value),
		    DB_INT(q->count), DB_INT(q->start - 1))) != DB_OK)
			goto out;
		for (i = 0; i < u->nrows; i++)
			scimu_page_add(r, q, res, u, i);
	}
	ok = 1;
out:
	db_rows_free(u);
	return ok;
}

/* Evaluate the filter on the rows the anchor selects, a batch at a
 * time, keeping only the page. */
static int
scimu_list_scanned(struct req *r, const struct scim_listq *q,
    enum scimf_anchor a, const char *value, struct json_object *res,
    long long *total)
{
	struct db_rows		*u = NULL;
	struct json_object	*o;
	long long		 after = 0;
	size_t			 i, n;

	do {
		if (db_query(r->db, &u, scimu_sql[SQL_SCAN + a], DB_PARAMS(
		    DB_INT(r->principal.org_id), DB_STR(value), DB_INT(after),
		    DB_INT(SCAN_BATCH))) != DB_OK) {
			db_rows_free(u);
			return 0;
		}
		for (i = 0; i < u->nrows; i++) {
			o = scimu_json(r, u, i);
			if (q->f == NULL || scimf_match(q->f, o)) {
				++*total;
				if (*total >= q->start && *total < q->start +
				    q->count && json_object_array_length(res) <
				    (size_t)q->count) {
					scim_project_q(q, o);
					json_object_array_add(res, o);
					o = NULL;
				}
			}
			json_object_put(o);
		}
		n = u->nrows;
		if (n > 0)
			after = atoll(db_cell(u, n - 1, UC_ROWID));
		db_rows_free(u);
		u = NULL;
	} while (n == SCAN_BATCH);
	return 1;
}

/* GET /api/scim/v2/Users and POST /api/scim/v2/Users/.search */
void
scim_users_list(struct req *r)
{
	struct scim_listq	 q;
	struct json_object	*res;
	enum scimf_anchor	 a;
	const char		*value;
	long long		 total = 0;
	int			 whole, ok;

	if (!scim_listq_read(r, &q)) {
		scim_listq_cleanup(&q);
		return;
	}
	a = scimf_anchor(q.f, &value, &whole);
	res = json_object_new_array();
	if (whole && (a == SCIMF_ALL || a == SCIMF_ACTIVE))
		ok = scimu_list_paged(r, &q, a, value ? value : "1", res,
		    &total);
	else
		ok = scimu_list_scanned(r, &q, a, value ? value : "1", res,
		    &total);
	if (ok)
		scim_list_send(r, &q, res, total);
	else {
		json_object_put(res);
		scim_error(r, 503, NULL, "database unavailable");
	}
	scim_listq_cleanup(&q);
}

/* --- one user --- */

/* The user row of {id} (locked for a change when lock); NULL after
 * answering 404/503. */
static struct db_rows *
scimu_row(struct req *r, const char *id, int lock)
{
	struct db_rows	*u = NULL;

	if (db_query(r->db, &u, scimu_sql[lock ? SQL_USER_LOCK : SQL_USER],
	    DB_PARAMS(DB_INT(r->principal.org_id), DB_STR(id))) != DB_OK) {
		db_rows_free(u);
		scim_error(r, 503, NULL, "database unavailable");
		return NULL;
	}
	if (u->nrows == 0) {
		db_rows_free(u);
		scim_error(r, 404, NULL, "no such User");
		return NULL;
	}
	return u;
}

static int
scimu_was_active(const struct db_rows *u)
{
	return strcmp(db_cell(u, 0, UC_ACTIVE), "1") == 0;
}

/* The user of {id} locked for a change, after If-Match. */
static struct db_rows *
scimu_row_for_change(struct req *r)
{
	struct db_rows	*u;

	if ((u = scimu_row(r, r->args[0], 1)) != NULL &&
	    !scim_etag_matches(r, db_cell(u, 0, UC_VER))) {
		db_rows_free(u);
		return NULL;
	}
	return u;
}

/* Answer user id as it now is (201 with Location after a create). */
static void
scimu_answer(struct req *r, int status, const char *id)
{
	struct db_rows	*u;
	char		 loc[512];

	if ((u = scimu_row(r, id, 0)) == NULL)
		return;
	if (status == 200 && strcmp(r->in.method, "GET") == 0 &&
	    scim_not_modified(r, db_cell(u, 0, UC_VER))) {
		db_rows_free(u);
		return;
	}
	if (status == 201) {
		scim_location(r, "Users", id, loc, sizeof(loc));
		req_resp_header(r, "Location", loc);
	}
	scim_resource_send(r, status, scimu_json(r, u, 0),
	    db_cell(u, 0, UC_VER));
	db_rows_free(u);
}

/* GET /api/scim/v2/Users/{id} */
void
scim_user_get(struct req *r)
{
	scimu_answer(r, 200, r->args[0]);
}

/* What a User document says of the fields Mihwar keeps in columns. */
struct scimu_in {
	const char	*user_name, *external, *password, *display;
	char		 display_buf[256];
	int		 active;	/* -1: not given */
	struct user_email emails[MAX_EMAILS];
	size_t		 nemails;
	char		*doc;		/* the document to keep */
};

/* The name shown in the console: displayName, name.formatted, or the
 * given and family names. */
static void
scimu_display(struct json_object *b, struct scimu_in *in)
{
	struct json_object	*v = scimp_get(b, "displayName"), *n, *g, *f;

	in->display = NULL;
	if (v != NULL && json_object_is_type(v, json_type_string)) {
		in->display = json_object_get_string(v);
	} else if ((n = scimp_get(b, "name")) != NULL) {
		v = scimp_get(n, "formatted");
		g = scimp_get(n, "givenName");
		f = scimp_get(n, "familyName");
		if (v != NULL && json_object_is_type(v, json_type_string))
			in->display = json_object_get_string(v);
		else if (g != NULL || f != NULL) {
			snprintf(in->display_buf, sizeof(in->display_buf),
			    "%s%s%s", g ? json_object_get_string(g) : "",
			    g && f ? " " : "", f ? json_object_get_string(f) :
			    "");
			in->display = in->display_buf;
		}
	}
	if (in->display != NULL && strlen(in->display) > 255) {
		size_t cut = 255;	/* the column's size, at a character */

		while (cut > 0 &&
		    ((unsigned char)in->display[cut] & 0xC0) == 0x80)
			cut--;
		memcpy(in->display_buf, in->display, cut);
		in->display_buf[cut] = '\0';
		in->display = in->display_buf;
	}
}

/* emails[].value, type and primary; 0 after a 400. */
static int
scimu_emails(struct req *r, struct json_object *b, struct scimu_in *in)
{
	struct json_object	*arr = scimp_get(b, "emails"), *e, *v, *t, *p;
	size_t			 i;

	for (i = 0; arr != NULL && i < json_object_array_length(arr); i++) {
		e = json_object_array_get_idx(arr, i);
		v = scimp_get(e, "value");
		t = scimp_get(e, "type");
		p = scimp_get(e, "primary");
		if (i >= MAX_EMAILS) {
			req_resp_error(r, 400, "invalidValue", "emails: at most "
			    "%d addresses", MAX_EMAILS);
			return 0;
		}
		if (v == NULL || !json_object_is_type(v, json_type_string) ||
		    !users_email_valid(json_object_get_string(v))) {
			req_resp_error(r, 400, "invalidValue", "emails[%zu].value:"
			    " an e-mail address is required", i);
			return 0;
		}
		in->emails[in->nemails].value = json_object_get_string(v);
		in->emails[in->nemails].type = t != NULL &&
		    json_object_is_type(t, json_type_string) &&
		    strlen(json_object_get_string(t)) <= 32 ?
		    json_object_get_string(t) : NULL;
		in->emails[in->nemails++].primary = p != NULL &&
		    json_object_get_boolean(p);
	}
	return 1;
}

/* The document to keep: b without what lives in columns or is never
 * stored (password) or the server's (id, meta, schemas). */
static int
scimu_doc(struct req *r, struct json_object *b, struct scimu_in *in)
{
	struct json_object	*keep = NULL;

	if (json_object_deep_copy(b, &keep, NULL) != 0) {
		scim_error(r, 503, NULL, "out of memory");
		return 0;
	}
	json_object_object_foreach(b, k, x) {
		(void)x;
		if (scimp_readonly(k) || strcmp(k, "password") == 0 ||
		    strcmp(k, "userName") == 0 || strcmp(k, "active") == 0 ||
		    strcmp(k, "externalId") == 0)
			json_object_object_del(keep, k);
	}
	in->doc = strdup(json_to_str(keep));
	json_object_put(keep);
	return 1;
}

/* Read a User document (keys already in the schema's case); 0 after a
 * 400. */
static int
scimu_read(struct req *r, struct json_object *b, struct scimu_in *in)
{
	struct json_object	*v;
	char			 err[160];

	memset(in, 0, sizeof(*in));
	in->active = -1;
	if (!json_object_is_type(b, json_type_object)) {
		scim_error(r, 400, "invalidSyntax", "expected a User object");
		return 0;
	}
	v = json_object_object_get(b, "userName");
	if (v == NULL || !json_object_is_type(v, json_type_string) ||
	    !users_name_valid(json_object_get_string(v))) {
		scim_error(r, 400, "invalidValue", "userName: a non-empty string "
		    "of at most 255 bytes, without control characters");
		return 0;
	}
	in->user_name = json_object_get_string(v);
	if (!scimp_shape_ok(b, err, sizeof(err))) {
		scim_error(r, 400, "invalidValue", err + strlen("invalidValue:"));
		return 0;
	}
	if ((v = json_object_object_get(b, "externalId")) != NULL) {
		if (!json_object_is_type(v, json_type_string) ||
		    strlen(json_object_get_string(v)) > 255) {
			scim_error(r, 400, "invalidValue", "externalId: a string "
			    "of at most 255 bytes");
			return 0;
		}
		in->external = json_object_get_string(v);
	}
	/* null is no password given (RFC 7643 §2.5: unassigned). */
	if ((v = json_object_object_get(b, "password")) != NULL) {
		if (!json_object_is_type(v, json_type_string) ||
		    !users_password_ok(json_object_get_string(v))) {
			scim_error(r, 400, "invalidValue", "password: "
			    USERS_PASSWORD_RULE);
			return 0;
		}
		in->password = json_object_get_string(v);
	}
	if ((v = json_object_object_get(b, "active")) != NULL) {
		if (!json_object_is_type(v, json_type_boolean)) {
			scim_error(r, 400, "invalidValue", "active: true or false");
			return 0;
		}
		in->active = json_object_get_boolean(v);
	}
	scimu_display(b, in);
	return scimu_emails(r, b, in) && scimu_doc(r, b, in);
}

/* argon2id hash of in->password into hash, or NULL when none. */
static const char *
scimu_password(const struct scimu_in *in, char hash[128])
{
	if (in->password == NULL)
		return NULL;
	return crypto_password_hash(in->password, hash) ? hash : NULL;
}

/* The 409 of a unique key: the userName's, or an address's. */
static void
scimu_conflict(struct req *r, int on_emails)
{
	scim_error(r, 409, "uniqueness", on_emails ? "emails: an address "
	    "belongs to another active user of the organization" :
	    "userName is already taken");
}

/* The user's addresses and, when inactive, the end of their sessions. */
static enum db_code
scimu_emails_write(struct req *r, long long rowid, const struct scimu_in *in,
    int active)
{
	enum db_code	 code;

	code = users_emails_set(r->db, r->principal.org_id, rowid, active,
	    in->emails, in->nemails);
	if (code == DB_OK && !active)
		code = users_active_sync(r->db, r->principal.org_id, rowid, 0);
	return code;
}

/* POST /api/scim/v2/Users */
void
scim_users_create(struct req *r)
{
	struct json_object	*b;
	struct scimu_in		 in;
	char			 id[37], hash[128];
	enum db_code		 code;
	int			 active;

	if ((b = req_json_body(r)) == NULL)
		return;
	b = scimp_canon(b);
	if (!scimu_read(r, b, &in))
		goto out;
	active = in.active != 0;
	crypto_uuid7(id);
	code = db_exec(r->db, scimu_sql[SQL_USER_INSERT], DB_PARAMS(DB_STR(id),
	    DB_INT(r->principal.org_id), DB_STR(in.user_name),
	    DB_STR(in.display), DB_STR(in.external),
	    DB_STR(scimu_password(&in, hash)), DB_INT(active), DB_STR(in.doc)));
	sodium_memzero(hash, sizeof(hash));
	if (code == DB_CONSTRAINT) {
		scimu_conflict(r, 0);
		goto out;
	}
	if (code == DB_OK)
		code = scimu_emails_write(r, (long long)db_insert_id(r->db), &in,
		    active);
	if (code == DB_OK)
		code = users_count_add(r->db, r->principal.org_id, 1, active);
	if (code == DB_CONSTRAINT)
		scimu_conflict(r, 1);
	else if (code != DB_OK)
		scim_error(r, 503, NULL, "database unavailable");
	else
		scimu_answer(r, 201, id);
out:
	free(in.doc);
	json_object_put(b);
}

/* 1 when user rowid's password already is pw: identity providers that
 * sync passwords send it again on every PUT, and that must neither
 * rehash it nor end the user's sessions. */
static int
scimu_password_same(struct req *r, long long rowid, const char *pw)
{
	struct db_rows	*h = NULL;
	int		 same;

	same = db_query(r->db, &h, scimu_sql[SQL_USER_HASH],
	    DB_PARAMS(DB_INT(rowid))) == DB_OK && h->nrows == 1 &&
	    db_cell(h, 0, 0) != NULL &&
	    crypto_password_verify(db_cell(h, 0, 0), pw);
	db_rows_free(h);
	return same;
}

/* Write in over user rowid (locked; was_active: as it was). */
static void
scimu_write(struct req *r, long long rowid, struct scimu_in *in,
    int was_active, int active)
{
	char		 hash[128];
	enum db_code	 code;

	if (in->password != NULL && scimu_password_same(r, rowid, in->password))
		in->password = NULL;
	code = db_exec(r->db, scimu_sql[SQL_USER_UPDATE],
	    DB_PARAMS(DB_STR(in->user_name), DB_STR(in->display),
	    DB_STR(in->external), DB_INT(active), DB_STR(in->doc),
	    DB_STR(scimu_password(in, hash)), DB_INT(rowid)));
	sodium_memzero(hash, sizeof(hash));
	if (code == DB_CONSTRAINT) {
		scimu_conflict(r, 0);
		return;
	}
	if (code == DB_OK)
		code = scimu_emails_write(r, rowid, in, active);
	/* A new password ends every session of the user: the client holds
	 * no session, so none of them is "the one that changed it". */
	if (code == DB_OK && in->password != NULL)
		code = users_password_changed(r->db, r->principal.org_id, rowid);
	if (code == DB_OK)
		code = users_count_add(r->db, r->principal.org_id, 0,
		    active - was_active);
	if (code == DB_CONSTRAINT)
		scimu_conflict(r, 1);
	else if (code != DB_OK)
		scim_error(r, 503, NULL, "database unavailable");
	else
		scimu_answer(r, 200, r->args[0]);
}

/* PUT /api/scim/v2/Users/{id}: replace (an omitted active is kept, as
 * Okta's PUT omits it). */
void
scim_user_put(struct req *r)
{
	struct json_object	*b;
	struct db_rows		*u = NULL;
	struct scimu_in		 in;

	memset(&in, 0, sizeof(in));
	if ((b = req_json_body(r)) == NULL)
		return;
	b = scimp_canon(b);
	if (scimu_read(r, b, &in) && (u = scimu_row_for_change(r)) != NULL)
		scimu_write(r, atoll(db_cell(u, 0, UC_ROWID)), &in,
		    scimu_was_active(u), in.active >= 0 ? in.active :
		    scimu_was_active(u));
	db_rows_free(u);
	free(in.doc);
	json_object_put(b);
}

/* PATCH /api/scim/v2/Users/{id} */
void
scim_user_patch(struct req *r)
{
	struct json_object	*b, *res = NULL;
	struct db_rows		*u;
	struct scimu_in		 in;
	char			 err[240];

	memset(&in, 0, sizeof(in));
	if ((b = req_json_body(r)) == NULL)
		return;
	if ((u = scimu_row_for_change(r)) == NULL)
		goto out;
	res = scimu_json(r, u, 0);
	if (!scimp_apply(res, b, err, sizeof(err)))
		scim_patch_error(r, err);
	else {
		res = scimp_canon(res);	/* names a PATCH path introduced */
		if (scimu_read(r, res, &in))
			scimu_write(r, atoll(db_cell(u, 0, UC_ROWID)), &in,
			    scimu_was_active(u), in.active >= 0 ? in.active :
			    1);
	}
	db_rows_free(u);
out:
	free(in.doc);
	json_object_put(res);
	json_object_put(b);
}

/* DELETE /api/scim/v2/Users/{id}: gone, with its addresses, sessions,
 * links and memberships (ON DELETE CASCADE). */
void
scim_user_delete(struct req *r)
{
	struct db_rows	*u;

	if ((u = scimu_row_for_change(r)) == NULL)
		return;
	if (db_exec(r->db, scimu_sql[SQL_USER_DELETE], DB_PARAMS(DB_INT(atoll(
	    db_cell(u, 0, UC_ROWID))))) != DB_OK ||
	    users_count_add(r->db, r->principal.org_id, -1,
	    -scimu_was_active(u)) != DB_OK)
		scim_error(r, 503, NULL, "database unavailable");
	else {
		r->out.status = 204;
		r->out.content_type = NULL;
	}
	db_rows_free(u);
}
