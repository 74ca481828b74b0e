// The kit in the test's own process against the real service: startup catch-up, dropped forgeries counted by reason, the idle timeout.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ErrorCode, GuardError, LedgerGuard } from 'tokenledger-guard';
import { BlackholeProxy } from './support/blackhole-proxy.mjs';
import { forgedRevocation, PROPAGATION_BOUND } from './support/helpers.mjs';
import { claims, tampered } from './support/jws.mjs';
import { serverBinary, sleep, startStack } from './support/real-stack.mjs';

const binary = serverBinary();

/** The code `guard` refuses `token` with, or null when it accepts it. */
async function refusal(guard, token) {
  try {
    await guard.validate(token);
    return null;
  } catch (error) {
    if (!(error instanceof GuardError)) throw error;
    return error.code;
  }
}

/** Seconds until the async `condition()` holds; fails after `timeout` seconds. */
async function eventually(condition, timeout) {
  const started = performance.now();
  while (performance.now() - started < timeout * 1000) {
    if (await condition()) return (performance.now() - started) / 1000;
    await sleep(10);
  }
  throw new Error(`condition not met within ${timeout} s`);
}

describe('the kit in process against tokenledger serve', { skip: binary === null && 'TOKENLEDGER_SERVER_BIN is not set (Scripts/test.sh sets it)' }, () => {
  let stack;
  let failed = false;
  before(async () => {
    stack = await startStack(binary, { example: false });
  });
  after(async () => {
    await stack?.close(failed);
  });

  /** A started guard for the stack; stopped after `body`. */
  async function withGuard(options, body) {
    const guard = new LedgerGuard({
      issuer: stack.server.issuer,
      clientId: stack.feedClient.clientId,
      clientSecret: stack.feedClient.clientSecret,
      redisUrl: stack.redis.url,
      channel: stack.server.channel,
      ...options,
    });
    try {
      await guard.start();
      await body(guard);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      await guard.stop();
    }
  }

  test('a token revoked before the guard started is refused after the startup catch-up', async () => {
    const { server } = stack;
    const caller = await server.machineClient();
    const revoked = await server.clientCredentials(caller);
    const valid = await server.clientCredentials(caller);
    const seq = await server.revoke({ jti: claims(revoked).jti });
    await withGuard({}, async (guard) => {
      assert.ok(guard.revocations.isFresh, 'start() waits for the first catch-up');
      assert.ok(guard.revocations.lastAppliedSeq >= seq);
      assert.equal(await refusal(guard, revoked), ErrorCode.REVOKED);
      assert.equal((await guard.validate(valid)).clientId, caller.clientId);
    });
  });

  test('forged and tampered messages are dropped, counted by reason, and move nothing', () =>
    withGuard({}, async (guard) => {
      const { server, redis, feedClient } = stack;
      const victim = await server.machineClient();
      const victimToken = await server.clientCredentials(victim);
      assert.equal(await refusal(guard, victimToken), null);
      const last = guard.revocations.lastAppliedSeq;
      const { head } = await server.feed(feedClient, 0);
      await redis.publish(server.channel, await forgedRevocation(server.issuer, await server.activeKid(), { seq: head + 1000, prevSeq: head, clientId: victim.clientId }));
      await redis.publish(server.channel, 'not a message');

      // A genuine message retargeted at the victim's client, keeping the original signature.
      const target = await server.clientCredentials(await server.machineClient());
      const seq = await server.revoke({ jti: claims(target).jti });
      await eventually(async () => (await refusal(guard, target)) === ErrorCode.REVOKED, PROPAGATION_BOUND);
      const [genuine] = (await server.feed(feedClient, seq - 1)).items;
      const now = Math.trunc(Date.now() / 1000);
      await redis.publish(server.channel, tampered(genuine, (payload) => {
        payload.seq = seq + 1;
        payload.prev_seq = seq;
        payload.events['https://tokenledger.dev/secevent/revoked'] = { scope: 'client', client_id: victim.clientId, not_before: now + 60, until: now + 900, reason: 'admin' };
      }));
      await eventually(async () => guard.revocations.rejectedMessages >= 3, 5);
      assert.deepEqual(Object.fromEntries(guard.revocations.rejectedByReason), { bad_signature: 2, malformed_token: 1 });
      assert.ok(last < guard.revocations.lastAppliedSeq && guard.revocations.lastAppliedSeq < head + 1000);
      assert.equal(await refusal(guard, victimToken), null);
    }));

  test('a silent channel is taken as lost after the idle timeout, and caught up', async () => {
    const proxy = new BlackholeProxy(stack.redis.port);
    await proxy.start();
    try {
      // Above the relay's promised heartbeat interval (at most 2 s), so only the silencing can trip it.
      await withGuard({ redisUrl: `redis://127.0.0.1:${proxy.port}/0`, channelIdleTimeout: 2.5 }, async (guard) => {
        const token = await stack.server.clientCredentials(await stack.server.machineClient());
        assert.equal(await refusal(guard, token), null);
        const connections = proxy.accepted;
        proxy.silence(); // half-open: no FIN, no data, no heartbeat
        await stack.server.revoke({ jti: claims(token).jti });
        const elapsed = await eventually(async () => (await refusal(guard, token)) === ErrorCode.REVOKED, 10);
        assert.ok(proxy.accepted > connections, 'the kit reconnected');
        assert.ok(elapsed >= 0.5, 'the revocation came through the reconnect\'s catch-up, not the silenced connection');
        assert.ok(guard.revocations.isFresh);
      });
    } finally {
      await proxy.stop();
    }
  });
});
