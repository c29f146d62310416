// The activity console: the timeline newest first, paged by "Older" with
// no event repeated or skipped (also while events arrive), its filters,
// the strip of current snapshots, another organization's activity never
// shown, markup in what tools send shown as text; and the ingest apps
// page: an app made with its key (shown once), its allowed event types
// edited and checked, another key for it, admins only.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { BASE, XSS_IMG, XSS_SCRIPT, clickAndWait, gotoPage, launch, makeOrg,
    newPage, pathOf, screenshot, seedActivity, shownIds, signIn, sql,
    sqlQuote, text, timelineIds } from './helpers.mjs';

const N = 130;		// events of the organization
const PAGE = 20;	// a page of the paging test

let browser, org, other, act, otherAct, context, page;

before(async () => {
	org = makeOrg('activity', { member: true });
	other = makeOrg('activity-other');
	act = seedActivity(org.slug, { n: N });
	// Another organization's activity, newer than all of org's.
	otherAct = seedActivity(other.slug, { n: 10, apps: ['secret-app'],
	    workers: ['Eve Other'] });
	sql(`UPDATE activity_events SET event_type = 'other.org.secret',` +
	    ` occurred_at = NOW(3) WHERE org_id = ${otherAct.org}`);
	browser = await launch();
	({ context, page } = await newPage(browser));
	// Every signed-in user of the organization sees the timeline.
	await signIn(page, org.member.email, org.member.password);
});

after(async () => {
	await context?.close();
	await browser?.close();
});

test('activity: newest first, each event once across the Older pages, also while events arrive', async () => {
	await clickAndWait(page, page.getByRole('link', { name: 'Activity' }));
	assert.equal(pathOf(page), '/admin/activity');
	assert.equal(await text(page.locator('h1')), 'Activity');

	const want = timelineIds(act.org);
	assert.equal(want.length, N);
	const resp = await gotoPage(page, `/admin/activity?limit=${PAGE}`);
	assert.equal(resp.status(), 200);
	const seen = [];
	let pages = 0;
	for (;;) {
		const ids = await shownIds(page);
		assert.ok(ids.length > 0 && ids.length <= PAGE, `page ${pages}: ${ids.length} rows`);
		seen.push(...ids);
		pages++;
		if (pages === 1) {
			// A new event arrives after the first page: it is newer
			// than the cursor, so no later page shows it or shifts.
			sql(`INSERT INTO activity_events (public_id, org_id, app_id,` +
			    ` worker_id, event_type, category, occurred_at) VALUES` +
			    ` (UUID(), ${act.org}, ${act.apps[0].id}, ${act.workers[0].id},` +
			    ` 'arrived.meanwhile', 'other', NOW(3))`);
		}
		const older = page.getByRole('link', { name: 'Older' });
		if (await older.count() === 0)
			break;
		await clickAndWait(page, older);
		assert.ok(await page.getByRole('link', { name: 'Newest' }).count() === 1,
		    'a later page links back to the newest');
	}
	assert.equal(pages, Math.ceil(N / PAGE));
	assert.equal(new Set(seen).size, seen.length, 'no event repeated');
	assert.deepEqual(seen, want, 'every event once, newest first (ties by id)');

	// From the top again, the new event is first.
	await gotoPage(page, `/admin/activity?limit=${PAGE}`);
	assert.match(await text(page.locator('table.timeline tr[id^="event-"]').first()),
	    /arrived\.meanwhile/);
	assert.deepEqual(page.dialogs, []);
});

/* The cells of every row shown: [time, worker, app, category, type, …]. */
async function rows() {
	return page.locator('table.timeline tr[id^="event-"]').evaluateAll(
	    (trs) => trs.map((tr) => [...tr.cells].map((td) => td.innerText.trim())));
}

test('activity: the filters of the form (app, category, event type, worker, time range)', async () => {
	await gotoPage(page, '/admin/activity');
	await page.getByLabel('App').selectOption('ci');
	await page.getByLabel('Category').selectOption('code');
	let resp = await clickAndWait(page, page.getByRole('button', { name: 'Filter' }));
	assert.equal(resp.status(), 200);
	let got = await rows();
	let want = timelineIds(act.org, `app_id = ${act.apps[1].id} AND category = 'code'`);
	assert.ok(want.length > 0);
	assert.deepEqual(await shownIds(page), want);
	assert.ok(got.every((c) => c[2] === 'ci' && c[3] === 'code'), JSON.stringify(got));
	// The form keeps what was chosen.
	assert.equal(await page.getByLabel('App').inputValue(), 'ci');
	assert.equal(await page.getByLabel('Category').inputValue(), 'code');

	await gotoPage(page, '/admin/activity');
	await page.getByLabel('Event type').fill('ticket.resolved');
	await page.getByLabel('Worker').selectOption({ label: 'Sam Roe' });
	await clickAndWait(page, page.getByRole('button', { name: 'Filter' }));
	want = timelineIds(act.org, `event_type = 'ticket.resolved' AND worker_id = ${act.workers[1].id}`);
	assert.ok(want.length > 0);
	assert.deepEqual(await shownIds(page), want.slice(0, 50));
	got = await rows();
	assert.ok(got.every((c) => c[1] === 'Sam Roe' && c[4] === 'ticket.resolved'));

	// A time range: from (inclusive) to (exclusive), in UTC.
	const [[from, to]] = sql(`SELECT DATE_FORMAT(MIN(t), '%Y-%m-%dT%H:%i:%s'),` +
	    ` DATE_FORMAT(MAX(t), '%Y-%m-%dT%H:%i:%s') FROM (SELECT occurred_at` +
	    ` AS t FROM activity_events WHERE org_id = ${act.org} ORDER BY` +
	    ` occurred_at DESC LIMIT 20, 20) x`);
	await gotoPage(page, '/admin/activity');
	await page.getByLabel('From (UTC)').fill(from);
	await page.getByLabel('To (UTC)').fill(to);
	await clickAndWait(page, page.getByRole('button', { name: 'Filter' }));
	want = timelineIds(act.org, `occurred_at >= ${sqlQuote(from.replace('T', ' '))}` +
	    ` AND occurred_at < ${sqlQuote(to.replace('T', ' '))}`);
	assert.ok(want.length > 0);
	assert.deepEqual(await shownIds(page), want);

	// A filter that is not valid says which, and answers 400.
	resp = await gotoPage(page, '/admin/activity?eventType=%3Cb%3E');
	assert.equal(resp.status(), 400);
	assert.match(await text(page.locator('.notice.error')), /^eventType:/);
	assert.equal(await page.locator('table.timeline').count(), 0);
	resp = await gotoPage(page, '/admin/activity?cursor=bm90LWEtY3Vyc29y');
	assert.equal(resp.status(), 400);
	assert.match(await text(page.locator('.notice.error')), /^cursor:/);
	await screenshot(page, 'activity-filter-refused');
});

test('activity: the strip shows each worker\'s latest snapshot', async () => {
	const [alex, sam] = act.workers;
	const app = act.apps[0].id;
	sql(`INSERT INTO activity_snapshots (worker_id, app_id, snapshot_type,` +
	    ` org_id, taken_at, metrics) VALUES (${alex.id}, ${app}, 'tickets_open',` +
	    ` ${act.org}, NOW(3) - INTERVAL 2 HOUR, '{"open": 3}')`);
	// A later snapshot of the same worker, app and type replaces it.
	sql(`INSERT INTO activity_snapshots (worker_id, app_id, snapshot_type,` +
	    ` org_id, taken_at, metrics) VALUES (${alex.id}, ${app}, 'tickets_open',` +
	    ` ${act.org}, NOW(3), '{"open": 7, "sla": {"value": 0.92, "unit":` +
	    ` "ratio", "label": "SLA"}, "mood": "busy"}') ON DUPLICATE KEY UPDATE` +
	    ` taken_at = VALUES(taken_at), metrics = VALUES(metrics)`);
	sql(`INSERT INTO activity_snapshots (worker_id, app_id, snapshot_type,` +
	    ` org_id, taken_at, metrics) VALUES (${sam.id}, ${act.apps[1].id},` +
	    ` 'builds', ${act.org}, NOW(3), '{"green": 17}')`);
	await gotoPage(page, '/admin/activity');
	const strip = page.locator('.strip-worker', { has: page.getByRole('heading', { name: 'Alex Doe' }) });
	assert.equal(await strip.count(), 1);
	const s = await text(strip);
	assert.match(s, /tickets_open/);
	assert.match(s, /open 7/);
	assert.match(s, /SLA 0\.92 ratio/);
	assert.match(s, /mood busy/);
	assert.doesNotMatch(s, /open 3/);
	assert.match(await text(page.locator('.strip-worker', {
	    has: page.getByRole('heading', { name: 'Sam Roe' }) })), /builds.*green 17/);

	// The worker filter narrows the strip too.
	await gotoPage(page, `/admin/activity?worker=${sam.publicId}`);
	assert.equal(await page.locator('.strip-worker').count(), 1);
	assert.equal(await text(page.locator('.strip-worker h3')), 'Sam Roe');
	await screenshot(page, 'activity');
});

test('activity: another organization\'s events, workers and apps are never shown', async () => {
	const eve = otherAct.workers[0];
	await gotoPage(page, '/admin/activity?limit=200');
	let html = await page.content();
	assert.ok(!html.includes('other.org.secret'), 'no event of the other org');
	assert.ok(!html.includes('Eve Other'), 'no worker of the other org');
	assert.ok(!html.includes('secret-app'), 'no app of the other org');
	assert.equal((await shownIds(page)).length, N + 1);

	// Asked for by id or slug, they match nothing.
	let resp = await gotoPage(page, `/admin/activity?worker=${eve.publicId}`);
	assert.equal(resp.status(), 200);
	assert.equal((await shownIds(page)).length, 0);
	assert.equal(await text(page.locator('main p.muted').last()), 'No events match.');
	assert.equal(await page.locator('.strip-worker').count(), 0);
	resp = await gotoPage(page, '/admin/activity?app=secret-app');
	assert.equal((await shownIds(page)).length, 0);
	html = await page.content();
	assert.ok(!html.includes('other.org.secret'));
});

test('activity: markup sent by a tool is shown as text', async () => {
	const w = act.workers[0];
	const [[xw]] = sql(`INSERT INTO workers (public_id, org_id, display_name)` +
	    ` VALUES (UUID(), ${act.org}, ${sqlQuote(XSS_SCRIPT)});` +
	    ` SELECT LAST_INSERT_ID()`);
	sql(`INSERT INTO activity_events (public_id, org_id, app_id, worker_id,` +
	    ` event_type, category, occurred_at, metadata) VALUES (UUID(), ${act.org},` +
	    ` ${act.apps[0].id}, ${xw}, '<i>evil</i>', 'other', NOW(3) + INTERVAL 1 SECOND,` +
	    ` ${sqlQuote(JSON.stringify({ note: XSS_IMG }))})`);
	sql(`INSERT INTO activity_snapshots (worker_id, app_id, snapshot_type, org_id,` +
	    ` taken_at, metrics) VALUES (${w.id}, ${act.apps[0].id}, 'markup', ${act.org},` +
	    ` NOW(3), ${sqlQuote(JSON.stringify({ [XSS_IMG]: XSS_SCRIPT }))})`);
	await gotoPage(page, '/admin/activity');
	const first = page.locator('table.timeline tr[id^="event-"]').first();
	const cells = await first.locator('td').allInnerTexts();
	assert.equal(cells[1], XSS_SCRIPT);
	assert.equal(cells[4], '<i>evil</i>');
	assert.equal(cells[6], JSON.stringify({ note: XSS_IMG }));
	assert.ok(await page.getByText(`${XSS_IMG} ${XSS_SCRIPT}`).isVisible(),
	    'the snapshot metric reads literally');
	assert.equal(await page.locator('main script, main img, main i').count(), 0,
	    'no element was made of the text');
	assert.equal(await page.locator('[onerror]').count(), 0);
	// The worker's name in the filter's options is text too.
	assert.equal(await page.getByLabel('Worker').locator('option', { hasText: XSS_SCRIPT }).count(), 1);
	assert.deepEqual(page.dialogs, []);
});

test('ingest apps: members are refused; an admin makes an app, its key shown once', async () => {
	let resp = await gotoPage(page, '/admin/ingest-apps');
	assert.equal(resp.status(), 403, 'a member');

	const { context: ac, page: ap } = await newPage(browser);
	await signIn(ap, org.admin.email, org.admin.password);
	await clickAndWait(ap, ap.getByRole('link', { name: 'Ingest apps' }));
	assert.equal(pathOf(ap), '/admin/ingest-apps');
	assert.equal(await text(ap.locator('h1')), 'Ingest apps');
	// The seeded apps with their keys and last event.
	for (const a of act.apps) {
		const row = ap.locator(`tr#app-${a.slug}`);
		assert.equal(await row.count(), 1);
		assert.match(await text(row), new RegExp(`wp_live_…${a.key.slice(-4)}`));
	}

	const slug = `pos-${randomBytes(3).toString('hex')}`;
	await ap.getByLabel('Slug').fill(slug);
	await ap.getByLabel('Name', { exact: true }).fill(`Till ${XSS_SCRIPT}`);
	await ap.getByLabel('Allowed event types (separated').fill('sale.completed, shift.started sale.completed');
	await ap.getByLabel('Key name').fill('front till');
	resp = await clickAndWait(ap, ap.getByRole('button', { name: 'Create app and key' }));
	assert.equal(resp.status(), 200);
	assert.equal(pathOf(ap), '/admin/ingest-apps', 'redirected after the POST');
	assert.equal(await text(ap.locator('.notice.ok')), 'Key created.');
	const token = await text(ap.locator('#new-key'));
	assert.match(token, /^wp_live_[A-Za-z0-9]{20,}$/);
	const row = ap.locator(`tr#app-${slug}`);
	assert.ok((await text(row)).includes(`Till ${XSS_SCRIPT}`), 'the name reads literally');
	assert.match(await text(row), new RegExp(`wp_live_…${token.slice(-4)} front till`));
	assert.match(await text(row), /never/);
	assert.equal(await ap.getByLabel(`Allowed event types of ${slug}`).inputValue(),
	    'sale.completed, shift.started');
	const [[kind, appSlug, types]] = sql(`SELECT k.kind, a.slug, a.allowed_event_types` +
	    ` FROM api_keys k JOIN ingest_apps a ON a.id = k.app_id WHERE` +
	    ` k.last4 = ${sqlQuote(token.slice(-4))} AND a.slug = ${sqlQuote(slug)}`);
	assert.deepEqual([kind, appSlug, types], ['ingest', slug, 'sale.completed,shift.started']);
	await screenshot(ap, 'ingest-apps');

	// Shown once: the page again has no key.
	await gotoPage(ap, '/admin/ingest-apps');
	assert.equal(await ap.locator('#new-key').count(), 0);
	assert.ok(!(await ap.content()).includes(token));

	// The same slug again is refused, and nothing is made.
	await ap.getByLabel('Slug').fill(slug);
	resp = await clickAndWait(ap, ap.getByRole('button', { name: 'Create app and key' }));
	assert.equal(resp.status(), 409);
	assert.match(await text(ap.locator('.notice.error')), /already/);
	assert.equal(sql(`SELECT COUNT(*) FROM ingest_apps WHERE slug = ${sqlQuote(slug)}`)[0][0], '1');

	// Another key for the app, shown once.
	await gotoPage(ap, '/admin/ingest-apps');
	resp = await clickAndWait(ap, ap.getByRole('button', { name: `New key for ${slug}` }));
	assert.equal(resp.status(), 200);
	const second = await text(ap.locator('#new-key'));
	assert.match(second, /^wp_live_/);
	assert.notEqual(second, token);
	assert.equal(await ap.locator(`tr#app-${slug} ul.keys li`).count(), 2);
	assert.deepEqual(ap.dialogs, []);
	await ac.close();
});

test('ingest apps: allowed event types are checked against the contract\'s pattern, then saved', async () => {
	const { context: ac, page: ap } = await newPage(browser);
	await signIn(ap, org.admin.email, org.admin.password);
	const app = act.apps[0];
	await gotoPage(ap, '/admin/ingest-apps');
	const field = ap.getByLabel(`Allowed event types of ${app.slug}`);
	assert.equal(await field.inputValue(), '', 'none: every type');

	for (const bad of ['ticket.opened, ab', 'ticket.opened <b>x</b>', '.starts.with.dot']) {
		await ap.getByLabel(`Allowed event types of ${app.slug}`).fill(bad);
		const resp = await clickAndWait(ap, ap.getByRole('button',
		    { name: `Save the event types of ${app.slug}` }));
		assert.equal(resp.status(), 400, bad);
		assert.match(await text(ap.locator('.notice.error')), /is not an event type/, bad);
		assert.equal(sql(`SELECT COALESCE(allowed_event_types, 'NULL') FROM` +
		    ` ingest_apps WHERE id = ${app.id}`)[0][0], 'NULL', `${bad}: nothing saved`);
	}
	assert.equal(await ap.locator('main b').count(), 0);

	await ap.getByLabel(`Allowed event types of ${app.slug}`).fill('ticket.opened\nticket.resolved, ticket.opened');
	let resp = await clickAndWait(ap, ap.getByRole('button', { name: `Save the event types of ${app.slug}` }));
	assert.equal(resp.status(), 200);
	assert.equal(pathOf(ap), '/admin/ingest-apps');
	assert.equal(await ap.getByLabel(`Allowed event types of ${app.slug}`).inputValue(),
	    'ticket.opened, ticket.resolved');
	assert.equal(sql(`SELECT allowed_event_types FROM ingest_apps WHERE id = ${app.id}`)[0][0],
	    'ticket.opened,ticket.resolved');

	// Emptied: every type again.
	await ap.getByLabel(`Allowed event types of ${app.slug}`).fill('');
	resp = await clickAndWait(ap, ap.getByRole('button', { name: `Save the event types of ${app.slug}` }));
	assert.equal(resp.status(), 200);
	assert.equal(sql(`SELECT COALESCE(allowed_event_types, 'NULL') FROM ingest_apps` +
	    ` WHERE id = ${app.id}`)[0][0], 'NULL');

	// Another organization's app answers as if it did not exist.
	const [[otherPid]] = sql(`SELECT public_id FROM ingest_apps WHERE id = ${otherAct.apps[0].id}`);
	const csrf = await ap.locator('input[name="csrf"]').first().inputValue();
	const r = await ap.request.post(`${BASE}/admin/ingest-apps/${otherPid}/types`, {
	    form: { csrf, types: 'hijack.type' }, maxRedirects: 0 });
	assert.equal(r.status(), 404);
	assert.equal(sql(`SELECT COALESCE(allowed_event_types, 'NULL') FROM ingest_apps` +
	    ` WHERE id = ${otherAct.apps[0].id}`)[0][0], 'NULL');
	await ac.close();
});
