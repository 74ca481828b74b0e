import LedgerDomain

/// A property violation, with the seed that reproduces it.
struct PropertyFailure: Error, CustomStringConvertible {
    let description: String
}

/// One seeded random workload against one code-flow grant, driven through `decide` and
/// `evolve` the way the shell drives them, with a simulated store: the appended events, the
/// incrementally evolved state, and a token index (refresh hash → generation).
struct GrantSimulation {
    let seed: UInt64
    var rng: SplitMix64
    let lifetimes: Lifetimes
    let owner = Fixture.client
    let grantScope = Fixture.scope
    var now = Fixture.t0

    /// Every event appended so far.
    private(set) var log: [GrantEvent] = []
    /// The state evolved one event at a time.
    private(set) var state: Grant?
    /// The token index: every refresh hash ever issued → its generation.
    private(set) var index: [TokenHash: Int] = [:]
    /// Generation → hash, i.e. the tokens the owner was handed.
    private(set) var held: [Int: TokenHash] = [:]
    /// Issued access tokens and their expiry.
    private(set) var accessTokens: [(jti: TokenID, expiresAt: Instant)] = []
    private(set) var model: GrantModel
    private(set) var outcomes: [Outcome: Int] = [:]
    /// Generations a rotation started from (I3: each at most once).
    var rotatedFrom: Set<Int> = []
    /// Set once a reuse was detected (I3: nothing rotates afterwards).
    var reuseSeen = false
    private var minted = 0
    private var trail: [String] = []

    init(seed: UInt64) {
        self.seed = seed
        var rng = SplitMix64(seed: seed)
        let idle = Int64.random(in: 120...1800, using: &rng)
        lifetimes = Lifetimes(
            accessToken: .seconds(Int64.random(in: 30...900, using: &rng)),
            refreshTokenIdle: .seconds(idle),
            refreshTokenAbsolute: .seconds(Int64.random(in: idle...(idle * 10), using: &rng)),
            refreshGrace: rng.chance(50) ? .zero : .milliseconds(Int64.random(in: 500...10_000, using: &rng))
        )
        self.rng = rng
        model = GrantModel(
            owner: Fixture.client, scope: Fixture.scope, lifetimes: lifetimes,
            absoluteExpiry: Fixture.t0.adding(lifetimes.refreshTokenAbsolute), issuedAt: Fixture.t0
        )
    }

    /// Checks `condition`, failing with the seed, the step and the recent trail.
    func ensure(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        guard !condition else { return }
        throw PropertyFailure(description: """
            seed \(seed): \(message())
              lifetimes: \(lifetimes)
              last steps: \(trail.suffix(6).joined(separator: " → "))
            """)
    }

    // MARK: Running

    /// Starts the grant, redeems its code, then runs 20–60 random steps, checking after each.
    mutating func run() throws {
        let started = Grant.decide(Fixture.startWithCode(), state, context)
        try ensure(started.refusal == nil, "start refused")
        try append(started.events)
        now = Fixture.t(1)
        let redeem = GrantCommand.redeemCode(.init(
            codeHash: Fixture.codeHash, clientID: owner, redirectURI: Fixture.redirectURI,
            verifierChallenge: Fixture.challenge, accessToken: mintJTI(), refreshTokenHash: mintHash(), idToken: mintJTI()
        ))
        let redeemed = Grant.decide(redeem, state, context)
        try ensure(redeemed.refusal == nil, "redemption refused: \(String(describing: redeemed.refusal))")
        try append(redeemed.events)
        model.issuedAt = now
        try checkInvariants()

        // The first half is calm (few reuses, revocations or long sleeps) so that long rotation
        // chains form; the second half is stormy.
        let count = Int.random(in: 20...60, using: &rng)
        for step in 0..<count {
            try perform(nextStep(calm: step < count / 2))
        }
    }

    var context: DecisionContext { DecisionContext(now: now, lifetimes: lifetimes) }

    private mutating func mintHash() -> TokenHash {
        minted += 1
        return Fixture.hash("seed-\(seed)-refresh-\(minted)")
    }

    private mutating func mintJTI() -> TokenID {
        minted += 1
        return TokenID("seed-\(seed)-jti-\(minted)")
    }

    /// Draws the next step; time jumps aim at the idle, absolute and grace boundaries too.
    private mutating func nextStep(calm: Bool) -> WorkloadStep {
        var roll = Int.random(in: 0..<100, using: &rng)
        if calm, (48..<54).contains(roll) { roll = 0 }
        let latest = held.keys.max() ?? 1
        let sealed = rng.chance(lifetimes.refreshGrace > .zero ? 85 : 30)
        switch roll {
        case 0..<45:
            let scope: Scope? = switch Int.random(in: 0..<10, using: &rng) {
            case 0: Scope(grantScope.values.filter { _ in rng.chance(50) } + ["openid"])
            case 1: Scope(grantScope.values + ["admin"])
            default: nil
            }
            return .refresh(generation: latest, by: owner, scope: scope, sealed: sealed)
        case 45..<51:
            let older = latest > 1 && rng.chance(60) ? latest - 1 : Int.random(in: 1...latest, using: &rng)
            return .refresh(generation: older, by: owner, scope: nil, sealed: sealed)
        case 51..<53:
            return .refresh(generation: Int.random(in: 1...latest, using: &rng), by: Fixture.otherClient, scope: nil, sealed: sealed)
        case 53..<54:
            return .revoke
        case 54..<62:
            guard let token = accessTokens.randomElement(using: &rng) else { return .revoke }
            return .revokeAccessToken(token.jti, expiresAt: token.expiresAt)
        default:
            return .advance(to: nextInstant(calm: calm))
        }
    }

    private mutating func nextInstant(calm: Bool) -> Instant {
        let jitter = Duration.milliseconds(Int64.random(in: -1...1, using: &rng))
        var boundaries = [model.issuedAt.adding(lifetimes.refreshTokenIdle), model.absoluteExpiry]
        if let last = model.lastRotation { boundaries.append(last.at.adding(lifetimes.refreshGrace)) }
        let target: Instant = switch Int.random(in: 0..<(calm ? 17 : 20), using: &rng) {
        case 0..<9: now.adding(.milliseconds(Int64.random(in: 0...3000, using: &rng)))
        case 9..<17: now.adding(.seconds(Int64.random(in: 1...120, using: &rng)))
        case 17..<19: boundaries.randomElement(using: &rng)!.adding(jitter)
        default: now.adding(lifetimes.refreshTokenIdle).adding(.seconds(Int64.random(in: 0...600, using: &rng)))
        }
        return max(now, target)
    }

    /// Decides the command of `step` against the store, checks the outcome, appends its events.
    private mutating func perform(_ step: WorkloadStep) throws {
        trail.append(step.description)
        let command: GrantCommand
        switch step {
        case .advance(let to):
            now = to
            try checkInvariants()
            return
        case .revoke:
            command = .revoke(reason: .admin)
        case .revokeAccessToken(let jti, let expiresAt):
            command = .revokeAccessToken(jti: jti, expiresAt: expiresAt, reason: .holderRequest)
        case .refresh(let generation, let by, let scope, let sealed):
            let hash = try unwrap(held[generation], "owner holds no generation \(generation)")
            command = .refresh(.init(
                presentedHash: hash, presentedGeneration: try unwrap(index[hash], "hash not in the index"), clientID: by,
                requestedScope: scope, successorHash: mintHash(), accessToken: mintJTI(),
                keepsGraceAnswer: sealed
            ))
        }
        let expected = model.predict(step, at: now)
        let decision = Grant.decide(command, state, context)
        let outcome = Outcome(decision)
        trail[trail.count - 1] += " ⇒ \(outcome)"
        try ensure(outcome == expected, "at \(now.milliseconds): expected \(expected), decided \(outcome)")
        try checkRotationRules(decision, presented: command)
        try append(decision.events)
        model.record(step, outcome, at: now)
        outcomes[outcome, default: 0] += 1
        try checkInvariants()
    }

    private func unwrap<T>(_ value: T?, _ message: String) throws -> T {
        try ensure(value != nil, message)
        return value!
    }

    /// Appends events as the store would: evolve, index refresh hashes, check the codec.
    private mutating func append(_ events: [GrantEvent]) throws {
        for event in events {
            let decoded = try EventCodec.roundTrip(event)
            try ensure(decoded == event, "codec changed \(event.typeName): \(event) ≠ \(decoded)")
            log.append(event)
            state = Grant.evolve(state, event)
            switch event {
            case .refreshTokenIssued(let e):
                try index(e.tokenHash, e.generation)
            case .refreshTokenRotated(let e):
                try index(e.tokenHash, e.toGeneration)
            case .accessTokenIssued(let e):
                accessTokens.append((e.jti, e.expiresAt))
            default:
                break
            }
        }
    }

    private mutating func index(_ hash: TokenHash, _ generation: Int) throws {
        try ensure(index[hash] == nil, "refresh hash issued twice")
        try ensure(held[generation] == nil, "generation \(generation) issued twice")
        index[hash] = generation
        held[generation] = hash
    }
}
