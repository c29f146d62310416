/*
 * fuzz_scimpatch.c - SCIM PATCH itself: the input is a request body read
 * as req_json_body reads it (json_parse_body), applied by scimp_apply to
 * a fixed User and a fixed Group document as the handlers hold them,
 * then put in the schema's case by scimp_canon, as scim_user_patch and
 * scim_group_patch do. A refusal names its scimType; an accepted PATCH
 * leaves id, meta and schemas as they were (RFC 7643 mutability), keeps
 * the complex attributes' shape through scimp_canon, is canonical after
 * one scimp_canon, and prints as JSON that parses again.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "fuzz.h"

static const char	 user[] =
    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\","
    "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"],"
    "\"id\":\"2819c223\",\"externalId\":\"00u1ab2CD3ef\","
    "\"userName\":\"a@b.com\",\"displayName\":\"Ann Smith\","
    "\"name\":{\"givenName\":\"Ann\",\"familyName\":\"Smith\"},"
    "\"emails\":[{\"value\":\"a@b.com\",\"type\":\"work\",\"primary\":true},"
    "{\"value\":\"ann@example.com\",\"type\":\"home\"}],"
    "\"phoneNumbers\":[{\"value\":\"+1 555 0100\",\"type\":\"work\"}],"
    "\"active\":true,\"title\":\"Buyer\","
    "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":"
    "{\"employeeNumber\":\"701984\",\"manager\":{\"value\":\"m1\"}},"
    "\"meta\":{\"resourceType\":\"User\","
    "\"created\":\"2026-03-30T12:00:00.000Z\","
    "\"lastModified\":\"2026-03-30T12:00:00.000Z\","
    "\"location\":\"https://hub.example/api/scim/v2/Users/2819c223\","
    "\"version\":\"W/\\\"1\\\"\"}}";

static const char	 group[] =
    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],"
    "\"id\":\"e9e30dba\",\"displayName\":\"Admins\",\"externalId\":\"g-1\","
    "\"members\":[{\"value\":\"2819c223\",\"display\":\"a@b.com\"},"
    "{\"value\":\"902c246b\",\"display\":\"c@d.com\"}],"
    "\"meta\":{\"resourceType\":\"Group\","
    "\"created\":\"2026-03-30T12:00:00.000Z\","
    "\"lastModified\":\"2026-03-30T12:00:00.000Z\","
    "\"location\":\"https://hub.example/api/scim/v2/Groups/e9e30dba\","
    "\"version\":\"W/\\\"4\\\"\"}}";

/* A refusal reads "scimType:detail" with one of RFC 7644's types. */
static void
refusal_ok(const char *err)
{
	static const char *const types[] = { "invalidSyntax:",
	    "invalidValue:", "invalidPath:", "noTarget:", "mutability:",
	    NULL };
	size_t	 i;

	for (i = 0; types[i] != NULL; i++)
		if (strncmp(err, types[i], strlen(types[i])) == 0 &&
		    err[strlen(types[i])] != '\0')
			return;
	abort();
}

/* What a client may not change is still what it was. */
static void
readonly_kept(struct json_object *before, struct json_object *after)
{
	static const char *const keep[] = { "id", "meta", "schemas", NULL };
	struct json_object	*a, *b;
	size_t			 i;

	for (i = 0; keep[i] != NULL; i++) {
		a = scimp_get(before, keep[i]);
		b = scimp_get(after, keep[i]);
		if (a == NULL || b == NULL || !json_object_equal(a, b))
			abort();
	}
}

/* res (consumed) as the handler stores it: canonical, well-shaped,
 * canonical again after another pass, printable as JSON. */
static void
canon_ok(struct json_object *res)
{
	struct json_object	*c, *copy = NULL, *again;
	const char		*s;
	char			 err[240];

	c = scimp_canon(res);
	if (!json_object_is_type(c, json_type_object) ||
	    !scimp_shape_ok(c, err, sizeof(err)))
		abort();
	if (json_object_deep_copy(c, &copy, NULL) != 0)
		abort();
	again = scimp_canon(copy);
	if (!json_object_equal(c, again))
		abort();
	json_object_put(again);
	if ((s = json_to_str(c)) == NULL ||
	    (again = json_parse_body(s, strlen(s), err, sizeof(err))) == NULL)
		abort();
	json_object_put(again);
	json_object_put(c);
}

static void
patch(const char *doc, struct json_object *body)
{
	struct json_object	*orig, *res;
	char			 err[240];

	if ((orig = json_tokener_parse(doc)) == NULL ||
	    (res = json_tokener_parse(doc)) == NULL)
		abort();
	memset(err, 0, sizeof(err));
	if (!scimp_apply(res, body, err, sizeof(err))) {
		refusal_ok(err);
		json_object_put(res);
	} else {
		if (!json_object_is_type(res, json_type_object))
			abort();
		readonly_kept(orig, res);
		canon_ok(res);
	}
	json_object_put(orig);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*body;
	char			 err[160];

	if ((body = json_parse_body((const char *)data, size, err,
	    sizeof(err))) == NULL)
		return 0;
	patch(user, body);
	patch(group, body);
	json_object_put(body);
	return 0;
}
