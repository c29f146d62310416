/*
 * routes.c - the one compile-time route table: method, pattern, handler,
 * family and the credential the route demands.
 */
#include "mihwar.h"

const struct route routes[] = {
	{ "GET", "/api/healthz", health_get, FAM_NONE, AUTH_NONE, 0 },
	{ "GET", "/api/integrations/v1/whoami", whoami_get, FAM_INTEG,
	    AUTH_INTEG, 0 },
	{ "POST", "/api/integrations/v1/ingestion/order-lines", ingestion_post,
	    FAM_INTEG, AUTH_INTEG, ROUTE_IDEMPOTENT | ROUTE_RATELIMIT },
	{ "GET", "/api/integrations/v1/inventory/items", items_list,
	    FAM_INTEG, AUTH_INTEG, 0 },
	{ "POST", "/api/integrations/v1/inventory/items", items_create,
	    FAM_INTEG, AUTH_INTEG, ROUTE_IDEMPOTENT },
	{ "PUT", "/api/integrations/v1/inventory/items/by-sku/{sku}",
	    items_put_by_sku, FAM_INTEG, AUTH_INTEG, ROUTE_IDEMPOTENT },
	{ "POST", "/api/integrations/v1/inventory/items/{id}/adjustments",
	    items_adjust, FAM_INTEG, AUTH_INTEG, ROUTE_IDEMPOTENT },
	{ "GET", "/api/integrations/v1/inventory/items/{id}", items_get,
	    FAM_INTEG, AUTH_INTEG, 0 },
	{ "GET", "/api/integrations/v1/orders", orders_list, FAM_INTEG,
	    AUTH_INTEG, 0 },
	{ "POST", "/api/integrations/v1/orders", orders_create, FAM_INTEG,
	    AUTH_INTEG, ROUTE_IDEMPOTENT },
	{ "GET", "/api/integrations/v1/orders/{id}", orders_get, FAM_INTEG,
	    AUTH_INTEG, 0 },
	{ "POST", "/api/integrations/v1/orders/{id}/status", orders_set_status,
	    FAM_INTEG, AUTH_INTEG, ROUTE_IDEMPOTENT },
	{ "GET", "/api/integrations/v1/predictions", predictions_list,
	    FAM_INTEG, AUTH_INTEG, 0 },
};

const size_t routes_len = sizeof(routes) / sizeof(routes[0]);
