/** Verification of broadcast messages before the subscriber acts on them (docs/broadcast.md, "Verifying a message"). */

import { BroadcastMessage } from './broadcast-message.js';
import { CompactJWS } from './compact-jws.js';
import { ErrorCode, GuardError } from './errors.js';
import { ALLOWED_ALGORITHMS, checkHeader } from './rules.js';
import { verifySignature } from './signature.js';

/** The `typ` of a Security Event Token (RFC 8417 §2.3). */
export const SECURITY_EVENT_TYPE = 'secevent+jwt';
/** The largest message accepted. */
export const MAXIMUM_MESSAGE_BYTES = 64 << 10;

/** Verifies a compact JWS as a broadcast message: size, structure, header allowlist, published key, signature, issuer, known event. */
export class BroadcastVerifier {
  #issuer;
  #jwks;
  #keysChanged;
  #algorithms;

  /**
   * @param {string} issuer
   * @param {import('./jwks-cache.js').JWKSCache} jwks
   * @param {object} options
   * @param {() => void} [options.keysChanged] called when a key lookup found the published key ids changed
   * @param {ReadonlySet<string>} [options.algorithms]
   */
  constructor(issuer, jwks, { keysChanged = () => {}, algorithms = ALLOWED_ALGORITHMS } = {}) {
    this.#issuer = issuer;
    this.#jwks = jwks;
    this.#keysChanged = keysChanged;
    this.#algorithms = algorithms;
  }

  /**
   * The verified message; rejects with `GuardError` naming the check that failed.
   * @param {string} compact
   * @returns {Promise<BroadcastMessage>}
   */
  async verify(compact) {
    const parts = CompactJWS.parse(compact, MAXIMUM_MESSAGE_BYTES);
    const message = BroadcastMessage.fromPayload(parts.payload);
    const { kid, alg } = checkHeader(parts.header, SECURITY_EVENT_TYPE, this.#algorithms);
    const { key, changed } = await this.#jwks.key(kid, alg);
    if (changed) this.#keysChanged();
    await verifySignature(parts.signingInput, parts.signature, key.key, alg);
    if (message.iss !== this.#issuer) {
      throw new GuardError(ErrorCode.WRONG_ISSUER, 'iss is not the configured issuer');
    }
    if (!message.isKnown) {
      throw new GuardError(ErrorCode.MALFORMED_MESSAGE, 'neither a revocation nor a heartbeat');
    }
    return message;
  }
}
