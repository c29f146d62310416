/*
 * ratelimit.c - requests per minute per API key or per organization, as
 * the family's row says, counted in the database
 * so the limit holds across the whole pool and every host. Fixed
 * one-minute windows: one upsert per request, whose LAST_INSERT_ID
 * hands back the new count without a second round trip.
 *
 * Callers without a key (onboarding, a storefront's chat) are counted
 * by a scope the handler names ("onboarding:addr:<ip>") in fixed windows
 * of any length, in the same table.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "web/web.h"

enum ratelimit_sql_id {
	SQL_RATE_HIT, RATELIMIT_SQL__MAX
};

static const char *const ratelimit_sql[RATELIMIT_SQL__MAX] = {
	[SQL_RATE_HIT] =
	    "INSERT INTO rate_counters (scope, window_start, hits)"
	    " VALUES (?, ?, LAST_INSERT_ID(1))"
	    " ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(hits + 1)",
};

const struct db_stmts ratelimit_stmts = {
	"ratelimit", ratelimit_sql, RATELIMIT_SQL__MAX, NULL, 0
};

/* Count one more request of scope in this window: *hits, or 0 on a
 * database failure. */
static int
ratelimit_hit(struct req *r, const char *kind, long long id, long long window,
    long long *hits)
{
	char	 scope[80];

	/* Each family counts apart: two families' limits never share. */
	snprintf(scope, sizeof(scope), "%s:%s:%lld", r->family->name, kind, id);
	if (db_exec(r->db, ratelimit_sql[SQL_RATE_HIT], DB_PARAMS(DB_STR(scope),
	    DB_INT(window))) != DB_OK)
		return 0;
	*hits = (long long)db_insert_id(r->db);
	return 1;
}

static void
ratelimit_headers(struct req *r, long long limit, long long hits,
    long long reset)
{
	char	 v[24];

	snprintf(v, sizeof(v), "%lld", limit);
	req_resp_header(r, "X-RateLimit-Limit", v);
	snprintf(v, sizeof(v), "%lld", hits >= limit ? 0 : limit - hits);
	req_resp_header(r, "X-RateLimit-Remaining", v);
	snprintf(v, sizeof(v), "%lld", reset);
	req_resp_header(r, "X-RateLimit-Reset", v);
}

/*
 * Count this request against its API key and its organization, as the
 * family's limits say. 1 to go on; 0 with 429 (or 503) answered. The
 * X-RateLimit-* headers tell the key's budget (the organization's where
 * the family limits only that, or where it refuses a request the key's
 * budget would let through); each request gets its own count, so no two
 * answers of one key show the same Remaining in a window.
 */
int
ratelimit_check(struct req *r)
{
	time_t		 now = time(NULL), window = now - now % 60;
	long long	 per_key, per_org, key_hits = 0, org_hits = 0;
	long long	 reset = (long long)(window + 60 - now);
	char		 v[24];

	family_rate_limits(r->family, r->conf, &per_key, &per_org);
	if ((per_key > 0 && !ratelimit_hit(r, "key", r->principal.key_id,
	    (long long)window, &key_hits)) || (per_org > 0 &&
	    !ratelimit_hit(r, "org", r->principal.org_id, (long long)window,
	    &org_hits))) {
		req_resp_error(r, 503, NULL, "database unavailable");
		return 0;
	}
	/* The organization's budget when it is the one that refuses. */
	if (per_key > 0 && !(per_org > 0 && org_hits > per_org &&
	    key_hits <= per_key))
		ratelimit_headers(r, per_key, key_hits, reset);
	else if (per_org > 0)
		ratelimit_headers(r, per_org, org_hits, reset);
	if ((per_key == 0 || key_hits <= per_key) &&
	    (per_org == 0 || org_hits <= per_org))
		return 1;
	snprintf(v, sizeof(v), "%lld", reset);
	req_resp_header(r, "Retry-After", v);
	if (per_key > 0 && key_hits > per_key)
		req_resp_error(r, 429, "rate_limited", "more than %lld requests "
		    "a minute with this key; retry in %lld s", per_key, reset);
	else
		req_resp_error(r, 429, "rate_limited", "more than %lld requests "
		    "a minute in this organization; retry in %lld s", per_org,
		    reset);
	return 0;
}

/* The rate_counters.scope column's width. */
#define RATELIMIT_SCOPE_MAX	80

/*
 * Count a request that has no key against scope (ASCII, at most 79
 * bytes: "onboarding:addr:<ip>"), in fixed windows of window_s seconds;
 * more than limit in one window are refused with 429 and Retry-After
 * (the seconds left in the window). Inside a write route's transaction
 * the count is committed at once (req_commit_step): it must hold
 * whatever the handler answers next, a 400 too, and concurrent callers
 * must not queue on the counter's row while the handler works. 1 to go
 * on; 0 with the answer (429, or 503) set.
 *
 * The row is keyed by the window's end, not its start: the worker
 * forgets rows whose window_start is ten minutes old (worker.c), which
 * must not drop a window of an hour while it still runs.
 */
int
ratelimit_scope_check(struct req *r, const char *scope, long long limit,
    long long window_s)
{
	time_t		 now = time(NULL);
	long long	 end, hits, retry;
	char		 v[24];

	if (window_s < 1 || strlen(scope) >= RATELIMIT_SCOPE_MAX) {
		log_error("req id=%s: rate limit scope %s: bad window or too "
		    "long", r->id, scope);
		req_resp_error(r, 500, NULL, "internal error");
		return 0;
	}
	end = (long long)now - (long long)now % window_s + window_s;
	if (db_exec(r->db, ratelimit_sql[SQL_RATE_HIT], DB_PARAMS(DB_STR(scope),
	    DB_INT(end))) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		return 0;
	}
	/* Read before the commit, which is a statement of its own. */
	hits = (long long)db_insert_id(r->db);
	if (db_in_tx(r->db) && !req_commit_step(r)) {
		req_resp_error(r, 503, NULL, "database unavailable");
		return 0;
	}
	if (hits <= limit)
		return 1;
	retry = end - (long long)now;
	snprintf(v, sizeof(v), "%lld", retry);
	req_resp_header(r, "Retry-After", v);
	req_resp_error(r, 429, "rate_limited", "too many requests: at most "
	    "%lld every %lld s from this address; retry in %lld s", limit,
	    window_s, retry);
	return 0;
}
