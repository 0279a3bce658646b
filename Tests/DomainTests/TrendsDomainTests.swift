import Domain
import Testing

/// The evidence module's rules without a database: contributions and their deltas, periods,
/// medians from kept counts, fee bands and the CSV shape.
@Suite struct TrendsDomainTests {
    static func fact(_ values: [EvidenceDimension: [String]], province: Province = .AB, month: String = "2026-03") -> EvidenceFact {
        EvidenceFact(organisationID: "org", province: province, month: month, values: values)
    }

    @Test func aContributionCountsTheCaseItsOrganisationAndEachValue() {
        let fact = Self.fact([.exploitation: ["ForcedLabour", "Servitude"], .scope: ["international"]])
        let counts = fact.counts
        #expect(counts[.init(dimension: .cases, value: "all", month: "2026-03", province: .AB)] == 1)
        #expect(counts[.init(dimension: .organisation, value: "org", month: "2026-03", province: .AB)] == 1)
        #expect(counts[.init(dimension: .exploitation, value: "Servitude", month: "2026-03", province: .AB)] == 1)
        #expect(counts.count == 5)
    }

    @Test func theDeltaOfAChangeAddsTheNewAndTakesTheOldAway() {
        let old = Self.fact([.scope: ["domestic"]]), new = Self.fact([.scope: ["international"]])
        let delta = EvidenceFact.delta(from: old, to: new)
        #expect(
            delta == [
                .init(dimension: .scope, value: "domestic", month: "2026-03", province: .AB): -1,
                .init(dimension: .scope, value: "international", month: "2026-03", province: .AB): 1,
            ])
        #expect(EvidenceFact.delta(from: old, to: old).isEmpty)
        #expect(EvidenceFact.delta(from: old, to: nil).values.allSatisfy { $0 == -1 })
        #expect(EvidenceFact.delta(from: nil, to: new).values.allSatisfy { $0 == 1 })
    }

    @Test(arguments: [
        ("2026-01", "2026-12", nil), ("2026-13", "2026-12", "from"), ("2026-1", "2026-12", "from"), ("2026-01", "x", "to"),
        ("2026-06", "2026-01", "to"), ("2026-01", "2027-01", "to"), ("2010-01", "2026-12", "from"),
    ])
    func periodsAreReadOrRefusedWithTheirField(from: String, to: String, field: String?) {
        let result = EvidencePeriod.parse(from: from, to: to, current: EvidencePeriod.Month(year: 2026, month: 12))
        switch result {
        case .success: #expect(field == nil)
        case .failure(let problem): #expect(problem.field == field)
        }
    }

    @Test func quartersAndMonthsOfAPeriod() {
        let period = EvidencePeriod(from: .init(year: 2025, month: 11), to: .init(year: 2026, month: 4))
        #expect(period.months == ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04"])
        #expect(period.quarters == ["2025-Q4", "2026-Q1", "2026-Q2"])
        #expect(EvidencePeriod.lastYear(to: .init(year: 2026, month: 1)).from == .init(year: 2025, month: 2))
    }

    @Test func mediansOnlyForGroupsOfAtLeastK() {
        #expect(Histogram.median([3: 2, 5: 2], rules: .dashboard) == nil)
        #expect(Histogram.median([3: 2, 5: 2, 9: 1], rules: .dashboard) == 5)
        #expect(Histogram.median([2: 3, 4: 3], rules: .dashboard) == 3)
    }

    @Test func feesInBandsNeverTheAmount() {
        #expect(FeeBand.band(cents: 0) == .none)
        #expect(FeeBand.band(cents: 99_999) == .under1000)
        #expect(FeeBand.band(cents: 100_000) == .from1000to4999)
        #expect(FeeBand.band(cents: 2_000_000) == .over10000)
    }

    @Test func aTableAsCSVWritesXForSuppressedAndTotalLast() {
        let protected = Suppression.protect(CountTable([[20, 3], [15, 12]]), rules: .export)
        let lines = TrendCSV.lines(protected, title: "T", rowLabels: ["a", "b"], columnLabels: ["c1", "c2"], total: "Total")
        #expect(lines[0] == ["T", "c1", "c2", "Total"])
        #expect(lines.last?.first == "Total" && lines.count == 4)
        #expect(lines[1][2] == "x")
        for line in lines.dropFirst() { for cell in line.dropFirst() { #expect(cell == "x" || (Int(cell) ?? 0) >= 11 || cell == "0") } }
    }
}
