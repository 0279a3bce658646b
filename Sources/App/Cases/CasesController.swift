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
        routes.on(.GET, SiteURL.cases, access: .caseWorkers, use: index)
        routes.on(.GET, SiteURL.cases + "/new", access: .caseWorkers, use: new)
        routes.on(.POST, SiteURL.cases, access: .caseWorkers, use: create)
        routes.on(.GET, SiteURL.caseSettings, access: .supervisors, use: settings)
        routes.on(.POST, SiteURL.caseSettings, access: .supervisors, use: saveSettings)
        routes.on(.GET, SiteURL.cases + "/:id", access: .caseWorkers, use: show)
        routes.on(.GET, SiteURL.cases + "/:id/person", access: .caseWorkers, use: personForm)
        routes.on(.POST, SiteURL.cases + "/:id/person", access: .caseWorkers, use: savePerson)
        routes.on(.GET, SiteURL.cases + "/:id/safe-contact", access: .caseWorkers, use: safeContactForm)
        routes.on(.POST, SiteURL.cases + "/:id/safe-contact", access: .caseWorkers, use: saveSafeContact)
        routes.on(.POST, SiteURL.cases + "/:id/notes", access: .caseWorkers, use: addNote)
        routes.on(.POST, SiteURL.cases + "/:id/status", access: .caseWorkers, use: changeStatus)
        routes.on(.POST, SiteURL.cases + "/:id/assignments", access: .supervisors, use: assign)
        routes.on(.GET, SiteURL.cases + "/:id/purge", access: .supervisors, use: purgeForm)
        routes.on(.POST, SiteURL.cases + "/:id/purge", access: .supervisors, use: purge)
    }

    // MARK: - List

    struct IndexContext: Encodable {
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
        let query = CaseListQuery(
            text: q, status: filter.status.flatMap(CaseStatus.init(rawValue:)), province: filter.province.flatMap(Province.init(rawValue:)),
            need: filter.need.flatMap(NeedKind.init(rawValue:)), tasks: filter.tasks.flatMap(CaseListQuery.Tasks.init(rawValue:)),
            worker: filter.worker.flatMap(UUID.init(uuidString:)), sort: filter.sort.flatMap(CaseListQuery.Sort.init(rawValue:)) ?? .opened,
            page: filter.page ?? 1)
        let viewer = CaseViewer(userID: current.user.id!, organisationID: organisationID, assignedOnly: scope == "mine")
        let list = try await CaseQueries.list(query, viewer: viewer, vault: req.caseVault, now: req.now, on: req.db)
        let colleagues = try await CaseQueries.colleagues(of: organisationID, on: req.db)
        let rows = list.rows.map { row -> [SafeHTML.Cell] in
            let link = SiteURL.caseFile(row.id.uuidString)
            return [
                SafeHTML.Cell(text: row.reference, href: link), SafeHTML.Cell(text: row.preferredName, href: link),
                SafeHTML.Cell(text: req.t(row.status.labelKey)), SafeHTML.Cell(text: row.province.map { req.t($0.labelKey) } ?? ""),
                SafeHTML.Cell(text: req.formatDate(row.openedAt)), SafeHTML.Cell(text: row.workers.joined(separator: ", ")),
            ]
        }
        try await req.audit(.caseListViewed, target: organisationID.uuidString, detail: "\(rows.count)")

        func pageURL(_ number: Int) -> String {
            listPageURL(
                SiteURL.cases,
                [
                    ("q", q), ("scope", scope), ("status", filter.status), ("province", filter.province),
                    ("worker", filter.worker), ("need", filter.need), ("tasks", filter.tasks), ("sort", filter.sort),
                ], page: number)
        }
        let pageNumber = list.page
        let context = IndexContext(
            page: PageChrome(req, titleKey: "cases.title"), rows: .tableRows(rows), q: q, scope: scope, canSeeAll: canSeeAll,
            statuses: req.options(CaseStatus.self, selected: [filter.status ?? ""], label: \.labelKey),
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
            isSupervisor: current.has(.supervisor))
        return try await req.render("cases/index", context)
    }

    // MARK: - Create

    struct NewContext: Encodable {
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
        try await renderNew(req, form: NewForm(), errors: FormErrors())
    }

    private func renderNew(_ req: Request, form: NewForm, errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let csrf = req.csrfToken
        let current = try req.requireUser()
        let chosen = form.province ?? (current.organisation.provinceList.count == 1 ? current.organisation.provinceList[0].rawValue : "")
        return try await req.render(
            "cases/new",
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
        return req.redirect(to: SiteURL.caseFile(file.id!.uuidString))
    }

    // MARK: - Show

    @Sendable
    func show(req: Request) async throws -> Response {
        try await CasePage.render(req, file: try await CaseAccess.find(req), errors: FormErrors())
    }

    // MARK: - Person

    struct PersonContext: Encodable {
        let page: PageChrome
        let csrf: String
        let id: String
        let reference: String
        let preferredName: String
        let version: Int
        let person: PersonSection
        let ageBands: [FormOption]
        let indigenous: [FormOption]
        let immigration: [FormOption]
        let regions: [FormOption]
        let errors: FormErrors
        let changed: [String]
        let hasChanged: Bool
    }

    struct PersonForm: Content {
        @LenientInt var version: Int? = nil
        var preferredName: String?
        var legalName: String?
        var dateOfBirth: String?
        var ageBand: String?
        var genderIdentity: String?
        var indigenousIdentity: String?
        var countryOfOrigin: String?
        var languages: String?
        var interpreterNeeded: String?
        var immigrationStatus: String?
        var region: String?
        var dependants: String?
        var accessibilityNeeds: String?
    }

    @Sendable
    func personForm(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let vault = req.caseVault
        let opened = try await vault.open(file, on: req.db)
        let person = try vault.openSection(PersonSection.self, file.sealedPerson, field: .person, with: opened) ?? PersonSection()
        let name = try vault.openText(file.sealedPreferredName, field: .preferredName, with: opened)
        try await CaseAccess.audit(req, .caseViewed, file, detail: "person")
        return try await renderPerson(req, file: file, name: name, person: person, version: file.version, errors: FormErrors(), changed: [])
    }

    private func renderPerson(
        _ req: Request, file: CaseFile, name: String, person: PersonSection, version: Int, errors: FormErrors,
        changed: [String], status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        return try await req.render(
            "cases/person",
            PersonContext(
                page: PageChrome(req, titleKey: "cases.person.title"), csrf: req.csrfToken, id: file.id!.uuidString, reference: file.reference,
                preferredName: name, version: version, person: person,
                ageBands: req.options(AgeBand.self, selected: [person.ageBand], label: \.labelKey),
                indigenous: req.options(IndigenousIdentity.self, selected: [person.indigenousIdentity], label: \.labelKey),
                immigration: req.options(ImmigrationStatus.self, selected: [person.immigrationStatus], label: \.labelKey),
                regions: ["urban", "rural", "remote"].map { FormOption(value: $0, label: req.t("case.region.\($0)"), selected: $0 == person.region) },
                errors: errors, changed: changed, hasChanged: !changed.isEmpty), status: status)
    }

    @Sendable
    func savePerson(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let form = (try? req.content.decode(PersonForm.self)) ?? PersonForm()
        var errors = FormErrors()
        let name = (form.preferredName ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = CaseRules.checkName(name, required: true) {
            errors.add("preferredName", req.t(problem.rawValue, "\(CaseRules.maximumNameLength)"))
        }
        var person = PersonSection()
        person.legalName = (form.legalName ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = CaseRules.checkName(person.legalName, required: false) {
            errors.add("legalName", req.t(problem.rawValue, "\(CaseRules.maximumNameLength)"))
        }
        person.dateOfBirth = (form.dateOfBirth ?? "").trimmingCharacters(in: .whitespaces)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = req.config.timeZone
        if case .failure(let problem) = CaseRules.parseBirthDate(
            person.dateOfBirth, today: calendar.dateComponents([.year, .month, .day], from: req.now))
        {
            errors.add("dateOfBirth", req.t(problem.rawValue))
        }
        func choice<E: RawRepresentable>(_ raw: String?, _ type: E.Type, field: String) -> String where E.RawValue == String {
            let value = raw ?? ""
            if !value.isEmpty, E(rawValue: value) == nil {
                errors.add(field, req.t("field.invalid_choice"))
                return value
            }
            return value
        }
        person.ageBand = choice(form.ageBand, AgeBand.self, field: "ageBand")
        person.indigenousIdentity = choice(form.indigenousIdentity, IndigenousIdentity.self, field: "indigenousIdentity")
        person.immigrationStatus = choice(form.immigrationStatus, ImmigrationStatus.self, field: "immigrationStatus")
        person.region = form.region ?? ""
        if !person.region.isEmpty, !["urban", "rural", "remote"].contains(person.region) { errors.add("region", req.t("field.invalid_choice")) }
        for (field, value, keyPath) in [
            ("genderIdentity", form.genderIdentity, \PersonSection.genderIdentity),
            ("countryOfOrigin", form.countryOfOrigin, \PersonSection.countryOfOrigin),
            ("languages", form.languages, \PersonSection.languages),
            ("dependants", form.dependants, \PersonSection.dependants),
            ("accessibilityNeeds", form.accessibilityNeeds, \PersonSection.accessibilityNeeds),
        ] {
            let text = (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            errors.check(field, text, limit: 2000, singleLine: !["dependants", "accessibilityNeeds"].contains(field), req)
            person[keyPath: keyPath] = text
        }
        person.interpreterNeeded = form.interpreterNeeded != nil
        let submittedVersion = form.version ?? -1

        let vault = req.caseVault
        let opened = try await vault.open(file, on: req.db)
        guard errors.isEmpty else {
            return try await renderPerson(
                req, file: file, name: name, person: person, version: submittedVersion, errors: errors, changed: [], status: .unprocessableEntity)
        }
        if CaseRules.isStale(submittedVersion: submittedVersion, storedVersion: file.version) {
            // Someone saved in between: show what changed, keep what this person typed.
            let stored = try vault.openSection(PersonSection.self, file.sealedPerson, field: .person, with: opened) ?? PersonSection()
            let storedName = try vault.openText(file.sealedPreferredName, field: .preferredName, with: opened)
            var changed = CasePage.personRows(stored, req: req).rows.map { "\(req.t($0.labelKey)) : \($0.value)" }
            changed.insert("\(req.t("case.person.preferred_name")) : \(storedName)", at: 0)
            errors.add("form", req.t("case.error.stale"))
            return try await renderPerson(
                req, file: file, name: name, person: person, version: file.version, errors: errors, changed: changed, status: .conflict)
        }
        file.sealedPreferredName = try vault.seal(name, field: .preferredName, with: opened)
        file.sealedPerson = try vault.seal(section: person, field: .person, with: opened)
        let terms = vault.nameTerms([name, person.legalName], organisationID: file.$organisation.id)
        let saved = try await CaseService.save(file, expectedVersion: submittedVersion, terms: terms, on: req.db) { db in
            try await CaseAccess.audit(req, .caseUpdated, file, detail: "person", on: db)
        }
        guard saved else {
            errors.add("form", req.t("case.error.stale"))
            return try await renderPerson(
                req, file: file, name: name, person: person, version: submittedVersion, errors: errors, changed: [], status: .conflict)
        }
        return req.redirect(to: SiteURL.caseFile(file.id!.uuidString))
    }

    // MARK: - Safe contact

    struct SafeContactContext: Encodable {
        let page: PageChrome
        let csrf: String
        let id: String
        let reference: String
        let version: Int
        let channels: [FormOption]
        let safeTimes: String
        let messages: [FormOption]
        let codeWord: String
        let neverUse: String
        let errors: FormErrors
    }

    struct SafeContactForm: Content {
        @LenientInt var version: Int? = nil
        var channels: [String]?
        var safeTimes: String?
        var messagesAllowed: String?
        var codeWord: String?
        var neverUse: String?
    }

    @Sendable
    func safeContactForm(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let vault = req.caseVault
        let opened = try await vault.open(file, on: req.db)
        let section =
            try vault.openSection(SafeContactSection.self, file.sealedSafeContact, field: .safeContact, with: opened) ?? SafeContactSection()
        try await CaseAccess.audit(req, .caseViewed, file, detail: "safe_contact")
        return try await renderSafeContact(req, file: file, section: section, version: file.version, errors: FormErrors())
    }

    private func renderSafeContact(
        _ req: Request, file: CaseFile, section: SafeContactSection, version: Int, errors: FormErrors,
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        try await req.render(
            "cases/safe-contact",
            SafeContactContext(
                page: PageChrome(req, titleKey: "cases.safe.title"), csrf: req.csrfToken, id: file.id!.uuidString, reference: file.reference,
                version: version,
                channels: req.options(SafeContactChannel.self, selected: Set(section.channels), label: \.labelKey),
                safeTimes: section.safeTimes,
                messages: ["yes", "no", "unknown"].map {
                    FormOption(value: $0, label: req.t("case.safe.messages.\($0)"), selected: $0 == section.messagesAllowed)
                },
                codeWord: section.codeWord, neverUse: section.neverUse, errors: errors), status: status)
    }

    @Sendable
    func saveSafeContact(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let form = (try? req.content.decode(SafeContactForm.self)) ?? SafeContactForm()
        var errors = FormErrors()
        var section = SafeContactSection()
        section.channels = form.channels ?? []
        if section.channels.contains(where: { SafeContactChannel(rawValue: $0) == nil }) { errors.add("channels", req.t("field.invalid_choice")) }
        section.messagesAllowed = form.messagesAllowed ?? "unknown"
        if !["yes", "no", "unknown"].contains(section.messagesAllowed) { errors.add("messagesAllowed", req.t("field.invalid_choice")) }
        for (field, value, keyPath) in [
            ("safeTimes", form.safeTimes, \SafeContactSection.safeTimes), ("codeWord", form.codeWord, \SafeContactSection.codeWord),
            ("neverUse", form.neverUse, \SafeContactSection.neverUse),
        ] {
            let text = (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            errors.check(field, text, limit: 2000, singleLine: field != "neverUse", req)
            section[keyPath: keyPath] = text
        }
        let submittedVersion = form.version ?? -1
        guard errors.isEmpty else {
            return try await renderSafeContact(
                req, file: file, section: section, version: submittedVersion, errors: errors, status: .unprocessableEntity)
        }
        if CaseRules.isStale(submittedVersion: submittedVersion, storedVersion: file.version) {
            errors.add("form", req.t("case.error.stale"))
            return try await renderSafeContact(req, file: file, section: section, version: file.version, errors: errors, status: .conflict)
        }
        let vault = req.caseVault
        let opened = try await vault.open(file, on: req.db)
        file.sealedSafeContact = try vault.seal(section: section, field: .safeContact, with: opened)
        let saved = try await CaseService.save(file, expectedVersion: submittedVersion, terms: nil, on: req.db) { db in
            try await CaseAccess.audit(req, .caseUpdated, file, detail: "safe_contact", on: db)
        }
        guard saved else {
            errors.add("form", req.t("case.error.stale"))
            return try await renderSafeContact(req, file: file, section: section, version: submittedVersion, errors: errors, status: .conflict)
        }
        return req.redirect(to: SiteURL.caseFile(file.id!.uuidString))
    }

    // MARK: - Notes, status, assignment

    struct NoteForm: Content {
        var body: String?
    }

    @Sendable
    func addNote(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let file = try await CaseAccess.find(req)
        let text = ((try? req.content.decode(NoteForm.self))?.body ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var errors = FormErrors()
        if text.isEmpty { errors.add("body", req.t("field.required")) }
        errors.check("body", text, limit: CaseRules.maximumTextLength, singleLine: false, req)
        guard errors.isEmpty else {
            return try await CasePage.render(req, file: file, errors: errors, values: ["body": text], status: .unprocessableEntity)
        }
        let vault = req.caseVault
        let opened = try await vault.open(file, on: req.db)
        let noteID = UUID()
        let note = CaseNote(
            caseID: file.id!, authorID: current.user.id, createdAt: req.now,
            sealedBody: try vault.seal(text, field: .note(noteID), with: opened))
        note.id = noteID
        try await req.db.writeTransaction { db in
            try await note.create(on: db)
            try await CaseAccess.audit(req, .caseNoteAdded, file, on: db)
        }
        return req.redirect(to: SiteURL.caseFile(file.id!.uuidString) + "#notes")
    }

    struct StatusForm: Content {
        var status: String?
        var closureReason: String?
        @LenientInt var version: Int? = nil
    }

    @Sendable
    func changeStatus(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let form = (try? req.content.decode(StatusForm.self)) ?? StatusForm()
        var errors = FormErrors()
        let status = CaseStatus(rawValue: form.status ?? "")
        if status == nil { errors.add("status", req.t("field.invalid_choice")) }
        let reason = ClosureReason(rawValue: form.closureReason ?? "")
        if status?.isClosed == true, reason == nil { errors.add("closureReason", req.t("case.error.closure_reason")) }
        // Based on an older page: someone else changed the case since. The page shows what is
        // saved now (status at the top) and keeps the choice made, beside the field.
        let stale = errors.isEmpty && form.version != file.version
        if stale { errors.add("status", req.t("case.error.stale")) }
        guard errors.isEmpty, let status else {
            return try await CasePage.render(
                req, file: file, errors: errors, values: ["status": form.status ?? "", "closureReason": form.closureReason ?? ""],
                status: stale ? .conflict : .unprocessableEntity)
        }
        let expected = file.version
        file.status = status.rawValue
        file.closureReason = status.isClosed ? reason?.rawValue : nil
        file.closedAt = status.isClosed ? (file.closedAt ?? req.now) : nil
        let saved = try await CaseService.save(file, expectedVersion: expected, terms: nil, on: req.db) { db in
            try await CaseAccess.audit(req, .caseStatusChanged, file, detail: status.rawValue, on: db)
        }
        guard saved else {
            var errors = FormErrors()
            errors.add("status", req.t("case.error.stale"))
            return try await CasePage.render(
                req, file: try await CaseAccess.find(req), errors: errors,
                values: ["status": form.status ?? "", "closureReason": form.closureReason ?? ""], status: .conflict)
        }
        return req.redirect(to: SiteURL.caseFile(file.id!.uuidString))
    }

    struct AssignForm: Content {
        var workers: [String]?
    }

    @Sendable
    func assign(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let file = try await CaseAccess.find(req)
        let submitted = (try? req.content.decode(AssignForm.self))?.workers ?? []
        let chosen = Set(submitted.compactMap(UUID.init(uuidString:)))
        // Only active colleagues of the same organisation who hold cases can be assigned; a list
        // with anyone else is refused whole (it used to drop them, and could empty the case).
        let valid = try await User.query(on: req.db).filter(\.$organisation.$id == current.organisation.id!)
            .filter(\.$id ~~ Array(chosen)).all().filter(\.holdsCases).compactMap(\.id)
        guard valid.count == chosen.count, chosen.count == Set(submitted).count else {
            var errors = FormErrors()
            errors.add("workers", req.t("field.invalid_choice"))
            return try await CasePage.render(req, file: file, errors: errors, status: .unprocessableEntity)
        }
        let caseID = file.id!, openedAt = file.openedAt
        try await req.db.writeTransaction { db in
            try await CaseAssignment.query(on: db).filter(\.$caseID == caseID).delete()
            for worker in valid { try await CaseAssignment(caseID: caseID, userID: worker, openedAt: openedAt).create(on: db) }
            try await CaseAccess.audit(req, .caseAssigned, file, detail: "\(valid.count)", on: db)
        }
        return req.redirect(to: SiteURL.caseFile(caseID.uuidString))
    }

    // MARK: - Purge

    struct PurgeContext: Encodable {
        let page: PageChrome
        let csrf: String
        let id: String
        let reference: String
        let closed: Bool
        let errors: FormErrors
    }

    struct PurgeForm: Content {
        var confirmation: String?
    }

    @Sendable
    func purgeForm(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        return try await req.render(
            "cases/purge",
            PurgeContext(
                page: PageChrome(req, titleKey: "cases.purge.title"), csrf: req.csrfToken,
                id: file.id!.uuidString, reference: file.reference,
                closed: file.caseStatus.isClosed, errors: FormErrors()))
    }

    @Sendable
    func purge(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let typed = ((try? req.content.decode(PurgeForm.self))?.confirmation ?? "").trimmingCharacters(in: .whitespaces)
        var errors = FormErrors()
        if !file.caseStatus.isClosed { errors.add("form", req.t("cases.purge.error.open")) }
        if typed.uppercased() != file.reference { errors.add("confirmation", req.t("cases.purge.error.reference")) }
        guard errors.isEmpty else {
            return try await req.render(
                "cases/purge",
                PurgeContext(
                    page: PageChrome(req, titleKey: "cases.purge.title"), csrf: req.csrfToken,
                    id: file.id!.uuidString, reference: file.reference,
                    closed: file.caseStatus.isClosed, errors: errors), status: .unprocessableEntity)
        }
        try await req.db.writeTransaction { db in
            try await CaseAccess.audit(req, .casePurged, file, on: db)
            try await CaseService.purge(file, on: db)
        }
        try await CaseService.checkpointIfSQLite(req.db)
        return req.redirect(to: SiteURL.cases + "?purged=1")
    }

    // MARK: - Settings

    struct SettingsContext: Encodable {
        let page: PageChrome
        let csrf: String
        let visibility: [FormOption]
        let referenceCode: String
        let saved: Bool
        let retentionYears: String
        let hasRetention: Bool
        let due: [String]
        let errors: FormErrors
    }

    struct SettingsForm: Content {
        var visibility: String?
        var retentionYears: String?
    }

    @Sendable
    func settings(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let settings = try await CaseQueries.settings(for: current.organisation, on: req.db)
        return try await renderSettings(req, settings: settings, retention: settings.retentionYears.map(String.init) ?? "", errors: FormErrors())
    }

    /// The settings page, with the preview of what the retention period would purge today.
    private func renderSettings(
        _ req: Request, settings: CaseSettings, retention: String, errors: FormErrors,
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        var due: [String] = []
        if let years = settings.retentionYears {
            due = try await Retention.due(organisationID: settings.$organisation.id, years: years, on: req.db, now: req.now).map(\.reference)
        }
        return try await req.render(
            "cases/settings",
            SettingsContext(
                page: PageChrome(req, titleKey: "cases.settings.title"), csrf: req.csrfToken,
                visibility: req.options(CaseVisibility.self, selected: [settings.caseVisibility.rawValue], label: \.labelKey),
                referenceCode: settings.referenceCode, saved: req.query[String.self, at: "saved"] != nil,
                retentionYears: retention, hasRetention: settings.retentionYears != nil, due: due, errors: errors), status: status)
    }

    @Sendable
    func saveSettings(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let form = (try? req.content.decode(SettingsForm.self)) ?? SettingsForm()
        let settings = try await CaseQueries.settings(for: current.organisation, on: req.db)
        var errors = FormErrors()
        let visibility = CaseVisibility(rawValue: form.visibility ?? "")
        if visibility == nil { errors.add("visibility", req.t("field.invalid_choice")) }
        let rawYears = (form.retentionYears ?? "").trimmingCharacters(in: .whitespaces)
        let years = Int(rawYears)
        if !rawYears.isEmpty, years == nil || !(1...100).contains(years!) { errors.add("retentionYears", req.t("cases.settings.error.retention")) }
        guard errors.isEmpty, let visibility else {
            return try await renderSettings(req, settings: settings, retention: rawYears, errors: errors, status: .unprocessableEntity)
        }
        settings.visibility = visibility.rawValue
        settings.retentionYears = rawYears.isEmpty ? nil : years
        let actor = req.auditActor
        let requestID = req.id
        try await req.db.writeTransaction { db in
            try await settings.save(on: db)
            try await AuditLog.append(
                on: db, actor: actor, action: .caseSettingsChanged, target: current.organisation.id?.uuidString,
                requestID: requestID, detail: "\(visibility.rawValue) retention=\(rawYears.isEmpty ? "none" : rawYears)")
        }
        return req.redirect(to: SiteURL.caseSettings + "?saved=1")
    }
}
