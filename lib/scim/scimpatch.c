/*
 * scimpatch.c - RFC 7644 §3.5.2 PATCH applied to a SCIM resource held as
 * JSON: add, replace and remove, with and without a path, value filters
 * in paths (emails[type eq "work"].value, members[value eq "…"]), and the
 * habits of real clients: Entra ID's capitalised ops and booleans as
 * strings ("False"), Okta's replace without a path.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "scim/scim.h"

/* The key of o equal to name ignoring case, or NULL. Borrowed. */
const char *
scimp_key(struct json_object *o, const char *name)
{
	if (!json_object_is_type(o, json_type_object))
		return NULL;
	json_object_object_foreach(o, k, v) {
		(void)v;
		if (strcasecmp(k, name) == 0)
			return k;
	}
	return NULL;
}

/* Value of o's attribute name (any case), or NULL. Borrowed. */
struct json_object *
scimp_get(struct json_object *o, const char *name)
{
	const char	*k = scimp_key(o, name);

	return k ? json_object_object_get(o, k) : NULL;
}

/* RFC 7643's spelling of an attribute name given in any case. */
static const char *
scimp_canonical(const char *name)
{
	static const char *const names[] = {
		"userName", "name", "formatted", "familyName", "givenName",
		"middleName", "honorificPrefix", "honorificSuffix",
		"displayName", "nickName", "profileUrl", "title", "userType",
		"preferredLanguage", "locale", "timezone", "active", "emails",
		"phoneNumbers", "ims", "photos", "addresses", "streetAddress",
		"locality", "region", "postalCode", "country", "entitlements",
		"roles", "x509Certificates", "value", "type", "primary",
		"display", "externalId", "members", "employeeNumber",
		"costCenter", "organization", "division", "department",
		"manager", "schemas", "id", "meta", "password", "groups",
		"$ref", "resourceType", "created", "lastModified", "location",
		"version", NULL
	};
	size_t	 i;

	for (i = 0; names[i] != NULL; i++)
		if (strcasecmp(names[i], name) == 0)
			return names[i];
	return name;
}

/* Set o[name] (keeping an existing key's case, else RFC 7643's); v is
 * consumed. */
void
scimp_set(struct json_object *o, const char *name, struct json_object *v)
{
	const char	*k = scimp_key(o, name);
	char		 key[64];

	snprintf(key, sizeof(key), "%s", k ? k : scimp_canonical(name));
	json_object_object_add(o, key, v);
}

static void
scimp_del(struct json_object *o, const char *name)
{
	const char	*k = scimp_key(o, name);
	char		 key[64];

	if (k == NULL)
		return;
	snprintf(key, sizeof(key), "%s", k);
	json_object_object_del(o, key);
}

/* Entra sends booleans as "True"/"False": make them JSON booleans. */
struct json_object *
scimp_normalize(struct json_object *v)
{
	const char	*s;

	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		if (strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0) {
			int b = strcasecmp(s, "true") == 0;

			json_object_put(v);	/* s goes with it */
			return json_object_new_boolean(b);
		}
	} else if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, k, x) {
			if (strcasecmp(k, "active") == 0 ||
			    strcasecmp(k, "primary") == 0)
				json_object_object_add(v, k,
				    scimp_normalize(json_object_get(x)));
		}
	} else if (json_object_is_type(v, json_type_array)) {
		size_t i;

		for (i = 0; i < json_object_array_length(v); i++)
			json_object_array_put_idx(v, i, scimp_normalize(
			    json_object_get(json_object_array_get_idx(v, i))));
	}
	return v;
}

static struct json_object *
scimp_copy(struct json_object *v)
{
	struct json_object	*c = NULL;

	if (json_object_deep_copy(v, &c, NULL) != 0)
		return NULL;
	return scimp_normalize(c);
}

/* A key in the schema's case: a known schema URN, else an attribute. */
static const char *
scimp_canon_key(const char *k)
{
	static const char *const urns[] = { SCIM_SCHEMA_USER,
	    SCIM_SCHEMA_GROUP, SCIM_SCHEMA_ENTERPRISE, NULL };
	size_t	 i;

	for (i = 0; urns[i] != NULL; i++)
		if (strcasecmp(urns[i], k) == 0)
			return urns[i];
	return scimp_canonical(k);
}

/*
 * A top-level key fully qualified with a core schema's URN, in any case
 * ("urn:ietf:params:scim:schemas:core:2.0:User:password", RFC 7644
 * §3.10), as the bare attribute name it qualifies; any other key as it
 * is. Borrowed from k.
 */
static const char *
scimp_unqualified(const char *k)
{
	static const char *const urns[] = { SCIM_SCHEMA_USER,
	    SCIM_SCHEMA_GROUP, NULL };
	const char	*rest;
	size_t		 i, n;

	for (i = 0; urns[i] != NULL; i++) {
		n = strlen(urns[i]);
		if (strncasecmp(k, urns[i], n) != 0 || k[n] != ':')
			continue;
		rest = k + n + 1;
		/* An attribute name alone: "…:User:name.givenName" and
		 * other shapes stay keys of their own. */
		if (*rest != '\0' && strpbrk(rest, ".:") == NULL)
			return rest;
	}
	return k;
}

static struct json_object *scimp_canon_at(struct json_object *, int);

/*
 * v (consumed) with every key, at every depth, in the schema's case
 * (RFC 7643 §2.1 makes names case-insensitive; responses use the
 * schema's spelling), top-level names fully qualified with the core
 * schema's URN made bare (so "urn:…:User:password" is the password),
 * booleans sent as strings made booleans, and the enterprise manager
 * given as a bare id (Entra's PATCH) made {"value": id}. Of two keys
 * that name one attribute the last wins.
 */
struct json_object *
scimp_canon(struct json_object *v)
{
	return scimp_canon_at(v, 1);
}

static struct json_object *
scimp_canon_at(struct json_object *v, int top)
{
	struct json_object	*o, *x;
	const char		*key;
	size_t			 i;

	if (json_object_is_type(v, json_type_array)) {
		for (i = 0; i < json_object_array_length(v); i++)
			json_object_array_put_idx(v, i, scimp_canon_at(
			    json_object_get(json_object_array_get_idx(v, i)),
			    0));
		return v;
	}
	if (!json_object_is_type(v, json_type_object))
		return v;
	o = json_object_new_object();
	json_object_object_foreach(v, k, val) {
		key = scimp_canon_key(top ? scimp_unqualified(k) : k);
		x = scimp_canon_at(json_object_get(val), 0);
		if (strcmp(key, "active") == 0 || strcmp(key, "primary") == 0)
			x = scimp_normalize(x);
		if (strcmp(key, "manager") == 0 &&
		    json_object_is_type(x, json_type_string)) {
			struct json_object *m = json_object_new_object();

			json_object_object_add(m, "value", x);
			x = m;
		}
		json_object_object_add(o, key, x);
	}
	json_object_put(v);
	return o;
}

/* Attributes a client may not change (RFC 7643 mutability). */
int
scimp_readonly(const char *attr)
{
	return strcasecmp(attr, "id") == 0 || strcasecmp(attr, "meta") == 0 ||
	    strcasecmp(attr, "schemas") == 0 || strcasecmp(attr, "groups") == 0;
}

/* add or replace of a whole attribute (no filter, no sub-attribute). */
static void
scimp_put_attr(struct json_object *res, const char *attr,
    struct json_object *val, int add)
{
	struct json_object	*cur = scimp_get(res, attr);
	size_t			 i;

	if (add && cur != NULL && json_object_is_type(cur, json_type_array)) {
		if (json_object_is_type(val, json_type_array)) {
			for (i = 0; i < json_object_array_length(val); i++)
				json_object_array_add(cur, json_object_get(
				    json_object_array_get_idx(val, i)));
			json_object_put(val);
		} else
			json_object_array_add(cur, val);
		return;
	}
	if (add && cur != NULL && json_object_is_type(cur, json_type_object) &&
	    json_object_is_type(val, json_type_object)) {
		json_object_object_foreach(val, k, x)
			scimp_set(cur, k, json_object_get(x));
		json_object_put(val);
		return;
	}
	scimp_set(res, attr, val);
}

/*
 * For attr[key eq "v"].sub with no element matching: the element
 * {key: v, sub: value} to add (Entra adds a work e-mail that way).
 * NULL when the path's filter is not that simple shape.
 */
static struct json_object *
scimp_new_element(const char *path, const struct scim_path *p,
    struct json_object *val)
{
	const char		*lb = strchr(path, '['), *sp, *q1, *q2;
	char			 key[64], v[256];
	struct json_object	*el;

	if (lb == NULL || p->sub[0] == '\0' ||
	    (sp = strstr(lb, " eq \"")) == NULL || (size_t)(sp - lb - 1) >=
	    sizeof(key) || (q1 = sp + 4) == NULL ||
	    (q2 = strchr(q1 + 1, '"')) == NULL || q2[1] != ']' ||
	    (size_t)(q2 - q1 - 1) >= sizeof(v) || memchr(q1 + 1, '\\',
	    (size_t)(q2 - q1 - 1)) != NULL)
		return NULL;
	snprintf(key, sizeof(key), "%.*s", (int)(sp - lb - 1), lb + 1);
	if (strchr(key, ' ') != NULL || strchr(key, '.') != NULL)
		return NULL;
	snprintf(v, sizeof(v), "%.*s", (int)(q2 - q1 - 1), q1 + 1);
	el = json_object_new_object();
	scimp_set(el, key, json_object_new_string(v));
	scimp_set(el, p->sub, json_object_get(val));
	return el;
}

/* Apply to the elements of a multi-valued attribute matching a filter. */
static int
scimp_filtered(struct json_object *res, const char *path,
    const struct scim_path *p, const char *op, struct json_object *val,
    char *err, size_t errsz)
{
	struct json_object	*arr = scimp_get(res, p->attr), *el;
	size_t			 i, hits = 0;

	if (strcmp(op, "remove") != 0 && p->sub[0] == '\0' &&
	    !json_object_is_type(val, json_type_object)) {
		snprintf(err, errsz, "invalidValue:%s[…] takes an object",
		    p->attr);
		return 0;
	}
	for (i = arr && json_object_is_type(arr, json_type_array) ?
	    json_object_array_length(arr) : 0; i-- > 0;) {
		el = json_object_array_get_idx(arr, i);
		if (!scimf_match(p->filter, el))
			continue;
		hits++;
		if (strcmp(op, "remove") == 0 && p->sub[0] == '\0')
			json_object_array_del_idx(arr, i, 1);
		else if (strcmp(op, "remove") == 0)
			scimp_del(el, p->sub);
		else if (p->sub[0] != '\0')
			scimp_set(el, p->sub, json_object_get(val));
		else {
			json_object_object_foreach(val, k, x)
				scimp_set(el, k, json_object_get(x));
		}
	}
	if (hits > 0 || strcmp(op, "remove") == 0)
		return 1;	/* nothing to remove is no error */
	/* add creates what the filter names; replace must find it (RFC). */
	if (strcmp(op, "add") == 0 &&
	    (el = scimp_new_element(path, p, val)) != NULL) {
		if (arr == NULL || !json_object_is_type(arr, json_type_array)) {
			arr = json_object_new_array();
			scimp_set(res, p->attr, arr);
		}
		json_object_array_add(arr, el);
		return 1;
	}
	snprintf(err, errsz, "noTarget:no value of %s matches the filter",
	    p->attr);
	return 0;
}

/* remove of members (or any multi-valued attribute) with a value list:
 * only the listed values go (Entra ID removes one member that way). */
static void
scimp_remove_values(struct json_object *arr, struct json_object *val)
{
	struct json_object	*v, *w;
	size_t			 i, j;

	for (i = json_object_array_length(arr); i-- > 0;) {
		v = scimp_get(json_object_array_get_idx(arr, i), "value");
		for (j = 0; v != NULL && j < json_object_array_length(val); j++) {
			w = scimp_get(json_object_array_get_idx(val, j), "value");
			if (w != NULL && strcmp(json_object_get_string(v),
			    json_object_get_string(w)) == 0) {
				json_object_array_del_idx(arr, i, 1);
				break;
			}
		}
	}
}

/* One operation with a path. */
static int
scimp_path_op(struct json_object *res, const char *op, const char *path,
    struct json_object *val, char *err, size_t errsz)
{
	struct scim_path	 p;
	struct json_object	*cur;
	char			 perr[160];
	int			 ok = 1;

	if (!scimf_path_parse(path, &p, perr, sizeof(perr))) {
		snprintf(err, errsz, "invalidPath:%s", perr);
		return 0;
	}
	if (scimp_readonly(p.attr)) {
		snprintf(err, errsz, "mutability:%s cannot be changed", p.attr);
		ok = 0;
	} else if (p.filter != NULL)
		ok = scimp_filtered(res, path, &p, op, val, err, errsz);
	else if (strcmp(op, "remove") == 0 && p.sub[0] == '\0' && val != NULL &&
	    json_object_is_type(val, json_type_array) &&
	    (cur = scimp_get(res, p.attr)) != NULL &&
	    json_object_is_type(cur, json_type_array))
		scimp_remove_values(cur, val);
	else if (p.sub[0] != '\0') {
		cur = scimp_get(res, p.attr);
		if (strcmp(op, "remove") == 0) {
			if (cur != NULL)
				scimp_del(cur, p.sub);
		} else {
			if (cur == NULL || !json_object_is_type(cur,
			    json_type_object)) {
				cur = json_object_new_object();
				scimp_set(res, p.attr, cur);
			}
			scimp_set(cur, p.sub, json_object_get(val));
		}
	} else if (strcmp(op, "remove") == 0)
		scimp_del(res, p.attr);
	else
		scimp_put_attr(res, p.attr, json_object_get(val),
		    strcmp(op, "add") == 0);
	scimf_path_cleanup(&p);
	return ok;
}

/* add/replace without a path: every member of the value object. */
static int
scimp_pathless(struct json_object *res, const char *op,
    struct json_object *val, char *err, size_t errsz)
{
	if (strcmp(op, "remove") == 0) {
		snprintf(err, errsz, "noTarget:remove needs a path");
		return 0;
	}
	if (!json_object_is_type(val, json_type_object)) {
		snprintf(err, errsz, "invalidValue:without a path the value "
		    "must be an object");
		return 0;
	}
	json_object_object_foreach(val, k, x) {
		/* Okta repeats the unchanged id; read-only ones are ignored. */
		if (scimp_readonly(k))
			continue;
		/* Entra: {"name.givenName": "…"} in a path-less replace. */
		if (!scimp_path_op(res, op, k, x, err, errsz))
			return 0;
	}
	return 1;
}

static int
scimp_one(struct json_object *res, struct json_object *o, char *err,
    size_t errsz)
{
	struct json_object	*opv = scimp_get(o, "op"), *path, *val;
	char			 op[16];
	size_t			 i;
	int			 ok;

	if (opv == NULL || !json_object_is_type(opv, json_type_string) ||
	    strlen(json_object_get_string(opv)) >= sizeof(op)) {
		snprintf(err, errsz, "invalidSyntax:each operation needs an op");
		return 0;
	}
	snprintf(op, sizeof(op), "%s", json_object_get_string(opv));
	for (i = 0; op[i]; i++)
		op[i] = (char)tolower((unsigned char)op[i]);
	if (strcmp(op, "add") && strcmp(op, "replace") && strcmp(op, "remove")) {
		snprintf(err, errsz, "invalidSyntax:op must be add, replace or "
		    "remove");
		return 0;
	}
	path = scimp_get(o, "path");
	val = scimp_get(o, "value");
	if (strcmp(op, "remove") != 0 && val == NULL) {
		snprintf(err, errsz, "invalidValue:%s needs a value", op);
		return 0;
	}
	val = val ? scimp_copy(val) : NULL;
	if (path != NULL && !json_object_is_type(path, json_type_string)) {
		snprintf(err, errsz, "invalidPath:path must be a string");
		ok = 0;
	} else if (path != NULL)
		ok = scimp_path_op(res, op, json_object_get_string(path), val,
		    err, errsz);
	else
		ok = scimp_pathless(res, op, val, err, errsz);
	json_object_put(val);
	return ok;
}

/*
 * The complex attributes of RFC 7643 keep their shape: name is an
 * object; emails, phoneNumbers, addresses, members... arrays of objects.
 */
int
scimp_shape_ok(struct json_object *res, char *err, size_t errsz)
{
	static const char *const multi[] = { "emails", "phoneNumbers", "ims",
	    "photos", "addresses", "entitlements", "roles", "members",
	    "x509Certificates", NULL };
	struct json_object	*v;
	size_t			 i, j;

	if ((v = scimp_get(res, "name")) != NULL &&
	    !json_object_is_type(v, json_type_object)) {
		snprintf(err, errsz, "invalidValue:name must be an object");
		return 0;
	}
	for (i = 0; multi[i] != NULL; i++) {
		if ((v = scimp_get(res, multi[i])) == NULL)
			continue;
		if (!json_object_is_type(v, json_type_array))
			goto bad;
		for (j = 0; j < json_object_array_length(v); j++)
			if (!json_object_is_type(json_object_array_get_idx(v, j),
			    json_type_object))
				goto bad;
	}
	return 1;
bad:
	snprintf(err, errsz, "invalidValue:%s must be a list of objects",
	    multi[i]);
	return 0;
}

/*
 * Apply a PatchOp body to res (changed in place). 0 with err
 * "scimType:detail" when the request is bad; res may then be partly
 * changed and must be thrown away.
 */
int
scimp_apply(struct json_object *res, struct json_object *body, char *err,
    size_t errsz)
{
	struct json_object	*ops = scimp_get(body, "Operations");
	size_t			 i;

	if (ops == NULL || !json_object_is_type(ops, json_type_array) ||
	    json_object_array_length(ops) == 0) {
		snprintf(err, errsz, "invalidSyntax:Operations must be a "
		    "non-empty array");
		return 0;
	}
	for (i = 0; i < json_object_array_length(ops); i++)
		if (!scimp_one(res, json_object_array_get_idx(ops, i), err,
		    errsz))
			return 0;
	return scimp_shape_ok(res, err, errsz);
}
