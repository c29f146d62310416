/*
 * test_openapi.c - www/openapi.yaml and the route table agree: every
 * route of routes[] (but the HTML console under /admin) is described,
 * and every path and method described is routed. Templated segments
 * match whatever their names ({id} and {sku} are one segment each).
 *
 * No YAML library: the paths section is read by its line structure, as
 * the file is written (block style, two spaces per level): a path key at
 * indent 2, its methods at indent 4.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mihwar.h"
#include "tests.h"

#ifndef MIHWAR_OPENAPI_FILE
#define MIHWAR_OPENAPI_FILE	"www/openapi.yaml"	/* from the repo top */
#endif

#define OP_MAX		256
#define OP_PATH_MAX	256

struct op {
	char	 method[8];		/* upper case */
	char	 path[OP_PATH_MAX];	/* templates as "{}" */
	char	 key[OP_PATH_MAX];	/* as written */
	int	 line;
};

static const char *const methods[] = { "get", "put", "post", "delete",
    "options", "head", "patch", "trace", NULL };

/* The pattern with every "{name}" as "{}"; 0 when it does not fit. */
static int
openapi_norm(const char *pat, char *out, size_t outsz)
{
	size_t	 j = 0;

	for (; *pat != '\0'; pat++) {
		if (j + 3 > outsz)
			return 0;
		if (*pat == '{') {
			if ((pat = strchr(pat, '}')) == NULL)
				return 0;
			out[j++] = '{';
			out[j++] = '}';
		} else
			out[j++] = *pat;
	}
	out[j] = '\0';
	return 1;
}

/* Indent of line s (spaces), or -1 for a blank or comment-only line. */
static int
openapi_indent(const char *s, size_t n)
{
	size_t	 i = 0;

	while (i < n && s[i] == ' ')
		i++;
	return i == n || s[i] == '#' || s[i] == '\r' ? -1 : (int)i;
}

/*
 * The key of a "key:" line at s (after the indent), unquoted, into out;
 * *flow is set when a value follows on the same line. 0 when the line
 * is not a key.
 */
static int
openapi_key(const char *s, size_t n, char *out, size_t outsz, int *flow)
{
	size_t		 i = 0, k = 0;
	char		 q = 0;

	if (n > 0 && (s[0] == '"' || s[0] == '\''))
		q = s[i++];
	for (; i < n; i++) {
		if (q != 0 && s[i] == q) {
			i++;
			break;
		}
		if (q == 0 && s[i] == ':' && (i + 1 == n || s[i + 1] == ' ' ||
		    s[i + 1] == '\r'))
			break;
		if (k + 1 >= outsz)
			return 0;
		out[k++] = s[i];
	}
	out[k] = '\0';
	if (i >= n || s[i] != ':' || k == 0)
		return 0;
	for (i++; i < n && (s[i] == ' ' || s[i] == '\r'); i++)
		;
	*flow = i < n && s[i] != '#';
	return 1;
}

/*
 * The operations of the paths section of text: method and normalized
 * path per entry, at most max. 1 on success; 0 with a message in err.
 */
static int
openapi_ops(const char *text, struct op *ops, size_t max, size_t *nops,
    char *err, size_t errsz)
{
	const char	*s = text, *eol;
	char		 key[OP_PATH_MAX], path[OP_PATH_MAX] = "";
	char		 raw[OP_PATH_MAX] = "";
	int		 line = 0, in_paths = 0, seen = 0, ind, flow;
	size_t		 n, i;

	*nops = 0;
	for (; *s != '\0'; s = *eol ? eol + 1 : eol) {
		eol = s + strcspn(s, "\n");
		n = (size_t)(eol - s);
		line++;
		if ((ind = openapi_indent(s, n)) < 0)
			continue;
		if (ind == 0) {
			in_paths = strncmp(s, "paths:", 6) == 0;
			seen |= in_paths;
			path[0] = '\0';
			continue;
		}
		if (!in_paths || (ind != 2 && ind != 4))
			continue;
		if (!openapi_key(s + ind, n - (size_t)ind, key, sizeof(key),
		    &flow)) {
			snprintf(err, errsz, "line %d: expected a key", line);
			return 0;
		}
		if (ind == 2) {
			if (key[0] != '/' || flow) {
				snprintf(err, errsz, "line %d: expected a path "
				    "key on a line of its own: %.100s", line, key);
				return 0;
			}
			snprintf(raw, sizeof(raw), "%s", key);
			if (!openapi_norm(key, path, sizeof(path))) {
				snprintf(err, errsz, "line %d: bad path %.100s", line,
				    key);
				return 0;
			}
			continue;
		}
		for (i = 0; methods[i] != NULL; i++)
			if (strcmp(key, methods[i]) == 0)
				break;
		if (methods[i] == NULL)		/* parameters, summary, … */
			continue;
		if (path[0] == '\0' || *nops >= max) {
			snprintf(err, errsz, "line %d: %.20s outside a path, or "
			    "more than %zu operations", line, key, max);
			return 0;
		}
		for (i = 0; key[i] != '\0'; i++)
			ops[*nops].method[i] = (char)toupper((unsigned char)key[i]);
		ops[*nops].method[i] = '\0';
		snprintf(ops[*nops].path, sizeof(ops[*nops].path), "%s", path);
		snprintf(ops[*nops].key, sizeof(ops[*nops].key), "%s", raw);
		ops[*nops].line = line;
		(*nops)++;
	}
	if (!seen) {
		snprintf(err, errsz, "no paths section");
		return 0;
	}
	return 1;
}

/* The operations as "METHOD path" lines, for comparing in the table. */
static void
openapi_ops_str(const struct op *ops, size_t n, char *out, size_t outsz)
{
	size_t	 i, j = 0;

	out[0] = '\0';
	for (i = 0; i < n && j < outsz; i++)
		j += (size_t)snprintf(out + j, outsz - j, "%s%s %s",
		    i ? "|" : "", ops[i].method, ops[i].path);
}

static void
test_parse(void)
{
	static const struct {
		const char	*name, *text, *want;
		int		 ok;
	} cases[] = {
		{ "two paths",
		    "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      summary: x\n"
		    "    post:\n      responses: {}\n  /a/{id}/b:\n"
		    "    parameters: []\n    delete: {}\ncomponents:\n"
		    "  /not-a-path:\n    get: {}\n",
		    "GET /a|POST /a|DELETE /a/{}/b", 1 },
		{ "comments, blank lines, quoted key, CRLF",
		    "paths:\r\n  # a comment\r\n\r\n  '/q/{x}':\r\n"
		    "    # get: no\r\n    put:\r\n", "PUT /q/{}", 1 },
		{ "deeper keys are not methods",
		    "paths:\n  /a:\n    get:\n      responses:\n        post: {}\n",
		    "GET /a", 1 },
		{ "every method", "paths:\n  /m:\n    get: {}\n    put: {}\n"
		    "    post: {}\n    delete: {}\n    options: {}\n    head: {}\n"
		    "    patch: {}\n    trace: {}\n",
		    "GET /m|PUT /m|POST /m|DELETE /m|OPTIONS /m|HEAD /m|PATCH /m|"
		    "TRACE /m", 1 },
		{ "no paths section", "openapi: 3.0.3\ninfo: {}\n", "", 0 },
		{ "flow-style path item", "paths:\n  /a: { get: {} }\n", "", 0 },
		{ "method before any path", "paths:\n    get: {}\n", "", 0 },
		{ "unclosed template", "paths:\n  /a/{id:\n    get: {}\n", "", 0 },
	};
	struct op	*ops = calloc(OP_MAX, sizeof(*ops));
	char		 got[1024], err[256];
	size_t		 i, n;
	int		 ok;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
	for (i = 0; i < NELEM(cases); i++) {
		err[0] = '\0';
		ok = openapi_ops(cases[i].text, ops, OP_MAX, &n, err,
		    sizeof(err));
		CHECK(ok == cases[i].ok, "[%s] parse %s, want %s (%s)",
		    cases[i].name, ok ? "ok" : "failed",
		    cases[i].ok ? "ok" : "failure", err);
		if (ok && cases[i].ok) {
			openapi_ops_str(ops, n, got, sizeof(got));
			CHECK_STR(cases[i].name, got, cases[i].want);
		}
	}
	free(ops);
}

/* The whole file, NUL-terminated (caller frees), or NULL. */
static char *
openapi_read(const char *file)
{
	FILE	*f;
	char	*text = NULL;
	long	 len;

	if ((f = fopen(file, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (text = malloc((size_t)len + 1)) != NULL) {
		if (fread(text, 1, (size_t)len, f) != (size_t)len) {
			free(text);
			text = NULL;
		} else
			text[len] = '\0';
	}
	fclose(f);
	return text;
}

/* The routes of the JSON API: all but the HTML console under /admin. */
static int
openapi_routed(const struct route *rt)
{
	return strcmp(rt->pattern, "/admin") != 0 &&
	    strncmp(rt->pattern, "/admin/", 7) != 0;
}

static void
test_routes_described(void)
{
	struct op	*ops = calloc(OP_MAX, sizeof(*ops));
	char		*text, err[256] = "", norm[OP_PATH_MAX];
	size_t		 i, k, n = 0, nrouted = 0;
	int		*used;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
	text = openapi_read(MIHWAR_OPENAPI_FILE);
	CHECK(text != NULL, "cannot read %s", MIHWAR_OPENAPI_FILE);
	if (text == NULL || !CHECK(openapi_ops(text, ops, OP_MAX, &n, err,
	    sizeof(err)), "%s: %s", MIHWAR_OPENAPI_FILE, err))
		goto out;
	used = calloc(n + 1, sizeof(*used));
	CU_ASSERT_PTR_NOT_NULL_FATAL(used);
	for (i = 0; i < routes_len; i++) {
		if (!openapi_routed(&routes[i]))
			continue;
		nrouted++;
		if (!CHECK(openapi_norm(routes[i].pattern, norm, sizeof(norm)),
		    "route pattern %s", routes[i].pattern))
			continue;
		for (k = 0; k < n; k++)
			if (strcmp(ops[k].method, routes[i].method) == 0 &&
			    strcmp(ops[k].path, norm) == 0)
				break;
		CHECK(k < n, "route %s %s is not described in %s",
		    routes[i].method, routes[i].pattern, MIHWAR_OPENAPI_FILE);
		if (k < n)
			used[k]++;
	}
	for (k = 0; k < n; k++) {
		CHECK(used[k] > 0, "%s:%d: %s %s is described but not routed",
		    MIHWAR_OPENAPI_FILE, ops[k].line, ops[k].method,
		    ops[k].key);
		CHECK(used[k] < 2, "%s:%d: %s %s matches %d routes",
		    MIHWAR_OPENAPI_FILE, ops[k].line, ops[k].method,
		    ops[k].key, used[k]);
	}
	CHECK(nrouted > 0 && n > 0, "%zu routes, %zu operations", nrouted, n);
	free(used);
out:
	free(text);
	free(ops);
}

void
test_openapi_register(void)
{
	static const struct test_def	 tests[] = {
		{ "paths read by line structure", test_parse },
		{ "every route described, every operation routed",
		    test_routes_described },
	};

	test_add_suite("openapi", NULL, NULL, tests, NELEM(tests));
}
