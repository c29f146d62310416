/*
 * mihwar.h - the private header of libmihwar, grouped by file so that it
 * reads as a map of the library. Every function carries its file's prefix.
 */
#ifndef MIHWAR_H
#define MIHWAR_H

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct json_object;

/* util.c: growable buffers and bounded number parsing */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
void		 buf_init(struct buf *);
void		 buf_cleanup(struct buf *);
int		 buf_append(struct buf *, const void *, size_t);
int		 buf_puts(struct buf *, const char *);
int		 buf_printf(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
int		 util_strtonum(const char *, long long, long long, long long *);
int		 util_parse_time(const char *, int64_t *);
int		 util_parse_date(const char *, int64_t *);
void		 util_sql_time(int64_t, char out[24]);
void		 util_sql_date(int64_t, char out[11]);
int		 util_utf8_valid(const char *, size_t);
size_t		 util_utf8_chars(const char *);
void		 util_hex(const unsigned char *, size_t, char *);
char		*util_strdup(const char *);
int64_t		 util_now_ms(void);

/* log.c: one line per event, to stderr or the FastCGI error stream */
enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
typedef void	(*log_sink_fn)(void *, const char *, size_t);
void		 log_set_sink(log_sink_fn, void *);
void		 log_set_level(enum log_level);
void		 log_set_level_name(const char *);
void		 log_set_prefix(const char *);
void		 log_msg(enum log_level, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...)	log_msg(LOG_ERROR, __VA_ARGS__)

/* conf.c: one key = value file, each key overridable by MIHWAR_<KEY> */
struct conf {
	char		*db_socket;
	char		*db_host;
	long long	 db_port;
	char		*db_name;
	char		*db_user;
	char		*db_password;
	char		*master_key_hex;
	unsigned char	 master_key[32];
	long long	 max_body_bytes;
	char		*log_level;
	char		*migrations_dir;
	char		*base_url;
	long long	 worker_poll_ms;
	long long	 rate_limit_per_minute;
	int		 allow_private_destinations;
	int		 allow_http_webhooks;
	char		*webhook_retry_schedule;
	long long	 webhook_lease_seconds;
	long long	 retry_delays[16];	/* seconds, parsed from it */
	size_t		 nretry_delays;
};
void		 conf_init(struct conf *);
void		 conf_cleanup(struct conf *);
int		 conf_parse(struct conf *, const char *, size_t, const char **);
int		 conf_env(struct conf *, const char **);
int		 conf_finish(struct conf *, const char **);
int		 conf_load(struct conf *, const char *, const char **);

/* crypto.c: libsodium for every secret, hash and random id */
int		 crypto_init(const unsigned char *master_key);
void		 crypto_random_token(char *, size_t);
void		 crypto_uuid7(char out[37]);
void		 crypto_key_hash(const char *, size_t, unsigned char out[32]);
void		 crypto_hmac_sha256_hex(const unsigned char *, size_t,
		    const unsigned char *, size_t, char out[65]);
int		 crypto_equal(const void *, const void *, size_t);
int		 crypto_password_hash(const char *, char out[128]);
int		 crypto_password_verify(const char *, const char *);
#define CRYPTO_SEAL_OVERHEAD	(24 + 16)	/* nonce + MAC */
size_t		 crypto_seal(const unsigned char *, size_t, unsigned char *);
int		 crypto_open(const unsigned char *, size_t, unsigned char *);

/* db.c: one persistent MariaDB connection, constant SQL, bound values */
enum db_code { DB_OK, DB_NOTFOUND, DB_CONSTRAINT, DB_ERROR, DB_UNAVAILABLE };
struct db_rows {
	size_t		  nrows;
	size_t		  ncols;
	size_t		  cap;		/* rows there is room for */
	char		**cells;	/* nrows * ncols, NULL for SQL NULL */
	unsigned long	 *lens;
};
/*
 * A bound value. Build them with DB_STR, DB_INT, ... so that the compiler
 * checks each value's type, and pass a list as DB_PARAMS(...) or DB_NONE.
 */
enum db_ptype { DBP_NULL, DBP_STR, DBP_BLOB, DBP_INT };
struct db_param {
	enum db_ptype	 type;
	const void	*p;
	unsigned long	 len;
	long long	 i;
};
static inline struct db_param
db_param_str(const char *s)
{
	return (struct db_param){ s ? DBP_STR : DBP_NULL, s,
	    s ? (unsigned long)strlen(s) : 0, 0 };
}
static inline struct db_param
db_param_strn(const char *s, size_t n)
{
	return (struct db_param){ DBP_STR, s, (unsigned long)n, 0 };
}
static inline struct db_param
db_param_blob(const void *p, size_t n)
{
	return (struct db_param){ DBP_BLOB, p, (unsigned long)n, 0 };
}
static inline struct db_param
db_param_int(long long v)
{
	return (struct db_param){ DBP_INT, NULL, 0, v };
}
/* An id that is NULL in SQL when it is 0 (no such row). */
static inline struct db_param
db_param_id(long long v)
{
	return (struct db_param){ v > 0 ? DBP_INT : DBP_NULL, NULL, 0, v };
}
#define DB_STR(s)		db_param_str(s)
#define DB_STRN(s, n)		db_param_strn((s), (n))
#define DB_BLOB(p, n)		db_param_blob((p), (n))
#define DB_INT(v)		db_param_int(v)
#define DB_ID(v)		db_param_id(v)
#define DB_NULL			((struct db_param){ DBP_NULL, NULL, 0, 0 })
#define DB_PARAMS(...)		((const struct db_param[]){ __VA_ARGS__ }), \
	(sizeof((const struct db_param[]){ __VA_ARGS__ }) / \
	sizeof(struct db_param))
#define DB_NONE			NULL, 0

struct db;
struct db	*db_new(const struct conf *);
void		 db_free(struct db *);
int		 db_connected(struct db *);
enum db_code	 db_ensure(struct db *);
enum db_code	 db_ping(struct db *);
enum db_code	 db_exec(struct db *, const char *, const struct db_param *,
		    size_t);
enum db_code	 db_query(struct db *, struct db_rows **, const char *,
		    const struct db_param *, size_t);
uint64_t	 db_affected(struct db *);
uint64_t	 db_insert_id(struct db *);
enum db_code	 db_begin(struct db *);
enum db_code	 db_commit(struct db *);
void		 db_rollback(struct db *);
enum db_code	 db_script(struct db *, const char *, size_t);
const char	*db_errstr(struct db *);
int		 db_transient(const struct db *);
const char	*db_cell(const struct db_rows *, size_t, size_t);
#define DB_CHUNK_ROWS	500
const char	*db_sql_repeat(const char *, const char *, size_t, const char *);
size_t		 db_chunk_size(size_t);
void		 db_rows_free(struct db_rows *);

/* migrate.c: db/migrations/NNNN_name.sql, each applied once */
int		 migrate_run(struct db *, const char *dir, int *applied);

/* route.c: the compile-time route table */
enum family {
	FAM_NONE, FAM_INTEG, FAM_SETTINGS, FAM_SCIM, FAM_INGEST, FAM_CASES,
	FAM_FULFILL, FAM_IMPEX, FAM_ADMIN
};
enum auth_kind {
	AUTH_NONE, AUTH_INTEG, AUTH_SCIM, AUTH_INGEST, AUTH_FULFILL,
	AUTH_SESSION
};
struct req;
typedef void	(*route_fn)(struct req *);
#define ROUTE_IDEMPOTENT	0x01	/* honours Idempotency-Key */
#define ROUTE_RATELIMIT		0x02	/* counts against the key's limit */
#define ROUTE_ADMIN		0x04	/* a session with the admin role */
struct route {
	const char	*method;
	const char	*pattern;
	route_fn	 handler;
	enum family	 family;
	enum auth_kind	 auth;
	unsigned int	 flags;
};
#define ROUTE_MAXARGS	4
enum route_res { ROUTE_FOUND, ROUTE_NOTFOUND, ROUTE_BADMETHOD };
enum route_res	 route_lookup(const struct route *, size_t, const char *,
		    const char *, const struct route **, char **, size_t *);
int		 route_match(const char *, const char *, char **, size_t *);
enum family	 route_family_of_path(const char *);
enum auth_kind	 route_family_auth(enum family);
void		 route_allow(const struct route *, size_t, const char *,
		    struct buf *);
extern const struct route	routes[];
extern const size_t		routes_len;

/* keys.c: API keys of every kind in one table, stored as keyed hashes */
enum key_kind {
	KEY_INTEGRATION, KEY_SCIM, KEY_INGEST, KEY_CLIENT, KEY_ADMIN,
	KEY_KIND__MAX
};
struct key_info {
	long long	 id;
	char		 public_id[37];
	long long	 org_id;
	enum key_kind	 kind;
	long long	 app_id;
	char		*org_slug;
};
const char	*keys_kind_name(enum key_kind);
const char	*keys_kind_prefix(enum key_kind);
int		 keys_kind_parse(const char *, enum key_kind *);
int		 keys_token_kind(const char *, enum key_kind *);
int		 keys_create(struct db *, long long, enum key_kind, long long,
		    const char *, char *, size_t, char out_id[37]);
enum db_code	 keys_resolve(struct db *, const char *, struct key_info *);
enum db_code	 keys_revoke(struct db *, const char *);
enum db_code	 keys_revoke_org(struct db *, long long, const char *);
struct json_object *keys_list_json(struct db *, long long);
void		 keys_info_cleanup(struct key_info *);

/* orgs.c: organizations (the tenant) and their users */
enum db_code	 orgs_create(struct db *, const char *, const char *,
		    long long *, char out_id[37]);
enum db_code	 orgs_find(struct db *, const char *, long long *);
enum db_code	 users_create(struct db *, long long, const char *,
		    const char *, const char *, int, char out_id[37]);
enum db_code	 orgs_app_ensure(struct db *, long long, const char *,
		    long long *);
int		 orgs_slug_valid(const char *);
int		 users_email_valid(const char *);

/* req.c: a request read from FastCGI, and the response it builds */
struct header {
	char	*name;
	char	*value;
};
struct req {
	const char	*method;
	char		*path;		/* decoded path, no query */
	char		*query;		/* raw query string, "" when none */
	struct header	*headers;
	size_t		 nheaders;
	struct buf	 body;
	char		 id[65];
	int		 body_too_large;
	int		 bad_request;	/* unreadable path or body */
	char		 vprefix[40];	/* names nested fields: "lines[3]." */
	struct idem	*idem;		/* set while an Idempotency-Key holds */
	struct session {
		long long	 user_id, org_id;
		char		 user_public_id[37];
		char		 email[255];
		char		 role[8];	/* admin, member */
		int		 platform_admin;
		char		 csrf[44];
		char		 org_slug[64];
		unsigned char	 id_hash[32];
	}		 session;
	int		 has_session;
	enum family	 family;
	int64_t		 start_ms;
	const struct route *route;
	char		*args[ROUTE_MAXARGS];
	size_t		 nargs;
	struct db	*db;
	const struct conf *conf;
	const char	*remote_addr;
	int		 https;
	struct key_info	 key;
	int		 authed;
	/* response */
	int		 status;
	struct buf	 resp_headers;
	struct buf	 resp_body;
	const char	*content_type;
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
int		 req_url_decode(const char *, size_t, char **);
void		 req_set_id(struct req *, const char *);
void		 req_resp_header(struct req *, const char *, const char *);
void		 req_resp_json(struct req *, int, struct json_object *);
void		 req_resp_error(struct req *, int, const char *, const char *,
		    ...) __attribute__((format(printf, 4, 5)));
const char	*req_status_text(int);
int		 req_serialize(struct req *, struct buf *);
struct json_object *req_json_body(struct req *);

/* errors.c: each API family's error body */
struct json_object *errors_body(enum family, int, const char *,
		    const char *, const char *);
const char	*errors_code_for_status(enum family, int);

/* json.c: parsing outside JSON and reading typed fields */
int		 json_check(const char *, size_t, size_t *, const char **);
struct json_object *json_parse_body(const char *, size_t, char *, size_t);
const char	*json_to_str(struct json_object *);
struct json_object *json_time(const char *);
void		 json_put_str(struct json_object *, const char *, const char *);

/* decimal.c: fixed-point quantities and money, scale 4 */
#define DECIMAL_BUFSZ	32
int		 decimal_parse(const char *, int64_t *);
int		 decimal_from_json(struct json_object *, int64_t *);
void		 decimal_format(int64_t, char [DECIMAL_BUFSZ]);
struct json_object *decimal_to_json(int64_t);
struct json_object *decimal_sql_to_json(const char *);

/* valid.c: typed reads of JSON fields, 400 naming the field */
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

/* ingestion.c: order-history ingestion */
void		 ingestion_post(struct req *);

/* items.c: the inventory catalog and every change of stock */
struct stock_change {
	long long	 rowid;
	char		 item_id[37];
	char		 sku[129 * 4];
	char		 name[201 * 4];
	int64_t		 prev, next, threshold;
	int		 has_threshold;
	const char	*source;
};
void		 items_create(struct req *);
void		 items_get(struct req *);
void		 items_list(struct req *);
void		 items_put_by_sku(struct req *);
void		 items_adjust(struct req *);
struct json_object *items_fetch_json(struct db *, long long, const char *,
		    enum db_code *);
enum db_code	 items_stock_change(struct db *, long long, const char *,
		    int64_t, const char *, const char *, const char *,
		    struct stock_change *);

/* page.c: limit and opaque cursor of list endpoints */
struct page {
	long long	 limit;
	long long	 after_id;	/* rows with a larger id come next */
};
int		 page_parse(struct req *, struct page *);
void		 page_respond(struct req *, struct json_object *, long long,
		    size_t);
typedef struct json_object *(*page_row_fn)(const struct db_rows *, size_t);
void		 page_respond_rows(struct req *, const struct db_rows *,
		    long long, size_t, page_row_fn);
int		 query_bool(struct req *, const char *, int *);
int		 query_time(struct req *, const char *, char out[24], int *);
int		 query_string(struct req *, const char *, size_t, char **);

/* events.c: the transactional outbox and its one catalogue of types */
enum event_type {
	EVENT_IMPORT_COMPLETED,
	EVENT_INVENTORY_LOW_STOCK,
	EVENT_INVENTORY_STOCKOUT,
	EVENT_INVENTORY_STOCKOUT_RESOLVED,
	EVENT_ORDER_CREATED,
	EVENT_ORDER_STATUS_CHANGED,
	EVENT_ORDER_FULFILLED,
	EVENT_WEBHOOK_TEST,
	EVENT__MAX
};
#define EVENT_BIT(t)	(1u << (t))
#define EVENTS_ALL	((1u << EVENT__MAX) - 1)
#define EVENTS_BATCH	100	/* events one events_consume call reads */
struct event {
	long long	 id, org_id;
	long long	 subscription_id;	/* 0: to every subscriber */
	enum event_type	 type;
	const char	*public_id;
	const char	*payload;		/* JSON text */
};
typedef enum db_code (*events_fn)(struct db *, const struct event *, void *);
const char	*events_name(enum event_type);
int		 events_parse(const char *, enum event_type *);
int		 events_subscribable(enum event_type);
const char	*events_payload_shape(enum event_type);
const char	*events_subscribable_at(size_t);
enum db_code	 events_emit(struct db *, long long, enum event_type,
		    struct json_object *);
enum db_code	 events_emit_to(struct db *, long long, enum event_type,
		    long long, struct json_object *);
int		 events_consume(struct db *, const char *, unsigned,
		    events_fn, void *);

/* idem.c: Idempotency-Key, written once for every family */
struct idem;
enum idem_res { IDEM_PROCEED, IDEM_ANSWERED };
enum idem_res	 idem_begin(struct req *);
void		 idem_end(struct req *);
int		 idem_commit(struct req *, int, struct json_object *);

/* ratelimit.c: fixed one-minute windows in the database */
int		 ratelimit_check(struct req *);

/* forecast.c: demand forecasting */
enum forecast_method {
	FC_NAIVE_MEAN, FC_CROSTON_SBA, FC_HOLT, FC_HOLT_WINTERS
};
struct forecast {
	enum forecast_method	 method;
	size_t			 horizon;
	double			*mean;	/* horizon values, caller-allocated */
	double			*lower;	/* mean - 1.96 sigma sqrt(h), >= 0 */
	double			*upper;	/* mean + 1.96 sigma sqrt(h) */
	double			 sigma;	/* one-step residual std dev */
};
int		 forecast_series(const double *, size_t, size_t, size_t,
		    struct forecast *);
const char	*forecast_method_name(enum forecast_method);
double		 forecast_reorder_qty(const struct forecast *, double, double,
		    double);
double		 forecast_mase(const double *, size_t, const double *,
		    const double *, size_t);

/* predict.c: predictions, and their regeneration by the worker */
void		 predictions_list(struct req *);
int		 predict_job(struct db *, const struct conf *);

/* orders.c: purchase orders */
enum order_move { ORDER_MOVED, ORDER_NOT_FOUND, ORDER_BAD_MOVE, ORDER_DB_ERROR };
void		 orders_create(struct req *);
void		 orders_get(struct req *);
void		 orders_list(struct req *);
void		 orders_set_status(struct req *);
struct json_object *orders_fetch_json(struct db *, long long, const char *,
		    enum db_code *);
enum order_move	 orders_transition(struct db *, long long, const char *,
		    const char *, const char *, const char *, char [16]);

/* httpout.c: outbound HTTP with the SSRF guard */
struct sockaddr;
struct curl_slist;
struct httpout_res {
	long		 status;	/* 0: no HTTP answer */
	struct buf	 body;		/* the first 64 KiB */
	int64_t		 ms;
	char		 error[256];
};
int		 httpout_addr_private(const struct sockaddr *);
int		 httpout_vet(const struct conf *, const char *,
		    struct curl_slist **, char *, size_t);
int		 httpout_post(const struct conf *, const char *,
		    const struct curl_slist *, const char *, size_t,
		    struct httpout_res *);

/* webhooks.c: subscriptions, deliveries' log, redelivery */
#define WEBHOOK_SECRET_MAX	64
int		 webhooks_event_offered(const char *, char *, size_t);
int		 webhooks_url_ok(const struct conf *, const char *, char *,
		    size_t);
enum db_code	 webhooks_create(struct db *, long long, const char *,
		    const char *, const char *, char [37],
		    char [WEBHOOK_SECRET_MAX]);
enum db_code	 webhooks_set_active(struct db *, long long, const char *, int);
enum db_code	 webhooks_rotate(struct db *, long long, const char *,
		    char [WEBHOOK_SECRET_MAX]);
enum db_code	 webhooks_delete(struct db *, long long, const char *);
enum db_code	 webhooks_send_test(struct db *, long long, const char *);
enum db_code	 webhooks_redeliver(struct db *, long long, const char *);
enum db_code	 webhooks_list(struct db *, long long, struct db_rows **);
enum db_code	 webhooks_deliveries(struct db *, long long, const char *,
		    struct db_rows **);
enum db_code	 webhooks_attempts(struct db *, long long, struct db_rows **);
void		 webhooks_api_create(struct req *);

/* deliver.c: the worker's fan-out and delivery jobs */
int		 deliver_fanout_job(struct db *, const struct conf *);
int		 deliver_job(struct db *, const struct conf *);

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

/* session.c: console sign-in, sessions and CSRF */
int		 session_resolve(struct req *);
int		 session_csrf_ok(struct req *);
void		 session_login_page(struct req *);
void		 session_login_post(struct req *);
void		 session_logout(struct req *);
int		 form_get(struct req *, const char *, char **);
int		 session_flash_set(struct req *, const char *);
int		 session_flash_take(struct req *, char *, size_t);

/* console.c: the administrators' HTML console */
void		 console_home(struct req *);
void		 console_approvals(struct req *);
void		 console_approve(struct req *);
void		 console_webhooks(struct req *);
void		 console_webhook_create(struct req *);
void		 console_webhook_action(struct req *);
void		 console_webhook_log(struct req *);
void		 console_redeliver(struct req *);
void		 console_keys(struct req *);
void		 console_key_create(struct req *);
void		 console_key_revoke(struct req *);

/* scimfilter.c: SCIM filters and PATCH paths */
struct scimf;			/* a parsed filter (opaque) */
struct scimf	*scimf_parse(const char *, char *, size_t);
void		 scimf_free(struct scimf *);
int		 scimf_match(const struct scimf *, struct json_object *);
struct scim_path {
	char		 attr[64];	/* lowercased attribute name */
	char		 sub[64];	/* lowercased sub-attribute or "" */
	struct scimf	*filter;	/* value filter or NULL */
};
int		 scimf_path_parse(const char *, struct scim_path *, char *,
		    size_t);
void		 scimf_path_cleanup(struct scim_path *);

/* scimpatch.c: SCIM PATCH applied to a resource document */
const char	*scimp_key(struct json_object *, const char *);
struct json_object *scimp_get(struct json_object *, const char *);
void		 scimp_set(struct json_object *, const char *,
		    struct json_object *);
struct json_object *scimp_normalize(struct json_object *);
int		 scimp_readonly(const char *);
int		 scimp_shape_ok(struct json_object *, char *, size_t);
int		 scimp_apply(struct json_object *, struct json_object *, char *,
		    size_t);

/* scim.c: SCIM 2.0 Users, Groups and discovery */
void		 scim_users_list(struct req *);
void		 scim_users_create(struct req *);
void		 scim_user_get(struct req *);
void		 scim_user_put(struct req *);
void		 scim_user_patch(struct req *);
void		 scim_user_delete(struct req *);
void		 scim_groups_list(struct req *);
void		 scim_groups_create(struct req *);
void		 scim_group_get(struct req *);
void		 scim_group_put(struct req *);
void		 scim_group_patch(struct req *);
void		 scim_group_delete(struct req *);
void		 scim_spc_get(struct req *);
void		 scim_types_list(struct req *);
void		 scim_type_get(struct req *);
void		 scim_schemas_list(struct req *);
void		 scim_schema_get(struct req *);

/* auth.c: resolve the credential each family demands to a principal */
int		 auth_request(struct req *, enum auth_kind, int);

/* boot.c: what every main does first */
int		 boot_load(struct conf *, const char *, const char *);

/* demo.c: the first-run demo organization */
int		 demo_create(struct db *, const char *, FILE *);

/* worker.c: the background loop of mihwar-worker */
const char	*worker_name(void);
void		 worker_run(struct db *, const struct conf *,
		    volatile sig_atomic_t *, int);

/* app.c: one request through routing, auth, handler and log */
void		 app_handle(struct req *);

/* health.c, whoami.c: platform endpoints */
void		 health_get(struct req *);
void		 whoami_get(struct req *);

#endif /* MIHWAR_H */
