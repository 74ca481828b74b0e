// An issuer in memory for unit tests: ES256 signing keys, its discovery document, JWKS, token endpoint and an empty feed, behind a fetch function.

import { randomUUID } from 'node:crypto';
import { es256KeyPair, signES256 } from './jws.mjs';

export const ISSUER = 'https://issuer.unit.test';

/** Publishes the public halves of its ES256 keys; counts the JWKS fetches. */
export class FakeIssuer {
  /** @param {{discoveryIssuer?: string}} [options] */
  constructor({ discoveryIssuer = ISSUER } = {}) {
    /** @type {Map<string, CryptoKeyPair>} */
    this.keys = new Map();
    this.jwksFetches = 0;
    this.discoveryIssuer = discoveryIssuer;
    /** A `fetch` answering the issuer's endpoints. */
    this.fetch = (input) => this.#answer(new URL(input instanceof Request ? input.url : String(input)));
  }

  /** A fake issuer with its first key, `key-1`. */
  static async create(options) {
    const issuer = new FakeIssuer(options);
    await issuer.addKey('key-1');
    return issuer;
  }

  async addKey(kid) {
    this.keys.set(kid, await es256KeyPair());
  }

  async #answer(url) {
    if (url.pathname === '/.well-known/openid-configuration') {
      return Response.json({ issuer: this.discoveryIssuer, jwks_uri: ISSUER + '/jwks.json' });
    }
    if (url.pathname === '/jwks.json') {
      this.jwksFetches += 1;
      const keys = [];
      for (const [kid, pair] of this.keys) {
        keys.push({ ...(await crypto.subtle.exportKey('jwk', pair.publicKey)), kid, alg: 'ES256', use: 'sig' });
      }
      return Response.json({ keys });
    }
    if (url.pathname === '/token') return Response.json({ access_token: 'feed-token', token_type: 'Bearer', expires_in: 300 });
    if (url.pathname === '/revocations') return Response.json({ head: 0, items: [] });
    return new Response(null, { status: 404 });
  }

  /**
   * An ES256 access token with every claim TokenLedger issues; `claims` override, `drop` removes, `header` adds to the header.
   * @param {{kid?: string, header?: object, drop?: string[], claims?: object}} [options]
   */
  token({ kid = 'key-1', header = {}, drop = [], claims = {} } = {}) {
    const now = Math.trunc(Date.now() / 1000);
    const payload = {
      iss: ISSUER, sub: 'alice', aud: ISSUER, exp: now + 600, iat: now, jti: randomUUID(),
      client_id: 'web', grant_id: 'grant-' + randomUUID().slice(0, 8), scope: 'openid orders:read', sid: 'sid-1',
      ...claims,
    };
    for (const name of drop) delete payload[name];
    return signES256(payload, this.keys.get(kid).privateKey, { kid, typ: 'at+jwt', ...header });
  }
}
