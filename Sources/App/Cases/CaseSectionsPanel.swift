import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// The case page's panels that hold lists: documents, needs, tasks, consents, legal actions and
/// the summary of the trafficking experience, each read by its own query.
struct CaseSectionsPanel: CasePanel {
    let documents: [DocumentRow]
    let documentMaxMB: Int
    let needs: SafeHTML
    /// The needs that have a status, in the grid's order (the grid itself opens on demand).
    let setNeeds: [LabelledValue]
    let tasks: [TaskRow]
    let consents: [ConsentRow]
    let consentCollect: Bool
    let consentStatistics: Bool
    let legalActions: [LegalRow]
    let experience: [LabelledValue]
    /// The experience's names that other organisations' cases hold too (never which ones).
    let redFlags: [RedFlagRow]
    let hasRedFlags: Bool
    let hasConsents: Bool
    let hasExperience: Bool
    let consentKinds: [FormOption]
    let consentMethods: [FormOption]
    let legalKinds: [FormOption]
    let legalStatuses: [FormOption]
    let assignees: [FormOption]
    /// For the summary at the top of the page.
    let nextTask: TaskRow?
    let overdueTasks: Int
    let consentShare: Bool
    /// The organisations the person agreed to share with, named as recorded.
    let sharePartners: String

    static func options<E: CatalogValue>(_ type: E.Type, selected: Set<String>, req: Request) -> [FormOption] {
        req.options(type, selected: selected, label: \.labelKey)
    }

    struct RedFlagRow: Encodable {
        let text: String
        let token: String
        /// A supervisor who has not yet asked to be put in touch about it.
        let canRequest: Bool
        let requested: Bool
        /// Once both asked: the other organisations and who asked there.
        let contacts: [String]
        let hasContacts: Bool
        let action: String
    }

    struct TaskRow: Encodable {
        let id: String
        let title: String
        let due: String?
        let overdue: Bool
        let assignee: String?
        let done: Bool
        let doneAction: String
    }

    struct ConsentRow: Encodable {
        let id: String
        let kindKey: String
        let partner: String?
        let givenOn: String
        let methodKey: String
        let language: String
        let withdrawnAt: String?
        let withdrawAction: String
    }

    struct LegalRow: Encodable {
        let kindKey: String
        let statusKey: String
        let filedOn: String?
        let amount: String?
        let outcome: String
    }

    struct DocumentRow: Encodable {
        let id: String
        let name: String
        let typeLabel: String
        let size: String
        let uploadedAt: String
        let href: String
    }

    /// What the panel shows, as stored: each section's records, newest first.
    struct Records {
        let needs: [CaseNeed]
        let tasks: [CaseTask]
        let consents: [CaseConsent]
        let legalActions: [CaseLegalAction]
        let experience: CaseExperience?
        /// Names, types and sizes only: not the sealed contents.
        let documents: [CaseDocument]
    }

    /// The records of a case the viewer was allowed to open (`CaseQueries.find`).
    static func records(of caseID: UUID, on db: any Database) async throws -> Records {
        Records(
            needs: try await CaseNeed.fetch("SELECT * FROM case_needs WHERE case_id = \(bind: caseID)", on: db),
            tasks: try await CaseTask.fetch("SELECT * FROM case_tasks WHERE case_id = \(bind: caseID) ORDER BY created_at DESC", on: db),
            consents: try await CaseConsent.fetch("SELECT * FROM case_consents WHERE case_id = \(bind: caseID) ORDER BY given_on DESC", on: db),
            legalActions: try await CaseLegalAction.fetch(
                "SELECT * FROM case_legal_actions WHERE case_id = \(bind: caseID) ORDER BY created_at DESC", on: db),
            experience: try await CaseExperience.fetchFirst("SELECT * FROM case_experiences WHERE case_id = \(bind: caseID)", on: db),
            documents: try await CaseDocument.fetch(
                """
                SELECT id, case_id, sealed_name, type, size, uploaded_at FROM case_documents WHERE case_id = \(bind: caseID) ORDER BY uploaded_at DESC
                """, on: db))
    }

    static func load(_ input: CasePanelInput) async throws -> Self {
        let (req, file, opened, colleagues, values) = (input.req, input.file, input.opened, input.colleagues, input.values)
        let vault = req.caseVault
        let caseID = file.id!
        let now = req.now
        let records = try await Self.records(of: caseID, on: req.db)
        let (needs, tasks, consents, legal, experience, documents) = (
            records.needs, records.tasks, records.consents, records.legalActions, records.experience, records.documents
        )
        let byKind = Dictionary(needs.map { ($0.need, $0.status) }, uniquingKeysWith: { first, _ in first })
        let names = Dictionary(colleagues.map { ($0.id!, $0.displayName) }, uniquingKeysWith: { first, _ in first })
        let consentRecords = consents.compactMap(\.record)
        let money = { (cents: Int) in Self.money(cents, req) }
        // The experience's sealed names, opened once for its summary and its red flags.
        let details = try experience.flatMap { try vault.openSection(ExperienceDetails.self, $0.sealedDetails, field: .experience, with: opened) }
        let flags = try await redFlags(details, file: file, req: req)
        return Self(
            documents: try documents.map { document in
                DocumentRow(
                    id: document.id!.uuidString,
                    name: try vault.openText(document.sealedName, field: .documentName(document.id!), with: opened),
                    typeLabel: (DocumentType(rawValue: document.type)?.fileExtension ?? document.type).uppercased(),
                    size: req.t("documents.size_kb", req.formatNumber(max(1, document.size / 1024))),
                    uploadedAt: req.formatDateTime(document.uploadedAt) ?? "",
                    href: CaseLinks.item(caseID.uuidString, .document, document.id!.uuidString))
            },
            documentMaxMB: req.config.documentMaxBytes / 1_048_576,
            needs: SafeHTML.selectFields(
                NeedKind.allCases.map { kind in
                    SafeHTML.SelectField(
                        id: "need-\(kind.rawValue)", name: "needs[\(kind.rawValue)]", label: req.t(kind.labelKey),
                        options: options(NeedStatus.self, selected: [values["need.\(kind.rawValue)"] ?? byKind[kind.rawValue] ?? ""], req: req))
                }),
            setNeeds: NeedKind.allCases.compactMap { kind in
                byKind[kind.rawValue].flatMap(NeedStatus.init(rawValue:)).map { LabelledValue(labelKey: kind.labelKey, value: req.t($0.labelKey)) }
            },
            tasks: try tasks.map { task in
                TaskRow(
                    id: task.id!.uuidString, title: try vault.openText(task.sealedTitle, field: .task(task.id!), with: opened),
                    due: task.dueOn.map(DayParser.format), overdue: task.doneAt == nil && (task.dueOn.map { $0 < now } ?? false),
                    assignee: task.assigneeID.flatMap { names[$0] }, done: task.doneAt != nil,
                    doneAction: CaseLinks.item(caseID.uuidString, .taskDone, task.id!.uuidString))
            },
            consents: consents.map { consent in
                ConsentRow(
                    id: consent.id!.uuidString, kindKey: ConsentKind(rawValue: consent.kind)?.labelKey ?? consent.kind,
                    partner: consent.partner, givenOn: DayParser.format(consent.givenOn),
                    methodKey: ConsentMethod(rawValue: consent.method)?.labelKey ?? consent.method,
                    language: consent.language, withdrawnAt: req.formatDateTime(consent.withdrawnAt),
                    withdrawAction: CaseLinks.item(caseID.uuidString, .consentWithdraw, consent.id!.uuidString))
            },
            consentCollect: ConsentRules.isGranted(.collect, in: consentRecords, at: now),
            consentStatistics: ConsentRules.isGranted(.statistics, in: consentRecords, at: now),
            legalActions: try legal.map { action in
                LegalRow(
                    kindKey: LegalActionKind(rawValue: action.kind)?.labelKey ?? action.kind,
                    statusKey: LegalActionStatus(rawValue: action.status)?.labelKey ?? action.status,
                    filedOn: action.filedOn.map(DayParser.format), amount: action.amountAwardedCents.map(money),
                    outcome: try action.sealedOutcome.map { try vault.openText($0, field: .legalOutcome(action.id!), with: opened) } ?? "")
            },
            experience: experience.map { experienceSummary($0, details: details, req: req) } ?? [],
            redFlags: flags, hasRedFlags: !flags.isEmpty,
            hasConsents: !consents.isEmpty,
            hasExperience: experience != nil,
            consentKinds: options(ConsentKind.self, selected: [values["consentKind"] ?? ""], req: req),
            consentMethods: options(ConsentMethod.self, selected: [values["consentMethod"] ?? "verbal"], req: req),
            legalKinds: options(LegalActionKind.self, selected: [values["legalKind"] ?? ""], req: req),
            legalStatuses: options(LegalActionStatus.self, selected: [values["legalStatus"] ?? ""], req: req),
            assignees: colleagues.filter(\.holdsCases)
                .map { FormOption(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id!.uuidString == values["taskAssignee"]) },
            nextTask: try tasks.filter { $0.doneAt == nil && $0.dueOn != nil }.min { $0.dueOn! < $1.dueOn! }.map { task in
                TaskRow(
                    id: task.id!.uuidString, title: try vault.openText(task.sealedTitle, field: .task(task.id!), with: opened),
                    due: task.dueOn.map { req.formatDay(Day($0)) }, overdue: task.dueOn.map { $0 < now } ?? false,
                    assignee: task.assigneeID.flatMap { names[$0] }, done: false,
                    doneAction: CaseLinks.item(caseID.uuidString, .taskDone, task.id!.uuidString))
            },
            overdueTasks: tasks.filter { $0.doneAt == nil && ($0.dueOn.map { $0 < now } ?? false) }.count,
            consentShare: ConsentRules.isGranted(.share, in: consentRecords, at: now),
            sharePartners: consents.filter { $0.withdrawnAt == nil && $0.kind == ConsentKind.share.rawValue }.compactMap(\.partner).joined(
                separator: ", "))
    }

    /// An amount as the page shows it in the reader's language (7 965,00 $ or $7,965.00).
    static func money(_ cents: Int, _ req: Request) -> String {
        (Decimal(cents) / 100).formatted(.currency(code: "CAD").locale(Locale(identifier: req.language.localeIdentifier)))
    }

    /// The case's names also held by other organisations' cases, looked up by keyed hash; the lookup is audited.
    static func redFlags(_ details: ExperienceDetails?, file: CaseFile, req: Request) async throws -> [RedFlagRow] {
        guard let details else { return [] }
        let user = try req.requireUser()
        let shared = try await RedFlagTokens.shared(details, organisationID: file.$organisation.id, master: req.caseVault.master, on: req.db)
        let looked = RedFlagTokens.entries(details).count
        if looked > 0 { try await CaseAccess.audit(req, .redFlagsChecked, file, detail: "\(looked) looked up, \(shared.count) shared") }
        return shared.map { flag in
            RedFlagRow(
                text: req.tp(flag.entry.kind == .phone ? "redflags.shared_phone" : "redflags.shared_name", flag.organisations, flag.entry.written),
                token: flag.token, canRequest: user.has(.supervisor) && !flag.requested, requested: flag.requested,
                contacts: flag.contacts.map { req.t("redflags.contact", $0.organisation, $0.name, $0.email) }, hasContacts: !flag.contacts.isEmpty,
                action: SiteURL.casePart(.value(file.id!.uuidString), .redFlags).path)
        }
    }

    static func experienceSummary(_ experience: CaseExperience, details: ExperienceDetails?, req: Request) -> [LabelledValue] {
        var rows: [LabelledValue] = []
        func list<E: CatalogValue>(_ type: E.Type, _ stored: String) -> String {
            stored.split(separator: ",").compactMap { E(rawValue: String($0)) }.map { req.t($0.labelKey) }.joined(separator: ", ")
        }
        func add(_ key: String, _ value: String) { if !value.isEmpty { rows.append(.init(labelKey: key, value: value)) } }
        add("experience.status", experience.traffickingStatus.flatMap(TraffickingStatus.init(rawValue:)).map { req.t($0.labelKey) } ?? "")
        add("experience.exploitation", list(ExploitationType.self, experience.exploitationTypes))
        add("experience.scope", experience.scope.flatMap(TraffickingScope.init(rawValue:)).map { req.t($0.labelKey) } ?? "")
        add("experience.industry", experience.industry.flatMap(LabourIndustry.init(rawValue:)).map { req.t($0.labelKey) } ?? "")
        add("experience.control", list(ControlMethod.self, experience.controlMethods))
        add("experience.recruitment", list(RecruitmentMethod.self, experience.recruitmentMethods))
        if let details {
            add("experience.employers", details.employers)
            add("experience.recruiters", details.recruiters)
        }
        return rows
    }

}
