import Foundation
import LedgerDomain
import Logging
import PostgresNIO

/// Registered clients (`client/<id>` streams) and their folded state.
public struct ClientStore: Sendable {
    /// What running a client command produced.
    public typealias Outcome = AggregateStore<Client>.Outcome

    private let store: AggregateStore<Client>

    /// Creates a store over a running client and writer.
    public init(client: PostgresClient, writer: EventWriter, logger: Logger) {
        store = AggregateStore(client: client, writer: writer, logger: logger)
    }

    /// A client by id, active or not.
    public func load(_ id: ClientID) async throws(LedgerStoreError) -> Client? {
        try await store.load(.client(id))?.state
    }

    /// Every registered client, by id.
    public func all() async throws(LedgerStoreError) -> [Client] {
        let states = try await store.client.rows(
            "SELECT state::text FROM aggregates WHERE kind = 'client' ORDER BY stream_id", logger: store.logger
        ) { try $0.decode(String.self) }
        do {
            return try states.map { try JSONDecoder().decode(Client.self, from: Data($0.utf8)) }
        } catch {
            throw LedgerStoreError(.encoding, "client state: \(error)")
        }
    }

    /// Runs a client command.
    public func execute(_ command: ClientCommand, on id: ClientID, context: DecisionContext, metadata: EventMetadata) async throws(LedgerStoreError) -> Outcome {
        try await store.execute(command, on: .client(id), context: context, metadata: metadata)
    }
}
