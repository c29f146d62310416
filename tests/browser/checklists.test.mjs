// The checklists page: an admin creates "Daily opening checks" in the
// console; a member ticks today's instance and marks it done (done on
// the page, checklist.completed in the outbox); a refusal names the
// missing required items and keeps nothing; the last 14 days in words;
// the time zone; what a member does not see; a hostile title stays text.
//
// Instances are made with SQL as root (the scheduler makes them only
// for due times still ahead, and a test needs yesterday's too): one per
// template and day, items copied from the template, as scheduler.c does.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { BASE, XSS_SCRIPT, clickAndWait, gotoPage, launch, makeOrg, newPage,
    orgId, screenshot, signIn, sql, sqlQuote } from './helpers.mjs';

let browser, org, oid;

before(async () => {
	org = makeOrg('chk', { member: true });
	oid = orgId(org.slug);
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

/* The UTC date offset days from today (the organization is on UTC). */
function day(offset) {
	const d = new Date();
	d.setUTCDate(d.getUTCDate() + offset);
	return d.toISOString().slice(0, 10);
}

/* A template with items [{text, required}] by SQL as root: its id. */
function sqlTemplate(title, items, time = '07:00') {
	const id = randomUUID();
	sql('INSERT INTO checklist_templates (public_id, org_id, title, ' +
	    `schedule_kind, due_time) VALUES (${sqlQuote(id)}, ${oid}, ` +
	    `${sqlQuote(title)}, 'daily', ${sqlQuote(time)})`);
	items.forEach((it, i) => sql('INSERT INTO checklist_template_items ' +
	    '(public_id, template_id, org_id, position, text, required) SELECT ' +
	    `UUID(), id, org_id, ${i + 1}, ${sqlQuote(it.text)}, ` +
	    `${it.required ? 1 : 0} FROM checklist_templates WHERE public_id = ` +
	    sqlQuote(id)));
	return id;
}

/* An instance of template tpl on local day d due at hh:mm UTC, grace
 * graceMin, in status (late, completed_at when completed): its id. */
function sqlInstance(tpl, d, { at = '07:00', graceMin = 30, status = 'open',
    late = 0 } = {}) {
	const id = randomUUID();
	const due = `${d} ${at}:00`;
	sql('INSERT INTO checklist_instances (public_id, org_id, template_id, ' +
	    'template_title, due_at, grace_until, local_date, status, late, ' +
	    `completed_at, completed_by) SELECT ${sqlQuote(id)}, org_id, id, ` +
	    `title, '${due}', '${due}' + INTERVAL ${graceMin} MINUTE, '${d}', ` +
	    `${sqlQuote(status)}, ${late}, ` +
	    (status === 'completed' ? `'${due}', 'user:fixture@example.test'` :
	    'NULL, NULL') +
	    ` FROM checklist_templates WHERE public_id = ${sqlQuote(tpl)}`);
	sql('INSERT INTO checklist_instance_items (public_id, instance_id, ' +
	    'org_id, position, text, required) SELECT UUID(), i.id, i.org_id, ' +
	    'ti.position, ti.text, ti.required FROM checklist_instances i JOIN ' +
	    'checklist_templates t ON t.id = i.template_id JOIN ' +
	    'checklist_template_items ti ON ti.template_id = t.id WHERE ' +
	    `i.public_id = ${sqlQuote(id)}`);
	return id;
}

function templateId(title) {
	return sql('SELECT public_id FROM checklist_templates WHERE org_id = ' +
	    `${oid} AND title = ${sqlQuote(title)} AND deleted_at IS NULL`)[0]?.[0];
}

async function signedIn(who) {
	const { context, page } = await newPage(browser);
	await signIn(page, who.email, who.password);
	return { context, page };
}

test('an admin creates "Daily opening checks"; a member marks it done: checklist.completed in the outbox', async () => {
	const { context, page } = await signedIn(org.admin);
	await gotoPage(page, '/admin/checklists');
	await page.getByLabel('Title').fill('Daily opening checks');
	await page.getByLabel(/Items, one per line/).fill(
	    '* Unlock the doors\n* Start the espresso machine\nWater the plants\n');
	await page.getByLabel('Daily').check();
	await page.getByLabel(/Due at/).fill('07:00');
	await page.getByLabel(/Grace/).fill('30');
	let resp = await clickAndWait(page, page.getByRole('button', { name: 'Create the template' }));
	assert.equal(resp.status(), 200);
	assert.match(await page.locator('.notice.ok').innerText(),
	    /Created the template Daily opening checks\./);
	const row = page.locator('#templates-table tr', { hasText: 'Daily opening checks' });
	assert.match(await row.innerText(), /daily at 07:00, 30 min grace/);
	const tpl = templateId('Daily opening checks');
	assert.ok(tpl, 'the template is stored');
	assert.deepEqual(sql('SELECT ti.text, ti.required FROM checklist_template_items ti ' +
	    'JOIN checklist_templates t ON t.id = ti.template_id WHERE t.public_id = ' +
	    `${sqlQuote(tpl)} ORDER BY ti.position`), [['Unlock the doors', '1'],
	    ['Start the espresso machine', '1'], ['Water the plants', '0']]);
	await context.close();

	const inst = sqlInstance(tpl, day(0), { at: '23:59' });
	const m = await signedIn(org.member);
	await gotoPage(m.page, '/admin/checklists');
	const card = m.page.locator(`#i-${inst}`);
	assert.match(await card.locator('.status').innerText(), /^(open|overdue.*)$/);
	await card.getByLabel(/Unlock the doors/).check();
	await card.getByLabel(/Start the espresso machine/).check();
	resp = await clickAndWait(m.page, card.getByRole('button', { name: 'Mark done' }));
	assert.equal(resp.status(), 200);
	assert.match(await m.page.locator('.notice.ok').innerText(), /Marked the checklist done/);
	assert.equal(await m.page.locator(`#i-${inst} .status`).innerText(), 'done');
	assert.match(await m.page.locator(`#i-${inst} .due`).innerText(),
	    new RegExp(`by user:${org.member.email.replace(/\./g, '\\.')}`));
	assert.deepEqual(sql('SELECT status, completed_by, late FROM checklist_instances ' +
	    `WHERE public_id = ${sqlQuote(inst)}`),
	    [['completed', `user:${org.member.email}`, '0']]);
	const ev = sql("SELECT payload FROM events WHERE type = 'checklist.completed' " +
	    `AND org_id = ${oid}`);
	assert.equal(ev.length, 1, 'one checklist.completed');
	const p = JSON.parse(ev[0][0]);
	assert.equal(p.checklistInstanceId, inst);
	assert.equal(p.templateId, tpl);
	assert.equal(p.templateTitle, 'Daily opening checks');
	assert.equal(p.late, false);
	await screenshot(m.page, 'checklists-done');
	await m.context.close();
});

test('a refusal names the missing required items and keeps nothing', async () => {
	const tpl = sqlTemplate('Closing routine', [{ text: 'Lock the safe', required: true },
	    { text: 'Switch off the grill', required: true }, { text: 'Sweep', required: false }]);
	const inst = sqlInstance(tpl, day(0), { at: '23:58' });
	const { context, page } = await signedIn(org.member);
	await gotoPage(page, '/admin/checklists');
	const card = page.locator(`#i-${inst}`);
	await card.getByLabel(/Lock the safe/).check();
	await card.getByLabel(/Sweep/).check();
	const resp = await clickAndWait(page, card.getByRole('button', { name: 'Mark done' }));
	assert.equal(resp.status(), 422);
	const notice = await page.locator('.notice.error').innerText();
	assert.match(notice, /Switch off the grill/);
	assert.doesNotMatch(notice, /Lock the safe|Sweep/);
	// The ticks given stay on the form, and nothing was written.
	assert.equal(await page.locator(`#i-${inst}`).getByLabel(/Lock the safe/).isChecked(), true);
	assert.deepEqual(sql('SELECT i.status, SUM(ii.done) FROM checklist_instances i ' +
	    'JOIN checklist_instance_items ii ON ii.instance_id = i.id WHERE ' +
	    `i.public_id = ${sqlQuote(inst)} GROUP BY i.id`), [['open', '0']]);
	await context.close();
});

test('the last 14 days in words: on time, late, missed, —; overdue listed', async () => {
	const tpl = sqlTemplate('Cleaning round', [{ text: 'Mop the floor', required: true }]);
	sqlInstance(tpl, day(-1), { status: 'completed' });
	sqlInstance(tpl, day(-2), { status: 'completed', late: 1 });
	sqlInstance(tpl, day(-3), { status: 'missed' });
	const open = sqlInstance(tpl, day(-4), { at: '06:00', graceMin: 0 });
	sqlInstance(tpl, day(-20), { status: 'missed' });	// before the window
	const { context, page } = await signedIn(org.member);
	await gotoPage(page, '/admin/checklists');
	const heads = await page.locator('#glance-table tr').first().locator('th').allInnerTexts();
	assert.equal(heads.length, 15);
	assert.equal(heads[14], day(0).slice(5));
	assert.equal(heads[1], day(-13).slice(5));
	const cells = await page.locator('#glance-table tr', { hasText: 'Cleaning round' })
	    .locator('td').allInnerTexts();
	assert.deepEqual(cells, [...Array(9).fill('—'), 'open', 'missed', 'late',
	    'on time', '—']);
	const overdue = await page.locator('#overdue-list li').allInnerTexts();
	assert.ok(overdue.includes(`Cleaning round, ${day(-3)}: missed`), overdue.join('|'));
	assert.ok(overdue.includes(`Cleaning round, ${day(-4)}: overdue`), overdue.join('|'));
	assert.equal(overdue.filter((s) => s.startsWith('Cleaning round')).length, 2);
	assert.equal(await page.locator(`#i-${open} .status`).innerText(), 'overdue');
	await context.close();
});

test('a member sees no template management and may not use it', async () => {
	const { context, page } = await signedIn(org.member);
	await gotoPage(page, '/admin/checklists');
	assert.equal(await page.locator('#templates').count(), 0);
	assert.equal(await page.locator('#template-form').count(), 0);
	assert.equal(await page.locator('#timezone').count(), 0);
	assert.equal(await page.getByRole('link', { name: 'Checklists' }).count(), 1);
	const csrf = await page.locator('input[name="csrf"]').first().inputValue();
	const r = await page.request.post(BASE + '/admin/checklists/timezone', {
		form: { csrf, timezone: 'Europe/Berlin' }, maxRedirects: 0 });
	assert.equal(r.status(), 403);
	assert.deepEqual(sql(`SELECT timezone FROM organizations WHERE id = ${oid}`), [['UTC']]);
	await context.close();
});

test('admins set the time zone; an unknown one is refused', async () => {
	const { context, page } = await signedIn(org.admin);
	await gotoPage(page, '/admin/checklists');
	await page.getByLabel(/time zone/).fill('Mars/Olympus_Mons');
	let resp = await clickAndWait(page, page.getByRole('button', { name: 'Save the time zone' }));
	assert.equal(resp.status(), 400);
	assert.match(await page.locator('.notice.error').innerText(), /^timezone: /);
	assert.equal(await page.getByLabel(/time zone/).inputValue(), 'Mars/Olympus_Mons');
	await page.getByLabel(/time zone/).fill('Pacific/Kiritimati');
	resp = await clickAndWait(page, page.getByRole('button', { name: 'Save the time zone' }));
	assert.equal(resp.status(), 200);
	assert.deepEqual(sql(`SELECT timezone FROM organizations WHERE id = ${oid}`),
	    [['Pacific/Kiritimati']]);
	// UTC+14: its day is the UTC day after, or the same late in it.
	const kiri = new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Kiritimati' })
	    .format(new Date());
	assert.match(await page.locator('#today-date').innerText(),
	    new RegExp(`^Today is ${kiri} in Pacific/Kiritimati\\.`));
	await page.getByLabel(/time zone/).fill('UTC');
	await clickAndWait(page, page.getByRole('button', { name: 'Save the time zone' }));
	await context.close();
});

test('admins deactivate, activate and delete a template', async () => {
	const tpl = sqlTemplate('Weekly deep clean', [{ text: 'Descale', required: true }]);
	const { context, page } = await signedIn(org.admin);
	await gotoPage(page, '/admin/checklists');
	await clickAndWait(page, page.getByRole('button', { name: 'Deactivate Weekly deep clean' }));
	assert.deepEqual(sql(`SELECT active FROM checklist_templates WHERE public_id = ${sqlQuote(tpl)}`), [['0']]);
	await clickAndWait(page, page.getByRole('button', { name: 'Activate Weekly deep clean' }));
	assert.deepEqual(sql(`SELECT active FROM checklist_templates WHERE public_id = ${sqlQuote(tpl)}`), [['1']]);
	const row = page.locator('#templates-table tr', { hasText: 'Weekly deep clean' });
	await row.getByLabel('I am sure').check();
	await clickAndWait(page, row.getByRole('button', { name: 'Delete Weekly deep clean' }));
	assert.match(await page.locator('.notice.ok').innerText(), /Deleted the template/);
	assert.equal(await page.locator('#templates-table tr', { hasText: 'Weekly deep clean' }).count(), 0);
	assert.equal(sql(`SELECT deleted_at IS NOT NULL FROM checklist_templates WHERE public_id = ${sqlQuote(tpl)}`)[0][0], '1');
	await context.close();
});

test('a hostile title and item stay text', async () => {
	const title = `Opening ${XSS_SCRIPT} & "checks"`;
	const tpl = sqlTemplate(title, [{ text: `<img src=x onerror=alert(1)>`, required: true }]);
	const inst = sqlInstance(tpl, day(0), { at: '23:57' });
	let alerted = false;
	for (const who of [org.member, org.admin]) {
		const { context, page } = await signedIn(who);
		page.on('dialog', async (d) => { alerted = true; await d.dismiss(); });
		await gotoPage(page, '/admin/checklists');
		assert.equal(await page.locator(`#i-${inst} h3`).innerText(), title);
		assert.match(await page.locator(`#i-${inst} label`).first().innerText(),
		    /<img src=x onerror=alert\(1\)>/);
		assert.equal(await page.locator('main script, main img').count(), 0);
		await context.close();
	}
	assert.equal(alerted, false);
});
