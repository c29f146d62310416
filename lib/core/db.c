/*
 * db.c - one persistent MariaDB connection per process. SQL text is always
 * a constant owned by the calling module; values are bound parameters.
 * Prepared statements are cached per connection, keyed by the address of
 * their constant text; the cache holds every registered statement
 * (dbreg.c). A connection found dead is dropped and reopened,
 * so a database restart costs at most the request in flight.
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>

#include "core/core.h"

/* Room for ad-hoc statements besides the registered ones. */
#define DB_CACHE_SPARE	16

/*
 * The result buffers of one statement: every column bound as text into
 * a buffer of its own, made on the statement's first fetch and kept
 * with it, grown when a cell does not fit. Rows are fetched into them
 * one after the other: no malloc per row or cell. A buffer grown past
 * DB_CELL_KEEP (a stored answer, a body) goes back to DB_CELL_INLINE
 * once its statement's rows are read, so one large cell is not kept
 * for the life of the process.
 */
struct db_rowbuf {
	size_t		  ncols;
	int		  oversize;	/* a buffer is above DB_CELL_KEEP */
	MYSQL_BIND	 *b;
	char		**bufs;		/* [ncols], caps[c] bytes each */
	unsigned long	 *caps;
	unsigned long	 *lens;
	my_bool		 *nulls;
	const char	**cells;	/* what the callback sees */
};

struct db_cached {
	const char		*sql;
	MYSQL_STMT		*stmt;
	struct db_rowbuf	*rb;	/* NULL until its first fetch */
};

struct db {
	const struct conf	*conf;
	MYSQL			*conn;
	struct db_cached	*cache;
	size_t			 ncache;
	size_t			 cachecap;
	int			 in_tx;
	int			 conflict;	/* this transaction lost */
	int			 guard;		/* Galera: db_guard_setup */
	int			 transient;	/* last failure may pass */
	size_t			 endpoint;	/* the list's one to try first */
	uint64_t		 affected;
	uint64_t		 insert_id;
	unsigned int		 errnum;	/* the server's, 0 for ours */
	char			 err[512];
};

static const char *const SQL_SESSION_INIT =
    "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,"
    "NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
    "NO_ENGINE_SUBSTITUTION'";

static int	 db_nlive;	/* handles made and not freed */

/* How many handles exist (the registry may not change under one). */
int
db_live(void)
{
	return db_nlive;
}

/* Create a handle; nothing is opened until the first use. */
struct db *
db_new(const struct conf *conf)
{
	struct db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->cachecap = dbreg_count() + DB_CACHE_SPARE;
	if ((db->cache = calloc(db->cachecap, sizeof(*db->cache))) == NULL) {
		free(db);
		return NULL;
	}
	db->conf = conf;
	db_nlive++;
	return db;
}

static void	db_rowbuf_free(struct db_rowbuf *);

static void
db_close(struct db *db)
{
	size_t	 i;

	for (i = 0; i < db->ncache; i++) {
		mysql_stmt_close(db->cache[i].stmt);
		db_rowbuf_free(db->cache[i].rb);
		db->cache[i].rb = NULL;
	}
	db->ncache = 0;
	if (db->conn != NULL)
		mysql_close(db->conn);
	db->conn = NULL;
	db->guard = 0;
	/* in_tx stays: a transaction lost with its connection must end in
	 * db_rollback, not carry on in autocommit on a new connection. */
}

/* 1 (with the error set) when the open transaction died with its
 * connection: nothing more may run in it, and it cannot commit. */
static int
db_tx_lost(struct db *db)
{
	if (!db->in_tx || db->conn != NULL)
		return 0;
	snprintf(db->err, sizeof(db->err), "the transaction was lost with "
	    "the connection");
	db->transient = 1;
	return 1;
}

/*
 * 1 (with the error set) when the open transaction lost a conflict: a
 * deadlock, or on Galera a write set that failed certification (the
 * same error). The server has rolled it back, so a statement run now
 * would run on its own, outside it: none may, until db_rollback, and
 * the caller runs the whole transaction again (db_tx_conflict).
 */
static int
db_tx_aborted(struct db *db)
{
	if (!db->in_tx || !db->conflict)
		return 0;
	snprintf(db->err, sizeof(db->err), "the transaction was rolled back "
	    "by a conflict");
	db->transient = 1;
	return 1;
}

/* 1 when the last transaction ended because it lost a conflict: running
 * all of it again may succeed (Galera's advice to applications). */
int
db_tx_conflict(const struct db *db)
{
	return db->conflict;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_close(db);
	free(db->cache);
	free(db);
	db_nlive--;
}

static void
db_seterr(struct db *db, const char *what, const char *msg)
{
	snprintf(db->err, sizeof(db->err), "%s: %s", what, msg);
	db->transient = 0;
	db->errnum = 0;
}

const char *
db_errstr(struct db *db)
{
	return db->err;
}

/* The server's (or client library's) number of the last error; 0 when
 * it was not theirs. */
unsigned int
db_errnum(const struct db *db)
{
	return db->errnum;
}

/*
 * What an operator should do about a failed connection, by its error
 * number; NULL when the server's words say it all. A hosting account
 * meets these first: wrong host or port, a database not made yet, the
 * account's connection limit.
 */
static const char *
db_connect_hint(unsigned int e)
{
	switch (e) {
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_UNKNOWN_HOST:
	case CR_SERVER_LOST:
	case CR_SERVER_GONE_ERROR:
		return "the server is unreachable: check db_host and db_port "
		    "(or db_socket) against what the host's control panel "
		    "names, and that the server is up";
	case ER_ACCESS_DENIED_ERROR:
		return "the server refused db_user and db_password (or this "
		    "account may not connect from this host)";
	case ER_DBACCESS_DENIED_ERROR:
		return "the account may not use db_name, or there is no "
		    "such database: create it and give the account access "
		    "to it in the host's control panel (Mihwar never creates "
		    "databases)";
	case ER_BAD_DB_ERROR:
		return "no database db_name: create it in the host's control "
		    "panel (Mihwar never creates databases)";
	case ER_CON_COUNT_ERROR:
	case ER_USER_LIMIT_REACHED:
		return "the server's or the account's connection limit is "
		    "reached: each FastCGI process and each worker holds one "
		    "connection (fewer processes, or ask the host for more)";
	default:
		return NULL;
	}
}

/* 1 when the last failure was a lock conflict or a lost connection, so
 * that running the same work again may succeed. */
int
db_transient(const struct db *db)
{
	return db->transient;
}

/*
 * db_socket (or else db_host) may list several endpoints, comma
 * separated: the nodes of a Galera cluster (issue 15), this process's
 * own first. A host may carry its port ("db2.lan:3307", "[::1]:3307");
 * db_port is the default. The endpoint i (wrapping) into host/sock and
 * *port; 0 past an empty list.
 */
size_t
db_endpoint_count(const struct conf *c)
{
	const char	*l = c->db_socket != NULL ? c->db_socket : c->db_host;
	size_t		 n = 1;

	for (; *l != '\0'; l++)
		n += *l == ',';
	return n;
}

static void
db_endpoint_host(const char *item, size_t len, unsigned int dflt,
    struct db_endpoint *ep)
{
	const char	*colon = memchr(item, ':', len), *end;
	long		 port;

	ep->port = dflt;
	if (len > 0 && item[0] == '[' && (end = memchr(item, ']', len))) {
		snprintf(ep->host, sizeof(ep->host), "%.*s",
		    (int)(end - item - 1), item + 1);
		colon = end + 1 < item + len && end[1] == ':' ? end + 1 : NULL;
	} else if (colon != NULL && memchr(colon + 1, ':', len -
	    (size_t)(colon + 1 - item)) == NULL)
		snprintf(ep->host, sizeof(ep->host), "%.*s",
		    (int)(colon - item), item);
	else {
		colon = NULL;
		snprintf(ep->host, sizeof(ep->host), "%.*s", (int)len, item);
	}
	if (colon != NULL && (port = strtol(colon + 1, NULL, 10)) > 0 &&
	    port < 65536)
		ep->port = (unsigned int)port;
}

void
db_endpoint_get(const struct conf *c, size_t i, struct db_endpoint *ep)
{
	const char	*l = c->db_socket != NULL ? c->db_socket : c->db_host;
	const char	*comma;
	size_t		 len;

	for (; i > 0 && (comma = strchr(l, ',')) != NULL; i--)
		l = comma + 1;
	len = (comma = strchr(l, ',')) != NULL ? (size_t)(comma - l) :
	    strlen(l);
	while (len > 0 && *l == ' ')
		l++, len--;
	while (len > 0 && l[len - 1] == ' ')
		len--;
	memset(ep, 0, sizeof(*ep));
	if (c->db_socket != NULL) {
		snprintf(ep->sock, sizeof(ep->sock), "%.*s", (int)len, l);
		ep->port = (unsigned int)c->db_port;
	} else
		db_endpoint_host(l, len, (unsigned int)c->db_port, ep);
}

/* Connect to one endpoint; 1, or 0 with the error set and logged. */
static int
db_connect_to(struct db *db, const struct db_endpoint *ep)
{
	const struct conf	*c = db->conf;
	unsigned int		 timeout = 3, io;
	my_bool			 off = 0;

	if ((db->conn = mysql_init(NULL)) == NULL) {
		db_seterr(db, "connect", "out of memory");
		return 0;
	}
	mysql_options(db->conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	/* A server that never answers (a Galera node whose aborted
	 * transaction hangs, a network cut) costs this long, then the
	 * connection is dropped as lost and the next node is tried. */
	if (c->db_read_timeout > 0) {
		io = (unsigned int)c->db_read_timeout;
		mysql_options(db->conn, MYSQL_OPT_READ_TIMEOUT, &io);
		mysql_options(db->conn, MYSQL_OPT_WRITE_TIMEOUT, &io);
	}
	mysql_options(db->conn, MYSQL_OPT_RECONNECT, &off);
	mysql_options(db->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(db->conn, MYSQL_INIT_COMMAND, SQL_SESSION_INIT);
	if (mysql_real_connect(db->conn, ep->sock[0] ? NULL : ep->host,
	    c->db_user, c->db_password, c->db_name, ep->port,
	    ep->sock[0] ? ep->sock : NULL,
	    CLIENT_MULTI_STATEMENTS | CLIENT_FOUND_ROWS) == NULL) {
		unsigned int	 e = mysql_errno(db->conn);
		const char	*hint = db_connect_hint(e);

		if (hint != NULL)
			snprintf(db->err, sizeof(db->err), "connect: %s (%s)",
			    mysql_error(db->conn), hint);
		else
			db_seterr(db, "connect", mysql_error(db->conn));
		db->errnum = e;
		log_error("db: %s", db->err);
		mysql_close(db->conn);
		db->conn = NULL;
		return 0;
	}
	return 1;
}

/*
 * Whether a node of a list serves: a Galera node that is joining, or
 * cut off from the cluster's majority, takes connections but answers
 * statements with ER_UNKNOWN_COM_ERROR until it is synced again. One
 * round trip, only when a connection is made to a node of a list.
 */
static int
db_node_ready(struct db *db)
{
	MYSQL_RES	*res;

	if (mysql_query(db->conn, "SELECT 1") != 0) {
		db_seterr(db, "connect", mysql_error(db->conn));
		db->errnum = mysql_errno(db->conn);
		log_warn("db: node not ready: %s", db->err);
		mysql_close(db->conn);
		db->conn = NULL;
		return 0;
	}
	if ((res = mysql_store_result(db->conn)) != NULL)
		mysql_free_result(res);
	return 1;
}

/*
 * Run a batch of this file's own statements (the connection takes
 * several at once), reading every result. 0, or the failed statement's
 * error number with *ok the count of those before it that succeeded; the
 * server stops a batch at its first failure.
 */
static unsigned int
db_multi(struct db *db, const char *sql, size_t len, size_t *ok)
{
	MYSQL_RES	*res;
	int		 rc;

	*ok = 0;
	if (mysql_real_query(db->conn, sql, len) != 0)
		return mysql_errno(db->conn);
	do {
		(*ok)++;
		if ((res = mysql_store_result(db->conn)) != NULL)
			mysql_free_result(res);
	} while ((rc = mysql_next_result(db->conn)) == 0);
	return rc > 0 ? mysql_errno(db->conn) : 0;
}

/*
 * The transaction guard, on Galera only. There, in the cluster fault
 * test, a transaction was now and then rolled back under its request (a
 * brute-force abort by another node's write set, we think) without the
 * next statement being told: the request's first writes were gone, its
 * later ones went through in autocommit, COMMIT said yes, and the
 * request was answered 200. So on Galera:
 *  - the session's default is READ ONLY and a transaction is opened READ
 *    WRITE: a write run after such a rollback, in a transaction of its
 *    own, fails (ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION), and is taken
 *    as a lost conflict: the whole transaction is run again;
 *  - a transaction sets a mark in a temporary table (InnoDB: rolled back
 *    with it, never replicated, writable in READ ONLY), and takes it back
 *    just before COMMIT: a mark that is gone fails the table's CHECK, for
 *    a rollback after the last write. Taking it back inside the
 *    transaction leaves no mark committed, also when Galera replays a
 *    transaction aborted while committing (from its write set, which has
 *    no temporary table).
 * Each is a statement of its own: sent in one batch with the statements
 * around it, COMMIT was answered with success for whole transactions
 * that Galera never committed (16 in one fault run, MariaDB 10.11).
 */
static const char SQL_GUARD_MAKE[] =
    "CREATE TEMPORARY TABLE mihwar_tx_guard (mark TINYINT NOT NULL,"
    " CHECK (mark >= 0)) ENGINE=InnoDB;"
    " INSERT INTO mihwar_tx_guard VALUES (0)";
static const char *const SQL_GUARD_BEGIN[] = {
	"SET SESSION TRANSACTION READ ONLY",
	"START TRANSACTION READ WRITE",
	"UPDATE mihwar_tx_guard SET mark = 1",
};
#define GUARD_BEGIN_N	(sizeof(SQL_GUARD_BEGIN) / sizeof(SQL_GUARD_BEGIN[0]))
static const char SQL_GUARD_TAKE[] =
    "UPDATE mihwar_tx_guard SET mark = mark - 1";
static const char SQL_GUARD_READ_WRITE[] = "SET SESSION TRANSACTION READ WRITE";

/* Whether the server is a Galera node and, if so, the guard's table; 1,
 * or 0 with the error set and logged when the database failed. */
static int
db_guard_setup(struct db *db)
{
	MYSQL_RES	*res;
	MYSQL_ROW	 row;
	size_t		 ok;
	int		 galera;

	db->guard = 0;
	if (mysql_query(db->conn, "SELECT @@wsrep_on") != 0) {
		if (mysql_errno(db->conn) == ER_UNKNOWN_SYSTEM_VARIABLE)
			return 1;	/* a server built without Galera */
		goto fail;
	}
	if ((res = mysql_store_result(db->conn)) == NULL)
		goto fail;
	row = mysql_fetch_row(res);
	galera = row != NULL && row[0] != NULL && strcmp(row[0], "1") == 0;
	mysql_free_result(res);
	if (!galera)
		return 1;
	if (db_multi(db, SQL_GUARD_MAKE, sizeof(SQL_GUARD_MAKE) - 1, &ok) != 0)
		goto fail;
	db->guard = 1;
	return 1;
fail:
	/* Not served unguarded: that would lose writes now and then. */
	db_seterr(db, "connect", mysql_error(db->conn));
	db->errnum = mysql_errno(db->conn);
	log_error("db: the transaction guard (Galera; the account needs "
	    "CREATE TEMPORARY TABLES): %s", db->err);
	return 0;
}

/* Connect to the first endpoint that serves, from the one that served
 * last: after a lost connection, that node is tried again first (a node
 * that is gone refuses, and the next one is tried). */
static int
db_connect(struct db *db)
{
	struct db_endpoint	 ep;
	size_t			 n = db_endpoint_count(db->conf), k, i;

	for (k = 0; k < n; k++) {
		i = (db->endpoint + k) % n;
		db_endpoint_get(db->conf, i, &ep);
		if (!db_connect_to(db, &ep) || (n > 1 && !db_node_ready(db)))
			continue;
		if (!db_guard_setup(db)) {
			db_close(db);
			continue;
		}
		if (k > 0)
			log_warn("db: connected to endpoint %zu (%s%s)", i + 1,
			    ep.sock[0] ? ep.sock : ep.host,
			    ep.sock[0] ? "" : " (host)");
		db->endpoint = i;
		return 1;
	}
	return 0;
}

/*
 * An idle connection whose socket is readable has been closed by the
 * server (restart, kill, wait_timeout): a poll costs no round trip.
 */
static int
db_idle_conn_dead(struct db *db)
{
	struct pollfd	 pfd;

	pfd.fd = (int)mysql_get_socket(db->conn);
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (pfd.fd < 0)
		return 1;
	return poll(&pfd, 1, 0) != 0;
}

/* Make sure a live connection is open; DB_OK or DB_UNAVAILABLE. */
enum db_code
db_ensure(struct db *db)
{
	if (db->conn != NULL && !db->in_tx && db_idle_conn_dead(db)) {
		log_warn("db: connection closed by server, reconnecting");
		db_close(db);
	}
	if (db->conn == NULL && !db_connect(db)) {
		db->transient = 1;
		return DB_UNAVAILABLE;
	}
	return DB_OK;
}

int
db_connected(struct db *db)
{
	return db->conn != NULL;
}

static int
db_errno_is_conn(unsigned int e)
{
	return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST ||
	    e == CR_CONNECTION_ERROR || e == CR_CONN_HOST_ERROR ||
	    e == ER_CONNECTION_KILLED || e == 4031 /* idle disconnect */ ||
	    e == ER_SERVER_SHUTDOWN ||
	    /* A Galera node that left the cluster's majority. */
	    e == ER_UNKNOWN_COM_ERROR;
}

/* The guard found the open transaction rolled back under it: the caller
 * runs it again, as after a lost conflict. */
static void
db_guard_caught(struct db *db)
{
	snprintf(db->err, sizeof(db->err), "the transaction was rolled back "
	    "by the server without a word (Galera)");
	db->transient = 1;
	db->conflict = 1;
}

static enum db_code
db_code_of(struct db *db, unsigned int e, const char *what, const char *msg)
{
	db_seterr(db, what, msg);
	db->errnum = e;
	db->transient = e == ER_LOCK_DEADLOCK || e == ER_LOCK_WAIT_TIMEOUT ||
	    e == ER_CHECKREAD || db_errno_is_conn(e);
	if (e == ER_LOCK_DEADLOCK && db->in_tx)
		db->conflict = 1;
	/* The guard's read-only default met a write: the transaction was
	 * rolled back under it (SQL_GUARD_MAKE). */
	if (e == ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION && db->in_tx &&
	    db->guard)
		db_guard_caught(db);
	switch (e) {
	case ER_DUP_ENTRY:
	case ER_DUP_ENTRY_WITH_KEY_NAME:
	case ER_NO_REFERENCED_ROW_2:
	case ER_ROW_IS_REFERENCED_2:
		return DB_CONSTRAINT;
	default:
		break;
	}
	if (db_errno_is_conn(e)) {
		log_error("db: %s (connection dropped)", db->err);
		db_close(db);
		/* The next connection tries this node again first: a node
		 * that is gone refuses at once and the next one is tried,
		 * while one that only left a statement hanging (cut off by
		 * db_read_timeout) is still this process's. Moving on would
		 * spread writes of the same rows over more nodes, where
		 * Galera lost an acknowledged write (README). */
		return DB_UNAVAILABLE;
	}
	log_error("db: %s", db->err);
	return DB_ERROR;
}

/* A protocol-level ping (no statement): DB_OK or DB_UNAVAILABLE. */
enum db_code
db_ping(struct db *db)
{
	enum db_code	 code;

	if ((code = db_ensure(db)) != DB_OK)
		return code;
	if (mysql_ping(db->conn) != 0)
		return db_code_of(db, mysql_errno(db->conn), "ping",
		    mysql_error(db->conn)) == DB_CONSTRAINT ? DB_ERROR :
		    DB_UNAVAILABLE;
	return DB_OK;
}

/* The prepared statement for sql; *slot is its cache entry, NULL when
 * the cache is full and the statement is the caller's to close. */
static MYSQL_STMT *
db_stmt(struct db *db, const char *sql, enum db_code *code,
    struct db_cached **slot)
{
	MYSQL_STMT	*st;
	size_t		 i;

	*slot = NULL;
	for (i = 0; i < db->ncache; i++)
		if (db->cache[i].sql == sql) {
			*slot = &db->cache[i];
			return db->cache[i].stmt;
		}
	if ((st = mysql_stmt_init(db->conn)) == NULL) {
		*code = DB_ERROR;
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		*code = db_code_of(db, mysql_stmt_errno(st), "prepare",
		    mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	if (db->ncache < db->cachecap) {
		*slot = &db->cache[db->ncache];
		(*slot)->sql = sql;
		(*slot)->stmt = st;
		(*slot)->rb = NULL;
		db->ncache++;
	} else
		log_warn("db: statement cache full");
	return st;
}

/* 1 when sql prepares on the server (the registry's test); else 0 with
 * the reason in db_errstr. Nothing is cached or run. */
int
db_prepare_check(struct db *db, const char *sql)
{
	MYSQL_STMT	*st;
	int		 ok;

	if (db_ensure(db) != DB_OK || (st = mysql_stmt_init(db->conn)) == NULL)
		return 0;
	ok = mysql_stmt_prepare(st, sql, strlen(sql)) == 0;
	if (!ok)
		db_seterr(db, "prepare", mysql_stmt_error(st));
	mysql_stmt_close(st);
	return ok;
}

static void
db_bind_params(MYSQL_BIND *b, const struct db_param *p, size_t n)
{
	size_t	 i;

	memset(b, 0, n * sizeof(*b));
	for (i = 0; i < n; i++) {
		switch (p[i].type) {
		case DBP_NULL:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		case DBP_STR:
		case DBP_BLOB:
			b[i].buffer_type = p[i].type == DBP_STR ?
			    MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
			b[i].buffer = (void *)p[i].p;
			b[i].buffer_length = p[i].len;
			b[i].length = (unsigned long *)&p[i].len;
			break;
		case DBP_INT:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)&p[i].i;
			break;
		}
	}
}

/* Room for one more row in r; 0 when out of memory. */
static int
db_rows_reserve(struct db_rows *r)
{
	size_t		 cap = r->cap ? r->cap : 8;
	char		**nc;
	unsigned long	 *nl;

	/* Room doubles: a row at a time would copy the whole table again
	 * for every row of a long page. */
	if (r->nrows < r->cap)
		return 1;
	while (cap <= r->nrows)
		cap *= 2;
	if ((nc = realloc(r->cells, cap * r->ncols * sizeof(*nc))) == NULL)
		return 0;
	r->cells = nc;
	if ((nl = realloc(r->lens, cap * r->ncols * sizeof(*nl))) == NULL)
		return 0;
	r->lens = nl;
	r->cap = cap;
	return 1;
}

/* The text of most cells (ids, numbers, times, short names) fits here. */
#define DB_CELL_INLINE	64
/* The most a buffer keeps between two runs of its statement. */
#define DB_CELL_KEEP	(16 * 1024)

static void
db_rowbuf_free(struct db_rowbuf *rb)
{
	size_t	 i;

	if (rb == NULL)
		return;
	for (i = 0; i < rb->ncols; i++)
		free(rb->bufs[i]);
	free(rb->b);
	free(rb->bufs);
	free(rb->caps);
	free(rb->lens);
	free(rb->nulls);
	free(rb->cells);
	free(rb);
}

/* Buffers for nc columns, each bound as text into DB_CELL_INLINE bytes. */
static struct db_rowbuf *
db_rowbuf_new(size_t nc)
{
	struct db_rowbuf	*rb;
	size_t			 i;

	if ((rb = calloc(1, sizeof(*rb))) == NULL)
		return NULL;
	rb->ncols = nc;
	rb->b = calloc(nc, sizeof(*rb->b));
	rb->bufs = calloc(nc, sizeof(*rb->bufs));
	rb->caps = calloc(nc, sizeof(*rb->caps));
	rb->lens = calloc(nc, sizeof(*rb->lens));
	rb->nulls = calloc(nc, sizeof(*rb->nulls));
	rb->cells = calloc(nc, sizeof(*rb->cells));
	if (rb->b == NULL || rb->bufs == NULL || rb->caps == NULL ||
	    rb->lens == NULL || rb->nulls == NULL || rb->cells == NULL) {
		rb->ncols = 0;
		db_rowbuf_free(rb);
		return NULL;
	}
	for (i = 0; i < nc; i++) {
		if ((rb->bufs[i] = malloc(DB_CELL_INLINE)) == NULL) {
			rb->ncols = i;
			db_rowbuf_free(rb);
			return NULL;
		}
		rb->caps[i] = DB_CELL_INLINE;
		rb->b[i].buffer_type = MYSQL_TYPE_STRING;
		rb->b[i].buffer = rb->bufs[i];
		rb->b[i].buffer_length = rb->caps[i];
		rb->b[i].length = &rb->lens[i];
		rb->b[i].is_null = &rb->nulls[i];
	}
	return rb;
}

/*
 * Column i of the current row did not fit its buffer (the text and its
 * NUL): grow the buffer to the cell's real length and fetch the cell
 * again into it. No width is ever guessed. The caller binds the larger
 * buffers for the rows that follow once the whole row is read. 0 when
 * out of memory or the fetch fails.
 */
static int
db_rowbuf_grow(MYSQL_STMT *st, struct db_rowbuf *rb, size_t i)
{
	unsigned long	 len = rb->lens[i], cap = rb->caps[i];
	char		*p;

	while (cap <= len)
		cap *= 2;
	if ((p = realloc(rb->bufs[i], cap)) == NULL)
		return 0;
	rb->bufs[i] = p;
	rb->caps[i] = cap;
	rb->b[i].buffer = p;
	rb->b[i].buffer_length = cap;
	if (cap > DB_CELL_KEEP)
		rb->oversize = 1;
	if (mysql_stmt_fetch_column(st, &rb->b[i], (unsigned)i, 0) != 0)
		return 0;
	rb->lens[i] = len;
	return 1;
}

/* The current row's cells, each NUL-terminated in its buffer; NULL for
 * SQL NULL. 0 when a cell that did not fit cannot be fetched again. */
static int
db_rowbuf_cells(MYSQL_STMT *st, struct db_rowbuf *rb)
{
	size_t	 i;
	int	 grown = 0;

	for (i = 0; i < rb->ncols; i++) {
		if (rb->nulls[i]) {
			rb->lens[i] = 0;	/* else left as the last row's */
			rb->cells[i] = NULL;
			continue;
		}
		if (rb->lens[i] >= rb->caps[i]) {
			if (!db_rowbuf_grow(st, rb, i))
				return 0;
			grown = 1;
		}
		rb->bufs[i][rb->lens[i]] = '\0';
		rb->cells[i] = rb->bufs[i];
	}
	/* Bound again only now: binding between two columns' fetches lost
	 * the row for the later one (a second cell too large came back
	 * empty). */
	return !grown || mysql_stmt_bind_result(st, rb->b) == 0;
}

/*
 * Once a statement's rows are read: every buffer grown past DB_CELL_KEEP
 * back to DB_CELL_INLINE bytes (the next fetch binds them again and
 * grows them as it must), so the largest cell a statement ever read is
 * not kept with it. A flag test for every other statement. 0 when out
 * of memory (the buffer is then kept as it was).
 */
static int
db_rowbuf_settle(struct db_rowbuf *rb)
{
	size_t	 i;
	char	*p;

	if (rb == NULL || !rb->oversize)
		return 1;
	for (i = 0; i < rb->ncols; i++) {
		if (rb->caps[i] <= DB_CELL_KEEP)
			continue;
		if ((p = malloc(DB_CELL_INLINE)) == NULL)
			return 0;
		free(rb->bufs[i]);
		rb->bufs[i] = p;
		rb->caps[i] = DB_CELL_INLINE;
		rb->b[i].buffer = p;
		rb->b[i].buffer_length = DB_CELL_INLINE;
		rb->cells[i] = NULL;
	}
	rb->oversize = 0;
	return 1;
}

/* The statement's buffers (slot's, kept; or *own's, the caller's to
 * free when the statement is not cached) for nc columns. */
static struct db_rowbuf *
db_rowbuf_of(struct db_cached *slot, size_t nc, struct db_rowbuf **own)
{
	struct db_rowbuf	*rb = slot != NULL ? slot->rb : NULL;

	*own = NULL;
	/* A statement prepared again by the server (its table altered)
	 * may answer another number of columns. */
	if (rb != NULL && rb->ncols == nc)
		return rb;
	if ((rb = db_rowbuf_new(nc)) == NULL)
		return NULL;
	if (slot != NULL) {
		db_rowbuf_free(slot->rb);
		slot->rb = rb;
	} else
		*own = rb;
	return rb;
}

/* --- cells fetched in the binary protocol's own types --------------- */

/*
 * Integer and date-time columns are fetched as a 64-bit integer or a
 * MYSQL_TIME, and their text is written here, byte for byte what
 * Connector/C writes into a text buffer (ps_fetch_datetime, its
 * convert_from_long): it does that with sprintf, which was the largest
 * part of a list page's fetch. Callbacks still see text. A zero-filled
 * integer, TIME, YEAR and every other type stay Connector/C's text.
 */
_Static_assert(sizeof(MYSQL_TIME) <= DB_CELL_INLINE &&
    DB_CELL_TEXTSZ <= 2 * DB_CELL_INLINE, "a typed cell fits its buffer");

/* The digits of v, at least width of them (zeros before), at o; the
 * end. */
static char *
db_put_uint(char *o, uint64_t v, int width)
{
	char	 d[24], *p = d + sizeof(d);

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	while (width-- > d + sizeof(d) - p)
		*o++ = '0';
	memcpy(o, p, (size_t)(d + sizeof(d) - p));
	return o + (d + sizeof(d) - p);
}

/*
 * The text of an integer cell v (its bits unsigned when is_unsigned)
 * into out (DB_CELL_TEXTSZ bytes, NUL-terminated); its length.
 */
size_t
db_int_text(int64_t v, int is_unsigned, char *out)
{
	char	*o = out;

	if (!is_unsigned && v < 0) {
		*o++ = '-';
		/* -(v + 1) + 1: INT64_MIN has no positive int64_t. */
		o = db_put_uint(o, (uint64_t)-(v + 1) + 1, 0);
	} else
		o = db_put_uint(o, (uint64_t)v, 0);
	*o = '\0';
	return (size_t)(o - out);
}

/*
 * The text of a DATE (with_time 0) or DATETIME/TIMESTAMP cell t into
 * out (DB_CELL_TEXTSZ bytes, NUL-terminated): "%04u-%02u-%02u", then
 * " %02u:%02u:%02u" and, for a column of 1 to 6 decimals, that many
 * digits of ".%06lu" of the microseconds, as Connector/C prints it. Its
 * length.
 */
size_t
db_time_text(const MYSQL_TIME *t, int with_time, unsigned decimals,
    char *out)
{
	char	 us[24], *o = out, *u;

	o = db_put_uint(o, t->year, 4);
	*o++ = '-';
	o = db_put_uint(o, t->month, 2);
	*o++ = '-';
	o = db_put_uint(o, t->day, 2);
	if (with_time) {
		*o++ = ' ';
		o = db_put_uint(o, t->hour, 2);
		*o++ = ':';
		o = db_put_uint(o, t->minute, 2);
		*o++ = ':';
		o = db_put_uint(o, t->second, 2);
		if (decimals > 0 && decimals <= 6) {
			*o++ = '.';
			u = db_put_uint(us, t->second_part, 6);
			memcpy(o, us, decimals < (size_t)(u - us) ? decimals :
			    (size_t)(u - us));
			o += decimals < (size_t)(u - us) ? decimals :
			    (size_t)(u - us);
		}
	}
	*o = '\0';
	return (size_t)(o - out);
}

/* The type column f is fetched as: LONGLONG, DATETIME, DATE, or
 * STRING (Connector/C's text). */
static enum enum_field_types
db_cell_type(const MYSQL_FIELD *f)
{
	switch (f->type) {
	case MYSQL_TYPE_TINY:
	case MYSQL_TYPE_SHORT:
	case MYSQL_TYPE_INT24:
	case MYSQL_TYPE_LONG:
	case MYSQL_TYPE_LONGLONG:
		return (f->flags & ZEROFILL_FLAG) ? MYSQL_TYPE_STRING :
		    MYSQL_TYPE_LONGLONG;
	case MYSQL_TYPE_DATETIME:
	case MYSQL_TYPE_TIMESTAMP:
		return MYSQL_TYPE_DATETIME;
	case MYSQL_TYPE_DATE:
		return MYSQL_TYPE_DATE;
	default:
		return MYSQL_TYPE_STRING;
	}
}

/* Bind each of rb's columns as its type asks, from the statement's
 * result fields (those of its last execution: a statement the server
 * prepared again may answer other types). */
static void
db_bind_types(MYSQL_STMT *st, struct db_rowbuf *rb)
{
	const MYSQL_FIELD	*f = st->fields;
	size_t			 i;

	for (i = 0; i < rb->ncols; i++) {
		rb->b[i].buffer_type = f != NULL ? db_cell_type(&f[i]) :
		    MYSQL_TYPE_STRING;
		rb->b[i].is_unsigned = rb->b[i].buffer_type ==
		    MYSQL_TYPE_LONGLONG && (f[i].flags & UNSIGNED_FLAG);
	}
}

/* The current row's typed cells written as text in their buffers. */
static void
db_cells_text(MYSQL_STMT *st, struct db_rowbuf *rb)
{
	char		 text[DB_CELL_TEXTSZ];
	int64_t		 v;
	MYSQL_TIME	 t;
	size_t		 i, n;

	for (i = 0; i < rb->ncols; i++) {
		if (rb->nulls[i])
			continue;
		switch (rb->b[i].buffer_type) {
		case MYSQL_TYPE_LONGLONG:
			memcpy(&v, rb->bufs[i], sizeof(v));
			n = db_int_text(v, rb->b[i].is_unsigned, text);
			break;
		case MYSQL_TYPE_DATETIME:
		case MYSQL_TYPE_DATE:
			memcpy(&t, rb->bufs[i], sizeof(t));
			n = db_time_text(&t, rb->b[i].buffer_type ==
			    MYSQL_TYPE_DATETIME, st->fields[i].decimals, text);
			break;
		default:
			continue;
		}
		/* Out of range parts (never sent) are cut to the buffer. */
		if (n >= rb->caps[i])
			n = rb->caps[i] - 1;
		memcpy(rb->bufs[i], text, n);
		rb->bufs[i][n] = '\0';
		rb->lens[i] = n;
	}
}

/*
 * Fetch every row of the executed statement st into its buffers and
 * hand each to fn; fn answering 0 stops the fetch (the rest is
 * discarded, DB_OK). Rows are stored on the client first, so fn may not
 * run st again but the error of a row cannot cut a row in two.
 */
static enum db_code
db_fetch_each(struct db *db, MYSQL_STMT *st, struct db_cached *slot,
    db_row_fn fn, void *arg)
{
	struct db_rowbuf	*rb, *own = NULL;
	struct db_row		 row;
	size_t			 nc = mysql_stmt_field_count(st);
	int			 rc;
	enum db_code		 code = DB_ERROR;

	if (nc == 0)
		return DB_OK;
	if ((rb = db_rowbuf_of(slot, nc, &own)) == NULL) {
		db_seterr(db, "fetch", "out of memory");
		return DB_ERROR;
	}
	db_bind_types(st, rb);
	if (mysql_stmt_bind_result(st, rb->b) != 0 ||
	    mysql_stmt_store_result(st) != 0) {
		code = db_code_of(db, mysql_stmt_errno(st), "fetch",
		    mysql_stmt_error(st));
		goto out;
	}
	row.ncols = nc;
	row.cells = rb->cells;
	row.lens = rb->lens;
	while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
		db_cells_text(st, rb);
		if (!db_rowbuf_cells(st, rb)) {
			db_seterr(db, "fetch", "a cell could not be read");
			goto out;
		}
		if (!fn(&row, arg)) {
			code = DB_OK;
			goto out;
		}
	}
	if (rc != MYSQL_NO_DATA) {
		code = db_code_of(db, mysql_stmt_errno(st), "fetch",
		    mysql_stmt_error(st));
		goto out;
	}
	code = DB_OK;
out:
	/* A dropped connection closed st (and freed slot's buffers). */
	if (db->conn != NULL) {
		mysql_stmt_free_result(st);
		(void)db_rowbuf_settle(rb);
	}
	db_rowbuf_free(own);
	return code;
}

/* What db_rows_add fills. */
struct db_collect {
	struct db_rows	*rows;
	int		 failed;	/* out of memory */
};

/* db_fetch_each's callback for db_query: a copy of the row's cells
 * appended to the rows; 0 (failed) when out of memory. */
static int
db_rows_add(const struct db_row *row, void *arg)
{
	struct db_collect	*c = arg;
	struct db_rows		*r = c->rows;
	char			**cells;
	size_t			 i;

	if (!db_rows_reserve(r))
		goto fail;
	cells = r->cells + r->nrows * r->ncols;
	for (i = 0; i < r->ncols; i++) {
		cells[i] = NULL;
		r->lens[r->nrows * r->ncols + i] = row->lens[i];
		if (row->cells[i] == NULL)
			continue;
		if ((cells[i] = malloc(row->lens[i] + 1)) == NULL) {
			/* Only this row's cells up to i are ours. */
			while (i-- > 0)
				free(cells[i]);
			goto fail;
		}
		memcpy(cells[i], row->cells[i], row->lens[i] + 1);
	}
	r->nrows++;
	return 1;
fail:
	c->failed = 1;
	return 0;
}

/* Fetch every row as text into *out (a copy per cell, for callers that
 * keep rows past the fetch). */
static enum db_code
db_fetch_all(struct db *db, MYSQL_STMT *st, struct db_cached *slot,
    struct db_rows **out)
{
	struct db_rows		*r;
	struct db_collect	 c;
	enum db_code		 code;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return DB_ERROR;
	r->ncols = mysql_stmt_field_count(st);
	c.rows = r;
	c.failed = 0;
	code = db_fetch_each(db, st, slot, db_rows_add, &c);
	if (code == DB_OK && c.failed) {
		db_seterr(db, "fetch", "out of memory");
		code = DB_ERROR;
	}
	if (code == DB_OK)
		*out = r;
	else
		db_rows_free(r);
	return code;
}

/* Where the rows of a statement go: all into *out, or one at a time to
 * fn; neither for a statement without rows (db_exec). */
struct db_sink {
	struct db_rows	**out;
	db_row_fn	  fn;
	void		 *arg;
};

/* One attempt: prepare (cached), bind, execute, fetch. */
static enum db_code
db_run_once(struct db *db, const char *sql, const struct db_param *p,
    size_t n, const struct db_sink *sink, int *retryable)
{
	MYSQL_STMT		*st;
	MYSQL_BIND		 small[16], *b = small;
	struct db_cached	*slot;
	enum db_code		 code = DB_ERROR;

	*retryable = 0;
	if ((code = db_ensure(db)) != DB_OK)
		return code;
	if ((st = db_stmt(db, sql, &code, &slot)) == NULL) {
		/* Nothing ran: safe to retry on a fresh connection. */
		*retryable = (code == DB_UNAVAILABLE);
		return code;
	}
	if (mysql_stmt_param_count(st) != n) {
		db_seterr(db, "bind", "parameter count mismatch");
		log_error("db: %s for: %.80s", db->err, sql);
		code = DB_ERROR;
		goto out;
	}
	if (n > 16 && (b = calloc(n, sizeof(*b))) == NULL)
		goto out;
	db_bind_params(b, p, n);
	if ((n > 0 && mysql_stmt_bind_param(st, b) != 0) ||
	    mysql_stmt_execute(st) != 0) {
		unsigned int e = mysql_stmt_errno(st);

		/* A deadlock rolls back only this statement outside a
		 * transaction: running it again is what the server asks. */
		*retryable = (e == CR_SERVER_GONE_ERROR ||
		    e == ER_LOCK_DEADLOCK);
		code = db_code_of(db, e, "execute", mysql_stmt_error(st));
		goto out;
	}
	db->affected = mysql_stmt_affected_rows(st);
	db->insert_id = mysql_stmt_insert_id(st);
	/* A failure from here on is not retried: fn may have seen rows. */
	if (sink != NULL && sink->out != NULL)
		code = db_fetch_all(db, st, slot, sink->out);
	else if (sink != NULL)
		code = db_fetch_each(db, st, slot, sink->fn, sink->arg);
	else
		code = DB_OK;
out:
	if (b != small)
		free(b);
	/* A statement that did not make it into the cache is ours to close. */
	if (slot == NULL)
		mysql_stmt_close(st);
	return code;
}

static enum db_code
db_run(struct db *db, const char *sql, const struct db_param *p, size_t n,
    const struct db_sink *sink)
{
	enum db_code	 code;
	int		 retryable, in_tx = db->in_tx, tries = 0;

	if (db_tx_lost(db))
		return DB_UNAVAILABLE;
	if (db_tx_aborted(db))
		return DB_ERROR;
	do
		code = db_run_once(db, sql, p, n, sink, &retryable);
	while (code != DB_OK && retryable && !in_tx && ++tries < 3);
	return code;
}

/*
 * Run a query and hand back all its rows (caller frees with db_rows_free).
 * Bind values with DB_PARAMS(DB_STR(...), DB_INT(...)) or DB_NONE.
 */
enum db_code
db_query(struct db *db, struct db_rows **out, const char *sql,
    const struct db_param *p, size_t n)
{
	struct db_sink	 sink = { out, NULL, NULL };

	*out = NULL;
	return db_run(db, sql, p, n, &sink);
}

/*
 * Run a query and hand its rows to fn one at a time, with arg: the
 * row's cells are borrowed from buffers kept with the statement and
 * reused for the next row (no malloc per row or cell), so fn copies
 * what it keeps, and may not use db. fn answers 1 to go on, 0 to stop
 * (the rest is discarded; the query still answers DB_OK). A failure
 * after the first row is not retried; fn may have seen rows by then.
 */
enum db_code
db_query_each(struct db *db, db_row_fn fn, void *arg, const char *sql,
    const struct db_param *p, size_t n)
{
	struct db_sink	 sink = { NULL, fn, arg };

	return db_run(db, sql, p, n, &sink);
}

/*
 * db_query for a typed view: the rows into *out, and back a zeroed array
 * of one element of size sz per row (at least one), for the view to
 * point into the rows. NULL with *code set on failure (DB_ERROR when out
 * of memory). The caller frees both (free, db_rows_free) in any case.
 */
void *
db_query_view(struct db *db, struct db_rows **out, size_t sz,
    enum db_code *code, const char *sql, const struct db_param *p, size_t n)
{
	void	*v;

	if ((*code = db_query(db, out, sql, p, n)) != DB_OK)
		return NULL;
	if ((v = calloc((*out)->nrows ? (*out)->nrows : 1, sz)) == NULL)
		*code = DB_ERROR;
	return v;
}

/* Run a statement without a result set; see db_affected, db_insert_id. */
enum db_code
db_exec(struct db *db, const char *sql, const struct db_param *p, size_t n)
{
	return db_run(db, sql, p, n, NULL);
}

uint64_t
db_affected(struct db *db)
{
	return db->affected;
}

uint64_t
db_insert_id(struct db *db)
{
	return db->insert_id;
}

static enum db_code
db_simple(struct db *db, const char *sql, const char *what)
{
	if (db->conn == NULL) {
		db->transient = 1;
		return DB_UNAVAILABLE;
	}
	if (mysql_real_query(db->conn, sql, strlen(sql)) != 0)
		return db_code_of(db, mysql_errno(db->conn), what,
		    mysql_error(db->conn));
	return DB_OK;
}

/* End whatever the guard's connection has open, and make it read write
 * again; a connection where that fails is dropped: left as it is, it
 * would refuse every write outside a transaction. */
static void
db_guard_reset(struct db *db)
{
	if (db->conn == NULL)
		return;
	if (db_simple(db, "ROLLBACK", "rollback") != DB_OK ||
	    db_simple(db, SQL_GUARD_READ_WRITE, "rollback") != DB_OK) {
		log_error("db: dropping the connection");
		db_close(db);
	}
}

/* START TRANSACTION under the guard (see SQL_GUARD_MAKE). */
static enum db_code
db_guard_begin(struct db *db)
{
	enum db_code	 code = DB_OK;
	size_t		 i;

	for (i = 0; code == DB_OK && i < GUARD_BEGIN_N; i++)
		code = db_simple(db, SQL_GUARD_BEGIN[i], "begin");
	if (code != DB_OK)
		db_guard_reset(db);
	return code;
}

/* Whether the guard's mark is still there (see SQL_GUARD_MAKE): DB_OK,
 * or the failure with the error set, a missing mark as a conflict. */
static enum db_code
db_guard_take(struct db *db)
{
	unsigned int	 e;

	if (mysql_real_query(db->conn, SQL_GUARD_TAKE,
	    sizeof(SQL_GUARD_TAKE) - 1) == 0)
		return DB_OK;
	if ((e = mysql_errno(db->conn)) != ER_CONSTRAINT_FAILED)
		return db_code_of(db, e, "commit", mysql_error(db->conn));
	db_guard_caught(db);
	db->errnum = ER_LOCK_DEADLOCK;
	log_warn("db: %s; caught before COMMIT", db->err);
	return DB_ERROR;
}

/* COMMIT under the guard. */
static enum db_code
db_guard_commit(struct db *db)
{
	enum db_code	 code;

	if ((code = db_guard_take(db)) != DB_OK ||
	    (code = db_simple(db, "COMMIT", "commit")) != DB_OK) {
		db_guard_reset(db);
		return code;
	}
	/* Committed: a connection left read only is dropped. */
	if (db_simple(db, SQL_GUARD_READ_WRITE, "commit") != DB_OK)
		db_close(db);
	return DB_OK;
}

/*
 * Open a transaction. One that is open already is an error: MariaDB's
 * START TRANSACTION would silently commit it.
 */
enum db_code
db_begin(struct db *db)
{
	enum db_code	 code;

	if (db->in_tx) {
		db_seterr(db, "begin", "a transaction is open already");
		log_error("db: %s", db->err);
		return DB_ERROR;
	}
	if ((code = db_ensure(db)) != DB_OK)
		return code;
	db->conflict = 0;
	if (db->guard)
		code = db_guard_begin(db);
	else
		code = db_simple(db, "START TRANSACTION", "begin");
	if (code == DB_OK)
		db->in_tx = 1;
	return code;
}

enum db_code
db_commit(struct db *db)
{
	enum db_code	 code;

	if (db_tx_lost(db)) {
		db->in_tx = 0;
		return DB_UNAVAILABLE;
	}
	if (db_tx_aborted(db)) {
		db_rollback(db);
		return DB_ERROR;
	}
	if (db->guard)
		code = db_guard_commit(db);
	else
		code = db_simple(db, "COMMIT", "commit");
	db->in_tx = 0;
	return code;
}

/*
 * A savepoint inside the open transaction, and going back to it: a step
 * that may be refused (one system of an invoice case) is undone on its
 * own while the record of the refusal is kept.
 */
enum db_code
db_savepoint(struct db *db)
{
	if (!db->in_tx) {
		db_seterr(db, "savepoint", "no transaction is open");
		return DB_ERROR;
	}
	return db_simple(db, "SAVEPOINT mihwar_step", "savepoint");
}

enum db_code
db_rollback_to_savepoint(struct db *db)
{
	if (!db->in_tx)
		return DB_ERROR;
	return db_simple(db, "ROLLBACK TO SAVEPOINT mihwar_step", "rollback to");
}

/* 1 while a transaction is open. */
int
db_in_tx(const struct db *db)
{
	return db->in_tx;
}

/* Roll back an open transaction; harmless when none is open. */
void
db_rollback(struct db *db)
{
	if (db->in_tx && db->guard)
		db_guard_reset(db);
	else if (db->in_tx && db->conn != NULL)
		(void)db_simple(db, "ROLLBACK", "rollback");
	db->in_tx = 0;
}

/*
 * Run a script of several statements (migrations shipped with the
 * program, never outside input); every result is drained. *done counts
 * the statements that ran: on failure, the one at that index failed.
 */
enum db_code
db_script(struct db *db, const char *sql, size_t len, size_t *done)
{
	unsigned int	 e;
	enum db_code	 code;

	*done = 0;
	if ((code = db_ensure(db)) != DB_OK)
		return code;
	if ((e = db_multi(db, sql, len, done)) != 0)
		return db_code_of(db, e, "script", mysql_error(db->conn));
	return DB_OK;
}

/*
 * Run one DDL statement whose text the caller built from values it
 * computed itself (dates, names it made), never from input. It is the
 * one exception to constant SQL with bound values: MariaDB takes no
 * parameter in ALTER TABLE … PARTITION, so its dates and partition names
 * must be in the text. As a second line of defence the text may hold
 * only letters, digits, spaces and , ( ) ' _ - (no ';', no "--" or other
 * comment, no backslash, an even number of quotes): a slip in a caller
 * cannot turn it into another statement. Refused inside a transaction,
 * which DDL would commit.
 */
enum db_code
db_ddl(struct db *db, const char *sql)
{
	const char	*p;
	size_t		 quotes = 0;
	enum db_code	 code;

	for (p = sql; *p != '\0'; p++) {
		if (*p == '\'')
			quotes++;
		else if (!isalnum((unsigned char)*p) &&
		    strchr(" ,()_-", *p) == NULL)
			break;
	}
	if (*p != '\0' || quotes % 2 != 0 || strstr(sql, "--") != NULL ||
	    db->in_tx) {
		db_seterr(db, "ddl", db->in_tx ? "inside a transaction" :
		    "text outside the allowed characters");
		log_error("db: %s", db->err);
		return DB_ERROR;
	}
	if ((code = db_ensure(db)) != DB_OK)
		return code;
	return db_simple(db, sql, "ddl");
}

/* Borrowed cell text of row r, column c; NULL for SQL NULL. */
const char *
db_cell(const struct db_rows *rows, size_t r, size_t c)
{
	if (rows == NULL || r >= rows->nrows || c >= rows->ncols)
		return NULL;
	return rows->cells[r * rows->ncols + c];
}

void
db_rows_free(struct db_rows *rows)
{
	size_t	 i;

	if (rows == NULL)
		return;
	for (i = 0; i < rows->nrows * rows->ncols; i++)
		free(rows->cells[i]);
	free(rows->cells);
	free(rows->lens);
	free(rows);
}

/* The largest statement size of {500, 256, 128, ..., 1} that fits left. */
size_t
db_chunk_size(size_t left)
{
	size_t	 k = 256;

	if (left >= DB_CHUNK_ROWS)
		return DB_CHUNK_ROWS;
	while (k > left)
		k /= 2;
	return k;
}

/* "term%" with LIKE's own characters escaped, for a SKU-prefix search
 * (SEARCH_* in core.h); NULL for no term (or no memory). The caller
 * frees. */
char *
db_like_prefix(const char *term)
{
	struct buf	 b;

	if (term == NULL || *term == '\0')
		return NULL;
	buf_init(&b);
	for (; *term != '\0'; term++) {
		if (*term == '%' || *term == '_' || *term == '\\')
			buf_puts(&b, "\\");
		buf_append(&b, term, 1);
	}
	buf_puts(&b, "%");
	return b.data;
}
