// The shared vectors of the signed broadcast (Tests/Vectors/broadcast/), which every kit must agree on.
//
// Each `accept` message verifies against jwks.json and `issuer` to exactly its listed claims and is
// applied (renewing freshness unless `fresh` is false); each `reject` message is refused with its
// `reason` and moves nothing. Mirrors Tests/LedgerGuardTests/BroadcastVectorTests.swift.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { AccessToken, BroadcastVerifier, GuardError, JWKSCache, RevocationSync, Scope } from 'tokenledger-guard';
import { REPOSITORY } from './support/paths.mjs';

const VECTORS = join(REPOSITORY, 'Tests', 'Vectors', 'broadcast');
const JWKS_URL = 'https://issuer.vectors.test/jwks.json';
const vectors = JSON.parse(readFileSync(join(VECTORS, 'messages.json'), 'utf8'));
const jwks = readFileSync(join(VECTORS, 'jwks.json'), 'utf8');
const cases = (verdict) => vectors.cases.filter((c) => c.verdict === verdict);

/** A verifier whose JWKS is the vectors' one. */
function verifier() {
  const fetch = async (url) => (String(url) === JWKS_URL ? new Response(jwks, { headers: { 'content-type': 'application/json' } }) : new Response(null, { status: 404 }));
  return new BroadcastVerifier(vectors.issuer, new JWKSCache({ issuer: vectors.issuer, jwksUrl: JWKS_URL, fetch }));
}

/** A token issued 10 s before the vectors' now, carrying exactly the identifier the event names. */
function tokenCovering(scope, identifier, now) {
  return new AccessToken({
    issuer: 'https://issuer.vectors.test',
    subject: scope === Scope.SUBJECT ? identifier : 'nobody',
    audiences: ['api'],
    expiresAt: now + 600,
    issuedAt: now - 10,
    jti: scope === Scope.TOKEN ? identifier : 'other-jti',
    clientId: scope === Scope.CLIENT ? identifier : 'other-client',
    grantId: scope === Scope.GRANT ? identifier : 'other-grant',
    sid: scope === Scope.SESSION ? identifier : null,
    scope: '',
    claims: {},
  });
}

test('the vectors cover every required case', () => {
  const names = new Set(vectors.cases.map((c) => c.name));
  assert.ok(cases('accept').length >= 7 && cases('reject').length >= 9);
  for (const required of [
    'revoked-token', 'revoked-grant', 'revoked-session', 'revoked-subject', 'revoked-client', 'heartbeat', 'wrong-key',
    'alg-none', 'hs256-public-key-as-secret', 'edited-payload', 'future-seq-bad-signature', 'replayed-old-heartbeat',
  ]) {
    assert.ok(names.has(required), required);
  }
});

describe('accepted vectors verify to exactly their claims', () => {
  for (const vector of cases('accept')) {
    test(vector.name, async () => {
      const message = await verifier().verify(vector.message);
      assert.deepEqual(message.payload, vector.claims);
      assert.deepEqual([message.seq, message.prevSeq, message.iat], [vector.claims.seq, vector.claims.prev_seq, vector.claims.iat]);
    });
  }
});

describe('rejected vectors fail with their reason', () => {
  for (const vector of cases('reject')) {
    test(vector.name, async () => {
      await assert.rejects(verifier().verify(vector.message), (error) => error instanceof GuardError && error.code === vector.reason);
    });
  }
});

describe('accepted vectors apply what they announce and renew freshness exactly when marked fresh', () => {
  for (const vector of cases('accept')) {
    test(vector.name, async () => {
      const now = vectors.now * 1000;
      const bound = vectors.staleness_bound_seconds * 1000;
      const message = await verifier().verify(vector.message);
      // In sync up to just before the message, last confirmed a minute before the vectors' now.
      const sync = new RevocationSync();
      sync.caughtUp([], message.prevSeq, now - 60_000);
      assert.equal(sync.isFresh(now, bound), false);
      assert.equal(sync.received(message, now), null);
      assert.equal(sync.denyList.lastAppliedSeq, message.seq);
      assert.equal(sync.isFresh(now, bound), vector.fresh ?? true);
      if (message.revoked !== null) {
        assert.equal(sync.denyList.size, 1);
        assert.ok(sync.denyList.isRevoked(tokenCovering(message.revoked.scope, message.revoked.identifier, vectors.now)));
      } else {
        assert.ok(message.isHeartbeat);
        assert.equal(sync.denyList.size, 0);
      }
    });
  }
});

test('all vectors in order chain without a gap and rejected ones move nothing', async () => {
  const sync = new RevocationSync();
  sync.caughtUp([], 0, vectors.now * 1000 - 1000);
  const check = verifier();
  let rejected = 0;
  for (const vector of vectors.cases) {
    let message;
    try {
      message = await check.verify(vector.message);
    } catch (error) {
      assert.ok(error instanceof GuardError);
      rejected += 1;
      continue;
    }
    // The messages chain through prev_seq from the empty log: no catch-up is ever asked for.
    assert.equal(sync.received(message, vectors.now * 1000), null, vector.name);
  }
  assert.equal(rejected, cases('reject').length);
  assert.equal(sync.denyList.lastAppliedSeq, Math.max(...cases('accept').map((c) => c.claims.seq)));
  assert.equal(sync.denyList.size, 5);
});
