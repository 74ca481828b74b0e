/** RFC 9068 access-token validation: header allowlist, signature against the JWKS, claims, then the revocation state. */

import { CompactJWS } from './compact-jws.js';
import { ErrorCode, GuardError } from './errors.js';
import { ACCESS_TOKEN_TYPE, checkHeader } from './rules.js';
import { verifySignature } from './signature.js';
import { ValidationCache } from './validation-cache.js';

/** The largest token text examined. */
export const MAXIMUM_TOKEN_BYTES = 16 << 10;

/**
 * Validates access tokens; a token validated once is remembered until it expires.
 *
 * Presenting it again costs one `Map` lookup — but every validation, cached or not, still checks
 * expiry, the deny list and the staleness bound.
 */
export class AccessTokenValidator {
  #cache;
  #skewMs;

  /**
   * @param {import('./rules.js').AccessTokenRules} rules
   * @param {import('./jwks-cache.js').JWKSCache} jwks
   * @param {import('./revocation-state.js').RevocationState} revocations
   * @param {number} [cacheCapacity]
   */
  constructor(rules, jwks, revocations, cacheCapacity = 100_000) {
    this.rules = rules;
    this.jwks = jwks;
    this.revocations = revocations;
    this.#cache = new ValidationCache(cacheCapacity);
    this.#skewMs = rules.clockSkew * 1000;
  }

  /**
   * Validates `token` (the text after `Bearer`) now and resolves to its claims; rejects with `GuardError`.
   *
   * A cached token resolves without any asynchronous work.
   * @param {string} token
   * @returns {Promise<import('./access-token.js').AccessToken>}
   */
  validate(token) {
    try {
      const cached = this.validateCached(token);
      if (cached !== undefined) return Promise.resolve(cached);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#validateUncached(token);
  }

  /**
   * The claims of a token validated before, checked again for expiry and revocation; `undefined` if it is not cached.
   * Throws `GuardError`.
   * @param {string} token
   * @param {number} [nowMs] Unix milliseconds
   */
  validateCached(token, nowMs = Date.now()) {
    const cached = this.#cache.lookup(token);
    if (cached === undefined) return undefined;
    if (nowMs >= cached.expiresAt * 1000 + this.#skewMs) {
      throw new GuardError(ErrorCode.EXPIRED, 'exp has passed');
    }
    this.revocations.check(cached, nowMs);
    return cached;
  }

  /** Forgets every remembered token, e.g. after the issuer withdrew a key. */
  clearCache() {
    this.#cache.clear();
  }

  /** @param {string} token */
  async #validateUncached(token) {
    const nowMs = Date.now();
    const parts = CompactJWS.parse(token, MAXIMUM_TOKEN_BYTES);
    const { kid, alg } = checkHeader(parts.header, ACCESS_TOKEN_TYPE, this.rules.algorithms);
    const { key, changed } = await this.jwks.key(kid, alg);
    // Tokens remembered under a key the issuer no longer publishes must be checked again.
    if (changed) this.#cache.clear();
    await verifySignature(parts.signingInput, parts.signature, key.key, alg);
    const claims = this.rules.checkClaims(parts.payload, nowMs / 1000);
    this.revocations.check(claims, nowMs);
    this.#cache.insert(token, claims, Math.trunc(nowMs / 1000));
    return claims;
  }
}
