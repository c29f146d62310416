// api.test.mjs - the checklists Integrations API over real HTTP: templates
// (create, list with cursor and ?active=, get, partial PATCH, soft DELETE,
// 400 naming the field), instances (status and due-date filters, oldest
// due first, cursor), completion (all or nothing, 422 naming the missing
// items, 409, late for a missed instance or one past its grace),
// checklist.completed delivered to a real receiver, and tenant isolation.
//
// Until the scheduler lands, the instances these tests complete are made
// with SQL as root (instanceAt below), the way the worker will make them:
// one row per template and due time, the template's items copied.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

import { Receiver } from '../webhooks/receiver.mjs';
import { checkEnv, fixture, sql, q } from '../webhooks/stack.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const BASE = '/checklists/templates';

const receivers = [];

before(() => checkEnv());
after(async () => {
	for (const r of receivers)
		await r.close();
});

function opening(extra = {}) {
	return {
		title: 'Daily opening checks',
		items: [
			{ text: 'Unlock the door' },
			{ text: 'Coffee machine on', required: true },
			{ text: 'Music on', required: false },
		],
		schedule: { kind: 'daily', time: '07:00' },
		...extra,
	};
}

async function create(f, body = opening()) {
	const res = await f.api('POST', BASE, body);
	assert.equal(res.status, 201, res.text);
	return res.json.data;
}

// SQL DATETIME text of ms (UTC), for fixtures.
function sqlTime(ms) {
	return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

// An instance of template tpl due at dueMs with grace graceMs, in status,
// its items copied from the template: made with SQL as root until the
// scheduler exists.
async function instanceAt(tpl, dueMs, { status = 'open', graceMs = 0 } = {}) {
	const id = randomUUID();
	const due = sqlTime(dueMs);

	await sql('INSERT INTO checklist_instances (public_id, org_id, ' +
	    'template_id, template_title, due_at, grace_until, local_date, ' +
	    `status) SELECT ${q(id)}, org_id, id, title, '${due}', ` +
	    `'${sqlTime(dueMs + graceMs)}', DATE('${due}'), ${q(status)} ` +
	    `FROM checklist_templates WHERE public_id = ${q(tpl.id)}`);
	await sql('INSERT INTO checklist_instance_items (public_id, ' +
	    'instance_id, org_id, position, text, required) SELECT UUID(), ' +
	    'i.id, i.org_id, ti.position, ti.text, ti.required FROM ' +
	    'checklist_instances i JOIN checklist_template_items ti ON ' +
	    `ti.template_id = i.template_id WHERE i.public_id = ${q(id)}`);
	return id;
}

async function instance(f, id) {
	const res = await f.api('GET', '/checklists/instances?limit=100');
	assert.equal(res.status, 200, res.text);
	return res.json.data.find((i) => i.id === id);
}

async function doneFlags(id) {
	return (await sql('SELECT ii.done FROM checklist_instance_items ii ' +
	    'JOIN checklist_instances i ON i.id = ii.instance_id WHERE ' +
	    `i.public_id = ${q(id)} ORDER BY ii.position`)).map((r) => r[0]);
}

async function keyActor(f) {
	const [[org]] = await sql('SELECT id FROM organizations WHERE slug = ' +
	    q(f.slug));
	const rows = await sql('SELECT public_id FROM api_keys WHERE org_id = ' +
	    `${org} ORDER BY id`);
	assert.equal(rows.length, 1);
	return `key:${rows[0][0]}`;
}

const HOUR = 3600e3;

test('create: 201 with ids for the template and each item, defaults, GET one', async () => {
	const f = await fixture();
	const t = await create(f);

	assert.match(t.id, UUID);
	assert.deepEqual(Object.keys(t).sort(), ['active', 'createdAt',
	    'dueAfterMinutes', 'id', 'items', 'schedule', 'timezone', 'title',
	    'updatedAt']);
	assert.equal(t.title, 'Daily opening checks');
	assert.equal(t.items.length, 3);
	for (const it of t.items)
		assert.match(it.id, UUID);
	assert.equal(new Set(t.items.map((i) => i.id)).size, 3);
	assert.deepEqual(t.items.map(({ text, required }) => ({ text, required })),
	    [{ text: 'Unlock the door', required: true },
	     { text: 'Coffee machine on', required: true },
	     { text: 'Music on', required: false }]);
	assert.deepEqual(t.schedule, { kind: 'daily', time: '07:00' });
	assert.equal(t.dueAfterMinutes, 0);
	assert.equal(t.active, true);
	assert.equal(t.timezone, 'UTC');
	assert.match(t.createdAt, ISO);
	assert.match(t.updatedAt, ISO);

	const got = await f.api('GET', `${BASE}/${t.id}`);
	assert.equal(got.status, 200);
	assert.deepEqual(got.json.data, t);

	// weekly: weekdays ascending, whatever order they were sent in; the
	// organization's time zone is the template's.
	await sql('UPDATE organizations SET timezone = \'Europe/Berlin\' ' +
	    `WHERE slug = ${q(f.slug)}`);
	const w = await create(f, opening({ title: 'Closing',
	    schedule: { kind: 'weekly', weekdays: [5, 1, 3], time: '22:30' },
	    dueAfterMinutes: 45, active: false }));
	assert.deepEqual(w.schedule,
	    { kind: 'weekly', weekdays: [1, 3, 5], time: '22:30' });
	assert.equal(w.dueAfterMinutes, 45);
	assert.equal(w.active, false);
	assert.equal(w.timezone, 'Europe/Berlin');
	const rows = await sql('SELECT title, schedule_kind, weekdays, due_time, ' +
	    'due_after_minutes, active FROM checklist_templates WHERE ' +
	    `public_id = ${q(w.id)}`);
	assert.deepEqual(rows, [['Closing', 'weekly', '1,3,5', '22:30', '45',
	    '0']]);
});

test('create: 400 naming the field, nothing written', async () => {
	const f = await fixture();
	const long = (n) => 'x'.repeat(n);
	const items100 = Array.from({ length: 101 }, (_, i) => ({ text: `i${i}` }));
	const cases = [
		[{ ...opening(), title: undefined }, /^title: is required/],
		[opening({ title: '' }), /^title: /],
		[opening({ title: long(201) }), /^title: expected 1 to 200/],
		[opening({ items: [] }), /^items: expected an array of 1 to 100/],
		[opening({ items: items100 }), /^items: expected an array of 1 to 100/],
		[{ ...opening(), items: undefined }, /^items: is required/],
		[opening({ items: [{ text: 'a' }, { text: '' }] }), /^items\[1\]\.text: /],
		[opening({ items: [{ text: long(501) }] }), /^items\[0\]\.text: expected 1 to 500/],
		[opening({ items: [{ text: 'a', required: 'yes' }] }), /^items\[0\]\.required: /],
		[opening({ items: ['a'] }), /^items\[0\]: expected an object/],
		[{ ...opening(), schedule: undefined }, /^schedule: is required/],
		[opening({ schedule: { kind: 'monthly', time: '07:00' } }), /^schedule\.kind: /],
		[opening({ schedule: { kind: 'daily' } }), /^schedule\.time: is required/],
		[opening({ schedule: { kind: 'daily', time: '24:00' } }), /^schedule\.time: /],
		[opening({ schedule: { kind: 'daily', time: '7:00' } }), /^schedule\.time: /],
		[opening({ schedule: { kind: 'daily', time: '07:60' } }), /^schedule\.time: /],
		[opening({ schedule: { kind: 'weekly', time: '07:00' } }), /^schedule\.weekdays: /],
		[opening({ schedule: { kind: 'weekly', weekdays: [], time: '07:00' } }), /^schedule\.weekdays: /],
		[opening({ schedule: { kind: 'weekly', weekdays: [1, 1], time: '07:00' } }), /^schedule\.weekdays\[1\]: /],
		[opening({ schedule: { kind: 'weekly', weekdays: [0], time: '07:00' } }), /^schedule\.weekdays\[0\]: /],
		[opening({ schedule: { kind: 'weekly', weekdays: [8], time: '07:00' } }), /^schedule\.weekdays\[0\]: /],
		[opening({ schedule: { kind: 'daily', weekdays: [1], time: '07:00' } }), /^schedule\.weekdays: only for a weekly/],
		[opening({ dueAfterMinutes: 1441 }), /^dueAfterMinutes: must be between 0 and 1440/],
		[opening({ dueAfterMinutes: -1 }), /^dueAfterMinutes: /],
		[opening({ dueAfterMinutes: 1.5 }), /^dueAfterMinutes: expected an integer/],
		[opening({ active: 'yes' }), /^active: /],
	];
	for (const [body, re] of cases) {
		const res = await f.api('POST', BASE, body);
		assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 120)}: ${res.text}`);
		assert.match(res.json.error.message, re, JSON.stringify(body).slice(0, 120));
		assert.match(res.json.error.requestId, /.+/);
	}
	const n = await sql('SELECT COUNT(*) FROM checklist_templates t JOIN ' +
	    `organizations o ON o.id = t.org_id WHERE o.slug = ${q(f.slug)}`);
	assert.deepEqual(n, [['0']]);
	// the edges are accepted
	const edge = await create(f, opening({ title: long(200),
	    items: Array.from({ length: 100 }, () => ({ text: long(500) })),
	    schedule: { kind: 'weekly', weekdays: [7, 6, 5, 4, 3, 2, 1], time: '23:59' },
	    dueAfterMinutes: 1440 }));
	assert.equal(edge.items.length, 100);
	assert.deepEqual(edge.schedule.weekdays, [1, 2, 3, 4, 5, 6, 7]);
});

test('list: cursor paging in creation order, ?active=, deleted ones left out', async () => {
	const f = await fixture();
	const a = await create(f, opening({ title: 'A' }));
	const b = await create(f, opening({ title: 'B', active: false }));
	const c = await create(f, opening({ title: 'C' }));
	const d = await create(f, opening({ title: 'D' }));
	assert.equal((await f.api('DELETE', `${BASE}/${d.id}`)).status, 204);

	const p1 = await f.api('GET', `${BASE}?limit=2`);
	assert.equal(p1.status, 200);
	assert.deepEqual(p1.json.data.map((t) => t.title), ['A', 'B']);
	assert.deepEqual(p1.json.data[0], a);
	assert.equal(p1.json.data[1].items.length, 3);
	assert.ok(p1.json.nextCursor);
	const p2 = await f.api('GET',
	    `${BASE}?limit=2&cursor=${encodeURIComponent(p1.json.nextCursor)}`);
	assert.deepEqual(p2.json.data.map((t) => t.title), ['C']);
	assert.deepEqual(p2.json.data[0], c);
	assert.equal(p2.json.nextCursor, null);

	const act = await f.api('GET', `${BASE}?active=true`);
	assert.deepEqual(act.json.data.map((t) => t.id), [a.id, c.id]);
	const inact = await f.api('GET', `${BASE}?active=false`);
	assert.deepEqual(inact.json.data.map((t) => t.id), [b.id]);
	assert.equal((await f.api('GET', `${BASE}?active=maybe`)).status, 400);
});

test('PATCH: partial; items replace the list; open instances still ahead are dropped', async () => {
	const f = await fixture();
	const t = await create(f);
	const now = Date.now();
	const past = await instanceAt(t, now - 2 * HOUR);
	const ahead = await instanceAt(t, now + 2 * HOUR);
	const doneAhead = await instanceAt(t, now + 3 * HOUR, { status: 'completed' });

	// title only: items (and their ids) and the schedule stay
	await new Promise((r) => setTimeout(r, 5));
	const r1 = await f.api('PATCH', `${BASE}/${t.id}`, { title: 'Opening' });
	assert.equal(r1.status, 200, r1.text);
	assert.equal(r1.json.data.title, 'Opening');
	assert.deepEqual(r1.json.data.items, t.items);
	assert.deepEqual(r1.json.data.schedule, t.schedule);
	assert.equal(r1.json.data.createdAt, t.createdAt);
	assert.ok(r1.json.data.updatedAt > t.updatedAt);
	const left = (await sql('SELECT i.public_id FROM checklist_instances ' +
	    'i JOIN checklist_templates t ON t.id = i.template_id WHERE ' +
	    `t.public_id = ${q(t.id)} ORDER BY i.due_at`)).map((r) => r[0]);
	assert.deepEqual(left, [past, doneAhead],
	    'the open instance ahead survived a change');
	assert.deepEqual(await sql('SELECT COUNT(*) FROM ' +
	    'checklist_instance_items ii LEFT JOIN checklist_instances i ON ' +
	    'i.id = ii.instance_id WHERE i.id IS NULL'), [['0']]);
	void ahead;

	// items replace the list, in the order sent, with new ids
	const r2 = await f.api('PATCH', `${BASE}/${t.id}`, {
		items: [{ text: 'Count the till', required: false },
		    { text: 'Unlock the door' }],
		schedule: { kind: 'weekly', weekdays: [6, 7], time: '09:15' },
		dueAfterMinutes: 30, active: false,
	});
	assert.equal(r2.status, 200, r2.text);
	const d = r2.json.data;
	assert.equal(d.title, 'Opening');
	assert.deepEqual(d.items.map(({ text, required }) => ({ text, required })),
	    [{ text: 'Count the till', required: false },
	     { text: 'Unlock the door', required: true }]);
	for (const it of d.items)
		assert.ok(!t.items.some((o) => o.id === it.id));
	assert.deepEqual(d.schedule, { kind: 'weekly', weekdays: [6, 7], time: '09:15' });
	assert.equal(d.dueAfterMinutes, 30);
	assert.equal(d.active, false);
	assert.deepEqual(await sql('SELECT COUNT(*) FROM checklist_template_items ' +
	    `ti JOIN checklist_templates t ON t.id = ti.template_id WHERE ` +
	    `t.public_id = ${q(t.id)}`), [['2']]);
	// the instance already made keeps the items it was made with
	assert.equal((await instance(f, past)).items.length, 3);

	// back to daily drops the weekdays
	const r3 = await f.api('PATCH', `${BASE}/${t.id}`,
	    { schedule: { kind: 'daily', time: '06:00' } });
	assert.deepEqual(r3.json.data.schedule, { kind: 'daily', time: '06:00' });

	for (const [body, re] of [
		[{ title: '' }, /^title: /],
		[{ items: [] }, /^items: /],
		[{ schedule: { kind: 'weekly', time: '06:00' } }, /^schedule\.weekdays: /],
		[{ dueAfterMinutes: 2000 }, /^dueAfterMinutes: /],
		[[], /^body: /],
	]) {
		const res = await f.api('PATCH', `${BASE}/${t.id}`, body);
		assert.equal(res.status, 400, JSON.stringify(body));
		assert.match(res.json.error.message, re);
	}
	assert.deepEqual((await f.api('GET', `${BASE}/${t.id}`)).json.data,
	    r3.json.data, 'a refused PATCH changed the template');
	const none = await f.api('PATCH', `${BASE}/${randomUUID()}`, { title: 'x' });
	assert.equal(none.status, 404);
});

test('DELETE: soft, 204; then 404; past instances stay listed', async () => {
	const f = await fixture();
	const t = await create(f);
	const past = await instanceAt(t, Date.now() - HOUR, { status: 'missed' });
	const ahead = await instanceAt(t, Date.now() + HOUR);

	const del = await f.api('DELETE', `${BASE}/${t.id}`);
	assert.equal(del.status, 204);
	assert.equal(del.text, '');
	assert.equal((await f.api('GET', `${BASE}/${t.id}`)).status, 404);
	assert.equal((await f.api('DELETE', `${BASE}/${t.id}`)).status, 404);
	assert.equal((await f.api('PATCH', `${BASE}/${t.id}`, { title: 'x' })).status, 404);
	const [[deleted, active]] = await sql('SELECT deleted_at IS NOT NULL, ' +
	    `active FROM checklist_templates WHERE public_id = ${q(t.id)}`);
	assert.deepEqual([deleted, active], ['1', '0']);
	const list = await f.api('GET', '/checklists/instances');
	assert.deepEqual(list.json.data.map((i) => i.id), [past]);
	void ahead;
});

test('instances: filters by status and due date, oldest due first, cursor', async () => {
	const f = await fixture();
	const t = await create(f);
	const base = Date.UTC(2026, 2, 10, 7, 0, 0);
	const ids = [];
	for (let d = 0; d < 5; d++)
		ids.push(await instanceAt(t, base + d * 24 * HOUR,
		    { status: d === 1 ? 'missed' : d === 3 ? 'completed' : 'open',
		      graceMs: 15 * 60e3 }));

	const all = await f.api('GET', '/checklists/instances');
	assert.equal(all.status, 200);
	assert.deepEqual(all.json.data.map((i) => i.id), ids);
	const first = all.json.data[0];
	assert.deepEqual(Object.keys(first).sort(), ['completedAt',
	    'completedBy', 'dueDate', 'id', 'items', 'late', 'status',
	    'templateId', 'templateTitle']);
	assert.equal(first.templateId, t.id);
	assert.equal(first.templateTitle, 'Daily opening checks');
	assert.equal(first.status, 'open');
	assert.equal(first.dueDate, '2026-03-10T07:00:00.000Z');
	assert.equal(first.completedAt, null);
	assert.equal(first.completedBy, null);
	assert.equal(first.late, false);
	assert.deepEqual(first.items.map(({ text, required, done }) =>
	    ({ text, required, done })),
	    [{ text: 'Unlock the door', required: true, done: false },
	     { text: 'Coffee machine on', required: true, done: false },
	     { text: 'Music on', required: false, done: false }]);
	for (const it of first.items)
		assert.match(it.id, UUID);

	const st = async (s) => (await f.api('GET',
	    `/checklists/instances?status=${s}`)).json.data.map((i) => i.id);
	assert.deepEqual(await st('open'), [ids[0], ids[2], ids[4]]);
	assert.deepEqual(await st('missed'), [ids[1]]);
	assert.deepEqual(await st('completed'), [ids[3]]);
	assert.equal((await f.api('GET', '/checklists/instances?status=done')).status, 400);

	// from inclusive, to exclusive
	const win = await f.api('GET', '/checklists/instances?from=' +
	    '2026-03-11T07:00:00Z&to=2026-03-13T07:00:00Z');
	assert.deepEqual(win.json.data.map((i) => i.id), [ids[1], ids[2]]);
	const bad = await f.api('GET', '/checklists/instances?from=yesterday');
	assert.equal(bad.status, 400);
	assert.match(bad.json.error.message, /^from: /);

	// cursor, two at a time, in due order even though an earlier due
	// instance is made last
	const early = await instanceAt(t, base - 24 * HOUR);
	const seen = [];
	let cursor = null;
	let pages = 0;
	do {
		const res = await f.api('GET', '/checklists/instances?limit=2' +
		    (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''));
		assert.equal(res.status, 200);
		assert.ok(res.json.data.length <= 2);
		seen.push(...res.json.data.map((i) => i.id));
		cursor = res.json.nextCursor;
		pages++;
	} while (cursor);
	assert.deepEqual(seen, [early, ...ids]);
	assert.equal(pages, 3);
});

test('complete: all or nothing, 422 naming the missing items, 409, 404, 400', async () => {
	const f = await fixture();
	const t = await create(f, opening({ dueAfterMinutes: 60 }));
	const id = await instanceAt(t, Date.now() + HOUR, { graceMs: HOUR });
	const inst = await instance(f, id);
	const [door, coffee, music] = inst.items.map((i) => i.id);
	const path = `/checklists/instances/${id}/complete`;

	// a required item not done: 422 naming it, and the ticks given are
	// not written either
	const r422 = await f.api('POST', path, { items: [
		{ id: door, done: true }, { id: music, done: true },
		{ id: coffee, done: false }] });
	assert.equal(r422.status, 422, r422.text);
	assert.equal(r422.json.error.code, 'required_items_missing');
	assert.match(r422.json.error.message, /Coffee machine on/);
	assert.ok(r422.json.error.message.includes(coffee));
	assert.ok(!r422.json.error.message.includes('Unlock the door'));
	assert.deepEqual(await doneFlags(id), ['0', '0', '0']);
	const none = await f.api('POST', path, { items: [] });
	assert.equal(none.status, 422);
	assert.match(none.json.error.message, /Unlock the door.*Coffee machine on/);
	assert.equal((await instance(f, id)).status, 'open');

	// an item of another instance, malformed bodies
	const other = await instanceAt(t, Date.now() + 5 * HOUR);
	const otherItem = (await instance(f, other)).items[0].id;
	const foreign = await f.api('POST', path, { items: [
		{ id: door, done: true }, { id: coffee, done: true },
		{ id: otherItem, done: true }] });
	assert.equal(foreign.status, 400);
	assert.ok(foreign.json.error.message.includes(otherItem));
	for (const [body, re] of [
		[{}, /^items: /],
		[{ items: [{ id: door }] }, /^items\[0\]\.done: /],
		[{ items: [{ done: true }] }, /^items\[0\]\.id: /],
		[{ items: [{ id: door, done: true }], note: 'x'.repeat(1001) }, /^note: /],
	]) {
		const res = await f.api('POST', path, body);
		assert.equal(res.status, 400, JSON.stringify(body));
		assert.match(res.json.error.message, re);
	}
	assert.deepEqual(await doneFlags(id), ['0', '0', '0']);

	// the required ones done (the optional one left): completed, on time,
	// before its due time
	const t0 = Date.now();
	const ok = await f.api('POST', path, { items: [
		{ id: door, done: true }, { id: coffee, done: true },
		{ id: music, done: false }], note: 'all fine' });
	assert.equal(ok.status, 200, ok.text);
	const d = ok.json.data;
	assert.equal(d.id, id);
	assert.equal(d.status, 'completed');
	assert.equal(d.late, false);
	assert.equal(d.completedBy, await keyActor(f));
	assert.match(d.completedAt, ISO);
	assert.ok(Math.abs(Date.parse(d.completedAt) - t0) < 60e3);
	assert.deepEqual(d.items.map((i) => i.done), [true, true, false]);
	assert.deepEqual(await doneFlags(id), ['1', '1', '0']);
	assert.deepEqual(await sql('SELECT note FROM checklist_instances WHERE ' +
	    `public_id = ${q(id)}`), [['all fine']]);
	assert.deepEqual(await instance(f, id), d);

	const again = await f.api('POST', path, { items: [
		{ id: door, done: true }, { id: coffee, done: true }] });
	assert.equal(again.status, 409);
	assert.equal(again.json.error.code, 'already_completed');
	const count = await sql('SELECT COUNT(*) FROM events e JOIN organizations ' +
	    `o ON o.id = e.org_id WHERE o.slug = ${q(f.slug)} AND ` +
	    'e.type = \'checklist.completed\'');
	assert.deepEqual(count, [['1']], 'one checklist.completed, none for the refusals');

	const gone = await f.api('POST', `/checklists/instances/${randomUUID()}/complete`,
	    { items: [] });
	assert.equal(gone.status, 404);
});

test('complete: a missed instance, or one past its grace, is completed late', async () => {
	const f = await fixture();
	const t = await create(f, opening({ items: [{ text: 'Lights off' }] }));
	const missed = await instanceAt(t, Date.now() - 3 * HOUR,
	    { status: 'missed', graceMs: HOUR });
	const overdue = await instanceAt(t, Date.now() - 2 * HOUR, { graceMs: HOUR });
	const inGrace = await instanceAt(t, Date.now() - HOUR, { graceMs: 2 * HOUR });

	for (const [id, late] of [[missed, true], [overdue, true], [inGrace, false]]) {
		const it = (await instance(f, id)).items[0].id;
		const res = await f.api('POST', `/checklists/instances/${id}/complete`,
		    { items: [{ id: it, done: true }] });
		assert.equal(res.status, 200, res.text);
		assert.equal(res.json.data.status, 'completed');
		assert.equal(res.json.data.late, late, `late for ${id}`);
	}
});

test('checklist.completed reaches a subscribed receiver with its payload', async () => {
	const f = await fixture();
	const rcv = await new Receiver().start();
	receivers.push(rcv);
	await f.subscribe(rcv.url('/hooks/cl'), ['checklist.completed']);
	const t = await create(f, opening({ dueAfterMinutes: 15 }));
	const id = await instanceAt(t, Date.UTC(2026, 2, 30, 9, 0, 0),
	    { status: 'missed', graceMs: 15 * 60e3 });
	const items = (await instance(f, id)).items
	    .map((i) => ({ id: i.id, done: true }));

	const res = await f.api('POST', `/checklists/instances/${id}/complete`,
	    { items });
	assert.equal(res.status, 200, res.text);
	const [req] = await rcv.waitForCount(1, 15000);
	assert.equal(req.headers['x-mihwar-event'], 'checklist.completed');
	const body = JSON.parse(req.body.toString('utf8'));
	assert.equal(body.event, 'checklist.completed');
	assert.deepEqual(body.payload, {
		checklistInstanceId: id,
		templateId: t.id,
		templateTitle: 'Daily opening checks',
		dueDate: '2026-03-30T09:00:00.000Z',
		completedAt: res.json.data.completedAt,
		completedBy: await keyActor(f),
		late: true,
	});
	await new Promise((r) => setTimeout(r, 500));
	assert.equal(rcv.requests.length, 1);
});

test('tenant isolation: another organization sees and changes none of it', async () => {
	const a = await fixture();
	const b = await fixture();
	const t = await create(a);
	const id = await instanceAt(t, Date.now() + HOUR);
	const items = (await instance(a, id)).items
	    .map((i) => ({ id: i.id, done: true }));

	assert.equal((await b.api('GET', `${BASE}/${t.id}`)).status, 404);
	assert.equal((await b.api('PATCH', `${BASE}/${t.id}`, { title: 'x' })).status, 404);
	assert.equal((await b.api('DELETE', `${BASE}/${t.id}`)).status, 404);
	assert.deepEqual((await b.api('GET', BASE)).json.data, []);
	assert.deepEqual((await b.api('GET', '/checklists/instances')).json.data, []);
	const c = await b.api('POST', `/checklists/instances/${id}/complete`, { items });
	assert.equal(c.status, 404);

	const still = (await a.api('GET', `${BASE}/${t.id}`)).json.data;
	assert.deepEqual(still, t);
	const inst = await instance(a, id);
	assert.equal(inst.status, 'open');
	assert.deepEqual(inst.items.map((i) => i.done), [false, false, false]);
	// b's own template does not show in a's list
	await create(b, opening({ title: 'B only' }));
	assert.deepEqual((await a.api('GET', BASE)).json.data.map((x) => x.id), [t.id]);
});

test('no key: 401', async () => {
	const res = await fetch(`${process.env.MIHWAR_BASE_URL}/api/integrations/v1${BASE}`);
	assert.equal(res.status, 401);
});
