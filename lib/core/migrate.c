/*
 * migrate.c - apply db/migrations/NNNN_name.sql in order, each once,
 * recording each in schema_migrations. A named lock keeps two migrators
 * (two hosts running make run at once) from racing.
 *
 * It runs on the database a host gives: an account with privileges on
 * its own database only, no SUPER, no CREATE DATABASE. Before anything
 * is applied the server is checked (MariaDB 10.6 or newer, utf8mb4), and
 * when there is work to do the account's privileges are tried on a
 * scratch table, so that a missing one is named before a migration is
 * half applied. A statement that still fails is named, with the
 * privilege the server refused.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysqld_error.h>

#include "core/core.h"

/* JSON_TABLE (0017) and SKIP LOCKED (every lease) came in 10.6. */
#define MIGRATE_MIN_MAJOR	10
#define MIGRATE_MIN_MINOR	6

enum migrate_sql_id {
	SQL_MIGRATIONS_TABLE, SQL_LOCK, SQL_UNLOCK, SQL_APPLIED, SQL_RECORD,
	SQL_SERVER, SQL_COLLATIONS, MIGRATE_SQL__MAX
};

static const char *const migrate_sql[MIGRATE_SQL__MAX] = {
	[SQL_MIGRATIONS_TABLE] =
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version INT UNSIGNED NOT NULL PRIMARY KEY,"
	    " name VARCHAR(200) NOT NULL,"
	    " applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)"
	    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
	/* Per database: a server a host shares among its customers may
	 * hold several Mihwars, which need not wait for each other. */
	[SQL_LOCK] =
	    "SELECT GET_LOCK(CONCAT('mihwar_migrate:', LEFT(DATABASE(), 48)),"
	    " 60)",
	[SQL_UNLOCK] =
	    "SELECT RELEASE_LOCK(CONCAT('mihwar_migrate:', LEFT(DATABASE(),"
	    " 48)))",
	[SQL_APPLIED] =
	    "SELECT 1 FROM schema_migrations WHERE version = ?",
	[SQL_RECORD] =
	    "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
	[SQL_SERVER] =
	    "SELECT VERSION(), DATABASE(), @@character_set_database,"
	    " CURRENT_USER()",
	[SQL_COLLATIONS] =
	    "SELECT COUNT(*) FROM information_schema.COLLATIONS"
	    " WHERE COLLATION_NAME IN ('utf8mb4_unicode_ci', 'utf8mb4_bin',"
	    " 'utf8mb4_nopad_bin')",
};

const struct db_stmts migrate_stmts = {
	"migrate", migrate_sql, MIGRATE_SQL__MAX, NULL, 0
};

/*
 * The privilege probe: each statement needs the privilege beside it,
 * on a scratch table of the account's database. Not registered with the
 * others (sql-check prepares those against the schema, where this
 * table does not exist); run as scripts. Written to be run again after
 * a run that could not drop the table.
 */
static const struct {
	const char	*privilege;
	const char	*sql;
} migrate_probe[] = {
	{ "CREATE", "CREATE TABLE IF NOT EXISTS mihwar_privilege_probe ("
	    "id INT NOT NULL PRIMARY KEY, v INT NULL) ENGINE=InnoDB" },
	{ "ALTER", "ALTER TABLE mihwar_privilege_probe ADD COLUMN IF NOT "
	    "EXISTS w INT NULL, ADD KEY IF NOT EXISTS ix_probe_v (v)" },
	{ "INSERT", "INSERT IGNORE INTO mihwar_privilege_probe (id, v) "
	    "VALUES (1, 1)" },
	{ "SELECT", "SELECT COUNT(*) FROM mihwar_privilege_probe" },
	{ "UPDATE", "UPDATE mihwar_privilege_probe SET v = 2 WHERE id = 1" },
	{ "DELETE", "DELETE FROM mihwar_privilege_probe WHERE id = 1" },
	{ "DROP", "DROP TABLE mihwar_privilege_probe" },
};
#define MIGRATE_NPROBE	(sizeof(migrate_probe) / sizeof(migrate_probe[0]))

/* What Mihwar needs on its database (README, "The database account"). */
#define MIGRATE_PRIVILEGES	"SELECT, INSERT, UPDATE, DELETE, CREATE, " \
				"ALTER, DROP"

/* 1 when e is the server refusing a privilege. */
static int
migrate_denied(unsigned int e)
{
	return e == ER_TABLEACCESS_DENIED_ERROR ||
	    e == ER_COLUMNACCESS_DENIED_ERROR ||
	    e == ER_DBACCESS_DENIED_ERROR ||
	    e == ER_SPECIFIC_ACCESS_DENIED_ERROR ||
	    e == ER_PROCACCESS_DENIED_ERROR;
}

static void
migrate_copy(char *dst, size_t sz, const char *src)
{
	snprintf(dst, sz, "%s", src != NULL ? src : "(none)");
}

/*
 * The server's version, the database's default character set, and
 * whether utf8mb4 and its collations are there; rep->problem says what
 * is wrong. 1 when the schema can live there.
 */
static int
migrate_check_server(struct db *db, struct migrate_report *rep)
{
	struct db_rows	*rows = NULL;
	int		 major = 0, minor = 0, ok = 0;

	if (db_query(db, &rows, migrate_sql[SQL_SERVER], DB_NONE) != DB_OK) {
		snprintf(rep->problem, sizeof(rep->problem), "%s",
		    db_errstr(db));
		return 0;
	}
	migrate_copy(rep->version, sizeof(rep->version), db_cell(rows, 0, 0));
	migrate_copy(rep->database, sizeof(rep->database),
	    db_cell(rows, 0, 1));
	migrate_copy(rep->charset, sizeof(rep->charset), db_cell(rows, 0, 2));
	migrate_copy(rep->account, sizeof(rep->account), db_cell(rows, 0, 3));
	db_rows_free(rows);
	rows = NULL;
	rep->charset_default_ok = strcmp(rep->charset, "utf8mb4") == 0;
	if (strstr(rep->version, "MariaDB") == NULL ||
	    sscanf(rep->version, "%d.%d", &major, &minor) != 2 ||
	    major < MIGRATE_MIN_MAJOR || (major == MIGRATE_MIN_MAJOR &&
	    minor < MIGRATE_MIN_MINOR)) {
		snprintf(rep->problem, sizeof(rep->problem), "MariaDB %d.%d or "
		    "newer is needed (the migrations use JSON_TABLE, the "
		    "worker SKIP LOCKED; MySQL lacks MariaDB's SQL used here); "
		    "this server is %s", MIGRATE_MIN_MAJOR, MIGRATE_MIN_MINOR,
		    rep->version);
		return 0;
	}
	if (db_query(db, &rows, migrate_sql[SQL_COLLATIONS], DB_NONE) != DB_OK)
		snprintf(rep->problem, sizeof(rep->problem), "%s",
		    db_errstr(db));
	else if (db_cell(rows, 0, 0) == NULL ||
	    strcmp(db_cell(rows, 0, 0), "3") != 0)
		snprintf(rep->problem, sizeof(rep->problem), "the server lacks "
		    "the utf8mb4 character set or its collations "
		    "utf8mb4_unicode_ci, utf8mb4_bin, utf8mb4_nopad_bin");
	else
		ok = rep->server_ok = 1;
	db_rows_free(rows);
	return ok;
}

/*
 * Try each privilege Mihwar needs on a scratch table; the ones refused
 * into rep->missing ("ALTER, DROP"). 1 when none is missing; 0 with
 * rep->problem set otherwise (or when the probe itself failed).
 */
static int
migrate_probe_privileges(struct db *db, struct migrate_report *rep)
{
	size_t	 i, done, len;
	int	 created = 1;

	rep->probed = 1;
	rep->missing[0] = '\0';
	for (i = 0; i < MIGRATE_NPROBE; i++) {
		if (db_script(db, migrate_probe[i].sql,
		    strlen(migrate_probe[i].sql), &done) == DB_OK)
			continue;
		if (!migrate_denied(db_errnum(db)) && !(i > 0 && !created)) {
			snprintf(rep->problem, sizeof(rep->problem), "trying "
			    "the account's privileges: %s", db_errstr(db));
			return 0;
		}
		if (i == 0)
			created = 0;
		/* Without the table the other steps cannot be tried. */
		if (i > 0 && !created)
			break;
		len = strlen(rep->missing);
		snprintf(rep->missing + len, sizeof(rep->missing) - len,
		    "%s%s", len > 0 ? ", " : "", migrate_probe[i].privilege);
	}
	if (rep->missing[0] == '\0')
		return 1;
	snprintf(rep->problem, sizeof(rep->problem), "the account %s lacks "
	    "%s on %s%s: ask the host (or the control panel) to grant it; "
	    "Mihwar needs " MIGRATE_PRIVILEGES " on its database", rep->account,
	    rep->missing, rep->database, created ? "" : " (and may lack more:"
	    " without CREATE the rest could not be tried)");
	return 0;
}

/*
 * Check the server (and, with probe, the account's privileges) into
 * rep. 1 when Mihwar's schema can be made and used there.
 */
int
migrate_check(struct db *db, struct migrate_report *rep, int probe)
{
	memset(rep, 0, sizeof(*rep));
	if (!migrate_check_server(db, rep))
		return 0;
	return !probe || migrate_probe_privileges(db, rep);
}

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

/* Past a comment or quoted text starting at p (none: p). */
static const char *
migrate_skip(const char *p, const char *end)
{
	char	 q;

	if (p + 1 < end && ((p[0] == '-' && p[1] == '-') || p[0] == '#'))
		return (p = memchr(p, '\n', end - p)) != NULL ? p : end;
	if (p + 1 < end && p[0] == '/' && p[1] == '*') {
		for (p += 2; p + 1 < end && !(p[0] == '*' && p[1] == '/'); p++)
			;
		return p + 1 < end ? p + 2 : end;
	}
	if (*p == '\'' || *p == '"' || *p == '`') {
		for (q = *p++; p < end && *p != q; p++)
			if (*p == '\\' && q != '`' && p + 1 < end)
				p++;
		return p < end ? p + 1 : end;
	}
	return p;
}

/* 1 when the word at p (len n) is w, in any case. */
static int
migrate_word(const char *p, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(p, w, n) == 0;
}

/*
 * The start of statement k (from 0) of a script, as the server splits
 * it: at ';' outside comments, quotes and BEGIN ... END blocks (a block
 * is one statement, its inner ';' too). NULL when there are fewer.
 */
const char *
migrate_statement(const char *sql, size_t len, size_t k)
{
	const char	*p = sql, *end = sql + len, *w, *start = NULL;
	int		 depth = 0;
	size_t		 n;

	while (p < end) {
		if ((w = migrate_skip(p, end)) != p) {
			p = w;
			continue;
		}
		if (start == NULL && !isspace((unsigned char)*p))
			start = p;
		if (isalpha((unsigned char)*p) || *p == '_') {
			for (w = p; w < end && (isalnum((unsigned char)*w) ||
			    *w == '_'); w++)
				;
			n = (size_t)(w - p);
			if (migrate_word(p, n, "BEGIN")) {
				while (w < end && isspace((unsigned char)*w))
					w++;
				/* BEGIN NOT ATOMIC opens a block; a bare
				 * BEGIN; starts a transaction. */
				if (depth > 0 || (w < end && *w != ';'))
					depth++;
			} else if (migrate_word(p, n, "END") && depth > 0) {
				while (w < end && isspace((unsigned char)*w))
					w++;
				if (w >= end || *w == ';')	/* not END IF */
					depth--;
			}
			p += n;
			continue;
		}
		if (*p == ';' && depth == 0) {
			if (start != NULL && k-- == 0)
				return start;
			start = NULL;
		}
		p++;
	}
	return start != NULL && k == 0 ? start : NULL;
}

/* The first line of statement k, cut short, into out. */
static void
migrate_statement_label(const char *sql, size_t len, size_t k, char *out,
    size_t sz)
{
	const char	*s = migrate_statement(sql, len, k);
	size_t		 n;

	if (s == NULL) {
		snprintf(out, sz, "?");
		return;
	}
	n = strcspn(s, "\n;(");
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	snprintf(out, sz, "%.*s%s", (int)(n > 60 ? 60 : n), s,
	    n > 60 ? "..." : "");
}

/* rep->problem for a migration's statement that failed. */
static void
migrate_explain(struct db *db, struct migrate_report *rep, const char *name,
    const char *sql, size_t len, size_t k)
{
	char		 label[80], priv[24];
	unsigned int	 e = db_errnum(db);
	const char	*msg = db_errstr(db);

	migrate_statement_label(sql, len, k, label, sizeof(label));
	/* db.c's "script: " or "prepare: " before the server's words. */
	if (strncmp(msg, "script: ", 8) == 0 ||
	    strncmp(msg, "prepare: ", 9) == 0 ||
	    strncmp(msg, "execute: ", 9) == 0)
		msg = strchr(msg, ' ') + 1;
	/* "ALTER command denied to user ...": the privilege comes first. */
	if (e == ER_TABLEACCESS_DENIED_ERROR && sscanf(msg, "%23[A-Z]", priv)
	    == 1 && strncmp(msg + strlen(priv), " command denied", 15) == 0) {
		snprintf(rep->problem, sizeof(rep->problem), "%s, statement %zu"
		    " (%s): the account %s lacks %s on %s (the server said: %s)",
		    name, k + 1, label, rep->account, priv, rep->database, msg);
	} else if (migrate_denied(e))
		snprintf(rep->problem, sizeof(rep->problem), "%s, statement %zu"
		    " (%s): the account %s lacks a privilege it needs (the server"
		    " said: %s); Mihwar needs " MIGRATE_PRIVILEGES " on %s",
		    name, k + 1, label, rep->account, msg, rep->database);
	else if (e == ER_TOO_LONG_KEY)
		snprintf(rep->problem, sizeof(rep->problem), "%s, statement %zu"
		    " (%s): %s (the server makes InnoDB tables in an old row "
		    "format: ask the host for innodb_default_row_format = "
		    "dynamic)", name, k + 1, label, msg);
	else
		snprintf(rep->problem, sizeof(rep->problem), "%s, statement %zu"
		    " (%s): %s", name, k + 1, label, msg);
}

/* 1 when migration version is recorded as applied; -1 on error. */
static int
migrate_is_applied(struct db *db, long long version)
{
	struct db_rows	*rows = NULL;
	int		 applied;

	if (db_query(db, &rows, migrate_sql[SQL_APPLIED],
	    DB_PARAMS(DB_INT(version))) != DB_OK)
		return -1;
	applied = rows->nrows > 0;
	db_rows_free(rows);
	return applied;
}

static int
migrate_one(struct db *db, const char *dir, const char *name, int *applied,
    struct migrate_report *rep)
{
	struct buf	 sql, path;
	long long	 version;
	size_t		 done;
	int		 ok = 0;

	if (!migrate_version_of(name, &version))
		return 1;
	switch (migrate_is_applied(db, version)) {
	case 1:
		return 1;
	case -1:
		snprintf(rep->problem, sizeof(rep->problem), "%s",
		    db_errstr(db));
		return 0;
	}
	buf_init(&sql);
	buf_init(&path);
	if (!buf_printf(&path, "%s/%s", dir, name) ||
	    !migrate_read_file(path.data, &sql)) {
		snprintf(rep->problem, sizeof(rep->problem), "cannot read %s",
		    path.data != NULL ? path.data : name);
		goto out;
	}
	log_info("migrate: applying %s", name);
	if (db_script(db, sql.data, sql.len, &done) != DB_OK) {
		migrate_explain(db, rep, name, sql.data, sql.len, done);
		goto out;
	}
	if (db_exec(db, migrate_sql[SQL_RECORD], DB_PARAMS(DB_INT(version),
	    DB_STR(name))) != DB_OK) {
		snprintf(rep->problem, sizeof(rep->problem), "recording %s: %s",
		    name, db_errstr(db));
		goto out;
	}
	(*applied)++;
	ok = 1;
out:
	buf_cleanup(&sql);
	buf_cleanup(&path);
	return ok;
}

/* How many of names are not applied yet; -1 on error. */
static int
migrate_pending(struct db *db, char **names, size_t n)
{
	long long	 version;
	size_t		 i;
	int		 pending = 0, a;

	for (i = 0; i < n; i++) {
		if (!migrate_version_of(names[i], &version))
			continue;
		if ((a = migrate_is_applied(db, version)) < 0)
			return -1;
		pending += !a;
	}
	return pending;
}

/* The names in dir, sorted, into *names (*n of them); 0 when unread. */
static int
migrate_list(const char *dir, char ***names, size_t *n)
{
	DIR		*d;
	struct dirent	*de;
	char		**nn;

	*names = NULL;
	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((nn = realloc(*names, (*n + 1) * sizeof(**names))) == NULL)
			break;
		*names = nn;
		if (((*names)[*n] = strdup(de->d_name)) == NULL)
			break;
		(*n)++;
	}
	closedir(d);
	qsort(*names, *n, sizeof(**names), migrate_cmp);
	return 1;
}

/* Take the migrators' lock and make schema_migrations; 1 when both. */
static int
migrate_begin(struct db *db, struct migrate_report *rep)
{
	struct db_rows	*rows = NULL;

	if (db_exec(db, migrate_sql[SQL_MIGRATIONS_TABLE], DB_NONE) != DB_OK) {
		migrate_explain(db, rep, "schema_migrations",
		    migrate_sql[SQL_MIGRATIONS_TABLE],
		    strlen(migrate_sql[SQL_MIGRATIONS_TABLE]), 0);
		return 0;
	}
	if (db_query(db, &rows, migrate_sql[SQL_LOCK], DB_NONE) != DB_OK) {
		snprintf(rep->problem, sizeof(rep->problem), "%s",
		    db_errstr(db));
		return 0;
	}
	db_rows_free(rows);
	return 1;
}

/*
 * Apply every pending migration in dir, in name order. *applied counts
 * the ones run now; rep holds what was found about the server and, on
 * failure, the problem in words. Returns 1 when the schema is up to date.
 */
int
migrate_run(struct db *db, const char *dir, int *applied,
    struct migrate_report *rep)
{
	struct db_rows	*rows = NULL;
	char		**names = NULL;
	size_t		  n = 0, i;
	int		  ok = 0, pending;

	*applied = 0;
	if (!migrate_check(db, rep, 0))
		return 0;
	if (!migrate_list(dir, &names, &n)) {
		snprintf(rep->problem, sizeof(rep->problem), "cannot open the "
		    "migrations directory %s (migrations_dir)", dir);
		return 0;
	}
	if (!migrate_begin(db, rep))
		goto out;
	if ((pending = migrate_pending(db, names, n)) < 0)
		snprintf(rep->problem, sizeof(rep->problem), "%s",
		    db_errstr(db));
	else if (pending == 0 || migrate_probe_privileges(db, rep)) {
		ok = 1;
		for (i = 0; i < n && ok; i++)
			ok = migrate_one(db, dir, names[i], applied, rep);
	}
	if (db_query(db, &rows, migrate_sql[SQL_UNLOCK], DB_NONE) == DB_OK)
		db_rows_free(rows);
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ok;
}
