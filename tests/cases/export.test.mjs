// export.test.mjs - case exports behind capability URLs (JSON as the
// contract shows it, CSV read back with csv-parse) and artifacts (PDF,
// PNG, JPEG, magic bytes checked, 8 MiB at most), over real HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import {
	newOrg, invoice, createCase, approvedCase, sql, env,
} from './lib.mjs';

const HEADER = 'case_id,invoice_number,invoice_date,vendor_name,subtotal,' +
    'tax,total';
const MAX = 8388608;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
const PDF = Buffer.from('%PDF-1.7\n');

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

// A file of type magic: its magic bytes, then n random bytes.
const file = (magic, n = 64) => Buffer.concat([magic, randomBytes(n)]);

// GET a capability URL with no credential at all.
async function download(url) {
	const res = await fetch(url, { redirect: 'manual' });
	const buf = Buffer.from(await res.arrayBuffer());
	return { status: res.status, headers: res.headers, buf,
	    text: buf.toString('utf8') };
}

function exportOf(org, id, body) {
	return org.api('POST', `/api/cases/${id}/export`, body);
}

function upload(org, id, body, type, query = '') {
	const headers = type === undefined ? {} : { 'content-type': type };
	return org.api('POST', `/api/cases/${id}/artifacts${query}`, body,
	    headers);
}

async function count(table, org) {
	const [[n]] = await sql(`SELECT COUNT(*) FROM ${table}` +
	    ` WHERE org_id = ${Number(org.id)}`);
	return Number(n);
}

// The name part of an export URL, checked to be on this host.
function nameOf(url, kind, ext) {
	const prefix = `${env.base}/api/exports/`;
	assert.ok(url.startsWith(prefix), `${url} is not under ${prefix}`);
	const name = url.slice(prefix.length);
	assert.match(name, new RegExp(`^${kind}-[0-9a-f]{64}\\.${ext}$`));
	return name;
}

function assertOk(r, status = 200) {
	assert.equal(r.status, status, r.text);
}

test('JSON export: the contract fields and values, a credential-free URL serving size_bytes bytes', async () => {
	const org = await newOrg('exp');
	const inv = invoice({ vendor_id: 'vendor-456' });
	const id = await createCase(org, inv);
	const ap = await org.api('POST', `/api/cases/${id}/approve`);
	assertOk(ap);

	const before = Date.now();
	const r = await exportOf(org, id, { format: 'json' });
	assertOk(r);
	assert.deepEqual(Object.keys(r.json).sort(),
	    ['expires_at', 'export_url', 'format', 'size_bytes']);
	assert.equal(r.json.format, 'json');
	const name = nameOf(r.json.export_url, 'export', 'json');
	const ttl = Date.parse(r.json.expires_at) - before;
	assert.ok(Math.abs(ttl - 24 * 3600e3) < 120e3, `expires in ${ttl} ms`);

	const d = await download(r.json.export_url);
	assertOk(d);
	assert.equal(d.headers.get('content-type'), 'application/json');
	assert.equal(d.headers.get('cache-control'), 'no-store');
	assert.match(d.headers.get('content-disposition'),
	    new RegExp(`^attachment; filename="${id}\\.json"`));
	assert.equal(d.buf.length, r.json.size_bytes);
	assert.equal(Number(d.headers.get('content-length')), r.json.size_bytes);

	const want = {
		case_id: id,
		invoice_number: inv.invoice_number,
		invoice_date: '2026-01-20',
		vendor_name: inv.vendor_name,
		vendor_id: 'vendor-456',
		subtotal: 1102.00,
		tax: 110.20,
		total: 1212.20,
		line_items: inv.line_items.map((l) => ({
			sku: l.sku, description: l.description,
			quantity: l.quantity, unit_price: l.unit_price,
			line_total: l.line_total,
		})),
		approved_by: ap.json.approved_by,
		approved_at: ap.json.approved_at,
	};
	const got = JSON.parse(d.text);
	assert.deepEqual(got, want);
	assert.deepEqual(Object.keys(got), Object.keys(want));
	// Amounts are numbers with two decimals in the text itself.
	for (const s of ['"subtotal":1102.00', '"tax":110.20',
	    '"total":1212.20', '"unit_price":100.00', '"unit_price":25.50',
	    '"line_total":1000.00', '"line_total":102.00', '"quantity":10,'])
		assert.ok(d.text.includes(s), `${s} not in ${d.text}`);

	// Only the token's hash is kept, never the token.
	const token = name.slice('export-'.length, -'.json'.length);
	const rows = await sql('SELECT HEX(token_hash), format, size_bytes,' +
	    ' LENGTH(body), expires_at > NOW() + INTERVAL 23 HOUR' +
	    ` FROM invoice_case_exports WHERE org_id = ${Number(org.id)}`);
	assert.equal(rows.length, 1);
	assert.notEqual(rows[0][0].toLowerCase(), token);
	assert.deepEqual(rows[0].slice(1),
	    ['json', String(r.json.size_bytes), String(r.json.size_bytes), '1']);
	const audit = (await org.api('GET', `/api/cases/${id}`)).json.audit_log;
	assert.deepEqual(audit.map((e) => [e.action, e.result]),
	    [['create', 'pending'], ['approve', 'approved'], ['export', 'json']]);

	// Each export is a new link; the first still works.
	const again = await exportOf(org, id, { format: 'json' });
	assertOk(again);
	assert.notEqual(again.json.export_url, r.json.export_url);
	assert.equal((await download(again.json.export_url)).text, d.text);
	assert.equal((await download(r.json.export_url)).status, 200);
});

test('JSON export: vendor_id null when none, include_line_items false omits them', async () => {
	const org = await newOrg('exp');
	const id = await approvedCase(org);
	const r = await exportOf(org, id,
	    { format: 'json', include_line_items: false });
	assertOk(r);
	const doc = JSON.parse((await download(r.json.export_url)).text);
	assert.equal(doc.vendor_id, null);
	assert.ok('vendor_id' in doc);
	assert.ok(!('line_items' in doc), JSON.stringify(doc));
	assert.ok(!('artifacts' in doc));
	assert.deepEqual(Object.keys(doc), ['case_id', 'invoice_number',
	    'invoice_date', 'vendor_name', 'vendor_id', 'subtotal', 'tax',
	    'total', 'approved_by', 'approved_at']);
	const withLines = await exportOf(org, id,
	    { format: 'json', include_line_items: true });
	assert.equal(JSON.parse((await download(withLines.json.export_url))
	    .text).line_items.length, 2);
});

test('links: expired -> 410, unknown or tampered names -> 404', async () => {
	const org = await newOrg('exp');
	const id = await approvedCase(org);
	const r = await exportOf(org, id, { format: 'csv' });
	assertOk(r);
	const url = r.json.export_url;
	const name = nameOf(url, 'export', 'csv');
	const base = `${env.base}/api/exports/`;
	const flip = (c) => (c === '0' ? '1' : '0');
	const token = name.slice(7, 71);
	const tampered = [
		`export-${flip(token[0])}${token.slice(1)}.csv`,
		`export-${token.slice(0, 63)}${flip(token[63])}.csv`,
		`export-${token}.json`,
		`artifact-${token}.csv`,
		`export-${token.toUpperCase()}.csv`,
		`export-${token}`,
		`export-${token}0.csv`,
		`export-${randomBytes(32).toString('hex')}.csv`,
		'export-.csv',
	];
	for (const t of tampered) {
		const d = await download(base + t);
		assert.equal(d.status, 404, `${t}: ${d.text}`);
		assert.equal(JSON.parse(d.text).error.code, 'EXPORT_NOT_FOUND');
	}
	assert.equal((await download(url)).status, 200);

	await sql('UPDATE invoice_case_exports SET expires_at = NOW(3) -' +
	    ` INTERVAL 1 SECOND WHERE org_id = ${Number(org.id)}`);
	const gone = await download(url);
	assert.equal(gone.status, 410, gone.text);
	assert.equal(JSON.parse(gone.text).error.code, 'EXPORT_EXPIRED');
	assert.ok(!gone.text.includes('case_id,'), 'an expired link served');
});

test('CSV export: header exact, row exact, quoting and formula cells, read back by csv-parse', async () => {
	const org = await newOrg('exp');
	const vendors = [
		['Acme Corp', 'Acme Corp'],
		['Acme, Inc.', 'Acme, Inc.'],
		['The "Best" Beans', 'The "Best" Beans'],
		['Line one\nLine two', 'Line one\nLine two'],
		['Café Müller 東京 😀', 'Café Müller 東京 😀'],
		['=HYPERLINK("http://evil.example","x")',
		    '\'=HYPERLINK("http://evil.example","x")'],
		['+1 Supplies', '\'+1 Supplies'],
		['-2 Supplies', '\'-2 Supplies'],
		['@SUM(A1)', '\'@SUM(A1)'],
		['\tTab Co', '\'\tTab Co'],
		['\rCR Co', '\'\rCR Co'],
	];
	for (const [vendor, cell] of vendors) {
		const inv = invoice({ vendor_name: vendor });
		const id = await approvedCase(org, inv);
		const r = await exportOf(org, id, { format: 'csv' });
		assertOk(r);
		assert.equal(r.json.format, 'csv');
		nameOf(r.json.export_url, 'export', 'csv');
		const d = await download(r.json.export_url);
		assertOk(d);
		assert.equal(d.headers.get('content-type'),
		    'text/csv; charset=utf-8');
		assert.equal(d.headers.get('cache-control'), 'no-store');
		assert.match(d.headers.get('content-disposition'),
		    new RegExp(`^attachment; filename="${id}\\.csv"`));
		assert.equal(d.buf.length, r.json.size_bytes);
		assert.ok(d.text.startsWith(`${HEADER}\r\n`), d.text);
		assert.ok(d.text.endsWith('\r\n'));
		const recs = parse(d.buf, { record_delimiter: '\r\n' });
		assert.deepEqual(recs, [HEADER.split(','), [id,
		    inv.invoice_number, '2026-01-20', cell, '1102.00', '110.20',
		    '1212.20']], JSON.stringify(vendor));
	}
});

test('CSV export: the plain row is the contract\'s, formula invoice numbers guarded, line items never in it', async () => {
	const org = await newOrg('exp');
	const inv = invoice({ vendor_name: 'Acme Corp',
	    invoice_number: '=1+1' });
	const id = await approvedCase(org, inv);
	const r = await exportOf(org, id,
	    { format: 'csv', include_line_items: true });
	assertOk(r);
	const d = await download(r.json.export_url);
	assert.equal(d.text, `${HEADER}\r\n${id},'=1+1,2026-01-20,Acme Corp,` +
	    '1102.00,110.20,1212.20\r\n');
	for (const l of inv.line_items)
		assert.ok(!d.text.includes(l.sku));
});

test('refusals: pending or rejected -> 403, unknown or another org\'s case -> 404, bad body -> 400; nothing stored', async () => {
	const org = await newOrg('exp');
	const other = await newOrg('exp');
	const pending = await createCase(org);
	const rejected = await createCase(org);
	assertOk(await org.api('POST', `/api/cases/${rejected}/reject`,
	    { note: 'wrong' }));
	const approved = await approvedCase(org);
	const foreign = await approvedCase(other);

	for (const id of [pending, rejected]) {
		const r = await exportOf(org, id, { format: 'json' });
		assert.equal(r.status, 403, r.text);
		assert.equal(r.json.error.code, 'CASE_NOT_APPROVED');
	}
	for (const id of ['case-nope', foreign]) {
		const r = await exportOf(org, id, { format: 'json' });
		assert.equal(r.status, 404, r.text);
		assert.equal(r.json.error.code, 'CASE_NOT_FOUND');
	}
	const bad = [
		[{}, 'format'],
		[{ format: 'xml' }, 'format'],
		[{ format: 'JSON' }, 'format'],
		[{ format: 1 }, 'format'],
		[{ format: null }, 'format'],
		[{ format: 'json', include_line_items: 'yes' }, 'include_line_items'],
		[{ format: 'json', include_line_items: 1 }, 'include_line_items'],
		[{ format: 'csv', include_artifacts: 'true' }, 'include_artifacts'],
		[[], 'body'],
		['not json', null],
	];
	for (const [body, field] of bad) {
		const r = await exportOf(org, approved, body);
		assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
		if (field)
			assert.match(r.json.error.message, new RegExp(`^${field}`),
			    JSON.stringify(body));
	}
	assert.equal(await count('invoice_case_exports', org), 0);
	assert.equal(await count('invoice_case_exports', other), 0);
	const audit = (await org.api('GET', `/api/cases/${approved}`))
	    .json.audit_log;
	assert.ok(!audit.some((e) => e.action === 'export'));
});

test('artifacts: PNG, JPEG and PDF stored with their sha256, listed on the case, served by export links', async () => {
	const org = await newOrg('exp');
	const id = await approvedCase(org);
	const files = [
		[file(PNG, 300), 'image/png', '', 'artifact.png'],
		[file(JPEG, 500), 'image/jpeg', '?filename=Rechnung%20M%C3%BCller%20%221%22.jpg',
		    'Rechnung Müller "1".jpg'],
		[file(PDF, 1000), 'application/pdf; charset=binary',
		    '?filename=invoice.pdf', 'invoice.pdf'],
	];
	const stored = [];
	for (const [body, type, query, filename] of files) {
		const r = await upload(org, id, body, type, query);
		assertOk(r, 201);
		assert.deepEqual(Object.keys(r.json).sort(), ['artifact_id',
		    'content_type', 'created_at', 'filename', 'sha256',
		    'size_bytes']);
		assert.match(r.json.artifact_id, /^artifact-[0-9a-f-]{36}$/);
		assert.equal(r.json.filename, filename);
		assert.equal(r.json.content_type, type.split(';')[0]);
		assert.equal(r.json.size_bytes, body.length);
		assert.equal(r.json.sha256, sha256(body));
		stored.push([r.json, body]);
	}
	const [[n, sum]] = await sql('SELECT COUNT(*), SUM(LENGTH(body))' +
	    ` FROM invoice_case_artifacts WHERE org_id = ${Number(org.id)}`);
	assert.equal(Number(n), 3);
	assert.equal(Number(sum), files.reduce((s, f) => s + f[0].length, 0));

	const c = await org.api('GET', `/api/cases/${id}`);
	assert.deepEqual(c.json.artifacts, stored.map(([a]) => a));
	assert.ok(c.json.audit_log.filter((e) => e.action === 'artifact')
	    .length === 3);

	const r = await exportOf(org, id,
	    { format: 'json', include_artifacts: true });
	assertOk(r);
	const doc = JSON.parse((await download(r.json.export_url)).text);
	assert.equal(doc.artifacts.length, 3);
	const urls = new Set();
	for (const [i, a] of doc.artifacts.entries()) {
		const [meta, body] = stored[i];
		const { url, expires_at: exp, ...rest } = a;
		const { created_at: _, ...want } = meta;
		assert.deepEqual(rest, want);
		assert.equal(exp, r.json.expires_at);
		const ext = { 'image/png': 'png', 'image/jpeg': 'jpg',
		    'application/pdf': 'pdf' }[meta.content_type];
		nameOf(url, 'artifact', ext);
		urls.add(url);
		const d = await download(url);
		assertOk(d);
		assert.equal(d.headers.get('content-type'), meta.content_type);
		assert.equal(d.headers.get('cache-control'), 'no-store');
		assert.ok(d.buf.equals(body), `artifact ${i} bytes differ`);
		assert.equal(sha256(d.buf), meta.sha256);
		assert.match(d.headers.get('content-disposition'),
		    /^attachment; filename="[A-Za-z0-9._-]+"; filename\*=UTF-8''/);
	}
	assert.equal(urls.size, 3);
	assert.equal(doc.artifacts[1].filename, 'Rechnung Müller "1".jpg');
	assert.equal((await download(doc.artifacts[1].url)).headers
	    .get('content-disposition'), 'attachment; ' +
	    'filename="Rechnung_M_ller__1_.jpg"; ' +
	    "filename*=UTF-8''Rechnung%20M%C3%BCller%20%221%22.jpg");
	// Artifact links keep no copy of the bytes.
	const [[copies]] = await sql('SELECT COUNT(*) FROM invoice_case_exports' +
	    ` WHERE org_id = ${Number(org.id)} AND artifact_id IS NOT NULL` +
	    ' AND body IS NULL');
	assert.equal(Number(copies), 3);
	// An artifact link expires with its export.
	await sql('UPDATE invoice_case_exports SET expires_at = NOW(3) -' +
	    ` INTERVAL 1 SECOND WHERE org_id = ${Number(org.id)}`);
	assert.equal((await download(doc.artifacts[0].url)).status, 410);
});

test('artifacts: wrong magic, mismatched or missing type, empty body, bad filename, another org -> refused, nothing stored', async () => {
	const org = await newOrg('exp');
	const other = await newOrg('exp');
	const id = await createCase(org);	// pending cases take artifacts
	const foreign = await createCase(other);
	const refused = [
		[file(JPEG), 'image/png', '', 422, 'body'],
		[file(PNG), 'image/jpeg', '', 422, 'body'],
		[file(PNG), 'application/pdf', '', 422, 'body'],
		[Buffer.from('%PDF'), 'application/pdf', '', 422, 'body'],
		[Buffer.from('GIF89a....'), 'image/gif', '', 415, null],
		[file(PNG), 'text/plain', '', 415, null],
		[file(PNG), 'application/octet-stream', '', 415, null],
		[file(PNG), undefined, '', 415, null],
		[Buffer.alloc(0), 'image/png', '', 400, 'body'],
		[file(PNG), 'image/png', '?filename=a%2Fb.png', 400, 'filename'],
		[file(PNG), 'image/png', '?filename=a%5Cb.png', 400, 'filename'],
		// (lighttpd may refuse an encoded control character itself)
		[file(PNG), 'image/png', '?filename=a%0Ab.png', 400, null],
		[file(PNG), 'image/png', '?filename=a%7Fb.png', 400, null],
		[file(PNG), 'image/png', '?filename=', 400, 'filename'],
		[file(PNG), 'image/png', '?filename=..', 400, 'filename'],
		[file(PNG), 'image/png', `?filename=${'a'.repeat(256)}`, 400,
		    'filename'],
	];
	for (const [body, type, query, status, field] of refused) {
		const r = await upload(org, id, body, type, query);
		assert.equal(r.status, status, `${type} ${query}: ${r.text}`);
		if (status === 415)
			assert.equal(r.json.error.code, 'UNSUPPORTED_MEDIA_TYPE');
		if (field)
			assert.match(r.json.error.message, new RegExp(`^${field}`));
	}
	const long = await upload(org, id, file(PNG), 'image/png',
	    `?filename=${'é'.repeat(255)}`);
	assertOk(long, 201);
	assert.equal(long.json.filename, 'é'.repeat(255));
	const r = await upload(org, foreign, file(PNG), 'image/png');
	assert.equal(r.status, 404, r.text);
	assert.equal(r.json.error.code, 'CASE_NOT_FOUND');
	assert.equal((await upload(org, 'case-nope', file(PNG), 'image/png'))
	    .status, 404);
	assert.equal(await count('invoice_case_artifacts', org), 1);
	assert.equal(await count('invoice_case_artifacts', other), 0);
});

test('artifacts: 8 MiB is taken and served back exactly, 8 MiB + 1 -> 413', async () => {
	const org = await newOrg('exp');
	const id = await approvedCase(org);
	const over = await upload(org, id, file(PDF, MAX + 1 - PDF.length),
	    'application/pdf');
	assert.equal(over.status, 413, over.text);
	assert.equal(await count('invoice_case_artifacts', org), 0);

	const body = file(PDF, MAX - PDF.length);
	const r = await upload(org, id, body, 'application/pdf');
	assertOk(r, 201);
	assert.equal(r.json.size_bytes, MAX);
	assert.equal(r.json.sha256, sha256(body));
	const e = await exportOf(org, id, { format: 'json',
	    include_artifacts: true });
	assertOk(e);
	const doc = JSON.parse((await download(e.json.export_url)).text);
	const d = await download(doc.artifacts[0].url);
	assertOk(d);
	assert.equal(d.buf.length, MAX);
	assert.equal(sha256(d.buf), r.json.sha256);
});
