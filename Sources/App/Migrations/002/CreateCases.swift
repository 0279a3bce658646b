import Fluent
import SQLKit

struct CreateCases: AsyncMigration {
    var name: String { "002_CreateCases" }

    func prepare(on database: any Database) async throws {
        try await database.schema("cases")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("reference", .string, .required)
            .field("status", .string, .required)
            .field("closure_reason", .string)
            .field("province", .string)
            .field("opened_at", .datetime, .required)
            .field("closed_at", .datetime)
            .field("opened_by", .uuid)
            .field("updated_at", .datetime, .required)
            .field("version", .int, .required)
            .field("sealed_preferred_name", .data, .required)
            .field("sealed_person", .data)
            .field("sealed_safe_contact", .data)
            .unique(on: "organisation_id", "reference")
            .create()
        try await database.schema("case_keys")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("wrapped", .data, .required)
            .unique(on: "case_id")
            .create()
        try await database.schema("case_name_terms")
            .id()
            .field("organisation_id", .uuid, .required)
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("term", .string, .required)
            .create()
        try await database.schema("case_assignments")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .unique(on: "case_id", "user_id")
            .create()
        try await database.schema("case_notes")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("author_id", .uuid)
            .field("created_at", .datetime, .required)
            .field("sealed_body", .data, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "cases_org_opened_idx").on("cases").column("organisation_id").column("opened_at").run()
            try await sql.create(index: "cases_org_status_idx").on("cases").column("organisation_id").column("status").run()
            try await sql.create(index: "case_name_terms_lookup_idx").on("case_name_terms").column("organisation_id").column("term").run()
            try await sql.create(index: "case_name_terms_case_idx").on("case_name_terms").column("case_id").run()
            try await sql.create(index: "case_assignments_user_idx").on("case_assignments").column("user_id").run()
            try await sql.create(index: "case_notes_case_idx").on("case_notes").column("case_id").column("created_at").run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["case_notes", "case_assignments", "case_name_terms", "case_keys", "cases"] {
            try await database.schema(table).delete()
        }
    }
}
