// hookslib.mjs - what the integrations' webhook suites share: a fresh
// organization with an integration key (mihwarctl), the /api/v1 and
// Integrations API calls, webhook integrations made through
// POST /api/v1/integrations, and their log lines read from the database
// (headers and body are not in the logs API). Stack helpers come from
// the webhook suites (tests/webhooks/stack.mjs).
import { ctl, env, rand, sql, q } from '../webhooks/stack.mjs';

export { rand, sql, q, env };

export async function http(method, path, { headers = {}, body } = {}) {
	const res = await fetch(env.base + path, { method, headers, body,
	    redirect: 'manual' });
	const text = await res.text();
	let json = null;

	try {
		json = JSON.parse(text);
	} catch {
		/* not JSON */
	}
	return { status: res.status, headers: res.headers, text, json };
}

// A fresh organization and its integration key, with f.v1 (the
// /api/v1 family) and f.integ (the Integrations API) bound to the key.
export async function fixture(prefix = 'hk') {
	const slug = `${prefix}-${rand(5)}`;
	const f = { slug };

	await ctl(['org', 'create', '--slug', slug, '--name', `Hooks ${slug}`]);
	f.key = (await ctl(['key', 'create', '--org', slug, '--kind',
	    'integration'])).key;
	const call = (base) => (method, path, body) => http(method,
	    base + path, {
		headers: { authorization: `Bearer ${f.key}`,
		    ...(body !== undefined ?
		    { 'content-type': 'application/json' } : {}) },
		body: body !== undefined ? JSON.stringify(body) : undefined,
	    });
	f.v1 = call('/api/v1');
	f.integ = call('/api/integrations/v1');
	// A webhook integration (201 expected): its answer, signing secret
	// included.
	f.webhook = async (name, url, config = {}) => {
		const res = await f.v1('POST', '/integrations', { name,
		    type: 'webhook', webhook_url: url, config_data: config });

		if (res.status !== 201)
			throw new Error(`integration create: ${res.status} ` +
			    `${res.text}`);
		return res.json.data ?? res.json;
	};
	f.setStatus = async (id, status) => {
		const res = await f.v1('PATCH', `/integrations/${id}`,
		    { status });

		if (res.status !== 200)
			throw new Error(`integration ${status}: ${res.status} ` +
			    `${res.text}`);
	};
	return f;
}

// The log lines of integration id, oldest first, as the database has
// them (headers parsed, body as a Buffer or null).
export async function logLines(id) {
	const rows = await sql('SELECT l.public_id, l.direction, l.kind, ' +
	    'l.status, IFNULL(l.http_status, \'NULL\'), ' +
	    'IFNULL(l.duration_ms, \'NULL\'), IFNULL(l.error, \'NULL\'), ' +
	    'IFNULL(TO_BASE64(l.headers), \'NULL\'), ' +
	    'IFNULL(TO_BASE64(l.body), \'NULL\') FROM integration_logs l ' +
	    'JOIN integrations i ON i.id = l.integration_id ' +
	    `WHERE i.public_id = ${q(id)} ORDER BY l.id`);
	const b64 = (s) => s === 'NULL' ? null :
	    Buffer.from(s.replace(/\\n/g, ''), 'base64');
	const num = (s) => s === 'NULL' ? null : Number(s);

	return rows.map(([logId, direction, kind, status, http, ms, error,
	    headers, body]) => ({
		id: logId, direction, kind, status, http_status: num(http),
		duration_ms: num(ms), error: error === 'NULL' ? null : error,
		headers: headers === 'NULL' ? null :
		    JSON.parse(b64(headers).toString('utf8')),
		body: b64(body),
	}));
}

// Every log line of every integration: to show a refusal wrote none.
export async function allLogCount() {
	return Number((await sql('SELECT COUNT(*) FROM integration_logs'))[0][0]);
}
