// lib.mjs - shared pieces of the fulfillment tests: clients (an
// organization with an fc_live_ key) and platform admin keys made with
// mihwarctl, the API with X-Api-Key over real HTTP, Stripe-signed events,
// the Printful stand-in's record of requests (scripts/check.sh starts it
// and points printful_api_base at it), and the stack's configuration.
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ctl, sql, q, env, until, sleep, rand } from '../webhooks/stack.mjs';

export { ctl, sql, q, env, until, sleep, rand };

// The last value of key in mihwar.conf (null when unset).
export function confValue(key) {
	let v = null;

	for (const line of readFileSync(env.conf, 'utf8').split('\n')) {
		const m = line.match(new RegExp(`^${key}\\s*=\\s*(.*?)\\s*$`));
		if (m)
			v = m[1];
	}
	return v;
}

export const printfulUrl = () => {
	const v = process.env.MIHWAR_PRINTFUL_URL;
	if (!v)
		throw new Error('MIHWAR_PRINTFUL_URL is not set (scripts/check.sh ' +
		    'starts tests/fulfillment/printful-standin.mjs and sets it)');
	return v.replace(/\/$/, '');
};

// Every request the Printful stand-in saw, newest last.
export async function printfulRequests() {
	const res = await fetch(`${printfulUrl()}/__requests`);
	return res.json();
}

// method path body headers -> {status, headers, text, json}. An object
// body is sent as JSON; key goes in X-Api-Key unless null.
export async function call(key, method, path, body, headers = {}) {
	const h = { ...headers };
	let payload = body;

	if (key)
		h['x-api-key'] ??= key;
	if (body !== undefined && typeof body === 'object' &&
	    !Buffer.isBuffer(body)) {
		payload = JSON.stringify(body);
		h['content-type'] ??= 'application/json';
	}
	if (payload === undefined && method !== 'GET' && method !== 'HEAD')
		payload = '';
	const res = await fetch(env.base + path, { method, headers: h,
	    body: payload, redirect: 'manual' });
	const text = await res.text();
	let json = null;

	try {
		json = JSON.parse(text);
	} catch {
		/* not JSON */
	}
	return { status: res.status, headers: res.headers, text, json };
}

// A client: an organization with its first fc_live_ key, made the way an
// operator would (onboarding makes them over HTTP; see its own tests).
export async function newClient(tag = 'shop') {
	const slug = `${tag}-${rand(5)}`;

	await ctl(['org', 'create', '--slug', slug, '--name', `Store ${slug}`]);
	const key = (await ctl(['key', 'create', '--org', slug, '--kind',
	    'client'])).key;
	const [[id, publicId]] = await sql('SELECT id, public_id FROM ' +
	    `organizations WHERE slug = ${q(slug)}`);
	return { slug, id, publicId, key,
	    api: (m, p, b, h) => call(key, m, p, b, h) };
}

// A platform admin key (fa_live_), held by an operator organization.
export async function adminKey() {
	const slug = `ops-${rand(5)}`;

	await ctl(['org', 'create', '--slug', slug, '--name', `Ops ${slug}`]);
	const key = (await ctl(['key', 'create', '--org', slug, '--kind',
	    'admin'])).key;
	return { slug, key, api: (m, p, b, h) => call(key, m, p, b, h) };
}

// A Stripe event as Stripe sends it: the raw body and its
// Stripe-Signature (t=…,v1=HMAC-SHA256 of "t.body" keyed by the whole
// secret). at (seconds) and secret may be set to make it stale or wrong.
export function stripeSigned(event, { at, secret } = {}) {
	const body = JSON.stringify(event);
	const t = at ?? Math.floor(Date.now() / 1000);
	const key = secret ?? confValue('stripe_webhook_secret');
	const v1 = createHmac('sha256', key).update(`${t}.${body}`)
	    .digest('hex');
	return { body, signature: `t=${t},v1=${v1}` };
}

export function postStripe(event, opts = {}) {
	const { body, signature } = stripeSigned(event, opts);
	return call(null, 'POST', '/api/stripe/webhook', body, {
	    'content-type': 'application/json',
	    'stripe-signature': opts.header ?? signature });
}

// A checkout.session.completed event for client slug with items.
export function checkoutCompleted(slug, { items, email, shipping, total,
    eventId, sessionId } = {}) {
	const its = items ?? [{ productTitle: 'Punk Skull Tee',
	    productType: 'shirt', imageUrl: 'https://cdn.example.test/skull.png',
	    size: 'M', quantity: 1, price: 29.99 }];
	return {
		id: eventId ?? `evt_${randomBytes(8).toString('hex')}`,
		object: 'event',
		type: 'checkout.session.completed',
		created: Math.floor(Date.now() / 1000),
		data: { object: {
			id: sessionId ?? `cs_test_${randomBytes(10).toString('hex')}`,
			object: 'checkout.session',
			amount_total: total ?? 2999,
			currency: 'usd',
			payment_intent: `pi_${randomBytes(8).toString('hex')}`,
			customer_details: { email: email ?? 'jane@example.test' },
			shipping_details: shipping === null ? null : (shipping ?? {
				name: 'Jane Doe',
				address: { line1: '123 Punk Ave', city: 'Portland',
				    state: 'OR', postal_code: '97201', country: 'US' },
			}),
			metadata: { clientSlug: slug, items: JSON.stringify(its) },
		} },
	};
}
