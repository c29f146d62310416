/*
 * ratelimit.c - requests per minute per API key or per organization, as
 * the family's row says, counted in the database
 * so the limit holds across the whole pool and every host. Fixed
 * one-minute windows: one upsert per request, whose LAST_INSERT_ID
 * hands back the new count without a second round trip.
 */
#include <stdio.h>
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

/*
 * Count this request against its key. 1 to go on; 0 with 429 (or 503)
 * answered. Sets the X-RateLimit-* headers either way.
 */
int
ratelimit_check(struct req *r)
{
	char		 scope[80], v[24];
	long long	 limit = family_rate_limit(r->family, r->conf);
	time_t		 now = time(NULL), window = now - now % 60;
	long long	 hits, reset = (long long)(window + 60 - now);

	if (r->family->rate_scope == RATE_NONE)
		return 1;
	/* Each family counts apart: two families' limits never share. */
	if (r->family->rate_scope == RATE_PER_ORG)
		snprintf(scope, sizeof(scope), "%s:org:%lld", r->family->name,
		    r->principal.org_id);
	else
		snprintf(scope, sizeof(scope), "%s:key:%lld", r->family->name,
		    r->principal.key_id);
	if (db_exec(r->db, ratelimit_sql[SQL_RATE_HIT], DB_PARAMS(DB_STR(scope),
	    DB_INT((long long)window))) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		return 0;
	}
	hits = (long long)db_insert_id(r->db);
	snprintf(v, sizeof(v), "%lld", limit);
	req_resp_header(r, "X-RateLimit-Limit", v);
	snprintf(v, sizeof(v), "%lld", hits >= limit ? 0 : limit - hits);
	req_resp_header(r, "X-RateLimit-Remaining", v);
	snprintf(v, sizeof(v), "%lld", reset);
	req_resp_header(r, "X-RateLimit-Reset", v);
	if (hits <= limit)
		return 1;
	req_resp_header(r, "Retry-After", v);
	req_resp_error(r, 429, "rate_limited", "more than %lld requests a "
	    "minute with this %s; retry in %lld s", limit,
	    r->family->rate_scope == RATE_PER_ORG ? "organization" : "key",
	    reset);
	return 0;
}
