import Domain
import Fluent
import Foundation
import SQLKit

/// One of a person's open tasks, its title opened with its case's key.
struct MyTask: Sendable, Equatable {
    let id: UUID
    let caseID: UUID
    let reference: String
    let title: String
    let due: Day
}

/// What "my day" is made of, as functions of a database.
enum HomeQueries {
    /// How many tasks the home page lists at most.
    static let taskLimit = 30

    /// The open tasks assigned to `userID` in the organisation that are overdue or due within
    /// `days` days of `today`, soonest first, each with its case's reference and its title.
    /// Only tasks of cases the viewer may see (the assignee's own organisation; assigned-only
    /// viewers only their cases).
    static func myTasks(viewer: CaseViewer, today: Day, days: Int = 7, vault: CaseVault, on db: any Database) async throws -> [MyTask] {
        struct Row: Decodable {
            let id: UUID
            let case_id: UUID
            let reference: String
            let sealed_title: Data
            let due_on: Date
            let wrapped: Data
        }
        // Midnight (UTC) starting a day, as the deadlines board compares stored dates.
        let end = today.adding(days: days + 1).date.addingTimeInterval(-43_200)
        var query: SQLQueryString = """
            SELECT t.id, t.case_id, c.reference, t.sealed_title, t.due_on, k.wrapped
            FROM case_tasks t JOIN cases c ON c.id = t.case_id JOIN case_keys k ON k.case_id = t.case_id
            WHERE t.organisation_id = \(bind: viewer.organisationID) AND t.assignee_id = \(bind: viewer.userID)
            AND t.done_at IS NULL AND t.due_on IS NOT NULL AND t.due_on < \(bind: end)
            """
        if viewer.assignedOnly { query += " AND " + CaseScope.assigned(to: viewer.userID, caseIDIn: "t") }
        query += " ORDER BY t.due_on, c.reference LIMIT \(unsafeRaw: String(taskLimit))"
        let rows = try await db.rows(query, decoding: Row.self)
        return try rows.map { row in
            let opened = try vault.open(organisationID: viewer.organisationID, caseID: row.case_id, wrapped: row.wrapped)
            return MyTask(
                id: row.id, caseID: row.case_id, reference: row.reference,
                title: try vault.openText(row.sealed_title, field: .task(row.id), with: opened), due: Day(row.due_on))
        }
    }
}
