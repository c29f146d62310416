/*
 * orders.c - fulfillment orders. Made from Stripe's checkout.session.
 * completed (signature verified; once per event id and once per
 * session), passed by the client's gate and then by a platform
 * operator's, submitted to Printful exactly once, and followed through
 * Printful's webhooks. Every change writes its order.* event (source
 * "fulfillment") in the transaction of the change.
 *
 * Exactly once: the operator's approval claims the order with a
 * conditional update (submit_state NULL -> 'submitting') and commits the
 * claim before calling Printful, so a concurrent approval waits on the
 * row lock and then finds it claimed (409). Printful refusing releases
 * the claim (committed with the 502). A call that got no answer asks
 * Printful for the order by its external id (our id) before anything is
 * released, so a late success is recorded, never sent twice. A claim
 * left by a process that died is resolved the same way by the worker
 * (forders_recover_job).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "fulfillment/fulfillment.h"

#define ST_PENDING_CLIENT	"pending_client_approval"
#define ST_PENDING_ADMIN	"pending_admin_approval"
#define ST_SUBMITTED		"submitted_to_printful"
#define ST_IN_PRODUCTION	"in_production"
#define ST_SHIPPED		"shipped"
#define ST_REJECTED_CLIENT	"rejected_by_client"
#define ST_REJECTED_ADMIN	"rejected_by_admin"

#define NOTE_MAX		2000	/* status_note VARCHAR(2000) */
#define PENDING_MAX		500	/* orders one pending list shows */
#define CLAIM_STALE_S		60	/* a claim this old lost its process */
#define RECOVER_EVERY_S		5
#define RECOVER_BATCH		10

#define ORDER_COLUMNS \
    "f.id, f.public_id, f.org_id, o.slug, f.status, f.status_note," \
    " f.customer_email, f.items, f.shipping_address, f.total," \
    " f.stripe_session_id, f.stripe_payment_intent_id, f.printful_order_id," \
    " f.tracking_number, f.tracking_url, f.submit_state, f.created_at," \
    " f.updated_at, f.submit_claimed_at, f.printful_status" \
    " FROM fulfill_orders f JOIN organizations o ON o.id = f.org_id"

enum order_col {
	OC_ROWID, OC_ID, OC_ORG, OC_SLUG, OC_STATUS, OC_NOTE, OC_EMAIL,
	OC_ITEMS, OC_SHIPPING, OC_TOTAL, OC_SESSION, OC_INTENT, OC_PRINTFUL,
	OC_TRACKING_NO, OC_TRACKING_URL, OC_SUBMIT, OC_CREATED, OC_UPDATED,
	OC_CLAIMED_AT, OC_PRINTFUL_STATUS
};

enum forders_sql_id {
	SQL_STRIPE_EVENT_INSERT, SQL_STRIPE_EVENT_OUTCOME, SQL_ORDER_INSERT,
	SQL_ORDER_BY_ID, SQL_ORDER_LOCK, SQL_ORDER_LOCK_ROW,
	SQL_ORDER_ROW_BY_PRINTFUL, SQL_PENDING_CLIENT, SQL_PENDING_ADMIN,
	SQL_LIST_ORG, SQL_LIST_ALL, SQL_CLIENT_DECIDE, SQL_ADMIN_REJECT,
	SQL_CLAIM, SQL_SUBMITTED, SQL_RELEASE, SQL_CLAIM_NOTE,
	SQL_STALE_CLAIMS, SQL_RECLAIM, SQL_SHIPPED, SQL_TRACKING,
	SQL_IN_PRODUCTION, SQL_PRINTFUL_NOTE, SQL_PRINTFUL_STATUS,
	FORDERS_SQL__MAX
};

static const char *const forders_sql[FORDERS_SQL__MAX] = {
	[SQL_STRIPE_EVENT_INSERT] =
	    "INSERT INTO stripe_events (event_id, type, outcome)"
	    " VALUES (?, ?, 'received')",
	[SQL_STRIPE_EVENT_OUTCOME] =
	    "UPDATE stripe_events SET outcome = ?, org_id = ?, order_id = ?"
	    " WHERE event_id = ?",
	[SQL_ORDER_INSERT] =
	    "INSERT INTO fulfill_orders (public_id, org_id, status,"
	    " customer_email, items, shipping_address, total, currency,"
	    " stripe_session_id, stripe_payment_intent_id)"
	    " VALUES (?, ?, 'pending_client_approval', ?, ?, ?, ?, ?, ?, ?)",
	/* A client reads its own orders; a platform admin any (org 0). */
	[SQL_ORDER_BY_ID] =
	    "SELECT " ORDER_COLUMNS
	    " WHERE f.public_id = ? AND (? = 0 OR f.org_id = ?)",
	/* Any client's: the gates tell another client's order (403) from
	 * none (404), as the contract asks. */
	[SQL_ORDER_LOCK] =
	    "SELECT " ORDER_COLUMNS " WHERE f.public_id = ? FOR UPDATE",
	[SQL_ORDER_LOCK_ROW] =
	    "SELECT " ORDER_COLUMNS " WHERE f.id = ? FOR UPDATE",
	[SQL_ORDER_ROW_BY_PRINTFUL] =
	    "SELECT id FROM fulfill_orders WHERE printful_order_id = ?"
	    " ORDER BY id LIMIT 1",
	[SQL_PENDING_CLIENT] =
	    "SELECT " ORDER_COLUMNS " WHERE f.org_id = ?"
	    " AND f.status = 'pending_client_approval' ORDER BY f.id LIMIT ?",
	/* The platform operator's gate: every client's. */
	[SQL_PENDING_ADMIN] =
	    "SELECT " ORDER_COLUMNS
	    " WHERE f.status = 'pending_admin_approval' ORDER BY f.id LIMIT ?",
	[SQL_LIST_ORG] =
	    "SELECT " ORDER_COLUMNS " WHERE f.org_id = ? AND f.id > ?"
	    " AND (? IS NULL OR f.status = ?) ORDER BY f.id LIMIT ?",
	[SQL_LIST_ALL] =
	    "SELECT " ORDER_COLUMNS " WHERE f.id > ?"
	    " AND (? IS NULL OR f.status = ?) ORDER BY f.id LIMIT ?",
	[SQL_CLIENT_DECIDE] =
	    "UPDATE fulfill_orders SET status = ?, status_note = ?,"
	    " client_decided_by = ?, client_decided_at = NOW(3)"
	    " WHERE id = ? AND org_id = ?"
	    " AND status = 'pending_client_approval'",
	[SQL_ADMIN_REJECT] =
	    "UPDATE fulfill_orders SET status = 'rejected_by_admin',"
	    " status_note = ?, admin_decided_by = ?, admin_decided_at = NOW(3)"
	    " WHERE id = ? AND status = 'pending_admin_approval'"
	    " AND submit_state IS NULL",
	[SQL_CLAIM] =
	    "UPDATE fulfill_orders SET submit_state = 'submitting',"
	    " submit_claimed_at = NOW(3), admin_decided_by = ?"
	    " WHERE id = ? AND status = 'pending_admin_approval'"
	    " AND submit_state IS NULL",
	[SQL_SUBMITTED] =
	    "UPDATE fulfill_orders SET status = 'submitted_to_printful',"
	    " status_note = ?, printful_order_id = ?, printful_status = ?,"
	    " submit_state = 'submitted', admin_decided_at = NOW(3)"
	    " WHERE id = ? AND submit_state = 'submitting'",
	[SQL_RELEASE] =
	    "UPDATE fulfill_orders SET submit_state = NULL,"
	    " submit_claimed_at = NULL, admin_decided_by = NULL,"
	    " status_note = ? WHERE id = ? AND submit_state = 'submitting'",
	[SQL_CLAIM_NOTE] =
	    "UPDATE fulfill_orders SET status_note = ?"
	    " WHERE id = ? AND submit_state = 'submitting'",
	[SQL_STALE_CLAIMS] =
	    "SELECT " ORDER_COLUMNS " WHERE f.submit_state = 'submitting'"
	    " AND f.submit_claimed_at < NOW(3) - INTERVAL ? SECOND"
	    " ORDER BY f.id LIMIT ?",
	/* A lease on the recovery: whoever moves the claim's time owns it. */
	[SQL_RECLAIM] =
	    "UPDATE fulfill_orders SET submit_claimed_at = NOW(3)"
	    " WHERE id = ? AND submit_state = 'submitting'"
	    " AND submit_claimed_at = ?",
	[SQL_SHIPPED] =
	    "UPDATE fulfill_orders SET status = 'shipped', tracking_number = ?,"
	    " tracking_url = ?, printful_status = COALESCE(?, printful_status)"
	    " WHERE id = ?",
	[SQL_TRACKING] =
	    "UPDATE fulfill_orders SET tracking_number = ?, tracking_url = ?"
	    " WHERE id = ?",
	[SQL_IN_PRODUCTION] =
	    "UPDATE fulfill_orders SET status = 'in_production',"
	    " printful_status = ? WHERE id = ?",
	[SQL_PRINTFUL_NOTE] =
	    "UPDATE fulfill_orders SET status_note = ?, printful_status = ?"
	    " WHERE id = ?",
	[SQL_PRINTFUL_STATUS] =
	    "UPDATE fulfill_orders SET printful_status = ? WHERE id = ?",
};

const struct db_stmts forders_stmts = {
	"forders", forders_sql, FORDERS_SQL__MAX, NULL, 0
};

static const char *const order_statuses[] = {
	ST_PENDING_CLIENT, ST_PENDING_ADMIN, ST_SUBMITTED, ST_IN_PRODUCTION,
	ST_SHIPPED, ST_REJECTED_CLIENT, ST_REJECTED_ADMIN, NULL
};

/* One order as read (row 0 of rows); strings borrowed from rows. */
struct forder {
	struct db_rows	*rows;
	long long	 rowid, org_id;
	const char	*id, *slug, *status, *note, *submit;
};

static void
forder_cleanup(struct forder *o)
{
	db_rows_free(o->rows);
	memset(o, 0, sizeof(*o));
}

/* Read one order with statement id; DB_NOTFOUND when there is none. */
static enum db_code
forder_load(struct db *db, enum forders_sql_id id, const struct db_param *p,
    size_t np, struct forder *o)
{
	enum db_code	 code;

	memset(o, 0, sizeof(*o));
	if ((code = db_query(db, &o->rows, forders_sql[id], p, np)) != DB_OK)
		return code;
	if (o->rows->nrows == 0)
		return DB_NOTFOUND;
	o->rowid = atoll(db_cell(o->rows, 0, OC_ROWID));
	o->org_id = atoll(db_cell(o->rows, 0, OC_ORG));
	o->id = db_cell(o->rows, 0, OC_ID);
	o->slug = db_cell(o->rows, 0, OC_SLUG);
	o->status = db_cell(o->rows, 0, OC_STATUS);
	o->note = db_cell(o->rows, 0, OC_NOTE);
	o->submit = db_cell(o->rows, 0, OC_SUBMIT);
	return DB_OK;
}

static const char *
forder_cell(const struct forder *o, enum order_col c)
{
	return db_cell(o->rows, 0, c);
}

/* JSON we stored ourselves, parsed back; NULL for SQL NULL. */
static struct json_object *
forders_stored_json(const char *text)
{
	return text != NULL ? json_tokener_parse(text) : NULL;
}

/* Row i as the contract's OrderRecord (tracking once there is one). */
static struct json_object *
forders_record_json(const struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object(), *items;
	const char		*pf = db_cell(rows, i, OC_PRINTFUL);

	if ((items = forders_stored_json(db_cell(rows, i, OC_ITEMS))) == NULL)
		items = json_object_new_array();
	json_put_str(o, "id", db_cell(rows, i, OC_ID));
	json_put_str(o, "clientId", db_cell(rows, i, OC_SLUG));
	json_put_str(o, "customerEmail", db_cell(rows, i, OC_EMAIL));
	json_object_object_add(o, "items", items);
	json_object_object_add(o, "shippingAddress",
	    forders_stored_json(db_cell(rows, i, OC_SHIPPING)));
	json_object_object_add(o, "total",
	    decimal_sql_to_money_json(db_cell(rows, i, OC_TOTAL)));
	json_put_str(o, "status", db_cell(rows, i, OC_STATUS));
	json_put_str(o, "statusNote", db_cell(rows, i, OC_NOTE));
	json_put_str(o, "stripeSessionId", db_cell(rows, i, OC_SESSION));
	json_put_str(o, "stripePaymentIntentId", db_cell(rows, i, OC_INTENT));
	json_object_object_add(o, "printfulOrderId", pf != NULL ?
	    json_object_new_int64(atoll(pf)) : NULL);
	json_object_object_add(o, "createdAt",
	    json_time(db_cell(rows, i, OC_CREATED)));
	json_object_object_add(o, "updatedAt",
	    json_time(db_cell(rows, i, OC_UPDATED)));
	if (db_cell(rows, i, OC_TRACKING_NO) != NULL)
		json_put_str(o, "trackingNumber",
		    db_cell(rows, i, OC_TRACKING_NO));
	if (db_cell(rows, i, OC_TRACKING_URL) != NULL)
		json_put_str(o, "trackingUrl",
		    db_cell(rows, i, OC_TRACKING_URL));
	return o;
}

/* The fields every order.* event of a fulfillment order carries. */
static struct json_object *
forders_event_payload(const struct forder *o, const char *status)
{
	struct json_object	*p = json_object_new_object();

	json_put_str(p, "orderId", o->id);
	json_put_str(p, "status", status);
	json_put_str(p, "source", "fulfillment");
	json_put_str(p, "clientSlug", o->slug);
	return p;
}

/* order.status_changed from one status to another; note when set. */
static enum db_code
forders_status_event(struct db *db, const struct forder *o, const char *from,
    const char *to, const char *note)
{
	struct json_object	*p = forders_event_payload(o, to);

	json_put_str(p, "previousStatus", from);
	if (note != NULL)
		json_put_str(p, "statusNote", note);
	return events_emit(db, o->org_id, EVENT_ORDER_STATUS_CHANGED, p);
}

/* The successful submission, recorded in the caller's transaction:
 * status, usage and both events. DB_NOTFOUND when the claim was no
 * longer there (another process resolved it first). */
static enum db_code
forders_record_submitted(struct db *db, const struct forder *o,
    long long printful_id, const char *pstatus, const char *note)
{
	struct json_object	*p;
	enum db_code		 code;

	if ((code = db_exec(db, forders_sql[SQL_SUBMITTED], DB_PARAMS(
	    DB_STR(note), DB_INT(printful_id), DB_STR(pstatus),
	    DB_INT(o->rowid)))) != DB_OK)
		return code;
	if (db_affected(db) != 1)
		return DB_NOTFOUND;
	if ((code = usage_record(db, o->org_id, "order_fulfilled", o->id)) !=
	    DB_OK || (code = forders_status_event(db, o, ST_PENDING_ADMIN,
	    ST_SUBMITTED, NULL)) != DB_OK)
		return code;
	p = forders_event_payload(o, ST_SUBMITTED);
	json_object_object_add(p, "printfulOrderId",
	    json_object_new_int64(printful_id));
	return events_emit(db, o->org_id, EVENT_ORDER_FULFILLED, p);
}

/* ---- Stripe ---- */

/* Write the order a paid session stands for; *outcome says what
 * happened (stripe_events.outcome). 0 on a database failure. */
static int
forders_from_session(struct req *r, const char *event_id,
    struct json_object *session, const char **outcome, long long *org,
    long long *order)
{
	struct stripe_order	 so;
	struct forder		 o;
	struct json_object	*p;
	enum stripe_read	 res;
	enum db_code		 code;
	char			 why[256], id[37], total[DECIMAL_BUFSZ];
	static const char *const outcomes[] = {
		[STRIPE_READ_OK] = "order_created",
		[STRIPE_READ_UNPAID] = "awaiting_payment",
		[STRIPE_READ_NO_CLIENT] = "unknown_client",
		[STRIPE_READ_BAD_ITEMS] = "invalid_items",
		[STRIPE_READ_BAD_SESSION] = "invalid_session",
	};

	res = stripe_session_read(session, &so, why, sizeof(why));
	*outcome = outcomes[res];
	if (res != STRIPE_READ_OK) {
		log_warn("stripe: event %s acknowledged without an order: %s",
		    event_id, why);
		stripe_order_cleanup(&so);
		return 1;
	}
	if ((code = orgs_find(r->db, so.client_slug, org)) == DB_NOTFOUND) {
		log_warn("stripe: event %s acknowledged without an order: no "
		    "client %s", event_id, so.client_slug);
		*outcome = "unknown_client";
		*org = 0;
		stripe_order_cleanup(&so);
		return 1;
	}
	crypto_uuid7(id);
	decimal_format(so.total, total);
	if (code == DB_OK)
		code = db_exec(r->db, forders_sql[SQL_ORDER_INSERT], DB_PARAMS(
		    DB_STR(id), DB_INT(*org), DB_STR(so.email),
		    DB_STR(json_to_str(so.items)),
		    DB_STR(so.shipping ? json_to_str(so.shipping) : NULL),
		    DB_STR(total), DB_STR(so.currency), DB_STR(so.session_id),
		    DB_STR(so.payment_intent)));
	stripe_order_cleanup(&so);
	if (code == DB_CONSTRAINT) {
		/* Another event of the same session made it already. */
		log_info("stripe: event %s: session already has its order",
		    event_id);
		*outcome = "duplicate_session";
		return 1;
	}
	if (code != DB_OK)
		return 0;
	*order = (long long)db_insert_id(r->db);
	if (forder_load(r->db, SQL_ORDER_LOCK_ROW, DB_PARAMS(DB_INT(*order)),
	    &o) != DB_OK) {
		forder_cleanup(&o);
		return 0;
	}
	p = forders_event_payload(&o, ST_PENDING_CLIENT);
	json_object_object_add(p, "total",
	    decimal_sql_to_money_json(forder_cell(&o, OC_TOTAL)));
	code = events_emit(r->db, o.org_id, EVENT_ORDER_CREATED, p);
	forder_cleanup(&o);
	return code == DB_OK;
}

static void
forders_received(struct req *r)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "received", json_object_new_boolean(1));
	req_resp_json(r, 200, o);
}

/* Record event id once: 0 after answering (a repeat is 200, nothing
 * new; a failure 503). */
static int
forders_stripe_event_new(struct req *r, const char *id, const char *type)
{
	enum db_code	 code;

	code = db_exec(r->db, forders_sql[SQL_STRIPE_EVENT_INSERT],
	    DB_PARAMS(DB_STR(id), DB_STR(type)));
	if (code == DB_OK)
		return 1;
	if (code == DB_CONSTRAINT) {
		log_info("stripe: event %s seen before; nothing to do", id);
		forders_received(r);
	} else
		req_resp_error(r, 503, NULL, "database unavailable");
	return 0;
}

/*
 * POST /api/stripe/webhook (public: the signature is the credential).
 * Nothing is written unless the signature holds; a verified event is
 * acknowledged 200 whatever it asks for, once per event id.
 */
void
forders_stripe_webhook(struct req *r)
{
	struct json_object	*b = NULL, *data;
	enum stripe_verdict	 v;
	const char		*id, *type, *outcome = "ignored";
	long long		 org = 0, order = 0;

	v = stripe_verify(r->conf->stripe_webhook_secret,
	    req_header(r, "stripe-signature"), r->in.body.data ?
	    r->in.body.data : "", r->in.body.len, (int64_t)time(NULL));
	if (v != STRIPE_OK) {
		log_warn("stripe: refused an event: %s",
		    stripe_verdict_text(v));
		req_resp_error(r, 400, NULL, "%s", stripe_verdict_text(v));
		return;
	}
	if ((b = req_json_body(r)) == NULL)
		return;
	if (!valid_object(r, b) ||
	    !valid_string(r, b, "id", 1, 1, 255, &id) ||
	    !valid_string(r, b, "type", 1, 1, 100, &type))
		goto out;
	if (!forders_stripe_event_new(r, id, type))
		goto out;
	if ((strcmp(type, "checkout.session.completed") == 0 ||
	    strcmp(type, "checkout.session.async_payment_succeeded") == 0) &&
	    !forders_from_session(r, id, json_object_object_get_ex(b, "data",
	    &data) ? valid_get(data, "object") : NULL, &outcome, &org,
	    &order)) {
		req_resp_error(r, 503, NULL, "database unavailable; nothing "
		    "was written");
		goto out;
	}
	if (db_exec(r->db, forders_sql[SQL_STRIPE_EVENT_OUTCOME], DB_PARAMS(
	    DB_STR(outcome), DB_ID(org), DB_ID(order), DB_STR(id))) != DB_OK) {
		req_resp_error(r, 503, NULL, "database unavailable; nothing "
		    "was written");
		goto out;
	}
	forders_received(r);
out:
	json_object_put(b);
}

/* ---- reading ---- */

/* Answer {orders, count} (and nextCursor when cursor is not NULL). */
static void
forders_answer_list(struct req *r, const struct db_rows *rows, size_t n,
    const char *cursor, int paged)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*arr = json_object_new_array();
	size_t			 i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, forders_record_json(rows, i));
	json_object_object_add(o, "orders", arr);
	json_object_object_add(o, "count", json_object_new_int64((int64_t)n));
	if (paged)
		json_object_object_add(o, "nextCursor", cursor != NULL ?
		    json_object_new_string(cursor) : NULL);
	req_resp_json(r, 200, o);
}

/*
 * GET /api/orders/pending: a client's own orders waiting for it, or, for
 * a platform admin, every client's orders waiting for the operator.
 */
void
forders_pending(struct req *r)
{
	struct db_rows	*rows = NULL;
	enum db_code	 code;

	if (r->principal.platform_admin)
		code = db_query(r->db, &rows, forders_sql[SQL_PENDING_ADMIN],
		    DB_PARAMS(DB_INT(PENDING_MAX)));
	else
		code = db_query(r->db, &rows, forders_sql[SQL_PENDING_CLIENT],
		    DB_PARAMS(DB_INT(r->principal.org_id),
		    DB_INT(PENDING_MAX)));
	if (code != DB_OK)
		req_resp_error(r, 503, NULL, "database unavailable");
	else
		forders_answer_list(r, rows, rows->nrows, NULL, 0);
	db_rows_free(rows);
}

/*
 * GET /api/orders?status=&limit=&cursor=: a client's orders, or every
 * client's for a platform admin, oldest first, paged.
 */
void
forders_list(struct req *r)
{
	struct db_rows	*rows = NULL;
	struct page	 pg;
	char		*status = NULL, cursor[PAGE_CURSOR_BUFSZ];
	enum db_code	 code;
	size_t		 n;

	if (!page_parse(r, &pg) ||
	    !query_enum(r, "status", order_statuses, &status))
		return;
	if (r->principal.platform_admin)
		code = db_query(r->db, &rows, forders_sql[SQL_LIST_ALL],
		    DB_PARAMS(DB_INT(pg.after_id), DB_STR(status),
		    DB_STR(status), DB_INT(pg.limit + 1)));
	else
		code = db_query(r->db, &rows, forders_sql[SQL_LIST_ORG],
		    DB_PARAMS(DB_INT(r->principal.org_id), DB_INT(pg.after_id),
		    DB_STR(status), DB_STR(status), DB_INT(pg.limit + 1)));
	if (code != DB_OK)
		req_resp_error(r, 503, NULL, "database unavailable");
	else {
		n = rows->nrows > (size_t)pg.limit ? (size_t)pg.limit :
		    rows->nrows;
		if (rows->nrows > n)
			page_cursor(atoll(db_cell(rows, n - 1, OC_ROWID)),
			    cursor);
		forders_answer_list(r, rows, n, rows->nrows > n ? cursor :
		    NULL, 1);
	}
	db_rows_free(rows);
	free(status);
}

/* GET /api/orders/{id}: a client's own order, or any for an admin. */
void
forders_get(struct req *r)
{
	struct forder	 o;
	enum db_code	 code;
	long long	 org = r->principal.platform_admin ? 0 :
			    r->principal.org_id;

	code = forder_load(r->db, SQL_ORDER_BY_ID, DB_PARAMS(DB_STR(r->args[0]),
	    DB_INT(org), DB_INT(org)), &o);
	if (code == DB_OK)
		req_resp_json(r, 200, forders_record_json(o.rows, 0));
	else if (code == DB_NOTFOUND)
		req_resp_error(r, 404, NULL, "order: no order %s", r->args[0]);
	else
		req_resp_error(r, 503, NULL, "database unavailable");
	forder_cleanup(&o);
}

/* ---- the gates ---- */

/* The optional {note} of an action: *body owns it; 0 after a 400. */
static int
forders_read_note(struct req *r, struct json_object **body,
    const char **note)
{
	*body = NULL;
	*note = NULL;
	if (r->in.body.len == 0)
		return 1;
	if ((*body = req_json_body(r)) == NULL)
		return 0;
	return valid_object(r, *body) &&
	    valid_string(r, *body, "note", 0, 0, NOTE_MAX, note);
}

static void
forders_answer_action(struct req *r, const char *id, const char *status,
    long long printful_id)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_put_str(o, "orderId", id);
	json_put_str(o, "status", status);
	if (printful_id > 0)
		json_object_object_add(o, "printfulOrderId",
		    json_object_new_int64(printful_id));
	req_resp_json(r, 200, o);
}

/* The client's gate: approve (to the operator) or reject. */
static void
forders_client_decide(struct req *r, int approve)
{
	const char		*action = approve ? "client-approve" :
				    "client-reject";
	const char		*to = approve ? ST_PENDING_ADMIN :
				    ST_REJECTED_CLIENT;
	struct json_object	*b;
	const char		*note;
	struct forder		 o;
	enum db_code		 code;
	char			 actor[128];

	memset(&o, 0, sizeof(o));
	if (r->principal.platform_admin) {
		req_resp_error(r, 403, NULL, "%s: the client's own decision; "
		    "an admin key cannot take it", action);
		return;
	}
	if (!forders_read_note(r, &b, &note))
		goto out;
	code = forder_load(r->db, SQL_ORDER_LOCK, DB_PARAMS(
	    DB_STR(r->args[0])), &o);
	if (code == DB_NOTFOUND)
		req_resp_error(r, 404, NULL, "order: no order %s", r->args[0]);
	else if (code != DB_OK)
		req_resp_error(r, 503, NULL, "database unavailable");
	else if (o.org_id != r->principal.org_id)
		req_resp_error(r, 403, NULL, "order: not your order");
	else if (strcmp(o.status, ST_PENDING_CLIENT) != 0)
		req_resp_error(r, 409, NULL, "order: is %s; only an order "
		    "pending_client_approval can be decided by the client",
		    o.status);
	else {
		principal_actor(&r->principal, actor, sizeof(actor));
		if (db_exec(r->db, forders_sql[SQL_CLIENT_DECIDE], DB_PARAMS(
		    DB_STR(to), DB_STR(note), DB_STR(actor), DB_INT(o.rowid),
		    DB_INT(o.org_id))) != DB_OK || db_affected(r->db) != 1 ||
		    forders_status_event(r->db, &o, ST_PENDING_CLIENT, to,
		    note) != DB_OK)
			req_resp_error(r, 503, NULL, "database unavailable; "
			    "nothing was written");
		else
			forders_answer_action(r, o.id, to, 0);
	}
out:
	forder_cleanup(&o);
	json_object_put(b);
}

/* POST /api/orders/{id}/client-approve {note?} */
void
forders_client_approve(struct req *r)
{
	forders_client_decide(r, 1);
}

/* POST /api/orders/{id}/client-reject {note?} */
void
forders_client_reject(struct req *r)
{
	forders_client_decide(r, 0);
}

/* The catalog variant of an order item: products.c's one table. */
static long long
forders_variant(const char *type, const char *size)
{
	return fproducts_variant_id(type, size);
}

static const char *
forders_jstr(struct json_object *o, const char *name)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Copy a non-empty string member of from into to under another name. */
static void
forders_jcopy(struct json_object *to, const char *name,
    struct json_object *from, const char *field)
{
	const char	*s = forders_jstr(from, field);

	if (s != NULL && *s != '\0')
		json_put_str(to, name, s);
}

/* Printful's recipient from the ShippingAddress; NULL when unusable. */
static struct json_object *
forders_recipient(const struct forder *o)
{
	struct json_object	*a, *rc;
	const char		*email = forder_cell(o, OC_EMAIL);

	if ((a = forders_stored_json(forder_cell(o, OC_SHIPPING))) == NULL)
		return NULL;
	if (!json_object_is_type(a, json_type_object) ||
	    forders_jstr(a, "name") == NULL ||
	    forders_jstr(a, "line1") == NULL ||
	    forders_jstr(a, "city") == NULL ||
	    forders_jstr(a, "country") == NULL) {
		json_object_put(a);
		return NULL;
	}
	rc = json_object_new_object();
	forders_jcopy(rc, "name", a, "name");
	forders_jcopy(rc, "address1", a, "line1");
	forders_jcopy(rc, "address2", a, "line2");
	forders_jcopy(rc, "city", a, "city");
	forders_jcopy(rc, "state_code", a, "state");
	forders_jcopy(rc, "country_code", a, "country");
	forders_jcopy(rc, "zip", a, "postal_code");
	if (email != NULL)
		json_put_str(rc, "email", email);
	json_object_put(a);
	return rc;
}

/* One Printful order item from an OrderItem; NULL when no variant. */
static struct json_object *
forders_printful_item(struct json_object *it)
{
	struct json_object	*pi, *files, *file, *q, *p;
	long long		 variant;
	int64_t			 price;
	char			 money[DECIMAL_BUFSZ];

	variant = forders_variant(forders_jstr(it, "productType"),
	    forders_jstr(it, "size"));
	if (variant == 0 || forders_jstr(it, "imageUrl") == NULL ||
	    !json_object_object_get_ex(it, "quantity", &q) ||
	    !json_object_object_get_ex(it, "price", &p) ||
	    !decimal_from_json(p, &price))
		return NULL;
	decimal_format_money(price, money);
	pi = json_object_new_object();
	json_object_object_add(pi, "variant_id",
	    json_object_new_int64(variant));
	json_object_object_add(pi, "quantity",
	    json_object_new_int64(json_object_get_int64(q)));
	json_put_str(pi, "retail_price", money);
	forders_jcopy(pi, "name", it, "productTitle");
	file = json_object_new_object();
	json_put_str(file, "url", forders_jstr(it, "imageUrl"));
	files = json_object_new_array();
	json_object_array_add(files, file);
	json_object_object_add(pi, "files", files);
	return pi;
}

/*
 * Printful's order for o (POST /orders: external_id, recipient, items);
 * NULL with why set (the 422) when the order lacks an address or items.
 */
static struct json_object *
forders_printful_order(const struct forder *o, char *why, size_t whysz)
{
	struct json_object	*items, *body, *pitems, *pi, *rc;
	size_t			 i, n;

	if ((rc = forders_recipient(o)) == NULL) {
		snprintf(why, whysz, "shippingAddress: order %s has no usable "
		    "shipping address; nothing was sent to Printful", o->id);
		return NULL;
	}
	items = forders_stored_json(forder_cell(o, OC_ITEMS));
	if (!json_object_is_type(items, json_type_array) ||
	    (n = json_object_array_length(items)) == 0) {
		snprintf(why, whysz, "items: order %s has no items; nothing "
		    "was sent to Printful", o->id);
		json_object_put(items);
		json_object_put(rc);
		return NULL;
	}
	pitems = json_object_new_array();
	for (i = 0; i < n; i++) {
		if ((pi = forders_printful_item(json_object_array_get_idx(items,
		    i))) == NULL) {
			snprintf(why, whysz, "items[%zu]: no Printful variant "
			    "for it; nothing was sent to Printful", i);
			json_object_put(pitems);
			json_object_put(items);
			json_object_put(rc);
			return NULL;
		}
		json_object_array_add(pitems, pi);
	}
	json_object_put(items);
	body = json_object_new_object();
	json_put_str(body, "external_id", o->id);
	json_object_object_add(body, "recipient", rc);
	json_object_object_add(body, "items", pitems);
	return body;
}

/* What asking Printful for an order by its external id found. */
enum forders_lookup { LOOKUP_FOUND, LOOKUP_ABSENT, LOOKUP_UNKNOWN };

/* Printful's id and status of a submitted order from a result. */
static int
forders_printful_result(struct json_object *res, long long *id,
    char pstatus[32])
{
	struct json_object	*v;
	const char		*s;

	if (!json_object_object_get_ex(res, "id", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (*id = json_object_get_int64(v)) <= 0)
		return 0;
	s = forders_jstr(res, "status");
	snprintf(pstatus, 32, "%s", s != NULL ? s : "pending");
	return 1;
}

/* GET /orders/@{id} on Printful: is our order there? */
static enum forders_lookup
forders_printful_lookup(const struct conf *conf, const char *id,
    long long *printful_id, char pstatus[32])
{
	struct printful_res	 res;
	enum forders_lookup	 found = LOOKUP_UNKNOWN;
	char			 path[64];

	snprintf(path, sizeof(path), "/orders/@%s", id);
	if (printful_call(conf, "GET", path, NULL, &res) &&
	    forders_printful_result(res.result, printful_id, pstatus))
		found = LOOKUP_FOUND;
	else if (res.status == 404)
		found = LOOKUP_ABSENT;
	printful_res_cleanup(&res);
	return found;
}

/* The outcome of the submission, as its record says. */
static void
forders_outcome(struct forder_outcome *out, int status, int keep,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
forders_outcome(struct forder_outcome *out, int status, int keep,
    const char *fmt, ...)
{
	va_list	 ap;

	out->status = status;
	out->keep = keep;
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
}

/* Printful has the order: record it (after a late answer too). */
static void
forders_submitted(struct req *r, const struct forder *o, long long pid,
    const char *pstatus, const char *note, struct forder_outcome *out)
{
	enum db_code	 code;

	code = forders_record_submitted(r->db, o, pid, pstatus, note);
	if (code == DB_OK) {
		out->printful_order_id = pid;
		forders_outcome(out, 200, 0, "Order %s submitted to Printful "
		    "(Printful order %lld)", o->id, pid);
	} else if (code == DB_NOTFOUND)
		forders_outcome(out, 409, 0, "order: %s was resolved by "
		    "another process meanwhile", o->id);
	else
		/* The claim stays: the worker finds it at Printful. */
		forders_outcome(out, 503, 0, "database unavailable; order %s "
		    "is at Printful (order %lld) and will be recorded by the "
		    "worker", o->id, pid);
}

/* Printful does not have it: release the claim, with the reason. */
static void
forders_release(struct req *r, const struct forder *o, const char *reason,
    struct forder_outcome *out)
{
	char	 note[NOTE_MAX + 1];

	snprintf(note, sizeof(note), "Printful submission failed: %s", reason);
	if (db_exec(r->db, forders_sql[SQL_RELEASE], DB_PARAMS(DB_STR(note),
	    DB_INT(o->rowid))) != DB_OK) {
		forders_outcome(out, 503, 0, "database unavailable; order %s "
		    "stays claimed until the worker looks it up", o->id);
		return;
	}
	forders_outcome(out, 502, 1, "%s", note);
}

/*
 * Printful gave no answer and cannot be asked: the claim stays (so the
 * order is never sent twice) and the worker resolves it later.
 */
static void
forders_hold(struct req *r, const struct forder *o, const char *reason,
    struct forder_outcome *out)
{
	char	 note[NOTE_MAX + 1];

	snprintf(note, sizeof(note), "Printful did not answer (%s) and could "
	    "not be asked whether it has the order; it is checked again "
	    "within a few minutes", reason);
	if (db_exec(r->db, forders_sql[SQL_CLAIM_NOTE], DB_PARAMS(DB_STR(note),
	    DB_INT(o->rowid))) != DB_OK)
		forders_outcome(out, 503, 0, "database unavailable");
	else
		forders_outcome(out, 502, 1, "%s", note);
}

/* Send the claimed order to Printful and record what came of it. */
static void
forders_submit(struct req *r, const struct forder *o,
    struct json_object *body, const char *note, struct forder_outcome *out)
{
	struct printful_res	 res;
	long long		 pid;
	char			 pstatus[32];
	const char		*why;
	int			 refused;

	if (printful_call(r->conf, "POST", "/orders?confirm=true", body,
	    &res) && forders_printful_result(res.result, &pid, pstatus)) {
		forders_submitted(r, o, pid, pstatus, note, out);
		printful_res_cleanup(&res);
		return;
	}
	/* Printful said no, or said nothing: before the claim is released,
	 * ask whether it has the order all the same (an answer lost on the
	 * way back, a first attempt whose record failed). */
	refused = res.status != 0 && !res.timed_out && !res.ok;
	why = res.ok ? "Printful answered without an order id" : res.error;
	switch (forders_printful_lookup(r->conf, o->id, &pid, pstatus)) {
	case LOOKUP_FOUND:
		log_warn("forders: order %s is at Printful although the call "
		    "did not say so (%s)", o->id, why);
		forders_submitted(r, o, pid, pstatus, note, out);
		break;
	case LOOKUP_ABSENT:
		forders_release(r, o, why, out);
		break;
	case LOOKUP_UNKNOWN:
		/* A refusal is final; silence leaves it to the worker. */
		if (refused)
			forders_release(r, o, why, out);
		else
			forders_hold(r, o, why, out);
		break;
	}
	printful_res_cleanup(&res);
}

/* Claim o for submission and make the claim visible to everyone. */
static int
forders_claim(struct req *r, const struct forder *o, const char *actor,
    struct forder_outcome *out)
{
	if (db_exec(r->db, forders_sql[SQL_CLAIM], DB_PARAMS(DB_STR(actor),
	    DB_INT(o->rowid))) != DB_OK) {
		forders_outcome(out, 503, 0, "database unavailable");
		return 0;
	}
	if (db_affected(r->db) != 1) {
		forders_outcome(out, 409, 0, "order: %s is being submitted by "
		    "another approval", o->id);
		return 0;
	}
	if (!req_commit_step(r)) {
		forders_outcome(out, 503, 0, "database unavailable; order %s "
		    "was not sent to Printful", o->id);
		return 0;
	}
	return 1;
}

static void
forders_admin_reject_order(struct req *r, const struct forder *o,
    const char *actor, const char *note, struct forder_outcome *out)
{
	if (db_exec(r->db, forders_sql[SQL_ADMIN_REJECT], DB_PARAMS(
	    DB_STR(note), DB_STR(actor), DB_INT(o->rowid))) != DB_OK ||
	    db_affected(r->db) != 1 ||
	    forders_status_event(r->db, o, ST_PENDING_ADMIN, ST_REJECTED_ADMIN,
	    note) != DB_OK)
		forders_outcome(out, 503, 0, "database unavailable; nothing "
		    "was written");
	else
		forders_outcome(out, 200, 0, "Order %s rejected", o->id);
}

static void
forders_admin_approve_order(struct req *r, const struct forder *o,
    const char *actor, const char *note, struct forder_outcome *out)
{
	struct json_object	*body;
	char			 why[256];

	/* Built before the claim: an order that cannot go is 422 and
	 * nothing changes. */
	if ((body = forders_printful_order(o, why, sizeof(why))) == NULL) {
		forders_outcome(out, 422, 0, "%s", why);
		return;
	}
	if (forders_claim(r, o, actor, out))
		forders_submit(r, o, body, note, out);
	json_object_put(body);
}

/*
 * The platform operator's decision on order id (any client's), for the
 * API and the console alike: reject, or approve and submit to Printful
 * exactly once. Runs in the caller's write transaction; an approval
 * commits its claim on the way (req_commit_step). out->status is the
 * answer; out->keep asks the caller to req_keep a refusal whose record
 * (the released claim and its reason) must be committed.
 */
void
forders_admin_decide(struct req *r, const char *id, int approve,
    const char *actor, const char *note, struct forder_outcome *out)
{
	struct forder	 o;
	enum db_code	 code;

	memset(out, 0, sizeof(*out));
	memset(&o, 0, sizeof(o));
	/* Whoever calls it (API key or console session), only an operator
	 * decides. */
	if (!r->principal.platform_admin) {
		forders_outcome(out, 403, 0, "order: only a platform operator "
		    "decides an order pending_admin_approval");
		return;
	}
	code = forder_load(r->db, SQL_ORDER_LOCK, DB_PARAMS(DB_STR(id)), &o);
	if (code == DB_NOTFOUND)
		forders_outcome(out, 404, 0, "order: no order %s", id);
	else if (code != DB_OK)
		forders_outcome(out, 503, 0, "database unavailable");
	else if (strcmp(o.status, ST_PENDING_ADMIN) != 0)
		forders_outcome(out, 409, 0, "order: is %s; only an order "
		    "pending_admin_approval can be decided by the operator",
		    o.status);
	else if (o.submit != NULL)
		forders_outcome(out, 409, 0, "order: %s is being submitted to "
		    "Printful by another approval", o.id);
	else if (!approve)
		forders_admin_reject_order(r, &o, actor, note, out);
	else
		forders_admin_approve_order(r, &o, actor, note, out);
	forder_cleanup(&o);
}

/* The HTTP side of the operator's decision: a platform admin key only. */
static void
forders_admin_action(struct req *r, int approve)
{
	struct forder_outcome	 out;
	struct json_object	*b;
	const char		*note;
	char			 actor[128];

	if (!r->principal.platform_admin) {
		req_resp_error(r, 403, NULL, "%s: the platform operator's "
		    "decision; needs an admin key", approve ? "admin-approve" :
		    "admin-reject");
		return;
	}
	if (!forders_read_note(r, &b, &note)) {
		json_object_put(b);
		return;
	}
	principal_actor(&r->principal, actor, sizeof(actor));
	forders_admin_decide(r, r->args[0], approve, actor, note, &out);
	if (out.status == 200)
		forders_answer_action(r, r->args[0], approve ? ST_SUBMITTED :
		    ST_REJECTED_ADMIN, out.printful_order_id);
	else {
		req_resp_error(r, out.status, NULL, "%s", out.message);
		if (out.keep)
			req_keep(r);
	}
	json_object_put(b);
}

/* POST /api/orders/{id}/admin-approve {note?}: HUMAN GATE. */
void
forders_admin_approve(struct req *r)
{
	forders_admin_action(r, 1);
}

/* POST /api/orders/{id}/admin-reject {note?}: HUMAN GATE. */
void
forders_admin_reject(struct req *r)
{
	forders_admin_action(r, 0);
}

/* ---- the worker: claims whose process died ---- */

/* Resolve one stale claim (already leased): 1 when it was resolved. */
static int
forders_recover_one(struct db *db, const struct conf *conf,
    const struct forder *o)
{
	long long	 pid;
	char		 pstatus[32];

	switch (forders_printful_lookup(conf, o->id, &pid, pstatus)) {
	case LOOKUP_FOUND:
		if (db_begin(db) != DB_OK)
			return 0;
		if (forders_record_submitted(db, o, pid, pstatus, NULL) ==
		    DB_OK && db_commit(db) == DB_OK) {
			log_info("forders: order %s was at Printful (order "
			    "%lld); recorded", o->id, pid);
			return 1;
		}
		db_rollback(db);
		return 0;
	case LOOKUP_ABSENT:
		if (db_exec(db, forders_sql[SQL_RELEASE], DB_PARAMS(DB_STR(
		    "Printful submission failed: the approving process "
		    "stopped before Printful had the order; approve it again"),
		    DB_INT(o->rowid))) != DB_OK)
			return 0;
		log_info("forders: order %s was not at Printful; released",
		    o->id);
		return 1;
	case LOOKUP_UNKNOWN:
		break;
	}
	log_warn("forders: order %s: Printful could not be asked; retried "
	    "later", o->id);
	return 0;
}

/*
 * A worker job: claims left 'submitting' for more than CLAIM_STALE_S
 * (the approving process died between its claim and its record) are
 * looked up on Printful by external id: there, recorded as submitted;
 * not there, released to the operator. Each is leased first by moving
 * its claim time, so two workers never resolve one. Returns how many
 * were resolved.
 */
int
forders_recover_job(struct db *db, const struct conf *conf)
{
	static time_t	 last;
	time_t		 now = time(NULL);
	struct forder	 o;
	struct db_rows	*rows = NULL;
	size_t		 i;
	int		 done = 0;

	if (now - last < RECOVER_EVERY_S)
		return 0;
	last = now;
	if (db_query(db, &rows, forders_sql[SQL_STALE_CLAIMS], DB_PARAMS(
	    DB_INT(CLAIM_STALE_S), DB_INT(RECOVER_BATCH))) != DB_OK) {
		log_warn("forders: stale claims: %s", db_errstr(db));
		return 0;
	}
	for (i = 0; i < rows->nrows; i++) {
		if (forder_load(db, SQL_ORDER_LOCK_ROW, DB_PARAMS(DB_INT(atoll(
		    db_cell(rows, i, OC_ROWID)))), &o) == DB_OK &&
		    db_exec(db, forders_sql[SQL_RECLAIM], DB_PARAMS(
		    DB_INT(o.rowid), DB_STR(db_cell(rows, i,
		    OC_CLAIMED_AT)))) == DB_OK && db_affected(db) == 1)
			done += forders_recover_one(db, conf, &o);
		forder_cleanup(&o);
	}
	db_rows_free(rows);
	return done;
}

/* ---- Printful's webhooks ---- */

/* The token in the URL against printful_webhook_token, in constant time
 * whatever either length (both hashed first). */
static int
forders_printful_token_ok(const struct conf *conf, const char *token)
{
	unsigned char	 a[32], b[32];

	if (conf->printful_webhook_token == NULL ||
	    *conf->printful_webhook_token == '\0' || token == NULL)
		return 0;
	crypto_key_hash(token, strlen(token), a);
	crypto_key_hash(conf->printful_webhook_token,
	    strlen(conf->printful_webhook_token), b);
	return crypto_equal(a, b, sizeof(a));
}

/* The row id of the order a webhook is about; 0 when none. */
static long long
forders_webhook_order(struct db *db, struct json_object *order,
    enum db_code *code)
{
	struct forder		 o;
	struct db_rows		*rows = NULL;
	struct json_object	*v;
	const char		*ext = forders_jstr(order, "external_id");
	long long		 row = 0;

	*code = DB_OK;
	if (ext != NULL && strlen(ext) <= 64) {
		*code = forder_load(db, SQL_ORDER_BY_ID, DB_PARAMS(DB_STR(ext),
		    DB_INT(0), DB_INT(0)), &o);
		row = *code == DB_OK ? o.rowid : 0;
		forder_cleanup(&o);
		if (*code != DB_NOTFOUND)
			return row;
		*code = DB_OK;
	}
	if (json_object_object_get_ex(order, "id", &v) &&
	    json_object_is_type(v, json_type_int)) {
		*code = db_query(db, &rows,
		    forders_sql[SQL_ORDER_ROW_BY_PRINTFUL],
		    DB_PARAMS(DB_INT(json_object_get_int64(v))));
		if (*code == DB_OK && rows->nrows == 1)
			row = atoll(db_cell(rows, 0, 0));
		db_rows_free(rows);
	}
	return row;
}

/* A string or number member as text (Printful's tracking numbers come
 * as either); NULL when absent or empty. */
static const char *
forders_text(struct json_object *o, const char *name, size_t max)
{
	struct json_object	*v;
	const char		*s;

	if (!json_object_object_get_ex(o, name, &v) || v == NULL ||
	    (!json_object_is_type(v, json_type_string) &&
	    !json_object_is_type(v, json_type_int)))
		return NULL;
	s = json_object_get_string(v);
	return *s != '\0' && util_utf8_chars(s) <= max ? s : NULL;
}

static int
forders_same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* package_shipped: shipped with its tracking (a later package's
 * tracking replaces it); a repeat changes nothing. */
static enum db_code
forders_on_shipped(struct db *db, const struct forder *o,
    struct json_object *data)
{
	struct json_object	*sh = valid_get(data, "shipment");
	const char		*num = forders_text(sh, "tracking_number", 255);
	const char		*url = forders_text(sh, "tracking_url", 2048);
	enum db_code		 code;

	if (strcmp(o->status, ST_SHIPPED) == 0) {
		if (forders_same(num, forder_cell(o, OC_TRACKING_NO)) &&
		    forders_same(url, forder_cell(o, OC_TRACKING_URL)))
			return DB_OK;
		return db_exec(db, forders_sql[SQL_TRACKING], DB_PARAMS(
		    DB_STR(num), DB_STR(url), DB_INT(o->rowid)));
	}
	if (strcmp(o->status, ST_SUBMITTED) != 0 &&
	    strcmp(o->status, ST_IN_PRODUCTION) != 0) {
		log_warn("printful: package_shipped for order %s, which is %s; "
		    "ignored", o->id, o->status);
		return DB_OK;
	}
	if ((code = db_exec(db, forders_sql[SQL_SHIPPED], DB_PARAMS(
	    DB_STR(num), DB_STR(url), DB_STR("fulfilled"),
	    DB_INT(o->rowid)))) != DB_OK)
		return code;
	return forders_status_event(db, o, o->status, ST_SHIPPED, NULL);
}

/* order_updated: Printful's "inprocess" is our in_production. */
static enum db_code
forders_on_updated(struct db *db, const struct forder *o, const char *pstatus)
{
	enum db_code	 code;

	if (pstatus == NULL || strlen(pstatus) >= 32)
		return DB_OK;
	if (strcmp(pstatus, "inprocess") == 0 &&
	    strcmp(o->status, ST_SUBMITTED) == 0) {
		if ((code = db_exec(db, forders_sql[SQL_IN_PRODUCTION],
		    DB_PARAMS(DB_STR(pstatus), DB_INT(o->rowid)))) != DB_OK)
			return code;
		return forders_status_event(db, o, ST_SUBMITTED,
		    ST_IN_PRODUCTION, NULL);
	}
	if (forders_same(pstatus, forder_cell(o, OC_PRINTFUL_STATUS)))
		return DB_OK;
	return db_exec(db, forders_sql[SQL_PRINTFUL_STATUS], DB_PARAMS(
	    DB_STR(pstatus), DB_INT(o->rowid)));
}

/* order_failed / order_canceled: the reason becomes the status note
 * (the status stays; an operator decides what follows). */
static enum db_code
forders_on_trouble(struct db *db, const struct forder *o, const char *what,
    const char *pstatus, struct json_object *data)
{
	const char	*reason = forders_text(data, "reason", 1500);
	char		 note[NOTE_MAX + 1];
	enum db_code	 code;

	snprintf(note, sizeof(note), "Printful %s the order: %s", what,
	    reason != NULL ? reason : "no reason given");
	if (forders_same(note, o->note))
		return DB_OK;
	if ((code = db_exec(db, forders_sql[SQL_PRINTFUL_NOTE], DB_PARAMS(
	    DB_STR(note), DB_STR(pstatus), DB_INT(o->rowid)))) != DB_OK)
		return code;
	return forders_status_event(db, o, o->status, o->status, note);
}

/* Apply one webhook of type to order row (locked here). */
static enum db_code
forders_webhook_apply(struct db *db, long long row, const char *type,
    struct json_object *data)
{
	struct forder	 o;
	enum db_code	 code;

	if ((code = forder_load(db, SQL_ORDER_LOCK_ROW, DB_PARAMS(DB_INT(row)),
	    &o)) != DB_OK) {
		forder_cleanup(&o);
		return code == DB_NOTFOUND ? DB_OK : code;
	}
	if (strcmp(type, "package_shipped") == 0)
		code = forders_on_shipped(db, &o, data);
	else if (strcmp(type, "order_updated") == 0)
		code = forders_on_updated(db, &o, forders_jstr(valid_get(data,
		    "order"), "status"));
	else if (strcmp(type, "order_failed") == 0)
		code = forders_on_trouble(db, &o, "failed", "failed", data);
	else if (strcmp(type, "order_canceled") == 0)
		code = forders_on_trouble(db, &o, "canceled", "canceled", data);
	forder_cleanup(&o);
	return code;
}

/*
 * POST /api/printful/webhook/{token} (public: Printful's v1 webhooks are
 * unsigned, so the secret token in the URL is the credential; a wrong
 * one is 404, as if there were no such URL). Printful retries, so each
 * event is applied idempotently; events about orders we do not have are
 * acknowledged.
 */
void
forders_printful_webhook(struct req *r)
{
	struct json_object	*b = NULL, *data, *order;
	const char		*type;
	enum db_code		 code;
	long long		 row;

	if (!forders_printful_token_ok(r->conf, r->args[0])) {
		req_resp_error(r, 404, NULL, "no such resource: /api/printful/"
		    "webhook/…");
		return;
	}
	if ((b = req_json_body(r)) == NULL)
		return;
	if (!valid_object(r, b) ||
	    !valid_string(r, b, "type", 1, 1, 64, &type))
		goto out;
	data = valid_get(b, "data");
	order = valid_get(data, "order");
	if (!json_object_is_type(order, json_type_object)) {
		log_info("printful: %s without an order; acknowledged", type);
		forders_received(r);
		goto out;
	}
	row = forders_webhook_order(r->db, order, &code);
	if (code == DB_OK && row == 0)
		log_info("printful: %s for an order we do not have; "
		    "acknowledged", type);
	else if (code == DB_OK)
		code = forders_webhook_apply(r->db, row, type, data);
	if (code != DB_OK)
		req_resp_error(r, 503, NULL, "database unavailable");
	else
		forders_received(r);
out:
	json_object_put(b);
}
