/*
 * export.c - a case's exports behind capability URLs, and its artifacts.
 *
 * An export of an approved case is built once (JSON as the contract
 * shows it, or one CSV row written with libcsv), stored with the hash of
 * a 32-byte random token, and served by GET /api/exports/{name} to
 * whoever holds the name until it expires (24 hours; then 410). Only the
 * token's keyed hash is kept, so the database alone cannot rebuild a
 * link. An artifact (a PDF, PNG or JPEG of the invoice, magic bytes
 * checked) is kept in the database; a JSON export may carry a link of
 * its own for each, which serves the artifact's bytes with no copy.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>
#include <json-c/json.h>
#include <sodium.h>

#include "cases/cases.h"

#define EXPORT_TOKEN_BYTES	32
#define EXPORT_TOKEN_HEX	(2 * EXPORT_TOKEN_BYTES)
#define EXPORT_PATH		"/api/exports/"
#define EXPORT_KIND_EXPORT	"export"
#define EXPORT_KIND_ARTIFACT	"artifact"
#define EXPORT_BASE_MAX		512
#define EXPORT_URL_MAX		(EXPORT_BASE_MAX + 128)
#define ARTIFACT_MAX_BYTES	8388608		/* 8 MiB, the limit */
#define ARTIFACT_ID_PREFIX	"artifact-"
#define ARTIFACT_NAME_MAX	255		/* characters */

enum export_sql_id {
	SQL_EXPIRY, SQL_LINK_INSERT, SQL_LINK_BY_HASH, SQL_ARTIFACT_INSERT,
	SQL_ARTIFACT_CREATED, SQL_ARTIFACT_LIST, EXPORT_SQL__MAX
};

static const char *const export_sql[EXPORT_SQL__MAX] = {
	/* Whole seconds: the answer's expires_at reads as the contract's. */
	[SQL_EXPIRY] =
	    "SELECT NOW() + INTERVAL 24 HOUR",
	[SQL_LINK_INSERT] =
	    "INSERT INTO invoice_case_exports (token_hash, org_id, case_id,"
	    " artifact_id, format, content_type, filename, size_bytes, body,"
	    " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* The one query not scoped by organization: the token is the
	 * credential, and the row names the organization; the artifact is
	 * joined within it. An expired link's bytes are not read. */
	[SQL_LINK_BY_HASH] =
	    "SELECT e.artifact_id IS NOT NULL, e.format, e.filename,"
	    " e.size_bytes, e.expires_at <= NOW(3),"
	    " IF(e.expires_at <= NOW(3), NULL, COALESCE(e.body, a.body))"
	    " FROM invoice_case_exports e"
	    " LEFT JOIN invoice_case_artifacts a ON a.id = e.artifact_id"
	    " AND a.org_id = e.org_id"
	    " WHERE e.token_hash = ?",
	[SQL_ARTIFACT_INSERT] =
	    "INSERT INTO invoice_case_artifacts (public_id, case_id, org_id,"
	    " filename, content_type, size_bytes, sha256, body, created_by)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[SQL_ARTIFACT_CREATED] =
	    "SELECT created_at FROM invoice_case_artifacts"
	    " WHERE org_id = ? AND id = ?",
	[SQL_ARTIFACT_LIST] =
	    "SELECT id, public_id, filename, content_type, size_bytes, sha256,"
	    " created_at FROM invoice_case_artifacts"
	    " WHERE org_id = ? AND case_id = ? ORDER BY id",
};

const struct db_stmts export_stmts = {
	"export", export_sql, EXPORT_SQL__MAX, NULL, 0
};

enum artifact_col {
	AC_ROWID, AC_ID, AC_FILENAME, AC_TYPE, AC_SIZE, AC_SHA256, AC_CREATED
};

/* The artifact types taken, each known by its first bytes. */
struct artifact_type {
	const char	*content_type, *ext, *magic;
	size_t		 magic_len;
};
static const struct artifact_type artifact_types[] = {
	{ "application/pdf", "pdf", "%PDF-", 5 },
	{ "image/png", "png", "\x89PNG\r\n\x1a\n", 8 },
	{ "image/jpeg", "jpg", "\xFF\xD8\xFF", 3 },
};
#define ARTIFACT_NTYPES	(sizeof(artifact_types) / sizeof(artifact_types[0]))

/* What an export link serves, by its format (the name's extension). */
struct export_format {
	const char	*format, *content_type;
};
static const struct export_format export_formats[] = {
	{ "json", "application/json" },
	{ "csv", "text/csv; charset=utf-8" },
};

/* --- the CSV writer --------------------------------------------------- */

/* 1 when a cell would start a formula in a spreadsheet (OWASP's list:
 * = + - @, and tab and CR, which some of them skip first). */
static int
export_csv_formula(const char *s)
{
	return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

/* 1 when RFC 4180 wants the cell quoted: a comma, quote, CR or LF; and a
 * space or tab at either end, which libcsv's reader would trim. */
static int
export_csv_needs_quotes(const char *s, size_t n)
{
	return strpbrk(s, ",\"\r\n") != NULL || (n > 0 &&
	    (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'));
}

/* One cell onto b: a leading ' when it could start a formula, then, when
 * it needs them, libcsv's quoting (csv_write doubles inner quotes). */
static int
export_csv_cell(struct buf *b, const char *s)
{
	char	*cell, *quoted = NULL;
	size_t	 n, need;
	int	 ok;

	n = strlen(s) + 1;
	if ((cell = malloc(n + 1)) == NULL)
		return 0;
	snprintf(cell, n + 1, "%s%s", export_csv_formula(s) ? "'" : "", s);
	n = strlen(cell);
	if (!export_csv_needs_quotes(cell, n)) {
		ok = buf_append(b, cell, n);
		free(cell);
		return ok;
	}
	need = csv_write(NULL, 0, cell, n);
	if ((quoted = malloc(need)) == NULL) {
		free(cell);
		return 0;
	}
	ok = csv_write(quoted, need, cell, n) == need &&
	    buf_append(b, quoted, need);
	free(quoted);
	free(cell);
	return ok;
}

/* One record of n cells, comma separated, ending in CRLF. */
static int
export_csv_record(struct buf *b, const char *const *cells, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((i > 0 && !buf_puts(b, ",")) ||
		    !export_csv_cell(b, cells[i]))
			return 0;
	return buf_puts(b, "\r\n");
}

/*
 * The CSV export of c onto b (RFC 4180: CRLF, quotes doubled; UTF-8, no
 * byte order mark): the header
 * case_id,invoice_number,invoice_date,vendor_name,subtotal,tax,total and
 * one row, amounts with two decimals. Line items are not part of the CSV
 * (one row per case, the contract's columns); the JSON export has them.
 * A cell that could start a spreadsheet formula gets a leading '.
 * 1, or 0 when out of memory.
 */
int
export_csv(const struct invoice_case *c, struct buf *b)
{
	static const char *const header[] = { "case_id", "invoice_number",
	    "invoice_date", "vendor_name", "subtotal", "tax", "total" };
	char		 sub[DECIMAL_BUFSZ], tax[DECIMAL_BUFSZ],
			 tot[DECIMAL_BUFSZ];
	const char	*row[7];

	decimal_format_money(c->subtotal, sub);
	decimal_format_money(c->tax, tax);
	decimal_format_money(c->total, tot);
	row[0] = c->id;
	row[1] = c->invoice_number;
	row[2] = c->invoice_date;
	row[3] = c->vendor_name;
	row[4] = sub;
	row[5] = tax;
	row[6] = tot;
	return export_csv_record(b, header, 7) && export_csv_record(b, row, 7);
}

/* --- capability links ------------------------------------------------- */

/*
 * Split an export name, "<kind>-<64 hex>.<ext>" with kind export or
 * artifact, into n. 1 when it has that shape; 0 for anything else (the
 * caller answers 404 alike: a name is found or it is not).
 */
int
export_name_parse(const char *name, struct export_name *n)
{
	const char	*p;
	size_t		 i, k;

	memset(n, 0, sizeof(*n));
	if (strncmp(name, EXPORT_KIND_EXPORT "-",
	    sizeof(EXPORT_KIND_EXPORT)) == 0) {
		n->artifact = 0;
		p = name + sizeof(EXPORT_KIND_EXPORT);
	} else if (strncmp(name, EXPORT_KIND_ARTIFACT "-",
	    sizeof(EXPORT_KIND_ARTIFACT)) == 0) {
		n->artifact = 1;
		p = name + sizeof(EXPORT_KIND_ARTIFACT);
	} else
		return 0;
	for (i = 0; i < EXPORT_TOKEN_HEX; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		    (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	memcpy(n->token, p, EXPORT_TOKEN_HEX);
	n->token[EXPORT_TOKEN_HEX] = '\0';
	p += EXPORT_TOKEN_HEX;
	if (*p++ != '.')
		return 0;
	for (k = 0; p[k] != '\0'; k++)
		if (k + 1 >= sizeof(n->ext) || !islower((unsigned char)p[k]))
			return 0;
	if (k == 0)
		return 0;
	memcpy(n->ext, p, k + 1);
	return 1;
}

/* A new link: its token (hex, for the URL) and the hash that is stored. */
struct export_token {
	char		 hex[EXPORT_TOKEN_HEX + 1];
	unsigned char	 hash[32];
};

static void
export_token_new(struct export_token *t)
{
	unsigned char	 raw[EXPORT_TOKEN_BYTES];

	randombytes_buf(raw, sizeof(raw));
	util_hex(raw, sizeof(raw), t->hex);
	sodium_memzero(raw, sizeof(raw));
	crypto_key_hash(t->hex, EXPORT_TOKEN_HEX, t->hash);
}

/* A link row to write: what it serves, to whom, until when. */
struct export_link {
	long long	 org_id, case_rowid, artifact_rowid;	/* 0: none */
	const char	*format, *content_type, *filename, *expires;
	const char	*body;		/* NULL for an artifact's link */
	size_t		 size;
};

/* Store l under a new token and write its URL (base + path) into url. */
static enum db_code
export_link_store(struct db *db, const struct export_link *l,
    const char *base, char url[EXPORT_URL_MAX])
{
	struct export_token	 t;
	enum db_code		 code;

	export_token_new(&t);
	code = db_exec(db, export_sql[SQL_LINK_INSERT], DB_PARAMS(
	    DB_BLOB(t.hash, sizeof(t.hash)), DB_INT(l->org_id),
	    DB_INT(l->case_rowid), DB_ID(l->artifact_rowid), DB_STR(l->format),
	    DB_STR(l->content_type), DB_STR(l->filename),
	    DB_INT((long long)l->size), l->body ? DB_BLOB(l->body, l->size) :
	    DB_NULL, DB_STR(l->expires)));
	snprintf(url, EXPORT_URL_MAX, "%s" EXPORT_PATH "%s-%s.%s", base,
	    l->artifact_rowid ? EXPORT_KIND_ARTIFACT : EXPORT_KIND_EXPORT,
	    t.hex, l->format);
	sodium_memzero(&t, sizeof(t));
	return code;
}

/* A Host header fit to stand in a URL: a name or address and a port. */
static int
export_host_ok(const char *h)
{
	size_t	 n = h ? strlen(h) : 0;

	return n > 0 && n < 256 && strspn(h, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == n;
}

/* Where links point: conf base_url when set, else the scheme and Host of
 * this request; without a trailing slash. 0 after answering 400. */
static int
export_base(struct req *r, char base[EXPORT_BASE_MAX])
{
	const char	*host = req_header(r, "host");
	size_t		 n;

	if (r->conf != NULL && r->conf->base_url != NULL &&
	    r->conf->base_url[0] != '\0')
		snprintf(base, EXPORT_BASE_MAX, "%s", r->conf->base_url);
	else if (export_host_ok(host))
		snprintf(base, EXPORT_BASE_MAX, "%s://%s",
		    r->in.https ? "https" : "http", host);
	else {
		req_resp_error(r, 400, "invalid_request", "Host: expected a "
		    "host name to build the export's URL on");
		return 0;
	}
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		base[--n] = '\0';
	return 1;
}

/* --- building an export ----------------------------------------------- */

struct export_opts {
	const char	*format;	/* "json" or "csv" */
	int		 line_items, artifacts;
};

/* The request body: format (required), include_line_items (true),
 * include_artifacts (false); 0 after answering 400 naming the field. */
static int
export_read(struct req *r, struct json_object *b, struct export_opts *o)
{
	static const char *const formats[] = { "json", "csv", NULL };

	o->format = NULL;
	o->line_items = 1;
	o->artifacts = 0;
	return valid_object(r, b) &&
	    valid_enum(r, b, "format", 1, formats, &o->format) &&
	    valid_bool(r, b, "include_line_items", &o->line_items) &&
	    valid_bool(r, b, "include_artifacts", &o->artifacts);
}

/* The contract's fields of c, in its order. */
static struct json_object *
export_json_case(const struct invoice_case *c, int with_lines)
{
	struct json_object	*o = json_object_new_object(), *a, *l;
	size_t			 i;

	json_put_str(o, "case_id", c->id);
	json_put_str(o, "invoice_number", c->invoice_number);
	json_put_str(o, "invoice_date", c->invoice_date);
	json_put_str(o, "vendor_name", c->vendor_name);
	json_put_str(o, "vendor_id", c->vendor_ref);
	json_object_object_add(o, "subtotal", decimal_money_json(c->subtotal));
	json_object_object_add(o, "tax", decimal_money_json(c->tax));
	json_object_object_add(o, "total", decimal_money_json(c->total));
	if (with_lines) {
		a = json_object_new_array();
		for (i = 0; i < c->nlines; i++) {
			l = json_object_new_object();
			json_put_str(l, "sku", c->lines[i].sku);
			json_put_str(l, "description", c->lines[i].description);
			json_object_object_add(l, "quantity",
			    decimal_to_json(c->lines[i].quantity));
			json_object_object_add(l, "unit_price",
			    decimal_money_json(c->lines[i].unit_price));
			json_object_object_add(l, "line_total",
			    decimal_money_json(c->lines[i].line_total));
			json_object_array_add(a, l);
		}
		json_object_object_add(o, "line_items", a);
	}
	json_put_str(o, "approved_by", c->decided_by);
	json_object_object_add(o, "approved_at", json_time(c->decided_at));
	return o;
}

static const struct artifact_type *
artifact_type_of(const char *content_type)
{
	size_t	 i;

	for (i = 0; content_type != NULL && i < ARTIFACT_NTYPES; i++)
		if (strcmp(artifact_types[i].content_type, content_type) == 0)
			return &artifact_types[i];
	return NULL;
}

/* One artifact of the JSON export, with a link of its own. */
static enum db_code
export_json_artifact(struct db *db, const struct export_link *base_link,
    const struct db_rows *rows, size_t i, const char *base,
    struct json_object *arr)
{
	const struct artifact_type	*t;
	struct export_link		 l = *base_link;
	struct json_object		*o;
	char				 url[EXPORT_URL_MAX];
	enum db_code			 code;

	if ((t = artifact_type_of(db_cell(rows, i, AC_TYPE))) == NULL)
		return DB_ERROR;
	l.artifact_rowid = atoll(db_cell(rows, i, AC_ROWID));
	l.format = t->ext;
	l.content_type = t->content_type;
	l.filename = db_cell(rows, i, AC_FILENAME);
	l.size = (size_t)atoll(db_cell(rows, i, AC_SIZE));
	l.body = NULL;
	if ((code = export_link_store(db, &l, base, url)) != DB_OK)
		return code;
	o = json_object_new_object();
	json_put_str(o, "artifact_id", db_cell(rows, i, AC_ID));
	json_put_str(o, "filename", l.filename);
	json_put_str(o, "content_type", t->content_type);
	json_object_object_add(o, "size_bytes",
	    json_object_new_int64((int64_t)l.size));
	json_put_str(o, "sha256", db_cell(rows, i, AC_SHA256));
	json_put_str(o, "url", url);
	json_object_object_add(o, "expires_at", json_time(l.expires));
	json_object_array_add(arr, o);
	return DB_OK;
}

/* "artifacts": each of the case's artifacts with its own link, expiring
 * with the export. */
static enum db_code
export_json_artifacts(struct db *db, const struct export_link *base_link,
    const char *base, struct json_object *doc)
{
	struct db_rows		*rows = NULL;
	struct json_object	*arr;
	enum db_code		 code;
	size_t			 i;

	if ((code = db_query(db, &rows, export_sql[SQL_ARTIFACT_LIST],
	    DB_PARAMS(DB_INT(base_link->org_id),
	    DB_INT(base_link->case_rowid)))) != DB_OK)
		return code;
	arr = json_object_new_array();
	json_object_object_add(doc, "artifacts", arr);
	for (i = 0; i < rows->nrows && code == DB_OK; i++)
		code = export_json_artifact(db, base_link, rows, i, base, arr);
	db_rows_free(rows);
	return code;
}

/* The export's bytes into out, as o asks. */
static enum db_code
export_build(struct db *db, const struct invoice_case *c,
    const struct export_opts *o, const struct export_link *base_link,
    const char *base, struct buf *out)
{
	struct json_object	*doc;
	enum db_code		 code = DB_OK;

	/* One row per case, the contract's columns: include_line_items and
	 * include_artifacts are for the JSON export only. */
	if (strcmp(o->format, "csv") == 0)
		return export_csv(c, out) ? DB_OK : DB_ERROR;
	doc = export_json_case(c, o->line_items);
	if (o->artifacts)
		code = export_json_artifacts(db, base_link, base, doc);
	if (code == DB_OK && !buf_puts(out, json_to_str(doc)))
		code = DB_ERROR;
	json_object_put(doc);
	return code;
}

static const char *
export_content_type(const char *format)
{
	size_t	 i;

	for (i = 0; i < sizeof(export_formats) / sizeof(export_formats[0]);
	    i++)
		if (strcmp(export_formats[i].format, format) == 0)
			return export_formats[i].content_type;
	return NULL;
}

/* The expiry of links made now, as SQL DATETIME text into out. */
static enum db_code
export_expiry(struct db *db, char out[32])
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	if ((code = db_query(db, &rows, export_sql[SQL_EXPIRY], DB_NONE)) ==
	    DB_OK) {
		if (rows->nrows == 1 && db_cell(rows, 0, 0) != NULL)
			snprintf(out, 32, "%s", db_cell(rows, 0, 0));
		else
			code = DB_ERROR;
	}
	db_rows_free(rows);
	return code;
}

/* Build, store and audit the export of c; its answer into *res. */
static enum db_code
export_make(struct req *r, const struct invoice_case *c,
    const struct export_opts *o, const char *base, struct json_object **res)
{
	struct export_link	 l;
	struct buf		 body;
	char			 expires[32], filename[CASE_PUBLIC_ID_LEN + 8],
				 url[EXPORT_URL_MAX], actor[256], detail[200];
	enum db_code		 code;

	buf_init(&body);
	if ((code = export_expiry(r->db, expires)) != DB_OK)
		goto out;
	memset(&l, 0, sizeof(l));
	l.org_id = r->principal.org_id;
	l.case_rowid = c->rowid;
	l.expires = expires;
	if ((code = export_build(r->db, c, o, &l, base, &body)) != DB_OK)
		goto out;
	snprintf(filename, sizeof(filename), "%s.%s", c->id, o->format);
	l.format = o->format;
	l.content_type = export_content_type(o->format);
	l.filename = filename;
	l.body = body.data ? body.data : "";
	l.size = body.len;
	if ((code = export_link_store(r->db, &l, base, url)) != DB_OK)
		goto out;
	principal_actor(&r->principal, actor, sizeof(actor));
	snprintf(detail, sizeof(detail), "%zu bytes, line items %s, artifacts "
	    "%s, expires %s", body.len, o->line_items ? "yes" : "no",
	    o->artifacts ? "yes" : "no", expires);
	if ((code = cases_audit(r->db, r->principal.org_id, c->rowid, actor,
	    "export", o->format, detail)) != DB_OK)
		goto out;
	*res = json_object_new_object();
	json_put_str(*res, "export_url", url);
	json_object_object_add(*res, "expires_at", json_time(expires));
	json_put_str(*res, "format", o->format);
	json_object_object_add(*res, "size_bytes",
	    json_object_new_int64((int64_t)body.len));
out:
	buf_cleanup(&body);
	return code;
}

/* POST /api/cases/{id}/export */
void
export_create(struct req *r)
{
	struct json_object	*b = req_json_body(r), *res = NULL;
	struct invoice_case	 c;
	struct export_opts	 o;
	char			 base[EXPORT_BASE_MAX];
	enum db_code		 code;

	memset(&c, 0, sizeof(c));
	if (b == NULL)
		return;
	if (!export_read(r, b, &o) || !export_base(r, base))
		goto out;
	code = cases_load(r->db, r->principal.org_id, r->args[0], 0, &c);
	if (code == DB_NOTFOUND) {
		req_resp_error(r, 404, "CASE_NOT_FOUND", "no case %s",
		    r->args[0]);
		goto out;
	}
	if (code == DB_OK && !cases_may_integrate(c.status)) {
		req_resp_error(r, 403, "CASE_NOT_APPROVED", "case %s is %s; only "
		    "an approved case can be exported", c.id, c.status);
		goto out;
	}
	if (code != DB_OK || export_make(r, &c, &o, base, &res) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	req_resp_json(r, 200, res);
out:
	cases_release(&c);
	json_object_put(b);
}

/* --- serving a link --------------------------------------------------- */

/* Content-Disposition: attachment with an ASCII fallback name (any other
 * character than letters, digits, . _ - becomes one _) and the UTF-8 name
 * of RFC 6266 / RFC 8187, percent-encoded. */
static void
export_disposition(struct req *r, const char *filename)
{
	static const char	 attr[] = "!#$&+-.^_`|~";
	struct buf		 h;
	const unsigned char	*p;
	char			*ascii;
	size_t			 j = 0;
	int			 ok;

	if ((ascii = malloc(strlen(filename) + 1)) == NULL)
		return;
	for (p = (const unsigned char *)filename; *p != '\0'; p++)
		if (isalnum(*p) || strchr("._-", *p) != NULL)
			ascii[j++] = (char)*p;
		else if ((*p & 0xC0) != 0x80)	/* not a continuation byte */
			ascii[j++] = '_';
	ascii[j] = '\0';
	buf_init(&h);
	ok = buf_printf(&h, "attachment; filename=\"%s\"; filename*=UTF-8''",
	    ascii);
	for (p = (const unsigned char *)filename; ok && *p != '\0'; p++)
		ok = isalnum(*p) || strchr(attr, *p) != NULL ?
		    buf_append(&h, p, 1) : buf_printf(&h, "%%%02X", *p);
	if (ok)
		req_resp_header(r, "Content-Disposition", h.data);
	buf_cleanup(&h);
	free(ascii);
}

enum link_col {
	LC_ARTIFACT, LC_FORMAT, LC_FILENAME, LC_SIZE, LC_EXPIRED, LC_BODY
};

/* The static content type a link of format serves (an artifact's by its
 * extension), so that it outlives the row it was read from. */
static const char *
export_link_type(int artifact, const char *format)
{
	size_t	 i;

	if (!artifact)
		return export_content_type(format);
	for (i = 0; i < ARTIFACT_NTYPES; i++)
		if (strcmp(artifact_types[i].ext, format) == 0)
			return artifact_types[i].content_type;
	return NULL;
}

/* GET /api/exports/{name}: the name is the credential. */
void
export_download(struct req *r)
{
	struct export_name	 n;
	struct db_rows		*rows = NULL;
	unsigned char		 hash[32];
	const char		*type, *body;
	size_t			 len;
	int			 artifact;

	if (!export_name_parse(r->args[0], &n))
		goto notfound;
	crypto_key_hash(n.token, EXPORT_TOKEN_HEX, hash);
	sodium_memzero(n.token, sizeof(n.token));
	/* Found by its hash alone: the secret is never compared as text. */
	if (db_query(r->db, &rows, export_sql[SQL_LINK_BY_HASH], DB_PARAMS(
	    DB_BLOB(hash, sizeof(hash)))) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	if (rows->nrows == 0)
		goto notfound;
	/* A name is exactly as it was given out: kind and extension too. */
	artifact = strcmp(db_cell(rows, 0, LC_ARTIFACT), "1") == 0;
	if (artifact != n.artifact ||
	    strcmp(db_cell(rows, 0, LC_FORMAT), n.ext) != 0)
		goto notfound;
	if (strcmp(db_cell(rows, 0, LC_EXPIRED), "1") == 0) {
		req_resp_error(r, 410, "EXPORT_EXPIRED", "this export link has "
		    "expired; create a new export");
		goto out;
	}
	body = db_cell(rows, 0, LC_BODY);
	len = body ? rows->lens[LC_BODY] : 0;
	type = export_link_type(artifact, n.ext);
	if (body == NULL || type == NULL ||
	    (long long)len != atoll(db_cell(rows, 0, LC_SIZE))) {
		log_error("export: link of %s serves no body or not its size",
		    n.ext);
		req_resp_error(r, 500, NULL, "the export cannot be served");
		goto out;
	}
	r->out.body.len = 0;
	if (!buf_append(&r->out.body, body, len)) {
		req_resp_error(r, 503, NULL, "out of memory");
		goto out;
	}
	r->out.content_type = type;
	export_disposition(r, db_cell(rows, 0, LC_FILENAME));
	req_resp_written(r, 200);
	goto out;
notfound:
	req_resp_error(r, 404, "EXPORT_NOT_FOUND", "no such export");
out:
	db_rows_free(rows);
}

/* --- artifacts -------------------------------------------------------- */

/* The media type of the request (without parameters, lowercased) is one
 * of the artifact types; NULL else. */
static const struct artifact_type *
artifact_type_of_request(const struct req *r)
{
	const char	*h = req_header(r, "content-type");
	char		 t[64];
	size_t		 n, i;

	if (h == NULL)
		return NULL;
	while (*h == ' ' || *h == '\t')
		h++;
	n = strcspn(h, ";");
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(t))
		return NULL;
	for (i = 0; i < n; i++)
		t[i] = (char)tolower((unsigned char)h[i]);
	t[n] = '\0';
	return artifact_type_of(t);
}

/* 1 when name can be a file's name: no path separator, no control
 * character, not . or .. (its length is checked by the caller). */
int
artifact_filename_ok(const char *name)
{
	const unsigned char	*p;

	if (name[0] == '\0' || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return 0;
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
			return 0;
	return 1;
}

/* ?filename= (1..255 characters, a plain name) into name, else
 * artifact.<ext>. 0 after answering 400. */
static int
artifact_filename(struct req *r, const struct artifact_type *t,
    char name[4 * ARTIFACT_NAME_MAX + 1])
{
	char	*q = NULL;
	int	 ok = 1;

	if (!query_string(r, "filename", ARTIFACT_NAME_MAX, &q))
		return 0;
	if (q == NULL)
		snprintf(name, 4 * ARTIFACT_NAME_MAX + 1, "artifact.%s",
		    t->ext);
	else if (!artifact_filename_ok(q)) {
		req_resp_error(r, 400, "invalid_query", "filename: expected 1 "
		    "to %d characters, no path separator or control "
		    "character", ARTIFACT_NAME_MAX);
		ok = 0;
	} else
		snprintf(name, 4 * ARTIFACT_NAME_MAX + 1, "%s", q);
	free(q);
	return ok;
}

/* The raw body against its declared type: 0 after answering 400 (empty),
 * 413 (over 8 MiB), 415 (not a PDF, PNG or JPEG type) or 422 (the bytes
 * are not of that type). */
static int
artifact_read(struct req *r, const struct artifact_type **t)
{
	const struct buf	*b = &r->in.body;

	if (b->len == 0) {
		req_resp_error(r, 400, "invalid_body", "body: empty; send the "
		    "file's bytes as the body");
		return 0;
	}
	if (b->len > ARTIFACT_MAX_BYTES) {
		req_resp_error(r, 413, NULL, "body: larger than %d bytes",
		    ARTIFACT_MAX_BYTES);
		return 0;
	}
	if ((*t = artifact_type_of_request(r)) == NULL) {
		req_resp_error(r, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type: "
		    "expected application/pdf, image/png or image/jpeg");
		return 0;
	}
	if (b->len < (*t)->magic_len ||
	    memcmp(b->data, (*t)->magic, (*t)->magic_len) != 0) {
		req_resp_error(r, 422, "VALIDATION_ERROR", "body: is not a %s "
		    "file (its first bytes do not match %s)", (*t)->ext,
		    (*t)->content_type);
		return 0;
	}
	return 1;
}

/* The new artifact's answer: its row read back for created_at. */
static enum db_code
artifact_answer(struct db *db, long long org_id, long long rowid,
    const char *id, const char *filename, const struct artifact_type *t,
    size_t size, const char *sha, struct json_object **res)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	if ((code = db_query(db, &rows, export_sql[SQL_ARTIFACT_CREATED],
	    DB_PARAMS(DB_INT(org_id), DB_INT(rowid)))) != DB_OK)
		return code;
	if (rows->nrows == 1) {
		*res = json_object_new_object();
		json_put_str(*res, "artifact_id", id);
		json_put_str(*res, "filename", filename);
		json_put_str(*res, "content_type", t->content_type);
		json_object_object_add(*res, "size_bytes",
		    json_object_new_int64((int64_t)size));
		json_put_str(*res, "sha256", sha);
		json_object_object_add(*res, "created_at",
		    json_time(db_cell(rows, 0, 0)));
	} else
		code = DB_ERROR;
	db_rows_free(rows);
	return code;
}

/* Store the request's body as an artifact of c, audited. */
static enum db_code
artifact_store(struct req *r, const struct invoice_case *c,
    const struct artifact_type *t, const char *filename,
    struct json_object **res)
{
	unsigned char	 digest[crypto_hash_sha256_BYTES];
	char		 sha[2 * crypto_hash_sha256_BYTES + 1], uuid[37],
			 id[CASE_PUBLIC_ID_LEN], actor[256], detail[1200];
	const struct buf *b = &r->in.body;
	long long	 rowid;
	enum db_code	 code;

	crypto_hash_sha256(digest, (const unsigned char *)b->data, b->len);
	util_hex(digest, sizeof(digest), sha);
	crypto_uuid7(uuid);
	snprintf(id, sizeof(id), ARTIFACT_ID_PREFIX "%s", uuid);
	principal_actor(&r->principal, actor, sizeof(actor));
	if ((code = db_exec(r->db, export_sql[SQL_ARTIFACT_INSERT], DB_PARAMS(
	    DB_STR(id), DB_INT(c->rowid), DB_INT(r->principal.org_id),
	    DB_STR(filename), DB_STR(t->content_type),
	    DB_INT((long long)b->len), DB_STR(sha), DB_BLOB(b->data, b->len),
	    DB_STR(actor)))) != DB_OK)
		return code;
	rowid = (long long)db_insert_id(r->db);
	snprintf(detail, sizeof(detail), "%s %s, %s, %zu bytes, sha256 %s", id,
	    filename, t->content_type, b->len, sha);
	if ((code = cases_audit(r->db, r->principal.org_id, c->rowid, actor,
	    "artifact", "stored", detail)) != DB_OK)
		return code;
	return artifact_answer(r->db, r->principal.org_id, rowid, id,
	    filename, t, b->len, sha, res);
}

/* POST /api/cases/{id}/artifacts: the raw body is the file. */
void
artifacts_upload(struct req *r)
{
	const struct artifact_type	*t;
	struct invoice_case		 c;
	struct json_object		*res = NULL;
	char				 filename[4 * ARTIFACT_NAME_MAX + 1];
	enum db_code			 code;

	memset(&c, 0, sizeof(c));
	if (!artifact_read(r, &t) || !artifact_filename(r, t, filename))
		goto out;
	code = cases_load(r->db, r->principal.org_id, r->args[0], 0, &c);
	if (code == DB_NOTFOUND) {
		req_resp_error(r, 404, "CASE_NOT_FOUND", "no case %s",
		    r->args[0]);
		goto out;
	}
	if (code != DB_OK || artifact_store(r, &c, t, filename, &res) !=
	    DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	req_resp_json(r, 201, res);
out:
	cases_release(&c);
}

/*
 * Add "artifacts" to the case JSON o: each artifact of the case (row id)
 * without its bytes. On a database failure it is null (and logged).
 */
void
artifacts_list_json(struct db *db, long long org_id, long long case_rowid,
    struct json_object *o)
{
	struct db_rows		*rows = NULL;
	struct json_object	*a, *e;
	size_t			 i;

	if (db_query(db, &rows, export_sql[SQL_ARTIFACT_LIST], DB_PARAMS(
	    DB_INT(org_id), DB_INT(case_rowid))) != DB_OK) {
		log_error("export: artifacts of case %lld: %s", case_rowid,
		    db_errstr(db));
		json_object_object_add(o, "artifacts", NULL);
		return;
	}
	a = json_object_new_array();
	for (i = 0; i < rows->nrows; i++) {
		e = json_object_new_object();
		json_put_str(e, "artifact_id", db_cell(rows, i, AC_ID));
		json_put_str(e, "filename", db_cell(rows, i, AC_FILENAME));
		json_put_str(e, "content_type", db_cell(rows, i, AC_TYPE));
		json_object_object_add(e, "size_bytes", json_object_new_int64(
		    atoll(db_cell(rows, i, AC_SIZE))));
		json_put_str(e, "sha256", db_cell(rows, i, AC_SHA256));
		json_object_object_add(e, "created_at",
		    json_time(db_cell(rows, i, AC_CREATED)));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "artifacts", a);
	db_rows_free(rows);
}
