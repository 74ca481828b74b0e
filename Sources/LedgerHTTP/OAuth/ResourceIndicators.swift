import LedgerDomain

/// The `resource` parameters of an authorization or token request (RFC 8707 §2), checked at
/// the edge: each an absolute URI without a fragment, at most ``maximumCount`` of them.
enum ResourceIndicators {
    /// The most `resource` values one request may carry.
    static let maximumCount = 20

    /// The resources `values` name; nil when there is none. Malformed ones are `invalid_target`.
    static func parse(_ values: [String]) throws(OAuthError) -> Resources? {
        guard !values.isEmpty else { return nil }
        guard values.count <= maximumCount else { throw .invalidTarget("at most \(maximumCount) resource parameters are accepted") }
        guard values.allSatisfy(Resources.isIndicator) else {
            throw .invalidTarget("resource must be an absolute URI without a fragment")
        }
        return Resources(values)
    }
}
