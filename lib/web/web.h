/*
 * web/web.h - the request layer: a request and its response, the caller
 * (the principal, filled by lib/auth), the API families, routing,
 * validation, pages and cursors, idempotency, rate limits and the HTML
 * writer. It includes only lib/core. Grouped by file, so it reads as a
 * map of lib/web/.
 */
#ifndef MIHWAR_WEB_H
#define MIHWAR_WEB_H

#include "core/core.h"

/* family.c: one row per API family; nothing else switches on it */
enum family_id {
	FAM_NONE, FAM_INTEG, FAM_SETTINGS, FAM_SCIM, FAM_INGEST, FAM_CASES,
	FAM_FULFILL, FAM_IMPEX, FAM_ADMIN, FAM__MAX
};
/* Where a family's credential comes from. */
enum credential {
	CRED_NONE,		/* public */
	CRED_BEARER,		/* Authorization: Bearer <key> */
	CRED_API_KEY,		/* X-Api-Key: <key> */
	CRED_SESSION		/* the console's session cookie + CSRF */
};
struct family;
/* The family's error body for status, a machine code and a message. */
typedef struct json_object *(*family_error_fn)(const struct family *,
		    int, const char *, const char *, const char *);
struct family {
	enum family_id	 id;
	const char	*name;
	const char *const *prefixes;	/* NULL-terminated path prefixes */
	enum credential	 credential;
	unsigned int	 key_kinds;	/* KEY_BIT()s a key credential takes */
	const char	*content_type;	/* of its JSON answers */
	family_error_fn	 error_body;	/* NULL: errors are HTML pages */
	const char	*signin_page;	/* no session: redirect here, not 401 */
	const char	*www_authenticate;	/* with 401; NULL for none */
	const char	*code_missing;	/* 401 without a credential */
	const char	*code_invalid;	/* 401 with a wrong or revoked one */
	const char	*code_400;	/* default code of a 400 */
	const char	*code_json;	/* 400: the body is not JSON */
	const char	*code_413;	/* ... and of a 413 */
	long long	 idem_window_s;	/* Idempotency-Key replay window */
	size_t		 idem_key_max;	/* longest Idempotency-Key taken */
	const char	*code_idem_busy; /* 409: the first is still running */
	const char	*code_idem_key;	/* 400: a malformed or long key */
	/* Requests a minute per API key and per organization (0: none), and
	 * the long long of struct conf that replaces each when set (> 0);
	 * offset 0 (a string) means no such setting. */
	long long	 rate_per_key, rate_per_org;
	size_t		 rate_key_conf, rate_org_conf;
	/* 1: every authenticated request counts against those limits and
	 * its answer carries X-RateLimit-*, whatever its route or status;
	 * 0: only ROUTE_RATELIMIT routes count. */
	int		 rate_all;
	long long	 max_body_bytes; /* 0: max_body_bytes of the conf */
	const char	*api_version;	/* X-API-Version on every answer */
	/* Path segments (after the prefix) clients may write in any case,
	 * in the route table's spelling, and whether a trailing slash is
	 * dropped: routed as the table spells them (NULL, 0: exact). */
	const char *const *loose_segments;
	int		 loose_trailing_slash;
};
const struct family *family_of_path(const char *);
const struct family *family_get(enum family_id);
struct json_object *family_error_body(const struct family *, int,
		    const char *, const char *, const char *);
const char	*family_code_for_status(const struct family *, int);
void		 family_rate_limits(const struct family *, const struct conf *,
		    long long *, long long *);
long long	 family_body_cap(const struct family *, const struct conf *);
void		 family_path_canon(const struct family *, char *);

/* principal: who is calling, filled once by lib/auth, read by handlers */
enum key_kind {
	KEY_INTEGRATION, KEY_SCIM, KEY_INGEST, KEY_CLIENT, KEY_ADMIN,
	KEY_KIND__MAX
};
#define KEY_BIT(k)	(1u << (k))
enum principal_kind { PRINCIPAL_NONE, PRINCIPAL_KEY, PRINCIPAL_SESSION };
struct principal {
	enum principal_kind kind;
	long long	 org_id;	/* the tenant every query is scoped by */
	char		 org_slug[64];
	int		 platform_admin; /* operator across organizations */
	/* PRINCIPAL_KEY */
	long long	 key_id;
	char		 key_public_id[37];
	enum key_kind	 key_kind;
	long long	 app_id;	/* the ingest app a wp_ key is bound to */
	/* PRINCIPAL_SESSION: a console user */
	long long	 user_id;
	char		 user_public_id[37];
	char		 user_name[256];
	char		 role[8];	/* admin, member */
	char		 csrf[44];
	unsigned char	 session_hash[32];
};

/* route.c: the compile-time route table */
struct req;
typedef void	(*route_fn)(struct req *);
#define ROUTE_PUBLIC		0x01	/* no credential, even in a family */
#define ROUTE_ADMIN		0x02	/* a session with the admin role */
#define ROUTE_WRITE		0x04	/* runs in the pipeline's transaction */
#define ROUTE_IDEMPOTENT	(0x08 | ROUTE_WRITE)	/* Idempotency-Key */
#define ROUTE_RATELIMIT		0x10	/* counts against the family's limit */
#define ROUTE_UPLOAD		0x20	/* a body up to import_max_bytes */
#define ROUTE_MIB_BODY		0x40	/* a body of at most 1 MiB */
#define ROUTE_MIB_BODY_BYTES	(1024 * 1024)
struct route {
	const char	*method;
	const char	*pattern;
	route_fn	 handler;
	unsigned int	 flags;
};
#define ROUTE_MAXARGS	4
enum route_res { ROUTE_FOUND, ROUTE_NOTFOUND, ROUTE_BADMETHOD };
enum route_res	 route_lookup(const struct route *, size_t, const char *,
		    const char *, const struct route **, char **, size_t *);
int		 route_match(const char *, const char *, char **, size_t *);
void		 route_allow(const struct route *, size_t, const char *,
		    struct buf *);

/* req.c: a request read from FastCGI, and the response it builds */
struct header {
	char	*name;
	char	*value;
};
/* What came in: filled by the main, read-only afterwards. */
struct req_in {
	const char	*method;
	char		*path;		/* decoded path, no query */
	char		*route_path;	/* path as routed: %2F, %25 kept */
	char		*query;		/* raw query string, "" when none */
	struct header	*headers;
	size_t		 nheaders;
	struct buf	 body;
	const char	*remote_addr;
	int		 https;
	int		 body_too_large;
	int		 bad_request;	/* unreadable path or body */
};
/* What goes out. */
typedef int	(*req_write_fn)(void *, const char *, size_t);
typedef int	(*req_stream_fn)(struct req *, void *, req_write_fn, void *);
struct req_out {
	int		 status;
	struct buf	 headers;
	struct buf	 body;
	const char	*content_type;
	int		 undo;		/* roll back the writes, keep the answer */
	int		 keep;		/* commit the writes of an error answer */
	int		 stepped;	/* req_commit_step committed a part */
	/* A streamed answer (req_resp_stream): after the headers, the main
	 * calls stream(r, stream_arg, write, its sink), which writes the
	 * body a piece at a time; stream_free frees stream_arg. */
	req_stream_fn	 stream;
	void		*stream_arg;
	void		 (*stream_free)(void *);
};
struct req {
	struct req_in	 in;
	struct req_out	 out;
	struct principal principal;
	char		 id[65];
	const struct family *family;
	const struct route *route;
	char		*args[ROUTE_MAXARGS];
	size_t		 nargs;
	char		 vprefix[40];	/* names nested fields: "lines[3]." */
	struct idem	*idem;		/* set while an Idempotency-Key holds */
	struct db	*db;
	const struct conf *conf;
	int64_t		 start_ms;
};
enum req_body_res { BODY_OK, BODY_TOO_LARGE, BODY_READ_ERROR };
typedef int	(*req_read_fn)(void *, char *, int);
void		 req_init(struct req *, struct db *, const struct conf *);
void		 req_cleanup(struct req *);
int		 req_add_header(struct req *, const char *, const char *);
const char	*req_header(const struct req *, const char *);
enum req_body_res req_read_body(struct buf *, req_read_fn, void *,
		    const char *, long long);
int		 req_query_param(const char *, const char *, char **);
int		 req_form_param(const struct req *, const char *, char **);
int		 req_url_decode(const char *, size_t, char **);
int		 req_set_path(struct req *, const char *, size_t);
void		 req_set_id(struct req *, const char *);
void		 req_resp_header(struct req *, const char *, const char *);
void		 req_resp_json(struct req *, int, struct json_object *);
void		 req_resp_written(struct req *, int);
void		 req_resp_error(struct req *, int, const char *, const char *,
		    ...) __attribute__((format(printf, 4, 5)));
void		 req_undo(struct req *);
void		 req_keep(struct req *);
int		 req_commit_step(struct req *);
void		 req_resp_reset(struct req *);
const char	*req_status_text(int);
int		 req_serialize(struct req *, struct buf *);
int		 req_serialize_head(struct req *, struct buf *);
size_t		 req_body_out(const struct req *, const char **);
void		 req_resp_stream(struct req *, int, const char *,
		    req_stream_fn, void *, void (*)(void *));
int		 req_stream_run(struct req *, req_write_fn, void *);
struct json_object *req_json_body(struct req *);

/* multipart.c: multipart/form-data bodies (RFC 7578) */
#define MULTIPART_MAX_PARTS	16
#define MULTIPART_BOUNDARY_MAX	70
struct mpart {
	char		 name[128];	/* the form field's name */
	char		 filename[256];	/* when has_filename */
	char		 content_type[128];	/* "" when not given */
	int		 has_filename, has_disposition;
	const char	*data;		/* borrowed from the body; binary */
	size_t		 len;
};
struct multipart {
	struct mpart	 parts[MULTIPART_MAX_PARTS];
	size_t		 nparts;
};
int		 multipart_is(const char *);
int		 multipart_boundary(const char *,
		    char [MULTIPART_BOUNDARY_MAX + 1], const char **);
int		 multipart_parse(const char *, const char *, size_t,
		    struct multipart *, const char **);
const struct mpart *multipart_get(const struct multipart *, const char *);

/* valid.c: typed reads of JSON fields, 400 naming the field */
struct json_object *valid_get(struct json_object *, const char *);
int		 valid_object(struct req *, struct json_object *);
int		 valid_string(struct req *, struct json_object *, const char *,
		    int, size_t, size_t, const char **);
int		 valid_decimal(struct req *, struct json_object *, const char *,
		    int, int64_t, int64_t, int64_t *, int *);
int		 valid_int(struct req *, struct json_object *, const char *,
		    int, long long, long long, long long *, int *);
int		 valid_bool(struct req *, struct json_object *, const char *,
		    int *);
int		 valid_enum(struct req *, struct json_object *, const char *,
		    int, const char *const *, const char **);

/* page.c: limit and opaque cursor of list endpoints, query parameters */
struct page {
	long long	 limit;
	long long	 after_id;	/* rows with a larger id come next */
};
#define PAGE_CURSOR_BUFSZ	64
int		 page_parse(struct req *, struct page *);
void		 page_cursor(long long, char [PAGE_CURSOR_BUFSZ]);
void		 page_respond(struct req *, struct json_object *, long long,
		    size_t);
typedef struct json_object *(*page_row_fn)(const struct db_rows *, size_t);
void		 page_respond_rows(struct req *, const struct db_rows *,
		    long long, size_t, page_row_fn);
typedef void	(*page_child_fn)(struct json_object *, const struct db_rows *,
		    size_t);
struct json_object *page_group_rows(const struct db_rows *, size_t, size_t,
		    page_row_fn, page_child_fn, size_t *, long long *);
/* A page written straight into the response as its rows are fetched
 * (db_query_each with page_write_row): write_row puts one row's cells
 * as an element of the array open in w. */
typedef int	(*page_write_fn)(struct jsonw *, const char *,
		    const char *const *);
struct page_writer {
	struct jsonw	 w;
	long long	 limit;
	size_t		 rowid_col;
	page_write_fn	 write_row;
	size_t		 n;		/* rows written */
	long long	 last_id;	/* the row id of the last one */
	int		 more;		/* the extra row came */
};
void		 page_write_begin(struct req *, struct page_writer *,
		    long long, size_t, page_write_fn);
int		 page_write_row(const struct db_row *, void *);
void		 page_write_end(struct req *, struct page_writer *,
		    enum db_code);
int		 query_bool(struct req *, const char *, int *);
int		 query_time(struct req *, const char *, char out[24], int *);
int		 query_string(struct req *, const char *, size_t, char **);
int		 query_enum(struct req *, const char *, const char *const *,
		    char **);

/* idem.c: Idempotency-Key, written once for every family */
extern const struct db_stmts	idem_stmts;
struct idem;
enum idem_res { IDEM_PROCEED, IDEM_ANSWERED };
#define IDEM_KEY_MAX	255
/* Only idem_begin needs it; declared so the unit tests reach it. */
int		 idem_key_parse(const char *, char out[IDEM_KEY_MAX + 1]);
enum idem_res	 idem_begin(struct req *);
int		 idem_store(struct req *);
void		 idem_end(struct req *, int);

/* ratelimit.c: fixed windows in the database, per key or by scope */
extern const struct db_stmts	ratelimit_stmts;
int		 ratelimit_check(struct req *);
int		 ratelimit_scope_check(struct req *, const char *, long long,
		    long long);

/* html.c: the escaping HTML writer of the console */
void		 html_text(struct req *, const char *);
void		 html_textf(struct req *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 html_raw(struct req *, const char *);
void		 html_begin(struct req *, int, const char *);
void		 html_end(struct req *);
void		 html_csrf(struct req *);
void		 html_notice(struct req *, const char *, const char *);
void		 html_error_page(struct req *, int, const char *);
void		 html_redirect(struct req *, const char *);

/* svg.c: charts drawn by the server as inline SVG, escaped like html.c,
 * readable without colour (each series has its own pattern and a
 * label). Values are fixed point at scale 4. A series with lo and hi
 * draws its band of bounds; a missing point is has[i] == 0 (NULL: all
 * present). */
enum chart_style { CHART_LINE, CHART_DASHED, CHART_BARS, CHART_STEP };
struct chart_series {
	const char	*label;
	enum chart_style style;
	const int64_t	*y;		/* nx values */
	const int64_t	*lo, *hi;	/* bounds, or NULL */
	const int	*has;		/* present points, or NULL */
};
struct chart {
	const char			*title;		/* <title> */
	const char			*desc;		/* <desc> */
	const char			*y_unit;	/* the axis label */
	size_t				 nx;
	const char *const		*x_labels;	/* nx of them */
	size_t				 nseries;
	const struct chart_series	*series;
};
void		 svg_chart(struct req *, const struct chart *);
void		 svg_chart_buf(struct buf *, const struct chart *);

#endif /* MIHWAR_WEB_H */
