import Foundation
import HTTPTypes
import Hummingbird

/// The HTML pages of the public listener (login form, error pages): escaping and the headers
/// every page carries — never cached, never framed, no script, forms post only to this origin.
package enum HTMLPage {
    /// Escapes text for an HTML element or a double-quoted attribute value.
    package static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// The headers of every page. Forms post only to this origin; `formRedirects` are the URIs
    /// a form's answer may redirect to (the client's redirect URI after a login, its
    /// post-logout URI after a sign-out): browsers apply `form-action` to those redirects too,
    /// so their origins are allowed beside `'self'`.
    package static func securityHeaders(formRedirects: [String] = []) -> HTTPFields {
        let targets = (["'self'"] + formRedirects.compactMap(origin)).joined(separator: " ")
        return [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-store",
            HTTPField.Name("Pragma")!: "no-cache",
            HTTPField.Name("X-Frame-Options")!: "DENY",
            .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action \(targets)",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ]
    }

    /// The CSP source expression of an http(s) URI's origin (`scheme://host[:port]`), or of a
    /// native app's private-use scheme (`com.example.app:`, RFC 8252 §7.1); nil for anything else.
    static func origin(_ uri: String) -> String? {
        if let scheme = URLComponents(string: uri)?.scheme?.lowercased(), scheme.contains("."),
            scheme.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)) })
        {
            return scheme + ":"
        }
        guard let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = components.percentEncodedHost, !host.isEmpty,
            host.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-.[]:".unicodeScalars.contains($0)) })
        else { return nil }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }

    /// A page response; `body` is already-escaped HTML for inside `<main>`.
    package static func response(
        status: HTTPResponse.Status, title: String, body: String, headers extra: HTTPFields = [:], formRedirects: [String] = []
    ) -> Response {
        var headers = securityHeaders(formRedirects: formRedirects)
        headers.append(contentsOf: extra)
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · TokenLedger</title>
            <style>body{font-family:system-ui,sans-serif;background:#f5f5f4;margin:0}main{max-width:22rem;margin:4rem auto;\
            background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 3px #0002}label{display:block;margin:1rem 0}\
            input{display:block;width:100%;box-sizing:border-box;padding:.5rem;margin-top:.25rem}button{width:100%;padding:.6rem}\
            .error{color:#b91c1c}</style></head>
            <body><main>
            \(body)
            </main></body></html>
            """
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// An error page: a title and one sentence, both escaped. Used when the request cannot be
    /// sent back to the client (unknown client, unregistered redirect_uri) and for login errors.
    package static func error(status: HTTPResponse.Status, _ message: String, code: String? = nil, headers: HTTPFields = [:]) -> Response {
        let codeLine = code.map { "<p><code>\(escape($0))</code></p>" } ?? ""
        return response(
            status: status, title: "Request refused",
            body: "<h1>Request refused</h1><p class=\"error\">\(escape(message))</p>\(codeLine)", headers: headers
        )
    }
}
