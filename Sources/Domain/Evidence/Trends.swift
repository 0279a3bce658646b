/// What one counted case contributes to the network's figures, and the fixed tables built from
/// those contributions. A case contributes only while its consent to statistics stands and once
/// its province is recorded; nothing here names a person, a case or an organisation.
public enum EvidenceDimension: String, CaseIterable, Sendable, Codable, CodingKeyRepresentable {
    /// One value, "all": the case itself (cases by province and period).
    case cases
    case exploitation, scope, status, indigenous, immigration, industry, control, fees, licensed
    /// "<gender>|<age band>".
    case genderAge = "gender_age"
    /// "<need>|<status>".
    case needs
    /// "<pathway code>": one per application.
    case permits
    /// "<pathway code>|approved" or "|refused": decided applications.
    case permitDecisions = "permit_decisions"
    /// "<pathway code>|complete|<business days>" or "|incomplete|…": processing time of decided applications.
    case permitDays = "permit_days"
    /// "<pathway code>|<days>": validity granted.
    case permitValidity = "permit_validity"
    /// The world region of the person's country of origin (`CitizenshipRegion`): for the microdata.
    case citizenship
    /// The contributing organisation (its id): counted, never shown or named.
    case organisation
}

/// HTCDS 2.0 `prs_Gender`: the coded gender counted in statistics (the person's own words stay in
/// the case as gender identity).
public enum GenderCode: String, CatalogValue {
    public static let catalogPrefix = "htcds.gender"
    case feminine = "Feminine", masculine = "Masculine", transgenderFeminine = "TransgenderFeminine",
        transgenderMasculine = "TransgenderMasculine", nonConforming = "NonConforming", unknown = "NonSpecifiedUnknown"
}

/// Recruitment fees paid, in bands (never the amount).
public enum FeeBand: String, CatalogValue {
    public static let catalogPrefix = "evidence.fees"
    case none, under1000 = "under_1000", from1000to4999 = "1000_4999", from5000to9999 = "5000_9999", over10000 = "10000_plus"

    public static func band(cents: Int) -> FeeBand {
        switch cents {
        case ...0: .none
        case ..<100_000: .under1000
        case ..<500_000: .from1000to4999
        case ..<1_000_000: .from5000to9999
        default: .over10000
        }
    }
}

/// A case's contribution: the month it was opened, its province, its organisation and its coded values.
public struct EvidenceFact: Sendable, Equatable, Codable {
    public var organisationID: String
    public var province: Province
    /// "YYYY-MM".
    public var month: String
    /// Values by dimension; a value may repeat (two applications of the same pathway).
    public var values: [EvidenceDimension: [String]]

    public init(organisationID: String, province: Province, month: String, values: [EvidenceDimension: [String]]) {
        self.organisationID = organisationID
        self.province = province
        self.month = month
        var values = values.mapValues { $0.sorted() }.filter { !$0.value.isEmpty }
        values[.cases] = ["all"]
        values[.organisation] = [organisationID]
        self.values = values
    }

    public struct Key: Hashable, Sendable, Comparable {
        public let dimension: EvidenceDimension
        public let value: String
        public let month: String
        public let province: Province

        public init(dimension: EvidenceDimension, value: String, month: String, province: Province) {
            self.dimension = dimension
            self.value = value
            self.month = month
            self.province = province
        }

        public static func < (a: Key, b: Key) -> Bool {
            (a.dimension.rawValue, a.value, a.month, a.province.rawValue) < (b.dimension.rawValue, b.value, b.month, b.province.rawValue)
        }
    }

    /// What the fact adds to the kept counts.
    public var counts: [Key: Int] {
        var counts: [Key: Int] = [:]
        for (dimension, list) in values {
            for value in list { counts[Key(dimension: dimension, value: value, month: month, province: province), default: 0] += 1 }
        }
        return counts
    }

    /// The change to the kept counts when a case's contribution goes from `old` to `new` (either nil).
    public static func delta(from old: EvidenceFact?, to new: EvidenceFact?) -> [Key: Int] {
        var delta = new?.counts ?? [:]
        for (key, n) in old?.counts ?? [:] { delta[key, default: 0] -= n }
        return delta.filter { $0.value != 0 }
    }
}

/// A period of whole months, both ends included.
public struct EvidencePeriod: Sendable, Equatable {
    public let from: Month
    public let to: Month

    public struct Month: Sendable, Hashable, Comparable, CustomStringConvertible {
        public let year: Int
        public let month: Int

        public init?(_ text: String) {
            let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let month = Int(parts[1]),
                (2000...2200).contains(year), (1...12).contains(month)
            else { return nil }
            self.init(year: year, month: month)
        }

        public init(year: Int, month: Int) {
            self.year = year
            self.month = month
        }

        public var description: String { "\(year)-\(month < 10 ? "0" : "")\(month)" }
        public var quarter: Int { (month - 1) / 3 + 1 }
        public var index: Int { year * 12 + month - 1 }
        public static func < (a: Month, b: Month) -> Bool { a.index < b.index }
        public func adding(months n: Int) -> Month { Month(year: (index + n) / 12, month: (index + n) % 12 + 1) }
    }

    public enum Problem: String, Sendable, Equatable {
        case unreadableFrom = "evidence.error.from", unreadableTo = "evidence.error.to", reversed = "evidence.error.reversed",
            tooLong = "evidence.error.too_long", future = "evidence.error.future"
    }

    /// The longest period a page shows: ten years.
    public static let maximumMonths = 120

    public init(from: Month, to: Month) {
        self.from = from
        self.to = to
    }

    /// Reads a period typed as two months; the field at fault and why when it cannot be used.
    public static func parse(from: String, to: String, current: Month) -> Result<EvidencePeriod, FieldProblem> {
        guard let start = Month(from) else { return .failure(FieldProblem(field: "from", problem: .unreadableFrom)) }
        guard let end = Month(to) else { return .failure(FieldProblem(field: "to", problem: .unreadableTo)) }
        guard start <= end else { return .failure(FieldProblem(field: "to", problem: .reversed)) }
        guard end <= current else { return .failure(FieldProblem(field: "to", problem: .future)) }
        guard end.index - start.index < maximumMonths else { return .failure(FieldProblem(field: "from", problem: .tooLong)) }
        return .success(EvidencePeriod(from: start, to: end))
    }

    public struct FieldProblem: Error, Sendable, Equatable {
        public let field: String
        public let problem: Problem
    }

    /// The last twelve months to `current`.
    public static func lastYear(to current: Month) -> EvidencePeriod { EvidencePeriod(from: current.adding(months: -11), to: current) }

    public var months: [String] { (from.index...to.index).map { Month(year: $0 / 12, month: $0 % 12 + 1).description } }

    /// The quarters the period touches, as "YYYY-Qn", in order.
    public var quarters: [String] {
        var seen: [String] = []
        for index in from.index...to.index {
            let month = Month(year: index / 12, month: index % 12 + 1)
            let quarter = "\(month.year)-Q\(month.quarter)"
            if seen.last != quarter { seen.append(quarter) }
        }
        return seen
    }

    public static func quarter(ofMonth text: String) -> String? {
        Month(text).map { "\($0.year)-Q\($0.quarter)" }
    }
}

/// The network's fixed tables: each one a dimension's values by province (or the one special
/// shape it has), never a free-form query.
public enum TrendTable: String, CaseIterable, Sendable {
    case casesByPeriod = "cases-by-period"
    case exploitation, scope, status
    case genderAge = "gender-age"
    case indigenous, immigration, industry, control, fees, licensed, needs, permits

    public var dimension: EvidenceDimension {
        switch self {
        case .casesByPeriod: .cases
        case .exploitation: .exploitation
        case .scope: .scope
        case .status: .status
        case .genderAge: .genderAge
        case .indigenous: .indigenous
        case .immigration: .immigration
        case .industry: .industry
        case .control: .control
        case .fees: .fees
        case .licensed: .licensed
        case .needs: .needs
        case .permits: .permits
        }
    }

    /// The catalog key of the table's title; its definition is `<key>.definition`.
    public var titleKey: String { "evidence.table.\(rawValue)" }

    /// A case can count in more than one row (several exploitation types, means of control, needs,
    /// applications): the totals are then mentions, not people, and the definition says so.
    public var countsMentions: Bool { [.exploitation, .control, .needs, .permits].contains(self) }
}

/// A table before protection: labelled rows and columns of counts.
public struct TrendGrid: Sendable, Equatable {
    /// Codes: the page turns them into words in the reader's language.
    public let rows: [String]
    public let columns: [String]
    public let counts: CountTable

    public init(rows: [String], columns: [String], counts: CountTable) {
        self.rows = rows
        self.columns = columns
        self.counts = counts
    }

    /// Builds a table from kept counts: `cell(row, column)` of each (value, month, province) count.
    /// `rows` and `columns` fix the order (every value in its list, zeros included).
    public static func build(
        rows: [String], columns: [String], counts: [(value: String, month: String, province: Province, count: Int)],
        place: (_ value: String, _ month: String, _ province: Province) -> (row: String, column: String)?
    ) -> TrendGrid {
        let rowIndex = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let columnIndex = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        var cells = Array(repeating: Array(repeating: 0, count: columns.count), count: rows.count)
        for entry in counts {
            guard let (row, column) = place(entry.value, entry.month, entry.province), let i = rowIndex[row], let j = columnIndex[column]
            else { continue }
            cells[i][j] += entry.count
        }
        return TrendGrid(rows: rows, columns: columns, counts: CountTable(cells))
    }
}

/// A protected table as CSV lines: row labels first, a header of column labels, `Total` last in
/// each line and as the last line, suppressed values written `x` (Statistics Canada's convention).
public enum TrendCSV {
    public static func lines(
        _ table: ProtectedTable, title: String, rowLabels: [String], columnLabels: [String], total: String
    ) -> [[String]] {
        var lines = [[title] + columnLabels + [total]]
        for (i, label) in (rowLabels + [total]).enumerated() {
            lines.append([label] + table.grid[i].map { $0.map(String.init) ?? "x" })
        }
        return lines
    }
}

/// Medians from kept counts of values (a histogram), only for groups of at least k.
public enum Histogram {
    public static func median(_ counts: [Int: Int], rules: SuppressionRules) -> Double? {
        let n = counts.values.reduce(0, +)
        guard n >= rules.k else { return nil }
        let sorted = counts.keys.sorted()
        func value(at rank: Int) -> Int {
            var seen = 0
            for key in sorted {
                seen += counts[key]!
                if seen > rank { return key }
            }
            return sorted.last!
        }
        return n % 2 == 1 ? Double(value(at: n / 2)) : Double(value(at: n / 2 - 1) + value(at: n / 2)) / 2
    }
}
