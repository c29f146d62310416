/*
 * webhooks/webhooks.h - webhook subscriptions of an organization, their
 * delivery log, and the worker's fan-out and signed deliveries.
 */
#ifndef MIHWAR_WEBHOOKS_H
#define MIHWAR_WEBHOOKS_H

#include "web/web.h"

/* webhooks.c: subscriptions, deliveries' log, redelivery */
extern const struct db_stmts	webhooks_stmts;
#define WEBHOOK_SECRET_MAX	64
int		 webhooks_event_offered(const char *, char *, size_t);
int		 webhooks_url_ok(const struct conf *, const char *, char *,
		    size_t);
enum db_code	 webhooks_create(struct db *, long long, const char *,
		    const char *, const char *, char [37],
		    char [WEBHOOK_SECRET_MAX]);
enum db_code	 webhooks_set_active(struct db *, long long, const char *, int);
enum db_code	 webhooks_rotate(struct db *, long long, const char *,
		    char [WEBHOOK_SECRET_MAX]);
enum db_code	 webhooks_delete(struct db *, long long, const char *);
enum db_code	 webhooks_send_test(struct db *, long long, const char *);
enum db_code	 webhooks_redeliver(struct db *, long long, const char *);
void		 webhooks_api_create(struct req *);
/* Views for the console; strings are borrowed from the list. */
struct webhook_sub {
	const char	*id, *url, *events, *created_at;
	const char	*disabled_reason, *failing_since;	/* or NULL */
	int		 active;
};
struct webhooks_subs {
	struct webhook_sub	*v;
	size_t			 n;
	struct db_rows		*rows;
};
enum db_code	 webhooks_subs_list(struct db *, long long,
		    struct webhooks_subs *);
void		 webhooks_subs_cleanup(struct webhooks_subs *);
struct webhook_delivery {
	const char	*id, *event_type, *state, *next_attempt_at;
	const char	*created_at;
	int		 attempts;
	int		 last_status;	/* 0: no HTTP answer yet */
	int		 redeliverable;	/* finished: succeeded or failed */
};
struct webhooks_deliveries {
	struct webhook_delivery	*v;
	size_t			 n;
	struct db_rows		*rows;
};
enum db_code	 webhooks_deliveries_list(struct db *, long long,
		    const char *, struct webhooks_deliveries *);
void		 webhooks_deliveries_cleanup(struct webhooks_deliveries *);
struct webhook_attempt {
	int		 attempt_no;
	const char	*started_at;
	int		 status_code;	/* 0: no HTTP answer */
	long long	 duration_ms;
	const char	*error, *response;	/* or NULL */
};
struct webhooks_attempts {
	struct webhook_attempt	*v;
	size_t			 n;
	struct db_rows		*rows;
};
enum db_code	 webhooks_attempts_list(struct db *, long long, const char *,
		    struct webhooks_attempts *);
void		 webhooks_attempts_cleanup(struct webhooks_attempts *);

/* deliver.c: the worker's fan-out and delivery jobs */
extern const struct db_stmts	deliver_stmts;
int		 deliver_fanout_job(struct db *, const struct conf *);
int		 deliver_job(struct db *, const struct conf *);
void		 deliver_drain(struct db *, const struct conf *);

#endif /* MIHWAR_WEBHOOKS_H */
