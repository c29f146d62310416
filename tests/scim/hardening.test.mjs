// hardening.test.mjs - issue 16 items 4 and 6 over real HTTP. SCIM reads
// attribute names fully qualified with the core User schema's URN, in any
// case, as the core attributes (password among them: write-only, hashed,
// never kept in the stored document nor returned; migration 0017 scrubs
// documents stored before). One password policy for SCIM, the console's
// set-password link and mihwarctl: 8 to 254 characters, not only white
// space; a password changed over SCIM or a link ends the user's sessions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { scimOrg, createUser, patchOp, signIn, sql, q, rand, env, ctl,
    sessionsOf, userRow, emailRows, USER } from './lib.mjs';
import { fixture } from '../webhooks/stack.mjs';

async function forgetAddressFailures() {
	await sql("DELETE FROM rate_counters WHERE scope LIKE 'login:i:%'");
}

before(forgetAddressFailures);
after(forgetAddressFailures);

const FQ = (attr) => `${USER}:${attr}`;

// The stored document of a user, as text.
async function storedDoc(id) {
	const [[doc]] = await sql('SELECT scim_json FROM users WHERE ' +
	    `public_id = ${q(id)}`);
	return doc;
}

async function passwordHash(id) {
	const [[h]] = await sql('SELECT password_hash FROM users WHERE ' +
	    `public_id = ${q(id)}`);
	return h;
}

// No key of o, at any depth, names a password, and the text is nowhere.
function assertNoPassword(o, text, what) {
	const raw = JSON.stringify(o);

	assert.equal(raw.includes(text), false, `${what}: the password is echoed`);
	assert.equal(/password/i.test(raw), false, `${what}: a password key: ${raw}`);
}

test('POST with the fully qualified password (any case) hashes it, keeps and returns it nowhere', async () => {
	const org = await scimOrg('fq');

	for (const key of [FQ('password'), FQ('password').toUpperCase(),
	    'urn:ietf:params:scim:schemas:core:2.0:user:PassWord']) {
		const name = `fq-${rand(3)}`;
		const pw = `Fq-pw-${rand(6)}`;
		const r = await org.scim('POST', '/Users',
		    { schemas: [USER], userName: name, [key]: pw });
		assert.equal(r.status, 201, r.text);
		assertNoPassword(r.json, pw, `POST ${key}`);
		assert.match(await passwordHash(r.json.id), /^\$argon2id\$/, key);
		const doc = await storedDoc(r.json.id);
		assert.equal(doc.includes(pw), false, `stored: ${doc}`);
		assert.equal(/password/i.test(doc), false, `stored: ${doc}`);
		const g = await org.scim('GET', `/Users/${r.json.id}`);
		assertNoPassword(g.json, pw, 'GET');
		const s = await signIn(name, pw);
		assert.equal(s.status, 303, `${key} sets the password`);
	}
});

test('fully qualified userName, active, emails, externalId, displayName and name are the core attributes', async () => {
	const org = await scimOrg('fq');
	const name = `fqn-${rand(3)}`;
	const email = `${name}@${org.slug}.test`;
	const r = await org.scim('POST', '/Users', {
		schemas: [USER],
		[FQ('userName')]: name,
		[FQ('ACTIVE')]: false,
		[FQ('emails')]: [{ value: email, type: 'work', primary: true }],
		[FQ('externalId')]: 'ext-fq',
		[FQ('displayName')]: 'Fully Qualified',
		[FQ('name')]: { givenName: 'Fully', familyName: 'Qualified' },
	});
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.userName, name);
	assert.equal(r.json.active, false);
	assert.equal(r.json.externalId, 'ext-fq');
	assert.equal(r.json.displayName, 'Fully Qualified');
	assert.deepEqual(r.json.name, { givenName: 'Fully', familyName: 'Qualified' });
	assert.deepEqual(r.json.emails, [{ value: email, type: 'work', primary: true }]);
	assert.equal(Object.keys(r.json).some((k) => k.startsWith('urn:') &&
	    k !== 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'),
	    false, JSON.stringify(r.json));
	assert.deepEqual(await userRow(r.json.id), { userName: name,
	    displayName: 'Fully Qualified', active: false, version: 1,
	    role: 'member' });
	assert.deepEqual(await emailRows(r.json.id), [`${email} work 1 0`]);

	// PUT, fully qualified too: a new name, active again, a password.
	const pw = `Put-pw-${rand(6)}`;
	const p = await org.scim('PUT', `/Users/${r.json.id}`, {
		schemas: [USER], [FQ('userName')]: `${name}-2`,
		[FQ('active')]: true, [FQ('Password')]: pw,
		[FQ('emails')]: [{ value: email, type: 'work', primary: true }],
	});
	assert.equal(p.status, 200, p.text);
	assert.equal(p.json.userName, `${name}-2`);
	assert.equal(p.json.active, true);
	assertNoPassword(p.json, pw, 'PUT');
	assert.equal(/password/i.test(await storedDoc(r.json.id)), false);
	assert.equal((await signIn(email, pw)).status, 303);
});

test('PATCH sets a fully qualified password (with and without a path) without keeping it', async () => {
	const org = await scimOrg('fq');
	const u = await createUser(org, { userName: `fqp-${rand(3)}`,
	    password: `Old-pw-${rand(6)}` });

	for (const body of [
		(pw) => patchOp({ op: 'replace', path: FQ('password'), value: pw }),
		(pw) => patchOp({ op: 'Replace', path: FQ('PASSWORD'), value: pw }),
		(pw) => patchOp({ op: 'replace', value: { [FQ('password')]: pw } }),
		(pw) => patchOp({ op: 'add', value: { [FQ('Password')]: pw } }),
	]) {
		const pw = `Patch-pw-${rand(6)}`;
		const r = await org.scim('PATCH', `/Users/${u.id}`, body(pw));
		assert.equal(r.status, 200, r.text);
		assertNoPassword(r.json, pw, JSON.stringify(body('x')));
		assert.equal(/password/i.test(await storedDoc(u.id)), false);
		assert.equal((await signIn(u.userName, pw)).status, 303,
		    JSON.stringify(body('x')));
	}
});

test('a password in a document stored before is never returned, and migration 0017 removes it', async () => {
	const org = await scimOrg('scrub');
	const u = await createUser(org, { userName: `scrub-${rand(3)}`,
	    displayName: 'Kept Name', title: 'Barista' });
	const secret = `Stored-${rand(6)}`;
	const doc = JSON.stringify({ displayName: 'Kept Name',
	    title: 'Barista', [FQ('password')]: secret,
	    [FQ('PASSWORD')]: secret, Password: secret,
	    emails: [{ value: `scrub@${org.slug}.test`, type: 'work' }] });

	assert.match(doc, /^[^']*$/);
	await sql(`UPDATE users SET scim_json = '${doc}' WHERE public_id = ${q(u.id)}`);
	const g = await org.scim('GET', `/Users/${u.id}`);
	assert.equal(g.status, 200, g.text);
	assertNoPassword(g.json, secret, 'GET of a stored document');
	assert.equal(g.json.title, 'Barista');
	const l = await org.scim('GET', `/Users?filter=${encodeURIComponent(
	    `userName eq "${u.userName}"`)}`);
	assertNoPassword(l.json, secret, 'list');

	// Run 0017 again (it is written to be run twice) over this row.
	await sql('DELETE FROM schema_migrations WHERE version = 17');
	assert.equal((await ctl(['migrate'])).applied, 1);
	const [[applied]] = await sql('SELECT COUNT(*) FROM schema_migrations' +
	    ' WHERE version = 17');
	assert.equal(applied, '1');
	const after = JSON.parse(await storedDoc(u.id));
	assert.deepEqual(after, { displayName: 'Kept Name', title: 'Barista',
	    emails: [{ value: `scrub@${org.slug}.test`, type: 'work' }] });
});

// Passwords no path may set: too short, too long, only white space, not
// a string. Lengths are in characters (code points), not bytes.
const BAD = [
	['a', 'one character'],
	[' ', 'one space'],
	[' '.repeat(8), 'eight spaces'],
	['\t \t \t \t ', 'only white space'],
	['1234567', '7 characters'],
	['ééééééé', '7 characters in 14 bytes'],
	['x'.repeat(255), '255 characters'],
	['é'.repeat(255), '255 characters in 510 bytes'],
];
const GOOD = [
	['12345678', '8 characters'],
	['éééééééé', '8 characters, 16 bytes'],
	['x'.repeat(254), '254 characters'],
	['é'.repeat(254), '254 characters in 508 bytes'],
	['  pass  phrase  ', 'spaces inside'],
];

test('SCIM refuses a password outside the policy with 400 invalidValue naming password, on POST, PUT and PATCH', async () => {
	const org = await scimOrg('policy');
	const u = await createUser(org, { userName: `pol-${rand(3)}` });
	const bad = [...BAD, [12345678, 'a number'], [true, 'a boolean']];

	for (const [pw, what] of bad) {
		for (const [method, path, body] of [
			['POST', '/Users', { schemas: [USER],
			    userName: `pol-${rand(3)}`, password: pw }],
			['POST', '/Users', { schemas: [USER],
			    userName: `pol-${rand(3)}`, [FQ('password')]: pw }],
			['PUT', `/Users/${u.id}`, { schemas: [USER],
			    userName: u.userName, password: pw }],
			['PATCH', `/Users/${u.id}`, patchOp({ op: 'replace',
			    path: 'password', value: pw })],
		]) {
			const r = await org.scim(method, path, body);
			assert.equal(r.status, 400, `${method} ${what}: ${r.text}`);
			assert.equal(r.json.scimType, 'invalidValue', `${method} ${what}`);
			assert.match(r.json.detail, /^password: /, `${method} ${what}`);
		}
	}
	assert.equal(await passwordHash(u.id), 'NULL', 'nothing was set');
	for (const [pw, what] of GOOD) {
		const name = `pol-${rand(3)}`;
		const r = await org.scim('POST', '/Users',
		    { schemas: [USER], userName: name, password: pw });
		assert.equal(r.status, 201, `${what}: ${r.text}`);
		assert.equal((await signIn(name, pw)).status, 303, what);
	}
});

test('a password changed over SCIM ends every session of the user', async () => {
	const org = await scimOrg('pwsess');
	const pw = `First-pw-${rand(6)}`;
	const u = await createUser(org, { userName: `sess-${rand(3)}`, password: pw });

	const s1 = await signIn(u.userName, pw), s2 = await signIn(u.userName, pw);
	assert.equal(s1.status, 303);
	assert.equal(s2.status, 303);
	assert.equal(await sessionsOf(u.id), 2);
	// Another change (not the password) keeps them.
	let r = await org.scim('PATCH', `/Users/${u.id}`, patchOp(
	    { op: 'replace', path: 'displayName', value: 'Renamed' }));
	assert.equal(r.status, 200, r.text);
	assert.equal(await sessionsOf(u.id), 2);

	const pw2 = `Second-pw-${rand(6)}`;
	r = await org.scim('PATCH', `/Users/${u.id}`, patchOp(
	    { op: 'replace', path: 'password', value: pw2 }));
	assert.equal(r.status, 200, r.text);
	assert.equal(await sessionsOf(u.id), 0, 'PATCH of the password');
	const old = await fetch(`${env.base}/admin/approvals`, {
	    headers: { cookie: `mihwar_session=${s1.session}` },
	    redirect: 'manual' });
	assert.equal(old.status, 303, 'the old session is gone');
	assert.equal((await signIn(u.userName, pw)).status, 401, 'the old password');
	assert.equal((await signIn(u.userName, pw2)).status, 303);

	const pw3 = `Third-pw-${rand(6)}`;
	r = await org.scim('PUT', `/Users/${u.id}`, { schemas: [USER],
	    userName: u.userName, password: pw3 });
	assert.equal(r.status, 200, r.text);
	assert.equal(await sessionsOf(u.id), 0, 'PUT with a password');
	assert.equal((await signIn(u.userName, pw3)).status, 303);
	// An identity provider that syncs passwords sends the same one on
	// every PUT: that is no change, and the session stays.
	r = await org.scim('PUT', `/Users/${u.id}`, { schemas: [USER],
	    userName: u.userName, password: pw3, displayName: 'Again' });
	assert.equal(r.status, 200, r.text);
	assert.equal(await sessionsOf(u.id), 1, 'the same password again');
	assert.equal((await signIn(u.userName, pw3)).status, 303);
});

// mihwarctl user create; the exit status and stderr.
function ctlUserCreate(org, email, stdin) {
	return new Promise((resolve) => {
		const child = execFile(env.ctl, ['user', 'create', '--org', org,
		    '--email', email, '--password-stdin'],
		    { env: { ...process.env, MIHWAR_CONF: env.conf } },
		    (err, stdout, stderr) => resolve({ code: err ? err.code : 0,
		    stderr }));
		child.stdin.end(stdin);
	});
}

test('mihwarctl user create applies the same policy', async () => {
	const org = await scimOrg('ctlpol');

	const refused = [];

	for (const [pw, what] of BAD) {
		const r = await ctlUserCreate(org.slug,
		    `bad-${rand(3)}@${org.slug}.test`, `${pw}\n`);
		refused.push([what, r.code, r.stderr]);
	}
	assert.deepEqual(refused.map(([what, code]) => [what, code]),
	    BAD.map(([, what]) => [what, 2]), 'each refused with the usage status');
	for (const [what, , stderr] of refused)
		assert.equal(stderr, 'mihwarctl: password on stdin: 8 to 254 ' +
		    'characters, not only white space\n', what);
	for (const [pw, what] of GOOD) {
		const email = `good-${rand(3)}@${org.slug}.test`;
		const r = await ctlUserCreate(org.slug, email, `${pw}\n`);
		assert.equal(r.code, 0, `${what}: ${r.stderr}`);
		assert.equal((await signIn(email, pw)).status, 303, what);
	}
});

function cookieOf(res, name) {
	for (const c of res.headers.getSetCookie()) {
		const m = c.match(new RegExp(`^${name}=([^;]*)`));
		if (m)
			return m[1];
	}
	return null;
}

// A reset link for a new console user of f's organization, made by f.
async function resetLink(f) {
	const email = `link-${rand(3)}@${f.slug}.test`;
	const pw = `Before-${rand(6)}`;

	await ctl(['user', 'create', '--org', f.slug, '--email', email,
	    '--password-stdin'], `${pw}\n`);
	const [[id]] = await sql(`SELECT public_id FROM users WHERE user_name = ${q(email)}`);
	const page = await f.postAndFollow(`/admin/users/${id}/reset`);
	const token = page.text.match(/set-password\?token=([A-Za-z0-9]+)/)?.[1];
	assert.ok(token, page.text.slice(0, 500));
	return { id, email, pw, token };
}

// POST /admin/set-password with the form's own cookie and field, or
// the ones given.
async function setPassword(token, pw, forged) {
	const page = await fetch(`${env.base}/admin/set-password?token=${token}`,
	    { redirect: 'manual' });
	const html = await page.text();
	const cookie = forged?.cookie ?? cookieOf(page, 'mihwar_login');
	const csrf = forged?.csrf ??
	    html.match(/name="csrf" value="([^"]+)"/)?.[1];
	const res = await fetch(`${env.base}/admin/set-password`, {
		method: 'POST', redirect: 'manual',
		headers: { 'content-type': 'application/x-www-form-urlencoded',
		    cookie: `mihwar_login=${cookie}` },
		body: new URLSearchParams({ csrf, token, password: pw,
		    password2: pw }).toString(),
	});
	return { status: res.status, body: await res.text(),
	    location: res.headers.get('location') };
}

test('the set-password link applies the same policy, refuses a forged form token, and ends the user\'s sessions', async () => {
	const f = await fixture();
	const l = await resetLink(f);

	const answers = [];

	for (const [pw, what] of BAD)
		answers.push([what, await setPassword(l.token, pw)]);
	assert.deepEqual(answers.map(([what, r]) => [what, r.status]),
	    BAD.map(([, what]) => [what, 400]), 'each refused');
	for (const [what, r] of answers)
		assert.match(r.body, /<p class="notice error">The password needs 8 to 254 characters, not only white space\.<\/p>/, what);
	const forged = await setPassword(l.token, 'Forged-pw-123',
	    { cookie: 'a', csrf: 'a' });
	assert.equal(forged.status, 403, 'a forged cookie/field pair');
	assert.equal((await signIn(l.email, l.pw)).status, 303, 'unchanged');
	assert.equal(await sessionsOf(l.id), 1);

	const pw = `After-${rand(6)}`;
	const r = await setPassword(l.token, pw);
	assert.equal(r.status, 303, r.body.slice(0, 300));
	assert.equal(r.location, '/admin/login?password=set');
	assert.equal(await sessionsOf(l.id), 0, 'the link ended the session');
	assert.equal((await signIn(l.email, pw)).status, 303);
});
