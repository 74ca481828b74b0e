#!/usr/bin/env node
// Benchmarks of the Node resource-server kit (Kits/node, tokenledger-guard).
//
// Prints three figures (and one for comparison):
//
// 1. cached validations per second on one core (`await validator.validate` of a token seen before:
//    one Map lookup, expiry, deny list and staleness checks; target >= 1,000,000);
// 2. uncached ES256 validations per second on one core (header, key lookup, WebCrypto signature, claims);
// 3. revoke call returned -> the example server (examples/server.mjs, node:http) answers 401, p50 / p99
//    over >= 500 revocations against a real `tokenledger serve` and a private Redis and database,
//    started by the bench itself (target p99 <= 5 ms), with the same revocations' arrival on Redis (the
//    service's share); then, with other tokens, revoke call returned -> an in-process guard's deny list covers the token.
//
// Run from the repository root with PostgreSQL up (Scripts/services.sh start), node-redis reachable
// (Kits/node/node_modules/redis and NODE_PATH=/usr/share/nodejs with Debian's node-redis) and the
// server binary in TOKENLEDGER_SERVER_BIN:
//
//   TOKENLEDGER_SERVER_BIN=.build/release/tokenledger node Kits/node/bench/guard_bench.mjs
//   node Kits/node/bench/guard_bench.mjs --smoke      # a few seconds, for CI
//
// Figures 1 and 2 need nothing running; 3 is skipped (with a message) without the binary unless
// --require-stack is given.

import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { AccessTokenRules, AccessTokenValidator, JWKSCache, LedgerGuard, RevocationState } from 'tokenledger-guard';
import { claims, es256KeyPair, signES256 } from '../test/support/jws.mjs';
import { startStack } from '../test/support/real-stack.mjs';

const ISSUER = 'https://issuer.bench.test';

/** An ES256 key and a fetch on which its public JWKS is published. */
async function signingSetup() {
  const pair = await es256KeyPair();
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const document = JSON.stringify({ keys: [{ ...jwk, kid: 'bench', alg: 'ES256', use: 'sig' }] });
  return { privateKey: pair.privateKey, fetch: async () => new Response(document) };
}

function accessToken(privateKey, number) {
  const now = Math.trunc(Date.now() / 1000);
  const payload = {
    iss: ISSUER, sub: `user-${number}`, aud: ISSUER, exp: now + 600, iat: now, jti: randomUUID(),
    client_id: 'bench-client', grant_id: `grant-${number}`, scope: 'orders:read',
  };
  return signES256(payload, privateKey, { kid: 'bench', typ: 'at+jwt' });
}

/** Cached validations/s (async path and synchronous lookup) and uncached ES256 validations/s, on this one thread. */
async function validationRates(cachedSeconds, uncachedTokens) {
  const { privateKey, fetch } = await signingSetup();
  const state = new RevocationState(3600);
  state.sync.caughtUp([], 0, Date.now());
  const validator = new AccessTokenValidator(
    new AccessTokenRules({ issuer: ISSUER, audience: ISSUER }),
    new JWKSCache({ issuer: ISSUER, jwksUrl: ISSUER + '/jwks.json', fetch }),
    state,
  );
  const token = await accessToken(privateKey, 0);
  await validator.validate(token);

  let count = 0;
  let started = performance.now();
  while (performance.now() - started < cachedSeconds * 1000) {
    for (let i = 0; i < 100_000; i += 1) await validator.validate(token);
    count += 100_000;
  }
  const cachedAsync = count / ((performance.now() - started) / 1000);

  count = 0;
  started = performance.now();
  while (performance.now() - started < cachedSeconds * 1000) {
    for (let i = 0; i < 100_000; i += 1) validator.validateCached(token);
    count += 100_000;
  }
  const cachedSync = count / ((performance.now() - started) / 1000);

  const tokens = await Promise.all(Array.from({ length: uncachedTokens }, (_, n) => accessToken(privateKey, n + 1)));
  started = performance.now();
  for (const each of tokens) await validator.validate(each);
  const uncached = uncachedTokens / ((performance.now() - started) / 1000);
  return { cachedAsync, cachedSync, uncached };
}

/**
 * `GET /me` with a bearer token over one raw keep-alive connection, the status read from the
 * status line: the poller's own cost per request stays far below the server's.
 */
class Poller {
  #socket;
  #buffer = '';
  /** @type {((status: number) => void) | null} */
  #resolve = null;

  /** @param {number} port */
  static async connect(port) {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await once(socket, 'connect');
    return new Poller(socket);
  }

  /** @param {import('node:net').Socket} socket */
  constructor(socket) {
    this.#socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => {
      this.#buffer += chunk;
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = /\r\ncontent-length: *(\d+)/i.exec(this.#buffer.slice(0, end))?.[1];
      // Without a length the body is chunked: it ends with the last, empty chunk.
      const bodyEnd = length !== undefined ? end + 4 + Number(length) : this.#buffer.indexOf('\r\n0\r\n\r\n', end) + 7;
      if ((length === undefined && bodyEnd < 7) || this.#buffer.length < bodyEnd) return;
      const status = Number(this.#buffer.slice(9, 12));
      this.#buffer = this.#buffer.slice(bodyEnd);
      const resolve = this.#resolve;
      this.#resolve = null;
      resolve?.(status);
    });
  }

  /** @param {string} token */
  status(token) {
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.#socket.write(`GET /me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`);
    });
  }

  close() {
    this.#socket.destroy();
  }
}

/**
 * When each token revocation's message reached Redis subscribers (by jti), timestamped by a subscriber
 * of its own that verifies nothing: the service's share (commit to relay, signing, publishing).
 */
async function recordArrivals(url, channel) {
  const { createClient } = await import('redis');
  const client = createClient({ url });
  const times = new Map();
  await client.connect();
  await client.subscribe(channel, (message) => {
    const jti = claims(message).events?.['https://tokenledger.dev/secevent/revoked']?.jti;
    if (jti !== undefined && !times.has(jti)) times.set(jti, performance.now());
  });
  return { times, close: () => client.disconnect() };
}

/**
 * Milliseconds from the admin revoke call returning to the example server answering 401, one per revocation;
 * then, with other tokens, to an in-process guard's deny list covering the token (polled every 50 µs).
 */
async function propagation(binary, revocations) {
  const stack = await startStack(binary);
  let failed = true;
  try {
    const { server, app } = stack;
    const caller = await server.machineClient();
    const tokens = [];
    for (let i = 0; i < revocations; i += 1) tokens.push(await server.clientCredentials(caller));
    const poller = await Poller.connect(app.port);
    for (const token of tokens.slice(0, 3)) {
      if ((await poller.status(token)) !== 200) throw new Error('the example server refused a fresh token');
    }
    const arrivals = await recordArrivals(stack.redis.url, server.channel);
    const toApp = [];
    const onRedis = [];
    try {
      for (const token of tokens) {
        const { jti } = claims(token);
        await server.revoke({ jti });
        const returned = performance.now();
        while ((await poller.status(token)) !== 401) {
          if (performance.now() - returned > 5000) throw new Error('a revocation did not reach the example server within 5 s');
        }
        toApp.push(performance.now() - returned);
        onRedis.push((arrivals.times.get(jti) ?? returned) - returned);
      }
    } finally {
      poller.close();
      await arrivals.close();
    }

    const guard = new LedgerGuard({
      issuer: server.issuer, clientId: stack.feedClient.clientId, clientSecret: stack.feedClient.clientSecret,
      redisUrl: stack.redis.url, channel: server.channel,
    });
    const toDenyList = [];
    await guard.start();
    try {
      for (let i = 0; i < revocations; i += 1) {
        const accepted = await guard.validate(await server.clientCredentials(caller));
        await server.revoke({ jti: accepted.jti });
        const returned = performance.now();
        while (!guard.revocations.isRevoked(accepted)) {
          if (performance.now() - returned > 5000) throw new Error('a revocation did not reach the kit within 5 s');
          await new Promise((resolve) => setImmediate(resolve));
        }
        toDenyList.push(performance.now() - returned);
      }
    } finally {
      await guard.stop();
    }
    failed = false;
    return { toApp, onRedis, toDenyList };
  } finally {
    await stack.close(failed);
  }
}

function percentile(samples, fraction) {
  const ordered = [...samples].sort((a, b) => a - b);
  return ordered[Math.min(ordered.length - 1, Math.round(fraction * (ordered.length - 1)))];
}

const number = (value) => Math.round(value).toLocaleString('en-US').padStart(12);

async function main() {
  const { values: options } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      revocations: { type: 'string', default: '500' },
      'require-stack': { type: 'boolean', default: false },
    },
  });
  const [cachedSeconds, uncachedTokens, revocations] = options.smoke ? [0.3, 200, 20] : [3, 3000, Math.max(Number(options.revocations), 500)];

  const { cachedAsync, cachedSync, uncached } = await validationRates(cachedSeconds, uncachedTokens);
  console.log(`cached validations/s per core:   ${number(cachedAsync)}  (await validator.validate; target >= 1,000,000)`);
  console.log(`cached lookups/s per core:       ${number(cachedSync)}  (validator.validateCached, synchronous)`);
  console.log(`uncached ES256 validations/s:    ${number(uncached)}  (${uncachedTokens} distinct tokens, WebCrypto, one thread)`);

  const binary = process.env.TOKENLEDGER_SERVER_BIN;
  if (!binary) {
    console.log('revoke -> 401 propagation: skipped (TOKENLEDGER_SERVER_BIN is not set)');
    return options['require-stack'] ? 1 : 0;
  }
  const { toApp, onRedis, toDenyList } = await propagation(binary, revocations);
  for (const [label, samples, note] of [
    ['revoke returned -> app 401:    ', toApp, 'example server (node:http), polled over HTTP; target p99 <= 5 ms'],
    ['revoke returned -> on Redis:   ', onRedis, 'the same revocations: the service\'s share (relay wake, signing, publish)'],
    ['revoke returned -> deny list:  ', toDenyList, 'in-process guard, polled every event-loop turn'],
  ]) {
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    console.log(
      `${label} p50 ${percentile(samples, 0.5).toFixed(2)} ms, p99 ${percentile(samples, 0.99).toFixed(2)} ms, ` +
        `max ${Math.max(...samples).toFixed(2)} ms, mean ${mean.toFixed(2)} ms over ${samples.length} revocations (${note})`,
    );
  }
  return 0;
}

process.exitCode = await main();
