/*
 * page.c - the list conventions of DESIGN.md: limit 1..200 (default 50),
 * an opaque cursor, {"data":[…],"nextCursor":…}; and typed query
 * parameters that answer 400 naming the parameter.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <sodium.h>

#include "web/web.h"

#define PAGE_DEFAULT	50
#define PAGE_MAX	200
#define CURSOR_TAG	"c1."
/* About the bytes of a written row (an item with no text is 370). */
#define PAGE_ROW_GUESS	512

/* The raw value of a query parameter; 0 after answering 400. */
static int
query_raw(struct req *r, const char *name, char **out)
{
	if (req_query_param(r->in.query, name, out) < 0) {
		req_resp_error(r, 400, "invalid_query", "%s: invalid encoding",
		    name);
		return 0;
	}
	return 1;
}

/* A string of at most maxlen characters; *out NULL when absent. */
int
query_string(struct req *r, const char *name, size_t maxlen, char **out)
{
	if (!query_raw(r, name, out))
		return 0;
	if (*out != NULL && util_utf8_chars(*out) > maxlen) {
		req_resp_error(r, 400, "invalid_query", "%s: at most %zu "
		    "characters", name, maxlen);
		free(*out);
		*out = NULL;
		return 0;
	}
	return 1;
}

/* One of choices (NULL-terminated); *out NULL when absent; else 400
 * listing them. */
int
query_enum(struct req *r, const char *name, const char *const *choices,
    char **out)
{
	struct buf	 list;
	size_t		 i;

	if (!query_string(r, name, 64, out))
		return 0;
	if (*out == NULL)
		return 1;
	for (i = 0; choices[i] != NULL; i++)
		if (strcmp(*out, choices[i]) == 0)
			return 1;
	buf_init(&list);
	for (i = 0; choices[i] != NULL; i++)
		buf_printf(&list, "%s%s", i ? ", " : "", choices[i]);
	req_resp_error(r, 400, "invalid_query", "%s: %s is not one of %s",
	    name, *out, list.data ? list.data : "");
	buf_cleanup(&list);
	free(*out);
	*out = NULL;
	return 0;
}

/* true/false/1/0; *out keeps its default when absent. */
int
query_bool(struct req *r, const char *name, int *out)
{
	char	*v;
	int	 ok = 1;

	if (!query_raw(r, name, &v))
		return 0;
	if (v == NULL)
		return 1;
	if (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = 1;
	else if (strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = 0;
	else {
		req_resp_error(r, 400, "invalid_query", "%s: expected true or "
		    "false", name);
		ok = 0;
	}
	free(v);
	return ok;
}

/* What DATETIME holds: 1000-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z
 * (a time past it would be cut by the database, not refused). */
#define SQL_TIME_MIN_MS	(-30610224000000LL)
#define SQL_TIME_MAX_MS	(253402300799999LL)

/* An ISO 8601 date-time as SQL DATETIME text; *present 0 when absent. */
int
query_time(struct req *r, const char *name, char out[24], int *present)
{
	char	*v;
	int64_t	 ms;
	int	 ok = 1;

	*present = 0;
	if (!query_raw(r, name, &v))
		return 0;
	if (v == NULL)
		return 1;
	if (util_parse_time(v, &ms) && ms >= SQL_TIME_MIN_MS &&
	    ms <= SQL_TIME_MAX_MS) {
		util_sql_time(ms, out);
		*present = 1;
	} else if (util_parse_time(v, &ms)) {
		req_resp_error(r, 400, "invalid_query", "%s: between "
		    "1000-01-01 and 9999-12-31 (UTC)", name);
		ok = 0;
	} else {
		req_resp_error(r, 400, "invalid_query", "%s: expected an ISO "
		    "8601 date-time such as 2026-03-30T12:00:00Z", name);
		ok = 0;
	}
	free(v);
	return ok;
}

static int
page_cursor_decode(const char *c, long long *id)
{
	unsigned char	 bin[64];
	char		 text[65];
	size_t		 len;

	if (strlen(c) > 80 || sodium_base642bin(bin, sizeof(bin) - 1, c,
	    strlen(c), NULL, &len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return 0;
	memcpy(text, bin, len);
	text[len] = '\0';
	return strncmp(text, CURSOR_TAG, 3) == 0 &&
	    util_strtonum(text + 3, 0, INT64_MAX, id);
}

/* limit and cursor of a list request; 0 after answering 400. */
int
page_parse(struct req *r, struct page *pg)
{
	char	*v;
	int	 ok = 1;

	pg->limit = PAGE_DEFAULT;
	pg->after_id = 0;
	if (!query_raw(r, "limit", &v))
		return 0;
	if (v != NULL && !util_strtonum(v, 1, PAGE_MAX, &pg->limit)) {
		req_resp_error(r, 400, "invalid_query", "limit: expected an "
		    "integer from 1 to %d", PAGE_MAX);
		ok = 0;
	}
	free(v);
	if (!ok || !query_raw(r, "cursor", &v))
		return 0;
	if (v != NULL && !page_cursor_decode(v, &pg->after_id)) {
		req_resp_error(r, 400, "invalid_query", "cursor: not a cursor "
		    "from this list");
		ok = 0;
	}
	free(v);
	return ok;
}

/* The opaque cursor that page_parse reads back as after_id last_id, for
 * a list whose body has a shape of its own. */
void
page_cursor(long long last_id, char out[PAGE_CURSOR_BUFSZ])
{
	char	 text[32];

	snprintf(text, sizeof(text), CURSOR_TAG "%lld", last_id);
	sodium_bin2base64(out, PAGE_CURSOR_BUFSZ, (unsigned char *)text,
	    strlen(text), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/*
 * Answer 200 {"data": arr, "nextCursor": …}: a cursor after last_id when
 * more rows follow, else null. arr is consumed.
 */
void
page_respond(struct req *r, struct json_object *arr, long long last_id,
    size_t more)
{
	struct json_object	*o = json_object_new_object();
	char			 enc[PAGE_CURSOR_BUFSZ];

	json_object_object_add(o, "data", arr);
	if (more) {
		page_cursor(last_id, enc);
		json_object_object_add(o, "nextCursor",
		    json_object_new_string(enc));
	} else
		json_object_object_add(o, "nextCursor", NULL);
	req_resp_json(r, 200, o);
}

/*
 * Answer a page from rows fetched with LIMIT limit + 1: the first limit
 * rows as JSON (row_json), and a cursor after the last one's row id
 * (column rowid_col) when the extra row shows more follow.
 */
void
page_respond_rows(struct req *r, const struct db_rows *rows, long long limit,
    size_t rowid_col, page_row_fn row_json)
{
	struct json_object	*arr = json_object_new_array();
	size_t			 i, n;

	n = rows->nrows > (size_t)limit ? (size_t)limit : rows->nrows;
	for (i = 0; i < n; i++)
		json_object_array_add(arr, row_json(rows, i));
	page_respond(r, arr, n ? atoll(db_cell(rows, n - 1, rowid_col)) : 0,
	    rows->nrows > n);
}

/* --- a page written straight into the response ---------------------- */

/*
 * Start the answer {"data":[ in the response body, for rows fetched
 * with LIMIT limit + 1 and handed to page_write_row; write_row puts
 * each, rowid_col is the column of the row id the cursor carries.
 */
void
page_write_begin(struct req *r, struct page_writer *pw, long long limit,
    size_t rowid_col, page_write_fn write_row)
{
	memset(pw, 0, sizeof(*pw));
	pw->limit = limit;
	pw->rowid_col = rowid_col;
	pw->write_row = write_row;
	r->out.body.len = 0;
	/* Room for a page of rows of a typical size at once: growing by
	 * doubling from 256 bytes copied a 50-row page eight times. */
	(void)buf_reserve(&r->out.body, PAGE_ROW_GUESS * (size_t)(limit + 1));
	jsonw_init(&pw->w, &r->out.body);
	jsonw_obj_open(&pw->w, NULL);
	jsonw_arr_open(&pw->w, "data");
}

/* db_query_each's callback: the row into the page, or, past the limit,
 * the sign that more follow (and the fetch stops). */
int
page_write_row(const struct db_row *row, void *arg)
{
	struct page_writer	*pw = arg;
	const char		*id = row->cells[pw->rowid_col];

	if (pw->n == (size_t)pw->limit) {
		pw->more = 1;
		return 0;
	}
	if (!pw->write_row(&pw->w, NULL, row->cells))
		return 0;
	pw->last_id = id != NULL ? atoll(id) : 0;
	pw->n++;
	return 1;
}

/*
 * End the page begun by page_write_begin: ],"nextCursor":…} (a cursor
 * after the last row when more follow, else null) and 200; or, when the
 * query failed (code), 503, and when the writer did, 500.
 */
void
page_write_end(struct req *r, struct page_writer *pw, enum db_code code)
{
	char	 enc[PAGE_CURSOR_BUFSZ];

	if (code != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		return;
	}
	jsonw_arr_close(&pw->w);
	if (pw->more) {
		page_cursor(pw->last_id, enc);
		jsonw_str(&pw->w, "nextCursor", enc);
	} else
		jsonw_null(&pw->w, "nextCursor");
	jsonw_obj_close(&pw->w);
	if (!jsonw_done(&pw->w))
		req_resp_error(r, 500, NULL, "out of memory");
	else
		req_resp_written(r, 200);
}

/*
 * Rows of a parent joined with its children (a parent per run of rows
 * with one row id in column rowid_col) as an array of at most max
 * parents: head makes a parent's object from its first row, child adds
 * each row's child to it. *n is how many parents were seen (max + 1
 * when more follow), *last the row id of the last one kept.
 */
struct json_object *
page_group_rows(const struct db_rows *rows, size_t rowid_col, size_t max,
    page_row_fn head, page_child_fn child, size_t *n, long long *last)
{
	struct json_object	*arr = json_object_new_array(), *parent = NULL;
	long long		 id, prev = 0;
	size_t			 i;

	*n = 0;
	*last = 0;
	for (i = 0; i < rows->nrows; i++) {
		id = atoll(db_cell(rows, i, rowid_col));
		if (parent == NULL || id != prev) {
			if ((*n)++ == max)
				break;
			parent = head(rows, i);
			json_object_array_add(arr, parent);
			prev = *last = id;
		}
		child(parent, rows, i);
	}
	return arr;
}
