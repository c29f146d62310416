/*
 * checklists.c - the console's checklists page: today's checklists in
 * the organization's time zone, each with its items to tick and one
 * "Mark done" form (any signed-in user of the organization: the person
 * opening the shop is seldom an admin), what is overdue, the last
 * CLVIEWS_DAYS days at a glance in words, and for admins the templates
 * (create, deactivate, activate, delete) and the time zone. Reads the
 * views of checklists/views.c; writes through templates.c and
 * instances.c, which the API shares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console/console.h"

#define CL_PAGE		"/admin/checklists"
#define CL_FLASH_OK	"c+"	/* flash: what was done */
#define CL_FLASH_ERR	"c-"	/* flash: what was refused */
#define CL_ITEMS_TEXT	60000	/* the items box, in characters */

/* A template as the form was filled: shown again when refused. */
struct cl_form {
	char	*title, *items, *kind, *time, *grace;
	int	 weekdays[8];
};

/* The ticks of a refused "Mark done", kept on its instance's form. */
struct cl_ticks {
	const char	*instance;
	char		*ids[CL_ITEMS_MAX];
	size_t		 n;
};

/* --- form values ------------------------------------------------------- */

/*
 * Every value of name in the form body (checkboxes repeat their name),
 * decoded, into out (at most max; the caller frees each). -1 when one
 * is badly encoded or there are more than max.
 */
static int
cl_form_values(const struct req *r, const char *name, char **out,
    size_t max)
{
	const char	*p = r->in.body.data ? r->in.body.data : "", *amp, *v;
	size_t		 nlen = strlen(name), n = 0, vlen, i;
	char		*raw;

	for (; p != NULL && *p != '\0'; p = amp ? amp + 1 : NULL) {
		amp = strchr(p, '&');
		if (strncmp(p, name, nlen) != 0 || p[nlen] != '=')
			continue;
		v = p + nlen + 1;
		vlen = amp ? (size_t)(amp - v) : strlen(v);
		if (n == max || (raw = strndup(v, vlen)) == NULL)
			return -1;
		for (i = 0; i < vlen; i++)
			if (raw[i] == '+')
				raw[i] = ' ';
		i = req_url_decode(raw, vlen, &out[n]);
		free(raw);
		if (!i)
			return -1;
		n++;
	}
	return (int)n;
}

static void
cl_ticks_cleanup(struct cl_ticks *t)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		free(t->ids[i]);
	t->n = 0;
}

static int
cl_ticked(const struct cl_ticks *t, const struct clview_instance *in,
    const struct clview_item *it)
{
	size_t	 i;

	if (t == NULL || strcmp(t->instance, in->id) != 0)
		return it->done;
	for (i = 0; i < t->n; i++)
		if (strcmp(t->ids[i], it->id) == 0)
			return 1;
	return 0;
}

static void
cl_form_cleanup(struct cl_form *f)
{
	free(f->title);
	free(f->items);
	free(f->kind);
	free(f->time);
	free(f->grace);
	memset(f, 0, sizeof(*f));
}

/* --- times and words --------------------------------------------------- */

/* The local HH:MM of ms in tz; "??:??" should the zone not convert. */
static void
cl_hhmm(const char *tz, int64_t ms, char out[6])
{
	if (!schedule_local(tz, ms, NULL, out))
		memcpy(out, "??:??", 6);
}

/* The day days before day (YYYY-MM-DD) into out: calendar arithmetic,
 * no zone involved. */
static void
cl_day_before(const char *day, int days, char out[11])
{
	struct tm	 tm;
	time_t		 t;

	memset(&tm, 0, sizeof(tm));
	sscanf(day, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_mday -= days;
	tm.tm_hour = 12;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* The status of in as of now_ms, in words. */
static const char *
cl_status_words(const struct clview_instance *in, int64_t now_ms)
{
	if (strcmp(in->status, "completed") == 0)
		return in->late ? "done late" : "done";
	if (strcmp(in->status, "missed") == 0)
		return "missed";
	if (now_ms < in->due_ms)
		return "open";
	return now_ms < in->grace_ms ? "overdue (in grace)" : "overdue";
}

/* One day of the glance: "on time", "late", "missed", "open" or "—". */
static const char *
cl_day_words(const struct clview_day *d)
{
	if (d == NULL)
		return "—";
	if (strcmp(d->status, "completed") == 0)
		return d->late ? "late" : "on time";
	return strcmp(d->status, "missed") == 0 ? "missed" : "open";
}

static const char *const cl_weekday_names[8] = {
	"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};

/* A template's schedule in words: "daily at 07:00" or "Mon, Fri at …". */
static void
cl_schedule_words(struct req *r, const struct clview_template *t)
{
	const char	*p;
	int		 first = 1;

	if (strcmp(t->kind, "weekly") != 0 || t->weekdays == NULL)
		html_text(r, "daily");
	else
		for (p = t->weekdays; *p != '\0'; p++)
			if (*p >= '1' && *p <= '7') {
				html_textf(r, "%s%s", first ? "" : ", ",
				    cl_weekday_names[*p - '0']);
				first = 0;
			}
	html_textf(r, " at %s", t->time);
	if (t->grace > 0)
		html_textf(r, ", %lld min grace", t->grace);
}

/* --- the page ---------------------------------------------------------- */

/* One instance: its status, items as checkboxes and "Mark done". */
static void
cl_instance(struct req *r, const struct clview_instance *in,
    const char *tz, int64_t now_ms, const struct cl_ticks *ticks)
{
	char	 hhmm[6], date[11], done[6];
	size_t	 i;

	cl_hhmm(tz, in->due_ms, hhmm);
	html_raw(r, "<section class=\"checklist\" id=\"i-");
	html_text(r, in->id);
	html_raw(r, "\"><h3>");
	html_text(r, in->title);
	html_raw(r, "</h3><p class=\"due\">Due ");
	html_textf(r, "%s %s", in->local_date, hhmm);
	html_raw(r, " · <strong class=\"status\">");
	html_text(r, cl_status_words(in, now_ms));
	html_raw(r, "</strong>");
	if (in->completed_ms > 0 &&
	    schedule_local(tz, in->completed_ms, date, done))
		html_textf(r, " · completed %s %s by %s", date, done,
		    in->completed_by ? in->completed_by : "unknown");
	html_raw(r, "</p>\n<form method=\"post\" action=\"" CL_PAGE
	    "/instances/");
	html_text(r, in->id);
	html_raw(r, "\">");
	html_csrf(r);
	html_raw(r, "<fieldset><legend>Items of ");
	html_text(r, in->title);
	html_raw(r, "</legend><ul class=\"items\">");
	for (i = 0; i < in->nitems; i++) {
		html_raw(r, "<li><label><input type=\"checkbox\" "
		    "name=\"item\" value=\"");
		html_text(r, in->items[i].id);
		html_raw(r, "\"");
		if (cl_ticked(ticks, in, &in->items[i]))
			html_raw(r, " checked");
		if (strcmp(in->status, "completed") == 0)
			html_raw(r, " disabled");
		html_raw(r, "> ");
		html_text(r, in->items[i].text);
		html_raw(r, in->items[i].required ? " <em>(required)</em>" :
		    " <em>(optional)</em>");
		html_raw(r, "</label></li>");
	}
	html_raw(r, "</ul></fieldset>");
	if (strcmp(in->status, "completed") != 0)
		html_raw(r, "<button>Mark done</button>");
	html_raw(r, "</form></section>\n");
}

/* Today's instances, then what is overdue: today's by name, and the
 * days before's with their forms. */
static void
cl_today(struct req *r, const struct clview_instances *w, const char *today,
    const char *tz, int64_t now_ms, const struct cl_ticks *ticks)
{
	const struct clview_instance	*in;
	size_t				 i, n = 0;

	html_raw(r, "<h2 id=\"today\">Today</h2>\n");
	for (i = 0; i < w->n; i++)
		if (strcmp(w->v[i].local_date, today) == 0) {
			cl_instance(r, &w->v[i], tz, now_ms, ticks);
			n++;
		}
	if (n == 0)
		html_raw(r, "<p id=\"today-none\">No checklist is due today."
		    "</p>\n");
	html_raw(r, "<h2 id=\"overdue\">Overdue</h2>\n<ul id=\"overdue-list\">");
	for (i = n = 0; i < w->n; i++) {
		in = &w->v[i];
		if (strcmp(in->status, "completed") == 0 || now_ms < in->due_ms)
			continue;
		html_raw(r, "<li><a href=\"#i-");
		html_text(r, in->id);
		html_raw(r, "\">");
		html_textf(r, "%s, %s", in->title, in->local_date);
		html_raw(r, "</a>: ");
		html_text(r, cl_status_words(in, now_ms));
		html_raw(r, "</li>");
		n++;
	}
	html_raw(r, "</ul>\n");
	if (n == 0)
		html_raw(r, "<p id=\"overdue-none\">Nothing is overdue.</p>\n");
	for (i = 0; i < w->n; i++)
		if (strcmp(w->v[i].local_date, today) != 0)
			cl_instance(r, &w->v[i], tz, now_ms, ticks);
}

/* The day d of template row tpl (rows sorted by template, then day),
 * or NULL; *k walks the rows. */
static const struct clview_day *
cl_day_of(const struct clview_days *w, size_t *k, const char *tpl,
    const char *day)
{
	const struct clview_day	*found = NULL;

	while (*k < w->n && strcmp(w->v[*k].template_id, tpl) == 0 &&
	    strcmp(w->v[*k].local_date, day) <= 0) {
		if (strcmp(w->v[*k].local_date, day) == 0)
			found = &w->v[*k];
		(*k)++;
	}
	return found;
}

/* The last CLVIEWS_DAYS days, one row per template, in words. */
static void
cl_glance(struct req *r, const struct clview_days *w,
    char days[CLVIEWS_DAYS][11])
{
	size_t	 i, k, d;

	html_raw(r, "<h2 id=\"glance\">The last 14 days</h2>\n");
	if (w->n == 0) {
		html_raw(r, "<p id=\"glance-none\">No checklist was due in "
		    "these days.</p>\n");
		return;
	}
	html_raw(r, "<div class=\"scroll\" tabindex=\"0\" role=\"region\" "
	    "aria-labelledby=\"glance\"><table id=\"glance-table\" "
	    "class=\"glance\"><caption>Each template's checklists per day: "
	    "on time, late, missed, open, or — when none was due"
	    "</caption><tr><th scope=\"col\">Template</th>");
	for (d = 0; d < CLVIEWS_DAYS; d++) {
		html_raw(r, "<th scope=\"col\"><time datetime=\"");
		html_text(r, days[d]);
		html_raw(r, "\">");
		html_text(r, days[d] + 5);
		html_raw(r, "</time></th>");
	}
	html_raw(r, "</tr>\n");
	for (i = 0; i < w->n; i = k) {
		html_raw(r, "<tr><th scope=\"row\">");
		html_text(r, w->v[i].title);
		html_raw(r, "</th>");
		k = i;
		for (d = 0; d < CLVIEWS_DAYS; d++) {
			const char *s = cl_day_words(cl_day_of(w, &k,
			    w->v[i].template_id, days[d]));

			html_raw(r, "<td class=\"");
			html_raw(r, s[0] == 'o' && s[1] == 'n' ? "on-time" :
			    s[0] == 'l' ? "late" : s[0] == 'm' ? "missed" :
			    "none");
			html_raw(r, "\">");
			html_text(r, s);
			html_raw(r, "</td>");
		}
		/* Rows past the last day (none: the view ends today). */
		while (k < w->n && strcmp(w->v[k].template_id,
		    w->v[i].template_id) == 0)
			k++;
		html_raw(r, "</tr>\n");
	}
	html_raw(r, "</table></div>\n");
}

/* One template's row with its actions. */
static void
cl_template_row(struct req *r, const struct clview_template *t)
{
	size_t	 i;

	html_raw(r, "<tr><td>");
	html_text(r, t->title);
	html_raw(r, "</td><td>");
	cl_schedule_words(r, t);
	html_raw(r, "</td><td><ol class=\"items\">");
	for (i = 0; i < t->nitems; i++) {
		html_raw(r, "<li>");
		html_text(r, t->items[i].text);
		if (t->items[i].required)
			html_raw(r, " <em>(required)</em>");
		html_raw(r, "</li>");
	}
	html_raw(r, "</ol></td><td>");
	html_text(r, t->active ? "active" : "inactive");
	html_raw(r, "</td><td><form method=\"post\" class=\"inline\" "
	    "action=\"" CL_PAGE "/templates/");
	html_text(r, t->id);
	html_raw(r, t->active ? "/deactivate\">" : "/activate\">");
	html_csrf(r);
	html_raw(r, "<button>");
	html_text(r, t->active ? "Deactivate " : "Activate ");
	html_text(r, t->title);
	html_raw(r, "</button></form> <form method=\"post\" class=\"inline\" "
	    "action=\"" CL_PAGE "/templates/");
	html_text(r, t->id);
	html_raw(r, "/delete\">");
	html_csrf(r);
	html_raw(r, "<label><input type=\"checkbox\" name=\"confirm\" "
	    "value=\"yes\" required> I am sure</label> <button>Delete ");
	html_text(r, t->title);
	html_raw(r, "</button></form></td></tr>\n");
}

/* The form of a new template, holding f as typed (empty when NULL). */
static void
cl_template_form(struct req *r, const struct cl_form *f)
{
	int	 d, weekly = f != NULL && f->kind != NULL &&
		    strcmp(f->kind, "weekly") == 0;

	html_raw(r, "<form method=\"post\" action=\"" CL_PAGE "/templates\" "
	    "class=\"card\" id=\"template-form\"><h3>New template</h3>");
	html_csrf(r);
	html_raw(r, "<label>Title <input name=\"title\" required "
	    "maxlength=\"200\" value=\"");
	if (f != NULL && f->title != NULL)
		html_text(r, f->title);
	html_raw(r, "\"></label><label>Items, one per line; start a line "
	    "with \"* \" to make the item required <textarea name=\"items\" "
	    "rows=\"6\" required placeholder=\"* Unlock the doors&#10;"
	    "Water the plants\">");
	if (f != NULL && f->items != NULL)
		html_text(r, f->items);
	html_raw(r, "</textarea></label><fieldset><legend>Repeats</legend>"
	    "<label><input type=\"radio\" name=\"kind\" value=\"daily\"");
	html_raw(r, weekly ? "" : " checked");
	html_raw(r, "> Daily</label> <label><input type=\"radio\" "
	    "name=\"kind\" value=\"weekly\"");
	html_raw(r, weekly ? " checked" : "");
	html_raw(r, "> Weekly, on the days ticked:</label> ");
	for (d = 1; d <= 7; d++) {
		html_textf(r, "<label><input type=\"checkbox\" name=\"weekday\" "
		    "value=\"%d\"%s> %s</label> ", d, f != NULL &&
		    f->weekdays[d] ? " checked" : "", cl_weekday_names[d]);
	}
	html_raw(r, "</fieldset><label>Due at (local time, HH:MM) "
	    "<input name=\"time\" required pattern=\"[0-2][0-9]:[0-5][0-9]\" "
	    "placeholder=\"07:00\" value=\"");
	if (f != NULL && f->time != NULL)
		html_text(r, f->time);
	html_raw(r, "\"></label><label>Grace, in minutes after the due time "
	    "before it counts as missed <input name=\"grace\" type=\"number\" "
	    "min=\"0\" max=\"1440\" value=\"");
	html_text(r, f != NULL && f->grace != NULL ? f->grace : "0");
	html_raw(r, "\"></label><button>Create the template</button></form>\n");
}

/* The admins' part: templates and the organization's time zone. */
static void
cl_admin(struct req *r, const struct clview_templates *t, const char *tz,
    const struct cl_form *f, const char *tz_typed)
{
	size_t	 i;

	html_raw(r, "<h2 id=\"templates\">Templates</h2>\n");
	if (t->n == 0)
		html_raw(r, "<p id=\"templates-none\">No templates yet.</p>\n");
	else {
		html_raw(r, "<div class=\"scroll\" tabindex=\"0\" "
		    "role=\"region\" aria-labelledby=\"templates\">"
		    "<table id=\"templates-table\">"
		    "<tr><th scope=\"col\">Title</th><th scope=\"col\">Schedule"
		    "</th><th scope=\"col\">Items</th><th scope=\"col\">Status"
		    "</th><th scope=\"col\">Actions</th></tr>\n");
		for (i = 0; i < t->n; i++)
			cl_template_row(r, &t->v[i]);
		html_raw(r, "</table></div>\n");
	}
	cl_template_form(r, f);
	html_raw(r, "<h2 id=\"timezone\">Time zone</h2>\n<form method=\"post\" "
	    "action=\"" CL_PAGE "/timezone\" class=\"card\">");
	html_csrf(r);
	html_raw(r, "<label>The organization's time zone (an IANA name such "
	    "as Europe/Berlin; schedules keep their local time across "
	    "daylight-saving changes) <input name=\"timezone\" required "
	    "maxlength=\"64\" value=\"");
	html_text(r, tz_typed != NULL ? tz_typed : tz);
	html_raw(r, "\"></label><button>Save the time zone</button></form>\n");
}

/* The flash of a POST: its text, and the notice's class into *cls. */
static const char *
cl_flash_take(struct req *r, char *buf, size_t sz, const char **cls)
{
	if (!session_flash_take(r, buf, sz))
		return NULL;
	if (strncmp(buf, CL_FLASH_OK, 2) == 0)
		*cls = "ok";
	else if (strncmp(buf, CL_FLASH_ERR, 2) == 0)
		*cls = "error";
	else
		return NULL;
	return buf + 2;
}

/*
 * The page with notice (of class cls), the ticks of a refused "Mark
 * done" (or NULL), and a refused template form or time zone as typed
 * (or NULL).
 */
static void
cl_page(struct req *r, const char *notice, const char *cls,
    const struct cl_ticks *ticks, const struct cl_form *f,
    const char *tz_typed)
{
	struct clview_instances	 inst;
	struct clview_days	 days;
	struct clview_templates	 tpls;
	char			 tz[65], today[11], glance[CLVIEWS_DAYS][11];
	int64_t			 now_ms = util_now_ms();
	enum db_code		 code;
	int			 admin = principal_is_admin(&r->principal), d;

	memset(&inst, 0, sizeof(inst));
	memset(&days, 0, sizeof(days));
	memset(&tpls, 0, sizeof(tpls));
	if ((code = clscheduler_org_timezone(r->db, r->principal.org_id,
	    tz)) == DB_OK && !schedule_local(tz, now_ms, today, NULL))
		code = DB_ERROR;
	if (code == DB_OK) {
		for (d = 0; d < CLVIEWS_DAYS; d++)
			cl_day_before(today, CLVIEWS_DAYS - 1 - d, glance[d]);
		code = clviews_instances(r->db, r->principal.org_id, today,
		    now_ms, &inst);
	}
	if (code == DB_OK)
		code = clviews_days(r->db, r->principal.org_id, glance[0],
		    today, &days);
	if (code == DB_OK && admin)
		code = clviews_templates(r->db, r->principal.org_id, &tpls);
	if (!console_begin(r, code, "Checklists", notice, cls))
		goto out;
	html_raw(r, "<p id=\"today-date\">Today is <time datetime=\"");
	html_text(r, today);
	html_raw(r, "\">");
	html_text(r, today);
	html_raw(r, "</time> in ");
	html_text(r, tz);
	html_raw(r, ". Tick the items as you do them, then mark the checklist "
	    "done; it is done when every required item is ticked.</p>\n");
	cl_today(r, &inst, today, tz, now_ms, ticks);
	cl_glance(r, &days, glance);
	if (admin)
		cl_admin(r, &tpls, tz, f, tz_typed);
	html_end(r);
out:
	clviews_instances_cleanup(&inst);
	clviews_days_cleanup(&days);
	clviews_templates_cleanup(&tpls);
}

/* GET /admin/checklists */
void
console_checklists(struct req *r)
{
	char		 flash[300];
	const char	*notice, *cls = NULL;

	notice = cl_flash_take(r, flash, sizeof(flash), &cls);
	cl_page(r, notice, cls, NULL, NULL, NULL);
}

/* The page again, nothing of the POST kept, with why, answered status. */
static void
cl_refuse(struct req *r, int status, const char *why,
    const struct cl_ticks *ticks, const struct cl_form *f,
    const char *tz_typed)
{
	req_undo(r);
	cl_page(r, why, "error", ticks, f, tz_typed);
	if (r->out.status == 200)
		r->out.status = status;
}

/* What happened, flashed, then back to the page (POST-redirect-GET). */
static void
cl_done(struct req *r, const char *tag, const char *fmt, const char *arg)
{
	char	 text[280];

	snprintf(text, sizeof(text), fmt, arg);
	util_utf8_cut(text, 200);
	console_flash_redirect(r, tag, text, CL_PAGE);
}

/* --- POST: mark an instance done --------------------------------------- */

/* POST /admin/checklists/instances/{id}: the items ticked ("item"). */
void
console_checklist_complete(struct req *r)
{
	struct cl_ticks	 t;
	char		 actor[300], why[600];
	int		 n, status;

	memset(&t, 0, sizeof(t));
	t.instance = r->args[0];
	if ((n = cl_form_values(r, "item", t.ids, CL_ITEMS_MAX)) < 0) {
		cl_refuse(r, 400, "The items ticked are not readable.", NULL,
		    NULL, NULL);
		goto out;
	}
	t.n = (size_t)n;
	principal_actor(&r->principal, actor, sizeof(actor));
	status = clinstances_complete_ids(r->db, r->principal.org_id,
	    r->args[0], (const char *const *)t.ids, t.n, actor, NULL, why,
	    sizeof(why));
	if (status == 0)
		cl_done(r, CL_FLASH_OK, "%s", "Marked the checklist done.");
	else if (status == 404)
		cl_refuse(r, 404, "No such checklist.", NULL, NULL, NULL);
	else if (status >= 500)
		cl_refuse(r, 503, "The checklist could not be marked done; "
		    "nothing changed.", &t, NULL, NULL);
	else
		cl_refuse(r, status, why, &t, NULL, NULL);
out:
	cl_ticks_cleanup(&t);
}

/* --- POST: templates ---------------------------------------------------- */

/* The form's fields into f; 0 with why when one is not readable. */
static int
cl_form_read(struct req *r, struct cl_form *f, char *why, size_t whysz)
{
	char		*wd[8] = { 0 };
	long long	 d;
	int		 n, i, ok = 1;

	if (req_form_param(r, "title", &f->title) < 0 ||
	    req_form_param(r, "items", &f->items) < 0 ||
	    req_form_param(r, "kind", &f->kind) < 0 ||
	    req_form_param(r, "time", &f->time) < 0 ||
	    req_form_param(r, "grace", &f->grace) < 0 ||
	    (n = cl_form_values(r, "weekday", wd, 7)) < 0) {
		snprintf(why, whysz, "The form is not readable.");
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (util_strtonum(wd[i], 1, 7, &d))
			f->weekdays[d] = 1;
		else
			ok = 0;
		free(wd[i]);
	}
	if (!ok)
		snprintf(why, whysz, "weekday: a day is 1 (Monday) to 7.");
	return ok;
}

/*
 * The items box as a template's items: one a line, blank lines skipped,
 * "* " first for a required one. text is cut into the lines in place;
 * 0 with why when there are none or too many, or one is too long.
 */
static int
cl_items_parse(char *text, const char **items, int *required, size_t *n,
    char *why, size_t whysz)
{
	char	*line, *next, *e;

	*n = 0;
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		e = line + strlen(line);
		while (e > line && (e[-1] == '\r' || e[-1] == ' ' ||
		    e[-1] == '\t'))
			*--e = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '\0')
			continue;
		if (*n == CL_ITEMS_MAX) {
			snprintf(why, whysz, "items: at most %d.",
			    CL_ITEMS_MAX);
			return 0;
		}
		required[*n] = line[0] == '*';
		if (required[*n])
			for (line++; *line == ' ' || *line == '\t'; line++)
				;
		if (*line == '\0' || util_utf8_chars(line) > 500) {
			snprintf(why, whysz, "items: line %zu is empty or "
			    "longer than 500 characters.", *n + 1);
			return 0;
		}
		items[(*n)++] = line;
	}
	if (*n == 0)
		snprintf(why, whysz, "items: give at least one, one per line.");
	return *n > 0;
}

/* The typed form as a template (its strings point into f and buf);
 * 0 with why naming the field. */
static int
cl_form_template(struct cl_form *f, char *itembuf, const char **items,
    int *required, struct cl_template_in *in, char *why, size_t whysz)
{
	long long	 grace = 0;
	int		 d;

	memset(in, 0, sizeof(*in));
	in->title = f->title ? f->title : "";
	in->active = 1;
	if (!util_utf8_valid(in->title, strlen(in->title)) ||
	    *in->title == '\0' || util_utf8_chars(in->title) > 200) {
		snprintf(why, whysz, "title: 1 to 200 characters.");
		return 0;
	}
	if (!util_utf8_valid(itembuf, strlen(itembuf)) ||
	    !cl_items_parse(itembuf, items, required, &in->nitems, why, whysz))
		return 0;
	in->item_text = items;
	in->item_required = required;
	in->schedule.weekly = f->kind != NULL && strcmp(f->kind, "weekly") == 0;
	if (f->kind != NULL && !in->schedule.weekly &&
	    strcmp(f->kind, "daily") != 0) {
		snprintf(why, whysz, "kind: daily or weekly.");
		return 0;
	}
	for (d = 1; d <= 7; d++)
		in->schedule.weekdays[d] = in->schedule.weekly &&
		    f->weekdays[d];
	if (in->schedule.weekly && !f->weekdays[1] && !f->weekdays[2] &&
	    !f->weekdays[3] && !f->weekdays[4] && !f->weekdays[5] &&
	    !f->weekdays[6] && !f->weekdays[7]) {
		snprintf(why, whysz, "weekday: tick at least one day for a "
		    "weekly template.");
		return 0;
	}
	if (f->time == NULL || !schedule_parse_time(f->time,
	    &in->schedule.hour, &in->schedule.minute)) {
		snprintf(why, whysz, "time: a local time as HH:MM, such as "
		    "07:00.");
		return 0;
	}
	if (f->grace != NULL && *f->grace != '\0' &&
	    !util_strtonum(f->grace, 0, 1440, &grace)) {
		snprintf(why, whysz, "grace: 0 to 1440 minutes.");
		return 0;
	}
	in->due_after_minutes = grace;
	return 1;
}

/* POST /admin/checklists/templates: a new template. */
void
console_checklist_template_create(struct req *r)
{
	struct cl_form		 f;
	struct cl_template_in	 in;
	const char		*items[CL_ITEMS_MAX];
	int			 required[CL_ITEMS_MAX], status;
	char			*itembuf = NULL, why[300], id[37];

	memset(&f, 0, sizeof(f));
	if (!cl_form_read(r, &f, why, sizeof(why))) {
		cl_refuse(r, 400, why, NULL, &f, NULL);
		goto out;
	}
	if (f.items != NULL && util_utf8_chars(f.items) > CL_ITEMS_TEXT) {
		cl_refuse(r, 400, "items: the list is too long.", NULL, &f,
		    NULL);
		goto out;
	}
	/* Cut into lines in a copy: a refused form shows the text typed. */
	if ((itembuf = strdup(f.items ? f.items : "")) == NULL) {
		cl_refuse(r, 503, "Out of memory; nothing changed.", NULL, &f,
		    NULL);
		goto out;
	}
	if (!cl_form_template(&f, itembuf, items, required, &in, why,
	    sizeof(why))) {
		cl_refuse(r, 400, why, NULL, &f, NULL);
		goto out;
	}
	status = cltemplates_write(r->db, r->principal.org_id, NULL, &in, id,
	    why, sizeof(why));
	if (status == 0)
		cl_done(r, CL_FLASH_OK, "Created the template %s.", in.title);
	else
		cl_refuse(r, status >= 500 ? 503 : status, status >= 500 ?
		    "The template could not be created; nothing changed." : why,
		    NULL, &f, NULL);
out:
	free(itembuf);
	cl_form_cleanup(&f);
}

/* POST /admin/checklists/templates/{id}/{activate|deactivate|delete} */
void
console_checklist_template_action(struct req *r)
{
	const char	*action = r->args[1];
	char		*confirm = NULL;
	int		 status;

	if (strcmp(action, "delete") == 0) {
		if (req_form_param(r, "confirm", &confirm) < 0 ||
		    confirm == NULL || strcmp(confirm, "yes") != 0) {
			cl_refuse(r, 400, "Tick \"I am sure\" to delete a "
			    "template.", NULL, NULL, NULL);
			goto out;
		}
		status = cltemplates_remove(r->db, r->principal.org_id,
		    r->args[0]);
	} else if (strcmp(action, "activate") == 0 ||
	    strcmp(action, "deactivate") == 0)
		status = cltemplates_set_active(r->db, r->principal.org_id,
		    r->args[0], action[0] == 'a');
	else {
		html_error_page(r, 404, "No such action.");
		goto out;
	}
	if (status == 0)
		cl_done(r, CL_FLASH_OK, action[0] == 'd' && action[1] == 'e' &&
		    action[2] == 'l' ? "Deleted the template%s." :
		    action[0] == 'a' ? "Activated the template%s." :
		    "Deactivated the template%s.", "");
	else if (status == 404)
		cl_refuse(r, 404, "No such template.", NULL, NULL, NULL);
	else
		cl_refuse(r, 503, "The template could not be changed; nothing "
		    "changed.", NULL, NULL, NULL);
out:
	free(confirm);
}

/* POST /admin/checklists/timezone: the organization's time zone. */
void
console_checklist_timezone(struct req *r)
{
	char	*tz = NULL;

	if (req_form_param(r, "timezone", &tz) < 0 || tz == NULL ||
	    strlen(tz) > 64 || !schedule_tz_valid(tz)) {
		cl_refuse(r, 400, "timezone: not a time zone this server "
		    "knows; use an IANA name such as Europe/Berlin or UTC.",
		    NULL, NULL, tz != NULL && util_utf8_valid(tz, strlen(tz)) ?
		    tz : "");
		goto out;
	}
	if (clscheduler_org_timezone_set(r->db, r->principal.org_id, tz) ==
	    DB_OK)
		cl_done(r, CL_FLASH_OK, "The time zone is now %s.", tz);
	else
		cl_refuse(r, 503, "The database is unavailable; nothing "
		    "changed.", NULL, NULL, NULL);
out:
	free(tz);
}
