// A node:http resource server protected by TokenLedger, configured only by environment.
//
//   TOKENLEDGER_ISSUER               the issuer URL (required), e.g. http://127.0.0.1:8080
//   TOKENLEDGER_REDIS_URL            the broadcast's Redis (default redis://127.0.0.1:6379/0)
//   TOKENLEDGER_REDIS_CHANNEL        the broadcast channel (default tokenledger:revocations)
//   TOKENLEDGER_AUDIENCE             this API's audience (default: the issuer)
//   TOKENLEDGER_FEED_CLIENT_ID       the client reading the catch-up feed (scope revocations:read; required)
//   TOKENLEDGER_FEED_CLIENT_SECRET   its secret (required)
//   PORT                             the port on 127.0.0.1 (default 8090)
//
// Run from Kits/node: `node examples/server.mjs`. `GET /me` answers the token's `sub`, `client_id`
// and `scope`; 401 for a missing, invalid or revoked token, 503 while the revocation state cannot be confirmed.

import { createServer } from 'node:http';
import { LedgerGuard, ledgerGuardMiddleware } from 'tokenledger-guard';

const guard = LedgerGuard.fromEnvironment();
const requireToken = ledgerGuardMiddleware({ guard });
const port = Number(process.env.PORT || 8090);

const server = createServer((req, res) => {
  if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://localhost').pathname !== '/me') {
    res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not_found"}');
    return;
  }
  requireToken(req, res, (error) => {
    if (error) {
      console.error(error);
      res.writeHead(500).end();
      return;
    }
    const token = req.accessToken;
    const body = JSON.stringify({ sub: token.subject, client_id: token.clientId, scope: token.scope });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
  });
});

await guard.start();
server.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    guard.stop().then(() => process.exit(0));
  });
}
