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

        public init(pathwayCode: String, province: String, state: ApplicationState, submitted: Day?, decided: Day?, validFrom: Day?, validTo: Day?,
                    completeAtSubmission: Bool?) {
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
            return Row(pathwayCode: group[0].pathwayCode, province: group[0].province, applications: group.count, decided: decided.count,
                       approvalRate: decided.isEmpty ? nil : Double(approved.count) / Double(decided.count),
                       medianProcessing: ApplicationFigures.percentile(all, 0.5), p90Processing: ApplicationFigures.percentile(all, 0.9),
                       medianValidity: ApplicationFigures.percentile(approved.compactMap { ApplicationFigures.validityDays(from: $0.validFrom, to: $0.validTo) }, 0.5),
                       medianProcessingComplete: ApplicationFigures.percentile(processing(decided.filter { $0.completeAtSubmission == true }), 0.5),
                       medianProcessingIncomplete: ApplicationFigures.percentile(processing(decided.filter { $0.completeAtSubmission == false }), 0.5))
        }.sorted { ($0.pathwayCode, $0.province) < ($1.pathwayCode, $1.province) }
    }

    /// A CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection).
    public static func csvCell(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
        if value.contains(where: { ",\"\n\r".contains($0) }) { value = "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        return value
    }
}
