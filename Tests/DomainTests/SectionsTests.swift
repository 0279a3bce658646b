import Domain
import Foundation
import Testing

@Suite struct ConsentRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aWithdrawalTakesEffectAtOnce() {
        var records = [ConsentRecord(kind: .statistics, partner: nil, givenOn: now.addingTimeInterval(-86_400), withdrawnAt: nil)]
        #expect(ConsentRules.isGranted(.statistics, in: records, at: now))
        records[0].withdrawnAt = now.addingTimeInterval(-1)
        #expect(!ConsentRules.isGranted(.statistics, in: records, at: now))
    }

    @Test func sharingIsPerNamedPartner() {
        let records = [ConsentRecord(kind: .share, partner: "Clinique Fictive", givenOn: now.addingTimeInterval(-10), withdrawnAt: nil)]
        #expect(ConsentRules.isGranted(.share, partner: "clinique fictive", in: records, at: now))
        #expect(!ConsentRules.isGranted(.share, partner: "Autre organisme", in: records, at: now))
        #expect(!ConsentRules.isGranted(.collect, in: records, at: now))
    }

    @Test func aConsentGivenLaterIsNotYetInForce() {
        let records = [ConsentRecord(kind: .collect, partner: nil, givenOn: now.addingTimeInterval(86_400), withdrawnAt: nil)]
        #expect(!ConsentRules.isGranted(.collect, in: records, at: now))
    }
}

@Suite struct ValueListTests {
    @Test func unknownValuesAreRefusedWhole() {
        #expect(ExploitationType.parseAll(["ForcedLabour", "SexualExploitation", "ForcedLabour"]) == [.forcedLabour, .sexualExploitation])
        #expect(ExploitationType.parseAll(["ForcedLabour", "Piracy"]) == nil)
        #expect(ExploitationType.parseAll([]) == [])
    }

    @Test func htcdsNamesAreKept() {
        #expect(TraffickingStatus.possible.rawValue == "PossibleVictimOfTrafficking")
        #expect(LabourIndustry.households.rawValue == "T_ActivitiesOfHouseholdsAsEmployers")
        #expect(ControlMethod.withholdsDocuments.labelKey == "htcds.control.WithholdsDocuments")
    }

    @Test func daysParseOnlyWhenTheyExist() {
        #expect(DayParser.parse("2026-02-28") != nil)
        #expect(DayParser.parse("2026-02-29") == nil)
        #expect(DayParser.parse("28/02/2026") == nil)
        #expect(DayParser.format(DayParser.date(DayParser.parse("2024-02-29")!)) == "2024-02-29")
    }
}
