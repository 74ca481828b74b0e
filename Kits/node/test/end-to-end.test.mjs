// The example server (examples/server.mjs, node:http) and the README's Next.js and Remix handlers against a real
// `tokenledger serve` and Redis: valid tokens, each revocation scope, forged and tampered messages, a Redis outage (last).

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { defaultGuard } from 'tokenledger-guard';
import { answersThroughout, forgedRevocation, PROPAGATION_BOUND, secondsUntil, STALENESS_BOUND } from './support/helpers.mjs';
import { claims, tampered } from './support/jws.mjs';
import { serverBinary, startStack } from './support/real-stack.mjs';

const REDIRECT_URI = 'https://app.example/cb';
const binary = serverBinary();

describe('end to end against tokenledger serve', { skip: binary === null && 'TOKENLEDGER_SERVER_BIN is not set (Scripts/test.sh sets it)' }, () => {
  let stack;
  let failed = false;
  before(async () => {
    stack = await startStack(binary);
  });
  after(async () => {
    await stack?.close(failed);
  });
  /** A test body that prints the server's log tail when it fails. */
  const traced = (body) => async () => {
    try {
      await body();
    } catch (error) {
      failed = true;
      throw error;
    }
  };

  test('a valid token is answered with its claims, and bad requests get RFC 6750 answers', traced(async () => {
    const { server, app } = stack;
    const caller = await server.machineClient();
    const token = await server.clientCredentials(caller);
    const answer = await app.me(token);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json(), { sub: claims(token).sub, client_id: caller.clientId, scope: 'orders:read' });

    const missing = await app.me(null);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="api"');

    const garbage = await app.me('not-a-token');
    assert.equal(garbage.status, 401);
    assert.ok(garbage.headers.get('www-authenticate').startsWith('Bearer realm="api", error="invalid_token"'));

    const basic = await fetch(app.url + '/me', { headers: { authorization: 'Basic YTpi' } });
    assert.equal(basic.status, 401);
    assert.equal(basic.headers.get('www-authenticate'), 'Bearer realm="api"');

    const spaced = await fetch(app.url + '/me', { headers: { authorization: 'Bearer a b' } });
    assert.equal(spaced.status, 400);
    assert.match(spaced.headers.get('www-authenticate'), /error="invalid_request"/);
  }));

  for (const scope of ['token', 'grant', 'session', 'subject', 'client']) {
    test(`a ${scope} revocation refuses the tokens it covers within the propagation bound, and only those`, traced(async () => {
      const { server, app } = stack;
      const caller = await server.machineClient();
      const bystander = await server.machineClient();
      let target;
      let spared;
      if (scope === 'session' || scope === 'subject') {
        const web = await server.register({
          client_name: 'web-' + randomUUID().slice(0, 6),
          redirect_uris: [REDIRECT_URI],
          grant_types: ['authorization_code', 'refresh_token'],
          token_endpoint_auth_method: 'client_secret_basic',
          scope: 'openid orders:read',
        });
        target = await server.browserLogin(web, REDIRECT_URI);
        assert.ok(claims(target).sid, 'a browser login\'s access token carries a sid');
        spared = scope === 'session' ? await server.browserLogin(web, REDIRECT_URI) : await server.clientCredentials(bystander);
      } else {
        target = await server.clientCredentials(caller);
        // Same client for token and grant scopes (another jti, another grant); another client for the client scope.
        spared = await server.clientCredentials(scope === 'client' ? bystander : caller);
      }
      assert.equal((await app.me(target)).status, 200);
      assert.equal((await app.me(spared)).status, 200);

      const c = claims(target);
      const revocation = {
        token: { jti: c.jti },
        grant: { grant: c.grant_id },
        session: { session: c.sid ?? '' },
        subject: { subject: c.sub },
        client: { client_id: c.client_id },
      }[scope];
      await server.revoke(revocation);
      const elapsed = await secondsUntil(() => app.me(target), 401, PROPAGATION_BOUND);
      const refused = await app.me(target);
      assert.ok(refused.headers.get('www-authenticate').startsWith('Bearer realm="api", error="invalid_token"'));
      assert.deepEqual(refused.json(), { error: 'invalid_token', error_description: 'token is revoked' });
      assert.equal((await app.me(spared)).status, 200, `the ${scope} revocation refused a token it does not cover`);
      assert.ok(elapsed <= PROPAGATION_BOUND);
    }));
  }

  test('a forged message with seq far ahead does not hide the real revocation after it', traced(async () => {
    const { server, app, redis, feedClient } = stack;
    const victim = await server.machineClient();
    const victimToken = await server.clientCredentials(victim);
    const target = await server.clientCredentials(await server.machineClient());
    assert.equal((await app.me(victimToken)).status, 200);
    assert.equal((await app.me(target)).status, 200);

    const { head } = await server.feed(feedClient, 0);
    const forged = await forgedRevocation(server.issuer, await server.activeKid(), { seq: head + 1000, prevSeq: head, clientId: victim.clientId });
    await redis.publish(server.channel, forged);
    await server.revoke({ jti: claims(target).jti });
    await secondsUntil(() => app.me(target), 401, PROPAGATION_BOUND);
    assert.equal((await app.me(victimToken)).status, 200, 'the forged client-wide revocation was applied');
  }));

  test('a tampered copy of a genuine message is ignored', traced(async () => {
    const { server, app, redis, feedClient } = stack;
    const caller = await server.machineClient();
    const revokedToken = await server.clientCredentials(caller);
    const untouched = await server.clientCredentials(caller);
    const seq = await server.revoke({ jti: claims(revokedToken).jti });
    await secondsUntil(() => app.me(revokedToken), 401, PROPAGATION_BOUND);
    const [genuine] = (await server.feed(feedClient, seq - 1)).items;
    const retargeted = tampered(genuine, (payload) => {
      payload.seq = seq + 1;
      payload.prev_seq = seq;
      payload.events = {
        'https://tokenledger.dev/secevent/revoked': { scope: 'token', jti: claims(untouched).jti, until: Math.trunc(Date.now() / 1000) + 900, reason: 'admin' },
      };
    });
    await redis.publish(server.channel, retargeted);
    assert.ok(await answersThroughout(() => app.me(untouched), 200, 1.5), 'the tampered message was applied');
  }));

  test('the README\'s Next.js route handler and Remix loader, called with Web Requests, validate and follow revocations', traced(async () => {
    const { server, feedClient, redis } = stack;
    // The handlers use the process's guard, configured by environment as in an app.
    Object.assign(process.env, {
      TOKENLEDGER_ISSUER: server.issuer,
      TOKENLEDGER_REDIS_URL: redis.url,
      TOKENLEDGER_REDIS_CHANNEL: server.channel,
      TOKENLEDGER_FEED_CLIENT_ID: feedClient.clientId,
      TOKENLEDGER_FEED_CLIENT_SECRET: feedClient.clientSecret,
    });
    const { GET } = await import('./fixtures/next-route.mjs');
    const { loader } = await import('./fixtures/remix-loader.mjs');
    try {
      const caller = await server.machineClient('orders:read profile');
      const token = await server.clientCredentials(caller);
      const bearer = () => new Request('http://api.test/orders/42', { headers: { authorization: `Bearer ${token}` } });

      const routed = await GET(bearer(), { params: Promise.resolve({}) });
      assert.equal(routed.status, 200);
      assert.deepEqual(await routed.json(), { sub: claims(token).sub, client_id: caller.clientId, scope: 'orders:read' });
      const loaded = await loader({ request: bearer(), params: { id: '42' }, context: {} });
      assert.deepEqual(await loaded.json(), { order: '42', sub: claims(token).sub });

      const profileOnly = await server.clientCredentials(caller, 'profile');
      const narrow = await GET(new Request('http://api.test/orders', { headers: { authorization: `Bearer ${profileOnly}` } }), {});
      assert.equal(narrow.status, 403);

      await server.revoke({ jti: claims(token).jti });
      await secondsUntil(() => GET(bearer(), {}), 401, PROPAGATION_BOUND);
      assert.equal((await loader({ request: bearer(), params: { id: '42' } })).status, 401);
    } finally {
      await defaultGuard().stop();
    }
  }));

  // Last: it stops the stack's Redis, then starts it again.
  test('Redis stopped: 503 after the staleness bound, recovery after restart with nothing missed', traced(async () => {
    const { server, app, redis } = stack;
    const caller = await server.machineClient();
    const valid = await server.clientCredentials(caller);
    const revokedWhileDown = await server.clientCredentials(caller);
    assert.equal((await app.me(valid)).status, 200);
    assert.equal((await app.me(revokedWhileDown)).status, 200);

    await redis.stop();
    const stopped = performance.now();
    await server.revoke({ jti: claims(revokedWhileDown).jti }); // committed; nobody can publish it now
    await secondsUntil(() => app.me(valid), 503, STALENESS_BOUND + 10, 100);
    const staleAfter = (performance.now() - stopped) / 1000;
    // Confirmed last by the catch-up after the disconnect, or by a heartbeat (iat in whole seconds, possibly late under load).
    assert.ok(staleAfter >= STALENESS_BOUND - 3 && staleAfter <= STALENESS_BOUND + 8, String(staleAfter));
    const unavailable = await app.me(valid);
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.headers.get('retry-after'), '2');
    assert.equal(unavailable.headers.get('www-authenticate'), null);
    assert.equal((await app.me(revokedWhileDown)).status, 503, 'stale: not even a revoked token is judged');

    await redis.start();
    await secondsUntil(() => app.me(valid), 200, 20, 100);
    assert.equal((await app.me(revokedWhileDown)).status, 401, 'the revocation made during the outage was caught up');
  }));
});
