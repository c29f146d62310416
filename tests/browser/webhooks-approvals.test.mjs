// Webhook subscriptions and the approval of purchase orders, with the
// delivery of the resulting event to a real receiver on 127.0.0.1; and
// what the approvals page shows of an order: its lines, amounts, total,
// notes and who submitted it, every value as text.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { XSS_IMG, XSS_SCRIPT, api, clickAndWait, gotoPage, launch, makeOrg,
    newPage, pathOf, screenshot, signIn, sleep, sql, sqlQuote, startReceiver,
    submittedOrder, text } from './helpers.mjs';

let browser, org, receiver, context, page, subId;

before(async () => {
	org = makeOrg('hooks');
	receiver = await startReceiver();
	browser = await launch();
	({ context, page } = await newPage(browser));
	const resp = await signIn(page, org.admin.email, org.admin.password);
	assert.equal(resp.status(), 200);
	assert.equal(pathOf(page), '/admin/approvals');
});

after(async () => {
	await context?.close();
	await browser?.close();
	await receiver?.close();
});

test('webhooks: a new subscription shows its secret once', async () => {
	await clickAndWait(page, page.getByRole('link', { name: 'Webhooks' }));
	assert.equal(pathOf(page), '/admin/webhooks');
	assert.equal(await text(page.locator('h1')), 'Webhooks');

	await page.getByLabel('URL').fill(receiver.url);
	const all = page.getByLabel('All events');
	if (!(await all.isChecked()))
		await all.check();
	const resp = await clickAndWait(page, page.getByRole('button', { name: 'Subscribe' }));
	assert.equal(resp.status(), 200);
	assert.equal(await text(page.locator('.notice.ok')), 'Subscription added.');
	const secret = await text(page.locator('#secret'));
	assert.match(secret, /^whsec_[A-Za-z0-9+/=]{16,}$/);
	assert.ok(await page.locator('#secret').isVisible());

	const link = page.getByRole('link', { name: receiver.url });
	assert.equal(await link.count(), 1, 'the subscription is listed by its URL');
	const row = page.locator('tr', { has: link });
	assert.match(await text(row), /\*/, 'all events');
	assert.match(await text(row), /active/);
	subId = (await link.getAttribute('href')).replace('/admin/webhooks/', '');
	assert.match(subId, /^[0-9a-f-]{36}$/);

	// Opening the page again must not show the secret (a reload is
	// covered in csrf-roles.test.mjs).
	await gotoPage(page, '/admin/webhooks');
	assert.equal(pathOf(page), '/admin/webhooks');
	assert.equal(await page.locator('#secret').count(), 0);
	const html = await page.content();
	assert.ok(!html.includes(secret), 'the secret is nowhere in the reloaded page');
	assert.ok(!html.includes(secret.slice(6)), 'not even without its prefix');
	assert.equal(await page.getByRole('link', { name: receiver.url }).count(), 1);
	await screenshot(page, 'webhooks');
	assert.deepEqual(page.dialogs, []);
});

test('approve: an approved order leaves the list, is recorded, and its event is delivered', async () => {
	assert.ok(subId, 'needs the subscription of the previous test');
	const orderId = await submittedOrder(org.key, { vendorName: 'Nile Paper Co.',
	    reference: 'PO-BR-1' });

	// The submission's own event goes out first; wait for it, so that the
	// approval's delivery can be told apart below.
	for (let i = 0; i < 75 && !receiver.got.some((g) => g.body?.event ===
	    'order.status_changed' && g.body?.payload?.status === 'SUBMITTED'); i++)
		await sleep(200);

	await clickAndWait(page, page.getByRole('link', { name: 'Approvals' }));
	assert.equal(pathOf(page), '/admin/approvals');
	const row = page.locator('tr', { hasText: orderId });
	assert.equal(await row.count(), 1, 'the submitted order waits for approval');
	assert.match(await text(row), /Nile Paper Co\. PO-BR-1 1 10/);
	await screenshot(page, 'approvals');

	const note = 'Budget ok — approved in the browser test';
	await row.getByPlaceholder('Note').fill(note);
	const resp = await clickAndWait(page, row.getByRole('button', { name: 'Approve' }));
	assert.equal(resp.status(), 200);
	assert.equal(pathOf(page), '/admin/approvals');
	assert.equal(await page.locator('tr', { hasText: orderId })
	    .filter({ has: page.getByRole('button', { name: 'Approve' }) }).count(), 0,
	    'the order left the waiting list');
	assert.ok(await page.getByText('Nothing is waiting.').isVisible());
	const decisions = page.locator('table', { has: page.locator('th', { hasText: 'Decision' }) });
	const decided = decisions.locator('tr', { hasText: orderId });
	assert.equal(await decided.count(), 1, 'the order is in Recent decisions');
	const cells = await decided.locator('td').allInnerTexts();
	assert.equal(cells[0], orderId);
	assert.equal(cells[1], 'APPROVED');
	assert.equal(cells[2], `user:${org.admin.email}`);
	assert.equal(cells[3], note);
	assert.deepEqual(sql(`SELECT status FROM purchase_orders WHERE public_id = ${sqlQuote(orderId)}`),
	    [['APPROVED']]);

	// The delivery log of the subscription: from the list, by its URL.
	await clickAndWait(page, page.getByRole('link', { name: 'Webhooks' }));
	await clickAndWait(page, page.getByRole('link', { name: receiver.url }));
	assert.equal(pathOf(page), `/admin/webhooks/${subId}`);
	assert.equal(await text(page.locator('h1')), 'Delivery log');
	const approved = page.locator('section.delivery')
	    .filter({ has: page.locator('h3', { hasText: /^order\.status_changed — succeeded — / }) })
	    .filter({ has: page.locator('table.attempts td', { hasText: 'received order.status_changed APPROVED' }) });
	const deadline = Date.now() + 15000;
	while (await approved.count() === 0 && Date.now() < deadline) {
		await sleep(500);
		await page.reload({ waitUntil: 'load' });
	}
	assert.equal(await approved.count(), 1,
	    `a succeeded order.status_changed delivery shows the receiver's answer; the page says:\n${
	    await text(page.locator('main'))}`);
	const attempts = await approved.locator('table.attempts tr').evaluateAll((trs) =>
	    trs.slice(1).map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
	assert.ok(attempts.length >= 1);
	const last = attempts[attempts.length - 1];
	assert.equal(last[2], '200', `the last attempt's status: ${JSON.stringify(attempts)}`);
	assert.equal(last[5], 'received order.status_changed APPROVED');
	assert.ok(await approved.getByRole('button', { name: 'Redeliver' }).isVisible());
	await screenshot(page, 'delivery-log');

	// What the receiver got.
	const bodies = receiver.got.filter((g) => g.body?.event === 'order.status_changed' &&
	    g.body.payload?.orderId === orderId && g.body.payload.status === 'APPROVED');
	assert.equal(bodies.length, 1, 'one order.status_changed with status APPROVED');
	assert.equal(bodies[0].method, 'POST');
	assert.equal(bodies[0].url, '/hooks/mihwar');
	assert.equal(bodies[0].body.payload.previousStatus, 'SUBMITTED');
	assert.ok(bodies[0].headers['webhook-signature'], 'signed');
	assert.deepEqual(page.dialogs, []);
});

async function item(sku, name) {
	const r = await api(org.key, 'POST', '/api/integrations/v1/inventory/items',
	    { sku, name });
	assert.equal(r.status, 201, `create item ${sku}: ${r.text}`);
}

// Last: the approval test above wants nothing else waiting.
test('approvals: an order shows its lines, quantities, amounts and total, escaped', async () => {
	const tag = randomBytes(3).toString('hex');
	const skuA = `${XSS_SCRIPT}-${tag}`;
	const skuB = `PAPER-A4&${tag}`;
	const skuC = `INK-${tag}`;
	await item(skuA, XSS_IMG);
	await item(skuB, 'Paper, A4 "80g"');
	await item(skuC, 'Ink (price to come)');
	let r = await api(org.key, 'POST', '/api/integrations/v1/orders', {
		vendorName: 'Lines & Co.', reference: `PO-L-${tag}`,
		notes: `Rush ${XSS_SCRIPT}`,
		lines: [
			{ sku: skuA, quantity: 3, unitCost: 1.25 },
			{ sku: skuB, quantity: 2.5, unitCost: 10.0001 },
			{ sku: skuC, quantity: 7 },
		],
	});
	assert.equal(r.status, 201, r.text);
	const orderId = r.body.data.id;
	r = await api(org.key, 'POST', `/api/integrations/v1/orders/${orderId}/status`,
	    { status: 'SUBMITTED' });
	assert.equal(r.status, 200, r.text);

	await gotoPage(page, '/admin/approvals');
	const row = page.locator('tr', { hasText: orderId });
	assert.equal(await row.count(), 1);
	// 3 * 1.25 + 2.5 * 10.0001 = 3.75 + 25.00025, rounded to 4 places.
	assert.match(await text(row), /Lines & Co\. PO-L-\w+ 3 28\.7503 /);

	// The row after the order's: its lines, in the order given.
	const detail = row.locator('xpath=following-sibling::tr[1]');
	assert.equal(await detail.getAttribute('class'), 'order-lines');
	const lines = await detail.locator('table.lines tr').evaluateAll((trs) =>
	    trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
	assert.deepEqual(lines, [
		['SKU', 'Item', 'Quantity', 'Unit cost', 'Amount'],
		[skuA, XSS_IMG, '3', '1.25', '3.75'],
		[skuB, 'Paper, A4 "80g"', '2.5', '10.0001', '25.0003'],
		[skuC, 'Ink (price to come)', '7', '—', '—'],
		['Total', '28.7503'],
	]);
	const about = await text(detail.locator('p'));
	assert.ok(about.startsWith(`Submitted by key:`), about);
	assert.ok(about.endsWith(`Notes: Rush ${XSS_SCRIPT}`), about);
	assert.ok(await page.getByText('no currency recorded').isVisible());

	// Markup in a SKU, an item name and the notes stays text.
	assert.deepEqual(page.dialogs, []);
	assert.equal(await page.locator('main script, main img').count(), 0);
	assert.equal(await page.locator('[onerror]').count(), 0);
	const html = await page.content();
	assert.ok(html.includes(`&lt;script&gt;alert(1)&lt;/script&gt;-${tag}`));
	assert.ok(html.includes(`PAPER-A4&amp;${tag}`));
	await screenshot(page, 'approvals-lines');
});
