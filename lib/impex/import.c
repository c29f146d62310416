/*
 * import.c - reading an import file, without the database: CSV (through
 * csv.c) or JSON told from the file's name and content, columns by header
 * name, and every rule of the contract's "Import Validation" a row can be
 * checked against on its own. What needs the database (does the item
 * exist, is the id taken, is the name unique) is import_db.c's. Kept
 * apart so that the fuzz target drives all of this without one.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "impex/impex.h"

/* The columns of each kind, in the contract's (and the export's) order. */
static const char *const import_cols_items[] = { "id", "name",
    "description", "category", "subcategory", "rarity", "metadata", NULL };
static const char *const import_cols_inventory[] = { "item_id",
    "location_id", "quantity", "reserved_quantity", NULL };
static const char *const import_cols_blueprints[] = { "id", "name",
    "description", "category", "crafting_time_minutes", "output_item_id",
    "output_quantity", "is_public", "blueprint_data", NULL };

/* Which of them a file must have (bits of the column index). */
#define COLBIT(i)	(1u << (i))
static const unsigned import_required[] = {
	[IMPEX_ITEMS] = COLBIT(IF_NAME),
	[IMPEX_INVENTORY] = COLBIT(IS_ITEM) | COLBIT(IS_LOCATION) |
	    COLBIT(IS_QTY) | COLBIT(IS_RESERVED),
	[IMPEX_BLUEPRINTS] = COLBIT(IB_NAME) | COLBIT(IB_MINUTES) |
	    COLBIT(IB_OUTPUT) | COLBIT(IB_OUTQTY) | COLBIT(IB_PUBLIC) |
	    COLBIT(IB_DATA),
};

/* The column names of kind, NULL-terminated. */
const char *const *
import_columns(enum impex_kind kind)
{
	switch (kind) {
	case IMPEX_ITEMS:
		return import_cols_items;
	case IMPEX_INVENTORY:
		return import_cols_inventory;
	default:
		return import_cols_blueprints;
	}
}

/* --- errors --------------------------------------------------------- */

/* A value as an error message quotes it: at most 64 bytes, cut at a
 * character, with "…" when cut. */
static void
import_quote(const char *v, char out[300])
{
	size_t	 n = strlen(v);

	if (n <= 64) {
		memcpy(out, v, n + 1);
		return;
	}
	n = 64;
	while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
		n--;
	memcpy(out, v, n);
	memcpy(out + n, "…", sizeof("…"));
}

/*
 * Add the error of field at row to r (the row is marked bad). Past
 * IMPEX_MAX_ERRORS errors only the counts go on. 0 when out of memory.
 */
int
import_error(struct impex_result *r, struct import_row *row,
    const char *field, const char *fmt, ...)
{
	struct impex_error	*e;
	va_list			 ap;
	char			 msg[512];
	size_t			 n;

	if (row != NULL)
		row->bad = 1;
	if (r->nerrors == IMPEX_MAX_ERRORS) {
		r->errors_left_off++;
		return 1;
	}
	if (r->nerrors == r->cap) {
		n = r->cap ? r->cap * 2 : 16;
		if ((e = realloc(r->errors, n * sizeof(*e))) == NULL)
			return 0;
		r->errors = e;
		r->cap = n;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	util_utf8_cut(msg, 200);
	e = &r->errors[r->nerrors];
	e->row_number = row != NULL ? row->row : 0;
	snprintf(e->field, sizeof(e->field), "%s", field);
	if ((e->message = strdup(msg)) == NULL)
		return 0;
	r->nerrors++;
	return 1;
}

/* The file cannot be read at all: status (400 or 413) with why. */
static int
import_refuse(struct impex_result *r, int status, const char *fmt, ...)
{
	va_list	 ap;

	r->status = status;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
	util_utf8_cut(r->detail, 240);
	return 0;
}

/* --- the source: CSV cells or JSON members -------------------------- */

/* Field f of row i as the source holds it. */
struct import_val {
	int			 present;	/* the column or key is there */
	const char		*s;	/* text; NULL: empty cell or null */
	struct json_object	*j;	/* JSON only: the value */
	int			 is_string;	/* CSV, or a JSON string */
};

static void
import_val(const struct import_batch *b, size_t i, int f,
    struct import_val *v)
{
	const char	*name = import_columns(b->kind)[f];

	memset(v, 0, sizeof(*v));
	if (b->format == IMPEX_CSV) {
		if (b->col[f] < 0)
			return;
		v->present = 1;
		v->is_string = 1;
		/* A short record's missing cells are empty ones. */
		v->s = impex_csv_cell(&b->csv, i + 1, (size_t)b->col[f]);
		if (v->s != NULL && *v->s == '\0')
			v->s = NULL;
		return;
	}
	v->present = json_object_object_get_ex(json_object_array_get_idx(
	    b->doc, i), name, &v->j);
	if (v->j != NULL && json_object_is_type(v->j, json_type_string)) {
		v->is_string = 1;
		v->s = json_object_get_string(v->j);
	}
}

/* --- field readers: each adds its row error and answers 0 ----------- */

/* A canonical UUID ("8-4-4-4-12" hex digits), lowercased into out. */
int
import_uuid(const char *s, char out[37])
{
	size_t	 i;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]))
			return 0;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[36] = '\0';
	return 1;
}

/* Text field f: NULL allowed unless required; at most max characters
 * (and max_bytes bytes). */
static int
import_text(struct impex_result *r, struct import_row *row,
    const struct import_val *v, const char *field, int required,
    size_t max, size_t max_bytes, const char **out)
{
	*out = NULL;
	if (v->j != NULL && !v->is_string)
		return import_error(r, row, field, "%s must be a string", field);
	if (v->s == NULL) {
		if (required)
			return import_error(r, row, field, "%s is required",
			    field);
		return 1;
	}
	if (required && *v->s == '\0')
		return import_error(r, row, field, "%s is required", field);
	if (util_utf8_chars(v->s) > max || strlen(v->s) > max_bytes)
		return import_error(r, row, field, "%s must be <= %zu "
		    "characters, got %zu", field, max, util_utf8_chars(v->s));
	*out = v->s;
	return 1;
}

/* A UUID field; NULL (absent or empty) allowed unless required. */
static int
import_id(struct impex_result *r, struct import_row *row,
    const struct import_val *v, const char *field, int required, char out[37])
{
	char	 q[300];

	out[0] = '\0';
	if (v->j != NULL && !v->is_string)
		return import_error(r, row, field, "%s must be a string (a "
		    "UUID)", field);
	if (v->s == NULL)
		return required ? import_error(r, row, field, "%s is required",
		    field) : 1;
	if (!import_uuid(v->s, out)) {
		out[0] = '\0';
		import_quote(v->s, q);
		return import_error(r, row, field, "Invalid UUID format for "
		    "%s: %s", field, q);
	}
	return 1;
}

/* The text of a JSON number or string for a message. */
static const char *
import_val_text(const struct import_val *v)
{
	if (v->s != NULL)
		return v->s;
	return v->j != NULL ? json_to_str(v->j) : "";
}

/* A decimal >= 0 (strictly > 0 when positive), at most 4 places. */
static int
import_decimal(struct impex_result *r, struct import_row *row,
    const struct import_val *v, const char *field, int positive, int64_t *out)
{
	char	 q[300];
	int	 ok;

	if (v->j == NULL && v->s == NULL)
		return import_error(r, row, field, "%s is required", field);
	ok = v->j != NULL ? decimal_from_json(v->j, out) :
	    decimal_parse(v->s, out);
	import_quote(import_val_text(v), q);
	if (!ok)
		return import_error(r, row, field, "%s must be a number with "
		    "at most 4 decimal places, got %s", field, q);
	if (positive && *out <= 0)
		return import_error(r, row, field, "%s must be > 0, got %s",
		    field, q);
	if (*out < 0)
		return import_error(r, row, field, "%s must be >= 0, got %s",
		    field, q);
	return 1;
}

/* A whole number >= 0 (crafting minutes: an INT UNSIGNED column). */
static int
import_minutes(struct impex_result *r, struct import_row *row,
    const struct import_val *v, const char *field, long long *out)
{
	char	 q[300];
	int64_t	 d;

	if (v->j == NULL && v->s == NULL)
		return import_error(r, row, field, "%s is required", field);
	import_quote(import_val_text(v), q);
	if (!(v->j != NULL ? decimal_from_json(v->j, &d) : decimal_parse(v->s,
	    &d)) || d % 10000 != 0 || d < 0)
		return import_error(r, row, field, "%s must be an integer >= 0, "
		    "got %s", field, q);
	if (d / 10000 > 4294967295LL)
		return import_error(r, row, field, "%s must be <= 4294967295, "
		    "got %s", field, q);
	*out = d / 10000;
	return 1;
}

/* true or false: a JSON boolean, or the words in any case. */
static int
import_bool(struct impex_result *r, struct import_row *row,
    const struct import_val *v, const char *field, int *out)
{
	char	 q[300];

	if (v->j != NULL && json_object_is_type(v->j, json_type_boolean)) {
		*out = json_object_get_boolean(v->j);
		return 1;
	}
	if (v->j == NULL && v->s == NULL)
		return import_error(r, row, field, "%s is required", field);
	if (v->s != NULL && strcasecmp(v->s, "true") == 0)
		*out = 1;
	else if (v->s != NULL && strcasecmp(v->s, "false") == 0)
		*out = 0;
	else {
		import_quote(import_val_text(v), q);
		return import_error(r, row, field, "%s must be true or false, "
		    "got %s", field, q);
	}
	return 1;
}

/*
 * A JSON object field: CSV text holding JSON, or in a JSON file the
 * object itself (or a string holding one). *out is the parsed object
 * (the caller's), NULL when absent and not required.
 */
static int
import_object(struct impex_result *r, struct import_row *row,
    const struct import_val *v, const char *field, int required,
    struct json_object **out)
{
	char	 err[200];

	*out = NULL;
	if (v->j != NULL && json_object_is_type(v->j, json_type_object)) {
		*out = json_object_get(v->j);
		return 1;
	}
	if (v->s == NULL) {
		if (v->j != NULL)
			return import_error(r, row, field, "%s must be a JSON "
			    "object", field);
		return required ? import_error(r, row, field, "%s is required",
		    field) : 1;
	}
	if (strlen(v->s) > IMPEX_MAX_JSON_FIELD)
		return import_error(r, row, field, "%s must be <= %d bytes",
		    field, IMPEX_MAX_JSON_FIELD);
	if ((*out = json_parse_body(v->s, strlen(v->s), err,
	    sizeof(err))) == NULL)
		/* "body: malformed JSON at byte 3: ..." names the field. */
		return import_error(r, row, field, "%s must be valid JSON: %s",
		    field, strncmp(err, "body: ", 6) == 0 ? err + 6 : err);
	if (!json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		return import_error(r, row, field, "%s must be a JSON object",
		    field);
	}
	return 1;
}

/* --- one row of each kind ------------------------------------------- */

static int
import_row_item(struct import_batch *b, size_t i, struct impex_result *r)
{
	struct import_row	*row = &b->rows[i];
	struct import_val	 v;
	struct json_object	*meta = NULL;
	const char		*s;
	int			 f, ok = 1;

	for (f = 0; f < IF__MAX; f++) {
		import_val(b, i, f, &v);
		if (v.present)
			row->has |= COLBIT(f);
		if (!v.present && f != IF_NAME)
			continue;
		switch (f) {
		case IF_ID:
			ok = import_id(r, row, &v, "id", 0, row->id);
			break;
		case IF_NAME:
			ok = import_text(r, row, &v, "name", 1, 255, 1020,
			    &row->name);
			break;
		case IF_DESCRIPTION:
			ok = import_text(r, row, &v, "description", 0, 65535,
			    65535, &row->description);
			break;
		case IF_CATEGORY:
			ok = import_text(r, row, &v, "category", 0, 100, 400,
			    &row->category);
			break;
		case IF_SUBCATEGORY:
			ok = import_text(r, row, &v, "subcategory", 0, 100, 400,
			    &s);
			row->subcategory = s;
			break;
		case IF_RARITY:
			ok = import_text(r, row, &v, "rarity", 0, 100, 400,
			    &row->rarity);
			break;
		case IF_METADATA:
			if ((ok = import_object(r, row, &v, "metadata", 0,
			    &meta)) && meta != NULL) {
				ok = (row->metadata = strdup(json_to_str(meta))) !=
				    NULL;
				json_object_put(meta);
			}
			break;
		}
		if (!ok)
			return 0;
	}
	return 1;
}

static int
import_row_stock(struct import_batch *b, size_t i, struct impex_result *r)
{
	struct import_row	*row = &b->rows[i];
	struct import_val	 v;
	char			 q[2][DECIMAL_BUFSZ];
	int			 ok, bad_ids;

	import_val(b, i, IS_ITEM, &v);
	ok = import_id(r, row, &v, "item_id", 1, row->id);
	import_val(b, i, IS_LOCATION, &v);
	ok = ok && import_id(r, row, &v, "location_id", 1, row->ref);
	/* Compare the quantities only when both were read. */
	bad_ids = row->bad;
	row->bad = 0;
	import_val(b, i, IS_QTY, &v);
	ok = ok && import_decimal(r, row, &v, "quantity", 0, &row->qty);
	import_val(b, i, IS_RESERVED, &v);
	ok = ok && import_decimal(r, row, &v, "reserved_quantity", 0,
	    &row->reserved);
	if (ok && !row->bad && row->reserved > row->qty) {
		decimal_format(row->reserved, q[0]);
		decimal_format(row->qty, q[1]);
		ok = import_error(r, row, "reserved_quantity",
		    "reserved_quantity cannot exceed quantity (%s > %s)", q[0],
		    q[1]);
	}
	row->bad |= bad_ids;
	return ok;
}

/* Ingredient k of a blueprint's data. */
static int
import_ingredient(struct impex_result *r, struct import_row *row, size_t k,
    struct json_object *o, struct import_ing *ing)
{
	struct import_val	 v;
	char			 f[96];

	if (!json_object_is_type(o, json_type_object)) {
		snprintf(f, sizeof(f), "blueprint_data.ingredients[%zu]", k);
		return import_error(r, row, f, "%s must be an object", f);
	}
	memset(&v, 0, sizeof(v));
	snprintf(f, sizeof(f), "blueprint_data.ingredients[%zu].item_id", k);
	json_object_object_get_ex(o, "item_id", &v.j);
	if (v.j != NULL && json_object_is_type(v.j, json_type_string)) {
		v.is_string = 1;
		v.s = json_object_get_string(v.j);
	}
	if (!import_id(r, row, &v, f, 1, ing->item_id))
		return 0;
	memset(&v, 0, sizeof(v));
	snprintf(f, sizeof(f), "blueprint_data.ingredients[%zu].quantity", k);
	json_object_object_get_ex(o, "quantity", &v.j);
	if (!import_decimal(r, row, &v, f, 1, &ing->quantity))
		return 0;
	memset(&v, 0, sizeof(v));
	snprintf(f, sizeof(f), "blueprint_data.ingredients[%zu].optional", k);
	ing->optional = 0;
	if (json_object_object_get_ex(o, "optional", &v.j) && (v.j == NULL ||
	    !json_object_is_type(v.j, json_type_boolean)))
		return import_error(r, row, f, "%s must be true or false", f);
	if (v.j != NULL)
		ing->optional = json_object_get_boolean(v.j);
	return 1;
}

/* blueprint_data: {"ingredients": [{item_id, quantity, optional}...]}. */
static int
import_ingredients(struct impex_result *r, struct import_row *row,
    struct json_object *data)
{
	struct json_object	*a = NULL;
	size_t			 k, n, seen = r->nerrors + r->errors_left_off;
	int			 ok = 1;

	if (!json_object_object_get_ex(data, "ingredients", &a) || a == NULL ||
	    !json_object_is_type(a, json_type_array))
		return import_error(r, row, "blueprint_data.ingredients",
		    "blueprint_data.ingredients must be an array");
	if ((n = json_object_array_length(a)) > IMPEX_MAX_INGREDIENTS)
		return import_error(r, row, "blueprint_data.ingredients",
		    "blueprint_data.ingredients must have <= %d ingredients",
		    IMPEX_MAX_INGREDIENTS);
	if (n > 0 && (row->ings = calloc(n, sizeof(*row->ings))) == NULL)
		return 0;
	/* The first ingredient in error is reported, not every one. */
	for (k = 0; k < n && ok && r->nerrors + r->errors_left_off == seen; k++)
		ok = import_ingredient(r, row, k,
		    json_object_array_get_idx(a, k), &row->ings[k]);
	row->ning = n;
	return ok;
}

static int
import_row_blueprint(struct import_batch *b, size_t i, struct impex_result *r)
{
	struct import_row	*row = &b->rows[i];
	struct import_val	 v;
	struct json_object	*data = NULL;
	int			 ok;

	import_val(b, i, IB_ID, &v);
	ok = import_id(r, row, &v, "id", 0, row->id);
	import_val(b, i, IB_NAME, &v);
	ok = ok && import_text(r, row, &v, "name", 1, 255, 1020, &row->name);
	import_val(b, i, IB_DESCRIPTION, &v);
	ok = ok && import_text(r, row, &v, "description", 0, 65535, 65535,
	    &row->description);
	import_val(b, i, IB_CATEGORY, &v);
	ok = ok && import_text(r, row, &v, "category", 0, 100, 400,
	    &row->category);
	import_val(b, i, IB_MINUTES, &v);
	ok = ok && import_minutes(r, row, &v, "crafting_time_minutes",
	    &row->minutes);
	import_val(b, i, IB_OUTPUT, &v);
	ok = ok && import_id(r, row, &v, "output_item_id", 1, row->ref);
	import_val(b, i, IB_OUTQTY, &v);
	ok = ok && import_decimal(r, row, &v, "output_quantity", 1, &row->qty);
	import_val(b, i, IB_PUBLIC, &v);
	ok = ok && import_bool(r, row, &v, "is_public", &row->is_public);
	import_val(b, i, IB_DATA, &v);
	ok = ok && import_object(r, row, &v, "blueprint_data", 1, &data);
	if (ok && data != NULL)
		ok = import_ingredients(r, row, data);
	json_object_put(data);
	return ok;
}

/* --- the file ------------------------------------------------------- */

/* JSON when the name ends in .json, CSV when in .csv; else by content. */
static enum impex_format
import_format(const char *filename, const char *s, size_t n)
{
	size_t	 len = filename ? strlen(filename) : 0, i;

	if (len >= 5 && strcasecmp(filename + len - 5, ".json") == 0)
		return IMPEX_JSON;
	if (len >= 4 && strcasecmp(filename + len - 4, ".csv") == 0)
		return IMPEX_CSV;
	for (i = 0; i < n && isspace((unsigned char)s[i]); i++)
		;
	return i < n && (s[i] == '[' || s[i] == '{') ? IMPEX_JSON : IMPEX_CSV;
}

/* The header row: each known column's index; 400 for a duplicate or a
 * missing required column. */
static int
import_header(struct import_batch *b, struct impex_result *r)
{
	const char *const	*cols = import_columns(b->kind);
	const struct impex_csv_record *h = &b->csv.records[0];
	const char		*cell;
	char			 q[300];
	size_t			 c;
	int			 f;

	for (f = 0; cols[f] != NULL; f++)
		b->col[f] = -1;
	for (c = 0; c < h->ncells; c++) {
		cell = impex_csv_cell(&b->csv, 0, c);
		for (f = 0; cols[f] != NULL; f++)
			if (strcasecmp(cell, cols[f]) == 0)
				break;
		/* Columns it does not know are ignored (notes, totals). */
		if (cols[f] == NULL)
			continue;
		if (b->col[f] >= 0)
			return import_refuse(r, 400, "file: the header names "
			    "the column %s twice", cols[f]);
		b->col[f] = (int)c;
	}
	for (f = 0; cols[f] != NULL; f++)
		if ((import_required[b->kind] & COLBIT(f)) && b->col[f] < 0) {
			import_quote(cols[f], q);
			return import_refuse(r, 400, "file: the header has no "
			    "column %s, which is required (the header is the "
			    "first row: %s)", q, impex_columns_line(b->kind));
		}
	return 1;
}

static int
import_read_csv(struct import_batch *b, const char *s, size_t n,
    struct impex_result *r)
{
	char	 err[256];

	switch (impex_csv_read(s, n, IMPEX_MAX_ROWS + 1, &b->csv, err,
	    sizeof(err))) {
	case IMPEX_CSV_OK:
		break;
	case IMPEX_CSV_TOO_MANY:
		return import_refuse(r, 413, "file: more than %d rows",
		    IMPEX_MAX_ROWS);
	case IMPEX_CSV_BAD:
		return import_refuse(r, 400, "%s", err);
	default:
		return import_refuse(r, 500, "out of memory");
	}
	if (b->csv.nrecords == 0)
		return import_refuse(r, 400, "file: no header row (the file is "
		    "empty); the first row names the columns: %s",
		    impex_columns_line(b->kind));
	b->n = b->csv.nrecords - 1;
	return import_header(b, r);
}

static int
import_read_json(struct import_batch *b, const char *s, size_t n,
    struct impex_result *r)
{
	char	 err[200];

	if ((b->doc = json_parse_body(s, n, err, sizeof(err))) == NULL)
		return import_refuse(r, 400, "file: not valid JSON: %s",
		    strncmp(err, "body: ", 6) == 0 ? err + 6 : err);
	if (!json_object_is_type(b->doc, json_type_array))
		return import_refuse(r, 400, "file: expected a JSON array of "
		    "objects");
	b->n = json_object_array_length(b->doc);
	if (b->n > IMPEX_MAX_ROWS)
		return import_refuse(r, 413, "file: more than %d rows",
		    IMPEX_MAX_ROWS);
	return 1;
}

/*
 * Read the file data[0..len) (filename tells its format, or its content
 * does) as rows of kind into b, each checked on its own; row errors go
 * to r. 1 when the file could be read (r->status 200); 0 with r->status
 * 400 or 413 and r->detail when it cannot be read at all, or when out of
 * memory (500). Free b with import_batch_free either way.
 */
int
import_read(enum impex_kind kind, const char *filename,
    const unsigned char *data, size_t len, struct import_batch *b,
    struct impex_result *r)
{
	const char	*s = (const char *)data;
	size_t		 i;
	int		 ok;

	memset(b, 0, sizeof(*b));
	b->kind = kind;
	if (r->status == 0)
		r->status = 200;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		len -= 3;
	}
	if (!util_utf8_valid(s, len))
		return import_refuse(r, 400, "file: not valid UTF-8 text (save "
		    "it as CSV UTF-8 or JSON in UTF-8), or it holds a NUL byte");
	b->format = import_format(filename, s, len);
	if (!(b->format == IMPEX_CSV ? import_read_csv(b, s, len, r) :
	    import_read_json(b, s, len, r)))
		return 0;
	if (b->n > 0 && (b->rows = calloc(b->n, sizeof(*b->rows))) == NULL)
		return import_refuse(r, 500, "out of memory");
	for (i = 0; i < b->n; i++) {
		b->rows[i].row = b->format == IMPEX_CSV ?
		    b->csv.records[i + 1].row : (long)i + 1;
		if (b->format == IMPEX_JSON && !json_object_is_type(
		    json_object_array_get_idx(b->doc, i), json_type_object))
			ok = import_error(r, &b->rows[i], "row", "row %zu must "
			    "be a JSON object", i + 1);
		else
			ok = kind == IMPEX_ITEMS ? import_row_item(b, i, r) :
			    kind == IMPEX_INVENTORY ? import_row_stock(b, i, r) :
			    import_row_blueprint(b, i, r);
		/* Readers answer 0 only when out of memory; a row's errors
		 * are in r, and the row is marked bad. */
		if (!ok)
			return import_refuse(r, 500, "out of memory");
	}
	return 1;
}

void
import_batch_free(struct import_batch *b)
{
	size_t	 i;

	for (i = 0; i < b->n && b->rows != NULL; i++) {
		free(b->rows[i].metadata);
		free(b->rows[i].ings);
	}
	free(b->rows);
	impex_csv_free(&b->csv);
	json_object_put(b->doc);
	memset(b, 0, sizeof(*b));
}

/* The header line of kind, comma-separated (static). */
const char *
impex_columns_line(enum impex_kind kind)
{
	switch (kind) {
	case IMPEX_ITEMS:
		return "id,name,description,category,subcategory,rarity,"
		    "metadata";
	case IMPEX_INVENTORY:
		return "item_id,location_id,quantity,reserved_quantity";
	default:
		return "id,name,description,category,crafting_time_minutes,"
		    "output_item_id,output_quantity,is_public,blueprint_data";
	}
}

/* --- the result ----------------------------------------------------- */

/* {success, imported_count, failed_count, errors:[{row_number, field,
 * message}]}; errors past IMPEX_MAX_ERRORS are counted in
 * errors_left_off. */
struct json_object *
impex_result_json(const struct impex_result *r)
{
	struct json_object	*o = json_object_new_object(), *a, *e;
	size_t			 i;

	json_object_object_add(o, "success", json_object_new_boolean(
	    r->failed == 0 && r->nerrors == 0));
	json_object_object_add(o, "imported_count",
	    json_object_new_int64(r->imported));
	json_object_object_add(o, "failed_count",
	    json_object_new_int64(r->failed));
	a = json_object_new_array();
	for (i = 0; i < r->nerrors; i++) {
		e = json_object_new_object();
		json_object_object_add(e, "row_number",
		    json_object_new_int64(r->errors[i].row_number));
		json_object_object_add(e, "field",
		    json_object_new_string(r->errors[i].field));
		json_object_object_add(e, "message",
		    json_object_new_string(r->errors[i].message));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "errors", a);
	if (r->errors_left_off > 0)
		json_object_object_add(o, "errors_left_off",
		    json_object_new_int64(r->errors_left_off));
	return o;
}

void
impex_result_free(struct impex_result *r)
{
	size_t	 i;

	for (i = 0; i < r->nerrors; i++)
		free(r->errors[i].message);
	free(r->errors);
	r->errors = NULL;
	r->nerrors = r->cap = 0;
}
