/*
 * stock.c - the inventory system of invoice cases, and SKU aliases.
 *
 * Integrating a case posts each of its lines to an inventory item: the
 * line's SKU is mapped (a vendor-specific alias, then a global alias,
 * then the SKU itself; an unknown SKU creates the item), every line is
 * checked before anything is written, and then the quantity goes in
 * through the inventory domain's one stock-change path and the item's
 * unit cost becomes the line's unit price. Each line's move keeps what
 * a rollback needs to restore the item exactly: the quantity, the
 * previous cost, whether the case created the item and whether it was
 * archived. Items are touched only through inventory/inventory.h.
 * Every query is scoped by organization.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cases/cases.h"

#define ALIAS_ID_PREFIX		"alias-"
#define STOCK_SOURCE		"invoice_case"
#define STOCK_SKU_BUFSZ		(128 * 4 + 1)	/* 128 UTF-8 characters */
#define STOCK_VENDOR_BUFSZ	(64 * 4 + 1)	/* 64 UTF-8 characters */
#define STOCK_NAME_CHARS	200		/* inventory_items.name */

#define ALIAS_COLUMNS \
    "public_id, vendor_sku, internal_sku, vendor_ref, created_at, id"

enum alias_col { AC_ID, AC_VENDOR_SKU, AC_INTERNAL_SKU, AC_VENDOR, AC_CREATED,
	AC_ROWID };

enum stock_sql_id {
	SQL_VENDOR_BY_NAME, SQL_ALIAS_RESOLVE, SQL_MOVES_LIVE, SQL_MOVE_INSERT,
	SQL_MOVE_REVERSED, SQL_ALIAS_INSERT, SQL_ALIAS_GET, SQL_ALIAS_LIST,
	SQL_ALIAS_DELETE, STOCK_SQL__MAX
};

static const char *const stock_sql[STOCK_SQL__MAX] = {
	/* The payables vendor a case names without a vendor_id: its
	 * vendor-specific aliases apply too. */
	[SQL_VENDOR_BY_NAME] =
	    "SELECT public_id FROM ap_vendors WHERE org_id = ? AND name = ?",
	/* The vendor's alias first, else the global one ('' scope); a
	 * case with no vendor scope passes '' and finds only the global. */
	[SQL_ALIAS_RESOLVE] =
	    "SELECT internal_sku FROM vendor_sku_aliases"
	    " WHERE org_id = ? AND vendor_scope IN (?, '') AND vendor_sku = ?"
	    " ORDER BY vendor_scope = '' LIMIT 1",
	[SQL_MOVES_LIVE] =
	    "SELECT id, line_no, item_public_id, quantity, prev_cost,"
	    " created_item, prev_archived FROM invoice_case_stock_moves"
	    " WHERE org_id = ? AND case_id = ? AND reversed_at IS NULL"
	    " ORDER BY id DESC FOR UPDATE",
	[SQL_MOVE_INSERT] =
	    "INSERT INTO invoice_case_stock_moves (case_id, org_id, line_no,"
	    " item_id, item_public_id, quantity, prev_cost, new_cost,"
	    " created_item, prev_archived) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[SQL_MOVE_REVERSED] =
	    "UPDATE invoice_case_stock_moves SET reversed_at = NOW(3)"
	    " WHERE org_id = ? AND id = ?",
	[SQL_ALIAS_INSERT] =
	    "INSERT INTO vendor_sku_aliases (public_id, org_id, vendor_ref,"
	    " vendor_sku, internal_sku) VALUES (?, ?, ?, ?, ?)",
	[SQL_ALIAS_GET] =
	    "SELECT " ALIAS_COLUMNS " FROM vendor_sku_aliases"
	    " WHERE org_id = ? AND public_id = ?",
	[SQL_ALIAS_LIST] =
	    "SELECT " ALIAS_COLUMNS " FROM vendor_sku_aliases"
	    " WHERE org_id = ? AND id > ? AND (? IS NULL OR vendor_ref = ?)"
	    " ORDER BY id LIMIT ?",
	[SQL_ALIAS_DELETE] =
	    "DELETE FROM vendor_sku_aliases WHERE org_id = ? AND public_id = ?",
};

const struct db_stmts stock_stmts = {
	"stock", stock_sql, STOCK_SQL__MAX, NULL, 0
};

/* --- mapping ---------------------------------------------------------- */

/* Where one line of the case goes. */
struct stock_target {
	char	 sku[STOCK_SKU_BUFSZ];	/* the internal SKU */
	int	 aliased;		/* sku came from an alias */
};

/* The vendor scope of the case's aliases into scope: its vendor_id, or
 * the payables vendor of exactly its name, or "" for none. */
static enum db_code
stock_vendor_scope(struct case_step *s, char scope[STOCK_VENDOR_BUFSZ])
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	scope[0] = '\0';
	if (s->c->vendor_ref != NULL) {
		snprintf(scope, STOCK_VENDOR_BUFSZ, "%s", s->c->vendor_ref);
		return DB_OK;
	}
	if ((code = db_query(s->db, &rows, stock_sql[SQL_VENDOR_BY_NAME],
	    DB_PARAMS(DB_INT(s->org_id), DB_STR(s->c->vendor_name)))) != DB_OK)
		return code;
	if (rows->nrows > 0)
		snprintf(scope, STOCK_VENDOR_BUFSZ, "%s", db_cell(rows, 0, 0));
	db_rows_free(rows);
	return DB_OK;
}

/* The internal SKU of vendor SKU sku under scope into t. */
static enum db_code
stock_resolve(struct case_step *s, const char *scope, const char *sku,
    struct stock_target *t)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	if ((code = db_query(s->db, &rows, stock_sql[SQL_ALIAS_RESOLVE],
	    DB_PARAMS(DB_INT(s->org_id), DB_STR(scope), DB_STR(sku)))) !=
	    DB_OK)
		return code;
	t->aliased = rows->nrows > 0;
	snprintf(t->sku, sizeof(t->sku), "%s", t->aliased ?
	    db_cell(rows, 0, 0) : sku);
	db_rows_free(rows);
	return DB_OK;
}

/*
 * Map every line of the case into targets (nlines of them), locking the
 * items they post to, and append one error per line that cannot be
 * posted: an alias to an internal SKU with no item. Writes nothing.
 * *bad counts the failing lines.
 */
static enum db_code
stock_map_lines(struct case_step *s, struct stock_target *targets,
    size_t *bad)
{
	const struct case_line	*l;
	struct item_ref		 ref;
	enum db_code		 code;
	char			 scope[STOCK_VENDOR_BUFSZ],
				 err[STOCK_SKU_BUFSZ + 32];
	size_t			 i;

	*bad = 0;
	if ((code = stock_vendor_scope(s, scope)) != DB_OK)
		return code;
	for (i = 0; i < s->c->nlines; i++) {
		l = &s->c->lines[i];
		if ((code = stock_resolve(s, scope, l->sku, &targets[i])) !=
		    DB_OK)
			return code;
		code = items_lock_by_sku(s->db, s->org_id, targets[i].sku, &ref);
		if (code == DB_NOTFOUND && targets[i].aliased) {
			snprintf(err, sizeof(err), "SKU %s: Mapping not found",
			    l->sku);
			json_object_array_add(s->errors,
			    json_object_new_string(err));
			(*bad)++;
		} else if (code != DB_OK && code != DB_NOTFOUND)
			return code;
	}
	return DB_OK;
}

/* --- posting ---------------------------------------------------------- */

/* The name of an item a line creates: its description cut to what an
 * item's name holds (on a character boundary), else its SKU. */
static void
stock_item_name(const struct case_line *l, char out[STOCK_NAME_CHARS * 4 + 1])
{
	const char	*src = l->description != NULL && *l->description ?
			    l->description : l->sku;
	size_t		 i, chars = 0;

	for (i = 0; src[i] != '\0'; i++) {
		if (((unsigned char)src[i] & 0xC0) != 0x80 &&
		    ++chars > STOCK_NAME_CHARS)
			break;
		out[i] = src[i];
	}
	out[i] = '\0';
}

/* Items the case touched, to count created and updated ones once. */
struct stock_tally {
	long long	*rowids;
	int		*created;
	size_t		 n;
};

static void
stock_tally_add(struct stock_tally *t, long long rowid, int created)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		if (t->rowids[i] == rowid)
			return;		/* the first line decides */
	t->rowids[t->n] = rowid;
	t->created[t->n++] = created;
}

/* The item of target t, created when it does not exist yet (an earlier
 * line of the case may have created it). */
static enum db_code
stock_item_for(struct case_step *s, const struct case_line *l,
    const struct stock_target *t, struct item_ref *ref, int *created)
{
	char		 name[STOCK_NAME_CHARS * 4 + 1];
	enum db_code	 code;

	*created = 0;
	if ((code = items_lock_by_sku(s->db, s->org_id, t->sku, ref)) !=
	    DB_NOTFOUND)
		return code;
	stock_item_name(l, name);
	*created = 1;
	return items_create_minimal(s->db, s->org_id, t->sku, name, ref);
}

static enum db_code
stock_record_move(struct case_step *s, const struct case_line *l,
    const struct item_ref *ref, int created)
{
	char	 qty[DECIMAL_BUFSZ], prev[DECIMAL_BUFSZ], cost[DECIMAL_BUFSZ];

	decimal_format(l->quantity, qty);
	decimal_format(ref->unit_cost, prev);
	decimal_format(l->unit_price, cost);
	return db_exec(s->db, stock_sql[SQL_MOVE_INSERT], DB_PARAMS(
	    DB_INT(s->c->rowid), DB_INT(s->org_id), DB_INT(l->line_no),
	    DB_INT(ref->rowid), DB_STR(ref->item_id), DB_STR(qty),
	    DB_STR(ref->has_cost ? prev : NULL), DB_STR(cost),
	    DB_INT(created), DB_INT(ref->archived)));
}

/*
 * Post line l to its target: the quantity through the stock-change
 * path (its events as for any change), the unit price as the item's
 * cost, an archived item back in the catalog, and the move that undoes
 * it. DB_CONSTRAINT: the line is posted already; DB_NOTFOUND with
 * *full set: the item's stock would pass what DECIMAL(18,4) holds.
 */
static enum db_code
stock_post_line(struct case_step *s, const struct case_line *l,
    const struct stock_target *t, struct stock_tally *tally, int *full)
{
	struct item_ref		 ref;
	struct stock_change	 chg;
	enum db_code		 code;
	char			 reason[128];
	int			 created;

	if ((code = stock_item_for(s, l, t, &ref, &created)) != DB_OK)
		return code == DB_CONSTRAINT ? DB_ERROR : code;
	snprintf(reason, sizeof(reason), "case %s line %d", s->c->id,
	    l->line_no);
	/* Adding stock is refused only past the column's range. */
	code = items_stock_change(s->db, s->org_id, ref.item_id, l->quantity,
	    STOCK_SOURCE, reason, s->actor, &chg);
	if (code == DB_CONSTRAINT) {
		*full = 1;
		return DB_NOTFOUND;
	}
	if (code != DB_OK)
		return code;
	if ((code = items_set_cost(s->db, s->org_id, ref.item_id,
	    &l->unit_price)) != DB_OK ||
	    (ref.archived && (code = items_set_archived(s->db, s->org_id,
	    ref.item_id, 0)) != DB_OK) ||
	    (code = stock_record_move(s, l, &ref, created)) != DB_OK)
		return code;
	stock_tally_add(tally, ref.rowid, created);
	return DB_OK;
}

/* The case's live moves, newest first, locked; NULL on a failure. */
static struct db_rows *
stock_live_moves(struct case_step *s)
{
	struct db_rows	*rows = NULL;

	if (db_query(s->db, &rows, stock_sql[SQL_MOVES_LIVE], DB_PARAMS(
	    DB_INT(s->org_id), DB_INT(s->c->rowid))) != DB_OK) {
		db_rows_free(rows);
		return NULL;
	}
	return rows;
}

/* A message cut to its buffer must not end inside a UTF-8 character:
 * it becomes JSON. */
static void
stock_message_fit(struct case_step *s)
{
	size_t	 n = strlen(s->message);

	while (n > 0 && !util_utf8_valid(s->message, n))
		s->message[--n] = '\0';
}

static enum case_res stock_refuse(struct case_step *, const char *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));

/* Refuse with code and a message (cut to fit s->message). */
static enum case_res
stock_refuse(struct case_step *s, const char *code, const char *fmt, ...)
{
	va_list	 ap;

	s->code = code;
	va_start(ap, fmt);
	(void)vsnprintf(s->message, sizeof(s->message), fmt, ap);
	va_end(ap);
	stock_message_fit(s);
	return CASE_REFUSED;
}

/* Post every line, then the counts into s->result. */
static enum case_res
stock_post_lines(struct case_step *s, const struct stock_target *targets,
    struct stock_tally *tally)
{
	enum db_code	 code;
	size_t		 i, created = 0;
	int		 full = 0;

	for (i = 0; i < s->c->nlines; i++) {
		code = stock_post_line(s, &s->c->lines[i], &targets[i], tally,
		    &full);
		if (full) {
			char	 err[160];

			snprintf(err, sizeof(err), "SKU %s: line %d: the item's "
			    "stock would pass 99999999999999.9999, the most it "
			    "can hold", s->c->lines[i].sku, s->c->lines[i].line_no);
			json_object_array_add(s->errors,
			    json_object_new_string(err));
			return stock_refuse(s, "STOCK_OUT_OF_RANGE", "%s; nothing "
			    "was posted", err);
		}
		if (code == DB_CONSTRAINT)
			return stock_refuse(s, "ALREADY_INTEGRATED", "case %s "
			    "is already posted to inventory; roll it back "
			    "first", s->c->id);
		if (code != DB_OK)
			return CASE_TRANSIENT;
	}
	for (i = 0; i < tally->n; i++)
		created += tally->created[i] != 0;
	json_object_object_add(s->result, "items_created",
	    json_object_new_int64((int64_t)created));
	json_object_object_add(s->result, "items_updated",
	    json_object_new_int64((int64_t)(tally->n - created)));
	return CASE_DONE;
}

/*
 * The inventory system's step (cases.h): map and check every line,
 * refuse with every failing line in s->errors before writing anything,
 * else post them all. The caller's savepoint undoes a refusal.
 */
enum case_res
stock_integrate(struct case_step *s)
{
	struct stock_target	*targets = NULL;
	struct stock_tally	 tally;
	struct db_rows		*live;
	enum case_res		 res = CASE_TRANSIENT;
	size_t			 bad, n = s->c->nlines;

	memset(&tally, 0, sizeof(tally));
	/* The orchestrator checks its own state; the moves are the truth
	 * about stock, so a case with live moves is never posted twice. */
	if ((live = stock_live_moves(s)) == NULL)
		return CASE_TRANSIENT;
	if (live->nrows > 0) {
		db_rows_free(live);
		return stock_refuse(s, "ALREADY_INTEGRATED", "case %s is "
		    "already posted to inventory; roll it back first",
		    s->c->id);
	}
	db_rows_free(live);
	if (n == 0)
		return stock_refuse(s, "INVALID_CASE", "case %s has no lines",
		    s->c->id);
	if ((targets = calloc(n, sizeof(*targets))) == NULL ||
	    (tally.rowids = calloc(n, sizeof(*tally.rowids))) == NULL ||
	    (tally.created = calloc(n, sizeof(*tally.created))) == NULL)
		goto out;
	if (stock_map_lines(s, targets, &bad) != DB_OK)
		goto out;
	if (bad > 0) {
		res = stock_refuse(s, "SKU_MAPPING_NOT_FOUND", "%zu of %zu lines "
		    "have no item to post to; nothing was changed", bad, n);
		goto out;
	}
	res = stock_post_lines(s, targets, &tally);
out:
	free(targets);
	free(tally.rowids);
	free(tally.created);
	return res;
}

/* --- rollback --------------------------------------------------------- */

enum move_col { MC_ID, MC_LINE, MC_ITEM, MC_QTY, MC_PREV_COST, MC_CREATED,
	MC_PREV_ARCHIVED };

/* Undo move i of rows: the stock back out, the cost as it was, the
 * item archived (created by the case) or as it was. */
static enum case_res
stock_undo_move(struct case_step *s, const struct db_rows *rows, size_t i)
{
	struct stock_change	 chg;
	const char		*item = db_cell(rows, i, MC_ITEM),
				*prev = db_cell(rows, i, MC_PREV_COST);
	int64_t			 qty, cost;
	enum db_code		 code;
	char			 reason[128], have[DECIMAL_BUFSZ];
	int			 archive;

	if (!decimal_parse(db_cell(rows, i, MC_QTY), &qty) ||
	    (prev != NULL && !decimal_parse(prev, &cost)))
		return CASE_TRANSIENT;
	snprintf(reason, sizeof(reason), "case %s rollback of line %s",
	    s->c->id, db_cell(rows, i, MC_LINE));
	code = items_stock_change(s->db, s->org_id, item, -qty, STOCK_SOURCE,
	    reason, s->actor, &chg);
	if (code == DB_CONSTRAINT) {
		decimal_format(chg.prev, have);
		return stock_refuse(s, "INSUFFICIENT_STOCK", "%s %s: only %s "
		    "in stock, less than the case added (used since); nothing "
		    "was rolled back", chg.sku[0] != '\0' ? "SKU" : "item",
		    chg.sku[0] != '\0' ? chg.sku : chg.item_id, have);
	}
	if (code == DB_NOTFOUND)
		return stock_refuse(s, "ITEM_NOT_FOUND", "inventory item %s of "
		    "the case no longer exists", item);
	archive = strcmp(db_cell(rows, i, MC_CREATED), "1") == 0 ||
	    strcmp(db_cell(rows, i, MC_PREV_ARCHIVED), "1") == 0;
	if (code != DB_OK ||
	    items_set_cost(s->db, s->org_id, item, prev ? &cost : NULL) !=
	    DB_OK ||
	    items_set_archived(s->db, s->org_id, item, archive) != DB_OK ||
	    db_exec(s->db, stock_sql[SQL_MOVE_REVERSED], DB_PARAMS(
	    DB_INT(s->org_id), DB_INT(atoll(db_cell(rows, i, MC_ID))))) !=
	    DB_OK)
		return CASE_TRANSIENT;
	return CASE_DONE;
}

/*
 * The inventory system's rollback (cases.h): the case's live moves
 * undone newest first; CASE_NOTHING when it has none. Stock used since
 * refuses with INSUFFICIENT_STOCK (the caller's savepoint undoes the
 * moves already reversed).
 */
enum case_res
stock_rollback(struct case_step *s)
{
	struct db_rows	*rows;
	enum case_res	 res = CASE_NOTHING;
	size_t		 i;

	if ((rows = stock_live_moves(s)) == NULL)
		return CASE_TRANSIENT;
	for (i = 0; i < rows->nrows; i++)
		if ((res = stock_undo_move(s, rows, i)) != CASE_DONE)
			break;
	db_rows_free(rows);
	return res;
}

/* --- SKU aliases ------------------------------------------------------ */

static struct json_object *
alias_json(const struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object();

	json_put_str(o, "alias_id", db_cell(rows, i, AC_ID));
	json_put_str(o, "vendor_sku", db_cell(rows, i, AC_VENDOR_SKU));
	json_put_str(o, "internal_sku", db_cell(rows, i, AC_INTERNAL_SKU));
	json_put_str(o, "vendor_id", db_cell(rows, i, AC_VENDOR));
	json_object_object_add(o, "created_at",
	    json_time(db_cell(rows, i, AC_CREATED)));
	return o;
}

/* GET /api/cases/sku-aliases[?vendor_id=]: one vendor's or all. */
void
aliases_list(struct req *r)
{
	struct page	 pg;
	struct db_rows	*rows = NULL;
	char		*vendor = NULL;

	if (!page_parse(r, &pg) || !query_string(r, "vendor_id", 64, &vendor))
		return;
	if (vendor != NULL && *vendor == '\0') {
		req_resp_error(r, 400, "invalid_query", "vendor_id: expected 1 "
		    "to 64 characters");
		goto out;
	}
	if (db_query(r->db, &rows, stock_sql[SQL_ALIAS_LIST], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_INT(pg.after_id), DB_STR(vendor),
	    DB_STR(vendor), DB_INT(pg.limit + 1))) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	page_respond_rows(r, rows, pg.limit, AC_ROWID, alias_json);
out:
	db_rows_free(rows);
	free(vendor);
}

/* Answer the alias id as stored, with status. */
static void
alias_answer(struct req *r, int status, const char *id)
{
	struct db_rows	*rows = NULL;

	if (db_query(r->db, &rows, stock_sql[SQL_ALIAS_GET], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_STR(id))) != DB_OK ||
	    rows->nrows == 0)
		req_resp_error(r, 503, NULL, "database unavailable");
	else
		req_resp_json(r, status, alias_json(rows, 0));
	db_rows_free(rows);
}

/* POST /api/cases/sku-aliases {vendor_sku, internal_sku, vendor_id|null}:
 * 201; 409 DUPLICATE_ALIAS for a vendor SKU the scope maps already. */
void
aliases_create(struct req *r)
{
	struct json_object	*b = req_json_body(r);
	const char		*vsku, *isku, *vendor;
	char			 id[CASE_PUBLIC_ID_LEN], uuid[37];

	if (b == NULL)
		return;
	if (!valid_object(r, b) ||
	    !valid_string(r, b, "vendor_sku", 1, 1, 128, &vsku) ||
	    !valid_string(r, b, "internal_sku", 1, 1, 128, &isku) ||
	    !valid_string(r, b, "vendor_id", 0, 1, 64, &vendor))
		goto out;
	crypto_uuid7(uuid);
	snprintf(id, sizeof(id), ALIAS_ID_PREFIX "%s", uuid);
	switch (db_exec(r->db, stock_sql[SQL_ALIAS_INSERT], DB_PARAMS(
	    DB_STR(id), DB_INT(r->principal.org_id), DB_STR(vendor),
	    DB_STR(vsku), DB_STR(isku)))) {
	case DB_OK:
		alias_answer(r, 201, id);
		break;
	case DB_CONSTRAINT:
		req_resp_error(r, 409, "DUPLICATE_ALIAS", "vendor_sku: %s is "
		    "already mapped %s%s", vsku, vendor ? "for vendor " :
		    "globally", vendor ? vendor : "");
		break;
	default:
		req_resp_error(r, 503, NULL, "database unavailable");
		break;
	}
out:
	json_object_put(b);
}

/* DELETE /api/cases/sku-aliases/{id}: 204, or 404. */
void
aliases_delete(struct req *r)
{
	if (db_exec(r->db, stock_sql[SQL_ALIAS_DELETE], DB_PARAMS(
	    DB_INT(r->principal.org_id), DB_STR(r->args[0]))) != DB_OK)
		req_resp_error(r, 503, NULL, "database unavailable");
	else if (db_affected(r->db) == 0)
		req_resp_error(r, 404, "ALIAS_NOT_FOUND", "no SKU alias %s",
		    r->args[0]);
	else
		req_resp_written(r, 204);
}
