/*
 * fuzz_stripe.c - what Stripe's side of the internet sends: the
 * Stripe-Signature header (stripe_sig_parse, stripe_verify) and the
 * Checkout Session an order is read from (stripe_session_read,
 * stripe_items_read). The input up to its first NUL is a header, checked
 * against the rest as the body; the rest is also signed properly, which
 * must verify, and changed by one byte, which must not. The whole input
 * is a JSON event (or a bare session) and a metadata.items text. What is
 * accepted must keep every rule of the contract, and its normal form
 * must read back as itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "fuzz.h"

#define SECRET	"whsec_fuzz"
#define NOW	1700000000LL

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	return crypto_init(NULL) ? 0 : 1;
}

static void
check_sig(const struct stripe_sig *sig)
{
	size_t	 i, k;

	if (sig->t < 0 || sig->nv1 < 1 || sig->nv1 > STRIPE_MAX_V1)
		abort();
	for (i = 0; i < sig->nv1; i++) {
		if (sig->v1[i][0] == '\0')
			continue;
		for (k = 0; k < 64; k++)
			if (strchr("0123456789abcdef", sig->v1[i][k]) == NULL ||
			    sig->v1[i][k] == '\0')
				abort();
		if (sig->v1[i][64] != '\0')
			abort();
	}
}

/* A proper signature of body verifies; one byte more does not. */
static void
sign_and_verify(const char *body, size_t len)
{
	struct buf	 msg, hdr;
	char		 mac[65];

	buf_init(&msg);
	buf_init(&hdr);
	if (!buf_printf(&msg, "%lld.", NOW) || !buf_append(&msg, body, len))
		abort();
	crypto_hmac_sha256_hex((const unsigned char *)SECRET,
	    strlen(SECRET), (const unsigned char *)msg.data, msg.len, mac);
	if (!buf_printf(&hdr, "t=%lld,v1=%s", NOW, mac))
		abort();
	if (stripe_verify(SECRET, hdr.data, body, len, NOW) != STRIPE_OK ||
	    stripe_verify(SECRET, hdr.data, body, len, NOW + 301) !=
	    STRIPE_STALE ||
	    stripe_verify("whsec_other", hdr.data, body, len, NOW) !=
	    STRIPE_MISMATCH)
		abort();
	if (!buf_append(&msg, "x", 1) || stripe_verify(SECRET, hdr.data,
	    msg.data + (msg.len - len - 1), len + 1, NOW) != STRIPE_MISMATCH)
		abort();
	buf_cleanup(&msg);
	buf_cleanup(&hdr);
}

static void
check_item(struct json_object *it)
{
	static const char *const keys[] = {
		"productTitle", "productType", "imageUrl", "size", NULL
	};
	struct json_object	*v;
	int64_t			 price;
	size_t			 i;

	if (json_object_object_length(it) != 6)
		abort();
	for (i = 0; keys[i] != NULL; i++)
		if (!json_object_object_get_ex(it, keys[i], &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    *json_object_get_string(v) == '\0')
			abort();
	if (!json_object_object_get_ex(it, "imageUrl", &v) ||
	    !stripe_url_ok(json_object_get_string(v)))
		abort();
	if (!json_object_object_get_ex(it, "quantity", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 1)
		abort();
	if (!json_object_object_get_ex(it, "price", &v) ||
	    !decimal_from_json(v, &price) || price < 0)
		abort();
}

/* items is in normal form: valid, and reads back as the same text. */
static void
check_items(struct json_object *items)
{
	struct json_object	*again;
	char			*text;
	char			 why[256];
	size_t			 i, n = json_object_array_length(items);

	if (!json_object_is_type(items, json_type_array) || n < 1 ||
	    n > STRIPE_MAX_ITEMS)
		abort();
	for (i = 0; i < n; i++)
		check_item(json_object_array_get_idx(items, i));
	if ((text = strdup(json_to_str(items))) == NULL)
		abort();
	if (!stripe_items_read(text, &again, why, sizeof(why)) ||
	    strcmp(json_to_str(again), text) != 0)
		abort();
	json_object_put(again);
	free(text);
}

static void
check_session(struct json_object *s)
{
	struct stripe_order	 o;
	struct json_object	*v;
	char			 why[256];
	const char		*need[] = { "name", "line1", "city", "country",
				    NULL };
	size_t			 i;

	why[0] = '\0';
	if (stripe_session_read(s, &o, why, sizeof(why)) != STRIPE_READ_OK) {
		if (why[0] == '\0' || o.items != NULL || o.shipping != NULL)
			abort();
		stripe_order_cleanup(&o);
		return;
	}
	if (o.session_id == NULL || *o.session_id == '\0' ||
	    o.client_slug == NULL || !orgs_slug_valid(o.client_slug) ||
	    o.total < 0 || o.total % 100 != 0 || strlen(o.currency) != 3 ||
	    (o.email != NULL && !users_email_valid(o.email)))
		abort();
	check_items(o.items);
	if (o.shipping != NULL)
		for (i = 0; need[i] != NULL; i++)
			if (!json_object_object_get_ex(o.shipping, need[i], &v) ||
			    !json_object_is_type(v, json_type_string) ||
			    *json_object_get_string(v) == '\0')
				abort();
	stripe_order_cleanup(&o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*ev, *d, *obj, *items;
	struct stripe_sig	 sig;
	const uint8_t		*nul = memchr(data, '\0', size);
	size_t			 n = nul ? (size_t)(nul - data) : size;
	const char		*body = nul ? (const char *)nul + 1 : "";
	size_t			 blen = nul ? size - n - 1 : 0;
	char			*h, err[160], why[256];

	if ((h = malloc(n + 1)) == NULL)
		return 0;
	memcpy(h, data, n);
	h[n] = '\0';
	if (stripe_sig_parse(h, &sig))
		check_sig(&sig);
	(void)stripe_verify(SECRET, h, body, blen, NOW);
	sign_and_verify(body, blen);
	/* The header text as metadata.items. */
	if (stripe_items_read(h, &items, why, sizeof(why))) {
		check_items(items);
		json_object_put(items);
	}
	free(h);

	if ((ev = json_parse_body((const char *)data, size, err,
	    sizeof(err))) == NULL)
		return 0;
	check_session(ev);
	if (json_object_object_get_ex(ev, "data", &d) &&
	    json_object_object_get_ex(d, "object", &obj))
		check_session(obj);
	json_object_put(ev);
	return 0;
}
