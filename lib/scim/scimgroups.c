/*
 * scimgroups.c - SCIM /Groups, which map to console roles: a group named
 * Admins, Administrators, Admin or Mihwar Admins makes its members
 * admins; any other group grants member. A change locks the group's row
 * first, so concurrent PATCHes of one group's members apply one after
 * the other instead of each rewriting the list it read.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "scim/scim.h"

#define GROUP_COLS \
    "public_id, display_name, external_id, version, created_at," \
    " updated_at, id"
enum scimg_sql_id {
	SQL_GROUPS, SQL_GROUP, SQL_GROUP_LOCK, SQL_MEMBERS, SQL_GROUP_MEMBERS,
	SQL_GROUP_INSERT, SQL_GROUP_UPDATE, SQL_GROUP_DELETE,
	SQL_MEMBERS_CLEAR, SQL_MEMBER_ADD, SQL_ROLES, SCIMG_SQL__MAX
};

static const char *const scimg_sql[SCIMG_SQL__MAX] = {
	[SQL_GROUPS] =
	    "SELECT " GROUP_COLS " FROM scim_groups WHERE org_id = ? ORDER BY id",
	[SQL_GROUP] =
	    "SELECT " GROUP_COLS " FROM scim_groups WHERE org_id = ?"
	    " AND public_id = ?",
	[SQL_GROUP_LOCK] =
	    "SELECT " GROUP_COLS " FROM scim_groups WHERE org_id = ?"
	    " AND public_id = ? FOR UPDATE",
	[SQL_MEMBERS] =
	    "SELECT m.group_id, u.public_id, u.user_name FROM scim_group_members m"
	    " JOIN scim_groups g ON g.id = m.group_id"
	    " JOIN users u ON u.id = m.user_id WHERE g.org_id = ? ORDER BY u.id",
	[SQL_GROUP_MEMBERS] =
	    "SELECT m.group_id, u.public_id, u.user_name FROM scim_group_members m"
	    " JOIN users u ON u.id = m.user_id WHERE m.group_id = ?"
	    " AND u.org_id = ? ORDER BY u.id",
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

const struct db_stmts scimg_stmts = {
	"scimgroups", scimg_sql, SCIMG_SQL__MAX, NULL, 0
};

enum gcol { GC_ID, GC_NAME, GC_EXT, GC_VER, GC_CREATED, GC_UPDATED,
    GC_ROWID };

/* Members of group row gid as SCIM {value, display, $ref}. */
static struct json_object *
scimg_members_json(const struct req *r, const struct db_rows *m,
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
scimg_json(const struct req *r, const struct db_rows *g, size_t i,
    const struct db_rows *members)
{
	struct json_object	*o = json_object_new_object(), *s;

	s = json_object_new_array();
	json_object_array_add(s, json_object_new_string(SCIM_SCHEMA_GROUP));
	json_object_object_add(o, "schemas", s);
	json_object_object_add(o, "id", json_object_new_string(
	    db_cell(g, i, GC_ID)));
	json_object_object_add(o, "displayName", json_object_new_string(
	    db_cell(g, i, GC_NAME)));
	if (db_cell(g, i, GC_EXT))
		json_object_object_add(o, "externalId",
		    json_object_new_string(db_cell(g, i, GC_EXT)));
	json_object_object_add(o, "members", scimg_members_json(r, members,
	    db_cell(g, i, GC_ROWID)));
	json_object_object_add(o, "meta", scim_meta(r, "Groups",
	    db_cell(g, i, GC_ID), db_cell(g, i, GC_CREATED),
	    db_cell(g, i, GC_UPDATED), db_cell(g, i, GC_VER)));
	return o;
}

/* The role a group's name grants (the documented mapping). */
static const char *
scimg_role(const char *name)
{
	return strcasecmp(name, "admins") == 0 ||
	    strcasecmp(name, "administrators") == 0 ||
	    strcasecmp(name, "admin") == 0 ||
	    strcasecmp(name, "mihwar admins") == 0 ? "admin" : "member";
}

/* The members of group row gid; NULL after answering 503. */
static struct db_rows *
scimg_members(struct req *r, const char *gid)
{
	struct db_rows	*m = NULL;

	if (db_query(r->db, &m, scimg_sql[SQL_GROUP_MEMBERS], DB_PARAMS(
	    DB_INT(atoll(gid)), DB_INT(r->principal.org_id))) != DB_OK) {
		db_rows_free(m);
		scim_error(r, 503, NULL, "database unavailable");
		return NULL;
	}
	return m;
}

/* GET /api/scim/v2/Groups and POST /api/scim/v2/Groups/.search */
void
scim_groups_list(struct req *r)
{
	struct db_rows		*g = NULL, *m = NULL;
	struct json_object	*all;
	struct scim_listq	 q;
	size_t			 i;

	if (!scim_listq_read(r, &q))
		goto out;
	if (db_query(r->db, &g, scimg_sql[SQL_GROUPS],
	    DB_PARAMS(DB_INT(r->principal.org_id))) != DB_OK ||
	    db_query(r->db, &m, scimg_sql[SQL_MEMBERS],
	    DB_PARAMS(DB_INT(r->principal.org_id))) != DB_OK) {
		scim_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	all = json_object_new_array();
	for (i = 0; i < g->nrows; i++)
		json_object_array_add(all, scimg_json(r, g, i, m));
	scim_list_all(r, &q, all);
out:
	db_rows_free(g);
	db_rows_free(m);
	scim_listq_cleanup(&q);
}

/* The group row of id (locked for a change when lock); NULL after
 * answering 404/503. */
static struct db_rows *
scimg_row(struct req *r, const char *id, int lock)
{
	struct db_rows	*g = NULL;

	if (db_query(r->db, &g, scimg_sql[lock ? SQL_GROUP_LOCK : SQL_GROUP],
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

/* Answer group id as it now is (201 with Location after a create). */
static void
scimg_answer(struct req *r, int status, const char *id)
{
	struct db_rows	*g, *m;
	char		 loc[512];

	if ((g = scimg_row(r, id, 0)) == NULL)
		return;
	if (status == 200 && strcmp(r->in.method, "GET") == 0 &&
	    scim_not_modified(r, db_cell(g, 0, GC_VER))) {
		db_rows_free(g);
		return;
	}
	if ((m = scimg_members(r, db_cell(g, 0, GC_ROWID))) == NULL) {
		db_rows_free(g);
		return;
	}
	if (status == 201) {
		scim_location(r, "Groups", id, loc, sizeof(loc));
		req_resp_header(r, "Location", loc);
	}
	scim_resource_send(r, status, scimg_json(r, g, 0, m),
	    db_cell(g, 0, GC_VER));
	db_rows_free(g);
	db_rows_free(m);
}

/* GET /api/scim/v2/Groups/{id} */
void
scim_group_get(struct req *r)
{
	scimg_answer(r, 200, r->args[0]);
}

/* Replace group rowid's members with doc's (inside the transaction). */
static int
scimg_members_set(struct req *r, long long rowid, struct json_object *doc)
{
	struct json_object	*arr = scimp_get(doc, "members"), *v;
	size_t			 i;

	if (db_exec(r->db, scimg_sql[SQL_MEMBERS_CLEAR],
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
		if (db_exec(r->db, scimg_sql[SQL_MEMBER_ADD],
		    DB_PARAMS(DB_INT(rowid), DB_INT(r->principal.org_id),
		    DB_STR(json_object_get_string(v)))) != DB_OK)
			return 0;
	}
	return db_exec(r->db, scimg_sql[SQL_ROLES],
	    DB_PARAMS(DB_INT(r->principal.org_id))) == DB_OK;
}

/* Write doc (displayName, externalId, members) as group rowid (0: new). */
static void
scimg_write(struct req *r, long long rowid, struct json_object *doc,
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
		code = db_exec(r->db, scimg_sql[SQL_GROUP_INSERT],
		    DB_PARAMS(DB_STR(id), DB_INT(r->principal.org_id),
		    DB_STR(name), DB_STR(ext), DB_STR(scimg_role(name))));
		rowid = (long long)db_insert_id(r->db);
	} else {
		snprintf(id, sizeof(id), "%s", r->args[0]);
		code = db_exec(r->db, scimg_sql[SQL_GROUP_UPDATE],
		    DB_PARAMS(DB_STR(name), DB_STR(ext),
		    DB_STR(scimg_role(name)), DB_INT(rowid)));
	}
	if (code == DB_CONSTRAINT) {
		scim_error(r, 409, "uniqueness", "displayName is already taken");
		return;
	}
	if (code != DB_OK || !scimg_members_set(r, rowid, doc)) {
		if (r->out.status == 0)
			scim_error(r, 503, NULL, "database unavailable");
		return;
	}
	scimg_answer(r, status, id);
}

/* POST /api/scim/v2/Groups */
void
scim_groups_create(struct req *r)
{
	struct json_object	*b;

	if ((b = req_json_body(r)) == NULL)
		return;
	b = scimp_canon(b);
	if (!json_object_is_type(b, json_type_object))
		scim_error(r, 400, "invalidSyntax", "expected a Group object");
	else
		scimg_write(r, 0, b, 201);
	json_object_put(b);
}

/* The group of {id} locked for a change, after If-Match; NULL after an
 * answer. */
static struct db_rows *
scimg_row_for_change(struct req *r)
{
	struct db_rows	*g;

	if ((g = scimg_row(r, r->args[0], 1)) != NULL &&
	    !scim_etag_matches(r, db_cell(g, 0, GC_VER))) {
		db_rows_free(g);
		return NULL;
	}
	return g;
}

/* PUT /api/scim/v2/Groups/{id} */
void
scim_group_put(struct req *r)
{
	struct json_object	*b;
	struct db_rows		*g;

	if ((b = req_json_body(r)) == NULL)
		return;
	b = scimp_canon(b);
	if (!json_object_is_type(b, json_type_object))
		scim_error(r, 400, "invalidSyntax", "expected a Group object");
	else if ((g = scimg_row_for_change(r)) != NULL) {
		scimg_write(r, atoll(db_cell(g, 0, GC_ROWID)), b, 200);
		db_rows_free(g);
	}
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
	if ((g = scimg_row_for_change(r)) == NULL ||
	    (m = scimg_members(r, db_cell(g, 0, GC_ROWID))) == NULL)
		goto out;
	res = scimg_json(r, g, 0, m);
	if (!scimp_apply(res, b, err, sizeof(err)))
		scim_patch_error(r, err);
	else {
		res = scimp_canon(res);
		scimg_write(r, atoll(db_cell(g, 0, GC_ROWID)), res, 200);
	}
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

	if ((g = scimg_row_for_change(r)) == NULL)
		return;
	if (db_exec(r->db, scimg_sql[SQL_GROUP_DELETE], DB_PARAMS(DB_INT(atoll(
	    db_cell(g, 0, GC_ROWID))))) != DB_OK ||
	    db_exec(r->db, scimg_sql[SQL_ROLES],
	    DB_PARAMS(DB_INT(r->principal.org_id))) != DB_OK)
		scim_error(r, 503, NULL, "database unavailable");
	else {
		r->out.status = 204;
		r->out.content_type = NULL;
	}
	db_rows_free(g);
}
