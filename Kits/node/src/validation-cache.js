/** Tokens whose signature and claims were already checked, by their exact text, until they expire. */

/**
 * A bounded map from token text to validated claims: the cached path is one `Map` lookup.
 *
 * It holds token text in memory only, as the request that carried it does. When full, expired
 * entries are swept first, then everything is dropped.
 */
export class ValidationCache {
  /** @type {Map<string, import('./access-token.js').AccessToken>} */
  #entries = new Map();
  #capacity;

  /** @param {number} capacity */
  constructor(capacity) {
    this.#capacity = capacity;
  }

  /** How many tokens are remembered. */
  get size() {
    return this.#entries.size;
  }

  /**
   * The validated claims of `token`, if it was validated before.
   * @param {string} token
   */
  lookup(token) {
    return this.#entries.get(token);
  }

  /**
   * Remembers a validated token; `unixNow` sweeps expired entries when the cache is full.
   * @param {string} token
   * @param {import('./access-token.js').AccessToken} claims
   * @param {number} unixNow
   */
  insert(token, claims, unixNow) {
    if (this.#capacity <= 0) return;
    if (this.#entries.size >= this.#capacity) {
      for (const [text, entry] of this.#entries) {
        if (entry.expiresAt <= unixNow) this.#entries.delete(text);
      }
      if (this.#entries.size >= this.#capacity) this.#entries.clear();
    }
    this.#entries.set(token, claims);
  }

  /** Forgets every entry (the signing keys changed). */
  clear() {
    this.#entries.clear();
  }
}
