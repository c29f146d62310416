/*
 * storefront.c - the console's storefront page: the origins where the
 * signed-in organization's storefront chat may be embedded (its allowed
 * domains), read and set through fulfillment's onboarding.c with the
 * rules mihwarctl client set-domains uses. Admins only.
 */
#include <stdlib.h>
#include <string.h>

#include "console/console.h"

/* The longest list the form takes, in characters. */
#define STOREFRONT_DOMAINS_MAX	8000

/* The origins stored, one item each; a sentence when there are none. */
static void
storefront_origins(struct req *r, const char *origins)
{
	const char	*p = origins, *e;

	if (*origins == '\0') {
		html_raw(r, "<p id=\"origins-none\">None: browsers are refused "
		    "(embed not configured). Calls without an Origin header, "
		    "from a server, are answered.</p>\n");
		return;
	}
	html_raw(r, "<ul id=\"origins\">");
	for (;;) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		html_raw(r, "<li><code>");
		html_textf(r, "%.*s", (int)(e - p), p);
		html_raw(r, "</code></li>");
		if (*e == '\0')
			break;
		p = e + 1;
	}
	html_raw(r, "</ul>\n");
}

/* The stored list as the form shows it: ", " between origins. */
static void
storefront_list_value(struct req *r, const char *origins)
{
	const char	*p = origins, *e;

	while ((e = strchr(p, ',')) != NULL) {
		html_textf(r, "%.*s, ", (int)(e - p), p);
		p = e + 1;
	}
	html_text(r, p);
}

/* The page, with notice (of class cls) and the form holding value (the
 * stored list when NULL). */
static void
storefront_page(struct req *r, const char *notice, const char *cls,
    const char *value)
{
	struct buf	 cur;

	buf_init(&cur);
	if (!console_begin(r, onboarding_domains_get(r->db,
	    r->principal.org_id, &cur), "Storefront", notice, cls))
		goto out;
	html_raw(r, "<p>The storefront chat answers at <code>POST /api/chat/");
	html_text(r, r->principal.org_slug);
	html_raw(r, "</code>. A browser may call it only from one of these "
	    "origins, matched exactly (scheme, host and port).</p>\n"
	    "<h2>Allowed origins</h2>\n");
	storefront_origins(r, cur.data);
	html_raw(r, "<form method=\"post\" action=\"/admin/storefront\" "
	    "class=\"card\">");
	html_csrf(r);
	html_raw(r, "<label>Allowed origins (hosts, meaning https://host, or "
	    "http(s)://host[:port], separated by commas; empty for none) "
	    "<input name=\"domains\" maxlength=\"8000\" "
	    "placeholder=\"shop.example, http://localhost:3000\" value=\"");
	if (value != NULL)
		html_text(r, value);
	else
		storefront_list_value(r, cur.data);
	html_raw(r, "\"></label><button>Save the origins</button></form>\n");
	html_end(r);
out:
	buf_cleanup(&cur);
}

/* GET /admin/storefront */
void
console_storefront(struct req *r)
{
	storefront_page(r, NULL, NULL, NULL);
}

/* The page again with what is wrong and the list as typed, answered
 * with status. */
static void
storefront_refuse(struct req *r, int status, const char *msg,
    const char *value)
{
	storefront_page(r, msg, "error", value);
	if (r->out.status == 200)
		r->out.status = status;
}

/* POST /admin/storefront: the allowed origins ("" for none). */
void
console_storefront_set(struct req *r)
{
	char		*domains = NULL, err[300];
	struct buf	 list;
	enum db_code	 code;

	buf_init(&list);
	if (req_form_param(r, "domains", &domains) < 0 || (domains == NULL &&
	    (domains = strdup("")) == NULL) ||
	    !util_utf8_valid(domains, strlen(domains)) ||
	    util_utf8_chars(domains) > STOREFRONT_DOMAINS_MAX) {
		storefront_refuse(r, 400, "The list is too long or not text.",
		    "");
		goto out;
	}
	if (!onboarding_domains_parse(domains, &list, err, sizeof(err))) {
		storefront_refuse(r, 400, err, domains);
		goto out;
	}
	code = onboarding_domains_set(r->db, r->principal.org_id, list.data);
	if (code == DB_OK)
		html_redirect(r, "/admin/storefront");
	else
		html_error_page(r, 503, "The database is unavailable.");
out:
	buf_cleanup(&list);
	free(domains);
}
