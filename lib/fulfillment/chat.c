/*
 * chat.c - the storefront chat (to be written; answers 501 until then).
 */
#include <string.h>

#include <json-c/json.h>

#include "fulfillment/fulfillment.h"

const struct db_stmts chat_stmts = { "chat", NULL, 0, NULL, 0 };

void chat_post(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
