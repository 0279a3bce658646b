import Domain
import Fluent
import Foundation
import SQLKit

/// Columns copied where the hot queries read them, so each page reads a handful of index entries
/// whatever the number of cases (issue 3 and 4 scale targets):
/// - `case_assignments.opened_at` with an index (user, opened_at): a caseworker's list is the
///   first 25 entries of that index instead of a join and a sort over all their cases;
/// - `applications.province`, `processing_days`, `validity_days` with a covering index: the
///   organisation figures are computed by the database from the index alone. The two day counts
///   are derived (business days from submission to decision; days of validity granted) and are
///   kept current by `ApplicationDerivedFields` on every save.
struct DenormaliseForScale: AsyncMigration {
    var name: String { "009_DenormaliseForScale" }

    func prepare(on database: any Database) async throws {
        try await database.schema("case_assignments").field("opened_at", .datetime).update()
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        try await database.schema("applications").field("province", .string).update()
        try await database.schema("applications").field("processing_days", .int).update()
        try await database.schema("applications").field("validity_days", .int).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("UPDATE case_assignments SET opened_at = (SELECT opened_at FROM cases WHERE cases.id = case_assignments.case_id)").run()
        try await sql.raw("UPDATE applications SET province = (SELECT province FROM cases WHERE cases.id = applications.case_id)").run()
        // The backfill reads and writes by column name, not through the live model, so it stays
        // what it was when it first ran.
        struct Row: Decodable {
            let id: UUID
            let state: String
            let submitted_on: Date?
            let decided_on: Date?
            let valid_from: Date?
            let valid_to: Date?
        }
        for row in try await sql.raw("SELECT id, state, submitted_on, decided_on, valid_from, valid_to FROM applications").all(decoding: Row.self) {
            let processing = ApplicationFigures.processingBusinessDays(
                submitted: row.submitted_on.map(Day.init), decided: row.decided_on.map(Day.init))
            let validity =
                row.state == "approved" ? ApplicationFigures.validityDays(from: row.valid_from.map(Day.init), to: row.valid_to.map(Day.init)) : nil
            try await sql.raw(
                "UPDATE applications SET processing_days = \(bind: processing), validity_days = \(bind: validity) WHERE id = \(bind: row.id)"
            ).run()
        }
        try await sql.create(index: "case_assignments_user_opened_idx").on("case_assignments").column("user_id").column("opened_at").column("case_id")
            .run()
        try await sql.create(index: "applications_figures_idx").on("applications")
            .column("organisation_id").column("pathway_type_id").column("province").column("state")
            .column("complete_at_submission").column("processing_days").column("validity_days").run()
        try await sql.create(index: "applications_org_state_submitted_idx").on("applications")
            .column("organisation_id").column("state").column("submitted_on").run()
        try await FiguresStamp.create(on: sql)
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.drop(index: "case_assignments_user_opened_idx").run()
            try await sql.drop(index: "applications_figures_idx").run()
            try await sql.drop(index: "applications_org_state_submitted_idx").run()
            try await FiguresStamp.drop(on: sql)
        }
        try await database.schema("case_assignments").deleteField("opened_at").update()
        for column in ["province", "processing_days", "validity_days"] {
            try await database.schema("applications").deleteField(.string(column)).update()
        }
    }
}

/// A counter per organisation that the database bumps, by trigger, on every insert, update or
/// delete of one of its applications, whatever path writes it (Fluent, SQL, purge). The figures
/// page keeps its last result per organisation with the counter it was computed at and computes
/// again only when the counter moved — correct across several server processes, since the
/// counter lives in the database.
enum FiguresStamp {
    static func create(on sql: any SQLDatabase) async throws {
        try await sql.raw("CREATE TABLE figures_stamps (organisation_id UUID PRIMARY KEY, stamp BIGINT NOT NULL)").run()
        let bump = { (row: String) -> SQLQueryString in
            """
            INSERT INTO figures_stamps (organisation_id, stamp) VALUES (\(unsafeRaw: row).organisation_id, 1)
            ON CONFLICT (organisation_id) DO UPDATE SET stamp = figures_stamps.stamp + 1
            """
        }
        if sql.dialect.name == "sqlite" {
            for (event, row) in [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")] {
                try await sql.raw(
                    """
                    CREATE TRIGGER applications_figures_stamp_\(unsafeRaw: event.lowercased()) AFTER \(unsafeRaw: event) ON applications
                    BEGIN \(bump(row)); END
                    """
                ).run()
            }
        } else {
            try await sql.raw(
                """
                CREATE FUNCTION figures_stamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP = 'DELETE' THEN
                    \(bump("OLD"));
                  ELSE
                    \(bump("NEW"));
                  END IF;
                  RETURN NULL;
                END $$
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER applications_figures_stamp AFTER INSERT OR UPDATE OR DELETE ON applications
                FOR EACH ROW EXECUTE FUNCTION figures_stamp_bump()
                """
            ).run()
        }
    }

    static func drop(on sql: any SQLDatabase) async throws {
        if sql.dialect.name == "sqlite" {
            for event in ["insert", "update", "delete"] {
                try await sql.raw("DROP TRIGGER IF EXISTS applications_figures_stamp_\(unsafeRaw: event)").run()
            }
        } else {
            try await sql.raw("DROP TRIGGER IF EXISTS applications_figures_stamp ON applications").run()
            try await sql.raw("DROP FUNCTION IF EXISTS figures_stamp_bump()").run()
        }
        try await sql.raw("DROP TABLE IF EXISTS figures_stamps").run()
    }

    static func current(organisationID: UUID, on sql: any SQLDatabase) async throws -> Int {
        struct Row: Decodable { let stamp: Int }
        return try await sql.select().column("stamp").from("figures_stamps").where("organisation_id", .equal, SQLBind(organisationID))
            .first(decoding: Row.self)?.stamp ?? 0
    }
}
