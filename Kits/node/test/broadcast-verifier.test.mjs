// The broadcast verifier beyond the shared vectors: size limit, unknown events, a key rotation clearing the validation cache.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BroadcastVerifier, ErrorCode, GuardError, JWKSCache, MAXIMUM_MESSAGE_BYTES } from 'tokenledger-guard';
import { FakeIssuer, ISSUER } from './support/fake-issuer.mjs';
import { signES256 } from './support/jws.mjs';

async function setup() {
  const issuer = await FakeIssuer.create();
  let keysChanged = 0;
  const jwks = new JWKSCache({ issuer: ISSUER, jwksUrl: ISSUER + '/jwks.json', minimumRefetchInterval: 0, fetch: issuer.fetch });
  const verifier = new BroadcastVerifier(ISSUER, jwks, { keysChanged: () => (keysChanged += 1) });
  const sign = (payload, kid = 'key-1', header = {}) => signES256(payload, issuer.keys.get(kid).privateKey, { kid, typ: 'secevent+jwt', ...header });
  return { issuer, verifier, sign, keysChanged: () => keysChanged };
}

const message = (events, extra = {}) => ({ iss: ISSUER, jti: 'm-1', iat: 1_767_225_600, seq: 5, prev_seq: 4, events, ...extra });
const HEARTBEAT = { 'https://tokenledger.dev/secevent/heartbeat': {} };
const code = (expected) => (error) => error instanceof GuardError && error.code === expected;

test('a heartbeat signed by the issuer verifies; the first key lookup reports the key ids changed', async () => {
  const { verifier, sign, keysChanged } = await setup();
  const verified = await verifier.verify(await sign(message(HEARTBEAT)));
  assert.ok(verified.isHeartbeat && verified.isKnown && verified.revoked === null);
  assert.equal(keysChanged(), 1);
});

test('a message that is neither a revocation nor a heartbeat, or both, is malformed_message', async () => {
  const { verifier, sign } = await setup();
  const revoked = { 'https://tokenledger.dev/secevent/revoked': { scope: 'token', jti: 'j', until: 1, reason: 'admin' } };
  await assert.rejects(verifier.verify(await sign(message({ 'https://example.test/other': {} }))), code(ErrorCode.MALFORMED_MESSAGE));
  await assert.rejects(verifier.verify(await sign(message({ ...HEARTBEAT, ...revoked }))), code(ErrorCode.MALFORMED_MESSAGE));
});

test('claims that do not form a message, an oversized message and an access-token typ are refused before any signature work', async () => {
  const { issuer, verifier, sign } = await setup();
  await assert.rejects(verifier.verify(await sign(message(HEARTBEAT, { seq: '5' }))), code(ErrorCode.MALFORMED_TOKEN));
  await assert.rejects(verifier.verify(await sign(message(HEARTBEAT, { pad: 'x'.repeat(MAXIMUM_MESSAGE_BYTES) }))), code(ErrorCode.MALFORMED_TOKEN));
  await assert.rejects(verifier.verify(await sign(message(HEARTBEAT), 'key-1', { typ: 'at+jwt' })), code(ErrorCode.WRONG_TYPE));
  assert.equal(issuer.jwksFetches, 0);
});

test('another issuer\'s message is refused even when signed by a published key', async () => {
  const { verifier, sign } = await setup();
  await assert.rejects(verifier.verify(await sign(message(HEARTBEAT, { iss: 'https://other.test' }))), code(ErrorCode.WRONG_ISSUER));
});
