/*
 * test_hooks.c - the integrations' webhooks without the network:
 * receive_verify (Standard Webhooks against the vector the standard's
 * libraries test with; GitHub's X-Hub-Signature-256 against the example
 * of GitHub's documentation; several signatures, the 5-minute window
 * both ways, a wrong secret, a changed body, missing and malformed
 * headers), the receiving endpoint's body cap, the URL classifier on
 * real Discord and Slack webhook URLs and look-alikes, notify_on
 * filtering, and the readable line and chat bodies.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "tests.h"

/* github.com/standard-webhooks/standard-webhooks, its libraries' test. */
#define STD_SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define STD_ID		"msg_p5jXN8AQM9LWM0D4loKWxJek"
#define STD_TS		"1614265330"
#define STD_NOW		1614265330LL
#define STD_BODY	"{\"test\": 2432232314}"
#define STD_SIG		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
/* docs.github.com, "Validating webhook deliveries". */
#define GH_SECRET	"It's a Secret to Everybody"
#define GH_BODY		"Hello, World!"
#define GH_SIG		"sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

static int
suite_init(void)
{
	return crypto_init(NULL) ? 0 : -1;
}

struct sig_case {
	const char		*name;
	struct receive_sig	 s;
	const char		*secret, *body;
	long long		 now;
	enum receive_verdict	 want;
};

static void
test_verify(void)
{
	static const struct sig_case cases[] = {
		{ "standard", { STD_ID, STD_TS, STD_SIG, NULL }, STD_SECRET,
		    STD_BODY, STD_NOW, RECEIVE_OK },
		{ "one of several", { STD_ID, STD_TS, "v1,bm9wZQ== v1a,xyz "
		    STD_SIG " v1,AAAA", NULL }, STD_SECRET, STD_BODY, STD_NOW,
		    RECEIVE_OK },
		{ "5 minutes late", { STD_ID, STD_TS, STD_SIG, NULL },
		    STD_SECRET, STD_BODY, STD_NOW + 300, RECEIVE_OK },
		{ "5 minutes early", { STD_ID, STD_TS, STD_SIG, NULL },
		    STD_SECRET, STD_BODY, STD_NOW - 300, RECEIVE_OK },
		{ "too old", { STD_ID, STD_TS, STD_SIG, NULL }, STD_SECRET,
		    STD_BODY, STD_NOW + 301, RECEIVE_STALE },
		{ "from the future", { STD_ID, STD_TS, STD_SIG, NULL },
		    STD_SECRET, STD_BODY, STD_NOW - 301, RECEIVE_STALE },
		{ "changed body", { STD_ID, STD_TS, STD_SIG, NULL },
		    STD_SECRET, "{\"test\": 2432232315}", STD_NOW,
		    RECEIVE_MISMATCH },
		{ "other id", { "msg_other", STD_TS, STD_SIG, NULL },
		    STD_SECRET, STD_BODY, STD_NOW, RECEIVE_MISMATCH },
		{ "wrong secret", { STD_ID, STD_TS, STD_SIG, NULL },
		    "whsec_" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", STD_BODY,
		    STD_NOW, RECEIVE_MISMATCH },
		{ "v1a only", { STD_ID, STD_TS, "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", NULL },
		    STD_SECRET, STD_BODY, STD_NOW, RECEIVE_MISMATCH },
		{ "no id", { NULL, STD_TS, STD_SIG, NULL }, STD_SECRET,
		    STD_BODY, STD_NOW, RECEIVE_MISSING },
		{ "no timestamp", { STD_ID, NULL, STD_SIG, NULL }, STD_SECRET,
		    STD_BODY, STD_NOW, RECEIVE_MISSING },
		{ "timestamp not a number", { STD_ID, "16142653x0", STD_SIG,
		    NULL }, STD_SECRET, STD_BODY, STD_NOW, RECEIVE_MALFORMED },
		{ "id with a space", { "msg 1", STD_TS, STD_SIG, NULL },
		    STD_SECRET, STD_BODY, STD_NOW, RECEIVE_MALFORMED },
		{ "no signature at all", { STD_ID, STD_TS, NULL, NULL },
		    STD_SECRET, STD_BODY, STD_NOW, RECEIVE_MISSING },
		{ "github", { NULL, NULL, NULL, GH_SIG }, GH_SECRET, GH_BODY,
		    0, RECEIVE_OK },
		{ "github upper-case hex", { NULL, NULL, NULL,
		    "sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4"
		    "379C8B043E17" }, GH_SECRET, GH_BODY, 0, RECEIVE_OK },
		{ "github changed body", { NULL, NULL, NULL, GH_SIG },
		    GH_SECRET, "Hello, World?", 0, RECEIVE_MISMATCH },
		{ "github wrong secret", { NULL, NULL, NULL, GH_SIG },
		    "It's a secret to everybody", GH_BODY, 0,
		    RECEIVE_MISMATCH },
		{ "github sha1", { NULL, NULL, NULL,
		    "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4"
		    "379c8b043e17" }, GH_SECRET, GH_BODY, 0, RECEIVE_MALFORMED },
		{ "github short", { NULL, NULL, NULL, "sha256=7571" },
		    GH_SECRET, GH_BODY, 0, RECEIVE_MALFORMED },
	};
	char		 why[200];
	size_t		 i;
	enum receive_verdict got;

	for (i = 0; i < NELEM(cases); i++) {
		why[0] = '\0';
		got = receive_verify(&cases[i].s, cases[i].secret,
		    (const unsigned char *)cases[i].body,
		    strlen(cases[i].body), cases[i].now, why, sizeof(why));
		CHECK(got == cases[i].want, "[%s] verdict %d, want %d (%s)",
		    cases[i].name, got, cases[i].want, why);
		CHECK((got == RECEIVE_OK) == (why[0] == '\0'),
		    "[%s] why \"%s\"", cases[i].name, why);
		CHECK(strstr(why, "g0hM9") == NULL && strstr(why, "757107") ==
		    NULL, "[%s] why tells the signature: %s", cases[i].name,
		    why);
	}
}

static void
test_url_kind(void)
{
	static const struct {
		const char		*url;
		enum outgoing_format	 want;
	} cases[] = {
		{ "https://discord.com/api/webhooks/1234567890123456789/"
		    "AbCdEf-GhIjKl_MnOpQrStUvWxYz0123456789", OUTGOING_DISCORD },
		{ "https://discordapp.com/api/webhooks/123/tok",
		    OUTGOING_DISCORD },
		{ "https://ptb.discord.com/api/webhooks/123/tok",
		    OUTGOING_DISCORD },
		{ "https://canary.discord.com/api/v10/webhooks/123/tok?wait=true",
		    OUTGOING_DISCORD },
		{ "https://DISCORD.COM/api/webhooks/123/tok", OUTGOING_DISCORD },
		{ "https://discord.com/api/webhooks/", OUTGOING_STANDARD },
		{ "https://discord.com/channels/123/456", OUTGOING_STANDARD },
		{ "https://notdiscord.com/api/webhooks/123/tok",
		    OUTGOING_STANDARD },
		{ "https://discord.com.evil.example/api/webhooks/1/t",
		    OUTGOING_STANDARD },
		{ "https://hooks.slack.com/services/T00000000/B00000000/"
		    "XXXXXXXXXXXXXXXXXXXXXXXX", OUTGOING_SLACK },
		{ "https://hooks.slack.com/triggers/T0/123/abc",
		    OUTGOING_SLACK },
		{ "https://slack.com/api/chat.postMessage", OUTGOING_STANDARD },
		{ "https://hooks.slack.com.evil.example/services/T/B/X",
		    OUTGOING_STANDARD },
		{ "https://example.com/hooks/discord.com/api/webhooks/1/t",
		    OUTGOING_STANDARD },
		{ "http://127.0.0.1:8080/hook", OUTGOING_STANDARD },
		{ "not a url", OUTGOING_STANDARD },
	};
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++)
		CHECK(outgoing_format_of_url(cases[i].url) == cases[i].want,
		    "[%s] format %d, want %d", cases[i].url,
		    outgoing_format_of_url(cases[i].url), cases[i].want);
}

static void
test_format_forced(void)
{
	struct integ	 in;

	memset(&in, 0, sizeof(in));
	in.webhook_url = (char *)"http://127.0.0.1:9/hook";
	in.config = json_tokener_parse("{\"format\":\"discord\"}");
	CHECK(outgoing_format_of(&in) == OUTGOING_DISCORD, "forced discord");
	json_object_put(in.config);
	in.config = json_tokener_parse("{\"format\":\"Slack\"}");
	CHECK(outgoing_format_of(&in) == OUTGOING_SLACK, "forced slack");
	json_object_put(in.config);
	in.webhook_url = (char *)"https://hooks.slack.com/services/T/B/X";
	in.config = json_tokener_parse("{\"format\":\"standard\"}");
	CHECK(outgoing_format_of(&in) == OUTGOING_STANDARD,
	    "forced standard over a Slack URL");
	json_object_put(in.config);
	in.config = json_tokener_parse("{\"format\":\"teams\"}");
	CHECK(outgoing_format_of(&in) == OUTGOING_SLACK,
	    "an unknown format: the URL says");
	json_object_put(in.config);
}

static void
test_wants(void)
{
	static const struct {
		const char	*config;
		enum event_type	 type;
		int		 want;
	} cases[] = {
		{ "{}", EVENT_INVENTORY_LOW_STOCK, 1 },
		{ "{\"notify_on\":null}", EVENT_ORDER_CREATED, 1 },
		{ "{}", EVENT_WEBHOOK_TEST, 0 },	/* not subscribable */
		{ "{}", EVENT_CASE_APPROVED, 0 },
		{ "{\"notify_on\":[\"low_stock\"]}", EVENT_INVENTORY_LOW_STOCK,
		    1 },
		{ "{\"notify_on\":[\"low_stock\"]}", EVENT_INVENTORY_STOCKOUT,
		    0 },
		{ "{\"notify_on\":[\"low_stock\",\"craft_complete\"]}",
		    EVENT_CRAFT_COMPLETED, 1 },
		{ "{\"notify_on\":[\"order_created\"]}", EVENT_ORDER_CREATED,
		    1 },
		{ "{\"notify_on\":[\"stockout\"]}", EVENT_INVENTORY_STOCKOUT,
		    1 },
		{ "{\"notify_on\":[\"stockout\"]}",
		    EVENT_INVENTORY_STOCKOUT_RESOLVED, 0 },
		{ "{\"notify_on\":[\"inventory.stockout.resolved\"]}",
		    EVENT_INVENTORY_STOCKOUT_RESOLVED, 1 },
		{ "{\"notify_on\":\"order.created\"}", EVENT_ORDER_CREATED, 1 },
		{ "{\"notify_on\":[]}", EVENT_ORDER_CREATED, 0 },
		{ "{\"notify_on\":[\"webhook.test\"]}", EVENT_WEBHOOK_TEST, 0 },
		{ "{\"notify_on\":[1,\"nonsense\",\"low_stock\"]}",
		    EVENT_INVENTORY_LOW_STOCK, 1 },
		{ "{\"notify_on\":42}", EVENT_INVENTORY_LOW_STOCK, 0 },
	};
	struct json_object	*c;
	size_t			 i;
	int			 got;

	for (i = 0; i < NELEM(cases); i++) {
		c = json_tokener_parse(cases[i].config);
		got = outgoing_wants(c, cases[i].type);
		CHECK(got == cases[i].want, "[%s %s] %d, want %d",
		    cases[i].config, events_name(cases[i].type), got,
		    cases[i].want);
		json_object_put(c);
	}
}

static void
test_line_and_bodies(void)
{
	const char	*low = "{\"itemId\":\"i-1\",\"itemName\":\"Oat milk\","
			    "\"sku\":\"OAT-1\",\"currentStock\":3}";
	char		*s;

	s = outgoing_line("inventory.low_stock", low);
	CHECK_STR("low stock line", s,
	    "Low stock: Oat milk (SKU OAT-1) is down to 3");
	free(s);
	s = outgoing_line("inventory.low_stock", "{\"itemName\":\"A\\nB\"}");
	CHECK_STR("missing fields, no newline", s,
	    "Low stock: A B (SKU -) is down to -");
	free(s);
	s = outgoing_line("craft.completed", "{\"blueprintName\":\"Latte\","
	    "\"quantity\":2,\"outputQuantity\":4,\"outputItemId\":\"i-9\"}");
	CHECK_STR("craft line", s, "Crafted 2 x Latte: 4 of item i-9 made");
	free(s);
	s = outgoing_line("integration.failed", "{\"case_id\":\"c1\"}");
	CHECK_STR("an event without a line", s,
	    "integration.failed: {\"case_id\":\"c1\"}");
	free(s);
	s = outgoing_chat_body(OUTGOING_DISCORD, "inventory.low_stock", low,
	    NULL);
	CHECK_STR("discord", s, "{\"content\":\"Low stock: Oat milk (SKU "
	    "OAT-1) is down to 3\"}");
	free(s);
	{
		struct json_object *cfg = json_tokener_parse(
		    "{\"username\":\"Mihwar Bot\",\"channel\":\"#stock\","
		    "\"notify_on\":[\"low_stock\"]}");

		s = outgoing_chat_body(OUTGOING_SLACK, "inventory.low_stock",
		    low, cfg);
		CHECK_STR("slack", s, "{\"text\":\"Low stock: Oat milk (SKU "
		    "OAT-1) is down to 3\",\"username\":\"Mihwar Bot\","
		    "\"channel\":\"#stock\"}");
		free(s);
		json_object_put(cfg);
	}
}

static const struct test_def tests[] = {
	{ "receive_verify", test_verify },
	{ "outgoing_format_of_url", test_url_kind },
	{ "outgoing_format_of forced", test_format_forced },
	{ "outgoing_wants", test_wants },
	{ "outgoing_line and chat bodies", test_line_and_bodies },
};

void
test_hooks_register(void)
{
	test_add_suite("hooks", suite_init, NULL, tests, NELEM(tests));
}
