// lookups.test.mjs - issue 9 point 7 over real HTTP: the lookups identity
// providers send before nearly every change (userName, externalId, id,
// emails.value eq; active eq) answer exactly the right users and
// totalResults in an organization of hundreds; pages deep in the list
// come in creation order; a filter without an index stays exact across
// the 500-row batches it is evaluated in. Most users are made straight in
// the database (bulkUsers in lib.mjs says why).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { scimOrg, createUser, patchOp, list, ids, bulkUsers, count, SEARCH,
    ENT } from './lib.mjs';

const BULK = 300;
let org, bulk, web, all;

before(async () => {
	org = await scimOrg('scimlook');
	// Every 10th bulk user is inactive: 30 of them.
	bulk = await bulkUsers(org, 'look', BULK,
	    { inactive: (i) => i % 10 === 0 });
	web = [];
	for (const n of ['una', 'vic', 'wes'])
		web.push(await createUser(org, { userName: `web-${n}`,
		    externalId: `ext-web-${n}`, displayName: `Web ${n}`,
		    emails: [{ value: `${n}@web.test`, type: 'work',
		    primary: true }, { value: `${n}@home.test`, type: 'home' }],
		    title: `Title ${n}`, [ENT]: { department: 'Web' } }));
	const off = await org.scim('PATCH', `/Users/${web[2].id}`,
	    patchOp({ op: 'replace', path: 'active', value: false }));
	assert.equal(off.status, 200, off.text);
	all = [...bulk.map((u) => u.id), ...web.map((u) => u.id)];
});

async function expect(filter, want, extra = '') {
	const r = await list(org, 'Users', filter, extra);
	assert.equal(r.status, 200, `${filter}: ${r.text}`);
	assert.equal(r.json.totalResults, want.length, filter);
	assert.deepEqual(ids(r), want, filter);
	return r;
}

test('eq on userName, externalId and id finds exactly the one user', async () => {
	const u = bulk[150];	// look-0151, active
	const r = await expect('userName eq "look-0151"', [u.id]);
	assert.equal(r.json.Resources[0].userName, 'look-0151');
	assert.equal(r.json.Resources[0].displayName, 'Bulk 0151');
	assert.equal(r.json.Resources[0].active, true);
	assert.deepEqual(r.json.Resources[0].emails, [{ value: u.email,
	    type: 'work', primary: true }]);
	// userName is compared without case; externalId and id exactly.
	await expect('userName eq "LOOK-0151"', [u.id]);
	await expect('UserName eq "look-0151 "', []);
	await expect('userName eq "look-015"', []);
	await expect(`externalId eq "${u.externalId}"`, [u.id]);
	await expect('externalId eq "ext-web-vic"', [web[1].id]);
	await expect(`id eq "${u.id}"`, [u.id]);
	await expect(`id eq "${web[0].id}"`, [web[0].id]);
	await expect('id eq "00000000-0000-7000-8000-000000000000"', []);
	// Inactive users are found too (identity providers look them up
	// to reactivate them).
	await expect('userName eq "look-0200"', [bulk[199].id]);
	await expect(`externalId eq "${bulk[199].externalId}"`,
	    [bulk[199].id]);
});

test('emails.value eq and emails[value eq] find the holder of any of its addresses', async () => {
	await expect(`emails.value eq "${bulk[41].email}"`, [bulk[41].id]);
	await expect(`emails[value eq "${bulk[41].email}"]`, [bulk[41].id]);
	await expect(`emails.value eq "${bulk[41].email.toUpperCase()}"`,
	    [bulk[41].id]);
	// An inactive user's address still finds it.
	await expect(`emails.value eq "${bulk[9].email}"`, [bulk[9].id]);
	// A second, non-primary address; and with the type in the filter.
	await expect('emails.value eq "vic@home.test"', [web[1].id]);
	await expect('emails[type eq "home" and value eq "una@home.test"]',
	    [web[0].id]);
	await expect('emails[type eq "work" and value eq "una@home.test"]',
	    []);
	await expect('emails.value eq "nobody@web.test"', []);
});

test('an indexed term with more: userName eq "x" and active eq true', async () => {
	await expect('userName eq "look-0151" and active eq true',
	    [bulk[150].id]);
	await expect('userName eq "look-0151" and active eq false', []);
	await expect('userName eq "look-0150" and active eq true', []);
	await expect('active eq false and userName eq "look-0200"',
	    [bulk[199].id]);
	await expect('userName eq "web-una" and emails.value eq "una@web.test"',
	    [web[0].id]);
	await expect('userName eq "web-una" and emails.value eq "vic@web.test"',
	    []);
	await expect(`externalId eq "ext-web-wes" and ${ENT}:department eq "Web"`,
	    [web[2].id]);
	await expect('userName eq "look-0150" or userName eq "look-0151"',
	    [bulk[149].id, bulk[150].id]);
});

// The rest of eq is evaluated over every user, as co and sw are.
test('eq on an attribute without an index, alone, finds its users', async () => {
	await expect('displayName eq "Bulk 0077"', [bulk[76].id]);
	await expect('title eq "Title vic"', [web[1].id]);
	await expect('displayName eq "Bulk 0077" or title eq "Title vic"',
	    [bulk[76].id, web[1].id]);
});

test('active eq false and active eq true count and page exactly', async () => {
	const inactive = [...bulk.filter((u) => !u.active).map((u) => u.id),
	    web[2].id];
	assert.equal(inactive.length, 31);
	await expect('active eq false', inactive);
	const active = all.filter((id) => !inactive.includes(id));
	const r = await list(org, 'Users', 'active eq true',
	    'startIndex=101&count=100');
	assert.equal(r.json.totalResults, active.length);
	assert.equal(r.json.startIndex, 101);
	assert.deepEqual(ids(r), active.slice(100, 200));
	const pr = await list(org, 'Users', 'active pr');
	assert.equal(pr.json.totalResults, all.length);
	assert.deepEqual(ids(pr), all.slice(0, 100));
});

test('a page deep in the list comes in creation order with the full count', async () => {
	const r = await org.scim('GET', '/Users?startIndex=251&count=25');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.totalResults, BULK + web.length);
	assert.equal(r.json.startIndex, 251);
	assert.equal(r.json.itemsPerPage, 25);
	assert.deepEqual(ids(r), all.slice(250, 275));
	assert.deepEqual(r.json.Resources.map((u) => u.userName),
	    bulk.slice(250, 275).map((u) => u.userName));
	// The last page runs past the end; beyond it, none.
	const end = await org.scim('GET', '/Users?startIndex=290&count=100');
	assert.deepEqual(ids(end), all.slice(289));
	const past = await org.scim('GET', '/Users?startIndex=400&count=10');
	assert.equal(past.json.totalResults, all.length);
	assert.deepEqual(ids(past), []);
	// The same through .search.
	const s = await org.scim('POST', '/Users/.search',
	    { schemas: [SEARCH], startIndex: 251, count: 25 });
	assert.deepEqual(ids(s), all.slice(250, 275));
});

test('count=0 answers totalResults and no resources', async () => {
	for (const [filter, total] of [[undefined, all.length],
	    ['active eq false', 31], ['userName eq "look-0001"', 1],
	    ['displayName co "Bulk"', BULK]]) {
		const r = await list(org, 'Users', filter, 'count=0');
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.totalResults, total, filter);
		assert.equal(r.json.itemsPerPage, 0);
		assert.deepEqual(r.json.Resources ?? [], [], filter);
	}
});

test('a filter without an index pages exactly across the 500-row batches', async () => {
	const wide = await scimOrg('scimwide');
	const t0 = Date.now();
	const users = await bulkUsers(wide, 'wide', 600, { display: 'Wide' });
	const r = await list(wide, 'Users', 'displayName co "ide 0"',
	    'startIndex=490&count=20');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.totalResults, 600);
	assert.deepEqual(ids(r), users.slice(489, 509).map((u) => u.id));
	// Matches on both sides of the boundary only: every 7th user.
	const seventh = users.filter((_, i) => (i + 1) % 7 === 0);
	const odd = await list(wide, 'Users',
	    seventh.map((u) => `userName eq "${u.userName}"`).slice(60, 80)
	    .join(' or '), 'startIndex=5&count=10');
	assert.equal(odd.json.totalResults, 20);
	assert.deepEqual(ids(odd), seventh.slice(64, 74).map((u) => u.id));
	const tail = await list(wide, 'Users', 'displayName ew "0"',
	    'startIndex=55&count=100');
	assert.equal(tail.json.totalResults, 60);
	assert.deepEqual(ids(tail), users.filter((_, i) => (i + 1) % 10 === 0)
	    .slice(54).map((u) => u.id));
	assert.ok(Date.now() - t0 < 10000, `${Date.now() - t0} ms`);
});

// The totals of unfiltered and active lists come from the organization's
// counts, which every write keeps: after creates (one inactive), a
// deactivation (twice), a reactivation, a PUT that omits active and
// deletes, they equal the rows.
test('totalResults follows every create, change of active and delete', async () => {
	const o = await scimOrg('scimcount');
	const totals = async () => ({
		all: (await list(o, 'Users', '')).json.totalResults,
		active: (await list(o, 'Users', 'active eq true')).json.totalResults,
		inactive: (await list(o, 'Users', 'active eq false')).json
		    .totalResults,
		pr: (await list(o, 'Users', 'active pr')).json.totalResults,
	});
	const rows = async () => ({
		all: await count('users', `org_id = ${o.id}`),
		active: await count('users', `org_id = ${o.id} AND active = 1`),
		inactive: await count('users', `org_id = ${o.id} AND active = 0`),
		pr: await count('users', `org_id = ${o.id}`),
	});
	const a = await createUser(o, { userName: 'c-a' });
	const b = await createUser(o, { userName: 'c-b', active: false });
	const c = await createUser(o, { userName: 'c-c' });
	assert.deepEqual(await totals(), { all: 3, active: 2, inactive: 1, pr: 3 });
	let r = await o.scim('PATCH', `/Users/${a.id}`,
	    patchOp({ op: 'replace', path: 'active', value: false }));
	assert.equal(r.status, 200, r.text);
	// The same again changes nothing.
	r = await o.scim('PATCH', `/Users/${a.id}`,
	    patchOp({ op: 'replace', path: 'active', value: 'False' }));
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(await totals(), { all: 3, active: 1, inactive: 2, pr: 3 });
	r = await o.scim('PUT', `/Users/${b.id}`, { userName: 'c-b', active: true });
	assert.equal(r.status, 200, r.text);
	r = await o.scim('PUT', `/Users/${b.id}`, { userName: 'c-b2' });
	assert.equal(r.status, 200, r.text);
	r = await o.scim('DELETE', `/Users/${c.id}`);
	assert.equal(r.status, 204, r.text);
	r = await o.scim('DELETE', `/Users/${a.id}`);
	assert.equal(r.status, 204, r.text);
	assert.deepEqual(await totals(), { all: 1, active: 1, inactive: 0, pr: 1 });
	assert.deepEqual(await totals(), await rows());
});
