/*
 * migrate.c - apply db/migrations/NNNN_name.sql in order, each once,
 * recording each in schema_migrations. A named lock keeps two migrators
 * (two hosts running make run at once) from racing.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

enum migrate_sql_id {
	SQL_MIGRATIONS_TABLE, SQL_LOCK, SQL_UNLOCK, SQL_APPLIED, SQL_RECORD,
	MIGRATE_SQL__MAX
};

static const char *const migrate_sql[MIGRATE_SQL__MAX] = {
	[SQL_MIGRATIONS_TABLE] =
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version INT UNSIGNED NOT NULL PRIMARY KEY,"
	    " name VARCHAR(200) NOT NULL,"
	    " applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)"
	    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
	[SQL_LOCK] =
	    "SELECT GET_LOCK('mihwar_migrate', 60)",
	[SQL_UNLOCK] =
	    "SELECT RELEASE_LOCK('mihwar_migrate')",
	[SQL_APPLIED] =
	    "SELECT 1 FROM schema_migrations WHERE version = ?",
	[SQL_RECORD] =
	    "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
};

const struct db_stmts migrate_stmts = {
	"migrate", migrate_sql, MIGRATE_SQL__MAX, NULL, 0
};

/* 1 and the version when name is NNNN_something.sql. */
static int
migrate_version_of(const char *name, long long *version)
{
	size_t	 len = strlen(name);
	char	 digits[5];

	if (len < 10 || strcmp(name + len - 4, ".sql") != 0 || name[4] != '_')
		return 0;
	memcpy(digits, name, 4);
	digits[4] = '\0';
	return util_strtonum(digits, 1, 9999, version);
}

static int
migrate_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
migrate_read_file(const char *path, struct buf *b)
{
	FILE	*f;
	char	 chunk[8192];
	size_t	 n;
	int	 ok = 1;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (!buf_append(b, chunk, n))
			ok = 0;
	if (ferror(f))
		ok = 0;
	fclose(f);
	return ok;
}

static int
migrate_one(struct db *db, const char *dir, const char *name, int *applied)
{
	struct db_rows	*rows = NULL;
	struct buf	 sql, path;
	long long	 version;
	int		 ok = 0;

	if (!migrate_version_of(name, &version))
		return 1;
	if (db_query(db, &rows, migrate_sql[SQL_APPLIED],
	    DB_PARAMS(DB_INT(version))) != DB_OK)
		return 0;
	if (rows->nrows > 0) {
		db_rows_free(rows);
		return 1;
	}
	db_rows_free(rows);
	buf_init(&sql);
	buf_init(&path);
	if (!buf_printf(&path, "%s/%s", dir, name) ||
	    !migrate_read_file(path.data, &sql)) {
		log_error("migrate: cannot read %s", path.data);
		goto out;
	}
	log_info("migrate: applying %s", name);
	if (db_script(db, sql.data, sql.len) != DB_OK) {
		log_error("migrate: %s failed: %s", name, db_errstr(db));
		goto out;
	}
	if (db_exec(db, migrate_sql[SQL_RECORD], DB_PARAMS(DB_INT(version),
	    DB_STR(name))) != DB_OK)
		goto out;
	(*applied)++;
	ok = 1;
out:
	buf_cleanup(&sql);
	buf_cleanup(&path);
	return ok;
}

/*
 * Apply every pending migration in dir, in name order. *applied counts
 * the ones run now. Returns 1 when the schema is up to date.
 */
int
migrate_run(struct db *db, const char *dir, int *applied)
{
	DIR		*d;
	struct dirent	*de;
	struct db_rows	*rows = NULL;
	char		**names = NULL, **nn;
	size_t		  n = 0, i;
	int		  ok = 0;

	*applied = 0;
	if ((d = opendir(dir)) == NULL) {
		log_error("migrate: cannot open %s", dir);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((nn = realloc(names, (n + 1) * sizeof(*names))) == NULL)
			goto out;
		names = nn;
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto out;
		n++;
	}
	qsort(names, n, sizeof(*names), migrate_cmp);
	if (db_exec(db, migrate_sql[SQL_MIGRATIONS_TABLE], DB_NONE) != DB_OK ||
	    db_query(db, &rows, migrate_sql[SQL_LOCK], DB_NONE) != DB_OK)
		goto out;
	db_rows_free(rows);
	rows = NULL;
	ok = 1;
	for (i = 0; i < n && ok; i++)
		ok = migrate_one(db, dir, names[i], applied);
	if (db_query(db, &rows, migrate_sql[SQL_UNLOCK], DB_NONE) == DB_OK)
		db_rows_free(rows);
out:
	closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ok;
}
