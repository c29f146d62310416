/*
 * scimfilter.c - SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths
 * (§3.5.2): a recursive-descent parser, bounded in length and depth, into
 * a small tree, and the evaluation of that tree against a resource held
 * as JSON.
 *
 *	FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
 *	valuePath = attrPath "[" valFilter "]"
 *	attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
 *	attrPath  = [URI ":"] ATTRNAME *1subAttr
 *
 * Precedence: grouping, then not, and, or. Attribute names, operators,
 * "and", "or", "not" and the literals true, false and null are read
 * without regard to case.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "scim/scim.h"

#define SCIMF_MAX_LEN	4096
#define SCIMF_MAX_DEPTH	32
#define SCIMF_MAX_SEGS	3	/* [extension URN] name [sub] */
#define SCIMF_NAME_MAX	63	/* fits struct scim_path's arrays */
#define SCIMF_URN_MAX	255
#define SCIMF_NUM_MAX	64

static const char	 scimf_urn_user[] =
    "urn:ietf:params:scim:schemas:core:2.0:User";
static const char	 scimf_urn_group[] =
    "urn:ietf:params:scim:schemas:core:2.0:Group";
static const char	 scimf_urn_ent[] =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

enum scimf_kind { SF_AND, SF_OR, SF_NOT, SF_TEST };
enum scimf_op {
	SO_EQ, SO_NE, SO_CO, SO_SW, SO_EW, SO_GT, SO_GE, SO_LT, SO_LE, SO_PR,
	SO_ANY		/* a valuePath alone: some value passes its filter */
};
enum scimf_vtype { SV_NULL, SV_BOOL, SV_NUM, SV_STR };

static const char *const scimf_ops[] = {
	"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr",
};

/* An attribute path: lowercased segments, core schema URNs stripped. */
struct scimf_attr {
	char	*seg[SCIMF_MAX_SEGS];
	size_t	 nseg;
	int	 urn;	/* seg[0] is an extension's URN */
	int	 dot;	/* the path ended in "." subAttr */
};

struct scimf {
	enum scimf_kind	  kind;
	struct scimf	**kids;		/* AND, OR: 2 or more; NOT: 1 */
	size_t		  nkids;
	/* SF_TEST */
	struct scimf_attr path;
	struct scimf	 *vf;		/* valuePath filter, or NULL... */
	size_t		  vf_at;	/* ...after vf_at segments */
	enum scimf_op	  op;
	enum scimf_vtype  vtype;
	int		  exact;	/* caseExact string comparison */
	int		  b;
	double		  num;
	long long	  inum;
	int		  isint;	/* num is also exactly inum */
	char		 *str;
	size_t		  slen;
	int		  has_time;	/* str is a date-time, at time ms */
	int64_t		  time;
};

struct scimf_parser {
	const char	*s;
	size_t		 n, i;
	int		 depth;
	char		*err;
	size_t		 errsz;
	int		 failed;
};

static struct scimf	*scimf_parse_or(struct scimf_parser *,
			    const struct scimf_attr *);

/* The first error wins: later ones are consequences. Returns 0. */
static int __attribute__((format(printf, 2, 3)))
scimf_fail(struct scimf_parser *p, const char *fmt, ...)
{
	va_list	 ap;

	if (p->failed)
		return 0;
	p->failed = 1;
	if (p->err != NULL && p->errsz > 0) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errsz, fmt, ap);
		va_end(ap);
	}
	return 0;
}

static int
scimf_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
scimf_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* A character of an attribute path, schema URN included. */
static int
scimf_pathchar(int c)
{
	return scimf_alpha(c) || scimf_digit(c) || c == '-' || c == '_' ||
	    c == '$' || c == ':' || c == '.';
}

static int
scimf_lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
scimf_isws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
scimf_ws(struct scimf_parser *p)
{
	while (p->i < p->n && scimf_isws((unsigned char)p->s[p->i]))
		p->i++;
}

/*
 * What is at byte at, for an error: "the end", "a string", a quoted word
 * of printable ASCII (at most 16 bytes), or the byte in hex.
 */
static const char *
scimf_show(const struct scimf_parser *p, size_t at, char *buf, size_t bufsz)
{
	size_t	 k;
	int	 c;

	if (at >= p->n)
		return "the end";
	c = (unsigned char)p->s[at];
	if (c == '"')
		return "a string";
	if (c <= 0x20 || c >= 0x7f) {
		snprintf(buf, bufsz, "byte 0x%02x", (unsigned int)c);
		return buf;
	}
	for (k = 0; at + k < p->n && k < 16; k++) {
		c = (unsigned char)p->s[at + k];
		if (c <= 0x20 || c >= 0x7f || (k > 0 && (c == '(' ||
		    c == ')' || c == '[' || c == ']' || c == '"')))
			break;
	}
	snprintf(buf, bufsz, "\"%.*s\"", (int)k, p->s + at);
	return buf;
}

/* Length of the run of letters at byte i. */
static size_t
scimf_word(const struct scimf_parser *p)
{
	size_t	 k = p->i;

	while (k < p->n && scimf_alpha((unsigned char)p->s[k]))
		k++;
	return k - p->i;
}

/* 1 when the keyword kw (any case) stands alone at byte i. */
static int
scimf_keyword(const struct scimf_parser *p, const char *kw)
{
	size_t	 len = strlen(kw);

	return p->n - p->i >= len && strncasecmp(p->s + p->i, kw, len) == 0 &&
	    (p->i + len == p->n ||
	    !scimf_pathchar((unsigned char)p->s[p->i + len]));
}

static char *
scimf_lower_dup(const char *s, size_t len)
{
	char	*d;
	size_t	 k;

	if ((d = malloc(len + 1)) == NULL)
		return NULL;
	for (k = 0; k < len; k++)
		d[k] = (char)scimf_lc((unsigned char)s[k]);
	d[len] = '\0';
	return d;
}

static void
scimf_attr_cleanup(struct scimf_attr *a)
{
	size_t	 k;

	for (k = 0; k < a->nseg; k++)
		free(a->seg[k]);
	memset(a, 0, sizeof(*a));
}

/* Append a lowercased copy of s[0..len) to a's segments. */
static int
scimf_attr_push(struct scimf_parser *p, struct scimf_attr *a, const char *s,
    size_t len, size_t at)
{
	if (a->nseg >= SCIMF_MAX_SEGS)
		return scimf_fail(p, "attribute path too deep at byte %zu", at);
	if ((a->seg[a->nseg] = scimf_lower_dup(s, len)) == NULL)
		return scimf_fail(p, "out of memory");
	a->nseg++;
	return 1;
}

/* ATTRNAME = (ALPHA / "$") *(ALPHA / DIGIT / "-" / "_"), at most 63. */
static int
scimf_name_ok(const char *s, size_t len)
{
	size_t	 k;

	if (len == 0 || len > SCIMF_NAME_MAX ||
	    (!scimf_alpha((unsigned char)s[0]) && s[0] != '$'))
		return 0;
	for (k = 1; k < len; k++)
		if (!scimf_alpha((unsigned char)s[k]) &&
		    !scimf_digit((unsigned char)s[k]) && s[k] != '-' &&
		    s[k] != '_')
			return 0;
	return 1;
}

static int
scimf_name_push(struct scimf_parser *p, struct scimf_attr *a, const char *s,
    size_t len, size_t at)
{
	if (!scimf_name_ok(s, len)) {
		if (len == 0)
			return scimf_fail(p, "missing attribute name at byte "
			    "%zu", at);
		return scimf_fail(p, "invalid attribute name \"%.*s\" at byte "
		    "%zu", (int)(len > 64 ? 64 : len), s, at);
	}
	return scimf_attr_push(p, a, s, len, at);
}

/* 1 when t[0..len) is urn followed by ':' (any case). */
static int
scimf_urn_prefix(const char *t, size_t len, const char *urn)
{
	size_t	 ulen = strlen(urn);

	return len > ulen && t[ulen] == ':' && strncasecmp(t, urn, ulen) == 0;
}

static int
scimf_urn_is(const char *t, size_t len, const char *urn)
{
	return len == strlen(urn) && strncasecmp(t, urn, len) == 0;
}

/*
 * Split the attrPath token t[0..len), found at byte at, into segments.
 * The core User and Group URNs go (attributes of the resource itself);
 * any other URN, such as the enterprise extension's, stays as the first
 * segment, for it is the key of the extension's object.
 */
static int
scimf_attr_split(struct scimf_parser *p, const char *t, size_t len,
    size_t at, struct scimf_attr *a)
{
	const char	*rest = t, *dot;
	size_t		 rlen = len, cut;

	memset(a, 0, sizeof(*a));
	if (len >= 4 && strncasecmp(t, "urn:", 4) == 0) {
		if (scimf_urn_prefix(t, len, scimf_urn_user))
			cut = sizeof(scimf_urn_user) - 1;
		else if (scimf_urn_prefix(t, len, scimf_urn_group))
			cut = sizeof(scimf_urn_group) - 1;
		else if (scimf_urn_is(t, len, scimf_urn_user) ||
		    scimf_urn_is(t, len, scimf_urn_group))
			return scimf_fail(p, "the schema URN at byte %zu needs "
			    "an attribute name after it", at);
		else {
			if (scimf_urn_is(t, len, scimf_urn_ent))
				cut = len;
			else if (scimf_urn_prefix(t, len, scimf_urn_ent))
				cut = sizeof(scimf_urn_ent) - 1;
			else
				cut = (size_t)((const char *)memrchr(t, ':',
				    len) - t);
			if (cut > SCIMF_URN_MAX)
				return scimf_fail(p, "schema URN longer than "
				    "%d bytes at byte %zu", SCIMF_URN_MAX, at);
			if (!scimf_attr_push(p, a, t, cut, at))
				goto fail;
			a->urn = 1;
			if (cut == len)
				return 1;	/* the extension as a whole */
		}
		rest = t + cut + 1;
		rlen = len - cut - 1;
	}
	if ((dot = memchr(rest, '.', rlen)) == NULL) {
		if (!scimf_name_push(p, a, rest, rlen, at + (size_t)(rest - t)))
			goto fail;
		return 1;
	}
	if (!scimf_name_push(p, a, rest, (size_t)(dot - rest),
	    at + (size_t)(rest - t)))
		goto fail;
	rlen -= (size_t)(dot - rest) + 1;
	rest = dot + 1;
	if (memchr(rest, '.', rlen) != NULL) {
		scimf_fail(p, "more than one sub-attribute in \"%.*s\" at byte "
		    "%zu", (int)(len > 64 ? 64 : len), t, at);
		goto fail;
	}
	if (!scimf_name_push(p, a, rest, rlen, at + (size_t)(rest - t)))
		goto fail;
	a->dot = 1;
	return 1;
fail:
	scimf_attr_cleanup(a);
	return 0;
}

/* Read the attrPath at byte i. */
static int
scimf_attr_parse(struct scimf_parser *p, struct scimf_attr *a)
{
	size_t	 start = p->i;
	char	 b[32];

	while (p->i < p->n && scimf_pathchar((unsigned char)p->s[p->i]))
		p->i++;
	if (p->i == start) {
		memset(a, 0, sizeof(*a));
		return scimf_fail(p, "expected an attribute name at byte %zu, "
		    "found %s", start, scimf_show(p, start, b, sizeof(b)));
	}
	if (p->i - start > SCIMF_URN_MAX + 2 * (SCIMF_NAME_MAX + 1)) {
		memset(a, 0, sizeof(*a));
		return scimf_fail(p, "attribute path too long at byte %zu",
		    start);
	}
	return scimf_attr_split(p, p->s + start, p->i - start, start, a);
}

static struct scimf *
scimf_node_new(struct scimf_parser *p, enum scimf_kind kind)
{
	struct scimf	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		scimf_fail(p, "out of memory");
		return NULL;
	}
	f->kind = kind;
	return f;
}

/* Give kid to f; on failure kid is freed. */
static int
scimf_node_add(struct scimf_parser *p, struct scimf *f, struct scimf *kid)
{
	struct scimf	**k;

	if ((k = realloc(f->kids, (f->nkids + 1) * sizeof(*k))) == NULL) {
		scimf_free(kid);
		return scimf_fail(p, "out of memory");
	}
	f->kids = k;
	f->kids[f->nkids++] = kid;
	return 1;
}

/*
 * A JSON string at byte i (a '"'); its escapes decoded into f->str. The
 * text is valid UTF-8 already; \u0000 is refused, for values are C
 * strings further on.
 */
static int
scimf_parse_string(struct scimf_parser *p, struct scimf *f)
{
	size_t		 start = p->i, o = 0, k;
	unsigned int	 cp, lo;
	char		*out;
	int		 c, e, d;

	if ((out = malloc(p->n - p->i + 1)) == NULL)
		return scimf_fail(p, "out of memory");
	for (p->i++; p->i < p->n; ) {
		c = (unsigned char)p->s[p->i];
		if (c == '"') {
			p->i++;
			out[o] = '\0';
			f->str = out;
			f->slen = o;
			return 1;
		}
		if (c < 0x20) {
			scimf_fail(p, "control character in string at byte %zu",
			    p->i);
			goto fail;
		}
		if (c != '\\') {
			out[o++] = (char)c;
			p->i++;
			continue;
		}
		if (p->i + 1 >= p->n)
			break;
		e = (unsigned char)p->s[p->i + 1];
		switch (e) {
		case '"':
		case '\\':
		case '/':
			out[o++] = (char)e;
			break;
		case 'b':
			out[o++] = '\b';
			break;
		case 'f':
			out[o++] = '\f';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'u':
			cp = 0;
			for (k = 0; k < 4; k++) {
				d = p->i + 2 + k < p->n ?
				    (unsigned char)p->s[p->i + 2 + k] : 0;
				if (!scimf_digit(d) && (scimf_lc(d) < 'a' ||
				    scimf_lc(d) > 'f')) {
					scimf_fail(p, "bad string escape at "
					    "byte %zu: \\u needs four hex "
					    "digits", p->i);
					goto fail;
				}
				cp = cp * 16 + (unsigned int)(scimf_digit(d) ?
				    d - '0' : scimf_lc(d) - 'a' + 10);
			}
			if (cp >= 0xDC00 && cp <= 0xDFFF) {
				scimf_fail(p, "bad string escape at byte %zu: "
				    "lone surrogate", p->i);
				goto fail;
			}
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				lo = 0;
				if (p->n - p->i < 12 ||
				    p->s[p->i + 6] != '\\' ||
				    p->s[p->i + 7] != 'u')
					k = 0;
				else
					for (k = 0; k < 4; k++) {
						d = (unsigned char)
						    p->s[p->i + 8 + k];
						if (scimf_digit(d))
							lo = lo * 16 +
							    (unsigned int)(d -
							    '0');
						else if (scimf_lc(d) >= 'a' &&
						    scimf_lc(d) <= 'f')
							lo = lo * 16 +
							    (unsigned int)
							    (scimf_lc(d) - 'a' +
							    10);
						else
							break;
					}
				if (k != 4 || lo < 0xDC00 || lo > 0xDFFF) {
					scimf_fail(p, "bad string escape at "
					    "byte %zu: lone surrogate", p->i);
					goto fail;
				}
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				    (lo - 0xDC00);
				p->i += 6;
			}
			if (cp == 0) {
				scimf_fail(p, "bad string escape at byte %zu: "
				    "\\u0000 is not allowed", p->i);
				goto fail;
			}
			if (cp < 0x80)
				out[o++] = (char)cp;
			else if (cp < 0x800) {
				out[o++] = (char)(0xC0 | (cp >> 6));
				out[o++] = (char)(0x80 | (cp & 0x3F));
			} else if (cp < 0x10000) {
				out[o++] = (char)(0xE0 | (cp >> 12));
				out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
				out[o++] = (char)(0x80 | (cp & 0x3F));
			} else {
				out[o++] = (char)(0xF0 | (cp >> 18));
				out[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
				out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
				out[o++] = (char)(0x80 | (cp & 0x3F));
			}
			p->i += 4;
			break;
		default:
			if (e > 0x20 && e < 0x7f)
				scimf_fail(p, "bad string escape \"\\%c\" at "
				    "byte %zu", e, p->i);
			else
				scimf_fail(p, "bad string escape at byte %zu",
				    p->i);
			goto fail;
		}
		p->i += 2;
	}
	scimf_fail(p, "unterminated string starting at byte %zu", start);
fail:
	free(out);
	return 0;
}

/* A JSON number at byte i: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
scimf_parse_number(struct scimf_parser *p, struct scimf *f)
{
	size_t	 start = p->i, end, k = p->i;
	char	 buf[SCIMF_NUM_MAX + 1], *ep;
	int	 ok = 1, isint = 1;

	if (k < p->n && p->s[k] == '-')
		k++;
	if (k < p->n && p->s[k] == '0')
		k++;
	else if (k < p->n && scimf_digit((unsigned char)p->s[k]))
		while (k < p->n && scimf_digit((unsigned char)p->s[k]))
			k++;
	else
		ok = 0;
	if (ok && k < p->n && p->s[k] == '.') {
		isint = 0;
		if (++k >= p->n || !scimf_digit((unsigned char)p->s[k]))
			ok = 0;
		while (k < p->n && scimf_digit((unsigned char)p->s[k]))
			k++;
	}
	if (ok && k < p->n && (p->s[k] == 'e' || p->s[k] == 'E')) {
		isint = 0;
		if (++k < p->n && (p->s[k] == '+' || p->s[k] == '-'))
			k++;
		if (k >= p->n || !scimf_digit((unsigned char)p->s[k]))
			ok = 0;
		while (k < p->n && scimf_digit((unsigned char)p->s[k]))
			k++;
	}
	/* "01", "1x", "1.2.3": the number does not end where it should. */
	end = k;
	while (end < p->n && (scimf_pathchar((unsigned char)p->s[end]) ||
	    p->s[end] == '+'))
		end++;
	if (!ok || end != k)
		return scimf_fail(p, "invalid number \"%.*s\" at byte %zu",
		    (int)(end - start > 32 ? 32 : end - start), p->s + start,
		    start);
	if (k - start > SCIMF_NUM_MAX)
		return scimf_fail(p, "number longer than %d bytes at byte %zu",
		    SCIMF_NUM_MAX, start);
	memcpy(buf, p->s + start, k - start);
	buf[k - start] = '\0';
	f->num = strtod(buf, &ep);
	if (!isfinite(f->num))
		return scimf_fail(p, "number out of range at byte %zu", start);
	if (isint) {
		errno = 0;
		f->inum = strtoll(buf, &ep, 10);
		f->isint = errno == 0;
	}
	f->vtype = SV_NUM;
	p->i = k;
	return 1;
}

/* compValue = false / null / true / number / string */
static int
scimf_parse_value(struct scimf_parser *p, struct scimf *f)
{
	size_t	 start = p->i, k;
	char	 b[32];
	int	 c;

	c = (unsigned char)p->s[p->i];
	if (c == '"') {
		if (!scimf_parse_string(p, f))
			return 0;
		f->vtype = SV_STR;
		f->has_time = util_parse_time(f->str, &f->time);
		return 1;
	}
	if (c == '-' || scimf_digit(c))
		return scimf_parse_number(p, f);
	if (!scimf_alpha(c))
		return scimf_fail(p, "expected a value at byte %zu, found %s",
		    start, scimf_show(p, start, b, sizeof(b)));
	for (k = p->i; k < p->n && scimf_pathchar((unsigned char)p->s[k]); )
		k++;
	if (k - start == 4 && strncasecmp(p->s + start, "true", 4) == 0) {
		f->vtype = SV_BOOL;
		f->b = 1;
	} else if (k - start == 5 &&
	    strncasecmp(p->s + start, "false", 5) == 0) {
		f->vtype = SV_BOOL;
		f->b = 0;
	} else if (k - start == 4 && strncasecmp(p->s + start, "null", 4) == 0)
		f->vtype = SV_NULL;
	else
		return scimf_fail(p, "unknown literal \"%.*s\" at byte %zu "
		    "(strings need double quotes)",
		    (int)(k - start > 32 ? 32 : k - start), p->s + start,
		    start);
	p->i = k;
	return 1;
}

/* RFC 7643 caseExact: id, externalId and meta.version; all else folds. */
static int
scimf_exact(const struct scimf_attr *ctx, const struct scimf_attr *a)
{
	const char	*full[2 * SCIMF_MAX_SEGS];
	size_t		 n = 0, k;

	for (k = 0; ctx != NULL && k < ctx->nseg; k++)
		full[n++] = ctx->seg[k];
	for (k = 0; k < a->nseg; k++)
		full[n++] = a->seg[k];
	if (n == 1)
		return strcmp(full[0], "id") == 0 ||
		    strcmp(full[0], "externalid") == 0;
	return n == 2 && strcmp(full[0], "meta") == 0 &&
	    strcmp(full[1], "version") == 0;
}

/*
 * An enclosed filter at byte i: "(" FILTER ")" (what "parentheses") or
 * a value filter "[" valFilter "]" (what "brackets", paths relative to
 * ctx). Both count toward the nesting limit.
 */
static struct scimf *
scimf_parse_enclosed(struct scimf_parser *p, const struct scimf_attr *ctx,
    char close, const char *what)
{
	struct scimf	*f;
	size_t		 open = p->i;
	char		 b[32];

	p->i++;
	if (++p->depth > SCIMF_MAX_DEPTH) {
		scimf_fail(p, "nesting deeper than %d levels at byte %zu",
		    SCIMF_MAX_DEPTH, open);
		return NULL;
	}
	if ((f = scimf_parse_or(p, ctx)) == NULL)
		return NULL;
	scimf_ws(p);
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		p->depth--;
		return f;
	}
	scimf_free(f);
	if (p->i >= p->n)
		scimf_fail(p, "unbalanced %s: \"%c\" at byte %zu is not closed",
		    what, p->s[open], open);
	else
		scimf_fail(p, "expected \"%c\", and or or at byte %zu, found %s",
		    close, p->i, scimf_show(p, p->i, b, sizeof(b)));
	return NULL;
}

/*
 * attrExp, or valuePath with an optional "." subAttr and comparison
 * after it. ctx is the valuePath around it, or NULL at the top.
 */
static struct scimf *
scimf_parse_test(struct scimf_parser *p, const struct scimf_attr *ctx)
{
	struct scimf	*f;
	size_t		 start, at, len, k;
	char		 b[32];

	if ((f = scimf_node_new(p, SF_TEST)) == NULL)
		return NULL;
	start = p->i;
	if (!scimf_attr_parse(p, &f->path))
		goto fail;
	if (p->i < p->n && p->s[p->i] == '[') {
		if (ctx != NULL) {
			scimf_fail(p, "a value filter cannot hold another, at "
			    "byte %zu", p->i);
			goto fail;
		}
		if (f->path.dot) {
			scimf_fail(p, "\"[\" cannot follow a sub-attribute, at "
			    "byte %zu", p->i);
			goto fail;
		}
		if ((f->vf = scimf_parse_enclosed(p, &f->path, ']',
		    "brackets")) == NULL)
			goto fail;
		f->vf_at = f->path.nseg;
		if (p->i >= p->n || p->s[p->i] != '.') {
			f->op = SO_ANY;
			return f;
		}
		at = ++p->i;
		while (p->i < p->n && scimf_pathchar((unsigned char)p->s[p->i]))
			p->i++;
		if (!scimf_name_push(p, &f->path, p->s + at, p->i - at, at))
			goto fail;
	}
	if (p->i >= p->n || !scimf_isws((unsigned char)p->s[p->i])) {
		len = p->i - start > 64 ? 64 : p->i - start;
		scimf_fail(p, "expected an operator after \"%.*s\" at byte "
		    "%zu, found %s", (int)len, p->s + start, p->i,
		    scimf_show(p, p->i, b, sizeof(b)));
		goto fail;
	}
	scimf_ws(p);
	at = p->i;
	len = scimf_word(p);
	for (k = 0; k < sizeof(scimf_ops) / sizeof(scimf_ops[0]); k++)
		if (len == 2 && strncasecmp(p->s + at, scimf_ops[k], 2) == 0)
			break;
	if (k == sizeof(scimf_ops) / sizeof(scimf_ops[0])) {
		if (len == 0)
			scimf_fail(p, "expected an operator at byte %zu, found "
			    "%s", at, scimf_show(p, at, b, sizeof(b)));
		else
			scimf_fail(p, "unknown operator \"%.*s\" at byte %zu",
			    (int)(len > 16 ? 16 : len), p->s + at, at);
		goto fail;
	}
	f->op = (enum scimf_op)k;
	p->i += len;
	if (f->op == SO_PR)
		return f;
	scimf_ws(p);
	if (p->i >= p->n || p->s[p->i] == ')' || p->s[p->i] == ']') {
		scimf_fail(p, "missing value after \"%s\" at byte %zu",
		    scimf_ops[f->op], p->i);
		goto fail;
	}
	if (!scimf_parse_value(p, f))
		goto fail;
	switch (f->op) {
	case SO_CO:
	case SO_SW:
	case SO_EW:
		if (f->vtype != SV_STR) {
			scimf_fail(p, "\"%s\" needs a string value, at byte "
			    "%zu", scimf_ops[f->op], at);
			goto fail;
		}
		break;
	case SO_GT:
	case SO_GE:
	case SO_LT:
	case SO_LE:
		if (f->vtype == SV_BOOL || f->vtype == SV_NULL) {
			scimf_fail(p, "\"%s\" needs a string, number or date "
			    "value, at byte %zu", scimf_ops[f->op], at);
			goto fail;
		}
		break;
	default:
		break;
	}
	f->exact = scimf_exact(ctx, &f->path);
	return f;
fail:
	scimf_free(f);
	return NULL;
}

/* "not" "(" FILTER ")", a group, or a test. */
static struct scimf *
scimf_parse_unary(struct scimf_parser *p, const struct scimf_attr *ctx)
{
	struct scimf	*f, *inner;

	scimf_ws(p);
	if (scimf_keyword(p, "not")) {
		p->i += 3;
		scimf_ws(p);
		if (p->i >= p->n || p->s[p->i] != '(') {
			scimf_fail(p, "expected \"(\" after not, at byte %zu",
			    p->i);
			return NULL;
		}
		if ((inner = scimf_parse_enclosed(p, ctx, ')',
		    "parentheses")) == NULL)
			return NULL;
		if ((f = scimf_node_new(p, SF_NOT)) == NULL) {
			scimf_free(inner);
			return NULL;
		}
		if (!scimf_node_add(p, f, inner)) {
			scimf_free(f);
			return NULL;
		}
		return f;
	}
	if (p->i < p->n && p->s[p->i] == '(')
		return scimf_parse_enclosed(p, ctx, ')', "parentheses");
	return scimf_parse_test(p, ctx);
}

/*
 * One or more operands joined by "and" (kind SF_AND, operands unary) or
 * "or" (kind SF_OR, operands and-lists), into one node of all of them:
 * a long chain costs no depth.
 */
static struct scimf *
scimf_parse_list(struct scimf_parser *p, const struct scimf_attr *ctx,
    enum scimf_kind kind)
{
	const char	*kw = kind == SF_OR ? "or" : "and";
	struct scimf	*first, *list = NULL, *kid;
	size_t		 save;

	first = kind == SF_OR ? scimf_parse_list(p, ctx, SF_AND) :
	    scimf_parse_unary(p, ctx);
	if (first == NULL)
		return NULL;
	for (;;) {
		save = p->i;
		scimf_ws(p);
		if (!scimf_keyword(p, kw)) {
			p->i = save;
			break;
		}
		p->i += strlen(kw);
		kid = kind == SF_OR ? scimf_parse_list(p, ctx, SF_AND) :
		    scimf_parse_unary(p, ctx);
		if (kid == NULL)
			goto fail;
		if (list == NULL) {
			if ((list = scimf_node_new(p, kind)) == NULL) {
				scimf_free(kid);
				goto fail;
			}
			if (!scimf_node_add(p, list, first)) {
				first = NULL;
				scimf_free(kid);
				goto fail;
			}
			first = NULL;
		}
		if (!scimf_node_add(p, list, kid))
			goto fail;
	}
	return list != NULL ? list : first;
fail:
	scimf_free(first);
	scimf_free(list);
	return NULL;
}

static struct scimf *
scimf_parse_or(struct scimf_parser *p, const struct scimf_attr *ctx)
{
	return scimf_parse_list(p, ctx, SF_OR);
}

/* Set up p over text; 0 with err when it is too long or not UTF-8. */
static int
scimf_parser_init(struct scimf_parser *p, const char *text, char *err,
    size_t errsz, const char *what)
{
	memset(p, 0, sizeof(*p));
	p->err = err;
	p->errsz = errsz;
	if (err != NULL && errsz > 0)
		err[0] = '\0';
	if (text == NULL)
		return scimf_fail(p, "no %s", what);
	p->s = text;
	p->n = strnlen(text, SCIMF_MAX_LEN + 1);
	if (p->n > SCIMF_MAX_LEN)
		return scimf_fail(p, "%s longer than %d bytes", what,
		    SCIMF_MAX_LEN);
	if (!util_utf8_valid(text, p->n))
		return scimf_fail(p, "%s is not valid UTF-8", what);
	scimf_ws(p);
	if (p->i == p->n)
		return scimf_fail(p, "empty %s", what);
	return 1;
}

/*
 * Parse the filter text (at most 4096 bytes, groups and value filters
 * nested at most 32 deep). Returns a filter the caller frees with
 * scimf_free, or NULL with a message for the 400 invalidFilter detail
 * in err (naming the byte offset of the problem).
 */
struct scimf *
scimf_parse(const char *text, char *err, size_t errsz)
{
	struct scimf_parser	 p;
	struct scimf		*f;
	char			 b[32];

	if (!scimf_parser_init(&p, text, err, errsz, "filter"))
		return NULL;
	if ((f = scimf_parse_or(&p, NULL)) == NULL)
		return NULL;
	scimf_ws(&p);
	if (p.i == p.n)
		return f;
	if (p.s[p.i] == ')')
		scimf_fail(&p, "unbalanced parentheses: unexpected \")\" at "
		    "byte %zu", p.i);
	else if (p.s[p.i] == ']')
		scimf_fail(&p, "unbalanced brackets: unexpected \"]\" at byte "
		    "%zu", p.i);
	else
		scimf_fail(&p, "unexpected %s at byte %zu: expected and, or or "
		    "the end", scimf_show(&p, p.i, b, sizeof(b)), p.i);
	scimf_free(f);
	return NULL;
}

/* Free a filter; NULL is fine. */
void
scimf_free(struct scimf *f)
{
	size_t	 k;

	if (f == NULL)
		return;
	for (k = 0; k < f->nkids; k++)
		scimf_free(f->kids[k]);
	free(f->kids);
	scimf_attr_cleanup(&f->path);
	scimf_free(f->vf);
	free(f->str);
	free(f);
}

/* --- evaluation --- */

/* o's member named name in any case, or NULL (absent or null). */
static struct json_object *
scimf_get(struct json_object *o, const char *name)
{
	struct json_object_iterator	 it, end;

	if (!json_object_is_type(o, json_type_object))
		return NULL;
	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		if (strcasecmp(json_object_iter_peek_name(&it), name) == 0)
			return json_object_iter_peek_value(&it);
	return NULL;
}

/* Has a value: not null, not "", not [], and an object with one. */
static int
scimf_present(struct json_object *v, int deep)
{
	struct json_object_iterator	 it, end;
	size_t				 k;

	switch (json_object_get_type(v)) {
	case json_type_null:
		return 0;
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	case json_type_array:
		if (!deep)
			return json_object_array_length(v) > 0;
		for (k = 0; k < json_object_array_length(v); k++)
			if (scimf_present(json_object_array_get_idx(v, k), 0))
				return 1;
		return 0;
	case json_type_object:
		if (!deep)
			return json_object_object_length(v) > 0;
		it = json_object_iter_begin(v);
		end = json_object_iter_end(v);
		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it))
			if (scimf_present(json_object_iter_peek_value(&it), 0))
				return 1;
		return 0;
	default:
		return 1;
	}
}

/* Byte comparison, ASCII letters folded unless exact. */
static int
scimf_cmp(const char *a, size_t alen, const char *b, size_t blen, int exact)
{
	size_t	 k, n = alen < blen ? alen : blen;
	int	 x, y;

	for (k = 0; k < n; k++) {
		x = (unsigned char)a[k];
		y = (unsigned char)b[k];
		if (!exact) {
			x = scimf_lc(x);
			y = scimf_lc(y);
		}
		if (x != y)
			return x < y ? -1 : 1;
	}
	return alen < blen ? -1 : alen > blen;
}

static int
scimf_contains(const char *h, size_t hlen, const char *n, size_t nlen,
    int exact)
{
	size_t	 k;

	for (k = 0; k + nlen <= hlen; k++)
		if (scimf_cmp(h + k, nlen, n, nlen, exact) == 0)
			return 1;
	return 0;
}

/* The outcome of an ordering or equality operator from cmp's sign. */
static int
scimf_order(enum scimf_op op, int c)
{
	switch (op) {
	case SO_EQ:
		return c == 0;
	case SO_NE:
		return c != 0;
	case SO_GT:
		return c > 0;
	case SO_GE:
		return c >= 0;
	case SO_LT:
		return c < 0;
	case SO_LE:
		return c <= 0;
	default:
		return 0;
	}
}

/* The comparison of f against one value v (not an array). */
static int
scimf_compare(const struct scimf *f, struct json_object *v)
{
	const char	*s;
	size_t		 len;
	int64_t		 t, i;
	double		 d;

	/* A complex value compares by its "value" (emails co "@x"). */
	if (json_object_is_type(v, json_type_object))
		v = scimf_get(v, "value");
	switch (f->vtype) {
	case SV_STR:
		if (!json_object_is_type(v, json_type_string))
			return 0;
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		switch (f->op) {
		case SO_CO:
			return scimf_contains(s, len, f->str, f->slen,
			    f->exact);
		case SO_SW:
			return len >= f->slen && scimf_cmp(s, f->slen, f->str,
			    f->slen, f->exact) == 0;
		case SO_EW:
			return len >= f->slen && scimf_cmp(s + len - f->slen,
			    f->slen, f->str, f->slen, f->exact) == 0;
		case SO_EQ:
		case SO_NE:
			return scimf_order(f->op,
			    scimf_cmp(s, len, f->str, f->slen, f->exact));
		default:
			/* DateTime compares chronologically (RFC 7644). */
			if (f->has_time && strlen(s) == len &&
			    util_parse_time(s, &t))
				return scimf_order(f->op,
				    (t > f->time) - (t < f->time));
			return scimf_order(f->op,
			    scimf_cmp(s, len, f->str, f->slen, f->exact));
		}
	case SV_NUM:
		if (f->isint && json_object_is_type(v, json_type_int)) {
			i = json_object_get_int64(v);
			return scimf_order(f->op,
			    (i > f->inum) - (i < f->inum));
		}
		if (!json_object_is_type(v, json_type_int) &&
		    !json_object_is_type(v, json_type_double))
			return 0;
		d = json_object_get_double(v);
		if (isnan(d))
			return 0;
		return scimf_order(f->op, (d > f->num) - (d < f->num));
	case SV_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return 0;
		return scimf_order(f->op, json_object_get_boolean(v) != f->b);
	default:
		return 0;
	}
}

enum scimf_mode { SM_PRESENT, SM_COMPARE };

static int	scimf_walk(const struct scimf *, struct json_object *, size_t,
		    enum scimf_mode);

/* One value v (not an array) reached by f->path.seg[0..i). */
static int
scimf_walk_one(const struct scimf *f, struct json_object *v, size_t i,
    enum scimf_mode mode)
{
	if (v == NULL)
		return 0;
	if (f->vf != NULL && i == f->vf_at && !scimf_match(f->vf, v))
		return 0;
	if (i == f->path.nseg) {
		if (f->op == SO_ANY)
			return 1;
		if (mode == SM_PRESENT)
			return scimf_present(v, 1);
		return scimf_compare(f, v);
	}
	return scimf_walk(f, scimf_get(v, f->path.seg[i]), i + 1, mode);
}

/*
 * Whether some value at path position i passes: a multi-valued
 * attribute passes when one of its values does. Arrays within arrays
 * are no SCIM values and are skipped, which also bounds the recursion.
 */
static int
scimf_walk(const struct scimf *f, struct json_object *v, size_t i,
    enum scimf_mode mode)
{
	struct json_object	*el;
	size_t			 k;

	if (!json_object_is_type(v, json_type_array))
		return scimf_walk_one(f, v, i, mode);
	for (k = 0; k < json_object_array_length(v); k++) {
		el = json_object_array_get_idx(v, k);
		if (!json_object_is_type(el, json_type_array) &&
		    scimf_walk_one(f, el, i, mode))
			return 1;
	}
	return 0;
}

/*
 * 1 when resource (a SCIM resource, or one value of a multi-valued
 * attribute for a PATCH path's filter) matches f, else 0; a NULL
 * filter or resource matches nothing. Neither is changed.
 */
int
scimf_match(const struct scimf *f, struct json_object *resource)
{
	size_t	 k;

	if (f == NULL || resource == NULL)
		return 0;
	switch (f->kind) {
	case SF_AND:
		for (k = 0; k < f->nkids; k++)
			if (!scimf_match(f->kids[k], resource))
				return 0;
		return 1;
	case SF_OR:
		for (k = 0; k < f->nkids; k++)
			if (scimf_match(f->kids[k], resource))
				return 1;
		return 0;
	case SF_NOT:
		return f->nkids == 1 && !scimf_match(f->kids[0], resource);
	case SF_TEST:
		break;
	}
	/* eq null: no value; ne null and pr: some value. */
	if (f->op == SO_PR || (f->vtype == SV_NULL &&
	    (f->op == SO_EQ || f->op == SO_NE)))
		return scimf_walk(f, resource, 0, SM_PRESENT) ==
		    (f->op != SO_EQ);
	return scimf_walk(f, resource, 0, SM_COMPARE);
}

/* --- what the database can narrow --- */

/* A string value that can be bound as SQL text (no NUL inside). */
static int
scimf_sql_str(const struct scimf *t)
{
	return t->vtype == SV_STR && strlen(t->str) == t->slen;
}

/* The anchor of one test at the top (ctx NULL) or inside emails[…]. */
static enum scimf_anchor
scimf_anchor_test(const struct scimf *t, int in_emails, const char **value)
{
	const struct scimf_attr	*a = &t->path;

	if (t->kind != SF_TEST || t->op != SO_EQ || t->vf != NULL || a->urn)
		return SCIMF_ALL;
	if (in_emails)
		return a->nseg == 1 && strcmp(a->seg[0], "value") == 0 &&
		    scimf_sql_str(t) ? (*value = t->str, SCIMF_EMAIL) :
		    SCIMF_ALL;
	if (a->nseg == 2 && strcmp(a->seg[0], "emails") == 0 &&
	    strcmp(a->seg[1], "value") == 0 && scimf_sql_str(t))
		return *value = t->str, SCIMF_EMAIL;
	if (a->nseg != 1)
		return SCIMF_ALL;
	if (strcmp(a->seg[0], "active") == 0 && t->vtype == SV_BOOL)
		return *value = t->b ? "1" : "0", SCIMF_ACTIVE;
	if (!scimf_sql_str(t))
		return SCIMF_ALL;
	*value = t->str;
	if (strcmp(a->seg[0], "username") == 0)
		return SCIMF_USERNAME;
	if (strcmp(a->seg[0], "externalid") == 0)
		return SCIMF_EXTERNALID;
	return strcmp(a->seg[0], "id") == 0 ? SCIMF_ID : SCIMF_ALL;
}

static enum scimf_anchor
scimf_anchor_in(const struct scimf *f, int in_emails, const char **value)
{
	enum scimf_anchor	 best = SCIMF_ALL, a;
	const char		*v = NULL;
	size_t			 k;

	if (f->kind == SF_TEST && f->vf != NULL && !in_emails &&
	    f->op == SO_ANY && f->path.nseg == 1 && !f->path.urn &&
	    strcmp(f->path.seg[0], "emails") == 0)
		return scimf_anchor_in(f->vf, 1, value);
	if (f->kind == SF_TEST)
		return scimf_anchor_test(f, in_emails, value);
	if (f->kind != SF_AND)
		return SCIMF_ALL;
	/* Any side of an "and" narrows; active is the weakest. */
	for (k = 0; k < f->nkids; k++) {
		a = scimf_anchor_in(f->kids[k], in_emails, &v);
		if (a != SCIMF_ALL && (best == SCIMF_ALL ||
		    best == SCIMF_ACTIVE)) {
			best = a;
			*value = v;
		}
	}
	return best;
}

/*
 * The indexed term every User that f matches must satisfy, so that the
 * database narrows a list before f is evaluated on what it returns:
 * userName, externalId, id or emails.value eq a string, or active eq a
 * boolean — alone, as a side of an "and", or as emails[value eq …].
 * *whole is 1 when f says nothing more than that term (then the
 * database's answer is the answer, but for case and accents: callers
 * still evaluate f on string anchors). "active pr" is every User.
 * SCIMF_ALL with *whole 0: the database cannot narrow f.
 */
enum scimf_anchor
scimf_anchor(const struct scimf *f, const char **value, int *whole)
{
	enum scimf_anchor	 a;

	*value = NULL;
	*whole = 0;
	if (f == NULL) {
		*whole = 1;
		return SCIMF_ALL;
	}
	if (f->kind == SF_TEST && f->op == SO_PR && f->vf == NULL &&
	    !f->path.urn && f->path.nseg == 1 &&
	    strcmp(f->path.seg[0], "active") == 0) {
		*whole = 1;
		return SCIMF_ALL;
	}
	a = scimf_anchor_in(f, 0, value);
	if (a == SCIMF_ALL)
		*value = NULL;
	*whole = a != SCIMF_ALL && (f->kind == SF_TEST && (f->vf == NULL ||
	    f->vf->kind == SF_TEST));
	return a;
}

/* --- PATCH paths --- */

/*
 * Parse a PATCH path (attrPath ["[" valFilter "]"] ["." subAttr]) into
 * out: the attribute and sub-attribute lowercased, the core schema URNs
 * stripped and any other (the enterprise extension's) kept as attr with
 * its attribute as sub. Returns 1 (the caller then calls
 * scimf_path_cleanup), or 0 with out empty and the invalidPath detail
 * in err.
 */
int
scimf_path_parse(const char *text, struct scim_path *out, char *err,
    size_t errsz)
{
	struct scimf_parser	 p;
	struct scimf_attr	 a;
	struct scimf		*vf = NULL;
	size_t			 at;
	char			 b[32];

	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	if (!scimf_parser_init(&p, text, err, errsz, "path"))
		return 0;
	if (!scimf_attr_parse(&p, &a))
		goto fail;
	if (p.i < p.n && p.s[p.i] == '[') {
		if (a.dot || a.urn) {
			scimf_fail(&p, "a value filter must follow a top-level "
			    "attribute, at byte %zu", p.i);
			goto fail;
		}
		if ((vf = scimf_parse_enclosed(&p, &a, ']', "brackets")) == NULL)
			goto fail;
		if (p.i < p.n && p.s[p.i] == '.') {
			at = ++p.i;
			while (p.i < p.n &&
			    scimf_pathchar((unsigned char)p.s[p.i]))
				p.i++;
			if (!scimf_name_push(&p, &a, p.s + at, p.i - at, at))
				goto fail;
		}
	}
	scimf_ws(&p);
	if (p.i < p.n) {
		scimf_fail(&p, "unexpected %s at byte %zu",
		    scimf_show(&p, p.i, b, sizeof(b)), p.i);
		goto fail;
	}
	if (a.nseg > 2) {
		scimf_fail(&p, "path \"%.*s\" goes deeper than an attribute's "
		    "sub-attribute", (int)(p.n > 96 ? 96 : p.n), p.s);
		goto fail;
	}
	if (strlen(a.seg[0]) >= sizeof(out->attr)) {
		scimf_fail(&p, "schema URN in path longer than %zu bytes",
		    sizeof(out->attr) - 1);
		goto fail;
	}
	memcpy(out->attr, a.seg[0], strlen(a.seg[0]) + 1);
	if (a.nseg == 2)
		memcpy(out->sub, a.seg[1], strlen(a.seg[1]) + 1);
	out->filter = vf;
	scimf_attr_cleanup(&a);
	return 1;
fail:
	scimf_free(vf);
	scimf_attr_cleanup(&a);
	memset(out, 0, sizeof(*out));
	return 0;
}

/* Free what scimf_path_parse put in p, and empty it. */
void
scimf_path_cleanup(struct scim_path *p)
{
	if (p == NULL)
		return;
	scimf_free(p->filter);
	memset(p, 0, sizeof(*p));
}
