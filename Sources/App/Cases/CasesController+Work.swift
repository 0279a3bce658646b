import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

extension CasesController {
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
        return req.redirect(to: SiteURL.caseFile(.value(file.id!.uuidString)).path + "#notes", saved: .note)
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
        return req.redirect(to: SiteURL.caseFile(.value(file.id!.uuidString)).path, saved: .status)
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
        return req.redirect(to: SiteURL.caseFile(.value(caseID.uuidString)).path, saved: .assignments)
    }

    // MARK: - Purge

    struct PurgeContext: Page {
        static let template = "cases/purge"

        let page: PageChrome
        let csrf: String
        let id: String
        let links: CaseLinks
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
            PurgeContext(
                page: PageChrome(req, titleKey: "cases.purge.title"), csrf: req.csrfToken,
                id: file.id!.uuidString, links: CaseLinks(file.id!.uuidString), reference: file.reference,
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
                PurgeContext(
                    page: PageChrome(req, titleKey: "cases.purge.title"), csrf: req.csrfToken,
                    id: file.id!.uuidString, links: CaseLinks(file.id!.uuidString), reference: file.reference,
                    closed: file.caseStatus.isClosed, errors: errors), status: .unprocessableEntity)
        }
        try await req.db.writeTransaction { db in
            try await CaseAccess.audit(req, .casePurged, file, on: db)
            try await CaseService.purge(file, vault: req.caseVault, on: db)
        }
        try await CaseService.checkpointIfSQLite(req.db)
        return req.redirect(to: SiteURL.cases.path, saved: .purged)
    }

    // MARK: - Settings

    struct SettingsContext: Page {
        static let template = "cases/settings"

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
    func renderSettings(
        _ req: Request, settings: CaseSettings, retention: String, errors: FormErrors,
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        var due: [String] = []
        if let years = settings.retentionYears {
            due = try await Retention.due(organisationID: settings.$organisation.id, years: years, on: req.db, now: req.now).map(\.reference)
        }
        return try await req.render(
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
        return req.redirect(to: SiteURL.caseSettings.path + "?saved=1")
    }
}
