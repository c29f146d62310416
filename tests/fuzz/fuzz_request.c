/*
 * fuzz_request.c - the rest of what a request brings from outside: its
 * FastCGI parameters (one NAME=value per line, as mihwar-fcgi.c reads
 * them) become the method, the decoded path, the raw query and the
 * headers; X-Request-Id is taken or minted (req_set_id), and the request
 * goes through app_handle whenever that cannot reach the database (no
 * route handler runs; a credential that could be a real key stops it).
 * The response must serialize with clean header lines and a JSON body
 * that parses.
 *
 * The database handle is never connected; its socket is a path that
 * does not exist, and a 503 (database unavailable) fails the target:
 * needs_db must then learn what app_route learned (a method mapping, a
 * route that needs no credential, ...).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "fuzz.h"

/* The log sink: log.c promises one line per event. */
static void
log_line(void *arg, const char *line, size_t len)
{
	(void)arg;
	if (len == 0 || line[len - 1] != '\n' ||
	    memchr(line, '\n', len - 1) != NULL ||
	    memchr(line, '\r', len) != NULL)
		abort();		/* a forged or broken log line */
}

/*
 * lighttpd and Apache (HttpProtocolOptions Strict) pass on only methods
 * that are HTTP tokens and request targets without control characters
 * (percent-encoded ones pass, and are the app's to handle); anything
 * else never reaches the responder.
 */
static int
no_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int
is_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) &&
		    strchr("!#$%&'*+-.^_`|~", *s) == NULL)
			return 0;
	return 1;
}

/* The token principal.c would look up, as principal_key takes it. */
static const char *
credential(const struct req *r, enum credential want)
{
	const char	*h;

	if (want == CRED_API_KEY)
		return req_header(r, "x-api-key");
	if ((h = req_header(r, "authorization")) == NULL ||
	    strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	for (h += 7; *h == ' '; h++)
		;
	return *h != '\0' ? h : NULL;
}

/* 1 when handling r could touch the database. */
static int
needs_db(struct req *r)
{
	const struct route	*rt = NULL;
	char			*args[ROUTE_MAXARGS];
	size_t			 nargs = 0;
	enum route_res		 res;
	enum credential		 want;
	enum key_kind		 kind;
	const char		*tok;

	/* An unreadable path is refused before anything; a body only after
	 * the credential, which may need the database. */
	if (r->in.bad_request == 1)
		return 0;
	/* As app_route looks up (HEAD is served as GET). */
	res = route_lookup(routes, routes_len, strcmp(r->in.method, "HEAD") == 0 ?
	    "GET" : r->in.method, r->in.route_path, &rt, args, &nargs);
	while (nargs > 0)
		free(args[--nargs]);
	if (res == ROUTE_FOUND)
		return 1;		/* a handler: may query */
	want = family_of_path(r->in.path)->credential;
	if (want == CRED_NONE || want == CRED_SESSION)
		return 0;
	tok = credential(r, want);
	return tok != NULL && *tok != '\0' && strlen(tok) <= 128 &&
	    keys_token_kind(tok, &kind);
}

/* Header lines end in CRLF, with no CR or LF anywhere else. */
static void
check_response(const struct buf *out, const struct req *r)
{
	const char		*end;
	struct json_object	*o;
	size_t			 i, hlen;
	char			 err[160];

	if (out->data == NULL ||
	    (end = strstr(out->data, "\r\n\r\n")) == NULL)
		abort();
	hlen = (size_t)(end - out->data) + 2;
	for (i = 0; i < hlen; i++)
		if ((out->data[i] == '\n' && (i == 0 ||
		    out->data[i - 1] != '\r')) || (out->data[i] == '\r' &&
		    out->data[i + 1] != '\n'))
			abort();
	if (r->out.status == 204 || r->out.body.len == 0)
		return;
	o = json_parse_body(r->out.body.data, r->out.body.len, err,
	    sizeof(err));
	if (o == NULL)
		abort();		/* the service answered non-JSON */
	json_object_put(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	 conf;
	struct db	*db;
	struct req	 r;
	struct buf	 out;
	char		*text, *line, *next, *eq, *method = NULL;
	const char	*uri, *q, *id;
	size_t		 i, n;

	log_set_sink(log_line, NULL);
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	conf_init(&conf);
	conf.db_socket = strdup("/nonexistent/mihwar-fuzz.sock");
	if ((db = db_new(&conf)) == NULL) {
		conf_cleanup(&conf);
		free(text);
		return 0;
	}
	req_init(&r, db, &conf);

	/* Parameters are C strings: each line ends at its first NUL. */
	for (line = text; line != NULL && line < text + size; line = next) {
		if ((next = memchr(line, '\n', (size_t)(text + size - line)))
		    != NULL)
			*next++ = '\0';
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		*eq = '\0';
		if (strncmp(line, "HTTP_", 5) == 0)
			req_add_header(&r, line + 5, eq + 1);
		else if (strcmp(line, "CONTENT_TYPE") == 0)
			req_add_header(&r, "content-type", eq + 1);
		else if (strcmp(line, "REQUEST_METHOD") == 0 &&
		    method == NULL && is_token(eq + 1))
			method = strdup(eq + 1);
		else if (strcmp(line, "REQUEST_URI") == 0 && r.in.path == NULL &&
		    no_ctl(eq + 1)) {
			uri = eq + 1;
			q = strchr(uri, '?');
			r.in.query = strdup(q != NULL ? q + 1 : "");
			(void)req_set_path(&r, uri, q != NULL ?
			    (size_t)(q - uri) : strlen(uri));
		} else if (strcmp(line, "BODY") == 0)
			r.in.body_too_large = eq[1] == '1';
	}
	r.in.method = method != NULL ? method : "GET";
	if (r.in.path == NULL) {
		(void)req_set_path(&r, "/", 1);
		r.in.query = strdup("");
	}
	if (r.in.path == NULL || r.in.route_path == NULL || r.in.query == NULL)
		goto done;

	/* Headers are found by their lowercase, dashed names. */
	for (i = 0; i < r.in.nheaders; i++) {
		for (n = 0; r.in.headers[i].name[n] != '\0'; n++)
			if (r.in.headers[i].name[n] == '_' ||
			    isupper((unsigned char)r.in.headers[i].name[n]))
				abort();
		if (req_header(&r, r.in.headers[i].name) == NULL)
			abort();
	}

	/* The id goes back out in a header and the log: short and plain. */
	req_set_id(&r, req_header(&r, "x-request-id"));
	id = r.id;
	n = strlen(id);
	if (n < 8 || n >= sizeof(r.id))
		abort();
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && strchr("-_.", id[i]) == NULL)
			abort();

	if (!needs_db(&r)) {
		app_handle(&r);
		if (r.out.status == 503 || db_connected(db))
			abort();	/* reached for the database */
		buf_init(&out);
		if (!req_serialize(&r, &out))
			abort();
		check_response(&out, &r);
		buf_cleanup(&out);
	}
done:
	req_cleanup(&r);
	free(method);
	db_free(db);
	conf_cleanup(&conf);
	free(text);
	return 0;
}
