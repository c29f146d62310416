/*
 * creds.c - the secrets of integrations: API credentials sealed bound to
 * their row (crypto_seal_ad with "<org>:<integration>:<field>" as
 * associated data, so a ciphertext copied to another row or field does
 * not open), the signing secret of Standard Webhooks ("whsec_" + base64
 * of 32 random bytes), its signature, the check of a destination URL and
 * the masked form of a URL that lists show. Pure functions but for the
 * random bytes, so the unit tests can hold them.
 */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <sodium.h>

#include "impex/impex.h"

/* "<org>:<integration public id>:<field>" */
static void
integ_ad(char *out, size_t outsz, long long org, const char *id,
    const char *field)
{
	snprintf(out, outsz, "%lld:%s:%s", org, id, field);
}

/* Seal len bytes of plain for field of integration id of org into out
 * (len + CRYPTO_SEAL_AD_OVERHEAD bytes); returns the sealed length. */
size_t
integ_seal(long long org, const char *id, const char *field,
    const char *plain, size_t len, unsigned char *out)
{
	char	 ad[128];

	integ_ad(ad, sizeof(ad), org, id, field);
	return crypto_seal_ad((const unsigned char *)plain, len, ad, out);
}

/* Open what integ_seal made for the same org, id and field: a new
 * NUL-terminated string (free it with integ_secret_free), or NULL when
 * it does not open (moved, tampered with, another key). */
char *
integ_open(long long org, const char *id, const char *field,
    const unsigned char *in, size_t len)
{
	char	 ad[128], *out;

	if (len < CRYPTO_SEAL_AD_OVERHEAD)
		return NULL;
	if ((out = malloc(len - CRYPTO_SEAL_AD_OVERHEAD + 1)) == NULL)
		return NULL;
	integ_ad(ad, sizeof(ad), org, id, field);
	if (!crypto_open_ad(in, len, ad, (unsigned char *)out)) {
		free(out);
		return NULL;
	}
	out[len - CRYPTO_SEAL_AD_OVERHEAD] = '\0';
	return out;
}

/* Wipe and free an opened secret. */
void
integ_secret_free(char *s)
{
	if (s == NULL)
		return;
	sodium_memzero(s, strlen(s));
	free(s);
}

/* A new signing secret: "whsec_" + standard base64 of 32 random bytes
 * (Standard Webhooks: receivers HMAC with the decoded bytes). */
void
integ_new_signing_secret(char out[64])
{
	unsigned char	 raw[32];

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, "whsec_", 6);
	sodium_bin2base64(out + 6, 64 - 6, raw, sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(raw, sizeof(raw));
}

/*
 * Standard Webhooks signature of body sent as message msgid at ts
 * (seconds): "v1," + base64 of HMAC-SHA256 over "msgid.ts.body" under
 * the base64-decoded secret (after "whsec_"). 0 when the secret is not
 * of that form.
 */
int
integ_sign(const char *secret, const char *msgid, long long ts,
    const char *body, size_t len, char out[64])
{
	crypto_auth_hmacsha256_state	 st;
	unsigned char			 key[64], mac[32];
	char				 head[128];
	size_t				 keylen = 0;
	int				 n;

	if (strncmp(secret, "whsec_", 6) != 0 || sodium_base642bin(key,
	    sizeof(key), secret + 6, strlen(secret + 6), NULL, &keylen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || keylen == 0)
		return 0;
	n = snprintf(head, sizeof(head), "%s.%lld.", msgid, ts);
	if (n < 0 || (size_t)n >= sizeof(head))
		return 0;
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)head,
	    (size_t)n);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(key, sizeof(key));
	memcpy(out, "v1,", 3);
	sodium_bin2base64(out + 3, 64 - 3, mac, sizeof(mac),
	    sodium_base64_VARIANT_ORIGINAL);
	return 1;
}

/* 1 when host (as curl gives it: IPv6 in brackets) is a literal address
 * of a private, loopback or link-local range, or a name of this host. */
static int
integ_host_private(const char *host)
{
	struct sockaddr_in	 v4;
	struct sockaddr_in6	 v6;
	char			 lit[INET6_ADDRSTRLEN + 1];
	size_t			 n = strlen(host);

	memset(&v4, 0, sizeof(v4));
	memset(&v6, 0, sizeof(v6));
	if (inet_pton(AF_INET, host, &v4.sin_addr) == 1) {
		v4.sin_family = AF_INET;
		return httpout_addr_private((struct sockaddr *)&v4);
	}
	if (host[0] == '[' && n > 2 && n - 2 < sizeof(lit)) {
		memcpy(lit, host + 1, n - 2);
		lit[n - 2] = '\0';
		if (inet_pton(AF_INET6, lit, &v6.sin6_addr) == 1) {
			v6.sin6_family = AF_INET6;
			return httpout_addr_private((struct sockaddr *)&v6);
		}
		return 1;	/* a bracket that is no address */
	}
	/* Names: those of this host; the rest are checked again where
	 * they resolve to, at each send (httpout_vet). */
	if (strcasecmp(host, "localhost") == 0 ||
	    (n > 10 && strcasecmp(host + n - 10, ".localhost") == 0) ||
	    strcasecmp(host, "localhost.") == 0)
		return 1;
	return 0;
}

/*
 * A destination URL: http or https with a host, and (unless conf allows
 * private destinations) no private, loopback or link-local address.
 * DNS is not asked here (a name may resolve later, elsewhere): each send
 * goes through httpout's guard, which resolves and checks again. 0 with
 * the reason in why.
 */
int
integ_url_ok(const struct conf *conf, const char *url, char *why,
    size_t whysz)
{
	CURLU	*u;
	char	*scheme = NULL, *host = NULL;
	int	 ok = 0;

	if (whysz > 0)
		why[0] = '\0';
	if (strlen(url) > 2048) {
		snprintf(why, whysz, "at most 2048 characters");
		return 0;
	}
	if ((u = curl_url()) == NULL ||
	    curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host[0] == '\0')
		snprintf(why, whysz, "not a valid URL");
	else if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)
		snprintf(why, whysz, "expected an http or https URL");
	else if (!conf->allow_private_destinations && integ_host_private(host))
		snprintf(why, whysz, "%s is a private, loopback or link-local "
		    "address", host);
	else
		ok = 1;
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/*
 * The URL as lists show it: scheme and host (with its port), and "/…"
 * when anything follows (path, query: where Discord's and Slack's
 * tokens are); credentials in the authority are dropped. A URL that does
 * not parse shows as "…".
 */
void
integ_mask_url(const char *url, char *out, size_t outsz)
{
	const char	*p, *auth, *end, *at;

	snprintf(out, outsz, "…");
	if (url == NULL || (p = strstr(url, "://")) == NULL)
		return;
	auth = p + 3;
	end = auth + strcspn(auth, "/?#");
	/* user:password@host: the host only */
	for (at = end; at > auth && at[-1] != '@'; at--)
		;
	snprintf(out, outsz, "%.*s%.*s%s", (int)(auth - url), url,
	    (int)(end - at), at, *end != '\0' && strcmp(end, "/") != 0 ?
	    "/…" : "");
}
