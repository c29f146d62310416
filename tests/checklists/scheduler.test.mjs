// scheduler.test.mjs - the worker's checklist jobs, driven at chosen
// instants with `mihwarctl checklists tick --now` (the clock is the
// test's, not the wall's): an instance per day at 07:00 Europe/Berlin
// across both daylight-saving changes of 2026, made once however often
// and however concurrently it is ticked, never for a time already past;
// checklist.missed exactly once per instance after due + grace, with two
// ticks at once, and the spec's payload; completed instances left alone;
// a deactivated template gets nothing new; weekly weekdays; each
// organization in its own zone; `org update --timezone`.
//
// The templates are inserted with SQL as root (the templates API is
// another branch's). The worker is stopped while this file runs: its
// real clock (after these dates) would mark every instance here missed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { newOrg, outbox, sql, ctl, q } from '../cases/lib.mjs';
import { env, stackCmd } from '../webhooks/stack.mjs';

const TITLE = 'Daily opening checks';
const made = [];	// every template made here, deactivated after each test

before(async () => {
	await stackCmd('worker-stop');
});

after(async () => {
	await stackCmd('worker-start');
});

// The whole line mihwarctl printed (without --json), to read its counts.
function tickText(now) {
	return new Promise((resolve, reject) => {
		execFile(env.ctl, ['checklists', 'tick', '--now', now],
		    { env: { ...process.env, MIHWAR_CONF: env.conf } },
		    (err, stdout, stderr) => err ? reject(new Error(stderr)) :
		    resolve(stdout));
	});
}

// Quote a date, a time or a weekday list made here (q() takes no spaces
// or commas).
function lit(s) {
	assert.match(s, /^[0-9 ,:.-]+$/);
	return `'${s}'`;
}

async function tick(now) {
	return ctl(['checklists', 'tick', '--now', now]);
}

async function zonedOrg(tag, tz) {
	const org = await newOrg(tag);
	const out = await ctl(['org', 'update', '--slug', org.slug,
	    '--timezone', tz]);
	assert.equal(out.timezone, tz);
	return org;
}

// A template of org (SQL as root): time "HH:MM", weekdays [] for daily.
async function template(org, { title = TITLE, time = '07:00', weekdays = [],
    grace = 30, items = ['Unlock the door', 'Coffee machine on'] } = {}) {
	const id = randomUUID();
	const kind = weekdays.length ? q('weekly') : q('daily');
	const days = weekdays.length ? lit(weekdays.join(',')) : 'NULL';

	assert.match(title, /^[A-Za-z ]+$/);
	await sql('INSERT INTO checklist_templates (public_id, org_id, title,' +
	    ' schedule_kind, weekdays, due_time, due_after_minutes) VALUES' +
	    ` (${q(id)}, ${Number(org.id)}, '${title}', ${kind}, ${days},` +
	    ` ${q(time)}, ${grace})`);
	const [[row]] = await sql('SELECT id FROM checklist_templates WHERE' +
	    ` public_id = ${q(id)}`);
	for (const [i, text] of items.entries()) {
		assert.match(text, /^[A-Za-z ]+$/);
		await sql('INSERT INTO checklist_template_items (public_id,' +
		    ' template_id, org_id, position, text, required) VALUES' +
		    ` (${q(randomUUID())}, ${row}, ${Number(org.id)}, ${i + 1},` +
		    ` '${text}', ${i === 0 ? 1 : 0})`);
	}
	const t = { id, row: Number(row), org };
	made.push(t);
	return t;
}

// The template's instances: [dueAt ISO, local date, status].
async function instances(t) {
	return (await sql('SELECT DATE_FORMAT(due_at,' +
	    " '%Y-%m-%dT%H:%i:%sZ'), local_date, status FROM checklist_instances" +
	    ` WHERE template_id = ${t.row} AND org_id = ${Number(t.org.id)}` +
	    ' ORDER BY due_at'));
}

async function instanceId(t, dueAt) {
	const [[id]] = await sql('SELECT public_id FROM checklist_instances' +
	    ` WHERE template_id = ${t.row} AND due_at = ${lit(dueAt.replace('T',
	    ' ').replace('Z', ''))}`);
	return id;
}

async function deactivateAll() {
	for (const t of made.splice(0))
		await sql('UPDATE checklist_templates SET active = 0 WHERE' +
		    ` id = ${t.row}`);
}

test('org update --timezone: set, printed, and only IANA zones', async () => {
	const org = await newOrg('cltz');
	const text = await new Promise((resolve, reject) => execFile(env.ctl,
	    ['org', 'update', '--slug', org.slug, '--timezone',
	    'America/New_York'], { env: { ...process.env,
	    MIHWAR_CONF: env.conf } }, (err, out) => err ? reject(err) :
	    resolve(out)));
	assert.match(text, new RegExp(`^organization ${org.slug}: ingest .*` +
	    ', timezone America/New_York\n$'));
	const [[tz]] = await sql('SELECT timezone FROM organizations WHERE' +
	    ` id = ${Number(org.id)}`);
	assert.equal(tz, 'America/New_York');
	for (const bad of ['Europe/Nowhere', '../../etc/passwd', 'CEST',
	    'UTC+2'])
		await assert.rejects(ctl(['org', 'update', '--slug', org.slug,
		    '--timezone', bad]), `refused ${bad}`);
	const [[still]] = await sql('SELECT timezone FROM organizations WHERE' +
	    ` id = ${Number(org.id)}`);
	assert.equal(still, 'America/New_York');
	const other = await newOrg('cltz2');
	const [[dflt]] = await sql('SELECT timezone FROM organizations WHERE' +
	    ` id = ${Number(other.id)}`);
	assert.equal(dflt, 'UTC');
});

test('07:00 Europe/Berlin across the spring change: one a day, 07:00 local',
    async () => {
	const org = await zonedOrg('clsp', 'Europe/Berlin');
	const t = await template(org);

	// 36 hours ahead of 2026-03-28 00:00Z: the 28th (CET) and the 29th
	// (CEST, the day of the change).
	// The counts are of every organization's templates (other files'
	// too): at least this one's two.
	const m = (await tickText('2026-03-28T00:00:00Z'))
	    .match(/^checklists: (\d+) instances made, \d+ marked missed\n$/);
	assert.ok(m && Number(m[1]) >= 2, `printed ${m}`);
	assert.deepEqual((await tick('2026-03-28T00:00:00Z')).made, 0);
	await tick('2026-03-28T05:59:00Z');
	await tick('2026-03-29T00:00:00Z');
	await tick('2026-03-30T00:00:00Z');
	assert.deepEqual((await instances(t)).map((r) => r.slice(0, 2)), [
		['2026-03-28T06:00:00Z', '2026-03-28'],
		['2026-03-29T05:00:00Z', '2026-03-29'],
		['2026-03-30T05:00:00Z', '2026-03-30'],
		['2026-03-31T05:00:00Z', '2026-03-31'],
	]);
	// Two ticks at once (two workers): still one per due time.
	await Promise.all([tick('2026-03-30T18:00:00Z'),
	    tick('2026-03-30T18:00:00Z')]);
	const all = await instances(t);
	assert.equal(all.length, 5);
	assert.deepEqual(all[4].slice(0, 2), ['2026-04-01T05:00:00Z',
	    '2026-04-01']);
	// Items copied from the template, in order.
	const items = await sql('SELECT ii.position, ii.text, ii.required,' +
	    ' ii.done FROM checklist_instance_items ii JOIN checklist_instances' +
	    ' i ON i.id = ii.instance_id WHERE i.public_id = ' +
	    q(await instanceId(t, '2026-03-29T05:00:00Z')) +
	    ' ORDER BY ii.position');
	assert.deepEqual(items, [['1', 'Unlock the door', '1', '0'],
	    ['2', 'Coffee machine on', '0', '0']]);
	await deactivateAll();
});

test('07:00 Europe/Berlin across the autumn change; 02:30 on the day once',
    async () => {
	const org = await zonedOrg('clau', 'Europe/Berlin');
	const t = await template(org);
	const early = await template(org, { title: 'Night bake', time: '02:30' });

	for (const now of ['2026-10-24T00:00:00Z', '2026-10-24T00:00:00Z',
	    '2026-10-25T00:00:00Z', '2026-10-26T00:00:00Z'])
		await tick(now);
	assert.deepEqual((await instances(t)).map((r) => r.slice(0, 2)), [
		['2026-10-24T05:00:00Z', '2026-10-24'],
		['2026-10-25T06:00:00Z', '2026-10-25'],
		['2026-10-26T06:00:00Z', '2026-10-26'],
		['2026-10-27T06:00:00Z', '2026-10-27'],
	]);
	// 02:30 comes twice on the 25th (CEST 00:30Z, CET 01:30Z): one
	// instance, the first.
	assert.deepEqual((await instances(early)).map((r) => r[0]), [
		'2026-10-24T00:30:00Z', '2026-10-25T00:30:00Z',
		'2026-10-26T01:30:00Z', '2026-10-27T01:30:00Z',
	]);
	await deactivateAll();
});

test('never backfilled: a template made during the day gets only what is ahead',
    async () => {
	const org = await zonedOrg('clbf', 'Europe/Berlin');
	const t = await template(org);

	// 07:00 CEST on 2026-03-30 was 05:00Z: already past at 05:00:01Z.
	await tick('2026-03-30T05:00:01Z');
	assert.deepEqual((await instances(t)).map((r) => r[0]), [
		'2026-03-31T05:00:00Z']);
	await deactivateAll();
});

test('a missed instance: one checklist.missed with two ticks at once, as the spec has it',
    async () => {
	const org = await zonedOrg('clms', 'Europe/Berlin');
	const t = await template(org, { grace: 45 });

	await tick('2026-03-29T00:00:00Z');
	const id = await instanceId(t, '2026-03-29T05:00:00Z');
	// Due 05:00Z, grace to 05:45Z: open until then.
	await tick('2026-03-29T05:44:59Z');
	assert.equal((await instances(t))[0][2], 'open');
	assert.equal((await outbox(org, 'checklist.missed')).length, 0);
	await Promise.all([tick('2026-03-29T05:46:00Z'),
	    tick('2026-03-29T05:46:00Z')]);
	await tick('2026-03-29T06:00:00Z');
	const st = await instances(t);
	assert.deepEqual(st.map((r) => r[2]), ['missed', 'open']);
	const [[missedAt]] = await sql('SELECT missed_at FROM' +
	    ` checklist_instances WHERE public_id = ${q(id)}`);
	assert.equal(missedAt, '2026-03-29 05:46:00.000');
	assert.deepEqual(await outbox(org, 'checklist.missed'), [{
		type: 'checklist.missed',
		payload: {
			checklistInstanceId: id,
			templateId: t.id,
			templateTitle: TITLE,
			dueDate: '2026-03-29T05:00:00.000Z',
		},
	}]);
	// Later ticks find nothing more to mark.
	await tick('2026-03-29T12:00:00Z');
	assert.equal((await outbox(org, 'checklist.missed')).length, 1);
	await deactivateAll();
});

test('completed instances are not marked missed', async () => {
	const org = await zonedOrg('clcp', 'UTC');
	const t = await template(org, { grace: 0 });

	await tick('2026-10-24T00:00:00Z');
	// Done in time (as the instances API would, here with SQL).
	await sql("UPDATE checklist_instances SET status = 'completed'," +
	    " completed_at = '2026-10-24 06:50:00', completed_by = 'test'" +
	    ` WHERE template_id = ${t.row} AND due_at = '2026-10-24 07:00:00'`);
	await tick('2026-10-25T08:00:00Z');
	assert.deepEqual((await instances(t)).map((r) => [r[0], r[2]]), [
		['2026-10-24T07:00:00Z', 'completed'],
		['2026-10-25T07:00:00Z', 'missed'],
		['2026-10-26T07:00:00Z', 'open'],
	]);
	const ev = await outbox(org, 'checklist.missed');
	assert.deepEqual(ev.map((e) => e.payload.dueDate),
	    ['2026-10-25T07:00:00.000Z']);
	await deactivateAll();
});

test('a deactivated or deleted template gets no new instances', async () => {
	const org = await zonedOrg('clda', 'Europe/Berlin');
	const off = await template(org);
	const gone = await template(org, { title: 'Closing' });

	await tick('2026-03-28T00:00:00Z');
	assert.equal((await instances(off)).length, 2);
	await sql(`UPDATE checklist_templates SET active = 0 WHERE id = ${off.row}`);
	await sql('UPDATE checklist_templates SET deleted_at = NOW(3) WHERE' +
	    ` id = ${gone.row}`);
	await tick('2026-03-29T12:00:00Z');
	assert.equal((await instances(off)).length, 2);
	assert.equal((await instances(gone)).length, 2);
	await deactivateAll();
});

test('weekly weekdays, in the local week', async () => {
	const org = await zonedOrg('clwk', 'Europe/Berlin');
	// Monday and Saturday 00:30 Berlin: Saturday's is Friday in UTC.
	const t = await template(org, { time: '00:30', weekdays: [1, 6] });

	for (const now of ['2026-03-23T00:00:00Z', '2026-03-24T12:00:00Z',
	    '2026-03-26T00:00:00Z', '2026-03-27T12:00:00Z',
	    '2026-03-29T00:00:00Z'])
		await tick(now);
	assert.deepEqual((await instances(t)).map((r) => r.slice(0, 2)), [
		['2026-03-27T23:30:00Z', '2026-03-28'],
		['2026-03-29T22:30:00Z', '2026-03-30'],
	]);
	await deactivateAll();
});

test('each organization in its own zone', async () => {
	const berlin = await zonedOrg('clzb', 'Europe/Berlin');
	const ny = await zonedOrg('clzn', 'America/New_York');
	const utc = await newOrg('clzu');
	const tb = await template(berlin);
	const tn = await template(ny);
	const tu = await template(utc);

	await tick('2026-03-30T00:00:00Z');
	assert.deepEqual((await instances(tb)).map((r) => r[0]),
	    ['2026-03-30T05:00:00Z', '2026-03-31T05:00:00Z']);
	assert.deepEqual((await instances(tn)).map((r) => r.slice(0, 2)), [
		['2026-03-30T11:00:00Z', '2026-03-30'],
		['2026-03-31T11:00:00Z', '2026-03-31'],
	]);
	assert.deepEqual((await instances(tu)).map((r) => r[0]),
	    ['2026-03-30T07:00:00Z', '2026-03-31T07:00:00Z']);
	// Each org's instances and events are its own.
	const [[foreign]] = await sql('SELECT COUNT(*) FROM checklist_instances' +
	    ` WHERE org_id = ${Number(berlin.id)} AND template_id IN` +
	    ` (${tn.row}, ${tu.row})`);
	assert.equal(foreign, '0');
	await deactivateAll();
});
