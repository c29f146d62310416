// receive.test.mjs - POST /api/v1/webhooks/receive/{id} over real HTTP,
// signed by the libraries senders use: `standardwebhooks` (webhook-id,
// webhook-timestamp, webhook-signature under the integration's whsec_
// secret) and @octokit/webhooks-methods (X-Hub-Signature-256, keyed with
// the whole secret string). Accepted → 202 with the log line (headers
// without Cookie/Authorization, the body's exact bytes) and an
// integration.webhook_received event; wrong secret, tampered body, old
// or future timestamp, missing headers → 401 logged as rejected; a
// replayed webhook-id → 409 (logged, no second event); unknown, deleted
// and malformed ids → 404 with nothing logged; inactive → 409; over
// 1 MiB → 413 (1 MiB itself is taken).
import { test, before } from 'node:test';
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { sign as githubSign } from '@octokit/webhooks-methods';
import { fixture, http, logLines, allLogCount, sql, q, rand, env } from
    './hookslib.mjs';

let f, integ, wh;

before(async () => {
	f = await fixture('rcv');
	// notify_on []: these integrations only receive, so that the events
	// of their receipts do not go out to each other.
	integ = await f.webhook('Incoming', 'https://example.com/out',
	    { notify_on: [] });
	wh = new Webhook(integ.signing_secret);
});

const path = (id) => `/api/v1/webhooks/receive/${id}`;

// Standard Webhooks headers for body, signed with secret at time at.
function stdHeaders(body, { secret, id = `msg_${rand(8)}`,
    at = new Date() } = {}) {
	const w = secret ? new Webhook(secret) : wh;

	return {
		'webhook-id': id,
		'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
		'webhook-signature': w.sign(id, at, body),
	};
}

function post(id, body, headers) {
	return http('POST', path(id), { body, headers: {
	    'content-type': 'application/json', ...headers } });
}

async function eventsOf(logId) {
	return (await sql('SELECT type, payload FROM events WHERE payload ' +
	    `LIKE CONCAT('%', ${q(logId)}, '%')`)).map(([type, payload]) =>
	    ({ type, payload: JSON.parse(payload) }));
}

test('a Standard Webhooks request is accepted, logged and told as an event',
    async () => {
	const body = JSON.stringify({ type: 'invoice.paid', n: rand(4) });
	const h = stdHeaders(body);
	// The library itself agrees these headers are right.
	assert.deepEqual(wh.verify(body, h), JSON.parse(body));
	const res = await post(integ.id, body, { ...h,
	    cookie: 'session=s3cr3t-cookie',
	    authorization: 'Bearer rn_live_not_a_key' });

	assert.equal(res.status, 202, res.text);
	assert.equal(res.json.received, true);
	assert.match(res.json.log_id, /^[0-9a-f-]{36}$/);
	assert.deepEqual(Object.keys(res.json).sort(), ['log_id', 'received']);

	const line = (await logLines(integ.id)).find((l) => l.id ===
	    res.json.log_id);
	assert.ok(line, 'the log line of log_id');
	assert.equal(line.direction, 'incoming');
	assert.equal(line.kind, 'received');
	assert.equal(line.status, 'accepted');
	assert.equal(line.http_status, 202);
	assert.equal(line.error, null);
	assert.equal(line.body.toString('utf8'), body);
	assert.equal(line.headers['webhook-id'], h['webhook-id']);
	assert.equal(line.headers['webhook-signature'], h['webhook-signature']);
	assert.equal(line.headers['content-type'], 'application/json');
	assert.equal(line.headers.cookie, undefined);
	assert.equal(line.headers.authorization, undefined);
	assert.ok(!JSON.stringify(line.headers).includes('s3cr3t-cookie'));
	assert.ok(!JSON.stringify(line.headers).includes('rn_live_not'));

	const ev = await eventsOf(res.json.log_id);
	assert.equal(ev.length, 1);
	assert.equal(ev[0].type, 'integration.webhook_received');
	assert.deepEqual(ev[0].payload, { integrationId: integ.id,
	    logId: res.json.log_id, webhookId: h['webhook-id'],
	    bodyBytes: Buffer.byteLength(body) });
});

test('a GitHub X-Hub-Signature-256 request is accepted', async () => {
	const body = JSON.stringify({ zen: 'Keep it logically awesome.',
	    hook_id: 42 });
	const sig = await githubSign(integ.signing_secret, body);
	const res = await post(integ.id, body, {
	    'x-hub-signature-256': sig,
	    'x-github-delivery': randomUUID(), 'x-github-event': 'ping' });

	assert.equal(res.status, 202, res.text);
	const line = (await logLines(integ.id)).find((l) => l.id ===
	    res.json.log_id);
	assert.equal(line.status, 'accepted');
	assert.equal(line.headers['x-hub-signature-256'], sig);
	assert.equal(line.body.toString('utf8'), body);
	const ev = await eventsOf(res.json.log_id);
	assert.equal(ev.length, 1);
	assert.equal(ev[0].payload.webhookId, line.headers['x-github-delivery']);
});

// A refusal: status, the detail naming the header, one rejected line.
async function refused(res, status, detail) {
	assert.equal(res.status, status, res.text);
	assert.match(res.json.detail, detail);
	assert.match(res.json.requestId, /\S/);
	const lines = (await logLines(integ.id)).filter((l) =>
	    l.direction === 'incoming');
	const last = lines[lines.length - 1];
	assert.equal(last.direction, 'incoming');
	assert.equal(last.kind, 'received');
	assert.equal(last.status, 'rejected');
	assert.equal(last.http_status, status);
	assert.equal(last.error, res.json.detail);
	assert.equal(last.body, null, 'a refused body is not kept');
	return last;
}

test('wrong secret, tampered body, GitHub under another key: 401',
    async () => {
	const body = '{"a":1}';
	const other = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
	await refused(await post(integ.id, body,
	    stdHeaders(body, { secret: other })), 401,
	    /webhook-signature: no v1 signature matches/);
	const h = stdHeaders(body);
	await refused(await post(integ.id, '{"a":2}', h), 401,
	    /webhook-signature/);
	await refused(await post(integ.id, body, { 'x-hub-signature-256':
	    await githubSign('whsec_other', body) }), 401,
	    /X-Hub-Signature-256: does not match/);
	// GitHub keys with the whole string: the decoded bytes do not sign.
	const raw = Buffer.from(integ.signing_secret.slice(6), 'base64');
	const { createHmac } = await import('node:crypto');
	await refused(await post(integ.id, body, { 'x-hub-signature-256':
	    'sha256=' + createHmac('sha256', raw).update(body)
	    .digest('hex') }), 401, /X-Hub-Signature-256/);
});

test('a timestamp more than 5 minutes off either way: 401', async () => {
	const body = '{"late":true}';
	const now = Date.now();
	await refused(await post(integ.id, body, stdHeaders(body,
	    { at: new Date(now - 6 * 60 * 1000) })), 401,
	    /webhook-timestamp: more than 300 seconds/);
	await refused(await post(integ.id, body, stdHeaders(body,
	    { at: new Date(now + 6 * 60 * 1000) })), 401,
	    /webhook-timestamp/);
	// 4 minutes old is inside the window.
	const ok = await post(integ.id, body, stdHeaders(body,
	    { at: new Date(now - 4 * 60 * 1000) }));
	assert.equal(ok.status, 202, ok.text);
});

test('a replayed webhook-id: 409, logged, no second event', async () => {
	const body = '{"once":true}';
	const h = stdHeaders(body);
	const first = await post(integ.id, body, h);
	assert.equal(first.status, 202, first.text);
	const before = Number((await sql('SELECT COUNT(*) FROM events WHERE ' +
	    'type = \'integration.webhook_received\''))[0][0]);
	const again = await post(integ.id, body, h);
	await refused(again, 409, new RegExp(`webhook-id: ${h['webhook-id']} ` +
	    'was received before'));
	const after = Number((await sql('SELECT COUNT(*) FROM events WHERE ' +
	    'type = \'integration.webhook_received\''))[0][0]);
	assert.equal(after, before);
	// The same id freshly signed at another time is still a replay.
	const later = await post(integ.id, body, stdHeaders(body,
	    { id: h['webhook-id'], at: new Date(Date.now() - 1000) }));
	assert.equal(later.status, 409);
	// Another integration may receive the same id.
	const other = await f.webhook('Other', 'https://example.com/o',
	    { notify_on: [] });
	const res = await post(other.id, body, stdHeaders(body,
	    { id: h['webhook-id'], secret: other.signing_secret }));
	assert.equal(res.status, 202, res.text);
});

test('missing or partial headers: 401 naming what is missing', async () => {
	const body = '{"b":1}';
	await refused(await post(integ.id, body, {}), 401,
	    /signature: missing/);
	const h = stdHeaders(body);
	const { 'webhook-id': _i, ...noId } = h;
	await refused(await post(integ.id, body, noId), 401,
	    /webhook-id: missing/);
	const { 'webhook-timestamp': _t, ...noTs } = h;
	await refused(await post(integ.id, body, noTs), 401,
	    /webhook-timestamp: missing/);
	await refused(await post(integ.id, body, { ...h,
	    'webhook-timestamp': 'yesterday' }), 401,
	    /webhook-timestamp: not a number/);
	await refused(await post(integ.id, body, { 'x-hub-signature-256':
	    'sha1=abc' }), 401, /X-Hub-Signature-256: not sha256=/);
});

test('unknown, deleted and malformed ids: 404, nothing logged', async () => {
	const body = '{"c":1}';
	const gone = await f.webhook('Gone', 'https://example.com/g');
	const del = await f.v1('DELETE', `/integrations/${gone.id}`);
	assert.ok(del.status === 204 || del.status === 200, del.text);
	const count = await allLogCount();
	for (const id of [randomUUID(), gone.id, 'not-an-id', '12345',
	    integ.id.toUpperCase().replace(/-/g, ''), `${integ.id}x`]) {
		const res = await post(id, body, stdHeaders(body));
		assert.equal(res.status, 404, `${id}: ${res.text}`);
		assert.match(res.json.detail, /no such integration/);
	}
	assert.equal(await allLogCount(), count);
});

test('an inactive integration: 409; active again, accepted', async () => {
	const body = '{"d":1}';
	await f.setStatus(integ.id, 'inactive');
	const count = (await logLines(integ.id)).length;
	const res = await post(integ.id, body, stdHeaders(body));
	assert.equal(res.status, 409, res.text);
	assert.match(res.json.detail, /inactive/);
	assert.equal((await logLines(integ.id)).length, count);
	await f.setStatus(integ.id, 'active');
	const ok = await post(integ.id, body, stdHeaders(body));
	assert.equal(ok.status, 202, ok.text);
});

test('over 1 MiB: 413; exactly 1 MiB is taken', async () => {
	const filler = (n) => {
		const head = '{"pad":"', tail = '"}';
		return head + 'x'.repeat(n - head.length - tail.length) + tail;
	};
	const count = await allLogCount();
	const big = filler(1024 * 1024 + 1);
	const res = await post(integ.id, big, stdHeaders(big));
	assert.equal(res.status, 413, res.text.slice(0, 200));
	assert.match(res.json.detail, /larger than 1048576 bytes/);
	// Far over: refused from Content-Length, unsigned and unknown alike.
	const huge = filler(5 * 1024 * 1024);
	const r2 = await post(randomUUID(), huge, {});
	assert.equal(r2.status, 413);
	assert.equal(await allLogCount(), count);

	const max = filler(1024 * 1024);
	const ok = await post(integ.id, max, stdHeaders(max));
	assert.equal(ok.status, 202, ok.text);
	const line = (await logLines(integ.id)).find((l) => l.id ===
	    ok.json.log_id);
	assert.equal(line.body.length, 65536, 'the first 64 KiB are kept');
	assert.equal(line.body.toString(), max.slice(0, 65536));
	const ev = await eventsOf(ok.json.log_id);
	assert.equal(ev[0].payload.bodyBytes, 1024 * 1024);
});

test('housekeeping forgets webhook-ids after 10 minutes', async () => {
	const body = '{"e":1}';
	const old = stdHeaders(body), fresh = stdHeaders(body);
	for (const h of [old, fresh])
		assert.equal((await post(integ.id, body, h)).status, 202);
	const receipt = `FROM integration_receipts r JOIN integrations i ON ` +
	    `i.id = r.integration_id WHERE i.public_id = ${q(integ.id)} AND ` +
	    'r.webhook_id = ';
	await sql(`UPDATE integration_receipts r JOIN integrations i ON ` +
	    `i.id = r.integration_id SET r.received_at = NOW(3) - INTERVAL ` +
	    `11 MINUTE WHERE i.public_id = ${q(integ.id)} AND ` +
	    `r.webhook_id = ${q(old['webhook-id'])}`);
	await new Promise((resolve, reject) => execFile(env.worker,
	    ['--once-housekeeping'], { env: { ...process.env,
	    MIHWAR_CONF: env.conf } }, (err) => err ? reject(err) : resolve()));
	const count = async (id) => Number((await sql(`SELECT COUNT(*) ` +
	    `${receipt}${q(id)}`))[0][0]);
	assert.equal(await count(old['webhook-id']), 0);
	assert.equal(await count(fresh['webhook-id']), 1);
	// A fresh one is still a replay.
	assert.equal((await post(integ.id, body, fresh)).status, 409);
});
