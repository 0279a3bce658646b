import Domain
import Fluent
import Foundation
import Vapor

/// Right of access: a supervisor exports one case, whole, as a printable page with French and
/// English labels side by side, and as JSON. Both are audited.
struct CaseExportController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, .casePart(.key, .export), access: AccessPolicy.supervisors, use: printable)
        routes.on(.GET, .casePart(.key, .exportJSON), access: AccessPolicy.supervisors, use: json)
    }

    struct Item: Codable {
        let key: String
        let fr: String
        let en: String
        let value: String
    }

    struct Section: Codable {
        let key: String
        let fr: String
        let en: String
        let items: [Item]
    }

    struct Export: Codable {
        let reference: String
        let exportedAt: String
        let sections: [Section]
    }

    /// The whole case. `stamp` writes a moment: ISO 8601 in the JSON (for machines), local time
    /// in both languages on the printed page ("2 mars 2026 à 13 h 05 / March 2, 2026 at 1:05 p.m.").
    static func build(_ req: Request, file: CaseFile, stamp: (Date) -> String) async throws -> Export {
        let localizer = req.application.localizer
        func item(_ key: String, _ value: String) -> Item {
            Item(key: key, fr: localizer.text(key, .fr), en: localizer.text(key, .en), value: value)
        }
        func both(_ key: String) -> String { "\(localizer.text(key, .fr)) / \(localizer.text(key, .en))" }
        func section(_ key: String, _ items: [Item]) -> Section {
            Section(key: key, fr: localizer.text(key, .fr), en: localizer.text(key, .en), items: items)
        }
        let vault = req.caseVault
        let opened = try await vault.open(file, on: req.db)
        let caseID = file.id!
        var sections: [Section] = []
        let team = try await CaseQueries.team(of: file, on: req.db)
        sections.append(
            section(
                "cases.show.title",
                [
                    item("cases.reference", file.reference),
                    item("cases.preferred_name", try vault.openText(file.sealedPreferredName, field: .preferredName, with: opened)),
                    item("cases.status", both(file.caseStatus.labelKey)),
                    item("cases.closure_reason", file.closureReason.flatMap(ClosureReason.init(rawValue:)).map { both($0.labelKey) } ?? ""),
                    item("cases.province", file.province.flatMap(Province.init(rawValue:)).map { both($0.labelKey) } ?? ""),
                    item("cases.opened", stamp(file.openedAt)),
                    item("cases.workers", team.colleagues.filter { team.assigned.contains($0.id!) }.map(\.displayName).joined(separator: ", ")),
                ]))
        if let safe = try vault.openSection(SafeContactSection.self, file.sealedSafeContact, field: .safeContact, with: opened) {
            sections.append(
                section(
                    "cases.safe.title",
                    [
                        item(
                            "cases.safe.channels",
                            safe.channels.compactMap(SafeContactChannel.init(rawValue:)).map { both($0.labelKey) }.joined(separator: "; ")),
                        item("cases.safe.times", safe.safeTimes), item("cases.safe.messages", both("case.safe.messages.\(safe.messagesAllowed)")),
                        item("cases.safe.code_word", safe.codeWord), item("cases.safe.never", safe.neverUse),
                    ]))
        }
        if let person = try vault.openSection(PersonSection.self, file.sealedPerson, field: .person, with: opened) {
            sections.append(
                section(
                    "cases.person.title",
                    [
                        item("case.person.legal_name", person.legalName), item("case.person.date_of_birth", person.dateOfBirth),
                        item("case.person.age_band", AgeBand(rawValue: person.ageBand).map { both($0.labelKey) } ?? ""),
                        item("case.person.gender_identity", person.genderIdentity),
                        item("case.person.gender", GenderCode(rawValue: person.gender).map { both($0.labelKey) } ?? ""),
                        item("case.person.pronouns", person.pronouns),
                        item(
                            "case.person.indigenous_identity", IndigenousIdentity(rawValue: person.indigenousIdentity).map { both($0.labelKey) } ?? ""
                        ),
                        item("case.person.country_of_origin", person.countryOfOrigin), item("case.person.languages", person.languages),
                        item("case.person.interpreter", person.interpreterNeeded ? both("common.yes") : both("common.no")),
                        item("case.person.immigration_status", ImmigrationStatus(rawValue: person.immigrationStatus).map { both($0.labelKey) } ?? ""),
                        item("case.person.dependants", person.dependants), item("case.person.accessibility", person.accessibilityNeeds),
                    ].filter { !$0.value.isEmpty }))
        }
        let consents = try await CaseConsent.query(on: req.db).filter(\.$caseID == caseID).sort(\.$givenOn).all()
        sections.append(
            section(
                "consent.title",
                consents.map { consent in
                    item(
                        ConsentKind(rawValue: consent.kind)?.labelKey ?? consent.kind,
                        [
                            DayParser.format(consent.givenOn), consent.partner ?? "", both(ConsentMethod(rawValue: consent.method)?.labelKey ?? ""),
                            consent.language,
                            consent.withdrawnAt.map { "→ " + stamp($0) } ?? "",
                        ].filter { !$0.isEmpty }.joined(separator: " · "))
                }))
        if let experience = try await CaseExperience.query(on: req.db).filter(\.$caseID == caseID).first() {
            func list<E: CatalogValue>(_ type: E.Type, _ stored: String?) -> String {
                (stored ?? "").split(separator: ",").compactMap { E(rawValue: String($0)) }.map { both($0.labelKey) }.joined(separator: "; ")
            }
            let details = try vault.openSection(
                ExperienceDetails.self, experience.sealedDetails, field: .experience, with: opened)
            sections.append(
                section(
                    "experience.title",
                    [
                        item("experience.status", list(TraffickingStatus.self, experience.traffickingStatus)),
                        item("experience.exploitation", list(ExploitationType.self, experience.exploitationTypes)),
                        item("experience.scope", list(TraffickingScope.self, experience.scope)),
                        item("experience.industry", list(LabourIndustry.self, experience.industry)),
                        item("experience.control", list(ControlMethod.self, experience.controlMethods)),
                        item("experience.recruitment", list(RecruitmentMethod.self, experience.recruitmentMethods)),
                        item("experience.relationship", list(RecruiterRelationship.self, experience.recruiterRelationship)),
                        item(
                            "experience.fees",
                            experience.feesPaidCents.map { String(format: "%.2f %@", Double($0) / 100, experience.feesCurrency ?? "") } ?? ""),
                        item("experience.employers", details?.employers ?? ""), item("experience.recruiters", details?.recruiters ?? ""),
                        item("experience.recruitment_place", details?.recruitmentPlace ?? ""),
                        item("experience.recruitment_when", details?.recruitmentWhen ?? ""),
                        item("experience.exploitation_place", details?.exploitationPlace ?? ""),
                        item("experience.exploitation_when", details?.exploitationWhen ?? ""),
                        item("experience.account", details?.account ?? ""),
                    ].filter { !$0.value.isEmpty }))
        }
        let needs = try await CaseNeed.query(on: req.db).filter(\.$caseID == caseID).all()
        sections.append(
            section(
                "needs.title",
                needs.map { item(NeedKind(rawValue: $0.need)?.labelKey ?? $0.need, both(NeedStatus(rawValue: $0.status)?.labelKey ?? "")) }))
        // Permits and pathways: each application with its state, dates and checklist.
        let applications = try await PathwayApplication.query(on: req.db).filter(\.$caseID == caseID).with(\.$pathway).sort(\.$createdAt).all()
        sections.append(
            section(
                "applications.title",
                applications.map { application in
                    let pathway = application.pathway
                    let done = application.doneKeys
                    func day(_ key: String, _ date: Date?) -> String? {
                        date.map { "\(both(key)) \(Day($0).description)" }
                    }
                    return Item(
                        key: "applications.pathway", fr: pathway.nameFR, en: pathway.nameEN,
                        value: [
                            both(application.applicationState.labelKey), day("applications.submitted", application.submittedOn),
                            day("applications.decided", application.decidedOn), day("applications.valid_from", application.validFrom),
                            day("applications.valid_to", application.validTo),
                            pathway.checklistItems.filter { done.contains($0.key) }.map { "✓ \($0.fr) / \($0.en)" }.joined(separator: "\n"),
                        ].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n"))
                }))
        let names = Dictionary(team.colleagues.map { ($0.id!, $0.displayName) }, uniquingKeysWith: { first, _ in first })
        let tasks = try await CaseTask.query(on: req.db).filter(\.$caseID == caseID).sort(\.$createdAt).all()
        sections.append(
            section(
                "tasks.title",
                try tasks.map { task in
                    item(
                        "tasks.task",
                        [
                            try vault.openText(task.sealedTitle, field: .task(task.id!), with: opened),
                            task.dueOn.map { "\(both("tasks.due_on")) \(DayParser.format($0))" } ?? "",
                            task.assigneeID.flatMap { names[$0] } ?? "",
                            task.doneAt.map { "✓ " + stamp($0) } ?? both("tasks.open"),
                        ].filter { !$0.isEmpty }.joined(separator: " · "))
                }))
        let legal = try await CaseLegalAction.query(on: req.db).filter(\.$caseID == caseID).sort(\.$createdAt).all()
        sections.append(
            section(
                "legal.title",
                try legal.map { action in
                    item(
                        LegalActionKind(rawValue: action.kind)?.labelKey ?? action.kind,
                        [
                            both(LegalActionStatus(rawValue: action.status)?.labelKey ?? ""), action.filedOn.map(DayParser.format) ?? "",
                            action.amountAwardedCents.map { String(format: "%.2f CAD", Double($0) / 100) } ?? "",
                            try action.sealedOutcome.map { try vault.openText($0, field: .legalOutcome(action.id!), with: opened) } ?? "",
                        ]
                        .filter { !$0.isEmpty }.joined(separator: " · "))
                }))
        let notes = try await CaseNote.query(on: req.db).filter(\.$caseID == caseID).sort(\.$createdAt).all()
        sections.append(
            section(
                "cases.notes.title",
                try notes.map { note in
                    item(
                        "cases.notes.title",
                        stamp(note.createdAt) + " — "
                            + (try vault.openText(note.sealedBody, field: .note(note.id!), with: opened)))
                }))
        let documents = try await CaseDocument.query(on: req.db).filter(\.$caseID == caseID).field(\.$id).field(\.$sealedName).field(\.$type)
            .field(\.$size).field(\.$uploadedAt).field(\.$caseID).all()
        sections.append(
            section(
                "documents.title",
                try documents.map { document in
                    item(
                        "documents.title",
                        try vault.openText(document.sealedName, field: .documentName(document.id!), with: opened)
                            + " (\(document.type), \(document.size) o/B)")
                }))
        // What was done to the case, oldest first, each line in both languages.
        let history = try await CaseQueries.history(of: caseID, limit: 10_000, on: req.db).reversed()
        let lines = try await CasePage.historyLines(Array(history), file: file, opened: opened, req: req, languages: [.fr, .en])
        sections.append(
            section(
                "cases.history",
                zip(history, lines).map { entry, line in
                    item(
                        "cases.history",
                        "\(stamp(entry.at)) — \(line[0]) / \(line[1]) — \(entry.actorID.flatMap { names[$0] } ?? entry.actorEmail ?? "—")")
                }))
        return Export(reference: file.reference, exportedAt: stamp(req.now), sections: sections)
    }

    struct PrintContext: Page {
        static let template = "cases/export"

        let page: PageChrome
        let export: Export
        let id: String
        let links: CaseLinks
        /// The heading lines in both languages, whatever the page language.
        let headingFR: String
        let headingEN: String
        let exportedFR: String
        let exportedEN: String
        /// What an empty section says, in both languages.
        let noneFR: String
        let noneEN: String
    }

    @Sendable
    func printable(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let export = try await Self.build(req, file: file) { date in
            "\(req.formatDateTime(date, in: .fr) ?? "") / \(req.formatDateTime(date, in: .en) ?? "")"
        }
        try await CaseAccess.audit(req, .caseExported, file, detail: "print")
        let localizer = req.application.localizer
        return try await req.render(
            PrintContext(
                page: PageChrome(req, titleKey: "export.title"), export: export, id: file.id!.uuidString, links: CaseLinks(file.id!.uuidString),
                headingFR: localizer.text("export.heading", .fr, [file.reference]),
                headingEN: localizer.text("export.heading", .en, [file.reference]),
                exportedFR: localizer.text("export.exported_at", .fr, [export.exportedAt]),
                exportedEN: localizer.text("export.exported_at", .en, [export.exportedAt]),
                noneFR: localizer.text("export.none", .fr), noneEN: localizer.text("export.none", .en)))
    }

    @Sendable
    func json(req: Request) async throws -> Response {
        let file = try await CaseAccess.find(req)
        let iso = ISO8601DateFormatter()
        let export = try await Self.build(req, file: file) { iso.string(from: $0) }
        try await CaseAccess.audit(req, .caseExported, file, detail: "json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let response = Response(status: .ok, body: .init(data: try encoder.encode(export)))
        response.headers.replaceOrAdd(name: .contentType, value: "application/json; charset=utf-8")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(file.reference).json\"")
        return response
    }
}
