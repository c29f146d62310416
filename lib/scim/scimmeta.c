/*
 * scimmeta.c - SCIM discovery (RFC 7644 §4): ServiceProviderConfig,
 * ResourceTypes and Schemas, constant documents. Sorting is not offered
 * (sort.supported false): lists come in creation order.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "scim/scim.h"

#define SCHEMA_LIST	"urn:ietf:params:scim:api:messages:2.0:ListResponse"

static const char scim_spc[] =
    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:"
    "ServiceProviderConfig\"],"
    "\"documentationUri\":\"/openapi.yaml\","
    "\"patch\":{\"supported\":true},"
    "\"bulk\":{\"supported\":false,\"maxOperations\":0,"
    "\"maxPayloadSize\":0},"
    "\"filter\":{\"supported\":true,\"maxResults\":100},"
    "\"changePassword\":{\"supported\":true},"
    "\"sort\":{\"supported\":false},"
    "\"etag\":{\"supported\":true},"
    "\"authenticationSchemes\":[{\"type\":\"oauthbearertoken\","
    "\"name\":\"OAuth Bearer Token\",\"description\":"
    "\"A scim_live_ key made in the console or with mihwarctl\","
    "\"primary\":true}],"
    "\"meta\":{\"resourceType\":\"ServiceProviderConfig\","
    "\"location\":\"/api/scim/v2/ServiceProviderConfig\"}}";

static const char scim_types[] =
    "[{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:ResourceType\"],"
    "\"id\":\"User\",\"name\":\"User\",\"endpoint\":\"/Users\","
    "\"description\":\"Console users of the organization\","
    "\"schema\":\"" SCIM_SCHEMA_USER "\",\"schemaExtensions\":[{\"schema\":"
    "\"" SCIM_SCHEMA_ENTERPRISE "\",\"required\":false}],"
    "\"meta\":{\"resourceType\":\"ResourceType\","
    "\"location\":\"/api/scim/v2/ResourceTypes/User\"}},"
    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:ResourceType\"],"
    "\"id\":\"Group\",\"name\":\"Group\",\"endpoint\":\"/Groups\","
    "\"description\":\"Groups; Admins grants the admin role\","
    "\"schema\":\"" SCIM_SCHEMA_GROUP "\",\"schemaExtensions\":[],"
    "\"meta\":{\"resourceType\":\"ResourceType\","
    "\"location\":\"/api/scim/v2/ResourceTypes/Group\"}}]";

#define ATTR(n, t, mv, req, mut, ret, uniq) \
    "{\"name\":\"" n "\",\"type\":\"" t "\",\"multiValued\":" mv \
    ",\"required\":" req ",\"caseExact\":false,\"mutability\":\"" \
    mut "\",\"returned\":\"" ret "\",\"uniqueness\":\"" uniq "\"}"

static const char scim_schemas[] =
    "[{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Schema\"],"
    "\"id\":\"" SCIM_SCHEMA_USER "\",\"name\":\"User\","
    "\"description\":\"User Account\",\"attributes\":["
    ATTR("userName", "string", "false", "true", "readWrite", "default",
    "server") ","
    ATTR("name", "complex", "false", "false", "readWrite", "default",
    "none") ","
    ATTR("displayName", "string", "false", "false", "readWrite", "default",
    "none") ","
    ATTR("emails", "complex", "true", "false", "readWrite", "default",
    "none") ","
    ATTR("active", "boolean", "false", "false", "readWrite", "default",
    "none") ","
    ATTR("password", "string", "false", "false", "writeOnly", "never",
    "none") ","
    ATTR("externalId", "string", "false", "false", "readWrite", "default",
    "none") "],"
    "\"meta\":{\"resourceType\":\"Schema\","
    "\"location\":\"/api/scim/v2/Schemas/" SCIM_SCHEMA_USER "\"}},"
    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Schema\"],"
    "\"id\":\"" SCIM_SCHEMA_GROUP "\",\"name\":\"Group\","
    "\"description\":\"Group\",\"attributes\":["
    ATTR("displayName", "string", "false", "true", "readWrite", "default",
    "server") ","
    ATTR("members", "complex", "true", "false", "readWrite", "default",
    "none") ","
    ATTR("externalId", "string", "false", "false", "readWrite", "default",
    "none") "],"
    "\"meta\":{\"resourceType\":\"Schema\","
    "\"location\":\"/api/scim/v2/Schemas/" SCIM_SCHEMA_GROUP "\"}},"
    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Schema\"],"
    "\"id\":\"" SCIM_SCHEMA_ENTERPRISE "\",\"name\":\"EnterpriseUser\","
    "\"description\":\"Enterprise User\",\"attributes\":["
    ATTR("employeeNumber", "string", "false", "false", "readWrite",
    "default", "none") ","
    ATTR("costCenter", "string", "false", "false", "readWrite", "default",
    "none") ","
    ATTR("organization", "string", "false", "false", "readWrite", "default",
    "none") ","
    ATTR("division", "string", "false", "false", "readWrite", "default",
    "none") ","
    ATTR("department", "string", "false", "false", "readWrite", "default",
    "none") ","
    ATTR("manager", "complex", "false", "false", "readWrite", "default",
    "none") "],"
    "\"meta\":{\"resourceType\":\"Schema\","
    "\"location\":\"/api/scim/v2/Schemas/" SCIM_SCHEMA_ENTERPRISE "\"}}]";

/* A ListResponse of the resources in a constant JSON array text. */
static void
scim_static_list(struct req *r, const char *text)
{
	struct json_object	*o = json_object_new_object(), *s;
	struct json_object	*arr = json_tokener_parse(text);
	int64_t			 n = (int64_t)json_object_array_length(arr);

	s = json_object_new_array();
	json_object_array_add(s, json_object_new_string(SCHEMA_LIST));
	json_object_object_add(o, "schemas", s);
	json_object_object_add(o, "totalResults", json_object_new_int64(n));
	json_object_object_add(o, "itemsPerPage", json_object_new_int64(n));
	json_object_object_add(o, "startIndex", json_object_new_int64(1));
	json_object_object_add(o, "Resources", arr);
	req_resp_json(r, 200, o);
}

/* One resource of a constant list by id, or 404. */
static void
scim_static_one(struct req *r, const char *text)
{
	struct json_object	*arr = json_tokener_parse(text), *el;
	size_t			 i;

	for (i = 0; i < json_object_array_length(arr); i++) {
		el = json_object_array_get_idx(arr, i);
		if (strcasecmp(json_object_get_string(json_object_object_get(el,
		    "id")), r->args[0]) == 0) {
			req_resp_json(r, 200, json_object_get(el));
			json_object_put(arr);
			return;
		}
	}
	json_object_put(arr);
	scim_error(r, 404, NULL, "no such resource");
}

/* GET /api/scim/v2/ServiceProviderConfig */
void
scim_spc_get(struct req *r)
{
	req_resp_json(r, 200, json_tokener_parse(scim_spc));
}

/* GET /api/scim/v2/ResourceTypes and /ResourceTypes/{id} */
void
scim_types_list(struct req *r)
{
	scim_static_list(r, scim_types);
}

void
scim_type_get(struct req *r)
{
	scim_static_one(r, scim_types);
}

/* GET /api/scim/v2/Schemas and /Schemas/{id} */
void
scim_schemas_list(struct req *r)
{
	scim_static_list(r, scim_schemas);
}

void
scim_schema_get(struct req *r)
{
	scim_static_one(r, scim_schemas);
}
