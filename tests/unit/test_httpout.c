/*
 * test_httpout.c - httpout.c without the network: the SSRF guard's
 * private-address check over IPv4 and IPv6 edges, and httpout_vet on
 * URLs with literal addresses (and "localhost"), which must be refused
 * or pinned before any connection is made.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <curl/curl.h>

#include "mihwar.h"
#include "tests.h"

/* The text address a as a socket address in ss; 0 when not an address. */
static int
addr_of(const char *a, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		return 1;
	}
	if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		return 1;
	}
	return 0;
}

struct addr_case {
	const char	*addr;
	int		 private;	/* what httpout_addr_private says */
};

static void
check_private(const struct addr_case *cases, size_t n)
{
	struct sockaddr_storage	 ss;
	size_t			 i;
	int			 got;

	for (i = 0; i < n; i++) {
		if (!CHECK(addr_of(cases[i].addr, &ss), "[%s] not an address",
		    cases[i].addr))
			continue;
		got = httpout_addr_private((struct sockaddr *)&ss);
		CHECK(got == cases[i].private, "[%s] private %d, want %d",
		    cases[i].addr, got, cases[i].private);
	}
}

static void
test_private_v4(void)
{
	static const struct addr_case cases[] = {
		/* 0.0.0.0/8 "this network" */
		{ "0.0.0.0", 1 },
		{ "0.255.255.255", 1 },
		{ "1.0.0.0", 0 },
		/* 10/8 */
		{ "9.255.255.255", 0 },
		{ "10.0.0.0", 1 },
		{ "10.0.0.1", 1 },
		{ "10.255.255.255", 1 },
		{ "11.0.0.0", 0 },
		/* 100.64/10 CGNAT */
		{ "100.63.255.255", 0 },
		{ "100.64.0.0", 1 },
		{ "100.100.100.200", 1 },
		{ "100.127.255.255", 1 },
		{ "100.128.0.0", 0 },
		/* 127/8 loopback */
		{ "126.255.255.255", 0 },
		{ "127.0.0.1", 1 },
		{ "127.1.2.3", 1 },
		{ "127.255.255.255", 1 },
		{ "128.0.0.0", 0 },
		/* 169.254/16 link-local, cloud metadata */
		{ "169.253.255.255", 0 },
		{ "169.254.0.0", 1 },
		{ "169.254.169.254", 1 },
		{ "169.254.255.255", 1 },
		{ "169.255.0.0", 0 },
		/* 172.16/12 */
		{ "172.15.255.255", 0 },
		{ "172.16.0.0", 1 },
		{ "172.20.1.1", 1 },
		{ "172.31.255.255", 1 },
		{ "172.32.0.0", 0 },
		/* 192.0.0/24 IETF protocol assignments */
		{ "191.255.255.255", 0 },
		{ "192.0.0.0", 1 },
		{ "192.0.0.255", 1 },
		{ "192.0.1.0", 0 },
		/* 192.168/16 */
		{ "192.167.255.255", 0 },
		{ "192.168.0.0", 1 },
		{ "192.168.1.1", 1 },
		{ "192.168.255.255", 1 },
		{ "192.169.0.0", 0 },
		/* 198.18/15 benchmarking */
		{ "198.17.255.255", 0 },
		{ "198.18.0.0", 1 },
		{ "198.19.255.255", 1 },
		{ "198.20.0.0", 0 },
		/* 224/4 multicast, 240/4 reserved, broadcast */
		{ "223.255.255.255", 0 },
		{ "224.0.0.0", 1 },
		{ "224.0.0.251", 1 },
		{ "239.255.255.255", 1 },
		{ "240.0.0.1", 1 },
		{ "255.255.255.255", 1 },
		/* public */
		{ "8.8.8.8", 0 },
		{ "1.1.1.1", 0 },
		{ "93.184.216.34", 0 },
		{ "172.217.0.1", 0 },
		{ "192.88.99.1", 0 },
	};

	check_private(cases, NELEM(cases));
}

static void
test_private_v6(void)
{
	static const struct addr_case cases[] = {
		{ "::1", 1 },
		{ "::", 1 },
		/* fe80::/10 link-local */
		{ "fe80::", 1 },
		{ "fe80::1", 1 },
		{ "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1 },
		{ "fec0::1", 0 },	/* deprecated site-local: global */
		/* fc00::/7 unique local */
		{ "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0 },
		{ "fc00::", 1 },
		{ "fc00::1", 1 },
		{ "fd12:3456:789a::1", 1 },
		{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1 },
		{ "fe00::", 0 },
		/* ff00::/8 multicast */
		{ "ff02::1", 1 },
		{ "ff05::2", 1 },
		{ "ff0e::1", 1 },
		/* IPv4-mapped: judged as the IPv4 address */
		{ "::ffff:10.0.0.1", 1 },
		{ "::ffff:127.0.0.1", 1 },
		{ "::ffff:169.254.169.254", 1 },
		{ "::ffff:172.16.0.1", 1 },
		{ "::ffff:192.168.0.1", 1 },
		{ "::ffff:100.64.0.1", 1 },
		{ "::ffff:0.0.0.0", 1 },
		{ "::ffff:255.255.255.255", 1 },
		{ "::ffff:8.8.8.8", 0 },
		{ "::ffff:1.1.1.1", 0 },
		/* public */
		{ "2606:4700::1111", 0 },
		{ "2001:4860:4860::8888", 0 },
		{ "2a00:1450:4001:80b::200e", 0 },
	};

	check_private(cases, NELEM(cases));
}

/* Addresses that reach a private IPv4 address through NAT64 (RFC 6052's
 * well-known prefix) are refused like the address itself. */
static void
test_private_nat64(void)
{
	static const struct addr_case cases[] = {
		/* RFC 6052 well-known NAT64 prefix: 64:ff9b::a.b.c.d is
		 * a.b.c.d through the NAT64 gateway of an IPv6-only host. */
		{ "64:ff9b::10.0.0.1", 1 },
		{ "64:ff9b::127.0.0.1", 1 },
		{ "64:ff9b::169.254.169.254", 1 },	/* the metadata address */
		{ "64:ff9b::192.168.1.1", 1 },
		{ "64:ff9b::8.8.8.8", 0 },		/* a public one passes */
	};

	check_private(cases, NELEM(cases));
}

/*
 * IPv6 forms that carry an IPv4 address the packets end up at: judged
 * as that IPv4 address (or, for a translator of the operator's own,
 * always refused). Each private row here was allowed before.
 */
static void
test_private_embedded_v4(void)
{
	static const struct addr_case cases[] = {
		/* IPv4-compatible ::a.b.c.d (::/96, RFC 4291 2.5.5.1) */
		{ "::127.0.0.1", 1 },
		{ "::7f00:1", 1 },
		{ "::a9fe:a9fe", 1 },		/* 169.254.169.254 */
		{ "::10.1.2.3", 1 },
		{ "::192.168.0.1", 1 },
		{ "::0.0.0.2", 1 },
		{ "::8.8.8.8", 0 },
		/* IPv4-mapped ::ffff:a.b.c.d (::ffff:0:0/96) */
		{ "::ffff:127.0.0.1", 1 },
		{ "::ffff:7f00:1", 1 },
		{ "::ffff:a9fe:a9fe", 1 },
		{ "::ffff:808:808", 0 },
		/* IPv4-translated ::ffff:0:a.b.c.d (::ffff:0:0:0/96, SIIT) */
		{ "::ffff:0:7f00:1", 1 },
		{ "::ffff:0:127.0.0.1", 1 },
		{ "::ffff:0:a9fe:a9fe", 1 },
		{ "::ffff:0:10.0.0.1", 1 },
		{ "::ffff:0:8.8.8.8", 0 },
		/* NAT64 well-known prefix 64:ff9b::/96 (RFC 6052) */
		{ "64:ff9b::a9fe:a9fe", 1 },
		{ "64:ff9b::7f00:1", 1 },
		{ "64:ff9b::c0a8:101", 1 },	/* 192.168.1.1 */
		{ "64:ff9b::808:808", 0 },
		{ "64:ff9b:0:0:0:1:808:808", 0 },	/* not /96: global */
		/* NAT64 local-use 64:ff9b:1::/48 (RFC 8215): a translator of
		 * the operator's own network, whatever it embeds */
		{ "64:ff9b:1::a9fe:a9fe", 1 },
		{ "64:ff9b:1::808:808", 1 },
		{ "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", 1 },
		{ "64:ff9b:2::808:808", 0 },
		/* 6to4 2002:a.b.c.d::/48 (RFC 3056) */
		{ "2002:7f00:1::1", 1 },
		{ "2002:7f00:1::", 1 },
		{ "2002:a9fe:a9fe::1", 1 },
		{ "2002:a00:1::1", 1 },		/* 10.0.0.1 */
		{ "2002:ac10:1:1::1", 1 },	/* 172.16.0.1 */
		{ "2002:c0a8:101::1", 1 },	/* 192.168.1.1 */
		{ "2002::1", 1 },		/* 0.0.0.0 */
		{ "2002:808:808::1", 0 },
		{ "2003:7f00:1::1", 0 },	/* not 6to4 */
		/* Teredo 2001:0::/32 (RFC 4380): the client's address,
		 * inverted, in the last 32 bits */
		/* 127.0.0.1, 169.254.169.254, 8.8.8.8 */
		{ "2001:0:4136:e378:8000:63bf:80ff:fffe", 1 },
		{ "2001:0:4136:e378:8000:63bf:5601:5601", 1 },
		{ "2001:0:4136:e378:8000:63bf:f7f7:f7f7", 0 },
		{ "2001:1::80ff:fffe", 0 },	/* not Teredo */
	};

	check_private(cases, NELEM(cases));
}

/* A family that is neither IPv4 nor IPv6 is refused. */
static void
test_private_other_family(void)
{
	struct sockaddr_un	 un;
	struct sockaddr		 sa;

	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	CHECK(httpout_addr_private((struct sockaddr *)&un) == 1,
	    "AF_UNIX is allowed");
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNSPEC;
	CHECK(httpout_addr_private(&sa) == 1, "AF_UNSPEC is allowed");
}

/*
 * httpout_vet with literal addresses only (and "localhost", from
 * /etc/hosts): it parses and resolves, it never connects.
 */
static void
test_vet(void)
{
	static const struct {
		const char	*url;
		int		 allow_private, allow_http;
		int		 ok;
		const char	*pin;	/* ok: the pin; else part of err */
	} cases[] = {
		/* refused: private and local destinations */
		{ "https://127.0.0.1/hook", 0, 0, 0, "private or local" },
		{ "https://127.0.0.1:8443/hook", 0, 0, 0, "private or local" },
		{ "https://10.0.0.1/x", 0, 0, 0, "private or local" },
		{ "https://172.16.5.4/x", 0, 0, 0, "private or local" },
		{ "https://192.168.1.1/x", 0, 0, 0, "private or local" },
		{ "https://169.254.169.254/latest/meta-data/", 0, 0, 0,
		    "private or local" },
		{ "https://100.64.0.1/x", 0, 0, 0, "private or local" },
		{ "https://0.0.0.0/x", 0, 0, 0, "private or local" },
		{ "https://224.0.0.1/x", 0, 0, 0, "private or local" },
		{ "https://[::1]/x", 0, 0, 0, "private or local" },
		{ "https://[::]/x", 0, 0, 0, "private or local" },
		{ "https://[fd00::1]:8443/x", 0, 0, 0, "private or local" },
		{ "https://[::ffff:10.0.0.1]/x", 0, 0, 0, "private or local" },
		{ "https://[::ffff:127.0.0.1]/x", 0, 0, 0,
		    "private or local" },
		{ "https://[::127.0.0.1]/x", 0, 0, 0, "private or local" },
		{ "https://[::a9fe:a9fe]/x", 0, 0, 0, "private or local" },
		{ "https://[::ffff:0:7f00:1]/x", 0, 0, 0, "private or local" },
		{ "https://[64:ff9b::a9fe:a9fe]/x", 0, 0, 0,
		    "private or local" },
		{ "https://[2002:7f00:1::1]/x", 0, 0, 0, "private or local" },
		{ "https://localhost/x", 0, 0, 0, "private or local" },
		{ "https://localhost:8080/x", 0, 0, 0, "private or local" },
		/* refused: other spellings of 127.0.0.1 */
		{ "https://2130706433/x", 0, 0, 0, "private or local" },
		{ "https://0x7f000001/x", 0, 0, 0, "private or local" },
		{ "https://0x7f.1/x", 0, 0, 0, "private or local" },
		{ "https://017700000001/x", 0, 0, 0, "private or local" },
		{ "https://127.1/x", 0, 0, 0, "private or local" },
		/* refused: the host is the private one, whatever else */
		{ "https://8.8.8.8@127.0.0.1/x", 0, 0, 0, "private or local" },
		{ "https://127.0.0.1#@8.8.8.8/x", 0, 0, 0, "private or local" },
		{ "https://127.0.0.1/?8.8.8.8", 0, 0, 0, "private or local" },
		/* refused: scheme */
		{ "http://8.8.8.8/x", 0, 0, 0, "only https" },
		{ "http://127.0.0.1/x", 0, 0, 0, "only https" },
		{ "ftp://8.8.8.8/x", 0, 0, 0, "only https" },
		{ "ftp://8.8.8.8/x", 0, 1, 0, "only https" },
		{ "file:///etc/passwd", 0, 0, 0, "" },
		{ "gopher://8.8.8.8/x", 1, 1, 0, "" },
		/* refused: not a URL */
		{ "", 0, 0, 0, "not a valid URL" },
		{ "not a url", 0, 0, 0, "not a valid URL" },
		{ "https://", 0, 0, 0, "not a valid URL" },
		{ "https://8.8.8.8:99999/x", 0, 0, 0, "not a valid URL" },
		/* allowed, and pinned to the checked address */
		{ "https://8.8.8.8/hook", 0, 0, 1, "8.8.8.8:443:8.8.8.8:443" },
		{ "https://1.1.1.1:8443/hook", 0, 0, 1,
		    "1.1.1.1:8443:1.1.1.1:8443" },
		{ "https://[2606:4700::1111]/x", 0, 0, 1,
		    "[2606:4700::1111]:443:[2606:4700::1111]:443" },
		{ "https://[::ffff:8.8.8.8]/x", 0, 0, 1, NULL },
		{ "http://8.8.8.8/x", 0, 1, 1, "8.8.8.8:80:8.8.8.8:80" },
		/* allowed by the operator */
		{ "https://127.0.0.1:9/x", 1, 0, 1, "127.0.0.1:9:127.0.0.1:9" },
		{ "https://10.0.0.1/x", 1, 0, 1, "10.0.0.1:443:10.0.0.1:443" },
		{ "https://[::1]:8443/x", 1, 0, 1, "[::1]:8443:[::1]:8443" },
		{ "http://127.0.0.1:8080/x", 1, 1, 1,
		    "127.0.0.1:8080:127.0.0.1:8080" },
		{ "http://127.0.0.1:8080/x", 1, 0, 0, "only https" },
	};
	struct conf		 conf;
	struct curl_slist	*pin;
	char			 name[128], err[256];
	size_t			 i;
	int			 ok;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(name, sizeof(name), "%s%s%s", cases[i].url,
		    cases[i].allow_private ? ", private allowed" : "",
		    cases[i].allow_http ? ", http allowed" : "");
		conf_init(&conf);
		conf.allow_private_destinations = cases[i].allow_private;
		conf.allow_http_webhooks = cases[i].allow_http;
		pin = (struct curl_slist *)&conf;	/* must be reset */
		err[0] = '\0';
		ok = httpout_vet(&conf, cases[i].url, &pin, err, sizeof(err));
		CHECK(ok == cases[i].ok, "[%s] ok %d, want %d (%s)", name, ok,
		    cases[i].ok, err);
		if (ok && cases[i].ok) {
			CHECK(pin != NULL && pin->next == NULL, "[%s] not one "
			    "pin", name);
			if (pin != NULL && cases[i].pin != NULL)
				CHECK_STR(name, pin->data, cases[i].pin);
		} else if (!ok) {
			CHECK(pin == NULL, "[%s] a pin when refused", name);
			CHECK(err[0] != '\0' && strstr(err, cases[i].pin) !=
			    NULL, "[%s] error \"%s\", want \"%s\"", name, err,
			    cases[i].pin);
		}
		if (ok)
			curl_slist_free_all(pin);
		conf_cleanup(&conf);
	}
}

/*
 * httpout_endpoint: the unit of the worker's per-endpoint cap is
 * scheme, host and port (the default port written out), whatever the
 * path, query or case of the host; a non-URL is none.
 */
static void
test_endpoint(void)
{
	static const struct {
		const char	*url;
		const char	*key;	/* NULL: not a URL */
	} cases[] = {
		{ "https://hooks.example.com/a?b=1", "https://hooks.example.com:443" },
		{ "https://hooks.example.com:443/other", "https://hooks.example.com:443" },
		{ "http://127.0.0.1:8080/x", "http://127.0.0.1:8080" },
		{ "http://127.0.0.1:8081/x", "http://127.0.0.1:8081" },
		{ "http://[::1]:9000/hook", "http://[::1]:9000" },
		{ "http://example.com/", "http://example.com:80" },
		{ "not a url", NULL },
	};
	char		 key[320];
	size_t		 i;
	int		 ok;

	for (i = 0; i < NELEM(cases); i++) {
		ok = httpout_endpoint(cases[i].url, key, sizeof(key));
		CHECK(ok == (cases[i].key != NULL), "[%s] ok %d", cases[i].url,
		    ok);
		if (ok && cases[i].key != NULL)
			CHECK_STR(cases[i].url, key, cases[i].key);
	}
}

/*
 * The multi refuses what httpout_vet refuses, before any connection:
 * the request is done at once (no tag comes back), with the reason.
 */
static void
test_multi_refuses(void)
{
	struct conf		 conf;
	struct httpout_multi	*hm;
	struct httpout_req	 q;
	struct httpout_res	 res;
	int			 tag = 0;

	conf_init(&conf);
	hm = httpout_multi_new(&conf, 4);
	if (!CHECK(hm != NULL, "httpout_multi_new"))
		return;
	httpout_post_req(&conf, "https://127.0.0.1:1/hook", NULL, "{}", 2, &q);
	CHECK(httpout_multi_add(hm, &q, &res, &tag) == 0, "loopback started");
	CHECK(strstr(res.error, "private or local") != NULL, "error \"%s\"",
	    res.error);
	buf_cleanup(&res.body);
	httpout_post_req(&conf, "http://93.184.216.34/hook", NULL, "{}", 2, &q);
	CHECK(httpout_multi_add(hm, &q, &res, &tag) == 0, "http started");
	CHECK(strstr(res.error, "only https") != NULL, "error \"%s\"",
	    res.error);
	buf_cleanup(&res.body);
	CHECK(httpout_multi_running(hm) == 0, "running");
	CHECK(httpout_multi_next(hm) == NULL, "a tag came back");
	httpout_multi_free(hm);
	conf_cleanup(&conf);
}

/* A loopback TCP port nothing listens on (0 when none was found). */
static int
closed_port(void)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof(sa);
	int			 fd, port = 0;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/*
 * A transfer in flight keeps its pin when the multi renews or evicts the
 * endpoint's: libcurl reads CURLOPT_CONNECT_TO as long as the transfer
 * may connect (a worker crashed in curl_multi_perform when a pin freed
 * under a transfer). The first transfer's endpoint is evicted by the
 * 65th other one before any runs; under valgrind a read of the freed
 * list fails the run. Every transfer ends, refused, and comes back once.
 */
static void
test_multi_pin_outlives_eviction(void)
{
	enum { N = 65 };
	struct conf		 conf;
	struct httpout_multi	*hm;
	struct httpout_req	 q;
	static struct httpout_res res[N];
	int			 tags[N], seen[N], port, i, back = 0;
	char			 url[64];
	void			*tag;

	if (!CHECK((port = closed_port()) > 0, "a closed port"))
		return;
	conf_init(&conf);
	conf.allow_private_destinations = 1;
	conf.allow_http_webhooks = 1;
	hm = httpout_multi_new(&conf, 4);
	if (!CHECK(hm != NULL, "httpout_multi_new"))
		goto out;
	for (i = 0; i < N; i++) {
		tags[i] = i;
		seen[i] = 0;
		/* 127.0.0.1 to 127.0.0.65: 65 endpoints for 64 pins. */
		snprintf(url, sizeof(url), "http://127.0.0.%d:%d/hook", i + 1,
		    port);
		httpout_post_req(&conf, url, NULL, "{}", 2, &q);
		CHECK(httpout_multi_add(hm, &q, &res[i], &tags[i]) == 1,
		    "%s not started: %s", url, res[i].error);
	}
	for (i = 0; i < 200 && back < N; i++) {
		httpout_multi_wait(hm, 50);
		while ((tag = httpout_multi_next(hm)) != NULL) {
			seen[*(int *)tag]++;
			back++;
		}
	}
	CHECK(back == N, "%d of %d came back", back, N);
	for (i = 0; i < N; i++) {
		CHECK(seen[i] == 1, "transfer %d came back %d times", i,
		    seen[i]);
		CHECK(res[i].status == 0 && res[i].error[0] != '\0',
		    "transfer %d: status %ld, error \"%s\"", i, res[i].status,
		    res[i].error);
		buf_cleanup(&res[i].body);
	}
	httpout_multi_free(hm);
out:
	conf_cleanup(&conf);
}

/* The "httpout" suite. */
void
test_httpout_register(void)
{
	static const struct test_def tests[] = {
		{ "httpout_addr_private IPv4", test_private_v4 },
		{ "httpout_addr_private IPv6", test_private_v6 },
		{ "httpout_addr_private NAT64", test_private_nat64 },
		{ "httpout_addr_private IPv6 embedding IPv4",
		    test_private_embedded_v4 },
		{ "httpout_addr_private other families",
		    test_private_other_family },
		{ "httpout_vet literal addresses", test_vet },
		{ "httpout_endpoint", test_endpoint },
		{ "httpout_multi refuses before connecting", test_multi_refuses },
		{ "httpout_multi: a transfer keeps its pin",
		    test_multi_pin_outlives_eviction },
	};

	test_add_suite("httpout", NULL, NULL, tests, NELEM(tests));
}
