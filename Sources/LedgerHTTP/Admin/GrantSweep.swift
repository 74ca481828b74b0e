import LedgerDomain
import LedgerPostgres

/// Revokes a set of grants through the grant aggregate, several at a time so the group-commit
/// writer can batch them. Grants already revoked append nothing.
struct GrantSweep: Sendable {
    let grants: GrantStore
    /// How many revocations are in flight at once.
    var width = 16

    /// Revokes every grant in `ids`; returns those that were revoked now (not before), sorted.
    func revoke(
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
