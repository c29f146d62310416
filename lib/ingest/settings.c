/*
 * settings.c - what an operator sets for activity ingest: an
 * organization's switch, its plan's monthly allowance and its own monthly
 * quota (NULL: unlimited), and an app's allowedEventTypes (types
 * separated by commas; NULL for every type). mihwarctl's "org update"
 * and "app update" use it; so may the console.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ingest/ingest.h"

enum settings_sql_id {
	SQL_SET_ORG, SQL_SET_APP_TYPES, SQL_SET_ORG_GET, SETTINGS_SQL__MAX
};

static const char *const settings_sql[SETTINGS_SQL__MAX] = {
	/* Each column changes only when its flag is 1. */
	[SQL_SET_ORG] =
	    "UPDATE organizations SET"
	    " ingest_enabled = COALESCE(?, ingest_enabled),"
	    " ingest_plan_events = IF(?, ?, ingest_plan_events),"
	    " ingest_monthly_quota = IF(?, ?, ingest_monthly_quota)"
	    " WHERE id = ?",
	[SQL_SET_APP_TYPES] =
	    "UPDATE ingest_apps SET allowed_event_types = ?"
	    " WHERE org_id = ? AND slug = ?",
	[SQL_SET_ORG_GET] =
	    "SELECT slug, ingest_enabled, ingest_plan_events,"
	    " ingest_monthly_quota FROM organizations WHERE id = ?",
};

const struct db_stmts settings_stmts = {
	"settings", settings_sql, SETTINGS_SQL__MAX, NULL, 0
};

/* A limit's two parameters: whether to set it, and its value. */
static void
settings_limit(long long v, struct db_param *p)
{
	p[0] = DB_INT(v != SETTINGS_KEEP);
	p[1] = v >= 0 ? DB_INT(v) : DB_NULL;
}

/*
 * Set org_id's ingest switch (0, 1, or -1 to keep it), plan and quota
 * (events a month, SETTINGS_UNLIMITED, or SETTINGS_KEEP).
 */
enum db_code
settings_org_update(struct db *db, long long org_id, int enabled,
    long long plan, long long quota)
{
	struct db_param	 p[6];

	p[0] = enabled < 0 ? DB_NULL : DB_INT(enabled != 0);
	settings_limit(plan, &p[1]);
	settings_limit(quota, &p[3]);
	p[5] = DB_INT(org_id);
	return db_exec(db, settings_sql[SQL_SET_ORG], p, 6);
}

/*
 * Set the allowedEventTypes of org_id's app slug to types (as
 * apps_types_parse wrote them; "" for every type). DB_NOTFOUND when
 * the organization has no such app.
 */
enum db_code
settings_app_types(struct db *db, long long org_id, const char *slug,
    const char *types)
{
	enum db_code	 code;

	code = db_exec(db, settings_sql[SQL_SET_APP_TYPES], DB_PARAMS(
	    DB_STR(*types != '\0' ? types : NULL), DB_INT(org_id),
	    DB_STR(slug)));
	/* CLIENT_FOUND_ROWS: a matched row counts even when unchanged. */
	if (code == DB_OK && db_affected(db) == 0)
		code = DB_NOTFOUND;
	return code;
}

static struct json_object *
settings_limit_json(const char *cell)
{
	long long	 v;

	if (cell == NULL || !util_strtonum(cell, 0, INT64_MAX, &v))
		return NULL;
	return json_object_new_int64(v);
}

/* {"slug","ingest","ingestPlanEvents","ingestMonthlyQuota"} of org_id
 * (the limits null when unlimited), or NULL. The caller puts it. */
struct json_object *
settings_org_json(struct db *db, long long org_id)
{
	struct json_object	*o;
	struct db_rows		*rows;

	if (db_query(db, &rows, settings_sql[SQL_SET_ORG_GET],
	    DB_PARAMS(DB_INT(org_id))) != DB_OK)
		return NULL;
	if (rows->nrows == 0) {
		db_rows_free(rows);
		return NULL;
	}
	o = json_object_new_object();
	json_put_str(o, "slug", db_cell(rows, 0, 0));
	json_object_object_add(o, "ingest", json_object_new_boolean(
	    strcmp(db_cell(rows, 0, 1), "0") != 0));
	json_object_object_add(o, "ingestPlanEvents",
	    settings_limit_json(db_cell(rows, 0, 2)));
	json_object_object_add(o, "ingestMonthlyQuota",
	    settings_limit_json(db_cell(rows, 0, 3)));
	db_rows_free(rows);
	return o;
}
