/*
 * ratelimit.c - requests per minute per API key, counted in the database
 * so the limit holds across the whole pool and every host. Fixed
 * one-minute windows: one upsert per request, whose LAST_INSERT_ID
 * hands back the new count without a second round trip.
 */
#include <stdio.h>
#include <time.h>

#include "mihwar.h"

static const char *const SQL_RATE_HIT =
    "INSERT INTO rate_counters (scope, window_start, hits)"
    " VALUES (?, ?, LAST_INSERT_ID(1))"
    " ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(hits + 1)";

/*
 * Count this request against its key. 1 to go on; 0 with 429 (or 503)
 * answered. Sets the X-RateLimit-* headers either way.
 */
int
ratelimit_check(struct req *r)
{
	char		 scope[40], v[24];
	long long	 limit = r->conf->rate_limit_per_minute;
	time_t		 now = time(NULL), window = now - now % 60;
	long long	 hits, reset = (long long)(window + 60 - now);

	snprintf(scope, sizeof(scope), "key:%lld", r->key.id);
	if (db_exec(r->db, SQL_RATE_HIT, DB_PARAMS(DB_STR(scope),
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
	    "minute with this key; retry in %lld s", limit, reset);
	return 0;
}
