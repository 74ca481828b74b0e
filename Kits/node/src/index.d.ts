// Type declarations of tokenledger-guard (hand-written; kept in step with src/*.js).

import type { IncomingMessage, ServerResponse } from 'node:http';

/** The kind of failure; the values are LedgerGuard's (Swift) error codes, shared by the test vectors. */
export declare const ErrorCode: Readonly<{
  MALFORMED_TOKEN: 'malformed_token';
  ALGORITHM_NOT_ALLOWED: 'algorithm_not_allowed';
  WRONG_TYPE: 'wrong_type';
  UNKNOWN_KEY: 'unknown_key';
  BAD_SIGNATURE: 'bad_signature';
  WRONG_ISSUER: 'wrong_issuer';
  WRONG_AUDIENCE: 'wrong_audience';
  EXPIRED: 'expired';
  NOT_YET_VALID: 'not_yet_valid';
  MALFORMED_MESSAGE: 'malformed_message';
  MISSING_CLAIM: 'missing_claim';
  REVOKED: 'revoked';
  REVOCATIONS_STALE: 'revocations_stale';
  JWKS_UNAVAILABLE: 'jwks_unavailable';
  FEED_UNAVAILABLE: 'feed_unavailable';
}>;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A refusal or failure with its code and a detail that never carries token text, keys or secrets. */
export declare class GuardError extends Error {
  constructor(code: ErrorCode, detail: string);
  readonly code: ErrorCode;
  readonly detail: string;
  /** Whether the kit could not decide (answer 503) rather than refusing the token (401). */
  get isUnavailable(): boolean;
}

/** Validated RFC 9068 claims. */
export declare class AccessToken {
  constructor(fields: {
    issuer: string;
    subject: string;
    audiences: readonly string[];
    expiresAt: number;
    issuedAt: number;
    jti: string;
    clientId: string;
    grantId: string;
    sid: string | null;
    scope: string;
    claims: Record<string, unknown>;
  });
  /** `iss`. */
  readonly issuer: string;
  /** `sub`: the user, or the client itself for client credentials. */
  readonly subject: string;
  /** `aud`: every audience the token names. */
  readonly audiences: readonly string[];
  /** `exp`, Unix seconds. */
  readonly expiresAt: number;
  /** `iat`, Unix seconds. */
  readonly issuedAt: number;
  readonly jti: string;
  /** `client_id`. */
  readonly clientId: string;
  /** `grant_id`. */
  readonly grantId: string;
  /** `sid`, when the grant came from a browser session. */
  readonly sid: string | null;
  /** The `scope` claim as issued (space-delimited, possibly empty). */
  readonly scope: string;
  /** The scopes of the `scope` claim. */
  readonly scopes: ReadonlySet<string>;
  /** Every claim of the payload. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** Whether every scope in `required` was granted. */
  hasScopes(...required: string[]): boolean;
}

/** The decoded, not yet verified parts of a compact JWS. */
export declare class CompactJWS {
  constructor(header: Record<string, unknown>, payload: Record<string, unknown>, signingInput: string, signature: Uint8Array);
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  /** The first two segments as received (RFC 7515 §5.2). */
  readonly signingInput: string;
  readonly signature: Uint8Array;
  /** Three base64url segments whose first two are JSON objects; throws `GuardError(malformed_token)` otherwise. */
  static parse(compact: string, maximumSize?: number): CompactJWS;
}

/** The only signing algorithms accepted: ES256, RS256, PS256, EdDSA. */
export declare const ALLOWED_ALGORITHMS: ReadonlySet<string>;
/** The largest clock skew the kit allows, whatever is configured: 15. */
export declare const MAXIMUM_SKEW_SECONDS: 15;
/** `at+jwt`. */
export declare const ACCESS_TOKEN_TYPE: 'at+jwt';
/** Claims every TokenLedger access token carries. */
export declare const REQUIRED_CLAIMS: readonly string[];
/** Checks a JWS header (alg allowlist, typ, no crit, a kid) before any key work. */
export declare function checkHeader(
  header: Record<string, unknown>,
  expectedType: string,
  algorithms?: ReadonlySet<string>,
): { kid: string; alg: string };

/** The issuer, audience and skew every access token is checked against. */
export declare class AccessTokenRules {
  constructor(options: { issuer: string; audience: string; clockSkew?: number; algorithms?: Iterable<string> });
  readonly issuer: string;
  readonly audience: string;
  /** Seconds, between 0 and 15. */
  readonly clockSkew: number;
  readonly algorithms: ReadonlySet<string>;
  /** Checks the claims of a verified token at `now` (Unix seconds). */
  checkClaims(payload: Record<string, unknown>, now: number): AccessToken;
}

/** One verification key of the issuer. */
export interface PublishedKey {
  kid: string;
  algorithm: string;
  key: CryptoKey;
}

/** The issuer's published keys, refetched (rate-limited) on unknown key ids. */
export declare class JWKSCache {
  constructor(options: {
    issuer: string;
    discoveryUrl?: string | null;
    jwksUrl?: string | null;
    /** Seconds. */
    minimumRefetchInterval?: number;
    algorithms?: ReadonlySet<string>;
    fetch?: typeof fetch;
  });
  get keyIds(): Set<string>;
  key(kid: string, alg: string): Promise<{ key: PublishedKey; changed: boolean }>;
  refresh(): Promise<boolean>;
}

/** What a revocation covers. */
export declare const Scope: Readonly<{ TOKEN: 'token'; GRANT: 'grant'; SESSION: 'session'; SUBJECT: 'subject'; CLIENT: 'client' }>;
export type Scope = (typeof Scope)[keyof typeof Scope];
export declare const REVOKED_EVENT: 'https://tokenledger.dev/secevent/revoked';
export declare const HEARTBEAT_EVENT: 'https://tokenledger.dev/secevent/heartbeat';

/** The revoked event of a broadcast message. */
export declare class RevokedEvent {
  constructor(scope: Scope, identifier: string | null, until: number, notBefore: number | null, reason: string);
  readonly scope: Scope;
  readonly identifier: string | null;
  readonly until: number;
  readonly notBefore: number | null;
  readonly reason: string;
  static fromJSON(event: unknown): RevokedEvent;
}

/** A decoded broadcast message; verified only when it comes from `BroadcastVerifier.verify`. */
export declare class BroadcastMessage {
  constructor(fields: {
    iss: string;
    jti: string;
    iat: number;
    seq: number;
    prevSeq: number;
    revoked: RevokedEvent | null;
    isHeartbeat: boolean;
    payload: Record<string, unknown>;
  });
  readonly iss: string;
  readonly jti: string;
  readonly iat: number;
  readonly seq: number;
  readonly prevSeq: number;
  readonly revoked: RevokedEvent | null;
  readonly isHeartbeat: boolean;
  readonly payload: Record<string, unknown>;
  get isKnown(): boolean;
  static fromPayload(payload: Record<string, unknown>): BroadcastMessage;
}

export declare const SECURITY_EVENT_TYPE: 'secevent+jwt';
export declare const MAXIMUM_MESSAGE_BYTES: number;

/** Verifies a compact JWS as a broadcast message. */
export declare class BroadcastVerifier {
  constructor(issuer: string, jwks: JWKSCache, options?: { keysChanged?: () => void; algorithms?: ReadonlySet<string> });
  verify(compact: string): Promise<BroadcastMessage>;
}

export declare const ApplyOutcome: Readonly<{ APPLIED: 'applied'; DUPLICATE: 'duplicate'; INVALID: 'invalid' }>;
export type ApplyOutcome = (typeof ApplyOutcome)[keyof typeof ApplyOutcome];

/** A subject or client revocation: tokens issued before `notBefore` are revoked. */
export interface Cutoff {
  notBefore: number;
  until: number;
}

/** The revocations that can still matter, as a pure value. */
export declare class RevocationDenyList {
  readonly tokens: Map<string, number>;
  readonly grants: Map<string, number>;
  readonly sessions: Map<string, number>;
  readonly subjects: Map<string, Cutoff>;
  readonly clients: Map<string, Cutoff>;
  lastAppliedSeq: number;
  get size(): number;
  apply(event: RevokedEvent, seq: number): ApplyOutcome;
  advance(seq: number): void;
  isRevoked(token: AccessToken): boolean;
  prune(now: number, grace: number): void;
}

/** The subscriber must fetch the feed after this seq. */
export declare class CatchUp {
  constructor(after: number);
  readonly after: number;
}

/** The subscriber's state as a pure value. Times are Unix milliseconds. */
export declare class RevocationSync {
  readonly denyList: RevocationDenyList;
  confirmedAt: number | null;
  needsCatchUp: boolean;
  isFresh(now: number, bound: number): boolean;
  connected(): CatchUp;
  disconnected(): void;
  received(message: BroadcastMessage, now: number): CatchUp | null;
  caughtUp(items: Iterable<BroadcastMessage>, head: number, now: number): void;
  prune(unixNow: number, grace: number): void;
}

/** The revocation state shared by the subscriber and every validation. */
export declare class RevocationState {
  constructor(stalenessBound: number);
  readonly stalenessBound: number;
  readonly sync: RevocationSync;
  readonly rejectedByReason: Map<string, number>;
  /** Throws `GuardError` (`revocations_stale` or `revoked`). */
  check(token: AccessToken, nowMs?: number): void;
  get isFresh(): boolean;
  get lastAppliedSeq(): number;
  get rejectedMessages(): number;
  countRejected(reason: string): void;
  isRevoked(token: AccessToken): boolean;
}

export declare const MAXIMUM_TOKEN_BYTES: number;

/** Validates access tokens; a token validated once is remembered until it expires. */
export declare class AccessTokenValidator {
  constructor(rules: AccessTokenRules, jwks: JWKSCache, revocations: RevocationState, cacheCapacity?: number);
  readonly rules: AccessTokenRules;
  readonly jwks: JWKSCache;
  readonly revocations: RevocationState;
  validate(token: string): Promise<AccessToken>;
  /** The claims of a cached token, checked again; `undefined` when not cached. Throws `GuardError`. */
  validateCached(token: string, nowMs?: number): AccessToken | undefined;
  clearCache(): void;
}

export declare const FEED_SCOPE: 'revocations:read';
export interface FeedPage {
  head: number;
  items: string[];
}

/** The catch-up feed, read with a client_credentials token. */
export declare class RevocationFeedClient {
  constructor(options: {
    feedUrl: string;
    tokenUrl: string;
    clientId: string;
    clientSecret: string;
    resource?: string | null;
    fetch?: typeof fetch;
  });
  page(after: number): Promise<FeedPage>;
}

export type ChannelEvent = { type: 'connected' } | { type: 'disconnected'; reason: string } | { type: 'message'; payload: string };

/** One subscription to a Redis pub/sub channel (node-redis), reconnecting with backoff. */
export declare class RedisChannel {
  constructor(
    url: string,
    channel: string,
    options?: { connectTimeout?: number; idleTimeout?: number | null; backoffInitial?: number; backoffMaximum?: number },
  );
  events(signal?: AbortSignal): AsyncGenerator<ChannelEvent, void, void>;
}

/** Keeps a `RevocationState` current from the signed broadcast and the catch-up feed. */
export declare class RevocationSubscriber {
  constructor(
    channel: RedisChannel,
    verifier: BroadcastVerifier,
    feed: RevocationFeedClient,
    state: RevocationState,
    options: { pruneGrace: number; tick?: number },
  );
  run(signal: AbortSignal): Promise<void>;
}

/** The guard's configuration. Times are seconds. */
export interface GuardOptions {
  /** The exact `iss` of accepted tokens. */
  issuer: string;
  /** The client reading the catch-up feed (client_credentials, scope `revocations:read`). */
  clientId: string;
  /** Its secret (never logged). */
  clientSecret: string;
  /** `aud` must contain it; default: the issuer. */
  audience?: string | null;
  /** Default `redis://127.0.0.1:6379/0`. */
  redisUrl?: string;
  /** Default `tokenledger:revocations`. */
  channel?: string;
  jwksUrl?: string | null;
  feedUrl?: string | null;
  tokenUrl?: string | null;
  /** Default 5, capped at 15. */
  clockSkew?: number;
  /** Default 10. */
  stalenessBound?: number;
  /** Default 6; null waits for the operating system. */
  channelIdleTimeout?: number | null;
  /** Default 5. */
  jwksRefetchInterval?: number;
  /** Default 100,000. */
  cacheCapacity?: number;
  /** Default 5. */
  startupWait?: number;
  /** Default `api`. */
  realm?: string;
  /** Default 2. */
  retryAfter?: number;
}

export declare const DEFAULT_CHANNEL: 'tokenledger:revocations';
export declare const DEFAULT_REDIS_URL: 'redis://127.0.0.1:6379/0';

/** The guard's configuration with LedgerGuard's defaults. */
export declare class GuardSettings implements Required<GuardOptions> {
  constructor(options: GuardOptions);
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly audience: string | null;
  readonly redisUrl: string;
  readonly channel: string;
  readonly jwksUrl: string | null;
  readonly feedUrl: string | null;
  readonly tokenUrl: string | null;
  readonly clockSkew: number;
  readonly stalenessBound: number;
  readonly channelIdleTimeout: number | null;
  readonly jwksRefetchInterval: number;
  readonly cacheCapacity: number;
  readonly startupWait: number;
  readonly realm: string;
  readonly retryAfter: number;
  get base(): string;
  /** Options from `TOKENLEDGER_*` variables; throws `TypeError` naming a missing required one. */
  static optionsFromEnvironment(env?: Record<string, string | undefined>): GuardOptions;
}

/** An RFC 6750 §3 answer for a request the guard does not let through. */
export declare class Refusal extends Error {
  constructor(status: number, headers: Record<string, string>, error?: string | null, description?: string | null, guardError?: GuardError | null);
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly error: string | null;
  readonly description: string | null;
  readonly guardError: GuardError | null;
  get body(): string;
  get responseHeaders(): Record<string, string>;
  toResponse(): Response;
  writeTo(response: ServerResponse): void;
  static challenge(
    status: number,
    realm: string,
    error?: string | null,
    description?: string | null,
    scope?: readonly string[],
    guardError?: GuardError | null,
  ): Refusal;
  static unavailable(retryAfter: number, guardError?: GuardError | null): Refusal;
}

/** Validates TokenLedger access tokens locally and keeps a deny list current from the signed broadcast. */
export declare class LedgerGuard {
  constructor(options: GuardOptions & { fetch?: typeof fetch });
  readonly settings: GuardSettings;
  readonly jwks: JWKSCache;
  readonly revocations: RevocationState;
  readonly validator: AccessTokenValidator;
  static fromEnvironment(env?: Record<string, string | undefined>, overrides?: Partial<GuardOptions> & { fetch?: typeof fetch }): LedgerGuard;
  /** Starts the subscriber, waiting up to `startupWait` for the first catch-up; idempotent, never rejects. */
  start(): Promise<void>;
  stop(): Promise<void>;
  validate(token: string): Promise<AccessToken>;
  /** Resolves to the claims; rejects with `Refusal`. */
  authorize(authorization: string | null | undefined, scopes?: readonly string[]): Promise<AccessToken>;
}

/** The process's guard configured by `TOKENLEDGER_*` variables. */
export declare function defaultGuard(): LedgerGuard;

/** Options of the adapters. */
export interface AdapterOptions {
  /** Scopes the token must carry: space-delimited or a list. */
  scope?: string | readonly string[];
  /** Default: `defaultGuard()`. */
  guard?: LedgerGuard;
}

/**
 * Wraps a Web-standard handler so it runs only for a valid, unrevoked token carrying the scopes;
 * the validated claims come second. Next.js App Router route handler: `(request, context)`.
 */
export declare function withLedgerGuard<Rest extends unknown[]>(
  handler: (request: Request, token: AccessToken, ...rest: Rest) => Response | Promise<Response>,
  options?: AdapterOptions,
): (request: Request, ...rest: Rest) => Promise<Response>;
/** Remix loader or action: `({ request, params, context })`. */
export declare function withLedgerGuard<Args extends { request: Request }, Rest extends unknown[]>(
  handler: (args: Args, token: AccessToken, ...rest: Rest) => Response | Promise<Response>,
  options?: AdapterOptions,
): (args: Args, ...rest: Rest) => Promise<Response>;

/** A `(req, res, next)` middleware for Express, Connect and `node:http`; the claims go on `req.accessToken`. */
export declare function ledgerGuardMiddleware(
  options?: AdapterOptions,
): (
  req: IncomingMessage & { accessToken?: AccessToken },
  res: ServerResponse & { locals?: Record<string, unknown> },
  next: (error?: unknown) => void,
) => void;
