import Foundation
import Logging
import Synchronization

/// Rotates a session's refresh token when its access token is about to expire, once per
/// session however many calls need it: calls of one process share one in-flight refresh, and
/// replicas share a Redis lock, after which the holder re-reads the session and stops if
/// another one already refreshed it (docs/bff.md#refresh). The refresh runs detached from the
/// request that started it, so a browser that goes away cannot strand a rotation halfway.
///
/// A definitive refusal (`invalid_grant`: revoked, reused, expired) ends the session, but only
/// if the refused token is still the stored one; a transport failure is retried once with the
/// same token (the issuer's grace window answers a duplicate) and otherwise answers 503,
/// never logout.
final class SessionRefresher: Sendable {
    private let store: SessionStore
    private let provider: ProviderClient
    private let refreshAhead: Int64
    private let logger: Logger
    private let inFlight = Mutex<[String: Task<SessionStore.Loaded?, any Error>]>([:])

    /// How long the Redis lock is held at most: above the token endpoint's timeout.
    static let lockTTL: Duration = .seconds(15)

    init(store: SessionStore, provider: ProviderClient, refreshAhead: Duration, logger: Logger) {
        self.store = store
        self.provider = provider
        self.refreshAhead = refreshAhead.components.seconds
        self.logger = logger
    }

    /// `loaded`, or its refreshed successor when its access token expires within the
    /// refresh-ahead window; nil when the session ended.
    func current(_ loaded: SessionStore.Loaded) async throws(BFFError) -> SessionStore.Loaded? {
        guard needsRefresh(loaded) else { return loaded }
        let name = loaded.name
        let task = inFlight.withLock { tasks in
            if let running = tasks[name] { return running }
            let task = Task { [self] in
                defer { _ = inFlight.withLock { $0.removeValue(forKey: name) } }
                return try await refresh(name)
            }
            tasks[name] = task
            return task
        }
        do {
            return try await task.value
        } catch let error as BFFError {
            throw error
        } catch {
            throw BFFError(.unavailable, "the session could not be refreshed")
        }
    }

    private func refresh(_ name: String) async throws(BFFError) -> SessionStore.Loaded? {
        let deadline = ContinuousClock.now + Self.lockTTL
        while true {
            guard let loaded = try await store.load(name: name) else { return nil }
            if !needsRefresh(loaded) { return loaded }
            if let token = try await store.lock(name: name, ttl: Self.lockTTL) {
                defer { Task { try? await store.unlock(name: name, token: token) } }
                // Re-read under the lock: another replica may have refreshed just before.
                guard let current = try await store.load(name: name) else { return nil }
                if !needsRefresh(current) { return current }
                return try await rotate(current)
            }
            guard ContinuousClock.now < deadline else { throw BFFError(.unavailable, "another refresh of this session is still running") }
            try? await Task.sleep(for: .milliseconds(25))
        }
    }

    private func needsRefresh(_ loaded: SessionStore.Loaded) -> Bool {
        loaded.session.accessTokenExpiresAt - BFF.now <= refreshAhead
    }

    private func rotate(_ loaded: SessionStore.Loaded) async throws(BFFError) -> SessionStore.Loaded? {
        guard let refreshToken = loaded.session.refreshToken else {
            try await store.delete(name: loaded.name)
            return nil
        }
        let tokens: TokenSet
        do {
            tokens = try await rotateRetryingOnce(refreshToken)
        } catch .refused(let code) {
            // Only a refusal of the token still stored ends the session (it may have moved on).
            if let current = try await store.load(name: loaded.name), current.session.refreshToken == refreshToken {
                try await store.delete(name: loaded.name)
                logger.info("bff session ended: refresh refused", metadata: ["error": "\(code)"])
                return nil
            }
            return try await store.load(name: loaded.name)
        } catch {
            throw BFFError(.unavailable, "the issuer cannot refresh the session now")
        }
        var session = loaded.session
        let now = BFF.now
        session.accessToken = tokens.accessToken
        session.accessTokenExpiresAt = now + (tokens.expiresIn ?? 60)
        session.refreshToken = tokens.refreshToken ?? refreshToken
        if let idToken = tokens.idToken { session.idToken = idToken }
        guard try await store.replace(loaded, with: session) else { return try await store.load(name: loaded.name) }
        return SessionStore.Loaded(session: session, name: loaded.name, version: loaded.version + 1)
    }

    private func rotateRetryingOnce(_ refreshToken: String) async throws(ProviderError) -> TokenSet {
        do {
            return try await provider.refresh(refreshToken)
        } catch .unavailable {
            try? await Task.sleep(for: .milliseconds(100))
            return try await provider.refresh(refreshToken)
        }
    }
}
