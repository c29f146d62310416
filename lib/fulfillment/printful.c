/*
 * printful.c - Printful's API (v1) as one call: the base URL and private
 * token of mihwar.conf (printful_api_base, printful_api_token; tests
 * point the base at a stand-in), a JSON body, and Printful's envelope
 * {"code", "result"} or {"code", "result", "error": {"reason",
 * "message"}} read back. Through the SSRF-guarded outbound client:
 * connect timeout 5 s, total 15 s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "fulfillment/fulfillment.h"

#define PRINTFUL_TIMEOUT_MS	15000
#define PRINTFUL_CAP		(4 * 1024 * 1024)

/* Printful's error text from an envelope, else a generic one. */
static void
printful_error_of(struct json_object *env, long status, char *out,
    size_t outsz)
{
	struct json_object	*e, *m, *r;

	if (json_object_object_get_ex(env, "error", &e) &&
	    json_object_object_get_ex(e, "message", &m) &&
	    json_object_is_type(m, json_type_string))
		snprintf(out, outsz, "Printful %ld: %s", status,
		    json_object_get_string(m));
	else if (json_object_object_get_ex(env, "result", &r) &&
	    json_object_is_type(r, json_type_string))
		snprintf(out, outsz, "Printful %ld: %s", status,
		    json_object_get_string(r));
	else
		snprintf(out, outsz, "Printful answered %ld", status);
}

static struct curl_slist *
printful_headers(const struct conf *conf)
{
	struct curl_slist	*h = NULL, *n;
	char			 auth[600];

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
	    conf->printful_api_token);
	if ((n = curl_slist_append(h, auth)) == NULL)
		return NULL;
	h = n;
	if ((n = curl_slist_append(h, "Content-Type: application/json")) ==
	    NULL) {
		curl_slist_free_all(h);
		return NULL;
	}
	return n;
}

/* Read the answer in hr into res. */
static void
printful_read(const struct httpout_res *hr, struct printful_res *res)
{
	struct json_object	*env, *code, *r;
	char			 err[160];

	res->status = hr->status;
	env = json_parse_body(hr->body.data ? hr->body.data : "",
	    hr->body.len, err, sizeof(err));
	if (env == NULL || !json_object_is_type(env, json_type_object)) {
		snprintf(res->error, sizeof(res->error), "Printful answered %ld "
		    "without its JSON envelope", hr->status);
		json_object_put(env);
		return;
	}
	res->ok = hr->status >= 200 && hr->status < 300 &&
	    json_object_object_get_ex(env, "code", &code) &&
	    json_object_get_int(code) >= 200 &&
	    json_object_get_int(code) < 300;
	if (!res->ok)
		printful_error_of(env, hr->status, res->error,
		    sizeof(res->error));
	else if (json_object_object_get_ex(env, "result", &r))
		res->result = json_object_get(r);
	json_object_put(env);
}

/*
 * method path (with its query) on Printful's API, with body (borrowed;
 * NULL for none). res->ok when Printful answered 2xx with its envelope
 * (res->result is then its result, owned); else res->status (0: no
 * answer), res->timed_out and res->error say why. Free with
 * printful_res_cleanup.
 */
int
printful_call(const struct conf *conf, const char *method, const char *path,
    struct json_object *body, struct printful_res *res)
{
	struct httpout_req	 q;
	struct httpout_res	 hr;
	char			 url[2048];
	const char		*text = NULL;

	memset(res, 0, sizeof(*res));
	if (conf->printful_api_token == NULL || conf->printful_api_base == NULL) {
		snprintf(res->error, sizeof(res->error), "Printful is not set "
		    "up (printful_api_token in mihwar.conf)");
		return 0;
	}
	snprintf(url, sizeof(url), "%s%s", conf->printful_api_base, path);
	memset(&q, 0, sizeof(q));
	q.method = method;
	q.url = url;
	q.cap = PRINTFUL_CAP;
	q.timeout_ms = PRINTFUL_TIMEOUT_MS;
	q.agent = "Mihwar-Fulfillment/1";
	if ((q.hdrs = printful_headers(conf)) == NULL) {
		snprintf(res->error, sizeof(res->error), "out of memory");
		return 0;
	}
	if (body != NULL) {
		text = json_to_str(body);
		q.body = text;
		q.len = strlen(text);
	}
	if (!httpout_request(conf, &q, &hr)) {
		res->status = hr.status;
		res->timed_out = hr.timed_out;
		snprintf(res->error, sizeof(res->error), "Printful: %.200s",
		    hr.error);
	} else
		printful_read(&hr, res);
	buf_cleanup(&hr.body);
	curl_slist_free_all((struct curl_slist *)q.hdrs);
	if (!res->ok)
		log_warn("printful: %s %s: %s", method, path, res->error);
	return res->ok;
}

void
printful_res_cleanup(struct printful_res *res)
{
	json_object_put(res->result);
	res->result = NULL;
}
