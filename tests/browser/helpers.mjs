// helpers.mjs - shared pieces of the console's browser tests: the
// harness's environment, fixtures made with mihwarctl, the integration
// API, a local webhook receiver, and Chromium driven by playwright-core.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

function need(name) {
	const v = process.env[name];
	if (!v)
		throw new Error(`${name} is not set (the harness sets MIHWAR_BASE_URL, ` +
		    'MIHWAR_CTL, MIHWAR_CONF, MIHWAR_DB_SOCKET, MIHWAR_VAR)');
	return v;
}

export const BASE = need('MIHWAR_BASE_URL').replace(/\/+$/, '');
export const CTL = need('MIHWAR_CTL');
export const CONF = need('MIHWAR_CONF');
export const DB_SOCKET = need('MIHWAR_DB_SOCKET');
export const VAR = need('MIHWAR_VAR');
export const SHOTS = join(VAR, 'screenshots');

// The payloads of the escaping test, typed where a person could type.
export const XSS_SCRIPT = '<script>alert(1)</script>';
export const XSS_IMG = '"><img src=x onerror=alert(1)>';

export function ctl(args, input) {
	return execFileSync(CTL, args, {
		env: { ...process.env, MIHWAR_CONF: CONF },
		input: input ?? '',
		encoding: 'utf8',
		stdio: ['pipe', 'pipe', 'pipe'],
	});
}

/* A read-only query of the test database; rows of tab-separated cells. */
export function sql(query) {
	const out = execFileSync('mariadb', ['--no-defaults',
	    `--socket=${DB_SOCKET}`, '-uroot', 'mihwar', '-N', '-e', query],
	    { encoding: 'utf8' });
	return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

export function sqlQuote(s) {
	return "'" + String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

/*
 * A fresh organization for one test file: an admin (and a member when
 * asked) with passwords, and an integration key for the API.
 */
export function makeOrg(tag, { member = false } = {}) {
	const slug = `br-${tag}-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
	ctl(['org', 'create', '--slug', slug, '--name', `Browser ${tag}`]);
	const org = {
		slug,
		admin: { email: `admin@${slug}.test`, password: `pw-${randomBytes(9).toString('hex')}` },
	};
	ctl(['user', 'create', '--org', slug, '--email', org.admin.email,
	    '--password-stdin', '--role', 'admin'], org.admin.password + '\n');
	if (member) {
		org.member = { email: `member@${slug}.test`, password: `pw-${randomBytes(9).toString('hex')}` };
		ctl(['user', 'create', '--org', slug, '--email', org.member.email,
		    '--password-stdin', '--role', 'member'], org.member.password + '\n');
	}
	org.key = JSON.parse(ctl(['--json', 'key', 'create', '--org', slug,
	    '--kind', 'integration'])).key;
	return org;
}

/* The integration API: {status, body} (body parsed when JSON). */
export async function api(key, method, path, body) {
	const res = await fetch(BASE + path, {
		method,
		headers: {
			authorization: `Bearer ${key}`,
			...(body !== undefined ? { 'content-type': 'application/json' } : {}),
		},
		body: body !== undefined ? JSON.stringify(body) : undefined,
	});
	const text = await res.text();
	let json = null;
	try { json = JSON.parse(text); } catch { /* not JSON */ }
	return { status: res.status, body: json, text };
}

/* An item, then a purchase order of it, submitted: the order's id. */
export async function submittedOrder(key, { vendorName = 'Acme Supplies',
    reference, notes, sku } = {}) {
	sku = sku ?? `SKU-${randomBytes(4).toString('hex')}`;
	let r = await api(key, 'POST', '/api/integrations/v1/inventory/items',
	    { sku, name: `Item ${sku}`, unitCost: 2.5 });
	if (r.status !== 201)
		throw new Error(`create item: ${r.status} ${r.text}`);
	const order = { vendorName, lines: [{ sku, quantity: 4, unitCost: 2.5 }] };
	if (reference !== undefined)
		order.reference = reference;
	if (notes !== undefined)
		order.notes = notes;
	r = await api(key, 'POST', '/api/integrations/v1/orders', order);
	if (r.status !== 201)
		throw new Error(`create order: ${r.status} ${r.text}`);
	const id = r.body.data.id;
	r = await api(key, 'POST', `/api/integrations/v1/orders/${id}/status`,
	    { status: 'SUBMITTED' });
	if (r.status !== 200 || r.body.data.status !== 'SUBMITTED')
		throw new Error(`submit order: ${r.status} ${r.text}`);
	return id;
}

/*
 * A webhook receiver on 127.0.0.1: it keeps every request and answers 200
 * with "received EVENT STATUS", which the delivery log shows as the
 * attempt's response.
 */
export async function startReceiver() {
	const got = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			let body = null;
			try { body = JSON.parse(raw); } catch { /* kept raw */ }
			got.push({ method: req.method, url: req.url, headers: req.headers, raw, body });
			res.writeHead(200, { 'content-type': 'text/plain' });
			res.end(`received ${body?.event ?? '?'} ${body?.payload?.status ?? ''}`.trim());
		});
	});
	await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
	const { port } = server.address();
	return {
		url: `http://127.0.0.1:${port}/hooks/mihwar`,
		got,
		close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(ok); }),
	};
}

export async function launch() {
	return chromium.launch({
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic',
		    '--no-first-run', '--disable-background-networking',
		    '--disable-component-update', '--disable-sync'],
	});
}

/* A new browser context and page; any JavaScript dialog fails the test. */
export async function newPage(browser) {
	const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
	const page = await context.newPage();
	page.dialogs = [];
	page.on('dialog', (d) => {
		page.dialogs.push(`${d.type()}: ${d.message()}`);
		d.dismiss().catch(() => {});
	});
	page.setDefaultTimeout(20000);
	return { context, page };
}

/* Click what submits a form (or follows a link) and wait for the page. */
export async function clickAndWait(page, locator) {
	const [resp] = await Promise.all([
		page.waitForNavigation({ waitUntil: 'load' }),
		locator.click(),
	]);
	return resp;
}

export async function gotoPage(page, path) {
	return page.goto(BASE + path, { waitUntil: 'load' });
}

export async function signIn(page, login, password) {
	await gotoPage(page, '/admin/login');
	await page.getByLabel('E-mail or user name').fill(login);
	await page.getByLabel('Password').fill(password);
	return clickAndWait(page, page.getByRole('button', { name: 'Sign in' }));
}

export function pathOf(page) {
	return new URL(page.url()).pathname;
}

export async function text(locator) {
	return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

export async function screenshot(page, name) {
	mkdirSync(SHOTS, { recursive: true });
	await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

export function sleep(ms) {
	return new Promise((ok) => setTimeout(ok, ms));
}

/*
 * Activity of an organization, written straight into the database (the
 * console's pages read it; the ingest API is tested on its own): an
 * ingest app (made with its key by mihwarctl), workers, and n events
 * newest first from an hour ago, three to a minute (ties broken by id).
 * Event i: app `apps[i % 5 == 0 ? 1 : 0]`, worker `workers[i % 4 < 2 ? 0
 * : 1]`, category CATEGORIES[i % 3], type TYPES[i % 2], metadata {"n":i}.
 */
export const CATEGORIES = ['project_management', 'code', 'communication'];
export const TYPES = ['ticket.opened', 'ticket.resolved'];

export function orgId(slug) {
	return Number(sql(`SELECT id FROM organizations WHERE slug = ${sqlQuote(slug)}`)[0][0]);
}

export function seedActivity(slug, { n = 30, apps = ['helpdesk', 'ci'],
    workers = ['Alex Doe', 'Sam Roe'] } = {}) {
	const org = orgId(slug);
	const out = { org, apps: [], workers: [] };
	for (const app of apps) {
		const key = JSON.parse(ctl(['--json', 'key', 'create', '--org', slug,
		    '--kind', 'ingest', '--app', app])).key;
		const id = Number(sql(`SELECT id FROM ingest_apps WHERE org_id = ${org}` +
		    ` AND slug = ${sqlQuote(app)}`)[0][0]);
		out.apps.push({ slug: app, id, key });
	}
	for (const [i, name] of workers.entries()) {
		const email = `w${i}-${randomBytes(3).toString('hex')}@${slug}.test`;
		const [[id, publicId]] = sql(`INSERT INTO workers (public_id, org_id,` +
		    ` display_name, email) VALUES (UUID(), ${org}, ${sqlQuote(name)},` +
		    ` ${sqlQuote(email)}); SELECT id, public_id FROM workers WHERE` +
		    ` id = LAST_INSERT_ID()`);
		out.workers.push({ name, id: Number(id), publicId });
	}
	const [a0, a1] = [out.apps[0].id, out.apps[out.apps.length - 1].id];
	const [w0, w1] = [out.workers[0].id, out.workers[out.workers.length - 1].id];
	if (n > 0)
		sql(`INSERT INTO activity_events (public_id, org_id, app_id, worker_id,` +
		    ` event_type, category, occurred_at, duration_s, metadata)` +
		    ` SELECT UUID(), ${org}, IF(seq % 5 = 0, ${a1}, ${a0}),` +
		    ` IF(seq % 4 < 2, ${w0}, ${w1}),` +
		    ` ELT(seq % 2 + 1, ${TYPES.map(sqlQuote).join(', ')}),` +
		    ` ELT(seq % 3 + 1, ${CATEGORIES.map(sqlQuote).join(', ')}),` +
		    ` NOW(3) - INTERVAL 1 HOUR - INTERVAL FLOOR(seq / 3) MINUTE,` +
		    ` seq * 10, CONCAT('{"n":', seq, '}') FROM seq_0_to_${n - 1}`);
	return out;
}

/* The org's event ids (and more columns) newest first, as the timeline
 * must list them. */
export function timelineIds(org, where = '1') {
	return sql(`SELECT public_id FROM activity_events WHERE org_id = ${org}` +
	    ` AND ${where} ORDER BY occurred_at DESC, id DESC`).map((r) => r[0]);
}

/* The ids of the events a timeline page shows, in its order. */
export async function shownIds(page) {
	return page.locator('table.timeline tr[id^="event-"]').evaluateAll(
	    (rows) => rows.map((r) => r.id.slice('event-'.length)));
}
