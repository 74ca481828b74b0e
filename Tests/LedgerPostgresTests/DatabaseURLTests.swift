import LedgerPostgres
import Testing

@Suite("Database URLs: libpq's sslmode values, nothing else")
struct DatabaseURLTests {
    @Test("every libpq sslmode is accepted", arguments: ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"])
    func knownModes(mode: String) throws {
        let url = try DatabaseURL("postgres://app:secret@db.internal:5433/ledger?sslmode=\(mode)")
        #expect(url.description == "postgres://app@db.internal:5433/ledger")
        #expect(url.configuration.port == 5433)
    }

    @Test("an unknown sslmode is refused, naming the allowed values and never the password", arguments: ["verify_full", "on", "REQUIRE", ""])
    func unknownModes(mode: String) {
        do {
            _ = try DatabaseURL("postgres://app:secret@db.internal/ledger?sslmode=\(mode)")
            Issue.record("sslmode=\(mode) was accepted")
        } catch {
            #expect(error.description.contains("sslmode must be disable, allow, prefer, require, verify-ca or verify-full"))
            #expect(!error.description.contains("secret"))
        }
    }

    @Test("without sslmode the connection is plain, as before")
    func defaultIsDisable() throws {
        let url = try DatabaseURL("postgres://postgres@127.0.0.1:54329/tokenledger")
        #expect(url.configuration.host == "127.0.0.1")
    }
}
