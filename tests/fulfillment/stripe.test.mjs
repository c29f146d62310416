// stripe.test.mjs - POST /api/stripe/webhook against the running stack:
// the Stripe-Signature check (good, any of two v1 while a secret rolls,
// wrong secret, stale, missing, malformed: 400 with nothing written),
// each event id and each checkout session once, unknown clients and
// invalid items acknowledged without an order, other types acknowledged,
// the order as the contract's OrderRecord (amounts exact), and its
// order.created event in the outbox with source "fulfillment".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { call, newClient, postStripe, stripeSigned, checkoutCompleted,
    confValue, sql, q } from './lib.mjs';

const hex = (n) => randomBytes(n).toString('hex');

// What the database holds for an event id and a session id.
async function written(event, session) {
	const [[events]] = await sql('SELECT COUNT(*) FROM stripe_events' +
	    ` WHERE event_id = ${q(event)}`);
	const [[orders]] = await sql('SELECT COUNT(*) FROM fulfill_orders' +
	    ` WHERE stripe_session_id = ${q(session)}`);
	return { events: Number(events), orders: Number(orders) };
}

async function outcomeOf(event) {
	const rows = await sql('SELECT outcome FROM stripe_events' +
	    ` WHERE event_id = ${q(event)}`);
	return rows.length ? rows[0][0] : null;
}

function rawPost(body, signature) {
	const headers = { 'content-type': 'application/json' };
	if (signature !== undefined)
		headers['stripe-signature'] = signature;
	return call(null, 'POST', '/api/stripe/webhook', body, headers);
}

test('a signed checkout.session.completed makes one order, as the contract shows it', async () => {
	const c = await newClient('stripe');
	const ev = checkoutCompleted(c.slug, { total: 5998, items: [
		{ productTitle: 'Punk Skull Tee', productType: 'shirt',
		  imageUrl: 'https://cdn.example.test/skull.png', size: 'M',
		  quantity: 2, price: 29.99 }] });
	const res = await postStripe(ev);
	assert.equal(res.status, 200, res.text);
	assert.deepEqual(res.json, { received: true });
	assert.equal(await outcomeOf(ev.id), 'order_created');

	const p = await c.api('GET', '/api/orders/pending');
	assert.equal(p.status, 200, p.text);
	assert.equal(p.json.count, 1);
	const o = p.json.orders[0];
	const s = ev.data.object;
	assert.match(o.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
	assert.match(o.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
	assert.match(o.updatedAt, /Z$/);
	assert.deepEqual({ ...o, id: null, createdAt: null, updatedAt: null }, {
		id: null, clientId: c.slug, customerEmail: 'jane@example.test',
		items: [{ productTitle: 'Punk Skull Tee', productType: 'shirt',
		    imageUrl: 'https://cdn.example.test/skull.png', size: 'M',
		    quantity: 2, price: 29.99 }],
		shippingAddress: { name: 'Jane Doe', line1: '123 Punk Ave',
		    city: 'Portland', state: 'OR', postal_code: '97201',
		    country: 'US' },
		total: 59.98, status: 'pending_client_approval',
		statusNote: null, stripeSessionId: s.id,
		stripePaymentIntentId: s.payment_intent, printfulOrderId: null,
		createdAt: null, updatedAt: null,
	});
	// The amount is exact in SQL too, and the event names its source.
	const [[total, currency]] = await sql('SELECT total, currency FROM ' +
	    `fulfill_orders WHERE public_id = ${q(o.id)}`);
	assert.deepEqual([total, currency], ['59.9800', 'USD']);
	const evs = await sql('SELECT JSON_VALUE(payload, "$.orderId"),' +
	    ' JSON_VALUE(payload, "$.status"), JSON_VALUE(payload, "$.source"),' +
	    ' JSON_VALUE(payload, "$.clientSlug"), JSON_VALUE(payload,' +
	    ' "$.total") FROM events WHERE type = "order.created" AND org_id = ' +
	    `${Number(c.id)}`);
	assert.deepEqual(evs, [[o.id, 'pending_client_approval', 'fulfillment',
	    c.slug, '59.98']]);
});

test('any matching v1 is accepted while the secret rolls', async () => {
	const c = await newClient('stripe');
	const ev = checkoutCompleted(c.slug);
	const { body, signature } = stripeSigned(ev);
	const [t, v1] = signature.split(',');
	const res = await rawPost(body, `${t},v1=${hex(32)},${v1}`);
	assert.equal(res.status, 200, res.text);
	assert.deepEqual(await written(ev.id, ev.data.object.id),
	    { events: 1, orders: 1 });
});

test('a bad, stale, missing or malformed signature is 400 and writes nothing', async () => {
	const c = await newClient('stripe');
	const now = Math.floor(Date.now() / 1000);
	const cases = [
		['another secret', (ev) => postStripe(ev,
		    { secret: 'whsec_not_the_one' })],
		['301 s old', (ev) => postStripe(ev, { at: now - 301 })],
		['330 s ahead (301 would race the clock as the test runs)',
		    (ev) => postStripe(ev, { at: now + 330 })],
		['missing', (ev) => rawPost(JSON.stringify(ev))],
		['empty', (ev) => rawPost(JSON.stringify(ev), '')],
		['no t', (ev) => postStripe(ev, { header: `v1=${hex(32)}` })],
		['no v1', (ev) => postStripe(ev, { header: `t=${now}` })],
		['not Stripe\'s', (ev) => postStripe(ev,
		    { header: `sha256=${hex(32)}` })],
		['the body changed after signing', (ev) => {
			const { body, signature } = stripeSigned(ev);
			return rawPost(body.replace('"amount_total":2999',
			    '"amount_total":1'), signature);
		}],
	];
	for (const [name, send] of cases) {
		const ev = checkoutCompleted(c.slug);
		const res = await send(ev);
		assert.equal(res.status, 400, `${name}: ${res.text}`);
		assert.match(res.json.error, /^Stripe-Signature: /, name);
		assert.equal(typeof res.json.requestId, 'string', name);
		assert.deepEqual(await written(ev.id, ev.data.object.id),
		    { events: 0, orders: 0 }, name);
	}
	// Only the 301 s one says it is stale: the others did not verify.
	const stale = await postStripe(checkoutCompleted(c.slug),
	    { at: now - 301 });
	assert.match(stale.json.error, /more than 300 seconds/);
	const ok = await postStripe(checkoutCompleted(c.slug),
	    { at: now - 290 });
	assert.equal(ok.status, 200, '290 s old is within the tolerance');
});

test('a repeated event id and another event of the same session make one order', async () => {
	const c = await newClient('stripe');
	const ev = checkoutCompleted(c.slug);
	const session = ev.data.object.id;
	for (let i = 0; i < 2; i++) {
		const res = await postStripe(ev);
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(res.json, { received: true });
	}
	const again = checkoutCompleted(c.slug, { sessionId: session });
	assert.notEqual(again.id, ev.id);
	const res = await postStripe(again);
	assert.equal(res.status, 200, res.text);
	assert.deepEqual(await written(ev.id, session), { events: 1, orders: 1 });
	assert.equal(await outcomeOf(again.id), 'duplicate_session');
	const [[created]] = await sql('SELECT COUNT(*) FROM events WHERE type =' +
	    ` "order.created" AND org_id = ${Number(c.id)}`);
	assert.equal(created, '1');
	// Concurrent deliveries of one new event: still one order.
	const ev2 = checkoutCompleted(c.slug);
	const all = await Promise.all([1, 2, 3, 4].map(() => postStripe(ev2)));
	assert.deepEqual(all.map((r) => r.status), [200, 200, 200, 200]);
	assert.deepEqual(await written(ev2.id, ev2.data.object.id),
	    { events: 1, orders: 1 });
});

test('an unknown client, invalid items or another event type: 200, no order', async () => {
	const c = await newClient('stripe');
	const unknown = checkoutCompleted(`nobody-${hex(4)}`);
	let res = await postStripe(unknown);
	assert.equal(res.status, 200, res.text);
	assert.deepEqual(await written(unknown.id, unknown.data.object.id),
	    { events: 1, orders: 0 });
	assert.equal(await outcomeOf(unknown.id), 'unknown_client');

	const bad = [
		['not JSON', '[{'],
		['empty', '[]'],
		['a size that is none', JSON.stringify([{ productTitle: 'T',
		    productType: 'shirt', imageUrl: 'https://x.test/a.png',
		    size: 'XXL', quantity: 1, price: 1 }])],
		['quantity 0', JSON.stringify([{ productTitle: 'T',
		    productType: 'shirt', imageUrl: 'https://x.test/a.png',
		    size: 'M', quantity: 0, price: 1 }])],
		['not a URL', JSON.stringify([{ productTitle: 'T',
		    productType: 'poster', imageUrl: 'javascript:alert(1)',
		    size: 'M', quantity: 1, price: 1 }])],
	];
	for (const [name, items] of bad) {
		const ev = checkoutCompleted(c.slug);
		ev.data.object.metadata.items = items;
		res = await postStripe(ev);
		assert.equal(res.status, 200, `${name}: ${res.text}`);
		assert.deepEqual(await written(ev.id, ev.data.object.id),
		    { events: 1, orders: 0 }, name);
		assert.equal(await outcomeOf(ev.id), 'invalid_items', name);
	}

	const other = { id: `evt_${hex(8)}`, object: 'event',
	    type: 'payment_intent.succeeded', data: { object: { id: 'pi_1' } } };
	res = await postStripe(other);
	assert.equal(res.status, 200, res.text);
	assert.equal(await outcomeOf(other.id), 'ignored');
	const [[n]] = await sql('SELECT COUNT(*) FROM fulfill_orders WHERE ' +
	    `org_id = ${Number(c.id)}`);
	assert.equal(n, '0');
});

test('the address from collected_information, an unpaid session waits for its payment', async () => {
	const c = await newClient('stripe');
	const ev = checkoutCompleted(c.slug, { shipping: null, total: 1234567 });
	ev.data.object.collected_information = { shipping_details: {
	    name: 'Ana Lima', address: { line1: '1 Rua A', line2: 'Apt 2',
	    city: 'Lisboa', state: null, postal_code: '1000-001',
	    country: 'PT' } } };
	let res = await postStripe(ev);
	assert.equal(res.status, 200, res.text);
	const p = await c.api('GET', '/api/orders/pending');
	assert.deepEqual(p.json.orders[0].shippingAddress, { name: 'Ana Lima',
	    line1: '1 Rua A', line2: 'Apt 2', city: 'Lisboa', state: '',
	    postal_code: '1000-001', country: 'PT' });
	assert.equal(p.json.orders[0].total, 12345.67);

	// A delayed payment method: completed but unpaid, then paid.
	const unpaid = checkoutCompleted(c.slug);
	unpaid.data.object.payment_status = 'unpaid';
	res = await postStripe(unpaid);
	assert.equal(res.status, 200, res.text);
	assert.equal(await outcomeOf(unpaid.id), 'awaiting_payment');
	const session = unpaid.data.object.id;
	assert.deepEqual(await written(unpaid.id, session),
	    { events: 1, orders: 0 });
	const paid = checkoutCompleted(c.slug, { sessionId: session });
	paid.type = 'checkout.session.async_payment_succeeded';
	paid.data.object.payment_status = 'paid';
	res = await postStripe(paid);
	assert.equal(res.status, 200, res.text);
	assert.deepEqual(await written(paid.id, session),
	    { events: 1, orders: 1 });
});

test('a verified body that is not an event is 400 and writes nothing', async () => {
	for (const body of ['not json', '[]', '{"type":"x"}', '{"id":"evt_x"}']) {
		// Signed as Stripe would sign it: the raw text.
		const t = Math.floor(Date.now() / 1000);
		const v1 = createHmac('sha256', confValue('stripe_webhook_secret'))
		    .update(`${t}.${body}`).digest('hex');
		const res = await rawPost(body, `t=${t},v1=${v1}`);
		assert.equal(res.status, 400, `${body}: ${res.text}`);
	}
	const [[n]] = await sql('SELECT COUNT(*) FROM stripe_events WHERE ' +
	    'event_id = "evt_x"');
	assert.equal(n, '0');
});
