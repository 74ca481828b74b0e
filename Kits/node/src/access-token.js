/** The claims of an access token that passed validation. */

/** Validated RFC 9068 claims: what a handler needs to authorize a request and the kit needs to apply revocations. */
export class AccessToken {
  /**
   * @param {object} fields
   * @param {string} fields.issuer `iss`
   * @param {string} fields.subject `sub`: the user, or the client itself for client credentials
   * @param {string[]} fields.audiences `aud`: every audience the token names
   * @param {number} fields.expiresAt `exp`, Unix seconds
   * @param {number} fields.issuedAt `iat`, Unix seconds
   * @param {string} fields.jti `jti`
   * @param {string} fields.clientId `client_id`
   * @param {string} fields.grantId `grant_id`
   * @param {string | null} fields.sid `sid`, when the grant came from a browser session
   * @param {string} fields.scope the `scope` claim as issued (space-delimited, possibly empty)
   * @param {Record<string, unknown>} fields.claims every claim of the payload
   */
  constructor({ issuer, subject, audiences, expiresAt, issuedAt, jti, clientId, grantId, sid, scope, claims }) {
    this.issuer = issuer;
    this.subject = subject;
    this.audiences = Object.freeze([...audiences]);
    this.expiresAt = expiresAt;
    this.issuedAt = issuedAt;
    this.jti = jti;
    this.clientId = clientId;
    this.grantId = grantId;
    this.sid = sid;
    this.scope = scope;
    /** @type {ReadonlySet<string>} The scopes of the space-delimited `scope` claim. */
    this.scopes = new Set(scope.split(' ').filter(Boolean));
    this.claims = claims;
    Object.freeze(this);
  }

  /**
   * Whether every scope in `required` was granted.
   * @param {...string} required
   */
  hasScopes(...required) {
    return required.every((s) => this.scopes.has(s));
  }
}
