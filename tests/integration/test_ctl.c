/*
 * test_ctl.c - mihwarctl: keys shown once and listed without the token,
 * revocation, users, and clear failures for bad arguments or no database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "itest.h"

static void
test_bad_arguments(void)
{
	static const char *const cases[] = {
		"", "frobnicate", "org create --slug x", "org create --slug "
		"'Bad Slug' --name n", "key create --org demo --kind root",
		"key create --org demo --kind ingest", "key revoke",
		"user create --org demo --email nobody --password-stdin",
		"org create --slug ok-slug --name n --extra",
	};
	char	*out;
	size_t	 i;
	int	 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = ctl_run(cases[i], NULL, &out);
		if (rc != 2)
			fprintf(stderr, "\n  case '%s': exit %d\n", cases[i], rc);
		CU_ASSERT_EQUAL(rc, 2);
		free(out);
	}
}

static void
test_missing_database(void)
{
	char	 cmd[1024];
	int	 rc;

	snprintf(cmd, sizeof(cmd), "MIHWAR_DB_SOCKET=/nonexistent/sock "
	    "MIHWAR_CONF='%s' '%s' key list --org demo >/dev/null 2>&1",
	    itest_env("MIHWAR_CONF"), itest_env("MIHWAR_CTL"));
	rc = system(cmd);
	CU_ASSERT(WIFEXITED(rc) && WEXITSTATUS(rc) == 1);
}

static void
test_keys_lifecycle(void)
{
	char			 org[64], tok[128], id[37], args[160], *out;
	struct json_object	*arr, *k;
	struct http_resp	 r;
	char			 hdr[200];
	const char *const	 h[] = { hdr, NULL };
	int			 i;

	CU_ASSERT_FATAL(fixture_org(org));
	snprintf(args, sizeof(args), "org create --slug %s --name Again", org);
	CU_ASSERT_EQUAL(ctl_run(args, NULL, NULL), 1);	/* slug taken */
	CU_ASSERT_FATAL(fixture_key(org, "integration", NULL, tok, id));
	CU_ASSERT(strncmp(tok, "rn_live_", 8) == 0);
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", tok);
	http_do("GET", "/api/integrations/v1/whoami", h, NULL, 0, &r);
	ASSERT_STATUS(&r, 200);
	http_resp_free(&r);

	snprintf(args, sizeof(args), "--json key list --org %s", org);
	CU_ASSERT_EQUAL(ctl_run(args, NULL, &out), 0);
	CU_ASSERT(strstr(out, tok) == NULL);	/* never the token again */
	arr = json_tokener_parse(out);
	CU_ASSERT_FATAL(json_object_array_length(arr) == 1);
	k = json_object_array_get_idx(arr, 0);
	ASSERT_STR(json_path_str(k, "last4"), tok + strlen(tok) - 4, "last4");
	/* Used once above, so last use is recorded. */
	CU_ASSERT_PTR_NOT_NULL(json_path_str(k, "lastUsedAt"));
	json_object_put(arr);
	free(out);

	snprintf(args, sizeof(args), "key revoke %s", id);
	CU_ASSERT_EQUAL(ctl_run(args, NULL, NULL), 0);
	CU_ASSERT_EQUAL(ctl_run("key revoke 00000000-0000-0000-0000-000000000000",
	    NULL, NULL), 1);
	/* mihwarctl is another process: a FastCGI process that looked the
	 * key up a moment ago may answer from its key cache for up to
	 * key_cache_seconds (default 1; tests/keycache times it per
	 * process). Refused within 3 s. */
	for (i = 0; i < 30; i++) {
		http_do("GET", "/api/integrations/v1/whoami", h, NULL, 0, &r);
		if (r.status == 401)
			break;
		http_resp_free(&r);
		usleep(100 * 1000);
	}
	ASSERT_STATUS(&r, 401);
	http_resp_free(&r);
}

static void
test_user_create(void)
{
	char	 org[64], args[200];

	CU_ASSERT_FATAL(fixture_org(org));
	snprintf(args, sizeof(args), "user create --org %s --email "
	    "a@shop.example --password-stdin --role admin", org);
	CU_ASSERT_EQUAL(ctl_run(args, "correct horse battery\n", NULL), 0);
	/* Same address in other case: unique per organization. */
	snprintf(args, sizeof(args), "user create --org %s --email "
	    "A@Shop.example --password-stdin", org);
	CU_ASSERT_EQUAL(ctl_run(args, "another password\n", NULL), 1);
	snprintf(args, sizeof(args), "user create --org %s --email "
	    "b@shop.example --password-stdin", org);
	CU_ASSERT_EQUAL(ctl_run(args, "short\n", NULL), 2);
}

/* The operator's check of the statement registry against the schema. */
static void
test_sql_check(void)
{
	char	*out = NULL;

	CU_ASSERT_EQUAL(ctl_run("sql-check", NULL, &out), 0);
	CU_ASSERT(out != NULL && strstr(out, "statements prepared: ") != NULL);
	free(out);
}

void
suite_ctl_register(void)
{
	CU_pSuite	 s = CU_add_suite("mihwarctl", NULL, NULL);

	CU_add_test(s, "bad arguments exit 2", test_bad_arguments);
	CU_add_test(s, "no database exits 1", test_missing_database);
	CU_add_test(s, "key shown once, listed, used, revoked",
	    test_keys_lifecycle);
	CU_add_test(s, "user create", test_user_create);
	CU_add_test(s, "sql-check prepares every statement", test_sql_check);
}
