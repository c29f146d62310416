// importexport.test.mjs - CSV/JSON import and export (issue 13) over real
// HTTP: exports of items, inventory and blueprints in both formats (exact
// columns, CRLF, numbers without padding, compact JSON), round trips that
// come back byte-identical, the CSV edge cases (quoted comma and newline,
// "", BOM, CRLF and LF, another column order, blank lines counted), every
// validation rule with its row_number and field, update_existing both
// ways, dry runs that write nothing, tenant isolation, the 400s, 413s and
// 415, a 20,000-row import (timed), the category filter, and the memory
// of a FastCGI process exporting 1,000 and 100,000 items.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

import { newOrg, sql, q, env, rand } from '../cases/lib.mjs';

const IE = '/api/v1/import-export';
const ITEMS_HEAD = 'id,name,description,category,subcategory,rarity,metadata';
const STOCK_HEAD = 'item_id,location_id,quantity,reserved_quantity';
const BP_HEAD = 'id,name,description,category,crafting_time_minutes,' +
    'output_item_id,output_quantity,is_public,blueprint_data';

let org;	// most tests
let other;	// another organization, for isolation

// POST a file as multipart/form-data: name is the file's name; update
// and dry are sent when given (booleans or words).
async function upload(o, kind, content, { name = `${kind}.csv`, update,
    dry, key } = {}) {
	const fd = new FormData();

	fd.append('file', new Blob([content]), name);
	if (update !== undefined)
		fd.append('update_existing', String(update));
	if (dry !== undefined)
		fd.append('dry_run', String(dry));
	const res = await fetch(`${env.base}${IE}/${kind}/import`, {
		method: 'POST', body: fd,
		headers: { authorization: `Bearer ${key ?? o.key}` },
	});
	const text = await res.text();
	let json = null;

	try {
		json = JSON.parse(text);
	} catch {
		/* not JSON */
	}
	return { status: res.status, text, json, headers: res.headers };
}

async function importOk(o, kind, content, opts) {
	const r = await upload(o, kind, content, opts);
	assert.equal(r.status, 200, r.text);
	return r.json;
}

async function download(o, file) {
	const res = await fetch(`${env.base}${IE}/${file}`,
	    { headers: { authorization: `Bearer ${o.key}` } });
	const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
	return { status: res.status, text, headers: res.headers };
}

async function exported(o, file) {
	const r = await download(o, file);
	assert.equal(r.status, 200, r.text);
	return r.text;
}

async function count(table, o) {
	const [[n]] = await sql(`SELECT COUNT(*) FROM ${table}` +
	    ` WHERE org_id = ${Number(o.id)}`);
	return Number(n);
}

async function itemRow(id) {
	const rows = await sql('SELECT name, description, category,' +
	    ' subcategory, rarity, metadata, org_id FROM inventory_items' +
	    ` WHERE public_id = ${q(id)}`);
	return rows[0];
}

async function mainOf(o) {
	const r = await o.api('GET', '/api/v1/locations');
	assert.equal(r.status, 200, r.text);
	return r.json.data[0].id;
}

async function newLocation(o, name) {
	const r = await o.api('POST', '/api/v1/locations', { name });
	assert.equal(r.status, 201, r.text);
	return r.json.id;
}

// Items named names in o (by import), their ids in the same order.
async function items(o, ...names) {
	const csv = 'name\n' + names.map((n) => `"${n}"`).join('\n') + '\n';
	const r = await importOk(o, 'items', csv);
	assert.equal(r.imported_count, names.length, JSON.stringify(r));
	const ids = [];
	for (const n of names) {
		const rows = await sql('SELECT public_id FROM inventory_items' +
		    ` WHERE org_id = ${Number(o.id)} AND name = '${n}'` +
		    ' ORDER BY id DESC LIMIT 1');
		ids.push(rows[0][0]);
	}
	return ids;
}

function uuid() {
	const h = [...Array(32)].map(() =>
	    '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-` +
	    `a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// The errors as "row field: message" lines, for exact comparisons.
function errs(r) {
	return r.errors.map((e) => `${e.row_number} ${e.field}: ${e.message}`);
}

before(async () => {
	org = await newOrg('ie');
	other = await newOrg('ie-other');
});

// --- exports and round trips ---------------------------------------------

const EDGE_CSV =
    `${ITEMS_HEAD}\r\n` +
    ',"Comma, Inc",plain,Parts,Sub,Q1,"{""a"":[1,2.50,""x,y""],""b"":null}"\r\n' +
    ',"Quote ""Q"" Item","He said ""hi""",Parts,,,\r\n' +
    ',Multi,"line one\r\nline two\nline three",,,,\r\n' +
    ',Ünïcødé ☕, spaced ,Tools,,,{}\r\n';

test('items: CSV edge cases read exactly, and export CSV and JSON as the contract lists them', async () => {
	const o = await newOrg('ie-edge');
	const r = await importOk(o, 'items', EDGE_CSV);
	assert.deepEqual(r, { success: true, imported_count: 4,
	    failed_count: 0, errors: [] });
	const d = await download(o, 'items.csv');
	assert.equal(d.status, 200);
	assert.equal(d.headers.get('content-type'), 'text/csv; charset=utf-8');
	assert.equal(d.headers.get('content-disposition'),
	    'attachment; filename="items.csv"');
	const rows = await sql('SELECT public_id FROM inventory_items WHERE' +
	    ` org_id = ${Number(o.id)} ORDER BY id`);
	const [a, b, c, e] = rows.map((x) => x[0]);
	assert.equal(d.text, `${ITEMS_HEAD}\r\n` +
	    `${a},"Comma, Inc",plain,Parts,Sub,Q1,"{""a"":[1,2.50,""x,y""],""b"":null}"\r\n` +
	    `${b},"Quote ""Q"" Item","He said ""hi""",Parts,,,\r\n` +
	    `${c},Multi,"line one\r\nline two\nline three",,,,\r\n` +
	    `${e},Ünïcødé ☕, spaced ,Tools,,,{}\r\n`);
	const j = await download(o, 'items.json');
	assert.equal(j.headers.get('content-type'), 'application/json');
	assert.equal(j.headers.get('content-disposition'),
	    'attachment; filename="items.json"');
	assert.equal(j.text, '[\n' +
	    `{"id":"${a}","name":"Comma, Inc","description":"plain","category":"Parts","subcategory":"Sub","rarity":"Q1","metadata":{"a":[1,2.50,"x,y"],"b":null}},\n` +
	    `{"id":"${b}","name":"Quote \\"Q\\" Item","description":"He said \\"hi\\"","category":"Parts","subcategory":null,"rarity":null,"metadata":null},\n` +
	    `{"id":"${c}","name":"Multi","description":"line one\\r\\nline two\\nline three","category":null,"subcategory":null,"rarity":null,"metadata":null},\n` +
	    `{"id":"${e}","name":"Ünïcødé ☕","description":" spaced ","category":"Tools","subcategory":null,"rarity":null,"metadata":{}}\n` +
	    ']\n');
	assert.deepEqual(await itemRow(b), ['Quote "Q" Item', 'He said "hi"',
	    'Parts', 'NULL', 'NULL', 'NULL', String(o.id)]);
	// An organization with no items: the header, or an empty array.
	const none = await newOrg('ie-none');
	assert.equal(await exported(none, 'items.csv'), `${ITEMS_HEAD}\r\n`);
	assert.equal(await exported(none, 'items.json'), '[]\n');
	assert.equal(await exported(none, 'inventory.csv'), `${STOCK_HEAD}\r\n`);
	assert.equal(await exported(none, 'blueprints.json'), '[]\n');
});

test('items: export -> import (update_existing) -> export is byte-identical, CSV and JSON', async () => {
	const o = await newOrg('ie-rt');
	await importOk(o, 'items', EDGE_CSV);
	for (const f of ['items.csv', 'items.json']) {
		const first = await exported(o, f);
		const r = await importOk(o, 'items', first,
		    { name: f, update: true });
		assert.deepEqual(r, { success: true, imported_count: 4,
		    failed_count: 0, errors: [] }, f);
		assert.equal(await count('inventory_items', o), 4, f);
		assert.equal(await exported(o, f), first, f);
	}
	// The other format's file reads back as the same rows too.
	const csv = await exported(o, 'items.csv');
	await importOk(o, 'items', await exported(o, 'items.json'),
	    { name: 'x.json', update: true });
	assert.equal(await exported(o, 'items.csv'), csv);
});

test('inventory: export CSV and JSON with unpadded numbers, round trip byte-identical', async () => {
	const o = await newOrg('ie-inv');
	const [a, b] = await items(o, 'Bolt', 'Nut');
	const main = await mainOf(o);
	const back = await newLocation(o, 'Back room');
	const r = await importOk(o, 'inventory', `${STOCK_HEAD}\n` +
	    `${a},${main},100.0,10.0\n${a},${back},1.5000,0\n` +
	    `${b},${back},0.0001,0.0001\n`);
	assert.deepEqual(r, { success: true, imported_count: 3,
	    failed_count: 0, errors: [] });
	const [[aid]] = await sql('SELECT id FROM inventory_items WHERE' +
	    ` public_id = ${q(a)}`);
	const [[bid]] = await sql('SELECT id FROM inventory_items WHERE' +
	    ` public_id = ${q(b)}`);
	const first = Number(aid) < Number(bid) ?
	    [[a, main, '100', '10'], [a, back, '1.5', '0'],
	    [b, back, '0.0001', '0.0001']] : null;
	assert.ok(first);
	const csv = await exported(o, 'inventory.csv');
	assert.equal(csv, `${STOCK_HEAD}\r\n` +
	    first.map((x) => x.join(',')).join('\r\n') + '\r\n');
	const json = await exported(o, 'inventory.json');
	assert.equal(json, '[\n' + first.map(([i, l, n, rs]) =>
	    `{"item_id":"${i}","location_id":"${l}","quantity":${n},` +
	    `"reserved_quantity":${rs}}`).join(',\n') + '\n]\n');
	// The item's total is the sum of its locations; the change is
	// recorded as the import's.
	assert.deepEqual(await sql('SELECT stock_on_hand, stock_reserved FROM' +
	    ` inventory_items WHERE public_id = ${q(a)}`),
	    [['101.5000', '10.0000']]);
	assert.deepEqual(await sql('SELECT source, delta FROM' +
	    ' stock_adjustments a JOIN inventory_items i ON i.id = a.item_id' +
	    ` WHERE i.public_id = ${q(a)} ORDER BY a.id`),
	    [['import', '100.0000'], ['import', '1.5000']]);
	for (const [f, text] of [['inventory.csv', csv], ['inventory.json',
	    json]]) {
		const again = await importOk(o, 'inventory', text,
		    { name: f, update: true });
		assert.equal(again.imported_count, 3, f);
		assert.equal(await exported(o, f), text, f);
	}
	assert.equal(await count('stock_adjustments', o), 3,
	    'setting the same stock again records no change');
});

test('blueprints: export CSV and JSON, round trip byte-identical', async () => {
	const o = await newOrg('ie-bp');
	const [out, x, y] = await items(o, 'Drive', 'Coil', 'Lens');
	const data = JSON.stringify({ ingredients: [
	    { item_id: x, quantity: 2.0, optional: false },
	    { item_id: y, quantity: '0.5', optional: true }] });
	const csvIn = `${BP_HEAD}\n` +
	    `,Drive Craft,"Makes one, fast",Crafting,15,${out},1.0,false,` +
	    `"${data.replaceAll('"', '""')}"\n` +
	    `,Lens Kit,,,0,${y},2.5,TRUE,"{""ingredients"":[]}"\n`;
	const r = await importOk(o, 'blueprints', csvIn);
	assert.deepEqual(r, { success: true, imported_count: 2,
	    failed_count: 0, errors: [] });
	const ids = (await sql('SELECT public_id FROM blueprints WHERE' +
	    ` org_id = ${Number(o.id)} ORDER BY id`)).map((x) => x[0]);
	const bd = `{"ingredients":[{"item_id":"${x}","quantity":2,` +
	    `"optional":false},{"item_id":"${y}","quantity":0.5,` +
	    '"optional":true}]}';
	const csv = await exported(o, 'blueprints.csv');
	assert.equal(csv, `${BP_HEAD}\r\n` +
	    `${ids[0]},Drive Craft,"Makes one, fast",Crafting,15,${out},1,` +
	    `false,"${bd.replaceAll('"', '""')}"\r\n` +
	    `${ids[1]},Lens Kit,,,0,${y},2.5,true,` +
	    '"{""ingredients"":[]}"\r\n');
	const json = await exported(o, 'blueprints.json');
	assert.equal(json, '[\n' +
	    `{"id":"${ids[0]}","name":"Drive Craft","description":"Makes one, fast","category":"Crafting","crafting_time_minutes":15,"output_item_id":"${out}","output_quantity":1,"is_public":false,"blueprint_data":${bd}},\n` +
	    `{"id":"${ids[1]}","name":"Lens Kit","description":null,"category":null,"crafting_time_minutes":0,"output_item_id":"${y}","output_quantity":2.5,"is_public":true,"blueprint_data":{"ingredients":[]}}\n` +
	    ']\n');
	for (const [f, text] of [['blueprints.csv', csv], ['blueprints.json',
	    json]]) {
		const again = await importOk(o, 'blueprints', text,
		    { name: f, update: true });
		assert.equal(again.imported_count, 2, f);
		assert.equal(await exported(o, f), text, f);
	}
	assert.equal(await count('blueprints', o), 2);
	// The API reads what the import wrote.
	const api = await o.api('GET', `/api/v1/blueprints/${ids[0]}`);
	assert.equal(api.status, 200, api.text);
	assert.equal(api.json.blueprint_data.ingredients.length, 2);
});

// --- CSV reading ------------------------------------------------------------

test('CSV: BOM, LF or CRLF, another column order, unknown columns, blank lines and quoted newlines in row numbers', async () => {
	const o = await newOrg('ie-csv');
	// BOM + LF + columns in another order + a column it does not know.
	let r = await importOk(o, 'items', '\ufeffnotes,rarity,name,Category\n' +
	    'ignored,Q2,Alpha,Tools\n"x, y",,Beta,\n');
	assert.equal(r.imported_count, 2);
	assert.deepEqual(await sql('SELECT name, category, rarity FROM' +
	    ` inventory_items WHERE org_id = ${Number(o.id)} ORDER BY id`),
	    [['Alpha', 'Tools', 'Q2'], ['Beta', 'NULL', 'NULL']]);
	// Rows are spreadsheet rows: the header is 1, a blank line counts,
	// a quoted newline stays inside its row.
	r = await importOk(o, 'items', 'name,description\r\n' +
	    'Gamma,"two\r\nlines"\r\n\r\n,no name\r\nDelta,\r\n,"x\ny"\r\n');
	assert.deepEqual(errs(r), ['4 name: name is required',
	    '6 name: name is required']);
	assert.equal(r.imported_count, 2);
	assert.equal(r.failed_count, 2);
	assert.equal(r.success, false);
	// A file with no extension is told by its content.
	r = await importOk(o, 'items', '  [{"name":"Epsilon"}]',
	    { name: 'upload' });
	assert.equal(r.imported_count, 1);
	r = await importOk(o, 'items', 'name\nZeta\n', { name: 'upload' });
	assert.equal(r.imported_count, 1);
});

test('400: a file that cannot be read at all, naming why; nothing written', async () => {
	const o = await newOrg('ie-400');
	const cases = [
		['items', 'name\nok\n\xff\n', 'items.csv', null,
		    /^file: not valid UTF-8/],
		['items', '[{"name":"a"},', 'items.json', null,
		    /^file: not valid JSON: malformed JSON at byte 14/],
		['items', '{"name":"a"}', 'items.json', null,
		    /^file: expected a JSON array of objects$/],
		['items', '', 'items.csv', null, /^file: no header row/],
		['items', '\r\n\r\n', 'items.csv', null, /^file: no header row/],
		['items', 'id,description\n,x\n', 'items.csv', null,
		    /^file: the header has no column name, which is required/],
		['inventory', 'item_id,location_id,quantity\n', 'x.csv', null,
		    /^file: the header has no column reserved_quantity/],
		['blueprints', 'name,output_item_id\n', 'x.csv', null,
		    /^file: the header has no column crafting_time_minutes/],
		['items', 'name\nok\nbad "quote"\n', 'items.csv', null,
		    /^file: malformed CSV at row 3/],
		['items', 'name\n"never closed\n', 'items.csv', null,
		    /^file: malformed CSV: a quoted field opened at or before row 2/],
		['items', 'name,NAME\nx,y\n', 'items.csv', null,
		    /^file: the header names the column name twice$/],
		['items', 'name\nx\n', 'items.csv', 'maybe',
		    /^update_existing: expected true or false$/],
	];
	for (const [kind, body, name, update, why] of cases) {
		const r = await upload(o, kind, Buffer.from(body, 'latin1'),
		    { name, update: update ?? undefined });
		assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
		assert.match(r.json.detail, why, JSON.stringify(body));
		assert.ok(r.json.requestId);
	}
	assert.equal(await count('inventory_items', o), 0);
	// No file part, or not multipart at all.
	const fd = new FormData();
	fd.append('dry_run', 'true');
	let res = await fetch(`${env.base}${IE}/items/import`, { method: 'POST',
	    body: fd, headers: { authorization: `Bearer ${o.key}` } });
	assert.equal(res.status, 400);
	assert.match((await res.json()).detail, /^file: is required/);
	let r = await o.api('POST', `${IE}/items/import`, [{ name: 'x' }]);
	assert.equal(r.status, 415, r.text);
	assert.match(r.json.detail, /^Content-Type: expected multipart\/form-data/);
	r = await o.api('POST', `${IE}/items/import`, 'x',
	    { 'content-type': 'multipart/form-data; boundary=zz' });
	assert.equal(r.status, 400, r.text);
	assert.match(r.json.detail, /^body: the boundary/);
	r = await o.api('POST', `${IE}/gadgets/import`, 'x');
	assert.equal(r.status, 404, r.text);
	r = await o.api('GET', `${IE}/gadgets.csv`);
	assert.equal(r.status, 404, r.text);
	r = await o.api('GET', `${IE}/items.xml`);
	assert.equal(r.status, 404, r.text);
	// Without a key.
	res = await fetch(`${env.base}${IE}/items.csv`);
	assert.equal(res.status, 401);
});

// --- validation rules -------------------------------------------------------

test('items: every validation rule, with its row_number and field', async () => {
	const o = await newOrg('ie-vi');
	const long = 'n'.repeat(256);
	const r = await importOk(o, 'items', `${ITEMS_HEAD}\n` +
	    ',Good,,,,,\n' +
	    ',,,,,,\n' +
	    `,${long},,,,,\n` +
	    `,${'ü'.repeat(255)},,,,,\n` +
	    'not-a-uuid,X,,,,,\n' +
	    ',Y,,,,,{bad\n' +
	    ',Z,,,,,[1]\n' +
	    `,W,,${'c'.repeat(101)},,,\n`);
	assert.deepEqual(errs(r), [
		'3 name: name is required',
		'4 name: name must be <= 255 characters, got 256',
		'6 id: Invalid UUID format for id: not-a-uuid',
		'7 metadata: metadata must be valid JSON: malformed JSON at ' +
		    'byte 1: expected a member name',
		'8 metadata: metadata must be a JSON object',
		'9 category: category must be <= 100 characters, got 101',
	]);
	assert.equal(r.imported_count, 2);
	assert.equal(r.failed_count, 6);
	assert.equal(await count('inventory_items', o), 2);
	// JSON: 1-based index; wrong types; an element that is no object.
	const j = await importOk(o, 'items', JSON.stringify([
	    { name: 'J1' }, { name: 5 }, 'text', { id: 7, name: 'J4' },
	    { name: 'J5', metadata: 'not json' }, { name: 'J6', metadata: [] },
	    { description: 'no name' }]), { name: 'items.json' });
	assert.deepEqual(errs(j), [
		'2 name: name must be a string',
		'3 row: row 3 must be a JSON object',
		'4 id: id must be a string (a UUID)',
		'5 metadata: metadata must be valid JSON: malformed JSON at ' +
		    'byte 0: unexpected character',
		'6 metadata: metadata must be a JSON object',
		'7 name: name is required',
	]);
	assert.equal(j.imported_count, 1);
});

test('inventory: every validation rule, with its row_number and field', async () => {
	const o = await newOrg('ie-vs');
	const [a, b] = await items(o, 'A', 'B');
	const [foreign] = await items(other, `Foreign ${rand(4)}`);
	const main = await mainOf(o);
	const otherMain = await mainOf(other);
	const missing = uuid();
	const r = await importOk(o, 'inventory', `${STOCK_HEAD}\n` +
	    `${a},${main},10,1\n` +			// 2 ok
	    `bad,${main},1,0\n` +			// 3
	    `${b},nope,1,0\n` +				// 4
	    `${b},${main},-5,0\n` +			// 5
	    `${b},${main},10,11\n` +			// 6
	    `${b},${main},abc,0\n` +			// 7
	    `${b},${main},1.00001,0\n` +		// 8
	    `${b},${main},,0\n` +			// 9
	    `${missing},${main},1,0\n` +		// 10
	    `${foreign},${main},1,0\n` +		// 11
	    `${b},${otherMain},1,0\n` +			// 12
	    `${a},${main},3,0\n` +			// 13 duplicate of 2
	    `${b},${main},2,2\n`);			// 14 ok
	assert.deepEqual(errs(r), [
		'3 item_id: Invalid UUID format for item_id: bad',
		'4 location_id: Invalid UUID format for location_id: nope',
		'5 quantity: quantity must be >= 0, got -5',
		'6 reserved_quantity: reserved_quantity cannot exceed quantity ' +
		    '(11 > 10)',
		'7 quantity: quantity must be a number with at most 4 decimal ' +
		    'places, got abc',
		'8 quantity: quantity must be a number with at most 4 decimal ' +
		    'places, got 1.00001',
		'9 quantity: quantity is required',
		`10 item_id: item ${missing} does not exist`,
		`11 item_id: item ${foreign} does not exist`,
		`12 location_id: location ${otherMain} does not exist`,
		'13 item_id: duplicate item_id and location_id: the file has it ' +
		    'at row 2 already',
	]);
	assert.equal(r.imported_count, 2);
	assert.equal(r.failed_count, 11);
	assert.deepEqual(await sql('SELECT i.public_id, s.quantity, s.reserved' +
	    ' FROM inventory_stock s JOIN inventory_items i ON i.id = s.item_id' +
	    ` WHERE s.org_id = ${Number(o.id)} ORDER BY i.id`),
	    [[a, '10.0000', '1.0000'], [b, '2.0000', '2.0000']]);
	// update_existing false: a row for stock that exists is a duplicate.
	const again = await importOk(o, 'inventory',
	    `${STOCK_HEAD}\n${a},${main},5,0\n`);
	assert.deepEqual(errs(again), [`2 item_id: item ${a} already has ` +
	    `stock at location ${main} (set update_existing to true to ` +
	    'replace it)']);
	const upd = await importOk(o, 'inventory',
	    `${STOCK_HEAD}\n${a},${main},5,0\n`, { update: true });
	assert.equal(upd.imported_count, 1);
	assert.deepEqual(await sql('SELECT stock_on_hand FROM inventory_items' +
	    ` WHERE public_id = ${q(a)}`), [['5.0000']]);
	// The other organization's item was not touched.
	assert.deepEqual(await sql('SELECT COUNT(*) FROM inventory_stock s' +
	    ' JOIN inventory_items i ON i.id = s.item_id' +
	    ` WHERE i.public_id = ${q(foreign)}`), [['0']]);
});

test('blueprints: every validation rule, with its row_number and field', async () => {
	const o = await newOrg('ie-vb');
	const [out, x] = await items(o, 'Out', 'X');
	const [foreign] = await items(other, `Foreign BP ${rand(4)}`);
	const missing = uuid();
	const d = (ings) => `"${JSON.stringify({ ingredients: ings })
	    .replaceAll('"', '""')}"`;
	const ok = d([{ item_id: x, quantity: 1 }]);
	const r = await importOk(o, 'blueprints', `${BP_HEAD}\n` +
	    `,Good,,,5,${out},1,false,${ok}\n` +		// 2
	    `,,,,5,${out},1,false,${ok}\n` +			// 3
	    `,T4,,,-1,${out},1,false,${ok}\n` +			// 4
	    `,T5,,,1.5,${out},1,false,${ok}\n` +			// 5
	    `,T6,,,5,${out},0,false,${ok}\n` +			// 6
	    `,T7,,,5,${missing},1,false,${ok}\n` +		// 7
	    `,T8,,,5,${out},1,maybe,${ok}\n` +			// 8
	    `,T9,,,5,${out},1,false,{}\n` +			// 9
	    `,T10,,,5,${out},1,false,` +
	    `${d([{ item_id: x, quantity: 0 }])}\n` +		// 10
	    `,T11,,,5,${out},1,false,` +
	    `${d([{ item_id: x, quantity: 1, optional: 'no' }])}\n` +	// 11
	    `,T12,,,5,${out},1,false,` +
	    `${d([{ item_id: x, quantity: 1 }, { item_id: missing, quantity: 1 }])}\n` +	// 12
	    `,T13,,,5,${out},1,false,` +
	    `${d([{ item_id: 'zz', quantity: 1 }])}\n` +	// 13
	    `,T14,,,5,${foreign},1,false,${ok}\n` +		// 14
	    `,T15,,,5,${out},1,false,not json\n` +		// 15
	    `,T16,,,,${out},1,false,${ok}\n`);			// 16
	assert.deepEqual(errs(r), [
		'3 name: name is required',
		'4 crafting_time_minutes: crafting_time_minutes must be an ' +
		    'integer >= 0, got -1',
		'5 crafting_time_minutes: crafting_time_minutes must be an ' +
		    'integer >= 0, got 1.5',
		'6 output_quantity: output_quantity must be > 0, got 0',
		`7 output_item_id: output item ${missing} does not exist`,
		'8 is_public: is_public must be true or false, got maybe',
		'9 blueprint_data.ingredients: blueprint_data.ingredients must ' +
		    'be an array',
		'10 blueprint_data.ingredients[0].quantity: ' +
		    'blueprint_data.ingredients[0].quantity must be > 0, got 0',
		'11 blueprint_data.ingredients[0].optional: ' +
		    'blueprint_data.ingredients[0].optional must be true or false',
		'12 blueprint_data.ingredients[1].item_id: ingredient item ' +
		    `${missing} does not exist`,
		'13 blueprint_data.ingredients[0].item_id: Invalid UUID format ' +
		    'for blueprint_data.ingredients[0].item_id: zz',
		`14 output_item_id: output item ${foreign} does not exist`,
		'15 blueprint_data: blueprint_data must be valid JSON: ' +
		    'malformed JSON at byte 0: unexpected character',
		'16 crafting_time_minutes: crafting_time_minutes is required',
	]);
	assert.equal(r.imported_count, 1);
	assert.equal(await count('blueprints', o), 1);
});

// --- update_existing, dry runs, isolation ------------------------------------

test('update_existing false: an id or a name that exists is an error row; true: updates by id, else by exact unique name', async () => {
	const o = await newOrg('ie-upd');
	await importOk(o, 'items', 'name,description,category\n' +
	    'Lamp,old,Home\nlamp,lower,\n');
	// Two of one name can exist (made through the Integrations API).
	for (const sku of ['TW-1', 'TW-2']) {
		const c = await o.api('POST', '/api/integrations/v1/inventory/items',
		    { sku, name: 'Twin' });
		assert.equal(c.status, 201, c.text);
	}
	const [[lamp]] = await sql('SELECT public_id FROM inventory_items' +
	    ` WHERE org_id = ${Number(o.id)} AND name = 'Lamp'`);
	const fresh = uuid();
	let r = await importOk(o, 'items', 'id,name\n' +
	    `${lamp},Lamp 2\n,Lamp\n,New one\n${fresh},Fresh\n,New one\n`);
	assert.deepEqual(errs(r), [
		`2 id: id ${lamp} is already in use (set update_existing to ` +
		    'true to update it)',
		'3 name: an item named "Lamp" already exists (set ' +
		    'update_existing to true to update it)',
		'6 name: duplicate name: the file has it at row 4 already',
	]);
	assert.equal(r.imported_count, 2);
	assert.equal((await itemRow(fresh))[0], 'Fresh');
	// true: by id (renamed), by exact name (case counts; the other
	// columns are kept when the file lacks them), two of a name is an
	// error, an unknown id is created with that id.
	const created = uuid();
	r = await importOk(o, 'items', 'id,name,category\n' +
	    `${lamp},Lamp renamed,Lighting\n,lamp,Lower\n,Twin,x\n` +
	    `${created},Made,\n${lamp},Again,\n`, { update: true });
	assert.deepEqual(errs(r), [
		'4 name: 2 items are named "Twin"; give the id of the one to update',
		'6 id: duplicate id: the file has it at row 2 already',
	]);
	assert.equal(r.imported_count, 3);
	assert.deepEqual((await itemRow(lamp)).slice(0, 3),
	    ['Lamp renamed', 'old', 'Lighting']);
	assert.deepEqual(await sql('SELECT description, category FROM' +
	    ` inventory_items WHERE org_id = ${Number(o.id)} AND name =` +
	    " BINARY 'lamp'"), [['lower', 'Lower']]);
	assert.deepEqual((await itemRow(created)).slice(0, 3),
	    ['Made', 'NULL', 'NULL']);
	assert.equal(await count('inventory_items', o), 7);
});

test('dry_run: the same report, nothing written', async () => {
	const o = await newOrg('ie-dry');
	const [a] = await items(o, 'Existing');
	const main = await mainOf(o);
	const before = [await count('inventory_items', o),
	    await count('inventory_stock', o), await count('blueprints', o),
	    await count('stock_adjustments', o), await count('events', o)];
	const file = 'name\nOne\n""\nTwo\n';
	const dry = await importOk(o, 'items', file, { dry: true });
	assert.deepEqual(dry, { success: false, imported_count: 2,
	    failed_count: 1, errors: [{ row_number: 3, field: 'name',
	    message: 'name is required' }] });
	const inv = await importOk(o, 'inventory',
	    `${STOCK_HEAD}\n${a},${main},7,1\n`, { dry: 'true' });
	assert.equal(inv.imported_count, 1);
	const bp = await importOk(o, 'blueprints', `${BP_HEAD}\n` +
	    `,B,,,1,${a},1,true,"{""ingredients"":[]}"\n`, { dry: 1 });
	assert.equal(bp.imported_count, 1);
	assert.deepEqual([await count('inventory_items', o),
	    await count('inventory_stock', o), await count('blueprints', o),
	    await count('stock_adjustments', o), await count('events', o)],
	    before);
	// Without dry_run the same file writes what it reported.
	const real = await importOk(o, 'items', file);
	assert.deepEqual(real, dry);
	assert.equal(await count('inventory_items', o), before[0] + 2);
});

test('tenant isolation: another organization\'s ids are "already in use" and nothing of it is read or changed', async () => {
	const [theirs] = await items(other, `Theirs ${rand(4)}`);
	const o = await newOrg('ie-iso');
	const before = await itemRow(theirs);
	for (const update of [false, true]) {
		const r = await importOk(o, 'items',
		    `id,name\n${theirs},Mine now\n`, { update });
		assert.deepEqual(errs(r), [`2 id: id ${theirs} is already in use`]);
	}
	assert.deepEqual(await itemRow(theirs), before);
	assert.equal(await count('inventory_items', o), 0);
	const exp = await exported(o, 'items.csv');
	assert.equal(exp, `${ITEMS_HEAD}\r\n`);
	const mine = await exported(other, 'items.csv');
	assert.ok(mine.includes(theirs));
	// A blueprint id of another organization too.
	const [out] = await items(other, `Out ${rand(4)}`);
	const bpid = uuid();
	await importOk(other, 'blueprints', `${BP_HEAD}\n${bpid},Theirs BP,,,1,` +
	    `${out},1,false,"{""ingredients"":[]}"\n`);
	const [mineOut] = await items(o, 'My out');
	const r = await importOk(o, 'blueprints', `${BP_HEAD}\n${bpid},Mine,,,1,` +
	    `${mineOut},1,false,"{""ingredients"":[]}"\n`, { update: true });
	assert.deepEqual(errs(r), [`2 id: id ${bpid} is already in use`]);
	assert.deepEqual(await sql('SELECT name FROM blueprints WHERE' +
	    ` public_id = ${q(bpid)}`), [['Theirs BP']]);
});

test('category filter on the items export', async () => {
	const o = await newOrg('ie-cat');
	await importOk(o, 'items', 'name,category\nA,Materials\nB,Tools\n' +
	    'C,Materials\nD,\n');
	const csv = await exported(o, 'items.csv?category=Materials');
	assert.deepEqual(csv.split('\r\n').slice(1, -1).map((l) =>
	    l.split(',')[1]), ['A', 'C']);
	const json = JSON.parse(await exported(o, 'items.json?category=Tools'));
	assert.deepEqual(json.map((x) => x.name), ['B']);
	assert.equal(await exported(o, 'items.json?category=None'), '[]\n');
});

// --- size limits and throughput ---------------------------------------------

test('413: more than 50,000 rows, or a body past import_max_bytes; a file past max_body_bytes but under it is taken', async () => {
	const o = await newOrg('ie-413');
	let r = await upload(o, 'items', 'name\n' + 'x\n'.repeat(50001));
	assert.equal(r.status, 413, r.text.slice(0, 200));
	assert.match(r.json.detail, /^file: more than 50000 rows$/);
	r = await upload(o, 'items', JSON.stringify(Array(50001).fill({})),
	    { name: 'a.json' });
	assert.equal(r.status, 413, r.text.slice(0, 200));
	// 12 MiB: over the 8 MiB of other bodies, under the 32 MiB of imports.
	const desc = 'd'.repeat(60000);
	const big = 'name,description\n' +
	    Array.from({ length: 210 }, (_, i) => `R${i},${desc}`).join('\n');
	assert.ok(big.length > 12 * 1024 * 1024);
	r = await upload(o, 'items', big, { dry: true });
	assert.equal(r.status, 200, r.text.slice(0, 300));
	assert.equal(r.json.imported_count, 210);
	r = await upload(o, 'items', Buffer.alloc(33 * 1024 * 1024, 'a'));
	assert.equal(r.status, 413, r.text.slice(0, 200));
	assert.match(r.json.detail, /^body: larger than 33554432 bytes$/);
	assert.equal(await count('inventory_items', o), 0);
});

test('a 20,000-row items CSV imports in one transaction (timed)', async () => {
	const o = await newOrg('ie-20k');
	const rows = Array.from({ length: 20000 }, (_, i) =>
	    `,Item ${i},"Description of item ${i}, in stock",Cat ${i % 10},` +
	    `Sub,Q${i % 5},"{""n"":${i}}"`);
	const csv = `${ITEMS_HEAD}\r\n${rows.join('\r\n')}\r\n`;
	const t0 = performance.now();
	const r = await importOk(o, 'items', csv);
	const ms = performance.now() - t0;
	assert.deepEqual(r, { success: true, imported_count: 20000,
	    failed_count: 0, errors: [] });
	assert.equal(await count('inventory_items', o), 20000);
	console.log(`# 20,000-row items CSV import: ${ms.toFixed(0)} ms ` +
	    `(${(20000 / ms * 1000).toFixed(0)} rows/s)`);
	// Again with update_existing by name: 20,000 updates.
	const t1 = performance.now();
	const u = await importOk(o, 'items', csv, { update: true });
	console.log('# the same file again, update_existing by name: ' +
	    `${(performance.now() - t1).toFixed(0)} ms`);
	assert.equal(u.imported_count, 20000);
	assert.equal(await count('inventory_items', o), 20000);
});

// The stack's FastCGI processes (their pids).
function fcgiPids() {
	const dir = process.env.MIHWAR_CTL.replace(/mihwarctl$/, '');
	return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
		try {
			const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
			return cmd.startsWith(`${dir}mihwar.fcgi`);
		} catch {
			return false;
		}
	});
}

// Reset the peak resident size of pids (clear_refs 5) and note each
// one's resident size then (KiB).
function resetPeaks(pids) {
	const at = new Map();
	for (const p of pids) {
		try {
			writeFileSync(`/proc/${p}/clear_refs`, '5');
			const st = readFileSync(`/proc/${p}/status`, 'utf8');
			at.set(p, Number(st.match(/VmRSS:\s+(\d+)/)[1]));
		} catch {
			/* gone */
		}
	}
	return at;
}

// Since resetPeaks: the largest peak (VmHWM) among the processes, and
// the most any one grew above its size at the reset (KiB).
function peaks(at) {
	let peak = 0, growth = 0;
	for (const [p, rss] of at) {
		try {
			const st = readFileSync(`/proc/${p}/status`, 'utf8');
			const hwm = Number(st.match(/VmHWM:\s+(\d+)/)[1]);
			peak = Math.max(peak, hwm);
			growth = Math.max(growth, hwm - rss);
		} catch {
			/* gone */
		}
	}
	return { peak, growth };
}

test('exports stream: a process\'s peak memory exporting 100,000 items is about what it is for 1,000', { timeout: 600000 }, async () => {
	const small = await newOrg('ie-mem1k');
	const large = await newOrg('ie-mem100k');
	const pad = 'p'.repeat(200);
	const file = (from, n) => 'name,description\n' + Array.from(
	    { length: n }, (_, i) => `M${from + i},${pad}`).join('\n') + '\n';
	await importOk(small, 'items', file(0, 1000));
	for (let i = 0; i < 2; i++)
		await importOk(large, 'items', file(i * 50000, 50000));
	assert.equal(await count('inventory_items', large), 100000);
	const pids = fcgiPids();
	assert.ok(pids.length > 0, 'no FastCGI process found');
	// Every process of the pool takes exports of each size in turn; the
	// peaks are counted from a reset before each round.
	let at = resetPeaks(pids);
	for (let i = 0; i < 2 * pids.length; i++)
		assert.ok((await exported(small, 'items.csv')).length > 200000);
	const p1k = peaks(at);
	at = resetPeaks(pids);
	let bytes = 0;
	for (let i = 0; i < 2 * pids.length; i++)
		bytes = (await exported(large, 'items.csv')).length;
	const p100k = peaks(at);
	assert.ok(bytes > 24000000, `${bytes} bytes`);
	const asan = readFileSync(`/proc/${pids[0]}/maps`, 'utf8')
	    .includes('libasan');
	console.log('# FastCGI processes exporting 1,000 items: peak RSS ' +
	    `${p1k.peak} KiB, grew at most ${p1k.growth} KiB; 100,000 items ` +
	    `(${bytes} bytes of CSV): peak ${p100k.peak} KiB, grew at most ` +
	    `${p100k.growth} KiB` + (asan ? ' (AddressSanitizer build: its ' +
	    'quarantine keeps freed pages, so only a build without it is ' +
	    'held to the bound)' : ''));
	// A body held whole would be 24 MB and more; a page is 500 rows.
	if (!asan)
		assert.ok(p100k.growth < 8 * 1024,
		    `a process grew ${p100k.growth} KiB`);
});

// The console's upload form carries its CSRF token in the body: a file
// past import_max_bytes is refused as too large (413), before any
// session or token is looked at, not as a missing token (403).
test('console upload past import_max_bytes: 413, not a CSRF refusal', async () => {
	const cap = Number((readFileSync(process.env.MIHWAR_CONF, 'utf8')
	    .match(/^import_max_bytes\s*=\s*(\d+)/m) || [0, 32 * 1024 * 1024])[1]);
	const boundary = 'b' + rand();
	const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; ` +
	    `filename="big.csv"\r\nContent-Type: text/csv\r\n\r\nname\r\n`;
	const body = Buffer.concat([Buffer.from(head), Buffer.alloc(cap + 1, 'x'),
	    Buffer.from(`\r\n--${boundary}--\r\n`)]);
	const res = await fetch(`${env.base}/admin/import-export/import`, {
		method: 'POST', body,
		headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
		redirect: 'manual',
	});
	assert.equal(res.status, 413);
	assert.match(await res.text(), new RegExp(`larger than ${cap} bytes`));
});
