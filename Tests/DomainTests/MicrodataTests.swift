import Domain
import Testing

@Suite struct MicrodataTests {
    static func random(_ count: Int, seed: UInt64) -> [Microdata.Case] {
        var generator = SplitMix(seed: seed)
        return (0..<count).map { _ in
            Microdata.Case(
                year: Int.random(in: 2021...2026, using: &generator),
                gender: ["Feminine", "Masculine", "NonConforming"].randomElement(using: &generator)!,
                ageBand: ["under_18", "18_24", "25_34", "35_44", "45_59", "60_plus", ""].randomElement(using: &generator)!,
                citizenshipRegion: ["americas", "asia", "africa", "europe", "not_recorded"].randomElement(using: &generator)!,
                province: Province.allCases.randomElement(using: &generator)!,
                exploitation: [["ForcedLabour"], ["SexualExploitation"], ["ForcedLabour", "SexualExploitation"], []].randomElement(
                    using: &generator)!,
                immigrationStatus: ["tfwp", "no_status", "citizen", "refugee_claimant"].randomElement(using: &generator)!)
        }
    }

    @Test func quasiIdentifiersAreGeneralisedFirst() {
        #expect(Microdata.wideAge("25_34") == "18_34" && Microdata.wideAge("45_59") == "35_59" && Microdata.wideAge("") == "not_recorded")
        #expect(Microdata.region(.PE) == "atlantic" && Microdata.region(.SK) == "west" && Microdata.region(.NU) == "north")
        #expect(Microdata.twoYears(2025) == "2025-2026" && Microdata.twoYears(2026) == "2025-2026" && Microdata.twoYears(2027) == "2027-2028")
    }

    @Test(arguments: [(40, 1), (300, 2), (1_000, 3), (12, 4)])
    func everyRowSharesItsQuasiIdentifiersWithAtLeastTenOthers(count: Int, seed: Int) {
        // setup
        let cases = Self.random(count, seed: UInt64(seed))
        // MUT
        let release = Microdata.anonymise(cases, k: 11)
        // validate: k-anonymity, every case published, the suppressions counted.
        #expect(release.rows.count == count)
        #expect(Microdata.smallestClass(release.rows) ?? 11 >= 11)
        #expect(release.suppressions == release.rows.flatMap { $0 }.filter { $0 == Microdata.suppressed }.count)
    }

    @Test func fewerThanKCasesPublishNothing() {
        #expect(Microdata.anonymise(Self.random(10, seed: 9), k: 11).isEmpty)
    }

    @Test func aCrowdNeedsNoSuppression() {
        let one = Microdata.Case(
            year: 2026, gender: "Feminine", ageBand: "25_34", citizenshipRegion: "americas", province: .AB, exploitation: ["ForcedLabour"],
            immigrationStatus: "tfwp")
        let release = Microdata.anonymise(Array(repeating: one, count: 11), k: 11)
        #expect(release.suppressions == 0 && release.rows.first == ["americas", "tfwp", "18_34", "Feminine", "ForcedLabour", "2025-2026", "west"])
    }

    @Test(arguments: [
        ("Mexique", "americas"), ("les Philippines", "asia"), ("Éthiopie", "africa"), ("UKRAINE", "europe"), ("", "not_recorded"),
        ("Atlantide", "other"),
    ])
    func aCountryIsPublishedAsItsRegion(country: String, region: String) {
        #expect(CitizenshipRegion.of(country) == region)
    }
}
