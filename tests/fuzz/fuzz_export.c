/*
 * fuzz_export.c - what an export does with outside text: export_csv with
 * the invoice number, vendor name and case id taken from the input (the
 * first two NUL-separated parts, the rest as the case id), read back with
 * libcsv's strict parser, which must find the header and one row of 7
 * cells equal to what went in (a leading ' on cells that could start a
 * formula); export_name_parse on the whole input (an accepted name has a
 * 64-digit lowercase hex token and a lowercase extension) and
 * artifact_filename_ok (an accepted name has no separator or control
 * character).
 */
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "mihwar.h"
#include "fuzz.h"

#define NCOLS	7

struct back {
	char	*cell[2][NCOLS];
	size_t	 ncells[2], nrecords;
	int	 extra;		/* more than 2 records or 7 cells */
};

static void
back_cell(void *s, size_t n, void *arg)
{
	struct back	*b = arg;
	char		*c;

	if (b->nrecords >= 2 || b->ncells[b->nrecords] >= NCOLS) {
		b->extra = 1;
		return;
	}
	if ((c = malloc(n + 1)) == NULL)
		abort();
	memcpy(c, s, n);
	c[n] = '\0';
	b->cell[b->nrecords][b->ncells[b->nrecords]++] = c;
}

static void
back_record(int term, void *arg)
{
	struct back	*b = arg;

	(void)term;
	if (b->nrecords >= 2)
		b->extra = 1;
	else
		b->nrecords++;
}

/* What a cell should read back as. */
static int
same_cell(const char *got, const char *in)
{
	if (in[0] != '\0' && strchr("=+-@\t\r", in[0]) != NULL)
		return got[0] == '\'' && strcmp(got + 1, in) == 0;
	return strcmp(got, in) == 0;
}

static void
csv_round_trip(const char *number, const char *vendor, const char *id)
{
	static const char *const header[NCOLS] = { "case_id",
	    "invoice_number", "invoice_date", "vendor_name", "subtotal", "tax",
	    "total" };
	struct invoice_case	 c;
	struct csv_parser	 p;
	struct back		 b;
	struct buf		 out;
	size_t			 i, k;

	memset(&c, 0, sizeof(c));
	c.id = id;
	c.invoice_number = number;
	c.invoice_date = "2026-01-20";
	c.vendor_name = vendor;
	c.subtotal = 10000000;
	c.tax = 1000000;
	c.total = 11000000;
	buf_init(&out);
	if (!export_csv(&c, &out))
		abort();
	memset(&b, 0, sizeof(b));
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		abort();
	if (csv_parse(&p, out.data, out.len, back_cell, back_record, &b) !=
	    out.len || csv_fini(&p, back_cell, back_record, &b) != 0)
		abort();		/* libcsv refused what we wrote */
	csv_free(&p);
	if (b.extra || b.nrecords != 2 || b.ncells[0] != NCOLS ||
	    b.ncells[1] != NCOLS)
		abort();
	for (k = 0; k < NCOLS; k++)
		if (strcmp(b.cell[0][k], header[k]) != 0)
			abort();
	if (!same_cell(b.cell[1][0], id) || !same_cell(b.cell[1][1], number) ||
	    !same_cell(b.cell[1][3], vendor) ||
	    strcmp(b.cell[1][4], "1000.00") != 0 ||
	    strcmp(b.cell[1][6], "1100.00") != 0)
		abort();
	for (i = 0; i < 2; i++)
		for (k = 0; k < NCOLS; k++)
			free(b.cell[i][k]);
	buf_cleanup(&out);
}

static void
names(const char *s)
{
	struct export_name	 n;
	const unsigned char	*p;
	size_t			 i;

	if (export_name_parse(s, &n)) {
		if (strlen(n.token) != 64 || n.ext[0] == '\0')
			abort();
		for (i = 0; i < 64; i++)
			if (strchr("0123456789abcdef", n.token[i]) == NULL)
				abort();
		for (i = 0; n.ext[i] != '\0'; i++)
			if (n.ext[i] < 'a' || n.ext[i] > 'z')
				abort();
	}
	if (artifact_filename_ok(s))
		for (p = (const unsigned char *)s; *p != '\0'; p++)
			if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
				abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, *parts[3];
	size_t		 i, k = 1;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	names(s);
	/* Up to three NUL-separated parts; a missing one is empty. */
	parts[0] = s;
	parts[1] = parts[2] = s + size;
	for (i = 0; i < size && k < 3; i++)
		if (s[i] == '\0')
			parts[k++] = s + i + 1;
	csv_round_trip(parts[0], parts[1], parts[2][0] ? parts[2] : "case-x");
	free(s);
	return 0;
}
