/*
 * mihwar-fcgi.c - the FastCGI responder: set up once, then accept a
 * request, hand it to libmihwar, send the answer, free, repeat. The
 * listening socket is fd 0, as lighttpd (bin-path), spawn-fcgi and
 * mod_fcgid pass it.
 *
 * The configuration file is named by MIHWAR_CONF in the process's
 * environment, and loaded at start. Without it, by the first request's
 * MIHWAR_CONF parameter: under mod_fcgid a `.htaccess` can only
 * `SetEnv MIHWAR_CONF /abs/path`, which reaches the program as a
 * request parameter (REDIRECT_MIHWAR_CONF after mod_rewrite's internal
 * redirect), never in its environment. A request naming neither falls
 * back to var/mihwar.conf. Until a configuration is loaded every request
 * is answered 503 and the log says why (each request tries again, so a
 * fixed file is picked up without a restart); once one is, a request
 * naming another file is answered 500: one process serves one
 * configuration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "mihwar.h"

static void
fcgi_log_sink(void *arg, const char *line, size_t len)
{
	FCGX_PutStr(line, (int)len, (FCGX_Stream *)arg);
}

static int
fcgi_read(void *arg, char *dst, int n)
{
	return FCGX_GetStr(dst, n, (FCGX_Stream *)arg);
}

/* Copy method, path, query and headers from the FastCGI parameters. */
static void
fcgi_fill(struct req *r, FCGX_Request *fr)
{
	const char	*uri, *q, *m;
	char		**e;

	m = FCGX_GetParam("REQUEST_METHOD", fr->envp);
	r->in.method = m != NULL ? m : "GET";
	if ((uri = FCGX_GetParam("REQUEST_URI", fr->envp)) == NULL)
		uri = "/";
	q = strchr(uri, '?');
	r->in.query = strdup(q != NULL ? q + 1 : "");
	(void)req_set_path(r, uri, q != NULL ? (size_t)(q - uri) :
	    strlen(uri));
	for (e = fr->envp; *e != NULL; e++) {
		char *eq = strchr(*e, '=');

		if (eq == NULL)
			continue;
		*eq = '\0';
		if (strncmp(*e, "HTTP_", 5) == 0)
			req_add_header(r, *e + 5, eq + 1);
		else if (strcmp(*e, "CONTENT_TYPE") == 0)
			req_add_header(r, "content-type", eq + 1);
		*eq = '=';
	}
	req_set_id(r, req_header(r, "x-request-id"));
	r->in.remote_addr = FCGX_GetParam("REMOTE_ADDR", fr->envp);
	r->in.https = (m = FCGX_GetParam("HTTPS", fr->envp)) != NULL &&
	    strcasecmp(m, "on") == 0;
}

/* The sink of a streamed answer: the FastCGI output stream. */
static int
fcgi_write(void *arg, const char *p, size_t n)
{
	return n == 0 || FCGX_PutStr(p, (int)n, (FCGX_Stream *)arg) == (int)n;
}

/*
 * Memory handed back (issue 14). glibc keeps what a large request freed
 * (a 5000-line ingestion's json-c tree, an import's rows) in the heap,
 * and raises its own trim threshold after a large block, so a process
 * would stay at its largest request's size for good; malloc_trim(0)
 * gives the free pages back, in the middle of the heap too.
 *
 * When: after a request that moved FCGI_CHECK_BYTES or more (body in +
 * answer out), the process's anonymous resident size is read (one
 * pread of /proc/self/statm, under a microsecond) and the heap trimmed
 * if it is FCGI_TRIM_GROWTH above what the last trim left. The heap's
 * top (sbrk(0)) alone does not tell: once a large request left a live
 * block near the top, the heap stays that long, and a later request
 * (a 500-event activity batch, 95 KB) dirties the free pages below it
 * again without moving the top; its process stayed at 16-17 MiB. A top
 * that grew FCGI_TRIM_GROWTH still trims on its own (sbrk(0) reads a
 * variable). A small request (a 50-row list is 18 KB) pays nothing;
 * the trim itself runs after the answer has gone (fcgi_serve's caller
 * finishes the request first).
 */
#define FCGI_CHECK_BYTES	(32 * 1024)
#define FCGI_TRIM_GROWTH	(1024 * 1024)

/* Anonymous resident bytes (resident - shared of /proc/self/statm),
 * or 0 when it cannot be read (then only the heap's top decides). */
static size_t
fcgi_anon_bytes(void)
{
	static int	 fd = -2;
	char		 s[128];
	ssize_t		 n;
	unsigned long	 size, resident, shared;

	if (fd == -2)
		fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = pread(fd, s, sizeof(s) - 1, 0)) <= 0)
		return 0;
	s[n] = '\0';
	if (sscanf(s, "%lu %lu %lu", &size, &resident, &shared) != 3 ||
	    shared > resident)
		return 0;
	return (size_t)(resident - shared) * (size_t)sysconf(_SC_PAGESIZE);
}

static void
fcgi_hand_back(size_t moved)
{
	static uintptr_t	 top_mark;
	static size_t		 anon_mark;
	uintptr_t		 top = (uintptr_t)sbrk(0);
	size_t			 anon;

	if (top_mark == 0)
		top_mark = top;
	if (top < top_mark + FCGI_TRIM_GROWTH) {
		if (moved < FCGI_CHECK_BYTES)
			return;
		anon = fcgi_anon_bytes();
		if (anon == 0 || (anon_mark != 0 &&
		    anon < anon_mark + FCGI_TRIM_GROWTH))
			return;
	}
	(void)malloc_trim(0);
	top_mark = (uintptr_t)sbrk(0);
	anon_mark = fcgi_anon_bytes();
}

/* X-Mihwar-Process: the pid that answered (process_header = true; the
 * key-cache tests tell the pool's processes apart by it). */
static void
fcgi_process_header(struct req *r)
{
	char	 pid[24];

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	req_resp_header(r, "X-Mihwar-Process", pid);
}

/*
 * The answer's headers, then its body straight from the request's
 * buffer (not copied into one with the headers first); the bytes sent.
 */
static size_t
fcgi_send(FCGX_Request *fr, struct req *r, struct buf *head)
{
	const char	*body;
	size_t		 n = req_body_out(r, &body);

	if (!req_serialize_head(r, head))
		return 0;
	FCGX_PutStr(head->data, (int)head->len, fr->out);
	if (n > 0)
		FCGX_PutStr(body, (int)n, fr->out);
	return head->len + n;
}

/* Serve one request; the bytes it moved (body in + answer out). */
static size_t
fcgi_serve(FCGX_Request *fr, struct db *db, const struct conf *conf)
{
	struct req	 r;
	struct buf	 out;
	size_t		 moved;

	req_init(&r, db, conf);
	fcgi_fill(&r, fr);
	/* The route's cap (an upload's larger, a received webhook's
	 * smaller) holds before the body is read. */
	switch (req_read_body(&r.in.body, fcgi_read, fr->in,
	    FCGX_GetParam("CONTENT_LENGTH", fr->envp), app_body_cap(&r))) {
	case BODY_TOO_LARGE:
		r.in.body_too_large = 1;
		break;
	case BODY_READ_ERROR:
		if (!r.in.bad_request)
			r.in.bad_request = 2;
		break;
	case BODY_OK:
		break;
	}
	app_handle(&r);
	if (conf->process_header)
		fcgi_process_header(&r);
	buf_init(&out);
	moved = r.in.body.len + fcgi_send(fr, &r, &out);
	buf_cleanup(&out);
	/* A streamed answer's body follows its headers, a piece at a time. */
	if (!req_stream_run(&r, fcgi_write, fr->out))
		log_error("req id=%s: the streamed answer stopped early", r.id);
	req_cleanup(&r);
	return moved;
}

#define FCGI_DEFAULT_CONF	"var/mihwar.conf"

/* The process's one configuration and database handle, once loaded. */
struct fcgi_app {
	struct conf	 conf;
	struct db	*db;
	char		*conf_path;	/* the file served; NULL until loaded */
	const char	*env_path;	/* $MIHWAR_CONF of the process, or NULL */
};

/* The configuration file a request names, or NULL (borrowed). */
static const char *
fcgi_request_conf(FCGX_Request *fr)
{
	const char	*v;

	if ((v = FCGX_GetParam("MIHWAR_CONF", fr->envp)) != NULL && *v != '\0')
		return v;
	if ((v = FCGX_GetParam("REDIRECT_MIHWAR_CONF", fr->envp)) != NULL &&
	    *v != '\0')
		return v;
	return NULL;
}

/*
 * Load the configuration at path and open the database; 1 when a is
 * configured now. from_request: the path came from a request, and must
 * be absolute (the process's working directory is the host's choice).
 */
static int
fcgi_load(struct fcgi_app *a, const char *path, int from_request)
{
	if (from_request && path[0] != '/') {
		log_error("MIHWAR_CONF must be an absolute path, not %s", path);
		return 0;
	}
	if (!boot_load(&a->conf, "mihwar-fcgi", path))
		return 0;
	if ((a->db = db_new(&a->conf)) == NULL ||
	    (a->conf_path = strdup(path)) == NULL) {
		log_error("out of memory loading the configuration");
		db_free(a->db);
		a->db = NULL;
		conf_cleanup(&a->conf);
		return 0;
	}
	log_info("serving the configuration %s", path);
	(void)db_ensure(a->db);	/* warm up; a failure is retried per request */
	return 1;
}

/*
 * Answer a request that cannot be served (503: no configuration yet;
 * 500: another configuration than this process's) with a JSON error in
 * its family's shape where the family has one.
 */
static void
fcgi_refuse(FCGX_Request *fr, int status, const char *msg)
{
	static struct conf	 defaults;
	static int		 ready;
	struct req		 r;
	struct buf		 out;
	struct json_object	*o, *e;

	if (!ready) {
		conf_init(&defaults);
		ready = 1;
	}
	req_init(&r, NULL, &defaults);
	fcgi_fill(&r, fr);
	r.family = family_of_path(r.in.path);
	if (r.family->error_body != NULL)
		req_resp_error(&r, status, NULL, "%s", msg);
	else {
		o = json_object_new_object();
		e = json_object_new_object();
		json_object_object_add(e, "code", json_object_new_string(
		    status == 503 ? "service_unavailable" : "internal_error"));
		json_object_object_add(e, "message",
		    json_object_new_string(msg));
		json_object_object_add(e, "requestId",
		    json_object_new_string(r.id));
		json_object_object_add(o, "error", e);
		req_resp_json(&r, status, o);
	}
	log_info("req id=%s method=%s path=%s status=%d", r.id, r.in.method,
	    r.in.path, r.out.status);
	buf_init(&out);
	if (req_serialize(&r, &out))
		FCGX_PutStr(out.data, (int)out.len, fr->out);
	buf_cleanup(&out);
	req_cleanup(&r);
}

/* One request: configure the process if it is not yet, then serve;
 * the bytes it moved (0 for a refusal). */
static size_t
fcgi_handle(struct fcgi_app *a, FCGX_Request *fr)
{
	const char	*want = fcgi_request_conf(fr);

	if (a->conf_path == NULL && !fcgi_load(a, a->env_path ? a->env_path :
	    want ? want : FCGI_DEFAULT_CONF, a->env_path == NULL &&
	    want != NULL)) {
		log_error("not configured: no configuration could be loaded "
		    "(above); answering 503");
		fcgi_refuse(fr, 503, "the service is not configured yet; the "
		    "server's error log says why");
		return 0;
	}
	if (want != NULL && strcmp(want, a->conf_path) != 0) {
		log_error("MIHWAR_CONF %s: this process serves %s (one process "
		    "serves one configuration); answering 500", want,
		    a->conf_path);
		fcgi_refuse(fr, 500, "internal error");
		return 0;
	}
	return fcgi_serve(fr, a->db, &a->conf);
}

int
main(void)
{
	struct fcgi_app	 a;
	FCGX_Request	 fr;
	size_t		 moved;

	memset(&a, 0, sizeof(a));
	log_set_prefix("mihwar-fcgi");
	if (!registry_init() || FCGX_Init() != 0 ||
	    FCGX_InitRequest(&fr, 0, 0) != 0) {
		log_error("startup failed");
		return 1;
	}
	/* Loaded now when the environment names it; else by a request. */
	if ((a.env_path = getenv("MIHWAR_CONF")) != NULL &&
	    *a.env_path == '\0')
		a.env_path = NULL;
	if (a.env_path != NULL)
		(void)fcgi_load(&a, a.env_path, 0);
	while (FCGX_Accept_r(&fr) >= 0) {
		log_set_sink(fcgi_log_sink, fr.err);
		moved = fcgi_handle(&a, &fr);
		log_set_sink(NULL, NULL);
		FCGX_Finish_r(&fr);	/* the answer goes before any trim */
		fcgi_hand_back(moved);
	}
	if (a.conf_path != NULL) {
		db_free(a.db);
		conf_cleanup(&a.conf);
		free(a.conf_path);
	}
	return 0;
}
