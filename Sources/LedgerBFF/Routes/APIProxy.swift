import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// `/api/<name>/<rest>` → `<upstream url>/<rest>` with the session's access token
/// (docs/bff.md#api-proxy). Every method needs `X-CSRF: 1` before anything else is looked at;
/// the browser's `Cookie`, `Authorization` and hop-by-hop headers are dropped, the Bearer token
/// attached, the request body (up to 1 MiB) passed on and the answer streamed back (a small one
/// of known length in one piece). Upstream `Set-Cookie` is not relayed. Only configured
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
    /// The largest request body passed on (it is read whole before the call goes out).
    static let requestBodyLimit = 1 << 20
    /// The upstream's answer head (and a small body) must come within this.
    static let answerTimeout = TimeAmount.seconds(30)

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
            guard let name, let origin = bff.upstreamOrigins[name], let rest = Self.rest(of: request.uri.path, name: name) else {
                throw BFFError(.notFound, "no such API")
            }
            guard let (_, loaded) = try await bff.session(of: request) else { return bff.signedOut() }
            var head = HTTPRequestHead(
                version: .http1_1, method: HTTPMethod(rawValue: request.method.rawValue),
                uri: origin.basePath + rest + (request.uri.query.map { "?" + $0 } ?? "")
            )
            head.headers.reserveCapacity(request.headers.count + 2)
            head.headers.add(name: "Host", value: origin.authority)
            for field in request.headers where !Self.droppedRequestHeaders.contains(field.name.canonicalName) && field.name != .contentLength {
                head.headers.add(name: field.name.rawName, value: field.value)
            }
            head.headers.add(name: "Authorization", value: "Bearer " + loaded.session.accessToken)
            let body = try await Self.body(of: request)
            if let body { head.headers.add(name: "Content-Length", value: String(body.readableBytes)) }
            let answer: UpstreamAnswer
            do {
                answer = try await bff.upstreams.send(head, body: body, to: origin, deadline: .now() + Self.answerTimeout)
            } catch {
                throw BFFError(.unavailable, "the API \(name) cannot be reached")
            }
            var headers = HTTPFields()
            for (fieldName, value) in answer.head.headers where !Self.droppedResponseHeaders.contains(fieldName.lowercased()) {
                if let field = HTTPField.Name(fieldName) { headers.append(HTTPField(name: field, value: value)) }
            }
            let status = HTTPResponse.Status(code: Int(answer.head.status.code))
            switch answer.body {
            case .whole(let bytes): return Response(status: status, headers: headers, body: .init(byteBuffer: bytes))
            case .streamed(let parts): return Response(status: status, headers: headers, body: .init(asyncSequence: parts))
            }
        }
    }

    /// The request's body, up to ``requestBodyLimit``; nil for GET and HEAD, and for an empty body.
    private static func body(of request: Request) async throws(BFFError) -> ByteBuffer? {
        guard request.method != .get, request.method != .head else { return nil }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: requestBodyLimit)
        } catch {
            throw BFFError(.tooLarge, "API request bodies are limited to \(requestBodyLimit) bytes")
        }
        return body.readableBytes == 0 && request.headers[.contentLength] == nil ? nil : body
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
