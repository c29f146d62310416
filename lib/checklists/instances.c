/*
 * instances.c - checklist instances: the list of them, and completing
 * one (shared by the Integrations API and the console through
 * clinstances_complete_ids), with checklist.completed written in the
 * completing transaction. Every query is scoped by organization.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "checklists/checklists.h"

#define CL_NOTE_MAX	1000

/* An instance joined with its items, in item order. */
#define INST_ITEM_COLUMNS \
    "i.public_id, t.public_id, i.template_title, i.status, i.due_at," \
    " i.completed_at, i.completed_by, i.late, i.id," \
    " ii.public_id, ii.text, ii.required, ii.done"

enum clinstances_sql_id {
	SQL_INST_CURSOR, SQL_INST_PAGE, SQL_INST_ONE, SQL_INST_LOCK,
	SQL_INST_ITEMS_LOCK, SQL_INST_TICK, SQL_INST_COMPLETE,
	SQL_INST_COMPLETED, CLINSTANCES_SQL__MAX
};

static const char *const clinstances_sql[CLINSTANCES_SQL__MAX] = {
	/* where the page after a cursor starts: (due_at, id) */
	[SQL_INST_CURSOR] =
	    "SELECT due_at FROM checklist_instances"
	    " WHERE org_id = ? AND id = ?",
	/* One page (limit + 1 instances), oldest due first. */
	[SQL_INST_PAGE] =
	    "SELECT " INST_ITEM_COLUMNS " FROM (SELECT * FROM"
	    "  checklist_instances WHERE org_id = ?"
	    "  AND (? IS NULL OR status = ?)"
	    "  AND (? IS NULL OR due_at >= ?) AND (? IS NULL OR due_at < ?)"
	    "  AND (? IS NULL OR due_at > ? OR (due_at = ? AND id > ?))"
	    "  ORDER BY due_at, id LIMIT ?) i"
	    " JOIN checklist_templates t ON t.id = i.template_id"
	    "  AND t.org_id = i.org_id"
	    " LEFT JOIN checklist_instance_items ii ON ii.instance_id = i.id"
	    "  AND ii.org_id = i.org_id"
	    " ORDER BY i.due_at, i.id, ii.position",
	[SQL_INST_ONE] =
	    "SELECT " INST_ITEM_COLUMNS " FROM checklist_instances i"
	    " JOIN checklist_templates t ON t.id = i.template_id"
	    "  AND t.org_id = i.org_id"
	    " LEFT JOIN checklist_instance_items ii ON ii.instance_id = i.id"
	    "  AND ii.org_id = i.org_id"
	    " WHERE i.org_id = ? AND i.public_id = ? ORDER BY ii.position",
	[SQL_INST_LOCK] =
	    "SELECT id, status FROM checklist_instances"
	    " WHERE org_id = ? AND public_id = ? FOR UPDATE",
	[SQL_INST_ITEMS_LOCK] =
	    "SELECT public_id, text, required, done FROM checklist_instance_items"
	    " WHERE org_id = ? AND instance_id = ? ORDER BY position FOR UPDATE",
	[SQL_INST_TICK] =
	    "UPDATE checklist_instance_items SET done = 1"
	    " WHERE org_id = ? AND instance_id = ? AND public_id = ?",
	/* late first: MariaDB assigns left to right, and it reads the
	 * status before it becomes completed. Late: missed already, or
	 * past its grace before the worker marked it. */
	[SQL_INST_COMPLETE] =
	    "UPDATE checklist_instances SET late = (status = 'missed'"
	    "  OR grace_until < UTC_TIMESTAMP(3)),"
	    " status = 'completed', completed_at = UTC_TIMESTAMP(3),"
	    " completed_by = ?, note = ? WHERE org_id = ? AND id = ?",
	[SQL_INST_COMPLETED] =
	    "SELECT i.public_id, t.public_id, i.template_title, i.due_at,"
	    " i.completed_at, i.completed_by, i.late"
	    " FROM checklist_instances i JOIN checklist_templates t"
	    "  ON t.id = i.template_id AND t.org_id = i.org_id"
	    " WHERE i.org_id = ? AND i.id = ?",
};

const struct db_stmts clinstances_stmts = {
	"clinstances", clinstances_sql, CLINSTANCES_SQL__MAX, NULL, 0
};

enum inst_col {
	IC_ID, IC_TPL_ID, IC_TITLE, IC_STATUS, IC_DUE, IC_COMPLETED_AT,
	IC_COMPLETED_BY, IC_LATE, IC_ROWID, IC_ITEM_ID, IC_ITEM_TEXT,
	IC_ITEM_REQUIRED, IC_ITEM_DONE
};

/* --- the JSON shape ------------------------------------------------- */

static struct json_object *
clinstances_bool(const struct db_rows *rows, size_t i, size_t col)
{
	return json_object_new_boolean(strcmp(db_cell(rows, i, col), "1") == 0);
}

static struct json_object *
clinstances_head_json(const struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "id",
	    json_object_new_string(db_cell(rows, i, IC_ID)));
	json_object_object_add(o, "templateId",
	    json_object_new_string(db_cell(rows, i, IC_TPL_ID)));
	json_object_object_add(o, "templateTitle",
	    json_object_new_string(db_cell(rows, i, IC_TITLE)));
	json_object_object_add(o, "status",
	    json_object_new_string(db_cell(rows, i, IC_STATUS)));
	json_object_object_add(o, "dueDate",
	    json_time(db_cell(rows, i, IC_DUE)));
	json_object_object_add(o, "items", json_object_new_array());
	json_object_object_add(o, "completedAt",
	    json_time(db_cell(rows, i, IC_COMPLETED_AT)));
	json_put_str(o, "completedBy", db_cell(rows, i, IC_COMPLETED_BY));
	json_object_object_add(o, "late", clinstances_bool(rows, i, IC_LATE));
	return o;
}

static void
clinstances_add_item(struct json_object *inst, const struct db_rows *rows,
    size_t i)
{
	struct json_object	*items, *it;

	if (db_cell(rows, i, IC_ITEM_ID) == NULL)
		return;
	json_object_object_get_ex(inst, "items", &items);
	it = json_object_new_object();
	json_object_object_add(it, "id",
	    json_object_new_string(db_cell(rows, i, IC_ITEM_ID)));
	json_object_object_add(it, "text",
	    json_object_new_string(db_cell(rows, i, IC_ITEM_TEXT)));
	json_object_object_add(it, "required",
	    clinstances_bool(rows, i, IC_ITEM_REQUIRED));
	json_object_object_add(it, "done",
	    clinstances_bool(rows, i, IC_ITEM_DONE));
	json_object_array_add(items, it);
}

/* --- the list ------------------------------------------------------- */

/* The cursor's instance's due_at (24 bytes), so the page goes on after
 * (due_at, id); 0 after answering when it is not org's. */
static int
clinstances_cursor_due(struct req *r, long long after, char due[24])
{
	struct db_rows	*rows = NULL;
	int		 ok;

	if (db_query(r->db, &rows, clinstances_sql[SQL_INST_CURSOR], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_INT(after))) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		return 0;
	}
	if (!(ok = rows->nrows == 1))
		req_resp_error(r, 400, "invalid_query", "cursor: not a cursor "
		    "of this list");
	else
		snprintf(due, 24, "%s", db_cell(rows, 0, 0));
	db_rows_free(rows);
	return ok;
}

/* GET /api/integrations/v1/checklists/instances?status=&from=&to=:
 * oldest due first; from <= dueDate < to. */
void
clinstances_list(struct req *r)
{
	static const char *const statuses[] =
	    { "open", "completed", "missed", NULL };
	struct page		 pg;
	struct db_rows		*rows = NULL;
	struct json_object	*arr;
	char			*status = NULL, from[24], to[24], due[24];
	const char		*cur;
	int			 has_from, has_to;
	size_t			 n;
	long long		 last;

	if (!page_parse(r, &pg) || !query_enum(r, "status", statuses,
	    &status) || !query_time(r, "from", from, &has_from) ||
	    !query_time(r, "to", to, &has_to))
		goto out;
	if (pg.after_id > 0 && !clinstances_cursor_due(r, pg.after_id, due))
		goto out;
	cur = pg.after_id > 0 ? due : NULL;
	if (db_query(r->db, &rows, clinstances_sql[SQL_INST_PAGE], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_STR(status), DB_STR(status),
	    DB_STR(has_from ? from : NULL), DB_STR(has_from ? from : NULL),
	    DB_STR(has_to ? to : NULL), DB_STR(has_to ? to : NULL),
	    DB_STR(cur), DB_STR(cur), DB_STR(cur), DB_INT(pg.after_id),
	    DB_INT(pg.limit + 1))) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	arr = page_group_rows(rows, IC_ROWID, (size_t)pg.limit,
	    clinstances_head_json, clinstances_add_item, &n, &last);
	page_respond(r, arr, last, n > (size_t)pg.limit);
out:
	db_rows_free(rows);
	free(status);
}

/* --- completing ----------------------------------------------------- */

static int
clinstances_given(const char *const *done, size_t ndone, const char *id)
{
	size_t	 i;

	for (i = 0; i < ndone; i++)
		if (strcmp(done[i], id) == 0)
			return 1;
	return 0;
}

/* 1 when every done id is one of items (rows of SQL_INST_ITEMS_LOCK);
 * else why names it. */
static int
clinstances_known(const struct db_rows *items, const char *const *done,
    size_t ndone, char *why, size_t whysz)
{
	size_t	 i, j;

	for (i = 0; i < ndone; i++) {
		for (j = 0; j < items->nrows; j++)
			if (strcmp(db_cell(items, j, 0), done[i]) == 0)
				break;
		if (j == items->nrows) {
			snprintf(why, whysz, "items: %s is not an item of this "
			    "checklist", done[i]);
			return 0;
		}
	}
	return 1;
}

/* 1 when every required item is done already or given as done; else
 * why lists the missing ones (text and id). */
static int
clinstances_required_done(const struct db_rows *items,
    const char *const *done, size_t ndone, char *why, size_t whysz)
{
	size_t	 j, len;
	int	 missing = 0;

	len = (size_t)snprintf(why, whysz, "items: required items not done:");
	for (j = 0; j < items->nrows; j++) {
		if (strcmp(db_cell(items, j, 2), "1") != 0 ||
		    strcmp(db_cell(items, j, 3), "1") == 0 ||
		    clinstances_given(done, ndone, db_cell(items, j, 0)))
			continue;
		if (len < whysz)
			len += (size_t)snprintf(why + len, whysz - len,
			    "%s \"%s\" (%s)", missing ? "," : "",
			    db_cell(items, j, 1), db_cell(items, j, 0));
		missing++;
	}
	return missing == 0;
}

/* Write checklist.completed for instance rowid as it now stands. */
static enum db_code
clinstances_completed_event(struct db *db, long long org, long long rowid)
{
	struct db_rows		*rows = NULL;
	struct json_object	*p;
	enum db_code		 code;

	if ((code = db_query(db, &rows, clinstances_sql[SQL_INST_COMPLETED],
	    DB_PARAMS(DB_INT(org), DB_INT(rowid)))) != DB_OK)
		return code;
	if (rows->nrows != 1) {
		db_rows_free(rows);
		return DB_ERROR;
	}
	p = json_object_new_object();
	json_object_object_add(p, "checklistInstanceId",
	    json_object_new_string(db_cell(rows, 0, 0)));
	json_object_object_add(p, "templateId",
	    json_object_new_string(db_cell(rows, 0, 1)));
	json_object_object_add(p, "templateTitle",
	    json_object_new_string(db_cell(rows, 0, 2)));
	json_object_object_add(p, "dueDate", json_time(db_cell(rows, 0, 3)));
	json_object_object_add(p, "completedAt",
	    json_time(db_cell(rows, 0, 4)));
	json_object_object_add(p, "completedBy",
	    json_object_new_string(db_cell(rows, 0, 5)));
	json_object_object_add(p, "late", clinstances_bool(rows, 0, 6));
	db_rows_free(rows);
	return events_emit(db, org, EVENT_CHECKLIST_COMPLETED, p);
}

/* Tick the given items, complete instance rowid and write its event. */
static enum db_code
clinstances_write_completion(struct db *db, long long org, long long rowid,
    const char *const *done, size_t ndone, const char *actor,
    const char *note)
{
	enum db_code	 code;
	size_t		 i;

	for (i = 0; i < ndone; i++)
		if ((code = db_exec(db, clinstances_sql[SQL_INST_TICK],
		    DB_PARAMS(DB_INT(org), DB_INT(rowid), DB_STR(done[i])))) !=
		    DB_OK)
			return code;
	if ((code = db_exec(db, clinstances_sql[SQL_INST_COMPLETE], DB_PARAMS(
	    DB_STR(actor), DB_STR(note), DB_INT(org), DB_INT(rowid)))) != DB_OK)
		return code;
	return clinstances_completed_event(db, org, rowid);
}

/*
 * Complete instance id of org as actor, in the caller's transaction:
 * done the ids of the items ticked, note optional. All or nothing: 0
 * when completed (with checklist.completed); else nothing is written
 * and the HTTP status says why (400 an unknown item, 404, 409 completed
 * already, 422 required items not done, 503), why in words.
 */
int
clinstances_complete_ids(struct db *db, long long org, const char *id,
    const char *const *done, size_t ndone, const char *actor, const char *note,
    char *why, size_t whysz)
{
	struct db_rows	*inst = NULL, *items = NULL;
	long long	 rowid;
	int		 status = 503;

	snprintf(why, whysz, "database unavailable");
	if (note != NULL && util_utf8_chars(note) > CL_NOTE_MAX) {
		snprintf(why, whysz, "note: at most %d characters",
		    CL_NOTE_MAX);
		return 400;
	}
	if (db_query(db, &inst, clinstances_sql[SQL_INST_LOCK], DB_PARAMS(
	    DB_INT(org), DB_STR(id))) != DB_OK)
		goto out;
	if (inst->nrows == 0) {
		snprintf(why, whysz, "no checklist instance %s", id);
		status = 404;
		goto out;
	}
	if (strcmp(db_cell(inst, 0, 1), "completed") == 0) {
		snprintf(why, whysz, "checklist instance %s is completed "
		    "already", id);
		status = 409;
		goto out;
	}
	rowid = atoll(db_cell(inst, 0, 0));
	if (db_query(db, &items, clinstances_sql[SQL_INST_ITEMS_LOCK],
	    DB_PARAMS(DB_INT(org), DB_INT(rowid))) != DB_OK)
		goto out;
	if (!clinstances_known(items, done, ndone, why, whysz))
		status = 400;
	else if (!clinstances_required_done(items, done, ndone, why, whysz))
		status = 422;
	else if (clinstances_write_completion(db, org, rowid, done, ndone,
	    actor, note) == DB_OK)
		status = 0;
	else
		snprintf(why, whysz, "database unavailable");
out:
	db_rows_free(inst);
	db_rows_free(items);
	return status;
}

/* The ids of body's items marked done (borrowed from b); n of them. 0
 * after answering 400. */
static int
clinstances_read_items(struct req *r, struct json_object *b,
    const char ***done, size_t *n)
{
	struct json_object	*arr = valid_get(b, "items"), *o, *v;
	size_t			 i, len;
	const char		*id;
	int			 ok = 1;

	*done = NULL;
	*n = 0;
	if (arr == NULL || !json_object_is_type(arr, json_type_array) ||
	    (len = json_object_array_length(arr)) > CL_ITEMS_MAX) {
		req_resp_error(r, 400, "invalid_body", "items: expected an array "
		    "of at most %d items", CL_ITEMS_MAX);
		return 0;
	}
	if (len > 0 && (*done = calloc(len, sizeof(**done))) == NULL) {
		req_resp_error(r, 503, NULL, "out of memory");
		return 0;
	}
	for (i = 0; ok && i < len; i++) {
		o = json_object_array_get_idx(arr, i);
		snprintf(r->vprefix, sizeof(r->vprefix), "items[%zu].", i);
		if (!json_object_is_type(o, json_type_object)) {
			req_resp_error(r, 400, "invalid_body", "items[%zu]: "
			    "expected an object", i);
			ok = 0;
		} else if (!valid_string(r, o, "id", 1, 1, 64, &id))
			ok = 0;
		else if ((v = valid_get(o, "done")) == NULL ||
		    !json_object_is_type(v, json_type_boolean)) {
			req_resp_error(r, 400, "invalid_body", "items[%zu].done: "
			    "expected true or false", i);
			ok = 0;
		} else if (json_object_get_boolean(v))
			(*done)[(*n)++] = id;
	}
	r->vprefix[0] = '\0';
	return ok;
}

/* The instance public_id of org as {"data": …}, or NULL. */
static struct json_object *
clinstances_data(struct db *db, long long org, const char *id)
{
	struct db_rows		*rows = NULL;
	struct json_object	*arr, *o = NULL;
	size_t			 n;
	long long		 last;

	if (db_query(db, &rows, clinstances_sql[SQL_INST_ONE], DB_PARAMS(
	    DB_INT(org), DB_STR(id))) != DB_OK)
		return NULL;
	if (rows->nrows > 0) {
		arr = page_group_rows(rows, IC_ROWID, 1,
		    clinstances_head_json, clinstances_add_item, &n, &last);
		o = json_object_new_object();
		json_object_object_add(o, "data", json_object_get(
		    json_object_array_get_idx(arr, 0)));
		json_object_put(arr);
	}
	db_rows_free(rows);
	return o;
}

static const char *
clinstances_error_code(int status)
{
	switch (status) {
	case 400:
		return "invalid_body";
	case 409:
		return "already_completed";
	case 422:
		return "required_items_missing";
	default:
		return NULL;
	}
}

/* POST /api/integrations/v1/checklists/instances/{id}/complete
 * {items:[{id, done}], note?}: 200 with the instance; 400, 404, 409,
 * 422 with nothing written. */
void
clinstances_complete(struct req *r)
{
	struct json_object	*b, *o;
	const char		**done = NULL, *note;
	char			 actor[300], why[512];
	size_t			 n;
	int			 status;

	if ((b = req_json_body(r)) == NULL)
		return;
	if (!valid_object(r, b) || !clinstances_read_items(r, b, &done, &n) ||
	    !valid_string(r, b, "note", 0, 0, CL_NOTE_MAX, &note))
		goto out;
	principal_actor(&r->principal, actor, sizeof(actor));
	status = clinstances_complete_ids(r->db, r->principal.org_id,
	    r->args[0], done, n, actor, note, why, sizeof(why));
	if (status != 0)
		req_resp_error(r, status, clinstances_error_code(status), "%s",
		    why);
	else if ((o = clinstances_data(r->db, r->principal.org_id,
	    r->args[0])) == NULL)
		req_resp_error(r, 503, NULL, "database unavailable");
	else
		req_resp_json(r, 200, o);
out:
	free(done);
	json_object_put(b);
}
