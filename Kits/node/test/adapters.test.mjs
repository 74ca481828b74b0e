// The adapters against an in-memory issuer: withLedgerGuard with Web Requests (Next.js and Remix shapes),
// the (req, res, next) middleware behind a real node:http server; RFC 6750 answers.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { LedgerGuard, ledgerGuardMiddleware, withLedgerGuard } from 'tokenledger-guard';
import { FakeIssuer, ISSUER } from './support/fake-issuer.mjs';
import { freePort } from './support/real-stack.mjs';

let issuer;
let guard;

before(async () => {
  issuer = await FakeIssuer.create();
  // No Redis listens there: the ticks' catch-up over the (fake) feed confirms the state.
  guard = new LedgerGuard({ issuer: ISSUER, clientId: 'api', clientSecret: 's', redisUrl: `redis://127.0.0.1:${await freePort()}/0`, fetch: issuer.fetch });
  await guard.start();
  assert.ok(guard.revocations.isFresh);
});

after(() => guard.stop());

const request = (authorization) => new Request('https://api.test/orders/7', { headers: authorization ? { authorization } : {} });

test('a Next.js-style route handler gets the claims and its context; refusals never reach it', async () => {
  let calls = 0;
  const GET = withLedgerGuard(
    async (req, token, context) => {
      calls += 1;
      return Response.json({ sub: token.subject, scope: token.scope, id: (await context.params).id, url: req.url });
    },
    { scope: 'orders:read', guard },
  );
  const ok = await GET(request(`Bearer ${await issuer.token()}`), { params: Promise.resolve({ id: '7' }) });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { sub: 'alice', scope: 'openid orders:read', id: '7', url: 'https://api.test/orders/7' });

  const missing = await GET(request(null), {});
  assert.equal(missing.status, 401);
  assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="api"');
  assert.equal(await missing.text(), '');

  const basic = await GET(request('Basic YTpi'), {});
  assert.equal(basic.status, 401);
  assert.equal(basic.headers.get('www-authenticate'), 'Bearer realm="api"');

  const spaced = await GET(request('Bearer a b'), {});
  assert.equal(spaced.status, 400);
  assert.match(spaced.headers.get('www-authenticate'), /error="invalid_request"/);

  const garbage = await GET(request('Bearer not-a-token'), {});
  assert.equal(garbage.status, 401);
  assert.ok(garbage.headers.get('www-authenticate').startsWith('Bearer realm="api", error="invalid_token"'));
  assert.equal(garbage.headers.get('cache-control'), 'no-store');
  assert.equal((await garbage.json()).error, 'invalid_token');

  const narrow = await GET(request(`Bearer ${await issuer.token({ claims: { scope: 'profile' } })}`), {});
  assert.equal(narrow.status, 403);
  assert.equal(
    narrow.headers.get('www-authenticate'),
    'Bearer realm="api", error="insufficient_scope", error_description="token lacks a required scope", scope="orders:read"',
  );
  assert.deepEqual(await narrow.json(), { error: 'insufficient_scope', error_description: 'token lacks a required scope' });
  assert.equal(calls, 1);
});

test('a Remix-style loader gets its ({ request, params }) argument and the claims', async () => {
  const loader = withLedgerGuard(async ({ params }, token) => Response.json({ id: params.id, client: token.clientId }), { scope: ['orders:read'], guard });
  const ok = await loader({ request: request(`Bearer ${await issuer.token()}`), params: { id: '7' }, context: {} });
  assert.deepEqual(await ok.json(), { id: '7', client: 'web' });
  assert.equal((await loader({ request: request(null), params: {} })).status, 401);
  await assert.rejects(loader({ params: {} }), TypeError);
});

test('a stale revocation state answers 503 with Retry-After and no challenge, to the Web handler and the middleware', async () => {
  const GET = withLedgerGuard(async () => new Response('ok'), { guard });
  const token = await issuer.token();
  const confirmed = guard.revocations.sync.confirmedAt;
  guard.revocations.sync.confirmedAt = Date.now() - 60_000;
  try {
    const answer = await GET(request(`Bearer ${token}`));
    assert.equal(answer.status, 503);
    assert.equal(answer.headers.get('retry-after'), '2');
    assert.equal(answer.headers.get('www-authenticate'), null);
    assert.equal((await answer.json()).error, 'temporarily_unavailable');
  } finally {
    guard.revocations.sync.confirmedAt = confirmed;
  }
});

test('the (req, res, next) middleware protects a node:http server: claims on req.accessToken, refusals answered, errors to next', async () => {
  const protect = ledgerGuardMiddleware({ guard, scope: 'orders:read' });
  const server = createServer((req, res) => {
    res.locals = {};
    protect(req, res, (error) => {
      if (error) return res.writeHead(500).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: req.accessToken.subject, same: res.locals.accessToken === req.accessToken }));
    });
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  const get = (authorization) => fetch(`http://127.0.0.1:${port}/me`, { headers: authorization ? { authorization } : {} });
  try {
    const ok = await get(`Bearer ${await issuer.token()}`);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { sub: 'alice', same: true });

    const missing = await get(null);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="api"');
    assert.equal(missing.headers.get('content-length'), '0');

    const expired = await get(`Bearer ${await issuer.token({ claims: { exp: Math.trunc(Date.now() / 1000) - 60 } })}`);
    assert.equal(expired.status, 401);
    assert.deepEqual(await expired.json(), { error: 'invalid_token', error_description: 'exp has passed' });

    const narrow = await get(`Bearer ${await issuer.token({ claims: { scope: 'profile' } })}`);
    assert.equal(narrow.status, 403);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }

  // An unexpected failure (a bug, not a refusal) goes to next(error).
  const broken = { start: async () => {}, authorize: async () => { throw new RangeError('boom'); } };
  const failure = await new Promise((resolve) => ledgerGuardMiddleware({ guard: broken })({ headers: {} }, {}, resolve));
  assert.ok(failure instanceof RangeError);
});
