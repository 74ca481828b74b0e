import WebEncoding
import Foundation
import JWTKit
import LedgerGuard
import LedgerService
import LedgerDomain

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
    static func forge(header: [String: Any], claims: TestClaims = TestClaims(), signature: String = "") throws -> String {
        try forge(header: header, payload: JSONEncoder().encode(claims), signature: signature)
    }

    // MARK: Broadcast messages (format v2: compact JWS, `typ: secevent+jwt`)

    /// The header `typ` of a broadcast message.
    static let broadcastType = "secevent+jwt"

    /// `message` signed as the relay signs it: ES256 with this key, `kid` and `typ: secevent+jwt`.
    /// `typ` and the header's `kid` can be changed; `key` signs with another private key (an
    /// impostor claiming this signer's `kid`, or `headerKid`).
    func sign(
        _ message: BroadcastMessage, typ: String? = TestSigner.broadcastType, headerKid: String? = nil, key: ES256PrivateKey? = nil
    ) async throws -> String {
        var header = JWTHeader()
        header.typ = typ
        let kid = JWKIdentifier(string: headerKid ?? self.kid)
        let collection = JWTKeyCollection()
        await collection.add(ecdsa: key ?? self.key, kid: kid)
        return try await collection.sign(SecurityEventPayload(message: message), kid: kid, header: header)
    }

    /// `message` signed with a fresh key that no JWKS publishes, under this signer's `kid` (the
    /// signature does not verify) or under `kid` (an unknown key id).
    func signAsImpostor(_ message: BroadcastMessage, kid: String? = nil) async throws -> String {
        try await sign(message, headerKid: kid, key: ES256PrivateKey())
    }

    /// `message` with a real HS256 MAC keyed with this signer's public JWK text (the classic
    /// algorithm-confusion forgery), under this signer's `kid` and `typ: secevent+jwt`.
    func signHS256(_ message: BroadcastMessage) async throws -> String {
        var header = JWTHeader()
        header.typ = Self.broadcastType
        let kid = JWKIdentifier(string: self.kid)
        let collection = JWTKeyCollection()
        await collection.add(hmac: HMACKey(from: jwk), digestAlgorithm: .sha256, kid: kid)
        return try await collection.sign(SecurityEventPayload(message: message), kid: kid, header: header)
    }

    /// A broadcast message with an arbitrary header and any signature segment (for `alg: none`
    /// and other forgeries); the payload is the message's JSON.
    static func forge(header: [String: Any], message: BroadcastMessage, signature: String = "") throws -> String {
        try forge(header: header, payload: JSONEncoder().encode(message), signature: signature)
    }

    /// A compact JWS from an arbitrary header and payload bytes, with `signature` as its third segment.
    static func forge(header: [String: Any], payload: Data, signature: String = "") throws -> String {
        let header = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        return [header, payload].map(\.base64URLEncoded).joined(separator: ".") + "." + signature
    }

    /// `compact` with its payload segment replaced by `message` (header and signature kept): a
    /// message edited after it was signed.
    static func tamper(_ compact: String, with message: BroadcastMessage) throws -> String {
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw JWTError.generic(identifier: "test", reason: "not a compact JWS") }
        return "\(parts[0]).\(try JSONEncoder().encode(message).base64URLEncoded).\(parts[2])"
    }
}
