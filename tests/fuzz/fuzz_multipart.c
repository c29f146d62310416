/*
 * fuzz_multipart.c - multipart_parse on outside bodies: the input's first
 * line is the Content-Type, the rest the body. An accepted body has at
 * most MULTIPART_MAX_PARTS parts, each with a non-empty NUL-terminated
 * name, its data inside the body and followed there by a CRLF delimiter;
 * a refusal says why, starting with the field it is about.
 */
#include <stdlib.h>
#include <string.h>

#include "mihwar.h"
#include "fuzz.h"

static void
check_parts(const struct multipart *mp, const char *body, size_t len)
{
	const struct mpart	*p;
	size_t			 i;

	if (mp->nparts > MULTIPART_MAX_PARTS)
		abort();
	for (i = 0; i < mp->nparts; i++) {
		p = &mp->parts[i];
		if (p->name[0] == '\0' || memchr(p->name, '\0',
		    sizeof(p->name)) == NULL || memchr(p->filename, '\0',
		    sizeof(p->filename)) == NULL)
			abort();
		if (p->data < body || p->data > body + len ||
		    p->len > (size_t)(body + len - p->data))
			abort();
		/* Every part's data ends where a delimiter "\r\n--" starts. */
		if ((size_t)(body + len - (p->data + p->len)) < 4 ||
		    memcmp(p->data + p->len, "\r\n--", 4) != 0)
			abort();
		if (multipart_get(mp, p->name) == NULL)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct multipart	 mp;
	const char		*nl, *why = NULL;
	char			*ct, *body;
	size_t			 ctlen, blen;

	nl = memchr(data, '\n', size);
	ctlen = nl ? (size_t)(nl - (const char *)data) : size;
	blen = nl ? size - ctlen - 1 : 0;
	if ((ct = malloc(ctlen + 1)) == NULL || (body = malloc(blen + 1)) ==
	    NULL)
		abort();
	memcpy(ct, data, ctlen);
	ct[ctlen] = '\0';
	if (blen > 0)
		memcpy(body, nl + 1, blen);
	if (multipart_parse(ct, body, blen, &mp, &why))
		check_parts(&mp, body, blen);
	else if (why == NULL || (strncmp(why, "body: ", 6) != 0 &&
	    strncmp(why, "Content-Type: ", 14) != 0))
		abort();
	free(ct);
	free(body);
	return 0;
}
