/*
 * scim/scim.h - SCIM 2.0 (RFC 7643/7644) Users and Groups for identity
 * providers: filters and PATCH paths, PATCH itself, what the handlers
 * share, and the handlers.
 */
#ifndef MIHWAR_SCIM_H
#define MIHWAR_SCIM_H

#include "auth/auth.h"

#define SCIM_SCHEMA_USER	"urn:ietf:params:scim:schemas:core:2.0:User"
#define SCIM_SCHEMA_GROUP	"urn:ietf:params:scim:schemas:core:2.0:Group"
#define SCIM_SCHEMA_ENTERPRISE \
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

/* scimfilter.c: SCIM filters and PATCH paths */
struct scimf;			/* a parsed filter (opaque) */
struct scimf	*scimf_parse(const char *, char *, size_t);
void		 scimf_free(struct scimf *);
int		 scimf_match(const struct scimf *, struct json_object *);
enum scimf_anchor {	/* the indexed term a User filter rests on */
	SCIMF_ALL, SCIMF_USERNAME, SCIMF_EXTERNALID, SCIMF_ID, SCIMF_EMAIL,
	SCIMF_ACTIVE, SCIMF_ANCHOR__MAX
};
enum scimf_anchor scimf_anchor(const struct scimf *, const char **, int *);
struct scim_path {
	char		 attr[64];	/* lowercased attribute name */
	char		 sub[64];	/* lowercased sub-attribute or "" */
	struct scimf	*filter;	/* value filter or NULL */
};
int		 scimf_path_parse(const char *, struct scim_path *, char *,
		    size_t);
void		 scimf_path_cleanup(struct scim_path *);

/* scimpatch.c: SCIM PATCH applied to a resource document */
const char	*scimp_key(struct json_object *, const char *);
struct json_object *scimp_get(struct json_object *, const char *);
void		 scimp_set(struct json_object *, const char *,
		    struct json_object *);
struct json_object *scimp_normalize(struct json_object *);
struct json_object *scimp_canon(struct json_object *);
int		 scimp_readonly(const char *);
int		 scimp_shape_ok(struct json_object *, char *, size_t);
int		 scimp_apply(struct json_object *, struct json_object *, char *,
		    size_t);

/* scim.c: what the resource files share */
#define SCIM_MAX_COUNT	100
struct scim_listq {		/* a list query (RFC 7644 §3.4.2) */
	long long	 start, count;
	char		*filter, *attrs, *excl;	/* or NULL */
	struct scimf	*f;			/* the parsed filter, or NULL */
};
void		 scim_error(struct req *, int, const char *, const char *);
void		 scim_patch_error(struct req *, const char *);
void		 scim_location(const struct req *, const char *, const char *,
		    char *, size_t);
struct json_object *scim_meta(const struct req *, const char *,
		    const char *, const char *, const char *, const char *);
void		 scim_etag_header(struct req *, const char *);
int		 scim_etag_matches(struct req *, const char *);
int		 scim_not_modified(struct req *, const char *);
int		 scim_listq_read(struct req *, struct scim_listq *);
void		 scim_listq_cleanup(struct scim_listq *);
void		 scim_project_q(const struct scim_listq *, struct json_object *);
void		 scim_list_send(struct req *, const struct scim_listq *,
		    struct json_object *, long long);
void		 scim_list_all(struct req *, const struct scim_listq *,
		    struct json_object *);
void		 scim_resource_send(struct req *, int, struct json_object *,
		    const char *);

/* scimusers.c: /Users (GET lists and POST .search alike) */
extern const struct db_stmts	scimu_stmts;
void		 scim_users_list(struct req *);
void		 scim_users_create(struct req *);
void		 scim_user_get(struct req *);
void		 scim_user_put(struct req *);
void		 scim_user_patch(struct req *);
void		 scim_user_delete(struct req *);

/* scimgroups.c: /Groups, mapped to console roles */
extern const struct db_stmts	scimg_stmts;
void		 scim_groups_list(struct req *);
void		 scim_groups_create(struct req *);
void		 scim_group_get(struct req *);
void		 scim_group_put(struct req *);
void		 scim_group_patch(struct req *);
void		 scim_group_delete(struct req *);

/* scimmeta.c: discovery */
void		 scim_spc_get(struct req *);
void		 scim_types_list(struct req *);
void		 scim_type_get(struct req *);
void		 scim_schemas_list(struct req *);
void		 scim_schema_get(struct req *);

#endif /* MIHWAR_SCIM_H */
