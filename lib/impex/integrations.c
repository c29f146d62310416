/*
 * integrations.c - integrations of an organization: outgoing webhooks
 * and stored API credentials (integrations-and-import-export.md). The
 * rows, their log, and the API's /api/v1/integrations routes; the
 * secrets are sealed and opened in creds.c. Every query is scoped by
 * organization; credentials are written sealed, never answered, never
 * logged (responses carry has_api_key / has_api_secret).
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "mihwar.h"
#include "impex/impex.h"

#define INTEG_COLUMNS \
    "public_id, name, type, status, webhook_url, api_key_enc IS NOT NULL," \
    " api_secret_enc IS NOT NULL, config_data, last_tested_at, last_error," \
    " created_at, updated_at, id"

enum integ_sql_id {
	SQL_INTEG_INSERT, SQL_INTEG_LOAD, SQL_INTEG_ONE, SQL_INTEG_PAGE,
	SQL_INTEG_LOCK, SQL_INTEG_UPDATE, SQL_INTEG_DELETE, SQL_INTEG_TESTED,
	SQL_INTEG_CREDS, SQL_ILOG_INSERT, SQL_ILOG_PAGE, INTEG_SQL__MAX
};

static const char *const integ_sql[INTEG_SQL__MAX] = {
	[SQL_INTEG_INSERT] =
	    "INSERT INTO integrations (public_id, org_id, name, type, status,"
	    " webhook_url, api_key_enc, api_secret_enc, signing_secret_enc,"
	    " config_data, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* org 0: of any organization (the incoming endpoint has no key) */
	[SQL_INTEG_LOAD] =
	    "SELECT id, org_id, public_id, name, type, status, webhook_url,"
	    " config_data, signing_secret_enc FROM integrations"
	    " WHERE public_id = ? AND (? = 0 OR org_id = ?)",
	[SQL_INTEG_ONE] =
	    "SELECT " INTEG_COLUMNS " FROM integrations"
	    " WHERE org_id = ? AND public_id = ?",
	/* One page (limit + 1 rows) in creation order, filtered. */
	[SQL_INTEG_PAGE] =
	    "SELECT " INTEG_COLUMNS " FROM integrations"
	    " WHERE org_id = ? AND id > ? AND (? IS NULL OR type = ?)"
	    " AND (? IS NULL OR status = ?) ORDER BY id LIMIT ?",
	[SQL_INTEG_LOCK] =
	    "SELECT id, name, type, status, webhook_url, config_data"
	    " FROM integrations WHERE org_id = ? AND public_id = ? FOR UPDATE",
	/* A credential kept (first of its pair 1) or replaced (NULL:
	 * removed). */
	[SQL_INTEG_UPDATE] =
	    "UPDATE integrations SET name = ?, type = ?, status = ?,"
	    " webhook_url = ?, config_data = ?,"
	    " api_key_enc = IF(?, api_key_enc, ?),"
	    " api_secret_enc = IF(?, api_secret_enc, ?),"
	    " last_error = IF(? = 'error', last_error, NULL),"
	    " updated_at = CURRENT_TIMESTAMP(3) WHERE org_id = ? AND id = ?",
	[SQL_INTEG_DELETE] =
	    "DELETE FROM integrations WHERE org_id = ? AND public_id = ?",
	[SQL_INTEG_TESTED] =
	    "UPDATE integrations SET last_tested_at = CURRENT_TIMESTAMP(3),"
	    " status = ?, last_error = ? WHERE org_id = ? AND id = ?",
	[SQL_INTEG_CREDS] =
	    "SELECT api_key_enc, api_secret_enc FROM integrations"
	    " WHERE org_id = ? AND id = ?",
	[SQL_ILOG_INSERT] =
	    "INSERT INTO integration_logs (public_id, org_id, integration_id,"
	    " direction, kind, status, http_status, duration_ms, error, headers,"
	    " body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* Newest first: a page (limit + 1 rows) below id ?, 0 for the top. */
	[SQL_ILOG_PAGE] =
	    "SELECT public_id, direction, kind, status, http_status,"
	    " duration_ms, error, created_at, id FROM integration_logs"
	    " WHERE org_id = ? AND integration_id = ? AND (? = 0 OR id < ?)"
	    " ORDER BY id DESC LIMIT ?",
};

const struct db_stmts integ_stmts = {
	"integrations", integ_sql, INTEG_SQL__MAX, NULL, 0
};

static const char *const integ_types[] = { "webhook", "api", NULL };
static const char *const integ_statuses[] = {
	"active", "inactive", "error", NULL
};

const char *
integ_type_name(enum integ_type t)
{
	return integ_types[t == INTEG_API];
}

const char *
integ_status_name(enum integ_status s)
{
	return integ_statuses[s == INTEG_INACTIVE ? 1 : s == INTEG_ERROR ? 2 :
	    0];
}

/* --- loading one, and its log ---------------------------------------- */

static enum integ_status
integ_status_of(const char *s)
{
	if (strcmp(s, "inactive") == 0)
		return INTEG_INACTIVE;
	if (strcmp(s, "error") == 0)
		return INTEG_ERROR;
	return INTEG_ACTIVE;
}

/* Integration public_id of org (0: of any), its signing secret opened;
 * DB_NOTFOUND, or DB_ERROR when the secret does not open. */
enum db_code
integ_load(struct db *db, long long org, const char *id, struct integ *in)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;
	char		*secret;

	memset(in, 0, sizeof(*in));
	if ((code = db_query(db, &rows, integ_sql[SQL_INTEG_LOAD], DB_PARAMS(
	    DB_STR(id), DB_INT(org), DB_INT(org)))) != DB_OK)
		return code;
	if (rows->nrows == 0) {
		db_rows_free(rows);
		return DB_NOTFOUND;
	}
	in->rowid = atoll(db_cell(rows, 0, 0));
	in->org_id = atoll(db_cell(rows, 0, 1));
	snprintf(in->id, sizeof(in->id), "%s", db_cell(rows, 0, 2));
	snprintf(in->name, sizeof(in->name), "%s", db_cell(rows, 0, 3));
	in->type = strcmp(db_cell(rows, 0, 4), "api") == 0 ? INTEG_API :
	    INTEG_WEBHOOK;
	in->status = integ_status_of(db_cell(rows, 0, 5));
	if (db_cell(rows, 0, 6) != NULL)
		in->webhook_url = strdup(db_cell(rows, 0, 6));
	if ((in->config = json_tokener_parse(db_cell(rows, 0, 7))) == NULL ||
	    !json_object_is_type(in->config, json_type_object)) {
		json_object_put(in->config);
		in->config = json_object_new_object();
	}
	secret = integ_open(in->org_id, in->id, "signing_secret",
	    (const unsigned char *)db_cell(rows, 0, 8), rows->lens[8]);
	db_rows_free(rows);
	if (secret == NULL || strlen(secret) >= sizeof(in->signing_secret)) {
		log_error("integrations: cannot open the signing secret of %s "
		    "(master key changed, or the row was tampered with)",
		    in->id);
		integ_secret_free(secret);
		integ_free(in);
		return DB_ERROR;
	}
	snprintf(in->signing_secret, sizeof(in->signing_secret), "%s", secret);
	integ_secret_free(secret);
	return DB_OK;
}

void
integ_free(struct integ *in)
{
	if (in == NULL)
		return;
	free(in->webhook_url);
	json_object_put(in->config);
	sodium_memzero(in->signing_secret, sizeof(in->signing_secret));
	in->webhook_url = NULL;
	in->config = NULL;
}

/* One line of in's log (e->id gets its public id). Bodies are kept to
 * their first 64 KiB; errors to the column's 1000 characters. */
enum db_code
integ_log_write(struct db *db, const struct integ *in,
    struct integ_log_entry *e)
{
	size_t	 blen = e->body_len > 65536 ? 65536 : e->body_len;
	char	 err[1000 * 4 + 1];
	size_t	 n;

	crypto_uuid7(e->id);
	if (e->error != NULL) {
		/* cut at 1000 characters, on a character boundary */
		snprintf(err, sizeof(err), "%s", e->error);
		for (n = strlen(err); util_utf8_chars(err) > 1000 && n > 0;)
			err[--n] = '\0';
		while (n > 0 && !util_utf8_valid(err, n))
			err[--n] = '\0';
	}
	return db_exec(db, integ_sql[SQL_ILOG_INSERT], DB_PARAMS(
	    DB_STR(e->id), DB_INT(in->org_id), DB_INT(in->rowid),
	    DB_STR(e->direction), DB_STR(e->kind), DB_STR(e->status),
	    e->http_status > 0 ? DB_INT(e->http_status) : DB_NULL,
	    e->duration_ms >= 0 ? DB_INT(e->duration_ms) : DB_NULL,
	    DB_STR(e->error != NULL ? err : NULL), DB_STR(e->headers),
	    e->body != NULL ? DB_BLOB(e->body, blen) : DB_NULL));
}

/* --- the JSON shape ------------------------------------------------- */

/* Row i of INTEG_COLUMNS as the API answers it; the webhook URL whole or
 * masked after its host (lists). */
static struct json_object *
integ_row_json(const struct conf *conf, const struct db_rows *rows,
    size_t i, int mask)
{
	struct json_object	*o = json_object_new_object(), *cfg;
	const char		*url = db_cell(rows, i, IC_URL);
	char			 masked[600], incoming[700];

	json_put_str(o, "id", db_cell(rows, i, IC_ID));
	json_put_str(o, "name", db_cell(rows, i, IC_NAME));
	json_put_str(o, "type", db_cell(rows, i, IC_TYPE));
	json_put_str(o, "status", db_cell(rows, i, IC_STATUS));
	if (url != NULL && mask) {
		integ_mask_url(url, masked, sizeof(masked));
		url = masked;
	}
	json_put_str(o, "webhook_url", url);
	json_object_object_add(o, "has_api_key", json_object_new_boolean(
	    strcmp(db_cell(rows, i, IC_HAS_KEY), "1") == 0));
	json_object_object_add(o, "has_api_secret", json_object_new_boolean(
	    strcmp(db_cell(rows, i, IC_HAS_SECRET), "1") == 0));
	if ((cfg = json_tokener_parse(db_cell(rows, i, IC_CONFIG))) == NULL)
		cfg = json_object_new_object();
	json_object_object_add(o, "config_data", cfg);
	json_object_object_add(o, "last_tested_at",
	    json_time(db_cell(rows, i, IC_TESTED)));
	json_put_str(o, "last_error", db_cell(rows, i, IC_ERROR));
	integ_incoming_url(conf, db_cell(rows, i, IC_ID), incoming,
	    sizeof(incoming));
	json_put_str(o, "incoming_url", incoming);
	json_object_object_add(o, "created_at",
	    json_time(db_cell(rows, i, IC_CREATED)));
	json_object_object_add(o, "updated_at",
	    json_time(db_cell(rows, i, IC_UPDATED)));
	return o;
}

/* Where senders post to integration id: base_url + the receive path. */
void
integ_incoming_url(const struct conf *conf, const char *id, char *out,
    size_t outsz)
{
	const char	*base = conf->base_url ? conf->base_url : "";
	size_t		 n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	snprintf(out, outsz, "%.*s/api/v1/webhooks/receive/%s", (int)n, base,
	    id);
}

/* Integration id of org as the single GET shows it, or NULL (*code). */
struct json_object *
integ_fetch_json(struct db *db, const struct conf *conf, long long org,
    const char *id, enum db_code *code)
{
	struct db_rows		*rows = NULL;
	struct json_object	*o = NULL;

	if ((*code = db_query(db, &rows, integ_sql[SQL_INTEG_ONE], DB_PARAMS(
	    DB_INT(org), DB_STR(id)))) != DB_OK)
		return NULL;
	if (rows->nrows == 0)
		*code = DB_NOTFOUND;
	else
		o = integ_row_json(conf, rows, 0, 0);
	db_rows_free(rows);
	return o;
}

/* --- the writes, shared with the console ---------------------------- */

/* The stored row a change starts from (SQL_INTEG_LOCK). */
struct integ_cur {
	long long	 rowid;
	char		*name, *type, *status, *url, *config;
};

static void
integ_cur_free(struct integ_cur *c)
{
	free(c->name);
	free(c->type);
	free(c->status);
	free(c->url);
	free(c->config);
}

/* 1 when s is a JSON object's text; else 0. */
static int
integ_config_ok(const char *s, const struct conf *conf, char *why,
    size_t whysz)
{
	struct json_object	*o = json_tokener_parse(s), *base;
	int			 ok = 1;
	char			 uwhy[200];

	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		snprintf(why, whysz, "config_data: expected a JSON object");
		ok = 0;
	} else if (json_object_object_get_ex(o, "base_url", &base) &&
	    base != NULL) {
		if (!json_object_is_type(base, json_type_string)) {
			snprintf(why, whysz, "config_data.base_url: expected "
			    "a string");
			ok = 0;
		} else if (!integ_url_ok(conf, json_object_get_string(base),
		    uwhy, sizeof(uwhy))) {
			snprintf(why, whysz, "config_data.base_url: %s", uwhy);
			ok = 0;
		}
	}
	json_object_put(o);
	return ok;
}

/* Check the merged fields (each set by now). 1 when whole; else why. */
static int
integ_check(const struct conf *conf, const char *name, const char *type,
    const char *status, const char *url, const char *config,
    const struct integ_in *in, char *why, size_t whysz)
{
	size_t	 n = name ? util_utf8_chars(name) : 0;
	char	 uwhy[200];

	if (n < 1 || n > 255) {
		snprintf(why, whysz, "name: expected 1 to 255 characters");
		return 0;
	}
	if (type == NULL || (strcmp(type, "webhook") != 0 &&
	    strcmp(type, "api") != 0)) {
		snprintf(why, whysz, "type: expected webhook or api");
		return 0;
	}
	if (status == NULL || (strcmp(status, "active") != 0 &&
	    strcmp(status, "inactive") != 0 && strcmp(status, "error") != 0)) {
		snprintf(why, whysz, "status: expected active or inactive");
		return 0;
	}
	if (url == NULL && strcmp(type, "webhook") == 0) {
		snprintf(why, whysz, "webhook_url: is required for a webhook "
		    "integration");
		return 0;
	}
	if (url != NULL && !integ_url_ok(conf, url, uwhy, sizeof(uwhy))) {
		snprintf(why, whysz, "webhook_url: %s", uwhy);
		return 0;
	}
	if ((in->api_key && strlen(in->api_key) > 4096) ||
	    (in->api_secret && strlen(in->api_secret) > 4096)) {
		snprintf(why, whysz, "%s: at most 4096 bytes",
		    in->api_key && strlen(in->api_key) > 4096 ? "api_key" :
		    "api_secret");
		return 0;
	}
	return integ_config_ok(config, conf, why, whysz);
}

/* Row of org's integration id, locked, into c; 0 none, -1 failure. */
static int
integ_lock(struct db *db, long long org, const char *id, struct integ_cur *c)
{
	struct db_rows	*rows = NULL;
	int		 found;

	memset(c, 0, sizeof(*c));
	if (db_query(db, &rows, integ_sql[SQL_INTEG_LOCK], DB_PARAMS(
	    DB_INT(org), DB_STR(id))) != DB_OK)
		return -1;
	if ((found = rows->nrows > 0)) {
		c->rowid = atoll(db_cell(rows, 0, 0));
		c->name = strdup(db_cell(rows, 0, 1));
		c->type = strdup(db_cell(rows, 0, 2));
		c->status = strdup(db_cell(rows, 0, 3));
		c->url = db_cell(rows, 0, 4) ? strdup(db_cell(rows, 0, 4)) :
		    NULL;
		c->config = strdup(db_cell(rows, 0, 5));
	}
	db_rows_free(rows);
	return found;
}

/* A credential's sealed form for the write: *keep 1 (no change), or the
 * sealed bytes in out (*n 0: removed). */
static void
integ_cred_seal(long long org, const char *id, const char *field,
    const char *value, int clear, int *keep, unsigned char *out, size_t *n)
{
	*n = 0;
	*keep = !clear;
	if (value != NULL && value[0] != '\0') {
		*keep = 0;
		*n = integ_seal(org, id, field, value, strlen(value), out);
	}
}

static struct db_param
integ_cred_param(const unsigned char *sealed, size_t n)
{
	return n > 0 ? DB_BLOB(sealed, n) : DB_NULL;
}

static int
integ_insert(struct db *db, long long org, const struct integ_in *in,
    const char *config, const char *actor, char out_id[37], char secret[64])
{
	unsigned char	 key[4096 + CRYPTO_SEAL_AD_OVERHEAD];
	unsigned char	 sec[4096 + CRYPTO_SEAL_AD_OVERHEAD];
	unsigned char	 sign[64 + CRYPTO_SEAL_AD_OVERHEAD];
	size_t		 nkey, nsec, nsign;
	int		 keep;
	enum db_code	 code;

	crypto_uuid7(out_id);
	integ_new_signing_secret(secret);
	nsign = integ_seal(org, out_id, "signing_secret", secret,
	    strlen(secret), sign);
	integ_cred_seal(org, out_id, "api_key", in->api_key, 1, &keep, key,
	    &nkey);
	integ_cred_seal(org, out_id, "api_secret", in->api_secret, 1, &keep,
	    sec, &nsec);
	code = db_exec(db, integ_sql[SQL_INTEG_INSERT], DB_PARAMS(
	    DB_STR(out_id), DB_INT(org), DB_STR(in->name), DB_STR(in->type),
	    DB_STR(in->status ? in->status : "active"), DB_STR(in->webhook_url),
	    integ_cred_param(key, nkey), integ_cred_param(sec, nsec),
	    DB_BLOB(sign, nsign), DB_STR(config), DB_STR(actor)));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(sec, sizeof(sec));
	return code == DB_OK ? 0 : 503;
}

static int
integ_update(struct db *db, long long org, const char *id,
    const struct integ_cur *c, const struct integ_in *in, const char *name,
    const char *type, const char *status, const char *url,
    const char *config)
{
	unsigned char	 key[4096 + CRYPTO_SEAL_AD_OVERHEAD];
	unsigned char	 sec[4096 + CRYPTO_SEAL_AD_OVERHEAD];
	size_t		 nkey, nsec;
	int		 keepkey, keepsec;
	enum db_code	 code;

	integ_cred_seal(org, id, "api_key", in->api_key, in->clear_credentials,
	    &keepkey, key, &nkey);
	integ_cred_seal(org, id, "api_secret", in->api_secret,
	    in->clear_credentials, &keepsec, sec, &nsec);
	code = db_exec(db, integ_sql[SQL_INTEG_UPDATE], DB_PARAMS(
	    DB_STR(name), DB_STR(type), DB_STR(status), DB_STR(url),
	    DB_STR(config), DB_INT(keepkey), integ_cred_param(key, nkey),
	    DB_INT(keepsec), integ_cred_param(sec, nsec), DB_STR(status),
	    DB_INT(org), DB_INT(c->rowid)));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(sec, sizeof(sec));
	return code == DB_OK ? 0 : 503;
}

/*
 * Create (id NULL) or change integration id of org from in, in the
 * caller's transaction: a change keeps what in leaves NULL (and empty
 * credentials). 0 with the public id in out_id (and, on creation, the
 * signing secret, shown once, in secret); 422 with why naming the field;
 * 404; 503.
 */
int
integ_write(struct db *db, const struct conf *conf, long long org,
    const char *id, const struct integ_in *in, const char *actor,
    char out_id[37], char secret[64], char *why, size_t whysz)
{
	struct integ_cur	 c;
	const char		*name, *type, *status, *url, *config;
	int			 found, rc;

	memset(&c, 0, sizeof(c));
	secret[0] = '\0';
	if (in->status != NULL && strcmp(in->status, "error") == 0) {
		snprintf(why, whysz, "status: error is set by the system; "
		    "expected active or inactive");
		return 422;
	}
	if (id != NULL) {
		if ((found = integ_lock(db, org, id, &c)) < 0)
			return 503;
		if (found == 0) {
			snprintf(why, whysz, "no integration %s", id);
			return 404;
		}
	}
	name = in->name ? in->name : c.name;
	type = in->type ? in->type : c.type;
	status = in->status ? in->status : c.status ? c.status : "active";
	url = in->webhook_url ? (in->webhook_url[0] ? in->webhook_url : NULL) :
	    c.url;
	config = in->config ? in->config : c.config ? c.config : "{}";
	if (!integ_check(conf, name, type, status, url, config, in, why,
	    whysz))
		rc = 422;
	else if (id == NULL) {
		struct integ_in	 full = *in;

		full.webhook_url = url;
		rc = integ_insert(db, org, &full, config, actor, out_id,
		    secret);
	} else {
		snprintf(out_id, 37, "%s", id);
		rc = integ_update(db, org, id, &c, in, name, type, status, url,
		    config);
	}
	integ_cur_free(&c);
	return rc;
}

/* Remove integration id of org (its logs and receipts go with it by
 * cascade): 0, 404 or 503. */
int
integ_remove(struct db *db, long long org, const char *id)
{
	if (db_exec(db, integ_sql[SQL_INTEG_DELETE], DB_PARAMS(DB_INT(org),
	    DB_STR(id))) != DB_OK)
		return 503;
	return db_affected(db) > 0 ? 0 : 404;
}

/* --- reading the body ----------------------------------------------- */

/* valid.c answers 400; a field the body has but cannot be taken is 422
 * here (the body itself was read). */
static int
integ_field_failed(struct req *r)
{
	if (r->out.status == 400)
		r->out.status = 422;
	return 0;
}

/* in from JSON body b (create: name and type required); 0 after
 * answering. in's strings are borrowed from b, config owned (free). */
static int
integ_read(struct req *r, struct json_object *b, struct integ_in *in,
    int create)
{
	static const char *const statuses[] = {
		"active", "inactive", "error", NULL
	};
	struct json_object	*cfg;
	int			 clear = 0;

	memset(in, 0, sizeof(*in));
	if (!valid_object(r, b))
		return 0;
	if (!valid_string(r, b, "name", create, 1, 255, &in->name) ||
	    !valid_enum(r, b, "type", create, integ_types, &in->type) ||
	    !valid_enum(r, b, "status", 0, statuses, &in->status) ||
	    !valid_string(r, b, "webhook_url", 0, 0, 2048, &in->webhook_url) ||
	    !valid_string(r, b, "api_key", 0, 0, 4096, &in->api_key) ||
	    !valid_string(r, b, "api_secret", 0, 0, 4096, &in->api_secret) ||
	    !valid_bool(r, b, "clear_credentials", &clear))
		return integ_field_failed(r);
	in->clear_credentials = clear == 1;
	if ((cfg = valid_get(b, "config_data")) != NULL) {
		if (!json_object_is_type(cfg, json_type_object)) {
			req_resp_error(r, 422, "invalid_body", "config_data: "
			    "expected a JSON object");
			return 0;
		}
		in->config = json_to_str(cfg);
	}
	return 1;
}

/* --- handlers ------------------------------------------------------- */

static void
integ_db_error(struct req *r)
{
	req_resp_error(r, 503, NULL, "database unavailable");
}

/* Answer integration id of the caller's organization with status. */
static void
integ_answer(struct req *r, int status, const char *id, const char *secret)
{
	struct json_object	*o;
	enum db_code		 code;

	if ((o = integ_fetch_json(r->db, r->conf, r->principal.org_id, id,
	    &code)) == NULL) {
		if (code == DB_NOTFOUND)
			req_resp_error(r, 404, NULL, "no integration %s", id);
		else
			integ_db_error(r);
		return;
	}
	if (secret != NULL && secret[0] != '\0')
		json_put_str(o, "signing_secret", secret);
	req_resp_json(r, status, o);
}

static const char *
integ_actor(const struct req *r)
{
	if (r->principal.user_name[0] != '\0')
		return r->principal.user_name;
	return r->principal.key_public_id[0] ? r->principal.key_public_id :
	    NULL;
}

static void
integ_answer_write(struct req *r, int rc, int ok, const char *id,
    const char *secret, const char *why)
{
	if (rc == 0)
		integ_answer(r, ok, id, secret);
	else if (rc == 503)
		integ_db_error(r);
	else
		req_resp_error(r, rc, rc == 422 ? "invalid_body" : NULL, "%s",
		    why);
}

/* POST /api/v1/integrations: 201 with the signing secret (shown once). */
void
integ_api_create(struct req *r)
{
	struct json_object	*b;
	struct integ_in		 in;
	char			 id[37], secret[64], why[300];
	int			 rc;

	if ((b = req_json_body(r)) == NULL)
		return;
	if (integ_read(r, b, &in, 1)) {
		rc = integ_write(r->db, r->conf, r->principal.org_id, NULL,
		    &in, integ_actor(r), id, secret, why, sizeof(why));
		integ_answer_write(r, rc, 201, id, secret, why);
		sodium_memzero(secret, sizeof(secret));
	}
	json_object_put(b);
}

/* PATCH and PUT /api/v1/integrations/{id}: the fields sent change. */
void
integ_api_update(struct req *r)
{
	struct json_object	*b;
	struct integ_in		 in;
	char			 id[37], secret[64], why[300];
	int			 rc;

	if ((b = req_json_body(r)) == NULL)
		return;
	if (integ_read(r, b, &in, 0)) {
		rc = integ_write(r->db, r->conf, r->principal.org_id,
		    r->args[0], &in, integ_actor(r), id, secret, why,
		    sizeof(why));
		integ_answer_write(r, rc, 200, id, NULL, why);
	}
	json_object_put(b);
}

/* GET /api/v1/integrations/{id}: the webhook URL whole. */
void
integ_api_get(struct req *r)
{
	integ_answer(r, 200, r->args[0], NULL);
}

/* DELETE /api/v1/integrations/{id}: 204 or 404. */
void
integ_api_delete(struct req *r)
{
	switch (integ_remove(r->db, r->principal.org_id, r->args[0])) {
	case 0:
		req_resp_written(r, 204);
		break;
	case 404:
		req_resp_error(r, 404, NULL, "no integration %s", r->args[0]);
		break;
	default:
		integ_db_error(r);
		break;
	}
}

/* Rows of org's integrations after after_id (limit + 1 of them),
 * filtered by type and status (NULL: any). */
enum db_code
integ_page(struct db *db, long long org, long long after_id, long long limit,
    const char *type, const char *status, struct db_rows **rows)
{
	return db_query(db, rows, integ_sql[SQL_INTEG_PAGE], DB_PARAMS(
	    DB_INT(org), DB_INT(after_id), DB_STR(type), DB_STR(type),
	    DB_STR(status), DB_STR(status), DB_INT(limit + 1)));
}

/* GET /api/v1/integrations?type=&status=&limit=&cursor=: creation
 * order, webhook URLs masked after the host. */
void
integ_api_list(struct req *r)
{
	struct page		 pg;
	struct db_rows		*rows = NULL;
	struct json_object	*arr;
	char			*type = NULL, *status = NULL;
	size_t			 i, n;

	if (!page_parse(r, &pg) ||
	    !query_enum(r, "type", integ_types, &type) ||
	    !query_enum(r, "status", integ_statuses, &status))
		goto out;
	if (integ_page(r->db, r->principal.org_id, pg.after_id, pg.limit, type,
	    status, &rows) != DB_OK) {
		integ_db_error(r);
		goto out;
	}
	arr = json_object_new_array();
	n = rows->nrows > (size_t)pg.limit ? (size_t)pg.limit : rows->nrows;
	for (i = 0; i < n; i++)
		json_object_array_add(arr, integ_row_json(r->conf, rows, i, 1));
	page_respond(r, arr, n ? atoll(db_cell(rows, n - 1, IC_ROWID)) : 0,
	    rows->nrows > n);
out:
	db_rows_free(rows);
	free(type);
	free(status);
}

/* --- tests and logs ------------------------------------------------- */

/* The stored credentials of in, opened: *key and *secret new strings
 * (NULL when none is stored); 0 when one is stored but does not open
 * (moved to another row, tampered with), -1 on a database failure. */
int
integ_open_creds(struct db *db, const struct integ *in, char **key,
    char **secret)
{
	struct db_rows	*rows = NULL;
	int		 ok = 1;

	*key = *secret = NULL;
	if (db_query(db, &rows, integ_sql[SQL_INTEG_CREDS], DB_PARAMS(
	    DB_INT(in->org_id), DB_INT(in->rowid))) != DB_OK)
		return -1;
	if (rows->nrows == 0) {
		db_rows_free(rows);
		return -1;
	}
	if (db_cell(rows, 0, 0) != NULL && (*key = integ_open(in->org_id,
	    in->id, "api_key", (const unsigned char *)db_cell(rows, 0, 0),
	    rows->lens[0])) == NULL)
		ok = 0;
	if (db_cell(rows, 0, 1) != NULL && (*secret = integ_open(in->org_id,
	    in->id, "api_secret", (const unsigned char *)db_cell(rows, 0, 1),
	    rows->lens[1])) == NULL)
		ok = 0;
	db_rows_free(rows);
	if (!ok) {
		integ_secret_free(*key);
		integ_secret_free(*secret);
		*key = *secret = NULL;
	}
	return ok;
}

/* Record a test of in: last_tested_at now; a failure sets status error
 * with its reason, a success clears an error (inactive stays). */
enum db_code
integ_tested(struct db *db, const struct integ *in, int success,
    const char *error)
{
	const char	*status = integ_status_name(in->status);

	if (!success)
		status = "error";
	else if (in->status == INTEG_ERROR)
		status = "active";
	return db_exec(db, integ_sql[SQL_INTEG_TESTED], DB_PARAMS(
	    DB_STR(status), DB_STR(success ? NULL : error),
	    DB_INT(in->org_id), DB_INT(in->rowid)));
}

/* Rows of in's log below before_id (0: the newest), limit + 1 of them. */
enum db_code
integ_log_page(struct db *db, const struct integ *in, long long before_id,
    long long limit, struct db_rows **rows)
{
	return db_query(db, rows, integ_sql[SQL_ILOG_PAGE], DB_PARAMS(
	    DB_INT(in->org_id), DB_INT(in->rowid), DB_INT(before_id),
	    DB_INT(before_id), DB_INT(limit + 1)));
}
