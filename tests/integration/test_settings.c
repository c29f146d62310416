/*
 * test_settings.c - POST /api/settings/webhooks, the console's one JSON
 * endpoint: an admin's session with its CSRF token creates a
 * subscription and sees its secret once; an API key, no session, a
 * missing or wrong token, a member's session and bad fields are refused
 * with the Integrations error body. (tests/webhooks covers deliveries.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "itest.h"

#define SETTINGS	"/api/settings/webhooks"

/* A signed-in console user: the Cookie line and the X-CSRF-Token line. */
struct signed_in {
	char	 cookie[160];
	char	 csrf[120];
};

static struct signed_in	 admin, member;
static char		 key_auth[200];

/* A new console user of org with role, signed in: the session cookie and
 * the CSRF token that page carries. */
static int
settings_sign_in(const char *org, const char *role, const char *page,
    struct signed_in *out)
{
	static const char	 field[] = "name=\"csrf\" value=\"";
	char			 email[160], args[300], *sess;
	const char		*hdrs[2], *p;
	struct http_resp	 r;
	int			 ok;

	snprintf(email, sizeof(email), "%s@%s.example", role, org);
	snprintf(args, sizeof(args), "user create --org %s --email %s "
	    "--password-stdin --role %s", org, email, role);
	if (ctl_run(args, "settings-pw-1\n", NULL) != 0 ||
	    console_login(email, "settings-pw-1", &r) != 303) {
		http_resp_free(&r);
		return 0;
	}
	sess = http_cookie(&r, "mihwar_session");
	http_resp_free(&r);
	if (sess == NULL)
		return 0;
	snprintf(out->cookie, sizeof(out->cookie), "Cookie: mihwar_session=%s",
	    sess);
	free(sess);
	hdrs[0] = out->cookie;
	hdrs[1] = NULL;
	http_do("GET", page, hdrs, NULL, 0, &r);
	if ((ok = r.status == 200 && (p = strstr(r.body, field)) != NULL)) {
		p += strlen(field);
		snprintf(out->csrf, sizeof(out->csrf), "X-CSRF-Token: %.*s",
		    (int)strcspn(p, "\""), p);
	}
	http_resp_free(&r);
	return ok;
}

static int
settings_init(void)
{
	char	 org[64];

	return !(fixture_org(org) && fixture_auth(org, key_auth) &&
	    settings_sign_in(org, "admin", "/admin/webhooks", &admin) &&
	    settings_sign_in(org, "member", "/admin/approvals", &member));
}

/* POST body with the given header lines (NULL-terminated, <= 3). */
static struct json_object *
settings_post(const char *const *lines, const char *body, long want,
    const char *code, const char *what)
{
	const char		*h[5];
	struct http_resp	 r;
	struct json_object	*o;
	char			*rid, msg[400];
	size_t			 n = 0;

	for (; lines != NULL && *lines != NULL && n < 3; lines++)
		h[n++] = *lines;
	h[n++] = "Content-Type: application/json";
	h[n] = NULL;
	http_do("POST", SETTINGS, (const char *const *)h, body, strlen(body),
	    &r);
	o = http_json(&r);
	snprintf(msg, sizeof(msg), "%s: status %ld, want %ld; body: %.200s",
	    what, r.status, want, r.body);
	CU_assertImplementation(r.status == want, __LINE__, msg, __FILE__, "",
	    CU_FALSE);
	if (code != NULL) {
		ASSERT_EQS(json_str_at(o, "error.code"), code, what);
		rid = http_header(&r, "X-Request-Id");
		ASSERT_EQS(json_str_at(o, "error.requestId"), rid ? rid : "",
		    what);
		free(rid);
	}
	http_resp_free(&r);
	return o;
}

static void
test_create(void)
{
	const char *const	 h[] = { admin.cookie, admin.csrf, NULL };
	struct json_object	*o;
	const char		*secret;

	o = settings_post(h, "{\"url\":\"http://127.0.0.1:9/hooks/a\","
	    "\"events\":[\"order.created\",\"import.completed\"]}", 201, NULL,
	    "admin, two events");
	ASSERT_EQS(json_str_at(o, "data.url"), "http://127.0.0.1:9/hooks/a",
	    "url");
	/* The list as sent, not the stored comma-joined text. */
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(json_at(o,
	    "data.events"), JSON_C_TO_STRING_PLAIN),
	    "[\"order.created\",\"import.completed\"]");
	CU_ASSERT(json_object_get_boolean(json_at(o, "data.active")));
	secret = json_str_at(o, "data.secret");
	CU_ASSERT(secret != NULL && strncmp(secret, "whsec_", 6) == 0 &&
	    strlen(secret) == 6 + 32);
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "data.id"));
	json_object_put(o);

	/* No events, or null, means every event. */
	o = settings_post(h, "{\"url\":\"http://127.0.0.1:9/hooks/b\"}", 201,
	    NULL, "admin, events absent");
	ASSERT_EQS(json_str_at(o, "data.events"), "*", "events default");
	json_object_put(o);
	o = settings_post(h, "{\"url\":\"http://127.0.0.1:9/hooks/c\","
	    "\"events\":\"*\"}", 201, NULL, "admin, events \"*\"");
	ASSERT_EQS(json_str_at(o, "data.events"), "*", "events *");
	json_object_put(o);
}

static void
test_refused(void)
{
	static const struct {
		const char	*name;
		int		 who;	/* 0 admin, 1 member, 2 key, 3 none */
		int		 csrf;	/* 0 none, 1 right, 2 wrong */
		const char	*body;
		long		 status;
		const char	*code;
	} cases[] = {
		{ "integration key", 2, 0, "{\"url\":\"http://127.0.0.1:9/x\"}",
		    401, "unauthorized" },
		{ "no credential", 3, 0, "{\"url\":\"http://127.0.0.1:9/x\"}",
		    401, "unauthorized" },
		{ "no CSRF token", 0, 0, "{\"url\":\"http://127.0.0.1:9/x\"}",
		    403, "csrf" },
		{ "wrong CSRF token", 0, 2, "{\"url\":\"http://127.0.0.1:9/x\"}",
		    403, "csrf" },
		{ "member", 1, 1, "{\"url\":\"http://127.0.0.1:9/x\"}", 403,
		    "forbidden" },
		{ "url missing", 0, 1, "{\"events\":\"*\"}", 400,
		    "invalid_body" },
		{ "url not a URL", 0, 1, "{\"url\":\"not a url\"}", 400,
		    "invalid_body" },
		{ "events empty", 0, 1, "{\"url\":\"http://127.0.0.1:9/x\","
		    "\"events\":[]}", 400, "invalid_body" },
		{ "events unknown", 0, 1, "{\"url\":\"http://127.0.0.1:9/x\","
		    "\"events\":[\"order.created\",\"order.eaten\"]}", 400,
		    "invalid_body" },
		{ "body an array", 0, 1, "[]", 400, "invalid_body" },
		{ "body not JSON", 0, 1, "{\"url\":", 400, "invalid_json" },
	};
	const char		*h[3];
	struct json_object	*o;
	size_t			 i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = 0;
		if (cases[i].who == 0)
			h[n++] = admin.cookie;
		else if (cases[i].who == 1)
			h[n++] = member.cookie;
		else if (cases[i].who == 2)
			h[n++] = key_auth;
		if (cases[i].csrf == 1)
			h[n++] = cases[i].who == 1 ? member.csrf : admin.csrf;
		else if (cases[i].csrf == 2)
			h[n++] = "X-CSRF-Token: not-the-token";
		h[n] = NULL;
		o = settings_post(h, cases[i].body, cases[i].status,
		    cases[i].code, cases[i].name);
		json_object_put(o);
	}
}

void
suite_settings_register(void)
{
	CU_pSuite	 s = CU_add_suite("webhook settings", settings_init, NULL);

	CU_add_test(s, "admin session + CSRF token: 201 with the secret",
	    test_create);
	CU_add_test(s, "key, no session, CSRF, member, bad fields: refused",
	    test_refused);
}
