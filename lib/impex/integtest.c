/*
 * integtest.c - an integration's connection test and its log, for the
 * API (POST /api/v1/integrations/{id}/test, GET …/{id}/logs) and the
 * console. A webhook one is sent a signed integration.test event (the
 * Standard Webhooks headers, under its own signing secret); an api one
 * GET {config_data.base_url} with its credentials (Authorization:
 * Bearer <api_key>, X-Api-Secret). Through httpout (the SSRF guard,
 * timeouts); the credentials go into the request's headers and nowhere
 * else: not the message, not the log line.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <sodium.h>

#include "mihwar.h"
#include "impex/impex.h"

#define INTEG_TEST_TIMEOUT_MS	10000

/* The body of the test event: {"type","timestamp","data"}. */
static char *
integ_test_body(const struct integ *in)
{
	struct json_object	*o = json_object_new_object(), *d;
	char			 ts[32];
	time_t			 now = time(NULL);
	struct tm		 tm;
	char			*s;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_put_str(o, "type", "integration.test");
	json_put_str(o, "timestamp", ts);
	d = json_object_new_object();
	json_put_str(d, "integration_id", in->id);
	json_object_object_add(o, "data", d);
	s = strdup(json_to_str(o));
	json_object_put(o);
	return s;
}

static struct curl_slist *
integ_add_header(struct curl_slist *h, const char *name, const char *value)
{
	struct buf	 line;

	buf_init(&line);
	buf_printf(&line, "%s: %s", name, value);
	h = curl_slist_append(h, line.data);
	sodium_memzero(line.data, line.len);
	buf_cleanup(&line);
	return h;
}

/* POST the signed integration.test event to in's URL. */
static void
integ_test_webhook(const struct conf *conf, const struct integ *in,
    struct httpout_req *q, struct curl_slist **h, char **body, char *msg,
    size_t msgsz)
{
	char		 msgid[64], sig[64], ts[24];
	long long	 now = (long long)time(NULL);

	*body = integ_test_body(in);
	snprintf(msgid, sizeof(msgid), "msg_");
	crypto_uuid7(msgid + 4);
	snprintf(ts, sizeof(ts), "%lld", now);
	if (*body == NULL || !integ_sign(in->signing_secret, msgid, now,
	    *body, strlen(*body), sig)) {
		snprintf(msg, msgsz, "could not sign the test event");
		return;
	}
	*h = curl_slist_append(*h, "Content-Type: application/json");
	*h = integ_add_header(*h, "webhook-id", msgid);
	*h = integ_add_header(*h, "webhook-timestamp", ts);
	*h = integ_add_header(*h, "webhook-signature", sig);
	q->method = "POST";
	q->url = in->webhook_url;
	q->body = *body;
	q->len = strlen(*body);
	(void)conf;
}

/* GET config_data.base_url with the opened credentials; 0 with msg when
 * there is nothing to send to, or the credentials do not open. */
static int
integ_test_api(struct db *db, const struct integ *in, struct httpout_req *q,
    struct curl_slist **h, char *msg, size_t msgsz)
{
	struct json_object	*base;
	char			*key = NULL, *secret = NULL;
	struct buf		 auth;
	int			 rc;

	if (!json_object_object_get_ex(in->config, "base_url", &base) ||
	    !json_object_is_type(base, json_type_string)) {
		snprintf(msg, msgsz, "config_data.base_url is not set");
		return 0;
	}
	if ((rc = integ_open_creds(db, in, &key, &secret)) <= 0) {
		snprintf(msg, msgsz, rc < 0 ? "database unavailable" :
		    "the stored credentials cannot be opened (moved or "
		    "altered); set them again");
		return 0;
	}
	if (key != NULL) {
		buf_init(&auth);
		buf_printf(&auth, "Bearer %s", key);
		*h = integ_add_header(*h, "Authorization", auth.data);
		sodium_memzero(auth.data, auth.len);
		buf_cleanup(&auth);
	}
	if (secret != NULL)
		*h = integ_add_header(*h, "X-Api-Secret", secret);
	integ_secret_free(key);
	integ_secret_free(secret);
	q->method = "GET";
	q->url = json_object_get_string(base);
	return 1;
}

/* Wipe the header lines (they may hold credentials) and free them. */
static void
integ_headers_free(struct curl_slist *h)
{
	struct curl_slist	*p;

	for (p = h; p != NULL; p = p->next)
		sodium_memzero(p->data, strlen(p->data));
	curl_slist_free_all(h);
}

/* Send the test of in; fill t (message without any credential). */
static void
integ_test_send(struct db *db, const struct conf *conf,
    const struct integ *in, struct integ_test_result *t)
{
	struct httpout_req	 q;
	struct httpout_res	 res;
	struct curl_slist	*h = NULL;
	char			*body = NULL;
	int64_t			 t0 = util_now_ms();

	memset(&q, 0, sizeof(q));
	memset(&res, 0, sizeof(res));
	buf_init(&res.body);
	q.agent = "Mihwar-Integrations/1";
	q.timeout_ms = INTEG_TEST_TIMEOUT_MS;
	q.cap = 4096;
	if (in->type == INTEG_WEBHOOK)
		integ_test_webhook(conf, in, &q, &h, &body, t->message,
		    sizeof(t->message));
	else if (!integ_test_api(db, in, &q, &h, t->message,
	    sizeof(t->message)))
		q.url = NULL;
	if (q.url == NULL) {
		if (t->message[0] == '\0')
			snprintf(t->message, sizeof(t->message), "no URL to "
			    "test");
	} else {
		q.hdrs = h;
		httpout_request(conf, &q, &res);
		t->status_code = res.status;
		t->success = res.status >= 200 && res.status <= 299;
		if (t->success)
			snprintf(t->message, sizeof(t->message), "answered "
			    "HTTP %ld", res.status);
		else if (res.status > 0)
			snprintf(t->message, sizeof(t->message), "answered "
			    "HTTP %ld, expected 2xx", res.status);
		else
			snprintf(t->message, sizeof(t->message), "no answer: "
			    "%s", res.error[0] ? res.error : "unknown error");
	}
	t->duration_ms = (long)(util_now_ms() - t0);
	integ_headers_free(h);
	free(body);
	buf_cleanup(&res.body);
}

/*
 * Test integration id of org: send, record last_tested_at and the status
 * (a failure sets error, a success clears it), and log it (kind test,
 * outgoing). 0 with t filled; 404; 503.
 */
int
integ_test_run(struct db *db, const struct conf *conf, long long org,
    const char *id, struct integ_test_result *t)
{
	struct integ		 in;
	struct integ_log_entry	 e;
	enum db_code		 code;
	char			 err[500];

	memset(t, 0, sizeof(*t));
	if ((code = integ_load(db, org, id, &in)) == DB_NOTFOUND)
		return 404;
	if (code != DB_OK)
		return 503;
	integ_test_send(db, conf, &in, t);
	/* last_error is 500 characters; the message is ASCII but for what
	 * a URL's host or curl's text carries, cut where it is whole */
	snprintf(err, sizeof(err), "%.499s", t->message);
	while (!util_utf8_valid(err, strlen(err)))
		err[strlen(err) - 1] = '\0';
	memset(&e, 0, sizeof(e));
	e.direction = "outgoing";
	e.kind = "test";
	e.status = t->success ? "success" : "failed";
	e.http_status = (int)t->status_code;
	e.duration_ms = t->duration_ms;
	e.error = t->success ? NULL : err;
	code = integ_tested(db, &in, t->success, err);
	if (code == DB_OK)
		code = integ_log_write(db, &in, &e);
	integ_free(&in);
	return code == DB_OK ? 0 : 503;
}

/* POST /api/v1/integrations/{id}/test: 200 {success, message,
 * status_code, duration_ms}, whatever the far end did. */
void
integ_api_test(struct req *r)
{
	struct integ_test_result	 t;
	struct json_object		*o;

	switch (integ_test_run(r->db, r->conf, r->principal.org_id,
	    r->args[0], &t)) {
	case 0:
		o = json_object_new_object();
		json_object_object_add(o, "success",
		    json_object_new_boolean(t.success));
		json_put_str(o, "message", t.message);
		json_object_object_add(o, "status_code", t.status_code > 0 ?
		    json_object_new_int64(t.status_code) : NULL);
		json_object_object_add(o, "duration_ms",
		    json_object_new_int64(t.duration_ms));
		req_resp_json(r, 200, o);
		break;
	case 404:
		req_resp_error(r, 404, NULL, "no integration %s", r->args[0]);
		break;
	default:
		req_resp_error(r, 503, NULL, "database unavailable");
		break;
	}
}

static struct json_object *
integ_log_json(const struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object();
	const char		*v;

	json_put_str(o, "id", db_cell(rows, i, 0));
	json_put_str(o, "direction", db_cell(rows, i, 1));
	json_put_str(o, "kind", db_cell(rows, i, 2));
	json_put_str(o, "status", db_cell(rows, i, 3));
	v = db_cell(rows, i, 4);
	json_object_object_add(o, "http_status", v ?
	    json_object_new_int64(atoll(v)) : NULL);
	v = db_cell(rows, i, 5);
	json_object_object_add(o, "duration_ms", v ?
	    json_object_new_int64(atoll(v)) : NULL);
	json_put_str(o, "error", db_cell(rows, i, 6));
	json_object_object_add(o, "created_at", json_time(db_cell(rows, i, 7)));
	return o;
}

/* GET /api/v1/integrations/{id}/logs?limit=&cursor=: newest first. */
void
integ_api_logs(struct req *r)
{
	struct page		 pg;
	struct integ		 in;
	struct db_rows		*rows = NULL;
	enum db_code		 code;

	if (!page_parse(r, &pg))
		return;
	if ((code = integ_load(r->db, r->principal.org_id, r->args[0],
	    &in)) != DB_OK) {
		if (code == DB_NOTFOUND)
			req_resp_error(r, 404, NULL, "no integration %s",
			    r->args[0]);
		else
			req_resp_error(r, 503, NULL, "database unavailable");
		return;
	}
	/* the cursor holds the last row id seen: the next page is below */
	if (integ_log_page(r->db, &in, pg.after_id, pg.limit, &rows) != DB_OK)
		req_resp_error(r, 503, NULL, "database unavailable");
	else
		page_respond_rows(r, rows, pg.limit, 8, integ_log_json);
	db_rows_free(rows);
	integ_free(&in);
}
