import Foundation

/// Value lists of the case sections. HTCDS v2 names are kept as raw values (they are what a
/// CTDC export expects); labels come from the catalogs (`labelKey`).

public protocol CatalogValue: RawRepresentable, CaseIterable, Sendable, Equatable where RawValue == String {
    static var catalogPrefix: String { get }
}

/// Every value list of the case sections: the catalog test reads each one's cases from here.
public enum CatalogValueLists {
    public static let all: [any CatalogValue.Type] = [
        GenderCode.self, FeeBand.self, NeedKind.self, NeedStatus.self, ConsentKind.self, ConsentMethod.self, TraffickingStatus.self,
        ExploitationType.self,
        ControlMethod.self, LabourIndustry.self, RecruitmentMethod.self, RecruiterRelationship.self, TraffickingScope.self,
        LegalActionKind.self, LegalActionStatus.self,
        ServiceCategory.self, ServiceStatus.self, RegionKind.self, GenderRestriction.self, CapacityUnit.self,
        ReferralState.self, DeclineReason.self, SharedField.self, SharedBundle.self,
    ]
}

extension CatalogValue {
    /// The catalog keys of every case of the list.
    public static var allLabelKeys: [String] { allCases.map(\.labelKey) }

    public var labelKey: String { "\(Self.catalogPrefix).\(rawValue)" }

    /// Parses a list of submitted values; nil when any is unknown (tampered or stale form).
    public static func parseAll(_ values: [String]) -> [Self]? {
        var result: [Self] = []
        for value in values {
            guard let parsed = Self(rawValue: value) else { return nil }
            if !result.contains(parsed) { result.append(parsed) }
        }
        return result
    }
}

public enum NeedKind: String, CatalogValue {
    public static let catalogPrefix = "need"
    case safetyShelter = "safety_shelter", housing, immigrationLegal = "immigration_legal", otherLegal = "other_legal", health,
        mentalHealth = "mental_health", financialAid = "financial_aid", income, employment, interpretation, childcare,
        familyReunification = "family_reunification", education, repatriation
}

public enum NeedStatus: String, CatalogValue {
    public static let catalogPrefix = "need_status"
    case identified, referred, inProgress = "in_progress", met, unmet
}

public enum ConsentKind: String, CatalogValue {
    public static let catalogPrefix = "consent"
    /// To collect and keep data in this case file.
    case collect
    /// To share named fields with a named referral partner.
    case share
    /// To be counted in anonymised network statistics.
    case statistics
}

public enum ConsentMethod: String, CatalogValue {
    public static let catalogPrefix = "consent_method"
    case verbal, written
}

/// One recorded consent, as the rules see it.
public struct ConsentRecord: Sendable, Equatable {
    public var kind: ConsentKind
    public var partner: String?
    public var givenOn: Date
    public var withdrawnAt: Date?

    public init(kind: ConsentKind, partner: String?, givenOn: Date, withdrawnAt: Date?) {
        self.kind = kind
        self.partner = partner
        self.givenOn = givenOn
        self.withdrawnAt = withdrawnAt
    }
}

public enum ConsentRules {
    /// Whether a consent of this kind (and, for sharing, for this partner) is in force now.
    /// A withdrawal takes effect at the moment it is recorded, whatever was given before.
    public static func isGranted(_ kind: ConsentKind, partner: String? = nil, in records: [ConsentRecord], at now: Date) -> Bool {
        records.contains { record in
            record.kind == kind && record.givenOn <= now && (record.withdrawnAt.map { $0 > now } ?? true)
                && (kind != .share || record.partner?.caseInsensitiveCompare(partner ?? "") == .orderedSame)
        }
    }
}

public enum TraffickingStatus: String, CatalogValue {
    public static let catalogPrefix = "htcds.status"
    case possible = "PossibleVictimOfTrafficking", actual = "ActualVictimOfTrafficking"
}

public enum ExploitationType: String, CatalogValue {
    public static let catalogPrefix = "htcds.exploitation"
    case forcedLabour = "ForcedLabour", sexualExploitation = "SexualExploitation", forcedMarriage = "ForcedMarriage",
        servitude = "Servitude", forcedBegging = "ForcedBegging", forcedCriminality = "ForcedCriminality", childLabour = "ChildLabour",
        other = "Other"
}

public enum ControlMethod: String, CatalogValue {
    public static let catalogPrefix = "htcds.control"
    case physicalThreats = "PhysicalThreats", threatsLawEnforcement = "ThreatsLawEnforcement", threatensFamily = "ThreatensChildrenFamily",
        debtBondage = "DebtBondage", falsePromises = "FalsePromises", physicalAbuse = "PhysicalAbuse", sexualAbuse = "SexualAbuse",
        takesEarnings = "TakesEarnings", restrictsFinancialAccess = "RestrictsFinancialAccess", restrictsMedicalCare = "RestrictsMedicalCare",
        withholdsNecessities = "WithholdsNecessities", psychologicalAbuse = "PsychologicalAbuse", psychoactiveSubstance = "PsychoactiveSubstance",
        excessiveWorkingHours = "ExcessiveWorkingHours", withholdsDocuments = "WithholdsDocuments", other = "Other"
}

public enum LabourIndustry: String, CatalogValue {
    public static let catalogPrefix = "htcds.industry"
    case agriculture = "A_AgricultureForestryAndFishing", mining = "B_MiningAndQuarrying", manufacturing = "C_Manufacturing",
        construction = "F_Construction", trade = "G_WholesaleAndRetailTradeRepairOfMotorVehicles", transport = "H_TransportationAndStorage",
        accommodationFood = "I_AccommodationAndFoodServiceActivities", administrativeSupport = "N_AdministrativeAndSupportServiceActivities",
        health = "Q_HumanHealthAndSocialWorkActivities", arts = "R_ArtsEntertainmentAndRecreation", otherServices = "S_OtherServiceActivities",
        households = "T_ActivitiesOfHouseholdsAsEmployers"
}

public enum RecruitmentMethod: String, CatalogValue {
    public static let catalogPrefix = "htcds.recruitment"
    case placeOfBusiness = "AtAPlaceOfBusiness", educationalInstitution = "AtAnEducationalInstitution", atWork = "AtWork",
        socialNetworks = "ThroughOnlineSocialNetworks", onlineAdvertisement = "ThroughAnOnlineAdvertisement",
        familyEvents = "ThroughFamilyOrFamilyEvents", friends = "ThroughFriendsOrSocialEvents", other = "Other"
}

public enum RecruiterRelationship: String, CatalogValue {
    public static let catalogPrefix = "htcds.relationship"
    case familial = "Familial", acquainted = "Acquainted", unacquainted = "Unaquainted"
}

public enum TraffickingScope: String, CatalogValue {
    public static let catalogPrefix = "htcds.scope"
    case domestic, international
}

public enum LegalActionKind: String, CatalogValue {
    public static let catalogPrefix = "legal_kind"
    case criminalComplaint = "criminal_complaint", civilClaim = "civil_claim", employmentStandards = "employment_standards"
}

public enum LegalActionStatus: String, CatalogValue {
    public static let catalogPrefix = "legal_status"
    case considering, filed, inProgress = "in_progress", decided, withdrawn
}

/// Dates typed in forms (YYYY-MM-DD), parsed without time-zone surprises.
public enum DayParser {
    public static func parse(_ text: String) -> DateComponents? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1900...2200).contains(year)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        return components.isValidDate(in: calendar) ? components : nil
    }

    /// Noon UTC of that day: the same calendar day in every Canadian time zone.
    public static func date(_ components: DateComponents) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var noon = components
        noon.hour = 12
        return calendar.date(from: noon)!
    }

    public static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}
