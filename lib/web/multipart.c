/*
 * multipart.c - multipart/form-data bodies (RFC 7578 over RFC 2046): the
 * boundary from the Content-Type (quoted or not), then each part's
 * Content-Disposition name and filename and its bytes, framed by CRLF.
 * Binary-safe: a part's data is borrowed from the body, never copied or
 * cut at a NUL. At most MULTIPART_MAX_PARTS parts, each header section
 * at most MULTIPART_MAX_HEADERS bytes.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "web/web.h"

#define MULTIPART_MAX_HEADERS	8192

/* RFC 2046's bchars, without the space, which may not end it anyway. */
static int
multipart_bchar(int c)
{
	return isalnum(c) || strchr("'()+_,-./:=?", c) != NULL;
}

/* Skip spaces and tabs. */
static const char *
multipart_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/*
 * Read one parameter value at *sp (a token, or a quoted-string with
 * backslash escapes) into out (size sz); *sp moves past it. 0 when it is
 * malformed or does not fit.
 */
static int
multipart_param_value(const char **sp, char *out, size_t sz)
{
	const char	*s = *sp;
	size_t		 n = 0;

	if (*s == '"') {
		for (s++; *s != '"'; s++) {
			if (*s == '\0')
				return 0;
			if (*s == '\\' && s[1] != '\0')
				s++;
			if (n + 1 >= sz)
				return 0;
			out[n++] = *s;
		}
		s++;
	} else {
		for (; *s != '\0' && *s != ';' && *s != ' ' && *s != '\t'; s++) {
			if (n + 1 >= sz)
				return 0;
			out[n++] = *s;
		}
	}
	out[n] = '\0';
	*sp = s;
	return 1;
}

/*
 * Find parameter name (case-insensitive) in the parameters that follow
 * the first ';' of a header value; 1 with its value in out, 0 absent,
 * -1 malformed (or too long for out).
 */
static int
multipart_param(const char *v, const char *name, char *out, size_t sz)
{
	const char	*s = strchr(v, ';'), *eq;
	size_t		 nlen = strlen(name);
	char		 skip[1024];
	int		 found = 0;

	while (s != NULL && *s == ';') {
		s = multipart_ws(s + 1);
		if (*s == '\0')
			break;
		if ((eq = strchr(s, '=')) == NULL)
			return -1;
		if ((size_t)(eq - s) == nlen && strncasecmp(s, name, nlen) == 0 &&
		    !found) {
			s = eq + 1;
			if (!multipart_param_value(&s, out, sz))
				return -1;
			found = 1;
		} else {
			s = eq + 1;
			if (!multipart_param_value(&s, skip, sizeof(skip)))
				return -1;
		}
		s = multipart_ws(s);
		if (*s != '\0' && *s != ';')
			return -1;
	}
	return found;
}

/* 1 when ct (a Content-Type value, or NULL) is multipart/form-data. */
int
multipart_is(const char *ct)
{
	size_t	 n = strlen("multipart/form-data");

	if (ct == NULL)
		return 0;
	ct = multipart_ws(ct);
	return strncasecmp(ct, "multipart/form-data", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t');
}

/*
 * The boundary of a multipart/form-data Content-Type into out: 1..70
 * characters of RFC 2046's set, not ending in a space. 0 with why when
 * there is none or it is malformed.
 */
int
multipart_boundary(const char *ct, char out[MULTIPART_BOUNDARY_MAX + 1],
    const char **why)
{
	size_t	 i, n;

	if (!multipart_is(ct)) {
		*why = "Content-Type: expected multipart/form-data";
		return 0;
	}
	switch (multipart_param(ct, "boundary", out,
	    MULTIPART_BOUNDARY_MAX + 1)) {
	case 1:
		break;
	case 0:
		*why = "Content-Type: multipart/form-data without a boundary";
		return 0;
	default:
		*why = "Content-Type: malformed parameters (a boundary is 1 to "
		    "70 characters)";
		return 0;
	}
	n = strlen(out);
	for (i = 0; i < n; i++)
		if (!multipart_bchar((unsigned char)out[i]) && out[i] != ' ')
			break;
	if (n == 0 || i < n || out[n - 1] == ' ') {
		*why = "Content-Type: the boundary holds characters RFC 2046 "
		    "does not allow";
		return 0;
	}
	return 1;
}

/* First occurrence of needle[0..nn) in h[0..hn), or NULL. */
static const char *
multipart_find(const char *h, size_t hn, const char *needle, size_t nn)
{
	return memmem(h, hn, needle, nn);
}

/*
 * Read one header line "Name: value" of a part (line[0..n), no CRLF)
 * into p. Only Content-Disposition and Content-Type matter; others are
 * skipped. 0 with why when the line or a value is malformed.
 */
static int
multipart_header(const char *line, size_t n, struct mpart *p,
    const char **why)
{
	char		 text[MULTIPART_MAX_HEADERS + 1];
	const char	*v, *colon;
	int		 got;

	if (n == 0 || n > MULTIPART_MAX_HEADERS || memchr(line, '\0', n) ||
	    !util_utf8_valid(line, n)) {
		*why = "body: a part's header line is malformed";
		return 0;
	}
	memcpy(text, line, n);
	text[n] = '\0';
	if ((colon = strchr(text, ':')) == NULL || colon == text) {
		*why = "body: a part's header line has no name";
		return 0;
	}
	v = multipart_ws(colon + 1);
	if ((size_t)(colon - text) == strlen("content-disposition") &&
	    strncasecmp(text, "content-disposition", colon - text) == 0) {
		if (strncasecmp(v, "form-data", 9) != 0 || (v[9] != '\0' &&
		    v[9] != ';' && v[9] != ' ')) {
			*why = "body: a part's Content-Disposition is not "
			    "form-data";
			return 0;
		}
		if (multipart_param(v, "name", p->name, sizeof(p->name)) != 1 ||
		    p->name[0] == '\0') {
			*why = "body: a part's Content-Disposition has no name "
			    "(or one longer than 127 bytes)";
			return 0;
		}
		if ((got = multipart_param(v, "filename", p->filename,
		    sizeof(p->filename))) < 0) {
			*why = "body: a part's filename is malformed or longer "
			    "than 255 bytes";
			return 0;
		}
		p->has_filename = got;
		p->has_disposition = 1;
	} else if ((size_t)(colon - text) == strlen("content-type") &&
	    strncasecmp(text, "content-type", colon - text) == 0)
		snprintf(p->content_type, sizeof(p->content_type), "%s", v);
	return 1;
}

/*
 * Read the part at s[0..n) (from after its delimiter line to before the
 * next CRLF delimiter) into p: header lines, an empty line, the data.
 */
static int
multipart_part(const char *s, size_t n, struct mpart *p, const char **why)
{
	const char	*end, *line = s;
	size_t		 left = n;

	memset(p, 0, sizeof(*p));
	for (;;) {
		if ((end = multipart_find(line, left, "\r\n", 2)) == NULL ||
		    (size_t)(end - s) > MULTIPART_MAX_HEADERS) {
			*why = "body: a part's headers do not end with an empty "
			    "line (or pass 8192 bytes)";
			return 0;
		}
		if (end == line)
			break;
		if (!multipart_header(line, (size_t)(end - line), p, why))
			return 0;
		left -= (size_t)(end - line) + 2;
		line = end + 2;
	}
	if (!p->has_disposition) {
		*why = "body: a part has no Content-Disposition";
		return 0;
	}
	p->data = end + 2;
	p->len = n - (size_t)(p->data - s);
	return 1;
}

/*
 * Parse body[0..len) as multipart/form-data with the boundary of its
 * Content-Type ct into mp (data borrowed from body). 1 on success; 0
 * with why (naming what is wrong) otherwise. The preamble and the
 * epilogue are ignored, as RFC 2046 says.
 */
int
multipart_parse(const char *ct, const char *body, size_t len,
    struct multipart *mp, const char **why)
{
	char		 b[MULTIPART_BOUNDARY_MAX + 1];
	char		 delim[MULTIPART_BOUNDARY_MAX + 5];
	const char	*p, *next, *end = body + len;
	size_t		 dlen;

	memset(mp, 0, sizeof(*mp));
	if (!multipart_boundary(ct, b, why))
		return 0;
	/* Every delimiter is CRLF "--" boundary; the first one may open the
	 * body without its CRLF. */
	dlen = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", b);
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0)
		p = body + dlen - 2;
	else if ((p = multipart_find(body, len, delim, dlen)) != NULL)
		p += dlen;
	else {
		*why = "body: the boundary of the Content-Type is not in it";
		return 0;
	}
	for (;;) {
		/* p is just past a delimiter: "--" closes, else padding and
		 * CRLF open a part. */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return 1;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
			*why = "body: a boundary line does not end with CRLF";
			return 0;
		}
		p += 2;
		if ((next = multipart_find(p, (size_t)(end - p), delim,
		    dlen)) == NULL) {
			*why = "body: it ends before the closing boundary";
			return 0;
		}
		if (mp->nparts == MULTIPART_MAX_PARTS) {
			*why = "body: more than 16 parts";
			return 0;
		}
		if (!multipart_part(p, (size_t)(next - p),
		    &mp->parts[mp->nparts], why))
			return 0;
		mp->nparts++;
		p = next + dlen;
	}
}

/* The first part named name, or NULL (borrowed from mp). */
const struct mpart *
multipart_get(const struct multipart *mp, const char *name)
{
	size_t	 i;

	for (i = 0; i < mp->nparts; i++)
		if (strcmp(mp->parts[i].name, name) == 0)
			return &mp->parts[i];
	return NULL;
}
