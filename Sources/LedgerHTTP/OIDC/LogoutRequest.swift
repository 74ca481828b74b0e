import LedgerDomain
import LedgerService

/// A validated RP-initiated logout request (RP-Initiated Logout 1.0 §2–§3): whose session
/// to end and where, if anywhere, to send the browser afterwards.
struct LogoutRequest: Sendable {
    /// The verified `id_token_hint`, when given (expired hints are accepted, RP-Initiated Logout §2).
    var hint: IDTokenClaims?
    /// The client the request names through the hint's `aud` or `client_id`.
    var client: Client?
    /// The registered `post_logout_redirect_uri` to return to, exactly as registered.
    var redirectURI: String?
    /// The RP's `state`, returned unchanged with the redirect.
    var state: String?

    /// Why a logout request is refused: shown as a page, never redirected (the target is not trusted).
    struct Refusal: Error, Sendable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// Validates the parameters: the hint must be an ID token this issuer signed with a published
    /// key; `client_id`, when both are given, must be the hint's audience; a
    /// `post_logout_redirect_uri` must exactly match one the client registered (I7).
    static func validate(
        _ form: FormParameters, keys: KeyRing, issuer: String, clients: ClientRegistration
    ) async throws -> LogoutRequest {
        var request = LogoutRequest(state: form["state"])
        if let text = form["id_token_hint"] {
            guard let hint = try? await keys.verify(text, as: IDTokenClaims.self), hint.iss == issuer else {
                throw Refusal("The sign-out request carries an ID token this service did not issue.")
            }
            request.hint = hint
        }
        if let state = request.state, state.count > AuthorizationRequest.maximumOpaqueLength {
            throw Refusal("The sign-out request's state is too long.")
        }
        let clientID = form["client_id"].map(ClientID.init) ?? request.hint?.clientID
        if let hinted = request.hint?.clientID, let clientID, clientID != hinted {
            throw Refusal("The sign-out request names two different applications.")
        }
        if let clientID {
            guard let client = try await clients.client(clientID), client.active else {
                throw Refusal("The application that sent you here is not registered.")
            }
            request.client = client
        }
        if let uri = form["post_logout_redirect_uri"] {
            guard let client = request.client else {
                throw Refusal("The sign-out request names a return address but no application.")
            }
            guard client.registration.postLogoutRedirectURIs.contains(uri) else {
                throw Refusal("The return address is not registered for this application.")
            }
            request.redirectURI = uri
        }
        return request
    }
}
