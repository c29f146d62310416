/*
 * ingest/ingest.h - the activity-ingest domain (activity-ingest.openapi
 * .yaml): other tools push events and metric snapshots about an
 * organization's workers with Bearer wp_live_ keys, each bound to one
 * ingest app. Owns the tables of migration 0011 (workers and their
 * external ids, activity_events, activity_snapshots, ingest_usage, the
 * ingest columns of organizations and ingest_apps) and their statements,
 * the console's views of them, and the monthly partitions of the events
 * table. Grouped by file, so it reads as a map of lib/ingest/.
 */
#ifndef MIHWAR_INGEST_H
#define MIHWAR_INGEST_H

#include "auth/auth.h"

/* ---- the API: /api/v1/ingest/{ping,events,snapshots} ---- */

#define INGEST_BATCH_MAX	500	/* events a request (batchLimit) */
#define INGEST_OBJECT_MAX	16384	/* metadata (and metrics), serialized */
#define INGEST_TEXT_MAX		200	/* externalId, displayName, workerId */
#define INGEST_LABEL_MAX	200	/* a metric's string value or label */
#define INGEST_METRIC_KEY_MAX	64	/* a metric's name */
#define INGEST_FUTURE_MS	(3600 * 1000LL)	/* timestamps: now + 1 h */
#define INGEST_EPOCH_MS		946684800000LL	/* ...and 2000-01-01 */

/* Why an event (or a snapshot) was refused: a code of the contract's
 * Error enum and a message that starts with the field's name. */
struct ingest_err {
	const char	*code;		/* NULL: not refused */
	char		 msg[256];
};

/* Who an event is about; strings borrowed from the parsed body, NULL
 * when not sent (an empty string counts as not sent). */
struct ingest_actor {
	const char	*worker_id, *external_id, *email, *display_name;
	size_t		 slot;		/* its distinct actor (actors.c) */
};

/* One event as read and, once accepted, as written. */
struct ingest_event {
	size_t		 index;		/* in the request's events[] */
	const char	*type;		/* eventType, borrowed */
	const char	*category;	/* one of the EventCategory enum */
	int64_t		 at_ms;		/* timestamp, UTC ms (now when absent) */
	long long	 duration;	/* seconds, -1 when not sent */
	const char	*metadata;	/* serialized object, or NULL; borrowed */
	size_t		 metadata_len;
	struct ingest_actor actor;
	struct ingest_err err;		/* err.code set: rejected */
	long long	 worker;	/* workers.id once resolved */
	char		 id[37];	/* public id, once accepted */
};

/* batch.c: the events body and one event's rules; no database */
struct ingest_batch {
	struct ingest_event *v;
	size_t		 n;
	size_t		 nrejected;
	size_t		 nforbidden;	/* rejected as forbidden_event_type */
};
enum batch_res { BATCH_OK, BATCH_INVALID, BATCH_TOO_LARGE, BATCH_NOMEM };
enum batch_res	 batch_read(struct ingest_batch *, struct json_object *,
		    const char *, int64_t, struct ingest_err *);
void		 batch_cleanup(struct ingest_batch *);
void		 batch_fail(struct ingest_err *, const char *, const char *,
		    ...) __attribute__((format(printf, 3, 4)));
int		 batch_type_valid(const char *);
int		 batch_category_valid(const char *);
const char	*batch_category_at(size_t);
int		 batch_type_allowed(const char *, const char *);
int		 batch_type_read(struct json_object *, const char *,
		    const char *, const char **, struct ingest_err *);
int		 batch_time_parse(const char *, int64_t *);
int		 batch_time_read(struct json_object *, const char *, int64_t,
		    int64_t *, struct ingest_err *);
int		 batch_object_read(struct json_object *, const char *,
		    const char *, const char **, size_t *, struct ingest_err *);
int		 batch_actor_read(struct json_object *, const char *,
		    struct ingest_actor *, struct ingest_err *);
void		 batch_time_json(int64_t, char out[25]);

/* snapshots.c: the snapshot body (no database), the current snapshot */
extern const struct db_stmts	snapshots_stmts;
struct ingest_snapshot {
	const char	*type;		/* snapshotType, borrowed */
	int64_t		 at_ms;
	struct ingest_actor actor;
	struct json_object *metrics;	/* borrowed from the body */
	struct json_object *metadata;	/* or NULL */
	char		*event_metadata; /* {"snapshot":{…}}, owned */
	char		*metrics_text;	/* serialized metrics, owned */
	char		*metadata_text;	/* or NULL, owned */
};
int		 snapshots_read(struct ingest_snapshot *, struct json_object *,
		    int64_t, struct ingest_err *);
void		 snapshots_cleanup(struct ingest_snapshot *);
enum db_code	 snapshots_upsert(struct db *, long long, long long,
		    long long, const struct ingest_snapshot *);

/* usage.c: the organization's and app's settings, the plan and quota */
extern const struct db_stmts	usage_stmts;
struct ingest_ctx {
	long long	 org_id, app_id;
	const char	*org_public_id;	/* borrowed from rows */
	int		 enabled;
	long long	 plan, quota;	/* events a month; -1: unlimited */
	const char	*app_public_id, *app_slug, *app_name;
	const char	*allowed;	/* allowed_event_types, or NULL */
	char		 month[8];	/* YYYY-MM (UTC) being counted */
	struct db_rows	*rows;
};
enum usage_limit { USAGE_FITS, USAGE_PLAN, USAGE_QUOTA };
enum db_code	 usage_context(struct db *, long long, long long,
		    struct ingest_ctx *);
void		 usage_cleanup(struct ingest_ctx *);
enum db_code	 usage_reserve(struct db *, const struct ingest_ctx *, size_t,
		    size_t *, enum usage_limit *);
enum db_code	 usage_count(struct db *, const struct ingest_ctx *, size_t);
long long	 usage_next_month_s(int64_t);

/* actors.c: each event's worker, found or made */
extern const struct db_stmts	actors_stmts;
enum actor_kind { ACTOR_WORKER, ACTOR_EXTERNAL, ACTOR_EMAIL };
/* One distinct actor of a request; strings borrowed from the body. */
struct actor_slot {
	enum actor_kind	 kind;
	const char	*key;		/* workerId, externalId or email */
	const char	*email;		/* externalId slots: an email sent */
	const char	*name;		/* a new worker's name */
	size_t		 first;		/* its first event */
	int		 needed;	/* an accepted event is about it */
	long long	 worker;	/* workers.id; 0: none yet */
	char		 public_id[37];
	char		 display_name[INGEST_TEXT_MAX * 4 + 1];
	long long	 email_worker;	/* externalId slots: by the email */
	char		 email_public_id[37];
	char		 email_name[INGEST_TEXT_MAX * 4 + 1];
};
struct actors {
	struct actor_slot *v;
	size_t		 n;
};
enum db_code	 actors_lookup(struct db *, long long, long long,
		    struct ingest_event *, size_t, int, struct actors *);
enum db_code	 actors_create(struct db *, long long, long long,
		    struct ingest_event *, size_t, struct actors *);
void		 actors_cleanup(struct actors *);

/* store.c: accepted events into activity_events */
extern const struct db_stmts	store_stmts;
enum db_code	 store_events(struct db *, long long, long long,
		    struct ingest_event *, size_t);
enum db_code	 store_app_touch(struct db *, long long);

/* settings.c: ingest on/off, plan and quota, an app's allowed types */
extern const struct db_stmts	settings_stmts;
#define SETTINGS_KEEP		(-2)	/* leave the column as it is */
#define SETTINGS_UNLIMITED	(-1)	/* NULL: no limit */
enum db_code	 settings_org_update(struct db *, long long, int, long long,
		    long long);
enum db_code	 settings_app_types(struct db *, long long, const char *,
		    const char *);
struct json_object *settings_org_json(struct db *, long long);

/* api.c: the handlers */
void		 ingest_api_ping(struct req *);
void		 ingest_api_events(struct req *);
void		 ingest_api_snapshot(struct req *);

/*
 * The console's side: apps.c, timeline.c, partitions.c.
 */

/* apps.c: ingest apps, their allowed event types and keys */
extern const struct db_stmts	apps_stmts;
#define APPS_TYPES_MAX		100	/* allowed event types per app */
int		 apps_types_parse(const char *, struct buf *, char *, size_t);
enum db_code	 apps_find(struct db *, long long, const char *,
		    long long *);
enum db_code	 apps_types_set(struct db *, long long, const char *,
		    const char *);
/* A view of an app for the console; strings borrowed from the list. */
struct ingest_app {
	const char		*id, *slug, *name, *created_at;
	const char		*allowed_types;	/* "a,b"; NULL: every type */
	const char		*last_event_at;	/* or NULL */
	const struct api_key	**keys;		/* nkeys of its ingest keys */
	size_t			 nkeys;
};
struct ingest_apps {
	struct ingest_app	*v;
	size_t			 n;
	struct db_rows		*rows;
	struct api_keys		 keys;
	const struct api_key	**keyrefs;
};
enum db_code	 apps_list(struct db *, long long, int, struct ingest_apps *);
void		 apps_list_cleanup(struct ingest_apps *);

/* timeline.c: the organization's events, newest first, and the strip
 * of each worker's current snapshots */
extern const struct db_stmts	timeline_stmts;
#define TIMELINE_CURSOR_MAX	96
/* What a page of the timeline shows; NULL or 0 for no filter. */
struct timeline_filter {
	const char	*app;		/* app slug */
	const char	*worker;	/* worker id */
	const char	*category;
	const char	*event_type;
	char		 from[24];	/* SQL DATETIME text, "" for none */
	char		 to[24];	/* … before it */
	long long	 limit;		/* 1..200 */
	char		 before_at[24];	/* the cursor: rows older than */
	long long	 before_id;	/* (before_at, before_id) */
};
int		 timeline_cursor_parse(const char *, struct timeline_filter *);
struct timeline_event {
	const char	*id, *occurred_at, *event_type, *category;
	const char	*duration_s, *metadata;		/* or NULL */
	const char	*app, *worker_id, *worker_name;
};
struct timeline_page {
	struct timeline_event	*v;
	size_t			 n;
	char			 next[TIMELINE_CURSOR_MAX];	/* "" at the end */
	struct db_rows		*rows;
};
enum db_code	 timeline_list(struct db *, long long,
		    const struct timeline_filter *, struct timeline_page *);
void		 timeline_list_cleanup(struct timeline_page *);
/* One metric of a snapshot, as text. */
struct timeline_metric {
	const char	*name, *value;
	const char	*unit, *label;			/* or NULL */
};
struct timeline_snapshot {
	const char		*app, *type, *taken_at;
	struct timeline_metric	*metrics;
	size_t			 nmetrics;
};
struct timeline_strip_worker {
	const char		*id, *name;
	struct timeline_snapshot *snaps;		/* nsnaps of them */
	size_t			 nsnaps;
};
struct timeline_strip {
	struct timeline_strip_worker	*v;
	size_t				 n;
	struct timeline_snapshot	*snaps;
	struct timeline_metric		*metrics;
	struct json_object		**json;		/* parsed metrics */
	struct db_rows			*rows;
};
enum db_code	 timeline_strip(struct db *, long long,
		    const struct timeline_filter *, struct timeline_strip *);
void		 timeline_strip_cleanup(struct timeline_strip *);
struct timeline_worker {
	const char	*id, *name;
};
struct timeline_workers {
	struct timeline_worker	*v;
	size_t			 n;
	struct db_rows		*rows;
};
enum db_code	 timeline_workers(struct db *, long long,
		    struct timeline_workers *);
void		 timeline_workers_cleanup(struct timeline_workers *);

/* partitions.c: monthly partitions of activity_events, kept ahead and
 * dropped after ingest_retention_days, by the worker */
extern const struct db_stmts	partitions_stmts;
#define PARTITIONS_AHEAD	2	/* months after this one kept ready */
/* A partition as the job knows them: p_before_2000, pYYYYMM (the month
 * before its bound) or p_future (bound ""). */
struct partition {
	char		 name[16];
	char		 bound[11];	/* YYYY-MM-DD it is less than */
};
int		 partitions_parse(const char *, const char *,
		    struct partition *);
size_t		 partitions_add_ddl(int64_t, const struct partition *, size_t,
		    int, struct buf *);
size_t		 partitions_drop_ddl(const char *, const struct partition *,
		    size_t, struct buf *);
int		 partitions_ensure(struct db *);
int		 partitions_job(struct db *, const struct conf *);

#endif /* MIHWAR_INGEST_H */
