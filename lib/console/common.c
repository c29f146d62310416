/*
 * common.c - what the console's page files share: the home redirect,
 * table cells, decimals in their shortest form, and the flash redirect
 * that shows a secret once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "console/console.h"

/* GET /admin */
void
console_home(struct req *r)
{
	html_redirect(r, "/admin/approvals");
}

/*
 * Begin page title, with notice (of class cls) when there is one, once
 * the view it shows was read (code); else answer 503. 1 when begun.
 */
int
console_begin(struct req *r, enum db_code code, const char *title,
    const char *notice, const char *cls)
{
	if (code != DB_OK) {
		html_error_page(r, 503, "The database is unavailable.");
		return 0;
	}
	html_begin(r, 200, title);
	if (notice)
		html_notice(r, cls, notice);
	return 1;
}

/* A secret shown this once: intro, then the secret in <code id="id">. */
void
console_secret(struct req *r, const char *intro, const char *id,
    const char *secret)
{
	html_raw(r, "<div class=\"secret\"><p>");
	html_text(r, intro);
	html_raw(r, "</p><code id=\"");
	html_text(r, id);
	html_raw(r, "\">");
	html_text(r, secret);
	html_raw(r, "</code></div>\n");
}

/* One table cell of escaped text; "—" for none. */
void
console_cell(struct req *r, const char *s)
{
	html_raw(r, "<td>");
	html_text(r, s ? s : "—");
	html_raw(r, "</td>");
}

/* An amount cell in its shortest form ("10", not "10.0000"); "—" when
 * it is not known. */
void
console_decimal(struct req *r, int64_t v, int known)
{
	char	 s[DECIMAL_BUFSZ];

	if (!known) {
		console_cell(r, NULL);
		return;
	}
	decimal_format(v, s);
	console_cell(r, s);
}

/* An integer cell; "—" when it is not known. */
void
console_int(struct req *r, long long v, int known)
{
	char	 s[24];

	snprintf(s, sizeof(s), "%lld", v);
	console_cell(r, known ? s : NULL);
}

/*
 * Redirect to page, which shows secret once (POST-redirect-GET, so a
 * reload does not repeat the POST). tag tells the page what it shows.
 */
void
console_flash_redirect(struct req *r, const char *tag, const char *secret,
    const char *page)
{
	char	 flash[300];

	snprintf(flash, sizeof(flash), "%s%s", tag, secret);
	if (session_flash_set(r, flash))
		html_redirect(r, page);
	else
		html_error_page(r, 503, "The database is unavailable.");
	sodium_memzero(flash, sizeof(flash));
}

/* Parameter name of the page's query into *out (caller frees), an empty
 * one as none; 0 when it is not valid percent-encoding or not UTF-8. */
int
console_query_param(struct req *r, const char *name, char **out)
{
	if (req_query_param(r->in.query, name, out) < 0)
		return 0;
	if (*out != NULL && **out == '\0') {
		free(*out);
		*out = NULL;
	}
	return *out == NULL || util_utf8_valid(*out, strlen(*out));
}
