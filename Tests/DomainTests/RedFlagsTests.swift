import Domain
import Testing

@Suite struct RedFlagsTests {
    @Test(arguments: [
        ("Ferme Imaginaire inc. (fictive)", "ferme imaginaire"), ("FERME IMAGINAIRE", "ferme imaginaire"),
        ("Serres Exemplaires ltée", "serres exemplaires"), ("Sample Cleaning Co.", "sample cleaning"),
        ("Œuvres Béton & Cie", "oeuvres beton"), ("Dupont et Fils Ltd.", "dupont et fils"), ("L'Érablière Fictive S.E.N.C.", "l erabliere fictive"),
        ("  Agence   Placement—Fictif  ", "agence placement fictif"), ("Inc.", "inc"),
    ])
    func namesAreWrittenOneWay(written: String, normalised: String) {
        #expect(RedFlags.normaliseName(written) == normalised)
    }

    @Test func nothingIdentifyingIsNoName() {
        #expect(RedFlags.normaliseName("(fictive)") == nil && RedFlags.normaliseName(" - . ") == nil && RedFlags.normaliseName("7") == nil)
    }

    @Test(arguments: [
        ("514 555-0199", "+15145550199"), ("(514) 555-0199", "+15145550199"), ("1-514-555-0199", "+15145550199"),
        ("+52 55 5555 0199", "+525555550199"),
    ])
    func phonesAreE164(written: String, e164: String) {
        #expect(RedFlags.normalisePhone(written) == e164)
    }

    @Test func shortOrOddNumbersAreNotPhones() {
        #expect(RedFlags.normalisePhone("555-0199") == nil && RedFlags.normalisePhone("0145550199") == nil && RedFlags.normalisePhone("+12") == nil)
    }

    @Test func eachLineGivesItsNameAndNumber() {
        let entries = RedFlags.entries(
            employers: "Ferme Imaginaire inc. 514 555-0199\nSerres Exemplaires ltée; FERME IMAGINAIRE",
            recruiters: "Agence Placement Fictif (418) 555-0142")
        #expect(entries.map(\.kind) == [.phone, .employer, .employer, .phone, .recruiter])
        #expect(entries.map(\.normalised) == ["+15145550199", "ferme imaginaire", "serres exemplaires", "+14185550142", "agence placement fictif"])
        // The same name as employer in one case and recruiter in another hashes alike; a phone apart.
        #expect(
            RedFlags.Entry(kind: .employer, normalised: "x y", written: "").hashInput
                == RedFlags.Entry(kind: .recruiter, normalised: "x y", written: "").hashInput)
    }
}
