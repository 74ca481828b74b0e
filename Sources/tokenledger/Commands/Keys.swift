import ArgumentParser

/// `tokenledger keys …`: signing-key operations.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage signing keys.", subcommands: [Rotate.self])

    /// `tokenledger keys rotate`: publishes the next signing key. Every replica picks it up on
    /// its next key refresh and it starts signing once it has been published for the lead time.
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish the next signing key; it signs after the publish lead time. Needs TOKENLEDGER_KEY_SECRET."
        )

        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            let (configuration, logger) = try await ledger.load("tokenledger.keys")
            let kid = try await withStores(configuration, logger: logger) { stores in
                try await makeKeyRing(configuration, stores: stores).rotate()
            }
            print("published key \(kid) (\(configuration.signingAlgorithm)); it signs in \(configuration.keyPublishLeadSeconds) s")
        }
    }
}
