// Every console page, filled with what it shows in use (a waiting order
// with its lines, a waiting invoice case with its lines and decision
// form, a case's page pending, approved with its system buttons, after
// an integration and rejected, a subscription with a delivery and its
// attempts, keys,
// the activity timeline with its strip and filters, ingest apps with a
// new key and a refused edit, the storefront's allowed origins, none,
// set and a refused list, the fulfillment gate with a waiting order and
// its confirmation page, the inventory with rows, filtered, refused
// and with drafts made, an item's page with its chart, a refused page,
// a missing page, the sign-in form with an error, the users page with a
// one-time link, a refused user and a deactivation to confirm, the
// set-password form, refused, and its expired-link page, every
// organization),
// passes axe-core's WCAG 2 A and AA rules in Chromium.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';

import { BASE, api, clickAndWait, ctl, gotoPage, launch, makeOrg, newPage, orgId,
    seedActivity, signIn, sleep, sql, sqlQuote, startReceiver,
    submittedOrder } from './helpers.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let browser, org, receiver;

before(async () => {
	org = makeOrg('a11y', { member: true });
	receiver = await startReceiver();
	browser = await launch();
});

after(async () => {
	await browser?.close();
	await receiver?.close();
});

/* axe's WCAG 2 A/AA violations on the page, one line each. */
async function violations(page) {
	// Through the DevTools protocol, not a <script>: the page's CSP
	// (default-src 'self') stays as it is.
	await page.evaluate(AXE);
	const res = await page.evaluate(() => window.axe.run(document, {
		runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
	}));
	return res.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ` +
	    v.nodes.map((n) => n.target.join(' ')).join(', '));
}

async function assertClean(page, what) {
	const v = await violations(page);
	assert.deepEqual(v, [], `${what}: ${v.join('\n')}`);
}

test('a11y: sign-in, with and without an error', async () => {
	const { context, page } = await newPage(browser);
	await gotoPage(page, '/admin/login');
	await assertClean(page, 'sign-in');
	await page.getByLabel('E-mail or user name').fill(org.admin.email);
	await page.getByLabel('Password').fill('not the password');
	const resp = await clickAndWait(page, page.getByRole('button', { name: 'Sign in' }));
	assert.notEqual(resp.status(), 303);
	await assertClean(page, 'sign-in refused');
	// The form that also asks for the organization (shown when a name
	// many organizations share was not enough, or one was sent): sent
	// here with an organization added to the plain form.
	await page.evaluate(() => {
		const i = document.createElement('input');
		i.type = 'hidden';
		i.name = 'organization';
		i.value = 'no-such-organization';
		document.querySelector('form').append(i);
	});
	await page.getByLabel('Password').fill('not the password');
	const asked = await clickAndWait(page, page.getByRole('button', { name: 'Sign in' }));
	assert.equal(asked.status(), 401);
	assert.equal(await page.getByLabel('Organization (its short name)').inputValue(),
	    'no-such-organization');
	await assertClean(page, 'sign-in with the organization field');
	await context.close();
});

test('a11y: approvals, webhooks, a delivery log, keys, errors (admin)', async () => {
	await submittedOrder(org.key, { vendorName: 'Axe & Co.', reference: 'PO-A11Y',
	    notes: 'Checked by axe' });
	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);
	await gotoPage(page, '/admin/approvals');
	assert.ok((await page.content()).includes('PO-A11Y'), 'the order is listed');
	await assertClean(page, 'approvals');

	await gotoPage(page, '/admin/webhooks');
	await assertClean(page, 'webhooks, empty');
	await page.getByLabel('URL').fill(receiver.url);
	await clickAndWait(page, page.getByRole('button', { name: 'Subscribe' }));
	await assertClean(page, 'webhooks, secret shown once');
	const link = page.getByRole('link', { name: receiver.url });
	const logPath = await link.getAttribute('href');
	const row = page.locator('tr', { has: link });
	await clickAndWait(page, row.getByRole('button', { name: 'Send test event' }));
	await assertClean(page, 'webhooks, test queued');
	for (let i = 0; i < 50 && !receiver.got.some((g) => g.body?.event === 'webhook.test'); i++)
		await sleep(200);
	assert.ok(receiver.got.some((g) => g.body?.event === 'webhook.test'), 'the test event arrived');
	await sleep(300);
	await gotoPage(page, logPath);
	assert.ok((await page.content()).includes('webhook.test'), 'the delivery is logged');
	await assertClean(page, 'delivery log');

	await gotoPage(page, '/admin/keys');
	await page.getByLabel('Kind').selectOption('integration');
	await clickAndWait(page, page.getByRole('button', { name: 'Create key' }));
	await assertClean(page, 'keys, new key shown once');

	const missing = await gotoPage(page, '/admin/no-such-page');
	assert.equal(missing.status(), 404);
	await assertClean(page, 'not found');
	await context.close();
});

test('a11y: what a member sees', async () => {
	const { context, page } = await newPage(browser);
	await signIn(page, org.member.email, org.member.password);
	await assertClean(page, 'approvals, member');
	const refused = await gotoPage(page, '/admin/keys');
	assert.equal(refused.status(), 403);
	await assertClean(page, 'forbidden');
	await context.close();
});

/* A pending invoice case of org in EUR with two lines; its case_id. */
async function pendingCase(vendor) {
	const n = Math.random().toString(36).slice(2, 8);
	const r = await api(org.key, 'POST', '/api/cases', {
		invoice_number: `INV-A11Y-${n}`, invoice_date: '2026-01-20',
		vendor_name: vendor, currency: 'EUR',
		line_items: [
			{ sku: `A11Y-${n}`, description: 'Paper', quantity: 10,
			    unit_price: 100, line_total: 1000 },
			{ sku: `A11Y-INK-${n}`, description: 'Ink', quantity: 2.5,
			    unit_price: 4.1234, line_total: 10.31 },
		],
		subtotal: 1010.31, tax: 110.20, total: 1120.51,
	});
	assert.equal(r.status, 201, r.text);
	return r.body.case_id;
}

test('a11y: invoice cases on approvals and on their page (admin and member)', async () => {
	const id = await pendingCase('Axe Paper & Co.');
	const other = await pendingCase('Second Vendor');
	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);
	await gotoPage(page, '/admin/approvals');
	assert.equal(await page.locator(`tbody[id="${id}"] table.lines`).count(), 1,
	    'the case waits with its lines');
	await assertClean(page, 'approvals with waiting invoice cases');

	await gotoPage(page, `/admin/cases/${id}`);
	assert.equal(await page.locator('form.decide').count(), 1);
	await assertClean(page, 'case page, pending, with its decision form');
	await page.getByRole('checkbox').check();
	await clickAndWait(page, page.getByRole('button', { name: 'Approve' }));
	assert.equal(await page.locator('.notice.ok').count(), 1);
	assert.equal(await page.locator('table.systems form.act').count(), 3);
	await assertClean(page, 'case page, approved, with a flash and the system buttons');
	for (const system of ['ap', 'accounting']) {
		await page.locator(`#system-${system}`).getByRole('checkbox').check();
		await clickAndWait(page, page.locator(`#system-${system}`).getByRole('button'));
		assert.equal(await page.locator('.notice').count(), 1);
	}
	await assertClean(page, 'case page after integrations (a bill, a journal entry)');

	await gotoPage(page, '/admin/approvals');
	const tb = page.locator(`tbody[id="${other}"]`);
	await tb.getByLabel('Note').fill('Not ours');
	await clickAndWait(page, tb.getByRole('button', { name: 'Reject' }));
	assert.equal(await page.locator('table.cases-decided tr').count(), 3);
	await assertClean(page, 'approvals with a flash and case decisions');
	await gotoPage(page, `/admin/cases/${other}`);
	await assertClean(page, 'case page, rejected');
	const missing = await gotoPage(page, '/admin/cases/case-none');
	assert.equal(missing.status(), 404);
	await assertClean(page, 'case page, not found');
	await context.close();

	const { context: mc, page: mp } = await newPage(browser);
	const waiting = await pendingCase('Member View Ltd');
	await signIn(mp, org.member.email, org.member.password);
	assert.equal(await mp.locator(`tbody[id="${waiting}"]`).count(), 1);
	await assertClean(mp, 'approvals with a waiting case, member');
	await gotoPage(mp, `/admin/cases/${id}`);
	assert.equal(await mp.locator('main form').count(), 0);
	await assertClean(mp, 'case page, member');
	await mc.close();
});

test('a11y: activity and ingest apps, empty and in use', async () => {
	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);
	await gotoPage(page, '/admin/activity');
	await assertClean(page, 'activity, empty');
	await gotoPage(page, '/admin/ingest-apps');
	await assertClean(page, 'ingest apps, empty');

	const act = seedActivity(org.slug, { n: 60 });
	sql(`INSERT INTO activity_snapshots (worker_id, app_id, snapshot_type,` +
	    ` org_id, taken_at, metrics) VALUES (${act.workers[0].id},` +
	    ` ${act.apps[0].id}, 'tickets_open', ${act.org}, NOW(3), '{"open": 4,` +
	    ` "sla": {"value": 0.9, "unit": "ratio", "label": "SLA"}}')`);
	await gotoPage(page, '/admin/activity');
	assert.equal(await page.locator('table.timeline tr[id^="event-"]').count(), 50);
	await assertClean(page, 'activity with a strip and a full page');
	await clickAndWait(page, page.getByRole('link', { name: 'Older' }));
	await assertClean(page, 'activity, an older page');
	const refused = await gotoPage(page, '/admin/activity?eventType=%3Cx%3E');
	assert.equal(refused.status(), 400);
	await assertClean(page, 'activity, a refused filter');

	await gotoPage(page, '/admin/ingest-apps');
	await assertClean(page, 'ingest apps with keys');
	await page.getByLabel('Slug').fill('a11y-app');
	await clickAndWait(page, page.getByRole('button', { name: 'Create app and key' }));
	await assertClean(page, 'ingest apps, new key shown once');
	await page.getByLabel('Allowed event types of a11y-app').fill('no');
	const bad = await clickAndWait(page, page.getByRole('button',
	    { name: 'Save the event types of a11y-app' }));
	assert.equal(bad.status(), 400);
	await assertClean(page, 'ingest apps, a refused edit');
	await context.close();

	const { context: mc, page: mp } = await newPage(browser);
	await signIn(mp, org.member.email, org.member.password);
	const resp = await gotoPage(mp, '/admin/activity');
	assert.equal(resp.status(), 200);
	await assertClean(mp, 'activity, member');
	await mc.close();
});

test('a11y: the storefront\'s allowed origins, none, set and refused', async () => {
	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);
	await gotoPage(page, '/admin/storefront');
	assert.match(await page.locator('#origins-none').innerText(),
	    /embed not configured/);
	await assertClean(page, 'storefront, no origins');

	const field = page.getByLabel(/^Allowed origins/);
	await field.fill('shop.a11y.example, http://localhost:3000');
	let resp = await clickAndWait(page, page.getByRole('button',
	    { name: 'Save the origins' }));
	assert.equal(resp.status(), 200);
	assert.deepEqual(await page.locator('#origins li').allInnerTexts(),
	    ['https://shop.a11y.example', 'http://localhost:3000']);
	assert.deepEqual(sql('SELECT allowed_domains FROM organizations WHERE ' +
	    `slug = '${org.slug}'`), [['https://shop.a11y.example,' +
	    'http://localhost:3000']]);
	await assertClean(page, 'storefront with origins');

	await field.fill('*.a11y.example');
	resp = await clickAndWait(page, page.getByRole('button',
	    { name: 'Save the origins' }));
	assert.equal(resp.status(), 400);
	assert.equal(await field.inputValue(), '*.a11y.example');
	assert.equal(await page.locator('#origins li').count(), 2);
	await assertClean(page, 'storefront, a refused list');
	await context.close();

	// A member does not set them.
	const { context: mc, page: mp } = await newPage(browser);
	await signIn(mp, org.member.email, org.member.password);
	assert.equal((await gotoPage(mp, '/admin/storefront')).status(), 403);
	await mc.close();
});

/* A fulfillment order of the organization slug waiting for admin
 * approval: a design on this site (shown) and one elsewhere (linked). */
function waitingFulfillmentOrder(slug) {
	const id = randomUUID();
	const items = [
		{ productTitle: 'Axe Tee', productType: 'shirt', size: 'M', quantity: 2,
		    price: 19.5, imageUrl: `${BASE}/designs/axe-tee.png` },
		{ productTitle: 'Axe Poster', productType: 'poster', size: 'L', quantity: 1,
		    price: 12, imageUrl: 'https://cdn.example.test/axe-poster.png' },
	];
	const address = { name: 'Ada Axe', line1: '1 Audit Road', city: 'Leeds',
	    state: 'WYK', postal_code: 'LS1 1AA', country: 'GB' };
	sql('INSERT INTO fulfill_orders (public_id, org_id, status, status_note,' +
	    ' customer_email, items, shipping_address, total, currency,' +
	    ` stripe_session_id) VALUES (${sqlQuote(id)}, ${orgId(slug)},` +
	    ` 'pending_admin_approval', 'Checked by the store',` +
	    ` 'ada@example.test', ${sqlQuote(JSON.stringify(items))},` +
	    ` ${sqlQuote(JSON.stringify(address))}, 51.00, 'GBP',` +
	    ` 'cs_test_a11y_${randomBytes(8).toString('hex')}')`);
	return id;
}

test('a11y: the fulfillment gate with a waiting order, its confirmation page, and its 403', async () => {
	const operator = { email: `operator@${org.slug}.test`,
	    password: `pw-${randomBytes(9).toString('hex')}` };
	ctl(['user', 'create', '--org', org.slug, '--email', operator.email,
	    '--password-stdin', '--role', 'admin', '--platform-admin'],
	    operator.password + '\n');
	const id = waitingFulfillmentOrder(org.slug);
	const { context, page } = await newPage(browser);
	await signIn(page, operator.email, operator.password);
	await assertClean(page, 'approvals, platform admin (the navigation links the gate)');
	await gotoPage(page, '/admin/fulfillment');
	const order = page.locator(`tbody[id="order-${id}"]`);
	assert.equal(await order.locator('table.items tr').count(), 3, 'the order waits with its items');
	assert.equal(await order.locator('img').count(), 1, 'the design on this site is shown');
	await assertClean(page, 'fulfillment gate with a waiting order');
	await clickAndWait(page, order.getByRole('button', { name: 'Approve' }));
	assert.equal(await page.locator('#confirm-question').count(), 1);
	await assertClean(page, 'fulfillment confirmation page');
	await context.close();

	const { context: ac, page: ap } = await newPage(browser);
	await signIn(ap, org.admin.email, org.admin.password);
	const refused = await gotoPage(ap, '/admin/fulfillment');
	assert.equal(refused.status(), 403);
	await assertClean(ap, 'fulfillment gate refused to an organization admin');
	await ac.close();
});

/* Two items of org with three weeks of daily demand ending yesterday
 * (one low and bought from a vendor), once the worker has forecast
 * them: their ids. */
async function inventoryWithForecast() {
	const n = randomBytes(3).toString('hex');
	const specs = [
		{ sku: `A11Y-OAT-${n}`, name: 'Oat milk', unit: 'l', category: 'Dairy',
		    stockOnHand: 4, lowStockThreshold: 10, unitCost: 1.2, daily: 5 },
		{ sku: `A11Y-CUP-${n}`, name: 'Paper cups', stockOnHand: 900,
		    lowStockThreshold: 50, daily: 30 },
	];
	const ids = [];
	for (const { daily, ...body } of specs) {
		const r = await api(org.key, 'POST', '/api/integrations/v1/inventory/items', body);
		assert.equal(r.status, 201, r.text);
		ids.push(r.body.data.id);
	}
	let r = await api(org.key, 'POST', '/api/integrations/v1/orders', {
		vendorName: 'Axe Dairy', lines: [{ sku: specs[0].sku, quantity: 1 }] });
	assert.equal(r.status, 201, r.text);
	const lines = [];
	for (let d = 21; d >= 1; d--) {
		const date = new Date(Date.now() - d * 86400000).toISOString().slice(0, 10);
		for (const s of specs)
			lines.push({ sku: s.sku, orderedQty: s.daily + d % 3, orderDate: date });
	}
	r = await api(org.key, 'POST', '/api/integrations/v1/ingestion/order-lines',
	    { periodKind: 'DAY', lines });
	assert.equal(r.status, 201, r.text);
	for (let i = 0; i < 120; i++) {
		r = await api(org.key, 'GET', `/api/integrations/v1/predictions?itemId=${ids[0]}`);
		if (r.body?.data?.length > 0)
			return ids;
		await sleep(250);
	}
	assert.fail('the worker made no predictions in 30 s');
}

test('a11y: inventory with rows, filtered, refused, with drafts made; an item with its chart', async () => {
	const [oat] = await inventoryWithForecast();
	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);
	await gotoPage(page, '/admin/inventory');
	assert.ok(await page.locator('table.stock tbody tr').count() >= 2, 'rows');
	assert.equal(await page.locator(`tr[id="item-${oat}"] input[type=checkbox]`).count(), 1);
	await assertClean(page, 'inventory with rows and the reorder form');
	await gotoPage(page, '/admin/inventory?low=1&q=oat');
	assert.equal(await page.locator(`tr[id="item-${oat}"]`).count(), 1);
	await assertClean(page, 'inventory, filtered');
	const refused = await gotoPage(page, '/admin/inventory?low=yes');
	assert.equal(refused.status(), 400);
	await assertClean(page, 'inventory, a refused filter');

	await gotoPage(page, `/admin/inventory/${oat}`);
	assert.equal(await page.locator('figure.chart svg').count(), 1);
	assert.ok(await page.locator('table.chart-data tbody tr').count() > 21, 'demand and forecast');
	await assertClean(page, 'an item with its chart');

	await gotoPage(page, '/admin/inventory');
	const resp = await clickAndWait(page, page.getByRole('button',
	    { name: 'Create draft purchase orders' }));
	assert.equal(resp.status(), 200);
	assert.ok(await page.locator('table.drafts tbody tr').count() >= 1, 'drafts listed');
	await assertClean(page, 'inventory with the drafts made');
	await context.close();

	const { context: mc, page: mp } = await newPage(browser);
	await signIn(mp, org.member.email, org.member.password);
	await gotoPage(mp, '/admin/inventory');
	await assertClean(mp, 'inventory, member');
	await gotoPage(mp, `/admin/inventory/${oat}`);
	await assertClean(mp, 'an item, member');
	await mc.close();
});

test('a11y: checklists with today\'s, overdue and refused ones, the 14 days, templates (admin and member)', async () => {
	// Instances by SQL as root: the scheduler makes only due times ahead.
	const oid = orgId(org.slug);
	const tpl = randomUUID();
	sql('INSERT INTO checklist_templates (public_id, org_id, title, schedule_kind, ' +
	    `due_time, due_after_minutes) VALUES ('${tpl}', ${oid}, 'Axe opening checks', ` +
	    "'daily', '07:00', 15)");
	for (const [i, text, req] of [[1, 'Unlock the doors', 1], [2, 'Water the plants', 0]])
		sql('INSERT INTO checklist_template_items (public_id, template_id, org_id, ' +
		    `position, text, required) SELECT UUID(), id, org_id, ${i}, '${text}', ${req} ` +
		    `FROM checklist_templates WHERE public_id = '${tpl}'`);
	const inst = {};
	for (const [k, offset, at, status, late] of [['today', 0, '23:59', 'open', 0],
	    ['overdue', -1, '07:00', 'missed', 0], ['late', -2, '07:00', 'completed', 1],
	    ['ontime', -3, '07:00', 'completed', 0]]) {
		const d = new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
		inst[k] = randomUUID();
		sql('INSERT INTO checklist_instances (public_id, org_id, template_id, ' +
		    'template_title, due_at, grace_until, local_date, status, late, completed_at, ' +
		    `completed_by) SELECT '${inst[k]}', org_id, id, title, '${d} ${at}', ` +
		    `'${d} ${at}' + INTERVAL 15 MINUTE, '${d}', '${status}', ${late}, ` +
		    (status === 'completed' ? `'${d} ${at}', 'user:axe@example.test'` : 'NULL, NULL') +
		    ` FROM checklist_templates WHERE public_id = '${tpl}'`);
		sql('INSERT INTO checklist_instance_items (public_id, instance_id, org_id, position, ' +
		    'text, required) SELECT UUID(), i.id, i.org_id, ti.position, ti.text, ti.required ' +
		    'FROM checklist_instances i JOIN checklist_template_items ti ON ti.template_id = ' +
		    `i.template_id WHERE i.public_id = '${inst[k]}'`);
	}
	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);
	await gotoPage(page, '/admin/checklists');
	assert.equal(await page.locator(`section[id="i-${inst.today}"]`).count(), 1);
	assert.equal(await page.locator(`section[id="i-${inst.overdue}"]`).count(), 1);
	assert.equal(await page.locator('#glance-table td', { hasText: 'on time' }).count(), 1);
	assert.equal(await page.locator('#templates-table').count(), 1);
	await assertClean(page, 'checklists, admin');
	const refused = await clickAndWait(page, page.locator(`section[id="i-${inst.today}"]`)
	    .getByRole('button', { name: 'Mark done' }));
	assert.equal(refused.status(), 422);
	await assertClean(page, 'checklists, a refused "Mark done"');
	await page.getByLabel(/time zone/).fill('Nowhere/Else');
	const tz = await clickAndWait(page, page.getByRole('button', { name: 'Save the time zone' }));
	assert.equal(tz.status(), 400);
	await assertClean(page, 'checklists, a refused time zone');
	await context.close();

	const { context: mc, page: mp } = await newPage(browser);
	await signIn(mp, org.member.email, org.member.password);
	await gotoPage(mp, '/admin/checklists');
	assert.equal(await mp.locator(`section[id="i-${inst.today}"]`).count(), 1);
	assert.equal(await mp.locator('#templates-table').count(), 0);
	await assertClean(mp, 'checklists, member');
	await mc.close();
});

test('a11y: users with a one-time link shown, a refused user, the link\'s pages, a deactivation to confirm, organizations', async () => {
	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);
	await gotoPage(page, '/admin/users');
	await assertClean(page, 'users');
	const name = `axe-${randomBytes(3).toString('hex')}`;
	await page.getByLabel('User name').fill(name);
	await page.getByLabel('Display name (optional)').fill('Axe User');
	await page.getByLabel('E-mail (optional)').fill(`${name}@${org.slug}.test`);
	await clickAndWait(page, page.getByRole('button', { name: 'Create user' }));
	const link = await page.locator('#user-link').innerText();
	assert.match(link, /\/admin\/set-password\?token=[A-Za-z0-9]{43}$/);
	await assertClean(page, 'users, a one-time link shown once');
	await page.getByLabel('User name').fill(name);
	const refused = await clickAndWait(page, page.getByRole('button', { name: 'Create user' }));
	assert.equal(refused.status(), 409);
	await assertClean(page, 'users, a refused user');
	const row = page.locator(`tr:has(td:text-is("${name}"))`);
	const confirm = await clickAndWait(page, row.getByRole('button', { name: /^Deactivate/ }));
	assert.equal(confirm.status(), 200);
	assert.equal(await page.locator('#confirm-question').count(), 1);
	await assertClean(page, 'users, a deactivation to confirm');

	const { context: lc, page: lp } = await newPage(browser);
	await lp.goto(link, { waitUntil: 'load' });
	assert.equal(await lp.locator('input[type=password]').count(), 2);
	await assertClean(lp, 'the set-password form');
	await lp.getByLabel('New password', { exact: true }).fill('short');
	await lp.getByLabel('Repeat the new password').fill('short');
	await lp.evaluate(() => document.querySelectorAll('input[minlength]')
	    .forEach((i) => i.removeAttribute('minlength')));
	const bad = await clickAndWait(lp, lp.getByRole('button', { name: 'Set password' }));
	assert.equal(bad.status(), 400);
	await assertClean(lp, 'the set-password form, refused');
	const gone = await gotoPage(lp, '/admin/set-password?token=nothing');
	assert.equal(gone.status(), 410);
	await assertClean(lp, 'a link expired or used');
	await lc.close();
	await context.close();

	const operator = { email: `orgs-operator@${org.slug}.test`,
	    password: `pw-${randomBytes(9).toString('hex')}` };
	ctl(['user', 'create', '--org', org.slug, '--email', operator.email,
	    '--password-stdin', '--role', 'admin', '--platform-admin'],
	    operator.password + '\n');
	const { context: oc, page: op } = await newPage(browser);
	await signIn(op, operator.email, operator.password);
	await gotoPage(op, '/admin/organizations');
	assert.ok(await op.locator(`tr[id="org-${org.slug}"]`).count() === 1);
	await assertClean(op, 'organizations');
	await oc.close();
});

/* --- issue 13, integrations (helper A) --- */
test('a11y: integrations empty, refused, with a secret shown once, tested, edited, a delete to confirm', async () => {
	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);
	await gotoPage(page, '/admin/integrations');
	await assertClean(page, 'integrations, empty');
	const create = page.locator('form.card').last();
	await create.getByLabel('Name').fill('Axe hook');
	let resp = await clickAndWait(page, page.getByRole('button', { name: 'Create integration' }));
	assert.equal(resp.status(), 400);
	await assertClean(page, 'integrations, a refused create');
	await create.getByLabel('Webhook URL').fill(receiver.url);
	await clickAndWait(page, page.getByRole('button', { name: 'Create integration' }));
	assert.equal(await page.locator('#secret').count(), 1);
	await assertClean(page, 'an integration, its secret shown once');
	await clickAndWait(page, page.getByRole('button', { name: 'Test integration' }));
	assert.equal(await page.locator('table.log tr').count(), 2);
	await assertClean(page, 'an integration, tested, with its log');
	const edit = page.locator('form.card', { has: page.getByRole('button', { name: 'Save changes' }) });
	await edit.getByLabel('Configuration').fill('not json');
	resp = await clickAndWait(page, page.getByRole('button', { name: 'Save changes' }));
	assert.equal(resp.status(), 400);
	await assertClean(page, 'an integration, a refused edit');
	await clickAndWait(page, page.getByRole('button', { name: 'Delete integration' }));
	assert.equal(await page.locator('#confirm-question').count(), 1);
	await assertClean(page, 'an integration, a delete to confirm');
	await gotoPage(page, '/admin/integrations?type=webhook&status=active');
	await assertClean(page, 'integrations, filtered, with rows');
	await context.close();
});

// --- import/export (issue 13): the page, a result with errors, a dry
// run's result, and a file that cannot be read.
test('a11y: import/export, its results and a refused file (admin)', async () => {
	const { context, page } = await newPage(browser);
	await signIn(page, org.admin.email, org.admin.password);
	await gotoPage(page, '/admin/import-export');
	await assertClean(page, 'import/export');
	const upload = async (name, content, dryRun) => {
		await gotoPage(page, '/admin/import-export');
		await page.getByLabel('What to import').selectOption('items');
		await page.getByLabel(/^File/).setInputFiles({ name, mimeType: 'text/csv',
		    buffer: Buffer.from(content) });
		if (dryRun)
			await page.getByRole('checkbox', { name: /^Dry run/ }).check();
		return clickAndWait(page, page.getByRole('button', { name: 'Import', exact: true }));
	};
	const n = randomBytes(3).toString('hex');
	await upload('errors.csv', `id,name,metadata\n,A11y ${n},\nbad-id,A11y x ${n},\n` +
	    `,,\n,A11y m ${n},"{oops"\n`, false);
	assert.equal(await page.locator('#errors tbody tr').count(), 3);
	await assertClean(page, 'import/export, a result with errors');
	await upload('dry.csv', `name\nA11y dry ${n}\n`, true);
	assert.equal(await page.locator('#dry-run').count(), 1);
	await assertClean(page, 'import/export, a dry run');
	const refused = await upload('noname.csv', 'category\nx\n', false);
	assert.equal(refused.status(), 400);
	await assertClean(page, 'import/export, a file that cannot be read');
	await context.close();
});
