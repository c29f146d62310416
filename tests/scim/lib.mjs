// lib.mjs - shared pieces of the SCIM suite (issue 9): an organization
// with a scim_live_ key made with mihwarctl, SCIM requests over real HTTP
// as identity providers send them, console sign-in by userName or e-mail,
// and the database as root for checks and the bulk fixtures of the
// lookup tests. Built on the webhook suite's stack helpers.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { ctl, sql, q, env, rand, csrfOf } from '../webhooks/stack.mjs';

export { ctl, sql, q, env, rand };

export const SCIM = '/api/scim/v2';
export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCHOP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

// One request: body (an object) sent as application/scim+json. The
// answer's status, headers, text and parsed json (null when none).
export async function call(key, method, path, body, headers = {}) {
	const h = { accept: 'application/scim+json', ...headers };
	let payload;

	if (key)
		h.authorization ??= `Bearer ${key}`;
	if (body !== undefined) {
		payload = typeof body === 'string' ? body : JSON.stringify(body);
		h['content-type'] ??= 'application/scim+json';
	}
	const res = await fetch(env.base + path, {
		method, headers: h, body: payload, redirect: 'manual',
	});
	const text = await res.text();
	let json = null;

	try {
		json = JSON.parse(text);
	} catch {
		/* empty (204, 304) */
	}
	return { status: res.status, headers: res.headers, text, json };
}

// A fresh organization and its SCIM key: { slug, id (row id), key,
// scim(method, path, body, headers) with path under /api/scim/v2 }.
export async function scimOrg(tag = 'scim') {
	const slug = `${tag}-${rand(5)}`;

	await ctl(['org', 'create', '--slug', slug, '--name', `SCIM ${slug}`]);
	const key = (await ctl(['key', 'create', '--org', slug, '--kind',
	    'scim'])).key;
	const [[id]] = await sql(`SELECT id FROM organizations WHERE slug = ${q(slug)}`);
	return {
		slug, id: Number(id), key,
		scim: (method, path, body, headers) =>
		    call(key, method, SCIM + path, body, headers),
	};
}

// POST /Users and answer the created resource; throws on anything but 201.
export async function createUser(org, body) {
	const r = await org.scim('POST', '/Users',
	    { schemas: [USER], ...body });
	if (r.status !== 201)
		throw new Error(`POST /Users: ${r.status} ${r.text}`);
	return r.json;
}

export async function createGroup(org, body) {
	const r = await org.scim('POST', '/Groups',
	    { schemas: [GROUP], members: [], ...body });
	if (r.status !== 201)
		throw new Error(`POST /Groups: ${r.status} ${r.text}`);
	return r.json;
}

export function patchOp(...ops) {
	return { schemas: [PATCHOP], Operations: ops };
}

// GET …?filter= (encoded) with extra query parameters.
export function list(org, kind, filter, extra = '') {
	const f = filter === undefined ? '' :
	    `filter=${encodeURIComponent(filter)}`;
	const qs = [f, extra].filter((s) => s !== '').join('&');
	return org.scim('GET', `/${kind}${qs ? `?${qs}` : ''}`);
}

// The ids of a ListResponse's resources, in order.
export const ids = (r) => (r.json?.Resources ?? []).map((x) => x.id);

function cookieOf(res, name) {
	for (const c of res.headers.getSetCookie()) {
		const m = c.match(new RegExp(`^${name}=([^;]*)`));
		if (m)
			return m[1];
	}
	return null;
}

// Sign in to the console as a browser does: GET /admin/login for the
// double-submit cookie and its token, then POST the form. { status,
// location, session (the mihwar_session cookie or null) }.
export async function signIn(login, password, organization) {
	const page = await fetch(`${env.base}/admin/login`,
	    { redirect: 'manual' });
	const html = await page.text();
	const cookie = cookieOf(page, 'mihwar_login');
	const csrf = csrfOf(html);

	if (page.status !== 200 || !cookie || !csrf)
		throw new Error(`GET /admin/login: ${page.status}, cookie ` +
		    `${cookie}, csrf ${csrf}`);
	const res = await fetch(`${env.base}/admin/login`, {
		method: 'POST', redirect: 'manual',
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			cookie: `mihwar_login=${cookie}`,
		},
		body: new URLSearchParams({ login, password, csrf,
		    ...(organization ? { organization } : {}) }).toString(),
	});
	const body = await res.text();
	return { status: res.status, location: res.headers.get('location'),
	    session: cookieOf(res, 'mihwar_session'), body };
}

// A script of statements as root through the client's stdin (bulk
// fixtures are larger than one command-line argument may be).
export function sqlScript(text) {
	const db = readFileSync(env.conf, 'utf8')
	    .match(/^db_name\s*=\s*(\S+)/m)?.[1] ?? 'mihwar';

	return new Promise((resolve, reject) => {
		const child = execFile('mariadb', ['--no-defaults',
		    `--socket=${env.dbSocket}`, '-uroot', db, '-N', '-B'],
		    { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
			if (err) {
				err.message += `\n${stderr}`;
				reject(err);
			} else
				resolve(stdout);
		});
		child.stdin.end(text);
	});
}

// n users of org made straight in the database, in creation (id) order.
// Why not over SCIM: each POST is a request and a transaction (tens of ms
// under the sanitizers), and the lookup tests need hundreds of users,
// 600 for one, within seconds; what is tested is reading them. Each row
// is what SCIM stores for a user without a document (scim_json NULL, the
// address in user_emails; a random public id: lists go by row id): userName
// `${prefix}-NNNN`, externalId `ext-${prefix}-NNNN`, displayName
// `${display} NNNN`, one primary work address NNNN@${prefix}.test,
// active unless inactive(i). Answers [{ id, userName, externalId, email,
// active }] (i from 1).
export async function bulkUsers(org, prefix, n, { display = 'Bulk',
    inactive = () => false } = {}) {
	const users = [];
	const rows = [];

	if (!/^[a-z0-9-]+$/.test(prefix) || !/^[A-Za-z0-9 ]+$/.test(display))
		throw new Error('bulkUsers: a plain prefix and display name');
	for (let i = 1; i <= n; i++) {
		const nn = String(i).padStart(4, '0');
		const u = { id: randomUUID(), userName: `${prefix}-${nn}`,
		    externalId: `ext-${prefix}-${nn}`,
		    email: `${nn}@${prefix}.test`, active: !inactive(i) };

		users.push(u);
		rows.push(`('${u.id}', ${org.id}, '${u.userName}', ` +
		    `'${display} ${nn}', '${u.externalId}', 'member', ` +
		    `${u.active ? 1 : 0}, 1)`);
	}
	await sqlScript('INSERT INTO users (public_id, org_id, user_name,' +
	    ' display_name, external_id, role, active, scim_managed) VALUES ' +
	    rows.join(',\n') + ';\n' +
	    'INSERT INTO user_emails (user_id, org_id, email, type,' +
	    ' is_primary, user_active) SELECT id, org_id,' +
	    ` CONCAT(SUBSTRING(user_name, ${prefix.length + 2}), '@${prefix}.test'),` +
	    ' \'work\', 1, active FROM users' +
	    ` WHERE org_id = ${org.id} AND user_name LIKE '${prefix}-%';\n` +
	    // Written behind lib/auth/users.c's back: the counts it keeps.
	    `UPDATE organizations SET users_total = users_total + ${n},` +
	    ` users_active = users_active + ${users.filter(u => u.active).length}` +
	    ` WHERE id = ${org.id};\n`);
	return users;
}

// Stored state, read as root.
export async function count(table, where) {
	const [[n]] = await sql(`SELECT COUNT(*) FROM ${table} WHERE ${where}`);
	return Number(n);
}

// The users row of public id: { userName, displayName, active, version,
// role } (null when there is none).
export async function userRow(id) {
	const rows = await sql('SELECT user_name, display_name, active,' +
	    ` version, role FROM users WHERE public_id = ${q(id)}`);
	if (rows.length === 0)
		return null;
	const [[userName, displayName, active, version, role]] = rows;
	return { userName, displayName, active: active === '1',
	    version: Number(version), role };
}

// A user's addresses in user_emails, as "email type primary active".
export async function emailRows(id) {
	return (await sql('SELECT e.email, e.type, e.is_primary,' +
	    ' e.user_active FROM user_emails e JOIN users u' +
	    ` ON u.id = e.user_id WHERE u.public_id = ${q(id)}` +
	    ' ORDER BY e.email')).map((r) => r.join(' '));
}

// Console sessions the user holds.
export function sessionsOf(id) {
	return count('sessions', 'user_id = (SELECT id FROM users' +
	    ` WHERE public_id = ${q(id)})`);
}
