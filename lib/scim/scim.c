/*
 * scim.c - SCIM 2.0 (RFC 7643/7644) for identity providers: /Users are
 * the organization's console users, /Groups map to console roles (a
 * group named Admins, Administrators or Mihwar Admins makes its members
 * admins; any other group grants member). A user made inactive or
 * deleted can no longer sign in, and their sessions end. Lists are
 * filtered in memory with scimfilter.c, so an organization's users are
 * read whole (fine for the hundreds a small business has).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <sodium.h>

#include "scim/scim.h"

#define SCHEMA_USER	"urn:ietf:params:scim:schemas:core:2.0:User"
#define SCHEMA_GROUP	"urn:ietf:params:scim:schemas:core:2.0:Group"
#define SCHEMA_LIST	"urn:ietf:params:scim:api:messages:2.0:ListResponse"
#define SCIM_MAX_COUNT	100

#define USER_COLS \
    "public_id, user_name, active, external_id, scim_json, version," \
    " created_at, updated_at, id"
enum scim_sql_id {
	SQL_USERS, SQL_USER, SQL_USER_INSERT, SQL_USER_UPDATE,
	SQL_USER_DELETE, SQL_USER_END_SESSIONS, SQL_GROUPS, SQL_GROUP,
	SQL_MEMBERS, SQL_GROUP_INSERT, SQL_GROUP_UPDATE, SQL_GROUP_DELETE,
	SQL_MEMBERS_CLEAR, SQL_MEMBER_ADD, SQL_ROLES, SCIM_SQL__MAX
};

static const char *const scim_sql[SCIM_SQL__MAX] = {
	[SQL_USERS] =
	    "SELECT " USER_COLS " FROM users WHERE org_id = ? ORDER BY id",
	[SQL_USER] =
	    "SELECT " USER_COLS " FROM users WHERE org_id = ? AND public_id = ?",
	[SQL_USER_INSERT] =
	    "INSERT INTO users (public_id, org_id, user_name, external_id, password_hash,"
	    " role, active, scim_json, scim_managed)"
	    " VALUES (?, ?, ?, ?, ?, 'member', ?, ?, 1)",
	[SQL_USER_UPDATE] =
	    "UPDATE users SET user_name = ?, external_id = ?, active = ?, scim_json = ?,"
	    " password_hash = COALESCE(?, password_hash), version = version + 1"
	    " WHERE id = ?",
	[SQL_USER_DELETE] =
	    "DELETE FROM users WHERE id = ?",
	[SQL_USER_END_SESSIONS] =
	    "DELETE FROM sessions WHERE user_id = ?",
	[SQL_GROUPS] =
	    "SELECT public_id, display_name, external_id, version, created_at,"
	    " updated_at, id FROM scim_groups WHERE org_id = ? ORDER BY id",
	[SQL_GROUP] =
	    "SELECT public_id, display_name, external_id, version, created_at,"
	    " updated_at, id FROM scim_groups WHERE org_id = ? AND public_id = ?",
	[SQL_MEMBERS] =
	    "SELECT m.group_id, u.public_id, u.user_name FROM scim_group_members m"
	    " JOIN scim_groups g ON g.id = m.group_id"
	    " JOIN users u ON u.id = m.user_id WHERE g.org_id = ? ORDER BY u.id",
	[SQL_GROUP_INSERT] =
	    "INSERT INTO scim_groups (public_id, org_id, display_name, external_id,"
	    " grants_role) VALUES (?, ?, ?, ?, ?)",
	[SQL_GROUP_UPDATE] =
	    "UPDATE scim_groups SET display_name = ?, external_id = ?,"
	    " grants_role = ?, version = version + 1 WHERE id = ?",
	[SQL_GROUP_DELETE] =
	    "DELETE FROM scim_groups WHERE id = ?",
	[SQL_MEMBERS_CLEAR] =
	    "DELETE FROM scim_group_members WHERE group_id = ?",
	[SQL_MEMBER_ADD] =
	    "INSERT IGNORE INTO scim_group_members (group_id, user_id)"
	    " SELECT ?, id FROM users WHERE org_id = ? AND public_id = ?",
	[SQL_ROLES] =
	    "UPDATE users u SET role = IF(EXISTS (SELECT 1 FROM scim_group_members m"
	    " JOIN scim_groups g ON g.id = m.group_id WHERE m.user_id = u.id"
	    " AND g.grants_role = 'admin'), 'admin', 'member')"
	    " WHERE u.org_id = ? AND u.scim_managed = 1",
};

const struct db_stmts scim_stmts = {
	"scim", scim_sql, SCIM_SQL__MAX, NULL, 0
};

enum ucol { UC_ID, UC_EMAIL, UC_ACTIVE, UC_EXT, UC_JSON, UC_VER, UC_CREATED,
    UC_UPDATED, UC_ROWID };
enum gcol { GC_ID, GC_NAME, GC_EXT, GC_VER, GC_CREATED, GC_UPDATED,
    GC_ROWID };

/* Answer a SCIM error; type is the scimType (or NULL). */
static void
scim_error(struct req *r, int status, const char *type, const char *detail)
{
	req_resp_error(r, status, type, "%s", detail);
}

/* "scimType:detail" from scimpatch.c as a 400. */
static void
scim_patch_error(struct req *r, const char *err)
{
	char	 type[32];
	size_t	 n = strcspn(err, ":");

	snprintf(type, sizeof(type), "%.*s", (int)(n < 31 ? n : 31), err);
	scim_error(r, 400, type, err[n] ? err + n + 1 : err);
}

static void
scim_location(const struct req *r, const char *kind, const char *id,
    char *out, size_t n)
{
	const char	*host = req_header(r, "host");

	snprintf(out, n, "%s://%s/api/scim/v2/%s/%s", r->in.https ? "https" :
	    "http", host ? host : "localhost", kind, id);
}

static struct json_object *
scim_meta(const struct req *r, const char *kind, const char *id,
    const char *created, const char *updated, const char *version)
{
	struct json_object	*m = json_object_new_object();
	char			 loc[512], ver[40];

	scim_location(r, kind, id, loc, sizeof(loc));
	snprintf(ver, sizeof(ver), "W/\"%s\"", version);
	json_object_object_add(m, "resourceType", json_object_new_string(
	    strcmp(kind, "Users") == 0 ? "User" : "Group"));
	json_object_object_add(m, "created", json_time(created));
	json_object_object_add(m, "lastModified", json_time(updated));
	json_object_object_add(m, "location", json_object_new_string(loc));
	json_object_object_add(m, "version", json_object_new_string(ver));
	return m;
}

/* The SCIM User resource of row i: the stored document plus the fields
 * Mihwar owns. */
static struct json_object *
scim_user_json(const struct req *r, const struct db_rows *u, size_t i)
{
	struct json_object	*o = NULL, *s;
	const char		*doc = db_cell(u, i, UC_JSON);

	if (doc == NULL || (o = json_tokener_parse(doc)) == NULL ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = json_object_new_object();
	}
	s = json_object_new_array();
	json_object_array_add(s, json_object_new_string(SCHEMA_USER));
	scimp_set(o, "schemas", s);
	scimp_set(o, "id", json_object_new_string(db_cell(u, i, UC_ID)));
	scimp_set(o, "userName", json_object_new_string(db_cell(u, i, UC_EMAIL)));
	scimp_set(o, "active", json_object_new_boolean(
	    strcmp(db_cell(u, i, UC_ACTIVE), "1") == 0));
	if (db_cell(u, i, UC_EXT))
		scimp_set(o, "externalId",
		    json_object_new_string(db_cell(u, i, UC_EXT)));
	scimp_set(o, "meta", scim_meta(r, "Users", db_cell(u, i, UC_ID),
	    db_cell(u, i, UC_CREATED), db_cell(u, i, UC_UPDATED),
	    db_cell(u, i, UC_VER)));
	return o;
}

/* Members of group row gid as SCIM {value, display, $ref}. */
static struct json_object *
scim_members_json(const struct req *r, const struct db_rows *m,
    const char *gid)
{
	struct json_object	*arr = json_object_new_array(), *o;
	char			 loc[512];
	size_t			 i;

	for (i = 0; m != NULL && i < m->nrows; i++) {
		if (strcmp(db_cell(m, i, 0), gid) != 0)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "value",
		    json_object_new_string(db_cell(m, i, 1)));
		json_object_object_add(o, "display",
		    json_object_new_string(db_cell(m, i, 2)));
		scim_location(r, "Users", db_cell(m, i, 1), loc, sizeof(loc));
		json_object_object_add(o, "$ref", json_object_new_string(loc));
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *
scim_group_json(const struct req *r, const struct db_rows *g, size_t i,
    const struct db_rows *members)
{
	struct json_object	*o = json_object_new_object(), *s;

	s = json_object_new_array();
	json_object_array_add(s, json_object_new_string(SCHEMA_GROUP));
	json_object_object_add(o, "schemas", s);
	json_object_object_add(o, "id", json_object_new_string(
	    db_cell(g, i, GC_ID)));
	json_object_object_add(o, "displayName", json_object_new_string(
	    db_cell(g, i, GC_NAME)));
	if (db_cell(g, i, GC_EXT))
		json_object_object_add(o, "externalId",
		    json_object_new_string(db_cell(g, i, GC_EXT)));
	json_object_object_add(o, "members", scim_members_json(r, members,
	    db_cell(g, i, GC_ROWID)));
	json_object_object_add(o, "meta", scim_meta(r, "Groups",
	    db_cell(g, i, GC_ID), db_cell(g, i, GC_CREATED),
	    db_cell(g, i, GC_UPDATED), db_cell(g, i, GC_VER)));
	return o;
}

/* Keep only (or drop) the named top-level attributes; id and schemas
 * always stay (RFC 7643 "returned always"). */
static void
scim_project(struct json_object *o, const char *list, int keep)
{
	char		 names[1024], *tok, *save = NULL, *dot;
	struct json_object *copy = json_object_new_object();
	int		 listed;

	json_object_object_foreach(o, k, v) {
		snprintf(names, sizeof(names), "%s", list);
		listed = 0;
		for (tok = strtok_r(names, ", ", &save); tok != NULL;
		    tok = strtok_r(NULL, ", ", &save)) {
			if (strncasecmp(tok, SCHEMA_USER ":", strlen(SCHEMA_USER) +
			    1) == 0)
				tok += strlen(SCHEMA_USER) + 1;
			if ((dot = strchr(tok, '.')) != NULL)
				*dot = '\0';
			if (strcasecmp(tok, k) == 0)
				listed = 1;
		}
		if (strcmp(k, "id") == 0 || strcmp(k, "schemas") == 0 ||
		    listed == keep)
			json_object_object_add(copy, k, json_object_get(v));
	}
	/* Replace o's members with copy's. */
	while (json_object_object_length(o) > 0) {
		json_object_object_foreach(o, k2, v2) {
			(void)v2;
			json_object_object_del(o, k2);
			break;
		}
	}
	json_object_object_foreach(copy, k3, v3)
		json_object_object_add(o, k3, json_object_get(v3));
	json_object_put(copy);
}

static int
scim_query_int(struct req *r, const char *name, long long def,
    long long *out)
{
	char		*v = NULL;
	long long	 n;

	*out = def;
	if (req_query_param(r->in.query, name, &v) < 0) {
		scim_error(r, 400, "invalidValue", "bad query encoding");
		return 0;
	}
	if (v != NULL && !util_strtonum(v, -1000000000, 1000000000, &n)) {
		free(v);
		scim_error(r, 400, "invalidValue", name);
		return 0;
	}
	if (v != NULL)
		*out = n;
	free(v);
	return 1;
}

/* Apply the request's attributes / excludedAttributes to o. */
static void
scim_project_req(struct req *r, struct json_object *o)
{
	char	*attrs = NULL, *excl = NULL;

	req_query_param(r->in.query, "attributes", &attrs);
	req_query_param(r->in.query, "excludedAttributes", &excl);
	if (attrs != NULL && *attrs != '\0')
		scim_project(o, attrs, 1);
	else if (excl != NULL && *excl != '\0')
		scim_project(o, excl, 0);
	free(attrs);
	free(excl);
}

/* Filter, page and project resources (consumed) into a ListResponse. */
static void
scim_list_respond(struct req *r, struct json_object *all)
{
	struct json_object	*o, *res, *el;
	struct scimf		*f = NULL;
	char			*filter = NULL, *attrs = NULL, *excl = NULL;
	char			 err[200];
	long long		 start, count, total = 0;
	size_t			 i;

	if (!scim_query_int(r, "startIndex", 1, &start) ||
	    !scim_query_int(r, "count", SCIM_MAX_COUNT, &count))
		goto out;
	start = start < 1 ? 1 : start;
	count = count < 0 ? 0 : count > SCIM_MAX_COUNT ? SCIM_MAX_COUNT : count;
	req_query_param(r->in.query, "filter", &filter);
	req_query_param(r->in.query, "attributes", &attrs);
	req_query_param(r->in.query, "excludedAttributes", &excl);
	if (filter != NULL && *filter != '\0' &&
	    (f = scimf_parse(filter, err, sizeof(err))) == NULL) {
		scim_error(r, 400, "invalidFilter", err);
		goto out;
	}
	res = json_object_new_array();
	for (i = 0; i < json_object_array_length(all); i++) {
		el = json_object_array_get_idx(all, i);
		if (f != NULL && !scimf_match(f, el))
			continue;
		if (++total < start || total >= start + count)
			continue;
		el = json_object_get(el);
		if (attrs != NULL && *attrs != '\0')
			scim_project(el, attrs, 1);
		else if (excl != NULL && *excl != '\0')
			scim_project(el, excl, 0);
		json_object_array_add(res, el);
	}
	o = json_object_new_object();
	el = json_object_new_array();
	json_object_array_add(el, json_object_new_string(SCHEMA_LIST));
	json_object_object_add(o, "schemas", el);
	json_object_object_add(o, "totalResults", json_object_new_int64(total));
	json_object_object_add(o, "itemsPerPage", json_object_new_int64(
	    (int64_t)json_object_array_length(res)));
	json_object_object_add(o, "startIndex", json_object_new_int64(start));
	json_object_object_add(o, "Resources", res);
	req_resp_json(r, 200, o);
out:
	scimf_free(f);
	free(filter);
	free(attrs);
	free(excl);
	json_object_put(all);
}

/* GET /api/scim/v2/Users */
void
scim_users_list(struct req *r)
{
	struct db_rows		*u = NULL;
	struct json_object	*all;
	size_t			 i;

	if (db_query(r->db, &u, scim_sql[SQL_USERS],
	    DB_PARAMS(DB_INT(r->principal.org_id))) != DB_OK) {
		db_rows_free(u);
		scim_error(r, 503, NULL, "database unavailable");
		return;
	}
	all = json_object_new_array();
	for (i = 0; i < u->nrows; i++)
		json_object_array_add(all, scim_user_json(r, u, i));
	db_rows_free(u);
	scim_list_respond(r, all);
}

/* The user row of {id}; NULL after answering 404/503. */
static struct db_rows *
scim_user_row(struct req *r)
{
	struct db_rows	*u = NULL;

	if (db_query(r->db, &u, scim_sql[SQL_USER],
	    DB_PARAMS(DB_INT(r->principal.org_id),
	    DB_STR(r->args[0]))) != DB_OK) {
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

static void
scim_user_answer(struct req *r, int status, const char *id)
{
	struct db_rows		*u = NULL;
	struct json_object	*o;
	char		 loc[512];

	if (db_query(r->db, &u, scim_sql[SQL_USER],
	    DB_PARAMS(DB_INT(r->principal.org_id),
	    DB_STR(id))) != DB_OK || u->nrows == 0) {
		db_rows_free(u);
		scim_error(r, 503, NULL, "database unavailable");
		return;
	}
	if (status == 201) {
		scim_location(r, "Users", id, loc, sizeof(loc));
		req_resp_header(r, "Location", loc);
	}
	o = scim_user_json(r, u, 0);
	scim_project_req(r, o);
	req_resp_json(r, status, o);
	db_rows_free(u);
}

/* GET /api/scim/v2/Users/{id} */
void
scim_user_get(struct req *r)
{
	struct db_rows	*u;

	if ((u = scim_user_row(r)) == NULL)
		return;
	db_rows_free(u);
	scim_user_answer(r, 200, r->args[0]);
}

struct scim_user_in {
	const char	*user_name, *external, *password;
	int		 active;	/* -1: not given */
	char		*doc;		/* the document to keep */
};

/* Read the fields Mihwar owns from a User document; 0 after a 400. */
static int
scim_user_read(struct req *r, struct json_object *b, struct scim_user_in *in)
{
	struct json_object	*v, *keep;

	memset(in, 0, sizeof(*in));
	in->active = -1;
	if (!json_object_is_type(b, json_type_object)) {
		scim_error(r, 400, "invalidSyntax", "expected a User object");
		return 0;
	}
	v = scimp_get(b, "userName");
	if (v == NULL || !json_object_is_type(v, json_type_string) ||
	    !users_email_valid(json_object_get_string(v))) {
		scim_error(r, 400, "invalidValue", "userName: an e-mail address "
		    "is required (it is the console sign-in)");
		return 0;
	}
	in->user_name = json_object_get_string(v);
	{
		char err[160];

		if (!scimp_shape_ok(b, err, sizeof(err))) {
			scim_error(r, 400, "invalidValue", err + strlen(
			    "invalidValue:"));
			return 0;
		}
	}
	if ((v = scimp_get(b, "externalId")) != NULL &&
	    json_object_is_type(v, json_type_string))
		in->external = json_object_get_string(v);
	if ((v = scimp_get(b, "password")) != NULL &&
	    json_object_is_type(v, json_type_string))
		in->password = json_object_get_string(v);
	if ((v = scimp_get(b, "active")) != NULL) {
		v = scimp_normalize(json_object_get(v));
		if (!json_object_is_type(v, json_type_boolean)) {
			json_object_put(v);
			scim_error(r, 400, "invalidValue", "active: true or false");
			return 0;
		}
		in->active = json_object_get_boolean(v);
		json_object_put(v);
	}
	keep = NULL;		/* json-c copies only into a NULL target */
	if (json_object_deep_copy(b, &keep, NULL) != 0) {
		scim_error(r, 503, NULL, "out of memory");
		return 0;
	}
	json_object_object_foreach(b, k, x) {
		(void)x;
		if (scimp_readonly(k) || strcasecmp(k, "password") == 0 ||
		    strcasecmp(k, "userName") == 0 || strcasecmp(k, "active") == 0 ||
		    strcasecmp(k, "externalId") == 0)
			json_object_object_del(keep, k);
	}
	in->doc = strdup(json_to_str(keep));
	json_object_put(keep);
	return 1;
}

/* argon2id hash of in->password into hash, or NULL when none. */
static const char *
scim_password(const struct scim_user_in *in, char hash[128])
{
	if (in->password == NULL || *in->password == '\0')
		return NULL;
	return crypto_password_hash(in->password, hash) ? hash : NULL;
}

/* POST /api/scim/v2/Users */
void
scim_users_create(struct req *r)
{
	struct json_object	*b;
	struct scim_user_in	 in;
	char			 id[37], hash[128];
	enum db_code		 code;

	if ((b = req_json_body(r)) == NULL)
		return;
	if (!scim_user_read(r, b, &in))
		goto out;
	crypto_uuid7(id);
	code = db_exec(r->db, scim_sql[SQL_USER_INSERT], DB_PARAMS(DB_STR(id),
	    DB_INT(r->principal.org_id), DB_STR(in.user_name), DB_STR(in.external),
	    DB_STR(scim_password(&in, hash)), DB_INT(in.active != 0),
	    DB_STR(in.doc)));
	sodium_memzero(hash, sizeof(hash));
	if (code == DB_CONSTRAINT)
		scim_error(r, 409, "uniqueness", "userName is already taken");
	else if (code != DB_OK)
		scim_error(r, 503, NULL, "database unavailable");
	else
		scim_user_answer(r, 201, id);
out:
	free(in.doc);
	json_object_put(b);
}

/* Write in over user rowid; ends the user's sessions when inactive. */
static void
scim_user_write(struct req *r, long long rowid, const struct scim_user_in *in,
    int active)
{
	char		 hash[128];
	enum db_code	 code;

	code = db_exec(r->db, scim_sql[SQL_USER_UPDATE],
	    DB_PARAMS(DB_STR(in->user_name),
	    DB_STR(in->external), DB_INT(active), DB_STR(in->doc),
	    DB_STR(scim_password(in, hash)), DB_INT(rowid)));
	sodium_memzero(hash, sizeof(hash));
	if (code == DB_OK && !active)
		code = db_exec(r->db, scim_sql[SQL_USER_END_SESSIONS],
		    DB_PARAMS(DB_INT(rowid)));
	if (code == DB_CONSTRAINT)
		scim_error(r, 409, "uniqueness", "userName is already taken");
	else if (code != DB_OK)
		scim_error(r, 503, NULL, "database unavailable");
	else
		scim_user_answer(r, 200, r->args[0]);
}

/* PUT /api/scim/v2/Users/{id}: replace (an omitted active is kept, as
 * Okta's PUT omits it). */
void
scim_user_put(struct req *r)
{
	struct json_object	*b;
	struct db_rows		*u;
	struct scim_user_in	 in;

	memset(&in, 0, sizeof(in));
	if ((b = req_json_body(r)) == NULL)
		return;
	if ((u = scim_user_row(r)) != NULL && scim_user_read(r, b, &in))
		scim_user_write(r, atoll(db_cell(u, 0, UC_ROWID)), &in,
		    in.active >= 0 ? in.active :
		    strcmp(db_cell(u, 0, UC_ACTIVE), "1") == 0);
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
	struct scim_user_in	 in;
	char			 err[240];

	memset(&in, 0, sizeof(in));
	if ((b = req_json_body(r)) == NULL)
		return;
	if ((u = scim_user_row(r)) == NULL)
		goto out;
	res = scim_user_json(r, u, 0);
	if (!scimp_apply(res, b, err, sizeof(err)))
		scim_patch_error(r, err);
	else if (scim_user_read(r, res, &in))
		scim_user_write(r, atoll(db_cell(u, 0, UC_ROWID)), &in,
		    in.active >= 0 ? in.active : 1);
	db_rows_free(u);
out:
	free(in.doc);
	json_object_put(res);
	json_object_put(b);
}

/* DELETE /api/scim/v2/Users/{id}: gone, sessions and memberships too. */
void
scim_user_delete(struct req *r)
{
	struct db_rows	*u;

	if ((u = scim_user_row(r)) == NULL)
		return;
	if (db_exec(r->db, scim_sql[SQL_USER_DELETE], DB_PARAMS(DB_INT(atoll(
	    db_cell(u, 0, UC_ROWID))))) != DB_OK)
		scim_error(r, 503, NULL, "database unavailable");
	else {
		r->out.status = 204;
		r->out.content_type = NULL;
	}
	db_rows_free(u);
}

/* The role a group's name grants (the documented mapping). */
static const char *
scim_group_role(const char *name)
{
	return strcasecmp(name, "admins") == 0 ||
	    strcasecmp(name, "administrators") == 0 ||
	    strcasecmp(name, "admin") == 0 ||
	    strcasecmp(name, "mihwar admins") == 0 ? "admin" : "member";
}

static struct db_rows *
scim_members(struct req *r)
{
	struct db_rows	*m = NULL;

	if (db_query(r->db, &m, scim_sql[SQL_MEMBERS], DB_PARAMS(DB_INT(
	    r->principal.org_id))) != DB_OK) {
		db_rows_free(m);
		return NULL;
	}
	return m;
}

/* GET /api/scim/v2/Groups */
void
scim_groups_list(struct req *r)
{
	struct db_rows		*g = NULL, *m;
	struct json_object	*all;
	size_t			 i;

	if (db_query(r->db, &g, scim_sql[SQL_GROUPS],
	    DB_PARAMS(DB_INT(r->principal.org_id))) !=
	    DB_OK || (m = scim_members(r)) == NULL) {
		db_rows_free(g);
		scim_error(r, 503, NULL, "database unavailable");
		return;
	}
	all = json_object_new_array();
	for (i = 0; i < g->nrows; i++)
		json_object_array_add(all, scim_group_json(r, g, i, m));
	db_rows_free(g);
	db_rows_free(m);
	scim_list_respond(r, all);
}

static struct db_rows *
scim_group_row(struct req *r, const char *id)
{
	struct db_rows	*g = NULL;

	if (db_query(r->db, &g, scim_sql[SQL_GROUP],
	    DB_PARAMS(DB_INT(r->principal.org_id), DB_STR(id))) != DB_OK) {
		db_rows_free(g);
		scim_error(r, 503, NULL, "database unavailable");
		return NULL;
	}
	if (g->nrows == 0) {
		db_rows_free(g);
		scim_error(r, 404, NULL, "no such Group");
		return NULL;
	}
	return g;
}

static void
scim_group_answer(struct req *r, int status, const char *id)
{
	struct db_rows		*g, *m;
	struct json_object	*o;
	char		 loc[512];

	if ((g = scim_group_row(r, id)) == NULL)
		return;
	if ((m = scim_members(r)) == NULL) {
		db_rows_free(g);
		scim_error(r, 503, NULL, "database unavailable");
		return;
	}
	if (status == 201) {
		scim_location(r, "Groups", id, loc, sizeof(loc));
		req_resp_header(r, "Location", loc);
	}
	o = scim_group_json(r, g, 0, m);
	scim_project_req(r, o);
	req_resp_json(r, status, o);
	db_rows_free(g);
	db_rows_free(m);
}

/* GET /api/scim/v2/Groups/{id} */
void
scim_group_get(struct req *r)
{
	scim_group_answer(r, 200, r->args[0]);
}

/* Replace group rowid's members with doc's (inside the transaction). */
static int
scim_group_members_set(struct req *r, long long rowid, struct json_object *doc)
{
	struct json_object	*arr = scimp_get(doc, "members"), *v;
	size_t			 i;

	if (db_exec(r->db, scim_sql[SQL_MEMBERS_CLEAR],
	    DB_PARAMS(DB_INT(rowid))) != DB_OK)
		return 0;
	for (i = 0; arr != NULL && json_object_is_type(arr, json_type_array) &&
	    i < json_object_array_length(arr); i++) {
		v = scimp_get(json_object_array_get_idx(arr, i), "value");
		if (v == NULL || !json_object_is_type(v, json_type_string)) {
			scim_error(r, 400, "invalidValue", "members[].value: a "
			    "User id");
			return 0;
		}
		if (db_exec(r->db, scim_sql[SQL_MEMBER_ADD],
		    DB_PARAMS(DB_INT(rowid),
		    DB_INT(r->principal.org_id), DB_STR(json_object_get_string(v)))) !=
		    DB_OK)
			return 0;
	}
	return db_exec(r->db, scim_sql[SQL_ROLES],
	    DB_PARAMS(DB_INT(r->principal.org_id))) == DB_OK;
}

/* Write doc (displayName, externalId, members) as group rowid (0: new). */
static void
scim_group_write(struct req *r, long long rowid, struct json_object *doc,
    int status)
{
	struct json_object	*n = scimp_get(doc, "displayName");
	struct json_object	*x = scimp_get(doc, "externalId");
	const char		*name, *ext;
	char			 id[37];
	enum db_code		 code;

	if (n == NULL || !json_object_is_type(n, json_type_string) ||
	    *(name = json_object_get_string(n)) == '\0' || strlen(name) > 255) {
		scim_error(r, 400, "invalidValue", "displayName is required");
		return;
	}
	ext = x && json_object_is_type(x, json_type_string) ?
	    json_object_get_string(x) : NULL;
	if (rowid == 0) {
		crypto_uuid7(id);
		code = db_exec(r->db, scim_sql[SQL_GROUP_INSERT],
		    DB_PARAMS(DB_STR(id),
		    DB_INT(r->principal.org_id), DB_STR(name), DB_STR(ext),
		    DB_STR(scim_group_role(name))));
		rowid = (long long)db_insert_id(r->db);
	} else {
		snprintf(id, sizeof(id), "%s", r->args[0]);
		code = db_exec(r->db, scim_sql[SQL_GROUP_UPDATE],
		    DB_PARAMS(DB_STR(name),
		    DB_STR(ext), DB_STR(scim_group_role(name)), DB_INT(rowid)));
	}
	if (code == DB_CONSTRAINT) {
		scim_error(r, 409, "uniqueness", "displayName is already taken");
		return;
	}
	if (code != DB_OK || !scim_group_members_set(r, rowid, doc)) {
		if (r->out.status == 0)
			goto fail;
		return;
	}
	scim_group_answer(r, status, id);
	return;
fail:
	scim_error(r, 503, NULL, "database unavailable");
}

/* POST /api/scim/v2/Groups */
void
scim_groups_create(struct req *r)
{
	struct json_object	*b;

	if ((b = req_json_body(r)) == NULL)
		return;
	if (!json_object_is_type(b, json_type_object))
		scim_error(r, 400, "invalidSyntax", "expected a Group object");
	else
		scim_group_write(r, 0, b, 201);
	json_object_put(b);
}

/* PUT /api/scim/v2/Groups/{id} */
void
scim_group_put(struct req *r)
{
	struct json_object	*b;
	struct db_rows		*g;

	if ((b = req_json_body(r)) == NULL)
		return;
	if ((g = scim_group_row(r, r->args[0])) != NULL)
		scim_group_write(r, atoll(db_cell(g, 0, GC_ROWID)), b, 200);
	db_rows_free(g);
	json_object_put(b);
}

/* PATCH /api/scim/v2/Groups/{id}: members added and removed, too. */
void
scim_group_patch(struct req *r)
{
	struct json_object	*b, *res = NULL;
	struct db_rows		*g, *m = NULL;
	char			 err[240];

	if ((b = req_json_body(r)) == NULL)
		return;
	if ((g = scim_group_row(r, r->args[0])) == NULL)
		goto out;
	if ((m = scim_members(r)) == NULL) {
		scim_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	res = scim_group_json(r, g, 0, m);
	if (!scimp_apply(res, b, err, sizeof(err)))
		scim_patch_error(r, err);
	else
		scim_group_write(r, atoll(db_cell(g, 0, GC_ROWID)), res, 200);
out:
	db_rows_free(g);
	db_rows_free(m);
	json_object_put(res);
	json_object_put(b);
}

/* DELETE /api/scim/v2/Groups/{id} */
void
scim_group_delete(struct req *r)
{
	struct db_rows	*g;

	if ((g = scim_group_row(r, r->args[0])) == NULL)
		return;
	if (db_exec(r->db, scim_sql[SQL_GROUP_DELETE], DB_PARAMS(DB_INT(atoll(
	    db_cell(g, 0, GC_ROWID))))) != DB_OK ||
	    db_exec(r->db, scim_sql[SQL_ROLES],
	    DB_PARAMS(DB_INT(r->principal.org_id))) != DB_OK)
		scim_error(r, 503, NULL, "database unavailable");
	else {
		r->out.status = 204;
		r->out.content_type = NULL;
	}
	db_rows_free(g);
}

static const char scim_spc[] =
    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:"
    "ServiceProviderConfig\"],"
    "\"documentationUri\":\"/openapi.yaml\","
    "\"patch\":{\"supported\":true},"
    "\"bulk\":{\"supported\":false,\"maxOperations\":0,"
    "\"maxPayloadSize\":0},"
    "\"filter\":{\"supported\":true,\"maxResults\":100},"
    "\"changePassword\":{\"supported\":true},"
    "\"sort\":{\"supported\":false},"
    "\"etag\":{\"supported\":false},"
    "\"authenticationSchemes\":[{\"type\":\"oauthbearertoken\","
    "\"name\":\"OAuth Bearer Token\",\"description\":"
    "\"A scim_live_ key made in the console or with mihwarctl\","
    "\"primary\":true}],"
    "\"meta\":{\"resourceType\":\"ServiceProviderConfig\","
    "\"location\":\"/api/scim/v2/ServiceProviderConfig\"}}";

static const char scim_types[] =
    "[{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:ResourceType\"],"
    "\"id\":\"User\",\"name\":\"User\",\"endpoint\":\"/Users\","
    "\"description\":\"Console users of the organization\","
    "\"schema\":\"" SCHEMA_USER "\",\"schemaExtensions\":[],"
    "\"meta\":{\"resourceType\":\"ResourceType\","
    "\"location\":\"/api/scim/v2/ResourceTypes/User\"}},"
    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:ResourceType\"],"
    "\"id\":\"Group\",\"name\":\"Group\",\"endpoint\":\"/Groups\","
    "\"description\":\"Groups; Admins grants the admin role\","
    "\"schema\":\"" SCHEMA_GROUP "\",\"schemaExtensions\":[],"
    "\"meta\":{\"resourceType\":\"ResourceType\","
    "\"location\":\"/api/scim/v2/ResourceTypes/Group\"}}]";

#define ATTR(n, t, mv, req, mut, ret, uniq) \
    "{\"name\":\"" n "\",\"type\":\"" t "\",\"multiValued\":" mv \
    ",\"required\":" req ",\"caseExact\":false,\"mutability\":\"" \
    mut "\",\"returned\":\"" ret "\",\"uniqueness\":\"" uniq "\"}"

static const char scim_schemas[] =
    "[{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Schema\"],"
    "\"id\":\"" SCHEMA_USER "\",\"name\":\"User\","
    "\"description\":\"User Account\",\"attributes\":["
    ATTR("userName", "string", "false", "true", "readWrite", "default",
    "server") ","
    ATTR("name", "complex", "false", "false", "readWrite", "default",
    "none") ","
    ATTR("displayName", "string", "false", "false", "readWrite", "default",
    "none") ","
    ATTR("emails", "complex", "true", "false", "readWrite", "default",
    "none") ","
    ATTR("active", "boolean", "false", "false", "readWrite", "default",
    "none") ","
    ATTR("password", "string", "false", "false", "writeOnly", "never",
    "none") ","
    ATTR("externalId", "string", "false", "false", "readWrite", "default",
    "none") "],"
    "\"meta\":{\"resourceType\":\"Schema\","
    "\"location\":\"/api/scim/v2/Schemas/" SCHEMA_USER "\"}},"
    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Schema\"],"
    "\"id\":\"" SCHEMA_GROUP "\",\"name\":\"Group\","
    "\"description\":\"Group\",\"attributes\":["
    ATTR("displayName", "string", "false", "true", "readWrite", "default",
    "server") ","
    ATTR("members", "complex", "true", "false", "readWrite", "default",
    "none") ","
    ATTR("externalId", "string", "false", "false", "readWrite", "default",
    "none") "],"
    "\"meta\":{\"resourceType\":\"Schema\","
    "\"location\":\"/api/scim/v2/Schemas/" SCHEMA_GROUP "\"}}]";

/* A ListResponse of the resources in a constant JSON array text. */
static void
scim_static_list(struct req *r, const char *text)
{
	struct json_object	*o = json_object_new_object(), *s;
	struct json_object	*arr = json_tokener_parse(text);
	int64_t			 n = (int64_t)json_object_array_length(arr);

	s = json_object_new_array();
	json_object_array_add(s, json_object_new_string(SCHEMA_LIST));
	json_object_object_add(o, "schemas", s);
	json_object_object_add(o, "totalResults", json_object_new_int64(n));
	json_object_object_add(o, "itemsPerPage", json_object_new_int64(n));
	json_object_object_add(o, "startIndex", json_object_new_int64(1));
	json_object_object_add(o, "Resources", arr);
	req_resp_json(r, 200, o);
}

/* One resource of a constant list by id, or 404. */
static void
scim_static_one(struct req *r, const char *text)
{
	struct json_object	*arr = json_tokener_parse(text), *el;
	size_t			 i;

	for (i = 0; i < json_object_array_length(arr); i++) {
		el = json_object_array_get_idx(arr, i);
		if (strcmp(json_object_get_string(json_object_object_get(el,
		    "id")), r->args[0]) == 0) {
			req_resp_json(r, 200, json_object_get(el));
			json_object_put(arr);
			return;
		}
	}
	json_object_put(arr);
	scim_error(r, 404, NULL, "no such resource");
}

/* GET /api/scim/v2/ServiceProviderConfig */
void
scim_spc_get(struct req *r)
{
	req_resp_json(r, 200, json_tokener_parse(scim_spc));
}

/* GET /api/scim/v2/ResourceTypes and /ResourceTypes/{id} */
void
scim_types_list(struct req *r)
{
	scim_static_list(r, scim_types);
}

void
scim_type_get(struct req *r)
{
	scim_static_one(r, scim_types);
}

/* GET /api/scim/v2/Schemas and /Schemas/{id} */
void
scim_schemas_list(struct req *r)
{
	scim_static_list(r, scim_schemas);
}

void
scim_schema_get(struct req *r)
{
	scim_static_one(r, scim_schemas);
}
