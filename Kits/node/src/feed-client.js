/** The catch-up feed, `GET /revocations?after=SEQ`, read with a client_credentials token of scope `revocations:read`. */

import { CompactJWS } from './compact-jws.js';
import { ErrorCode, GuardError } from './errors.js';

/** The scope the feed requires. */
export const FEED_SCOPE = 'revocations:read';

/**
 * One or more answers of the feed joined: the signed items (not yet verified) and the head they are complete up to.
 * @typedef {{head: number, items: string[]}} FeedPage
 */

/**
 * Reads the feed, following full pages; the access token is reused until half its lifetime or a 401.
 *
 * The token is asked for `resource` (the issuer: the feed checks `aud`, RFC 8707); `null` asks for the default audience.
 */
export class RevocationFeedClient {
  #feedUrl;
  #tokenUrl;
  #tokenForm;
  #authorization;
  #fetch;
  /** @type {string | null} */
  #accessToken = null;
  #refreshAt = 0;

  /**
   * @param {object} options
   * @param {string} options.feedUrl
   * @param {string} options.tokenUrl
   * @param {string} options.clientId
   * @param {string} options.clientSecret
   * @param {string | null} [options.resource]
   * @param {typeof fetch} [options.fetch]
   */
  constructor({ feedUrl, tokenUrl, clientId, clientSecret, resource = null, fetch = globalThis.fetch }) {
    this.#feedUrl = feedUrl;
    this.#tokenUrl = tokenUrl;
    this.#tokenForm = new URLSearchParams({ grant_type: 'client_credentials', scope: FEED_SCOPE });
    if (resource !== null) this.#tokenForm.set('resource', resource);
    // client_secret_basic form-encodes id and secret first (RFC 6749 §2.3.1).
    const credentials = `${formEncode(clientId)}:${formEncode(clientSecret)}`;
    this.#authorization = 'Basic ' + Buffer.from(credentials, 'utf8').toString('base64');
    this.#fetch = fetch;
  }

  /**
   * Every revocation after `after` that can still matter, following the feed's pages.
   *
   * A full page's `head` is its last item's seq and more may follow, so the next is asked `after=head`.
   * @param {number} after
   * @returns {Promise<FeedPage>}
   */
  async page(after) {
    const result = await this.#onePage(after);
    let last = result;
    while (last.items.length > 0 && claimedSeq(last.items[last.items.length - 1]) === last.head) {
      last = await this.#onePage(last.head);
      result.head = last.head;
      result.items.push(...last.items);
    }
    return result;
  }

  /** @param {number} after */
  async #onePage(after) {
    const url = new URL(this.#feedUrl);
    url.searchParams.set('after', String(after));
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const token = await this.#currentToken();
      const response = await this.#send(url, { headers: { authorization: `Bearer ${token}` } });
      if (response.status === 401 && attempt === 0) {
        await response.body?.cancel();
        this.#accessToken = null;
        continue;
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new GuardError(ErrorCode.FEED_UNAVAILABLE, `revocation feed answered ${response.status}`);
      }
      let body;
      try {
        body = await response.json();
      } catch {
        body = null;
      }
      const head = body?.head;
      const items = body?.items;
      if (!Number.isSafeInteger(head) || !Array.isArray(items) || !items.every((i) => typeof i === 'string')) {
        throw new GuardError(ErrorCode.FEED_UNAVAILABLE, 'revocation feed answer is not a page of messages');
      }
      return { head, items };
    }
    throw new GuardError(ErrorCode.FEED_UNAVAILABLE, 'revocation feed refused a fresh access token');
  }

  async #currentToken() {
    if (this.#accessToken !== null && performance.now() < this.#refreshAt) return this.#accessToken;
    const response = await this.#send(new URL(this.#tokenUrl), {
      method: 'POST',
      headers: { authorization: this.#authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: this.#tokenForm.toString(),
    });
    let body = null;
    try {
      body = response.status === 200 ? await response.json() : null;
    } catch {
      body = null;
    }
    if (response.status !== 200) await response.body?.cancel();
    const token = body?.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new GuardError(ErrorCode.FEED_UNAVAILABLE, `token endpoint answered ${response.status} to client_credentials`);
    }
    const lifetime = Math.max(Number.isSafeInteger(body.expires_in) ? body.expires_in : 60, 2);
    // Renew at half the lifetime, so a token never expires between fetch and use.
    this.#accessToken = token;
    this.#refreshAt = performance.now() + (lifetime / 2) * 1000;
    return token;
  }

  /**
   * @param {URL} url
   * @param {RequestInit} init
   */
  async #send(url, init) {
    try {
      return await this.#fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(5000) });
    } catch (error) {
      throw new GuardError(ErrorCode.FEED_UNAVAILABLE, `${url.origin}${url.pathname} unreachable: ${/** @type {Error} */ (error).name}`);
    }
  }
}

/**
 * The `seq` an item claims, read without verifying it: only to follow the pages.
 * @param {string} item
 */
function claimedSeq(item) {
  try {
    const seq = CompactJWS.parse(item).payload.seq;
    return Number.isSafeInteger(seq) ? seq : null;
  } catch {
    return null;
  }
}

/** @param {string} text */
function formEncode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}
