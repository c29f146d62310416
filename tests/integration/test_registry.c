/*
 * test_registry.c - every statement of every domain's table, and every
 * multi-row shape at every chunk size, prepares against the migrated
 * schema of the running stack; and a table with a broken statement is
 * caught by the same check, naming the table and the statement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

/* Not itest.h: its db_query helper would clash with the library's. */
#include "mihwar.h"
#include "itestdb.h"

void	suite_registry_register(void);

static void
test_every_statement_prepares(void)
{
	struct conf	 conf;
	struct db	*db;
	char		 err[512];
	size_t		 failed;

	CU_ASSERT_FATAL(registry_init());
	CU_ASSERT(dbreg_count() > 100);
	CU_ASSERT_FATAL((db = itestdb_open(&conf)) != NULL);
	/* Its cache is keyed by the texts: no new ones under a live handle. */
	CU_ASSERT(!registry_init());
	failed = dbreg_prepare_all(db, err, sizeof(err));
	if (failed != 0)
		fprintf(stderr, "registry: %zu failed; first: %s\n", failed, err);
	CU_ASSERT_EQUAL(failed, 0);
	db_free(db);
	conf_cleanup(&conf);
}

static void
test_broken_statement_caught(void)
{
	static const char *const sql[] = {
		"SELECT id FROM inventory_items WHERE org_id = ?",
		"SELECT id FROM inventory_itemz WHERE org_id = ?",
	};
	static const struct db_shape shapes[] = {
		{ "SELECT id FROM inventory_items WHERE id IN (", "?", ")" },
	};
	static const struct db_stmts broken = {
		"broken", sql, 2, shapes, 1
	};
	static const struct db_stmts *const tables[] = { &broken };
	struct conf	 conf;
	struct db	*db;
	char		 err[512];

	CU_ASSERT_FATAL(dbreg_init(tables, 1));
	CU_ASSERT_FATAL((db = itestdb_open(&conf)) != NULL);
	CU_ASSERT_EQUAL(dbreg_prepare_all(db, err, sizeof(err)), 1);
	CU_ASSERT(strncmp(err, "broken[1] \"SELECT id FROM inventory_itemz", 41) == 0);
	CU_ASSERT(strstr(err, "inventory_itemz") != NULL);
	/* A shape of a size that was not built is refused, not NULL. */
	CU_ASSERT(dbreg_shape(&shapes[0], 3) != NULL);
	CU_ASSERT(!db_prepare_check(db, dbreg_shape(&shapes[0], 3)));
	CU_ASSERT(db_prepare_check(db, dbreg_shape(&shapes[0], 256)));
	db_free(db);
	conf_cleanup(&conf);
	CU_ASSERT(registry_init());	/* leave the real one registered */
}

void
suite_registry_register(void)
{
	CU_pSuite	 s = CU_add_suite("registry", NULL, NULL);

	CU_add_test(s, "every registered statement prepares",
	    test_every_statement_prepares);
	CU_add_test(s, "a broken statement is caught",
	    test_broken_statement_caught);
}
