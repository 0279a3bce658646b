import Crypto
import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// The deadlines board, the private calendar feed, and the data both (and the daily digest) read.
struct DeadlinesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, SiteURL.deadlines, access: CasesController.workers, use: board)
        routes.on(.POST, SiteURL.deadlines + "/calendar", access: CasesController.workers, use: manageFeed)
        // Public by design: calendar apps cannot sign in. The token in the path is the secret.
        routes.on(.GET, "/calendar/:user/:token", access: .public, use: feed)
    }

    // MARK: - Data

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
            let case_id: UUID
            let reference: String
            let due_on: Date
        }
        struct CaseRow: Decodable { let case_id: UUID }

        let permitRows = try await scoped(
            withPathway(withReference(sql.select().column(SQLColumn("valid_to", table: "applications")).from("applications"), table: "applications")),
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
            withReference(sql.select().column(SQLColumn("due_on", table: "case_tasks")).from("case_tasks"), table: "case_tasks"), table: "case_tasks"
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
                nextApplicationInProgress: inProgress.contains(row.case_id))
        }
        let pending = pendingRows.map {
            DeadlineInput.Pending(caseID: $0.case_id.uuidString, reference: $0.reference, pathwayCode: $0.code, submitted: Day($0.submitted_on))
        }
        let tasks = taskRows.map { DeadlineInput.Task(caseID: $0.case_id.uuidString, reference: $0.reference, due: Day($0.due_on)) }
        return (DeadlineInput(permits: permits, pending: pending, pendingNotListed: pendingNotListed, tasks: tasks), references)
    }

    static func token(master: SymmetricKey, userID: UUID, version: Int) -> String {
        let key = Envelope.derivedKey(master: master, purpose: "calendar", organisationID: userID.uuidString)
        return Data(HMAC<SHA256>.authenticationCode(for: Data("v\(version)".utf8), using: key)).prefix(20).base64URLEncoded
    }

    static func feedURL(_ req: Request, user: User) async throws -> String? {
        // Every caseworker has a feed from the start (version 1); a row exists once renewed or revoked.
        let feed = try await CalendarFeed.query(on: req.db).filter(\.$userID == user.id!).first()
        guard feed?.enabled ?? true else { return nil }
        return req.baseURL
            + "/calendar/\(user.id!.uuidString)/\(token(master: req.application.masterKey, userID: user.id!, version: feed?.version ?? 1)).ics"
    }

    // MARK: - Board

    struct ItemView: Encodable {
        let caseID: String
        let reference: String
        /// Pathway, day and the count of days, already in the reader's language.
        let text: String
    }

    struct SectionView: Encodable {
        let title: String
        let danger: Bool
        let items: [ItemView]
        let more: String?
    }

    struct BoardContext: Encodable {
        let page: PageChrome
        let csrf: String
        let sections: [SectionView]
        let isEmpty: Bool
        let feedURL: String?
        let isSupervisor: Bool
    }

    /// Each section lists its most urgent items; the rest are counted (the calendar has them all).
    static let sectionListed = 50

    @Sendable
    func board(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let (input, _) = try await Self.input(for: current.user, organisationID: current.organisation.id!, on: req.db, today: req.today)
        let board = DeadlineBoard.build(input, today: req.today)
        let names = try await PathwayType.currentNames(on: req.db, language: req.language)
        func section(
            _ key: String, _ items: [DeadlineBoard.Item], danger: Bool = false, notListed: Int = 0,
            note: (DeadlineBoard.Item) -> String
        ) -> SectionView? {
            guard !items.isEmpty || notListed > 0 else { return nil }
            let shown = items.prefix(Self.sectionListed)
            let rest = items.count - shown.count + notListed
            let more: String? =
                rest == 0
                ? nil
                : key == "deadlines.waiting"
                    ? req.t("deadlines.waiting_more")
                    : req.t("deadlines.more", req.formatNumber(rest))
            return SectionView(
                title: req.t(key), danger: danger,
                items: shown.map { item in
                    ItemView(
                        caseID: item.caseID, reference: item.reference,
                        text: ([item.pathwayCode.flatMap { names[$0] }].compactMap { $0 } + [note(item)]).joined(separator: " — "))
                }, more: more)
        }
        let expiring = { (item: DeadlineBoard.Item) in "\(item.day) (\(req.t("applications.days_left", String(item.days))))" }
        let sections = [
            section("deadlines.vowp", board.vowpWithoutNext, danger: true, note: expiring),
            section("deadlines.within30", board.expiringWithin30, note: expiring),
            section("deadlines.within60", board.expiringWithin60, note: expiring),
            section("deadlines.within90", board.expiringWithin90, note: expiring),
            section("deadlines.waiting", board.waitingTooLong, notListed: board.waitingNotListed) {
                req.t("deadlines.waiting_since", $0.day.description, String($0.days))
            },
            section("deadlines.overdue", board.overdueTasks) { "\($0.day) (\(req.t("deadlines.days_late", String($0.days))))" },
        ].compactMap { $0 }
        try await req.audit(.deadlinesViewed, target: current.organisation.id?.uuidString)
        return try await req.render(
            "deadlines",
            BoardContext(
                page: PageChrome(req, titleKey: "deadlines.title"), csrf: req.csrfToken, sections: sections, isEmpty: board.isEmpty,
                feedURL: try await Self.feedURL(req, user: current.user), isSupervisor: current.has(.supervisor)))
    }

    struct FeedForm: Content {
        var action: String?
    }

    /// Creates, renews (a new URL; the old one stops working) or revokes the user's feed.
    @Sendable
    func manageFeed(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let action = (try? req.content.decode(FeedForm.self))?.action ?? ""
        guard ["create", "renew", "revoke"].contains(action) else { throw PageError.badRequest }
        let feed = try await CalendarFeed.query(on: req.db).filter(\.$userID == current.user.id!).first() ?? CalendarFeed(userID: current.user.id!)
        switch action {
        case "revoke": feed.enabled = false
        case "renew":
            feed.version += 1
            feed.enabled = true
        default: feed.enabled = true
        }
        try await req.auditedWrite(.calendarFeedChanged, target: current.user.id?.uuidString, detail: action) { db in
            try await feed.save(on: db)
        }
        return req.redirect(to: SiteURL.deadlines + "#calendar")
    }

    // MARK: - Feed

    @Sendable
    func feed(req: Request) async throws -> Response {
        guard let userID = req.parameters.get("user", as: UUID.self), var token = req.parameters.get("token") else { throw PageError.notFound }
        if token.hasSuffix(".ics") { token.removeLast(4) }
        let feed = try await CalendarFeed.query(on: req.db).filter(\.$userID == userID).first() ?? CalendarFeed(userID: userID)
        guard feed.enabled, Secrets.constantTimeEqual(token, Self.token(master: req.application.masterKey, userID: userID, version: feed.version)),
            let user = try await User.query(on: req.db).filter(\.$id == userID).with(\.$organisation).first(), user.isActive,
            user.roleList.canReadCases
        else { throw PageError.notFound }
        let (input, _) = try await Self.input(for: user, organisationID: user.$organisation.id, on: req.db, today: req.today, horizonDays: 365)
        let language = user.preferredLanguage
        let localizer = req.application.localizer
        let names = try await PathwayType.currentNames(on: req.db, language: language)
        var events: [ICalendar.Event] = []
        for permit in input.permits {
            events.append(
                .init(
                    uid: "permit-\(permit.caseID)-\(permit.validTo)@passerelle",
                    day: permit.validTo,
                    summary: localizer.text(
                        "calendar.permit_expires", language, [names[permit.pathwayCode] ?? permit.pathwayCode, permit.reference]),
                    url: req.baseURL + SiteURL.caseFile(permit.caseID)))
        }
        for task in input.tasks {
            events.append(
                .init(
                    uid: "task-\(task.caseID)-\(task.due)@passerelle", day: task.due,
                    summary: localizer.text("calendar.task_due", language, [task.reference]),
                    url: req.baseURL + SiteURL.caseFile(task.caseID)))
        }
        let body = ICalendar.render(name: localizer.text("calendar.name", language), events: events, stamp: req.now)
        let response = Response(status: .ok, body: .init(string: body))
        response.headers.replaceOrAdd(name: .contentType, value: "text/calendar; charset=utf-8")
        return response
    }
}
