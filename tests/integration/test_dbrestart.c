/*
 * test_dbrestart.c - the database killed and restarted mid-run: health
 * says so while it is down, and afterwards every process of the pool
 * serves the next request without a failure.
 */
#include <stdio.h>
#include <string.h>

#include "itest.h"

static void
test_db_restart(void)
{
	struct http_resp	 r;
	int			 i;

	http_do("GET", "/api/healthz", NULL, NULL, 0, &r);
	ASSERT_STATUS(&r, 200);
	http_resp_free(&r);

	CU_ASSERT_EQUAL_FATAL(stack_run("db-kill"), 0);
	http_do("GET", "/api/healthz", NULL, NULL, 0, &r);
	ASSERT_STATUS(&r, 503);
	CU_ASSERT(strstr(r.body, "\"db\":\"down\"") != NULL);
	http_resp_free(&r);

	CU_ASSERT_EQUAL_FATAL(stack_run("db-start"), 0);
	/* More requests than processes, so each one meets the restart. */
	for (i = 0; i < 16; i++) {
		http_do("GET", "/api/healthz", NULL, NULL, 0, &r);
		ASSERT_STATUS(&r, 200);
		http_resp_free(&r);
	}
}

void
suite_dbrestart_register(void)
{
	CU_pSuite	 s = CU_add_suite("database restart", NULL, NULL);

	CU_add_test(s, "killed and restarted: next requests succeed",
	    test_db_restart);
}
