/*
 * test_outbox.c - the worker's outbox consumers (webhook fan-out and
 * prediction regeneration, through events_consume) never skip an event
 * whose transaction commits after a later one: a consumer stops before a
 * missing id until the event after it is old enough, takes both once the
 * missing one arrives, and passes a gap that never fills after the wait.
 * Events are written straight into the table, with the ids the test
 * wants, for an organization that does not exist (no deliveries).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "itest.h"

#define GAP_WAIT_MS	5000	/* EVENTS_GAP_WAIT_MS */

static long
cursor_of(const char *consumer)
{
	return db_long("SELECT last_event_id FROM event_cursors"
	    " WHERE consumer = '%s'", consumer);
}

static long
max_event(void)
{
	return db_long("SELECT COALESCE(MAX(id), 0) FROM events");
}

/* 1 when consumer's cursor reaches at least id within ms. */
static int
reaches(const char *consumer, long id, int ms)
{
	for (; ms > 0; ms -= 100) {
		if (cursor_of(consumer) >= id)
			return 1;
		usleep(100 * 1000);
	}
	return cursor_of(consumer) >= id;
}

static int
event_insert(long id)
{
	char	 sql[300];

	snprintf(sql, sizeof(sql), "INSERT INTO events (id, public_id, org_id,"
	    " type, payload) VALUES (%ld, UUID(), 0, 'order.created', '{}')", id);
	return sql_query(sql, NULL) == 0;
}

static void
test_gap_waits_then_fills(void)
{
	static const char *const consumers[] = { "webhooks", "predictions" };
	long	 base;
	size_t	 i;

	base = max_event();
	CU_ASSERT_FATAL(base >= 0);
	for (i = 0; i < 2; i++)
		CU_ASSERT_FATAL(reaches(consumers[i], base, 15000));

	/* base+2 commits first; base+1 is still being written. */
	CU_ASSERT_FATAL(event_insert(base + 2));
	usleep(1500 * 1000);
	for (i = 0; i < 2; i++)
		CU_ASSERT(cursor_of(consumers[i]) == base);
	/* base+1 arrives: both are taken. */
	CU_ASSERT_FATAL(event_insert(base + 1));
	for (i = 0; i < 2; i++)
		CU_ASSERT(reaches(consumers[i], base + 2, 3000));

	/* base+3 never comes (its writer rolled back): base+4 waits for
	 * the gap, then is taken. */
	CU_ASSERT_FATAL(event_insert(base + 4));
	usleep(1000 * 1000);
	for (i = 0; i < 2; i++)
		CU_ASSERT(cursor_of(consumers[i]) == base + 2);
	for (i = 0; i < 2; i++)
		CU_ASSERT(reaches(consumers[i], base + 4, GAP_WAIT_MS + 5000));
}

void
suite_outbox_register(void)
{
	CU_pSuite	 s = CU_add_suite("outbox", NULL, NULL);

	CU_add_test(s, "a consumer waits at a gap, then takes what fills it",
	    test_gap_waits_then_fills);
}
