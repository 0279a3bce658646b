import Fluent
import SQLKit

/// "My day" lists a person's open tasks due soon: read from (assignee, done, due) instead of
/// every open task of the organisation.
struct IndexTaskAssignees: AsyncMigration {
    var name: String { "013_IndexTaskAssignees" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX case_tasks_assignee_idx ON case_tasks (assignee_id, done_at, due_on)").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "case_tasks_assignee_idx").run()
    }
}
