import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import LedgerTesting
import Testing
import LedgerService

@Suite("Admin: audit exports over HTTP")
struct AdminExportTests {
    static let auth: HTTPFields = [.authorization: "Bearer \(HTTPHarness.adminToken)"]

    @Test("the streamed export and its manifest verify offline, and match the CLI's exporter byte for byte")
    func exportAndManifest() async throws {
        try await HTTPHarness.with { h in
            let context = DecisionContext(now: Instant.current())
            _ = try await GrantFixtures.activeGrant(in: h.services.grants, subject: Subject("alice"), context: context)
            _ = try await GrantFixtures.activeGrant(in: h.services.grants, subject: Subject("bob"), context: context)
            let head = try await LogHead.read(h.ledger.admin, logger: h.services.logger).seq

            let unauthenticated = try await h.adminClient.executeRequest(uri: "/admin/export", method: .get, headers: [:], body: nil)
            #expect(unauthenticated.status == .unauthorized)

            let export = try await h.adminClient.executeRequest(uri: "/admin/export", method: .get, headers: Self.auth, body: nil)
            #expect(export.status == .ok)
            #expect(export.headers[.contentType] == "application/x-ndjson")
            #expect(export.headers[AdminExportRoutes.toSeqHeader] == String(head))
            let body = Data(buffer: export.body)
            var direct = Data()
            _ = try await LogExporter(client: h.ledger.admin, logger: h.services.logger).export(ExportFilter(toSeq: head), format: .ndjson) {
                direct.append($0)
            }
            #expect(body == direct)
            #expect(body.split(separator: UInt8(ascii: "\n")).count == Int(head))

            let manifestResponse = try await h.adminClient.executeRequest(
                uri: "/admin/export/manifest?to_seq=\(head)", method: .get, headers: Self.auth, body: nil
            )
            #expect(manifestResponse.status == .ok)
            let file = try JSONDecoder().decode(ExportManifestFile.self, from: Data(buffer: manifestResponse.body))
            #expect(file.manifest.count == head)
            #expect(file.manifest.lastSeq == head)
            #expect(await ExportManifestSigner.check(file, jwksJSON: await h.services.keys.jwksJSON()) == nil)
            var chunks = [body][...]
            #expect(try ExportFileCheck.check(chunks: { chunks.popFirst() }, against: file.manifest) == nil)

            // A filtered CSV export and its manifest agree too.
            let query = "format=csv&subject=alice&type=grant.started&type=grant.code.issued&to_seq=\(head)"
            let csv = try await h.adminClient.executeRequest(uri: "/admin/export?\(query)", method: .get, headers: Self.auth, body: nil)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            let csvManifest = try await h.adminClient.executeRequest(uri: "/admin/export/manifest?\(query)", method: .get, headers: Self.auth, body: nil)
            let csvFile = try JSONDecoder().decode(ExportManifestFile.self, from: Data(buffer: csvManifest.body))
            #expect(csvFile.manifest.count == 2)
            #expect(csvFile.manifest.filter == ExportFilter(toSeq: head, types: ["grant.started", "grant.code.issued"], subject: "alice"))
            var csvChunks = [Data(buffer: csv.body)][...]
            #expect(try ExportFileCheck.check(chunks: { csvChunks.popFirst() }, against: csvFile.manifest) == nil)
            let lines = String(decoding: Data(buffer: csv.body), as: UTF8.self).split(separator: "\r\n")
            #expect(lines.count == 3)
            #expect(lines[0] == Substring(LogExporter.csvHeader))
        }
    }

    @Test("bad parameters are refused with a 400 naming the parameter, never its value")
    func badParameters() async throws {
        try await HTTPHarness.with { h in
            for (query, detail) in [
                ("format=xml", "format must be ndjson or csv"),
                ("from_seq=abc", "from_seq must be a non-negative integer"),
                ("to_seq=-1", "to_seq must be a non-negative integer"),
                ("since=yesterday", "since must be an ISO 8601 time"),
                ("to_seq=1&to_seq=2", "to_seq is repeated"),
                ("secret=hunter2", "unknown parameter secret"),
            ] {
                for path in ["/admin/export", "/admin/export/manifest"] {
                    let response = try await h.adminClient.executeRequest(uri: "\(path)?\(query)", method: .get, headers: Self.auth, body: nil)
                    #expect(response.status == .badRequest, "\(path)?\(query)")
                    #expect(response.json["error"] as? String == "invalid_request")
                    #expect(response.json["error_description"] as? String == detail)
                }
            }
        }
    }
}
