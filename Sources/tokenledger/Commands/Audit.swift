import ArgumentParser
import Foundation
import LedgerPostgres
import LedgerService

/// `tokenledger audit …`: integrity checks of the log.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Audit the event log.", subcommands: [Verify.self]
    )

    /// `tokenledger audit verify [--from N] [--to M]`: walks the hash chain.
    /// `tokenledger audit verify --export FILE --manifest FILE --jwks FILE`: checks an export offline.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the hash chain and report the first broken link. Exits 1 when broken."
        )

        @Option(help: "First sequence number to check (default: 1).")
        var from: Int64?

        @Option(help: "Last sequence number to check (default: the end of the log).")
        var to: Int64?

        @Option(help: "Check this export file offline instead of the database (needs --manifest and --jwks).")
        var export: String?

        @Option(help: "The manifest file of the export.")
        var manifest: String?

        @Option(help: "The JWKS document (a file) that verifies the manifest signature.")
        var jwks: String?

        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            if let export {
                try await verifyExport(export)
                return
            }
            let (configuration, logger) = try await ledger.load("tokenledger.audit")
            let (from, to) = (self.from, self.to)
            let report = try await withDatabase(configuration, logger: logger) { client in
                try await ChainVerifier(client: client, logger: logger).verify(from: from, to: to)
            }
            print(report)
            if case .broken = report { throw ExitCode(1) }
        }

        /// The offline check of an export: manifest signature, then the file's lines, count,
        /// re-walked chain (NDJSON seq ranges) and SHA-256.
        private func verifyExport(_ export: String) async throws {
            guard let manifest else { throw ValidationError("--export needs --manifest") }
            guard let jwks else { throw ValidationError("--export needs --jwks (a JWKS file; nothing is fetched)") }
            let file = try JSONDecoder().decode(ExportManifestFile.self, from: Data(contentsOf: URL(fileURLWithPath: manifest)))
            let jwksJSON = try String(contentsOf: URL(fileURLWithPath: jwks), encoding: .utf8)
            var problem = await ExportManifestSigner.check(file, jwksJSON: jwksJSON)
            if problem == nil {
                problem = try ExportFileCheck.check(fileAt: URL(fileURLWithPath: export), against: file.manifest)
            }
            if let problem {
                print("export BROKEN: \(problem)")
                throw ExitCode(1)
            }
            let m = file.manifest
            let walked = m.format == .ndjson && m.filter.isSeqRangeOnly ? ", chain re-walked to last_hash" : ""
            print("export intact: \(m.count) events, seq \(m.firstSeq.map(String.init) ?? "-")…\(m.lastSeq.map(String.init) ?? "-"), signature valid, sha256 matches\(walked)")
        }
    }
}
