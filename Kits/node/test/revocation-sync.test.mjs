// The subscriber's pure state: deny-list scopes, gaps, freshness. Mirrors RevocationSyncTests and RevocationDenyListTests.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccessToken, ApplyOutcome, BroadcastMessage, CatchUp, RevocationDenyList, RevocationSync, RevokedEvent, Scope } from 'tokenledger-guard';

const NOW = 1_767_225_600;
const BOUND = 10_000;

function token(overrides = {}) {
  return new AccessToken({
    issuer: 'https://issuer.test', subject: 'alice', audiences: ['api'], expiresAt: NOW + 600, issuedAt: NOW - 10,
    jti: 'jti-1', clientId: 'web', grantId: 'grant-1', sid: 'sid-1', scope: '', claims: {}, ...overrides,
  });
}

const event = (scope, identifier, notBefore = null, until = NOW + 900) => new RevokedEvent(scope, identifier, until, notBefore, 'admin');
const revocation = (seq, prevSeq, revoked, iat = NOW) =>
  new BroadcastMessage({ iss: 'https://issuer.test', jti: `m-${seq}`, iat, seq, prevSeq, revoked, isHeartbeat: false, payload: {} });
const heartbeat = (seq, iat = NOW) =>
  new BroadcastMessage({ iss: 'https://issuer.test', jti: `h-${seq}-${iat}`, iat, seq, prevSeq: seq, revoked: null, isHeartbeat: true, payload: {} });

test('each scope revokes exactly the tokens it covers', () => {
  const deny = new RevocationDenyList();
  deny.apply(event(Scope.TOKEN, 'jti-x'), 1);
  deny.apply(event(Scope.GRANT, 'grant-x'), 2);
  deny.apply(event(Scope.SESSION, 'sid-x'), 3);
  deny.apply(event(Scope.SUBJECT, 'bob', NOW), 4);
  deny.apply(event(Scope.CLIENT, 'svc', NOW), 5);
  assert.equal(deny.isRevoked(token()), false);
  assert.ok(deny.isRevoked(token({ jti: 'jti-x' })) && deny.isRevoked(token({ grantId: 'grant-x' })) && deny.isRevoked(token({ sid: 'sid-x' })));
  assert.ok(deny.isRevoked(token({ subject: 'bob' })) && !deny.isRevoked(token({ subject: 'bob', issuedAt: NOW })));
  assert.ok(deny.isRevoked(token({ clientId: 'svc', issuedAt: NOW - 1 })) && !deny.isRevoked(token({ clientId: 'svc', issuedAt: NOW + 1 })));
  assert.equal(deny.isRevoked(token({ sid: null })), false);
});

test('a later cutoff widens an earlier one, never narrows', () => {
  const deny = new RevocationDenyList();
  deny.apply(event(Scope.SUBJECT, 'bob', NOW), 1);
  deny.apply(event(Scope.SUBJECT, 'bob', NOW - 100, NOW + 100), 2);
  assert.ok(deny.isRevoked(token({ subject: 'bob', issuedAt: NOW - 1 })));
  deny.prune(NOW + 850, 5);
  assert.equal(deny.size, 1, 'until stayed the wider one');
});

test('duplicates and events lacking their identifier are ignored, and a head never lowers the watermark', () => {
  const deny = new RevocationDenyList();
  assert.equal(deny.apply(event(Scope.TOKEN, 'a'), 10), ApplyOutcome.APPLIED);
  assert.equal(deny.apply(event(Scope.TOKEN, 'b'), 10), ApplyOutcome.DUPLICATE);
  assert.equal(deny.apply(event(Scope.SUBJECT, null), 11), ApplyOutcome.INVALID);
  assert.equal(deny.lastAppliedSeq, 10);
  assert.equal(deny.size, 1);
  deny.advance(5);
  assert.equal(deny.lastAppliedSeq, 10);
  deny.advance(50);
  assert.equal(deny.lastAppliedSeq, 50);
});

test('a subject or client event without not_before names nothing', () => {
  const decoded = RevokedEvent.fromJSON({ scope: 'client', client_id: 'svc', until: NOW, reason: 'admin' });
  assert.equal(decoded.identifier, null);
  assert.throws(() => RevokedEvent.fromJSON({ scope: 'everything', until: NOW, reason: 'admin' }), TypeError);
});

test('entries are pruned once until plus the grace has passed, not before', () => {
  const deny = new RevocationDenyList();
  deny.apply(event(Scope.TOKEN, 'a', null, NOW), 1);
  deny.prune(NOW + 5, 5);
  assert.equal(deny.size, 1);
  deny.prune(NOW + 6, 5);
  assert.equal(deny.size, 0);
});

test('stale until the first catch-up; a connect asks for the snapshot; fresh until the bound', () => {
  const sync = new RevocationSync();
  assert.equal(sync.isFresh(NOW * 1000, BOUND), false);
  assert.deepEqual(sync.connected(), new CatchUp(0));
  sync.caughtUp([], 42, NOW * 1000);
  assert.equal(sync.denyList.lastAppliedSeq, 42);
  assert.equal(sync.needsCatchUp, false);
  assert.ok(sync.isFresh(NOW * 1000 + BOUND, BOUND) && !sync.isFresh(NOW * 1000 + BOUND + 1, BOUND));
});

test('a revocation whose prev_seq is above the last applied reveals a gap, applies nothing and freezes freshness', () => {
  const sync = new RevocationSync();
  sync.caughtUp([], 10, (NOW - 5) * 1000);
  assert.deepEqual(sync.received(revocation(30, 20, event(Scope.TOKEN, 'a')), NOW * 1000), new CatchUp(10));
  assert.equal(sync.denyList.size, 0);
  assert.equal(sync.confirmedAt, (NOW - 5) * 1000);
  assert.deepEqual(sync.received(heartbeat(10), NOW * 1000), new CatchUp(10), 'in a gap, nothing confirms');
  sync.caughtUp([revocation(20, 10, event(Scope.TOKEN, 'lost')), revocation(30, 20, event(Scope.TOKEN, 'a'))], 35, NOW * 1000);
  assert.ok(sync.denyList.isRevoked(token({ jti: 'lost' })));
  assert.equal(sync.denyList.lastAppliedSeq, 35);
});

test('a chained revocation applies and confirms; a duplicate changes nothing', () => {
  const sync = new RevocationSync();
  sync.caughtUp([], 10, (NOW - 60) * 1000);
  assert.equal(sync.received(revocation(20, 10, event(Scope.GRANT, 'g')), NOW * 1000), null);
  assert.equal(sync.denyList.lastAppliedSeq, 20);
  assert.equal(sync.confirmedAt, NOW * 1000);
  assert.equal(sync.received(revocation(20, 10, event(Scope.GRANT, 'other')), NOW * 1000), null);
  assert.equal(sync.denyList.isRevoked(token({ grantId: 'other' })), false);
});

test('a heartbeat above the last applied seq, or a reconnect, opens a gap', () => {
  const sync = new RevocationSync();
  sync.caughtUp([], 10, (NOW - 5) * 1000);
  assert.deepEqual(sync.received(heartbeat(11), NOW * 1000), new CatchUp(10));
  sync.caughtUp([], 11, NOW * 1000);
  sync.disconnected();
  assert.ok(sync.needsCatchUp);
  assert.deepEqual(sync.received(heartbeat(11, NOW + 1), (NOW + 1) * 1000), new CatchUp(11));
  assert.equal(sync.confirmedAt, NOW * 1000);
});

test('freshness follows the signed iat: an old one does not extend it, a future one is capped at the local clock', () => {
  const sync = new RevocationSync();
  sync.caughtUp([], 10, (NOW - 60) * 1000);
  assert.equal(sync.received(heartbeat(10, NOW - 600), NOW * 1000), null);
  assert.equal(sync.isFresh(NOW * 1000, BOUND), false);
  assert.equal(sync.received(heartbeat(10, NOW + 3600), NOW * 1000), null);
  assert.equal(sync.confirmedAt, NOW * 1000);
  assert.equal(sync.received(heartbeat(10, NOW - 5), NOW * 1000), null);
  assert.equal(sync.confirmedAt, NOW * 1000, 'never moves back');
});
