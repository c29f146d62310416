/*
 * fulfillment/fulfillment.h - storefront fulfillment
 * (fulfillment.openapi.json): clients onboard and get a key; products
 * are Printful sync products made from a DPI-checked design; orders come
 * from Stripe Checkout and pass two human gates (the client, then a
 * platform operator) before one submission to Printful; Printful's
 * webhooks track production; customers ask the storefront's chat; usage
 * is counted. An organization is a client. Owns its tables; the
 * console reads it through the views declared here.
 */
#ifndef MIHWAR_FULFILLMENT_H
#define MIHWAR_FULFILLMENT_H

#include "auth/auth.h"

/* printful.c: Printful's API v1 (Bearer token, {code, result} envelope) */
struct printful_res {
	int			 ok;		/* 2xx with a 2xx code */
	long			 status;	/* HTTP status; 0: no answer */
	int			 timed_out;
	struct json_object	*result;	/* the envelope's result */
	char			 error[256];
};
int		 printful_call(const struct conf *, const char *, const char *,
		    struct json_object *, struct printful_res *);
void		 printful_res_cleanup(struct printful_res *);

/* onboarding.c: slugs, onboarding requests, allowed embed origins */
extern const struct db_stmts	onboarding_stmts;
void		 onboarding_check_slug(struct req *);
void		 onboarding_request(struct req *);
int		 onboarding_origin_allowed(const char *, const char *);
int		 onboarding_origin_normalize(const char *, char *, size_t);
int		 onboarding_domains_parse(const char *, struct buf *, char *,
		    size_t);
enum db_code	 onboarding_domains_set(struct db *, long long, const char *);
enum db_code	 onboarding_domains_get(struct db *, long long, struct buf *);

/* chat.c: the storefront's order-aware chat (no LLM) */
extern const struct db_stmts	chat_stmts;
void		 chat_post(struct req *);

/* fusage.c: what a client used */
extern const struct db_stmts	usage_fulfill_stmts;
void		 usage_me(struct req *);
enum db_code	 usage_record(struct db *, long long, const char *,
		    const char *);

/* dpi.c: an image's kind, pixel size and density (libpng, libjpeg) */
enum image_kind { IMAGE_NONE, IMAGE_PNG, IMAGE_JPEG };
struct image_info {
	enum image_kind	 kind;
	unsigned long	 width, height;	/* pixels */
	int		 dpi;		/* -1: no density in the file */
};
int		 dpi_read(const unsigned char *, size_t, struct image_info *,
		    char *, size_t);

/* products.c: POST /api/products/create */
extern const struct db_stmts	fproducts_stmts;
void		 fproducts_create(struct req *);
long		 fproducts_variant_id(const char *, const char *);

/* stripe.c: Stripe's signature and Checkout Session, read (no SQL) */
#define STRIPE_TOLERANCE_S	300	/* seconds either way of now */
#define STRIPE_MAX_V1		8	/* v1 signatures one header may carry */
#define STRIPE_MAX_ITEMS	100	/* OrderItem in one order */
struct stripe_sig {
	int64_t		 t;
	size_t		 nv1;
	char		 v1[STRIPE_MAX_V1][65];	/* "" when not 64 hex */
};
enum stripe_verdict {
	STRIPE_OK, STRIPE_NO_SECRET, STRIPE_MISSING, STRIPE_MALFORMED,
	STRIPE_STALE, STRIPE_MISMATCH
};
int		 stripe_sig_parse(const char *, struct stripe_sig *);
enum stripe_verdict stripe_verify(const char *, const char *, const void *,
		    size_t, int64_t);
const char	*stripe_verdict_text(enum stripe_verdict);
/* The order a paid Checkout Session stands for. */
struct stripe_order {
	const char		*session_id, *payment_intent;	/* borrowed */
	const char		*client_slug, *email;		/* borrowed */
	char			 currency[4];
	int64_t			 total;		/* scale 4, from cents */
	struct json_object	*items;		/* OrderItem[], owned */
	struct json_object	*shipping;	/* ShippingAddress or NULL */
};
enum stripe_read {
	STRIPE_READ_OK, STRIPE_READ_UNPAID, STRIPE_READ_NO_CLIENT,
	STRIPE_READ_BAD_ITEMS, STRIPE_READ_BAD_SESSION
};
enum stripe_read stripe_session_read(struct json_object *,
		    struct stripe_order *, char *, size_t);
void		 stripe_order_cleanup(struct stripe_order *);
int		 stripe_items_read(const char *, struct json_object **, char *,
		    size_t);
int		 stripe_url_ok(const char *);

/* orders.c: orders from Stripe, the two gates, Printful's webhooks */
extern const struct db_stmts	forders_stmts;
void		 forders_stripe_webhook(struct req *);
void		 forders_printful_webhook(struct req *);
void		 forders_pending(struct req *);
void		 forders_list(struct req *);
void		 forders_get(struct req *);
void		 forders_client_approve(struct req *);
void		 forders_client_reject(struct req *);
void		 forders_admin_approve(struct req *);
void		 forders_admin_reject(struct req *);
int		 forders_recover_job(struct db *, const struct conf *);
/* The platform operator's decision on an order, for the API and the
 * console alike (the same claim, submission and record): status is
 * what the API answers (200, 403 when the caller is no platform admin,
 * 404, 409, 422, 502, 503), message a sentence for a person, keep set
 * when an error's writes (a released claim) must be committed
 * (req_keep). */
struct forder_outcome {
	int		 status;
	int		 keep;
	long long	 printful_order_id;	/* on success */
	char		 message[256];
};
void		 forders_admin_decide(struct req *, const char *, int,
		    const char *, const char *, struct forder_outcome *);

/*
 * console: the platform operator's gate (/admin/fulfillment) reads the
 * orders waiting for admin approval through these views and decides
 * them with forders_admin_decide, the API's own decision.
 *
 * views.c: orders as the console shows them, across every client (the
 * operator's view, the point of it). Strings are borrowed from the
 * view's rows and from its items and address as parsed; fviews_cleanup
 * frees them all, and is safe on a zeroed view and after a failure.
 */
extern const struct db_stmts	views_fulfill_stmts;
#define FVIEWS_WAITING_MAX	200	/* waiting orders one list holds */
struct fview_item {			/* an OrderItem; NULL: not given */
	const char	*title, *type, *size, *image_url;
	long long	 quantity;
	int64_t		 price;		/* scale 4 */
	int		 has_quantity, has_price;
};
struct fview_address {			/* a ShippingAddress; NULL: not given */
	const char	*name, *line1, *line2, *city, *state, *postal_code,
			*country;
};
struct fview_order {
	const char		*id, *client_name, *client_slug, *status,
				*status_note, *customer_email, *currency,
				*paid_at;	/* "YYYY-MM-DD HH:MM:SS", UTC */
	int64_t			 total;		/* scale 4 */
	int			 submitting;	/* claimed for Printful */
	struct fview_item	*items;
	size_t			 nitems;
	int			 items_unreadable; /* not an OrderItem[] */
	int			 has_address;
	struct fview_address	 address;
	struct json_object	*json_items, *json_address;	/* owned */
};
struct fview_orders {
	struct fview_order	*v;
	size_t			 n;
	struct db_rows		*rows;
};
enum db_code	 fviews_waiting(struct db *, struct fview_orders *);
enum db_code	 fviews_order(struct db *, const char *,
		    struct fview_orders *);
void		 fviews_cleanup(struct fview_orders *);

#endif /* MIHWAR_FULFILLMENT_H */
