import WebEncoding
import Crypto
import CryptoExtras
import Foundation
import JWTKit
import LedgerDomain

/// A signing key's private material for one of the allowed algorithms (I7: ES256, RS256,
/// EdDSA — never `none`, never HS*): generation, the public JWK, sealing at rest with
/// AES-GCM under a key derived from `TOKENLEDGER_KEY_SECRET`, and registration with jwt-kit.
package enum SigningKeyMaterial: Sendable {
    case es256(P256.Signing.PrivateKey)
    case rs256(_RSA.Signing.PrivateKey)
    case edDSA(Curve25519.Signing.PrivateKey)

    /// Generates a fresh key for `algorithm`.
    package static func generate(_ algorithm: String) throws(JOSEError) -> SigningKeyMaterial {
        switch algorithm {
        case "ES256": return .es256(P256.Signing.PrivateKey())
        case "EdDSA": return .edDSA(Curve25519.Signing.PrivateKey())
        case "RS256":
            do { return .rs256(try _RSA.Signing.PrivateKey(keySize: .bits2048)) } catch { throw JOSEError(.keyMaterial, "RSA generation failed") }
        default: throw JOSEError(.algorithmNotAllowed, "signing algorithm \(algorithm) is not allowed")
        }
    }

    /// The JOSE algorithm name.
    package var algorithm: String {
        switch self {
        case .es256: "ES256"
        case .rs256: "RS256"
        case .edDSA: "EdDSA"
        }
    }

    /// The public JWK as JSON text (`kid`, `alg`, `use: sig`).
    package func publicJWK(kid: KeyID) throws(JOSEError) -> String {
        var jwk: [String: String] = ["kid": kid.rawValue, "alg": algorithm, "use": "sig"]
        switch self {
        case .es256(let key):
            let raw = key.publicKey.rawRepresentation
            jwk["kty"] = "EC"
            jwk["crv"] = "P-256"
            jwk["x"] = raw.prefix(32).base64URLEncoded
            jwk["y"] = raw.suffix(32).base64URLEncoded
        case .edDSA(let key):
            jwk["kty"] = "OKP"
            jwk["crv"] = "Ed25519"
            jwk["x"] = key.publicKey.rawRepresentation.base64URLEncoded
        case .rs256(let key):
            do {
                let (n, e) = try Insecure.RSA.PublicKey(backing: key.publicKey).getKeyPrimitives()
                jwk["kty"] = "RSA"
                jwk["n"] = n.base64URLEncoded
                jwk["e"] = e.base64URLEncoded
            } catch {
                throw JOSEError(.keyMaterial, "RSA public key export failed")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(jwk)) ?? Data(), as: UTF8.self)
    }

    /// The private key sealed for storage; the key id is authenticated alongside.
    package func sealed(kid: KeyID, secret: String) throws(JOSEError) -> Data {
        let raw: Data =
            switch self {
            case .es256(let key): key.rawRepresentation
            case .edDSA(let key): key.rawRepresentation
            case .rs256(let key): key.derRepresentation
            }
        do {
            guard let combined = try AES.GCM.seal(raw, using: Self.sealingKey(secret), authenticating: Data(kid.rawValue.utf8)).combined else {
                throw JOSEError(.keyMaterial, "sealing failed")
            }
            return combined
        } catch let error as JOSEError {
            throw error
        } catch {
            throw JOSEError(.keyMaterial, "sealing failed")
        }
    }

    /// Opens a sealed private key.
    package static func unseal(_ sealed: Data, algorithm: String, kid: KeyID, secret: String) throws(JOSEError) -> SigningKeyMaterial {
        let raw: Data
        do {
            raw = try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: sealingKey(secret), authenticating: Data(kid.rawValue.utf8))
        } catch {
            throw JOSEError(.keyMaterial, "cannot open the private key of \(kid): wrong TOKENLEDGER_KEY_SECRET or corrupted")
        }
        do {
            switch algorithm {
            case "ES256": return .es256(try P256.Signing.PrivateKey(rawRepresentation: raw))
            case "EdDSA": return .edDSA(try Curve25519.Signing.PrivateKey(rawRepresentation: raw))
            case "RS256": return .rs256(try _RSA.Signing.PrivateKey(derRepresentation: raw))
            default: throw JOSEError(.algorithmNotAllowed, "signing algorithm \(algorithm) is not allowed")
            }
        } catch let error as JOSEError {
            throw error
        } catch {
            throw JOSEError(.keyMaterial, "private key of \(kid) does not parse")
        }
    }

    /// Registers the private key with a jwt-kit collection under its key id, signing with
    /// ``CanonicalJWTEncoder``.
    func register(in keys: JWTKeyCollection, kid: KeyID) async throws {
        let id = JWKIdentifier(string: kid.rawValue)
        let serializer = DefaultJWTSerializer(jsonEncoder: CanonicalJWTEncoder())
        switch self {
        case .es256(let key): await keys.add(ecdsa: try ES256PrivateKey(backing: key), kid: id, serializer: serializer)
        case .edDSA(let key): await keys.add(eddsa: EdDSA.PrivateKey(backing: key), kid: id, serializer: serializer)
        case .rs256(let key):
            await keys.add(rsa: try Insecure.RSA.PrivateKey(backing: key), digestAlgorithm: .sha256, kid: id, serializer: serializer)
        }
    }

    private static func sealingKey(_ secret: String) -> SymmetricKey {
        KeySecret.derive(secret, purpose: "tokenledger signing keys v1")
    }
}
