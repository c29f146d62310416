/*
 * httpout.c - every outbound HTTP request (webhooks, connection tests):
 * libcurl with connect and total timeouts, a response size cap, no
 * redirects, and the SSRF guard of DESIGN.md: the host is resolved here,
 * every address is checked (loopback, private, link-local, multicast and
 * unspecified are refused unless allow_private_destinations; an IPv6
 * address that carries an IPv4 one is judged as that IPv4 address), and
 * curl is pinned to the checked address so DNS cannot change it in
 * between.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/core.h"

#define HTTPOUT_CAP	65536

static int
httpout_v4_private(const unsigned char *a)
{
	return a[0] == 0 || a[0] == 10 || a[0] == 127 ||
	    (a[0] == 100 && (a[1] & 0xC0) == 64) ||	/* 100.64/10 CGNAT */
	    (a[0] == 169 && a[1] == 254) ||
	    (a[0] == 172 && (a[1] & 0xF0) == 16) ||
	    (a[0] == 192 && a[1] == 168) ||
	    (a[0] == 192 && a[1] == 0 && a[2] == 0) ||
	    (a[0] == 198 && (a[1] & 0xFE) == 18) ||	/* benchmarking */
	    a[0] >= 224;				/* multicast, reserved */
}

/*
 * IPv6 ranges whose packets end up at an IPv4 address written inside
 * them: the prefix (len bytes) and where the IPv4 address sits. A
 * negative at means the whole range is refused.
 */
static const struct httpout_v4_in_v6 {
	unsigned char	 prefix[12];
	size_t		 len;
	int		 at;
	int		 inverted;	/* stored inverted (Teredo) */
} httpout_v4_in_v6[] = {
	/* IPv4-compatible ::a.b.c.d (RFC 4291, deprecated; also :: and
	 * ::1, which land in 0.0.0.0/8) */
	{ { 0 }, 12, 12, 0 },
	/* IPv4-mapped ::ffff:a.b.c.d */
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff }, 12, 12, 0 },
	/* IPv4-translated ::ffff:0:a.b.c.d (RFC 2765 SIIT) */
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0 }, 12, 12, 0 },
	/* NAT64's well-known prefix 64:ff9b::/96 (RFC 6052): a.b.c.d
	 * through the gateway of an IPv6-only host */
	{ { 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 }, 12, 12, 0 },
	/* NAT64 local-use 64:ff9b:1::/48 (RFC 8215): a translator of the
	 * operator's own, with a prefix length of its choosing; never a
	 * destination on the Internet */
	{ { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 }, 6, -1, 0 },
	/* 6to4 2002:a.b.c.d::/48 (RFC 3056) */
	{ { 0x20, 0x02 }, 2, 2, 0 },
	/* Teredo 2001:0::/32 (RFC 4380): the client, inverted, last */
	{ { 0x20, 0x01, 0x00, 0x00 }, 4, 12, 1 },
};

/* 1, with the IPv4 address it reaches (or not: refuse) in v4, when the
 * IPv6 address a embeds one; else 0. */
static int
httpout_embedded_v4(const unsigned char *a, unsigned char v4[4],
    int *refuse)
{
	const struct httpout_v4_in_v6	*r;
	size_t				 i, j;

	for (i = 0; i < sizeof(httpout_v4_in_v6) /
	    sizeof(httpout_v4_in_v6[0]); i++) {
		r = &httpout_v4_in_v6[i];
		if (memcmp(a, r->prefix, r->len) != 0)
			continue;
		*refuse = r->at < 0;
		for (j = 0; j < 4 && r->at >= 0; j++)
			v4[j] = r->inverted ? (unsigned char)~a[r->at + j] :
			    a[r->at + j];
		return 1;
	}
	return 0;
}

/* 1 when addr may not be reached from here without the allowance. */
int
httpout_addr_private(const struct sockaddr *sa)
{
	const unsigned char	*a;
	unsigned char		 v4[4];
	int			 refuse;

	if (sa->sa_family == AF_INET)
		return httpout_v4_private((const unsigned char *)
		    &((const struct sockaddr_in *)sa)->sin_addr);
	if (sa->sa_family != AF_INET6)
		return 1;
	a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	/* Judged by where the packets go: the embedded IPv4 address. */
	if (httpout_embedded_v4(a, v4, &refuse))
		return refuse || httpout_v4_private(v4);
	return IN6_IS_ADDR_LINKLOCAL((const struct in6_addr *)a) ||
	    IN6_IS_ADDR_MULTICAST((const struct in6_addr *)a) ||
	    (a[0] & 0xFE) == 0xFC;			/* fc00::/7 */
}

/*
 * Check url (http/https, host, port) and resolve it to one allowed
 * address; *resolve gets the "host:port:addr:port" pin for curl's
 * CURLOPT_CONNECT_TO (caller frees with curl_slist_free_all). 0 with a
 * reason in err.
 */
int
httpout_vet(const struct conf *conf, const char *url,
    struct curl_slist **resolve, char *err, size_t errsz)
{
	CURLU		*u = curl_url();
	char		*scheme = NULL, *host = NULL, *port = NULL;
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 addr[INET6_ADDRSTRLEN + 2], pin[600];
	int		 ok = 0;

	*resolve = NULL;
	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    /* The name curl will connect to (an IDN as punycode), so the
	     * pin below matches it and nothing is resolved apart. */
	    curl_url_get(u, CURLUPART_HOST, &host, CURLU_PUNYCODE) !=
	    CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK) {
		snprintf(err, errsz, "not a valid URL");
		goto out;
	}
	if (strcmp(scheme, "https") != 0 && !(strcmp(scheme, "http") == 0 &&
	    conf->allow_http_webhooks)) {
		snprintf(err, errsz, "only https URLs are allowed");
		goto out;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	/* IPv6 literals come back bracketed from curl. */
	snprintf(addr, sizeof(addr), "%.*s", (int)strcspn(host + (*host ==
	    '['), "]"), host + (*host == '['));
	if (getaddrinfo(addr, port, &hints, &res) != 0 || res == NULL) {
		snprintf(err, errsz, "cannot resolve %s", host);
		goto out;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if (!conf->allow_private_destinations &&
		    httpout_addr_private(ai->ai_addr)) {
			snprintf(err, errsz, "%s resolves to a private or local "
			    "address", host);
			goto out;
		}
	if (getnameinfo(res->ai_addr, res->ai_addrlen, addr, sizeof(addr),
	    NULL, 0, NI_NUMERICHOST) != 0) {
		snprintf(err, errsz, "cannot use the address of %s", host);
		goto out;
	}
	/* CONNECT_TO, not RESOLVE: its host may be an IPv6 literal in
	 * brackets (as curl gives it), RESOLVE's may not ("Malformed
	 * option"); TLS and Host: still name the URL's host. */
	snprintf(pin, sizeof(pin), res->ai_family == AF_INET6 ?
	    "%s:%s:[%s]:%s" : "%s:%s:%s:%s", host, port, addr, port);
	*resolve = curl_slist_append(NULL, pin);
	ok = *resolve != NULL;
out:
	if (res != NULL)
		freeaddrinfo(res);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return ok;
}

/* What the body sink keeps: the first cap bytes; over says more came. */
struct httpout_sinkbuf {
	struct buf	*b;
	size_t		 cap;
	int		*over;
	int		 stop;	/* stop reading once over (a download) */
};

static size_t
httpout_sink(char *data, size_t size, size_t n, void *arg)
{
	struct httpout_sinkbuf	*s = arg;
	size_t			 len = size * n, room;

	/* Keep the first cap bytes; read and drop the rest. */
	room = s->b->len < s->cap ? s->cap - s->b->len : 0;
	if (room > 0 && !buf_append(s->b, data, len < room ? len : room))
		return 0;
	if (len > room) {
		*s->over = 1;
		if (s->stop)
			return 0;
	}
	return len;
}


/*
 * The CA bundle of this host. A dynamically linked libcurl knows its
 * distribution's; the one `make dist` links statically knows Debian's
 * path only, so a Red Hat-family host (CloudLinux, Alma, Rocky: most
 * shared hosting) needs its own named. The first that exists, looked up
 * once; NULL keeps libcurl's own.
 */
static const char *
httpout_ca_file(void)
{
	static const char *const paths[] = {
		"/etc/ssl/certs/ca-certificates.crt",	/* Debian, Ubuntu */
		"/etc/pki/tls/certs/ca-bundle.crt",	/* RHEL family */
		"/etc/ssl/ca-bundle.pem",		/* SUSE */
		"/etc/ssl/cert.pem",			/* Alpine, BSDs */
		NULL
	};
	static const char	*found;
	static int		 looked;
	size_t			 i;

	if (!looked) {
		for (i = 0; paths[i] != NULL && found == NULL; i++)
			if (access(paths[i], R_OK) == 0)
				found = paths[i];
		looked = 1;
	}
	return found;
}

/*
 * Refuse, at each connection curl opens, an address the SSRF guard
 * would refuse (a second line behind the pin of httpout_vet: whatever
 * address a connection goes to is judged as it is made).
 */
static curl_socket_t
httpout_opensocket(void *arg, curlsocktype purpose,
    struct curl_sockaddr *a)
{
	const struct conf	*conf = arg;

	(void)purpose;
	if (!conf->allow_private_destinations &&
	    httpout_addr_private(&a->addr))
		return CURL_SOCKET_BAD;
	return socket(a->family, a->socktype, a->protocol);
}

/* The options every request takes: q's, the pin, the guard, the caps. */
static void
httpout_easy_setup(const struct conf *conf, CURL *c,
    const struct httpout_req *q, const struct curl_slist *pin,
    struct httpout_sinkbuf *sink)
{
	curl_easy_setopt(c, CURLOPT_URL, q->url);
	curl_easy_setopt(c, CURLOPT_CONNECT_TO, pin);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, httpout_opensocket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, (void *)conf);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (httpout_ca_file() != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, httpout_ca_file());
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, q->timeout_ms > 0 ?
	    q->timeout_ms : 15000L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, q->hdrs);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
	if (q->body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)q->len);
	}
	curl_easy_setopt(c, CURLOPT_USERAGENT, q->agent ? q->agent :
	    "Mihwar/1");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, httpout_sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
}

static void
httpout_sink_init(struct httpout_sinkbuf *sink, const struct httpout_req *q,
    struct httpout_res *res)
{
	sink->b = &res->body;
	sink->cap = q->cap > 0 ? q->cap : HTTPOUT_CAP;
	sink->over = &res->over;
	sink->stop = q->stop_over;
}

/* res's status, error and duration from curl's outcome rc of c. */
static void
httpout_outcome(CURL *c, CURLcode rc, int64_t t0, struct httpout_res *res)
{
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && res->over))
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
	if (rc != CURLE_OK)
		snprintf(res->error, sizeof(res->error), "%s",
		    curl_easy_strerror(rc));
	res->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
	res->ms = util_now_ms() - t0;
}

/*
 * One request: q's method, URL, header lines and body (NULL for none).
 * res gets the status (0 when no answer), the first q->cap bytes of the
 * response body (64 KiB when 0; res->over when more came), the duration
 * and an error text (with q->stop_over, reading stops there). 1 when an
 * HTTP answer came back whole.
 */
int
httpout_request(const struct conf *conf, const struct httpout_req *q,
    struct httpout_res *res)
{
	CURL			*c;
	struct curl_slist	*pin = NULL;
	struct httpout_sinkbuf	 sink;
	CURLcode		 rc;
	int64_t			 t0 = util_now_ms();

	memset(res, 0, sizeof(*res));
	buf_init(&res->body);
	if (!httpout_vet(conf, q->url, &pin, res->error, sizeof(res->error)))
		return 0;
	if ((c = curl_easy_init()) == NULL) {
		snprintf(res->error, sizeof(res->error), "out of memory");
		curl_slist_free_all(pin);
		return 0;
	}
	httpout_sink_init(&sink, q, res);
	httpout_easy_setup(conf, c, q, pin, &sink);
	rc = curl_easy_perform(c);
	httpout_outcome(c, rc, t0, res);
	curl_easy_cleanup(c);
	curl_slist_free_all(pin);
	return rc == CURLE_OK;
}

/*
 * The endpoint of url: "scheme://host:port", the unit of the worker's
 * per-endpoint cap and of the multi's pin cache. 0 when url is not one.
 */
int
httpout_endpoint(const char *url, char *key, size_t keysz)
{
	CURLU		*u = curl_url();
	char		*scheme = NULL, *host = NULL, *port = NULL;
	int		 ok = 0;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, CURLU_PUNYCODE) ==
	    CURLUE_OK && curl_url_get(u, CURLUPART_PORT, &port,
	    CURLU_DEFAULT_PORT) == CURLUE_OK)
		ok = snprintf(key, keysz, "%s://%s:%s", scheme, host, port) <
		    (int)keysz;
	if (!ok)
		snprintf(key, keysz, "%s", "");
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return ok;
}

/*
 * The multi interface: many requests in flight on one curl multi handle,
 * driven from one thread. The multi's connection cache keeps each
 * receiver's connections open between requests (HTTP keep-alive), so a
 * busy endpoint is not connected to again for every request. Each
 * endpoint is vetted (resolved, every address checked) and pinned once
 * per HTTPOUT_PIN_MS (a refusal is kept HTTPOUT_PIN_FAIL_MS), not at
 * every request: a name is not looked up again and again while the
 * loop waits, and every connection still goes to a checked address
 * (the pin), judged again as it opens (httpout_opensocket).
 */
#define HTTPOUT_PINS		64
#define HTTPOUT_PIN_MS		30000
#define HTTPOUT_PIN_FAIL_MS	2000

struct httpout_pin {
	char			 key[320];
	struct curl_slist	*pin;	/* NULL: refused, why in error */
	char			 error[256];
	int64_t			 at;
};

struct httpout_xfer {
	CURL			*c;
	/* Its own copy of the endpoint's pin: libcurl reads the list as
	 * long as the transfer may connect, and a pin is renewed (freed)
	 * every HTTPOUT_PIN_MS, whatever is in flight. */
	struct curl_slist	*pin;
	struct httpout_res	*res;
	struct httpout_sinkbuf	 sink;
	int64_t			 t0;
	void			*tag;
	struct httpout_xfer	*prev, *next;	/* the multi's, running */
};

struct httpout_multi {
	const struct conf	*conf;
	CURLM			*m;
	struct httpout_pin	 pins[HTTPOUT_PINS];
	struct httpout_xfer	*xfers;
	size_t			 running;
};

static void
httpout_xfer_unlink(struct httpout_multi *hm, struct httpout_xfer *x)
{
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		hm->xfers = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	curl_multi_remove_handle(hm->m, x->c);
	curl_easy_cleanup(x->c);
	curl_slist_free_all(x->pin);
	hm->running--;
}

/* A copy of list (NULL when out of memory). */
static struct curl_slist *
httpout_slist_copy(const struct curl_slist *list)
{
	struct curl_slist	*copy = NULL, *grown;

	for (; list != NULL; list = list->next) {
		if ((grown = curl_slist_append(copy, list->data)) == NULL) {
			curl_slist_free_all(copy);
			return NULL;
		}
		copy = grown;
	}
	return copy;
}

struct httpout_multi *
httpout_multi_new(const struct conf *conf, long maxconns)
{
	struct httpout_multi	*hm;

	if ((hm = calloc(1, sizeof(*hm))) == NULL)
		return NULL;
	if ((hm->m = curl_multi_init()) == NULL) {
		free(hm);
		return NULL;
	}
	hm->conf = conf;
	/* Room in the cache for a connection per slot: kept, not closed. */
	curl_multi_setopt(hm->m, CURLMOPT_MAXCONNECTS, maxconns);
	return hm;
}

/* The pin of url's endpoint, vetted again once it is old; NULL with
 * the reason in err when the endpoint is refused. */
static const struct curl_slist *
httpout_multi_pin(struct httpout_multi *hm, const char *url, char *err,
    size_t errsz)
{
	struct httpout_pin	*p = NULL, *oldest = &hm->pins[0];
	char			 key[320];
	int64_t			 now = util_now_ms();
	size_t			 i;

	if (!httpout_endpoint(url, key, sizeof(key))) {
		snprintf(err, errsz, "not a valid URL");
		return NULL;
	}
	for (i = 0; i < HTTPOUT_PINS && p == NULL; i++) {
		if (strcmp(hm->pins[i].key, key) == 0)
			p = &hm->pins[i];
		else if (hm->pins[i].at < oldest->at)
			oldest = &hm->pins[i];
	}
	if (p != NULL && now - p->at < (p->pin != NULL ? HTTPOUT_PIN_MS :
	    HTTPOUT_PIN_FAIL_MS))
		goto found;
	if (p == NULL)
		p = oldest;
	curl_slist_free_all(p->pin);
	p->pin = NULL;
	snprintf(p->key, sizeof(p->key), "%s", key);
	p->at = now;
	p->error[0] = '\0';
	if (!httpout_vet(hm->conf, url, &p->pin, p->error, sizeof(p->error)))
		p->pin = NULL;
found:
	if (p->pin == NULL)
		snprintf(err, errsz, "%s", p->error);
	return p->pin;
}

/*
 * Start q (whose header lines and body must live until it is done) on
 * the multi, tagged tag; its outcome goes to res. 0 when it could not
 * start (res->error says why): it is done already, no tag comes back.
 */
int
httpout_multi_add(struct httpout_multi *hm, const struct httpout_req *q,
    struct httpout_res *res, void *tag)
{
	const struct curl_slist	*pin;
	struct httpout_xfer	*x;
	int64_t			 t0 = util_now_ms();

	memset(res, 0, sizeof(*res));
	buf_init(&res->body);
	if ((pin = httpout_multi_pin(hm, q->url, res->error,
	    sizeof(res->error))) == NULL)
		return 0;
	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    (x->pin = httpout_slist_copy(pin)) == NULL ||
	    (x->c = curl_easy_init()) == NULL) {
		if (x != NULL)
			curl_slist_free_all(x->pin);
		free(x);
		snprintf(res->error, sizeof(res->error), "out of memory");
		return 0;
	}
	x->res = res;
	x->t0 = t0;
	x->tag = tag;
	httpout_sink_init(&x->sink, q, res);
	httpout_easy_setup(hm->conf, x->c, q, x->pin, &x->sink);
	curl_easy_setopt(x->c, CURLOPT_PRIVATE, x);
	if (curl_multi_add_handle(hm->m, x->c) != CURLM_OK) {
		curl_easy_cleanup(x->c);
		curl_slist_free_all(x->pin);
		free(x);
		snprintf(res->error, sizeof(res->error), "out of memory");
		return 0;
	}
	if ((x->next = hm->xfers) != NULL)
		x->next->prev = x;
	hm->xfers = x;
	hm->running++;
	return 1;
}

/* Move the transfers on, waiting up to timeout_ms for one to need it. */
void
httpout_multi_wait(struct httpout_multi *hm, int timeout_ms)
{
	int	 still;

	curl_multi_perform(hm->m, &still);
	if (still > 0 && timeout_ms > 0) {
		curl_multi_poll(hm->m, NULL, 0, timeout_ms, NULL);
		curl_multi_perform(hm->m, &still);
	}
}

/* The tag of a transfer that is done (its res filled in), NULL when
 * none is; each comes back once. */
void *
httpout_multi_next(struct httpout_multi *hm)
{
	struct httpout_xfer	*x;
	CURLMsg			*msg;
	void			*tag;
	int			 left;

	while ((msg = curl_multi_info_read(hm->m, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &x);
		httpout_outcome(x->c, msg->data.result, x->t0, x->res);
		tag = x->tag;
		httpout_xfer_unlink(hm, x);
		free(x);
		return tag;
	}
	return NULL;
}

size_t
httpout_multi_running(const struct httpout_multi *hm)
{
	return hm->running;
}

/* Close every connection; transfers still running are dropped, their
 * tags never come back. */
void
httpout_multi_free(struct httpout_multi *hm)
{
	struct httpout_xfer	*x;
	size_t			 i;

	if (hm == NULL)
		return;
	while ((x = hm->xfers) != NULL) {
		httpout_xfer_unlink(hm, x);
		free(x);
	}
	for (i = 0; i < HTTPOUT_PINS; i++)
		curl_slist_free_all(hm->pins[i].pin);
	curl_multi_cleanup(hm->m);
	free(hm);
}

/*
 * A webhook delivery's request: POST body to url with the header lines
 * hdrs, its timeout within the delivery lease (so no other worker
 * retries meanwhile).
 */
void
httpout_post_req(const struct conf *conf, const char *url,
    const struct curl_slist *hdrs, const char *body, size_t len,
    struct httpout_req *q)
{
	long			 lease = (long)conf->webhook_lease_seconds * 1000;

	memset(q, 0, sizeof(*q));
	q->method = "POST";
	q->url = url;
	q->hdrs = hdrs;
	q->body = body;
	q->len = len;
	q->timeout_ms = lease - 1000 < 15000 ? lease - 1000 : 15000;
	q->agent = "Mihwar-Webhooks/1";
}

/* A webhook delivery sent alone. */
int
httpout_post(const struct conf *conf, const char *url,
    const struct curl_slist *hdrs, const char *body, size_t len,
    struct httpout_res *res)
{
	struct httpout_req	 q;

	httpout_post_req(conf, url, hdrs, body, len, &q);
	return httpout_request(conf, &q, res);
}
