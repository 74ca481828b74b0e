import LedgerDomain
import Logging
import PostgresNIO
import ServiceLifecycle

/// Keeps the live projections bounded by live state (docs/storage.md): every `interval` it
/// removes, in batches of `batch` rows, each projection row whose retention has passed (a grant
/// no token of which can be used, its refresh-token index rows, expired codes, deny-list entries
/// past `until` plus the validators' skew, ended sessions and expired login flows), and the
/// expired rows beside the log (grace answers, delegated claims). The log keeps every event:
/// history and exports are unchanged. One replica sweeps at a time (an advisory lock per
/// batch); the rows removed are exactly those a rebuild at that time does not write
/// (``ProjectionRebuilder/rebuild(at:)``).
package struct ProjectionSweeper: Service {
    /// How often and how much.
    package struct Configuration: Sendable {
        /// Time between sweeps: a row leaves at most this long after it stopped mattering.
        package var interval: Duration = .seconds(60)
        /// Rows removed per statement.
        package var batch = 1000

        package init(interval: Duration = .seconds(60), batch: Int = 1000) {
            self.interval = interval
            self.batch = batch
        }
    }

    /// What one sweep removed.
    package struct Swept: Sendable, Hashable {
        package var grants = 0
        package var refreshTokens = 0
        package var codes = 0
        package var denyEntries = 0
        package var aggregates = 0
        package var beside = 0

        /// Rows removed in all.
        package var total: Int { grants + refreshTokens + codes + denyEntries + aggregates + beside }
    }

    private let client: PostgresClient
    private let configuration: Configuration
    private let now: @Sendable () -> Instant
    private let logger: Logger

    /// A sweeper over `client`, on the clock `now`.
    package init(
        client: PostgresClient, configuration: Configuration = .init(), now: @escaping @Sendable () -> Instant = Instant.current,
        logger: Logger
    ) {
        self.client = client
        self.configuration = configuration
        self.now = now
        self.logger = logger
    }

    /// Sweeps every `interval` until shutdown; a failed sweep is logged and tried again. The
    /// wait ends at once on graceful shutdown, so it never holds a process up.
    package func run() async throws {
        let interval = configuration.interval
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            do {
                let swept = try await sweep(at: now())
                if swept.total > 0 {
                    logger.info("projections swept", metadata: [
                        "grants": "\(swept.grants)", "refresh_tokens": "\(swept.refreshTokens)", "codes": "\(swept.codes)",
                        "denylist": "\(swept.denyEntries)", "aggregates": "\(swept.aggregates)", "beside": "\(swept.beside)",
                    ])
                }
            } catch {
                logger.warning("projection sweep failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Removes every row whose retention ended at or before `now`, batch by batch.
    package func sweep(at now: Instant) async throws(LedgerStoreError) -> Swept {
        var swept = Swept()
        let (ms, n) = (now.milliseconds, Int64(configuration.batch))
        let skew = Retention.validatorSkew.milliseconds
        while true {
            let (grants, tokens) = try await pair(
                """
                WITH gone AS (
                    DELETE FROM grants WHERE grant_id IN (SELECT grant_id FROM grants WHERE retain_until_ms <= \(ms) LIMIT \(n))
                    RETURNING grant_id
                ), tokens AS (
                    DELETE FROM refresh_tokens r USING gone WHERE r.grant_id = gone.grant_id RETURNING 1
                )
                SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM tokens)
                """
            )
            swept.grants += grants
            swept.refreshTokens += tokens
            if grants < configuration.batch { break }
        }
        swept.codes += try await batches(
            "DELETE FROM authorization_codes WHERE code_hash IN (SELECT code_hash FROM authorization_codes WHERE expires_ms <= \(ms) LIMIT \(n))"
        )
        swept.denyEntries += try await batches(
            "DELETE FROM denylist WHERE ctid IN (SELECT ctid FROM denylist WHERE until_ms <= \(ms - skew) LIMIT \(n))"
        )
        swept.aggregates += try await batches(
            "DELETE FROM aggregates WHERE stream_id IN (SELECT stream_id FROM aggregates WHERE retain_until_ms <= \(ms) LIMIT \(n))"
        )
        swept.beside += try await batches(
            "DELETE FROM refresh_grace WHERE ctid IN (SELECT ctid FROM refresh_grace WHERE expires_ms <= \(ms) LIMIT \(n))"
        )
        swept.beside += try await batches(
            "DELETE FROM delegated_claims WHERE flow_id IN (SELECT flow_id FROM delegated_claims WHERE expires_ms <= \(ms) LIMIT \(n))"
        )
        return swept
    }

    /// Runs a batched `DELETE` until a batch removes fewer rows than the batch size.
    private func batches(_ statement: PostgresQuery) async throws(LedgerStoreError) -> Int {
        var total = 0
        while true {
            let (removed, _) = try await pair(
                PostgresQuery(unsafeSQL: "WITH gone AS (\(statement.sql) RETURNING 1) SELECT count(*), 0::bigint FROM gone", binds: statement.binds)
            )
            total += removed
            if removed < configuration.batch { return total }
        }
    }

    /// Runs one statement answering two counts in a transaction holding the sweep lock; (0, 0)
    /// when another replica holds it.
    private func pair(_ statement: PostgresQuery) async throws(LedgerStoreError) -> (Int, Int) {
        let logger = self.logger
        do {
            return try await client.withTransaction(logger: logger) { connection in
                let locked = try await connection.query("SELECT pg_try_advisory_xact_lock(hashtext('tokenledger.sweeper'))", logger: logger)
                    .collect().first?.decode(Bool.self)
                guard locked == true else { return (0, 0) }
                guard let row = try await connection.query(statement, logger: logger).collect().first else { return (0, 0) }
                let (a, b) = try row.decode((Int64, Int64).self)
                return (Int(a), Int(b))
            }
        } catch {
            throw LedgerStoreError(.unavailable, "sweep failed: \(PostgresErrorSummary(error))")
        }
    }
}
