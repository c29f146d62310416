// The console's defences: CSRF tokens on every POST, the session cookie's
// attributes, and the admin role on the settings pages.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { BASE, clickAndWait, gotoPage, launch, makeOrg, newPage, pathOf,
    signIn, submittedOrder, text } from './helpers.mjs';

let browser, org;

before(async () => {
	org = makeOrg('csrf', { member: true });
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

function subscriptionLinks(page, url) {
	return page.getByRole('link', { name: url, exact: true });
}

test('CSRF: a POST without the token is refused; the cookie is HttpOnly and SameSite=Lax', async () => {
	const { context, page } = await newPage(browser);
	const resp = await signIn(page, org.admin.email, org.admin.password);
	assert.equal(pathOf(page), '/admin/approvals');

	// The cookie as the browser keeps it, and as the server set it.
	const session = (await context.cookies()).find((c) => c.name === 'mihwar_session');
	assert.ok(session, 'signed in with a session cookie');
	assert.equal(session.httpOnly, true, 'HttpOnly');
	assert.equal(session.sameSite, 'Lax', 'SameSite=Lax');
	assert.equal(session.path, '/');
	const setCookie = (await (await resp.request().redirectedFrom().response()).headersArray())
	    .filter((h) => h.name.toLowerCase() === 'set-cookie').map((h) => h.value)
	    .find((v) => v.startsWith('mihwar_session='));
	assert.match(setCookie ?? '', /^mihwar_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);

	await gotoPage(page, '/admin/webhooks');
	const url = 'http://127.0.0.1:9/csrf-probe';

	// Same browser context (so the session cookie goes along), no csrf field.
	let r = await page.request.post(`${BASE}/admin/webhooks`, {
		form: { url, all: '1' }, maxRedirects: 0,
	});
	assert.equal(r.status(), 403, 'no csrf field: 403');
	assert.match(await r.text(), /<h1>Forbidden<\/h1>\s*<p>missing or wrong CSRF token<\/p>/);

	// A plain client with the cookie from the browser, a wrong token.
	r = await fetch(`${BASE}/admin/webhooks`, {
		method: 'POST',
		redirect: 'manual',
		headers: {
			cookie: `mihwar_session=${session.value}`,
			'content-type': 'application/x-www-form-urlencoded',
		},
		body: new URLSearchParams({ url, all: '1', csrf: 'A'.repeat(43) }).toString(),
	});
	assert.equal(r.status, 403, 'a wrong csrf token: 403');

	// The same plain client without the token, on other forms too.
	for (const path of ['/admin/keys', '/admin/logout']) {
		r = await fetch(BASE + path, {
			method: 'POST',
			redirect: 'manual',
			headers: {
				cookie: `mihwar_session=${session.value}`,
				'content-type': 'application/x-www-form-urlencoded',
			},
			body: 'kind=integration&name=csrf',
		});
		assert.equal(r.status, 403, `POST ${path} without csrf: 403`);
	}

	// Nothing was created, and the session is still alive.
	await gotoPage(page, '/admin/webhooks');
	assert.equal(pathOf(page), '/admin/webhooks');
	assert.equal(await subscriptionLinks(page, url).count(), 0);
	await gotoPage(page, '/admin/keys');
	assert.equal(await page.locator('td', { hasText: /^csrf$/ }).count(), 0);

	// Control: with the page's own token the very same POST is accepted.
	await gotoPage(page, '/admin/webhooks');
	const csrf = await page.locator('form[action="/admin/webhooks"] input[name="csrf"]').inputValue();
	r = await page.request.post(`${BASE}/admin/webhooks`, {
		form: { url, all: '1', csrf }, maxRedirects: 0,
	});
	// Accepted: POST-redirect-GET, and the next page says so (once).
	assert.equal(r.status(), 303);
	assert.equal(r.headers()['location'], '/admin/webhooks');
	await gotoPage(page, '/admin/webhooks');
	assert.equal(await text(page.locator('.notice.ok')), 'Subscription added.');

	// The sign-in form has its own (double-submit) token.
	r = await fetch(`${BASE}/admin/login`, {
		method: 'POST',
		redirect: 'manual',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ login: org.admin.email, password: org.admin.password }).toString(),
	});
	assert.equal(r.status, 403, 'sign-in without its csrf field: 403');
	assert.equal(r.headers.get('set-cookie')?.includes('mihwar_session=') ?? false, false);
	assert.deepEqual(page.dialogs, []);
	await context.close();
});

test('roles: a member gets 403 on Webhooks and Keys', async () => {
	const orderId = await submittedOrder(org.key);
	const { context, page } = await newPage(browser);
	await signIn(page, org.member.email, org.member.password);
	assert.equal(pathOf(page), '/admin/approvals');
	assert.match(await text(page.locator('header .who')), new RegExp(`^member@`));
	// A member sees what waits, but no buttons the route would refuse.
	const row = page.locator('tr', { hasText: orderId });
	assert.equal(await row.count(), 1, 'the waiting order is listed');
	assert.match(await text(row), /An admin decides\./);
	assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
	assert.equal(await page.getByRole('button', { name: 'Reject' }).count(), 0);

	for (const [link, path] of [['Webhooks', '/admin/webhooks'], ['Keys', '/admin/keys']]) {
		const resp = await clickAndWait(page, page.getByRole('link', { name: link }));
		assert.equal(resp.status(), 403, `${path} for a member`);
		assert.equal(pathOf(page), path);
		assert.equal(await text(page.locator('h1')), 'Forbidden');
		assert.ok(await page.getByText('This page needs the admin role.').isVisible());
		assert.equal(await page.locator('form[action="/admin/webhooks"], form[action="/admin/keys"]').count(), 0);
		assert.equal(await page.locator('#secret, #new-key').count(), 0);
	}

	// Even a well-formed POST (with the member's own csrf token) is refused.
	const csrf = await page.locator('form[action="/admin/logout"] input[name="csrf"]').inputValue();
	const r = await page.request.post(`${BASE}/admin/keys`, {
		form: { kind: 'integration', name: 'member key', csrf }, maxRedirects: 0,
	});
	assert.equal(r.status(), 403, 'a member cannot create keys');
	assert.deepEqual(page.dialogs, []);
	await context.close();
});

test('reloading the "Subscription added" page does not subscribe twice', async () => {
	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);
	await gotoPage(page, '/admin/webhooks');
	const url = 'http://127.0.0.1:9/reload-probe';
	await page.getByLabel('URL').fill(url);
	await clickAndWait(page, page.getByRole('button', { name: 'Subscribe' }));
	assert.equal(await text(page.locator('.notice.ok')), 'Subscription added.');
	assert.equal(await page.locator('#secret').count(), 1, 'the secret is shown once');
	await page.reload({ waitUntil: 'load' });
	assert.equal(await page.locator('#secret').count(), 0, 'a reload does not show it again');
	await gotoPage(page, '/admin/webhooks');
	const n = await subscriptionLinks(page, url).count();
	await context.close();
	assert.equal(n, 1, `after one Subscribe and a reload the list has ${n} subscriptions to ${url}`);
});
