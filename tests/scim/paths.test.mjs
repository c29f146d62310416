// paths.test.mjs - issue 9 point 3 over real HTTP: resource endpoints in
// any case and with a trailing slash answer as their canonical spelling;
// POST /Users/.search and /Groups/.search answer what the GET with the
// same query does; ServiceProviderConfig says what is supported.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { scimOrg, createUser, createGroup, ids, patchOp,
    SEARCH } from './lib.mjs';

let org, users, group;

before(async () => {
	org = await scimOrg();
	users = [];
	for (const n of ['ava', 'ben', 'cai', 'dee', 'eli'])
		users.push(await createUser(org, { userName: `p-${n}`,
		    displayName: `Person ${n}`, emails: [{ type: 'work',
		    value: `${n}@${org.slug}.test`, primary: true }] }));
	await createUser(org, { userName: 'outsider' });
	group = await createGroup(org, { displayName: 'Paths Team',
	    members: [{ value: users[0].id }, { value: users[2].id }] });
	await createGroup(org, { displayName: 'Others' });
});

// Two answers are the same resource(s): status, body and content type.
function same(got, want, what) {
	assert.equal(got.status, want.status, `${what}: ${got.text}`);
	assert.equal(got.headers.get('content-type'),
	    want.headers.get('content-type'), what);
	assert.deepEqual(got.json, want.json, what);
}

test('endpoints in any case and with a trailing slash answer as the canonical spelling', async () => {
	const filter = `filter=${encodeURIComponent('userName sw "p-"')}`;
	const pairs = [
		['/users', '/Users'],
		['/USERS', '/Users'],
		['/Users/', '/Users'],
		['/GROUPS', '/Groups'],
		['/groups/', '/Groups'],
		[`/Users/?${filter}`, `/Users?${filter}`],
		[`/users/?${filter}&count=2`, `/Users?${filter}&count=2`],
		[`/users/${users[1].id}`, `/Users/${users[1].id}`],
		[`/USERS/${users[1].id}/`, `/Users/${users[1].id}`],
		[`/gRoUpS/${group.id}`, `/Groups/${group.id}`],
		['/serviceproviderconfig', '/ServiceProviderConfig'],
		['/SERVICEPROVIDERCONFIG/', '/ServiceProviderConfig'],
		['/resourcetypes', '/ResourceTypes'],
		['/schemas', '/Schemas'],
	];
	for (const [path, canonical] of pairs) {
		const want = await org.scim('GET', canonical);
		assert.equal(want.status, 200, `${canonical}: ${want.text}`);
		same(await org.scim('GET', path), want, path);
	}
	// The filtered list is the five p- users, not every user.
	const f = await org.scim('GET', `/users/?${filter}`);
	assert.equal(f.json.totalResults, 5);
	assert.deepEqual(ids(f), users.map((u) => u.id));
	// Writes too: a PATCH to /users/{id}/ changes the user.
	const p = await org.scim('PATCH', `/users/${users[4].id}/`, patchOp(
	    { op: 'replace', path: 'displayName', value: 'Renamed' }));
	assert.equal(p.status, 200, p.text);
	assert.equal(p.json.displayName, 'Renamed');
	// A name that is not an endpoint is still unknown.
	assert.equal((await org.scim('GET', '/Userz')).status, 404);
});

test('POST /Users/.search answers what GET /Users does with the same query', async () => {
	const filter = 'userName sw "p-" and emails.value ew ".test"';
	const r = await org.scim('POST', '/Users/.search', {
		schemas: [SEARCH], filter, startIndex: 2, count: 3,
		attributes: ['userName', 'DisplayName'],
	});
	const g = await org.scim('GET', `/Users?filter=${encodeURIComponent(
	    filter)}&startIndex=2&count=3&attributes=userName,DisplayName`);
	same(r, g, '.search');
	assert.equal(r.json.totalResults, 5);
	assert.equal(r.json.startIndex, 2);
	assert.equal(r.json.itemsPerPage, 3);
	assert.deepEqual(r.json.Resources, users.slice(1, 4).map((u) => ({
		schemas: u.schemas, id: u.id, userName: u.userName,
		displayName: u.displayName })));

	// excludedAttributes as one string; the trailing slash and case too.
	const x = await org.scim('POST', '/users/.search', {
		schemas: [SEARCH], filter: `userName eq "p-cai"`,
		excludedAttributes: 'emails,meta',
	});
	assert.equal(x.status, 200, x.text);
	assert.deepEqual(x.json.Resources.map((u) => Object.keys(u).sort()),
	    [['active', 'displayName', 'id', 'schemas', 'userName']]);
});

test('POST /Groups/.search answers what GET /Groups does', async () => {
	const filter = 'displayName eq "Paths Team"';
	const r = await org.scim('POST', '/Groups/.search',
	    { schemas: [SEARCH], filter, attributes: ['displayName', 'members'] });
	const g = await org.scim('GET', `/Groups?filter=${encodeURIComponent(
	    filter)}&attributes=displayName,members`);
	same(r, g, 'groups .search');
	assert.equal(r.json.totalResults, 1);
	assert.deepEqual(ids(r), [group.id]);
	assert.deepEqual(r.json.Resources[0].members.map((m) => m.value),
	    [users[0].id, users[2].id]);
	// Without a filter: every group, paged.
	const all = await org.scim('POST', '/Groups/.search',
	    { schemas: [SEARCH], startIndex: 2, count: 1 });
	assert.equal(all.status, 200, all.text);
	assert.equal(all.json.totalResults, 2);
	assert.equal(all.json.Resources[0].displayName, 'Others');
});

test('ServiceProviderConfig: no sorting, ETags and filters supported', async () => {
	const r = await org.scim('GET', '/ServiceProviderConfig');
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.sort, { supported: false });
	assert.deepEqual(r.json.etag, { supported: true });
	assert.equal(r.json.filter.supported, true);
	assert.equal(r.json.filter.maxResults, 100);
	assert.equal(r.json.patch.supported, true);
});
