/** Keeps a `RevocationState` current from the signed broadcast and the catch-up feed (docs/broadcast.md, "Subscriber algorithm"). */

import { GuardError } from './errors.js';
import { CatchUp } from './revocation-sync.js';

/** Paces catch-up retries and pruning. */
const TICK = Object.freeze({ type: 'tick' });

/**
 * Subscribes, verifies every message, catches up on (re)connect and on every gap, retries a failed catch-up every tick, prunes.
 *
 * Every input is handled in one sequence, so messages arriving during a catch-up wait and are
 * applied after it (seq at or below the feed's head: duplicates, ignored). A message that fails
 * verification is dropped and counted by reason, with a warning naming the reason and the
 * message's size, never its content; the watermark and the freshness clock do not move.
 */
export class RevocationSubscriber {
  #channel;
  #verifier;
  #feed;
  #state;
  #pruneGrace;
  #tick;
  /** @type {Promise<unknown>} */
  #turn = Promise.resolve();

  /**
   * @param {import('./redis-channel.js').RedisChannel} channel
   * @param {import('./broadcast-verifier.js').BroadcastVerifier} verifier
   * @param {import('./feed-client.js').RevocationFeedClient} feed
   * @param {import('./revocation-state.js').RevocationState} state
   * @param {object} options
   * @param {number} options.pruneGrace seconds
   * @param {number} [options.tick] seconds
   */
  constructor(channel, verifier, feed, state, { pruneGrace, tick = 1 }) {
    this.#channel = channel;
    this.#verifier = verifier;
    this.#feed = feed;
    this.#state = state;
    this.#pruneGrace = pruneGrace;
    this.#tick = tick;
  }

  /**
   * Applies inputs until `signal` aborts. The channel's events and the ticks take turns, one at a time.
   * @param {AbortSignal} signal
   */
  async run(signal) {
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let ticker;
    let running = true;
    const scheduleTick = () => {
      ticker = setTimeout(() => {
        this.#inTurn(() => this.#handle(TICK))
          .catch((error) => console.error('tokenledger-guard: revocation tick failed', error))
          .finally(() => running && scheduleTick());
      }, this.#tick * 1000);
    };
    scheduleTick();
    try {
      for await (const event of this.#channel.events(signal)) {
        await this.#inTurn(() => this.#handle(event));
      }
    } finally {
      running = false;
      clearTimeout(ticker);
    }
  }

  /**
   * Runs `work` after every earlier turn has finished.
   * @template T
   * @param {() => Promise<T>} work
   * @returns {Promise<T>}
   */
  #inTurn(work) {
    const turn = this.#turn.then(work);
    this.#turn = turn.catch(() => {});
    return turn;
  }

  /** @param {import('./redis-channel.js').ChannelEvent | typeof TICK} event */
  async #handle(event) {
    const sync = this.#state.sync;
    /** @type {CatchUp | null} */
    let action;
    if (event.type === 'connected') {
      action = sync.connected();
    } else if (event.type === 'disconnected') {
      console.warn(`tokenledger-guard: revocation channel lost (${event.reason}); catching up after reconnect`);
      sync.disconnected();
      return;
    } else if (event.type === 'message') {
      const message = await this.#verified(event.payload, 'channel');
      if (message === null) return;
      action = sync.received(message, Date.now());
    } else {
      sync.prune(Math.trunc(Date.now() / 1000), this.#pruneGrace);
      action = sync.needsCatchUp ? new CatchUp(sync.denyList.lastAppliedSeq) : null;
    }
    if (action !== null) await this.#catchUp(action.after);
  }

  /** @param {number} after */
  async #catchUp(after) {
    let page;
    try {
      page = await this.#feed.page(after);
    } catch (error) {
      if (!(error instanceof GuardError)) throw error;
      console.warn(`tokenledger-guard: revocation catch-up after ${after} failed; retrying: ${error.detail}`);
      return;
    }
    const items = [];
    for (const item of page.items) {
      const message = await this.#verified(item, 'feed');
      if (message !== null) items.push(message);
    }
    this.#state.sync.caughtUp(items, page.head, Date.now());
  }

  /**
   * The verified claims of a message, or null after counting and logging why it was dropped.
   * @param {string} compact
   * @param {string} source
   */
  async #verified(compact, source) {
    try {
      return await this.#verifier.verify(compact);
    } catch (error) {
      if (!(error instanceof GuardError)) throw error;
      this.#state.countRejected(error.code);
      console.warn(
        `tokenledger-guard: unverified revocation message dropped: source=${source} reason=${error.code} bytes=${Buffer.byteLength(compact, 'utf8')}`,
      );
      return null;
    }
  }
}
