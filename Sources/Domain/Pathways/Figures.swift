import Foundation

/// Organisation figures by pathway and province (issue: how long each kind of application takes
/// and how often it is approved, with and without a complete checklist at submission).
public enum PathwayFigures {
    public struct Record: Sendable {
        public var pathwayCode: String
        public var province: String
        public var state: ApplicationState
        public var submitted: Day?
        public var decided: Day?
        public var validFrom: Day?
        public var validTo: Day?
        public var completeAtSubmission: Bool?

        public init(
            pathwayCode: String, province: String, state: ApplicationState, submitted: Day?, decided: Day?, validFrom: Day?, validTo: Day?,
            completeAtSubmission: Bool?
        ) {
            self.pathwayCode = pathwayCode
            self.province = province
            self.state = state
            self.submitted = submitted
            self.decided = decided
            self.validFrom = validFrom
            self.validTo = validTo
            self.completeAtSubmission = completeAtSubmission
        }
    }

    public struct Row: Sendable, Equatable {
        public var pathwayCode: String
        public var province: String
        public var applications: Int
        public var decided: Int
        public var approvalRate: Double?
        public var medianProcessing: Int?
        public var p90Processing: Int?
        public var medianValidity: Int?
        public var medianProcessingComplete: Int?
        public var medianProcessingIncomplete: Int?
    }

    public static func rows(_ records: [Record]) -> [Row] {
        let groups = Dictionary(grouping: records) { "\($0.pathwayCode)|\($0.province)" }
        return groups.values.map { group in
            let decided = group.filter { $0.state == .approved || $0.state == .refused }
            let approved = decided.filter { $0.state == .approved }
            func processing(_ items: [Record]) -> [Int] {
                items.compactMap { ApplicationFigures.processingBusinessDays(submitted: $0.submitted, decided: $0.decided) }
            }
            let all = processing(decided)
            return Row(
                pathwayCode: group[0].pathwayCode, province: group[0].province, applications: group.count, decided: decided.count,
                approvalRate: decided.isEmpty ? nil : Double(approved.count) / Double(decided.count),
                medianProcessing: ApplicationFigures.percentile(all, 0.5), p90Processing: ApplicationFigures.percentile(all, 0.9),
                medianValidity: ApplicationFigures.percentile(
                    approved.compactMap { ApplicationFigures.validityDays(from: $0.validFrom, to: $0.validTo) }, 0.5),
                medianProcessingComplete: ApplicationFigures.percentile(processing(decided.filter { $0.completeAtSubmission == true }), 0.5),
                medianProcessingIncomplete: ApplicationFigures.percentile(processing(decided.filter { $0.completeAtSubmission == false }), 0.5))
        }.sorted { ($0.pathwayCode, $0.province) < ($1.pathwayCode, $1.province) }
    }

    /// Counts by pathway, province and state, as a database's GROUP BY gives them.
    public struct Tally: Sendable {
        public var pathwayCode: String
        public var province: String
        public var state: ApplicationState
        public var count: Int

        public init(pathwayCode: String, province: String, state: ApplicationState, count: Int) {
            self.pathwayCode = pathwayCode
            self.province = province
            self.state = state
            self.count = count
        }
    }

    /// The series whose percentiles the figures show: processing business days of decided
    /// applications (all, with and without a complete checklist) and validity days granted.
    public enum Series: String, Sendable, CaseIterable {
        case processing, complete, incomplete, validity
    }

    /// One value of a series at its rank (1-based, ascending) among `count` values of its
    /// pathway and province: what a window function (ROW_NUMBER, COUNT OVER) returns.
    public struct Ranked: Sendable {
        public var series: Series
        public var pathwayCode: String
        public var province: String
        public var value: Int
        public var rank: Int
        public var count: Int

        public init(series: Series, pathwayCode: String, province: String, value: Int, rank: Int, count: Int) {
            self.series = series
            self.pathwayCode = pathwayCode
            self.province = province
            self.value = value
            self.rank = rank
            self.count = count
        }
    }

    /// The nearest rank of percentile `p` (in hundredths) among `count` values: ceil(p × count),
    /// in integers so a database computes the same (`(count × p + 99) / 100`).
    public static func nearestRank(percent: Int, count: Int) -> Int { max(1, (count * percent + 99) / 100) }

    /// The same rows as `rows(_:)`, from counts and the ranked values at the median and the 90th
    /// percentile, so the database does the sorting and only a few dozen rows travel.
    public static func rows(tallies: [Tally], ranked: [Ranked]) -> [Row] {
        struct Key: Hashable {
            let code: String
            let province: String
        }
        var percentiles: [Key: [Series: [Int: Int]]] = [:]
        var sizes: [Key: [Series: Int]] = [:]
        for item in ranked {
            let key = Key(code: item.pathwayCode, province: item.province)
            percentiles[key, default: [:]][item.series, default: [:]][item.rank] = item.value
            sizes[key, default: [:]][item.series] = item.count
        }
        func value(_ key: Key, _ series: Series, percent: Int) -> Int? {
            guard let count = sizes[key]?[series] else { return nil }
            return percentiles[key]?[series]?[nearestRank(percent: percent, count: count)]
        }
        return Dictionary(grouping: tallies) { Key(code: $0.pathwayCode, province: $0.province) }.map { key, group in
            func count(_ states: Set<ApplicationState>) -> Int { group.filter { states.contains($0.state) }.reduce(0) { $0 + $1.count } }
            let decided = count([.approved, .refused]), approved = count([.approved])
            return Row(
                pathwayCode: key.code, province: key.province, applications: group.reduce(0) { $0 + $1.count }, decided: decided,
                approvalRate: decided == 0 ? nil : Double(approved) / Double(decided),
                medianProcessing: value(key, .processing, percent: 50), p90Processing: value(key, .processing, percent: 90),
                medianValidity: value(key, .validity, percent: 50),
                medianProcessingComplete: value(key, .complete, percent: 50),
                medianProcessingIncomplete: value(key, .incomplete, percent: 50))
        }.sorted { ($0.pathwayCode, $0.province) < ($1.pathwayCode, $1.province) }
    }
}
