/*
 * products.c - POST /api/products/create: a client's design made into a
 * Printful sync product (fulfillment.openapi.json, issue 12).
 *
 * The design is downloaded through the SSRF-guarded client (50 MiB, 15
 * s, no redirects: each hop would need the guard again), its headers
 * read by dpi_read, and judged by the product type: a shirt under 150
 * DPI or a poster under 300 is refused (422, nothing sent to Printful);
 * "default" only warns under 150; a file without density, or one whose
 * pixels are too few for the print area, warns. Then one sync product
 * with a variant per size (and per colour for garments), and a mockup
 * task polled for about ten seconds; a mockup that fails or is late
 * leaves the product made, with a warning. The product row and its
 * usage event are written in the pipeline's transaction, so a Printful
 * failure (502) leaves no row, and Idempotency-Key replays the answer.
 *
 * Printful's catalog ids (GET /products/{id} of the catalog):
 *   shirt, default: product 71, Bella + Canvas 3001 Unisex Staple
 *     T-Shirt; black: XS 9527, S 4016, M 4017, L 4018, XL 4019,
 *     2XL 4020, 3XL 5295, 4XL 5310, 5XL 12871; white: XS 9526, S 4011,
 *     M 4012, L 4013, XL 4014, 2XL 4015, 3XL 5294, 4XL 5309, 5XL 12872.
 *   poster: product 1, Enhanced Matte Paper Poster (in); 12x16 in 1349,
 *     18x24 in 1, 24x36 in 2. A poster has no colour: one variant per
 *     size, whatever colors says.
 * The mockup generator works on the catalog product (71 or 1), as
 * Printful's API describes create-task/{id}, not on the sync product.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "fulfillment/fulfillment.h"

#define PRODUCT_DESIGN_CAP	(50 * 1024 * 1024)	/* bytes */
#define PRODUCT_DESIGN_MS	15000
#define PRODUCT_TITLE_MAX	200
#define PRODUCT_DESC_MAX	2000
#define PRODUCT_URL_MAX		2048
#define PRODUCT_COLORS_MAX	10
#define PRODUCT_COLOR_LEN	32
#define PRODUCT_PRICE_DEFAULT	"29.99"
#define PRODUCT_PRICE_MAX	(100000LL * 10000)	/* 100000.00 */
#define PRODUCT_THUMB_MAX	250	/* Printful's thumbnail maxLength */
#define PRODUCT_WARN_MAX	500	/* fulfill_products.dpi_warning */
#define MOCKUP_POLL_MS		1000
#define MOCKUP_WAIT_MS		10000

enum fproducts_sql_id { SQL_PRODUCT_INSERT, FPRODUCTS_SQL__MAX };

static const char *const fproducts_sql[FPRODUCTS_SQL__MAX] = {
	[SQL_PRODUCT_INSERT] =
	    "INSERT INTO fulfill_products (public_id, org_id, title,"
	    " description, product_type, design_url, colors, retail_price,"
	    " dpi, dpi_warning, printful_product_id, external_id,"
	    " mockup_urls) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
};

const struct db_stmts fproducts_stmts = {
	"fproducts", fproducts_sql, FPRODUCTS_SQL__MAX, NULL, 0
};

/* One Printful catalog variant: a size, in a colour (NULL: none). */
struct product_variant {
	const char	*size;
	const char	*color;
	long		 id;
};

static const struct product_variant shirt_variants[] = {
	{ "XS", "black", 9527 }, { "S", "black", 4016 },
	{ "M", "black", 4017 }, { "L", "black", 4018 },
	{ "XL", "black", 4019 }, { "2XL", "black", 4020 },
	{ "3XL", "black", 5295 }, { "4XL", "black", 5310 },
	{ "5XL", "black", 12871 },
	{ "XS", "white", 9526 }, { "S", "white", 4011 },
	{ "M", "white", 4012 }, { "L", "white", 4013 },
	{ "XL", "white", 4014 }, { "2XL", "white", 4015 },
	{ "3XL", "white", 5294 }, { "4XL", "white", 5309 },
	{ "5XL", "white", 12872 },
};

static const struct product_variant poster_variants[] = {
	{ "12x16", NULL, 1349 }, { "18x24", NULL, 1 }, { "24x36", NULL, 2 },
};

/* What a productType means: its DPI rules, print area and catalog. */
struct product_kind {
	const char			*name;
	const char			*noun;	/* in messages */
	int				 reject_below;	/* 0: never */
	int				 warn_below;
	unsigned			 area_w, area_h; /* inches */
	unsigned			 effective_min;
	long				 catalog_id;
	const char			*placement;	/* of the mockup */
	const struct product_variant	*variants;
	size_t				 nvariants;
};

#define NELEMS(a)	(sizeof(a) / sizeof((a)[0]))

static const struct product_kind product_kinds[] = {
	{ "shirt", "shirt", 150, 150, 12, 16, 150, 71, "front",
	    shirt_variants, NELEMS(shirt_variants) },
	{ "poster", "poster", 300, 300, 18, 24, 300, 1, "default",
	    poster_variants, NELEMS(poster_variants) },
	{ "default", "product", 0, 150, 12, 16, 150, 71, "front",
	    shirt_variants, NELEMS(shirt_variants) },
};

static const char *const product_type_names[] = {
	"shirt", "poster", "default", NULL
};

/* The request, validated. Strings are borrowed from the body. */
struct product_input {
	const char			*title, *description, *design_url;
	const struct product_kind	*kind;
	char				 colors[PRODUCT_COLORS_MAX]
					    [PRODUCT_COLOR_LEN + 1];
	size_t				 ncolors;
	int64_t				 price;
};

/* The design's verdict: dpi -1 when the file gives none. */
struct product_dpi {
	int	 valid;
	int	 dpi;
	char	 error[256];
	char	 warning[PRODUCT_WARN_MAX + 1];
};

static const struct product_kind *
product_kind_named(const char *name)
{
	size_t	 i;

	for (i = 0; i < NELEMS(product_kinds); i++)
		if (strcmp(product_kinds[i].name, name) == 0)
			return &product_kinds[i];
	return NULL;
}

/* 1 when the kind is made in color (a garment's table names colours). */
static int
product_kind_has(const struct product_kind *k, const char *color)
{
	size_t	 i;

	for (i = 0; i < k->nvariants; i++)
		if (k->variants[i].color != NULL &&
		    strcmp(k->variants[i].color, color) == 0)
			return 1;
	return 0;
}

static int
product_kind_colored(const struct product_kind *k)
{
	return k->variants[0].color != NULL;
}

/*
 * The catalog variant an order item of type and size is made as: a
 * garment in black (an OrderItem names no colour), a poster at 18x24 in
 * (its size enum is the garments'); 0 when there is none. The one table
 * for products and orders alike.
 */
long
fproducts_variant_id(const char *type, const char *size)
{
	const struct product_kind	*k;
	size_t				 i;

	if (type == NULL || size == NULL ||
	    (k = product_kind_named(type)) == NULL)
		return 0;
	if (!product_kind_colored(k))
		return strcmp(k->name, "poster") == 0 ? 1 : 0;
	for (i = 0; i < k->nvariants; i++)
		if (strcmp(k->variants[i].size, size) == 0 &&
		    strcmp(k->variants[i].color, "black") == 0)
			return k->variants[i].id;
	return 0;
}

/* Validation ----------------------------------------------------------- */

/* designUrl: an absolute http or https URL with a host. */
static int
product_read_url(struct req *r, struct json_object *b, const char **out)
{
	CURLU	*u;
	char	*scheme = NULL, *host = NULL;
	int	 ok;

	if (!valid_string(r, b, "designUrl", 1, 1, PRODUCT_URL_MAX, out))
		return 0;
	ok = (u = curl_url()) != NULL &&
	    curl_url_set(u, CURLUPART_URL, *out, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) &&
	    host[0] != '\0';
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	if (!ok)
		req_resp_error(r, 400, "invalid_body", "designUrl: expected an "
		    "http or https URL");
	return ok;
}

/* One colour of colors[i]: a string the product is made in, lowercased
 * (posters take any, and ignore it), listed once. */
static int
product_read_color(struct req *r, struct product_input *in, size_t i,
    struct json_object *v)
{
	const char	*s;
	size_t		 n, j;

	if (!json_object_is_type(v, json_type_string) ||
	    (n = strlen(s = json_object_get_string(v))) == 0 ||
	    n > PRODUCT_COLOR_LEN) {
		req_resp_error(r, 400, "invalid_body", "colors[%zu]: expected a "
		    "string of 1 to %d characters", i, PRODUCT_COLOR_LEN);
		return 0;
	}
	for (j = 0; j < n; j++)
		in->colors[i][j] = (char)tolower((unsigned char)s[j]);
	in->colors[i][n] = '\0';
	if (product_kind_colored(in->kind) &&
	    !product_kind_has(in->kind, in->colors[i])) {
		req_resp_error(r, 400, "invalid_body", "colors[%zu]: %s is not "
		    "a color this product is made in (black, white)", i,
		    in->colors[i]);
		return 0;
	}
	for (j = 0; j < i; j++)
		if (strcmp(in->colors[j], in->colors[i]) == 0) {
			req_resp_error(r, 400, "invalid_body", "colors[%zu]: "
			    "%s is listed twice", i, in->colors[i]);
			return 0;
		}
	return 1;
}

/* colors: 1..10 strings, ["black"] when absent. */
static int
product_read_colors(struct req *r, struct json_object *b,
    struct product_input *in)
{
	struct json_object	*a = valid_get(b, "colors");
	size_t			 i, n;

	if (a == NULL) {
		snprintf(in->colors[0], sizeof(in->colors[0]), "black");
		in->ncolors = 1;
		return 1;
	}
	if (!json_object_is_type(a, json_type_array) ||
	    (n = json_object_array_length(a)) < 1 || n > PRODUCT_COLORS_MAX) {
		req_resp_error(r, 400, "invalid_body", "colors: expected an "
		    "array of 1 to %d strings", PRODUCT_COLORS_MAX);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (!product_read_color(r, in, i,
		    json_object_array_get_idx(a, i)))
			return 0;
	in->ncolors = n;
	return 1;
}

/* retailPrice: a decimal string above 0 in cents, "29.99" when absent. */
static int
product_read_price(struct req *r, struct json_object *b, int64_t *out)
{
	struct json_object	*v = valid_get(b, "retailPrice");
	const char		*s = PRODUCT_PRICE_DEFAULT;

	if (v != NULL) {
		if (!json_object_is_type(v, json_type_string)) {
			req_resp_error(r, 400, "invalid_body", "retailPrice: "
			    "expected a decimal string such as \"29.99\"");
			return 0;
		}
		s = json_object_get_string(v);
	}
	if (!decimal_parse(s, out)) {
		req_resp_error(r, 400, "invalid_body", "retailPrice: expected a "
		    "decimal string such as \"29.99\"");
		return 0;
	}
	if (*out <= 0 || *out > PRODUCT_PRICE_MAX) {
		req_resp_error(r, 400, "invalid_body", "retailPrice: must be "
		    "more than 0 and at most 100000.00");
		return 0;
	}
	if (!decimal_cents(*out)) {
		req_resp_error(r, 400, "invalid_body", "retailPrice: at most 2 "
		    "decimal places");
		return 0;
	}
	return 1;
}

/* The body, every field checked before anything is fetched or sent. */
static int
product_read(struct req *r, struct json_object *b, struct product_input *in)
{
	const char	*type;

	memset(in, 0, sizeof(*in));
	if (!valid_object(r, b) ||
	    !valid_string(r, b, "title", 1, 1, PRODUCT_TITLE_MAX, &in->title) ||
	    !valid_string(r, b, "description", 0, 0, PRODUCT_DESC_MAX,
	    &in->description) ||
	    !product_read_url(r, b, &in->design_url) ||
	    !valid_enum(r, b, "productType", 0, product_type_names, &type))
		return 0;
	in->kind = product_kind_named(type != NULL ? type : "default");
	return product_read_colors(r, b, in) &&
	    product_read_price(r, b, &in->price);
}

/* The design ---------------------------------------------------------- */

/* 422 for the design: {"error": "designUrl: why", "dpi": {"valid":
 * false, "dpi": n or null, "error": why}}. */
static void
product_refuse_design(struct req *r, int dpi, const char *fmt, ...)
{
	struct json_object	*o, *d;
	char			 why[256], msg[300];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof(msg), "designUrl: %s", why);
	d = json_object_new_object();
	json_object_object_add(d, "valid", json_object_new_boolean(0));
	json_object_object_add(d, "dpi", dpi > 0 ? json_object_new_int(dpi) :
	    NULL);
	json_object_object_add(d, "error", json_object_new_string(why));
	o = json_object_new_object();
	json_object_object_add(o, "error", json_object_new_string(msg));
	json_object_object_add(o, "dpi", d);
	json_object_object_add(o, "requestId", json_object_new_string(r->id));
	req_resp_json(r, 422, o);
}

/*
 * GET the design into res (free res->body). 1 when a whole 2xx answer
 * of at most 50 MiB came; else 0 with the 422 answered.
 */
static int
product_download(struct req *r, const char *url, struct httpout_res *res)
{
	struct httpout_req	 q;

	memset(&q, 0, sizeof(q));
	q.method = "GET";
	q.url = url;
	q.cap = PRODUCT_DESIGN_CAP;
	q.stop_over = 1;
	q.timeout_ms = PRODUCT_DESIGN_MS;
	q.agent = "Mihwar-Fulfillment/1";
	if (!httpout_request(r->conf, &q, res)) {
		if (res->over)
			product_refuse_design(r, -1, "the design is larger than "
			    "50 MiB");
		else
			product_refuse_design(r, -1, "could not download the "
			    "design: %s", res->error);
		return 0;
	}
	if (res->over) {
		product_refuse_design(r, -1, "the design is larger than "
		    "50 MiB");
		return 0;
	}
	if (res->status < 200 || res->status > 299) {
		product_refuse_design(r, -1, "could not download the design: "
		    "its server answered %ld", res->status);
		return 0;
	}
	return 1;
}

static void
product_warn(struct product_dpi *v, const char *fmt, ...)
{
	size_t	 n = strlen(v->warning);
	va_list	 ap;

	if (n > 0 && n + 2 < sizeof(v->warning)) {
		memcpy(v->warning + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(v->warning + n, sizeof(v->warning) - n, fmt, ap);
	va_end(ap);
}

/* The design's DPI against the product type's rules. */
static void
product_judge(const struct product_kind *k, const struct image_info *img,
    struct product_dpi *v)
{
	unsigned long	 eff;

	memset(v, 0, sizeof(*v));
	v->dpi = img->dpi;
	if (img->dpi != -1 && img->dpi < k->reject_below) {
		snprintf(v->error, sizeof(v->error), "the design is %d DPI; a "
		    "%s needs at least %d DPI", img->dpi, k->noun,
		    k->reject_below);
		return;
	}
	v->valid = 1;
	if (img->dpi == -1)
		product_warn(v, "the design has no DPI metadata, so its "
		    "resolution could not be checked");
	else if (img->dpi < k->warn_below)
		product_warn(v, "the design is %d DPI, below the %d DPI "
		    "recommended for print", img->dpi, k->warn_below);
	/* What the pixels give when the design fills the print area. */
	eff = img->width / k->area_w;
	if (img->height / k->area_h < eff)
		eff = img->height / k->area_h;
	if (eff < k->effective_min)
		product_warn(v, "at the %ux%u in print area the design's "
		    "%lux%lu pixels give %lu DPI, below %u", k->area_w,
		    k->area_h, img->width, img->height, eff, k->effective_min);
}

/* Printful ------------------------------------------------------------ */

/* 1 when variant vi of the kind is made for the chosen colours. */
static int
product_variant_chosen(const struct product_input *in,
    const struct product_variant *v)
{
	size_t	 i;

	if (v->color == NULL)
		return 1;
	for (i = 0; i < in->ncolors; i++)
		if (strcmp(in->colors[i], v->color) == 0)
			return 1;
	return 0;
}

/* POST /store/products: the sync product and a variant per size (and
 * colour), each with the retail price and the design file. */
static struct json_object *
product_printful_body(const struct product_input *in, const char *ext)
{
	struct json_object		*o, *sp, *vs, *v, *files, *f;
	const struct product_variant	*pv;
	char				 price[DECIMAL_BUFSZ], vext[80];
	size_t				 i;

	decimal_format_money(in->price, price);
	sp = json_object_new_object();
	json_object_object_add(sp, "name", json_object_new_string(in->title));
	json_object_object_add(sp, "external_id", json_object_new_string(ext));
	if (strlen(in->design_url) <= PRODUCT_THUMB_MAX)
		json_object_object_add(sp, "thumbnail",
		    json_object_new_string(in->design_url));
	vs = json_object_new_array();
	for (i = 0; i < in->kind->nvariants; i++) {
		pv = &in->kind->variants[i];
		if (!product_variant_chosen(in, pv))
			continue;
		snprintf(vext, sizeof(vext), "%s-%s%s%s", ext, pv->size,
		    pv->color ? "-" : "", pv->color ? pv->color : "");
		f = json_object_new_object();
		json_object_object_add(f, "url",
		    json_object_new_string(in->design_url));
		files = json_object_new_array();
		json_object_array_add(files, f);
		v = json_object_new_object();
		json_object_object_add(v, "external_id",
		    json_object_new_string(vext));
		json_object_object_add(v, "variant_id",
		    json_object_new_int64(pv->id));
		json_object_object_add(v, "retail_price",
		    json_object_new_string(price));
		json_object_object_add(v, "files", files);
		json_object_array_add(vs, v);
	}
	o = json_object_new_object();
	json_object_object_add(o, "sync_product", sp);
	json_object_object_add(o, "sync_variants", vs);
	return o;
}

/* The sync product's id from Printful's result; 0 when it has none. */
static long long
product_printful_id(struct json_object *result)
{
	struct json_object	*id;

	if (result == NULL ||
	    !json_object_object_get_ex(result, "id", &id) ||
	    !json_object_is_type(id, json_type_int))
		return 0;
	return json_object_get_int64(id);
}

/* POST /mockup-generator/create-task/{catalog product}; the task key
 * into key, or 0 with why. */
static int
mockup_create(struct req *r, const struct product_input *in, char *key,
    size_t keysz, char *why, size_t whysz)
{
	struct json_object	*body, *ids, *files, *f, *k;
	struct printful_res	 res;
	const char		*s;
	char			 path[64];
	size_t			 i;
	int			 ok = 0;

	ids = json_object_new_array();
	for (i = 0; i < in->kind->nvariants; i++)
		if (product_variant_chosen(in, &in->kind->variants[i]))
			json_object_array_add(ids, json_object_new_int64(
			    in->kind->variants[i].id));
	f = json_object_new_object();
	json_object_object_add(f, "placement",
	    json_object_new_string(in->kind->placement));
	json_object_object_add(f, "image_url",
	    json_object_new_string(in->design_url));
	files = json_object_new_array();
	json_object_array_add(files, f);
	body = json_object_new_object();
	json_object_object_add(body, "variant_ids", ids);
	json_object_object_add(body, "format", json_object_new_string("jpg"));
	json_object_object_add(body, "files", files);
	snprintf(path, sizeof(path), "/mockup-generator/create-task/%ld",
	    in->kind->catalog_id);
	if (!printful_call(r->conf, "POST", path, body, &res))
		snprintf(why, whysz, "%s", res.error);
	else if (!json_object_object_get_ex(res.result, "task_key", &k) ||
	    !json_object_is_type(k, json_type_string) ||
	    (s = json_object_get_string(k))[0] == '\0' ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_") != strlen(s) || strlen(s) >= keysz)
		snprintf(why, whysz, "Printful gave no usable task key");
	else {
		snprintf(key, keysz, "%s", s);
		ok = 1;
	}
	printful_res_cleanup(&res);
	json_object_put(body);
	return ok;
}

/* A completed task's mockup URLs into urls. */
static void
mockup_collect(struct json_object *result, struct json_object *urls)
{
	struct json_object	*list, *m, *u;
	size_t			 i;

	if (!json_object_object_get_ex(result, "mockups", &list) ||
	    !json_object_is_type(list, json_type_array))
		return;
	for (i = 0; i < json_object_array_length(list); i++) {
		m = json_object_array_get_idx(list, i);
		if (json_object_object_get_ex(m, "mockup_url", &u) &&
		    json_object_is_type(u, json_type_string))
			json_object_array_add(urls, json_object_new_string(
			    json_object_get_string(u)));
	}
}

enum mockup_state { MOCKUP_PENDING, MOCKUP_DONE, MOCKUP_FAILED };

/* One GET /mockup-generator/task?task_key=key. */
static enum mockup_state
mockup_poll(struct req *r, const char *key, struct json_object *urls,
    char *why, size_t whysz)
{
	struct printful_res	 res;
	struct json_object	*st, *e;
	enum mockup_state	 state = MOCKUP_FAILED;
	char			 path[160];
	const char		*s;

	snprintf(path, sizeof(path), "/mockup-generator/task?task_key=%s", key);
	if (!printful_call(r->conf, "GET", path, NULL, &res)) {
		snprintf(why, whysz, "%s", res.error);
		goto out;
	}
	s = json_object_object_get_ex(res.result, "status", &st) ?
	    json_object_get_string(st) : "";
	if (strcmp(s, "pending") == 0)
		state = MOCKUP_PENDING;
	else if (strcmp(s, "completed") == 0) {
		mockup_collect(res.result, urls);
		state = MOCKUP_DONE;
	} else
		snprintf(why, whysz, "Printful's mockup task %s: %s",
		    s[0] ? s : "ended", json_object_object_get_ex(res.result,
		    "error", &e) && json_object_is_type(e, json_type_string) ?
		    json_object_get_string(e) : "no reason given");
out:
	printful_res_cleanup(&res);
	return state;
}

static void
mockup_sleep(void)
{
	struct timespec	 ts = { MOCKUP_POLL_MS / 1000,
	    (MOCKUP_POLL_MS % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * The product's mockups: a task, polled a second apart for at most
 * about ten seconds. The URLs go into urls (an array); 0 with why when
 * there are none (a failed or late task does not undo the product).
 */
static int
product_mockups(struct req *r, const struct product_input *in,
    struct json_object *urls, char *why, size_t whysz)
{
	char			 key[128];
	enum mockup_state	 st;
	int64_t			 deadline;

	if (!mockup_create(r, in, key, sizeof(key), why, whysz))
		return 0;
	deadline = util_now_ms() + MOCKUP_WAIT_MS;
	/* Polled at once first: a quick task costs no sleep. */
	while ((st = mockup_poll(r, key, urls, why, whysz)) ==
	    MOCKUP_PENDING) {
		if (util_now_ms() + MOCKUP_POLL_MS > deadline) {
			snprintf(why, whysz, "Printful's mockup task was not "
			    "done after %d s", MOCKUP_WAIT_MS / 1000);
			return 0;
		}
		mockup_sleep();
	}
	return st == MOCKUP_DONE;
}

/* The row ---------------------------------------------------------------- */

static enum db_code
product_insert(struct req *r, const struct product_input *in,
    const char *id, const struct product_dpi *v, long long pf_id,
    struct json_object *urls)
{
	struct json_object	*colors = json_object_new_array();
	char			 price[DECIMAL_BUFSZ];
	char			*ctext = NULL, *utext = NULL;
	size_t			 i;
	enum db_code		 code = DB_ERROR;

	for (i = 0; i < in->ncolors; i++)
		json_object_array_add(colors,
		    json_object_new_string(in->colors[i]));
	ctext = util_strdup(json_to_str(colors));
	utext = util_strdup(json_to_str(urls));
	decimal_format(in->price, price);
	if (ctext != NULL && utext != NULL)
		code = db_exec(r->db, fproducts_sql[SQL_PRODUCT_INSERT],
		    DB_PARAMS(DB_STR(id), DB_INT(r->principal.org_id),
		    DB_STR(in->title), DB_STR(in->description),
		    DB_STR(in->kind->name), DB_STR(in->design_url),
		    DB_STR(ctext), DB_STR(price),
		    v->dpi > 0 ? DB_INT(v->dpi) : DB_NULL,
		    DB_STR(v->warning[0] ? v->warning : NULL), DB_INT(pf_id),
		    DB_STR(id), DB_STR(utext)));
	free(ctext);
	free(utext);
	json_object_put(colors);
	return code;
}

/* 200 {success, printfulProductId, externalId, mockupUrls, dpi[,
 * warning]}: the mockups' warning, when there are none, at the top. */
static void
product_answer(struct req *r, const char *id, long long pf_id,
    struct json_object *urls, const struct product_dpi *v,
    const char *mockup_warning)
{
	struct json_object	*o = json_object_new_object(), *d;
	char			 w[320];

	d = json_object_new_object();
	json_object_object_add(d, "valid", json_object_new_boolean(1));
	json_object_object_add(d, "dpi", v->dpi > 0 ?
	    json_object_new_int(v->dpi) : NULL);
	json_object_object_add(d, "warning", v->warning[0] ?
	    json_object_new_string(v->warning) : NULL);
	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_object_object_add(o, "printfulProductId",
	    json_object_new_int64(pf_id));
	json_object_object_add(o, "externalId", json_object_new_string(id));
	json_object_object_add(o, "mockupUrls", json_object_get(urls));
	json_object_object_add(o, "dpi", d);
	if (mockup_warning != NULL) {
		snprintf(w, sizeof(w), "mockups were not generated: %s",
		    mockup_warning);
		json_object_object_add(o, "warning", json_object_new_string(w));
	}
	req_resp_json(r, 200, o);
}

/* The design fetched and judged: 1 with v valid, else 0 answered. */
static int
product_check_design(struct req *r, const struct product_input *in,
    struct product_dpi *v)
{
	struct httpout_res	 res;
	struct image_info	 img;
	char			 why[160];
	int			 ok = 0;

	if (!product_download(r, in->design_url, &res))
		goto out;
	if (!dpi_read((const unsigned char *)res.body.data, res.body.len, &img,
	    why, sizeof(why))) {
		product_refuse_design(r, -1, "%s", why);
		goto out;
	}
	product_judge(in->kind, &img, v);
	if (!v->valid) {
		product_refuse_design(r, v->dpi, "%s", v->error);
		goto out;
	}
	ok = 1;
out:
	buf_cleanup(&res.body);
	return ok;
}

/*
 * POST /api/products/create (client key): validate, check the design,
 * make the Printful product and its mockups, record it and its usage.
 */
void
fproducts_create(struct req *r)
{
	struct json_object	*b = NULL, *body = NULL, *urls = NULL;
	struct product_input	 in;
	struct product_dpi	 v;
	struct printful_res	 pf;
	char			 id[37], why[256];
	long long		 pf_id;
	int			 mockups;

	memset(&pf, 0, sizeof(pf));
	if (r->principal.platform_admin) {
		req_resp_error(r, 403, NULL, "products are created with the "
		    "client's key, not a platform admin key");
		return;
	}
	if ((b = req_json_body(r)) == NULL)
		return;
	if (!product_read(r, b, &in) || !product_check_design(r, &in, &v))
		goto out;
	crypto_uuid7(id);
	body = product_printful_body(&in, id);
	if (!printful_call(r->conf, "POST", "/store/products", body, &pf)) {
		req_resp_error(r, 502, NULL, "%s", pf.error);
		goto out;
	}
	if ((pf_id = product_printful_id(pf.result)) <= 0) {
		req_resp_error(r, 502, NULL, "Printful answered without the "
		    "product's id");
		goto out;
	}
	urls = json_object_new_array();
	why[0] = '\0';
	mockups = product_mockups(r, &in, urls, why, sizeof(why));
	if (!mockups)
		log_warn("products: %s: no mockups: %s", id, why);
	if (product_insert(r, &in, id, &v, pf_id, urls) != DB_OK ||
	    usage_record(r->db, r->principal.org_id, "product_created", id) !=
	    DB_OK) {
		log_error("products: %s: Printful product %lld made but not "
		    "recorded", id, pf_id);
		req_resp_error(r, 503, NULL, "database unavailable");
		goto out;
	}
	product_answer(r, id, pf_id, urls, &v, mockups ? NULL : why);
out:
	printful_res_cleanup(&pf);
	json_object_put(urls);
	json_object_put(body);
	json_object_put(b);
}
