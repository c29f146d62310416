/*
 * fuzz_ingest.c - the activity-ingest parsers, without a database: the
 * input as a request body through json_parse_body, then batch_read (the
 * events body, with one of three allowedEventTypes lists) and
 * snapshots_read (the snapshot body); fuzz_timeline takes the
 * allowed-types list. A refusal always has a code and a message; every
 * event is accepted or rejected, never both, and an accepted one keeps
 * every rule of the contract (type, category, the time window, duration,
 * metadata of at most 16 KiB that is a JSON object, an actor); a
 * rejected one's message names its index and is valid UTF-8.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "fuzz.h"

#define NOW_MS	1776601800000LL		/* 2026-04-19T12:30:00Z */

static const char *const codes[] = {
	"invalid_body", "missing_actor", "forbidden_event_type", NULL
};
static const char *const categories[] = {
	"communication", "project_management", "code", "calendar", "design",
	"ai_tools", "other", NULL
};

static int
one_of(const char *s, const char *const *list)
{
	size_t	 i;

	for (i = 0; s != NULL && list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* text[0..len) is one JSON object of at most INGEST_OBJECT_MAX bytes. */
static void
check_object(const char *text, size_t len)
{
	struct json_object	*o;
	char			 err[160];

	if (len > INGEST_OBJECT_MAX || strlen(text) != len)
		abort();
	if ((o = json_parse_body(text, len, err, sizeof(err))) == NULL ||
	    !json_object_is_type(o, json_type_object))
		abort();
	json_object_put(o);
}

static void
check_actor(const struct ingest_actor *a)
{
	if (a->worker_id == NULL && a->external_id == NULL && a->email == NULL)
		abort();
	if ((a->worker_id && (*a->worker_id == '\0' ||
	    util_utf8_chars(a->worker_id) > INGEST_TEXT_MAX)) ||
	    (a->external_id && (*a->external_id == '\0' ||
	    util_utf8_chars(a->external_id) > INGEST_TEXT_MAX)) ||
	    (a->display_name && (*a->display_name == '\0' ||
	    util_utf8_chars(a->display_name) > INGEST_TEXT_MAX)) ||
	    (a->email && !users_email_valid(a->email)))
		abort();
}

static void
check_batch(struct json_object *root, const char *allowed)
{
	struct ingest_batch	 b;
	struct ingest_err	 e;
	const struct ingest_event *ev;
	char			 pfx[32];
	size_t			 i, rejected = 0, forbidden = 0;

	memset(&e, 0, sizeof(e));
	switch (batch_read(&b, root, allowed, NOW_MS, &e)) {
	case BATCH_OK:
		break;
	case BATCH_INVALID:
	case BATCH_TOO_LARGE:
		if (e.code == NULL || e.msg[0] == '\0' || b.n != 0)
			abort();
		return;
	case BATCH_NOMEM:
		return;
	}
	if (b.n < 1 || b.n > INGEST_BATCH_MAX)
		abort();
	for (i = 0; i < b.n; i++) {
		ev = &b.v[i];
		if (ev->index != i)
			abort();
		if (ev->err.code != NULL) {
			snprintf(pfx, sizeof(pfx), "events[%zu]", i);
			if (!one_of(ev->err.code, codes) ||
			    strncmp(ev->err.msg, pfx, strlen(pfx)) != 0 ||
			    !util_utf8_valid(ev->err.msg, strlen(ev->err.msg)))
				abort();
			rejected++;
			forbidden += strcmp(ev->err.code,
			    "forbidden_event_type") == 0;
			continue;
		}
		if (!batch_type_valid(ev->type) ||
		    !batch_type_allowed(allowed, ev->type) ||
		    !one_of(ev->category, categories) ||
		    ev->at_ms < INGEST_EPOCH_MS ||
		    ev->at_ms > NOW_MS + INGEST_FUTURE_MS ||
		    ev->duration < -1 || ev->duration > 86400)
			abort();
		if (ev->metadata != NULL)
			check_object(ev->metadata, ev->metadata_len);
		check_actor(&ev->actor);
	}
	if (rejected != b.nrejected || forbidden != b.nforbidden)
		abort();
	batch_cleanup(&b);
}

static void
check_snapshot(struct json_object *root)
{
	struct ingest_snapshot	 s;
	struct ingest_err	 e;
	struct json_object	*o;
	char			 err[160];

	memset(&e, 0, sizeof(e));
	if (!snapshots_read(&s, root, NOW_MS, &e)) {
		if (e.code == NULL || e.msg[0] == '\0' ||
		    !util_utf8_valid(e.msg, strlen(e.msg)) ||
		    !(one_of(e.code, codes) ||
		    strcmp(e.code, "internal_error") == 0))
			abort();
		snapshots_cleanup(&s);
		return;
	}
	if (!batch_type_valid(s.type) || s.at_ms < INGEST_EPOCH_MS ||
	    s.at_ms > NOW_MS + INGEST_FUTURE_MS || s.metrics_text == NULL)
		abort();
	check_object(s.metrics_text, strlen(s.metrics_text));
	if (s.metadata_text != NULL)
		check_object(s.metadata_text, strlen(s.metadata_text));
	check_actor(&s.actor);
	/* The event it is kept as: {"snapshot":{"metrics":…}}. */
	if ((o = json_parse_body(s.event_metadata, strlen(s.event_metadata),
	    err, sizeof(err))) == NULL)
		abort();
	json_object_put(o);
	snapshots_cleanup(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const allowed[] = {
		NULL, "abc,ticket.resolved,a.b", ""
	};
	struct json_object	*root;
	char			 err[160];

	if ((root = json_parse_body((const char *)data, size, err,
	    sizeof(err))) == NULL)
		return 0;
	check_batch(root, allowed[size % 3]);
	check_snapshot(root);
	json_object_put(root);
	return 0;
}
