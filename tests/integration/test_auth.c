/*
 * test_auth.c - every credential style refuses a missing, malformed,
 * unknown, revoked or wrong-kind key with its family's 401 body, and
 * lets a valid key through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "itest.h"

struct style {
	const char	*name;
	const char	*path;		/* needs this style's credential */
	const char	*header;	/* printf format with the token */
	const char	*kind, *app;
	const char	*other_kind;	/* a real key of a kind refused here */
	int		 ok_status;	/* with a valid key */
	const char	*shape;		/* JSON path that names the error */
	char		 key[128], revoked[128], other[128];
};

static struct style styles[] = {
	{ "integrations", "/api/integrations/v1/whoami",
	    "Authorization: Bearer %s", "integration", NULL, "scim", 200,
	    "error.code", "", "", "" },
	{ "scim", "/api/scim/v2/NoSuchResource", "Authorization: Bearer %s",
	    "scim", NULL, "integration", 404, "status", "", "", "" },
	{ "ingest", "/api/v1/ingest/no-such", "Authorization: Bearer %s",
	    "ingest", "itest-app", "integration", 404, "error.code", "", "",
	    "" },
	{ "fulfillment client", "/api/me/no-such", "X-Api-Key: %s", "client",
	    NULL, "integration", 404, "error", "", "", "" },
	{ "fulfillment admin", "/api/me/no-such", "X-Api-Key: %s", "admin",
	    NULL, "scim", 404, "error", "", "", "" },
	{ "import-export", "/api/v1/import-export/no-such",
	    "Authorization: Bearer %s", "integration", NULL, "client", 404,
	    "detail", "", "", "" },
};
#define NSTYLES	(sizeof(styles) / sizeof(styles[0]))

static int
auth_init(void)
{
	char	 org[64], id[37], args[128];
	size_t	 i;

	if (!fixture_org(org))
		return 1;
	for (i = 0; i < NSTYLES; i++) {
		struct style *s = &styles[i];

		if (!fixture_key(org, s->kind, s->app, s->key, id) ||
		    !fixture_key(org, s->other_kind, NULL, s->other, id) ||
		    !fixture_key(org, s->kind, s->app, s->revoked, id))
			return 1;
		snprintf(args, sizeof(args), "key revoke %s", id);
		if (ctl_run(args, NULL, NULL) != 0)
			return 1;
	}
	return 0;
}

/* GET the style's path with one header line (NULL: none). */
static void
auth_try(const struct style *s, const char *hdr, int want,
    const char *want_code, const char *what)
{
	const char *const	 h[] = { hdr, NULL };
	struct http_resp	 r;
	struct json_object	*o;
	char			 label[160];

	snprintf(label, sizeof(label), "%s, %s", s->name, what);
	http_do("GET", s->path, hdr ? h : NULL, NULL, 0, &r);
	ASSERT_STATUS(&r, want);
	o = http_json(&r);
	if (want == 401) {
		/* The family's own error shape names the failure. */
		CU_ASSERT_PTR_NOT_NULL(json_path_str(o, s->shape));
		if (want_code != NULL)
			ASSERT_STR(json_path_str(o, s->shape), want_code, label);
	}
	json_object_put(o);
	http_resp_free(&r);
}

static void
test_each_style(void)
{
	char	 hdr[300], unknown[128];
	size_t	 i;
	int	 ing;

	for (i = 0; i < NSTYLES; i++) {
		const struct style *s = &styles[i];

		ing = strcmp(s->kind, "ingest") == 0;
		auth_try(s, NULL, 401, ing ? "missing_auth" :
		    strcmp(s->shape, "status") == 0 ? "401" : NULL, "missing");
		if (strncmp(s->header, "Authorization", 13) == 0) {
			/* A credential that is there but no Bearer key is
			 * invalid, not missing (activity ingest tells). */
			auth_try(s, "Authorization: Basic dXNlcjpwYXNz", 401,
			    ing ? "invalid_key" : NULL, "basic scheme");
			auth_try(s, "Authorization: Bearer", 401,
			    ing ? "invalid_key" : NULL, "empty bearer");
		} else
			auth_try(s, "X-Api-Key;", 401, NULL, "empty key");
		snprintf(hdr, sizeof(hdr), s->header, "not-a-key");
		auth_try(s, hdr, 401, ing ? "invalid_key" : NULL, "malformed");
		/* A well-formed key of the right prefix that was never made. */
		snprintf(unknown, sizeof(unknown), "%.*sAAAAAAAAAAAAAAAAAAAAAAAAAA"
		    "AAAAAAAAAAAAAA", (int)(strchr(s->key, '_') - s->key +
		    strlen("_live_")), s->key);
		snprintf(hdr, sizeof(hdr), s->header, unknown);
		auth_try(s, hdr, 401, ing ? "invalid_key" : NULL, "unknown");
		snprintf(hdr, sizeof(hdr), s->header, s->revoked);
		auth_try(s, hdr, 401, ing ? "invalid_key" : NULL, "revoked");
		snprintf(hdr, sizeof(hdr), s->header, s->other);
		auth_try(s, hdr, 401, NULL, "wrong kind");
		snprintf(hdr, sizeof(hdr), s->header, s->key);
		auth_try(s, hdr, s->ok_status, NULL, "valid");
	}
}

static void
test_whoami_names_org(void)
{
	char			 hdr[300];
	const char *const	 h[] = { hdr, NULL };
	struct http_resp	 r;
	struct json_object	*o;

	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", styles[0].key);
	http_do("GET", "/api/integrations/v1/whoami", h, NULL, 0, &r);
	ASSERT_STATUS(&r, 200);
	o = http_json(&r);
	ASSERT_STR(json_path_str(o, "data.key.kind"), "integration", "kind");
	CU_ASSERT_PTR_NOT_NULL(json_path_str(o, "data.organization.slug"));
	json_object_put(o);
	http_resp_free(&r);
}

static void
test_scim_error_shape(void)
{
	struct http_resp	 r;
	struct json_object	*o, *schemas = NULL;
	char			*ct;

	http_do("GET", "/api/scim/v2/Users", NULL, NULL, 0, &r);
	ASSERT_STATUS(&r, 401);
	ct = http_header(&r, "Content-Type");
	ASSERT_STR(ct, "application/scim+json", "scim content type");
	o = http_json(&r);
	CU_ASSERT(json_object_object_get_ex(o, "schemas", &schemas));
	ASSERT_STR(json_object_get_string(json_object_array_get_idx(schemas,
	    0)), "urn:ietf:params:scim:api:messages:2.0:Error", "scim schema");
	free(ct);
	json_object_put(o);
	http_resp_free(&r);
}

void
suite_auth_register(void)
{
	CU_pSuite	 s = CU_add_suite("auth", auth_init, NULL);

	CU_add_test(s, "401 in each style, valid key passes", test_each_style);
	CU_add_test(s, "whoami names the key's organization",
	    test_whoami_names_org);
	CU_add_test(s, "SCIM 401 is an RFC 7644 error", test_scim_error_shape);
}
