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
enum db_code	 webhooks_list(struct db *, long long, struct db_rows **);
enum db_code	 webhooks_deliveries(struct db *, long long, const char *,
		    struct db_rows **);
enum db_code	 webhooks_attempts(struct db *, long long, struct db_rows **);
void		 webhooks_api_create(struct req *);

/* deliver.c: the worker's fan-out and delivery jobs */
extern const struct db_stmts	deliver_stmts;
int		 deliver_fanout_job(struct db *, const struct conf *);
int		 deliver_job(struct db *, const struct conf *);

#endif /* MIHWAR_WEBHOOKS_H */
