/*
 * test_baseurl.c - the absolute URLs the stack hands out are built on
 * the configured base_url, never on the request's Host header (which
 * any client sets): SCIM's Location and meta.location of a user and a
 * group, a member's $ref, and the console's one-time link, each asked
 * for with Host: evil.example.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "itest.h"

#define EVIL_HOST	"Host: evil.example"
#define SCIM_USERS	"/api/scim/v2/Users"
#define SCIM_GROUPS	"/api/scim/v2/Groups"

static char	 base_url[512], org[64], scim_auth[200];

/* base_url as mihwar.conf sets it (the last line wins), without a
 * trailing slash; the FastCGI processes read the same file. */
static int
baseurl_from_conf(void)
{
	FILE	*f = fopen(itest_env("MIHWAR_CONF"), "r");
	char	 line[600];
	size_t	 n;

	if (f == NULL)
		return 0;
	base_url[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, " base_url = %511s", base_url) != 1)
			continue;
	fclose(f);
	n = strlen(base_url);
	while (n > 0 && base_url[n - 1] == '/')
		base_url[--n] = '\0';
	return n > 0;
}

static int
baseurl_init(void)
{
	if (!baseurl_from_conf()) {
		fprintf(stderr, "base_url: not set in MIHWAR_CONF\n");
		return 1;
	}
	return fixture_org(org) && fixture_bearer(org, "scim", NULL,
	    scim_auth) ? 0 : 1;
}

/* A SCIM request sent with Host: evil.example; the body as JSON. */
static struct json_object *
baseurl_scim(const char *method, const char *path, const char *body,
    int want, struct http_resp *r)
{
	const char	*h[] = { scim_auth, EVIL_HOST,
	    "Content-Type: application/scim+json", NULL };

	/* Straight to the stack: the proxy would put its own Host. */
	itest_direct(1);
	http_do(method, path, h, body, body ? strlen(body) : 0, r);
	itest_direct(0);
	ASSERT_STATUS(r, want);
	return http_json(r);
}

/* Created with Host: evil.example, a user's and a group's Location,
 * meta.location and a member's $ref still name base_url; so does a
 * GET of each. */
static void
test_scim_locations(void)
{
	struct http_resp	 r;
	struct json_object	*o;
	char			 body[512], want[1024], path[128], uid[64];
	char			 gid[64], *loc;

	snprintf(body, sizeof(body), "{\"schemas\":[\"urn:ietf:params:scim:"
	    "schemas:core:2.0:User\"],\"userName\":\"host-%s@example.com\"}",
	    org);
	o = baseurl_scim("POST", SCIM_USERS, body, 201, &r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(json_str_at(o, "id"));
	snprintf(uid, sizeof(uid), "%s", json_str_at(o, "id"));
	snprintf(want, sizeof(want), "%s" SCIM_USERS "/%s", base_url, uid);
	loc = http_header(&r, "Location");
	ASSERT_EQS(loc, want, "POST /Users: Location");
	ASSERT_EQS(json_str_at(o, "meta.location"), want,
	    "POST /Users: meta.location");
	free(loc);
	json_object_put(o);
	http_resp_free(&r);

	snprintf(path, sizeof(path), SCIM_USERS "/%s", uid);
	o = baseurl_scim("GET", path, NULL, 200, &r);
	ASSERT_EQS(json_str_at(o, "meta.location"), want,
	    "GET /Users/{id}: meta.location");
	json_object_put(o);
	http_resp_free(&r);

	snprintf(body, sizeof(body), "{\"schemas\":[\"urn:ietf:params:scim:"
	    "schemas:core:2.0:Group\"],\"displayName\":\"Host %s\","
	    "\"members\":[{\"value\":\"%s\"}]}", org, uid);
	o = baseurl_scim("POST", SCIM_GROUPS, body, 201, &r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(json_str_at(o, "id"));
	snprintf(gid, sizeof(gid), "%s", json_str_at(o, "id"));
	ASSERT_EQS(json_str_at(o, "members.0.$ref"), want,
	    "POST /Groups: members[0].$ref");
	snprintf(want, sizeof(want), "%s" SCIM_GROUPS "/%s", base_url, gid);
	loc = http_header(&r, "Location");
	ASSERT_EQS(loc, want, "POST /Groups: Location");
	ASSERT_EQS(json_str_at(o, "meta.location"), want,
	    "POST /Groups: meta.location");
	free(loc);
	json_object_put(o);
	http_resp_free(&r);

	snprintf(path, sizeof(path), SCIM_GROUPS "/%s", gid);
	o = baseurl_scim("GET", path, NULL, 200, &r);
	ASSERT_EQS(json_str_at(o, "meta.location"), want,
	    "GET /Groups/{id}: meta.location");
	json_object_put(o);
	http_resp_free(&r);
}

/* The hidden csrf field of a console page, malloc'd, or NULL. */
static char *
baseurl_csrf(const struct http_resp *r)
{
	static const char	 field[] = "name=\"csrf\" value=\"";
	const char		*p = strstr(r->body, field);

	if (p == NULL)
		return NULL;
	p += strlen(field);
	return strndup(p, strcspn(p, "\""));
}

/* An admin adds a user in the console; the page that shows the new
 * user's one-time link, asked for with Host: evil.example, links to
 * base_url. */
static void
test_console_link(void)
{
	struct http_resp	 r;
	char			 args[300], email[160], cookie[200];
	char			 form[400];
	char			 want[600], got[600], *sess, *csrf;
	const char		*h[4], *p;
	size_t			 n;

	snprintf(email, sizeof(email), "admin@%s.example", org);
	snprintf(args, sizeof(args), "user create --org %s --email %s "
	    "--password-stdin --role admin", org, email);
	CU_ASSERT_FATAL(ctl_run(args, "baseurl-pw-1\n", NULL) == 0);
	CU_ASSERT_FATAL(console_login(email, "baseurl-pw-1", &r) == 303);
	sess = http_cookie(&r, "mihwar_session");
	http_resp_free(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sess);
	snprintf(cookie, sizeof(cookie), "Cookie: mihwar_session=%s", sess);
	free(sess);

	h[0] = cookie;
	h[1] = NULL;
	http_do("GET", "/admin/users", h, NULL, 0, &r);
	csrf = baseurl_csrf(&r);
	http_resp_free(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(csrf);
	snprintf(form, sizeof(form), "csrf=%s&user_name=linked-%s&role=member",
	    csrf, org);
	free(csrf);
	h[1] = "Content-Type: application/x-www-form-urlencoded";
	h[2] = NULL;
	http_do("POST", "/admin/users", h, form, strlen(form), &r);
	ASSERT_STATUS(&r, 303);
	http_resp_free(&r);

	h[1] = EVIL_HOST;
	h[2] = NULL;
	itest_direct(1);
	http_do("GET", "/admin/users", h, NULL, 0, &r);
	itest_direct(0);
	ASSERT_STATUS(&r, 200);
	p = strstr(r.body, "<code id=\"user-link\">");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	p += strlen("<code id=\"user-link\">");
	snprintf(want, sizeof(want), "%s/admin/set-password?token=", base_url);
	n = strcspn(p, "<");
	snprintf(got, sizeof(got), "%.*s", (int)(n < strlen(want) ? n :
	    strlen(want)), p);
	ASSERT_EQS(got, want, "the one-time link, before its token");
	http_resp_free(&r);
}

/* The "base_url" suite. */
void
suite_baseurl_register(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("base_url", baseurl_init, NULL);
	CU_add_test(s, "SCIM Location, meta.location and $ref name base_url "
	    "whatever the Host", test_scim_locations);
	CU_add_test(s, "the console's one-time link names base_url whatever "
	    "the Host", test_console_link);
}
