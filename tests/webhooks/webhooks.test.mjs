// webhooks.test.mjs - webhook delivery end to end: subscriptions made
// through the console session API, events written by the Integrations API,
// the worker delivering signed POSTs to a real HTTP receiver, verified with
// node:crypto and with the libraries receivers use (@octokit/webhooks-methods
// for X-Mihwar-Signature, standardwebhooks for webhook-*), retries, several
// workers, a receiver that is down, a worker killed mid-delivery, the
// console's test / disable / rotate / redeliver actions, an endpoint
// disabled after failing for 5 days, the admin role of the settings API,
// the event catalogue (filters of one type, types not offered), and the
// worker's housekeeping of idempotency keys and rate windows.
//
// The tests run one after another (one file): some stop, kill or add
// workers, which the others must not see. Each uses a fresh organization.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import standardwebhooks from 'standardwebhooks';

import { Receiver } from './receiver.mjs';
import { call, invoice } from '../cases/lib.mjs';
import {
	checkEnv, fixture, sql, q, until, sleep, delivery, attempts,
	mihwarSignature, sameBytes, startWorker, stopWorker, stackCmd,
	stackWorkerPid, gone, consoleUser, rand,
} from './stack.mjs';

const { Webhook, WebhookVerificationError } = standardwebhooks;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/;

const receivers = [];

// www-data's uid and gid, as the system's user database has them.
async function webUser() {
	const id = (flag) => new Promise((resolve, reject) => execFile('id',
	    [flag, 'www-data'], (err, out) => err ? reject(err) :
	    resolve(Number(out.trim()))));
	return { uid: await id('-u'), gid: await id('-g') };
}

async function receiver(opts) {
	const r = await new Receiver(opts).start();
	receivers.push(r);
	return r;
}

before(async () => {
	checkEnv();
	// The stack's worker must be running for every test below.
	if (stackWorkerPid() === null)
		await stackCmd('worker-start');
});

after(async () => {
	for (const r of receivers)
		await r.close();
	if (stackWorkerPid() === null)
		await stackCmd('worker-start');
});

// Both signatures of one received request check out under secret.
async function assertSigned(req, secret, what = 'delivery') {
	const sig = req.headers['x-mihwar-signature'];

	assert.ok(sig, `${what}: X-Mihwar-Signature is missing`);
	assert.match(sig, /^sha256=[0-9a-f]{64}$/, `${what}: X-Mihwar-Signature`);
	assert.ok(sameBytes(sig, mihwarSignature(secret, req.body)),
	    `${what}: X-Mihwar-Signature is not HMAC-SHA256(secret, raw body)`);
	assert.equal(await octokitVerify(secret, req.body.toString('utf8'), sig),
	    true, `${what}: @octokit/webhooks-methods verify() refused it`);
	const parsed = new Webhook(secret).verify(req.body, req.headers);
	assert.deepEqual(parsed, JSON.parse(req.body.toString('utf8')),
	    `${what}: standardwebhooks verify() returned another body`);
}

// Neither signature checks out under secret.
async function assertNotSigned(req, secret, what) {
	const sig = req.headers['x-mihwar-signature'];

	assert.ok(!sameBytes(sig, mihwarSignature(secret, req.body)),
	    `${what}: X-Mihwar-Signature still matches`);
	assert.equal(await octokitVerify(secret, req.body.toString('utf8'), sig),
	    false, `${what}: @octokit/webhooks-methods verify() accepted it`);
	assert.throws(() => new Webhook(secret).verify(req.body, req.headers),
	    WebhookVerificationError,
	    `${what}: standardwebhooks verify() accepted it`);
}

const envelope = (req) => JSON.parse(req.body.toString('utf8'));
const wid = (req) => req.headers['webhook-id'];
const eventOf = (req) => req.headers['x-mihwar-event'];

// The deliveries of a subscription: public id -> {state, attempts}.
async function deliveriesOf(subId) {
	const rows = await sql('SELECT d.public_id, d.state, d.attempts, ' +
	    'd.event_type, (SELECT COUNT(*) FROM webhook_attempts a WHERE ' +
	    'a.delivery_id = d.id) FROM webhook_deliveries d JOIN ' +
	    'webhook_subscriptions s ON s.id = d.subscription_id WHERE ' +
	    `s.public_id = ${q(subId)} ORDER BY d.id`);
	return rows.map(([id, state, n, type, logged]) => ({ id, state,
	    attempts: Number(n), type, logged: Number(logged) }));
}

test('the stack\'s worker, which connects to tenants\' URLs, runs as the ' +
    'unprivileged web user (www-data), not as root', async () => {
	const pid = stackWorkerPid();
	assert.ok(pid, 'the stack\'s worker runs');
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const ids = (name) => status.match(new RegExp(`^${name}:\\s+(.*)$`,
	    'm'))[1].trim().split(/\s+/).map(Number);
	const { uid, gid } = await webUser();
	assert.notEqual(uid, 0);
	assert.deepEqual(ids('Uid'), [uid, uid, uid, uid],
	    'real, effective, saved and filesystem uid');
	assert.deepEqual(ids('Gid'), [gid, gid, gid, gid],
	    'real, effective, saved and filesystem gid');
	assert.ok(!ids('Groups').includes(0), 'no supplementary group root');
});

test('POST /api/settings/webhooks: console session + CSRF token, 201 with ' +
    'the secret; an API key is 401, no CSRF token is 403', async () => {
	const f = await fixture();
	const rcv = await receiver();
	const body = { url: rcv.url('/auth'), events: ['order.created'] };

	const byKey = await f.subscribeRaw(body, 'key');
	assert.equal(byKey.status, 401, `integration key: ${byKey.text}`);
	const noCsrf = await f.subscribeRaw(body, 'nocsrf');
	assert.equal(noCsrf.status, 403, `session without CSRF: ${noCsrf.text}`);
	assert.equal(noCsrf.json?.error?.code, 'csrf');
	const ok = await f.subscribeRaw(body, 'session');
	assert.equal(ok.status, 201, ok.text);
	const d = ok.json.data;
	assert.match(d.id, UUID);
	assert.equal(d.url, body.url);
	assert.equal(d.active, true);
	assert.match(d.secret, /^whsec_[A-Za-z0-9+/]{32}$/,
	    'a Standard Webhooks secret: whsec_ + base64 of 24 bytes');

	// Only the accepted request wrote a subscription.
	const rows = await sql('SELECT s.public_id, s.events FROM ' +
	    'webhook_subscriptions s JOIN organizations o ON o.id = s.org_id ' +
	    `WHERE o.slug = ${q(f.slug)}`);
	assert.deepEqual(rows, [[d.id, 'order.created']]);
});

test('signature: order.created reaches the receiver signed (X-Mihwar-' +
    'Signature and Standard Webhooks); tampering fails; the event filter ' +
    'holds', { timeout: 30000 }, async () => {
	const f = await fixture();
	const rcvA = await receiver();	// order.created only
	const rcvB = await receiver();	// everything: proves events were sent
	const subA = await f.subscribe(rcvA.url('/hooks/a'), ['order.created']);
	const subB = await f.subscribe(rcvB.url('/hooks/b'), '*');
	assert.notEqual(subA.secret, subB.secret);

	const t0 = Date.now();
	const order = await f.order({ reference: 'PO-SIG-1' });
	const [req] = await rcvA.waitForCount(1, 10000);

	assert.equal(req.method, 'POST');
	assert.equal(req.path, '/hooks/a');
	assert.match(req.headers['content-type'], /^application\/json/);
	assert.equal(eventOf(req), 'order.created');

	const env = envelope(req);
	assert.deepEqual(Object.keys(env).sort(), ['event', 'payload', 'sentAt']);
	assert.equal(env.event, 'order.created');
	assert.equal(env.payload.orderId, order.id);
	assert.equal(env.payload.status, 'DRAFT');
	assert.equal(env.payload.lineCount, 1);
	assert.equal(env.payload.vendorName, 'Roastery');
	assert.match(env.sentAt, ISO);
	assert.ok(Math.abs(Date.parse(env.sentAt) - req.at) < 60000,
	    `sentAt ${env.sentAt} is not the time of sending`);

	// Signatures, byte for byte and with the receivers' libraries.
	await assertSigned(req, subA.secret, 'order.created');
	await assertNotSigned(req, subB.secret, 'another subscription\'s secret');
	const id = wid(req);
	assert.match(id, UUID);
	assert.equal(req.headers['x-mihwar-delivery'], id);
	assert.match(req.headers['webhook-timestamp'], /^\d+$/);
	assert.equal(req.headers['x-mihwar-timestamp'],
	    req.headers['webhook-timestamp']);
	const ts = Number(req.headers['webhook-timestamp']) * 1000;
	assert.ok(ts >= t0 - 60000 && ts <= Date.now() + 60000,
	    'webhook-timestamp is the time of sending');
	assert.match(req.headers['webhook-signature'], /^v1,[A-Za-z0-9+/]{43}=$/);
	const row = await sql('SELECT d.event_type FROM webhook_deliveries d ' +
	    'JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE ' +
	    `d.public_id = ${q(id)} AND s.public_id = ${q(subA.id)}`);
	assert.deepEqual(row, [['order.created']],
	    'webhook-id is the delivery id of subscription A');

	// Tampering: one changed byte of the body, a changed id or timestamp.
	const tampered = { ...req, body: Buffer.from(req.body) };
	const at = tampered.body.indexOf('DRAFT');
	assert.ok(at > 0);
	tampered.body[at] = 'd'.charCodeAt(0);
	await assertNotSigned(tampered, subA.secret, 'tampered body');
	const spaced = { ...req, body: Buffer.concat([req.body,
	    Buffer.from(' ')]) };
	await assertNotSigned(spaced, subA.secret, 'body with a trailing space');
	assert.throws(() => new Webhook(subA.secret).verify(req.body,
	    { ...req.headers, 'webhook-id': `${id.slice(0, -1)}0` === id ?
	    `${id.slice(0, -1)}1` : `${id.slice(0, -1)}0` }),
	    WebhookVerificationError, 'another webhook-id must not verify');
	assert.throws(() => new Webhook(subA.secret).verify(req.body,
	    { ...req.headers, 'webhook-timestamp':
	    String(Number(req.headers['webhook-timestamp']) + 1) }),
	    WebhookVerificationError, 'another timestamp must not verify');

	// B got the same event, signed with its own secret.
	const [reqB] = await rcvB.waitForCount(1, 10000);
	assert.equal(eventOf(reqB), 'order.created');
	assert.equal(envelope(reqB).payload.orderId, order.id);
	assert.notEqual(wid(reqB), id, 'one delivery per subscription');
	await assertSigned(reqB, subB.secret, 'order.created to B');

	// The event filter: order.status_changed goes to B, never to A.
	await f.setStatus(order.id, 'SUBMITTED');
	const changed = await rcvB.waitForCount(1, 10000,
	    (r) => eventOf(r) === 'order.status_changed');
	const ch = envelope(changed[0]);
	assert.equal(ch.event, 'order.status_changed');
	assert.equal(ch.payload.orderId, order.id);
	assert.equal(ch.payload.status, 'SUBMITTED');
	assert.equal(ch.payload.previousStatus, 'DRAFT');
	await assertSigned(changed[0], subB.secret, 'order.status_changed');
	// Fan-out queues every subscription of an event at once: B has it,
	// so A would have its delivery by now; give a sender time anyway.
	await sleep(700);
	assert.deepEqual(rcvA.received().map(eventOf), ['order.created'],
	    'a subscription to order.created got other events');
	assert.deepEqual((await deliveriesOf(subA.id)).map((d) => d.type),
	    ['order.created']);
});

test('IPv6: a subscription to http://[::1]:port/ is delivered, signed, ' +
    'and its attempt logged with the 200', { timeout: 30000 }, async () => {
	const f = await fixture();
	const rcv = await receiver({ host: '::1' });
	const url = rcv.url('/v6');
	assert.match(url, /^http:\/\/\[::1\]:\d+\/v6$/);
	const sub = await f.subscribe(url, ['order.created']);

	const order = await f.order();
	const [req] = await rcv.waitForCount(1, 10000);
	assert.equal(req.path, '/v6');
	assert.equal(req.headers.host, `[::1]:${rcv.port}`);
	assert.equal(envelope(req).payload.orderId, order.id);
	await assertSigned(req, sub.secret, 'IPv6 delivery');
	const id = wid(req);
	await until(async () => (await delivery(id))?.state === 'succeeded',
	    5000, 'the delivery to be marked succeeded');
	const log = await attempts(id);
	assert.deepEqual(log.map((a) => [a.no, a.status, a.error]),
	    [[1, 200, '']]);
});

test('retry: 500, 500, then 200 is delivered on attempt 3, every attempt ' +
    'logged, on the retry schedule', { timeout: 30000 }, async () => {
	const f = await fixture();
	const rcv = (await receiver()).failNext(2, 500);
	const sub = await f.subscribe(rcv.url('/retry'), ['order.created']);

	const order = await f.order();
	await rcv.waitFor((rs) => rs.some((r) => r.answered === 200), 15000,
	    'a 200 answer');
	const id = wid(rcv.requests[0]);
	await until(async () => (await delivery(id))?.state === 'succeeded',
	    5000, 'the delivery to be marked succeeded');

	const reqs = rcv.received();
	assert.equal(reqs.length, 3, 'three attempts reached the receiver');
	assert.deepEqual(reqs.map((r) => r.answered), [500, 500, 200]);
	for (const [i, r] of reqs.entries()) {
		assert.equal(wid(r), id, 'every attempt has the delivery\'s id');
		assert.equal(eventOf(r), 'order.created');
		assert.equal(envelope(r).payload.orderId, order.id);
		await assertSigned(r, sub.secret, `attempt ${i + 1}`);
	}
	// Schedule 0,1,1,1 (+-10 % jitter) and a 500 ms worker poll.
	const gaps = [reqs[1].at - reqs[0].at, reqs[2].at - reqs[1].at];
	for (const [i, g] of gaps.entries()) {
		assert.ok(g >= 900, `attempt ${i + 2} came ${g} ms after ` +
		    `attempt ${i + 1}: sooner than the schedule's 1 s`);
		assert.ok(g <= 3000, `attempt ${i + 2} came ${g} ms after ` +
		    `attempt ${i + 1}: the schedule says 1 s`);
	}

	const d = await delivery(id);
	assert.deepEqual(d, { state: 'succeeded', attempts: 3, lastStatus: 200 });
	const log = await attempts(id);
	assert.deepEqual(log.map((a) => [a.no, a.status]),
	    [[1, 500], [2, 500], [3, 200]]);
	// After success nothing more is sent (attempt 4 would be due by now).
	await sleep(1300);
	assert.equal(rcv.received().length, 3, 'sent again after a 200');
	assert.equal((await attempts(id)).length, 3);
});

// Two workers deliver n events of a fresh org to one receiver that answers
// after delayMs; every delivery must arrive exactly once. With queueFirst
// the events are written while no worker runs, then both workers start
// together (so one of them fans all of them out and claims a full batch).
async function twoWorkers(n, delayMs, timeoutMs, { queueFirst = false } = {}) {
	const f = await fixture();
	const rcv = (await receiver()).setDelay(delayMs);
	const sub = await f.subscribe(rcv.url('/two'), ['order.created']);
	const order = (i) => f.order({ reference: `PO-TWO-${i}` });
	let extra = null, orders;

	try {
		if (queueFirst) {
			await stackCmd('worker-stop');
			orders = await Promise.all(Array.from({ length: n },
			    (_, i) => order(i)));
			extra = startWorker();
			await stackCmd('worker-start');
		} else
			extra = startWorker();
		// The second worker is up once it beats in the database.
		await until(async () => (await sql('SELECT COUNT(*) FROM ' +
		    'worker_heartbeats WHERE worker_id = ' +
		    q(`${hostname()}:${extra.pid}`)))[0][0] === '1', 10000,
		    'the second worker\'s heartbeat');
		assert.equal(extra.exitCode, null, 'the second worker exited');
		assert.ok(stackWorkerPid(), 'the stack\'s worker runs');

		orders ??= await Promise.all(Array.from({ length: n },
		    (_, i) => order(i)));
		const want = new Set(orders.map((o) => o.id));
		assert.equal(want.size, n);

		await until(async () => {
			const ds = await deliveriesOf(sub.id);
			return ds.length === n &&
			    ds.every((d) => d.state === 'succeeded');
		}, timeoutMs, `${n} deliveries to succeed`, 100);
		// Give a late duplicate (a second claim) time to show.
		await sleep(800);

		const reqs = rcv.received();
		const ids = new Map();
		for (const r of reqs)
			ids.set(wid(r), (ids.get(wid(r)) ?? 0) + 1);
		const dups = [...ids].filter(([, c]) => c > 1);
		const ds = await deliveriesOf(sub.id);
		const workers = await sql('SELECT a.worker, COUNT(*) FROM ' +
		    'webhook_attempts a JOIN webhook_deliveries d ON ' +
		    'd.id = a.delivery_id JOIN webhook_subscriptions s ON ' +
		    `s.id = d.subscription_id WHERE s.public_id = ${q(sub.id)} ` +
		    'GROUP BY a.worker');
		const info = `workers ${JSON.stringify(workers)}; deliveries ` +
		    JSON.stringify(ds.filter((d) => d.attempts !== 1 ||
		    d.logged !== 1));

		assert.deepEqual(new Set(reqs.map((r) =>
		    envelope(r).payload.orderId)), want,
		    'every order\'s event arrived');
		assert.deepEqual(dups, [], `deliveries that arrived more than ` +
		    `once although the first attempt succeeded (${info})`);
		assert.equal(reqs.length, n, `requests received (${info})`);
		assert.ok(reqs.every((r) => r.answered === 200));
		assert.ok(ds.every((d) => d.attempts === 1 && d.logged === 1),
		    `one attempt logged per delivery (${info})`);
		assert.deepEqual(new Set(ds.map((d) => d.id)), new Set(ids.keys()),
		    'the webhook-ids are the delivery ids');
		for (const r of reqs.slice(0, 3))
			await assertSigned(r, sub.secret);
	} finally {
		if (stackWorkerPid() === null)
			await stackCmd('worker-start');
		if (extra) {
			const { code, signal } = await stopWorker(extra);
			assert.ok(code === 0 || signal === 'SIGTERM',
			    `the second worker ended with ${code ?? signal}`);
		}
	}
}

test('two workers: 20 events, each delivered exactly once',
    { timeout: 40000 }, async () => {
	await twoWorkers(20, 0, 20000);
});

test('two workers, a receiver that takes 800 ms to answer: 12 events, ' +
    'each delivered exactly once', { timeout: 40000 }, async () => {
	// 800 ms is well inside the worker's own request timeout (lease - 1 s
	// = 4 s here), so no attempt may be taken over by the other worker.
	await twoWorkers(12, 800, 25000, { queueFirst: true });
});

test('receiver down for a while: delivered once it is back, the earlier ' +
    'attempts logged as connection errors', { timeout: 30000 }, async () => {
	const f = await fixture();
	const rcv = await receiver();
	const sub = await f.subscribe(rcv.url('/down'), ['order.created']);
	const port = rcv.port;

	await rcv.down();
	const t0 = Date.now();
	const order = await f.order();
	// Find the delivery, then stay down ~1.5 s and through two attempts.
	const id = await until(async () => (await deliveriesOf(sub.id))[0]?.id,
	    5000, 'the delivery to be queued');
	await until(async () => (await attempts(id)).length >= 2 &&
	    Date.now() - t0 >= 1500, 8000, 'two failed attempts');
	await rcv.up();
	assert.equal(rcv.port, port, 'the receiver is back on the same port');

	await rcv.waitFor((rs) => rs.some((r) => r.answered === 200), 8000,
	    'the delivery after the receiver came back');
	await until(async () => (await delivery(id))?.state === 'succeeded',
	    5000, 'the delivery to be marked succeeded');
	const reqs = rcv.received();
	assert.equal(reqs.length, 1, 'one request reached the receiver');
	assert.equal(wid(reqs[0]), id);
	assert.equal(envelope(reqs[0]).payload.orderId, order.id);
	await assertSigned(reqs[0], sub.secret);

	const log = await attempts(id);
	assert.ok(log.length >= 3 && log.length <= 4,
	    `attempts: ${JSON.stringify(log)}`);
	for (const a of log.slice(0, -1)) {
		assert.equal(a.status, null, `attempt ${a.no} has a status`);
		assert.match(a.error, /connect|refused/i,
		    `attempt ${a.no} is not logged as a connection error`);
	}
	assert.equal(log.at(-1).status, 200);
	assert.equal(log.at(-1).error, '');
	const d = await delivery(id);
	assert.equal(d.state, 'succeeded');
	assert.equal(d.attempts, log.length);
	assert.equal(d.lastStatus, 200);
});

test('worker killed mid-delivery: at least once — another worker sends it ' +
    'again after the lease with the same webhook-id, and the log shows both ' +
    'attempts, the first as interrupted', { timeout: 40000 }, async () => {
	const f = await fixture();
	const rcv = (await receiver()).hangNext(3000, 200);
	const sub = await f.subscribe(rcv.url('/kill'), ['order.created']);
	const pid = stackWorkerPid();
	assert.ok(pid, 'the stack\'s worker pid (MIHWAR_VAR/run/worker.pid)');

	try {
		const order = await f.order();
		await rcv.waitForCount(1, 10000);
		const first = rcv.received()[0];
		const id = wid(first);
		assert.equal(rcv.requests[0].answered, null,
		    'the first request is still hanging');
		assert.equal((await delivery(id)).state, 'delivering');
		// Logged before it was sent: the attempt in flight is there.
		assert.deepEqual((await attempts(id)).map((a) => [a.no, a.status,
		    a.error, a.worker]), [[1, null, 'sending: no answer yet',
		    `${hostname()}:${pid}`]], 'the attempt in flight');

		process.kill(pid, 'SIGKILL');
		await until(() => gone(pid), 10000, 'the killed worker to be ' +
		    'reaped');
		await stackCmd('worker-start');
		const pid2 = await until(() => stackWorkerPid(), 5000,
		    'the new worker to run');
		assert.notEqual(pid2, pid, 'a new worker runs');

		await rcv.waitFor((rs) => rs.some((r) => r.answered === 200),
		    15000, 'the delivery taken over after the lease');
		await until(async () => (await delivery(id))?.state ===
		    'succeeded', 5000, 'the delivery to be marked succeeded');

		// At least once: the receiver got the same webhook-id twice
		// (it deduplicates on it), each signed.
		const reqs = rcv.received();
		assert.equal(reqs.length, 2, 'sent again after the kill');
		assert.equal(rcv.requests[0].answered, null,
		    'the killed worker\'s request was never answered');
		for (const r of reqs) {
			assert.equal(wid(r), id, 'the same delivery, the same ' +
			    'webhook-id');
			assert.equal(envelope(r).payload.orderId, order.id);
			await assertSigned(r, sub.secret);
		}
		const ok = reqs.find((r) => r.answered === 200);
		assert.ok(ok.at - first.at >= 4500, `taken over ` +
		    `${ok.at - first.at} ms after the first try: before the ` +
		    `5 s lease ran out`);
		const d = await delivery(id);
		assert.equal(d.state, 'succeeded');
		assert.equal(d.lastStatus, 200);

		// The log shows both sends: the killed worker's, interrupted,
		// and the one that got the 200.
		const log = await attempts(id);
		assert.deepEqual(log.map((a) => [a.no, a.status, a.error,
		    a.worker]), [
			[1, null, 'interrupted: the worker stopped before ' +
			    'an answer was logged', `${hostname()}:${pid}`],
			[2, 200, '', `${hostname()}:${pid2}`],
		]);
		// And so does the console's delivery log.
		const page = await f.get(`/admin/webhooks/${sub.id}`);
		assert.equal(page.status, 200);
		const table = page.text.match(
		    /<table class="attempts">([\s\S]*?)<\/table>/);
		assert.ok(table, 'the attempts table');
		const rows = [...table[1].matchAll(/<tr><td>(\d+)<\/td>/g)]
		    .map((m) => Number(m[1]));
		assert.deepEqual(rows, [1, 2], 'two attempts in the console');
		assert.match(table[1], new RegExp('<td>interrupted: the ' +
		    'worker stopped before an answer was logged</td>'));
	} finally {
		if (stackWorkerPid() === null) {
			await until(() => gone(pid), 10000, 'the killed worker ' +
			    'to be reaped').catch(() => {});
			await stackCmd('worker-start');
		}
	}
});

test('console: send test event, rotate the secret, redeliver, disable',
    { timeout: 40000 }, async () => {
	const f = await fixture();
	const rcv = await receiver();
	const other = await receiver();
	const sub = await f.subscribe(rcv.url('/console'), '*');

	// Send test event: webhook.test to this one subscription.
	const tested = await f.postAndFollow(`/admin/webhooks/${sub.id}/test`);
	assert.equal(tested.status, 200, tested.text.slice(0, 300));
	assert.match(tested.text, /Test event queued/);
	const [t] = await rcv.waitForCount(1, 10000);
	assert.equal(eventOf(t), 'webhook.test');
	const te = envelope(t);
	assert.equal(te.event, 'webhook.test');
	assert.equal(te.payload.subscriptionId, sub.id);
	await assertSigned(t, sub.secret, 'webhook.test');

	// Rotate: a new secret, shown once, signs what comes next.
	// (The page with the secret, whether answered to the POST or shown
	// once after its redirect.)
	const rotated = await f.postAndFollow(`/admin/webhooks/${sub.id}/rotate`);
	assert.equal(rotated.status, 200, rotated.text.slice(0, 300));
	const m = rotated.text.match(/<code id="secret">(whsec_[^<]+)<\/code>/);
	assert.ok(m, 'the rotated secret is shown');
	const secret2 = m[1];
	assert.notEqual(secret2, sub.secret);
	const order = await f.order();
	const [o1] = await rcv.waitForCount(1, 10000,
	    (r) => eventOf(r) === 'order.created');
	assert.equal(envelope(o1).payload.orderId, order.id);
	await assertSigned(o1, secret2, 'after rotation');
	await assertNotSigned(o1, sub.secret, 'the old secret after rotation');

	// Redeliver: the finished delivery is sent again, same webhook-id.
	const did = wid(o1);
	await until(async () => (await delivery(did))?.state === 'succeeded',
	    5000, 'the delivery to be marked succeeded');
	const log = await f.get(`/admin/webhooks/${sub.id}`);
	assert.equal(log.status, 200);
	assert.ok(log.text.includes(`/admin/deliveries/${did}/redeliver`),
	    'the delivery log offers to redeliver it');
	const redo = await f.post(`/admin/deliveries/${did}/redeliver`);
	assert.equal(redo.status, 303, redo.text.slice(0, 300));
	const again = await rcv.waitForCount(2, 10000,
	    (r) => eventOf(r) === 'order.created');
	const o2 = again[1];
	assert.equal(wid(o2), did, 'a redelivery keeps the webhook-id');
	assert.equal(envelope(o2).payload.orderId, order.id);
	await assertSigned(o2, secret2, 'redelivery');
	await until(async () => (await attempts(did)).length === 2 &&
	    (await delivery(did)).state === 'succeeded', 5000,
	    'the redelivery to be logged');
	assert.deepEqual((await attempts(did)).map((a) => a.status), [200, 200]);
	// Only finished deliveries can be redelivered; others' are 404.
	const none = await f.post('/admin/deliveries/' +
	    '00000000-0000-7000-8000-000000000000/redeliver');
	assert.equal(none.status, 404);

	// Disable: no more deliveries to it (another subscription shows the
	// event did go out).
	const sub2 = await f.subscribe(other.url('/other'), ['order.created']);
	const off = await f.post(`/admin/webhooks/${sub.id}/disable`);
	assert.equal(off.status, 303, off.text.slice(0, 300));
	assert.deepEqual(await sql('SELECT active FROM webhook_subscriptions ' +
	    `WHERE public_id = ${q(sub.id)}`), [['0']]);
	const sentBefore = rcv.received().length;
	const order2 = await f.order();
	const [o3] = await other.waitForCount(1, 10000);
	assert.equal(envelope(o3).payload.orderId, order2.id);
	await assertSigned(o3, sub2.secret);
	await sleep(700);
	assert.equal(rcv.received().length, sentBefore,
	    'a disabled subscription still receives events');
	assert.ok(!(await deliveriesOf(sub.id)).some((d) => d.type ===
	    'order.created' && d.id !== did), 'a delivery was queued for ' +
	    'the disabled subscription');
	// A test event to a disabled subscription is not sent either.
	const t2 = await f.postAndFollow(`/admin/webhooks/${sub.id}/test`);
	assert.equal(t2.status, 200);
	await until(async () => (await deliveriesOf(sub.id)).some((d) =>
	    d.type === 'webhook.test' && d.logged > 0 && d.id !== wid(t)),
	    5000, 'the second test delivery to be tried');
	await sleep(300);
	assert.equal(rcv.received().length, sentBefore,
	    'a disabled subscription was sent a test event');
});

test('an endpoint failing for 5 days is disabled and shown so in the console',
    { timeout: 40000 }, async () => {
	const f = await fixture();
	// 500 to every request it will see (4 attempts, then 1).
	const rcv = (await receiver()).failNext(20, 500);
	const sub = await f.subscribe(rcv.url('/failing'), ['order.created']);
	const subRow = async () => (await sql('SELECT active, ' +
	    'IFNULL(disabled_reason, \'\'), failing_since IS NOT NULL FROM ' +
	    `webhook_subscriptions WHERE public_id = ${q(sub.id)}`))[0];

	// A failing endpoint is only marked failing: its first delivery
	// runs out of attempts and it stays active.
	await f.order();
	const id1 = await until(async () => (await deliveriesOf(sub.id))[0]?.id,
	    5000, 'the first delivery to be queued');
	await until(async () => (await delivery(id1))?.state === 'failed',
	    15000, 'the first delivery to use up its attempts');
	assert.equal(rcv.received().length, 4);
	assert.deepEqual(await subRow(), ['1', '', '1'],
	    'after one failed delivery: active, failing_since set');

	// Six days pass; the next failed attempt disables it.
	await sql('UPDATE webhook_subscriptions SET failing_since = NOW(3) - ' +
	    `INTERVAL 6 DAY WHERE public_id = ${q(sub.id)}`);
	await f.order();
	const reqs = await rcv.waitForCount(5, 10000);
	const id2 = wid(reqs[4]);
	assert.notEqual(id2, id1);
	await until(async () => (await subRow())[0] === '0', 5000,
	    'the subscription to be disabled');
	const [, reason] = await subRow();
	assert.match(reason, /5 days/, 'disabled_reason');

	// Its queued retries are logged, not sent: the subscription is off.
	await until(async () => (await delivery(id2))?.state === 'failed',
	    10000, 'the second delivery to use up its attempts');
	const log = await attempts(id2);
	assert.deepEqual(log.map((a) => [a.no, a.status, a.error]), [
		[1, 500, ''],
		[2, null, 'subscription disabled'],
		[3, null, 'subscription disabled'],
		[4, null, 'subscription disabled'],
	]);
	assert.equal(rcv.received().length, 5, 'a disabled subscription\'s ' +
	    'retries reached the receiver');

	// The console shows it disabled, with the reason, offering Enable.
	const page = await f.get('/admin/webhooks');
	assert.equal(page.status, 200);
	const row = page.text.split('\n').find((l) =>
	    l.includes(`href="/admin/webhooks/${sub.id}"`));
	assert.ok(row, 'the subscription is listed');
	assert.ok(row.includes(`<td>disabled: ${reason}</td>`),
	    `not shown disabled with the reason: ${row}`);
	assert.ok(!row.includes('<td>active'), `shown active: ${row}`);
	assert.ok(row.includes(`/admin/webhooks/${sub.id}/enable`) &&
	    !row.includes(`/admin/webhooks/${sub.id}/disable`),
	    `no Enable action (or still Disable): ${row}`);

	// A later event is not sent to it (another subscription shows the
	// event went out) and not even queued for it.
	const other = await receiver();
	await f.subscribe(other.url('/witness'), ['order.created']);
	const order3 = await f.order();
	const [w] = await other.waitForCount(1, 10000);
	assert.equal(envelope(w).payload.orderId, order3.id);
	await sleep(1200);
	assert.equal(rcv.received().length, 5,
	    'a disabled subscription received a later event');
	assert.deepEqual((await deliveriesOf(sub.id)).map((d) => d.id),
	    [id1, id2], 'a delivery was queued for the disabled subscription');
});

test('a member\'s console session is refused by POST /api/settings/webhooks ' +
    'with 403 and nothing is written', async () => {
	const f = await fixture();
	const member = await consoleUser(f, 'member');
	const rcv = await receiver();
	const body = { url: rcv.url('/member'), events: ['order.created'] };
	const urls = async () => (await sql('SELECT s.url FROM ' +
	    'webhook_subscriptions s JOIN organizations o ON o.id = s.org_id ' +
	    `WHERE o.slug = ${q(f.slug)}`)).map(([u]) => u);

	// A valid session and CSRF token (so not the csrf 403): the role.
	const res = await member.subscribeRaw(body, 'session');
	assert.equal(res.status, 403, `member: ${res.text}`);
	assert.equal(res.json?.error?.code, 'forbidden', res.text);
	assert.deepEqual(await urls(), [], 'a member\'s request wrote a ' +
	    'subscription');

	// The same request by an admin of the organization is accepted.
	const ok = await f.subscribeRaw(body, 'session');
	assert.equal(ok.status, 201, `admin: ${ok.text}`);
	assert.equal(ok.json.data.url, body.url);
	assert.deepEqual(await urls(), [body.url]);
});

test('the event catalogue: a subscription to one type receives only that ' +
    'type (and a test event, addressed to it); a type the server does not ' +
    'emit is refused with 400 naming the field and nothing is written',
    { timeout: 30000 }, async () => {
	const f = await fixture();
	const rcvOne = await receiver();	// order.status_changed only
	const rcvAll = await receiver();	// everything
	const urls = async () => (await sql('SELECT s.url FROM ' +
	    'webhook_subscriptions s JOIN organizations o ON o.id = s.org_id ' +
	    `WHERE o.slug = ${q(f.slug)} ORDER BY s.id`)).map(([u]) => u);

	// Not offered: a type nothing emits, webhook.test (sent
	// only by a test request), the settings API and the console form.
	for (const [events, want] of [
		[['checklist.skipped'], 'events[0]: checklist.skipped is ' +
		    'not emitted by this server'],
		[['order.created', 'order.cancelled'], 'events[1]: ' +
		    'order.cancelled is not emitted by this server'],
		[['webhook.test'], 'events[0]: webhook.test is sent only to ' +
		    'the subscription it is addressed to'],
	]) {
		const res = await f.subscribeRaw({ url: rcvOne.url('/no'),
		    events });
		assert.equal(res.status, 400, `${events}: ${res.text}`);
		assert.equal(res.json?.error?.code, 'invalid_body', res.text);
		assert.equal(res.json?.error?.message, want);
	}
	const form = await f.post('/admin/webhooks', { url: rcvOne.url('/no'),
	    event: 'checklist.skipped' });
	assert.equal(form.status, 400, form.text.slice(0, 300));
	assert.ok(form.text.includes('event: checklist.skipped is not ' +
	    'emitted by this server'), form.text.slice(0, 600));
	assert.deepEqual(await urls(), [], 'a refused request wrote a ' +
	    'subscription');
	const page = await f.get('/admin/webhooks');
	assert.equal(page.status, 200);
	assert.ok(page.text.includes('value="order.status_changed"'));
	assert.ok(page.text.includes('value="checklist.missed"'),
	    'the form offers checklist.missed now that checklists exist');
	assert.ok(!page.text.includes('checklist.skipped'), 'the form offers ' +
	    'a type nothing emits');
	assert.ok(!page.text.includes('value="webhook.test"'), 'the form ' +
	    'offers webhook.test');

	// One type only: order.created and order.fulfilled never reach it.
	const one = await f.subscribe(rcvOne.url('/one'),
	    ['order.status_changed']);
	const all = await f.subscribe(rcvAll.url('/all'), '*');
	// A row of a type this server does not know (an older or newer
	// server wrote it) is skipped, and the events after it still go.
	await sql('INSERT INTO events (public_id, org_id, type, payload) ' +
	    'SELECT UUID(), id, \'checklist.skipped\', \'{}\' FROM ' +
	    `organizations WHERE slug = ${q(f.slug)}`);
	const order = await f.order();
	await f.setStatus(order.id, 'SUBMITTED');
	const [got] = await rcvOne.waitForCount(1, 10000);
	assert.equal(eventOf(got), 'order.status_changed');
	assert.deepEqual(envelope(got).payload, { orderId: order.id,
	    status: 'SUBMITTED', previousStatus: 'DRAFT' });
	await assertSigned(got, one.secret, 'order.status_changed');
	await rcvAll.waitForCount(2, 10000);
	assert.deepEqual(rcvAll.received().map(eventOf).sort(),
	    ['order.created', 'order.status_changed']);

	// The test event goes to its one subscription whatever its filter.
	const tested = await f.postAndFollow(`/admin/webhooks/${one.id}/test`);
	assert.equal(tested.status, 200, tested.text.slice(0, 300));
	const [t] = await rcvOne.waitForCount(1, 10000,
	    (r) => eventOf(r) === 'webhook.test');
	assert.equal(envelope(t).payload.subscriptionId, one.id);
	await sleep(700);
	assert.deepEqual(rcvOne.received().map(eventOf),
	    ['order.status_changed', 'webhook.test'],
	    'a subscription to order.status_changed got other events');
	assert.deepEqual((await deliveriesOf(one.id)).map((d) => d.type),
	    ['order.status_changed', 'webhook.test']);
	assert.ok(!rcvAll.received().some((r) => eventOf(r) === 'webhook.test'),
	    'a test event reached another subscription');
	assert.deepEqual((await deliveriesOf(all.id)).map((d) => d.type).sort(),
	    ['order.created', 'order.status_changed']);
});

test('the worker\'s housekeeping drops expired idempotency keys and old ' +
    'rate windows', { timeout: 40000 }, async () => {
	const f = await fixture();
	const [[keyId]] = await sql('SELECT k.id FROM api_keys k JOIN ' +
	    'organizations o ON o.id = k.org_id WHERE o.slug = ' +
	    `${q(f.slug)} AND k.kind = 'integration'`);
	const scope = `key:${keyId}`;
	const oldKey = `hk-old-${rand(4)}`, newKey = `hk-new-${rand(4)}`;
	const po = { vendorName: 'Roastery', lines: [{ sku: f.sku,
	    quantity: 2 }] };
	const idem = async () => (await sql('SELECT idem_key FROM ' +
	    `idempotency_keys WHERE api_key_id = ${keyId} ORDER BY idem_key`))
	    .map(([k]) => k);
	const windows = async () => (await sql('SELECT window_start FROM ' +
	    `rate_counters WHERE scope = ${q(scope)} ORDER BY window_start`))
	    .map(([w]) => Number(w));

	try {
		// Stopped, so no housekeeping runs until the restart below.
		await stackCmd('worker-stop');

		// Two keys as real requests leave them; one's 24 h are over.
		for (const k of [oldKey, newKey]) {
			const res = await f.api('POST', '/orders', po,
			    { 'idempotency-key': k });
			assert.equal(res.status, 201, res.text);
		}
		await sql('UPDATE idempotency_keys SET expires_at = NOW(3) - ' +
		    `INTERVAL 1 MINUTE WHERE api_key_id = ${keyId} AND ` +
		    `idem_key = ${q(oldKey)}`);
		// A window from three hours ago (past the two hours kept for
		// the longest limit, onboarding's hour), one from an hour ago
		// (still kept) and the current one.
		const minute = 'UNIX_TIMESTAMP() DIV 60 * 60';
		await sql('INSERT INTO rate_counters (scope, window_start, ' +
		    `hits) VALUES (${q(scope)}, ${minute} - 10800, 7), ` +
		    `(${q(scope)}, ${minute} - 3600, 5), (${q(scope)}, ${minute}, 3)`);
		const [oldWin, hourWin, curWin] = await windows();
		assert.deepEqual(await idem(), [newKey, oldKey].sort());
		assert.equal(curWin - oldWin, 10800);
		assert.equal(curWin - hourWin, 3600);

		// Housekeeping runs on a worker's first tick.
		await stackCmd('worker-start');
		await until(async () => !(await idem()).includes(oldKey) &&
		    !(await windows()).includes(oldWin), 10000,
		    'the expired key and the old window to be dropped');
		assert.deepEqual(await idem(), [newKey],
		    'the valid idempotency key was dropped');
		assert.deepEqual(await windows(), [hourWin, curWin],
		    'a window of the last two hours was dropped');
		// ... and still answers a retry with the first response.
		const again = await f.api('POST', '/orders', po,
		    { 'idempotency-key': newKey });
		assert.equal(again.status, 201, again.text);
		assert.equal(again.headers.get('idempotent-replayed'), 'true');
	} finally {
		if (stackWorkerPid() === null)
			await stackCmd('worker-start');
	}
});

test('invoice cases: the integration events are offered, and a subscriber ' +
    'receives integration.ap.success, integration.rolled_back and ' +
    'integration.failed signed, with the contract\'s payload, and nothing it ' +
    'did not ask for', { timeout: 30000 }, async () => {
	const f = await fixture();
	const rcv = await receiver();
	const api = (m, p, b) => call(f.key, m, p, b);
	const page = await f.get('/admin/webhooks');
	for (const t of ['integration.inventory.success', 'integration.ap.success',
	    'integration.accounting.success', 'integration.failed',
	    'integration.rolled_back'])
		assert.ok(page.text.includes(`value="${t}"`), `the form offers ${t}`);
	assert.ok(!page.text.includes('value="case.approved"'),
	    'case.approved is the worker\'s own');
	const sub = await f.subscribe(rcv.url('/cases'), ['integration.ap.success',
	    'integration.rolled_back', 'integration.failed']);

	const inv = invoice();
	const c = await api('POST', '/api/cases', inv);
	assert.equal(c.status, 201, c.text);
	const id = c.json.case_id;
	assert.equal((await api('POST', `/api/cases/${id}/approve`)).status, 200);
	const ap = await api('POST', '/api/integrations/ap', { case_id: id });
	assert.equal(ap.status, 200, ap.text);
	assert.equal((await api('POST', '/api/integrations/inventory',
	    { case_id: id })).status, 200);
	const [got] = await rcv.waitForCount(1, 10000);
	assert.equal(eventOf(got), 'integration.ap.success');
	assert.deepEqual(envelope(got).payload, { case_id: id,
	    bill_id: ap.json.bill_id, vendor_id: ap.json.vendor_id,
	    amount: 1212.2, due_date: '2026-02-19' });
	assert.match(got.body.toString('utf8'), /"amount":1212\.20/);
	await assertSigned(got, sub.secret, 'integration.ap.success');

	const rb = await api('POST', '/api/integrations/rollback',
	    { case_id: id, systems: ['ap'] });
	assert.equal(rb.status, 200, rb.text);
	const [, back] = await rcv.waitForCount(2, 10000);
	assert.equal(eventOf(back), 'integration.rolled_back');
	assert.deepEqual(envelope(back).payload, { case_id: id,
	    rollback_status: { ap: 'success' } });
	await assertSigned(back, sub.secret, 'integration.rolled_back');

	const bad = await api('POST', '/api/cases', invoice({
	    vendor_id: 'vendor-unknown' }));
	await api('POST', `/api/cases/${bad.json.case_id}/approve`);
	const refused = await api('POST', '/api/integrations/ap',
	    { case_id: bad.json.case_id });
	assert.equal(refused.status, 422, refused.text);
	const [, , failed] = await rcv.waitForCount(3, 10000);
	assert.equal(eventOf(failed), 'integration.failed');
	assert.deepEqual(envelope(failed).payload, { case_id: bad.json.case_id,
	    system: 'ap', error_code: 'VENDOR_NOT_FOUND', errors: [] });
	await assertSigned(failed, sub.secret, 'integration.failed');
	await sleep(700);
	assert.deepEqual(rcv.received().map(eventOf), ['integration.ap.success',
	    'integration.rolled_back', 'integration.failed'],
	    'inventory.success went to a subscriber that did not ask for it');
});
