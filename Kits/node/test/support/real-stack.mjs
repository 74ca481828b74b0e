// The real stack for end-to-end tests: a private PostgreSQL database, a private `redis-server`, `tokenledger serve`, the example server.
//
// Nothing is shared with other users of the machine: the database is created for the run on the
// services' PostgreSQL (TOKENLEDGER_TEST_DATABASE_URL) and dropped afterwards; Redis is a process
// of our own that tests may stop and restart. Every process started is stopped by its PID.

import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { KIT, REPOSITORY } from './paths.mjs';

/** A TCP port free on 127.0.0.1 now. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (probe.address());
      probe.close(() => resolvePort(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls the async `condition()` until it is truthy; throws naming `what` after `timeout` seconds (errors count as not yet). */
export async function waitUntil(condition, timeout, what, interval = 50) {
  const deadline = performance.now() + timeout * 1000;
  while (performance.now() < deadline) {
    try {
      if (await condition()) return;
    } catch {
      // not yet
    }
    await sleep(interval);
  }
  throw new Error(`${what} not reached within ${timeout} s`);
}

/** SIGTERM, then SIGKILL after `grace` seconds; by PID only. */
export async function stopProcess(child, grace = 10) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), grace * 1000);
  await exited;
  clearTimeout(timer);
}

/** A process whose output goes to `log`, appended. */
function spawnLogged(command, args, options, log) {
  const fd = openSync(log, 'a');
  try {
    return spawn(command, args, { ...options, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
}

/** A `redis-server` of our own on a fixed free port, which tests may stop and start again. */
export class PrivateRedis {
  constructor(directory, port) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}/0`;
    this.directory = directory;
    this.process = null;
  }

  async start() {
    this.process = spawnLogged(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.directory],
      { cwd: this.directory },
      join(this.directory, 'redis.log'),
    );
    await waitUntil(() => this.#withClient((client) => client.ping()), 10, 'redis-server answering PING');
  }

  async stop() {
    if (this.process !== null) await stopProcess(this.process);
    this.process = null;
  }

  publish(channel, message) {
    return this.#withClient((client) => client.publish(channel, message));
  }

  async #withClient(work) {
    const client = createClient({ url: this.url, socket: { reconnectStrategy: () => new Error('no reconnect'), connectTimeout: 1000 } });
    client.on('error', () => {});
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.disconnect().catch(() => {});
    }
  }
}

/** Runs `sql` with psql; retried for a minute while the shared server has no connection slot free. */
async function psql(url, sql) {
  const deadline = performance.now() + 60_000;
  for (;;) {
    try {
      return await promisify(execFile)('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { timeout: 120_000 });
    } catch (error) {
      if (!/too many clients/.test(String(error.stderr)) || performance.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

/** A database created for the run on the services' PostgreSQL, dropped at the end. */
export class PrivateDatabase {
  constructor() {
    this.adminUrl = process.env.TOKENLEDGER_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:54329/postgres';
    this.name = 'tl_node_' + randomBytes(6).toString('hex');
    const url = new URL(this.adminUrl);
    url.pathname = '/' + this.name;
    this.url = url.toString();
  }

  create() {
    return psql(this.adminUrl, `CREATE DATABASE "${this.name}"`);
  }

  drop() {
    return psql(this.adminUrl, `DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`);
  }
}

/** `tokenledger migrate` and `tokenledger serve` on free ports, with our database and Redis. */
export class TokenLedgerServer {
  constructor(binary, database, redisUrl, directory, ports) {
    this.publicPort = ports.public;
    this.adminPort = ports.admin;
    this.issuer = `http://127.0.0.1:${this.publicPort}`;
    this.adminUrl = `http://127.0.0.1:${this.adminPort}`;
    this.adminToken = randomBytes(32).toString('hex');
    this.channel = 'tokenledger:revocations:' + randomUUID().slice(0, 8);
    this.binary = binary;
    this.directory = directory;
    this.environment = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? directory,
      TOKENLEDGER_DATABASE_URL: database.url,
      TOKENLEDGER_REDIS_URL: redisUrl,
      TOKENLEDGER_REDIS_CHANNEL: this.channel,
      TOKENLEDGER_ISSUER: this.issuer,
      TOKENLEDGER_PUBLIC_PORT: String(this.publicPort),
      TOKENLEDGER_ADMIN_PORT: String(this.adminPort),
      TOKENLEDGER_ADMIN_TOKEN: this.adminToken,
      TOKENLEDGER_KEY_SECRET: randomBytes(32).toString('hex'),
      TOKENLEDGER_KEYS_PUBLISH_LEAD_SECONDS: '0',
      TOKENLEDGER_USERS_FILE: join(REPOSITORY, 'Config', 'users.example.json'),
      TOKENLEDGER_LOG_LEVEL: 'warning',
    };
    this.process = null;
  }

  async start() {
    // The working directory holds no Config/tokenledger.json: only the environment configures the server.
    try {
      await promisify(execFile)(this.binary, ['migrate'], { env: this.environment, cwd: this.directory, timeout: 120_000 });
    } catch (error) {
      throw new Error(`tokenledger migrate failed: ${String(error.stderr ?? error).slice(-2000)}`);
    }
    this.process = spawnLogged(this.binary, ['serve'], { env: this.environment, cwd: this.directory }, join(this.directory, 'tokenledger.log'));
    const child = this.process;
    await waitUntil(async () => child.exitCode === null && (await fetch(this.adminUrl + '/readyz')).status === 200, 90, 'tokenledger /readyz', 200);
  }

  async stop() {
    if (this.process !== null) await stopProcess(this.process);
    this.process = null;
  }

  logTail() {
    const path = join(this.directory, 'tokenledger.log');
    return existsSync(path) ? readFileSync(path, 'utf8').slice(-4000) : '';
  }

  // Admin API

  async register(metadata) {
    const response = await fetch(this.adminUrl + '/admin/clients', {
      method: 'POST',
      headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(metadata),
    });
    const body = await response.json();
    if (response.status !== 201) throw new Error(`register answered ${response.status}: ${JSON.stringify(body)}`);
    return { clientId: body.client_id, clientSecret: body.client_secret ?? '' };
  }

  machineClient(scope = 'orders:read') {
    return this.register({
      client_name: 'caller-' + randomUUID().slice(0, 6),
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope,
    });
  }

  /** `POST /admin/revocations`; resolves to the revocation's log seq. */
  async revoke(target) {
    const response = await fetch(this.adminUrl + '/admin/revocations', {
      method: 'POST',
      headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(target),
    });
    const body = await response.json();
    if (response.status !== 200 && response.status !== 201) throw new Error(`revoke answered ${response.status}: ${JSON.stringify(body)}`);
    return body.seq;
  }

  // Public API

  async clientCredentials(client, scope = 'orders:read') {
    const response = await fetch(this.issuer + '/token', {
      method: 'POST',
      headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
    });
    const body = await response.json();
    if (response.status !== 200) throw new Error(`token answered ${response.status}: ${JSON.stringify(body)}`);
    return body.access_token;
  }

  /** The authorization code flow as a browser runs it (alice / wonderland); resolves to the access token, which carries a `sid`. */
  async browserLogin(client, redirectUri, scope = 'openid orders:read') {
    const verifier = randomBytes(48).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const query = new URLSearchParams({
      response_type: 'code', client_id: client.clientId, redirect_uri: redirectUri, scope,
      state: randomBytes(8).toString('hex'), code_challenge: challenge, code_challenge_method: 'S256',
    });
    const browser = new CookieJar();
    const page = await browser.fetch(`${this.issuer}/authorize?${query}`);
    if (page.status !== 200) throw new Error(`authorize page answered ${page.status}`);
    const html = await page.text();
    const form = new URLSearchParams({ request: hiddenInput(html, 'request'), csrf: hiddenInput(html, 'csrf'), username: 'alice', password: 'wonderland' });
    const login = await browser.fetch(this.issuer + '/authorize', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    if (login.status !== 303) throw new Error(`login answered ${login.status}`);
    const code = new URL(login.headers.get('location')).searchParams.get('code');
    const response = await fetch(this.issuer + '/token', {
      method: 'POST',
      headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }).toString(),
    });
    const body = await response.json();
    if (response.status !== 200) throw new Error(`code exchange answered ${response.status}: ${JSON.stringify(body)}`);
    return body.access_token;
  }

  /** The feed's answer after `after`, read with a token of `feedClient`. */
  async feed(feedClient, after) {
    const token = await this.clientCredentials(feedClient, 'revocations:read');
    const response = await fetch(`${this.issuer}/revocations?after=${after}`, { headers: { authorization: `Bearer ${token}` } });
    const body = await response.json();
    if (response.status !== 200) throw new Error(`feed answered ${response.status}: ${JSON.stringify(body)}`);
    return body;
  }

  /** The kid of the ES256 key that signs access tokens and broadcasts. */
  async activeKid() {
    const { keys } = await (await fetch(this.issuer + '/jwks.json')).json();
    return keys.filter((key) => key.alg === 'ES256').at(-1).kid;
  }
}

function basic(client) {
  const form = (text) => encodeURIComponent(text);
  return 'Basic ' + Buffer.from(`${form(client.clientId)}:${form(client.clientSecret)}`).toString('base64');
}

function hiddenInput(html, name) {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (match === null) throw new Error(`login form has no ${name} input`);
  return match[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** `fetch` with cookies kept across requests and no redirects followed, as a browser session. */
class CookieJar {
  #cookies = new Map();

  async fetch(url, init = {}) {
    const cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, ...(cookie ? { cookie } : {}) } });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair.indexOf('=');
      this.#cookies.set(pair.slice(0, index).trim(), pair.slice(index + 1).trim());
    }
    return response;
  }
}

/** `node examples/server.mjs`, configured by environment only. */
export class ExampleApp {
  constructor(server, redisUrl, feedClient, directory, port) {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.directory = directory;
    this.environment = {
      ...process.env,
      TOKENLEDGER_ISSUER: server.issuer,
      TOKENLEDGER_REDIS_URL: redisUrl,
      TOKENLEDGER_REDIS_CHANNEL: server.channel,
      TOKENLEDGER_FEED_CLIENT_ID: feedClient.clientId,
      TOKENLEDGER_FEED_CLIENT_SECRET: feedClient.clientSecret,
      PORT: String(port),
    };
    delete this.environment.TOKENLEDGER_AUDIENCE;
    this.process = null;
  }

  async start() {
    this.process = spawnLogged(process.execPath, [join(KIT, 'examples', 'server.mjs')], { env: this.environment, cwd: KIT }, join(this.directory, `example-${this.port}.log`));
    const child = this.process;
    await waitUntil(async () => child.exitCode === null && (await this.me(null)).status === 401, 30, 'example server answering');
  }

  async stop() {
    if (this.process !== null) await stopProcess(this.process);
    this.process = null;
  }

  /** `GET /me` with the token (none: no Authorization header); the body is read. */
  async me(token) {
    const response = await fetch(this.url + '/me', { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
  }
}

/**
 * A private database and Redis, `tokenledger serve` over them, a feed client, and (unless `example` is false) the example server.
 * `close()` stops everything (and drops the database), printing the server's log tail if `failed`.
 */
export async function startStack(binary, { example = true } = {}) {
  const directory = mkdtempSync(join(tmpdir(), 'tl-node-'));
  const database = new PrivateDatabase();
  const redis = new PrivateRedis(directory, await freePort());
  const server = new TokenLedgerServer(binary, database, redis.url, directory, { public: await freePort(), admin: await freePort() });
  let app = null;
  const close = async (failed = false) => {
    if (failed && server.logTail()) console.error('tokenledger log (tail):\n' + server.logTail());
    if (app !== null) await app.stop();
    await server.stop();
    await redis.stop();
    await database.drop().catch((error) => console.error(`could not drop ${database.name}: ${error.stderr || error.message} (signal ${error.signal})`));
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    await database.create();
    await redis.start();
    await server.start();
    const feedClient = await server.machineClient('revocations:read');
    if (example) {
      app = new ExampleApp(server, redis.url, feedClient, directory, await freePort());
      await app.start();
    }
    return { redis, server, feedClient, app, directory, close };
  } catch (error) {
    await close(true);
    throw error;
  }
}

/** The server binary named by TOKENLEDGER_SERVER_BIN, or null when it is not set (end-to-end tests are then skipped). */
export function serverBinary() {
  const binary = process.env.TOKENLEDGER_SERVER_BIN ?? '';
  if (binary === '') return null;
  if (!existsSync(binary)) throw new Error(`TOKENLEDGER_SERVER_BIN=${binary} is not a file`);
  return binary;
}
