/// What a refresh presented from another client fingerprint (a keyed digest of the caller's
/// address and user agent) does, per client (`fingerprint_policy`): it is always recorded as
/// `grant.fingerprint_changed`; `record` then rotates as usual, `revoke` revokes the grant,
/// `reauthenticate` refuses this refresh and leaves the grant to its holder.
public enum FingerprintPolicy: String, Hashable, Sendable, Codable, CaseIterable {
    case record
    case revoke
    case reauthenticate
}

/// A caller's fingerprint as refresh families record it: the keyed digests of its address and
/// user agent, `<address>/<user agent>`, `-` for an unknown part. Digests are base64url; older
/// logs hold them in hex, and both spellings of one digest name the same caller.
public enum CallerFingerprint {
    /// Whether two recorded fingerprints name the same caller, whichever spelling each uses.
    public static func same(_ first: String, _ second: String) -> Bool {
        first == second || canonical(first) == canonical(second)
    }

    /// `fingerprint` with each 64-digit hex digest written as base64url.
    static func canonical(_ fingerprint: String) -> String {
        fingerprint.split(separator: "/", omittingEmptySubsequences: false).map { part -> String in
            let digits = Array(part.utf8)
            guard digits.count == 64 else { return String(part) }
            var bytes: [UInt8] = []
            for pair in stride(from: 0, to: 64, by: 2) {
                guard let high = hexValue(digits[pair]), let low = hexValue(digits[pair + 1]) else { return String(part) }
                bytes.append(high << 4 | low)
            }
            return Base64URL.encode(bytes)
        }.joined(separator: "/")
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
