import Foundation

/// The service directory in the shape of Open Referral HSDS 3.0/3.1 (ids are UUIDs), with what
/// HSDS lacks and this network needs: text in French and English, a confidential location shown
/// only as a "front door" contact, eligibility by immigration status.

/// A service's categories (PRODUCT.md module 4).
public enum ServiceCategory: String, CatalogValue {
    public static let catalogPrefix = "directory.category"
    case shelter, housing, immigrationLegal = "immigration_legal", legal, health, mentalHealth = "mental_health", financial,
        employment, interpretation, settlement, indigenousLed = "indigenous_led", twoSLGBTQ = "2slgbtq", youth,
        labourRights = "labour_rights"
}

/// HSDS `service.status`.
public enum ServiceStatus: String, CatalogValue {
    public static let catalogPrefix = "directory.status"
    case active, inactive, defunct, temporarilyClosed = "temporarily_closed"

    /// The value HSDS writes ("temporarily closed" has a space there).
    public var hsdsValue: String { self == .temporarilyClosed ? "temporarily closed" : rawValue }

    public init?(hsds: String) {
        self.init(rawValue: hsds.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: " ", with: "_"))
    }
}

/// Where a location sits: services outside large centres are what the seed says is missing.
public enum RegionKind: String, CatalogValue {
    public static let catalogPrefix = "directory.region"
    case urban, rural, remote
}

/// Who a service is for, when it restricts by gender.
public enum GenderRestriction: String, CatalogValue {
    public static let catalogPrefix = "directory.gender"
    case women, men, womenAndGenderDiverse = "women_gender_diverse"
}

/// The unit of a capacity (HSDS 3.1 `service_capacity.unit`).
public enum CapacityUnit: String, CatalogValue {
    public static let catalogPrefix = "directory.unit"
    case beds, places
}

/// The provinces and territories a service serves.
public enum ServiceArea: Equatable, Sendable {
    case allCanada
    /// Remote service only (phone, video): anyone, anywhere, but no place to go.
    case remoteOnly
    case provinces([Province])

    public func serves(_ province: Province) -> Bool {
        switch self {
        case .allCanada, .remoteOnly: true
        case .provinces(let list): list.contains(province)
        }
    }

    /// Stored as `all`, `remote` or `AB,BC`.
    public var stored: String {
        switch self {
        case .allCanada: "all"
        case .remoteOnly: "remote"
        case .provinces(let list): list.map(\.rawValue).joined(separator: ",")
        }
    }

    public init?(stored: String) {
        switch stored {
        case "all": self = .allCanada
        case "remote": self = .remoteOnly
        default:
            let provinces = stored.split(separator: ",").map { Province(rawValue: String($0).trimmingCharacters(in: .whitespaces)) }
            guard !provinces.isEmpty, provinces.allSatisfy({ $0 != nil }) else { return nil }
            self = .provinces(provinces.compactMap { $0 })
        }
    }
}

public enum Weekday: String, CaseIterable, Sendable, Codable {
    case mon, tue, wed, thu, fri, sat, sun

    public var labelKey: String { "directory.weekday.\(rawValue)" }

    /// Monday is 2 in the Gregorian calendar's numbering (Sunday 1).
    public init(gregorian: Int) {
        self = Weekday.allCases[(gregorian + 5) % 7]
    }
}

/// Opening hours, one range a day at most (HSDS `schedule` with `opens_at`/`closes_at`).
public struct OpeningHours: Equatable, Sendable, Codable {
    public struct Range: Equatable, Sendable, Codable {
        /// Minutes after midnight.
        public var opens: Int
        public var closes: Int
        public init(opens: Int, closes: Int) {
            self.opens = opens
            self.closes = closes
        }
    }

    public var days: [Weekday: Range]

    public init(days: [Weekday: Range] = [:]) { self.days = days }

    /// Open at `minute` of `day`; a range past midnight (22:00–06:00) runs into the next day.
    public func isOpen(on day: Weekday, at minute: Int) -> Bool {
        if let range = days[day] {
            if range.opens < range.closes, (range.opens..<range.closes).contains(minute) { return true }
            if range.opens >= range.closes, minute >= range.opens { return true }
        }
        let previous = Weekday.allCases[(Weekday.allCases.firstIndex(of: day)! + 6) % 7]
        if let range = days[previous], range.opens >= range.closes, minute < range.closes { return true }
        return false
    }

    /// "09:00" → 540; nil for anything else (24:00 is allowed as a closing time).
    public static func minutes(_ text: String) -> Int? {
        let parts = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "h", with: ":").split(separator: ":")
        guard parts.count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0...24).contains(hour),
            (0..<60).contains(minute), hour < 24 || minute == 0
        else { return nil }
        return hour * 60 + minute
    }

    public static func text(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }
}

/// HSDS 3.1 `service_capacity`: what was free when last updated.
public struct ServiceCapacity: Equatable, Sendable {
    public var available: Int
    public var maximum: Int
    public var unit: CapacityUnit
    public var updated: Date

    public init(available: Int, maximum: Int, unit: CapacityUnit, updated: Date) {
        self.available = available
        self.maximum = maximum
        self.unit = unit
        self.updated = updated
    }

    public var isFull: Bool { available <= 0 }
}

public enum DirectoryRules {
    /// A listing nobody confirmed for more than twelve months is stale (flagged in results and
    /// listed for the coordinator); one never confirmed is stale too.
    public static func isStale(verifiedOn: Day?, today: Day) -> Bool {
        guard let verifiedOn else { return true }
        return verifiedOn < staleBefore(today: today)
    }

    /// A listing confirmed before this day is stale on `today` (a year back; 29 February reads 28).
    public static func staleBefore(today: Day) -> Day {
        Day(year: today.year - 1, month: today.month, day: today.month == 2 ? min(today.day, 28) : today.day)
    }

    /// Who may be referred, by immigration status: an empty set is "everyone".
    public static func accepts(_ status: ImmigrationStatus?, eligible: Set<ImmigrationStatus>) -> Bool {
        guard let status, !eligible.isEmpty else { return true }
        return eligible.contains(status)
    }

    public static let maximumNameLength = 200
    public static let maximumDescriptionLength = 4000
}
