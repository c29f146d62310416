/*
 * test_users.c - users.c without a database: the one password policy of
 * SCIM, the console's one-time link and mihwarctl (issue 16 item 6), and
 * scimpatch.c's reading of attribute names fully qualified with the core
 * schema's URN (item 4), on which the password's being write-only rests.
 */
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "tests.h"

#define X10	"xxxxxxxxxx"
#define E10	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" \
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"	/* é x 10 */
#define X50	X10 X10 X10 X10 X10
#define E50	E10 E10 E10 E10 E10
#define X250	X50 X50 X50 X50 X50
#define E250	E50 E50 E50 E50 E50

static void
test_password_ok(void)
{
	static const struct {
		const char	*pw, *what;
		int		 ok;
	} cases[] = {
		{ "12345678", "8 characters", 1 },
		{ "1234567", "7 characters", 0 },
		{ "", "empty", 0 },
		{ "a", "one character", 0 },
		{ " ", "one space", 0 },
		{ "        ", "8 spaces", 0 },
		{ " \t \t \r\n\v\f", "only white space", 0 },
		{ "  pass  ", "spaces around", 1 },
		{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
		    "7 characters in 14 bytes", 0 },
		{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9", "8 characters in 16 bytes", 1 },
		{ "\xf0\x9f\x94\x91\xf0\x9f\x94\x91\xf0\x9f\x94\x91\xf0\x9f"
		    "\x94\x91\xf0\x9f\x94\x91\xf0\x9f\x94\x91\xf0\x9f\x94\x91"
		    "\xf0\x9f\x94\x91", "8 emoji", 1 },
		{ X250 "xxxx", "254 characters", 1 },
		{ X250 "xxxxx", "255 characters", 0 },
		{ E250 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
		    "254 characters in 508 bytes", 1 },
		{ E250 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
		    "255 characters in 510 bytes", 0 },
		{ "abcdefg\xff", "not UTF-8", 0 },
		{ "abcdefg\xc3", "cut UTF-8", 0 },
		{ "\xa0\xa0\xa0\xa0\xa0\xa0\xa0\xa0", "Latin-1 spaces", 0 },
	};
	size_t	 i;
	int	 ok;

	CHECK(!users_password_ok(NULL), "[NULL] accepted");
	for (i = 0; i < NELEM(cases); i++) {
		ok = users_password_ok(cases[i].pw);
		CHECK(ok == cases[i].ok, "[%s] %d, want %d", cases[i].what, ok,
		    cases[i].ok);
	}
}

static void
test_canon_qualified(void)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "{\"urn:ietf:params:scim:schemas:core:2.0:User:password\":"
		    "\"p\"}", "{\"password\":\"p\"}" },
		{ "{\"URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:PASSWORD\":"
		    "\"p\"}", "{\"password\":\"p\"}" },
		{ "{\"urn:ietf:params:scim:schemas:core:2.0:user:USERNAME\":"
		    "\"u\",\"urn:ietf:params:scim:schemas:core:2.0:User:active"
		    "\":\"False\"}", "{\"userName\":\"u\",\"active\":false}" },
		{ "{\"urn:ietf:params:scim:schemas:core:2.0:Group:displayName"
		    "\":\"g\"}", "{\"displayName\":\"g\"}" },
		/* Two spellings of one attribute: the last wins. */
		{ "{\"password\":\"a\",\"urn:ietf:params:scim:schemas:core:2.0"
		    ":User:Password\":\"b\"}", "{\"password\":\"b\"}" },
		/* Only at the top level, and only a bare attribute name. */
		{ "{\"name\":{\"urn:ietf:params:scim:schemas:core:2.0:User:"
		    "password\":\"p\"}}", "{\"name\":{\"urn:ietf:params:scim:"
		    "schemas:core:2.0:User:password\":\"p\"}}" },
		{ "{\"urn:ietf:params:scim:schemas:core:2.0:User:name."
		    "givenName\":\"g\"}", "{\"urn:ietf:params:scim:schemas:"
		    "core:2.0:User:name.givenName\":\"g\"}" },
		{ "{\"urn:ietf:params:scim:schemas:core:2.0:User:\":\"x\"}",
		    "{\"urn:ietf:params:scim:schemas:core:2.0:User:\":\"x\"}" },
		{ "{\"urn:ietf:params:scim:schemas:core:2.0:Userpassword\":"
		    "\"x\"}", "{\"urn:ietf:params:scim:schemas:core:2.0:"
		    "Userpassword\":\"x\"}" },
		/* The extension's object is a key of its own. */
		{ "{\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:"
		    "User\":{\"department\":\"d\"}}", "{\"urn:ietf:params:scim:"
		    "schemas:extension:enterprise:2.0:User\":{\"department\":"
		    "\"d\"}}" },
	};
	struct json_object	*o;
	const char		*got;
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		o = scimp_canon(json_tokener_parse(cases[i].in));
		got = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE);
		CHECK_STR(cases[i].in, got, cases[i].want);
		json_object_put(o);
	}
}

/* The "users" suite. */
void
test_users_register(void)
{
	static const struct test_def tests[] = {
		{ "users_password_ok", test_password_ok },
		{ "scimp_canon: fully qualified names", test_canon_qualified },
	};

	test_add_suite("users", NULL, NULL, tests, NELEM(tests));
}
