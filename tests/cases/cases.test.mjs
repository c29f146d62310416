// cases.test.mjs - invoice cases over real HTTP: creation validated to
// the cent (422 naming the field, nothing written), duplicates, reading
// and listing, approval and rejection once, the audit log, settings,
// tenant isolation, keys, Idempotency-Key and the organization's rate
// limit across its keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newOrg, anotherKey, call, invoice, createCase, sql, q, ctl,
    rand, sleep } from './lib.mjs';

async function caseCount(org) {
	const [[n]] = await sql('SELECT COUNT(*) FROM invoice_cases' +
	    ` WHERE org_id = ${Number(org.id)}`);
	return Number(n);
}

test('a case is created pending with the invoice exactly as sent', async () => {
	const org = await newOrg();
	const inv = invoice({ vendor_id: null, currency: 'EUR' });
	const c = await org.api('POST', '/api/cases', inv);
	assert.equal(c.status, 201, c.text);
	assert.match(c.json.case_id, /^case-[0-9a-f-]{36}$/);
	assert.equal(c.json.status, 'pending');

	const g = await org.api('GET', `/api/cases/${c.json.case_id}`);
	assert.equal(g.status, 200, g.text);
	assert.equal(g.json.invoice_number, inv.invoice_number);
	assert.equal(g.json.invoice_date, '2026-01-20');
	assert.equal(g.json.vendor_name, inv.vendor_name);
	assert.equal(g.json.vendor_id, null);
	assert.equal(g.json.currency, 'EUR');
	// Money keeps two decimals on the wire.
	assert.match(g.text, /"subtotal":1102\.00,"tax":110\.20,"total":1212\.20/);
	assert.deepEqual(g.json.line_items, inv.line_items);
	assert.match(g.text, /"unit_price":25\.50,"line_total":102\.00/);
	assert.deepEqual(Object.keys(g.json.integrations).sort(),
	    ['accounting', 'ap', 'inventory']);
	for (const s of Object.values(g.json.integrations))
		assert.equal(s.state, 'not_integrated');
	assert.equal(g.json.audit_log.length, 1);
	assert.equal(g.json.audit_log[0].action, 'create');
	assert.match(g.json.audit_log[0].actor, /^key:/);
});

test('quantity x unit price is checked to the cent, rounding half up', async () => {
	const org = await newOrg();
	const ok = invoice({ line_items: [{ sku: 'A', quantity: 3,
	    unit_price: 0.3333, line_total: 1.00 }, { sku: 'B',
	    quantity: 0.5, unit_price: 0.05, line_total: 0.03 }], tax: 0 });
	const r = await org.api('POST', '/api/cases', ok);
	assert.equal(r.status, 201, r.text);
});

const rules = [
	['quantity 0', { line_items: [{ sku: 'A', quantity: 0, unit_price: 1,
	    line_total: 0 }] }, 'line_items[0].quantity'],
	['negative quantity', { line_items: [{ sku: 'A', quantity: -2,
	    unit_price: 1, line_total: 2 }] }, 'line_items[0].quantity'],
	['line total off by a cent', { line_items: [{ sku: 'A', quantity: 3,
	    unit_price: 9.99, line_total: 29.96 }] }, 'line_items[0].line_total'],
	['second line wrong', { line_items: [{ sku: 'A', quantity: 1,
	    unit_price: 5, line_total: 5 }, { sku: 'B', quantity: 2,
	    unit_price: 5, line_total: 11 }] }, 'line_items[1].line_total'],
	['subtotal not the sum', { subtotal: 1102.01 }, 'subtotal'],
	['total not subtotal + tax', { total: 1212.21 }, 'total'],
	['a fraction of a cent', { tax: 110.205, total: 1212.205 }, 'tax'],
	['no lines', { line_items: [], subtotal: 0, total: 110.20 },
	    'line_items'],
	['a date that does not exist', { invoice_date: '2026-02-29' },
	    'invoice_date'],
	['a currency that is no code', { currency: 'eur' }, 'currency'],
];

for (const [name, over, field] of rules)
	test(`422 naming the field, nothing written: ${name}`, async () => {
		const org = await newOrg();
		const r = await org.api('POST', '/api/cases', invoice(over));
		assert.equal(r.status, 422, r.text);
		assert.equal(r.json.error.code, 'VALIDATION_ERROR');
		assert.ok(r.json.error.message.startsWith(field),
		    `"${r.json.error.message}" names ${field}`);
		assert.equal(r.json.error.requestId, r.headers.get('x-request-id'));
		assert.equal(await caseCount(org), 0);
		const [[lines]] = await sql('SELECT COUNT(*) FROM ' +
		    `invoice_case_lines WHERE org_id = ${Number(org.id)}`);
		assert.equal(lines, '0');
	});

const malformed = [
	['no invoice_number', (b) => { delete b.invoice_number; },
	    'invoice_number'],
	['subtotal as a string', (b) => { b.subtotal = '1102.00'; }, 'subtotal'],
	['a line that is no object', (b) => { b.line_items[1] = 'x'; },
	    'line_items[1]'],
	['sku too long', (b) => { b.line_items[0].sku = 'S'.repeat(129); },
	    'line_items[0].sku'],
	['vendor_name empty', (b) => { b.vendor_name = ''; }, 'vendor_name'],
];

for (const [name, spoil, field] of malformed)
	test(`400 naming the field: ${name}`, async () => {
		const org = await newOrg();
		const b = invoice();
		spoil(b);
		const r = await org.api('POST', '/api/cases', b);
		assert.equal(r.status, 400, r.text);
		assert.ok(r.json.error.message.startsWith(field),
		    `"${r.json.error.message}" names ${field}`);
		assert.equal(await caseCount(org), 0);
	});

test('malformed JSON is 400 and writes nothing', async () => {
	const org = await newOrg();
	const r = await org.api('POST', '/api/cases', '{"invoice_number": "x",',
	    { 'content-type': 'application/json' });
	assert.equal(r.status, 400, r.text);
	assert.equal(r.json.error.code, 'invalid_json');
	assert.equal(await caseCount(org), 0);
});

test('the same vendor and invoice number twice is 409; after a rejection it may come again', async () => {
	const org = await newOrg();
	const inv = invoice({ vendor_name: 'Acme Corp' });
	const first = await createCase(org, inv);
	const dup = await org.api('POST', '/api/cases',
	    { ...inv, vendor_name: 'ACME CORP' });
	assert.equal(dup.status, 409, dup.text);
	assert.equal(dup.json.error.code, 'DUPLICATE_INVOICE');
	// Another vendor may use the same number.
	const other = await org.api('POST', '/api/cases',
	    { ...inv, vendor_name: 'Other Ltd' });
	assert.equal(other.status, 201, other.text);
	const rej = await org.api('POST', `/api/cases/${first}/reject`,
	    { note: 'wrong prices' });
	assert.equal(rej.status, 200, rej.text);
	const again = await org.api('POST', '/api/cases', inv);
	assert.equal(again.status, 201, again.text);
	assert.equal(await caseCount(org), 3);
});

test('approve once: who and when; a second decision is 409', async () => {
	const org = await newOrg();
	const id = await createCase(org);
	const a = await org.api('POST', `/api/cases/${id}/approve`);
	assert.equal(a.status, 200, a.text);
	assert.equal(a.json.case_id, id);
	assert.equal(a.json.status, 'approved');
	assert.match(a.json.approved_by, /^key:/);
	assert.ok(Math.abs(Date.parse(a.json.approved_at) - Date.now()) < 60000);
	for (const action of ['approve', 'reject']) {
		const again = await org.api('POST', `/api/cases/${id}/${action}`);
		assert.equal(again.status, 409, again.text);
		assert.equal(again.json.error.code, 'INVALID_STATE');
	}
	const g = await org.api('GET', `/api/cases/${id}`);
	assert.equal(g.json.status, 'approved');
	assert.equal(g.json.approved_by, a.json.approved_by);
	assert.deepEqual(g.json.audit_log.map((e) => [e.action, e.result]),
	    [['create', 'pending'], ['approve', 'approved']]);
	const ev = await sql('SELECT type FROM events WHERE org_id = ' +
	    `${Number(org.id)} AND type = 'case.approved'`);
	assert.equal(ev.length, 1);
});

test('reject with a note; a rejected case cannot be integrated', async () => {
	const org = await newOrg();
	const id = await createCase(org);
	const r = await org.api('POST', `/api/cases/${id}/reject`,
	    { note: 'prices do not match the quote' });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.status, 'rejected');
	assert.equal(r.json.note, 'prices do not match the quote');
	assert.match(r.json.rejected_by, /^key:/);
	const i = await org.api('POST', '/api/integrations/inventory',
	    { case_id: id });
	assert.equal(i.status, 403, i.text);
	assert.equal(i.json.error.code, 'CASE_NOT_APPROVED');
	const bad = await org.api('POST', `/api/cases/${id}/reject`,
	    { note: 5 });
	assert.equal(bad.status, 400, bad.text);
});

test('a pending case is not integrated (403), and nothing is written', async () => {
	const org = await newOrg();
	const id = await createCase(org);
	for (const s of ['inventory', 'ap', 'accounting']) {
		const r = await org.api('POST', `/api/integrations/${s}`,
		    { case_id: id });
		assert.equal(r.status, 403, r.text);
		assert.equal(r.json.error.code, 'CASE_NOT_APPROVED');
	}
	const [[n]] = await sql('SELECT COUNT(*) FROM invoice_case_systems s' +
	    ' JOIN invoice_cases c ON c.id = s.case_id WHERE c.public_id = ' +
	    q(id));
	assert.equal(n, '0');
});

test('lists page by cursor without skipping or repeating, and filter by status', async () => {
	const org = await newOrg();
	const ids = [];
	for (let i = 0; i < 5; i++)
		ids.push(await createCase(org));
	await org.api('POST', `/api/cases/${ids[1]}/approve`);
	await org.api('POST', `/api/cases/${ids[3]}/reject`, {});
	const seen = [];
	let cursor = null;
	do {
		const r = await org.api('GET', '/api/cases?limit=2' +
		    (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''));
		assert.equal(r.status, 200, r.text);
		assert.ok(r.json.data.length <= 2);
		seen.push(...r.json.data.map((c) => c.case_id));
		cursor = r.json.nextCursor;
	} while (cursor);
	assert.deepEqual(seen, ids);
	const approved = await org.api('GET', '/api/cases?status=approved');
	assert.deepEqual(approved.json.data.map((c) => c.case_id), [ids[1]]);
	assert.equal(approved.json.data[0].line_count, 2);
	const bad = await org.api('GET', '/api/cases?status=lost');
	assert.equal(bad.status, 400, bad.text);
	assert.ok(bad.json.error.message.startsWith('status'));
});

test("another organization's case is 404 everywhere and absent from lists", async () => {
	const a = await newOrg();
	const b = await newOrg();
	const id = await createCase(a);
	for (const [m, p, body] of [['GET', `/api/cases/${id}`],
	    ['POST', `/api/cases/${id}/approve`],
	    ['POST', `/api/cases/${id}/reject`, {}]]) {
		const r = await b.api(m, p, body);
		assert.equal(r.status, 404, `${m} ${p}: ${r.text}`);
		assert.equal(r.json.error.code, 'CASE_NOT_FOUND');
	}
	const l = await b.api('GET', '/api/cases');
	assert.deepEqual(l.json.data, []);
	await a.api('POST', `/api/cases/${id}/approve`);
	const i = await b.api('POST', '/api/integrations/inventory',
	    { case_id: id });
	assert.equal(i.status, 404, i.text);
	const t = await a.api('POST', '/api/integrations/inventory',
	    { case_id: id, tenant_id: b.slug });
	assert.equal(t.status, 403, t.text);
	assert.equal(t.json.error.code, 'TENANT_MISMATCH');
	const g = await a.api('GET', `/api/cases/${id}`);
	assert.equal(g.json.integrations.inventory.state, 'not_integrated');
});

test('only an integration key: none, unknown or another kind is 401 Bearer', async () => {
	const org = await newOrg();
	const scim = (await ctl(['key', 'create', '--org', org.slug, '--kind',
	    'scim'])).key;
	for (const key of [null, 'rn_live_' + rand(20), scim]) {
		const r = await call(key, 'GET', '/api/cases');
		assert.equal(r.status, 401, r.text);
		assert.equal(r.headers.get('www-authenticate'), 'Bearer');
		assert.equal(r.json.error.code, 'unauthorized');
	}
});

test('an Idempotency-Key replays the first answer and creates one case', async () => {
	const org = await newOrg();
	const inv = invoice();
	const h = { 'idempotency-key': `k-${rand(6)}` };
	const first = await org.api('POST', '/api/cases', inv, h);
	const again = await org.api('POST', '/api/cases', inv, h);
	assert.equal(first.status, 201, first.text);
	assert.equal(again.status, 201);
	assert.equal(again.text, first.text);
	assert.equal(again.headers.get('idempotent-replayed'), 'true');
	const other = await org.api('POST', '/api/cases',
	    { ...inv, tax: 0, total: 1102 }, h);
	assert.equal(other.status, 422, other.text);
	assert.equal(await caseCount(org), 1);
});

test('100 requests a minute per organization, across its keys', async () => {
	const org = await newOrg();
	const key2 = await anotherKey(org);
	const other = await newOrg();
	let last;
	// The windows are whole clock minutes: start early in one, so the
	// 101 requests all fall in it (a loaded machine takes seconds).
	if (new Date().getUTCSeconds() > 45)
		await sleep((61 - new Date().getUTCSeconds()) * 1000);
	for (let i = 0; i < 100; i++) {
		last = await call(i % 2 ? key2 : org.key, 'GET',
		    '/api/cases?limit=1');
		if (last.status !== 200)
			break;
	}
	assert.equal(last.status, 200, last.text);
	assert.equal(last.headers.get('x-ratelimit-limit'), '100');
	const refused = await call(key2, 'GET', '/api/cases');
	assert.equal(refused.status, 429, refused.text);
	assert.equal(refused.json.error.code, 'rate_limited');
	assert.ok(Number(refused.headers.get('retry-after')) >= 1);
	assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
	// Every path of the family counts, writes too.
	const post = await org.api('POST', '/api/cases', invoice());
	assert.equal(post.status, 429, post.text);
	assert.equal(await caseCount(org), 0);
	const fine = await other.api('GET', '/api/cases');
	assert.equal(fine.status, 200, fine.text);
});

test('settings: defaults, a partial PUT, and 400 naming the field', async () => {
	const org = await newOrg();
	const g = await org.api('GET', '/api/cases/settings');
	assert.equal(g.status, 200, g.text);
	assert.deepEqual(g.json, {
		auto_integrate: { enabled: false,
		    systems: ['inventory', 'ap', 'accounting'],
		    on_failure: 'rollback' },
		accounts: { inventory: '1400', tax_expense: '6300',
		    accounts_payable: '2100' },
	});
	const p = await org.api('PUT', '/api/cases/settings', {
		auto_integrate: { enabled: true, systems: ['ap', 'inventory'] },
		accounts: { tax_expense: '6310', accounts_payable: null },
	});
	assert.equal(p.status, 200, p.text);
	assert.deepEqual(p.json, {
		auto_integrate: { enabled: true, systems: ['ap', 'inventory'],
		    on_failure: 'rollback' },
		accounts: { inventory: '1400', tax_expense: '6310',
		    accounts_payable: null },
	});
	assert.deepEqual((await org.api('GET', '/api/cases/settings')).json,
	    p.json);
	for (const [body, field] of [
		[{ auto_integrate: { systems: ['inventory', 'payroll'] } },
		    'auto_integrate.systems[1]'],
		[{ auto_integrate: { systems: ['ap', 'ap'] } },
		    'auto_integrate.systems[1]'],
		[{ auto_integrate: { on_failure: 'retry' } },
		    'auto_integrate.on_failure'],
		[{ auto_integrate: { enabled: 'yes' } }, 'auto_integrate.enabled'],
		[{ accounts: { inventory: 1400 } }, 'accounts.inventory'],
	]) {
		const r = await org.api('PUT', '/api/cases/settings', body);
		assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
		assert.ok(r.json.error.message.startsWith(field),
		    `"${r.json.error.message}" names ${field}`);
	}
	assert.deepEqual((await org.api('GET', '/api/cases/settings')).json,
	    p.json);
});
