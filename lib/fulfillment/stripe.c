/*
 * stripe.c - what Stripe sends, read before anything is written: the
 * Stripe-Signature header (t=…,v1=…[,v1=…]) checked over "<t>.<raw
 * body>" with HMAC-SHA256 keyed by the whole endpoint secret, and a
 * Checkout Session read into the order it pays for (the client's slug,
 * OrderItem[] from metadata.items, the customer's e-mail, the shipping
 * address, the total in cents). No SQL and no I/O: orders.c writes, the
 * unit and fuzz tests reach every line here.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "fulfillment/fulfillment.h"

#define STRIPE_HEADER_MAX	4096
#define ITEM_TITLE_MAX		200
#define ITEM_URL_MAX		2048
#define ITEM_QTY_MAX		1000
#define ITEM_PRICE_MAX		(1000000LL * 10000)	/* 1,000,000.00 */
#define ADDRESS_FIELD_MAX	200

static const char *const item_types[] = { "shirt", "poster", "default", NULL };
static const char *const item_sizes[] = {
	"XS", "S", "M", "L", "XL", "2XL", "3XL", "4XL", "5XL", NULL
};

static int
stripe_hex64(const char *s, size_t n)
{
	size_t	 i;

	if (n != 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* One "key=value" element of the header, [s, s + n). */
static int
stripe_sig_element(const char *s, size_t n, struct stripe_sig *sig,
    int *have_t)
{
	const char	*eq = memchr(s, '=', n);
	char		 num[24];
	size_t		 klen, vlen, i;
	long long	 t;

	if (eq == NULL || eq == s)
		return 0;
	klen = (size_t)(eq - s);
	vlen = n - klen - 1;
	if (klen == 1 && s[0] == 't') {
		if (*have_t || vlen == 0 || vlen >= sizeof(num))
			return 0;
		memcpy(num, eq + 1, vlen);
		num[vlen] = '\0';
		if (!util_strtonum(num, 0, INT64_MAX / 2, &t))
			return 0;
		sig->t = t;
		*have_t = 1;
	} else if (klen == 2 && memcmp(s, "v1", 2) == 0) {
		if (sig->nv1 == STRIPE_MAX_V1)
			return 0;
		/* A v1 that is not 64 hex digits cannot match: kept empty. */
		if (stripe_hex64(eq + 1, vlen)) {
			for (i = 0; i < vlen; i++)
				sig->v1[sig->nv1][i] =
				    (char)tolower((unsigned char)eq[1 + i]);
			sig->v1[sig->nv1][vlen] = '\0';
		} else
			sig->v1[sig->nv1][0] = '\0';
		sig->nv1++;
	}
	/* Other schemes (v0, a future v2) are Stripe's to add: ignored. */
	return 1;
}

/*
 * Parse a Stripe-Signature header into sig: exactly one t (Unix
 * seconds) and one to STRIPE_MAX_V1 v1 signatures, comma-separated
 * key=value elements (spaces around them allowed). 1 when well formed.
 */
int
stripe_sig_parse(const char *h, struct stripe_sig *sig)
{
	const char	*p, *end, *comma;
	size_t		 n;
	int		 have_t = 0;

	memset(sig, 0, sizeof(*sig));
	if (h == NULL || (n = strlen(h)) == 0 || n > STRIPE_HEADER_MAX)
		return 0;
	/* An empty element (",,", a trailing comma) is malformed too. */
	for (p = h, end = h + n;; p = comma + 1) {
		if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
			comma = end;
		while (p < comma && *p == ' ')
			p++;
		n = (size_t)(comma - p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n == 0 || !stripe_sig_element(p, n, sig, &have_t))
			return 0;
		if (comma == end)
			break;
	}
	return have_t && sig->nv1 > 0;
}

/* The expected v1 of body at t under secret, as lowercase hex. */
static int
stripe_sig_expected(const char *secret, int64_t t, const void *body,
    size_t len, char out[65])
{
	struct buf	 msg;
	int		 ok;

	buf_init(&msg);
	ok = buf_printf(&msg, "%lld.", (long long)t) &&
	    buf_append(&msg, body, len);
	if (ok)
		crypto_hmac_sha256_hex((const unsigned char *)secret,
		    strlen(secret), (const unsigned char *)msg.data, msg.len,
		    out);
	buf_cleanup(&msg);
	return ok;
}

/*
 * Check header against body (len bytes, raw as received) at now (Unix
 * seconds): any v1 may match (a secret being rolled signs twice), and t
 * must be within STRIPE_TOLERANCE_S of now either way.
 */
enum stripe_verdict
stripe_verify(const char *secret, const char *header, const void *body,
    size_t len, int64_t now)
{
	struct stripe_sig	 sig;
	char			 want[65];
	size_t			 i;
	int			 match = 0;

	if (secret == NULL || *secret == '\0')
		return STRIPE_NO_SECRET;
	if (header == NULL || *header == '\0')
		return STRIPE_MISSING;
	if (!stripe_sig_parse(header, &sig))
		return STRIPE_MALFORMED;
	if (!stripe_sig_expected(secret, sig.t, body, len, want))
		return STRIPE_MISMATCH;
	/* Every candidate is compared, in constant time each. */
	for (i = 0; i < sig.nv1; i++)
		if (sig.v1[i][0] != '\0' && crypto_equal(sig.v1[i], want, 64))
			match = 1;
	if (!match)
		return STRIPE_MISMATCH;
	if (sig.t < now - STRIPE_TOLERANCE_S || sig.t > now + STRIPE_TOLERANCE_S)
		return STRIPE_STALE;
	return STRIPE_OK;
}

/* Why a verdict refuses, for the 400 and the log (static). */
const char *
stripe_verdict_text(enum stripe_verdict v)
{
	switch (v) {
	case STRIPE_OK:
		return "verified";
	case STRIPE_NO_SECRET:
		return "Stripe-Signature: no stripe_webhook_secret is set up, "
		    "so no event can be verified";
	case STRIPE_MISSING:
		return "Stripe-Signature: is required";
	case STRIPE_MALFORMED:
		return "Stripe-Signature: expected t=<seconds>,v1=<hex>";
	case STRIPE_STALE:
		return "Stripe-Signature: the timestamp is more than 300 "
		    "seconds from now";
	case STRIPE_MISMATCH:
		return "Stripe-Signature: no v1 signature matches the body";
	}
	return "Stripe-Signature: refused";
}

/* o's member name as a string, or NULL (absent, null, another type). */
static const char *
stripe_str(struct json_object *o, const char *name)
{
	struct json_object	*v;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* o's member name if it is an object, else NULL. Borrowed. */
static struct json_object *
stripe_obj(struct json_object *o, const char *name)
{
	struct json_object	*v;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

/* A string member of 1..max characters into *out; why set when not. */
static int
item_string(struct json_object *it, const char *name, size_t max,
    const char **out, char *why, size_t whysz, size_t i)
{
	size_t	 n;

	if ((*out = stripe_str(it, name)) == NULL) {
		snprintf(why, whysz, "items[%zu].%s: expected a string", i, name);
		return 0;
	}
	n = util_utf8_chars(*out);
	if (n < 1 || n > max) {
		snprintf(why, whysz, "items[%zu].%s: expected 1 to %zu "
		    "characters", i, name, max);
		return 0;
	}
	return 1;
}

static int
item_choice(struct json_object *it, const char *name,
    const char *const *choices, const char **out, char *why, size_t whysz,
    size_t i)
{
	size_t	 k;

	if (!item_string(it, name, 16, out, why, whysz, i))
		return 0;
	for (k = 0; choices[k] != NULL; k++)
		if (strcmp(*out, choices[k]) == 0)
			return 1;
	snprintf(why, whysz, "items[%zu].%s: not one of the allowed values",
	    i, name);
	return 0;
}

/* An absolute http(s) URL with a host and no spaces or controls. */
int
stripe_url_ok(const char *u)
{
	const char	*host;
	size_t		 i;

	if (strncmp(u, "https://", 8) == 0)
		host = u + 8;
	else if (strncmp(u, "http://", 7) == 0)
		host = u + 7;
	else
		return 0;
	if (*host == '\0' || *host == '/' || *host == '?' || *host == '#')
		return 0;
	for (i = 0; u[i] != '\0'; i++)
		if ((unsigned char)u[i] <= ' ' || u[i] == 0x7f)
			return 0;
	return 1;
}

/* items[i] as a normalized OrderItem (the contract's six fields). */
static struct json_object *
stripe_item(struct json_object *it, size_t i, char *why, size_t whysz)
{
	struct json_object	*o, *q, *p;
	const char		*title, *type, *url, *size;
	int64_t			 price;
	long long		 qty;

	if (!json_object_is_type(it, json_type_object)) {
		snprintf(why, whysz, "items[%zu]: expected an object", i);
		return NULL;
	}
	if (!item_string(it, "productTitle", ITEM_TITLE_MAX, &title, why,
	    whysz, i) ||
	    !item_choice(it, "productType", item_types, &type, why, whysz, i) ||
	    !item_string(it, "imageUrl", ITEM_URL_MAX, &url, why, whysz, i) ||
	    !item_choice(it, "size", item_sizes, &size, why, whysz, i))
		return NULL;
	if (!stripe_url_ok(url)) {
		snprintf(why, whysz, "items[%zu].imageUrl: expected an http or "
		    "https URL", i);
		return NULL;
	}
	if (!json_object_object_get_ex(it, "quantity", &q) ||
	    !json_object_is_type(q, json_type_int) ||
	    (qty = json_object_get_int64(q)) < 1 || qty > ITEM_QTY_MAX) {
		snprintf(why, whysz, "items[%zu].quantity: expected an integer "
		    "from 1 to %d", i, ITEM_QTY_MAX);
		return NULL;
	}
	if (!json_object_object_get_ex(it, "price", &p) ||
	    json_object_is_type(p, json_type_string) ||
	    !decimal_from_json(p, &price) || price < 0 ||
	    price > ITEM_PRICE_MAX) {
		snprintf(why, whysz, "items[%zu].price: expected a number from "
		    "0 to 1000000 with at most 4 decimal places", i);
		return NULL;
	}
	o = json_object_new_object();
	json_object_object_add(o, "productTitle", json_object_new_string(title));
	json_object_object_add(o, "productType", json_object_new_string(type));
	json_object_object_add(o, "imageUrl", json_object_new_string(url));
	json_object_object_add(o, "size", json_object_new_string(size));
	json_object_object_add(o, "quantity", json_object_new_int64(qty));
	json_object_object_add(o, "price", decimal_money_json(price));
	return o;
}

/*
 * metadata.items: text, a JSON array of 1 to STRIPE_MAX_ITEMS OrderItem.
 * 1 with *out the normalized array (owned); 0 with why filled.
 */
int
stripe_items_read(const char *text, struct json_object **out, char *why,
    size_t whysz)
{
	struct json_object	*arr, *norm, *it;
	char			 err[160];
	size_t			 i, n;

	*out = NULL;
	if (text == NULL) {
		snprintf(why, whysz, "items: missing from the session's "
		    "metadata");
		return 0;
	}
	if ((arr = json_parse_body(text, strlen(text), err,
	    sizeof(err))) == NULL) {
		snprintf(why, whysz, "items: not JSON (%s)", err);
		return 0;
	}
	if (!json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) < 1 || n > STRIPE_MAX_ITEMS) {
		snprintf(why, whysz, "items: expected an array of 1 to %d "
		    "OrderItem", STRIPE_MAX_ITEMS);
		json_object_put(arr);
		return 0;
	}
	norm = json_object_new_array();
	for (i = 0; i < n; i++) {
		if ((it = stripe_item(json_object_array_get_idx(arr, i), i, why,
		    whysz)) == NULL) {
			json_object_put(norm);
			json_object_put(arr);
			return 0;
		}
		json_object_array_add(norm, it);
	}
	json_object_put(arr);
	*out = norm;
	return 1;
}

/* An address field: a string of at most ADDRESS_FIELD_MAX characters,
 * "" when absent; 0 when too long or of another type. */
static int
address_field(struct json_object *a, const char *name, const char **out)
{
	struct json_object	*v;

	*out = "";
	if (!json_object_object_get_ex(a, name, &v) || v == NULL)
		return 1;
	if (!json_object_is_type(v, json_type_string) ||
	    util_utf8_chars(json_object_get_string(v)) > ADDRESS_FIELD_MAX)
		return 0;
	*out = json_object_get_string(v);
	return 1;
}

/*
 * The contract's ShippingAddress {name, line1, city, state, postal_code,
 * country} from Stripe's shipping_details {name, address:{…}}, with
 * line2 kept when there is one (a package must not lose its apartment
 * number). NULL when there is no usable address: a name, line1, city
 * and country are needed (state and postal code are not used everywhere;
 * country defaults to US as the contract says).
 */
static struct json_object *
stripe_shipping(struct json_object *sd)
{
	struct json_object	*a, *o;
	const char		*name, *l1, *l2, *city, *state, *zip, *cc;

	if (sd == NULL || (a = stripe_obj(sd, "address")) == NULL)
		return NULL;
	if (!address_field(sd, "name", &name) ||
	    !address_field(a, "line1", &l1) ||
	    !address_field(a, "line2", &l2) ||
	    !address_field(a, "city", &city) ||
	    !address_field(a, "state", &state) ||
	    !address_field(a, "postal_code", &zip) ||
	    !address_field(a, "country", &cc))
		return NULL;
	if (*name == '\0' || *l1 == '\0' || *city == '\0')
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "line1", json_object_new_string(l1));
	if (*l2 != '\0')
		json_object_object_add(o, "line2", json_object_new_string(l2));
	json_object_object_add(o, "city", json_object_new_string(city));
	json_object_object_add(o, "state", json_object_new_string(state));
	json_object_object_add(o, "postal_code", json_object_new_string(zip));
	json_object_object_add(o, "country", json_object_new_string(
	    *cc != '\0' ? cc : "US"));
	return o;
}

/* payment_intent: an id, or an expanded object with one; NULL if none. */
static const char *
stripe_intent(struct json_object *s)
{
	const char		*id;
	struct json_object	*pi;

	if ((id = stripe_str(s, "payment_intent")) != NULL)
		return id;
	if ((pi = stripe_obj(s, "payment_intent")) != NULL)
		return stripe_str(pi, "id");
	return NULL;
}

/* amount_total: whole cents, as fixed point (scale 4). */
static int
stripe_total(struct json_object *s, int64_t *out)
{
	struct json_object	*v;
	int64_t			 cents;

	if (!json_object_object_get_ex(s, "amount_total", &v) ||
	    !json_object_is_type(v, json_type_int))
		return 0;
	cents = json_object_get_int64(v);
	if (cents < 0 || cents > DECIMAL_MAX / 100)
		return 0;
	*out = cents * 100;
	return 1;
}

static void
stripe_currency(struct json_object *s, char out[4])
{
	const char	*c = stripe_str(s, "currency");
	size_t		 i;

	snprintf(out, 4, "USD");
	if (c == NULL || strlen(c) != 3)
		return;
	for (i = 0; i < 3; i++)
		if (!isalpha((unsigned char)c[i]))
			return;
	for (i = 0; i < 3; i++)
		out[i] = (char)toupper((unsigned char)c[i]);
}

/* What the session lacks to be an order; why filled. */
static enum stripe_read
stripe_refuse(enum stripe_read res, char *why, size_t whysz, const char *msg)
{
	snprintf(why, whysz, "%s", msg);
	return res;
}

/*
 * Read a Checkout Session (the event's data.object, borrowed) into o:
 * STRIPE_READ_OK with o filled (strings borrowed from s, items and
 * shipping owned: stripe_order_cleanup); otherwise why says what is
 * missing and nothing is to be written. A session whose payment is
 * still pending (payment_status "unpaid": a delayed payment method) is
 * STRIPE_READ_UNPAID: Stripe sends checkout.session.async_payment_
 * succeeded once it is paid.
 */
enum stripe_read
stripe_session_read(struct json_object *s, struct stripe_order *o, char *why,
    size_t whysz)
{
	struct json_object	*meta, *sd, *ci;
	const char		*ps, *email;
	size_t			 n;

	memset(o, 0, sizeof(*o));
	if (!json_object_is_type(s, json_type_object))
		return stripe_refuse(STRIPE_READ_BAD_SESSION, why, whysz,
		    "data.object: expected a checkout session");
	o->session_id = stripe_str(s, "id");
	if (o->session_id == NULL || (n = strlen(o->session_id)) == 0 ||
	    n > 255)
		return stripe_refuse(STRIPE_READ_BAD_SESSION, why, whysz,
		    "data.object.id: expected the session's id");
	if ((ps = stripe_str(s, "payment_status")) != NULL &&
	    strcmp(ps, "unpaid") == 0)
		return stripe_refuse(STRIPE_READ_UNPAID, why, whysz,
		    "payment_status: unpaid (waiting for the payment)");
	meta = stripe_obj(s, "metadata");
	o->client_slug = stripe_str(meta, "clientSlug");
	if (o->client_slug == NULL || !orgs_slug_valid(o->client_slug))
		return stripe_refuse(STRIPE_READ_NO_CLIENT, why, whysz,
		    "metadata.clientSlug: missing or not a slug");
	if (!stripe_total(s, &o->total))
		return stripe_refuse(STRIPE_READ_BAD_SESSION, why, whysz,
		    "amount_total: expected whole cents");
	if (!stripe_items_read(stripe_str(meta, "items"), &o->items, why,
	    whysz))
		return STRIPE_READ_BAD_ITEMS;
	stripe_currency(s, o->currency);
	o->payment_intent = stripe_intent(s);
	if (o->payment_intent != NULL && strlen(o->payment_intent) > 255)
		o->payment_intent = NULL;
	email = stripe_str(stripe_obj(s, "customer_details"), "email");
	o->email = email != NULL && users_email_valid(email) ? email : NULL;
	/* Newer API versions moved it under collected_information. */
	if ((sd = stripe_obj(s, "shipping_details")) == NULL &&
	    (ci = stripe_obj(s, "collected_information")) != NULL)
		sd = stripe_obj(ci, "shipping_details");
	o->shipping = stripe_shipping(sd);
	return STRIPE_READ_OK;
}

void
stripe_order_cleanup(struct stripe_order *o)
{
	json_object_put(o->items);
	json_object_put(o->shipping);
	o->items = o->shipping = NULL;
}
