/*
 * core/core.h - the bottom layer of libmihwar: buffers and numbers, log,
 * configuration, crypto, the database, migrations, JSON, decimals,
 * outbound HTTP and the event outbox. It includes nothing of the layers
 * above it. Grouped by file, so it reads as a map of lib/core/.
 */
#ifndef MIHWAR_CORE_H
#define MIHWAR_CORE_H

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
int		 buf_reserve(struct buf *, size_t);
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
void		 util_utf8_cut(char *, size_t);
void		 util_hex(const unsigned char *, size_t, char *);
char		*util_strdup(const char *);
int64_t		 util_now_ms(void);
const char	*util_host_pid(void);

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
	long long	 db_read_timeout;	/* s; 0: wait for ever */
	char		*db_name;
	char		*db_user;
	char		*db_password;
	char		*master_key_hex;
	unsigned char	 master_key[32];
	long long	 max_body_bytes;
	long long	 import_max_bytes;	/* import files, 32 MiB */
	char		*log_level;
	char		*migrations_dir;
	char		*base_url;
	long long	 worker_poll_ms;
	long long	 rate_limit_per_minute;
	long long	 ingest_rate_per_key;	/* 0: the spec's 600 a minute */
	long long	 ingest_rate_per_org;	/* 0: the spec's 3000 a minute */
	long long	 ingest_retention_days;	/* activity events kept, 400 */
	long long	 cases_rate_per_org;	/* 0: the spec's 100 a minute */
	char		*printful_api_base;	/* https://api.printful.com */
	char		*printful_api_token;	/* Bearer, NULL: not set up */
	char		*printful_webhook_token; /* the secret in its URL */
	char		*stripe_webhook_secret;	/* whsec_…, NULL: refuse all */
	long long	 onboarding_per_hour;	/* requests per address, 10 */
	long long	 chat_per_minute;	/* per slug and address, 30 */
	int		 allow_private_destinations;
	int		 allow_http_webhooks;
	char		*webhook_retry_schedule;
	long long	 webhook_lease_seconds;
	long long	 delivery_concurrency;	/* in flight per worker, 32 */
	long long	 delivery_per_endpoint;	/* of them to one endpoint, 8 */
	long long	 retry_delays[16];	/* seconds, parsed from it */
	size_t		 nretry_delays;
	/* Outbox consumers and retention (issue 16): the delays before
	 * each retry of an event a consumer failed on (then it is parked),
	 * and how long ended events are kept. */
	char		*event_retry_schedule;	/* "1,5,30,120,600" */
	long long	 event_retry_delays[16];	/* seconds, parsed */
	size_t		 nevent_retry_delays;
	long long	 events_retention_days;	/* 90 */
	/* Issue 14: how long a process may reuse a key lookup (0: never),
	 * and the X-Mihwar-Process header (the answering pid; tests). */
	long long	 key_cache_seconds;	/* 1 */
	int		 process_header;	/* 0 */
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
#define CRYPTO_SEAL_AD_VERSION	1
#define CRYPTO_SEAL_AD_OVERHEAD	(1 + 24 + 16)	/* version, nonce, MAC */
size_t		 crypto_seal_ad(const unsigned char *, size_t, const char *,
		    unsigned char *);
int		 crypto_open_ad(const unsigned char *, size_t, const char *,
		    unsigned char *);

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

/* A row as db_query_each hands it over: cells[c] is column c's text,
 * NUL-terminated (NULL for SQL NULL), lens[c] its length; borrowed,
 * valid only during the call. */
struct db_row {
	size_t			 ncols;
	const char *const	*cells;
	const unsigned long	*lens;
};
typedef int	(*db_row_fn)(const struct db_row *, void *);
/* A cell's text from its binary value, as Connector/C writes it. */
#define DB_CELL_TEXTSZ	96
struct st_mysql_time;
size_t		 db_int_text(int64_t, int, char *);
size_t		 db_time_text(const struct st_mysql_time *, int, unsigned,
		    char *);

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
enum db_code	 db_query_each(struct db *, db_row_fn, void *, const char *,
		    const struct db_param *, size_t);
void		*db_query_view(struct db *, struct db_rows **, size_t,
		    enum db_code *, const char *, const struct db_param *,
		    size_t);
uint64_t	 db_affected(struct db *);
uint64_t	 db_insert_id(struct db *);
enum db_code	 db_begin(struct db *);
enum db_code	 db_commit(struct db *);
void		 db_rollback(struct db *);
enum db_code	 db_savepoint(struct db *);
enum db_code	 db_rollback_to_savepoint(struct db *);
int		 db_in_tx(const struct db *);
int		 db_tx_conflict(const struct db *);
/* One database endpoint of db_socket's (or db_host's) list. */
struct db_endpoint {
	char		 host[256];
	char		 sock[512];
	unsigned int	 port;
};
size_t		 db_endpoint_count(const struct conf *);
void		 db_endpoint_get(const struct conf *, size_t,
		    struct db_endpoint *);
int		 db_live(void);
enum db_code	 db_script(struct db *, const char *, size_t, size_t *);
enum db_code	 db_ddl(struct db *, const char *);
const char	*db_errstr(struct db *);
unsigned int	 db_errnum(const struct db *);
int		 db_transient(const struct db *);
const char	*db_cell(const struct db_rows *, size_t, size_t);
char		*db_like_prefix(const char *);
/*
 * Indexed search (migration 0023, README "Search"). search_words holds
 * each word of a row's text (a run of letters and digits, its first 60
 * characters) as "o<org>_<word> " under a FULLTEXT index, so a row
 * matches when every word of the term begins one of its words (any
 * case and accents, the column's collation), and a term without a word
 * matches nothing. search_plan_init (search.c) decides how it is asked:
 * FULLTEXT gets the term's rarest word, "+o<org>_<word>*", and each
 * other word is checked with a LIKE on the rows found; or, for a term
 * it cannot cut as the server would (not ASCII; more words than
 * SEARCH_RECHECK + 1), ft is NULL and SEARCH_MATCH turns the whole term
 * into "+o<org>_<word>* ..." with the column's own expression. It binds
 * SEARCH_PARAMS(plan).
 */
#define SEARCH_RECHECK	4
struct search_plan {
	const char	*term;
	long long	 org;
	const char	*ft;			/* NULL: the whole term */
	const char	*like[SEARCH_RECHECK];	/* "%" when unused */
	char		*ft_own;
	char		*like_own[SEARCH_RECHECK];
};
int		 search_plan_init(struct search_plan *, long long,
		    const char *);
void		 search_plan_free(struct search_plan *);
#define SEARCH_WORD_RE \
    "'[^[:alnum:]]*([[:alnum:]]{1,60})[[:alnum:]]*[^[:alnum:]]*'"
#define SEARCH_RECHECK_SQL " AND CONCAT(' ', search_words) LIKE ?"
#define SEARCH_MATCH \
    "? REGEXP '[[:alnum:]]' AND MATCH(search_words) AGAINST(COALESCE(?," \
    " REGEXP_REPLACE(?, " SEARCH_WORD_RE ", CONCAT('+o', ?, '_\\\\1* ')))" \
    " IN BOOLEAN MODE)" SEARCH_RECHECK_SQL SEARCH_RECHECK_SQL \
    SEARCH_RECHECK_SQL SEARCH_RECHECK_SQL
#define SEARCH_PARAMS(p) \
    DB_STR((p)->term), DB_STR((p)->ft), DB_STR((p)->term), \
    DB_INT((p)->org), DB_STR((p)->like[0]), DB_STR((p)->like[1]), \
    DB_STR((p)->like[2]), DB_STR((p)->like[3])
#define DB_CHUNK_ROWS	500
size_t		 db_chunk_size(size_t);
int		 db_prepare_check(struct db *, const char *);
void		 db_rows_free(struct db_rows *);

/* dbreg.c: the statement registry, each domain's SQL table */
/* A multi-row statement: head, then n groups joined by ", ", then tail. */
struct db_shape {
	const char	*head;
	const char	*group;
	const char	*tail;
};
/* One domain's statements, addressed by an enum of its own. */
struct db_stmts {
	const char		*name;
	const char *const	*sql;		/* [n] */
	size_t			 n;
	const struct db_shape	*shapes;	/* [nshapes] */
	size_t			 nshapes;
};
int		 dbreg_init(const struct db_stmts *const *, size_t);
size_t		 dbreg_count(void);
const char	*dbreg_shape(const struct db_shape *, size_t);
size_t		 dbreg_prepare_all(struct db *, char *, size_t);

/* migrate.c: db/migrations/NNNN_name.sql, each applied once */
extern const struct db_stmts	migrate_stmts;
struct migrate_report {
	char	 version[80];		/* VERSION() */
	char	 database[80];		/* DATABASE() */
	char	 account[160];		/* CURRENT_USER() */
	char	 charset[40];		/* the database's default */
	int	 server_ok;		/* MariaDB 10.6+, utf8mb4 */
	int	 charset_default_ok;	/* the default is utf8mb4 */
	int	 probed;		/* privileges were tried */
	char	 missing[100];		/* those refused: "ALTER, DROP" */
	char	 problem[700];		/* what is wrong, in words; "" */
};
int		 migrate_check(struct db *, struct migrate_report *, int);
int		 migrate_run(struct db *, const char *dir, int *applied,
		    struct migrate_report *);
const char	*migrate_statement(const char *, size_t, size_t);

/* json.c: parsing outside JSON and reading typed fields */
int		 json_check(const char *, size_t, size_t *, const char **);
struct json_object *json_parse_body(const char *, size_t, char *, size_t);
const char	*json_to_str(struct json_object *);
struct json_object *json_time(const char *);
void		 json_put_str(struct json_object *, const char *, const char *);
int		 json_write_str(struct buf *, const char *);
int		 json_write_member(struct buf *, const char *, const char *);

/* jsonw.c: JSON written straight into a buffer, every string escaped
 * (kcgi's kjson); key NULL puts a value, else the member key */
#define JSONW_DEPTH	16
struct jsonw {
	struct buf	*b;
	size_t		 depth;
	int		 ok;		/* 0 after any failure (sticky) */
	unsigned char	 more[JSONW_DEPTH]; /* a value is in, at each level */
};
void		 jsonw_init(struct jsonw *, struct buf *);
int		 jsonw_done(const struct jsonw *);
int		 jsonw_escape(struct buf *, const char *, size_t);
int		 jsonw_obj_open(struct jsonw *, const char *);
int		 jsonw_obj_close(struct jsonw *);
int		 jsonw_arr_open(struct jsonw *, const char *);
int		 jsonw_arr_close(struct jsonw *);
int		 jsonw_str(struct jsonw *, const char *, const char *);
int		 jsonw_strn(struct jsonw *, const char *, const char *, size_t);
int		 jsonw_null(struct jsonw *, const char *);
int		 jsonw_bool(struct jsonw *, const char *, int);
int		 jsonw_int(struct jsonw *, const char *, long long);
int		 jsonw_decimal(struct jsonw *, const char *, int64_t);
int		 jsonw_decimal_sql(struct jsonw *, const char *, const char *);
int		 jsonw_time_sql(struct jsonw *, const char *, const char *);
int		 jsonw_json_text(struct jsonw *, const char *, const char *);

/* decimal.c: fixed-point quantities and money, scale 4 */
#define DECIMAL_BUFSZ	32
#define DECIMAL_MAX	(100000000000LL * 10000)	/* 10^11 units at scale 4 */
/* The largest DECIMAL(18,4) column value, 99999999999999.9999. */
#define DECIMAL_SQL_MAX	999999999999999999LL
int		 decimal_mul(int64_t, int64_t, int64_t *, int64_t *);
int		 decimal_parse(const char *, int64_t *);
int		 decimal_from_json(struct json_object *, int64_t *);
void		 decimal_format(int64_t, char [DECIMAL_BUFSZ]);
struct json_object *decimal_to_json(int64_t);
struct json_object *decimal_sql_to_json(const char *);
void		 decimal_format_money(int64_t, char [DECIMAL_BUFSZ]);
struct json_object *decimal_money_json(int64_t);
int		 decimal_cents(int64_t);
int64_t		 decimal_sql(const char *);
struct json_object *decimal_sql_to_money_json(const char *);

/* httpout.c: outbound HTTP with the SSRF guard */
struct sockaddr;
struct curl_slist;
struct httpout_res {
	long		 status;	/* 0: no HTTP answer */
	struct buf	 body;		/* the first cap bytes (64 KiB) */
	int		 over;		/* more than that came */
	int		 timed_out;	/* the total timeout ran out */
	int64_t		 ms;
	char		 error[256];
};
struct httpout_req {
	const char		*method, *url, *agent;
	const struct curl_slist	*hdrs;
	const char		*body;		/* NULL: none */
	size_t			 len;
	size_t			 cap;		/* body kept; 0: 64 KiB */
	int			 stop_over;	/* give up past cap */
	long			 timeout_ms;	/* total; 0: 15 s */
};
int		 httpout_addr_private(const struct sockaddr *);
int		 httpout_vet(const struct conf *, const char *,
		    struct curl_slist **, char *, size_t);
int		 httpout_request(const struct conf *,
		    const struct httpout_req *, struct httpout_res *);
int		 httpout_post(const struct conf *, const char *,
		    const struct curl_slist *, const char *, size_t,
		    struct httpout_res *);
void		 httpout_post_req(const struct conf *, const char *,
		    const struct curl_slist *, const char *, size_t,
		    struct httpout_req *);
/* Many requests at once (the delivery worker): see httpout.c. */
struct httpout_multi;
int		 httpout_endpoint(const char *, char *, size_t);
struct httpout_multi *httpout_multi_new(const struct conf *, long);
int		 httpout_multi_add(struct httpout_multi *,
		    const struct httpout_req *, struct httpout_res *, void *);
void		 httpout_multi_wait(struct httpout_multi *, int);
void		*httpout_multi_next(struct httpout_multi *);
size_t		 httpout_multi_running(const struct httpout_multi *);
void		 httpout_multi_free(struct httpout_multi *);

/* events.c: the transactional outbox and its one catalogue of types */
extern const struct db_stmts	events_stmts;
enum event_type {
	EVENT_IMPORT_COMPLETED,
	EVENT_INVENTORY_LOW_STOCK,
	EVENT_INVENTORY_STOCKOUT,
	EVENT_INVENTORY_STOCKOUT_RESOLVED,
	EVENT_ORDER_CREATED,
	EVENT_ORDER_STATUS_CHANGED,
	EVENT_ORDER_FULFILLED,
	EVENT_WEBHOOK_TEST,
	EVENT_CASE_APPROVED,
	EVENT_INTEGRATION_INVENTORY_SUCCESS,
	EVENT_INTEGRATION_AP_SUCCESS,
	EVENT_INTEGRATION_ACCOUNTING_SUCCESS,
	EVENT_INTEGRATION_FAILED,
	EVENT_INTEGRATION_ROLLED_BACK,
	EVENT_CHECKLIST_COMPLETED,
	EVENT_CHECKLIST_MISSED,
	EVENT_CRAFT_COMPLETED,
	EVENT_INTEGRATION_WEBHOOK_RECEIVED,
	EVENT__MAX
};
#define EVENT_BIT(t)	(1u << (t))
#define EVENTS_ALL	((1u << EVENT__MAX) - 1)
#define EVENTS_BATCH	100	/* events one events_consume call reads */
#define EVENTS_GAP_WAIT_MS 5000	/* how long a missing id may still come */
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
int		 events_consume(struct db *, const struct conf *, const char *,
		    unsigned, events_fn, void *);
struct json_object *events_failures_json(struct db *, long long);

/* boot.c: what every main does first */
int		 boot_load(struct conf *, const char *, const char *);

#endif /* MIHWAR_CORE_H */
