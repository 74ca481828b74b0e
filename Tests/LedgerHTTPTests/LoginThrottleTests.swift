import Dispatch
import HTTPTypes
import LedgerDomain
import LedgerHTTP
import LedgerService
import Synchronization
import Testing

@Suite("Login throttle: an attempt reserved before bcrypt, per username and address; lockouts survive eviction; bcrypt bounded")
struct LoginThrottleTests {
    typealias F = AuthorizeFixtures
    static let now = Instant(milliseconds: 1_800_000_000_000)

    @Test("ten attempts at the same instant: five reach the password check, five are refused")
    func concurrentAttemptsAreReserved() async {
        let throttle = LoginThrottle()
        let key = LoginThrottle.key(username: "alice", address: "192.0.2.1")
        let verdicts = await withTaskGroup(of: LoginThrottle.Verdict.self) { group in
            for _ in 0..<10 { group.addTask { throttle.reserve(key, now: Self.now) } }
            var all: [LoginThrottle.Verdict] = []
            for await verdict in group { all.append(verdict) }
            return all
        }
        #expect(verdicts.filter { $0 == .proceed }.count == 5)
        #expect(verdicts.filter { $0 == .lockedUntil(Self.now.adding(.seconds(60))) }.count == 5)
    }

    @Test("the key is the (username, address) pair: a lockout reaches neither the user from elsewhere nor others from that address")
    func pairs() {
        let throttle = LoginThrottle()
        let attacked = LoginThrottle.key(username: "alice", address: "198.51.100.7")
        for _ in 0..<5 { #expect(throttle.reserve(attacked, now: Self.now) == .proceed) }
        #expect(throttle.reserve(attacked, now: Self.now) != .proceed)
        #expect(throttle.reserve(LoginThrottle.key(username: "ALICE", address: "198.51.100.7"), now: Self.now) != .proceed)
        #expect(throttle.reserve(LoginThrottle.key(username: "alice", address: "203.0.113.9"), now: Self.now) == .proceed)
        #expect(throttle.reserve(LoginThrottle.key(username: "bob", address: "198.51.100.7"), now: Self.now) == .proceed)
    }

    @Test("a flood of new pairs never evicts a lockout; when only lockouts remain, new pairs are refused")
    func lockoutsSurviveEviction() {
        var policy = LoginThrottle.Policy()
        policy.capacity = 4
        let throttle = LoginThrottle(policy: policy)
        let victim = LoginThrottle.key(username: "alice", address: "192.0.2.1")
        for _ in 0..<5 { _ = throttle.reserve(victim, now: Self.now) }
        for index in 0..<40 {
            _ = throttle.reserve(LoginThrottle.key(username: "user\(index)", address: "192.0.2.2"), now: Self.now.adding(.seconds(Int64(index))))
        }
        #expect(throttle.reserve(victim, now: Self.now.adding(.seconds(40))) == .lockedUntil(Self.now.adding(.seconds(60))))

        let full = LoginThrottle(policy: policy)
        for index in 0..<4 {
            for _ in 0..<5 { _ = full.reserve(LoginThrottle.key(username: "locked\(index)", address: nil), now: Self.now) }
        }
        #expect(full.reserve(LoginThrottle.key(username: "newcomer", address: nil), now: Self.now) != .proceed)
    }

    @Test("ten concurrent wrong passwords through the form: five are checked, five answered 429")
    func concurrentFormSubmissions() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            let form = try await F.openLogin(h)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<10 { group.addTask { try await F.submit(h, form, password: "guess").status } }
                var all: [HTTPResponse.Status] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses.filter { $0 == .ok }.count == 5, "\(statuses)")
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 5, "\(statuses)")
        }
    }

    @Test("a trusted proxy header gives the address (its last entry); without one, the peer")
    func trustedProxyHeader() {
        var headers = HTTPFields()
        headers.append(HTTPField(name: HTTPField.Name("X-Forwarded-For")!, value: "203.0.113.5, 10.0.0.1"))
        headers.append(HTTPField(name: HTTPField.Name("X-Forwarded-For")!, value: " 198.51.100.23 "))
        let proxied = ClientAddressSource(header: HTTPField.Name("X-Forwarded-For"))
        #expect(proxied.address(headers: headers) { "127.0.0.1" } == "198.51.100.23")
        #expect(proxied.address(headers: HTTPFields()) { "127.0.0.1" } == nil)
        #expect(ClientAddressSource.peer.address(headers: headers) { "127.0.0.1" } == "127.0.0.1")
    }

    @Test("bcrypt runs on a bounded pool: beyond its workers and queue a check is refused at once")
    func bcryptPoolIsBounded() async throws {
        let pool = BcryptPool(workers: 1, queueLimit: 1)
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let first = Task { try await pool.run { started.signal(); release.wait(); return true } }
        started.wait()
        let second = Task { try await pool.run { true } }
        try await Task.sleep(for: .milliseconds(50))
        await #expect(throws: BcryptPoolError.busy) { try await pool.run { true } }
        release.signal()
        #expect(try await first.value)
        #expect(try await second.value)
        #expect(try await pool.run { true })
    }
}
