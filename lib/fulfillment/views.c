/*
 * views.c - typed views of fulfillment orders for the console: the
 * orders of every client waiting for a platform operator's approval, and
 * one order by its id. The operator works across clients, so these two
 * statements alone are not scoped by organization; the console shows
 * them only to platform admins. Items and the shipping address are the
 * JSON the order holds (OrderItem[], ShippingAddress), parsed here so
 * the console reads fields, not JSON. Every string is borrowed from the
 * view; fviews_cleanup frees it all.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "fulfillment/fulfillment.h"

enum views_fulfill_sql_id {
	SQL_FVIEW_WAITING, SQL_FVIEW_ORDER, VIEWS_FULFILL_SQL__MAX
};

#define FVIEW_COLUMNS \
	"SELECT o.public_id, g.name, g.slug, o.status, o.status_note," \
	" o.customer_email, o.currency, o.total, o.items," \
	" o.shipping_address," \
	" DATE_FORMAT(o.created_at, '%Y-%m-%d %H:%i:%s'), o.submit_state" \
	" FROM fulfill_orders o JOIN organizations g ON g.id = o.org_id"

static const char *const views_fulfill_sql[VIEWS_FULFILL_SQL__MAX] = {
	/* Oldest first: the order that has waited longest is decided
	 * first (ix_forder_status). */
	[SQL_FVIEW_WAITING] = FVIEW_COLUMNS
	    " WHERE o.status = 'pending_admin_approval'"
	    " ORDER BY o.id LIMIT ?",
	[SQL_FVIEW_ORDER] = FVIEW_COLUMNS
	    " WHERE o.public_id = ?",
};

const struct db_stmts views_fulfill_stmts = {
	"views_fulfill", views_fulfill_sql, VIEWS_FULFILL_SQL__MAX, NULL, 0
};

enum fview_col {
	FV_ID, FV_CLIENT_NAME, FV_CLIENT_SLUG, FV_STATUS, FV_STATUS_NOTE,
	FV_EMAIL, FV_CURRENCY, FV_TOTAL, FV_ITEMS, FV_ADDRESS, FV_PAID_AT,
	FV_SUBMIT
};

/* The JSON text s parsed (owned by the caller), or NULL when it is
 * none or not JSON. */
static struct json_object *
fviews_parse(const char *s)
{
	char	 err[128];

	if (s == NULL)
		return NULL;
	return json_parse_body(s, strlen(s), err, sizeof(err));
}

/* Member key of o as a string borrowed from o; NULL when it is not a
 * non-empty string. */
static const char *
fviews_str(struct json_object *o, const char *key)
{
	struct json_object	*v;
	const char		*s;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	return s != NULL && *s != '\0' ? s : NULL;
}

static void
fviews_item(struct json_object *o, struct fview_item *it)
{
	struct json_object	*v;

	it->title = fviews_str(o, "productTitle");
	it->type = fviews_str(o, "productType");
	it->size = fviews_str(o, "size");
	it->image_url = fviews_str(o, "imageUrl");
	if (json_object_object_get_ex(o, "quantity", &v) &&
	    json_object_is_type(v, json_type_int)) {
		it->quantity = (long long)json_object_get_int64(v);
		it->has_quantity = 1;
	}
	if (json_object_object_get_ex(o, "price", &v))
		it->has_price = decimal_from_json(v, &it->price);
}

/* o's items (an OrderItem[] as JSON text) into o->items. 0 when out of
 * memory; text that is not an array of objects only marks the order. */
static int
fviews_items(struct fview_order *o, const char *text)
{
	struct json_object	*e;
	size_t			 i, n;

	o->json_items = fviews_parse(text);
	if (o->json_items == NULL ||
	    !json_object_is_type(o->json_items, json_type_array)) {
		o->items_unreadable = 1;
		return 1;
	}
	n = json_object_array_length(o->json_items);
	if ((o->items = calloc(n ? n : 1, sizeof(*o->items))) == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(o->json_items, i);
		if (!json_object_is_type(e, json_type_object)) {
			o->items_unreadable = 1;
			continue;
		}
		fviews_item(e, &o->items[o->nitems++]);
	}
	return 1;
}

/*
 * o's shipping address: the contract's flat ShippingAddress, or
 * Stripe's shape ({name, address:{line1, …}}) should the order keep it.
 */
static void
fviews_address(struct fview_order *o, const char *text)
{
	struct json_object	*top, *a;
	struct fview_address	*ad = &o->address;

	if ((top = o->json_address = fviews_parse(text)) == NULL ||
	    !json_object_is_type(top, json_type_object))
		return;
	if (!json_object_object_get_ex(top, "address", &a) ||
	    !json_object_is_type(a, json_type_object))
		a = top;
	ad->name = fviews_str(top, "name");
	ad->line1 = fviews_str(a, "line1");
	ad->line2 = fviews_str(a, "line2");
	ad->city = fviews_str(a, "city");
	ad->state = fviews_str(a, "state");
	ad->postal_code = fviews_str(a, "postal_code");
	ad->country = fviews_str(a, "country");
	o->has_address = ad->name || ad->line1 || ad->city ||
	    ad->postal_code || ad->country;
}

/* Row i of w's rows as w's next order. 0 when out of memory. */
static int
fviews_add(struct fview_orders *w, size_t i)
{
	struct fview_order	*o = &w->v[w->n++];
	const struct db_rows	*rows = w->rows;

	o->id = db_cell(rows, i, FV_ID);
	o->client_name = db_cell(rows, i, FV_CLIENT_NAME);
	o->client_slug = db_cell(rows, i, FV_CLIENT_SLUG);
	o->status = db_cell(rows, i, FV_STATUS);
	o->status_note = db_cell(rows, i, FV_STATUS_NOTE);
	o->customer_email = db_cell(rows, i, FV_EMAIL);
	o->currency = db_cell(rows, i, FV_CURRENCY);
	o->total = decimal_sql(db_cell(rows, i, FV_TOTAL));
	o->paid_at = db_cell(rows, i, FV_PAID_AT);
	o->submitting = db_cell(rows, i, FV_SUBMIT) != NULL;
	fviews_address(o, db_cell(rows, i, FV_ADDRESS));
	return fviews_items(o, db_cell(rows, i, FV_ITEMS));
}

static enum db_code
fviews_read(struct db *db, struct fview_orders *w, const char *sql,
    const struct db_param *params, size_t nparams)
{
	enum db_code	 code;
	size_t		 i;

	memset(w, 0, sizeof(*w));
	if ((w->v = db_query_view(db, &w->rows, sizeof(*w->v), &code, sql,
	    params, nparams)) == NULL)
		return code;
	for (i = 0; i < w->rows->nrows; i++)
		if (!fviews_add(w, i))
			return DB_ERROR;
	return DB_OK;
}

/*
 * Every client's orders waiting for admin approval, oldest first, at
 * most FVIEWS_WAITING_MAX, into w. Free with fviews_cleanup, also after
 * a failure.
 */
enum db_code
fviews_waiting(struct db *db, struct fview_orders *w)
{
	return fviews_read(db, w, views_fulfill_sql[SQL_FVIEW_WAITING],
	    DB_PARAMS(DB_INT(FVIEWS_WAITING_MAX)));
}

/*
 * The order public_id of any client, in whatever status, into w (one
 * order, w->v[0]); DB_NOTFOUND when there is none. Free with
 * fviews_cleanup, also after a failure.
 */
enum db_code
fviews_order(struct db *db, const char *public_id, struct fview_orders *w)
{
	enum db_code	 code;

	if ((code = fviews_read(db, w, views_fulfill_sql[SQL_FVIEW_ORDER],
	    DB_PARAMS(DB_STR(public_id)))) != DB_OK)
		return code;
	return w->n == 1 ? DB_OK : DB_NOTFOUND;
}

/* Free what fviews_waiting or fviews_order filled; safe on a zeroed w. */
void
fviews_cleanup(struct fview_orders *w)
{
	size_t	 i;

	for (i = 0; w->v != NULL && i < w->n; i++) {
		free(w->v[i].items);
		json_object_put(w->v[i].json_items);
		json_object_put(w->v[i].json_address);
	}
	free(w->v);
	db_rows_free(w->rows);
	memset(w, 0, sizeof(*w));
}
