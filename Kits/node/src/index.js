/**
 * TokenLedger resource-server kit for Node: local RFC 9068 access-token validation with live, signed revocations.
 *
 * ```js
 * import { withLedgerGuard } from 'tokenledger-guard';
 * export const GET = withLedgerGuard(async (request, token) => Response.json({ sub: token.subject }), { scope: 'orders:read' });
 * ```
 * @module tokenledger-guard
 */

export { AccessToken } from './access-token.js';
export { BroadcastMessage, HEARTBEAT_EVENT, REVOKED_EVENT, RevokedEvent, Scope } from './broadcast-message.js';
export { BroadcastVerifier, MAXIMUM_MESSAGE_BYTES, SECURITY_EVENT_TYPE } from './broadcast-verifier.js';
export { CompactJWS } from './compact-jws.js';
export { defaultGuard } from './default-guard.js';
export { ApplyOutcome, RevocationDenyList } from './deny-list.js';
export { ErrorCode, GuardError } from './errors.js';
export { FEED_SCOPE, RevocationFeedClient } from './feed-client.js';
export { LedgerGuard } from './guard.js';
export { JWKSCache } from './jwks-cache.js';
export { ledgerGuardMiddleware } from './ledger-guard-middleware.js';
export { RedisChannel } from './redis-channel.js';
export { Refusal } from './refusal.js';
export { RevocationState } from './revocation-state.js';
export { RevocationSubscriber } from './revocation-subscriber.js';
export { CatchUp, RevocationSync } from './revocation-sync.js';
export { ACCESS_TOKEN_TYPE, ALLOWED_ALGORITHMS, AccessTokenRules, MAXIMUM_SKEW_SECONDS, REQUIRED_CLAIMS, checkHeader } from './rules.js';
export { DEFAULT_CHANNEL, DEFAULT_REDIS_URL, GuardSettings } from './settings.js';
export { AccessTokenValidator, MAXIMUM_TOKEN_BYTES } from './validator.js';
export { withLedgerGuard } from './with-ledger-guard.js';
