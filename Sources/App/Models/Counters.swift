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

/// What the case list triages by, kept in the case row by triggers whatever path writes:
/// `last_activity_at` (the latest of the case's own change, a note, a task added or done, a
/// document, an application created or changed) and `next_due_on` (the earliest due date of its
/// open tasks). Each is taken from the written row's own timestamp, so the injected clock holds.
/// Created by migration 014; the bulk generator drops them, loads, and backfills.
enum CaseActivity {
    /// Moves the case's last activity forward to `at` (never back).
    private static func touch(_ caseID: String, at: String) -> SQLQueryString {
        """
        UPDATE cases SET last_activity_at = \(unsafeRaw: at) WHERE id = \(unsafeRaw: caseID) AND \(unsafeRaw: at) IS NOT NULL \
        AND (last_activity_at IS NULL OR last_activity_at < \(unsafeRaw: at))
        """
    }

    private static func nextDue(_ caseID: String) -> SQLQueryString {
        """
        UPDATE cases SET next_due_on = (SELECT MIN(due_on) FROM case_tasks t WHERE t.case_id = \(unsafeRaw: caseID) AND t.done_at IS NULL) \
        WHERE id = \(unsafeRaw: caseID)
        """
    }

    static let triggers = [
        RowTrigger(
            name: "cases_activity", function: "cases_activity_touch", table: "cases", onInsert: [touch("NEW.id", at: "NEW.updated_at")],
            onUpdate: [touch("NEW.id", at: "NEW.updated_at")], updateOf: "updated_at"),
        RowTrigger(
            name: "case_notes_activity", function: "case_notes_activity_touch", table: "case_notes",
            onInsert: [touch("NEW.case_id", at: "NEW.created_at")]),
        RowTrigger(
            name: "case_tasks_activity", function: "case_tasks_activity_touch", table: "case_tasks",
            onInsert: [touch("NEW.case_id", at: "NEW.created_at"), nextDue("NEW.case_id")],
            onUpdate: [touch("NEW.case_id", at: "NEW.done_at"), nextDue("NEW.case_id")], onDelete: [nextDue("OLD.case_id")]),
        RowTrigger(
            name: "case_documents_activity", function: "case_documents_activity_touch", table: "case_documents",
            onInsert: [touch("NEW.case_id", at: "NEW.uploaded_at")]),
        RowTrigger(
            name: "applications_activity", function: "applications_activity_touch", table: "applications",
            onInsert: [touch("NEW.case_id", at: "NEW.created_at")], onUpdate: [touch("NEW.case_id", at: "NEW.updated_at")], updateOf: "updated_at"),
    ]

    /// Sets both columns from what the case holds (after the migration's creation, or a bulk
    /// load made without the triggers).
    static func backfill(on sql: any SQLDatabase) async throws {
        try await sql.raw("UPDATE cases SET last_activity_at = updated_at").run()
        for (table, column) in [
            ("case_notes", "created_at"), ("case_tasks", "created_at"), ("case_tasks", "done_at"), ("case_documents", "uploaded_at"),
            ("applications", "created_at"), ("applications", "updated_at"),
        ] {
            try await sql.raw(
                """
                UPDATE cases SET last_activity_at = (SELECT MAX(\(ident: column)) FROM \(ident: table) x WHERE x.case_id = cases.id)
                WHERE (SELECT MAX(\(ident: column)) FROM \(ident: table) x WHERE x.case_id = cases.id) > last_activity_at
                """
            ).run()
        }
        try await sql.raw("UPDATE cases SET next_due_on = (SELECT MIN(due_on) FROM case_tasks t WHERE t.case_id = cases.id AND t.done_at IS NULL)")
            .run()
    }
}
