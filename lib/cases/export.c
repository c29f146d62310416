/*
 * export.c - exports behind capability URLs, and artifacts (to be written; answers 501 until then).
 */
#include <string.h>

#include <json-c/json.h>

#include "cases/cases.h"


const struct db_stmts export_stmts = { "export", NULL, 0, NULL, 0 };

void export_create(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void export_download(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void artifacts_upload(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }

void
artifacts_list_json(struct db *db, long long org, long long c, struct json_object *o)
{
	(void)db, (void)org, (void)c;
	json_object_object_add(o, "artifacts", json_object_new_array());
}
