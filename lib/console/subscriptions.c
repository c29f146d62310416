/*
 * subscriptions.c - the console's webhook pages: the subscriptions with their
 * actions (enable, disable, test, rotate, delete), a new subscription
 * whose secret is shown once, and a subscription's delivery log with
 * every attempt and redelivery. Admins only.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "console/console.h"

static void
console_event_boxes(struct req *r)
{
	const char	*name;
	size_t		 i;

	html_raw(r, "<fieldset><legend>Events</legend><label><input "
	    "type=\"checkbox\" name=\"all\" value=\"1\" checked> All events"
	    "</label>");
	for (i = 0; (name = events_subscribable_at(i)) != NULL; i++) {
		html_raw(r, "<label><input type=\"checkbox\" name=\"event\" "
		    "value=\"");
		html_text(r, name);
		html_raw(r, "\"> ");
		html_text(r, name);
		html_raw(r, "</label>");
	}
	html_raw(r, "</fieldset>");
}

static void
console_sub_actions(struct req *r, const char *id, int active)
{
	static const char *const acts[][2] = {
		{ "test", "Send test event" }, { "rotate", "Rotate secret" },
		{ "delete", "Delete" },
	};
	size_t	 i;

	html_raw(r, "<td class=\"actions\">");
	/* The enable/disable toggle, then each of acts. */
	for (i = 0; i <= sizeof(acts) / sizeof(acts[0]); i++) {
		const char *act = i == 0 ? (active ? "disable" : "enable") :
		    acts[i - 1][0];

		html_raw(r, "<form method=\"post\" action=\"/admin/webhooks/");
		html_text(r, id);
		html_raw(r, "/");
		html_text(r, act);
		html_raw(r, "\" class=\"inline\">");
		html_csrf(r);
		html_raw(r, "<button");
		if (strcmp(act, "delete") == 0)
			html_raw(r, " class=\"danger\"");
		html_raw(r, ">");
		html_text(r, i == 0 ? (active ? "Disable" : "Enable") :
		    acts[i - 1][1]);
		html_raw(r, "</button></form>");
	}
	html_raw(r, "</td>");
}

static void
console_sub_row(struct req *r, const struct webhook_sub *s)
{
	html_raw(r, "<tr><td><a href=\"/admin/webhooks/");
	html_text(r, s->id);
	html_raw(r, "\">");
	html_text(r, s->url);
	html_raw(r, "</a></td>");
	console_cell(r, s->events);
	html_raw(r, "<td>");
	html_text(r, s->active ? "active" : "disabled");
	if (!s->active && s->disabled_reason)
		html_textf(r, ": %s", s->disabled_reason);
	if (s->active && s->failing_since)
		html_textf(r, " (failing since %s)", s->failing_since);
	html_raw(r, "</td>");
	console_sub_actions(r, s->id, s->active);
	html_raw(r, "</tr>\n");
}

static void
console_webhooks_page(struct req *r, const char *notice, const char *cls,
    const char *secret)
{
	struct webhooks_subs	 l;
	size_t			 i;

	if (!console_begin(r, webhooks_subs_list(r->db, r->principal.org_id,
	    &l), "Webhooks", notice, cls))
		goto out;
	if (secret)
		console_secret(r, "Signing secret — shown this once; copy it "
		    "now:", "secret", secret);
	html_raw(r, "<table><tr><th>URL</th><th>Events</th><th>State</th>"
	    "<th></th></tr>\n");
	for (i = 0; i < l.n; i++)
		console_sub_row(r, &l.v[i]);
	html_raw(r, "</table>\n<h2>Add a subscription</h2><form "
	    "method=\"post\" action=\"/admin/webhooks\" class=\"card\">");
	html_csrf(r);
	html_raw(r, "<label>URL <input type=\"url\" name=\"url\" required "
	    "maxlength=\"2048\" placeholder=\"https://example.com/hooks\">"
	    "</label>");
	console_event_boxes(r);
	html_raw(r, "<button>Subscribe</button></form>\n");
	html_end(r);
out:
	webhooks_subs_cleanup(&l);
}

/* GET /admin/webhooks (shows a secret flashed by the POST before). */
void
console_webhooks(struct req *r)
{
	char	 flash[300];

	if (session_flash_take(r, flash, sizeof(flash)) &&
	    (strncmp(flash, "w:", 2) == 0 || strncmp(flash, "r:", 2) == 0)) {
		console_webhooks_page(r, flash[0] == 'w' ? "Subscription added." :
		    "Secret rotated; the old one no longer signs.", "ok",
		    flash + 2);
		sodium_memzero(flash, sizeof(flash));
	} else
		console_webhooks_page(r, NULL, NULL, NULL);
}

/* The checked events of the form, "*" for all. 0 with the reason in
 * msg when there is none, or one is not offered. */
static int
console_form_events(struct req *r, struct buf *out, char *msg, size_t msgsz)
{
	const char	*p = r->in.body.data ? r->in.body.data : "";
	char		*all = NULL, *v, err[160];
	size_t		 n;
	int		 ok = 1;

	if (req_form_param(r, "all", &all) == 1) {
		free(all);
		return buf_puts(out, "*");
	}
	/* Each "event=" pair of the body; several boxes share the name. */
	while ((p = strstr(p, "event=")) != NULL) {
		if (p != r->in.body.data && p[-1] != '&') {
			p += 6;
			continue;
		}
		n = strcspn(p + 6, "&");
		if (!req_url_decode(p + 6, n, &v)) {
			snprintf(msg, msgsz, "event: not a valid form value");
			return 0;
		}
		if (!webhooks_event_offered(v, err, sizeof(err))) {
			if (ok)
				snprintf(msg, msgsz, "event: %s", err);
			ok = 0;
		} else {
			if (out->len > 0)
				buf_puts(out, ",");
			buf_puts(out, v);
		}
		free(v);
		p += 6 + n;
	}
	if (ok && out->len == 0)
		snprintf(msg, msgsz, "Choose all events or at least one.");
	return ok && out->len > 0;
}

/* POST /admin/webhooks */
void
console_webhook_create(struct req *r)
{
	char		*url = NULL, err[160], msg[200], id[37];
	char		 secret[WEBHOOK_SECRET_MAX];
	struct buf	 events;

	buf_init(&events);
	if (req_form_param(r, "url", &url) != 1 || *url == '\0')
		console_webhooks_page(r, "Enter the URL to send events to.",
		    "error", NULL);
	else if (!webhooks_url_ok(r->conf, url, err, sizeof(err))) {
		snprintf(msg, sizeof(msg), "URL: %s", err);
		console_webhooks_page(r, msg, "error", NULL);
	} else if (!console_form_events(r, &events, msg, sizeof(msg))) {
		console_webhooks_page(r, msg, "error", NULL);
		if (r->out.status == 200)
			r->out.status = 400;	/* the form again, refused */
	} else if (webhooks_create(r->db, r->principal.org_id, url, events.data,
	    r->principal.user_name, id, secret) != DB_OK)
		html_error_page(r, 503, "The database is unavailable.");
	else {
		console_flash_redirect(r, "w:", secret, "/admin/webhooks");
		sodium_memzero(secret, sizeof(secret));
	}
	buf_cleanup(&events);
	free(url);
}

/* POST /admin/webhooks/{id}/{action} */
void
console_webhook_action(struct req *r)
{
	const char	*act = r->args[1], *id = r->args[0];
	char		 secret[WEBHOOK_SECRET_MAX];
	enum db_code	 code;

	if (strcmp(act, "enable") == 0 || strcmp(act, "disable") == 0)
		code = webhooks_set_active(r->db, r->principal.org_id, id,
		    strcmp(act, "enable") == 0);
	else if (strcmp(act, "delete") == 0)
		code = webhooks_delete(r->db, r->principal.org_id, id);
	else if (strcmp(act, "test") == 0)
		code = webhooks_send_test(r->db, r->principal.org_id, id);
	else if (strcmp(act, "rotate") == 0) {
		if ((code = webhooks_rotate(r->db, r->principal.org_id, id,
		    secret)) == DB_OK) {
			console_flash_redirect(r, "r:", secret, "/admin/webhooks");
			sodium_memzero(secret, sizeof(secret));
			return;
		}
	} else {
		html_error_page(r, 404, "No such action.");
		return;
	}
	if (code == DB_NOTFOUND)
		html_error_page(r, 404, "No such subscription.");
	else if (code != DB_OK)
		html_error_page(r, 503, "The database is unavailable.");
	else if (strcmp(act, "test") == 0)
		console_webhooks_page(r, "Test event queued; see the delivery log.",
		    "ok", NULL);
	else
		html_redirect(r, "/admin/webhooks");
}

static void
console_attempts(struct req *r, const char *delivery)
{
	struct webhooks_attempts	 l;
	const struct webhook_attempt	*a;
	size_t				 i;

	if (webhooks_attempts_list(r->db, r->principal.org_id, delivery,
	    &l) != DB_OK)
		goto out;
	html_raw(r, "<table class=\"attempts\"><tr><th>#</th><th>Time</th>"
	    "<th>Status</th><th>ms</th><th>Error</th><th>Response</th></tr>");
	for (i = 0; i < l.n; i++) {
		a = &l.v[i];
		html_raw(r, "<tr>");
		console_int(r, a->attempt_no, 1);
		console_cell(r, a->started_at);
		console_int(r, a->status_code, a->status_code != 0);
		console_int(r, a->duration_ms, 1);
		console_cell(r, a->error);
		console_cell(r, a->response);
		html_raw(r, "</tr>\n");
	}
	html_raw(r, "</table>");
out:
	webhooks_attempts_cleanup(&l);
}

static void
console_delivery(struct req *r, const struct webhook_delivery *d)
{
	html_raw(r, "<section class=\"delivery\"><h3>");
	html_textf(r, "%s — %s — %s", d->event_type, d->state, d->created_at);
	html_raw(r, "</h3>");
	console_attempts(r, d->id);
	if (d->redeliverable) {
		html_raw(r, "<form method=\"post\" action=\"/admin/deliveries/");
		html_text(r, d->id);
		html_raw(r, "/redeliver\">");
		html_csrf(r);
		html_raw(r, "<button>Redeliver</button></form>");
	}
	html_raw(r, "</section>\n");
}

/* GET /admin/webhooks/{id}: the delivery log of one subscription. */
void
console_webhook_log(struct req *r)
{
	struct webhooks_deliveries	 l;
	size_t				 i;

	if (!console_begin(r, webhooks_deliveries_list(r->db,
	    r->principal.org_id, r->args[0], &l), "Delivery log", NULL, NULL))
		goto out;
	html_raw(r, "<p><a href=\"/admin/webhooks\">All subscriptions</a></p>");
	if (l.n == 0)
		html_raw(r, "<p class=\"muted\">No deliveries yet.</p>");
	for (i = 0; i < l.n; i++)
		console_delivery(r, &l.v[i]);
	html_end(r);
out:
	webhooks_deliveries_cleanup(&l);
}

/* POST /admin/deliveries/{id}/redeliver */
void
console_redeliver(struct req *r)
{
	enum db_code	 code;

	code = webhooks_redeliver(r->db, r->principal.org_id, r->args[0]);
	if (code == DB_OK)
		html_redirect(r, "/admin/webhooks");
	else
		html_error_page(r, code == DB_NOTFOUND ? 404 : 503, code ==
		    DB_NOTFOUND ? "No such finished delivery." :
		    "The database is unavailable.");
}

