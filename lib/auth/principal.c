/*
 * principal.c - turn the credential a request's family asks for into the
 * request's principal, once, before any handler runs; or refuse with the
 * family's own 401 (or a redirect to sign in). Handlers read only
 * r->principal.
 */
#include <string.h>
#include <strings.h>

#include "auth/auth.h"

/* The token of "Authorization: Bearer <token>", or NULL; *sent is set
 * when the header is there at all (another scheme, an empty token). */
static const char *
principal_bearer(const struct req *r, int *sent)
{
	const char	*h = req_header(r, "authorization");

	*sent = h != NULL && h[strspn(h, " ")] != '\0';
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h != '\0' ? h : NULL;
}

static int
principal_refuse(struct req *r, const char *code, const char *msg)
{
	if (r->family->www_authenticate != NULL)
		req_resp_header(r, "WWW-Authenticate",
		    r->family->www_authenticate);
	req_resp_error(r, 401, code, "%s", msg);
	return 0;
}

/* An API key in the family's header, of a kind the family takes. */
static int
principal_key(struct req *r)
{
	const struct family	*f = r->family;
	const char		*tok;
	int			 sent;

	if (f->credential == CRED_API_KEY) {
		tok = req_header(r, "x-api-key");
		sent = tok != NULL && *tok != '\0';
	} else
		tok = principal_bearer(r, &sent);
	/* No credential at all is "missing"; one that is there but is no
	 * usable key (another scheme, an empty token) is "invalid". */
	if (tok == NULL || *tok == '\0')
		return principal_refuse(r, sent ? f->code_invalid :
		    f->code_missing, f->credential == CRED_API_KEY ?
		    "X-Api-Key header required" :
		    "Authorization: Bearer token required");
	switch (keys_resolve(r->db, tok, r->conf->key_cache_seconds,
	    &r->principal)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		return principal_refuse(r, f->code_invalid,
		    "invalid or revoked API key");
	default:
		req_resp_error(r, 503, NULL, "database unavailable");
		return 0;
	}
	if ((f->key_kinds & KEY_BIT(r->principal.key_kind)) == 0) {
		memset(&r->principal, 0, sizeof(r->principal));
		return principal_refuse(r, f->code_invalid,
		    "this kind of key is not accepted here");
	}
	return 1;
}

/*
 * A console session. Without one, a family with a sign-in page sends the
 * browser there; the others answer 401. Every state-changing method must
 * carry the CSRF token.
 */
static int
principal_session(struct req *r, int admin_only)
{
	if (!session_resolve(r)) {
		if (r->family->signin_page != NULL)
			html_redirect(r, r->family->signin_page);
		else
			req_resp_error(r, 401, r->family->code_missing,
			    "sign in to the console first");
		return 0;
	}
	if (strcmp(r->in.method, "GET") != 0 &&
	    strcmp(r->in.method, "HEAD") != 0 && !session_csrf_ok(r)) {
		req_resp_error(r, 403, "csrf", "missing or wrong CSRF token");
		return 0;
	}
	if (admin_only && !principal_is_admin(&r->principal)) {
		req_resp_error(r, 403, "forbidden",
		    "This page needs the admin role.");
		return 0;
	}
	return 1;
}

/*
 * Fill r->principal from the credential r's family asks for (route
 * flags: ROUTE_PUBLIC asks none, ROUTE_ADMIN the admin role). 1 when the
 * request may go on, 0 when the response (401, 403, 503, or a redirect
 * to sign in) has been set.
 */
int
principal_authenticate(struct req *r, unsigned int route_flags)
{
	if (route_flags & ROUTE_PUBLIC)
		return 1;
	switch (r->family->credential) {
	case CRED_NONE:
		return 1;
	case CRED_SESSION:
		return principal_session(r, (route_flags & ROUTE_ADMIN) != 0);
	case CRED_BEARER:
	case CRED_API_KEY:
		return principal_key(r);
	}
	return 0;
}

/* An organization's admin, or the operator of the whole platform. */
int
principal_is_admin(const struct principal *p)
{
	return strcmp(p->role, "admin") == 0 || p->platform_admin;
}

/*
 * 1 when p may create a key of kind k: an admin key (fa_live_) makes its
 * holder the operator across organizations, so only the platform
 * operator grants it; an organization's admin grants the others.
 */
int
principal_may_grant(const struct principal *p, enum key_kind k)
{
	if (k == KEY_ADMIN)
		return p->platform_admin;
	return principal_is_admin(p);
}

/* Who did it, for audit columns: "user:<email>" or "key:<id>". */
void
principal_actor(const struct principal *p, char *out, size_t n)
{
	if (p->kind == PRINCIPAL_SESSION)
		snprintf(out, n, "user:%s", p->user_name);
	else
		snprintf(out, n, "key:%s", p->key_public_id);
}
