import Foundation
import Hummingbird
import HTTPTypes

/// Where a request's client address comes from: the connection's peer, or, behind a trusted
/// reverse proxy, the last entry of the header that proxy sets (`TOKENLEDGER_TRUSTED_PROXY_HEADER`,
/// e.g. `X-Forwarded-For`: the entry the proxy appended; earlier ones are the client's to forge).
/// Used for the login throttle and the address fingerprint in event metadata.
package struct ClientAddressSource: Sendable {
    /// The header a trusted proxy sets; nil to use the connection's peer.
    package var header: HTTPField.Name?

    /// The connection's peer (no proxy trusted).
    package static let peer = ClientAddressSource(header: nil)

    /// Addresses from `header` when set.
    package init(header: HTTPField.Name?) {
        self.header = header
    }

    /// The client's address, or nil when it is unknown.
    package func address<Context: RequestContext>(of request: Request, context: Context) -> String? {
        address(headers: request.headers) {
            guard let address = (context as? any RemoteAddressRequestContext)?.remoteAddress else { return nil }
            return address.ipAddress ?? address.pathname
        }
    }

    /// The address from `headers` when a proxy header is trusted (its last entry; nil when
    /// absent, empty or longer than an address), else `peer()`.
    package func address(headers: HTTPFields, peer: () -> String?) -> String? {
        guard let header else { return peer() }
        let entries = headers[values: header].flatMap { $0.split(separator: ",") }
        guard let last = entries.last?.trimmingCharacters(in: .whitespaces), !last.isEmpty, last.utf8.count <= 64 else { return nil }
        return last
    }
}
