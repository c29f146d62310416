/*
 * templates.c - checklist templates: the routines an organization runs
 * on a daily or weekly schedule in its time zone. The writes are shared
 * by the Integrations API and the console (cltemplates_write,
 * cltemplates_set_active, cltemplates_remove); every query is scoped by
 * organization. A change drops the template's open instances still
 * ahead, so the scheduler remakes them by the new schedule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "checklists/checklists.h"

#define TPL_COLUMNS \
    "t.public_id, t.title, t.schedule_kind, t.weekdays, t.due_time," \
    " t.due_after_minutes, t.active, o.timezone, t.created_at," \
    " t.updated_at, t.id"

/* A template's rows joined with its items, in item order. */
#define TPL_ITEM_COLUMNS \
    TPL_COLUMNS ", ti.public_id, ti.text, ti.required"

enum cltemplates_sql_id {
	SQL_TPL_INSERT, SQL_TPL_LOCK, SQL_TPL_UPDATE, SQL_TPL_SET_ACTIVE,
	SQL_TPL_REMOVE, SQL_TPL_ITEMS_OF, SQL_TPL_ITEMS_DELETE,
	SQL_TPL_ITEM_INSERT, SQL_TPL_DROP_AHEAD_ITEMS, SQL_TPL_DROP_AHEAD,
	SQL_TPL_ONE, SQL_TPL_PAGE, CLTEMPLATES_SQL__MAX
};

static const char *const cltemplates_sql[CLTEMPLATES_SQL__MAX] = {
	[SQL_TPL_INSERT] =
	    "INSERT INTO checklist_templates (public_id, org_id, title,"
	    " schedule_kind, weekdays, due_time, due_after_minutes, active)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[SQL_TPL_LOCK] =
	    "SELECT id, active FROM checklist_templates"
	    " WHERE org_id = ? AND public_id = ? AND deleted_at IS NULL"
	    " FOR UPDATE",
	[SQL_TPL_UPDATE] =
	    "UPDATE checklist_templates SET title = ?, schedule_kind = ?,"
	    " weekdays = ?, due_time = ?, due_after_minutes = ?, active = ?,"
	    " updated_at = CURRENT_TIMESTAMP(3) WHERE org_id = ? AND id = ?",
	[SQL_TPL_SET_ACTIVE] =
	    "UPDATE checklist_templates SET active = ?,"
	    " updated_at = CURRENT_TIMESTAMP(3) WHERE org_id = ? AND id = ?",
	[SQL_TPL_REMOVE] =
	    "UPDATE checklist_templates SET deleted_at = CURRENT_TIMESTAMP(3),"
	    " active = 0 WHERE org_id = ? AND id = ?",
	[SQL_TPL_ITEMS_OF] =
	    "SELECT text, required FROM checklist_template_items"
	    " WHERE org_id = ? AND template_id = ? ORDER BY position",
	[SQL_TPL_ITEMS_DELETE] =
	    "DELETE FROM checklist_template_items"
	    " WHERE org_id = ? AND template_id = ?",
	[SQL_TPL_ITEM_INSERT] =
	    "INSERT INTO checklist_template_items (public_id, template_id,"
	    " org_id, position, text, required) VALUES (?, ?, ?, ?, ?, ?)",
	/* Open instances still ahead: nobody has done them, and their
	 * items and times were copied from what is being changed. */
	[SQL_TPL_DROP_AHEAD_ITEMS] =
	    "DELETE ii FROM checklist_instance_items ii"
	    " JOIN checklist_instances i ON i.id = ii.instance_id"
	    " WHERE i.org_id = ? AND ii.org_id = i.org_id"
	    " AND i.template_id = ? AND i.status = 'open'"
	    " AND i.due_at > UTC_TIMESTAMP(3)",
	[SQL_TPL_DROP_AHEAD] =
	    "DELETE FROM checklist_instances WHERE org_id = ?"
	    " AND template_id = ? AND status = 'open'"
	    " AND due_at > UTC_TIMESTAMP(3)",
	[SQL_TPL_ONE] =
	    "SELECT " TPL_ITEM_COLUMNS " FROM checklist_templates t"
	    " JOIN organizations o ON o.id = t.org_id"
	    " LEFT JOIN checklist_template_items ti ON ti.template_id = t.id"
	    "  AND ti.org_id = t.org_id"
	    " WHERE t.org_id = ? AND t.public_id = ? AND t.deleted_at IS NULL"
	    " ORDER BY ti.position",
	/* One page of templates (limit + 1 of them) with their items. */
	[SQL_TPL_PAGE] =
	    "SELECT " TPL_ITEM_COLUMNS " FROM (SELECT * FROM checklist_templates"
	    "  WHERE org_id = ? AND id > ? AND deleted_at IS NULL"
	    "  AND (? IS NULL OR active = ?) ORDER BY id LIMIT ?) t"
	    " JOIN organizations o ON o.id = t.org_id"
	    " LEFT JOIN checklist_template_items ti ON ti.template_id = t.id"
	    "  AND ti.org_id = t.org_id"
	    " ORDER BY t.id, ti.position",
};

const struct db_stmts cltemplates_stmts = {
	"cltemplates", cltemplates_sql, CLTEMPLATES_SQL__MAX, NULL, 0
};

enum tpl_col {
	TC_ID, TC_TITLE, TC_KIND, TC_WEEKDAYS, TC_TIME, TC_GRACE, TC_ACTIVE,
	TC_TZ, TC_CREATED, TC_UPDATED, TC_ROWID, TC_ITEM_ID, TC_ITEM_TEXT,
	TC_ITEM_REQUIRED
};

/* --- the JSON shape ------------------------------------------------- */

static struct json_object *
cltemplates_schedule_json(const struct db_rows *rows, size_t i)
{
	struct json_object	*s = json_object_new_object(), *days;
	const char		*w = db_cell(rows, i, TC_WEEKDAYS);

	json_object_object_add(s, "kind",
	    json_object_new_string(db_cell(rows, i, TC_KIND)));
	if (strcmp(db_cell(rows, i, TC_KIND), "weekly") == 0 && w != NULL) {
		/* stored as "1,3,5", ascending */
		days = json_object_new_array();
		for (; *w != '\0'; w++)
			if (*w >= '1' && *w <= '7')
				json_object_array_add(days,
				    json_object_new_int(*w - '0'));
		json_object_object_add(s, "weekdays", days);
	}
	json_object_object_add(s, "time",
	    json_object_new_string(db_cell(rows, i, TC_TIME)));
	return s;
}

static struct json_object *
cltemplates_head_json(const struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "id",
	    json_object_new_string(db_cell(rows, i, TC_ID)));
	json_object_object_add(o, "title",
	    json_object_new_string(db_cell(rows, i, TC_TITLE)));
	json_object_object_add(o, "items", json_object_new_array());
	json_object_object_add(o, "schedule",
	    cltemplates_schedule_json(rows, i));
	json_object_object_add(o, "dueAfterMinutes",
	    json_object_new_int64(atoll(db_cell(rows, i, TC_GRACE))));
	json_object_object_add(o, "active", json_object_new_boolean(
	    strcmp(db_cell(rows, i, TC_ACTIVE), "1") == 0));
	json_object_object_add(o, "timezone",
	    json_object_new_string(db_cell(rows, i, TC_TZ)));
	json_object_object_add(o, "createdAt",
	    json_time(db_cell(rows, i, TC_CREATED)));
	json_object_object_add(o, "updatedAt",
	    json_time(db_cell(rows, i, TC_UPDATED)));
	return o;
}

static void
cltemplates_add_item(struct json_object *tpl, const struct db_rows *rows,
    size_t i)
{
	struct json_object	*items, *it;

	if (db_cell(rows, i, TC_ITEM_ID) == NULL)
		return;
	json_object_object_get_ex(tpl, "items", &items);
	it = json_object_new_object();
	json_object_object_add(it, "id",
	    json_object_new_string(db_cell(rows, i, TC_ITEM_ID)));
	json_object_object_add(it, "text",
	    json_object_new_string(db_cell(rows, i, TC_ITEM_TEXT)));
	json_object_object_add(it, "required", json_object_new_boolean(
	    strcmp(db_cell(rows, i, TC_ITEM_REQUIRED), "1") == 0));
	json_object_array_add(items, it);
}

/* The template public_id of org as JSON, or NULL: *code says why. */
static struct json_object *
cltemplates_fetch_json(struct db *db, long long org, const char *id,
    enum db_code *code)
{
	struct db_rows		*rows = NULL;
	struct json_object	*arr, *o = NULL;
	size_t			 n;
	long long		 last;

	if ((*code = db_query(db, &rows, cltemplates_sql[SQL_TPL_ONE],
	    DB_PARAMS(DB_INT(org), DB_STR(id)))) != DB_OK)
		return NULL;
	if (rows->nrows == 0)
		*code = DB_NOTFOUND;
	else {
		arr = page_group_rows(rows, TC_ROWID, 1,
		    cltemplates_head_json, cltemplates_add_item, &n, &last);
		o = json_object_get(json_object_array_get_idx(arr, 0));
		json_object_put(arr);
	}
	db_rows_free(rows);
	return o;
}

/* --- the writes, shared with the console ---------------------------- */

/* "1,3,5" from the weekday flags (ascending). */
static void
cltemplates_weekdays_text(const struct cl_schedule *sc, char out[16])
{
	size_t	 len = 0;
	int	 d;

	out[0] = '\0';
	for (d = 1; d <= 7; d++)
		if (sc->weekdays[d])
			len += (size_t)snprintf(out + len, 16 - len, "%s%d",
			    len ? "," : "", d);
}

/* 1 when in is whole and within its ranges; else why names the field. */
static int
cltemplates_check(const struct cl_template_in *in, char *why, size_t whysz)
{
	size_t	 i, n;
	int	 d, any = 0;

	n = in->title ? util_utf8_chars(in->title) : 0;
	if (n < 1 || n > 200) {
		snprintf(why, whysz, "title: expected 1 to 200 characters");
		return 0;
	}
	if (in->nitems < 1 || in->nitems > CL_ITEMS_MAX) {
		snprintf(why, whysz, "items: expected 1 to %d items",
		    CL_ITEMS_MAX);
		return 0;
	}
	for (i = 0; i < in->nitems; i++) {
		n = in->item_text[i] ? util_utf8_chars(in->item_text[i]) : 0;
		if (n < 1 || n > 500) {
			snprintf(why, whysz, "items[%zu].text: expected 1 to "
			    "500 characters", i);
			return 0;
		}
	}
	for (d = 1; d <= 7; d++)
		any |= in->schedule.weekdays[d];
	if (in->schedule.weekly && !any) {
		snprintf(why, whysz, "schedule.weekdays: a weekly schedule "
		    "needs 1 to 7 weekdays");
		return 0;
	}
	if (in->schedule.hour < 0 || in->schedule.hour > 23 ||
	    in->schedule.minute < 0 || in->schedule.minute > 59) {
		snprintf(why, whysz, "schedule.time: expected HH:MM");
		return 0;
	}
	if (in->due_after_minutes < 0 || in->due_after_minutes > 1440) {
		snprintf(why, whysz, "dueAfterMinutes: must be between 0 and "
		    "1440");
		return 0;
	}
	return 1;
}

/* 1 when the template's items are already in's, in order (their ids
 * then stay as they are). */
static int
cltemplates_items_same(struct db *db, long long org, long long tpl,
    const struct cl_template_in *in, enum db_code *code)
{
	struct db_rows	*rows = NULL;
	size_t		 i;
	int		 same;

	if ((*code = db_query(db, &rows, cltemplates_sql[SQL_TPL_ITEMS_OF],
	    DB_PARAMS(DB_INT(org), DB_INT(tpl)))) != DB_OK)
		return 0;
	same = rows->nrows == in->nitems;
	for (i = 0; same && i < rows->nrows; i++)
		same = strcmp(db_cell(rows, i, 0), in->item_text[i]) == 0 &&
		    (strcmp(db_cell(rows, i, 1), "1") == 0) ==
		    (in->item_required[i] != 0);
	db_rows_free(rows);
	return same;
}

static enum db_code
cltemplates_items_write(struct db *db, long long org, long long tpl,
    const struct cl_template_in *in)
{
	enum db_code	 code;
	char		 id[37];
	size_t		 i;

	if (cltemplates_items_same(db, org, tpl, in, &code) || code != DB_OK)
		return code;
	if ((code = db_exec(db, cltemplates_sql[SQL_TPL_ITEMS_DELETE],
	    DB_PARAMS(DB_INT(org), DB_INT(tpl)))) != DB_OK)
		return code;
	for (i = 0; i < in->nitems; i++) {
		crypto_uuid7(id);
		if ((code = db_exec(db, cltemplates_sql[SQL_TPL_ITEM_INSERT],
		    DB_PARAMS(DB_STR(id), DB_INT(tpl), DB_INT(org),
		    DB_INT((long long)i + 1), DB_STR(in->item_text[i]),
		    DB_INT(in->item_required[i] != 0)))) != DB_OK)
			return code;
	}
	return DB_OK;
}

/* Drop template tpl's open instances still ahead (their items first). */
static enum db_code
cltemplates_drop_ahead(struct db *db, long long org, long long tpl)
{
	enum db_code	 code;

	if ((code = db_exec(db, cltemplates_sql[SQL_TPL_DROP_AHEAD_ITEMS],
	    DB_PARAMS(DB_INT(org), DB_INT(tpl)))) != DB_OK)
		return code;
	return db_exec(db, cltemplates_sql[SQL_TPL_DROP_AHEAD],
	    DB_PARAMS(DB_INT(org), DB_INT(tpl)));
}

/* Row id of org's live template id, locked; 0 when there is none, -1 on
 * a database failure. */
static long long
cltemplates_lock(struct db *db, long long org, const char *id)
{
	struct db_rows	*rows = NULL;
	long long	 rowid;

	if (db_query(db, &rows, cltemplates_sql[SQL_TPL_LOCK],
	    DB_PARAMS(DB_INT(org), DB_STR(id))) != DB_OK)
		return -1;
	rowid = rows->nrows ? atoll(db_cell(rows, 0, 0)) : 0;
	db_rows_free(rows);
	return rowid;
}

/*
 * Create (id NULL) or replace template id of org in the caller's
 * transaction. 0 with its public id in out_id; 400 or 404 with why; 503.
 */
int
cltemplates_write(struct db *db, long long org, const char *id,
    const struct cl_template_in *in, char out_id[37], char *why, size_t whysz)
{
	char		 days[16], time[6];
	long long	 tpl;
	const char	*kind = in->schedule.weekly ? "weekly" : "daily";

	out_id[0] = '\0';
	if (!cltemplates_check(in, why, whysz))
		return 400;
	cltemplates_weekdays_text(&in->schedule, days);
	snprintf(time, sizeof(time), "%02d:%02d", in->schedule.hour,
	    in->schedule.minute);
	if (id == NULL) {
		crypto_uuid7(out_id);
		if (db_exec(db, cltemplates_sql[SQL_TPL_INSERT], DB_PARAMS(
		    DB_STR(out_id), DB_INT(org), DB_STR(in->title),
		    DB_STR(kind), DB_STR(in->schedule.weekly ? days : NULL),
		    DB_STR(time), DB_INT(in->due_after_minutes),
		    DB_INT(in->active != 0))) != DB_OK)
			goto fail;
		tpl = (long long)db_insert_id(db);
	} else {
		if ((tpl = cltemplates_lock(db, org, id)) < 0)
			goto fail;
		if (tpl == 0) {
			snprintf(why, whysz, "no checklist template %s", id);
			return 404;
		}
		snprintf(out_id, 37, "%s", id);
		if (db_exec(db, cltemplates_sql[SQL_TPL_UPDATE], DB_PARAMS(
		    DB_STR(in->title), DB_STR(kind),
		    DB_STR(in->schedule.weekly ? days : NULL), DB_STR(time),
		    DB_INT(in->due_after_minutes), DB_INT(in->active != 0),
		    DB_INT(org), DB_INT(tpl))) != DB_OK ||
		    cltemplates_drop_ahead(db, org, tpl) != DB_OK)
			goto fail;
	}
	if (cltemplates_items_write(db, org, tpl, in) != DB_OK)
		goto fail;
	return 0;
fail:
	snprintf(why, whysz, "database unavailable");
	return 503;
}

/* Deactivate or activate template id of org: 0, 404 or 503. The open
 * instances still ahead go either way (the scheduler remakes them for
 * an active template). */
int
cltemplates_set_active(struct db *db, long long org, const char *id, int on)
{
	long long	 tpl;

	if ((tpl = cltemplates_lock(db, org, id)) < 0)
		return 503;
	if (tpl == 0)
		return 404;
	if (db_exec(db, cltemplates_sql[SQL_TPL_SET_ACTIVE], DB_PARAMS(
	    DB_INT(on != 0), DB_INT(org), DB_INT(tpl))) != DB_OK ||
	    cltemplates_drop_ahead(db, org, tpl) != DB_OK)
		return 503;
	return 0;
}

/* Delete (soft) template id of org with its open instances still ahead;
 * the past ones stay for history. 0, 404 or 503. */
int
cltemplates_remove(struct db *db, long long org, const char *id)
{
	long long	 tpl;

	if ((tpl = cltemplates_lock(db, org, id)) < 0)
		return 503;
	if (tpl == 0)
		return 404;
	if (db_exec(db, cltemplates_sql[SQL_TPL_REMOVE], DB_PARAMS(
	    DB_INT(org), DB_INT(tpl))) != DB_OK ||
	    cltemplates_drop_ahead(db, org, tpl) != DB_OK)
		return 503;
	return 0;
}

/* --- reading the body ----------------------------------------------- */

/* The body's fields, the item arrays owned here. */
struct cltemplates_body {
	struct cl_template_in	 in;
	const char		**text;
	int			*required;
	int			 has_items, has_schedule, has_grace;
};

static void
cltemplates_body_free(struct cltemplates_body *b)
{
	free(b->text);
	free(b->required);
}

static int
cltemplates_read_items(struct req *r, struct json_object *b,
    struct cltemplates_body *out)
{
	struct json_object	*arr = valid_get(b, "items"), *o;
	size_t			 i, n;
	int			 ok = 1;

	if (arr == NULL)
		return 1;
	if (!json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) < 1 || n > CL_ITEMS_MAX) {
		req_resp_error(r, 400, "invalid_body", "items: expected an "
		    "array of 1 to %d items", CL_ITEMS_MAX);
		return 0;
	}
	out->text = calloc(n, sizeof(out->text[0]));
	out->required = calloc(n, sizeof(out->required[0]));
	if (out->text == NULL || out->required == NULL) {
		req_resp_error(r, 503, NULL, "out of memory");
		return 0;
	}
	for (i = 0; ok && i < n; i++) {
		snprintf(r->vprefix, sizeof(r->vprefix), "items[%zu].", i);
		o = json_object_array_get_idx(arr, i);
		out->required[i] = 1;
		if (!json_object_is_type(o, json_type_object)) {
			req_resp_error(r, 400, "invalid_body", "items[%zu]: "
			    "expected an object", i);
			ok = 0;
		} else
			ok = valid_string(r, o, "text", 1, 1, 500,
			    &out->text[i]) &&
			    valid_bool(r, o, "required", &out->required[i]);
	}
	r->vprefix[0] = '\0';
	out->in.nitems = n;
	out->in.item_text = out->text;
	out->in.item_required = out->required;
	out->has_items = ok;
	return ok;
}

static int
cltemplates_read_weekdays(struct req *r, struct json_object *s,
    struct cl_schedule *sc)
{
	struct json_object	*arr = valid_get(s, "weekdays"), *v;
	size_t			 i, n;
	int			 d;

	memset(sc->weekdays, 0, sizeof(sc->weekdays));
	if (!sc->weekly) {
		if (arr == NULL)
			return 1;
		req_resp_error(r, 400, "invalid_body", "schedule.weekdays: "
		    "only for a weekly schedule");
		return 0;
	}
	if (arr == NULL || !json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) < 1 || n > 7) {
		req_resp_error(r, 400, "invalid_body", "schedule.weekdays: "
		    "expected an array of 1 to 7 weekdays (1 Monday .. 7 "
		    "Sunday)");
		return 0;
	}
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		d = json_object_is_type(v, json_type_int) ?
		    json_object_get_int(v) : 0;
		if (d < 1 || d > 7 || sc->weekdays[d]) {
			req_resp_error(r, 400, "invalid_body",
			    "schedule.weekdays[%zu]: expected a weekday 1 to 7, "
			    "each once", i);
			return 0;
		}
		sc->weekdays[d] = 1;
	}
	return 1;
}

static int
cltemplates_read_schedule(struct req *r, struct json_object *b,
    struct cltemplates_body *out, int required)
{
	static const char *const kinds[] = { "daily", "weekly", NULL };
	struct json_object	*s = valid_get(b, "schedule");
	struct cl_schedule	*sc = &out->in.schedule;
	const char		*kind, *time;

	if (s == NULL) {
		if (required)
			req_resp_error(r, 400, "invalid_body", "schedule: is "
			    "required");
		return !required;
	}
	if (!json_object_is_type(s, json_type_object)) {
		req_resp_error(r, 400, "invalid_body", "schedule: expected an "
		    "object");
		return 0;
	}
	snprintf(r->vprefix, sizeof(r->vprefix), "schedule.");
	if (!valid_enum(r, s, "kind", 1, kinds, &kind) ||
	    !valid_string(r, s, "time", 1, 1, 5, &time)) {
		r->vprefix[0] = '\0';
		return 0;
	}
	r->vprefix[0] = '\0';
	sc->weekly = strcmp(kind, "weekly") == 0;
	if (!schedule_parse_time(time, &sc->hour, &sc->minute)) {
		req_resp_error(r, 400, "invalid_body", "schedule.time: expected "
		    "HH:MM (00:00 to 23:59), got %s", time);
		return 0;
	}
	out->has_schedule = 1;
	return cltemplates_read_weekdays(r, s, sc);
}

/* Read the body's fields (all required but the defaulted ones when
 * create); 0 after answering 400. */
static int
cltemplates_read(struct req *r, struct json_object *b,
    struct cltemplates_body *out, int create)
{
	memset(out, 0, sizeof(*out));
	out->in.active = -1;
	if (!valid_object(r, b) ||
	    !valid_string(r, b, "title", create, 1, 200, &out->in.title) ||
	    !cltemplates_read_items(r, b, out) ||
	    !cltemplates_read_schedule(r, b, out, create) ||
	    !valid_int(r, b, "dueAfterMinutes", 0, 0, 1440,
	    &out->in.due_after_minutes, &out->has_grace) ||
	    !valid_bool(r, b, "active", &out->in.active))
		return 0;
	if (create && !out->has_items) {
		req_resp_error(r, 400, "invalid_body", "items: is required");
		return 0;
	}
	return 1;
}

/* --- handlers ------------------------------------------------------- */

static void
cltemplates_answer(struct req *r, int status, const char *id)
{
	struct json_object	*o, *tpl;
	enum db_code		 code;

	if ((tpl = cltemplates_fetch_json(r->db, r->principal.org_id, id,
	    &code)) == NULL) {
		req_resp_error(r, 503, NULL, "database unavailable");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "data", tpl);
	req_resp_json(r, status, o);
}

/* Answer the outcome of a write (status 0: done). */
static void
cltemplates_answer_write(struct req *r, int status, int ok, const char *id,
    const char *why)
{
	if (status == 0)
		cltemplates_answer(r, ok, id);
	else
		req_resp_error(r, status, status == 400 ? "invalid_body" : NULL,
		    "%s", why);
}

/* POST /api/integrations/v1/checklists/templates: 201 or 400. */
void
cltemplates_create(struct req *r)
{
	struct json_object	*b;
	struct cltemplates_body	 body;
	char			 id[37], why[256];
	int			 status;

	if ((b = req_json_body(r)) == NULL)
		return;
	if (cltemplates_read(r, b, &body, 1)) {
		if (!body.has_grace)
			body.in.due_after_minutes = 0;
		if (body.in.active < 0)
			body.in.active = 1;
		status = cltemplates_write(r->db, r->principal.org_id, NULL,
		    &body.in, id, why, sizeof(why));
		cltemplates_answer_write(r, status, 201, id, why);
	}
	cltemplates_body_free(&body);
	json_object_put(b);
}

/* Fill what the PATCH body left out from the stored template (rows of
 * SQL_TPL_ONE). */
static int
cltemplates_merge(const struct db_rows *rows,
    struct cltemplates_body *body)
{
	struct cl_template_in	*in = &body->in;
	size_t			 i, n = rows->nrows;
	const char		*w;

	if (in->title == NULL)
		in->title = db_cell(rows, 0, TC_TITLE);
	if (!body->has_grace)
		in->due_after_minutes = atoll(db_cell(rows, 0, TC_GRACE));
	if (in->active < 0)
		in->active = strcmp(db_cell(rows, 0, TC_ACTIVE), "1") == 0;
	if (!body->has_schedule) {
		in->schedule.weekly = strcmp(db_cell(rows, 0, TC_KIND),
		    "weekly") == 0;
		for (w = db_cell(rows, 0, TC_WEEKDAYS); w && *w; w++)
			if (*w >= '1' && *w <= '7')
				in->schedule.weekdays[*w - '0'] = 1;
		if (!schedule_parse_time(db_cell(rows, 0, TC_TIME),
		    &in->schedule.hour, &in->schedule.minute))
			return 0;
	}
	if (body->has_items)
		return 1;
	body->text = calloc(n, sizeof(body->text[0]));
	body->required = calloc(n, sizeof(body->required[0]));
	if (body->text == NULL || body->required == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		body->text[i] = db_cell(rows, i, TC_ITEM_TEXT);
		body->required[i] = strcmp(db_cell(rows, i, TC_ITEM_REQUIRED),
		    "1") == 0;
	}
	in->nitems = n;
	in->item_text = body->text;
	in->item_required = body->required;
	return 1;
}

/* PATCH /api/integrations/v1/checklists/templates/{id}: the fields sent
 * change; items, when sent, replace the list. 200, 400 or 404. */
void
cltemplates_patch(struct req *r)
{
	struct json_object	*b;
	struct cltemplates_body	 body;
	struct db_rows		*rows = NULL;
	char			 id[37], why[256];
	int			 status;

	if ((b = req_json_body(r)) == NULL)
		return;
	if (!cltemplates_read(r, b, &body, 0))
		goto out;
	/* locked before it is read, so two PATCHes merge one after the
	 * other rather than each over the same old fields */
	if (cltemplates_lock(r->db, r->principal.org_id, r->args[0]) < 0 ||
	    db_query(r->db, &rows, cltemplates_sql[SQL_TPL_ONE], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_STR(r->args[0]))) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	if (rows->nrows == 0) {
		req_resp_error(r, 404, NULL, "no checklist template %s",
		    r->args[0]);
		goto out;
	}
	if (!cltemplates_merge(rows, &body)) {
		req_resp_error(r, 503, NULL, "could not read the template");
		goto out;
	}
	status = cltemplates_write(r->db, r->principal.org_id, r->args[0],
	    &body.in, id, why, sizeof(why));
	cltemplates_answer_write(r, status, 200, id, why);
out:
	db_rows_free(rows);
	cltemplates_body_free(&body);
	json_object_put(b);
}

/* GET /api/integrations/v1/checklists/templates/{id} */
void
cltemplates_get(struct req *r)
{
	struct json_object	*o, *tpl;
	enum db_code		 code;

	if ((tpl = cltemplates_fetch_json(r->db, r->principal.org_id,
	    r->args[0], &code)) == NULL) {
		if (code == DB_NOTFOUND)
			req_resp_error(r, 404, NULL, "no checklist template %s",
			    r->args[0]);
		else
			req_resp_error(r, 503, NULL, "database unavailable");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "data", tpl);
	req_resp_json(r, 200, o);
}

/* DELETE /api/integrations/v1/checklists/templates/{id}: 204 or 404. */
void
cltemplates_delete(struct req *r)
{
	switch (cltemplates_remove(r->db, r->principal.org_id, r->args[0])) {
	case 0:
		req_resp_written(r, 204);
		break;
	case 404:
		req_resp_error(r, 404, NULL, "no checklist template %s",
		    r->args[0]);
		break;
	default:
		req_resp_error(r, 503, NULL, "database unavailable");
		break;
	}
}

/* GET /api/integrations/v1/checklists/templates?active=&limit=&cursor=
 * in creation order. */
void
cltemplates_list(struct req *r)
{
	struct page		 pg;
	struct db_rows		*rows = NULL;
	struct json_object	*arr;
	int			 active = -1;
	size_t			 n;
	long long		 last;

	if (!page_parse(r, &pg) || !query_bool(r, "active", &active))
		return;
	if (db_query(r->db, &rows, cltemplates_sql[SQL_TPL_PAGE], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_INT(pg.after_id),
	    active < 0 ? DB_NULL : DB_INT(active),
	    active < 0 ? DB_NULL : DB_INT(active),
	    DB_INT(pg.limit + 1))) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		return;
	}
	arr = page_group_rows(rows, TC_ROWID, (size_t)pg.limit,
	    cltemplates_head_json, cltemplates_add_item, &n, &last);
	page_respond(r, arr, last, n > (size_t)pg.limit);
	db_rows_free(rows);
}
