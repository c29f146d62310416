/*
 * test_idem.c - idem.c without a database: the Idempotency-Key parser,
 * and idem_begin up to its first database call. The request's database
 * is a unix socket that does not exist: a key that gets past the parser
 * finds it unavailable (503), and a refused key never tries it (400,
 * nothing logged).
 */
#include <stdlib.h>
#include <string.h>

#include "mihwar.h"
#include "tests.h"

#define BAD_KEY_INTEG	"{\"error\":{\"code\":\"invalid_idempotency_key\"," \
	"\"message\":\"Idempotency-Key: 1 to 255 printable ASCII " \
	"characters\",\"requestId\":\"rid-idem-0001\"}}"
#define NO_DB_INTEG	"{\"error\":{\"code\":\"unavailable\"," \
	"\"message\":\"database unavailable\",\"requestId\":" \
	"\"rid-idem-0001\"}}"

static char		 k255[256], k256[257], q255[258], q256[259];
static char		 k200[201], k201[202];
static struct conf	 conf;
static struct db	*db;
static struct buf	 logbuf;

static void
log_capture(void *arg, const char *line, size_t n)
{
	buf_append(arg, line, n);
}

static int
suite_init(void)
{
	memset(k200, 'k', 200);
	memset(k201, 'k', 201);
	memset(k255, 'k', 255);
	memset(k256, 'k', 256);
	q255[0] = '"';
	memset(q255 + 1, 'k', 255);
	q255[256] = '"';
	q256[0] = '"';
	memset(q256 + 1, 'k', 256);
	q256[257] = '"';
	conf_init(&conf);
	conf.db_socket = strdup("/nonexistent/mihwar-unit-tests.sock");
	buf_init(&logbuf);
	log_set_sink(log_capture, &logbuf);
	return conf.db_socket != NULL && (db = db_new(&conf)) != NULL ? 0 : -1;
}

static int
suite_cleanup(void)
{
	log_set_sink(NULL, NULL);
	buf_cleanup(&logbuf);
	db_free(db);
	conf_cleanup(&conf);
	return 0;
}

/* A POST with key 7 in family, on the absent database. */
static void
start(struct req *r, enum family_id family)
{
	req_init(r, db, &conf);
	r->family = family_get(family);
	snprintf(r->id, sizeof(r->id), "rid-idem-0001");
	r->principal.kind = PRINCIPAL_KEY;
	r->principal.key_id = 7;
	r->in.method = "POST";
	r->in.path = strdup("/api/integrations/v1/items");
	r->in.query = strdup("");
	logbuf.len = 0;
}

static void
test_key_parse(void)
{
	static const struct {
		const char	*in;
		int		 ok;
		const char	*out;
	} cases[] = {
		/* refused */
		{ "", 0, NULL },
		{ "\"\"", 0, NULL },
		{ k256, 0, NULL },
		{ q256, 0, NULL },
		{ "a\x01" "b", 0, NULL },
		{ "a\tb", 0, NULL },
		{ "a\nb", 0, NULL },
		{ "a\rb", 0, NULL },
		{ "abc\x1f", 0, NULL },
		{ "\x7f", 0, NULL },
		{ "key\x7f", 0, NULL },
		{ "caf\xc3\xa9", 0, NULL },
		{ "\xff", 0, NULL },
		{ "\"a\tb\"", 0, NULL },
		/* accepted */
		{ "abc", 1, "abc" },
		{ "\"abc\"", 1, "abc" },
		{ "k", 1, "k" },
		{ "a b", 1, "a b" },
		{ " ", 1, " " },
		{ "~!#$%&'()*+,-./:;<=>?@[\\]^_`{|}", 1,
		    "~!#$%&'()*+,-./:;<=>?@[\\]^_`{|}" },
		{ "550e8400-e29b-41d4-a716-446655440000", 1,
		    "550e8400-e29b-41d4-a716-446655440000" },
		{ k255, 1, k255 },
		{ q255, 1, k255 },
		/* quotes only come off as a pair */
		{ "\"abc", 1, "\"abc" },
		{ "abc\"", 1, "abc\"" },
		{ "\"", 1, "\"" },
		{ "\"\"abc\"\"", 1, "\"abc\"" },
	};
	char	 out[IDEM_KEY_MAX + 1];
	char	 name[64];
	size_t	 i;
	int	 ok;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(name, sizeof(name), "%s (%zu bytes)",
		    test_esc(cases[i].in, strlen(cases[i].in)),
		    strlen(cases[i].in));
		snprintf(out, sizeof(out), "untouched");
		ok = idem_key_parse(cases[i].in, out);
		CHECK(ok == cases[i].ok, "[%s] ok %d, want %d", name, ok,
		    cases[i].ok);
		if (ok && cases[i].ok)
			CHECK_STR(name, out, cases[i].out);
	}
}

/* No key: the handler runs, nothing is answered, nothing is held. */
static void
test_begin_no_key(void)
{
	static const char *const other[] = {
		NULL, "X-Idempotency-Key", "Idempotency", "Idempotency-Keys",
	};
	struct req	 r;
	enum idem_res	 res;
	const char	*name;
	size_t		 i;

	for (i = 0; i < NELEM(other); i++) {
		name = other[i] ? other[i] : "no headers";
		start(&r, FAM_INTEG);
		if (other[i] != NULL)
			req_add_header(&r, other[i], "abc");
		res = idem_begin(&r);
		CHECK(res == IDEM_PROCEED, "[%s] result %d", name, (int)res);
		CHECK(r.out.status == 0 && r.out.body.len == 0 &&
		    r.out.headers.len == 0, "[%s] answered %d", name,
		    r.out.status);
		CHECK(r.idem == NULL, "[%s] holds a key", name);
		CHECK(logbuf.len == 0 && !db_connected(db), "[%s] went to the "
		    "database: %s", name, logbuf.len ? logbuf.data : "");
		req_cleanup(&r);
	}
}

/*
 * A bad key is 400 in the family's shape, before any database call; a
 * good one (quoted or not) goes on to claim it, and finds no database.
 */
static void
test_begin_key(void)
{
	static const struct {
		const char	*header, *value;
		enum family_id	 family;
		int		 status;
		const char	*body;
	} cases[] = {
		/* refused before the database */
		{ "Idempotency-Key", "", FAM_INTEG, 400, BAD_KEY_INTEG },
		{ "Idempotency-Key", "\"\"", FAM_INTEG, 400, BAD_KEY_INTEG },
		{ "Idempotency-Key", k256, FAM_INTEG, 400, BAD_KEY_INTEG },
		{ "Idempotency-Key", q256, FAM_INTEG, 400, BAD_KEY_INTEG },
		{ "Idempotency-Key", "a\x01" "b", FAM_INTEG, 400,
		    BAD_KEY_INTEG },
		{ "Idempotency-Key", "a\tb", FAM_INTEG, 400, BAD_KEY_INTEG },
		{ "Idempotency-Key", "key\x7f", FAM_INTEG, 400,
		    BAD_KEY_INTEG },
		{ "Idempotency-Key", "caf\xc3\xa9", FAM_INTEG, 400,
		    BAD_KEY_INTEG },
		/* as FastCGI names it, and in any case */
		{ "IDEMPOTENCY_KEY", "", FAM_INTEG, 400, BAD_KEY_INTEG },
		{ "idempotency-key", "a\nb", FAM_INTEG, 400, BAD_KEY_INTEG },
		/* the shape is the family's */
		{ "Idempotency-Key", "", FAM_FULFILL, 400,
		    "{\"error\":\"Idempotency-Key: 1 to 255 printable ASCII "
		    "characters\",\"requestId\":\"rid-idem-0001\"}" },
		{ "Idempotency-Key", "", FAM_IMPEX, 400,
		    "{\"detail\":\"Idempotency-Key: 1 to 255 printable ASCII "
		    "characters\",\"requestId\":\"rid-idem-0001\"}" },
		/* activity ingest: at most 200, its one 400 code */
		{ "Idempotency-Key", k201, FAM_INGEST, 400,
		    "{\"error\":{\"code\":\"invalid_body\",\"message\":"
		    "\"Idempotency-Key: 1 to 200 printable ASCII characters\","
		    "\"requestId\":\"rid-idem-0001\"}}" },
		/* accepted: on to the (absent) database */
		{ "Idempotency-Key", k200, FAM_INGEST, 503, NO_DB_INTEG },
		{ "Idempotency-Key", "abc", FAM_INTEG, 503, NO_DB_INTEG },
		{ "Idempotency-Key", "\"abc\"", FAM_INTEG, 503, NO_DB_INTEG },
		{ "Idempotency-Key", k255, FAM_INTEG, 503, NO_DB_INTEG },
		{ "Idempotency-Key", q255, FAM_INTEG, 503, NO_DB_INTEG },
		{ "IDEMPOTENCY_KEY", "a b", FAM_INTEG, 503, NO_DB_INTEG },
	};
	struct req	 r;
	enum idem_res	 res;
	char		 name[64];
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(name, sizeof(name), "%s: %s, family %d",
		    cases[i].header, test_esc(cases[i].value,
		    strlen(cases[i].value)), (int)cases[i].family);
		start(&r, cases[i].family);
		req_add_header(&r, cases[i].header, cases[i].value);
		res = idem_begin(&r);
		CHECK(res == IDEM_ANSWERED, "[%s] result %d", name, (int)res);
		CHECK(r.out.status == cases[i].status, "[%s] status %d, want "
		    "%d", name, r.out.status, cases[i].status);
		CHECK_STR(name, r.out.body.data, cases[i].body);
		CHECK(r.idem == NULL, "[%s] holds a key", name);
		if (cases[i].status == 400)
			CHECK(logbuf.len == 0, "[%s] went to the database: %s",
			    name, logbuf.len ? logbuf.data : "");
		else
			CHECK(logbuf.len > 0 && strstr(logbuf.data, "connect") !=
			    NULL, "[%s] did not try the database: %s", name,
			    logbuf.len ? logbuf.data : "");
		req_cleanup(&r);
	}
}

/*
 * A caller that is not an API key, or a family with no replay window,
 * keeps no answers: the header is not even read, and nothing is claimed
 * (a key of 0 would be one namespace shared by every console user).
 */
static void
test_begin_not_kept(void)
{
	static const struct {
		const char		*name;
		enum principal_kind	 who;
		enum family_id		 family;
	} cases[] = {
		{ "console session", PRINCIPAL_SESSION, FAM_INTEG },
		{ "no principal", PRINCIPAL_NONE, FAM_INTEG },
		{ "SCIM: no window", PRINCIPAL_KEY, FAM_SCIM },
		{ "settings: no window", PRINCIPAL_KEY, FAM_SETTINGS },
	};
	struct req	 r;
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		start(&r, cases[i].family);
		r.principal.kind = cases[i].who;
		req_add_header(&r, "Idempotency-Key", "");
		CHECK(idem_begin(&r) == IDEM_PROCEED, "[%s] not proceeded",
		    cases[i].name);
		CHECK(r.out.status == 0 && r.idem == NULL && logbuf.len == 0,
		    "[%s] answered %d or claimed", cases[i].name, r.out.status);
		req_cleanup(&r);
	}
}

/* The "idem" suite. */
void
test_idem_register(void)
{
	static const struct test_def tests[] = {
		{ "idem_key_parse", test_key_parse },
		{ "idem_begin without a key", test_begin_no_key },
		{ "idem_begin with a key", test_begin_key },
		{ "idem_begin keeps nothing for others", test_begin_not_kept },
	};

	test_add_suite("idem", suite_init, suite_cleanup, tests,
	    NELEM(tests));
}
