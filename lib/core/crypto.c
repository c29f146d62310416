/*
 * crypto.c - every secret, hash and random id goes through libsodium.
 */
#include <string.h>

#include <sodium.h>

#include "core/core.h"

/* Subkeys derived once from the master key: API key hashing, sealing. */
static unsigned char	 key_hash_key[crypto_generichash_KEYBYTES];
static unsigned char	 seal_key[crypto_secretbox_KEYBYTES];
static unsigned char	 cred_key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];

/* Initialise libsodium and derive subkeys; 0 on failure. */
int
crypto_init(const unsigned char *master_key)
{
	if (sodium_init() < 0)
		return 0;
	if (master_key != NULL &&
	    (crypto_kdf_derive_from_key(key_hash_key, sizeof(key_hash_key), 1,
	    "mihwarkh", master_key) != 0 ||
	    crypto_kdf_derive_from_key(seal_key, sizeof(seal_key), 2,
	    "mihwarsb", master_key) != 0 ||
	    crypto_kdf_derive_from_key(cred_key, sizeof(cred_key), 3,
	    "mihwarcr", master_key) != 0))
		return 0;
	return 1;
}

/* n-1 random base62 characters and a NUL into out (unbiased). */
void
crypto_random_token(char *out, size_t n)
{
	static const char	 alphabet[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	size_t			 i;

	if (n == 0)
		return;
	for (i = 0; i + 1 < n; i++)
		out[i] = alphabet[randombytes_uniform(62)];
	out[n - 1] = '\0';
}

/* A time-ordered UUID (version 7), lowercase, into out[37]. */
void
crypto_uuid7(char out[37])
{
	unsigned char	 b[16];
	char		 hex[33];
	uint64_t	 ms = (uint64_t)util_now_ms();
	int		 i;

	randombytes_buf(b, sizeof(b));
	for (i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	b[6] = (b[6] & 0x0F) | 0x70;
	b[8] = (b[8] & 0x3F) | 0x80;
	util_hex(b, sizeof(b), hex);
	memcpy(out, hex, 8);
	out[8] = '-';
	memcpy(out + 9, hex + 8, 4);
	out[13] = '-';
	memcpy(out + 14, hex + 12, 4);
	out[18] = '-';
	memcpy(out + 19, hex + 16, 4);
	out[23] = '-';
	memcpy(out + 24, hex + 20, 12);
	out[36] = '\0';
}

/* Keyed BLAKE2b-256 of an API key; the only form in which keys are kept. */
void
crypto_key_hash(const char *tok, size_t len, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)tok, len,
	    key_hash_key, sizeof(key_hash_key));
}

/* Lowercase hex HMAC-SHA256 of msg under key (any key length). */
void
crypto_hmac_sha256_hex(const unsigned char *key, size_t keylen,
    const unsigned char *msg, size_t msglen, char out[65])
{
	crypto_auth_hmacsha256_state	 st;
	unsigned char			 mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, msg, msglen);
	crypto_auth_hmacsha256_final(&st, mac);
	util_hex(mac, sizeof(mac), out);
}

/* Constant-time equality of two n-byte secrets; 1 when equal. */
int
crypto_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

/* argon2id hash of a password into out; 0 on failure (out of memory). */
int
crypto_password_hash(const char *pw, char out[128])
{
	return crypto_pwhash_str(out, pw, strlen(pw),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

/* 1 when pw matches the stored argon2id hash. */
int
crypto_password_verify(const char *hash, const char *pw)
{
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

/*
 * Encrypt a secret for storage: nonce || secretbox(msg) into out, which
 * holds len + CRYPTO_SEAL_OVERHEAD bytes. Returns the sealed length.
 */
size_t
crypto_seal(const unsigned char *msg, size_t len, unsigned char *out)
{
	randombytes_buf(out, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, msg, len, out,
	    seal_key);
	return len + CRYPTO_SEAL_OVERHEAD;
}

/* Decrypt what crypto_seal made; out holds len - overhead bytes. 0 when
 * it was tampered with or sealed under another master key. */
int
crypto_open(const unsigned char *in, size_t len, unsigned char *out)
{
	if (len < CRYPTO_SEAL_OVERHEAD)
		return 0;
	return crypto_secretbox_open_easy(out, in + crypto_secretbox_NONCEBYTES,
	    len - crypto_secretbox_NONCEBYTES, in, seal_key) == 0;
}

/*
 * Seal a credential bound to where it is stored: version byte || nonce ||
 * XChaCha20-Poly1305(msg) with ad (say "org:integration:field") as
 * associated data, so that a ciphertext copied to another row does not
 * open. out holds len + CRYPTO_SEAL_AD_OVERHEAD bytes; returns its
 * length. The version byte names the key, for rotation.
 */
size_t
crypto_seal_ad(const unsigned char *msg, size_t len, const char *ad,
    unsigned char *out)
{
	unsigned char		*nonce = out + 1;
	unsigned long long	 clen;

	out[0] = CRYPTO_SEAL_AD_VERSION;
	randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + 1 +
	    crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen, msg, len,
	    (const unsigned char *)ad, strlen(ad), NULL, nonce, cred_key);
	return 1 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + clen;
}

/* Open what crypto_seal_ad made under the same ad; out holds len -
 * CRYPTO_SEAL_AD_OVERHEAD bytes. 0 when tampered with, moved to another
 * row, or sealed under another key or version. */
int
crypto_open_ad(const unsigned char *in, size_t len, const char *ad,
    unsigned char *out)
{
	const unsigned char	*nonce = in + 1;
	size_t			 head = 1 +
				    crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
	unsigned long long	 mlen;

	if (len < CRYPTO_SEAL_AD_OVERHEAD || in[0] != CRYPTO_SEAL_AD_VERSION)
		return 0;
	return crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL,
	    in + head, len - head, (const unsigned char *)ad, strlen(ad),
	    nonce, cred_key) == 0;
}
