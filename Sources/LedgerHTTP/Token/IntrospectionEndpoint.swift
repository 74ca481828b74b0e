import Foundation
import HTTPTypes
import Hummingbird
import LedgerService

/// `POST /introspect` (RFC 7662): for confidential clients only
/// (``TokenService/introspect(_:by:)``); any token that is not active is answered exactly
/// `{"active":false}`.
struct IntrospectionEndpoint: Sendable {
    let shared: TokenServices

    /// Answers one introspection request.
    func handle(_ request: Request) async -> Response {
        await TokenServices.answer { () async throws(OAuthError) -> Response in
            let form = try await FormParameters.body(of: request)
            let caller = try await shared.authenticator.authenticate(request, form: form)
            let tokens = shared.tokens
            let answer = try await shared.calling(caller) { () async throws(TokenError) in
                try await tokens.introspect(form["token"], by: caller.client)
            }
            return Self.response(answer)
        }
    }

    /// The JSON answer, never cached.
    static func response(_ answer: Introspection) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(answer)) ?? Data(#"{"active":false}"#.utf8)
        return Response(
            status: .ok,
            headers: [.contentType: "application/json", .cacheControl: "no-store", HTTPField.Name("Pragma")!: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}
