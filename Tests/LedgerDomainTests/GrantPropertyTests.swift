import LedgerDomain
import Testing

/// Random command sequences against one grant: I3 (one winner per rotation) and I4 (the state is
/// a fold of the log) hold after every step, and every event survives the payload codec.
/// A failure names its seed; `GrantSimulation(seed:).run()` replays it.
@Suite("Grant properties (I3, I4)")
struct GrantPropertyTests {
    static let baseSeed: UInt64 = 0x70C3_1ED6_E5EE_D000
    static let runs = 600

    @Test func randomWorkloadsKeepOneWinnerPerRotationAndFoldToTheLiveState() {
        var totals: [Outcome: Int] = [:]
        var failures = 0
        var steps = 0
        for run in 0..<Self.runs {
            var simulation = GrantSimulation(seed: Self.baseSeed &+ UInt64(run))
            do {
                try simulation.run()
            } catch {
                Issue.record("\(error)")
                failures += 1
                if failures == 3 { break }
            }
            totals.merge(simulation.outcomes, uniquingKeysWith: +)
            steps += simulation.log.count
        }
        // Every path was taken somewhere, so the properties were not checked vacuously.
        let paths: [Outcome] = [
            .rotated, .graceReplayed, .reuse, .clientMismatch, .expired, .scopeExceeded, .refusedRevoked, .revoked,
            .accessTokenRevoked, .nothing,
        ]
        for path in paths {
            #expect(totals[path, default: 0] >= 5, "path \(path) taken \(totals[path, default: 0]) times in \(Self.runs) runs")
        }
        #expect(steps > Self.runs * 10)
    }

    @Test func aSeedReplaysTheSameWorkload() throws {
        var first = GrantSimulation(seed: 42)
        var second = GrantSimulation(seed: 42)
        try first.run()
        try second.run()
        #expect(first.log == second.log)
        #expect(!first.log.isEmpty)
    }

    @Test func splitMix64MatchesTheReferenceSequence() {
        var rng = SplitMix64(seed: 0)
        #expect([rng.next(), rng.next(), rng.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }
}
