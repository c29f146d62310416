/*
 * test_conf.c - conf.c: the key = value file, MIHWAR_<KEY> environment
 * overrides and the final checks.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mihwar.h"
#include "tests.h"

#define KEY64	"000102030405060708090a0b0c0d0e0f" \
		"101112131415161718191a1b1c1d1e1f"

enum ftype { F_STR, F_INT, F_BOOL };

static const struct {
	const char	*name, *env;
	enum ftype	 type;
	size_t		 offset;
} fields[] = {
	{ "db_socket", "MIHWAR_DB_SOCKET", F_STR,
	    offsetof(struct conf, db_socket) },
	{ "db_host", "MIHWAR_DB_HOST", F_STR, offsetof(struct conf, db_host) },
	{ "db_port", "MIHWAR_DB_PORT", F_INT, offsetof(struct conf, db_port) },
	{ "db_name", "MIHWAR_DB_NAME", F_STR, offsetof(struct conf, db_name) },
	{ "db_user", "MIHWAR_DB_USER", F_STR, offsetof(struct conf, db_user) },
	{ "db_password", "MIHWAR_DB_PASSWORD", F_STR,
	    offsetof(struct conf, db_password) },
	{ "master_key", "MIHWAR_MASTER_KEY", F_STR,
	    offsetof(struct conf, master_key_hex) },
	{ "max_body_bytes", "MIHWAR_MAX_BODY_BYTES", F_INT,
	    offsetof(struct conf, max_body_bytes) },
	{ "log_level", "MIHWAR_LOG_LEVEL", F_STR,
	    offsetof(struct conf, log_level) },
	{ "migrations_dir", "MIHWAR_MIGRATIONS_DIR", F_STR,
	    offsetof(struct conf, migrations_dir) },
	{ "base_url", "MIHWAR_BASE_URL", F_STR,
	    offsetof(struct conf, base_url) },
	{ "worker_poll_ms", "MIHWAR_WORKER_POLL_MS", F_INT,
	    offsetof(struct conf, worker_poll_ms) },
	{ "allow_private_destinations", "MIHWAR_ALLOW_PRIVATE_DESTINATIONS",
	    F_BOOL, offsetof(struct conf, allow_private_destinations) },
	{ "event_retry_schedule", "MIHWAR_EVENT_RETRY_SCHEDULE", F_STR,
	    offsetof(struct conf, event_retry_schedule) },
	{ "events_retention_days", "MIHWAR_EVENTS_RETENTION_DAYS", F_INT,
	    offsetof(struct conf, events_retention_days) },
	{ "key_cache_seconds", "MIHWAR_KEY_CACHE_SECONDS", F_INT,
	    offsetof(struct conf, key_cache_seconds) },
	{ "process_header", "MIHWAR_PROCESS_HEADER", F_BOOL,
	    offsetof(struct conf, process_header) },
};

/* The value of the field named key as text, into out. */
static const char *
field_text(const struct conf *c, const char *key, char *out, size_t sz)
{
	const char	*p;
	size_t		 i;

	for (i = 0; i < NELEM(fields); i++) {
		if (strcmp(fields[i].name, key) != 0)
			continue;
		p = (const char *)c + fields[i].offset;
		if (fields[i].type == F_INT)
			snprintf(out, sz, "%lld", *(const long long *)p);
		else if (fields[i].type == F_BOOL)
			snprintf(out, sz, "%d", *(const int *)p);
		else
			snprintf(out, sz, "%s", *(char *const *)p ?
			    *(char *const *)p : "(null)");
		return out;
	}
	snprintf(out, sz, "(no field %s)", key);
	return out;
}

/* No MIHWAR_* variable of the caller's environment may leak in. */
static int
suite_init(void)
{
	size_t	 i;

	for (i = 0; i < NELEM(fields); i++)
		unsetenv(fields[i].env);
	return 0;
}

/*
 * Each case parses text into a fresh conf. On success key holds want;
 * on failure the error names want.
 */
static void
test_parse(void)
{
	static const struct {
		const char	*name, *text;
		int		 ok;
		const char	*key, *want;
	} cases[] = {
		{ "empty file", "", 1, "db_port", "3306" },
		{ "comment", "# db_port = 1\n", 1, "db_port", "3306" },
		{ "indented comment", "  \t# db_port = 1", 1, "db_port",
		    "3306" },
		{ "blank lines", "\n\n  \n\t\ndb_port = 1\n\n", 1, "db_port",
		    "1" },
		{ "no spaces", "db_port=2", 1, "db_port", "2" },
		{ "spaces around", "  db_port   =   3  \n", 1, "db_port", "3" },
		{ "tabs and CRLF", "db_port\t=\t4\r\n", 1, "db_port", "4" },
		{ "last line wins", "db_port = 5\ndb_port = 6\n", 1, "db_port",
		    "6" },
		{ "key case", "DB_Port = 7", 1, "db_port", "7" },
		{ "inner spaces kept", "db_socket = /run/my sql.sock ", 1,
		    "db_socket", "/run/my sql.sock" },
		{ "'=' in value", "db_password = a=b=c\n", 1, "db_password",
		    "a=b=c" },
		{ "'#' in value", "base_url = http://x/#frag", 1, "base_url",
		    "http://x/#frag" },
		{ "empty string", "db_host =\n", 1, "db_host", "" },
		{ "master key", "master_key = " KEY64, 1, "master_key",
		    KEY64 },
		{ "port 0", "db_port = 0", 1, "db_port", "0" },
		{ "port 65535", "db_port = 65535", 1, "db_port", "65535" },
		{ "port 65536", "db_port = 65536", 0, NULL, "db_port" },
		{ "port -1", "db_port = -1", 0, NULL, "db_port" },
		{ "port +5", "db_port = +5", 0, NULL, "db_port" },
		{ "port junk", "db_port = 33o6", 0, NULL, "db_port" },
		{ "port empty", "db_port =", 0, NULL, "db_port" },
		{ "body 1023", "max_body_bytes = 1023", 0, NULL,
		    "max_body_bytes" },
		{ "body 1024", "max_body_bytes = 1024", 1, "max_body_bytes",
		    "1024" },
		{ "body 2^30", "max_body_bytes = 1073741824", 1,
		    "max_body_bytes", "1073741824" },
		{ "body 2^30+1", "max_body_bytes = 1073741825", 0, NULL,
		    "max_body_bytes" },
		{ "poll 9", "worker_poll_ms = 9", 0, NULL, "worker_poll_ms" },
		{ "poll 600001", "worker_poll_ms = 600001", 0, NULL,
		    "worker_poll_ms" },
		{ "poll 10", "worker_poll_ms = 10", 1, "worker_poll_ms", "10" },
		{ "bool 1", "allow_private_destinations = 1", 1,
		    "allow_private_destinations", "1" },
		{ "bool true", "allow_private_destinations = true", 1,
		    "allow_private_destinations", "1" },
		{ "bool TRUE", "allow_private_destinations = TRUE", 1,
		    "allow_private_destinations", "1" },
		{ "bool Yes", "allow_private_destinations = Yes", 1,
		    "allow_private_destinations", "1" },
		{ "bool 0", "allow_private_destinations = 1\n"
		    "allow_private_destinations = 0", 1,
		    "allow_private_destinations", "0" },
		{ "bool false", "allow_private_destinations = 1\n"
		    "allow_private_destinations = false", 1,
		    "allow_private_destinations", "0" },
		{ "bool NO", "allow_private_destinations = yes\n"
		    "allow_private_destinations = NO", 1,
		    "allow_private_destinations", "0" },
		{ "bool maybe", "allow_private_destinations = maybe", 0, NULL,
		    "allow_private_destinations" },
		{ "bool 2", "allow_private_destinations = 2", 0, NULL,
		    "allow_private_destinations" },
		{ "bool on", "allow_private_destinations = on", 0, NULL,
		    "allow_private_destinations" },
		{ "bool empty", "allow_private_destinations =", 0, NULL,
		    "allow_private_destinations" },
		{ "unknown key", "colour = blue\n", 0, NULL,
		    "unknown key colour" },
		{ "unknown after good", "db_port = 1\n  bogus_key = 2\n", 0,
		    NULL, "unknown key bogus_key" },
		{ "prefix of a key", "db = x", 0, NULL, "unknown key db" },
		{ "key with suffix", "db_portx = 1", 0, NULL,
		    "unknown key db_portx" },
		{ "long unknown key", "abcdefghijklmnopqrstuvwxyz0123456789"
		    "ABCDEFGHIJ = 1", 0, NULL, "unknown key "
		    "abcdefghijklmnopqrstuvwxyz0123456789ABCD" },
		{ "no '='", "db_port 5\n", 0, NULL, "'='" },
		{ "no '=' after good", "db_port = 5\nlonely\n", 0, NULL, "'='" },
	};
	struct conf	 c;
	const char	*err;
	char		 got[128];
	size_t		 i;
	int		 ok;

	for (i = 0; i < NELEM(cases); i++) {
		conf_init(&c);
		err = NULL;
		ok = conf_parse(&c, cases[i].text, strlen(cases[i].text), &err);
		CHECK(ok == cases[i].ok, "[%s] conf_parse %d (%s), want %d",
		    cases[i].name, ok, err ? err : "no error", cases[i].ok);
		if (ok && cases[i].ok)
			CHECK_STR(cases[i].name, field_text(&c, cases[i].key,
			    got, sizeof(got)), cases[i].want);
		if (!ok && !cases[i].ok)
			CHECK(err != NULL && strstr(err, cases[i].want) != NULL,
			    "[%s] error \"%s\" does not name \"%s\"",
			    cases[i].name, err ? err : "(null)", cases[i].want);
		conf_cleanup(&c);
	}
}

/* The file first, then MIHWAR_<KEY> from the environment. */
static void
test_env(void)
{
	static const struct {
		const char	*name, *text, *var, *value;
		int		 ok;
		const char	*key, *want;
	} cases[] = {
		{ "log level", "", "MIHWAR_LOG_LEVEL", "debug", 1, "log_level",
		    "debug" },
		{ "over the file", "log_level = warn\n", "MIHWAR_LOG_LEVEL",
		    "error", 1, "log_level", "error" },
		{ "port", "db_port = 1", "MIHWAR_DB_PORT", "3307", 1, "db_port",
		    "3307" },
		{ "port out of range", "", "MIHWAR_DB_PORT", "99999", 0, NULL,
		    "db_port" },
		{ "port junk", "", "MIHWAR_DB_PORT", "x", 0, NULL, "db_port" },
		{ "bool", "", "MIHWAR_ALLOW_PRIVATE_DESTINATIONS", "yes", 1,
		    "allow_private_destinations", "1" },
		{ "bad bool", "", "MIHWAR_ALLOW_PRIVATE_DESTINATIONS",
		    "sometimes", 0, NULL, "allow_private_destinations" },
		{ "master key", "", "MIHWAR_MASTER_KEY", KEY64, 1,
		    "master_key", KEY64 },
		{ "socket", "db_socket = /a", "MIHWAR_DB_SOCKET", "/b", 1,
		    "db_socket", "/b" },
		{ "empty value", "db_host = h", "MIHWAR_DB_HOST", "", 1,
		    "db_host", "" },
		{ "lowercase name ignored", "db_port = 1", "mihwar_db_port",
		    "2", 1, "db_port", "1" },
		{ "unrelated name ignored", "", "MIHWAR_COLOUR", "blue", 1,
		    "log_level", "info" },
	};
	struct conf	 c;
	const char	*err;
	char		 got[128];
	size_t		 i;
	int		 ok;

	for (i = 0; i < NELEM(cases); i++) {
		conf_init(&c);
		err = NULL;
		ok = conf_parse(&c, cases[i].text, strlen(cases[i].text), &err);
		CHECK(ok, "[%s] file refused: %s", cases[i].name,
		    err ? err : "(no error)");
		setenv(cases[i].var, cases[i].value, 1);
		ok = conf_env(&c, &err);
		unsetenv(cases[i].var);
		CHECK(ok == cases[i].ok, "[%s] conf_env %d (%s), want %d",
		    cases[i].name, ok, err ? err : "no error", cases[i].ok);
		if (ok && cases[i].ok)
			CHECK_STR(cases[i].name, field_text(&c, cases[i].key,
			    got, sizeof(got)), cases[i].want);
		if (!ok && !cases[i].ok)
			CHECK(err != NULL && strstr(err, cases[i].want) != NULL,
			    "[%s] error \"%s\" does not name \"%s\"",
			    cases[i].name, err ? err : "(null)", cases[i].want);
		conf_cleanup(&c);
	}
}

static void
test_finish(void)
{
	static const struct {
		const char	*name, *text;
		int		 ok;
		const char	*err;
	} cases[] = {
		{ "socket", "master_key = " KEY64 "\ndb_socket = /s", 1, NULL },
		{ "host", "master_key = " KEY64 "\ndb_host = db", 1, NULL },
		{ "upper-case key", "master_key = "
		    "000102030405060708090A0B0C0D0E0F"
		    "101112131415161718191A1B1C1D1E1F\ndb_host = db", 1, NULL },
		{ "no master key", "db_socket = /s", 0, "master_key" },
		{ "empty master key", "master_key =\ndb_socket = /s", 0,
		    "master_key" },
		{ "63 hex", "master_key = 000102030405060708090a0b0c0d0e0f"
		    "101112131415161718191a1b1c1d1e1\ndb_socket = /s", 0,
		    "master_key" },
		{ "65 hex", "master_key = " KEY64 "0\ndb_socket = /s", 0,
		    "master_key" },
		{ "not hex", "master_key = 000102030405060708090a0b0c0d0e0f"
		    "101112131415161718191a1b1c1d1e1g\ndb_socket = /s", 0,
		    "master_key" },
		{ "spaced hex", "master_key = 00 0102030405060708090a0b0c0d0e0f"
		    "101112131415161718191a1b1c1d1e1\ndb_socket = /s", 0,
		    "master_key" },
		{ "no database", "master_key = " KEY64, 0,
		    "db_socket or db_host" },
		{ "debug", "master_key = " KEY64 "\ndb_socket = /s\n"
		    "log_level = debug", 1, NULL },
		{ "warn", "master_key = " KEY64 "\ndb_socket = /s\n"
		    "log_level = warn", 1, NULL },
		{ "error", "master_key = " KEY64 "\ndb_socket = /s\n"
		    "log_level = error", 1, NULL },
		{ "verbose", "master_key = " KEY64 "\ndb_socket = /s\n"
		    "log_level = verbose", 0, "log_level" },
		{ "INFO", "master_key = " KEY64 "\ndb_socket = /s\n"
		    "log_level = INFO", 0, "log_level" },
		{ "empty level", "master_key = " KEY64 "\ndb_socket = /s\n"
		    "log_level =", 0, "log_level" },
	};
	struct conf	 c;
	const char	*err;
	size_t		 i, k;
	int		 ok;

	for (i = 0; i < NELEM(cases); i++) {
		conf_init(&c);
		err = NULL;
		ok = conf_parse(&c, cases[i].text, strlen(cases[i].text), &err);
		CHECK(ok, "[%s] file refused: %s", cases[i].name,
		    err ? err : "(no error)");
		ok = conf_finish(&c, &err);
		CHECK(ok == cases[i].ok, "[%s] conf_finish %d (%s), want %d",
		    cases[i].name, ok, err ? err : "no error", cases[i].ok);
		if (!ok && !cases[i].ok)
			CHECK(err != NULL && strstr(err, cases[i].err) != NULL,
			    "[%s] error \"%s\" does not name \"%s\"",
			    cases[i].name, err ? err : "(null)", cases[i].err);
		for (k = 0; ok && k < sizeof(c.master_key); k++)
			if (!CHECK(c.master_key[k] == k, "[%s] master key byte "
			    "%zu is %u", cases[i].name, k, c.master_key[k]))
				break;
		conf_cleanup(&c);
	}
}

/*
 * The outbox consumers' retry schedule (event_retry_schedule: the delay
 * before each retry, then the event is parked) and events_retention_days:
 * defaults, what parses, what is refused.
 */
static void
test_event_knobs(void)
{
	static const struct {
		const char	*name, *text;
		int		 ok;
		const char	*err;
		size_t		 n;
		long long	 delays[3], days;
	} cases[] = {
		{ "defaults", "", 1, NULL, 5, { 1, 5, 30 }, 90 },
		{ "short", "event_retry_schedule = 0,1,1", 1, NULL, 3,
		    { 0, 1, 1 }, 90 },
		{ "one", "event_retry_schedule = 7", 1, NULL, 1, { 7 }, 90 },
		{ "week", "event_retry_schedule = 604800", 1, NULL, 1,
		    { 604800 }, 90 },
		{ "past a week", "event_retry_schedule = 604801", 0,
		    "event_retry_schedule", 0, { 0 }, 0 },
		{ "empty", "event_retry_schedule =", 0, "event_retry_schedule",
		    0, { 0 }, 0 },
		{ "empty step", "event_retry_schedule = 1,,2", 0,
		    "event_retry_schedule", 0, { 0 }, 0 },
		{ "negative", "event_retry_schedule = -1", 0,
		    "event_retry_schedule", 0, { 0 }, 0 },
		{ "17 steps", "event_retry_schedule = "
		    "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1", 0,
		    "event_retry_schedule", 0, { 0 }, 0 },
		{ "retention 1", "events_retention_days = 1", 1, NULL, 5,
		    { 1, 5, 30 }, 1 },
		{ "retention 36500", "events_retention_days = 36500", 1, NULL,
		    5, { 1, 5, 30 }, 36500 },
	};
	static const char *const bad_days[] = { "0", "36501", "-1", "ninety" };
	struct conf	 c;
	const char	*err;
	char		 text[64];
	size_t		 i, k;
	int		 ok;

	for (i = 0; i < NELEM(cases); i++) {
		conf_init(&c);
		err = NULL;
		ok = conf_parse(&c, cases[i].text, strlen(cases[i].text), &err);
		CHECK(ok, "[%s] file refused: %s", cases[i].name,
		    err ? err : "(no error)");
		ok = conf_parse(&c, "master_key = " KEY64 "\ndb_socket = /s",
		    strlen("master_key = " KEY64 "\ndb_socket = /s"), &err) &&
		    conf_finish(&c, &err);
		CHECK(ok == cases[i].ok, "[%s] conf_finish %d (%s), want %d",
		    cases[i].name, ok, err ? err : "no error", cases[i].ok);
		if (!ok && !cases[i].ok)
			CHECK(err != NULL && strstr(err, cases[i].err) != NULL,
			    "[%s] error \"%s\" does not name \"%s\"",
			    cases[i].name, err ? err : "(null)", cases[i].err);
		if (ok && cases[i].ok) {
			CHECK(c.nevent_retry_delays == cases[i].n,
			    "[%s] %zu delays, want %zu", cases[i].name,
			    c.nevent_retry_delays, cases[i].n);
			for (k = 0; k < 3 && k < cases[i].n; k++)
				CHECK(c.event_retry_delays[k] ==
				    cases[i].delays[k], "[%s] delay %zu is %lld, "
				    "want %lld", cases[i].name, k,
				    c.event_retry_delays[k], cases[i].delays[k]);
			CHECK(c.events_retention_days == cases[i].days,
			    "[%s] retention %lld, want %lld", cases[i].name,
			    c.events_retention_days, cases[i].days);
		}
		conf_cleanup(&c);
	}
	for (i = 0; i < NELEM(bad_days); i++) {
		conf_init(&c);
		err = NULL;
		snprintf(text, sizeof(text), "events_retention_days = %s",
		    bad_days[i]);
		ok = conf_parse(&c, text, strlen(text), &err);
		CHECK(!ok && err != NULL &&
		    strcmp(err, "events_retention_days") == 0,
		    "[retention %s] accepted or error \"%s\"", bad_days[i],
		    err ? err : "(null)");
		conf_cleanup(&c);
	}
}

/*
 * key_cache_seconds (issue 14): 1 by default, 0 (off) to 60; and
 * process_header, off by default.
 */
static void
test_key_cache_knobs(void)
{
	static const struct {
		const char	*text;
		int		 ok;
		const char	*key, *want;	/* on failure: want is NULL */
	} cases[] = {
		{ "", 1, "key_cache_seconds", "1" },
		{ "key_cache_seconds = 0", 1, "key_cache_seconds", "0" },
		{ "key_cache_seconds = 60", 1, "key_cache_seconds", "60" },
		{ "key_cache_seconds = 61", 0, "key_cache_seconds", NULL },
		{ "key_cache_seconds = -1", 0, "key_cache_seconds", NULL },
		{ "key_cache_seconds = 1s", 0, "key_cache_seconds", NULL },
		{ "", 1, "process_header", "0" },
		{ "process_header = true", 1, "process_header", "1" },
		{ "process_header = maybe", 0, "process_header", NULL },
	};
	struct conf	 c;
	const char	*err;
	char		 got[64];
	size_t		 i;
	int		 ok;

	for (i = 0; i < NELEM(cases); i++) {
		conf_init(&c);
		err = NULL;
		ok = conf_parse(&c, cases[i].text, strlen(cases[i].text), &err);
		if (cases[i].ok)
			CHECK(ok && strcmp(field_text(&c, cases[i].key, got,
			    sizeof(got)), cases[i].want) == 0,
			    "[%s] ok %d, %s = %s, want %s", cases[i].text, ok,
			    cases[i].key, got, cases[i].want);
		else
			CHECK(!ok && err != NULL &&
			    strcmp(err, cases[i].key) == 0,
			    "[%s] accepted or error \"%s\"", cases[i].text,
			    err ? err : "(null)");
		conf_cleanup(&c);
	}
}

/* A file that cannot be opened is named, with the reason. */
static void
test_load_missing(void)
{
	struct conf	 c;
	const char	*err = NULL;

	conf_init(&c);
	CHECK(!conf_load(&c, "/nonexistent/mihwar.conf", &err),
	    "[missing file] loaded");
	CHECK(err != NULL && strstr(err, "/nonexistent/mihwar.conf") != NULL &&
	    strstr(err, "No such file") != NULL, "[missing file] error \"%s\"",
	    err ? err : "(null)");
	conf_cleanup(&c);
}

/* The "conf" suite. */
void
test_conf_register(void)
{
	static const struct test_def tests[] = {
		{ "conf_parse", test_parse },
		{ "conf_env", test_env },
		{ "conf_finish", test_finish },
		{ "event retry schedule and retention", test_event_knobs },
		{ "conf_load names a file it cannot open", test_load_missing },
		{ "key_cache_seconds and process_header",
		    test_key_cache_knobs },
	};

	test_add_suite("conf", suite_init, NULL, tests, NELEM(tests));
}
