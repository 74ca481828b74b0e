import Foundation
import LedgerDomain
import Logging
import NIOCore
import PostgresNIO

/// Signing keys: their public life as events (`key/<kid>` streams) and their private halves,
/// sealed, in `signing_key_secrets`, written in the same transaction as `key.added`.
package struct SigningKeyStore: Sendable {
    /// A key's state and, when this database holds it, its sealed private half.
    package struct StoredKey: Sendable, Hashable {
        package var key: SigningKey
        package var version: Int64
        package var sealedPrivateKey: Data?
    }

    private let store: AggregateStore<SigningKey>

    /// Creates a store over a running client and writer.
    package init(client: PostgresClient, writer: EventWriter, logger: Logger) {
        store = AggregateStore(client: client, writer: writer, logger: logger)
    }

    /// Every key ever added, oldest first.
    package func all() async throws(LedgerStoreError) -> [StoredKey] {
        let rows = try await store.client.rows(
            """
            SELECT a.version, a.state::text, s.sealed FROM aggregates a
            LEFT JOIN signing_key_secrets s ON 'key/' || s.kid = a.stream_id
            WHERE a.kind = 'key' ORDER BY a.stream_id
            """,
            logger: store.logger
        ) { try $0.decode((Int64, String, ByteBuffer?).self) }
        var keys: [StoredKey] = []
        for (version, state, sealed) in rows {
            let key = try SigningKey.decodeState(state)
            keys.append(StoredKey(key: key, version: version, sealedPrivateKey: sealed.map { Data(buffer: $0) }))
        }
        return keys.sorted { $0.key.addedAt < $1.key.addedAt }
    }

    /// Publishes a new key, storing its sealed private half in the same transaction.
    package func add(_ added: SigningKeyAdded, sealedPrivateKey: Data, context: DecisionContext, metadata: EventMetadata) async throws(LedgerStoreError) -> AggregateStore<SigningKey>.Outcome {
        var extra = ProjectionDelta()
        extra.add(ProjectionDelta.KeySecretRow(kid: added.keyID.rawValue, sealed: sealedPrivateKey.base64EncodedString()))
        return try await store.execute(.add(added), on: .key(added.keyID), context: context, metadata: metadata, extra: extra)
    }

    /// Activates or retires a key.
    package func execute(_ command: SigningKeyCommand, on kid: KeyID, context: DecisionContext, metadata: EventMetadata) async throws(LedgerStoreError) -> AggregateStore<SigningKey>.Outcome {
        try await store.execute(command, on: .key(kid), context: context, metadata: metadata)
    }
}
