/*
 * keys.c - API keys of every kind in one table. The token is shown once at
 * creation; only its keyed BLAKE2b hash is stored, and lookups go by hash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "auth/auth.h"

#define KEY_RANDOM_CHARS	40
#define KEY_TOKEN_MAX		128

static const struct {
	const char	*name;
	const char	*prefix;
} kinds[KEY_KIND__MAX] = {
	[KEY_INTEGRATION] = { "integration", "rn_live_" },
	[KEY_SCIM] = { "scim", "scim_live_" },
	[KEY_INGEST] = { "ingest", "wp_live_" },
	[KEY_CLIENT] = { "client", "fc_live_" },
	[KEY_ADMIN] = { "admin", "fa_live_" },
};

enum keys_sql_id {
	SQL_KEY_INSERT, SQL_KEY_BY_HASH, SQL_KEY_TOUCH, SQL_KEY_REVOKE,
	SQL_KEY_REVOKE_ORG, SQL_KEY_LIST, KEYS_SQL__MAX
};

static const char *const keys_sql[KEYS_SQL__MAX] = {
	[SQL_KEY_INSERT] =
	    "INSERT INTO api_keys (public_id, org_id, kind, app_id, token_hash,"
	    " prefix, last4, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[SQL_KEY_BY_HASH] =
	    "SELECT k.id, k.public_id, k.org_id, k.kind, k.app_id, o.slug,"
	    " k.token_hash,"
	    " (k.last_used_at IS NULL OR"
	    "  k.last_used_at < NOW(3) - INTERVAL 60 SECOND)"
	    " FROM api_keys k JOIN organizations o ON o.id = k.org_id"
	    " WHERE k.token_hash = ? AND k.revoked_at IS NULL",
	[SQL_KEY_TOUCH] =
	    "UPDATE api_keys SET last_used_at = NOW(3) WHERE id = ?",
	[SQL_KEY_REVOKE] =
	    "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, NOW(3))"
	    " WHERE public_id = ?",
	[SQL_KEY_REVOKE_ORG] =
	    "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, NOW(3))"
	    " WHERE org_id = ? AND public_id = ?",
	[SQL_KEY_LIST] =
	    "SELECT k.public_id, k.kind, k.prefix, k.last4, k.name,"
	    " DATE_FORMAT(k.created_at, '%Y-%m-%dT%H:%i:%s.%fZ'),"
	    " DATE_FORMAT(k.last_used_at, '%Y-%m-%dT%H:%i:%s.%fZ'),"
	    " DATE_FORMAT(k.revoked_at, '%Y-%m-%dT%H:%i:%s.%fZ'), a.slug"
	    " FROM api_keys k LEFT JOIN ingest_apps a ON a.id = k.app_id"
	    " WHERE k.org_id = ? ORDER BY k.id",
};

const struct db_stmts keys_stmts = {
	"keys", keys_sql, KEYS_SQL__MAX, NULL, 0
};

const char *
keys_kind_name(enum key_kind k)
{
	return k < KEY_KIND__MAX ? kinds[k].name : "unknown";
}

const char *
keys_kind_prefix(enum key_kind k)
{
	return k < KEY_KIND__MAX ? kinds[k].prefix : "";
}

/* Kind by name ("integration", "scim", ...); 0 when unknown. */
int
keys_kind_parse(const char *name, enum key_kind *out)
{
	int	 i;

	for (i = 0; i < KEY_KIND__MAX; i++)
		if (name != NULL && strcmp(kinds[i].name, name) == 0) {
			*out = (enum key_kind)i;
			return 1;
		}
	return 0;
}

/* Kind named by a token's prefix; 0 when the token has no known prefix. */
int
keys_token_kind(const char *tok, enum key_kind *out)
{
	int	 i;

	for (i = 0; i < KEY_KIND__MAX; i++)
		if (strncmp(tok, kinds[i].prefix, strlen(kinds[i].prefix)) == 0) {
			*out = (enum key_kind)i;
			return 1;
		}
	return 0;
}

/*
 * Make a key of the given kind for org (app_id 0: none). The token goes to
 * tok (at least 64 bytes), the key's public id to out_id. 1 on success.
 */
int
keys_create(struct db *db, long long org_id, enum key_kind kind,
    long long app_id, const char *name, char *tok, size_t toksz,
    char out_id[37])
{
	char		 rnd[KEY_RANDOM_CHARS + 1];
	unsigned char	 hash[32];
	const char	*prefix = keys_kind_prefix(kind);
	size_t		 len;

	crypto_random_token(rnd, sizeof(rnd));
	if ((size_t)snprintf(tok, toksz, "%s%s", prefix, rnd) >= toksz)
		return 0;
	len = strlen(tok);
	crypto_key_hash(tok, len, hash);
	crypto_uuid7(out_id);
	return db_exec(db, keys_sql[SQL_KEY_INSERT], DB_PARAMS(DB_STR(out_id),
	    DB_INT(org_id), DB_STR(keys_kind_name(kind)), DB_ID(app_id),
	    DB_BLOB(hash, sizeof(hash)), DB_STR(prefix), DB_STR(tok + len - 4),
	    DB_STR(name))) == DB_OK;
}

/* The key row r (looked up by hash) into the principal p. */
static int
keys_fill(struct principal *p, const struct db_rows *r,
    const unsigned char hash[32])
{
	long long	 n;

	if (r->lens[6] != 32 || !crypto_equal(db_cell(r, 0, 6), hash, 32))
		return 0;
	if (!util_strtonum(db_cell(r, 0, 0), 1, INT64_MAX, &p->key_id) ||
	    !util_strtonum(db_cell(r, 0, 2), 1, INT64_MAX, &p->org_id) ||
	    !keys_kind_parse(db_cell(r, 0, 3), &p->key_kind))
		return 0;
	p->kind = PRINCIPAL_KEY;
	snprintf(p->key_public_id, sizeof(p->key_public_id), "%s",
	    db_cell(r, 0, 1));
	p->app_id = 0;
	if (db_cell(r, 0, 4) != NULL &&
	    util_strtonum(db_cell(r, 0, 4), 1, INT64_MAX, &n))
		p->app_id = n;
	snprintf(p->org_slug, sizeof(p->org_slug), "%s", db_cell(r, 0, 5));
	/* The fulfillment admin key is the operator across organizations. */
	p->platform_admin = p->key_kind == KEY_ADMIN;
	return 1;
}

/*
 * Resolve a presented token to its live key. DB_NOTFOUND for an unknown,
 * malformed or revoked token. Updates last_used_at at most once a minute
 * so that a busy key costs no write per request.
 */
enum db_code
keys_resolve(struct db *db, const char *tok, struct principal *p)
{
	struct db_rows	*r = NULL;
	struct principal found;
	unsigned char	 hash[32];
	enum key_kind	 kind;
	enum db_code	 code;
	size_t		 len = strlen(tok);

	/* Filled apart, so a refused key leaves nothing in *p. */
	memset(&found, 0, sizeof(found));
	if (len > KEY_TOKEN_MAX || !keys_token_kind(tok, &kind))
		return DB_NOTFOUND;
	crypto_key_hash(tok, len, hash);
	if ((code = db_query(db, &r, keys_sql[SQL_KEY_BY_HASH],
	    DB_PARAMS(DB_BLOB(hash, sizeof(hash))))) != DB_OK)
		return code;
	code = DB_NOTFOUND;
	if (r->nrows == 1 && keys_fill(&found, r, hash) &&
	    found.key_kind == kind) {
		code = DB_OK;
		*p = found;
		if (strcmp(db_cell(r, 0, 7), "1") == 0 &&
		    db_exec(db, keys_sql[SQL_KEY_TOUCH],
		    DB_PARAMS(DB_INT(p->key_id))) != DB_OK)
			log_warn("keys: could not record last use of %s",
			    p->key_public_id);
	}
	db_rows_free(r);
	return code;
}

/* Revoke by public id; DB_NOTFOUND when there is no such key. */
enum db_code
keys_revoke(struct db *db, const char *public_id)
{
	enum db_code	 code;

	if ((code = db_exec(db, keys_sql[SQL_KEY_REVOKE],
	    DB_PARAMS(DB_STR(public_id)))) != DB_OK)
		return code;
	return db_affected(db) > 0 ? DB_OK : DB_NOTFOUND;
}

/* Revoke a key of org only (the console); DB_NOTFOUND otherwise. */
enum db_code
keys_revoke_org(struct db *db, long long org_id, const char *public_id)
{
	enum db_code	 code;

	if ((code = db_exec(db, keys_sql[SQL_KEY_REVOKE_ORG],
	    DB_PARAMS(DB_INT(org_id), DB_STR(public_id)))) != DB_OK)
		return code;
	return db_affected(db) > 0 ? DB_OK : DB_NOTFOUND;
}

enum key_col {
	KC_ID, KC_KIND, KC_PREFIX, KC_LAST4, KC_NAME, KC_CREATED, KC_USED,
	KC_REVOKED, KC_APP
};

/*
 * The organization's keys, oldest first, into l (never the token or its
 * hash); its strings are borrowed from l. Free with keys_list_cleanup,
 * also after a failure.
 */
enum db_code
keys_list(struct db *db, long long org_id, struct api_keys *l)
{
	struct api_key	*k;
	enum db_code	 code;

	memset(l, 0, sizeof(*l));
	if ((l->v = db_query_view(db, &l->rows, sizeof(*l->v), &code,
	    keys_sql[SQL_KEY_LIST], DB_PARAMS(DB_INT(org_id)))) == NULL)
		return code;
	for (; l->n < l->rows->nrows; l->n++) {
		k = &l->v[l->n];
		k->id = db_cell(l->rows, l->n, KC_ID);
		k->kind = db_cell(l->rows, l->n, KC_KIND);
		k->prefix = db_cell(l->rows, l->n, KC_PREFIX);
		k->last4 = db_cell(l->rows, l->n, KC_LAST4);
		k->name = db_cell(l->rows, l->n, KC_NAME);
		k->created_at = db_cell(l->rows, l->n, KC_CREATED);
		k->last_used_at = db_cell(l->rows, l->n, KC_USED);
		k->revoked_at = db_cell(l->rows, l->n, KC_REVOKED);
		k->app = db_cell(l->rows, l->n, KC_APP);
	}
	return DB_OK;
}

/* Free what keys_list filled; safe on a zeroed l. */
void
keys_list_cleanup(struct api_keys *l)
{
	free(l->v);
	db_rows_free(l->rows);
	memset(l, 0, sizeof(*l));
}

/* The organization's keys as a JSON array (mihwarctl key list). */
struct json_object *
keys_list_json(struct db *db, long long org_id)
{
	struct api_keys		 l;
	struct json_object	*arr = NULL, *o;
	size_t			 i;

	if (keys_list(db, org_id, &l) != DB_OK)
		goto out;
	arr = json_object_new_array();
	for (i = 0; i < l.n; i++) {
		o = json_object_new_object();
		json_put_str(o, "id", l.v[i].id);
		json_put_str(o, "kind", l.v[i].kind);
		json_put_str(o, "prefix", l.v[i].prefix);
		json_put_str(o, "last4", l.v[i].last4);
		json_put_str(o, "name", l.v[i].name);
		json_put_str(o, "createdAt", l.v[i].created_at);
		json_put_str(o, "lastUsedAt", l.v[i].last_used_at);
		json_put_str(o, "revokedAt", l.v[i].revoked_at);
		json_put_str(o, "app", l.v[i].app);
		json_object_array_add(arr, o);
	}
out:
	keys_list_cleanup(&l);
	return arr;
}
