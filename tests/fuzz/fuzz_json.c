/*
 * fuzz_json.c - json_parse_body, the parser of every JSON request body
 * (json_check, then json-c), and json_to_str on what it accepts.
 * json_parse_body takes exactly what json_check takes (JSON null and
 * NUL characters in string values aside), and whatever it accepts
 * prints as JSON that it accepts again.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "fuzz.h"

/* 1 when s[0..n) is the JSON null, whitespace around it. */
static int
is_null(const char *s, size_t n)
{
	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL && s[n - 1] != '\0')
		n--;
	while (n > 0 && strchr(" \t\r\n", *s) != NULL && *s != '\0') {
		s++;
		n--;
	}
	return n == 4 && memcmp(s, "null", 4) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*text = (const char *)data, *s, *why = NULL;
	struct json_object	*o, *o2;
	char			 err[160], err2[160];
	size_t			 n, off = (size_t)-1;
	int			 valid;

	valid = json_check(text, size, &off, &why);
	if (!valid && (off > size || why == NULL))
		abort();

	memset(err, 0, sizeof(err));
	o = json_parse_body(text, size, err, sizeof(err));
	if (o == NULL) {
		/* A refusal always says why... */
		if (err[0] == '\0')
			abort();
		/* ...and is for text that is not JSON, is null, or holds
		 * a NUL in a string value (refused naming its path). */
		if (valid && size > 0 && util_utf8_valid(text, size) &&
		    !is_null(text, size) && strstr(err, "the NUL character") ==
		    NULL)
			abort();
		return 0;
	}
	if (!valid)
		abort();		/* json_check refused it */
	if ((s = json_to_str(o)) == NULL)
		abort();
	/* The printed form goes back out to clients: it must parse. */
	n = strlen(s);
	if ((o2 = json_parse_body(s, n, err2, sizeof(err2))) == NULL)
		abort();
	json_object_put(o2);
	json_object_put(o);
	return 0;
}
