// The vocabulary every module shares: who a person is in the network and where they work.
// Stored as strings (rawValue) so SQLite and PostgreSQL behave the same.

public enum Role: String, CaseIterable, Codable, Sendable, Comparable {
    case caseworker
    case supervisor
    case orgAdmin = "org_admin"
    case networkCoordinator = "network_coordinator"
    case systemAdmin = "system_admin"

    /// Roles that may ever read individual case data. System admins and network coordinators
    /// never do (PRODUCT.md, "Who uses it"); later modules check `canReadCases` and nothing else.
    public var readsCaseData: Bool {
        switch self {
        case .caseworker, .supervisor: true
        case .orgAdmin, .networkCoordinator, .systemAdmin: false
        }
    }

    /// Catalog key of the role's name.
    public var labelKey: String { "role.\(rawValue)" }
    /// Catalog key of what the role can do, shown on the home page.
    public var capabilitiesKey: String { "role.\(rawValue).can" }

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Parses the stored form, a comma-separated list; unknown values are dropped, never guessed.
    public static func parseList(_ stored: String) -> [Role] {
        Array(Set(stored.split(separator: ",").compactMap { Role(rawValue: String($0)) })).sorted()
    }

    public static func storedList(_ roles: [Role]) -> String {
        Array(Set(roles)).sorted().map(\.rawValue).joined(separator: ",")
    }
}

extension Sequence where Element == Role {
    public var canReadCases: Bool { contains { $0.readsCaseData } }
}

public enum OrganisationType: String, CaseIterable, Codable, Sendable {
    case ngo, legalClinic = "legal_clinic", shelter, hotline, government, networkCoordination = "network_coordination", other
    public var labelKey: String { "org_type.\(rawValue)" }
}

/// Canadian provinces and territories, by their postal abbreviation.
public enum Province: String, CaseIterable, Codable, Sendable {
    case AB, BC, MB, NB, NL, NS, NT, NU, ON, PE, QC, SK, YT
    public var labelKey: String { "province.\(rawValue)" }

    public static func parseList(_ stored: String) -> [Province] {
        stored.split(separator: ",").compactMap { Province(rawValue: String($0)) }
    }
}
