import Foundation
import JWTKit

/// The claims a test token carries; every claim optional so tests can leave any out.
struct TestClaims: JWTPayload {
    var iss: String? = TestSigner.issuer
    var sub: String? = "alice"
    var aud: String? = TestSigner.audience
    var exp: Int64? = Int64(Date().timeIntervalSince1970) + 600
    var iat: Int64? = Int64(Date().timeIntervalSince1970)
    var nbf: Int64?
    var jti: String? = UUID().uuidString
    var client_id: String? = "client-a"
    var scope: String? = "openid read"
    var grant_id: String? = "grant-a"
    var sid: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// An ES256 key of a fake issuer: signs test tokens and publishes its public JWK.
struct TestSigner: Sendable {
    static let issuer = "https://issuer.test"
    static let audience = "https://api.test"

    let kid: String
    let key: ES256PrivateKey
    let keys: JWTKeyCollection
    /// The public JWK as JSON text.
    let jwk: String

    init(kid: String = UUID().uuidString) async throws {
        key = ES256PrivateKey()
        self.kid = kid
        keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        guard let parameters = key.publicKey.parameters else { throw JWTError.generic(identifier: "test", reason: "no EC parameters") }
        jwk = #"{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"\#(kid)","x":"\#(parameters.x)","y":"\#(parameters.y)"}"#
    }

    /// A signed token with the given header `typ` (and optionally another key's `kid` in the header).
    func sign(_ claims: TestClaims = TestClaims(), typ: String? = "at+jwt", headerKid: String? = nil) async throws -> String {
        var header = JWTHeader()
        header.typ = typ
        guard let headerKid else { return try await keys.sign(claims, kid: JWKIdentifier(string: kid), header: header) }
        let impostor = JWTKeyCollection()
        await impostor.add(ecdsa: key, kid: JWKIdentifier(string: headerKid))
        return try await impostor.sign(claims, kid: JWKIdentifier(string: headerKid), header: header)
    }

    /// An unsigned token with an arbitrary header (for `alg: none` and other forgeries).
    static func forge(header: [String: String], claims: TestClaims = TestClaims(), signature: String = "") throws -> String {
        let encoder = JSONEncoder()
        let segments = [try JSONSerialization.data(withJSONObject: header), try encoder.encode(claims)]
        return segments.map(\.base64URL).joined(separator: ".") + "." + signature
    }
}

extension Data {
    /// Base64url without padding (RFC 7515 §2).
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
