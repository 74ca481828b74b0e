/** The claims of a broadcast message (docs/broadcast.md, format version 2): a revocation or a heartbeat. */

import { isObject } from './compact-jws.js';
import { ErrorCode, GuardError } from './errors.js';

/** The event type of a revocation. */
export const REVOKED_EVENT = 'https://tokenledger.dev/secevent/revoked';
/** The event type of a heartbeat. */
export const HEARTBEAT_EVENT = 'https://tokenledger.dev/secevent/heartbeat';

/**
 * What a revocation covers.
 * @readonly
 */
export const Scope = Object.freeze({
  TOKEN: 'token',
  GRANT: 'grant',
  SESSION: 'session',
  SUBJECT: 'subject',
  CLIENT: 'client',
});

/** The member of the event that names what each scope covers. */
const IDENTIFIER_MEMBER = Object.freeze({
  token: 'jti',
  grant: 'grant_id',
  session: 'sid',
  subject: 'sub',
  client: 'client_id',
});

/** The `https://tokenledger.dev/secevent/revoked` event of a message. */
export class RevokedEvent {
  /**
   * @param {string} scope one of `Scope`
   * @param {string | null} identifier the identifier of the scope; null when the message lacks it (or lacks `not_before` where required)
   * @param {number} until every covered token has expired by then (Unix seconds)
   * @param {number | null} notBefore subject and client scopes: tokens issued before it are revoked (Unix seconds)
   * @param {string} reason
   */
  constructor(scope, identifier, until, notBefore, reason) {
    this.scope = scope;
    this.identifier = identifier;
    this.until = until;
    this.notBefore = notBefore;
    this.reason = reason;
    Object.freeze(this);
  }

  /**
   * Decodes the event object; throws `TypeError` when it is not one.
   * @param {unknown} event
   */
  static fromJSON(event) {
    if (!isObject(event)) throw new TypeError('revoked event is not an object');
    const scope = /** @type {keyof typeof IDENTIFIER_MEMBER} */ (event.scope);
    if (typeof scope !== 'string' || !Object.hasOwn(IDENTIFIER_MEMBER, scope)) throw new TypeError('revoked event has no known scope');
    const until = integer(event.until, 'until');
    if (typeof event.reason !== 'string') throw new TypeError('revoked event has no reason');
    const notBefore = event.not_before === undefined || event.not_before === null ? null : integer(event.not_before, 'not_before');
    let identifier = event[IDENTIFIER_MEMBER[scope]] ?? null;
    if (identifier !== null && typeof identifier !== 'string') throw new TypeError('revoked event identifier is not a string');
    if ((scope === Scope.SUBJECT || scope === Scope.CLIENT) && notBefore === null) identifier = null;
    return new RevokedEvent(scope, identifier, until, notBefore, event.reason);
  }
}

/** A decoded broadcast message; verified only when it comes from `BroadcastVerifier.verify`. */
export class BroadcastMessage {
  /**
   * @param {object} fields
   * @param {string} fields.iss
   * @param {string} fields.jti
   * @param {number} fields.iat when the message was signed (Unix seconds): the subscriber's freshness clock
   * @param {number} fields.seq
   * @param {number} fields.prevSeq
   * @param {RevokedEvent | null} fields.revoked the revocation, for a revocation message
   * @param {boolean} fields.isHeartbeat
   * @param {Record<string, unknown>} fields.payload every claim as received
   */
  constructor({ iss, jti, iat, seq, prevSeq, revoked, isHeartbeat, payload }) {
    this.iss = iss;
    this.jti = jti;
    this.iat = iat;
    this.seq = seq;
    this.prevSeq = prevSeq;
    this.revoked = revoked;
    this.isHeartbeat = isHeartbeat;
    this.payload = payload;
    Object.freeze(this);
  }

  /** Exactly one of ours: a revocation or a heartbeat (neither nor both: not understood). */
  get isKnown() {
    return (this.revoked !== null) !== this.isHeartbeat;
  }

  /**
   * Decodes the claims; throws `GuardError(malformed_token)` when they do not form a broadcast message.
   * @param {Record<string, unknown>} payload
   */
  static fromPayload(payload) {
    try {
      const { iss, jti, events } = payload;
      if (typeof iss !== 'string' || typeof jti !== 'string') throw new TypeError('iss or jti is not a string');
      if (!isObject(events)) throw new TypeError('events is not an object');
      return new BroadcastMessage({
        iss,
        jti,
        iat: integer(payload.iat, 'iat'),
        seq: integer(payload.seq, 'seq'),
        prevSeq: integer(payload.prev_seq, 'prev_seq'),
        revoked: Object.hasOwn(events, REVOKED_EVENT) ? RevokedEvent.fromJSON(events[REVOKED_EVENT]) : null,
        isHeartbeat: Object.hasOwn(events, HEARTBEAT_EVENT),
        payload,
      });
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      throw new GuardError(ErrorCode.MALFORMED_TOKEN, 'not a compact JWS with a JSON header and a broadcast payload');
    }
  }
}

/**
 * @param {unknown} value
 * @param {string} name
 * @returns {number}
 */
function integer(value, name) {
  if (!Number.isSafeInteger(value)) throw new TypeError(`${name} is not an integer`);
  return /** @type {number} */ (value);
}
