// The Users page: a user made in the console sets a password with a
// one-time link shown once, signs in by userName and by e-mail; role
// changes, deactivation (which ends an open session) and reactivation,
// a reset link that retires the earlier one, a SCIM-provisioned user
// who can only be deactivated here, escaping, paging, and the platform
// operator's Organizations page.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { BASE, XSS_IMG, XSS_SCRIPT, clickAndWait, ctl, gotoPage, launch,
    makeOrg, newPage, orgId, pathOf, screenshot, signIn, sql, sqlQuote,
    text } from './helpers.mjs';

let browser, org, admin;
// The user made in the first test, used by the next ones.
const jdoe = {};

before(async () => {
	org = makeOrg('users', { member: true });
	browser = await launch();
	admin = await newPage(browser);
	await signIn(admin.page, org.admin.email, org.admin.password);
});

after(async () => {
	await admin?.context.close();
	await browser?.close();
});

const LINK = new RegExp(`^${BASE.replace(/[.]/g, '\\.')}/admin/set-password\\?token=[A-Za-z0-9]{43}$`);

function userRow(page, name) {
	return page.locator('table.users tbody tr', {
		has: page.locator('td:nth-child(2)', { hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
	});
}

function dbUser(name) {
	return sql(`SELECT role, active, password_hash IS NOT NULL FROM users WHERE org_id =` +
	    ` ${orgId(org.slug)} AND user_name = ${sqlQuote(name)}`);
}

/* Set a password through link in a context of its own; the response of
 * the submission. */
async function usePasswordLink(link, password) {
	const { context, page } = await newPage(browser);
	const resp = await page.goto(link, { waitUntil: 'load' });
	if (resp.status() !== 200) {
		await context.close();
		return resp;
	}
	await page.getByLabel('New password', { exact: true }).fill(password);
	await page.getByLabel('Repeat the new password').fill(password);
	const done = await clickAndWait(page, page.getByRole('button', { name: 'Set password' }));
	await context.close();
	return done;
}

/* A fresh browser signed in as login with password: its path after. */
async function trySignIn(login, password) {
	const s = await newPage(browser);
	await signIn(s.page, login, password);
	return s;
}

test('users: a new user, a link shown once and used once, sign-in by userName and by e-mail', async () => {
	const { page } = admin;
	await gotoPage(page, '/admin/approvals');
	await clickAndWait(page, page.getByRole('link', { name: 'Users' }));
	assert.equal(pathOf(page), '/admin/users');
	assert.equal(await text(page.locator('h1')), 'Users');
	assert.match(await text(page.locator('#scim-note')), /managed by your identity provider: here they can only be deactivated or reactivated/);

	jdoe.name = `jdoe-${randomBytes(3).toString('hex')}`;
	jdoe.email = `${jdoe.name}@${org.slug}.test`;
	jdoe.password = `pw-${randomBytes(9).toString('hex')}`;
	await page.getByLabel('User name').fill(jdoe.name);
	await page.getByLabel('Display name (optional)').fill('Jane Doe');
	await page.getByLabel('E-mail (optional)').fill(jdoe.email);
	await page.getByLabel('Role').selectOption('member');
	const resp = await clickAndWait(page, page.getByRole('button', { name: 'Create user' }));
	assert.equal(resp.status(), 200);
	assert.equal(await text(page.locator('.notice.ok')), `User ${jdoe.name} created.`);
	const link = await text(page.locator('#user-link'));
	assert.match(link, LINK);
	jdoe.link = link;
	const cells = await userRow(page, jdoe.name).locator('td').allInnerTexts();
	assert.deepEqual(cells.slice(0, 7), ['Jane Doe', jdoe.name, jdoe.email, 'member',
	    'active', 'Console', 'never']);
	await screenshot(page, 'users-link');

	// Stored as a 32-byte keyed hash for 72 hours, never as the token;
	// the user has no password yet.
	const token = link.split('=')[1];
	assert.deepEqual(sql(`SELECT l.purpose, LENGTH(l.id_hash), TIMESTAMPDIFF(HOUR,` +
	    ` l.created_at, l.expires_at), l.used_at IS NULL, l.id_hash = ${sqlQuote(token)}` +
	    ` FROM user_links l JOIN users u ON u.id = l.user_id WHERE u.user_name =` +
	    ` ${sqlQuote(jdoe.name)} AND u.org_id = ${orgId(org.slug)}`),
	    [['set', '32', '72', '1', '0']]);
	assert.deepEqual(dbUser(jdoe.name), [['member', '1', '0']]);

	// Shown once: the page again has no link.
	await gotoPage(page, '/admin/users');
	assert.equal(await page.locator('#user-link').count(), 0);
	assert.ok(!(await page.content()).includes(token));

	// Two people open the link; the first to submit sets the password.
	const late = await newPage(browser);
	await late.page.goto(link, { waitUntil: 'load' });
	assert.equal(await text(late.page.locator('h1')), 'Set your password');
	const set = await newPage(browser);
	await set.page.goto(link, { waitUntil: 'load' });
	assert.equal(await set.page.getByLabel('User name').inputValue(), jdoe.name);
	assert.equal(await set.page.getByLabel('New password', { exact: true }).getAttribute('autocomplete'), 'new-password');
	await set.page.getByLabel('New password', { exact: true }).fill(jdoe.password);
	await set.page.getByLabel('Repeat the new password').fill(jdoe.password + 'x');
	let r = await clickAndWait(set.page, set.page.getByRole('button', { name: 'Set password' }));
	assert.equal(r.status(), 400);
	assert.equal(await text(set.page.locator('.notice.error')), 'The two passwords differ; type them again.');
	assert.deepEqual(dbUser(jdoe.name), [['member', '1', '0']], 'nothing set');
	await set.page.getByLabel('New password', { exact: true }).fill(jdoe.password);
	await set.page.getByLabel('Repeat the new password').fill(jdoe.password);
	r = await clickAndWait(set.page, set.page.getByRole('button', { name: 'Set password' }));
	assert.equal(r.status(), 200);
	assert.equal(pathOf(set.page), '/admin/login');
	assert.equal(await text(set.page.locator('.notice.ok')), 'Your password is set. Sign in with it.');
	assert.deepEqual(dbUser(jdoe.name), [['member', '1', '1']]);

	// The second submission of the same link, and the link opened again.
	await late.page.getByLabel('New password', { exact: true }).fill('another-password');
	await late.page.getByLabel('Repeat the new password').fill('another-password');
	r = await clickAndWait(late.page, late.page.getByRole('button', { name: 'Set password' }));
	assert.equal(r.status(), 410);
	assert.match(await text(late.page.locator('main')), /^Link expired or used This link has expired or was already used\./);
	await late.context.close();
	r = await set.page.goto(link, { waitUntil: 'load' });
	assert.equal(r.status(), 410);
	assert.equal(await set.page.locator('input[type=password]').count(), 0);

	// Signs in with the userName, then with the e-mail.
	r = await signIn(set.page, jdoe.name, jdoe.password);
	assert.equal(pathOf(set.page), '/admin/approvals');
	assert.equal(await text(set.page.locator('header .who')), `${jdoe.name} · ${org.slug}`);
	assert.equal(await set.page.getByRole('link', { name: 'Users' }).count(), 0,
	    'a member has no Users link');
	r = await gotoPage(set.page, '/admin/users');
	assert.equal(r.status(), 403, 'a member may not see the Users page');
	await gotoPage(set.page, '/admin/approvals');
	await clickAndWait(set.page, set.page.getByRole('button', { name: 'Sign out' }));
	await signIn(set.page, jdoe.email, jdoe.password);
	assert.equal(pathOf(set.page), '/admin/approvals');
	assert.equal(await text(set.page.locator('header .who')), `${jdoe.name} · ${org.slug}`);
	await set.context.close();

	await gotoPage(page, '/admin/users');
	assert.match((await userRow(page, jdoe.name).locator('td').allInnerTexts())[6],
	    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, 'the last sign-in is shown');

	// Taken names and addresses are refused, naming the field.
	await page.getByLabel('User name').fill(jdoe.name.toUpperCase());
	r = await clickAndWait(page, page.getByRole('button', { name: 'Create user' }));
	assert.equal(r.status(), 409);
	assert.equal(await text(page.locator('.notice.error')), `User name: ${jdoe.name.toUpperCase()} ` +
	    'is taken in this organization (user names are compared without case); nothing was created.');
	await page.getByLabel('User name').fill(`other-${jdoe.name}`);
	await page.getByLabel('E-mail (optional)').fill(jdoe.email);
	r = await clickAndWait(page, page.getByRole('button', { name: 'Create user' }));
	assert.equal(r.status(), 409);
	assert.equal(await text(page.locator('.notice.error')), `E-mail: ${jdoe.email} is the address ` +
	    'of another active user of this organization; nothing was created.');
	assert.equal(await page.getByLabel('User name').inputValue(), `other-${jdoe.name}`,
	    'the form keeps what was typed');
	assert.deepEqual(dbUser(`other-${jdoe.name}`), [], 'nothing was written');
	assert.deepEqual(page.dialogs, []);
});

test('users: a role change opens the admin pages; deactivation ends an open session; reactivation', async () => {
	const { page } = admin;
	await gotoPage(page, '/admin/users');
	await clickAndWait(page, userRow(page, jdoe.name).getByRole('button', { name: 'Make admin' }));
	assert.equal(await text(page.locator('.notice.ok')), `${jdoe.name} is now an admin.`);
	assert.equal((await userRow(page, jdoe.name).locator('td').allInnerTexts())[3], 'admin');
	assert.equal(await userRow(page, jdoe.name).getByRole('button', { name: 'Make member' }).count(), 1);

	const j = await trySignIn(jdoe.name, jdoe.password);
	assert.equal(await j.page.getByRole('link', { name: 'Users' }).count(), 1);
	let r = await gotoPage(j.page, '/admin/keys');
	assert.equal(r.status(), 200);
	r = await gotoPage(j.page, '/admin/users');
	assert.equal(r.status(), 200);

	// Deactivate: a page asks first, and nothing changes until it is confirmed.
	r = await clickAndWait(page, userRow(page, jdoe.name).getByRole('button', { name: 'Deactivate' }));
	assert.equal(r.status(), 200);
	assert.equal(await text(page.locator('#confirm-question')), `Deactivate ${jdoe.name}? They are ` +
	    'signed out at once, everywhere, and cannot sign in until an admin reactivates them.');
	assert.deepEqual(dbUser(jdoe.name), [['admin', '1', '1']]);
	await screenshot(page, 'users-confirm');
	await clickAndWait(page, page.getByRole('button', { name: `Deactivate ${jdoe.name}` }));
	assert.equal(pathOf(page), '/admin/users');
	assert.equal(await text(page.locator('.notice.ok')), `${jdoe.name} is deactivated and signed out.`);
	assert.equal((await userRow(page, jdoe.name).locator('td').allInnerTexts())[4], 'inactive');
	assert.deepEqual(dbUser(jdoe.name), [['admin', '0', '1']]);

	// jdoe's open session is over: the next page goes to sign-in.
	await gotoPage(j.page, '/admin/users');
	assert.equal(pathOf(j.page), '/admin/login');
	r = await signIn(j.page, jdoe.name, jdoe.password);
	assert.equal(r.status(), 401, 'an inactive user cannot sign in');
	r = await signIn(j.page, jdoe.email, jdoe.password);
	assert.equal(r.status(), 401, 'not with the e-mail either');

	await clickAndWait(page, userRow(page, jdoe.name).getByRole('button', { name: 'Reactivate' }));
	assert.equal(await text(page.locator('.notice.ok')), `${jdoe.name} is active again.`);
	assert.equal((await userRow(page, jdoe.name).locator('td').allInnerTexts())[4], 'active');
	r = await signIn(j.page, jdoe.email, jdoe.password);
	assert.equal(pathOf(j.page), '/admin/approvals');
	await j.context.close();

	// Back to member, for the tests after.
	await clickAndWait(page, userRow(page, jdoe.name).getByRole('button', { name: 'Make member' }));
	assert.deepEqual(dbUser(jdoe.name), [['member', '1', '1']]);

	// An admin neither demotes nor deactivates themself: no such buttons,
	// and forged forms are refused.
	const me = userRow(page, org.admin.email);
	assert.equal(await me.locator('button', { hasText: /Make member|Deactivate/ }).count(), 0);
	const csrf = await page.locator('input[name="csrf"]').first().inputValue();
	const id = (await me.getAttribute('id')).slice('user-'.length);
	let f = await page.request.post(`${BASE}/admin/users/${id}/role`, { form: { csrf, role: 'member' }, maxRedirects: 0 });
	assert.equal(f.status(), 403);
	assert.ok((await f.text()).includes('You cannot take away your own admin role; another admin can.'));
	f = await page.request.post(`${BASE}/admin/users/${id}/active`, { form: { csrf, active: '0', confirm: '1' }, maxRedirects: 0 });
	assert.equal(f.status(), 403);
	assert.ok((await f.text()).includes('You cannot deactivate yourself; another admin can.'));
	assert.deepEqual(dbUser(org.admin.email), [['admin', '1', '1']]);
	// Without the CSRF token, nothing at all.
	f = await page.request.post(`${BASE}/admin/users/${id}/role`, { form: { role: 'member' }, maxRedirects: 0 });
	assert.equal(f.status(), 403);
	assert.deepEqual(page.dialogs, []);
});

test('users: a reset link works once, retires the earlier unused one; the password stays until it is used', async () => {
	const { page } = admin;
	await gotoPage(page, '/admin/users');
	await clickAndWait(page, userRow(page, jdoe.name).getByRole('button', { name: 'Reset password' }));
	assert.match(await text(page.locator('.notice.ok')), new RegExp(`^A new password link for ${jdoe.name}: their earlier links no longer work`));
	const first = await text(page.locator('#user-link'));
	assert.match(first, LINK);
	await clickAndWait(page, userRow(page, jdoe.name).getByRole('button', { name: 'Reset password' }));
	const second = await text(page.locator('#user-link'));
	assert.match(second, LINK);
	assert.notEqual(first, second);

	// The old password still works until a new one is set.
	let s = await trySignIn(jdoe.name, jdoe.password);
	assert.equal(pathOf(s.page), '/admin/approvals');

	let r = await usePasswordLink(first, 'never-set-1');
	assert.equal(r.status(), 410, 'the earlier unused link stopped working');
	const { context, page: p } = await newPage(browser);
	await p.goto(second, { waitUntil: 'load' });
	assert.equal(await text(p.locator('h1')), 'Reset your password');
	await context.close();
	const fresh = `pw-${randomBytes(9).toString('hex')}`;
	r = await usePasswordLink(second, fresh);
	assert.equal(new URL(r.url()).pathname, '/admin/login');

	// Setting it ended jdoe's sessions; the old password is gone.
	await gotoPage(s.page, '/admin/approvals');
	assert.equal(pathOf(s.page), '/admin/login');
	await s.context.close();
	s = await trySignIn(jdoe.name, jdoe.password);
	assert.equal(pathOf(s.page), '/admin/login');
	await s.context.close();
	s = await trySignIn(jdoe.email, fresh);
	assert.equal(pathOf(s.page), '/admin/approvals');
	await s.context.close();
	jdoe.password = fresh;
});

test('users: a SCIM-provisioned user can only be deactivated and reactivated here', async () => {
	const oid = orgId(org.slug);
	const name = `scim-${randomBytes(3).toString('hex')}`;
	const email = `${name}@idp.example`;
	sql(`INSERT INTO users (public_id, org_id, user_name, display_name, role, scim_managed)` +
	    ` VALUES (UUID(), ${oid}, ${sqlQuote(name)}, 'Sam Idp', 'member', 1);` +
	    ` INSERT INTO user_emails (user_id, org_id, email, type, is_primary, user_active)` +
	    ` SELECT id, org_id, ${sqlQuote(email)}, 'work', 1, 1 FROM users WHERE org_id = ${oid}` +
	    ` AND user_name = ${sqlQuote(name)}`);
	const { page } = admin;
	await gotoPage(page, '/admin/users');
	const row = userRow(page, name);
	assert.deepEqual((await row.locator('td').allInnerTexts()).slice(0, 7),
	    ['Sam Idp', name, email, 'member', 'active', 'SCIM', 'never']);
	assert.equal(await row.getByRole('button', { name: /^Make admin/ }).count(), 0);
	assert.equal(await row.getByRole('button', { name: /^Reset password/ }).count(), 0);
	assert.equal(await row.getByRole('button', { name: /^Deactivate/ }).count(), 1);

	// A forged role change or reset is refused.
	const csrf = await page.locator('input[name="csrf"]').first().inputValue();
	const id = (await row.getAttribute('id')).slice('user-'.length);
	let f = await page.request.post(`${BASE}/admin/users/${id}/role`, { form: { csrf, role: 'admin' }, maxRedirects: 0 });
	assert.equal(f.status(), 400);
	assert.ok((await f.text()).includes(`${name} is provisioned by SCIM: their identity provider manages their role`));
	f = await page.request.post(`${BASE}/admin/users/${id}/reset`, { form: { csrf }, maxRedirects: 0 });
	assert.equal(f.status(), 400);
	assert.deepEqual(dbUser(name), [['member', '1', '0']]);
	assert.deepEqual(sql(`SELECT COUNT(*) FROM user_links WHERE org_id = ${oid} AND user_id =` +
	    ` (SELECT id FROM users WHERE org_id = ${oid} AND user_name = ${sqlQuote(name)})`), [['0']]);

	await clickAndWait(page, row.getByRole('button', { name: /^Deactivate/ }));
	assert.match(await text(page.locator('main')), new RegExp(`${name} is provisioned by SCIM: their identity provider may reactivate them on its next sync\\.`));
	await clickAndWait(page, page.getByRole('button', { name: `Deactivate ${name}` }));
	assert.equal((await userRow(page, name).locator('td').allInnerTexts())[4], 'inactive');

	// Its address goes to a new console user meanwhile: reactivating it
	// would give two active users one address.
	const taker = `taker-${randomBytes(3).toString('hex')}`;
	await page.getByLabel('User name').fill(taker);
	await page.getByLabel('E-mail (optional)').fill(email);
	await clickAndWait(page, page.getByRole('button', { name: 'Create user' }));
	assert.equal(await text(page.locator('.notice.ok')), `User ${taker} created.`);
	const r = await clickAndWait(page, userRow(page, name).getByRole('button', { name: /^Reactivate/ }));
	assert.equal(r.status(), 409);
	assert.equal(await text(page.locator('.notice.error')), `${name} cannot be reactivated: ${email} ` +
	    'is now the address of another active user of this organization. Nothing changed.');
	assert.deepEqual(dbUser(name), [['member', '0', '0']]);
	assert.equal((await userRow(page, name).locator('td').allInnerTexts())[4], 'inactive');
});

test('users: a hostile userName and display name are text', async () => {
	const { page } = admin;
	await gotoPage(page, '/admin/users');
	const name = `${XSS_SCRIPT}${randomBytes(2).toString('hex')}`;
	await page.getByLabel('User name').fill(name);
	await page.getByLabel('Display name (optional)').fill(XSS_IMG);
	await clickAndWait(page, page.getByRole('button', { name: 'Create user' }));
	assert.equal(await text(page.locator('.notice.ok')), `User ${name} created.`);
	assert.match(await text(page.locator('.secret p')), new RegExp(`^One-time link for ${name.replace(/[()]/g, '\\$&')} to set`));
	const cells = await userRow(page, name).locator('td').allInnerTexts();
	assert.deepEqual(cells.slice(0, 3), [XSS_IMG, name, '—']);
	assert.equal(await page.locator('main script, main img, [onerror]').count(), 0);
	assert.ok((await page.content()).includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
	const link = await text(page.locator('#user-link'));
	const { context, page: p } = await newPage(browser);
	await p.goto(link, { waitUntil: 'load' });
	assert.equal(await p.getByLabel('User name').inputValue(), name);
	assert.equal(await p.locator('main script, main img, [onerror]').count(), 0);
	assert.deepEqual([...page.dialogs, ...p.dialogs], []);
	await context.close();
});

test('users: 50 to a page, by userName', async () => {
	const big = makeOrg('users-pages');
	const oid = orgId(big.slug);
	sql(`INSERT INTO users (public_id, org_id, user_name, role) SELECT UUID(), ${oid},` +
	    ` CONCAT('p-', LPAD(seq, 3, '0')), 'member' FROM seq_1_to_55`);
	const s = await trySignIn(big.admin.email, big.admin.password);
	await gotoPage(s.page, '/admin/users');
	const names = async () => (await s.page.locator('table.users tbody tr td:nth-child(2)').allInnerTexts());
	const want = [big.admin.email, ...Array.from({ length: 55 }, (_, i) => `p-${String(i + 1).padStart(3, '0')}`)];
	assert.deepEqual(await names(), want.slice(0, 50));
	await clickAndWait(s.page, s.page.getByRole('link', { name: 'Next page' }));
	assert.deepEqual(await names(), want.slice(50));
	assert.equal(await s.page.getByRole('link', { name: 'Next page' }).count(), 0);
	await clickAndWait(s.page, s.page.getByRole('link', { name: 'First page' }));
	assert.deepEqual(await names(), want.slice(0, 50));
	await s.context.close();
});

test('organizations: every organization counted for a platform admin; 403 for an organization admin', async () => {
	const slug = `br-orgs-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
	ctl(['org', 'create', '--slug', slug, '--name', 'Counted <Co>']);
	for (const who of ['a', 'b', 'c'])
		ctl(['user', 'create', '--org', slug, '--user-name', `${who}-user`, '--password-stdin'], 'pw-not-used-1\n');
	const keys = [1, 2, 3].map(() => JSON.parse(ctl(['--json', 'key', 'create', '--org', slug,
	    '--kind', 'integration'])).key);
	assert.equal(keys.length, 3);
	const oid = orgId(slug);
	sql(`UPDATE users SET active = 0 WHERE org_id = ${oid} AND user_name = 'c-user';` +
	    ` UPDATE api_keys SET revoked_at = NOW(3) WHERE org_id = ${oid} ORDER BY id LIMIT 1`);

	const operator = { email: `operator@${org.slug}.test`, password: `pw-${randomBytes(9).toString('hex')}` };
	ctl(['user', 'create', '--org', org.slug, '--email', operator.email, '--password-stdin',
	    '--role', 'member', '--platform-admin'], operator.password + '\n');
	const s = await trySignIn(operator.email, operator.password);
	await clickAndWait(s.page, s.page.getByRole('link', { name: 'Organizations' }));
	assert.equal(pathOf(s.page), '/admin/organizations');
	const row = s.page.locator(`tr[id="org-${slug}"]`);
	const cells = await row.locator('td').allInnerTexts();
	assert.equal(cells[0], slug);
	assert.equal(cells[1], 'Counted <Co>');
	assert.match(cells[2], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
	assert.deepEqual(cells.slice(3), ['2', '3', '2']);
	const slugs = await s.page.locator('table.orgs tbody tr td:first-child').allInnerTexts();
	assert.deepEqual(slugs, sql('SELECT slug FROM organizations ORDER BY slug').map((x) => x[0]));
	await screenshot(s.page, 'organizations');
	await s.context.close();

	const { page } = admin;
	await gotoPage(page, '/admin/approvals');
	assert.equal(await page.getByRole('link', { name: 'Organizations' }).count(), 0);
	const r = await gotoPage(page, '/admin/organizations');
	assert.equal(r.status(), 403);
	assert.match(await text(page.locator('main')), /Only a platform operator sees every organization\./);
});
