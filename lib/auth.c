/*
 * auth.c - resolve the credential a route demands to a principal, or
 * refuse with the family's own 401 body.
 */
#include <string.h>
#include <strings.h>

#include "mihwar.h"

/* The token of "Authorization: Bearer <token>", or NULL. */
static const char *
auth_bearer(const struct req *r)
{
	const char	*h = req_header(r, "authorization");

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h != '\0' ? h : NULL;
}

static int
auth_kind_allowed(enum auth_kind want, enum key_kind got)
{
	switch (want) {
	case AUTH_INTEG:
		return got == KEY_INTEGRATION;
	case AUTH_SCIM:
		return got == KEY_SCIM;
	case AUTH_INGEST:
		return got == KEY_INGEST;
	case AUTH_FULFILL:
		return got == KEY_CLIENT || got == KEY_ADMIN;
	default:
		return 0;
	}
}

static const char *
auth_missing_code(const struct req *r)
{
	return r->family == FAM_INGEST ? "missing_auth" : "unauthorized";
}

static const char *
auth_invalid_code(const struct req *r)
{
	return r->family == FAM_INGEST ? "invalid_key" : "unauthorized";
}

static int
auth_refuse(struct req *r, const char *code, const char *msg)
{
	if (r->family != FAM_FULFILL)
		req_resp_header(r, "WWW-Authenticate", "Bearer");
	req_resp_error(r, 401, code, "%s", msg);
	return 0;
}

/*
 * Authenticate r for the credential kind want. Returns 1 and fills
 * r->key when the request may go on; otherwise the response is set.
 */
static int
auth_key(struct req *r, enum auth_kind want)
{
	const char	*tok;

	if (want == AUTH_FULFILL)
		tok = req_header(r, "x-api-key");
	else
		tok = auth_bearer(r);
	if (tok == NULL || *tok == '\0')
		return auth_refuse(r, auth_missing_code(r), want == AUTH_FULFILL ?
		    "X-Api-Key header required" :
		    "Authorization: Bearer token required");
	switch (keys_resolve(r->db, tok, &r->key)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		return auth_refuse(r, auth_invalid_code(r),
		    "invalid or revoked API key");
	default:
		req_resp_error(r, 503, NULL, "database unavailable");
		return 0;
	}
	if (!auth_kind_allowed(want, r->key.kind))
		return auth_refuse(r, auth_invalid_code(r),
		    "this kind of key is not accepted here");
	r->authed = 1;
	return 1;
}

/*
 * A console session: pages send the browser to sign in; the settings API
 * answers 401. Every state-changing method must carry the CSRF token.
 */
static int
auth_session(struct req *r, int admin_only)
{
	if (!session_resolve(r)) {
		if (r->family == FAM_ADMIN)
			html_redirect(r, "/admin/login");
		else
			req_resp_error(r, 401, NULL, "sign in to the console "
			    "first");
		return 0;
	}
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0 &&
	    !session_csrf_ok(r)) {
		req_resp_error(r, 403, "csrf", "missing or wrong CSRF token");
		return 0;
	}
	if (admin_only && strcmp(r->session.role, "admin") != 0 &&
	    !r->session.platform_admin) {
		req_resp_error(r, 403, "forbidden", "This page needs the admin role.");
		return 0;
	}
	return 1;
}

/*
 * The credential want for r (sessions: with the admin role when
 * admin_only): 1 when the request may go on, 0 when the response (401,
 * 403, 503) has been set.
 */
int
auth_request(struct req *r, enum auth_kind want, int admin_only)
{
	switch (want) {
	case AUTH_NONE:
		return 1;
	case AUTH_SESSION:
		return auth_session(r, admin_only);
	default:
		return auth_key(r, want);
	}
}
