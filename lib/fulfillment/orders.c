/*
 * orders.c - fulfillment orders (to be written; answers 501 until then).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "fulfillment/fulfillment.h"

const struct db_stmts forders_stmts = { "forders", NULL, 0, NULL, 0 };

void forders_stripe_webhook(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void forders_printful_webhook(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void forders_pending(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void forders_list(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void forders_get(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void forders_client_approve(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void forders_client_reject(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void forders_admin_approve(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }
void forders_admin_reject(struct req *r) { req_resp_error(r, 501, NULL, "not yet"); }

int
forders_recover_job(struct db *db, const struct conf *conf)
{
	(void)db, (void)conf;
	return 0;
}

void
forders_admin_decide(struct req *r, const char *id, int approve,
    const char *actor, const char *note, struct forder_outcome *out)
{
	(void)r, (void)id, (void)approve, (void)actor, (void)note;
	memset(out, 0, sizeof(*out));
	out->status = 501;
	snprintf(out->message, sizeof(out->message), "not yet");
}
