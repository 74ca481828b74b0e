/** Everything a resource server configures, with LedgerGuard's defaults. */

/** The broadcast channel unless configured otherwise. */
export const DEFAULT_CHANNEL = 'tokenledger:revocations';
/** The broadcast's Redis unless configured otherwise. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/0';

/**
 * The guard's configuration. Times are seconds.
 *
 * The JWKS is found through `<issuer>/.well-known/openid-configuration` unless `jwksUrl` is set;
 * the feed and token endpoints default to `<issuer>/revocations` and `<issuer>/token`. Set the
 * URLs when the service is reached at another address than its issuer URL.
 */
export class GuardSettings {
  /**
   * @param {import('./index.js').GuardOptions} options
   */
  constructor({
    issuer,
    clientId,
    clientSecret,
    audience = null,
    redisUrl = DEFAULT_REDIS_URL,
    channel = DEFAULT_CHANNEL,
    jwksUrl = null,
    feedUrl = null,
    tokenUrl = null,
    clockSkew = 5,
    stalenessBound = 10,
    channelIdleTimeout = 6,
    jwksRefetchInterval = 5,
    cacheCapacity = 100_000,
    startupWait = 5,
    realm = 'api',
    retryAfter = 2,
  }) {
    for (const [name, value] of Object.entries({ issuer, clientId, clientSecret })) {
      if (typeof value !== 'string' || value === '') throw new TypeError(`LedgerGuard: ${name} is required`);
    }
    /** The exact `iss` of accepted tokens. */
    this.issuer = issuer;
    /** The client this resource server authenticates as to read the catch-up feed (client_credentials, scope `revocations:read`). */
    this.clientId = clientId;
    // That client's secret; not enumerable: never printed or serialized with the settings.
    Object.defineProperty(this, 'clientSecret', { value: clientSecret, enumerable: false });
    /** `aud` must contain it; null: the issuer (the issuer's default access-token audience). */
    this.audience = audience;
    /** Redis URL of the broadcast. */
    this.redisUrl = redisUrl;
    /** The broadcast channel. */
    this.channel = channel;
    /** The JWKS URL; null: the discovery document's `jwks_uri` (whose `issuer` must match). */
    this.jwksUrl = jwksUrl;
    /** The catch-up feed; null: `<issuer>/revocations`. */
    this.feedUrl = feedUrl;
    /** The token endpoint; null: `<issuer>/token`. */
    this.tokenUrl = tokenUrl;
    /** Tolerance for `exp`, `nbf`, `iat`; capped at 15 s. */
    this.clockSkew = clockSkew;
    /** How long the deny list is trusted without a heartbeat or a successful catch-up; then every validation fails closed (503). */
    this.stalenessBound = stalenessBound;
    /** A channel silent this long is taken as lost: reconnect and catch up. null waits for the operating system. */
    this.channelIdleTimeout = channelIdleTimeout;
    /** Least time between JWKS fetches caused by unknown `kid`s. */
    this.jwksRefetchInterval = jwksRefetchInterval;
    /** How many validated tokens are remembered. */
    this.cacheCapacity = cacheCapacity;
    /** How long `start()` waits for the first catch-up (it serves 503s meanwhile if it gives up). */
    this.startupWait = startupWait;
    /** The realm of the `WWW-Authenticate` challenges. */
    this.realm = realm;
    /** `Retry-After` seconds of a 503. */
    this.retryAfter = retryAfter;
    Object.freeze(this);
  }

  /** The issuer without a trailing slash. */
  get base() {
    return this.issuer.replace(/\/+$/, '');
  }

  /**
   * Settings from `TOKENLEDGER_ISSUER`, `TOKENLEDGER_REDIS_URL`, `TOKENLEDGER_REDIS_CHANNEL`,
   * `TOKENLEDGER_AUDIENCE`, `TOKENLEDGER_FEED_CLIENT_ID` and `TOKENLEDGER_FEED_CLIENT_SECRET`.
   *
   * Throws `TypeError` naming the first required variable that is missing.
   * @param {Record<string, string | undefined>} [env]
   * @returns {import('./index.js').GuardOptions}
   */
  static optionsFromEnvironment(env = process.env) {
    /** @param {string} name */
    const required = (name) => {
      const value = env[name];
      if (!value) throw new TypeError(`${name} is not set`);
      return value;
    };
    return {
      issuer: required('TOKENLEDGER_ISSUER'),
      clientId: required('TOKENLEDGER_FEED_CLIENT_ID'),
      clientSecret: required('TOKENLEDGER_FEED_CLIENT_SECRET'),
      audience: env.TOKENLEDGER_AUDIENCE || null,
      redisUrl: env.TOKENLEDGER_REDIS_URL || DEFAULT_REDIS_URL,
      channel: env.TOKENLEDGER_REDIS_CHANNEL || DEFAULT_CHANNEL,
    };
  }
}
