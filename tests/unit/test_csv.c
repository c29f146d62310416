/*
 * test_csv.c - impex/csv.c and impex/import.c without a database: CSV
 * read strictly (quoted commas and newlines, "", CRLF or LF, blank lines
 * counted as rows, spaces kept, malformed quoting refused with its row),
 * cells written quoted only where needed, and import_read's file-level
 * refusals and row errors (row_number, field, message) for each kind.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "tests.h"

/* The records of a CSV as "row:cell|cell;" text. */
static void
csv_dump(const struct impex_csv *t, char *out, size_t sz)
{
	size_t	 i, c, n = 0;

	out[0] = '\0';
	for (i = 0; i < t->nrecords && n < sz; i++) {
		n += (size_t)snprintf(out + n, sz - n, "%ld:", t->records[i].row);
		for (c = 0; c < t->records[i].ncells && n < sz; c++)
			n += (size_t)snprintf(out + n, sz - n, "%s%s", c ? "|" :
			    "", impex_csv_cell(t, i, c));
		if (n < sz)
			n += (size_t)snprintf(out + n, sz - n, ";");
	}
}

static void
test_csv_read(void)
{
	static const struct {
		const char		*name, *in;
		enum impex_csv_res	 res;
		const char		*want;	/* dump, or the error's start */
	} cases[] = {
		{ "CRLF", "a,b\r\nc,d\r\n", IMPEX_CSV_OK, "1:a|b;2:c|d;" },
		{ "LF, no last newline", "a,b\nc,d", IMPEX_CSV_OK,
		    "1:a|b;2:c|d;" },
		{ "quoted comma", "a,\"b,c\"\n", IMPEX_CSV_OK, "1:a|b,c;" },
		{ "quoted newline keeps its row", "h\n\"x\r\ny\"\nz\n",
		    IMPEX_CSV_OK, "1:h;2:x\r\ny;3:z;" },
		{ "doubled quote", "\"say \"\"hi\"\"\"\n", IMPEX_CSV_OK,
		    "1:say \"hi\";" },
		{ "blank lines count as rows", "h\r\n\r\nx\n\ny\n",
		    IMPEX_CSV_OK, "1:h;3:x;5:y;" },
		{ "spaces kept", " a , b \n", IMPEX_CSV_OK, "1: a | b ;" },
		{ "empty cells", "a,,\n,\n", IMPEX_CSV_OK, "1:a||;2:|;" },
		{ "quoted empty is a record", "h\n\"\"\n", IMPEX_CSV_OK,
		    "1:h;2:;" },
		{ "empty", "", IMPEX_CSV_OK, "" },
		{ "stray quote", "h\nok\nbad \"q\"\n", IMPEX_CSV_BAD,
		    "file: malformed CSV at row 3" },
		{ "text after a closing quote", "\"a\"b\n", IMPEX_CSV_BAD,
		    "file: malformed CSV at row 1" },
		{ "never closed", "h\n\"open\n", IMPEX_CSV_BAD,
		    "file: malformed CSV: a quoted field opened at or before "
		    "row 2" },
		{ "too many records", "a\nb\nc\nd\n", IMPEX_CSV_TOO_MANY, "" },
	};
	struct impex_csv	 t;
	enum impex_csv_res	 res;
	char			 got[512], err[256];
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		err[0] = '\0';
		res = impex_csv_read(cases[i].in, strlen(cases[i].in), 3, &t, err,
		    sizeof(err));
		CHECK(res == cases[i].res, "[%s] result %d, want %d (%s)",
		    cases[i].name, (int)res, (int)cases[i].res, err);
		if (res == IMPEX_CSV_OK && cases[i].res == IMPEX_CSV_OK) {
			csv_dump(&t, got, sizeof(got));
			CHECK_STR(cases[i].name, got, cases[i].want);
		} else if (res == IMPEX_CSV_BAD)
			CHECK(strncmp(err, cases[i].want, strlen(cases[i].want)) ==
			    0, "[%s] error \"%s\"", cases[i].name, err);
		impex_csv_free(&t);
	}
}

static void
test_csv_put(void)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ " spaced ", " spaced " },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "two\r\nlines", "\"two\r\nlines\"" },
		{ "lf\n", "\"lf\n\"" },
		{ "ünï ☕", "ünï ☕" },
	};
	struct buf	 b;
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b);
		CHECK(impex_csv_put(&b, cases[i].in), "[%s] written",
		    cases[i].in);
		buf_puts(&b, "");
		CHECK_STR(cases[i].in, b.data ? b.data : "", cases[i].want);
		buf_cleanup(&b);
	}
	buf_init(&b);
	CHECK(impex_csv_put(&b, NULL) && b.len == 0, "NULL is an empty cell");
	buf_cleanup(&b);
}

/* import_read's answer as "status detail" or the row errors as
 * "row field: message;" text. */
static void
read_dump(enum impex_kind kind, const char *name, const char *in, char *out,
    size_t sz)
{
	struct import_batch	 b;
	struct impex_result	 r;
	size_t			 i, n = 0;

	memset(&r, 0, sizeof(r));
	if (!import_read(kind, name, (const unsigned char *)in, strlen(in), &b,
	    &r))
		snprintf(out, sz, "%d %s", r.status, r.detail);
	else {
		out[0] = '\0';
		for (i = 0; i < r.nerrors && n < sz; i++)
			n += (size_t)snprintf(out + n, sz - n, "%ld %s: %s;",
			    r.errors[i].row_number, r.errors[i].field,
			    r.errors[i].message);
	}
	import_batch_free(&b);
	impex_result_free(&r);
}

static void
test_import_read(void)
{
	static const struct {
		const char	*name;
		enum impex_kind	 kind;
		const char	*file, *in, *want;
	} cases[] = {
		{ "items ok, BOM", IMPEX_ITEMS, "a.csv",
		    "\xef\xbb\xbfname,metadata\r\nx,\"{\"\"a\"\":1}\"\r\n", "" },
		{ "items rules", IMPEX_ITEMS, "a.csv",
		    "id,name,metadata\n,,\nzz,x,\n,y,[]\n",
		    "2 name: name is required;"
		    "3 id: Invalid UUID format for id: zz;"
		    "4 metadata: metadata must be a JSON object;" },
		{ "items JSON types", IMPEX_ITEMS, "a.json",
		    "[{\"name\":1},7,{\"name\":\"ok\",\"metadata\":null}]",
		    "1 name: name must be a string;"
		    "2 row: row 2 must be a JSON object;" },
		{ "told by content", IMPEX_ITEMS, "upload",
		    " [{\"name\":\"x\"}]", "" },
		{ "not UTF-8", IMPEX_ITEMS, "a.csv", "name\n\xc3\n",
		    "400 file: not valid UTF-8" },
		{ "no header", IMPEX_ITEMS, "a.csv", "\n\n",
		    "400 file: no header row" },
		{ "required column", IMPEX_INVENTORY, "a.csv",
		    "item_id,location_id,quantity\n",
		    "400 file: the header has no column reserved_quantity" },
		{ "bad JSON", IMPEX_ITEMS, "a.json", "[1,",
		    "400 file: not valid JSON: malformed JSON at byte 3" },
		{ "not an array", IMPEX_ITEMS, "a.json", "{}",
		    "400 file: expected a JSON array of objects" },
		{ "inventory rules", IMPEX_INVENTORY, "a.csv",
		    "item_id,location_id,quantity,reserved_quantity\n"
		    "01a22c7e-1a95-74bc-a7a5-850487661a45,"
		    "01A22C7E-1A95-74BC-A7A5-850487661A46,10,11\n"
		    "x,01a22c7e-1a95-74bc-a7a5-850487661a46,-1,0\n",
		    "2 reserved_quantity: reserved_quantity cannot exceed "
		    "quantity (11 > 10);"
		    "3 item_id: Invalid UUID format for item_id: x;"
		    "3 quantity: quantity must be >= 0, got -1;" },
		{ "blueprint rules", IMPEX_BLUEPRINTS, "a.json",
		    "[{\"name\":\"b\",\"crafting_time_minutes\":2,"
		    "\"output_item_id\":\"01a22c7e-1a95-74bc-a7a5-850487661a45\","
		    "\"output_quantity\":\"0.5\",\"is_public\":true,"
		    "\"blueprint_data\":{\"ingredients\":[{\"item_id\":"
		    "\"01a22c7e-1a95-74bc-a7a5-850487661a46\",\"quantity\":-1}]}}]",
		    "1 blueprint_data.ingredients[0].quantity: "
		    "blueprint_data.ingredients[0].quantity must be > 0, got -1;" },
	};
	char	 got[1024];
	size_t	 i, n;

	for (i = 0; i < NELEM(cases); i++) {
		read_dump(cases[i].kind, cases[i].file, cases[i].in, got,
		    sizeof(got));
		n = strlen(cases[i].want);
		/* Refusals are compared by their start, errors whole. */
		if (strncmp(cases[i].want, "400 ", 4) == 0)
			CHECK(strncmp(got, cases[i].want, n) == 0, "[%s] got "
			    "\"%s\"", cases[i].name, got);
		else
			CHECK_STR(cases[i].name, got, cases[i].want);
	}
}

/* The "csv" suite. */
void
test_csv_register(void)
{
	static const struct test_def tests[] = {
		{ "impex_csv_read", test_csv_read },
		{ "impex_csv_put", test_csv_put },
		{ "import_read: refusals and row errors", test_import_read },
	};

	test_add_suite("csv", NULL, NULL, tests, NELEM(tests));
}
