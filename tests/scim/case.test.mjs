// case.test.mjs - issue 9 point 2 over real HTTP: attribute names in any
// case (RFC 7643 §2.1) in request bodies, filters, PATCH paths,
// attributes and excludedAttributes, and schema URNs compared without
// case; responses in the schema's canonical case.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { scimOrg, createUser, patchOp, list, ids, userRow, emailRows,
    sql, q, rand, USER, ENT } from './lib.mjs';

let org, jane, other, email;

before(async () => {
	org = await scimOrg();
	email = `jane-${rand(3)}@${org.slug}.test`;
	// Written as some clients do: every name in its own case, and
	// Entra's booleans as strings.
	const r = await org.scim('POST', '/Users', {
		Schemas: [USER],
		UserName: 'jane',
		DisplayName: 'Jane Roe',
		Name: { FamilyName: 'Roe', GIVENNAME: 'Jane' },
		Emails: [{ Value: email, Primary: 'True', Type: 'work' }],
		ACTIVE: 'True',
	});
	assert.equal(r.status, 201, r.text);
	jane = r.json;
	other = await createUser(org, { userName: 'other',
	    displayName: 'Other Person', name: { familyName: 'Person' },
	    emails: [{ value: `other@${org.slug}.test`, type: 'work',
	    primary: true }] });
});

test('a body in any case comes back in the schema\'s case', async () => {
	const want = {
		userName: 'jane', displayName: 'Jane Roe', active: true,
		name: { familyName: 'Roe', givenName: 'Jane' },
		emails: [{ value: email, primary: true, type: 'work' }],
	};
	for (const res of [jane, (await org.scim('GET', `/Users/${jane.id}`)).json]) {
		for (const [k, v] of Object.entries(want))
			assert.deepEqual(res[k], v, k);
		assert.deepEqual(res.schemas, [USER]);
		// No key in the client's spelling is left over.
		for (const k of ['Schemas', 'UserName', 'DisplayName', 'Name',
		    'Emails', 'ACTIVE'])
			assert.equal(k in res, false, k);
	}
	// Stored as a boolean primary and a type, in columns.
	assert.deepEqual(await emailRows(jane.id), [`${email} work 1 1`]);
	const row = await userRow(jane.id);
	assert.equal(row.userName, 'jane');
	assert.equal(row.displayName, 'Jane Roe');
	assert.equal(row.active, true);
});

test('filters name attributes in any case', async () => {
	for (const f of [`emails.Value eq "${email}"`,
	    `EMAILS.VALUE eq "${email.toUpperCase()}"`,
	    'NAME.familyname eq "Roe"', 'name.FamilyName eq "Roe"',
	    'DisplayName co "ane R"', 'USERNAME eq "jane"', 'emails[TYPE eq "work" and Value co "jane-"]',
	    `${USER.toUpperCase()}:DisplayName sw "Jane"`,
	    `urn:IETF:params:SCIM:schemas:core:2.0:user:name.familyName sw "R"`]) {
		const r = await list(org, 'Users', f);
		assert.equal(r.status, 200, `${f}: ${r.text}`);
		assert.equal(r.json.totalResults, 1, f);
		assert.deepEqual(ids(r), [jane.id], f);
	}
});

// eq on an attribute without an index of its own (displayName) is
// evaluated over every user, as co and sw are.
test('DisplayName eq, alone in a filter, finds the user', async () => {
	for (const f of ['DisplayName eq "Jane Roe"', 'displayName eq "jane roe"',
	    `${USER}:displayName eq "Jane Roe"`]) {
		const r = await list(org, 'Users', f);
		assert.equal(r.status, 200, `${f}: ${r.text}`);
		assert.equal(r.json.totalResults, 1, f);
		assert.deepEqual(ids(r), [jane.id], f);
	}
});

test('attributes and excludedAttributes name attributes in any case', async () => {
	const a = await org.scim('GET', `/Users/${jane.id}?attributes=` +
	    'DisplayName,name.FamilyName');
	assert.equal(a.status, 200, a.text);
	assert.deepEqual(a.json, { schemas: [USER], id: jane.id,
	    displayName: 'Jane Roe', name: { familyName: 'Roe' } });

	const u = await org.scim('GET', `/Users/${jane.id}?attributes=` +
	    encodeURIComponent(`${USER.toUpperCase()}:USERNAME,` +
	    'urn:ietf:params:scim:schemas:core:2.0:user:Emails.Value'));
	assert.equal(u.status, 200, u.text);
	assert.deepEqual(u.json, { schemas: [USER], id: jane.id,
	    userName: 'jane', emails: [{ value: email }] });

	const x = await org.scim('GET', `/Users/${jane.id}?excludedAttributes=` +
	    'Emails,NAME.givenname');
	assert.equal(x.status, 200, x.text);
	assert.equal('emails' in x.json, false);
	assert.deepEqual(x.json.name, { familyName: 'Roe' });
	assert.equal(x.json.displayName, 'Jane Roe');
	assert.equal(x.json.userName, 'jane');

	// The same on a list.
	const l = await list(org, 'Users', 'userName eq "other"',
	    'attributes=DisplayName,name.FamilyName');
	assert.deepEqual(l.json.Resources, [{ schemas: [USER], id: other.id,
	    displayName: 'Other Person', name: { familyName: 'Person' } }]);
});

test('PATCH paths name attributes and schema URNs in any case', async () => {
	const r = await org.scim('PATCH', `/Users/${other.id}`, patchOp(
	    { op: 'Replace', path: 'DisplayName', value: 'Other Renamed' },
	    { op: 'replace', path: 'name.FamilyName', value: 'Renamed' },
	    { op: 'replace', path: 'emails[Type eq "work"].Value',
	      value: `renamed@${org.slug}.test` },
	    { op: 'Add', path: `${ENT.toUpperCase()}:Department`,
	      value: 'Ops' },
	    { op: 'add', path: 'URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:' +
	      'NickName', value: 'otto' }));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.displayName, 'Other Renamed');
	assert.deepEqual(r.json.name, { familyName: 'Renamed' });
	assert.deepEqual(r.json.emails, [{ value: `renamed@${org.slug}.test`,
	    type: 'work', primary: true }]);
	assert.deepEqual(r.json[ENT], { department: 'Ops' });
	assert.equal(r.json.nickName, 'otto');
	assert.deepEqual(r.json.schemas, [USER, ENT]);
	for (const k of ['DisplayName', 'FamilyName', 'NickName',
	    ENT.toUpperCase()])
		assert.equal(k in r.json, false, k);

	// What lives in columns followed: the display name and the address.
	assert.equal((await userRow(other.id)).displayName, 'Other Renamed');
	assert.deepEqual(await emailRows(other.id),
	    [`renamed@${org.slug}.test work 1 1`]);
	const [[dept]] = await sql('SELECT JSON_VALUE(scim_json, ' +
	    `'$."${ENT}".department') FROM users WHERE public_id = ${q(other.id)}`);
	assert.equal(dept, 'Ops');

	// And the extension filters in any case.
	const f = await list(org, 'Users',
	    `${ENT.toLowerCase()}:DEPARTMENT eq "ops"`);
	assert.deepEqual(ids(f), [other.id]);
});
