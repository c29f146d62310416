/*
 * events.c - the transactional outbox: a state change worth telling
 * writes its event in the same transaction as the change; the worker
 * fans events out later.
 */
#include <json-c/json.h>

#include "core/core.h"

static const char *const SQL_EVENT_INSERT =
    "INSERT INTO events (public_id, org_id, type, payload)"
    " VALUES (?, ?, ?, ?)";

/* Write event type with payload (consumed) for org, inside the caller's
 * transaction. */
enum db_code
events_emit(struct db *db, long long org_id, const char *type,
    struct json_object *payload)
{
	char		 id[37];
	enum db_code	 code;

	crypto_uuid7(id);
	code = db_exec(db, SQL_EVENT_INSERT, DB_PARAMS(DB_STR(id),
	    DB_INT(org_id), DB_STR(type), DB_STR(json_to_str(payload))));
	json_object_put(payload);
	if (code != DB_OK)
		log_error("events: could not write %s", type);
	return code;
}
