// catalog.test.mjs - one catalog (issue 13) over real HTTP: locations
// (/api/v1/locations), blueprints (/api/v1/blueprints: CRUD and every
// validation rule, 422 naming the field, nothing written), tenant
// isolation, crafting at a location (exact stock at each location, the
// item's total as the sum, the craft.completed row, optional
// ingredients, a 409 listing what is missing with nothing changed, a
// low-stock transition, Idempotency-Key), the item attributes of the
// Integrations API, and items without a SKU read through every path that
// shows one (API, events, purchase orders, predictions, console pages).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';

import { newOrg, sql, outbox, q, rand } from '../cases/lib.mjs';
import { fixture } from '../webhooks/stack.mjs';

const ITEMS = '/api/integrations/v1/inventory/items';
const BP = '/api/v1/blueprints';
const LOC = '/api/v1/locations';

let org;	// the organization most tests use
let other;	// another one, for isolation

async function newItem(o, name, fields = {}) {
	const r = await o.api('POST', ITEMS,
	    { sku: `${name.slice(0, 4)}-${rand(4)}`, name, ...fields });
	assert.equal(r.status, 201, r.text);
	return r.json.data;
}

async function itemOf(o, id) {
	const r = await o.api('GET', `${ITEMS}/${id}`);
	assert.equal(r.status, 200, r.text);
	return r.json.data;
}

async function newLocation(o, name) {
	const r = await o.api('POST', LOC, { name });
	assert.equal(r.status, 201, r.text);
	return r.json;
}

async function mainOf(o) {
	const r = await o.api('GET', LOC);
	assert.equal(r.status, 200, r.text);
	return r.json.data[0];
}

async function newBlueprint(o, body) {
	const r = await o.api('POST', BP, body);
	assert.equal(r.status, 201, r.text);
	return r.json;
}

// The quantity of item at location (0 when it has no row there).
async function stockAt(itemId, locId) {
	const rows = await sql('SELECT s.quantity FROM inventory_stock s' +
	    ' JOIN inventory_items i ON i.id = s.item_id' +
	    ' JOIN locations l ON l.id = s.location_id' +
	    ` WHERE i.public_id = ${q(itemId)} AND l.public_id = ${q(locId)}`);
	return rows.length ? Number(rows[0][0]) : 0;
}

// Everything a refused write must leave as it was, for organization o.
async function snapshot(o) {
	const id = Number(o.id);
	return JSON.stringify([
		await sql('SELECT public_id, stock_on_hand, stock_reserved,' +
		    ` updated_at FROM inventory_items WHERE org_id = ${id}` +
		    ' ORDER BY id'),
		await sql('SELECT item_id, location_id, quantity, reserved' +
		    ` FROM inventory_stock WHERE org_id = ${id}` +
		    ' ORDER BY item_id, location_id'),
		await sql(`SELECT COUNT(*) FROM events WHERE org_id = ${id}`),
		await sql('SELECT COUNT(*) FROM stock_adjustments' +
		    ` WHERE org_id = ${id}`),
		await sql('SELECT b.public_id, b.name, b.updated_at, COUNT(bi.position)' +
		    ' FROM blueprints b LEFT JOIN blueprint_ingredients bi' +
		    ` ON bi.blueprint_id = b.id WHERE b.org_id = ${id}` +
		    ' GROUP BY b.id ORDER BY b.id'),
	]);
}

before(async () => {
	org = await newOrg('cat');
	other = await newOrg('cat-other');
});

// --- locations ---------------------------------------------------------

test('locations: Main first, created ones after, 409 on a taken name, 422 naming the field', async () => {
	const o = await newOrg('loc');
	let r = await o.api('GET', LOC);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.data.length, 1);
	assert.equal(r.json.data[0].name, 'Main');
	assert.equal(r.json.data[0].is_default, true);
	assert.equal(r.json.nextCursor, null);
	const main = r.json.data[0];

	const back = await newLocation(o, 'Back room');
	assert.equal(back.name, 'Back room');
	assert.equal(back.is_default, false);
	assert.match(back.id, /^[0-9a-f-]{36}$/);
	const van = await newLocation(o, 'Van ☕');

	r = await o.api('POST', LOC, { name: 'back room' });
	assert.equal(r.status, 409, r.text);
	assert.match(r.json.detail, /^name: /);
	assert.ok(r.json.requestId);
	r = await o.api('POST', LOC, { name: 'Main' });
	assert.equal(r.status, 409, r.text);
	for (const [body, why] of [[{}, /^name: is required/],
	    [{ name: '' }, /^name: expected 1 to 255/],
	    [{ name: 'x'.repeat(256) }, /^name: expected 1 to 255/],
	    [{ name: 7 }, /^name: expected a string/]]) {
		r = await o.api('POST', LOC, body);
		assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
		assert.match(r.json.detail, why);
	}
	r = await o.api('POST', LOC, '{"name":');
	assert.equal(r.status, 400, r.text);

	// Pages of one: Main, Back room, Van, and no more.
	const seen = [];
	let cursor = null;
	do {
		r = await o.api('GET', `${LOC}?limit=1` +
		    (cursor ? `&cursor=${cursor}` : ''));
		assert.equal(r.status, 200, r.text);
		seen.push(...r.json.data.map((l) => l.id));
		cursor = r.json.nextCursor;
	} while (cursor);
	assert.deepEqual(seen, [main.id, back.id, van.id]);

	// Another organization sees only its own Main.
	r = await other.api('GET', LOC);
	assert.deepEqual(r.json.data.map((l) => l.name), ['Main']);
	r = await o.api('GET', LOC, undefined, { authorization: 'Bearer nope' });
	assert.equal(r.status, 401);
});

// --- blueprints: CRUD ----------------------------------------------------

test('blueprints: create, read, list with search, patch, delete', async () => {
	const ore = await newItem(org, 'Ore');
	const flux = await newItem(org, 'Flux');
	const plate = await newItem(org, 'Plate');
	const body = {
		name: 'Plate craft', description: 'Hammer it flat',
		category: 'Smithing', crafting_time_minutes: 15,
		output_item_id: plate.id, output_quantity: 2.5, is_public: true,
		blueprint_data: { ingredients: [
			{ item_id: ore.id, quantity: 3, optional: false },
			{ item_id: flux.id, quantity: 0.25, optional: true },
		] },
	};
	const bp = await newBlueprint(org, body);
	const { id, created_at: created, updated_at: updated, ...rest } = bp;
	assert.match(id, /^[0-9a-f-]{36}$/);
	assert.match(created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
	assert.equal(updated, created);
	assert.deepEqual(rest, body);
	// Quantities are JSON numbers without padding.
	let r = await org.api('GET', `${BP}/${id}`);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json, bp);
	assert.match(r.text, /"output_quantity":2\.5,/);
	assert.match(r.text, /"quantity":0\.25,/);

	// Defaults: crafting time 0, output 1, private, no description.
	const plain = await newBlueprint(org, { name: 'Plain plates',
	    output_item_id: plate.id, blueprint_data: { ingredients: [
	    { item_id: ore.id, quantity: 1 }] } });
	assert.equal(plain.crafting_time_minutes, 0);
	assert.equal(plain.output_quantity, 1);
	assert.equal(plain.is_public, false);
	assert.equal(plain.description, null);
	assert.equal(plain.category, null);
	assert.deepEqual(plain.blueprint_data.ingredients,
	    [{ item_id: ore.id, quantity: 1, optional: false }]);

	r = await org.api('GET', `${BP}?search=${encodeURIComponent('plate c')}`);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.data.map((b) => b.id), [id]);
	r = await org.api('GET', `${BP}?search=${encodeURIComponent('%')}`);
	assert.deepEqual(r.json.data, []);
	r = await org.api('GET', `${BP}?limit=1`);
	assert.equal(r.json.data.length, 1);
	assert.ok(r.json.nextCursor);
	r = await org.api('GET', `${BP}?limit=1&cursor=${r.json.nextCursor}`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.data.length, 1);

	// PATCH: the fields sent replace; the ingredients stay unless sent.
	r = await org.api('PATCH', `${BP}/${id}`, { name: 'Plate craft II',
	    description: null, crafting_time_minutes: 20 });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual({ ...r.json, updated_at: null }, { ...bp,
	    name: 'Plate craft II', description: null,
	    crafting_time_minutes: 20, updated_at: null });
	assert.ok(r.json.updated_at >= bp.updated_at);
	r = await org.api('PATCH', `${BP}/${id}`, { blueprint_data: {
	    ingredients: [{ item_id: flux.id, quantity: 4 }] },
	    output_quantity: 1, is_public: false });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.blueprint_data.ingredients,
	    [{ item_id: flux.id, quantity: 4, optional: false }]);
	assert.equal(r.json.output_quantity, 1);
	assert.equal(r.json.is_public, false);
	assert.equal(r.json.category, 'Smithing');
	const [[n]] = await sql('SELECT COUNT(*) FROM blueprint_ingredients bi' +
	    ' JOIN blueprints b ON b.id = bi.blueprint_id' +
	    ` WHERE b.public_id = ${q(id)}`);
	assert.equal(n, '1');

	r = await org.api('DELETE', `${BP}/${id}`);
	assert.equal(r.status, 204, r.text);
	assert.equal(r.text, '');
	r = await org.api('GET', `${BP}/${id}`);
	assert.equal(r.status, 404, r.text);
	assert.match(r.json.detail, /blueprint/);
	r = await org.api('DELETE', `${BP}/${id}`);
	assert.equal(r.status, 404, r.text);
	r = await org.api('PATCH', `${BP}/${id}`, { name: 'x' });
	assert.equal(r.status, 404, r.text);
	const [[left]] = await sql('SELECT COUNT(*) FROM blueprint_ingredients' +
	    ' WHERE blueprint_id NOT IN (SELECT id FROM blueprints)');
	assert.equal(left, '0');
});

// --- blueprints: every validation rule -------------------------------

test('blueprints: each invalid field is a 422 naming it, and nothing is written', async () => {
	const ore = await newItem(org, 'Vore');
	const out = await newItem(org, 'Vout');
	const theirs = await newItem(other, 'Theirs');
	const good = () => ({ name: 'Valid', crafting_time_minutes: 5,
	    output_item_id: out.id, output_quantity: 1, is_public: false,
	    blueprint_data: { ingredients: [
		{ item_id: ore.id, quantity: 2, optional: false },
		{ item_id: ore.id, quantity: 1, optional: true }] } });
	const with_ = (f) => { const b = good(); f(b); return b; };
	const ing = (i, f) => with_((b) => f(b.blueprint_data.ingredients[i]));
	const cases = [
		[with_((b) => delete b.name), 'name: is required'],
		[with_((b) => { b.name = ''; }), 'name: expected 1 to 255'],
		[with_((b) => { b.name = 'n'.repeat(256); }), 'name: expected 1 to 255'],
		[with_((b) => { b.name = 12; }), 'name: expected a string'],
		[with_((b) => { b.name = null; }), 'name: must not be null'],
		[with_((b) => { b.description = 5; }), 'description: expected a string'],
		[with_((b) => { b.category = 'c'.repeat(101); }), 'category: expected 0 to 100'],
		[with_((b) => { b.crafting_time_minutes = -1; }), 'crafting_time_minutes: must be between 0'],
		[with_((b) => { b.crafting_time_minutes = 1.5; }), 'crafting_time_minutes: expected an integer'],
		[with_((b) => { b.crafting_time_minutes = '15'; }), 'crafting_time_minutes: expected an integer'],
		[with_((b) => delete b.output_item_id), 'output_item_id: is required'],
		[with_((b) => { b.output_item_id = '01900000-0000-7000-8000-000000000000'; }), 'output_item_id: no such item'],
		[with_((b) => { b.output_item_id = theirs.id; }), 'output_item_id: no such item'],
		[with_((b) => { b.output_quantity = 0; }), 'output_quantity: must be between 0.0001'],
		[with_((b) => { b.output_quantity = -1; }), 'output_quantity: must be between 0.0001'],
		[with_((b) => { b.output_quantity = '1.0'; }), 'output_quantity: expected a number'],
		[with_((b) => { b.output_quantity = 0.00001; }), 'output_quantity: expected a number'],
		[with_((b) => { b.is_public = 'yes'; }), 'is_public: expected true or false'],
		[with_((b) => delete b.blueprint_data), 'blueprint_data: is required'],
		[with_((b) => { b.blueprint_data = []; }), 'blueprint_data: expected an object'],
		[with_((b) => { b.blueprint_data = {}; }), 'blueprint_data.ingredients: expected an array'],
		[with_((b) => { b.blueprint_data.ingredients = 'x'; }), 'blueprint_data.ingredients: expected an array'],
		[with_((b) => { b.blueprint_data.ingredients[1] = 5; }), 'blueprint_data.ingredients[1].: expected an object'],
		[ing(1, (i) => delete i.item_id), 'blueprint_data.ingredients[1].item_id: is required'],
		[ing(1, (i) => { i.item_id = theirs.id; }), 'blueprint_data.ingredients[1].item_id: no such item'],
		[ing(0, (i) => { i.item_id = 'not-an-id'; }), 'blueprint_data.ingredients[0].item_id: no such item'],
		[ing(0, (i) => { i.quantity = 0; }), 'blueprint_data.ingredients[0].quantity: must be between 0.0001'],
		[ing(0, (i) => { i.quantity = -2; }), 'blueprint_data.ingredients[0].quantity: must be between 0.0001'],
		[ing(0, (i) => delete i.quantity), 'blueprint_data.ingredients[0].quantity: is required'],
		[ing(0, (i) => { i.quantity = '2'; }), 'blueprint_data.ingredients[0].quantity: expected a number'],
		[ing(1, (i) => { i.optional = 'no'; }), 'blueprint_data.ingredients[1].optional: expected true or false'],
		[ing(1, (i) => { i.optional = null; }), 'blueprint_data.ingredients[1].optional: expected true or false'],
	];
	const before_ = await snapshot(org);
	for (const [body, detail] of cases) {
		const r = await org.api('POST', BP, body);
		assert.equal(r.status, 422, `${detail}: ${r.status} ${r.text}`);
		assert.ok(r.json.detail.startsWith(detail),
		    `${detail}: got ${r.json.detail}`);
		assert.ok(r.json.requestId);
	}
	// Another organization's item is "no such item", saying no more.
	const r1 = await org.api('POST', BP, with_((b) => {
		b.output_item_id = theirs.id; }));
	assert.equal(r1.json.detail, 'output_item_id: no such item');
	let r = await org.api('POST', BP, '{"name":"x",');
	assert.equal(r.status, 400, r.text);
	r = await org.api('POST', BP, '[1]');
	assert.equal(r.status, 400, r.text);
	assert.equal(await snapshot(org), before_);

	// The same rules on PATCH leave the stored blueprint as it was.
	const bp = await newBlueprint(org, good());
	const stored = await snapshot(org);
	for (const [body, detail] of [
		[{ name: '' }, 'name: expected 1 to 255'],
		[{ output_item_id: theirs.id }, 'output_item_id: no such item'],
		[{ output_item_id: null }, 'output_item_id: must not be null'],
		[{ blueprint_data: { ingredients: [{ item_id: ore.id,
		    quantity: 1 }, { item_id: theirs.id, quantity: 1 }] } },
		    'blueprint_data.ingredients[1].item_id: no such item'],
		[{ blueprint_data: null }, 'blueprint_data: must not be null'],
	]) {
		r = await org.api('PATCH', `${BP}/${bp.id}`, body);
		assert.equal(r.status, 422, `${detail}: ${r.text}`);
		assert.ok(r.json.detail.startsWith(detail), r.json.detail);
	}
	assert.equal(await snapshot(org), stored);
	r = await org.api('GET', `${BP}/${bp.id}`);
	assert.deepEqual(r.json, bp);
});

test('blueprints: another organization\'s blueprint is not found', async () => {
	const out = await newItem(org, 'Iso out');
	const bp = await newBlueprint(org, { name: 'Mine only',
	    output_item_id: out.id, blueprint_data: { ingredients: [] } });
	const before_ = await snapshot(org);
	for (const [method, path, body] of [
		['GET', `${BP}/${bp.id}`],
		['PATCH', `${BP}/${bp.id}`, { name: 'Stolen' }],
		['DELETE', `${BP}/${bp.id}`],
		['POST', `${BP}/${bp.id}/craft`, { quantity: 1 }],
	]) {
		const r = await other.api(method, path, body);
		assert.equal(r.status, 404, `${method} ${path}: ${r.text}`);
		assert.equal(r.json.detail, `no blueprint ${bp.id}`);
	}
	const r = await other.api('GET', `${BP}?search=Mine`);
	assert.deepEqual(r.json.data, []);
	assert.equal(await snapshot(org), before_);
	// And a location of another organization is not one to craft at.
	const theirLoc = await mainOf(other);
	const c = await org.api('POST', `${BP}/${bp.id}/craft`,
	    { quantity: 1, location_id: theirLoc.id });
	assert.equal(c.status, 422, c.text);
	assert.equal(c.json.detail, 'location_id: no such location');
	assert.equal(await snapshot(org), before_);
});

// --- crafting --------------------------------------------------------

test('crafting at a second location: exact stock there, totals as the sum, craft.completed', async () => {
	const o = await newOrg('craft');
	const main = await mainOf(o);
	const forge = await newLocation(o, 'Forge');
	const ore = await newItem(o, 'Ore', { stockOnHand: 10 });
	const flux = await newItem(o, 'Flux', { stockOnHand: 1 });
	const plate = await newItem(o, 'Plate');
	// Mining makes ore from nothing: how stock gets to the forge.
	const mine = await newBlueprint(o, { name: 'Mine', output_item_id: ore.id,
	    output_quantity: 5, blueprint_data: { ingredients: [] } });
	let r = await o.api('POST', `${BP}/${mine.id}/craft`,
	    { quantity: 2, location_id: forge.id });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json, { blueprint_id: mine.id, quantity: 2,
	    location_id: forge.id, consumed: [], skipped: [],
	    produced: { item_id: ore.id, quantity: 10 } });
	assert.equal(await stockAt(ore.id, forge.id), 10);
	assert.equal(await stockAt(ore.id, main.id), 10);
	assert.equal((await itemOf(o, ore.id)).stockOnHand, 20);

	const smith = await newBlueprint(o, { name: 'Smith plates',
	    output_item_id: plate.id, output_quantity: 2,
	    blueprint_data: { ingredients: [
		{ item_id: ore.id, quantity: 1.5 },
		{ item_id: flux.id, quantity: 0.5, optional: true },
		{ item_id: ore.id, quantity: 1.5 }] } });
	r = await o.api('POST', `${BP}/${smith.id}/craft`,
	    { quantity: 2, location_id: forge.id });
	assert.equal(r.status, 200, r.text);
	// Ore named twice is taken once (3 x 2); the flux is at Main only,
	// so the optional ingredient is skipped at the forge.
	assert.deepEqual(r.json, { blueprint_id: smith.id, quantity: 2,
	    location_id: forge.id,
	    consumed: [{ item_id: ore.id, quantity: 6, optional: false }],
	    skipped: [{ item_id: flux.id, required: 1, available: 0 }],
	    produced: { item_id: plate.id, quantity: 4 } });
	assert.equal(await stockAt(ore.id, forge.id), 4);
	assert.equal(await stockAt(ore.id, main.id), 10);
	assert.equal(await stockAt(plate.id, forge.id), 4);
	assert.equal(await stockAt(plate.id, main.id), 0);
	assert.equal(await stockAt(flux.id, main.id), 1);
	const [oreNow, plateNow, fluxNow] = [await itemOf(o, ore.id),
	    await itemOf(o, plate.id), await itemOf(o, flux.id)];
	assert.equal(oreNow.stockOnHand, 14);
	assert.equal(oreNow.stockReserved, 0);
	assert.equal(plateNow.stockOnHand, 4);
	assert.equal(fluxNow.stockOnHand, 1);

	// At Main (no location_id), where the flux is: consumed too.
	r = await o.api('POST', `${BP}/${smith.id}/craft`, { quantity: 1 });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.location_id, main.id);
	assert.deepEqual(r.json.consumed, [
		{ item_id: ore.id, quantity: 3, optional: false },
		{ item_id: flux.id, quantity: 0.5, optional: true }]);
	assert.deepEqual(r.json.skipped, []);
	assert.equal(await stockAt(ore.id, main.id), 7);
	assert.equal(await stockAt(flux.id, main.id), 0.5);
	assert.equal(await stockAt(plate.id, main.id), 2);
	assert.equal((await itemOf(o, plate.id)).stockOnHand, 6);
	assert.equal((await itemOf(o, ore.id)).stockOnHand, 11);

	const done = await outbox(o, 'craft.completed');
	assert.deepEqual(done.map((e) => e.payload), [
		{ blueprintId: mine.id, blueprintName: 'Mine',
		    outputItemId: ore.id, outputQuantity: 10, quantity: 2,
		    locationId: forge.id },
		{ blueprintId: smith.id, blueprintName: 'Smith plates',
		    outputItemId: plate.id, outputQuantity: 4, quantity: 2,
		    locationId: forge.id },
		{ blueprintId: smith.id, blueprintName: 'Smith plates',
		    outputItemId: plate.id, outputQuantity: 2, quantity: 1,
		    locationId: main.id },
	]);
	// Each change recorded at its location with source craft.
	const adj = await sql('SELECT i.public_id, l.public_id, a.delta,' +
	    ' a.stock_after, a.reason FROM stock_adjustments a' +
	    ' JOIN inventory_items i ON i.id = a.item_id' +
	    ' JOIN locations l ON l.id = a.location_id' +
	    ` WHERE a.org_id = ${Number(o.id)} AND a.source = 'craft'` +
	    ' ORDER BY a.id');
	assert.deepEqual(adj.map(([i, l, d, after]) => [i, l, Number(d),
	    Number(after)]), [
		[ore.id, forge.id, 10, 20],
		[ore.id, forge.id, -6, 14],
		[plate.id, forge.id, 4, 4],
		[ore.id, main.id, -3, 11],
		[flux.id, main.id, -0.5, 0.5],
		[plate.id, main.id, 2, 6],
	]);
	assert.equal(adj[1][4], `blueprint ${smith.id}`);
});

test('crafting short of stock: 409 with every missing ingredient, nothing changed', async () => {
	const o = await newOrg('short');
	const ore = await newItem(o, 'Ore', { stockOnHand: 10 });
	const coal = await newItem(o, 'Coal', { stockOnHand: 1 });
	const gem = await newItem(o, 'Gem', { stockOnHand: 50 });
	const alloy = await newItem(o, 'Alloy', { stockOnHand: 1 });
	const bp = await newBlueprint(o, { name: 'Alloy', output_item_id: alloy.id,
	    blueprint_data: { ingredients: [
		{ item_id: coal.id, quantity: 2 },
		{ item_id: gem.id, quantity: 1 },
		{ item_id: ore.id, quantity: 3 }] } });
	const before_ = await snapshot(o);
	const r = await o.api('POST', `${BP}/${bp.id}/craft`, { quantity: 5 });
	assert.equal(r.status, 409, r.text);
	assert.equal(r.json.detail, 'not enough stock at the location for ' +
	    'the required ingredients');
	assert.ok(r.json.requestId);
	// In the order of the items (ore was made first).
	assert.deepEqual(r.json.missing, [
		{ item_id: ore.id, required: 15, available: 10 },
		{ item_id: coal.id, required: 10, available: 1 }]);
	assert.equal(await snapshot(o), before_);
	assert.equal((await itemOf(o, gem.id)).stockOnHand, 50);
	assert.deepEqual(await outbox(o, 'craft.completed'), []);

	// Bad requests to craft, each a 422 naming the field.
	for (const [body, detail] of [
		[{}, 'quantity: is required'],
		[{ quantity: 0 }, 'quantity: must be between 0.0001'],
		[{ quantity: -1 }, 'quantity: must be between 0.0001'],
		[{ quantity: '2' }, 'quantity: expected a number'],
		[{ quantity: 1, location_id: 5 }, 'location_id: expected a string'],
		[{ quantity: 1, location_id: 'nowhere' }, 'location_id: no such location'],
	]) {
		const c = await o.api('POST', `${BP}/${bp.id}/craft`, body);
		assert.equal(c.status, 422, `${detail}: ${c.text}`);
		assert.ok(c.json.detail.startsWith(detail), c.json.detail);
	}
	assert.equal(await snapshot(o), before_);
	// quantity x an ingredient's quantity past four decimal places.
	const half = await newBlueprint(o, { name: 'Half', output_item_id: alloy.id,
	    blueprint_data: { ingredients: [{ item_id: gem.id, quantity: 1 },
	    { item_id: gem.id, quantity: 0.5 }] } });
	const before2 = await snapshot(o);
	let c = await o.api('POST', `${BP}/${half.id}/craft`,
	    { quantity: 0.0001 });
	assert.equal(c.status, 422, c.text);
	assert.equal(c.json.detail, 'quantity: quantity x blueprint_data.' +
	    'ingredients[1].quantity has more than 4 decimal places or is ' +
	    'too large');
	c = await o.api('POST', `${BP}/01900000-0000-7000-8000-000000000000/craft`,
	    { quantity: 1 });
	assert.equal(c.status, 404, c.text);
	assert.equal(await snapshot(o), before2);
});

test('crafting: reserved stock is not available, and an Idempotency-Key crafts once', async () => {
	const o = await newOrg('idem');
	const main = await mainOf(o);
	const wood = await newItem(o, 'Wood', { stockOnHand: 10 });
	const chair = await newItem(o, 'Chair');
	const bp = await newBlueprint(o, { name: 'Chair', output_item_id: chair.id,
	    blueprint_data: { ingredients: [{ item_id: wood.id, quantity: 4 }] } });
	// 4 of the 10 are reserved (as an inventory import sets them).
	await sql('UPDATE inventory_stock s JOIN inventory_items i' +
	    ' ON i.id = s.item_id SET s.reserved = 4, i.stock_reserved = 4' +
	    ` WHERE i.public_id = ${q(wood.id)}`);
	let r = await o.api('POST', `${BP}/${bp.id}/craft`, { quantity: 2 });
	assert.equal(r.status, 409, r.text);
	assert.deepEqual(r.json.missing,
	    [{ item_id: wood.id, required: 8, available: 6 }]);
	const h = { 'idempotency-key': `craft-${rand(6)}` };
	r = await o.api('POST', `${BP}/${bp.id}/craft`, { quantity: 1 }, h);
	assert.equal(r.status, 200, r.text);
	const again = await o.api('POST', `${BP}/${bp.id}/craft`,
	    { quantity: 1 }, h);
	assert.equal(again.status, 200, again.text);
	assert.deepEqual(again.json, r.json);
	assert.equal(await stockAt(wood.id, main.id), 6);
	assert.equal(await stockAt(chair.id, main.id), 1);
	const w = await itemOf(o, wood.id);
	assert.equal(w.stockOnHand, 6);
	assert.equal(w.stockReserved, 4);
	assert.equal((await outbox(o, 'craft.completed')).length, 1);
});

test('crafting that takes an ingredient to its threshold emits inventory.low_stock', async () => {
	const o = await newOrg('low');
	const gear = await newItem(o, 'Gear', { stockOnHand: 8,
	    lowStockThreshold: 5 });
	const clock = await newItem(o, 'Clock');
	const bp = await newBlueprint(o, { name: 'Clock', output_item_id: clock.id,
	    blueprint_data: { ingredients: [{ item_id: gear.id, quantity: 1 }] } });
	let r = await o.api('POST', `${BP}/${bp.id}/craft`, { quantity: 2 });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(await outbox(o, 'inventory.low_stock'), []);
	r = await o.api('POST', `${BP}/${bp.id}/craft`, { quantity: 2 });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual((await outbox(o, 'inventory.low_stock'))
	    .map((e) => e.payload), [{ itemId: gear.id, itemName: 'Gear',
	    sku: gear.sku, currentStock: 4 }]);
	// And to nothing: the stockout, with source craft.
	r = await o.api('POST', `${BP}/${bp.id}/craft`, { quantity: 4 });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual((await outbox(o, 'inventory.stockout'))
	    .map((e) => e.payload), [{ itemId: gear.id, sku: gear.sku,
	    previousStock: 4, nextStock: 0, source: 'craft' }]);
	assert.equal((await itemOf(o, clock.id)).stockOnHand, 8);
});

// --- the item attributes ----------------------------------------------

test('items carry description, subcategory, rarity, metadata and stockReserved', async () => {
	const it = await newItem(org, 'Quantum Drive');
	assert.equal(it.description, null);
	assert.equal(it.subcategory, null);
	assert.equal(it.rarity, null);
	assert.equal(it.metadata, null);
	assert.equal(it.stockReserved, 0);
	await sql('UPDATE inventory_items SET description = \'Q5 drive\',' +
	    ' subcategory = \'Quantum Drives\', rarity = \'Q5\',' +
	    ' metadata = \'{"volume": 1.5, "tags": ["a"]}\'' +
	    ` WHERE public_id = ${q(it.id)}`);
	const got = await itemOf(org, it.id);
	assert.equal(got.description, 'Q5 drive');
	assert.equal(got.subcategory, 'Quantum Drives');
	assert.equal(got.rarity, 'Q5');
	assert.deepEqual(got.metadata, { volume: 1.5, tags: ['a'] });
	const r = await org.api('GET', `${ITEMS}?search=Quantum`);
	assert.deepEqual(r.json.data.find((x) => x.id === it.id), got);
});

// --- items without a SKU ------------------------------------------------

test('an item without a SKU reads everywhere without a crash or "(null)"', async () => {
	const f = await fixture();
	const [[orgId]] = await sql('SELECT id FROM organizations WHERE slug = ' +
	    q(f.slug));
	const name = `Loose ore ${rand(3)}`;
	await sql('INSERT INTO inventory_items (public_id, org_id, sku, name,' +
	    ' unit, stock_on_hand, low_stock_threshold) VALUES' +
	    ` (UUID(), ${Number(orgId)}, NULL, ${q(name.replace(/ /g, '_'))},` +
	    ' \'each\', 0, 3)');
	const [[id]] = await sql('SELECT public_id FROM inventory_items' +
	    ` WHERE org_id = ${Number(orgId)} AND sku IS NULL`);
	const label = name.replace(/ /g, '_');
	const o = { id: orgId, api: f.api };

	let r = await f.api('GET', `/inventory/items/${id}`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.data.sku, null);
	assert.equal(r.json.data.name, label);
	r = await f.api('GET', `/inventory/items?search=${label}`);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.data.map((x) => [x.id, x.sku]), [[id, null]]);
	r = await f.api('GET', '/inventory/items?limit=200');
	assert.equal(r.json.data.filter((x) => x.sku === null).length, 1);

	// Adjustments: up, to the threshold, to nothing; the events say null.
	for (const [delta, next] of [[10, 10], [-8, 2], [-2, 0]]) {
		r = await f.api('POST', `/inventory/items/${id}/adjustments`,
		    { delta, reason: 'count' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.data.item.sku, null);
		assert.equal(r.json.data.nextStock, next);
	}
	const low = await outbox(o, 'inventory.low_stock');
	assert.deepEqual(low.map((e) => e.payload), [{ itemId: id,
	    itemName: label, sku: null, currentStock: 2 }]);
	const out = await outbox(o, 'inventory.stockout');
	assert.deepEqual(out.map((e) => e.payload), [{ itemId: id, sku: null,
	    previousStock: 2, nextStock: 0, source: 'adjustment' }]);
	r = await f.api('POST', `/inventory/items/${id}/adjustments`,
	    { delta: 5, reason: 'found more' });
	assert.equal(r.status, 200, r.text);

	// A purchase order with it, read back, submitted for approval.
	r = await f.api('POST', '/orders', { vendorName: 'Quarry',
	    lines: [{ itemId: id, quantity: 3 }] });
	assert.equal(r.status, 201, r.text);
	const order = r.json.data;
	assert.equal(order.lines[0].sku, null);
	assert.equal(order.lines[0].name, label);
	r = await f.api('GET', `/orders/${order.id}`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.data.lines[0].sku, null);
	r = await f.api('POST', `/orders/${order.id}/status`,
	    { status: 'SUBMITTED' });
	assert.equal(r.status, 200, r.text);

	// A prediction for it (as the worker writes them).
	await sql('INSERT INTO predictions (public_id, org_id, item_id,' +
	    ' period_kind, period_start, period_end, forecast_qty, lower_qty,' +
	    ' upper_qty, method, reorder_qty) SELECT UUID(), org_id, id,' +
	    ' \'DAY\', CURRENT_DATE, CURRENT_DATE, 2, 1, 3, \'naive_mean\', 4' +
	    ` FROM inventory_items WHERE public_id = ${q(id)}`);
	r = await f.api('GET', `/predictions?itemId=${id}`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.data.length, 1);
	assert.equal(r.json.data[0].sku, null);

	// The console: the inventory list, the item's page, the approvals.
	for (const path of ['/admin/inventory', `/admin/inventory?search=${label}`,
	    `/admin/inventory/${id}`, '/admin/approvals']) {
		r = await f.get(path);
		assert.equal(r.status, 200, `${path}: ${r.status}`);
		assert.ok(!r.text.includes('(null)'), `${path} says (null)`);
		assert.ok(r.text.includes(label), `${path} names the item`);
	}
	r = await f.get(`/admin/inventory?search=${label}`);
	assert.match(r.text, new RegExp(`<a href="/admin/inventory/${id}">No SKU</a>`));
	assert.match(r.text, new RegExp(`aria-label="Order ${label}"`));
	r = await f.get(`/admin/inventory/${id}`);
	assert.match(r.text, /<th scope="row">SKU<\/th><td>—<\/td>/);
});
