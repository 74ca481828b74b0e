import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerTesting
import PostgresNIO
import Testing

@Suite("Canonical JSON survives the round trip through jsonb (I2)")
struct CanonicalJSONTests {
    /// Strings that stress escaping: non-ASCII, astral, quotes, backslashes, slashes, controls.
    static let nasty = [
        "café é (e\u{301}) 日本語 🔐👩‍💻",
        #"quote " backslash \ slash / both \/ \" \\"#,
        "controls \n \t \r \u{01} \u{08} \u{0C} \u{1F} \u{7F} \u{2028} \u{2029} \u{FEFF}",
        "html </script><!-- & ' `",
        "\\u0000 is text, not a NUL",
    ]

    @Test("events full of unicode, quotes, backslashes and control characters hash the same after jsonb")
    func roundTrip() async throws {
        try await TestDatabase.withLedger { ledger in
            let store = ledger.primary.grants
            var expected: [NewEvent] = []
            for (i, text) in Self.nasty.enumerated() {
                let grant = GrantID("g-\(i)-\(text.unicodeScalars.count)")
                let subject = Subject("sub " + text)
                let redirect = "https://app.example/cb?q=" + text
                let metadata = EventMetadata(actor: "user:" + text, clientID: "client/\(i)", requestID: text)
                let start = try await store.execute(
                    .startWithCode(.init(
                        grantID: grant, clientID: ClientID("client-\(i)"), subject: subject, sessionID: SessionID("sid " + text),
                        scope: Scope(["openid", text.filter { !$0.isWhitespace }]), codeHash: GrantFixtures.freshHash(),
                        redirectURI: redirect, codeChallenge: text, nonce: text
                    )),
                    on: grant, context: testContext, metadata: metadata
                )
                try #require(start.decision.refusal == nil)
                for event in start.decision.events { expected.append(try NewEvent(event, metadata: metadata)) }

                // PostgreSQL decoded the escapes into the very same strings.
                let stream = "grant/" + grant.rawValue
                #expect(try await ledger.admin.query("SELECT data->>'sub' FROM events WHERE stream_id = \(stream) AND stream_version = 1").collect()[0].decode(String.self) == subject.rawValue)
                #expect(try await ledger.admin.query("SELECT metadata->>'request_id' FROM events WHERE stream_id = \(stream) AND stream_version = 2").collect()[0].decode(String.self) == text)
                #expect(try await ledger.primary.grants.load(grant)?.grant.code?.redirectURI == redirect)
            }

            // What jsonb hands back re-canonicalizes to exactly the bytes that were hashed.
            let rows = try await ledger.admin.query("SELECT type, data::text, metadata::text FROM events ORDER BY seq").collect()
            #expect(rows.count == expected.count)
            for (row, event) in zip(rows, expected) {
                let (type, data, metadata) = try row.decode((String, String, String).self)
                #expect(type == event.type)
                #expect(try CanonicalJSON.canonicalize(Data(data.utf8)) == event.data, "\(data)")
                #expect(try CanonicalJSON.canonicalize(Data(metadata.utf8)) == event.metadata, "\(metadata)")
                #expect(try CanonicalJSON.canonicalize(jsonb: ByteBuffer(string: data)) == event.data, "\(data)")
                #expect(try CanonicalJSON.canonicalize(jsonb: ByteBuffer(string: metadata)) == event.metadata, "\(metadata)")
            }
            try await ledger.expectIntact(count: Int64(expected.count))
        }
    }

    @Test("canonicalize sorts keys at every depth, strips whitespace, and is idempotent")
    func canonicalForm() throws {
        let input = #"{ "b" : 1, "a": {"d": [3, 1, {"z": null, "y": true}], "c": "x/y"}, "A": false, "a_b": -7, "a9": 0, "a10": 1800000000000 }"#
        let canonical = try CanonicalJSON.canonicalize(Data(input.utf8))
        #expect(String(decoding: canonical, as: UTF8.self)
            == #"{"A":false,"a":{"c":"x/y","d":[3,1,{"y":true,"z":null}]},"a10":1800000000000,"a9":0,"a_b":-7,"b":1}"#)
        #expect(try CanonicalJSON.canonicalize(canonical) == canonical)

        // The key orders event payloads actually use (snake_case) are plain byte order.
        let keys = #"{"tokens_expire_by":1,"token_hash":2,"to_generation":3,"to":4}"#
        #expect(String(decoding: try CanonicalJSON.canonicalize(Data(keys.utf8)), as: UTF8.self)
            == #"{"to":4,"to_generation":3,"token_hash":2,"tokens_expire_by":1}"#)
    }

    @Test("equivalent JSON texts — escaped or raw, any spacing — canonicalize to the same bytes")
    func equivalentTexts() throws {
        let raw = #"{"s":"é/日本\n😀\u0001\"\\"}"#
        let escaped = #"{ "s" : "\u00e9\/\u65e5\u672c\u000a\ud83d\ude00\u0001\u0022\u005c" }"#
        let a = try CanonicalJSON.canonicalize(Data(raw.utf8))
        #expect(try CanonicalJSON.canonicalize(Data(escaped.utf8)) == a)
        // Non-ASCII is written raw (UTF-8), `/` unescaped, controls escaped.
        #expect(String(decoding: a, as: UTF8.self) == #"{"s":"é/日本\n😀\u0001\"\\"}"#)
        for text in Self.nasty {
            let once = CanonicalJSON.quoted(text)
            #expect(try CanonicalJSON.canonicalize(once) == once)
            #expect(try JSONDecoder().decode(String.self, from: once) == text)
        }
    }

    @Test("text that is not JSON is refused as an encoding error")
    func notJSON() {
        for bad in ["", "{", #"{"a":}"#, "{'a':1}"] {
            #expect(throws: LedgerStoreError.self) { try CanonicalJSON.canonicalize(Data(bad.utf8)) }
        }
    }

    @Test("a string PostgreSQL cannot store (U+0000) is refused up front and does not fail the appends batched with it")
    func nulCharacter() async throws {
        try await TestDatabase.withLedger { (ledger) async throws -> Void in
            let poisoned = GrantCommand.startWithCode(.init(
                grantID: GrantID("poisoned"), clientID: ClientID("client-a"), subject: Subject("mal\u{0}lory"), sessionID: nil,
                scope: Scope(["openid"]), codeHash: GrantFixtures.freshHash(), redirectURI: "https://app.example/cb", codeChallenge: "c"
            ))
            let outcomes = await withTaskGroup(of: String.self) { group in
                group.addTask {
                    do {
                        _ = try await ledger.primary.grants.execute(poisoned, on: GrantID("poisoned"), context: testContext, metadata: .system)
                        return "poisoned: appended"
                    } catch { return "poisoned: \((error as? LedgerStoreError)?.code.description ?? "\(error)")" }
                }
                for i in 0..<16 {
                    group.addTask {
                        do {
                            _ = try await ledger.primary.writer.append(try probeAppend("bystander-\(i)", expecting: 0))
                            return "ok"
                        } catch { return "bystander: \(error)" }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.sorted() == Array(repeating: "ok", count: 16) + ["poisoned: encoding"])
            #expect(try await ledger.admin.logShape() == (count: 16, min: 1, max: 16, head: 16))
            #expect(try await ledger.primary.grants.load(GrantID("poisoned")) == nil)
        }
    }
}
