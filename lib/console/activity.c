/*
 * activity.c - the console's activity page: the organization's timeline
 * of ingested events, newest first, filtered by a GET form (app, worker,
 * category, event type, time range in UTC) and paged by an "Older" link
 * that carries the cursor; above it, the strip of each worker's current
 * snapshots. Open to every signed-in user of the organization.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console/console.h"

#define ACTIVITY_LIMIT		50	/* events a page, unless limit= */
#define ACTIVITY_CLIP		200	/* characters of metadata shown */
#define ACTIVITY_METRICS	12	/* metrics shown per snapshot */

/* The page's query parameters, as given (NULL when absent or empty). */
struct activity_query {
	char		*app, *worker, *category, *type, *from, *to;
	char		*limit, *cursor;
};

static void
activity_query_free(struct activity_query *q)
{
	free(q->app);
	free(q->worker);
	free(q->category);
	free(q->type);
	free(q->from);
	free(q->to);
	free(q->limit);
	free(q->cursor);
}

/* A time of the form ("2026-11-30T09:00", UTC unless it names a zone)
 * as SQL text into sql and as the form shows it into shown. */
static int
activity_time(const char *s, char sql[24], char shown[20])
{
	int64_t		 ms;
	time_t		 t;
	struct tm	 tm;

	if (!util_parse_time(s, &ms) || ms < 0)
		return 0;
	util_sql_time(ms, sql);
	t = (time_t)(ms / 1000);
	gmtime_r(&t, &tm);
	strftime(shown, 20, "%Y-%m-%dT%H:%M:%S", &tm);
	return 1;
}

/*
 * Read and check the query into q and f; 0 with what is wrong in msg.
 * Times go back to the form in from_shown and to_shown.
 */
static int
activity_filter(struct req *r, struct activity_query *q,
    struct timeline_filter *f, char from_shown[20], char to_shown[20],
    char *msg, size_t msgsz)
{
	memset(f, 0, sizeof(*f));
	f->limit = ACTIVITY_LIMIT;
	if (!console_query_param(r, "app", &q->app) ||
	    !console_query_param(r, "worker", &q->worker) ||
	    !console_query_param(r, "category", &q->category) ||
	    !console_query_param(r, "eventType", &q->type) ||
	    !console_query_param(r, "from", &q->from) ||
	    !console_query_param(r, "to", &q->to) ||
	    !console_query_param(r, "limit", &q->limit) ||
	    !console_query_param(r, "cursor", &q->cursor)) {
		snprintf(msg, msgsz, "The address is not valid: a filter is "
		    "not percent-encoded.");
		return 0;
	}
	if (q->app && !orgs_slug_valid(q->app))
		snprintf(msg, msgsz, "app: not an app of this organization.");
	else if (q->worker && strlen(q->worker) != 36)
		snprintf(msg, msgsz, "worker: not a worker id.");
	else if (q->category && !batch_category_valid(q->category))
		snprintf(msg, msgsz, "category: not one of the categories.");
	else if (q->type && !batch_type_valid(q->type))
		snprintf(msg, msgsz, "eventType: 3 to 64 of A-Z a-z 0-9 _ . -, "
		    "starting and ending with a letter or digit.");
	else if (q->from && !activity_time(q->from, f->from, from_shown))
		snprintf(msg, msgsz, "from: a date and time such as "
		    "2026-03-30T12:00 (UTC).");
	else if (q->to && !activity_time(q->to, f->to, to_shown))
		snprintf(msg, msgsz, "to: a date and time such as "
		    "2026-03-30T18:00 (UTC).");
	else if (q->limit && !util_strtonum(q->limit, 1, 200, &f->limit))
		snprintf(msg, msgsz, "limit: a number from 1 to 200.");
	else if (q->cursor && !timeline_cursor_parse(q->cursor, f))
		snprintf(msg, msgsz, "cursor: not a cursor of this page; start "
		    "again from the newest.");
	else {
		f->app = q->app;
		f->worker = q->worker;
		f->category = q->category;
		f->event_type = q->type;
		return 1;
	}
	return 0;
}

/* Append "&name=value" (value percent-encoded) to url; nothing for none. */
static void
activity_url_param(struct buf *url, const char *name, const char *value)
{
	const char	*p;

	if (value == NULL)
		return;
	buf_printf(url, "%s%s=", url->len > 0 ? "&" : "", name);
	for (p = value; *p != '\0'; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-_.~", *p) != NULL)
			buf_append(url, p, 1);
		else
			buf_printf(url, "%%%02X", (unsigned char)*p);
}

/* A link to this page with q's filters and cursor (NULL: the newest). */
static void
activity_link(struct req *r, const struct activity_query *q,
    const char *cursor, const char *label, const char *rel)
{
	struct buf	 url;

	buf_init(&url);
	activity_url_param(&url, "app", q->app);
	activity_url_param(&url, "worker", q->worker);
	activity_url_param(&url, "category", q->category);
	activity_url_param(&url, "eventType", q->type);
	activity_url_param(&url, "from", q->from);
	activity_url_param(&url, "to", q->to);
	activity_url_param(&url, "limit", q->limit);
	activity_url_param(&url, "cursor", cursor);
	html_raw(r, "<a href=\"/admin/activity");
	if (url.len > 0) {
		html_raw(r, "?");
		html_text(r, url.data);
	}
	html_raw(r, "\" rel=\"");
	html_text(r, rel);
	html_raw(r, "\">");
	html_text(r, label);
	html_raw(r, "</a>");
	buf_cleanup(&url);
}

/* <option value="value"> label, selected when it is current. */
static void
activity_option(struct req *r, const char *value, const char *label,
    const char *current)
{
	html_raw(r, "<option value=\"");
	html_text(r, value);
	html_raw(r, current && strcmp(current, value) == 0 ?
	    "\" selected>" : "\">");
	html_text(r, label);
	html_raw(r, "</option>");
}

static void
activity_form(struct req *r, const struct activity_query *q,
    const struct ingest_apps *apps, const struct timeline_workers *workers,
    const char *from_shown, const char *to_shown)
{
	const char	*c;
	size_t		 i;

	html_raw(r, "<form method=\"get\" action=\"/admin/activity\" "
	    "class=\"filters\"><label>App <select name=\"app\">");
	activity_option(r, "", "All apps", q->app);
	for (i = 0; i < apps->n; i++)
		activity_option(r, apps->v[i].slug, apps->v[i].name, q->app);
	html_raw(r, "</select></label><label>Worker <select name=\"worker\">");
	activity_option(r, "", "All workers", q->worker);
	for (i = 0; i < workers->n; i++)
		activity_option(r, workers->v[i].id, workers->v[i].name,
		    q->worker);
	html_raw(r, "</select></label><label>Category <select "
	    "name=\"category\">");
	activity_option(r, "", "All categories", q->category);
	for (i = 0; (c = batch_category_at(i)) != NULL; i++)
		activity_option(r, c, c, q->category);
	html_raw(r, "</select></label><label>Event type <input "
	    "name=\"eventType\" maxlength=\"64\" value=\"");
	html_text(r, q->type);
	html_raw(r, "\"></label><label>From (UTC) <input type=\"datetime-local\" "
	    "name=\"from\" step=\"1\" value=\"");
	html_text(r, from_shown);
	html_raw(r, "\"></label><label>To (UTC) <input type=\"datetime-local\" "
	    "name=\"to\" step=\"1\" value=\"");
	html_text(r, to_shown);
	html_raw(r, "\"></label>");
	if (q->limit) {
		html_raw(r, "<input type=\"hidden\" name=\"limit\" value=\"");
		html_text(r, q->limit);
		html_raw(r, "\">");
	}
	html_raw(r, "<button>Filter</button> <a href=\"/admin/activity\">"
	    "Clear filters</a></form>\n");
}

/* One metric: "label: value unit". */
static void
activity_metric(struct req *r, const struct timeline_metric *m)
{
	html_raw(r, "<li><span class=\"metric\">");
	html_text(r, m->label ? m->label : m->name);
	html_raw(r, "</span> ");
	html_text(r, m->value);
	if (m->unit) {
		html_raw(r, " ");
		html_text(r, m->unit);
	}
	html_raw(r, "</li>");
}

static void
activity_strip(struct req *r, const struct timeline_strip *s)
{
	const struct timeline_snapshot	*sn;
	size_t				 i, j, k;

	html_raw(r, "<h2>Current snapshots</h2>\n");
	if (s->n == 0)
		html_raw(r, "<p class=\"muted\">No snapshots yet.</p>\n");
	html_raw(r, "<div class=\"strip\">");
	for (i = 0; i < s->n; i++) {
		html_raw(r, "<section class=\"strip-worker\"><h3>");
		html_text(r, s->v[i].name);
		html_raw(r, "</h3>");
		for (j = 0; j < s->v[i].nsnaps; j++) {
			sn = &s->v[i].snaps[j];
			html_raw(r, "<div class=\"snapshot\"><p><strong>");
			html_text(r, sn->type);
			html_raw(r, "</strong> <span class=\"muted\">");
			html_textf(r, "%s · %s", sn->app, sn->taken_at);
			html_raw(r, "</span></p><ul>");
			for (k = 0; k < sn->nmetrics && k < ACTIVITY_METRICS; k++)
				activity_metric(r, &sn->metrics[k]);
			if (sn->nmetrics > ACTIVITY_METRICS)
				html_textf(r, "… %zu more",
				    sn->nmetrics - ACTIVITY_METRICS);
			html_raw(r, "</ul></div>");
		}
		html_raw(r, "</section>\n");
	}
	html_raw(r, "</div>\n");
}

/* Metadata, its first ACTIVITY_CLIP characters (never half of one). */
static void
activity_metadata(struct req *r, const char *s)
{
	char	*clip;
	size_t	 i, chars = 0;

	if (s == NULL || strcmp(s, "{}") == 0) {
		console_cell(r, NULL);
		return;
	}
	for (i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 &&
		    chars++ == ACTIVITY_CLIP)
			break;
	html_raw(r, "<td><code class=\"metadata\">");
	if (s[i] == '\0')
		html_text(r, s);
	else if ((clip = strndup(s, i)) != NULL) {
		html_text(r, clip);
		html_text(r, "…");
		free(clip);
	}
	html_raw(r, "</code></td>");
}

static void
activity_row(struct req *r, const struct timeline_event *e)
{
	html_raw(r, "<tr id=\"event-");
	html_text(r, e->id);
	html_raw(r, "\"><td><time datetime=\"");
	html_text(r, e->occurred_at);
	html_raw(r, "\">");
	html_text(r, e->occurred_at);
	html_raw(r, "</time></td>");
	console_cell(r, e->worker_name);
	console_cell(r, e->app);
	console_cell(r, e->category);
	console_cell(r, e->event_type);
	if (e->duration_s) {
		html_raw(r, "<td>");
		html_textf(r, "%s s", e->duration_s);
		html_raw(r, "</td>");
	} else
		console_cell(r, NULL);
	activity_metadata(r, e->metadata);
	html_raw(r, "</tr>\n");
}

static void
activity_events(struct req *r, const struct activity_query *q,
    const struct timeline_page *p)
{
	size_t	 i;

	html_raw(r, "<h2>Events</h2>\n");
	if (p->n == 0) {
		html_raw(r, "<p class=\"muted\">No events match.</p>\n");
		return;
	}
	html_raw(r, "<table class=\"timeline\"><tr><th>Time (UTC)</th>"
	    "<th>Worker</th><th>App</th><th>Category</th><th>Event type</th>"
	    "<th>Duration</th><th>Metadata</th></tr>\n");
	for (i = 0; i < p->n; i++)
		activity_row(r, &p->v[i]);
	html_raw(r, "</table>\n<p class=\"pager\">");
	if (q->cursor)
		activity_link(r, q, NULL, "Newest", "first");
	if (q->cursor && p->next[0])
		html_raw(r, " · ");
	if (p->next[0])
		activity_link(r, q, p->next, "Older", "next");
	html_raw(r, "</p>\n");
}

/* GET /admin/activity */
void
console_activity(struct req *r)
{
	struct activity_query	 q;
	struct timeline_filter	 f;
	struct ingest_apps	 apps;
	struct timeline_workers	 workers;
	struct timeline_strip	 strip;
	struct timeline_page	 page;
	char			 msg[200], from_shown[20] = "", to_shown[20] = "";
	enum db_code		 code;
	int			 ok;

	memset(&q, 0, sizeof(q));
	memset(&strip, 0, sizeof(strip));
	memset(&page, 0, sizeof(page));
	ok = activity_filter(r, &q, &f, from_shown, to_shown, msg, sizeof(msg));
	if ((code = apps_list(r->db, r->principal.org_id, 0, &apps)) == DB_OK)
		code = timeline_workers(r->db, r->principal.org_id, &workers);
	else
		memset(&workers, 0, sizeof(workers));
	if (ok && code == DB_OK &&
	    (code = timeline_strip(r->db, r->principal.org_id, &f,
	    &strip)) == DB_OK)
		code = timeline_list(r->db, r->principal.org_id, &f, &page);
	if (!console_begin(r, code, "Activity", ok ? NULL : msg, "error"))
		goto out;
	activity_form(r, &q, &apps, &workers, from_shown, to_shown);
	if (!ok)
		r->out.status = 400;	/* the form again, with what is wrong */
	else {
		activity_strip(r, &strip);
		activity_events(r, &q, &page);
	}
	html_end(r);
out:
	timeline_list_cleanup(&page);
	timeline_strip_cleanup(&strip);
	timeline_workers_cleanup(&workers);
	apps_list_cleanup(&apps);
	activity_query_free(&q);
}
