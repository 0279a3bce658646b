import Crypto
import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// The deadlines board, the private calendar feed, and the data both (and the daily digest) read.
struct DeadlinesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, .deadlines, access: AccessPolicy.caseWorkers, use: board)
        routes.on(.POST, .deadlinesCalendar, access: AccessPolicy.caseWorkers, use: manageFeed)
        // Public by design: calendar apps cannot sign in. The token in the path is the secret.
        routes.on(.GET, .calendarFeed(user: .key, token: .key), access: .public, use: feed)
    }

    // MARK: - Data

    static func token(master: SymmetricKey, userID: UUID, version: Int) -> String {
        let key = Envelope.derivedKey(master: master, purpose: "calendar", organisationID: userID.uuidString)
        return Data(HMAC<SHA256>.authenticationCode(for: Data("v\(version)".utf8), using: key)).prefix(20).base64URLEncoded
    }

    static func feedURL(_ req: Request, user: User) async throws -> String? {
        // Every caseworker has a feed from the start (version 1); a row exists once renewed or revoked.
        let feed = try await CalendarFeed.query(on: req.db).filter(\.$userID == user.id!).first()
        guard feed?.enabled ?? true else { return nil }
        let token = token(master: req.application.masterKey, userID: user.id!, version: feed?.version ?? 1)
        return req.baseURL + SiteURL.calendarFeed(user: .value(user.id!.uuidString), token: .value(token + ".ics")).path
    }

    // MARK: - Board

    struct ItemView: Encodable {
        let href: String
        let reference: String
        /// The person's preferred name (on screen only).
        let name: String?
        /// Pathway or task title, day and the count of days, already in the reader's language.
        let text: String
    }

    struct SectionView: Encodable {
        let title: String
        let danger: Bool
        let items: [ItemView]
        let more: String?
    }

    struct BoardContext: Page {
        static let template = "deadlines"

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
        let (input, _) = try await DeadlineQueries.input(for: current.user, organisationID: current.organisation.id!, on: req.db, today: req.today)
        let board = DeadlineBoard.build(input, today: req.today)
        let names = try await PathwayType.currentNames(on: req.db, language: req.language)
        // On screen only: the person's name beside each reference, each task's title.
        let listed = [
            board.overdueTasks, board.tasksDueWithin7, board.vowpWithoutNext, board.expiringWithin30, board.expiringWithin60,
            board.expiringWithin90, board.waitingTooLong,
        ].flatMap { $0.prefix(Self.sectionListed) }
        let screen = try await DeadlineQueries.screenDetails(
            cases: Set(listed.compactMap { UUID(uuidString: $0.caseID) }),
            tasks: Set(listed.compactMap { $0.taskID.flatMap(UUID.init(uuidString:)) }),
            organisationID: current.organisation.id!, vault: req.caseVault, on: req.db)
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
                    let caseID = UUID(uuidString: item.caseID)
                    return ItemView(
                        href: SiteURL.caseFile(.value(item.caseID)).path, reference: item.reference,
                        name: caseID.flatMap { screen.names[$0] },
                        text: ([item.pathwayCode.flatMap { names[$0] }, item.taskID.flatMap(UUID.init(uuidString:)).flatMap { screen.titles[$0] }]
                            .compactMap { $0 } + [note(item)]).joined(separator: " — "))
                }, more: more)
        }
        let expiring = { (item: DeadlineBoard.Item) in "\(item.day) (\(req.tp("applications.days_left", item.days)))" }
        // Overdue tasks first: what is already late comes before what may become so.
        let sections = [
            section("deadlines.overdue", board.overdueTasks, danger: true) { "\(req.formatDay($0.day)) (\(req.tp("deadlines.days_late", $0.days)))" },
            section("deadlines.tasks_week", board.tasksDueWithin7) { item in
                "\(req.formatDay(item.day)) (\(item.days == 0 ? req.t("deadlines.today") : req.tp("applications.days_left", item.days)))"
            },
            section("deadlines.vowp", board.vowpWithoutNext, danger: true, note: expiring),
            section("deadlines.within30", board.expiringWithin30, note: expiring),
            section("deadlines.within60", board.expiringWithin60, note: expiring),
            section("deadlines.within90", board.expiringWithin90, note: expiring),
            section("deadlines.waiting", board.waitingTooLong, notListed: board.waitingNotListed) {
                req.t("deadlines.waiting_since", $0.day.description, String($0.days))
            },
        ].compactMap { $0 }
        try await req.audit(.deadlinesViewed, target: current.organisation.id?.uuidString)
        return try await req.render(
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
        return req.redirect(to: SiteURL.deadlines.path + "#calendar", saved: .calendar)
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
        let (input, _) = try await DeadlineQueries.input(
            for: user, organisationID: user.$organisation.id, on: req.db, today: req.today, horizonDays: 365)
        let language = user.preferredLanguage
        let localizer = req.application.localizer
        let names = try await PathwayType.currentNames(on: req.db, language: language)
        var events: [ICalendar.Event] = []
        for permit in input.permits {
            events.append(
                .init(
                    uid: "permit-\(permit.applicationID ?? "\(permit.caseID)-\(permit.validTo)")@passerelle",
                    day: permit.validTo,
                    summary: localizer.text(
                        "calendar.permit_expires", language, [names[permit.pathwayCode] ?? permit.pathwayCode, permit.reference]),
                    url: req.baseURL + SiteURL.caseFile(.value(permit.caseID)).path))
        }
        for task in input.tasks {
            events.append(
                .init(
                    // The task's own id: two tasks of a case due the same day are two events.
                    uid: "task-\(task.taskID ?? "\(task.caseID)-\(task.due)")@passerelle", day: task.due,
                    summary: localizer.text("calendar.task_due", language, [task.reference]),
                    url: req.baseURL + SiteURL.caseFile(.value(task.caseID)).path))
        }
        let body = ICalendar.render(
            name: localizer.text("calendar.name", language), events: events, stamp: req.now, language: language.rawValue)
        let response = Response(status: .ok, body: .init(string: body))
        response.headers.replaceOrAdd(name: .contentType, value: "text/calendar; charset=utf-8")
        return response
    }
}
