/*
 * scim.c - what the SCIM 2.0 (RFC 7643/7644) resource files share:
 * errors, meta and ETags, list queries (from the query string or a POST
 * .search body), projection with attributes / excludedAttributes, and
 * the ListResponse. Users are in scimusers.c, Groups in scimgroups.c,
 * discovery in scimmeta.c; paths in any case are the family table's
 * (lib/web/family.c, loose_segments).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "scim/scim.h"

#define SCHEMA_LIST	"urn:ietf:params:scim:api:messages:2.0:ListResponse"
#define SCHEMA_SEARCH	"urn:ietf:params:scim:api:messages:2.0:SearchRequest"

/* Answer a SCIM error; type is the scimType (or NULL). */
void
scim_error(struct req *r, int status, const char *type, const char *detail)
{
	req_resp_error(r, status, type, "%s", detail);
}

/* "scimType:detail" from scimpatch.c as a 400. */
void
scim_patch_error(struct req *r, const char *err)
{
	char	 type[32];
	size_t	 n = strcspn(err, ":");

	snprintf(type, sizeof(type), "%.*s", (int)(n < 31 ? n : 31), err);
	scim_error(r, 400, type, err[n] ? err + n + 1 : err);
}

/*
 * The URI of a resource (meta.location, Location, a member's $ref) into
 * out: on the configured base_url, never on the request's Host, which
 * the client chooses; without base_url, the path alone.
 */
void
scim_location(const struct req *r, const char *kind, const char *id,
    char *out, size_t n)
{
	const char	*base = r->conf != NULL && r->conf->base_url != NULL ?
	    r->conf->base_url : "";
	size_t		 bl = strlen(base);

	while (bl > 0 && base[bl - 1] == '/')
		bl--;
	snprintf(out, n, "%.*s/api/scim/v2/%s/%s", (int)bl, base, kind, id);
}

struct json_object *
scim_meta(const struct req *r, const char *kind, const char *id,
    const char *created, const char *updated, const char *version)
{
	struct json_object	*m = json_object_new_object();
	char			 loc[512], ver[40];

	scim_location(r, kind, id, loc, sizeof(loc));
	snprintf(ver, sizeof(ver), "W/\"%s\"", version);
	json_object_object_add(m, "resourceType", json_object_new_string(
	    strcmp(kind, "Users") == 0 ? "User" : "Group"));
	json_object_object_add(m, "created", json_time(created));
	json_object_object_add(m, "lastModified", json_time(updated));
	json_object_object_add(m, "location", json_object_new_string(loc));
	json_object_object_add(m, "version", json_object_new_string(ver));
	return m;
}

/* --- ETags (RFC 7644 §3.14): the weak tag W/"<version>" --- */

void
scim_etag_header(struct req *r, const char *version)
{
	char	 tag[40];

	snprintf(tag, sizeof(tag), "W/\"%s\"", version);
	req_resp_header(r, "ETag", tag);
}

/* 1 when the If-Match / If-None-Match list h names version ("*" names
 * any); compared weakly, so W/"3" and "3" are the same tag. */
static int
scim_etag_listed(const char *h, const char *version)
{
	size_t	 vlen = strlen(version), n;

	while (*h != '\0') {
		h += strspn(h, " \t,");
		if (*h == '*')
			return 1;
		if (strncmp(h, "W/", 2) == 0)
			h += 2;
		n = strcspn(h, ",");
		while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
			n--;
		if (n == vlen + 2 && h[0] == '"' && h[n - 1] == '"' &&
		    strncmp(h + 1, version, vlen) == 0)
			return 1;
		h += strcspn(h, ",");
	}
	return 0;
}

/* Before a change: 1 to go on, or 0 after 412 when If-Match names
 * another version than the resource's (someone changed it since). */
int
scim_etag_matches(struct req *r, const char *version)
{
	const char	*h = req_header(r, "if-match");

	if (h == NULL || scim_etag_listed(h, version))
		return 1;
	scim_error(r, 412, NULL, "the resource changed since the version in "
	    "If-Match; read it again");
	return 0;
}

/* On a read: 1 after answering 304 when If-None-Match names version. */
int
scim_not_modified(struct req *r, const char *version)
{
	const char	*h = req_header(r, "if-none-match");

	if (h == NULL || !scim_etag_listed(h, version))
		return 0;
	scim_etag_header(r, version);
	r->out.status = 304;
	r->out.content_type = NULL;
	return 1;
}

/* --- projection: attributes and excludedAttributes --- */

/* One name of an attributes list: the top attribute (a key of the
 * resource, in the schema's case) and a sub-attribute or "". */
struct scim_attr_name {
	char	 top[96], sub[64];
};

static void
scim_attr_name(const char *tok, struct scim_attr_name *a)
{
	size_t	 ulen = strlen(SCIM_SCHEMA_ENTERPRISE), n;

	a->sub[0] = '\0';
	if (strncasecmp(tok, SCIM_SCHEMA_ENTERPRISE, ulen) == 0 &&
	    (tok[ulen] == '\0' || tok[ulen] == ':')) {
		snprintf(a->top, sizeof(a->top), "%s", SCIM_SCHEMA_ENTERPRISE);
		if (tok[ulen] == ':')
			snprintf(a->sub, sizeof(a->sub), "%.*s", (int)strcspn(
			    tok + ulen + 1, "."), tok + ulen + 1);
		return;
	}
	if (strncasecmp(tok, SCIM_SCHEMA_USER ":", strlen(SCIM_SCHEMA_USER) +
	    1) == 0)
		tok += strlen(SCIM_SCHEMA_USER) + 1;
	else if (strncasecmp(tok, SCIM_SCHEMA_GROUP ":",
	    strlen(SCIM_SCHEMA_GROUP) + 1) == 0)
		tok += strlen(SCIM_SCHEMA_GROUP) + 1;
	n = strcspn(tok, ".");
	snprintf(a->top, sizeof(a->top), "%.*s", (int)n, tok);
	if (tok[n] == '.')
		snprintf(a->sub, sizeof(a->sub), "%.*s", (int)strcspn(
		    tok + n + 1, "."), tok + n + 1);
}

/* Keep (keep 1) or drop the sub-attribute sub of v: an object, or each
 * object of a multi-valued attribute. */
static void
scim_project_sub(struct json_object *v, const char *const *subs, size_t n,
    int keep)
{
	struct json_object	*el;
	size_t			 i, k;
	int			 listed;

	if (json_object_is_type(v, json_type_array)) {
		for (i = 0; i < json_object_array_length(v); i++)
			scim_project_sub(json_object_array_get_idx(v, i), subs,
			    n, keep);
		return;
	}
	if (!json_object_is_type(v, json_type_object))
		return;
	el = json_object_new_object();
	json_object_object_foreach(v, key, x) {
		for (listed = 0, k = 0; k < n && !listed; k++)
			listed = strcasecmp(subs[k], key) == 0;
		if (listed == keep)
			json_object_object_add(el, key, json_object_get(x));
	}
	while (json_object_object_length(v) > 0) {
		json_object_object_foreach(v, k2, v2) {
			(void)v2;
			json_object_object_del(v, k2);
			break;
		}
	}
	json_object_object_foreach(el, k3, v3)
		json_object_object_add(v, k3, json_object_get(v3));
	json_object_put(el);
}

#define SCIM_MAX_NAMES	32

/*
 * Keep only (keep 1) or drop the listed attributes of o, whole or by
 * sub-attribute (name.familyName, emails.value, the enterprise
 * extension's department); id and schemas always stay (RFC 7643
 * "returned always"). Names are compared without case.
 */
static void
scim_project(struct json_object *o, const char *list, int keep)
{
	struct scim_attr_name	 names[SCIM_MAX_NAMES];
	const char		*subs[SCIM_MAX_NAMES];
	char			 buf[2048], *tok, *save = NULL;
	struct json_object	*out = json_object_new_object();
	size_t			 n = 0, k, ns;
	int			 whole;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ", ", &save); tok != NULL && n <
	    SCIM_MAX_NAMES; tok = strtok_r(NULL, ", ", &save))
		scim_attr_name(tok, &names[n++]);
	json_object_object_foreach(o, key, v) {
		whole = 0;
		ns = 0;
		for (k = 0; k < n; k++) {
			if (strcasecmp(names[k].top, key) != 0)
				continue;
			if (names[k].sub[0] == '\0')
				whole = 1;
			else
				subs[ns++] = names[k].sub;
		}
		if (strcmp(key, "id") == 0 || strcmp(key, "schemas") == 0 ||
		    (keep && whole) || (!keep && !whole && ns == 0)) {
			json_object_object_add(out, key, json_object_get(v));
			continue;
		}
		if (ns > 0 && !whole) {
			scim_project_sub(v, subs, ns, keep);
			json_object_object_add(out, key, json_object_get(v));
		}
	}
	while (json_object_object_length(o) > 0) {
		json_object_object_foreach(o, k2, v2) {
			(void)v2;
			json_object_object_del(o, k2);
			break;
		}
	}
	json_object_object_foreach(out, k3, v3)
		json_object_object_add(o, k3, json_object_get(v3));
	json_object_put(out);
}

/* Apply the query's (or .search body's) attributes lists to o. */
void
scim_project_q(const struct scim_listq *q, struct json_object *o)
{
	if (q->attrs != NULL && *q->attrs != '\0')
		scim_project(o, q->attrs, 1);
	else if (q->excl != NULL && *q->excl != '\0')
		scim_project(o, q->excl, 0);
}

/* --- list queries --- */

static int
scim_query_int(struct req *r, const char *name, long long def,
    long long *out)
{
	char		*v = NULL;
	long long	 n;

	*out = def;
	if (req_query_param(r->in.query, name, &v) < 0) {
		scim_error(r, 400, "invalidValue", "bad query encoding");
		return 0;
	}
	if (v != NULL && !util_strtonum(v, -1000000000, 1000000000, &n)) {
		free(v);
		scim_error(r, 400, "invalidValue", name);
		return 0;
	}
	if (v != NULL)
		*out = n;
	free(v);
	return 1;
}

/* A .search body's member as a string: a string, or a list of strings
 * joined with commas (attributes); NULL when absent. 0 after a 400. */
static int
scim_body_str(struct req *r, struct json_object *b, const char *name,
    char **out)
{
	struct json_object	*v = scimp_get(b, name);
	struct buf		 s;
	size_t			 i;

	*out = NULL;
	if (v == NULL || json_object_is_type(v, json_type_null))
		return 1;
	if (json_object_is_type(v, json_type_string)) {
		*out = strdup(json_object_get_string(v));
		return 1;
	}
	if (!json_object_is_type(v, json_type_array))
		goto bad;
	buf_init(&s);
	for (i = 0; i < json_object_array_length(v); i++) {
		struct json_object *el = json_object_array_get_idx(v, i);

		if (!json_object_is_type(el, json_type_string)) {
			buf_cleanup(&s);
			goto bad;
		}
		if (i > 0)
			buf_puts(&s, ",");
		buf_puts(&s, json_object_get_string(el));
	}
	*out = strdup(s.data ? s.data : "");
	buf_cleanup(&s);
	return 1;
bad:
	req_resp_error(r, 400, "invalidValue", "%s: a string or a list of "
	    "strings", name);
	return 0;
}

static int
scim_body_int(struct req *r, struct json_object *b, const char *name,
    long long def, long long *out)
{
	struct json_object	*v = scimp_get(b, name);

	*out = def;
	if (v == NULL || json_object_is_type(v, json_type_null))
		return 1;
	if (!json_object_is_type(v, json_type_int)) {
		req_resp_error(r, 400, "invalidValue", "%s: an integer", name);
		return 0;
	}
	*out = json_object_get_int64(v);
	return 1;
}

static int
scim_listq_from_query(struct req *r, struct scim_listq *q)
{
	if (!scim_query_int(r, "startIndex", 1, &q->start) ||
	    !scim_query_int(r, "count", SCIM_MAX_COUNT, &q->count))
		return 0;
	if (req_query_param(r->in.query, "filter", &q->filter) < 0 ||
	    req_query_param(r->in.query, "attributes", &q->attrs) < 0 ||
	    req_query_param(r->in.query, "excludedAttributes", &q->excl) < 0) {
		scim_error(r, 400, "invalidValue", "bad query encoding");
		return 0;
	}
	return 1;
}

/* POST …/.search (RFC 7644 §3.4.3): the same query as a JSON body. */
static int
scim_listq_from_body(struct req *r, struct scim_listq *q)
{
	struct json_object	*b;
	int			 ok;

	if ((b = req_json_body(r)) == NULL)
		return 0;
	if (!json_object_is_type(b, json_type_object)) {
		scim_error(r, 400, "invalidSyntax", "expected a SearchRequest "
		    "object");
		json_object_put(b);
		return 0;
	}
	ok = scim_body_int(r, b, "startIndex", 1, &q->start) &&
	    scim_body_int(r, b, "count", SCIM_MAX_COUNT, &q->count) &&
	    scim_body_str(r, b, "filter", &q->filter) &&
	    scim_body_str(r, b, "attributes", &q->attrs) &&
	    scim_body_str(r, b, "excludedAttributes", &q->excl);
	json_object_put(b);
	return ok;
}

/*
 * Read a list query: startIndex (at least 1), count (0..100), filter
 * (parsed), attributes and excludedAttributes, from the query string
 * or, for POST .search, the body. 0 after answering 400.
 */
int
scim_listq_read(struct req *r, struct scim_listq *q)
{
	char	 err[200];

	memset(q, 0, sizeof(*q));
	if (!(strcmp(r->in.method, "POST") == 0 ? scim_listq_from_body(r, q) :
	    scim_listq_from_query(r, q)))
		return 0;
	q->start = q->start < 1 ? 1 : q->start;
	q->count = q->count < 0 ? 0 : q->count > SCIM_MAX_COUNT ?
	    SCIM_MAX_COUNT : q->count;
	if (q->filter != NULL && *q->filter != '\0' &&
	    (q->f = scimf_parse(q->filter, err, sizeof(err))) == NULL) {
		scim_error(r, 400, "invalidFilter", err);
		return 0;
	}
	return 1;
}

void
scim_listq_cleanup(struct scim_listq *q)
{
	scimf_free(q->f);
	free(q->filter);
	free(q->attrs);
	free(q->excl);
	memset(q, 0, sizeof(*q));
}

/* Answer the ListResponse of res (consumed: the page, projected). */
void
scim_list_send(struct req *r, const struct scim_listq *q,
    struct json_object *res, long long total)
{
	struct json_object	*o = json_object_new_object(), *s;

	s = json_object_new_array();
	json_object_array_add(s, json_object_new_string(SCHEMA_LIST));
	json_object_object_add(o, "schemas", s);
	json_object_object_add(o, "totalResults", json_object_new_int64(total));
	json_object_object_add(o, "itemsPerPage", json_object_new_int64(
	    (int64_t)json_object_array_length(res)));
	json_object_object_add(o, "startIndex", json_object_new_int64(
	    q->start));
	json_object_object_add(o, "Resources", res);
	req_resp_json(r, 200, o);
}

/* Filter, page and project resources held whole (consumed). */
void
scim_list_all(struct req *r, const struct scim_listq *q,
    struct json_object *all)
{
	struct json_object	*res = json_object_new_array(), *el;
	long long		 total = 0;
	size_t			 i;

	for (i = 0; i < json_object_array_length(all); i++) {
		el = json_object_array_get_idx(all, i);
		if (q->f != NULL && !scimf_match(q->f, el))
			continue;
		if (++total < q->start || total >= q->start + q->count)
			continue;
		el = json_object_get(el);
		scim_project_q(q, el);
		json_object_array_add(res, el);
	}
	scim_list_send(r, q, res, total);
	json_object_put(all);
}

/* Answer one resource (consumed) with its ETag, projected as the query
 * string asks. */
void
scim_resource_send(struct req *r, int status, struct json_object *o,
    const char *version)
{
	struct scim_listq	 q;

	memset(&q, 0, sizeof(q));
	(void)req_query_param(r->in.query, "attributes", &q.attrs);
	(void)req_query_param(r->in.query, "excludedAttributes", &q.excl);
	scim_project_q(&q, o);
	scim_listq_cleanup(&q);
	scim_etag_header(r, version);
	req_resp_json(r, status, o);
}
