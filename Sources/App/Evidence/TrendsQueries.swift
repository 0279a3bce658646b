import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// The network's fixed tables from the kept counts (`evidence_counts`): a few grouped reads,
/// whatever the number of cases, then the privacy engine. Nothing here reads a case.
enum TrendsQueries {
    struct Selection: Sendable, Equatable {
        let period: EvidencePeriod
        let provinces: [Province]
    }

    /// Counts of the selection, by dimension, value and province (months summed), and the cases by month and province.
    struct Counts: Sendable {
        var byProvince: [EvidenceDimension: [(value: String, province: Province, count: Int)]] = [:]
        var casesByMonth: [(month: String, province: Province, count: Int)] = []
        var organisations = 0
    }

    /// The counts of the selection — the network's, or one organisation's own — read again only
    /// when the kept counts' stamp has moved since they were last read.
    static func counts(
        _ selection: Selection, organisationID: UUID? = nil, stamp known: Int? = nil, cache: TrendsCache, on db: any Database
    ) async throws -> Counts {
        let stamp: Int
        if let known { stamp = known } else { stamp = try await EvidenceStamp.current(on: db as! any SQLDatabase) }
        let key = TrendsCache.Key(
            from: selection.period.from.description, to: selection.period.to.description, provinces: selection.provinces.map(\.rawValue),
            organisation: organisationID)
        return try await cache.counts.value(key, stamp: stamp) {
            if let organisationID {
                Self.counts(selection, of: try await EvidenceFacts.facts(organisationID: organisationID, on: db))
            } else {
                try await Self.counts(selection, on: db)
            }
        }
    }

    static func counts(_ selection: Selection, on db: any Database) async throws -> Counts {
        let sql = db as! any SQLDatabase
        let from = selection.period.from.description, to = selection.period.to.description
        let provinces = SQLList(selection.provinces.map { SQLBind($0.rawValue) })
        struct Grouped: Decodable {
            let dimension: String
            let value: String
            let province: String
            let count: Int
        }
        struct Monthly: Decodable {
            let month: String
            let province: String
            let count: Int
        }
        struct Contributors: Decodable { let n: Int }
        var counts = Counts()
        let grouped = try await sql.raw(
            """
            SELECT dimension, value, province, CAST(SUM(count) AS BIGINT) AS count FROM evidence_counts
            WHERE month >= \(bind: from) AND month <= \(bind: to) AND province IN (\(provinces))
            AND dimension NOT IN ('cases', 'organisation')
            GROUP BY dimension, value, province
            """
        ).all(decoding: Grouped.self)
        for row in grouped {
            guard let dimension = EvidenceDimension(rawValue: row.dimension), let province = Province(rawValue: row.province) else { continue }
            counts.byProvince[dimension, default: []].append((row.value, province, row.count))
        }
        counts.casesByMonth = try await sql.raw(
            """
            SELECT month, province, CAST(SUM(count) AS BIGINT) AS count FROM evidence_counts
            WHERE dimension = 'cases' AND month >= \(bind: from) AND month <= \(bind: to) AND province IN (\(provinces))
            GROUP BY month, province
            """
        ).all(decoding: Monthly.self).compactMap { row in Province(rawValue: row.province).map { (row.month, $0, row.count) } }
        counts.organisations =
            try await sql.raw(
                """
                SELECT COUNT(DISTINCT value) AS n FROM evidence_counts
                WHERE dimension = 'organisation' AND count > 0 AND month >= \(bind: from) AND month <= \(bind: to) AND province IN (\(provinces))
                """
            ).first(decoding: Contributors.self)?.n ?? 0
        return counts
    }

    /// The same counts from one organisation's own contributions (a supervisor's figures).
    static func counts(_ selection: Selection, of facts: [EvidenceFact]) -> Counts {
        let months = Set(selection.period.months), provinces = Set(selection.provinces)
        var byProvince: [EvidenceDimension: [String: [Province: Int]]] = [:]
        var monthly: [String: [Province: Int]] = [:]
        for fact in facts where months.contains(fact.month) && provinces.contains(fact.province) {
            for (key, n) in fact.counts {
                switch key.dimension {
                case .organisation: continue
                case .cases: monthly[key.month, default: [:]][key.province, default: 0] += n
                default: byProvince[key.dimension, default: [:]][key.value, default: [:]][key.province, default: 0] += n
                }
            }
        }
        var counts = Counts()
        counts.organisations = 1
        for (dimension, values) in byProvince {
            counts.byProvince[dimension] = values.flatMap { value, provinces in provinces.map { (value, $0.key, $0.value) } }
        }
        counts.casesByMonth = monthly.flatMap { month, provinces in provinces.map { (month, $0.key, $0.value) } }
        return counts
    }

    /// The code of the table of names shared by several organisations (not one of the fixed
    /// tables of kept counts: read from the red-flag tokens, whatever the period).
    static let sharedNames = "shared-names"

    static func sharedNamesGrid(_ selection: Selection, pathways: [String], on db: any Database) async throws -> TrendGrid {
        let (rows, columns) = layout(.industry, selection, pathways: pathways)
        let counts = try await RedFlagTokens.sharedBySectorAndProvince(on: db).compactMap { row in
            Province(rawValue: row.province).map { (value: row.sector, month: "", province: $0, count: row.count) }
        }
        return TrendGrid.build(rows: rows, columns: columns, counts: counts) { value, _, province in (value, province.rawValue) }
    }

    /// A table's rows and columns (codes, in order) for the selection.
    static func layout(_ table: TrendTable, _ selection: Selection, pathways: [String]) -> (rows: [String], columns: [String]) {
        let provinces = selection.provinces.map(\.rawValue)
        func values<E: RawRepresentable & CaseIterable>(_ type: E.Type, notRecorded: Bool = true) -> [String] where E.RawValue == String {
            E.allCases.map(\.rawValue) + (notRecorded ? ["not_recorded"] : [])
        }
        switch table {
        case .casesByPeriod: return (provinces, selection.period.quarters)
        case .exploitation: return (values(ExploitationType.self), provinces)
        case .scope: return (values(TraffickingScope.self), provinces)
        case .status: return (values(TraffickingStatus.self), provinces)
        case .genderAge: return (values(GenderCode.self, notRecorded: false), values(AgeBand.self))
        case .indigenous: return (values(IndigenousIdentity.self), provinces)
        case .immigration: return (values(ImmigrationStatus.self), provinces)
        case .industry: return (values(LabourIndustry.self), provinces)
        case .control: return (values(ControlMethod.self, notRecorded: false), provinces)
        case .fees: return (values(FeeBand.self), provinces)
        case .licensed: return (["yes", "no", "unknown", "not_recorded"], provinces)
        case .needs: return (values(NeedKind.self, notRecorded: false), values(NeedStatus.self, notRecorded: false))
        case .permits: return (provinces, pathways)
        }
    }

    /// A table's counts before protection.
    static func grid(_ table: TrendTable, _ selection: Selection, counts: Counts, pathways: [String]) -> TrendGrid {
        let (rows, columns) = layout(table, selection, pathways: pathways)
        switch table {
        case .casesByPeriod:
            return TrendGrid.build(rows: rows, columns: columns, counts: counts.casesByMonth.map { ("all", $0.month, $0.province, $0.count) }) {
                _, month, province in EvidencePeriod.quarter(ofMonth: month).map { (province.rawValue, $0) }
            }
        case .genderAge, .needs:
            return TrendGrid.build(rows: rows, columns: columns, counts: entries(counts, table.dimension)) { value, _, _ in
                let parts = value.split(separator: "|").map(String.init)
                return parts.count == 2 ? (parts[0], parts[1]) : nil
            }
        case .permits:
            return TrendGrid.build(rows: rows, columns: columns, counts: entries(counts, .permits)) { value, _, province in (province.rawValue, value)
            }
        default:
            return TrendGrid.build(rows: rows, columns: columns, counts: entries(counts, table.dimension)) { value, _, province in
                (value, province.rawValue)
            }
        }
    }

    private static func entries(_ counts: Counts, _ dimension: EvidenceDimension) -> [(value: String, month: String, province: Province, count: Int)]
    {
        (counts.byProvince[dimension] ?? []).map { ($0.value, "", $0.province, $0.count) }
    }

    /// Permit indicators by province and pathway: each figure only where its group reaches k.
    struct PermitIndicator: Sendable, Equatable {
        let province: Province
        let pathway: String
        let approvalPercent: Int?
        let medianComplete: Double?
        let medianIncomplete: Double?
        let medianValidity: Double?
    }

    static func permitIndicators(_ selection: Selection, counts: Counts, pathways: [String], rules: SuppressionRules) -> [PermitIndicator] {
        var decided: [String: [String: Int]] = [:]  // "province|pathway" → state → n
        var days: [String: [Int: Int]] = [:]  // "province|pathway|complete" → days → n
        var validity: [String: [Int: Int]] = [:]
        for entry in counts.byProvince[.permitDecisions] ?? [] {
            let parts = entry.value.split(separator: "|").map(String.init)
            guard parts.count == 2 else { continue }
            decided["\(entry.province.rawValue)|\(parts[0])", default: [:]][parts[1], default: 0] += entry.count
        }
        for entry in counts.byProvince[.permitDays] ?? [] {
            let parts = entry.value.split(separator: "|").map(String.init)
            guard parts.count == 3, let n = Int(parts[2]) else { continue }
            days["\(entry.province.rawValue)|\(parts[0])|\(parts[1])", default: [:]][n, default: 0] += entry.count
        }
        for entry in counts.byProvince[.permitValidity] ?? [] {
            let parts = entry.value.split(separator: "|").map(String.init)
            guard parts.count == 2, let n = Int(parts[1]) else { continue }
            validity["\(entry.province.rawValue)|\(parts[0])", default: [:]][n, default: 0] += entry.count
        }
        var indicators: [PermitIndicator] = []
        for province in selection.provinces {
            for pathway in pathways {
                let key = "\(province.rawValue)|\(pathway)"
                let states = decided[key] ?? [:]
                let approved = states[ApplicationState.approved.rawValue] ?? 0
                let all = states.values.reduce(0, +)
                let indicator = PermitIndicator(
                    province: province, pathway: pathway, approvalPercent: Disclosure.percentage(approved, of: all, rules: rules),
                    medianComplete: Histogram.median(days[key + "|complete"] ?? [:], rules: rules),
                    medianIncomplete: Histogram.median(days[key + "|incomplete"] ?? [:], rules: rules),
                    medianValidity: Histogram.median(validity[key] ?? [:], rules: rules))
                // A row only where a figure is published: an empty row would tell that a few applications exist.
                if [indicator.approvalPercent.map(Double.init), indicator.medianComplete, indicator.medianIncomplete, indicator.medianValidity]
                    .contains(where: { $0 != nil })
                {
                    indicators.append(indicator)
                }
            }
        }
        return indicators
    }
}
