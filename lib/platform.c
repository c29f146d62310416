/*
 * platform.c - the platform's own endpoints: liveness and "who am I".
 */
#include <json-c/json.h>

#include "mihwar.h"

/* GET /api/healthz: 200 when the database answers, 503 when not. */
void
platform_health(struct req *r)
{
	struct json_object	*o = json_object_new_object();
	int			 up;

	up = db_ping(r->db) == DB_OK;
	json_object_object_add(o, "ok", json_object_new_boolean(up));
	json_object_object_add(o, "db", json_object_new_string(up ? "up" :
	    "down"));
	if (!up)
		json_object_object_add(o, "requestId",
		    json_object_new_string(r->id));
	req_resp_json(r, up ? 200 : 503, o);
}

/* GET /api/integrations/v1/whoami: the organization and key in use. */
void
platform_whoami(struct req *r)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*d = json_object_new_object();
	struct json_object	*org = json_object_new_object();
	struct json_object	*key = json_object_new_object();

	json_object_object_add(org, "slug",
	    json_object_new_string(r->principal.org_slug));
	json_object_object_add(key, "id",
	    json_object_new_string(r->principal.key_public_id));
	json_object_object_add(key, "kind",
	    json_object_new_string(keys_kind_name(r->principal.key_kind)));
	json_object_object_add(d, "organization", org);
	json_object_object_add(d, "key", key);
	json_object_object_add(o, "data", d);
	req_resp_json(r, 200, o);
}
