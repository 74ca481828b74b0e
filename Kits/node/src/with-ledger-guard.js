/** The adapter for Web-standard `(Request) => Response` handlers: Next.js App Router route handlers, Remix loaders and actions. */

import { defaultGuard } from './default-guard.js';
import { Refusal } from './refusal.js';
import { requiredScopes } from './required-scopes.js';

/**
 * Wraps `handler` so it runs only for a request whose bearer token is valid, not revoked and
 * carries every scope in `scope`; it receives the validated claims as its second argument.
 * Refusals are answered per RFC 6750 without calling it (401 / 400 / 403, or 503 with
 * `Retry-After` while the revocation state cannot be confirmed).
 *
 * The wrapped function takes what the framework passes: a `Request` first (Next.js:
 * `(request, context)`) or an object with a `request` (Remix: `({ request, params, context })`);
 * `handler` gets the same arguments with the claims put second. Without `guard`, the process's guard
 * configured by `TOKENLEDGER_*` variables is used; the guard is started on the first request.
 *
 * @template {unknown[]} Rest
 * @template {Request | {request: Request}} Input
 * @param {(input: Input, token: import('./access-token.js').AccessToken, ...rest: Rest) => Response | Promise<Response>} handler
 * @param {{scope?: string | readonly string[], guard?: import('./guard.js').LedgerGuard}} options
 * @returns {(input: Input, ...rest: Rest) => Promise<Response>}
 */
export function withLedgerGuard(handler, { scope, guard } = {}) {
  const scopes = requiredScopes(scope);
  return async function guarded(input, ...rest) {
    const request = isRequest(input) ? input : input?.request;
    if (!isRequest(request)) {
      throw new TypeError('withLedgerGuard: called without a Request (Next.js passes (request), Remix ({ request }))');
    }
    const active = guard ?? defaultGuard();
    let token;
    try {
      await active.start();
      token = await active.authorize(request.headers.get('authorization'), scopes);
    } catch (error) {
      if (error instanceof Refusal) return error.toResponse();
      throw error;
    }
    return handler(input, token, ...rest);
  };
}

/**
 * A Web `Request` or a framework's subclass or polyfill of it.
 * @param {unknown} value
 * @returns {value is Request}
 */
function isRequest(value) {
  return typeof value === 'object' && value !== null && typeof (/** @type {Request} */ (value).headers?.get) === 'function';
}
