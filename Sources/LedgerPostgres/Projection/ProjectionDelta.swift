import Foundation
import LedgerDomain

/// Projection changes as data: the rows a batch of events adds or replaces. The writer ships
/// them to `ledger_append` in the same statement as the events; `rebuild` computes the same
/// rows from the whole log.
package struct ProjectionDelta: Sendable, Hashable, Encodable {
    /// A row of `grants`: the folded state plus the columns it is queried by.
    package struct GrantRow: Sendable, Hashable, Encodable {
        package var grantID: String
        package var clientID: String
        package var subject: String
        package var sessionID: String?
        package var status: String
        package var flow: String
        package var version: Int64
        package var state: Grant
        /// When the row stops mattering (``Grant/retainedUntil``): the sweeper removes it then.
        package var retainUntilMilliseconds: Int64

        enum CodingKeys: String, CodingKey {
            case grantID = "grant_id", clientID = "client_id", subject, sessionID = "session_id", status, flow
            case version, state, retainUntilMilliseconds = "retain_until_ms"
        }
    }

    /// A row of `refresh_tokens`.
    package struct RefreshTokenRow: Sendable, Hashable, Encodable {
        package var tokenHash: String
        package var grantID: String
        package var generation: Int

        enum CodingKeys: String, CodingKey { case tokenHash = "token_hash", grantID = "grant_id", generation }
    }

    /// A row of `authorization_codes`.
    package struct CodeRow: Sendable, Hashable, Encodable {
        package var codeHash: String
        package var grantID: String
        package var expiresMilliseconds: Int64

        enum CodingKeys: String, CodingKey { case codeHash = "code_hash", grantID = "grant_id", expiresMilliseconds = "expires_ms" }
    }

    /// A row of `denylist`.
    package struct DenyRow: Sendable, Hashable, Encodable {
        package var scope: String
        package var key: String
        package var notBeforeMilliseconds: Int64?
        package var untilMilliseconds: Int64
        package var reason: String

        enum CodingKeys: String, CodingKey {
            case scope, key, notBeforeMilliseconds = "not_before_ms", untilMilliseconds = "until_ms", reason
        }
    }

    /// A row of `aggregates`: the folded state of a client, signing key or session.
    package struct AggregateRow: Sendable, Hashable, Encodable {
        package var streamID: String
        package var kind: String
        package var version: Int64
        /// The state as JSON (encoded by the aggregate's `Codable`).
        package var state: JSONFragment
        /// When the row stops mattering; nil: as long as the aggregate exists.
        package var retainUntilMilliseconds: Int64?

        enum CodingKeys: String, CodingKey { case streamID = "stream_id", kind, version, state, retainUntilMilliseconds = "retain_until_ms" }
    }

    /// A row of `signing_key_secrets` (written once, never rebuilt).
    package struct KeySecretRow: Sendable, Hashable, Encodable {
        package var kid: String
        /// Base64 of the AES-GCM sealed private key.
        package var sealed: String
    }

    /// A row of `refresh_grace`: a rotation's sealed answer, kept outside the log for the
    /// client's grace window (never rebuilt).
    package struct RefreshGraceRow: Sendable, Hashable, Encodable {
        package var grantID: String
        package var fromGeneration: Int
        /// Base64 of the sealed token response.
        package var sealed: String
        package var expiresMilliseconds: Int64

        /// A row for the rotation of `grant` from `fromGeneration`, kept until `expiresAt`.
        package init(grant: GrantID, fromGeneration: Int, sealed: Data, expiresAt: Instant) {
            grantID = grant.rawValue
            self.fromGeneration = fromGeneration
            self.sealed = sealed.base64EncodedString()
            expiresMilliseconds = expiresAt.milliseconds
        }

        enum CodingKeys: String, CodingKey {
            case grantID = "grant_id", fromGeneration = "from_generation", sealed, expiresMilliseconds = "expires_ms"
        }
    }

    /// Grant rows by grant id (the last write of a batch wins).
    package private(set) var grants: [String: GrantRow] = [:]
    package private(set) var refreshTokens: [RefreshTokenRow] = []
    package private(set) var authorizationCodes: [CodeRow] = []
    /// Deny-list rows by `scope/key` (the last write wins, as the upsert does).
    package private(set) var denylist: [String: DenyRow] = [:]
    /// Aggregate rows by stream id (the last write wins).
    package private(set) var aggregates: [String: AggregateRow] = [:]
    package private(set) var keySecrets: [KeySecretRow] = []
    package private(set) var refreshGrace: [RefreshGraceRow] = []

    /// An empty delta.
    package init() {}

    /// Whether nothing changes.
    package var isEmpty: Bool {
        grants.isEmpty && refreshTokens.isEmpty && authorizationCodes.isEmpty && denylist.isEmpty && aggregates.isEmpty
            && keySecrets.isEmpty && refreshGrace.isEmpty
    }

    /// Sets the row of one grant.
    package mutating func put(_ row: GrantRow) { grants[row.grantID] = row }
    /// Adds a refresh-token index row.
    package mutating func add(_ row: RefreshTokenRow) { refreshTokens.append(row) }
    /// Adds an authorization-code index row.
    package mutating func add(_ row: CodeRow) { authorizationCodes.append(row) }
    /// Sets a deny-list entry.
    package mutating func put(_ row: DenyRow) { denylist[row.scope + "/" + row.key] = row }

    /// Sets the row of one aggregate.
    package mutating func put(_ row: AggregateRow) { aggregates[row.streamID] = row }
    /// Adds a sealed private key.
    package mutating func add(_ row: KeySecretRow) { keySecrets.append(row) }
    /// Adds a rotation's sealed grace-window answer.
    package mutating func add(_ row: RefreshGraceRow) { refreshGrace.append(row) }

    /// Adds everything of `other`, its rows replacing this delta's where keys collide.
    package mutating func merge(_ other: ProjectionDelta) {
        grants.merge(other.grants) { _, new in new }
        refreshTokens += other.refreshTokens
        authorizationCodes += other.authorizationCodes
        denylist.merge(other.denylist) { _, new in new }
        aggregates.merge(other.aggregates) { _, new in new }
        keySecrets += other.keySecrets
        refreshGrace += other.refreshGrace
    }

    enum CodingKeys: String, CodingKey {
        case grants, refreshTokens = "refresh_tokens", authorizationCodes = "authorization_codes", denylist
        case aggregates, keySecrets = "key_secrets", refreshGrace = "refresh_grace"
    }

    /// Only the tables with rows are named: `apply_projection` skips the others.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeUnlessEmpty(grants.keys.sorted().compactMap { grants[$0] }, forKey: .grants)
        try c.encodeUnlessEmpty(refreshTokens, forKey: .refreshTokens)
        try c.encodeUnlessEmpty(authorizationCodes, forKey: .authorizationCodes)
        try c.encodeUnlessEmpty(denylist.keys.sorted().compactMap { denylist[$0] }, forKey: .denylist)
        try c.encodeUnlessEmpty(aggregates.keys.sorted().compactMap { aggregates[$0] }, forKey: .aggregates)
        try c.encodeUnlessEmpty(keySecrets, forKey: .keySecrets)
        try c.encodeUnlessEmpty(refreshGrace, forKey: .refreshGrace)
    }
}

extension KeyedEncodingContainer {
    /// Encodes `rows` under `key` unless there are none.
    fileprivate mutating func encodeUnlessEmpty<Row: Encodable>(_ rows: [Row], forKey key: Key) throws {
        if !rows.isEmpty { try encode(rows, forKey: key) }
    }
}

extension ProjectionDelta {
    /// The rows still retained at `now` (docs/storage.md): what the sweeper leaves at that time.
    /// A grant's refresh-token rows go with the grant.
    package func retained(at now: Instant) -> ProjectionDelta {
        let ms = now.milliseconds
        var kept = self
        let gone = Set(grants.values.filter { $0.retainUntilMilliseconds <= ms }.map(\.grantID))
        kept.grants = grants.filter { !gone.contains($0.key) }
        kept.refreshTokens = refreshTokens.filter { !gone.contains($0.grantID) }
        kept.authorizationCodes = authorizationCodes.filter { $0.expiresMilliseconds > ms }
        kept.denylist = denylist.filter { $0.value.untilMilliseconds > ms - Retention.validatorSkew.milliseconds }
        kept.aggregates = aggregates.filter { ($0.value.retainUntilMilliseconds ?? .max) > ms }
        return kept
    }
}
