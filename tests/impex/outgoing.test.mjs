// outgoing.test.mjs - events to webhook integrations through the one
// delivery worker, at a local receiver. Webhook integrations with
// notify_on ["low_stock"] in each body shape (config_data.format
// discord, slack, standard: the receiver is on loopback, not discord.com
// or hooks.slack.com), one with no notify_on (every event), one with
// ["stockout"]. A stock adjustment through the Integrations API crosses
// the low-stock threshold: each low_stock integration gets exactly its
// shape (the standard one signed with the integration's secret, checked
// by the `standardwebhooks` library); a stockout then reaches only the
// integrations that want it. Every attempt is in integration_logs
// (kind delivery, direction outgoing, http_status, duration_ms, error),
// a failed one retried with the same webhook-id; inactive and deleted
// integrations get nothing new.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { Receiver } from '../webhooks/receiver.mjs';
import { until, sleep } from '../webhooks/stack.mjs';
import { fixture, logLines, sql, q, rand } from './hookslib.mjs';

const WAIT = 20000;
let f, rx, item, sku;
const ints = {};

const at = (p) => (r) => r.path === p;

before(async () => {
	rx = await new Receiver().start();
	f = await fixture('out');
	const low = { notify_on: ['low_stock'] };
	ints.discord = await f.webhook('Discord alerts', rx.url('/discord'),
	    { ...low, format: 'discord', channel: '#ignored-by-discord' });
	ints.slack = await f.webhook('Slack alerts', rx.url('/slack'),
	    { ...low, format: 'slack', username: 'Mihwar Bot',
	    channel: '#stock' });
	ints.standard = await f.webhook('Standard', rx.url('/standard'),
	    { ...low, format: 'standard' });
	ints.all = await f.webhook('Everything', rx.url('/all'), {});
	ints.stockout = await f.webhook('Stockouts', rx.url('/stockout'),
	    { notify_on: ['stockout'] });
	sku = `OAT-${rand(3)}`;
	const res = await f.integ('POST', '/inventory/items', { sku,
	    name: 'Oat milk 1L', stockOnHand: 10, lowStockThreshold: 5 });
	assert.equal(res.status, 201, res.text);
	item = res.json.data;
});

after(async () => {
	await rx?.close();
});

async function adjust(delta) {
	const res = await f.integ('POST',
	    `/inventory/items/${item.id}/adjustments`,
	    { delta, reason: 'test' });
	assert.equal(res.status, 200, res.text);
	return res.json.data;
}

const line = () => `Low stock: Oat milk 1L (SKU ${sku}) is down to 3`;

test('a low-stock event reaches each low_stock integration in its shape',
    async () => {
	await adjust(-7);	/* 10 -> 3, threshold 5 */
	const got = await rx.waitForCount(4, WAIT, (r) =>
	    ['/discord', '/slack', '/standard', '/all'].includes(r.path));
	const one = (p) => {
		const rs = got.filter(at(p));
		assert.equal(rs.length, 1, `${p}: one request`);
		return rs[0];
	};

	const d = one('/discord');
	assert.equal(d.body.toString(), JSON.stringify({ content: line() }));
	assert.equal(d.headers['content-type'], 'application/json');
	assert.equal(d.method, 'POST');

	const s = one('/slack');
	assert.equal(s.body.toString(), JSON.stringify({ text: line(),
	    username: 'Mihwar Bot', channel: '#stock' }));

	const st = one('/standard');
	const w = new Webhook(ints.standard.signing_secret);
	const env = w.verify(st.body.toString(), st.headers);
	assert.deepEqual(Object.keys(env).sort(), ['event', 'payload',
	    'sentAt']);
	assert.equal(env.event, 'inventory.low_stock');
	assert.deepEqual(env.payload, { itemId: item.id,
	    itemName: 'Oat milk 1L', sku, currentStock: 3 });
	assert.equal(st.headers['x-mihwar-event'], 'inventory.low_stock');
	// Signed with this integration's secret, not another's.
	assert.throws(() => new Webhook(ints.discord.signing_secret)
	    .verify(st.body.toString(), st.headers));

	const a = one('/all');
	assert.equal(JSON.parse(a.body).event, 'inventory.low_stock');
	assert.equal(got.filter(at('/stockout')).length, 0);
});

test('each attempt is in the integration log', async () => {
	for (const k of ['discord', 'slack', 'standard']) {
		const lines = await until(async () => {
			const l = await logLines(ints[k].id);
			return l.length > 0 ? l : null;
		}, WAIT, `${k}'s log line`);
		assert.equal(lines.length, 1, `${k}: one line`);
		const l = lines[0];
		assert.equal(l.direction, 'outgoing');
		assert.equal(l.kind, 'delivery');
		assert.equal(l.status, 'success');
		assert.equal(l.http_status, 200);
		assert.ok(l.duration_ms >= 0 && l.duration_ms < WAIT,
		    `duration_ms ${l.duration_ms}`);
		assert.equal(l.error, null);
		assert.equal(l.headers['x-mihwar-event'], 'inventory.low_stock');
	}
	const d = (await logLines(ints.discord.id))[0];
	assert.equal(d.body.toString(), JSON.stringify({ content: line() }));
	// The logs API tells the same line, when it is there.
	const api = await f.v1('GET', `/integrations/${ints.discord.id}/logs`);
	if (api.status === 200) {
		const e = api.json.data.find((x) => x.id === d.id);
		assert.equal(e.kind, 'delivery');
		assert.equal(e.direction, 'outgoing');
		assert.equal(e.http_status, 200);
	}
});

test('a filtered-out event does not arrive', async () => {
	const before = rx.received().length;
	await adjust(-3);	/* 3 -> 0: stockout, no low stock */
	const got = await rx.waitForCount(2, WAIT, (r) =>
	    (r.path === '/all' || r.path === '/stockout') &&
	    JSON.parse(r.body).event === 'inventory.stockout');
	assert.equal(got.filter(at('/stockout')).length, 1);
	assert.equal(got.filter(at('/all')).length, 1);
	assert.equal(JSON.parse(got.find(at('/stockout')).body).payload.sku,
	    sku);
	// The fan-out queued every delivery of the event in one go: none
	// for the low_stock integrations.
	const rows = await sql('SELECT i.public_id FROM webhook_deliveries d ' +
	    'JOIN integrations i ON i.id = d.integration_id WHERE ' +
	    `d.event_type = 'inventory.stockout' AND i.public_id IN (` +
	    [ints.discord, ints.slack, ints.standard, ints.all,
	    ints.stockout].map((x) => q(x.id)).join(',') + ')');
	assert.deepEqual(rows.map((r) => r[0]).sort(),
	    [ints.all.id, ints.stockout.id].sort());
	await sleep(500);
	assert.equal(rx.received().filter((r) => ['/discord', '/slack',
	    '/standard'].includes(r.path)).length, 3);
	assert.equal(rx.received().length, before + 2);
});

test('a failed attempt is logged and retried with the same webhook-id',
    async () => {
	await adjust(10);	/* 0 -> 10: stockout resolved */
	rx.failNext(1, 503);
	await adjust(-8);	/* 10 -> 2: low stock again */
	// The first of the low-stock deliveries answered 503; whichever it
	// was, its second attempt comes.
	await rx.waitFor((rs) => rs.filter((r) => r.answered === 503)
	    .length === 1, WAIT, 'the 503');
	const failed = rx.requests.find((r) => r.answered === 503);
	const retried = await rx.waitForCount(1, WAIT, (r) =>
	    r.path === failed.path && r !== failed && r.at > failed.at &&
	    r.body.toString() === failed.body.toString() ||
	    (r.path === failed.path && r !== failed &&
	    r.headers['webhook-id'] !== undefined &&
	    r.headers['webhook-id'] === failed.headers['webhook-id']));
	assert.ok(retried.length >= 1);
	const key = Object.keys(ints).find((k) => rx.url(`/${k}`)
	    .endsWith(failed.path));
	const lines = await until(async () => {
		const l = (await logLines(ints[key].id)).filter((x) =>
		    x.kind === 'delivery');
		return l.some((x) => x.http_status === 503) &&
		    l.filter((x) => x.status === 'success').length >= 2 ? l :
		    null;
	}, WAIT, `${key}: the failed and the retried attempt logged`);
	const bad = lines.find((x) => x.http_status === 503);
	assert.equal(bad.status, 'failed');
	assert.equal(bad.error, 'HTTP 503');
	assert.equal(bad.direction, 'outgoing');
	// The delivery row moved on through the worker's retry.
	const same = lines.filter((x) => x.headers['webhook-id'] ===
	    bad.headers['webhook-id']);
	assert.equal(same.length, 2);
	assert.deepEqual(same.map((x) => x.status), ['failed', 'success']);
});

test('inactive and deleted integrations get nothing new', async () => {
	await f.setStatus(ints.discord.id, 'inactive');
	const del = await f.v1('DELETE', `/integrations/${ints.slack.id}`);
	assert.ok(del.status === 204 || del.status === 200, del.text);
	const discordLines = (await logLines(ints.discord.id)).length;
	const count = (p) => rx.received().filter(at(p)).length;
	const seen = { d: count('/discord'), s: count('/slack'),
	    st: count('/standard') };
	await adjust(10);	/* 2 -> 12 */
	await adjust(-9);	/* 12 -> 3: low stock */
	await rx.waitForCount(seen.st + 1, WAIT, at('/standard'));
	await sleep(1500);
	assert.equal(count('/discord'), seen.d);
	assert.equal(count('/slack'), seen.s);
	assert.equal((await logLines(ints.discord.id)).length, discordLines);
	assert.equal((await sql('SELECT COUNT(*) FROM webhook_deliveries d ' +
	    'JOIN integrations i ON i.id = d.integration_id WHERE ' +
	    `i.public_id = ${q(ints.slack.id)}`))[0][0], '0');
});
