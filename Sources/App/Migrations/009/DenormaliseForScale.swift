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
