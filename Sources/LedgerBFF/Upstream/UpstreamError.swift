/// Why an upstream call failed; every case answers the browser 503 `temporarily_unavailable`.
enum UpstreamError: Error, Hashable, Sendable {
    /// No connection could be opened (refused, unreachable, TLS handshake).
    case connect
    /// The connection closed, or failed, before the whole answer head (and a small body) came.
    case closedBeforeAnswer
    /// No answer within the deadline.
    case timeout
}
