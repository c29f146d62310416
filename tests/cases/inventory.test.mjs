// inventory.test.mjs - the inventory system of invoice cases over real
// HTTP: SKU mapping (vendor alias, global alias, direct match, new item),
// stock and unit cost through the one stock-change path, all lines or
// none, exact rollback, repeats and races, tenancy, the outbox, and the
// SKU alias API. Each test has an organization of its own (the family
// allows 100 requests a minute per organization).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
	newOrg, invoice, approvedCase, integrate, rollback, outbox, sql, q,
	rand,
} from './lib.mjs';

const ITEMS = '/api/integrations/v1/inventory/items';

// A line of qty x price (line_total to the cent, as cases require).
function line(sku, quantity, unitPrice, description = `Item ${sku}`) {
	return {
		sku, description, quantity, unit_price: unitPrice,
		line_total: Math.round(quantity * unitPrice * 100) / 100,
	};
}

function sku(tag = 'S') {
	return `${tag}-${rand(4).toUpperCase()}`;
}

// An inventory item made through the inventory API; its JSON.
async function newItem(org, fields) {
	const r = await org.api('POST', ITEMS, { name: `Item ${fields.sku}`,
	    ...fields });
	assert.equal(r.status, 201, r.text);
	return r.json.data;
}

// The item with exactly this SKU, read through the inventory API with
// the organization's key (archived ones too); null when none.
async function itemBySku(org, s) {
	const r = await org.api('GET', `${ITEMS}?search=${encodeURIComponent(s)}` +
	    '&includeArchived=true&limit=200');
	assert.equal(r.status, 200, r.text);
	return r.json.data.find((i) => i.sku === s) ?? null;
}

// The item row as stored: [stock, cost or 'NULL', archived, name].
async function itemRow(org, s) {
	const rows = await sql('SELECT stock_on_hand, IFNULL(unit_cost, \'NULL\'),' +
	    ' archived, name FROM inventory_items' +
	    ` WHERE org_id = ${Number(org.id)} AND sku = ${q(s)}`);
	return rows[0] ?? null;
}

// Everything the inventory system may write for org, to show a refused
// call changed nothing.
async function inventoryState(org) {
	const o = Number(org.id);
	return {
		items: await sql('SELECT sku, stock_on_hand, IFNULL(unit_cost, ' +
		    '\'NULL\'), archived FROM inventory_items' +
		    ` WHERE org_id = ${o} ORDER BY sku`),
		adjustments: await sql('SELECT COUNT(*) FROM stock_adjustments' +
		    ` WHERE org_id = ${o}`),
		moves: await sql('SELECT id, reversed_at IS NULL' +
		    ` FROM invoice_case_stock_moves WHERE org_id = ${o} ORDER BY id`),
	};
}

async function approved(org, lines, over = {}) {
	return approvedCase(org, invoice({ ...over, line_items: lines }));
}

async function alias(org, body) {
	const r = await org.api('POST', '/api/cases/sku-aliases', body);
	assert.equal(r.status, 201, r.text);
	return r.json;
}

test('an unknown SKU creates the item, through the stock-change path',
    async () => {
	const org = await newOrg('inv');
	const a = sku('NEW'), b = sku('NEW');
	const id = await approved(org, [line(a, 10, 100, 'Espresso beans 1kg'),
	    line(b, 4, 25.5, '')]);

	const r = await integrate(org, 'inventory', id);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json, { case_id: id, items_created: 2,
	    items_updated: 0, errors: [], status: 'success' });

	const ia = await itemBySku(org, a);
	assert.equal(ia.name, 'Espresso beans 1kg');
	assert.equal(ia.unit, 'each');
	assert.equal(ia.stockOnHand, 10);
	assert.equal(ia.unitCost, 100);
	assert.equal(ia.archived, false);
	const ib = await itemBySku(org, b);
	assert.equal(ib.name, b, 'an empty description names the item by SKU');
	assert.equal(ib.stockOnHand, 4);
	assert.equal(ib.unitCost, 25.5);

	// The stock went in as any stock change: recorded, with its events.
	const adj = await sql('SELECT delta, stock_after, source, reason' +
	    ' FROM stock_adjustments a JOIN inventory_items i ON i.id = a.item_id' +
	    ` WHERE a.org_id = ${Number(org.id)} ORDER BY a.id`);
	assert.deepEqual(adj, [
		['10.0000', '10.0000', 'invoice_case', `case ${id} line 1`],
		['4.0000', '4.0000', 'invoice_case', `case ${id} line 2`],
	]);
	const resolved = await outbox(org, 'inventory.stockout.resolved');
	assert.deepEqual(resolved.map((e) => [e.payload.sku,
	    e.payload.nextStock, e.payload.source]),
	    [[a, 10, 'invoice_case'], [b, 4, 'invoice_case']]);
});

test('an existing item gets the stock and the invoice price as unit cost;' +
    ' an archived one comes back', async () => {
	const org = await newOrg('inv');
	const a = sku('OLD'), b = sku('ARC');
	await newItem(org, { sku: a, stockOnHand: 5, unitCost: 80.1234,
	    lowStockThreshold: 2 });
	await newItem(org, { sku: b, stockOnHand: 0, unitCost: 3, archived: true });
	const id = await approved(org, [line(a, 10, 100), line(b, 2, 4.25)]);

	const r = await integrate(org, 'inventory', id);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.items_created, 0);
	assert.equal(r.json.items_updated, 2);
	assert.deepEqual(await itemRow(org, a),
	    ['15.0000', '100.0000', '0', `Item ${a}`]);
	assert.deepEqual(await itemRow(org, b),
	    ['2.0000', '4.2500', '0', `Item ${b}`]);
	const ia = await itemBySku(org, a);
	assert.equal(ia.stockOnHand, 15);
	assert.equal(ia.unitCost, 100);
	const moves = await sql('SELECT line_no, quantity, prev_cost, new_cost,' +
	    ' created_item, prev_archived FROM invoice_case_stock_moves' +
	    ` WHERE org_id = ${Number(org.id)} ORDER BY id`);
	assert.deepEqual(moves, [
		['1', '10.0000', '80.1234', '100.0000', '0', '0'],
		['2', '2.0000', '3.0000', '4.2500', '0', '1'],
	]);
});

test('a vendor alias beats a global alias, which beats a direct match',
    async () => {
	const org = await newOrg('inv');
	const vsku = sku('VS'), toVendor = sku('INTV'), toGlobal = sku('INTG');
	const toNamed = sku('INTN');
	const vendorId = `vendor-${rand(4)}`, namedId = `vendor-${rand(4)}`;
	const named = `Named ${rand(3)}`;
	for (const s of [vsku, toVendor, toGlobal, toNamed])
		await newItem(org, { sku: s, stockOnHand: 0 });
	// A payables vendor, so a case naming it (without vendor_id) uses
	// its aliases.
	await sql('INSERT INTO ap_vendors (public_id, org_id, name) VALUES' +
	    ` (${q(namedId)}, ${Number(org.id)}, '${named}')`);
	const global = await alias(org, { vendor_sku: vsku,
	    internal_sku: toGlobal, vendor_id: null });
	await alias(org, { vendor_sku: vsku, internal_sku: toVendor,
	    vendor_id: vendorId });
	await alias(org, { vendor_sku: vsku, internal_sku: toNamed,
	    vendor_id: namedId });

	const stocks = async () => Promise.all([vsku, toVendor, toGlobal,
	    toNamed].map(async (s) => (await itemRow(org, s))[0]));
	const post = async (lines, over) => {
		const r = await integrate(org, 'inventory',
		    await approved(org, lines, over));
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.items_updated, 1);
		assert.equal(r.json.items_created, 0);
	};

	await post([line(vsku, 1, 1)], { vendor_id: vendorId,
	    vendor_name: 'Whatever Name' });
	assert.deepEqual(await stocks(),
	    ['0.0000', '1.0000', '0.0000', '0.0000'], 'vendor alias by vendor_id');
	await post([line(vsku, 2, 1)], { vendor_name: named });
	assert.deepEqual(await stocks(),
	    ['0.0000', '1.0000', '0.0000', '2.0000'], 'vendor alias by name');
	await post([line(vsku, 3, 1)], { vendor_name: `Other ${rand(3)}` });
	assert.deepEqual(await stocks(),
	    ['0.0000', '1.0000', '3.0000', '2.0000'], 'global alias');
	await post([line(vsku, 3, 1)], { vendor_id: `vendor-${rand(4)}` });
	assert.deepEqual(await stocks(),
	    ['0.0000', '1.0000', '6.0000', '2.0000'],
	    'another vendor falls back to the global alias');
	const d = await org.api('DELETE', `/api/cases/sku-aliases/${global.alias_id}`);
	assert.equal(d.status, 204, d.text);
	await post([line(vsku, 4, 1)], { vendor_name: `Other ${rand(3)}` });
	assert.deepEqual(await stocks(),
	    ['4.0000', '1.0000', '6.0000', '2.0000'], 'direct match');
});

test('an alias to a missing internal SKU refuses the whole case and' +
    ' changes nothing', async () => {
	const org = await newOrg('inv');
	const known = sku('OK'), fresh = sku('FRESH'), gone = sku('GONE');
	const vgone = sku('VGONE'), missing = sku('MISSING');
	const vendorId = `vendor-${rand(4)}`;
	await newItem(org, { sku: known, stockOnHand: 7, unitCost: 1.5 });
	await alias(org, { vendor_sku: gone, internal_sku: missing });
	await alias(org, { vendor_sku: vgone, internal_sku: `${missing}-V`,
	    vendor_id: vendorId });
	// Lines that would post (an update and a create) around two that
	// cannot: nothing at all may be written.
	const id = await approved(org, [line(known, 1, 2), line(gone, 2, 3),
	    line(fresh, 3, 4), line(vgone, 1, 1)], { vendor_id: vendorId });
	const before = await inventoryState(org);

	const r = await integrate(org, 'inventory', id);
	assert.equal(r.status, 422, r.text);
	assert.deepEqual(r.json, {
		case_id: id, items_created: 0, items_updated: 0,
		errors: [`SKU ${gone}: Mapping not found`,
		    `SKU ${vgone}: Mapping not found`],
		status: 'failed', error_code: 'SKU_MAPPING_NOT_FOUND',
	});
	assert.deepEqual(await inventoryState(org), before);
	assert.equal(await itemBySku(org, fresh), null);
	const c = await org.api('GET', `/api/cases/${id}`);
	assert.equal(c.json.integrations.inventory.state, 'failed');
	assert.equal(c.json.integrations.inventory.error_code,
	    'SKU_MAPPING_NOT_FOUND');
	const failed = await outbox(org, 'integration.failed');
	assert.equal(failed.length, 1);
	assert.equal(failed[0].payload.error_code, 'SKU_MAPPING_NOT_FOUND');
	assert.equal(await outbox(org, 'integration.inventory.success')
	    .then((e) => e.length), 0);

	// Once the internal SKUs exist, the same case posts.
	await newItem(org, { sku: missing });
	await newItem(org, { sku: `${missing}-V` });
	const again = await integrate(org, 'inventory', id);
	assert.equal(again.status, 200, again.text);
	assert.equal(again.json.items_created, 1);
	assert.equal(again.json.items_updated, 3);
	assert.equal((await itemRow(org, missing))[0], '2.0000');
	assert.equal((await itemRow(org, `${missing}-V`))[0], '1.0000');
});

test('a second integration is ALREADY_INTEGRATED and posts nothing; the' +
    ' success event carries the counts', async () => {
	const org = await newOrg('inv');
	const a = sku('A');
	await newItem(org, { sku: a, stockOnHand: 1 });
	const id = await approved(org, [line(a, 2, 1), line(sku('B'), 1, 1)]);
	const r = await integrate(org, 'inventory', id, { tenant_id: org.slug });
	assert.equal(r.status, 200, r.text);
	const before = await inventoryState(org);

	const again = await integrate(org, 'inventory', id);
	assert.equal(again.status, 409, again.text);
	assert.equal(again.json.error.code, 'ALREADY_INTEGRATED');
	assert.deepEqual(await inventoryState(org), before);

	const ev = await outbox(org, 'integration.inventory.success');
	assert.equal(ev.length, 1);
	assert.deepEqual(ev[0].payload, { case_id: id, items_created: 1,
	    items_updated: 1 });
});

test('rollback restores stock and cost exactly, archives created items,' +
    ' and the case can be posted again', async () => {
	const org = await newOrg('inv');
	const a = sku('A'), b = sku('B'), n = sku('N');
	await newItem(org, { sku: a, stockOnHand: 5, unitCost: 80.1234 });
	await newItem(org, { sku: b, stockOnHand: 1 });	// no cost yet
	// Two lines of one existing SKU and two of one new SKU.
	const id = await approved(org, [line(a, 3, 10), line(n, 1, 5),
	    line(a, 2, 12), line(b, 1.5, 2), line(n, 4, 6)]);
	const original = await inventoryState(org);

	const r = await integrate(org, 'inventory', id);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.items_created, 1);
	assert.equal(r.json.items_updated, 2);
	assert.deepEqual(await itemRow(org, a), ['10.0000', '12.0000', '0',
	    `Item ${a}`]);
	assert.deepEqual(await itemRow(org, b), ['2.5000', '2.0000', '0',
	    `Item ${b}`]);
	assert.deepEqual(await itemRow(org, n), ['5.0000', '6.0000', '0',
	    `Item ${n}`]);

	const rb = await rollback(org, id, ['inventory']);
	assert.equal(rb.status, 200, rb.text);
	assert.deepEqual(rb.json, { case_id: id,
	    rollback_status: { inventory: 'success' }, status: 'rolled_back' });
	assert.deepEqual(await itemRow(org, a), ['5.0000', '80.1234', '0',
	    `Item ${a}`]);
	assert.deepEqual(await itemRow(org, b), ['1.0000', 'NULL', '0',
	    `Item ${b}`]);
	assert.deepEqual(await itemRow(org, n), ['0.0000', 'NULL', '1',
	    `Item ${n}`], 'the item the case created is archived');
	const after = await inventoryState(org);
	assert.deepEqual(after.items.filter(([s]) => s !== n), original.items);
	assert.ok(after.moves.every(([, live]) => live === '0'));
	const back = await sql('SELECT delta, source, reason FROM stock_adjustments' +
	    ` WHERE org_id = ${Number(org.id)} AND delta < 0 ORDER BY id`);
	assert.deepEqual(back.map(([d]) => d),
	    ['-4.0000', '-1.5000', '-2.0000', '-1.0000', '-3.0000'],
	    'newest line first');
	assert.ok(back.every(([, s]) => s === 'invoice_case'));
	assert.equal((await outbox(org, 'integration.rolled_back')).length, 1);

	const second = await rollback(org, id, ['inventory']);
	assert.equal(second.status, 200, second.text);
	assert.equal(second.json.rollback_status.inventory, 'not_integrated');
	assert.deepEqual(await inventoryState(org), after);

	// Posted again: the archived item is found by its SKU and unarchived.
	const re = await integrate(org, 'inventory', id);
	assert.equal(re.status, 200, re.text);
	assert.equal(re.json.items_created, 0);
	assert.equal(re.json.items_updated, 3);
	assert.deepEqual(await itemRow(org, n), ['5.0000', '6.0000', '0',
	    `Item ${n}`]);
	assert.deepEqual(await itemRow(org, a), ['10.0000', '12.0000', '0',
	    `Item ${a}`]);
	const rb2 = await rollback(org, id, ['inventory']);
	assert.equal(rb2.json.rollback_status.inventory, 'success');
	assert.deepEqual(await itemRow(org, n), ['0.0000', 'NULL', '1',
	    `Item ${n}`], 'archived again, as it was before this posting');
	assert.deepEqual(await itemRow(org, a), ['5.0000', '80.1234', '0',
	    `Item ${a}`]);
});

test('rollback of stock used since is INSUFFICIENT_STOCK and changes nothing',
    async () => {
	const org = await newOrg('inv');
	const a = sku('A'), used = sku('USED');
	await newItem(org, { sku: a, stockOnHand: 1, unitCost: 9 });
	const id = await approved(org, [line(used, 10, 2), line(a, 1, 3)]);
	assert.equal((await integrate(org, 'inventory', id)).status, 200);
	const item = await itemBySku(org, used);
	const adj = await org.api('POST', `${ITEMS}/${item.id}/adjustments`,
	    { delta: -8, reason: 'sold' });
	assert.equal(adj.status, 200, adj.text);
	const before = await inventoryState(org);

	const rb = await rollback(org, id, ['inventory']);
	assert.equal(rb.status, 200, rb.text);
	assert.deepEqual(rb.json, { case_id: id,
	    rollback_status: { inventory: 'INSUFFICIENT_STOCK' },
	    status: 'failed' });
	// Line 2 (rolled back first) was undone and then undone again: all
	// or nothing per system.
	assert.deepEqual(await inventoryState(org), before);
	assert.deepEqual(await itemRow(org, a), ['2.0000', '3.0000', '0',
	    `Item ${a}`]);
	const c = await org.api('GET', `/api/cases/${id}`);
	assert.equal(c.json.integrations.inventory.state, 'integrated');
	const last = c.json.audit_log.at(-1);
	assert.equal(last.result, 'INSUFFICIENT_STOCK');
	assert.match(last.detail, new RegExp(`SKU ${used}: only 2 in stock`));
	assert.equal((await outbox(org, 'integration.rolled_back')).length, 0);
});

test('8 concurrent identical integrations post once', async () => {
	const org = await newOrg('inv');
	const a = sku('A'), n = sku('N');
	await newItem(org, { sku: a, stockOnHand: 1 });
	const id = await approved(org, [line(a, 5, 2), line(n, 3, 1)]);

	const answers = await Promise.all(Array.from({ length: 8 },
	    () => integrate(org, 'inventory', id)));
	const statuses = answers.map((x) => x.status).sort();
	assert.deepEqual(statuses, [200, 409, 409, 409, 409, 409, 409, 409],
	    answers.map((x) => x.text).join('\n'));
	for (const x of answers.filter((y) => y.status === 409))
		assert.equal(x.json.error.code, 'ALREADY_INTEGRATED');
	assert.equal((await itemRow(org, a))[0], '6.0000');
	assert.equal((await itemRow(org, n))[0], '3.0000');
	const o = Number(org.id);
	assert.deepEqual(await sql('SELECT COUNT(*) FROM invoice_case_stock_moves' +
	    ` WHERE org_id = ${o}`), [['2']]);
	assert.deepEqual(await sql('SELECT COUNT(*) FROM stock_adjustments' +
	    ` WHERE org_id = ${o} AND source = 'invoice_case'`), [['2']]);
	assert.equal((await outbox(org, 'integration.inventory.success')).length,
	    1);
});

test('tenants: another organization\'s key sees no case, and a foreign' +
    ' tenant_id is refused', async () => {
	const [org, other] = await Promise.all([newOrg('inv'), newOrg('inv')]);
	const a = sku('A');
	const id = await approved(org, [line(a, 1, 1)]);
	const before = await inventoryState(org);

	const foreign = await integrate(other, 'inventory', id);
	assert.equal(foreign.status, 404, foreign.text);
	assert.equal(foreign.json.error.code, 'CASE_NOT_FOUND');
	const mismatch = await integrate(org, 'inventory', id,
	    { tenant_id: other.slug });
	assert.equal(mismatch.status, 403, mismatch.text);
	const rb = await rollback(other, id, ['inventory']);
	assert.equal(rb.status, 404, rb.text);
	assert.deepEqual(await inventoryState(org), before);
	assert.deepEqual(await inventoryState(other),
	    { items: [], adjustments: [['0']], moves: [] });

	// Another organization's aliases neither show nor map, nor delete.
	const theirs = await alias(other, { vendor_sku: a,
	    internal_sku: 'THEIRS' });
	const list = await org.api('GET', '/api/cases/sku-aliases');
	assert.deepEqual(list.json, { data: [], nextCursor: null });
	const del = await org.api('DELETE',
	    `/api/cases/sku-aliases/${theirs.alias_id}`);
	assert.equal(del.status, 404, del.text);
	assert.equal(del.json.error.code, 'ALIAS_NOT_FOUND');
	const ok = await integrate(org, 'inventory', id, { tenant_id: org.slug });
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.json.items_created, 1, 'their alias did not apply');
	assert.equal((await itemRow(org, a))[0], '1.0000');
	assert.equal((await other.api('GET', '/api/cases/sku-aliases'))
	    .json.data.length, 1);
});

test('SKU aliases: create, list by vendor with a cursor, duplicates,' +
    ' delete, validation', async () => {
	const org = await newOrg('inv');
	const api = (m, p, b) => org.api(m, `/api/cases/sku-aliases${p}`, b);

	const g = await api('POST', '', { vendor_sku: 'ACME-001',
	    internal_sku: 'PROD-001', vendor_id: null });
	assert.equal(g.status, 201, g.text);
	assert.match(g.json.alias_id, /^alias-[0-9a-f-]{36}$/);
	assert.match(g.json.created_at, /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
	assert.deepEqual({ ...g.json, alias_id: 0, created_at: 0 },
	    { alias_id: 0, vendor_sku: 'ACME-001', internal_sku: 'PROD-001',
	    vendor_id: null, created_at: 0 });
	const v1 = await api('POST', '', { vendor_sku: 'ACME-001',
	    internal_sku: 'PROD-002', vendor_id: 'vendor-456' });
	assert.equal(v1.status, 201, v1.text);
	assert.equal(v1.json.vendor_id, 'vendor-456');
	const v2 = await api('POST', '', { vendor_sku: 'ACME-002',
	    internal_sku: 'PROD-003', vendor_id: 'vendor-456' });
	assert.equal(v2.status, 201, v2.text);
	const absent = await api('POST', '', { vendor_sku: 'ACME-003',
	    internal_sku: 'PROD-001' });
	assert.equal(absent.status, 201, absent.text);
	assert.equal(absent.json.vendor_id, null, 'no vendor_id: global');

	for (const body of [
		{ vendor_sku: 'ACME-001', internal_sku: 'X', vendor_id: null },
		{ vendor_sku: 'ACME-001', internal_sku: 'Y',
		    vendor_id: 'vendor-456' },
	]) {
		const dup = await api('POST', '', body);
		assert.equal(dup.status, 409, dup.text);
		assert.equal(dup.json.error.code, 'DUPLICATE_ALIAS');
	}

	const all = await api('GET', '');
	assert.equal(all.status, 200, all.text);
	assert.deepEqual(all.json.data.map((x) => x.alias_id),
	    [g.json.alias_id, v1.json.alias_id, v2.json.alias_id,
	    absent.json.alias_id]);
	assert.deepEqual(all.json.data[1], v1.json);
	const p1 = await api('GET', '?vendor_id=vendor-456&limit=1');
	assert.deepEqual(p1.json.data, [v1.json]);
	assert.ok(p1.json.nextCursor);
	const p2 = await api('GET', '?vendor_id=vendor-456&limit=1&cursor=' +
	    encodeURIComponent(p1.json.nextCursor));
	assert.deepEqual(p2.json, { data: [v2.json], nextCursor: null });
	assert.deepEqual((await api('GET', '?vendor_id=vendor-nobody')).json,
	    { data: [], nextCursor: null });

	const del = await api('DELETE', `/${v1.json.alias_id}`);
	assert.equal(del.status, 204, del.text);
	assert.equal(del.text, '');
	const gone = await api('DELETE', `/${v1.json.alias_id}`);
	assert.equal(gone.status, 404, gone.text);
	assert.equal((await api('DELETE', '/alias-nope')).status, 404);
	// The scope is free again.
	assert.equal((await api('POST', '', { vendor_sku: 'ACME-001',
	    internal_sku: 'PROD-009', vendor_id: 'vendor-456' })).status, 201);

	const long = (n) => 'x'.repeat(n);
	for (const [body, field] of [
		[{ internal_sku: 'P' }, 'vendor_sku'],
		[{ vendor_sku: '', internal_sku: 'P' }, 'vendor_sku'],
		[{ vendor_sku: long(129), internal_sku: 'P' }, 'vendor_sku'],
		[{ vendor_sku: 'V' }, 'internal_sku'],
		[{ vendor_sku: 'V', internal_sku: 7 }, 'internal_sku'],
		[{ vendor_sku: 'V', internal_sku: long(129) }, 'internal_sku'],
		[{ vendor_sku: 'V', internal_sku: 'P', vendor_id: '' }, 'vendor_id'],
		[{ vendor_sku: 'V', internal_sku: 'P', vendor_id: long(65) },
		    'vendor_id'],
		[{ vendor_sku: 'V', internal_sku: 'P', vendor_id: 456 }, 'vendor_id'],
	]) {
		const bad = await api('POST', '', body);
		assert.equal(bad.status, 400, `${JSON.stringify(body)}: ${bad.text}`);
		assert.ok(bad.json.error.message.startsWith(`${field}:`),
		    bad.json.error.message);
	}
	const ok128 = await api('POST', '', { vendor_sku: long(128),
	    internal_sku: long(128), vendor_id: long(64) });
	assert.equal(ok128.status, 201, ok128.text);
	const badQuery = await api('GET', '?vendor_id=');
	assert.equal(badQuery.status, 400, badQuery.text);
	assert.match(badQuery.json.error.message, /^vendor_id:/);
	assert.equal((await api('GET', '')).json.data.length, 5);
});

// Stock is DECIMAL(18,4): a line that would push an item past what the
// column holds is refused for good (no retry will fit it), naming its
// line, and nothing of the case is posted. The item's stock is set near
// the limit as root: no request could add that much in one go.
test('a line that would pass the stock column\'s range refuses the case' +
    ' (STOCK_OUT_OF_RANGE), changing nothing', async () => {
	const org = await newOrg('inv');
	const full = sku('FULL'), fresh = sku('FRESH');
	await newItem(org, { sku: full, stockOnHand: 1 });
	await sql('UPDATE inventory_items SET stock_on_hand =' +
	    ` 99999999999998.0000 WHERE org_id = ${Number(org.id)}` +
	    ` AND sku = ${q(full)}`);
	const id = await approved(org, [line(fresh, 1, 2), line(full, 5, 1)]);
	const before = await inventoryState(org);

	const r = await integrate(org, 'inventory', id);
	assert.equal(r.status, 422, r.text);
	assert.equal(r.json.error_code, 'STOCK_OUT_OF_RANGE');
	assert.equal(r.json.status, 'failed');
	assert.match(JSON.stringify(r.json), /line 2: the item's stock would pass/, r.text);
	assert.deepEqual(await inventoryState(org), before);
	assert.equal(await itemBySku(org, fresh), null);
});
