import LedgerDomain

extension GrantSimulation {
    /// I3 on one decision, checked against the state it was decided on (before its events).
    mutating func checkRotationRules(_ decision: Grant.GrantDecision, presented command: GrantCommand) throws {
        let events = decision.events
        let rotations = events.compactMap { if case .refreshTokenRotated(let e) = $0 { e } else { nil } }
        try ensure(rotations.count <= 1, "\(rotations.count) rotations in one decision")
        for rotation in rotations {
            try ensure(decision.refusal == nil, "rotation with a refusal")
            try ensure(rotation.toGeneration == rotation.fromGeneration + 1, "rotation \(rotation.fromGeneration) → \(rotation.toGeneration)")
            try ensure(rotatedFrom.insert(rotation.fromGeneration).inserted, "generation \(rotation.fromGeneration) rotated twice")
            try ensure(state?.status == .active, "a grant that is \(String(describing: state?.status)) rotated")
            try ensure(!reuseSeen, "rotation after reuse was detected")
            if case .refresh(let c) = command {
                try ensure(
                    c.presentedGeneration == rotation.fromGeneration && c.presentedHash == state?.refresh?.currentHash,
                    "rotated generation \(c.presentedGeneration), which is not the current token"
                )
            }
        }
        for (position, event) in events.enumerated() {
            switch event {
            case .reuseDetected(let e):
                reuseSeen = true
                try ensure(e.currentGeneration == state?.refresh?.generation, "reuse names current \(e.currentGeneration)")
                try ensure(e.presentedGeneration < e.currentGeneration, "reuse of generation \(e.presentedGeneration) ≥ current")
                if case .refresh(let c) = command {
                    try ensure(e.presentedGeneration == c.presentedGeneration, "reuse names the wrong generation")
                }
                try ensure(decision.refusal?.code == .reuseDetected, "reuse without a refusal")
                let next = position + 1 < events.count ? events[position + 1] : nil
                guard case .revoked(let revocation)? = next else {
                    return try ensure(false, "reuse not followed by the grant's revocation")
                }
                try ensure(revocation.reason == .reuseDetected, "reuse revoked with reason \(revocation.reason)")
            case .refreshTokenGraceReplayed(let e):
                try ensure(decision.refusal == nil && events.count == 1, "grace replay with other effects")
                let family = try unwrapFamily()
                try ensure(e.successorGeneration == family.generation, "grace replay names successor \(e.successorGeneration)")
                try ensure(e.presentedGeneration == family.generation - 1, "grace replay of generation \(e.presentedGeneration)")
                let last = try unwrapRotation(family)
                try ensure(last.graceAnswerKept == true, "grace replay of a rotation whose answer was not kept")
                try ensure(now < last.at.adding(lifetimes.refreshGrace), "grace replay outside the window")
            case .revoked(let e):
                try ensure(e.until >= now && e.until >= (state?.tokensExpireBy ?? now), "revocation ends before its tokens")
            default:
                break
            }
        }
    }

    /// I3 and I4 on the whole store, after every step.
    func checkInvariants() throws {
        // I4: the projection is a fold of the log.
        try ensure(Grant.fold(log) == state, "fold of the log differs from the incrementally evolved state")

        // The token index agrees with the state: the newest hash is the current one.
        try ensure(held.keys.sorted() == Array(1...max(1, held.count)), "held generations are not 1…n: \(held.keys.sorted())")
        if let family = state?.refresh {
            try ensure(index[family.currentHash] == family.generation, "index and state disagree on the current hash")
            try ensure(index.values.max() == family.generation, "index holds a generation past the current one")
        }
        if reuseSeen { try ensure(state?.status == .revoked, "reuse detected but the grant is not revoked") }

        // I3: at most one live generation, and it is the state's current one.
        let live = held.keys.sorted().filter { wouldRotate($0, by: owner) }
        try ensure(live.count <= 1, "several live generations: \(live)")
        if let generation = live.first {
            try ensure(generation == state?.refresh?.generation, "live generation \(generation) is not the current one")
            try ensure(state?.status == .active, "a \(String(describing: state?.status)) grant has a live token")
        }
        let stolen = held.keys.filter { wouldRotate($0, by: Fixture.otherClient) }
        try ensure(stolen.isEmpty, "another client could rotate generations \(stolen)")
    }

    /// Whether presenting generation `generation` now would rotate it.
    private func wouldRotate(_ generation: Int, by clientID: ClientID) -> Bool {
        guard let hash = held[generation], let indexed = index[hash] else { return false }
        let probe = GrantCommand.refresh(.init(
            presentedHash: hash, presentedGeneration: indexed, clientID: clientID, requestedScope: nil,
            successorHash: Fixture.hash("probe"), accessToken: TokenID("probe"), keepsGraceAnswer: true
        ))
        return Grant.decide(probe, state, context).events.contains {
            if case .refreshTokenRotated = $0 { true } else { false }
        }
    }

    private func unwrapFamily() throws -> Grant.RefreshFamily {
        try ensure(state?.refresh != nil, "no refresh family")
        return state!.refresh!
    }

    private func unwrapRotation(_ family: Grant.RefreshFamily) throws -> Grant.Rotation {
        try ensure(family.lastRotation != nil, "no rotation to replay")
        return family.lastRotation!
    }
}
