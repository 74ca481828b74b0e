/// A request to change a remembered consent.
public enum ConsentCommand: Sendable, Hashable {
    /// Remember a granted consent.
    case remember(ConsentRemembered)
    /// Revoke the remembered consent (nothing is appended when there is none).
    case revoke(subject: Subject, client: ClientID)
}
