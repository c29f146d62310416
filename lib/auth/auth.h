/*
 * auth/auth.h - who is calling: API keys of every kind, organizations and
 * their users, console sessions, and principal.c, which turns the
 * credential a family asks for into the request's principal once per
 * request. Includes lib/web (and so lib/core) only.
 */
#ifndef MIHWAR_AUTH_H
#define MIHWAR_AUTH_H

#include "web/web.h"

/* keys.c: API keys of every kind in one table, stored as keyed hashes */
extern const struct db_stmts	keys_stmts;
const char	*keys_kind_name(enum key_kind);
const char	*keys_kind_prefix(enum key_kind);
int		 keys_kind_parse(const char *, enum key_kind *);
int		 keys_token_kind(const char *, enum key_kind *);
int		 keys_create(struct db *, long long, enum key_kind, long long,
		    const char *, char *, size_t, char out_id[37]);
enum db_code	 keys_resolve(struct db *, const char *, long long,
		    struct principal *);
/* keys.c, the per-process cache of key lookups (key_cache_seconds) */
#define KEYS_CACHE_MAX	256	/* entries; a new one replaces the oldest */
int64_t		 keys_cache_now_ms(void);
int		 keys_cache_get(const unsigned char [32], int64_t, long long,
		    struct principal *);
void		 keys_cache_put(const unsigned char [32], int64_t,
		    const struct principal *);
void		 keys_cache_drop(const char *);
void		 keys_cache_clear(void);
enum db_code	 keys_revoke(struct db *, const char *);
enum db_code	 keys_revoke_org(struct db *, long long, const char *);
/* A key as listed (never its token or hash); strings borrowed. */
struct api_key {
	const char	*id, *kind, *prefix, *last4, *name, *created_at;
	const char	*last_used_at, *revoked_at, *app;	/* or NULL */
};
struct api_keys {
	struct api_key	*v;
	size_t		 n;
	struct db_rows	*rows;
};
enum db_code	 keys_list(struct db *, long long, struct api_keys *);
void		 keys_list_cleanup(struct api_keys *);
struct json_object *keys_list_json(struct db *, long long);

/* orgs.c: organizations (the tenant) and their users */
extern const struct db_stmts	orgs_stmts;
enum db_code	 orgs_create(struct db *, const char *, const char *,
		    long long *, char out_id[37]);
enum db_code	 orgs_find(struct db *, const char *, long long *);
enum db_code	 orgs_app_create(struct db *, long long, const char *,
		    const char *, long long *, char [37]);
enum db_code	 orgs_app_ensure(struct db *, long long, const char *,
		    long long *);
int		 orgs_slug_valid(const char *);
int		 users_email_valid(const char *);

/* users.c: console users, their addresses and being active */
extern const struct db_stmts	users_stmts;
struct user_new {
	long long	 org_id;
	const char	*user_name, *display_name;	/* display_name or NULL */
	const char	*email;		/* primary work address, or NULL */
	const char	*password;	/* or NULL: none yet */
	const char	*role;		/* "admin" or "member" */
	int		 platform_admin;
};
struct user_email {
	const char	*value, *type;	/* type or NULL */
	int		 primary;
};
int		 users_name_valid(const char *);
/* The password policy of every path: characters (code points). */
#define USERS_PASSWORD_MIN	8
#define USERS_PASSWORD_MAX	254
#define USERS_PASSWORD_RULE	"8 to 254 characters, not only white space"
int		 users_password_ok(const char *);
enum db_code	 users_password_changed(struct db *, long long, long long);
enum db_code	 users_create(struct db *, const struct user_new *,
		    char out_id[37]);
enum db_code	 users_emails_set(struct db *, long long, long long, int,
		    const struct user_email *, size_t);
enum db_code	 users_set_active(struct db *, long long, long long, int);
enum db_code	 users_active_sync(struct db *, long long, long long, int);
enum db_code	 users_set_password(struct db *, long long, long long,
		    const char *);
enum db_code	 users_signed_in(struct db *, long long);
enum db_code	 users_count_add(struct db *, long long, int, int);
enum db_code	 users_counts(struct db *, long long, long long *,
		    long long *);

/* users.c, views: the console's Users and Organizations pages */
extern const struct db_stmts	users_views_stmts;
#define USERS_PAGE	50	/* users a page of the list shows */
/* A user as listed; strings borrowed from the list. */
struct user_row {
	long long	 id;
	const char	*public_id, *user_name, *role;
	const char	*display_name;		/* or NULL */
	const char	*emails;	/* one a line, the primary first; or NULL */
	const char	*last_sign_in_at;	/* UTC, or NULL: never */
	int		 active, scim_managed, platform_admin;
};
struct user_rows {
	struct user_row	*v;
	size_t		 n;
	int		 more;		/* another page follows v[n - 1] */
	struct db_rows	*rows;
};
enum db_code	 users_list(struct db *, long long, const char *,
		    struct user_rows *);
enum db_code	 users_get(struct db *, long long, const char *,
		    struct user_rows *);
void		 users_rows_cleanup(struct user_rows *);
enum db_code	 users_taken(struct db *, long long, const char *,
		    const char *, int *, int *);
enum db_code	 users_set_role(struct db *, long long, long long,
		    const char *);
enum db_code	 users_email_clash(struct db *, long long, long long, char *,
		    size_t);
/* An organization as the platform operator sees it; strings borrowed. */
struct org_row {
	const char	*slug, *name, *created_at;
	long long	 users_active, users, keys;	/* keys: unrevoked */
};
struct org_rows {
	struct org_row	*v;
	size_t		 n;
	struct db_rows	*rows;
};
enum db_code	 users_orgs_list(struct db *, struct org_rows *);
void		 users_orgs_cleanup(struct org_rows *);

/* links.c: one-time links that set or reset a user's password */
extern const struct db_stmts	links_stmts;
#define LINKS_TOKEN_LEN	43
enum link_purpose { LINK_SET, LINK_RESET };
/* Whose a live link is. */
struct user_link {
	long long		 user_id, org_id;
	enum link_purpose	 purpose;
	char			 user_name[256];
};
enum db_code	 links_retire(struct db *, long long, long long);
enum db_code	 links_create(struct db *, long long, long long,
		    enum link_purpose, long long, char [LINKS_TOKEN_LEN + 1]);
enum db_code	 links_find(struct db *, const char *, struct user_link *);
enum db_code	 links_consume(struct db *, const char *, const char *,
		    struct user_link *);

/* session.c: console sign-in, sessions and CSRF */
extern const struct db_stmts	session_stmts;
int		 session_resolve(struct req *);
int		 session_csrf_ok(struct req *);
void		 session_form_token(struct req *, char [44]);
int		 session_form_csrf_ok(struct req *);
void		 session_login_page(struct req *);
void		 session_login_post(struct req *);
void		 session_logout(struct req *);
int		 session_flash_set(struct req *, const char *);
int		 session_flash_take(struct req *, char *, size_t);

/* principal.c: the credential each family demands, to a principal */
int		 principal_authenticate(struct req *, unsigned int);
int		 principal_is_admin(const struct principal *);
int		 principal_may_grant(const struct principal *, enum key_kind);
void		 principal_actor(const struct principal *, char *, size_t);

#endif /* MIHWAR_AUTH_H */
