import WebEncoding
import Crypto
import Foundation
import LedgerDomain
import LedgerPostgres
import Logging

/// Mints ID tokens with the key ring's active key of the client's registered algorithm (RS256
/// by default; never `none` or HS*, I7), from what the
/// grant recorded at `/authorize`: subject, session and `auth_time` (the login's, also on
/// refresh, OIDC Core §12.2).
package struct IDTokenMinter: Sendable {
    /// A signed ID token and its id.
    package struct Minted: Sendable {
        package var token: String
        package var jti: TokenID
    }

    let issuer: String
    let keys: KeyRing
    let logger: Logger

    /// Signs the ID token of `grant` for `client` issued under `context` beside `accessToken`,
    /// carrying `nonce` (the authorization request's at the code exchange; none on refresh) and
    /// the claims a delegated login supplied for it, as far as the grant's scope releases them.
    func mint(
        for grant: Grant, client: Client, accessToken: String, nonce: String?, claims: DelegatedClaimsStore.Claims?, context: DecisionContext
    ) async throws(TokenError) -> Minted {
        let jti = TokenID(LedgerID.make(at: context.now))
        let issuer = self.issuer
        let userClaims = claims.map { ClaimRelease.released($0.forIDToken, scope: grant.scope) } ?? [:]
        do {
            let token = try await keys.sign(type: "JWT", algorithm: client.registration.idTokenAlgorithm) { algorithm in
                IDTokenClaims(
                    iss: issuer, sub: grant.subject.rawValue, aud: grant.clientID.rawValue,
                    exp: context.idTokenExpiresAt.seconds, iat: context.now.seconds, authTime: grant.code?.authTime?.seconds,
                    nonce: nonce, sid: grant.sessionID?.rawValue,
                    atHash: Self.leftHalfHash(of: accessToken, algorithm: algorithm), azp: grant.clientID.rawValue,
                    jti: jti.rawValue, acr: claims?.acr, amr: claims?.amr, userClaims: userClaims
                )
            }
            return Minted(token: token, jti: jti)
        } catch {
            logger.error("ID token signing failed", metadata: ["error": "\(error)"])
            throw .unavailable("no signing key is available")
        }
    }

    /// `at_hash` (OIDC Core §3.1.3.6): base64url of the left half of the hash of the token's
    /// ASCII bytes, with the hash of the JWS algorithm — SHA-256 for ES256 and RS256, SHA-512
    /// for EdDSA with Ed25519 (OIDC Core errata set 2).
    package static func leftHalfHash(of token: String, algorithm: String) -> String {
        let digest: Data =
            algorithm == "EdDSA" ? Data(SHA512.hash(data: Data(token.utf8))) : Data(SHA256.hash(data: Data(token.utf8)))
        return digest.prefix(digest.count / 2).base64URLEncoded
    }
}
