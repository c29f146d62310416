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
	sink.b = &res->body;
	sink.cap = q->cap > 0 ? q->cap : HTTPOUT_CAP;
	sink.over = &res->over;
	sink.stop = q->stop_over;
	curl_easy_setopt(c, CURLOPT_URL, q->url);
	curl_easy_setopt(c, CURLOPT_CONNECT_TO, pin);
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
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && res->over))
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
	if (rc != CURLE_OK)
		snprintf(res->error, sizeof(res->error), "%s",
		    curl_easy_strerror(rc));
	res->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
	res->ms = util_now_ms() - t0;
	curl_easy_cleanup(c);
	curl_slist_free_all(pin);
	return rc == CURLE_OK;
}

/*
 * POST body to url with the header lines hdrs, within the delivery
 * lease (so no other worker retries meanwhile): a webhook delivery.
 */
int
httpout_post(const struct conf *conf, const char *url,
    const struct curl_slist *hdrs, const char *body, size_t len,
    struct httpout_res *res)
{
	struct httpout_req	 q;
	long			 lease = (long)conf->webhook_lease_seconds * 1000;

	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.url = url;
	q.hdrs = hdrs;
	q.body = body;
	q.len = len;
	q.timeout_ms = lease - 1000 < 15000 ? lease - 1000 : 15000;
	q.agent = "Mihwar-Webhooks/1";
	return httpout_request(conf, &q, res);
}
