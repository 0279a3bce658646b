import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// Survivor case files. Every route answers 404 for a case the user may not see — another
/// organisation's, or, where the organisation says so, one not assigned to this caseworker —
/// exactly as for a case that does not exist. Every read and write is audited.
struct CasesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, .cases, access: .caseWorkers, use: index)
        routes.on(.GET, .caseNew, access: .caseWorkers, use: new)
        routes.on(.POST, .cases, access: .caseWorkers, use: create)
        routes.on(.GET, .caseSettings, access: .supervisors, use: settings)
        routes.on(.POST, .caseSettings, access: .supervisors, use: saveSettings)
        routes.on(.GET, .caseFile(.key), access: .caseWorkers, use: show)
        routes.on(.GET, .casePart(.key, .person), access: .caseWorkers, use: personForm)
        routes.on(.POST, .casePart(.key, .person), access: .caseWorkers, use: savePerson)
        routes.on(.GET, .casePart(.key, .safeContact), access: .caseWorkers, use: safeContactForm)
        routes.on(.POST, .casePart(.key, .safeContact), access: .caseWorkers, use: saveSafeContact)
        routes.on(.POST, .casePart(.key, .notes), access: .caseWorkers, use: addNote)
        routes.on(.POST, .casePart(.key, .status), access: .caseWorkers, use: changeStatus)
        routes.on(.POST, .casePart(.key, .assignments), access: .supervisors, use: assign)
        routes.on(.GET, .casePart(.key, .purge), access: .supervisors, use: purgeForm)
        routes.on(.POST, .casePart(.key, .purge), access: .supervisors, use: purge)
    }

    // MARK: - List

    struct IndexContext: Page {
        static let template = "cases/index"

        let page: PageChrome
        /// Reference and name (both links to the case), status, province, opening date, workers.
        let rows: SafeHTML
        let q: String
        let scope: String
        let canSeeAll: Bool
        let statuses: [FormOption]
        let provinces: [FormOption]
        let workers: [FormOption]
        let needs: [FormOption]
        let taskFilters: [FormOption]
        let sorts: [FormOption]
        let previousURL: String?
        let nextURL: String?
        let pageNumber: Int
        let total: Int
        let totalLabel: String
        let totalCapped: Bool
        let isSupervisor: Bool
        /// The column the list is sorted by (`aria-sort` on its header).
        let sortedColumn: String
        /// Nothing matched: what to do instead (clear the filters, open a case for this name).
        let empty: EmptyState?
        /// The filters are never wrong (an unknown value is no filter); the fields read it all the same.
        var errors = FormErrors()
    }

    struct EmptyState: Encodable {
        /// Filters or a search are set (else the organisation, or the person, has no open case).
        let filtered: Bool
        let clearURL: String
        let openURL: String
    }

    struct ListFilter: Content {
        var q: String?
        var scope: String?
        var status: String?
        var province: String?
        var worker: String?
        var need: String?
        var tasks: String?
        var sort: String?
        @LenientInt var page: Int? = nil
    }

    @Sendable
    func index(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let filter = (try? req.query.decode(ListFilter.self)) ?? ListFilter()
        let organisationID = current.organisation.id!
        let settings = try await CaseAccess.settings(req, for: current.organisation)
        let canSeeAll = current.has(.supervisor) || settings.caseVisibility == .wholeOrganisation
        let scope = canSeeAll && filter.scope == "all" ? "all" : "mine"
        let q = (filter.q ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        // No status chosen: open cases only; "any" is every status, the closed ones too.
        let status = filter.status.flatMap(CaseStatus.init(rawValue:))
        let sort = filter.sort == "updated" ? .activity : filter.sort.flatMap(CaseListQuery.Sort.init(rawValue:)) ?? .opened
        let query = CaseListQuery(
            text: q, status: status, includeClosed: filter.status == "any", province: filter.province.flatMap(Province.init(rawValue:)),
            need: filter.need.flatMap(NeedKind.init(rawValue:)), tasks: filter.tasks.flatMap(CaseListQuery.Tasks.init(rawValue:)),
            worker: filter.worker.flatMap(UUID.init(uuidString:)), sort: sort, page: filter.page ?? 1)
        let viewer = CaseViewer(userID: current.user.id!, organisationID: organisationID, assignedOnly: scope == "mine")
        let list = try await CaseQueries.list(query, viewer: viewer, vault: req.caseVault, now: req.now, on: req.db)
        let colleagues = try await CaseQueries.colleagues(of: organisationID, on: req.db)
        let today = req.today.date
        let labels = (
            reference: req.t("cases.reference"), name: req.t("cases.preferred_name"), status: req.t("cases.status"),
            due: req.t("cases.next_due"), activity: req.t("cases.last_activity"), province: req.t("cases.province"),
            opened: req.t("cases.opened"), workers: req.t("cases.worker")
        )
        let overdue = req.t("tasks.overdue")
        let rows = list.rows.map { row -> [SafeHTML.Cell] in
            let link = SiteURL.caseFile(.value(row.id.uuidString)).path
            let late = row.nextDueOn.map { $0 < today } ?? false
            return [
                SafeHTML.Cell(text: row.reference, href: link, label: labels.reference),
                SafeHTML.Cell(text: row.preferredName, href: link, label: labels.name),
                SafeHTML.Cell(text: req.t(row.status.labelKey), label: labels.status),
                SafeHTML.Cell(
                    text: row.nextDueOn.map { req.formatDay(Day($0, in: TimeZone(identifier: "UTC")!)) + (late ? " · " + overdue : "") } ?? "—",
                    label: labels.due, danger: late),
                SafeHTML.Cell(text: row.lastActivityAt.map { req.formatDate($0) } ?? "—", label: labels.activity),
                SafeHTML.Cell(text: row.province.map { req.t($0.labelKey) } ?? "", label: labels.province),
                SafeHTML.Cell(text: req.formatDate(row.openedAt), label: labels.opened),
                SafeHTML.Cell(text: row.workers.joined(separator: ", "), label: labels.workers),
            ]
        }
        try await req.audit(.caseListViewed, target: organisationID.uuidString, detail: "\(rows.count)")

        func pageURL(_ number: Int) -> String {
            listPageURL(
                SiteURL.cases.path,
                [
                    ("q", q), ("scope", scope), ("status", filter.status), ("province", filter.province),
                    ("worker", filter.worker), ("need", filter.need), ("tasks", filter.tasks), ("sort", filter.sort),
                ], page: number)
        }
        let pageNumber = list.page
        // A name searched and not found: "open a case for this person" carries it to the form.
        var openForName = URLComponents()
        openForName.path = SiteURL.caseNew.path
        if !q.isEmpty, CaseReference(q) == nil { openForName.queryItems = [URLQueryItem(name: "preferredName", value: q)] }
        let context = IndexContext(
            page: PageChrome(req, titleKey: "cases.title"), rows: .tableRows(rows), q: q, scope: scope, canSeeAll: canSeeAll,
            statuses: req.options(CaseStatus.self, selected: [filter.status ?? ""], label: \.labelKey)
                + [FormOption(value: "any", label: req.t("cases.status.any"), selected: filter.status == "any")],
            provinces: req.options(Province.self, selected: [filter.province ?? ""], label: \.labelKey),
            workers: colleagues.filter { $0.roleList.canReadCases }
                .map { FormOption(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id!.uuidString == filter.worker) },
            needs: CaseSectionsPanel.options(NeedKind.self, selected: [filter.need ?? ""], req: req),
            taskFilters: CaseListQuery.Tasks.allCases.map {
                FormOption(value: $0.rawValue, label: req.t("cases.tasks.\($0.rawValue)"), selected: $0.rawValue == filter.tasks)
            },
            sorts: CaseListQuery.Sort.allCases.map {
                FormOption(value: $0.rawValue, label: req.t("cases.sort.\($0.rawValue)"), selected: $0 == query.sort)
            },
            previousURL: pageNumber > 1 ? pageURL(pageNumber - 1) : nil,
            nextURL: list.hasNext ? pageURL(pageNumber + 1) : nil,
            pageNumber: pageNumber, total: list.total, totalLabel: req.formatNumber(list.total), totalCapped: list.capped,
            isSupervisor: current.has(.supervisor), sortedColumn: sort.rawValue,
            empty: list.total > 0
                ? nil
                : EmptyState(
                    filtered: !query.isUnfiltered || query.includeClosed,
                    clearURL: SiteURL.cases.path,
                    openURL: openForName.string ?? SiteURL.caseNew.path))
        return try await req.render(context)
    }

    // MARK: - Create

    struct NewContext: Page {
        static let template = "cases/new"

        let page: PageChrome
        let csrf: String
        let preferredName: String
        let provinces: [FormOption]
        let errors: FormErrors
    }

    struct NewForm: Content {
        var preferredName: String?
        var province: String?
    }

    @Sendable
    func new(req: Request) async throws -> Response {
        // `?preferredName=` comes from the case list's empty search ("open a case for this person").
        let name = req.query[String.self, at: "preferredName"].map { String($0.prefix(CaseRules.maximumNameLength)) }
        return try await renderNew(req, form: NewForm(preferredName: name), errors: FormErrors())
    }

    func renderNew(_ req: Request, form: NewForm, errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let csrf = req.csrfToken
        let current = try req.requireUser()
        let chosen = form.province ?? (current.organisation.provinceList.count == 1 ? current.organisation.provinceList[0].rawValue : "")
        return try await req.render(
            NewContext(
                page: PageChrome(req, titleKey: "cases.new.title"), csrf: csrf, preferredName: form.preferredName ?? "",
                provinces: req.options(Province.self, selected: [chosen], label: \.labelKey),
                errors: errors), status: status)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let form = (try? req.content.decode(NewForm.self)) ?? NewForm()
        var errors = FormErrors()
        let name = (form.preferredName ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = CaseRules.checkName(name, required: true) {
            errors.add("preferredName", req.t(problem.rawValue, "\(CaseRules.maximumNameLength)"))
        }
        let province = (form.province ?? "").isEmpty ? nil : Province(rawValue: form.province ?? "")
        if !(form.province ?? "").isEmpty, province == nil { errors.add("province", req.t("field.invalid_choice")) }
        guard errors.isEmpty else { return try await renderNew(req, form: form, errors: errors, status: .unprocessableEntity) }

        let file = try await CaseService.open(
            on: req.db, vault: req.caseVault, organisation: current.organisation, openedBy: current.user.id,
            preferredName: name, province: province, now: req.now, timeZone: req.config.timeZone,
            actor: req.auditActor, requestID: req.id)
        return req.redirect(to: SiteURL.caseFile(.value(file.id!.uuidString)).path, saved: .caseOpened)
    }

    // MARK: - Show

    @Sendable
    func show(req: Request) async throws -> Response {
        try await CasePage.render(req, file: try await CaseAccess.find(req), errors: FormErrors())
    }

}
