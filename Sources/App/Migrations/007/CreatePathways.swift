import Domain
import Fluent
import Foundation
import SQLKit

struct CreatePathways: AsyncMigration {
    var name: String { "007_CreatePathways" }

    func prepare(on database: any Database) async throws {
        try await database.schema("pathway_types")
            .id()
            .field("code", .string, .required)
            .field("version", .int, .required)
            .field("is_current", .bool, .required)
            .field("name_fr", .string, .required)
            .field("name_en", .string, .required)
            .field("checklist", .string, .required)
            .field("rules", .string, .required)
            .field("typical_validity_days", .int)
            .field("created_at", .datetime, .required)
            .unique(on: "code", "version")
            .create()
        try await database.schema("applications")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("organisation_id", .uuid, .required)
            .field("pathway_type_id", .uuid, .required, .references("pathway_types", "id"))
            .field("state", .string, .required)
            .field("created_at", .datetime, .required)
            .field("submitted_on", .datetime)
            .field("info_requested_on", .datetime)
            .field("decided_on", .datetime)
            .field("valid_from", .datetime)
            .field("valid_to", .datetime)
            .field("complete_at_submission", .bool)
            .field("checklist_done", .string, .required)
            .field("version", .int, .required)
            .create()
        try await database.schema("calendar_feeds")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("version", .int, .required)
            .field("enabled", .bool, .required)
            .unique(on: "user_id")
            .create()
        try await database.schema("digest_sends")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("day", .string, .required)
            .field("sent_at", .datetime, .required)
            .unique(on: "user_id", "day")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "applications_case_idx").on("applications").column("case_id").run()
            try await sql.create(index: "applications_org_valid_idx").on("applications").column("organisation_id").column("valid_to").run()
            try await sql.create(index: "applications_org_state_idx").on("applications").column("organisation_id").column("state").run()
        }
        for pathway in PathwayDefaults.all {
            try await pathway.create(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["digest_sends", "calendar_feeds", "applications", "pathway_types"] {
            try await database.schema(table).delete()
        }
    }
}

/// Canadian defaults (2026). Rules change; a system admin edits them as new versions.
enum PathwayDefaults {
    typealias Item = PathwayType.ChecklistItem

    static func make(_ code: String, _ fr: String, _ en: String, _ checklist: [Item], _ rules: ValidityRules, typical: Int?) -> PathwayType {
        let pathway = PathwayType()
        pathway.code = code
        pathway.version = 1
        pathway.isCurrent = true
        pathway.nameFR = fr
        pathway.nameEN = en
        pathway.checklist = String(decoding: try! JSONEncoder().encode(checklist), as: UTF8.self)
        pathway.rules = String(decoding: try! JSONEncoder().encode(rules), as: UTF8.self)
        pathway.typicalValidityDays = typical
        pathway.createdAt = Date()
        return pathway
    }

    static let identity = Item(
        key: "identity", fr: "Pièce d'identité ou explication de son absence", en: "Identity document or why there is none", required: true)
    static let narrative = Item(key: "narrative", fr: "Déclaration de la personne", en: "The person's statement", required: true)
    static let supportLetter = Item(
        key: "support_letter", fr: "Lettre d'un organisme de soutien", en: "Letter from a support organisation", required: false)

    static var all: [PathwayType] {
        let trp = ValidityRules(minimumDays: 1, maximumDays: 3 * 366, renewable: true)
        return [
            make(
                "TRP_VTIP_INITIAL", "PST pour victimes de la traite (initial)", "TRP for victims of trafficking (initial)",
                [identity, narrative, supportLetter],
                ValidityRules(minimumDays: 1, maximumDays: 3 * 366, minimumMonths: 12, minimumMonthsFrom: "2025-02-04"),
                typical: 365),
            make(
                "TRP_VTIP_SUBSEQUENT", "PST pour victimes de la traite (subséquent)", "TRP for victims of trafficking (subsequent)",
                [identity, narrative, supportLetter], trp, typical: 365 * 3),
            make(
                "VOWP", "Permis de travail ouvert pour travailleurs vulnérables (PTO-TV)", "Open work permit for vulnerable workers (VOWP)",
                [
                    Item(key: "letter_of_explanation", fr: "Lettre d'explication", en: "Letter of explanation", required: true),
                    Item(key: "support_letter", fr: "Lettre d'un organisme de soutien", en: "Letter from a support organisation", required: false),
                    Item(key: "doctor_letter", fr: "Lettre d'un médecin", en: "Letter from a doctor", required: false),
                    Item(key: "sworn_statement", fr: "Déclaration sous serment", en: "Sworn statement", required: false),
                    Item(key: "complaint_copy", fr: "Copie d'une plainte", en: "Copy of a complaint", required: false),
                    Item(key: "photos_messages", fr: "Photos ou messages", en: "Photos or messages", required: false),
                ],
                ValidityRules(minimumDays: 1, maximumDays: 366, renewable: false), typical: 365),
            make(
                "HC", "Demande pour considérations d'ordre humanitaire", "Humanitarian and compassionate application",
                [identity, narrative, supportLetter],
                ValidityRules(), typical: nil),
            make("REFUGEE_CLAIM", "Demande d'asile", "Refugee claim", [identity, narrative], ValidityRules(), typical: nil),
            make(
                "PRRA", "Examen des risques avant renvoi (ERAR)", "Pre-removal risk assessment (PRRA)", [identity, narrative], ValidityRules(),
                typical: nil),
            make("WORK_STUDY", "Permis de travail ou d'études", "Work or study permit", [identity], ValidityRules(), typical: 365),
            make("OTHER", "Autre démarche", "Other application", [], ValidityRules(), typical: nil),
        ]
    }
}
