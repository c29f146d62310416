/*
 * onboarding.c - client onboarding and allowed embed origins (to be written; answers 501 until then).
 */
#include <string.h>

#include <json-c/json.h>

#include "fulfillment/fulfillment.h"

const struct db_stmts onboarding_stmts = { "onboarding", NULL, 0, NULL, 0 };

void onboarding_check_slug(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void onboarding_request(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }

int
onboarding_origin_allowed(const char *allowed, const char *origin)
{
	(void)allowed, (void)origin;
	return 0;
}
