// payables.test.mjs - the AP system of invoice cases over real HTTP: a
// vendor bill of the case's total due 30 days after the invoice date,
// vendors found by id or by name (created when new) with exact balances,
// DUPLICATE_BILL, ALREADY_INTEGRATED, rollback voiding the bill, eight
// concurrent identical calls, tenant isolation, the webhook event, and
// GET /api/vendors and /api/vendors/{id}. Each test has its own
// organization (the family allows 100 requests a minute per organization).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
	newOrg, invoice, createCase, approvedCase, integrate, rollback, outbox,
	sql, rand,
} from './lib.mjs';

// The default invoice of lib.mjs: 1000.00 + 102.00 + tax 110.20.
const TOTAL = '1212.20';

// An invoice of one line whose total is exactly amount (a string with
// two decimals), tax 0, by vendor_name unless over says otherwise.
function invoiceOf(amount, over = {}) {
	const n = Number(amount);

	return invoice({
		line_items: [{ sku: `SKU-${rand(3)}`, description: 'Beans',
		    quantity: 1, unit_price: n, line_total: n }],
		tax: 0,
		...over,
	});
}

// AP on case id; asserts 200 and answers the body.
async function apOk(org, id) {
	const r = await integrate(org, 'ap', id);
	assert.equal(r.status, 200, r.text);
	return r;
}

// The org's rows of the payables tables, straight from the database.
async function bills(org) {
	return sql('SELECT b.public_id, v.public_id, c.public_id,' +
	    ' b.invoice_number, b.amount, b.currency, b.bill_date, b.due_date,' +
	    ' b.status, b.voided_at IS NULL FROM ap_bills b' +
	    ' JOIN ap_vendors v ON v.id = b.vendor_id' +
	    ' JOIN invoice_cases c ON c.id = b.case_id' +
	    ` WHERE b.org_id = ${Number(org.id)} ORDER BY b.id`);
}

async function vendors(org) {
	return sql('SELECT public_id, name, currency, balance FROM ap_vendors' +
	    ` WHERE org_id = ${Number(org.id)} ORDER BY id`);
}

function assertError(r, status, code) {
	assert.equal(r.status, status, r.text);
	assert.equal(r.json?.error?.code, code, r.text);
	assert.equal(typeof r.json.error.message, 'string');
	assert.equal(r.json.error.requestId, r.headers.get('x-request-id'));
}

test('AP creates a bill of the exact total, due invoice_date + 30 days',
    async () => {
	const org = await newOrg('ap');
	const inv = invoice();
	const id = await approvedCase(org, inv);
	const r = await apOk(org, id);

	assert.deepEqual(Object.keys(r.json).sort(), ['amount', 'bill_id',
	    'case_id', 'due_date', 'status', 'vendor_id']);
	assert.equal(r.json.case_id, id);
	assert.equal(r.json.status, 'created');
	assert.match(r.json.bill_id, /^bill-[0-9a-f-]{36}$/);
	assert.match(r.json.vendor_id, /^vendor-[0-9a-f-]{36}$/);
	assert.equal(r.json.due_date, '2026-02-19');
	// Two decimals on the wire, not a float's rendering.
	assert.match(r.text, new RegExp(`"amount":\\s*${TOTAL}[,}]`));

	assert.deepEqual(await bills(org), [[r.json.bill_id, r.json.vendor_id,
	    id, inv.invoice_number, '1212.2000', 'USD', '2026-01-20',
	    '2026-02-19', 'open', '1']]);
	assert.deepEqual(await vendors(org), [[r.json.vendor_id,
	    inv.vendor_name, 'USD', '1212.2000']]);

	// A month end: 2026-01-31 + 30 days is 2026-03-02.
	const end = await approvedCase(org, invoiceOf('10.05',
	    { invoice_date: '2026-01-31', vendor_name: inv.vendor_name }));
	const e = await apOk(org, end);
	assert.equal(e.json.due_date, '2026-03-02');
	assert.match(e.text, /"amount":\s*10.05[,}]/);
	const [row] = (await bills(org)).filter((b) => b[0] === e.json.bill_id);
	assert.deepEqual(row.slice(4, 9), ['10.0500', 'USD', '2026-01-31',
	    '2026-03-02', 'open']);

	// The case page shows AP integrated.
	const g = await org.api('GET', `/api/cases/${id}`);
	assert.equal(g.json.integrations.ap.state, 'integrated');
});

test('a vendor found by name is reused and its balance is the exact sum',
    async () => {
	const org = await newOrg('ap');
	const name = `Roaster ${rand(4)}`;
	const a = await approvedCase(org, invoiceOf('0.10', { tax: 0.20,
	    vendor_name: name }));
	const b = await approvedCase(org, invoiceOf('1212.20',
	    { vendor_name: name }));
	const ra = await apOk(org, a);
	const rb = await apOk(org, b);

	assert.equal(rb.json.vendor_id, ra.json.vendor_id);
	assert.notEqual(rb.json.bill_id, ra.json.bill_id);
	// 0.30 + 1212.20, exactly.
	assert.deepEqual(await vendors(org), [[ra.json.vendor_id, name, 'USD',
	    '1212.5000']]);

	const list = await org.api('GET', '/api/vendors');
	assert.equal(list.status, 200, list.text);
	assert.equal(list.json.nextCursor, null);
	assert.equal(list.json.data.length, 1);
	const v = list.json.data[0];
	assert.deepEqual(Object.keys(v).sort(), ['balance', 'created_at',
	    'currency', 'name', 'open_bills', 'vendor_id']);
	assert.equal(v.vendor_id, ra.json.vendor_id);
	assert.equal(v.name, name);
	assert.equal(v.currency, 'USD');
	assert.equal(v.open_bills, 2);
	assert.match(v.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
	assert.match(list.text, /"balance":\s*1212.50[,}]/);

	const one = await org.api('GET', `/api/vendors/${ra.json.vendor_id}`);
	assert.equal(one.status, 200, one.text);
	assert.match(one.text, /"balance":\s*1212.50[,}]/);
	// Newest first.
	assert.deepEqual(one.json.bills.map((x) => [x.bill_id, x.case_id,
	    x.amount, x.status]), [[rb.json.bill_id, b, 1212.2, 'open'],
	    [ra.json.bill_id, a, 0.3, 'open']]);
});

test('a case naming an unknown vendor_id is refused with nothing written',
    async () => {
	const org = await newOrg('ap');
	const id = await approvedCase(org, invoice({
	    vendor_id: 'vendor-00000000-0000-7000-8000-000000000000' }));
	const r = await integrate(org, 'ap', id);

	assertError(r, 422, 'VENDOR_NOT_FOUND');
	assert.deepEqual(await vendors(org), []);
	assert.deepEqual(await bills(org), []);
	const g = await org.api('GET', `/api/cases/${id}`);
	assert.equal(g.json.integrations.ap.state, 'failed');
	assert.equal(g.json.integrations.ap.error_code, 'VENDOR_NOT_FOUND');
	const failed = await outbox(org, 'integration.failed');
	assert.equal(failed.length, 1);
	assert.equal(failed[0].payload.case_id, id);
	assert.equal(failed[0].payload.system, 'ap');
	assert.equal(failed[0].payload.error_code, 'VENDOR_NOT_FOUND');
	assert.deepEqual(await outbox(org, 'integration.ap.success'), []);
});

test('a second live bill of one vendor and invoice number is DUPLICATE_BILL',
    async () => {
	const org = await newOrg('ap');
	const inv = invoice();
	const a = await approvedCase(org, inv);
	const ra = await apOk(org, a);

	// By vendor_id, the same invoice is another case key: it can be
	// created, but the vendor already has a live bill for it.
	const b = await approvedCase(org, invoice({
	    invoice_number: inv.invoice_number, vendor_id: ra.json.vendor_id,
	    vendor_name: inv.vendor_name }));
	const before = [await bills(org), await vendors(org)];
	const rb = await integrate(org, 'ap', b);
	assertError(rb, 409, 'DUPLICATE_BILL');
	assert.deepEqual([await bills(org), await vendors(org)], before);
	assert.deepEqual((await outbox(org, 'integration.ap.success')).length,
	    1);

	// A voided bill no longer counts: once A is rolled back, B posts.
	const rr = await rollback(org, a, ['ap']);
	assert.equal(rr.status, 200, rr.text);
	const ok = await apOk(org, b);
	assert.equal(ok.json.vendor_id, ra.json.vendor_id);
	const rows = await bills(org);
	assert.deepEqual(rows.map((x) => [x[0], x[2], x[8]]),
	    [[ra.json.bill_id, a, 'void'], [ok.json.bill_id, b, 'open']]);
	assert.deepEqual((await vendors(org))[0][3], '1212.2000');
});

test('a second AP call for one case is ALREADY_INTEGRATED', async () => {
	const org = await newOrg('ap');
	const id = await approvedCase(org);
	await apOk(org, id);
	const before = [await bills(org), await vendors(org)];
	const again = await integrate(org, 'ap', id);

	assertError(again, 409, 'ALREADY_INTEGRATED');
	assert.deepEqual([await bills(org), await vendors(org)], before);
});

test('rollback voids the bill, restores the balance, and AP can run again',
    async () => {
	const org = await newOrg('ap');
	const name = `Dairy ${rand(4)}`;
	const keep = await approvedCase(org, invoiceOf('19.99',
	    { vendor_name: name }));
	const id = await approvedCase(org, invoice({ vendor_name: name }));
	await apOk(org, keep);
	const first = await apOk(org, id);
	assert.equal((await vendors(org))[0][3], '1232.1900');

	const r = await rollback(org, id, ['ap']);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json, { case_id: id, rollback_status: { ap:
	    'success' }, status: 'rolled_back' });
	// Exactly the other case's bill is left on the balance.
	assert.equal((await vendors(org))[0][3], '19.9900');

	const v = await org.api('GET', `/api/vendors/${first.json.vendor_id}`);
	assert.equal(v.status, 200, v.text);
	assert.match(v.text, /"balance":\s*19.99[,}]/);
	assert.equal(v.json.open_bills, 1);
	const voided = v.json.bills.find((b) => b.bill_id === first.json.bill_id);
	assert.equal(voided.status, 'void');
	assert.equal(voided.case_id, id);
	assert.equal(voided.amount, 1212.2);
	assert.equal(voided.due_date, '2026-02-19');
	assert.match(voided.voided_at, /^\d{4}-\d\d-\d\dT.*Z$/);
	assert.deepEqual(Object.keys(voided).sort(), ['amount', 'bill_date',
	    'bill_id', 'case_id', 'created_at', 'currency', 'due_date',
	    'invoice_number', 'status', 'voided_at']);
	const live = v.json.bills.find((b) => b.bill_id !== first.json.bill_id);
	assert.equal(live.status, 'open');
	assert.equal(live.voided_at, null);

	// A second rollback reverses nothing.
	const twice = await rollback(org, id, ['ap']);
	assert.equal(twice.status, 200, twice.text);
	assert.equal(twice.json.rollback_status.ap, 'not_integrated');
	assert.equal((await vendors(org))[0][3], '19.9900');

	// After a rollback the case posts again: a new live bill.
	const again = await apOk(org, id);
	assert.notEqual(again.json.bill_id, first.json.bill_id);
	assert.equal(again.json.vendor_id, first.json.vendor_id);
	const rows = (await bills(org)).filter((b) => b[2] === id);
	assert.deepEqual(rows.map((b) => [b[0], b[8], b[9]]),
	    [[first.json.bill_id, 'void', '0'], [again.json.bill_id, 'open',
	    '1']]);
	assert.equal((await vendors(org))[0][3], '1232.1900');
});

test('8 concurrent identical AP calls post one bill', async () => {
	const org = await newOrg('ap');
	const id = await approvedCase(org);
	const rs = await Promise.all(Array.from({ length: 8 },
	    () => integrate(org, 'ap', id)));

	assert.deepEqual(rs.map((r) => r.status).sort(),
	    [200, 409, 409, 409, 409, 409, 409, 409], rs.map((r) => r.text)
	    .join('\n'));
	for (const r of rs.filter((x) => x.status === 409))
		assert.ok(['ALREADY_INTEGRATED', 'DUPLICATE_BILL']
		    .includes(r.json.error.code), r.text);
	const rows = await bills(org);
	assert.equal(rows.filter((b) => b[8] === 'open').length, 1);
	assert.equal(rows.length, 1);
	assert.deepEqual((await vendors(org)).map((v) => v[3]), ['1212.2000']);
	assert.equal((await outbox(org, 'integration.ap.success')).length, 1);
});

test('8 cases of one new vendor posted at once share one vendor',
    async () => {
	const org = await newOrg('ap');
	const name = `Bakery ${rand(4)}`;
	const ids = [];

	for (let i = 0; i < 8; i++)
		ids.push(await approvedCase(org, invoiceOf('12.34',
		    { vendor_name: name })));
	const rs = await Promise.all(ids.map((id) => integrate(org, 'ap', id)));

	assert.deepEqual(rs.map((r) => r.status), Array(8).fill(200),
	    rs.map((r) => r.text).join('\n'));
	assert.equal(new Set(rs.map((r) => r.json.vendor_id)).size, 1);
	// 8 x 12.34, once each.
	assert.deepEqual(await vendors(org), [[rs[0].json.vendor_id, name,
	    'USD', '98.7200']]);
	assert.equal((await bills(org)).length, 8);
});

test('another organization sees neither the case nor the vendor',
    async () => {
	const org = await newOrg('ap');
	const other = await newOrg('ap');
	const id = await approvedCase(org);
	const r = await apOk(org, id);

	assertError(await other.api('GET', `/api/cases/${id}`), 404,
	    'CASE_NOT_FOUND');
	assertError(await integrate(other, 'ap', id), 404, 'CASE_NOT_FOUND');
	assertError(await rollback(other, id, ['ap']), 404, 'CASE_NOT_FOUND');
	assertError(await other.api('GET', `/api/vendors/${r.json.vendor_id}`),
	    404, 'VENDOR_NOT_FOUND');
	const list = await other.api('GET', '/api/vendors');
	assert.equal(list.status, 200, list.text);
	assert.deepEqual(list.json, { data: [], nextCursor: null });

	// Naming the other organization's vendor is an unknown vendor.
	const mine = await approvedCase(other, invoice({
	    vendor_id: r.json.vendor_id }));
	assertError(await integrate(other, 'ap', mine), 422,
	    'VENDOR_NOT_FOUND');
	assert.deepEqual(await vendors(other), []);
	assert.deepEqual(await bills(other), []);
	// The first organization's books are untouched.
	assert.equal((await vendors(org))[0][3], '1212.2000');
});

test('integration.ap.success is in the outbox with the bill', async () => {
	const org = await newOrg('ap');
	const id = await approvedCase(org);
	const r = await apOk(org, id);
	const ev = await outbox(org, 'integration.ap.success');

	assert.equal(ev.length, 1);
	assert.deepEqual(ev[0].payload, { case_id: id, bill_id: r.json.bill_id,
	    vendor_id: r.json.vendor_id, amount: 1212.2,
	    due_date: '2026-02-19' });
	// The amount keeps its two decimals in the stored payload too.
	const [[text]] = await sql('SELECT payload FROM events' +
	    ` WHERE org_id = ${Number(org.id)}` +
	    " AND type = 'integration.ap.success'");
	assert.match(text, /"amount":\s*1212.20[,}]/);
});

test('a pending case is CASE_NOT_APPROVED and writes nothing', async () => {
	const org = await newOrg('ap');
	const id = await createCase(org);

	assertError(await integrate(org, 'ap', id), 403, 'CASE_NOT_APPROVED');
	assert.deepEqual(await vendors(org), []);
	assert.deepEqual(await bills(org), []);
	assert.deepEqual(await outbox(org, 'integration.ap.success'), []);
});

test('an invoice in another currency than the vendor is CURRENCY_MISMATCH',
    async () => {
	const org = await newOrg('ap');
	const a = await approvedCase(org);
	const ra = await apOk(org, a);
	const b = await approvedCase(org, invoice({ currency: 'EUR',
	    vendor_id: ra.json.vendor_id }));
	const before = [await bills(org), await vendors(org)];

	assertError(await integrate(org, 'ap', b), 422, 'CURRENCY_MISMATCH');
	assert.deepEqual([await bills(org), await vendors(org)], before);
});

test('GET /api/vendors pages with a cursor; a bad limit is 400',
    async () => {
	const org = await newOrg('ap');
	const ids = [];

	for (let i = 0; i < 3; i++)
		ids.push((await apOk(org, await approvedCase(org))).json.vendor_id);
	const seen = [];
	let cursor = null;
	do {
		const r = await org.api('GET', '/api/vendors?limit=2' +
		    (cursor ? `&cursor=${cursor}` : ''));
		assert.equal(r.status, 200, r.text);
		assert.ok(r.json.data.length <= 2);
		seen.push(...r.json.data.map((v) => v.vendor_id));
		cursor = r.json.nextCursor;
	} while (cursor);
	assert.deepEqual(seen, ids);
	assert.equal((await org.api('GET', '/api/vendors?limit=0')).status,
	    400);
	assert.equal((await org.api('GET', '/api/vendors?cursor=zz')).status,
	    400);
	assertError(await org.api('GET', '/api/vendors/vendor-nope'), 404,
	    'VENDOR_NOT_FOUND');
});
