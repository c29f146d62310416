// fcgi-conf.test.mjs - mihwar.fcgi finds its configuration as it must
// under mod_fcgid: a .htaccess's `SetEnv MIHWAR_CONF /abs/path` reaches
// it as a FastCGI request parameter (REDIRECT_MIHWAR_CONF after
// mod_rewrite's internal redirect), never in its environment. Until a
// configuration loads it answers 503 JSON and logs why; then it serves;
// a request naming another file is 500 with a log line (one process
// serves one configuration).
//
// The program runs under spawn-fcgi (-n: no fork) on a unix socket, with
// no MIHWAR_CONF in its environment and a working directory without
// var/mihwar.conf; requests are sent with the parameters a web server
// would send (fcgi-client.mjs).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { checkEnv, env, until } from '../webhooks/stack.mjs';
import { fcgiRequest } from './fcgi-client.mjs';

checkEnv();

const fcgi = process.env.MIHWAR_FCGI ?? join(dirname(env.worker),
    'mihwar.fcgi');
let dir, sock, child, stderr = '';

test.before(async () => {
	dir = mkdtempSync(join(tmpdir(), 'mihwar-fcgi-'));
	sock = join(dir, 'fcgi.sock');
	const childEnv = { ...process.env };

	delete childEnv.MIHWAR_CONF;
	child = spawn('spawn-fcgi', ['-n', '-s', sock, '--', fcgi],
	    { cwd: dir, env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
	child.stderr.on('data', (d) => { stderr += d; });
	await until(() => existsSync(sock), 10000, 'the FastCGI socket');
});

test.after(() => {
	child?.kill('SIGTERM');
	rmSync(dir, { recursive: true, force: true });
});

const get = (path, params = {}) => fcgiRequest(sock,
    { REQUEST_URI: path, ...params });

function assertJsonError(res, status) {
	assert.equal(res.status, status, res.body);
	assert.match(res.headers['content-type'], /^application\/json/);
	const body = JSON.parse(res.body);
	assert.equal(body.error.requestId, res.headers['x-request-id']);
	return body;
}

test('no configuration anywhere: 503 JSON, and the log says why', async () => {
	const res = await get('/api/healthz');
	assertJsonError(res, 503);
	assert.match(res.stderr, /cannot open var\/mihwar\.conf/);
	// A family with its own error shape keeps it (SCIM's here).
	const scim = await get('/api/scim/v2/Users');
	assert.equal(scim.status, 503);
	assert.deepEqual(JSON.parse(scim.body).schemas,
	    ['urn:ietf:params:scim:api:messages:2.0:Error']);
});

test('a relative or missing MIHWAR_CONF: 503, named in the log', async () => {
	const rel = await get('/api/healthz', { MIHWAR_CONF: 'mihwar.conf' });
	assertJsonError(rel, 503);
	assert.match(rel.stderr, /MIHWAR_CONF must be an absolute path/);
	const gone = await get('/api/healthz',
	    { MIHWAR_CONF: '/nonexistent/mihwar.conf' });
	assertJsonError(gone, 503);
	assert.match(gone.stderr, /cannot open \/nonexistent\/mihwar\.conf: No such file/);
});

test('the first request naming the file configures the process', async () => {
	const res = await get('/api/healthz', { MIHWAR_CONF: env.conf });
	assert.equal(res.status, 200, res.body + res.stderr);
	assert.deepEqual(JSON.parse(res.body), { ok: true, db: 'up' });
	assert.match(res.stderr, /serving the configuration/);
	// Later requests: without it, or with it renamed by mod_rewrite.
	assert.equal((await get('/api/healthz')).status, 200);
	assert.equal((await get('/api/healthz',
	    { REDIRECT_MIHWAR_CONF: env.conf })).status, 200);
	// And the real routes answer (a key is needed here).
	assert.equal((await get('/api/integrations/v1/inventory/items'))
	    .status, 401);
});

test('a request naming another file: 500 and a log line', async () => {
	const res = await get('/api/healthz', { MIHWAR_CONF: '/etc/other.conf' });
	assertJsonError(res, 500);
	assert.match(res.stderr, /MIHWAR_CONF \/etc\/other\.conf: this process serves/);
	// The process still serves its own.
	assert.equal((await get('/api/healthz', { MIHWAR_CONF: env.conf }))
	    .status, 200);
	assert.equal(child.exitCode, null, stderr);
});
