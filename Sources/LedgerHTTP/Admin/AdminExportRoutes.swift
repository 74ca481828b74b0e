import Foundation
import HTTPTypes
import Hummingbird
import LedgerPostgres
import LedgerService

/// The admin side of `tokenledger export` (docs/event-log.md#audit-exports):
///
/// - `GET /admin/export?format=&from_seq=&to_seq=&since=&until=&type=&subject=&client=` streams
///   the export (NDJSON or CSV, constant memory) and names the last seq it covers in the
///   `TokenLedger-Export-To-Seq` header: without `to_seq` the export stops at the head of the
///   log when the request arrived.
/// - `GET /admin/export/manifest?…` (same parameters) answers the signed manifest file, the one
///   the CLI writes beside an export. Pass the `to_seq` of the export so both cover the same events.
package enum AdminExportRoutes {
    /// The header naming the last seq an export covers.
    package static let toSeqHeader = HTTPField.Name("TokenLedger-Export-To-Seq")!

    /// Adds the routes to the (authenticated) admin group.
    package static func add(to group: RouterGroup<BasicRequestContext>, _ services: LedgerServices) {
        let exporter = LogExporter(client: services.database, logger: services.logger)
        group.get("export") { request, _ -> Response in
            do throws(AdminError) {
                let (filter, format) = try await pinnedRequest(request, services)
                let body = ResponseBody { writer in
                    _ = try await exporter.export(filter, format: format) { chunk in
                        try await writer.write(ByteBuffer(bytes: chunk))
                    }
                    try await writer.finish(nil)
                }
                var headers: HTTPFields = [.contentType: format.contentType, .cacheControl: "no-store"]
                headers[toSeqHeader] = filter.toSeq.map(String.init)
                return Response(status: .ok, headers: headers, body: body)
            } catch {
                return error.response()
            }
        }
        group.get("export/manifest") { request, _ -> Response in
            do throws(AdminError) {
                let (filter, format) = try await pinnedRequest(request, services)
                let summary: ExportSummary
                do {
                    summary = try await exporter.export(filter, format: format) { _ in }
                } catch {
                    throw AdminError.unavailable("the export could not be read from the ledger")
                }
                let manifest = ExportManifest(summary, issuer: services.issuer, createdAt: Date())
                let jws: String
                do {
                    jws = try await ExportManifestSigner.sign(manifest, with: services.keys)
                } catch {
                    throw AdminError.unavailable("no active signing key to sign the manifest")
                }
                return AdminJSON.response(ExportManifestFile(manifest: manifest, jws: jws))
            } catch {
                return error.response()
            }
        }
    }

    /// The filter and format a request asks for, its `to_seq` defaulting to the current head.
    private static func pinnedRequest(_ request: Request, _ services: LedgerServices) async throws(AdminError) -> (ExportFilter, ExportFormat) {
        var (filter, format) = try ExportQuery.parse(request.uri.queryParameters)
        if filter.toSeq == nil {
            do {
                filter.toSeq = try await LogHead.read(services.database, logger: services.logger).seq
            } catch {
                throw AdminJSON.unavailable(error)
            }
        }
        return (filter, format)
    }
}

extension ExportFormat {
    /// The media type of an export file.
    var contentType: String {
        switch self {
        case .ndjson: "application/x-ndjson"
        case .csv: "text/csv; charset=utf-8"
        }
    }
}
