/*
 * store.c - accepted events into activity_events, DB_CHUNK_ROWS rows a
 * statement (registered shapes, built at every chunk size at start), and
 * the time an app last sent one.
 */
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"

#define STORE_COLS	9

enum store_sql_id {
	SQL_STORE_APP_TOUCH, STORE_SQL__MAX
};

static const char *const store_sql[STORE_SQL__MAX] = {
	[SQL_STORE_APP_TOUCH] =
	    "UPDATE ingest_apps SET last_event_at = NOW(3) WHERE id = ?",
};

enum store_shape_id {
	SHAPE_STORE_EVENTS, STORE_SHAPE__MAX
};

static const struct db_shape store_shapes[STORE_SHAPE__MAX] = {
	[SHAPE_STORE_EVENTS] = { "INSERT INTO activity_events (public_id,"
	    " org_id, app_id, worker_id, event_type, category, occurred_at,"
	    " duration_s, metadata) VALUES ",
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?)", "" },
};

const struct db_stmts store_stmts = {
	"store", store_sql, STORE_SQL__MAX, store_shapes, STORE_SHAPE__MAX
};

/*
 * Insert the accepted events of ev[0..n) (no err.code, a worker each),
 * in input order, each given its public id (ev[i].id).
 */
enum db_code
store_events(struct db *db, long long org_id, long long app_id,
    struct ingest_event *ev, size_t n)
{
	struct db_param	*p;
	char		(*at)[24];
	struct ingest_event *e;
	size_t		 i = 0, k, chunk, left = 0;
	enum db_code	 code = DB_OK;

	for (k = 0; k < n; k++)
		left += ev[k].err.code == NULL;
	p = calloc(DB_CHUNK_ROWS * STORE_COLS, sizeof(*p));
	at = calloc(DB_CHUNK_ROWS, sizeof(*at));
	if (p == NULL || at == NULL)
		code = DB_ERROR;
	while (code == DB_OK && left > 0) {
		chunk = db_chunk_size(left);
		for (k = 0; k < chunk; k++, i++) {
			while (ev[i].err.code != NULL)
				i++;
			e = &ev[i];
			crypto_uuid7(e->id);
			util_sql_time(e->at_ms, at[k]);
			p[STORE_COLS * k] = DB_STR(e->id);
			p[STORE_COLS * k + 1] = DB_INT(org_id);
			p[STORE_COLS * k + 2] = DB_INT(app_id);
			p[STORE_COLS * k + 3] = DB_INT(e->worker);
			p[STORE_COLS * k + 4] = DB_STR(e->type);
			p[STORE_COLS * k + 5] = DB_STR(e->category);
			p[STORE_COLS * k + 6] = DB_STR(at[k]);
			p[STORE_COLS * k + 7] = e->duration >= 0 ?
			    DB_INT(e->duration) : DB_NULL;
			p[STORE_COLS * k + 8] = e->metadata != NULL ?
			    DB_STRN(e->metadata, e->metadata_len) : DB_NULL;
		}
		code = db_exec(db, dbreg_shape(&store_shapes[SHAPE_STORE_EVENTS],
		    chunk), p, STORE_COLS * chunk);
		left -= chunk;
	}
	free(p);
	free(at);
	return code;
}

/* The app sent an accepted event now (the console shows when). */
enum db_code
store_app_touch(struct db *db, long long app_id)
{
	return db_exec(db, store_sql[SQL_STORE_APP_TOUCH],
	    DB_PARAMS(DB_INT(app_id)));
}
