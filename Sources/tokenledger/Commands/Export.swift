import ArgumentParser
import Foundation
import LedgerPostgres
import LedgerService

/// `tokenledger export`: writes events of the log to a file (NDJSON or CSV) and a signed
/// manifest next to it, for `tokenledger audit verify --export` to check offline.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export events with a signed manifest. Needs TOKENLEDGER_KEY_SECRET."
    )

    @Option(help: "The export file to write.")
    var output: String

    @Option(help: "The manifest file to write (JSON: the manifest and its JWS).")
    var manifest: String

    @Option(help: "ndjson (canonical chain records, one per line) or csv.")
    var format: String = "ndjson"

    @Option(help: "First sequence number.")
    var fromSeq: Int64?

    @Option(help: "Last sequence number.")
    var toSeq: Int64?

    @Option(help: "Events that occurred at or after this ISO 8601 time.")
    var since: String?

    @Option(help: "Events that occurred before this ISO 8601 time.")
    var until: String?

    @Option(name: .customLong("type"), help: "An exact event type name (repeatable).")
    var types: [String] = []

    @Option(help: "Events about this subject (data sub, or grants of the subject).")
    var subject: String?

    @Option(help: "Events about this client (data or metadata client_id, or grants of the client).")
    var client: String?

    @Option(help: "Also write the JWKS document that verifies the manifest here.")
    var jwksOutput: String?

    @OptionGroup var ledger: LedgerOptions

    func run() async throws {
        guard let format = ExportFormat(rawValue: format) else { throw ValidationError("--format must be ndjson or csv") }
        var filter = ExportFilter(fromSeq: fromSeq, toSeq: toSeq, types: types, subject: subject, client: client)
        if let since {
            guard let date = ExportTime.parse(since) else { throw ValidationError("--since is not an ISO 8601 time") }
            filter.since = date
        }
        if let until {
            guard let date = ExportTime.parse(until) else { throw ValidationError("--until is not an ISO 8601 time") }
            filter.until = date
        }
        let (configuration, logger) = try await ledger.load("tokenledger.export")
        let (output, manifestPath, jwksOutput, exportFilter) = (output, manifest, jwksOutput, filter)
        let manifest = try await withStores(configuration, logger: logger) { stores in
            let keys = makeKeyRing(configuration, stores: stores)
            try await keys.start()
            guard FileManager.default.createFile(atPath: output, contents: nil) else {
                throw ValidationError("cannot create \(output)")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            let summary: ExportSummary
            do {
                summary = try await LogExporter(client: stores.database, logger: logger).export(exportFilter, format: format) { bytes in
                    try handle.write(contentsOf: bytes)
                }
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
            let manifest = ExportManifest(summary, issuer: configuration.issuer, createdAt: Date())
            let jws = try await ExportManifestSigner.sign(manifest, with: keys)
            let file = try CanonicalJSON.encode(ExportManifestFile(manifest: manifest, jws: jws))
            try (file + Data("\n".utf8)).write(to: URL(fileURLWithPath: manifestPath))
            if let jwksOutput { try Data(await keys.jwksJSON().utf8).write(to: URL(fileURLWithPath: jwksOutput)) }
            return manifest
        }
        let range = manifest.firstSeq.map { "seq \($0)…\(manifest.lastSeq ?? $0)" } ?? "no events"
        print("exported \(manifest.count) events (\(range)) to \(output), sha256 \(manifest.sha256); manifest \(manifestPath)")
    }
}
