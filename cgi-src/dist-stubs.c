/*
 * dist-stubs.c - linked into the programs of `make dist` only.
 *
 * Debian's libcurl.a is built with GSS-API (Kerberos) authentication,
 * LDAP and RTMP. Debian ships no static archive of libgssapi_krb5, and
 * the archives of libldap and librtmp need GnuTLS, whose libp11-kit has
 * none either; linking those dynamically would tie the programs to the
 * sonames of one distribution, which is what `make dist` is for avoiding.
 * Mihwar never uses them: lib/core/httpout.c limits every transfer to
 * http and https (CURLOPT_PROTOCOLS_STR) and asks for no Negotiate
 * authentication. So these definitions stand in for the entry points
 * libcurl.a refers to: each one fails (or frees nothing), and a transfer
 * that reached one would end in a curl error, never a crash.
 *
 * The argument types are reduced to void pointers and ints (no header of
 * those libraries is needed to build); the stubs ignore them.
 */
#include <stddef.h>
#include <stdint.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"

/* GSS-API (RFC 2744): an OM_uint32 major status, GSS_S_FAILURE. */
#define STUB_GSS_S_COMPLETE	0u
#define STUB_GSS_S_FAILURE	(13u << 16)

uint32_t gss_init_sec_context(uint32_t *, void *, void **, void *, void *,
    uint32_t, uint32_t, void *, void *, void **, void *, uint32_t *,
    uint32_t *);
uint32_t gss_inquire_context(uint32_t *, void *, void **, void **,
    uint32_t *, void **, uint32_t *, int *, int *);
uint32_t gss_import_name(uint32_t *, void *, void *, void **);
uint32_t gss_display_name(uint32_t *, void *, void *, void **);
uint32_t gss_display_status(uint32_t *, uint32_t, int, void *,
    uint32_t *, void *);
uint32_t gss_wrap(uint32_t *, void *, int, uint32_t, void *, int *, void *);
uint32_t gss_unwrap(uint32_t *, void *, void *, void *, int *, uint32_t *);
uint32_t gss_release_buffer(uint32_t *, void *);
uint32_t gss_release_name(uint32_t *, void **);
uint32_t gss_delete_sec_context(uint32_t *, void **, void *);

/* An OID pointer libcurl passes to gss_import_name, never dereferenced. */
void	*GSS_C_NT_HOSTBASED_SERVICE = NULL;

/* Clear the minor status, as the real calls do, and return major. */
static uint32_t
stub_gss_status(uint32_t *minor, uint32_t major)
{
	if (minor != NULL)
		*minor = 0;
	return major;
}

uint32_t
gss_init_sec_context(uint32_t *minor, void *cred, void **ctx, void *target,
    void *mech, uint32_t flags, uint32_t time, void *chan, void *in,
    void **actual_mech, void *out, uint32_t *ret_flags, uint32_t *time_rec)
{
	return stub_gss_status(minor, STUB_GSS_S_FAILURE);
}

uint32_t
gss_inquire_context(uint32_t *minor, void *ctx, void **src, void **target,
    uint32_t *lifetime, void **mech, uint32_t *flags, int *local, int *open)
{
	return stub_gss_status(minor, STUB_GSS_S_FAILURE);
}

uint32_t
gss_import_name(uint32_t *minor, void *buf, void *type, void **name)
{
	return stub_gss_status(minor, STUB_GSS_S_FAILURE);
}

uint32_t
gss_display_name(uint32_t *minor, void *name, void *buf, void **type)
{
	return stub_gss_status(minor, STUB_GSS_S_FAILURE);
}

uint32_t
gss_display_status(uint32_t *minor, uint32_t status, int type, void *mech,
    uint32_t *msg_ctx, void *buf)
{
	return stub_gss_status(minor, STUB_GSS_S_FAILURE);
}

uint32_t
gss_wrap(uint32_t *minor, void *ctx, int conf, uint32_t qop, void *in,
    int *conf_state, void *out)
{
	return stub_gss_status(minor, STUB_GSS_S_FAILURE);
}

uint32_t
gss_unwrap(uint32_t *minor, void *ctx, void *in, void *out, int *conf_state,
    uint32_t *qop)
{
	return stub_gss_status(minor, STUB_GSS_S_FAILURE);
}

/* Nothing was ever allocated, so releasing succeeds. */
uint32_t
gss_release_buffer(uint32_t *minor, void *buf)
{
	return stub_gss_status(minor, STUB_GSS_S_COMPLETE);
}

uint32_t
gss_release_name(uint32_t *minor, void **name)
{
	return stub_gss_status(minor, STUB_GSS_S_COMPLETE);
}

uint32_t
gss_delete_sec_context(uint32_t *minor, void **ctx, void *out)
{
	return stub_gss_status(minor, STUB_GSS_S_COMPLETE);
}

/* OpenLDAP: an int result code, LDAP_OTHER, or nothing to free. */
#define STUB_LDAP_OTHER		0x50

int	 ldap_url_parse(const char *, void **);
void	 ldap_free_urldesc(void *);
int	 ldap_pvt_url_scheme2proto(const char *);
int	 ldap_init_fd(int, int, const char *, void **);
int	 ldap_set_option(void *, int, const void *);
int	 ldap_get_option(void *, int, void *);
int	 ldap_start_tls(void *, void **, void **, int *);
int	 ldap_sasl_bind(void *, const char *, const char *, void *, void **,
	    void **, int *);
int	 ldap_parse_sasl_bind_result(void *, void *, void **, int);
int	 ldap_search_ext(void *, const char *, int, const char *, char **, int,
	    void **, void **, void *, int, int *);
int	 ldap_result(void *, int, int, void *, void **);
int	 ldap_parse_result(void *, void *, int *, char **, char **, char ***,
	    void ***, int);
int	 ldap_msgtype(void *);
int	 ldap_msgfree(void *);
int	 ldap_get_dn_ber(void *, void *, void **, void *);
int	 ldap_get_attribute_ber(void *, void *, void *, void *, void **);
int	 ldap_abandon_ext(void *, int, void **, void **);
int	 ldap_unbind_ext(void *, void **, void **);
void	 ldap_memfree(void *);
char	*ldap_err2string(int);
int	 ber_sockbuf_add_io(void *, void *, int, void *);
void	 ber_free(void *, int);
void	 ber_bvfree(void *);
void	 ber_memfree(void *);
void	 ber_memvfree(void **);

int
ldap_url_parse(const char *url, void **desc)
{
	return STUB_LDAP_OTHER;
}

void
ldap_free_urldesc(void *desc)
{
}

/* No scheme is known: libcurl then refuses the URL. */
int
ldap_pvt_url_scheme2proto(const char *scheme)
{
	return -1;
}

int
ldap_init_fd(int fd, int proto, const char *url, void **ld)
{
	return STUB_LDAP_OTHER;
}

int
ldap_set_option(void *ld, int option, const void *value)
{
	return STUB_LDAP_OTHER;
}

int
ldap_get_option(void *ld, int option, void *value)
{
	return STUB_LDAP_OTHER;
}

int
ldap_start_tls(void *ld, void **sctrls, void **cctrls, int *msgid)
{
	return STUB_LDAP_OTHER;
}

int
ldap_sasl_bind(void *ld, const char *dn, const char *mech, void *cred,
    void **sctrls, void **cctrls, int *msgid)
{
	return STUB_LDAP_OTHER;
}

int
ldap_parse_sasl_bind_result(void *ld, void *res, void **creds, int freeit)
{
	return STUB_LDAP_OTHER;
}

int
ldap_search_ext(void *ld, const char *base, int scope, const char *filter,
    char **attrs, int attrsonly, void **sctrls, void **cctrls, void *timeout,
    int sizelimit, int *msgid)
{
	return STUB_LDAP_OTHER;
}

/* -1: the error return of ldap_result(3). */
int
ldap_result(void *ld, int msgid, int all, void *timeout, void **res)
{
	return -1;
}

int
ldap_parse_result(void *ld, void *res, int *err, char **matched,
    char **msg, char ***referrals, void ***sctrls, int freeit)
{
	return STUB_LDAP_OTHER;
}

int
ldap_msgtype(void *msg)
{
	return -1;
}

int
ldap_msgfree(void *msg)
{
	return 0;
}

int
ldap_get_dn_ber(void *ld, void *entry, void **ber, void *dn)
{
	return STUB_LDAP_OTHER;
}

int
ldap_get_attribute_ber(void *ld, void *entry, void *ber, void *attr,
    void **vals)
{
	return STUB_LDAP_OTHER;
}

int
ldap_abandon_ext(void *ld, int msgid, void **sctrls, void **cctrls)
{
	return STUB_LDAP_OTHER;
}

int
ldap_unbind_ext(void *ld, void **sctrls, void **cctrls)
{
	return 0;
}

void
ldap_memfree(void *p)
{
}

char *
ldap_err2string(int err)
{
	return (char *)"LDAP is not in this build of Mihwar";
}

int
ber_sockbuf_add_io(void *sb, void *io, int layer, void *arg)
{
	return -1;
}

void
ber_free(void *ber, int freebuf)
{
}

void
ber_bvfree(void *bv)
{
}

void
ber_memfree(void *p)
{
}

/* curl_version() calls it after ldap_get_option, which fails here. */
void
ber_memvfree(void **v)
{
}

/* librtmp: no handle can be made, so libcurl stops at RTMP_Alloc. */
void	*RTMP_Alloc(void);
void	 RTMP_Free(void *);
void	 RTMP_Init(void *);
int	 RTMP_SetupURL(void *, char *);
void	 RTMP_SetBufferMS(void *, int);
int	 RTMP_Connect1(void *, void *);
int	 RTMP_ConnectStream(void *, int);
int	 RTMP_Read(void *, char *, int);
int	 RTMP_Write(void *, const char *, int);
void	 RTMP_Close(void *);

void *
RTMP_Alloc(void)
{
	return NULL;
}

void
RTMP_Free(void *r)
{
}

void
RTMP_Init(void *r)
{
}

int
RTMP_SetupURL(void *r, char *url)
{
	return 0;
}

void
RTMP_SetBufferMS(void *r, int ms)
{
}

int
RTMP_Connect1(void *r, void *packet)
{
	return 0;
}

int
RTMP_ConnectStream(void *r, int seek)
{
	return 0;
}

int
RTMP_Read(void *r, char *buf, int size)
{
	return -1;
}

int
RTMP_Write(void *r, const char *buf, int size)
{
	return -1;
}

void
RTMP_Close(void *r)
{
}
