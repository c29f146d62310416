/*
 * test_export.c - cases/export.c's pure pieces: the CSV export written
 * with libcsv and read back with libcsv's own parser (every cell, vendor
 * names with commas, quotes, line breaks, UTF-8 and formula prefixes),
 * the exact bytes of a plain export, export link names, and artifact
 * file names.
 */
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "mihwar.h"
#include "tests.h"

#define NCOLS	7
#define HEADER_LINE \
	"case_id,invoice_number,invoice_date,vendor_name,subtotal,tax,total\r\n"

/* What libcsv's parser read: up to 4 records of NCOLS cells. */
struct parsed {
	char	*cell[4][NCOLS];
	size_t	 ncells[4];	/* cells seen per record, even past NCOLS */
	size_t	 nrecords;
};

static void
parsed_cell(void *s, size_t n, void *arg)
{
	struct parsed	*p = arg;
	char		*c;

	if (p->nrecords >= 4)
		return;
	if (p->ncells[p->nrecords] < NCOLS &&
	    (c = malloc(n + 1)) != NULL) {
		memcpy(c, s, n);
		c[n] = '\0';
		p->cell[p->nrecords][p->ncells[p->nrecords]] = c;
	}
	p->ncells[p->nrecords]++;
}

static void
parsed_record(int term, void *arg)
{
	struct parsed	*p = arg;

	(void)term;
	p->nrecords++;
}

static void
parsed_free(struct parsed *p)
{
	size_t	 i, k;

	for (i = 0; i < 4; i++)
		for (k = 0; k < NCOLS; k++)
			free(p->cell[i][k]);
}

/* Parse b with libcsv in strict mode; 1 when it parsed cleanly. */
static int
parse_back(const struct buf *b, struct parsed *p)
{
	struct csv_parser	 csv;
	int			 ok;

	memset(p, 0, sizeof(*p));
	if (csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return 0;
	ok = csv_parse(&csv, b->data, b->len, parsed_cell, parsed_record, p) ==
	    b->len && csv_fini(&csv, parsed_cell, parsed_record, p) == 0;
	csv_free(&csv);
	return ok;
}

static void
case_init(struct invoice_case *c, const char *vendor, const char *number)
{
	memset(c, 0, sizeof(*c));
	c->id = "case-0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
	c->status = "approved";
	c->invoice_number = number;
	c->invoice_date = "2026-01-20";
	c->vendor_name = vendor;
	c->subtotal = 10000000;		/* 1000.00 */
	c->tax = 1000000;		/* 100.00 */
	c->total = 11000000;		/* 1100.00 */
}

/* The contract's example, byte for byte. */
static void
test_csv_plain(void)
{
	struct invoice_case	 c;
	struct buf		 b;

	case_init(&c, "Acme Corp", "INV-001");
	buf_init(&b);
	CHECK(export_csv(&c, &b), "export_csv failed");
	CHECK_STR("plain export", b.data, HEADER_LINE
	    "case-0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b,INV-001,2026-01-20,"
	    "Acme Corp,1000.00,100.00,1100.00\r\n");
	buf_cleanup(&b);
}

/* Amounts: always two decimals, whatever the scale-4 value. */
static void
test_csv_amounts(void)
{
	static const struct {
		int64_t		 subtotal, tax, total;
		const char	*want[3];
	} cases[] = {
		{ 0, 0, 0, { "0.00", "0.00", "0.00" } },
		{ 5000, 100, 5100, { "0.50", "0.01", "0.51" } },
		{ 123456700, 98700, 123555400,
		    { "12345.67", "9.87", "12355.54" } },
		{ 999999999999990000LL, 0, 999999999999990000LL,
		    { "99999999999999.00", "0.00", "99999999999999.00" } },
		/* never produced (amounts are >= 0), but a leading - is a
		 * formula prefix like any other */
		{ -50000, 0, -50000, { "'-5.00", "0.00", "'-5.00" } },
	};
	struct invoice_case	 c;
	struct parsed		 p;
	struct buf		 b;
	size_t			 i, k;

	for (i = 0; i < NELEM(cases); i++) {
		memset(&p, 0, sizeof(p));
		case_init(&c, "Acme", "INV-1");
		c.subtotal = cases[i].subtotal;
		c.tax = cases[i].tax;
		c.total = cases[i].total;
		buf_init(&b);
		if (CHECK(export_csv(&c, &b), "[amounts %zu] failed", i) &&
		    CHECK(parse_back(&b, &p), "[amounts %zu] does not parse", i)
		    && CHECK(p.nrecords == 2 && p.ncells[1] == NCOLS,
		    "[amounts %zu] %zu records", i, p.nrecords))
			for (k = 0; k < 3; k++)
				CHECK_STR("amount", p.cell[1][4 + k],
				    cases[i].want[k]);
		parsed_free(&p);
		buf_cleanup(&b);
	}
}

/* Vendor names and invoice numbers that need quoting or a guard read
 * back exactly (with the guard's '), the header every time as given. */
static void
test_csv_round_trip(void)
{
	static const char *const header[NCOLS] = { "case_id",
	    "invoice_number", "invoice_date", "vendor_name", "subtotal", "tax",
	    "total" };
	static const struct {
		const char	*name, *vendor, *number;
		const char	*want_vendor, *want_number;
	} cases[] = {
		{ "plain", "Acme Corp", "INV-001", "Acme Corp", "INV-001" },
		{ "comma", "Acme, Inc.", "A,B", "Acme, Inc.", "A,B" },
		{ "quotes", "The \"Best\" Beans", "\"",
		    "The \"Best\" Beans", "\"" },
		{ "only quotes", "\"\"\"", "x", "\"\"\"", "x" },
		{ "LF", "Line one\nLine two", "1", "Line one\nLine two", "1" },
		{ "CRLF", "a\r\nb", "1", "a\r\nb", "1" },
		{ "UTF-8", "Caf\xc3\xa9 M\xc3\xbcller \xe6\x9d\xb1\xe4\xba\xac "
		    "\xf0\x9f\x98\x80", "N\xc2\xba 7",
		    "Caf\xc3\xa9 M\xc3\xbcller \xe6\x9d\xb1\xe4\xba\xac "
		    "\xf0\x9f\x98\x80", "N\xc2\xba 7" },
		{ "equals", "=HYPERLINK(\"http://x\",\"y\")", "=1+1",
		    "'=HYPERLINK(\"http://x\",\"y\")", "'=1+1" },
		{ "plus", "+cmd", "+1", "'+cmd", "'+1" },
		{ "minus", "-2+3", "-1", "'-2+3", "'-1" },
		{ "at", "@SUM(A1)", "@", "'@SUM(A1)", "'@" },
		{ "tab", "\tTab Co", "\t1", "'\tTab Co", "'\t1" },
		{ "CR", "\rCR Co", "\r", "'\rCR Co", "'\r" },
		{ "formula inside", "Acme =1+1", "INV-=", "Acme =1+1",
		    "INV-=" },
		{ "apostrophe", "'quoted'", "'", "'quoted'", "'" },
		{ "spaces at the ends", "  Acme  ", " 1", "  Acme  ", " 1" },
		{ "trailing tab", "Acme\t", "1\t", "Acme\t", "1\t" },
		{ "everything", "=\"a\",\r\nb", "x", "'=\"a\",\r\nb", "x" },
	};
	struct invoice_case	 c;
	struct parsed		 p;
	struct buf		 b;
	size_t			 i, k;

	for (i = 0; i < NELEM(cases); i++) {
		memset(&p, 0, sizeof(p));
		case_init(&c, cases[i].vendor, cases[i].number);
		buf_init(&b);
		if (!CHECK(export_csv(&c, &b), "[%s] failed", cases[i].name) ||
		    !CHECK(parse_back(&b, &p), "[%s] libcsv refused %s",
		    cases[i].name, test_esc(b.data, b.len)))
			goto next;
		if (!CHECK(p.nrecords == 2 && p.ncells[0] == NCOLS &&
		    p.ncells[1] == NCOLS, "[%s] %zu records of %zu and %zu "
		    "cells: %s", cases[i].name, p.nrecords, p.ncells[0],
		    p.ncells[1], test_esc(b.data, b.len)))
			goto next;
		for (k = 0; k < NCOLS; k++)
			CHECK_STR(header[k], p.cell[0][k], header[k]);
		CHECK_STR(cases[i].name, p.cell[1][0], c.id);
		CHECK_STR(cases[i].name, p.cell[1][1], cases[i].want_number);
		CHECK_STR(cases[i].name, p.cell[1][2], "2026-01-20");
		CHECK_STR(cases[i].name, p.cell[1][3], cases[i].want_vendor);
		CHECK_STR(cases[i].name, p.cell[1][4], "1000.00");
		CHECK_STR(cases[i].name, p.cell[1][5], "100.00");
		CHECK_STR(cases[i].name, p.cell[1][6], "1100.00");
		/* The header line is the same bytes whatever the row holds,
		 * and the file ends with CRLF. */
		CHECK(strncmp(b.data, HEADER_LINE, strlen(HEADER_LINE)) == 0,
		    "[%s] header bytes", cases[i].name);
		CHECK(b.len >= 2 && memcmp(b.data + b.len - 2, "\r\n", 2) == 0,
		    "[%s] does not end in CRLF", cases[i].name);
next:
		parsed_free(&p);
		buf_cleanup(&b);
	}
}

/* Quoting as RFC 4180 says: inner quotes doubled, a field with a line
 * break or comma in quotes, nothing quoted that need not be. */
static void
test_csv_quoting(void)
{
	static const struct {
		const char	*vendor, *want_cell;
	} cases[] = {
		{ "Acme", ",Acme," },
		{ "A \"B\"", ",\"A \"\"B\"\"\"," },
		{ "a,b", ",\"a,b\"," },
		{ "a\nb", ",\"a\nb\"," },
		{ "=x", ",'=x," },
		{ "=\"x\"", ",\"'=\"\"x\"\"\"," },
	};
	struct invoice_case	 c;
	struct buf		 b;
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		case_init(&c, cases[i].vendor, "1");
		buf_init(&b);
		CHECK(export_csv(&c, &b) && strstr(b.data, cases[i].want_cell) !=
		    NULL, "[%s] want %s in %s", test_esc(cases[i].vendor,
		    strlen(cases[i].vendor)), test_esc(cases[i].want_cell,
		    strlen(cases[i].want_cell)), test_esc(b.data, b.len));
		buf_cleanup(&b);
	}
}

#define HEX64	"0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"

static void
test_name_parse(void)
{
	static const struct {
		const char	*name;
		int		 ok, artifact;
		const char	*ext;
	} cases[] = {
		{ "export-" HEX64 ".json", 1, 0, "json" },
		{ "export-" HEX64 ".csv", 1, 0, "csv" },
		{ "artifact-" HEX64 ".png", 1, 1, "png" },
		{ "artifact-" HEX64 ".pdf", 1, 1, "pdf" },
		{ "export-" HEX64, 0, 0, NULL },
		{ "export-" HEX64 ".", 0, 0, NULL },
		{ "export-" HEX64 "json", 0, 0, NULL },
		{ "export-" HEX64 ".JSON", 0, 0, NULL },
		{ "export-" HEX64 ".json.exe", 0, 0, NULL },
		{ "export-" HEX64 ".jsonjsonx", 0, 0, NULL },
		{ "export-" HEX64 "0.json", 0, 0, NULL },
		{ "export-" "0123456789ABCDEF0123456789abcdef"
		    "0123456789abcdef0123456789abcdef.json", 0, 0, NULL },
		{ "export-0123.json", 0, 0, NULL },
		{ "export-", 0, 0, NULL },
		{ "", 0, 0, NULL },
		{ "exports-" HEX64 ".json", 0, 0, NULL },
		{ "Export-" HEX64 ".json", 0, 0, NULL },
		{ "artifact" HEX64 ".png", 0, 0, NULL },
		{ "../export-" HEX64 ".json", 0, 0, NULL },
	};
	struct export_name	 n;
	size_t			 i;
	int			 ok;

	for (i = 0; i < NELEM(cases); i++) {
		ok = export_name_parse(cases[i].name, &n);
		if (!CHECK(ok == cases[i].ok, "[%s] got %d", cases[i].name, ok)
		    || !ok)
			continue;
		CHECK(n.artifact == cases[i].artifact, "[%s] kind",
		    cases[i].name);
		CHECK_STR(cases[i].name, n.token, HEX64);
		CHECK_STR(cases[i].name, n.ext, cases[i].ext);
	}
}

static void
test_filename(void)
{
	static const struct {
		const char	*name;
		int		 ok;
	} cases[] = {
		{ "invoice.pdf", 1 },
		{ "Rechnung M\xc3\xbcller 2026.pdf", 1 },
		{ "a \"quoted\" name; x=y.png", 1 },
		{ "..pdf", 1 },
		{ "", 0 },
		{ ".", 0 },
		{ "..", 0 },
		{ "a/b.pdf", 0 },
		{ "/etc/passwd", 0 },
		{ "a\\b.pdf", 0 },
		{ "a\nb.pdf", 0 },
		{ "a\rb.pdf", 0 },
		{ "a\tb.pdf", 0 },
		{ "a\x7f.pdf", 0 },
		{ "\x01", 0 },
	};
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++)
		CHECK(artifact_filename_ok(cases[i].name) == cases[i].ok,
		    "[%s] want %d", test_esc(cases[i].name,
		    strlen(cases[i].name)), cases[i].ok);
}

void
test_export_register(void)
{
	static const struct test_def tests[] = {
		{ "export_csv: the contract's example, byte for byte",
		    test_csv_plain },
		{ "export_csv: amounts with two decimals", test_csv_amounts },
		{ "export_csv: libcsv reads every cell back",
		    test_csv_round_trip },
		{ "export_csv: RFC 4180 quoting", test_csv_quoting },
		{ "export_name_parse", test_name_parse },
		{ "artifact_filename_ok", test_filename },
	};

	test_add_suite("export", NULL, NULL, tests, NELEM(tests));
}
