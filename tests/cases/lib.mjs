// lib.mjs - shared pieces of the invoice-case tests: a fresh organization
// with an integration key, the family's API over real HTTP, a valid
// invoice to start from, and checks in the database as root. Built on the
// webhook suite's stack helpers (mihwarctl, the database, the worker).
import { randomBytes } from 'node:crypto';
import { ctl, sql, q, env, until, sleep, rand } from '../webhooks/stack.mjs';

export { ctl, sql, q, env, until, sleep, rand };

// method, path, body (an object is sent as JSON; a string or Buffer as
// is), headers. The answer's status, headers, text and parsed json.
export async function call(key, method, path, body, headers = {}) {
	const h = { ...headers };
	let payload = body;

	if (key)
		h.authorization ??= `Bearer ${key}`;
	if (body !== undefined && typeof body === 'object' &&
	    !Buffer.isBuffer(body)) {
		payload = JSON.stringify(body);
		h['content-type'] ??= 'application/json';
	}
	// POST without a body still says Content-Length: 0.
	if (payload === undefined && method !== 'GET' && method !== 'HEAD')
		payload = '';
	const res = await fetch(env.base + path, {
		method, headers: h, body: payload, redirect: 'manual',
	});
	const buf = Buffer.from(await res.arrayBuffer());
	const text = buf.toString('utf8');
	let json = null;

	try {
		json = JSON.parse(text);
	} catch {
		/* not JSON */
	}
	return { status: res.status, headers: res.headers, text, json, buf };
}

// A fresh organization: { slug, id (row id), key, api(method, path,
// body, headers) }.
export async function newOrg(tag = 'case') {
	const slug = `${tag}-${rand(5)}`;

	await ctl(['org', 'create', '--slug', slug, '--name', `Cases ${slug}`]);
	const key = (await ctl(['key', 'create', '--org', slug, '--kind',
	    'integration'])).key;
	const [[id]] = await sql(`SELECT id FROM organizations WHERE slug = ${q(slug)}`);
	return {
		slug, id, key,
		api: (method, path, body, headers) =>
		    call(key, method, path, body, headers),
	};
}

// A second integration key of org (rate limits are per organization).
export async function anotherKey(org) {
	return (await ctl(['key', 'create', '--org', org.slug, '--kind',
	    'integration'])).key;
}

export function uniq(prefix = 'INV') {
	return `${prefix}-${randomBytes(4).toString('hex').toUpperCase()}`;
}

// A valid invoice: two lines, 10 x 100.00 + 4 x 25.50, tax 110.20.
// Override any field; line_items replace the lines (subtotal and total
// are then recomputed unless given).
export function invoice(over = {}) {
	const lines = over.line_items ?? [
		{ sku: `SKU-${rand(3)}`, description: 'Widget A', quantity: 10,
		    unit_price: 100.00, line_total: 1000.00 },
		{ sku: `SKU-${rand(3)}`, description: 'Widget B', quantity: 4,
		    unit_price: 25.50, line_total: 102.00 },
	];
	const cents = (n) => Math.round(n * 100);
	const subtotal = over.subtotal ??
	    lines.reduce((s, l) => s + cents(l.line_total), 0) / 100;
	const tax = over.tax ?? 110.20;
	const total = over.total ?? (cents(subtotal) + cents(tax)) / 100;

	return {
		invoice_number: uniq(),
		invoice_date: '2026-01-20',
		vendor_name: `Vendor ${rand(3)}`,
		...over,
		line_items: lines, subtotal, tax, total,
	};
}

// Create a case from inv and answer its case_id; throws on anything but 201.
export async function createCase(org, inv = invoice()) {
	const r = await org.api('POST', '/api/cases', inv);
	if (r.status !== 201)
		throw new Error(`POST /api/cases: ${r.status} ${r.text}`);
	return r.json.case_id;
}

// Create and approve a case; its case_id.
export async function approvedCase(org, inv = invoice()) {
	const id = await createCase(org, inv);
	const r = await org.api('POST', `/api/cases/${id}/approve`);
	if (r.status !== 200)
		throw new Error(`approve: ${r.status} ${r.text}`);
	return id;
}

// POST /api/integrations/{system} for case id.
export function integrate(org, system, id, extra = {}) {
	return org.api('POST', `/api/integrations/${system}`,
	    { case_id: id, ...extra });
}

export function rollback(org, id, systems) {
	return org.api('POST', '/api/integrations/rollback',
	    systems ? { case_id: id, systems } : { case_id: id });
}

// The trial balance must balance after every step: sums straight from
// the ledger tables of org (debits = credits, to the last unit).
export async function ledgerBalanced(org) {
	const [[d, c]] = await sql('SELECT COALESCE(SUM(l.debit), 0),' +
	    ' COALESCE(SUM(l.credit), 0) FROM journal_lines l' +
	    ` WHERE l.org_id = ${Number(org.id)}`);
	return d === c;
}

// Events written to the outbox for org, of type (newest last).
export async function outbox(org, type) {
	const rows = await sql('SELECT type, payload FROM events' +
	    ` WHERE org_id = ${Number(org.id)}` +
	    (type ? ` AND type = ${q(type)}` : '') + ' ORDER BY id');
	return rows.map(([t, p]) => ({ type: t, payload: JSON.parse(p) }));
}
