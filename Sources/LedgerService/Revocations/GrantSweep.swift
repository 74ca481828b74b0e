import LedgerDomain
import LedgerPostgres

/// Revokes a set of grants through the grant aggregate, several at a time so the group-commit
/// writer can batch them. Grants already revoked append nothing.
package struct GrantSweep: Sendable {
    package let grants: GrantStore
    /// How many revocations are in flight at once.
    package var width = 16

    /// A sweep over `grants`.
    package init(grants: GrantStore, width: Int = 16) {
        self.grants = grants
        self.width = width
    }

    /// Revokes every grant in `ids`; returns those that were revoked now (not before), sorted.
    package func revoke(
        _ ids: [GrantID], reason: RevocationReason, context: DecisionContext, metadata: EventMetadata
    ) async throws(LedgerStoreError) -> [GrantID] {
        let grants = self.grants
        var revoked: [GrantID] = []
        var start = 0
        while start < ids.count {
            let chunk = ids[start..<min(start + width, ids.count)]
            start += chunk.count
            let results = await withTaskGroup(of: Result<GrantID?, LedgerStoreError>.self) { group in
                for id in chunk {
                    group.addTask {
                        do throws(LedgerStoreError) {
                            let outcome = try await grants.execute(.revoke(reason: reason), on: id, context: context, metadata: metadata)
                            return .success(outcome.receipt == nil ? nil : id)
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                var results: [Result<GrantID?, LedgerStoreError>] = []
                for await result in group { results.append(result) }
                return results
            }
            for result in results { if let id = try result.get() { revoked.append(id) } }
        }
        return revoked.sorted()
    }
}
