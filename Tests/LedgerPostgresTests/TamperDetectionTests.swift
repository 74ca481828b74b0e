import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerTesting
import NIOCore
import PostgresNIO
import Testing

/// Each case builds the same 20-event log in a fresh database, tampers with it as a superuser
/// with the trigger disabled, and expects the verifier to name the exact first broken seq.
///
/// Layout (sequential appends, so deterministic): seq 1–5 grant A (started, code issued, code
/// redeemed, access token, refresh token), 6–10 grant B, 11–20 five rotations of grant A.
@Suite("Tamper detection by the hash chain (I2)")
struct TamperDetectionTests {
    static let eventCount: Int64 = 20

    /// Builds the 20-event log.
    static func buildLog(_ ledger: TestDatabase.Ledger) async throws {
        let store = ledger.primary.grants
        let (grant, first) = try await GrantFixtures.activeGrant(in: store, subject: Subject("alice"), context: testContext)
        var refresh = first
        _ = try await GrantFixtures.activeGrant(in: store, subject: Subject("bob"), context: testContext)
        for generation in 1...5 {
            let command = GrantFixtures.refresh(refresh, generation: generation)
            let outcome = try await store.execute(command, on: grant, context: testContext, metadata: EventMetadata(actor: "user:alice"))
            try #require(outcome.decision.refusal == nil)
            guard case .refresh(let r) = command else { fatalError() }
            refresh = r.successorHash
        }
        let shape = try await ledger.admin.logShape()
        try #require(shape == (count: eventCount, min: 1, max: eventCount, head: eventCount))
        try #require(try await ledger.admin.texts("SELECT type FROM events WHERE seq IN (6, 7) ORDER BY seq") == ["grant.started", "grant.code.issued"])
    }

    /// Tampers, then expects `.broken` at `seq` with a problem mentioning `problem`.
    static func expectBroken(
        _ ledger: TestDatabase.Ledger, at seq: Int64, mentioning problem: String, from: Int64? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let report = try await ledger.verifier.verify(from: from)
        guard case .broken(let link) = report else {
            Issue.record("tampering went unnoticed: \(report)", sourceLocation: sourceLocation)
            return
        }
        #expect(link.seq == seq, "\(report)", sourceLocation: sourceLocation)
        #expect(link.problem.contains(problem), "\(report)", sourceLocation: sourceLocation)
    }

    @Test("an untouched log verifies intact, as a whole and as a range")
    func intact() async throws {
        try await TestDatabase.withLedger { ledger in
            try await Self.buildLog(ledger)
            try await ledger.expectIntact(count: Self.eventCount)

            let range = try await ledger.verifier.verify(from: 5, to: 10)
            let hash10 = try await ledger.admin.bytes("SELECT hash FROM events WHERE seq = 10")[0]
            #expect(range == .intact(first: 5, last: 10, count: 6, headHash: hash10))

            let tail = try await ledger.verifier.verify(from: 18)
            let head = try await ledger.admin.bytes("SELECT hash FROM ledger_head")[0]
            #expect(tail == .intact(first: 18, last: 20, count: 3, headHash: head))
        }
    }

    struct Edit: Sendable, CustomTestStringConvertible {
        var seq: Int64
        var sql: String
        init(_ seq: Int64, _ sql: String) { self.seq = seq; self.sql = sql }
        var testDescription: String { "seq \(seq): \(sql.prefix(60))" }
    }

    static let edits: [Edit] = [
        Edit(7, #"UPDATE events SET data = jsonb_set(data, '{redirect_uri}', '"https://evil.example/cb"') WHERE seq = 7 AND data ? 'redirect_uri'"#),
        Edit(6, #"UPDATE events SET data = jsonb_set(data, '{sub}', '"mallory"') WHERE seq = 6 AND data ? 'sub'"#),
        Edit(13, #"UPDATE events SET metadata = jsonb_set(metadata, '{actor}', '"user:mallory"') WHERE seq = 13"#),
        Edit(15, "UPDATE events SET occurred_at = occurred_at - interval '1 day' WHERE seq = 15"),
        Edit(11, "UPDATE events SET type = 'grant.refresh_token.issued' WHERE seq = 11"),
        Edit(12, "UPDATE events SET stream_id = 'grant/other' WHERE seq = 12"),
    ]

    @Test("an edited row (data, metadata, time, type or stream) breaks the chain exactly there", arguments: edits)
    func editedRow(_ edit: Edit) async throws {
        try await TestDatabase.withLedger { ledger in
            try await Self.buildLog(ledger)
            let before = try await ledger.admin.texts("SELECT t::text FROM events t WHERE seq = \(edit.seq)")
            try await ledger.tamper([PostgresQuery(unsafeSQL: edit.sql)])
            #expect(try await ledger.admin.texts("SELECT t::text FROM events t WHERE seq = \(edit.seq)") != before, "the edit changed nothing")
            try await Self.expectBroken(ledger, at: edit.seq, mentioning: "edited")
            // Verifying only the rows before the edit still succeeds.
            #expect(try await ledger.verifier.verify(from: 1, to: edit.seq - 1).isIntact)
        }
    }

    @Test("a deleted row is reported missing at its seq")
    func deletedRow() async throws {
        try await TestDatabase.withLedger { ledger in
            try await Self.buildLog(ledger)
            try await ledger.tamper(["DELETE FROM events WHERE seq = 9"])
            #expect(try await ledger.admin.logShape().count == 19)
            try await Self.expectBroken(ledger, at: 9, mentioning: "missing")
        }
    }

    @Test("deleting and renumbering the rows after it is still caught at the deleted seq")
    func deletedAndRenumbered() async throws {
        try await TestDatabase.withLedger { ledger in
            try await Self.buildLog(ledger)
            try await ledger.tamper([
                "DELETE FROM events WHERE seq = 9",
                "UPDATE events SET seq = seq + 1000000 WHERE seq > 9",
                "UPDATE events SET seq = seq - 1000001 WHERE seq > 1000000",
                "UPDATE ledger_head SET seq = 19, hash = (SELECT hash FROM events WHERE seq = 19)",
            ])
            #expect(try await ledger.admin.logShape() == (count: 19, min: 1, max: 19, head: 19))
            try await Self.expectBroken(ledger, at: 9, mentioning: "prev_hash")
        }
    }

    @Test("two swapped rows are caught at the first of them")
    func swappedRows() async throws {
        try await TestDatabase.withLedger { ledger in
            try await Self.buildLog(ledger)
            try await ledger.tamper([
                "UPDATE events SET seq = 1000005 WHERE seq = 5",
                "UPDATE events SET seq = 5 WHERE seq = 6",
                "UPDATE events SET seq = 6 WHERE seq = 1000005",
            ])
            #expect(try await ledger.admin.logShape() == (count: 20, min: 1, max: 20, head: 20))
            try await Self.expectBroken(ledger, at: 5, mentioning: "reordered")
        }
    }

    @Test("a removed last row is caught by the chain head at that seq")
    func truncatedTail() async throws {
        try await TestDatabase.withLedger { ledger in
            try await Self.buildLog(ledger)
            try await ledger.tamper(["DELETE FROM events WHERE seq = 20"])
            try await Self.expectBroken(ledger, at: 20, mentioning: "chain head")
            // A range that ends before the tail cannot see it.
            #expect(try await ledger.verifier.verify(from: 1, to: 19).isIntact)
        }
    }

    /// An INSERT of a forged `grant.revoked` row at `seq` whose hash correctly chains onto `previous`.
    static func forgedRow(seq: Int64, after previous: Data) throws -> PostgresQuery {
        let data = try CanonicalJSON.canonicalize(Data(#"{"grant_id":"x","reason":"admin"}"#.utf8))
        let metadata = try CanonicalJSON.canonicalize(Data(#"{"actor":"admin"}"#.utf8))
        let record = ChainRecord(
            seq: seq, streamID: "grant/x", streamVersion: 1, type: "grant.revoked", data: data, metadata: metadata,
            occurredAtMilliseconds: testNow.milliseconds
        )
        let hash = ByteBuffer(bytes: record.hash(after: previous))
        let dataText = String(decoding: data, as: UTF8.self)
        let metadataText = String(decoding: metadata, as: UTF8.self)
        return """
            INSERT INTO events (seq, stream_id, stream_version, type, data, metadata, occurred_at, prev_hash, hash)
            VALUES (\(seq), 'grant/x', 1, 'grant.revoked', \(dataText)::jsonb, \(metadataText)::jsonb,
                    timestamptz 'epoch' + \(testNow.milliseconds) * interval '1 millisecond', \(ByteBuffer(bytes: previous)), \(hash))
            """
    }

    @Test("a forged row with a correctly chained hash, appended behind the writer's back, is caught at its seq")
    func forgedTrailingRow() async throws {
        try await TestDatabase.withLedger { ledger in
            try await Self.buildLog(ledger)
            let previous = try await ledger.admin.bytes("SELECT hash FROM events WHERE seq = 20")[0]
            try await ledger.tamper([try Self.forgedRow(seq: 21, after: previous)])
            #expect(try await ledger.admin.logShape() == (count: 21, min: 1, max: 21, head: 20))
            // Every link holds, but the head does not know the row.
            #expect(try await ledger.verifier.verify(from: 1, to: 21).isIntact)
            try await Self.expectBroken(ledger, at: 21, mentioning: "chain head says seq 20")
        }
    }

    @Test("a last row replaced by a correctly rehashed forgery is caught by the head hash at that seq")
    func replacedLastRow() async throws {
        try await TestDatabase.withLedger { ledger in
            try await Self.buildLog(ledger)
            let previous = try await ledger.admin.bytes("SELECT hash FROM events WHERE seq = 19")[0]
            try await ledger.tamper(["DELETE FROM events WHERE seq = 20", try Self.forgedRow(seq: 20, after: previous)])
            #expect(try await ledger.admin.texts("SELECT type FROM events WHERE seq = 20") == ["grant.revoked"])
            #expect(try await ledger.verifier.verify(from: 1, to: 20).isIntact)
            try await Self.expectBroken(ledger, at: 20, mentioning: "head hash")
        }
    }
}

extension ChainVerifier.Report {
    var isIntact: Bool {
        if case .intact = self { return true }
        return false
    }
}
