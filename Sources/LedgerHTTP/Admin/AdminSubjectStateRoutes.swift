import Hummingbird
import LedgerDomain
import LedgerPostgres

/// What a subject holds right now (docs/http-api.md): `GET /admin/subjects/{sub}/sessions` lists its
/// active OP sessions, `GET /admin/subjects/{sub}/grants` its unrevoked grants, oldest first.
/// Revoke one with `POST /admin/revocations {"session": sid}` or `{"grant": grant_id}`.
package enum AdminSubjectStateRoutes {
    /// Adds the routes to the (authenticated) admin group.
    package static func add(to group: RouterGroup<BasicRequestContext>, _ services: LedgerServices) {
        let lookup = services.stores.lookup
        group.get("subjects/{sub}/sessions") { _, context -> Response in
            let subject = Subject(context.parameters.get("sub") ?? "")
            do throws(LedgerStoreError) {
                let sessions = try await services.sessions.active(ofSubject: subject).map(SessionEntry.init)
                return AdminJSON.response(SessionList(subject: subject.rawValue, sessions: sessions))
            } catch {
                return AdminJSON.unavailable(error).response()
            }
        }
        group.get("subjects/{sub}/grants") { _, context -> Response in
            let subject = Subject(context.parameters.get("sub") ?? "")
            do throws(LedgerStoreError) {
                let grants = try await lookup.unrevokedGrantStates(ofSubject: subject, at: services.now()).map(GrantEntry.init)
                return AdminJSON.response(GrantList(subject: subject.rawValue, grants: grants))
            } catch {
                return AdminJSON.unavailable(error).response()
            }
        }
    }

    /// One active session; times are unix seconds.
    struct SessionEntry: Encodable {
        var sid: String
        var authTime: Int64?

        init(_ session: Session) {
            sid = session.sessionID.rawValue
            authTime = session.authTime?.seconds
        }

        enum CodingKeys: String, CodingKey { case sid, authTime = "auth_time" }
    }

    /// One unrevoked grant; times are unix seconds.
    struct GrantEntry: Encodable {
        var grantID: String
        var clientID: String
        var sid: String?
        var scope: String
        var status: String
        var startedAt: Int64
        var refreshGeneration: Int?

        init(_ grant: Grant) {
            grantID = grant.id.rawValue
            clientID = grant.clientID.rawValue
            sid = grant.sessionID?.rawValue
            scope = grant.scope.description
            status = grant.status.rawValue
            startedAt = grant.startedAt.seconds
            refreshGeneration = grant.refresh?.generation
        }

        enum CodingKeys: String, CodingKey {
            case grantID = "grant_id", clientID = "client_id", sid, scope, status, startedAt = "started_at"
            case refreshGeneration = "refresh_generation"
        }
    }

    struct SessionList: Encodable {
        var subject: String
        var sessions: [SessionEntry]
        enum CodingKeys: String, CodingKey { case subject = "sub", sessions }
    }

    struct GrantList: Encodable {
        var subject: String
        var grants: [GrantEntry]
        enum CodingKeys: String, CodingKey { case subject = "sub", grants }
    }
}
