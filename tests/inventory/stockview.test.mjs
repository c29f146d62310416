// stockview.test.mjs - drafts of purchase orders from the forecast's
// reorder suggestions, POST /api/integrations/v1/orders/from-suggestions,
// over real HTTP: one organization with items, daily order history (the
// worker regenerates its predictions, polled for) and purchase orders
// with vendors, so that items have suppliers; then grouping per supplier
// (and the draft without a vendor), quantities (suggestions and
// overrides), idempotency, the order.created events, 422 when nothing is
// left, tenant isolation, and 400 naming the field. The inventory pages
// that show the same data are checked through the console.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newOrg, outbox, sql, until, rand } from '../cases/lib.mjs';

const V1 = '/api/integrations/v1';
const DRAFTS = `${V1}/orders/from-suggestions`;

let org;	// the organization with everything seeded
let other;	// another organization, with one item of its own
const item = {};	// tag -> the item's JSON
const suggestion = {};	// tag -> its suggestedReorderQty
let otherItem;

function day(daysAgo) {
	return new Date(Date.now() - daysAgo * 86400000).toISOString()
	    .slice(0, 10);
}

async function newItem(o, tag, fields) {
	const r = await o.api('POST', `${V1}/inventory/items`, {
		sku: `${tag}-${rand(3)}`, name: `Item ${tag}`, leadTimeDays: 7,
		...fields,
	});
	assert.equal(r.status, 201, r.text);
	return r.json.data;
}

async function order(vendorName, tags) {
	const body = { lines: tags.map((t) => ({ itemId: item[t].id,
	    quantity: 1 })) };
	if (vendorName)
		body.vendorName = vendorName;
	const r = await org.api('POST', `${V1}/orders`, body);
	assert.equal(r.status, 201, r.text);
}

// The first prediction period from today: the item's suggestion.
async function suggestionOf(id) {
	const today = day(0);
	const r = await org.api('GET', `${V1}/predictions?itemId=${id}&limit=200`);
	assert.equal(r.status, 200, r.text);
	const p = r.json.data.filter((x) => x.periodStart >= today)
	    .sort((a, b) => a.periodStart.localeCompare(b.periodStart))[0];
	return p ? p.suggestedReorderQty : undefined;
}

async function count(o, what) {
	const q = what === 'orders' ?
	    `SELECT COUNT(*) FROM purchase_orders WHERE org_id = ${Number(o.id)}` :
	    `SELECT COUNT(*) FROM events WHERE org_id = ${Number(o.id)}`;
	return Number((await sql(q))[0][0]);
}

async function state() {
	return [await count(org, 'orders'), await count(org, 'events'),
	    await count(other, 'orders'), await count(other, 'events')];
}

// A draft's lines as [tag, quantity, unitCost].
function lines(o) {
	return o.lines.map((l) => [Object.keys(item).find((t) =>
	    item[t].id === l.itemId), l.quantity, l.unitCost]);
}

before(async () => {
	org = await newOrg('sv');
	other = await newOrg('sv-other');
	// A1 and A2 come from Acme (A2 was last ordered there, after Bean
	// Co); B1 from Bean Co (a later order without a vendor says nothing
	// of who sells it); N1 was never ordered; R1 has plenty in stock (a
	// suggestion of 0); Z1 has no history (no suggestion); X1 is archived.
	item.A1 = await newItem(org, 'A1', { name: 'Oat milk', stockOnHand: 5,
	    unitCost: 2.5 });
	item.A2 = await newItem(org, 'A2', { name: 'Beans', unitCost: 12.0004 });
	item.B1 = await newItem(org, 'B1', { name: 'Cups', stockOnHand: 3 });
	item.N1 = await newItem(org, 'N1', { name: 'Napkins' });
	item.R1 = await newItem(org, 'R1', { name: 'Rich', stockOnHand: 1000000 });
	item.Z1 = await newItem(org, 'Z1', { name: 'Zero' });
	item.X1 = await newItem(org, 'X1', { name: 'Gone', archived: true });
	otherItem = await newItem(other, 'O1', { name: 'Theirs' });

	const daily = { A1: 10, A2: 6, B1: 4, N1: 3, R1: 5, X1: 2 };
	const history = [];
	for (let k = 28; k >= 1; k--)
		for (const [t, qty] of Object.entries(daily))
			history.push({ sku: item[t].sku, orderedQty: qty,
			    orderDate: day(k) });
	let r = await org.api('POST', `${V1}/ingestion/order-lines`,
	    { periodKind: 'DAY', lines: history });
	assert.equal(r.status, 201, r.text);
	r = await other.api('POST', `${V1}/ingestion/order-lines`,
	    { periodKind: 'DAY', lines: [1, 2, 3].map((k) => ({
	    sku: otherItem.sku, orderedQty: 9, orderDate: day(k) })) });
	assert.equal(r.status, 201, r.text);

	await order('Bean Co', ['A2']);
	await order('Acme', ['A1', 'A2']);
	await order('Bean Co', ['B1']);
	await order(null, ['B1']);

	await until(async () => {
		for (const t of Object.keys(daily))
			if ((suggestion[t] = await suggestionOf(item[t].id)) ===
			    undefined)
				return false;
		return true;
	}, 30000, 'the predictions of every item with history', 250);
	// The seeding is what the checks below rely on.
	for (const t of ['A1', 'A2', 'B1', 'N1', 'X1'])
		assert.ok(suggestion[t] > 0, `${t} suggests ${suggestion[t]}`);
	assert.equal(suggestion.R1, 0);
	assert.equal(await suggestionOf(item.Z1.id), undefined);
});

test('one draft per supplier, the items without one in a draft without ' +
    'a vendor, each as GET /orders/{id} shows it', async () => {
	const ordersBefore = await count(org, 'orders');
	const r = await org.api('POST', DRAFTS, {},
	    { 'idempotency-key': `all-${rand(4)}` });
	assert.equal(r.status, 201, r.text);
	const drafts = r.json.data.orders;

	assert.deepEqual(drafts.map((o) => [o.vendorName, o.status,
	    o.lineCount]), [['Acme', 'DRAFT', 2], ['Bean Co', 'DRAFT', 1],
	    [null, 'DRAFT', 1]]);
	assert.deepEqual(lines(drafts[0]), [['A1', suggestion.A1, 2.5],
	    ['A2', suggestion.A2, 12.0004]]);
	assert.deepEqual(lines(drafts[1]), [['B1', suggestion.B1, null]]);
	assert.deepEqual(lines(drafts[2]), [['N1', suggestion.N1, null]]);
	assert.equal(await count(org, 'orders'), ordersBefore + 3);
	for (const d of drafts) {
		const g = await org.api('GET', `${V1}/orders/${d.id}`);
		assert.equal(g.status, 200, g.text);
		assert.deepEqual(g.json.data, d);
		assert.match(d.notes, /reorder suggestions/);
	}
	// The drafts wait for the usual approval.
	const s = await org.api('POST', `${V1}/orders/${drafts[1].id}/status`,
	    { status: 'SUBMITTED' });
	assert.equal(s.status, 200, s.text);
});

test('order.created for each draft, in the outbox', async () => {
	const before = (await outbox(org, 'order.created')).length;
	const r = await org.api('POST', DRAFTS, { itemIds: [item.B1.id,
	    item.A1.id] });
	assert.equal(r.status, 201, r.text);
	const events = (await outbox(org, 'order.created')).slice(before);

	assert.deepEqual(events.map((e) => e.payload), r.json.data.orders.map(
	    (o) => ({ orderId: o.id, status: 'DRAFT', vendorName: o.vendorName,
	    lineCount: 1 })));
	assert.deepEqual(r.json.data.orders.map((o) => o.vendorName),
	    ['Acme', 'Bean Co']);
});

test('quantities override the suggestion; itemIds choose the items',
    async () => {
	let r = await org.api('POST', DRAFTS, { itemIds: [item.N1.id,
	    item.A1.id], quantities: { [item.A1.id]: 3.5 } });
	assert.equal(r.status, 201, r.text);
	assert.deepEqual(r.json.data.orders.map((o) => [o.vendorName,
	    lines(o)]), [['Acme', [['A1', 3.5, 2.5]]],
	    [null, [['N1', suggestion.N1, null]]]]);

	// A suggestion of 0 orders nothing unless a quantity is given.
	r = await org.api('POST', DRAFTS, { itemIds: [item.R1.id, item.A2.id],
	    quantities: { [item.R1.id]: 2 } });
	assert.equal(r.status, 201, r.text);
	assert.deepEqual(r.json.data.orders.map((o) => [o.vendorName,
	    lines(o)]), [['Acme', [['A2', suggestion.A2, 12.0004]]],
	    [null, [['R1', 2, null]]]]);

	// Without itemIds, quantities override every suggestion they name
	// and add the items that have none; archived items are left out.
	r = await org.api('POST', DRAFTS, { quantities: { [item.Z1.id]: 7,
	    [item.B1.id]: 0.0001 } });
	assert.equal(r.status, 201, r.text);
	assert.deepEqual(r.json.data.orders.map((o) => [o.vendorName,
	    lines(o)]), [
		['Acme', [['A1', suggestion.A1, 2.5],
		    ['A2', suggestion.A2, 12.0004]]],
		['Bean Co', [['B1', 0.0001, null]]],
		[null, [['N1', suggestion.N1, null], ['Z1', 7, null]]],
	]);
});

test('Idempotency-Key: the same request answers the same drafts, written ' +
    'once', async () => {
	const key = `idem-${rand(4)}`;
	const body = { itemIds: [item.A1.id, item.N1.id],
	    quantities: { [item.N1.id]: 4 } };
	const first = await org.api('POST', DRAFTS, body,
	    { 'idempotency-key': key });
	assert.equal(first.status, 201, first.text);
	const written = await state();

	const again = await org.api('POST', DRAFTS, body,
	    { 'idempotency-key': key });
	assert.equal(again.status, 201, again.text);
	assert.equal(again.text, first.text);
	assert.equal(again.headers.get('idempotent-replayed'), 'true');
	assert.deepEqual(await state(), written);

	const changed = await org.api('POST', DRAFTS, { itemIds: [item.A1.id] },
	    { 'idempotency-key': key });
	assert.equal(changed.status, 422, changed.text);
	assert.equal(changed.json.error.code, 'idempotency_key_reused');
	assert.deepEqual(await state(), written);
});

test('another organization\'s item is 404 and nothing is written',
    async () => {
	const written = await state();
	let r = await org.api('POST', DRAFTS, { itemIds: [item.A1.id,
	    otherItem.id] });
	assert.equal(r.status, 404, r.text);
	assert.equal(r.json.error.message,
	    `itemIds[1]: no inventory item ${otherItem.id}`);

	r = await org.api('POST', DRAFTS, { quantities: { [otherItem.id]: 1 } });
	assert.equal(r.status, 404, r.text);
	assert.equal(r.json.error.message,
	    `quantities.${otherItem.id}: no inventory item ${otherItem.id}`);

	r = await other.api('POST', DRAFTS, { itemIds: [item.A1.id] });
	assert.equal(r.status, 404, r.text);
	assert.deepEqual(await state(), written);

	// The other organization's own suggestion, and nothing of ours.
	r = await other.api('POST', DRAFTS, {});
	assert.equal(r.status, 201, r.text);
	assert.deepEqual(r.json.data.orders.map((o) => [o.vendorName,
	    o.lines.map((l) => l.itemId)]), [[null, [otherItem.id]]]);
});

test('422 when nothing is left to order', async () => {
	const written = await state();
	const r = await org.api('POST', DRAFTS, { itemIds: [item.R1.id,
	    item.Z1.id] });
	assert.equal(r.status, 422, r.text);
	assert.equal(r.json.error.code, 'nothing_to_order');
	assert.deepEqual(await state(), written);

	const empty = await newOrg('sv-empty');
	await newItem(empty, 'E1', { name: 'Never sold' });
	const e = await empty.api('POST', DRAFTS);	// no body: {}
	assert.equal(e.status, 422, e.text);
	assert.equal(e.json.error.code, 'nothing_to_order');
	assert.equal(await count(empty, 'orders'), 0);
});

test('400 names the field, and nothing is written', async () => {
	const a1 = item.A1.id;
	const cases = [
		['[]', 'body: '],
		['{"itemIds":', null],
		[{ itemIds: 'x' }, 'itemIds: '],
		[{ itemIds: [] }, 'itemIds: '],
		[{ itemIds: Array(501).fill(a1) }, 'itemIds: '],
		[{ itemIds: [a1, 7] }, 'itemIds[1]: '],
		[{ itemIds: [a1, ''] }, 'itemIds[1]: '],
		[{ itemIds: [a1, 'x'.repeat(65)] }, 'itemIds[1]: '],
		[{ itemIds: [a1, item.N1.id, a1] }, 'itemIds[2]: repeats itemIds[0]'],
		[{ quantities: [1] }, 'quantities: '],
		[{ quantities: { [a1]: 0 } }, `quantities.${a1}: `],
		[{ quantities: { [a1]: -2 } }, `quantities.${a1}: `],
		[{ quantities: { [a1]: '2' } }, `quantities.${a1}: `],
		[{ quantities: { [a1]: 1.00001 } }, `quantities.${a1}: `],
		[{ quantities: { [a1]: 1e12 } }, `quantities.${a1}: `],
		[{ itemIds: [a1], quantities: { [item.N1.id]: 1 } },
		    `quantities.${item.N1.id}: not one of itemIds`],
	];
	const written = await state();

	for (const [body, prefix] of cases) {
		const r = await org.api('POST', DRAFTS, body, typeof body ===
		    'string' ? { 'content-type': 'application/json' } : {});
		assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
		if (prefix)
			assert.ok(r.json.error.message.startsWith(prefix),
			    `${JSON.stringify(body)}: ${r.json.error.message}`);
	}
	assert.deepEqual(await state(), written);
});
