/*
 * actors.c - the worker each event is about. An actor names its worker
 * by workerId (the worker's public id), else externalId (the app's own
 * id for it), else email (the organization's, compared without case, as
 * the column's collation does). An unknown workerId rejects the event
 * (worker_not_found) and never makes anything; an unknown externalId or
 * email makes the worker, named by the first of displayName, email and
 * externalId, and an externalId made once always resolves to the same
 * worker (the primary key of worker_external_ids).
 *
 * Two steps, so that a rejected event writes nothing: actors_lookup only
 * reads (every distinct actor of the request, a statement per 500), and
 * actors_create makes the workers of the events finally accepted, in a
 * fixed order of actors so that concurrent requests meet in one order.
 * A worker another request made meanwhile is found through the unique
 * keys (org and email; app and external id) and taken as it is.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/ingest.h"

enum actors_sql_id {
	SQL_ACT_CREATE, SQL_ACT_GET, SQL_ACT_LINK, SQL_ACT_DROP,
	ACTORS_SQL__MAX
};

static const char *const actors_sql[ACTORS_SQL__MAX] = {
	/* A worker of that email made meanwhile: its id, not a second one. */
	[SQL_ACT_CREATE] =
	    "INSERT INTO workers (public_id, org_id, display_name, email,"
	    " created_by_app) VALUES (?, ?, ?, ?, ?)"
	    " ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)",
	/* A locking read: it sees a row committed after this transaction's
	 * snapshot was taken. */
	[SQL_ACT_GET] =
	    "SELECT public_id, display_name FROM workers"
	    " WHERE id = ? AND org_id = ? LOCK IN SHARE MODE",
	/* An external id linked meanwhile: its worker (insert id), not ours. */
	[SQL_ACT_LINK] =
	    "INSERT INTO worker_external_ids (app_id, external_id, worker_id,"
	    " org_id) VALUES (?, ?, ?, ?)"
	    " ON DUPLICATE KEY UPDATE worker_id = LAST_INSERT_ID(worker_id)",
	[SQL_ACT_DROP] =
	    "DELETE FROM workers WHERE id = ? AND org_id = ?",
};

enum actors_shape_id {
	SHAPE_BY_PUBLIC, SHAPE_BY_EXTERNAL, SHAPE_BY_EMAIL, ACTORS_SHAPE__MAX
};

/* Each answers rows of (key, id, public id, display name). */
static const struct db_shape actors_shapes[ACTORS_SHAPE__MAX] = {
	[SHAPE_BY_PUBLIC] = { "SELECT public_id, id, public_id, display_name"
	    " FROM workers WHERE org_id = ? AND public_id IN (", "?", ")" },
	[SHAPE_BY_EXTERNAL] = { "SELECT x.external_id, w.id, w.public_id,"
	    " w.display_name FROM worker_external_ids x"
	    " JOIN workers w ON w.id = x.worker_id"
	    " WHERE x.app_id = ? AND x.external_id IN (", "?", ")" },
	[SHAPE_BY_EMAIL] = { "SELECT email, id, public_id, display_name"
	    " FROM workers WHERE org_id = ? AND email IN (", "?", ")" },
};

const struct db_stmts actors_stmts = {
	"actors", actors_sql, ACTORS_SQL__MAX, actors_shapes, ACTORS_SHAPE__MAX
};

/* Emails compare without case (ASCII here; the collation does the rest
 * in the database), the others exactly. */
static int
actors_keycmp(enum actor_kind k, const char *a, const char *b)
{
	return k == ACTOR_EMAIL ? strcasecmp(a, b) : strcmp(a, b);
}

static int
actors_slot_cmp(const void *pa, const void *pb)
{
	const struct actor_slot	*a = pa, *b = pb;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return actors_keycmp(a->kind, a->key, b->key);
}

/* The kind and key of an actor, by precedence. */
static void
actors_key_of(const struct ingest_actor *a, enum actor_kind *kind,
    const char **key)
{
	if (a->worker_id != NULL) {
		*kind = ACTOR_WORKER;
		*key = a->worker_id;
	} else if (a->external_id != NULL) {
		*kind = ACTOR_EXTERNAL;
		*key = a->external_id;
	} else {
		*kind = ACTOR_EMAIL;
		*key = a->email;
	}
}

/* Sorted by actor, and of one actor the first event (input order) first. */
static int
actors_first_cmp(const void *pa, const void *pb)
{
	const struct actor_slot	*a = pa, *b = pb;
	int			 c;

	if ((c = actors_slot_cmp(pa, pb)) != 0)
		return c;
	return a->first < b->first ? -1 : a->first > b->first;
}

/* The distinct actors of the events not rejected, sorted; each event's
 * actor.slot names its own. A new worker's name and an externalId's
 * email come from the first event (input order) about it. */
static int
actors_collect(struct ingest_event *ev, size_t n, struct actors *act)
{
	struct actor_slot	 key, *s;
	size_t			 i, k = 0;

	if ((act->v = calloc(n ? n : 1, sizeof(*act->v))) == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		if (ev[i].err.code != NULL)
			continue;
		s = &act->v[k++];
		actors_key_of(&ev[i].actor, &s->kind, &s->key);
		s->first = i;
		s->email = s->kind == ACTOR_EXTERNAL ? ev[i].actor.email : NULL;
		s->name = ev[i].actor.display_name ? ev[i].actor.display_name :
		    ev[i].actor.email ? ev[i].actor.email :
		    ev[i].actor.external_id;
	}
	qsort(act->v, k, sizeof(*act->v), actors_first_cmp);
	for (i = 0; i < k; i++)
		if (act->n == 0 || actors_slot_cmp(&act->v[act->n - 1],
		    &act->v[i]) != 0)
			act->v[act->n++] = act->v[i];
	for (i = 0; i < n; i++) {
		if (ev[i].err.code != NULL)
			continue;
		memset(&key, 0, sizeof(key));
		actors_key_of(&ev[i].actor, &key.kind, &key.key);
		s = bsearch(&key, act->v, act->n, sizeof(key), actors_slot_cmp);
		ev[i].actor.slot = (size_t)(s - act->v);
	}
	return 1;
}

/* Record a found worker in a slot (as itself, or as its email's). */
static void
actors_found(struct actor_slot *s, int by_email, const struct db_rows *rows,
    size_t row)
{
	long long	 id = atoll(db_cell(rows, row, 1));

	if (by_email && s->kind == ACTOR_EXTERNAL) {
		s->email_worker = id;
		snprintf(s->email_public_id, sizeof(s->email_public_id), "%s",
		    db_cell(rows, row, 2));
		snprintf(s->email_name, sizeof(s->email_name), "%s",
		    db_cell(rows, row, 3));
		return;
	}
	s->worker = id;
	snprintf(s->public_id, sizeof(s->public_id), "%s", db_cell(rows, row, 2));
	snprintf(s->display_name, sizeof(s->display_name), "%s",
	    db_cell(rows, row, 3));
}

/* The key a slot is looked up by in shape sh, or NULL when not. */
static const char *
actors_lookup_key(const struct actor_slot *s, enum actors_shape_id sh)
{
	switch (sh) {
	case SHAPE_BY_PUBLIC:
		return s->kind == ACTOR_WORKER ? s->key : NULL;
	case SHAPE_BY_EXTERNAL:
		return s->kind == ACTOR_EXTERNAL ? s->key : NULL;
	default:
		if (s->kind == ACTOR_EMAIL)
			return s->key;
		/* an externalId not linked yet, sent with an email */
		return s->kind == ACTOR_EXTERNAL && s->worker == 0 ?
		    s->email : NULL;
	}
}

/* A row's key is the key looked up: external ids exactly (utf8mb4_bin),
 * public ids and emails without case (ASCII; a match the collation finds
 * beyond that is found again when making the worker). */
static int
actors_match(enum actors_shape_id sh, const char *key, const char *row)
{
	return sh == SHAPE_BY_EXTERNAL ? strcmp(key, row) == 0 :
	    strcasecmp(key, row) == 0;
}

/* The smallest registered statement size that holds left keys. */
static size_t
actors_chunk(size_t left)
{
	size_t	 k = 1;

	if (left > DB_CHUNK_ROWS / 2)
		return DB_CHUNK_ROWS;
	while (k < left)
		k *= 2;
	return k;
}

/* Look up every slot that shape sh reads, DB_CHUNK_ROWS keys a statement
 * (the rest of a statement padded with NULL, which matches nothing). */
static enum db_code
actors_lookup_by(struct db *db, long long scope, enum actors_shape_id sh,
    struct actors *act)
{
	struct db_param	 p[DB_CHUNK_ROWS + 1];
	struct db_rows	*rows;
	const char	*key;
	size_t		 i, j, k, m, left = 0, size, start;
	enum db_code	 code;

	for (i = 0; i < act->n; i++)
		left += actors_lookup_key(&act->v[i], sh) != NULL;
	for (i = 0; left > 0; left -= k) {
		size = actors_chunk(left);
		p[0] = DB_INT(scope);
		start = i;
		for (k = 0; k < size && i < act->n; i++)
			if ((key = actors_lookup_key(&act->v[i], sh)) != NULL)
				p[1 + k++] = DB_STR(key);
		for (j = k; j < size; j++)
			p[1 + j] = DB_NULL;
		if ((code = db_query(db, &rows, dbreg_shape(&actors_shapes[sh],
		    size), p, size + 1)) != DB_OK)
			return code;
		for (j = 0; j < rows->nrows; j++)
			for (m = start; m < i; m++)
				if ((key = actors_lookup_key(&act->v[m], sh)) !=
				    NULL && actors_match(sh, key,
				    db_cell(rows, j, 0)))
					actors_found(&act->v[m], sh ==
					    SHAPE_BY_EMAIL, rows, j);
		db_rows_free(rows);
		if (k == 0)
			break;
	}
	return DB_OK;
}

/*
 * Find the worker of every event not rejected yet, writing nothing:
 * events whose workerId is not a worker of org_id are rejected
 * (worker_not_found; batch: messages name "events[i]."). The others'
 * actors are in act, found or still to make (actors_create).
 */
enum db_code
actors_lookup(struct db *db, long long org_id, long long app_id,
    struct ingest_event *ev, size_t n, int batch, struct actors *act)
{
	struct actor_slot	*s;
	enum db_code		 code;
	size_t			 i;

	memset(act, 0, sizeof(*act));
	if (!actors_collect(ev, n, act))
		return DB_ERROR;
	if ((code = actors_lookup_by(db, org_id, SHAPE_BY_PUBLIC, act)) !=
	    DB_OK || (code = actors_lookup_by(db, app_id, SHAPE_BY_EXTERNAL,
	    act)) != DB_OK || (code = actors_lookup_by(db, org_id,
	    SHAPE_BY_EMAIL, act)) != DB_OK)
		return code;
	for (i = 0; i < n; i++) {
		if (ev[i].err.code != NULL)
			continue;
		s = &act->v[ev[i].actor.slot];
		if (s->kind != ACTOR_WORKER || s->worker != 0)
			continue;
		if (batch)
			batch_fail(&ev[i].err, "worker_not_found", "events[%zu]"
			    ".actor.workerId: no worker %s in this organization",
			    ev[i].index, s->key);
		else
			batch_fail(&ev[i].err, "worker_not_found",
			    "actor.workerId: no worker %s in this organization",
			    s->key);
	}
	return DB_OK;
}

/* The public id and name of worker id (made or found meanwhile). */
static enum db_code
actors_get(struct db *db, long long org_id, struct actor_slot *s)
{
	struct db_rows	*rows;
	enum db_code	 code;

	if ((code = db_query(db, &rows, actors_sql[SQL_ACT_GET], DB_PARAMS(
	    DB_INT(s->worker), DB_INT(org_id)))) != DB_OK)
		return code;
	if (rows->nrows == 0)
		code = DB_NOTFOUND;
	else {
		snprintf(s->public_id, sizeof(s->public_id), "%s",
		    db_cell(rows, 0, 0));
		snprintf(s->display_name, sizeof(s->display_name), "%s",
		    db_cell(rows, 0, 1));
	}
	db_rows_free(rows);
	return code;
}

/* The first INGEST_TEXT_MAX characters of a name (an email may be
 * longer than a display name may be). */
static size_t
actors_name_len(const char *name)
{
	size_t	 i = 0, chars = 0;

	for (; name[i] != '\0'; i++)
		if (((unsigned char)name[i] & 0xc0) != 0x80 &&
		    chars++ == INGEST_TEXT_MAX)
			break;
	return i;
}

/* A worker for s, with email when given; *made when this row is new. */
static enum db_code
actors_make(struct db *db, long long org_id, long long app_id,
    struct actor_slot *s, const char *email, int *made)
{
	char		 pid[37];
	enum db_code	 code;

	crypto_uuid7(pid);
	if ((code = db_exec(db, actors_sql[SQL_ACT_CREATE], DB_PARAMS(
	    DB_STR(pid), DB_INT(org_id), DB_STRN(s->name,
	    actors_name_len(s->name)), DB_STR(email), DB_INT(app_id)))) !=
	    DB_OK)
		return code;
	s->worker = (long long)db_insert_id(db);
	if ((code = actors_get(db, org_id, s)) != DB_OK)
		return code;
	*made = strcmp(s->public_id, pid) == 0;
	return DB_OK;
}

/* An externalId's worker: its email's, or a new one; then the link. */
static enum db_code
actors_make_external(struct db *db, long long org_id, long long app_id,
    struct actor_slot *s)
{
	enum db_code	 code;
	long long	 linked;
	int		 made = 0;

	if (s->email_worker != 0) {
		s->worker = s->email_worker;
		memcpy(s->public_id, s->email_public_id, sizeof(s->public_id));
		memcpy(s->display_name, s->email_name, sizeof(s->display_name));
	} else if ((code = actors_make(db, org_id, app_id, s, s->email,
	    &made)) != DB_OK)
		return code;
	if ((code = db_exec(db, actors_sql[SQL_ACT_LINK], DB_PARAMS(
	    DB_INT(app_id), DB_STR(s->key), DB_INT(s->worker),
	    DB_INT(org_id)))) != DB_OK)
		return code;
	/* Linked meanwhile by another request: its worker, and ours (if
	 * this request made it) goes again. */
	if ((linked = (long long)db_insert_id(db)) == 0 || linked == s->worker)
		return DB_OK;
	if (made && (code = db_exec(db, actors_sql[SQL_ACT_DROP], DB_PARAMS(
	    DB_INT(s->worker), DB_INT(org_id)))) != DB_OK)
		return code;
	s->worker = linked;
	return actors_get(db, org_id, s);
}

/*
 * Make the workers the accepted events (no err.code) still lack, and
 * give every accepted event its worker (ev[i].worker).
 */
enum db_code
actors_create(struct db *db, long long org_id, long long app_id,
    struct ingest_event *ev, size_t n, struct actors *act)
{
	struct actor_slot	*s;
	enum db_code		 code;
	size_t			 i;
	int			 made;

	for (i = 0; i < n; i++)
		if (ev[i].err.code == NULL)
			act->v[ev[i].actor.slot].needed = 1;
	for (i = 0; i < act->n; i++) {
		s = &act->v[i];
		if (!s->needed || s->worker != 0)
			continue;
		if (s->kind == ACTOR_EXTERNAL)
			code = actors_make_external(db, org_id, app_id, s);
		else
			code = actors_make(db, org_id, app_id, s, s->key, &made);
		if (code != DB_OK)
			return code == DB_NOTFOUND ? DB_ERROR : code;
	}
	for (i = 0; i < n; i++)
		if (ev[i].err.code == NULL)
			ev[i].worker = act->v[ev[i].actor.slot].worker;
	return DB_OK;
}

void
actors_cleanup(struct actors *act)
{
	free(act->v);
	memset(act, 0, sizeof(*act));
}
