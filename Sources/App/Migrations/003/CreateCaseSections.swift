import Fluent
import SQLKit

struct CreateCaseSections: AsyncMigration {
    var name: String { "003_CreateCaseSections" }

    func prepare(on database: any Database) async throws {
        try await database.schema("case_needs")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("organisation_id", .uuid, .required)
            .field("need", .string, .required)
            .field("status", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "case_id", "need")
            .create()
        try await database.schema("case_tasks")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("organisation_id", .uuid, .required)
            .field("sealed_title", .data, .required)
            .field("due_on", .datetime)
            .field("assignee_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("done_at", .datetime)
            .create()
        try await database.schema("case_consents")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("partner", .string)
            .field("given_on", .datetime, .required)
            .field("method", .string, .required)
            .field("language", .string, .required)
            .field("recorded_by", .uuid, .required)
            .field("withdrawn_at", .datetime)
            .create()
        try await database.schema("case_experiences")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("trafficking_status", .string)
            .field("exploitation_types", .string, .required)
            .field("scope", .string)
            .field("industry", .string)
            .field("control_methods", .string, .required)
            .field("recruitment_methods", .string, .required)
            .field("recruiter_relationship", .string)
            .field("fees_paid_cents", .int)
            .field("fees_currency", .string)
            .field("recruiter_licensed", .string)
            .field("sealed_details", .data)
            .field("version", .int, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "case_id")
            .create()
        try await database.schema("case_legal_actions")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("filed_on", .datetime)
            .field("amount_awarded_cents", .int)
            .field("sealed_outcome", .data)
            .field("created_at", .datetime, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "case_needs_org_idx").on("case_needs").column("organisation_id").column("need").column("status").run()
            try await sql.create(index: "case_tasks_case_idx").on("case_tasks").column("case_id").run()
            try await sql.create(index: "case_tasks_open_idx").on("case_tasks").column("organisation_id").column("done_at").column("due_on").run()
            try await sql.create(index: "case_consents_case_idx").on("case_consents").column("case_id").run()
            try await sql.create(index: "case_legal_actions_case_idx").on("case_legal_actions").column("case_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["case_legal_actions", "case_experiences", "case_consents", "case_tasks", "case_needs"] {
            try await database.schema(table).delete()
        }
    }
}
