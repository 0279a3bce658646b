import Foundation

/// Anonymised microdata in the shape of the CTDC k-anonymised dataset: one row per counted case,
/// its quasi-identifiers generalised (age to wide bands, province to region, year to two years)
/// and then single values suppressed in the fewest records, as sdcMicro's local suppression does,
/// until every row shares its quasi-identifiers with at least k − 1 others (a suppressed value
/// matching any). Column names are HTCDS's where it has one, CTDC's otherwise.
public enum Microdata {
    /// The quasi-identifiers, in the order they are given up (the first is suppressed first).
    public static let quasiIdentifiers = [
        "prs_CitizenshipRegion", "immigrationStatus", "ageBroad", "prs_Gender", "vic_TypeOfExploitation", "yearOfRegistration",
        "regionOfRegistration",
    ]
    /// Written where a value was suppressed.
    public static let suppressed = "*"

    /// One counted case before generalisation.
    public struct Case: Sendable, Equatable {
        public let year: Int
        public let gender: String
        public let ageBand: String
        public let citizenshipRegion: String
        public let province: Province
        public let exploitation: [String]
        public let immigrationStatus: String

        public init(
            year: Int, gender: String, ageBand: String, citizenshipRegion: String, province: Province, exploitation: [String],
            immigrationStatus: String
        ) {
            self.year = year
            self.gender = gender
            self.ageBand = ageBand
            self.citizenshipRegion = citizenshipRegion
            self.province = province
            self.exploitation = exploitation
            self.immigrationStatus = immigrationStatus
        }
    }

    public struct Release: Sendable, Equatable {
        /// Rows of values in `quasiIdentifiers` order, sorted (the order says nothing of when a case was opened).
        public let rows: [[String]]
        /// How many single values were suppressed.
        public let suppressions: Int
        /// Fewer than k cases: nothing is published.
        public var isEmpty: Bool { rows.isEmpty }

        public init(rows: [[String]], suppressions: Int) {
            self.rows = rows
            self.suppressions = suppressions
        }
    }

    /// Age bands widened: under 18, 18 to 34, 35 to 59, 60 and over.
    public static func wideAge(_ band: String) -> String {
        switch band {
        case "under_18": "under_18"
        case "18_24", "25_34": "18_34"
        case "35_44", "45_59": "35_59"
        case "60_plus": "60_plus"
        default: "not_recorded"
        }
    }

    /// Provinces and territories in five regions: the Atlantic, Quebec, Ontario, the West (the
    /// Prairies and British Columbia) and the North.
    public static func region(_ province: Province) -> String {
        switch province {
        case .NB, .NS, .PE, .NL: "atlantic"
        case .QC: "quebec"
        case .ON: "ontario"
        case .MB, .SK, .AB, .BC: "west"
        case .YT, .NT, .NU: "north"
        }
    }

    /// Two calendar years: 2025 and 2026 are "2025-2026".
    public static func twoYears(_ year: Int) -> String {
        let start = year - ((year % 2) + 1) % 2
        return "\(start)-\(start + 1)"
    }

    public static func generalised(_ item: Case) -> [String] {
        [
            item.citizenshipRegion, item.immigrationStatus, wideAge(item.ageBand), item.gender,
            item.exploitation.isEmpty ? "not_recorded" : item.exploitation.sorted().joined(separator: ";"), twoYears(item.year),
            region(item.province),
        ]
    }

    /// Whether two rows can be the same person: every value equal, or suppressed in either.
    static func compatible(_ a: [String], _ b: [String]) -> Bool {
        zip(a, b).allSatisfy { $0 == $1 || $0 == suppressed || $1 == suppressed }
    }

    /// Generalises, then suppresses values until every row's class (the rows it cannot be told
    /// apart from) holds at least k rows. Works on the distinct combinations with their counts,
    /// values coded as integers (−1 suppressed), each class size kept up to date as values go.
    public static func anonymise(_ cases: [Case], k: Int) -> Release {
        guard cases.count >= k else { return Release(rows: [], suppressions: 0) }
        let rowsIn = cases.map(generalised)
        let width = quasiIdentifiers.count
        var codes = [[String: Int]](repeating: [:], count: width)
        var names = [[String]](repeating: [], count: width)
        var counted: [[Int]: Int] = [:]
        for row in rowsIn {
            let coded = row.enumerated().map { column, value in
                if let code = codes[column][value] { return code }
                codes[column][value] = names[column].count
                names[column].append(value)
                return names[column].count - 1
            }
            counted[coded, default: 0] += 1
        }
        var patterns = Array(counted.keys).sorted { $0.lexicographicallyPrecedes($1) }
        var counts = patterns.map { counted[$0]! }
        func fits(_ a: [Int], _ b: [Int]) -> Bool {
            for i in 0..<width where a[i] != b[i] && a[i] >= 0 && b[i] >= 0 { return false }
            return true
        }
        var frequency = patterns.map { p in zip(patterns, counts).reduce(0) { fits(p, $1.0) ? $0 + $1.1 : $0 } }
        var suppressions = 0
        while let risky = frequency.indices.filter({ counts[$0] > 0 && frequency[$0] < k }).min(by: { frequency[$0] < frequency[$1] }) {
            let pattern = patterns[risky], count = counts[risky]
            // Blank the value that makes its class largest; on a tie, the one given up first.
            var best: (pattern: [Int], size: Int)?
            for column in 0..<width where pattern[column] >= 0 {
                var candidate = pattern
                candidate[column] = -1
                let size = patterns.indices.reduce(0) { $1 != risky && fits(candidate, patterns[$1]) ? $0 + counts[$1] : $0 } + count
                if best == nil || size > best!.size { best = (candidate, size) }
            }
            guard let best else { break }
            // Move the rows: every class that held the old pattern or holds the new one changes.
            for index in patterns.indices where index != risky {
                if fits(patterns[index], pattern) { frequency[index] -= count }
                if fits(patterns[index], best.pattern) { frequency[index] += count }
            }
            counts[risky] = 0
            if let existing = patterns.firstIndex(of: best.pattern) {
                counts[existing] += count
                frequency[existing] = patterns.indices.reduce(0) { fits(best.pattern, patterns[$1]) ? $0 + counts[$1] : $0 }
            } else {
                patterns.append(best.pattern)
                counts.append(count)
                frequency.append(best.size)
            }
            suppressions += count
        }
        var rows: [[String]] = []
        for (pattern, count) in zip(patterns, counts) where count > 0 {
            let row = pattern.enumerated().map { $1 < 0 ? suppressed : names[$0][$1] }
            rows += Array(repeating: row, count: count)
        }
        return Release(rows: rows.sorted { $0.lexicographicallyPrecedes($1) }, suppressions: suppressions)
    }

    /// The smallest class of a release: what an attacker holding every quasi-identifier of a
    /// person can narrow them down to (k-anonymity holds when it is at least k).
    public static func smallestClass(_ rows: [[String]]) -> Int? {
        rows.map { row in rows.filter { compatible(row, $0) }.count }.min()
    }
}

/// A country of origin, as typed in French or English, to its world region (UN M49): the
/// microdata's citizenship is published as a region, never a country.
public enum CitizenshipRegion {
    static let regions: [String: [String]] = [
        "africa": [
            "nigeria", "ghana", "kenya", "ethiopie", "ethiopia", "cameroun", "cameroon", "senegal", "cote d ivoire", "ivory coast", "congo",
            "rdc", "maroc", "morocco", "algerie", "algeria", "tunisie", "tunisia", "egypte", "egypt", "ouganda", "uganda", "erythree",
            "eritrea", "somalie", "somalia", "soudan", "sudan", "burundi", "rwanda", "guinee", "guinea", "mali", "togo", "benin",
        ],
        "americas": [
            "mexique", "mexico", "guatemala", "honduras", "el salvador", "salvador", "nicaragua", "colombie", "colombia", "venezuela",
            "perou", "peru", "bresil", "brazil", "haiti", "jamaique", "jamaica", "cuba", "republique dominicaine", "dominican republic",
            "trinite et tobago", "trinidad and tobago", "equateur", "ecuador", "bolivie", "bolivia", "chili", "chile", "argentine",
            "argentina", "etats unis", "united states", "usa", "canada",
        ],
        "asia": [
            "philippines", "inde", "india", "chine", "china", "vietnam", "viet nam", "thailande", "thailand", "coree du sud", "south korea",
            "coree", "korea", "japon", "japan", "indonesie", "indonesia", "malaisie", "malaysia", "nepal", "bangladesh", "pakistan",
            "sri lanka", "cambodge", "cambodia", "myanmar", "birmanie", "burma", "iran", "irak", "iraq", "syrie", "syria", "liban",
            "lebanon", "afghanistan", "ouzbekistan", "uzbekistan", "kazakhstan", "turquie", "turkey", "turkiye",
        ],
        "europe": [
            "ukraine", "roumanie", "romania", "moldavie", "moldova", "russie", "russia", "pologne", "poland", "hongrie", "hungary",
            "bulgarie", "bulgaria", "albanie", "albania", "france", "royaume uni", "united kingdom", "portugal", "espagne", "spain",
            "italie", "italy", "allemagne", "germany", "belgique", "belgium", "suisse", "switzerland",
        ],
        "oceania": ["australie", "australia", "nouvelle zelande", "new zealand", "fidji", "fiji", "papouasie nouvelle guinee", "papua new guinea"],
    ]

    static let index: [String: String] = {
        var index: [String: String] = [:]
        for (region, names) in regions { for name in names { index[name] = region } }
        return index
    }()

    /// "not_recorded" when nothing was typed, "other" when the country is not one the table knows.
    public static func of(_ country: String) -> String {
        let folded = country.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        let words = String(folded.map { $0.isLetter ? $0 : " " }).split(separator: " ").joined(separator: " ")
        guard !words.isEmpty else { return "not_recorded" }
        let trimmed =
            words.hasPrefix("le ") || words.hasPrefix("la ") || words.hasPrefix("l ") || words.hasPrefix("les ") || words.hasPrefix("the ")
            ? String(words.drop(while: { $0 != " " }).dropFirst()) : words
        return index[trimmed] ?? "other"
    }
}
