import Foundation
import SQLKit

/// A counter per organisation that the database bumps, by trigger, on every insert, update or
/// delete of one of its applications, whatever path writes it (Fluent, SQL, purge). The figures
/// page keeps its last result per organisation with the counter it was computed at and computes
/// again only when the counter moved — correct across several server processes, since the
/// counter lives in the database. Created by migration 009.
enum FiguresStamp {
    private static func bump(_ row: String) -> SQLQueryString {
        """
        INSERT INTO figures_stamps (organisation_id, stamp) VALUES (\(unsafeRaw: row).organisation_id, 1)
        ON CONFLICT (organisation_id) DO UPDATE SET stamp = figures_stamps.stamp + 1
        """
    }

    static let trigger = RowTrigger(
        name: "applications_figures_stamp", function: "figures_stamp_bump", table: "applications", onInsert: [bump("NEW")],
        onUpdate: [bump("NEW")], onDelete: [bump("OLD")])

    static func create(on sql: any SQLDatabase) async throws {
        try await sql.raw("CREATE TABLE figures_stamps (organisation_id UUID PRIMARY KEY, stamp BIGINT NOT NULL)").run()
        try await trigger.create(on: sql)
    }

    static func drop(on sql: any SQLDatabase) async throws {
        try await trigger.drop(on: sql)
        try await sql.raw("DROP TABLE IF EXISTS figures_stamps").run()
    }

    static func current(organisationID: UUID, on sql: any SQLDatabase) async throws -> Int {
        struct Row: Decodable { let stamp: Int }
        return try await sql.select().column("stamp").from("figures_stamps").where("organisation_id", .equal, SQLBind(organisationID))
            .first(decoding: Row.self)?.stamp ?? 0
    }
}

/// How many cases each person is assigned (`user_case_counts`), kept by triggers on
/// `case_assignments` whatever path writes (Fluent, SQL, cascades from a purged case). Created
/// by migration 011; the bulk generator drops the trigger, loads, and counts again.
enum AssignmentCounts {
    private static func add(_ row: String, _ delta: Int) -> SQLQueryString {
        """
        INSERT INTO user_case_counts (user_id, assigned) VALUES (\(unsafeRaw: row).user_id, \(literal: delta))
        ON CONFLICT (user_id) DO UPDATE SET assigned = user_case_counts.assigned + \(literal: delta)
        """
    }

    static let trigger = RowTrigger(
        name: "case_assignments_count", function: "user_case_counts_bump", table: "case_assignments", onInsert: [add("NEW", 1)],
        onUpdate: [add("OLD", -1), add("NEW", 1)], updateOf: "user_id", onDelete: [add("OLD", -1)])

    /// Counts again from the assignments (after the migration's creation, or a bulk load made
    /// without the triggers).
    static func recount(on sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM user_case_counts").run()
        try await sql.raw("INSERT INTO user_case_counts (user_id, assigned) SELECT user_id, COUNT(*) FROM case_assignments GROUP BY user_id").run()
    }
}
