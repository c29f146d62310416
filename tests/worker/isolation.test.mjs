// isolation.test.mjs - an outbox consumer isolates a failing event: the
// event is retried with backoff a bounded number of times, then parked
// (listed by `mihwarctl events failed`, logged once at warn), while the
// cursor moves on, so other organizations' events - and later events of
// the same organization - are processed meanwhile.
//
// The worker here is one this file starts itself, with a short retry
// schedule (MIHWAR_EVENT_RETRY_SCHEDULE overrides event_retry_schedule),
// its log captured; the stack's worker is stopped meanwhile.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

import {
	checkEnv, env, fixture, sql, q, until, stackCmd, stackWorkerPid,
	ctl,
} from '../webhooks/stack.mjs';

checkEnv();

const INGEST = '/ingestion/order-lines';

// A worker on the stack's configuration with extra environment; its
// stderr (the log) is kept in child.log.
function startWorker(extra) {
	const child = spawn(env.worker, [], {
		env: { ...process.env, MIHWAR_CONF: env.conf, ...extra },
		stdio: ['ignore', 'ignore', 'pipe'],
	});
	child.log = '';
	child.stderr.on('data', (d) => { child.log += d.toString(); });
	child.exited = new Promise((resolve) => child.once('exit',
	    (code, signal) => resolve({ code, signal })));
	return child;
}

async function stopWorker(child) {
	if (child.exitCode === null && child.signalCode === null)
		child.kill('SIGTERM');
	return child.exited;
}

// Fourteen days of daily history for f's item, ending yesterday.
function history(f) {
	const lines = [];

	for (let d = 14; d >= 1; d--) {
		const day = new Date(Date.now() - d * 86400000)
		    .toISOString().slice(0, 10);
		lines.push({ sku: f.sku, orderedQty: 3 + d % 4, orderDate: day });
	}
	return { periodKind: 'DAY', lines };
}

async function ingest(f) {
	const res = await f.api('POST', INGEST, history(f));

	assert.equal(res.status, 201, res.text);
	assert.equal(res.json.data.inserted, 14);
	return res.json.data.importBatchId;
}

async function orgId(slug) {
	const [[id]] = await sql(`SELECT id FROM organizations WHERE slug = ${q(slug)}`);
	return id;
}

async function predictionCount(slug) {
	const [[n]] = await sql('SELECT COUNT(*) FROM predictions p JOIN ' +
	    `organizations o ON o.id = p.org_id WHERE o.slug = ${q(slug)}`);
	return Number(n);
}

// The import.completed event of batch (its public id in the payload).
async function importEvent(batchId) {
	const rows = await sql('SELECT id FROM events WHERE type = ' +
	    '\'import.completed\' AND JSON_VALUE(payload, \'$.importBatchId\')' +
	    ` = ${q(batchId)}`);
	assert.equal(rows.length, 1, `the import.completed event of ${batchId}`);
	return Number(rows[0][0]);
}

test('a failing event is retried, then parked, while another ' +
    'organization\'s import is predicted', { timeout: 60000 }, async () => {
	const bad = await fixture(), good = await fixture();
	const badId = await orgId(bad.slug);
	let worker = null;

	try {
		// Stopped, so that both events wait for the worker below.
		await stackCmd('worker-stop');
		const badBatch = await ingest(bad);
		// A history line the predictions consumer cannot process: the
		// year-9999 order date of the issue fails the regeneration
		// ("Incorrect date value '10000-01-0'"). Ingestion now refuses
		// such a date, so it is written as root: it stands for any row
		// a consumer fails on (an older server's data, a later bug).
		await sql('INSERT INTO order_history_lines (org_id, batch_id, ' +
		    'item_id, order_date, ordered_qty, delivered_qty) SELECT ' +
		    'org_id, batch_id, item_id, \'9999-12-31\', 1, 1 FROM ' +
		    `order_history_lines WHERE org_id = ${badId} LIMIT 1`);
		const badEvent = await importEvent(badBatch);
		const goodBatch = await ingest(good);
		const goodEvent = await importEvent(goodBatch);
		assert.ok(goodEvent > badEvent, 'the good event comes after');

		// Retries after 1 s and 1 s, then parked: three attempts.
		worker = startWorker({ MIHWAR_EVENT_RETRY_SCHEDULE: '1,1' });
		const started = Date.now();
		await until(async () => await predictionCount(good.slug) > 0,
		    10000, 'the other organization\'s predictions');
		assert.ok(Date.now() - started < 10000);
		assert.equal(await predictionCount(bad.slug), 0);

		const failure = async () => (await sql('SELECT state, attempts, ' +
		    'org_id, last_error, first_failed_at <= last_failed_at FROM ' +
		    'event_failures WHERE consumer = \'predictions\' AND ' +
		    `event_id = ${badEvent}`))[0] ?? null;
		await until(async () => (await failure())?.[0] === 'parked',
		    15000, 'the failing event to be parked');
		const [state, attempts, org, lastError, ordered] = await failure();
		assert.equal(state, 'parked');
		assert.equal(Number(attempts), 3);
		assert.equal(org, badId);
		assert.match(lastError, /Incorrect date value/);
		assert.equal(ordered, '1');

		// The operator sees it, for that organization only.
		const listed = await ctl(['events', 'failed', '--org', bad.slug]);
		assert.equal(listed.length, 1, JSON.stringify(listed));
		assert.equal(listed[0].consumer, 'predictions');
		assert.equal(listed[0].eventType, 'import.completed');
		assert.equal(listed[0].org, bad.slug);
		assert.equal(listed[0].state, 'parked');
		assert.equal(listed[0].attempts, 3);
		assert.match(listed[0].lastError, /Incorrect date value/);
		assert.match(listed[0].firstFailedAt, /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
		assert.match(listed[0].lastFailedAt, /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
		assert.deepEqual(await ctl(['events', 'failed', '--org',
		    good.slug]), []);
		const all = await ctl(['events', 'failed']);
		assert.ok(all.some((e) => e.eventId === listed[0].eventId));

		// Logged once at warn when parked; the retries at info.
		const parked = worker.log.split('\n').filter((l) =>
		    l.includes('parked') && l.includes(`event ${badEvent} `));
		assert.equal(parked.length, 1, worker.log);
		assert.match(parked[0], /\[warn\]/);

		// A later event of the same organization is processed: with the
		// bad line gone, its next import is predicted.
		await sql(`DELETE FROM order_history_lines WHERE org_id = ${badId}` +
		    ' AND order_date = \'9999-12-31\'');
		await ingest(bad);
		await until(async () => await predictionCount(bad.slug) > 0,
		    10000, 'the later import of the failing organization');
		// The parked event stays parked: nothing retries it.
		assert.equal((await failure())[0], 'parked');
		assert.equal(Number((await failure())[1]), 3);
	} finally {
		if (worker)
			await stopWorker(worker);
		if (stackWorkerPid() === null)
			await stackCmd('worker-start');
	}
});
