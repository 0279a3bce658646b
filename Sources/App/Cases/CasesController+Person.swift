import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

extension CasesController {
    // MARK: - Person

    struct PersonContext: Page {
        static let template = "cases/person"

        let page: PageChrome
        let csrf: String
        let id: String
        let links: CaseLinks
        let reference: String
        let preferredName: String
        let version: Int
        let person: PersonSection
        let ageBands: [FormOption]
        let genders: [FormOption]
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
        var gender: String?
        var pronouns: String?
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

    func renderPerson(
        _ req: Request, file: CaseFile, name: String, person: PersonSection, version: Int, errors: FormErrors,
        changed: [String], status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        return try await req.render(
            PersonContext(
                page: PageChrome(req, titleKey: "cases.person.title"), csrf: req.csrfToken, id: file.id!.uuidString,
                links: CaseLinks(file.id!.uuidString), reference: file.reference,
                preferredName: name, version: version, person: person,
                ageBands: req.options(AgeBand.self, selected: [person.ageBand], label: \.labelKey),
                genders: req.options(GenderCode.self, selected: [person.gender], label: \.labelKey),
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
        person.gender = choice(form.gender, GenderCode.self, field: "gender")
        person.indigenousIdentity = choice(form.indigenousIdentity, IndigenousIdentity.self, field: "indigenousIdentity")
        person.immigrationStatus = choice(form.immigrationStatus, ImmigrationStatus.self, field: "immigrationStatus")
        person.region = form.region ?? ""
        if !person.region.isEmpty, !["urban", "rural", "remote"].contains(person.region) { errors.add("region", req.t("field.invalid_choice")) }
        for (field, value, keyPath) in [
            ("genderIdentity", form.genderIdentity, \PersonSection.genderIdentity),
            ("pronouns", form.pronouns, \PersonSection.pronouns),
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
            try await EvidenceFacts.refresh(caseID: file.id!, on: db, vault: req.caseVault, now: req.now)
            // The red flags' province, for the coordinator's counts.
            try await (db as! any SQLDatabase).raw(
                "UPDATE red_flag_tokens SET province = \(bind: file.province ?? "not_recorded") WHERE case_id = \(bind: file.id!)"
            ).run()
        }
        guard saved else {
            errors.add("form", req.t("case.error.stale"))
            return try await renderPerson(
                req, file: file, name: name, person: person, version: submittedVersion, errors: errors, changed: [], status: .conflict)
        }
        return req.redirect(to: SiteURL.caseFile(.value(file.id!.uuidString)).path, saved: .person)
    }

    // MARK: - Safe contact

    struct SafeContactContext: Page {
        static let template = "cases/safe-contact"

        let page: PageChrome
        let csrf: String
        let id: String
        let links: CaseLinks
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

    func renderSafeContact(
        _ req: Request, file: CaseFile, section: SafeContactSection, version: Int, errors: FormErrors,
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        try await req.render(
            SafeContactContext(
                page: PageChrome(req, titleKey: "cases.safe.title"), csrf: req.csrfToken, id: file.id!.uuidString,
                links: CaseLinks(file.id!.uuidString), reference: file.reference,
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
        return req.redirect(to: SiteURL.caseFile(.value(file.id!.uuidString)).path, saved: .safeContact)
    }
}
