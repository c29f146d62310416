/*
 * integrate.c - posting an approved case to its three systems and
 * rolling them back: the endpoints, each system's state on the case,
 * the audit line and webhook event of every action, and automatic
 * integration on approval (a consumer of case.approved plus a queue of
 * cases with exponential backoff for transient errors).
 *
 * Each system runs inside the caller's transaction behind a savepoint:
 * a refused step is undone on its own, and the record of the refusal
 * (failed state, audit line, integration.failed) is kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cases/cases.h"

#define AUTO_ACTOR		"auto-integration"
#define AUTO_CONSUMER		"cases-auto"
#define AUTO_MAX_ATTEMPTS	8	/* then the case needs review */
#define AUTO_MAX_DELAY_S	3600
#define AUTO_BATCH		10	/* cases one tick integrates */

struct system_def {
	const char	*name;
	case_step_fn	 integrate, rollback;
	enum event_type	 ok_event;
};

static const struct system_def systems[CASE_SYS__MAX] = {
	[CASE_SYS_INVENTORY] = { "inventory", stock_integrate, stock_rollback,
	    EVENT_INTEGRATION_INVENTORY_SUCCESS },
	[CASE_SYS_AP] = { "ap", payables_integrate, payables_rollback,
	    EVENT_INTEGRATION_AP_SUCCESS },
	[CASE_SYS_ACCOUNTING] = { "accounting", ledger_integrate,
	    ledger_rollback, EVENT_INTEGRATION_ACCOUNTING_SUCCESS },
};

enum integrate_sql_id {
	SQL_STATE_GET, SQL_STATE_INTEGRATED, SQL_STATE_FAILED,
	SQL_STATE_ROLLED_BACK, SQL_STATES, SQL_COUNT_INTEGRATED,
	SQL_AUTO_QUEUE, SQL_AUTO_CLAIM, SQL_AUTO_SET, INTEGRATE_SQL__MAX
};

static const char *const integrate_sql[INTEGRATE_SQL__MAX] = {
	[SQL_STATE_GET] =
	    "SELECT state FROM invoice_case_systems"
	    " WHERE case_id = ? AND system = ?",
	[SQL_STATE_INTEGRATED] =
	    "INSERT INTO invoice_case_systems (case_id, org_id, system, state,"
	    " result, integrated_at, integrated_by)"
	    " VALUES (?, ?, ?, 'integrated', ?, NOW(3), ?)"
	    " ON DUPLICATE KEY UPDATE state = 'integrated', error_code = NULL,"
	    " result = VALUES(result), integrated_at = NOW(3),"
	    " integrated_by = VALUES(integrated_by), rolled_back_at = NULL,"
	    " rolled_back_by = NULL",
	[SQL_STATE_FAILED] =
	    "INSERT INTO invoice_case_systems (case_id, org_id, system, state,"
	    " error_code, result) VALUES (?, ?, ?, 'failed', ?, ?)"
	    " ON DUPLICATE KEY UPDATE state = 'failed',"
	    " error_code = VALUES(error_code), result = VALUES(result)",
	[SQL_STATE_ROLLED_BACK] =
	    "UPDATE invoice_case_systems SET state = 'rolled_back',"
	    " rolled_back_at = NOW(3), rolled_back_by = ?"
	    " WHERE case_id = ? AND system = ?",
	[SQL_STATES] =
	    "SELECT system, state, error_code, integrated_at, integrated_by,"
	    " rolled_back_at, rolled_back_by FROM invoice_case_systems"
	    " WHERE case_id = ? ORDER BY id",
	[SQL_COUNT_INTEGRATED] =
	    "SELECT COUNT(*) FROM invoice_case_systems"
	    " WHERE case_id = ? AND state = 'integrated'",
	[SQL_AUTO_QUEUE] =
	    "UPDATE invoice_cases SET auto_state = 'queued', auto_attempts = 0,"
	    " auto_next_at = NOW(3), auto_error = NULL"
	    " WHERE org_id = ? AND public_id = ? AND status = 'approved'"
	    " AND auto_state IS NULL",
	[SQL_AUTO_CLAIM] =
	    "SELECT id, org_id, public_id, auto_attempts FROM invoice_cases"
	    " WHERE auto_state = 'queued' AND auto_next_at <= NOW(3)"
	    " ORDER BY auto_next_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
	[SQL_AUTO_SET] =
	    "UPDATE invoice_cases SET auto_state = ?, auto_attempts = ?,"
	    " auto_next_at = NOW(3) + INTERVAL ? SECOND, auto_error = ?"
	    " WHERE id = ?",
};

const struct db_stmts integrate_stmts = {
	"integrate", integrate_sql, INTEGRATE_SQL__MAX, NULL, 0
};

const char *
integrate_system_name(enum case_system sys)
{
	return (unsigned)sys < CASE_SYS__MAX ? systems[sys].name : NULL;
}

int
integrate_system_parse(const char *name, enum case_system *sys)
{
	size_t	 i;

	for (i = 0; name != NULL && i < CASE_SYS__MAX; i++)
		if (strcmp(systems[i].name, name) == 0) {
			*sys = (enum case_system)i;
			return 1;
		}
	return 0;
}

/* --- states ----------------------------------------------------------- */

/* Each system's state on the case (row id): integrated, rolled_back or
 * failed; not_integrated for a system never tried. */
enum db_code
integrate_states(struct db *db, long long case_rowid,
    struct case_system_states *st)
{
	enum db_code	 code;
	enum case_system sys;
	size_t		 i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < CASE_SYS__MAX; i++) {
		st->v[i].system = systems[i].name;
		st->v[i].state = "not_integrated";
	}
	st->n = CASE_SYS__MAX;
	if ((code = db_query(db, &st->rows, integrate_sql[SQL_STATES],
	    DB_PARAMS(DB_INT(case_rowid)))) != DB_OK)
		return code;
	for (i = 0; i < st->rows->nrows; i++) {
		if (!integrate_system_parse(db_cell(st->rows, i, 0), &sys))
			continue;
		st->v[sys].state = db_cell(st->rows, i, 1);
		st->v[sys].error_code = db_cell(st->rows, i, 2);
		st->v[sys].integrated_at = db_cell(st->rows, i, 3);
		st->v[sys].integrated_by = db_cell(st->rows, i, 4);
		st->v[sys].rolled_back_at = db_cell(st->rows, i, 5);
		st->v[sys].rolled_back_by = db_cell(st->rows, i, 6);
	}
	return DB_OK;
}

void
integrate_states_cleanup(struct case_system_states *st)
{
	db_rows_free(st->rows);
	memset(st, 0, sizeof(*st));
}

/* {"inventory": {"state", ...}, "ap": ..., "accounting": ...}; NULL when
 * the database fails. */
struct json_object *
integrate_states_json(struct db *db, long long case_rowid)
{
	struct case_system_states	 st;
	struct json_object		*o, *s;
	size_t				 i;

	if (integrate_states(db, case_rowid, &st) != DB_OK) {
		integrate_states_cleanup(&st);
		return NULL;
	}
	o = json_object_new_object();
	for (i = 0; i < st.n; i++) {
		s = json_object_new_object();
		json_put_str(s, "state", st.v[i].state);
		json_put_str(s, "error_code", st.v[i].error_code);
		json_object_object_add(s, "integrated_at",
		    json_time(st.v[i].integrated_at));
		json_put_str(s, "integrated_by", st.v[i].integrated_by);
		json_object_object_add(s, "rolled_back_at",
		    json_time(st.v[i].rolled_back_at));
		json_put_str(s, "rolled_back_by", st.v[i].rolled_back_by);
		json_object_object_add(o, st.v[i].system, s);
	}
	integrate_states_cleanup(&st);
	return o;
}

/* The state of sys on the case into state (not_integrated when none). */
static enum db_code
integrate_state(struct db *db, long long case_rowid, enum case_system sys,
    char state[17])
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	snprintf(state, 17, "not_integrated");
	if ((code = db_query(db, &rows, integrate_sql[SQL_STATE_GET],
	    DB_PARAMS(DB_INT(case_rowid), DB_STR(systems[sys].name)))) !=
	    DB_OK)
		return code;
	if (rows->nrows > 0)
		snprintf(state, 17, "%s", db_cell(rows, 0, 0));
	db_rows_free(rows);
	return DB_OK;
}

/* A case whose three systems all hold it is integrated. */
static enum db_code
integrate_mark_case(struct db *db, const struct invoice_case *c)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;
	int		 all;

	if ((code = db_query(db, &rows, integrate_sql[SQL_COUNT_INTEGRATED],
	    DB_PARAMS(DB_INT(c->rowid)))) != DB_OK)
		return code;
	all = atoi(db_cell(rows, 0, 0)) == CASE_SYS__MAX;
	db_rows_free(rows);
	if (all && strcmp(c->status, "integrated") != 0)
		return cases_set_status(db, c->rowid, "integrated");
	return DB_OK;
}

/* --- one system ------------------------------------------------------- */

static int
integrate_status_of(const char *code)
{
	if (strcmp(code, "DUPLICATE_BILL") == 0 ||
	    strcmp(code, "ALREADY_INTEGRATED") == 0 ||
	    strcmp(code, "INSUFFICIENT_STOCK") == 0)
		return 409;
	return 422;
}

static void
integrate_refuse(struct case_outcome *out, int status, const char *code,
    const char *fmt, const char *arg)
{
	out->status = status;
	out->code = code;
	snprintf(out->message, sizeof(out->message), fmt, arg);
}

/* The webhook payload of a success: the contract's fields of the
 * answer, without its status. */
static struct json_object *
integrate_event_payload(const struct json_object *body)
{
	struct json_object	*p = json_object_new_object(), *v;

	json_object_object_foreach((struct json_object *)body, k, val) {
		if (strcmp(k, "status") == 0 || strcmp(k, "errors") == 0)
			continue;
		v = NULL;
		(void)json_object_deep_copy(val, &v, NULL);
		json_object_object_add(p, k, v);
	}
	return p;
}

static enum db_code
integrate_failed_event(struct db *db, long long org_id, const char *case_id,
    enum case_system sys, const char *code, struct json_object *errors)
{
	struct json_object	*p = json_object_new_object(), *e = NULL;

	json_put_str(p, "case_id", case_id);
	json_put_str(p, "system", systems[sys].name);
	json_put_str(p, "error_code", code);
	if (errors != NULL)
		(void)json_object_deep_copy(errors, &e, NULL);
	json_object_object_add(p, "errors", e ? e : json_object_new_array());
	return events_emit(db, org_id, EVENT_INTEGRATION_FAILED, p);
}

/* The step succeeded: the answer body, the system's state, the audit
 * line, the event and maybe the case's status. */
static enum db_code
integrate_done(struct db *db, long long org_id, const struct invoice_case *c,
    enum case_system sys, const char *actor, struct case_step *st,
    struct case_outcome *out)
{
	struct json_object	*b = st->result;
	enum db_code		 code;

	json_put_str(b, "case_id", c->id);
	if (sys == CASE_SYS_INVENTORY)
		json_object_object_add(b, "errors", json_object_new_array());
	json_put_str(b, "status", sys == CASE_SYS_INVENTORY ? "success" :
	    sys == CASE_SYS_AP ? "created" : "posted");
	st->result = NULL;
	out->status = 200;
	out->body = b;
	if ((code = db_exec(db, integrate_sql[SQL_STATE_INTEGRATED], DB_PARAMS(
	    DB_INT(c->rowid), DB_INT(org_id), DB_STR(systems[sys].name),
	    DB_STR(json_to_str(b)), DB_STR(actor)))) != DB_OK ||
	    (code = cases_audit(db, org_id, c->rowid, actor, systems[sys].name,
	    "success", json_to_str(b))) != DB_OK ||
	    (code = events_emit(db, org_id, systems[sys].ok_event,
	    integrate_event_payload(b))) != DB_OK)
		return code;
	return integrate_mark_case(db, c);
}

/* The step was refused and undone: its answer, and the record of it. */
static enum db_code
integrate_refused(struct db *db, long long org_id,
    const struct invoice_case *c, enum case_system sys, const char *actor,
    struct case_step *st, struct case_outcome *out)
{
	struct json_object	*b;
	enum db_code		 code;
	char			 detail[400];

	out->keep = 1;
	integrate_refuse(out, integrate_status_of(st->code), st->code, "%s",
	    st->message[0] ? st->message : st->code);
	if (sys == CASE_SYS_INVENTORY) {
		/* The contract's own body for a failed inventory post. */
		b = json_object_new_object();
		json_put_str(b, "case_id", c->id);
		json_object_object_add(b, "items_created",
		    json_object_new_int(0));
		json_object_object_add(b, "items_updated",
		    json_object_new_int(0));
		json_object_object_add(b, "errors", json_object_get(st->errors));
		json_put_str(b, "status", "failed");
		json_put_str(b, "error_code", st->code);
		out->body = b;
	}
	snprintf(detail, sizeof(detail), "%s: %s", st->code, out->message);
	if ((code = db_exec(db, integrate_sql[SQL_STATE_FAILED], DB_PARAMS(
	    DB_INT(c->rowid), DB_INT(org_id), DB_STR(systems[sys].name),
	    DB_STR(st->code), DB_STR(json_to_str(st->errors))))) != DB_OK ||
	    (code = cases_audit(db, org_id, c->rowid, actor, systems[sys].name,
	    "failed", detail)) != DB_OK)
		return code;
	return integrate_failed_event(db, org_id, c->id, sys, st->code,
	    st->errors);
}

/*
 * Run system sys on the loaded, locked case c in the caller's
 * transaction. CASE_TRANSIENT: the database failed and the caller must
 * roll everything back.
 */
static enum case_res
integrate_step(struct db *db, long long org_id, const struct invoice_case *c,
    enum case_system sys, const char *actor, struct case_outcome *out)
{
	struct case_step	 st;
	enum case_res		 res;
	enum db_code		 code = DB_OK;

	memset(&st, 0, sizeof(st));
	st.db = db;
	st.org_id = org_id;
	st.c = c;
	st.actor = actor;
	st.result = json_object_new_object();
	st.errors = json_object_new_array();
	if (db_savepoint(db) != DB_OK)
		res = CASE_TRANSIENT;
	else if ((res = systems[sys].integrate(&st)) == CASE_DONE)
		code = integrate_done(db, org_id, c, sys, actor, &st, out);
	else if (res == CASE_REFUSED) {
		if (st.code == NULL)
			st.code = "INTEGRATION_FAILED";
		if ((code = db_rollback_to_savepoint(db)) == DB_OK)
			code = integrate_refused(db, org_id, c, sys, actor, &st,
			    out);
	} else
		res = CASE_TRANSIENT;
	json_object_put(st.result);
	json_object_put(st.errors);
	if (code != DB_OK)
		res = CASE_TRANSIENT;
	if (res == CASE_TRANSIENT) {
		json_object_put(out->body);
		out->body = NULL;
		out->keep = 0;
		integrate_refuse(out, 503, NULL, "%s", "database unavailable; "
		    "nothing was written");
	}
	return res;
}

/* Checks before a step on a locked case; 0 after filling out. */
static int
integrate_may_run(struct db *db, long long org_id,
    const struct invoice_case *c, enum case_system sys, const char *actor,
    struct case_outcome *out)
{
	char	 state[17], detail[128];

	if (!cases_may_integrate(c->status)) {
		integrate_refuse(out, 403, "CASE_NOT_APPROVED", "case is %s; "
		    "only an approved case can be integrated", c->status);
		return 0;
	}
	if (integrate_state(db, c->rowid, sys, state) != DB_OK) {
		integrate_refuse(out, 503, NULL, "%s", "database unavailable");
		return 0;
	}
	if (strcmp(state, "integrated") != 0)
		return 1;
	integrate_refuse(out, 409, "ALREADY_INTEGRATED", "case is already "
	    "integrated with %s; roll it back first", systems[sys].name);
	snprintf(detail, sizeof(detail), "ALREADY_INTEGRATED");
	out->keep = cases_audit(db, org_id, c->rowid, actor, systems[sys].name,
	    "refused", detail) == DB_OK;
	return 0;
}

/*
 * POST /api/integrations/{system} without HTTP: integrate case_id of
 * org with sys as actor, in the caller's transaction; out says what to
 * answer and whether to commit an error's record.
 */
void
integrate_case(struct db *db, long long org_id, const char *case_id,
    enum case_system sys, const char *actor, struct case_outcome *out)
{
	struct invoice_case	 c;
	enum db_code		 code;

	memset(out, 0, sizeof(*out));
	if ((code = cases_load(db, org_id, case_id, 1, &c)) == DB_NOTFOUND)
		integrate_refuse(out, 404, "CASE_NOT_FOUND", "no case %s",
		    case_id);
	else if (code != DB_OK)
		integrate_refuse(out, 503, NULL, "%s", "database unavailable");
	else if (integrate_may_run(db, org_id, &c, sys, actor, out))
		(void)integrate_step(db, org_id, &c, sys, actor, out);
	cases_release(&c);
}

/* --- the endpoints ---------------------------------------------------- */

/* Answer what integrating or rolling back decided. */
static void
integrate_answer(struct req *r, struct case_outcome *out)
{
	if (out->keep)
		req_keep(r);
	if (out->body != NULL)
		req_resp_json(r, out->status, out->body);
	else
		req_resp_error(r, out->status, out->code, "%s", out->message);
}

/* The body's case_id, and tenant_id when given (the key's slug, else
 * 403); 0 after answering. */
static int
integrate_read_case(struct req *r, struct json_object *b, const char **id)
{
	const char	*tenant;

	if (!valid_object(r, b) ||
	    !valid_string(r, b, "case_id", 1, 1, CASE_PUBLIC_ID_LEN - 1, id) ||
	    !valid_string(r, b, "tenant_id", 0, 1, 64, &tenant))
		return 0;
	if (tenant != NULL && strcmp(tenant, r->principal.org_slug) != 0) {
		req_resp_error(r, 403, "TENANT_MISMATCH", "tenant_id: %s is not "
		    "the organization of this key", tenant);
		return 0;
	}
	return 1;
}

/* POST /api/integrations/{inventory,ap,accounting} */
void
integrate_post(struct req *r)
{
	struct json_object	*b = req_json_body(r);
	struct case_outcome	 out;
	enum case_system	 sys;
	const char		*id, *name = strrchr(r->in.path, '/') + 1;
	char			 actor[256];

	if (b == NULL)
		return;
	if (!integrate_system_parse(name, &sys))
		req_resp_error(r, 404, NULL, "no such system: %s", name);
	else if (integrate_read_case(r, b, &id)) {
		principal_actor(&r->principal, actor, sizeof(actor));
		integrate_case(r->db, r->principal.org_id, id, sys, actor,
		    &out);
		integrate_answer(r, &out);
	}
	json_object_put(b);
}

/* --- rollback --------------------------------------------------------- */

/* Roll sys back on the locked case c: "success", "not_integrated" or
 * the refusal's code (static) into *status. 0 on a database failure. */
static int
integrate_rollback_one(struct db *db, long long org_id,
    const struct invoice_case *c, enum case_system sys, const char *actor,
    const char **status)
{
	struct case_step	 st;
	enum case_res		 res = CASE_TRANSIENT;
	char			 state[17], detail[300];

	*status = "not_integrated";
	if (integrate_state(db, c->rowid, sys, state) != DB_OK)
		return 0;
	if (strcmp(state, "integrated") != 0)
		return 1;
	memset(&st, 0, sizeof(st));
	st.db = db;
	st.org_id = org_id;
	st.c = c;
	st.actor = actor;
	st.result = json_object_new_object();
	st.errors = json_object_new_array();
	if (db_savepoint(db) == DB_OK)
		res = systems[sys].rollback(&st);
	if (res == CASE_REFUSED && db_rollback_to_savepoint(db) == DB_OK) {
		*status = st.code ? st.code : "ROLLBACK_FAILED";
		/* The refusal's message (which SKU, ...) is only told here. */
		snprintf(detail, sizeof(detail), "%s%s%s", systems[sys].name,
		    st.message[0] ? ": " : "", st.message);
		res = cases_audit(db, org_id, c->rowid, actor, "rollback",
		    *status, detail) == DB_OK ? res : CASE_TRANSIENT;
	} else if (res == CASE_DONE || res == CASE_NOTHING) {
		*status = "success";
		if (db_exec(db, integrate_sql[SQL_STATE_ROLLED_BACK], DB_PARAMS(
		    DB_STR(actor), DB_INT(c->rowid),
		    DB_STR(systems[sys].name))) != DB_OK ||
		    cases_audit(db, org_id, c->rowid, actor, "rollback",
		    "success", systems[sys].name) != DB_OK)
			res = CASE_TRANSIENT;
	} else
		res = CASE_TRANSIENT;
	json_object_put(st.result);
	json_object_put(st.errors);
	return res != CASE_TRANSIENT;
}

/* Roll back the systems flagged in which on the locked case c, the
 * reverse of their integration order; fills statuses; counts. */
static int
integrate_rollback_all(struct db *db, long long org_id,
    const struct invoice_case *c, const int which[CASE_SYS__MAX],
    const char *actor, const char *status[CASE_SYS__MAX], int *done,
    int *failed)
{
	int	 i;

	*done = *failed = 0;
	for (i = CASE_SYS__MAX - 1; i >= 0; i--) {
		status[i] = NULL;
		if (!which[i])
			continue;
		if (!integrate_rollback_one(db, org_id, c, (enum case_system)i,
		    actor, &status[i]))
			return 0;
		if (strcmp(status[i], "success") == 0)
			(*done)++;
		else if (strcmp(status[i], "not_integrated") != 0)
			(*failed)++;
	}
	return 1;
}

static enum db_code
integrate_rolled_back(struct db *db, long long org_id,
    const struct invoice_case *c, struct json_object *statuses)
{
	struct json_object	*p = json_object_new_object(), *s = NULL;
	enum db_code		 code;

	/* A case no longer held by every system is back to approved. */
	if (strcmp(c->status, "integrated") == 0 &&
	    (code = cases_set_status(db, c->rowid, "approved")) != DB_OK) {
		json_object_put(p);
		return code;
	}
	json_put_str(p, "case_id", c->id);
	(void)json_object_deep_copy(statuses, &s, NULL);
	json_object_object_add(p, "rollback_status", s);
	return events_emit(db, org_id, EVENT_INTEGRATION_ROLLED_BACK, p);
}

static struct json_object *
integrate_rollback_body(const struct invoice_case *c,
    const int which[CASE_SYS__MAX], const char *status[CASE_SYS__MAX],
    int done, int failed, struct json_object **statuses)
{
	struct json_object	*o = json_object_new_object(), *s;
	size_t			 i;

	s = json_object_new_object();
	for (i = 0; i < CASE_SYS__MAX; i++)
		if (which[i])
			json_put_str(s, systems[i].name, status[i]);
	json_put_str(o, "case_id", c->id);
	json_object_object_add(o, "rollback_status", s);
	json_put_str(o, "status", failed == 0 && done > 0 ? "rolled_back" :
	    failed == 0 ? "not_integrated" : done > 0 ?
	    "partially_rolled_back" : "failed");
	*statuses = s;
	return o;
}

/*
 * Roll back the systems flagged in which on case_id of org, each behind
 * its own savepoint, in the caller's transaction.
 */
void
integrate_rollback_case(struct db *db, long long org_id, const char *case_id,
    const int which[CASE_SYS__MAX], const char *actor,
    struct case_outcome *out)
{
	struct invoice_case	 c;
	struct json_object	*statuses;
	const char		*status[CASE_SYS__MAX];
	enum db_code		 code;
	int			 done, failed;

	memset(out, 0, sizeof(*out));
	if ((code = cases_load(db, org_id, case_id, 1, &c)) == DB_NOTFOUND)
		integrate_refuse(out, 404, "CASE_NOT_FOUND", "no case %s",
		    case_id);
	else if (code != DB_OK || !integrate_rollback_all(db, org_id, &c,
	    which, actor, status, &done, &failed))
		integrate_refuse(out, 503, NULL, "%s", "database unavailable; "
		    "nothing was written");
	else {
		out->body = integrate_rollback_body(&c, which, status, done,
		    failed, &statuses);
		out->status = 200;
		if (done > 0 && integrate_rolled_back(db, org_id, &c,
		    statuses) != DB_OK) {
			json_object_put(out->body);
			out->body = NULL;
			integrate_refuse(out, 503, NULL, "%s",
			    "database unavailable; nothing was written");
		}
	}
	cases_release(&c);
}

/* The body's systems (all three when absent); 0 after answering. */
static int
integrate_read_systems(struct req *r, struct json_object *b,
    int which[CASE_SYS__MAX])
{
	struct json_object	*arr = valid_get(b, "systems"), *v;
	enum case_system	 sys;
	size_t			 i, n;

	for (i = 0; i < CASE_SYS__MAX; i++)
		which[i] = arr == NULL;
	if (arr == NULL)
		return 1;
	if (!json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) == 0 || n > CASE_SYS__MAX) {
		req_resp_error(r, 400, "invalid_body", "systems: expected 1 to 3 "
		    "of inventory, ap, accounting");
		return 0;
	}
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_string) ||
		    !integrate_system_parse(json_object_get_string(v), &sys) ||
		    which[sys]++) {
			req_resp_error(r, 400, "invalid_body", "systems[%zu]: "
			    "expected one of inventory, ap, accounting, each "
			    "once", i);
			return 0;
		}
	}
	return 1;
}

/* POST /api/integrations/rollback */
void
integrate_rollback(struct req *r)
{
	struct json_object	*b = req_json_body(r);
	struct case_outcome	 out;
	const char		*id;
	int			 which[CASE_SYS__MAX];
	char			 actor[256];

	if (b == NULL)
		return;
	if (integrate_read_case(r, b, &id) &&
	    integrate_read_systems(r, b, which)) {
		principal_actor(&r->principal, actor, sizeof(actor));
		integrate_rollback_case(r->db, r->principal.org_id, id, which,
		    actor, &out);
		integrate_answer(r, &out);
	}
	json_object_put(b);
}

/* --- automatic integration ------------------------------------------ */

/* case.approved: queue the case when its organization integrated
 * automatically at approval time (the event says so). */
static enum db_code
integrate_auto_queue(struct db *db, const struct event *ev, void *ctx)
{
	struct json_object	*p, *id, *on;
	enum db_code		 code = DB_OK;

	(void)ctx;
	if ((p = json_tokener_parse(ev->payload)) == NULL) {
		log_warn("cases: event %lld: payload is not JSON", ev->id);
		return DB_OK;
	}
	if (json_object_object_get_ex(p, "auto_integrate", &on) &&
	    json_object_get_boolean(on) &&
	    json_object_object_get_ex(p, "case_id", &id))
		code = db_exec(db, integrate_sql[SQL_AUTO_QUEUE], DB_PARAMS(
		    DB_INT(ev->org_id), DB_STR(json_object_get_string(id))));
	json_object_put(p);
	return code;
}

/* Undo, after a permanent failure, the systems this run integrated. */
static int
integrate_auto_undo(struct db *db, long long org_id,
    const struct invoice_case *c, const int ran[CASE_SYS__MAX])
{
	const char	*status[CASE_SYS__MAX];
	int		 done, failed;

	return integrate_rollback_all(db, org_id, c, ran, AUTO_ACTOR, status,
	    &done, &failed) && (done == 0 || integrate_rolled_back(db, org_id,
	    c, NULL) == DB_OK) && failed == 0;
}

/* Run the settings' systems on the locked case c; the case's final
 * status into final. CASE_TRANSIENT: roll back and retry later. */
static enum case_res
integrate_auto_systems(struct db *db, long long org_id,
    const struct invoice_case *c, const struct case_settings *s,
    const char **final)
{
	struct case_outcome	 out;
	int			 ran[CASE_SYS__MAX] = { 0 }, i, sys;
	char			 state[17];
	enum case_res		 res;

	*final = "integrated";
	for (i = 0; i < CASE_SYS__MAX && (sys = s->auto_systems[i]) >= 0;
	    i++) {
		if (integrate_state(db, c->rowid, (enum case_system)sys,
		    state) != DB_OK)
			return CASE_TRANSIENT;
		if (strcmp(state, "integrated") == 0)
			continue;
		memset(&out, 0, sizeof(out));
		res = integrate_step(db, org_id, c, (enum case_system)sys,
		    AUTO_ACTOR, &out);
		json_object_put(out.body);
		if (res == CASE_TRANSIENT)
			return res;
		if (res == CASE_DONE) {
			ran[sys] = 1;
			continue;
		}
		*final = "needs_review";
		if (s->rollback_on_failure)
			*final = integrate_auto_undo(db, org_id, c, ran) ?
			    "failed" : "needs_review";
		return CASE_REFUSED;
	}
	return CASE_DONE;
}

/* Integrate the claimed, queued case (row of claim) in one transaction. */
static enum case_res
integrate_auto_case(struct db *db, const struct db_rows *claim)
{
	struct invoice_case	 c;
	struct case_settings	 s;
	const char		*final = NULL;
	long long		 org_id = atoll(db_cell(claim, 0, 1));
	enum case_res		 res = CASE_TRANSIENT;

	if (cases_load(db, org_id, db_cell(claim, 0, 2), 1, &c) == DB_OK &&
	    cases_settings_load(db, org_id, &s) == DB_OK) {
		res = cases_may_integrate(c.status) ?
		    integrate_auto_systems(db, org_id, &c, &s, &final) :
		    CASE_NOTHING;
		if (final != NULL && res != CASE_TRANSIENT &&
		    (cases_set_status(db, c.rowid, final) != DB_OK ||
		    cases_audit(db, org_id, c.rowid, AUTO_ACTOR,
		    "auto_integrate", final, NULL) != DB_OK))
			res = CASE_TRANSIENT;
	}
	cases_release(&c);
	return res;
}

/* A transient failure: try again after 2^attempts seconds, or give the
 * case to a person after AUTO_MAX_ATTEMPTS. */
static void
integrate_auto_retry(struct db *db, long long rowid, long long attempts,
    const char *err)
{
	long long	 delay = 1LL << (attempts < 12 ? attempts : 12);
	int		 give_up = attempts + 1 >= AUTO_MAX_ATTEMPTS;

	if (delay > AUTO_MAX_DELAY_S)
		delay = AUTO_MAX_DELAY_S;
	log_warn("cases: automatic integration of case row %lld failed "
	    "(attempt %lld): %s", rowid, attempts + 1, err);
	if (db_begin(db) != DB_OK)
		return;
	if (db_exec(db, integrate_sql[SQL_AUTO_SET], DB_PARAMS(
	    DB_STR(give_up ? "done" : "queued"), DB_INT(attempts + 1),
	    DB_INT(delay), DB_STR(err), DB_INT(rowid))) != DB_OK ||
	    (give_up && cases_set_status(db, rowid, "needs_review") != DB_OK) ||
	    db_commit(db) != DB_OK)
		db_rollback(db);
}

/* Claim one due case and integrate it; 1 when there was one. */
static int
integrate_auto_next(struct db *db)
{
	struct db_rows	*claim = NULL;
	long long	 rowid, attempts;
	char		 err[256];
	int		 found = 0;

	if (db_begin(db) != DB_OK)
		return 0;
	if (db_query(db, &claim, integrate_sql[SQL_AUTO_CLAIM], DB_NONE) !=
	    DB_OK || claim->nrows == 0) {
		db_rollback(db);
		db_rows_free(claim);
		return 0;
	}
	rowid = atoll(db_cell(claim, 0, 0));
	attempts = atoll(db_cell(claim, 0, 3));
	found = 1;
	if (integrate_auto_case(db, claim) != CASE_TRANSIENT &&
	    db_exec(db, integrate_sql[SQL_AUTO_SET], DB_PARAMS(DB_STR("done"),
	    DB_INT(attempts + 1), DB_INT(0), DB_NULL, DB_INT(rowid))) == DB_OK &&
	    db_commit(db) == DB_OK) {
		db_rows_free(claim);
		return found;
	}
	snprintf(err, sizeof(err), "%s", db_errstr(db));
	db_rollback(db);
	integrate_auto_retry(db, rowid, attempts, err);
	db_rows_free(claim);
	return found;
}

/* The worker's job: queue newly approved cases, then integrate the due
 * ones. Any number of workers may run it (cursor and rows are leased). */
int
integrate_auto_job(struct db *db, const struct conf *conf)
{
	int	 n, i, done = 0;

	if ((n = events_consume(db, conf, AUTO_CONSUMER,
	    EVENT_BIT(EVENT_CASE_APPROVED), integrate_auto_queue, NULL)) > 0)
		done += n;
	for (i = 0; i < AUTO_BATCH && integrate_auto_next(db); i++)
		done++;
	return done;
}
