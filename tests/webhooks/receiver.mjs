// receiver.mjs - a real webhook receiving server for the tests: node:http
// on 127.0.0.1 or another loopback address such as ::1 (port 0 unless
// told), recording every request with its
// headers, its exact raw body bytes and its arrival time. Per test it can
// be told to answer an error status N times before 200, to hang for a
// while before answering, or to be down (its listening socket closed, so
// connections are refused) and to come back later on the same port.
import http from 'node:http';

export class Receiver {
	// host: the loopback address to listen on ('127.0.0.1' or '::1').
	constructor({ host = '127.0.0.1' } = {}) {
		this.host = host;
		this.requests = [];	// every request, in arrival order
		this.plan = [];		// answers for the next requests
		this.server = null;
		this.port = 0;
		this.sockets = new Set();
		this.waiters = new Set();
	}

	// Listen (again) on its host; the first time on a free port.
	async start() {
		if (this.server)
			return this;
		const server = http.createServer((req, res) =>
		    this.#handle(req, res));
		server.keepAliveTimeout = 1000;
		server.on('connection', (s) => {
			this.sockets.add(s);
			s.on('close', () => this.sockets.delete(s));
		});
		await new Promise((resolve, reject) => {
			server.once('error', reject);
			server.listen(this.port, this.host, () => {
				server.off('error', reject);
				resolve();
			});
		});
		this.server = server;
		this.port = server.address().port;
		return this;
	}

	url(path = '/hook') {
		const host = this.host.includes(':') ? `[${this.host}]` :
		    this.host;

		return `http://${host}:${this.port}${path}`;
	}

	// Answer status (default 500) to the next n requests, then 200.
	failNext(n, status = 500) {
		for (let i = 0; i < n; i++)
			this.plan.push({ status });
		return this;
	}

	// Hold the next request ms milliseconds before answering status.
	hangNext(ms, status = 200) {
		this.plan.push({ status, delayMs: ms });
		return this;
	}

	// Hold every request ms milliseconds (0: answer at once).
	setDelay(ms) {
		this.delayMs = ms;
		return this;
	}

	// Be down: close the listening socket and every open connection, so
	// new connections are refused until up().
	async down() {
		const server = this.server;

		if (!server)
			return;
		this.server = null;
		const closed = new Promise((resolve) => server.close(resolve));
		for (const s of this.sockets)
			s.destroy();
		await closed;
	}

	async up() {
		await this.start();
	}

	async close() {
		await this.down();
		for (const w of this.waiters)
			w.reject(new Error('receiver closed'));
		this.waiters.clear();
	}

	#handle(req, res) {
		const chunks = [];
		const rec = {
			method: req.method,
			path: req.url,
			headers: req.headers,
			at: Date.now(),
			body: null,
			answered: null,	// status written, null until then
			aborted: false,	// the client went away first
		};

		this.requests.push(rec);
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const step = this.plan.shift() ??
			    { status: 200, delayMs: this.delayMs ?? 0 };

			rec.body = Buffer.concat(chunks);
			rec.bodyAt = Date.now();
			res.on('close', () => {
				if (!res.writableFinished)
					rec.aborted = true;
			});
			const answer = () => {
				if (res.destroyed || req.socket.destroyed) {
					rec.aborted = true;
					this.#notify();
					return;
				}
				res.writeHead(step.status,
				    { 'content-type': 'text/plain' });
				res.end(step.status < 300 ? 'ok\n' : 'not now\n',
				    () => {
					rec.answered = step.status;
					rec.answeredAt = Date.now();
					this.#notify();
				});
			};
			this.#notify();
			if (step.delayMs)
				setTimeout(answer, step.delayMs);
			else
				answer();
		});
	}

	#notify() {
		for (const w of [...this.waiters]) {
			let ok = false;

			try {
				ok = w.pred(this.requests);
			} catch (e) {
				this.waiters.delete(w);
				clearTimeout(w.timer);
				w.reject(e);
				continue;
			}
			if (ok) {
				this.waiters.delete(w);
				clearTimeout(w.timer);
				w.resolve(this.requests);
			}
		}
	}

	// Requests whose body has arrived (the ones worth looking at).
	received() {
		return this.requests.filter((r) => r.body !== null);
	}

	// Resolve once pred(requests) holds; reject after timeoutMs.
	waitFor(pred, timeoutMs, what = 'the expected requests') {
		if (pred(this.requests))
			return Promise.resolve(this.requests);
		return new Promise((resolve, reject) => {
			const w = { pred, resolve, reject };

			w.timer = setTimeout(() => {
				this.waiters.delete(w);
				reject(new Error(`receiver: timed out after ` +
				    `${timeoutMs} ms waiting for ${what}; got ` +
				    `${this.requests.length} request(s): ` +
				    JSON.stringify(this.requests.map((r) => ({
					event: r.headers['x-mihwar-event'],
					id: r.headers['webhook-id'],
					answered: r.answered,
				    })))));
			}, timeoutMs);
			this.waiters.add(w);
		});
	}

	// Wait for n requests with a body (and their answer, if answered).
	waitForCount(n, timeoutMs, filter = () => true) {
		return this.waitFor((reqs) => reqs.filter((r) => r.body !== null &&
		    filter(r)).length >= n, timeoutMs,
		    `${n} request(s)`).then(() => this.received().filter(filter));
	}
}
