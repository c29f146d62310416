/*
 * views.c - typed views of checklists for the console's page: the
 * instances of the organization's day and what is still overdue of the
 * days before, each with its items; the last days at a glance (one row
 * per template and day); the templates with their items; and the
 * organization's time zone, read and set. Every statement is scoped by
 * organization. Strings are borrowed from the view's rows.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checklists/checklists.h"

enum views_checklists_sql_id {
	SQL_CLVIEW_INSTANCES, SQL_CLVIEW_INSTANCE_ITEMS, SQL_CLVIEW_DAYS,
	SQL_CLVIEW_TEMPLATES, SQL_CLVIEW_TEMPLATE_ITEMS,
	VIEWS_CHECKLISTS_SQL__MAX
};

/*
 * The day's instances (local_date = ?) and the ones of the days before
 * that are past due and not done: bound as org, day, now (ms), day. The
 * due_at window keeps the scan on ix_clinst_org_due (a local day is
 * within a day of UTC; the days before go back CLVIEWS_DAYS).
 */
#define CLVIEW_INSTANCES_WHERE \
	" WHERE i.org_id = ?" \
	" AND i.due_at >= UTC_TIMESTAMP(3) - INTERVAL 16 DAY" \
	" AND i.due_at < UTC_TIMESTAMP(3) + INTERVAL 2 DAY" \
	" AND (i.local_date = ? OR (i.status <> 'completed'" \
	"  AND i.due_at < FROM_UNIXTIME(? / 1000)" \
	"  AND i.local_date >= DATE_SUB(?, INTERVAL 13 DAY)))"

#define CLVIEW_ITEM_COLUMNS(tbl) \
	"SELECT " tbl ".public_id, " tbl ".text, " tbl ".required"

static const char *const views_checklists_sql[VIEWS_CHECKLISTS_SQL__MAX] = {
	[SQL_CLVIEW_INSTANCES] =
	    "SELECT i.public_id, i.template_title, i.status,"
	    " DATE_FORMAT(i.local_date, '%Y-%m-%d'), i.completed_by,"
	    " CAST(UNIX_TIMESTAMP(i.due_at) * 1000 AS SIGNED),"
	    " CAST(UNIX_TIMESTAMP(i.grace_until) * 1000 AS SIGNED),"
	    " CAST(UNIX_TIMESTAMP(i.completed_at) * 1000 AS SIGNED), i.late"
	    " FROM checklist_instances i" CLVIEW_INSTANCES_WHERE
	    " ORDER BY i.due_at, i.id LIMIT ?",
	/* In the order of the instances, so each one's run follows. */
	[SQL_CLVIEW_INSTANCE_ITEMS] = CLVIEW_ITEM_COLUMNS("ii")
	    ", ii.done, i.public_id"
	    " FROM checklist_instances i JOIN checklist_instance_items ii"
	    " ON ii.instance_id = i.id AND ii.org_id = i.org_id"
	    CLVIEW_INSTANCES_WHERE
	    " ORDER BY i.due_at, i.id, ii.position",
	/* The template's title as it is now: a renamed routine keeps its
	 * row. Deleted templates keep theirs too: their history happened. */
	[SQL_CLVIEW_DAYS] =
	    "SELECT t.public_id, t.title, DATE_FORMAT(i.local_date, '%Y-%m-%d'),"
	    " i.status, i.late"
	    " FROM checklist_instances i JOIN checklist_templates t"
	    " ON t.id = i.template_id AND t.org_id = i.org_id"
	    " WHERE i.org_id = ? AND i.local_date BETWEEN ? AND ?"
	    " ORDER BY t.title, t.id, i.local_date, i.due_at LIMIT ?",
	[SQL_CLVIEW_TEMPLATES] =
	    "SELECT public_id, title, schedule_kind, weekdays, due_time,"
	    " due_after_minutes, active"
	    " FROM checklist_templates"
	    " WHERE org_id = ? AND deleted_at IS NULL"
	    " ORDER BY title, id LIMIT ?",
	[SQL_CLVIEW_TEMPLATE_ITEMS] = CLVIEW_ITEM_COLUMNS("ti")
	    ", 0, t.public_id"
	    " FROM checklist_templates t JOIN checklist_template_items ti"
	    " ON ti.template_id = t.id AND ti.org_id = t.org_id"
	    " WHERE t.org_id = ? AND t.deleted_at IS NULL"
	    " ORDER BY t.title, t.id, ti.position",
};

const struct db_stmts views_checklists_stmts = {
	"views_checklists", views_checklists_sql, VIEWS_CHECKLISTS_SQL__MAX,
	NULL, 0
};

enum clview_inst_col {
	CI_ID, CI_TITLE, CI_STATUS, CI_DATE, CI_BY, CI_DUE, CI_GRACE, CI_DONE,
	CI_LATE
};
enum clview_item_col { CT_ID, CT_TEXT, CT_REQUIRED, CT_DONE, CT_OWNER };

/* Cell c of row i as a number; 0 when it is NULL. */
static long long
clviews_num(const struct db_rows *rows, size_t i, size_t c)
{
	const char	*s = db_cell(rows, i, c);

	return s != NULL ? strtoll(s, NULL, 10) : 0;
}

/*
 * The items of rows (in their owners' order, the owner's id in column
 * CT_OWNER) into *items, and each of the n owners' run of them, handed
 * to set. 0 when out of memory.
 */
static int
clviews_items(const struct db_rows *rows, struct clview_item **items,
    const char *(*owner_id)(const void *, size_t), void *owners, size_t n,
    void (*set)(void *, size_t, struct clview_item *, size_t))
{
	struct clview_item	*it;
	size_t			 i, k, start;

	if ((*items = calloc(rows->nrows ? rows->nrows : 1,
	    sizeof(**items))) == NULL)
		return 0;
	for (i = 0; i < rows->nrows; i++) {
		it = &(*items)[i];
		it->id = db_cell(rows, i, CT_ID);
		it->text = db_cell(rows, i, CT_TEXT);
		it->required = clviews_num(rows, i, CT_REQUIRED) != 0;
		it->done = clviews_num(rows, i, CT_DONE) != 0;
	}
	/* Both lists are in the same order: walk them together; an owner
	 * without items has none at the walk's place. */
	i = 0;
	for (k = 0; k < n; k++) {
		start = i;
		while (i < rows->nrows && strcmp(db_cell(rows, i, CT_OWNER),
		    owner_id(owners, k)) == 0)
			i++;
		set(owners, k, *items + start, i - start);
	}
	return 1;
}

static const char *
clviews_instance_id(const void *v, size_t k)
{
	return ((const struct clview_instance *)v)[k].id;
}

static void
clviews_instance_set(void *v, size_t k, struct clview_item *it, size_t n)
{
	((struct clview_instance *)v)[k].items = it;
	((struct clview_instance *)v)[k].nitems = n;
}

/*
 * Organization org's instances of local day (YYYY-MM-DD), and those of
 * the CLVIEWS_DAYS before it past due (as of now_ms) and not done, by
 * due time, each with its items, into w (at most CLVIEWS_MAX). Free with
 * clviews_instances_cleanup, also after a failure.
 */
enum db_code
clviews_instances(struct db *db, long long org, const char *day,
    int64_t now_ms, struct clview_instances *w)
{
	struct clview_instance	*in;
	enum db_code		 code;
	size_t			 i;

	memset(w, 0, sizeof(*w));
	if ((w->v = db_query_view(db, &w->rows, sizeof(*w->v), &code,
	    views_checklists_sql[SQL_CLVIEW_INSTANCES],
	    DB_PARAMS(DB_INT(org), DB_STR(day), DB_INT(now_ms), DB_STR(day),
	    DB_INT(CLVIEWS_MAX)))) == NULL)
		return code;
	for (i = 0; i < w->rows->nrows; i++) {
		in = &w->v[w->n++];
		in->id = db_cell(w->rows, i, CI_ID);
		in->title = db_cell(w->rows, i, CI_TITLE);
		in->status = db_cell(w->rows, i, CI_STATUS);
		in->local_date = db_cell(w->rows, i, CI_DATE);
		in->completed_by = db_cell(w->rows, i, CI_BY);
		in->due_ms = clviews_num(w->rows, i, CI_DUE);
		in->grace_ms = clviews_num(w->rows, i, CI_GRACE);
		in->completed_ms = clviews_num(w->rows, i, CI_DONE);
		in->late = clviews_num(w->rows, i, CI_LATE) != 0;
	}
	if ((code = db_query(db, &w->item_rows,
	    views_checklists_sql[SQL_CLVIEW_INSTANCE_ITEMS],
	    DB_PARAMS(DB_INT(org), DB_STR(day), DB_INT(now_ms),
	    DB_STR(day)))) != DB_OK)
		return code;
	if (!clviews_items(w->item_rows, &w->items, clviews_instance_id, w->v,
	    w->n, clviews_instance_set))
		return DB_ERROR;
	return DB_OK;
}

/* Free what clviews_instances filled; safe on a zeroed w. */
void
clviews_instances_cleanup(struct clview_instances *w)
{
	free(w->v);
	free(w->items);
	db_rows_free(w->rows);
	db_rows_free(w->item_rows);
	memset(w, 0, sizeof(*w));
}

/*
 * Organization org's instances of the local days from through to
 * (YYYY-MM-DD, both included), by template title and day, into w. Free
 * with clviews_days_cleanup, also after a failure.
 */
enum db_code
clviews_days(struct db *db, long long org, const char *from, const char *to,
    struct clview_days *w)
{
	struct clview_day	*d;
	enum db_code		 code;
	size_t			 i;

	memset(w, 0, sizeof(*w));
	if ((w->v = db_query_view(db, &w->rows, sizeof(*w->v), &code,
	    views_checklists_sql[SQL_CLVIEW_DAYS],
	    DB_PARAMS(DB_INT(org), DB_STR(from), DB_STR(to),
	    DB_INT(CLVIEWS_MAX * CLVIEWS_DAYS)))) == NULL)
		return code;
	for (i = 0; i < w->rows->nrows; i++) {
		d = &w->v[w->n++];
		d->template_id = db_cell(w->rows, i, 0);
		d->title = db_cell(w->rows, i, 1);
		d->local_date = db_cell(w->rows, i, 2);
		d->status = db_cell(w->rows, i, 3);
		d->late = clviews_num(w->rows, i, 4) != 0;
	}
	return DB_OK;
}

/* Free what clviews_days filled; safe on a zeroed w. */
void
clviews_days_cleanup(struct clview_days *w)
{
	free(w->v);
	db_rows_free(w->rows);
	memset(w, 0, sizeof(*w));
}

static const char *
clviews_template_id(const void *v, size_t k)
{
	return ((const struct clview_template *)v)[k].id;
}

static void
clviews_template_set(void *v, size_t k, struct clview_item *it, size_t n)
{
	((struct clview_template *)v)[k].items = it;
	((struct clview_template *)v)[k].nitems = n;
}

/*
 * Organization org's templates not deleted, by title, each with its
 * items, into w (at most CLVIEWS_MAX). Free with
 * clviews_templates_cleanup, also after a failure.
 */
enum db_code
clviews_templates(struct db *db, long long org, struct clview_templates *w)
{
	struct clview_template	*t;
	enum db_code		 code;
	size_t			 i;

	memset(w, 0, sizeof(*w));
	if ((w->v = db_query_view(db, &w->rows, sizeof(*w->v), &code,
	    views_checklists_sql[SQL_CLVIEW_TEMPLATES],
	    DB_PARAMS(DB_INT(org), DB_INT(CLVIEWS_MAX)))) == NULL)
		return code;
	for (i = 0; i < w->rows->nrows; i++) {
		t = &w->v[w->n++];
		t->id = db_cell(w->rows, i, 0);
		t->title = db_cell(w->rows, i, 1);
		t->kind = db_cell(w->rows, i, 2);
		t->weekdays = db_cell(w->rows, i, 3);
		t->time = db_cell(w->rows, i, 4);
		t->grace = clviews_num(w->rows, i, 5);
		t->active = clviews_num(w->rows, i, 6) != 0;
	}
	if ((code = db_query(db, &w->item_rows,
	    views_checklists_sql[SQL_CLVIEW_TEMPLATE_ITEMS],
	    DB_PARAMS(DB_INT(org)))) != DB_OK)
		return code;
	if (!clviews_items(w->item_rows, &w->items, clviews_template_id, w->v,
	    w->n, clviews_template_set))
		return DB_ERROR;
	return DB_OK;
}

/* Free what clviews_templates filled; safe on a zeroed w. */
void
clviews_templates_cleanup(struct clview_templates *w)
{
	free(w->v);
	free(w->items);
	db_rows_free(w->rows);
	db_rows_free(w->item_rows);
	memset(w, 0, sizeof(*w));
}

