/** The kit assembled from one configuration: validation, the revocation subscriber, and the request check the adapters share. */

import { BroadcastVerifier } from './broadcast-verifier.js';
import { GuardError } from './errors.js';
import { RevocationFeedClient } from './feed-client.js';
import { JWKSCache } from './jwks-cache.js';
import { RedisChannel } from './redis-channel.js';
import { Refusal } from './refusal.js';
import { RevocationState } from './revocation-state.js';
import { RevocationSubscriber } from './revocation-subscriber.js';
import { AccessTokenRules } from './rules.js';
import { GuardSettings } from './settings.js';
import { AccessTokenValidator } from './validator.js';

/**
 * Validates TokenLedger access tokens locally and keeps a deny list current from the signed broadcast.
 *
 * ```js
 * const guard = new LedgerGuard({ issuer, redisUrl, clientId: 'orders-api', clientSecret });
 * await guard.start();
 * const claims = await guard.validate(token);
 * ```
 *
 * The subscriber runs from `start()` to `stop()` (one per process). Until its first catch-up
 * succeeds, and whenever it goes stale, every validation fails closed (503). The adapters
 * (`withLedgerGuard`, `ledgerGuardMiddleware`) start the guard on their first request.
 */
export class LedgerGuard {
  /** @type {Promise<void> | null} */
  #started = null;
  /** @type {Promise<void> | null} */
  #running = null;
  #stop = new AbortController();
  #subscriber;

  /**
   * Builds the guard; nothing is fetched or connected before `start()`.
   * @param {import('./index.js').GuardOptions & {fetch?: typeof fetch}} options the `GuardSettings` fields,
   *   and `fetch` for the HTTP requests to the issuer (default: the global `fetch`)
   */
  constructor(options) {
    const s = (this.settings = new GuardSettings(options));
    const http = options.fetch ?? globalThis.fetch;
    this.jwks = new JWKSCache({
      issuer: s.issuer,
      discoveryUrl: s.jwksUrl ? null : s.base + '/.well-known/openid-configuration',
      jwksUrl: s.jwksUrl,
      minimumRefetchInterval: s.jwksRefetchInterval,
      fetch: http,
    });
    this.revocations = new RevocationState(s.stalenessBound);
    const rules = new AccessTokenRules({ issuer: s.issuer, audience: s.audience ?? s.issuer, clockSkew: s.clockSkew });
    this.validator = new AccessTokenValidator(rules, this.jwks, this.revocations, s.cacheCapacity);
    const feed = new RevocationFeedClient({
      feedUrl: s.feedUrl ?? s.base + '/revocations',
      tokenUrl: s.tokenUrl ?? s.base + '/token',
      clientId: s.clientId,
      clientSecret: /** @type {string} */ (s.clientSecret),
      resource: s.issuer,
      fetch: http,
    });
    const verifier = new BroadcastVerifier(s.issuer, this.jwks, { keysChanged: () => this.validator.clearCache() });
    const channel = new RedisChannel(s.redisUrl, s.channel, { idleTimeout: s.channelIdleTimeout });
    this.#subscriber = new RevocationSubscriber(channel, verifier, feed, this.revocations, { pruneGrace: rules.clockSkew });
  }

  /**
   * A guard configured by `TOKENLEDGER_*` variables (see `GuardSettings.optionsFromEnvironment`), `overrides` on top.
   * @param {Record<string, string | undefined>} [env]
   * @param {Partial<import('./index.js').GuardOptions> & {fetch?: typeof fetch}} [overrides]
   */
  static fromEnvironment(env = process.env, overrides = {}) {
    return new LedgerGuard({ ...GuardSettings.optionsFromEnvironment(env), ...overrides });
  }

  /**
   * Starts the subscriber and waits up to `startupWait` seconds for the first catch-up; later calls
   * return the same promise. It never rejects: a guard that cannot confirm its state answers 503.
   */
  start() {
    this.#started ??= this.#startNow();
    return this.#started;
  }

  async #startNow() {
    this.#running = this.#keepSubscribed();
    const deadline = performance.now() + this.settings.startupWait * 1000;
    while (!this.revocations.isFresh && performance.now() < deadline && !this.#stop.signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (!this.revocations.isFresh) {
      console.warn('tokenledger-guard: revocation state not confirmed yet: answering 503 until the first catch-up succeeds');
    }
  }

  /** Runs the subscriber; should it ever fail (a bug), logs it and starts it again rather than stay stale for good. */
  async #keepSubscribed() {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        await this.#subscriber.run(signal);
      } catch (error) {
        console.error('tokenledger-guard: revocation subscriber failed; restarting in 1 s', error);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  /** Stops the subscriber and closes its connection; a stopped guard cannot be started again. */
  async stop() {
    this.#started ??= Promise.resolve();
    this.#stop.abort();
    await this.#running;
  }

  /**
   * Validates `token` (the text after `Bearer`) and resolves to its claims; rejects with `GuardError`.
   * @param {string} token
   */
  validate(token) {
    return this.validator.validate(token);
  }

  /**
   * Checks a request's `Authorization` header and the required `scopes`; resolves to the claims, rejects with `Refusal`.
   * @param {string | null | undefined} authorization the header's value
   * @param {readonly string[]} [scopes]
   * @returns {Promise<import('./access-token.js').AccessToken>}
   */
  async authorize(authorization, scopes = []) {
    const realm = this.settings.realm;
    if (!authorization || authorization.split(' ', 1)[0].toLowerCase() !== 'bearer') {
      throw Refusal.challenge(401, realm);
    }
    const token = authorization.slice(6).replace(/^[ \t]+|[ \t]+$/g, '');
    if (token === '' || /[ \t]/.test(token)) {
      throw Refusal.challenge(400, realm, 'invalid_request', 'malformed Authorization header');
    }
    let claims;
    try {
      claims = await this.validator.validate(token);
    } catch (error) {
      if (!(error instanceof GuardError)) throw error;
      if (error.isUnavailable) throw Refusal.unavailable(this.settings.retryAfter, error);
      throw Refusal.challenge(401, realm, 'invalid_token', error.detail, [], error);
    }
    if (scopes.length > 0 && !claims.hasScopes(...scopes)) {
      throw Refusal.challenge(403, realm, 'insufficient_scope', 'token lacks a required scope', scopes);
    }
    return claims;
  }
}
