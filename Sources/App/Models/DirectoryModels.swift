import Domain
import Fluent
import Foundation

/// An organisation of the directory (HSDS `organization`): a member of the network links to its
/// Passerelle organisation; one outside the network does not.
final class DirectoryOrganisation: Model, @unchecked Sendable {
    static let schema = "directory_organisations"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @OptionalField(key: "member_organisation_id") var memberOrganisationID: UUID?
    @OptionalField(key: "website") var website: String?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $name, $memberOrganisationID, $website, $updatedAt] }

    init(id: UUID? = nil, name: String, memberOrganisationID: UUID?, website: String?, updatedAt: Date) {
        self.id = id
        self.name = name
        self.memberOrganisationID = memberOrganisationID
        self.website = website
        self.updatedAt = updatedAt
    }
}

/// A service with its one location, area, eligibility, hours, contact and capacity (HSDS
/// `service`, `location`, `address`, `service_area`, `schedule`, `phone`, `service_capacity`).
/// Names and descriptions in French and English (an extension: HSDS has no multilingual text).
final class DirectoryService: Model, @unchecked Sendable {
    static let schema = "directory_services"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "directory_organisation_id") var organisationID: UUID
    @Field(key: "name_fr") var nameFR: String
    @Field(key: "name_en") var nameEN: String
    @Field(key: "description_fr") var descriptionFR: String
    @Field(key: "description_en") var descriptionEN: String
    @Field(key: "status") var status: String
    /// Comma-separated `ServiceCategory` values.
    @Field(key: "categories") var categories: String
    /// Comma-separated ISO 639 codes.
    @Field(key: "languages") var languages: String
    /// Comma-separated `ImmigrationStatus` values; empty: everyone.
    @Field(key: "eligible_statuses") var eligibleStatuses: String
    @OptionalField(key: "minimum_age") var minimumAge: Int?
    @OptionalField(key: "maximum_age") var maximumAge: Int?
    @OptionalField(key: "gender") var gender: String?
    @Field(key: "fees_fr") var feesFR: String
    @Field(key: "fees_en") var feesEN: String
    @Field(key: "accessibility_fr") var accessibilityFR: String
    @Field(key: "accessibility_en") var accessibilityEN: String
    /// JSON of `OpeningHours`.
    @Field(key: "hours") var hours: String
    @Field(key: "phone") var phone: String
    @Field(key: "email") var email: String
    @Field(key: "website") var website: String
    @Field(key: "province") var province: String
    @Field(key: "city") var city: String
    @Field(key: "region") var region: String
    @Field(key: "address") var address: String
    @Field(key: "postal_code") var postalCode: String
    /// A shelter's address: shown only to its own organisation, never exported.
    @Field(key: "confidential") var confidential: Bool
    /// What everyone else sees instead of a confidential address: a phone or a meeting point.
    @Field(key: "front_door") var frontDoor: String
    /// `ServiceArea.stored`.
    @Field(key: "service_area") var serviceArea: String
    @OptionalField(key: "capacity_available") var capacityAvailable: Int?
    @OptionalField(key: "capacity_maximum") var capacityMaximum: Int?
    @OptionalField(key: "capacity_unit") var capacityUnit: String?
    @OptionalField(key: "capacity_updated_at") var capacityUpdatedAt: Date?
    @OptionalField(key: "verified_on") var verifiedOn: Date?
    /// Today's opening for "open now", minutes after midnight, per weekday (copied from `hours`).
    @OptionalField(key: "mon_opens") var monOpens: Int?
    @OptionalField(key: "mon_closes") var monCloses: Int?
    @OptionalField(key: "tue_opens") var tueOpens: Int?
    @OptionalField(key: "tue_closes") var tueCloses: Int?
    @OptionalField(key: "wed_opens") var wedOpens: Int?
    @OptionalField(key: "wed_closes") var wedCloses: Int?
    @OptionalField(key: "thu_opens") var thuOpens: Int?
    @OptionalField(key: "thu_closes") var thuCloses: Int?
    @OptionalField(key: "fri_opens") var friOpens: Int?
    @OptionalField(key: "fri_closes") var friCloses: Int?
    @OptionalField(key: "sat_opens") var satOpens: Int?
    @OptionalField(key: "sat_closes") var satCloses: Int?
    @OptionalField(key: "sun_opens") var sunOpens: Int?
    @OptionalField(key: "sun_closes") var sunCloses: Int?
    /// Names and descriptions in both languages and the organisation's name, folded (case, accents)
    /// and split as the name index splits names: what the full-text index reads.
    @Field(key: "search_text") var searchText: String
    /// The values a search filters on, as tokens (`DirectorySearchIndex.facets`): set by
    /// `DirectoryServiceAreas` on every save, never by hand.
    @Field(key: "search_facets") var searchFacets: String
    @Field(key: "version") var version: Int
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] {
        [
            $id, $organisationID, $nameFR, $nameEN, $descriptionFR, $descriptionEN, $status, $categories, $languages, $eligibleStatuses,
            $minimumAge, $maximumAge, $gender, $feesFR, $feesEN, $accessibilityFR, $accessibilityEN, $hours, $phone, $email, $website,
            $province, $city, $region, $address, $postalCode, $confidential, $frontDoor, $serviceArea, $capacityAvailable, $capacityMaximum,
            $capacityUnit, $capacityUpdatedAt, $verifiedOn, $monOpens, $monCloses, $tueOpens, $tueCloses, $wedOpens, $wedCloses,
            $thuOpens, $thuCloses, $friOpens, $friCloses, $satOpens, $satCloses, $sunOpens, $sunCloses, $searchText, $searchFacets, $version,
            $updatedAt,
        ]
    }

    var openingHours: OpeningHours {
        get { (try? JSONDecoder().decode(OpeningHours.self, from: Data(hours.utf8))) ?? OpeningHours() }
        set {
            hours = String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data("{}".utf8), as: UTF8.self)
            func set(
                _ day: Weekday, _ opens: ReferenceWritableKeyPath<DirectoryService, Int?>, _ closes: ReferenceWritableKeyPath<DirectoryService, Int?>
            ) {
                self[keyPath: opens] = newValue.days[day]?.opens
                self[keyPath: closes] = newValue.days[day]?.closes
            }
            set(.mon, \.monOpens, \.monCloses)
            set(.tue, \.tueOpens, \.tueCloses)
            set(.wed, \.wedOpens, \.wedCloses)
            set(.thu, \.thuOpens, \.thuCloses)
            set(.fri, \.friOpens, \.friCloses)
            set(.sat, \.satOpens, \.satCloses)
            set(.sun, \.sunOpens, \.sunCloses)
        }
    }

    /// The full-text document: every word of the names and descriptions, folded.
    static func searchDocument(_ texts: [String]) -> String {
        texts.flatMap(NameTokens.tokens).joined(separator: " ")
    }
}

/// One change to a listing (HSDS `metadata`): who, when, which fields, from what to what.
final class DirectoryChange: Model, @unchecked Sendable {
    static let schema = "directory_changes"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "service_id") var serviceID: UUID
    @Field(key: "at") var at: Date
    @OptionalField(key: "actor_id") var actorID: UUID?
    @OptionalField(key: "actor_email") var actorEmail: String?
    /// "created", "updated", "verified", "capacity".
    @Field(key: "action") var action: String
    /// JSON: [{"field": …, "previous": …, "replacement": …}].
    @Field(key: "changes") var changes: String

    init() {}

    var properties: [any AnyProperty] { [$id, $serviceID, $at, $actorID, $actorEmail, $action, $changes] }
}

/// A directory upload awaiting its import: the files by name, as JSON.
final class DirectoryImportUpload: Model, @unchecked Sendable {
    static let schema = "directory_imports"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "files") var files: String

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $userID, $createdAt, $files] }
}
