// products.test.mjs - POST /api/products/create over real HTTP against the
// running stack: designs served by an image server this file starts
// (PNGs built here with zlib and a CRC, JPEGs from a tiny baseline JPEG
// whose JFIF density is patched, or given an EXIF XResolution), judged
// by DPI, then made into Printful sync products on the stand-in
// (MIHWAR_PRINTFUL_URL) with mockups.
//
// The stand-in acts on markers in a request's body: [pf:fail] in the
// title fails POST /store/products; [pf:mockfail] must reach the mockup
// task's body, whose only text of ours is the design's URL, so it rides
// in the URL's query there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { deflateSync } from 'node:zlib';
import { call, newClient, adminKey, printfulRequests, sql, q, rand }
    from './lib.mjs';

const MiB = 1024 * 1024;
const SIZES = ['XS', 'S', 'M', 'L', 'XL', '2XL', '3XL', '4XL', '5XL'];
// The catalog variant ids products.c documents (Printful product 71,
// Bella + Canvas 3001, and product 1, Enhanced Matte Paper Poster).
const SHIRT = {
	black: [9527, 4016, 4017, 4018, 4019, 4020, 5295, 5310, 12871],
	white: [9526, 4011, 4012, 4013, 4014, 4015, 5294, 5309, 12872],
};
const POSTER = [['12x16', 1349], ['18x24', 1], ['24x36', 2]];

// PNG -------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;

	for (let k = 0; k < 8; k++)
		c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

function crc32(buf) {
	let c = 0xFFFFFFFF;

	for (const b of buf)
		c = CRC_TABLE[(c ^ b) & 0xFF] ^ (c >>> 8);
	return (c ^ 0xFFFFFFFF) >>> 0;
}

function chunk(type, data) {
	const len = Buffer.alloc(4);
	const crc = Buffer.alloc(4);
	const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);

	len.writeUInt32BE(data.length);
	crc.writeUInt32BE(crc32(td));
	return Buffer.concat([len, td, crc]);
}

const PNG_SIG = Buffer.from([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);

// A w x h grey PNG; ppm (pixels per metre, unit metre) gives it pHYs.
function png(w, h, ppm = null) {
	const ihdr = Buffer.alloc(13);
	const parts = [PNG_SIG];

	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr[8] = 8;		// bit depth
	ihdr[9] = 0;		// greyscale
	parts.push(chunk('IHDR', ihdr));
	if (ppm !== null) {
		const phys = Buffer.alloc(9);

		phys.writeUInt32BE(ppm, 0);
		phys.writeUInt32BE(ppm, 4);
		phys[8] = 1;	// metre
		parts.push(chunk('pHYs', phys));
	}
	parts.push(chunk('IDAT', deflateSync(Buffer.alloc(h * (w + 1)))));
	parts.push(chunk('IEND', Buffer.alloc(0)));
	return Buffer.concat(parts);
}

// JPEG ------------------------------------------------------------------

// A 16 x 8 grey baseline JPEG made with libjpeg: SOI, JFIF APP0 (units
// at byte 13, X and Y density at 14 and 16), tables, SOF0, scan.
const TINY_JPEG = Buffer.from(
    '/9j/4AAQSkZJRgABAQEBLAEsAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U' +
    'HRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAAIABABAREA' +
    '/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQA' +
    'AAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJico' +
    'KSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKT' +
    'lJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo' +
    '6erx8vP09fb3+Pn6/9oACAEBAAA/APn+iv/Z', 'base64');

// The tiny JPEG with JFIF units (0 aspect, 1 dpi, 2 dots/cm) and density.
function jpeg(units, density) {
	const b = Buffer.from(TINY_JPEG);

	b[13] = units;
	b.writeUInt16BE(density, 14);
	b.writeUInt16BE(density, 16);
	return b;
}

// An EXIF APP1 block: IFD0 with XResolution num/den and ResolutionUnit
// (2 inch, 3 cm), in the byte order big says.
function exifBlock(num, den, unit, big) {
	const t = Buffer.alloc(8 + 2 + 24 + 4 + 8);
	const u16 = (v, o) => big ? t.writeUInt16BE(v, o) : t.writeUInt16LE(v, o);
	const u32 = (v, o) => big ? t.writeUInt32BE(v, o) : t.writeUInt32LE(v, o);

	t.write(big ? 'MM' : 'II', 0, 'latin1');
	u16(42, 2);
	u32(8, 4);		// IFD0
	u16(2, 8);		// two entries
	u16(0x011A, 10);	// XResolution, RATIONAL, 1, at 38
	u16(5, 12);
	u32(1, 14);
	u32(38, 18);
	u16(0x0128, 22);	// ResolutionUnit, SHORT, 1
	u16(3, 24);
	u32(1, 26);
	u16(unit, 30);
	u32(0, 34);		// no next IFD
	u32(num, 38);
	u32(den, 42);
	return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), t]);
}

// The tiny JPEG whose JFIF gives an aspect ratio only, with an EXIF APP1.
function jpegExif(num, den, unit, big = false) {
	const b = jpeg(0, 1);
	const data = exifBlock(num, den, unit, big);
	const head = Buffer.from([0xFF, 0xE1, 0, 0]);

	head.writeUInt16BE(data.length + 2, 2);
	return Buffer.concat([b.subarray(0, 20), head, data, b.subarray(20)]);
}

// The image server ---------------------------------------------------------

const images = new Map();	// path -> Buffer
let server;
let base;

// total bytes: head (a PNG signature when none) then zeros, streamed.
function serveHuge(res, total, head = PNG_SIG) {
	const zeros = Buffer.alloc(MiB);
	let sent = 0;

	res.writeHead(200, { 'content-type': 'image/png',
	    'content-length': total });
	res.on('close', () => { sent = total; });
	const pump = () => {
		while (sent < total) {
			const n = Math.min(zeros.length, total - sent);
			const b = sent === 0 ? Buffer.concat([head,
			    zeros.subarray(head.length, n)]) :
			    zeros.subarray(0, n);

			sent += n;
			if (!res.write(b))
				return res.once('drain', pump);
		}
		res.end();
	};
	pump();
}

before(async () => {
	server = http.createServer((req, res) => {
		const path = new URL(req.url, 'http://x').pathname;

		if (path === '/huge.png')
			return serveHuge(res, 50 * MiB + 1);
		if (path === '/exact.png')
			return serveHuge(res, 50 * MiB, png(40, 30, PPM[300]));
		const img = images.get(path);
		if (!img) {
			res.writeHead(404, { 'content-type': 'text/plain' });
			return res.end('not found');
		}
		res.writeHead(200, { 'content-type': img.type,
		    'content-length': img.body.length });
		res.end(img.body);
	});
	await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
	base = `http://127.0.0.1:${server.address().port}`;
});

after(() => {
	server.closeAllConnections();
	server.close();
});

// A URL serving body, unique to this call.
function host(body, type = 'image/png') {
	const path = `/d/${rand(6)}`;

	images.set(path, { body, type });
	return `${base}${path}`;
}

// Helpers ----------------------------------------------------------------

const create = (client, body, headers) =>
    client.api('POST', '/api/products/create', body, headers);

// Every request the stand-in saw whose body mentions text.
async function sentWith(text) {
	return (await printfulRequests()).filter((r) => r.body.includes(text));
}

async function productRows(orgId) {
	return sql('SELECT public_id, title, product_type, design_url, colors, ' +
	    'retail_price, IFNULL(dpi, \'-\'), IFNULL(dpi_warning, \'-\'), ' +
	    'printful_product_id, external_id, mockup_urls FROM ' +
	    `fulfill_products WHERE org_id = ${q(orgId)} ORDER BY id`);
}

// The warning of the print area for a w x h design.
function areaWarning(type, w, h) {
	const [aw, ah, min] = type === 'poster' ? [18, 24, 300] : [12, 16, 150];
	const eff = Math.min(Math.floor(w / aw), Math.floor(h / ah));

	return eff < min ? `at the ${aw}x${ah} in print area the design's ` +
	    `${w}x${h} pixels give ${eff} DPI, below ${min}` : null;
}

// 422 for the design, exactly as the contract and issue shape it.
function assertRefused(res, why, dpi) {
	assert.equal(res.status, 422, res.text);
	assert.deepEqual(res.json, { error: `designUrl: ${why}`,
	    dpi: { valid: false, dpi, error: why },
	    requestId: res.headers.get('x-request-id') });
}

let shop;

before(async () => {
	shop = await newClient('prod');
});

// The DPI table -------------------------------------------------------------

const PPM = { 72: 2835, 150: 5906, 300: 11811 };
const TABLE = [];
for (const format of ['png', 'jpeg'])
	for (const dpi of [72, 150, 300])
		for (const type of ['shirt', 'poster'])
			TABLE.push({ format, dpi, type, ok: dpi >=
			    (type === 'poster' ? 300 : 150) });

test('the DPI table: 72/150/300 DPI PNG and JPEG for shirts and posters',
    async () => {
	const c = await newClient('dpi');
	let made = 0;

	for (const { format, dpi, type, ok } of TABLE) {
		const [body, w, h] = format === 'png' ?
		    [png(40, 30, PPM[dpi]), 40, 30] : [jpeg(1, dpi), 16, 8];
		const url = host(body, `image/${format}`);
		const res = await create(c, { title: `${format} ${dpi} ${type}`,
		    designUrl: url, productType: type });
		const what = `${format} ${dpi} DPI ${type}`;

		if (!ok) {
			const min = type === 'poster' ? 300 : 150;

			assertRefused(res, `the design is ${dpi} DPI; a ${type} ` +
			    `needs at least ${min} DPI`, dpi);
			assert.deepEqual(await sentWith(url), [], `${what}: ` +
			    'something reached Printful');
			continue;
		}
		made++;
		assert.equal(res.status, 200, `${what}: ${res.text}`);
		assert.equal(res.json.success, true);
		assert.deepEqual(res.json.dpi, { valid: true, dpi,
		    warning: areaWarning(type, w, h) }, what);
		assert.equal((await sentWith(url)).filter((r) =>
		    r.path === '/store/products').length, 1, what);
	}
	assert.equal((await productRows(c.id)).length, made);
	assert.equal(made, 6);
});

test('JPEG densities per centimetre and from EXIF XResolution', async () => {
	const cases = [
		// 118 dots/cm x 2.54 = 299.7: 300
		{ body: jpeg(2, 118), type: 'poster', dpi: 300 },
		{ body: jpeg(2, 28), type: 'shirt', refused: 71 },
		// JFIF aspect only: EXIF decides, either byte order and unit
		{ body: jpegExif(300, 1, 2), type: 'poster', dpi: 300 },
		{ body: jpegExif(1181, 10, 3, true), type: 'poster', dpi: 300 },
		{ body: jpegExif(72, 1, 2, true), type: 'shirt', refused: 72 },
	];

	for (const c of cases) {
		const url = host(c.body, 'image/jpeg');
		const res = await create(shop, { title: 'EXIF tee',
		    designUrl: url, productType: c.type });

		if (c.refused) {
			assertRefused(res, `the design is ${c.refused} DPI; a ` +
			    `${c.type} needs at least ${c.type === 'poster' ?
			    300 : 150} DPI`, c.refused);
			assert.deepEqual(await sentWith(url), []);
			continue;
		}
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(res.json.dpi, { valid: true, dpi: c.dpi,
		    warning: areaWarning(c.type, 16, 8) });
	}
});

test('default warns below 150 DPI and never refuses', async () => {
	for (const [dpi, body] of [[72, png(40, 30, PPM[72])],
	    [72, jpeg(1, 72)]]) {
		const res = await create(shop, { title: 'Default 72',
		    designUrl: host(body) });
		const [w, h] = body[0] === 0x89 ? [40, 30] : [16, 8];

		assert.equal(res.status, 200, res.text);
		assert.deepEqual(res.json.dpi, { valid: true, dpi,
		    warning: 'the design is 72 DPI, below the 150 DPI ' +
		    'recommended for print; ' + areaWarning('default', w, h) });
	}
});

test('enough pixels for the print area: no warning at all', async () => {
	// 1800 x 2400 is 150 DPI over a shirt's 12 x 16 in; 5400 x 7200 is
	// 300 DPI over a poster's 18 x 24 in.
	for (const [type, w, h, ppm, dpi] of [['shirt', 1800, 2400, 5906, 150],
	    ['poster', 5400, 7200, 11811, 300]]) {
		const res = await create(shop, { title: `Big ${type}`,
		    designUrl: host(png(w, h, ppm)), productType: type });

		assert.equal(res.status, 200, res.text);
		assert.deepEqual(res.json.dpi, { valid: true, dpi, warning: null });
	}
	// One pixel short in height: the effective DPI warns, nothing else.
	const res = await create(shop, { title: 'Short shirt',
	    designUrl: host(png(1800, 2399, 5906)), productType: 'shirt' });

	assert.equal(res.status, 200, res.text);
	assert.deepEqual(res.json.dpi, { valid: true, dpi: 150,
	    warning: 'at the 12x16 in print area the design\'s 1800x2399 ' +
	    'pixels give 149 DPI, below 150' });
});

test('no density metadata: a warning, not a refusal', async () => {
	for (const [type, body, w, h] of [['shirt', png(40, 30), 40, 30],
	    ['poster', jpeg(0, 1), 16, 8]]) {
		const res = await create(shop, { title: 'No density',
		    designUrl: host(body), productType: type });

		assert.equal(res.status, 200, res.text);
		assert.deepEqual(res.json.dpi, { valid: true, dpi: null,
		    warning: 'the design has no DPI metadata, so its ' +
		    'resolution could not be checked; ' +
		    areaWarning(type, w, h) });
	}
});

// Designs that cannot be had ---------------------------------------------------

test('a non-image, a 404, an unreachable host and a design over 50 MiB: 422 ' +
    '(exactly 50 MiB is taken)',
    async () => {
	const c = await newClient('bad');
	const closed = http.createServer();

	await new Promise((ok) => closed.listen(0, '127.0.0.1', ok));
	const deadPort = closed.address().port;
	await new Promise((ok) => closed.close(ok));

	const html = host(Buffer.from('<!doctype html><title>hi</title>'),
	    'text/html');
	let res = await create(c, { title: 'HTML', designUrl: html });
	assertRefused(res, 'not a PNG or JPEG image', null);

	// A PNG signature and then garbage is refused by libpng.
	res = await create(c, { title: 'Broken', designUrl: host(Buffer.concat(
	    [PNG_SIG, Buffer.from('not a chunk at all')])) });
	assert.equal(res.status, 422, res.text);
	assert.match(res.json.error, /^designUrl: not a readable PNG: /);

	const missing = `${base}/missing-${rand(4)}.png`;
	res = await create(c, { title: 'Gone', designUrl: missing });
	assertRefused(res, 'could not download the design: its server ' +
	    'answered 404', null);

	const dead = `http://127.0.0.1:${deadPort}/design.png`;
	res = await create(c, { title: 'Dead', designUrl: dead });
	assert.equal(res.status, 422, res.text);
	assert.match(res.json.error, /^designUrl: could not download the design: \S/);
	assert.deepEqual(res.json.dpi, { valid: false, dpi: null,
	    error: res.json.error.slice('designUrl: '.length) });

	const huge = `${base}/huge.png?${rand(4)}`;
	const t0 = Date.now();
	res = await create(c, { title: 'Huge', designUrl: huge });
	assertRefused(res, 'the design is larger than 50 MiB', null);
	assert.ok(Date.now() - t0 < 15000);

	// Exactly 50 MiB (a PNG, then padding) is within the cap.
	res = await create(c, { title: 'Fifty', designUrl:
	    `${base}/exact.png?${rand(4)}` });
	assert.equal(res.status, 200, res.text);
	assert.equal(res.json.dpi.dpi, 300);

	for (const u of [html, missing, dead, huge])
		assert.deepEqual(await sentWith(u), [], `${u} reached Printful`);
	assert.deepEqual((await productRows(c.id)).map((r) => r[1]), ['Fifty']);
});

// Printful -------------------------------------------------------------------

test('what Printful receives: a sync product, every size, the price, the file, ' +
    'the Bearer token; the row recorded', async () => {
	const c = await newClient('pf');
	const url = host(png(40, 30, PPM[300]));
	const res = await create(c, { title: 'Punk Skull Tee',
	    description: 'Spring run', designUrl: url, productType: 'shirt',
	    colors: ['black', 'White'], retailPrice: '34.50' });

	assert.equal(res.status, 200, res.text);
	const { printfulProductId, externalId, mockupUrls } = res.json;
	assert.match(externalId, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
	assert.equal(mockupUrls.length, 1);

	const seen = await sentWith(url);
	const prod = seen.filter((r) => r.path === '/store/products');
	assert.equal(prod.length, 1);
	assert.equal(prod[0].method, 'POST');
	assert.equal(prod[0].auth, 'Bearer pf-test-token');
	const body = JSON.parse(prod[0].body);
	assert.deepEqual(body.sync_product, { name: 'Punk Skull Tee',
	    external_id: externalId, thumbnail: url });
	const want = [];
	for (const color of ['black', 'white'])
		SIZES.forEach((size, i) => want.push({
		    external_id: `${externalId}-${size}-${color}`,
		    variant_id: SHIRT[color][i], retail_price: '34.50',
		    files: [{ url }] }));
	assert.deepEqual(body.sync_variants, want);

	const task = seen.filter((r) => r.path.startsWith('/mockup-generator/'));
	assert.equal(task.length, 1);
	assert.equal(task[0].path, '/mockup-generator/create-task/71');
	assert.equal(task[0].auth, 'Bearer pf-test-token');
	assert.deepEqual(JSON.parse(task[0].body), {
	    variant_ids: [...SHIRT.black, ...SHIRT.white], format: 'jpg',
	    files: [{ placement: 'front', image_url: url }] });
	// The task was polled until done (the stand-in answers pending once).
	const key = /mockups\/(gt-\d+)-front\.png$/.exec(mockupUrls[0])[1];
	const polls = (await printfulRequests()).filter((r) =>
	    r.path === '/mockup-generator/task' &&
	    r.query === `?task_key=${key}`);
	assert.equal(polls.length, 2);
	assert.ok(polls.every((r) => r.auth === 'Bearer pf-test-token'));

	assert.deepEqual(await productRows(c.id), [[externalId,
	    'Punk Skull Tee', 'shirt', url, '["black","white"]', '34.5000',
	    '300', areaWarning('shirt', 40, 30), String(printfulProductId),
	    externalId,
	    JSON.stringify(mockupUrls)]]);
});

test('a poster: its own sizes and catalog product, colours not multiplied',
    async () => {
	const url = host(png(40, 30, PPM[300]));
	const res = await create(shop, { title: 'Gig Poster', designUrl: url,
	    productType: 'poster', colors: ['red', 'blue'] });

	assert.equal(res.status, 200, res.text);
	const seen = await sentWith(url);
	const body = JSON.parse(seen.find((r) =>
	    r.path === '/store/products').body);
	assert.deepEqual(body.sync_variants, POSTER.map(([size, id]) => ({
	    external_id: `${res.json.externalId}-${size}`, variant_id: id,
	    retail_price: '29.99', files: [{ url }] })));
	const task = seen.find((r) =>
	    r.path.startsWith('/mockup-generator/create-task/'));
	assert.equal(task.path, '/mockup-generator/create-task/1');
	assert.deepEqual(JSON.parse(task.body).files,
	    [{ placement: 'default', image_url: url }]);
});

test('Printful failing: 502 with its reason and no product row', async () => {
	const c = await newClient('pffail');
	const url = host(png(40, 30, PPM[300]));
	const res = await create(c, { title: 'Doomed Tee [pf:fail]',
	    designUrl: url, productType: 'shirt' });

	assert.equal(res.status, 502, res.text);
	assert.deepEqual(res.json, { error: 'Printful 500: Printful had a ' +
	    'problem', requestId: res.headers.get('x-request-id') });
	assert.equal((await sentWith(url)).length, 1);	// no mockup task
	assert.deepEqual(await productRows(c.id), []);
	assert.deepEqual(await sql('SELECT COUNT(*) FROM fulfill_usage_events ' +
	    `WHERE org_id = ${q(c.id)}`), [['0']]);
});

test('a failed mockup task: 200, mockupUrls [] and a warning', async () => {
	const c = await newClient('mock');
	const url = host(png(40, 30, PPM[300])) + '?tag=[pf:mockfail]';
	const res = await create(c, { title: 'Mockless Tee', designUrl: url,
	    productType: 'shirt' });

	assert.equal(res.status, 200, res.text);
	assert.deepEqual(res.json, {
	    success: true, printfulProductId: res.json.printfulProductId,
	    externalId: res.json.externalId, mockupUrls: [],
	    dpi: { valid: true, dpi: 300, warning: areaWarning('shirt', 40, 30) },
	    warning: 'mockups were not generated: Printful\'s mockup task ' +
	    'failed: Mockup generation failed' });
	assert.ok(Number.isInteger(res.json.printfulProductId));
	const rows = await productRows(c.id);
	assert.equal(rows.length, 1);
	assert.equal(rows[0][10], '[]');
});

// The request -----------------------------------------------------------------

test('Idempotency-Key: a replay answers the same and makes one product',
    async () => {
	const c = await newClient('idem');
	const url = host(png(40, 30, PPM[300]));
	const body = { title: 'Once Tee', designUrl: url, productType: 'shirt' };
	const key = `idem-${rand(8)}`;
	const first = await create(c, body, { 'idempotency-key': key });
	const again = await create(c, body, { 'idempotency-key': key });

	assert.equal(first.status, 200, first.text);
	assert.equal(again.status, 200, again.text);
	assert.deepEqual(again.json, first.json);
	assert.equal((await productRows(c.id)).length, 1);
	assert.equal((await sentWith(url)).filter((r) =>
	    r.path === '/store/products').length, 1);
});

test('an admin key is refused with 403 and nothing is fetched or sent',
    async () => {
	const admin = await adminKey();
	const path = `/d/${rand(6)}`;
	const url = `${base}${path}`;
	let fetched = 0;

	images.set(path, { get body() { fetched++; return png(4, 4); },
	    type: 'image/png' });
	const res = await admin.api('POST', '/api/products/create',
	    { title: 'Admin Tee', designUrl: url });

	assert.equal(res.status, 403, res.text);
	assert.deepEqual(Object.keys(res.json).sort(), ['error', 'requestId']);
	assert.equal(fetched, 0);
	assert.deepEqual(await sentWith(url), []);
	assert.deepEqual(await sql('SELECT COUNT(*) FROM fulfill_products p ' +
	    'JOIN organizations o ON o.id = p.org_id WHERE o.slug = ' +
	    q(admin.slug)), [['0']]);
});

test('a bad body: 400 naming the field, nothing fetched or sent', async () => {
	const c = await newClient('valid');
	const tag = rand(6);
	const url = `${base}/d/never-${tag}`;
	const ok = { title: `Valid ${tag}`, designUrl: url };
	const cases = [
		[{ designUrl: url }, 'title: is required'],
		[{ ...ok, title: '' }, 'title: expected 1 to 200 characters, got 0'],
		[{ ...ok, title: 'x'.repeat(201) },
		    'title: expected 1 to 200 characters, got 201'],
		[{ ...ok, title: 7 }, 'title: expected a string'],
		[{ ...ok, description: 'd'.repeat(2001) },
		    'description: expected 0 to 2000 characters, got 2001'],
		[{ title: ok.title }, 'designUrl: is required'],
		[{ ...ok, designUrl: `ftp://127.0.0.1/${tag}.png` },
		    'designUrl: expected an http or https URL'],
		[{ ...ok, designUrl: `not a url ${tag}` },
		    'designUrl: expected an http or https URL'],
		[{ ...ok, designUrl: `https://x.test/${'a'.repeat(2048)}` },
		    'designUrl: expected 1 to 2048 characters, got 2063'],
		[{ ...ok, productType: 'mug' },
		    'productType: mug is not one of the allowed values'],
		[{ ...ok, colors: [] }, 'colors: expected an array of 1 to 10 ' +
		    'strings'],
		[{ ...ok, colors: Array(11).fill('black') },
		    'colors: expected an array of 1 to 10 strings'],
		[{ ...ok, colors: 'black' }, 'colors: expected an array of 1 ' +
		    'to 10 strings'],
		[{ ...ok, colors: ['black', 3] },
		    'colors[1]: expected a string of 1 to 32 characters'],
		[{ ...ok, colors: ['black', 'red'] }, 'colors[1]: red is not a ' +
		    'color this product is made in (black, white)'],
		[{ ...ok, colors: ['black', 'Black'] },
		    'colors[1]: black is listed twice'],
		[{ ...ok, retailPrice: 29.99 }, 'retailPrice: expected a ' +
		    'decimal string such as "29.99"'],
		[{ ...ok, retailPrice: 'abc' }, 'retailPrice: expected a ' +
		    'decimal string such as "29.99"'],
		[{ ...ok, retailPrice: '0' }, 'retailPrice: must be more than 0 ' +
		    'and at most 100000.00'],
		[{ ...ok, retailPrice: '-5' }, 'retailPrice: must be more than ' +
		    '0 and at most 100000.00'],
		[{ ...ok, retailPrice: '29.999' },
		    'retailPrice: at most 2 decimal places'],
		[[ok], 'body: expected a JSON object'],
	];

	for (const [body, error] of cases) {
		const res = await create(c, body);

		assert.equal(res.status, 400, `${error}: ${res.text}`);
		assert.deepEqual(res.json, { error,
		    requestId: res.headers.get('x-request-id') });
	}
	const bad = await call(c.key, 'POST', '/api/products/create', '{"title":',
	    { 'content-type': 'application/json' });
	assert.equal(bad.status, 400);
	assert.deepEqual(await sentWith(tag), []);
	assert.deepEqual(await productRows(c.id), []);
});

test('usage: product_created once per product made', async (t) => {
	const c = await newClient('usage');
	const usage = await c.api('GET', '/api/me/usage');

	if (usage.status === 501) {
		// fusage.c is still the foundation's stub in this tree:
		// usage_record writes nothing until the usage code lands.
		t.skip('usage_record is not written yet (GET /api/me/usage 501)');
		return;
	}
	const url = host(png(40, 30, PPM[300]));
	const key = `u-${rand(6)}`;
	const made = [];
	for (const title of ['Usage A', 'Usage B']) {
		const res = await create(c, { title, designUrl: url },
		    { 'idempotency-key': `${key}-${title}` });

		assert.equal(res.status, 200, res.text);
		made.push(res.json.externalId);
	}
	// A replay, a refusal and a Printful failure count nothing.
	assert.equal((await create(c, { title: 'Usage A', designUrl: url },
	    { 'idempotency-key': `${key}-Usage A` })).status, 200);
	assert.equal((await create(c, { title: 'Usage [pf:fail]',
	    designUrl: url })).status, 502);
	assert.equal((await create(c, { title: 'Usage 72', designUrl:
	    host(png(40, 30, PPM[72])), productType: 'poster' })).status, 422);

	const rows = await sql('SELECT kind, ref_id FROM fulfill_usage_events ' +
	    `WHERE org_id = ${q(c.id)} ORDER BY id`);
	assert.deepEqual(rows, made.map((id) => ['product_created', id]));
	const after = await c.api('GET', '/api/me/usage');
	assert.equal(after.status, 200, after.text);
	assert.equal(after.json.productCreations, 2);
});
