// Access-token validation, mirroring Tests/LedgerGuardTests/AccessTokenValidatorTests.swift (and the Python kit's test_validator.py).

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { AccessTokenRules, AccessTokenValidator, ErrorCode, GuardError, JWKSCache, RevocationState, RevokedEvent, Scope } from 'tokenledger-guard';
import { FakeIssuer, ISSUER } from './support/fake-issuer.mjs';
import { claims, encodeJSON, signES256 } from './support/jws.mjs';

function freshState() {
  const state = new RevocationState(10);
  state.sync.caughtUp([], 0, Date.now());
  return state;
}

function validatorFor(issuer, { skew = 5, state = freshState(), refetch = 5, discovery = true } = {}) {
  const jwks = new JWKSCache({
    issuer: ISSUER,
    ...(discovery ? { discoveryUrl: ISSUER + '/.well-known/openid-configuration' } : { jwksUrl: ISSUER + '/jwks.json' }),
    minimumRefetchInterval: refetch,
    fetch: issuer.fetch,
  });
  return new AccessTokenValidator(new AccessTokenRules({ issuer: ISSUER, audience: ISSUER, clockSkew: skew }), jwks, state);
}

/** The code the validator refuses `token` with, or null when it accepts it. */
async function refusal(validator, token) {
  try {
    await validator.validate(token);
    return null;
  } catch (error) {
    assert.ok(error instanceof GuardError, String(error));
    return error.code;
  }
}

const now = () => Math.trunc(Date.now() / 1000);

test('a valid ES256 token is accepted with its claims, also as application/at+jwt, and again from the cache', async () => {
  const issuer = await FakeIssuer.create();
  const validator = validatorFor(issuer);
  const token = await issuer.token();
  const accepted = await validator.validate(token);
  assert.deepEqual([accepted.subject, accepted.clientId, accepted.sid, accepted.audiences], ['alice', 'web', 'sid-1', [ISSUER]]);
  assert.deepEqual([...accepted.scopes].sort(), ['openid', 'orders:read']);
  assert.equal(accepted.scope, 'openid orders:read');
  assert.ok(accepted.hasScopes('orders:read') && !accepted.hasScopes('orders:write'));
  assert.equal(await validator.validate(token), accepted);
  assert.equal((await validator.validate(await issuer.token({ header: { typ: 'application/AT+JWT' } }))).subject, 'alice');
  assert.equal(issuer.jwksFetches, 1);
});

for (const alg of ['none', 'HS256', 'HS512', 'ES384', 'RS512', '']) {
  test(`alg ${JSON.stringify(alg)} is refused before any key is looked up`, async () => {
    const issuer = await FakeIssuer.create();
    const validator = validatorFor(issuer);
    const genuine = await issuer.token();
    const forged = encodeJSON({ alg, kid: 'key-1', typ: 'at+jwt' }) + genuine.slice(genuine.indexOf('.'));
    assert.equal(await refusal(validator, forged), ErrorCode.ALGORITHM_NOT_ALLOWED);
    assert.equal(await refusal(validator, forged.slice(0, forged.lastIndexOf('.') + 1)), ErrorCode.ALGORITHM_NOT_ALLOWED, 'unsigned');
    assert.equal(issuer.jwksFetches, 0);
  });
}

test('the public key used as an HMAC secret is refused', async () => {
  const issuer = await FakeIssuer.create();
  const validator = validatorFor(issuer);
  const jwk = await crypto.subtle.exportKey('jwk', issuer.keys.get('key-1').publicKey);
  const header = encodeJSON({ alg: 'HS256', kid: 'key-1', typ: 'at+jwt' });
  const payload = (await issuer.token()).split('.')[1];
  const mac = createHmac('sha256', JSON.stringify(jwk)).update(`${header}.${payload}`).digest('base64url');
  assert.equal(await refusal(validator, `${header}.${payload}.${mac}`), ErrorCode.ALGORITHM_NOT_ALLOWED);
});

for (const typ of ['JWT', 'secevent+jwt', null]) {
  test(`typ ${typ} is refused: only at+jwt`, async () => {
    const issuer = await FakeIssuer.create();
    const validator = validatorFor(issuer);
    const token = await signES256(claims(await issuer.token()), issuer.keys.get('key-1').privateKey, { kid: 'key-1', typ });
    assert.equal(await refusal(validator, token), ErrorCode.WRONG_TYPE);
  });
}

test('a crit header is refused', async () => {
  const issuer = await FakeIssuer.create();
  assert.equal(await refusal(validatorFor(issuer), await issuer.token({ header: { crit: ['exp'] } })), ErrorCode.MALFORMED_TOKEN);
});

test('a wrong issuer or audience is refused; an audience list naming this API is accepted', async () => {
  const issuer = await FakeIssuer.create();
  const validator = validatorFor(issuer);
  assert.equal(await refusal(validator, await issuer.token({ claims: { iss: 'https://evil.test' } })), ErrorCode.WRONG_ISSUER);
  assert.equal(await refusal(validator, await issuer.token({ claims: { aud: 'https://other.api' } })), ErrorCode.WRONG_AUDIENCE);
  assert.equal(await refusal(validator, await issuer.token({ claims: { aud: ['https://other.api', ISSUER] } })), null);
});

test('exp, iat and nbf are checked with the skew, never more than 15 s', async () => {
  const issuer = await FakeIssuer.create();
  const validator = validatorFor(issuer, { skew: 5 });
  const t = now();
  assert.equal(await refusal(validator, await issuer.token({ claims: { exp: t - 6 } })), ErrorCode.EXPIRED);
  assert.equal(await refusal(validator, await issuer.token({ claims: { exp: t + 2 } })), null);
  assert.equal(await refusal(validator, await issuer.token({ claims: { iat: t + 30 } })), ErrorCode.NOT_YET_VALID);
  assert.equal(await refusal(validator, await issuer.token({ claims: { nbf: t + 30 } })), ErrorCode.NOT_YET_VALID);
  assert.equal(await refusal(validator, await issuer.token({ claims: { iat: t + 3, nbf: t + 3 } })), null);
  const lenient = validatorFor(issuer, { skew: 60 });
  assert.equal(lenient.rules.clockSkew, 15);
  assert.equal(await refusal(lenient, await issuer.token({ claims: { exp: t - 16 } })), ErrorCode.EXPIRED);
  assert.equal(await refusal(lenient, await issuer.token({ claims: { exp: t - 10 } })), null);
  assert.equal(validatorFor(issuer, { skew: -3 }).rules.clockSkew, 0);
});

test('a cached token is refused once it expires', async () => {
  const issuer = await FakeIssuer.create();
  const validator = validatorFor(issuer);
  const token = await issuer.token({ claims: { exp: now() + 60 } });
  await validator.validate(token);
  assert.throws(() => validator.validateCached(token, Date.now() + 66_000), (error) => error.code === ErrorCode.EXPIRED);
});

for (const claim of ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'grant_id']) {
  test(`the required claim ${claim}, missing or empty, is refused as missing`, async () => {
    const issuer = await FakeIssuer.create();
    const validator = validatorFor(issuer);
    assert.equal(await refusal(validator, await issuer.token({ drop: [claim] })), ErrorCode.MISSING_CLAIM);
    if (claim !== 'exp' && claim !== 'iat') {
      assert.equal(await refusal(validator, await issuer.token({ claims: { [claim]: '' } })), ErrorCode.MISSING_CLAIM);
    }
  });
}

test('a bad signature, a tampered payload and garbage are refused', async () => {
  const issuer = await FakeIssuer.create();
  const validator = validatorFor(issuer);
  const [header, payload, signature] = (await issuer.token()).split('.');
  const other = (await issuer.token({ claims: { sub: 'mallory' } })).split('.')[1];
  assert.equal(await refusal(validator, `${header}.${other}.${signature}`), ErrorCode.BAD_SIGNATURE);
  assert.equal(await refusal(validator, `${header}.${payload}.${signature.slice(0, -8)}AAAAAAAA`), ErrorCode.BAD_SIGNATURE);
  for (const garbage of ['', 'abc', 'a.b', 'a.b.c', 'eyJ9.eyJ9.x', `${header}.${payload}`, `${header}.${payload}.${signature}+`, 'x'.repeat(20_000)]) {
    assert.equal(await refusal(validator, garbage), ErrorCode.MALFORMED_TOKEN, garbage.slice(0, 40));
  }
});

test('an unknown kid refetches the JWKS; a rotated-in key is accepted, a withdrawn one refused', async () => {
  const issuer = await FakeIssuer.create();
  const validator = validatorFor(issuer, { refetch: 0, discovery: false });
  const old = await issuer.token();
  await validator.validate(old);
  await issuer.addKey('key-2');
  assert.equal((await validator.validate(await issuer.token({ kid: 'key-2' }))).subject, 'alice');
  assert.equal(issuer.jwksFetches, 2);
  issuer.keys.delete('key-1');
  await issuer.addKey('key-3');
  await validator.validate(await issuer.token({ kid: 'key-3' })); // the refetch drops key-1 and forgets tokens validated under it
  assert.equal(await refusal(validator, old), ErrorCode.UNKNOWN_KEY);
});

test('the JWKS is found through the discovery document, whose issuer must match', async () => {
  const issuer = await FakeIssuer.create({ discoveryIssuer: 'https://impostor.test' });
  assert.equal(await refusal(validatorFor(issuer), await issuer.token()), ErrorCode.JWKS_UNAVAILABLE);
  assert.equal(issuer.jwksFetches, 0);
});

test('refetches on unknown kids are rate-limited', async () => {
  const issuer = await FakeIssuer.create();
  const validator = validatorFor(issuer);
  await validator.validate(await issuer.token());
  await issuer.addKey('made-up');
  const forged = await issuer.token({ kid: 'made-up' });
  issuer.keys.delete('made-up');
  for (let i = 0; i < 20; i += 1) assert.equal(await refusal(validator, forged), ErrorCode.UNKNOWN_KEY);
  assert.equal(issuer.jwksFetches, 1);
});

test('revoked tokens and a stale revocation state are refused, cached or not', async () => {
  const issuer = await FakeIssuer.create();
  const state = freshState();
  const validator = validatorFor(issuer, { state });
  const token = await issuer.token({ claims: { jti: 'jti-revoked' } });
  await validator.validate(token);
  state.sync.denyList.apply(new RevokedEvent(Scope.TOKEN, 'jti-revoked', now() + 600, null, 'admin'), 1);
  assert.equal(await refusal(validator, token), ErrorCode.REVOKED);
  assert.equal(await refusal(validator, await issuer.token({ claims: { jti: 'jti-revoked' } })), ErrorCode.REVOKED);
  const other = await issuer.token();
  await validator.validate(other);
  state.sync.confirmedAt = Date.now() - 11_000;
  assert.equal(await refusal(validator, other), ErrorCode.REVOCATIONS_STALE);
  assert.equal(await refusal(validator, await issuer.token()), ErrorCode.REVOCATIONS_STALE);
  assert.ok(new GuardError(ErrorCode.REVOCATIONS_STALE, 'x').isUnavailable && !new GuardError(ErrorCode.REVOKED, 'x').isUnavailable);
});

test('RS256, PS256 and EdDSA keys verify through WebCrypto; a key of another type is not taken for the alg', async () => {
  const rsa = { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  const kinds = [
    ['RS256', { name: 'RSASSA-PKCS1-v1_5', ...rsa }, { name: 'RSASSA-PKCS1-v1_5' }],
    ['PS256', { name: 'RSA-PSS', ...rsa }, { name: 'RSA-PSS', saltLength: 32 }],
    ['EdDSA', { name: 'Ed25519' }, { name: 'Ed25519' }],
  ];
  const keys = [];
  const signers = {};
  for (const [alg, generate, sign] of kinds) {
    const pair = await crypto.subtle.generateKey(generate, true, ['sign', 'verify']);
    keys.push({ ...(await crypto.subtle.exportKey('jwk', pair.publicKey)), kid: alg, alg, use: 'sig', key_ops: undefined });
    signers[alg] = async (payload) => {
      const input = `${encodeJSON({ alg, kid: alg, typ: 'at+jwt' })}.${encodeJSON(payload)}`;
      return `${input}.${Buffer.from(await crypto.subtle.sign(sign, pair.privateKey, new TextEncoder().encode(input))).toString('base64url')}`;
    };
  }
  // An EC key published as EdDSA must not be imported for it.
  const ec = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
  keys.push({ ...(await crypto.subtle.exportKey('jwk', ec.publicKey)), kid: 'mislabelled', alg: 'EdDSA' });
  const fetch = async () => Response.json({ keys });
  const jwks = new JWKSCache({ issuer: ISSUER, jwksUrl: ISSUER + '/jwks.json', fetch });
  const validator = new AccessTokenValidator(new AccessTokenRules({ issuer: ISSUER, audience: ISSUER }), jwks, freshState());
  const t = now();
  for (const [alg] of kinds) {
    const payload = { iss: ISSUER, sub: alg, aud: ISSUER, exp: t + 60, iat: t, jti: alg, client_id: 'c', grant_id: 'g' };
    assert.equal((await validator.validate(await signers[alg](payload))).subject, alg);
  }
  await jwks.refresh();
  assert.deepEqual([...jwks.keyIds].sort(), ['EdDSA', 'PS256', 'RS256']);
});
