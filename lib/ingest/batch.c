/*
 * batch.c - the body of POST /api/v1/ingest/events and the rules of one
 * event (the contract's IngestEvent), read from parsed JSON without a
 * database, so that the unit tests and the fuzz target reach every rule.
 * A fault of the envelope refuses the request (400 invalid_body, 413
 * batch_too_large); a fault of one event rejects that event alone, with
 * a code and a message that starts with its field ("events[3].timestamp:
 * …"). Snapshots (snapshots.c) share the type, time, object and actor
 * readers. Unknown fields are ignored; JSON null is a field not sent.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "ingest/ingest.h"

static const char *const categories[] = {
	"communication", "project_management", "code", "calendar", "design",
	"ai_tools", "other", NULL
};

/* Refuse with code and a message (the field's name first); a message
 * cut short is cut between UTF-8 characters, so it stays JSON. */
void
batch_fail(struct ingest_err *e, const char *code, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 len;
	int	 n;

	e->code = code;
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(e->msg)) {
		len = sizeof(e->msg) - 1;
		while (len > 0 && !util_utf8_valid(e->msg, len))
			len--;
		e->msg[len] = '\0';
	}
}

static int
batch_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* ^[A-Za-z0-9][A-Za-z0-9_.-]{1,62}[A-Za-z0-9]$: an eventType or a
 * snapshotType. */
int
batch_type_valid(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n < 3 || n > 64 || !batch_alnum(s[0]) || !batch_alnum(s[n - 1]))
		return 0;
	for (i = 1; i < n - 1; i++)
		if (!batch_alnum(s[i]) && strchr("_.-", s[i]) == NULL)
			return 0;
	return 1;
}

/* 1 when type is in allowed (types separated by commas); NULL or "" is
 * every type. */
int
batch_type_allowed(const char *allowed, const char *type)
{
	size_t		 n = strlen(type), k;
	const char	*p = allowed;

	if (p == NULL || *p == '\0')
		return 1;
	while (*p != '\0') {
		k = strcspn(p, ",");
		if (k == n && memcmp(p, type, n) == 0)
			return 1;
		p += k + (p[k] == ',');
	}
	return 0;
}

/*
 * A string field of at most max characters: 1 with *out (borrowed, NULL
 * when not sent), 0 when refused. A required field not sent is refused.
 */
static int
batch_string(struct json_object *o, const char *pfx, const char *field,
    int required, size_t max, const char **out, struct ingest_err *e)
{
	struct json_object	*v = valid_get(o, field);
	size_t			 n;

	*out = NULL;
	if (v == NULL) {
		if (required)
			batch_fail(e, "invalid_body", "%s%s: is required", pfx,
			    field);
		return !required;
	}
	if (!json_object_is_type(v, json_type_string)) {
		batch_fail(e, "invalid_body", "%s%s: expected a string", pfx,
		    field);
		return 0;
	}
	*out = json_object_get_string(v);
	if ((n = util_utf8_chars(*out)) > max) {
		batch_fail(e, "invalid_body", "%s%s: at most %zu characters, "
		    "got %zu", pfx, field, max, n);
		return 0;
	}
	return 1;
}

/* A required eventType or snapshotType named field. */
int
batch_type_read(struct json_object *o, const char *pfx, const char *field,
    const char **out, struct ingest_err *e)
{
	if (!batch_string(o, pfx, field, 1, 64, out, e))
		return 0;
	if (batch_type_valid(*out))
		return 1;
	batch_fail(e, "invalid_body", "%s%s: 3 to 64 letters, digits, '_', "
	    "'.' or '-', starting and ending with a letter or digit", pfx,
	    field);
	return 0;
}

/*
 * An ISO 8601 date-time with an offset ("2026-04-19T12:30:00Z",
 * "…T14:30:00.250+02:00", "…T12:30Z") as UTC milliseconds; 0 without
 * a date and time, or without the offset that says which instant it is.
 */
int
batch_time_parse(const char *s, int64_t *ms)
{
	size_t	 n = strlen(s);

	if (n < 17 || (s[10] != 'T' && s[10] != 't'))
		return 0;
	if (s[n - 1] != 'Z' && s[n - 1] != 'z' && strpbrk(s + 16, "+-") == NULL)
		return 0;
	return util_parse_time(s, ms);
}

/* An optional timestamp within [2000-01-01, now + 1 h]; now when absent. */
int
batch_time_read(struct json_object *o, const char *pfx, int64_t now,
    int64_t *ms, struct ingest_err *e)
{
	const char	*s;

	*ms = now;
	if (!batch_string(o, pfx, "timestamp", 0, 40, &s, e))
		return 0;
	if (s == NULL)
		return 1;
	if (!batch_time_parse(s, ms)) {
		batch_fail(e, "invalid_body", "%stimestamp: expected an ISO "
		    "8601 date-time with an offset, e.g. 2026-04-19T12:30:00Z",
		    pfx);
		return 0;
	}
	if (*ms < INGEST_EPOCH_MS) {
		batch_fail(e, "invalid_body", "%stimestamp: before 2000-01-01",
		    pfx);
		return 0;
	}
	if (*ms > now + INGEST_FUTURE_MS) {
		batch_fail(e, "invalid_body", "%stimestamp: more than 1 hour "
		    "in the future", pfx);
		return 0;
	}
	return 1;
}

/* ms as "2026-04-19T12:30:00.000Z". */
void
batch_time_json(int64_t ms, char out[25])
{
	char	 sql[24];

	util_sql_time(ms, sql);
	sql[10] = 'T';
	snprintf(out, 25, "%sZ", sql);
}

/*
 * An optional JSON object named field, at most INGEST_OBJECT_MAX bytes
 * serialized: *text (borrowed from the object, NULL when not sent) and
 * *len.
 */
int
batch_object_read(struct json_object *o, const char *pfx, const char *field,
    const char **text, size_t *len, struct ingest_err *e)
{
	struct json_object	*v = valid_get(o, field);

	*text = NULL;
	*len = 0;
	if (v == NULL)
		return 1;
	if (!json_object_is_type(v, json_type_object)) {
		batch_fail(e, "invalid_body", "%s%s: expected an object", pfx,
		    field);
		return 0;
	}
	*text = json_object_to_json_string_length(v, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, len);
	if (*text == NULL || *len > INGEST_OBJECT_MAX) {
		batch_fail(e, "invalid_body", "%s%s: at most %d bytes as JSON, "
		    "got %zu", pfx, field, INGEST_OBJECT_MAX, *len);
		*text = NULL;
		return 0;
	}
	return 1;
}

/* An actor field; an empty string counts as not sent. */
static int
batch_actor_field(struct json_object *a, const char *pfx, const char *field,
    size_t max, const char **out, struct ingest_err *e)
{
	char	 p[48];

	snprintf(p, sizeof(p), "%sactor.", pfx);
	if (!batch_string(a, p, field, 0, max, out, e))
		return 0;
	if (*out != NULL && **out == '\0')
		*out = NULL;
	return 1;
}

/*
 * The required actor: at least one of workerId, externalId or email
 * (else missing_actor); every field sent must be valid whichever one is
 * used (workerId wins over externalId, which wins over email).
 */
int
batch_actor_read(struct json_object *o, const char *pfx,
    struct ingest_actor *a, struct ingest_err *e)
{
	struct json_object	*v = valid_get(o, "actor");

	memset(a, 0, sizeof(*a));
	if (v == NULL) {
		batch_fail(e, "missing_actor", "%sactor: is required (one of "
		    "workerId, externalId or email)", pfx);
		return 0;
	}
	if (!json_object_is_type(v, json_type_object)) {
		batch_fail(e, "invalid_body", "%sactor: expected an object",
		    pfx);
		return 0;
	}
	if (!batch_actor_field(v, pfx, "workerId", INGEST_TEXT_MAX,
	    &a->worker_id, e) ||
	    !batch_actor_field(v, pfx, "externalId", INGEST_TEXT_MAX,
	    &a->external_id, e) ||
	    !batch_actor_field(v, pfx, "email", 254, &a->email, e) ||
	    !batch_actor_field(v, pfx, "displayName", INGEST_TEXT_MAX,
	    &a->display_name, e))
		return 0;
	if (a->email != NULL && !users_email_valid(a->email)) {
		batch_fail(e, "invalid_body", "%sactor.email: not an e-mail "
		    "address", pfx);
		return 0;
	}
	if (a->worker_id == NULL && a->external_id == NULL && a->email == NULL) {
		batch_fail(e, "missing_actor", "%sactor: needs one of workerId, "
		    "externalId or email", pfx);
		return 0;
	}
	return 1;
}

/* duration: whole seconds 0..86400 (180.0 is 180), -1 when not sent. */
static int
batch_duration_read(struct json_object *o, const char *pfx, long long *out,
    struct ingest_err *e)
{
	struct json_object	*v = valid_get(o, "duration");
	double			 d;

	*out = -1;
	if (v == NULL)
		return 1;
	if (json_object_is_type(v, json_type_int)) {
		*out = (long long)json_object_get_int64(v);
		if (*out >= 0 && *out <= 86400)
			return 1;
	} else if (json_object_is_type(v, json_type_double)) {
		d = json_object_get_double(v);
		if (d >= 0 && d <= 86400 && floor(d) == d) {
			*out = (long long)d;
			return 1;
		}
		if (floor(d) != d) {
			batch_fail(e, "invalid_body", "%sduration: expected a "
			    "whole number of seconds", pfx);
			return 0;
		}
	} else {
		batch_fail(e, "invalid_body", "%sduration: expected an integer "
		    "(seconds)", pfx);
		return 0;
	}
	batch_fail(e, "invalid_body", "%sduration: must be between 0 and "
	    "86400 seconds", pfx);
	return 0;
}

/* 1 when s is one of the contract's event categories. */
int
batch_category_valid(const char *s)
{
	size_t	 i;

	for (i = 0; categories[i] != NULL; i++)
		if (strcmp(s, categories[i]) == 0)
			return 1;
	return 0;
}

/* The i-th category of the contract (EventCategory); NULL after the
 * last. */
const char *
batch_category_at(size_t i)
{
	return i < sizeof(categories) / sizeof(categories[0]) ? categories[i] :
	    NULL;
}

static int
batch_category_read(struct json_object *o, const char *pfx,
    const char **out, struct ingest_err *e)
{
	size_t	 i;

	if (!batch_string(o, pfx, "category", 1, 64, out, e))
		return 0;
	for (i = 0; categories[i] != NULL; i++)
		if (strcmp(*out, categories[i]) == 0) {
			*out = categories[i];
			return 1;
		}
	batch_fail(e, "invalid_body", "%scategory: one of communication, "
	    "project_management, code, calendar, design, ai_tools, other", pfx);
	return 0;
}

/* One event, in the order of its rules; the first fault rejects it. */
static void
batch_event_read(struct ingest_event *ev, struct json_object *o,
    const char *allowed, int64_t now)
{
	char	 pfx[32];

	snprintf(pfx, sizeof(pfx), "events[%zu].", ev->index);
	ev->duration = -1;
	if (!json_object_is_type(o, json_type_object)) {
		batch_fail(&ev->err, "invalid_body", "events[%zu]: expected an "
		    "object", ev->index);
		return;
	}
	if (!batch_type_read(o, pfx, "eventType", &ev->type, &ev->err))
		return;
	if (!batch_type_allowed(allowed, ev->type)) {
		batch_fail(&ev->err, "forbidden_event_type", "%seventType: %s "
		    "is not among this app's allowedEventTypes", pfx, ev->type);
		return;
	}
	if (batch_category_read(o, pfx, &ev->category, &ev->err) &&
	    batch_time_read(o, pfx, now, &ev->at_ms, &ev->err) &&
	    batch_duration_read(o, pfx, &ev->duration, &ev->err) &&
	    batch_object_read(o, pfx, "metadata", &ev->metadata,
	    &ev->metadata_len, &ev->err))
		batch_actor_read(o, pfx, &ev->actor, &ev->err);
}

/*
 * Read the events body root (parsed JSON, borrowed by b until it is
 * freed) with the app's allowed types (NULL: all) at now (UTC ms).
 * BATCH_OK with every event read, each accepted or rejected on its own;
 * BATCH_INVALID (400) or BATCH_TOO_LARGE (413) with e set; BATCH_NOMEM.
 */
enum batch_res
batch_read(struct ingest_batch *b, struct json_object *root,
    const char *allowed, int64_t now, struct ingest_err *e)
{
	struct json_object	*arr;
	size_t			 i;

	memset(b, 0, sizeof(*b));
	if (!json_object_is_type(root, json_type_object)) {
		batch_fail(e, "invalid_body", "body: expected a JSON object");
		return BATCH_INVALID;
	}
	if ((arr = valid_get(root, "events")) == NULL) {
		batch_fail(e, "invalid_body", "events: is required");
		return BATCH_INVALID;
	}
	if (!json_object_is_type(arr, json_type_array)) {
		batch_fail(e, "invalid_body", "events: expected an array");
		return BATCH_INVALID;
	}
	if ((b->n = json_object_array_length(arr)) == 0) {
		batch_fail(e, "invalid_body", "events: at least one event is "
		    "required");
		return BATCH_INVALID;
	}
	if (b->n > INGEST_BATCH_MAX) {
		batch_fail(e, "batch_too_large", "events: at most %d events a "
		    "request, got %zu; split the batch", INGEST_BATCH_MAX, b->n);
		b->n = 0;
		return BATCH_TOO_LARGE;
	}
	if ((b->v = calloc(b->n, sizeof(*b->v))) == NULL) {
		b->n = 0;
		return BATCH_NOMEM;
	}
	for (i = 0; i < b->n; i++) {
		b->v[i].index = i;
		batch_event_read(&b->v[i], json_object_array_get_idx(arr, i),
		    allowed, now);
		if (b->v[i].err.code != NULL) {
			b->nrejected++;
			b->nforbidden += strcmp(b->v[i].err.code,
			    "forbidden_event_type") == 0;
		}
	}
	return BATCH_OK;
}

void
batch_cleanup(struct ingest_batch *b)
{
	free(b->v);
	memset(b, 0, sizeof(*b));
}
