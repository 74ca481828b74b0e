/// The OpenID CAEP `session-revoked` event body (CAEP 1.0 §3.1), sent beside ours for session
/// and subject revocations so a Shared Signals receiver understands them unchanged. The
/// subject is the message's `sub_id`.
public struct CAEPSessionRevoked: Hashable, Sendable, Codable {
    /// When the revocation took effect, unix seconds.
    public var eventTimestamp: Int64
    /// `admin`, `user`, `policy` or `system`.
    public var initiatingEntity: String
    /// The reason for administrators, by language tag.
    public var reasonAdmin: [String: String]

    enum CodingKeys: String, CodingKey {
        case eventTimestamp = "event_timestamp", initiatingEntity = "initiating_entity", reasonAdmin = "reason_admin"
    }

    /// The CAEP event for `revocation`, recorded at `occurredAt`.
    public init(_ revocation: Revocation, occurredAt: Instant) {
        eventTimestamp = occurredAt.seconds
        initiatingEntity = switch revocation.reason {
        case .logout: "user"
        case .admin, .clientDeactivated: "admin"
        case .sessionLimit: "policy"
        default: "system"
        }
        reasonAdmin = ["en": revocation.reason.rawValue]
    }
}

/// A subject identifier (RFC 9493).
public struct SubjectIdentifier: Hashable, Sendable, Codable {
    /// `opaque` or `iss_sub`.
    public var format: String
    /// The opaque identifier.
    public var id: String?
    /// The issuer of an `iss_sub` identifier.
    public var iss: String?
    /// The subject of an `iss_sub` identifier.
    public var sub: String?

    /// An opaque identifier (RFC 9493 §3.2.4), e.g. a session id.
    public static func opaque(_ id: String) -> SubjectIdentifier {
        SubjectIdentifier(format: "opaque", id: id)
    }

    /// An issuer and subject pair (RFC 9493 §3.2.5).
    public static func issuerSubject(iss: String, sub: String) -> SubjectIdentifier {
        SubjectIdentifier(format: "iss_sub", iss: iss, sub: sub)
    }
}
