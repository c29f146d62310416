/*
 * fuzz_csvimport.c - the import's reading of a file without a database:
 * the input's first byte picks the kind (items, inventory, blueprints)
 * and the file's name (.csv, .json, or none: told by content), the rest
 * is the file, read by import_read as the API does. A readable file
 * (200) has at most 50,000 rows with increasing row numbers, each error
 * names a row, a field and a message in UTF-8, and every row without an
 * error keeps the contract's rules (a name of 1..255 characters,
 * lowercase UUIDs, quantities in range, reserved <= quantity, output
 * and ingredient quantities > 0, metadata a JSON object); an unreadable
 * one is 400 or 413 with a reason. The result prints as JSON that parses.
 * A CSV file's cells, written back with impex_csv_put, read back the
 * same.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "fuzz.h"

static void
check_uuid(const char *s, int required)
{
	char	 u[37];

	if (s[0] == '\0') {
		if (required)
			abort();
		return;
	}
	if (!import_uuid(s, u) || strcmp(u, s) != 0)
		abort();
}

static void
check_name(const char *s)
{
	if (s == NULL || *s == '\0' || util_utf8_chars(s) > 255 ||
	    !util_utf8_valid(s, strlen(s)))
		abort();
}

static void
check_row(const struct import_batch *b, const struct import_row *row)
{
	struct json_object	*m;
	char			 err[200];
	size_t			 k;

	switch (b->kind) {
	case IMPEX_ITEMS:
		check_name(row->name);
		check_uuid(row->id, 0);
		if (row->metadata != NULL) {
			if ((m = json_parse_body(row->metadata,
			    strlen(row->metadata), err, sizeof(err))) == NULL ||
			    !json_object_is_type(m, json_type_object))
				abort();
			json_object_put(m);
		}
		break;
	case IMPEX_INVENTORY:
		check_uuid(row->id, 1);
		check_uuid(row->ref, 1);
		if (row->qty < 0 || row->reserved < 0 || row->reserved > row->qty)
			abort();
		break;
	case IMPEX_BLUEPRINTS:
		check_name(row->name);
		check_uuid(row->id, 0);
		check_uuid(row->ref, 1);
		if (row->qty <= 0 || row->minutes < 0 ||
		    row->ning > IMPEX_MAX_INGREDIENTS)
			abort();
		for (k = 0; k < row->ning; k++) {
			check_uuid(row->ings[k].item_id, 1);
			if (row->ings[k].quantity <= 0)
				abort();
		}
		break;
	}
}

/* The CSV's cells written back and read again are the same cells. */
static void
check_csv_rewrite(const struct impex_csv *t)
{
	struct impex_csv	 back;
	struct buf		 w;
	char			 err[256];
	size_t			 i, c, j = 0;

	buf_init(&w);
	for (i = 0; i < t->nrecords; i++) {
		for (c = 0; c < t->records[i].ncells; c++) {
			if (c > 0)
				buf_puts(&w, ",");
			impex_csv_put(&w, impex_csv_cell(t, i, c));
		}
		/* A lone empty cell would be a blank line, which holds none. */
		if (t->records[i].ncells == 1 && *impex_csv_cell(t, i, 0) == '\0')
			buf_puts(&w, "\"\"");
		buf_puts(&w, "\r\n");
	}
	if (impex_csv_read(w.data ? w.data : "", w.len, t->nrecords + 1, &back,
	    err, sizeof(err)) != IMPEX_CSV_OK || back.nrecords != t->nrecords)
		abort();
	for (i = 0; i < t->nrecords; i++) {
		if (back.records[i].ncells != t->records[i].ncells ||
		    back.records[i].row != (long)i + 1)
			abort();
		for (c = 0; c < t->records[i].ncells; c++, j++)
			if (strcmp(impex_csv_cell(&back, i, c),
			    impex_csv_cell(t, i, c)) != 0)
				abort();
	}
	impex_csv_free(&back);
	buf_cleanup(&w);
}

static void
check_result(const struct import_batch *b, const struct impex_result *r)
{
	struct json_object	*o, *back;
	char			 err[200];
	const char		*s;
	size_t			 i;
	long			 last = 0;

	if (r->status != 200) {
		if ((r->status != 400 && r->status != 413) ||
		    r->detail[0] == '\0' ||
		    !util_utf8_valid(r->detail, strlen(r->detail)))
			abort();
		return;
	}
	if (b->n > IMPEX_MAX_ROWS)
		abort();
	for (i = 0; i < b->n; i++) {
		if (b->rows[i].row <= last)
			abort();
		last = b->rows[i].row;
		if (!b->rows[i].bad)
			check_row(b, &b->rows[i]);
	}
	for (i = 0; i < r->nerrors; i++)
		if (r->errors[i].row_number < 1 || r->errors[i].field[0] == '\0' ||
		    r->errors[i].message[0] == '\0' || !util_utf8_valid(
		    r->errors[i].message, strlen(r->errors[i].message)))
			abort();
	o = impex_result_json(r);
	s = json_to_str(o);
	if ((back = json_parse_body(s, strlen(s), err, sizeof(err))) == NULL)
		abort();
	json_object_put(back);
	json_object_put(o);
	if (b->format == IMPEX_CSV)
		check_csv_rewrite(&b->csv);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "f.csv", "f.json", NULL };
	struct import_batch	 b;
	struct impex_result	 r;

	if (size < 1)
		return 0;
	memset(&r, 0, sizeof(r));
	(void)import_read((enum impex_kind)(data[0] % 3), names[data[0] / 3 % 3],
	    data + 1, size - 1, &b, &r);
	check_result(&b, &r);
	import_batch_free(&b);
	impex_result_free(&r);
	return 0;
}
