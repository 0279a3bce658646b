import Domain
import Fluent
import Foundation
import Vapor

/// The service directory: a search that combines its fields, and each service's page. Everyone
/// signed in may search it; a confidential address is shown only to its own organisation.
struct DirectoryController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, .directory, access: .signedIn, use: index)
        routes.on(.GET, .directoryService(.key), access: .signedIn, use: show)
        routes.on(.GET, .directoryStale, access: Self.managers, use: stale)
        routes.on(.GET, .directoryNew, access: Self.managers, use: newForm)
        routes.on(.POST, .directoryNew, access: Self.managers, use: create)
        routes.on(.POST, .directoryAction(.key, .capacity), access: Self.managers, use: saveCapacity)
        routes.on(.POST, .directoryAction(.key, .verify), access: Self.managers, use: verify)
        routes.on(.GET, .directoryAction(.key, .edit), access: Self.managers, use: editForm)
        routes.on(.POST, .directoryAction(.key, .edit), access: Self.managers, use: saveEdit)
    }

    /// Network coordinators manage every listing; an org admin, their own organisation's.
    static let managers = AccessPolicy.roles([.networkCoordinator, .orgAdmin])

    static func canManage(_ current: CurrentUser?, _ organisation: DirectoryOrganisation) -> Bool {
        guard let current else { return false }
        if current.has(.networkCoordinator) { return true }
        return current.has(.orgAdmin) && organisation.memberOrganisationID != nil && organisation.memberOrganisationID == current.organisation.id
    }

    /// Languages offered in the search, by ISO 639 code (those the demo and the seed's regions speak).
    static let languages = [
        "fr", "en", "es", "tl", "pa", "zh", "ar", "uk", "ru", "pt", "vi", "hi", "ta", "ur", "ko", "fa", "so", "ti", "am", "cr", "iu", "oj",
    ]

    struct Filter: Content {
        var q: String?
        var province: String?
        var region: String?
        var category: String?
        var language: String?
        var eligibility: String?
        var open: String?
        /// The case the search is made for (from its "find a service" link): kept across pages
        /// and to each service's page, which then offers to refer the person.
        var `case`: String?
        @LenientInt var page: Int? = nil
    }

    /// The case a search is made for, if the reader may work on cases and the value is an id.
    static func forCase(_ req: Request, _ raw: String?? = nil) -> String? {
        guard req.currentUser?.roles.canReadCases == true, let raw = raw ?? req.query[String.self, at: "case"], let id = UUID(uuidString: raw)
        else { return nil }
        return id.uuidString
    }

    struct ResultView: Encodable {
        let href: String
        let name: String
        let organisation: String
        let summary: String
        let categories: String
        let languages: String
        let place: String
        let eligibility: String
        let capacity: String?
        let full: Bool
        let stale: Bool
        let closed: Bool
        let confidential: Bool
        let hoursToday: String
    }

    /// The search's result cards, written by Swift: twenty cards of a dozen values each were
    /// most of what LeafKit encoded, interpreted and escaped for the page.
    struct ResultCards: Encodable {
        /// The cards on this page.
        let count: Int
        let cards: SafeHTML

        /// The card's words, in the reader's language.
        struct Labels {
            let category: String
            let language: String
            let eligibility: String
            let hoursToday: String
            let capacity: String
            let address: String
            let confidential: String
            let closed: String
            let full: String
            let stale: String
        }

        init(_ results: [ResultView], _ labels: Labels) {
            count = results.count
            cards = .build { html in
                for r in results {
                    html.raw("<li class=\"card\">\n  <h2><a href=\"")
                    html.text(r.href)
                    html.raw("\">")
                    html.text(r.name)
                    html.raw("</a></h2>\n  <p class=\"muted\">")
                    html.text(r.organisation)
                    html.raw(" · ")
                    html.text(r.place)
                    html.raw("</p>\n")
                    if r.closed || r.full || r.stale {
                        html.raw("  <p>")
                        if r.closed {
                            html.raw("<strong class=\"danger-text\">")
                            html.text(labels.closed)
                            html.raw("</strong> ")
                        }
                        if r.full {
                            html.raw("<strong class=\"danger-text\">")
                            html.text(labels.full)
                            html.raw("</strong> ")
                        }
                        if r.stale {
                            html.raw("<span class=\"new-mark\">")
                            html.text(labels.stale)
                            html.raw("</span>")
                        }
                        html.raw("</p>\n")
                    }
                    html.raw("  <p>")
                    html.text(r.summary)
                    html.raw("</p>\n  <dl class=\"pairs\">")
                    func pair(_ label: String, _ value: String) {
                        html.raw("<dt>")
                        html.text(label)
                        html.raw("</dt><dd>")
                        html.text(value)
                        html.raw("</dd>")
                    }
                    pair(labels.category, r.categories)
                    pair(labels.language, r.languages)
                    pair(labels.eligibility, r.eligibility)
                    pair(labels.hoursToday, r.hoursToday)
                    if let capacity = r.capacity { pair(labels.capacity, capacity) }
                    if r.confidential { pair(labels.address, labels.confidential) }
                    html.raw("</dl>\n</li>\n")
                }
            }
        }
    }

    struct IndexContext: Page {
        static let template = "directory/index"

        let page: PageChrome
        let q: String
        /// The filters' choices, written beforehand (`SafeHTML.optionList`).
        let provinces: SafeHTML
        let regions: SafeHTML
        let categories: SafeHTML
        let languages: SafeHTML
        let eligibilities: SafeHTML
        let openNow: Bool
        let results: ResultCards
        let total: Int
        let previousURL: String?
        let nextURL: String?
        let pageNumber: Int
        /// Coordinators and org admins: the link to the listings to check.
        let manages: Bool
        /// Coordinators: the import.
        let imports: Bool
        let forCase: String?
        var errors = FormErrors()
    }

    static func query(from filter: Filter) -> DirectoryQuery {
        DirectoryQuery(
            province: filter.province.flatMap(Province.init(rawValue:)), region: filter.region.flatMap(RegionKind.init(rawValue:)),
            category: filter.category.flatMap(ServiceCategory.init(rawValue:)),
            language: filter.language.flatMap { languages.contains($0) ? $0 : nil },
            eligibility: filter.eligibility.flatMap(ImmigrationStatus.init(rawValue:)), openNow: filter.open == "1",
            text: String((filter.q ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(200)), page: filter.page ?? 1)
    }

    @Sendable
    func index(req: Request) async throws -> Response {
        let filter = (try? req.query.decode(Filter.self)) ?? Filter()
        let query = Self.query(from: filter)
        let found = try await DirectoryQueries.search(query, language: req.language, now: req.now, timeZone: req.config.timeZone, on: req.db)
        let viewer = req.currentUser?.organisation.id
        let forCase = Self.forCase(req, filter.case)
        let resultContext = ResultContext(req)
        func pageURL(_ number: Int) -> String {
            listPageURL(
                SiteURL.directory.path,
                [
                    ("q", query.text), ("province", query.province?.rawValue), ("region", query.region?.rawValue),
                    ("category", query.category?.rawValue), ("language", query.language), ("eligibility", query.eligibility?.rawValue),
                    ("open", query.openNow ? "1" : nil), ("case", forCase),
                ], page: number)
        }
        let context = IndexContext(
            page: PageChrome(req, titleKey: "directory.title"), q: query.text,
            provinces: .optionList(req.options(Province.self, selected: [query.province?.rawValue ?? ""], label: \.labelKey)),
            regions: .optionList(req.options(RegionKind.self, selected: [query.region?.rawValue ?? ""], label: \.labelKey)),
            categories: .optionList(req.options(ServiceCategory.self, selected: [query.category?.rawValue ?? ""], label: \.labelKey)),
            languages: .optionList(
                Self.languages.map { FormOption(value: $0, label: req.t("directory.language.\($0)"), selected: $0 == query.language) }),
            eligibilities: .optionList(req.options(ImmigrationStatus.self, selected: [query.eligibility?.rawValue ?? ""], label: \.labelKey)),
            openNow: query.openNow,
            results: ResultCards(found.services.map { Self.result($0, viewer: viewer, resultContext, forCase: forCase) }, .init(req)),
            total: found.total, previousURL: found.page > 1 ? pageURL(found.page - 1) : nil, nextURL: found.hasNext ? pageURL(found.page + 1) : nil,
            pageNumber: found.page, manages: req.currentUser.map { $0.hasAny([.networkCoordinator, .orgAdmin]) } ?? false,
            imports: req.currentUser?.has(.networkCoordinator) ?? false, forCase: forCase)
        return try await req.render(context)
    }

    static func name(_ service: DirectoryService, _ req: Request) -> String { req.language == .fr ? service.nameFR : service.nameEN }

    /// A listing of the model, as the results show it.
    static func listing(_ service: DirectoryService, _ organisation: DirectoryOrganisation, _ req: Request) -> DirectoryListing {
        DirectoryListing(service, organisation, today: DirectoryQueries.today(now: req.now, timeZone: req.config.timeZone))
    }

    static func list<E: CatalogValue>(_ type: E.Type, _ stored: String, _ req: some Translating) -> String {
        stored.split(separator: ",").compactMap { E(rawValue: String($0)) }.map { req.t($0.labelKey) }.joined(separator: ", ")
    }

    static func languageNames(_ stored: String, _ req: some Translating) -> String {
        stored.split(separator: ",").map { req.t("directory.language.\($0)") }.joined(separator: ", ")
    }

    static func eligibility(_ eligibleStatuses: String, _ req: some Translating) -> String {
        let statuses = eligibleStatuses.split(separator: ",").compactMap { ImmigrationStatus(rawValue: String($0)) }
        return statuses.isEmpty ? req.t("directory.eligibility.everyone") : statuses.map { req.t($0.labelKey) }.joined(separator: ", ")
    }

    static func place(_ service: DirectoryListing, _ req: some Translating) -> String {
        [
            service.city, Province(rawValue: service.province).map { req.t($0.labelKey) } ?? service.province,
            RegionKind(rawValue: service.region).map { req.t($0.labelKey) } ?? "",
        ]
        .filter { !$0.isEmpty }.joined(separator: " · ")
    }

    static func capacity(_ service: DirectoryListing, _ req: some Translating, format: (Date) -> String) -> String? {
        guard let available = service.capacityAvailable, let maximum = service.capacityMaximum,
            let unit = service.capacityUnit.flatMap(CapacityUnit.init(rawValue:))
        else { return nil }
        let when = service.capacityUpdatedAt.map(format) ?? "—"
        return req.tp("directory.capacity.\(unit.rawValue)", available, String(maximum), when)
    }

    static func hours(_ range: OpeningHours.Range?, _ req: some Translating) -> String {
        guard let range else { return req.t("directory.hours.closed") }
        if range.opens == 0, range.closes == 1440 { return req.t("directory.hours.always") }
        return req.t("directory.hours.range", OpeningHours.text(range.opens), OpeningHours.text(range.closes))
    }

    static func result(
        _ service: DirectoryService, _ organisation: DirectoryOrganisation, viewer: UUID?, req: Request, forCase: String? = nil
    ) -> ResultView {
        result(listing(service, organisation, req), viewer: viewer, req: req, forCase: forCase)
    }

    /// What every result of a page shares: the words, the dates' format, today. Taken once for
    /// the page's twenty results instead of once per word and date of each.
    struct ResultContext {
        let words: RequestWords
        let format: (Date) -> String
        let today: Day

        init(_ req: Request) {
            words = req.words
            format = req.dateTimeFormat()
            today = req.today
        }
    }

    static func result(_ service: DirectoryListing, viewer: UUID?, req: Request, forCase: String? = nil) -> ResultView {
        result(service, viewer: viewer, ResultContext(req), forCase: forCase)
    }

    static func result(_ service: DirectoryListing, viewer: UUID?, _ context: ResultContext, forCase: String? = nil) -> ResultView {
        let words = context.words
        let description = words.language == .fr ? service.descriptionFR : service.descriptionEN
        return ResultView(
            href: SiteURL.directoryService(.value(service.id.hexText)).path + (forCase.map { "?case=\($0)" } ?? ""),
            name: words.language == .fr ? service.nameFR : service.nameEN, organisation: service.organisationName,
            summary: description.count > 220 ? String(description.prefix(220)) + "…" : description,
            categories: list(ServiceCategory.self, service.categories, words), languages: languageNames(service.languages, words),
            place: place(service, words), eligibility: eligibility(service.eligibleStatuses, words),
            capacity: capacity(service, words, format: context.format), full: (service.capacityAvailable ?? 1) <= 0,
            stale: DirectoryRules.isStale(verifiedOn: service.verifiedOn.map { Day($0) }, today: context.today),
            closed: service.status == ServiceStatus.temporarilyClosed.rawValue, confidential: service.confidential,
            hoursToday: hours(service.today, words))
    }

    struct ServiceContext: Page {
        static let template = "directory/service"

        let page: PageChrome
        let result: ResultView
        let description: String
        let status: String
        let member: Bool
        let ages: String?
        let gender: String?
        let fees: String
        let accessibility: String
        let hours: [LabelledValue]
        let phone: String
        let email: String
        let website: String
        /// Nil when confidential and the reader is not of the organisation.
        let address: String?
        let frontDoor: String?
        let area: String
        let verified: String
        let history: [String]
        let searchURL: String
        /// The manager's forms (coordinators; the owning organisation's admins).
        let canManage: Bool
        let csrf: String
        /// Reached from a case's search: the referral form for that case and this service.
        let referURL: String?
        /// A caseworker or supervisor reached it otherwise: how to refer someone.
        let mayRefer: Bool
        let capacityAction: String
        let verifyAction: String
        let editURL: String
        let available: String
        let maximum: String
        let units: [FormOption]
        let errors: FormErrors
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw PageError.notFound }
        return try await render(req, id: id, errors: FormErrors(), values: [:])
    }

    func render(_ req: Request, id: UUID, errors: FormErrors, values: [String: String], status: HTTPResponseStatus = .ok) async throws
        -> Response
    {
        guard let (service, organisation) = try await DirectoryQueries.service(id, on: req.db) else { throw PageError.notFound }
        let viewer = req.currentUser?.organisation.id
        let own = viewer != nil && organisation.memberOrganisationID == viewer
        let area: String =
            switch ServiceArea(stored: service.serviceArea) {
            case .allCanada: req.t("directory.area.all")
            case .remoteOnly: req.t("directory.area.remote")
            case .provinces(let list): list.map { req.t($0.labelKey) }.joined(separator: ", ")
            case nil: "—"
            }
        let ages: String? =
            switch (service.minimumAge, service.maximumAge) {
            case (nil, nil): nil
            case (let low?, nil): req.t("directory.ages.from", String(low))
            case (nil, let high?): req.t("directory.ages.to", String(high))
            case (let low?, let high?): req.t("directory.ages.between", String(low), String(high))
            }
        let changes = try await DirectoryQueries.history(of: id, on: req.db)
        let people = try await User.query(on: req.db).filter(\.$id ~~ Set(changes.compactMap(\.actorID))).all()
        let names = Dictionary(people.map { ($0.id!, $0.displayName) }, uniquingKeysWith: { first, _ in first })
        let context = ServiceContext(
            page: PageChrome(req, titleKey: "directory.service.title", titleText: Self.name(service, req)),
            result: Self.result(service, organisation, viewer: viewer, req: req),
            description: req.language == .fr ? service.descriptionFR : service.descriptionEN,
            status: ServiceStatus(rawValue: service.status).map { req.t($0.labelKey) } ?? service.status,
            member: organisation.memberOrganisationID != nil, ages: ages,
            gender: service.gender.flatMap(GenderRestriction.init(rawValue:)).map { req.t($0.labelKey) },
            fees: req.language == .fr ? service.feesFR : service.feesEN,
            accessibility: req.language == .fr ? service.accessibilityFR : service.accessibilityEN,
            hours: Weekday.allCases.map { LabelledValue(labelKey: $0.labelKey, value: Self.hours(service.openingHours.days[$0], req)) },
            phone: service.phone, email: service.email, website: service.website,
            address: service.confidential && !own
                ? nil : [service.address, service.city, service.postalCode].filter { !$0.isEmpty }.joined(separator: ", "),
            frontDoor: service.confidential ? service.frontDoor : nil, area: area,
            verified: service.verifiedOn.map { req.formatDay(Day($0)) } ?? req.t("directory.verified.never"),
            history: changes.map { change in
                req.t(
                    "directory.change.\(change.action)", req.formatDateTime(change.at) ?? "",
                    change.actorID.flatMap { names[$0] } ?? req.t("directory.change.system"))
            },
            searchURL: SiteURL.directory.path + "?province=\(service.province)",
            canManage: Self.canManage(req.currentUser, organisation), csrf: req.csrfToken,
            referURL: Self.forCase(req).map { SiteURL.casePart(.value($0), .referrals).path + "?service=\(id.uuidString)" },
            mayRefer: req.currentUser?.roles.canReadCases == true,
            capacityAction: SiteURL.directoryAction(.value(id.uuidString), .capacity).path,
            verifyAction: SiteURL.directoryAction(.value(id.uuidString), .verify).path,
            editURL: SiteURL.directoryAction(.value(id.uuidString), .edit).path,
            available: values["available"] ?? service.capacityAvailable.map(String.init) ?? "",
            maximum: values["maximum"] ?? service.capacityMaximum.map(String.init) ?? "",
            units: req.options(
                CapacityUnit.self, selected: [values["unit"] ?? service.capacityUnit ?? CapacityUnit.places.rawValue], label: \.labelKey),
            errors: errors)
        return try await req.render(context, status: status)
    }

    // MARK: - Managing a listing

    /// The listing and its organisation, when the person may manage it (404 when it does not
    /// exist, 403 when it is someone else's).
    func managed(_ req: Request) async throws -> (DirectoryService, DirectoryOrganisation) {
        guard let id = req.parameters.get("id", as: UUID.self), let (service, organisation) = try await DirectoryQueries.service(id, on: req.db)
        else { throw PageError.notFound }
        guard Self.canManage(req.currentUser, organisation) else { throw PageError.forbidden }
        return (service, organisation)
    }

    /// A change in the listing's history and in the audit log, in the same transaction as the write.
    static func record(
        _ req: Request, _ service: DirectoryService, action: String, changes: [(field: String, previous: String, replacement: String)],
        on db: any Database
    ) async throws {
        let change = DirectoryChange()
        change.serviceID = service.id!
        change.at = req.now
        change.actorID = req.currentUser?.user.id
        change.actorEmail = req.currentUser?.user.email
        change.action = action
        let list = changes.map { ["field": $0.field, "previous": $0.previous, "replacement": $0.replacement] }
        change.changes = String(decoding: try JSONEncoder().encode(list), as: UTF8.self)
        try await change.create(on: db)
        try await AuditLog.append(
            on: db, actor: req.auditActor, action: .directoryChanged, target: service.id?.uuidString, requestID: req.id, detail: action)
    }

    struct CapacityForm: Content {
        var available: String?
        var maximum: String?
        var unit: String?
    }

    @Sendable
    func saveCapacity(req: Request) async throws -> Response {
        let (service, _) = try await managed(req)
        let form = (try? req.content.decode(CapacityForm.self)) ?? CapacityForm()
        var errors = FormErrors()
        func count(_ raw: String?, _ field: String) -> Int? {
            guard let value = Int((raw ?? "").trimmingCharacters(in: .whitespaces)), (0...100_000).contains(value) else {
                errors.add(field, req.t("directory.error.count"))
                return nil
            }
            return value
        }
        let available = count(form.available, "available")
        let maximum = count(form.maximum, "maximum")
        let unit = CapacityUnit(rawValue: form.unit ?? "")
        if unit == nil { errors.add("unit", req.t("field.invalid_choice")) }
        if let available, let maximum, available > maximum { errors.add("available", req.t("directory.error.available_over")) }
        guard errors.isEmpty, let available, let maximum, let unit else {
            return try await render(
                req, id: service.id!, errors: errors,
                values: ["available": form.available ?? "", "maximum": form.maximum ?? "", "unit": form.unit ?? ""],
                status: .unprocessableEntity)
        }
        let previous = "\(service.capacityAvailable.map(String.init) ?? "—")/\(service.capacityMaximum.map(String.init) ?? "—")"
        service.capacityAvailable = available
        service.capacityMaximum = maximum
        service.capacityUnit = unit.rawValue
        service.capacityUpdatedAt = req.now
        service.updatedAt = req.now
        try await req.db.writeTransaction { db in
            try await service.save(on: db)
            try await Self.record(req, service, action: "capacity", changes: [("capacity", previous, "\(available)/\(maximum)")], on: db)
        }
        return req.redirect(to: SiteURL.directoryService(.value(service.id!.uuidString)).path, saved: .directoryCapacity)
    }

    @Sendable
    func verify(req: Request) async throws -> Response {
        let (service, _) = try await managed(req)
        let previous = service.verifiedOn.map { Day($0).description } ?? "—"
        service.verifiedOn = req.today.date
        service.updatedAt = req.now
        try await req.db.writeTransaction { db in
            try await service.save(on: db)
            try await Self.record(req, service, action: "verified", changes: [("verified_on", previous, req.today.description)], on: db)
        }
        return req.redirect(to: SiteURL.directoryService(.value(service.id!.uuidString)).path, saved: .directoryVerified)
    }

    struct StaleContext: Page {
        static let template = "directory/stale"

        let page: PageChrome
        let rows: [StaleRow]
    }

    struct StaleRow: Encodable {
        let result: ResultView
        let verified: String
    }

    /// The listings nobody confirmed for more than twelve months, oldest first: every one for a
    /// coordinator, the organisation's own for an org admin.
    @Sendable
    func stale(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let before = DirectoryRules.staleBefore(today: req.today).date
        var query = DirectoryService.query(on: req.db).group(.or) { $0.filter(\.$verifiedOn == nil).filter(\.$verifiedOn < before) }
        if !current.has(.networkCoordinator) {
            let own = try await DirectoryOrganisation.query(on: req.db).filter(\.$memberOrganisationID == current.organisation.id!).all().map(\.id!)
            query = query.filter(\.$organisationID ~~ own)
        }
        let services = try await query.sort(\.$verifiedOn).limit(200).all()
        let organisations = try await DirectoryOrganisation.query(on: req.db).filter(\.$id ~~ Set(services.map(\.organisationID))).all()
        let byID = Dictionary(uniqueKeysWithValues: organisations.map { ($0.id!, $0) })
        let rows = services.compactMap { service in byID[service.organisationID].map { (service, $0) } }
        return try await req.render(
            StaleContext(
                page: PageChrome(req, titleKey: "directory.stale.title"),
                rows: rows.map { service, organisation in
                    StaleRow(
                        result: Self.result(service, organisation, viewer: current.organisation.id, req: req),
                        verified: service.verifiedOn.map { req.formatDay(Day($0)) } ?? req.t("directory.verified.never"))
                }))
    }
}

extension DirectoryController.ResultCards.Labels {
    init(_ req: Request) {
        category = req.t("directory.category")
        language = req.t("directory.language")
        eligibility = req.t("directory.eligibility")
        hoursToday = req.t("directory.hours.today")
        capacity = req.t("directory.capacity")
        address = req.t("directory.address")
        confidential = req.t("directory.confidential")
        closed = req.t("directory.mark.closed")
        full = req.t("directory.mark.full")
        stale = req.t("directory.mark.stale")
    }
}
