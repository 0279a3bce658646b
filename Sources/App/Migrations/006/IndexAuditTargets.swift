import Fluent
import SQLKit

/// The case page shows the case's own history: find a case's events without scanning the log.
struct IndexAuditTargets: AsyncMigration {
    var name: String { "006_IndexAuditTargets" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "audit_events_target_idx").on("audit_events").column("target").column("sequence").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "audit_events_target_idx").run()
    }
}
