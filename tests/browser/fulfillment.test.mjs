// The human gate of fulfillment orders in the console (/admin/fulfillment):
// a platform admin sees every client's orders waiting for admin approval
// with their client, items and designs, shipping address, customer,
// total and when they were paid; Approve first answers a page that names
// the order and the amount (no JavaScript needed), and only its confirm
// POST submits the order to Printful, once; Reject takes a note; a
// Printful failure is kept and shown; an order no longer waiting is
// refused; anyone but a platform admin gets 403; markup reads as text.
//
// Orders are written straight into the database in
// pending_admin_approval (the Stripe webhook and the client's approval
// have tests of their own). The list shows every client's waiting
// orders, other files' too, so each test finds its own by id.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { BASE, XSS_IMG, XSS_SCRIPT, clickAndWait, ctl, gotoPage, launch,
    makeOrg, newPage, orgId, pathOf, screenshot, signIn, sql, sqlQuote,
    text } from './helpers.mjs';

const PRINTFUL = (process.env.MIHWAR_PRINTFUL_URL ?? '').replace(/\/+$/, '');
const PAGE = '/admin/fulfillment';

let browser, ops;

/* An operator organization with a platform admin console user, and its
 * ordinary admin (who is not one). */
function operator() {
	const org = makeOrg('fops');
	org.platform = { email: `operator@${org.slug}.test`,
	    password: `pw-${randomBytes(9).toString('hex')}` };
	ctl(['user', 'create', '--org', org.slug, '--email', org.platform.email,
	    '--password-stdin', '--role', 'admin', '--platform-admin'],
	    org.platform.password + '\n');
	return org;
}

before(async () => {
	assert.ok(PRINTFUL, 'MIHWAR_PRINTFUL_URL names the Printful stand-in');
	ops = operator();
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

function tag() {
	return randomBytes(3).toString('hex');
}

/* A client storefront: an organization named name; {slug, id, name}. */
function client(name) {
	const slug = `fc-${tag()}-${Date.now().toString(36)}`;
	ctl(['org', 'create', '--slug', slug, '--name', name]);
	return { slug, name, id: orgId(slug) };
}

const ADDRESS = { name: 'Jane Doe', line1: '123 Punk Ave', city: 'Portland',
    state: 'OR', postal_code: '97201', country: 'US' };

function item(over = {}) {
	return { productTitle: 'Punk Skull Tee', productType: 'shirt',
	    imageUrl: 'https://cdn.example.test/skull.png', size: 'M',
	    quantity: 1, price: 29.99, ...over };
}

/*
 * An order of client c written as the Stripe webhook and the client's
 * approval leave it: status (pending_admin_approval unless told), items,
 * shipping address, customer e-mail, total and currency. Its public id.
 */
function insertOrder(c, { status = 'pending_admin_approval', items = [item()],
    address = ADDRESS, email = 'jane@example.test', total = '29.99',
    currency = 'USD', note = null } = {}) {
	const id = randomUUID();
	sql('INSERT INTO fulfill_orders (public_id, org_id, status, status_note,' +
	    ' customer_email, items, shipping_address, total, currency,' +
	    ' stripe_session_id, stripe_payment_intent_id) VALUES (' +
	    `${sqlQuote(id)}, ${c.id}, ${sqlQuote(status)},` +
	    ` ${note === null ? 'NULL' : sqlQuote(note)}, ${sqlQuote(email)},` +
	    ` ${sqlQuote(JSON.stringify(items))},` +
	    ` ${address === null ? 'NULL' : sqlQuote(JSON.stringify(address))},` +
	    ` ${total}, ${sqlQuote(currency)}, 'cs_test_${randomBytes(10).toString('hex')}',` +
	    ` 'pi_${randomBytes(8).toString('hex')}')`);
	return id;
}

/* The order's row: status, status_note ('-' for none), printful id. */
function orderRow(id) {
	return sql('SELECT status, IFNULL(status_note, \'-\'),' +
	    ' IFNULL(printful_order_id, \'-\') FROM fulfill_orders' +
	    ` WHERE public_id = ${sqlQuote(id)}`)[0];
}

/* The POST /orders the Printful stand-in received for order id. */
async function printfulOrders(id) {
	const res = await fetch(`${PRINTFUL}/__requests`);
	assert.equal(res.status, 200);
	return (await res.json()).filter((q) => q.method === 'POST' &&
	    q.path === '/orders' && (() => {
		try { return JSON.parse(q.body).external_id === id; } catch { return false; }
	})());
}

/* Any request the stand-in received that mentions id. */
async function printfulMentions(id) {
	const res = await fetch(`${PRINTFUL}/__requests`);
	return (await res.json()).filter((q) => `${q.path}${q.query}${q.body}`.includes(id));
}

/* The cells of each row of a table, header rows included. */
async function cells(table) {
	return table.locator('tr').evaluateAll((trs) =>
	    trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
}

/* A signed-in page; opts go to the browser context (javaScriptEnabled). */
async function operatorPage(opts = {}) {
	let context, page;
	if (Object.keys(opts).length === 0)
		({ context, page } = await newPage(browser));
	else {
		context = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...opts });
		page = await context.newPage();
		page.dialogs = [];
		page.setDefaultTimeout(20000);
	}
	await signIn(page, ops.platform.email, ops.platform.password);
	return { context, page };
}

function orderBody(page, id) {
	return page.locator(`tbody[id="order-${id}"]`);
}

/* The page's own notice (a decision's flash), under its heading: orders
 * in the list may carry notices of their own. */
function flash(page, cls = '') {
	return page.locator(`main > .notice${cls ? `.${cls}` : ''}`);
}

/* The CSRF token of a signed-in page (its sign-out form's). */
async function csrfOf(page) {
	return page.locator('form[action="/admin/logout"] input[name="csrf"]').inputValue();
}

test('a platform admin sees every client\'s waiting orders with items, designs, address, customer, total and paid time', async () => {
	const t = tag();
	const a = client(`Discount Punk ${t}`);
	const b = client(`Poster Barn ${t}`);
	const own = `${BASE}/designs/skull-${t}.png`;	// this console's origin
	const id1 = insertOrder(a, {
		items: [item({ imageUrl: own, quantity: 2 }),
		    item({ productTitle: 'Riot Poster', productType: 'poster',
		    imageUrl: 'https://cdn.example.test/riot.png', size: 'L', price: 12.5 })],
		email: `jane-${t}@example.test`, total: '72.48',
	});
	const id2 = insertOrder(b, {
		items: [item({ productTitle: 'Gig Poster', productType: 'poster',
		    size: 'XL', price: 25 })],
		address: { ...ADDRESS, name: 'Ole Nordmann', line2: 'Flat 2',
		    city: 'Oslo', state: 'Oslo', postal_code: '0150', country: 'NO' },
		email: `ole-${t}@example.test`, total: '25.00', currency: 'EUR',
	});
	const clientStage = insertOrder(a, { status: 'pending_client_approval' });
	const submitted = insertOrder(b, { status: 'submitted_to_printful' });
	const [[paid1]] = sql('SELECT DATE_FORMAT(created_at, \'%Y-%m-%d %H:%i:%s\')' +
	    ` FROM fulfill_orders WHERE public_id = ${sqlQuote(id1)}`);

	const { context, page } = await operatorPage();
	const link = page.locator('header nav').getByRole('link', { name: 'Fulfillment' });
	assert.equal(await link.count(), 1, 'the navigation links the gate');
	const resp = await clickAndWait(page, link);
	assert.equal(resp.status(), 200);
	assert.equal(pathOf(page), PAGE);
	assert.equal(await text(page.locator('h1')), 'Fulfillment');
	assert.deepEqual(await cells(page.locator('table.forders thead')),
	    [['Order', 'Client', 'Customer', 'Total', 'Paid (UTC)']]);

	const tb1 = orderBody(page, id1);
	assert.equal(await tb1.count(), 1, 'client A\'s order waits');
	assert.deepEqual((await cells(tb1))[0], [id1, `${a.name} (${a.slug})`,
	    `jane-${t}@example.test`, '72.48 USD', paid1]);
	assert.deepEqual(await cells(tb1.locator('table.items')), [
		['Design', 'Item', 'Type', 'Size', 'Quantity', 'Price'],
		[own, 'Punk Skull Tee', 'shirt', 'M', '2', '29.99 USD'],
		['https://cdn.example.test/riot.png', 'Riot Poster', 'poster', 'L', '1', '12.50 USD'],
	]);
	// The design on this site is shown (the CSP lets it load); the one
	// elsewhere is a link only, and the page says why.
	const img = tb1.locator('img');
	assert.equal(await img.count(), 1);
	assert.equal(await img.getAttribute('src'), own);
	assert.equal(await img.getAttribute('alt'), 'Design of Punk Skull Tee');
	assert.equal(await tb1.getByRole('link', { name: own }).getAttribute('href'), own);
	assert.equal(await tb1.getByRole('link', { name: 'https://cdn.example.test/riot.png' })
	    .getAttribute('href'), 'https://cdn.example.test/riot.png');
	assert.match(await text(page.locator('main > p').first()),
	    /Designs hosted elsewhere are linked rather than shown/);
	assert.equal(await tb1.locator('address').innerText(),
	    'Jane Doe\n123 Punk Ave\nPortland, OR 97201\nUS');
	assert.equal(await tb1.getByRole('button', { name: 'Approve' }).count(), 1);
	assert.equal(await tb1.getByRole('button', { name: 'Reject' }).count(), 1);
	assert.equal(await tb1.getByLabel('Note').count(), 1);

	const tb2 = orderBody(page, id2);
	assert.equal(await tb2.count(), 1, 'client B\'s order waits too');
	const row2 = (await cells(tb2))[0];
	assert.deepEqual(row2.slice(0, 4), [id2, `${b.name} (${b.slug})`,
	    `ole-${t}@example.test`, '25.00 EUR']);
	assert.deepEqual((await cells(tb2.locator('table.items')))[1],
	    ['https://cdn.example.test/skull.png', 'Gig Poster', 'poster', 'XL', '1', '25.00 EUR']);
	assert.equal(await tb2.locator('address').innerText(),
	    'Ole Nordmann\n123 Punk Ave\nFlat 2\nOslo, Oslo 0150\nNO');

	// Only orders waiting for the operator: not the client's stage, not
	// one already submitted.
	assert.equal(await orderBody(page, clientStage).count(), 0);
	assert.equal(await orderBody(page, submitted).count(), 0);
	assert.ok(!(await page.content()).includes(clientStage));
	// Oldest first: A's order was paid before B's.
	const ids = await page.locator('table.forders tbody').evaluateAll(
	    (tbs) => tbs.map((tb) => tb.id));
	assert.ok(ids.indexOf(`order-${id1}`) < ids.indexOf(`order-${id2}`));
	await screenshot(page, 'fulfillment-gate');
	assert.deepEqual(page.dialogs, []);
	await context.close();
});

test('Approve asks first, without JavaScript: the page names the order and the amount; only its confirm POST submits, once', async () => {
	const c = client(`Confirm Co ${tag()}`);
	const id = insertOrder(c, { total: '29.99' });
	const { context, page } = await operatorPage({ javaScriptEnabled: false });
	await gotoPage(page, PAGE);
	const tb = orderBody(page, id);
	let resp = await clickAndWait(page, tb.getByRole('button', { name: 'Approve' }));
	assert.equal(resp.status(), 200);
	assert.equal(pathOf(page), `${PAGE}/${id}/approve`);
	assert.equal(await text(page.locator('h1')), 'Confirm the submission to Printful');
	assert.equal(await text(page.locator('#confirm-question')),
	    `Submit order ${id} to Printful for 29.99 USD? This creates a physical ` +
	    'product and spends money.');
	const facts = Object.fromEntries(await cells(page.locator('table.facts')));
	assert.equal(facts.Order, id);
	assert.equal(facts.Client, `${c.name} (${c.slug})`);
	assert.equal(facts.Total, '29.99 USD');
	assert.equal(await page.getByRole('link', { name: /^Cancel/ }).getAttribute('href'), PAGE);
	// The first POST only asked.
	assert.deepEqual(orderRow(id), ['pending_admin_approval', '-', '-']);
	assert.deepEqual(await printfulMentions(id), [], 'nothing sent before the confirmation');
	await screenshot(page, 'fulfillment-confirm');

	resp = await clickAndWait(page, page.getByRole('button', { name: 'Submit to Printful' }));
	assert.equal(resp.status(), 200);
	assert.equal(pathOf(page), PAGE);
	const [status, , pfId] = orderRow(id);
	assert.equal(status, 'submitted_to_printful');
	assert.match(pfId, /^\d+$/);
	assert.equal(await text(flash(page, 'ok')),
	    `Submitted order ${id} of ${c.name} to Printful for 29.99 USD (Printful order ${pfId}).`);
	const sent = await printfulOrders(id);
	assert.equal(sent.length, 1, 'exactly one POST /orders');
	assert.match(sent[0].query, /confirm=(true|1)/);
	assert.equal(await orderBody(page, id).count(), 0, 'it left the list');

	// A reload repeats nothing; nor does the same confirmation sent again.
	await page.reload({ waitUntil: 'load' });
	assert.equal(await flash(page).count(), 0);
	const again = await page.request.post(`${BASE}${PAGE}/${id}/confirm`, {
		form: { csrf: await csrfOf(page) }, maxRedirects: 0,
	});
	assert.equal(again.status(), 409);
	assert.match(await again.text(), /is no longer waiting for admin approval \(it is submitted_to_printful\); nothing changed\./);
	assert.equal((await printfulOrders(id)).length, 1, 'still exactly one POST /orders');
	await context.close();
});

test('Reject takes a note: the order is rejected_by_admin with it, and nothing goes to Printful', async () => {
	const c = client(`Reject Co ${tag()}`);
	const id = insertOrder(c, { total: '12.50' });
	const { context, page } = await operatorPage();
	await gotoPage(page, PAGE);

	// A note over 2000 characters (as the API's) is refused, nothing changed.
	const long = await page.request.post(`${BASE}${PAGE}/${id}/reject`, {
		form: { csrf: await csrfOf(page), note: 'é'.repeat(2001) }, maxRedirects: 0,
	});
	assert.equal(long.status(), 400);
	assert.match(await long.text(), /A note has at most 2000 characters; nothing changed\./);
	assert.deepEqual(orderRow(id), ['pending_admin_approval', '-', '-']);

	const note = 'Design is someone else\'s art — "do not print"';
	const tb = orderBody(page, id);
	await tb.getByLabel('Note').fill(note);
	const resp = await clickAndWait(page, tb.getByRole('button', { name: 'Reject' }));
	assert.equal(resp.status(), 200);
	assert.equal(pathOf(page), PAGE);
	assert.equal(await text(flash(page, 'ok')),
	    `Rejected order ${id} of ${c.name} (12.50 USD).`);
	assert.deepEqual(orderRow(id), ['rejected_by_admin', note, '-']);
	assert.equal(await orderBody(page, id).count(), 0);
	assert.deepEqual(await printfulMentions(id), []);
	assert.deepEqual(page.dialogs, []);
	await context.close();
});

test('Printful failing: the order is not submitted, waits again with the reason, and the refusal is kept', async () => {
	const c = client(`Fail Co ${tag()}`);
	const id = insertOrder(c, { address: { ...ADDRESS, name: 'Jane [pf:fail]' } });
	const { context, page } = await operatorPage();
	await gotoPage(page, PAGE);
	await clickAndWait(page, orderBody(page, id).getByRole('button', { name: 'Approve' }));
	const resp = await clickAndWait(page, page.getByRole('button', { name: 'Submit to Printful' }));
	assert.equal(resp.status(), 200);
	assert.equal(pathOf(page), PAGE);
	assert.match(await text(flash(page, 'error')),
	    new RegExp(`^Order ${id} was not submitted: .+`));
	const [status, reason, pfId] = orderRow(id);
	assert.equal(status, 'pending_admin_approval');
	assert.notEqual(reason, '-', 'the reason is kept on the order');
	assert.equal(pfId, '-');
	assert.equal((await printfulOrders(id)).length, 1, 'one attempt reached Printful');
	// It waits again, with the reason shown to the operator.
	const tb = orderBody(page, id);
	assert.equal(await tb.count(), 1);
	assert.equal(await text(tb.locator('.status-note')), `Note: ${reason}`);
	await context.close();
});

test('an order no longer waiting is refused at both steps; unknown orders and actions are 404', async () => {
	const c = client(`Stale Co ${tag()}`);
	const id = insertOrder(c);
	const { context, page } = await operatorPage();
	await gotoPage(page, PAGE);
	const tb = orderBody(page, id);
	assert.equal(await tb.count(), 1);
	// Decided elsewhere while the page is open.
	sql(`UPDATE fulfill_orders SET status = 'rejected_by_admin' WHERE public_id = ${sqlQuote(id)}`);
	const resp = await clickAndWait(page, tb.getByRole('button', { name: 'Approve' }));
	assert.equal(resp.status(), 409);
	assert.equal(await text(flash(page, 'error')),
	    `Order ${id} is no longer waiting for admin approval (it is rejected_by_admin); nothing changed.`);
	assert.equal(await orderBody(page, id).count(), 0);
	const csrf = await csrfOf(page);
	for (const action of ['confirm', 'reject']) {
		const r = await page.request.post(`${BASE}${PAGE}/${id}/${action}`, {
			form: { csrf, note: 'late' }, maxRedirects: 0,
		});
		assert.equal(r.status(), 409, action);
	}
	assert.deepEqual(orderRow(id), ['rejected_by_admin', '-', '-']);
	assert.deepEqual(await printfulMentions(id), []);

	// An order a submission holds (its outcome not known yet): no
	// buttons, and neither step is taken.
	const held = insertOrder(c);
	sql(`UPDATE fulfill_orders SET submit_state = 'submitting', submit_claimed_at = NOW(3)` +
	    ` WHERE public_id = ${sqlQuote(held)}`);
	await gotoPage(page, PAGE);
	const hb = orderBody(page, held);
	assert.equal(await hb.count(), 1);
	assert.equal(await hb.locator('form').count(), 0);
	assert.match(await text(hb.locator('.notice.error')), /^A submission to Printful holds this order/);
	for (const action of ['approve', 'confirm', 'reject']) {
		const r = await page.request.post(`${BASE}${PAGE}/${held}/${action}`, {
			form: { csrf, note: 'held' }, maxRedirects: 0,
		});
		assert.equal(r.status(), 409, `held: ${action}`);
		assert.match(await r.text(), /is being submitted to Printful; its outcome is checked within minutes\. Nothing changed\./);
	}
	assert.deepEqual(orderRow(held), ['pending_admin_approval', '-', '-']);
	assert.deepEqual(await printfulMentions(held), []);

	for (const path of [`${PAGE}/${randomUUID()}/confirm`, `${PAGE}/${'9'.repeat(80)}/approve`,
	    `${PAGE}/${id}/submit`]) {
		const r = await page.request.post(BASE + path, { form: { csrf }, maxRedirects: 0 });
		assert.equal(r.status(), 404, path);
	}
	await context.close();
});

test('only platform admins: an organization\'s admin and a member get 403 on the page and on every POST', async () => {
	const c = client(`Guarded Co ${tag()}`);
	const id = insertOrder(c);
	const org = makeOrg('fc-plain', { member: true });
	for (const who of [org.admin, org.member, ops.admin]) {
		const { context, page } = await newPage(browser);
		await signIn(page, who.email, who.password);
		assert.equal(await page.locator('header nav').getByRole('link',
		    { name: 'Fulfillment' }).count(), 0, `${who.email}: no link`);
		const resp = await gotoPage(page, PAGE);
		assert.equal(resp.status(), 403, `${who.email}: the page`);
		assert.equal(await text(page.locator('h1')), 'Forbidden');
		assert.ok(!(await page.content()).includes(id), 'no order is shown');
		const csrf = await csrfOf(page);
		for (const action of ['approve', 'confirm', 'reject']) {
			const r = await page.request.post(`${BASE}${PAGE}/${id}/${action}`, {
				form: { csrf, note: 'not mine to decide' }, maxRedirects: 0,
			});
			assert.equal(r.status(), 403, `${who.email}: ${action}`);
			assert.ok(!(await r.text()).includes(id));
		}
		await context.close();
	}
	assert.deepEqual(orderRow(id), ['pending_admin_approval', '-', '-']);
	assert.deepEqual(await printfulMentions(id), []);
});

test('escaping: markup in a client\'s name, an item, an e-mail, a note and image URLs reads as text; a javascript: URL is no link', async () => {
	const c = client(XSS_SCRIPT);
	const hostile = `https://cdn.example.test/x.png?a="><script>alert(2)</script>`;
	const id = insertOrder(c, {
		items: [item({ productTitle: `${XSS_IMG}${XSS_SCRIPT}`, productType: XSS_SCRIPT,
		    size: XSS_IMG, imageUrl: 'javascript:alert(1)' }),
		    item({ imageUrl: hostile })],
		address: { ...ADDRESS, name: XSS_SCRIPT, line1: XSS_IMG },
		email: `${XSS_IMG}@example.test`, note: XSS_SCRIPT,
	});
	const { context, page } = await operatorPage();
	await gotoPage(page, PAGE);

	// Within the order (the list holds other tests' orders and designs).
	async function inert(where, scope) {
		assert.deepEqual(page.dialogs, [], `${where}: no dialog`);
		assert.equal(await page.locator('script').count(), 0, where);
		assert.equal(await scope.locator('img').count(), 0, where);
		assert.equal(await page.locator('[onerror]').count(), 0, where);
		assert.equal(await page.locator('a[href^="javascript:" i]').count(), 0, where);
		assert.ok((await page.content()).includes('&lt;script&gt;alert(1)&lt;/script&gt;'), where);
	}
	const tb = orderBody(page, id);
	const row = (await cells(tb))[0];
	assert.deepEqual(row.slice(1, 3), [`${XSS_SCRIPT} (${c.slug})`, `${XSS_IMG}@example.test`]);
	const items = await cells(tb.locator('table.items'));
	assert.deepEqual(items[1], ['javascript:alert(1) (not a web address)',
	    `${XSS_IMG}${XSS_SCRIPT}`, XSS_SCRIPT, XSS_IMG, '1', '29.99 USD']);
	assert.equal(await tb.getByRole('link', { name: hostile }).getAttribute('href'), hostile);
	assert.equal(await tb.locator('address').innerText(),
	    `${XSS_SCRIPT}\n${XSS_IMG}\nPortland, OR 97201\nUS`);
	assert.equal(await text(tb.locator('.status-note')), `Note: ${XSS_SCRIPT}`);
	await inert('the gate', tb);

	await clickAndWait(page, tb.getByRole('button', { name: 'Approve' }));
	const facts = Object.fromEntries(await cells(page.locator('table.facts')));
	assert.equal(facts.Client, `${XSS_SCRIPT} (${c.slug})`);
	assert.equal(facts.Customer, `${XSS_IMG}@example.test`);
	await inert('the confirmation', page.locator('main'));
	await screenshot(page, 'fulfillment-escaping');
	assert.deepEqual(orderRow(id).slice(0, 1), ['pending_admin_approval']);
	await context.close();
});
