/*
 * console/console.h - the administrators' HTML console, one page file
 * per domain, each reading the typed views its domain exports.
 */
#ifndef MIHWAR_CONSOLE_H
#define MIHWAR_CONSOLE_H

#include "auth/auth.h"
#include "inventory/inventory.h"
#include "webhooks/webhooks.h"
#include "ingest/ingest.h"
#include "cases/cases.h"
#include "fulfillment/fulfillment.h"
#include "checklists/checklists.h"

/* common.c: what the page files share */
void		 console_home(struct req *);
int		 console_begin(struct req *, enum db_code, const char *,
		    const char *, const char *);
void		 console_secret(struct req *, const char *, const char *,
		    const char *);
void		 console_cell(struct req *, const char *);
int		 console_query_param(struct req *, const char *, char **);
void		 console_decimal(struct req *, int64_t, int);
void		 console_int(struct req *, long long, int);
void		 console_flash_redirect(struct req *, const char *,
		    const char *, const char *);

/* approvals.c: purchase orders and invoice cases waiting for approval */
void		 console_approvals(struct req *);
void		 console_approvals_show(struct req *, const char *,
		    const char *);
void		 console_approve(struct req *);

/* inventory.c: items with stock, cover and suggestions; drafts made
 * from them; one item's chart and history */
void		 console_inventory(struct req *);
void		 console_inventory_item(struct req *);
void		 console_inventory_reorder(struct req *);
void		 console_inventory_submit(struct req *);

/* cases.c: an invoice case's page, and its decisions and actions */
void		 console_case(struct req *);
void		 console_case_show(struct req *, const char *, const char *,
		    const char *);
void		 console_case_action(struct req *);
void		 console_case_decide_form(struct req *, const char *,
		    const char *, int64_t, const char *, const char *);
void		 console_case_lines(struct req *, const struct case_line *,
		    size_t, int64_t, int64_t, int64_t, const char *);
void		 console_money(struct req *, int64_t, const char *);
const char	*console_case_flash_take(struct req *, char *, size_t,
		    const char **);

/* fulfillment.c: the platform operator's gate on fulfillment orders */
void		 console_fulfillment(struct req *);
void		 console_fulfillment_action(struct req *);

/* subscriptions.c: webhook subscriptions and their delivery log */
void		 console_webhooks(struct req *);
void		 console_webhook_create(struct req *);
void		 console_webhook_action(struct req *);
void		 console_webhook_log(struct req *);
void		 console_redeliver(struct req *);

/* apikeys.c: API keys */
void		 console_keys(struct req *);
void		 console_key_create(struct req *);
void		 console_key_revoke(struct req *);

/* users.c: the organization's users (admins): a new user with a
 * one-time link to set a password, roles, deactivation, a link to reset
 * a password; the link's own pages (no session); every organization
 * (platform admins) */
void		 console_users(struct req *);
void		 console_user_create(struct req *);
void		 console_user_role(struct req *);
void		 console_user_active(struct req *);
void		 console_user_reset(struct req *);
void		 console_set_password_page(struct req *);
void		 console_set_password(struct req *);
void		 console_organizations(struct req *);

/* activity.c: the activity timeline and the snapshot strip */
void		 console_activity(struct req *);

/* ingestapps.c: ingest apps, their keys and allowed event types */
void		 console_ingest_apps(struct req *);
void		 console_ingest_app_create(struct req *);
void		 console_ingest_app_key(struct req *);
void		 console_ingest_app_types(struct req *);

/* storefront.c: where the storefront chat may be embedded */
void		 console_storefront(struct req *);
void		 console_storefront_set(struct req *);

/* checklists.c: today's checklists to tick, what is overdue, the last
 * days at a glance; templates and the time zone for admins */
void		 console_checklists(struct req *);
void		 console_checklist_complete(struct req *);
void		 console_checklist_template_create(struct req *);
void		 console_checklist_template_action(struct req *);
void		 console_checklist_timezone(struct req *);

/* integrations.c: the organization's integrations (issue 13), their
 * tests, logs and deletes */
void		 console_integrations(struct req *);
void		 console_integration_create(struct req *);
void		 console_integration(struct req *);
void		 console_integration_action(struct req *);
/* impex.c: the catalog exported as a file, and a file imported with
 * its result (issue 13); admins */
void		 console_impex(struct req *);
void		 console_impex_export(struct req *);
void		 console_impex_import(struct req *);

#endif /* MIHWAR_CONSOLE_H */
