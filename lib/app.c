/*
 * app.c - one request through the shared steps: family, size cap, route,
 * credential, handler, and a log line with the request id.
 */
#include <string.h>

#include "mihwar.h"

static void
app_route(struct req *r)
{
	const struct route	*rt = NULL;
	enum route_res		 res;
	struct buf		 allow;

	/* HEAD is GET without a body; the web server drops the body. */
	res = route_lookup(routes, routes_len, strcmp(r->method, "HEAD") == 0 ?
	    "GET" : r->method, r->path, &rt, r->args, &r->nargs);
	/* Unknown paths of a family still ask for its credential first. */
	if (!auth_request(r, res == ROUTE_FOUND ? rt->auth :
	    route_family_auth(r->family), res == ROUTE_FOUND &&
	    (rt->flags & ROUTE_ADMIN)))
		return;
	switch (res) {
	case ROUTE_FOUND:
		r->route = rt;
		if ((rt->flags & ROUTE_RATELIMIT) && !ratelimit_check(r))
			break;
		if ((rt->flags & ROUTE_IDEMPOTENT) &&
		    idem_begin(r) == IDEM_ANSWERED)
			break;
		rt->handler(r);
		idem_end(r);
		break;
	case ROUTE_BADMETHOD:
		buf_init(&allow);
		route_allow(routes, routes_len, r->path, &allow);
		req_resp_header(r, "Allow", allow.data ? allow.data : "");
		buf_cleanup(&allow);
		req_resp_error(r, 405, NULL, "method %s not allowed on %s",
		    r->method, r->path);
		break;
	case ROUTE_NOTFOUND:
		req_resp_error(r, 404, NULL, "no such resource: %s", r->path);
		break;
	}
}

/* Handle r and log it; the response is left on r for the main to send. */
void
app_handle(struct req *r)
{
	r->family = route_family_of_path(r->path);
	if (r->bad_request)
		req_resp_error(r, 400, NULL, "%s", r->bad_request == 1 ?
		    "path: invalid percent-encoding or UTF-8" :
		    "body: could not be read (length mismatch)");
	else if (r->body_too_large)
		req_resp_error(r, 413, NULL, "body: larger than %lld bytes",
		    r->conf->max_body_bytes);
	else
		app_route(r);
	if (r->status == 0)
		req_resp_error(r, 500, NULL, "internal error");
	/* A failed handler must not leave a transaction open. */
	db_rollback(r->db);
	log_info("req id=%s method=%s path=%s status=%d ms=%lld", r->id,
	    r->method, r->path, r->status,
	    (long long)(util_now_ms() - r->start_ms));
}
