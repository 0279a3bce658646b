import Fluent
import SQLKit

struct CreateAuditEvents: AsyncMigration {
    var name: String { "001_CreateAuditEvents" }

    func prepare(on database: any Database) async throws {
        try await database.schema("audit_events")
            .id()
            .field("sequence", .int64, .required)
            .field("occurred_at_ms", .int64, .required)
            .field("actor_id", .string)
            .field("actor_email", .string)
            .field("organisation_id", .string)
            .field("action", .string, .required)
            .field("target", .string)
            .field("outcome", .string, .required)
            .field("request_id", .string)
            .field("detail", .string)
            .field("previous_hash", .string, .required)
            .field("hash", .string, .required)
            .unique(on: "sequence")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "audit_events_org_idx").on("audit_events").column("organisation_id").column("sequence").run()
        }
        try await database.schema("audit_head")
            .field("id", .int, .identifier(auto: false))
            .field("sequence", .int64, .required)
            .field("hash", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_head").delete()
        try await database.schema("audit_events").delete()
    }
}
