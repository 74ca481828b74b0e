import Logging
import PostgresNIO

/// The relay's position per channel (`relay_checkpoints`, Schema 0005): every revocation with
/// a seq up to it has been accepted by Redis. It only moves forward.
package struct RelayCheckpoints: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    /// Creates a checkpoint store over a running client.
    package init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The checkpoint of `channel`, first recording `initial` when the channel has none.
    package func position(
        channel: String, initial: @Sendable () async throws(LedgerStoreError) -> Int64
    ) async throws(LedgerStoreError) -> Int64 {
        if let seq = try await load(channel) { return seq }
        let start = try await initial()
        _ = try await client.rows(
            "INSERT INTO relay_checkpoints (channel, seq) VALUES (\(channel), \(start)) ON CONFLICT (channel) DO NOTHING",
            logger: logger
        ) { _ in () }
        return try await load(channel) ?? start
    }

    /// Moves the checkpoint of `channel` forward to `seq` (never backwards).
    package func advance(channel: String, to seq: Int64) async throws(LedgerStoreError) {
        _ = try await client.rows(
            """
            UPDATE relay_checkpoints SET seq = \(seq), updated_at = now()
            WHERE channel = \(channel) AND seq < \(seq)
            """,
            logger: logger
        ) { _ in () }
    }

    private func load(_ channel: String) async throws(LedgerStoreError) -> Int64? {
        try await client.firstRow("SELECT seq FROM relay_checkpoints WHERE channel = \(channel)", as: Int64.self, logger: logger)
    }
}
