/*
 * api.c - the paths of activity-ingest.openapi.yaml, for a Bearer
 * wp_live_ key bound to one ingest app (r->principal.app_id):
 *
 *   GET  /api/v1/ingest/ping        the key's organization and app
 *   POST /api/v1/ingest/events      1..500 events, each judged alone
 *   POST /api/v1/ingest/snapshots   one metric snapshot of one worker
 *
 * The POSTs run in the pipeline's transaction (Idempotency-Key, rate
 * limits and the family's error body come from there). In order: the
 * organization's switch (402 api_disabled), the body (400, 413), each
 * event's rules and the app's allowedEventTypes (403 when no event is
 * allowed), the actors' workers (reads only), the plan and quota (402
 * plan_limit, 429 quota_exceeded when nothing fits; events past the limit
 * are rejected with that code), then the writes: workers made, events,
 * the current snapshot, the app's last event time and the month's count.
 * A rejected event writes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ingest/ingest.h"

/* 503 for a database failure (nothing is kept: the answer rolls back). */
static void
ingest_api_db_failed(struct req *r)
{
	req_resp_error(r, 503, NULL, "database unavailable; nothing was "
	    "written");
}

/* The key's organization and app into ctx; 0 after answering (402 when
 * ingest is off for the organization). */
static int
ingest_api_context(struct req *r, struct ingest_ctx *ctx)
{
	switch (usage_context(r->db, r->principal.org_id, r->principal.app_id,
	    ctx)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		req_resp_error(r, 401, r->family->code_invalid, "this key's "
		    "ingest app does not exist");
		return 0;
	default:
		ingest_api_db_failed(r);
		return 0;
	}
	if (ctx->enabled)
		return 1;
	req_resp_error(r, 402, "api_disabled", "activity ingest is turned off "
	    "for this organization");
	return 0;
}

/* Nothing fits this month: 402 plan_limit or 429 quota_exceeded with
 * Retry-After to the next month (UTC). */
static void
ingest_api_refuse_limit(struct req *r, const struct ingest_ctx *ctx,
    enum usage_limit lim, int64_t now)
{
	char	 v[24];

	if (lim == USAGE_PLAN) {
		req_resp_error(r, 402, "plan_limit", "the plan's %lld events "
		    "this month are used up", ctx->plan);
		return;
	}
	snprintf(v, sizeof(v), "%lld", usage_next_month_s(now));
	req_resp_header(r, "Retry-After", v);
	req_resp_error(r, 429, "quota_exceeded", "the organization's quota of "
	    "%lld events this month is used up; retry next month (in %s s)",
	    ctx->quota, v);
}

/* GET /api/v1/ingest/ping: 200 {ok, organizationId, app{id, slug, name}}. */
void
ingest_api_ping(struct req *r)
{
	struct ingest_ctx	 ctx;
	struct json_object	*o, *app;

	if (ingest_api_context(r, &ctx)) {
		o = json_object_new_object();
		app = json_object_new_object();
		json_object_object_add(o, "ok", json_object_new_boolean(1));
		json_put_str(o, "organizationId", ctx.org_public_id);
		json_put_str(app, "id", ctx.app_public_id);
		json_put_str(app, "slug", ctx.app_slug);
		json_put_str(app, "name", ctx.app_name);
		json_object_object_add(o, "app", app);
		req_resp_json(r, 200, o);
	}
	usage_cleanup(&ctx);
}

/* The events past what fits are rejected with the limit's code. */
static void
ingest_api_overflow(struct ingest_batch *b, size_t fit, enum usage_limit lim)
{
	size_t	 i, k = 0;

	for (i = 0; i < b->n; i++) {
		if (b->v[i].err.code != NULL || k++ < fit)
			continue;
		if (lim == USAGE_PLAN)
			batch_fail(&b->v[i].err, "plan_limit", "events[%zu]: "
			    "past the plan's monthly events", i);
		else
			batch_fail(&b->v[i].err, "quota_exceeded", "events[%zu]: "
			    "past the organization's monthly quota", i);
		b->nrejected++;
	}
}

/* The accepted (want 1) or rejected events of b, in input order, as the
 * members of a JSON array. */
static int
ingest_api_batch_list(struct buf *o, const struct ingest_batch *b,
    const struct actors *act, int want)
{
	const struct ingest_event *ev;
	char			 at[25];
	size_t			 i;
	int			 first = 1, ok = 1;

	for (i = 0; i < b->n && ok; i++) {
		ev = &b->v[i];
		if ((ev->err.code == NULL) != want)
			continue;
		ok = buf_printf(o, "%s{\"index\":%zu", first ? "" : ",", i);
		first = 0;
		if (!want) {
			ok = ok && json_write_member(o, "code", ev->err.code) &&
			    json_write_member(o, "message", ev->err.msg);
		} else {
			batch_time_json(ev->at_ms, at);
			ok = ok && json_write_member(o, "id", ev->id) &&
			    json_write_member(o, "eventType", ev->type) &&
			    json_write_member(o, "timestamp", at) &&
			    json_write_member(o, "workerId",
			    act->v[ev->actor.slot].public_id);
		}
		ok = ok && buf_puts(o, "}");
	}
	return ok;
}

/*
 * The 202/207 body: counts, then each event in input order under
 * results.accepted or results.rejected. Written straight into the
 * response: 500 events as json-c objects cost a malloc per field.
 */
static void
ingest_api_batch_answer(struct req *r, const struct ingest_batch *b,
    const struct actors *act)
{
	struct buf	*o = &r->out.body;

	o->len = 0;
	if (buf_puts(o, "{\"requestId\":") && json_write_str(o, r->id) &&
	    buf_printf(o, ",\"accepted\":%zu,\"rejected\":%zu,"
	    "\"batchLimit\":%d,\"results\":{\"accepted\":[",
	    b->n - b->nrejected, b->nrejected, INGEST_BATCH_MAX) &&
	    ingest_api_batch_list(o, b, act, 1) &&
	    buf_puts(o, "],\"rejected\":[") &&
	    ingest_api_batch_list(o, b, act, 0) && buf_puts(o, "]}}"))
		req_resp_written(r, b->nrejected == 0 ? 202 : 207);
	else
		req_resp_error(r, 503, NULL, "out of memory");
}

/* Write the accepted events of ev[0..n): their workers, the events, the
 * snapshot they keep (snap, or NULL), the app's last event time and the
 * month's count. */
static enum db_code
ingest_api_write(struct req *r, const struct ingest_ctx *ctx,
    struct ingest_event *ev, size_t n, size_t accepted, struct actors *act,
    const struct ingest_snapshot *snap)
{
	enum db_code	 code;

	if ((code = actors_create(r->db, ctx->org_id, ctx->app_id, ev, n,
	    act)) != DB_OK ||
	    (code = store_events(r->db, ctx->org_id, ctx->app_id, ev, n)) !=
	    DB_OK)
		return code;
	if (snap != NULL && (code = snapshots_upsert(r->db, ctx->org_id,
	    ctx->app_id, ev[0].worker, snap)) != DB_OK)
		return code;
	/* Last, to hold their rows' locks only until the commit. */
	if ((code = store_app_touch(r->db, ctx->app_id)) != DB_OK)
		return code;
	return usage_count(r->db, ctx, accepted);
}

/* POST /api/v1/ingest/events: 202 when every event is accepted, 207 with
 * the rejected ones (all of them too), 403 when none is allowed. */
void
ingest_api_events(struct req *r)
{
	struct ingest_ctx	 ctx;
	struct ingest_batch	 b;
	struct actors		 act;
	struct ingest_err	 err;
	struct json_object	*root = NULL;
	enum usage_limit	 lim = USAGE_FITS;
	int64_t			 now = util_now_ms();
	size_t			 i, cand = 0, fit = 0;
	char			 v[24];

	memset(&b, 0, sizeof(b));
	memset(&act, 0, sizeof(act));
	if (!ingest_api_context(r, &ctx) || (root = req_json_body(r)) == NULL)
		goto out;
	switch (batch_read(&b, root, ctx.allowed, now, &err)) {
	case BATCH_OK:
		break;
	case BATCH_INVALID:
		req_resp_error(r, 400, err.code, "%s", err.msg);
		goto out;
	case BATCH_TOO_LARGE:
		req_resp_error(r, 413, err.code, "%s", err.msg);
		goto out;
	case BATCH_NOMEM:
		req_resp_error(r, 503, NULL, "out of memory");
		goto out;
	}
	if (b.nforbidden == b.n) {
		req_resp_error(r, 403, "forbidden_event_type", "events: no "
		    "eventType of the batch is among this app's "
		    "allowedEventTypes (%s)", ctx.allowed);
		goto out;
	}
	if (actors_lookup(r->db, ctx.org_id, ctx.app_id, b.v, b.n, 1, &act) !=
	    DB_OK) {
		ingest_api_db_failed(r);
		goto out;
	}
	for (i = 0; i < b.n; i++)
		if (b.v[i].err.code == NULL)
			cand++;
		else if (strcmp(b.v[i].err.code, "worker_not_found") == 0)
			b.nrejected++;
	if (cand > 0) {
		if (usage_reserve(r->db, &ctx, cand, &fit, &lim) != DB_OK) {
			ingest_api_db_failed(r);
			goto out;
		}
		if (fit == 0) {
			ingest_api_refuse_limit(r, &ctx, lim, now);
			goto out;
		}
		ingest_api_overflow(&b, fit, lim);
		if (ingest_api_write(r, &ctx, b.v, b.n, fit, &act, NULL) !=
		    DB_OK) {
			ingest_api_db_failed(r);
			goto out;
		}
	}
	/* Events past the quota may be sent again next month. */
	if (cand > fit && lim == USAGE_QUOTA) {
		snprintf(v, sizeof(v), "%lld", usage_next_month_s(now));
		req_resp_header(r, "Retry-After", v);
	}
	ingest_api_batch_answer(r, &b, &act);
out:
	actors_cleanup(&act);
	batch_cleanup(&b);
	json_object_put(root);
	usage_cleanup(&ctx);
}

/* The 202 body: {requestId, ok, snapshotType, timestamp, worker}. */
static struct json_object *
ingest_api_snapshot_json(struct req *r, const struct ingest_snapshot *s,
    const struct actor_slot *w)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*wo = json_object_new_object();
	char			 at[25];

	batch_time_json(s->at_ms, at);
	json_put_str(o, "requestId", r->id);
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_put_str(o, "snapshotType", s->type);
	json_put_str(o, "timestamp", at);
	json_put_str(wo, "id", w->public_id);
	json_put_str(wo, "displayName", w->display_name);
	json_object_object_add(o, "worker", wo);
	return o;
}

/* POST /api/v1/ingest/snapshots: 202; the worker's current snapshot of
 * that type unless a later one is, and an event either way. */
void
ingest_api_snapshot(struct req *r)
{
	struct ingest_ctx	 ctx;
	struct ingest_snapshot	 s;
	struct ingest_event	 ev;
	struct actors		 act;
	struct ingest_err	 err;
	struct json_object	*root = NULL;
	enum usage_limit	 lim;
	int64_t			 now = util_now_ms();
	size_t			 fit;

	memset(&s, 0, sizeof(s));
	memset(&ev, 0, sizeof(ev));
	memset(&act, 0, sizeof(act));
	if (!ingest_api_context(r, &ctx) || (root = req_json_body(r)) == NULL)
		goto out;
	if (!snapshots_read(&s, root, now, &err)) {
		req_resp_error(r, strcmp(err.code, "internal_error") == 0 ? 503 :
		    400, err.code, "%s", err.msg);
		goto out;
	}
	ev.type = s.type;
	ev.category = "other";
	ev.at_ms = s.at_ms;
	ev.duration = -1;
	ev.metadata = s.event_metadata;
	ev.metadata_len = strlen(s.event_metadata);
	ev.actor = s.actor;
	if (actors_lookup(r->db, ctx.org_id, ctx.app_id, &ev, 1, 0, &act) !=
	    DB_OK) {
		ingest_api_db_failed(r);
		goto out;
	}
	if (ev.err.code != NULL) {
		req_resp_error(r, 400, ev.err.code, "%s", ev.err.msg);
		goto out;
	}
	if (usage_reserve(r->db, &ctx, 1, &fit, &lim) != DB_OK) {
		ingest_api_db_failed(r);
		goto out;
	}
	if (fit == 0) {
		ingest_api_refuse_limit(r, &ctx, lim, now);
		goto out;
	}
	if (ingest_api_write(r, &ctx, &ev, 1, 1, &act, &s) != DB_OK) {
		ingest_api_db_failed(r);
		goto out;
	}
	req_resp_json(r, 202, ingest_api_snapshot_json(r, &s,
	    &act.v[ev.actor.slot]));
out:
	actors_cleanup(&act);
	snapshots_cleanup(&s);
	json_object_put(root);
	usage_cleanup(&ctx);
}
