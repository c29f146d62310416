/*
 * main.c - the integration tests: the real stack (MariaDB, the web
 * server, the FastCGI pool) over real HTTP. scripts/check.sh starts the
 * stack and passes its address in MIHWAR_BASE_URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <curl/curl.h>

#include "itest.h"

int
main(void)
{
	unsigned int	 failed;
	const char	*only;
	CU_pSuite	 s;

	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite_platform_register();
	suite_auth_register();
	suite_settings_register();
	suite_items_register();
	suite_ctl_register();
	suite_ingest_register();
	suite_idempotency_register();
	suite_ratelimit_register();
	suite_inventory_register();
	suite_orders_register();
	suite_predictions_register();
	suite_scim_register();
	suite_baseurl_register();
	suite_errdocs_register();
	suite_registry_register();
	suite_txguard_register();
	suite_outbox_register();
	suite_activity_register();
	suite_partitions_register();
	suite_hardening_register();
	suite_impex_register();
	suite_dbrestart_register();	/* last: it restarts the database */
	CU_basic_set_mode(CU_BRM_VERBOSE);
	/* MIHWAR_ITEST_SUITE names one suite to run alone (while working
	 * on it); unset, all of them run. */
	if ((only = getenv("MIHWAR_ITEST_SUITE")) != NULL && *only != '\0') {
		if ((s = CU_get_suite(only)) == NULL) {
			fprintf(stderr, "no suite named \"%s\"\n", only);
			return 1;
		}
		CU_basic_run_suite(s);
	} else
		CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
	    CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	itest_report();
	curl_global_cleanup();
	return failed == 0 ? 0 : 1;
}
