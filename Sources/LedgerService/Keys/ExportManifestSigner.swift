import WebEncoding
import Foundation
import JWTKit
import LedgerDomain
import LedgerPostgres

/// Signs export manifests with the key ring's active key and checks them offline against a
/// JWKS document. The JWS payload is the manifest itself; the manifest file carries both, and
/// the check requires the two to agree.
package enum ExportManifestSigner {
    /// The `typ` header of a manifest JWS.
    package static let type = "tokenledger-export-manifest+jwt"

    /// The manifest as a JWS payload (its own JSON, no claims added).
    struct Payload: JWTPayload {
        var manifest: ExportManifest
        init(_ manifest: ExportManifest) { self.manifest = manifest }
        init(from decoder: any Decoder) throws { manifest = try ExportManifest(from: decoder) }
        func encode(to encoder: any Encoder) throws { try manifest.encode(to: encoder) }
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// Signs `manifest` with the active key of `keys`.
    package static func sign(_ manifest: ExportManifest, with keys: KeyRing) async throws -> String {
        try await keys.sign(Payload(manifest), type: type)
    }

    /// Verifies the JWS of `file` against the JWKS document `jwksJSON`: the header must carry
    /// `typ`, an allowed algorithm and a `kid` the JWKS holds; the signature must hold; and its
    /// payload must equal the file's manifest. Returns the first problem, or nil.
    package static func check(_ file: ExportManifestFile, jwksJSON: String) async -> String? {
        let parts = file.jws.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Data(jwtSegment: parts[0]),
            let header = try? JSONDecoder().decode(JWTHeader.self, from: headerData)
        else { return "the manifest JWS is not a compact JWS" }
        guard header.typ == type else { return "the manifest JWS has typ \(header.typ ?? "-"), expected \(type)" }
        guard let alg = header.alg, SigningKey.allowedAlgorithms.contains(alg) else {
            return "the manifest JWS algorithm \(header.alg ?? "-") is not allowed"
        }
        guard let kid = header.kid else { return "the manifest JWS names no key (kid)" }
        let jwks: JWKS
        do {
            jwks = try JSONDecoder().decode(JWKS.self, from: Data(jwksJSON.utf8))
        } catch {
            return "the JWKS document does not parse: \(error)"
        }
        guard jwks.keys.contains(where: { $0.keyIdentifier?.string == kid }) else {
            return "the JWKS holds no key \(kid) that signed the manifest"
        }
        let payload: Payload
        do {
            let collection = JWTKeyCollection()
            try await collection.add(jwks: jwks)
            payload = try await collection.verify(file.jws, as: Payload.self)
        } catch {
            return "the manifest signature does not verify with key \(kid): \(error)"
        }
        guard payload.manifest == file.manifest else { return "the signed manifest differs from the manifest in the file" }
        return nil
    }
}
