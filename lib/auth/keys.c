/*
 * keys.c - API keys of every kind in one table. The token is shown once at
 * creation; only its keyed BLAKE2b hash is stored, and lookups go by hash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
 * The lookup in the database: the token's hash (from keys_resolve) to its
 * live key in *p. Updates last_used_at at most once a minute, so that a
 * busy key costs no write per request.
 */
static enum db_code
keys_lookup(struct db *db, enum key_kind kind, const unsigned char hash[32],
    struct principal *p)
{
	struct db_rows	*r = NULL;
	enum db_code	 code;

	if ((code = db_query(db, &r, keys_sql[SQL_KEY_BY_HASH],
	    DB_PARAMS(DB_BLOB(hash, 32)))) != DB_OK)
		return code;
	code = DB_NOTFOUND;
	if (r->nrows == 1 && keys_fill(p, r, hash) && p->key_kind == kind) {
		code = DB_OK;
		if (strcmp(db_cell(r, 0, 7), "1") == 0 &&
		    db_exec(db, keys_sql[SQL_KEY_TOUCH],
		    DB_PARAMS(DB_INT(p->key_id))) != DB_OK)
			log_warn("keys: could not record last use of %s",
			    p->key_public_id);
	}
	db_rows_free(r);
	return code;
}

/*
 * The per-process key cache: a token's hash to what the lookup found (a
 * live key; never a refusal), kept for at most key_cache_seconds, so that
 * an authenticated request makes one database round trip instead of two.
 * A revocation in this process drops the key's entry at once
 * (keys_cache_drop); one in another process (another FastCGI process,
 * mihwarctl) reaches this one when the entry ages out. Only a miss looks
 * in the database, so last_used_at is written as before, at most once a
 * minute, by whichever process looks the key up next.
 */
struct keys_cached {
	unsigned char	 hash[32];
	int64_t		 fetched_ms;	/* monotonic; 0: an empty slot */
	long long	 key_id, org_id, app_id;
	enum key_kind	 key_kind;
	char		 key_public_id[37];
	char		 org_slug[64];
};
static struct keys_cached	 keys_cache[KEYS_CACHE_MAX];
static size_t			 keys_cache_n;	/* slots ever used */

/* Milliseconds of the monotonic clock (never 0 on a running system). */
int64_t
keys_cache_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
keys_cache_live(const struct keys_cached *e, int64_t now_ms,
    long long seconds)
{
	return e->fetched_ms != 0 && now_ms - e->fetched_ms < seconds * 1000 &&
	    now_ms >= e->fetched_ms;
}

/* The slot holding hash, or NULL. The 8-byte prefilter compares keyed
 * hashes, which tell a caller timing them nothing about a token (as the
 * database's index lookup by hash); the match is confirmed in constant
 * time. */
static struct keys_cached *
keys_cache_find(const unsigned char hash[32])
{
	size_t	 i;

	for (i = 0; i < keys_cache_n; i++)
		if (keys_cache[i].fetched_ms != 0 &&
		    memcmp(keys_cache[i].hash, hash, 8) == 0 &&
		    crypto_equal(keys_cache[i].hash, hash, 32))
			return &keys_cache[i];
	return NULL;
}

/*
 * The live entry of hash into *p (a key principal); 1 on a hit, 0 when
 * there is none, or it is older than seconds (0: the cache is off).
 */
int
keys_cache_get(const unsigned char hash[32], int64_t now_ms,
    long long seconds, struct principal *p)
{
	const struct keys_cached *e;

	if (seconds <= 0 || (e = keys_cache_find(hash)) == NULL ||
	    !keys_cache_live(e, now_ms, seconds))
		return 0;
	memset(p, 0, sizeof(*p));
	p->kind = PRINCIPAL_KEY;
	p->key_id = e->key_id;
	p->org_id = e->org_id;
	p->app_id = e->app_id;
	p->key_kind = e->key_kind;
	p->platform_admin = e->key_kind == KEY_ADMIN;
	memcpy(p->key_public_id, e->key_public_id, sizeof(p->key_public_id));
	memcpy(p->org_slug, e->org_slug, sizeof(p->org_slug));
	return 1;
}

/* The slot for a new entry: hash's own, an empty or the oldest one. */
static struct keys_cached *
keys_cache_slot(const unsigned char hash[32])
{
	struct keys_cached	*e, *oldest = NULL;
	size_t			 i;

	if ((e = keys_cache_find(hash)) != NULL)
		return e;
	for (i = 0; i < keys_cache_n; i++)
		if (oldest == NULL ||
		    keys_cache[i].fetched_ms < oldest->fetched_ms)
			oldest = &keys_cache[i];
	if (oldest != NULL && oldest->fetched_ms == 0)
		return oldest;
	if (keys_cache_n < KEYS_CACHE_MAX)
		return &keys_cache[keys_cache_n++];
	return oldest;
}

/* Remember the key principal p found at now_ms under hash (KEYS_CACHE_MAX
 * entries at most: a new one replaces the oldest). */
void
keys_cache_put(const unsigned char hash[32], int64_t now_ms,
    const struct principal *p)
{
	struct keys_cached	*e = keys_cache_slot(hash);

	memset(e, 0, sizeof(*e));
	memcpy(e->hash, hash, sizeof(e->hash));
	e->fetched_ms = now_ms;
	e->key_id = p->key_id;
	e->org_id = p->org_id;
	e->app_id = p->app_id;
	e->key_kind = p->key_kind;
	memcpy(e->key_public_id, p->key_public_id, sizeof(e->key_public_id));
	memcpy(e->org_slug, p->org_slug, sizeof(e->org_slug));
}

/* Forget the key public_id (revoked by this process). */
void
keys_cache_drop(const char *public_id)
{
	size_t	 i;

	for (i = 0; i < keys_cache_n; i++)
		if (keys_cache[i].fetched_ms != 0 &&
		    strcmp(keys_cache[i].key_public_id, public_id) == 0)
			memset(&keys_cache[i], 0, sizeof(keys_cache[i]));
}

/* Forget every entry. */
void
keys_cache_clear(void)
{
	memset(keys_cache, 0, sizeof(keys_cache));
	keys_cache_n = 0;
}

/*
 * Resolve a presented token to its live key: from the per-process cache
 * when it was looked up less than cache_seconds ago (0: always from the
 * database), else from the database, then cached. DB_NOTFOUND for an
 * unknown, malformed or revoked token; refusals are never cached, so a
 * key made a moment ago works at once.
 */
enum db_code
keys_resolve(struct db *db, const char *tok, long long cache_seconds,
    struct principal *p)
{
	struct principal found;
	unsigned char	 hash[32];
	enum key_kind	 kind;
	enum db_code	 code;
	size_t		 len = strlen(tok);
	int64_t		 now;

	/* Filled apart, so a refused key leaves nothing in *p. */
	memset(&found, 0, sizeof(found));
	if (len > KEY_TOKEN_MAX || !keys_token_kind(tok, &kind))
		return DB_NOTFOUND;
	crypto_key_hash(tok, len, hash);
	now = keys_cache_now_ms();
	if (keys_cache_get(hash, now, cache_seconds, &found) &&
	    found.key_kind == kind) {
		*p = found;
		return DB_OK;
	}
	if ((code = keys_lookup(db, kind, hash, &found)) != DB_OK)
		return code;
	if (cache_seconds > 0)
		keys_cache_put(hash, now, &found);
	*p = found;
	return DB_OK;
}

/* Revoke by public id; DB_NOTFOUND when there is no such key. (Run by
 * mihwarctl, another process: the pool's caches let the key go within
 * key_cache_seconds.) */
enum db_code
keys_revoke(struct db *db, const char *public_id)
{
	enum db_code	 code;

	keys_cache_drop(public_id);
	if ((code = db_exec(db, keys_sql[SQL_KEY_REVOKE],
	    DB_PARAMS(DB_STR(public_id)))) != DB_OK)
		return code;
	return db_affected(db) > 0 ? DB_OK : DB_NOTFOUND;
}

/*
 * Revoke a key of org only (the console); DB_NOTFOUND otherwise. The key
 * stops working in this process at once: its cache entry goes now (the
 * next request here comes after the pipeline's commit).
 */
enum db_code
keys_revoke_org(struct db *db, long long org_id, const char *public_id)
{
	enum db_code	 code;

	keys_cache_drop(public_id);
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
