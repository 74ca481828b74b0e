/** The revocation state shared by the subscriber, which writes it, and every validation, which reads it. */

import { ErrorCode, GuardError } from './errors.js';
import { RevocationSync } from './revocation-sync.js';

/**
 * A `RevocationSync` with its staleness bound and the count of dropped messages.
 *
 * Node runs the subscriber and the validations on one thread, so no lock is needed. A new state
 * refuses every token until the first catch-up.
 */
export class RevocationState {
  #boundMs;

  /** @param {number} stalenessBound seconds the list may go without proof of being complete before validations fail closed */
  constructor(stalenessBound) {
    this.stalenessBound = stalenessBound;
    this.#boundMs = Math.trunc(stalenessBound * 1000);
    this.sync = new RevocationSync();
    /** @type {Map<string, number>} Broadcast messages that failed verification and were dropped, by error code. */
    this.rejectedByReason = new Map();
  }

  /**
   * Throws `revocations_stale` when the list is stale at `nowMs`, `revoked` when an entry covers `token`.
   * @param {import('./access-token.js').AccessToken} token
   * @param {number} [nowMs] Unix milliseconds
   */
  check(token, nowMs = Date.now()) {
    if (!this.sync.isFresh(nowMs, this.#boundMs)) {
      throw new GuardError(ErrorCode.REVOCATIONS_STALE, `revocation state not confirmed within ${this.stalenessBound} s`);
    }
    if (this.sync.denyList.isRevoked(token)) {
      throw new GuardError(ErrorCode.REVOKED, 'token is revoked');
    }
  }

  /** Whether validations may rely on the list now. */
  get isFresh() {
    return this.sync.isFresh(Date.now(), this.#boundMs);
  }

  /** The highest revocation seq applied. */
  get lastAppliedSeq() {
    return this.sync.denyList.lastAppliedSeq;
  }

  /** How many broadcast messages failed verification and were dropped. */
  get rejectedMessages() {
    let total = 0;
    for (const count of this.rejectedByReason.values()) total += count;
    return total;
  }

  /**
   * Counts a dropped message under its reason.
   * @param {string} reason an `ErrorCode`
   */
  countRejected(reason) {
    this.rejectedByReason.set(reason, (this.rejectedByReason.get(reason) ?? 0) + 1);
  }

  /**
   * Whether a revocation covers `token`, regardless of freshness.
   * @param {import('./access-token.js').AccessToken} token
   */
  isRevoked(token) {
    return this.sync.denyList.isRevoked(token);
  }
}
