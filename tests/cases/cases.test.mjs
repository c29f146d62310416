// cases.test.mjs - invoice cases over real HTTP: creation validated to
// the cent, approval, the audit log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newOrg, invoice, createCase } from './lib.mjs';

test('a case is created pending and approved once', async () => {
	const org = await newOrg();
	const id = await createCase(org);
	const a = await org.api('POST', `/api/cases/${id}/approve`);
	assert.equal(a.status, 200, a.text);
	assert.equal(a.json.status, 'approved');
	const again = await org.api('POST', `/api/cases/${id}/approve`);
	assert.equal(again.status, 409, again.text);
	const g = await org.api('GET', `/api/cases/${id}`);
	assert.deepEqual(g.json.audit_log.map((e) => e.action),
	    ['create', 'approve']);
	assert.equal(invoice().line_items.length, 2);
});
