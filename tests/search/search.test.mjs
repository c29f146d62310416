// search.test.mjs - the matching rules of search= (issue 14, README
// "Search") over real HTTP, with exact result sets, for every list that
// has one: the items API (search=), the console's inventory (q=) and
// blueprints (search=). An item matches when its SKU begins with the
// term byte for byte (the (org_id, sku) index), or when every word of the
// term begins a word of its name or SKU, any case and accents (the
// FULLTEXT index over search_words); a blueprint when every word begins a
// word of its name. Short words, stopwords, LIKE's % and _, paging
// through a search, every writer of a name (create, PUT by SKU,
// ingestion's autoCreateItems, a bulk INSERT as the import does) and
// tenant isolation.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';

import { call, newOrg, sql, q, rand } from '../cases/lib.mjs';
import { fixture } from '../webhooks/stack.mjs';

const ITEMS = '/api/integrations/v1/inventory/items';
const BP = '/api/v1/blueprints';

let f;		// the organization searched: a console session and a key
const sku = {};	// tag -> the item's SKU
const ids = {};	// tag -> the item's id

// Tags of the items each SKU belongs to (the fixture's own item: 'fx').
function tagOf(s) {
	return Object.keys(sku).find((t) => sku[t] === s) ?? s;
}

async function newItem(tag, s, name, extra = {}) {
	const r = await call(f.key, 'POST', ITEMS, { sku: s, name, ...extra });
	assert.equal(r.status, 201, r.text);
	sku[tag] = s;
	ids[tag] = r.json.data.id;
}

// The tags the items API finds for term (every page of 200), sorted.
async function found(term, extra = '') {
	const r = await call(f.key, 'GET', `${ITEMS}?limit=200&search=` +
	    `${encodeURIComponent(term)}${extra}`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.nextCursor, null);
	return r.json.data.map((i) => tagOf(i.sku)).sort();
}

// The tags the console's inventory list shows for q=term, sorted.
async function shown(term) {
	const r = await f.get(`/admin/inventory?limit=200&q=${encodeURIComponent(term)}`);
	assert.equal(r.status, 200, r.text.slice(0, 300));
	const seen = [...r.text.matchAll(/<a href="\/admin\/inventory\/([0-9a-f-]{36})">/g)]
	    .map((m) => Object.keys(ids).find((t) => ids[t] === m[1]) ?? m[1]);
	return [...new Set(seen)].sort();
}

before(async () => {
	// The fixture's "Test coffee" (SKU-<slug>, random words) archived:
	// 'fx', found only with includeArchived.
	f = await fixture();
	sku.fx = f.sku;
	await sql('UPDATE inventory_items SET archived = 1 WHERE sku = ' +
	    q(f.sku));
	await newItem('ara', 'COF-ARA', 'Arabica Coffee beans');
	await newItem('low', 'cof-low', 'Decaf blend');
	await newItem('tea', 'TEA-GRN', 'Green tea');
	await newItem('pct', 'PCT_1', 'Ratio 50% mix');
	await newItem('off', '%OFF-1', 'Discount card');
	await newItem('the', 'P1T-9', 'The best of the rest');
	await newItem('xl', 'XL-2', 'T-shirt XL');
	await newItem('cafe', 'CAFE-1', 'Café crème');
	await newItem('mint', 'S19-0499', 'Mint pack');
	await newItem('arch', 'ARCH-1', 'Old coffee', { archived: true });
	// Another organization's look-alike must never show.
	const other = await newOrg('search-other');
	const o = await other.api('POST', ITEMS, { sku: 'COF-THEIRS',
	    name: 'Coffee theirs' });
	assert.equal(o.status, 201, o.text);
});

test('a SKU prefix, byte for byte, or the words of a SKU in any case', async () => {
	assert.deepEqual(await found('COF-ARA'), ['ara']);
	assert.deepEqual(await found('S19-04'), ['mint']);
	assert.deepEqual(await found('S19-0499'), ['mint']);
	// "cof-l" is a prefix of cof-low only; "COF-L" its words in
	// another case: the same answer through the other index.
	assert.deepEqual(await found('cof-l'), ['low']);
	assert.deepEqual(await found('COF-L'), ['low']);
	// A word of the SKU, not only its start.
	assert.deepEqual(await found('0499'), ['mint']);
	assert.deepEqual(await found('grn'), ['tea']);
	// Names and SKUs alike: Coffee, COF-ARA, cof-low.
	assert.deepEqual(await found('COF'), ['ara', 'low']);
	assert.deepEqual(await found('cof'), ['ara', 'low']);
});

test('name words: each word of the term begins a word, any case and accents', async () => {
	assert.deepEqual(await found('coffee'), ['ara']);
	assert.deepEqual(await found('COFFEE'), ['ara']);
	assert.deepEqual(await found('green TEA'), ['tea']);
	assert.deepEqual(await found('tea green'), ['tea'], 'any order');
	assert.deepEqual(await found('tea-g'), ['tea']);
	assert.deepEqual(await found('mint 0499'), ['mint'], 'name and SKU words');
	assert.deepEqual(await found('creme'), ['cafe']);
	assert.deepEqual(await found('CAFÉ'), ['cafe']);
	assert.deepEqual(await found('decaf'), ['low']);
	// The start of a word, not any substring.
	assert.deepEqual(await found('offee'), []);
	assert.deepEqual(await found('rabica'), []);
	assert.deepEqual(await found('tea blue'), [], 'every word must match');
	assert.deepEqual(await found('zzzz'), []);
	// Archived items only on request.
	assert.deepEqual(await found('coffee', '&includeArchived=true'),
	    ['ara', 'arch', 'fx']);
});

test('the other words of a term are checked on what its rarest word finds', async () => {
	// FULLTEXT gets the longest word; the others must begin a word of
	// the same row, any case and accents, as FULLTEXT would have it.
	assert.deepEqual(await found('arabica c'), ['ara']);
	assert.deepEqual(await found('arabica d'), [], 'a word of no row');
	assert.deepEqual(await found('arabica b'), ['ara']);
	assert.deepEqual(await found('arabica eans'), [], 'not a word start');
	assert.deepEqual(await found('creme CAFE'), ['cafe'], 'accents');
	assert.deepEqual(await found('crème cafe'), ['cafe'], 'accents, whole');
	assert.deepEqual(await found('0499 s'), ['mint']);
	assert.deepEqual(await found('0499 t'), []);
	// A word of another organization's row never checks out.
	assert.deepEqual(await found('coffee theirs'), []);
	// Five words go one to FULLTEXT and four to the check; six whole.
	assert.deepEqual(await found('the best of the rest'), ['the']);
	assert.deepEqual(await found('the best of the rest r'), ['the']);
	assert.deepEqual(await found('the best of the rest x'), []);
});

test('short words and stopwords still match', async () => {
	// Shorter than innodb_ft_min_token_size (3).
	assert.deepEqual(await found('xl'), ['xl']);
	assert.deepEqual(await found('T'), ['tea', 'the', 'xl']);
	assert.deepEqual(await found('t xl'), ['xl']);
	assert.deepEqual(await found('50'), ['pct']);
	// In InnoDB's stopword list.
	assert.deepEqual(await found('the'), ['the']);
	assert.deepEqual(await found('of the'), ['the']);
	assert.deepEqual(await found('the best'), ['the']);
	assert.deepEqual(await found('a'), ['ara']);
});

test('% and _ are plain characters, not LIKE patterns', async () => {
	// Only %OFF-1 begins with "%"; a pattern would match every SKU.
	assert.deepEqual(await found('%'), ['off']);
	// "%O": the SKU %OFF-1, and the word "O" (OFF, "of").
	assert.deepEqual(await found('%O'), ['off', 'the']);
	assert.deepEqual(await found('_'), []);
	assert.deepEqual(await found('%_'), []);
	assert.deepEqual(await found('PCT_'), ['pct']);
	assert.deepEqual(await found('50%'), ['pct']);
	// A term of only punctuation matches no words.
	assert.deepEqual(await found('-'), []);
	assert.deepEqual(await found('"*+'), []);
});

test('paging through a search: every match once, in the list order', async () => {
	const page = `Page-${rand(3)}`;
	for (let i = 0; i < 7; i++) {
		await newItem(`pg${i}`, `PG${i}-${rand(3)}`, `${page} item ${i}`);
		await newItem(`np${i}`, `NP${i}-${rand(3)}`, `Filler ${i}`);
	}
	const all = await found(page);
	assert.deepEqual(all, [0, 1, 2, 3, 4, 5, 6].map((i) => `pg${i}`).sort());
	const seen = [];
	let cursor = null;
	let pages = 0;
	do {
		const r = await call(f.key, 'GET', `${ITEMS}?limit=3&search=` +
		    `${encodeURIComponent(page.toLowerCase())}` +
		    (cursor ? `&cursor=${cursor}` : ''));
		assert.equal(r.status, 200, r.text);
		seen.push(...r.json.data.map((i) => tagOf(i.sku)));
		cursor = r.json.nextCursor;
		pages++;
	} while (cursor && pages < 10);
	assert.equal(pages, 3);
	assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6].map((i) => `pg${i}`));
});

test('every writer of a name keeps the index right', async () => {
	const w = rand(4).toLowerCase();
	// PUT by SKU creates, then renames: the old words stop matching.
	let r = await call(f.key, 'PUT', `${ITEMS}/by-sku/PUT-${w}`,
	    { name: `Walnut${w} oil` });
	assert.ok(r.status === 200 || r.status === 201, r.text);
	sku.put = `PUT-${w}`;
	assert.deepEqual(await found(`walnut${w}`), ['put']);
	r = await call(f.key, 'PUT', `${ITEMS}/by-sku/PUT-${w}`,
	    { name: `Hazel${w} oil` });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(await found(`walnut${w}`), []);
	assert.deepEqual(await found(`hazel${w}`), ['put']);
	// Ingestion's autoCreateItems.
	r = await call(f.key, 'POST', '/api/integrations/v1/ingestion/order-lines',
	    { autoCreateItems: true, lines: [{ sku: `ING-${w}`,
	    itemName: `Pickle${w} jar`, orderedQty: 1,
	    orderDate: '2026-03-01' }] });
	assert.equal(r.status, 201, r.text);
	sku.ing = `ING-${w}`;
	assert.deepEqual(await found(`pickle${w}`), ['ing']);
	assert.deepEqual(await found(`ing-${w}`), ['ing']);
	// A bulk INSERT as the import's catalog writer makes (no SKU; "_"
	// separates words).
	await sql('INSERT INTO inventory_items (public_id, org_id, sku, name)' +
	    ` SELECT UUID(), org_id, NULL, ${q(`Bulk${w}_crate`)}` +
	    ` FROM inventory_items WHERE public_id = ${q(ids.ara)}`);
	r = await call(f.key, 'GET', `${ITEMS}?search=crate+bulk${w}`);
	assert.deepEqual(r.json.data.map((i) => [i.sku, i.name]),
	    [[null, `Bulk${w}_crate`]]);
});

test('the console inventory (q=) matches as the API does', async () => {
	for (const term of ['COF', 'coffee', 'green TEA', 'xl', 'the', 'creme',
	    '%', '_', 'S19-04', '0499', 'offee', 'zzzz']) {
		const api = await found(term);
		assert.deepEqual(await shown(term), api, `q=${term}`);
	}
	assert.deepEqual(await shown('cof'), ['ara', 'low']);
	assert.deepEqual(await shown('theirs'), []);
});

test('blueprints: every word of the term begins a word of the name', async () => {
	const names = { plates: 'Plain plates', copper: 'Copper plate crafting',
	    tee: 'The T-rex kit', mix: 'Mix_50% blend', acc: 'Crème brûlée set' };
	const bid = {};
	for (const [t, name] of Object.entries(names)) {
		const r = await call(f.key, 'POST', BP, { name,
		    output_item_id: ids.ara, blueprint_data: { ingredients: [
		    { item_id: ids.tea, quantity: 1 }] } });
		assert.equal(r.status, 201, r.text);
		bid[r.json.id] = t;
	}
	const bps = async (term) => {
		const r = await call(f.key, 'GET', `${BP}?limit=200&search=` +
		    encodeURIComponent(term));
		assert.equal(r.status, 200, r.text);
		return r.json.data.map((b) => bid[b.id] ?? b.id).sort();
	};
	assert.deepEqual(await bps('plate'), ['copper', 'plates']);
	assert.deepEqual(await bps('PLATE c'), ['copper']);
	assert.deepEqual(await bps('late'), [], 'the start of a word');
	assert.deepEqual(await bps('t'), ['tee']);
	assert.deepEqual(await bps('the'), ['tee']);
	assert.deepEqual(await bps('t rex'), ['tee']);
	assert.deepEqual(await bps('creme brulee'), ['acc']);
	assert.deepEqual(await bps('50'), ['mix']);
	assert.deepEqual(await bps('mix_50'), ['mix']);
	assert.deepEqual(await bps('%'), []);
	assert.deepEqual(await bps('_'), []);
	assert.deepEqual(await bps('zzzz'), []);
	// Paging through a search.
	let r = await call(f.key, 'GET', `${BP}?limit=1&search=plate`);
	assert.deepEqual(r.json.data.map((b) => bid[b.id]), ['plates']);
	r = await call(f.key, 'GET', `${BP}?limit=1&search=plate&cursor=` +
	    r.json.nextCursor);
	assert.deepEqual(r.json.data.map((b) => bid[b.id]), ['copper']);
	assert.equal(r.json.nextCursor, null);
	// Another organization's blueprints are not searched.
	const other = await newOrg('search-bp');
	r = await other.api('GET', `${BP}?search=plate`);
	assert.deepEqual(r.json.data, []);
});
