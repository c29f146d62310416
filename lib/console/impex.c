/*
 * impex.c - the console's import/export page (issue 13): the
 * organization's items, inventory or blueprints downloaded as CSV or
 * JSON (impex_export, streamed as the API streams it), and a file
 * uploaded (multipart/form-data) and imported through impex_import, in
 * the request's one transaction, answered with its result: the counts,
 * whether it was a dry run, and the rows refused with their field and
 * reason. Works without JavaScript. Admins only.
 */
#include <stdlib.h>
#include <string.h>

#include "console/console.h"
#include "impex/impex.h"

struct impex_page_kind {
	const char	*name, *label, *columns;
	enum impex_kind	 kind;
};
static const struct impex_page_kind impex_page_kinds[] = {
	{ "items", "Items", "id, name, description, category, subcategory, "
	    "rarity, metadata", IMPEX_ITEMS },
	{ "inventory", "Inventory (stock per location)", "item_id, "
	    "location_id, quantity, reserved_quantity", IMPEX_INVENTORY },
	{ "blueprints", "Blueprints", "id, name, description, category, "
	    "crafting_time_minutes, output_item_id, output_quantity, "
	    "is_public, blueprint_data", IMPEX_BLUEPRINTS },
};
#define IMPEX_PAGE_NKINDS \
	(sizeof(impex_page_kinds) / sizeof(impex_page_kinds[0]))

struct impex_page_format {
	const char		*name, *label;
	enum impex_format	 format;
};
static const struct impex_page_format impex_page_formats[] = {
	{ "csv", "CSV", IMPEX_CSV },
	{ "json", "JSON", IMPEX_JSON },
};
#define IMPEX_PAGE_NFORMATS \
	(sizeof(impex_page_formats) / sizeof(impex_page_formats[0]))

/* What the forms show chosen (the last choice, on a result page). */
struct impex_page_choice {
	const char	*kind;		/* a kind's name, or NULL */
	const char	*format;
	const char	*category;
	int		 update_existing, dry_run;
};

static const struct impex_page_kind *
impex_page_kind_find(const char *name)
{
	size_t	 i;

	for (i = 0; name != NULL && i < IMPEX_PAGE_NKINDS; i++)
		if (strcmp(name, impex_page_kinds[i].name) == 0)
			return &impex_page_kinds[i];
	return NULL;
}

static const struct impex_page_format *
impex_page_format_find(const char *name)
{
	size_t	 i;

	for (i = 0; name != NULL && i < IMPEX_PAGE_NFORMATS; i++)
		if (strcmp(name, impex_page_formats[i].name) == 0)
			return &impex_page_formats[i];
	return NULL;
}

/* <select> of the kinds, chosen selected. */
static void
impex_page_kind_select(struct req *r, const char *id, const char *chosen)
{
	size_t	 i;

	html_raw(r, "<select name=\"type\" id=\"");
	html_text(r, id);
	html_raw(r, "\">");
	for (i = 0; i < IMPEX_PAGE_NKINDS; i++) {
		html_raw(r, "<option value=\"");
		html_text(r, impex_page_kinds[i].name);
		html_raw(r, chosen && strcmp(chosen, impex_page_kinds[i].name)
		    == 0 ? "\" selected>" : "\">");
		html_text(r, impex_page_kinds[i].label);
		html_raw(r, "</option>");
	}
	html_raw(r, "</select>");
}

static void
impex_page_export_form(struct req *r, const struct impex_page_choice *c)
{
	size_t	 i;

	html_raw(r, "<h2 id=\"export-h\">Export</h2>\n<form method=\"get\" "
	    "action=\"/admin/import-export/export\" class=\"card\" "
	    "aria-labelledby=\"export-h\"><label for=\"export-type\">What to "
	    "export</label>");
	impex_page_kind_select(r, "export-type", c->kind);
	html_raw(r, "<label for=\"export-format\">Format</label><select "
	    "name=\"format\" id=\"export-format\">");
	for (i = 0; i < IMPEX_PAGE_NFORMATS; i++) {
		html_raw(r, "<option value=\"");
		html_text(r, impex_page_formats[i].name);
		html_raw(r, c->format && strcmp(c->format,
		    impex_page_formats[i].name) == 0 ? "\" selected>" : "\">");
		html_text(r, impex_page_formats[i].label);
		html_raw(r, "</option>");
	}
	html_raw(r, "</select><label for=\"export-category\">Category (items "
	    "only; empty for every item)</label><input name=\"category\" "
	    "id=\"export-category\" maxlength=\"100\" value=\"");
	html_text(r, c->category);
	html_raw(r, "\"><button>Export</button></form>\n");
}

static void
impex_page_import_form(struct req *r, const struct impex_page_choice *c)
{
	html_raw(r, "<h2 id=\"import-h\">Import</h2>\n<form method=\"post\" "
	    "action=\"/admin/import-export/import\" "
	    "enctype=\"multipart/form-data\" class=\"card\" "
	    "aria-labelledby=\"import-h\">");
	html_csrf(r);
	html_raw(r, "<label for=\"import-type\">What to import</label>");
	impex_page_kind_select(r, "import-type", c->kind);
	html_raw(r, "<label for=\"import-file\">File (CSV or JSON, columns "
	    "as an export has them; up to 50,000 rows)</label><input "
	    "type=\"file\" name=\"file\" id=\"import-file\" required "
	    "accept=\".csv,.json,text/csv,application/json\">"
	    "<label class=\"box\"><input type=\"checkbox\" "
	    "name=\"update_existing\" value=\"1\"");
	html_raw(r, c->update_existing ? " checked>" : ">");
	html_raw(r, " Update existing rows (by id, else by exact name); "
	    "unchecked, a row that exists is an error</label><label "
	    "class=\"box\"><input type=\"checkbox\" name=\"dry_run\" "
	    "value=\"1\"");
	html_raw(r, c->dry_run ? " checked>" : ">");
	html_raw(r, " Dry run: check every row and write nothing</label>"
	    "<button>Import</button></form>\n");
}

/* The columns each kind has, in the order exports write them. */
static void
impex_page_columns(struct req *r)
{
	size_t	 i;

	html_raw(r, "<h2>Columns</h2>\n<table class=\"columns\"><caption>"
	    "The columns of each kind of file, in the order an export writes "
	    "them (an import reads them by name, in any order)</caption>"
	    "<thead><tr><th scope=\"col\">What</th><th scope=\"col\">Columns"
	    "</th></tr></thead><tbody>");
	for (i = 0; i < IMPEX_PAGE_NKINDS; i++) {
		html_raw(r, "<tr><th scope=\"row\">");
		html_text(r, impex_page_kinds[i].label);
		html_raw(r, "</th><td><code>");
		html_text(r, impex_page_kinds[i].columns);
		html_raw(r, "</code></td></tr>");
	}
	html_raw(r, "</tbody></table>\n");
}

/* The refused rows of res: those it lists (IMPEX_MAX_ERRORS at most;
 * the caption counts the rest). */
static void
impex_page_errors(struct req *r, const struct impex_result *res)
{
	size_t	 i, n = res->nerrors;

	if (n == 0)
		return;
	html_raw(r, "<table class=\"errors\" id=\"errors\"><caption>");
	if (res->errors_left_off > 0)
		html_textf(r, "The first %zu of %ld errors", n,
		    (long)n + res->errors_left_off);
	else
		html_textf(r, "%zu %s", n, n == 1 ? "error" : "errors");
	html_raw(r, ": the row of a CSV file is its spreadsheet row (the "
	    "header is row 1), of a JSON file its position from 1</caption>"
	    "<thead><tr><th scope=\"col\">Row</th><th scope=\"col\">Field"
	    "</th><th scope=\"col\">Message</th></tr></thead><tbody>\n");
	for (i = 0; i < n; i++) {
		html_raw(r, "<tr><td class=\"num\">");
		html_textf(r, "%ld", res->errors[i].row_number);
		html_raw(r, "</td>");
		console_cell(r, res->errors[i].field[0] ? res->errors[i].field :
		    NULL);
		console_cell(r, res->errors[i].message);
		html_raw(r, "</tr>\n");
	}
	html_raw(r, "</tbody></table>\n");
}

/* The result of importing file (named name) as kind. */
static void
impex_page_result(struct req *r, const struct impex_page_kind *kind,
    const char *name, const struct impex_result *res, int dry_run)
{
	html_raw(r, "<section id=\"result\" aria-labelledby=\"result-h\">"
	    "<h2 id=\"result-h\">");
	html_textf(r, "%s from %s", kind->label, name);
	html_raw(r, "</h2>\n");
	if (res->status != 200) {
		html_raw(r, "<p class=\"notice error\" id=\"unreadable\">");
		html_text(r, res->status == 400 || res->status == 413 ?
		    "The file could not be read, nothing was imported: " :
		    "Nothing was imported: ");
		html_text(r, res->detail);
		html_raw(r, "</p></section>\n");
		return;
	}
	if (dry_run)
		html_raw(r, "<p class=\"notice ok\" id=\"dry-run\">Dry run: "
		    "every row was checked and nothing was written. The "
		    "counts say what an import would do.</p>\n");
	else if (res->failed == 0)
		html_raw(r, "<p class=\"notice ok\">Imported.</p>\n");
	else
		html_raw(r, "<p class=\"notice error\">The good rows were "
		    "imported; the rows below were not.</p>\n");
	html_raw(r, "<table class=\"facts\"><caption>Counts</caption><tr>"
	    "<th scope=\"row\">");
	html_text(r, dry_run ? "Rows that would be imported" : "Imported");
	html_raw(r, "</th><td class=\"num\" id=\"imported\">");
	html_textf(r, "%ld", res->imported);
	html_raw(r, "</td></tr><tr><th scope=\"row\">Failed</th><td "
	    "class=\"num\" id=\"failed\">");
	html_textf(r, "%ld", res->failed);
	html_raw(r, "</td></tr><tr><th scope=\"row\">Dry run</th><td "
	    "id=\"dry\">");
	html_text(r, dry_run ? "yes" : "no");
	html_raw(r, "</td></tr></table>\n");
	impex_page_errors(r, res);
	html_raw(r, "</section>\n");
}

/* The page's head, answered with status, with a notice (of class cls)
 * when there is one; what the page shows of a request comes next. */
static void
impex_page_begin(struct req *r, int status, const char *notice,
    const char *cls)
{
	html_begin(r, status, "Import and export");
	if (notice)
		html_notice(r, cls, notice);
	html_raw(r, "<p>The organization's catalog as files: export it to "
	    "keep or to edit in a spreadsheet, import it back (or into "
	    "another organization). An export imported with <em>Update "
	    "existing rows</em> leaves the next export the same, byte for "
	    "byte.</p>\n");
}

/* The forms with c chosen, the columns, and the page's end. */
static void
impex_page_end(struct req *r, const struct impex_page_choice *c)
{
	impex_page_export_form(r, c);
	impex_page_import_form(r, c);
	impex_page_columns(r);
	html_end(r);
}

/* The page with what is wrong, answered with status. */
static void
impex_page_refuse(struct req *r, int status, const char *msg,
    const struct impex_page_choice *c)
{
	impex_page_begin(r, status, msg, "error");
	impex_page_end(r, c);
}

/* GET /admin/import-export */
void
console_impex(struct req *r)
{
	struct impex_page_choice c = { "items", "csv", NULL, 0, 0 };

	impex_page_begin(r, 200, NULL, NULL);
	impex_page_end(r, &c);
}

/* What a streamed export needs once the handler has returned. */
/* Read the export form's choice from the query into c (its strings the
 * caller frees); 0 when a value cannot be read. */
static int
impex_page_export_query(struct req *r, struct impex_page_choice *c)
{
	char	*kind = NULL, *format = NULL, *category = NULL;
	int	 ok;

	ok = console_query_param(r, "type", &kind) &&
	    console_query_param(r, "format", &format) &&
	    console_query_param(r, "category", &category);
	c->kind = kind;
	c->format = format;
	c->category = category;
	return ok;
}

/* GET /admin/import-export/export?type=&format=&category= : the file,
 * as GET /api/v1/import-export/{type}.{format} answers it. */
void
console_impex_export(struct req *r)
{
	struct impex_page_choice	 c = { NULL, NULL, NULL, 0, 0 };
	const struct impex_page_kind	*k;
	const struct impex_page_format	*f;
	char				 name[32];

	if (!impex_page_export_query(r, &c)) {
		impex_page_refuse(r, 400, "The export's choices could not be "
		    "read (not UTF-8).", &c);
		goto out;
	}
	if ((k = impex_page_kind_find(c.kind)) == NULL ||
	    (f = impex_page_format_find(c.format)) == NULL) {
		impex_page_refuse(r, 400, "Choose what to export (items, "
		    "inventory or blueprints) and a format (CSV or JSON).", &c);
		goto out;
	}
	if (c.category != NULL && strlen(c.category) > 100) {
		impex_page_refuse(r, 400, "The category is longer than 100 "
		    "characters.", &c);
		goto out;
	}
	snprintf(name, sizeof(name), "%s.%s", k->name, f->name);
	/* A database that is gone is a 503 page, not a cut file. */
	if (!impex_export_respond(r, k->kind, f->format, c.category, name))
		html_error_page(r, 503, "The database is unavailable.");
out:
	free((char *)c.kind);
	free((char *)c.format);
	free((char *)c.category);
}

/* A checkbox of the multipart form: checked when sent with a value
 * other than "", "0" or "false". */
static int
impex_page_checked(const struct multipart *mp, const char *name)
{
	const struct mpart	*p = multipart_get(mp, name);

	if (p == NULL || p->len == 0)
		return 0;
	return !((p->len == 1 && p->data[0] == '0') ||
	    (p->len == 5 && strncmp(p->data, "false", 5) == 0));
}

/* The kind chosen in the multipart form, or NULL. */
static const struct impex_page_kind *
impex_page_form_kind(const struct multipart *mp)
{
	const struct mpart	*p = multipart_get(mp, "type");
	char			 name[16];

	if (p == NULL || p->len >= sizeof(name))
		return NULL;
	memcpy(name, p->data, p->len);
	name[p->len] = '\0';
	return impex_page_kind_find(name);
}

/* POST /admin/import-export/import (multipart/form-data: type, file,
 * update_existing, dry_run, csrf): the result page. The good rows are
 * kept (the pipeline commits a 200); a dry run is also rolled back, so
 * that it writes nothing whatever the import did. */
void
console_impex_import(struct req *r)
{
	struct impex_page_choice	 c = { "items", "csv", NULL, 0, 0 };
	const struct impex_page_kind	*k;
	const struct mpart		*file;
	struct multipart		 mp;
	struct impex_result		 res;
	const char			*why;
	char				 actor[300];

	memset(&res, 0, sizeof(res));
	if (!multipart_parse(req_header(r, "content-type"), r->in.body.data ?
	    r->in.body.data : "", r->in.body.len, &mp, &why)) {
		impex_page_refuse(r, 400, "The form could not be read: send it "
		    "from this page (multipart/form-data).", &c);
		return;
	}
	c.update_existing = impex_page_checked(&mp, "update_existing");
	c.dry_run = impex_page_checked(&mp, "dry_run");
	if ((k = impex_page_form_kind(&mp)) == NULL) {
		impex_page_refuse(r, 400, "Choose what to import: items, "
		    "inventory or blueprints.", &c);
		return;
	}
	c.kind = k->name;
	if ((file = multipart_get(&mp, "file")) == NULL ||
	    !file->has_filename || (file->filename[0] == '\0' &&
	    file->len == 0)) {
		impex_page_refuse(r, 400, "Choose a file to import.", &c);
		return;
	}
	principal_actor(&r->principal, actor, sizeof(actor));
	if (!impex_import(r->db, r->principal.org_id, k->kind, file->filename,
	    (const unsigned char *)file->data, file->len, c.update_existing,
	    c.dry_run, actor, &res)) {
		html_error_page(r, 503, "The database is unavailable; nothing "
		    "was imported.");
		goto out;
	}
	impex_page_begin(r, res.status, NULL, NULL);
	impex_page_result(r, k, file->filename[0] ? file->filename :
	    "the file", &res, c.dry_run);
	impex_page_end(r, &c);
	if (c.dry_run)
		req_undo(r);
out:
	impex_result_free(&res);
}
