/** The checks of a JWS header and of an access token's claims (RFC 9068), as LedgerGuard makes them. */

import { AccessToken } from './access-token.js';
import { ErrorCode, GuardError } from './errors.js';

/** The only signing algorithms accepted: asymmetric ones; never `none`, never HS*. */
export const ALLOWED_ALGORITHMS = Object.freeze(new Set(['ES256', 'RS256', 'PS256', 'EdDSA']));

/** The largest clock skew the kit allows, whatever is configured. */
export const MAXIMUM_SKEW_SECONDS = 15;

/** The `typ` of an RFC 9068 access token. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Claims every TokenLedger access token carries; missing or empty ones refuse the token. */
export const REQUIRED_CLAIMS = Object.freeze(['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'grant_id']);

const STRING_CLAIMS = ['iss', 'sub', 'jti', 'client_id', 'grant_id'];

/**
 * Checks a JWS header before any key or signature work and returns `{kid, alg}`.
 *
 * `alg` must be allowed; `typ` must be `expectedType` or `application/<expectedType>`
 * (case-insensitive); no `crit` (RFC 7515 §4.1.11: unknown extensions must be refused); a `kid`.
 * @param {Record<string, unknown>} header
 * @param {string} expectedType
 * @param {ReadonlySet<string>} [algorithms]
 * @returns {{kid: string, alg: string}}
 */
export function checkHeader(header, expectedType, algorithms = ALLOWED_ALGORITHMS) {
  const { alg, typ, crit, kid } = header;
  if (typeof alg !== 'string' || !algorithms.has(alg)) {
    throw new GuardError(ErrorCode.ALGORITHM_NOT_ALLOWED, `header alg is not one of ${[...algorithms].sort().join(', ')}`);
  }
  const type = typeof typ === 'string' ? typ.toLowerCase() : null;
  if (type !== expectedType && type !== 'application/' + expectedType) {
    throw new GuardError(ErrorCode.WRONG_TYPE, `header typ is not ${expectedType}`);
  }
  if (crit !== undefined && crit !== null && crit !== false && !(Array.isArray(crit) && crit.length === 0)) {
    throw new GuardError(ErrorCode.MALFORMED_TOKEN, 'header has crit extensions');
  }
  if (typeof kid !== 'string' || kid === '') {
    throw new GuardError(ErrorCode.UNKNOWN_KEY, 'header has no kid');
  }
  return { kid, alg };
}

/** The issuer, audience and skew every access token is checked against. */
export class AccessTokenRules {
  /**
   * @param {object} options
   * @param {string} options.issuer the exact `iss`
   * @param {string} options.audience `aud` must contain it
   * @param {number} [options.clockSkew] seconds of tolerance for `exp`, `nbf`, `iat`; capped at 15, at least 0
   * @param {Iterable<string>} [options.algorithms] a subset of `ALLOWED_ALGORITHMS`
   */
  constructor({ issuer, audience, clockSkew = 5, algorithms = ALLOWED_ALGORITHMS }) {
    this.issuer = issuer;
    this.audience = audience;
    this.clockSkew = Math.min(Math.max(Math.trunc(Number(clockSkew) || 0), 0), MAXIMUM_SKEW_SECONDS);
    this.algorithms = new Set(algorithms);
    const forbidden = [...this.algorithms].filter((a) => !ALLOWED_ALGORITHMS.has(a));
    if (forbidden.length > 0) {
      throw new RangeError(`algorithms not allowed by the kit: ${forbidden.sort().join(', ')}`);
    }
    Object.freeze(this);
  }

  /**
   * Checks the claims of a verified token at `now` (Unix seconds) and returns them typed.
   *
   * Required claims present and non-empty; `iss` exact; `aud` contains the audience; `exp` not
   * passed and `iat`/`nbf` not in the future, each within the skew.
   * @param {Record<string, unknown>} payload
   * @param {number} now
   * @returns {AccessToken}
   */
  checkClaims(payload, now) {
    for (const name of REQUIRED_CLAIMS) {
      const value = payload[name];
      if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) {
        throw new GuardError(ErrorCode.MISSING_CLAIM, `claim ${name} is missing`);
      }
    }
    if (STRING_CLAIMS.some((name) => typeof payload[name] !== 'string')) {
      throw new GuardError(ErrorCode.MALFORMED_TOKEN, 'iss, sub, jti, client_id or grant_id is not a string');
    }
    const exp = seconds(payload.exp, 'exp');
    const iat = seconds(payload.iat, 'iat');
    const nbf = payload.nbf !== undefined && payload.nbf !== null ? seconds(payload.nbf, 'nbf') : iat;
    const audiences = audiencesOf(payload.aud);
    if (payload.iss !== this.issuer) {
      throw new GuardError(ErrorCode.WRONG_ISSUER, 'iss is not the configured issuer');
    }
    if (!audiences.includes(this.audience)) {
      throw new GuardError(ErrorCode.WRONG_AUDIENCE, 'aud does not name this resource server');
    }
    if (!(now < exp + this.clockSkew)) {
      throw new GuardError(ErrorCode.EXPIRED, 'exp has passed');
    }
    if (iat > now + this.clockSkew || nbf > now + this.clockSkew) {
      throw new GuardError(ErrorCode.NOT_YET_VALID, 'iat or nbf lies in the future');
    }
    const sid = payload.sid;
    return new AccessToken({
      issuer: /** @type {string} */ (payload.iss),
      subject: /** @type {string} */ (payload.sub),
      audiences,
      expiresAt: exp,
      issuedAt: iat,
      jti: /** @type {string} */ (payload.jti),
      clientId: /** @type {string} */ (payload.client_id),
      grantId: /** @type {string} */ (payload.grant_id),
      sid: typeof sid === 'string' && sid !== '' ? sid : null,
      scope: typeof payload.scope === 'string' ? payload.scope : '',
      claims: payload,
    });
  }
}

/**
 * `aud`: one string or an array of strings (RFC 7519 §4.1.3).
 * @param {unknown} value
 * @returns {string[]}
 */
function audiencesOf(value) {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((a) => typeof a === 'string');
  return [];
}

/**
 * A NumericDate claim (RFC 7519 §2) as whole seconds.
 * @param {unknown} value
 * @param {string} name
 */
function seconds(value, name) {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new GuardError(ErrorCode.MALFORMED_TOKEN, `claim ${name} is not a NumericDate`);
  }
  return Math.trunc(value);
}
