/*
 * test_txguard.c - db.c's transaction guard on Galera: a transaction
 * that the server ends under the process, without telling the next
 * statement, must not commit what ran after it. The test ends it with
 * a ROLLBACK sent as an ordinary statement, which db.c does not see, as
 * a brute-force abort that is not reported does. On one server, where
 * the guard is off, the same steps show the hazard it is there for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

/* Not itest.h: its db_query helper would clash with the library's. */
#include "mihwar.h"
#include "itestdb.h"

void	suite_txguard_register(void);

/* A table of the database, not a temporary one: the guard lets a
 * transaction of its own write only those. */
static const char SQL_PROBE_MAKE[] =
    "CREATE TABLE IF NOT EXISTS txguard_probe (id INT NOT NULL"
    " AUTO_INCREMENT PRIMARY KEY, n INT NOT NULL) ENGINE InnoDB";
static const char SQL_PROBE_DROP[] = "DROP TABLE txguard_probe";
static const char SQL_PROBE_ADD[] = "INSERT INTO txguard_probe (n) VALUES (?)";
static const char SQL_PROBE_SUM[] =
    "SELECT COUNT(*), COALESCE(SUM(n), 0) FROM txguard_probe";
static const char SQL_WSREP_ON[] = "SELECT @@wsrep_on";
static const char SQL_READ_ONLY[] = "SELECT @@tx_read_only";
static const char SQL_SILENT_END[] = "ROLLBACK";

/* Cell col of the first row of sql, as a number; -1 on failure. */
static long long
txguard_number(struct db *db, const char *sql, size_t col)
{
	struct db_rows	*rows;
	long long	 v = -1;

	if (db_query(db, &rows, sql, DB_NONE) == DB_OK &&
	    db_cell(rows, 0, col) != NULL)
		v = strtoll(db_cell(rows, 0, col), NULL, 10);
	db_rows_free(rows);
	return v;
}

/* The server ends the transaction after a write; then a write follows
 * (caught by the read-only default) or only the COMMIT (caught by the
 * mark). */
static void
txguard_ended_under(struct db *db, int galera, int write_after)
{
	long long	 before = txguard_number(db, SQL_PROBE_SUM, 1);
	enum db_code	 code;

	CU_ASSERT_FATAL(db_begin(db) == DB_OK);
	CU_ASSERT(db_exec(db, SQL_PROBE_ADD, DB_PARAMS(DB_INT(1))) == DB_OK);
	CU_ASSERT(db_exec(db, SQL_SILENT_END, DB_NONE) == DB_OK);
	if (write_after) {
		code = db_exec(db, SQL_PROBE_ADD, DB_PARAMS(DB_INT(2)));
		CU_ASSERT_EQUAL(code, galera ? DB_ERROR : DB_OK);
		CU_ASSERT_EQUAL(db_tx_conflict(db), galera);
	}
	code = db_commit(db);
	if (galera) {
		/* Caught as a lost conflict (the caller runs it all again);
		 * nothing of it is committed. */
		CU_ASSERT_EQUAL(code, DB_ERROR);
		CU_ASSERT(db_tx_conflict(db));
		CU_ASSERT_EQUAL(txguard_number(db, SQL_PROBE_SUM, 1), before);
	} else {
		/* The hazard: COMMIT says yes, and only what came after the
		 * end is committed. */
		CU_ASSERT_EQUAL(code, DB_OK);
		CU_ASSERT_EQUAL(txguard_number(db, SQL_PROBE_SUM, 1),
		    before + (write_after ? 2 : 0));
	}
	CU_ASSERT(!db_in_tx(db));
	CU_ASSERT_EQUAL(txguard_number(db, SQL_READ_ONLY, 0), 0);
}

static void
test_silent_rollback(void)
{
	struct conf	 conf;
	struct db	*db;
	long long	 galera, base;

	CU_ASSERT_FATAL((db = itestdb_open(&conf)) != NULL);
	CU_ASSERT_FATAL(db_ddl(db, SQL_PROBE_MAKE) == DB_OK);
	galera = txguard_number(db, SQL_WSREP_ON, 0);
	CU_ASSERT_FATAL(galera == 0 || galera == 1);
	txguard_ended_under(db, (int)galera, 1);
	txguard_ended_under(db, (int)galera, 0);
	base = txguard_number(db, SQL_PROBE_SUM, 1);

	/* A whole transaction still commits, and one rolled back leaves
	 * nothing, on the same connection. */
	CU_ASSERT_FATAL(db_begin(db) == DB_OK);
	CU_ASSERT(db_exec(db, SQL_PROBE_ADD, DB_PARAMS(DB_INT(10))) == DB_OK);
	CU_ASSERT(db_exec(db, SQL_PROBE_ADD, DB_PARAMS(DB_INT(20))) == DB_OK);
	CU_ASSERT_EQUAL(db_commit(db), DB_OK);
	CU_ASSERT(!db_tx_conflict(db));
	CU_ASSERT_FATAL(db_begin(db) == DB_OK);
	CU_ASSERT(db_exec(db, SQL_PROBE_ADD, DB_PARAMS(DB_INT(100))) == DB_OK);
	db_rollback(db);
	CU_ASSERT_EQUAL(txguard_number(db, SQL_PROBE_SUM, 1), base + 30);

	/* Outside a transaction a write runs, and commits on its own. */
	CU_ASSERT(db_exec(db, SQL_PROBE_ADD, DB_PARAMS(DB_INT(1000))) == DB_OK);
	CU_ASSERT(db_exec(db, SQL_SILENT_END, DB_NONE) == DB_OK);
	CU_ASSERT_EQUAL(txguard_number(db, SQL_PROBE_SUM, 1), base + 1030);
	CU_ASSERT_EQUAL(txguard_number(db, SQL_READ_ONLY, 0), 0);
	CU_ASSERT(db_ddl(db, SQL_PROBE_DROP) == DB_OK);
	db_free(db);
	conf_cleanup(&conf);
}

void
suite_txguard_register(void)
{
	CU_pSuite	 s = CU_add_suite("txguard", NULL, NULL);

	CU_add_test(s, "a transaction ended under the process commits "
	    "nothing after it (Galera)", test_silent_rollback);
}
