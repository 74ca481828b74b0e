import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/<name>/<rest>` → `<upstream url>/<rest>` with the session's access token
/// (docs/bff.md#api-proxy). Every method needs `X-CSRF: 1` before anything else is looked at;
/// the browser's `Cookie`, `Authorization` and hop-by-hop headers are dropped, the Bearer token
/// attached, and both bodies streamed. Upstream `Set-Cookie` is not relayed. Only configured
/// names are served, and no `.`/`..` segment, so nothing outside an upstream's base is reachable.
struct APIProxy: Sendable {
    /// The anti-CSRF header a same-origin `fetch` sends and a cross-site form cannot.
    static let csrfHeader = HTTPField.Name("X-CSRF")!
    /// Headers never forwarded upstream (RFC 9110 §7.6.1 hop-by-hop, and the browser's credentials).
    static let droppedRequestHeaders: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
        "host", "cookie", "authorization", "x-csrf",
    ]
    /// Headers never relayed back.
    static let droppedResponseHeaders: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
        "set-cookie",
    ]
    static let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .head, .options]
    /// Answers up to this size with a `Content-Length` are passed on in one piece.
    static let bufferedAnswerLimit = 64 * 1024

    let bff: BFF

    func add(to router: Router<BasicRequestContext>) {
        for method in Self.methods {
            router.on("/api/{name}/**", method: method) { request, context in await proxy(request, name: context.parameters.get("name")) }
            router.on("/api/{name}", method: method) { request, context in await proxy(request, name: context.parameters.get("name")) }
        }
    }

    private func proxy(_ request: Request, name: String?) async -> Response {
        await answer { () async throws(BFFError) in
            guard request.headers[Self.csrfHeader] == "1" else { throw BFFError(.csrf, "API calls need the X-CSRF: 1 header") }
            guard let name, let upstream = bff.configuration.upstreams[name], let rest = Self.rest(of: request.uri.path, name: name) else {
                throw BFFError(.notFound, "no such API")
            }
            guard let (_, loaded) = try await bff.session(of: request) else { return bff.signedOut() }
            var outgoing = HTTPClientRequest(url: Self.join(upstream.url, rest) + (request.uri.query.map { "?" + $0 } ?? ""))
            outgoing.method = .init(rawValue: request.method.rawValue)
            for field in request.headers where !Self.droppedRequestHeaders.contains(field.name.canonicalName) {
                outgoing.headers.add(name: field.name.rawName, value: field.value)
            }
            outgoing.headers.add(name: "Authorization", value: "Bearer " + loaded.session.accessToken)
            if request.method != .get, request.method != .head {
                let length = request.headers[.contentLength].flatMap(Int.init)
                outgoing.body = .stream(request.body, length: length.map { .known(Int64($0)) } ?? .unknown)
            }
            let answer: HTTPClientResponse
            do {
                answer = try await bff.http.execute(outgoing, timeout: .seconds(30))
            } catch {
                throw BFFError(.unavailable, "the API \(name) cannot be reached")
            }
            var headers = HTTPFields()
            for (fieldName, value) in answer.headers where !Self.droppedResponseHeaders.contains(fieldName.lowercased()) {
                if let field = HTTPField.Name(fieldName) { headers.append(HTTPField(name: field, value: value)) }
            }
            let status = HTTPResponse.Status(code: Int(answer.status.code))
            // A small answer of known length is passed on whole; anything else is streamed.
            if let length = answer.headers.first(name: "content-length").flatMap(Int.init), length <= Self.bufferedAnswerLimit {
                do {
                    return Response(status: status, headers: headers, body: .init(byteBuffer: try await answer.body.collect(upTo: length)))
                } catch {
                    throw BFFError(.unavailable, "the API \(name) answer could not be read")
                }
            }
            return Response(status: status, headers: headers, body: .init(asyncSequence: answer.body))
        }
    }

    /// The part of `path` after `/api/<name>`, when it has no `.` or `..` segment (raw or
    /// percent-encoded); `/` for the API's root.
    static func rest(of path: String, name: String) -> String? {
        let prefix = "/api/" + name
        guard path.hasPrefix(prefix) else { return nil }
        let rest = String(path.dropFirst(prefix.count))
        guard rest.isEmpty || rest.hasPrefix("/") else { return nil }
        let segments = rest.split(separator: "/", omittingEmptySubsequences: false).map { $0.lowercased() }
        guard !segments.contains(where: { [".", "..", "%2e", "%2e%2e", ".%2e", "%2e."].contains($0) }), !rest.contains("\\") else { return nil }
        return rest.isEmpty ? "/" : rest
    }

    /// `base` and `rest` with exactly one `/` between them.
    static func join(_ base: String, _ rest: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + rest
    }
}
