/*
 * conf.c - the one configuration file (key = value, # comments), with
 * every key overridable by an environment variable MIHWAR_<KEY>.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/core.h"

enum conf_type { CONF_STR, CONF_INT, CONF_BOOL };

struct conf_key {
	const char	*name;
	enum conf_type	 type;
	size_t		 offset;
	long long	 min, max;
};

#define STR(f)		{ #f, CONF_STR, offsetof(struct conf, f), 0, 0 }
#define INT(f, lo, hi)	{ #f, CONF_INT, offsetof(struct conf, f), lo, hi }
#define BOOL(f)		{ #f, CONF_BOOL, offsetof(struct conf, f), 0, 1 }

static const struct conf_key keys[] = {
	STR(db_socket),
	STR(db_host),
	INT(db_port, 0, 65535),
	INT(db_read_timeout, 0, 86400),
	STR(db_name),
	STR(db_user),
	STR(db_password),
	{ "master_key", CONF_STR, offsetof(struct conf, master_key_hex), 0, 0 },
	INT(max_body_bytes, 1024, 1LL << 30),
	INT(import_max_bytes, 1024, 1LL << 30),
	STR(log_level),
	STR(migrations_dir),
	STR(base_url),
	INT(worker_poll_ms, 10, 600000),
	INT(rate_limit_per_minute, 0, 1000000),
	INT(ingest_rate_per_key, 0, 1000000),
	INT(ingest_rate_per_org, 0, 10000000),
	INT(ingest_retention_days, 1, 36500),
	INT(cases_rate_per_org, 0, 10000000),
	STR(printful_api_base),
	STR(printful_api_token),
	STR(printful_webhook_token),
	STR(stripe_webhook_secret),
	INT(onboarding_per_hour, 1, 1000000),
	INT(chat_per_minute, 1, 1000000),
	BOOL(allow_private_destinations),
	BOOL(allow_http_webhooks),
	STR(webhook_retry_schedule),
	INT(webhook_lease_seconds, 2, 3600),
	/* issue 14: the worker's deliveries in flight, and per endpoint */
	INT(delivery_concurrency, 1, 1024),
	INT(delivery_per_endpoint, 1, 1024),
	STR(event_retry_schedule),
	INT(events_retention_days, 1, 36500),
	/* issue 14 */
	INT(key_cache_seconds, 0, 60),
	BOOL(process_header),
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

#ifndef MIHWAR_MIGRATIONS_DIR
#define MIHWAR_MIGRATIONS_DIR	"db/migrations"
#endif

void
conf_init(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->db_name = strdup("mihwar");
	c->db_user = strdup("mihwar");
	c->db_port = 3306;
	c->max_body_bytes = 8 * 1024 * 1024;
	c->import_max_bytes = 32 * 1024 * 1024;
	c->log_level = strdup("info");
	c->migrations_dir = strdup(MIHWAR_MIGRATIONS_DIR);
	c->worker_poll_ms = 100;
	c->rate_limit_per_minute = 0;	/* each family's own */
	c->webhook_lease_seconds = 60;
	c->delivery_concurrency = 32;
	c->delivery_per_endpoint = 8;
	c->ingest_retention_days = 400;
	c->printful_api_base = strdup("https://api.printful.com");
	c->onboarding_per_hour = 10;
	c->chat_per_minute = 30;
	c->webhook_retry_schedule = strdup("0,5,300,1800,7200,18000,36000,36000");
	c->event_retry_schedule = strdup("1,5,30,120,600");
	c->events_retention_days = 90;
	c->key_cache_seconds = 1;	/* issue 14: revocation within 1 s */
}

void
conf_cleanup(struct conf *c)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].type == CONF_STR)
			free(*(char **)((char *)c + keys[i].offset));
	sodium_memzero(c->master_key, sizeof(c->master_key));
	memset(c, 0, sizeof(*c));
}

static const struct conf_key *
conf_key_find(const char *name, size_t len)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == len &&
		    strncasecmp(keys[i].name, name, len) == 0)
			return &keys[i];
	return NULL;
}

/* Set one key from its text value; 0 with *err set when it is invalid. */
static int
conf_set(struct conf *c, const struct conf_key *k, const char *v,
    const char **err)
{
	char		**sp;
	long long	  n;

	switch (k->type) {
	case CONF_STR:
		sp = (char **)((char *)c + k->offset);
		free(*sp);
		*sp = strdup(v);
		return *sp != NULL;
	case CONF_INT:
		if (!util_strtonum(v, k->min, k->max, &n)) {
			*err = k->name;
			return 0;
		}
		*(long long *)((char *)c + k->offset) = n;
		return 1;
	case CONF_BOOL:
		if (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
		    strcasecmp(v, "yes") == 0)
			n = 1;
		else if (strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0 ||
		    strcasecmp(v, "no") == 0)
			n = 0;
		else {
			*err = k->name;
			return 0;
		}
		*(int *)((char *)c + k->offset) = (int)n;
		return 1;
	}
	return 0;
}

static void
trim(const char **s, const char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

/*
 * Parse file text: "key = value" lines, blank lines and "#" comments.
 * An unknown key or a bad value fails with *err naming it (static text).
 */
int
conf_parse(struct conf *c, const char *text, size_t len, const char **err)
{
	static char		 badkey[64];
	const char		*p = text, *end = text + len, *nl, *eq;
	const char		*ks, *ke, *vs, *ve;
	const struct conf_key	*k;
	char			*val;
	int			 ok;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		ks = p;
		ke = nl;
		trim(&ks, &ke);
		if (ks == ke || *ks == '#') {
			if (nl == end)
				break;
			continue;
		}
		if ((eq = memchr(ks, '=', ke - ks)) == NULL) {
			*err = "line without '='";
			return 0;
		}
		vs = eq + 1;
		ve = ke;
		ke = eq;
		trim(&ks, &ke);
		trim(&vs, &ve);
		if ((k = conf_key_find(ks, ke - ks)) == NULL) {
			snprintf(badkey, sizeof(badkey), "unknown key %.*s",
			    (int)(ke - ks > 40 ? 40 : ke - ks), ks);
			*err = badkey;
			return 0;
		}
		if ((val = strndup(vs, ve - vs)) == NULL)
			return 0;
		ok = conf_set(c, k, val, err);
		free(val);
		if (!ok)
			return 0;
		if (nl == end)
			break;
	}
	return 1;
}

/* Apply MIHWAR_<KEY> environment overrides. */
int
conf_env(struct conf *c, const char **err)
{
	char		 name[64];
	const char	*v;
	size_t		 i, j;

	for (i = 0; i < NKEYS; i++) {
		snprintf(name, sizeof(name), "MIHWAR_%s", keys[i].name);
		for (j = 7; name[j] != '\0'; j++)
			name[j] = (char)toupper((unsigned char)name[j]);
		if ((v = getenv(name)) != NULL && !conf_set(c, &keys[i], v, err))
			return 0;
	}
	return 1;
}

/* "0,5,300": a delay in seconds per step, at most 16, into out, *n of them. */
static int
conf_schedule(const char *p, long long out[16], size_t *n)
{
	char		 num[16];
	size_t		 len;

	*n = 0;
	while (p != NULL && *p != '\0') {
		len = strcspn(p, ",");
		if (len == 0 || len >= sizeof(num) || *n == 16)
			return 0;
		memcpy(num, p, len);
		num[len] = '\0';
		if (!util_strtonum(num, 0, 7 * 86400, &out[(*n)++]))
			return 0;
		p += len + (p[len] == ',');
	}
	return *n > 0;
}

/* Check what the file and environment gave; decode the master key. */
int
conf_finish(struct conf *c, const char **err)
{
	size_t	 binlen;

	if (c->master_key_hex == NULL || strlen(c->master_key_hex) != 64 ||
	    sodium_hex2bin(c->master_key, sizeof(c->master_key),
	    c->master_key_hex, 64, NULL, &binlen, NULL) != 0 || binlen != 32) {
		*err = "master_key: expected 64 hex characters";
		return 0;
	}
	if (c->db_socket == NULL && c->db_host == NULL) {
		*err = "db_socket or db_host must be set";
		return 0;
	}
	if (!conf_schedule(c->webhook_retry_schedule, c->retry_delays,
	    &c->nretry_delays)) {
		*err = "webhook_retry_schedule: 1 to 16 comma-separated seconds";
		return 0;
	}
	if (!conf_schedule(c->event_retry_schedule, c->event_retry_delays,
	    &c->nevent_retry_delays)) {
		*err = "event_retry_schedule: 1 to 16 comma-separated seconds";
		return 0;
	}
	if (strcmp(c->log_level, "debug") && strcmp(c->log_level, "info") &&
	    strcmp(c->log_level, "warn") && strcmp(c->log_level, "error")) {
		*err = "log_level: expected debug, info, warn or error";
		return 0;
	}
	return 1;
}

/* Read path (NULL: $MIHWAR_CONF), then the environment, then check. */
int
conf_load(struct conf *c, const char *path, const char **err)
{
	static char	 why[600];
	FILE		*f;
	struct buf	 b;
	char		 chunk[4096];
	size_t		 n;
	int		 ok;

	if (path == NULL && (path = getenv("MIHWAR_CONF")) == NULL)
		path = "var/mihwar.conf";
	if ((f = fopen(path, "r")) == NULL) {
		/* The path and the reason: on a host, the file is often
		 * there but not readable by the web server's user. */
		snprintf(why, sizeof(why), "cannot open %.500s: %s", path,
		    strerror(errno));
		*err = why;
		return 0;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (!buf_append(&b, chunk, n))
			break;
	fclose(f);
	ok = conf_parse(c, b.data ? b.data : "", b.len, err) &&
	    conf_env(c, err) && conf_finish(c, err);
	sodium_memzero(b.data, b.cap);
	buf_cleanup(&b);
	return ok;
}
