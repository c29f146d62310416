// /admin/integrations in Chromium (issue 13): create a webhook
// integration (its signing secret shown once), test it against a local
// receiver (the signature checked with the standardwebhooks package),
// see the log, refuse a bad edit, edit an api one keeping its stored
// credentials, filter the list, and delete behind a confirmation page.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';

import { api, clickAndWait, gotoPage, launch, makeOrg, newPage, pathOf,
    screenshot, signIn, sql, sqlQuote, startReceiver, text } from './helpers.mjs';

let browser, org, receiver, context, page, hookId, secret;

before(async () => {
	org = makeOrg('integ');
	receiver = await startReceiver();
	browser = await launch();
	({ context, page } = await newPage(browser));
	const resp = await signIn(page, org.admin.email, org.admin.password);
	assert.equal(resp.status(), 200);
});

after(async () => {
	await context?.close();
	await browser?.close();
	await receiver?.close();
});

const form = () => page.locator('form.card').last();

test('integrations: create a webhook one, its secret shown once', async () => {
	await clickAndWait(page, page.getByRole('link', { name: 'Integrations' }));
	assert.equal(pathOf(page), '/admin/integrations');
	assert.equal(await text(page.locator('h1')), 'Integrations');
	assert.match(await text(page.locator('main')), /No integrations here yet/);

	// refused first: no URL for a webhook; what was typed stays
	await form().getByLabel('Name').fill('Shop alerts');
	await form().getByLabel('Type').selectOption('webhook');
	let resp = await clickAndWait(page, page.getByRole('button', { name: 'Create integration' }));
	assert.equal(resp.status(), 400);
	assert.match(await text(page.locator('.notice.error')), /^webhook_url: is required/);
	assert.equal(await form().getByLabel('Name').inputValue(), 'Shop alerts');

	await form().getByLabel('Webhook URL').fill(receiver.url + '?token=abc');
	await form().getByLabel('Configuration').fill('{"channel":"#alerts"}');
	resp = await clickAndWait(page, page.getByRole('button', { name: 'Create integration' }));
	assert.equal(resp.status(), 200);
	assert.match(pathOf(page), /^\/admin\/integrations\/[0-9a-f-]{36}$/);
	hookId = pathOf(page).split('/').pop();
	assert.equal(await text(page.locator('h1')), 'Shop alerts');
	assert.match(await text(page.locator('.notice.ok')), /Integration created/);
	secret = await text(page.locator('#secret'));
	assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
	const details = await text(page.locator('dl.details'));
	assert.match(details, new RegExp(`/api/v1/webhooks/receive/${hookId}`));
	assert.ok(details.includes(receiver.url + '?token=abc'), details);
	await screenshot(page, 'integrations-created');

	// shown once: a reload has no secret
	await gotoPage(page, `/admin/integrations/${hookId}`);
	assert.equal(await page.locator('#secret').count(), 0);
	assert.ok(!(await page.content()).includes(secret));
});

test('integrations: test against a local receiver, result and log', async () => {
	const n = receiver.got.length;
	const resp = await clickAndWait(page, page.getByRole('button', { name: 'Test integration' }));

	assert.equal(resp.status(), 200);
	assert.match(await text(page.locator('.notice')), /^Test succeeded: answered HTTP 200/);
	assert.equal(receiver.got.length, n + 1);
	const got = receiver.got[n];
	assert.equal(got.url, '/hooks/mihwar?token=abc');
	const payload = new Webhook(secret).verify(got.raw, got.headers);
	assert.equal(payload.type, 'integration.test');
	assert.equal(payload.data.integration_id, hookId);
	const log = page.locator('table.log');
	assert.match(await text(log.locator('tr').nth(1)), /outgoing test success 200/);
	assert.match(await text(page.locator('dl.details')), /Last tested \d{4}-/);
});

test('integrations: an api one edited keeps its credentials; a bad edit is refused', async () => {
	const key = `key-${randomBytes(6).toString('hex')}`;
	const r = await api(org.key, 'POST', '/api/v1/integrations', { name: 'Catalog API',
	    type: 'api', api_key: key, api_secret: 'sec-' + key,
	    config_data: { base_url: receiver.url.replace('/hooks/mihwar', '/api') } });
	assert.equal(r.status, 201, r.text);
	const id = r.body.id;

	await gotoPage(page, `/admin/integrations/${id}`);
	assert.match(await text(page.locator('dl.details')), /Credentials stored API key and secret/);
	const edit = page.locator('form.card', { has: page.getByRole('button', { name: 'Save changes' }) });
	assert.equal(await edit.getByLabel(/^API key/).inputValue(), '');
	assert.ok(!(await page.content()).includes(key));

	await edit.getByLabel('Configuration').fill('[1]');
	let resp = await clickAndWait(page, page.getByRole('button', { name: 'Save changes' }));
	assert.equal(resp.status(), 400);
	assert.match(await text(page.locator('.notice.error')), /^config_data: expected a JSON object/);
	const [[name1]] = sql(`SELECT name FROM integrations WHERE public_id = ${sqlQuote(id)}`);
	assert.equal(name1, 'Catalog API');

	await gotoPage(page, `/admin/integrations/${id}`);
	await edit.getByLabel('Name').fill('Catalog API v2');
	resp = await clickAndWait(page, page.getByRole('button', { name: 'Save changes' }));
	assert.equal(resp.status(), 200);
	assert.match(await text(page.locator('.notice.ok')), /Saved/);
	assert.equal(await text(page.locator('h1')), 'Catalog API v2');
	assert.match(await text(page.locator('dl.details')), /Credentials stored API key and secret/);

	const n = receiver.got.length;
	await clickAndWait(page, page.getByRole('button', { name: 'Test integration' }));
	assert.equal(receiver.got[n].headers.authorization, `Bearer ${key}`);
	assert.equal(receiver.got[n].headers['x-api-secret'], 'sec-' + key);

	// clear them
	await edit.getByLabel('Clear the stored API key and secret').check();
	await clickAndWait(page, page.getByRole('button', { name: 'Save changes' }));
	assert.match(await text(page.locator('dl.details')), /Credentials stored none/);

	// the list: filters, URLs masked after the host
	await gotoPage(page, '/admin/integrations?type=api');
	let rows = await page.locator('table tr').allInnerTexts();
	assert.equal(rows.length, 2);
	assert.match(rows[1], /Catalog API v2/);
	await gotoPage(page, '/admin/integrations');
	await page.getByLabel('Type').first().selectOption('webhook');
	await clickAndWait(page, page.getByRole('button', { name: 'Filter' }));
	assert.match(page.url(), /type=webhook/);
	rows = await page.locator('table tr').allInnerTexts();
	assert.equal(rows.length, 2);
	assert.match(rows[1], /Shop alerts/);
	assert.match(rows[1], /http:\/\/127\.0\.0\.1:\d+\/…/);
	assert.ok(!rows[1].includes('token=abc'));
});

test('integrations: delete asks first, then removes it and its log', async () => {
	await gotoPage(page, `/admin/integrations/${hookId}`);
	let resp = await clickAndWait(page, page.getByRole('button', { name: 'Delete integration' }));
	assert.equal(resp.status(), 200);
	assert.match(await text(page.locator('#confirm-question')), /^Delete Shop alerts\?/);
	const [[still]] = sql(`SELECT COUNT(*) FROM integrations WHERE public_id = ${sqlQuote(hookId)}`);
	assert.equal(still, '1');
	await screenshot(page, 'integrations-confirm-delete');

	resp = await clickAndWait(page, page.getByRole('button', { name: 'Delete Shop alerts' }));
	assert.equal(resp.status(), 200);
	assert.equal(pathOf(page), '/admin/integrations');
	assert.match(await text(page.locator('.notice.ok')), /Integration deleted/);
	const [[gone]] = sql(`SELECT COUNT(*) FROM integrations WHERE public_id = ${sqlQuote(hookId)}`);
	assert.equal(gone, '0');
	resp = await gotoPage(page, `/admin/integrations/${hookId}`);
	assert.equal(resp.status(), 404);
});
