/*
 * onboarding.c - a storefront becomes a client: whether a slug is free,
 * the onboarding request that creates the organization and its first
 * client key (shown once), and the origins its chat widget may be
 * embedded on (organizations.allowed_domains: exact origins separated by
 * commas, set by mihwarctl and the console, read by chat.c).
 *
 * Onboarding takes no key, so it is limited per client address
 * (onboarding_per_hour), counted before the body is looked at. Two
 * requests for one slug race on the organizations' unique slug key: the
 * first insert wins, the others wait on its lock and then fail the key,
 * which is the 409.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <sodium.h>

#include "fulfillment/fulfillment.h"

/* The contract's desiredSlug: 2..50 of a-z, 0-9 and '-'. */
#define ONB_SLUG_MAX	50
/* Origins a client may list, and the longest one: "https://", a host
 * of 253, ":65535". */
#define ONB_ORIGINS_MAX	100
#define ONB_ORIGIN_MAX	(8 + 253 + 6)

enum onboarding_sql_id {
	SQL_ONB_SLUG_TAKEN, SQL_ONB_CONTACT, SQL_ONB_DOMAINS_SET,
	SQL_ONB_DOMAINS_GET, ONBOARDING_SQL__MAX
};

static const char *const onboarding_sql[ONBOARDING_SQL__MAX] = {
	[SQL_ONB_SLUG_TAKEN] =
	    "SELECT 1 FROM organizations WHERE slug = ?",
	[SQL_ONB_CONTACT] =
	    "UPDATE organizations SET contact_email = ?, client_active = 1"
	    " WHERE id = ?",
	[SQL_ONB_DOMAINS_SET] =
	    "UPDATE organizations SET allowed_domains = ? WHERE id = ?",
	[SQL_ONB_DOMAINS_GET] =
	    "SELECT allowed_domains FROM organizations WHERE id = ?",
};

const struct db_stmts onboarding_stmts = {
	"onboarding", onboarding_sql, ONBOARDING_SQL__MAX, NULL, 0
};

/* A slug the contract takes and an organization may have. */
static int
onboarding_slug_ok(const char *slug)
{
	return strlen(slug) <= ONB_SLUG_MAX && orgs_slug_valid(slug);
}

/* 1 when some organization has slug, 0 when none, -1 on a failure. */
static int
onboarding_slug_taken(struct db *db, const char *slug)
{
	struct db_rows	*rows;
	int		 taken;

	if (db_query(db, &rows, onboarding_sql[SQL_ONB_SLUG_TAKEN],
	    DB_PARAMS(DB_STR(slug))) != DB_OK)
		return -1;
	taken = rows->nrows > 0;
	db_rows_free(rows);
	return taken;
}

/* GET /api/onboarding/check-slug/{slug}: {available, slug[, message]}. */
void
onboarding_check_slug(struct req *r)
{
	const char		*slug = r->args[0];
	struct json_object	*o;
	int			 taken;

	if (!onboarding_slug_ok(slug)) {
		req_resp_error(r, 400, NULL, "slug: 2 to %d of a-z, 0-9 and "
		    "'-', not starting with '-'", ONB_SLUG_MAX);
		return;
	}
	if ((taken = onboarding_slug_taken(r->db, slug)) < 0) {
		req_resp_error(r, 503, NULL, "database unavailable");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "available", json_object_new_boolean(!taken));
	json_put_str(o, "slug", slug);
	if (taken)
		json_put_str(o, "message", "Slug is already taken");
	req_resp_json(r, 200, o);
}

/* An onboarding request's fields, borrowed from its body. */
struct onboarding_in {
	const char	*company, *slug, *email;
};

/* Read and validate the body into in; 0 with 400 answered. */
static int
onboarding_read(struct req *r, struct json_object *body,
    struct onboarding_in *in)
{
	const char	*p;

	if (!valid_object(r, body) ||
	    !valid_string(r, body, "companyName", 1, 1, 100, &in->company) ||
	    !valid_string(r, body, "desiredSlug", 1, 2, ONB_SLUG_MAX,
	    &in->slug) ||
	    !valid_string(r, body, "email", 1, 3, 254, &in->email))
		return 0;
	for (p = in->company; isspace((unsigned char)*p); p++)
		;
	if (*p == '\0') {
		req_resp_error(r, 400, NULL, "companyName: must not be blank");
		return 0;
	}
	if (!orgs_slug_valid(in->slug)) {
		req_resp_error(r, 400, NULL, "desiredSlug: only a-z, 0-9 and "
		    "'-', not starting with '-'");
		return 0;
	}
	if (!users_email_valid(in->email)) {
		req_resp_error(r, 400, NULL, "email: not an e-mail address");
		return 0;
	}
	return 1;
}

/* The 201 body: the client's public id and its key, shown this once. */
static void
onboarding_created(struct req *r, const char *client_id, const char *slug,
    const char *key)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_put_str(o, "clientId", client_id);
	json_put_str(o, "slug", slug);
	json_put_str(o, "apiKey", key);
	json_put_str(o, "message", "Client created. Store this API key now: "
	    "it is shown only once.");
	req_resp_json(r, 201, o);
}

/*
 * POST /api/onboarding/request {companyName, desiredSlug, email}: the
 * organization (a client, active, with its contact) and its first
 * client key, in the pipeline's transaction; 409 when the slug is
 * taken (nothing written). Counted per address before anything else.
 */
void
onboarding_request(struct req *r)
{
	struct json_object	*body = NULL;
	struct onboarding_in	 in;
	char			 scope[80], client_id[37], key_id[37];
	char			 key[128];
	long long		 org_id;

	snprintf(scope, sizeof(scope), "onboarding:addr:%.60s",
	    r->in.remote_addr != NULL ? r->in.remote_addr : "-");
	if (!ratelimit_scope_check(r, scope, r->conf->onboarding_per_hour,
	    3600))
		return;
	if ((body = req_json_body(r)) == NULL)
		return;
	if (!onboarding_read(r, body, &in))
		goto out;
	switch (orgs_create(r->db, in.slug, in.company, &org_id, client_id)) {
	case DB_OK:
		break;
	case DB_CONSTRAINT:
		req_resp_error(r, 409, NULL, "desiredSlug: %s is already taken",
		    in.slug);
		goto out;
	default:
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	if (db_exec(r->db, onboarding_sql[SQL_ONB_CONTACT], DB_PARAMS(
	    DB_STR(in.email), DB_INT(org_id))) != DB_OK ||
	    !keys_create(r->db, org_id, KEY_CLIENT, 0, "onboarding", key,
	    sizeof(key), key_id)) {
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	onboarding_created(r, client_id, in.slug, key);
	sodium_memzero(key, sizeof(key));
out:
	json_object_put(body);
}

/* A DNS label of a-z, 0-9 and '-' (lower case), not at its ends. */
static int
onboarding_label_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n < 1 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) ||
		    isdigit((unsigned char)s[i]) || s[i] == '-'))
			return 0;
	return 1;
}

/* A host name (lower case) of dot-separated labels, or an IPv6 address
 * in brackets; no wildcard, no user, no trailing dot. */
static int
onboarding_host_ok(const char *h, size_t n)
{
	size_t	 i, start = 0;

	if (n >= 4 && h[0] == '[' && h[n - 1] == ']') {
		for (i = 1; i < n - 1; i++)
			if (!(isxdigit((unsigned char)h[i]) || h[i] == ':' ||
			    h[i] == '.'))
				return 0;
		return memchr(h, ':', n) != NULL;
	}
	if (n < 1 || n > 253)
		return 0;
	for (i = 0; i <= n; i++)
		if (i == n || h[i] == '.') {
			if (!onboarding_label_ok(h + start, i - start))
				return 0;
			start = i + 1;
		}
	return 1;
}

/* A port 1..65535 written as browsers write it (no sign, no leading
 * zero): *port; 0 otherwise. */
static int
onboarding_port_ok(const char *p, size_t n, long *port)
{
	size_t	 i;

	if (n < 1 || n > 5 || p[0] == '0')
		return 0;
	*port = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return 0;
		*port = *port * 10 + (p[i] - '0');
	}
	return *port <= 65535;
}

/*
 * The origin an operator means by in, as browsers send it in Origin:
 * a bare host[:port] means https://host[:port]; http:// and https:// are
 * kept; scheme and host in lower case, the scheme's default port
 * dropped. Into out; 0 for anything else (another scheme, a path, a
 * user, a wildcard, "null").
 */
int
onboarding_origin_normalize(const char *in, char *out, size_t outsz)
{
	const char	*rest = in, *port_s = NULL, *end;
	char		 host[256];
	size_t		 hn, i;
	long		 port = 0;
	int		 tls = 1;

	if (strncasecmp(in, "https://", 8) == 0)
		rest = in + 8;
	else if (strncasecmp(in, "http://", 7) == 0) {
		tls = 0;
		rest = in + 7;
	} else if (strstr(in, "://") != NULL || strcasecmp(in, "null") == 0)
		return 0;
	end = rest + strlen(rest);
	if (*rest == '[') {
		const char *rb = strchr(rest, ']');

		if (rb == NULL)
			return 0;
		hn = (size_t)(rb - rest) + 1;
		if (rb[1] == ':')
			port_s = rb + 2;
		else if (rb[1] != '\0')
			return 0;
	} else {
		const char *colon = strchr(rest, ':');

		hn = colon != NULL ? (size_t)(colon - rest) : (size_t)(end - rest);
		if (colon != NULL)
			port_s = colon + 1;
	}
	if (hn >= sizeof(host))
		return 0;
	for (i = 0; i < hn; i++)
		host[i] = (char)tolower((unsigned char)rest[i]);
	host[hn] = '\0';
	if (!onboarding_host_ok(host, hn) || (port_s != NULL &&
	    !onboarding_port_ok(port_s, (size_t)(end - port_s), &port)))
		return 0;
	/* Browsers leave the scheme's own port out of Origin. */
	if (port == (tls ? 443 : 80))
		port = 0;
	if (port > 0)
		i = (size_t)snprintf(out, outsz, "%s://%s:%ld", tls ? "https" :
		    "http", host, port);
	else
		i = (size_t)snprintf(out, outsz, "%s://%s", tls ? "https" :
		    "http", host);
	return i < outsz;
}

/* The n bytes at s, one entry of a list, normalized into out. */
static int
onboarding_entry_normalize(const char *s, size_t n, char *out, size_t outsz)
{
	char	 entry[ONB_ORIGIN_MAX + 2];

	if (n >= sizeof(entry))
		return 0;
	memcpy(entry, s, n);
	entry[n] = '\0';
	return onboarding_origin_normalize(entry, out, outsz);
}

/*
 * A list of origins separated by commas (spaces around each ignored),
 * each as onboarding_origin_normalize takes it, into out as stored:
 * normalized, joined by ",", duplicates once; "" for an empty list
 * (none: browsers are refused). out starts empty. 0 with a sentence in err naming the
 * first entry refused.
 */
int
onboarding_domains_parse(const char *list, struct buf *out, char *err,
    size_t errsz)
{
	const char	*p = list, *e, *s, *t;
	char		 origin[ONB_ORIGIN_MAX + 1];
	size_t		 n = 0;

	if (!buf_puts(out, ""))
		goto oom;
	for (s = list; isspace((unsigned char)*s); s++)
		;
	if (*s == '\0')
		return 1;
	for (;;) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		for (s = p; s < e && isspace((unsigned char)*s); s++)
			;
		for (t = e; t > s && isspace((unsigned char)t[-1]); t--)
			;
		if (t == s) {
			snprintf(err, errsz, "an empty entry in the list");
			return 0;
		}
		if (!onboarding_entry_normalize(s, (size_t)(t - s), origin,
		    sizeof(origin))) {
			snprintf(err, errsz, "%.*s: not a host or an "
			    "http(s)://host[:port] origin", (int)(t - s > 80 ?
			    80 : t - s), s);
			return 0;
		}
		if (!onboarding_origin_allowed(out->data, origin)) {
			if (++n > ONB_ORIGINS_MAX) {
				snprintf(err, errsz, "more than %d origins",
				    ONB_ORIGINS_MAX);
				return 0;
			}
			if ((out->len > 0 && !buf_puts(out, ",")) ||
			    !buf_puts(out, origin))
				goto oom;
		}
		if (*e == '\0')
			return 1;
		p = e + 1;
	}
oom:
	snprintf(err, errsz, "out of memory");
	return 0;
}

/* Store org_id's allowed origins as onboarding_domains_parse wrote
 * them ("" stores none). DB_NOTFOUND when there is no such
 * organization. */
enum db_code
onboarding_domains_set(struct db *db, long long org_id, const char *origins)
{
	enum db_code	 code;

	code = db_exec(db, onboarding_sql[SQL_ONB_DOMAINS_SET], DB_PARAMS(
	    DB_STR(*origins != '\0' ? origins : NULL), DB_INT(org_id)));
	/* CLIENT_FOUND_ROWS: a matched row counts even when unchanged. */
	if (code == DB_OK && db_affected(db) == 0)
		code = DB_NOTFOUND;
	return code;
}

/* org_id's allowed origins into out ("" for none). */
enum db_code
onboarding_domains_get(struct db *db, long long org_id, struct buf *out)
{
	struct db_rows	*rows;
	enum db_code	 code;
	const char	*v;

	if ((code = db_query(db, &rows, onboarding_sql[SQL_ONB_DOMAINS_GET],
	    DB_PARAMS(DB_INT(org_id)))) != DB_OK)
		return code;
	if (rows->nrows == 0)
		code = DB_NOTFOUND;
	else if (!buf_puts(out, (v = db_cell(rows, 0, 0)) != NULL ? v : ""))
		code = DB_ERROR;
	db_rows_free(rows);
	return code;
}

/*
 * 1 when origin (an Origin header) is one of allowed (stored origins
 * separated by commas): the whole of scheme://host[:port] equal, case
 * aside, so no prefix or suffix of an entry passes. "null" (sandboxed
 * frames, file: pages), an empty or absent origin, or no list: 0.
 */
int
onboarding_origin_allowed(const char *allowed, const char *origin)
{
	const char	*p, *e, *s, *t;
	size_t		 n;

	if (allowed == NULL || origin == NULL || *origin == '\0' ||
	    strcasecmp(origin, "null") == 0)
		return 0;
	n = strlen(origin);
	for (p = allowed; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		for (s = p; s < e && isspace((unsigned char)*s); s++)
			;
		for (t = e; t > s && isspace((unsigned char)t[-1]); t--)
			;
		if ((size_t)(t - s) == n && strncasecmp(s, origin, n) == 0)
			return 1;
	}
	return 0;
}
