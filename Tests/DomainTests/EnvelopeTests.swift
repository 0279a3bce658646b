import Crypto
import Domain
import Foundation
import Testing

@Suite struct EnvelopeTests {
    let master = Envelope.newKey()

    @Test func aSealedFieldOpensOnlyInItsOwnPlace() throws {
        let dataKey = Envelope.newKey()
        let sealed = try Envelope.seal(field: "preferred_name", value: "Ọlá Fictif", dataKey: dataKey, organisationID: "o1", caseID: "c1")
        #expect(try Envelope.open(field: "preferred_name", sealed: sealed, dataKey: dataKey, organisationID: "o1", caseID: "c1") == "Ọlá Fictif")
        #expect(!String(decoding: sealed, as: UTF8.self).contains("Fictif"))
        // Moved to another field, case or organisation: refused.
        #expect(throws: Envelope.Failure.cannotOpen) {
            try Envelope.open(field: "legal_name", sealed: sealed, dataKey: dataKey, organisationID: "o1", caseID: "c1")
        }
        #expect(throws: Envelope.Failure.cannotOpen) {
            try Envelope.open(field: "preferred_name", sealed: sealed, dataKey: dataKey, organisationID: "o1", caseID: "c2")
        }
        #expect(throws: Envelope.Failure.cannotOpen) {
            try Envelope.open(field: "preferred_name", sealed: sealed, dataKey: dataKey, organisationID: "o2", caseID: "c1")
        }
        #expect(throws: Envelope.Failure.cannotOpen) {
            try Envelope.open(field: "preferred_name", sealed: sealed, dataKey: Envelope.newKey(), organisationID: "o1", caseID: "c1")
        }
    }

    @Test func dataKeysAreWrappedByTheMasterKeyAndBound() throws {
        let dataKey = Envelope.newKey()
        let wrapped = try Envelope.wrap(dataKey: dataKey, master: master, organisationID: "o1", caseID: "c1")
        let unwrapped = try Envelope.unwrap(wrapped, master: master, organisationID: "o1", caseID: "c1")
        #expect(unwrapped == dataKey)
        #expect(throws: Envelope.Failure.cannotOpen) { try Envelope.unwrap(wrapped, master: Envelope.newKey(), organisationID: "o1", caseID: "c1") }
        #expect(throws: Envelope.Failure.cannotOpen) { try Envelope.unwrap(wrapped, master: master, organisationID: "o1", caseID: "c9") }
    }

    @Test func keyCheckTellsWhetherTheMasterKeyIsTheRightOne() throws {
        let check = try Envelope.makeKeyCheck(master: master)
        #expect(Envelope.verifyKeyCheck(check, master: master))
        #expect(!Envelope.verifyKeyCheck(check, master: Envelope.newKey()))
    }

    @Test func masterKeysAreReadFromBase64() throws {
        #expect(throws: Envelope.Failure.badKeyLength) { try Envelope.key(fromBase64: "c2hvcnQ=") }
        let text = Envelope.base64(master)
        #expect(try Envelope.key(fromBase64: text + "\n") == master)
    }

    @Test func blindIndexIsKeyedPerOrganisationAndMatchesWholeTokens() {
        let here = BlindIndex(master: master, organisationID: "o1")
        let there = BlindIndex(master: master, organisationID: "o2")
        #expect(here.terms(for: "Nguyễn Thị Démo") == here.terms(for: "nguyen thi demo"))
        #expect(Set(here.terms(for: "Nguyễn")).isSubset(of: Set(here.terms(for: "Nguyễn Thị Démo"))))
        #expect(here.terms(for: "Nguyễn") != there.terms(for: "Nguyễn"))
        #expect(here.terms(for: "Ngu") != here.terms(for: "Nguyễn"))
    }

    @Test(arguments: [
        ("Nguyễn Thị Démo", ["nguyen", "thi", "demo"]),
        ("Ọlá-Adé Fictif", ["ola", "ade", "olaade", "fictif"]),
        ("فاطمة تجريبية", ["فاطمه", "تجريبيه"]),
        ("  María  José\tEjemplo ", ["maria", "jose", "ejemplo"]),
        ("<script>", ["script"]),
    ])
    func namesAreCutIntoFoldedTokens(name: String, expected: [String]) {
        let tokens = NameTokens.tokens(name)
        #expect(tokens.count == expected.count)
        if name.unicodeScalars.allSatisfy({ $0.value < 0x0600 }) { #expect(tokens == expected) }
    }
}

@Suite struct CaseFileTests {
    @Test func referencesFormatAndParse() {
        let reference = CaseReference(organisationCode: "MRF", year: 2026, number: 7)
        #expect(reference.description == "MRF-2026-0007")
        #expect(CaseReference("mrf-2026-0007") == reference)
        #expect(CaseReference("MRF-26-7") == nil)
        #expect(CaseReference("<b>-2026-0001") == nil)
    }

    @Test func organisationCodesAreInitials() {
        #expect(CaseReference.code(forOrganisationName: "Maison Refuge-Fictif (démo)") == "MRF")
        #expect(CaseReference.code(forOrganisationName: "Ligne d'écoute Fictive (démo)") == "LEF")
        #expect(CaseReference.code(forOrganisationName: "…") == "ORG")
    }

    @Test func birthDatesMustExistAndNotBeInTheFuture() {
        let today = DateComponents(year: 2026, month: 11, day: 29)
        #expect(CaseRules.parseBirthDate("1990-02-28", today: today) == .success(DateComponents(year: 1990, month: 2, day: 28)))
        #expect(CaseRules.parseBirthDate("", today: today) == .success(nil))
        #expect(CaseRules.parseBirthDate("1990-02-30", today: today) == .failure(.dateInvalid))
        #expect(CaseRules.parseBirthDate("hier", today: today) == .failure(.dateInvalid))
        #expect(CaseRules.parseBirthDate("2026-11-30", today: today) == .failure(.dateInFuture))
        #expect(CaseRules.parseBirthDate("1850-01-01", today: today) == .failure(.dateTooOld))
    }

    @Test func namesAreRequiredOnlyWhereSaidAndBounded() {
        #expect(CaseRules.checkName("  ", required: true) == .required)
        #expect(CaseRules.checkName("", required: false) == nil)
        #expect(CaseRules.checkName(String(repeating: "a", count: 201), required: false) == .tooLong)
        #expect(CaseRules.checkName("Ẹ̀kọ́ Fictif", required: true) == nil)
    }

    @Test func closedStatuses() {
        #expect(CaseStatus.closed.isClosed && CaseStatus.closedReferred.isClosed)
        #expect(!CaseStatus.active.isClosed && !CaseStatus.followUp.isClosed)
    }
}
