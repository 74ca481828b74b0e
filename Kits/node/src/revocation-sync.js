/** The subscriber's state as a pure value: the deny list, whether it is known complete, and since when. */

import { RevocationDenyList } from './deny-list.js';

/** The subscriber must fetch the feed after this seq, then call `RevocationSync.caughtUp`. */
export class CatchUp {
  /** @param {number} after */
  constructor(after) {
    this.after = after;
    Object.freeze(this);
  }
}

/**
 * Fed only verified messages; returns what to do next (`null` or a `CatchUp`).
 *
 * Gaps are detected exactly: a revocation whose `prev_seq` is above the last applied seq, or a
 * heartbeat whose `seq` is, means a message was missed; a lost connection means messages may
 * have been. Freshness is the signed `iat` of the newest verified message received while in sync
 * (never ahead of the local clock), or the time of the last successful catch-up: a replayed old
 * heartbeat carries an old `iat` and cannot keep a cut-off subscriber fresh. Times are Unix milliseconds.
 */
export class RevocationSync {
  constructor() {
    this.denyList = new RevocationDenyList();
    /** @type {number | null} When the list was last known complete (Unix ms); null before the first catch-up. */
    this.confirmedAt = null;
    /** Whether a gap is known and not yet closed by a catch-up. */
    this.needsCatchUp = true;
  }

  /**
   * Whether validations may rely on the list at `now` (ms), given the staleness `bound` (ms).
   * @param {number} now
   * @param {number} bound
   */
  isFresh(now, bound) {
    return this.confirmedAt !== null && now - this.confirmedAt <= bound;
  }

  /** The subscription (re)connected: whatever was published meanwhile must be fetched. */
  connected() {
    this.needsCatchUp = true;
    return new CatchUp(this.denyList.lastAppliedSeq);
  }

  /** The subscription lost its connection: messages are being missed. */
  disconnected() {
    this.needsCatchUp = true;
  }

  /**
   * A verified message from the channel, received at `now` (ms).
   * @param {import('./broadcast-message.js').BroadcastMessage} message
   * @param {number} now
   * @returns {CatchUp | null}
   */
  received(message, now) {
    const last = this.denyList.lastAppliedSeq;
    if (message.revoked !== null) {
      if (message.seq > last) {
        if (message.prevSeq > last) {
          this.needsCatchUp = true;
          return new CatchUp(last);
        }
        this.denyList.apply(message.revoked, message.seq);
      }
    } else if (message.isHeartbeat) {
      if (message.seq > last) {
        this.needsCatchUp = true;
        return new CatchUp(last);
      }
    } else {
      return null;
    }
    if (this.needsCatchUp) return new CatchUp(this.denyList.lastAppliedSeq);
    this.#confirm(Math.min(message.iat * 1000, now));
    return null;
  }

  /**
   * The feed answered at `now` (ms): its verified items (seq order) and the head it is complete up to.
   * @param {Iterable<import('./broadcast-message.js').BroadcastMessage>} items
   * @param {number} head
   * @param {number} now
   */
  caughtUp(items, head, now) {
    for (const item of items) {
      if (item.revoked !== null) this.denyList.apply(item.revoked, item.seq);
    }
    this.denyList.advance(head);
    this.needsCatchUp = false;
    this.#confirm(now);
  }

  /**
   * Drops entries every covered token of which has expired.
   * @param {number} unixNow seconds
   * @param {number} grace seconds
   */
  prune(unixNow, grace) {
    this.denyList.prune(unixNow, grace);
  }

  /** @param {number} at */
  #confirm(at) {
    this.confirmedAt = this.confirmedAt === null ? at : Math.max(this.confirmedAt, at);
  }
}
