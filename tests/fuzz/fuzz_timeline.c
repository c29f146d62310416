/*
 * fuzz_timeline.c - what the activity console reads from a browser: the
 * timeline's cursor (timeline_cursor_parse), the allowed event types an
 * admin types (apps_types_parse) and an event type or category given as
 * a filter. The input up to its first NUL is tried as each; the rest, if
 * any, as a cursor too.
 */
#include <stdlib.h>
#include <string.h>

#include "mihwar.h"
#include "fuzz.h"

static void
cursor(const char *c)
{
	struct timeline_filter	 f;

	memset(&f, 0, sizeof(f));
	if (!timeline_cursor_parse(c, &f))
		return;
	/* A position: a DATETIME(3) text and a row id. */
	if (f.before_id < 1 || strlen(f.before_at) != 23 ||
	    f.before_at[4] != '-' || f.before_at[10] != ' ')
		abort();
}

static void
types(const char *s)
{
	struct buf	 out;
	char		 err[200], *copy, *t, *save = NULL;

	buf_init(&out);
	err[0] = '\0';
	if (!apps_types_parse(s, &out, err, sizeof(err))) {
		if (err[0] == '\0')
			abort();	/* a refusal says why */
		buf_cleanup(&out);
		return;
	}
	/* "a,b,c": each a valid type, none twice, what SQL stores. */
	if (out.data == NULL || (copy = strdup(out.data)) == NULL)
		abort();
	for (t = strtok_r(copy, ",", &save); t != NULL;
	    t = strtok_r(NULL, ",", &save))
		if (!batch_type_valid(t))
			abort();
	if (strstr(out.data, ",,") != NULL || out.data[0] == ',')
		abort();
	free(copy);
	buf_cleanup(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*nul = memchr(data, '\0', size);
	size_t		 n = nul ? (size_t)(nul - data) : size;
	char		*s, *rest;

	if ((s = malloc(n + 1)) == NULL)
		return 0;
	memcpy(s, data, n);
	s[n] = '\0';
	cursor(s);
	types(s);
	(void)batch_type_valid(s);
	(void)batch_category_valid(s);
	free(s);
	if (nul != NULL && n + 1 < size &&
	    (rest = strndup((const char *)nul + 1, size - n - 1)) != NULL) {
		cursor(rest);
		free(rest);
	}
	return 0;
}
