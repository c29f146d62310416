// The import/export page (issue 13): an export downloaded from the
// console is byte for byte the API's export (CSV, and JSON filtered by
// category); an import with bad rows shows each refused row with its
// field and the API's message for it, and keeps the good rows; a dry
// run shows what an import would do and writes nothing; a good import
// (CSV and JSON) shows its count and its items are in the API's export;
// a file that cannot be read shows why; a form without its CSRF token
// and a member are refused.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { BASE, api, clickAndWait, gotoPage, launch, makeOrg, newPage, orgId,
    pathOf, screenshot, signIn, sql, text } from './helpers.mjs';

const tag = randomBytes(3).toString('hex');
const IMPEX = '/api/v1/import-export';
let browser, org, context, page;

before(async () => {
	org = makeOrg('impex', { member: true });
	org.id = orgId(org.slug);
	browser = await launch();
	({ context, page } = await newPage(browser));
	await signIn(page, org.admin.email, org.admin.password);
});

after(async () => {
	await context?.close();
	await browser?.close();
});

/* GET of the import-export API with the org's key: status and bytes. */
async function apiExport(path) {
	const res = await fetch(BASE + IMPEX + path, {
		headers: { authorization: `Bearer ${org.key}` },
	});
	return { status: res.status, type: res.headers.get('content-type'),
	    body: Buffer.from(await res.arrayBuffer()) };
}

/* The import API with the org's key (multipart): status and JSON. */
async function apiImport(kind, name, content, { dryRun = false,
    update = false } = {}) {
	const form = new FormData();
	form.append('file', new Blob([content]), name);
	form.append('update_existing', String(update));
	form.append('dry_run', String(dryRun));
	const res = await fetch(`${BASE}${IMPEX}/${kind}/import`, {
		method: 'POST', headers: { authorization: `Bearer ${org.key}` },
		body: form,
	});
	return { status: res.status, body: await res.json() };
}

/* The organization's items, by name, as the database holds them. */
function itemsNamed(prefix) {
	return sql(`SELECT name, IFNULL(category, ''), IFNULL(rarity, '') FROM` +
	    ` inventory_items WHERE org_id = ${org.id} AND name LIKE` +
	    ` '${prefix}%' ORDER BY name`);
}

function itemCount() {
	return Number(sql(`SELECT COUNT(*) FROM inventory_items WHERE` +
	    ` org_id = ${org.id}`)[0][0]);
}

/* The import form filled and sent; the response. */
async function importFile(kind, name, content, { dryRun = false,
    update = false, mimeType = 'text/csv' } = {}) {
	await gotoPage(page, '/admin/import-export');
	await page.getByLabel('What to import').selectOption(kind);
	await page.getByLabel(/^File/).setInputFiles({ name, mimeType,
	    buffer: Buffer.from(content) });
	if (update)
		await page.getByRole('checkbox', { name: /^Update existing rows/ }).check();
	if (dryRun)
		await page.getByRole('checkbox', { name: /^Dry run/ }).check();
	return clickAndWait(page, page.getByRole('button', { name: 'Import', exact: true }));
}

/* The result page's error table: [row, field, message] per row. */
async function errorRows() {
	return page.locator('#errors tbody tr').evaluateAll((rows) => rows.map(
	    (tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())));
}

/* Click Export with the form filled; the download's name and bytes. */
async function download(kind, format, category) {
	await gotoPage(page, '/admin/import-export');
	await page.getByLabel('What to export').selectOption(kind);
	await page.getByLabel('Format').selectOption(format);
	await page.getByLabel(/^Category/).fill(category ?? '');
	const [dl] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('button', { name: 'Export', exact: true }).click(),
	]);
	return { name: dl.suggestedFilename(), body: readFileSync(await dl.path()) };
}

test('impex: the nav leads admins to the page; its forms work without JavaScript', async () => {
	await gotoPage(page, '/admin/approvals');
	await clickAndWait(page, page.getByRole('link', { name: 'Import/export' }));
	assert.equal(pathOf(page), '/admin/import-export');
	assert.equal(await text(page.locator('h1')), 'Import and export');
	// Plain forms: the export a GET, the import a multipart POST with
	// its CSRF token, no script on the page.
	assert.equal(await page.locator('form[method=get][action="/admin/import-export/export"]').count(), 1);
	const upload = page.locator('form[action="/admin/import-export/import"]');
	assert.equal(await upload.getAttribute('method'), 'post');
	assert.equal(await upload.getAttribute('enctype'), 'multipart/form-data');
	assert.equal(await upload.locator('input[type=hidden][name=csrf]').count(), 1);
	assert.equal(await page.locator('script').count(), 0);
	await screenshot(page, 'impex');
});

test('impex: a download is byte for byte the API\'s export (CSV; JSON by category)', async () => {
	const cat = `Tools-${tag}`;
	for (const [sku, name, category] of [
		[`IX-${tag}-1`, 'Hammer, "claw"', cat],
		[`IX-${tag}-2`, 'Saw\nwith a newline', cat],
		[`IX-${tag}-3`, 'Blue paint', `Paint-${tag}`],
	]) {
		const r = await api(org.key, 'POST', '/api/integrations/v1/inventory/items',
		    { sku, name, category });
		assert.equal(r.status, 201, r.text);
	}
	const csv = await download('items', 'csv');
	const want = await apiExport('/items.csv');
	assert.equal(want.status, 200);
	assert.equal(csv.name, 'items.csv');
	assert.ok(csv.body.length > 0);
	assert.ok(csv.body.equals(want.body), `the download:\n${csv.body}\nthe API:\n${want.body}`);
	assert.ok(csv.body.toString().startsWith(
	    'id,name,description,category,subcategory,rarity,metadata\r\n'));
	assert.ok(csv.body.toString().includes('"Hammer, ""claw"""'), 'quoted as RFC 4180');

	const json = await download('items', 'json', cat);
	const wantJson = await apiExport(`/items.json?category=${encodeURIComponent(cat)}`);
	assert.equal(json.name, 'items.json');
	assert.ok(json.body.equals(wantJson.body), `the download:\n${json.body}\nthe API:\n${wantJson.body}`);
	assert.deepEqual(JSON.parse(json.body).map((i) => i.name).sort(),
	    ['Hammer, "claw"', 'Saw\nwith a newline']);

	// The other kinds download too, as the API has them.
	for (const [kind, format] of [['inventory', 'csv'], ['blueprints', 'json']]) {
		const got = await download(kind, format);
		assert.equal(got.name, `${kind}.${format}`);
		assert.ok(got.body.equals((await apiExport(`/${kind}.${format}`)).body), kind);
	}
});

test('impex: an export with a choice that does not exist is refused with the form', async () => {
	const resp = await gotoPage(page, '/admin/import-export/export?type=orders&format=csv');
	assert.equal(resp.status(), 400);
	assert.match(await text(page.locator('.notice.error')), /^Choose what to export/);
	assert.equal(await page.getByRole('button', { name: 'Export', exact: true }).count(), 1);
});

test('impex: an import with bad rows lists each with its field; the good rows are in', async () => {
	const p = `Bad-${tag}`;
	const file = 'id,name,description,category,subcategory,rarity,metadata\r\n' +
	    `,${p} good 1,First,Cat,Sub,common,\r\n` +		// row 2
	    ',,No name,Cat,,,\r\n' +				// row 3: name
	    `not-a-uuid,${p} bad id,,,,,\r\n` +			// row 4: id
	    `,${p} bad metadata,,,,,"{""weight"": }"\r\n` +	// row 5: metadata
	    `,${p} good 2,"Second, quoted",Cat,,rare,"{""n"":2}"\r\n`;	// row 6
	// The API's answer for the same file, in a dry run (nothing written).
	const dry = await apiImport('items', 'bad.csv', file, { dryRun: true });
	assert.equal(dry.status, 200, JSON.stringify(dry.body));
	assert.deepEqual(dry.body.errors.map((e) => [e.row_number, e.field]),
	    [[3, 'name'], [4, 'id'], [5, 'metadata']]);
	assert.deepEqual(itemsNamed(p), []);

	const before = itemCount();
	const resp = await importFile('items', 'bad.csv', file);
	assert.equal(resp.status(), 200);
	assert.equal(await text(page.locator('#result h2')), 'Items from bad.csv');
	assert.equal(await text(page.locator('#imported')), '2');
	assert.equal(await text(page.locator('#failed')), '3');
	assert.equal(await text(page.locator('#dry')), 'no');
	assert.match(await text(page.locator('#errors caption')), /^3 errors/);
	assert.deepEqual(await page.locator('#errors thead th').allInnerTexts(),
	    ['Row', 'Field', 'Message']);
	assert.deepEqual(await errorRows(), dry.body.errors.map((e) =>
	    [String(e.row_number), e.field, e.message]));
	// The form is there again with the kind chosen.
	assert.equal(await page.getByLabel('What to import').inputValue(), 'items');
	await screenshot(page, 'impex-errors');

	assert.equal(itemCount(), before + 2);
	assert.deepEqual(itemsNamed(p), [[`${p} good 1`, 'Cat', 'common'],
	    [`${p} good 2`, 'Cat', 'rare']]);
});

test('impex: a dry run shows what an import would do and writes nothing', async () => {
	const p = `Dry-${tag}`;
	const file = 'name,category,rarity\n' +
	    `${p} 1,Dry,common\n${p} 2,Dry,epic\n,Dry,\n`;
	const before = itemCount();
	const stock = sql(`SELECT COUNT(*) FROM stock_adjustments WHERE org_id = ${org.id}`)[0][0];
	const resp = await importFile('items', 'dry.csv', file, { dryRun: true });
	assert.equal(resp.status(), 200);
	assert.equal(await text(page.locator('#dry')), 'yes');
	assert.match(await text(page.locator('#dry-run')), /^Dry run: every row was checked and nothing was written/);
	assert.equal(await text(page.locator('#imported')), '2');
	assert.equal(await text(page.locator('#failed')), '1');
	assert.deepEqual((await errorRows()).map((r) => r.slice(0, 2)), [['4', 'name']]);
	assert.equal(itemCount(), before, 'no item written');
	assert.deepEqual(itemsNamed(p), []);
	assert.equal(sql(`SELECT COUNT(*) FROM stock_adjustments WHERE org_id = ${org.id}`)[0][0], stock);
	const exp = JSON.parse((await apiExport('/items.json')).body);
	assert.equal(exp.filter((i) => i.name.startsWith(p)).length, 0);
	// The box stays checked on the result page.
	assert.ok(await page.getByRole('checkbox', { name: /^Dry run/ }).isChecked());
});

test('impex: a good import shows its count and its items are in the API', async () => {
	const p = `Good-${tag}`;
	const csv = 'name,description,category,subcategory,rarity,metadata\r\n' +
	    `${p} drive,"Q5, quantum",Components,Drives,Q5,"{""volume"":1}"\r\n` +
	    `${p} cooler,,Components,Coolers,Q3,\r\n` +
	    `${p} shield,Line one,Components,Shields,Q4,"{""hp"":12}"\r\n`;
	let resp = await importFile('items', 'good.csv', csv);
	assert.equal(resp.status(), 200);
	assert.equal(await text(page.locator('#imported')), '3');
	assert.equal(await text(page.locator('#failed')), '0');
	assert.equal(await page.locator('#errors').count(), 0, 'no error table');
	assert.equal(await text(page.locator('.notice.ok')), 'Imported.');

	const json = JSON.stringify([{ name: `${p} json`, category: 'Json',
	    rarity: 'rare', metadata: { a: [1, 2] } }]);
	resp = await importFile('items', 'good.json', json, { mimeType: 'application/json' });
	assert.equal(resp.status(), 200);
	assert.equal(await text(page.locator('#imported')), '1');

	const exp = JSON.parse((await apiExport('/items.json')).body);
	const got = exp.filter((i) => i.name.startsWith(p))
	    .sort((a, b) => a.name.localeCompare(b.name));
	assert.deepEqual(got.map((i) => [i.name, i.description, i.category,
	    i.subcategory, i.rarity, i.metadata]), [
		[`${p} cooler`, null, 'Components', 'Coolers', 'Q3', null],
		[`${p} drive`, 'Q5, quantum', 'Components', 'Drives', 'Q5', { volume: 1 }],
		[`${p} json`, null, 'Json', null, 'rare', { a: [1, 2] }],
		[`${p} shield`, 'Line one', 'Components', 'Shields', 'Q4', { hp: 12 }],
	]);
	for (const i of got)
		assert.match(i.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

	// Again, unchanged: each is a duplicate now; with update_existing
	// they are updated in place (by name), nothing added.
	const before = itemCount();
	resp = await importFile('items', 'good.csv', csv);
	assert.equal(await text(page.locator('#imported')), '0');
	assert.equal(await text(page.locator('#failed')), '3');
	assert.deepEqual((await errorRows()).map((r) => r[0]), ['2', '3', '4']);
	resp = await importFile('items', 'good.csv', csv.replace('Q3', 'Q9'), { update: true });
	assert.equal(await text(page.locator('#imported')), '3');
	assert.equal(await text(page.locator('#failed')), '0');
	assert.equal(itemCount(), before);
	assert.deepEqual(itemsNamed(`${p} cooler`), [[`${p} cooler`, 'Components', 'Q9']]);
});

test('impex: a file that cannot be read shows why; nothing is written', async () => {
	const before = itemCount();
	let resp = await importFile('items', 'noname.csv', 'description,category\nA,B\n');
	assert.equal(resp.status(), 400);
	assert.match(await text(page.locator('#unreadable')),
	    /^The file could not be read, nothing was imported: .*name/);
	assert.equal(await page.locator('#imported').count(), 0);
	resp = await importFile('items', 'broken.json', '[{"name": "x",', { mimeType: 'application/json' });
	assert.equal(resp.status(), 400);
	assert.match(await text(page.locator('#unreadable')), /^The file could not be read/);
	assert.equal(itemCount(), before);
});

test('impex: an upload without the CSRF token is refused; a member is refused the page', async () => {
	const before = itemCount();
	await gotoPage(page, '/admin/import-export');
	await page.locator('form[action="/admin/import-export/import"] input[name=csrf]').evaluate((i) => { i.value = 'wrong'; });
	await page.getByLabel(/^File/).setInputFiles({ name: 'x.csv', mimeType: 'text/csv',
	    buffer: Buffer.from(`name\nCsrf-${tag}\n`) });
	const resp = await clickAndWait(page, page.getByRole('button', { name: 'Import', exact: true }));
	assert.equal(resp.status(), 403);
	assert.equal(itemCount(), before);

	const { context: mc, page: mp } = await newPage(browser);
	await signIn(mp, org.member.email, org.member.password);
	assert.equal(await mp.getByRole('link', { name: 'Import/export' }).count(), 0);
	assert.equal((await gotoPage(mp, '/admin/import-export')).status(), 403);
	assert.equal((await gotoPage(mp, '/admin/import-export/export?type=items&format=csv')).status(), 403);
	await mc.close();
});
