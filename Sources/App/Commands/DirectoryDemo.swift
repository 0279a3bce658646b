import Domain
import Fluent
import Foundation
import Vapor

/// The demo directory: fictional services (`.example` contacts, "(fictif)" in every name) in all
/// thirteen provinces and territories — three towns each, rural and remote among them — in both
/// languages; shelters confidential, some listings stale, some at capacity. The member
/// organisations of the demo network own some; the rest are outside the network.
enum DirectoryDemo {
    struct Town {
        let name: String
        let region: RegionKind
    }

    static let towns: [Province: [Town]] = [
        .AB: [.init(name: "Calgary", region: .urban), .init(name: "Brooks", region: .rural), .init(name: "Fort Chipewyan", region: .remote)],
        .BC: [.init(name: "Vancouver", region: .urban), .init(name: "Abbotsford", region: .rural), .init(name: "Dease Lake", region: .remote)],
        .MB: [.init(name: "Winnipeg", region: .urban), .init(name: "Steinbach", region: .rural), .init(name: "Thompson", region: .remote)],
        .NB: [.init(name: "Moncton", region: .urban), .init(name: "Caraquet", region: .rural), .init(name: "Kedgwick", region: .remote)],
        .NL: [.init(name: "St. John's", region: .urban), .init(name: "Gander", region: .rural), .init(name: "Nain", region: .remote)],
        .NS: [.init(name: "Halifax", region: .urban), .init(name: "Truro", region: .rural), .init(name: "Chéticamp", region: .remote)],
        .NT: [.init(name: "Yellowknife", region: .urban), .init(name: "Hay River", region: .rural), .init(name: "Inuvik", region: .remote)],
        .NU: [.init(name: "Iqaluit", region: .urban), .init(name: "Rankin Inlet", region: .rural), .init(name: "Pond Inlet", region: .remote)],
        .ON: [.init(name: "Toronto", region: .urban), .init(name: "Leamington", region: .rural), .init(name: "Moosonee", region: .remote)],
        .PE: [.init(name: "Charlottetown", region: .urban), .init(name: "Summerside", region: .rural), .init(name: "Tignish", region: .rural)],
        .QC: [.init(name: "Montréal", region: .urban), .init(name: "Saint-Rémi", region: .rural), .init(name: "Chibougamau", region: .remote)],
        .SK: [.init(name: "Saskatoon", region: .urban), .init(name: "Swift Current", region: .rural), .init(name: "La Ronge", region: .remote)],
        .YT: [.init(name: "Whitehorse", region: .urban), .init(name: "Dawson City", region: .rural), .init(name: "Old Crow", region: .remote)],
    ]

    /// Four kinds of service per town: its categories, names in both languages, who it is for.
    struct Kind {
        let categories: [ServiceCategory]
        let fr: String
        let en: String
        let descriptionFR: String
        let descriptionEN: String
        let eligible: [ImmigrationStatus]
        let capacity: CapacityUnit?
        let always: Bool
    }

    static let kinds: [Kind] = [
        Kind(
            categories: [.shelter, .housing], fr: "Maison d'hébergement Fictive", en: "Pretend Safe House",
            descriptionFR:
                "Hébergement d'urgence et de transition pour les personnes qui fuient l'exploitation (service fictif). Accueil sans statut.",
            descriptionEN: "Emergency and transitional housing for people leaving exploitation (fictional service). No status required.",
            eligible: [], capacity: .beds, always: true),
        Kind(
            categories: [.immigrationLegal, .legal], fr: "Clinique d'immigration Imaginaire", en: "Imaginary Immigration Clinic",
            descriptionFR: "Demandes de PST-VTP et de PTO-TV, revendications d'asile, représentation (service fictif).",
            descriptionEN: "TRP-VTIP and VOWP applications, refugee claims, representation (fictional service).",
            eligible: [.noStatus, .employerSpecificPermit, .vowpHolder, .trpHolder, .refugeeClaimant, .visitor, .student], capacity: nil,
            always: false),
        Kind(
            categories: [.labourRights, .employment, .financial], fr: "Centre des travailleuses et travailleurs Fictif",
            en: "Make-Believe Workers' Centre",
            descriptionFR:
                "Droits du travail, salaires impayés, aide financière d'urgence pour les travailleuses et travailleurs étrangers (fictif).",
            descriptionEN: "Labour rights, unpaid wages, emergency financial help for migrant workers (fictional).",
            eligible: [.employerSpecificPermit, .openWorkPermit, .vowpHolder, .noStatus], capacity: nil, always: false),
        Kind(
            categories: [.health, .mentalHealth, .interpretation], fr: "Clinique de santé Imaginaire", en: "Imaginary Health Clinic",
            descriptionFR: "Soins de santé et soutien psychologique, avec interprètes, sans carte d'assurance maladie (service fictif).",
            descriptionEN: "Health care and counselling, with interpreters, no health card needed (fictional service).",
            eligible: [], capacity: .places, always: false),
    ]

    /// A language of the region besides French and English.
    static let regional: [Province: String] = [
        .AB: "tl", .BC: "pa", .MB: "tl", .NB: "ar", .NL: "uk", .NS: "ar", .NT: "tl", .NU: "iu", .ON: "es", .PE: "zh", .QC: "es", .SK: "cr",
        .YT: "tl",
    ]

    static func slug(_ text: String) -> String {
        NameTokens.tokens(text).filter { !$0.isEmpty }.prefix(4).joined(separator: "-")
    }

    /// Seeds the directory once (nothing if it has services already); returns how many services it wrote.
    @discardableResult
    static func seed(on db: any Database, now: Date) async throws -> Int {
        guard try await DirectoryService.query(on: db).count() == 0 else { return 0 }
        let members = try await Organisation.query(on: db).all()
        let memberByProvince = Dictionary(grouping: members.filter { $0.organisationType != .networkCoordination && $0.organisationType != .other }) {
            $0.provinceList.first ?? .ON
        }
        return try await db.writeTransaction { db in
            var written = 0
            var outside: [Province: DirectoryOrganisation] = [:]
            var memberListings: [UUID: DirectoryOrganisation] = [:]
            for (index, province) in Province.allCases.enumerated() {
                for (townIndex, town) in (towns[province] ?? []).enumerated() {
                    for (kindIndex, kind) in kinds.enumerated() {
                        let number = index * 12 + townIndex * 4 + kindIndex
                        // A member organisation of the province owns the first kind of its main town.
                        let owner: DirectoryOrganisation
                        if townIndex == 0, kindIndex == 0, let member = memberByProvince[province]?.first {
                            if let existing = memberListings[member.id!] {
                                owner = existing
                            } else {
                                owner = DirectoryOrganisation(name: member.name, memberOrganisationID: member.id, website: nil, updatedAt: now)
                                try await owner.create(on: db)
                                memberListings[member.id!] = owner
                            }
                        } else if let existing = outside[province] {
                            owner = existing
                        } else {
                            let name = "Réseau communautaire Fictif — \(province.rawValue) (fictif)"
                            owner = DirectoryOrganisation(
                                name: name, memberOrganisationID: nil, website: "https://\(slug(name)).example", updatedAt: now)
                            try await owner.create(on: db)
                            outside[province] = owner
                        }
                        let service = DirectoryService()
                        service.id = UUID()
                        service.organisationID = owner.id!
                        service.nameFR = "\(kind.fr) de \(town.name) (fictif)"
                        service.nameEN = "\(town.name) \(kind.en) (fictional)"
                        service.descriptionFR = kind.descriptionFR
                        service.descriptionEN = kind.descriptionEN
                        service.status = (number % 29 == 7 ? ServiceStatus.temporarilyClosed : .active).rawValue
                        service.categories = kind.categories.map(\.rawValue).joined(separator: ",")
                        let languages = ["fr", "en", regional[province] ?? "es"] + (number % 5 == 0 ? ["tl"] : [])
                        service.languages = Array(Set(languages)).sorted().joined(separator: ",")
                        service.eligibleStatuses = kind.eligible.map(\.rawValue).joined(separator: ",")
                        service.minimumAge = kindIndex == 0 ? 18 : nil
                        service.gender = kindIndex == 0 && number % 2 == 0 ? GenderRestriction.womenAndGenderDiverse.rawValue : nil
                        service.feesFR = "Gratuit"
                        service.feesEN = "Free"
                        service.accessibilityFR = number % 3 == 0 ? "Accès sans marches, toilettes adaptées" : ""
                        service.accessibilityEN = number % 3 == 0 ? "Step-free access, accessible washroom" : ""
                        var hours = OpeningHours()
                        for day in Weekday.allCases {
                            if kind.always {
                                hours.days[day] = .init(opens: 0, closes: 1440)
                            } else if ![.sat, .sun].contains(day) {
                                hours.days[day] = .init(opens: 9 * 60, closes: (day == .thu ? 20 : 17) * 60)
                            }
                        }
                        service.openingHours = hours
                        let contact = slug(service.nameFR)
                        service.phone = String(format: "555-01%02d", number % 100)
                        service.email = "accueil@\(contact).example"
                        service.website = "https://\(contact).example"
                        service.province = province.rawValue
                        service.city = town.name
                        service.region = town.region.rawValue
                        service.confidential = kind.categories.contains(.shelter)
                        service.address = "\(100 + number) rue Fictive"
                        service.postalCode = ""
                        service.frontDoor = service.confidential ? "Ligne d'accueil 24 h / 24-hour intake line: \(service.phone)" : ""
                        // A shelter serves its own province; some clinics serve remotely, one per province everyone.
                        service.serviceArea = kindIndex != 0 && number % 11 == 3 ? ServiceArea.remoteOnly.stored : province.rawValue
                        if kindIndex == 1, townIndex == 0 { service.serviceArea = ServiceArea.allCanada.stored }
                        if let unit = kind.capacity {
                            service.capacityMaximum = unit == .beds ? 12 : 30
                            service.capacityAvailable = number % 4 == 0 ? 0 : (number % 7) + 1
                            service.capacityUnit = unit.rawValue
                            service.capacityUpdatedAt = now.addingTimeInterval(-Double(number % 9) * 3600)
                        }
                        // Some listings nobody confirmed for more than a year.
                        service.verifiedOn = Day(now).adding(days: number % 6 == 5 ? -430 : -(number % 200)).date
                        service.searchText = DirectoryService.searchDocument(
                            [service.nameFR, service.nameEN, service.descriptionFR, service.descriptionEN, owner.name, town.name])
                        service.version = 1
                        service.updatedAt = now
                        try await service.create(on: db)
                        let change = DirectoryChange()
                        change.serviceID = service.id!
                        change.at = now
                        change.action = "created"
                        change.changes = "[]"
                        try await change.create(on: db)
                        written += 1
                    }
                }
            }
            return written
        }
    }
}

extension DemoSeeder {
    /// The demo directory (see `DirectoryDemo`), once.
    @discardableResult
    public static func seedDirectory(_ app: Application) async throws -> Int {
        try await DirectoryDemo.seed(on: app.db, now: app.clock.now())
    }
}
