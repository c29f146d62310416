// Sign in and out of the console, as a person would.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { BASE, clickAndWait, gotoPage, launch, makeOrg, newPage, pathOf,
    screenshot, signIn, text } from './helpers.mjs';

let browser, org;

before(async () => {
	org = makeOrg('signin');
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

test('sign in: a wrong password is refused, the right one opens Approvals, sign out closes the session', async () => {
	const { context, page } = await newPage(browser);

	// Wrong password: the form comes back with an error, still signed out.
	let resp = await gotoPage(page, '/admin/login');
	assert.equal(resp.status(), 200);
	assert.equal(await text(page.locator('h1')), 'Sign in');
	await screenshot(page, 'login');
	resp = await signIn(page, org.admin.email, org.admin.password + '-wrong');
	assert.equal(resp.status(), 401, 'a wrong password answers 401');
	assert.equal(pathOf(page), '/admin/login');
	assert.equal(await text(page.locator('.notice.error')), 'Wrong e-mail, user name or password.');
	assert.equal(await page.getByLabel('E-mail or user name').inputValue(), org.admin.email,
	    'the e-mail stays filled in');
	assert.equal(await page.getByRole('link', { name: 'Approvals' }).count(), 0,
	    'no navigation while signed out');
	assert.equal((await context.cookies()).some((c) => c.name === 'mihwar_session'), false);

	// Right password: Approvals, with the user's e-mail in the header.
	resp = await signIn(page, org.admin.email, org.admin.password);
	assert.equal(resp.status(), 200);
	assert.equal(pathOf(page), '/admin/approvals');
	assert.equal(await text(page.locator('h1')), 'Approvals');
	assert.match(await text(page.locator('header .who')), new RegExp(
	    `^${org.admin.email.replace(/[.]/g, '\\.')} · ${org.slug}$`));
	assert.ok(await page.getByText('Nothing is waiting.').isVisible());
	const session = (await context.cookies()).find((c) => c.name === 'mihwar_session');
	assert.ok(session, 'a session cookie was set');

	// Sign out: back on the login page.
	await clickAndWait(page, page.getByRole('button', { name: 'Sign out' }));
	assert.equal(pathOf(page), '/admin/login');
	assert.equal(await text(page.locator('h1')), 'Sign in');
	assert.equal((await context.cookies()).some((c) => c.name === 'mihwar_session'), false,
	    'the session cookie is gone');

	// Approvals now sends the browser to sign in.
	resp = await gotoPage(page, '/admin/approvals');
	assert.equal(pathOf(page), '/admin/login');
	assert.equal(resp.status(), 200);
	assert.equal(await text(page.locator('h1')), 'Sign in');
	const redirect = resp.request().redirectedFrom();
	assert.ok(redirect, '/admin/approvals redirected');
	assert.equal((await redirect.response()).status(), 303);

	// The old cookie, replayed, no longer opens a session on the server.
	const replay = await fetch(`${BASE}/admin/approvals`, {
		headers: { cookie: `mihwar_session=${session.value}` },
		redirect: 'manual',
	});
	assert.equal(replay.status, 303);
	assert.equal(replay.headers.get('location'), '/admin/login');

	assert.deepEqual(page.dialogs, []);
	await context.close();
});
