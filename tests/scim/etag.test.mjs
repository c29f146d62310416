// etag.test.mjs - issue 9 point 4 over real HTTP (RFC 7644 §3.14): Users
// and Groups answer ETag W/"<version>" equal to meta.version;
// If-None-Match with it gives 304; a PUT, PATCH or DELETE whose If-Match
// names another version is refused with 412 and changes nothing; with the
// current one it goes through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scimOrg, createUser, createGroup, patchOp, userRow, sql, q,
    count, USER, GROUP } from './lib.mjs';

const TAG = /^W\/"(\d+)"$/;

// GET path: its ETag, checked against meta.version.
async function etagOf(org, path) {
	const r = await org.scim('GET', path);
	assert.equal(r.status, 200, r.text);
	const tag = r.headers.get('etag');
	assert.match(tag ?? '', TAG);
	assert.equal(r.json.meta.version, tag);
	return tag;
}

// If-None-Match naming the current tag: 304 without a body; naming
// another: the resource.
async function conditionalGets(org, path, tag) {
	const nm = await org.scim('GET', path, undefined,
	    { 'if-none-match': tag });
	assert.equal(nm.status, 304);
	assert.equal(nm.text, '');
	assert.equal(nm.headers.get('etag'), tag);
	const n = Number(tag.match(TAG)[1]);
	const other = await org.scim('GET', path, undefined,
	    { 'if-none-match': `W/"${n + 100}"` });
	assert.equal(other.status, 200, other.text);
	assert.equal(other.json.meta.version, tag);
	// A list of tags, one of them current; and the strong form.
	for (const h of [`W/"${n + 100}", ${tag}`, `"${n}"`])
		assert.equal((await org.scim('GET', path, undefined,
		    { 'if-none-match': h })).status, 304, h);
}

test('a User\'s ETag is its meta.version; If-None-Match gives 304 until it changes', async () => {
	const org = await scimOrg();
	const u = await createUser(org, { userName: 'etag-user' });
	const path = `/Users/${u.id}`;
	const t1 = await etagOf(org, path);
	assert.equal(t1, 'W/"1"');
	assert.equal(u.meta.version, t1);
	await conditionalGets(org, path, t1);

	const p = await org.scim('PATCH', path, patchOp(
	    { op: 'replace', path: 'displayName', value: 'Moved' }));
	assert.equal(p.status, 200, p.text);
	assert.equal(p.headers.get('etag'), 'W/"2"');
	assert.equal(p.json.meta.version, 'W/"2"');
	assert.equal(await etagOf(org, path), 'W/"2"');
	const stale = await org.scim('GET', path, undefined,
	    { 'if-none-match': t1 });
	assert.equal(stale.status, 200);
	assert.equal(stale.json.displayName, 'Moved');
	assert.equal((await userRow(u.id)).version, 2);
});

test('a stale If-Match on a User is refused with 412 and changes nothing; the current one goes through', async () => {
	const org = await scimOrg();
	const u = await createUser(org, { userName: 'im-user',
	    displayName: 'Before' });
	const path = `/Users/${u.id}`;
	const move = await org.scim('PATCH', path, patchOp(
	    { op: 'replace', path: 'title', value: 'v2' }));
	assert.equal(move.status, 200, move.text);
	const stale = { 'if-match': 'W/"1"' };
	const before = await userRow(u.id);
	assert.equal(before.version, 2);

	const put = await org.scim('PUT', path, { schemas: [USER],
	    userName: 'im-renamed', displayName: 'After' }, stale);
	assert.equal(put.status, 412, put.text);
	const patch = await org.scim('PATCH', path, patchOp(
	    { op: 'replace', path: 'displayName', value: 'After' }), stale);
	assert.equal(patch.status, 412, patch.text);
	const del = await org.scim('DELETE', path, undefined, stale);
	assert.equal(del.status, 412, del.text);
	assert.deepEqual(await userRow(u.id), before);
	const g = await org.scim('GET', path);
	assert.equal(g.json.displayName, 'Before');
	assert.equal(g.json.title, 'v2');

	// The current tag: PUT, then PATCH with the tag PUT answered, then
	// DELETE with PATCH's.
	const put2 = await org.scim('PUT', path, { schemas: [USER],
	    userName: 'im-renamed', displayName: 'After' },
	    { 'if-match': 'W/"2"' });
	assert.equal(put2.status, 200, put2.text);
	assert.equal(put2.headers.get('etag'), 'W/"3"');
	assert.equal(put2.json.userName, 'im-renamed');
	const patch2 = await org.scim('PATCH', path, patchOp(
	    { op: 'replace', path: 'displayName', value: 'Later' }),
	    { 'if-match': put2.headers.get('etag') });
	assert.equal(patch2.status, 200, patch2.text);
	assert.equal(patch2.headers.get('etag'), 'W/"4"');
	assert.deepEqual(await userRow(u.id), { ...before,
	    userName: 'im-renamed', displayName: 'Later', version: 4 });
	const del2 = await org.scim('DELETE', path, undefined,
	    { 'if-match': patch2.headers.get('etag') });
	assert.equal(del2.status, 204, del2.text);
	assert.equal(await userRow(u.id), null);
});

test('If-Match: * matches any version; a missing resource is still 404', async () => {
	const org = await scimOrg();
	const u = await createUser(org, { userName: 'star' });
	const p = await org.scim('PATCH', `/Users/${u.id}`, patchOp(
	    { op: 'replace', path: 'displayName', value: 'Starred' }),
	    { 'if-match': '*' });
	assert.equal(p.status, 200, p.text);
	const gone = await org.scim('GET', '/Users/00000000-0000-7000-8000-' +
	    '000000000000', undefined, { 'if-none-match': '*' });
	assert.equal(gone.status, 404);
});

async function groupRow(id) {
	const [[name, version, members]] = await sql('SELECT display_name,' +
	    ' version, (SELECT COUNT(*) FROM scim_group_members m WHERE' +
	    ' m.group_id = g.id) FROM scim_groups g WHERE public_id =' +
	    ` ${q(id)}`);
	return { name, version: Number(version), members: Number(members) };
}

test('Groups: ETag, 304, and 412 on a stale If-Match with nothing changed', async () => {
	const org = await scimOrg();
	const a = await createUser(org, { userName: 'g-a' });
	const b = await createUser(org, { userName: 'g-b' });
	const g = await createGroup(org, { displayName: 'Tagged',
	    members: [{ value: a.id }] });
	const path = `/Groups/${g.id}`;
	const t1 = await etagOf(org, path);
	assert.equal(t1, 'W/"1"');
	assert.equal(g.meta.version, t1);
	await conditionalGets(org, path, t1);

	const add = await org.scim('PATCH', path, patchOp(
	    { op: 'add', path: 'members', value: [{ value: b.id }] }));
	assert.equal(add.status, 200, add.text);
	assert.equal(add.headers.get('etag'), 'W/"2"');
	assert.equal(await etagOf(org, path), 'W/"2"');
	const before = await groupRow(g.id);
	assert.deepEqual(before, { name: 'Tagged', version: 2, members: 2 });

	const stale = { 'if-match': t1 };
	const put = await org.scim('PUT', path, { schemas: [GROUP],
	    displayName: 'Renamed', members: [] }, stale);
	assert.equal(put.status, 412, put.text);
	const patch = await org.scim('PATCH', path, patchOp(
	    { op: 'remove', path: 'members' }), stale);
	assert.equal(patch.status, 412, patch.text);
	const del = await org.scim('DELETE', path, undefined, stale);
	assert.equal(del.status, 412, del.text);
	assert.deepEqual(await groupRow(g.id), before);

	const put2 = await org.scim('PUT', path, { schemas: [GROUP],
	    displayName: 'Renamed', members: [{ value: b.id }] },
	    { 'if-match': 'W/"2"' });
	assert.equal(put2.status, 200, put2.text);
	assert.equal(put2.headers.get('etag'), 'W/"3"');
	const patch2 = await org.scim('PATCH', path, patchOp(
	    { op: 'remove', path: 'members' }), { 'if-match': 'W/"3"' });
	assert.equal(patch2.status, 200, patch2.text);
	assert.deepEqual(await groupRow(g.id),
	    { name: 'Renamed', version: 4, members: 0 });
	const del2 = await org.scim('DELETE', path, undefined,
	    { 'if-match': 'W/"4"' });
	assert.equal(del2.status, 204, del2.text);
	assert.equal(await count('scim_groups', `public_id = ${q(g.id)}`), 0);
});

// If-None-Match is a condition for reads; a change it does not stop must
// not be answered 304 (a client would take it as "nothing happened").
test('If-None-Match on a Group PATCH: the change is either refused (412) or answered (200)', async () => {
	const org = await scimOrg();
	const u = await createUser(org, { userName: 'inm' });
	const g = await createGroup(org, { displayName: 'Conditional' });
	const r = await org.scim('PATCH', `/Groups/${g.id}`, patchOp(
	    { op: 'add', path: 'members', value: [{ value: u.id }] }),
	    { 'if-none-match': '*' });
	const after = await groupRow(g.id);
	if (r.status === 412) {
		assert.deepEqual(after, { name: 'Conditional', version: 1,
		    members: 0 });
	} else {
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.members.map((m) => m.value), [u.id]);
		assert.equal(after.version, 2);
	}
});
