// Invoice cases in the console: the cases waiting on /admin/approvals
// with their lines, amounts and currency, approved (after a required
// confirmation) or rejected with a note; a case's page with its invoice,
// lines, each system's state, bills, journal entries and audit log, and
// its buttons to integrate or roll back each system; what a member sees
// and may not do; another organization's case; markup as text.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { BASE, XSS_IMG, XSS_SCRIPT, api, clickAndWait, gotoPage, launch,
    makeOrg, newPage, pathOf, screenshot, signIn, sleep, sql, sqlQuote,
    text } from './helpers.mjs';

let browser;

before(async () => {
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

function tag() {
	return randomBytes(3).toString('hex');
}

/*
 * An invoice of two lines in EUR: 10 x 100.00 and 2.5 x 4.1234 (10.31
 * to the cent), tax 110.20: subtotal 1010.31, total 1120.51.
 */
function invoice(over = {}) {
	const t = tag();
	return {
		invoice_number: `INV-BR-${t}`,
		invoice_date: '2026-01-20',
		vendor_name: `Nile Paper ${t}`,
		currency: 'EUR',
		line_items: [
			{ sku: `PAPER-${t}`, description: 'Paper, A4 80g', quantity: 10,
			    unit_price: 100.00, line_total: 1000.00 },
			{ sku: `INK-${t}`, description: 'Ink, black', quantity: 2.5,
			    unit_price: 4.1234, line_total: 10.31 },
		],
		subtotal: 1010.31,
		tax: 110.20,
		total: 1120.51,
		...over,
	};
}

async function createCase(org, inv = invoice()) {
	const r = await api(org.key, 'POST', '/api/cases', inv);
	assert.equal(r.status, 201, `POST /api/cases: ${r.text}`);
	return r.body.case_id;
}

async function approveByApi(org, id) {
	const r = await api(org.key, 'POST', `/api/cases/${id}/approve`);
	assert.equal(r.status, 200, `approve: ${r.text}`);
}

/* The case's row in the database: status, decided_by, decision_note. */
function caseRow(id) {
	return sql('SELECT status, IFNULL(decided_by, \'-\'), IFNULL(decision_note, \'-\')' +
	    ` FROM invoice_cases WHERE public_id = ${sqlQuote(id)}`)[0];
}

/* The case's audit log: action/result, oldest first. */
function auditOf(id) {
	return sql('SELECT a.action, a.result FROM invoice_case_audit a' +
	    ' JOIN invoice_cases c ON c.id = a.case_id' +
	    ` WHERE c.public_id = ${sqlQuote(id)} ORDER BY a.id`).map(([a, r]) => `${a}/${r}`);
}

/* The cells of each row of a table, header rows included. */
async function cells(table) {
	return table.locator('tr').evaluateAll((trs) =>
	    trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
}

/* The cells of one row. */
async function rowCells(tr) {
	return tr.evaluate((el) => [...el.cells].map((c) => c.innerText.trim()));
}

/* The facts table of a case page as {name: value}. */
async function facts(page) {
	const rows = await cells(page.locator('table.facts'));
	return Object.fromEntries(rows);
}

/* Each system's row: [System, State, Error, Integrated, Rolled back(, Action)]. */
async function systems(page) {
	return (await cells(page.locator('table.systems'))).slice(1);
}

/* POST requests the page sends while fn runs. */
async function postsDuring(page, fn) {
	const posts = [];
	const on = (req) => { if (req.method() === 'POST') posts.push(req.url()); };
	page.on('request', on);
	await fn();
	await sleep(400);
	page.off('request', on);
	return posts;
}

async function stockOf(org, sku) {
	const r = await api(org.key, 'GET', '/api/integrations/v1/inventory/items?limit=200');
	assert.equal(r.status, 200, r.text);
	const item = r.body.data.find((i) => i.sku === sku);
	assert.ok(item, `item ${sku} is listed`);
	return { stock: String(item.stockOnHand), cost: String(item.unitCost) };
}

test('approvals: a waiting case shows its lines, total and currency; approving needs the confirmation', async () => {
	const org = makeOrg('case-ok');
	const inv = invoice();
	const id = await createCase(org, inv);
	const sent = await api(org.key, 'GET', `/api/cases/${id}`);
	assert.equal(sent.status, 200);
	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);
	assert.equal(pathOf(page), '/admin/approvals');

	const tb = page.locator(`tbody[id="${id}"]`);
	assert.equal(await tb.count(), 1, 'the pending case is listed');
	const row = (await cells(tb))[0];
	assert.equal(row.length, 8);
	assert.deepEqual(row.slice(0, 7), [id, inv.vendor_name, inv.invoice_number,
	    '2026-01-20', '2', '1120.51 EUR', sent.body.created_by]);
	assert.match(sent.body.created_by, /^key:/);
	assert.match(row[7], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
	assert.equal(await tb.getByRole('link', { name: id }).getAttribute('href'),
	    `/admin/cases/${id}`);
	assert.deepEqual(await cells(tb.locator('table.lines')), [
		['SKU', 'Description', 'Quantity', 'Unit price', 'Line total'],
		[inv.line_items[0].sku, 'Paper, A4 80g', '10', '100.00 EUR', '1000.00 EUR'],
		[inv.line_items[1].sku, 'Ink, black', '2.5', '4.1234 EUR', '10.31 EUR'],
		['Subtotal', '1010.31 EUR'],
		['Tax', '110.20 EUR'],
		['Total', '1120.51 EUR'],
	]);
	await screenshot(page, 'cases-approvals');

	// Approve without ticking the box: the browser does not send it.
	const box = tb.getByLabel(`Approving commits us to pay ${inv.vendor_name} 1120.51 EUR`);
	assert.equal(await box.count(), 1);
	assert.equal(await box.isChecked(), false);
	const posts = await postsDuring(page, () =>
	    tb.getByRole('button', { name: 'Approve' }).click());
	assert.deepEqual(posts, [], 'no POST without the confirmation');
	assert.equal(await box.evaluate((el) => el.validity.valueMissing), true);
	// Nor does the server take one without it.
	const csrf = await tb.locator('input[name="csrf"]').inputValue();
	const raw = await page.request.post(`${BASE}/admin/cases/${id}/approve`, {
		form: { csrf, from: 'approvals', note: 'no box' }, maxRedirects: 0,
	});
	assert.equal(raw.status(), 400);
	assert.match(await raw.text(), /Tick the box to confirm first; nothing changed\./);
	assert.deepEqual(caseRow(id), ['pending', '-', '-']);
	assert.deepEqual(auditOf(id), ['create/pending']);

	const note = 'Prices checked against the quote';
	await tb.getByLabel('Note').fill(note);
	await box.check();
	const resp = await clickAndWait(page, tb.getByRole('button', { name: 'Approve' }));
	assert.equal(resp.status(), 200);
	assert.equal(pathOf(page), '/admin/approvals');
	assert.equal(await text(page.locator('.notice.ok')),
	    `Approved invoice ${inv.invoice_number} of ${inv.vendor_name}: 1120.51 EUR to pay.`);
	assert.equal(await page.locator(`tbody[id="${id}"]`).count(), 0, 'it left the list');
	assert.ok(await page.getByText('No invoice case is waiting.').isVisible());
	const decided = await rowCells(page.locator('table.cases-decided tr', { hasText: id }));
	assert.match(decided[7], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
	assert.deepEqual(decided, [id, inv.vendor_name, inv.invoice_number,
	    '1120.51 EUR', 'approved', `user:${org.admin.email}`, note, decided[7],
	    'approved']);
	assert.deepEqual(caseRow(id), ['approved', `user:${org.admin.email}`, note]);
	assert.deepEqual(auditOf(id), ['create/pending', 'approve/approved']);
	const got = await api(org.key, 'GET', `/api/cases/${id}`);
	assert.equal(got.body.status, 'approved');
	assert.equal(got.body.approved_by, `user:${org.admin.email}`);
	assert.equal(sql('SELECT COUNT(*) FROM events e JOIN organizations o ON o.id = e.org_id' +
	    ` WHERE o.slug = ${sqlQuote(org.slug)} AND e.type = 'case.approved'`)[0][0], '1');

	// The flash is shown once; a reload repeats nothing.
	await page.reload({ waitUntil: 'load' });
	assert.equal(await page.locator('.notice').count(), 0);
	assert.deepEqual(auditOf(id), ['create/pending', 'approve/approved']);
	assert.deepEqual(page.dialogs, []);
	await context.close();
});

test('approvals: a member sees the case and its lines but no forms, and gets 403 on POST', async () => {
	const org = makeOrg('case-member', { member: true });
	const inv = invoice();
	const id = await createCase(org, inv);
	const { context, page } = await newPage(browser);
	await signIn(page, org.member.email, org.member.password);
	assert.equal(pathOf(page), '/admin/approvals');
	const tb = page.locator(`tbody[id="${id}"]`);
	assert.equal(await tb.count(), 1);
	assert.equal((await cells(tb.locator('table.lines'))).length, 6);
	assert.match(await text(tb), /An admin decides\./);
	assert.equal(await page.locator('form[action^="/admin/cases/"]').count(), 0);
	assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
	assert.equal(await page.getByRole('checkbox').count(), 0);

	// The case page: everything shown, nothing to press.
	await clickAndWait(page, tb.getByRole('link', { name: id }));
	assert.equal(pathOf(page), `/admin/cases/${id}`);
	assert.equal((await facts(page)).Status, 'pending');
	assert.equal(await page.locator('main form').count(), 0);
	assert.deepEqual((await cells(page.locator('table.systems')))[0],
	    ['System', 'State', 'Error', 'Integrated', 'Rolled back']);

	const csrf = await page.locator('form[action="/admin/logout"] input[name="csrf"]').inputValue();
	for (const action of ['approve', 'reject', 'integrate-inventory', 'rollback-ap']) {
		const r = await page.request.post(`${BASE}/admin/cases/${id}/${action}`, {
			form: { csrf, confirm: '1', note: 'member' }, maxRedirects: 0,
		});
		assert.equal(r.status(), 403, `a member's ${action}`);
	}
	assert.deepEqual(caseRow(id), ['pending', '-', '-']);
	assert.deepEqual(auditOf(id), ['create/pending']);
	await context.close();
});

test('case page: the invoice, its lines and states; integrating inventory adds stock, rolling back restores it', async () => {
	const org = makeOrg('case-stock');
	const t = tag();
	const sku = `BEANS-${t}`;
	let r = await api(org.key, 'POST', '/api/integrations/v1/inventory/items',
	    { sku, name: 'Coffee beans', stockOnHand: 5, unitCost: 7 });
	assert.equal(r.status, 201, r.text);
	const inv = invoice({
		line_items: [{ sku, description: 'Beans, 1 kg', quantity: 3,
		    unit_price: 9.50, line_total: 28.50 }],
		subtotal: 28.50, tax: 2.85, total: 31.35,
	});
	const id = await createCase(org, inv);
	await approveByApi(org, id);

	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);
	const resp = await gotoPage(page, `/admin/cases/${id}`);
	assert.equal(resp.status(), 200);
	assert.equal(await text(page.locator('h1')), `Invoice ${inv.invoice_number}`);
	const f = await facts(page);
	assert.equal(f.Case, id);
	assert.equal(f.Status, 'approved');
	assert.equal(f.Vendor, inv.vendor_name);
	assert.equal(f['Invoice date'], '2026-01-20');
	assert.equal(f.Currency, 'EUR');
	assert.equal(f.Subtotal, '28.50 EUR');
	assert.equal(f.Tax, '2.85 EUR');
	assert.equal(f.Total, '31.35 EUR');
	assert.match(f['Created by'], /^key:/);
	assert.equal(f['Approved by'], f['Created by']);
	assert.match(f['Approved at'], /^\d{4}-/);
	assert.deepEqual((await cells(page.locator('main > table.lines'))).slice(1, 2),
	    [[sku, 'Beans, 1 kg', '3', '9.50 EUR', '28.50 EUR']]);
	assert.deepEqual((await systems(page)).map((s) => s.slice(0, 5)), [
		['Inventory', 'not_integrated', '—', '—', '—'],
		['Payables', 'not_integrated', '—', '—', '—'],
		['Accounting', 'not_integrated', '—', '—', '—'],
	]);
	assert.ok(await page.getByText('No bill.').isVisible());
	assert.ok(await page.getByText('No journal entry.').isVisible());
	assert.ok(await page.getByText('No artifact.').isVisible());
	assert.deepEqual((await cells(page.locator('table.audit'))).slice(1)
	    .map((a) => `${a[2]}/${a[3]}`), ['create/pending', 'approve/approved']);

	// Integrate inventory: only with its box ticked.
	const inventory = page.locator('#system-inventory');
	const posts = await postsDuring(page, () =>
	    inventory.getByRole('button', { name: 'Integrate inventory' }).click());
	assert.deepEqual(posts, []);
	await inventory.getByLabel('Add the invoice\'s quantities to stock at its unit prices').check();
	let nav = await clickAndWait(page, inventory.getByRole('button', { name: 'Integrate inventory' }));
	assert.equal(nav.status(), 200);
	assert.equal(pathOf(page), `/admin/cases/${id}`);
	assert.equal(await text(page.locator('.notice.ok')),
	    'Inventory integrated: 0 items created, 1 updated.');
	let s = (await systems(page))[0];
	assert.equal(s[1], 'integrated');
	assert.ok(s[3].startsWith(`user:${org.admin.email} `), s[3]);
	assert.deepEqual(await stockOf(org, sku), { stock: '8', cost: '9.5' });
	await screenshot(page, 'case-integrated');

	// Roll it back: the stock and the unit cost are as before.
	await page.locator('#system-inventory').getByLabel(/^Take the added stock out again/).check();
	nav = await clickAndWait(page, page.locator('#system-inventory')
	    .getByRole('button', { name: 'Roll back inventory' }));
	assert.equal(nav.status(), 200);
	assert.equal(await text(page.locator('.notice.ok')), 'Inventory rolled back: Take the ' +
	    'added stock out again and restore the previous unit costs.');
	s = (await systems(page))[0];
	assert.equal(s[1], 'rolled_back');
	assert.ok(s[4].startsWith(`user:${org.admin.email} `), s[4]);
	assert.deepEqual(await stockOf(org, sku), { stock: '5', cost: '7' });
	assert.deepEqual(auditOf(id), ['create/pending', 'approve/approved',
	    'inventory/success', 'rollback/success']);
	// Integrated again after a rollback: its button is back.
	assert.equal(await page.locator('#system-inventory')
	    .getByRole('button', { name: 'Integrate inventory' }).count(), 1);
	assert.deepEqual(page.dialogs, []);
	await context.close();
});

/* Tick the box of a system's button and press it; the notice after. */
async function act(page, system, button, box) {
	const row = page.locator(`#system-${system}`);
	await row.getByLabel(box).check();
	const nav = await clickAndWait(page, row.getByRole('button', { name: button }));
	assert.equal(nav.status(), 200, `${button}: ${await text(page.locator('main'))}`);
	return text(page.locator('.notice'));
}

/* Each journal entry section: [heading, memo line, rows of its table]. */
async function entries(page) {
	const out = [];
	for (const sec of await page.locator('section.entry').all())
		out.push([await text(sec.locator('h3')), await text(sec.locator('p')),
		    await cells(sec.locator('table'))]);
	return out;
}

test('case page: all three systems from the page show the bill and the journal entry; rollbacks void and reverse them', async () => {
	const org = makeOrg('case-all');
	const inv = invoice();
	const id = await createCase(org, inv);
	await approveByApi(org, id);
	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);
	await gotoPage(page, `/admin/cases/${id}`);

	assert.equal(await act(page, 'inventory', 'Integrate inventory',
	    'Add the invoice\'s quantities to stock at its unit prices'),
	    'Inventory integrated: 2 items created, 0 updated.');
	const apNotice = await act(page, 'ap', 'Integrate payables',
	    'Create the vendor\'s bill for the invoice\'s total');
	const bill = /^Payables integrated: bill (bill-[0-9a-f-]{36}) of 1120\.51 EUR, due 2026-02-19\.$/
	    .exec(apNotice);
	assert.ok(bill, apNotice);
	const acNotice = await act(page, 'accounting', 'Integrate accounting',
	    'Post the invoice\'s journal entry to the ledger');
	const entry = /^Accounting integrated: entry (\S+) posted, debits 1120\.51 = credits 1120\.51 EUR\.$/
	    .exec(acNotice);
	assert.ok(entry, acNotice);
	assert.equal((await facts(page)).Status, 'integrated');
	assert.deepEqual((await systems(page)).map((s) => s[1]),
	    ['integrated', 'integrated', 'integrated']);

	const bills = await cells(page.locator('table.bills'));
	assert.equal(bills.length, 2);
	assert.deepEqual(bills[1].slice(0, 5), [bill[1], inv.vendor_name, '1120.51 EUR',
	    '2026-02-19', 'open']);
	assert.equal(bills[1][6], '—', 'not voided');
	let shown = await entries(page);
	assert.equal(shown.length, 1);
	assert.equal(shown[0][0], `${entry[1]} — 2026-01-20`);
	assert.equal(shown[0][1], `Invoice ${inv.invoice_number} from ${inv.vendor_name}`);
	const posting = shown[0][2];
	assert.deepEqual(posting[0], ['Account', 'Name', 'Debit', 'Credit']);
	assert.deepEqual(posting.slice(1, 4).sort(), [
		['1400', 'Inventory', '1010.31 EUR', '0.00 EUR'],
		['2100', 'Accounts Payable', '0.00 EUR', '1120.51 EUR'],
		['6300', 'Tax Expense', '110.20 EUR', '0.00 EUR'],
	]);
	assert.deepEqual(posting[4], ['Total', '1120.51 EUR', '1120.51 EUR']);
	await screenshot(page, 'case-all-integrated');

	// Roll back accounting: a reversing entry, the original stays.
	assert.equal(await act(page, 'accounting', 'Roll back accounting',
	    'Post a reversing journal entry (the original stays)'),
	    'Accounting rolled back: Post a reversing journal entry (the original stays).');
	shown = await entries(page);
	assert.equal(shown.length, 2);
	const reversal = shown.find((e) => e[1].includes(`Reverses ${entry[1]}.`));
	assert.ok(reversal, JSON.stringify(shown));
	assert.deepEqual(reversal[2].slice(1, 4).sort(), [
		['1400', 'Inventory', '0.00 EUR', '1010.31 EUR'],
		['2100', 'Accounts Payable', '1120.51 EUR', '0.00 EUR'],
		['6300', 'Tax Expense', '0.00 EUR', '110.20 EUR'],
	]);
	// Roll back payables: the bill stays, void.
	assert.equal(await act(page, 'ap', 'Roll back payables',
	    'Void the bill and lower the vendor\'s balance'),
	    'Payables rolled back: Void the bill and lower the vendor\'s balance.');
	const voided = (await cells(page.locator('table.bills')))[1];
	assert.equal(voided[0], bill[1]);
	assert.equal(voided[4], 'void');
	assert.match(voided[6], /^\d{4}-\d\d-\d\d /);
	assert.equal((await facts(page)).Status, 'approved');
	assert.deepEqual((await systems(page)).map((s) => s[1]),
	    ['integrated', 'rolled_back', 'rolled_back']);
	assert.deepEqual((await cells(page.locator('table.audit'))).slice(1)
	    .map((a) => `${a[2]}/${a[3]}`), ['create/pending', 'approve/approved',
	    'inventory/success', 'ap/success', 'accounting/success',
	    'rollback/success', 'rollback/success']);
	assert.deepEqual(page.dialogs, []);
	await context.close();
});

test('case page: a refused integration is recorded and said; a refusal with nothing to keep changes nothing', async () => {
	const org = makeOrg('case-refuse');
	const id = await createCase(org, invoice({ vendor_id: `vendor-missing-${tag()}` }));
	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);

	// Pending: no system button, and a forged POST is refused with the
	// page, writing nothing.
	await gotoPage(page, `/admin/cases/${id}`);
	assert.equal(await page.locator('table.systems form').count(), 0);
	assert.equal(await page.getByText('Approve the case first.').count(), 3);
	const csrf = await page.locator('form[action="/admin/logout"] input[name="csrf"]').inputValue();
	const forged = await page.request.post(`${BASE}/admin/cases/${id}/integrate-inventory`, {
		form: { csrf, confirm: '1' }, maxRedirects: 0,
	});
	assert.equal(forged.status(), 403);
	assert.match(await forged.text(), /<p class="notice error">CASE_NOT_APPROVED: case is pending; only an approved case can be integrated; nothing changed\.<\/p>/);
	assert.deepEqual(auditOf(id), ['create/pending']);
	const unknown = await page.request.post(`${BASE}/admin/cases/${id}/integrate-everything`, {
		form: { csrf, confirm: '1' }, maxRedirects: 0,
	});
	assert.equal(unknown.status(), 404);

	// Approve from the case page itself, then post to payables: the
	// vendor id is unknown, the refusal is kept and shown.
	await page.getByLabel(/^Approving commits us to pay/).check();
	await clickAndWait(page, page.getByRole('button', { name: 'Approve' }));
	assert.equal(pathOf(page), `/admin/cases/${id}`);
	assert.match(await text(page.locator('.notice.ok')), /^Approved invoice /);
	const ap = page.locator('#system-ap');
	await ap.getByLabel('Create the vendor\'s bill for the invoice\'s total').check();
	const nav = await clickAndWait(page, ap.getByRole('button', { name: 'Integrate payables' }));
	assert.equal(nav.status(), 200);
	assert.match(await text(page.locator('.notice.error')),
	    /^Payables integration refused \(VENDOR_NOT_FOUND\): /);
	const s = (await systems(page))[1];
	assert.deepEqual(s.slice(0, 3), ['Payables', 'failed', 'VENDOR_NOT_FOUND']);
	assert.deepEqual(auditOf(id), ['create/pending', 'approve/approved', 'ap/failed']);
	assert.equal(sql('SELECT COUNT(*) FROM events e JOIN organizations o ON o.id = e.org_id' +
	    ` WHERE o.slug = ${sqlQuote(org.slug)} AND e.type = 'integration.failed'`)[0][0], '1');
	// Still offered: a failed system may be tried again.
	assert.equal(await ap.getByRole('button', { name: 'Integrate payables' }).count(), 1);
	assert.deepEqual(page.dialogs, []);
	await context.close();
});

test('reject with a note: from the case page, kept and shown; a stale approval is refused', async () => {
	const org = makeOrg('case-reject');
	const inv = invoice();
	const id = await createCase(org, inv);
	const other = await createCase(org);
	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);

	await gotoPage(page, `/admin/cases/${id}`);
	const note = 'Duplicate of last week\'s invoice — "do not pay"';
	await page.getByLabel('Note').fill(note);
	// Rejecting needs no confirmation box.
	let nav = await clickAndWait(page, page.getByRole('button', { name: 'Reject' }));
	assert.equal(nav.status(), 200);
	assert.equal(pathOf(page), `/admin/cases/${id}`);
	assert.equal(await text(page.locator('.notice.ok')),
	    `Rejected invoice ${inv.invoice_number} of ${inv.vendor_name} (1120.51 EUR).`);
	const f = await facts(page);
	assert.equal(f.Status, 'rejected');
	assert.equal(f['Rejected by'], `user:${org.admin.email}`);
	assert.equal(f.Note, note);
	assert.equal(await page.locator('form.decide').count(), 0);
	assert.equal(await page.getByText('A rejected case is not posted.').count(), 3);
	assert.deepEqual(caseRow(id), ['rejected', `user:${org.admin.email}`, note]);
	assert.deepEqual(auditOf(id), ['create/pending', 'reject/rejected']);

	await gotoPage(page, '/admin/approvals');
	const row = await rowCells(page.locator('table.cases-decided tr', { hasText: id }));
	assert.deepEqual([row[4], row[6], row[8]], ['rejected', note, 'rejected']);

	// The other case is approved elsewhere while this page is open.
	const tb = page.locator(`tbody[id="${other}"]`);
	assert.equal(await tb.count(), 1);
	await approveByApi(org, other);
	await tb.getByRole('checkbox').check();
	nav = await clickAndWait(page, tb.getByRole('button', { name: 'Approve' }));
	assert.equal(nav.status(), 409);
	assert.equal(await text(page.locator('.notice.error')),
	    'This invoice case is no longer pending; nothing changed.');
	assert.equal(caseRow(other)[1].startsWith('key:'), true, 'the first decision stands');
	assert.equal(await page.locator(`tbody[id="${other}"]`).count(), 0);
	await context.close();
});

test('escaping and tenancy: a vendor named with markup reads as text; another organization\'s case is 404', async () => {
	const org = makeOrg('case-esc');
	const t = tag();
	const inv = invoice({ vendor_name: XSS_SCRIPT, invoice_number: `${XSS_IMG}${t}` });
	inv.line_items[0].sku = `${XSS_SCRIPT}&${t}`;
	inv.line_items[1].description = XSS_IMG;
	const id = await createCase(org, inv);
	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);

	async function inert(where) {
		assert.deepEqual(page.dialogs, [], `${where}: no dialog`);
		assert.equal(await page.locator('main script, main img').count(), 0, where);
		assert.equal(await page.locator('[onerror]').count(), 0, where);
		assert.ok((await page.content()).includes('&lt;script&gt;alert(1)&lt;/script&gt;'), where);
	}
	const tb = page.locator(`tbody[id="${id}"]`);
	const row = (await cells(tb))[0];
	assert.equal(row[1], XSS_SCRIPT);
	assert.equal(row[2], inv.invoice_number);
	const lines = await cells(tb.locator('table.lines'));
	assert.equal(lines[1][0], `${XSS_SCRIPT}&${t}`);
	assert.equal(lines[2][1], XSS_IMG);
	assert.equal(await tb.getByLabel(`Approving commits us to pay ${XSS_SCRIPT} 1120.51 EUR`).count(), 1);
	await inert('approvals');

	await tb.getByRole('checkbox').check();
	await clickAndWait(page, tb.getByRole('button', { name: 'Approve' }));
	assert.equal(await text(page.locator('.notice.ok')),
	    `Approved invoice ${inv.invoice_number} of ${XSS_SCRIPT}: 1120.51 EUR to pay.`);
	await inert('approvals after the decision');

	await gotoPage(page, `/admin/cases/${id}`);
	assert.equal(await text(page.locator('h1')), `Invoice ${inv.invoice_number}`);
	assert.equal((await facts(page)).Vendor, XSS_SCRIPT);
	assert.ok((await page.title()).startsWith(`Invoice ${inv.invoice_number}`));
	await inert('case page');
	await screenshot(page, 'case-escaping');

	// Another organization's admin: the console's 404, for the page and
	// for every action, and nothing changes.
	const stranger = makeOrg('case-other');
	const { context: sc, page: sp } = await newPage(browser);
	await signIn(sp, stranger.admin.email, stranger.admin.password);
	let resp = await gotoPage(sp, `/admin/cases/${id}`);
	assert.equal(resp.status(), 404);
	assert.equal(await text(sp.locator('h1')), 'Not Found');
	assert.ok(await sp.getByText('No such invoice case.').isVisible());
	resp = await gotoPage(sp, '/admin/cases/case-00000000-0000-7000-8000-000000000000');
	assert.equal(resp.status(), 404);
	const csrf = await sp.locator('form[action="/admin/logout"] input[name="csrf"]').inputValue();
	for (const action of ['reject', 'integrate-inventory', 'rollback-inventory']) {
		const r = await sp.request.post(`${BASE}/admin/cases/${id}/${action}`, {
			form: { csrf, confirm: '1', note: 'not mine' }, maxRedirects: 0,
		});
		assert.equal(r.status(), 404, action);
	}
	assert.equal(await sp.locator(`tbody[id="${id}"]`).count(), 0);
	assert.deepEqual(auditOf(id), ['create/pending', 'approve/approved']);
	await sc.close();
	await context.close();
});
