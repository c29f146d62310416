/*
 * dbreg.c - the statement registry, in the spirit of sqlbox: each domain
 * keeps its SQL in one constant table addressed by an enum, and hands
 * that table (with its multi-row shapes) to the registry once at start.
 * The registry sizes the statement cache, builds the text of every
 * multi-row shape at every chunk size up front (so a shape's text is
 * never missing at run time), and lets a test prepare every statement
 * against the migrated schema, so a typo fails `make check`, not a
 * request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/* The statement sizes db_chunk_size hands out: 500, 256, 128, ..., 1. */
#define DBREG_SIZES	10

struct dbreg_texts {
	const struct db_shape	*shape;
	char			*text[DBREG_SIZES];
};

static const struct db_stmts *const *dbreg_tables;
static size_t			 dbreg_ntables;
static struct dbreg_texts	*dbreg_shapes;
static size_t			 dbreg_nshapes;

/* Index of a chunk size into text[], or -1 for any other count. */
static int
dbreg_size_index(size_t n)
{
	int	 i;

	if (n == DB_CHUNK_ROWS)
		return 0;
	for (i = 1; i < DBREG_SIZES; i++)
		if (n == (size_t)1 << (DBREG_SIZES - 1 - i))
			return i;
	return -1;
}

static size_t
dbreg_size_of(int idx)
{
	return idx == 0 ? DB_CHUNK_ROWS : (size_t)1 << (DBREG_SIZES - 1 - idx);
}

/* head, then n copies of group separated by ", ", then tail. */
static char *
dbreg_build(const struct db_shape *s, size_t n)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	if (!buf_puts(&b, s->head))
		goto fail;
	for (i = 0; i < n; i++)
		if ((i > 0 && !buf_puts(&b, ", ")) || !buf_puts(&b, s->group))
			goto fail;
	if (!buf_puts(&b, s->tail))
		goto fail;
	return b.data;
fail:
	buf_cleanup(&b);
	return NULL;
}

static void
dbreg_free(void)
{
	size_t	 i;
	int	 s;

	for (i = 0; i < dbreg_nshapes; i++)
		for (s = 0; s < DBREG_SIZES; s++)
			free(dbreg_shapes[i].text[s]);
	free(dbreg_shapes);
	dbreg_shapes = NULL;
	dbreg_nshapes = dbreg_ntables = 0;
	dbreg_tables = NULL;
}

/*
 * Register the n domain tables (kept, not copied) and build every shape's
 * text, replacing what was registered before. Call at start, before any
 * database handle is made: a live handle's statement cache is keyed by
 * the texts, so registering again under one is refused. 1 on success; 0
 * when a handle is live or memory runs out (nothing is registered then).
 */
int
dbreg_init(const struct db_stmts *const *tables, size_t n)
{
	size_t	 i, k, total = 0;
	int	 s;

	if (db_live() > 0) {
		log_error("db: statements registered again under a live "
		    "handle; refused");
		return 0;
	}
	dbreg_free();
	for (i = 0; i < n; i++)
		total += tables[i]->nshapes;
	if ((dbreg_shapes = calloc(total ? total : 1,
	    sizeof(*dbreg_shapes))) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		for (k = 0; k < tables[i]->nshapes; k++) {
			/* Counted first, so dbreg_free takes a half-built one. */
			dbreg_shapes[dbreg_nshapes++].shape =
			    &tables[i]->shapes[k];
			for (s = 0; s < DBREG_SIZES; s++)
				if ((dbreg_shapes[dbreg_nshapes - 1].text[s] =
				    dbreg_build(&tables[i]->shapes[k],
				    dbreg_size_of(s))) == NULL) {
					dbreg_free();
					return 0;
				}
		}
	dbreg_tables = tables;
	dbreg_ntables = n;
	return 1;
}

/* How many statement texts there are: the statement cache's size. */
size_t
dbreg_count(void)
{
	size_t	 i, n = dbreg_nshapes * DBREG_SIZES;

	for (i = 0; i < dbreg_ntables; i++)
		n += dbreg_tables[i]->n;
	return n;
}

/*
 * The text of shape s with n groups, n one of db_chunk_size's sizes.
 * Never NULL: an unregistered shape or size gives a text that fails to
 * prepare with a message saying so (a 503, not a crash).
 */
const char *
dbreg_shape(const struct db_shape *s, size_t n)
{
	size_t	 i;
	int	 idx = dbreg_size_index(n);

	for (i = 0; i < dbreg_nshapes && idx >= 0; i++)
		if (dbreg_shapes[i].shape == s)
			return dbreg_shapes[i].text[idx];
	log_error("db: shape \"%.40s...\" of %zu rows is not registered",
	    s->head, n);
	return "SELECT * FROM `unregistered statement shape`";
}

/*
 * Prepare every registered statement and every shape at every size on
 * db. Returns the number that failed; the first failure is described in
 * err ("items[3]: ...").
 */
size_t
dbreg_prepare_all(struct db *db, char *err, size_t errsz)
{
	const struct db_stmts	*t;
	size_t			 i, k, failed = 0;
	int			 s;

	*err = '\0';
	for (i = 0; i < dbreg_ntables; i++) {
		t = dbreg_tables[i];
		for (k = 0; k < t->n; k++)
			if (!db_prepare_check(db, t->sql[k])) {
				if (failed++ == 0)
					snprintf(err, errsz, "%s[%zu] \"%.50s\": "
					    "%s", t->name, k, t->sql[k],
					    db_errstr(db));
			}
	}
	for (i = 0; i < dbreg_nshapes; i++)
		for (s = 0; s < DBREG_SIZES; s++)
			if (!db_prepare_check(db, dbreg_shapes[i].text[s]) &&
			    failed++ == 0)
				snprintf(err, errsz, "shape \"%.40s...\" x%zu: %s",
				    dbreg_shapes[i].shape->head, dbreg_size_of(s),
				    db_errstr(db));
	return failed;
}
