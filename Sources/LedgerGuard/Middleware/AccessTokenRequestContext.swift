import Hummingbird

/// A request context that can carry the access token ``LedgerGuardMiddleware`` validated.
///
///     struct APIContext: AccessTokenRequestContext {
///         var coreContext: CoreRequestContextStorage
///         var accessToken: AccessToken?
///         init(source: ApplicationRequestContextSource) { coreContext = .init(source: source) }
///     }
public protocol AccessTokenRequestContext: RequestContext {
    /// The validated token; set by the middleware before the route runs.
    var accessToken: AccessToken? { get set }
}
