/*
 * mihwarctl.c - the operator's command line over libmihwar: migrations
 * and the check of what the database server and account offer,
 * organizations, users, keys and the origins a storefront client's chat
 * may be embedded on, an organization's time zone, and a checklist tick
 * at a given instant (a test and operations driver), the outbox events
 * consumers failed on, and the sizes of the tables that grow. Exit 0 on
 * success, 1 when the work failed (database down, conflict), 2 for bad
 * arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "mihwar.h"

#define EXIT_USAGE	2

struct ctl {
	struct conf	 conf;
	struct db	*db;
	int		 json;
	int		 argc;
	char		**argv;
};

static const char usage[] =
    "usage: mihwarctl [--conf FILE] [--json] COMMAND\n"
    "  migrate\n"
    "  check-db\n"
    "  sql-check\n"
    "  org create --slug SLUG --name NAME\n"
    "  org update --slug SLUG [--ingest on|off] [--ingest-plan-events N|none]\n"
    "             [--ingest-monthly-quota N|none] [--timezone ZONE]\n"
    "  user create --org SLUG (--email EMAIL | --user-name NAME [--email EMAIL])\n"
    "              --password-stdin [--role admin|member] [--platform-admin]\n"
    "  key create --org SLUG --kind integration|scim|ingest|client|admin\n"
    "             [--app SLUG] [--name NAME]\n"
    "  key list --org SLUG\n"
    "  key revoke KEY_ID\n"
    "  app update --org SLUG --app SLUG --allowed-event-types TYPE,TYPE|\"\"\n"
    "  client set-domains --org SLUG --domains HOST,HOST|\"\"\n"
    "  checklists tick --now ISO8601\n"
    "  events failed [--org SLUG]\n"
    "  status\n"
    "  demo [--base-url URL]\n";

static int
ctl_usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "mihwarctl: %s\n", why);
	fputs(usage, stderr);
	return EXIT_USAGE;
}

/* Value of --name in the remaining arguments, or NULL. */
static const char *
ctl_opt(const struct ctl *c, const char *name)
{
	int	 i;

	for (i = 0; i < c->argc; i++)
		if (strcmp(c->argv[i], name) == 0)
			return i + 1 < c->argc ? c->argv[i + 1] : NULL;
	return NULL;
}

static int
ctl_flag(const struct ctl *c, const char *name)
{
	int	 i;

	for (i = 0; i < c->argc; i++)
		if (strcmp(c->argv[i], name) == 0)
			return 1;
	return 0;
}

/* Every argument must be a known option (with its value) or flag. */
static int
ctl_check_args(const struct ctl *c, const char *const *opts,
    const char *const *flags)
{
	int	 i, j, known;

	for (i = 0; i < c->argc; i++) {
		known = 0;
		for (j = 0; opts[j] != NULL && !known; j++)
			if (strcmp(c->argv[i], opts[j]) == 0) {
				if (i + 1 >= c->argc)
					return 0;
				i++;
				known = 1;
			}
		for (j = 0; flags[j] != NULL && !known; j++)
			known = strcmp(c->argv[i], flags[j]) == 0;
		if (!known) {
			fprintf(stderr, "mihwarctl: unexpected argument: %s\n",
			    c->argv[i]);
			return 0;
		}
	}
	return 1;
}

static void
ctl_print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static int
ctl_db_failed(struct ctl *c)
{
	fprintf(stderr, "mihwarctl: database error: %s\n", db_errstr(c->db));
	return 1;
}

static int
ctl_find_org(struct ctl *c, const char *slug, long long *id)
{
	switch (orgs_find(c->db, slug, id)) {
	case DB_OK:
		return 1;
	case DB_NOTFOUND:
		fprintf(stderr, "mihwarctl: no organization %s\n", slug);
		return 0;
	default:
		ctl_db_failed(c);
		return 0;
	}
}

/* A database whose default is not utf8mb4 works (every table names
 * its own), but a table made there by hand would not be. */
static void
ctl_charset_warning(const struct migrate_report *rep)
{
	if (rep->server_ok && !rep->charset_default_ok)
		fprintf(stderr, "mihwarctl: note: the database %s defaults to "
		    "%s; Mihwar's tables are utf8mb4 all the same. To change "
		    "the default: ALTER DATABASE `%s` CHARACTER SET utf8mb4 "
		    "COLLATE utf8mb4_unicode_ci\n", rep->database, rep->charset,
		    rep->database);
}

static int
ctl_migrate(struct ctl *c)
{
	struct migrate_report	 rep;
	int			 applied;

	if (!ctl_check_args(c, (const char *[]){ NULL },
	    (const char *[]){ NULL }))
		return ctl_usage(NULL);
	if (!migrate_run(c->db, c->conf.migrations_dir, &applied, &rep)) {
		fprintf(stderr, "mihwarctl: migration failed: %s\n",
		    rep.problem);
		return 1;
	}
	ctl_charset_warning(&rep);
	/* This month's partition of activity events and the next ones, so
	 * that events arriving before the worker's first tick land in
	 * their month (ingest/partitions.c). */
	if (!partitions_ensure(c->db)) {
		fprintf(stderr, "mihwarctl: activity partitions: %s\n",
		    db_errstr(c->db));
		return 1;
	}
	if (c->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "applied",
		    json_object_new_int(applied));
		ctl_print_json(o);
	} else
		printf("migrations applied: %d\n", applied);
	return 0;
}

/*
 * What the server and the account offer against what Mihwar needs:
 * version, character set, privileges (tried on a scratch table).
 */
static int
ctl_check_db(struct ctl *c)
{
	struct migrate_report	 rep;
	struct json_object	*o;
	int			 ok;

	if (!ctl_check_args(c, (const char *[]){ NULL },
	    (const char *[]){ NULL }))
		return ctl_usage("check-db takes no arguments");
	ok = migrate_check(c->db, &rep, 1);
	if (c->json) {
		o = json_object_new_object();
		json_object_object_add(o, "ok", json_object_new_boolean(ok));
		json_object_object_add(o, "version",
		    json_object_new_string(rep.version));
		json_object_object_add(o, "database",
		    json_object_new_string(rep.database));
		json_object_object_add(o, "account",
		    json_object_new_string(rep.account));
		json_object_object_add(o, "charset",
		    json_object_new_string(rep.charset));
		json_object_object_add(o, "missingPrivileges",
		    json_object_new_string(rep.missing));
		json_object_object_add(o, "problem",
		    json_object_new_string(rep.problem));
		ctl_print_json(o);
	} else {
		printf("server:     %s\ndatabase:   %s (default character set "
		    "%s)\naccount:    %s\n", rep.version, rep.database,
		    rep.charset, rep.account);
		printf("privileges: %s\n", !rep.probed ? "not tried" :
		    rep.missing[0] == '\0' ? "all that Mihwar needs" :
		    rep.missing);
		if (ok)
			printf("ok\n");
		else
			fprintf(stderr, "mihwarctl: %s\n", rep.problem);
	}
	if (!c->json)
		ctl_charset_warning(&rep);
	return ok ? 0 : 1;
}

/* Prepare every registered statement against the migrated schema. */
static int
ctl_sql_check(struct ctl *c)
{
	char	 err[512];
	size_t	 failed;

	if (!ctl_check_args(c, (const char *[]){ NULL },
	    (const char *[]){ NULL }))
		return ctl_usage(NULL);
	failed = dbreg_prepare_all(c->db, err, sizeof(err));
	if (failed > 0) {
		fprintf(stderr, "mihwarctl: %zu statements do not prepare; "
		    "first: %s\n", failed, err);
		return 1;
	}
	printf("statements prepared: %zu\n", dbreg_count());
	return 0;
}

static int
ctl_org_create(struct ctl *c)
{
	const char	*slug = ctl_opt(c, "--slug"), *name = ctl_opt(c, "--name");
	char		 pid[37];
	long long	 id;

	if (!ctl_check_args(c, (const char *[]){ "--slug", "--name", NULL },
	    (const char *[]){ NULL }) || slug == NULL || name == NULL)
		return ctl_usage("org create needs --slug and --name");
	if (!orgs_slug_valid(slug))
		return ctl_usage("--slug: 2-63 of a-z, 0-9 and '-'");
	if (*name == '\0' || strlen(name) > 200 ||
	    !util_utf8_valid(name, strlen(name)))
		return ctl_usage("--name: 1-200 characters of UTF-8");
	switch (orgs_create(c->db, slug, name, &id, pid)) {
	case DB_OK:
		break;
	case DB_CONSTRAINT:
		fprintf(stderr, "mihwarctl: organization %s exists\n", slug);
		return 1;
	default:
		return ctl_db_failed(c);
	}
	if (c->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_string(pid));
		json_object_object_add(o, "slug", json_object_new_string(slug));
		ctl_print_json(o);
	} else
		printf("organization %s created (%s)\n", slug, pid);
	return 0;
}

/* An ingest limit: N events a month (1..10^15) or "none" (unlimited). */
static int
ctl_ingest_limit(const char *v, long long *out)
{
	if (v == NULL) {
		*out = SETTINGS_KEEP;
		return 1;
	}
	if (strcmp(v, "none") == 0) {
		*out = SETTINGS_UNLIMITED;
		return 1;
	}
	return util_strtonum(v, 1, 1000000000000000LL, out);
}

static void
ctl_print_limit(const char *what, struct json_object *v)
{
	if (v == NULL)
		printf(", %s unlimited", what);
	else
		printf(", %s %lld events a month", what,
		    (long long)json_object_get_int64(v));
}

/*
 * An organization's settings: activity ingest on or off, the plan's
 * monthly allowance and its own monthly quota, and its time zone (an
 * IANA name the system tz database has; checklists are due in it).
 */
static int
ctl_org_update(struct ctl *c)
{
	const char		*slug = ctl_opt(c, "--slug");
	const char		*on = ctl_opt(c, "--ingest");
	const char		*plan = ctl_opt(c, "--ingest-plan-events");
	const char		*quota = ctl_opt(c, "--ingest-monthly-quota");
	const char		*tz = ctl_opt(c, "--timezone");
	struct json_object	*o;
	char			 zone[65];
	long long		 org_id, p, q;
	int			 enabled = -1;

	if (!ctl_check_args(c, (const char *[]){ "--slug", "--ingest",
	    "--ingest-plan-events", "--ingest-monthly-quota", "--timezone",
	    NULL }, (const char *[]){ NULL }) || slug == NULL ||
	    (on == NULL && plan == NULL && quota == NULL && tz == NULL))
		return ctl_usage("org update needs --slug and at least one of "
		    "--ingest, --ingest-plan-events, --ingest-monthly-quota, "
		    "--timezone");
	if (tz != NULL && !schedule_tz_valid(tz))
		return ctl_usage("--timezone: an IANA time zone name, such as "
		    "Europe/Berlin or UTC");
	if (on != NULL && strcmp(on, "on") != 0 && strcmp(on, "off") != 0)
		return ctl_usage("--ingest: on or off");
	if (on != NULL)
		enabled = strcmp(on, "on") == 0;
	if (!ctl_ingest_limit(plan, &p) || !ctl_ingest_limit(quota, &q))
		return ctl_usage("--ingest-plan-events, --ingest-monthly-quota: "
		    "events a month (1 or more), or none for unlimited (to stop "
		    "ingest, --ingest off)");
	if (!ctl_find_org(c, slug, &org_id))
		return 1;
	if ((on != NULL || plan != NULL || quota != NULL) &&
	    settings_org_update(c->db, org_id, enabled, p, q) != DB_OK)
		return ctl_db_failed(c);
	if ((tz != NULL && clscheduler_org_timezone_set(c->db, org_id, tz) !=
	    DB_OK) || clscheduler_org_timezone(c->db, org_id, zone) != DB_OK ||
	    (o = settings_org_json(c->db, org_id)) == NULL)
		return ctl_db_failed(c);
	json_put_str(o, "timezone", zone);
	if (c->json) {
		ctl_print_json(o);
		return 0;
	}
	printf("organization %s: ingest %s", slug, json_object_get_boolean(
	    json_object_object_get(o, "ingest")) ? "on" : "off");
	ctl_print_limit("plan", json_object_object_get(o, "ingestPlanEvents"));
	ctl_print_limit("quota", json_object_object_get(o,
	    "ingestMonthlyQuota"));
	printf(", timezone %s\n", zone);
	json_object_put(o);
	return 0;
}

/* An ingest app's allowedEventTypes ("" for every type). */

/* The comma-separated list s as a JSON array of its items ("" is []). */
static struct json_object *
ctl_json_list(const char *s)
{
	struct json_object	*a = json_object_new_array();
	size_t			 n;

	while (*s != '\0') {
		n = strcspn(s, ",");
		if (n > 0)
			json_object_array_add(a,
			    json_object_new_string_len(s, (int)n));
		s += n + (s[n] == ',');
	}
	return a;
}
static int
ctl_app_update(struct ctl *c)
{
	const char	*org = ctl_opt(c, "--org"), *app = ctl_opt(c, "--app");
	const char	*types = ctl_opt(c, "--allowed-event-types");
	char		 msg[400], err[300];
	struct buf	 list;
	long long	 org_id;
	int		 rc = 1;

	if (!ctl_check_args(c, (const char *[]){ "--org", "--app",
	    "--allowed-event-types", NULL }, (const char *[]){ NULL }) ||
	    org == NULL || app == NULL || types == NULL)
		return ctl_usage("app update needs --org, --app and "
		    "--allowed-event-types");
	buf_init(&list);
	/* The console's parser: the same rules wherever types are set. */
	if (!apps_types_parse(types, &list, err, sizeof(err))) {
		buf_cleanup(&list);
		snprintf(msg, sizeof(msg), "--allowed-event-types: %s", err);
		return ctl_usage(msg);
	}
	if (!ctl_find_org(c, org, &org_id))
		goto out;
	switch (settings_app_types(c->db, org_id, app, list.data)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		fprintf(stderr, "mihwarctl: no ingest app %s in %s\n", app, org);
		goto out;
	default:
		rc = ctl_db_failed(c);
		goto out;
	}
	if (c->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "org", json_object_new_string(org));
		json_object_object_add(o, "app", json_object_new_string(app));
		json_object_object_add(o, "allowedEventTypes",
		    ctl_json_list(list.data));
		ctl_print_json(o);
	} else if (*list.data == '\0')
		printf("app %s of %s: every event type allowed\n", app, org);
	else
		printf("app %s of %s: allowed event types %s\n", app, org,
		    list.data);
	rc = 0;
out:
	buf_cleanup(&list);
	return rc;
}

/*
 * The origins a client's storefront chat may be embedded on: bare hosts
 * (https://host) or http(s)://host[:port], separated by commas; ""
 * clears them (browsers are then refused).
 */
static int
ctl_client_set_domains(struct ctl *c)
{
	const char	*org = ctl_opt(c, "--org");
	const char	*domains = ctl_opt(c, "--domains");
	char		 msg[400], err[300];
	struct buf	 list;
	long long	 org_id;
	int		 rc = 1;

	if (!ctl_check_args(c, (const char *[]){ "--org", "--domains", NULL },
	    (const char *[]){ NULL }) || org == NULL || domains == NULL)
		return ctl_usage("client set-domains needs --org and --domains");
	buf_init(&list);
	/* The console's parser: the same rules wherever origins are set. */
	if (!onboarding_domains_parse(domains, &list, err, sizeof(err))) {
		buf_cleanup(&list);
		snprintf(msg, sizeof(msg), "--domains: %s", err);
		return ctl_usage(msg);
	}
	if (!ctl_find_org(c, org, &org_id))
		goto out;
	if (onboarding_domains_set(c->db, org_id, list.data) != DB_OK) {
		rc = ctl_db_failed(c);
		goto out;
	}
	if (c->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "org", json_object_new_string(org));
		json_object_object_add(o, "allowedDomains",
		    ctl_json_list(list.data));
		ctl_print_json(o);
	} else if (*list.data == '\0')
		printf("client %s: no allowed origins (browsers are refused)\n",
		    org);
	else
		printf("client %s: allowed origins %s\n", org, list.data);
	rc = 0;
out:
	buf_cleanup(&list);
	return rc;
}

/* One line from stdin without its newline; 0 when it is too long for
 * pw or outside the password policy every path shares (users.c). */
static int
ctl_read_password(char *pw, size_t sz)
{
	size_t	 n;

	if (fgets(pw, (int)sz, stdin) == NULL)
		return 0;
	n = strcspn(pw, "\r\n");
	if (pw[n] == '\0' && n == sz - 1)
		return 0;
	pw[n] = '\0';
	return users_password_ok(pw);
}

static int
ctl_user_create(struct ctl *c)
{
	const char	*org = ctl_opt(c, "--org"), *email = ctl_opt(c, "--email");
	const char	*name = ctl_opt(c, "--user-name");
	struct user_new	 u = { 0, NULL, NULL, email, NULL,
			    ctl_opt(c, "--role"), 0 };
	/* 254 characters of up to 4 bytes, a newline and the NUL. */
	char		 pw[4 * USERS_PASSWORD_MAX + 2], pid[37];
	enum db_code	 code;

	if (!ctl_check_args(c, (const char *[]){ "--org", "--email",
	    "--user-name", "--role", NULL }, (const char *[]){
	    "--password-stdin", "--platform-admin", NULL }) || org == NULL ||
	    (email == NULL && name == NULL) || !ctl_flag(c, "--password-stdin"))
		return ctl_usage("user create needs --org, --email or "
		    "--user-name, and --password-stdin");
	u.user_name = name != NULL ? name : email;
	u.role = u.role != NULL ? u.role : "member";
	u.platform_admin = ctl_flag(c, "--platform-admin");
	if (strcmp(u.role, "admin") != 0 && strcmp(u.role, "member") != 0)
		return ctl_usage("--role: admin or member");
	if (email != NULL && !users_email_valid(email))
		return ctl_usage("--email: not an e-mail address");
	if (!users_name_valid(u.user_name))
		return ctl_usage("--user-name: 1 to 255 characters, no control "
		    "characters");
	if (!ctl_read_password(pw, sizeof(pw))) {
		sodium_memzero(pw, sizeof(pw));
		fprintf(stderr, "mihwarctl: password on stdin: "
		    USERS_PASSWORD_RULE "\n");
		return EXIT_USAGE;
	}
	if (!ctl_find_org(c, org, &u.org_id))
		return 1;
	u.password = pw;
	code = users_create(c->db, &u, pid);
	sodium_memzero(pw, sizeof(pw));
	if (code == DB_CONSTRAINT) {
		fprintf(stderr, "mihwarctl: %s already exists in %s\n",
		    u.user_name, org);
		return 1;
	}
	if (code != DB_OK)
		return ctl_db_failed(c);
	if (c->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_string(pid));
		json_object_object_add(o, "userName",
		    json_object_new_string(u.user_name));
		if (email != NULL)
			json_object_object_add(o, "email",
			    json_object_new_string(email));
		ctl_print_json(o);
	} else
		printf("user %s created (%s)\n", u.user_name, pid);
	return 0;
}

static int
ctl_key_create(struct ctl *c)
{
	const char	*org = ctl_opt(c, "--org"), *kname = ctl_opt(c, "--kind");
	const char	*app = ctl_opt(c, "--app"), *name = ctl_opt(c, "--name");
	char		 tok[128], pid[37];
	enum key_kind	 kind;
	long long	 org_id, app_id = 0;

	if (!ctl_check_args(c, (const char *[]){ "--org", "--kind", "--app",
	    "--name", NULL }, (const char *[]){ NULL }) || org == NULL ||
	    kname == NULL)
		return ctl_usage("key create needs --org and --kind");
	if (!keys_kind_parse(kname, &kind))
		return ctl_usage("--kind: integration, scim, ingest, client "
		    "or admin");
	if ((kind == KEY_INGEST) != (app != NULL))
		return ctl_usage("--app: required for ingest keys, and only "
		    "for them");
	if (app != NULL && !orgs_slug_valid(app))
		return ctl_usage("--app: 2-63 of a-z, 0-9 and '-'");
	if (name != NULL && strlen(name) > 200)
		return ctl_usage("--name: at most 200 characters");
	if (!ctl_find_org(c, org, &org_id))
		return 1;
	if (app != NULL && orgs_app_ensure(c->db, org_id, app, &app_id) != DB_OK)
		return ctl_db_failed(c);
	if (!keys_create(c->db, org_id, kind, app_id, name, tok, sizeof(tok),
	    pid))
		return ctl_db_failed(c);
	if (c->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_string(pid));
		json_object_object_add(o, "kind", json_object_new_string(kname));
		json_object_object_add(o, "key", json_object_new_string(tok));
		ctl_print_json(o);
	} else
		printf("key %s (%s): %s\nThis is the only time the key is "
		    "shown.\n", pid, kname, tok);
	sodium_memzero(tok, sizeof(tok));
	return 0;
}

static int
ctl_key_list(struct ctl *c)
{
	const char		*org = ctl_opt(c, "--org");
	struct json_object	*arr, *k;
	long long		 org_id;
	size_t			 i;

	if (!ctl_check_args(c, (const char *[]){ "--org", NULL },
	    (const char *[]){ NULL }) || org == NULL)
		return ctl_usage("key list needs --org");
	if (!ctl_find_org(c, org, &org_id))
		return 1;
	if ((arr = keys_list_json(c->db, org_id)) == NULL)
		return ctl_db_failed(c);
	if (c->json) {
		ctl_print_json(arr);
		return 0;
	}
	printf("%-36s  %-11s  %-12s  %-24s  %s\n", "ID", "KIND", "KEY",
	    "CREATED", "STATE");
	for (i = 0; i < json_object_array_length(arr); i++) {
		k = json_object_array_get_idx(arr, i);
#define F(n)	json_object_get_string(json_object_object_get(k, n))
		printf("%-36s  %-11s  %s…%-4s  %-24s  %s\n", F("id"),
		    F("kind"), F("prefix"), F("last4"), F("createdAt"),
		    F("revokedAt") ? "revoked" : "active");
#undef F
	}
	json_object_put(arr);
	return 0;
}

static int
ctl_key_revoke(struct ctl *c)
{
	if (c->argc != 1 || c->argv[0][0] == '-')
		return ctl_usage("key revoke needs one KEY_ID");
	switch (keys_revoke(c->db, c->argv[0])) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		fprintf(stderr, "mihwarctl: no key %s\n", c->argv[0]);
		return 1;
	default:
		return ctl_db_failed(c);
	}
	if (c->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "revoked",
		    json_object_new_string(c->argv[0]));
		ctl_print_json(o);
	} else
		printf("key %s revoked\n", c->argv[0]);
	return 0;
}

/*
 * One checklist tick as of --now (ISO 8601): the instances due in the
 * next 36 hours made, the open ones past their grace marked missed. The
 * worker does this on the real clock; this drives it at a chosen instant
 * for tests (a schedule across a DST change) and for operations.
 */
static int
ctl_checklists_tick(struct ctl *c)
{
	const char		*now = ctl_opt(c, "--now");
	struct json_object	*o;
	int64_t			 ms;
	int			 made, missed;

	if (!ctl_check_args(c, (const char *[]){ "--now", NULL },
	    (const char *[]){ NULL }) || now == NULL)
		return ctl_usage("checklists tick needs --now");
	if (!util_parse_time(now, &ms))
		return ctl_usage("--now: an ISO 8601 instant, such as "
		    "2026-03-29T05:00:00Z");
	clinstances_tick_counts(c->db, ms, &made, &missed);
	if (c->json) {
		o = json_object_new_object();
		json_object_object_add(o, "made", json_object_new_int(made));
		json_object_object_add(o, "missed",
		    json_object_new_int(missed));
		ctl_print_json(o);
	} else
		printf("checklists: %d instances made, %d marked missed\n",
		    made, missed);
	return 0;
}

/* A JSON string member of o, or "-" for null (text output). */
static const char *
ctl_field(struct json_object *o, const char *name)
{
	const char	*v = json_object_get_string(json_object_object_get(o,
			    name));

	return v != NULL ? v : "-";
}

/*
 * The outbox events a consumer failed on: still retrying, or parked
 * after its retries (events_consume), newest first; --org one
 * organization's only.
 */
static int
ctl_events_failed(struct ctl *c)
{
	const char		*org = ctl_opt(c, "--org");
	struct json_object	*arr, *f;
	long long		 org_id = 0;
	size_t			 i;

	if (!ctl_check_args(c, (const char *[]){ "--org", NULL },
	    (const char *[]){ NULL }))
		return ctl_usage("events failed takes only --org SLUG");
	if (org != NULL && !ctl_find_org(c, org, &org_id))
		return 1;
	if ((arr = events_failures_json(c->db, org_id)) == NULL)
		return ctl_db_failed(c);
	if (c->json) {
		ctl_print_json(arr);
		return 0;
	}
	if (json_object_array_length(arr) == 0)
		printf("no failed events\n");
	for (i = 0; i < json_object_array_length(arr); i++) {
		f = json_object_array_get_idx(arr, i);
		printf("%s %s (%s, outbox id %lld) org %s: %s after %lld "
		    "attempts, first %s, last %s, next %s\n  %s\n",
		    ctl_field(f, "consumer"), ctl_field(f, "eventId"),
		    ctl_field(f, "eventType"), (long long)json_object_get_int64(
		    json_object_object_get(f, "outboxId")), ctl_field(f, "org"),
		    ctl_field(f, "state"), (long long)json_object_get_int64(
		    json_object_object_get(f, "attempts")),
		    ctl_field(f, "firstFailedAt"), ctl_field(f, "lastFailedAt"),
		    ctl_field(f, "nextRetryAt"), ctl_field(f, "lastError"));
	}
	json_object_put(arr);
	return 0;
}

/* The tables that grow: approximate row counts and oldest rows. */
static int
ctl_status(struct ctl *c)
{
	struct json_object	*o, *arr, *t;
	size_t			 i;

	if (!ctl_check_args(c, (const char *[]){ NULL },
	    (const char *[]){ NULL }))
		return ctl_usage("status takes no arguments");
	if ((o = housekeeping_status_json(c->db)) == NULL)
		return ctl_db_failed(c);
	if (c->json) {
		ctl_print_json(o);
		return 0;
	}
	arr = json_object_object_get(o, "tables");
	printf("%-20s  %12s  %s\n", "TABLE", "ROWS (~)", "OLDEST ROW");
	for (i = 0; i < json_object_array_length(arr); i++) {
		t = json_object_array_get_idx(arr, i);
		printf("%-20s  %12lld  %s\n", ctl_field(t, "table"),
		    (long long)json_object_get_int64(json_object_object_get(t,
		    "rows")), ctl_field(t, "oldest"));
	}
	printf("(row counts are InnoDB's estimates, from "
	    "information_schema.TABLES)\n");
	json_object_put(o);
	return 0;
}

static int
ctl_demo(struct ctl *c)
{
	const char	*base = ctl_opt(c, "--base-url");

	if (!ctl_check_args(c, (const char *[]){ "--base-url", NULL },
	    (const char *[]){ NULL }))
		return ctl_usage(NULL);
	return demo_create(c->db, base ? base : "http://127.0.0.1:8080",
	    stdout) ? 0 : 1;
}

static int
ctl_dispatch(struct ctl *c, const char *cmd, const char *sub)
{
	static const struct {
		const char	*cmd, *sub;
		int		(*fn)(struct ctl *);
	} cmds[] = {
		{ "migrate", NULL, ctl_migrate },
		{ "check-db", NULL, ctl_check_db },
		{ "sql-check", NULL, ctl_sql_check },
		{ "org", "create", ctl_org_create },
		{ "org", "update", ctl_org_update },
		{ "user", "create", ctl_user_create },
		{ "key", "create", ctl_key_create },
		{ "key", "list", ctl_key_list },
		{ "key", "revoke", ctl_key_revoke },
		{ "app", "update", ctl_app_update },
		{ "client", "set-domains", ctl_client_set_domains },
		{ "checklists", "tick", ctl_checklists_tick },
		{ "events", "failed", ctl_events_failed },
		{ "status", NULL, ctl_status },
		{ "demo", NULL, ctl_demo },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(cmds[i].cmd, cmd) != 0)
			continue;
		if (cmds[i].sub != NULL &&
		    (sub == NULL || strcmp(cmds[i].sub, sub) != 0))
			continue;
		if (cmds[i].sub != NULL) {
			c->argv++;
			c->argc--;
		}
		if (db_ensure(c->db) != DB_OK) {
			fprintf(stderr, "mihwarctl: cannot reach the database: "
			    "%s\n", db_errstr(c->db));
			return 1;
		}
		return cmds[i].fn(c);
	}
	return ctl_usage("unknown command");
}

int
main(int argc, char *argv[])
{
	struct ctl	 c;
	const char	*path = NULL;
	int		 rc;

	memset(&c, 0, sizeof(c));
	argc--;
	argv++;
	while (argc > 0 && argv[0][0] == '-') {
		if (strcmp(argv[0], "--json") == 0)
			c.json = 1;
		else if (strcmp(argv[0], "--conf") == 0 && argc > 1) {
			path = argv[1];
			argc--;
			argv++;
		} else
			return ctl_usage("unknown option");
		argc--;
		argv++;
	}
	if (argc < 1)
		return ctl_usage(NULL);
	if (!boot_load(&c.conf, "mihwarctl", path))
		return 1;
	/* An operator's command (a migration's ALTER of a large table)
	 * may rightly take longer than a request's bound. */
	c.conf.db_read_timeout = 0;
	if (!registry_init() || (c.db = db_new(&c.conf)) == NULL)
		return 1;
	c.argc = argc - 1;
	c.argv = argv + 1;
	rc = ctl_dispatch(&c, argv[0], argc > 1 ? argv[1] : NULL);
	db_free(c.db);
	conf_cleanup(&c.conf);
	return rc;
}
