// concurrency.test.mjs - concurrent changes of one group's members (issue
// 16 #1): each PATCH locks the group's row before reading its members, so
// none rewrites a list another has changed meanwhile. 20 concurrent adds
// leave 20 members; an "Admins" group whose members swap concurrently
// leaves users.role right after every round.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scimOrg, createUser, createGroup, patchOp, sql, q,
    count } from './lib.mjs';

async function members(group) {
	return count('scim_group_members', 'group_id = (SELECT id FROM' +
	    ` scim_groups WHERE public_id = ${q(group.id)})`);
}

test('20 concurrent PATCH adds to one group leave 20 members', async () => {
	const org = await scimOrg();
	const users = [];
	for (let i = 0; i < 20; i++)
		users.push(await createUser(org, { userName: `c-${i}` }));
	const g = await createGroup(org, { displayName: 'Crowd' });

	const rs = await Promise.all(users.map((u) => org.scim('PATCH',
	    `/Groups/${g.id}`, patchOp({ op: 'add', path: 'members',
	    value: [{ value: u.id }] }))));
	assert.deepEqual(rs.map((r) => r.status), users.map(() => 200),
	    rs.map((r) => r.text).join('\n'));
	assert.equal(await members(g), 20);
	const r = await org.scim('GET', `/Groups/${g.id}`);
	assert.deepEqual(r.json.members.map((m) => m.value).sort(),
	    users.map((u) => u.id).sort());
	// Each change moved the version once.
	assert.equal(r.json.meta.version, 'W/"21"');
});

test('concurrent add of Y and remove of X on Admins leave X a member and Y an admin', async () => {
	const org = await scimOrg();
	const a = await createUser(org, { userName: 'swap-a' });
	const b = await createUser(org, { userName: 'swap-b' });
	const admins = await createGroup(org, { displayName: 'Admins',
	    members: [{ value: a.id }] });
	const role = async (u) => (await sql('SELECT role FROM users WHERE' +
	    ` public_id = ${q(u.id)}`))[0][0];
	assert.equal(await role(a), 'admin');
	assert.equal(await role(b), 'member');

	for (let round = 0; round < 10; round++) {
		const [x, y] = round % 2 === 0 ? [a, b] : [b, a];
		const rs = await Promise.all([
			org.scim('PATCH', `/Groups/${admins.id}`, patchOp({
			    op: 'add', path: 'members',
			    value: [{ value: y.id }] })),
			org.scim('PATCH', `/Groups/${admins.id}`, patchOp({
			    op: 'remove',
			    path: `members[value eq "${x.id}"]` })),
		]);
		assert.deepEqual(rs.map((r) => r.status), [200, 200],
		    `round ${round}`);
		assert.equal(await role(x), 'member', `round ${round}`);
		assert.equal(await role(y), 'admin', `round ${round}`);
		assert.equal(await members(admins), 1, `round ${round}`);
	}
});
