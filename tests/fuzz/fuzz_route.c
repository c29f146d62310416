/*
 * fuzz_route.c - route_match (captures and all), family_of_path,
 * route_lookup and route_allow over the real route table, with the input
 * as a route path (decoded but for %2F and %25, see req_set_path).
 */
#include <stdlib.h>
#include <string.h>

#include "mihwar.h"
#include "fuzz.h"

static const char *const patterns[] = {
	"/api/integrations/v1/inventory/items/{id}",
	"/api/scim/v2/Users/{id}",
	"/api/scim/v2/Groups/{id}/members",
	"/a/{x}/b/{y}",
	"/{a}/{b}/{c}/{d}",
	"/{a}/{b}/{c}/{d}/{e}",		/* one capture too many */
	"/api/v1/ingest/{app}/orders/{id}/lines/{line}",
	"/x/{id}.json",
	"/api/healthz",
	"/",
	"{whole}",
	"/broken/{id",
};

static size_t
ncaptures(const char *pat)
{
	size_t	 n = 0;

	for (; *pat != '\0'; pat++)
		if (*pat == '{' && strchr(pat, '}') != NULL)
			n++;
	return n;
}

static void
match(const char *pat, const char *path)
{
	char	*args[ROUTE_MAXARGS + 1];
	size_t	 nargs = 99, i;
	int	 m;

	memset(args, 0, sizeof(args));
	m = route_match(pat, path, args, &nargs);
	/* Testing alone (args NULL) agrees with capturing. */
	if (m != route_match(pat, path, NULL, NULL))
		abort();
	if (!m) {
		if (nargs != 0)
			abort();
		return;
	}
	if (nargs != ncaptures(pat) || nargs > ROUTE_MAXARGS)
		abort();
	for (i = 0; i < nargs; i++) {
		/* A capture is one non-empty segment of the path, decoded:
		 * without escapes in the path, the segment itself. */
		if (args[i] == NULL || args[i][0] == '\0' ||
		    (strchr(path, '%') == NULL && (strchr(args[i], '/') !=
		    NULL || strstr(path, args[i]) == NULL)))
			abort();
		free(args[i]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "POST", "DELETE" };
	const struct route	*rt;
	struct buf		 allow;
	char			*path, *args[ROUTE_MAXARGS];
	size_t			 i, nargs;
	enum route_res		 res;
	const struct family	*f;

	if ((path = malloc(size + 1)) == NULL)
		return 0;
	memcpy(path, data, size);
	path[size] = '\0';

	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		match(patterns[i], path);

	f = family_of_path(path);
	if (f == NULL || f != family_get(f->id))
		abort();

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		rt = NULL;
		nargs = 99;
		res = route_lookup(routes, routes_len, methods[i], path, &rt,
		    args, &nargs);
		if (res == ROUTE_FOUND) {
			if (rt == NULL || strcmp(rt->method, methods[i]) != 0 ||
			    !route_match(rt->pattern, path, NULL, NULL))
				abort();
		} else if (nargs != 0)
			abort();
		while (nargs > 0)
			free(args[--nargs]);
		buf_init(&allow);
		route_allow(routes, routes_len, path, &allow);
		if ((res == ROUTE_BADMETHOD) != (allow.len > 0 &&
		    res != ROUTE_FOUND))
			abort();
		buf_cleanup(&allow);
	}
	free(path);
	return 0;
}
