/*
 * itest.h - helpers shared by the integration suites: HTTP over libcurl
 * against the real stack, fixtures made with mihwarctl, and the knobs
 * the harness (scripts/check.sh) passes in the environment.
 */
#ifndef ITEST_H
#define ITEST_H

#include <stddef.h>

#include <CUnit/CUnit.h>

struct json_object;

struct http_resp {
	long	 status;
	char	*body;
	size_t	 len;
	char	*headers;	/* raw header block, lowercase names kept as sent */
};

/* Env: MIHWAR_BASE_URL, MIHWAR_CTL, MIHWAR_CONF, MIHWAR_STACK, MIHWAR_WEB_LOG */
const char	*itest_env(const char *);

/* One request; hdrs is a NULL-terminated list of "Name: value" lines. */
int		 http_do(const char *method, const char *path,
		    const char *const *hdrs, const char *body, size_t len,
		    struct http_resp *);
void		 http_resp_free(struct http_resp *);
/* The value of a response header (case-insensitive), malloc'd, or NULL. */
char		*http_header(const struct http_resp *, const char *);
/* The body parsed as JSON, or NULL. Caller puts. */
struct json_object *http_json(const struct http_resp *);
/* A string at a dotted path ("error.code") of a JSON body, or NULL. */
const char	*json_path_str(struct json_object *, const char *);

/* mihwarctl with args (shell words); stdout into out (malloc'd). Exit. */
int		 ctl_run(const char *args, const char *stdin_text, char **out);
/* A fresh organization; its slug is written to slug (64 bytes). */
int		 fixture_org(char *slug);
/* A key of kind for org; token into tok (128), id into id (37). */
int		 fixture_key(const char *org, const char *kind, const char *app,
		    char *tok, char *id);
/* Run scripts/stack.sh with the harness's VAR/PORT; exit status. */
int		 stack_run(const char *cmd);

#define ASSERT_STATUS(resp, want) do {					\
	char msg_[256];							\
	snprintf(msg_, sizeof(msg_), "%s:%d: status %ld, want %d; body: %.120s", \
	    __FILE__, __LINE__, (resp)->status, (want),			\
	    (resp)->body ? (resp)->body : "");				\
	CU_assertImplementation((resp)->status == (want), __LINE__, msg_,	\
	    __FILE__, "", CU_FALSE);					\
} while (0)

#define ASSERT_STR(got, want, what) do {				\
	char msg_[256];							\
	const char *g_ = (got);						\
	snprintf(msg_, sizeof(msg_), "%s: got \"%s\", want \"%s\"", (what), \
	    g_ ? g_ : "(null)", (want));				\
	CU_assertImplementation(g_ != NULL && strcmp(g_, (want)) == 0,	\
	    __LINE__, msg_, __FILE__, "", CU_FALSE);			\
} while (0)

void	suite_platform_register(void);
void	suite_auth_register(void);
void	suite_items_register(void);
void	suite_ctl_register(void);
void	suite_dbrestart_register(void);

#endif
