// stack.mjs - how the webhook tests reach the running stack: fixtures made
// with mihwarctl, the Integrations API with an integration key, the
// console signed in as an admin or a member (cookie + CSRF token), checks
// in the database as root (and moving its clock), and the worker
// processes.
import { execFile, spawn } from 'node:child_process';
import { randomBytes, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync, openSync, closeSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const need = (name) => {
	const v = process.env[name];

	if (!v)
		throw new Error(`${name} is not set: these tests need a running ` +
		    'stack, named by MIHWAR_BASE_URL, MIHWAR_CTL, MIHWAR_CONF, ' +
		    'MIHWAR_STACK, MIHWAR_DB_SOCKET, MIHWAR_WORKER and ' +
		    'MIHWAR_VAR (see scripts/check.sh)');
	return v;
};

export const env = {
	get base() { return need('MIHWAR_BASE_URL').replace(/\/$/, ''); },
	get ctl() { return need('MIHWAR_CTL'); },
	get conf() { return need('MIHWAR_CONF'); },
	get stack() { return need('MIHWAR_STACK'); },
	get dbSocket() { return need('MIHWAR_DB_SOCKET'); },
	get worker() { return need('MIHWAR_WORKER'); },
	// The stack's runtime dir: MIHWAR_VAR, else the conf's directory
	// (stack.sh keeps $VAR/mihwar.conf and $VAR/run/worker.pid there).
	get varDir() {
		return process.env.MIHWAR_VAR ??
		    (process.env.MIHWAR_CONF ? dirname(process.env.MIHWAR_CONF) :
		    null);
	},
};

export function checkEnv() {
	for (const k of ['base', 'ctl', 'conf', 'stack', 'dbSocket', 'worker'])
		void env[k];
}

export { sleep };

// Poll fn (sync or async) until it returns a truthy value.
export async function until(fn, timeoutMs, what, intervalMs = 50) {
	const end = Date.now() + timeoutMs;
	let last;

	for (;;) {
		last = await fn();
		if (last)
			return last;
		if (Date.now() > end)
			throw new Error(`timed out after ${timeoutMs} ms waiting ` +
			    `for ${what}`);
		await sleep(intervalMs);
	}
}

function run(cmd, args, { input, env: extra } = {}) {
	return new Promise((resolve, reject) => {
		const child = execFile(cmd, args, {
			env: { ...process.env, ...extra },
			maxBuffer: 16 << 20,
		}, (err, stdout, stderr) => {
			if (err) {
				err.message += `\n${cmd} ${args.join(' ')}: ` +
				    `${stderr}`;
				reject(err);
			} else
				resolve({ stdout, stderr });
		});
		if (input !== undefined)
			child.stdin.end(input);
	});
}

export async function ctl(args, input) {
	const { stdout } = await run(env.ctl, ['--json', ...args],
	    { input, env: { MIHWAR_CONF: env.conf } });
	return JSON.parse(stdout);
}

export async function stackCmd(cmd) {
	return run(env.stack, [cmd]);
}

let dbName;

function confValue(name) {
	const text = readFileSync(env.conf, 'utf8');
	let v = null;

	for (const line of text.split('\n')) {
		const m = line.match(new RegExp(`^${name}\\s*=\\s*(.*?)\\s*$`));
		if (m)
			v = m[1];
	}
	return v;
}

// Rows of a query as root, as arrays of strings ('NULL' for NULL): checks,
// and the few writes that stand for time passing (moving a timestamp back).
export async function sql(query) {
	dbName ??= confValue('db_name') ?? 'mihwar';
	const { stdout } = await run('mariadb', ['--no-defaults',
	    `--socket=${env.dbSocket}`, '-uroot', dbName, '-N', '-B', '-e',
	    query]);
	return stdout.split('\n').filter((l) => l !== '')
	    .map((l) => l.split('\t'));
}

// Quote a value we made ourselves (ids, slugs) for a verification query.
export function q(s) {
	if (!/^[A-Za-z0-9._:@-]*$/.test(s))
		throw new Error(`refusing to quote ${s}`);
	return `'${s}'`;
}

export function rand(n = 6) {
	return randomBytes(n).toString('hex');
}

async function http(method, path, { headers = {}, body, redirect } = {}) {
	const res = await fetch(env.base + path, {
		method, headers, body, redirect: redirect ?? 'manual',
	});
	const text = await res.text();
	let json = null;

	try {
		json = JSON.parse(text);
	} catch {
		/* HTML or empty */
	}
	return { status: res.status, headers: res.headers, text, json };
}

function cookieOf(res, name) {
	for (const c of res.headers.getSetCookie()) {
		const m = c.match(new RegExp(`^${name}=([^;]*)`));
		if (m)
			return m[1];
	}
	return null;
}

export function csrfOf(html) {
	const m = html.match(/<input type="hidden" name="csrf" value="([^"]+)">/);
	return m ? m[1] : null;
}

// A fresh organization with an admin user, an integration key, an item
// to order, and a signed-in console session.
export async function fixture() {
	const slug = `wh-${rand(5)}`;
	const email = `admin@${slug}.test`;
	const password = `pw-${rand(8)}`;
	const f = { slug, email, password };

	await ctl(['org', 'create', '--slug', slug, '--name', `Webhooks ${slug}`]);
	await ctl(['user', 'create', '--org', slug, '--email', email,
	    '--password-stdin', '--role', 'admin'], `${password}\n`);
	f.key = (await ctl(['key', 'create', '--org', slug, '--kind',
	    'integration'])).key;
	await signIn(f, '/admin/webhooks');
	const item = await f.api('POST', '/inventory/items',
	    { sku: `SKU-${slug}`, name: 'Test coffee' });
	if (item.status !== 201)
		throw new Error(`item create: ${item.status} ${item.text}`);
	f.sku = item.json.data.sku;
	return f;
}

// Another console user of f's organization with role ('admin' or
// 'member'), signed in, with the same helpers as f (f.api with f's key).
export async function consoleUser(f, role) {
	const u = { slug: f.slug, key: f.key, sku: f.sku,
	    email: `${role}-${rand(4)}@${f.slug}.test`,
	    password: `pw-${rand(8)}` };

	await ctl(['user', 'create', '--org', f.slug, '--email', u.email,
	    '--password-stdin', '--role', role], `${u.password}\n`);
	// /admin/webhooks is for admins; every page's sign-out form carries
	// the session's CSRF token, so a member takes it from /admin/approvals.
	await signIn(u, role === 'admin' ? '/admin/webhooks' :
	    '/admin/approvals');
	return u;
}

// Sign f in at /admin/login; f.csrf is read from the page at csrfPage.
async function signIn(f, csrfPage) {
	const page = await http('GET', '/admin/login');
	const login = cookieOf(page, 'mihwar_login');
	const token = csrfOf(page.text);

	if (page.status !== 200 || !login || !token)
		throw new Error(`GET /admin/login: ${page.status}, cookie ` +
		    `${login}, csrf ${token}`);
	const res = await http('POST', '/admin/login', {
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			cookie: `mihwar_login=${login}`,
		},
		body: new URLSearchParams({ login: f.email,
		    password: f.password, csrf: token }).toString(),
	});
	f.session = cookieOf(res, 'mihwar_session');
	if (res.status !== 303 || !f.session)
		throw new Error(`POST /admin/login: ${res.status} ` +
		    `${res.text.slice(0, 300)}`);
	const landing = await http('GET', csrfPage,
	    { headers: { cookie: `mihwar_session=${f.session}` } });
	f.csrf = csrfOf(landing.text);
	if (landing.status !== 200 || !f.csrf)
		throw new Error(`GET ${csrfPage}: ${landing.status}, no csrf`);

	f.api = (method, path, body, headers = {}) => http(method,
	    `/api/integrations/v1${path}`, {
		headers: { authorization: `Bearer ${f.key}`,
		    ...(body ? { 'content-type': 'application/json' } : {}),
		    ...headers },
		body: body ? JSON.stringify(body) : undefined,
	});
	f.get = (path) => http('GET', path,
	    { headers: { cookie: `mihwar_session=${f.session}` } });
	// A console form POST carrying the CSRF token as the forms do.
	f.post = (path, form = {}) => http('POST', path, {
		headers: {
			cookie: `mihwar_session=${f.session}`,
			'content-type': 'application/x-www-form-urlencoded',
		},
		body: new URLSearchParams({ ...form, csrf: f.csrf }).toString(),
	});
	// A console form POST, then the page it answers with or redirects to
	// (POST-redirect-GET), as a browser would show it.
	f.postAndFollow = async (path, form = {}) => {
		const res = await f.post(path, form);
		const loc = res.headers.get('location');

		if (res.status !== 303 || !loc)
			return res;
		const u = new URL(loc, env.base);
		return f.get(u.pathname + u.search);
	};
	// POST /api/settings/webhooks; auth: 'session' (with X-CSRF-Token),
	// 'nocsrf' (session without token) or 'key' (integration key).
	f.subscribeRaw = (body, auth = 'session') => http('POST',
	    '/api/settings/webhooks', {
		headers: {
			'content-type': 'application/json',
			...(auth === 'key' ?
			    { authorization: `Bearer ${f.key}` } :
			    { cookie: `mihwar_session=${f.session}` }),
			...(auth === 'session' ?
			    { 'x-csrf-token': f.csrf } : {}),
		},
		body: JSON.stringify(body),
	});
	f.subscribe = async (url, events = '*') => {
		const res = await f.subscribeRaw({ url, events });

		if (res.status !== 201)
			throw new Error(`subscribe: ${res.status} ${res.text}`);
		return res.json.data;
	};
	f.order = async (extra = {}) => {
		const res = await f.api('POST', '/orders', {
			vendorName: 'Roastery', ...extra,
			lines: [{ sku: f.sku, quantity: 2 }],
		});

		if (res.status !== 201)
			throw new Error(`order create: ${res.status} ${res.text}`);
		return res.json.data;
	};
	f.setStatus = async (id, status) => {
		const res = await f.api('POST', `/orders/${id}/status`,
		    { status });

		if (res.status !== 200)
			throw new Error(`order status: ${res.status} ${res.text}`);
		return res.json.data;
	};
}

// The delivery row of a webhook-id: state, attempts, last_status.
export async function delivery(publicId) {
	const rows = await sql('SELECT state, attempts, last_status FROM ' +
	    `webhook_deliveries WHERE public_id = ${q(publicId)}`);
	if (rows.length === 0)
		return null;
	const [state, attempts, lastStatus] = rows[0];
	return { state, attempts: Number(attempts),
	    lastStatus: lastStatus === 'NULL' ? null : Number(lastStatus) };
}

// The logged attempts of a delivery, in order.
export async function attempts(publicId) {
	const rows = await sql('SELECT a.attempt_no, a.status_code, ' +
	    'IFNULL(a.error, \'\'), a.worker, ' +
	    'UNIX_TIMESTAMP(a.started_at) * 1000 FROM webhook_attempts a ' +
	    'JOIN webhook_deliveries d ON d.id = a.delivery_id ' +
	    `WHERE d.public_id = ${q(publicId)} ORDER BY a.attempt_no`);
	return rows.map(([no, status, error, worker, started]) => ({
		no: Number(no),
		status: status === 'NULL' ? null : Number(status),
		error, worker, startedMs: Number(started),
	}));
}

// The expected X-Mihwar-Signature of raw body bytes under secret.
export function mihwarSignature(secret, raw) {
	return 'sha256=' + createHmac('sha256', secret).update(raw)
	    .digest('hex');
}

export function sameBytes(a, b) {
	const x = Buffer.from(a), y = Buffer.from(b);
	return x.length === y.length && timingSafeEqual(x, y);
}

// Another worker process on the same configuration; kill it yourself.
export function startWorker() {
	let fd = 'ignore';

	if (env.varDir)
		fd = openSync(`${env.varDir}/log/worker-extra.log`, 'a');
	const child = spawn(env.worker, [], {
		env: { ...process.env, MIHWAR_CONF: env.conf },
		stdio: ['ignore', fd, fd],
	});
	if (fd !== 'ignore')
		closeSync(fd);
	child.exited = new Promise((resolve) => child.once('exit',
	    (code, signal) => resolve({ code, signal })));
	return child;
}

export async function stopWorker(child, timeoutMs = 10000) {
	if (child.exitCode !== null || child.signalCode !== null)
		return child.exited;
	child.kill('SIGTERM');
	const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
	const r = await child.exited;
	clearTimeout(t);
	return r;
}

// The pid of the stack's worker (from its pid file) when it is alive.
export function stackWorkerPid() {
	if (!env.varDir)
		return null;
	let pid;
	try {
		pid = Number(readFileSync(`${env.varDir}/run/worker.pid`, 'utf8'));
	} catch {
		return null;
	}
	try {
		if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !==
		    'mihwar-worker')
			return null;
	} catch {
		return null;
	}
	return alive(pid) ? pid : null;
}

// pid is gone for good: dead and reaped (stack.sh's kill -0 sees a zombie
// as a running worker and would not start another).
export function gone(pid) {
	return !existsSync(`/proc/${pid}`);
}

export function alive(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return !/^\d+ \(.*\) [ZX] /.test(stat);
	} catch {
		return false;
	}
}
