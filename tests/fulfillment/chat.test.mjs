// chat.test.mjs - a storefront's customer chat, POST /api/chat/{slug},
// over real HTTP: unknown and inactive storefronts (404), the Origin
// rules against the client's allowed origins (set with mihwarctl client
// set-domains), the body rules (400 naming the field), the limit per
// storefront and address (429), and the answers: the customer's latest
// order of this client in Status -> Blocker -> Next Action form, never
// another customer's or another client's order. Orders are put in with
// SQL, as orders.c would have written them.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';

import { call, confValue, ctl, newClient, q, rand, sql } from './lib.mjs';

const REQID = /^[0-9a-f]{32}$/;
const PER_MINUTE = Number(confValue('chat_per_minute') ?? 30);

const chat = (slug, body, headers = {}) => call(null, 'POST',
    `/api/chat/${slug}`, body, headers);

// A literal for a value these tests made themselves (notes, URLs).
function lit(s) {
	if (s === null || s === undefined)
		return 'NULL';
	assert.doesNotMatch(s, /[\\\n]/);
	return `'${s.replace(/'/g, "''")}'`;
}

// An order of org for email in status, placed at (SQL time).
async function addOrder(org, email, status, { note, tracking, trackingUrl,
    at } = {}) {
	const id = randomUUID();

	await sql('INSERT INTO fulfill_orders (public_id, org_id, status, ' +
	    'status_note, customer_email, items, total, stripe_session_id, ' +
	    'tracking_number, tracking_url, created_at) VALUES (' +
	    `${q(id)}, ${org.id}, ${q(status)}, ${lit(note)}, ${lit(email)}, ` +
	    `'[]', 29.9900, ${q(`cs_test_${rand(10)}`)}, ${lit(tracking)}, ` +
	    `${lit(trackingUrl)}, ${lit(at ?? '2026-01-01 00:00:00')})`);
	return id;
}

function assertError(res, status, error, what) {
	assert.equal(res.status, status, `${what}: ${res.text}`);
	assert.deepEqual(Object.keys(res.json).sort(), ['error', 'requestId'],
	    what);
	if (error instanceof RegExp)
		assert.match(res.json.error, error, what);
	else
		assert.equal(res.json.error, error, what);
	assert.match(res.json.requestId, REQID, what);
}

async function answer(slug, body, headers) {
	const res = await chat(slug, body, headers);

	assert.equal(res.status, 200, res.text);
	assert.deepEqual(Object.keys(res.json), ['response']);
	return res.json.response;
}

const ASK_EMAIL = 'I can look up your order once I know the e-mail ' +
    'address you used at checkout. Without it I cannot tell which order ' +
    'is yours. Please ask again with that e-mail address.';
const notFound = (email) => `I could not find an order for ${email} at ` +
    'this store. It may have been placed with another e-mail address. ' +
    'Please check the address on your order confirmation e-mail and ask ' +
    'again with it, or contact the store.';

test('chat: unknown or inactive storefront is 404', async () => {
	let res = await chat(`nobody-${rand(4)}`, { message: 'hi' });
	assertError(res, 404, /^no storefront /, 'unknown');
	res = await chat('Not_A_Slug', { message: 'hi' });
	assertError(res, 404, /^no storefront /, 'not a slug');

	const c = await newClient('asleep');
	assert.equal(await answer(c.slug, { message: 'hi' }), ASK_EMAIL);
	await sql(`UPDATE organizations SET client_active = 0 WHERE id = ${c.id}`);
	res = await chat(c.slug, { message: 'hi' });
	assertError(res, 404, `no storefront ${c.slug}`, 'inactive');
	// Even from an allowed origin, and before the body is read.
	await ctl(['client', 'set-domains', '--org', c.slug, '--domains',
	    'asleep.example']);
	res = await chat(c.slug, '{not json', { origin: 'https://asleep.example' });
	assertError(res, 404, `no storefront ${c.slug}`, 'inactive, origin');
});

test('chat: Origin must be one of the client\'s allowed origins', async () => {
	const c = await newClient('embed');
	const msg = { message: 'where is my order?' };

	// None set: every browser is refused, a server is not.
	let res = await chat(c.slug, msg, { origin: 'https://shop.example' });
	assertError(res, 403, 'embed not configured', 'none set');
	res = await chat(c.slug, msg, { origin: 'null' });
	assertError(res, 403, 'embed not configured', 'none set, null');
	assert.equal(await answer(c.slug, msg), ASK_EMAIL);

	const set = await ctl(['client', 'set-domains', '--org', c.slug,
	    '--domains', 'shop.example, http://localhost:3000']);
	assert.deepEqual(set, { org: c.slug, allowedDomains: [
	    'https://shop.example', 'http://localhost:3000'] });
	const [[stored]] = await sql('SELECT allowed_domains FROM organizations ' +
	    `WHERE id = ${c.id}`);
	assert.equal(stored, 'https://shop.example,http://localhost:3000');

	for (const origin of ['https://shop.example', 'https://SHOP.example',
	    'http://localhost:3000']) {
		res = await chat(c.slug, msg, { origin });
		assert.equal(res.status, 200, `${origin}: ${res.text}`);
		assert.equal(res.headers.get('access-control-allow-origin'), origin);
		assert.match(res.headers.get('vary'), /Origin/);
	}
	for (const origin of ['https://shop.example.evil',
	    'https://evil-shop.example', 'https://evilshop.example',
	    'https://x.shop.example', 'http://shop.example',
	    'https://shop.example:8443', 'https://shop.example/',
	    'http://localhost:3001', 'http://localhost', 'null',
	    'https://shop.example,http://localhost:3000']) {
		res = await chat(c.slug, msg, { origin });
		assertError(res, 403, 'origin not allowed', origin);
		assert.equal(res.headers.get('access-control-allow-origin'), null);
	}
	// No Origin: a server, let through.
	assert.equal(await answer(c.slug, msg), ASK_EMAIL);

	// A refused list changes nothing; "" clears the list.
	await assert.rejects(ctl(['client', 'set-domains', '--org', c.slug,
	    '--domains', '*.shop.example']), /--domains: \*\.shop\.example: /);
	await assert.rejects(ctl(['client', 'set-domains', '--org', c.slug,
	    '--domains', 'ftp://shop.example']), /--domains: /);
	const [[kept]] = await sql('SELECT allowed_domains FROM organizations ' +
	    `WHERE id = ${c.id}`);
	assert.equal(kept, stored);
	assert.deepEqual(await ctl(['client', 'set-domains', '--org', c.slug,
	    '--domains', '']), { org: c.slug, allowedDomains: [] });
	res = await chat(c.slug, msg, { origin: 'https://shop.example' });
	assertError(res, 403, 'embed not configured', 'cleared');
	const [[cleared]] = await sql('SELECT allowed_domains IS NULL FROM ' +
	    `organizations WHERE id = ${c.id}`);
	assert.equal(cleared, '1');
});

test('chat: the body is checked, naming the field', async () => {
	const c = await newClient('body');
	const cases = [
		['not JSON', '{"message":', /./],
		['not an object', ['hi'], /^body: /],
		['no message', {}, /^message: is required$/],
		['empty message', { message: '' }, /^message: /],
		['long message', { message: 'm'.repeat(2001) }, /^message: /],
		['message a number', { message: 7 }, /^message: expected a string$/],
		['customerEmail', { message: 'hi', customerEmail: 'nope' },
		    /^customerEmail: not an e-mail address$/],
		['customerEmail a number', { message: 'hi', customerEmail: 1 },
		    /^customerEmail: /],
		['history an object', { message: 'hi', history: {} },
		    /^history: expected an array$/],
		['history item', { message: 'hi', history: ['hello'] },
		    /^history\[0\]: expected an object$/],
		['history role', { message: 'hi', history: [
		    { role: 'user', content: 'a' }, { role: 'system', content: 'b' }] },
		    /^history\[1\]\.role: /],
		['history no role', { message: 'hi', history: [{ content: 'a' }] },
		    /^history\[0\]\.role: is required$/],
		['history content', { message: 'hi', history: [
		    { role: 'assistant', content: 3 }] },
		    /^history\[0\]\.content: expected a string$/],
	];

	assert.ok(cases.length + 3 < PER_MINUTE, 'the cases fit in one budget');
	for (const [what, body, re] of cases)
		assertError(await chat(c.slug, body), 400, re, what);

	// Characters, not bytes: 2000 two-byte characters pass.
	assert.equal(await answer(c.slug, { message: '\u00e9'.repeat(2000) }),
	    ASK_EMAIL);
	assert.equal(await answer(c.slug, { message: 'hi', history: [
	    { role: 'user', content: 'hello' },
	    { role: 'assistant', content: '' }] }), ASK_EMAIL);
	assert.equal(await answer(c.slug, { message: 'hi', customerEmail: null }),
	    ASK_EMAIL);
});

test('chat: the customer\'s latest order of this client, and no other',
    async () => {
	const a = await newClient('tell');
	const b = await newClient('tell');
	const alice = `alice-${rand(3)}@example.test`;
	const bob = `bob-${rand(3)}@example.test`;
	const carol = `carol-${rand(3)}@example.test`;

	// Alice: an older order waiting, then a newer shipped one, at A;
	// a rejected one at B with B's note. Bob: at A, in production.
	// Carol: only at B.
	await addOrder(a, alice, 'pending_client_approval',
	    { at: '2026-01-01 09:00:00' });
	await addOrder(a, alice, 'shipped', { tracking: '1Z999AA10123456784',
	    trackingUrl: 'https://track.example/1Z999AA10123456784',
	    at: '2026-01-03 09:00:00' });
	await addOrder(b, alice, 'rejected_by_client',
	    { note: 'B: artwork rights unclear', at: '2026-01-05 09:00:00' });
	await addOrder(a, bob, 'in_production', { at: '2026-01-02 09:00:00' });
	await addOrder(b, carol, 'pending_admin_approval',
	    { note: 'B internal', at: '2026-01-04 09:00:00' });

	const ask = (c, email) => answer(c.slug, { message: 'where is my order?',
	    customerEmail: email });

	const aliceAtA = await ask(a, alice);
	assert.equal(aliceAtA, 'Your order has shipped, tracking number ' +
	    '1Z999AA10123456784 (https://track.example/1Z999AA10123456784). ' +
	    'Nothing is blocking it. Follow the tracking link to see when it ' +
	    'arrives.');
	// The e-mail is matched without case.
	assert.equal(await ask(a, alice.toUpperCase()), aliceAtA);
	assert.equal(await ask(b, alice), 'Your order is not going ahead. ' +
	    'The store\'s note: "B: artwork rights unclear". Please contact ' +
	    'the store about a refund or a new order.');
	assert.equal(await ask(a, bob), 'Your order is in production. ' +
	    'Nothing is blocking it. No action needed; you will get tracking ' +
	    'details when it ships.');
	// Carol has no order at A; her order at B is not told at A.
	assert.equal(await ask(a, carol), notFound(carol));
	assert.match(await ask(b, carol), /^Your order was approved by the /);
	assert.equal(await ask(b, bob), notFound(bob));
	// Nothing of the other client's orders leaks into A's answers.
	for (const text of [aliceAtA, await ask(a, bob), await ask(a, carol)])
		assert.doesNotMatch(text, /B: artwork|B internal|not going|approved/);
	// No e-mail: how to ask, and no order told.
	assert.equal(await answer(a.slug, { message: 'where is my order?' }),
	    ASK_EMAIL);
});

test('chat: each state in Status, Blocker, Next Action form', async () => {
	const c = await newClient('states');
	const cases = [
		['pending_client_approval', {}, 'Your order is waiting for the ' +
		    'store\'s approval. Nothing is needed from you: the store ' +
		    'reviews every order before it is made. No action needed; it ' +
		    'goes into production once the store approves it.'],
		['pending_admin_approval', { note: 'Printful: timeout' },
		    'Your order was approved by the store and is waiting for a ' +
		    'final check before production. Nothing is needed from you: ' +
		    'every order gets this check before it is printed. No action ' +
		    'needed; it goes into production once the check is done.'],
		['submitted_to_printful', {}, 'Your order is in production. ' +
		    'Nothing is blocking it. No action needed; you will get ' +
		    'tracking details when it ships.'],
		['shipped', {}, 'Your order has shipped. Its tracking details are ' +
		    'not available yet. Please ask again later, or contact the ' +
		    'store for the tracking number.'],
		['shipped', { tracking: 'TRK-1' }, 'Your order has shipped, ' +
		    'tracking number TRK-1. Nothing is blocking it. Follow the ' +
		    'tracking link to see when it arrives.'],
		['rejected_by_admin', {}, 'Your order is not going ahead. The ' +
		    'store did not give a reason. Please contact the store about a ' +
		    'refund or a new order.'],
		['rejected_by_admin', { note: 'Design was blurry' }, 'Your order is ' +
		    'not going ahead. The store\'s note: "Design was blurry". ' +
		    'Please contact the store about a refund or a new order.'],
	];

	for (const [i, [status, extra, want]] of cases.entries()) {
		const email = `s${i}-${rand(3)}@example.test`;

		await addOrder(c, email, status, extra);
		assert.equal(await answer(c.slug, { message: 'status?',
		    customerEmail: email }), want, `${status} ${JSON.stringify(extra)}`);
	}
});

test('chat: more than chat_per_minute per storefront and address is 429',
    async () => {
	const c = await newClient('busy');
	const other = await newClient('busy');
	const minute = () => Math.floor(Date.now() / 60000);

	// Once more if the minute turned while counting (a fixed window).
	for (let attempt = 0; attempt < 2; attempt++) {
		await sql('DELETE FROM rate_counters WHERE scope LIKE ' +
		    `'chat:${c.id}:%'`);
		const start = minute();
		const seen = [];

		for (let i = 0; i < PER_MINUTE; i++)
			seen.push((await chat(c.slug, { message: `m${i}` })).status);
		const res = await chat(c.slug, { message: 'one more' });
		if (minute() !== start)
			continue;
		assert.deepEqual(seen, Array(PER_MINUTE).fill(200));
		assertError(res, 429, /^too many requests: at most \d+ every 60 s/,
		    'over');
		const retry = Number(res.headers.get('retry-after'));
		assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60,
		    `Retry-After ${retry}`);
		// Another storefront from the same address is not limited.
		assert.equal(await answer(other.slug, { message: 'hi' }), ASK_EMAIL);
		return;
	}
	assert.fail('the minute turned twice while counting');
});
