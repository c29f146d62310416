// API keys: made in the console, shown once, usable, then revoked.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { BASE, clickAndWait, gotoPage, launch, makeOrg, newPage, pathOf,
    screenshot, signIn, sql, sqlQuote, text } from './helpers.mjs';

let browser, org;

before(async () => {
	org = makeOrg('keys');
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

async function whoami(token) {
	const res = await fetch(`${BASE}/api/integrations/v1/whoami`, {
		headers: { authorization: `Bearer ${token}` },
	});
	return { status: res.status, body: await res.json().catch(() => null) };
}

test('keys: a key made in the form works until it is revoked', async () => {
	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);
	await clickAndWait(page, page.getByRole('link', { name: 'Keys' }));
	assert.equal(pathOf(page), '/admin/keys');
	assert.equal(await text(page.locator('h1')), 'API keys');

	const name = `Browser test key ${randomBytes(3).toString('hex')}`;
	await page.getByLabel('Kind').selectOption('integration');
	await page.getByLabel('Name').fill(name);
	const resp = await clickAndWait(page, page.getByRole('button', { name: 'Create key' }));
	assert.equal(resp.status(), 200);
	assert.equal(await text(page.locator('.notice.ok')), 'Key created.');
	assert.ok(await page.locator('#new-key').isVisible());
	const token = await text(page.locator('#new-key'));
	assert.match(token, /^rn_live_[A-Za-z0-9]{20,}$/);

	const row = page.locator('tr', { has: page.locator('td', { hasText: name }) });
	assert.equal(await row.count(), 1, 'the key is listed by its name');
	const cells = await row.locator('td').allInnerTexts();
	assert.equal(cells[0], 'integration');
	assert.ok(cells[1].endsWith(token.slice(-4)), `listed by its last four: ${cells[1]}`);
	assert.ok(!cells[1].includes(token), 'the table never shows the whole key');

	// The key works against the API.
	let who = await whoami(token);
	assert.equal(who.status, 200);
	assert.equal(who.body.data.organization.slug, org.slug);
	assert.equal(who.body.data.key.kind, 'integration');

	// Shown once: opening the page again shows no key.
	await gotoPage(page, '/admin/keys');
	assert.equal(await page.locator('#new-key').count(), 0);
	assert.ok(!(await page.content()).includes(token));
	await screenshot(page, 'keys');

	// Revoke it from its row.
	await clickAndWait(page, row.getByRole('button', { name: 'Revoke' }));
	assert.equal(pathOf(page), '/admin/keys');
	assert.match(await text(row), /revoked \d{4}-\d\d-\d\d/);
	assert.equal(await row.getByRole('button', { name: 'Revoke' }).count(), 0);

	// Refused at once by the process that revoked it; the others may
	// answer from their key cache for key_cache_seconds (default 1;
	// tests/keycache times each process), so within 3 s everywhere.
	const end = Date.now() + 3000;
	while ((who = await whoami(token)).status !== 401 && Date.now() < end)
		await new Promise((r) => setTimeout(r, 100));
	assert.equal(who.status, 401, 'a revoked key is refused');

	// The harness key of the org still works: only this key was revoked.
	assert.equal((await whoami(org.key)).status, 200);
	assert.deepEqual(page.dialogs, []);
	await context.close();
});

test('keys: an organization admin cannot make a platform admin key', async () => {
	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);
	await gotoPage(page, '/admin/keys');
	const kinds = await page.getByLabel('Kind').locator('option').allInnerTexts();
	assert.ok(kinds.includes('integration'), `kinds offered: ${kinds}`);
	assert.ok(!kinds.includes('admin'), 'the admin kind is offered to an organization admin');

	// A forged form asking for one anyway is refused, and nothing is made.
	await page.evaluate(() => {
		const s = document.querySelector('select[name=kind]');
		s.add(new Option('admin', 'admin'));
		s.value = 'admin';
	});
	const resp = await clickAndWait(page, page.getByRole('button', { name: 'Create key' }));
	assert.equal(resp.status(), 403);
	assert.match(await text(page.locator('main')), /Only the platform operator/);
	const rows = sql(`SELECT COUNT(*) FROM api_keys k JOIN organizations o
	    ON o.id = k.org_id WHERE o.slug = ${sqlQuote(org.slug)} AND k.kind = 'admin'`);
	assert.deepEqual(rows, [['0']]);
	await context.close();
});
