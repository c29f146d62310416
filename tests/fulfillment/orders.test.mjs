// orders.test.mjs - fulfillment orders against the running stack and the
// Printful stand-in: the pending lists and reads for both key kinds, the
// client's gate and the operator's (403 for the other kind and another
// client, 404, 409), exactly one submission to Printful under eight
// concurrent approvals, Printful failing (502, released with the reason),
// timing out (released after a lookup) or answering late (the lookup
// finds it: 200, never sent twice), a missing address (422, nothing
// sent), a claim left by a dead process resolved by the worker, usage
// counted once, the order.* events with source "fulfillment", and
// Printful's webhooks with their idempotency.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, newClient, adminKey, postStripe, checkoutCompleted,
    printfulRequests, printfulUrl, confValue, sql, q, until, rand }
    from './lib.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RECORD_KEYS = ['clientId', 'createdAt', 'customerEmail', 'id', 'items',
    'printfulOrderId', 'shippingAddress', 'status', 'statusNote',
    'stripePaymentIntentId', 'stripeSessionId', 'total', 'updatedAt'];

let adminP;
const admin = () => (adminP ??= adminKey());

// An order paid through Stripe for client c; its id.
async function paidOrder(c, opts = {}) {
	const ev = checkoutCompleted(c.slug, opts);
	const res = await postStripe(ev);
	assert.equal(res.status, 200, res.text);
	const rows = await sql('SELECT public_id FROM fulfill_orders WHERE ' +
	    `stripe_session_id = ${q(ev.data.object.id)}`);
	assert.equal(rows.length, 1, 'the Stripe event made no order');
	return rows[0][0];
}

// An order the client approved: waiting for the operator.
async function waitingOrder(c, opts) {
	const id = await paidOrder(c, opts);
	const res = await c.api('POST', `/api/orders/${id}/client-approve`);
	assert.equal(res.status, 200, res.text);
	return id;
}

async function row(id) {
	const [r] = await sql('SELECT status, IFNULL(status_note, "NULL"),' +
	    ' IFNULL(submit_state, "NULL"), IFNULL(printful_order_id, "NULL"),' +
	    ' updated_at FROM fulfill_orders WHERE public_id = ' + q(id));
	return { status: r[0], note: r[1], submit: r[2], printful: r[3],
	    updated: r[4] };
}

// The stand-in's POST /orders for one of our orders.
async function postsFor(id) {
	return (await printfulRequests()).filter((r) => r.method === 'POST' &&
	    r.path === '/orders' && r.body.includes(id));
}

async function lookupsFor(id) {
	return (await printfulRequests()).filter((r) => r.method === 'GET' &&
	    decodeURIComponent(r.path) === `/orders/@${id}`);
}

async function orderEvents(c, id) {
	const rows = await sql('SELECT type, JSON_VALUE(payload, "$.status"),' +
	    ' IFNULL(JSON_VALUE(payload, "$.previousStatus"), ""),' +
	    ' JSON_VALUE(payload, "$.source") FROM events WHERE org_id = ' +
	    `${Number(c.id)} AND type LIKE "order.%" AND JSON_VALUE(payload,` +
	    ` "$.orderId") = ${q(id)} ORDER BY id`);
	return rows.map((r) => r.join(' '));
}

async function usageCount(c, id) {
	const [[n]] = await sql('SELECT COUNT(*) FROM fulfill_usage_events ' +
	    `WHERE org_id = ${Number(c.id)} AND kind = "order_fulfilled" AND ` +
	    `ref_id = ${q(id)}`);
	return Number(n);
}

test('no key, a Bearer header or an unknown key is 401', async () => {
	const c = await newClient('orders');
	for (const [name, headers] of [['none', {}],
	    ['bearer', { authorization: `Bearer ${c.key}` }],
	    ['unknown', { 'x-api-key': 'fc_live_' + 'x'.repeat(40) }]]) {
		const res = await call(null, 'GET', '/api/orders/pending',
		    undefined, headers);
		assert.equal(res.status, 401, name);
	}
});

test('pending lists: the client its own, the operator every client\'s', async () => {
	const a = await newClient('orders');
	const b = await newClient('orders');
	const op = await admin();
	const a1 = await paidOrder(a);
	const b1 = await paidOrder(b);
	const a2 = await waitingOrder(a);
	const b2 = await waitingOrder(b);

	const pa = await a.api('GET', '/api/orders/pending');
	assert.equal(pa.status, 200, pa.text);
	assert.deepEqual(pa.json.orders.map((o) => o.id), [a1]);
	assert.equal(pa.json.count, 1);
	assert.deepEqual(Object.keys(pa.json.orders[0]).sort(), RECORD_KEYS);
	assert.deepEqual(Object.keys(pa.json).sort(), ['count', 'orders']);

	const po = await op.api('GET', '/api/orders/pending');
	assert.equal(po.status, 200, po.text);
	const ids = po.json.orders.map((o) => o.id);
	assert.ok(ids.includes(a2) && ids.includes(b2), 'both clients');
	assert.ok(!ids.includes(a1) && !ids.includes(b1), 'not the client\'s');
	assert.equal(po.json.count, po.json.orders.length);
	assert.ok(po.json.orders.every((o) =>
	    o.status === 'pending_admin_approval'));
	assert.equal(po.json.orders.find((o) => o.id === b2).clientId, b.slug);
});

test('reading orders: a client its own (another\'s is 404), the operator any', async () => {
	const a = await newClient('orders');
	const b = await newClient('orders');
	const op = await admin();
	const id = await paidOrder(a);
	const own = await a.api('GET', `/api/orders/${id}`);
	assert.equal(own.status, 200, own.text);
	assert.equal(own.json.id, id);
	assert.equal(own.json.clientId, a.slug);
	assert.equal((await b.api('GET', `/api/orders/${id}`)).status, 404);
	assert.equal((await op.api('GET', `/api/orders/${id}`)).status, 200);
	const none = await a.api('GET', '/api/orders/01890000-0000-7000-8000-' +
	    '000000000000');
	assert.equal(none.status, 404);
	assert.deepEqual(Object.keys(none.json).sort(), ['error', 'requestId']);

	// The list, by status, paged.
	const id2 = await waitingOrder(a);
	await paidOrder(b);
	let l = await a.api('GET', '/api/orders');
	assert.equal(l.status, 200, l.text);
	assert.deepEqual(l.json.orders.map((o) => o.id), [id, id2]);
	assert.equal(l.json.count, 2);
	assert.equal(l.json.nextCursor, null);
	l = await a.api('GET', '/api/orders?status=pending_admin_approval');
	assert.deepEqual(l.json.orders.map((o) => o.id), [id2]);
	l = await a.api('GET', '/api/orders?limit=1');
	assert.deepEqual(l.json.orders.map((o) => o.id), [id]);
	assert.equal(typeof l.json.nextCursor, 'string');
	l = await a.api('GET', `/api/orders?limit=1&cursor=${l.json.nextCursor}`);
	assert.deepEqual(l.json.orders.map((o) => o.id), [id2]);
	assert.equal(l.json.nextCursor, null);
	// The operator reads every client's, page by page.
	let seen = [];
	for (let cursor = ''; ;) {
		l = await op.api('GET', '/api/orders?status=' +
		    `pending_client_approval&limit=200${cursor}`);
		assert.equal(l.status, 200, l.text);
		seen = seen.concat(l.json.orders.map((o) => o.clientId));
		if (l.json.nextCursor === null)
			break;
		cursor = `&cursor=${l.json.nextCursor}`;
	}
	assert.ok(seen.includes(a.slug) && seen.includes(b.slug));
	for (const bad of ['status=paid', 'limit=0', 'limit=201', 'cursor=x'])
		assert.equal((await a.api('GET', `/api/orders?${bad}`)).status,
		    400, bad);
});

test('the client\'s gate: own orders only, once, with the note', async () => {
	const a = await newClient('orders');
	const b = await newClient('orders');
	const op = await admin();
	const id = await paidOrder(a);
	const before = await row(id);

	let res = await op.api('POST', `/api/orders/${id}/client-approve`);
	assert.equal(res.status, 403, res.text);
	res = await b.api('POST', `/api/orders/${id}/client-approve`);
	assert.equal(res.status, 403, res.text);
	res = await b.api('POST', `/api/orders/${id}/client-reject`);
	assert.equal(res.status, 403, res.text);
	assert.deepEqual(await row(id), before, 'refusals changed nothing');
	res = await a.api('POST', '/api/orders/01890000-0000-7000-8000-' +
	    '000000000000/client-approve');
	assert.equal(res.status, 404);
	res = await a.api('POST', `/api/orders/${id}/client-approve`,
	    { note: 42 });
	assert.equal(res.status, 400);
	assert.match(res.json.error, /^note: /);

	res = await a.api('POST', `/api/orders/${id}/client-approve`,
	    { note: 'Looks right' });
	assert.equal(res.status, 200, res.text);
	assert.deepEqual(res.json, { success: true, orderId: id,
	    status: 'pending_admin_approval' });
	const got = await a.api('GET', `/api/orders/${id}`);
	assert.equal(got.json.statusNote, 'Looks right');
	res = await a.api('POST', `/api/orders/${id}/client-approve`);
	assert.equal(res.status, 409, res.text);
	res = await a.api('POST', `/api/orders/${id}/client-reject`);
	assert.equal(res.status, 409, res.text);

	const id2 = await paidOrder(a);
	res = await a.api('POST', `/api/orders/${id2}/client-reject`,
	    { note: 'Customer cancelled' });
	assert.equal(res.status, 200, res.text);
	assert.deepEqual(res.json, { success: true, orderId: id2,
	    status: 'rejected_by_client' });
	assert.deepEqual({ ...(await row(id2)), updated: null },
	    { status: 'rejected_by_client', note: 'Customer cancelled',
	    submit: 'NULL', printful: 'NULL', updated: null });
	res = await a.api('POST', `/api/orders/${id2}/client-approve`);
	assert.equal(res.status, 409);
	assert.deepEqual(await orderEvents(a, id), [
	    'order.created pending_client_approval  fulfillment',
	    'order.status_changed pending_admin_approval ' +
	    'pending_client_approval fulfillment']);
});

test('the operator\'s gate: admin key only, from pending_admin_approval only', async () => {
	const a = await newClient('orders');
	const op = await admin();
	const early = await paidOrder(a);
	let res = await op.api('POST', `/api/orders/${early}/admin-approve`);
	assert.equal(res.status, 409, res.text);
	assert.equal((await postsFor(early)).length, 0);

	const id = await waitingOrder(a);
	const before = await row(id);
	for (const action of ['admin-approve', 'admin-reject']) {
		res = await a.api('POST', `/api/orders/${id}/${action}`);
		assert.equal(res.status, 403, `${action}: ${res.text}`);
	}
	assert.deepEqual(await row(id), before);
	assert.equal((await postsFor(id)).length, 0, 'nothing sent');
	res = await op.api('POST', '/api/orders/01890000-0000-7000-8000-' +
	    '000000000000/admin-approve');
	assert.equal(res.status, 404);

	res = await op.api('POST', `/api/orders/${id}/admin-reject`,
	    { note: 'Address looks fake' });
	assert.equal(res.status, 200, res.text);
	assert.deepEqual(res.json, { success: true, orderId: id,
	    status: 'rejected_by_admin' });
	assert.equal((await row(id)).note, 'Address looks fake');
	res = await op.api('POST', `/api/orders/${id}/admin-approve`);
	assert.equal(res.status, 409);
	assert.equal((await postsFor(id)).length, 0);
});

test('admin-approve submits once: the order, usage and events recorded', async () => {
	const a = await newClient('orders');
	const op = await admin();
	const id = await waitingOrder(a, { items: [
		{ productTitle: 'Punk Skull Tee', productType: 'shirt',
		  imageUrl: 'https://cdn.example.test/skull.png', size: 'L',
		  quantity: 2, price: 29.99 },
		{ productTitle: 'Gig Poster', productType: 'poster',
		  imageUrl: 'https://cdn.example.test/gig.png', size: 'M',
		  quantity: 1, price: 15 }], total: 7498 });
	const res = await op.api('POST', `/api/orders/${id}/admin-approve`);
	assert.equal(res.status, 200, res.text);
	const posts = await postsFor(id);
	assert.equal(posts.length, 1);
	assert.match(posts[0].query, /confirm=true/);
	assert.equal(posts[0].auth, 'Bearer pf-test-token');
	const sent = JSON.parse(posts[0].body);
	assert.deepEqual(sent, {
		external_id: id,
		recipient: { name: 'Jane Doe', address1: '123 Punk Ave',
		    city: 'Portland', state_code: 'OR', country_code: 'US',
		    zip: '97201', email: 'jane@example.test' },
		items: [
			{ variant_id: 4018, quantity: 2, retail_price: '29.99',
			  name: 'Punk Skull Tee',
			  files: [{ url: 'https://cdn.example.test/skull.png' }] },
			{ variant_id: 1, quantity: 1, retail_price: '15.00',
			  name: 'Gig Poster',
			  files: [{ url: 'https://cdn.example.test/gig.png' }] },
		],
	});
	assert.equal(typeof res.json.printfulOrderId, 'number');
	assert.deepEqual(res.json, { success: true, orderId: id,
	    status: 'submitted_to_printful',
	    printfulOrderId: res.json.printfulOrderId });
	assert.deepEqual({ ...(await row(id)), updated: null },
	    { status: 'submitted_to_printful', note: 'NULL',
	    submit: 'submitted', printful: String(res.json.printfulOrderId),
	    updated: null });
	const got = await a.api('GET', `/api/orders/${id}`);
	assert.equal(got.json.printfulOrderId, res.json.printfulOrderId);
	assert.equal(await usageCount(a, id), 1);
	assert.deepEqual((await orderEvents(a, id)).slice(2), [
	    'order.status_changed submitted_to_printful pending_admin_approval ' +
	    'fulfillment',
	    'order.fulfilled submitted_to_printful  fulfillment']);

	const again = await op.api('POST', `/api/orders/${id}/admin-approve`);
	assert.equal(again.status, 409, again.text);
	assert.equal((await postsFor(id)).length, 1);
	assert.equal(await usageCount(a, id), 1);
});

test('eight concurrent approvals: one 200, seven 409, one POST /orders', async () => {
	const a = await newClient('orders');
	const op = await admin();
	const id = await waitingOrder(a);
	const all = await Promise.all(Array.from({ length: 8 }, () =>
	    op.api('POST', `/api/orders/${id}/admin-approve`)));
	const codes = all.map((r) => r.status).sort();
	assert.deepEqual(codes, [200, 409, 409, 409, 409, 409, 409, 409],
	    all.map((r) => r.text).join('\n'));
	assert.equal((await postsFor(id)).length, 1);
	assert.equal(await usageCount(a, id), 1);
	assert.equal((await row(id)).status, 'submitted_to_printful');
});

test('no shipping address: 422 and nothing sent', async () => {
	const a = await newClient('orders');
	const op = await admin();
	const id = await waitingOrder(a, { shipping: null });
	const before = await row(id);
	const res = await op.api('POST', `/api/orders/${id}/admin-approve`);
	assert.equal(res.status, 422, res.text);
	assert.match(res.json.error, /^shippingAddress: /);
	assert.equal((await postsFor(id)).length, 0);
	assert.equal((await lookupsFor(id)).length, 0);
	assert.deepEqual(await row(id), before);
});

test('Printful failing: 502, the order back with the reason, retried later', async () => {
	const a = await newClient('orders');
	const op = await admin();
	const id = await waitingOrder(a, { shipping: { name: 'Jane [pf:fail]',
	    address: { line1: '1 Main St', city: 'Portland', state: 'OR',
	    postal_code: '97201', country: 'US' } } });
	const res = await op.api('POST', `/api/orders/${id}/admin-approve`);
	assert.equal(res.status, 502, res.text);
	assert.match(res.json.error, /Printful had a problem/);
	const r = await row(id);
	assert.equal(r.status, 'pending_admin_approval');
	assert.equal(r.submit, 'NULL', 'the claim was released');
	assert.match(r.note, /^Printful submission failed: .*Printful had a problem/);
	assert.equal((await postsFor(id)).length, 1);
	assert.equal(await usageCount(a, id), 0);
	// Still the operator's: it shows in the pending list with its reason.
	const p = await op.api('GET', '/api/orders/pending');
	assert.match(p.json.orders.find((o) => o.id === id).statusNote,
	    /Printful had a problem/);
	assert.deepEqual((await orderEvents(a, id)).slice(2), []);
});

test('a timeout is looked up first: gone is released, late is recorded once', async () => {
	const a = await newClient('orders');
	const op = await admin();
	const ship = (name) => ({ shipping: { name, address: { line1: '1 Main',
	    city: 'Portland', state: 'OR', postal_code: '97201',
	    country: 'US' } } });
	const hang = await waitingOrder(a, ship('Jane [pf:hang]'));
	const late = await waitingOrder(a, ship('Jane [pf:late]'));
	const t0 = Date.now();
	const [h, l] = await Promise.all([
	    op.api('POST', `/api/orders/${hang}/admin-approve`),
	    op.api('POST', `/api/orders/${late}/admin-approve`)]);
	const took = Date.now() - t0;
	assert.ok(took >= 14000 && took < 40000, `took ${took} ms`);

	assert.equal(h.status, 502, h.text);
	const rh = await row(hang);
	assert.equal(rh.status, 'pending_admin_approval');
	assert.equal(rh.submit, 'NULL');
	assert.match(rh.note, /^Printful submission failed: /);
	assert.equal((await lookupsFor(hang)).length, 1);

	assert.equal(l.status, 200, l.text);
	const found = await fetch(`${printfulUrl()}/orders/@${late}`, {
	    headers: { authorization: 'Bearer pf-test-token' } });
	const pf = (await found.json()).result;
	assert.equal(l.json.printfulOrderId, pf.id);
	assert.equal((await row(late)).status, 'submitted_to_printful');
	assert.equal((await postsFor(late)).length, 1, 'never sent twice');
	assert.equal((await postsFor(hang)).length, 1);
	assert.equal(await usageCount(a, late), 1);
	assert.equal(await usageCount(a, hang), 0);
});

test('a claim left by a dead process is resolved by the worker', async () => {
	const a = await newClient('orders');
	const gone = await waitingOrder(a);
	const there = await waitingOrder(a);
	// The second reached Printful before its process died.
	const put = await fetch(`${printfulUrl()}/orders?confirm=true`, {
	    method: 'POST', headers: { authorization: 'Bearer pf-test-token',
	    'content-type': 'application/json' },
	    body: JSON.stringify({ external_id: there, recipient: {
	    name: 'Jane', address1: '1 Main', city: 'Portland',
	    country_code: 'US' }, items: [{ variant_id: 4017, quantity: 1,
	    files: [{ url: 'https://cdn.example.test/a.png' }] }] }) });
	const pfId = (await put.json()).result.id;
	await sql('UPDATE fulfill_orders SET submit_state = "submitting",' +
	    ' submit_claimed_at = NOW(3) - INTERVAL 2 MINUTE,' +
	    ' admin_decided_by = "key:test" WHERE public_id IN ' +
	    `(${q(gone)}, ${q(there)})`);
	await until(async () => (await row(gone)).submit === 'NULL' &&
	    (await row(there)).submit === 'submitted', 30000,
	    'the worker to resolve both claims', 250);
	const rg = await row(gone);
	assert.equal(rg.status, 'pending_admin_approval');
	assert.match(rg.note, /approving process stopped/);
	const rt = await row(there);
	assert.equal(rt.status, 'submitted_to_printful');
	assert.equal(rt.printful, String(pfId));
	assert.equal(await usageCount(a, there), 1);
	assert.equal((await postsFor(gone)).length, 0);
	assert.equal((await postsFor(there)).length, 1, 'only the test\'s own');
	// A fresh claim (its process may still be running) is left alone.
	const fresh = await waitingOrder(a);
	await sql('UPDATE fulfill_orders SET submit_state = "submitting",' +
	    ` submit_claimed_at = NOW(3) WHERE public_id = ${q(fresh)}`);
	const op = await admin();
	const res = await op.api('POST', `/api/orders/${fresh}/admin-approve`);
	assert.equal(res.status, 409, res.text);
	assert.equal((await row(fresh)).submit, 'submitting');
	assert.equal((await lookupsFor(fresh)).length, 0);
});

// A Printful webhook about the order (external_id, and Printful's id).
function pfHook(type, id, pfId, data = {}) {
	return { type, created: Math.floor(Date.now() / 1000), retries: 0,
	    store: 1, data: { order: { id: pfId, external_id: id,
	    status: 'pending' }, ...data } };
}

const hookPath = () =>
    `/api/printful/webhook/${confValue('printful_webhook_token')}`;

test('Printful\'s webhooks move the order along, each once', async () => {
	const a = await newClient('orders');
	const op = await admin();
	const id = await waitingOrder(a);
	const ap = await op.api('POST', `/api/orders/${id}/admin-approve`);
	assert.equal(ap.status, 200, ap.text);
	const pfId = ap.json.printfulOrderId;
	const send = (body, path = hookPath()) =>
	    call(null, 'POST', path, body);

	// A wrong token is no such URL, and changes nothing.
	const before = await row(id);
	const inproc = pfHook('order_updated', id, pfId);
	inproc.data.order.status = 'inprocess';
	let res = await send(inproc, '/api/printful/webhook/wrong-token');
	assert.equal(res.status, 404, res.text);
	res = await send(inproc, `${hookPath()}x`);
	assert.equal(res.status, 404, res.text);
	assert.deepEqual(await row(id), before);

	res = await send(inproc);
	assert.equal(res.status, 200, res.text);
	assert.deepEqual(res.json, { received: true });
	assert.equal((await row(id)).status, 'in_production');
	const once = await row(id);
	res = await send(inproc);
	assert.equal(res.status, 200);
	assert.deepEqual(await row(id), once, 'a retry changes nothing');

	// Found by Printful's id alone too.
	const shipped = pfHook('package_shipped', undefined, pfId, {
	    shipment: { id: 10, carrier: 'USPS', service: 'First Class',
	    tracking_number: '9400100000000000000000',
	    tracking_url: 'https://tools.usps.com/go/TrackConfirmAction?' +
	    'tLabels=9400100000000000000000', ship_date: '2026-11-30' } });
	delete shipped.data.order.external_id;
	res = await send(shipped);
	assert.equal(res.status, 200, res.text);
	let got = await a.api('GET', `/api/orders/${id}`);
	assert.equal(got.json.status, 'shipped');
	assert.equal(got.json.trackingNumber, '9400100000000000000000');
	assert.equal(got.json.trackingUrl, shipped.data.shipment.tracking_url);
	const shippedRow = await row(id);
	res = await send(shipped);
	assert.equal(res.status, 200);
	assert.deepEqual(await row(id), shippedRow);
	// An in-process update after shipping does not move it back.
	res = await send(inproc);
	assert.equal((await row(id)).status, 'shipped');

	const failed = pfHook('order_failed', id, pfId,
	    { reason: 'Print file could not be downloaded' });
	res = await send(failed);
	assert.equal(res.status, 200, res.text);
	got = await a.api('GET', `/api/orders/${id}`);
	assert.equal(got.json.status, 'shipped', 'the status stays');
	assert.equal(got.json.statusNote, 'Printful failed the order: Print ' +
	    'file could not be downloaded');
	const failedRow = await row(id);
	res = await send(failed);
	assert.deepEqual(await row(id), failedRow);

	assert.deepEqual((await orderEvents(a, id)).slice(4), [
	    'order.status_changed in_production submitted_to_printful ' +
	    'fulfillment',
	    'order.status_changed shipped in_production fulfillment',
	    'order.status_changed shipped shipped fulfillment']);

	// Orders we do not have, and events of other kinds: acknowledged.
	res = await send(pfHook('package_shipped', `nope-${rand(4)}`, 1));
	assert.equal(res.status, 200, res.text);
	res = await send({ type: 'product_synced', data: { sync_product:
	    { id: 1 } } });
	assert.equal(res.status, 200, res.text);
	res = await send('not json');
	assert.equal(res.status, 400);
});

test('order_canceled before production leaves a note, the status stays', async () => {
	const a = await newClient('orders');
	const op = await admin();
	const id = await waitingOrder(a);
	const ap = await op.api('POST', `/api/orders/${id}/admin-approve`);
	assert.equal(ap.status, 200, ap.text);
	const res = await call(null, 'POST', hookPath(), pfHook('order_canceled',
	    id, ap.json.printfulOrderId, { reason: 'Canceled by the store' }));
	assert.equal(res.status, 200, res.text);
	const r = await row(id);
	assert.equal(r.status, 'submitted_to_printful');
	assert.equal(r.note, 'Printful canceled the order: Canceled by the store');
	// The same webhook before the order was submitted: no change.
	const early = await paidOrder(a);
	const before = await row(early);
	await call(null, 'POST', hookPath(), pfHook('package_shipped', early, 5,
	    { shipment: { tracking_number: '1', tracking_url: 'https://x.test' } }));
	assert.deepEqual(await row(early), before);
});
