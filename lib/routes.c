/*
 * routes.c - the one compile-time route table: method, pattern, handler,
 * family and the credential the route demands.
 */
#include "mihwar.h"

const struct route routes[] = {
	{ "GET", "/api/healthz", health_get, FAM_NONE, AUTH_NONE },
	{ "GET", "/api/integrations/v1/whoami", whoami_get, FAM_INTEG,
	    AUTH_INTEG },
	{ "POST", "/api/integrations/v1/inventory/items", items_create,
	    FAM_INTEG, AUTH_INTEG },
	{ "GET", "/api/integrations/v1/inventory/items/{id}", items_get,
	    FAM_INTEG, AUTH_INTEG },
};

const size_t routes_len = sizeof(routes) / sizeof(routes[0]);
