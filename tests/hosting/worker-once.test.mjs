// worker-once.test.mjs - the worker from cron: `mihwar-worker --once`
// does what is due (an event fanned out into a delivery, the delivery
// sent) and exits 0 within its bound; a second run while one holds the
// lock mihwar-worker:<database> (another --once run, or a daemon) stands
// aside at once, in one line, exiting 0.
//
// Needs the stack of scripts/check.sh (its conf lets the worker reach a
// receiver on loopback) and no other worker: the stack's daemon is
// stopped for these tests and started again after, and a loop of --once
// runs standing in for cron must not run beside them.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

import {
	checkEnv, env, fixture, sql, until, stackCmd, stackWorkerPid, sleep,
} from '../webhooks/stack.mjs';
import { Receiver } from '../webhooks/receiver.mjs';

checkEnv();

// Run the worker with args; resolves to { code, stderr, ms }. started,
// when given, is called with the child once it runs.
function worker(args, started) {
	return new Promise((resolve, reject) => {
		const t0 = Date.now();
		const child = spawn(env.worker, ['--conf', env.conf, ...args],
		    { stdio: ['ignore', 'ignore', 'pipe'] });
		let stderr = '';

		child.stderr.on('data', (d) => { stderr += d; });
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stderr,
		    ms: Date.now() - t0 }));
		started?.(child);
	});
}

async function lockHeld() {
	const [[v]] = await sql('SELECT IS_USED_LOCK(CONCAT(\'mihwar-worker:\', ' +
	    'IF(LENGTH(DATABASE()) <= 50, DATABASE(), MD5(DATABASE()))))');
	return v !== 'NULL';
}

let daemonWasRunning = false;

test.before(async () => {
	daemonWasRunning = stackWorkerPid() !== null;
	await stackCmd('worker-stop');
	await until(async () => !(await lockHeld()), 10000,
	    'no worker to hold the lock');
});

test.after(async () => {
	if (daemonWasRunning)
		await stackCmd('worker-start');
});

// A fresh organization subscribed to order.created at a receiver.
async function subscribed(path) {
	const f = await fixture();
	const rcv = await new Receiver().start();

	await f.subscribe(rcv.url(path), ['order.created']);
	return { f, rcv };
}

test('--once fans out a due event, delivers its webhook and exits 0',
    { timeout: 60000 }, async () => {
	const { f, rcv } = await subscribed('/once');

	try {
		const order = await f.order();
		await sleep(300);
		assert.equal(rcv.received().length, 0,
		    'delivered with no worker running');
		const run = await worker(['--once']);
		assert.equal(run.code, 0, run.stderr);
		assert.ok(run.ms < 20000, `took ${run.ms} ms`);
		// Sent before the run ended, not by anything after it.
		const got = rcv.received();
		assert.equal(got.length, 1, 'one delivery');
		assert.equal(JSON.parse(got[0].body).payload.orderId, order.id);
		const [[state]] = await sql('SELECT d.state FROM ' +
		    'webhook_deliveries d JOIN events e ON e.id = d.event_id ' +
		    `WHERE JSON_VALUE(e.payload, '$.orderId') = '${order.id}'`);
		assert.equal(state, 'succeeded');
		// Nothing due: the next run is quick and quiet.
		const idle = await worker(['--once']);
		assert.equal(idle.code, 0, idle.stderr);
		assert.ok(idle.ms < 5000, `idle run took ${idle.ms} ms`);
		assert.equal(rcv.received().length, 1, 'sent again');
	} finally {
		await rcv.close();
	}
});

test('--once stops within --max-seconds, finishing the batch under way',
    { timeout: 60000 }, async () => {
	const { f, rcv } = await subscribed('/slow');

	try {
		rcv.setDelay(700);
		for (let i = 0; i < 3; i++)
			await f.order();
		const run = await worker(['--once', '--max-seconds', '1']);
		assert.equal(run.code, 0, run.stderr);
		// The bound is checked between jobs: the claimed batch (3
		// deliveries of 0.7 s) is finished, nothing is started after.
		assert.ok(run.ms < 1000 + 3 * 700 + 3000, `took ${run.ms} ms`);
		assert.equal(rcv.received().length, 3);
	} finally {
		await rcv.close();
	}
});

test('bad arguments: exit 2 with the usage', async () => {
	for (const args of [['--max-seconds', '5'], ['--once', '--max-seconds',
	    '0'], ['--once', '--once-housekeeping'], ['--bogus']]) {
		const run = await worker(args);
		assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
		assert.match(run.stderr, /usage: mihwar-worker/);
	}
});

test('two --once runs at once: one does the work, the other stands aside ' +
    'at once saying so', { timeout: 60000 }, async () => {
	const { f, rcv } = await subscribed('/two');

	try {
		rcv.setDelay(1500);
		for (let i = 0; i < 2; i++)
			await f.order();
		const first = worker(['--once']);
		await until(lockHeld, 10000, 'the first run to take the lock');
		const second = await worker(['--once']);
		assert.equal(second.code, 0, second.stderr);
		assert.ok(second.ms < 2000, `the second run took ${second.ms} ms`);
		assert.match(second.stderr, /another worker holds the lock/);
		assert.equal(second.stderr.trim().split('\n').length, 1,
		    second.stderr);
		const run = await first;
		assert.equal(run.code, 0, run.stderr);
		assert.equal(rcv.received().length, 2, 'each delivery once');
	} finally {
		await rcv.close();
	}
});

test('a --once run stands aside while a daemon holds the lock',
    { timeout: 60000 }, async () => {
	let daemon;
	const ended = worker([], (c) => { daemon = c; });

	try {
		await until(lockHeld, 10000, 'the daemon to take the lock');
		const run = await worker(['--once']);
		assert.equal(run.code, 0, run.stderr);
		assert.match(run.stderr, /another worker holds the lock/);
	} finally {
		daemon.kill('SIGTERM');
		assert.equal((await ended).code, 0);
	}
});
