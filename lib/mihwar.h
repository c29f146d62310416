/*
 * mihwar.h - the top of libmihwar: the joined route table, one request
 * through the pipeline (app.c), the worker's loop, the platform endpoints
 * and the first-run demo. It includes every layer below, so the mains
 * and the tests include only this.
 *
 *   core/       util, log, conf, crypto, db, migrate, json, decimal,
 *               httpout, events (the outbox), boot
 *   web/        req, family, route, valid, page, idem, ratelimit, html
 *   auth/       keys, orgs, session, principal
 *   inventory/  items, orders, ingestion, forecast, predict
 *   webhooks/   webhooks, deliver
 *   scim/       scimfilter, scimpatch, scim
 *   ingest/     activity ingest: batch, snapshots, actors, usage, store,
 *               settings, api; apps, timeline, partitions (the console's side)
 *   cases/      invoice cases: cases, stock, payables, ledger, integrate,
 *               export
 *   fulfillment/ storefronts: printful, onboarding, chat, fusage, dpi,
 *               products, orders
 *   checklists/ schedule, templates, instances
 *   console/    one page file per domain
 */
#ifndef MIHWAR_H
#define MIHWAR_H

#include "core/core.h"
#include "web/web.h"
#include "auth/auth.h"
#include "inventory/inventory.h"
#include "webhooks/webhooks.h"
#include "scim/scim.h"
#include "ingest/ingest.h"
#include "cases/cases.h"
#include "fulfillment/fulfillment.h"
#include "checklists/checklists.h"
#include "impex/impex.h"
#include "console/console.h"

/* registry.c: every domain's statement table, joined */
int		 registry_init(void);

/* routes.c: every family's routes, joined */
extern const struct route	routes[];
extern const size_t		routes_len;

/* app.c: one request through family, credential, pipeline and log */
void		 app_handle(struct req *);
long long	 app_body_cap(struct req *);

/* platform.c: the platform's own endpoints */
void		 platform_health(struct req *);
void		 platform_whoami(struct req *);

/* demo.c: the first-run demo organization */
extern const struct db_stmts	demo_stmts;
int		 demo_create(struct db *, const char *, FILE *);

/* housekeeping.c: trimming what grows (a worker job), and its sizes */
extern const struct db_stmts	housekeeping_stmts;
enum hk_step {
	HK_IDEM, HK_RATE, HK_FAILURES, HK_DELIVERIES, HK_EVENTS, HK_SESSIONS,
	HK_LINKS, HK_STEPS__MAX
};
int		 housekeeping_run(struct db *, const struct conf *,
		    long long[HK_STEPS__MAX]);
int		 housekeeping_job(struct db *, const struct conf *);
struct json_object *housekeeping_status_json(struct db *);

/* worker.c: the background loop of mihwar-worker */
extern const struct db_stmts	worker_stmts;
int		 worker_run(struct db *, const struct conf *,
		    volatile sig_atomic_t *, int, long long);

#endif /* MIHWAR_H */
