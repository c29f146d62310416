/*
 * test_ingest.c - lib/ingest without a database: event and snapshot
 * types, timestamps with their offset and window, the events body and
 * each event's rules (batch.c), the snapshot body (snapshots.c), the
 * allowed-types list (settings.c) and the seconds to next month
 * (usage.c). Each table case names itself on failure.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "tests.h"

/* 2026-04-19T12:30:00Z, the "now" of these tests */
#define NOW_MS	1776601800000LL

static void
test_types(void)
{
	static const struct {
		const char	*s;
		int		 ok;
	} cases[] = {
		{ "abc", 1 }, { "ticket.resolved", 1 }, { "A_b-c.9", 1 },
		{ "a.-_b", 1 }, { "0x0", 1 },
		{ "", 0 }, { "ab", 0 }, { ".abc", 0 }, { "abc.", 0 },
		{ "-abc", 0 }, { "ab_", 0 }, { "a b", 0 }, { "a/b", 0 },
		{ "caf\xc3\xa9", 0 }, { "a:bc", 0 },
		/* 64 and 65 characters */
		{ "a123456789012345678901234567890123456789012345678901234567890"
		    "12z", 1 },
		{ "a123456789012345678901234567890123456789012345678901234567890"
		    "123z", 0 },
	};
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++)
		CHECK(batch_type_valid(cases[i].s) == cases[i].ok,
		    "[%s] valid %d", cases[i].s, !cases[i].ok);
}

static void
test_allowed(void)
{
	static const struct {
		const char	*allowed, *type;
		int		 ok;
	} cases[] = {
		{ NULL, "abc", 1 }, { "", "abc", 1 },
		{ "abc", "abc", 1 }, { "abc,def", "def", 1 },
		{ "abc,def", "abc", 1 }, { "abc,def", "ab", 0 },
		{ "abc,def", "abcd", 0 }, { "abc,def", "bc", 0 },
		{ "abc", "ABC", 0 }, { "a.b.c,x.y.z", "a.b", 0 },
	};
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++)
		CHECK(batch_type_allowed(cases[i].allowed, cases[i].type) ==
		    cases[i].ok, "[%s in %s] %d", cases[i].type,
		    cases[i].allowed ? cases[i].allowed : "(null)",
		    !cases[i].ok);
}

static void
test_time(void)
{
	static const struct {
		const char	*s;
		int		 ok;
		int64_t		 ms;
	} cases[] = {
		{ "2026-04-19T12:30:00Z", 1, NOW_MS },
		{ "2026-04-19T12:30Z", 1, NOW_MS },
		{ "2026-04-19t12:30:00z", 1, NOW_MS },
		{ "2026-04-19T14:30:00+02:00", 1, NOW_MS },
		{ "2026-04-19T07:00:00-0530", 1, NOW_MS },
		{ "2026-04-19T12:30:00.250Z", 1, NOW_MS + 250 },
		{ "2026-04-19T12:30:00.1234567Z", 1, NOW_MS + 123 },
		{ "2026-04-19T12:30:00", 0, 0 },
		{ "2026-04-19T12:30", 0, 0 },
		{ "2026-04-19", 0, 0 },
		{ "2026-04-19 12:30:00Z", 0, 0 },
		{ "2026-04-19T12:30:00+02", 0, 0 },
		{ "2026-02-30T12:30:00Z", 0, 0 },
		{ "2026-04-19T24:00:00Z", 0, 0 },
		{ "2026-04-19T12:30:00ZZ", 0, 0 },
		{ "", 0, 0 },
		{ "yesterday", 0, 0 },
	};
	int64_t	 ms;
	size_t	 i;
	int	 ok;

	for (i = 0; i < NELEM(cases); i++) {
		ms = -1;
		ok = batch_time_parse(cases[i].s, &ms);
		CHECK(ok == cases[i].ok, "[%s] ok %d", cases[i].s, ok);
		if (ok && cases[i].ok)
			CHECK(ms == cases[i].ms, "[%s] %lld, want %lld",
			    cases[i].s, (long long)ms, (long long)cases[i].ms);
	}
}

/* The events body: the envelope's result, then each event's code. */
static void
test_batch(void)
{
	static const struct {
		const char	*body, *allowed;
		enum batch_res	 res;
		const char	*codes;		/* per event: . accepted, or the
						 * first letter of the code */
		const char	*msg;		/* envelope message, or the
						 * first rejected one's start */
	} cases[] = {
		{ "[]", NULL, BATCH_INVALID, "", "body: expected" },
		{ "{}", NULL, BATCH_INVALID, "", "events: is required" },
		{ "{\"events\":null}", NULL, BATCH_INVALID, "",
		    "events: is required" },
		{ "{\"events\":7}", NULL, BATCH_INVALID, "", "events: expected" },
		{ "{\"events\":[]}", NULL, BATCH_INVALID, "",
		    "events: at least one" },
		{ "{\"events\":[{\"eventType\":\"abc\",\"category\":\"code\","
		    "\"actor\":{\"email\":\"a@b.co\"}}]}", NULL, BATCH_OK, ".",
		    NULL },
		{ "{\"events\":[1,{},{\"eventType\":\"abc\",\"category\":"
		    "\"code\"}]}", NULL, BATCH_OK, "iim", "events[0]: expected" },
		{ "{\"events\":[{\"eventType\":\"abc\",\"category\":\"code\","
		    "\"actor\":{\"email\":\"a@b.co\"}},{\"eventType\":\"xyz\","
		    "\"category\":\"nope\"}]}", "abc", BATCH_OK, ".f",
		    "events[1].eventType: xyz is not" },
		{ "{\"events\":[{\"eventType\":\"abc\",\"category\":\"code\","
		    "\"timestamp\":\"2026-04-19T13:30:00Z\",\"actor\":{\"email\":"
		    "\"a@b.co\"}},{\"eventType\":\"abc\",\"category\":\"code\","
		    "\"timestamp\":\"2026-04-19T13:30:00.001Z\",\"actor\":"
		    "{\"email\":\"a@b.co\"}}]}", NULL, BATCH_OK, ".i",
		    "events[1].timestamp: more than 1 hour" },
		{ "{\"events\":[{\"eventType\":\"abc\",\"category\":\"code\","
		    "\"timestamp\":\"2000-01-01T00:00:00Z\",\"actor\":{\"email\":"
		    "\"a@b.co\"}},{\"eventType\":\"abc\",\"category\":\"code\","
		    "\"timestamp\":\"1999-12-31T23:59:59.999Z\",\"actor\":"
		    "{\"email\":\"a@b.co\"}}]}", NULL, BATCH_OK, ".i",
		    "events[1].timestamp: before 2000" },
		{ "{\"events\":[{\"eventType\":\"abc\",\"category\":\"code\","
		    "\"duration\":86400.0,\"actor\":{\"workerId\":\"w\"}},"
		    "{\"eventType\":\"abc\",\"category\":\"code\",\"duration\":"
		    "1e9,\"actor\":{\"workerId\":\"w\"}}]}", NULL, BATCH_OK, ".i",
		    "events[1].duration: must be between" },
		{ "{\"events\":[{\"eventType\":\"abc\",\"category\":\"code\","
		    "\"actor\":{\"externalId\":\"\",\"email\":\"\"}}]}", NULL,
		    BATCH_OK, "m", "events[0].actor: needs" },
		{ "{\"events\":[{\"eventType\":\"abc\",\"category\":\"code\","
		    "\"actor\":{\"email\":\"a@b\"}}]}", NULL, BATCH_OK, "i",
		    "events[0].actor.email: not" },
		{ "{\"events\":[{\"eventType\":\"abc\",\"category\":\"code\","
		    "\"actor\":{\"email\":\"a@b.co\",\"displayName\":7}}]}", NULL,
		    BATCH_OK, "i", "events[0].actor.displayName: expected" },
		{ "{\"events\":[{\"eventType\":\"abc\",\"category\":\"code\","
		    "\"metadata\":{},\"actor\":{\"externalId\":\"x\"}}]}", NULL,
		    BATCH_OK, ".", NULL },
	};
	struct json_object	*o;
	struct ingest_batch	 b;
	struct ingest_err	 e;
	enum batch_res		 res;
	char			 err[160] = "", name[32], got[16];
	const char		*first;
	size_t			 i, k;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(name, sizeof(name), "case %zu", i);
		o = json_parse_body(cases[i].body, strlen(cases[i].body), err,
		    sizeof(err));
		if (!CHECK(o != NULL, "[%s] does not parse: %s", name, err))
			continue;
		memset(&e, 0, sizeof(e));
		res = batch_read(&b, o, cases[i].allowed, NOW_MS, &e);
		CHECK(res == cases[i].res, "[%s] result %d", name, (int)res);
		if (res != BATCH_OK) {
			CHECK(e.code != NULL && strncmp(e.msg, cases[i].msg,
			    strlen(cases[i].msg)) == 0, "[%s] %s", name, e.msg);
		} else {
			first = NULL;
			for (k = 0; k < b.n && k + 1 < sizeof(got); k++) {
				got[k] = b.v[k].err.code ? b.v[k].err.code[0] :
				    '.';
				if (first == NULL && b.v[k].err.code)
					first = b.v[k].err.msg;
			}
			got[k] = '\0';
			CHECK_STR(name, got, cases[i].codes);
			if (cases[i].msg != NULL)
				CHECK(first != NULL && strncmp(first,
				    cases[i].msg, strlen(cases[i].msg)) == 0,
				    "[%s] %s", name, first ? first : "(none)");
		}
		batch_cleanup(&b);
		json_object_put(o);
	}
}

/* An accepted event as read: precedence is actors.c's; here, fields. */
static void
test_event_fields(void)
{
	static const char	 body[] = "{\"events\":[{\"eventType\":"
	    "\"ticket.resolved\",\"category\":\"project_management\","
	    "\"timestamp\":\"2026-04-19T14:30:00+02:00\",\"duration\":180,"
	    "\"metadata\":{\"b\":[1, 2],\"a\":\"x\"},\"actor\":{\"workerId\":"
	    "\"w-1\",\"externalId\":\"e-1\",\"email\":\"A@B.co\","
	    "\"displayName\":\"\"},\"other\":1}]}";
	struct json_object	*o;
	struct ingest_batch	 b;
	struct ingest_err	 e;
	char			 err[160] = "";

	o = json_parse_body(body, strlen(body), err, sizeof(err));
	CHECK(o != NULL, "parse: %s", err);
	CHECK(batch_read(&b, o, "x.y.z,ticket.resolved", NOW_MS, &e) ==
	    BATCH_OK && b.n == 1 && b.nrejected == 0, "read");
	if (b.n == 1 && b.v[0].err.code == NULL) {
		CHECK_STR("type", b.v[0].type, "ticket.resolved");
		CHECK_STR("category", b.v[0].category, "project_management");
		CHECK(b.v[0].at_ms == NOW_MS, "at %lld",
		    (long long)b.v[0].at_ms);
		CHECK(b.v[0].duration == 180, "duration %lld",
		    b.v[0].duration);
		CHECK_STR("metadata", b.v[0].metadata,
		    "{\"b\":[1,2],\"a\":\"x\"}");
		CHECK_STR("workerId", b.v[0].actor.worker_id, "w-1");
		CHECK_STR("externalId", b.v[0].actor.external_id, "e-1");
		CHECK_STR("email", b.v[0].actor.email, "A@B.co");
		CHECK(b.v[0].actor.display_name == NULL, "empty displayName");
	}
	batch_cleanup(&b);
	json_object_put(o);
}

static void
test_snapshot(void)
{
	static const struct {
		const char	*body;
		const char	*code;		/* NULL: valid */
		const char	*msg;
	} cases[] = {
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"email\":\"a@b.co\"},"
		    "\"metrics\":{\"a\":1,\"b\":-2.5,\"c\":\"ok\",\"d\":{},\"e\":"
		    "{\"value\":1,\"unit\":\"score\",\"label\":\"L\",\"x\":1}}}",
		    NULL, NULL },
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"email\":\"a@b.co\"},"
		    "\"metrics\":{},\"metadata\":null}", NULL, NULL },
		{ "7", "invalid_body", "body:" },
		{ "{\"actor\":{\"email\":\"a@b.co\"},\"metrics\":{}}",
		    "invalid_body", "snapshotType: is required" },
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"email\":\"a@b.co\"}}",
		    "invalid_body", "metrics: is required" },
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"email\":\"a@b.co\"},"
		    "\"metrics\":null}", "invalid_body", "metrics: is required" },
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"email\":\"a@b.co\"},"
		    "\"metrics\":{\"a\":[1]}}", "invalid_body", "metrics.a:" },
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"email\":\"a@b.co\"},"
		    "\"metrics\":{\"a\":{\"unit\":\"hours\"}}}", "invalid_body",
		    "metrics.a.unit:" },
		{ "{\"snapshotType\":\"abc\",\"actor\":{\"email\":\"a@b.co\"},"
		    "\"metrics\":{\"a\":{\"unit\":null,\"value\":null}}}", NULL,
		    NULL },
		{ "{\"snapshotType\":\"abc\",\"metrics\":{}}", "missing_actor",
		    "actor:" },
		{ "{\"snapshotType\":\"abc\",\"actor\":[],\"metrics\":{}}",
		    "invalid_body", "actor:" },
	};
	struct ingest_snapshot	 s;
	struct ingest_err	 e;
	struct json_object	*o;
	char			 err[160] = "", name[32];
	size_t			 i;
	int			 ok;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(name, sizeof(name), "case %zu", i);
		o = json_parse_body(cases[i].body, strlen(cases[i].body), err,
		    sizeof(err));
		if (!CHECK(o != NULL, "[%s] parse: %s", name, err))
			continue;
		memset(&e, 0, sizeof(e));
		ok = snapshots_read(&s, o, NOW_MS, &e);
		CHECK(ok == (cases[i].code == NULL), "[%s] ok %d (%s)", name,
		    ok, e.msg);
		if (!ok && cases[i].code != NULL) {
			CHECK_STR(name, e.code, cases[i].code);
			CHECK(strncmp(e.msg, cases[i].msg,
			    strlen(cases[i].msg)) == 0, "[%s] %s", name, e.msg);
		}
		if (ok)
			CHECK(s.event_metadata != NULL && strncmp(
			    s.event_metadata, "{\"snapshot\":{\"metrics\":",
			    23) == 0 && s.at_ms == NOW_MS, "[%s] %s", name,
			    s.event_metadata ? s.event_metadata : "(null)");
		snapshots_cleanup(&s);
		json_object_put(o);
	}
}

static void
test_next_month(void)
{
	static const struct {
		int64_t		 now_ms;
		long long	 want;
	} cases[] = {
		{ NOW_MS, 11 * 86400LL + 11 * 3600 + 30 * 60 },	/* to May 1 */
		{ 1798761599000LL, 1 },		/* 2026-12-31T23:59:59Z */
		{ 1798761600000LL, 31 * 86400LL },	/* 2027-01-01 */
		{ 1801439999500LL, 1 },		/* Jan 31 23:59:59.5 */
	};
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++)
		CHECK(usage_next_month_s(cases[i].now_ms) == cases[i].want,
		    "[%zu] %lld, want %lld", i,
		    usage_next_month_s(cases[i].now_ms), cases[i].want);
}

/* A message cut short stays valid UTF-8. */
static void
test_fail_cut(void)
{
	struct ingest_err	 e;
	char			 id[601];
	size_t			 i, pad;

	for (pad = 0; pad < 3; pad++) {
		for (i = 0; i < 200; i++)
			memcpy(id + 3 * i, "\xe2\x82\xac", 3);	/* the euro sign */
		id[600] = '\0';
		batch_fail(&e, "worker_not_found", "%.*sno worker %s",
		    (int)pad, "xx", id);
		CHECK(util_utf8_valid(e.msg, strlen(e.msg)) &&
		    strlen(e.msg) > 240, "[pad %zu] %zu bytes, %s", pad,
		    strlen(e.msg), test_esc(e.msg, strlen(e.msg)));
	}
}

/* The "ingest" suite. */
void
test_ingest_register(void)
{
	static const struct test_def tests[] = {
		{ "event and snapshot types", test_types },
		{ "allowedEventTypes", test_allowed },
		{ "timestamps need an offset", test_time },
		{ "the events body, each event alone", test_batch },
		{ "an accepted event's fields", test_event_fields },
		{ "the snapshot body", test_snapshot },
		{ "seconds to next month", test_next_month },
		{ "a long message is cut between characters", test_fail_cut },
	};

	test_add_suite("ingest", NULL, NULL, tests, NELEM(tests));
}
