import ArgumentParser
import Crypto
import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerTesting
import Logging
import NIOCore
import PostgresNIO

/// `tokenledger-bench writer`: N concurrent appenders, each appending one-event commands,
/// through the group-commit writer and through a naive baseline (one transaction per event,
/// same chain rules), in one invocation on fresh databases.
struct WriterBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "writer", abstract: "Group-commit writer vs one transaction per event."
    )

    @Option(help: "Concurrent appenders.")
    var appenders = 64

    @Option(help: "Seconds per phase.")
    var seconds = 10

    @Flag(help: "A few-second run for CI: prints figures, checks only that both paths work.")
    var smoke = false

    @Flag(help: "Build (JSON-encode) each command inside the timed loop instead of before the clock starts.")
    var encodeInLoop = false

    @OptionGroup var writerOptions: WriterOptions

    func run() async throws {
        let duration = Duration.seconds(smoke ? 2 : seconds)
        let appenders = self.appenders
        let encodeInLoop = self.encodeInLoop
        print(
            "writer benchmark: \(appenders) appenders, \(duration.seconds) s per phase, synchronous_commit=on, commands built "
                + (encodeInLoop ? "inside the timed loop" : "before the clock starts")
        )

        // Enough commands for 45,000 events/s (group commit) and 1,500/s (naive) per phase.
        let seconds = Int(duration.seconds)
        let (grouped, groupedLate) = try await TestDatabase.withLedger(writerConfiguration: writerOptions.configuration, poolSize: 40) { ledger in
            let writer = ledger.primary.writer
            let commands = try await Self.commands(workers: appenders, perSecond: 45_000, seconds: seconds, inLoop: encodeInLoop)
            let result = await measure("group commit", workers: appenders, duration: duration) { worker in
                _ = try await writer.append(try commands.next(for: worker))
            }
            try await Self.check(ledger, expected: result.operations)
            return (result, commands.builtInLoop)
        }
        print(grouped.summary + Self.lateBuilds(groupedLate, inLoop: encodeInLoop))

        let (naive, naiveLate) = try await TestDatabase.withLedger(poolSize: 40) { ledger in
            let client = ledger.primary.client
            let commands = try await Self.commands(workers: appenders, perSecond: 1_500, seconds: seconds, inLoop: encodeInLoop)
            let result = await measure("naive (1 tx/event)", workers: appenders, duration: duration) { worker in
                try await Self.naiveAppend(try commands.next(for: worker), client: client)
            }
            try await Self.check(ledger, expected: result.operations)
            return (result, commands.builtInLoop)
        }
        print(naive.summary + Self.lateBuilds(naiveLate, inLoop: encodeInLoop))

        let ratio = grouped.perSecond / max(naive.perSecond, 1)
        print(String(format: "ratio: %.1fx (group commit %.0f events/s vs naive %.0f events/s)", ratio, grouped.perSecond, naive.perSecond))
        if smoke, grouped.operations == 0 || naive.operations == 0 { throw ExitCode(1) }
    }

    /// The commands of one phase: built now, or (with no supply) inside the loop.
    static func commands(workers: Int, perSecond: Int, seconds: Int, inLoop: Bool) async throws -> PrebuiltCommands {
        let perWorker = inLoop ? 0 : perSecond * seconds / workers + 1
        return try await PrebuiltCommands(workers: workers, perWorker: perWorker) { try oneEventCommand() }
    }

    /// A note on commands that had to be built inside the timed loop (none when the supply lasted).
    static func lateBuilds(_ count: Int, inLoop: Bool) -> String {
        inLoop || count == 0 ? "" : " (\(count) commands built inside the loop: the supply ran out)"
    }

    /// One client credentials token: one event on a new stream.
    static func oneEventCommand() throws -> PendingAppend {
        let now = Instant(milliseconds: 1_800_000_000_000)
        let event = GrantEvent.clientCredentialsIssued(ClientCredentialsIssued(
            grantID: GrantID(LedgerID.make(at: Instant.current())), clientID: ClientID("bench"), scope: Scope(["api:read"]),
            issuedAt: now, expiresAt: now.adding(.seconds(600))
        ))
        return PendingAppend(stream: event.streamID, expectedVersion: 0, events: [try NewEvent(event, metadata: EventMetadata(actor: "bench"))])
    }

    /// The baseline: its own transaction per event — lock the head, chain, insert, advance, commit.
    static func naiveAppend(_ append: PendingAppend, client: PostgresClient) async throws {
        let logger = Logger(label: "bench")
        try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query("SELECT seq, hash FROM ledger_head WHERE id FOR UPDATE", logger: logger)
            var head = ChainHead.genesis
            for try await (seq, hash) in rows.decode((Int64, ByteBuffer).self) { head = ChainHead(seq: seq, hash: Data(buffer: hash)) }
            let event = append.events[0]
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let record = ChainRecord(
                seq: head.seq + 1, streamID: append.stream.description, streamVersion: 1, type: event.type, data: event.data,
                metadata: event.metadata, occurredAtMilliseconds: now
            )
            let hash = record.hash(after: head.hash)
            try await connection.query(
                """
                INSERT INTO events (seq, stream_id, stream_version, type, data, metadata, occurred_at, prev_hash, hash)
                VALUES (\(record.seq), \(record.streamID), 1, \(record.type), \(String(decoding: event.data, as: UTF8.self))::jsonb,
                        \(String(decoding: event.metadata, as: UTF8.self))::jsonb,
                        timestamptz 'epoch' + \(now) * interval '1 millisecond', \(ByteBuffer(bytes: head.hash)), \(ByteBuffer(bytes: hash)))
                """,
                logger: logger
            )
            try await connection.query("UPDATE ledger_head SET seq = \(record.seq), hash = \(ByteBuffer(bytes: hash)) WHERE id", logger: logger)
        }
    }

    /// Every measured event is in the log, gap-free, and the chain verifies.
    static func check(_ ledger: TestDatabase.Ledger, expected: Int) async throws {
        let report = try await ChainVerifier(client: ledger.admin, logger: Logger(label: "bench")).verify()
        guard case .intact(_, _, let count, _) = report, count == Int64(expected) else {
            throw ValidationError("log check failed: \(report), expected \(expected) events")
        }
    }
}
