import Foundation
import LedgerDomain
import Logging
import PostgresNIO

/// Registered clients (`client/<id>` streams) and their folded state.
package struct ClientStore: Sendable {
    /// What running a client command produced.
    package typealias Outcome = AggregateStore<Client>.Outcome

    private let store: AggregateStore<Client>
    private let cache: ClientCache

    /// Creates a store over a running client and writer. Registrations read through
    /// ``recent(_:)`` are reused for up to `cacheMaxAge`.
    package init(client: PostgresClient, writer: EventWriter, logger: Logger, cacheMaxAge: Duration = .seconds(1)) {
        store = AggregateStore(client: client, writer: writer, logger: logger)
        cache = ClientCache(maxAge: cacheMaxAge)
    }

    /// A client by id, active or not.
    package func load(_ id: ClientID) async throws(LedgerStoreError) -> Client? {
        try await store.load(.client(id))?.state
    }

    /// A client by id with the stream version it was read at, from a read at most
    /// `cacheMaxAge` old. Whoever authorizes a write with it names `(.client(id), version)` in
    /// the append's read set, so a registration changed since fails that write (`staleRead`);
    /// then ``forget(_:)`` it.
    package func recent(_ id: ClientID) async throws(LedgerStoreError) -> (client: Client, version: Int64)? {
        if let hit = cache.fresh(id) { return hit }
        let readAt = ContinuousClock.now
        guard let (client, version) = try await store.load(.client(id)) else { return nil }
        cache.put(client, version: version, readAt: readAt)
        return (client, version)
    }

    /// Drops a cached registration known to be stale.
    package func forget(_ id: ClientID) {
        cache.forget(id)
    }

    /// Every registered client, by id.
    package func all() async throws(LedgerStoreError) -> [Client] {
        let states = try await store.client.rows(
            "SELECT state::text FROM aggregates WHERE kind = 'client' ORDER BY stream_id", logger: store.logger
        ) { try $0.decode(String.self) }
        return try states.map { (json) throws(LedgerStoreError) in try Client.decodeState(json) }
    }

    /// Runs a client command.
    package func execute(_ command: ClientCommand, on id: ClientID, context: DecisionContext, metadata: EventMetadata) async throws(LedgerStoreError) -> Outcome {
        defer { cache.forget(id) }
        return try await store.execute(command, on: .client(id), context: context, metadata: metadata)
    }
}
