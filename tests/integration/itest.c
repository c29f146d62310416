/*
 * itest.c - HTTP, JSON and fixture helpers for the integration suites.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "itest.h"

const char *
itest_env(const char *name)
{
	const char	*v = getenv(name);

	if (v == NULL) {
		fprintf(stderr, "integration tests: %s is not set\n", name);
		exit(2);
	}
	return v;
}

struct sink {
	char	*p;
	size_t	 len;
};

static size_t
sink_write(char *data, size_t size, size_t n, void *arg)
{
	struct sink	*s = arg;
	char		*p;

	if ((p = realloc(s->p, s->len + size * n + 1)) == NULL)
		return 0;
	memcpy(p + s->len, data, size * n);
	s->len += size * n;
	p[s->len] = '\0';
	s->p = p;
	return size * n;
}

/*
 * In the lighttpd run MIHWAR_BASE_URL is a validating proxy (Stoplight
 * Prism, scripts/check.sh) and MIHWAR_DIRECT_URL the stack behind it. A
 * request goes straight to the stack when the proxy cannot carry it
 * unchanged, so that every test still sees what the server answers:
 *  - the HTML console (/admin…): not in the API description, and the
 *    proxy's client follows redirects, so a 303 would never be seen;
 *  - HEAD: the proxy parses the empty body of a JSON answer and fails;
 *  - a body that is not valid UTF-8 (the proxy reads bodies as UTF-8
 *    text and replaces the bad bytes), or that is sent as JSON but is not
 *    a JSON object or array (the proxy parses JSON bodies: one that does
 *    not parse is never answered, a top-level scalar is dropped or loses
 *    its quotes);
 *  - whatever a test marks with itest_direct() (see there).
 */
static atomic_int	 direct_marked;
static atomic_long	 n_direct, n_proxied;

static int
body_utf8_valid(const unsigned char *s, size_t n)
{
	size_t	 i = 0, k, len;
	unsigned c;

	while (i < n) {
		c = s[i];
		len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 :
		    (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		if (len == 0 || i + len > n || (len == 2 && c < 0xc2) ||
		    (len == 4 && c > 0xf4))
			return 0;
		for (k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		if ((len == 3 && c == 0xe0 && s[i + 1] < 0xa0) ||
		    (len == 3 && c == 0xed && s[i + 1] >= 0xa0) ||
		    (len == 4 && c == 0xf0 && s[i + 1] < 0x90) ||
		    (len == 4 && c == 0xf4 && s[i + 1] >= 0x90))
			return 0;
		i += len;
	}
	return 1;
}

/* 1 when a header of hdrs gives a JSON media type (…/json, …+json). */
static int
hdrs_json_body(const char *const *hdrs)
{
	const char	*v, *end;

	for (; hdrs != NULL && *hdrs != NULL; hdrs++) {
		if (strncasecmp(*hdrs, "Content-Type:", 13) != 0)
			continue;
		v = *hdrs + 13 + strspn(*hdrs + 13, " ");
		end = v + strcspn(v, "; ");
		return (end - v >= 5 && strncasecmp(end - 5, "/json", 5) == 0) ||
		    (end - v >= 5 && strncasecmp(end - 5, "+json", 5) == 0);
	}
	return 0;
}

/* 1 when the body is one strict JSON object or array, nothing after. */
static int
body_json_container(const char *body, size_t len)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	size_t			 end;
	int			 ok;

	if (len > INT32_MAX || (tok = json_tokener_new()) == NULL)
		return 0;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, body, (int)len);
	end = json_tokener_get_parse_end(tok);
	while (end < len && strchr(" \t\r\n", body[end]) != NULL &&
	    body[end] != '\0')
		end++;
	ok = o != NULL && json_tokener_get_error(tok) == json_tokener_success &&
	    end == len && (json_object_is_type(o, json_type_object) ||
	    json_object_is_type(o, json_type_array));
	json_object_put(o);
	json_tokener_free(tok);
	return ok;
}

/* MIHWAR_DIRECT_URL, or NULL when unset or empty (no proxy). */
static const char *
direct_url(void)
{
	const char	*v = getenv("MIHWAR_DIRECT_URL");

	return v != NULL && *v != '\0' ? v : NULL;
}

static int
http_direct(const char *method, const char *path, const char *const *hdrs,
    const char *body, size_t len)
{
	if (direct_url() == NULL)
		return 0;
	if (atomic_load(&direct_marked) || strncmp(path, "/admin", 6) == 0 ||
	    strcmp(method, "HEAD") == 0)
		return 1;
	if (body == NULL || len == 0)
		return 0;
	return !body_utf8_valid((const unsigned char *)body, len) ||
	    (hdrs_json_body(hdrs) && !body_json_container(body, len));
}

void
itest_direct(int on)
{
	atomic_store(&direct_marked, on);
}

const char *
itest_stack_url(void)
{
	return direct_url() != NULL ? direct_url() :
	    itest_env("MIHWAR_BASE_URL");
}

void
itest_report(void)
{
	if (direct_url() != NULL)
		fprintf(stderr, "integration tests: %ld requests through %s, "
		    "%ld straight to %s\n", atomic_load(&n_proxied),
		    itest_env("MIHWAR_BASE_URL"), atomic_load(&n_direct),
		    direct_url());
}

int
http_do(const char *method, const char *path, const char *const *hdrs,
    const char *body, size_t len, struct http_resp *out)
{
	CURL			*c;
	struct curl_slist	*list = NULL;
	struct sink		 b = { NULL, 0 }, h = { NULL, 0 };
	char			 url[2048];
	CURLcode		 rc;
	int			 direct;

	memset(out, 0, sizeof(*out));
	direct = http_direct(method, path, hdrs, body, len);
	atomic_fetch_add(direct ? &n_direct : &n_proxied, 1);
	snprintf(url, sizeof(url), "%s%s", direct ? direct_url() :
	    itest_env("MIHWAR_BASE_URL"), path);
	if ((c = curl_easy_init()) == NULL)
		return 0;
	for (; hdrs != NULL && *hdrs != NULL; hdrs++)
		list = curl_slist_append(list, *hdrs);
	/* No "Expect: 100-continue" round trip for large bodies. */
	list = curl_slist_append(list, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
	} else if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0 && strcmp(method, "DELETE") != 0) {
		/* A POST without a body still says Content-Length: 0, as
		 * clients (and the proxy in front of the suite) do; lighttpd
		 * answers 411 to one without. */
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	else
		fprintf(stderr, "%s %s: %s\n", method, path,
		    curl_easy_strerror(rc));
	out->body = b.p ? b.p : strdup("");
	out->len = b.len;
	out->headers = h.p ? h.p : strdup("");
	curl_slist_free_all(list);
	curl_easy_cleanup(c);
	return rc == CURLE_OK;
}

void
http_resp_free(struct http_resp *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

char *
http_header(const struct http_resp *r, const char *name)
{
	const char	*p = r->headers, *eol;
	size_t		 n = strlen(name);

	while (p != NULL && *p != '\0') {
		eol = strstr(p, "\r\n");
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			return strndup(p, eol ? (size_t)(eol - p) : strlen(p));
		}
		p = eol ? eol + 2 : NULL;
	}
	return NULL;
}

struct json_object *
http_json(const struct http_resp *r)
{
	return r->body ? json_tokener_parse(r->body) : NULL;
}

const char *
json_path_str(struct json_object *o, const char *path)
{
	char	 part[64];
	size_t	 n;

	while (o != NULL && *path != '\0') {
		n = strcspn(path, ".");
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		if (!json_object_object_get_ex(o, part, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o && json_object_is_type(o, json_type_string) ?
	    json_object_get_string(o) : NULL;
}

int
ctl_run(const char *args, const char *stdin_text, char **out)
{
	char	 cmd[1024], tmp[] = "/tmp/itest-ctl-XXXXXX";
	FILE	*p;
	struct sink s = { NULL, 0 };
	char	 chunk[4096];
	size_t	 n;
	int	 st, fd = -1;

	if (stdin_text != NULL) {
		if ((fd = mkstemp(tmp)) < 0)
			return -1;
		if (write(fd, stdin_text, strlen(stdin_text)) < 0)
			return -1;
		close(fd);
		snprintf(cmd, sizeof(cmd), "MIHWAR_CONF='%s' '%s' %s < %s",
		    itest_env("MIHWAR_CONF"), itest_env("MIHWAR_CTL"), args, tmp);
	} else
		snprintf(cmd, sizeof(cmd), "MIHWAR_CONF='%s' '%s' %s < /dev/null",
		    itest_env("MIHWAR_CONF"), itest_env("MIHWAR_CTL"), args);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		sink_write(chunk, 1, n, &s);
	st = pclose(p);
	if (stdin_text != NULL)
		unlink(tmp);
	if (out != NULL)
		*out = s.p ? s.p : strdup("");
	else
		free(s.p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
fixture_org(char *slug)
{
	static unsigned	 seq;
	char		 args[256];

	snprintf(slug, 64, "it-%ld-%u-%u", (long)getpid(), seq++,
	    (unsigned)rand() % 100000);
	snprintf(args, sizeof(args), "org create --slug %s --name 'Test %s'",
	    slug, slug);
	return ctl_run(args, NULL, NULL) == 0;
}

int
fixture_key(const char *org, const char *kind, const char *app, char *tok,
    char *id)
{
	char			 args[256], *out = NULL;
	struct json_object	*o;
	int			 ok = 0;

	snprintf(args, sizeof(args), "--json key create --org %s --kind %s%s%s",
	    org, kind, app ? " --app " : "", app ? app : "");
	if (ctl_run(args, NULL, &out) == 0 &&
	    (o = json_tokener_parse(out)) != NULL) {
		snprintf(tok, 128, "%s", json_path_str(o, "key"));
		snprintf(id, 37, "%s", json_path_str(o, "id"));
		json_object_put(o);
		ok = 1;
	}
	free(out);
	return ok;
}

int
stack_run(const char *cmd)
{
	char	 line[512];
	int	 st;

	snprintf(line, sizeof(line), "'%s' %s >/dev/null 2>&1",
	    itest_env("MIHWAR_STACK"), cmd);
	st = system(line);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- helpers for the Integrations API suites ---- */

void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;
	char	*p;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL,
		    b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			abort();
		if (b->p != NULL && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		if ((p = realloc(b->p, b->cap)) == NULL)
			abort();
		if (b->p == NULL)
			p[0] = '\0';
		b->p = p;
	}
}

void
sb_free(struct sbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int
fixture_bearer(const char *org, const char *kind, const char *app,
    char *auth)
{
	char	 tok[128], id[37];

	if (!fixture_key(org, kind, app, tok, id))
		return 0;
	snprintf(auth, 200, "Authorization: Bearer %s", tok);
	return 1;
}

int
fixture_auth(const char *org, char *auth)
{
	return fixture_bearer(org, "integration", NULL, auth);
}

int
http_replayed(const struct http_resp *r)
{
	char	*h = http_header(r, "Idempotent-Replayed");
	int	 yes = h != NULL && strcmp(h, "true") == 0;

	free(h);
	return yes;
}

void
early_in_minute(int latest)
{
	time_t	 t = time(NULL);

	if (t % 60 > latest)
		sleep((unsigned)(60 - t % 60) + 1);
}

int
fixture_org_auth(char *slug, char *auth)
{
	return fixture_org(slug) && fixture_auth(slug, auth);
}

long
api_do(struct http_resp *r, const char *method, const char *path,
    const char *auth, const char *extra, const char *body)
{
	const char	*h[4];
	int		 n = 0;

	if (auth != NULL)
		h[n++] = auth;
	if (extra != NULL)
		h[n++] = extra;
	if (body != NULL)
		h[n++] = "Content-Type: application/json";
	h[n] = NULL;
	http_do(method, path, h, body, body ? strlen(body) : 0, r);
	return r->status;
}

struct json_object *
api_json_at(const char *file, int line, const char *method, const char *path,
    const char *auth, const char *extra, const char *body, long want)
{
	struct http_resp	 r;
	struct json_object	*o;
	char			 msg[512];

	api_do(&r, method, path, auth, extra, body);
	snprintf(msg, sizeof(msg), "%s %.100s: status %ld, want %ld; "
	    "body: %.200s", method, path, r.status, want, r.body);
	CU_assertImplementation(r.status == want, line, msg, file, "",
	    CU_FALSE);
	o = http_json(&r);
	/* An error body carries the request id of the X-Request-Id header. */
	if (r.status >= 400 && json_at(o, "error") != NULL &&
	    json_object_is_type(json_at(o, "error"), json_type_object)) {
		char		*hid = http_header(&r, "X-Request-Id");
		const char	*bid = json_str_at(o, "error.requestId");

		snprintf(msg, sizeof(msg), "%s %.100s: error.requestId %s, "
		    "X-Request-Id %s", method, path, bid ? bid : "(null)",
		    hid ? hid : "(null)");
		CU_assertImplementation(hid != NULL && bid != NULL &&
		    strcmp(hid, bid) == 0, line, msg, file, "", CU_FALSE);
		free(hid);
	}
	http_resp_free(&r);
	return o;
}

struct racer {
	pthread_barrier_t	*bar;
	const char		*method, *path, *auth, *extra, *body;
	struct http_resp	*out;
};

static void *
racer_run(void *arg)
{
	struct racer	*rc = arg;

	pthread_barrier_wait(rc->bar);
	api_do(rc->out, rc->method, rc->path, rc->auth, rc->extra, rc->body);
	return NULL;
}

void
api_race(int n, const char *method, const char *path, const char *auth,
    const char *extra, const char *body, struct http_resp *out)
{
	pthread_barrier_t	 bar;
	pthread_t		 th[16];
	struct racer		 rc[16];
	int			 i;

	if (n > 16)
		n = 16;
	pthread_barrier_init(&bar, NULL, (unsigned)n);
	for (i = 0; i < n; i++) {
		rc[i] = (struct racer){ &bar, method, path, auth, extra, body,
		    &out[i] };
		pthread_create(&th[i], NULL, racer_run, &rc[i]);
	}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&bar);
}

struct json_object *
json_at(struct json_object *o, const char *path)
{
	char	 part[64], *end;
	size_t	 n;
	long	 i;

	while (o != NULL && *path != '\0') {
		n = strcspn(path, ".");
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		path += n + (path[n] == '.');
		if (json_object_is_type(o, json_type_array)) {
			i = strtol(part, &end, 10);
			if (*end != '\0' || i < 0 ||
			    (size_t)i >= json_object_array_length(o))
				return NULL;
			o = json_object_array_get_idx(o, (size_t)i);
		} else if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, part, &o))
			return NULL;
	}
	return o;
}

const char *
json_str_at(struct json_object *o, const char *path)
{
	o = json_at(o, path);
	return o && json_object_is_type(o, json_type_string) ?
	    json_object_get_string(o) : NULL;
}

int
json_num_at(struct json_object *o, const char *path, double *v)
{
	o = json_at(o, path);
	if (o == NULL || !(json_object_is_type(o, json_type_int) ||
	    json_object_is_type(o, json_type_double)))
		return 0;
	*v = json_object_get_double(o);
	return 1;
}

long
json_len_at(struct json_object *o, const char *path)
{
	o = json_at(o, path);
	return o && json_object_is_type(o, json_type_array) ?
	    (long)json_object_array_length(o) : -1;
}

void
assert_str_at(const char *file, int line, const char *got, const char *want,
    const char *what)
{
	char	 msg[4096];

	snprintf(msg, sizeof(msg), "%s: got \"%s\", want \"%s\"", what,
	    got ? got : "(null)", want);
	CU_assertImplementation(got != NULL && strcmp(got, want) == 0, line,
	    msg, file, "", CU_FALSE);
}

void
assert_error_at(const char *file, int line, struct json_object *o,
    const char *code, const char *prefix)
{
	const char	*c = json_str_at(o, "error.code");
	const char	*m = json_str_at(o, "error.message");
	char		 msg[512];

	if (code != NULL) {
		snprintf(msg, sizeof(msg), "error.code \"%s\", want \"%s\"",
		    c ? c : "(null)", code);
		CU_assertImplementation(c != NULL && strcmp(c, code) == 0,
		    line, msg, file, "", CU_FALSE);
	}
	if (prefix != NULL) {
		snprintf(msg, sizeof(msg), "error.message \"%.200s\" does not "
		    "start with \"%s\"", m ? m : "(null)", prefix);
		CU_assertImplementation(m != NULL &&
		    strncmp(m, prefix, strlen(prefix)) == 0, line, msg, file,
		    "", CU_FALSE);
	}
}

int
sql_query(const char *sql, char **out)
{
	struct sink	 s = { NULL, 0 }, cmd = { NULL, 0 };
	char		 chunk[4096];
	const char	*p;
	size_t		 n;
	FILE		*f;
	int		 st;

	snprintf(chunk, sizeof(chunk), "mariadb --no-defaults --socket='%s' "
	    "-uroot mihwar -N -B --raw -e '", itest_env("MIHWAR_DB_SOCKET"));
	sink_write(chunk, 1, strlen(chunk), &cmd);
	for (p = sql; *p != '\0'; p++) {
		if (*p == '\'')
			sink_write("'\\''", 1, 4, &cmd);
		else
			sink_write((char *)(uintptr_t)p, 1, 1, &cmd);
	}
	sink_write("' 2>&1", 1, 6, &cmd);
	if ((f = popen(cmd.p, "r")) == NULL) {
		free(cmd.p);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sink_write(chunk, 1, n, &s);
	st = pclose(f);
	free(cmd.p);
	if (out != NULL)
		*out = s.p ? s.p : strdup("");
	else
		free(s.p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

long
db_long(const char *fmt, ...)
{
	char	 sql[2048], *out = NULL, *end;
	va_list	 ap;
	long	 v = -1;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (sql_query(sql, &out) == 0 && out[0] != '\0') {
		v = strtol(out, &end, 10);
		if (end == out || (*end != '\n' && *end != '\t' && *end != '\0'))
			v = -1;
	} else
		fprintf(stderr, "db: %s: %s\n", sql, out ? out : "");
	free(out);
	return v;
}

long
db_org_id(const char *slug)
{
	return db_long("SELECT id FROM organizations WHERE slug = '%s'", slug);
}

size_t
db_events(long org_id, struct itest_event **out)
{
	char			 sql[256], *text = NULL, *line, *tab, *save;
	struct itest_event	*ev = NULL, *p;
	size_t			 n = 0;

	snprintf(sql, sizeof(sql), "SELECT type, payload FROM events WHERE "
	    "org_id = %ld ORDER BY id", org_id);
	if (sql_query(sql, &text) != 0) {
		fprintf(stderr, "db: %s: %s\n", sql, text ? text : "");
		free(text);
		*out = NULL;
		return 0;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((tab = strchr(line, '\t')) == NULL)
			continue;
		*tab = '\0';
		if ((p = realloc(ev, (n + 1) * sizeof(*ev))) == NULL)
			abort();
		ev = p;
		ev[n].type = strdup(line);
		ev[n].payload = json_tokener_parse(tab + 1);
		n++;
	}
	free(text);
	*out = ev;
	return n;
}

void
db_events_free(struct itest_event *ev, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(ev[i].type);
		json_object_put(ev[i].payload);
	}
	free(ev);
}

void
utc_date(int days, char *out)
{
	time_t		 t = time(NULL) + (time_t)days * 86400;
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
next_second(char *out)
{
	struct timespec	 ts, d;
	struct tm	 tm;
	time_t		 sec;

	clock_gettime(CLOCK_REALTIME, &ts);
	sec = ts.tv_sec + 1;
	d.tv_sec = 0;
	d.tv_nsec = 1000000000L - ts.tv_nsec + 50000000L;
	if (d.tv_nsec >= 1000000000L) {
		d.tv_sec = 1;
		d.tv_nsec -= 1000000000L;
	}
	nanosleep(&d, NULL);
	gmtime_r(&sec, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- cookies and the console sign-in ---- */

char *
http_cookie(const struct http_resp *r, const char *name)
{
	const char	*p = r->headers, *eol, *v;
	size_t		 n = strlen(name);

	while (p != NULL && *p != '\0') {
		eol = strstr(p, "\r\n");
		if (strncasecmp(p, "Set-Cookie:", 11) == 0) {
			v = p + 11;
			while (*v == ' ')
				v++;
			if (strncmp(v, name, n) == 0 && v[n] == '=') {
				v += n + 1;
				return strndup(v, strcspn(v, ";\r\n"));
			}
		}
		p = eol ? eol + 2 : NULL;
	}
	return NULL;
}

long
console_login(const char *email, const char *password, struct http_resp *out)
{
	static const char	 field[] = "name=\"csrf\" value=\"";
	struct http_resp	 page;
	struct sbuf		 body = { NULL, 0, 0 }, cookie = { NULL, 0, 0 };
	char			*login, *csrf = NULL, *e, *pw;
	const char		*p;
	const char		*h[3];
	CURL			*c;

	memset(out, 0, sizeof(*out));
	http_do("GET", "/admin/login", NULL, NULL, 0, &page);
	login = http_cookie(&page, "mihwar_login");
	if ((p = strstr(page.body, field)) != NULL) {
		p += strlen(field);
		csrf = strndup(p, strcspn(p, "\""));
	}
	http_resp_free(&page);
	if ((c = curl_easy_init()) == NULL)
		abort();
	e = curl_easy_escape(c, email, 0);
	pw = curl_easy_escape(c, password, 0);
	sb_printf(&body, "login=%s&password=%s&csrf=%s", e, pw,
	    csrf ? csrf : "");
	sb_printf(&cookie, "Cookie: mihwar_login=%s", login ? login : "");
	h[0] = cookie.p;
	h[1] = "Content-Type: application/x-www-form-urlencoded";
	h[2] = NULL;
	http_do("POST", "/admin/login", h, body.p, body.len, out);
	curl_free(e);
	curl_free(pw);
	curl_easy_cleanup(c);
	sb_free(&body);
	sb_free(&cookie);
	free(login);
	free(csrf);
	return out->status;
}
