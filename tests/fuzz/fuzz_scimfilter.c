/*
 * fuzz_scimfilter.c - scimf_parse, scimf_match and scimf_path_parse, the
 * parsers of the SCIM filter query parameter and of PATCH paths. The
 * input up to its first NUL is the text. A refusal always says why; an
 * accepted filter matches a fixed user with 0 or 1, and "not (F)" parses
 * too (unless that is one level too deep) and matches the opposite; an
 * accepted path is lowercased and bounded, and its value filter matches
 * the user's emails without trouble. The indexed term a filter rests on
 * (scimf_anchor) never excludes a user the filter matches.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "fuzz.h"

#define MAX_LEN		4096

static const char	 user[] =
    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
    "\"id\":\"2819c223\",\"externalId\":\"00u1ab2CD3ef\","
    "\"userName\":\"a@b.com\",\"name\":{\"givenName\":\"Ann\","
    "\"familyName\":\"Smith\"},\"title\":\"\",\"nickName\":null,"
    "\"emails\":[{\"value\":\"a@b.com\",\"type\":\"work\",\"primary\":true},"
    "{\"value\":\"ann@example.com\",\"type\":\"home\"},[1,[2]],\"x\",null],"
    "\"active\":true,\"loginCount\":42,\"score\":4.5,\"tags\":[\"a\",\"B\"],"
    "\"meta\":{\"lastModified\":\"2026-03-30T12:00:00.000Z\","
    "\"version\":\"W/\\\"1\\\"\"},"
    "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":"
    "{\"employeeNumber\":\"701984\",\"manager\":{\"value\":\"m1\"}}}";

/* 1 when s is non-empty, shorter than 64 and has no capital letter. */
static int
name_ok(const char *s, int empty_ok)
{
	size_t	 n = strnlen(s, 64), k;

	if (n == 64 || (n == 0 && !empty_ok))
		return 0;
	for (k = 0; k < n; k++)
		if (s[k] >= 'A' && s[k] <= 'Z')
			return 0;
	return 1;
}

/* The indexed term the database narrows by never drops a match: when
 * the fixed user matches f, it satisfies f's anchor (as the _ci column
 * would compare it). */
static void
anchor_sound(const struct scimf *f, int matched)
{
	const char	*v;
	int		 whole;

	switch (scimf_anchor(f, &v, &whole)) {
	case SCIMF_ALL:
		if (v != NULL)
			abort();
		return;
	case SCIMF_USERNAME:
		if (matched && strcasecmp(v, "a@b.com") != 0)
			abort();
		return;
	case SCIMF_EXTERNALID:
		if (matched && strcmp(v, "00u1ab2CD3ef") != 0)
			abort();
		return;
	case SCIMF_ID:
		if (matched && strcmp(v, "2819c223") != 0)
			abort();
		return;
	case SCIMF_EMAIL:
		if (matched && strcasecmp(v, "a@b.com") != 0 &&
		    strcasecmp(v, "ann@example.com") != 0)
			abort();
		return;
	case SCIMF_ACTIVE:
		if (matched && strcmp(v, "1") != 0)
			abort();
		return;
	default:
		abort();
	}
}

static void
filter(const char *text, size_t len, struct json_object *res)
{
	struct scimf	*f, *nf;
	char		 err[160], *wrapped;
	int		 m;

	memset(err, 0, sizeof(err));
	if ((f = scimf_parse(text, err, sizeof(err))) == NULL) {
		if (err[0] == '\0')
			abort();
		return;
	}
	if (len > MAX_LEN)
		abort();
	if ((m = scimf_match(f, res)) != 0 && m != 1)
		abort();
	anchor_sound(f, m);
	if (len + 6 <= MAX_LEN && (wrapped = malloc(len + 7)) != NULL) {
		memcpy(wrapped, "not (", 5);
		memcpy(wrapped + 5, text, len);
		memcpy(wrapped + 5 + len, ")", 2);
		nf = scimf_parse(wrapped, err, sizeof(err));
		if (nf == NULL && strstr(err, "nesting deeper") == NULL)
			abort();
		if (nf != NULL && scimf_match(nf, res) != !m)
			abort();
		scimf_free(nf);
		free(wrapped);
	}
	scimf_free(f);
}

static void
path(const char *text, struct json_object *res)
{
	struct scim_path	 p;
	struct json_object	*emails;
	char			 err[160];
	size_t			 k;

	memset(err, 0, sizeof(err));
	if (!scimf_path_parse(text, &p, err, sizeof(err))) {
		if (err[0] == '\0' || p.filter != NULL || p.attr[0] != '\0' ||
		    p.sub[0] != '\0')
			abort();
		return;
	}
	if (!name_ok(p.attr, 0) || !name_ok(p.sub, 1))
		abort();
	if (p.filter != NULL &&
	    json_object_object_get_ex(res, "emails", &emails))
		for (k = 0; k < json_object_array_length(emails); k++)
			if (scimf_match(p.filter,
			    json_object_array_get_idx(emails, k)) > 1)
				abort();
	scimf_path_cleanup(&p);
	if (p.filter != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t		*nul = memchr(data, '\0', size);
	size_t			 len = nul ? (size_t)(nul - data) : size;
	struct json_object	*res;
	char			*text;

	if ((text = malloc(len + 1)) == NULL)
		return 0;
	memcpy(text, data, len);
	text[len] = '\0';
	if ((res = json_tokener_parse(user)) == NULL)
		abort();
	filter(text, len, res);
	path(text, res);
	json_object_put(res);
	free(text);
	return 0;
}
