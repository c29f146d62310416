/*
 * snapshots.c - POST /api/v1/ingest/snapshots' body (the contract's
 * IngestSnapshot), read without a database, and the current snapshot
 * per worker, app and snapshotType: the one with the latest timestamp
 * (of two with the same, the later to arrive). Every snapshot is also
 * kept as an activity event (api.c) of category "other" whose eventType
 * is the snapshotType and whose metadata is {"snapshot":{"metrics":…,
 * "metadata":…}}.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ingest/ingest.h"

enum snapshots_sql_id {
	SQL_SNAP_UPSERT, SNAPSHOTS_SQL__MAX
};

static const char *const snapshots_sql[SNAPSHOTS_SQL__MAX] = {
	/* metrics and metadata are judged before taken_at moves. */
	[SQL_SNAP_UPSERT] =
	    "INSERT INTO activity_snapshots (worker_id, app_id, snapshot_type,"
	    " org_id, taken_at, metrics, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)"
	    " ON DUPLICATE KEY UPDATE"
	    " metrics = IF(VALUES(taken_at) >= taken_at, VALUES(metrics), metrics),"
	    " metadata = IF(VALUES(taken_at) >= taken_at, VALUES(metadata),"
	    " metadata),"
	    " taken_at = GREATEST(taken_at, VALUES(taken_at))",
};

const struct db_stmts snapshots_stmts = {
	"snapshots", snapshots_sql, SNAPSHOTS_SQL__MAX, NULL, 0
};

static const char *const units[] = {
	"count", "minutes", "ratio", "percentage", "score", NULL
};

static int
snapshots_is_number(struct json_object *v)
{
	return json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double);
}

/* {value?: number, unit?: enum, label?: string}; other members ignored. */
static int
snapshots_rich_metric(struct json_object *m, const char *key,
    struct ingest_err *e)
{
	struct json_object	*v;
	const char		*s;
	size_t			 i;

	if ((v = valid_get(m, "value")) != NULL && !snapshots_is_number(v)) {
		batch_fail(e, "invalid_body", "metrics.%s.value: expected a "
		    "number", key);
		return 0;
	}
	if ((v = valid_get(m, "unit")) != NULL) {
		s = json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : "";
		for (i = 0; units[i] != NULL && strcmp(s, units[i]) != 0; i++)
			continue;
		if (units[i] == NULL) {
			batch_fail(e, "invalid_body", "metrics.%s.unit: one of "
			    "count, minutes, ratio, percentage, score", key);
			return 0;
		}
	}
	if ((v = valid_get(m, "label")) != NULL &&
	    (!json_object_is_type(v, json_type_string) ||
	    util_utf8_chars(json_object_get_string(v)) > INGEST_LABEL_MAX)) {
		batch_fail(e, "invalid_body", "metrics.%s.label: a string of at "
		    "most %d characters", key, INGEST_LABEL_MAX);
		return 0;
	}
	return 1;
}

/* Each metric: a number, a short string, or the rich object. */
static int
snapshots_metrics(struct json_object *m, struct ingest_err *e)
{
	struct json_object_iterator	 it, end;
	struct json_object		*v;
	const char			*key;
	size_t				 n;

	it = json_object_iter_begin(m);
	end = json_object_iter_end(m);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		key = json_object_iter_peek_name(&it);
		v = json_object_iter_peek_value(&it);
		if ((n = util_utf8_chars(key)) < 1 || n > INGEST_METRIC_KEY_MAX) {
			batch_fail(e, "invalid_body", "metrics: a metric's name "
			    "has 1 to %d characters", INGEST_METRIC_KEY_MAX);
			return 0;
		}
		if (v != NULL && snapshots_is_number(v))
			continue;
		if (v != NULL && json_object_is_type(v, json_type_string)) {
			if (util_utf8_chars(json_object_get_string(v)) <=
			    INGEST_LABEL_MAX)
				continue;
			batch_fail(e, "invalid_body", "metrics.%s: a string "
			    "value has at most %d characters", key,
			    INGEST_LABEL_MAX);
			return 0;
		}
		if (v != NULL && json_object_is_type(v, json_type_object)) {
			if (!snapshots_rich_metric(v, key, e))
				return 0;
			continue;
		}
		batch_fail(e, "invalid_body", "metrics.%s: expected a number, "
		    "a string or {value, unit, label}", key);
		return 0;
	}
	return 1;
}

/* A copy of text[0..n), or NULL (nothing, or no memory). */
static char *
snapshots_copy(const char *text, size_t n)
{
	return text != NULL ? strndup(text, n) : NULL;
}

/* {"snapshot":{"metrics":…,"metadata":…}}: the event it is kept as. */
static char *
snapshots_event_metadata(const struct ingest_snapshot *s)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*in = json_object_new_object();
	char			*text;

	json_object_object_add(in, "metrics", json_object_get(s->metrics));
	if (s->metadata != NULL)
		json_object_object_add(in, "metadata",
		    json_object_get(s->metadata));
	json_object_object_add(o, "snapshot", in);
	text = util_strdup(json_to_str(o));
	json_object_put(o);
	return text;
}

/*
 * Read a snapshot body root (parsed JSON, borrowed by s) at now (UTC ms).
 * 1 when valid (s filled; snapshots_cleanup frees it), 0 with e set:
 * invalid_body, missing_actor, or internal_error when out of memory.
 */
int
snapshots_read(struct ingest_snapshot *s, struct json_object *root,
    int64_t now, struct ingest_err *e)
{
	const char	*text;
	size_t		 len;

	memset(s, 0, sizeof(*s));
	if (!json_object_is_type(root, json_type_object)) {
		batch_fail(e, "invalid_body", "body: expected a JSON object");
		return 0;
	}
	if (!batch_type_read(root, "", "snapshotType", &s->type, e) ||
	    !batch_time_read(root, "", now, &s->at_ms, e))
		return 0;
	if ((s->metrics = valid_get(root, "metrics")) == NULL) {
		batch_fail(e, "invalid_body", "metrics: is required");
		return 0;
	}
	if (!batch_object_read(root, "", "metrics", &text, &len, e) ||
	    !snapshots_metrics(s->metrics, e))
		return 0;
	if ((s->metrics_text = snapshots_copy(text, len)) == NULL)
		goto nomem;
	if (!batch_object_read(root, "", "metadata", &text, &len, e))
		return 0;
	if (text != NULL) {
		s->metadata = valid_get(root, "metadata");
		if ((s->metadata_text = snapshots_copy(text, len)) == NULL)
			goto nomem;
	}
	if (!batch_actor_read(root, "", &s->actor, e))
		return 0;
	if ((s->event_metadata = snapshots_event_metadata(s)) == NULL)
		goto nomem;
	return 1;
nomem:
	batch_fail(e, "internal_error", "out of memory");
	return 0;
}

void
snapshots_cleanup(struct ingest_snapshot *s)
{
	free(s->event_metadata);
	free(s->metrics_text);
	free(s->metadata_text);
	memset(s, 0, sizeof(*s));
}

/* Make s the current snapshot of its worker, app and type unless a later
 * one is. */
enum db_code
snapshots_upsert(struct db *db, long long org_id, long long app_id,
    long long worker_id, const struct ingest_snapshot *s)
{
	char	 at[24];

	util_sql_time(s->at_ms, at);
	return db_exec(db, snapshots_sql[SQL_SNAP_UPSERT], DB_PARAMS(
	    DB_INT(worker_id), DB_INT(app_id), DB_STR(s->type),
	    DB_INT(org_id), DB_STR(at), DB_STR(s->metrics_text),
	    DB_STR(s->metadata_text)));
}
