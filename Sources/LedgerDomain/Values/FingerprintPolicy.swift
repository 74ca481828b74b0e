/// What a refresh presented from another client fingerprint (a keyed digest of the caller's
/// address and user agent) does, per client (`fingerprint_policy`): it is always recorded as
/// `grant.fingerprint_changed`; `record` then rotates as usual, `revoke` revokes the grant,
/// `reauthenticate` refuses this refresh and leaves the grant to its holder.
public enum FingerprintPolicy: String, Hashable, Sendable, Codable, CaseIterable {
    case record
    case revoke
    case reauthenticate
}
