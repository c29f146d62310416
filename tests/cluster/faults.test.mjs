// faults.test.mjs - Mihwar on a three-node Galera cluster with two web
// nodes and two workers (scripts/cluster.sh), under a mixed load spread
// over both web nodes, while one Galera node is killed (kill -9) and
// brought back (IST), and one worker is killed (issue 15). Every write
// carries an Idempotency-Key and is sent again with the same key after a
// 503 or a lost connection, as a careful client does; then:
//   - every request answered 2xx is in the database, exactly once;
//   - the hot item's stock is its start plus the sum of the 2xx
//     adjustments;
//   - every purchase order is in the state of its last 2xx transition;
//   - no webhook attempt is received twice, and every committed event
//     reaches the receiver;
//   - the per-key ingestion limit (120 a minute) holds across both nodes;
//   - no answer is a 500 or a hang: a request caught by the kill gets a
//     503 JSON error;
//   - the cluster heals, and both web nodes serve again.
// The counts are printed (the README's figures).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';

import { fixture, sql, q, sleep, until, rand } from '../webhooks/stack.mjs';
import { Receiver } from '../webhooks/receiver.mjs';

const API = '/api/integrations/v1';
const need = (n) => {
	if (!process.env[n])
		throw new Error(`${n} is not set (scripts/check-cluster.sh)`);
	return process.env[n];
};
const WEB = [need('CLUSTER_WEB1'), need('CLUSTER_WEB2')];
const LOAD_MS = Number(process.env.CLUSTER_LOAD_MS ?? 45000);
const TIMEOUT_MS = 30000;	// a request slower than this is a hang
const LIMIT = 120;		// the ingestion limit per key and minute

function cluster(...args) {
	return new Promise((resolve, reject) => {
		execFile(need('CLUSTER_CTL'), args, (err, stdout, stderr) => {
			if (err) {
				err.message += `\ncluster.sh ${args.join(' ')}: ${stderr}`;
				reject(err);
			} else
				resolve(stdout);
		});
	});
}

// Every answer seen, by status, and the failures that must not happen.
const seen = { sent: 0, byStatus: {}, hangs: 0, bad: [], resent: 0,
    okAt: [[], []] };	// when each web node answered 2xx

function note(status, text, what) {
	seen.byStatus[status] = (seen.byStatus[status] ?? 0) + 1;
	if (status >= 500 && status !== 503)
		seen.bad.push(`${what}: ${status} ${text.slice(0, 200)}`);
	if (status === 503) {
		let ok = false;

		try {
			ok = typeof JSON.parse(text).error?.message === 'string';
		} catch { /* not JSON */ }
		if (!ok)
			seen.bad.push(`${what}: a 503 that is not the JSON error: ` +
			    text.slice(0, 200));
	}
}

// One HTTP request to web node n; {status, text, json, headers}, or
// {status: 0} when the connection failed.
async function once(n, key, method, path, body, idem) {
	const headers = { authorization: `Bearer ${key}` };

	if (body !== undefined)
		headers['content-type'] = 'application/json';
	if (idem)
		headers['idempotency-key'] = idem;
	seen.sent++;
	try {
		const res = await fetch(WEB[n] + path, { method, headers,
		    body: body === undefined ? (method === 'GET' ? undefined : '') :
		    JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS) });
		const text = await res.text();
		let json = null;

		try {
			json = JSON.parse(text);
		} catch { /* not JSON */ }
		note(res.status, text, `${method} ${path} on web ${n + 1}`);
		if (res.status >= 200 && res.status < 300)
			seen.okAt[n].push(Date.now());
		return { status: res.status, text, json, headers: res.headers };
	} catch (e) {
		if (e.name === 'TimeoutError') {
			seen.hangs++;
			seen.bad.push(`${method} ${path} on web ${n + 1}: no answer ` +
			    `in ${TIMEOUT_MS} ms`);
		}
		return { status: 0, text: String(e), json: null };
	}
}

// A write with its own Idempotency-Key, sent again with the same key
// while the answer is a 503, a lost connection, or 409 "in flight" (the
// first try's claim), alternating web nodes; the final answer.
async function write(n, key, method, path, body) {
	const idem = randomUUID();
	const end = Date.now() + 150000;

	for (let i = 0; ; i++) {
		const r = await once((n + i) % 2, key, method, path, body, idem);
		const inFlight = r.status === 409 &&
		    /still running/.test(r.text);

		if (!(r.status === 0 || r.status === 503 || inFlight) ||
		    Date.now() > end)
			return r;
		seen.resent++;
		await sleep(200);
	}
}

let f, receiver, sub, keyIngest, keyStock, hot, poItem;
const ingested = { ok: [], refused: [] };	// request tags
const admitted = [];	// {window, remaining} of each admitted ingestion
let stockStart = 0, stockSum = 0, stockCount = 0;
const adjusted = [];	// {delta, at, next} of each 2xx adjustment
const orders = new Map();	// order id -> status of its last 2xx move
let stop = false;

async function ingestLoop(n) {
	for (let r = 0; !stop; r++) {
		const tag = `CLI${n}x${r}x${rand(3)}`;
		const lines = [0, 1, 2, 3, 4].map((j) => ({
			sku: `${tag}-${j}`, orderDate: '2025-06-01',
			orderedQty: j + 1, deliveredQty: j + 1 }));
		const res = await write(n, keyIngest, 'POST',
		    `${API}/ingestion/order-lines`, { lines, autoCreateItems: true });

		if (res.status >= 200 && res.status < 300) {
			ingested.ok.push(tag);
			const date = Date.parse(res.headers.get('date')) / 1000;
			const reset = Number(res.headers.get('x-ratelimit-reset'));
			admitted.push({ window: Math.round((date + reset) / 60),
			    remaining: res.headers.get('x-ratelimit-remaining') });
		} else {
			ingested.refused.push(tag);
			if (res.status === 429)
				await sleep(100);
		}
	}
}

async function stockLoop(n) {
	while (!stop) {
		const delta = (1 + Math.floor(Math.random() * 5)) *
		    (Math.random() < 0.5 ? -1 : 1);
		const res = await write(n, keyStock, 'POST',
		    `${API}/inventory/items/${hot}/adjustments`,
		    { delta, reason: 'cluster fault test' });

		if (res.status >= 200 && res.status < 300) {
			stockSum += delta;
			stockCount++;
			adjusted.push({ delta, at: Date.now(),
			    next: res.json?.data?.nextStock });
		}
		else if (res.status !== 0 && res.status !== 503)
			seen.bad.push(`adjustment: ${res.status} ${res.text.slice(0, 200)}`);
	}
}

async function orderLoop(n) {
	while (!stop) {
		const made = await write(n, keyStock, 'POST', `${API}/orders`, {
			vendorName: 'Cluster vendor', reference: `CL-${rand(4)}`,
			lines: [{ itemId: poItem, quantity: 2 }] });

		if (made.status !== 201)
			continue;
		const id = made.json.data.id;
		orders.set(id, made.json.data.status);
		for (const to of ['SUBMITTED', Math.random() < 0.5 ?
		    'APPROVED' : 'REJECTED']) {
			const res = await write(n, keyStock, 'POST',
			    `${API}/orders/${id}/status`, { status: to });

			if (res.status !== 200)
				break;
			orders.set(id, to);
		}
	}
}

// The faults, on their schedule from the load's start.
async function faults(log) {
	await sleep(LOAD_MS * 0.18);
	log.push(`kill -9 Galera node 2 at ${Date.now() - log.t0} ms`);
	await cluster('db-kill', '2');
	log.down = Date.now();
	await sleep(LOAD_MS * 0.12);
	log.push(`kill -9 worker 1 at ${Date.now() - log.t0} ms`);
	await cluster('worker-kill', '1');
	await sleep(LOAD_MS * 0.2);
	log.up = Date.now();
	log.push(`Galera node 2 starting at ${Date.now() - log.t0} ms`);
	await cluster('db-start', '2');
	log.push(`Galera node 2 synced at ${Date.now() - log.t0} ms`);
	await sleep(LOAD_MS * 0.1);
	log.push(`worker 1 started at ${Date.now() - log.t0} ms`);
	await cluster('worker-start', '1');
}

// For whoever meets a wrong stock: the 2xx adjustments (delta, stock
// after) that have no row of that delta and stock after, when answered.
async function unrecorded() {
	const rows = await sql('SELECT a.delta, a.stock_after FROM ' +
	    'stock_adjustments a JOIN inventory_items i ON i.id = a.item_id ' +
	    `WHERE i.public_id = ${q(hot)}`);
	const have = new Map();

	for (const [d, after] of rows) {
		const k = `${Number(d)}:${Number(after)}`;
		have.set(k, (have.get(k) ?? 0) + 1);
	}
	const missing = adjusted.filter(({ delta, next }) => {
		const k = `${delta}:${Number(next)}`;
		const n = have.get(k) ?? 0;

		have.set(k, n - 1);
		return n <= 0;
	});
	return JSON.stringify(missing.map((m) => ({ ...m,
	    at: new Date(m.at).toISOString() })));
}

before(async () => {
	receiver = await new Receiver().start();
	f = await fixture();
	sub = await f.subscribe(receiver.url('/cluster'), '*');
	keyIngest = f.key;
	const out = JSON.parse(await new Promise((resolve, reject) =>
	    execFile(need('MIHWAR_CTL'), ['--json', 'key', 'create', '--org',
	    f.slug, '--kind', 'integration'], { env: { ...process.env,
	    MIHWAR_CONF: need('MIHWAR_CONF') } }, (e, so) =>
	    e ? reject(e) : resolve(so))));
	keyStock = out.key;
	let r = await once(0, keyStock, 'POST', `${API}/inventory/items`,
	    { sku: `HOT-${rand(3)}`, name: 'Hot item' });
	assert.equal(r.status, 201, r.text);
	hot = r.json.data.id;
	r = await once(0, keyStock, 'POST', `${API}/inventory/items/${hot}/adjustments`,
	    { delta: 100000, reason: 'start' });
	assert.equal(r.status, 200, r.text);
	stockStart = 100000;
	r = await once(0, keyStock, 'POST', `${API}/inventory/items`,
	    { sku: `PO-${rand(3)}`, name: 'Ordered item' });
	assert.equal(r.status, 201, r.text);
	poItem = r.json.data.id;
});

after(async () => {
	await receiver?.close();
});

test('mixed load over both web nodes through a Galera node and a worker killed', async () => {
	const log = [];
	log.t0 = Date.now();
	const loops = [ingestLoop(0), ingestLoop(1), stockLoop(0), stockLoop(1),
	    orderLoop(0), orderLoop(1)];
	const fault = faults(log);

	await sleep(LOAD_MS);
	stop = true;
	await Promise.all(loops);
	await fault;

	// The cluster healed: three nodes synced, both web nodes serve.
	const status = await cluster('status');
	assert.match(status, /db1 Synced size=3/, status);
	assert.match(status, /db2 Synced size=3/, status);
	assert.match(status, /db3 Synced size=3/, status);
	for (const n of [0, 1]) {
		const h = await fetch(`${WEB[n]}/api/healthz`);
		assert.equal(h.status, 200, `web node ${n + 1} after healing`);
		const r = await write(n, keyStock, 'POST',
		    `${API}/inventory/items/${hot}/adjustments`,
		    { delta: 1, reason: 'after healing' });
		assert.equal(r.status, 200, r.text);
		stockSum += 1;
		stockCount++;
	}

	// Web node 2 went on serving on the other nodes while its own was
	// down (its own node refusing, a process connects to the next one
	// of its list).
	const whileDown = seen.okAt[1].filter((t) => t > log.down + 1000 &&
	    t < log.up).length;
	assert.ok(whileDown > 0, 'web node 2 served while its node was down');

	// Every 2xx ingestion is in the database once; no refused one is.
	const rows = await sql('SELECT SUBSTRING_INDEX(i.sku, \'-\', 1), ' +
	    'COUNT(*) FROM order_history_lines l JOIN inventory_items i ON ' +
	    `i.id = l.item_id WHERE l.org_id = (SELECT id FROM organizations ` +
	    `WHERE slug = ${q(f.slug)}) AND i.sku LIKE 'CLI%' GROUP BY 1`);
	const lines = new Map(rows.map(([t, c]) => [t, Number(c)]));
	const wrong = ingested.ok.filter((t) => lines.get(t) !== 5);
	const ghost = ingested.refused.filter((t) => lines.has(t));
	assert.deepEqual(wrong, [], 'each 2xx ingestion: its 5 lines, once');
	assert.deepEqual(ghost, [], 'no refused ingestion wrote a line');
	assert.equal(lines.size, ingested.ok.length, 'no other batch');

	// The hot item: its start plus the 2xx adjustments.
	const [[stock]] = await sql('SELECT stock_on_hand FROM inventory_items' +
	    ` WHERE public_id = ${q(hot)}`);
	assert.equal(Number(stock), stockStart + stockSum, 'hot item stock' +
	    (Number(stock) === stockStart + stockSum ? '' :
	    `; 2xx answers without their row: ${await unrecorded()}`));
	const [[adjustments]] = await sql('SELECT COUNT(*) FROM ' +
	    'stock_adjustments a JOIN inventory_items i ON i.id = a.item_id ' +
	    `WHERE i.public_id = ${q(hot)}`);
	assert.equal(Number(adjustments), 1 + stockCount,
	    'each 2xx adjustment once');

	// Orders: created once each, in the state of their last 2xx move.
	const ords = await sql('SELECT public_id, status FROM purchase_orders ' +
	    `WHERE org_id = (SELECT id FROM organizations WHERE slug = ` +
	    `${q(f.slug)})`);
	assert.equal(ords.length, orders.size, 'each 2xx order once');
	for (const [id, st] of ords)
		assert.equal(st, orders.get(id), `order ${id}`);

	// The limit: at most 120 admitted in any minute, each with its own
	// count, and the load met it.
	const perWindow = new Map();
	for (const a of admitted) {
		const w = perWindow.get(a.window) ?? [];
		w.push(a.remaining);
		perWindow.set(a.window, w);
	}
	for (const [w, rem] of perWindow) {
		assert.ok(rem.length <= LIMIT, `window ${w}: ${rem.length} admitted`);
		assert.equal(new Set(rem).size, rem.length,
		    `window ${w}: every admitted request its own count`);
	}
	assert.ok((seen.byStatus[429] ?? 0) > 0, 'the load reached the limit');

	// Webhooks: every event of the organization fanned out to the
	// subscription and delivered; each attempt received once.
	const orgId = `(SELECT id FROM organizations WHERE slug = ${q(f.slug)})`;
	await until(async () => {
		const [[left]] = await sql('SELECT COUNT(*) FROM events e LEFT JOIN ' +
		    'webhook_deliveries d ON d.event_id = e.id AND ' +
		    `d.subscription_id IS NOT NULL WHERE e.org_id = ${orgId} AND ` +
		    "e.type <> 'webhook.test' AND (d.id IS NULL OR d.state <> 'succeeded')");
		return Number(left) === 0;
	}, 120000, 'every event delivered', 500);
	const dels = await sql('SELECT d.public_id FROM webhook_deliveries d ' +
	    `WHERE d.org_id = ${orgId} AND d.subscription_id IS NOT NULL`);
	const [[events]] = await sql(`SELECT COUNT(*) FROM events WHERE org_id = ` +
	    `${orgId} AND type <> 'webhook.test'`);
	const got = new Map();
	const attempts = new Set();
	let dupAttempts = 0;
	for (const req of receiver.requests) {
		const id = req.headers['webhook-id'];
		const at = `${id}#${req.headers['x-mihwar-attempt']}`;
		got.set(id, (got.get(id) ?? 0) + 1);
		if (attempts.has(at))
			dupAttempts++;
		attempts.add(at);
	}
	const lost = dels.filter(([id]) => !got.has(id));
	assert.equal(dels.length, Number(events), 'one delivery an event');
	assert.deepEqual(lost, [], 'no committed event lost');
	assert.equal(dupAttempts, 0, 'no attempt received twice');
	const resentIds = [...got.values()].filter((c) => c > 1).length;

	assert.deepEqual(seen.bad, [], 'no 500, no hang, every 503 JSON');
	const counts = {
		requests: seen.sent, byStatus: seen.byStatus, resent: seen.resent,
		ingestions2xx: ingested.ok.length, ingestionsRefused:
		    ingested.refused.length, linesFound: [...lines.values()]
		    .reduce((s, c) => s + c, 0),
		adjustments2xx: stockCount, adjustmentsFound: Number(adjustments) - 1, stockExpected: stockStart + stockSum,
		stockFound: Number(stock), orders2xx: orders.size,
		ordersFound: ords.length, events: Number(events),
		deliveriesReceived: receiver.requests.length,
		webhookIds: got.size, duplicateAttempts: dupAttempts,
		idsSentAgain: resentIds, lost: lost.length,
		web2WhileItsNodeDown: whileDown,
		windows: [...perWindow.values()].map((r) => r.length),
		faults: log,
	};
	console.log(`cluster fault counts: ${JSON.stringify(counts)}`);
});
