/** JWS signature verification with Node's built-in WebCrypto (`crypto.subtle`): ES256, RS256, PS256, EdDSA. */

import { ErrorCode, GuardError } from './errors.js';

/** How each allowed `alg` imports a JWK and verifies: WebCrypto's algorithm parameters, and the JWK it needs. */
const ALGORITHMS = Object.freeze({
  ES256: { kty: 'EC', crv: 'P-256', import: { name: 'ECDSA', namedCurve: 'P-256' }, verify: { name: 'ECDSA', hash: 'SHA-256' } },
  RS256: { kty: 'RSA', import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, verify: { name: 'RSASSA-PKCS1-v1_5' } },
  PS256: { kty: 'RSA', import: { name: 'RSA-PSS', hash: 'SHA-256' }, verify: { name: 'RSA-PSS', saltLength: 32 } },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', import: { name: 'Ed25519' }, verify: { name: 'Ed25519' } },
});

const encoder = new TextEncoder();

/**
 * A verification key: the public half of a JWK, imported for `alg`.
 *
 * Throws `TypeError` when the JWK does not fit the algorithm (wrong `kty` or `crv`, bad numbers).
 * @param {Record<string, unknown>} jwk
 * @param {string} alg
 * @returns {Promise<CryptoKey>}
 */
export async function importVerificationKey(jwk, alg) {
  const algorithm = ALGORITHMS[/** @type {keyof typeof ALGORITHMS} */ (alg)];
  if (algorithm === undefined) throw new TypeError(`${alg} is not supported`);
  if (jwk.kty !== algorithm.kty || ('crv' in algorithm && jwk.crv !== algorithm.crv)) {
    throw new TypeError(`key type does not fit ${alg}`);
  }
  // Only the public members: `alg`, `use` or `key_ops` as published must not veto the import.
  const { kty, crv, x, y, n, e } = /** @type {Record<string, string>} */ (jwk);
  const publicJwk = Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined));
  return crypto.subtle.importKey('jwk', publicJwk, algorithm.import, false, ['verify']);
}

/**
 * Throws `bad_signature` unless `signature` over `signingInput` (the text as received, RFC 7515 §5.2)
 * verifies with `key` under `alg`.
 * @param {string} signingInput
 * @param {Uint8Array} signature
 * @param {CryptoKey} key
 * @param {string} alg
 */
export async function verifySignature(signingInput, signature, key, alg) {
  const algorithm = ALGORITHMS[/** @type {keyof typeof ALGORITHMS} */ (alg)];
  if (algorithm === undefined) {
    throw new GuardError(ErrorCode.ALGORITHM_NOT_ALLOWED, `${alg} is not supported`);
  }
  let valid;
  try {
    valid = await crypto.subtle.verify(algorithm.verify, key, signature, encoder.encode(signingInput));
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new GuardError(ErrorCode.BAD_SIGNATURE, 'signature does not verify');
  }
}
