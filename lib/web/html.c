/*
 * html.c - the only way HTML is written: markup comes from string
 * literals (html_raw), and every value goes through html_text, which
 * escapes & < > " ' so it is safe in text and in attribute values alike.
 */
#include <stdio.h>
#include <string.h>

#include "web/web.h"

/* Escaped text (also safe inside a quoted attribute value). */
void
html_text(struct req *r, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		switch (*s) {
		case '&':
			buf_puts(&r->out.body, "&amp;");
			break;
		case '<':
			buf_puts(&r->out.body, "&lt;");
			break;
		case '>':
			buf_puts(&r->out.body, "&gt;");
			break;
		case '"':
			buf_puts(&r->out.body, "&quot;");
			break;
		case '\'':
			buf_puts(&r->out.body, "&#39;");
			break;
		default:
			buf_append(&r->out.body, s, 1);
		}
}

/* Formatted, then escaped as a whole: nothing formatted goes out raw. */
void
html_textf(struct req *r, const char *fmt, ...)
{
	char	 s[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	html_text(r, s);
}

/* Markup from a string literal of ours (never a value). */
void
html_raw(struct req *r, const char *markup)
{
	buf_puts(&r->out.body, markup);
}

/* Start a page: headers, the head, and the navigation when signed in. */
void
html_begin(struct req *r, int status, const char *title)
{
	r->out.status = status;
	r->out.content_type = "text/html; charset=utf-8";
	r->out.body.len = 0;
	req_resp_header(r, "Content-Security-Policy", "default-src 'self'; "
	    "frame-ancestors 'none'; form-action 'self'");
	req_resp_header(r, "X-Frame-Options", "DENY");
	req_resp_header(r, "Referrer-Policy", "same-origin");
	html_raw(r, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\"><title>");
	html_text(r, title);
	html_raw(r, " · Mihwar</title><link rel=\"stylesheet\" "
	    "href=\"/mihwar.css\"></head><body>\n<header><strong>Mihwar"
	    "</strong>");
	if (r->principal.kind == PRINCIPAL_SESSION) {
		html_raw(r, "<nav><a href=\"/admin/approvals\">Approvals</a> "
		    "<a href=\"/admin/inventory\">Inventory</a> "
		    "<a href=\"/admin/checklists\">Checklists</a> "
		    "<a href=\"/admin/webhooks\">Webhooks</a> "
		    "<a href=\"/admin/integrations\">Integrations</a> "
		    "<a href=\"/admin/keys\">Keys</a> "
		    "<a href=\"/admin/activity\">Activity</a> "
		    "<a href=\"/admin/ingest-apps\">Ingest apps</a>");
		/* Users and the catalog's import and export (issue 13):
		 * admins, by the role as principal_is_admin reads it
		 * (lib/auth is above this layer). */
		if (strcmp(r->principal.role, "admin") == 0 ||
		    r->principal.platform_admin)
			html_raw(r, " <a href=\"/admin/users\">Users</a>"
			    " <a href=\"/admin/import-export\">Import/export"
			    "</a>");
		/* The operator's pages across organizations: theirs alone. */
		if (r->principal.platform_admin)
			html_raw(r, " <a href=\"/admin/fulfillment\">"
			    "Fulfillment</a> <a href=\"/admin/organizations\">"
			    "Organizations</a>");
		html_raw(r, "</nav><span class=\"who\">");
		html_textf(r, "%s · %s", r->principal.user_name, r->principal.org_slug);
		html_raw(r, "</span><form method=\"post\" action=\"/admin/logout\" "
		    "class=\"inline\">");
		html_csrf(r);
		html_raw(r, "<button>Sign out</button></form>");
	}
	html_raw(r, "</header>\n<main>\n<h1>");
	html_text(r, title);
	html_raw(r, "</h1>\n");
}

void
html_end(struct req *r)
{
	html_raw(r, "</main></body></html>\n");
}

/* The hidden CSRF field every form of a signed-in page carries. */
void
html_csrf(struct req *r)
{
	html_raw(r, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(r, r->principal.csrf);
	html_raw(r, "\">");
}

/* A one-line notice (class ok or error). */
void
html_notice(struct req *r, const char *cls, const char *text)
{
	html_raw(r, "<p class=\"notice ");
	html_text(r, cls);
	html_raw(r, "\">");
	html_text(r, text);
	html_raw(r, "</p>\n");
}

/* An error page of the console. */
void
html_error_page(struct req *r, int status, const char *msg)
{
	html_begin(r, status, req_status_text(status));
	html_raw(r, "<p>");
	html_text(r, msg);
	html_raw(r, "</p><p class=\"muted\">Request ");
	html_text(r, r->id);
	html_raw(r, "</p>");
	html_end(r);
}

/* 303 to a path of ours (after a POST, so a reload does not repeat it). */
void
html_redirect(struct req *r, const char *path)
{
	r->out.status = 303;
	r->out.content_type = "text/plain; charset=utf-8";
	r->out.body.len = 0;
	req_resp_header(r, "Location", path);
}
