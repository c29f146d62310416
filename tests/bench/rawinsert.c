/*
 * rawinsert.c - the database limit of an ingestion endpoint for `make
 * bench`: the rows one request writes, inserted straight into their table
 * with MariaDB Connector/C as prepared 500-row INSERTs, one transaction
 * per request's worth, with nothing else around it: no HTTP, no JSON, no
 * lookups, no bookkeeping rows, no event. Two targets (-k):
 *
 *   lines     one 5000-line POST .../ingestion/order-lines: 10 INSERTs
 *             into order_history_lines per transaction (the default);
 *   activity  one 500-event POST /api/v1/ingest/events: 1 INSERT into
 *             activity_events per transaction, for the app APP (-a) and
 *             the workers the API already made for it, each row as
 *             tests/bench/run.sh's event body has it.
 *   items     one 20,000-row items CSV import (POST /api/v1/import-
 *             export/items/import): 40 INSERTs into inventory_items per
 *             transaction, row n as run.sh's CSV has it (impex_csv).
 *
 *   rawinsert [-k lines|activity|items] [-a APP] [-c CONF] [-t THREADS] [-n TX]
 *       [-w WARMUP] ORG_SLUG
 *
 * CONF (default $MIHWAR_CONF, else var/bench/mihwar.conf) gives db_socket,
 * db_name, db_user and db_password. ORG_SLUG names an organization that
 * has already ingested once through the endpoint, so what the rows refer
 * to exists and is read back with SELECTs: for lines its first import
 * batch and its items (in SKU order), line i of every transaction being
 * line i of tests/bench/run.sh's ingestion body (item i % items, order
 * date 2025-(1 + i % 12)-(1 + i % 28), ordered (1 + i % 97).(i % 100),
 * delivered i % 97); for activity the app APP (default bench) and the
 * workers (in id order), event i being event i of run.sh's event body
 * (worker i % workers, 2025-06-01 plus i minutes, duration i % 600 s,
 * metadata {"n":i}); for items nothing but the organization (a fresh
 * public id each row). THREADS (4) threads, one connection each,
 * first run WARMUP (1) untimed transactions each, then wait for each
 * other and run TX (5) timed transactions each. The rows stay (run.sh
 * empties the tables at the start of every run).
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
#define MAXCOLS		9

struct dbconf {
	char	*socket, *name, *user, *password;
};

/* One statement's parameters: CHUNK rows; what each slot holds is the
 * target's (lines: org, batch, item, day, quantities; activity: org,
 * app, worker, time, duration, public id, metadata). */
struct rows {
	MYSQL_BIND	 b[CHUNK * MAXCOLS];
	long long	 i1[CHUNK], i2[CHUNK], i3[CHUNK], i4[CHUNK];
	MYSQL_TIME	 t[CHUNK];
	char		 s1[CHUNK][40], s2[CHUNK][40];
	unsigned long	 l1[CHUNK], l2[CHUNK];
	char		 sx[CHUNK][5][48];	/* items: the text columns */
	unsigned long	 lx[CHUNK][5];
};

/* What one kind of ingestion writes. */
struct target {
	const char	*name;
	const char	*head, *group;	/* INSERT ... VALUES, one row's (?..) */
	int		 cols, chunks;	/* per row; INSERTs per transaction */
	int		(*load)(MYSQL *, const char *);
	void		(*bind)(struct rows *, int);
	void		(*fill)(struct rows *, int, int);
};

struct worker {
	pthread_t	 tid;
	int		 ntx, warmup;
	double		*lat;		/* seconds per timed transaction */
	int		 ok;
	char		 err[256];
};

static struct dbconf	 conf;
static const struct target *target;
static const char	*app_slug = "bench";
static long long	 org_id, batch_id, app_id;
static long long	*ids;		/* items (lines) or workers (activity) */
static size_t		 nids;
static pthread_barrier_t start_line;
static char		 insert_sql[256 + CHUNK * 32];

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
	long long	*got;
	size_t		 n;

	if (!select_ids(db, sql, &got, &n))
		return 0;
	*v = n > 0 ? got[0] : 0;
	free(got);
	if (*v == 0) {
		fprintf(stderr, "rawinsert: nothing for: %s\n", sql);
		return 0;
	}
	return 1;
}

static int
slug_ok(const char *slug)
{
	if (slug[strspn(slug, "abcdefghijklmnopqrstuvwxyz0123456789-")] ==
	    '\0')
		return 1;
	fprintf(stderr, "rawinsert: %s: not a slug\n", slug);
	return 0;
}

/* lines: the organization's first import batch and its items, by SKU. */
static int
lines_load(MYSQL *db, const char *slug)
{
	char	 sql[512];

	(void)slug;
	snprintf(sql, sizeof(sql), "SELECT MIN(id) FROM import_batches"
	    " WHERE org_id = %lld", org_id);
	if (!select_one(db, sql, &batch_id))
		return 0;
	snprintf(sql, sizeof(sql), "SELECT id FROM inventory_items"
	    " WHERE org_id = %lld ORDER BY sku", org_id);
	return select_ids(db, sql, &ids, &nids);
}

/* activity: the app and the workers the API made, in id order. */
static int
activity_load(MYSQL *db, const char *slug)
{
	char	 sql[512];

	(void)slug;
	if (!slug_ok(app_slug))
		return 0;
	snprintf(sql, sizeof(sql), "SELECT id FROM ingest_apps"
	    " WHERE org_id = %lld AND slug = '%s'", org_id, app_slug);
	if (!select_one(db, sql, &app_id))
		return 0;
	snprintf(sql, sizeof(sql), "SELECT id FROM workers"
	    " WHERE org_id = %lld ORDER BY id", org_id);
	return select_ids(db, sql, &ids, &nids);
}

/* The organization, then what the target needs of it. */
static int
load_ids(const char *slug)
{
	char	 sql[512];
	MYSQL	*db;
	int	 ok = 0;

	if (!slug_ok(slug))
		return 0;
	if ((db = connect_db(sql, sizeof(sql))) == NULL) {
		fprintf(stderr, "rawinsert: %s\n", sql);
		return 0;
	}
	snprintf(sql, sizeof(sql),
	    "SELECT id FROM organizations WHERE slug = '%s'", slug);
	if (!select_one(db, sql, &org_id) || !target->load(db, slug))
		goto out;
	if (nids == 0) {
		fprintf(stderr, "rawinsert: organization %s has nothing to "
		    "write %s rows for\n", slug, target->name);
		goto out;
	}
	ok = 1;
out:
	mysql_close(db);
	return ok;
}

static void
bind_ll(MYSQL_BIND *b, long long *v)
{
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = v;
}

static void
bind_str(MYSQL_BIND *b, enum enum_field_types type, void *s,
    unsigned long *len)
{
	b->buffer_type = type;
	b->buffer = s;
	b->length = len;
}

static void
bind_time(MYSQL_BIND *b, enum enum_field_types type, MYSQL_TIME *t)
{
	b->buffer_type = type;
	b->buffer = t;
}

static void
lines_bind(struct rows *r, int i)
{
	MYSQL_BIND	*row = &r->b[i * 6];

	bind_ll(&row[0], &r->i1[i]);
	bind_ll(&row[1], &r->i2[i]);
	bind_ll(&row[2], &r->i3[i]);
	bind_time(&row[3], MYSQL_TYPE_DATE, &r->t[i]);
	bind_str(&row[4], MYSQL_TYPE_NEWDECIMAL, r->s1[i], &r->l1[i]);
	bind_str(&row[5], MYSQL_TYPE_NEWDECIMAL, r->s2[i], &r->l2[i]);
}

/* Line n of run.sh's ingestion body. */
static void
lines_fill(struct rows *r, int i, int n)
{
	r->i1[i] = org_id;
	r->i2[i] = batch_id;
	r->i3[i] = ids[(size_t)n % nids];
	memset(&r->t[i], 0, sizeof(r->t[i]));
	r->t[i].year = 2025;
	r->t[i].month = 1 + n % 12;
	r->t[i].day = 1 + n % 28;
	r->t[i].time_type = MYSQL_TIMESTAMP_DATE;
	r->l1[i] = (unsigned long)snprintf(r->s1[i], sizeof(r->s1[i]),
	    "%d.%02d", 1 + n % 97, n % 100);
	r->l2[i] = (unsigned long)snprintf(r->s2[i], sizeof(r->s2[i]), "%d",
	    n % 97);
}

static char		 event_type[] = "bench.event", category[] = "other";
static unsigned long	 event_type_len = sizeof(event_type) - 1;
static unsigned long	 category_len = sizeof(category) - 1;

static void
activity_bind(struct rows *r, int i)
{
	MYSQL_BIND	*row = &r->b[i * 9];

	bind_str(&row[0], MYSQL_TYPE_STRING, r->s1[i], &r->l1[i]);
	bind_ll(&row[1], &r->i1[i]);
	bind_ll(&row[2], &r->i2[i]);
	bind_ll(&row[3], &r->i3[i]);
	bind_str(&row[4], MYSQL_TYPE_STRING, event_type, &event_type_len);
	bind_str(&row[5], MYSQL_TYPE_STRING, category, &category_len);
	bind_time(&row[6], MYSQL_TYPE_DATETIME, &r->t[i]);
	bind_ll(&row[7], &r->i4[i]);
	bind_str(&row[8], MYSQL_TYPE_STRING, r->s2[i], &r->l2[i]);
}

/* Event n of run.sh's event body: worker n % workers, 2025-06-01 plus n
 * minutes, duration n % 600 s, {"n":n}; a fresh public id each. */
static void
activity_fill(struct rows *r, int i, int n)
{
	static long long	 seq;

	r->l1[i] = (unsigned long)snprintf(r->s1[i], sizeof(r->s1[i]),
	    "00000000-0000-7000-8000-%012llx", __atomic_add_fetch(&seq, 1,
	    __ATOMIC_RELAXED));
	r->i1[i] = org_id;
	r->i2[i] = app_id;
	r->i3[i] = ids[(size_t)n % nids];
	memset(&r->t[i], 0, sizeof(r->t[i]));
	r->t[i].year = 2025;
	r->t[i].month = 6;
	r->t[i].day = 1;
	r->t[i].hour = (unsigned)(n / 60);
	r->t[i].minute = (unsigned)(n % 60);
	r->t[i].time_type = MYSQL_TIMESTAMP_DATETIME;
	r->i4[i] = n % 600;
	r->l2[i] = (unsigned long)snprintf(r->s2[i], sizeof(r->s2[i]),
	    "{\"n\":%d}", n);
}

/* items: nothing to read but the organization (load_ids has it). */
static int
items_load(MYSQL *db, const char *slug)
{
	(void)db;
	(void)slug;
	nids = 1;
	return 1;
}

static void
items_bind(struct rows *r, int i)
{
	MYSQL_BIND	*row = &r->b[i * 8];
	int		 c;

	bind_str(&row[0], MYSQL_TYPE_STRING, r->s1[i], &r->l1[i]);
	bind_ll(&row[1], &r->i1[i]);
	for (c = 0; c < 5; c++)
		bind_str(&row[2 + c], MYSQL_TYPE_STRING, r->sx[i][c],
		    &r->lx[i][c]);
	bind_str(&row[7], MYSQL_TYPE_STRING, r->s2[i], &r->l2[i]);
}

/* Row n of run.sh's items CSV (impex_csv): a fresh public id (the
 * import makes one for a row without), the name, description,
 * category, subcategory, rarity and metadata it has. */
static void
items_fill(struct rows *r, int i, int n)
{
	static const char *const rarity[] = { "common", "uncommon", "rare",
	    "epic" };
	static long long	 seq;
	static unsigned int	 run;

	if (run == 0)
		run = (unsigned int)time(NULL);
	r->l1[i] = (unsigned long)snprintf(r->s1[i], sizeof(r->s1[i]),
	    "%08x-0000-7000-8000-%012llx", run, __atomic_add_fetch(&seq, 1,
	    __ATOMIC_RELAXED));
	r->i1[i] = org_id;
	r->lx[i][0] = (unsigned long)snprintf(r->sx[i][0], 48,
	    "Bench item %05d", n);
	r->lx[i][1] = (unsigned long)snprintf(r->sx[i][1], 48,
	    "Imported by make bench, row %d", n);
	r->lx[i][2] = (unsigned long)snprintf(r->sx[i][2], 48,
	    "Category %d", n % 20);
	r->lx[i][3] = (unsigned long)snprintf(r->sx[i][3], 48, "Sub %d",
	    n % 7);
	r->lx[i][4] = (unsigned long)snprintf(r->sx[i][4], 48, "%s",
	    rarity[n % 4]);
	r->l2[i] = (unsigned long)snprintf(r->s2[i], sizeof(r->s2[i]),
	    "{\"n\":%d,\"weight\":1.5}", n);
}

static const struct target targets[] = {
	{ "lines", "INSERT INTO order_history_lines (org_id, batch_id,"
	    " item_id, order_date, ordered_qty, delivered_qty) VALUES ",
	    "(?,?,?,?,?,?)", 6, 10, lines_load, lines_bind, lines_fill },
	{ "activity", "INSERT INTO activity_events (public_id, org_id, app_id,"
	    " worker_id, event_type, category, occurred_at, duration_s,"
	    " metadata) VALUES ", "(?,?,?,?,?,?,?,?,?)", 9, 1, activity_load,
	    activity_bind, activity_fill },
	{ "items", "INSERT INTO inventory_items (public_id, org_id, name,"
	    " description, category, subcategory, rarity, metadata) VALUES ",
	    "(?,?,?,?,?,?,?,?)", 8, 40, items_load, items_bind, items_fill },
};

static void *
worker_run(void *arg)
{
	struct worker	*w = arg;
	struct rows	*r;
	MYSQL		*db = NULL;
	MYSQL_STMT	*st = NULL;
	double		 t0;
	int		 tx, c, i, waited = 0;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(w->err, sizeof(w->err), "out of memory");
		goto wait;
	}
	if ((db = connect_db(w->err, sizeof(w->err))) == NULL)
		goto wait;
	for (i = 0; i < CHUNK; i++)
		target->bind(r, i);
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
		for (c = 0; c < target->chunks; c++) {
			for (i = 0; i < CHUNK; i++)
				target->fill(r, i, c * CHUNK + i);
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
	fprintf(stderr, "usage: rawinsert [-k lines|activity|items] [-a app]"
	    " [-c conf] [-t threads] [-n tx] [-w warmup-tx] org-slug\n");
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
	target = &targets[0];
	while ((ch = getopt(argc, argv, "a:c:k:t:n:w:")) != -1) {
		switch (ch) {
		case 'a':
			app_slug = optarg;
			break;
		case 'k':
			for (i = 0; i < (int)(sizeof(targets) /
			    sizeof(targets[0])); i++)
				if (strcmp(optarg, targets[i].name) == 0)
					break;
			if (i == (int)(sizeof(targets) / sizeof(targets[0])))
				usage();
			target = &targets[i];
			break;
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
	p = insert_sql + snprintf(insert_sql, sizeof(insert_sql), "%s",
	    target->head);
	for (i = 0; i < CHUNK; i++)
		p += snprintf(p, sizeof(insert_sql) - (size_t)(p - insert_sql),
		    "%s%s", i ? "," : "", target->group);

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
	    (double)k * CHUNK * target->chunks / secs,
	    all[j < k ? j : k - 1] * 1000, (long long)k * CHUNK *
	    target->chunks, secs);
	mysql_library_end();
	return 0;
}
