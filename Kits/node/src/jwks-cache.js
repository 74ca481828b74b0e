/** The issuer's published keys, found through its discovery document and refetched, rate-limited, on unknown key ids. */

import { isObject } from './compact-jws.js';
import { ErrorCode, GuardError } from './errors.js';
import { ALLOWED_ALGORITHMS } from './rules.js';
import { importVerificationKey } from './signature.js';

/** The largest discovery document or JWKS read. */
export const MAXIMUM_DOCUMENT_BYTES = 1 << 20;

/**
 * One verification key of the issuer.
 * @typedef {{kid: string, algorithm: string, key: CryptoKey}} PublishedKey
 */

/**
 * Keys by `kid`, fetched from the JWKS and kept until a token names a `kid` they lack.
 *
 * Then the JWKS is refetched, at most once per `minimumRefetchInterval` seconds, so a stream of
 * tokens with made-up `kid`s cannot turn into a stream of requests to the issuer. A rotation is
 * picked up the same way: the new key's first token triggers the refetch, and keys the issuer
 * stopped publishing are dropped with it. Without `jwksUrl`, the `jwks_uri` of the discovery
 * document at `discoveryUrl` is used, and only if its `issuer` is exactly `issuer` (OpenID
 * Connect Discovery §4.3).
 */
export class JWKSCache {
  /** @type {Map<string, PublishedKey>} */
  #keys = new Map();
  /** @type {number | null} */
  #lastFetch = null;
  /** @type {Promise<boolean> | null} */
  #refreshing = null;
  #issuer;
  #discoveryUrl;
  #jwksUrl;
  #minimumRefetchInterval;
  #algorithms;
  #fetch;

  /**
   * @param {object} options
   * @param {string} options.issuer
   * @param {string | null} [options.discoveryUrl]
   * @param {string | null} [options.jwksUrl]
   * @param {number} [options.minimumRefetchInterval] seconds
   * @param {ReadonlySet<string>} [options.algorithms]
   * @param {typeof fetch} [options.fetch]
   */
  constructor({ issuer, discoveryUrl = null, jwksUrl = null, minimumRefetchInterval = 5, algorithms = ALLOWED_ALGORITHMS, fetch = globalThis.fetch }) {
    if (!discoveryUrl && !jwksUrl) throw new TypeError('a discovery document URL or a JWKS URL is needed');
    this.#issuer = issuer;
    this.#discoveryUrl = discoveryUrl;
    this.#jwksUrl = jwksUrl;
    this.#minimumRefetchInterval = minimumRefetchInterval;
    this.#algorithms = algorithms;
    this.#fetch = fetch;
  }

  /** The key ids currently trusted. */
  get keyIds() {
    return new Set(this.#keys.keys());
  }

  /**
   * The key named `kid`, which must have algorithm `alg`, and whether the published key ids changed on the way.
   *
   * An unknown `kid` refetches the JWKS first when the last fetch is old enough.
   * @param {string} kid
   * @param {string} alg
   * @returns {Promise<{key: PublishedKey, changed: boolean}>}
   */
  async key(kid, alg) {
    let changed = false;
    let known = this.#keys.get(kid);
    if (known === undefined) {
      if (this.#refreshing !== null) {
        changed = await this.#refreshing;
      } else if (this.#mayRefetch()) {
        changed = await this.refresh();
      }
      known = this.#keys.get(kid);
    }
    if (known === undefined) {
      throw new GuardError(ErrorCode.UNKNOWN_KEY, 'no published key with the token\'s kid');
    }
    if (known.algorithm !== alg) {
      throw new GuardError(ErrorCode.ALGORITHM_NOT_ALLOWED, 'header alg differs from the key\'s algorithm');
    }
    return { key: known, changed };
  }

  /**
   * Fetches the JWKS now (joining a fetch under way) and replaces the keys; resolves to whether the set of key ids changed.
   * @returns {Promise<boolean>}
   */
  refresh() {
    if (this.#refreshing === null) {
      this.#refreshing = this.#refreshNow().finally(() => {
        this.#refreshing = null;
      });
    }
    return this.#refreshing;
  }

  #mayRefetch() {
    return this.#lastFetch === null || performance.now() - this.#lastFetch >= this.#minimumRefetchInterval * 1000;
  }

  async #refreshNow() {
    this.#lastFetch = performance.now();
    const url = await this.#resolvedJwksUrl();
    const document = await this.#fetchJson(url, 'JWKS');
    if (!Array.isArray(document.keys)) {
      throw new GuardError(ErrorCode.JWKS_UNAVAILABLE, 'JWKS has no keys array');
    }
    /** @type {Map<string, PublishedKey>} */
    const fresh = new Map();
    for (const entry of document.keys) {
      if (!isObject(entry)) continue;
      const { kid, alg } = entry;
      if (typeof kid !== 'string' || kid === '' || typeof alg !== 'string' || !this.#algorithms.has(alg)) continue;
      try {
        fresh.set(kid, { kid, algorithm: alg, key: await importVerificationKey(entry, alg) });
      } catch (error) {
        console.warn(`tokenledger-guard: JWKS key ${kid} skipped: ${/** @type {Error} */ (error).message}`);
      }
    }
    const changed = fresh.size !== this.#keys.size || [...fresh.keys()].some((kid) => !this.#keys.has(kid));
    this.#keys = fresh;
    return changed;
  }

  async #resolvedJwksUrl() {
    if (this.#jwksUrl) return this.#jwksUrl;
    const document = await this.#fetchJson(/** @type {string} */ (this.#discoveryUrl), 'discovery document');
    if (document.issuer !== this.#issuer) {
      throw new GuardError(ErrorCode.JWKS_UNAVAILABLE, 'discovery document names another issuer');
    }
    if (typeof document.jwks_uri !== 'string' || document.jwks_uri === '') {
      throw new GuardError(ErrorCode.JWKS_UNAVAILABLE, 'discovery document has no jwks_uri');
    }
    this.#jwksUrl = document.jwks_uri;
    return document.jwks_uri;
  }

  /**
   * @param {string} url
   * @param {string} what
   * @returns {Promise<Record<string, unknown>>}
   */
  async #fetchJson(url, what) {
    let text;
    let response;
    try {
      response = await this.#fetch(url, { redirect: 'error', signal: AbortSignal.timeout(5000) });
      text = await response.text();
    } catch (error) {
      console.warn(`tokenledger-guard: ${what} fetch failed: ${/** @type {Error} */ (error).name} (${url})`);
      throw new GuardError(ErrorCode.JWKS_UNAVAILABLE, `${what} could not be fetched`);
    }
    if (response.status !== 200) {
      throw new GuardError(ErrorCode.JWKS_UNAVAILABLE, `${what} answered ${response.status}`);
    }
    if (Buffer.byteLength(text, 'utf8') > MAXIMUM_DOCUMENT_BYTES) {
      throw new GuardError(ErrorCode.JWKS_UNAVAILABLE, `${what} exceeds ${MAXIMUM_DOCUMENT_BYTES} bytes`);
    }
    let document;
    try {
      document = JSON.parse(text);
    } catch {
      throw new GuardError(ErrorCode.JWKS_UNAVAILABLE, `${what} is not JSON`);
    }
    if (!isObject(document)) {
      throw new GuardError(ErrorCode.JWKS_UNAVAILABLE, `${what} is not a JSON object`);
    }
    return document;
  }
}
