import Fluent
import SQLKit

/// The case list triages by the next due task and the last activity, kept in the case row by
/// triggers (`CaseActivity`) instead of computed per list; applications get the time of their
/// last change. Each person's visits to a case are kept (the home page's recent cases, the case
/// page's "new since your last visit").
struct TrackCaseActivity: AsyncMigration {
    var name: String { "014_TrackCaseActivity" }

    func prepare(on database: any Database) async throws {
        // One column a statement: SQLite adds one column per ALTER TABLE.
        try await database.schema("cases").field("last_activity_at", .datetime).update()
        try await database.schema("cases").field("next_due_on", .datetime).update()
        try await database.schema("applications").field("updated_at", .datetime).update()
        try await database.schema("case_visits")
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("visited_at", .datetime, .required)
            .compositeIdentifier(over: "user_id", "case_id")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX case_visits_user_idx ON case_visits (user_id, visited_at)").run()
        try await sql.raw("CREATE INDEX cases_org_activity_idx ON cases (organisation_id, last_activity_at)").run()
        try await sql.raw("CREATE INDEX cases_org_next_due_idx ON cases (organisation_id, next_due_on)").run()
        for trigger in CaseActivity.triggers { try await trigger.create(on: sql) }
        try await CaseActivity.backfill(on: sql)
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            for trigger in CaseActivity.triggers { try await trigger.drop(on: sql) }
            try await sql.drop(index: "cases_org_activity_idx").run()
            try await sql.drop(index: "cases_org_next_due_idx").run()
        }
        try await database.schema("case_visits").delete()
        try await database.schema("applications").deleteField("updated_at").update()
        try await database.schema("cases").deleteField("last_activity_at").update()
        try await database.schema("cases").deleteField("next_due_on").update()
    }
}
