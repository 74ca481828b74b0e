import Hummingbird
import Logging

/// One structured log line per request: method, path (never the query, which may carry a
/// code or state), status and duration. No header or body is logged (I6).
package struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, status: response.status.code, start)
            return response
        } catch let error as any HTTPResponseError {
            log(request, status: error.status.code, start)
            throw error
        } catch {
            log(request, status: 500, start)
            throw error
        }
    }

    private func log(_ request: Request, status: Int, _ start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        logger.info("request", metadata: [
            "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(status)",
            "ms": "\(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)",
        ])
    }
}
