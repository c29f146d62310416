/*
 * ingest/ingest.h - the activity-ingest domain: events and snapshots
 * other tools push with wp_live_ keys (activity-ingest.openapi.yaml),
 * the workers they are about, the ingest apps those keys belong to, the
 * console's views of it all, and the monthly partitions of the events
 * table. Owns its tables and statements; other domains read it only
 * through what is declared here. Grouped by file.
 */
#ifndef MIHWAR_INGEST_H
#define MIHWAR_INGEST_H

#include "auth/auth.h"

/*
 * The console's side: apps.c, timeline.c, partitions.c.
 */

/* apps.c: ingest apps, their allowed event types and keys */
extern const struct db_stmts	apps_stmts;
#define APPS_TYPES_MAX		100	/* allowed event types per app */
int		 apps_event_type_valid(const char *);
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
int		 timeline_category_valid(const char *);
const char	*timeline_category_at(size_t);
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
