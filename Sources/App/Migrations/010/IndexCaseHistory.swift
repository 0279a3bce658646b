import Fluent
import SQLKit

/// A case page shows the case's history without its page views. Views are most of a busy case's
/// events; with only (target, sequence) indexed, the page walked every view of the case to find
/// twenty other events, and slowed down each time it was opened. A partial index leaves them out.
/// The query must repeat the index's predicate with the same literal (`CasePage.render`).
struct IndexCaseHistory: AsyncMigration {
    var name: String { "010_IndexCaseHistory" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw(
            """
            CREATE INDEX audit_events_history_idx ON audit_events (target, sequence)
            WHERE action <> '\(unsafeRaw: AuditAction.caseViewed.rawValue)'
            """
        ).run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "audit_events_history_idx").run()
    }
}
