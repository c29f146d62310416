/*
 * scim/scim.h - SCIM 2.0 (RFC 7643/7644) Users and Groups for identity
 * providers: filters and PATCH paths, PATCH itself, and the handlers.
 */
#ifndef MIHWAR_SCIM_H
#define MIHWAR_SCIM_H

#include "auth/auth.h"

/* scimfilter.c: SCIM filters and PATCH paths */
struct scimf;			/* a parsed filter (opaque) */
struct scimf	*scimf_parse(const char *, char *, size_t);
void		 scimf_free(struct scimf *);
int		 scimf_match(const struct scimf *, struct json_object *);
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
int		 scimp_readonly(const char *);
int		 scimp_shape_ok(struct json_object *, char *, size_t);
int		 scimp_apply(struct json_object *, struct json_object *, char *,
		    size_t);

/* scim.c: SCIM 2.0 Users, Groups and discovery */
extern const struct db_stmts	scim_stmts;
void		 scim_users_list(struct req *);
void		 scim_users_create(struct req *);
void		 scim_user_get(struct req *);
void		 scim_user_put(struct req *);
void		 scim_user_patch(struct req *);
void		 scim_user_delete(struct req *);
void		 scim_groups_list(struct req *);
void		 scim_groups_create(struct req *);
void		 scim_group_get(struct req *);
void		 scim_group_put(struct req *);
void		 scim_group_patch(struct req *);
void		 scim_group_delete(struct req *);
void		 scim_spc_get(struct req *);
void		 scim_types_list(struct req *);
void		 scim_type_get(struct req *);
void		 scim_schemas_list(struct req *);
void		 scim_schema_get(struct req *);

#endif /* MIHWAR_SCIM_H */
