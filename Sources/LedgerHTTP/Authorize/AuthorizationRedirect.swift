import Foundation
import HTTPTypes
import Hummingbird

/// Answers that send the browser back to a client's redirect URI with parameters in the query
/// (response_mode `query`), keeping any query the registered URI already has (RFC 6749 §3.1.2).
enum AuthorizationRedirect {
    /// `redirectURI` with `parameters` added to its query, before any fragment.
    static func url(_ redirectURI: String, _ parameters: [(String, String)]) -> String {
        let fragmentStart = redirectURI.firstIndex(of: "#") ?? redirectURI.endIndex
        let base = redirectURI[..<fragmentStart]
        let fragment = redirectURI[fragmentStart...]
        let encoded = parameters.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
        let separator: String
        if let question = base.firstIndex(of: "?") {
            separator = base.index(after: question) == base.endIndex || base.hasSuffix("&") ? "" : "&"
        } else {
            separator = "?"
        }
        return base + separator + encoded + fragment
    }

    /// A redirect answer (302 for errors from GET, 303 after the login POST), never cached.
    static func response(_ status: HTTPResponse.Status, to redirectURI: String, _ parameters: [(String, String)]) -> Response {
        Response(
            status: status,
            headers: [.location: url(redirectURI, parameters), .cacheControl: "no-store", HTTPField.Name("Pragma")!: "no-cache",
                      HTTPField.Name("Referrer-Policy")!: "no-referrer"]
        )
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static let unreserved: CharacterSet = {
        var set = CharacterSet()
        set.insert(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return set
    }()
}
