/*
 * test_activity.c - activity ingest (activity-ingest.openapi.yaml) over
 * HTTP: ping, events and snapshots with every status and error code of
 * the contract, 207 in input order, each event's rules, how actors
 * resolve to workers (and never across tenants), allowedEventTypes,
 * plans and quotas set with mihwarctl, Idempotency-Key (replay byte for
 * byte, 422, 409), the per-key and per-organization limits across the
 * pool with Remaining never repeated, and after every refusal nothing
 * written (rows counted in the database).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "itest.h"

#define PING		"/api/v1/ingest/ping"
#define EVENTS		"/api/v1/ingest/events"
#define SNAPS		"/api/v1/ingest/snapshots"
#define VERSION		"2026-04-01"

/* The shared organization: app "crm"; the other tenant: app "crm" too. */
static char	 org[64], auth[200], org2[64], auth2[200];
static long	 org_id, org2_id;
static unsigned	 tag;

static int
ingest_auth(const char *slug, const char *app, char *out)
{
	return fixture_bearer(slug, "ingest", app, out);
}

/* A fresh organization with an ingest key of app "crm". */
static int
fresh_org(char *slug, char *a, long *id)
{
	return fixture_org(slug) && ingest_auth(slug, "crm", a) &&
	    (*id = db_org_id(slug)) > 0;
}

static int
act_init(void)
{
	tag = (unsigned)rand();
	return fresh_org(org, auth, &org_id) && fresh_org(org2, auth2,
	    &org2_id) ? 0 : 1;
}

static long
events_of(long id)
{
	return db_long("SELECT COUNT(*) FROM activity_events WHERE org_id = "
	    "%ld", id);
}

static long
workers_of(long id)
{
	return db_long("SELECT COUNT(*) FROM workers WHERE org_id = %ld", id);
}

static long
usage_of(long id)
{
	return db_long("SELECT COALESCE(SUM(events), 0) FROM ingest_usage "
	    "WHERE org_id = %ld", id);
}

/* Every row activity ingest writes for an organization, summed. */
static long
writes_of(long id)
{
	return db_long("SELECT (SELECT COUNT(*) FROM activity_events WHERE "
	    "org_id = %ld) + (SELECT COUNT(*) FROM workers WHERE org_id = %ld)"
	    " + (SELECT COUNT(*) FROM worker_external_ids WHERE org_id = %ld)"
	    " + (SELECT COUNT(*) FROM activity_snapshots WHERE org_id = %ld)"
	    " + (SELECT COALESCE(SUM(events), 0) FROM ingest_usage WHERE "
	    "org_id = %ld)", id, id, id, id, id);
}

static int
has_header(const struct http_resp *r, const char *name)
{
	char	*h = http_header(r, name);
	int	 yes = h != NULL && *h != '\0';

	free(h);
	return yes;
}

static long
header_num(const struct http_resp *r, const char *name)
{
	char	*h = http_header(r, name);
	long	 v = h != NULL ? strtol(h, NULL, 10) : -1;

	free(h);
	return v;
}

/*
 * One request: the status, X-API-Version, X-RateLimit-* when rated, and
 * on an error the contract's body with the X-Request-Id; the body as
 * JSON (caller puts). *keep, when not NULL, gets the response.
 */
static struct json_object *
ing_at(const char *file, int line, const char *method, const char *path,
    const char *a, const char *extra, const char *body, long want, int rated,
    struct http_resp *keep)
{
	struct http_resp	 r;
	struct json_object	*o;
	char			 msg[512], *hid;
	const char		*code, *rid;

	api_do(&r, method, path, a, extra, body);
	snprintf(msg, sizeof(msg), "%s %s: status %ld, want %ld; body: %.300s",
	    method, path, r.status, want, r.body);
	CU_assertImplementation(r.status == want, line, msg, file, "",
	    CU_FALSE);
	hid = http_header(&r, "X-API-Version");
	snprintf(msg, sizeof(msg), "%s %s (%ld): X-API-Version %s", method,
	    path, r.status, hid ? hid : "(none)");
	CU_assertImplementation(hid != NULL && strcmp(hid, VERSION) == 0,
	    line, msg, file, "", CU_FALSE);
	free(hid);
	if (rated) {
		snprintf(msg, sizeof(msg), "%s %s (%ld): no X-RateLimit-*",
		    method, path, r.status);
		CU_assertImplementation(has_header(&r, "X-RateLimit-Limit") &&
		    has_header(&r, "X-RateLimit-Remaining") &&
		    has_header(&r, "X-RateLimit-Reset"), line, msg, file, "",
		    CU_FALSE);
	}
	o = http_json(&r);
	if (r.status >= 400) {
		hid = http_header(&r, "X-Request-Id");
		code = json_str_at(o, "error.code");
		rid = json_str_at(o, "error.requestId");
		snprintf(msg, sizeof(msg), "%s %s (%ld): error body %.200s, "
		    "X-Request-Id %s", method, path, r.status, r.body,
		    hid ? hid : "(none)");
		CU_assertImplementation(code != NULL && json_str_at(o,
		    "error.message") != NULL && rid != NULL && hid != NULL &&
		    strcmp(rid, hid) == 0, line, msg, file, "", CU_FALSE);
		free(hid);
	}
	if (keep != NULL)
		*keep = r;
	else
		http_resp_free(&r);
	return o;
}
#define ING(m, p, a, b, w)						\
	ing_at(__FILE__, __LINE__, (m), (p), (a), NULL, (b), (w), 1, NULL)
#define ING_H(m, p, a, x, b, w)						\
	ing_at(__FILE__, __LINE__, (m), (p), (a), (x), (b), (w), 1, NULL)
#define ING_KEEP(m, p, a, x, b, w, r)					\
	ing_at(__FILE__, __LINE__, (m), (p), (a), (x), (b), (w), 1, (r))

/* A one-event batch around the event's JSON text. */
static const char *
one(struct sbuf *b, const char *event)
{
	b->len = 0;
	sb_printf(b, "{\"events\":[%s]}", event);
	return b->p;
}

/* An ISO 8601 UTC date-time secs from now. */
static void
iso_in(long secs, char *out, size_t n)
{
	time_t		 t = time(NULL) + secs;
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
test_ping(void)
{
	struct json_object	*o;
	char			 want[64], sql[256], *out = NULL;

	o = ING("GET", PING, auth, NULL, 200);
	CU_ASSERT(json_object_get_boolean(json_at(o, "ok")));
	snprintf(sql, sizeof(sql), "SELECT public_id FROM organizations "
	    "WHERE id = %ld", org_id);
	CU_ASSERT_FATAL(sql_query(sql, &out) == 0);
	snprintf(want, sizeof(want), "%.36s", out);
	ASSERT_EQS(json_str_at(o, "organizationId"), want, "organizationId");
	ASSERT_EQS(json_str_at(o, "app.slug"), "crm", "app.slug");
	ASSERT_EQS(json_str_at(o, "app.name"), "crm", "app.name");
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "app.id"));
	free(out);
	json_object_put(o);
}

/* Credentials first, before any body; the contract's 401 codes. */
static void
test_auth(void)
{
	struct json_object	*o;
	struct http_resp	 r;
	char			 integ[200], tok[128], id[37], a[200], args[64];
	char			*h;
	long			 before = writes_of(org_id);

	o = ing_at(__FILE__, __LINE__, "POST", EVENTS, NULL, NULL, "not json",
	    401, 0, &r);
	ASSERT_ERROR(o, "missing_auth", NULL);
	h = http_header(&r, "WWW-Authenticate");
	ASSERT_EQS(h, "Bearer", "WWW-Authenticate");
	free(h);
	http_resp_free(&r);
	json_object_put(o);
	o = ing_at(__FILE__, __LINE__, "GET", PING, "Authorization: Basic "
	    "dXNlcjpwYXNz", NULL, NULL, 401, 0, NULL);
	ASSERT_ERROR(o, "invalid_key", NULL);
	json_object_put(o);
	o = ing_at(__FILE__, __LINE__, "POST", EVENTS, "Authorization: Bearer "
	    "wp_live_nope", NULL, "{\"events\":[]}", 401, 0, NULL);
	ASSERT_ERROR(o, "invalid_key", NULL);
	json_object_put(o);
	/* Another kind of key, and a revoked one. */
	CU_ASSERT_FATAL(fixture_auth(org, integ));
	o = ing_at(__FILE__, __LINE__, "GET", PING, integ, NULL, NULL, 401, 0,
	    NULL);
	ASSERT_ERROR(o, "invalid_key", NULL);
	json_object_put(o);
	CU_ASSERT_FATAL(fixture_key(org, "ingest", "crm", tok, id));
	snprintf(a, sizeof(a), "Authorization: Bearer %s", tok);
	snprintf(args, sizeof(args), "key revoke %s", id);
	CU_ASSERT_FATAL(ctl_run(args, NULL, NULL) == 0);
	o = ing_at(__FILE__, __LINE__, "POST", SNAPS, a, NULL, "{}", 401, 0,
	    NULL);
	ASSERT_ERROR(o, "invalid_key", NULL);
	json_object_put(o);
	CU_ASSERT_EQUAL(writes_of(org_id), before);
}

static void
test_all_accepted(void)
{
	struct sbuf		 b = { NULL, 0, 0 };
	struct json_object	*o;
	char			 ext[64];
	long			 ev0 = events_of(org_id), u0 = usage_of(org_id);

	snprintf(ext, sizeof(ext), "acc-%u", tag);
	sb_printf(&b, "{\"events\":["
	    "{\"eventType\":\"ticket.resolved\",\"category\":"
	    "\"project_management\",\"timestamp\":\"2026-04-19T14:30:00+02:00\","
	    "\"actor\":{\"email\":\"alex-%u@acme.example\"},\"duration\":180,"
	    "\"metadata\":{\"ticket_id\":\"SUP-431\",\"n\":[1,2]}},"
	    "{\"eventType\":\"pr.merged\",\"category\":\"code\",\"actor\":"
	    "{\"externalId\":\"%s\",\"displayName\":\"Uma\"},\"unknown\":1},"
	    "{\"eventType\":\"pr.merged\",\"category\":\"code\",\"actor\":"
	    "{\"externalId\":\"%s\"},\"duration\":0,\"timestamp\":null}]}",
	    tag, ext, ext);
	o = ING("POST", EVENTS, auth, b.p, 202);
	ASSERT_NUM(o, "accepted", 3);
	ASSERT_NUM(o, "rejected", 0);
	ASSERT_NUM(o, "batchLimit", 500);
	CU_ASSERT_EQUAL(json_len_at(o, "results.accepted"), 3);
	CU_ASSERT_EQUAL(json_len_at(o, "results.rejected"), 0);
	ASSERT_NUM(o, "results.accepted.0.index", 0);
	ASSERT_EQS(json_str_at(o, "results.accepted.0.timestamp"),
	    "2026-04-19T12:30:00.000Z", "timestamp in UTC");
	ASSERT_EQS(json_str_at(o, "results.accepted.1.eventType"), "pr.merged",
	    "eventType");
	/* One externalId, one worker. */
	ASSERT_EQS(json_str_at(o, "results.accepted.2.workerId"),
	    json_str_at(o, "results.accepted.1.workerId") ?
	    json_str_at(o, "results.accepted.1.workerId") : "?", "same worker");
	CU_ASSERT_EQUAL(events_of(org_id), ev0 + 3);
	CU_ASSERT_EQUAL(usage_of(org_id), u0 + 3);
	CU_ASSERT_EQUAL(db_long("SELECT duration_s FROM activity_events WHERE "
	    "public_id = '%s'", json_str_at(o, "results.accepted.0.id")), 180);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM activity_events WHERE "
	    "public_id = '%s' AND occurred_at = '2026-04-19 12:30:00' AND "
	    "metadata = '{\"ticket_id\":\"SUP-431\",\"n\":[1,2]}' AND category "
	    "= 'project_management'", json_str_at(o,
	    "results.accepted.0.id")), 1);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM workers WHERE public_id "
	    "= '%s' AND display_name = 'Uma'", json_str_at(o,
	    "results.accepted.1.workerId")), 1);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM ingest_apps WHERE org_id "
	    "= %ld AND last_event_at > NOW(3) - INTERVAL 1 MINUTE", org_id), 1);
	json_object_put(o);
	sb_free(&b);
}

/* 207: accepted and rejected, each in input order; the rejected write
 * nothing, not even their (new) worker. */
static void
test_partial_207(void)
{
	struct sbuf		 b = { NULL, 0, 0 };
	struct json_object	*o;
	long			 ev0 = events_of(org_id), w0 = workers_of(org_id);

	sb_printf(&b, "{\"events\":["
	    "{\"eventType\":\"a.ok\",\"category\":\"code\",\"actor\":{\"email\":"
	    "\"p0-%u@x.example\"}},"
	    "{\"eventType\":\"a.bad\",\"category\":\"sales\",\"actor\":{\"email\":"
	    "\"p1-%u@x.example\"}},"
	    "{\"eventType\":\"a.ok\",\"category\":\"design\",\"actor\":{\"email\":"
	    "\"p0-%u@x.example\"}},"
	    "{\"eventType\":\"a.bad\",\"category\":\"code\",\"actor\":{}},"
	    "{\"eventType\":\"a.ok\",\"category\":\"other\",\"actor\":{\"email\":"
	    "\"P0-%u@X.example\"}},"
	    "7]}", tag, tag, tag, tag);
	o = ING("POST", EVENTS, auth, b.p, 207);
	ASSERT_NUM(o, "accepted", 3);
	ASSERT_NUM(o, "rejected", 3);
	ASSERT_NUM(o, "results.accepted.0.index", 0);
	ASSERT_NUM(o, "results.accepted.1.index", 2);
	ASSERT_NUM(o, "results.accepted.2.index", 4);
	ASSERT_NUM(o, "results.rejected.0.index", 1);
	ASSERT_EQS(json_str_at(o, "results.rejected.0.code"), "invalid_body",
	    "code 1");
	CU_ASSERT(strncmp(json_str_at(o, "results.rejected.0.message") ?
	    json_str_at(o, "results.rejected.0.message") : "",
	    "events[1].category:", 19) == 0);
	ASSERT_NUM(o, "results.rejected.1.index", 3);
	ASSERT_EQS(json_str_at(o, "results.rejected.1.code"), "missing_actor",
	    "code 3");
	ASSERT_NUM(o, "results.rejected.2.index", 5);
	ASSERT_EQS(json_str_at(o, "results.rejected.2.code"), "invalid_body",
	    "code 5");
	/* An email compared without case: one worker for three events. */
	CU_ASSERT_EQUAL(events_of(org_id), ev0 + 3);
	CU_ASSERT_EQUAL(workers_of(org_id), w0 + 1);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM workers WHERE org_id = "
	    "%ld AND email = 'p1-%u@x.example'", org_id, tag), 0);
	json_object_put(o);

	/* Every event rejected: still 207, accepted 0, nothing written. */
	b.len = 0;
	sb_printf(&b, "{\"events\":[{\"eventType\":\"x\",\"category\":\"code\","
	    "\"actor\":{\"email\":\"none-%u@x.example\"}},{}]}", tag);
	w0 = writes_of(org_id);
	o = ING("POST", EVENTS, auth, b.p, 207);
	ASSERT_NUM(o, "accepted", 0);
	ASSERT_NUM(o, "rejected", 2);
	CU_ASSERT_EQUAL(json_len_at(o, "results.accepted"), 0);
	CU_ASSERT_EQUAL(writes_of(org_id), w0);
	json_object_put(o);
	sb_free(&b);
}

/* Each rule of one event, alone in a batch: the code and the field. */
static void
test_event_rules(void)
{
	char	 future[64], soon[64], big[16400], ok_meta[16400];
	char	 long201[400];
	static const char *ev_fmt = "{\"eventType\":\"rule.check\","
	    "\"category\":\"code\",\"actor\":{\"email\":\"rules@x.example\"}%s}";
	struct {
		const char	*extra;		/* appended to the event, or */
		const char	*whole;		/* the whole event */
		const char	*code;		/* NULL: accepted */
		const char	*field;
	} cases[] = {
		{ NULL, "{\"category\":\"code\",\"actor\":{\"email\":\"r@x.co\"}}",
		    "invalid_body", "events[0].eventType:" },
		{ NULL, "{\"eventType\":\"ab\",\"category\":\"code\",\"actor\":"
		    "{\"email\":\"r@x.co\"}}", "invalid_body",
		    "events[0].eventType:" },
		{ NULL, "{\"eventType\":\"a b c\",\"category\":\"code\","
		    "\"actor\":{\"email\":\"r@x.co\"}}", "invalid_body",
		    "events[0].eventType:" },
		{ NULL, "{\"eventType\":\"-abc\",\"category\":\"code\","
		    "\"actor\":{\"email\":\"r@x.co\"}}", "invalid_body",
		    "events[0].eventType:" },
		{ NULL, "{\"eventType\":\"abc.\",\"category\":\"code\","
		    "\"actor\":{\"email\":\"r@x.co\"}}", "invalid_body",
		    "events[0].eventType:" },
		{ NULL, "{\"eventType\":7,\"category\":\"code\","
		    "\"actor\":{\"email\":\"r@x.co\"}}", "invalid_body",
		    "events[0].eventType:" },
		{ NULL, "{\"eventType\":\"abc\",\"actor\":{\"email\":"
		    "\"r@x.co\"}}", "invalid_body", "events[0].category:" },
		{ NULL, "{\"eventType\":\"abc\",\"category\":\"Code\",\"actor\":"
		    "{\"email\":\"r@x.co\"}}", "invalid_body",
		    "events[0].category:" },
		{ ",\"timestamp\":\"2026-04-19T12:30:00\"", NULL,
		    "invalid_body", "events[0].timestamp:" },
		{ ",\"timestamp\":\"2026-04-19\"", NULL, "invalid_body",
		    "events[0].timestamp:" },
		{ ",\"timestamp\":\"2026-02-30T10:00:00Z\"", NULL,
		    "invalid_body", "events[0].timestamp:" },
		{ ",\"timestamp\":\"yesterday\"", NULL, "invalid_body",
		    "events[0].timestamp:" },
		{ ",\"timestamp\":1713529800", NULL, "invalid_body",
		    "events[0].timestamp:" },
		{ ",\"timestamp\":\"1999-12-31T23:59:59Z\"", NULL,
		    "invalid_body", "events[0].timestamp: before 2000" },
		{ ",\"timestamp\":\"2000-01-01T00:59:59+01:00\"", NULL,
		    "invalid_body", "events[0].timestamp: before 2000" },
		{ future, NULL, "invalid_body",
		    "events[0].timestamp: more than 1 hour" },
		{ ",\"duration\":-1", NULL, "invalid_body",
		    "events[0].duration:" },
		{ ",\"duration\":86401", NULL, "invalid_body",
		    "events[0].duration:" },
		{ ",\"duration\":1.5", NULL, "invalid_body",
		    "events[0].duration:" },
		{ ",\"duration\":\"10\"", NULL, "invalid_body",
		    "events[0].duration:" },
		{ ",\"metadata\":[1]", NULL, "invalid_body",
		    "events[0].metadata:" },
		{ ",\"metadata\":\"x\"", NULL, "invalid_body",
		    "events[0].metadata:" },
		{ big, NULL, "invalid_body", "events[0].metadata: at most" },
		{ NULL, "{\"eventType\":\"abc\",\"category\":\"code\"}",
		    "missing_actor", "events[0].actor:" },
		{ NULL, "{\"eventType\":\"abc\",\"category\":\"code\","
		    "\"actor\":{\"displayName\":\"Only A Name\"}}",
		    "missing_actor", "events[0].actor:" },
		{ NULL, "{\"eventType\":\"abc\",\"category\":\"code\","
		    "\"actor\":{\"email\":\"\",\"externalId\":\"\"}}",
		    "missing_actor", "events[0].actor:" },
		{ NULL, "{\"eventType\":\"abc\",\"category\":\"code\","
		    "\"actor\":\"r@x.co\"}", "invalid_body",
		    "events[0].actor:" },
		{ NULL, "{\"eventType\":\"abc\",\"category\":\"code\","
		    "\"actor\":{\"email\":\"not-an-address\"}}", "invalid_body",
		    "events[0].actor.email:" },
		{ NULL, long201, "invalid_body", "events[0].actor.externalId:" },
		{ NULL, "[]", "invalid_body", "events[0]:" },
		/* accepted */
		{ soon, NULL, NULL, NULL },
		{ ",\"timestamp\":\"2000-01-01T00:00:00Z\"", NULL, NULL, NULL },
		{ ",\"timestamp\":\"2026-04-19T12:30Z\"", NULL, NULL, NULL },
		{ ",\"timestamp\":\"2026-04-19t12:30:00.25-0530\"", NULL, NULL,
		    NULL },
		{ ",\"duration\":86400", NULL, NULL, NULL },
		{ ",\"duration\":60.0", NULL, NULL, NULL },
		{ ok_meta, NULL, NULL, NULL },
		{ ",\"metadata\":null,\"duration\":null,\"extra\":{\"x\":1}",
		    NULL, NULL, NULL },
	};
	struct sbuf		 b = { NULL, 0, 0 };
	struct json_object	*o;
	char			 t[40];
	size_t			 i;
	long			 w0;

	iso_in(7200, t, sizeof(t));
	snprintf(future, sizeof(future), ",\"timestamp\":\"%s\"", t);
	iso_in(3000, t, sizeof(t));
	snprintf(soon, sizeof(soon), ",\"timestamp\":\"%s\"", t);
	/* {"k":"…"} of 16385 and 16384 bytes */
	snprintf(big, sizeof(big), ",\"metadata\":{\"k\":\"%0*d\"}", 16377, 0);
	snprintf(ok_meta, sizeof(ok_meta), ",\"metadata\":{\"k\":\"%0*d\"}",
	    16376, 0);
	snprintf(long201, sizeof(long201), "{\"eventType\":\"abc\","
	    "\"category\":\"code\",\"actor\":{\"externalId\":\"%0*d\"}}", 201,
	    0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b.len = 0;
		if (cases[i].whole != NULL)
			sb_printf(&b, "{\"events\":[%s]}", cases[i].whole);
		else {
			sb_printf(&b, "{\"events\":[");
			sb_printf(&b, ev_fmt, cases[i].extra);
			sb_printf(&b, "]}");
		}
		w0 = events_of(org_id);
		o = ING("POST", EVENTS, auth, b.p, cases[i].code ? 207 : 202);
		if (cases[i].code != NULL) {
			ASSERT_EQS(json_str_at(o, "results.rejected.0.code"),
			    cases[i].code, b.len < 300 ? b.p : "case");
			CU_ASSERT(json_str_at(o, "results.rejected.0.message") !=
			    NULL && strncmp(json_str_at(o,
			    "results.rejected.0.message"), cases[i].field,
			    strlen(cases[i].field)) == 0);
			CU_ASSERT_EQUAL(events_of(org_id), w0);
		} else
			CU_ASSERT_EQUAL(events_of(org_id), w0 + 1);
		json_object_put(o);
	}
	sb_free(&b);
}

/* A bad envelope refuses the request; nothing is written. */
static void
test_envelope(void)
{
	static const struct {
		const char	*body;
		long		 status;
		const char	*prefix;
	} cases[] = {
		{ "{\"events\":[", 400, "body:" },
		{ "[{\"eventType\":\"abc\"}]", 400, "body:" },
		{ "{}", 400, "events: is required" },
		{ "{\"events\":null}", 400, "events: is required" },
		{ "{\"events\":{}}", 400, "events: expected an array" },
		{ "{\"events\":[]}", 400, "events: at least one" },
	};
	struct sbuf		 b = { NULL, 0, 0 };
	struct json_object	*o;
	struct http_resp	 r;
	const char		*h[3];
	long			 w0 = writes_of(org_id);
	size_t			 i;
	int			 k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o = ING("POST", EVENTS, auth, cases[i].body, cases[i].status);
		ASSERT_ERROR(o, "invalid_body", cases[i].prefix);
		json_object_put(o);
	}
	/* Not valid UTF-8 (sent straight to the stack, see itest.c). */
	h[0] = auth;
	h[1] = "Content-Type: application/json";
	h[2] = NULL;
	http_do("POST", EVENTS, h, "{\"events\":[\"\xff\"]}",
	    strlen("{\"events\":[\"\xff\"]}"), &r);
	ASSERT_STATUS(&r, 400);
	o = http_json(&r);
	ASSERT_ERROR(o, "invalid_body", "body: not valid UTF-8");
	json_object_put(o);
	http_resp_free(&r);
	/* 501 events */
	sb_printf(&b, "{\"events\":[");
	for (k = 0; k < 501; k++)
		sb_printf(&b, "%s{\"eventType\":\"big.batch\",\"category\":"
		    "\"code\",\"actor\":{\"email\":\"big@x.example\"}}",
		    k ? "," : "");
	sb_printf(&b, "]}");
	o = ING("POST", EVENTS, auth, b.p, 413);
	ASSERT_ERROR(o, "batch_too_large", "events: at most 500");
	json_object_put(o);
	/* a body over 1 MiB */
	b.len = 0;
	sb_printf(&b, "{\"events\":[{\"eventType\":\"abc\",\"category\":"
	    "\"code\",\"actor\":{\"email\":\"big@x.example\"}}],\"pad\":\"%0*d\"}",
	    1048576, 0);
	o = ING("POST", EVENTS, auth, b.p, 413);
	ASSERT_ERROR(o, "batch_too_large", NULL);
	json_object_put(o);
	o = ING("POST", SNAPS, auth, b.p, 413);
	ASSERT_ERROR(o, "batch_too_large", NULL);
	json_object_put(o);
	CU_ASSERT_EQUAL(writes_of(org_id), w0);
	sb_free(&b);
}

/* Exactly 500 events go in one request. */
static void
test_full_batch(void)
{
	struct sbuf		 b = { NULL, 0, 0 };
	struct json_object	*o;
	long			 ev0 = events_of(org_id);
	int			 k;

	sb_printf(&b, "{\"events\":[");
	for (k = 0; k < 500; k++)
		sb_printf(&b, "%s{\"eventType\":\"full.batch\",\"category\":"
		    "\"code\",\"actor\":{\"externalId\":\"full-%u-%d\"},"
		    "\"metadata\":{\"k\":%d}}", k ? "," : "", tag, k % 7, k);
	sb_printf(&b, "]}");
	o = ING("POST", EVENTS, auth, b.p, 202);
	ASSERT_NUM(o, "accepted", 500);
	ASSERT_NUM(o, "results.accepted.499.index", 499);
	CU_ASSERT_EQUAL(events_of(org_id), ev0 + 500);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM worker_external_ids "
	    "WHERE org_id = %ld AND external_id LIKE 'full-%u-%%'", org_id, tag),
	    7);
	json_object_put(o);
	sb_free(&b);
}

/* The public id of the worker an email names in an organization. */
static void
worker_id_of(long oid, const char *email, char *out)
{
	char	 sql[300], *text = NULL;

	snprintf(sql, sizeof(sql), "SELECT public_id FROM workers WHERE org_id "
	    "= %ld AND email = '%s'", oid, email);
	out[0] = '\0';
	if (sql_query(sql, &text) == 0)
		snprintf(out, 37, "%.36s", text);
	free(text);
}

/* workerId wins over externalId over email; unknown ids; tenants. */
static void
test_actors(void)
{
	struct sbuf		 b = { NULL, 0, 0 };
	struct json_object	*o;
	char			 w1[37], other[37], ev[512], app2[200];
	long			 w0;

	/* A worker by email; the same email in any case is that worker. */
	snprintf(ev, sizeof(ev), "{\"eventType\":\"abc\",\"category\":\"code\","
	    "\"actor\":{\"email\":\"Wendy-%u@Acme.example\",\"displayName\":"
	    "\"Wendy\"}}", tag);
	json_object_put(ING("POST", EVENTS, auth, one(&b, ev), 202));
	snprintf(ev, sizeof(ev), "wendy-%u@acme.example", tag);
	worker_id_of(org_id, ev, w1);
	CU_ASSERT_FATAL(w1[0] != '\0');
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM workers WHERE public_id "
	    "= '%s' AND display_name = 'Wendy'", w1), 1);

	/* workerId wins: the externalId is not linked, nothing is made. */
	w0 = workers_of(org_id);
	snprintf(ev, sizeof(ev), "{\"eventType\":\"abc\",\"category\":\"code\","
	    "\"actor\":{\"workerId\":\"%s\",\"externalId\":\"wins-%u\","
	    "\"email\":\"someone-else-%u@acme.example\"}}", w1, tag, tag);
	o = ING("POST", EVENTS, auth, one(&b, ev), 202);
	ASSERT_EQS(json_str_at(o, "results.accepted.0.workerId"), w1, "by id");
	json_object_put(o);
	CU_ASSERT_EQUAL(workers_of(org_id), w0);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM worker_external_ids "
	    "WHERE external_id = 'wins-%u'", tag), 0);

	/* externalId wins over email: a new externalId with a known email
	 * is linked to that worker, and resolves to it from then on. */
	snprintf(ev, sizeof(ev), "{\"eventType\":\"abc\",\"category\":\"code\","
	    "\"actor\":{\"externalId\":\"wendy-ext-%u\",\"email\":"
	    "\"WENDY-%u@acme.example\"}}", tag, tag);
	o = ING("POST", EVENTS, auth, one(&b, ev), 202);
	ASSERT_EQS(json_str_at(o, "results.accepted.0.workerId"), w1,
	    "linked by email");
	json_object_put(o);
	snprintf(ev, sizeof(ev), "{\"eventType\":\"abc\",\"category\":\"code\","
	    "\"actor\":{\"externalId\":\"wendy-ext-%u\",\"email\":"
	    "\"not-wendy-%u@acme.example\"}}", tag, tag);
	o = ING("POST", EVENTS, auth, one(&b, ev), 202);
	ASSERT_EQS(json_str_at(o, "results.accepted.0.workerId"), w1,
	    "by externalId");
	json_object_put(o);
	CU_ASSERT_EQUAL(workers_of(org_id), w0);

	/* Names of new workers: displayName, else email, else externalId. */
	snprintf(ev, sizeof(ev), "{\"eventType\":\"abc\",\"category\":\"code\","
	    "\"actor\":{\"externalId\":\"named-%u\"}}", tag);
	o = ING("POST", EVENTS, auth, one(&b, ev), 202);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM workers WHERE public_id "
	    "= '%s' AND display_name = 'named-%u' AND email IS NULL",
	    json_str_at(o, "results.accepted.0.workerId"), tag), 1);
	json_object_put(o);
	snprintf(ev, sizeof(ev), "{\"eventType\":\"abc\",\"category\":\"code\","
	    "\"actor\":{\"externalId\":\"mailed-%u\",\"email\":"
	    "\"mailed-%u@acme.example\"}}", tag, tag);
	o = ING("POST", EVENTS, auth, one(&b, ev), 202);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM workers WHERE public_id "
	    "= '%s' AND display_name = 'mailed-%u@acme.example' AND email = "
	    "'mailed-%u@acme.example'", json_str_at(o,
	    "results.accepted.0.workerId"), tag, tag), 1);
	json_object_put(o);

	/* A name is at most 200 characters; an email may be longer. */
	snprintf(ev, sizeof(ev), "{\"eventType\":\"abc\",\"category\":\"code\","
	    "\"actor\":{\"email\":\"%0*u@acme.example\"}}", 230, tag);
	o = ING("POST", EVENTS, auth, one(&b, ev), 202);
	CU_ASSERT_EQUAL(db_long("SELECT CHAR_LENGTH(display_name) FROM workers "
	    "WHERE public_id = '%s'", json_str_at(o,
	    "results.accepted.0.workerId")), 200);
	json_object_put(o);

	/* An unknown workerId makes nothing. */
	w0 = writes_of(org_id);
	o = ING("POST", EVENTS, auth, one(&b, "{\"eventType\":\"abc\","
	    "\"category\":\"code\",\"actor\":{\"workerId\":"
	    "\"01000000-0000-7000-8000-000000000000\",\"email\":"
	    "\"ghost@acme.example\"}}"), 207);
	ASSERT_EQS(json_str_at(o, "results.rejected.0.code"),
	    "worker_not_found", "unknown workerId");
	json_object_put(o);
	CU_ASSERT_EQUAL(writes_of(org_id), w0);

	/* Another organization's worker does not exist here. */
	snprintf(ev, sizeof(ev), "{\"eventType\":\"abc\",\"category\":\"code\","
	    "\"actor\":{\"email\":\"other-%u@beta.example\"}}", tag);
	json_object_put(ING("POST", EVENTS, auth2, one(&b, ev), 202));
	snprintf(ev, sizeof(ev), "other-%u@beta.example", tag);
	worker_id_of(org2_id, ev, other);
	CU_ASSERT_FATAL(other[0] != '\0');
	snprintf(ev, sizeof(ev), "{\"eventType\":\"abc\",\"category\":\"code\","
	    "\"actor\":{\"workerId\":\"%s\"}}", other);
	o = ING("POST", EVENTS, auth, one(&b, ev), 207);
	ASSERT_EQS(json_str_at(o, "results.rejected.0.code"),
	    "worker_not_found", "another tenant's worker");
	json_object_put(o);
	o = ING("POST", SNAPS, auth, "{\"snapshotType\":\"abc\",\"metrics\":{},"
	    "\"actor\":{\"workerId\":\"01000000-0000-7000-8000-000000000000\"}}",
	    400);
	ASSERT_ERROR(o, "worker_not_found", "actor.workerId:");
	json_object_put(o);
	CU_ASSERT_EQUAL(writes_of(org_id), w0);
	CU_ASSERT_EQUAL(events_of(org2_id), 1);

	/* An externalId belongs to its app: another app's is another worker. */
	CU_ASSERT_FATAL(ingest_auth(org, "pos", app2));
	snprintf(ev, sizeof(ev), "{\"eventType\":\"abc\",\"category\":\"code\","
	    "\"actor\":{\"externalId\":\"named-%u\"}}", tag);
	w0 = workers_of(org_id);
	json_object_put(ING("POST", EVENTS, app2, one(&b, ev), 202));
	CU_ASSERT_EQUAL(workers_of(org_id), w0 + 1);
	sb_free(&b);
}

/* allowedEventTypes, set with mihwarctl app update. */
static void
test_allowed_types(void)
{
	struct sbuf		 b = { NULL, 0, 0 };
	struct json_object	*o;
	char			 args[200];
	long			 w0;
	static const char	 batch[] = "{\"events\":["
	    "{\"eventType\":\"ticket.opened\",\"category\":\"code\",\"actor\":"
	    "{\"email\":\"types@acme.example\"}},"
	    "{\"eventType\":\"deploy.done\",\"category\":\"code\",\"actor\":"
	    "{\"email\":\"types@acme.example\"}},"
	    "{\"eventType\":\"ticket.closed\",\"category\":\"code\",\"actor\":"
	    "{\"email\":\"types@acme.example\"}}]}";

	snprintf(args, sizeof(args), "app update --org %s --app crm "
	    "--allowed-event-types ticket.opened,ticket.closed", org);
	CU_ASSERT_FATAL(ctl_run(args, NULL, NULL) == 0);
	o = ING("POST", EVENTS, auth, batch, 207);
	ASSERT_NUM(o, "accepted", 2);
	ASSERT_NUM(o, "results.rejected.0.index", 1);
	ASSERT_EQS(json_str_at(o, "results.rejected.0.code"),
	    "forbidden_event_type", "mixed batch");
	json_object_put(o);
	/* every event outside the list: 403, nothing written */
	w0 = writes_of(org_id);
	o = ING("POST", EVENTS, auth, one(&b, "{\"eventType\":\"deploy.done\","
	    "\"category\":\"code\",\"actor\":{\"email\":"
	    "\"types-403@acme.example\"}},{\"eventType\":\"deploy.failed\","
	    "\"category\":\"nope\"}"), 403);
	ASSERT_ERROR(o, "forbidden_event_type", NULL);
	json_object_put(o);
	CU_ASSERT_EQUAL(writes_of(org_id), w0);
	/* cleared: every type */
	snprintf(args, sizeof(args), "app update --org %s --app crm "
	    "--allowed-event-types ''", org);
	CU_ASSERT_FATAL(ctl_run(args, NULL, NULL) == 0);
	json_object_put(ING("POST", EVENTS, auth, batch, 202));
	/* bad arguments */
	snprintf(args, sizeof(args), "app update --org %s --app crm "
	    "--allowed-event-types 'ok.type,x'", org);
	CU_ASSERT_EQUAL(ctl_run(args, NULL, NULL), 2);
	snprintf(args, sizeof(args), "app update --org %s --app no-such-app "
	    "--allowed-event-types abc", org);
	CU_ASSERT_EQUAL(ctl_run(args, NULL, NULL), 1);
	sb_free(&b);
}

static void
org_update(const char *slug, const char *flags, int want)
{
	char	 args[300];

	snprintf(args, sizeof(args), "org update --slug %s %s", slug, flags);
	CU_ASSERT_EQUAL(ctl_run(args, NULL, NULL), want);
}

/* ingest off (402 api_disabled), the plan (402 plan_limit), the quota
 * (429 quota_exceeded, Retry-After to next month). */
static void
test_plans(void)
{
	char			 slug[64], a[200], ev[256];
	struct sbuf		 b = { NULL, 0, 0 };
	struct json_object	*o;
	struct http_resp	 r;
	time_t			 now = time(NULL);
	struct tm		 tm;
	long			 id = 0, w0, ra, to_month;
	static const char	 snap[] = "{\"snapshotType\":\"tickets_open\","
	    "\"actor\":{\"email\":\"plan@acme.example\"},\"metrics\":{\"n\":1}}";

	CU_ASSERT_FATAL(fresh_org(slug, a, &id));
	snprintf(ev, sizeof(ev), "{\"eventType\":\"abc\",\"category\":\"code\","
	    "\"actor\":{\"email\":\"plan@acme.example\"}}");
	org_update(slug, "--ingest off", 0);
	w0 = writes_of(id);
	o = ING("GET", PING, a, NULL, 402);
	ASSERT_ERROR(o, "api_disabled", NULL);
	json_object_put(o);
	o = ING("POST", EVENTS, a, one(&b, ev), 402);
	ASSERT_ERROR(o, "api_disabled", NULL);
	json_object_put(o);
	o = ING("POST", SNAPS, a, snap, 402);
	ASSERT_ERROR(o, "api_disabled", NULL);
	json_object_put(o);
	CU_ASSERT_EQUAL(writes_of(id), w0);
	org_update(slug, "--ingest on --ingest-plan-events 3", 0);

	/* 2 of 3, then 1 of 2 (207 plan_limit), then 402. */
	b.len = 0;
	sb_printf(&b, "{\"events\":[%s,%s]}", ev, ev);
	json_object_put(ING("POST", EVENTS, a, b.p, 202));
	o = ING("POST", EVENTS, a, b.p, 207);
	ASSERT_NUM(o, "accepted", 1);
	ASSERT_NUM(o, "results.rejected.0.index", 1);
	ASSERT_EQS(json_str_at(o, "results.rejected.0.code"), "plan_limit",
	    "past the plan");
	json_object_put(o);
	w0 = writes_of(id);
	o = ING("POST", EVENTS, a, b.p, 402);
	ASSERT_ERROR(o, "plan_limit", NULL);
	json_object_put(o);
	o = ING("POST", SNAPS, a, snap, 402);
	ASSERT_ERROR(o, "plan_limit", NULL);
	json_object_put(o);
	CU_ASSERT_EQUAL(writes_of(id), w0);
	CU_ASSERT_EQUAL(usage_of(id), 3);
	/* An event that is rejected anyway still says why. */
	o = ING("POST", EVENTS, a, one(&b, "{\"eventType\":\"abc\"}"), 207);
	ASSERT_EQS(json_str_at(o, "results.rejected.0.code"), "invalid_body",
	    "invalid, plan used up");
	json_object_put(o);

	/* The quota: 4 a month (3 used); the plan unlimited. */
	org_update(slug, "--ingest-plan-events none --ingest-monthly-quota 4",
	    0);
	gmtime_r(&now, &tm);
	tm.tm_mon++;
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	to_month = (long)(timegm(&tm) - now);
	b.len = 0;
	sb_printf(&b, "{\"events\":[%s,%s]}", ev, ev);
	o = ING_KEEP("POST", EVENTS, a, NULL, b.p, 207, &r);
	ASSERT_EQS(json_str_at(o, "results.rejected.0.code"), "quota_exceeded",
	    "past the quota");
	ra = header_num(&r, "Retry-After");
	CU_ASSERT(ra >= to_month - 5 && ra <= to_month + 5);
	http_resp_free(&r);
	json_object_put(o);
	w0 = writes_of(id);
	o = ING_KEEP("POST", EVENTS, a, NULL, b.p, 429, &r);
	ASSERT_ERROR(o, "quota_exceeded", NULL);
	ra = header_num(&r, "Retry-After");
	CU_ASSERT(ra >= to_month - 5 && ra <= to_month + 5);
	http_resp_free(&r);
	json_object_put(o);
	o = ING("POST", SNAPS, a, snap, 429);
	ASSERT_ERROR(o, "quota_exceeded", NULL);
	json_object_put(o);
	CU_ASSERT_EQUAL(writes_of(id), w0);
	CU_ASSERT_EQUAL(usage_of(id), 4);
	/* Ping is not counted against the plan or quota. */
	json_object_put(ING("GET", PING, a, NULL, 200));
	org_update(slug, "--ingest-monthly-quota none", 0);
	json_object_put(ING("POST", SNAPS, a, snap, 202));
	CU_ASSERT_EQUAL(usage_of(id), 5);
	/* bad arguments: 0 is no limit's spelling; nothing to change */
	org_update(slug, "--ingest-plan-events 0", 2);
	org_update(slug, "--ingest maybe", 2);
	org_update(slug, "", 2);
	org_update("no-such-org-here", "--ingest on", 1);
	sb_free(&b);
}

/* Concurrent batches never take the organization past its plan. */
static void
test_plan_race(void)
{
	char			 slug[64], a[200];
	struct http_resp	 out[8];
	struct json_object	*o;
	long			 id = 0, accepted = 0;
	double			 v;
	int			 i;
	static const char	 body[] = "{\"events\":["
	    "{\"eventType\":\"abc\",\"category\":\"code\",\"actor\":{\"email\":"
	    "\"race@acme.example\"}},"
	    "{\"eventType\":\"abc\",\"category\":\"code\",\"actor\":{\"email\":"
	    "\"race@acme.example\"}},"
	    "{\"eventType\":\"abc\",\"category\":\"code\",\"actor\":{\"email\":"
	    "\"race2@acme.example\"}}]}";

	CU_ASSERT_FATAL(fresh_org(slug, a, &id));
	org_update(slug, "--ingest-plan-events 10", 0);
	api_race(8, "POST", EVENTS, a, NULL, body, out);
	for (i = 0; i < 8; i++) {
		o = http_json(&out[i]);
		CU_ASSERT(out[i].status == 202 || out[i].status == 207 ||
		    out[i].status == 402);
		if ((out[i].status == 202 || out[i].status == 207) &&
		    json_num_at(o, "accepted", &v))
			accepted += (long)v;
		json_object_put(o);
		http_resp_free(&out[i]);
	}
	CU_ASSERT_EQUAL(accepted, 10);
	CU_ASSERT_EQUAL(events_of(id), 10);
	CU_ASSERT_EQUAL(usage_of(id), 10);
	CU_ASSERT_EQUAL(workers_of(id), 2);
}

static void
test_snapshots(void)
{
	struct json_object	*o;
	char			 body[512], w[37];
	long			 w0, ev0;
	static const struct {
		const char	*body, *code, *prefix;
	} bad[] = {
		{ "{\"actor\":{\"email\":\"s@x.co\"},\"metrics\":{}}",
		    "invalid_body", "snapshotType:" },
		{ "{\"snapshotType\":\"x\",\"actor\":{\"email\":\"s@x.co\"},"
		    "\"metrics\":{}}", "invalid_body", "snapshotType:" },
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"email\":\"s@x.co\"}}",
		    "invalid_body", "metrics: is required" },
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"email\":\"s@x.co\"},"
		    "\"metrics\":[1]}", "invalid_body", "metrics: expected" },
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"email\":\"s@x.co\"},"
		    "\"metrics\":{\"a\":true}}", "invalid_body", "metrics.a:" },
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"email\":\"s@x.co\"},"
		    "\"metrics\":{\"a\":null}}", "invalid_body", "metrics.a:" },
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"email\":\"s@x.co\"},"
		    "\"metrics\":{\"a\":{\"value\":\"1\"}}}", "invalid_body",
		    "metrics.a.value:" },
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"email\":\"s@x.co\"},"
		    "\"metrics\":{\"a\":{\"value\":1,\"unit\":\"hours\"}}}",
		    "invalid_body", "metrics.a.unit:" },
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"email\":\"s@x.co\"},"
		    "\"metrics\":{\"a\":{\"label\":5}}}", "invalid_body",
		    "metrics.a.label:" },
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"email\":\"s@x.co\"},"
		    "\"metrics\":{\"\":1}}", "invalid_body", "metrics:" },
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"email\":\"s@x.co\"},"
		    "\"metrics\":{},\"metadata\":7}", "invalid_body",
		    "metadata:" },
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"email\":\"s@x.co\"},"
		    "\"metrics\":{},\"timestamp\":\"2026-04-19T12:30:00\"}",
		    "invalid_body", "timestamp:" },
		{ "{\"snapshotType\":\"abc\",\"metrics\":{}}", "missing_actor",
		    "actor:" },
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"displayName\":\"N\"},"
		    "\"metrics\":{}}", "missing_actor", "actor:" },
		{ "[1]", "invalid_body", "body:" },
	};
	size_t			 i;

	w0 = writes_of(org_id);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = ING("POST", SNAPS, auth, bad[i].body, 400);
		ASSERT_ERROR(o, bad[i].code, bad[i].prefix);
		json_object_put(o);
	}
	CU_ASSERT_EQUAL(writes_of(org_id), w0);

	ev0 = events_of(org_id);
	snprintf(body, sizeof(body), "{\"snapshotType\":\"tickets_open\","
	    "\"timestamp\":\"2026-04-19T12:30:00Z\",\"actor\":{\"externalId\":"
	    "\"snap-%u\",\"displayName\":\"Sam\"},\"metrics\":{\"tickets_open\":"
	    "7,\"sla\":{\"value\":0.92,\"unit\":\"ratio\",\"label\":\"SLA %%\"},"
	    "\"mood\":\"fine\"},\"metadata\":{\"source\":\"crm\"}}", tag);
	o = ING("POST", SNAPS, auth, body, 202);
	CU_ASSERT(json_object_get_boolean(json_at(o, "ok")));
	ASSERT_EQS(json_str_at(o, "snapshotType"), "tickets_open", "type");
	ASSERT_EQS(json_str_at(o, "worker.displayName"), "Sam", "worker name");
	ASSERT_EQS(json_str_at(o, "timestamp"), "2026-04-19T12:30:00.000Z",
	    "timestamp");
	snprintf(w, sizeof(w), "%s", json_str_at(o, "worker.id") ?
	    json_str_at(o, "worker.id") : "");
	json_object_put(o);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM activity_snapshots s "
	    "JOIN workers w ON w.id = s.worker_id WHERE w.public_id = '%s' AND "
	    "s.snapshot_type = 'tickets_open' AND s.metrics LIKE "
	    "'{\"tickets_open\":7,%%' AND s.metadata = '{\"source\":\"crm\"}'",
	    w), 1);
	/* An older one is kept as an event but is not current; a newer one
	 * is. */
	snprintf(body, sizeof(body), "{\"snapshotType\":\"tickets_open\","
	    "\"timestamp\":\"2026-04-19T11:00:00Z\",\"actor\":{\"workerId\":"
	    "\"%s\"},\"metrics\":{\"tickets_open\":9}}", w);
	json_object_put(ING("POST", SNAPS, auth, body, 202));
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM activity_snapshots s "
	    "JOIN workers w ON w.id = s.worker_id WHERE w.public_id = '%s' AND "
	    "s.metrics LIKE '{\"tickets_open\":7,%%' AND s.taken_at = "
	    "'2026-04-19 12:30:00'", w), 1);
	snprintf(body, sizeof(body), "{\"snapshotType\":\"tickets_open\","
	    "\"timestamp\":\"2026-04-19T13:00:00Z\",\"actor\":{\"externalId\":"
	    "\"snap-%u\"},\"metrics\":{\"tickets_open\":3}}", tag);
	json_object_put(ING("POST", SNAPS, auth, body, 202));
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM activity_snapshots s "
	    "JOIN workers w ON w.id = s.worker_id WHERE w.public_id = '%s' AND "
	    "s.metrics = '{\"tickets_open\":3}' AND s.metadata IS NULL AND "
	    "s.taken_at = '2026-04-19 13:00:00'", w), 1);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM activity_snapshots s "
	    "JOIN workers w ON w.id = s.worker_id WHERE w.public_id = '%s'", w),
	    1);
	/* every snapshot is an event */
	CU_ASSERT_EQUAL(events_of(org_id), ev0 + 3);
	CU_ASSERT_EQUAL(db_long("SELECT COUNT(*) FROM activity_events e JOIN "
	    "workers w ON w.id = e.worker_id WHERE w.public_id = '%s' AND "
	    "e.event_type = 'tickets_open' AND e.category = 'other' AND "
	    "e.metadata = '{\"snapshot\":{\"metrics\":{\"tickets_open\":9}}}'",
	    w), 1);
}

/* Replay byte for byte (202 and 207), 422, a key's length, per key. */
static void
test_idempotency(void)
{
	struct sbuf		 b = { NULL, 0, 0 };
	struct http_resp	 r1, r2;
	struct json_object	*o;
	char			 key[300], key2[300], other[200], ev[256];
	long			 ev0;

	snprintf(ev, sizeof(ev), "{\"eventType\":\"idem.one\",\"category\":"
	    "\"code\",\"actor\":{\"email\":\"idem-%u@acme.example\"}}", tag);
	sb_printf(&b, "{\"events\":[%s,{\"eventType\":\"x\"}]}", ev);
	snprintf(key, sizeof(key), "Idempotency-Key: act-%u", tag);
	ev0 = events_of(org_id);
	json_object_put(ING_KEEP("POST", EVENTS, auth, key, b.p, 207, &r1));
	json_object_put(ING_KEEP("POST", EVENTS, auth, key, b.p, 207, &r2));
	CU_ASSERT(!http_replayed(&r1) && http_replayed(&r2));
	CU_ASSERT(r1.len == r2.len && memcmp(r1.body, r2.body, r1.len) == 0);
	CU_ASSERT_EQUAL(events_of(org_id), ev0 + 1);
	http_resp_free(&r1);
	http_resp_free(&r2);
	/* the same key, another body */
	o = ING_H("POST", EVENTS, auth, key, one(&b, ev), 422);
	ASSERT_ERROR(o, "idempotency_key_reused", NULL);
	json_object_put(o);
	CU_ASSERT_EQUAL(events_of(org_id), ev0 + 1);
	/* snapshots too, 200 characters of key */
	snprintf(key2, sizeof(key2), "Idempotency-Key: %0*u", 200, tag);
	b.len = 0;
	sb_printf(&b, "{\"snapshotType\":\"idem_snap\",\"actor\":{\"email\":"
	    "\"idem-%u@acme.example\"},\"metrics\":{\"n\":1}}", tag);
	json_object_put(ING_KEEP("POST", SNAPS, auth, key2, b.p, 202, &r1));
	json_object_put(ING_KEEP("POST", SNAPS, auth, key2, b.p, 202, &r2));
	CU_ASSERT(http_replayed(&r2));
	CU_ASSERT(r1.len == r2.len && memcmp(r1.body, r2.body, r1.len) == 0);
	CU_ASSERT_EQUAL(events_of(org_id), ev0 + 2);
	http_resp_free(&r1);
	http_resp_free(&r2);
	/* 201 characters: 400 invalid_body, nothing written */
	snprintf(key2, sizeof(key2), "Idempotency-Key: %0*u", 201, tag);
	o = ING_H("POST", SNAPS, auth, key2, b.p, 400);
	ASSERT_ERROR(o, "invalid_body", "Idempotency-Key:");
	json_object_put(o);
	CU_ASSERT_EQUAL(events_of(org_id), ev0 + 2);
	/* Keys belong to their API key: another key runs its own request. */
	CU_ASSERT_FATAL(ingest_auth(org, "crm", other));
	json_object_put(ING_KEEP("POST", SNAPS, other, key, b.p, 202, &r1));
	CU_ASSERT(!http_replayed(&r1));
	http_resp_free(&r1);
	CU_ASSERT_EQUAL(events_of(org_id), ev0 + 3);
	sb_free(&b);
}

struct slow {
	const char		*a, *key, *body;
	struct http_resp	 r;
};

static void *
slow_run(void *arg)
{
	struct slow	*s = arg;

	api_do(&s->r, "POST", EVENTS, s->a, s->key, s->body);
	return NULL;
}

/* Poll a COUNT query every 50 ms for up to 5 s; 1 once it is not 0. */
static int
wait_for(const char *sql)
{
	int	 i;

	for (i = 0; i < 100; i++) {
		if (db_long("%s", sql) > 0)
			return 1;
		usleep(50 * 1000);
	}
	return 0;
}

/*
 * 409 idempotency_in_progress: a mariadb client holds the month's usage
 * row of an organization with a plan, so that the first request waits
 * inside its transaction while a duplicate arrives.
 */
static void
test_idempotency_in_progress(void)
{
	char			 slug[64], a[200], key[100], cmd[1024];
	struct json_object	*o;
	struct slow		 s;
	pthread_t		 th;
	FILE			*locker;
	long			 id = 0;
	static const char	 body[] = "{\"events\":[{\"eventType\":\"abc\","
	    "\"category\":\"code\",\"actor\":{\"email\":\"busy@acme.example\"}}]}";

	CU_ASSERT_FATAL(fresh_org(slug, a, &id));
	org_update(slug, "--ingest-plan-events 100", 0);
	snprintf(key, sizeof(key), "Idempotency-Key: busy-%u", tag);
	snprintf(cmd, sizeof(cmd), "mariadb --no-defaults --socket='%s' -uroot "
	    "mihwar -N -B -e \"START TRANSACTION; INSERT INTO ingest_usage "
	    "(org_id, month, events) VALUES (%ld, DATE_FORMAT(UTC_TIMESTAMP(),"
	    " '%%Y-%%m'), 0) ON DUPLICATE KEY UPDATE events = events; "
	    "SELECT SLEEP(6); COMMIT\" >/dev/null 2>&1",
	    itest_env("MIHWAR_DB_SOCKET"), id);
	locker = popen(cmd, "r");
	CU_ASSERT_FATAL(locker != NULL);
	/* The row is held once the locker sleeps; the first request is in
	 * flight once a transaction waits for it. */
	CU_ASSERT_FATAL(wait_for("SELECT COUNT(*) FROM information_schema."
	    "PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(6)%%'"));
	s.a = a;
	s.key = key;
	s.body = body;
	pthread_create(&th, NULL, slow_run, &s);
	if (!wait_for("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
	    "WHERE INFO LIKE 'INSERT INTO ingest_usage%%LAST_INSERT_ID(0)%%'")) {
		char	*dump = NULL;

		sql_query("SELECT trx_state, trx_query FROM information_schema."
		    "INNODB_TRX; SELECT STATE, INFO FROM information_schema."
		    "PROCESSLIST WHERE INFO IS NOT NULL", &dump);
		fprintf(stderr, "no request waits for the held row:\n%s\n",
		    dump ? dump : "");
		free(dump);
		CU_FAIL("the first request did not wait for the held row");
	}
	o = ING_H("POST", EVENTS, a, key, body, 409);
	ASSERT_ERROR(o, "idempotency_in_progress", NULL);
	json_object_put(o);
	pthread_join(th, NULL);
	pclose(locker);
	ASSERT_STATUS(&s.r, 202);
	CU_ASSERT(!http_replayed(&s.r));
	http_resp_free(&s.r);
	o = ING_H("POST", EVENTS, a, key, body, 202);
	json_object_put(o);
	CU_ASSERT_EQUAL(events_of(id), 1);
}

/* 404, 405 and every error after the key carry the family's headers. */
static void
test_paths(void)
{
	struct json_object	*o;
	struct http_resp	 r;
	char			*h;

	o = ING("GET", "/api/v1/ingest/nope", auth, NULL, 404);
	ASSERT_ERROR(o, "not_found", NULL);
	json_object_put(o);
	o = ING_KEEP("GET", EVENTS, auth, NULL, NULL, 405, &r);
	ASSERT_ERROR(o, "method_not_allowed", NULL);
	h = http_header(&r, "Allow");
	ASSERT_EQS(h, "POST", "Allow");
	free(h);
	http_resp_free(&r);
	json_object_put(o);
	o = ING("DELETE", PING, auth, NULL, 405);
	json_object_put(o);
	/* unknown paths still ask for the key first */
	o = ing_at(__FILE__, __LINE__, "GET", "/api/v1/ingest/nope", NULL,
	    NULL, NULL, 401, 0, NULL);
	ASSERT_ERROR(o, "missing_auth", NULL);
	json_object_put(o);
}

/* ---- rate limits across the pool, straight to the stack ---- */

struct rl_req {
	const char	*auth;
	long		 status, limit, remaining, retry;
};

struct rl_burst {
	struct rl_req	*v;
	int		 n;
	atomic_int	 next;
	char		 url[512];
};

static long
rl_value(const char *line, size_t n, const char *name)
{
	size_t	 k = strlen(name);
	char	 buf[32];

	if (n <= k + 1 || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return -2;
	snprintf(buf, sizeof(buf), "%.*s", (int)(n - k - 1), line + k + 1);
	return strtol(buf, NULL, 10);
}

static size_t
rl_header(char *line, size_t size, size_t n, void *arg)
{
	struct rl_req	*q = arg;
	long		 v;

	n *= size;
	if ((v = rl_value(line, n, "X-RateLimit-Limit")) != -2)
		q->limit = v;
	else if ((v = rl_value(line, n, "X-RateLimit-Remaining")) != -2)
		q->remaining = v;
	else if ((v = rl_value(line, n, "Retry-After")) != -2)
		q->retry = v;
	return n;
}

static size_t
rl_discard(char *data, size_t size, size_t n, void *arg)
{
	(void)data, (void)arg;
	return size * n;
}

static void *
rl_thread(void *arg)
{
	struct rl_burst		*b = arg;
	struct curl_slist	*h;
	struct rl_req		*q;
	CURL			*c = curl_easy_init();
	int			 i;

	while (c != NULL && (i = atomic_fetch_add(&b->next, 1)) < b->n) {
		q = &b->v[i];
		q->limit = q->remaining = q->retry = -1;
		h = curl_slist_append(NULL, q->auth);
		curl_easy_setopt(c, CURLOPT_URL, b->url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, rl_header);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, q);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, rl_discard);
		if (curl_easy_perform(c) == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &q->status);
		curl_slist_free_all(h);
	}
	curl_easy_cleanup(c);
	return NULL;
}

/* n pings, 8 connections kept alive, straight to the stack. */
static void
rl_run(struct rl_req *v, int n)
{
	struct rl_burst	 b;
	pthread_t	 th[8];
	int		 i;

	b.v = v;
	b.n = n;
	atomic_init(&b.next, 0);
	snprintf(b.url, sizeof(b.url), "%s%s", itest_stack_url(), PING);
	for (i = 0; i < 8; i++)
		pthread_create(&th[i], NULL, rl_thread, &b);
	for (i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
}

/* 600 a minute per key: 600 answers with each Remaining 599..0 once,
 * then 429 rate_limited with Retry-After. */
static void
test_rate_per_key(void)
{
	static struct rl_req	 v[601];
	char			 slug[64], a[200], msg[200];
	char			 seen[600];
	struct json_object	*o;
	time_t			 t0;
	long			 id = 0;
	int			 i, ok = 0, limited = 0, dup = 0, tries;

	CU_ASSERT_FATAL(fresh_org(slug, a, &id));
	for (tries = 0; tries < 2; tries++) {
		if (tries > 0)		/* straddled a minute: a fresh key */
			CU_ASSERT_FATAL(ingest_auth(slug, "crm", a));
		for (i = 0; i < 601; i++)
			v[i].auth = a;
		early_in_minute(39);
		t0 = time(NULL);
		rl_run(v, 601);
		if (t0 / 60 == time(NULL) / 60)
			break;
	}
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 601; i++) {
		if (v[i].status == 200) {
			ok++;
			if (v[i].remaining < 0 || v[i].remaining > 599 ||
			    seen[v[i].remaining]++)
				dup++;
		} else if (v[i].status == 429) {
			limited++;
			CU_ASSERT(v[i].retry >= 1 && v[i].retry <= 60);
			CU_ASSERT_EQUAL(v[i].remaining, 0);
			CU_ASSERT_EQUAL(v[i].limit, 600);
		}
	}
	snprintf(msg, sizeof(msg), "601 pings: %d passed, %d limited, %d "
	    "repeated or odd Remaining (want 600, 1, 0)", ok, limited, dup);
	CU_assertImplementation(ok == 600 && limited == 1 && dup == 0,
	    __LINE__, msg, __FILE__, "", CU_FALSE);
	/* Still in that minute, a write is refused and writes nothing. */
	if (t0 / 60 == time(NULL) / 60) {
		o = ING("POST", EVENTS, a, "{\"events\":[{\"eventType\":"
		    "\"abc\",\"category\":\"code\",\"actor\":{\"email\":"
		    "\"late@acme.example\"}}]}", 429);
		ASSERT_ERROR(o, "rate_limited", NULL);
		json_object_put(o);
		CU_ASSERT_EQUAL(writes_of(id), 0);
	}
}

/* 3000 a minute per organization, over 5 keys; the 3001st, from a 6th
 * key with budget left, is refused and tells the organization's budget. */
static void
test_rate_per_org(void)
{
	static struct rl_req	 v[3000];
	struct rl_req		 last[1];
	char			 slug[64], keys[6][200], msg[200];
	time_t			 t0;
	int			 i, k, ok = 0, tries;

	/* Straddling a minute: another organization, and again. */
	for (tries = 0; tries < 2; tries++) {
		CU_ASSERT_FATAL(fixture_org(slug));
		for (k = 0; k < 6; k++)
			CU_ASSERT_FATAL(ingest_auth(slug, "crm", keys[k]));
		for (i = 0; i < 3000; i++)
			v[i].auth = keys[i % 5];
		last[0].auth = keys[5];
		early_in_minute(39);
		t0 = time(NULL);
		rl_run(v, 3000);
		rl_run(last, 1);
		if (t0 / 60 == time(NULL) / 60)
			break;
	}
	for (i = 0; i < 3000; i++)
		ok += v[i].status == 200;
	snprintf(msg, sizeof(msg), "3000 pings over 5 keys: %d passed", ok);
	CU_assertImplementation(ok == 3000, __LINE__, msg, __FILE__, "",
	    CU_FALSE);
	CU_ASSERT_EQUAL(last[0].status, 429);
	CU_ASSERT_EQUAL(last[0].limit, 3000);
	CU_ASSERT_EQUAL(last[0].remaining, 0);
	CU_ASSERT(last[0].retry >= 1 && last[0].retry <= 60);
}

void
suite_activity_register(void)
{
	CU_pSuite	 s = CU_add_suite("activity ingest", act_init, NULL);

	CU_add_test(s, "ping: organization and app", test_ping);
	CU_add_test(s, "401 missing_auth, invalid_key before the body",
	    test_auth);
	CU_add_test(s, "202: every event accepted and stored", test_all_accepted);
	CU_add_test(s, "207: input order, rejected write nothing",
	    test_partial_207);
	CU_add_test(s, "each event's rules", test_event_rules);
	CU_add_test(s, "the envelope: 400, 413", test_envelope);
	CU_add_test(s, "500 events in one request", test_full_batch);
	CU_add_test(s, "actors: precedence, made workers, tenants",
	    test_actors);
	CU_add_test(s, "allowedEventTypes: 207, 403", test_allowed_types);
	CU_add_test(s, "ingest off, plan, quota", test_plans);
	CU_add_test(s, "concurrent batches stop at the plan", test_plan_race);
	CU_add_test(s, "snapshots: rules, current, kept as events",
	    test_snapshots);
	CU_add_test(s, "Idempotency-Key: replay, 422, 400", test_idempotency);
	CU_add_test(s, "Idempotency-Key: 409 while the first runs",
	    test_idempotency_in_progress);
	CU_add_test(s, "404, 405, headers on every answer", test_paths);
	CU_add_test(s, "600 a minute per key across the pool",
	    test_rate_per_key);
	CU_add_test(s, "3000 a minute per organization", test_rate_per_org);
}
