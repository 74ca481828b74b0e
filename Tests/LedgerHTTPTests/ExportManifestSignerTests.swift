import Foundation
import JWTKit
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import LedgerTesting
import Logging
import Testing
import LedgerService

/// The manifest JWS of audit exports: signed by the key ring, checked offline against JWKS.
@Suite("Export manifest signatures")
struct ExportManifestSignerTests {
    @Test("a signed manifest verifies against the JWKS; any change to it, its JWS or the JWKS does not")
    func signAndCheck() async throws {
        try await TestDatabase.withLedger { ledger in
            var logger = Logger(label: "test.export")
            logger.logLevel = .error
            let keys = try await KeyRing.started(on: ledger.primary, logger: logger)
            var out = Data()
            let summary = try await LogExporter(client: ledger.admin, logger: logger).export(ExportFilter(), format: .ndjson) {
                out.append($0)
            }
            #expect(summary.count >= 2)
            let manifest = ExportManifest(summary, issuer: "https://issuer.test", createdAt: Date())
            let file = ExportManifestFile(manifest: manifest, jws: try await ExportManifestSigner.sign(manifest, with: keys))
            let jwks = await keys.jwksJSON()

            // Through the file form the CLI writes and reads.
            let decoded = try JSONDecoder().decode(ExportManifestFile.self, from: CanonicalJSON.encode(file))
            #expect(await ExportManifestSigner.check(decoded, jwksJSON: jwks) == nil)
            var chunks = [out][...]
            #expect(try ExportFileCheck.check(chunks: { chunks.popFirst() }, against: decoded.manifest) == nil)

            var edited = file
            edited.manifest.count += 1
            #expect(await ExportManifestSigner.check(edited, jwksJSON: jwks) == "the signed manifest differs from the manifest in the file")

            var badSignature = file
            let signature = file.jws.split(separator: ".")[2]
            badSignature.jws = file.jws.dropLast(signature.count) + String(signature.reversed())
            #expect(await ExportManifestSigner.check(badSignature, jwksJSON: jwks)?.contains("does not verify") == true)

            #expect(await ExportManifestSigner.check(file, jwksJSON: #"{"keys":[]}"#)?.contains("holds no key") == true)

            let wrongType = ExportManifestFile(manifest: manifest, jws: try await keys.sign(AccessTokenLike(sub: "x"), type: "at+jwt"))
            #expect(await ExportManifestSigner.check(wrongType, jwksJSON: jwks)?.contains("typ at+jwt") == true)
        }
    }
}

/// Some other payload, signed with another `typ`.
private struct AccessTokenLike: JWTPayload {
    var sub: String
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
