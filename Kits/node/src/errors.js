/** Why the kit refused a token or could not do its work. */

/**
 * The kind of failure; the values are LedgerGuard's (Swift) error codes, shared by the test vectors.
 * @readonly
 */
export const ErrorCode = Object.freeze({
  /** Not a compact JWS with a JSON header and payload. */
  MALFORMED_TOKEN: 'malformed_token',
  /** The header `alg` is not in the allowlist, or differs from the key's algorithm. */
  ALGORITHM_NOT_ALLOWED: 'algorithm_not_allowed',
  /** The header `typ` is not `at+jwt` (RFC 9068 §4), or `secevent+jwt` for a broadcast message. */
  WRONG_TYPE: 'wrong_type',
  /** No key with the header's `kid` is published, even after refetching the JWKS. */
  UNKNOWN_KEY: 'unknown_key',
  /** The signature does not verify. */
  BAD_SIGNATURE: 'bad_signature',
  /** `iss` is not the configured issuer. */
  WRONG_ISSUER: 'wrong_issuer',
  /** `aud` does not contain the configured audience. */
  WRONG_AUDIENCE: 'wrong_audience',
  /** `exp` has passed, beyond the allowed skew. */
  EXPIRED: 'expired',
  /** `nbf` or `iat` lies in the future, beyond the allowed skew. */
  NOT_YET_VALID: 'not_yet_valid',
  /** A broadcast message is neither a revocation nor a heartbeat. */
  MALFORMED_MESSAGE: 'malformed_message',
  /** A required claim is missing or empty. */
  MISSING_CLAIM: 'missing_claim',
  /** A revocation covers the token. */
  REVOKED: 'revoked',
  /** The revocation state is not known to be current: the kit fails closed. */
  REVOCATIONS_STALE: 'revocations_stale',
  /** The discovery document or the JWKS could not be fetched or parsed. */
  JWKS_UNAVAILABLE: 'jwks_unavailable',
  /** The catch-up feed or the token endpoint refused or failed. */
  FEED_UNAVAILABLE: 'feed_unavailable',
});

const UNAVAILABLE = new Set([ErrorCode.REVOCATIONS_STALE, ErrorCode.JWKS_UNAVAILABLE, ErrorCode.FEED_UNAVAILABLE]);

/**
 * A refusal or failure with its code and a human-readable detail.
 *
 * Never carries token text, keys or secrets: `detail` names the claim or header field at fault, not its value.
 */
export class GuardError extends Error {
  /**
   * @param {string} code one of `ErrorCode`
   * @param {string} detail what failed
   */
  constructor(code, detail) {
    super(`${code}: ${detail}`);
    this.name = 'GuardError';
    this.code = code;
    this.detail = detail;
  }

  /** Whether the kit could not decide (answer 503) rather than refusing the token (401). */
  get isUnavailable() {
    return UNAVAILABLE.has(this.code);
  }
}
