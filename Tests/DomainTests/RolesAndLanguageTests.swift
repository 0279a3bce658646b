import Domain
import Testing

@Suite struct RolesTests {
    @Test func storedListRoundTripsAndDropsUnknownValues() {
        // setup
        let stored = Role.storedList([.supervisor, .caseworker, .supervisor])
        // MUT
        let parsed = Role.parseList(stored + ",root,")
        // validate
        #expect(stored == "caseworker,supervisor")
        #expect(parsed == [.caseworker, .supervisor])
    }

    @Test(arguments: [
        ([Role.caseworker], true), ([.supervisor], true), ([.orgAdmin], false),
        ([.networkCoordinator], false), ([.systemAdmin], false), ([.orgAdmin, .caseworker], true),
    ])
    func onlyCaseworkersAndSupervisorsReadCases(roles: [Role], expected: Bool) {
        #expect(roles.canReadCases == expected)
    }
}

@Suite struct LanguageTests {
    @Test(arguments: [
        ("fr-CA,fr;q=0.9,en;q=0.8", Language.fr), ("en-US,en;q=0.9", .en), ("de-DE, en;q=0.5, fr;q=0.7", .fr),
        ("EN_ca", .en), ("fr;q=0, en;q=0.1", .en),
    ])
    func negotiatesAcceptLanguage(header: String, expected: Language) {
        #expect(Language.negotiate(acceptLanguage: header) == expected)
    }

    @Test func unknownOrEmptyHeadersGiveNothing() {
        #expect(Language.negotiate(acceptLanguage: "de, es") == nil)
        #expect(Language.negotiate(acceptLanguage: "") == nil)
        #expect(Language.negotiate(acceptLanguage: nil) == nil)
    }

    @Test func explicitChoiceThenUserThenCookieThenBrowser() {
        #expect(Language.resolve(query: "en", userPreference: .fr, remembered: "fr", acceptLanguage: "fr") == .en)
        #expect(Language.resolve(query: "xx", userPreference: .en, remembered: "fr", acceptLanguage: "fr") == .en)
        #expect(Language.resolve(query: nil, userPreference: nil, remembered: "en", acceptLanguage: "fr") == .en)
        #expect(Language.resolve(query: nil, userPreference: nil, remembered: nil, acceptLanguage: "en-GB") == .en)
        #expect(Language.resolve(query: nil, userPreference: nil, remembered: nil, acceptLanguage: nil) == .fr)
    }
}

@Suite struct EmailTests {
    @Test func normalisesCaseAndSpaces() {
        #expect(EmailAddress.normalise("  Camille.Exemple@Refuge.EXAMPLE \n") == "camille.exemple@refuge.example")
    }

    @Test(arguments: ["a@b.ca", "prénom.nom@organisme.example"])
    func acceptsAddresses(_ address: String) { #expect(EmailAddress.isValid(address)) }

    @Test(arguments: ["", "nobody", "a@b", "a@@b.ca", "a b@c.ca", "a@.ca", "a@b..ca", "@b.ca"])
    func refusesMalformedAddresses(_ address: String) { #expect(!EmailAddress.isValid(address)) }
}
