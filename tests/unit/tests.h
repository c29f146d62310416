/*
 * tests.h - the unit tests of libmihwar: one CUnit suite per lib module,
 * registered by main.c, and the helpers that make every failure name the
 * table case it came from.
 */
#ifndef TESTS_H
#define TESTS_H

#include <stddef.h>

#include <CUnit/CUnit.h>

struct test_def {
	const char	*name;
	CU_TestFunc	 fn;
};

/* Add the suite name with its n tests (errors surface in CU_get_error). */
void		 test_add_suite(const char *, CU_InitializeFunc,
		    CU_CleanupFunc, const struct test_def *, size_t);

/* One assertion whose message names its case; returns ok. */
int		 test_check(int, const char *, const char *, unsigned int,
		    const char *, ...) __attribute__((format(printf, 5, 6)));
/* Strings equal (NULL only equals NULL); returns 1 when they are. */
int		 test_check_str(const char *, const char *, unsigned int,
		    const char *, const char *, const char *);
/* Printable form of n bytes (\xNN escapes); one of a few static buffers. */
const char	*test_esc(const void *, size_t);

#define CHECK(ok, ...) \
	test_check((ok) ? 1 : 0, __FILE__, __func__, __LINE__, __VA_ARGS__)
#define CHECK_STR(name, got, want) \
	test_check_str(__FILE__, __func__, __LINE__, (name), (got), (want))
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

void		 test_conf_register(void);
void		 test_creds_register(void);
void		 test_crypto_register(void);
void		 test_dbtext_register(void);
void		 test_decimal_register(void);
void		 test_dpi_register(void);
void		 test_family_register(void);
void		 test_events_register(void);
void		 test_export_register(void);
void		 test_forecast_register(void);
void		 test_hooks_register(void);
void		 test_html_register(void);
void		 test_httpout_register(void);
void		 test_idem_register(void);
void		 test_ingest_register(void);
void		 test_json_register(void);
void		 test_jsonw_register(void);
void		 test_keys_register(void);
void		 test_migrate_register(void);
void		 test_onboarding_register(void);
void		 test_multipart_register(void);
void		 test_csv_register(void);
void		 test_openapi_register(void);
void		 test_orgs_register(void);
void		 test_page_register(void);
void		 test_req_register(void);
void		 test_route_register(void);
void		 test_schedule_register(void);
void		 test_scimfilter_register(void);
void		 test_stockview_register(void);
void		 test_stripe_register(void);
void		 test_svg_register(void);
void		 test_users_register(void);
void		 test_util_register(void);
void		 test_valid_register(void);
/* the console's side of activity ingest */
void		 test_apps_register(void);
void		 test_partitions_register(void);
void		 test_timeline_register(void);

#endif /* TESTS_H */
