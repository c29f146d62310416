/*
 * fuzz_query.c - req_query_param, which finds and decodes one parameter
 * of the raw query string, and req_url_decode, which decodes the path.
 * The input up to its first NUL is the query string; the rest, if any,
 * is one more parameter name to look up.
 */
#include <stdlib.h>
#include <string.h>

#include "mihwar.h"
#include "fuzz.h"

static void
lookup(const char *q, const char *name)
{
	static char	 unset[] = "unset";
	char		*v = unset;
	int		 rc;

	rc = req_query_param(q, name, &v);
	if (rc == 1) {
		/* A found value is decoded, valid UTF-8 and no longer. */
		if (v == NULL || strlen(v) > strlen(q) ||
		    !util_utf8_valid(v, strlen(v)))
			abort();
	} else if ((rc != 0 && rc != -1) || v != NULL)
		abort();
	free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"limit", "cursor", "search", "filter", "a", "startIndex",
		"count", "attributes", "q",
	};
	const uint8_t	*nul = memchr(data, '\0', size);
	size_t		 qlen = nul ? (size_t)(nul - data) : size, i;
	char		*q, *extra = NULL, *out = NULL;

	q = malloc(qlen + 1);
	if (q == NULL)
		return 0;
	memcpy(q, data, qlen);
	q[qlen] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		lookup(q, names[i]);
	if (nul != NULL && (size_t)(nul - data) + 1 < size) {
		/* Names come from code: no '&', '=' or NUL in them. */
		extra = strndup((const char *)nul + 1, size - qlen - 1);
		if (extra != NULL && strpbrk(extra, "&=") == NULL)
			lookup(q, extra);
		free(extra);
	}
	free(q);

	/* The whole input, NULs and all, as a path to decode. */
	if (req_url_decode((const char *)data, size, &out)) {
		if (out == NULL || strlen(out) > size ||
		    !util_utf8_valid(out, strlen(out)))
			abort();
		free(out);
	}
	return 0;
}
