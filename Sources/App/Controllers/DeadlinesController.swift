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
    /// those assigned to them.
    static func input(for user: User, organisationID: UUID, on db: any Database) async throws -> (DeadlineInput, [UUID: String]) {
        let cases = CaseFile.query(on: db).filter(\.$organisation.$id == organisationID).field(\.$id).field(\.$reference)
        if !user.roleList.contains(.supervisor) {
            cases.join(CaseAssignment.self, on: \CaseAssignment.$caseID == \CaseFile.$id).filter(CaseAssignment.self, \.$userID == user.id!)
        }
        let files = try await cases.all()
        let references = Dictionary(files.map { ($0.id!, $0.reference) }, uniquingKeysWith: { first, _ in first })
        let ids = Array(references.keys)
        guard !ids.isEmpty else { return (DeadlineInput(permits: [], pending: [], tasks: []), references) }
        let applications = try await PathwayApplication.query(on: db).filter(\.$organisationID == organisationID).filter(\.$caseID ~~ ids)
            .with(\.$pathway).all()
        let inProgress = Set(applications.filter { [.preparing, .submitted, .additionalInformationRequested].contains($0.applicationState) }.map(\.caseID))
        let today = Day(Date())
        var permits: [DeadlineInput.Permit] = []
        var pending: [DeadlineInput.Pending] = []
        for application in applications {
            let reference = references[application.caseID] ?? ""
            if application.applicationState == .approved, let validTo = application.validTo.map(Day.init), validTo >= today {
                permits.append(.init(caseID: application.caseID.uuidString, reference: reference, pathwayCode: application.pathway.code,
                                     validTo: validTo, nextApplicationInProgress: inProgress.contains(application.caseID)))
            }
            if [.submitted, .additionalInformationRequested].contains(application.applicationState), let submitted = application.submittedOn.map(Day.init) {
                pending.append(.init(caseID: application.caseID.uuidString, reference: reference, pathwayCode: application.pathway.code, submitted: submitted))
            }
        }
        let tasks = try await CaseTask.query(on: db).filter(\.$organisationID == organisationID).filter(\.$caseID ~~ ids)
            .filter(\.$doneAt == nil).filter(\.$dueOn != nil).all()
        return (DeadlineInput(permits: permits, pending: pending,
                              tasks: tasks.map { .init(caseID: $0.caseID.uuidString, reference: references[$0.caseID] ?? "", due: Day($0.dueOn!)) }),
                references)
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
        let actor = req.auditActor
        let requestID = req.id
        try await req.db.writeTransaction { db in
            try await feed.save(on: db)
            try await AuditLog.append(on: db, actor: actor, action: .calendarFeedChanged, target: current.user.id?.uuidString, requestID: requestID, detail: action)
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
        let (input, _) = try await Self.input(for: user, organisationID: user.$organisation.id, on: req.db)
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
