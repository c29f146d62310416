/*
 * test_scim.c - SCIM 2.0 (RFC 7643/7644) over real HTTP: scim_live_
 * tokens of one organization each; /Users (filters, paging, projection,
 * POST/GET/PUT/PATCH/DELETE), /Groups with members and the group-to-role
 * mapping (checked in users.role), discovery, RFC 7644 §3.12 errors with
 * every scimType, the habits of Entra ID and Okta, isolation between
 * organizations, and the console lockout of a deactivated or deleted
 * user (signing in over HTTP with the SCIM-set password).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "itest.h"

#define SCIM		"/api/scim/v2"
#define USERS		SCIM "/Users"
#define GROUPS		SCIM "/Groups"
#define SCHEMA_USER	"urn:ietf:params:scim:schemas:core:2.0:User"
#define SCHEMA_GROUP	"urn:ietf:params:scim:schemas:core:2.0:Group"
#define SCHEMA_LIST	"urn:ietf:params:scim:api:messages:2.0:ListResponse"
#define SCHEMA_ERROR	"urn:ietf:params:scim:api:messages:2.0:Error"
#define SCHEMA_PATCH	"urn:ietf:params:scim:api:messages:2.0:PatchOp"
#define PATCHOP(ops)	"{\"schemas\":[\"" SCHEMA_PATCH "\"],\"Operations\":[" \
			    ops "]}"

/* Org A (most tests), org B (isolation), org F (filters: three users
 * that no test changes). */
static char	 org_a[64], auth_a[200], org_b[64], auth_b[200];
static char	 org_f[64], auth_f[200], cut_f[21];
static unsigned	 seq;

static int
scim_auth(const char *org, char *auth)
{
	return fixture_bearer(org, "scim", NULL, auth);
}

/* One SCIM request as the identity providers send it. */
static long
scim_do(struct http_resp *r, const char *method, const char *path,
    const char *auth, const char *body)
{
	const char	*h[4];
	int		 n = 0;

	if (auth != NULL)
		h[n++] = auth;
	h[n++] = "Accept: application/scim+json";
	if (body != NULL)
		h[n++] = "Content-Type: application/scim+json";
	h[n] = NULL;
	http_do(method, path, h, body, body ? strlen(body) : 0, r);
	return r->status;
}

static void
check(const char *file, int line, int ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void
check(const char *file, int line, int ok, const char *fmt, ...)
{
	char	 msg[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	CU_assertImplementation(ok, line, msg, file, "", CU_FALSE);
}
#define CHECK(ok, ...)	check(__FILE__, __LINE__, (ok), __VA_ARGS__)

/*
 * A SCIM request asserting the status (at the caller's line), the
 * application/scim+json type of every answer with a body, and the RFC
 * 7644 §3.12 shape of every error (schemas, status as a string, detail,
 * and scimType when want_type is given; none when it is "").
 */
static struct json_object *
scim_json_at(const char *file, int line, const char *method,
    const char *path, const char *auth, const char *body, long want,
    const char *want_type)
{
	struct http_resp	 r;
	struct json_object	*o;
	char			*ct, st[8];
	const char		*got;

	scim_do(&r, method, path, auth, body);
	check(file, line, r.status == want, "%s %.200s: status %ld, want %ld; "
	    "body: %.300s", method, path, r.status, want, r.body);
	check(file, line, r.status < 500, "%s %.200s: a server error %ld",
	    method, path, r.status);
	o = http_json(&r);
	if (r.status != 204) {
		ct = http_header(&r, "Content-Type");
		check(file, line, ct != NULL && strncmp(ct,
		    "application/scim+json", 21) == 0, "%s %.200s (%ld): "
		    "Content-Type %s, want application/scim+json", method,
		    path, r.status, ct ? ct : "(none)");
		free(ct);
		check(file, line, o != NULL, "%s %.200s: body is not JSON: "
		    "%.200s", method, path, r.body);
	} else
		check(file, line, r.len == 0, "%s %.200s: 204 with a body",
		    method, path);
	if (r.status >= 400 && o != NULL) {
		got = json_str_at(o, "schemas.0");
		check(file, line, got != NULL && strcmp(got, SCHEMA_ERROR) == 0,
		    "%s %.200s: error schemas[0] %s", method, path,
		    got ? got : "(null)");
		snprintf(st, sizeof(st), "%ld", r.status);
		got = json_str_at(o, "status");
		check(file, line, got != NULL && strcmp(got, st) == 0,
		    "%s %.200s: error status \"%s\", want the string \"%s\"",
		    method, path, got ? got : "(null)", st);
		check(file, line, json_str_at(o, "detail") != NULL,
		    "%s %.200s: error without detail", method, path);
		got = json_str_at(o, "scimType");
		if (want_type != NULL && *want_type != '\0')
			check(file, line, got != NULL && strcmp(got,
			    want_type) == 0, "%s %.200s: scimType %s, want %s; "
			    "body: %.300s", method, path, got ? got : "(none)",
			    want_type, r.body);
		else if (want_type != NULL)
			check(file, line, got == NULL, "%s %.200s: scimType %s, "
			    "want none", method, path, got);
	}
	http_resp_free(&r);
	return o;
}
#define SCIM_JSON(m, p, a, b, w)					\
	scim_json_at(__FILE__, __LINE__, (m), (p), (a), (b), (w), NULL)
/* An error with its scimType ("" for none); nothing returned. */
#define SCIM_ERR(m, p, a, b, w, t)					\
	json_object_put(scim_json_at(__FILE__, __LINE__, (m), (p), (a),	\
	    (b), (w), (t)))
/* A request whose answer is only checked for its status. */
#define SCIM_OK(m, p, a, b, w)						\
	json_object_put(SCIM_JSON((m), (p), (a), (b), (w)))

/* A userName no run has used: prefix-<pid>-<n>@example.com. */
static void
uname(char *out, size_t n, const char *prefix)
{
	snprintf(out, n, "%s-%ld-%u@example.com", prefix, (long)getpid(),
	    seq++);
}

/* POST a User (201 asserted) from userName and more members ("" for
 * none); its id, malloc'd, or NULL. */
static char *
user_create_at(const char *file, int line, const char *auth,
    const char *user, const char *more)
{
	struct sbuf		 b = { NULL, 0, 0 };
	struct json_object	*o;
	char			*id;

	sb_printf(&b, "{\"schemas\":[\"" SCHEMA_USER "\"],\"userName\":\"%s\"%s"
	    "%s}", user, *more ? "," : "", more);
	o = scim_json_at(file, line, "POST", USERS, auth, b.p, 201, NULL);
	id = json_str_at(o, "id") ? strdup(json_str_at(o, "id")) : NULL;
	json_object_put(o);
	sb_free(&b);
	return id;
}
#define USER_CREATE(a, u, m)	user_create_at(__FILE__, __LINE__, (a), (u), (m))

static char *
group_create_at(const char *file, int line, const char *auth,
    const char *name, const char *members)
{
	struct sbuf		 b = { NULL, 0, 0 };
	struct json_object	*o;
	char			*id;

	sb_printf(&b, "{\"schemas\":[\"" SCHEMA_GROUP "\"],\"displayName\":"
	    "\"%s\",\"members\":[%s]}", name, members);
	o = scim_json_at(file, line, "POST", GROUPS, auth, b.p, 201, NULL);
	id = json_str_at(o, "id") ? strdup(json_str_at(o, "id")) : NULL;
	json_object_put(o);
	sb_free(&b);
	return id;
}
#define GROUP_CREATE(a, n, m)	group_create_at(__FILE__, __LINE__, (a), (n), (m))

/* path/id into out. */
static const char *
res_path(char *out, size_t n, const char *base, const char *id)
{
	snprintf(out, n, "%s/%s", base, id ? id : "(no-id)");
	return out;
}

/* GET a User; the JSON (200 asserted). */
static struct json_object *
user_get_at(const char *file, int line, const char *auth, const char *id)
{
	char	 p[256];

	return scim_json_at(file, line, "GET", res_path(p, sizeof(p), USERS,
	    id), auth, NULL, 200, NULL);
}
#define USER_GET(a, id)		user_get_at(__FILE__, __LINE__, (a), (id))

/* PATCH a resource; the JSON. */
static struct json_object *
patch_at(const char *file, int line, const char *auth, const char *base,
    const char *id, const char *body, long want, const char *type)
{
	char	 p[256];

	return scim_json_at(file, line, "PATCH", res_path(p, sizeof(p), base,
	    id), auth, body, want, type);
}
#define PATCH_USER(a, id, b)						\
	patch_at(__FILE__, __LINE__, (a), USERS, (id), (b), 200, NULL)
#define PATCH_GROUP(a, id, b)						\
	patch_at(__FILE__, __LINE__, (a), GROUPS, (id), (b), 200, NULL)
#define PATCH_USER_ERR(a, id, b, t)					\
	json_object_put(patch_at(__FILE__, __LINE__, (a), USERS, (id),	\
	    (b), 400, (t)))

/* The boolean at path: 1, 0, or -1 when not a JSON boolean. */
static int
json_bool_at(struct json_object *o, const char *path)
{
	o = json_at(o, path);
	return o && json_object_is_type(o, json_type_boolean) ?
	    json_object_get_boolean(o) : -1;
}

static void
assert_bool_at(const char *file, int line, struct json_object *o,
    const char *path, int want)
{
	int	 got = json_bool_at(o, path);

	check(file, line, got == want, "%s: got %s, want %s", path,
	    got < 0 ? "(not a boolean)" : got ? "true" : "false",
	    want ? "true" : "false");
}
#define ASSERT_BOOL(o, p, w)	assert_bool_at(__FILE__, __LINE__, (o), (p), (w))

static void
assert_absent_at(const char *file, int line, struct json_object *o,
    const char *path)
{
	check(file, line, json_at(o, path) == NULL, "%s: present, want "
	    "absent: %.200s", path, json_at(o, path) ?
	    json_object_to_json_string(json_at(o, path)) : "");
}
#define ASSERT_ABSENT(o, p)	assert_absent_at(__FILE__, __LINE__, (o), (p))

/* The meta.version of a resource as a number (W/"n"), or -1. */
static long
version_of(struct json_object *o)
{
	const char	*v = json_str_at(o, "meta.version");

	if (v == NULL || strncmp(v, "W/\"", 3) != 0)
		return v ? -2 : -1;
	return atol(v + 3);
}

/* The first element of the array at path whose member k is v. */
static struct json_object *
find_el(struct json_object *o, const char *path, const char *k,
    const char *v)
{
	struct json_object	*arr = json_at(o, path), *el, *x;
	size_t			 i;

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return NULL;
	for (i = 0; i < json_object_array_length(arr); i++) {
		el = json_object_array_get_idx(arr, i);
		if (json_object_object_get_ex(el, k, &x) &&
		    json_object_is_type(x, json_type_string) &&
		    strcmp(json_object_get_string(x), v) == 0)
			return el;
	}
	return NULL;
}

/* The group's member ids, sorted, comma-joined (malloc'd). */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
sorted_join(char **v, size_t n)
{
	struct sbuf	 b = { NULL, 0, 0 };
	size_t		 i;

	qsort(v, n, sizeof(*v), cmp_str);
	sb_printf(&b, "%s", "");
	for (i = 0; i < n; i++)
		sb_printf(&b, "%s%s", i ? "," : "", v[i]);
	return b.p;
}

static char *
member_ids(struct json_object *g)
{
	struct json_object	*arr = json_at(g, "members");
	char			*v[64], *s;
	size_t			 i, n = 0;

	for (i = 0; arr != NULL && json_object_is_type(arr, json_type_array) &&
	    i < json_object_array_length(arr) && n < 64; i++) {
		const char *id = json_str_at(json_object_array_get_idx(arr, i),
		    "value");
		v[n++] = strdup(id ? id : "(no-value)");
	}
	s = sorted_join(v, n);
	for (i = 0; i < n; i++)
		free(v[i]);
	return s;
}

/* Sorted, comma-joined "a,b" of two ids. */
static void
two_ids(char *out, size_t n, const char *a, const char *b)
{
	if (strcmp(a, b) < 0)
		snprintf(out, n, "%s,%s", a, b);
	else
		snprintf(out, n, "%s,%s", b, a);
}

static void
assert_members_at(const char *file, int line, struct json_object *g,
    const char *want)
{
	char	*got = member_ids(g);

	check(file, line, strcmp(got, want) == 0, "members: got [%s], want "
	    "[%s]", got, want);
	free(got);
}
#define ASSERT_MEMBERS(g, w)	assert_members_at(__FILE__, __LINE__, (g), (w))

/* users.role of a SCIM user, from the database. */
static long
is_admin(const char *id)
{
	return db_long("SELECT role = 'admin' FROM users WHERE public_id = "
	    "'%s'", id ? id : "");
}
#define ASSERT_ROLE(id, admin, what) do {				\
	long r_ = is_admin(id);						\
	CHECK(r_ == (admin), "%s: users.role admin=%ld, want %d", (what),	\
	    r_, (admin));						\
} while (0)

/* ---- the filter organization ---- */

static const char *const filter_users[] = {
	"{\"schemas\":[\"" SCHEMA_USER "\"],\"userName\":"
	    "\"Alice.Smith@Example.com\",\"externalId\":\"ext-alice\","
	    "\"name\":{\"familyName\":\"Smith\",\"givenName\":\"Alice\"},"
	    "\"title\":\"Engineer\",\"emails\":[{\"value\":"
	    "\"alice@work.example\",\"type\":\"work\",\"primary\":true},"
	    "{\"value\":\"alice@home.example\",\"type\":\"home\"}],"
	    "\"active\":true}",
	"{\"schemas\":[\"" SCHEMA_USER "\"],\"userName\":"
	    "\"bob.jones@example.com\",\"externalId\":\"ext-bob\","
	    "\"name\":{\"familyName\":\"Jones\",\"givenName\":\"Bob\"},"
	    "\"title\":\"Manager\",\"emails\":[{\"value\":"
	    "\"bob@home.example\",\"type\":\"home\"}],\"active\":false}",
	/* made a second later than the others: meta.lastModified */
	"{\"schemas\":[\"" SCHEMA_USER "\"],\"userName\":"
	    "\"carol.smith@example.org\",\"name\":{\"familyName\":"
	    "\"Smith-Jones\",\"givenName\":\"Carol\"},\"emails\":[{\"value\":"
	    "\"carol@work.example\",\"type\":\"work\"}],\"active\":true}",
};

static int
scim_init(void)
{
	struct http_resp	 r;
	size_t			 i;
	int			 ok = 1;

	if (!fixture_org(org_a) || !scim_auth(org_a, auth_a) ||
	    !fixture_org(org_b) || !scim_auth(org_b, auth_b) ||
	    !fixture_org(org_f) || !scim_auth(org_f, auth_f))
		return 1;
	/* No assertions outside a test. */
	for (i = 0; i < 3 && ok; i++) {
		if (i == 2)
			next_second(cut_f);
		ok = scim_do(&r, "POST", USERS, auth_f, filter_users[i]) == 201;
		if (!ok)
			fprintf(stderr, "scim init: %ld %s\n", r.status, r.body);
		http_resp_free(&r);
	}
	return !ok;
}

/* "alice", "bob", "carol" of a ListResponse, sorted, comma-joined. */
static char *
list_names(struct json_object *o)
{
	struct json_object	*arr = json_at(o, "Resources");
	char			*v[16], *s;
	const char		*u;
	size_t			 i, n = 0;

	for (i = 0; arr != NULL && json_object_is_type(arr, json_type_array) &&
	    i < json_object_array_length(arr) && n < 16; i++) {
		u = json_str_at(json_object_array_get_idx(arr, i), "userName");
		v[n] = strndup(u ? u : "?", strcspn(u ? u : "?", ".@"));
		for (char *p = v[n]; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		n++;
	}
	s = sorted_join(v, n);
	for (i = 0; i < n; i++)
		free(v[i]);
	return s;
}

/* GET path?query (escaping the filter); the ListResponse (200). */
static struct json_object *
list_at(const char *file, int line, const char *auth, const char *base,
    const char *filter, const char *rest)
{
	CURL			*c = curl_easy_init();
	char			*e = NULL;
	struct sbuf		 p = { NULL, 0, 0 };
	struct json_object	*o;

	if (filter != NULL)
		e = curl_easy_escape(c, filter, 0);
	sb_printf(&p, "%s?%s%s%s%s", base, e ? "filter=" : "", e ? e : "",
	    e && rest ? "&" : "", rest ? rest : "");
	o = scim_json_at(file, line, "GET", p.p, auth, NULL, 200, NULL);
	check(file, line, o == NULL || (json_str_at(o, "schemas.0") != NULL &&
	    strcmp(json_str_at(o, "schemas.0"), SCHEMA_LIST) == 0),
	    "%s: not a ListResponse", p.p);
	curl_free(e);
	curl_easy_cleanup(c);
	sb_free(&p);
	return o;
}
#define LIST(a, base, f, rest)	list_at(__FILE__, __LINE__, (a), (base), (f), \
	(rest))

/* The filter over org F's users selects exactly want ("" for none);
 * a ListResponse with totalResults and itemsPerPage to match. */
static void
filter_is_at(const char *file, int line, const char *filter,
    const char *want)
{
	struct json_object	*o = list_at(file, line, auth_f, USERS, filter,
				    NULL);
	char			*got = list_names(o);
	double			 total = -1, per = -1;
	size_t			 n = *want ? 1 : 0;
	const char		*p;

	for (p = want; *p; p++)
		n += *p == ',';
	check(file, line, strcmp(got, want) == 0, "filter %s: got [%s], "
	    "want [%s]", filter, got, want);
	check(file, line, json_num_at(o, "totalResults", &total) &&
	    total == (double)n, "filter %s: totalResults %g, want %zu",
	    filter, total, n);
	check(file, line, json_num_at(o, "itemsPerPage", &per) &&
	    per == (double)n, "filter %s: itemsPerPage %g, want %zu", filter,
	    per, n);
	if (n == 0)
		check(file, line, json_at(o, "Resources") == NULL ||
		    json_len_at(o, "Resources") == 0, "filter %s: Resources "
		    "not empty", filter);
	free(got);
	json_object_put(o);
}
#define FILTER_IS(f, w)	filter_is_at(__FILE__, __LINE__, (f), (w))

/* ---- discovery ---- */

static void
test_discovery(void)
{
	struct json_object	*o;
	double			 n;

	o = SCIM_JSON("GET", SCIM "/ServiceProviderConfig", auth_a, NULL, 200);
	ASSERT_EQS(json_str_at(o, "schemas.0"), "urn:ietf:params:scim:schemas:"
	    "core:2.0:ServiceProviderConfig", "ServiceProviderConfig schema");
	ASSERT_BOOL(o, "patch.supported", 1);
	ASSERT_BOOL(o, "filter.supported", 1);
	ASSERT_NUM(o, "filter.maxResults", 100);
	ASSERT_BOOL(o, "bulk.supported", 0);
	ASSERT_BOOL(o, "sort.supported", 0);
	ASSERT_BOOL(o, "etag.supported", 1);
	ASSERT_BOOL(o, "changePassword.supported", 1);
	ASSERT_EQS(json_str_at(o, "authenticationSchemes.0.type"),
	    "oauthbearertoken", "authenticationSchemes[0].type");
	json_object_put(o);

	o = SCIM_JSON("GET", SCIM "/ResourceTypes", auth_a, NULL, 200);
	ASSERT_EQS(json_str_at(o, "schemas.0"), SCHEMA_LIST, "ResourceTypes");
	CHECK(json_num_at(o, "totalResults", &n) && n == 2,
	    "ResourceTypes totalResults %g", n);
	CU_ASSERT_PTR_NOT_NULL(find_el(o, "Resources", "id", "User"));
	CU_ASSERT_PTR_NOT_NULL(find_el(o, "Resources", "id", "Group"));
	ASSERT_EQS(json_str_at(find_el(o, "Resources", "id", "User"),
	    "endpoint"), "/Users", "User endpoint");
	ASSERT_EQS(json_str_at(find_el(o, "Resources", "id", "Group"),
	    "schema"), SCHEMA_GROUP, "Group schema");
	json_object_put(o);
	o = SCIM_JSON("GET", SCIM "/ResourceTypes/User", auth_a, NULL, 200);
	ASSERT_EQS(json_str_at(o, "schema"), SCHEMA_USER, "ResourceTypes/User");
	json_object_put(o);
	SCIM_ERR("GET", SCIM "/ResourceTypes/Device", auth_a, NULL, 404, "");

	o = SCIM_JSON("GET", SCIM "/Schemas", auth_a, NULL, 200);
	ASSERT_EQS(json_str_at(o, "schemas.0"), SCHEMA_LIST, "Schemas");
	CU_ASSERT_PTR_NOT_NULL(find_el(o, "Resources", "id", SCHEMA_USER));
	CU_ASSERT_PTR_NOT_NULL(find_el(o, "Resources", "id", SCHEMA_GROUP));
	CU_ASSERT_PTR_NOT_NULL(find_el(find_el(o, "Resources", "id",
	    SCHEMA_USER), "attributes", "name", "userName"));
	CU_ASSERT_PTR_NOT_NULL(find_el(find_el(o, "Resources", "id",
	    SCHEMA_GROUP), "attributes", "name", "members"));
	json_object_put(o);
	o = SCIM_JSON("GET", SCIM "/Schemas/" SCHEMA_USER, auth_a, NULL, 200);
	ASSERT_EQS(json_str_at(o, "id"), SCHEMA_USER, "Schemas/User id");
	ASSERT_EQS(json_str_at(find_el(o, "attributes", "name", "password"),
	    "returned"), "never", "password returned");
	json_object_put(o);
	SCIM_ERR("GET", SCIM "/Schemas/urn:example:nope", auth_a, NULL, 404, "");
	/* Discovery needs the token too. */
	SCIM_ERR("GET", SCIM "/ServiceProviderConfig", NULL, NULL, 401, "");
}

/* ---- /Users ---- */

static void
test_user_create(void)
{
	struct http_resp	 r;
	struct json_object	*o, *g;
	char			 u[128], body[1024], *loc, want[512];
	const char		*id;

	uname(u, sizeof(u), "create");
	snprintf(body, sizeof(body), "{\"schemas\":[\"" SCHEMA_USER "\"],"
	    "\"userName\":\"%s\",\"externalId\":\"ext-%u\",\"name\":"
	    "{\"givenName\":\"Dana\",\"familyName\":\"Create\"},\"displayName\":"
	    "\"Dana Create\",\"emails\":[{\"value\":\"%s\",\"type\":\"work\","
	    "\"primary\":true}],\"password\":\"Sup3r-secret-pw\",\"active\":true}",
	    u, seq, u);
	/* Straight to the stack: the proxy does not pass Host on, so the
	 * Location checked below would name the stack, not the proxy. */
	itest_direct(1);
	scim_do(&r, "POST", USERS, auth_a, body);
	itest_direct(0);
	ASSERT_STATUS(&r, 201);
	o = http_json(&r);
	ASSERT_HDR(&r, "Content-Type", "application/scim+json");
	id = json_str_at(o, "id");
	CU_ASSERT_PTR_NOT_NULL_FATAL(id);
	ASSERT_EQS(json_str_at(o, "schemas.0"), SCHEMA_USER, "schemas");
	ASSERT_EQS(json_str_at(o, "userName"), u, "userName");
	ASSERT_EQS(json_str_at(o, "name.familyName"), "Create", "familyName");
	ASSERT_EQS(json_str_at(o, "displayName"), "Dana Create", "displayName");
	ASSERT_EQS(json_str_at(o, "emails.0.value"), u, "emails[0].value");
	ASSERT_BOOL(o, "emails.0.primary", 1);
	ASSERT_BOOL(o, "active", 1);
	/* RFC 7643 §4.1.1: password is returned never. */
	ASSERT_ABSENT(o, "password");
	CHECK(strstr(r.body, "Sup3r-secret-pw") == NULL, "password echoed");
	ASSERT_EQS(json_str_at(o, "meta.resourceType"), "User", "resourceType");
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "meta.created"));
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "meta.lastModified"));
	CHECK(version_of(o) >= 1, "meta.version %s, want W/\"n\"",
	    json_str_at(o, "meta.version") ? json_str_at(o, "meta.version") :
	    "(none)");
	/* Location is the resource's URI, as meta.location says. */
	loc = http_header(&r, "Location");
	snprintf(want, sizeof(want), "%s" USERS "/%s", itest_stack_url(), id);
	ASSERT_EQS(loc, want, "Location");
	ASSERT_EQS(json_str_at(o, "meta.location"), want, "meta.location");
	free(loc);
	/* The password is not stored in the clear anywhere. */
	CHECK(db_long("SELECT COUNT(*) FROM users WHERE public_id = '%s' AND "
	    "password_hash LIKE '$argon2id$%%' AND scim_json NOT LIKE "
	    "'%%Sup3r-secret-pw%%'", id) == 1, "password not kept hashed");
	CHECK(db_long("SELECT scim_managed FROM users WHERE public_id = '%s'",
	    id) == 1, "scim_managed");
	ASSERT_ROLE(id, 0, "a new user");
	g = USER_GET(auth_a, id);
	ASSERT_EQS(json_str_at(g, "userName"), u, "GET userName");
	ASSERT_EQS(json_str_at(g, "meta.version"), json_str_at(o,
	    "meta.version"), "GET meta.version");
	ASSERT_ABSENT(g, "password");
	json_object_put(g);
	json_object_put(o);
	http_resp_free(&r);
}

static void
test_user_uniqueness(void)
{
	char	 u[128], upper[128], *a, *b, *c, body[512], p[256];
	size_t	 i;

	uname(u, sizeof(u), "taken");
	a = USER_CREATE(auth_a, u, "");
	for (i = 0; u[i]; i++)
		upper[i] = (char)(u[i] >= 'a' && u[i] <= 'z' ? u[i] - 32 : u[i]);
	upper[i] = '\0';
	snprintf(body, sizeof(body), "{\"schemas\":[\"" SCHEMA_USER "\"],"
	    "\"userName\":\"%s\"}", u);
	SCIM_ERR("POST", USERS, auth_a, body, 409, "uniqueness");
	/* userName is compared without regard to case (RFC 7643 §4.1.1). */
	snprintf(body, sizeof(body), "{\"schemas\":[\"" SCHEMA_USER "\"],"
	    "\"userName\":\"%s\"}", upper);
	SCIM_ERR("POST", USERS, auth_a, body, 409, "uniqueness");
	CHECK(db_long("SELECT COUNT(*) FROM users WHERE org_id = %ld AND "
	    "user_name = '%s'", db_org_id(org_a), u) == 1, "one user %s", u);
	/* Another organization may have the same userName. */
	b = USER_CREATE(auth_b, u, "");
	/* Renaming onto a taken userName: PUT and PATCH are 409 too. */
	uname(body, sizeof(body), "other");
	c = USER_CREATE(auth_a, body, "");
	snprintf(body, sizeof(body), "{\"schemas\":[\"" SCHEMA_USER "\"],"
	    "\"userName\":\"%s\"}", upper);
	SCIM_ERR("PUT", res_path(p, sizeof(p), USERS, c), auth_a, body, 409,
	    "uniqueness");
	snprintf(body, sizeof(body), PATCHOP("{\"op\":\"replace\",\"path\":"
	    "\"userName\",\"value\":\"%s\"}"), u);
	SCIM_ERR("PATCH", p, auth_a, body, 409, "uniqueness");
	free(a);
	free(b);
	free(c);
}

static void
test_user_get(void)
{
	struct json_object	*o;
	char			 u[128], *id, p[256];

	uname(u, sizeof(u), "get");
	id = USER_CREATE(auth_a, u, "\"nickName\":\"Getty\"");
	o = USER_GET(auth_a, id);
	ASSERT_EQS(json_str_at(o, "id"), id ? id : "", "id");
	ASSERT_EQS(json_str_at(o, "userName"), u, "userName");
	ASSERT_EQS(json_str_at(o, "nickName"), "Getty", "an attribute Mihwar "
	    "does not model comes back");
	/* active defaults to true. */
	ASSERT_BOOL(o, "active", 1);
	json_object_put(o);
	SCIM_ERR("GET", USERS "/01a1a1a1-0000-7000-8000-000000000000", auth_a,
	    NULL, 404, "");
	SCIM_ERR("GET", USERS "/not-a-uuid", auth_a, NULL, 404, "");
	/* RFC 7644 §3.9: attributes and excludedAttributes apply to any
	 * answer with a resource, a GET by id too. */
	snprintf(p, sizeof(p), USERS "/%s?attributes=userName", id);
	o = SCIM_JSON("GET", p, auth_a, NULL, 200);
	ASSERT_EQS(json_str_at(o, "userName"), u, "attributes=userName");
	ASSERT_ABSENT(o, "nickName");
	json_object_put(o);
	snprintf(p, sizeof(p), USERS "/%s?excludedAttributes=nickName", id);
	o = SCIM_JSON("GET", p, auth_a, NULL, 200);
	ASSERT_EQS(json_str_at(o, "userName"), u, "excludedAttributes");
	ASSERT_ABSENT(o, "nickName");
	json_object_put(o);
	free(id);
}

static void
test_user_put(void)
{
	struct json_object	*o;
	char			 u[128], u2[128], body[1024], p[256], *id;
	long			 v1;

	uname(u, sizeof(u), "put");
	uname(u2, sizeof(u2), "put-renamed");
	id = USER_CREATE(auth_a, u, "\"externalId\":\"put-1\",\"title\":"
	    "\"Clerk\",\"name\":{\"givenName\":\"Pat\",\"familyName\":\"Put\"}");
	o = USER_GET(auth_a, id);
	v1 = version_of(o);
	json_object_put(o);
	res_path(p, sizeof(p), USERS, id);
	/* PUT replaces: title is gone, name is new, id and meta are the
	 * server's whatever the body says. */
	snprintf(body, sizeof(body), "{\"schemas\":[\"" SCHEMA_USER "\"],"
	    "\"id\":\"ignored\",\"userName\":\"%s\",\"externalId\":\"put-2\","
	    "\"name\":{\"givenName\":\"Patricia\"},\"active\":true,"
	    "\"meta\":{\"version\":\"W/\\\"99\\\"\"}}", u2);
	o = SCIM_JSON("PUT", p, auth_a, body, 200);
	ASSERT_EQS(json_str_at(o, "id"), id ? id : "", "id unchanged");
	ASSERT_EQS(json_str_at(o, "userName"), u2, "userName");
	ASSERT_EQS(json_str_at(o, "externalId"), "put-2", "externalId");
	ASSERT_EQS(json_str_at(o, "name.givenName"), "Patricia", "givenName");
	ASSERT_ABSENT(o, "name.familyName");
	ASSERT_ABSENT(o, "title");
	CHECK(version_of(o) > v1, "meta.version %ld after PUT, was %ld",
	    version_of(o), v1);
	json_object_put(o);
	o = USER_GET(auth_a, id);
	ASSERT_EQS(json_str_at(o, "userName"), u2, "GET after PUT");
	ASSERT_ABSENT(o, "title");
	json_object_put(o);
	CHECK(db_long("SELECT COUNT(*) FROM users WHERE public_id = '%s' AND "
	    "user_name = '%s' AND external_id = 'put-2'", id, u2) == 1,
	    "users row after PUT");
	/* PUT of a User that does not exist; PUT without userName. */
	SCIM_ERR("PUT", USERS "/01a1a1a1-0000-7000-8000-000000000000", auth_a,
	    body, 404, "");
	SCIM_ERR("PUT", p, auth_a, "{\"schemas\":[\"" SCHEMA_USER "\"],"
	    "\"name\":{\"givenName\":\"X\"}}", 400, "invalidValue");
	free(id);
}

static void
test_patch_with_path(void)
{
	struct json_object	*o;
	char			 u[128], u2[128], body[1024], *id;
	long			 v;

	uname(u, sizeof(u), "patch");
	id = USER_CREATE(auth_a, u, "\"name\":{\"givenName\":\"Pam\","
	    "\"familyName\":\"Patch\"},\"title\":\"Intern\",\"emails\":"
	    "[{\"value\":\"pam@work.example\",\"type\":\"work\"}]");
	o = USER_GET(auth_a, id);
	v = version_of(o);
	json_object_put(o);

	o = PATCH_USER(auth_a, id, PATCHOP(
	    "{\"op\":\"replace\",\"path\":\"name.familyName\",\"value\":\"Pat\"},"
	    "{\"op\":\"add\",\"path\":\"displayName\",\"value\":\"Pam Pat\"},"
	    "{\"op\":\"add\",\"path\":\"emails\",\"value\":[{\"value\":"
	    "\"pam@home.example\",\"type\":\"home\"}]},"
	    "{\"op\":\"remove\",\"path\":\"title\"}"));
	ASSERT_EQS(json_str_at(o, "name.familyName"), "Pat", "familyName");
	ASSERT_EQS(json_str_at(o, "name.givenName"), "Pam", "givenName kept");
	ASSERT_EQS(json_str_at(o, "displayName"), "Pam Pat", "displayName");
	CHECK(json_len_at(o, "emails") == 2, "add appends to emails: %ld",
	    json_len_at(o, "emails"));
	CU_ASSERT_PTR_NOT_NULL(find_el(o, "emails", "value",
	    "pam@work.example"));
	CU_ASSERT_PTR_NOT_NULL(find_el(o, "emails", "value",
	    "pam@home.example"));
	ASSERT_ABSENT(o, "title");
	CHECK(version_of(o) > v, "meta.version %ld after PATCH, was %ld",
	    version_of(o), v);
	json_object_put(o);

	/* Sub-attribute add creates the complex attribute; names in any
	 * case; remove of a sub-attribute; userName itself. */
	uname(u2, sizeof(u2), "patched");
	snprintf(body, sizeof(body), PATCHOP(
	    "{\"op\":\"add\",\"path\":\"addresses\",\"value\":[{\"locality\":"
	    "\"Muscat\",\"type\":\"work\"}]},"
	    "{\"op\":\"replace\",\"path\":\"NAME.GIVENNAME\",\"value\":\"Pamela\"},"
	    "{\"op\":\"remove\",\"path\":\"name.familyName\"},"
	    "{\"op\":\"replace\",\"path\":\"userName\",\"value\":\"%s\"}"), u2);
	o = PATCH_USER(auth_a, id, body);
	ASSERT_EQS(json_str_at(o, "addresses.0.locality"), "Muscat", "address");
	ASSERT_EQS(json_str_at(o, "name.givenName"), "Pamela", "givenName");
	ASSERT_ABSENT(o, "name.familyName");
	ASSERT_EQS(json_str_at(o, "userName"), u2, "userName");
	json_object_put(o);
	o = USER_GET(auth_a, id);
	ASSERT_EQS(json_str_at(o, "name.givenName"), "Pamela", "GET after PATCH");
	ASSERT_EQS(json_str_at(o, "userName"), u2, "GET userName");
	json_object_put(o);
	CHECK(db_long("SELECT COUNT(*) FROM users WHERE public_id = '%s' AND "
	    "user_name = '%s'", id, u2) == 1, "users.user_name follows "
	    "userName");
	/* Removing what is not there is no error. */
	json_object_put(PATCH_USER(auth_a, id, PATCHOP("{\"op\":\"remove\","
	    "\"path\":\"nickName\"}")));
	free(id);
}

static void
test_patch_value_filters(void)
{
	struct json_object	*o;
	char			 u[128], *id;

	uname(u, sizeof(u), "vf");
	id = USER_CREATE(auth_a, u, "\"emails\":[{\"value\":\"w@work.example\","
	    "\"type\":\"work\",\"primary\":true},{\"value\":\"h@home.example\","
	    "\"type\":\"home\"},{\"value\":\"o@other.example\",\"type\":"
	    "\"other\"}]");
	o = PATCH_USER(auth_a, id, PATCHOP("{\"op\":\"replace\",\"path\":"
	    "\"emails[type eq \\\"work\\\"].value\",\"value\":"
	    "\"w2@work.example\"}"));
	ASSERT_EQS(json_str_at(find_el(o, "emails", "type", "work"), "value"),
	    "w2@work.example", "work e-mail replaced");
	ASSERT_EQS(json_str_at(find_el(o, "emails", "type", "home"), "value"),
	    "h@home.example", "home e-mail untouched");
	ASSERT_BOOL(find_el(o, "emails", "type", "work"), "primary", 1);
	json_object_put(o);
	/* A whole element removed by filter; a sub-attribute of one. */
	o = PATCH_USER(auth_a, id, PATCHOP("{\"op\":\"remove\",\"path\":"
	    "\"emails[type eq \\\"home\\\"]\"},{\"op\":\"remove\",\"path\":"
	    "\"emails[value ew \\\"@work.example\\\"].primary\"}"));
	CHECK(json_len_at(o, "emails") == 2, "emails after remove: %ld",
	    json_len_at(o, "emails"));
	CU_ASSERT_PTR_NULL(find_el(o, "emails", "type", "home"));
	ASSERT_ABSENT(find_el(o, "emails", "type", "work"), "primary");
	json_object_put(o);
	/* replace of an element by filter with an object value; filters
	 * combine with and, and compare case-insensitively. */
	o = PATCH_USER(auth_a, id, PATCHOP("{\"op\":\"replace\",\"path\":"
	    "\"emails[type eq \\\"OTHER\\\" and value co \\\"other\\\"]\","
	    "\"value\":{\"display\":\"Other mail\",\"primary\":\"True\"}}"));
	ASSERT_EQS(json_str_at(find_el(o, "emails", "type", "other"),
	    "display"), "Other mail", "display set by filtered replace");
	ASSERT_BOOL(find_el(o, "emails", "type", "other"), "primary", 1);
	ASSERT_EQS(json_str_at(find_el(o, "emails", "type", "other"), "value"),
	    "o@other.example", "value kept by filtered replace");
	json_object_put(o);
	o = USER_GET(auth_a, id);
	CHECK(json_len_at(o, "emails") == 2, "GET emails: %ld",
	    json_len_at(o, "emails"));
	json_object_put(o);
	free(id);
}

static void
test_patch_without_path(void)
{
	struct json_object	*o;
	char			 u[128], *id;

	uname(u, sizeof(u), "nopath");
	id = USER_CREATE(auth_a, u, "\"name\":{\"givenName\":\"Nora\","
	    "\"familyName\":\"Path\"},\"title\":\"Clerk\"");
	o = PATCH_USER(auth_a, id, PATCHOP("{\"op\":\"replace\",\"value\":{"
	    "\"title\":\"Lead\",\"displayName\":\"Nora P\"}},"
	    "{\"op\":\"add\",\"value\":{\"nickName\":\"No\",\"name\":"
	    "{\"middleName\":\"M\"}}}"));
	ASSERT_EQS(json_str_at(o, "title"), "Lead", "replaced title");
	ASSERT_EQS(json_str_at(o, "displayName"), "Nora P", "displayName");
	ASSERT_EQS(json_str_at(o, "nickName"), "No", "added nickName");
	/* add of a complex value merges its sub-attributes (§3.5.2.1). */
	ASSERT_EQS(json_str_at(o, "name.middleName"), "M", "middleName");
	ASSERT_EQS(json_str_at(o, "name.givenName"), "Nora", "givenName kept");
	ASSERT_EQS(json_str_at(o, "userName"), u, "userName kept");
	json_object_put(o);
	o = USER_GET(auth_a, id);
	ASSERT_EQS(json_str_at(o, "title"), "Lead", "GET title");
	json_object_put(o);
	free(id);
}

static void
test_external_id(void)
{
	struct json_object	*o;
	char			 u[128], p[256], ext[64], ext2[64], f[128], *id;

	uname(u, sizeof(u), "ext");
	snprintf(ext, sizeof(ext), "entra-%ld-%u", (long)getpid(), seq++);
	snprintf(ext2, sizeof(ext2), "okta-%ld-%u", (long)getpid(), seq++);
	snprintf(p, sizeof(p), "\"externalId\":\"%s\"", ext);
	id = USER_CREATE(auth_a, u, p);
	o = USER_GET(auth_a, id);
	ASSERT_EQS(json_str_at(o, "externalId"), ext, "externalId kept");
	json_object_put(o);
	CHECK(db_long("SELECT COUNT(*) FROM users WHERE public_id = '%s' AND "
	    "external_id = '%s'", id, ext) == 1, "users.external_id");
	snprintf(f, sizeof(f), "externalId eq \"%s\"", ext);
	o = LIST(auth_a, USERS, f, NULL);
	ASSERT_NUM(o, "totalResults", 1);
	ASSERT_EQS(json_str_at(o, "Resources.0.id"), id ? id : "", "by "
	    "externalId");
	json_object_put(o);
	snprintf(p, sizeof(p), PATCHOP("{\"op\":\"replace\",\"path\":"
	    "\"externalId\",\"value\":\"%s\"}"), ext2);
	o = PATCH_USER(auth_a, id, p);
	ASSERT_EQS(json_str_at(o, "externalId"), ext2, "externalId replaced");
	json_object_put(o);
	o = LIST(auth_a, USERS, f, NULL);
	ASSERT_NUM(o, "totalResults", 0);
	json_object_put(o);
	snprintf(f, sizeof(f), "externalId eq \"%s\"", ext2);
	o = LIST(auth_a, USERS, f, NULL);
	ASSERT_NUM(o, "totalResults", 1);
	json_object_put(o);
	/* Not filterable in another organization. */
	o = LIST(auth_b, USERS, f, NULL);
	ASSERT_NUM(o, "totalResults", 0);
	json_object_put(o);
	/* A PUT that omits externalId clears it (replace semantics). */
	snprintf(p, sizeof(p), "{\"schemas\":[\"" SCHEMA_USER "\"],"
	    "\"userName\":\"%s\"}", u);
	o = SCIM_JSON("PUT", res_path(f, sizeof(f), USERS, id), auth_a, p,
	    200);
	ASSERT_ABSENT(o, "externalId");
	json_object_put(o);
	free(id);
}

static void
test_user_delete(void)
{
	struct json_object	*o;
	char			 u[128], p[256], f[160], *id, *gid, gname[64];

	uname(u, sizeof(u), "delete");
	id = USER_CREATE(auth_a, u, "");
	snprintf(gname, sizeof(gname), "Del-%ld-%u", (long)getpid(), seq++);
	snprintf(p, sizeof(p), "{\"value\":\"%s\"}", id ? id : "");
	gid = GROUP_CREATE(auth_a, gname, p);
	res_path(p, sizeof(p), USERS, id);
	/* Another organization's token cannot delete it. */
	SCIM_ERR("DELETE", p, auth_b, NULL, 404, "");
	SCIM_OK("DELETE", p, auth_a, NULL, 204);
	SCIM_ERR("GET", p, auth_a, NULL, 404, "");
	SCIM_ERR("DELETE", p, auth_a, NULL, 404, "");
	SCIM_ERR("PATCH", p, auth_a, PATCHOP("{\"op\":\"replace\",\"path\":"
	    "\"title\",\"value\":\"x\"}"), 404, "");
	snprintf(f, sizeof(f), "userName eq \"%s\"", u);
	o = LIST(auth_a, USERS, f, NULL);
	ASSERT_NUM(o, "totalResults", 0);
	json_object_put(o);
	CHECK(db_long("SELECT COUNT(*) FROM users WHERE public_id = '%s'",
	    id) == 0, "users row gone");
	/* Gone from its group as well. */
	o = SCIM_JSON("GET", res_path(p, sizeof(p), GROUPS, gid), auth_a,
	    NULL, 200);
	ASSERT_MEMBERS(o, "");
	json_object_put(o);
	/* The userName is free again. */
	free(id);
	id = USER_CREATE(auth_a, u, "");
	free(id);
	free(gid);
}

/* ---- filters (org F) ---- */

static void
test_filter_compare(void)
{
	FILTER_IS("userName eq \"alice.smith@example.com\"", "alice");
	FILTER_IS("userName ne \"alice.smith@example.com\"", "bob,carol");
	FILTER_IS("userName co \"smith\"", "alice,carol");
	FILTER_IS("userName sw \"bob\"", "bob");
	FILTER_IS("userName ew \".org\"", "carol");
	FILTER_IS("title pr", "alice,bob");
	FILTER_IS("externalId pr", "alice,bob");
	FILTER_IS("userName gt \"b\"", "bob,carol");
	FILTER_IS("userName ge \"bob.jones@example.com\"", "bob,carol");
	FILTER_IS("userName lt \"bob.jones@example.com\"", "alice");
	FILTER_IS("userName le \"bob.jones@example.com\"", "alice,bob");
	FILTER_IS("active eq true", "alice,carol");
	FILTER_IS("active eq false", "bob");
	FILTER_IS("active ne true", "bob");
	FILTER_IS("externalId eq \"ext-bob\"", "bob");
	FILTER_IS("meta.resourceType eq \"User\"", "alice,bob,carol");
	FILTER_IS("userName eq \"nobody@example.com\"", "");
}

static void
test_filter_logic(void)
{
	FILTER_IS("title pr and active eq true", "alice");
	FILTER_IS("userName sw \"alice\" or userName sw \"bob\"", "alice,bob");
	FILTER_IS("not (userName sw \"alice\")", "bob,carol");
	FILTER_IS("not (title pr)", "carol");
	FILTER_IS("not (userName sw \"alice\" or userName sw \"bob\")",
	    "carol");
	/* and binds tighter than or; parentheses change that. */
	FILTER_IS("userName sw \"bob\" or userName sw \"carol\" and "
	    "active eq true", "bob,carol");
	FILTER_IS("(userName sw \"bob\" or userName sw \"carol\") and "
	    "active eq true", "carol");
	FILTER_IS("((userName sw \"alice\") or (userName sw \"carol\")) and "
	    "not (name.familyName eq \"Smith\")", "carol");
	FILTER_IS("userName sw \"alice\" and userName sw \"bob\"", "");
}

static void
test_filter_paths(void)
{
	char	 f[128];

	FILTER_IS("name.familyName eq \"Smith\"", "alice");
	FILTER_IS("name.familyName sw \"Smith\"", "alice,carol");
	FILTER_IS("name.familyName co \"jones\"", "bob,carol");
	FILTER_IS("name.givenName ew \"ob\"", "bob");
	FILTER_IS("emails.value eq \"carol@work.example\"", "carol");
	FILTER_IS("emails.type eq \"home\"", "alice,bob");
	FILTER_IS("emails[type eq \"home\"]", "alice,bob");
	FILTER_IS("emails[type eq \"work\" and value co \"alice\"]", "alice");
	FILTER_IS("emails[type eq \"work\"].value ew \"@work.example\"",
	    "alice,carol");
	/* The value filter holds the element: alice's home address is not
	 * her work one. */
	FILTER_IS("emails[type eq \"work\"].value eq \"alice@home.example\"",
	    "");
	FILTER_IS("emails[primary eq true]", "alice");
	FILTER_IS(SCHEMA_USER ":userName sw \"bob\"", "bob");
	FILTER_IS(SCHEMA_USER ":name.familyName eq \"Jones\"", "bob");
	/* meta.lastModified: carol was made after cut_f, the others before. */
	snprintf(f, sizeof(f), "meta.lastModified gt \"%s\"", cut_f);
	FILTER_IS(f, "carol");
	snprintf(f, sizeof(f), "meta.lastModified ge \"%s\"", cut_f);
	FILTER_IS(f, "carol");
	snprintf(f, sizeof(f), "meta.lastModified lt \"%s\"", cut_f);
	FILTER_IS(f, "alice,bob");
	snprintf(f, sizeof(f), "meta.lastModified le \"%s\"", cut_f);
	FILTER_IS(f, "alice,bob");
	snprintf(f, sizeof(f), "meta.created lt \"%s\" and active eq true",
	    cut_f);
	FILTER_IS(f, "alice");
}

static void
test_filter_case(void)
{
	/* userName is caseExact false: any case of the value matches. */
	FILTER_IS("userName eq \"ALICE.SMITH@EXAMPLE.COM\"", "alice");
	FILTER_IS("userName eq \"Bob.Jones@Example.Com\"", "bob");
	FILTER_IS("userName sw \"ALICE\"", "alice");
	/* Attribute names, operators and the logical words in any case. */
	FILTER_IS("USERNAME eq \"alice.smith@example.com\"", "alice");
	FILTER_IS("username EQ \"alice.smith@example.com\"", "alice");
	FILTER_IS("Name.FamilyName Eq \"smith\"", "alice");
	FILTER_IS("EMAILS[TYPE eq \"work\"].VALUE sw \"carol\"", "carol");
	FILTER_IS("Title PR AND Active Eq True", "alice");
	FILTER_IS("userName sw \"alice\" OR userName sw \"carol\"",
	    "alice,carol");
	FILTER_IS("NOT (title pr)", "carol");
	FILTER_IS("meta.LASTMODIFIED pr", "alice,bob,carol");
}

static void
test_paging(void)
{
	struct json_object	*o, *o2;
	char			*a, *b, both[64];

	/* Okta's connection test: the first two. */
	o = LIST(auth_f, USERS, NULL, "startIndex=1&count=2");
	ASSERT_NUM(o, "totalResults", 3);
	ASSERT_NUM(o, "itemsPerPage", 2);
	ASSERT_NUM(o, "startIndex", 1);
	CHECK(json_len_at(o, "Resources") == 2, "Resources: %ld",
	    json_len_at(o, "Resources"));
	o2 = LIST(auth_f, USERS, NULL, "startIndex=3&count=2");
	ASSERT_NUM(o2, "totalResults", 3);
	ASSERT_NUM(o2, "itemsPerPage", 1);
	ASSERT_NUM(o2, "startIndex", 3);
	a = list_names(o);
	b = list_names(o2);
	snprintf(both, sizeof(both), "%s,%s", a, b);
	{
		/* The two pages are all three users, none twice. */
		char	*v[3] = { strtok(both, ","), NULL, NULL }, *s;

		v[1] = strtok(NULL, ",");
		v[2] = strtok(NULL, ",");
		CHECK(v[2] != NULL, "pages hold %s and %s", a, b);
		if (v[2] != NULL) {
			s = sorted_join(v, 3);
			ASSERT_EQS(s, "alice,bob,carol", "pages");
			free(s);
		}
	}
	free(a);
	free(b);
	json_object_put(o);
	json_object_put(o2);
	/* Past the end: no Resources, totalResults still 3. */
	o = LIST(auth_f, USERS, NULL, "startIndex=4&count=2");
	ASSERT_NUM(o, "totalResults", 3);
	ASSERT_NUM(o, "itemsPerPage", 0);
	CHECK(json_len_at(o, "Resources") <= 0, "Resources past the end");
	json_object_put(o);
	/* count=0: only totalResults (RFC 7644 §3.4.2.4). */
	o = LIST(auth_f, USERS, NULL, "count=0");
	ASSERT_NUM(o, "totalResults", 3);
	ASSERT_NUM(o, "itemsPerPage", 0);
	json_object_put(o);
	/* startIndex < 1 is 1; a negative count is 0. */
	o = LIST(auth_f, USERS, NULL, "startIndex=0&count=10");
	ASSERT_NUM(o, "startIndex", 1);
	ASSERT_NUM(o, "itemsPerPage", 3);
	json_object_put(o);
	o = LIST(auth_f, USERS, NULL, "startIndex=-5&count=-1");
	ASSERT_NUM(o, "startIndex", 1);
	ASSERT_NUM(o, "itemsPerPage", 0);
	ASSERT_NUM(o, "totalResults", 3);
	json_object_put(o);
	/* No paging parameters: all of them from 1. */
	o = LIST(auth_f, USERS, NULL, NULL);
	ASSERT_NUM(o, "totalResults", 3);
	ASSERT_NUM(o, "itemsPerPage", 3);
	ASSERT_NUM(o, "startIndex", 1);
	json_object_put(o);
	/* Filter and paging together: totalResults counts the matches. */
	o = LIST(auth_f, USERS, "title pr", "startIndex=2&count=1");
	ASSERT_NUM(o, "totalResults", 2);
	ASSERT_NUM(o, "itemsPerPage", 1);
	ASSERT_NUM(o, "startIndex", 2);
	json_object_put(o);
	SCIM_ERR("GET", USERS "?count=ten", auth_f, NULL, 400, NULL);
	SCIM_ERR("GET", USERS "?startIndex=1x", auth_f, NULL, 400, NULL);
}

static void
test_count_max(void)
{
	char			 org[64], auth[200], u[128], *id;
	struct json_object	*o;
	int			 i, made = 0;

	CU_ASSERT_FATAL(fixture_org(org) && scim_auth(org, auth));
	for (i = 0; i < 102; i++) {
		snprintf(u, sizeof(u), "many-%03d@example.com", i);
		if ((id = USER_CREATE(auth, u, "")) != NULL)
			made++;
		free(id);
	}
	CU_ASSERT_EQUAL_FATAL(made, 102);
	o = LIST(auth, USERS, NULL, "count=500");
	ASSERT_NUM(o, "totalResults", 102);
	ASSERT_NUM(o, "itemsPerPage", 100);
	CHECK(json_len_at(o, "Resources") == 100, "count=500 gave %ld",
	    json_len_at(o, "Resources"));
	json_object_put(o);
	/* Without count the server's maximum applies too. */
	o = LIST(auth, USERS, NULL, NULL);
	ASSERT_NUM(o, "totalResults", 102);
	ASSERT_NUM(o, "itemsPerPage", 100);
	json_object_put(o);
	o = LIST(auth, USERS, NULL, "startIndex=101&count=100");
	ASSERT_NUM(o, "itemsPerPage", 2);
	ASSERT_NUM(o, "startIndex", 101);
	json_object_put(o);
}

static void
test_attributes(void)
{
	struct json_object	*o, *r;
	size_t			 i;

	o = LIST(auth_f, USERS, "userName sw \"alice\"", "attributes=userName");
	r = json_at(o, "Resources.0");
	ASSERT_EQS(json_str_at(r, "userName"), "Alice.Smith@Example.com",
	    "attributes=userName");
	CU_ASSERT_PTR_NOT_NULL(json_str_at(r, "id"));	/* returned always */
	ASSERT_ABSENT(r, "emails");
	ASSERT_ABSENT(r, "name");
	ASSERT_ABSENT(r, "title");
	json_object_put(o);
	/* Names in any case, a sub-attribute, a URN-qualified name. */
	o = LIST(auth_f, USERS, "userName sw \"alice\"", "attributes=USERNAME,"
	    "name.familyName," SCHEMA_USER ":title");
	r = json_at(o, "Resources.0");
	CU_ASSERT_PTR_NOT_NULL(json_str_at(r, "userName"));
	ASSERT_EQS(json_str_at(r, "name.familyName"), "Smith",
	    "attributes=name.familyName");
	ASSERT_EQS(json_str_at(r, "title"), "Engineer", "URN-qualified title");
	ASSERT_ABSENT(r, "emails");
	json_object_put(o);
	o = LIST(auth_f, USERS, NULL, "excludedAttributes=emails,Name,id");
	CHECK(json_len_at(o, "Resources") == 3, "excludedAttributes: %ld",
	    json_len_at(o, "Resources"));
	for (i = 0; i < 3; i++) {
		char p[32];

		snprintf(p, sizeof(p), "Resources.%zu", i);
		r = json_at(o, p);
		CU_ASSERT_PTR_NOT_NULL(json_str_at(r, "userName"));
		/* id cannot be excluded (returned always). */
		CU_ASSERT_PTR_NOT_NULL(json_str_at(r, "id"));
		ASSERT_ABSENT(r, "emails");
		ASSERT_ABSENT(r, "name");
	}
	json_object_put(o);
	/* Groups, too. */
	o = LIST(auth_a, GROUPS, NULL, "excludedAttributes=members");
	for (i = 0; i < (size_t)(json_len_at(o, "Resources") > 0 ?
	    json_len_at(o, "Resources") : 0); i++) {
		char p[32];

		snprintf(p, sizeof(p), "Resources.%zu", i);
		ASSERT_ABSENT(json_at(o, p), "members");
	}
	json_object_put(o);
}

/* ---- the clients' habits ---- */

static void
test_entra_capitalized_ops(void)
{
	struct json_object	*o;
	char			 u[128], *id;

	uname(u, sizeof(u), "entra-ops");
	id = USER_CREATE(auth_a, u, "\"title\":\"Old\",\"emails\":[{\"value\":"
	    "\"e@work.example\",\"type\":\"work\",\"primary\":true}]");
	/* Entra ID: "Replace", "Add", "Remove"; a path-less Replace with a
	 * dotted attribute name as key. */
	o = PATCH_USER(auth_a, id, PATCHOP(
	    "{\"op\":\"Replace\",\"path\":\"title\",\"value\":\"New\"},"
	    "{\"op\":\"Add\",\"path\":\"displayName\",\"value\":\"Entra U\"},"
	    "{\"op\":\"Add\",\"path\":\"emails[type eq \\\"work\\\"].value\","
	    "\"value\":\"e2@work.example\"},"
	    "{\"op\":\"Replace\",\"value\":{\"name.givenName\":\"Eve\","
	    "\"name.familyName\":\"Entra\"}},"
	    "{\"op\":\"Remove\",\"path\":\"nickName\"}"));
	ASSERT_EQS(json_str_at(o, "title"), "New", "Replace");
	ASSERT_EQS(json_str_at(o, "displayName"), "Entra U", "Add");
	ASSERT_EQS(json_str_at(o, "emails.0.value"), "e2@work.example",
	    "Add by filter");
	ASSERT_EQS(json_str_at(o, "name.givenName"), "Eve", "name.givenName");
	ASSERT_EQS(json_str_at(o, "name.familyName"), "Entra",
	    "name.familyName");
	json_object_put(o);
	o = PATCH_USER(auth_a, id, PATCHOP("{\"op\":\"Remove\",\"path\":"
	    "\"title\"}"));
	ASSERT_ABSENT(o, "title");
	json_object_put(o);
	free(id);
}

static void
test_entra_add_by_filter(void)
{
	struct json_object	*o;
	char			 u[128], *id;

	uname(u, sizeof(u), "entra-add");
	id = USER_CREATE(auth_a, u, "");
	/* Entra maps mail to emails[type eq "work"].value and sends Add
	 * with that path when the user has no such value yet: the value is
	 * made, with its type. */
	o = PATCH_USER(auth_a, id, PATCHOP("{\"op\":\"Add\",\"path\":"
	    "\"emails[type eq \\\"work\\\"].value\",\"value\":"
	    "\"new@work.example\"}"));
	ASSERT_EQS(json_str_at(find_el(o, "emails", "type", "work"), "value"),
	    "new@work.example", "emails[type eq \"work\"].value added");
	json_object_put(o);
	o = USER_GET(auth_a, id);
	ASSERT_EQS(json_str_at(find_el(o, "emails", "type", "work"), "value"),
	    "new@work.example", "GET emails[type eq \"work\"].value");
	json_object_put(o);
	free(id);
}

static void
test_entra_string_booleans(void)
{
	struct json_object	*o;
	char			 u[128], *id;

	uname(u, sizeof(u), "entra-bool");
	/* Entra sends "active":"True" on create... */
	id = USER_CREATE(auth_a, u, "\"active\":\"True\"");
	o = USER_GET(auth_a, id);
	ASSERT_BOOL(o, "active", 1);
	json_object_put(o);
	/* ...and "False" to disable. */
	o = PATCH_USER(auth_a, id, PATCHOP("{\"op\":\"Replace\",\"path\":"
	    "\"active\",\"value\":\"False\"}"));
	ASSERT_BOOL(o, "active", 0);
	json_object_put(o);
	CHECK(db_long("SELECT active FROM users WHERE public_id = '%s'", id) ==
	    0, "users.active after \"False\"");
	o = USER_GET(auth_a, id);
	ASSERT_BOOL(o, "active", 0);
	json_object_put(o);
	o = PATCH_USER(auth_a, id, PATCHOP("{\"op\":\"Replace\",\"path\":"
	    "\"active\",\"value\":\"true\"}"));
	ASSERT_BOOL(o, "active", 1);
	json_object_put(o);
	/* Path-less, too. */
	o = PATCH_USER(auth_a, id, PATCHOP("{\"op\":\"Replace\",\"value\":"
	    "{\"active\":\"False\"}}"));
	ASSERT_BOOL(o, "active", 0);
	json_object_put(o);
	free(id);
}

static void
test_lookup_before_create(void)
{
	struct json_object	*o;
	char			 u[128], f[200], *id;

	uname(u, sizeof(u), "lookup");
	snprintf(f, sizeof(f), "userName eq \"%s\"", u);
	/* Not there yet: 200 with totalResults 0, not 404. */
	o = LIST(auth_a, USERS, f, "startIndex=1&count=100");
	ASSERT_NUM(o, "totalResults", 0);
	CHECK(json_len_at(o, "Resources") <= 0, "Resources not empty");
	json_object_put(o);
	id = USER_CREATE(auth_a, u, "");
	o = LIST(auth_a, USERS, f, "startIndex=1&count=100");
	ASSERT_NUM(o, "totalResults", 1);
	ASSERT_EQS(json_str_at(o, "Resources.0.id"), id ? id : "", "found");
	json_object_put(o);
	/* Entra's connection test: a userName that is no one's. */
	o = LIST(auth_a, USERS, "userName eq \"5f1e0c6a-3a43-4d7a-9c5e-"
	    "c0ffee000000\"", NULL);
	ASSERT_NUM(o, "totalResults", 0);
	json_object_put(o);
	free(id);
}

static void
test_okta_patch_without_path(void)
{
	struct json_object	*o;
	char			 u[128], *id;

	uname(u, sizeof(u), "okta-patch");
	id = USER_CREATE(auth_a, u, "\"active\":true");
	o = PATCH_USER(auth_a, id, PATCHOP("{\"op\":\"replace\",\"value\":"
	    "{\"active\":false}}"));
	ASSERT_BOOL(o, "active", 0);
	json_object_put(o);
	CHECK(db_long("SELECT active FROM users WHERE public_id = '%s'", id) ==
	    0, "users.active");
	o = PATCH_USER(auth_a, id, PATCHOP("{\"op\":\"replace\",\"value\":"
	    "{\"active\":true}}"));
	ASSERT_BOOL(o, "active", 1);
	json_object_put(o);
	free(id);
}

static void
test_okta_put_without_active(void)
{
	struct json_object	*o;
	char			 u[128], body[512], p[256], *id;

	uname(u, sizeof(u), "okta-put");
	id = USER_CREATE(auth_a, u, "\"active\":false");
	res_path(p, sizeof(p), USERS, id);
	snprintf(body, sizeof(body), "{\"schemas\":[\"" SCHEMA_USER "\"],"
	    "\"id\":\"%s\",\"userName\":\"%s\",\"name\":{\"givenName\":"
	    "\"Okta\",\"familyName\":\"Put\"},\"emails\":[{\"primary\":true,"
	    "\"value\":\"%s\",\"type\":\"work\"}]}", id ? id : "", u, u);
	/* An inactive user stays inactive... */
	o = SCIM_JSON("PUT", p, auth_a, body, 200);
	ASSERT_BOOL(o, "active", 0);
	ASSERT_EQS(json_str_at(o, "name.givenName"), "Okta", "PUT applied");
	json_object_put(o);
	/* ...and an active one active. */
	json_object_put(PATCH_USER(auth_a, id, PATCHOP("{\"op\":\"replace\","
	    "\"value\":{\"active\":true}}")));
	o = SCIM_JSON("PUT", p, auth_a, body, 200);
	ASSERT_BOOL(o, "active", 1);
	json_object_put(o);
	CHECK(db_long("SELECT active FROM users WHERE public_id = '%s'", id) ==
	    1, "users.active");
	free(id);
}

static void
test_okta_connection(void)
{
	struct json_object	*o;
	char			 u[128], *a, *b;

	uname(u, sizeof(u), "conn-1");
	a = USER_CREATE(auth_b, u, "");
	uname(u, sizeof(u), "conn-2");
	b = USER_CREATE(auth_b, u, "");
	o = LIST(auth_b, USERS, NULL, "startIndex=1&count=2");
	ASSERT_EQS(json_str_at(o, "schemas.0"), SCHEMA_LIST, "ListResponse");
	ASSERT_NUM(o, "startIndex", 1);
	ASSERT_NUM(o, "itemsPerPage", 2);
	CHECK(json_len_at(o, "Resources") == 2, "Resources %ld",
	    json_len_at(o, "Resources"));
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "Resources.0.id"));
	CU_ASSERT_PTR_NOT_NULL(json_str_at(o, "Resources.1.userName"));
	json_object_put(o);
	free(a);
	free(b);
}

/* ---- /Groups ---- */

static void
test_groups_crud(void)
{
	struct http_resp	 r;
	struct json_object	*o;
	char			 u[128], u1name[128], name[64], name2[64],
				 body[1024], p[256], want[512], f[128], *u1,
				 *u2, *u3, *gid, *loc, *v3[3], *s3;
	long			 v;

	uname(u1name, sizeof(u1name), "gm-1");
	u1 = USER_CREATE(auth_a, u1name, "");
	uname(u, sizeof(u), "gm-2");
	u2 = USER_CREATE(auth_a, u, "");
	uname(u, sizeof(u), "gm-3");
	u3 = USER_CREATE(auth_a, u, "");
	CU_ASSERT_FATAL(u1 != NULL && u2 != NULL && u3 != NULL);
	snprintf(name, sizeof(name), "Engineering %ld-%u", (long)getpid(),
	    seq++);
	snprintf(body, sizeof(body), "{\"schemas\":[\"" SCHEMA_GROUP "\"],"
	    "\"displayName\":\"%s\",\"externalId\":\"grp-ext\",\"members\":"
	    "[{\"value\":\"%s\"}]}", name, u1);
	itest_direct(1);	/* Location and $ref name the host asked */
	scim_do(&r, "POST", GROUPS, auth_a, body);
	itest_direct(0);
	ASSERT_STATUS(&r, 201);
	ASSERT_HDR(&r, "Content-Type", "application/scim+json");
	o = http_json(&r);
	gid = json_str_at(o, "id") ? strdup(json_str_at(o, "id")) : NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(gid);
	loc = http_header(&r, "Location");
	snprintf(want, sizeof(want), "%s" GROUPS "/%s", itest_stack_url(),
	    gid);
	ASSERT_EQS(loc, want, "Location");
	free(loc);
	ASSERT_EQS(json_str_at(o, "schemas.0"), SCHEMA_GROUP, "schemas");
	ASSERT_EQS(json_str_at(o, "displayName"), name, "displayName");
	ASSERT_EQS(json_str_at(o, "externalId"), "grp-ext", "externalId");
	ASSERT_EQS(json_str_at(o, "meta.resourceType"), "Group", "resourceType");
	CHECK(version_of(o) >= 1, "meta.version");
	ASSERT_MEMBERS(o, u1);
	ASSERT_EQS(json_str_at(o, "members.0.display"), u1name,
	    "members[0].display");
	snprintf(want, sizeof(want), "%s" USERS "/%s", itest_stack_url(), u1);
	ASSERT_EQS(json_str_at(o, "members.0.$ref"), want, "members[0].$ref");
	v = version_of(o);
	json_object_put(o);
	http_resp_free(&r);
	res_path(p, sizeof(p), GROUPS, gid);

	o = SCIM_JSON("GET", p, auth_a, NULL, 200);
	ASSERT_EQS(json_str_at(o, "displayName"), name, "GET displayName");
	ASSERT_MEMBERS(o, u1);
	json_object_put(o);
	/* Listed and filterable, displayName without regard to case. */
	for (char *c = name; *c; c++)
		name2[c - name] = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
	name2[strlen(name)] = '\0';
	snprintf(f, sizeof(f), "displayName eq \"%s\"", name2);
	o = LIST(auth_a, GROUPS, f, NULL);
	ASSERT_NUM(o, "totalResults", 1);
	ASSERT_EQS(json_str_at(o, "Resources.0.id"), gid, "filtered group");
	json_object_put(o);
	snprintf(f, sizeof(f), "members[value eq \"%s\"]", u1);
	o = LIST(auth_a, GROUPS, f, NULL);
	CU_ASSERT_PTR_NOT_NULL(find_el(o, "Resources", "id", gid));
	json_object_put(o);
	o = LIST(auth_a, GROUPS, "externalId eq \"grp-ext\"", NULL);
	CU_ASSERT_PTR_NOT_NULL(find_el(o, "Resources", "id", gid));
	json_object_put(o);

	/* PATCH add members (one and a list). */
	snprintf(body, sizeof(body), PATCHOP("{\"op\":\"add\",\"path\":"
	    "\"members\",\"value\":[{\"value\":\"%s\"},{\"value\":\"%s\"}]}"),
	    u2, u3);
	o = PATCH_GROUP(auth_a, gid, body);
	v3[0] = u1;
	v3[1] = u2;
	v3[2] = u3;
	s3 = sorted_join(v3, 3);
	snprintf(want, sizeof(want), "%s", s3);
	free(s3);
	ASSERT_MEMBERS(o, want);
	CHECK(version_of(o) > v, "meta.version %ld, was %ld", version_of(o),
	    v);
	json_object_put(o);
	/* Adding a member twice keeps one. */
	snprintf(body, sizeof(body), PATCHOP("{\"op\":\"add\",\"path\":"
	    "\"members\",\"value\":[{\"value\":\"%s\"}]}"), u2);
	o = PATCH_GROUP(auth_a, gid, body);
	ASSERT_MEMBERS(o, want);
	json_object_put(o);
	/* Okta: remove members[value eq "…"]. */
	snprintf(body, sizeof(body), PATCHOP("{\"op\":\"remove\",\"path\":"
	    "\"members[value eq \\\"%s\\\"]\"}"), u1);
	o = PATCH_GROUP(auth_a, gid, body);
	two_ids(want, sizeof(want), u2, u3);
	ASSERT_MEMBERS(o, want);
	json_object_put(o);
	o = SCIM_JSON("GET", p, auth_a, NULL, 200);
	ASSERT_MEMBERS(o, want);
	json_object_put(o);
	CHECK(db_long("SELECT COUNT(*) FROM scim_group_members m JOIN "
	    "scim_groups g ON g.id = m.group_id WHERE g.public_id = '%s'",
	    gid) == 2, "scim_group_members rows");
	/* Rename without a path; replace members with a path. */
	snprintf(name2, sizeof(name2), "Platform %ld-%u", (long)getpid(),
	    seq++);
	snprintf(body, sizeof(body), PATCHOP("{\"op\":\"replace\",\"value\":"
	    "{\"displayName\":\"%s\"}},{\"op\":\"replace\",\"path\":"
	    "\"members\",\"value\":[{\"value\":\"%s\"}]}"), name2, u1);
	o = PATCH_GROUP(auth_a, gid, body);
	ASSERT_EQS(json_str_at(o, "displayName"), name2, "renamed");
	ASSERT_MEMBERS(o, u1);
	json_object_put(o);
	/* remove members without a filter: all of them. */
	o = PATCH_GROUP(auth_a, gid, PATCHOP("{\"op\":\"remove\",\"path\":"
	    "\"members\"}"));
	ASSERT_MEMBERS(o, "");
	json_object_put(o);
	/* PUT replaces name, externalId and members. */
	snprintf(body, sizeof(body), "{\"schemas\":[\"" SCHEMA_GROUP "\"],"
	    "\"displayName\":\"%s\",\"members\":[{\"value\":\"%s\"},"
	    "{\"value\":\"%s\"}]}", name, u2, u3);
	o = SCIM_JSON("PUT", p, auth_a, body, 200);
	ASSERT_EQS(json_str_at(o, "displayName"), name, "PUT displayName");
	ASSERT_ABSENT(o, "externalId");
	two_ids(want, sizeof(want), u2, u3);
	ASSERT_MEMBERS(o, want);
	json_object_put(o);
	/* A second group of the same name: 409 uniqueness (any case). */
	snprintf(body, sizeof(body), "{\"schemas\":[\"" SCHEMA_GROUP "\"],"
	    "\"displayName\":\"%s\"}", name);
	SCIM_ERR("POST", GROUPS, auth_a, body, 409, "uniqueness");
	/* A group needs a displayName. */
	SCIM_ERR("POST", GROUPS, auth_a, "{\"schemas\":[\"" SCHEMA_GROUP "\"],"
	    "\"members\":[]}", 400, "invalidValue");
	/* A write that fails half-way leaves nothing: the group row is
	 * inserted before its bad member is seen, and the pipeline's
	 * transaction takes it back, so the same name is free after. */
	snprintf(body, sizeof(body), "{\"schemas\":[\"" SCHEMA_GROUP "\"],"
	    "\"displayName\":\"%s half\",\"members\":[{\"value\":5}]}", name);
	SCIM_ERR("POST", GROUPS, auth_a, body, 400, "invalidValue");
	CHECK(db_long("SELECT COUNT(*) FROM scim_groups WHERE display_name ="
	    " '%s half'", name) == 0, "a refused group left its row");
	snprintf(body, sizeof(body), "{\"schemas\":[\"" SCHEMA_GROUP "\"],"
	    "\"displayName\":\"%s half\"}", name);
	SCIM_OK("POST", GROUPS, auth_a, body, 201);
	/* DELETE: 204, then 404, members untouched as users. */
	SCIM_OK("DELETE", p, auth_a, NULL, 204);
	SCIM_ERR("GET", p, auth_a, NULL, 404, "");
	SCIM_ERR("PATCH", p, auth_a, PATCHOP("{\"op\":\"remove\",\"path\":"
	    "\"members\"}"), 404, "");
	SCIM_ERR("DELETE", p, auth_a, NULL, 404, "");
	o = USER_GET(auth_a, u2);
	json_object_put(o);
	free(u1);
	free(u2);
	free(u3);
	free(gid);
}

static void
test_entra_member_remove(void)
{
	struct json_object	*o;
	char			 u[128], name[64], body[512], m[256], *u1, *u2,
				 *gid;

	uname(u, sizeof(u), "em-1");
	u1 = USER_CREATE(auth_a, u, "");
	uname(u, sizeof(u), "em-2");
	u2 = USER_CREATE(auth_a, u, "");
	CU_ASSERT_FATAL(u1 != NULL && u2 != NULL);
	snprintf(name, sizeof(name), "Entra %ld-%u", (long)getpid(), seq++);
	snprintf(m, sizeof(m), "{\"value\":\"%s\"}", u1);
	gid = GROUP_CREATE(auth_a, name, m);
	/* Entra ID adds with a capitalized op... */
	snprintf(body, sizeof(body), PATCHOP("{\"op\":\"Add\",\"path\":"
	    "\"members\",\"value\":[{\"value\":\"%s\"}]}"), u2);
	o = PATCH_GROUP(auth_a, gid, body);
	two_ids(m, sizeof(m), u1, u2);
	ASSERT_MEMBERS(o, m);
	json_object_put(o);
	/* ...and removes one member with path "members" and the member as
	 * the value: only that member goes. */
	snprintf(body, sizeof(body), PATCHOP("{\"op\":\"Remove\",\"path\":"
	    "\"members\",\"value\":[{\"value\":\"%s\"}]}"), u1);
	o = PATCH_GROUP(auth_a, gid, body);
	ASSERT_MEMBERS(o, u2);
	json_object_put(o);
	free(u1);
	free(u2);
	free(gid);
}

static void
test_okta_group_rename(void)
{
	struct json_object	*o;
	char			 name[64], name2[64], body[512], *gid;

	snprintf(name, sizeof(name), "Okta %ld-%u", (long)getpid(), seq++);
	snprintf(name2, sizeof(name2), "Okta renamed %ld-%u", (long)getpid(),
	    seq++);
	gid = GROUP_CREATE(auth_a, name, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(gid);
	/* Okta renames a group with a path-less replace that repeats the
	 * group's (unchanged) id. */
	snprintf(body, sizeof(body), PATCHOP("{\"op\":\"replace\",\"value\":"
	    "{\"id\":\"%s\",\"displayName\":\"%s\"}}"), gid, name2);
	o = PATCH_GROUP(auth_a, gid, body);
	ASSERT_EQS(json_str_at(o, "displayName"), name2, "renamed");
	ASSERT_EQS(json_str_at(o, "id"), gid, "id");
	json_object_put(o);
	free(gid);
}

static void
test_group_roles(void)
{
	static const char *const admins[] = { "Admins", "administrators",
	    "ADMIN", "Mihwar Admins", "mihwar ADMINS" };
	static const char *const others[] = { "Admins Team", "Staff",
	    "Administrator", "Mihwar" };
	struct json_object	*o;
	char			 org[64], auth[200], u[128], m[256], body[512],
				 p[256], *u1, *u2, *gid, *gid2;
	size_t			 i;

	/* A fresh organization: group names are unique per organization. */
	CU_ASSERT_FATAL(fixture_org(org) && scim_auth(org, auth));
	uname(u, sizeof(u), "role-1");
	u1 = USER_CREATE(auth, u, "");
	uname(u, sizeof(u), "role-2");
	u2 = USER_CREATE(auth, u, "");
	CU_ASSERT_FATAL(u1 != NULL && u2 != NULL);
	snprintf(m, sizeof(m), "{\"value\":\"%s\"}", u1);
	for (i = 0; i < sizeof(admins) / sizeof(admins[0]); i++) {
		if (i == 4)
			break;	/* "mihwar ADMINS" is taken by case */
		gid = GROUP_CREATE(auth, admins[i], m);
		ASSERT_ROLE(u1, 1, admins[i]);
		ASSERT_ROLE(u2, 0, "not a member");
		SCIM_OK("DELETE", res_path(p, sizeof(p), GROUPS, gid), auth,
		    NULL, 204);
		ASSERT_ROLE(u1, 0, "group deleted");
		free(gid);
	}
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		gid = GROUP_CREATE(auth, others[i], m);
		ASSERT_ROLE(u1, 0, others[i]);
		free(gid);
	}
	/* Membership by PATCH: added makes admin, removed makes member. */
	gid = GROUP_CREATE(auth, "mihwar ADMINS", "");
	ASSERT_ROLE(u2, 0, "empty admin group");
	snprintf(body, sizeof(body), PATCHOP("{\"op\":\"add\",\"path\":"
	    "\"members\",\"value\":[{\"value\":\"%s\"},{\"value\":\"%s\"}]}"),
	    u1, u2);
	json_object_put(PATCH_GROUP(auth, gid, body));
	ASSERT_ROLE(u1, 1, "added by PATCH");
	ASSERT_ROLE(u2, 1, "added by PATCH");
	snprintf(body, sizeof(body), PATCHOP("{\"op\":\"remove\",\"path\":"
	    "\"members[value eq \\\"%s\\\"]\"}"), u2);
	json_object_put(PATCH_GROUP(auth, gid, body));
	ASSERT_ROLE(u2, 0, "removed by PATCH");
	ASSERT_ROLE(u1, 1, "still a member");
	/* In two admin groups, removed from one: still admin. */
	snprintf(body, sizeof(body), "{\"value\":\"%s\"}", u1);
	gid2 = GROUP_CREATE(auth, "Administrators", body);
	snprintf(body, sizeof(body), PATCHOP("{\"op\":\"remove\",\"path\":"
	    "\"members[value eq \\\"%s\\\"]\"}"), u1);
	json_object_put(PATCH_GROUP(auth, gid, body));
	ASSERT_ROLE(u1, 1, "still in Administrators");
	/* Renaming the group away from an admin name demotes. */
	o = PATCH_GROUP(auth, gid2, PATCHOP("{\"op\":\"replace\",\"path\":"
	    "\"displayName\",\"value\":\"Former admins\"}"));
	json_object_put(o);
	ASSERT_ROLE(u1, 0, "group renamed away from Administrators");
	/* ...and renaming to one promotes. */
	o = PATCH_GROUP(auth, gid2, PATCHOP("{\"op\":\"replace\",\"path\":"
	    "\"displayName\",\"value\":\"ADMINISTRATORS\"}"));
	json_object_put(o);
	ASSERT_ROLE(u1, 1, "group renamed to ADMINISTRATORS");
	/* PUT with no members demotes. */
	SCIM_OK("PUT", res_path(p, sizeof(p), GROUPS, gid2), auth,
	    "{\"schemas\":[\"" SCHEMA_GROUP "\"],\"displayName\":"
	    "\"Administrators\",\"members\":[]}", 200);
	ASSERT_ROLE(u1, 0, "PUT without members");
	free(u1);
	free(u2);
	free(gid);
	free(gid2);
}

/* ---- errors ---- */

static void
test_error_types(void)
{
	char	 u[128], u2[128], p[256], body[512], *id, *id2;

	uname(u, sizeof(u), "errors");
	id = USER_CREATE(auth_a, u, "\"emails\":[{\"value\":\"x@work.example\","
	    "\"type\":\"work\"}]");
	uname(u2, sizeof(u2), "errors-2");
	id2 = USER_CREATE(auth_a, u2, "");
	res_path(p, sizeof(p), USERS, id);
	/* invalidFilter */
	SCIM_ERR("GET", USERS "?filter=userName%20eq", auth_a, NULL, 400,
	    "invalidFilter");
	SCIM_ERR("GET", GROUPS "?filter=displayName%20zz%20%22x%22", auth_a,
	    NULL, 400, "invalidFilter");
	/* uniqueness */
	snprintf(body, sizeof(body), "{\"schemas\":[\"" SCHEMA_USER "\"],"
	    "\"userName\":\"%s\"}", u);
	SCIM_ERR("POST", USERS, auth_a, body, 409, "uniqueness");
	/* invalidValue */
	SCIM_ERR("POST", USERS, auth_a, "{\"schemas\":[\"" SCHEMA_USER "\"],"
	    "\"name\":{\"givenName\":\"No\"}}", 400, "invalidValue");
	SCIM_ERR("POST", USERS, auth_a, "{\"userName\":\"\"}", 400,
	    "invalidValue");
	SCIM_ERR("POST", USERS, auth_a, "{\"userName\":\"tab\\there\"}",
	    400, "invalidValue");
	SCIM_ERR("POST", USERS, auth_a, "{\"userName\":\"x\",\"emails\":"
	    "[{\"value\":\"not an address\"}]}", 400, "invalidValue");
	SCIM_ERR("POST", USERS, auth_a, "{\"userName\":\"v@example.com\","
	    "\"active\":\"maybe\"}", 400, "invalidValue");
	PATCH_USER_ERR(auth_a, id, PATCHOP("{\"op\":\"replace\",\"path\":"
	    "\"title\"}"), "invalidValue");
	PATCH_USER_ERR(auth_a, id, PATCHOP("{\"op\":\"replace\",\"value\":"
	    "\"x\"}"), "invalidValue");
	PATCH_USER_ERR(auth_a, id, PATCHOP("{\"op\":\"replace\",\"path\":"
	    "\"active\",\"value\":\"maybe\"}"), "invalidValue");
	PATCH_USER_ERR(auth_a, id, PATCHOP("{\"op\":\"replace\",\"path\":"
	    "\"userName\",\"value\":42}"), "invalidValue");
	/* mutability: id, meta and schemas are the server's. */
	PATCH_USER_ERR(auth_a, id, PATCHOP("{\"op\":\"replace\",\"path\":"
	    "\"id\",\"value\":\"x\"}"), "mutability");
	PATCH_USER_ERR(auth_a, id, PATCHOP("{\"op\":\"replace\",\"path\":"
	    "\"meta.created\",\"value\":\"2000-01-01T00:00:00Z\"}"),
	    "mutability");
	PATCH_USER_ERR(auth_a, id, PATCHOP("{\"op\":\"remove\",\"path\":"
	    "\"schemas\"}"), "mutability");
	/* noTarget: a filter matching nothing; remove without a path. */
	PATCH_USER_ERR(auth_a, id, PATCHOP("{\"op\":\"replace\",\"path\":"
	    "\"emails[type eq \\\"fax\\\"].value\",\"value\":\"y\"}"),
	    "noTarget");
	PATCH_USER_ERR(auth_a, id, PATCHOP("{\"op\":\"remove\"}"), "noTarget");
	/* invalidPath */
	PATCH_USER_ERR(auth_a, id, PATCHOP("{\"op\":\"add\",\"path\":"
	    "\"emails[type eq \\\"work\\\"\",\"value\":\"z\"}"), "invalidPath");
	PATCH_USER_ERR(auth_a, id, PATCHOP("{\"op\":\"add\",\"path\":"
	    "\"name..givenName\",\"value\":\"z\"}"), "invalidPath");
	PATCH_USER_ERR(auth_a, id, PATCHOP("{\"op\":\"add\",\"path\":\"\","
	    "\"value\":\"z\"}"), "invalidPath");
	PATCH_USER_ERR(auth_a, id, PATCHOP("{\"op\":\"add\",\"path\":7,"
	    "\"value\":\"z\"}"), "invalidPath");
	/* invalidSyntax: not a PatchOp, not JSON, an unknown op. */
	PATCH_USER_ERR(auth_a, id, "{\"schemas\":[\"" SCHEMA_PATCH "\"]}",
	    "invalidSyntax");
	PATCH_USER_ERR(auth_a, id, PATCHOP(""), "invalidSyntax");
	PATCH_USER_ERR(auth_a, id, PATCHOP("{\"op\":\"move\",\"path\":"
	    "\"title\",\"value\":\"x\"}"), "invalidSyntax");
	PATCH_USER_ERR(auth_a, id, PATCHOP("{\"path\":\"title\",\"value\":"
	    "\"x\"}"), "invalidSyntax");
	PATCH_USER_ERR(auth_a, id, "{\"Operations\":[", "invalidSyntax");
	SCIM_ERR("POST", USERS, auth_a, "[]", 400, "invalidSyntax");
	SCIM_ERR("POST", USERS, auth_a, "{\"userName\":", 400,
	    "invalidSyntax");
	SCIM_ERR("POST", GROUPS, auth_a, "\"Admins\"", 400, "invalidSyntax");
	/* None of that changed the user. */
	{
		struct json_object *o = USER_GET(auth_a, id);

		ASSERT_EQS(json_str_at(o, "userName"), u, "userName unchanged");
		ASSERT_EQS(json_str_at(o, "emails.0.value"), "x@work.example",
		    "emails unchanged");
		CHECK(version_of(o) == 1, "version %ld after failed PATCHes",
		    version_of(o));
		json_object_put(o);
	}
	/* Not found and unauthorized carry no scimType. */
	SCIM_ERR("GET", USERS "/01a1a1a1-0000-7000-8000-000000000000", auth_a,
	    NULL, 404, "");
	SCIM_ERR("GET", USERS, "Authorization: Bearer scim_live_nope", NULL,
	    401, "");
	free(id);
	free(id2);
}

static void
test_malformed_never_500(void)
{
	static const char *const filters[] = {
		"userName eq", "userName", "eq \"x\"", "userName zz \"x\"",
		"userName eq alice", "userName eq \"unterminated",
		"(userName eq \"a\"", "userName eq \"a\")",
		"userName eq \"a\" and", "and userName eq \"a\"",
		"not userName eq \"a\"", "not ()", "()",
		"emails[type eq \"work\"", "emails[type eq \"work\"]]",
		"emails[]", "emails[type eq \"a\"][value eq \"b\"]",
		"userName pr pr", "userName co 5", "userName sw true",
		"a.b.c.d eq \"x\"", "userName eq \"\\u00\"",
		"userName eq \"\\ud800\"", "userName eq 1e99999",
		"userName eq \"a\" or or userName eq \"b\"", "[", "]", "\"",
		"userName gt null", "meta.lastModified gt",
		"urn:ietf:params:scim:schemas:core:2.0:User: eq \"x\"",
		"userName eq \"x\"   and", "title pr and (((",
	};
	static const char *const patches[] = {
		"{}", "null", "[]", "\"x\"", "42", "{\"Operations\":{}}",
		"{\"Operations\":[1]}", "{\"Operations\":[null]}",
		"{\"Operations\":[{\"op\":1}]}",
		"{\"Operations\":[{\"op\":\"\"}]}",
		"{\"Operations\":[{\"op\":\"addreplaceremove\"}]}",
		"{\"Operations\":[{\"op\":\"add\",\"path\":null,\"value\":1}]}",
		"{\"Operations\":[{\"op\":\"add\",\"path\":\"emails[\","
		    "\"value\":1}]}",
		"{\"Operations\":[{\"op\":\"replace\",\"path\":\"emails[value "
		    "eq]\",\"value\":1}]}",
		"{\"Operations\":[{\"op\":\"replace\",\"path\":\"name.givenName."
		    "x\",\"value\":\"a\"}]}",
		"{\"Operations\":[{\"op\":\"add\",\"value\":[1,2]}]}",
		"{\"Operations\":[{\"op\":\"add\",\"value\":{\"emails[\":1}}]}",
		"{\"Operations\":[{\"op\":\"remove\",\"path\":\"emails[type eq "
		    "\\\"work\\\"].value.x\"}]}",
		"{\"Operations\":[{\"op\":\"add\",\"path\":\"urn:ietf:params:"
		    "scim:schemas:core:2.0:User:\",\"value\":1}]}",
		"{\"Operations\":[{\"op\":\"replace\",\"path\":\"meta\","
		    "\"value\":{}}]}",
		"{\"Operations\":[{\"op\":\"add\",\"path\":\"x\",\"value\":1}",
		"\xff\xfe",
	};
	/* Values that do not fit the User schema. */
	static const char *const user_patches[] = {
		"{\"Operations\":[{\"op\":\"add\",\"path\":\"userName\","
		    "\"value\":null}]}",
		"{\"Operations\":[{\"op\":\"add\",\"path\":\"active\","
		    "\"value\":[true]}]}",
		"{\"Operations\":[{\"op\":\"add\",\"path\":\"emails[type eq "
		    "\\\"work\\\"]\",\"value\":1}]}",
		"{\"Operations\":[{\"op\":\"add\",\"path\":\"" SCHEMA_USER
		    ":name\",\"value\":5}]}",
	};
	struct http_resp	 r;
	struct sbuf		 deep = { NULL, 0, 0 };
	char			 u[128], p[2048], *id, *gid;
	CURL			*c = curl_easy_init();
	char			*e;
	size_t			 i;
	int			 k;

	uname(u, sizeof(u), "malformed");
	id = USER_CREATE(auth_a, u, "\"emails\":[{\"value\":\"m@w.example\","
	    "\"type\":\"work\"}]");
	snprintf(p, sizeof(p), "Malformed %ld-%u", (long)getpid(), seq++);
	gid = GROUP_CREATE(auth_a, p, "");
	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		e = curl_easy_escape(c, filters[i], 0);
		snprintf(p, sizeof(p), USERS "?filter=%s", e);
		scim_do(&r, "GET", p, auth_a, NULL);
		CHECK(r.status == 400 && strstr(r.body, "\"invalidFilter\"") !=
		    NULL, "filter %s: %ld %.200s, want 400 invalidFilter",
		    filters[i], r.status, r.body);
		http_resp_free(&r);
		snprintf(p, sizeof(p), GROUPS "?filter=%s", e);
		scim_do(&r, "GET", p, auth_a, NULL);
		CHECK(r.status == 400 && strstr(r.body, "\"invalidFilter\"") !=
		    NULL, "Groups filter %s: %ld %.200s, want 400 "
		    "invalidFilter", filters[i], r.status, r.body);
		http_resp_free(&r);
		curl_free(e);
	}
	/* Too deep, too long. */
	for (k = 0; k < 200; k++)
		sb_printf(&deep, "(");
	sb_printf(&deep, "userName%%20pr");
	for (k = 0; k < 200; k++)
		sb_printf(&deep, ")");
	snprintf(p, sizeof(p), USERS "?filter=%s", deep.p);
	SCIM_ERR("GET", p, auth_a, NULL, 400, "invalidFilter");
	sb_free(&deep);
	sb_printf(&deep, USERS "?filter=userName%%20eq%%20%%22");
	for (k = 0; k < 5000; k++)
		sb_printf(&deep, "a");
	sb_printf(&deep, "%%22");
	scim_do(&r, "GET", deep.p, auth_a, NULL);
	CHECK(r.status == 400 && strstr(r.body, "\"invalidFilter\"") != NULL,
	    "a 5000-byte filter: %ld %.200s, want 400 invalidFilter",
	    r.status, r.body);
	http_resp_free(&r);
	sb_free(&deep);
	for (i = 0; i < sizeof(patches) / sizeof(patches[0]); i++) {
		res_path(p, sizeof(p), USERS, id);
		scim_do(&r, "PATCH", p, auth_a, patches[i]);
		CHECK(r.status == 400 && strstr(r.body, "\"scimType\"") != NULL,
		    "PATCH User %s: %ld %.200s, want 400 with a scimType",
		    patches[i], r.status, r.body);
		http_resp_free(&r);
		res_path(p, sizeof(p), GROUPS, gid);
		scim_do(&r, "PATCH", p, auth_a, patches[i]);
		CHECK(r.status == 400 && strstr(r.body, "\"scimType\"") != NULL,
		    "PATCH Group %s: %ld %.200s, want 400 with a scimType",
		    patches[i], r.status, r.body);
		http_resp_free(&r);
	}
	for (i = 0; i < sizeof(user_patches) / sizeof(user_patches[0]); i++) {
		res_path(p, sizeof(p), USERS, id);
		scim_do(&r, "PATCH", p, auth_a, user_patches[i]);
		CHECK(r.status == 400 && strstr(r.body, "\"invalidValue\"") !=
		    NULL, "PATCH User %s: %ld %.200s, want 400 invalidValue",
		    user_patches[i], r.status, r.body);
		http_resp_free(&r);
	}
	/* Everything still answers, and the User is as it was. */
	{
		struct json_object *o = USER_GET(auth_a, id);

		CHECK(version_of(o) == 1, "version %ld after bad PATCHes",
		    version_of(o));
		ASSERT_ABSENT(o, "name");
		json_object_put(o);
	}
	curl_easy_cleanup(c);
	free(id);
	free(gid);
}

static void
test_content_type(void)
{
	struct http_resp	 r;
	char			*ct;
	size_t			 i;
	static const struct {
		const char	*method, *path, *body;
		long		 status;
	} cases[] = {
		{ "GET", USERS "?count=1", NULL, 200 },
		{ "GET", GROUPS, NULL, 200 },
		{ "GET", SCIM "/Schemas", NULL, 200 },
		{ "GET", USERS "/nope", NULL, 404 },
		{ "GET", USERS "?filter=x", NULL, 400 },
		{ "POST", USERS, "{", 400 },
		{ "POST", USERS, "{\"userName\":\"\"}", 400 },
		{ "DELETE", USERS, NULL, 405 },
	};

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		scim_do(&r, cases[i].method, cases[i].path, auth_a,
		    cases[i].body);
		ct = http_header(&r, "Content-Type");
		CHECK(r.status == cases[i].status, "%s %s: %ld, want %ld",
		    cases[i].method, cases[i].path, r.status, cases[i].status);
		CHECK(ct != NULL && strncmp(ct, "application/scim+json", 21) ==
		    0, "%s %s (%ld): Content-Type %s", cases[i].method,
		    cases[i].path, r.status, ct ? ct : "(none)");
		free(ct);
		http_resp_free(&r);
	}
	/* A client that sends plain application/json is understood too. */
	{
		char		 u[128], body[256];
		struct json_object *o;

		uname(u, sizeof(u), "plainjson");
		snprintf(body, sizeof(body), "{\"schemas\":[\"" SCHEMA_USER
		    "\"],\"userName\":\"%s\"}", u);
		api_do(&r, "POST", USERS, auth_a, NULL, body);
		ASSERT_STATUS(&r, 201);
		ASSERT_HDR(&r, "Content-Type", "application/scim+json");
		o = http_json(&r);
		ASSERT_EQS(json_str_at(o, "userName"), u, "userName");
		json_object_put(o);
		http_resp_free(&r);
	}
}

/* ---- isolation ---- */

static void
test_isolation(void)
{
	struct json_object	*o;
	char			 u[128], p[256], f[200], body[512], name[64],
				 *ua, *ub, *ga, *gb;
	long			 n;

	uname(u, sizeof(u), "iso-a");
	ua = USER_CREATE(auth_a, u, "\"title\":\"A only\"");
	snprintf(name, sizeof(name), "Iso %ld-%u", (long)getpid(), seq++);
	snprintf(body, sizeof(body), "{\"value\":\"%s\"}", ua ? ua : "");
	ga = GROUP_CREATE(auth_a, name, body);
	CU_ASSERT_FATAL(ua != NULL && ga != NULL);
	res_path(p, sizeof(p), USERS, ua);
	/* B's token: A's user is not found by any method. */
	SCIM_ERR("GET", p, auth_b, NULL, 404, "");
	snprintf(body, sizeof(body), "{\"schemas\":[\"" SCHEMA_USER "\"],"
	    "\"userName\":\"%s\"}", u);
	SCIM_ERR("PUT", p, auth_b, body, 404, "");
	SCIM_ERR("PATCH", p, auth_b, PATCHOP("{\"op\":\"replace\",\"path\":"
	    "\"active\",\"value\":false}"), 404, "");
	SCIM_ERR("DELETE", p, auth_b, NULL, 404, "");
	res_path(p, sizeof(p), GROUPS, ga);
	SCIM_ERR("GET", p, auth_b, NULL, 404, "");
	SCIM_ERR("PATCH", p, auth_b, PATCHOP("{\"op\":\"remove\",\"path\":"
	    "\"members\"}"), 404, "");
	SCIM_ERR("DELETE", p, auth_b, NULL, 404, "");
	/* Never listed or found by filter in B. */
	snprintf(f, sizeof(f), "userName eq \"%s\"", u);
	o = LIST(auth_b, USERS, f, NULL);
	ASSERT_NUM(o, "totalResults", 0);
	json_object_put(o);
	o = LIST(auth_b, USERS, NULL, NULL);
	CU_ASSERT_PTR_NULL(find_el(o, "Resources", "id", ua));
	CU_ASSERT_PTR_NULL(find_el(o, "Resources", "userName", u));
	n = db_long("SELECT COUNT(*) FROM users WHERE org_id = %ld",
	    db_org_id(org_b));
	ASSERT_NUM(o, "totalResults", n);
	json_object_put(o);
	o = LIST(auth_b, GROUPS, NULL, NULL);
	CU_ASSERT_PTR_NULL(find_el(o, "Resources", "id", ga));
	json_object_put(o);
	/* A and B both still see what is theirs, unchanged. */
	o = USER_GET(auth_a, ua);
	ASSERT_BOOL(o, "active", 1);
	ASSERT_EQS(json_str_at(o, "title"), "A only", "A's user unchanged");
	json_object_put(o);
	/* B cannot put A's user in B's group, nor B's user in A's. */
	uname(u, sizeof(u), "iso-b");
	ub = USER_CREATE(auth_b, u, "");
	snprintf(body, sizeof(body), "{\"value\":\"%s\"}", ua);
	snprintf(name, sizeof(name), "Iso B %ld-%u", (long)getpid(), seq++);
	{
		struct http_resp r;
		struct sbuf b = { NULL, 0, 0 };

		sb_printf(&b, "{\"schemas\":[\"" SCHEMA_GROUP "\"],"
		    "\"displayName\":\"%s\",\"members\":[%s]}", name, body);
		scim_do(&r, "POST", GROUPS, auth_b, b.p);
		CHECK(r.status == 201 || r.status == 400, "B's group with A's "
		    "user: %ld %.200s", r.status, r.body);
		o = http_json(&r);
		gb = json_str_at(o, "id") ? strdup(json_str_at(o, "id")) :
		    NULL;
		if (r.status == 201)
			ASSERT_MEMBERS(o, "");
		json_object_put(o);
		http_resp_free(&r);
		sb_free(&b);
	}
	CHECK(db_long("SELECT COUNT(*) FROM scim_group_members m JOIN users u "
	    "ON u.id = m.user_id JOIN scim_groups g ON g.id = m.group_id "
	    "WHERE u.public_id = '%s' AND g.org_id <> u.org_id", ua) == 0,
	    "a member of another organization's group");
	CHECK(db_long("SELECT COUNT(*) FROM scim_group_members m JOIN users u "
	    "ON u.id = m.user_id JOIN scim_groups g ON g.id = m.group_id "
	    "WHERE g.org_id <> u.org_id") == 0, "cross-org memberships");
	/* A's userName is free in B (one organization each). */
	free(ua);
	free(ub);
	free(ga);
	free(gb);
}

/* ---- the console ---- */

/* GET path with the session cookie; the status and Location. */
static long
console_get(const char *path, const char *sess, char **location)
{
	struct http_resp	 r;
	char			 cookie[200];
	const char		*h[] = { cookie, NULL };
	long			 st;

	snprintf(cookie, sizeof(cookie), "Cookie: mihwar_session=%s", sess);
	http_do("GET", path, h, NULL, 0, &r);
	st = r.status;
	if (location != NULL)
		*location = http_header(&r, "Location");
	http_resp_free(&r);
	return st;
}

/* Sign in; the session cookie (malloc'd) on success, else NULL; the
 * status of the POST into st. */
static char *
sign_in_at(const char *file, int line, const char *email, const char *pw,
    long want)
{
	struct http_resp	 r;
	char			*sess = NULL, *loc;

	console_login(email, pw, &r);
	check(file, line, r.status == want, "sign-in as %s: %ld, want %ld",
	    email, r.status, want);
	if (r.status == 303) {
		loc = http_header(&r, "Location");
		check(file, line, loc != NULL && strcmp(loc,
		    "/admin/approvals") == 0, "sign-in went to %s",
		    loc ? loc : "(none)");
		free(loc);
		sess = http_cookie(&r, "mihwar_session");
		check(file, line, sess != NULL && *sess != '\0',
		    "no mihwar_session cookie");
	} else if (want == 401)
		check(file, line, strstr(r.body, "Wrong e-mail, user name or password") !=
		    NULL, "sign-in page without its error: %.200s", r.body);
	http_resp_free(&r);
	return sess;
}
#define SIGN_IN(e, p, w)	sign_in_at(__FILE__, __LINE__, (e), (p), (w))

static void
assert_session_at(const char *file, int line, const char *sess, int live)
{
	char	*loc = NULL;
	long	 st = console_get("/admin/approvals", sess ? sess : "none",
		    &loc);

	if (live)
		check(file, line, st == 200, "GET /admin/approvals with the "
		    "session: %ld, want 200", st);
	else
		check(file, line, st == 303 && loc != NULL && strcmp(loc,
		    "/admin/login") == 0, "GET /admin/approvals with an ended "
		    "session: %ld to %s, want 303 to /admin/login", st,
		    loc ? loc : "(none)");
	free(loc);
}
#define ASSERT_SESSION(s, live)	assert_session_at(__FILE__, __LINE__, (s), (live))

static void
test_console_lockout(void)
{
	struct json_object	*o;
	char			 u[128], more[256], p[256], *id, *sess, *sess2,
				 *s;
	static const char	 pw[] = "Corr3ct-Horse-Battery";

	uname(u, sizeof(u), "console");
	snprintf(more, sizeof(more), "\"password\":\"%s\",\"active\":true", pw);
	id = USER_CREATE(auth_a, u, more);
	CU_ASSERT_PTR_NOT_NULL_FATAL(id);
	res_path(p, sizeof(p), USERS, id);
	/* The SCIM password signs in to the console. */
	sess = SIGN_IN(u, pw, 303);
	ASSERT_SESSION(sess, 1);
	sess2 = SIGN_IN(u, pw, 303);
	ASSERT_SESSION(sess2, 1);
	/* Entra deactivates: every session ends, sign-in is refused. */
	o = PATCH_USER(auth_a, id, PATCHOP("{\"op\":\"Replace\",\"path\":"
	    "\"active\",\"value\":\"False\"}"));
	ASSERT_BOOL(o, "active", 0);
	json_object_put(o);
	ASSERT_SESSION(sess, 0);
	ASSERT_SESSION(sess2, 0);
	CHECK(db_long("SELECT COUNT(*) FROM sessions s JOIN users u ON "
	    "u.id = s.user_id WHERE u.public_id = '%s'", id) == 0,
	    "sessions rows of a deactivated user");
	s = SIGN_IN(u, pw, 401);
	free(s);
	/* Reactivated (Okta style): the same password works again; the
	 * old sessions stay ended. */
	o = PATCH_USER(auth_a, id, PATCHOP("{\"op\":\"replace\",\"value\":"
	    "{\"active\":true}}"));
	ASSERT_BOOL(o, "active", 1);
	json_object_put(o);
	ASSERT_SESSION(sess, 0);
	free(sess);
	sess = SIGN_IN(u, pw, 303);
	ASSERT_SESSION(sess, 1);
	/* A PUT that deactivates ends sessions as well. */
	snprintf(more, sizeof(more), "{\"schemas\":[\"" SCHEMA_USER "\"],"
	    "\"userName\":\"%s\",\"active\":false}", u);
	o = SCIM_JSON("PUT", p, auth_a, more, 200);
	ASSERT_BOOL(o, "active", 0);
	json_object_put(o);
	ASSERT_SESSION(sess, 0);
	free(sess);
	json_object_put(PATCH_USER(auth_a, id, PATCHOP("{\"op\":\"replace\","
	    "\"path\":\"active\",\"value\":true}")));
	/* A password changed over SCIM: the new one signs in. */
	json_object_put(PATCH_USER(auth_a, id, PATCHOP("{\"op\":\"replace\","
	    "\"path\":\"password\",\"value\":\"N3w-Password-Here\"}")));
	sess = SIGN_IN(u, "N3w-Password-Here", 303);
	ASSERT_SESSION(sess, 1);
	/* Deleted: the session ends, sign-in fails, GET is 404. */
	SCIM_OK("DELETE", p, auth_a, NULL, 204);
	ASSERT_SESSION(sess, 0);
	s = SIGN_IN(u, "N3w-Password-Here", 401);
	free(s);
	SCIM_ERR("GET", p, auth_a, NULL, 404, "");
	free(sess);
	free(sess2);
	free(id);
}

void
suite_scim_register(void)
{
	CU_pSuite	 s = CU_add_suite("scim", scim_init, NULL);

	CU_add_test(s, "discovery: ServiceProviderConfig, ResourceTypes, "
	    "Schemas", test_discovery);
	CU_add_test(s, "POST /Users: 201, Location, meta.version, password "
	    "never returned", test_user_create);
	CU_add_test(s, "taken userName (any case) is 409 uniqueness; other "
	    "org may use it", test_user_uniqueness);
	CU_add_test(s, "GET /Users/{id}; unknown is 404; attributes on GET",
	    test_user_get);
	CU_add_test(s, "PUT /Users/{id} replaces, version moves",
	    test_user_put);
	CU_add_test(s, "PATCH with path: add, replace, remove", 
	    test_patch_with_path);
	CU_add_test(s, "PATCH with value filters in paths",
	    test_patch_value_filters);
	CU_add_test(s, "PATCH without path: add and replace",
	    test_patch_without_path);
	CU_add_test(s, "externalId kept, replaced and filterable",
	    test_external_id);
	CU_add_test(s, "DELETE /Users/{id}: 204, then 404, out of groups",
	    test_user_delete);
	CU_add_test(s, "filter: eq ne co sw ew pr gt ge lt le",
	    test_filter_compare);
	CU_add_test(s, "filter: and, or, not, parentheses, precedence",
	    test_filter_logic);
	CU_add_test(s, "filter: sub-attributes, value paths, URNs, "
	    "meta.lastModified", test_filter_paths);
	CU_add_test(s, "filter: names and operators in any case, userName "
	    "caseless", test_filter_case);
	CU_add_test(s, "paging: startIndex, count, totalResults, itemsPerPage",
	    test_paging);
	CU_add_test(s, "count is at most 100", test_count_max);
	CU_add_test(s, "attributes and excludedAttributes", test_attributes);
	CU_add_test(s, "Entra: capitalized Replace, Add, Remove",
	    test_entra_capitalized_ops);
	CU_add_test(s, "Entra: Add by filter path makes the value",
	    test_entra_add_by_filter);
	CU_add_test(s, "Entra: booleans as strings (\"False\")",
	    test_entra_string_booleans);
	CU_add_test(s, "Entra/Okta: userName eq look-up before create",
	    test_lookup_before_create);
	CU_add_test(s, "Okta: PATCH replace without path {active:false}",
	    test_okta_patch_without_path);
	CU_add_test(s, "Okta: PUT without active keeps it",
	    test_okta_put_without_active);
	CU_add_test(s, "Okta: connection test startIndex=1&count=2",
	    test_okta_connection);
	CU_add_test(s, "/Groups: create, get, list, PATCH members, PUT, "
	    "DELETE", test_groups_crud);
	CU_add_test(s, "Entra: Remove path members with a value list",
	    test_entra_member_remove);
	CU_add_test(s, "Okta: group rename repeating the id",
	    test_okta_group_rename);
	CU_add_test(s, "groups named Admins etc. make admins (users.role)",
	    test_group_roles);
	CU_add_test(s, "every scimType from a request that earns it",
	    test_error_types);
	CU_add_test(s, "malformed filters and PATCHes: 400, never 500",
	    test_malformed_never_500);
	CU_add_test(s, "application/scim+json on success and error",
	    test_content_type);
	CU_add_test(s, "a token sees only its organization", test_isolation);
	CU_add_test(s, "console: deactivated or deleted user is locked out",
	    test_console_lockout);
}
