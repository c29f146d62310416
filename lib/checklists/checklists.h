/*
 * checklists/checklists.h - opening, closing and cleaning routines:
 * templates on a daily or weekly schedule in the organization's time
 * zone, the instances the worker makes ahead of each due time, done by
 * API or in the console, checklist.completed and checklist.missed.
 */
#ifndef MIHWAR_CHECKLISTS_H
#define MIHWAR_CHECKLISTS_H

#include "auth/auth.h"

/* schedule.c: local times in an IANA zone, no database (unit-tested) */
struct cl_schedule {
	int		 weekly;		/* else daily */
	int		 weekdays[8];		/* [1..7], ISO: 1 Monday */
	int		 hour, minute;		/* local */
};
int		 schedule_tz_valid(const char *);
int		 schedule_parse_time(const char *, int *, int *);
int		 schedule_due_times(const struct cl_schedule *, const char *,
		    int64_t, int64_t, int64_t *, size_t, size_t *);
int		 schedule_local_date(const char *, int64_t, char [11]);
int		 schedule_local(const char *, int64_t, char [11], char [6]);

/* templates.c: the templates API, and the same writes for the console */
extern const struct db_stmts	cltemplates_stmts;
#define CL_ITEMS_MAX	100
struct cl_template_in {
	const char		*title;			/* 1..200 */
	size_t			 nitems;		/* 1..CL_ITEMS_MAX */
	const char *const	*item_text;		/* 1..500 each */
	const int		*item_required;
	struct cl_schedule	 schedule;
	long long		 due_after_minutes;	/* grace, 0..1440 */
	int			 active;
};
/* Create (id NULL) or replace template id of org in the caller's
 * transaction; its open instances still ahead are dropped so the
 * scheduler remakes them by the new schedule. 0 with the id in out_id;
 * else an HTTP status (400, 404) with why naming the field. */
int		 cltemplates_write(struct db *, long long, const char *,
		    const struct cl_template_in *, char [37], char *, size_t);
/* Deactivate/activate or delete (soft) template id: 0, 404 or 503. */
int		 cltemplates_set_active(struct db *, long long, const char *,
		    int);
int		 cltemplates_remove(struct db *, long long, const char *);
void		 cltemplates_list(struct req *);
void		 cltemplates_create(struct req *);
void		 cltemplates_get(struct req *);
void		 cltemplates_patch(struct req *);
void		 cltemplates_delete(struct req *);

/* instances.c: instances and their completion */
extern const struct db_stmts	clinstances_stmts;
void		 clinstances_list(struct req *);
void		 clinstances_complete(struct req *);
/* Complete instance id of org as actor (req-free, for the console too):
 * 0 done; else an HTTP status (404, 409, 422) with why. */
int		 clinstances_complete_ids(struct db *, long long, const char *,
		    const char *const *, size_t, const char *, const char *,
		    char *, size_t);

/* scheduler.c: the worker's jobs: make the instances ahead of their due
 * times (idempotently, any number of workers), and mark missed the open
 * ones past their grace, writing checklist.missed once. tick runs both
 * as of now_ms (the worker passes the clock; mihwarctl checklists tick
 * --now passes a test's). */
extern const struct db_stmts	clscheduler_stmts;
int		 clinstances_job(struct db *, const struct conf *);
int		 clinstances_tick(struct db *, int64_t);
void		 clinstances_tick_counts(struct db *, int64_t, int *, int *);
/* The organization's IANA zone (mihwarctl org update --timezone). */
enum db_code	 clscheduler_org_timezone(struct db *, long long, char [65]);
enum db_code	 clscheduler_org_timezone_set(struct db *, long long,
		    const char *);

/* views.c: what the console's checklists page reads, as typed views
 * (strings borrowed from the view's rows; each view's cleanup frees it
 * all, and is safe on a zeroed view and after a failure), and the
 * organization's time zone. */
extern const struct db_stmts	views_checklists_stmts;
#define CLVIEWS_DAYS		14	/* the days at a glance, today's last */
#define CLVIEWS_MAX		500	/* instances or templates one view holds */
struct clview_item {
	const char	*id, *text;
	int		 required, done;
};
struct clview_instance {
	const char		*id, *title, *status,	/* open|completed|missed */
				*local_date, *completed_by;
	int64_t			 due_ms, grace_ms, completed_ms; /* 0: not done */
	int			 late;
	struct clview_item	*items;			/* into the view's */
	size_t			 nitems;
};
struct clview_instances {
	struct clview_instance	*v;
	size_t			 n;
	struct clview_item	*items;
	struct db_rows		*rows, *item_rows;
};
enum db_code	 clviews_instances(struct db *, long long, const char *, int64_t,
		    struct clview_instances *);
void		 clviews_instances_cleanup(struct clview_instances *);
struct clview_day {			/* one template's instances of a day */
	const char	*template_id, *title, *local_date, *status;
	int		 late;
};
struct clview_days {
	struct clview_day	*v;
	size_t			 n;
	struct db_rows		*rows;
};
enum db_code	 clviews_days(struct db *, long long, const char *,
		    const char *, struct clview_days *);
void		 clviews_days_cleanup(struct clview_days *);
struct clview_template {
	const char		*id, *title, *kind, *weekdays, *time;
	long long		 grace;
	int			 active;
	struct clview_item	*items;
	size_t			 nitems;
};
struct clview_templates {
	struct clview_template	*v;
	size_t			 n;
	struct clview_item	*items;
	struct db_rows		*rows, *item_rows;
};
enum db_code	 clviews_templates(struct db *, long long,
		    struct clview_templates *);
void		 clviews_templates_cleanup(struct clview_templates *);

#endif /* MIHWAR_CHECKLISTS_H */
