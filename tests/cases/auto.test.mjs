// auto.test.mjs - automatic integration on approval, run by the worker
// the stack started: the systems of the settings in order; a permanent
// error with on_failure "rollback" undoes the systems already done and
// the case ends failed; with "stop" it ends needs_review; all done, it
// ends integrated. Each writes its webhook events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newOrg, invoice, approvedCase, createCase, until, sql, q,
    outbox, ledgerBalanced } from './lib.mjs';

async function settle(org, id, want) {
	return until(async () => {
		const g = await org.api('GET', `/api/cases/${id}`);
		return want.includes(g.json.status) ? g.json : null;
	}, 30000, `case ${id} to become ${want.join(' or ')}`, 200);
}

async function stockOf(org, sku) {
	const rows = await sql('SELECT stock_on_hand FROM inventory_items' +
	    ` WHERE org_id = ${Number(org.id)} AND sku = ${q(sku)}`);
	return rows.length ? rows[0][0] : null;
}

test('on approval the worker posts to the three systems and the case ends integrated', async () => {
	const org = await newOrg('auto');
	const put = await org.api('PUT', '/api/cases/settings',
	    { auto_integrate: { enabled: true } });
	assert.equal(put.status, 200, put.text);
	const inv = invoice();
	const id = await approvedCase(org, inv);
	const c = await settle(org, id, ['integrated', 'failed',
	    'needs_review']);
	assert.equal(c.status, 'integrated', JSON.stringify(c.audit_log));
	for (const s of ['inventory', 'ap', 'accounting']) {
		assert.equal(c.integrations[s].state, 'integrated');
		assert.equal(c.integrations[s].integrated_by, 'auto-integration');
	}
	assert.equal(await stockOf(org, inv.line_items[0].sku), '10.0000');
	assert.deepEqual((await outbox(org)).map((e) => e.type)
	    .filter((t) => t.startsWith('integration.')),
	    ['integration.inventory.success', 'integration.ap.success',
	    'integration.accounting.success']);
	assert.ok(await ledgerBalanced(org));
	// Done once: nothing is queued again.
	const [[state]] = await sql('SELECT auto_state FROM invoice_cases' +
	    ` WHERE public_id = ${q(id)}`);
	assert.equal(state, 'done');
});

test('a permanent error with on_failure rollback undoes what was done: failed', async () => {
	const org = await newOrg('auto');
	// The tax account's code is not in the chart: accounting is refused
	// after inventory and payables were posted.
	await org.api('PUT', '/api/cases/settings', {
		auto_integrate: { enabled: true, on_failure: 'rollback' },
		accounts: { tax_expense: '9999' },
	});
	const inv = invoice();
	const id = await approvedCase(org, inv);
	const c = await settle(org, id, ['failed', 'needs_review',
	    'integrated']);
	assert.equal(c.status, 'failed', JSON.stringify(c.audit_log));
	assert.equal(c.integrations.inventory.state, 'rolled_back');
	assert.equal(c.integrations.ap.state, 'rolled_back');
	assert.equal(c.integrations.accounting.state, 'failed');
	assert.equal(c.integrations.accounting.error_code, 'ACCOUNT_NOT_FOUND');
	// Stock is back where it was (the item the case created is archived
	// with nothing on hand); the bill is void; the ledger holds nothing.
	assert.equal(await stockOf(org, inv.line_items[0].sku), '0.0000');
	const [[live]] = await sql('SELECT COUNT(*) FROM ap_bills b JOIN' +
	    ' invoice_cases c ON c.id = b.case_id WHERE c.public_id = ' +
	    `${q(id)} AND b.status <> 'void'`);
	assert.equal(live, '0');
	const [[entries]] = await sql('SELECT COUNT(*) FROM journal_entries' +
	    ` WHERE org_id = ${Number(org.id)}`);
	assert.equal(entries, '0');
	const types = (await outbox(org)).map((e) => e.type);
	assert.ok(types.includes('integration.failed'), types.join());
	assert.ok(types.includes('integration.rolled_back'), types.join());
	const failed = (await outbox(org, 'integration.failed'))[0].payload;
	assert.equal(failed.case_id, id);
	assert.equal(failed.system, 'accounting');
	assert.equal(failed.error_code, 'ACCOUNT_NOT_FOUND');
});

test('a permanent error with on_failure stop keeps what was done: needs_review', async () => {
	const org = await newOrg('auto');
	await org.api('PUT', '/api/cases/settings', {
		auto_integrate: { enabled: true, on_failure: 'stop' },
		accounts: { tax_expense: '9999' },
	});
	const inv = invoice();
	const id = await approvedCase(org, inv);
	const c = await settle(org, id, ['failed', 'needs_review',
	    'integrated']);
	assert.equal(c.status, 'needs_review');
	assert.equal(c.integrations.inventory.state, 'integrated');
	assert.equal(c.integrations.ap.state, 'integrated');
	assert.equal(c.integrations.accounting.state, 'failed');
	assert.equal(await stockOf(org, inv.line_items[0].sku), '10.0000');
	// A person fixes the mapping and posts the rest by hand.
	await org.api('PUT', '/api/cases/settings',
	    { accounts: { tax_expense: '6300' } });
	const r = await org.api('POST', '/api/integrations/accounting',
	    { case_id: id });
	assert.equal(r.status, 200, r.text);
	const g = await org.api('GET', `/api/cases/${id}`);
	assert.equal(g.json.status, 'integrated');
});

test('only the systems the settings name, and nothing when it is off', async () => {
	const org = await newOrg('auto');
	const off = await approvedCase(org);
	await org.api('PUT', '/api/cases/settings',
	    { auto_integrate: { enabled: true, systems: ['ap'] } });
	const id = await approvedCase(org);
	const c = await settle(org, id, ['integrated', 'failed',
	    'needs_review']);
	assert.equal(c.status, 'integrated');
	assert.equal(c.integrations.ap.state, 'integrated');
	assert.equal(c.integrations.inventory.state, 'not_integrated');
	assert.equal(c.integrations.accounting.state, 'not_integrated');
	// The case approved while it was off was not queued.
	const g = await org.api('GET', `/api/cases/${off}`);
	assert.equal(g.json.status, 'approved');
	assert.equal(g.json.integrations.ap.state, 'not_integrated');
	// A pending case is never integrated by the worker.
	const pending = await createCase(org);
	const [[state]] = await sql('SELECT COALESCE(auto_state, "none") FROM' +
	    ` invoice_cases WHERE public_id = ${q(pending)}`);
	assert.equal(state, 'none');
});
