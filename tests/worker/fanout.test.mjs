// fanout.test.mjs - the webhook fan-out in batches (issue 14): a backlog of
// events, queued while the worker is stopped, is turned into deliveries
// with one subscription lookup per run of events alike and one multi-row
// INSERT per event. Every matching subscription gets every event exactly
// once (one delivery row, one arrival, one attempt), a subscription to
// another type gets none, and an organization's events interleaved with
// another's go to their own subscriptions only (the kept lookup is of
// one organization and type).
import test from 'node:test';
import assert from 'node:assert/strict';

import { Receiver } from '../webhooks/receiver.mjs';
import {
	checkEnv, fixture, sql, q, until, stackCmd,
} from '../webhooks/stack.mjs';

checkEnv();

const SUBS = 6;		// subscriptions of the first organization to order.created
const EVENTS = 12;	// orders of each organization

const eventOf = (r) => r.headers['x-mihwar-event'];
const orderOf = (r) => JSON.parse(r.body.toString()).payload.orderId;

test('fan-out of a backlog: each of 6 subscriptions gets each of 12 events ' +
    'exactly once, interleaved with another organization\'s, and a ' +
    'subscription to another type gets none', { timeout: 60000 },
    async () => {
	const a = await fixture();
	const b = await fixture();
	const rcv = [];
	for (let i = 0; i < SUBS + 2; i++)
		rcv.push(await new Receiver().start());
	try {
		for (let i = 0; i < SUBS; i++)
			await a.subscribe(rcv[i].url(`/a${i}`), ['order.created']);
		const other = rcv[SUBS];	// a's, another type
		await a.subscribe(other.url('/other'), ['order.fulfilled']);
		const rb = rcv[SUBS + 1];	// b's one subscription
		await b.subscribe(rb.url('/b'), '*');

		await stackCmd('worker-stop');
		const orders = { a: [], b: [] };
		try {
			for (let i = 0; i < EVENTS; i++) {
				orders.a.push((await a.order()).id);
				orders.b.push((await b.order()).id);
			}
		} finally {
			await stackCmd('worker-start');
		}

		for (let i = 0; i < SUBS; i++) {
			const got = await rcv[i].waitForCount(EVENTS, 30000);
			assert.deepEqual(got.map(eventOf), Array(EVENTS)
			    .fill('order.created'));
			assert.deepEqual(got.map(orderOf).sort(),
			    [...orders.a].sort(), `subscription ${i}`);
		}
		const gotB = await rb.waitForCount(EVENTS, 30000);
		assert.deepEqual(gotB.map(orderOf).sort(), [...orders.b].sort());

		// Nothing more arrives (no second send of any delivery).
		await until(async () => {
			const [[n]] = await sql('SELECT COUNT(*) FROM ' +
			    'webhook_deliveries d JOIN organizations o ON ' +
			    'o.id = d.org_id WHERE o.slug IN (' +
			    `${q(a.slug)}, ${q(b.slug)}) AND d.state <> ` +
			    '\'succeeded\'');
			return n === '0';
		}, 20000, 'every delivery succeeded');
		const ids = new Set();
		for (const r of rcv) {
			for (const got of r.received()) {
				const id = got.headers['webhook-id'];
				assert.ok(!ids.has(id), `${id} arrived twice`);
				ids.add(id);
			}
		}
		assert.equal(ids.size, SUBS * EVENTS + EVENTS);
		assert.equal(other.received().length, 0,
		    'a subscription to order.fulfilled got order.created');

		// One delivery row per (event, subscription), one attempt each.
		const rows = await sql('SELECT o.slug, COUNT(*), ' +
		    'COUNT(DISTINCT d.event_id, d.subscription_id), ' +
		    'SUM((SELECT COUNT(*) FROM webhook_attempts t WHERE ' +
		    't.delivery_id = d.id)) FROM webhook_deliveries d JOIN ' +
		    'organizations o ON o.id = d.org_id WHERE o.slug IN (' +
		    `${q(a.slug)}, ${q(b.slug)}) GROUP BY o.slug ORDER BY ` +
		    `o.slug = ${q(b.slug)}`);
		assert.deepEqual(rows, [
			[a.slug, String(SUBS * EVENTS), String(SUBS * EVENTS),
			    String(SUBS * EVENTS)],
			[b.slug, String(EVENTS), String(EVENTS), String(EVENTS)],
		]);
	} finally {
		for (const r of rcv)
			await r.close();
	}
});
