import Crypto
import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// The panels of a case page that hold lists: needs, tasks, consents, legal actions, and the
/// trafficking-experience page. Each is edited on its own; each write is one transaction with
/// its audit event. Record-level access goes through `CaseAccess.find` (404 otherwise).
struct CaseSectionsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let workers = AccessPolicy.caseWorkers
        routes.on(.POST, .casePart(.key, .needs), access: workers, use: saveNeeds)
        routes.on(.POST, .casePart(.key, .tasks), access: workers, use: addTask)
        routes.on(.POST, .caseItem(.key, .taskDone, .key), access: workers, use: completeTask)
        routes.on(.POST, .casePart(.key, .consents), access: workers, use: addConsent)
        routes.on(.POST, .caseItem(.key, .consentWithdraw, .key), access: workers, use: withdrawConsent)
        routes.on(.POST, .casePart(.key, .legalActions), access: workers, use: addLegalAction)
        routes.on(.GET, .casePart(.key, .experience), access: workers, use: experienceForm)
        routes.on(.POST, .casePart(.key, .experience), access: workers, use: saveExperience)
        routes.on(.POST, .casePart(.key, .redFlags), access: AccessPolicy.supervisors, use: requestRedFlagContact)
    }

    // MARK: - Needs

    struct NeedsForm: Content {
        var needs: [String: String]?
    }

    @Sendable
    func saveNeeds(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let submitted = (try? req.content.decode(NeedsForm.self))?.needs ?? [:]
        var errors = FormErrors()
        var chosen: [(NeedKind, NeedStatus?)] = []
        for (rawKind, rawStatus) in submitted {
            guard let kind = NeedKind(rawValue: rawKind) else {
                errors.add("needs", req.t("field.invalid_choice"))
                continue
            }
            if rawStatus.isEmpty {
                chosen.append((kind, nil))
                continue
            }
            guard let status = NeedStatus(rawValue: rawStatus) else {
                errors.add("needs", req.t("field.invalid_choice"))
                continue
            }
            chosen.append((kind, status))
        }
        guard errors.isEmpty else {
            let values = Dictionary(submitted.map { ("need.\($0.key)", $0.value) }, uniquingKeysWith: { first, _ in first })
            return try await CasePage.render(req, file: file, errors: errors, values: values, status: .unprocessableEntity)
        }
        let caseID = file.id!
        let organisationID = file.$organisation.id
        let now = req.now
        let changes = chosen
        try await req.db.writeTransaction { db in
            for (kind, status) in changes {
                let existing = try await CaseNeed.query(on: db).filter(\.$caseID == caseID).filter(\.$need == kind.rawValue).first()
                switch (existing, status) {
                case (let need?, let status?):
                    if need.status != status.rawValue {
                        need.status = status.rawValue
                        need.updatedAt = now
                        try await need.save(on: db)
                    }
                case (let need?, nil): try await need.delete(on: db)
                case (nil, let status?):
                    try await CaseNeed(caseID: caseID, organisationID: organisationID, need: kind, status: status, now: now).create(on: db)
                case (nil, nil): break
                }
            }
            try await CaseAccess.audit(req, .caseUpdated, file, detail: "needs", on: db)
            try await EvidenceFacts.refresh(caseID: caseID, on: db, vault: req.caseVault, now: now)
        }
        return req.redirect(to: SiteURL.caseFile(.value(caseID.uuidString)).path + "#needs", saved: .needs)
    }

    // MARK: - Tasks

    struct TaskForm: Content {
        var title: String?
        var dueOn: String?
        var assignee: String?
    }

    @Sendable
    func addTask(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let file = try await CaseAccess.find(req)
        let form = (try? req.content.decode(TaskForm.self)) ?? TaskForm()
        var errors = FormErrors()
        let title = (form.title ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty { errors.add("taskTitle", req.t("field.required")) }
        errors.check("taskTitle", title, limit: 500, req)
        var due: Date?
        if let raw = form.dueOn, !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            if let day = DayParser.parse(raw) { due = DayParser.date(day) } else { errors.add("taskDueOn", req.t("field.date_invalid")) }
        }
        var assignee: UUID?
        if let raw = form.assignee, !raw.isEmpty {
            if let id = UUID(uuidString: raw),
                try await User.query(on: req.db).filter(\.$id == id)
                    .filter(\.$organisation.$id == current.organisation.id!).first()?.holdsCases == true
            {
                assignee = id
            } else {
                errors.add("taskAssignee", req.t("field.invalid_choice"))
            }
        }
        guard errors.isEmpty else {
            return try await CasePage.render(
                req, file: file, errors: errors,
                values: ["taskTitle": title, "taskDueOn": form.dueOn ?? "", "taskAssignee": form.assignee ?? ""],
                status: .unprocessableEntity)
        }
        let vault = req.caseVault
        let opened = try await vault.open(file, on: req.db)
        let task = CaseTask()
        task.id = UUID()
        task.caseID = file.id!
        task.organisationID = file.$organisation.id
        task.sealedTitle = try vault.seal(title, field: .task(task.id!), with: opened)
        task.dueOn = due
        task.assigneeID = assignee ?? current.user.id
        task.createdAt = req.now
        try await req.db.writeTransaction { db in
            try await task.create(on: db)
            // The task's id, not its title: the history opens the title from the task itself.
            try await CaseAccess.audit(req, .caseUpdated, file, detail: "task:\(task.id!.uuidString)", on: db)
        }
        return req.redirect(to: SiteURL.caseFile(.value(file.id!.uuidString)).path + "#tasks", saved: .task)
    }

    @Sendable
    func completeTask(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        guard let id = req.parameters.get("item", as: UUID.self),
            let task = try await CaseTask.query(on: req.db).filter(\.$id == id).filter(\.$caseID == file.id!).first()
        else { throw PageError.notFound }
        task.doneAt = task.doneAt == nil ? req.now : nil
        try await req.db.writeTransaction { db in
            try await task.save(on: db)
            try await CaseAccess.audit(
                req, .caseUpdated, file, detail: "\(task.doneAt == nil ? "task-reopened" : "task-done"):\(task.id!.uuidString)", on: db)
        }
        return req.redirect(to: SiteURL.caseFile(.value(file.id!.uuidString)).path + "#tasks", saved: .taskDone)
    }

    // MARK: - Consent

    struct ConsentForm: Content {
        var kind: String?
        var partner: String?
        var givenOn: String?
        var method: String?
        var language: String?
    }

    @Sendable
    func addConsent(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let file = try await CaseAccess.find(req)
        let form = (try? req.content.decode(ConsentForm.self)) ?? ConsentForm()
        var errors = FormErrors()
        let kind = ConsentKind(rawValue: form.kind ?? "")
        if kind == nil { errors.add("consentKind", req.t("field.invalid_choice")) }
        let partner = (form.partner ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if kind == .share, partner.isEmpty { errors.add("consentPartner", req.t("consent.error.partner")) }
        errors.check("consentPartner", partner, limit: 200, req)
        let method = ConsentMethod(rawValue: form.method ?? "")
        if method == nil { errors.add("consentMethod", req.t("field.invalid_choice")) }
        let language = (form.language ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if language.isEmpty { errors.add("consentLanguage", req.t("field.required")) }
        errors.check("consentLanguage", language, limit: 60, req)
        var givenOn: Date?
        if let day = DayParser.parse(form.givenOn ?? "") {
            givenOn = DayParser.date(day)
            if givenOn! > req.now.addingTimeInterval(86_400) { errors.add("consentGivenOn", req.t("case.error.date_in_future")) }
        } else {
            errors.add("consentGivenOn", req.t("field.date_invalid"))
        }
        guard errors.isEmpty, let kind, let method, let givenOn else {
            return try await CasePage.render(
                req, file: file, errors: errors,
                values: [
                    "consentKind": form.kind ?? "", "consentPartner": partner, "consentGivenOn": form.givenOn ?? "",
                    "consentMethod": form.method ?? "", "consentLanguage": language,
                ], status: .unprocessableEntity)
        }
        let consent = CaseConsent()
        consent.caseID = file.id!
        consent.kind = kind.rawValue
        consent.partner = kind == .share ? partner : nil
        consent.givenOn = givenOn
        consent.method = method.rawValue
        consent.language = language
        consent.recordedBy = current.user.id!
        try await req.db.writeTransaction { db in
            try await consent.create(on: db)
            try await CaseAccess.audit(req, .caseUpdated, file, detail: "consent:\(kind.rawValue)", on: db)
            try await EvidenceFacts.refresh(caseID: file.id!, on: db, vault: req.caseVault, now: req.now)
        }
        return req.redirect(to: SiteURL.caseFile(.value(file.id!.uuidString)).path + "#consent", saved: .consent)
    }

    /// Takes effect at once: every rule that reads consent (`ConsentRules`) sees the withdrawal
    /// time from this commit on.
    @Sendable
    func withdrawConsent(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        guard let id = req.parameters.get("item", as: UUID.self),
            let consent = try await CaseConsent.query(on: req.db).filter(\.$id == id).filter(\.$caseID == file.id!).first()
        else { throw PageError.notFound }
        // Withdrawal takes effect at once: only a confirmed form withdraws (the case page asks).
        guard (try? req.content.get(String.self, at: "confirm")) == "yes" else {
            var errors = FormErrors()
            errors.add("consentWithdraw", req.t("consent.withdraw_unconfirmed"))
            return try await CasePage.render(req, file: file, errors: errors, status: .unprocessableEntity)
        }
        if consent.withdrawnAt == nil {
            consent.withdrawnAt = req.now
            try await req.db.writeTransaction { db in
                try await consent.save(on: db)
                try await CaseAccess.audit(req, .caseUpdated, file, detail: "consent-withdrawn:\(consent.kind)", on: db)
                // Out of every network figure computed from now on (a statistics consent), in this transaction.
                try await EvidenceFacts.refresh(caseID: file.id!, on: db, vault: req.caseVault, now: consent.withdrawnAt!)
                // Referrals to that partner lose what they carried, in this same transaction.
                if consent.kind == ConsentKind.share.rawValue, let partner = consent.partner {
                    try await ReferralService.consentWithdrawn(
                        caseID: file.id!, partner: partner, by: ReferralsController.party(req, .sender), now: consent.withdrawnAt!, on: db)
                }
            }
        }
        return req.redirect(to: SiteURL.caseFile(.value(file.id!.uuidString)).path + "#consent", saved: .consentWithdrawn)
    }

}
