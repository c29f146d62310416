// onboarding.test.mjs - a storefront becomes a client over real HTTP:
// GET /api/onboarding/check-slug/{slug}, POST /api/onboarding/request
// (the organization and its first fc_live_ key, 409 for a taken slug,
// six concurrent requests for one slug make one client, 400 naming the
// field, the per-address limit with 429) and GET /api/me/usage (the
// client's own counts and events; an admin key is refused).
//
// The per-address limit: every request of these tests comes from
// 127.0.0.1, and the stack allows onboarding_per_hour (10) requests an
// hour from one address. So each test starts with the address's budget
// whole (its counter rows deleted) and spends less than it; the limit
// test spends it all and shows the next request refused. No other test
// file makes onboarding requests, and the tests of one file run one
// after the other.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { adminKey, call, confValue, ctl, newClient, q, rand, sql }
    from './lib.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REQID = /^[0-9a-f]{32}$/;
const PER_HOUR = Number(confValue('onboarding_per_hour') ?? 10);

async function freshBudget() {
	await sql("DELETE FROM rate_counters WHERE scope LIKE 'onboarding:addr:%'");
}

const onboard = (body) => call(null, 'POST', '/api/onboarding/request', body);
const checkSlug = (slug) => call(null, 'GET',
    `/api/onboarding/check-slug/${encodeURIComponent(slug)}`);

function request(slug, over = {}) {
	return { companyName: `Store ${slug}`, desiredSlug: slug,
	    email: `owner@${slug}.example`, ...over };
}

async function orgRows(slug) {
	return sql('SELECT id, public_id, name, contact_email, client_active ' +
	    `FROM organizations WHERE slug = ${q(slug)}`);
}

async function keyCount(slug) {
	const [[n]] = await sql('SELECT COUNT(*) FROM api_keys k JOIN ' +
	    `organizations o ON o.id = k.org_id WHERE o.slug = ${q(slug)}`);
	return Number(n);
}

function assertError(res, status, re, what) {
	assert.equal(res.status, status, `${what}: ${res.text}`);
	assert.deepEqual(Object.keys(res.json).sort(), ['error', 'requestId'],
	    what);
	assert.match(res.json.error, re, what);
	assert.match(res.json.requestId, REQID, what);
	assert.equal(res.headers.get('x-request-id'), res.json.requestId, what);
}

test('check-slug: available, taken by any organization, invalid', async () => {
	const free = `free-${rand(4)}`;
	let res = await checkSlug(free);

	assert.equal(res.status, 200, res.text);
	assert.deepEqual(res.json, { available: true, slug: free });

	// Taken by an organization made without onboarding.
	const taken = `taken-${rand(4)}`;
	await ctl(['org', 'create', '--slug', taken, '--name', 'Taken']);
	res = await checkSlug(taken);
	assert.equal(res.status, 200, res.text);
	assert.deepEqual(res.json, { available: false, slug: taken,
	    message: 'Slug is already taken' });

	for (const bad of ['a', 'Upper', 'has_underscore', '-leading',
	    'dot.ted', 'caf\u00e9', 'x'.repeat(51)]) {
		res = await checkSlug(bad);
		assertError(res, 400, /^slug: /, `slug ${bad}`);
	}
	// 50 is the contract's longest.
	res = await checkSlug('y'.repeat(50));
	assert.equal(res.status, 200, res.text);
	assert.equal(res.json.available, true);

	// A wrong method is 405 (for a caller the family knows: without a
	// key the family's credential is asked first, as on any path of it).
	const c = await newClient('method');
	res = await c.api('POST', `/api/onboarding/check-slug/${free}`);
	assert.equal(res.status, 405);
	assert.equal(res.headers.get('allow'), 'GET');
	res = await c.api('GET', '/api/onboarding/request');
	assert.equal(res.status, 405);
	assert.equal(res.headers.get('allow'), 'POST');
});

test('request: 201 makes the organization and its first client key, ' +
    'shown once; the key works', async () => {
	await freshBudget();
	const slug = `new-${rand(4)}`;
	const res = await onboard(request(slug));

	assert.equal(res.status, 201, res.text);
	assert.deepEqual(Object.keys(res.json).sort(), ['apiKey', 'clientId',
	    'message', 'slug', 'success']);
	assert.equal(res.json.success, true);
	assert.equal(res.json.slug, slug);
	assert.match(res.json.clientId, UUID);
	assert.match(res.json.apiKey, /^fc_live_[A-Za-z0-9]{20,}$/);
	assert.match(res.json.message, /only once/);

	const [[, publicId, name, contact, active]] = await orgRows(slug);
	assert.equal(publicId, res.json.clientId);
	assert.equal(name, `Store ${slug}`);
	assert.equal(contact, `owner@${slug}.example`);
	assert.equal(active, '1');
	// One key, of the client kind, kept only as its hash and last four.
	const keys = await sql('SELECT k.kind, k.prefix, k.last4, ' +
	    'LENGTH(k.token_hash) FROM api_keys k JOIN organizations o ON ' +
	    `o.id = k.org_id WHERE o.slug = ${q(slug)}`);
	assert.deepEqual(keys, [['client', 'fc_live_',
	    res.json.apiKey.slice(-4), '32']]);

	// The key is the client's: its usage names the new client.
	const usage = await call(res.json.apiKey, 'GET', '/api/me/usage');
	assert.equal(usage.status, 200, usage.text);
	assert.deepEqual(usage.json, { clientId: res.json.clientId,
	    fulfilledOrders: 0, productCreations: 0, events: [] });

	// The slug is now taken for check-slug too.
	const check = await checkSlug(slug);
	assert.equal(check.json.available, false);
});

test('request: a taken slug is 409 with no key and nothing written',
    async () => {
	await freshBudget();
	const slug = `dup-${rand(4)}`;
	await ctl(['org', 'create', '--slug', slug, '--name', 'First']);
	const [[orgsBefore]] = await sql('SELECT COUNT(*) FROM organizations');
	const keysBefore = await keyCount(slug);

	const res = await onboard(request(slug, { companyName: 'Second' }));
	assertError(res, 409, new RegExp(`^desiredSlug: ${slug} is already ` +
	    'taken$'), 'taken');
	assert.ok(!res.text.includes('fc_live_'));

	const [[orgsAfter]] = await sql('SELECT COUNT(*) FROM organizations');
	assert.equal(orgsAfter, orgsBefore);
	assert.equal(await keyCount(slug), keysBefore);
	const [[, , name, contact]] = await orgRows(slug);
	assert.equal(name, 'First');
	assert.equal(contact, 'NULL');
});

test('request: 400 names the field, and writes nothing', async () => {
	await freshBudget();
	const slug = `bad-${rand(4)}`;
	const cases = [
		['not JSON', '{"companyName":', /./],
		['not an object', [slug], /^body: /],
		['no companyName', request(slug, { companyName: undefined }),
		    /^companyName: is required$/],
		['blank companyName', request(slug, { companyName: '   ' }),
		    /^companyName: /],
		['long companyName', request(slug, { companyName: 'n'.repeat(101) }),
		    /^companyName: /],
		['slug of capitals', request(slug, { desiredSlug: 'Bad-Slug' }),
		    /^desiredSlug: /],
		['slug too long', request(slug, { desiredSlug: 'z'.repeat(51) }),
		    /^desiredSlug: /],
		['email', request(slug, { email: 'not-an-email' }), /^email: /],
		['email a number', request(slug, { email: 42 }), /^email: /],
	];

	assert.ok(cases.length < PER_HOUR, 'the cases fit in one budget');
	for (const [what, body, re] of cases) {
		const res = await onboard(body);
		assertError(res, 400, re, what);
	}
	assert.deepEqual(await orgRows(slug), []);
});

test('request: six at once for one slug make exactly one client', async () => {
	await freshBudget();
	const slug = `race-${rand(4)}`;
	const all = await Promise.all(Array.from({ length: 6 }, (_, i) =>
	    onboard(request(slug, { companyName: `Racer ${i}` }))));
	const statuses = all.map((r) => r.status).sort();

	assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409],
	    all.map((r) => r.text).join('\n'));
	const won = all.find((r) => r.status === 201);
	const rows = await orgRows(slug);
	assert.equal(rows.length, 1);
	assert.equal(rows[0][1], won.json.clientId);
	assert.equal(await keyCount(slug), 1);
	for (const r of all.filter((x) => x.status === 409))
		assert.ok(!r.text.includes('fc_live_'));
});

test('request: more than onboarding_per_hour from one address is 429 ' +
    'with Retry-After, counted before the body is read', async () => {
	const hour = () => Math.floor(Date.now() / 3600000);

	// Once more if the hour turned while counting (a fixed window).
	for (let attempt = 0; attempt < 2; attempt++) {
		await freshBudget();
		const start = hour();
		const seen = [];

		// Bad bodies count too.
		for (let i = 0; i < PER_HOUR; i++)
			seen.push((await onboard({})).status);
		// The worker's housekeeping, run as it would in the hour's last
		// second (it forgets windows older than ten minutes), does not
		// give the budget back.
		const lastSecond = (start + 1) * 3600 - 1;
		await sql('DELETE FROM rate_counters WHERE window_start < ' +
		    `${lastSecond - 600} AND scope LIKE 'onboarding:addr:%'`);
		const slug = `late-${rand(4)}`;
		const res = await onboard(request(slug));
		if (hour() !== start)
			continue;
		assert.deepEqual(seen, Array(PER_HOUR).fill(400));
		assertError(res, 429, /^too many requests: at most \d+ every 3600 s/,
		    'over the limit');
		const retry = Number(res.headers.get('retry-after'));
		const left = 3600 - Math.floor(Date.now() / 1000) % 3600;
		assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 3600,
		    `Retry-After ${retry}`);
		assert.ok(Math.abs(retry - left) <= 2, `Retry-After ${retry}, ` +
		    `${left} s left in the hour`);
		// Refused before anything was written.
		assert.deepEqual(await orgRows(slug), []);
		// check-slug is a read and is not limited.
		assert.equal((await checkSlug(slug)).status, 200);
		await freshBudget();
		return;
	}
	assert.fail('the hour turned twice while counting');
});

// Usage rows as products.c and orders.c write them (usage_record), put
// in with SQL so that the counts are known.
async function addUsage(orgId, kind, ref, at) {
	assert.match(at, /^[0-9: .-]+$/);
	await sql('INSERT INTO fulfill_usage_events (org_id, kind, ref_id, ' +
	    `created_at) VALUES (${orgId}, ${q(kind)}, ${ref ? q(ref) : 'NULL'},` +
	    ` '${at}')`);
}

test('usage: the calling client\'s counts and events, newest first',
    async () => {
	const a = await newClient('use');
	const b = await newClient('use');
	const rows = [
		['order_fulfilled', 'ord-1', '2026-01-01 10:00:00.000'],
		['product_created', 'prod-1', '2026-01-01 11:00:00.000'],
		['order_fulfilled', 'ord-2', '2026-01-02 10:00:00.000'],
		['product_created', null, '2026-01-02 11:00:00.000'],
		['order_fulfilled', 'ord-3', '2026-01-03 10:00:00.500'],
	];

	for (const [kind, ref, at] of rows)
		await addUsage(a.id, kind, ref, at);
	await addUsage(b.id, 'order_fulfilled', 'ord-b', '2026-01-04 00:00:00.000');

	let res = await a.api('GET', '/api/me/usage');
	assert.equal(res.status, 200, res.text);
	assert.deepEqual(res.json, {
		clientId: a.publicId, fulfilledOrders: 3, productCreations: 2,
		events: [
			{ eventType: 'order_fulfilled', orderId: 'ord-3', metadata: {},
			    createdAt: '2026-01-03T10:00:00.500Z',
			    type: 'order_fulfilled', refId: 'ord-3' },
			{ eventType: 'product_created', orderId: null, metadata: {},
			    createdAt: '2026-01-02T11:00:00.000Z',
			    type: 'product_created', refId: null },
			{ eventType: 'order_fulfilled', orderId: 'ord-2', metadata: {},
			    createdAt: '2026-01-02T10:00:00.000Z',
			    type: 'order_fulfilled', refId: 'ord-2' },
			{ eventType: 'product_created', orderId: null,
			    metadata: { productId: 'prod-1' },
			    createdAt: '2026-01-01T11:00:00.000Z',
			    type: 'product_created', refId: 'prod-1' },
			{ eventType: 'order_fulfilled', orderId: 'ord-1', metadata: {},
			    createdAt: '2026-01-01T10:00:00.000Z',
			    type: 'order_fulfilled', refId: 'ord-1' },
		],
	});

	// The other client sees only its own.
	res = await b.api('GET', '/api/me/usage');
	assert.equal(res.status, 200, res.text);
	assert.equal(res.json.clientId, b.publicId);
	assert.equal(res.json.fulfilledOrders, 1);
	assert.equal(res.json.productCreations, 0);
	assert.deepEqual(res.json.events.map((e) => e.refId), ['ord-b']);
});

test('usage: at most 200 events, the counts of all', async () => {
	const c = await newClient('many');
	const values = Array.from({ length: 205 }, (_, i) =>
	    `(${c.id}, 'product_created', 'p-${i}')`).join(', ');

	await sql('INSERT INTO fulfill_usage_events (org_id, kind, ref_id) ' +
	    `VALUES ${values}`);
	await addUsage(c.id, 'order_fulfilled', 'last', '2026-02-01 00:00:00');
	const res = await c.api('GET', '/api/me/usage');
	assert.equal(res.status, 200, res.text);
	assert.equal(res.json.productCreations, 205);
	assert.equal(res.json.fulfilledOrders, 1);
	assert.equal(res.json.events.length, 200);
	assert.equal(res.json.events[0].refId, 'last');
	assert.equal(res.json.events[1].refId, 'p-204');
	assert.equal(res.json.events[199].refId, 'p-6');
});

test('usage: an admin key is 403; no key, a wrong one or a Bearer is 401',
    async () => {
	const admin = await adminKey();
	let res = await admin.api('GET', '/api/me/usage');
	assertError(res, 403, /client/, 'admin key');

	res = await call(null, 'GET', '/api/me/usage');
	assertError(res, 401, /./, 'no key');
	res = await call('fc_live_notakeyatallnotakeyatall1234', 'GET',
	    '/api/me/usage');
	assertError(res, 401, /./, 'unknown key');
	const c = await newClient('bearer');
	res = await call(null, 'GET', '/api/me/usage', undefined,
	    { authorization: `Bearer ${c.key}` });
	assertError(res, 401, /./, 'Bearer');
	res = await c.api('POST', '/api/me/usage', {});
	assert.equal(res.status, 405);
});
