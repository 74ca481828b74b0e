/// Why a call to the issuer failed: a definitive OAuth refusal (the `error` code of an RFC 6749
/// §5.2 answer, e.g. `invalid_grant`) or no usable answer at all (transport failure, 5xx,
/// garbage), which says nothing about the tokens.
enum ProviderError: Error, Hashable, Sendable, CustomStringConvertible {
    case refused(String)
    case unavailable(String)

    var description: String {
        switch self {
        case .refused(let code): "refused: \(code)"
        case .unavailable(let detail): "unavailable: \(detail)"
        }
    }
}
