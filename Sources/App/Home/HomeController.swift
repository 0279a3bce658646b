import Domain
import Fluent
import Vapor

/// The home page: who you are, for which organisation, what your roles let you do, and the
/// sign-in facts that help notice someone else using the account.
struct HomeController: RouteCollection {
    static let urgentCountLifetime: TimeInterval = 120

    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, .home, access: .signedIn, use: home)
    }

    struct RoleView: Encodable {
        let labelKey: String
        let capabilitiesKey: String
    }

    struct HomeContext: Page {
        static let template = "home"

        let page: PageChrome
        let displayName: String
        let organisationName: String
        let organisationTypeKey: String
        let provinces: [String]
        let hasProvinces: Bool
        let roles: [RoleView]
        let previousSignIn: String?
        let failedSince: Int
        let twoFactorEnabled: Bool
        let seesCaseData: Bool
        let urgent: Int?
        let grants: [String]
        /// My tasks: overdue, due today, due this week — each with its title and case.
        let taskGroups: [TaskGroup]
        let hasTasks: Bool
        /// The cases I opened last, newest first.
        let recent: [RecentItem]
        /// Referrals received that wait for the organisation's answer.
        let referralsPending: Int
    }

    struct RecentItem: Encodable {
        let reference: String
        let name: String
        let href: String
        let statusKey: String
        let visited: String
    }

    struct TaskGroup: Encodable {
        let titleKey: String
        let late: Bool
        let items: [TaskItem]
    }

    struct TaskItem: Encodable {
        let title: String
        let reference: String
        let href: String
        let due: String
    }

    /// The person's tasks in three groups, on the day `today`.
    static func taskGroups(_ tasks: [MyTask], today: Day, req: Request) -> [TaskGroup] {
        func item(_ task: MyTask) -> TaskItem {
            TaskItem(
                title: task.title, reference: task.reference, href: SiteURL.caseFile(.value(task.caseID.uuidString)).path,
                due: req.formatDay(task.due))
        }
        let groups = [
            ("home.tasks.overdue", true, tasks.filter { $0.due < today }),
            ("home.tasks.today", false, tasks.filter { $0.due == today }),
            ("home.tasks.week", false, tasks.filter { $0.due > today }),
        ]
        return groups.filter { !$0.2.isEmpty }.map { TaskGroup(titleKey: $0.0, late: $0.1, items: $0.2.map(item)) }
    }

    /// How long a grant of case access stays on the home page of the organisation's others.
    static let grantNoticeDays = 30

    /// Roles that read case data given in this organisation lately, by someone else than the
    /// reader: org admins and supervisors see who gave what to whom (a second pair of eyes on
    /// every new access to case files).
    static func recentGrants(_ req: Request, _ current: CurrentUser) async throws -> [String] {
        guard current.has(.orgAdmin) || current.has(.supervisor) else { return [] }
        let since = Int64((req.now.timeIntervalSince1970 - Double(grantNoticeDays) * 86_400) * 1000)
        // The literal repeats the partial index's predicate (IndexAccessGrants), so it is used.
        let events = try await AuditEvent.fetch(
            """
            SELECT * FROM audit_events WHERE organisation_id = \(bind: current.organisation.id!.uuidString)
            AND action = 'case_access_granted' AND occurred_at_ms >= \(bind: since)
            ORDER BY sequence DESC LIMIT 10
            """, on: req.db
        ).filter { $0.actorID != current.user.id?.uuidString }
        guard !events.isEmpty else { return [] }
        let ids = events.compactMap { $0.target.flatMap(UUID.init(uuidString:)) }
        let users = try await User.query(on: req.db).filter(\.$id ~~ ids).filter(\.$organisation.$id == current.organisation.id!).all()
        let names = Dictionary(uniqueKeysWithValues: users.map { ($0.id!.uuidString, $0.displayName) })
        return events.compactMap { event in
            guard let target = event.target, let name = names[target] else { return nil }
            let roles = Role.parseList(event.detail ?? "").map { req.t($0.labelKey) }.joined(separator: ", ")
            return req.t("home.grant", req.formatDateTime(event.occurredAt) ?? "", event.actorEmail ?? "—", name, roles)
        }
    }

    @Sendable
    func home(req: Request) async throws -> Response {
        let current = try req.requireUser()
        var urgent: Int?
        if current.roles.canReadCases {
            // The count is kept in the session for two minutes: the home page is the most visited
            // one, and building the board each time cost it three quarters of its throughput.
            // The deadlines page itself is always exact.
            let now = req.now.timeIntervalSince1970
            if let cached = req.session.data["urgent"].flatMap(Int.init), let at = req.session.data["urgent_at"].flatMap(Double.init),
                now - at < Self.urgentCountLifetime
            {
                urgent = cached
            } else {
                let (input, _) = try await DeadlineQueries.input(
                    for: current.user, organisationID: current.organisation.id!, on: req.db, today: req.today)
                let count = DeadlineBoard.build(input, today: req.today).urgentCount
                req.session.data["urgent"] = String(count)
                req.session.data["urgent_at"] = String(now)
                urgent = count
            }
        }
        var tasks: [MyTask] = []
        var recent: [RecentCase] = []
        var referralsPending = 0
        if current.roles.canReadCases {
            referralsPending = try await ReferralQueries.pendingCount(for: current.organisation.id!, on: req.db)
            let viewer = try await CaseAccess.viewer(req)
            tasks = try await HomeQueries.myTasks(viewer: viewer, today: req.today, vault: req.caseVault, on: req.db)
            recent = try await CaseQueries.recentlyVisited(viewer: viewer, vault: req.caseVault, on: req.db)
        }
        let previous = req.session.data["previous_sign_in"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:))
        let context = HomeContext(
            page: PageChrome(req, titleKey: "home.title"),
            displayName: current.user.displayName,
            organisationName: current.organisation.name,
            organisationTypeKey: current.organisation.organisationType.labelKey,
            provinces: current.organisation.provinceList.map(\.labelKey),
            hasProvinces: !current.organisation.provinceList.isEmpty,
            roles: current.roles.map { RoleView(labelKey: $0.labelKey, capabilitiesKey: $0.capabilitiesKey) },
            previousSignIn: req.formatDateTime(previous),
            failedSince: Int(req.session.data["failed_since"] ?? "0") ?? 0,
            twoFactorEnabled: current.user.hasTwoFactor,
            seesCaseData: current.roles.canReadCases, urgent: urgent, grants: try await Self.recentGrants(req, current),
            taskGroups: Self.taskGroups(tasks, today: req.today, req: req), hasTasks: !tasks.isEmpty,
            recent: recent.map {
                RecentItem(
                    reference: $0.reference, name: $0.preferredName, href: SiteURL.caseFile(.value($0.id.uuidString)).path,
                    statusKey: $0.status.labelKey, visited: req.formatDateTime($0.visitedAt) ?? "")
            }, referralsPending: referralsPending)
        return try await req.render(context)
    }
}
