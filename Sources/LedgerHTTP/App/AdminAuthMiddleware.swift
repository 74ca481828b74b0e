import Crypto
import Foundation
import Hummingbird

/// Requires `Authorization: Bearer <TOKENLEDGER_ADMIN_TOKEN>`, compared in constant time.
/// Without a configured token every admin call is refused.
package struct AdminAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    private let expected: SHA256Digest?

    /// Creates the middleware.
    package init(token: String?) {
        expected = token.flatMap { $0.isEmpty ? nil : SHA256.hash(data: Data($0.utf8)) }
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let expected, let header = request.headers[.authorization], header.count > 7,
            header.prefix(7).lowercased() == "bearer "
        else { return Self.unauthorized }
        // Comparing digests of equal length keeps the comparison time independent of the key.
        let presented = SHA256.hash(data: Data(header.dropFirst(7).utf8))
        var difference: UInt8 = 0
        for (a, b) in zip(presented, expected) { difference |= a ^ b }
        guard difference == 0 else { return Self.unauthorized }
        return try await next(request, context)
    }

    private static var unauthorized: Response {
        Response(
            status: .unauthorized,
            headers: [.wwwAuthenticate: "Bearer realm=\"tokenledger-admin\"", .contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: #"{"error":"unauthorized","error_description":"admin bearer key required"}"#))
        )
    }
}
