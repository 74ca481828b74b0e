import LedgerDomain

/// Signs broadcast messages (format v2) as compact JWS with `typ: secevent+jwt`, with the
/// service's active signing key, and names the issuer they carry.
package protocol BroadcastSigner: Sendable {
    /// The `iss` of every message.
    var issuer: String { get }
    /// The compact JWS of `message`.
    func sign(_ message: BroadcastMessage) async throws -> String
}
