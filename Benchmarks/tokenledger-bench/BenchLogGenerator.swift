import Crypto
import Foundation
import LedgerDomain
import LedgerPostgres
import Logging
import PostgresNIO

/// Grows a benchmark database's log to a given length with realistic grant lifecycles
/// (start, code issued and redeemed, access/refresh/ID tokens, two rotations, every tenth
/// grant revoked), chained exactly as the writer chains them, inserted in large batches.
///
/// It writes straight into `events` and `ledger_head` (no projections): the export and verify
/// benchmarks read only the log, and a 5-million-event log through the service would take
/// minutes per run.
struct BenchLogGenerator {
    let client: PostgresClient
    let logger: Logger
    /// Rows per INSERT.
    var batchSize = 10_000

    /// Appends events until the head reaches `target`; returns how many it appended.
    func extend(to target: Int64) async throws -> Int64 {
        var head = try await LogHead.read(client, logger: logger)
        let start = head.seq
        var pending: [ChainRecord] = []
        var hashes: [(prev: Data, hash: Data)] = []
        var grant = Int(head.seq / 10)
        while head.seq < target {
            for (version, event) in lifecycle(grant).enumerated() where head.seq < target {
                let new = try NewEvent(event, metadata: metadata(grant))
                let record = ChainRecord(
                    seq: head.seq + 1, streamID: event.streamID.description, streamVersion: Int64(version + 1),
                    type: new.type, data: new.data, metadata: new.metadata,
                    occurredAtMilliseconds: Self.epoch + head.seq * 3
                )
                let hash = record.hash(after: head.hash)
                pending.append(record)
                hashes.append((head.hash, hash))
                head = ChainHead(seq: record.seq, hash: hash)
            }
            grant += 1
            if pending.count >= batchSize || head.seq >= target {
                try await insert(pending, hashes, head: head, previousHead: head.seq - Int64(pending.count))
                pending.removeAll(keepingCapacity: true)
                hashes.removeAll(keepingCapacity: true)
            }
        }
        return head.seq - start
    }

    /// 2026-01-01T00:00:00Z in milliseconds.
    private static let epoch: Int64 = 1_767_225_600_000

    private func insert(_ records: [ChainRecord], _ hashes: [(prev: Data, hash: Data)], head: ChainHead, previousHead: Int64) async throws {
        let text = { (data: Data) in String(decoding: data, as: UTF8.self) }
        try await client.query(
            """
            WITH appended AS (
                INSERT INTO events (seq, stream_id, stream_version, type, data, metadata, occurred_at, prev_hash, hash)
                SELECT s, st, v, t, d::jsonb, m::jsonb, timestamptz 'epoch' + o * interval '1 millisecond',
                       decode(p, 'hex'), decode(h, 'hex')
                FROM unnest(\(records.map(\.seq)), \(records.map(\.streamID)), \(records.map(\.streamVersion)),
                            \(records.map(\.type)), \(records.map { text($0.data) }), \(records.map { text($0.metadata) }),
                            \(records.map(\.occurredAtMilliseconds)), \(hashes.map(\.prev.hex)), \(hashes.map(\.hash.hex)))
                     AS u(s, st, v, t, d, m, o, p, h)
                RETURNING 1
            )
            UPDATE ledger_head SET seq = \(head.seq), hash = \(ByteBuffer(bytes: head.hash))
            WHERE id AND seq = \(previousHead) AND (SELECT count(*) FROM appended) = \(records.count)
            """,
            logger: logger
        )
    }

    /// One grant's events, about ten.
    private func lifecycle(_ n: Int) -> [GrantEvent] {
        let id = GrantID(String(format: "bench-grant-%09d", n))
        let client = ClientID("bench-client-\(n % 50)")
        let at = Instant(milliseconds: Self.epoch + Int64(n) * 30)
        let later = at.adding(.seconds(600))
        func digest(_ label: String) -> TokenHash {
            TokenHash(hex: Data(SHA256.hash(data: Data("\(label)-\(n)".utf8))).hex)
        }
        var events: [GrantEvent] = [
            .started(GrantStarted(
                grantID: id, clientID: client, subject: Subject("user-\(n % 10_000)"), sessionID: SessionID("session-\(n)"),
                scope: Scope(["openid", "profile", "email", "offline_access"]), flow: .authorizationCode, startedAt: at,
                refreshAbsoluteExpiresAt: at.adding(.seconds(30 * 86_400))
            )),
            .codeIssued(CodeIssued(
                grantID: id, codeHash: digest("code"), issuedAt: at, expiresAt: at.adding(.seconds(60)),
                redirectURI: "https://app.example.com/callback", codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                nonce: "n-\(n)", authTime: at
            )),
            .codeRedeemed(CodeRedeemed(grantID: id, codeHash: digest("code"), redeemedAt: at)),
            .accessTokenIssued(AccessTokenIssued(grantID: id, jti: TokenID("jti-\(n)-0"), scope: Scope(["openid", "profile"]), issuedAt: at, expiresAt: later)),
            .refreshTokenIssued(RefreshTokenIssued(grantID: id, tokenHash: digest("refresh-1"), generation: 1, issuedAt: at)),
            .idTokenIssued(IDTokenIssued(grantID: id, jti: TokenID("id-\(n)"), issuedAt: at, expiresAt: later)),
        ]
        for generation in 1...2 {
            events.append(.refreshTokenRotated(RefreshTokenRotated(
                grantID: id, fromGeneration: generation, toGeneration: generation + 1, tokenHash: digest("refresh-\(generation + 1)"),
                rotatedAt: at, graceAnswerKept: nil
            )))
            events.append(.accessTokenIssued(AccessTokenIssued(
                grantID: id, jti: TokenID("jti-\(n)-\(generation)"), scope: Scope(["openid", "profile"]), issuedAt: at, expiresAt: later
            )))
        }
        if n % 10 == 0 { events.append(.revoked(GrantRevoked(grantID: id, reason: .admin, at: at, until: later))) }
        return events
    }

    private func metadata(_ n: Int) -> EventMetadata {
        EventMetadata(
            actor: "user:user-\(n % 10_000)", clientID: "bench-client-\(n % 50)", requestID: "req-\(n)",
            ipHash: Base64URL.encode(Data(SHA256.hash(data: Data("ip-\(n % 997)".utf8)))),
            userAgentHash: Base64URL.encode(Data(SHA256.hash(data: Data("ua-\(n % 13)".utf8))))
        )
    }
}
