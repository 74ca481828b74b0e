/// Facts about one delegated login flow, in stream `login/<flow_id>`: the request handed to the
/// platform's login app, its answer, the consent step and the code it ended with.
public enum LoginEvent: DomainEvent {
    case requested(LoginRequested)
    case accepted(LoginAccepted)
    case rejected(FlowRejected)
    case consentRequested(ConsentRequested)
    case consentGranted(ConsentGranted)
    case consentRejected(FlowRejected)
    case completed(LoginCompleted)

    /// The stored type name of each case, each spelled once.
    public enum Kind: String, CaseIterable, Sendable {
        case requested = "login.requested"
        case accepted = "login.accepted"
        case rejected = "login.rejected"
        case consentRequested = "consent.requested"
        case consentGranted = "consent.granted"
        case consentRejected = "consent.rejected"
        case completed = "login.completed"
    }

    /// Which case this is.
    public var kind: Kind {
        switch self {
        case .requested: .requested
        case .accepted: .accepted
        case .rejected: .rejected
        case .consentRequested: .consentRequested
        case .consentGranted: .consentGranted
        case .consentRejected: .consentRejected
        case .completed: .completed
        }
    }

    public var typeName: String { kind.rawValue }

    public static let typeNames = Kind.allCases.map(\.rawValue)

    /// The flow the event belongs to.
    public var flowID: LoginFlowID {
        switch self {
        case .requested(let e): e.flowID
        case .accepted(let e): e.flowID
        case .rejected(let e), .consentRejected(let e): e.flowID
        case .consentRequested(let e): e.flowID
        case .consentGranted(let e): e.flowID
        case .completed(let e): e.flowID
        }
    }

    public var streamID: StreamID { .login(flowID) }

    public var ledgerEvent: LedgerEvent { .login(self) }

    public func encodePayload(to encoder: any Encoder) throws {
        switch self {
        case .requested(let e): try e.encode(to: encoder)
        case .accepted(let e): try e.encode(to: encoder)
        case .rejected(let e), .consentRejected(let e): try e.encode(to: encoder)
        case .consentRequested(let e): try e.encode(to: encoder)
        case .consentGranted(let e): try e.encode(to: encoder)
        case .completed(let e): try e.encode(to: encoder)
        }
    }

    public init(typeName: String, from decoder: any Decoder) throws {
        guard let kind = Kind(rawValue: typeName) else { throw UnknownEventType(typeName: typeName) }
        switch kind {
        case .requested: self = .requested(try LoginRequested(from: decoder))
        case .accepted: self = .accepted(try LoginAccepted(from: decoder))
        case .rejected: self = .rejected(try FlowRejected(from: decoder))
        case .consentRequested: self = .consentRequested(try ConsentRequested(from: decoder))
        case .consentGranted: self = .consentGranted(try ConsentGranted(from: decoder))
        case .consentRejected: self = .consentRejected(try FlowRejected(from: decoder))
        case .completed: self = .completed(try LoginCompleted(from: decoder))
        }
    }
}
