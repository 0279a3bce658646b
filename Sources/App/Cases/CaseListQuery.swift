import Domain
import Fluent
import Foundation
import SQLKit

/// What the case list is asked for: the filters of `/cases`, already parsed into their types
/// (an unknown value is no filter, as on the page).
struct CaseListQuery: Sendable, Equatable {
    enum Tasks: String, Sendable, CaseIterable { case open, overdue }
    /// Open cases by opening date first: the usual triage. `activity` is the last note, task,
    /// document, application or change; `nextDue` the earliest open task (none last).
    enum Sort: String, Sendable, CaseIterable { case opened, nextDue = "next_due", activity, reference, status }

    /// A case reference, or words of a name (found in the blind index).
    var text = ""
    var status: CaseStatus?
    /// Without a status chosen, closed cases are left out unless this is set ("all statuses").
    var includeClosed = false
    var province: Province?
    var need: NeedKind?
    var tasks: Tasks?
    var worker: UUID?
    var sort = Sort.opened
    var page = 1

    var isUnfiltered: Bool {
        text.isEmpty && status == nil && province == nil && need == nil && tasks == nil && worker == nil
    }
}

/// One row of the case list, its name opened with the case's key.
struct CaseListRow: Sendable, Equatable {
    let id: UUID
    let reference: String
    let status: CaseStatus
    let province: Province?
    let openedAt: Date
    let preferredName: String
    /// The assigned workers' names, sorted.
    let workers: [String]
    /// The earliest due date of the case's open tasks.
    var nextDueOn: Date? = nil
    /// The last note, task, document, application or change of the case.
    var lastActivityAt: Date? = nil
}

/// A page of the case list with how many cases match in all, counted up to `countCap`.
struct CaseListPage: Sendable {
    let rows: [CaseListRow]
    /// The page actually read (the one asked for, kept within 1 … countCap / pageSize).
    let page: Int
    /// How many cases match, at most `countCap`.
    let total: Int
    /// More than `countCap` cases match.
    let capped: Bool

    var hasNext: Bool { page * CaseQueries.pageSize < total }
}

extension CaseQueries {
    static let pageSize = 25
    static let closedStatuses = CaseStatus.allCases.filter(\.isClosed).map(\.rawValue)
    /// Counting stops here: "1 000+" reads as well as an exact figure, and an exact count of a
    /// caseworker's ten thousand cases would cost more than the page itself.
    static let countCap = 1000

    /// The columns a list row needs, read with SQLKit into a plain struct (Fluent's per-row model
    /// decoding is the largest cost of a list page).
    private struct ListRaw: Decodable {
        let id: UUID
        let reference: String
        let status: String
        let province: String?
        let opened_at: Date
        let sealed_preferred_name: Data
        let next_due_on: Date?
        let last_activity_at: Date?
        let wrapped: Data
        /// The assigned workers' names, separated by U+001F.
        let workers: String?
        /// On the usual page only: the person's case count (`user_case_counts`), read in the same statement.
        let total: Int?
    }

    /// The cases the viewer may see that match the query, a page at a time. `assignedOnly` on
    /// the viewer is the record-level rule and the "mine" scope at once: only the cases assigned
    /// to the viewer. `now` decides which tasks are overdue.
    static func list(_ query: CaseListQuery, viewer: CaseViewer, vault: CaseVault, now: Date, on db: any Database) async throws -> CaseListPage {
        let sql = db as! any SQLDatabase
        let organisationID = viewer.organisationID
        let q = query.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let reference = CaseReference(q)
        // Name search: the cases holding every term of the query, found in the blind index.
        var nameMatches: [UUID]?
        if !q.isEmpty, reference == nil {
            struct Match: Decodable { let case_id: UUID }
            let terms = vault.searchTerms(q, organisationID: organisationID)
            if let first = terms.first {
                // Driven by the most specific token (a number, else the longest): its postings
                // are read from the index, each checked for the other tokens through the case's
                // own few terms — instead of reading and grouping every posting of every token.
                let select = sql.select().column(SQLColumn("case_id", table: "t"))
                    .from(SQLAlias(SQLIdentifier("case_name_terms"), as: SQLIdentifier("t")))
                    .where(SQLColumn("organisation_id", table: "t"), .equal, SQLBind(organisationID))
                    .where(SQLColumn("term", table: "t"), .equal, SQLBind(first))
                for term in terms.dropFirst() {
                    select.where(SQLQueryString("EXISTS (SELECT 1 FROM case_name_terms u WHERE u.case_id = t.case_id AND u.term = \(bind: term))"))
                }
                nameMatches = try await select.limit(countCap + 1).all(decoding: Match.self).map(\.case_id)
            } else {
                nameMatches = []
            }
        }
        // The record-level rule: the organisation's cases, and only the assigned ones when the
        // viewer is kept to them. The list of one's own cases reads the assignments index (user,
        // opening date): 25 entries for a page.
        let assignedOnly = viewer.assignedOnly
        func scoped(_ select: some SQLSubqueryClauseBuilder) {
            select.from("cases")
            if assignedOnly { select.where(CaseScope.assigned(to: viewer.userID, caseIDIn: "cases", column: "id")) }
            select.where(SQLColumn("organisation_id", table: "cases"), .equal, SQLBind(organisationID))
            if let reference { select.where(SQLColumn("reference", table: "cases"), .equal, SQLBind(reference.description)) }
            if let nameMatches {
                // No case bears the name: an empty list (`IN ()` is an error on PostgreSQL).
                select.where(
                    nameMatches.isEmpty
                        ? SQLLiteral.boolean(false)
                        : SQLBinaryExpression(
                            SQLColumn("id", table: "cases"), .in, SQLBind.group(nameMatches)))
            }
            if let status = query.status {
                select.where(SQLColumn("status", table: "cases"), .equal, SQLBind(status.rawValue))
            } else if !query.includeClosed {
                select.where(SQLColumn("status", table: "cases"), .notIn, SQLBind.group(Self.closedStatuses))
            }
            if let province = query.province {
                select.where(SQLColumn("province", table: "cases"), .equal, SQLBind(province.rawValue))
            }
            if let need = query.need {
                select.where(
                    SQLColumn("id", table: "cases"), .in,
                    SQLSubquery.select {
                        $0.column("case_id").from("case_needs")
                            .where("organisation_id", .equal, SQLBind(organisationID)).where("need", .equal, SQLBind(need.rawValue))
                    })
            }
            if let tasks = query.tasks {
                select.where(
                    SQLColumn("id", table: "cases"), .in,
                    SQLSubquery.select { sub in
                        sub.column("case_id").from("case_tasks").where("organisation_id", .equal, SQLBind(organisationID)).where(
                            "done_at", .is, SQLLiteral.null)
                        if tasks == .overdue { sub.where("due_on", .lessThan, SQLBind(now)) }
                        return sub
                    })
            }
            if let worker = query.worker {
                select.where(
                    SQLColumn("id", table: "cases"), .in,
                    SQLSubquery.select {
                        $0.column("case_id").from("case_assignments")
                            .where("user_id", .equal, SQLBind(worker))
                    })
            }
        }
        let opened = SQLColumn("opened_at", table: "cases")
        let pageNumber = max(1, min(query.page, countCap / pageSize))
        let unfiltered = q.isEmpty && query.isUnfiltered
        let select = sql.select()
        for column in ["id", "reference", "status", "province", "opened_at", "sealed_preferred_name", "next_due_on", "last_activity_at"] {
            select.column(SQLColumn(column, table: "cases"))
        }
        select.column(SQLColumn("wrapped", table: "case_keys"))
        // The workers' names come with each row rather than from a query of their own.
        let concat = sql.dialect.name == "sqlite" ? "GROUP_CONCAT(u.display_name, char(31))" : "string_agg(u.display_name, chr(31))"
        select.column(
            SQLQueryString(
                """
                (SELECT \(unsafeRaw: concat) FROM case_assignments a JOIN users u ON u.id = a.user_id WHERE a.case_id = cases.id)
                """), as: "workers")
        func descending(_ column: SQLColumn) -> SQLOrderBy { SQLOrderBy(expression: column, direction: SQLDirection.descending) }
        if assignedOnly, unfiltered, query.sort == .opened {
            // The usual page, one's own cases by opening date: the page's 25 entries are taken
            // from the assignments index first, then joined. (Joined first, PostgreSQL's planner
            // misjudged how few of the organisation's cases are one's own and read them all.)
            // Open cases only, by default: the walk along the index skips the closed ones.
            let page = ownCases(of: viewer.userID, includeClosed: query.includeClosed).column(SQLColumn("opened_at", table: "a"))
                .orderBy(descending(SQLColumn("opened_at", table: "a"))).orderBy(descending(SQLColumn("case_id", table: "a")))
                .limit(pageSize).offset((pageNumber - 1) * pageSize)
            select.from(SQLAlias(page.query, as: SQLIdentifier("page")))
                .join("cases", on: SQLColumn("id", table: "cases"), .equal, SQLColumn("case_id", table: "page"))
                .where(SQLColumn("organisation_id", table: "cases"), .equal, SQLBind(organisationID))
                .orderBy(descending(SQLColumn("opened_at", table: "page"))).orderBy(descending(SQLColumn("case_id", table: "page")))
            if query.includeClosed {
                // The count in the same statement, kept by the database (`CountAssignments`).
                select.column(SQLQueryString("(SELECT assigned FROM user_case_counts WHERE user_id = \(bind: viewer.userID))"), as: "total")
            }
        } else {
            scoped(select)
            switch query.sort {
            case .reference: select.orderBy(SQLColumn("reference", table: "cases"))
            case .status: select.orderBy(SQLColumn("status", table: "cases")).orderBy(descending(opened))
            case .activity: select.orderBy(descending(SQLColumn("last_activity_at", table: "cases"))).orderBy(descending(opened))
            case .nextDue:
                select.orderBy(SQLQueryString("CASE WHEN cases.next_due_on IS NULL THEN 1 ELSE 0 END"))
                    .orderBy(SQLColumn("next_due_on", table: "cases")).orderBy(descending(opened))
            case .opened: select.orderBy(descending(opened))
            }
            select.limit(pageSize).offset((pageNumber - 1) * pageSize)
        }
        select.join("case_keys", on: SQLColumn("case_id", table: "case_keys"), .equal, SQLColumn("id", table: "cases"))
        let files = try await sql.rows(select.query, decoding: ListRaw.self)
        struct Count: Decodable { let n: Int }
        let counted: Int
        if let first = files.first, let total = first.total {
            counted = total
        } else if assignedOnly, unfiltered, query.includeClosed {
            // One's own cases, unfiltered: the count the database keeps (assignments are only ever
            // made within the organisation).
            counted =
                try await db.rows("SELECT assigned AS n FROM user_case_counts WHERE user_id = \(bind: viewer.userID)", decoding: Count.self)
                .first?.n ?? 0
        } else if assignedOnly, unfiltered {
            // One's own open cases: counted along the assignments index, up to the cap.
            let own = ownCases(of: viewer.userID, includeClosed: false).limit(countCap + 1)
            counted =
                try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
                .from(SQLAlias(own.query, as: SQLIdentifier("capped"))).first(decoding: Count.self)?.n ?? 0
        } else {
            let counting = SQLSubqueryBuilder().column(SQLLiteral.numeric("1"))
            scoped(counting)
            counted =
                try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
                .from(SQLAlias(counting.limit(countCap + 1).query, as: SQLIdentifier("capped"))).first(decoding: Count.self)?.n ?? 0
        }
        let rows = try files.map { file in
            let opened = try vault.open(organisationID: organisationID, caseID: file.id, wrapped: file.wrapped)
            return CaseListRow(
                id: file.id, reference: file.reference, status: CaseStatus(rawValue: file.status) ?? .active,
                province: file.province.flatMap(Province.init(rawValue:)), openedAt: file.opened_at,
                preferredName: try vault.openText(file.sealed_preferred_name, field: .preferredName, with: opened),
                workers: (file.workers ?? "").split(separator: "\u{1F}").map(String.init).sorted(),
                nextDueOn: file.next_due_on, lastActivityAt: file.last_activity_at)
        }
        return CaseListPage(rows: rows, page: pageNumber, total: min(counted, countCap), capped: counted > countCap)
    }

    /// The viewer's own cases along the assignments index (user, opening date), without the
    /// closed ones unless asked for.
    private static func ownCases(of userID: UUID, includeClosed: Bool) -> SQLSubqueryBuilder {
        let own = SQLSubqueryBuilder().column(SQLColumn("case_id", table: "a"))
            .from(SQLAlias(SQLIdentifier("case_assignments"), as: SQLIdentifier("a")))
            .where(SQLColumn("user_id", table: "a"), .equal, SQLBind(userID))
        if !includeClosed {
            own.join(
                SQLAlias(SQLIdentifier("cases"), as: SQLIdentifier("c")), on: SQLColumn("id", table: "c"), .equal, SQLColumn("case_id", table: "a")
            )
            .where(SQLColumn("status", table: "c"), .notIn, SQLBind.group(closedStatuses))
        }
        return own
    }
}
