/*
 * test_migrate.c - migrate.c's statement finder, which names the
 * statement of a migration the server refused: statements split at ';'
 * outside comments, quotes and BEGIN NOT ATOMIC ... END blocks, as the
 * server runs them.
 */
#include <string.h>

#include "mihwar.h"
#include "tests.h"

static const char block[] =
    "-- a comment; with a semicolon\n"
    "ALTER TABLE t MODIFY s VARBINARY(160) NOT NULL;\n"
    "\n"
    "BEGIN NOT ATOMIC\n"
    "  REPEAT\n"
    "    UPDATE t SET a = 1 WHERE b = 'x;y';\n"
    "  UNTIL ROW_COUNT() = 0 END REPEAT;\n"
    "  IF 1 THEN SELECT 1; END IF;\n"
    "END;\n"
    "/* c; */ INSERT INTO t VALUES (\"q;\\\"\", `a;b`);\n"
    "# hash; comment\n"
    "UPDATE t SET begin_at = NOW() WHERE end_at IS NULL;\n";

static void
test_statements(void)
{
	static const struct {
		const char	*name, *sql;
		size_t		 k;
		const char	*want;	/* prefix of statement k, or NULL */
	} cases[] = {
		{ "first", "CREATE TABLE a (x INT);\nCREATE TABLE b (y INT);",
		    0, "CREATE TABLE a" },
		{ "second", "CREATE TABLE a (x INT);\nCREATE TABLE b (y INT);",
		    1, "CREATE TABLE b" },
		{ "past the end", "CREATE TABLE a (x INT);", 1, NULL },
		{ "last without ';'", "SELECT 1; SELECT 2", 1, "SELECT 2" },
		{ "only comments", "-- x;\n/* y; */\n", 0, NULL },
		{ "after a comment", block, 0, "ALTER TABLE t MODIFY" },
		{ "a block is one", block, 1, "BEGIN NOT ATOMIC\n  REPEAT" },
		{ "quotes and comments", block, 2, "INSERT INTO t VALUES" },
		{ "words holding begin/end", block, 3, "UPDATE t SET begin_at" },
		{ "four in all", block, 4, NULL },
		{ "a transaction's BEGIN", "BEGIN; SELECT 1; COMMIT;", 1,
		    "SELECT 1" },
	};
	const char	*got;
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		got = migrate_statement(cases[i].sql, strlen(cases[i].sql),
		    cases[i].k);
		if (cases[i].want == NULL)
			CHECK(got == NULL, "[%s] found \"%.30s\"", cases[i].name,
			    got ? got : "");
		else
			CHECK(got != NULL && strncmp(got, cases[i].want,
			    strlen(cases[i].want)) == 0, "[%s] got \"%.30s\"",
			    cases[i].name, got ? got : "(none)");
	}
}

/* The "migrate" suite. */
void
test_migrate_register(void)
{
	static const struct test_def tests[] = {
		{ "migrate_statement", test_statements },
	};

	test_add_suite("migrate", NULL, NULL, tests, NELEM(tests));
}
