/*
 * test_errdocs.c - errors the web server makes itself under /api/ (a
 * body over its own limit, a FastCGI process killed mid-request) are
 * JSON in the family's error shape, as the application's own are, not
 * the server's HTML page: behind lighttpd and behind Apache.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <libgen.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "itest.h"

/* What the web server answers for a family: its path, content type, and
 * where the message is (the shapes of lib/web/family.c). */
struct errdoc_family {
	const char	*name, *path, *content_type;
	const char	*code_path, *message_path;
	const char	*code_413;
};

static const struct errdoc_family errdoc_families[] = {
	{ "integrations", "/api/integrations/v1/inventory/items",
	    "application/json", "error.code", "error.message",
	    "payload_too_large" },
	{ "invoice cases", "/api/cases", "application/json", "error.code",
	    "error.message", "payload_too_large" },
	{ "activity ingest", "/api/v1/ingest/events", "application/json",
	    "error.code", "error.message", "batch_too_large" },
	{ "scim", "/api/scim/v2/Users", "application/scim+json", NULL,
	    "detail", NULL },
	{ "fulfillment", "/api/orders", "application/json", NULL, "error",
	    NULL },
	{ "import-export", "/api/v1/import-export/jobs", "application/json",
	    NULL, "detail", NULL },
};

/* The runtime directory of the stack (where mihwar.conf lives). */
static const char *
errdoc_var(void)
{
	static char	 var[512];
	char		 conf[512];

	snprintf(conf, sizeof(conf), "%s", itest_env("MIHWAR_CONF"));
	snprintf(var, sizeof(var), "%s", dirname(conf));
	return var;
}

/* "lighttpd" or "apache", as stack.sh recorded it. */
static void
errdoc_kind(char *kind, size_t n)
{
	char	 path[600];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/run/web.kind", errdoc_var());
	kind[0] = '\0';
	if ((f = fopen(path, "r")) == NULL)
		return;
	if (fgets(kind, (int)n, f) != NULL)
		kind[strcspn(kind, "\n")] = '\0';
	fclose(f);
}

/*
 * The body is the family's error shape and nothing else: requestId
 * null (the web server has no request id of the application), the
 * status where the shape has it, the code where it has one.
 */
static void
errdoc_check(const struct errdoc_family *f, const struct http_resp *r,
    long want, const char *code)
{
	struct json_object	*o = http_json(r), *rid = NULL, *parent;
	char			*ct = http_header(r, "Content-Type");
	char			 what[160], st[8];

	snprintf(what, sizeof(what), "%s: %ld Content-Type", f->name, want);
	ASSERT_EQS(ct, f->content_type, what);
	free(ct);
	snprintf(what, sizeof(what), "%s: %ld body is JSON: %.80s", f->name,
	    want, r->body);
	CU_assertImplementation(o != NULL, __LINE__, what, __FILE__, "",
	    CU_FALSE);
	if (o == NULL)
		return;
	snprintf(what, sizeof(what), "%s: %ld message", f->name, want);
	CU_assertImplementation(json_str_at(o, f->message_path) != NULL &&
	    *json_str_at(o, f->message_path) != '\0', __LINE__, what,
	    __FILE__, "", CU_FALSE);
	if (f->code_path != NULL) {
		snprintf(what, sizeof(what), "%s: %ld code", f->name, want);
		ASSERT_EQS(json_str_at(o, f->code_path), code, what);
	}
	if (strcmp(f->content_type, "application/scim+json") == 0) {
		snprintf(st, sizeof(st), "%ld", want);
		ASSERT_EQS(json_str_at(o, "status"), st, "scim: status");
		ASSERT_EQS(json_str_at(o, "schemas.0"),
		    "urn:ietf:params:scim:api:messages:2.0:Error",
		    "scim: schemas");
	}
	/* requestId is there, and null: beside the code, or at the top. */
	parent = f->code_path != NULL ? json_at(o, "error") : o;
	snprintf(what, sizeof(what), "%s: %ld requestId null", f->name, want);
	CU_assertImplementation(parent != NULL &&
	    json_object_object_get_ex(parent, "requestId", &rid) &&
	    rid == NULL, __LINE__, what, __FILE__, "", CU_FALSE);
	json_object_put(o);
}

/*
 * POST path with a Content-Length over the web server's own limit (64
 * MiB, lighttpd's server.max-request-size and Apache's
 * LimitRequestBody), sending no body: the server answers before reading
 * one. The answer into r (raw, over a socket: curl would send the body).
 */
static void
errdoc_too_large(const char *path, struct http_resp *r)
{
	struct sockaddr_in	 sin;
	const char		*url = itest_stack_url(), *colon;
	char			 req[512], buf[4096], *sep;
	struct timeval		 tv = { 10, 0 };
	ssize_t			 n;
	size_t			 len = 0;
	int			 s;

	memset(r, 0, sizeof(*r));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	colon = strrchr(url, ':');
	sin.sin_port = htons((unsigned short)atoi(colon ? colon + 1 : "80"));
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(s, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		if (s >= 0)
			close(s);
		return;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Type: application/json\r\nContent-Length: 100000000\r\n"
	    "Connection: close\r\n\r\n", path);
	if (write(s, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(s);
		return;
	}
	while (len < sizeof(buf) - 1 && (n = read(s, buf + len,
	    sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(s);
	buf[len] = '\0';
	if (sscanf(buf, "HTTP/1.%*d %ld", &r->status) != 1 ||
	    (sep = strstr(buf, "\r\n\r\n")) == NULL)
		return;
	*sep = '\0';
	r->headers = strdup(buf);
	r->body = strdup(sep + 4);
	r->len = strlen(r->body);
}

/*
 * 413 from the web server itself, in every family's shape. Behind
 * lighttpd only: Apache's mod_proxy_fcgi streams a body to the pool
 * without holding it to LimitRequestBody, so there the application's
 * own cap (max_body_bytes) answers, with its own JSON 413.
 */
static void
test_too_large(void)
{
	const struct errdoc_family	*f;
	struct http_resp		 r;
	char				 kind[32];
	size_t				 i;

	errdoc_kind(kind, sizeof(kind));
	if (strcmp(kind, "apache") == 0)
		return;
	for (i = 0; i < sizeof(errdoc_families) / sizeof(errdoc_families[0]);
	    i++) {
		f = &errdoc_families[i];
		errdoc_too_large(f->path, &r);
		ASSERT_STATUS(&r, 413);
		if (r.status == 413)
			errdoc_check(f, &r, 413, f->code_413);
		free(r.headers);
		free(r.body);
	}
}

/* The FastCGI processes of the stack's web server, by pid: the children
 * of lighttpd (which spawns its own pool), or those spawn-fcgi listed
 * for Apache. Never another stack's. */
static size_t
errdoc_fcgi_pids(pid_t *pids, size_t max)
{
	char		 kind[32], path[600], line[512], comm[64];
	long		 parent = 0, pid, ppid;
	size_t		 n = 0;
	FILE		*f;
	DIR		*d;
	struct dirent	*e;

	errdoc_kind(kind, sizeof(kind));
	snprintf(path, sizeof(path), "%s/run/%s", errdoc_var(),
	    strcmp(kind, "apache") == 0 ? "spawn-fcgi.pids" : "lighttpd.pid");
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL && n < max)
		if (strcmp(kind, "apache") == 0)
			pids[n++] = (pid_t)atol(line);
		else
			parent = atol(line);
	fclose(f);
	if (parent == 0 || (d = opendir("/proc")) == NULL)
		return n;
	while ((e = readdir(d)) != NULL && n < max) {
		if ((pid = atol(e->d_name)) <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fscanf(f, "%*d (%63[^)]) %*c %ld", comm, &ppid) == 2 &&
		    ppid == parent && strcmp(comm, "mihwar.fcgi") == 0)
			pids[n++] = (pid_t)pid;
		fclose(f);
	}
	closedir(d);
	return n;
}

/*
 * A FastCGI process killed while it handles a request: the request is
 * held in the database (a global read lock, taken as root for 3 s) when
 * every process of the pool is killed; the web server answers it, and
 * that answer is the family's JSON. Apache's pool (spawn-fcgi) does not
 * come back by itself: it is started again after.
 */
static void
test_killed_mid_request(void)
{
	static const char	 lock[] = "FLUSH TABLES WITH READ LOCK; "
	    "DO SLEEP(3); UNLOCK TABLES;";
	static const char	 body[] =
	    "{\"sku\":\"KILLED-1\",\"name\":\"x\"}";
	const struct errdoc_family *f = &errdoc_families[0];
	struct http_resp	 r;
	char			 org[64], auth[200], cmd[1024], kind[32];
	const char		*h[3];
	pid_t			 pids[64], child;
	size_t			 n, i;
	FILE			*holder;

	CU_ASSERT_FATAL(fixture_org_auth(org, auth));
	errdoc_kind(kind, sizeof(kind));
	n = errdoc_fcgi_pids(pids, 64);
	CU_ASSERT_FATAL(n > 0);
	snprintf(cmd, sizeof(cmd), "mariadb --no-defaults --socket='%s' -uroot "
	    "-e '%s'", itest_env("MIHWAR_DB_SOCKET"), lock);
	CU_ASSERT_PTR_NOT_NULL_FATAL(holder = popen(cmd, "r"));
	usleep(400000);
	if ((child = fork()) == 0) {
		/* Once the request is waiting on the lock. */
		usleep(800000);
		for (i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		_exit(0);
	}
	h[0] = auth;
	h[1] = "Content-Type: application/json";
	h[2] = NULL;
	itest_direct(1);
	http_do("POST", f->path, h, body, strlen(body), &r);
	itest_direct(0);
	waitpid(child, NULL, 0);
	pclose(holder);
	CU_ASSERT(r.status == 500 || r.status == 502 || r.status == 503);
	if (r.status >= 500)
		errdoc_check(f, &r, r.status, r.status == 503 ? "unavailable" :
		    "internal_error");
	http_resp_free(&r);
	if (strcmp(kind, "apache") == 0) {
		CU_ASSERT(stack_run("web-stop") == 0);
		CU_ASSERT(stack_run("web-start apache") == 0);
	}
	/* The pool serves again (lighttpd respawns its own). */
	for (i = 0; i < 50; i++) {
		http_do("GET", "/api/healthz", NULL, NULL, 0, &r);
		if (r.status == 200)
			break;
		http_resp_free(&r);
		usleep(100000);
	}
	ASSERT_STATUS(&r, 200);
	http_resp_free(&r);
}

/* The "web server errors" suite. */
void
suite_errdocs_register(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("web server errors", NULL, NULL);
	CU_add_test(s, "413 over lighttpd's own limit: each family's JSON",
	    test_too_large);
	CU_add_test(s, "a FastCGI process killed mid-request: JSON, not the "
	    "server's HTML page", test_killed_mid_request);
}
