// concurrency.test.mjs - the delivery worker's concurrency (issue 14), end
// to end over HTTP: deliveries go out concurrently with at most
// delivery_per_endpoint to one endpoint, so a receiver that hangs holds
// its own slots and not the others'; two workers on one backlog send
// each attempt exactly once (counted by webhook-id at the receiver, with
// deliberate 500s for retries); a worker killed with SIGKILL in the
// middle of a batch loses nothing: every delivery it had leased, sent or
// still in line, is sent by another worker once its lease runs out.
//
// Needs the stack of scripts/check.sh (webhook_lease_seconds = 5,
// webhook_retry_schedule = 0,1,1,1, private http destinations allowed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

import { Receiver } from './receiver.mjs';
import {
	env, checkEnv, fixture, sql, q, until, sleep, startWorker, stopWorker,
	stackCmd, stackWorkerPid, gone,
} from './stack.mjs';

const receivers = [];

async function receiver() {
	const r = await new Receiver().start();
	receivers.push(r);
	return r;
}

// A key of the stack's configuration, else its default.
function confInt(name, dflt) {
	let v = dflt;

	for (const line of readFileSync(env.conf, 'utf8').split('\n')) {
		const m = line.match(new RegExp(`^${name}\\s*=\\s*(\\d+)`));
		if (m)
			v = Number(m[1]);
	}
	return v;
}

before(async () => {
	checkEnv();
	if (stackWorkerPid() === null)
		await stackCmd('worker-start');
});

after(async () => {
	for (const r of receivers)
		await r.close();
	if (stackWorkerPid() === null)
		await stackCmd('worker-start');
});

const wid = (req) => req.headers['webhook-id'];

// The most requests a receiver held at once (body in, not yet answered).
function mostAtOnce(reqs) {
	const edges = [];

	for (const r of reqs) {
		edges.push([r.bodyAt, 1]);
		edges.push([r.answeredAt ?? Infinity, -1]);
	}
	edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let n = 0, most = 0;
	for (const [, d] of edges)
		most = Math.max(most, n += d);
	return most;
}

// Deliveries of the subscription subId: public id -> state, attempts,
// attempts logged.
async function deliveriesOf(subId) {
	const rows = await sql('SELECT d.public_id, d.state, d.attempts, ' +
	    '(SELECT COUNT(*) FROM webhook_attempts a WHERE a.delivery_id = ' +
	    'd.id), (SELECT GROUP_CONCAT(CONCAT(a.attempt_no, \':\', ' +
	    'IFNULL(a.status_code, \'-\'), \':\', a.state) ORDER BY ' +
	    'a.attempt_no) FROM webhook_attempts a WHERE a.delivery_id = d.id)' +
	    ' FROM webhook_deliveries d JOIN webhook_subscriptions s ON ' +
	    `s.id = d.subscription_id WHERE s.public_id = ${q(subId)}`);
	return rows.map(([id, state, n, logged, log]) => ({ id, state,
	    attempts: Number(n), logged: Number(logged), log }));
}

test('per endpoint: a receiver that hangs holds at most ' +
    'delivery_per_endpoint requests, and a fast receiver gets all of its ' +
    'deliveries meanwhile', { timeout: 60000 }, async () => {
	const perEndpoint = confInt('delivery_per_endpoint', 8);
	const n = 3 * perEndpoint;
	const f = await fixture();
	// 3 s: inside the request timeout (lease - 1 s = 4 s), long enough for
	// the fast receiver's share to arrive meanwhile on a loaded machine.
	const slow = (await receiver()).setDelay(3000);
	const fast = await receiver();
	const slowSub = await f.subscribe(slow.url('/slow'), ['order.created']);
	const fastSub = await f.subscribe(fast.url('/fast'), ['order.created']);

	await Promise.all(Array.from({ length: n },
	    (_, i) => f.order({ reference: `PO-CAP-${i}` })));
	// While the slow receiver has answered nothing, the fast one gets
	// every delivery.
	await fast.waitForCount(n, 2900, () => true);
	const slowAnswered = slow.received().filter((r) => r.answered !== null);
	assert.equal(slowAnswered.length, 0, 'the slow receiver answered ' +
	    'before the fast one had its deliveries: the test proves nothing');
	assert.equal(slow.received().length, perEndpoint, 'the slow ' +
	    'receiver holds exactly delivery_per_endpoint requests');

	// Then the slow one gets the rest, never more than its cap at once.
	await slow.waitFor((rs) => rs.filter((r) => r.answered === 200)
	    .length === n, 25000, `all ${n} slow deliveries`);
	const most = mostAtOnce(slow.received());
	assert.equal(most, perEndpoint, `the slow receiver held ${most} ` +
	    `requests at once`);
	for (const [r, sub] of [[slow, slowSub], [fast, fastSub]]) {
		const ids = r.received().map(wid);
		assert.equal(new Set(ids).size, n, 'each delivery once');
		assert.equal(ids.length, n);
		await until(async () => (await deliveriesOf(sub.id)).every((d) =>
		    d.state === 'succeeded' && d.attempts === 1 &&
		    d.logged === 1), 5000, 'every delivery recorded once');
	}
});

// A receiver that answers 500 to the first attempt of every delivery
// whose webhook-id ends in 0-3 (a quarter of them), 200 otherwise; it
// counts requests per webhook-id.
async function countingReceiver() {
	const seen = new Map();
	const server = createServer((req, res) => {
		req.resume();
		req.on('end', () => {
			const id = req.headers['webhook-id'];
			const k = (seen.get(id) ?? 0) + 1;

			seen.set(id, k);
			res.writeHead(k === 1 && /[0-3]$/.test(id) ? 500 : 200)
			    .end('ok');
		});
	});
	await new Promise((r) => server.listen(0, '127.0.0.1', r));
	return { seen, server,
	    url: `http://127.0.0.1:${server.address().port}/count` };
}

test('two workers on one backlog of 200: each attempt is sent once ' +
    '(counted by webhook-id at the receiver), retries included',
    { timeout: 90000 }, async () => {
	const n = 200;
	const f = await fixture();
	const rcv = await countingReceiver();
	const sub = await f.subscribe(rcv.url, ['order.created']);
	let extra = null;

	try {
		await stackCmd('worker-stop');
		for (let i = 0; i < n; i += 20)
			await Promise.all(Array.from({ length: 20 },
			    (_, k) => f.order({ reference: `PO-BL-${i + k}` })));
		extra = startWorker();
		await stackCmd('worker-start');
		await until(async () => {
			const ds = await deliveriesOf(sub.id);
			return ds.length === n &&
			    ds.every((d) => d.state === 'succeeded');
		}, 60000, `${n} deliveries to succeed`, 250);
		await sleep(1200);	/* a late duplicate would show by now */

		const ds = await deliveriesOf(sub.id);
		const want = (id) => /[0-3]$/.test(id) ? 2 : 1;
		assert.equal(rcv.seen.size, n, 'every delivery arrived');
		const wrong = [...rcv.seen].filter(([id, k]) => k !== want(id));
		assert.deepEqual(wrong, [], 'webhook-ids sent another number ' +
		    'of times than their attempts');
		const bad = ds.filter((d) => d.attempts !== want(d.id) ||
		    d.logged !== want(d.id) || d.log !== (want(d.id) === 2 ?
		    '1:500:done,2:200:done' : '1:200:done'));
		assert.deepEqual(bad, [], 'deliveries whose attempts are not ' +
		    'recorded as sent');
		// Both workers took part.
		const workers = await sql('SELECT COUNT(DISTINCT a.worker) FROM ' +
		    'webhook_attempts a JOIN webhook_deliveries d ON ' +
		    'd.id = a.delivery_id JOIN webhook_subscriptions s ON ' +
		    `s.id = d.subscription_id WHERE s.public_id = ${q(sub.id)}`);
		assert.equal(workers[0][0], '2', 'both workers sent some');
	} finally {
		if (stackWorkerPid() === null)
			await stackCmd('worker-start');
		if (extra)
			await stopWorker(extra);
		rcv.server.close();
	}
});

test('a worker killed (SIGKILL) mid-batch: every delivery it had leased, in ' +
    'flight or in line, is sent by another worker after the lease, none ' +
    'lost', { timeout: 60000 }, async () => {
	const perEndpoint = confInt('delivery_per_endpoint', 8);
	const n = 2 * perEndpoint + 4;
	const f = await fixture();
	const rcv = (await receiver()).setDelay(4000);
	const sub = await f.subscribe(rcv.url('/kill'), ['order.created']);
	let pid = null;

	try {
		await stackCmd('worker-stop');
		await Promise.all(Array.from({ length: n },
		    (_, i) => f.order({ reference: `PO-KILL-${i}` })));
		await stackCmd('worker-start');
		pid = await until(() => stackWorkerPid(), 5000, 'the worker');
		// Its first requests hang: it holds them and the rest in line.
		await rcv.waitForCount(perEndpoint, 10000);
		const leased = await sql('SELECT COUNT(*) FROM webhook_deliveries d' +
		    ' JOIN webhook_subscriptions s ON s.id = d.subscription_id ' +
		    `WHERE s.public_id = ${q(sub.id)} AND d.state = 'delivering'`);
		assert.equal(Number(leased[0][0]), n, 'the worker leased all ' +
		    'of them in one go');
		const first = rcv.received()[0].at;
		process.kill(pid, 'SIGKILL');
		const killedAt = Date.now();
		await until(() => gone(pid), 10000, 'the killed worker');
		rcv.setDelay(0);
		await stackCmd('worker-start');

		await rcv.waitFor((rs) => new Set(rs.filter((r) => r.answered ===
		    200).map(wid)).size === n, 30000, `all ${n} delivered`);
		await until(async () => (await deliveriesOf(sub.id)).every((d) =>
		    d.state === 'succeeded'), 5000, 'every delivery succeeded');
		const reqs = rcv.received();
		const before = reqs.filter((r) => r.at < killedAt);
		const afterKill = reqs.filter((r) => r.at >= killedAt);
		assert.equal(before.length, perEndpoint);
		assert.ok(before.every((r) => r.answered === null),
		    'the killed worker\'s requests were never answered');
		assert.equal(afterKill.length, n, 'each sent once after the kill');
		assert.equal(new Set(afterKill.map(wid)).size, n);
		for (const r of afterKill)
			assert.ok(r.at - first >= 4500, `sent again ` +
			    `${r.at - first} ms after the batch was leased: ` +
			    `before its 5 s lease ran out`);
		// The log: the sends in flight interrupted, then sent again;
		// those in line were never logged as sent by the killed worker.
		const ds = await deliveriesOf(sub.id);
		const sentTwice = new Set(before.map(wid));
		for (const d of ds)
			assert.equal(d.log, sentTwice.has(d.id) ?
			    '1:-:done,2:200:done' : '1:200:done', d.id);
		const cut = await sql('SELECT COUNT(*) FROM webhook_attempts a ' +
		    'JOIN webhook_deliveries d ON d.id = a.delivery_id JOIN ' +
		    'webhook_subscriptions s ON s.id = d.subscription_id WHERE ' +
		    `s.public_id = ${q(sub.id)} AND a.error LIKE 'interrupted%'`);
		assert.equal(Number(cut[0][0]), perEndpoint);
	} finally {
		if (stackWorkerPid() === null) {
			if (pid)
				await until(() => gone(pid), 10000, 'reaped')
				    .catch(() => {});
			await stackCmd('worker-start');
		}
	}
});
