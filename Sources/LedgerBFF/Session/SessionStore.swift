import Foundation
import LedgerDomain
import LedgerRedis
import Synchronization

/// BFF sessions in Redis, sealed (AES-GCM, the Redis key as associated data) so a dump of
/// Redis leaks no usable token, and stored under an HMAC of the cookie value. Beside each
/// session: its version (for compare-and-set updates), revocation indexes (`sub`, `sid`,
/// `grant_id`, the client), login transactions and refresh locks.
///
/// Redis keys, under a prefix (`bff:` by default, so several BFFs can share one Redis):
/// `<prefix>session:<name>` (hash `v`, `d`), `<prefix>index:<kind>:<id>` (set of names),
/// `<prefix>tx:<name of state>`, `<prefix>lock:<name>`; every deletion is published on
/// `<prefix>ended` (``endingsChannel``), so each replica's ``cache`` forgets its copy.
final class SessionStore: Sendable {
    /// A session as read, with what an update must name.
    struct Loaded: Sendable {
        var session: BFFSession
        /// The Redis name of the session (an HMAC of its cookie value).
        var name: String
        var version: Int64
    }

    /// This process's copies of sessions; the store forgets a copy when it deletes the session.
    let cache: SessionCache
    private let redis: [RedisClient]
    private let next = Atomic<Int>(0)
    private let keys: SessionKeys
    private let clientID: String
    private let prefix: String

    /// A store over the `redis` connections (used in turn, each on its own thread) for the
    /// sessions of `clientID`, its keys starting with `prefix`.
    init(redis: [RedisClient], keys: SessionKeys, clientID: String, prefix: String, cache: SessionCache) {
        precondition(!redis.isEmpty, "a session store needs a Redis connection")
        self.redis = redis
        self.keys = keys
        self.clientID = clientID
        self.prefix = prefix
        self.cache = cache
    }

    /// The channel every deletion is published on (the payload: the session's name), and the
    /// replicas' heartbeat (an empty payload).
    var endingsChannel: String { prefix + "ended" }

    /// The Redis name of the session whose cookie value is `sessionID`.
    func name(ofSession sessionID: String) -> String { keys.name(sessionID) }

    /// Stores a new session and returns its cookie value, a fresh random id.
    func create(_ session: BFFSession) async throws(BFFError) -> String {
        let sessionID = SessionKeys.randomID()
        let name = keys.name(sessionID)
        let key = sessionKey(name)
        let sealed = try keys.seal(try Self.encode(session), context: key)
        var commands: [[[UInt8]]] = [
            Self.args("HSET", key, "v", "1") + [Array("d".utf8), sealed],
            Self.args("EXPIREAT", key, String(session.expiresAt)),
        ]
        for index in session.indexNames + ["client:" + clientID] {
            commands.append(Self.args("SADD", indexKey(index), name))
            commands.append(Self.args("EXPIREAT", indexKey(index), String(session.expiresAt)))
        }
        try await run(commands)
        return sessionID
    }

    /// The session of a cookie value, if it exists and opens.
    func load(sessionID: String) async throws(BFFError) -> Loaded? {
        try await load(name: keys.name(sessionID))
    }

    /// The session stored under `name`, if it exists and opens.
    func load(name: String) async throws(BFFError) -> Loaded? {
        let key = sessionKey(name)
        let reply = try await run([Self.args("HMGET", key, "v", "d")])[0]
        guard case .array(let fields) = reply, fields.count == 2, let versionText = fields[0].text, let version = Int64(versionText),
            case .string(let sealed) = fields[1], let plaintext = keys.open(sealed, context: key),
            let session = try? JSONDecoder().decode(BFFSession.self, from: plaintext)
        else { return nil }
        return Loaded(session: session, name: name, version: version)
    }

    /// Replaces `loaded` with `session` if nobody changed it since it was read; false otherwise.
    func replace(_ loaded: Loaded, with session: BFFSession) async throws(BFFError) -> Bool {
        let key = sessionKey(loaded.name)
        let sealed = try keys.seal(try Self.encode(session), context: key)
        let script = """
            if redis.call('HGET', KEYS[1], 'v') == ARGV[1] then
              redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
              return 1
            end
            return 0
            """
        let reply = try await run([
            Self.args("EVAL", script, "1", key, String(loaded.version), String(loaded.version + 1)) + [sealed]
        ])[0]
        return reply == .integer(1)
    }

    /// Deletes the session stored under `name` (its index entries expire with their sets) and
    /// announces it to every replica.
    func delete(name: String) async throws(BFFError) {
        cache.forget(name: name)
        try await run([Self.args("DEL", sessionKey(name)), Self.args("PUBLISH", endingsChannel, name)])
    }

    /// Publishes that this replica is listening (an empty message on ``endingsChannel``): the
    /// replicas' subscriptions take a channel silent for long as lost.
    func publishHeartbeat() async throws(BFFError) {
        try await run([Self.args("PUBLISH", endingsChannel, "")])
    }

    /// Deletes every session a broadcast revocation covers (``BFFSession/isCovered(by:clientID:)``);
    /// returns how many.
    func deleteCovered(by event: RevokedEvent) async throws(BFFError) -> Int {
        cache.forget(coveredBy: event, clientID: clientID)
        let index: String
        switch event.scope {
        case .grant: guard let id = event.grantID else { return 0 }; index = "grant:" + id
        case .session: guard let id = event.sid else { return 0 }; index = "sid:" + id
        case .subject: guard let id = event.sub else { return 0 }; index = "sub:" + id
        case .client: guard event.clientID == clientID else { return 0 }; index = "client:" + clientID
        case .token: return 0
        }
        guard case .array(let members) = try await run([Self.args("SMEMBERS", indexKey(index))])[0] else { return 0 }
        var deleted = 0
        for name in members.compactMap(\.text) {
            if let loaded = try await load(name: name), !loaded.session.isCovered(by: event, clientID: clientID) { continue }
            let replies = try await run([
                Self.args("DEL", sessionKey(name)), Self.args("SREM", indexKey(index), name), Self.args("PUBLISH", endingsChannel, name),
            ])
            if replies[0] == .integer(1) { deleted += 1 }
        }
        return deleted
    }

    /// Keeps a login transaction for ten minutes under its `state`.
    func put(_ transaction: LoginTransaction, state: String) async throws(BFFError) {
        let key = prefix + "tx:" + keys.name(state)
        let sealed = try keys.seal(try Self.encode(transaction), context: key)
        try await run([Self.args("SET", key) + [sealed] + Self.args("EX", "600")])
    }

    /// The login transaction of `state`, removed so it completes at most once.
    func take(state: String) async throws(BFFError) -> LoginTransaction? {
        let key = prefix + "tx:" + keys.name(state)
        guard case .string(let sealed) = try await run([Self.args("GETDEL", key)])[0], let plaintext = keys.open(sealed, context: key) else {
            return nil
        }
        return try? JSONDecoder().decode(LoginTransaction.self, from: plaintext)
    }

    /// Takes the refresh lock of a session for `ttl`; the token that releases it, or nil when
    /// another holder has it.
    func lock(name: String, ttl: Duration) async throws(BFFError) -> String? {
        let token = SessionKeys.randomID()
        let milliseconds = String(ttl.components.seconds * 1000 + ttl.components.attoseconds / 1_000_000_000_000_000)
        let reply = try await run([Self.args("SET", prefix + "lock:" + name, token, "NX", "PX", milliseconds)])[0]
        return reply == .status("OK") ? token : nil
    }

    /// Releases a lock if `token` still holds it.
    func unlock(name: String, token: String) async throws(BFFError) {
        let script = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
        try await run([Self.args("EVAL", script, "1", prefix + "lock:" + name, token)])
    }

    @discardableResult
    private func run(_ commands: [[[UInt8]]]) async throws(BFFError) -> [RedisReply] {
        let client = redis[next.wrappingAdd(1, ordering: .relaxed).oldValue % redis.count]
        do {
            return try await client.pipeline(commands)
        } catch {
            throw BFFError(.unavailable, "the session store cannot be reached")
        }
    }

    private static func encode(_ value: some Encodable) throws(BFFError) -> Data {
        guard let data = try? JSONEncoder().encode(value) else { throw BFFError(.unavailable, "a session could not be encoded") }
        return data
    }

    private static func args(_ words: String...) -> [[UInt8]] { words.map { Array($0.utf8) } }
    private func sessionKey(_ name: String) -> String { prefix + "session:" + name }
    private func indexKey(_ index: String) -> String { prefix + "index:" + index }
}
