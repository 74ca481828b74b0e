/// One login in flight (docs/bff.md#login): what the callback needs to finish it, kept in
/// Redis for ten minutes under its `state`, and bound to the browser that started it by a
/// per-transaction cookie holding `binding` (two tabs logging in at once each keep their own).
struct LoginTransaction: Sendable, Codable, Hashable {
    var nonce: String
    var verifier: String
    var returnTo: String
    var binding: String
    /// The BFF session the browser had when it started, ended when the new one starts.
    var previousSession: String?
}
