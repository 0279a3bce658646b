import Fluent
import SQLKit

struct CreateBrowserSessions: AsyncMigration {
    var name: String { "001_CreateBrowserSessions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("browser_sessions")
            .id()
            .field("key_hash", .string, .required)
            .field("user_id", .uuid, .references("users", "id", onDelete: .cascade))
            .field("data", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("user_agent", .string)
            .field("address", .string)
            .unique(on: "key_hash")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "browser_sessions_user_idx").on("browser_sessions").column("user_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("browser_sessions").delete()
    }
}
