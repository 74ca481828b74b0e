import Foundation
import LedgerDomain
import LedgerGuard
import LedgerRedis
import LedgerTesting
import Testing

/// The subscriber against real Redis and a stand-in feed, with the test signing and publishing
/// as the relay: snapshot at startup, live messages, catch-up after gaps (revealed by
/// `prev_seq`, a heartbeat or a reconnect), failing closed when stale, and every message that
/// does not verify dropped without effect.
@Suite("Revocation subscriber")
struct RevocationSubscriberTests {
    typealias F = SubscriberFixture

    @Test("startup snapshot, live revocations, and revocations missed on the channel caught up after a heartbeat")
    func snapshotLiveAndGaps() async throws {
        try await F.with(before: { f in try await f.record(F.revocation(.grant, "grant-old")) }) { f in
            let old = try await f.token(grant: "grant-old")
            let other = try await f.token()
            #expect(await eventually { await f.refusal(other) == nil })
            #expect(await f.refusal(old) == .revoked)

            let live = UUID().uuidString
            let liveToken = try await f.token(jti: live)
            #expect(await f.refusal(liveToken) == nil)
            let liveMessage = try await f.revoke(F.revocation(.token, live))
            #expect(await eventually { await f.refusal(liveToken) == .revoked })
            #expect(f.kit.revocations.lastAppliedSeq == liveMessage.seq)

            let fetches = f.issuer.feedFetches
            let sessionToken = try await f.token(sid: "sid-lost")
            let lost = try await f.revoke(F.revocation(.session, "sid-lost"), lost: true)
            #expect(await eventually { await f.refusal(sessionToken) == .revoked })
            #expect(f.issuer.feedFetches > fetches)
            #expect(f.kit.revocations.lastAppliedSeq == lost.seq)
            #expect(await f.refusal(other) == nil)
            #expect(f.kit.revocations.rejectedMessages == 0)
        }
    }

    @Test("the startup snapshot follows the feed's pages to the end")
    func paging() async throws {
        let grants = (0..<7).map { "grant-page-\($0)" }
        // No heartbeats: only the catch-up on connect can bring the revocations in.
        try await F.with(heartbeats: false, before: { f in
            f.issuer.state.withLock { $0.pageSize = 2 }
            for grant in grants { try await f.record(F.revocation(.grant, grant)) }
        }) { f in
            let other = try await f.token()
            #expect(await eventually { await f.refusal(other) == nil })
            for grant in grants { #expect(await f.refusal(try await f.token(grant: grant)) == .revoked, "\(grant)") }
            // Seqs 3, 6, …, 21 in pages of 2, 2, 2, 1 and an empty one: a page whose head is its
            // last item's seq may be followed by more, so the next is asked after it.
            #expect(Array(f.issuer.feedAfters.prefix(5)) == [0, 6, 12, 18, 21])
            #expect(f.kit.revocations.lastAppliedSeq == f.issuer.state.withLock(\.head))
            #expect(f.kit.revocations.rejectedMessages == 0)
        }
    }

    @Test("messages that do not verify are dropped and counted: no watermark move, no token refused")
    func unverifiable() async throws {
        try await F.with { f in
            let victims = [
                try await f.token(), try await f.token(grant: "grant-victim"), try await f.token(sub: "bob"),
                try await f.token(jti: "jti-victim", sid: "sid-victim"),
            ]
            for token in victims { #expect(await eventually { await f.refusal(token) == nil }) }
            let watermark = f.kit.revocations.lastAppliedSeq
            #expect(f.kit.revocations.rejectedMessages == 0)

            // Each would refuse every victim if applied: client-wide with a cut-off far ahead, seq far ahead.
            let ahead = f.nextSeq() + 1000
            let previous = f.issuer.lastRevocationSeq
            let everything = F.revocation(.client, "client-a", notBefore: F.future)
            let clientWide = F.message(everything, seq: ahead, prevSeq: previous)
            let grantWide = F.message(F.revocation(.grant, "grant-victim"), seq: ahead + 1, prevSeq: ahead)
            let subjectWide = F.message(F.revocation(.subject, "bob", notBefore: F.future), seq: ahead + 2, prevSeq: ahead + 1)
            let harmless = try await f.signer.sign(F.message(F.revocation(.token, "nothing"), seq: ahead, prevSeq: previous))
            let parts = harmless.split(separator: ".", omittingEmptySubsequences: false)
            let typ = TestSigner.broadcastType
            var accessTokenClaims = TestClaims()
            accessTokenClaims.sub = "bob"

            let messages: [(String, [UInt8])] = [
                // Not a compact JWS at all.
                ("empty", []),
                ("text", Array("not json".utf8)),
                ("empty object", Array("{}".utf8)),
                ("three dots", Array("a.b.c".utf8)),
                ("binary", [0xFF, 0xFE, 0x00, 0x7B]),
                ("oversized", Array(repeating: UInt8(ascii: "a"), count: 200_000)),
                ("unsigned v2 claims", Array(try JSONEncoder().encode(clientWide))),
                (
                    "v1 message",
                    Array(#"{"v":1,"type":"revoked","seq":\#(ahead),"scope":"client","client_id":"client-a","not_before":9999999999,"until":9999999999,"at":1}"#.utf8)
                ),
                // Signed by a key the JWKS does not hold.
                ("impostor key, real kid", Array(try await f.signer.signAsImpostor(clientWide).utf8)),
                ("impostor key, unknown kid", Array(try await f.signer.signAsImpostor(grantWide, kid: "kid-not-published").utf8)),
                // Algorithms outside the allowlist, or not the key's.
                ("alg none", Array(try TestSigner.forge(header: ["alg": "none", "typ": typ, "kid": f.signer.kid], message: clientWide).utf8)),
                ("alg none, no kid", Array(try TestSigner.forge(header: ["alg": "none", "typ": typ], message: subjectWide).utf8)),
                ("HS256 keyed with the JWK", Array(try await f.signer.signHS256(clientWide).utf8)),
                (
                    "RS256 header on the ES256 key",
                    Array(try TestSigner.forge(header: ["alg": "RS256", "typ": typ, "kid": f.signer.kid], message: clientWide, signature: String(parts[2])).utf8)
                ),
                // Real signatures on the wrong things.
                ("typ JWT", Array(try await f.signer.sign(clientWide, typ: "JWT").utf8)),
                ("typ at+jwt", Array(try await f.signer.sign(grantWide, typ: "at+jwt").utf8)),
                ("no typ", Array(try await f.signer.sign(subjectWide, typ: nil).utf8)),
                ("an access token", Array(try await f.signer.sign(accessTokenClaims).utf8)),
                (
                    "wrong iss",
                    Array(try await f.signer.sign(F.message(everything, seq: ahead, prevSeq: previous, issuer: "https://impostor.test")).utf8)
                ),
                (
                    "neither event",
                    Array(try await f.signer.sign(BroadcastMessage(iss: TestSigner.issuer, jti: "e", iat: clientWide.iat, seq: ahead, prevSeq: previous, events: .init())).utf8)
                ),
                // Edited after signing, or the signature removed.
                ("tampered payload", Array(try TestSigner.tamper(harmless, with: clientWide).utf8)),
                ("signature stripped", Array("\(parts[0]).\(parts[1]).".utf8)),
            ]
            for (_, bytes) in messages { try await f.publishRaw(bytes) }
            #expect(await eventually(timeout: .seconds(10)) { f.kit.revocations.rejectedMessages == messages.count })
            #expect(f.kit.revocations.lastAppliedSeq == watermark)
            for token in victims { #expect(await f.refusal(token) == nil) }

            // The kit keeps working: the next real revocation (at the seq the forgeries claimed to precede) applies.
            let target = try await f.token(grant: "grant-after-forgeries")
            let real = try await f.revoke(F.revocation(.grant, "grant-after-forgeries"))
            #expect(await eventually { await f.refusal(target) == .revoked })
            #expect(f.kit.revocations.lastAppliedSeq == real.seq)
            #expect(f.kit.revocations.rejectedMessages == messages.count)
            for token in victims { #expect(await f.refusal(token) == nil) }
            #expect(f.kit.revocations.isFresh)
        }
    }

    @Test("a forged client-wide revocation, next in line but badly signed, refuses no token")
    func forgedClientWide() async throws {
        try await F.with { f in
            let tokens = [try await f.token(), try await f.token(sub: "bob", client: "client-a"), try await f.token(grant: "grant-b")]
            for token in tokens { #expect(await eventually { await f.refusal(token) == nil }) }
            let watermark = f.kit.revocations.lastAppliedSeq
            // The right seq and prev_seq, a real kid: only the signature gives it away.
            let forged = f.message(F.revocation(.client, "client-a", notBefore: F.future))
            try await f.publishRaw(try await f.signer.signAsImpostor(forged))
            #expect(await eventually(timeout: .seconds(10)) { f.kit.revocations.rejectedMessages == 1 })
            #expect(f.kit.revocations.lastAppliedSeq == watermark)
            for token in tokens { #expect(await f.refusal(token) == nil) }

            // The real message with that very seq is not mistaken for a duplicate.
            let target = try await f.token(jti: "jti-real")
            let real = try await f.revoke(F.revocation(.token, "jti-real"))
            #expect(real.seq == forged.seq)
            #expect(await eventually { await f.refusal(target) == .revoked })
            #expect(f.kit.revocations.lastAppliedSeq == real.seq)
            for token in tokens { #expect(await f.refusal(token) == nil) }
        }
    }

    @Test("a forged message with a seq far ahead does not hold back the next real one: applied from the channel at once")
    func forgedAheadThenReal() async throws {
        try await F.with { f in
            let target = try await f.token(grant: "grant-prompt")
            let spared = try await f.token(grant: "grant-forged")
            #expect(await eventually { await f.refusal(target) == nil })
            let watermark = f.kit.revocations.lastAppliedSeq
            let fetches = f.issuer.feedFetches
            let forged = F.message(F.revocation(.grant, "grant-forged"), seq: f.nextSeq() + 1000, prevSeq: f.issuer.lastRevocationSeq)
            try await f.publishRaw(try await f.signer.signAsImpostor(forged, kid: "kid-not-published"))
            #expect(await eventually(timeout: .seconds(10)) { f.kit.revocations.rejectedMessages == 1 })
            #expect(f.kit.revocations.lastAppliedSeq == watermark)

            let real = try await f.revoke(F.revocation(.grant, "grant-prompt"))
            #expect(real.seq < forged.seq)
            #expect(await eventually(timeout: .seconds(2)) { await f.refusal(target) == .revoked })
            #expect(f.kit.revocations.lastAppliedSeq == real.seq)
            // Straight from the channel: no catch-up was needed.
            #expect(f.issuer.feedFetches == fetches)
            #expect(await f.refusal(spared) == nil)
        }
    }

    @Test("a missed message is found through the next one's prev_seq and fetched from the feed, without heartbeats")
    func prevSeqRecovery() async throws {
        try await F.with(heartbeats: false) { f in
            let missed = try await f.token(grant: "grant-missed")
            let next = try await f.token(grant: "grant-next")
            #expect(await eventually { await f.refusal(missed) == nil })
            let fetches = f.issuer.feedFetches
            let watermark = f.kit.revocations.lastAppliedSeq
            let lost = try await f.revoke(F.revocation(.grant, "grant-missed"), lost: true)
            // Nothing reveals the loss yet.
            #expect(await throughout(.milliseconds(500)) { await f.refusal(missed) == nil })
            #expect(f.issuer.feedFetches == fetches)

            let following = try await f.revoke(F.revocation(.grant, "grant-next"))
            #expect(following.prevSeq == lost.seq)
            #expect(await eventually { await f.refusal(missed) == .revoked })
            #expect(await f.refusal(next) == .revoked)
            // One catch-up from the watermark; its page ends on the log head's own item, so the
            // client asks once more after it (and gets an empty page).
            #expect(Array(f.issuer.feedAfters.dropFirst(fetches)) == [watermark, following.seq])
            #expect(f.kit.revocations.lastAppliedSeq == following.seq)
            #expect(f.kit.revocations.isFresh)
        }
    }

    @Test("a replayed old heartbeat (valid signature, current seq, iat 60 s ago) does not keep the kit fresh")
    func replayedHeartbeat() async throws {
        try await F.with(stalenessBound: .seconds(1)) { f in
            let token = try await f.token()
            #expect(await eventually { await f.refusal(token) == nil })
            let recorder = RedisChannelRecorder(endpoint: try RedisEndpoint(url: TestEnvironment.redisURL), channel: f.channel)
            defer { recorder.close() }
            let seq = f.issuer.state.withLock(\.announced)
            let old = try await f.signer.sign(F.heartbeat(seq: seq, iat: Int64(Date().timeIntervalSince1970) - 60))
            f.heartbeats(false)
            let replaying = Task {
                while !Task.isCancelled {
                    try? await f.publishRaw(old)
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            defer { replaying.cancel() }
            #expect(await eventually(timeout: .seconds(5)) { await f.refusal(token) == .revocationsStale })
            #expect(await throughout(.milliseconds(1500)) { await f.refusal(token) == .revocationsStale })
            // The replays did arrive, and verified: it is their age that does not count.
            #expect(recorder.snapshot.messages.filter { $0.compact == old }.count >= 5)
            #expect(f.kit.revocations.rejectedMessages == 0)
            #expect(f.kit.revocations.lastAppliedSeq == seq)

            replaying.cancel()
            f.heartbeats(true)
            #expect(await eventually { await f.refusal(token) == nil })
        }
    }

    // Heartbeats carry `iat` in whole seconds, so even every 100 ms they confirm the list up to
    // about 1.1 s back: a 2 s bound stays fresh while they flow, and goes stale only when they stop
    // or reveal a gap.
    @Test("without heartbeats, or while a gap cannot be caught up, the kit fails closed; it recovers by itself")
    func staleness() async throws {
        try await F.with(stalenessBound: .seconds(2)) { f in
            let token = try await f.token()
            #expect(await eventually { await f.refusal(token) == nil })
            #expect(await throughout(.milliseconds(1500)) { await f.refusal(token) == nil })
            f.heartbeats(false)
            #expect(await eventually { await f.refusal(token) == .revocationsStale })
            f.heartbeats(true)
            #expect(await eventually { await f.refusal(token) == nil })

            // Heartbeats keep coming, but they reveal a gap the feed cannot fill.
            f.issuer.state.withLock { $0.feedDown = true }
            let lost = try await f.token(grant: "grant-lost")
            try await f.revoke(F.revocation(.grant, "grant-lost"), lost: true)
            #expect(await eventually { await f.refusal(token) == .revocationsStale })
            #expect(await throughout(.milliseconds(500)) { await f.refusal(token) == .revocationsStale })
            f.issuer.state.withLock { $0.feedDown = false }
            #expect(await eventually { await f.refusal(token) == nil })
            #expect(await eventually { await f.refusal(lost) == .revoked })
        }
    }

    @Test("a channel silent past the idle timeout is taken as lost: the kit reconnects and catches up")
    func silentChannel() async throws {
        try await F.with(heartbeats: false, idleTimeout: .milliseconds(300)) { f in
            let token = try await f.token(grant: "grant-silent")
            #expect(await eventually { await f.refusal(token) == nil })
            // Never published, no heartbeat or prev_seq reveals it: only a reconnect's catch-up can find it.
            let lost = try await f.revoke(F.revocation(.grant, "grant-silent"), lost: true)
            #expect(await eventually { await f.refusal(token) == .revoked })
            #expect(f.kit.revocations.lastAppliedSeq == lost.seq)
        }
    }

    @Test("a subscriber whose Redis went away converges by catch-up after reconnecting")
    func disconnected() async throws {
        let redis = try await PrivateRedisServer.start()
        defer { redis.stop() }
        try await F.with(redisURL: redis.url) { f in
            let token = try await f.token(jti: "jti-while-down")
            #expect(await eventually { await f.refusal(token) == nil })
            let feedFetches = f.issuer.feedFetches
            redis.stop()
            let lost = try await f.revoke(F.revocation(.token, "jti-while-down"), lost: true)
            try await redis.start()
            #expect(await eventually { await f.refusal(token) == .revoked })
            #expect(f.issuer.feedFetches > feedFetches)
            #expect(f.kit.revocations.lastAppliedSeq >= lost.seq)
        }
    }
}
