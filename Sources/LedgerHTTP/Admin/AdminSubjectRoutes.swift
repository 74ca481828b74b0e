import Hummingbird
import LedgerDomain
import LedgerPostgres

/// `GET /admin/subjects/{sub}/history?before=SEQ&limit=N`: a subject's grants, token issuances,
/// rotations, reuse detections, revocations and sessions, newest first, paginated by `seq`
/// (`next_before` is the `before` of the next page).
package enum AdminSubjectRoutes {
    /// Adds the route to the (authenticated) admin group.
    package static func add(to group: RouterGroup<BasicRequestContext>, _ services: LedgerServices) {
        let history = SubjectHistory(client: services.database, logger: services.logger)
        group.get("subjects/{sub}/history") { request, context -> Response in
            let subject = context.parameters.get("sub") ?? ""
            let query = request.uri.queryParameters
            let before = query["before"].flatMap { Int64(String($0)) }
            let limit = min(max(query["limit"].flatMap { Int(String($0)) } ?? 100, 1), 500)
            do throws(LedgerStoreError) {
                let entries = try await history.page(Subject(subject), before: before, limit: limit)
                return AdminJSON.response(HistoryPage(subject: subject, events: entries, nextBefore: entries.count == limit ? entries.last?.seq : nil))
            } catch {
                return AdminJSON.unavailable(error).response()
            }
        }
    }

    struct HistoryPage: Encodable {
        var subject: String
        var events: [SubjectHistory.Entry]
        var nextBefore: Int64?

        enum CodingKeys: String, CodingKey { case subject = "sub", events, nextBefore = "next_before" }
    }
}
