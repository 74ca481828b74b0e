import Foundation
import WebEncoding
import HTTPTypes
import Hummingbird
import LedgerPostgres

/// JSON in and out of the admin API.
enum AdminJSON {
    /// Largest request body the admin API reads.
    static let maxBody = 64 * 1024

    /// An `application/json` response with `Cache-Control: no-store` (it may carry a secret once).
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }

    /// Reads the request body (bounded) as JSON of type `T`; `invalid` builds the error for a
    /// body that is not JSON or has a field of the wrong type. A body declared as anything but
    /// `application/json` is refused with 415 before it is read.
    static func decode<T: Decodable>(
        _ type: T.Type, from request: Request, invalid: (String) -> AdminError
    ) async throws(AdminError) -> T {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingOptionalWhitespace.lowercased() }
        guard mediaType == "application/json" else {
            throw AdminError("invalid_request", "the body must be sent as application/json", status: .unsupportedMediaType)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBody)
        } catch {
            throw invalid("request body too large or unreadable")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw invalid("\(fieldName(context.codingPath)) has the wrong type")
        } catch DecodingError.keyNotFound(let key, _) {
            throw invalid("\(key.stringValue) is required")
        } catch {
            throw invalid("request body must be a JSON object")
        }
    }

    /// `a.b[0]`-style path of a decoding error, naming fields but never values.
    static func fieldName(_ path: [any CodingKey]) -> String {
        var name = ""
        for key in path {
            if let index = key.intValue { name += "[\(index)]" } else { name += (name.isEmpty ? "" : ".") + key.stringValue }
        }
        return name.isEmpty ? "request body" : name
    }

    /// Maps a store failure to a secret-free 503.
    static func unavailable(_ error: LedgerStoreError) -> AdminError {
        .unavailable("the ledger could not be reached (\(error.code))")
    }
}
