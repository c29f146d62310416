/*
 * route.c - match a method and path against the compile-time route table
 * (routes.c). Patterns are literal segments and "{name}" captures of one
 * non-empty segment. Lookup tells "no such path" (404) from "no such
 * method on this path" (405).
 *
 * The path matched is the request's route_path (req_set_path): decoded
 * but for "%2F" and "%25", so an escaped '/' stays inside its segment;
 * each captured segment is decoded once it is matched.
 */
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

static void
route_free_args(char **args, size_t *nargs)
{
	size_t	 i;

	for (i = 0; i < *nargs; i++) {
		free(args[i]);
		args[i] = NULL;
	}
	*nargs = 0;
}

/* The segment s[0..n) decoded into *out (NULL: only checked); 0 when
 * it cannot be decoded (or out of memory). */
static int
route_capture(const char *s, size_t n, char **out)
{
	char	*d;

	if (!req_url_decode(s, n, &d))
		return 0;
	if (out != NULL)
		*out = d;
	else
		free(d);
	return 1;
}

/*
 * 1 when path (a route path) matches pattern; captured segments are
 * decoded into args (caller frees). args may be NULL to only test.
 */
int
route_match(const char *pat, const char *path, char **args, size_t *nargs)
{
	const char	*pe, *se;
	size_t		 n = 0;

	if (nargs != NULL)
		*nargs = 0;
	while (*pat != '\0' && *path != '\0') {
		if (*pat == '{') {
			if ((pe = strchr(pat, '}')) == NULL)
				goto fail;
			se = path + strcspn(path, "/");
			if (se == path || n >= ROUTE_MAXARGS ||
			    !route_capture(path, (size_t)(se - path),
			    args != NULL ? &args[n] : NULL))
				goto fail;
			if (args != NULL)
				*nargs = n + 1;
			n++;
			pat = pe + 1;
			path = se;
		} else if (*pat++ != *path++)
			goto fail;
	}
	if (*pat == '\0' && *path == '\0')
		return 1;
fail:
	if (args != NULL)
		route_free_args(args, nargs);
	return 0;
}

/*
 * Find the route for method and path. On ROUTE_FOUND, *out and the
 * captured args are set; on ROUTE_BADMETHOD the path exists under
 * another method.
 */
enum route_res
route_lookup(const struct route *tab, size_t n, const char *method,
    const char *path, const struct route **out, char **args, size_t *nargs)
{
	size_t		 i;
	enum route_res	 res = ROUTE_NOTFOUND;

	*nargs = 0;
	for (i = 0; i < n; i++) {
		if (!route_match(tab[i].pattern, path, NULL, NULL))
			continue;
		if (strcmp(tab[i].method, method) != 0) {
			res = ROUTE_BADMETHOD;
			continue;
		}
		if (!route_match(tab[i].pattern, path, args, nargs))
			return ROUTE_NOTFOUND;
		*out = &tab[i];
		return ROUTE_FOUND;
	}
	return res;
}

/* Methods the table serves on path, comma-separated, into allow. */
void
route_allow(const struct route *tab, size_t n, const char *path,
    struct buf *allow)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (route_match(tab[i].pattern, path, NULL, NULL)) {
			if (allow->len > 0)
				buf_puts(allow, ", ");
			buf_puts(allow, tab[i].method);
		}
}
