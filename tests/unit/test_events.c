/*
 * test_events.c - events.c: the catalogue of event types (names on the
 * wire, parsing, who may subscribe, iteration), and the check a webhook
 * subscription's event filter goes through.
 */
#include <stdio.h>
#include <string.h>

#include "mihwar.h"
#include "tests.h"

/* Every type, its wire name and whether subscriptions may ask for it. */
static const struct {
	enum event_type	 type;
	const char	*name;
	int		 subscribable;
} catalogue[] = {
	{ EVENT_IMPORT_COMPLETED, "import.completed", 1 },
	{ EVENT_INVENTORY_LOW_STOCK, "inventory.low_stock", 1 },
	{ EVENT_INVENTORY_STOCKOUT, "inventory.stockout", 1 },
	{ EVENT_INVENTORY_STOCKOUT_RESOLVED, "inventory.stockout.resolved", 1 },
	{ EVENT_ORDER_CREATED, "order.created", 1 },
	{ EVENT_ORDER_STATUS_CHANGED, "order.status_changed", 1 },
	{ EVENT_ORDER_FULFILLED, "order.fulfilled", 1 },
	{ EVENT_WEBHOOK_TEST, "webhook.test", 0 },
	{ EVENT_CASE_APPROVED, "case.approved", 0 },
	{ EVENT_INTEGRATION_INVENTORY_SUCCESS,
	    "integration.inventory.success", 1 },
	{ EVENT_INTEGRATION_AP_SUCCESS, "integration.ap.success", 1 },
	{ EVENT_INTEGRATION_ACCOUNTING_SUCCESS,
	    "integration.accounting.success", 1 },
	{ EVENT_INTEGRATION_FAILED, "integration.failed", 1 },
	{ EVENT_INTEGRATION_ROLLED_BACK, "integration.rolled_back", 1 },
	{ EVENT_CHECKLIST_COMPLETED, "checklist.completed", 1 },
	{ EVENT_CHECKLIST_MISSED, "checklist.missed", 1 },
	{ EVENT_CRAFT_COMPLETED, "craft.completed", 1 },
	{ EVENT_INTEGRATION_WEBHOOK_RECEIVED, "integration.webhook_received",
	    1 },
};

static void
test_names(void)
{
	enum event_type	 t;
	size_t		 i;

	CHECK(NELEM(catalogue) == EVENT__MAX, "the table covers %zu of %d "
	    "types", NELEM(catalogue), (int)EVENT__MAX);
	for (i = 0; i < NELEM(catalogue); i++) {
		CHECK_STR(catalogue[i].name, events_name(catalogue[i].type),
		    catalogue[i].name);
		t = EVENT__MAX;
		CHECK(events_parse(catalogue[i].name, &t) == 1 &&
		    t == catalogue[i].type, "[%s] parses back to %d, got %d",
		    catalogue[i].name, (int)catalogue[i].type, (int)t);
		CHECK(events_payload_shape(catalogue[i].type) != NULL &&
		    *events_payload_shape(catalogue[i].type) != '\0',
		    "[%s] has a payload shape", catalogue[i].name);
	}
	CHECK(events_name(EVENT__MAX) == NULL, "EVENT__MAX has no name");
	CHECK(events_payload_shape(EVENT__MAX) == NULL,
	    "EVENT__MAX has no payload shape");
}

static void
test_parse_refuses(void)
{
	static const char *const bad[] = {
		"", "checklist.skipped", "checklist", "order",
		"order.", "ORDER.CREATED", "order.created ", " order.created",
		"order.created,order.fulfilled", "*", "inventory.stockout.",
		"inventory", "webhook", "webhook.test2",
	};
	enum event_type	 t;
	size_t		 i;

	for (i = 0; i < NELEM(bad); i++) {
		t = EVENT__MAX;
		CHECK(events_parse(bad[i], &t) == 0 && t == EVENT__MAX,
		    "[%s] is refused and leaves the type alone", bad[i]);
	}
	CHECK(events_parse(NULL, &t) == 0, "NULL is refused");
}

static void
test_subscribable(void)
{
	const char	*name;
	size_t		 i, j, n = 0;

	for (i = 0; i < NELEM(catalogue); i++)
		CHECK(events_subscribable(catalogue[i].type) ==
		    catalogue[i].subscribable, "[%s] subscribable %d",
		    catalogue[i].name, catalogue[i].subscribable);
	CHECK(!events_subscribable(EVENT__MAX), "EVENT__MAX is not");

	/* The iteration offers exactly the subscribable ones, in order. */
	for (i = 0, j = 0; (name = events_subscribable_at(i)) != NULL; i++) {
		while (j < NELEM(catalogue) && !catalogue[j].subscribable)
			j++;
		if (!CHECK(j < NELEM(catalogue), "[%zu] %s is one too many",
		    i, name))
			break;
		CHECK_STR("subscribable_at", name, catalogue[j].name);
		j++;
		n++;
	}
	CHECK(n == NELEM(catalogue) - 2, "%zu types offered, want %zu", n,
	    NELEM(catalogue) - 2);
	CHECK(events_subscribable_at(1000) == NULL, "far past the end");
}

static void
test_offered(void)
{
	static const struct {
		const char	*name;
		int		 ok;
		const char	*err;
	} cases[] = {
		{ "order.created", 1, NULL },
		{ "inventory.stockout.resolved", 1, NULL },
		{ "import.completed", 1, NULL },
		{ "checklist.completed", 1, NULL },
		{ "checklist.missed", 1, NULL },
		{ "checklist.skipped", 0,
		    "checklist.skipped is not emitted by this server" },
		{ "webhook.test", 0, "webhook.test is sent only to the "
		    "subscription it is addressed to" },
		{ "", 0, "this event type is not emitted by this server" },
		{ "<b>", 0, "<b> is not emitted by this server" },
		{ "a b", 0, "this event type is not emitted by this server" },
		{ "\xc3\xa9", 0,
		    "this event type is not emitted by this server" },
		{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxx", 0,
		    "this event type is not emitted by this server" },
	};
	char	 err[160];
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(err, sizeof(err), "(unset)");
		CHECK(webhooks_event_offered(cases[i].name, err, sizeof(err)) ==
		    cases[i].ok, "[%s] offered %d", test_esc(cases[i].name,
		    strlen(cases[i].name)), cases[i].ok);
		if (!cases[i].ok)
			CHECK_STR(test_esc(cases[i].name,
			    strlen(cases[i].name)), err, cases[i].err);
	}
}

/* The "events" suite. */
void
test_events_register(void)
{
	static const struct test_def tests[] = {
		{ "events_name and events_parse round-trip", test_names },
		{ "events_parse refuses", test_parse_refuses },
		{ "events_subscribable and events_subscribable_at",
		    test_subscribable },
		{ "webhooks_event_offered", test_offered },
	};

	test_add_suite("events", NULL, NULL, tests, NELEM(tests));
}
