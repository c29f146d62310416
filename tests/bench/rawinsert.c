/*
 * rawinsert.c - the database limit of ingestion for `make bench`: the
 * rows that one 5000-line POST .../ingestion/order-lines writes, inserted
 * straight into order_history_lines with MariaDB Connector/C, the way
 * the application does it (one transaction of 10 prepared 500-row
 * INSERTs) but with nothing else around it: no HTTP, no JSON, no SKU
 * lookup, no batch row, no event.
 *
 *   rawinsert [-c CONF] [-t THREADS] [-n TX] [-w WARMUP] ORG_SLUG
 *
 * CONF (default $MIHWAR_CONF, else var/bench/mihwar.conf) gives db_socket,
 * db_name, db_user and db_password. ORG_SLUG names an organization that
 * has already ingested once: its first import batch and its items (in
 * SKU order) are read back with SELECTs, and line i of every transaction
 * is line i of tests/bench/run.sh's ingestion body (item i % items,
 * order date 2025-(1 + i % 12)-(1 + i % 28), ordered (1 + i % 97).(i %
 * 100), delivered i % 97). THREADS (4) threads, one connection each,
 * first run WARMUP (1) untimed transactions each, then wait for each
 * other and run TX (5) timed transactions each. The rows stay (run.sh
 * empties the table at the start of every run).
 *
 * Prints one line:
 *   BENCH rate=<rows/s> p99_ms=<ms per transaction> rows=<n> seconds=<s>
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>

#define CHUNK		500	/* rows per INSERT statement, as the app */
#define CHUNKS		10	/* statements per transaction: 5000 lines */
#define COLS		6

struct dbconf {
	char	*socket, *name, *user, *password;
};

/* One statement's parameters: CHUNK rows of COLS columns. */
struct rows {
	MYSQL_BIND	 b[CHUNK * COLS];
	long long	 org[CHUNK], batch[CHUNK], item[CHUNK];
	MYSQL_TIME	 day[CHUNK];
	char		 oq[CHUNK][24], dq[CHUNK][24];
	unsigned long	 oql[CHUNK], dql[CHUNK];
};

struct worker {
	pthread_t	 tid;
	int		 ntx, warmup;
	double		*lat;		/* seconds per timed transaction */
	int		 ok;
	char		 err[256];
};

static struct dbconf	 conf;
static long long	 org_id, batch_id;
static long long	*items;
static size_t		 nitems;
static pthread_barrier_t start_line;
static char		 insert_sql[128 + CHUNK * 16];

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
trim(char *s)
{
	char	*e = s + strlen(s);

	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
}

/* The db_* keys of a mihwar.conf ("key = value", "#" comments). */
static int
conf_read(const char *path)
{
	FILE	*f;
	char	 line[1024], *k, *v, **dst;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "rawinsert: %s: %s\n", path, strerror(errno));
		return 0;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		k = line + strspn(line, " \t");
		if (*k == '#' || (v = strchr(k, '=')) == NULL)
			continue;
		*v++ = '\0';
		trim(k);
		v += strspn(v, " \t");
		trim(v);
		if (strcmp(k, "db_socket") == 0)
			dst = &conf.socket;
		else if (strcmp(k, "db_name") == 0)
			dst = &conf.name;
		else if (strcmp(k, "db_user") == 0)
			dst = &conf.user;
		else if (strcmp(k, "db_password") == 0)
			dst = &conf.password;
		else
			continue;
		free(*dst);
		if ((*dst = strdup(v)) == NULL) {
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	if (conf.socket == NULL || conf.user == NULL) {
		fprintf(stderr, "rawinsert: %s: no db_socket or db_user\n", path);
		return 0;
	}
	return 1;
}

static MYSQL *
connect_db(char *err, size_t errlen)
{
	MYSQL	*db;

	if ((db = mysql_init(NULL)) == NULL) {
		snprintf(err, errlen, "mysql_init failed");
		return NULL;
	}
	if (mysql_real_connect(db, NULL, conf.user, conf.password,
	    conf.name ? conf.name : "mihwar", 0, conf.socket, 0) == NULL) {
		snprintf(err, errlen, "connect: %s", mysql_error(db));
		mysql_close(db);
		return NULL;
	}
	return db;
}

/* Run sql (no parameters); every row's first column into *out. */
static int
select_ids(MYSQL *db, const char *sql, long long **out, size_t *n)
{
	MYSQL_RES	*res;
	MYSQL_ROW	 row;
	size_t		 i = 0;

	if (mysql_query(db, sql) != 0 ||
	    (res = mysql_store_result(db)) == NULL) {
		fprintf(stderr, "rawinsert: %s: %s\n", sql, mysql_error(db));
		return 0;
	}
	*n = mysql_num_rows(res);
	if ((*out = calloc(*n ? *n : 1, sizeof(**out))) == NULL) {
		mysql_free_result(res);
		return 0;
	}
	while ((row = mysql_fetch_row(res)) != NULL)
		(*out)[i++] = row[0] ? atoll(row[0]) : 0;
	mysql_free_result(res);
	return 1;
}

static int
select_one(MYSQL *db, const char *sql, long long *v)
{
	long long	*ids;
	size_t		 n;

	if (!select_ids(db, sql, &ids, &n))
		return 0;
	*v = n > 0 ? ids[0] : 0;
	free(ids);
	if (*v == 0) {
		fprintf(stderr, "rawinsert: nothing for: %s\n", sql);
		return 0;
	}
	return 1;
}

/* The organization, its first import batch and its items, by SKU. */
static int
load_ids(const char *slug)
{
	char	 sql[512];
	MYSQL	*db;
	int	 ok = 0;

	if (slug[strspn(slug, "abcdefghijklmnopqrstuvwxyz0123456789-")] !=
	    '\0') {
		fprintf(stderr, "rawinsert: %s: not a slug\n", slug);
		return 0;
	}
	if ((db = connect_db(sql, sizeof(sql))) == NULL) {
		fprintf(stderr, "rawinsert: %s\n", sql);
		return 0;
	}
	snprintf(sql, sizeof(sql),
	    "SELECT id FROM organizations WHERE slug = '%s'", slug);
	if (!select_one(db, sql, &org_id))
		goto out;
	snprintf(sql, sizeof(sql), "SELECT MIN(id) FROM import_batches"
	    " WHERE org_id = %lld", org_id);
	if (!select_one(db, sql, &batch_id))
		goto out;
	snprintf(sql, sizeof(sql), "SELECT id FROM inventory_items"
	    " WHERE org_id = %lld ORDER BY sku", org_id);
	if (!select_ids(db, sql, &items, &nitems))
		goto out;
	if (nitems == 0) {
		fprintf(stderr, "rawinsert: organization %s has no items\n",
		    slug);
		goto out;
	}
	ok = 1;
out:
	mysql_close(db);
	return ok;
}

static void *
worker_run(void *arg)
{
	struct worker	*w = arg;
	struct rows	*r;
	MYSQL		*db = NULL;
	MYSQL_STMT	*st = NULL;
	double		 t0;
	int		 tx, c, i, n, waited = 0;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(w->err, sizeof(w->err), "out of memory");
		goto wait;
	}
	if ((db = connect_db(w->err, sizeof(w->err))) == NULL)
		goto wait;
	for (i = 0; i < CHUNK; i++) {
		MYSQL_BIND *row = &r->b[i * COLS];

		row[0].buffer_type = MYSQL_TYPE_LONGLONG;
		row[0].buffer = &r->org[i];
		row[1].buffer_type = MYSQL_TYPE_LONGLONG;
		row[1].buffer = &r->batch[i];
		row[2].buffer_type = MYSQL_TYPE_LONGLONG;
		row[2].buffer = &r->item[i];
		row[3].buffer_type = MYSQL_TYPE_DATE;
		row[3].buffer = &r->day[i];
		row[4].buffer_type = MYSQL_TYPE_NEWDECIMAL;
		row[4].buffer = r->oq[i];
		row[4].length = &r->oql[i];
		row[5].buffer_type = MYSQL_TYPE_NEWDECIMAL;
		row[5].buffer = r->dq[i];
		row[5].length = &r->dql[i];
	}
	if ((st = mysql_stmt_init(db)) == NULL ||
	    mysql_stmt_prepare(st, insert_sql, strlen(insert_sql)) != 0 ||
	    mysql_stmt_bind_param(st, r->b) != 0 ||
	    mysql_autocommit(db, 0) != 0)
		goto fail;

	for (tx = -w->warmup; tx < w->ntx; tx++) {
		if (tx == 0) {
			pthread_barrier_wait(&start_line);
			waited = 1;
		}
		t0 = now();
		for (c = 0; c < CHUNKS; c++) {
			for (i = 0; i < CHUNK; i++) {
				n = c * CHUNK + i;
				r->org[i] = org_id;
				r->batch[i] = batch_id;
				r->item[i] = items[(size_t)n % nitems];
				memset(&r->day[i], 0, sizeof(r->day[i]));
				r->day[i].year = 2025;
				r->day[i].month = 1 + n % 12;
				r->day[i].day = 1 + n % 28;
				r->day[i].time_type = MYSQL_TIMESTAMP_DATE;
				r->oql[i] = (unsigned long)snprintf(r->oq[i],
				    sizeof(r->oq[i]), "%d.%02d", 1 + n % 97,
				    n % 100);
				r->dql[i] = (unsigned long)snprintf(r->dq[i],
				    sizeof(r->dq[i]), "%d", n % 97);
			}
			if (mysql_stmt_execute(st) != 0)
				goto fail;
		}
		if (mysql_commit(db) != 0)
			goto fail;
		if (tx >= 0)
			w->lat[tx] = now() - t0;
	}
	w->ok = 1;
	goto out;
fail:
	snprintf(w->err, sizeof(w->err), "%s", st != NULL &&
	    mysql_stmt_errno(st) ? mysql_stmt_error(st) : mysql_error(db));
out:
	if (st != NULL)
		mysql_stmt_close(st);
wait:
	if (db != NULL)
		mysql_close(db);
	free(r);
	/* A failed thread still meets the others at the start line. */
	if (!waited)
		pthread_barrier_wait(&start_line);
	return NULL;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
usage(void)
{
	fprintf(stderr, "usage: rawinsert [-c conf] [-t threads] [-n tx]"
	    " [-w warmup-tx] org-slug\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char	*path = getenv("MIHWAR_CONF");
	struct worker	*w;
	double		*all, start, secs;
	int		 nthreads = 4, ntx = 5, warmup = 1, ch, i, j, k, ok = 1;
	char		*p;

	if (path == NULL || *path == '\0')
		path = "var/bench/mihwar.conf";
	while ((ch = getopt(argc, argv, "c:t:n:w:")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 't':
			nthreads = atoi(optarg);
			break;
		case 'n':
			ntx = atoi(optarg);
			break;
		case 'w':
			warmup = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || nthreads < 1 || nthreads > 256 || ntx < 1 ||
	    warmup < 0)
		usage();
	if (mysql_library_init(0, NULL, NULL) != 0 || !conf_read(path) ||
	    !load_ids(argv[optind]))
		return 1;

	/* Constant statement text: the 500-row VALUES list is fixed. */
	p = insert_sql + snprintf(insert_sql, sizeof(insert_sql),
	    "INSERT INTO order_history_lines (org_id, batch_id, item_id,"
	    " order_date, ordered_qty, delivered_qty) VALUES ");
	for (i = 0; i < CHUNK; i++)
		p += snprintf(p, sizeof(insert_sql) - (size_t)(p - insert_sql),
		    "%s(?,?,?,?,?,?)", i ? "," : "");

	w = calloc((size_t)nthreads, sizeof(*w));
	all = calloc((size_t)nthreads * (size_t)ntx, sizeof(*all));
	if (w == NULL || all == NULL ||
	    pthread_barrier_init(&start_line, NULL,
	    (unsigned)nthreads + 1) != 0) {
		perror("rawinsert");
		return 1;
	}
	for (i = 0; i < nthreads; i++) {
		w[i].ntx = ntx;
		w[i].warmup = warmup;
		w[i].lat = all + (size_t)i * (size_t)ntx;
		if (pthread_create(&w[i].tid, NULL, worker_run, &w[i]) != 0) {
			perror("pthread_create");
			return 1;
		}
	}
	pthread_barrier_wait(&start_line);
	start = now();
	for (i = 0; i < nthreads; i++)
		pthread_join(w[i].tid, NULL);
	secs = now() - start;
	for (i = 0; i < nthreads; i++)
		if (!w[i].ok) {
			fprintf(stderr, "rawinsert: thread %d: %s\n", i,
			    w[i].err);
			ok = 0;
		}
	if (!ok)
		return 1;
	k = nthreads * ntx;
	qsort(all, (size_t)k, sizeof(*all), dbl_cmp);
	j = (int)(k * 0.99);
	printf("BENCH rate=%.1f p99_ms=%.2f rows=%lld seconds=%.2f\n",
	    (double)k * CHUNK * CHUNKS / secs, all[j < k ? j : k - 1] * 1000,
	    (long long)k * CHUNK * CHUNKS, secs);
	mysql_library_end();
	return 0;
}
