import Crypto
import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// Protection-pathway applications on a case: create under the current pathway version, tick the
/// evidence checklist, move through the state machine with the date of each step.
struct ApplicationsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let workers = AccessPolicy.caseWorkers
        routes.on(.POST, .casePart(.key, .applications), access: workers, use: create)
        routes.on(.GET, .caseItem(.key, .application, .key), access: workers, use: show)
        routes.on(.POST, .caseItem(.key, .applicationChecklist, .key), access: workers, use: saveChecklist)
        routes.on(.POST, .caseItem(.key, .applicationEvents, .key), access: workers, use: apply)
    }

    struct CreateForm: Content {
        var pathway: String?
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let chosen = (try? req.content.decode(CreateForm.self))?.pathway.flatMap(UUID.init(uuidString:))
        guard let chosen, let pathway = try await PathwayType.query(on: req.db).filter(\.$id == chosen).filter(\.$isCurrent == true).first() else {
            var errors = FormErrors()
            errors.add("pathway", req.t("field.invalid_choice"))
            return try await CasePage.render(req, file: file, errors: errors, status: .unprocessableEntity)
        }
        let application = PathwayApplication()
        application.caseID = file.id!
        application.organisationID = file.$organisation.id
        application.$pathway.id = pathway.id!
        application.state = ApplicationState.preparing.rawValue
        application.createdAt = req.now
        application.checklistDone = ""
        application.version = 1
        try await req.db.writeTransaction { db in
            try await application.create(on: db)
            try await CaseAccess.audit(req, .caseUpdated, file, detail: "application:\(pathway.code)", on: db)
            try await EvidenceFacts.refresh(caseID: file.id!, on: db, vault: req.caseVault, now: req.now)
        }
        return req.redirect(
            to: SiteURL.caseItem(.value(file.id!.uuidString), .application, .value(application.id!.uuidString)).path, saved: .application)
    }

    private func find(_ req: Request, file: CaseFile) async throws -> PathwayApplication {
        guard let id = req.parameters.get("item", as: UUID.self),
            let application = try await PathwayApplication.query(on: req.db).filter(\.$id == id).filter(\.$caseID == file.id!)
                .with(\.$pathway).first()
        else { throw PageError.notFound }
        return application
    }

    struct ChecklistRow: Encodable {
        let key: String
        let label: String
        let required: Bool
        let done: Bool
        let documents: [FormOption]
        let linkedDocument: String?
    }

    struct ShowContext: Page {
        static let template = "cases/application"

        let page: PageChrome
        let csrf: String
        let caseID: String
        let id: String
        let links: CaseLinks
        let checklistAction: String
        let eventsAction: String
        let reference: String
        let pathway: String
        let stateKey: String
        let version: Int
        let checklist: [ChecklistRow]
        let missingRequired: [String]
        let hasMissing: Bool
        let events: [FormOption]
        let hasEvents: Bool
        let submittedOn: String?
        let infoRequestedOn: String?
        let decidedOn: String?
        let validFrom: String?
        let validTo: String?
        let processingDays: Int?
        let validityDays: Int?
        let completeAtSubmission: Bool?
        let renewable: Bool
        let errors: FormErrors
        let values: [String: String]
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let application = try await find(req, file: file)
        try await CaseAccess.audit(req, .caseViewed, file, detail: "application")
        return try await render(req, file: file, application: application, errors: FormErrors(), values: [:])
    }

    private func render(
        _ req: Request, file: CaseFile, application: PathwayApplication, errors: FormErrors, values: [String: String],
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let done = application.doneKeys
        let links = application.documentLinks
        let items = application.pathway.checklistItems
        let vault = req.caseVault
        let opened = try await vault.open(file, on: req.db)
        let documents = try await CaseDocument.query(on: req.db).filter(\.$caseID == file.id!).field(\.$id).field(\.$sealedName).field(\.$caseID)
            .field(\.$uploadedAt).sort(\.$uploadedAt).all().map { document in
                (id: document.id!.uuidString, name: try vault.openText(document.sealedName, field: .documentName(document.id!), with: opened))
            }
        let names = Dictionary(documents.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let label = { (item: PathwayType.ChecklistItem) in req.language == .fr ? item.fr : item.en }
        let submitted = application.submittedOn.map(Day.init)
        let decided = application.decidedOn.map(Day.init)
        return try await req.render(
            ShowContext(
                page: PageChrome(req, titleKey: "application.title"), csrf: req.csrfToken, caseID: file.id!.uuidString,
                id: application.id!.uuidString, links: CaseLinks(file.id!.uuidString),
                checklistAction: CaseLinks.item(file.id!.uuidString, .applicationChecklist, application.id!.uuidString),
                eventsAction: CaseLinks.item(file.id!.uuidString, .applicationEvents, application.id!.uuidString),
                reference: file.reference, pathway: application.pathway.name(req.language), stateKey: application.applicationState.labelKey,
                version: application.version,
                checklist: items.map { item in
                    ChecklistRow(
                        key: item.key, label: label(item), required: item.required, done: done.contains(item.key),
                        documents: documents.map { FormOption(value: $0.id, label: $0.name, selected: links[item.key] == $0.id) },
                        linkedDocument: links[item.key].flatMap { names[$0] })
                },
                missingRequired: items.filter { $0.required && !done.contains($0.key) }.map(label),
                hasMissing: items.contains { $0.required && !done.contains($0.key) },
                events: ApplicationMachine.events(from: application.applicationState).map {
                    FormOption(value: $0.rawValue, label: req.t($0.labelKey), selected: $0.rawValue == values["event"])
                },
                hasEvents: !ApplicationMachine.events(from: application.applicationState).isEmpty,
                submittedOn: submitted?.description, infoRequestedOn: application.infoRequestedOn.map { Day($0).description },
                decidedOn: decided?.description, validFrom: application.validFrom.map { Day($0).description },
                validTo: application.validTo.map { Day($0).description },
                processingDays: ApplicationFigures.processingBusinessDays(submitted: submitted, decided: decided),
                validityDays: ApplicationFigures.validityDays(from: application.validFrom.map(Day.init), to: application.validTo.map(Day.init)),
                completeAtSubmission: application.completeAtSubmission, renewable: application.pathway.validityRules.renewable,
                errors: errors, values: values), status: status)
    }

    /// Saves the application through the one versioned write path (`CaseService.versioned`).
    static func saveVersioned(_ req: Request, _ application: PathwayApplication, file: CaseFile, expected: Int, detail: String) async throws -> Bool {
        let id = application.id!
        return try await CaseService.versioned(
            on: req.db, caseID: file.id!, expected: expected,
            current: { db in
                try await PathwayApplication.query(on: db).filter(\.$id == id).first()?.version
            },
            write: { db in
                application.updatedAt = req.now
                try await application.save(on: db)
                try await CaseAccess.audit(req, .caseUpdated, file, detail: detail, on: db)
                try await EvidenceFacts.refresh(caseID: file.id!, on: db, vault: req.caseVault, now: req.now)
            })
    }

    struct ChecklistForm: Content {
        var done: [String]?
        var documents: [String: String]?
        @LenientInt var version: Int? = nil
    }

    @Sendable
    func saveChecklist(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let application = try await find(req, file: file)
        let form = (try? req.content.decode(ChecklistForm.self)) ?? ChecklistForm()
        let known = Set(application.pathway.checklistItems.map(\.key))
        let done = Set(form.done ?? [])
        // Each item may point at one of this case's documents (and only this case's).
        let caseDocuments = Set(try await CaseDocument.query(on: req.db).filter(\.$caseID == file.id!).all(\.$id).map { $0.uuidString })
        let links = (form.documents ?? [:]).filter { !$0.value.isEmpty }
        guard done.isSubset(of: known), Set(links.keys).isSubset(of: known), Set(links.values).isSubset(of: caseDocuments) else {
            var errors = FormErrors()
            errors.add("checklist", req.t("field.invalid_choice"))
            return try await render(req, file: file, application: application, errors: errors, values: [:], status: .unprocessableEntity)
        }
        guard form.version == application.version else {
            var errors = FormErrors()
            errors.add("form", req.t("case.error.stale"))
            return try await render(req, file: file, application: application, errors: errors, values: [:], status: .conflict)
        }
        let expected = application.version
        application.checklistDone = done.sorted().joined(separator: ",")
        application.checklistDocuments = String(decoding: try JSONEncoder().encode(links), as: UTF8.self)
        application.version += 1
        guard try await Self.saveVersioned(req, application, file: file, expected: expected, detail: "application-checklist") else {
            var errors = FormErrors()
            errors.add("form", req.t("case.error.stale"))
            return try await render(req, file: file, application: try await find(req, file: file), errors: errors, values: [:], status: .conflict)
        }
        return req.redirect(
            to: SiteURL.caseItem(.value(file.id!.uuidString), .application, .value(application.id!.uuidString)).path, saved: .checklist)
    }

    struct EventForm: Content {
        var event: String?
        var on: String?
        var validFrom: String?
        var validTo: String?
        @LenientInt var version: Int? = nil
    }

    @Sendable
    func apply(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let application = try await find(req, file: file)
        let form = (try? req.content.decode(EventForm.self)) ?? EventForm()
        let values = ["event": form.event ?? "", "on": form.on ?? "", "validFrom": form.validFrom ?? "", "validTo": form.validTo ?? ""]
        var errors = FormErrors()
        // Stale first: a step chosen on an older version may be impossible now only because
        // someone else took one meanwhile; that is a conflict to show, not a mistake in the form.
        if form.version != application.version {
            errors.add("form", req.t("case.error.stale"))
            return try await render(req, file: file, application: application, errors: errors, values: values, status: .conflict)
        }
        guard let event = ApplicationEvent(rawValue: form.event ?? "") else {
            errors.add("event", req.t("field.invalid_choice"))
            return try await render(req, file: file, application: application, errors: errors, values: values, status: .unprocessableEntity)
        }
        guard case .success(let target) = ApplicationMachine.next(application.applicationState, event) else {
            errors.add("event", req.t("application.error.impossible", req.t(event.labelKey), req.t(application.applicationState.labelKey)))
            return try await render(req, file: file, application: application, errors: errors, values: values, status: .unprocessableEntity)
        }
        let day = Day(form.on ?? "")
        if day == nil { errors.add("on", req.t("field.date_invalid")) }
        if let day, day > req.today.adding(days: 1) { errors.add("on", req.t("case.error.date_in_future")) }
        if let day, let submitted = application.submittedOn.map(Day.init), [.approve, .refuse, .requestInformation].contains(event), day < submitted {
            errors.add("on", req.t(ValidityRules.Problem.decisionBeforeSubmission.rawValue))
        }
        var validFrom: Day?
        var validTo: Day?
        if event == .approve {
            validFrom = Day(form.validFrom ?? "")
            validTo = Day(form.validTo ?? "")
            if validFrom == nil { errors.add("validFrom", req.t("field.date_invalid")) }
            if validTo == nil { errors.add("validTo", req.t("field.date_invalid")) }
            if let validFrom, let validTo {
                for problem in application.pathway.validityRules.problems(validFrom: validFrom, validTo: validTo, decided: day) {
                    errors.add("validTo", req.t(problem.rawValue))
                }
            }
        }
        if event == .submit, !application.pathway.validityRules.renewable {
            // A VOWP cannot be renewed: refuse a second one on the same case.
            let earlier = try await PathwayApplication.query(on: req.db).filter(\.$caseID == file.id!).filter(
                \.$pathway.$id == application.$pathway.id
            )
            .filter(\.$state == ApplicationState.approved.rawValue).count()
            if earlier > 0 { errors.add("event", req.t(ValidityRules.Problem.notRenewable.rawValue)) }
        }
        guard errors.isEmpty, let day else {
            return try await render(req, file: file, application: application, errors: errors, values: values, status: .unprocessableEntity)
        }
        application.state = target.rawValue
        switch event {
        case .submit:
            application.submittedOn = day.date
            let required = application.pathway.checklistItems.filter(\.required).map(\.key)
            application.completeAtSubmission = Set(required).isSubset(of: application.doneKeys)
        case .provideInformation: break
        case .requestInformation: application.infoRequestedOn = day.date
        case .approve:
            application.decidedOn = day.date
            application.validFrom = validFrom?.date
            application.validTo = validTo?.date
        case .refuse, .withdraw: application.decidedOn = day.date
        }
        let expected = application.version
        application.version += 1
        guard try await Self.saveVersioned(req, application, file: file, expected: expected, detail: "application:\(event.rawValue)") else {
            var errors = FormErrors()
            errors.add("form", req.t("case.error.stale"))
            return try await render(req, file: file, application: try await find(req, file: file), errors: errors, values: values, status: .conflict)
        }
        return req.redirect(
            to: SiteURL.caseItem(.value(file.id!.uuidString), .application, .value(application.id!.uuidString)).path, saved: .applicationStep)
    }
}
