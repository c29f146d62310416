/*
 * main.c - register every suite, run them verbosely, and exit non-zero
 * when any assertion or test failed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "tests.h"

/* Add a suite and its tests; a failure shows in CU_get_error(). */
void
test_add_suite(const char *name, CU_InitializeFunc init,
    CU_CleanupFunc cleanup, const struct test_def *tests, size_t n)
{
	CU_pSuite	 s;
	size_t		 i;

	if ((s = CU_add_suite(name, init, cleanup)) == NULL)
		return;
	for (i = 0; i < n; i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return;
}

/* One CUnit assertion with a formatted message naming the case. */
int
test_check(int ok, const char *file, const char *func, unsigned int line,
    const char *fmt, ...)
{
	char	 msg[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* CUnit copies the message into its failure record. */
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, msg, file, func,
	    CU_FALSE);
	return ok;
}

/* String equality (NULL equals only NULL), showing both on failure. */
int
test_check_str(const char *file, const char *func, unsigned int line,
    const char *name, const char *got, const char *want)
{
	int	 ok;

	ok = (got == NULL || want == NULL) ? got == want :
	    strcmp(got, want) == 0;
	return test_check(ok, file, func, line, "[%s] got \"%s\", want \"%s\"",
	    name, got ? test_esc(got, strlen(got)) : "(null)",
	    want ? test_esc(want, strlen(want)) : "(null)");
}

/*
 * n bytes with non-printables as \xNN, into one of four static buffers
 * (so a message may hold a few); long input ends in "..." (room for an
 * escape and the "..." with its NUL is kept in the loop).
 */
const char *
test_esc(const void *p, size_t n)
{
	static char		 ring[4][512];
	static unsigned int	 next;
	const unsigned char	*s = p;
	char			*out = ring[next++ % 4];
	size_t			 i, j = 0;

	for (i = 0; i < n && j + 4 + 4 < sizeof(ring[0]); i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
			out[j++] = (char)s[i];
		else
			j += (size_t)snprintf(out + j, 5, "\\x%02x", s[i]);
	}
	if (i < n)
		memcpy(out + j, "...", 4);
	else
		out[j] = '\0';
	return out;
}

int
main(void)
{
	unsigned int	 failures;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "unit-tests: %s\n", CU_get_error_msg());
		return 2;
	}
	test_conf_register();
	test_creds_register();
	test_crypto_register();
	test_decimal_register();
	test_dbtext_register();
	test_dpi_register();
	test_family_register();
	test_events_register();
	test_export_register();
	test_forecast_register();
	test_hooks_register();
	test_html_register();
	test_httpout_register();
	test_idem_register();
	test_ingest_register();
	test_json_register();
	test_jsonw_register();
	test_keys_register();
	test_migrate_register();
	test_multipart_register();
	test_csv_register();
	test_onboarding_register();
	test_openapi_register();
	test_orgs_register();
	test_page_register();
	test_req_register();
	test_route_register();
	test_schedule_register();
	test_scimfilter_register();
	test_stockview_register();
	test_stripe_register();
	test_svg_register();
	test_users_register();
	test_util_register();
	test_valid_register();
	test_apps_register();
	test_partitions_register();
	test_timeline_register();
	if (CU_get_error() != CUE_SUCCESS) {
		fprintf(stderr, "unit-tests: registering: %s\n",
		    CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() +
	    CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
