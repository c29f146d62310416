// fcgi-client.mjs - the smallest FastCGI client (responder role, one
// request per connection), to drive mihwar.fcgi with the parameters a
// web server would send: mod_fcgid passes a .htaccess's SetEnv as a
// request parameter, which no HTTP client can set.
import net from 'node:net';

const VERSION = 1, BEGIN_REQUEST = 1, END_REQUEST = 3, PARAMS = 4,
    STDIN = 5, STDOUT = 6, STDERR = 7, RESPONDER = 1, ID = 1;

function record(type, body = Buffer.alloc(0)) {
	const pad = (8 - (body.length % 8)) % 8;
	const h = Buffer.alloc(8);

	h.writeUInt8(VERSION, 0);
	h.writeUInt8(type, 1);
	h.writeUInt16BE(ID, 2);
	h.writeUInt16BE(body.length, 4);
	h.writeUInt8(pad, 6);
	return Buffer.concat([h, body, Buffer.alloc(pad)]);
}

function lengthOf(n) {
	if (n < 128)
		return Buffer.from([n]);
	const b = Buffer.alloc(4);

	b.writeUInt32BE((n | 0x80000000) >>> 0);
	return b;
}

function pairs(params) {
	return Buffer.concat(Object.entries(params).map(([k, v]) => {
		const kb = Buffer.from(k), vb = Buffer.from(String(v));

		return Buffer.concat([lengthOf(kb.length), lengthOf(vb.length),
		    kb, vb]);
	}));
}

// Send one request over the unix socket sock; resolves to
// { status, headers, body, stderr }.
export function fcgiRequest(sock, params, body = '') {
	return new Promise((resolve, reject) => {
		const c = net.createConnection(sock);
		const chunks = [];
		let out = Buffer.alloc(0), err = '';

		c.on('error', reject);
		c.on('data', (d) => chunks.push(d));
		c.on('close', () => {
			let buf = Buffer.concat(chunks);

			while (buf.length >= 8) {
				const type = buf.readUInt8(1);
				const len = buf.readUInt16BE(4), pad = buf.readUInt8(6);
				const content = buf.subarray(8, 8 + len);

				if (type === STDOUT)
					out = Buffer.concat([out, content]);
				else if (type === STDERR)
					err += content.toString();
				else if (type === END_REQUEST)
					break;
				buf = buf.subarray(8 + len + pad);
			}
			const text = out.toString();
			const split = text.indexOf('\r\n\r\n');
			const headers = {};

			for (const line of text.slice(0, split).split('\r\n')) {
				const i = line.indexOf(':');

				if (i > 0)
					headers[line.slice(0, i).toLowerCase()] =
					    line.slice(i + 1).trim();
			}
			resolve({
				status: parseInt(headers.status ?? '200', 10),
				headers, body: text.slice(split + 4), stderr: err,
			});
		});
		const begin = Buffer.alloc(8);

		begin.writeUInt16BE(RESPONDER, 0);
		const input = Buffer.from(body);
		c.write(Buffer.concat([
			record(BEGIN_REQUEST, begin),
			record(PARAMS, pairs({
				REQUEST_METHOD: 'GET', REQUEST_URI: '/',
				SERVER_PROTOCOL: 'HTTP/1.1',
				REMOTE_ADDR: '127.0.0.1',
				CONTENT_LENGTH: String(input.length),
				...params,
			})),
			record(PARAMS),
			...(input.length ? [record(STDIN, input)] : []),
			record(STDIN),
		]));
	});
}
