// Markup typed into the console (or sent through the API) comes back as
// text: no script runs, no element is made of it, and it reads literally.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { BASE, XSS_IMG, XSS_SCRIPT, clickAndWait, gotoPage, launch, makeOrg,
    newPage, pathOf, screenshot, signIn, submittedOrder, text } from './helpers.mjs';

let browser, org, context, page;

before(async () => {
	org = makeOrg('escape');
	browser = await launch();
	({ context, page } = await newPage(browser));
	await signIn(page, org.admin.email, org.admin.password);
	assert.equal(pathOf(page), '/admin/approvals');
});

after(async () => {
	await context?.close();
	await browser?.close();
});

/* What every page holding the payloads must satisfy. */
async function assertInert(page, literals, where) {
	assert.deepEqual(page.dialogs, [], `${where}: no dialog`);
	for (const s of literals)
		assert.ok(await page.getByText(s).first().isVisible(),
		    `${where}: ${JSON.stringify(s)} is shown literally`);
	const html = await page.content();
	assert.ok(html.includes('&lt;script&gt;'), `${where}: page.content() has &lt;script&gt;`);
	assert.equal(await page.locator('main script, main img').count(), 0,
	    `${where}: no script or img element was made of the text`);
	assert.equal(await page.locator('[onerror]').count(), 0, `${where}: no onerror attribute`);
}

test('escaping: a webhook URL, an order and its note, a key name', async () => {
	// A webhook URL carrying markup in its query. (curl's URL parser refuses
	// spaces, so the img payload uses slashes between its attributes here.)
	const hookUrl = `http://127.0.0.1:9/hook?a=${XSS_SCRIPT}&b="><img/src=x/onerror=alert(1)>`;
	await gotoPage(page, '/admin/webhooks');
	await page.getByLabel('URL').fill(hookUrl);
	await page.getByLabel('All events').uncheck();
	await page.getByLabel('inventory.low_stock').check();
	let resp = await clickAndWait(page, page.getByRole('button', { name: 'Subscribe' }));
	assert.equal(resp.status(), 200);
	assert.equal(await text(page.locator('.notice.ok')), 'Subscription added.');
	await gotoPage(page, '/admin/webhooks');
	const link = page.getByRole('link', { name: hookUrl, exact: true });
	assert.equal(await link.count(), 1, 'the URL is listed as typed');
	assert.equal(await link.innerText(), hookUrl);
	await assertInert(page, [hookUrl], 'webhooks');

	// An order whose vendor and reference are markup, then a decision note.
	const orderId = await submittedOrder(org.key, { vendorName: XSS_SCRIPT,
	    reference: XSS_IMG, notes: `${XSS_SCRIPT}${XSS_IMG}` });
	await gotoPage(page, '/admin/approvals');
	const row = page.locator('tr', { hasText: orderId });
	assert.equal(await row.count(), 1);
	const cells = await row.locator('td').allInnerTexts();
	assert.equal(cells[1], XSS_SCRIPT, 'vendor');
	assert.equal(cells[2], XSS_IMG, 'reference');
	await assertInert(page, [XSS_SCRIPT, XSS_IMG], 'approvals (waiting)');

	const note = `${XSS_SCRIPT} ${XSS_IMG}`;
	await row.getByPlaceholder('Note').fill(note);
	resp = await clickAndWait(page, row.getByRole('button', { name: 'Reject' }));
	assert.equal(resp.status(), 200);
	assert.equal(pathOf(page), '/admin/approvals');
	const decided = page.locator('tr', { hasText: orderId });
	assert.equal(await decided.count(), 1);
	const dcells = await decided.locator('td').allInnerTexts();
	assert.equal(dcells[1], 'REJECTED');
	assert.equal(dcells[3], note, 'the note reads as typed');
	await assertInert(page, [note], 'approvals (decided)');
	await screenshot(page, 'escaping-approvals');

	// A key named with markup.
	await gotoPage(page, '/admin/keys');
	const name = `${XSS_SCRIPT}${XSS_IMG}`;
	await page.getByLabel('Kind').selectOption('integration');
	await page.getByLabel('Name').fill(name);
	resp = await clickAndWait(page, page.getByRole('button', { name: 'Create key' }));
	assert.equal(resp.status(), 200);
	assert.equal(await text(page.locator('.notice.ok')), 'Key created.');
	await assertInert(page, [name], 'keys (created)');
	await gotoPage(page, '/admin/keys');
	const krow = page.locator('tr', { has: page.locator('td', { hasText: name }) });
	assert.equal(await krow.count(), 1);
	assert.equal((await krow.locator('td').allInnerTexts())[2], name);
	await assertInert(page, [name], 'keys');

	// The sign-in form echoes the e-mail it was given back into its value.
	const login = await newPage(browser);
	await gotoPage(login.page, '/admin/login');
	const csrf = await login.page.locator('input[name="csrf"]').inputValue();
	const r = await login.page.request.post(`${BASE}/admin/login`, {
		form: { csrf, login: `${XSS_IMG}${XSS_SCRIPT}` }, maxRedirects: 0,
	});
	assert.equal(r.status(), 401);
	const body = await r.text();
	assert.ok(body.includes('value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;'),
	    'the e-mail comes back escaped inside its attribute');
	assert.ok(!body.includes('<img') && !body.includes('<script'));
	await login.context.close();
});
