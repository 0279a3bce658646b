import Crypto
import Domain
import Fluent
import Foundation
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

    /// Deadlines of the cases a user follows: a supervisor all of the organisation's, a caseworker
    /// those assigned to them. Every filter is in SQL, so the cost follows the number of deadlines,
    /// not the number of cases.
    static func input(for user: User, organisationID: UUID, on db: any Database, horizonDays: Int = 90) async throws -> (DeadlineInput, [UUID: String]) {
        let supervisor = user.roleList.contains(.supervisor)
        let today = Day(Date())
        func scoped<M: Model>(_ query: QueryBuilder<M>, caseKey: KeyPath<M, FieldProperty<M, UUID>>) -> QueryBuilder<M> {
            query.join(CaseFile.self, on: caseKey == \CaseFile.$id)
            if !supervisor {
                query.join(CaseAssignment.self, on: caseKey == \CaseAssignment.$caseID).filter(CaseAssignment.self, \.$userID == user.id!)
            }
            return query
        }
        let permitRows = try await scoped(PathwayApplication.query(on: db).filter(\.$organisationID == organisationID)
            .filter(\.$state == ApplicationState.approved.rawValue)
            .filter(\.$validTo >= today.date.addingTimeInterval(-43_200)).filter(\.$validTo <= today.adding(days: horizonDays).date), caseKey: \.$caseID)
            .with(\.$pathway).all()
        // Waiting longer than 30 business days means more than 40 calendar days: a safe prefilter.
        let pendingRows = try await scoped(PathwayApplication.query(on: db).filter(\.$organisationID == organisationID)
            .filter(\.$state ~~ [ApplicationState.submitted.rawValue, ApplicationState.additionalInformationRequested.rawValue])
            .filter(\.$submittedOn <= today.adding(days: -40).date), caseKey: \.$caseID)
            .with(\.$pathway).all()
        let taskRows = try await scoped(CaseTask.query(on: db).filter(\.$organisationID == organisationID).filter(\.$doneAt == nil)
            .filter(\.$dueOn != nil).filter(\.$dueOn <= today.adding(days: horizonDays).date), caseKey: \.$caseID).all()
        var references: [UUID: String] = [:]
        for row in permitRows { references[row.caseID] = try row.joined(CaseFile.self).reference }
        for row in pendingRows { references[row.caseID] = try row.joined(CaseFile.self).reference }
        for row in taskRows { references[row.caseID] = try row.joined(CaseFile.self).reference }
        let permitCases = Array(Set(permitRows.map(\.caseID)))
        let inProgress = permitCases.isEmpty ? Set<UUID>() : Set(try await PathwayApplication.query(on: db).filter(\.$caseID ~~ permitCases)
            .filter(\.$state ~~ [ApplicationState.preparing.rawValue, ApplicationState.submitted.rawValue,
                                  ApplicationState.additionalInformationRequested.rawValue]).all(\.$caseID))
        let permits = permitRows.compactMap { row -> DeadlineInput.Permit? in
            guard let validTo = row.validTo.map(Day.init) else { return nil }
            return .init(caseID: row.caseID.uuidString, reference: references[row.caseID] ?? "", pathwayCode: row.pathway.code, validTo: validTo,
                         nextApplicationInProgress: inProgress.contains(row.caseID))
        }
        let pending = pendingRows.compactMap { row -> DeadlineInput.Pending? in
            guard let submitted = row.submittedOn.map(Day.init) else { return nil }
            return .init(caseID: row.caseID.uuidString, reference: references[row.caseID] ?? "", pathwayCode: row.pathway.code, submitted: submitted)
        }
        let tasks = taskRows.map { DeadlineInput.Task(caseID: $0.caseID.uuidString, reference: references[$0.caseID] ?? "", due: Day($0.dueOn!)) }
        return (DeadlineInput(permits: permits, pending: pending, tasks: tasks), references)
    }

    static func token(master: SymmetricKey, userID: UUID, version: Int) -> String {
        let key = Envelope.derivedKey(master: master, purpose: "calendar", organisationID: userID.uuidString)
        return Data(HMAC<SHA256>.authenticationCode(for: Data("v\(version)".utf8), using: key)).prefix(20).base64URLEncoded
    }

    static func feedURL(_ req: Request, user: User) async throws -> String? {
        // Every caseworker has a feed from the start (version 1); a row exists once renewed or revoked.
        let feed = try await CalendarFeed.query(on: req.db).filter(\.$userID == user.id!).first()
        guard feed?.enabled ?? true else { return nil }
        return req.baseURL + "/calendar/\(user.id!.uuidString)/\(token(master: req.application.masterKey, userID: user.id!, version: feed?.version ?? 1)).ics"
    }

    // MARK: - Board

    struct ItemView: Encodable {
        let caseID: String
        let reference: String
        let pathway: String?
        let day: String
        let days: Int
    }

    struct BoardContext: Encodable {
        let page: PageChrome
        let csrf: String
        let within30: [ItemView]
        let within60: [ItemView]
        let within90: [ItemView]
        let waiting: [ItemView]
        let overdue: [ItemView]
        let vowp: [ItemView]
        let isEmpty: Bool
        /// Leaf treats an empty array as true: which sections to show is said explicitly.
        let show: [String: Bool]
        let feedURL: String?
        let isSupervisor: Bool
    }

    @Sendable
    func board(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let (input, _) = try await Self.input(for: current.user, organisationID: current.organisation.id!, on: req.db)
        let board = DeadlineBoard.build(input, today: Day(Date()))
        let names = Dictionary(try await PathwayType.query(on: req.db).all().map { ($0.code, $0.name(req.language)) }, uniquingKeysWith: { first, _ in first })
        func views(_ items: [DeadlineBoard.Item]) -> [ItemView] {
            items.map { ItemView(caseID: $0.caseID, reference: $0.reference, pathway: $0.pathwayCode.flatMap { names[$0] }, day: $0.day.description, days: $0.days) }
        }
        try await req.audit(.deadlinesViewed, target: current.organisation.id?.uuidString)
        return try await req.render("deadlines", BoardContext(
            page: PageChrome(req, titleKey: "deadlines.title"), csrf: req.csrfToken,
            within30: views(board.expiringWithin30), within60: views(board.expiringWithin60), within90: views(board.expiringWithin90),
            waiting: views(board.waitingTooLong), overdue: views(board.overdueTasks), vowp: views(board.vowpWithoutNext), isEmpty: board.isEmpty,
            show: ["vowp": !board.vowpWithoutNext.isEmpty, "within30": !board.expiringWithin30.isEmpty, "within60": !board.expiringWithin60.isEmpty,
                   "within90": !board.expiringWithin90.isEmpty, "waiting": !board.waitingTooLong.isEmpty, "overdue": !board.overdueTasks.isEmpty],
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
              user.roleList.canReadCases else { throw PageError.notFound }
        let (input, _) = try await Self.input(for: user, organisationID: user.$organisation.id, on: req.db, horizonDays: 365)
        let language = user.preferredLanguage
        let localizer = req.application.localizer
        let names = Dictionary(try await PathwayType.query(on: req.db).all().map { ($0.code, $0.name(language)) }, uniquingKeysWith: { first, _ in first })
        var events: [ICalendar.Event] = []
        for permit in input.permits {
            events.append(.init(uid: "permit-\(permit.caseID)-\(permit.validTo)@passerelle",
                                day: permit.validTo,
                                summary: localizer.text("calendar.permit_expires", language, [names[permit.pathwayCode] ?? permit.pathwayCode, permit.reference]),
                                url: req.baseURL + SiteURL.caseFile(permit.caseID)))
        }
        for task in input.tasks {
            events.append(.init(uid: "task-\(task.caseID)-\(task.due)@passerelle", day: task.due,
                                summary: localizer.text("calendar.task_due", language, [task.reference]),
                                url: req.baseURL + SiteURL.caseFile(task.caseID)))
        }
        let body = ICalendar.render(name: localizer.text("calendar.name", language), events: events, stamp: Date())
        let response = Response(status: .ok, body: .init(string: body))
        response.headers.replaceOrAdd(name: .contentType, value: "text/calendar; charset=utf-8")
        return response
    }
}
