import Fluent
import SQLKit

/// How many cases each person is assigned, kept by the database: the list of one's own cases
/// says "N cases" (up to "more than 1 000") without reading a thousand index entries on every
/// page (a tenth of the list's time at a million cases). Triggers on `case_assignments` keep it
/// whatever path writes (Fluent, SQL, cascades from a purged case).
struct CountAssignments: AsyncMigration {
    var name: String { "011_CountAssignments" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE TABLE user_case_counts (user_id UUID PRIMARY KEY, assigned BIGINT NOT NULL)").run()
        try await AssignmentCounts.trigger.create(on: sql)
        try await AssignmentCounts.recount(on: sql)
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await AssignmentCounts.trigger.drop(on: sql)
        try await sql.raw("DROP TABLE IF EXISTS user_case_counts").run()
    }
}
