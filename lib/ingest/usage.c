/*
 * usage.c - what an ingest request may do: the organization's switch,
 * plan and quota and the app's settings (one read), and the events the
 * organization accepted this calendar month (UTC), counted in
 * ingest_usage in the transaction that writes them.
 *
 * The plan's monthly allowance (402 plan_limit) and the organization's
 * own budget (429 quota_exceeded) are held under concurrency: when either
 * is set, usage_reserve locks the month's row before anything is written,
 * so that concurrent requests of the organization take turns and none
 * goes past the limit. Without limits nothing is locked early; the count
 * is added last, just before the commit, to keep the row's lock short.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest/ingest.h"

enum usage_sql_id {
	SQL_USAGE_CONTEXT, SQL_USAGE_LOCK, SQL_USAGE_ADD, USAGE_SQL__MAX
};

static const char *const usage_sql[USAGE_SQL__MAX] = {
	[SQL_USAGE_CONTEXT] =
	    "SELECT o.public_id, o.ingest_enabled, o.ingest_plan_events,"
	    " o.ingest_monthly_quota, a.public_id, a.slug, a.name,"
	    " a.allowed_event_types"
	    " FROM ingest_apps a JOIN organizations o ON o.id = a.org_id"
	    " WHERE a.id = ? AND a.org_id = ?",
	/* The month's count, the row locked until the commit. */
	[SQL_USAGE_LOCK] =
	    "INSERT INTO ingest_usage (org_id, month, events)"
	    " VALUES (?, ?, LAST_INSERT_ID(0))"
	    " ON DUPLICATE KEY UPDATE events = LAST_INSERT_ID(events)",
	[SQL_USAGE_ADD] =
	    "INSERT INTO ingest_usage (org_id, month, events) VALUES (?, ?, ?)"
	    " ON DUPLICATE KEY UPDATE events = events + VALUES(events)",
};

const struct db_stmts usage_stmts = {
	"usage", usage_sql, USAGE_SQL__MAX, NULL, 0
};

enum usage_col {
	UC_ORG, UC_ENABLED, UC_PLAN, UC_QUOTA, UC_APP, UC_SLUG, UC_NAME,
	UC_ALLOWED
};

static long long
usage_limit_of(const char *cell)
{
	long long	 v;

	return cell != NULL && util_strtonum(cell, 0, INT64_MAX, &v) ? v : -1;
}

/*
 * The settings of org_id and its ingest app app_id into ctx (strings
 * borrowed until usage_cleanup), and the month now being counted.
 * DB_NOTFOUND when the app is gone.
 */
enum db_code
usage_context(struct db *db, long long org_id, long long app_id,
    struct ingest_ctx *ctx)
{
	enum db_code	 code;
	time_t		 now = time(NULL);
	struct tm	 tm;

	memset(ctx, 0, sizeof(*ctx));
	ctx->org_id = org_id;
	ctx->app_id = app_id;
	gmtime_r(&now, &tm);
	strftime(ctx->month, sizeof(ctx->month), "%Y-%m", &tm);
	if ((code = db_query(db, &ctx->rows, usage_sql[SQL_USAGE_CONTEXT],
	    DB_PARAMS(DB_INT(app_id), DB_INT(org_id)))) != DB_OK)
		return code;
	if (ctx->rows->nrows == 0)
		return DB_NOTFOUND;
	ctx->org_public_id = db_cell(ctx->rows, 0, UC_ORG);
	ctx->enabled = strcmp(db_cell(ctx->rows, 0, UC_ENABLED), "0") != 0;
	ctx->plan = usage_limit_of(db_cell(ctx->rows, 0, UC_PLAN));
	ctx->quota = usage_limit_of(db_cell(ctx->rows, 0, UC_QUOTA));
	ctx->app_public_id = db_cell(ctx->rows, 0, UC_APP);
	ctx->app_slug = db_cell(ctx->rows, 0, UC_SLUG);
	ctx->app_name = db_cell(ctx->rows, 0, UC_NAME);
	ctx->allowed = db_cell(ctx->rows, 0, UC_ALLOWED);
	return DB_OK;
}

void
usage_cleanup(struct ingest_ctx *ctx)
{
	db_rows_free(ctx->rows);
	memset(ctx, 0, sizeof(*ctx));
}

/*
 * How many of n events the organization may still take this month:
 * *fit, and *limit says which limit stops the rest (USAGE_FITS when all
 * fit). With a plan or quota set, the month's row stays locked until the
 * transaction ends.
 */
enum db_code
usage_reserve(struct db *db, const struct ingest_ctx *ctx, size_t n,
    size_t *fit, enum usage_limit *limit)
{
	long long	 used, plan_left = -1, quota_left = -1;
	enum db_code	 code;

	*fit = n;
	*limit = USAGE_FITS;
	if (ctx->plan < 0 && ctx->quota < 0)
		return DB_OK;
	if ((code = db_exec(db, usage_sql[SQL_USAGE_LOCK], DB_PARAMS(
	    DB_INT(ctx->org_id), DB_STR(ctx->month)))) != DB_OK)
		return code;
	used = (long long)db_insert_id(db);
	if (ctx->plan >= 0)
		plan_left = ctx->plan > used ? ctx->plan - used : 0;
	if (ctx->quota >= 0)
		quota_left = ctx->quota > used ? ctx->quota - used : 0;
	/* The plan stops first when both would: it is the harder limit. */
	if (plan_left >= 0 && (long long)*fit > plan_left &&
	    (quota_left < 0 || plan_left <= quota_left)) {
		*fit = (size_t)plan_left;
		*limit = USAGE_PLAN;
	} else if (quota_left >= 0 && (long long)*fit > quota_left) {
		*fit = (size_t)quota_left;
		*limit = USAGE_QUOTA;
	}
	return DB_OK;
}

/* Count n more accepted events this month. */
enum db_code
usage_count(struct db *db, const struct ingest_ctx *ctx, size_t n)
{
	return db_exec(db, usage_sql[SQL_USAGE_ADD], DB_PARAMS(
	    DB_INT(ctx->org_id), DB_STR(ctx->month), DB_INT((long long)n)));
}

/* Seconds from now (UTC ms) to the first instant of next month (UTC). */
long long
usage_next_month_s(int64_t now_ms)
{
	time_t		 now = (time_t)(now_ms / 1000), next;
	struct tm	 tm;

	gmtime_r(&now, &tm);
	tm.tm_mon++;
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	next = timegm(&tm);
	return next > now ? (long long)(next - now) : 1;
}
