/*
 * orgs.c - organizations (the tenant) and their ingest apps; e-mail
 * address syntax.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/auth.h"

enum orgs_sql_id {
	SQL_ORG_INSERT, SQL_ORG_BY_SLUG, SQL_APP_BY_SLUG,
	SQL_APP_INSERT, ORGS_SQL__MAX
};

static const char *const orgs_sql[ORGS_SQL__MAX] = {
	[SQL_ORG_INSERT] =
	    "INSERT INTO organizations (public_id, slug, name) VALUES (?, ?, ?)",
	[SQL_ORG_BY_SLUG] =
	    "SELECT id FROM organizations WHERE slug = ?",
	[SQL_APP_BY_SLUG] =
	    "SELECT id FROM ingest_apps WHERE org_id = ? AND slug = ?",
	[SQL_APP_INSERT] =
	    "INSERT INTO ingest_apps (public_id, org_id, slug, name)"
	    " VALUES (?, ?, ?, ?)",
};

const struct db_stmts orgs_stmts = {
	"orgs", orgs_sql, ORGS_SQL__MAX, NULL, 0
};

/* A slug is 2..63 of [a-z0-9-], starting with a letter or digit. */
int
orgs_slug_valid(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n < 2 || n > 63 || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) ||
		    isdigit((unsigned char)s[i]) || s[i] == '-'))
			return 0;
	return 1;
}

/* A plausible address: one '@', non-empty parts, a dot in the domain. */
int
users_email_valid(const char *s)
{
	const char	*at = strchr(s, '@');
	size_t		 n = strlen(s);

	if (n < 3 || n > 254 || at == NULL || at == s || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL || strchr(at + 1, '.') == NULL)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == '<' || *s == '>')
			return 0;
	return 1;
}

/* DB_CONSTRAINT when the slug is taken. */
enum db_code
orgs_create(struct db *db, const char *slug, const char *name,
    long long *id, char out_id[37])
{
	enum db_code	 code;

	crypto_uuid7(out_id);
	code = db_exec(db, orgs_sql[SQL_ORG_INSERT], DB_PARAMS(DB_STR(out_id),
	    DB_STR(slug), DB_STR(name)));
	if (code == DB_OK)
		*id = (long long)db_insert_id(db);
	return code;
}

/* The id in the first column of the query's first row. */
static enum db_code
orgs_id_of(struct db *db, const char *sql, long long *id,
    const struct db_param *p, size_t n)
{
	struct db_rows	*r = NULL;
	enum db_code	 code;

	if ((code = db_query(db, &r, sql, p, n)) != DB_OK)
		return code;
	if (r->nrows == 0 ||
	    !util_strtonum(db_cell(r, 0, 0), 1, INT64_MAX, id))
		code = DB_NOTFOUND;
	db_rows_free(r);
	return code;
}

enum db_code
orgs_find(struct db *db, const char *slug, long long *id)
{
	return orgs_id_of(db, orgs_sql[SQL_ORG_BY_SLUG],
	    id, DB_PARAMS(DB_STR(slug)));
}

/*
 * Create the org's ingest app slug named name: its row id into *id, its
 * public id into out_id. DB_CONSTRAINT when the org has that slug.
 */
enum db_code
orgs_app_create(struct db *db, long long org_id, const char *slug,
    const char *name, long long *id, char out_id[37])
{
	enum db_code	 code;

	crypto_uuid7(out_id);
	code = db_exec(db, orgs_sql[SQL_APP_INSERT], DB_PARAMS(DB_STR(out_id),
	    DB_INT(org_id), DB_STR(slug), DB_STR(name)));
	if (code == DB_OK)
		*id = (long long)db_insert_id(db);
	return code;
}

/* Find the org's ingest app by slug, creating it when missing. */
enum db_code
orgs_app_ensure(struct db *db, long long org_id, const char *slug,
    long long *id)
{
	char		 pid[37];
	enum db_code	 code;

	code = orgs_id_of(db, orgs_sql[SQL_APP_BY_SLUG], id,
	    DB_PARAMS(DB_INT(org_id), DB_STR(slug)));
	if (code != DB_NOTFOUND)
		return code;
	return orgs_app_create(db, org_id, slug, slug, id, pid);
}
