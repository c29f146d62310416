/*
 * itest.h - helpers shared by the integration suites: HTTP over libcurl
 * against the real stack, fixtures made with mihwarctl, and the knobs
 * the harness (scripts/check.sh) passes in the environment.
 */
#ifndef ITEST_H
#define ITEST_H

#include <stddef.h>

#include <CUnit/CUnit.h>

struct json_object;

struct http_resp {
	long	 status;
	char	*body;
	size_t	 len;
	char	*headers;	/* raw header block, lowercase names kept as sent */
};

/* Env: MIHWAR_BASE_URL, MIHWAR_CTL, MIHWAR_CONF, MIHWAR_STACK,
 * MIHWAR_WEB_LOG; optional MIHWAR_DIRECT_URL (the stack itself when
 * MIHWAR_BASE_URL is the validating proxy) */
const char	*itest_env(const char *);

/*
 * One request; hdrs is a NULL-terminated list of "Name: value" lines. It
 * goes to MIHWAR_BASE_URL, or to MIHWAR_DIRECT_URL when the proxy could
 * not carry it unchanged (itest.c says which ones).
 */
int		 http_do(const char *method, const char *path,
		    const char *const *hdrs, const char *body, size_t len,
		    struct http_resp *);
/* Send the next requests straight to the stack (1) or as usual (0): for
 * checks the proxy would falsify. Not for use inside api_race. */
void		 itest_direct(int);
/* The stack's own URL (MIHWAR_DIRECT_URL, else MIHWAR_BASE_URL). */
const char	*itest_stack_url(void);
/* How many requests went through the proxy and how many direct. */
void		 itest_report(void);
void		 http_resp_free(struct http_resp *);
/* The value of a response header (case-insensitive), malloc'd, or NULL. */
char		*http_header(const struct http_resp *, const char *);
/* The body parsed as JSON, or NULL. Caller puts. */
struct json_object *http_json(const struct http_resp *);
/* A string at a dotted path ("error.code") of a JSON body, or NULL. */
const char	*json_path_str(struct json_object *, const char *);

/* mihwarctl with args (shell words); stdout into out (malloc'd). Exit. */
int		 ctl_run(const char *args, const char *stdin_text, char **out);
/* A fresh organization; its slug is written to slug (64 bytes). */
int		 fixture_org(char *slug);
/* A key of kind for org; token into tok (128), id into id (37). */
int		 fixture_key(const char *org, const char *kind, const char *app,
		    char *tok, char *id);
/* Run scripts/stack.sh with the harness's VAR/PORT; exit status. */
int		 stack_run(const char *cmd);

#define ASSERT_STATUS(resp, want) do {					\
	char msg_[256];							\
	snprintf(msg_, sizeof(msg_), "%s:%d: status %ld, want %d; body: %.120s", \
	    __FILE__, __LINE__, (resp)->status, (want),			\
	    (resp)->body ? (resp)->body : "");				\
	CU_assertImplementation((resp)->status == (want), __LINE__, msg_,	\
	    __FILE__, "", CU_FALSE);					\
} while (0)

#define ASSERT_STR(got, want, what) do {				\
	char msg_[256];							\
	const char *g_ = (got);						\
	snprintf(msg_, sizeof(msg_), "%s: got \"%s\", want \"%s\"", (what), \
	    g_ ? g_ : "(null)", (want));				\
	CU_assertImplementation(g_ != NULL && strcmp(g_, (want)) == 0,	\
	    __LINE__, msg_, __FILE__, "", CU_FALSE);			\
} while (0)


/*
 * Helpers for the Integrations API suites (ingestion, idempotency, rate
 * limits, inventory, orders, predictions).
 */

/* A growable string. */
struct sbuf {
	char	*p;
	size_t	 len, cap;
};
void		 sb_printf(struct sbuf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 sb_free(struct sbuf *);

/* A fresh organization with one integration key: slug (64), the whole
 * "Authorization: Bearer …" line (200). */
int		 fixture_org_auth(char *slug, char *auth);
/* Another integration key of org: its header line into auth (200). */
int		 fixture_auth(const char *org, char *auth);
/* A key of kind (for app, or NULL) of org: "Authorization: Bearer …"
 * into auth (200). */
int		 fixture_bearer(const char *org, const char *kind,
		    const char *app, char *auth);
/* 1 when the answer is a replay (Idempotent-Replayed: true). */
int		 http_replayed(const struct http_resp *);
/* Sleep into the next minute when this one is past its second latest,
 * so that what comes next starts early in a fixed one-minute window. */
void		 early_in_minute(int latest);

/*
 * One request: auth is a whole header line or NULL, extra another header
 * line or NULL; a body is sent as application/json. Returns the status.
 */
long		 api_do(struct http_resp *, const char *method,
		    const char *path, const char *auth, const char *extra,
		    const char *body);
/* api_do, asserting the status (reported at the caller's line); the body
 * as JSON (NULL if not JSON). Caller puts. */
struct json_object *api_json_at(const char *file, int line,
		    const char *method, const char *path, const char *auth,
		    const char *extra, const char *body, long want);
#define API_JSON(m, p, a, b, w)						\
	api_json_at(__FILE__, __LINE__, (m), (p), (a), NULL, (b), (w))
#define API_JSON_H(m, p, a, x, b, w)					\
	api_json_at(__FILE__, __LINE__, (m), (p), (a), (x), (b), (w))

/* n (<= 16) threads, started together, each sending the same request;
 * the answers into out[0..n-1] (free each). No assertions inside. */
void		 api_race(int n, const char *method, const char *path,
		    const char *auth, const char *extra, const char *body,
		    struct http_resp *out);

/* The JSON at a dotted path whose numeric parts index arrays
 * ("data.lines.0.sku"), or NULL. */
struct json_object *json_at(struct json_object *, const char *path);
const char	*json_str_at(struct json_object *, const char *path);
/* 1 and the value if the path holds a JSON number. */
int		 json_num_at(struct json_object *, const char *path, double *);
/* The length of the array at path, or -1. */
long		 json_len_at(struct json_object *, const char *path);
/* error.code is code and error.message starts with prefix (or NULL). */
void		 assert_error_at(const char *file, int line,
		    struct json_object *, const char *code, const char *prefix);
#define ASSERT_ERROR(o, code, prefix)					\
	assert_error_at(__FILE__, __LINE__, (o), (code), (prefix))
/* Like ASSERT_STR, with room for long values in the message. */
void		 assert_str_at(const char *file, int line, const char *got,
		    const char *want, const char *what);
#define ASSERT_EQS(got, want, what)					\
	assert_str_at(__FILE__, __LINE__, (got), (want), (what))
#define ASSERT_NUM(o, path, want) do {					\
	double v_ = 0;							\
	char m_[256];							\
	int ok_ = json_num_at((o), (path), &v_);			\
	snprintf(m_, sizeof(m_), "%s: got %s%g, want %g", (path),	\
	    ok_ ? "" : "(not a number) ", v_, (double)(want));		\
	CU_assertImplementation(ok_ && v_ > (double)(want) - 1e-9 &&	\
	    v_ < (double)(want) + 1e-9, __LINE__, m_, __FILE__, "",	\
	    CU_FALSE);							\
} while (0)
#define ASSERT_HDR(resp, name, want) do {				\
	char *h_ = http_header((resp), (name));				\
	ASSERT_EQS(h_, (want), (name));					\
	free(h_);							\
} while (0)

/*
 * The database, for verifying what was written (never for setting up):
 * the mariadb client as root on MIHWAR_DB_SOCKET, rows as tab-separated
 * lines (raw) into out. Exit status.
 */
int		 sql_query(const char *sql, char **out);
/* The first column of the first row as a number; -1 on no row/error. */
long		 db_long(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));
long		 db_org_id(const char *slug);
/* An organization's events in order. */
struct itest_event {
	char			*type;
	struct json_object	*payload;
};
size_t		 db_events(long org_id, struct itest_event **);
void		 db_events_free(struct itest_event *, size_t);

/*
 * Cookies and the console sign-in, for the suites that need a browser.
 */
/* The value a Set-Cookie header of the response gives cookie name,
 * malloc'd, or NULL. */
char		*http_cookie(const struct http_resp *, const char *name);
/* Sign in to the console over HTTP as a browser does: GET /admin/login
 * (its mihwar_login cookie and hidden csrf field), then POST the form.
 * The POST's answer into out (free it); its status. */
long		 console_login(const char *email, const char *password,
		    struct http_resp *out);

/* Today's UTC date plus days, YYYY-MM-DD into out (11). */
void		 utc_date(int days, char *out);
/* Sleep past the next whole second (by 50 ms) and write that second as
 * an ISO 8601 UTC date-time into out (21): every row written before the
 * call is older than it, every row written after is newer. */
void		 next_second(char *out);
/* Milliseconds on a monotonic clock. */
long		 now_ms(void);

void	suite_platform_register(void);
void	suite_auth_register(void);
void	suite_settings_register(void);
void	suite_items_register(void);
void	suite_ctl_register(void);
void	suite_ingest_register(void);
void	suite_idempotency_register(void);
void	suite_ratelimit_register(void);
void	suite_inventory_register(void);
void	suite_orders_register(void);
void	suite_predictions_register(void);
void	suite_scim_register(void);
void	suite_baseurl_register(void);
void	suite_errdocs_register(void);
void	suite_registry_register(void);
void	suite_txguard_register(void);
void	suite_outbox_register(void);
void	suite_activity_register(void);
void	suite_partitions_register(void);
void	suite_hardening_register(void);
void	suite_impex_register(void);
void	suite_dbrestart_register(void);

#endif
