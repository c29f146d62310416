/*
 * scheduler.c - the worker's checklist jobs. Making: for every active
 * template of every organization, the instances due in the next
 * CL_AHEAD_MS (never one already past: a template made or changed during
 * the day gets only what is still ahead), each with its items copied
 * from the template, one short transaction each. INSERT IGNORE on the
 * unique (template_id, due_at) makes this idempotent with any number of
 * workers on any number of hosts. Missing: open instances past their
 * grace are claimed a batch at a time (SKIP LOCKED) and marked with a
 * conditional UPDATE (WHERE status = 'open', which also holds on Galera,
 * where a lock is not a lease), writing checklist.missed in the same
 * transaction: exactly once per instance. The organization's time zone
 * is read and set here too (mihwarctl org update --timezone).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "checklists/checklists.h"

#define CL_AHEAD_MS	(36LL * 3600 * 1000)	/* instances made this far ahead */
#define CL_DUE_MAX	64		/* due times of one template in CL_AHEAD_MS */
#define CL_EVERY_S	20		/* the job's cadence per process */
#define CL_ORG_BATCH	100
#define CL_TPL_BATCH	100
#define CL_MISS_BATCH	50
#define CL_MISS_ROUNDS	20		/* batches one tick marks at most */

enum clscheduler_sql_id {
	SQL_ORGS, SQL_TEMPLATES, SQL_EXISTING, SQL_TEMPLATE_ITEMS,
	SQL_INSTANCE_INSERT, SQL_ITEM_INSERT, SQL_MISS_CLAIM, SQL_MISS_MARK,
	SQL_TEMPLATE_PUBLIC, SQL_ORG_TZ_GET, SQL_ORG_TZ_SET,
	CLSCHEDULER_SQL__MAX
};

static const char *const clscheduler_sql[CLSCHEDULER_SQL__MAX] = {
	/* The organizations with something to schedule, a page at a time. */
	[SQL_ORGS] =
	    "SELECT o.id, o.timezone FROM organizations o WHERE o.id > ?"
	    " AND EXISTS (SELECT 1 FROM checklist_templates t"
	    "  WHERE t.org_id = o.id AND t.active = 1 AND t.deleted_at IS NULL)"
	    " ORDER BY o.id LIMIT ?",
	[SQL_TEMPLATES] =
	    "SELECT id, schedule_kind, weekdays, due_time, due_after_minutes"
	    " FROM checklist_templates WHERE org_id = ? AND id > ?"
	    " AND active = 1 AND deleted_at IS NULL ORDER BY id LIMIT ?",
	/* A plain read first, so that a tick with nothing new writes nothing. */
	[SQL_EXISTING] =
	    "SELECT due_at FROM checklist_instances WHERE org_id = ?"
	    " AND template_id = ? AND due_at >= ? AND due_at < ?",
	[SQL_TEMPLATE_ITEMS] =
	    "SELECT position, text, required FROM checklist_template_items"
	    " WHERE org_id = ? AND template_id = ? ORDER BY position",
	/* Only while the template is still active: one deactivated or
	 * deleted since it was read gets nothing more. */
	[SQL_INSTANCE_INSERT] =
	    "INSERT IGNORE INTO checklist_instances (public_id, org_id,"
	    " template_id, template_title, due_at, grace_until, local_date)"
	    " SELECT ?, org_id, id, title, ?, ?, ? FROM checklist_templates"
	    " WHERE org_id = ? AND id = ? AND active = 1 AND deleted_at IS NULL",
	[SQL_ITEM_INSERT] =
	    "INSERT INTO checklist_instance_items (public_id, instance_id,"
	    " org_id, position, text, required) VALUES (?, ?, ?, ?, ?, ?)",
	/* Across organizations, as the webhook deliveries are claimed; the
	 * mark below names the organization. */
	[SQL_MISS_CLAIM] =
	    "SELECT id, org_id, public_id, template_id, template_title, due_at"
	    " FROM checklist_instances WHERE status = 'open' AND grace_until < ?"
	    " ORDER BY status, grace_until LIMIT ? FOR UPDATE SKIP LOCKED",
	[SQL_MISS_MARK] =
	    "UPDATE checklist_instances SET status = 'missed', missed_at = ?"
	    " WHERE id = ? AND org_id = ? AND status = 'open'",
	[SQL_TEMPLATE_PUBLIC] =
	    "SELECT public_id FROM checklist_templates WHERE org_id = ? AND id = ?",
	[SQL_ORG_TZ_GET] =
	    "SELECT timezone FROM organizations WHERE id = ?",
	[SQL_ORG_TZ_SET] =
	    "UPDATE organizations SET timezone = ? WHERE id = ?",
};

const struct db_stmts clscheduler_stmts = {
	"clscheduler", clscheduler_sql, CLSCHEDULER_SQL__MAX, NULL, 0
};

/* One template's schedule, as the scheduler reads it. */
struct cl_sched_tpl {
	long long		 org_id, id;
	struct cl_schedule	 sc;
	long long		 grace_min;
};

/* A template row's schedule; 0 when the row holds no valid one. */
static int
clscheduler_template_read(const struct db_rows *rows, size_t i,
    struct cl_sched_tpl *t)
{
	const char	*kind = db_cell(rows, i, 1), *days = db_cell(rows, i, 2);
	const char	*p;

	memset(&t->sc, 0, sizeof(t->sc));
	t->id = atoll(db_cell(rows, i, 0));
	t->grace_min = atoll(db_cell(rows, i, 4));
	if (!schedule_parse_time(db_cell(rows, i, 3), &t->sc.hour,
	    &t->sc.minute))
		return 0;
	t->sc.weekly = kind != NULL && strcmp(kind, "weekly") == 0;
	/* Weekdays as the templates store them ("1,3,7"): any digit 1..7. */
	for (p = days; t->sc.weekly && p != NULL && *p != '\0'; p++)
		if (*p >= '1' && *p <= '7')
			t->sc.weekdays[*p - '0'] = 1;
	return 1;
}

/* Is due (UTC ms) among the existing instances' due_at cells? */
static int
clscheduler_exists(const struct db_rows *rows, int64_t due)
{
	char	 sql[24];
	size_t	 i;

	util_sql_time(due, sql);
	for (i = 0; i < rows->nrows; i++)
		if (db_cell(rows, i, 0) != NULL &&
		    strcmp(db_cell(rows, i, 0), sql) == 0)
			return 1;
	return 0;
}

/* The instance's items, copied from the template's (read in items). */
static enum db_code
clscheduler_copy_items(struct db *db, const struct cl_sched_tpl *t,
    long long inst, const struct db_rows *items)
{
	enum db_code	 code = DB_OK;
	char		 id[37];
	size_t		 i;

	for (i = 0; i < items->nrows && code == DB_OK; i++) {
		crypto_uuid7(id);
		code = db_exec(db, clscheduler_sql[SQL_ITEM_INSERT], DB_PARAMS(
		    DB_STR(id), DB_INT(inst), DB_INT(t->org_id),
		    DB_INT(atoll(db_cell(items, i, 0))),
		    DB_STR(db_cell(items, i, 1)),
		    DB_INT(atoll(db_cell(items, i, 2)))));
	}
	return code;
}

/*
 * Make template t's instance due at due (UTC ms) with its items, in a
 * transaction of its own. 1 made; 0 there already (another worker, or
 * the template stopped being active) or failed.
 */
static int
clscheduler_make_one(struct db *db, const struct cl_sched_tpl *t,
    const char *tz, int64_t due, const struct db_rows *items)
{
	char		 id[37], due_s[24], grace_s[24], date[11];
	long long	 inst;

	if (!schedule_local_date(tz, due, date))
		return 0;
	util_sql_time(due, due_s);
	util_sql_time(due + t->grace_min * 60000, grace_s);
	crypto_uuid7(id);
	if (db_begin(db) != DB_OK)
		return 0;
	if (db_exec(db, clscheduler_sql[SQL_INSTANCE_INSERT], DB_PARAMS(
	    DB_STR(id), DB_STR(due_s), DB_STR(grace_s), DB_STR(date),
	    DB_INT(t->org_id), DB_INT(t->id))) != DB_OK)
		goto fail;
	if (db_affected(db) != 1) {
		db_rollback(db);
		return 0;
	}
	inst = (long long)db_insert_id(db);
	if (clscheduler_copy_items(db, t, inst, items) != DB_OK ||
	    db_commit(db) != DB_OK)
		goto fail;
	return 1;
fail:
	log_warn("checklists: instance of template %lld at %s: %s", t->id,
	    due_s, db_errstr(db));
	db_rollback(db);
	return 0;
}

/* Template t's instances due in [now, now + CL_AHEAD_MS); made count. */
static int
clscheduler_make_template(struct db *db, const struct cl_sched_tpl *t,
    const char *tz, int64_t now)
{
	struct db_rows	*have = NULL, *items = NULL;
	int64_t		 due[CL_DUE_MAX];
	char		 from_s[24], to_s[24];
	size_t		 n, i;
	int		 made = 0;

	if (!schedule_due_times(&t->sc, tz, now, now + CL_AHEAD_MS, due,
	    CL_DUE_MAX, &n)) {
		log_warn("checklists: template %lld: no schedule in zone %.64s",
		    t->id, tz);
		return 0;
	}
	if (n == 0)
		return 0;
	util_sql_time(now, from_s);
	util_sql_time(now + CL_AHEAD_MS, to_s);
	if (db_query(db, &have, clscheduler_sql[SQL_EXISTING], DB_PARAMS(
	    DB_INT(t->org_id), DB_INT(t->id), DB_STR(from_s),
	    DB_STR(to_s))) != DB_OK)
		return 0;
	for (i = 0; i < n; i++) {
		if (clscheduler_exists(have, due[i]))
			continue;
		if (items == NULL && db_query(db, &items,
		    clscheduler_sql[SQL_TEMPLATE_ITEMS], DB_PARAMS(
		    DB_INT(t->org_id), DB_INT(t->id))) != DB_OK)
			break;
		made += clscheduler_make_one(db, t, tz, due[i], items);
	}
	db_rows_free(items);
	db_rows_free(have);
	return made;
}

/* Every active template of organization org; made count. */
static int
clscheduler_make_org(struct db *db, long long org, const char *tz,
    int64_t now)
{
	struct cl_sched_tpl	 t;
	struct db_rows		*rows = NULL;
	long long		 after = 0;
	size_t			 i, got;
	int			 made = 0;

	do {
		if (db_query(db, &rows, clscheduler_sql[SQL_TEMPLATES],
		    DB_PARAMS(DB_INT(org), DB_INT(after),
		    DB_INT(CL_TPL_BATCH))) != DB_OK)
			return made;
		got = rows->nrows;
		for (i = 0; i < got; i++) {
			t.org_id = org;
			if (clscheduler_template_read(rows, i, &t))
				made += clscheduler_make_template(db, &t, tz,
				    now);
			else
				log_warn("checklists: template %lld: bad "
				    "schedule", t.id);
			after = t.id;
		}
		db_rows_free(rows);
	} while (got == CL_TPL_BATCH);
	return made;
}

/* Instances ahead for every organization; made count. */
static int
clscheduler_make_all(struct db *db, int64_t now)
{
	struct db_rows	*rows = NULL;
	long long	 after = 0;
	size_t		 i, got;
	int		 made = 0;

	do {
		if (db_query(db, &rows, clscheduler_sql[SQL_ORGS], DB_PARAMS(
		    DB_INT(after), DB_INT(CL_ORG_BATCH))) != DB_OK) {
			log_warn("checklists: organizations: %s",
			    db_errstr(db));
			return made;
		}
		got = rows->nrows;
		for (i = 0; i < got; i++) {
			after = atoll(db_cell(rows, i, 0));
			made += clscheduler_make_org(db, after,
			    db_cell(rows, i, 1), now);
		}
		db_rows_free(rows);
	} while (got == CL_ORG_BATCH);
	return made;
}

/* checklist.missed for claimed row i, as the spec's example has it. */
static enum db_code
clscheduler_emit_missed(struct db *db, const struct db_rows *rows, size_t i,
    long long org)
{
	struct db_rows		*tpl = NULL;
	struct json_object	*p;
	enum db_code		 code;

	code = db_query(db, &tpl, clscheduler_sql[SQL_TEMPLATE_PUBLIC],
	    DB_PARAMS(DB_INT(org), DB_INT(atoll(db_cell(rows, i, 3)))));
	if (code != DB_OK)
		return code;
	p = json_object_new_object();
	json_put_str(p, "checklistInstanceId", db_cell(rows, i, 2));
	json_put_str(p, "templateId", tpl->nrows ? db_cell(tpl, 0, 0) : NULL);
	json_put_str(p, "templateTitle", db_cell(rows, i, 4));
	json_object_object_add(p, "dueDate", json_time(db_cell(rows, i, 5)));
	db_rows_free(tpl);
	return events_emit(db, org, EVENT_CHECKLIST_MISSED, p);
}

/*
 * One batch: claim open instances past their grace as of now, mark each
 * missed and write its event, commit. Claimed count (marked in *marked);
 * -1 when the batch failed and was rolled back.
 */
static int
clscheduler_miss_batch(struct db *db, int64_t now, int *marked)
{
	struct db_rows	*rows = NULL;
	char		 now_s[24];
	long long	 org;
	size_t		 i, got = 0;
	int		 n = 0;

	util_sql_time(now, now_s);
	if (db_begin(db) != DB_OK)
		return -1;
	if (db_query(db, &rows, clscheduler_sql[SQL_MISS_CLAIM], DB_PARAMS(
	    DB_STR(now_s), DB_INT(CL_MISS_BATCH))) != DB_OK)
		goto fail;
	got = rows->nrows;
	for (i = 0; i < got; i++) {
		org = atoll(db_cell(rows, i, 1));
		if (db_exec(db, clscheduler_sql[SQL_MISS_MARK], DB_PARAMS(
		    DB_STR(now_s), DB_INT(atoll(db_cell(rows, i, 0))),
		    DB_INT(org))) != DB_OK)
			goto fail;
		/* Not open any more: completed, or marked by another worker
		 * whose claim this one did not see (Galera). */
		if (db_affected(db) != 1)
			continue;
		if (clscheduler_emit_missed(db, rows, i, org) != DB_OK)
			goto fail;
		n++;
	}
	db_rows_free(rows);
	if (db_commit(db) != DB_OK) {
		log_warn("checklists: missed: commit: %s", db_errstr(db));
		db_rollback(db);
		return -1;
	}
	*marked += n;
	return (int)got;
fail:
	log_warn("checklists: missed: %s", db_errstr(db));
	db_rows_free(rows);
	db_rollback(db);
	return -1;
}

/* Mark missed, a batch at a time; marked count. */
static int
clscheduler_miss_all(struct db *db, int64_t now)
{
	int	 marked = 0, round, got;

	for (round = 0; round < CL_MISS_ROUNDS; round++)
		if ((got = clscheduler_miss_batch(db, now, &marked)) <
		    CL_MISS_BATCH)
			break;
	return marked;
}

/*
 * Both jobs as of now_ms: instances ahead made, then the open ones past
 * their grace marked missed. Counts in *made and *missed.
 */
void
clinstances_tick_counts(struct db *db, int64_t now_ms, int *made, int *missed)
{
	*made = clscheduler_make_all(db, now_ms);
	*missed = clscheduler_miss_all(db, now_ms);
}

/* As clinstances_tick_counts; returns instances made plus marked. */
int
clinstances_tick(struct db *db, int64_t now_ms)
{
	int	 made, missed;

	clinstances_tick_counts(db, now_ms, &made, &missed);
	return made + missed;
}

/*
 * Worker job: a tick on the real clock at most every CL_EVERY_S seconds
 * per process, so that a new or changed template has its instances
 * within a minute. Returns the work done.
 */
int
clinstances_job(struct db *db, const struct conf *conf)
{
	static time_t	 last;
	time_t		 now = time(NULL);

	(void)conf;
	if (now - last < CL_EVERY_S)
		return 0;
	last = now;
	return clinstances_tick(db, util_now_ms());
}

/* Organization org's time zone into out ("UTC" by default): DB_OK,
 * DB_NOTFOUND or an error. */
enum db_code
clscheduler_org_timezone(struct db *db, long long org, char out[65])
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	snprintf(out, 65, "UTC");
	code = db_query(db, &rows, clscheduler_sql[SQL_ORG_TZ_GET],
	    DB_PARAMS(DB_INT(org)));
	if (code != DB_OK)
		return code;
	if (rows->nrows == 0)
		code = DB_NOTFOUND;
	else
		snprintf(out, 65, "%s", db_cell(rows, 0, 0));
	db_rows_free(rows);
	return code;
}

/* Set organization org's time zone to tz (validated here too): DB_OK,
 * DB_CONSTRAINT for a name that is not a zone, or an error. */
enum db_code
clscheduler_org_timezone_set(struct db *db, long long org, const char *tz)
{
	if (!schedule_tz_valid(tz))
		return DB_CONSTRAINT;
	return db_exec(db, clscheduler_sql[SQL_ORG_TZ_SET], DB_PARAMS(
	    DB_STR(tz), DB_INT(org)));
}
