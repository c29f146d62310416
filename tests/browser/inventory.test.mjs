// The inventory pages: the list with its filters, paging and the
// numbers the forecast implies (days of cover and the suggestion,
// computed here from GET /predictions and the stock); an item's page
// with its chart (the plotted numbers equal the table's) and its stock
// history; draft purchase orders made from the suggestions, submitted
// and approved; what a member sees; another organization's item.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { BASE, XSS_SCRIPT, api, clickAndWait, gotoPage, launch, makeOrg, newPage,
    pathOf, screenshot, signIn, sleep, sql, sqlQuote, text } from './helpers.mjs';

const tag = randomBytes(3).toString('hex');
let browser, org, other, context, page;
const items = {};	// key -> the item as created, with its id
const HISTORY_DAYS = 21;
let otherItem;

/* The UTC date offset days from today, YYYY-MM-DD. */
function day(offset) {
	const d = new Date();
	d.setUTCDate(d.getUTCDate() + offset);
	return d.toISOString().slice(0, 10);
}

/* A JSON number as units of 1/10000 (the API's amounts have at most 4
 * decimals). */
function units(n) {
	return BigInt(Math.round(Number(n) * 10000));
}

/* Units of 1/10000 in their shortest text, as the console prints them. */
function shortest(u) {
	const neg = u < 0n;
	const a = neg ? -u : u;
	let s = `${a / 10000n}`;
	const frac = `${a % 10000n}`.padStart(4, '0').replace(/0+$/, '');
	if (frac)
		s += `.${frac}`;
	return (neg ? '-' : '') + s;
}

const SPECS = {
	// Low: 12 on hand less 2 spilled, threshold 20; bought from a vendor.
	oat: { name: 'Oat milk', unit: 'l', category: `Dairy-${tag}`, stockOnHand: 12,
	    lowStockThreshold: 20, unitCost: 1.15, leadTimeDays: 3,
	    demand: (d) => 6 + (d % 4) },
	// Out of stock, no supplier; its name is markup that must stay text.
	beans: { name: `Beans ${XSS_SCRIPT} & "Roast"`, unit: 'kg', category: 'Coffee',
	    stockOnHand: 0, lowStockThreshold: 5, leadTimeDays: 7,
	    demand: (d) => 2 + (d % 3 === 0 ? 1 : 0) },
	// Plenty.
	cups: { name: 'Paper cups', unit: 'each', category: 'Supplies',
	    stockOnHand: 5000, lowStockThreshold: 100, leadTimeDays: 5,
	    demand: (d) => 40 + (d % 7) * 3 },
	// No history: no forecast, no cover, no suggestion.
	idle: { name: 'Idle item', unit: 'each', stockOnHand: 3 },
};

async function createItem(key, sku, spec) {
	const { demand, ...body } = spec;
	const r = await api(key, 'POST', '/api/integrations/v1/inventory/items', { sku, ...body });
	assert.equal(r.status, 201, `create ${sku}: ${r.text}`);
	return { ...spec, sku, id: r.body.data.id };
}

/* Every prediction of the organization of key. */
async function predictions(key) {
	const all = [];
	let cursor = null;
	do {
		const r = await api(key, 'GET', '/api/integrations/v1/predictions?limit=200' +
		    (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''));
		assert.equal(r.status, 200, r.text);
		all.push(...r.body.data);
		cursor = r.body.nextCursor;
	} while (cursor);
	return all;
}

/* Wait until the worker has made predictions for every item in ids. */
async function waitForPredictions(key, ids) {
	const deadline = Date.now() + 30000;
	for (;;) {
		const p = await predictions(key);
		if (ids.every((id) => p.some((x) => x.itemId === id)))
			return p;
		assert.ok(Date.now() < deadline, 'the worker made the predictions in 30 s');
		await sleep(250);
	}
}

/* What the list must show of an item: its current stock (from the
 * API), the days of cover at the first future period's daily rate (one
 * decimal; both roundings accepted on a tie), and that period's
 * suggestion. */
async function expected(key, item, preds) {
	const r = await api(key, 'GET', `/api/integrations/v1/inventory/items/${item.id}`);
	assert.equal(r.status, 200, r.text);
	const stock = units(r.body.data.stockOnHand);
	const today = day(0);
	const first = preds.filter((p) => p.itemId === item.id && p.periodStart >= today)
	    .sort((a, b) => a.periodStart.localeCompare(b.periodStart))[0];
	if (!first)
		return { stock, cover: ['—'], suggestion: '—' };
	const days = BigInt((Date.parse(first.periodEnd) - Date.parse(first.periodStart)) /
	    86400000 + 1);
	const fq = units(first.forecastQty);
	let cover = ['—'];
	if (fq > 0n) {
		// stock / (fq / days), in tenths: stock * days * 10 / fq.
		const num = stock * days * 10n, den = fq;
		const lo = num / den, rem = num % den;
		const tenths = (t) => `${t / 10n}.${t % 10n}`;
		if (rem * 2n > den)
			cover = [tenths(lo + 1n)];
		else if (rem * 2n < den)
			cover = [tenths(lo)];
		else
			cover = [tenths(lo), tenths(lo + 1n)];
		// A value within 1/10000 of a tie may round either way at scale 4.
		if (Math.abs(Number(rem) / Number(den) - 0.5) < 0.002)
			cover = [tenths(lo), tenths(lo + 1n)];
	}
	return { stock, cover, suggestion: shortest(units(first.suggestedReorderQty)),
	    first };
}

before(async () => {
	org = makeOrg('inv', { member: true });
	other = makeOrg('inv-other');
	for (const [k, spec] of Object.entries(SPECS))
		items[k] = await createItem(org.key, `${k.toUpperCase()}-${tag}`, spec);
	otherItem = await createItem(other.key, `THEIRS-${tag}`, { name: 'Their item',
	    stockOnHand: 1, lowStockThreshold: 5 });

	// A stock change with a reason, for the history.
	let r = await api(org.key, 'POST',
	    `/api/integrations/v1/inventory/items/${items.oat.id}/adjustments`,
	    { delta: -2, reason: 'Spilled in the browser test' });
	assert.equal(r.status, 200, r.text);
	// A purchase order from a vendor: oat milk's supplier (left a draft).
	r = await api(org.key, 'POST', '/api/integrations/v1/orders', {
		vendorName: `Nile Dairy & Co. ${tag}`,
		lines: [{ sku: items.oat.sku, quantity: 1, unitCost: 1.15 }],
	});
	assert.equal(r.status, 201, r.text);

	// Three weeks of daily demand, ending yesterday.
	const lines = [];
	for (let d = HISTORY_DAYS; d >= 1; d--)
		for (const k of ['oat', 'beans', 'cups'])
			lines.push({ sku: items[k].sku, orderedQty: SPECS[k].demand(d),
			    orderDate: day(-d) });
	r = await api(org.key, 'POST', '/api/integrations/v1/ingestion/order-lines',
	    { periodKind: 'DAY', lines });
	assert.equal(r.status, 201, r.text);
	await waitForPredictions(org.key, ['oat', 'beans', 'cups'].map((k) => items[k].id));

	browser = await launch();
	({ context, page } = await newPage(browser));
	const resp = await signIn(page, org.admin.email, org.admin.password);
	assert.equal(resp.status(), 200);
});

after(async () => {
	await context?.close();
	await browser?.close();
});

/* The list's rows: {id, cells by header, classes, order inputs}. */
async function rows(p) {
	return p.locator('table.stock tbody tr').evaluateAll((trs) => {
		if (trs.length === 0)
			return [];
		const heads = [...trs[0].closest('table').querySelectorAll('thead th')]
		    .map((th) => th.innerText.trim());
		return trs.map((tr) => {
			const cells = {};
			[...tr.cells].forEach((c, i) => { cells[heads[i]] = c.innerText.trim(); });
			const box = tr.querySelector('input[type=checkbox]');
			const qty = tr.querySelector('input[type=number]');
			return { id: tr.id.replace(/^item-/, ''), cls: tr.className, cells,
			    checked: box ? box.checked : null, qty: qty ? qty.value : null };
		});
	});
}

test('the list: every item with its stock, threshold, cover and suggestion as the forecast implies', async () => {
	await clickAndWait(page, page.getByRole('link', { name: 'Inventory' }));
	assert.equal(pathOf(page), '/admin/inventory');
	assert.equal(await text(page.locator('h1')), 'Inventory');
	const shown = await rows(page);
	assert.deepEqual(shown.map((r) => r.id).sort(),
	    Object.values(items).map((i) => i.id).sort(), 'this organization\'s four items');

	const preds = await predictions(org.key);
	for (const [k, item] of Object.entries(items)) {
		const row = shown.find((r) => r.id === item.id);
		const want = await expected(org.key, item, preds);
		assert.equal(row.cells.SKU, item.sku);
		assert.equal(row.cells.Name, item.name, 'markup in a name stays text');
		assert.equal(row.cells['On hand'], `${shortest(want.stock)} ${item.unit}`, k);
		assert.equal(row.cells['Low-stock threshold'], item.lowStockThreshold === undefined ?
		    '—' : `${item.lowStockThreshold} ${item.unit}`, k);
		assert.ok(want.cover.includes(row.cells['Days of cover']),
		    `${k}: days of cover ${row.cells['Days of cover']}, expected ${want.cover}`);
		assert.equal(row.cells['Suggested reorder'], want.suggestion === '—' ? '—' :
		    `${want.suggestion} ${item.unit}`, k);
		// The admin's quantity is the suggestion, ready to edit.
		assert.equal(row.qty, want.suggestion === '—' ? null : want.suggestion, k);
	}
	// Oat milk: 12 - 2 on hand, below its threshold of 20; bought from
	// the vendor; chosen already.
	const oat = shown.find((r) => r.id === items.oat.id);
	assert.equal(oat.cells['On hand'], '10 l');
	assert.equal(oat.cells.Supplier, `Nile Dairy & Co. ${tag}`);
	assert.equal(oat.cells.Stock, 'Low stock');
	assert.equal(oat.cls, 'low');
	assert.equal(oat.checked, true);
	const beans = shown.find((r) => r.id === items.beans.id);
	assert.equal(beans.cells.Stock, 'Out of stock');
	assert.equal(beans.cls, 'out');
	assert.equal(beans.cells.Supplier, '—');
	assert.equal(beans.cells['Days of cover'], '0.0');
	assert.equal(beans.checked, true);
	const cups = shown.find((r) => r.id === items.cups.id);
	assert.equal(cups.cells.Stock, 'In stock');
	assert.equal(cups.checked, false, 'an item with stock enough is not chosen');
	const idle = shown.find((r) => r.id === items.idle.id);
	assert.equal(idle.cells['Days of cover'], '—');
	assert.equal(idle.cells.Order, 'No suggestion');

	// Sorted by days of cover, items without one last.
	const covers = shown.map((r) => r.cells['Days of cover']);
	const known = covers.filter((c) => c !== '—').map(Number);
	assert.deepEqual(known, [...known].sort((a, b) => a - b));
	assert.equal(covers[covers.length - 1], '—');
	assert.equal(shown[0].id, items.beans.id, 'nothing on hand: the least cover');
	assert.equal(await page.locator('main script').count(), 0);
	await screenshot(page, 'inventory');
	assert.deepEqual(page.dialogs, []);
});

test('the list: filters (low stock, out of stock, search, category), paging, and refused filters', async () => {
	await gotoPage(page, '/admin/inventory');
	await page.getByLabel('Low stock').check();
	let resp = await clickAndWait(page, page.getByRole('button', { name: 'Filter' }));
	assert.equal(resp.status(), 200);
	assert.equal(new URL(page.url()).searchParams.get('low'), '1');
	assert.ok(await page.getByLabel('Low stock').isChecked(), 'the form keeps the filter');
	assert.deepEqual((await rows(page)).map((r) => r.id),
	    [items.beans.id, items.oat.id], 'at or below the threshold, by cover');

	await gotoPage(page, '/admin/inventory?out=1');
	assert.deepEqual((await rows(page)).map((r) => r.id), [items.beans.id]);
	await gotoPage(page, `/admin/inventory?q=${encodeURIComponent('paper CUPS')}`);
	assert.deepEqual((await rows(page)).map((r) => r.id), [items.cups.id], 'name, any case');
	await gotoPage(page, '/admin/inventory?q=no-such-thing');
	assert.equal(await page.locator('table.stock').count(), 0);
	assert.ok(await page.getByText('No items match.').isVisible());
	await gotoPage(page, `/admin/inventory?q=${items.oat.sku.toLowerCase()}`);
	assert.deepEqual((await rows(page)).map((r) => r.id), [items.oat.id], 'SKU, any case');
	await gotoPage(page, `/admin/inventory?category=${encodeURIComponent(`Dairy-${tag}`)}`);
	assert.deepEqual((await rows(page)).map((r) => r.id), [items.oat.id]);
	assert.equal(await page.getByLabel('Category').inputValue(), `Dairy-${tag}`);
	await gotoPage(page, `/admin/inventory?q=THEIRS-${tag}`);
	assert.equal(await page.locator('table.stock').count(), 0, 'no other organization\'s item');

	// Pages of one item: each once, in the list's order.
	await gotoPage(page, '/admin/inventory');
	const all = (await rows(page)).map((r) => r.id);
	await gotoPage(page, '/admin/inventory?limit=1');
	const seen = [];
	for (let i = 0; i < 10; i++) {
		seen.push(...(await rows(page)).map((r) => r.id));
		const next = page.getByRole('link', { name: 'Next' });
		if (await next.count() === 0)
			break;
		assert.match(await next.getAttribute('href'), /^\/admin\/inventory\?limit=1&cursor=/);
		await clickAndWait(page, next);
	}
	assert.deepEqual(seen, all);
	assert.equal(await page.getByRole('link', { name: 'First page' }).count(), 1);

	for (const [query, name] of [['low=yes', 'low:'], ['out=2', 'out:'],
	    ['limit=0', 'limit:'], ['cursor=not-a-cursor', 'cursor:'],
	    [`q=${'x'.repeat(201)}`, 'q:'], [`category=${'c'.repeat(101)}`, 'category:']]) {
		resp = await gotoPage(page, `/admin/inventory?${query}`);
		assert.equal(resp.status(), 400, query);
		assert.ok((await text(page.locator('.notice.error'))).startsWith(name), query);
		assert.equal(await page.locator('table.stock').count(), 0);
	}
	assert.deepEqual(page.dialogs, []);
});

/* The points of the chart's series k: [{x, value, lo, hi}]. */
async function points(p, k) {
	return p.locator(`figure.chart svg g.series[data-series="${k}"] [data-value]`)
	    .evaluateAll((els) => els.map((e) => ({ x: e.getAttribute('data-x'),
		value: e.getAttribute('data-value'), lo: e.getAttribute('data-lo'),
		hi: e.getAttribute('data-hi') })));
}

test('an item: its details, its chart equal to the table beneath, its stock history', async () => {
	await gotoPage(page, '/admin/inventory?low=1');
	await clickAndWait(page, page.getByRole('link', { name: items.oat.sku }));
	assert.equal(pathOf(page), `/admin/inventory/${items.oat.id}`);
	assert.equal(await text(page.locator('h1')), 'Oat milk');
	const preds = await predictions(org.key);
	const want = await expected(org.key, items.oat, preds);
	const facts = Object.fromEntries(await page.locator('table.facts tr').evaluateAll(
	    (trs) => trs.map((tr) => [tr.cells[0].innerText.trim(), tr.cells[1].innerText.trim()])));
	assert.deepEqual({ ...facts, 'Days of cover': undefined, 'Forecast demand a day': undefined }, {
		SKU: items.oat.sku, Name: 'Oat milk', Category: `Dairy-${tag}`, Unit: 'l',
		'Stock on hand': '10 l', 'Low-stock threshold': '20 l', Stock: 'Low stock',
		'Unit cost': '1.15', Supplier: `Nile Dairy & Co. ${tag}`,
		'Days of cover': undefined, 'Forecast demand a day': undefined,
		'Suggested reorder quantity': `${want.suggestion} l`,
		'Forecast method': want.first.method, 'Forecast period': 'Days',
	});
	assert.ok(want.cover.includes(facts['Days of cover']));
	assert.equal(facts['Forecast demand a day'], `${shortest(units(want.first.forecastQty))} l`);

	// The chart: an image with a title, drawn by the server.
	const svg = page.locator('figure.chart svg');
	assert.equal(await svg.count(), 1);
	assert.equal(await svg.getAttribute('role'), 'img');
	assert.equal(await svg.locator(':scope > title').textContent(), 'Demand and forecast of Oat milk');

	// The table beneath: one row per period, the demand of each day up
	// to yesterday (0 where there was none), then the forecast.
	const table = await page.locator('table.chart-data tbody tr').evaluateAll((trs) =>
	    trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
	const future = preds.filter((p) => p.itemId === items.oat.id)
	    .sort((a, b) => a.periodStart.localeCompare(b.periodStart));
	const past = table.length - future.length;
	assert.ok(past >= HISTORY_DAYS, `${past} days of demand shown`);
	for (let i = 0; i < past; i++) {
		const d = past - i;
		assert.deepEqual(table[i], [day(-d), d <= HISTORY_DAYS ?
		    String(SPECS.oat.demand(d)) : '0', '—', '—', '—', '—'],
		    `demand of ${day(-d)}`);
	}
	let left = 100000n;	// 10 on hand
	future.forEach((p, i) => {
		assert.deepEqual(table[past + i], [p.periodStart,
		    '—', shortest(units(p.forecastQty)), shortest(units(p.lowerQty)),
		    shortest(units(p.upperQty)), shortest(left > 0n ? left : 0n)]);
		left -= units(p.forecastQty);
	});

	// Every plotted number is the table's: bars of demand, the dashed
	// forecast with its bounds, the projected stock.
	const label = (row) => row[0];
	assert.deepEqual(await points(page, 0), table.slice(0, past).map((row) =>
	    ({ x: label(row), value: row[1], lo: null, hi: null })));
	assert.deepEqual(await points(page, 1), table.slice(past).map((row) =>
	    ({ x: label(row), value: row[2], lo: row[3], hi: row[4] })));
	assert.deepEqual(await points(page, 2), table.slice(past).map((row) =>
	    ({ x: label(row), value: row[5], lo: null, hi: null })));
	const legend = await svg.locator('g.legend').innerHTML();
	for (const name of ['Past demand', 'Forecast', 'Projected stock'])
		assert.ok(legend.includes(name), `the legend names ${name}`);

	// The stock history, newest first.
	const history = await page.locator('table.history tbody tr').evaluateAll((trs) =>
	    trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
	assert.ok(history.length >= 1);
	assert.deepEqual(history[0].slice(1), ['adjustment', 'Spilled in the browser test',
	    history[0][3], '-2', '10']);
	assert.match(history[0][3], /^[0-9a-f-]{36}$/, 'who: the API key');
	assert.match(history[0][0], /^\d{4}-\d\d-\d\d/);
	await screenshot(page, 'inventory-item');

	// An item with no history: an empty chart that says so, no table.
	await gotoPage(page, `/admin/inventory/${items.idle.id}`);
	assert.equal(await page.locator('table.chart-data').count(), 0);
	assert.ok(await page.getByText('No order history or forecast yet.').isVisible());
	assert.equal(await page.locator('figure.chart svg').count(), 1);
	assert.deepEqual(page.dialogs, []);
});

test('an item\'s name with markup stays text on its page', async () => {
	await gotoPage(page, `/admin/inventory/${items.beans.id}`);
	assert.equal(await text(page.locator('h1')), items.beans.name);
	assert.equal(await page.locator('main script').count(), 0);
	const html = await page.content();
	assert.ok(!html.includes(XSS_SCRIPT), 'no raw markup anywhere, the SVG included');
	assert.ok(html.includes('Beans &lt;script&gt;alert(1)&lt;/script&gt; &amp; "Roast"') ||
	    html.includes('Beans &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Roast&quot;'));
	assert.deepEqual(page.dialogs, []);
});

/* Purchase orders of the organization in a status, newest last. */
function ordersIn(status) {
	return sql('SELECT o.public_id FROM purchase_orders o JOIN organizations g' +
	    ` ON g.id = o.org_id WHERE g.slug = ${sqlQuote(org.slug)} AND` +
	    ` o.status = ${sqlQuote(status)} ORDER BY o.id`).map((r) => r[0]);
}

test('reorder: drafts per supplier from the chosen suggestions, submitted, then approved', async () => {
	const before = ordersIn('DRAFT');
	await gotoPage(page, '/admin/inventory');

	// Nothing chosen: refused with why, nothing written.
	for (const box of await page.locator('table.stock input[type=checkbox]').all())
		await box.uncheck();
	let resp = await clickAndWait(page, page.getByRole('button',
	    { name: 'Create draft purchase orders' }));
	assert.equal(resp.status(), 400);
	assert.equal(await text(page.locator('.notice.error')), 'Choose at least one item to order.');
	assert.deepEqual(ordersIn('DRAFT'), before);

	// Oat milk (40, typed) and the beans (their suggestion) are chosen.
	await gotoPage(page, '/admin/inventory');
	const beansRow = page.locator(`tr[id="item-${items.beans.id}"]`);
	const beansQty = await beansRow.getByRole('spinbutton').inputValue();
	assert.ok(Number(beansQty) > 0, `the beans' suggestion: ${beansQty}`);
	await page.getByLabel(`Quantity of ${items.oat.sku} to order`).fill('40');
	resp = await clickAndWait(page, page.getByRole('button',
	    { name: 'Create draft purchase orders' }));
	assert.equal(resp.status(), 200);
	assert.equal(pathOf(page), '/admin/inventory', 'back to the list (POST-redirect-GET)');
	assert.equal(await text(page.locator('.notice.ok')),
	    'Created 2 draft purchase orders, one per supplier. Submit each for approval below.');
	const made = ordersIn('DRAFT').filter((id) => !before.includes(id));
	assert.equal(made.length, 2);

	// One draft per supplier, with the chosen quantities.
	const drafts = {};
	for (const id of made) {
		const r = await api(org.key, 'GET', `/api/integrations/v1/orders/${id}`);
		assert.equal(r.status, 200);
		assert.equal(r.body.data.status, 'DRAFT');
		drafts[r.body.data.vendorName ?? 'none'] = r.body.data;
	}
	const nile = drafts[`Nile Dairy & Co. ${tag}`];
	assert.deepEqual(nile.lines.map((l) => [l.sku, l.quantity]), [[items.oat.sku, 40]]);
	assert.deepEqual(drafts.none.lines.map((l) => [l.sku, l.quantity]),
	    [[items.beans.sku, Number(beansQty)]]);
	const listed = await page.locator('table.drafts tbody tr').evaluateAll((trs) =>
	    trs.map((tr) => [...tr.cells].slice(0, 5).map((c) => c.innerText.trim())));
	assert.deepEqual(listed.sort(), [
		[nile.id, `Nile Dairy & Co. ${tag}`, '1', '46', 'DRAFT'],
		[drafts.none.id, 'No supplier', '1', '0', 'DRAFT'],
	].sort());
	await screenshot(page, 'inventory-drafts');

	// Submit the vendor's draft: it waits for approval, audited; the
	// other draft is still listed with its button.
	resp = await clickAndWait(page, page.getByRole('button',
	    { name: `Submit for approval: ${nile.id}` }));
	assert.equal(resp.status(), 200);
	assert.equal(await text(page.locator('.notice.ok')), `Purchase order ${nile.id} was ` +
	    'submitted for approval; it waits on the Approvals page.');
	assert.equal(await page.getByRole('button', { name: `Submit for approval: ${drafts.none.id}` })
	    .count(), 1);
	assert.deepEqual(sql('SELECT h.from_status, h.to_status, h.actor FROM order_status_history h' +
	    ' JOIN purchase_orders o ON o.id = h.order_id WHERE o.public_id = ' +
	    sqlQuote(nile.id)), [['DRAFT', 'SUBMITTED', `user:${org.admin.email}`]]);
	const events = sql('SELECT payload FROM events e JOIN organizations g ON g.id = e.org_id' +
	    ` WHERE g.slug = ${sqlQuote(org.slug)} AND e.type = 'order.status_changed'`)
	    .map((r) => JSON.parse(r[0])).filter((p) => p.orderId === nile.id);
	assert.deepEqual(events.map((p) => [p.previousStatus, p.status]), [['DRAFT', 'SUBMITTED']]);

	// Submitting it again is refused with why.
	resp = await page.request.post(`${BASE}/admin/inventory/drafts/${nile.id}/submit`, {
		form: { csrf: await page.locator('input[name=csrf]').first().inputValue() },
	});
	assert.equal(resp.status(), 409);
	assert.match(await resp.text(), /is SUBMITTED, not a draft; nothing changed\./);

	// Approved on the approvals page.
	await clickAndWait(page, page.getByRole('link', { name: 'Approvals' }));
	const row = page.locator('tr', { hasText: nile.id });
	assert.equal(await row.count(), 1, 'the submitted draft waits for approval');
	await row.getByPlaceholder('Note').fill('From the forecast');
	await clickAndWait(page, row.getByRole('button', { name: 'Approve' }));
	const decided = page.locator('table', { has: page.locator('th', { hasText: 'Decision' }) })
	    .locator('tr', { hasText: nile.id });
	assert.deepEqual((await decided.locator('td').allInnerTexts()).slice(0, 4),
	    [nile.id, 'APPROVED', `user:${org.admin.email}`, 'From the forecast']);
	assert.deepEqual(sql('SELECT status FROM purchase_orders WHERE public_id = ' +
	    sqlQuote(nile.id)), [['APPROVED']]);
	assert.deepEqual(page.dialogs, []);
});

test('reorder: a quantity that is no number, another organization\'s item, nothing to order', async () => {
	const before = ordersIn('DRAFT');
	const csrf = await (async () => {
		await gotoPage(page, '/admin/inventory');
		return page.locator('input[name=csrf]').first().inputValue();
	})();
	const post = (form) => page.request.post(`${BASE}/admin/inventory/reorder`, { form });
	let resp = await post({ csrf, item: items.oat.id, [`qty-${items.oat.id}`]: 'ten' });
	assert.equal(resp.status(), 400);
	assert.match(await resp.text(), /Each quantity is a number of 0 or more/);
	resp = await post({ csrf, item: items.oat.id, [`qty-${items.oat.id}`]: '-1' });
	assert.equal(resp.status(), 400);
	resp = await post({ csrf, item: otherItem.id });
	assert.equal(resp.status(), 404);
	assert.match(await resp.text(), /not in this organization&#39;s inventory/);
	resp = await post({ csrf, item: items.cups.id, [`qty-${items.cups.id}`]: '0' });
	assert.equal(resp.status(), 422);
	resp = await post({ item: items.oat.id });
	assert.equal(resp.status(), 403, 'no CSRF token');
	assert.deepEqual(ordersIn('DRAFT'), before, 'nothing written');
	assert.equal(sql('SELECT COUNT(*) FROM purchase_orders o JOIN organizations g ON' +
	    ` g.id = o.org_id WHERE g.slug = ${sqlQuote(other.slug)}`)[0][0], '0');
});

test('a member sees the list and an item, without the forms', async () => {
	const { context: mc, page: mp } = await newPage(browser);
	await signIn(mp, org.member.email, org.member.password);
	await clickAndWait(mp, mp.getByRole('link', { name: 'Inventory' }));
	assert.equal(pathOf(mp), '/admin/inventory');
	const shown = await rows(mp);
	assert.equal(shown.length, 4);
	assert.ok(shown.every((r) => r.checked === null && r.qty === null));
	assert.equal(await mp.locator('form.reorder').count(), 0);
	assert.equal(await mp.getByRole('button', { name: 'Create draft purchase orders' }).count(), 0);
	assert.equal(await mp.getByRole('columnheader', { name: 'Order', exact: true }).count(), 0);
	await gotoPage(page, '/admin/inventory');
	assert.equal(await page.getByRole('columnheader', { name: 'Order', exact: true }).count(), 1,
	    'an admin has the column');
	await gotoPage(mp, `/admin/inventory/${items.oat.id}`);
	assert.equal(await mp.locator('figure.chart svg').count(), 1);
	assert.equal(await mp.locator('main form').count(), 0);
	const csrf = await mp.locator('input[name=csrf]').first().inputValue();
	const resp = await mp.request.post(`${BASE}/admin/inventory/reorder`,
	    { form: { csrf, item: items.oat.id } });
	assert.equal(resp.status(), 403, 'the route is the admins\'');
	await mc.close();
});

test('another organization\'s item and an unknown one: the console\'s 404 page', async () => {
	let resp = await gotoPage(page, `/admin/inventory/${otherItem.id}`);
	assert.equal(resp.status(), 404);
	assert.equal(await text(page.locator('h1')), 'Not Found');
	assert.ok(!(await page.content()).includes('Their item'));
	resp = await gotoPage(page, '/admin/inventory/00000000-0000-0000-0000-000000000000');
	assert.equal(resp.status(), 404);
	resp = await gotoPage(page, `/admin/inventory/drafts/x/submit`);
	assert.ok([404, 405].includes(resp.status()));
});
