/*
 * routes.c - the one compile-time route table: method, pattern, handler
 * and flags. The family (credential, error body, limits) comes from the
 * path's prefix through the family table (web/family.c); a route says
 * only what differs from its family: public, admin-only, a write (run in
 * the pipeline's transaction), idempotent, rate-limited.
 */
#include "mihwar.h"

#define IDEM		ROUTE_IDEMPOTENT
#define WRITE		ROUTE_WRITE
#define ADMIN		ROUTE_ADMIN
#define ADMIN_WRITE	(ROUTE_ADMIN | ROUTE_WRITE)

const struct route routes[] = {
	/* platform */
	{ "GET", "/api/healthz", platform_health, ROUTE_PUBLIC },

	/* Integrations API */
	{ "GET", "/api/integrations/v1/whoami", platform_whoami, 0 },
	{ "POST", "/api/integrations/v1/ingestion/order-lines", ingestion_post,
	    IDEM | ROUTE_RATELIMIT },
	{ "GET", "/api/integrations/v1/inventory/items", items_list, 0 },
	{ "POST", "/api/integrations/v1/inventory/items", items_create, IDEM },
	{ "PUT", "/api/integrations/v1/inventory/items/by-sku/{sku}",
	    items_put_by_sku, IDEM },
	{ "POST", "/api/integrations/v1/inventory/items/{id}/adjustments",
	    items_adjust, IDEM },
	{ "GET", "/api/integrations/v1/inventory/items/{id}", items_get, 0 },
	{ "GET", "/api/integrations/v1/orders", orders_list, 0 },
	{ "POST", "/api/integrations/v1/orders", orders_create, IDEM },
	{ "POST", "/api/integrations/v1/orders/from-suggestions",
	    orders_from_suggestions, IDEM },
	{ "GET", "/api/integrations/v1/orders/{id}", orders_get, 0 },
	{ "POST", "/api/integrations/v1/orders/{id}/status", orders_set_status,
	    IDEM },
	{ "GET", "/api/integrations/v1/predictions", predictions_list, 0 },
	{ "GET", "/api/integrations/v1/checklists/templates", cltemplates_list,
	    0 },
	{ "POST", "/api/integrations/v1/checklists/templates",
	    cltemplates_create, IDEM },
	{ "GET", "/api/integrations/v1/checklists/templates/{id}",
	    cltemplates_get, 0 },
	{ "PATCH", "/api/integrations/v1/checklists/templates/{id}",
	    cltemplates_patch, WRITE },
	{ "DELETE", "/api/integrations/v1/checklists/templates/{id}",
	    cltemplates_delete, WRITE },
	{ "GET", "/api/integrations/v1/checklists/instances", clinstances_list,
	    0 },
	{ "POST", "/api/integrations/v1/checklists/instances/{id}/complete",
	    clinstances_complete, IDEM },

	/* webhook settings */
	{ "POST", "/api/settings/webhooks", webhooks_api_create, ADMIN_WRITE },

	/* webhooks an integration receives (issue 13): senders hold no
	 * key, the integration's signing secret signs the request */
	{ "POST", "/api/v1/webhooks/receive/{id}", receive_webhook,
	    ROUTE_PUBLIC | WRITE | ROUTE_MIB_BODY },

	/* the console; sign-in writes its throttle counters and the session
	 * in autocommit, since a refused sign-in must still be counted */
	{ "GET", "/admin", console_home, 0 },
	{ "GET", "/admin/login", session_login_page, ROUTE_PUBLIC },
	{ "POST", "/admin/login", session_login_post, ROUTE_PUBLIC },
	{ "POST", "/admin/logout", session_logout, WRITE },
	{ "GET", "/admin/approvals", console_approvals, 0 },
	{ "POST", "/admin/approvals/{id}", console_approve, ADMIN_WRITE },
	/* inventory (issue 19): every signed-in user sees it; admins
	 * order */
	{ "GET", "/admin/inventory", console_inventory, 0 },
	{ "POST", "/admin/inventory/reorder", console_inventory_reorder,
	    ADMIN_WRITE },
	{ "POST", "/admin/inventory/drafts/{id}/submit",
	    console_inventory_submit, ADMIN_WRITE },
	{ "GET", "/admin/inventory/{id}", console_inventory_item, 0 },
	/* checklists (issue 17): every signed-in user ticks them; admins
	 * keep the templates and the time zone */
	{ "GET", "/admin/checklists", console_checklists, 0 },
	{ "POST", "/admin/checklists/instances/{id}",
	    console_checklist_complete, WRITE },
	{ "POST", "/admin/checklists/templates",
	    console_checklist_template_create, ADMIN_WRITE },
	{ "POST", "/admin/checklists/templates/{id}/{action}",
	    console_checklist_template_action, ADMIN_WRITE },
	{ "POST", "/admin/checklists/timezone", console_checklist_timezone,
	    ADMIN_WRITE },
	{ "GET", "/admin/cases/{id}", console_case, 0 },
	{ "POST", "/admin/cases/{id}/{action}", console_case_action,
	    ADMIN_WRITE },
	/* the human gate of fulfillment orders: platform admins only (the
	 * handlers answer 403 to anyone else) */
	{ "GET", "/admin/fulfillment", console_fulfillment, 0 },
	{ "POST", "/admin/fulfillment/{id}/{action}",
	    console_fulfillment_action, ADMIN_WRITE },
	{ "GET", "/admin/webhooks", console_webhooks, ADMIN },
	{ "POST", "/admin/webhooks", console_webhook_create, ADMIN_WRITE },
	{ "GET", "/admin/webhooks/{id}", console_webhook_log, ADMIN },
	{ "POST", "/admin/webhooks/{id}/{action}", console_webhook_action,
	    ADMIN_WRITE },
	{ "POST", "/admin/deliveries/{id}/redeliver", console_redeliver,
	    ADMIN_WRITE },
	{ "GET", "/admin/keys", console_keys, ADMIN },
	{ "POST", "/admin/keys", console_key_create, ADMIN_WRITE },
	{ "POST", "/admin/keys/{id}/revoke", console_key_revoke, ADMIN_WRITE },
	/* users (issue 9): admins manage the organization's users; the
	 * one-time link's pages are the way in of someone without a
	 * password, so they need no session (the form carries a
	 * double-submit token); every organization for platform admins
	 * (the handler answers 403 to anyone else) */
	{ "GET", "/admin/users", console_users, ADMIN },
	{ "POST", "/admin/users", console_user_create, ADMIN_WRITE },
	{ "POST", "/admin/users/{id}/role", console_user_role, ADMIN_WRITE },
	{ "POST", "/admin/users/{id}/active", console_user_active,
	    ADMIN_WRITE },
	{ "POST", "/admin/users/{id}/reset", console_user_reset, ADMIN_WRITE },
	{ "GET", "/admin/set-password", console_set_password_page,
	    ROUTE_PUBLIC },
	{ "POST", "/admin/set-password", console_set_password,
	    ROUTE_PUBLIC | WRITE },
	{ "GET", "/admin/organizations", console_organizations, 0 },
	{ "GET", "/admin/storefront", console_storefront, ADMIN },
	{ "POST", "/admin/storefront", console_storefront_set, ADMIN_WRITE },
	/* integrations (issue 13): admins */
	{ "GET", "/admin/integrations", console_integrations, ADMIN },
	{ "POST", "/admin/integrations", console_integration_create,
	    ADMIN_WRITE },
	{ "GET", "/admin/integrations/{id}", console_integration, ADMIN },
	{ "POST", "/admin/integrations/{id}/{action}",
	    console_integration_action, ADMIN_WRITE },
	/* import/export (issue 13): admins download the catalog and upload
	 * a file (multipart, up to import_max_bytes) */
	{ "GET", "/admin/import-export", console_impex, ADMIN },
	{ "GET", "/admin/import-export/export", console_impex_export, ADMIN },
	{ "POST", "/admin/import-export/import", console_impex_import,
	    ADMIN_WRITE | ROUTE_UPLOAD },

	/* activity ingest (activity-ingest.openapi.yaml); the family counts
	 * every request against its limits, these say so too */
	{ "GET", "/api/v1/ingest/ping", ingest_api_ping, ROUTE_RATELIMIT },
	{ "POST", "/api/v1/ingest/events", ingest_api_events,
	    IDEM | ROUTE_RATELIMIT },
	{ "POST", "/api/v1/ingest/snapshots", ingest_api_snapshot,
	    IDEM | ROUTE_RATELIMIT },

	/* the console's activity pages (issue 10) */
	{ "GET", "/admin/activity", console_activity, 0 },
	{ "GET", "/admin/ingest-apps", console_ingest_apps, ADMIN },
	{ "POST", "/admin/ingest-apps", console_ingest_app_create, ADMIN_WRITE },
	{ "POST", "/admin/ingest-apps/{id}/keys", console_ingest_app_key,
	    ADMIN_WRITE },
	{ "POST", "/admin/ingest-apps/{id}/types", console_ingest_app_types,
	    ADMIN_WRITE },

	/* invoice cases (invoice-case-integrations.md); the family counts
	 * every request against the organization's limit */
	{ "GET", "/api/cases", cases_list, 0 },
	{ "POST", "/api/cases", cases_create, IDEM },
	{ "GET", "/api/cases/settings", cases_settings_get, 0 },
	{ "PUT", "/api/cases/settings", cases_settings_put, WRITE },
	{ "GET", "/api/cases/sku-aliases", aliases_list, 0 },
	{ "POST", "/api/cases/sku-aliases", aliases_create, IDEM },
	{ "DELETE", "/api/cases/sku-aliases/{id}", aliases_delete, WRITE },
	{ "GET", "/api/cases/{id}", cases_get, 0 },
	{ "POST", "/api/cases/{id}/approve", cases_approve, IDEM },
	{ "POST", "/api/cases/{id}/reject", cases_reject, IDEM },
	{ "POST", "/api/cases/{id}/artifacts", artifacts_upload, IDEM },
	{ "POST", "/api/cases/{id}/export", export_create, IDEM },
	{ "POST", "/api/integrations/inventory", integrate_post, IDEM },
	{ "POST", "/api/integrations/ap", integrate_post, IDEM },
	{ "POST", "/api/integrations/accounting", integrate_post, IDEM },
	{ "POST", "/api/integrations/rollback", integrate_rollback, IDEM },
	{ "GET", "/api/vendors", vendors_list, 0 },
	{ "GET", "/api/vendors/{id}", vendors_get, 0 },
	{ "GET", "/api/accounting/entries", ledger_entries_list, 0 },
	{ "GET", "/api/accounting/trial-balance", ledger_trial_balance, 0 },
	/* an export's capability URL: the unguessable name is the credential */
	{ "GET", "/api/exports/{name}", export_download, ROUTE_PUBLIC },

	/* fulfillment (fulfillment.openapi.json): X-Api-Key, client (fc_live_)
	 * or platform admin (fa_live_); onboarding, chat and the two
	 * providers' webhooks take none (the Stripe signature and the token
	 * in Printful's URL are theirs) */
	{ "GET", "/api/onboarding/check-slug/{slug}", onboarding_check_slug,
	    ROUTE_PUBLIC },
	{ "POST", "/api/onboarding/request", onboarding_request,
	    ROUTE_PUBLIC | WRITE },
	{ "POST", "/api/products/create", fproducts_create, IDEM },
	{ "GET", "/api/orders/pending", forders_pending, 0 },
	{ "GET", "/api/orders", forders_list, 0 },
	{ "GET", "/api/orders/{id}", forders_get, 0 },
	{ "POST", "/api/orders/{id}/client-approve", forders_client_approve,
	    IDEM },
	{ "POST", "/api/orders/{id}/client-reject", forders_client_reject, IDEM },
	{ "POST", "/api/orders/{id}/admin-approve", forders_admin_approve, IDEM },
	{ "POST", "/api/orders/{id}/admin-reject", forders_admin_reject, IDEM },
	{ "POST", "/api/chat/{slug}", chat_post, ROUTE_PUBLIC },
	{ "GET", "/api/me/usage", usage_me, 0 },
	{ "POST", "/api/stripe/webhook", forders_stripe_webhook,
	    ROUTE_PUBLIC | WRITE },
	{ "POST", "/api/printful/webhook/{token}", forders_printful_webhook,
	    ROUTE_PUBLIC | WRITE },

	/* issue 13: locations and blueprints (integrations-and-import-
	 * export.md) */
	{ "GET", "/api/v1/locations", locations_list, 0 },
	{ "POST", "/api/v1/locations", locations_create, IDEM },
	{ "GET", "/api/v1/blueprints", blueprints_list, 0 },
	{ "POST", "/api/v1/blueprints", blueprints_create, IDEM },
	{ "GET", "/api/v1/blueprints/{id}", blueprints_get, 0 },
	{ "PATCH", "/api/v1/blueprints/{id}", blueprints_patch, WRITE },
	{ "DELETE", "/api/v1/blueprints/{id}", blueprints_delete, WRITE },
	{ "POST", "/api/v1/blueprints/{id}/craft", blueprints_craft, IDEM },
	/* integrations (integrations-and-import-export.md, issue 13): any
	 * key of the organization manages them */
	{ "GET", "/api/v1/integrations", integ_api_list, 0 },
	/* Not IDEM: the replay record would keep the signing secret of the
	 * 201 in the clear for a day. */
	{ "POST", "/api/v1/integrations", integ_api_create, WRITE },
	{ "GET", "/api/v1/integrations/{id}", integ_api_get, 0 },
	{ "PATCH", "/api/v1/integrations/{id}", integ_api_update, WRITE },
	{ "PUT", "/api/v1/integrations/{id}", integ_api_update, WRITE },
	{ "DELETE", "/api/v1/integrations/{id}", integ_api_delete, WRITE },
	{ "POST", "/api/v1/integrations/{id}/test", integ_api_test, WRITE },
	{ "GET", "/api/v1/integrations/{id}/logs", integ_api_logs, 0 },
	/* import/export: files of items, stock and blueprints (an upload
	 * takes import_max_bytes) */
	{ "GET", "/api/v1/import-export/{file}", impex_export_get, 0 },
	{ "POST", "/api/v1/import-export/{kind}/import", impex_import_post,
	    IDEM | ROUTE_UPLOAD },

	/* SCIM 2.0 */
	{ "GET", "/api/scim/v2/Users", scim_users_list, 0 },
	{ "POST", "/api/scim/v2/Users", scim_users_create, WRITE },
	{ "POST", "/api/scim/v2/Users/.search", scim_users_list, 0 },
	{ "GET", "/api/scim/v2/Users/{id}", scim_user_get, 0 },
	{ "PUT", "/api/scim/v2/Users/{id}", scim_user_put, WRITE },
	{ "PATCH", "/api/scim/v2/Users/{id}", scim_user_patch, WRITE },
	{ "DELETE", "/api/scim/v2/Users/{id}", scim_user_delete, WRITE },
	{ "GET", "/api/scim/v2/Groups", scim_groups_list, 0 },
	{ "POST", "/api/scim/v2/Groups", scim_groups_create, WRITE },
	{ "POST", "/api/scim/v2/Groups/.search", scim_groups_list, 0 },
	{ "GET", "/api/scim/v2/Groups/{id}", scim_group_get, 0 },
	{ "PUT", "/api/scim/v2/Groups/{id}", scim_group_put, WRITE },
	{ "PATCH", "/api/scim/v2/Groups/{id}", scim_group_patch, WRITE },
	{ "DELETE", "/api/scim/v2/Groups/{id}", scim_group_delete, WRITE },
	{ "GET", "/api/scim/v2/ServiceProviderConfig", scim_spc_get, 0 },
	{ "GET", "/api/scim/v2/ResourceTypes", scim_types_list, 0 },
	{ "GET", "/api/scim/v2/ResourceTypes/{id}", scim_type_get, 0 },
	{ "GET", "/api/scim/v2/Schemas", scim_schemas_list, 0 },
	{ "GET", "/api/scim/v2/Schemas/{id}", scim_schema_get, 0 },
};

const size_t routes_len = sizeof(routes) / sizeof(routes[0]);
