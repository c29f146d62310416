/*
 * console/console.h - the administrators' HTML console, one page file
 * per domain, each reading the typed views its domain exports.
 */
#ifndef MIHWAR_CONSOLE_H
#define MIHWAR_CONSOLE_H

#include "auth/auth.h"
#include "inventory/inventory.h"
#include "webhooks/webhooks.h"

/* console.c: the administrators' HTML console */
extern const struct db_stmts	console_stmts;
void		 console_home(struct req *);
void		 console_approvals(struct req *);
void		 console_approve(struct req *);
void		 console_webhooks(struct req *);
void		 console_webhook_create(struct req *);
void		 console_webhook_action(struct req *);
void		 console_webhook_log(struct req *);
void		 console_redeliver(struct req *);
void		 console_keys(struct req *);
void		 console_key_create(struct req *);
void		 console_key_revoke(struct req *);

#endif /* MIHWAR_CONSOLE_H */
