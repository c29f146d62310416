// ledger.test.mjs - the accounting system of invoice cases over real HTTP:
// POST /api/integrations/accounting posts DR Inventory subtotal, DR Tax
// Expense tax, CR Accounts Payable total; a rollback posts a reversing
// entry; GET /api/accounting/entries and /trial-balance read them back.
// The trial balance is checked after every step, against the sums
// straight from the ledger tables. Each test has its own organization
// (the family allows 100 requests a minute per organization).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
	newOrg, invoice, approvedCase, integrate, rollback, ledgerBalanced,
	outbox, sql, q,
} from './lib.mjs';

// Exact money: a decimal string or a JSON number (from its text, at most
// 4 places) as BigInt units of 1/10000.
function units(v) {
	const s = typeof v === 'number' ? String(v) : v;
	const m = /^(-?)(\d+)(?:\.(\d{1,4}))?$/.exec(s);

	assert.ok(m, `not an amount: ${s}`);
	const u = BigInt(m[2]) * 10000n + BigInt((m[3] ?? '').padEnd(4, '0'));
	return m[1] ? -u : u;
}

const ENTRY_ID = /^entry-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

const entries = async (org, caseId) => {
	const r = await org.api('GET', '/api/accounting/entries' +
	    (caseId ? `?case_id=${encodeURIComponent(caseId)}` : ''));
	assert.equal(r.status, 200, r.text);
	return r.json;
};

// The ledger rows of org as root: entries, lines and accounts.
async function counts(org) {
	const [[e, l, a]] = await sql('SELECT' +
	    ` (SELECT COUNT(*) FROM journal_entries WHERE org_id = ${org.id}),` +
	    ` (SELECT COUNT(*) FROM journal_lines WHERE org_id = ${org.id}),` +
	    ` (SELECT COUNT(*) FROM ledger_accounts WHERE org_id = ${org.id})`);
	return { entries: Number(e), lines: Number(l), accounts: Number(a) };
}

// GET the trial balance and check it: balanced, totals equal to the sums
// of journal_lines in SQL, each account's debit and credit equal to the
// sums of its lines in SQL, balance = debit - credit, and the accounts
// adding up to the totals. Answers the body.
async function trialBalance(org) {
	const r = await org.api('GET', '/api/accounting/trial-balance');
	assert.equal(r.status, 200, r.text);
	const tb = r.json;
	const [[d, c]] = await sql('SELECT COALESCE(SUM(debit), 0),' +
	    ' COALESCE(SUM(credit), 0) FROM journal_lines' +
	    ` WHERE org_id = ${org.id}`);
	const perAccount = await sql('SELECT a.code, COALESCE(SUM(l.debit), 0),' +
	    ' COALESCE(SUM(l.credit), 0) FROM ledger_accounts a' +
	    ' LEFT JOIN journal_lines l ON l.account_id = a.id' +
	    ` WHERE a.org_id = ${org.id} GROUP BY a.id ORDER BY a.code`);

	assert.ok(await ledgerBalanced(org), 'journal_lines do not balance');
	assert.equal(tb.balanced, true);
	assert.equal(units(tb.total_debits), units(d));
	assert.equal(units(tb.total_credits), units(c));
	assert.equal(units(tb.total_debits), units(tb.total_credits));
	assert.deepEqual(tb.accounts.map((a) => [a.code, units(a.debit),
	    units(a.credit)]), perAccount.map(([code, ad, ac]) => [code,
	    units(ad), units(ac)]));
	let sd = 0n, sc = 0n;
	for (const a of tb.accounts) {
		assert.equal(units(a.balance), units(a.debit) - units(a.credit),
		    a.code);
		sd += units(a.debit);
		sc += units(a.credit);
	}
	assert.equal(sd, units(tb.total_debits));
	assert.equal(sc, units(tb.total_credits));
	assert.match(r.text, /"total_debits":\s*-?\d+\.\d\d\b/);
	return tb;
}

// The accounts of the trial balance as {code: [debit, credit, balance]}.
const byCode = (tb) => Object.fromEntries(tb.accounts.map((a) =>
    [a.code, [a.debit, a.credit, a.balance]]));

// The lines of the default invoice (10 x 100.00 + 4 x 25.50, tax 110.20).
const POSTED_LINES = [
	{ account_code: '1400', account_name: 'Inventory', debit: 1102,
	    credit: 0 },
	{ account_code: '6300', account_name: 'Tax Expense', debit: 110.2,
	    credit: 0 },
	{ account_code: '2100', account_name: 'Accounts Payable', debit: 0,
	    credit: 1212.2 },
];

test('posting answers exact totals, lists the entry with exact lines and ' +
    'writes integration.accounting.success', async () => {
	const org = await newOrg('ledger');
	const inv = invoice();
	const id = await approvedCase(org, inv);

	const empty = await trialBalance(org);
	assert.deepEqual(empty, { accounts: [], total_debits: 0,
	    total_credits: 0, balanced: true });

	const r = await integrate(org, 'accounting', id);
	assert.equal(r.status, 200, r.text);
	assert.match(r.json.entry_id, ENTRY_ID);
	assert.deepEqual(r.json, { case_id: id, entry_id: r.json.entry_id,
	    total_debits: 1212.2, total_credits: 1212.2, balanced: true,
	    status: 'posted' });
	// Two decimals on the wire, as the contract shows 1100.00.
	assert.match(r.text, /"total_debits":\s*1212\.20[,}]/);
	assert.match(r.text, /"total_credits":\s*1212\.20[,}]/);

	const list = await entries(org, id);
	assert.equal(list.nextCursor, null);
	assert.equal(list.data.length, 1);
	const e = list.data[0];
	assert.match(e.created_at, ISO);
	assert.deepEqual(e, {
		entry_id: r.json.entry_id, case_id: id,
		reverses_entry_id: null, entry_date: '2026-01-20',
		memo: `Invoice ${inv.invoice_number} from ${inv.vendor_name}`,
		currency: 'USD', total_debits: 1212.2, total_credits: 1212.2,
		lines: POSTED_LINES, reversed_at: null, created_at: e.created_at,
	});
	assert.deepEqual((await entries(org)).data, list.data);
	const [[debits, credits, date, live]] = await sql('SELECT e.total_debits,' +
	    ' e.total_credits, e.entry_date, e.live_case_id = c.id' +
	    ' FROM journal_entries e JOIN invoice_cases c ON c.id = e.case_id' +
	    ` WHERE e.public_id = ${q(e.entry_id)} AND e.org_id = ${org.id}`);
	assert.deepEqual([debits, credits, date, live],
	    ['1212.2000', '1212.2000', '2026-01-20', '1']);

	const tb = await trialBalance(org);
	assert.deepEqual(tb.accounts, [
		{ code: '1400', name: 'Inventory', type: 'asset', debit: 1102,
		    credit: 0, balance: 1102 },
		{ code: '2100', name: 'Accounts Payable', type: 'liability',
		    debit: 0, credit: 1212.2, balance: -1212.2 },
		{ code: '6300', name: 'Tax Expense', type: 'expense',
		    debit: 110.2, credit: 0, balance: 110.2 },
	]);
	assert.equal(tb.total_debits, 1212.2);

	const c = await org.api('GET', `/api/cases/${id}`);
	assert.equal(c.json.integrations.accounting.state, 'integrated');
	const ev = await outbox(org, 'integration.accounting.success');
	assert.equal(ev.length, 1);
	assert.deepEqual(ev[0].payload, {
		case_id: id, entry_id: r.json.entry_id, total_debits: 1212.2,
		total_credits: 1212.2, balanced: true,
	});
});

test('a case without tax posts two lines', async () => {
	const org = await newOrg('ledger');
	const id = await approvedCase(org, invoice({ tax: 0 }));

	const r = await integrate(org, 'accounting', id);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.total_debits, 1102);
	assert.equal(r.json.total_credits, 1102);
	const [e] = (await entries(org, id)).data;
	assert.deepEqual(e.lines, [
		{ account_code: '1400', account_name: 'Inventory', debit: 1102,
		    credit: 0 },
		{ account_code: '2100', account_name: 'Accounts Payable',
		    debit: 0, credit: 1102 },
	]);
	assert.equal((await counts(org)).lines, 2);
	const tb = await trialBalance(org);
	assert.deepEqual(byCode(tb)['6300'], [0, 0, 0]);
});

test('an account missing from the chart is ACCOUNT_NOT_FOUND and posts ' +
    'nothing', async () => {
	const org = await newOrg('ledger');
	const id = await approvedCase(org);

	const s = await org.api('PUT', '/api/cases/settings',
	    { accounts: { tax_expense: '9999' } });
	assert.equal(s.status, 200, s.text);
	const r = await integrate(org, 'accounting', id);
	assert.equal(r.status, 422, r.text);
	assert.equal(r.json.error.code, 'ACCOUNT_NOT_FOUND');
	assert.match(r.json.error.message, /tax_expense/);
	assert.match(r.json.error.message, /9999/);
	assert.deepEqual(await counts(org), { entries: 0, lines: 0,
	    accounts: 0 });
	await trialBalance(org);
	const c = await org.api('GET', `/api/cases/${id}`);
	assert.equal(c.json.integrations.accounting.state, 'failed');
	assert.equal(c.json.integrations.accounting.error_code,
	    'ACCOUNT_NOT_FOUND');
	const failed = await outbox(org, 'integration.failed');
	assert.equal(failed.length, 1);
	assert.equal(failed[0].payload.error_code,
	    'ACCOUNT_NOT_FOUND');

	// An unset mapping is refused the same way, naming the role.
	await org.api('PUT', '/api/cases/settings',
	    { accounts: { tax_expense: '6300', inventory: null } });
	const u = await integrate(org, 'accounting', id);
	assert.equal(u.status, 422, u.text);
	assert.equal(u.json.error.code, 'ACCOUNT_NOT_FOUND');
	assert.match(u.json.error.message, /inventory/);
	assert.equal((await counts(org)).entries, 0);

	// Mapped again, the same case posts.
	await org.api('PUT', '/api/cases/settings',
	    { accounts: { inventory: '1400' } });
	const ok = await integrate(org, 'accounting', id);
	assert.equal(ok.status, 200, ok.text);
	assert.deepEqual(await counts(org), { entries: 1, lines: 3,
	    accounts: 3 });
	await trialBalance(org);
});

test('an invoice whose debits do not equal its credits is ' +
    'UNBALANCED_ENTRY and posts nothing', async () => {
	const org = await newOrg('ledger');
	const id = await approvedCase(org);

	// The API refuses such a case at creation (subtotal + tax must be
	// total, 422), so the only way to reach the ledger's own check is to
	// tamper with the approved case in the database, as root.
	await sql('UPDATE invoice_cases SET total = total + 0.01' +
	    ` WHERE org_id = ${org.id} AND public_id = ${q(id)}`);
	const r = await integrate(org, 'accounting', id);
	assert.equal(r.status, 422, r.text);
	assert.equal(r.json.error.code, 'UNBALANCED_ENTRY');
	assert.match(r.json.error.message, /1212\.20/);
	assert.match(r.json.error.message, /1212\.21/);
	assert.deepEqual(await counts(org), { entries: 0, lines: 0,
	    accounts: 0 });
	const tb = await trialBalance(org);
	assert.equal(tb.total_debits, 0);
	const c = await org.api('GET', `/api/cases/${id}`);
	assert.equal(c.json.integrations.accounting.error_code,
	    'UNBALANCED_ENTRY');
	assert.equal((await outbox(org, 'integration.accounting.success'))
	    .length, 0);
});

test('a second post is ALREADY_INTEGRATED (409) and posts nothing more',
    async () => {
	const org = await newOrg('ledger');
	const id = await approvedCase(org);

	assert.equal((await integrate(org, 'accounting', id)).status, 200);
	const again = await integrate(org, 'accounting', id);
	assert.equal(again.status, 409, again.text);
	assert.equal(again.json.error.code, 'ALREADY_INTEGRATED');
	assert.deepEqual(await counts(org), { entries: 1, lines: 3,
	    accounts: 3 });
	await trialBalance(org);
});

test('rollback posts a reversing entry, keeps the original, nets every ' +
    'account to zero; a second rollback reverses nothing; posting again ' +
    'works', async () => {
	const org = await newOrg('ledger');
	const inv = invoice();
	const id = await approvedCase(org, inv);
	const memo = `Invoice ${inv.invoice_number} from ${inv.vendor_name}`;

	const posted = await integrate(org, 'accounting', id);
	assert.equal(posted.status, 200, posted.text);
	await trialBalance(org);

	const rb = await rollback(org, id, ['accounting']);
	assert.equal(rb.status, 200, rb.text);
	assert.deepEqual(rb.json, { case_id: id,
	    rollback_status: { accounting: 'success' }, status: 'rolled_back' });

	const list = (await entries(org, id)).data;
	assert.equal(list.length, 2);
	const [orig, rev] = list;
	assert.equal(orig.entry_id, posted.json.entry_id);
	assert.match(orig.reversed_at, ISO);
	assert.deepEqual(orig.lines, POSTED_LINES);
	assert.match(rev.entry_id, ENTRY_ID);
	assert.notEqual(rev.entry_id, orig.entry_id);
	assert.match(rev.created_at, ISO);
	assert.deepEqual(rev, {
		entry_id: rev.entry_id, case_id: id,
		reverses_entry_id: orig.entry_id, entry_date: '2026-01-20',
		memo: `Reversal of ${memo}`, currency: 'USD',
		total_debits: 1212.2, total_credits: 1212.2,
		lines: POSTED_LINES.map((l) => ({ ...l, debit: l.credit,
		    credit: l.debit })),
		reversed_at: null, created_at: rev.created_at,
	});

	let tb = await trialBalance(org);
	assert.deepEqual(byCode(tb), {
		1400: [1102, 1102, 0], 2100: [1212.2, 1212.2, 0],
		6300: [110.2, 110.2, 0],
	});
	assert.equal(tb.total_debits, 2424.4);
	const c = await org.api('GET', `/api/cases/${id}`);
	assert.equal(c.json.integrations.accounting.state, 'rolled_back');

	const again = await rollback(org, id, ['accounting']);
	assert.equal(again.status, 200, again.text);
	assert.deepEqual(again.json, { case_id: id,
	    rollback_status: { accounting: 'not_integrated' },
	    status: 'not_integrated' });
	assert.deepEqual(await counts(org), { entries: 2, lines: 6,
	    accounts: 3 });
	await trialBalance(org);

	const re = await integrate(org, 'accounting', id);
	assert.equal(re.status, 200, re.text);
	assert.ok(![orig.entry_id, rev.entry_id].includes(re.json.entry_id));
	assert.equal(re.json.total_debits, 1212.2);
	const after = (await entries(org, id)).data;
	assert.deepEqual(after.map((e) => [e.entry_id, e.reverses_entry_id,
	    e.reversed_at === null]), [[orig.entry_id, null, false],
	    [rev.entry_id, orig.entry_id, true], [re.json.entry_id, null, true]]);
	assert.deepEqual(after[2].lines, POSTED_LINES);
	tb = await trialBalance(org);
	assert.deepEqual(byCode(tb), {
		1400: [2204, 1102, 1102], 2100: [1212.2, 2424.4, -1212.2],
		6300: [220.4, 110.2, 110.2],
	});
	const [[live]] = await sql('SELECT COUNT(live_case_id) FROM' +
	    ` journal_entries WHERE org_id = ${org.id}`);
	assert.equal(live, '1');
});

test('8 concurrent identical posts write one entry', async () => {
	const org = await newOrg('ledger');
	const id = await approvedCase(org);

	const all = await Promise.all(Array.from({ length: 8 }, () =>
	    integrate(org, 'accounting', id)));
	const statuses = all.map((r) => r.status).sort();
	assert.deepEqual(statuses, [200, 409, 409, 409, 409, 409, 409, 409],
	    all.map((r) => r.text).join('\n'));
	for (const r of all.filter((x) => x.status === 409))
		assert.equal(r.json.error.code, 'ALREADY_INTEGRATED');
	assert.deepEqual(await counts(org), { entries: 1, lines: 3,
	    accounts: 3 });
	const list = (await entries(org, id)).data;
	assert.equal(list.length, 1);
	assert.equal(list[0].entry_id,
	    all.find((r) => r.status === 200).json.entry_id);
	await trialBalance(org);
	assert.equal((await outbox(org, 'integration.accounting.success'))
	    .length, 1);
});

test('another organization sees none of the entries and cannot post or ' +
    'roll back the case', async () => {
	const a = await newOrg('ledger');
	const b = await newOrg('ledger');
	const id = await approvedCase(a);

	assert.equal((await integrate(a, 'accounting', id)).status, 200);
	assert.deepEqual(await entries(b), { data: [], nextCursor: null });
	assert.deepEqual(await entries(b, id), { data: [], nextCursor: null });
	const p = await integrate(b, 'accounting', id);
	assert.equal(p.status, 404, p.text);
	assert.equal(p.json.error.code, 'CASE_NOT_FOUND');
	const rb = await rollback(b, id, ['accounting']);
	assert.equal(rb.status, 404, rb.text);
	assert.deepEqual(await trialBalance(b), { accounts: [],
	    total_debits: 0, total_credits: 0, balanced: true });
	assert.deepEqual(await counts(b), { entries: 0, lines: 0,
	    accounts: 0 });
	// a's entry is untouched.
	const [e] = (await entries(a, id)).data;
	assert.equal(e.reversed_at, null);
	assert.equal((await entries(a)).data.length, 1);
	await trialBalance(a);
});

test('the entries list pages with a cursor and filters by case', async () => {
	const org = await newOrg('ledger');
	const ids = [];

	for (let i = 0; i < 3; i++) {
		ids.push(await approvedCase(org));
		assert.equal((await integrate(org, 'accounting', ids[i])).status,
		    200);
	}
	const p1 = await org.api('GET', '/api/accounting/entries?limit=2');
	assert.equal(p1.status, 200, p1.text);
	assert.equal(p1.json.data.length, 2);
	assert.equal(typeof p1.json.nextCursor, 'string');
	const p2 = await org.api('GET', '/api/accounting/entries?limit=2' +
	    `&cursor=${p1.json.nextCursor}`);
	assert.equal(p2.status, 200, p2.text);
	assert.equal(p2.json.nextCursor, null);
	assert.deepEqual([...p1.json.data, ...p2.json.data].map((e) =>
	    [e.case_id, e.lines.length]), ids.map((id) => [id, 3]));
	assert.deepEqual((await entries(org, ids[1])).data.map((e) => e.case_id),
	    [ids[1]]);
	assert.deepEqual(await entries(org, 'case-unknown'),
	    { data: [], nextCursor: null });
	const bad = await org.api('GET', '/api/accounting/entries?limit=0');
	assert.equal(bad.status, 400, bad.text);
	const long = await org.api('GET', '/api/accounting/entries?case_id=' +
	    'x'.repeat(64));
	assert.equal(long.status, 400, long.text);
	assert.match(long.json.error.message, /case_id/);
	const tb = await trialBalance(org);
	assert.equal(tb.total_debits, 3636.6);
});
