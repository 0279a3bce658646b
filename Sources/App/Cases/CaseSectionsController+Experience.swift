import Crypto
import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

extension CaseSectionsController {
    // MARK: - Legal actions

    struct LegalForm: Content {
        var kind: String?
        var status: String?
        var filedOn: String?
        var amount: String?
        var outcome: String?
    }

    /// Amounts typed as people write them in Canada: "1 234,56 $", "1,234.56", "1234" (`Amount`).
    @Sendable
    func addLegalAction(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let form = (try? req.content.decode(LegalForm.self)) ?? LegalForm()
        var errors = FormErrors()
        let kind = LegalActionKind(rawValue: form.kind ?? "")
        if kind == nil { errors.add("legalKind", req.t("field.invalid_choice")) }
        let status = LegalActionStatus(rawValue: form.status ?? "")
        if status == nil { errors.add("legalStatus", req.t("field.invalid_choice")) }
        var filedOn: Date?
        if let raw = form.filedOn, !raw.isEmpty {
            if let day = DayParser.parse(raw) { filedOn = DayParser.date(day) } else { errors.add("legalFiledOn", req.t("field.date_invalid")) }
        }
        var cents: Int?
        if let raw = form.amount, !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            cents = Amount.cents(raw)
            if cents == nil { errors.add("legalAmount", req.t("legal.error.amount")) }
        }
        let outcome = (form.outcome ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        errors.check("legalOutcome", outcome, limit: CaseRules.maximumTextLength, singleLine: false, req)
        guard errors.isEmpty, let kind, let status else {
            return try await CasePage.render(
                req, file: file, errors: errors,
                values: [
                    "legalKind": form.kind ?? "", "legalStatus": form.status ?? "", "legalFiledOn": form.filedOn ?? "",
                    "legalAmount": form.amount ?? "", "legalOutcome": outcome,
                    // What a readable amount will be saved as, shown beside it while other fields are fixed.
                    "legalAmountSaved": cents.map { req.t("legal.amount_saved_as", CaseSectionsPanel.money($0, req)) } ?? "",
                ], status: .unprocessableEntity)
        }
        let vault = req.caseVault
        let opened = try await vault.open(file, on: req.db)
        let action = CaseLegalAction()
        action.id = UUID()
        action.caseID = file.id!
        action.kind = kind.rawValue
        action.status = status.rawValue
        action.filedOn = filedOn
        action.amountAwardedCents = cents
        action.sealedOutcome = outcome.isEmpty ? nil : try vault.seal(outcome, field: .legalOutcome(action.id!), with: opened)
        action.createdAt = req.now
        try await req.db.writeTransaction { db in
            try await action.create(on: db)
            try await CaseAccess.audit(req, .caseUpdated, file, detail: "legal-action", on: db)
        }
        return req.redirect(to: SiteURL.caseFile(.value(file.id!.uuidString)).path + "#legal", saved: .legalAction)
    }

    // MARK: - Trafficking experience

    struct ExperienceContext: Page {
        static let template = "cases/experience"

        let page: PageChrome
        let csrf: String
        let id: String
        let links: CaseLinks
        let reference: String
        let version: Int
        let statuses: [FormOption]
        let exploitation: [FormOption]
        let scopes: [FormOption]
        let industries: [FormOption]
        let controls: [FormOption]
        let recruitment: [FormOption]
        let relationships: [FormOption]
        let licensed: [FormOption]
        let fees: String
        let currency: String
        let details: ExperienceDetails
        let errors: FormErrors
    }

    struct ExperienceForm: Content {
        @LenientInt var version: Int? = nil
        var traffickingStatus: String?
        var exploitationTypes: [String]?
        var scope: String?
        var industry: String?
        var controlMethods: [String]?
        var recruitmentMethods: [String]?
        var recruiterRelationship: String?
        var fees: String?
        var currency: String?
        var recruiterLicensed: String?
        var employers: String?
        var recruiters: String?
        var recruitmentPlace: String?
        var recruitmentWhen: String?
        var exploitationPlace: String?
        var exploitationWhen: String?
        var account: String?
    }

    @Sendable
    func experienceForm(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let vault = req.caseVault
        let opened = try await vault.open(file, on: req.db)
        let stored = try await CaseExperience.query(on: req.db).filter(\.$caseID == file.id!).first()
        let details =
            try stored.flatMap { try vault.openSection(ExperienceDetails.self, $0.sealedDetails, field: .experience, with: opened) }
            ?? ExperienceDetails()
        try await CaseAccess.audit(req, .caseViewed, file, detail: "experience")
        let form = ExperienceForm(
            version: stored?.version ?? 0, traffickingStatus: stored?.traffickingStatus,
            exploitationTypes: stored?.exploitationTypes.split(separator: ",").map(String.init),
            scope: stored?.scope, industry: stored?.industry,
            controlMethods: stored?.controlMethods.split(separator: ",").map(String.init),
            recruitmentMethods: stored?.recruitmentMethods.split(separator: ",").map(String.init),
            recruiterRelationship: stored?.recruiterRelationship,
            fees: stored?.feesPaidCents.map { Self.amountForEditing($0, req) }, currency: stored?.feesCurrency,
            recruiterLicensed: stored?.recruiterLicensed, employers: details.employers, recruiters: details.recruiters,
            recruitmentPlace: details.recruitmentPlace, recruitmentWhen: details.recruitmentWhen,
            exploitationPlace: details.exploitationPlace, exploitationWhen: details.exploitationWhen, account: details.account)
        return try await renderExperience(req, file: file, form: form, errors: FormErrors())
    }

    func renderExperience(_ req: Request, file: CaseFile, form: ExperienceForm, errors: FormErrors, status: HTTPResponseStatus = .ok)
        async throws -> Response
    {
        let one = { (value: String?) -> Set<String> in value.map { [$0] } ?? [] }
        return try await req.render(
            ExperienceContext(
                page: PageChrome(req, titleKey: "experience.title"), csrf: req.csrfToken, id: file.id!.uuidString,
                links: CaseLinks(file.id!.uuidString), reference: file.reference,
                version: form.version ?? 0,
                statuses: CaseSectionsPanel.options(TraffickingStatus.self, selected: one(form.traffickingStatus), req: req),
                exploitation: CaseSectionsPanel.options(ExploitationType.self, selected: Set(form.exploitationTypes ?? []), req: req),
                scopes: CaseSectionsPanel.options(TraffickingScope.self, selected: one(form.scope), req: req),
                industries: CaseSectionsPanel.options(LabourIndustry.self, selected: one(form.industry), req: req),
                controls: CaseSectionsPanel.options(ControlMethod.self, selected: Set(form.controlMethods ?? []), req: req),
                recruitment: CaseSectionsPanel.options(RecruitmentMethod.self, selected: Set(form.recruitmentMethods ?? []), req: req),
                relationships: CaseSectionsPanel.options(RecruiterRelationship.self, selected: one(form.recruiterRelationship), req: req),
                licensed: ["yes", "no", "unknown"].map {
                    FormOption(value: $0, label: req.t("case.safe.messages.\($0)"), selected: $0 == (form.recruiterLicensed ?? "unknown"))
                },
                fees: form.fees ?? "", currency: form.currency ?? "CAD",
                details: ExperienceDetails(
                    employers: form.employers ?? "", recruiters: form.recruiters ?? "", recruitmentPlace: form.recruitmentPlace ?? "",
                    recruitmentWhen: form.recruitmentWhen ?? "", exploitationPlace: form.exploitationPlace ?? "",
                    exploitationWhen: form.exploitationWhen ?? "", account: form.account ?? ""),
                errors: errors), status: status)
    }

    @Sendable
    func saveExperience(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let form = (try? req.content.decode(ExperienceForm.self)) ?? ExperienceForm()
        var errors = FormErrors()
        func single<E: CatalogValue>(_ raw: String?, _ type: E.Type, _ field: String) -> String? {
            guard let raw, !raw.isEmpty else { return nil }
            if E(rawValue: raw) == nil { errors.add(field, req.t("field.invalid_choice")) }
            return raw
        }
        func many<E: CatalogValue>(_ raw: [String]?, _ type: E.Type, _ field: String) -> String {
            guard let parsed = E.parseAll(raw ?? []) else {
                errors.add(field, req.t("field.invalid_choice"))
                return ""
            }
            return parsed.map(\.rawValue).joined(separator: ",")
        }
        let status = single(form.traffickingStatus, TraffickingStatus.self, "traffickingStatus")
        let exploitation = many(form.exploitationTypes, ExploitationType.self, "exploitationTypes")
        let scope = single(form.scope, TraffickingScope.self, "scope")
        let industry = single(form.industry, LabourIndustry.self, "industry")
        let controls = many(form.controlMethods, ControlMethod.self, "controlMethods")
        let recruitment = many(form.recruitmentMethods, RecruitmentMethod.self, "recruitmentMethods")
        let relationship = single(form.recruiterRelationship, RecruiterRelationship.self, "recruiterRelationship")
        let licensed = form.recruiterLicensed ?? "unknown"
        if !["yes", "no", "unknown"].contains(licensed) { errors.add("recruiterLicensed", req.t("field.invalid_choice")) }
        var fees: Int?
        if let raw = form.fees, !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            fees = Amount.cents(raw)
            if fees == nil { errors.add("fees", req.t("legal.error.amount")) }
        }
        let currency = (form.currency ?? "CAD").trimmingCharacters(in: .whitespaces).uppercased()
        if !(currency.count == 3 && currency.allSatisfy { $0.isASCII && $0.isLetter }) { errors.add("currency", req.t("experience.error.currency")) }
        let details = ExperienceDetails(
            employers: (form.employers ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
            recruiters: (form.recruiters ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
            recruitmentPlace: (form.recruitmentPlace ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
            recruitmentWhen: (form.recruitmentWhen ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
            exploitationPlace: (form.exploitationPlace ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
            exploitationWhen: (form.exploitationWhen ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
            account: (form.account ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        for (field, value) in [
            ("employers", details.employers), ("recruiters", details.recruiters), ("recruitmentPlace", details.recruitmentPlace),
            ("recruitmentWhen", details.recruitmentWhen), ("exploitationPlace", details.exploitationPlace),
            ("exploitationWhen", details.exploitationWhen),
        ] {
            errors.check(field, value, limit: 2000, singleLine: !["employers", "recruiters"].contains(field), req)
        }
        errors.check("account", details.account, limit: CaseRules.maximumTextLength, singleLine: false, req)
        let stored = try await CaseExperience.query(on: req.db).filter(\.$caseID == file.id!).first()
        let submittedVersion = form.version ?? -1
        let stale = errors.isEmpty && submittedVersion != (stored?.version ?? 0)
        if stale { errors.add("form", req.t("case.error.stale")) }
        guard errors.isEmpty else {
            return try await renderExperience(req, file: file, form: form, errors: errors, status: stale ? .conflict : .unprocessableEntity)
        }
        let vault = req.caseVault
        let opened = try await vault.open(file, on: req.db)
        // The version read with the form, before the record (the same object) is changed: the
        // compare-and-set below checks that nobody saved in between.
        let expected = stored?.version
        let experience = stored ?? CaseExperience()
        experience.caseID = file.id!
        experience.traffickingStatus = status
        experience.exploitationTypes = exploitation
        experience.scope = scope
        experience.industry = industry
        experience.controlMethods = controls
        experience.recruitmentMethods = recruitment
        experience.recruiterRelationship = relationship
        experience.feesPaidCents = fees
        experience.feesCurrency = fees == nil ? nil : currency
        experience.recruiterLicensed = licensed
        experience.sealedDetails = try vault.seal(section: details, field: .experience, with: opened)
        experience.version = (stored?.version ?? 0) + 1
        experience.updatedAt = req.now
        let caseID = file.id!
        let saved = try await CaseService.versioned(
            on: req.db, caseID: caseID, expected: expected,
            current: { db in
                try await CaseExperience.query(on: db).filter(\.$caseID == caseID).first()?.version
            },
            write: { db in
                try await experience.save(on: db)
                try await CaseAccess.audit(req, .caseUpdated, file, detail: "experience", on: db)
                try await EvidenceFacts.refresh(caseID: caseID, on: db, vault: req.caseVault, now: req.now)
                try await RedFlagTokens.refresh(
                    caseID: caseID, organisationID: file.$organisation.id, province: file.province, sector: industry, details: details,
                    master: req.caseVault.master, now: req.now, on: db)
            })
        guard saved else {
            var errors = FormErrors()
            errors.add("form", req.t("case.error.stale"))
            return try await renderExperience(req, file: file, form: form, errors: errors, status: .conflict)
        }
        return req.redirect(to: SiteURL.caseFile(.value(caseID.uuidString)).path + "#experience", saved: .experience)
    }

    // MARK: - Red flags

    struct RedFlagForm: Content {
        var flag: String?
    }

    /// A supervisor asks to be put in touch with the other organisations whose cases hold one of
    /// this case's names; each side sees the other only once both have asked.
    @Sendable
    func requestRedFlagContact(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let user = try req.requireUser()
        let token = (try? req.content.decode(RedFlagForm.self))?.flag ?? ""
        guard token.count == 64, token.allSatisfy(\.isHexDigit) else { throw PageError.notFound }
        let caseID = file.id!
        let recorded = try await req.db.writeTransaction { db in
            guard
                try await RedFlagTokens.requestContact(
                    token: token, caseID: caseID, organisationID: file.$organisation.id, userID: user.user.id!, now: req.now, on: db)
            else { return false }
            try await CaseAccess.audit(req, .redFlagContactRequested, file, detail: String(token.prefix(12)), on: db)
            return true
        }
        guard recorded else { throw PageError.notFound }
        return req.redirect(to: SiteURL.caseFile(.value(caseID.uuidString)).path + "#experience", saved: .redFlagContact)
    }

    /// An amount as the reader writes it, for a form field: "7 965,00" in French, "7,965.00" in
    /// English (the currency has its own field). `Amount` reads both back exactly.
    static func amountForEditing(_ cents: Int, _ req: Request) -> String {
        (Decimal(cents) / 100).formatted(
            .number.precision(.fractionLength(2)).locale(Locale(identifier: req.language.localeIdentifier)))
    }
}
