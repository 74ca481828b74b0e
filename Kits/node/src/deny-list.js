/** The revocations that can still matter, as a pure value: no I/O and no clock, every time is an argument. */

import { Scope } from './broadcast-message.js';

/**
 * What applying a revocation did.
 * @readonly
 */
export const ApplyOutcome = Object.freeze({
  APPLIED: 'applied',
  /** Its seq was at or below the last applied seq: ignored. */
  DUPLICATE: 'duplicate',
  /** It lacked the identifier of its scope: ignored. */
  INVALID: 'invalid',
});

/**
 * A subject or client revocation: tokens issued before `notBefore` are revoked, until `until`.
 * @typedef {{notBefore: number, until: number}} Cutoff
 */

/** Entries keyed by scope and identifier, applied idempotently and kept until `until` plus a grace. */
export class RevocationDenyList {
  constructor() {
    /** @type {Map<string, number>} */
    this.tokens = new Map();
    /** @type {Map<string, number>} */
    this.grants = new Map();
    /** @type {Map<string, number>} */
    this.sessions = new Map();
    /** @type {Map<string, Cutoff>} */
    this.subjects = new Map();
    /** @type {Map<string, Cutoff>} */
    this.clients = new Map();
    /** The seq up to which everything has been applied; messages at or below it are duplicates. */
    this.lastAppliedSeq = 0;
  }

  /** How many entries the list holds. */
  get size() {
    return this.tokens.size + this.grants.size + this.sessions.size + this.subjects.size + this.clients.size;
  }

  /**
   * Applies the revocation announced as log event `seq`.
   * @param {import('./broadcast-message.js').RevokedEvent} event
   * @param {number} seq
   * @returns {string} one of `ApplyOutcome`
   */
  apply(event, seq) {
    if (seq <= this.lastAppliedSeq) return ApplyOutcome.DUPLICATE;
    const key = event.identifier;
    if (key === null) return ApplyOutcome.INVALID;
    const until = event.until;
    if (event.scope === Scope.TOKEN || event.scope === Scope.GRANT || event.scope === Scope.SESSION) {
      const table = event.scope === Scope.TOKEN ? this.tokens : event.scope === Scope.GRANT ? this.grants : this.sessions;
      table.set(key, Math.max(table.get(key) ?? until, until));
    } else {
      const table = event.scope === Scope.SUBJECT ? this.subjects : this.clients;
      const earlier = table.get(key);
      // A later cutoff covers every token an earlier one does: keep the widest.
      const notBefore = event.notBefore ?? 0;
      table.set(key, earlier === undefined ? { notBefore, until } : { notBefore: Math.max(notBefore, earlier.notBefore), until: Math.max(until, earlier.until) });
    }
    this.lastAppliedSeq = seq;
    return ApplyOutcome.APPLIED;
  }

  /**
   * Records that every revocation up to `seq` has been applied (a catch-up reached it).
   * @param {number} seq
   */
  advance(seq) {
    this.lastAppliedSeq = Math.max(this.lastAppliedSeq, seq);
  }

  /**
   * Whether a revocation covers `token`.
   * @param {import('./access-token.js').AccessToken} token
   */
  isRevoked(token) {
    if (this.tokens.has(token.jti) || this.grants.has(token.grantId)) return true;
    if (token.sid !== null && this.sessions.has(token.sid)) return true;
    const subject = this.subjects.get(token.subject);
    if (subject !== undefined && token.issuedAt < subject.notBefore) return true;
    const client = this.clients.get(token.clientId);
    return client !== undefined && token.issuedAt < client.notBefore;
  }

  /**
   * Drops entries whose `until` is more than `grace` seconds before `now`: every token they cover has expired.
   * @param {number} now Unix seconds
   * @param {number} grace seconds
   */
  prune(now, grace) {
    const horizon = now - grace;
    for (const table of [this.tokens, this.grants, this.sessions]) {
      for (const [key, until] of table) if (until < horizon) table.delete(key);
    }
    for (const table of [this.subjects, this.clients]) {
      for (const [key, cutoff] of table) if (cutoff.until < horizon) table.delete(key);
    }
  }
}
