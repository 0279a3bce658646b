import Domain
import Fluent
import Foundation
import SQLKit

/// A kind of application (TRP-VTIP initial, VOWP, …) in one version. Editing a pathway creates a
/// new version; applications keep the version they were made under.
final class PathwayType: Model, @unchecked Sendable {
    static let schema = "pathway_types"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "version") var version: Int
    @Field(key: "is_current") var isCurrent: Bool
    @Field(key: "name_fr") var nameFR: String
    @Field(key: "name_en") var nameEN: String
    /// JSON of `[ChecklistItem]`.
    @Field(key: "checklist") var checklist: String
    /// JSON of `ValidityRules`.
    @Field(key: "rules") var rules: String
    @OptionalField(key: "typical_validity_days") var typicalValidityDays: Int?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] {
        [$id, $code, $version, $isCurrent, $nameFR, $nameEN, $checklist, $rules, $typicalValidityDays, $createdAt]
    }

    struct ChecklistItem: Codable, Sendable, Equatable {
        var key: String
        var fr: String
        var en: String
        var required: Bool
    }

    var checklistItems: [ChecklistItem] { (try? JSONDecoder().decode([ChecklistItem].self, from: Data(checklist.utf8))) ?? [] }
    var validityRules: ValidityRules { (try? JSONDecoder().decode(ValidityRules.self, from: Data(rules.utf8))) ?? ValidityRules() }
    func name(_ language: Language) -> String { language == .fr ? nameFR : nameEN }

    /// Current pathway names by code, in one language (three columns, no model decoding).
    static func currentNames(on db: any Database, language: Language) async throws -> [String: String] {
        struct Name: Decodable {
            let code: String
            let name_fr: String
            let name_en: String
        }
        let rows = try await (db as! any SQLDatabase).select().column("code").column("name_fr").column("name_en").from(schema)
            .where("is_current", .equal, SQLBind(true)).all(decoding: Name.self)
        return Dictionary(rows.map { ($0.code, language == .fr ? $0.name_fr : $0.name_en) }, uniquingKeysWith: { first, _ in first })
    }
}

/// An application on a case, pinned to the pathway version it was made under.
final class PathwayApplication: Model, @unchecked Sendable {
    static let schema = "applications"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "organisation_id") var organisationID: UUID
    @Parent(key: "pathway_type_id") var pathway: PathwayType
    @Field(key: "state") var state: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "submitted_on") var submittedOn: Date?
    @OptionalField(key: "info_requested_on") var infoRequestedOn: Date?
    @OptionalField(key: "decided_on") var decidedOn: Date?
    @OptionalField(key: "valid_from") var validFrom: Date?
    @OptionalField(key: "valid_to") var validTo: Date?
    @OptionalField(key: "complete_at_submission") var completeAtSubmission: Bool?
    /// Comma-separated checklist keys that are done.
    @Field(key: "checklist_done") var checklistDone: String
    /// JSON object: checklist key → id of the case document that supports it.
    @OptionalField(key: "checklist_documents") var checklistDocuments: String?
    @Field(key: "version") var version: Int
    /// When it last changed (the case list's last activity follows it, by trigger).
    @OptionalField(key: "updated_at") var updatedAt: Date?
    /// Derived and copied columns for the figures' covering index (see `DenormaliseForScale`).
    @OptionalField(key: "province") var province: String?
    @OptionalField(key: "processing_days") var processingDays: Int?
    @OptionalField(key: "validity_days") var validityDays: Int?

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] {
        [
            $id, $caseID, $organisationID, $pathway, $state, $createdAt, $submittedOn, $infoRequestedOn, $decidedOn,
            $validFrom, $validTo, $completeAtSubmission, $checklistDone, $checklistDocuments, $version, $updatedAt, $province,
            $processingDays, $validityDays,
        ]
    }

    var applicationState: ApplicationState { ApplicationState(rawValue: state) ?? .preparing }
    var doneKeys: Set<String> { Set(checklistDone.split(separator: ",").map(String.init)) }
    var documentLinks: [String: String] {
        (checklistDocuments.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }) ?? [:]
    }
}

/// The private calendar feed of a user: the URL's token is derived from the master key, the user
/// and `version`; renewing bumps the version, revoking disables it.
final class CalendarFeed: Model, @unchecked Sendable {
    static let schema = "calendar_feeds"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "version") var version: Int
    @Field(key: "enabled") var enabled: Bool

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $userID, $version, $enabled] }
    init(userID: UUID) {
        self.userID = userID
        self.version = 1
        self.enabled = true
    }
}

/// One digest per user per calendar day, ever: the unique key makes `passerelle notify` idempotent.
final class DigestSend: Model, @unchecked Sendable {
    static let schema = "digest_sends"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "day") var day: String
    @Field(key: "sent_at") var sentAt: Date

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $userID, $day, $sentAt] }
    init(userID: UUID, day: String, sentAt: Date) {
        self.userID = userID
        self.day = day
        self.sentAt = sentAt
    }
}
