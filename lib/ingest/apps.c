/*
 * apps.c - an organization's ingest apps, as the console manages them:
 * create one (its first key is made by the caller, keys.c), the event
 * types it may send (allowedEventTypes: none listed means every type),
 * and the view of every app with its ingest keys and last event. Every
 * query is scoped by organization. The row is made by auth's
 * orgs_app_create, which mihwarctl's key create uses too.
 */
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"

enum apps_sql_id {
	SQL_APPS_BY_ID, SQL_APPS_SET_TYPES, SQL_APPS_LIST, APPS_SQL__MAX
};

static const char *const apps_sql[APPS_SQL__MAX] = {
	[SQL_APPS_BY_ID] =
	    "SELECT id FROM ingest_apps WHERE org_id = ? AND public_id = ?",
	[SQL_APPS_SET_TYPES] =
	    "UPDATE ingest_apps SET allowed_event_types = ?"
	    " WHERE org_id = ? AND public_id = ?",
	[SQL_APPS_LIST] =
	    "SELECT public_id, slug, name,"
	    " DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'),"
	    " NULLIF(allowed_event_types, ''),"
	    " DATE_FORMAT(last_event_at, '%Y-%m-%dT%H:%i:%sZ')"
	    " FROM ingest_apps WHERE org_id = ? ORDER BY slug",
};

const struct db_stmts apps_stmts = {
	"apps", apps_sql, APPS_SQL__MAX, NULL, 0
};

/* 1 when t is one of the comma-separated list. */
static int
apps_types_has(const char *list, const char *t)
{
	size_t	 n = strlen(t), k;

	while (list != NULL && *list != '\0') {
		k = strcspn(list, ",");
		if (k == n && strncmp(list, t, n) == 0)
			return 1;
		list += k + (list[k] == ',');
	}
	return 0;
}

/*
 * The allowed types as typed (separated by commas, spaces or new lines)
 * into out as "a,b,c", each once, in the order given; "" for none, which
 * means every type. 0 with the reason in err when one does not match the
 * pattern, or there are more than APPS_TYPES_MAX.
 */
int
apps_types_parse(const char *in, struct buf *out, char *err, size_t errsz)
{
	const char	*seps = ", \t\r\n";
	char		 t[65];
	size_t		 n, count = 0;

	if (!buf_puts(out, ""))
		return 0;
	for (in += strspn(in, seps); *in != '\0'; in += strspn(in, seps)) {
		n = strcspn(in, seps);
		if (n >= sizeof(t)) {
			snprintf(err, errsz, "An event type has at most 64 "
			    "characters; \"%.20s…\" is longer.", in);
			return 0;
		}
		memcpy(t, in, n);
		t[n] = '\0';
		in += n;
		if (!batch_type_valid(t)) {
			snprintf(err, errsz, "\"%s\" is not an event type: 3 to "
			    "64 of A-Z a-z 0-9 _ . -, starting and ending with "
			    "a letter or digit.", t);
			return 0;
		}
		if (apps_types_has(out->data, t))
			continue;
		if (++count > APPS_TYPES_MAX) {
			snprintf(err, errsz, "At most %d event types.",
			    APPS_TYPES_MAX);
			return 0;
		}
		if ((out->len > 0 && !buf_puts(out, ",")) || !buf_puts(out, t))
			return 0;
	}
	return 1;
}

/* The row id of org's app with public id pid; DB_NOTFOUND for none. */
enum db_code
apps_find(struct db *db, long long org_id, const char *pid, long long *id)
{
	struct db_rows	*r = NULL;
	enum db_code	 code;

	code = db_query(db, &r, apps_sql[SQL_APPS_BY_ID],
	    DB_PARAMS(DB_INT(org_id), DB_STR(pid)));
	if (code == DB_OK && (r->nrows == 0 ||
	    !util_strtonum(db_cell(r, 0, 0), 1, INT64_MAX, id)))
		code = DB_NOTFOUND;
	db_rows_free(r);
	return code;
}

/* Set the allowed types of org's app pid ("a,b" from apps_types_parse;
 * "" for every type). DB_NOTFOUND for no such app. */
enum db_code
apps_types_set(struct db *db, long long org_id, const char *pid,
    const char *types)
{
	enum db_code	 code;

	code = db_exec(db, apps_sql[SQL_APPS_SET_TYPES], DB_PARAMS(
	    DB_STR(*types ? types : NULL), DB_INT(org_id), DB_STR(pid)));
	if (code == DB_OK && db_affected(db) == 0)
		code = DB_NOTFOUND;
	return code;
}

enum app_col { AC_ID, AC_SLUG, AC_NAME, AC_CREATED, AC_TYPES, AC_LAST };

/* Give each app of l its ingest keys from l->keys (by app slug). */
static enum db_code
apps_attach_keys(struct ingest_apps *l)
{
	const struct api_key	*k;
	size_t			 i, j, used = 0;

	if ((l->keyrefs = calloc(l->keys.n ? l->keys.n : 1,
	    sizeof(*l->keyrefs))) == NULL)
		return DB_ERROR;
	for (i = 0; i < l->n; i++) {
		l->v[i].keys = &l->keyrefs[used];
		for (j = 0; j < l->keys.n; j++) {
			k = &l->keys.v[j];
			if (k->app != NULL && strcmp(k->kind,
			    keys_kind_name(KEY_INGEST)) == 0 &&
			    strcmp(k->app, l->v[i].slug) == 0)
				l->keyrefs[used++] = k;
		}
		l->v[i].nkeys = (size_t)(&l->keyrefs[used] - l->v[i].keys);
	}
	return DB_OK;
}

/*
 * The organization's ingest apps by slug into l, with their ingest keys
 * (oldest first, revoked ones too) when with_keys; strings are borrowed
 * from l. Free with apps_list_cleanup, also after a failure.
 */
enum db_code
apps_list(struct db *db, long long org_id, int with_keys,
    struct ingest_apps *l)
{
	struct ingest_app	*a;
	enum db_code		 code;

	memset(l, 0, sizeof(*l));
	if ((l->v = db_query_view(db, &l->rows, sizeof(*l->v), &code,
	    apps_sql[SQL_APPS_LIST], DB_PARAMS(DB_INT(org_id)))) == NULL)
		return code;
	for (; l->n < l->rows->nrows; l->n++) {
		a = &l->v[l->n];
		a->id = db_cell(l->rows, l->n, AC_ID);
		a->slug = db_cell(l->rows, l->n, AC_SLUG);
		a->name = db_cell(l->rows, l->n, AC_NAME);
		a->created_at = db_cell(l->rows, l->n, AC_CREATED);
		a->allowed_types = db_cell(l->rows, l->n, AC_TYPES);
		a->last_event_at = db_cell(l->rows, l->n, AC_LAST);
	}
	if (!with_keys)
		return DB_OK;
	if ((code = keys_list(db, org_id, &l->keys)) != DB_OK)
		return code;
	return apps_attach_keys(l);
}

/* Free what apps_list filled; safe on a zeroed l. */
void
apps_list_cleanup(struct ingest_apps *l)
{
	free(l->keyrefs);
	keys_list_cleanup(&l->keys);
	free(l->v);
	db_rows_free(l->rows);
	memset(l, 0, sizeof(*l));
}
