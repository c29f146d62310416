/*
 * products.c - products (to be written; answers 501 until then).
 */
#include <string.h>

#include <json-c/json.h>

#include "fulfillment/fulfillment.h"

const struct db_stmts fproducts_stmts = { "fproducts", NULL, 0, NULL, 0 };

void fproducts_create(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
