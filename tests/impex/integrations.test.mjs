// integrations.test.mjs - the integrations API over real HTTP (issue 13,
// integrations-and-import-export.md): create / list / get / change /
// delete with every validation rule, credentials sealed and never
// answered or logged (a sealed one copied to another row does not open),
// connection tests against local receivers (the webhook's integration.test
// checked with the standardwebhooks package, the api type's headers), the
// log, and two organizations kept apart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { ctl, sql, q, env, rand } from '../webhooks/stack.mjs';
import { Receiver } from '../webhooks/receiver.mjs';

const BASE = '/api/v1/integrations';
let A, B, rx;
// Every credential a test sets: none may come back or reach a log.
const secrets = [];

async function call(key, method, path, body, headers = {}) {
	const h = { ...headers };
	let payload;

	if (key)
		h.authorization = `Bearer ${key}`;
	if (body !== undefined) {
		payload = typeof body === 'string' ? body : JSON.stringify(body);
		h['content-type'] = 'application/json';
	}
	const res = await fetch(env.base + path, { method, headers: h,
	    body: payload });
	const text = await res.text();
	let json = null;

	try {
		json = JSON.parse(text);
	} catch {
		/* 204 */
	}
	for (const s of secrets)
		assert.ok(!text.includes(s), `${method} ${path} answered a ` +
		    'credential');
	return { status: res.status, text, json };
}

async function org(tag) {
	const slug = `${tag}-${rand(4)}`;

	await ctl(['org', 'create', '--slug', slug, '--name', `Integ ${slug}`]);
	const key = (await ctl(['key', 'create', '--org', slug, '--kind',
	    'integration'])).key;
	const [[id]] = await sql(`SELECT id FROM organizations WHERE slug = ${q(slug)}`);
	return { slug, key, id, api: (m, p, b, h) => call(key, m, p, b, h) };
}

function secret(tag) {
	const s = `${tag}-${rand(12)}`;

	secrets.push(s);
	return s;
}

async function count(orgId) {
	const [[n]] = await sql(`SELECT COUNT(*) FROM integrations WHERE org_id = ${orgId}`);
	return Number(n);
}

async function create(o, body) {
	const r = await o.api('POST', BASE, body);
	assert.equal(r.status, 201, r.text);
	return r.json;
}

before(async () => {
	A = await org('inta');
	B = await org('intb');
	rx = await new Receiver().start();
});

after(async () => {
	await rx?.close();
});

test('create a webhook integration: 201 with every field, the signing secret once', async () => {
	const url = rx.url('/discord/123/tok-' + rand(4));
	const r = await A.api('POST', BASE, { name: 'Discord alerts',
	    type: 'webhook', webhook_url: url,
	    config_data: { channel: '#inv', notify_on: ['low_stock'] } });

	assert.equal(r.status, 201, r.text);
	const o = r.json;
	assert.match(o.id, /^[0-9a-f-]{36}$/);
	assert.deepEqual(Object.keys(o).sort(), ['config_data', 'created_at',
	    'has_api_key', 'has_api_secret', 'id', 'incoming_url',
	    'last_error', 'last_tested_at', 'name', 'signing_secret', 'status',
	    'type', 'updated_at', 'webhook_url']);
	assert.equal(o.name, 'Discord alerts');
	assert.equal(o.type, 'webhook');
	assert.equal(o.status, 'active');
	assert.equal(o.webhook_url, url);
	assert.equal(o.has_api_key, false);
	assert.equal(o.has_api_secret, false);
	assert.deepEqual(o.config_data, { channel: '#inv',
	    notify_on: ['low_stock'] });
	assert.equal(o.last_tested_at, null);
	assert.equal(o.last_error, null);
	assert.equal(o.incoming_url, `${env.base}/api/v1/webhooks/receive/${o.id}`);
	assert.match(o.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
	// whsec_ + standard base64 of 32 bytes
	assert.match(o.signing_secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
	assert.equal(Buffer.from(o.signing_secret.slice(6), 'base64').length, 32);
	const [[enc]] = await sql(`SELECT HEX(signing_secret_enc) FROM integrations WHERE public_id = ${q(o.id)}`);
	assert.ok(!Buffer.from(enc, 'hex').toString('latin1')
	    .includes(o.signing_secret), 'signing secret stored in clear');

	// shown once: the GET has the URL whole and no secret
	const g = await A.api('GET', `${BASE}/${o.id}`);
	assert.equal(g.status, 200);
	assert.equal(g.json.webhook_url, url);
	assert.equal(g.json.signing_secret, undefined);
	assert.ok(!g.text.includes(o.signing_secret));
	const { signing_secret: _, ...rest } = o;
	assert.deepEqual(g.json, rest);
});

test('lists mask the webhook URL after the host; the single GET shows it whole', async () => {
	const c = await create(A, { name: 'Slack', type: 'webhook',
	    webhook_url: 'https://hooks.slack.com/services/T0/B0/' + rand(6) });
	const l = await A.api('GET', `${BASE}?limit=100`);

	assert.equal(l.status, 200);
	const row = l.json.data.find((x) => x.id === c.id);
	assert.equal(row.webhook_url, 'https://hooks.slack.com/…');
	assert.equal(row.signing_secret, undefined);
	assert.ok(!l.text.includes(c.webhook_url));
	assert.equal((await A.api('GET', `${BASE}/${c.id}`)).json.webhook_url,
	    c.webhook_url);
});

test('create an api integration: credentials sealed, never answered', async () => {
	const key = secret('key'), sec = secret('sec');
	const r = await A.api('POST', BASE, { name: 'Item API', type: 'api',
	    api_key: key, api_secret: sec,
	    config_data: { base_url: rx.url('/api') } });

	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.has_api_key, true);
	assert.equal(r.json.has_api_secret, true);
	assert.equal(r.json.webhook_url, null);
	assert.equal(r.json.api_key, undefined);
	const [[k, s]] = await sql(`SELECT HEX(api_key_enc), HEX(api_secret_enc) FROM integrations WHERE public_id = ${q(r.json.id)}`);
	const kb = Buffer.from(k, 'hex'), sb = Buffer.from(s, 'hex');
	assert.equal(kb[0], 1, 'version byte');
	assert.equal(kb.length, key.length + 41);
	assert.ok(!kb.toString('latin1').includes(key));
	assert.ok(!sb.toString('latin1').includes(sec));
});

test('validation: 422 naming the field, 400 for unreadable JSON, nothing written', async () => {
	const ok = { name: 'ok', type: 'webhook', webhook_url: rx.url() };
	const cases = [
		[{ ...ok, name: undefined }, /^name: is required/],
		[{ ...ok, name: '' }, /^name: /],
		[{ ...ok, name: 'x'.repeat(256) }, /^name: /],
		[{ ...ok, name: 42 }, /^name: expected a string/],
		[{ ...ok, type: undefined }, /^type: /],
		[{ ...ok, type: 'ftp' }, /^type: /],
		[{ ...ok, webhook_url: undefined }, /^webhook_url: is required/],
		[{ ...ok, webhook_url: 'ftp://example.com/x' }, /^webhook_url: expected an http or https URL/],
		[{ ...ok, webhook_url: 'not a url' }, /^webhook_url: not a valid URL/],
		[{ ...ok, config_data: [] }, /^config_data: expected a JSON object/],
		[{ ...ok, config_data: 'x' }, /^config_data: expected a JSON object/],
		[{ ...ok, status: 'error' }, /^status: error is set by the system/],
		[{ ...ok, status: 'paused' }, /^status: /],
		[{ ...ok, api_key: 'k'.repeat(4097) }, /^api_key: /],
		[{ ...ok, api_secret: 7 }, /^api_secret: expected a string/],
		[{ ...ok, clear_credentials: 'yes' }, /^clear_credentials: /],
		[{ name: 'api', type: 'api', config_data: { base_url: 'gopher://x' } },
		    /^config_data\.base_url: expected an http or https URL/],
	];
	const before = await count(A.id);

	for (const [body, re] of cases) {
		const r = await A.api('POST', BASE, body);
		assert.equal(r.status, 422, `${JSON.stringify(body).slice(0, 80)}: ${r.text}`);
		assert.match(r.json.detail, re, JSON.stringify(body).slice(0, 80));
		assert.match(r.json.requestId, /^[0-9a-f]{32}$/);
	}
	for (const raw of ['{"name":', 'not json', '']) {
		const r = await A.api('POST', BASE, raw);
		assert.equal(r.status, 400, `${raw}: ${r.text}`);
		assert.ok(r.json.detail);
	}
	assert.equal(await count(A.id), before, 'a refused create wrote a row');
});

test('PATCH and PUT: absent or empty credentials kept, new ones replace, clear_credentials removes both', async () => {
	const key1 = secret('k1'), sec1 = secret('s1'), key2 = secret('k2');
	const c = await create(A, { name: 'Keep', type: 'api', api_key: key1,
	    api_secret: sec1, config_data: { base_url: rx.url('/keep') } });
	const sent = async () => {
		const n = rx.requests.length;
		const t = await A.api('POST', `${BASE}/${c.id}/test`);
		assert.equal(t.status, 200, t.text);
		assert.equal(rx.requests.length, n + 1);
		return rx.requests[n].headers;
	};

	for (const method of ['PATCH', 'PUT']) {
		const r = await A.api(method, `${BASE}/${c.id}`,
		    { name: `Kept by ${method}`, api_key: '' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.name, `Kept by ${method}`);
		assert.equal(r.json.has_api_key, true);
		assert.equal(r.json.has_api_secret, true);
		assert.deepEqual(r.json.config_data, { base_url: rx.url('/keep') });
	}
	let h = await sent();
	assert.equal(h.authorization, `Bearer ${key1}`);
	assert.equal(h['x-api-secret'], sec1);

	const r2 = await A.api('PATCH', `${BASE}/${c.id}`, { api_key: key2 });
	assert.equal(r2.status, 200);
	h = await sent();
	assert.equal(h.authorization, `Bearer ${key2}`);
	assert.equal(h['x-api-secret'], sec1);

	const r3 = await A.api('PUT', `${BASE}/${c.id}`,
	    { clear_credentials: true });
	assert.equal(r3.status, 200);
	assert.equal(r3.json.has_api_key, false);
	assert.equal(r3.json.has_api_secret, false);
	h = await sent();
	assert.equal(h.authorization, undefined);
	assert.equal(h['x-api-secret'], undefined);
	const [[k, s]] = await sql(`SELECT api_key_enc IS NULL, api_secret_enc IS NULL FROM integrations WHERE public_id = ${q(c.id)}`);
	assert.deepEqual([k, s], ['1', '1']);
});

test('PATCH: status active|inactive, error refused, validation leaves the row as it was', async () => {
	const c = await create(A, { name: 'Status', type: 'webhook',
	    webhook_url: rx.url('/st') });
	let r = await A.api('PATCH', `${BASE}/${c.id}`, { status: 'inactive' });

	assert.equal(r.status, 200);
	assert.equal(r.json.status, 'inactive');
	const [[before]] = await sql(`SELECT CONCAT_WS('|', name, status, webhook_url, config_data, updated_at) FROM integrations WHERE public_id = ${q(c.id)}`);
	for (const [body, re] of [
		[{ status: 'error' }, /^status: error is set by the system/],
		[{ name: '' }, /^name: /],
		[{ webhook_url: 'mailto:x@y' }, /^webhook_url: /],
		[{ webhook_url: '' }, /^webhook_url: is required/],
		[{ type: 'api', config_data: { base_url: 3 } }, /^config_data\.base_url: expected a string/],
		[{ config_data: null, name: 'x'.repeat(300) }, /^name: /],
	]) {
		r = await A.api('PATCH', `${BASE}/${c.id}`, body);
		assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
		assert.match(r.json.detail, re);
	}
	r = await A.api('PATCH', `${BASE}/${c.id}`, '{"status":');
	assert.equal(r.status, 400);
	const [[now]] = await sql(`SELECT CONCAT_WS('|', name, status, webhook_url, config_data, updated_at) FROM integrations WHERE public_id = ${q(c.id)}`);
	assert.equal(now, before);
	r = await A.api('PATCH', `${BASE}/${c.id}`, { status: 'active',
	    type: 'api', config_data: { base_url: rx.url('/b') } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.type, 'api');
	assert.equal(r.json.status, 'active');
	assert.equal(r.json.webhook_url, rx.url('/st'));
});

test('list: ?type= and ?status= filters, cursor pages of limit', async () => {
	const C = await org('intc');
	const made = [];

	for (let i = 0; i < 3; i++)
		made.push(await create(C, { name: `w${i}`, type: 'webhook',
		    webhook_url: rx.url(`/w${i}`) }));
	made.push(await create(C, { name: 'a0', type: 'api',
	    config_data: {} }));
	await C.api('PATCH', `${BASE}/${made[1].id}`, { status: 'inactive' });

	const ids = (r) => r.json.data.map((x) => x.id);
	let r = await C.api('GET', BASE);
	assert.deepEqual(ids(r), made.map((x) => x.id));
	assert.equal(r.json.nextCursor, null);
	r = await C.api('GET', `${BASE}?type=api`);
	assert.deepEqual(ids(r), [made[3].id]);
	r = await C.api('GET', `${BASE}?type=webhook&status=active`);
	assert.deepEqual(ids(r), [made[0].id, made[2].id]);
	r = await C.api('GET', `${BASE}?status=inactive`);
	assert.deepEqual(ids(r), [made[1].id]);
	r = await C.api('GET', `${BASE}?status=error`);
	assert.deepEqual(ids(r), []);

	r = await C.api('GET', `${BASE}?limit=3`);
	assert.deepEqual(ids(r), made.slice(0, 3).map((x) => x.id));
	assert.equal(typeof r.json.nextCursor, 'string');
	r = await C.api('GET', `${BASE}?limit=3&cursor=${r.json.nextCursor}`);
	assert.deepEqual(ids(r), [made[3].id]);
	assert.equal(r.json.nextCursor, null);

	for (const bad of ['type=ftp', 'status=broken', 'limit=0', 'cursor=zz'])
		assert.equal((await C.api('GET', `${BASE}?${bad}`)).status, 400,
		    bad);
});

test('another organization: its ids are 404 for every route, its list is its own', async () => {
	const key = secret('iso');
	const c = await create(A, { name: 'Mine', type: 'api', api_key: key,
	    config_data: { base_url: rx.url('/iso') } });
	const n = rx.requests.length;

	for (const [m, p, body] of [
		['GET', `${BASE}/${c.id}`],
		['PATCH', `${BASE}/${c.id}`, { name: 'stolen' }],
		['PUT', `${BASE}/${c.id}`, { name: 'stolen' }],
		['DELETE', `${BASE}/${c.id}`],
		['POST', `${BASE}/${c.id}/test`],
		['GET', `${BASE}/${c.id}/logs`],
	]) {
		const r = await B.api(m, p, body);
		assert.equal(r.status, 404, `${m} ${p}: ${r.text}`);
		assert.ok(!r.text.includes('Mine'));
	}
	assert.equal(rx.requests.length, n, 'B tested A\'s integration');
	const l = await B.api('GET', `${BASE}?limit=100`);
	assert.ok(!l.json.data.some((x) => x.id === c.id));
	const g = await A.api('GET', `${BASE}/${c.id}`);
	assert.equal(g.json.name, 'Mine');
	assert.equal((await A.api('GET', `${BASE}/${c.id}/logs`)).json.data
	    .length, 0);
	// no key at all
	assert.equal((await call(null, 'GET', BASE)).status, 401);
});

test('test a webhook: a signed integration.test event the standardwebhooks package verifies; logged', async () => {
	const c = await create(A, { name: 'Signed', type: 'webhook',
	    webhook_url: rx.url('/signed') });
	const n = rx.requests.length;
	const r = await A.api('POST', `${BASE}/${c.id}/test`);

	assert.equal(r.status, 200, r.text);
	assert.deepEqual(Object.keys(r.json).sort(), ['duration_ms', 'message',
	    'status_code', 'success']);
	assert.equal(r.json.success, true);
	assert.equal(r.json.status_code, 200);
	assert.equal(typeof r.json.duration_ms, 'number');
	assert.equal(rx.requests.length, n + 1);
	const got = rx.requests[n];
	assert.equal(got.method, 'POST');
	assert.equal(got.path, '/signed');
	assert.equal(got.headers['content-type'], 'application/json');
	assert.match(got.headers['webhook-id'], /^msg_/);
	const payload = new Webhook(c.signing_secret).verify(got.body,
	    got.headers);
	assert.equal(payload.type, 'integration.test');
	assert.deepEqual(payload.data, { integration_id: c.id });
	assert.match(payload.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
	// another secret does not verify it
	const other = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
	assert.throws(() => new Webhook(other).verify(got.body, got.headers));

	const g = await A.api('GET', `${BASE}/${c.id}`);
	assert.ok(g.json.last_tested_at);
	assert.equal(g.json.status, 'active');
	const logs = await A.api('GET', `${BASE}/${c.id}/logs`);
	assert.equal(logs.json.data.length, 1);
	const e = logs.json.data[0];
	assert.deepEqual(Object.keys(e).sort(), ['created_at', 'direction',
	    'duration_ms', 'error', 'http_status', 'id', 'kind', 'status']);
	assert.equal(e.direction, 'outgoing');
	assert.equal(e.kind, 'test');
	assert.equal(e.status, 'success');
	assert.equal(e.http_status, 200);
	assert.equal(e.error, null);
	assert.equal(logs.json.nextCursor, null);
});

test('a failing test sets status error and last_error; a success sets it active again', async () => {
	const c = await create(A, { name: 'Flaky', type: 'webhook',
	    webhook_url: rx.url('/flaky') });

	rx.failNext(1, 503);
	let r = await A.api('POST', `${BASE}/${c.id}/test`);
	assert.equal(r.status, 200);
	assert.equal(r.json.success, false);
	assert.equal(r.json.status_code, 503);
	assert.match(r.json.message, /503/);
	let g = await A.api('GET', `${BASE}/${c.id}`);
	assert.equal(g.json.status, 'error');
	assert.match(g.json.last_error, /HTTP 503/);
	// the filter finds it
	assert.ok((await A.api('GET', `${BASE}?status=error&limit=100`)).json
	    .data.some((x) => x.id === c.id));

	r = await A.api('POST', `${BASE}/${c.id}/test`);
	assert.equal(r.json.success, true);
	g = await A.api('GET', `${BASE}/${c.id}`);
	assert.equal(g.json.status, 'active');
	assert.equal(g.json.last_error, null);

	// no answer at all: a closed port
	const down = new Receiver();
	await down.start();
	const url = down.url('/gone');
	await down.close();
	await A.api('PATCH', `${BASE}/${c.id}`, { webhook_url: url });
	r = await A.api('POST', `${BASE}/${c.id}/test`);
	assert.equal(r.json.success, false);
	assert.equal(r.json.status_code, null);
	assert.match(r.json.message, /^no answer/);
	g = await A.api('GET', `${BASE}/${c.id}`);
	assert.equal(g.json.status, 'error');

	// an inactive one stays inactive through a successful test
	await A.api('PATCH', `${BASE}/${c.id}`, { webhook_url: rx.url('/ok'),
	    status: 'inactive' });
	r = await A.api('POST', `${BASE}/${c.id}/test`);
	assert.equal(r.json.success, true);
	assert.equal((await A.api('GET', `${BASE}/${c.id}`)).json.status,
	    'inactive');

	const logs = await A.api('GET', `${BASE}/${c.id}/logs`);
	assert.deepEqual(logs.json.data.map((e) => [e.status, e.http_status]),
	    [['success', 200], ['failed', null], ['success', 200],
	    ['failed', 503]]);
	assert.match(logs.json.data[1].error, /^no answer/);
});

test('test an api integration: GET base_url with Bearer key and X-Api-Secret', async () => {
	const key = secret('apikey'), sec = secret('apisec');
	const c = await create(A, { name: 'API', type: 'api', api_key: key,
	    api_secret: sec, config_data: { base_url: rx.url('/v1/ping?x=1') } });
	const n = rx.requests.length;
	let r = await A.api('POST', `${BASE}/${c.id}/test`);

	assert.equal(r.json.success, true, r.text);
	assert.equal(r.json.status_code, 200);
	const got = rx.requests[n];
	assert.equal(got.method, 'GET');
	assert.equal(got.path, '/v1/ping?x=1');
	assert.equal(got.headers.authorization, `Bearer ${key}`);
	assert.equal(got.headers['x-api-secret'], sec);

	// only a key: no X-Api-Secret
	const key2 = secret('only');
	const c2 = await create(A, { name: 'API2', type: 'api', api_key: key2,
	    config_data: { base_url: rx.url('/v2') } });
	r = await A.api('POST', `${BASE}/${c2.id}/test`);
	assert.equal(r.json.success, true);
	assert.equal(rx.requests.at(-1).headers.authorization, `Bearer ${key2}`);
	assert.equal(rx.requests.at(-1).headers['x-api-secret'], undefined);

	// no base_url: nothing sent, a failure that says why
	const c3 = await create(A, { name: 'API3', type: 'api' });
	const m = rx.requests.length;
	r = await A.api('POST', `${BASE}/${c3.id}/test`);
	assert.equal(r.json.success, false);
	assert.match(r.json.message, /config_data\.base_url/);
	assert.equal(rx.requests.length, m);
});

test('a sealed credential copied to another row does not open: the test says so and sends nothing', async () => {
	const key = secret('moved');
	const src = await create(A, { name: 'Source', type: 'api', api_key: key,
	    config_data: { base_url: rx.url('/src') } });
	const dst = await create(A, { name: 'Target', type: 'api',
	    config_data: { base_url: rx.url('/dst') } });

	await sql(`UPDATE integrations t JOIN integrations s ON s.public_id = ${q(src.id)} SET t.api_key_enc = s.api_key_enc WHERE t.public_id = ${q(dst.id)}`);
	assert.equal((await A.api('GET', `${BASE}/${dst.id}`)).json.has_api_key,
	    true);
	const n = rx.requests.length;
	const r = await A.api('POST', `${BASE}/${dst.id}/test`);
	assert.equal(r.status, 200);
	assert.equal(r.json.success, false);
	assert.match(r.json.message, /credentials cannot be opened/);
	assert.equal(r.json.status_code, null);
	assert.equal(rx.requests.length, n, 'the moved credential was sent');
	const g = await A.api('GET', `${BASE}/${dst.id}`);
	assert.equal(g.json.status, 'error');
	// the source still opens in its own row
	const ok = await A.api('POST', `${BASE}/${src.id}/test`);
	assert.equal(ok.json.success, true);
	assert.equal(rx.requests.at(-1).headers.authorization, `Bearer ${key}`);
	// into another organization's row: same
	const other = await create(B, { name: 'B target', type: 'api',
	    config_data: { base_url: rx.url('/b') } });
	await sql(`UPDATE integrations t JOIN integrations s ON s.public_id = ${q(src.id)} SET t.api_key_enc = s.api_key_enc WHERE t.public_id = ${q(other.id)}`);
	const rb = await B.api('POST', `${BASE}/${other.id}/test`);
	assert.equal(rb.json.success, false);
	assert.match(rb.json.message, /credentials cannot be opened/);
	assert.equal(rx.requests.length, n + 1);
});

test('logs: newest first, cursor pages', async () => {
	const c = await create(A, { name: 'Logs', type: 'webhook',
	    webhook_url: rx.url('/logs') });

	rx.failNext(1, 500);
	for (let i = 0; i < 3; i++)
		await A.api('POST', `${BASE}/${c.id}/test`);
	const all = (await A.api('GET', `${BASE}/${c.id}/logs`)).json.data;
	assert.deepEqual(all.map((e) => e.http_status), [200, 200, 500]);
	const p1 = await A.api('GET', `${BASE}/${c.id}/logs?limit=2`);
	assert.deepEqual(p1.json.data.map((e) => e.id), all.slice(0, 2)
	    .map((e) => e.id));
	assert.equal(typeof p1.json.nextCursor, 'string');
	const p2 = await A.api('GET',
	    `${BASE}/${c.id}/logs?limit=2&cursor=${p1.json.nextCursor}`);
	assert.deepEqual(p2.json.data.map((e) => e.id), [all[2].id]);
	assert.equal(p2.json.nextCursor, null);
	assert.ok(all[0].created_at >= all[2].created_at);
});

test('DELETE: 204, then 404; its logs go with it', async () => {
	const c = await create(A, { name: 'Gone', type: 'webhook',
	    webhook_url: rx.url('/gone') });

	await A.api('POST', `${BASE}/${c.id}/test`);
	const [[rowid]] = await sql(`SELECT id FROM integrations WHERE public_id = ${q(c.id)}`);
	const [[n1]] = await sql(`SELECT COUNT(*) FROM integration_logs WHERE integration_id = ${rowid}`);
	assert.equal(n1, '1');
	const d = await A.api('DELETE', `${BASE}/${c.id}`);
	assert.equal(d.status, 204);
	assert.equal(d.text, '');
	assert.equal((await A.api('GET', `${BASE}/${c.id}`)).status, 404);
	assert.equal((await A.api('DELETE', `${BASE}/${c.id}`)).status, 404);
	assert.equal((await A.api('PATCH', `${BASE}/${c.id}`, { name: 'x' }))
	    .status, 404);
	const [[n2]] = await sql(`SELECT COUNT(*) FROM integration_logs WHERE integration_id = ${rowid}`);
	assert.equal(n2, '0');
});

test('no credential set by these tests is in any log file', async () => {
	assert.ok(secrets.length >= 8);
	const dir = join(env.varDir, 'log');
	let files = 0;

	for (const name of readdirSync(dir)) {
		const p = join(dir, name);
		if (!statSync(p).isFile())
			continue;
		files++;
		const text = readFileSync(p, 'latin1');
		for (const s of secrets)
			assert.ok(!text.includes(s), `${name} holds a credential`);
	}
	assert.ok(files > 0, `no log files in ${dir}`);
});
