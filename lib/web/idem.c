/*
 * idem.c - Idempotency-Key for every family. A request with a key first
 * claims (API key, Idempotency-Key) with an in-flight row, committed at
 * once so that concurrent duplicates see it (409). The pipeline's
 * transaction around the handler (app.c) then records the answer in that
 * row before it commits, so the stored answer and the write it describes
 * land together or not at all. Keys belong to the API key that sent them;
 * a family with no replay window, or a caller that is not a key, keeps
 * none. A retry replays the stored answer byte for byte; the same key with
 * another request is 422. Only 2xx answers are kept.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "web/web.h"

struct idem {
	long long	 key_id;
	char		 key[IDEM_KEY_MAX + 1];
	int		 stored;
};

enum idem_sql_id {
	SQL_IDEM_CLAIM, SQL_IDEM_GET, SQL_IDEM_TAKEOVER, SQL_IDEM_DONE,
	SQL_IDEM_RELEASE, IDEM_SQL__MAX
};

static const char *const idem_sql[IDEM_SQL__MAX] = {
	[SQL_IDEM_CLAIM] =
	    "INSERT INTO idempotency_keys (api_key_id, idem_key, fingerprint, state,"
	    " expires_at) VALUES (?, ?, ?, 'in_flight', NOW(3) + INTERVAL ? SECOND)",
	[SQL_IDEM_GET] =
	    "SELECT fingerprint, state, status, body, expires_at < NOW(3),"
	    " created_at < NOW(3) - INTERVAL 120 SECOND"
	    " FROM idempotency_keys WHERE api_key_id = ? AND idem_key = ?",
	/* An expired row, or an in-flight one whose process died, is taken over. */
	[SQL_IDEM_TAKEOVER] =
	    "UPDATE idempotency_keys SET fingerprint = ?, state = 'in_flight',"
	    " status = NULL, body = NULL, created_at = NOW(3),"
	    " expires_at = NOW(3) + INTERVAL ? SECOND"
	    " WHERE api_key_id = ? AND idem_key = ? AND (expires_at < NOW(3) OR"
	    " (state = 'in_flight' AND created_at < NOW(3) - INTERVAL 120 SECOND))",
	[SQL_IDEM_DONE] =
	    "UPDATE idempotency_keys SET state = 'done', status = ?, body = ?"
	    " WHERE api_key_id = ? AND idem_key = ?",
	[SQL_IDEM_RELEASE] =
	    "DELETE FROM idempotency_keys"
	    " WHERE api_key_id = ? AND idem_key = ? AND state = 'in_flight'",
};

const struct db_stmts idem_stmts = {
	"idem", idem_sql, IDEM_SQL__MAX, NULL, 0
};

enum idem_col { IC_PRINT, IC_STATE, IC_STATUS, IC_BODY, IC_EXPIRED, IC_STALE };

/* The key without surrounding quotes; 0 when empty, long or unprintable. */
int
idem_key_parse(const char *h, char out[IDEM_KEY_MAX + 1])
{
	size_t	 n = strlen(h), i;

	if (n >= 2 && h[0] == '"' && h[n - 1] == '"') {
		h++;
		n -= 2;
	}
	if (n == 0 || n > IDEM_KEY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)h[i] < 0x20 || (unsigned char)h[i] > 0x7e)
			return 0;
	memcpy(out, h, n);
	out[n] = '\0';
	return 1;
}

/* What makes two requests "the same": method, path, query and body. */
static void
idem_fingerprint(const struct req *r, unsigned char out[32])
{
	crypto_generichash_state	 st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const unsigned char *)r->in.method,
	    strlen(r->in.method) + 1);
	crypto_generichash_update(&st, (const unsigned char *)r->in.path,
	    strlen(r->in.path) + 1);
	crypto_generichash_update(&st, (const unsigned char *)r->in.query,
	    strlen(r->in.query) + 1);
	crypto_generichash_update(&st, (const unsigned char *)
	    (r->in.body.data ? r->in.body.data : ""), r->in.body.len);
	crypto_generichash_final(&st, out, 32);
}

static void
idem_replay(struct req *r, const struct db_rows *row)
{
	long long	 status;

	if (!util_strtonum(db_cell(row, 0, IC_STATUS), 200, 299, &status)) {
		req_resp_error(r, 500, NULL, "stored answer unreadable");
		return;
	}
	r->out.status = (int)status;
	r->out.body.len = 0;
	buf_append(&r->out.body, db_cell(row, 0, IC_BODY),
	    row->lens[IC_BODY]);
	r->out.content_type = "application/json";
	req_resp_header(r, "Idempotent-Replayed", "true");
}

/* Judge an existing row: replay, refuse, or 1 to try to take it over. */
static int
idem_existing(struct req *r, const char *key, const unsigned char fp[32],
    enum idem_res *res)
{
	struct db_rows	*row = NULL;
	int		 takeover = 0;

	*res = IDEM_ANSWERED;
	if (db_query(r->db, &row, idem_sql[SQL_IDEM_GET],
	    DB_PARAMS(DB_INT(r->principal.key_id), DB_STR(key))) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		return 0;
	}
	if (row->nrows == 0)
		takeover = 1;		/* released meanwhile: claim again */
	else if (strcmp(db_cell(row, 0, IC_EXPIRED), "1") == 0 ||
	    (strcmp(db_cell(row, 0, IC_STATE), "in_flight") == 0 &&
	    strcmp(db_cell(row, 0, IC_STALE), "1") == 0))
		takeover = 1;
	else if (row->lens[IC_PRINT] != 32 ||
	    !crypto_equal(db_cell(row, 0, IC_PRINT), fp, 32))
		req_resp_error(r, 422, "idempotency_key_reused", "Idempotency-"
		    "Key: already used for a different request");
	else if (strcmp(db_cell(row, 0, IC_STATE), "in_flight") == 0)
		req_resp_error(r, 409, r->family->code_idem_busy, "Idempotency-"
		    "Key: the first request with this key is still running");
	else
		idem_replay(r, row);
	db_rows_free(row);
	return takeover;
}

/* The claim is ours: the request runs under it. */
static enum idem_res
idem_claimed(struct req *r, struct idem *claim)
{
	r->idem = claim;
	return IDEM_PROCEED;
}

/* Release the key's in-flight claim; a second try when the connection
 * was lost (its database node gone: the next one is tried), since an
 * unreleased claim answers 409 to the client's retries for 120 s. The
 * delete only matches a claim still in flight, so it is safe to repeat. */
static int
idem_release(struct req *r)
{
	int	 tries;

	for (tries = 0; tries < 2; tries++)
		if (db_exec(r->db, idem_sql[SQL_IDEM_RELEASE],
		    DB_PARAMS(DB_INT(r->idem->key_id),
		    DB_STR(r->idem->key))) == DB_OK)
			return 1;
	return 0;
}

/*
 * Before the handler of an idempotent route: IDEM_PROCEED to run it
 * (with or without a key), IDEM_ANSWERED when the response is set
 * (replay, 409, 422, 400 for a bad key, 503).
 */
enum idem_res
idem_begin(struct req *r)
{
	const char	*h = req_header(r, "idempotency-key");
	char		 key[IDEM_KEY_MAX + 1];
	unsigned char	 fp[32];
	struct idem	*claim;
	enum idem_res	 res = IDEM_ANSWERED;
	enum db_code	 code;
	int		 tries;

	/* Keys are scoped by the API key that sent them, for the family's
	 * window: a family without either keeps no answers. */
	if (h == NULL || r->principal.kind != PRINCIPAL_KEY ||
	    r->family->idem_window_s <= 0)
		return IDEM_PROCEED;
	if (!idem_key_parse(h, key) || strlen(key) > r->family->idem_key_max) {
		req_resp_error(r, 400, r->family->code_idem_key, "Idempotency-"
		    "Key: 1 to %zu printable ASCII characters",
		    r->family->idem_key_max);
		return IDEM_ANSWERED;
	}
	/* Allocated before claiming, so no claim is left without its owner. */
	if ((claim = calloc(1, sizeof(*claim))) == NULL) {
		req_resp_error(r, 503, NULL, "out of memory");
		return IDEM_ANSWERED;
	}
	claim->key_id = r->principal.key_id;
	snprintf(claim->key, sizeof(claim->key), "%s", key);
	idem_fingerprint(r, fp);
	for (tries = 0; tries < 3; tries++) {
		code = db_exec(r->db, idem_sql[SQL_IDEM_CLAIM], DB_PARAMS(
		    DB_INT(r->principal.key_id), DB_STR(key), DB_BLOB(fp,
		    sizeof(fp)), DB_INT(r->family->idem_window_s)));
		if (code == DB_OK)
			return idem_claimed(r, claim);
		if (code != DB_CONSTRAINT)
			break;
		if (!idem_existing(r, key, fp, &res))
			goto answered;
		code = db_exec(r->db, idem_sql[SQL_IDEM_TAKEOVER],
		    DB_PARAMS(DB_BLOB(fp,
		    sizeof(fp)), DB_INT(r->family->idem_window_s),
		    DB_INT(r->principal.key_id), DB_STR(key)));
		if (code == DB_OK && db_affected(r->db) == 1)
			return idem_claimed(r, claim);
	}
	req_resp_error(r, 503, NULL, "database unavailable");
	/* A claim whose answer was lost with the connection (its node
	 * gone) may have been committed: release it, or the client's
	 * retries would meet 409 for 120 s. */
	if (code == DB_UNAVAILABLE) {
		r->idem = claim;
		(void)idem_release(r);
		r->idem = NULL;
	}
answered:
	free(claim);
	return res;
}

/*
 * Record the answer under the request's Idempotency-Key, inside the
 * pipeline's transaction, so that it lands with the write it describes
 * or not at all. 1 when done or when there is no key.
 */
int
idem_store(struct req *r)
{
	/* Only a success is replayed; the key of anything else is freed. */
	if (r->idem == NULL || r->out.status < 200 || r->out.status > 299)
		return 1;
	if (db_exec(r->db, idem_sql[SQL_IDEM_DONE],
	    DB_PARAMS(DB_INT(r->out.status),
	    DB_BLOB(r->out.body.data, r->out.body.len),
	    DB_INT(r->idem->key_id), DB_STR(r->idem->key))) != DB_OK)
		return 0;
	r->idem->stored = 1;
	return 1;
}

/* After the request: unless its answer was stored and committed, the key
 * is released for a retry. */
void
idem_end(struct req *r, int committed)
{
	if (r->idem == NULL)
		return;
	if (!(committed && r->idem->stored) && !idem_release(r))
		log_warn("idem: could not release key %s", r->idem->key);
	free(r->idem);
	r->idem = NULL;
}
