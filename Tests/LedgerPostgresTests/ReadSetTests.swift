import Foundation
import LedgerDomain
@testable import LedgerPostgres
import LedgerTesting
import Testing

@Suite("An append's read set: streams its decision read must not have moved")
struct ReadSetTests {
    /// One session-started event on a new stream, whose decision read `readSet`.
    static func append(_ stream: String, readSet: [StreamID: Int64]) throws -> PendingAppend {
        let sid = SessionID(stream)
        let event = SessionEvent.started(SessionStarted(sessionID: sid, subject: Subject("alice"), authTime: testNow))
        return PendingAppend(
            stream: .session(sid), expectedVersion: 0, events: [try NewEvent(event, metadata: EventMetadata(actor: "test"))],
            readSet: readSet
        )
    }

    @Test("unchanged read streams commit; a moved one is refused with staleRead and nothing is written")
    func staleReadRefused() async throws {
        try await TestDatabase.withLedger { ledger in
            let writer = ledger.primary.writer
            let read = StreamID.session(SessionID("read"))
            _ = try await writer.append(try Self.append("read", readSet: [:]))
            // The read stream is at version 1 (and an absent stream counts as version 0).
            let fine = try await writer.append(try Self.append("a", readSet: [read: 1, .session(SessionID("nobody")): 0]))
            #expect(fine.firstSeq == 2 && fine.lastSeq == 2)

            await #expect(throws: LedgerStoreError(.staleRead, "a stream read by the append to session/b has moved")) {
                try await writer.append(try Self.append("b", readSet: [read: 0]))
            }
            await #expect(throws: LedgerStoreError(.staleRead, "a stream read by the append to session/c has moved")) {
                try await writer.append(try Self.append("c", readSet: [.session(SessionID("nobody")): 1]))
            }
            try await ledger.expectIntact(count: 2)
            // The refused appends left no gap: the next one takes seq 3.
            let next = try await writer.append(try Self.append("d", readSet: [read: 1]))
            #expect(next.firstSeq == 3)
        }
    }

    @Test("a version conflict, found by the unique index, fails only the append that expected the old version")
    func conflictByIndex() async throws {
        try await TestDatabase.withLedger { ledger in
            let writer = ledger.primary.writer
            _ = try await writer.append(try Self.append("taken", readSet: [:]))
            let results = await withTaskGroup(of: Result<AppendReceipt, LedgerStoreError>.self) { group in
                for name in ["taken", "free-1", "free-2", "free-3"] {
                    group.addTask {
                        do { return .success(try await writer.append(try Self.append(name, readSet: [:]))) } catch {
                            return .failure(error as! LedgerStoreError)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let failures = results.compactMap { if case .failure(let error) = $0 { error.code } else { nil } }
            #expect(failures == [.versionConflict])
            #expect(results.count { if case .success = $0 { true } else { false } } == 3)
            try await ledger.expectIntact(count: 4)
        }
    }
}
