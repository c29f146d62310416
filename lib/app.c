/*
 * app.c - one request through the shared pipeline: family, size cap,
 * route, credential (the principal), rate limit, idempotency, and for a
 * write route the one transaction around its handler, then a log line
 * with the request id.
 *
 * The rate limit is counted right after the credential, before the body
 * is looked at (an oversized body's 413 counts and tells the budget too).
 *
 * Transactions belong to the pipeline, not to handlers: a ROUTE_WRITE
 * handler runs inside a transaction opened here, and its answer is its
 * outcome. A 2xx or 3xx answer is kept: the idempotency record is stored
 * in the same transaction and it is committed, once. Any other answer,
 * or one the handler marked with req_undo(), is rolled back, unless the
 * handler marked an error answer with req_keep() (the record of a
 * refusal, its refused step undone to a savepoint). A commit
 * that fails answers 503 with nothing written. No handler commits.
 */
#include <stdlib.h>
#include <string.h>

#include "mihwar.h"

static int
app_keeps(const struct req *r)
{
	if (r->out.undo)
		return 0;
	return (r->out.status >= 200 && r->out.status < 400) || r->out.keep;
}

/* Close the write route's transaction as its outcome says; 1 when it
 * was committed. The first hdrs bytes of the response headers are the
 * pipeline's own (X-RateLimit-*), set before the handler ran. */
static int
app_finish(struct req *r, size_t hdrs)
{
	if (app_keeps(r) && idem_store(r) && db_commit(r->db) == DB_OK)
		return 1;
	db_rollback(r->db);
	if (app_keeps(r)) {
		/* Not the handler's answer: none of its headers either, but
		 * the pipeline's stay true. */
		req_resp_reset(r);
		r->out.headers.len = hdrs;
		req_resp_error(r, 503, NULL, "database unavailable; nothing "
		    "was written");
	}
	return 0;
}

/* 1 when the request counts against its family's rate limits: a route
 * marked ROUTE_RATELIMIT, or any path of a family that counts them all
 * (rt NULL: no route). Only an API key has a budget. */
static int
app_rated(const struct req *r, const struct route *rt)
{
	if (r->principal.kind != PRINCIPAL_KEY)
		return 0;
	return r->family->rate_all || (rt != NULL &&
	    (rt->flags & ROUTE_RATELIMIT));
}

/* The largest body route rt (NULL: none) of r's family takes: an upload
 * route (ROUTE_UPLOAD, the import-export files) takes import_max_bytes,
 * a ROUTE_MIB_BODY one (webhooks received) at most 1 MiB. */
static long long
app_cap_of(const struct req *r, const struct route *rt)
{
	long long	 cap = family_body_cap(r->family, r->conf);

	if (rt != NULL && (rt->flags & ROUTE_UPLOAD) &&
	    r->conf->import_max_bytes > cap)
		cap = r->conf->import_max_bytes;
	if (rt != NULL && (rt->flags & ROUTE_MIB_BODY) &&
	    cap > ROUTE_MIB_BODY_BYTES)
		cap = ROUTE_MIB_BODY_BYTES;
	return cap;
}

/*
 * The largest body the main should read for r (method and paths set, not
 * yet handled): its route's cap. The route is looked up once more by
 * app_handle; only an upload route's cap differs from its family's.
 */
long long
app_body_cap(struct req *r)
{
	const struct route	*rt = NULL;
	char			*args[ROUTE_MAXARGS];
	size_t			 nargs = 0, i;
	long long		 cap;

	r->family = family_of_path(r->in.path);
	if (route_lookup(routes, routes_len, r->in.method, r->in.route_path,
	    &rt, args, &nargs) != ROUTE_FOUND)
		rt = NULL;
	for (i = 0; i < nargs; i++)
		free(args[i]);
	cap = app_cap_of(r, rt);
	/* A smaller cap is read as the route's (so a large Content-Length
	 * is refused unread); otherwise the family's stays the floor. */
	if (rt != NULL && (rt->flags & ROUTE_MIB_BODY))
		return cap;
	return cap > r->conf->max_body_bytes ? cap : r->conf->max_body_bytes;
}

/*
 * How many times a write route's transaction runs when it keeps losing
 * conflicts. On Galera a transaction that conflicts with one committed
 * on another node fails certification at COMMIT with a deadlock error,
 * and the application is to run it again, whole (issue 15); a deadlock
 * on one server is the same.
 */
#define APP_TX_RUNS	4

/* 1 when the write route's transaction lost a conflict and may run
 * again: nothing of it was committed (no req_commit_step), runs left. */
static int
app_run_again(struct req *r, int runs)
{
	if (!db_tx_conflict(r->db) || r->out.stepped || runs >= APP_TX_RUNS)
		return 0;
	log_warn("req id=%s: the transaction lost a conflict (%s); running "
	    "it again (%d of %d)", r->id, db_errstr(r->db), runs + 1,
	    APP_TX_RUNS);
	return 1;
}

/* A write that kept losing conflicts: a statement run after the
 * conflict may have made its handler answer 500, but the truth is that
 * nothing was written, and a retry may pass. */
static void
app_conflict_answer(struct req *r, size_t hdrs)
{
	if (!db_tx_conflict(r->db) || r->out.status < 500)
		return;
	req_resp_reset(r);
	r->out.headers.len = hdrs;
	req_resp_error(r, 503, NULL, "the write kept conflicting with others; "
	    "nothing was written");
}

/* The route's handler, inside the steps its flags ask for. */
static void
app_run(struct req *r, const struct route *rt)
{
	size_t	 hdrs = r->out.headers.len;
	int	 committed = 0, runs = 0;

	if ((rt->flags & ROUTE_IDEMPOTENT) == ROUTE_IDEMPOTENT &&
	    idem_begin(r) == IDEM_ANSWERED)
		return;
	for (;;) {
		if ((rt->flags & ROUTE_WRITE) && db_begin(r->db) != DB_OK) {
			req_resp_error(r, 503, NULL, "database unavailable");
			break;
		}
		rt->handler(r);
		if (!(rt->flags & ROUTE_WRITE))
			break;
		if ((committed = app_finish(r, hdrs)) ||
		    !app_run_again(r, ++runs))
			break;
		req_resp_reset(r);
		r->out.headers.len = hdrs;
	}
	if (!committed && (rt->flags & ROUTE_WRITE))
		app_conflict_answer(r, hdrs);
	idem_end(r, committed);
}

/* Answer 413 when r's body is past route rt's cap (rt NULL: none); 1
 * when answered. */
static int
app_body_refused(struct req *r, const struct route *rt)
{
	if (!r->in.body_too_large &&
	    (long long)r->in.body.len <= app_cap_of(r, rt))
		return 0;
	req_resp_error(r, 413, NULL, "body: larger than %lld bytes",
	    app_cap_of(r, rt));
	return 1;
}

static void
app_route(struct req *r)
{
	const struct route	*rt = NULL;
	enum route_res		 res;
	struct buf		 allow;

	/* HEAD is GET without a body; the web server drops the body. */
	res = route_lookup(routes, routes_len, strcmp(r->in.method, "HEAD") ==
	    0 ? "GET" : r->in.method, r->in.route_path, &rt, r->args,
	    &r->nargs);
	if (res != ROUTE_FOUND)
		rt = NULL;
	/* A console form carries its CSRF token in the body: one too large
	 * to read is told as that, not as a missing token. */
	if (r->family->credential == CRED_SESSION && app_body_refused(r, rt))
		return;
	/* Unknown paths of a family still ask for its credential first, and
	 * the credential comes before anything about the body. */
	if (!principal_authenticate(r, rt != NULL ? rt->flags : 0))
		return;
	/* A request that counts is counted before anything about its body,
	 * so that every answer after the key, errors too, tells the budget. */
	if (app_rated(r, rt) && !ratelimit_check(r))
		return;
	if (app_body_refused(r, rt))
		return;
	if (r->in.bad_request) {
		req_resp_error(r, 400, NULL, "body: could not be read (length "
		    "mismatch)");
		return;
	}
	switch (res) {
	case ROUTE_FOUND:
		r->route = rt;
		app_run(r, rt);
		break;
	case ROUTE_BADMETHOD:
		buf_init(&allow);
		route_allow(routes, routes_len, r->in.route_path, &allow);
		req_resp_header(r, "Allow", allow.data ? allow.data : "");
		buf_cleanup(&allow);
		req_resp_error(r, 405, NULL, "method %s not allowed on %s",
		    r->in.method, r->in.path);
		break;
	case ROUTE_NOTFOUND:
		req_resp_error(r, 404, NULL, "no such resource: %s", r->in.path);
		break;
	}
}

/* Handle r and log it; the response is left on r for the main to send. */
void
app_handle(struct req *r)
{
	r->family = family_of_path(r->in.path);
	family_path_canon(r->family, r->in.path);
	family_path_canon(r->family, r->in.route_path);
	/* A path that cannot be read cannot be routed. */
	if (r->in.bad_request == 1)
		req_resp_error(r, 400, NULL, "path: invalid percent-encoding or "
		    "UTF-8");
	else
		app_route(r);
	if (r->out.status == 0)
		req_resp_error(r, 500, NULL, "internal error");
	if (db_in_tx(r->db)) {
		log_error("req id=%s: a transaction was left open; rolled back",
		    r->id);
		db_rollback(r->db);
	}
	log_info("req id=%s method=%s path=%s status=%d ms=%lld", r->id,
	    r->in.method, r->in.path, r->out.status,
	    (long long)(util_now_ms() - r->start_ms));
}
