/*
 * mihwar-fcgi.c - the FastCGI responder: set up once, then accept a
 * request, hand it to libmihwar, send the answer, free, repeat. The
 * listening socket is fd 0, as lighttpd (bin-path) and spawn-fcgi pass it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>

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

static void
fcgi_serve(FCGX_Request *fr, struct db *db, const struct conf *conf)
{
	struct req	 r;
	struct buf	 out;

	req_init(&r, db, conf);
	fcgi_fill(&r, fr);
	switch (req_read_body(&r.in.body, fcgi_read, fr->in,
	    FCGX_GetParam("CONTENT_LENGTH", fr->envp), conf->max_body_bytes)) {
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
	buf_init(&out);
	if (req_serialize(&r, &out))
		FCGX_PutStr(out.data, (int)out.len, fr->out);
	buf_cleanup(&out);
	req_cleanup(&r);
}

int
main(void)
{
	struct conf	 conf;
	struct db	*db;
	FCGX_Request	 fr;

	if (!boot_load(&conf, "mihwar-fcgi", NULL))
		return 1;
	if (!registry_init() || (db = db_new(&conf)) == NULL ||
	    FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
		log_error("startup failed");
		return 1;
	}
	(void)db_ensure(db);	/* warm up; a failure is retried per request */
	while (FCGX_Accept_r(&fr) >= 0) {
		log_set_sink(fcgi_log_sink, fr.err);
		fcgi_serve(&fr, db, &conf);
		log_set_sink(NULL, NULL);
		FCGX_Finish_r(&fr);
	}
	db_free(db);
	conf_cleanup(&conf);
	return 0;
}
