/*
 * registry.c - every domain's statement table, joined, handed to the
 * statement registry (core/dbreg.c) once at start by each main, before
 * its database handle is made (the cache is sized from it).
 */
#include "mihwar.h"

static const struct db_stmts *const registry[] = {
	&migrate_stmts, &events_stmts,
	&idem_stmts, &ratelimit_stmts,
	&keys_stmts, &orgs_stmts, &users_stmts, &session_stmts,
	&users_views_stmts, &links_stmts,
	&items_stmts, &orders_stmts, &ingestion_stmts, &predict_stmts,
	&stockview_stmts, &locations_stmts,
	&webhooks_stmts, &deliver_stmts,
	&scimu_stmts, &scimg_stmts,
	/* ingest: the console's side */
	&apps_stmts, &timeline_stmts, &partitions_stmts,
	/* activity ingest: the API */
	&usage_stmts, &actors_stmts, &store_stmts, &snapshots_stmts,
	&settings_stmts,
	/* invoice cases */
	&cases_stmts, &stock_stmts, &payables_stmts, &ledger_stmts,
	&integrate_stmts, &export_stmts, &views_stmts,
	/* storefront fulfillment, and the console's views of its orders */
	&onboarding_stmts, &chat_stmts, &usage_fulfill_stmts,
	&fproducts_stmts, &forders_stmts,
	&views_fulfill_stmts,
	/* checklists */
	&cltemplates_stmts, &clinstances_stmts, &clscheduler_stmts,
	&views_checklists_stmts,
	/* integrations and import/export (issue 13) */
	&blueprints_stmts,
	&catalog_stmts, &impex_import_stmts, &impex_export_stmts,
	&demo_stmts, &worker_stmts, &housekeeping_stmts,
};

/* 1 when every table is registered and every shape built. */
int
registry_init(void)
{
	return dbreg_init(registry, sizeof(registry) / sizeof(registry[0]));
}
