/** RFC 6750 §3 answers for requests the guard does not let through. */

/**
 * A request refused before the handler: status, `WWW-Authenticate` challenge (or `Retry-After`) and a JSON body.
 *
 * - no credentials: 401 with `Bearer realm="…"` and no error code (§3.1);
 * - an unusable `Authorization` header: 400 `invalid_request`;
 * - a token the validator refuses (malformed, bad signature, expired, revoked…): 401 `invalid_token`;
 * - a valid token without a required scope: 403 `insufficient_scope` naming the scopes;
 * - the guard cannot decide (revocation state stale, JWKS or feed unreachable): 503 with
 *   `Retry-After` and no challenge. The token may be perfectly good: a client told
 *   `invalid_token` would discard it and sign in again — every client at once, the moment Redis
 *   blips — while 503 says "this server, retry the same token shortly".
 */
export class Refusal extends Error {
  /**
   * @param {number} status
   * @param {Record<string, string>} headers
   * @param {string | null} [error] the RFC 6750 error code, null for a bare challenge
   * @param {string | null} [description]
   * @param {import('./errors.js').GuardError | null} [guardError] why the validator refused the token, when it did
   */
  constructor(status, headers, error = null, description = null, guardError = null) {
    super(`${status} ${error ?? 'no credentials'}`);
    this.name = 'Refusal';
    this.status = status;
    this.headers = headers;
    this.error = error;
    this.description = description;
    this.guardError = guardError;
  }

  /** The JSON body (`{"error", "error_description"}`), empty without an error code. */
  get body() {
    if (this.error === null) return '';
    return JSON.stringify({ error: this.error, error_description: this.description ?? '' });
  }

  /** The headers of the answer: the refusal's, and `Content-Type` when there is a body. */
  get responseHeaders() {
    return this.error === null ? { ...this.headers } : { ...this.headers, 'Content-Type': 'application/json' };
  }

  /** The refusal as a Web `Response` (Next.js route handlers, Remix loaders, any fetch-style server). */
  toResponse() {
    return new Response(this.body || null, { status: this.status, headers: this.responseHeaders });
  }

  /**
   * Answers a `node:http` (or Express / Connect) response with the refusal.
   * @param {import('node:http').ServerResponse} response
   */
  writeTo(response) {
    const body = this.body;
    response.writeHead(this.status, { ...this.responseHeaders, 'Content-Length': String(Buffer.byteLength(body)) });
    response.end(body);
  }

  /**
   * A refusal with its `WWW-Authenticate: Bearer` challenge.
   * @param {number} status
   * @param {string} realm
   * @param {string | null} [error]
   * @param {string | null} [description]
   * @param {readonly string[]} [scope]
   * @param {import('./errors.js').GuardError | null} [guardError]
   */
  static challenge(status, realm, error = null, description = null, scope = [], guardError = null) {
    const parameters = [`realm="${quoted(realm)}"`];
    if (error !== null) parameters.push(`error="${error}"`);
    if (description !== null) parameters.push(`error_description="${quoted(description)}"`);
    if (scope.length > 0) parameters.push(`scope="${scope.join(' ')}"`);
    const headers = { 'WWW-Authenticate': 'Bearer ' + parameters.join(', '), 'Cache-Control': 'no-store' };
    return new Refusal(status, headers, error, description, guardError);
  }

  /**
   * 503: the guard cannot confirm the token's status now.
   * @param {number} retryAfter seconds
   * @param {import('./errors.js').GuardError | null} [guardError]
   */
  static unavailable(retryAfter, guardError = null) {
    const headers = { 'Retry-After': String(retryAfter), 'Cache-Control': 'no-store' };
    return new Refusal(503, headers, 'temporarily_unavailable', 'token status cannot be confirmed now', guardError);
  }
}

/**
 * Text safe inside a quoted-string of a challenge: no quotes, backslashes or control characters.
 * @param {string} text
 */
function quoted(text) {
  return text.replace(/["\\]/g, "'").replace(/[\u0000-\u001f\u007f]/g, '');
}
