/*
 * timeline.c - what the console shows of an organization's activity:
 * its events newest first, a page at a time after an opaque cursor over
 * (occurred_at, id), filtered by app, worker, category, event type and
 * time; the strip of each worker's current snapshots; and the workers
 * to filter by. Every query is scoped by organization. The page query
 * walks ix_act_timeline (org_id, occurred_at, id) backwards from the
 * cursor and stops at the page's end (README shows its EXPLAIN).
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "ingest/ingest.h"

/* When a page has no cursor or no time range: before and after any row. */
#define TIMELINE_TIME_MIN	"1000-01-01 00:00:00.000"
#define TIMELINE_TIME_MAX	"9999-12-31 23:59:59.999"
#define TIMELINE_CURSOR_TAG	"t1."
#define TIMELINE_STRIP_MAX	"500"	/* current snapshots shown */
#define TIMELINE_WORKERS_MAX	"1000"	/* workers offered as a filter */

enum timeline_sql_id {
	SQL_TL_PAGE, SQL_TL_STRIP, SQL_TL_WORKERS, TIMELINE_SQL__MAX
};

static const char *const timeline_sql[TIMELINE_SQL__MAX] = {
	/*
	 * The page is picked from activity_events alone, walking
	 * ix_act_timeline backwards from the cursor and stopping at LIMIT;
	 * only those rows are joined for the app's and worker's names. The
	 * filters are "? IS NULL OR …": a NULL value is no filter, and a
	 * filter is checked on each row of the walk. FORCE INDEX: without
	 * it MariaDB 10.11 takes ref access on org_id alone for ORDER BY …
	 * LIMIT, which starts at the organization's newest row and reads
	 * every row above the cursor again on each older page.
	 */
	[SQL_TL_PAGE] =
	    "SELECT e.public_id,"
	    " CONCAT(LEFT(DATE_FORMAT(e.occurred_at, '%Y-%m-%dT%H:%i:%s.%f'),"
	    " 23), 'Z'), e.event_type, e.category, e.duration_s, e.metadata,"
	    " a.slug, w.public_id, w.display_name, e.id"
	    " FROM (SELECT id, public_id, app_id, worker_id, event_type,"
	    "  category, occurred_at, duration_s, metadata"
	    "  FROM activity_events FORCE INDEX (ix_act_timeline)"
	    "  WHERE org_id = ? AND occurred_at >= ? AND occurred_at < ?"
	    "  AND (occurred_at < ? OR (occurred_at = ? AND id < ?))"
	    "  AND (? IS NULL OR app_id ="
	    "   (SELECT id FROM ingest_apps WHERE org_id = ? AND slug = ?))"
	    "  AND (? IS NULL OR worker_id ="
	    "   (SELECT id FROM workers WHERE org_id = ? AND public_id = ?))"
	    "  AND (? IS NULL OR category = ?)"
	    "  AND (? IS NULL OR event_type = ?)"
	    "  ORDER BY occurred_at DESC, id DESC LIMIT ?) e"
	    " LEFT JOIN ingest_apps a ON a.id = e.app_id"
	    " LEFT JOIN workers w ON w.id = e.worker_id"
	    " ORDER BY e.occurred_at DESC, e.id DESC",
	[SQL_TL_STRIP] =
	    "SELECT w.public_id, w.display_name, a.slug, s.snapshot_type,"
	    " DATE_FORMAT(s.taken_at, '%Y-%m-%dT%H:%i:%sZ'), s.metrics"
	    " FROM activity_snapshots s"
	    " JOIN workers w ON w.id = s.worker_id"
	    " JOIN ingest_apps a ON a.id = s.app_id"
	    " WHERE s.org_id = ? AND (? IS NULL OR a.slug = ?)"
	    " AND (? IS NULL OR w.public_id = ?)"
	    " ORDER BY w.display_name, w.id, a.slug, s.snapshot_type"
	    " LIMIT " TIMELINE_STRIP_MAX,
	[SQL_TL_WORKERS] =
	    "SELECT public_id, display_name FROM workers WHERE org_id = ?"
	    " ORDER BY display_name, id LIMIT " TIMELINE_WORKERS_MAX,
};

const struct db_stmts timeline_stmts = {
	"timeline", timeline_sql, TIMELINE_SQL__MAX, NULL, 0
};

/*
 * Set f's cursor from c, a cursor timeline_list gave; 0 when c is not
 * one. The cursor is "t1.<occurred_at in ms>.<row id>", base64url.
 */
int
timeline_cursor_parse(const char *c, struct timeline_filter *f)
{
	unsigned char	 bin[TIMELINE_CURSOR_MAX];
	char		 text[TIMELINE_CURSOR_MAX], *dot;
	size_t		 len;
	long long	 ms;

	if (strlen(c) >= TIMELINE_CURSOR_MAX || sodium_base642bin(bin,
	    sizeof(bin) - 1, c, strlen(c), NULL, &len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return 0;
	memcpy(text, bin, len);
	text[len] = '\0';
	if (strncmp(text, TIMELINE_CURSOR_TAG, 3) != 0 ||
	    (dot = strchr(text + 3, '.')) == NULL)
		return 0;
	*dot = '\0';
	if (!util_strtonum(text + 3, 0, 253402300799999LL, &ms) ||
	    !util_strtonum(dot + 1, 1, INT64_MAX, &f->before_id))
		return 0;
	util_sql_time(ms, f->before_at);
	return 1;
}

/* The cursor after event e (its time as the view shows it) into out. */
static void
timeline_cursor_make(const char *occurred_at, const char *rowid,
    char out[TIMELINE_CURSOR_MAX])
{
	char	 text[64];
	int64_t	 ms;

	out[0] = '\0';
	if (!util_parse_time(occurred_at, &ms))
		return;
	snprintf(text, sizeof(text), TIMELINE_CURSOR_TAG "%lld.%s",
	    (long long)ms, rowid);
	sodium_bin2base64(out, TIMELINE_CURSOR_MAX, (unsigned char *)text,
	    strlen(text), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

enum tl_col {
	TC_ID, TC_AT, TC_TYPE, TC_CATEGORY, TC_DURATION, TC_METADATA, TC_APP,
	TC_WORKER, TC_WORKER_NAME, TC_ROWID
};

/*
 * One page of org's events, newest first, as f filters and pages them,
 * into p: at most f->limit events and, when more follow, the cursor of
 * the next page in p->next. Strings are borrowed from p. Free with
 * timeline_list_cleanup, also after a failure.
 */
enum db_code
timeline_list(struct db *db, long long org_id, const struct timeline_filter *f,
    struct timeline_page *p)
{
	struct timeline_event	*e;
	enum db_code		 code;
	const char		*before = f->before_id ? f->before_at :
				    TIMELINE_TIME_MAX;

	memset(p, 0, sizeof(*p));
	if ((p->v = db_query_view(db, &p->rows, sizeof(*p->v), &code,
	    timeline_sql[SQL_TL_PAGE], DB_PARAMS(DB_INT(org_id),
	    DB_STR(f->from[0] ? f->from : TIMELINE_TIME_MIN),
	    DB_STR(f->to[0] ? f->to : TIMELINE_TIME_MAX),
	    DB_STR(before), DB_STR(before),
	    DB_INT(f->before_id ? f->before_id : INT64_MAX),
	    DB_STR(f->app), DB_INT(org_id), DB_STR(f->app),
	    DB_STR(f->worker), DB_INT(org_id), DB_STR(f->worker),
	    DB_STR(f->category), DB_STR(f->category),
	    DB_STR(f->event_type), DB_STR(f->event_type),
	    DB_INT(f->limit + 1)))) == NULL)
		return code;
	for (; p->n < p->rows->nrows && p->n < (size_t)f->limit; p->n++) {
		e = &p->v[p->n];
		e->id = db_cell(p->rows, p->n, TC_ID);
		e->occurred_at = db_cell(p->rows, p->n, TC_AT);
		e->event_type = db_cell(p->rows, p->n, TC_TYPE);
		e->category = db_cell(p->rows, p->n, TC_CATEGORY);
		e->duration_s = db_cell(p->rows, p->n, TC_DURATION);
		e->metadata = db_cell(p->rows, p->n, TC_METADATA);
		e->app = db_cell(p->rows, p->n, TC_APP);
		e->worker_id = db_cell(p->rows, p->n, TC_WORKER);
		e->worker_name = db_cell(p->rows, p->n, TC_WORKER_NAME);
	}
	/* The extra row says more follow: the cursor is after the last shown. */
	if (p->rows->nrows > p->n && p->n > 0)
		timeline_cursor_make(p->v[p->n - 1].occurred_at,
		    db_cell(p->rows, p->n - 1, TC_ROWID), p->next);
	return DB_OK;
}

/* Free what timeline_list filled; safe on a zeroed p. */
void
timeline_list_cleanup(struct timeline_page *p)
{
	free(p->v);
	db_rows_free(p->rows);
	memset(p, 0, sizeof(*p));
}

/* A JSON value as text; the object's own, borrowed from it. */
static const char *
timeline_json_text(struct json_object *v)
{
	return v == NULL ? "null" : json_object_get_string(v);
}

/* The metrics of one snapshot (a JSON object, as the contract shapes
 * it: a number, a string or {value, unit, label}) into m; how many. */
static size_t
timeline_metrics(struct json_object *o, struct timeline_metric *m)
{
	struct json_object	*v, *x;
	size_t			 n = 0;

	json_object_object_foreach(o, name, val) {
		m[n].name = name;
		m[n].value = timeline_json_text(val);
		m[n].unit = m[n].label = NULL;
		if (json_object_is_type(val, json_type_object)) {
			v = json_object_object_get_ex(val, "value", &x) ? x :
			    NULL;
			m[n].value = timeline_json_text(v);
			if (json_object_object_get_ex(val, "unit", &x) &&
			    json_object_is_type(x, json_type_string))
				m[n].unit = json_object_get_string(x);
			if (json_object_object_get_ex(val, "label", &x) &&
			    json_object_is_type(x, json_type_string))
				m[n].label = json_object_get_string(x);
		}
		n++;
	}
	return n;
}

enum strip_col { SC_WORKER, SC_NAME, SC_APP, SC_TYPE, SC_AT, SC_METRICS };

/* Parse each row's metrics into s->json; the total count into *n. */
static enum db_code
timeline_strip_parse(struct timeline_strip *s, size_t *n)
{
	struct json_object	*o;
	size_t			 i;

	*n = 0;
	if ((s->json = calloc(s->rows->nrows ? s->rows->nrows : 1,
	    sizeof(*s->json))) == NULL)
		return DB_ERROR;
	for (i = 0; i < s->rows->nrows; i++) {
		o = json_tokener_parse(db_cell(s->rows, i, SC_METRICS));
		if (o != NULL && !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			o = NULL;
		}
		s->json[i] = o;
		if (o != NULL)
			*n += (size_t)json_object_object_length(o);
	}
	return DB_OK;
}

/*
 * The current snapshot of each worker, app and snapshot type of org (at
 * most 500), by worker, into s; f's app and worker filter them. Strings
 * are borrowed from s. Free with timeline_strip_cleanup, also after a
 * failure.
 */
enum db_code
timeline_strip(struct db *db, long long org_id,
    const struct timeline_filter *f, struct timeline_strip *s)
{
	struct timeline_strip_worker	*w = NULL;
	struct timeline_snapshot	*sn;
	enum db_code			 code;
	size_t				 i, nmetrics, used = 0;

	memset(s, 0, sizeof(*s));
	if ((s->v = db_query_view(db, &s->rows, sizeof(*s->v), &code,
	    timeline_sql[SQL_TL_STRIP], DB_PARAMS(DB_INT(org_id),
	    DB_STR(f->app), DB_STR(f->app), DB_STR(f->worker),
	    DB_STR(f->worker)))) == NULL)
		return code;
	if ((code = timeline_strip_parse(s, &nmetrics)) != DB_OK)
		return code;
	if ((s->snaps = calloc(s->rows->nrows ? s->rows->nrows : 1,
	    sizeof(*s->snaps))) == NULL || (s->metrics = calloc(nmetrics ?
	    nmetrics : 1, sizeof(*s->metrics))) == NULL)
		return DB_ERROR;
	/* The rows come by worker: a new worker id starts a worker. */
	for (i = 0; i < s->rows->nrows; i++) {
		if (w == NULL || strcmp(w->id, db_cell(s->rows, i,
		    SC_WORKER)) != 0) {
			w = &s->v[s->n++];
			w->id = db_cell(s->rows, i, SC_WORKER);
			w->name = db_cell(s->rows, i, SC_NAME);
			w->snaps = &s->snaps[i];
		}
		sn = &s->snaps[i];
		sn->app = db_cell(s->rows, i, SC_APP);
		sn->type = db_cell(s->rows, i, SC_TYPE);
		sn->taken_at = db_cell(s->rows, i, SC_AT);
		sn->metrics = &s->metrics[used];
		if (s->json[i] != NULL)
			sn->nmetrics = timeline_metrics(s->json[i], sn->metrics);
		used += sn->nmetrics;
		w->nsnaps++;
	}
	return DB_OK;
}

/* Free what timeline_strip filled; safe on a zeroed s. */
void
timeline_strip_cleanup(struct timeline_strip *s)
{
	size_t	 i;

	for (i = 0; s->json != NULL && i < s->rows->nrows; i++)
		json_object_put(s->json[i]);
	free(s->json);
	free(s->metrics);
	free(s->snaps);
	free(s->v);
	db_rows_free(s->rows);
	memset(s, 0, sizeof(*s));
}

enum worker_col { WC_ID, WC_NAME };

/*
 * The workers of org (at most 1000), by name, into l, to filter the
 * timeline by; strings are borrowed from l. Free with
 * timeline_workers_cleanup, also after a failure.
 */
enum db_code
timeline_workers(struct db *db, long long org_id, struct timeline_workers *l)
{
	enum db_code	 code;

	memset(l, 0, sizeof(*l));
	if ((l->v = db_query_view(db, &l->rows, sizeof(*l->v), &code,
	    timeline_sql[SQL_TL_WORKERS], DB_PARAMS(DB_INT(org_id)))) == NULL)
		return code;
	for (; l->n < l->rows->nrows; l->n++) {
		l->v[l->n].id = db_cell(l->rows, l->n, WC_ID);
		l->v[l->n].name = db_cell(l->rows, l->n, WC_NAME);
	}
	return DB_OK;
}

/* Free what timeline_workers filled; safe on a zeroed l. */
void
timeline_workers_cleanup(struct timeline_workers *l)
{
	free(l->v);
	db_rows_free(l->rows);
	memset(l, 0, sizeof(*l));
}
