import LedgerDomain
import Testing

// MARK: - Given / when / then

/// Past events of one grant stream; the command is decided against their fold.
struct Given {
    /// The stream so far, oldest first.
    let history: [GrantEvent]

    /// The state the command is decided against.
    var state: Grant? { Grant.fold(history) }

    /// Decides `command` at `now` with `lifetimes` and `fingerprintPolicy` in force.
    func when(
        _ command: GrantCommand, at now: Instant, lifetimes: Lifetimes = .standard, fingerprintPolicy: FingerprintPolicy = .record
    ) -> Then {
        let context = DecisionContext(now: now, lifetimes: lifetimes, fingerprintPolicy: fingerprintPolicy)
        return Then(history: history, decision: Grant.decide(command, state, context))
    }
}

/// Starts a scenario from past events (none for a grant that does not exist yet).
func given(_ history: [GrantEvent] = []) -> Given { Given(history: history) }

/// The outcome of one `when`, with assertions on the exact events and refusal.
struct Then {
    let history: [GrantEvent]
    let decision: Grant.GrantDecision

    /// The events the decision appends.
    var events: [GrantEvent] { decision.events }
    /// The state once those events are appended.
    var state: Grant? { Grant.fold(history + decision.events) }
    /// The stream with the decision's events appended, to chain the next `when`.
    var andThen: Given { Given(history: history + decision.events) }

    /// Expects the command to be accepted with exactly `expected`.
    @discardableResult
    func then(_ expected: [GrantEvent], sourceLocation: SourceLocation = #_sourceLocation) -> Then {
        #expect(decision.refusal == nil, "unexpected refusal: \(decision.refusal?.description ?? "")", sourceLocation: sourceLocation)
        #expect(decision.events == expected, sourceLocation: sourceLocation)
        return self
    }

    /// Expects a refusal with `code`, appending exactly `expected` (usually nothing).
    @discardableResult
    func thenRefused(
        _ code: GrantError.Code, events expected: [GrantEvent] = [], sourceLocation: SourceLocation = #_sourceLocation
    ) -> Then {
        #expect(decision.refusal?.code == code, sourceLocation: sourceLocation)
        #expect(decision.events == expected, sourceLocation: sourceLocation)
        return self
    }
}

// MARK: - Fixtures

/// Identifiers, hashes, commands and past events of a typical code-flow grant.
enum Fixture {
    static let t0 = Instant(seconds: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let grant = GrantID("grant-1")
    static let client = ClientID("client-web")
    static let otherClient = ClientID("client-other")
    static let user = Subject("user-42")
    static let session = SessionID("sid-1")
    static let scope = Scope(parsing: "openid profile email")
    static let redirectURI = "https://app.example.com/callback"
    /// The S256 challenge of RFC 7636 Appendix B.
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    static let nonce = "n-0S6_WzA2Mj"
    static let codeHash = hash("code-1")
    static let idToken = TokenID("id-1")
    static let day: Int64 = 24 * 3600
    /// When `codeFlowGrant` redeems its code.
    static let redeemedAt = t(10)

    /// `t0` moved by whole seconds plus milliseconds (either may be negative).
    static func t(_ seconds: Int64, ms: Int64 = 0) -> Instant {
        Instant(milliseconds: t0.milliseconds + seconds * 1000 + ms)
    }

    /// A deterministic 64-hex-digit stand-in for the SHA-256 of `label`.
    static func hash(_ label: String) -> TokenHash {
        let hex = (0..<4).map { round -> String in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325 &+ UInt64(round)
            for byte in label.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            let digits = String(h, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return TokenHash(hex: hex.joined())
    }

    /// The hash of the refresh token of `generation` in the fixture family.
    static func refreshHash(_ generation: Int) -> TokenHash { hash("refresh-\(generation)") }
    /// The access token issued with refresh generation `n` (1 at redemption).
    static func accessToken(_ n: Int) -> TokenID { TokenID("at-\(n)") }
    /// The sealed token response stored with the rotation to `generation`.
    // MARK: Commands

    static func startWithCode(challenge: String? = challenge) -> GrantCommand {
        .startWithCode(.init(
            grantID: grant, clientID: client, subject: user, sessionID: session, scope: scope, codeHash: codeHash,
            redirectURI: redirectURI, codeChallenge: challenge, nonce: nonce, authTime: t(-30)
        ))
    }

    static func redeem(
        code: TokenHash = codeHash, by clientID: ClientID = client, redirectURI: String? = redirectURI,
        verifierChallenge: String? = challenge, refresh: Bool = true, idToken: Bool = true
    ) -> GrantCommand {
        .redeemCode(.init(
            codeHash: code, clientID: clientID, redirectURI: redirectURI, verifierChallenge: verifierChallenge,
            accessToken: accessToken(1), refreshTokenHash: refresh ? refreshHash(1) : nil,
            idToken: idToken ? Fixture.idToken : nil
        ))
    }

    /// Presents the fixture refresh token of `generation`; the proposed successor is that of `generation + 1`.
    static func refresh(
        _ generation: Int, by clientID: ClientID = client, scope: Scope? = nil, keepsGraceAnswer: Bool = false
    ) -> GrantCommand {
        .refresh(.init(
            presentedHash: refreshHash(generation), presentedGeneration: generation, clientID: clientID,
            requestedScope: scope, successorHash: refreshHash(generation + 1), accessToken: accessToken(generation + 1),
            keepsGraceAnswer: keepsGraceAnswer
        ))
    }

    // MARK: Events

    static func started(lifetimes: Lifetimes = .standard) -> GrantEvent {
        .started(GrantStarted(
            grantID: grant, clientID: client, subject: user, sessionID: session, scope: scope,
            flow: .authorizationCode, startedAt: t0, refreshAbsoluteExpiresAt: t0.adding(lifetimes.refreshTokenAbsolute)
        ))
    }

    static func codeIssued(challenge: String? = challenge) -> GrantEvent {
        .codeIssued(CodeIssued(
            grantID: grant, codeHash: codeHash, issuedAt: t0, expiresAt: t(60), redirectURI: redirectURI,
            codeChallenge: challenge, nonce: nonce, authTime: t(-30)
        ))
    }

    /// `grant.started` and `grant.code.issued` at `t0`.
    static func codeFlowStarted(challenge: String? = challenge, lifetimes: Lifetimes = .standard) -> [GrantEvent] {
        [started(lifetimes: lifetimes), codeIssued(challenge: challenge)]
    }

    static func accessTokenIssued(
        _ jti: TokenID, scope: Scope = scope, at: Instant, lifetimes: Lifetimes = .standard
    ) -> GrantEvent {
        .accessTokenIssued(AccessTokenIssued(
            grantID: grant, jti: jti, scope: scope, issuedAt: at, expiresAt: at.adding(lifetimes.accessToken)
        ))
    }

    /// The code redeemed at `at`: code redeemed, access token 1, refresh generation 1.
    static func redeemed(at: Instant = redeemedAt, lifetimes: Lifetimes = .standard) -> [GrantEvent] {
        [
            .codeRedeemed(CodeRedeemed(grantID: grant, codeHash: codeHash, redeemedAt: at)),
            accessTokenIssued(accessToken(1), at: at, lifetimes: lifetimes),
            .refreshTokenIssued(RefreshTokenIssued(grantID: grant, tokenHash: refreshHash(1), generation: 1, issuedAt: at)),
        ]
    }

    static func rotation(from generation: Int, at: Instant, graceAnswerKept: Bool? = nil) -> GrantEvent {
        .refreshTokenRotated(RefreshTokenRotated(
            grantID: grant, fromGeneration: generation, toGeneration: generation + 1,
            tokenHash: refreshHash(generation + 1), rotatedAt: at, graceAnswerKept: graceAnswerKept
        ))
    }

    /// A rotation from `generation` and its access token, as `decide` emits them.
    static func rotated(
        from generation: Int, at: Instant, graceAnswerKept: Bool? = nil, scope: Scope = scope, lifetimes: Lifetimes = .standard
    ) -> [GrantEvent] {
        [
            rotation(from: generation, at: at, graceAnswerKept: graceAnswerKept),
            accessTokenIssued(accessToken(generation + 1), scope: scope, at: at, lifetimes: lifetimes),
        ]
    }

    static func revoked(_ reason: RevocationReason, at: Instant, until: Instant) -> GrantEvent {
        .revoked(GrantRevoked(grantID: grant, reason: reason, at: at, until: until))
    }

    /// When generation `g` of `codeFlowGrant(generation:every:)` was issued.
    static func issuedAt(generation g: Int, every step: Duration = .seconds(60)) -> Instant {
        redeemedAt.adding(step * (g - 1))
    }

    /// A code-flow grant started at `t0`, redeemed at `redeemedAt` (generation 1) and rotated every
    /// `step` until `generation` is current; each rotation's answer is kept for the grace window when `sealed`.
    static func codeFlowGrant(
        generation: Int = 1, every step: Duration = .seconds(60), sealed: Bool = false, lifetimes: Lifetimes = .standard
    ) -> [GrantEvent] {
        var events = codeFlowStarted(lifetimes: lifetimes) + redeemed(lifetimes: lifetimes)
        for g in stride(from: 1, to: generation, by: 1) {
            events += rotated(
                from: g, at: issuedAt(generation: g + 1, every: step), graceAnswerKept: sealed ? true : nil,
                lifetimes: lifetimes
            )
        }
        return events
    }
}
