/** One subscription to a Redis pub/sub channel, reconnecting with backoff, reported as a stream of events. */

/**
 * What the channel reports: the subscription was confirmed (every message published from now on is
 * delivered, in order, until `disconnected`), the connection was lost (or fell silent past the idle
 * timeout; a reconnect follows with backoff), or a message arrived.
 * @typedef {{type: 'connected'} | {type: 'disconnected', reason: string} | {type: 'message', payload: string}} ChannelEvent
 */

/** @type {Promise<typeof import('redis')> | null} */
let redisModule = null;

/** node-redis (the `redis` peer dependency), loaded on first use so validation alone does not need it. */
function loadRedis() {
  redisModule ??= import('redis');
  return redisModule;
}

/**
 * Subscribes to `channel` on a connection of its own for as long as it is iterated.
 *
 * node-redis's own reconnect (which resubscribes silently) is off: every loss is reported, so the
 * consumer knows messages may have been missed and catches up from its source of truth after
 * `connected`. With an `idleTimeout`, a connection that delivers nothing for that long is taken as
 * lost (a half-open TCP connection stays silent for ever): set it above the publisher's heartbeat interval.
 */
export class RedisChannel {
  #url;
  #channel;
  #connectTimeout;
  #idleTimeout;
  #backoffInitial;
  #backoffMaximum;

  /**
   * @param {string} url
   * @param {string} channel
   * @param {object} [options] times in seconds
   * @param {number} [options.connectTimeout]
   * @param {number | null} [options.idleTimeout] null waits for the operating system
   * @param {number} [options.backoffInitial]
   * @param {number} [options.backoffMaximum]
   */
  constructor(url, channel, { connectTimeout = 2, idleTimeout = 6, backoffInitial = 0.05, backoffMaximum = 2 } = {}) {
    this.#url = url;
    this.#channel = channel;
    this.#connectTimeout = connectTimeout;
    this.#idleTimeout = idleTimeout;
    this.#backoffInitial = backoffInitial;
    this.#backoffMaximum = backoffMaximum;
  }

  /**
   * Connects, subscribes and yields events until `signal` aborts or the consumer stops iterating.
   * @param {AbortSignal} [signal]
   * @returns {AsyncGenerator<ChannelEvent, void, void>}
   */
  async *events(signal) {
    const { createClient } = await loadRedis();
    let failures = 0;
    while (!signal?.aborted) {
      const link = new Link(createClient, this.#url, this.#channel, this.#idleTimeout, signal);
      try {
        if (await link.subscribe(this.#connectTimeout)) {
          failures = 0;
          yield { type: 'connected' };
          for (let event = await link.next(); event !== null; event = await link.next()) yield event;
          if (signal?.aborted) return;
          yield { type: 'disconnected', reason: /** @type {string} */ (link.lostReason) };
        }
      } finally {
        link.close('stopped');
      }
      if (signal?.aborted) return;
      failures += 1;
      const delay = Math.min(this.#backoffInitial * 2 ** (failures - 1), this.#backoffMaximum);
      // One warning per outage; the retries after it are noise.
      if (failures === 1) console.warn(`tokenledger-guard: redis subscription lost, retrying: ${link.lostReason}`);
      await sleep(delay, signal);
    }
  }
}

/** One connection's subscription: its messages queued until read, and why it ended. */
class Link {
  /** @type {string[]} */
  #queue = [];
  /** @type {(() => void) | null} */
  #wake = null;
  /** @type {ReturnType<typeof setTimeout> | null} */
  #idle = null;
  #client;
  #channel;
  #signal;
  #onAbort;
  /** @type {string | null} Why the link ended; null while it lives. */
  lostReason = null;

  /**
   * @param {typeof import('redis').createClient} createClient
   * @param {string} url
   * @param {string} channel
   * @param {number | null} idleTimeout
   * @param {AbortSignal | undefined} signal
   */
  constructor(createClient, url, channel, idleTimeout, signal) {
    this.#channel = channel;
    this.#signal = signal;
    this.#client = createClient({
      url,
      socket: { reconnectStrategy: () => new Error('reconnects are the kit\'s') },
    });
    // Any error ends the link: node-redis must not reconnect and resubscribe behind the kit's back.
    this.#client.on('error', (/** @type {Error} */ error) => this.close(error.message || error.name));
    this.#client.on('end', () => this.close('connection closed'));
    if (idleTimeout !== null) {
      this.#idle = setTimeout(() => this.close('channel silent past the idle timeout'), idleTimeout * 1000);
    }
    this.#onAbort = () => this.close('stopped');
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /**
   * Connects and subscribes; resolves to whether the subscription was confirmed within `timeout` seconds.
   * @param {number} timeout
   */
  async subscribe(timeout) {
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const expired = new Promise((resolve) => {
      timer = setTimeout(() => {
        this.close('connect timeout');
        resolve(false);
      }, timeout * 1000);
    });
    const subscribed = (async () => {
      await this.#client.connect();
      await this.#client.subscribe(this.#channel, (/** @type {string} */ payload) => this.#received(payload));
      return this.lostReason === null;
    })().catch((/** @type {Error} */ error) => {
      this.close(error.message || error.name);
      return false;
    });
    try {
      return await Promise.race([subscribed, expired]);
    } finally {
      clearTimeout(timer);
      this.#idle?.refresh();
    }
  }

  /**
   * The next message, or null once the link has ended.
   * @returns {Promise<ChannelEvent | null>}
   */
  async next() {
    while (this.#queue.length === 0) {
      if (this.lostReason !== null) return null;
      await new Promise((resolve) => {
        this.#wake = /** @type {() => void} */ (resolve);
      });
    }
    return { type: 'message', payload: /** @type {string} */ (this.#queue.shift()) };
  }

  /**
   * Ends the link (idempotent) and drops the connection without waiting on a peer that may not answer.
   * @param {string} reason
   */
  close(reason) {
    if (this.lostReason !== null) return;
    this.lostReason = reason;
    if (this.#idle !== null) clearTimeout(this.#idle);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (this.#client.isOpen) {
      this.#client.disconnect().catch(() => {});
    }
    this.#wakeReader();
  }

  /** @param {string} payload */
  #received(payload) {
    if (this.lostReason !== null) return;
    this.#idle?.refresh();
    this.#queue.push(payload);
    this.#wakeReader();
  }

  #wakeReader() {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

/**
 * Resolves after `seconds`, or at once when `signal` aborts.
 * @param {number} seconds
 * @param {AbortSignal} [signal]
 */
function sleep(seconds, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(undefined);
    const timer = setTimeout(done, seconds * 1000);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve(undefined);
    }
  });
}
