// retention.test.mjs - the worker's housekeeping trims what grows: events
// older than events_retention_days (90 by default) that are done with -
// every delivery ended, every consumer's cursor past them, no consumer
// failure on record - with their deliveries and attempts; parked
// failures as old; expired sessions; one-time links used or expired more
// than a day ago. Nothing else. `mihwarctl status` shows the growing
// tables with their oldest rows.
//
// Rows are aged by SQL as root: that stands for the months passing. The
// stack's worker is stopped meanwhile, and one pass runs with
// `mihwar-worker --once-housekeeping`.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';

import {
	checkEnv, env, fixture, sql, q, until, stackCmd, stackWorkerPid,
	ctl, delivery,
} from '../webhooks/stack.mjs';
import { Receiver } from '../webhooks/receiver.mjs';

checkEnv();

const TABLES = ['events', 'event_failures', 'webhook_deliveries',
    'webhook_attempts', 'sessions', 'idempotency_keys', 'rate_counters',
    'user_links', 'order_history_lines', 'activity_events'];

function housekeepingPass() {
	return new Promise((resolve) => {
		execFile(env.worker, ['--once-housekeeping'], {
			env: { ...process.env, MIHWAR_CONF: env.conf },
		}, (err, stdout, stderr) => resolve({
			code: err ? err.code : 0, stderr,
		}));
	});
}

const hex = (n) => randomBytes(n).toString('hex');
const exists = async (table, where) =>
    Number((await sql(`SELECT COUNT(*) FROM ${table} WHERE ${where}`))[0][0]);

async function statusOf(table) {
	const s = await ctl(['status']);

	assert.equal(s.rowsApproximate, true);
	assert.deepEqual(s.tables.map((t) => t.table), TABLES);
	for (const t of s.tables)
		assert.equal(typeof t.rows, 'number', t.table);
	return s.tables.find((t) => t.table === table);
}

test('housekeeping deletes old finished events with their deliveries and ' +
    'attempts, expired sessions and spent links, and keeps the rest',
    { timeout: 60000 }, async () => {
	const f = await fixture();
	const rcv = await new Receiver().start();
	const [[orgId]] = await sql('SELECT id FROM organizations WHERE slug = ' +
	    q(f.slug));
	const [[userId]] = await sql(`SELECT id FROM users WHERE org_id = ${orgId}`);
	const failureIds = [];

	try {
		await f.subscribe(rcv.url('/retention'), ['order.created']);
		// Six orders, six order.created events, each delivered.
		const orders = [];
		for (let i = 0; i < 6; i++)
			orders.push((await f.order()).id);
		await rcv.waitForCount(6, 15000);
		const ev = {};
		for (const [i, name] of ['delivered', 'failed', 'pending', 'young',
		    'retrying', 'parked'].entries()) {
			const [[id]] = await sql('SELECT id FROM events WHERE org_id = ' +
			    `${orgId} AND type = 'order.created' AND JSON_VALUE(payload,` +
			    ` '$.orderId') = ${q(orders[i])}`);
			const [[did, dpub]] = await sql('SELECT id, public_id FROM ' +
			    `webhook_deliveries WHERE event_id = ${id}`);
			ev[name] = { id, did, dpub };
		}
		await until(async () => {
			for (const e of Object.values(ev))
				if ((await delivery(e.dpub))?.state !== 'succeeded')
					return false;
			return true;
		}, 15000, 'the six deliveries to succeed');
		assert.equal(await exists('webhook_attempts',
		    `delivery_id = ${ev.delivered.did}`), 1);

		await stackCmd('worker-stop');

		// Months pass. The delivered one is the oldest event of all.
		await sql('UPDATE events SET created_at = \'2002-03-04 05:06:07.890\'' +
		    ` WHERE id = ${ev.delivered.id}`);
		for (const n of ['failed', 'pending', 'retrying', 'parked'])
			await sql('UPDATE events SET created_at = NOW(3) - INTERVAL 91 ' +
			    `DAY WHERE id = ${ev[n].id}`);
		await sql('UPDATE events SET created_at = NOW(3) - INTERVAL 89 DAY ' +
		    `WHERE id = ${ev.young.id}`);
		// One delivery failed for good; one is still to be sent (a retry
		// due tomorrow).
		await sql('UPDATE webhook_deliveries SET state = \'failed\' WHERE ' +
		    `id = ${ev.failed.did}`);
		await sql('UPDATE webhook_deliveries SET state = \'pending\', ' +
		    'next_attempt_at = NOW(3) + INTERVAL 1 DAY WHERE id = ' +
		    `${ev.pending.did}`);
		// A consumer is still retrying one event; it parked another
		// long ago.
		for (const [n, state, next, last] of [
		    ['retrying', 'retrying', 'NOW(3) + INTERVAL 1 DAY',
		    'NOW(3) - INTERVAL 91 DAY'],
		    ['parked', 'parked', 'NULL', 'NOW(3) - INTERVAL 91 DAY']]) {
			const consumer = `test-${hex(4)}`;
			await sql('INSERT INTO event_failures (consumer, event_id, ' +
			    'org_id, state, attempts, last_error, first_failed_at, ' +
			    `last_failed_at, next_retry_at) VALUES (${q(consumer)}, ` +
			    `${ev[n].id}, ${orgId}, ${q(state)}, 6, 'test', ${last}, ` +
			    `${last}, ${next})`);
			failureIds.push(consumer);
		}
		// An old event no consumer has read yet (written while the
		// worker was stopped).
		await sql('INSERT INTO events (public_id, org_id, type, payload, ' +
		    `created_at) VALUES (UUID(), ${orgId}, 'order.created', '{}', ` +
		    'NOW(3) - INTERVAL 91 DAY)');
		const [[unread]] = await sql('SELECT MAX(id) FROM events');

		// Sessions: past the 12 h bound, idle past 2 h, and a live one
		// (as well as the fixture's own).
		const sess = { absolute: hex(32), idle: hex(32), live: hex(32) };
		for (const [n, created, seen] of [
		    ['absolute', '\'2001-02-03 04:05:06.789\'', 'NOW(3)'],
		    ['idle', 'NOW(3) - INTERVAL 3 HOUR',
		    'NOW(3) - INTERVAL 121 MINUTE'],
		    ['live', 'NOW(3) - INTERVAL 11 HOUR',
		    'NOW(3) - INTERVAL 1 HOUR']])
			await sql('INSERT INTO sessions (id_hash, user_id, org_id, ' +
			    'csrf_token, created_at, last_seen_at) VALUES (' +
			    `UNHEX(${q(sess[n])}), ${userId}, ${orgId}, ` +
			    `${q(hex(22).slice(0, 43))}, ${created}, ${seen})`);
		// One-time links: used 25 h ago, expired 25 h ago, used an
		// hour ago, and one still valid.
		const link = { usedOld: hex(32), expiredOld: hex(32),
		    usedRecent: hex(32), live: hex(32) };
		for (const [n, created, expires, used] of [
		    ['usedOld', '\'2003-01-01 00:00:00\'',
		    'NOW(3) + INTERVAL 1 HOUR', 'NOW(3) - INTERVAL 25 HOUR'],
		    ['expiredOld', 'NOW(3) - INTERVAL 3 DAY',
		    'NOW(3) - INTERVAL 25 HOUR', 'NULL'],
		    ['usedRecent', 'NOW(3) - INTERVAL 2 HOUR',
		    'NOW(3) + INTERVAL 1 HOUR', 'NOW(3) - INTERVAL 1 HOUR'],
		    ['live', 'NOW(3)', 'NOW(3) + INTERVAL 1 HOUR', 'NULL']])
			await sql('INSERT INTO user_links (id_hash, user_id, org_id, ' +
			    'purpose, created_at, expires_at, used_at) VALUES (' +
			    `UNHEX(${q(link[n])}), ${userId}, ${orgId}, 'set', ` +
			    `${created}, ${expires}, ${used})`);

		// Before: status shows the oldest rows.
		assert.equal((await statusOf('events')).oldest,
		    '2002-03-04T05:06:07.890Z');
		assert.equal((await statusOf('sessions')).oldest,
		    '2001-02-03T04:05:06.789Z');
		assert.equal((await statusOf('user_links')).oldest,
		    '2003-01-01T00:00:00.000Z');

		const pass = await housekeepingPass();
		assert.equal(pass.code, 0, pass.stderr);

		const gone = async (e) => ({
			event: await exists('events', `id = ${e.id}`),
			delivery: await exists('webhook_deliveries', `id = ${e.did}`),
			attempts: await exists('webhook_attempts',
			    `delivery_id = ${e.did}`),
		});
		const none = { event: 0, delivery: 0, attempts: 0 };
		const all = { event: 1, delivery: 1, attempts: 1 };
		assert.deepEqual(await gone(ev.delivered), none, 'delivered, 91 d');
		assert.deepEqual(await gone(ev.failed), none, 'failed for good');
		assert.deepEqual(await gone(ev.parked), none,
		    'parked 91 days ago');
		assert.deepEqual(await gone(ev.pending), all, 'still to deliver');
		assert.deepEqual(await gone(ev.young), all, '89 days old');
		assert.deepEqual(await gone(ev.retrying), all, 'still retried');
		assert.equal(await exists('events', `id = ${unread}`), 1,
		    'an event no consumer has read');
		assert.equal(await exists('event_failures',
		    `consumer = ${q(failureIds[1])}`), 0, 'the old parked failure');
		assert.equal(await exists('event_failures',
		    `consumer = ${q(failureIds[0])}`), 1, 'the retrying failure');

		for (const [n, want] of [['absolute', 0], ['idle', 0], ['live', 1]])
			assert.equal(await exists('sessions',
			    `id_hash = UNHEX(${q(sess[n])})`), want, `session ${n}`);
		const page = await f.get('/admin/webhooks');
		assert.equal(page.status, 200, 'the fixture\'s session still works');
		for (const [n, want] of [['usedOld', 0], ['expiredOld', 0],
		    ['usedRecent', 1], ['live', 1]])
			assert.equal(await exists('user_links',
			    `id_hash = UNHEX(${q(link[n])})`), want, `link ${n}`);

		// After: the oldest rows are gone from status too.
		assert.notEqual((await statusOf('events')).oldest,
		    '2002-03-04T05:06:07.890Z');
		assert.notEqual((await statusOf('sessions')).oldest,
		    '2001-02-03T04:05:06.789Z');
		assert.notEqual((await statusOf('user_links')).oldest,
		    '2003-01-01T00:00:00.000Z');
	} finally {
		for (const c of failureIds)
			await sql(`DELETE FROM event_failures WHERE consumer = ${q(c)}`);
		await rcv.close();
		if (stackWorkerPid() === null)
			await stackCmd('worker-start');
	}
});

test('one housekeeping pass works through more events than one batch ' +
    '(100 a transaction)', { timeout: 60000 }, async () => {
	const tag = `batch-${hex(4)}`;
	const values = [];

	// 250 events of no organization (no subscription, no consumer work),
	// read by every consumer before they are aged.
	for (let i = 0; i < 250; i++)
		values.push(`(UUID(), 0, 'order.created', '{"tag":"${tag}"}')`);
	await sql('INSERT INTO events (public_id, org_id, type, payload) ' +
	    `VALUES ${values.join(', ')}`);
	const [[last]] = await sql('SELECT MAX(id) FROM events');
	const mine = `JSON_VALUE(payload, '$.tag') = ${q(tag)}`;
	try {
		await until(async () => Number((await sql('SELECT ' +
		    'MIN(last_event_id) FROM event_cursors'))[0][0]) >=
		    Number(last), 20000, 'every consumer to read them');
		await stackCmd('worker-stop');
		await sql('UPDATE events SET created_at = NOW(3) - INTERVAL 100 ' +
		    `DAY WHERE ${mine}`);
		assert.equal(await exists('events', mine), 250);
		const pass = await housekeepingPass();
		assert.equal(pass.code, 0, pass.stderr);
		assert.equal(await exists('events', mine), 0);
	} finally {
		if (stackWorkerPid() === null)
			await stackCmd('worker-start');
	}
});

test('mihwarctl status: the growing tables, in text too', async () => {
	const { stdout } = await new Promise((resolve, reject) =>
	    execFile(env.ctl, ['status'], { env: { ...process.env,
	    MIHWAR_CONF: env.conf } }, (err, out) => err ? reject(err) :
	    resolve({ stdout: out })));
	const lines = stdout.trim().split('\n');

	assert.match(lines[0], /^TABLE\s+ROWS \(~\)\s+OLDEST ROW$/);
	assert.deepEqual(lines.slice(1, 1 + TABLES.length)
	    .map((l) => l.split(/\s+/)[0]), TABLES);
	for (const l of lines.slice(1, 1 + TABLES.length))
		assert.match(l, /^\S+\s+\d+\s+(\d{4}-\d\d-\d\dT[\d:.]+Z|-)$/, l);
	assert.match(lines.at(-1), /estimates/);
});
