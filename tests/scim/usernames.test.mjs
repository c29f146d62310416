// usernames.test.mjs - issue 9 point 1 over real HTTP: a userName is any
// non-empty string, unique per organization without regard to case; a
// user signs in to the console with the userName or any e-mail address;
// an address belongs to one active user of an organization at a time;
// users made the older way (mihwarctl --email) keep signing in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scimOrg, createUser, patchOp, signIn, sql, q, ctl, rand, count,
    userRow, emailRows, sessionsOf, USER } from './lib.mjs';

const WORK = (value, primary = true) => ({ value, type: 'work', primary });

async function orgCounts(org) {
	return {
		users: await count('users', `org_id = ${org.id}`),
		emails: await count('user_emails', `org_id = ${org.id}`),
	};
}

test('a userName that is not an e-mail address is taken as sent', async () => {
	const org = await scimOrg();
	const r = await org.scim('POST', '/Users',
	    { schemas: [USER], userName: 'UserName123' });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.userName, 'UserName123');
	assert.equal((await userRow(r.json.id)).userName, 'UserName123');
	const g = await org.scim('GET', `/Users/${r.json.id}`);
	assert.equal(g.status, 200, g.text);
	assert.equal(g.json.userName, 'UserName123');
});

test('jdoe signs in with the userName in any case and with the work address', async () => {
	const org = await scimOrg();
	const email = `jdoe@${org.slug}.test`;
	const password = `pw-${rand(8)}`;
	const home = `jd-${rand(3)}@home.${org.slug}.test`;
	const u = await createUser(org, { userName: 'jdoe', password,
	    emails: [WORK(email), { value: home, type: 'home' }] });
	assert.deepEqual(await emailRows(u.id),
	    [`${home} home 0 1`, `${email} work 1 1`]);

	for (const login of ['jdoe', email, 'JDOE', email.toUpperCase(),
	    home]) {
		const before = await sessionsOf(u.id);
		const s = await signIn(login, password);
		assert.equal(s.status, 303, `sign-in as ${login}`);
		assert.equal(s.location, '/admin/approvals');
		assert.match(s.session ?? '', /^[A-Za-z0-9]{32}$/);
		// The session is this user's.
		assert.equal(await sessionsOf(u.id), before + 1, login);
	}
	const [[last]] = await sql('SELECT last_sign_in_at IS NOT NULL FROM' +
	    ` users WHERE public_id = ${q(u.id)}`);
	assert.equal(last, '1');

	const bad = await signIn(email, 'not-the-password');
	assert.equal(bad.status, 401);
	assert.equal(bad.session, null);
	assert.equal(await sessionsOf(u.id), 5);
});

test('userName is unique without regard to case, and must be a printable non-empty string', async () => {
	const org = await scimOrg();
	await createUser(org, { userName: 'jdoe' });
	const before = await orgCounts(org);

	for (const name of ['JDOE', 'jDoe']) {
		const r = await org.scim('POST', '/Users',
		    { schemas: [USER], userName: name });
		assert.equal(r.status, 409, `${name}: ${r.text}`);
		assert.equal(r.json.scimType, 'uniqueness');
	}
	for (const name of ['', 'a\u0001b', 'tab\there', 'line\nbreak']) {
		const r = await org.scim('POST', '/Users',
		    { schemas: [USER], userName: name });
		assert.equal(r.status, 400, `${JSON.stringify(name)}: ${r.text}`);
		assert.equal(r.json.scimType, 'invalidValue');
	}
	assert.deepEqual(await orgCounts(org), before);
});

test('an address belongs to one active user: 409 while the first is active, free once deactivated', async () => {
	const org = await scimOrg();
	const shared = `shared-${rand(3)}@${org.slug}.test`;
	const pwA = `pw-${rand(8)}`, pwB = `pw-${rand(8)}`;
	const a = await createUser(org, { userName: 'first', password: pwA,
	    emails: [WORK(shared)] });

	// Another active user may not take it, in any case; nothing written.
	const before = await orgCounts(org);
	for (const addr of [shared, shared.toUpperCase()]) {
		const r = await org.scim('POST', '/Users', { schemas: [USER],
		    userName: 'second', password: pwB,
		    emails: [WORK(addr)] });
		assert.equal(r.status, 409, `${addr}: ${r.text}`);
		assert.equal(r.json.scimType, 'uniqueness');
	}
	assert.deepEqual(await orgCounts(org), before);
	assert.deepEqual(await emailRows(a.id), [`${shared} work 1 1`]);

	// Deactivated, the first user no longer holds it.
	const off = await org.scim('PATCH', `/Users/${a.id}`,
	    patchOp({ op: 'replace', path: 'active', value: false }));
	assert.equal(off.status, 200, off.text);
	assert.equal(off.json.active, false);
	assert.deepEqual(await emailRows(a.id), [`${shared} work 1 0`]);
	const b = await org.scim('POST', '/Users', { schemas: [USER],
	    userName: 'second', password: pwB, emails: [WORK(shared)] });
	assert.equal(b.status, 201, b.text);
	assert.deepEqual(await emailRows(b.json.id), [`${shared} work 1 1`]);

	// The address signs the second user in; the first cannot.
	const s = await signIn(shared, pwB);
	assert.equal(s.status, 303);
	assert.equal(await sessionsOf(b.json.id), 1);
	assert.equal((await signIn('first', pwA)).status, 401);

	// Reactivating the first would give two active holders: refused,
	// and the first stays inactive with its address.
	const on = await org.scim('PATCH', `/Users/${a.id}`,
	    patchOp({ op: 'replace', path: 'active', value: true }));
	assert.equal(on.status, 409, on.text);
	assert.equal(on.json.scimType, 'uniqueness');
	assert.equal((await userRow(a.id)).active, false);
	assert.deepEqual(await emailRows(a.id), [`${shared} work 1 0`]);
	assert.deepEqual(await emailRows(b.json.id), [`${shared} work 1 1`]);
});

test('a user made with mihwarctl --email still signs in with it and reads as before', async () => {
	const org = await scimOrg();
	const email = `old-${rand(3)}@${org.slug}.test`;
	const password = `pw-${rand(8)}`;

	await ctl(['user', 'create', '--org', org.slug, '--email', email,
	    '--password-stdin', '--role', 'admin'], `${password}\n`);
	const [[id]] = await sql('SELECT public_id FROM users WHERE' +
	    ` org_id = ${org.id} AND user_name = ${q(email)}`);
	const s = await signIn(email, password);
	assert.equal(s.status, 303);
	assert.equal(s.location, '/admin/approvals');
	assert.equal(await sessionsOf(id), 1);

	// Over SCIM its userName is the address and emails come from
	// user_emails (it has no SCIM document).
	const g = await org.scim('GET', `/Users/${id}`);
	assert.equal(g.status, 200, g.text);
	assert.equal(g.json.userName, email);
	assert.deepEqual(g.json.emails, [WORK(email)]);
});

// Sign-in looks users up in every organization: a userName that users of
// many organizations share (jdoe, admin) finds the one whose password
// matches among the first 10 (each costs an argon2id verification); past
// that the form asks for the organization's short name, and with it the
// user signs in.
test('a userName shared by users of many organizations signs each of them in', async () => {
	const name = `shared-${rand(4)}`;
	const users = [];

	for (let i = 0; i < 12; i++) {
		const org = await scimOrg('scimname');
		const password = `pw-${rand(8)}`;
		const u = await createUser(org, { userName: name, password });
		users.push({ id: u.id, password, slug: org.slug });
	}
	const first = users[0];
	const s1 = await signIn(name, first.password);
	assert.equal(s1.status, 303, 'one of the first 10 signs in by name alone');
	assert.equal(await sessionsOf(first.id), 1);

	const last = users[users.length - 1];
	const asked = await signIn(name, last.password);
	assert.equal(asked.status, 401, 'the 12th needs its organization');
	assert.match(asked.body, /name="organization"/);
	assert.match(asked.body, /enter your organization&#39;s short name too|enter your organization's short name too/);
	assert.equal(await sessionsOf(last.id), 0);

	const s = await signIn(name, last.password, last.slug);
	assert.equal(s.status, 303, 'the 12th user of that name signs in with its organization');
	assert.equal(await sessionsOf(last.id), 1);
	const wrongOrg = await signIn(name, last.password, users[1].slug);
	assert.equal(wrongOrg.status, 401, 'another organization: that password is not its user\'s');
});
