// printful-standin.mjs - a local stand-in for Printful's API v1, following
// ../shared/specs/external/printful-v1.openapi.json for the calls Mihwar
// makes: sync products, mockup tasks, orders (and an order by its
// external id). Every answer is Printful's envelope {code, result} or
// {code, result, error:{reason, message}}; a wrong Bearer token is 401.
//
// Behaviour is chosen by the request's own data, so that test files
// running at once never see each other's failures: a marker anywhere in
// the request body (a product title, a recipient's name) or in an order's
// external id's registered marker:
//   [pf:fail]        500 with Printful's error envelope
//   [pf:400]         400 "Invalid request"
//   [pf:hang]        answers after 20 s (past Mihwar's 15 s timeout) and
//                    does NOT keep the order
//   [pf:late]        answers after 20 s but keeps the order, as a real
//                    Printful that was only slow would
//   [pf:mockfail]    the mockup task ends "failed"
//
// Control endpoints for tests (not Printful's): GET /__requests returns
// every request seen [{method, path, query, auth, body, at}], newest last.
//
// Run: node printful-standin.mjs --port P --token T
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const args = Object.fromEntries(process.argv.slice(2).join(' ')
    .split('--').filter(Boolean).map((a) => a.trim().split(/\s+/)));
const PORT = Number(args.port ?? 0);
const TOKEN = args.token ?? 'pf-test-token';
const SIZES = ['XS', 'S', 'M', 'L', 'XL', '2XL', '3XL', '4XL', '5XL'];

const requests = [];
const products = new Map();	// id -> sync product
const tasks = new Map();	// task_key -> {status, product}
const orders = new Map();	// id -> order
let nextId = 100000;

function send(res, status, body) {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json',
	    'content-length': Buffer.byteLength(text) });
	res.end(text);
}

function ok(res, result) {
	send(res, 200, { code: 200, result });
}

function fail(res, status, reason, message) {
	send(res, status, { code: status, result: message,
	    error: { reason, message } });
}

function marker(text) {
	const m = /\[pf:([a-z0-9]+)\]/.exec(text);
	return m ? m[1] : null;
}

function createProduct(res, body) {
	const p = body?.sync_product;
	const variants = body?.sync_variants;
	if (!p?.name || !Array.isArray(variants) || variants.length === 0)
		return fail(res, 400, 'BadRequest', 'sync_product.name and ' +
		    'sync_variants are required');
	for (const v of variants)
		if (!v.variant_id || !v.retail_price ||
		    !Array.isArray(v.files) || v.files.length === 0)
			return fail(res, 400, 'BadRequest', 'each sync variant ' +
			    'needs variant_id, retail_price and files');
	const id = nextId++;
	const prod = { id, external_id: p.external_id ?? String(id),
	    name: p.name, variants: variants.length, synced: variants.length,
	    thumbnail_url: p.thumbnail ?? null, is_ignored: false,
	    sync_variants: variants };
	products.set(id, prod);
	ok(res, { id, external_id: prod.external_id, name: prod.name,
	    variants: prod.variants, synced: prod.synced,
	    thumbnail_url: prod.thumbnail_url, is_ignored: false });
}

function createTask(res, id, body, failIt) {
	if (!Array.isArray(body?.variant_ids) || body.variant_ids.length === 0 ||
	    !Array.isArray(body?.files))
		return fail(res, 400, 'BadRequest', 'variant_ids and files are ' +
		    'required');
	const key = `gt-${nextId++}`;
	tasks.set(key, { status: failIt ? 'failed' : 'completed', id,
	    variant_ids: body.variant_ids, polls: 0 });
	ok(res, { task_key: key, status: 'pending' });
}

function getTask(res, key) {
	const t = tasks.get(key);
	if (!t)
		return fail(res, 404, 'NotFound', 'Task not found');
	// Pending on the first poll, then done: callers must poll.
	if (t.polls++ === 0)
		return ok(res, { task_key: key, status: 'pending' });
	if (t.status === 'failed')
		return ok(res, { task_key: key, status: 'failed',
		    error: 'Mockup generation failed' });
	ok(res, { task_key: key, status: 'completed', mockups: [{
	    placement: 'front', variant_ids: t.variant_ids,
	    mockup_url: `https://files.example.test/mockups/${key}-front.png`,
	    extra: [] }] });
}

function orderView(o) {
	return { id: o.id, external_id: o.external_id, status: o.status,
	    shipping: 'STANDARD', recipient: o.recipient, items: o.items,
	    created: o.created, updated: o.created };
}

async function createOrder(res, body, query, mark) {
	const confirm = query.get('confirm') === 'true' ||
	    query.get('confirm') === '1';
	if (!body?.recipient?.address1 || !Array.isArray(body?.items) ||
	    body.items.length === 0)
		return fail(res, 400, 'BadRequest', 'recipient and items are ' +
		    'required');
	if (body.external_id && [...orders.values()].some((o) =>
	    o.external_id === body.external_id))
		return fail(res, 400, 'BadRequest', 'Order with this external ' +
		    'ID already exists');
	const o = { id: nextId++, external_id: body.external_id ?? null,
	    status: confirm ? 'pending' : 'draft', recipient: body.recipient,
	    items: body.items, created: Math.floor(Date.now() / 1000) };
	if (mark === 'late') {
		orders.set(o.id, o);
		await sleep(20000);
		return ok(res, orderView(o));
	}
	if (mark === 'hang') {
		await sleep(20000);
		return fail(res, 500, 'InternalError', 'gave up');
	}
	orders.set(o.id, o);
	ok(res, orderView(o));
}

function getOrder(res, ref) {
	let o;
	if (ref.startsWith('@'))
		o = [...orders.values()].find((x) => x.external_id === ref.slice(1));
	else
		o = orders.get(Number(ref));
	if (!o)
		return fail(res, 404, 'NotFound', 'Order not found');
	ok(res, orderView(o));
}

async function route(req, res, raw) {
	const url = new URL(req.url, 'http://standin');
	const path = url.pathname;
	let body = null;

	if (path === '/__requests')
		return send(res, 200, requests);
	requests.push({ method: req.method, path, query: url.search,
	    auth: req.headers.authorization ?? null, body: raw, at: Date.now() });
	if (req.headers.authorization !== `Bearer ${TOKEN}`)
		return fail(res, 401, 'Unauthorized', 'Invalid token');
	if (raw.length > 0) {
		try {
			body = JSON.parse(raw);
		} catch {
			return fail(res, 400, 'BadRequest', 'Invalid JSON');
		}
	}
	const mark = marker(raw);
	if (mark === 'fail')
		return fail(res, 500, 'InternalError', 'Printful had a problem');
	if (mark === '400')
		return fail(res, 400, 'BadRequest', 'Invalid request');
	let m;
	if (req.method === 'POST' && path === '/store/products')
		return createProduct(res, body);
	if (req.method === 'POST' &&
	    (m = /^\/mockup-generator\/create-task\/(\d+)$/.exec(path)))
		return createTask(res, Number(m[1]), body, mark === 'mockfail');
	if (req.method === 'GET' && path === '/mockup-generator/task')
		return getTask(res, url.searchParams.get('task_key') ?? '');
	if (req.method === 'POST' && path === '/orders')
		return createOrder(res, body, url.searchParams, mark);
	if (req.method === 'GET' && (m = /^\/orders\/([^/]+)$/.exec(path)))
		return getOrder(res, decodeURIComponent(m[1]));
	fail(res, 404, 'NotFound', `No route ${req.method} ${path}`);
}

const server = http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		route(req, res, Buffer.concat(chunks).toString('utf8'))
		    .catch((e) => fail(res, 500, 'InternalError', String(e)));
	});
});

server.listen(PORT, '127.0.0.1', () => {
	console.log(`printful stand-in listening on http://127.0.0.1:` +
	    `${server.address().port} (sizes ${SIZES.join(',')})`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
