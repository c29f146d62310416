// enterprise.test.mjs - issue 9 point 5 over real HTTP: the enterprise
// extension (urn:ietf:params:scim:schemas:extension:enterprise:2.0:User)
// stored and returned, listed in "schemas", filterable, changed by
// Entra's PATCH (manager as a bare id), and declared in ResourceTypes and
// Schemas.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { scimOrg, createUser, patchOp, list, ids, sql, q, USER,
    ENT } from './lib.mjs';

let org, boss, ann, bob, plain;

before(async () => {
	org = await scimOrg();
	boss = await createUser(org, { userName: 'boss' });
	ann = await createUser(org, { schemas: [USER, ENT], userName: 'ann',
	    [ENT]: { employeeNumber: 'E-1001', department: 'Ops',
	    costCenter: 'CC-7', manager: { value: boss.id } } });
	bob = await createUser(org, { schemas: [USER, ENT], userName: 'bob',
	    [ENT]: { employeeNumber: 'E-1002', department: 'Sales' } });
	plain = await createUser(org, { userName: 'plain' });
});

// The extension as stored in the user's document, read as root.
async function stored(id) {
	const [[doc]] = await sql('SELECT JSON_EXTRACT(scim_json,' +
	    ` '$."${ENT}"') FROM users WHERE public_id = ${q(id)}`);
	return JSON.parse(doc);
}

test('the extension is stored and returned, and named in schemas', async () => {
	const want = { employeeNumber: 'E-1001', department: 'Ops',
	    costCenter: 'CC-7', manager: { value: boss.id } };
	assert.deepEqual(ann[ENT], want);
	assert.deepEqual(ann.schemas, [USER, ENT]);
	assert.deepEqual(await stored(ann.id), want);
	const g = await org.scim('GET', `/Users/${ann.id}`);
	assert.equal(g.status, 200, g.text);
	assert.deepEqual(g.json[ENT], want);
	assert.deepEqual(g.json.schemas, [USER, ENT]);
	// A user without it names only the core schema.
	assert.deepEqual(plain.schemas, [USER]);
	assert.equal(ENT in plain, false);
	// Its attributes alone, named in another case.
	const a = await org.scim('GET', `/Users/${ann.id}?attributes=` +
	    encodeURIComponent(`${ENT.toUpperCase()}:Department,` +
	    `${ENT}:manager.VALUE`));
	assert.deepEqual(a.json, { schemas: [USER, ENT], id: ann.id,
	    [ENT]: { department: 'Ops', manager: { value: boss.id } } });
});

test('the extension\'s attributes filter', async () => {
	const cases = [
		[`${ENT}:department eq "Ops"`, [ann.id]],
		[`${ENT}:department eq "Sales"`, [bob.id]],
		[`${ENT.toUpperCase()}:Department eq "ops"`, [ann.id]],
		[`${ENT}:manager.value eq "${boss.id}"`, [ann.id]],
		[`${ENT}:Manager.Value eq "${boss.id}"`, [ann.id]],
		[`${ENT}:employeeNumber pr`, [ann.id, bob.id]],
		[`${ENT}:employeeNumber sw "E-100" and userName eq "bob"`,
		    [bob.id]],
		[`${ENT}:department eq "Legal"`, []],
	];
	for (const [f, want] of cases) {
		const r = await list(org, 'Users', f);
		assert.equal(r.status, 200, `${f}: ${r.text}`);
		assert.equal(r.json.totalResults, want.length, f);
		assert.deepEqual(ids(r), want, f);
	}
});

test('Entra\'s PATCH: manager as a bare id becomes {"value": id}', async () => {
	const r = await org.scim('PATCH', `/Users/${bob.id}`, patchOp(
	    { op: 'Add', path: `${ENT}:manager`, value: boss.id },
	    { op: 'Replace', path: `${ENT}:department`, value: 'Ops' }));
	assert.equal(r.status, 200, r.text);
	const want = { employeeNumber: 'E-1002', department: 'Ops',
	    manager: { value: boss.id } };
	assert.deepEqual(r.json[ENT], want);
	assert.deepEqual(await stored(bob.id), want);
	const f = await list(org, 'Users',
	    `${ENT}:manager.value eq "${boss.id}"`);
	assert.deepEqual(ids(f), [ann.id, bob.id]);

	// A user without the extension gets it, and schemas says so.
	const p = await org.scim('PATCH', `/Users/${plain.id}`, patchOp(
	    { op: 'add', path: `${ENT}:manager`, value: ann.id }));
	assert.equal(p.status, 200, p.text);
	assert.deepEqual(p.json[ENT], { manager: { value: ann.id } });
	assert.deepEqual(p.json.schemas, [USER, ENT]);
});

test('ResourceTypes/User lists the extension; Schemas has it, by id in any case', async () => {
	const t = await org.scim('GET', '/ResourceTypes/User');
	assert.equal(t.status, 200, t.text);
	assert.equal(t.json.schema, USER);
	assert.deepEqual(t.json.schemaExtensions,
	    [{ schema: ENT, required: false }]);

	const all = await org.scim('GET', '/Schemas');
	assert.equal(all.status, 200, all.text);
	assert.ok(all.json.Resources.some((s) => s.id === ENT));

	for (const id of [ENT, ENT.toUpperCase(), ENT.toLowerCase()]) {
		const s = await org.scim('GET', `/Schemas/${id}`);
		assert.equal(s.status, 200, `${id}: ${s.text}`);
		assert.equal(s.json.id, ENT);
		assert.deepEqual(s.json.attributes.map((a) => a.name), [
		    'employeeNumber', 'costCenter', 'organization', 'division',
		    'department', 'manager']);
	}
});
