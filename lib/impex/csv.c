/*
 * csv.c - CSV for import and export (RFC 4180, UTF-8). Reading goes
 * through libcsv in strict mode (a stray quote or an unclosed quoted
 * field is an error, not a guess), with no trimming of spaces, so a
 * cell reads back exactly as it was written; a UTF-8 byte order mark is
 * dropped, CRLF and LF both end a record, and every record keeps its
 * spreadsheet row (header = 1, blank lines counted, a quoted newline
 * staying inside its row). Writing quotes a cell only where it must.
 */
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "impex/impex.h"

#define IMPEX_CSV_PIECE		65536

/* What the libcsv callbacks build. */
struct impex_csv_build {
	struct impex_csv	*t;
	long			 row;		/* spreadsheet row of the next */
	int			 prev_term;	/* what ended the last record */
	size_t			 first;		/* first cell of this record */
	size_t			 max_records;
	int			 over, nomem;
};

/* Nothing is trimmed: spaces are part of a cell (RFC 4180). */
static int
impex_csv_no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static int
impex_csv_grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t	 n = *cap ? *cap : 64;
	void	*q;

	if (need <= *cap)
		return 1;
	while (n < need)
		n *= 2;
	if ((q = realloc(*p, n * size)) == NULL)
		return 0;
	*p = q;
	*cap = n;
	return 1;
}

/* libcsv: one cell. */
static void
impex_csv_on_cell(void *s, size_t n, void *arg)
{
	struct impex_csv_build	*b = arg;
	struct impex_csv	*t = b->t;

	if (b->over || b->nomem)
		return;
	if (!impex_csv_grow((void **)&t->text, &t->textcap, t->textlen + n + 1,
	    1) || !impex_csv_grow((void **)&t->cells, &t->cellcap,
	    t->ncells + 1, sizeof(*t->cells))) {
		b->nomem = 1;
		return;
	}
	t->cells[t->ncells++] = t->textlen;
	if (n > 0)
		memcpy(t->text + t->textlen, s, n);
	t->textlen += n;
	t->text[t->textlen++] = '\0';
}

/*
 * libcsv (CSV_REPALL_NL): the end of a record, or of an empty line. The
 * LF of a CRLF comes as an empty record after the CR; any other empty
 * one is a blank line, which counts as a row but holds no record.
 */
static void
impex_csv_on_record(int term, void *arg)
{
	struct impex_csv_build	*b = arg;
	struct impex_csv	*t = b->t;
	int			 prev = b->prev_term;

	b->prev_term = term;
	if (b->over || b->nomem)
		return;
	if (t->ncells == b->first) {
		if (!(term == '\n' && prev == '\r'))
			b->row++;
		return;
	}
	if (t->nrecords == b->max_records) {
		b->over = 1;
		return;
	}
	if (!impex_csv_grow((void **)&t->records, &t->reccap,
	    t->nrecords + 1, sizeof(*t->records))) {
		b->nomem = 1;
		return;
	}
	t->records[t->nrecords].first = b->first;
	t->records[t->nrecords].ncells = t->ncells - b->first;
	t->records[t->nrecords].row = b->row++;
	t->nrecords++;
	b->first = t->ncells;
}

/* The spreadsheet row where byte off of s lies (1 for the first line). */
static long
impex_csv_line_of(const char *s, size_t off)
{
	long	 line = 1;
	size_t	 i;

	for (i = 0; i < off; i++)
		if (s[i] == '\n' || (s[i] == '\r' && s[i + 1] != '\n'))
			line++;
	return line;
}

/*
 * Read the CSV s[0..n) (valid UTF-8, BOM already dropped) into t: at most
 * max_records records (the header counts). IMPEX_CSV_OK; IMPEX_CSV_BAD
 * with why in err (the row and what is wrong); IMPEX_CSV_TOO_MANY;
 * IMPEX_CSV_NOMEM. Free t with impex_csv_free either way.
 */
enum impex_csv_res
impex_csv_read(const char *s, size_t n, size_t max_records,
    struct impex_csv *t, char *err, size_t errsz)
{
	struct csv_parser	 p;
	struct impex_csv_build	 b;
	size_t			 done, off, want;
	int			 fini;

	memset(t, 0, sizeof(*t));
	memset(&b, 0, sizeof(b));
	b.t = t;
	b.row = 1;
	b.max_records = max_records;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0)
		return IMPEX_CSV_NOMEM;
	csv_set_space_func(&p, impex_csv_no_space);
	/* A piece at a time, so that a file past max_records stops early. */
	for (off = 0; off < n && !b.over && !b.nomem; off += done) {
		want = n - off < IMPEX_CSV_PIECE ? n - off : IMPEX_CSV_PIECE;
		if ((done = csv_parse(&p, s + off, want, impex_csv_on_cell,
		    impex_csv_on_record, &b)) == want)
			continue;
		snprintf(err, errsz, "file: malformed CSV at row %ld: a quote "
		    "inside a field that is not quoted, or text after a "
		    "closing quote (write a quote in a field as \"\" and "
		    "quote the field)", impex_csv_line_of(s, off + done));
		csv_free(&p);
		return b.nomem ? IMPEX_CSV_NOMEM : IMPEX_CSV_BAD;
	}
	if (b.over || b.nomem) {
		csv_free(&p);
		return b.nomem ? IMPEX_CSV_NOMEM : IMPEX_CSV_TOO_MANY;
	}
	fini = csv_fini(&p, impex_csv_on_cell, impex_csv_on_record, &b);
	csv_free(&p);
	if (b.nomem)
		return IMPEX_CSV_NOMEM;
	if (b.over)
		return IMPEX_CSV_TOO_MANY;
	if (fini != 0) {
		snprintf(err, errsz, "file: malformed CSV: a quoted field "
		    "opened at or before row %ld is never closed",
		    b.row);
		return IMPEX_CSV_BAD;
	}
	return IMPEX_CSV_OK;
}

/* Cell col of record rec, or NULL past its last cell (borrowed). */
const char *
impex_csv_cell(const struct impex_csv *t, size_t rec, size_t col)
{
	if (rec >= t->nrecords || col >= t->records[rec].ncells)
		return NULL;
	return t->text + t->cells[t->records[rec].first + col];
}

void
impex_csv_free(struct impex_csv *t)
{
	free(t->text);
	free(t->cells);
	free(t->records);
	memset(t, 0, sizeof(*t));
}

/* Append s (NULL: an empty cell) to b as one CSV cell, quoted only when
 * it holds a comma, a quote, CR or LF (RFC 4180). 1, or 0 out of memory. */
int
impex_csv_put(struct buf *b, const char *s)
{
	const char	*q;

	if (s == NULL || strpbrk(s, ",\"\r\n") == NULL)
		return s == NULL || buf_puts(b, s);
	if (!buf_puts(b, "\""))
		return 0;
	while ((q = strchr(s, '"')) != NULL) {
		if (!buf_append(b, s, (size_t)(q - s + 1)) || !buf_puts(b, "\""))
			return 0;
		s = q + 1;
	}
	return buf_puts(b, s) && buf_puts(b, "\"");
}
