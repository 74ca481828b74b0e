import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// What went wrong in a browser's flow.
package struct BrowserError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}

/// A minimal browser over real HTTP: a cookie jar per host and port, no automatic redirects
/// (each hop is asserted on), and the login form filled in like a user would.
package final class Browser: Sendable {
    package struct Page: Sendable {
        package var status: HTTPResponseStatus
        package var headers: HTTPHeaders
        package var body: String
        package var location: String? { headers.first(name: "Location") }
        package var setCookies: [String] { headers["Set-Cookie"] }
        package var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    private static let client = HTTPClient(configuration: .init(redirectConfiguration: .disallow))
    private let jar = Mutex<[String: [String: String]]>([:])

    /// A browser with no cookies.
    package init() {}

    /// The cookies this browser holds for `origin` (`http://host:port`).
    package func cookies(for origin: String) -> [String: String] { jar.withLock { $0[origin] ?? [:] } }

    /// Sets a cookie by hand (for tests of forged or foreign cookies).
    package func setCookie(_ name: String, _ value: String, for origin: String) { jar.withLock { $0[origin, default: [:]][name] = value } }

    package func get(_ url: String, headers: [(String, String)] = []) async throws -> Page {
        try await send(url, method: .GET, headers: headers, body: nil)
    }

    package func post(_ url: String, form: [(String, String)]? = nil, headers: [(String, String)] = []) async throws -> Page {
        let body = form.map { $0.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&") }
        let formHeaders = body == nil ? [] : [("Content-Type", "application/x-www-form-urlencoded")]
        return try await send(url, method: .POST, headers: headers + formHeaders, body: body)
    }

    /// POSTs `body` as `contentType`.
    package func post(_ url: String, body: String, contentType: String, headers: [(String, String)] = []) async throws -> Page {
        try await send(url, method: .POST, headers: headers + [("Content-Type", contentType)], body: body)
    }

    /// `/bff/login` → the issuer's login form (or its single sign-on) → alice's credentials →
    /// `/bff/callback` → `returnTo`.
    package func signIn(bffURL: String, returnTo: String, password: String) async throws {
        let start = try await get(bffURL + "/bff/login?returnTo=" + Self.encode(returnTo))
        guard start.status == .found, let authorize = start.location else { throw BrowserError("login did not redirect: \(start.status)") }
        let form = try await get(authorize)
        let callback: String
        if form.status == .seeOther, let singleSignOn = form.location {
            callback = singleSignOn  // the issuer's session signed this request in
        } else {
            guard form.status == .ok else { throw BrowserError("the login form answered \(form.status)") }
            let submitted = try await post(Self.origin(of: authorize) + "/authorize", form: [
                ("request", try Self.hidden("request", in: form.body)), ("csrf", try Self.hidden("csrf", in: form.body)),
                ("username", "alice"), ("password", password),
            ])
            guard submitted.status == .seeOther, let location = submitted.location else {
                throw BrowserError("the login answered \(submitted.status)")
            }
            callback = location
        }
        let finished = try await get(callback)
        guard finished.status == .found, finished.location == returnTo else {
            throw BrowserError("the callback answered \(finished.status) \(finished.body)")
        }
    }

    /// The value of the hidden input `name` of a page.
    package static func hidden(_ name: String, in html: String) throws -> String {
        guard let range = html.range(of: "name=\"\(name)\" value=\""), let end = html[range.upperBound...].firstIndex(of: "\"") else {
            throw BrowserError("no hidden \(name) on the page")
        }
        return String(html[range.upperBound..<end]).replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&quot;", with: "\"")
    }

    package static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    package static func origin(of url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return url }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }

    private func send(_ url: String, method: HTTPMethod, headers: [(String, String)], body: String?) async throws -> Page {
        let origin = Self.origin(of: url)
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let cookies = self.cookies(for: origin)
        if !cookies.isEmpty { request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await Self.client.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 24))
        for header in response.headers["Set-Cookie"] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            let (name, value) = (String(pair[0]).trimmingCharacters(in: .whitespaces), String(pair[1]))
            let expired = header.lowercased().contains("max-age=0")
            jar.withLock { if expired || value.isEmpty { $0[origin]?[name] = nil } else { $0[origin, default: [:]][name] = value } }
        }
        return Page(status: response.status, headers: response.headers, body: text)
    }
}
