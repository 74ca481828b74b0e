/** The adapter for `(req, res, next)` middleware: Express, Connect, and plain `node:http` servers. */

import { defaultGuard } from './default-guard.js';
import { Refusal } from './refusal.js';
import { requiredScopes } from './required-scopes.js';

/**
 * A middleware that lets a request through only with a valid, unrevoked bearer token carrying
 * every scope in `scope`. It puts the claims on `req.accessToken` (and `res.locals.accessToken`
 * under Express), then calls `next()`; it answers refusals itself per RFC 6750 (401 / 400 / 403,
 * or 503 with `Retry-After`). An unexpected failure goes to `next(error)`. Without `guard`, the
 * process's guard configured by `TOKENLEDGER_*` variables is used; it is started on the first request.
 *
 * @param {{scope?: string | readonly string[], guard?: import('./guard.js').LedgerGuard}} options
 * @returns {(req: import('node:http').IncomingMessage & {accessToken?: import('./access-token.js').AccessToken},
 *   res: import('node:http').ServerResponse & {locals?: Record<string, unknown>}, next: (error?: unknown) => void) => void}
 */
export function ledgerGuardMiddleware({ scope, guard } = {}) {
  const scopes = requiredScopes(scope);
  return function ledgerGuard(req, res, next) {
    const active = guard ?? defaultGuard();
    active
      .start()
      .then(() => active.authorize(req.headers.authorization, scopes))
      .then(
        (token) => {
          req.accessToken = token;
          if (res.locals !== undefined) res.locals.accessToken = token;
          next();
        },
        (error) => {
          if (error instanceof Refusal) error.writeTo(res);
          else next(error);
        },
      );
  };
}
