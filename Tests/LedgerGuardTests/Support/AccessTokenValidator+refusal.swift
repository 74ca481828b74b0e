import Foundation
import LedgerGuard

extension AccessTokenValidator {
    /// The code of the error `validate` throws, or nil when it accepts: what the kit tests assert on.
    func refusal(_ token: String, now: Date = Date()) async -> GuardError.Code? {
        do {
            _ = try await validate(token, now: now)
            return nil
        } catch {
            return error.code
        }
    }
}
