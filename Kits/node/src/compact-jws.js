/** Splitting a compact JWS (RFC 7515 §7.1) into its decoded header and payload, before any key work. */

import { ErrorCode, GuardError } from './errors.js';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** The decoded, not yet verified parts of a compact JWS. */
export class CompactJWS {
  /**
   * @param {Record<string, unknown>} header
   * @param {Record<string, unknown>} payload
   * @param {string} signingInput the first two segments as received (RFC 7515 §5.2)
   * @param {Uint8Array} signature
   */
  constructor(header, payload, signingInput, signature) {
    this.header = header;
    this.payload = payload;
    this.signingInput = signingInput;
    this.signature = signature;
  }

  /**
   * Decodes `compact`: three base64url segments whose first two are JSON objects.
   *
   * Throws `GuardError(malformed_token)` for anything else, or for text over `maximumSize` bytes.
   * @param {string} compact
   * @param {number} [maximumSize]
   */
  static parse(compact, maximumSize) {
    if (typeof compact !== 'string') {
      throw new GuardError(ErrorCode.MALFORMED_TOKEN, 'not a compact JWS of three segments');
    }
    if (maximumSize !== undefined && compact.length > maximumSize / 3 && Buffer.byteLength(compact, 'utf8') > maximumSize) {
      throw new GuardError(ErrorCode.MALFORMED_TOKEN, `message exceeds ${maximumSize} bytes`);
    }
    const parts = compact.split('.');
    if (parts.length !== 3) {
      throw new GuardError(ErrorCode.MALFORMED_TOKEN, 'not a compact JWS of three segments');
    }
    if (!parts.every((part) => BASE64URL.test(part))) {
      throw new GuardError(ErrorCode.MALFORMED_TOKEN, 'header or payload is not base64url-encoded JSON');
    }
    let header;
    let payload;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      throw new GuardError(ErrorCode.MALFORMED_TOKEN, 'header or payload is not base64url-encoded JSON');
    }
    if (!isObject(header) || !isObject(payload)) {
      throw new GuardError(ErrorCode.MALFORMED_TOKEN, 'header or payload is not a JSON object');
    }
    const signature = new Uint8Array(Buffer.from(parts[2], 'base64url'));
    return new CompactJWS(header, payload, compact.slice(0, parts[0].length + 1 + parts[1].length), signature);
  }
}

/**
 * Whether `value` is a JSON object (not an array, not null).
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
export function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
