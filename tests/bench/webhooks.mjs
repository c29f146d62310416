// webhooks.mjs - the webhook benchmark of `make bench`, run by run.sh
// against its stack: (1) deliveries per second of one worker, draining a
// backlog of order.created events to a local receiver; (2) the lag from
// the event's commit (the API answered) to its arrival at the receiver,
// p50 and p99, with the worker running. Prints one markdown table.
//
// Env: MIHWAR_BASE_URL, MIHWAR_CTL, MIHWAR_CONF, MIHWAR_STACK (stack.sh
// wrapper: worker-start / worker-stop). BACKLOG (default 1000) and
// LAG_EVENTS (default 200) size the runs; RETRIES (default 4) bounds the
// retries of one request.
//
// The client's keep-alive sockets can be closed by the server between
// requests (lighttpd ends a connection after max-keep-alive-requests); a
// request sent on such a socket fails with "other side closed" without
// an answer, and the client cannot know whether it was written. Every
// write here therefore carries an Idempotency-Key and is retried with the
// same key (the server replays the stored answer instead of writing
// twice; 409 means the first attempt is still in flight), at most
// RETRIES times; the retries are counted in the output.
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';

const BASE = process.env.MIHWAR_BASE_URL;
const BACKLOG = Number(process.env.BACKLOG || 1000);
const LAG_EVENTS = Number(process.env.LAG_EVENTS || 200);
const RETRIES = Number(process.env.RETRIES || 4);
const retried = { socket: 0, busy: 0 };

function ctl(...args) {
	return execFileSync(process.env.MIHWAR_CTL, args, {
		env: { ...process.env }, input: args.includes('--password-stdin') ?
		    'bench-password-123\n' : undefined,
	}).toString();
}
function stack(cmd) {
	execFileSync(process.env.MIHWAR_STACK, [cmd], { stdio: 'ignore' });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A network failure with no answer (the socket closed under the request):
// worth a retry with the same Idempotency-Key. Anything else is a bug.
function closedSocket(err) {
	const c = err && err.cause;
	return err instanceof TypeError && c != null &&
	    (c.code === 'UND_ERR_SOCKET' || c.code === 'ECONNRESET' ||
	    c.code === 'EPIPE' || c.code === 'UND_ERR_CLOSED');
}

// fetch with an Idempotency-Key, retried with that same key after a
// closed socket or a 409 (the first attempt still in flight), at most
// RETRIES times.
async function write(url, init) {
	const headers = { ...init.headers, 'Idempotency-Key': randomUUID() };
	for (let attempt = 0; ; attempt++) {
		let res;
		try {
			res = await fetch(url, { ...init, headers });
		} catch (err) {
			if (attempt >= RETRIES || !closedSocket(err))
				throw err;
			retried.socket++;
			await sleep(10 * (attempt + 1));
			continue;
		}
		if (res.status !== 409 || attempt >= RETRIES)
			return res;
		await res.arrayBuffer();
		retried.busy++;
		await sleep(50 * (attempt + 1));
	}
}

// The receiver: arrival time per orderId, and every webhook-id seen (a
// second arrival of one is a duplicate: counted, and it fails the run, as
// a worker that sends an attempt twice is a bug, not a speed).
const arrivals = new Map();
const seen = new Set();
let duplicates = 0, first = 0;
const server = createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const body = JSON.parse(Buffer.concat(chunks).toString());
		const id = req.headers['webhook-id'];
		if (seen.has(id))
			duplicates++;
		seen.add(id);
		if (body.event === 'order.created') {
			if (arrivals.size === 0)
				first = performance.now();
			arrivals.set(body.payload.orderId, performance.now());
		}
		res.writeHead(200).end('ok');
	});
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const hook = `http://127.0.0.1:${server.address().port}/hook`;

// An organization, an admin to subscribe through the console, a key.
const slug = 'whbench-' + randomBytes(4).toString('hex');
ctl('org', 'create', '--slug', slug, '--name', 'Webhook bench');
ctl('user', 'create', '--org', slug, '--email', `admin@${slug}.example`,
    '--password-stdin', '--role', 'admin');
const key = JSON.parse(ctl('--json', 'key', 'create', '--org', slug, '--kind',
    'integration')).key;
const auth = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };

async function login() {
	const page = await fetch(`${BASE}/admin/login`);
	const jar = page.headers.getSetCookie().map((c) => c.split(';')[0]);
	const csrf = (await page.text()).match(/name="csrf" value="([^"]+)"/)[1];
	const res = await fetch(`${BASE}/admin/login`, {
		method: 'POST', redirect: 'manual',
		headers: { Cookie: jar.join('; '),
		    'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ csrf, login: `admin@${slug}.example`,
		    password: 'bench-password-123' }),
	});
	const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0])
	    .find((c) => c.startsWith('mihwar_session='));
	const html = await (await fetch(`${BASE}/admin/webhooks`,
	    { headers: { Cookie: cookie } })).text();
	return { cookie, csrf: html.match(/name="csrf" value="([^"]+)"/)[1] };
}
const s = await login();
const sub = await fetch(`${BASE}/api/settings/webhooks`, {
	method: 'POST',
	headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf,
	    'Content-Type': 'application/json' },
	body: JSON.stringify({ url: hook, events: ['order.created'] }),
});
if (sub.status !== 201)
	throw new Error(`subscribe: ${sub.status} ${await sub.text()}`);
const put = await write(`${BASE}/api/integrations/v1/inventory/items/by-sku/WB-1`, {
	method: 'PUT', headers: auth, body: JSON.stringify({ name: 'Bench item' }),
});
if (put.status !== 201 && put.status !== 200)
	throw new Error(`PUT item: ${put.status} ${await put.text()}`);

async function order() {
	const res = await write(`${BASE}/api/integrations/v1/orders`, {
		method: 'POST', headers: auth,
		body: JSON.stringify({ lines: [{ sku: 'WB-1', quantity: 1 }] }),
	});
	if (res.status !== 201)
		throw new Error(`order: ${res.status} ${await res.text()}`);
	return [(await res.json()).data.id, performance.now()];
}
async function until(n, ms) {
	const end = performance.now() + ms;
	while (arrivals.size < n && performance.now() < end)
		await sleep(5);
	if (arrivals.size < n)
		throw new Error(`only ${arrivals.size} of ${n} delivered`);
}
const pct = (a, p) => a[Math.min(a.length - 1, Math.floor(a.length * p))];

// (1) Throughput: a backlog made while the worker is stopped.
stack('worker-stop');
for (let i = 0; i < BACKLOG; i += 8)
	await Promise.all(Array.from({ length: Math.min(8, BACKLOG - i) }, order));
const t0 = performance.now();
stack('worker-start');
await until(BACKLOG, 300000);
const t1 = performance.now();
const rate = BACKLOG / ((t1 - t0) / 1000);
// The same drain from its first arrival (the worker's start, the first
// fan-out and the first claim left out): the steady rate, reported
// beside the figure of record, never instead of it.
const steady = (BACKLOG - 1) / ((t1 - first) / 1000);
const startup = first - t0;

// (2) Lag: events one at a time with the worker running.
arrivals.clear();
const lags = [];
for (let i = 0; i < LAG_EVENTS; i++) {
	const [id, committed] = await order();
	while (!arrivals.has(id))
		await sleep(1);
	lags.push(arrivals.get(id) - committed);
	await sleep(Math.random() * 250);	/* sample the whole poll cycle */
}
lags.sort((a, b) => a - b);
server.close();
if (duplicates > 0)
	throw new Error(`${duplicates} webhook-ids arrived twice`);

console.log('\n| webhooks (one worker, local receiver) | value |');
console.log('|---|---:|');
console.log(`| deliveries/s draining a backlog of ${BACKLOG} | ${rate.toFixed(0)} |`);
console.log(`| the same, from the first arrival (${startup.toFixed(0)} ms after the worker's start) | ${steady.toFixed(0)} |`);
console.log(`| lag commit -> delivery, p50 (${LAG_EVENTS} events) | ${pct(lags, 0.5).toFixed(1)} ms |`);
console.log(`| lag commit -> delivery, p99 | ${pct(lags, 0.99).toFixed(1)} ms |`);
console.log(`| duplicate arrivals (a webhook-id seen twice) | ${duplicates} |`);
console.log(`| client retries with the same Idempotency-Key (closed socket / 409 in flight) | ${retried.socket} / ${retried.busy} |`);
