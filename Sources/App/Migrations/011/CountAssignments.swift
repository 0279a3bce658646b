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
        try await AssignmentCounts.createTriggers(on: sql)
        try await AssignmentCounts.recount(on: sql)
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await AssignmentCounts.dropTriggers(on: sql)
        try await sql.raw("DROP TABLE IF EXISTS user_case_counts").run()
    }
}

enum AssignmentCounts {
    private static func add(_ row: String, _ delta: Int) -> SQLQueryString {
        """
        INSERT INTO user_case_counts (user_id, assigned) VALUES (\(unsafeRaw: row).user_id, \(literal: delta))
        ON CONFLICT (user_id) DO UPDATE SET assigned = user_case_counts.assigned + \(literal: delta)
        """
    }

    static func createTriggers(on sql: any SQLDatabase) async throws {
        if sql.dialect.name == "sqlite" {
            try await sql.raw("CREATE TRIGGER case_assignments_count_insert AFTER INSERT ON case_assignments BEGIN \(add("NEW", 1)); END").run()
            try await sql.raw("CREATE TRIGGER case_assignments_count_delete AFTER DELETE ON case_assignments BEGIN \(add("OLD", -1)); END").run()
            try await sql.raw(
                """
                CREATE TRIGGER case_assignments_count_update AFTER UPDATE OF user_id ON case_assignments
                BEGIN \(add("OLD", -1)); \(add("NEW", 1)); END
                """
            ).run()
        } else {
            try await sql.raw(
                """
                CREATE FUNCTION user_case_counts_bump() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP <> 'INSERT' THEN \(add("OLD", -1)); END IF;
                  IF TG_OP <> 'DELETE' THEN \(add("NEW", 1)); END IF;
                  RETURN NULL;
                END $$
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER case_assignments_count AFTER INSERT OR DELETE OR UPDATE OF user_id ON case_assignments
                FOR EACH ROW EXECUTE FUNCTION user_case_counts_bump()
                """
            ).run()
        }
    }

    static func dropTriggers(on sql: any SQLDatabase) async throws {
        if sql.dialect.name == "sqlite" {
            for event in ["insert", "delete", "update"] {
                try await sql.raw("DROP TRIGGER IF EXISTS case_assignments_count_\(unsafeRaw: event)").run()
            }
        } else {
            try await sql.raw("DROP TRIGGER IF EXISTS case_assignments_count ON case_assignments").run()
            try await sql.raw("DROP FUNCTION IF EXISTS user_case_counts_bump()").run()
        }
    }

    /// Counts again from the assignments (after the migration's creation, or a bulk load made
    /// without the triggers).
    static func recount(on sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM user_case_counts").run()
        try await sql.raw("INSERT INTO user_case_counts (user_id, assigned) SELECT user_id, COUNT(*) FROM case_assignments GROUP BY user_id").run()
    }
}
