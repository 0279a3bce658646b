import Domain
import Fluent
import Foundation
import SQLKit

/// The deadlines board's query, shared by the board, the calendar feed, the home page and the
/// digest command.
enum DeadlineQueries {
    /// How many of the longest-waiting applications a board or a digest lists.
    static let waitingListed = 50

    /// Deadlines of the cases a user follows: a supervisor all of the organisation's, a caseworker
    /// those assigned to them. Every filter is in SQL, read with SQLKit into plain structs (not
    /// Fluent models), so the cost follows the number of deadlines shown, not the number of cases.
    static func input(for user: User, organisationID: UUID, on db: any Database, today: Day, horizonDays: Int = 90) async throws -> (
        DeadlineInput, [UUID: String]
    ) {
        let sql = db as! any SQLDatabase
        let supervisor = user.roleList.contains(.supervisor)
        /// Midnight (UTC) starting a day: stored dates are compared against day boundaries.
        func start(_ day: Day) -> Date { day.date.addingTimeInterval(-43_200) }
        func scoped<Builder: SQLSubqueryClauseBuilder>(_ select: Builder, table: String) -> Builder {
            select.where(SQLColumn("organisation_id", table: table), .equal, SQLBind(organisationID))
            if !supervisor { select.where(CaseScope.assigned(to: user.id!, caseIDIn: table)) }
            return select
        }
        func withReference(_ select: SQLSelectBuilder, table: String) -> SQLSelectBuilder {
            select.column(SQLColumn("case_id", table: table)).column(SQLColumn("reference", table: "cases"))
                .join("cases", on: SQLColumn("id", table: "cases"), .equal, SQLColumn("case_id", table: table))
        }
        func withPathway(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
            select.column(SQLColumn("code", table: "pathway_types"))
                .join("pathway_types", on: SQLColumn("id", table: "pathway_types"), .equal, SQLColumn("pathway_type_id", table: "applications"))
        }
        struct PermitRow: Decodable {
            let id: UUID
            let case_id: UUID
            let reference: String
            let code: String
            let valid_to: Date
        }
        struct PendingRow: Decodable {
            let case_id: UUID
            let reference: String
            let code: String
            let submitted_on: Date
        }
        struct TaskRow: Decodable {
            let id: UUID
            let case_id: UUID
            let reference: String
            let due_on: Date
        }
        struct CaseRow: Decodable { let case_id: UUID }

        let permitRows = try await scoped(
            withPathway(
                withReference(
                    sql.select().column(SQLColumn("id", table: "applications")).column(SQLColumn("valid_to", table: "applications"))
                        .from("applications"), table: "applications")),
            table: "applications"
        )
        .where(SQLColumn("state", table: "applications"), .equal, SQLBind(ApplicationState.approved.rawValue))
        .where(SQLColumn("valid_to", table: "applications"), .greaterThanOrEqual, SQLBind(start(today)))
        .where(SQLColumn("valid_to", table: "applications"), .lessThan, SQLBind(start(today.adding(days: horizonDays + 1))))
        .all(decoding: PermitRow.self)
        // Waiting too long: submitted on or before the last day past the threshold (business days).
        // One query per state, each read in the order of the index (organisation, state,
        // submitted_on) and stopped one row after the listed number: beyond it the board says
        // "more" without counting them (a count walks every waiting application of the scope).
        let cutoff = start(DeadlineBoard.latestSubmissionWaitingTooLong(today: today).adding(days: 1))
        var pendingRows: [PendingRow] = []
        for state in [ApplicationState.submitted, .additionalInformationRequested] {
            // The oldest first, then the reference and pathway of those rows only.
            let oldest = scoped(
                SQLSubqueryBuilder().column(SQLColumn("case_id", table: "applications"))
                    .column(SQLColumn("submitted_on", table: "applications")).column(SQLColumn("pathway_type_id", table: "applications"))
                    .from("applications"), table: "applications"
            )
            .where(SQLColumn("state", table: "applications"), .equal, SQLBind(state.rawValue))
            .where(SQLColumn("submitted_on", table: "applications"), .lessThan, SQLBind(cutoff))
            .orderBy(SQLColumn("submitted_on", table: "applications")).limit(Self.waitingListed + 1)
            pendingRows += try await sql.select().column(SQLColumn("case_id", table: "oldest")).column(SQLColumn("submitted_on", table: "oldest"))
                .column(SQLColumn("reference", table: "cases")).column(SQLColumn("code", table: "pathway_types"))
                .from(SQLAlias(oldest.query, as: SQLIdentifier("oldest")))
                .join("cases", on: SQLColumn("id", table: "cases"), .equal, SQLColumn("case_id", table: "oldest"))
                .join("pathway_types", on: SQLColumn("id", table: "pathway_types"), .equal, SQLColumn("pathway_type_id", table: "oldest"))
                .all(decoding: PendingRow.self)
        }
        pendingRows.sort { $0.submitted_on < $1.submitted_on }
        let pendingNotListed = max(0, pendingRows.count - Self.waitingListed)
        pendingRows = Array(pendingRows.prefix(Self.waitingListed))
        let taskRows = try await scoped(
            withReference(
                sql.select().column(SQLColumn("id", table: "case_tasks")).column(SQLColumn("due_on", table: "case_tasks")).from("case_tasks"),
                table: "case_tasks"), table: "case_tasks"
        )
        .where(SQLColumn("done_at", table: "case_tasks"), .is, SQLLiteral.null)
        .where(SQLColumn("due_on", table: "case_tasks"), .isNot, SQLLiteral.null)
        .where(SQLColumn("due_on", table: "case_tasks"), .lessThan, SQLBind(start(today.adding(days: horizonDays + 1))))
        .all(decoding: TaskRow.self)
        var references: [UUID: String] = [:]
        for row in permitRows { references[row.case_id] = row.reference }
        for row in pendingRows { references[row.case_id] = row.reference }
        for row in taskRows { references[row.case_id] = row.reference }
        let permitCases = Array(Set(permitRows.map(\.case_id)))
        let inProgress =
            permitCases.isEmpty
            ? Set<UUID>()
            : Set(
                try await sql.select().column("case_id").from("applications")
                    .where("case_id", .in, SQLBind.group(permitCases))
                    .where(
                        "state", .in,
                        SQLBind.group([
                            ApplicationState.preparing.rawValue, ApplicationState.submitted.rawValue,
                            ApplicationState.additionalInformationRequested.rawValue,
                        ])
                    )
                    .all(decoding: CaseRow.self).map(\.case_id))
        let permits = permitRows.map { row in
            DeadlineInput.Permit(
                caseID: row.case_id.uuidString, reference: row.reference, pathwayCode: row.code, validTo: Day(row.valid_to),
                nextApplicationInProgress: inProgress.contains(row.case_id), applicationID: row.id.uuidString)
        }
        let pending = pendingRows.map {
            DeadlineInput.Pending(caseID: $0.case_id.uuidString, reference: $0.reference, pathwayCode: $0.code, submitted: Day($0.submitted_on))
        }
        let tasks = taskRows.map {
            DeadlineInput.Task(caseID: $0.case_id.uuidString, reference: $0.reference, due: Day($0.due_on), taskID: $0.id.uuidString)
        }
        return (DeadlineInput(permits: permits, pending: pending, pendingNotListed: pendingNotListed, tasks: tasks), references)
    }

    /// What only the board's screen shows beside a reference: the person's name for each case,
    /// the title of each task, opened with each case's key (never in the feed or a mail).
    static func screenDetails(
        cases: Set<UUID>, tasks: Set<UUID>, organisationID: UUID, vault: CaseVault, on db: any Database
    ) async throws -> (names: [UUID: String], titles: [UUID: String]) {
        guard !cases.isEmpty else { return ([:], [:]) }
        let sql = db as! any SQLDatabase
        struct CaseRow: Decodable {
            let id: UUID
            let sealed_preferred_name: Data
            let wrapped: Data
        }
        struct TitleRow: Decodable {
            let id: UUID
            let case_id: UUID
            let sealed_title: Data
        }
        let caseRows = try await sql.select().column(SQLColumn("id", table: "cases")).column(SQLColumn("sealed_preferred_name", table: "cases"))
            .column(SQLColumn("wrapped", table: "case_keys")).from("cases")
            .join("case_keys", on: SQLColumn("case_id", table: "case_keys"), .equal, SQLColumn("id", table: "cases"))
            .where(SQLColumn("organisation_id", table: "cases"), .equal, SQLBind(organisationID))
            .where(SQLColumn("id", table: "cases"), .in, SQLBind.group(Array(cases)))
            .all(decoding: CaseRow.self)
        var keys: [UUID: CaseVault.Opened] = [:]
        var names: [UUID: String] = [:]
        for row in caseRows {
            let opened = try vault.open(organisationID: organisationID, caseID: row.id, wrapped: row.wrapped)
            keys[row.id] = opened
            names[row.id] = try vault.openText(row.sealed_preferred_name, field: .preferredName, with: opened)
        }
        var titles: [UUID: String] = [:]
        if !tasks.isEmpty {
            for row in try await sql.select().columns("id", "case_id", "sealed_title").from("case_tasks")
                .where("organisation_id", .equal, SQLBind(organisationID)).where("id", .in, SQLBind.group(Array(tasks)))
                .all(decoding: TitleRow.self)
            {
                guard let opened = keys[row.case_id] else { continue }
                titles[row.id] = try vault.openText(row.sealed_title, field: .task(row.id), with: opened)
            }
        }
        return (names, titles)
    }
}
