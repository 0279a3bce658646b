import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// A label and a value, for the definition lists of a case's sections.
struct LabelledValue: Encodable {
    let labelKey: String
    let value: String
}

/// What a panel of the case page is built from: the case, opened, the organisation's people, and
/// what was typed when the page is shown again with errors.
struct CasePanelInput {
    let req: Request
    let file: CaseFile
    let opened: CaseVault.Opened
    let colleagues: [User]
    let values: [String: String]
}

/// A panel of the case page with its own query. A module adds a panel by writing one of these
/// and naming it in `CasePage.Context`; the case controller does not change.
protocol CasePanel: Encodable {
    static func load(_ input: CasePanelInput) async throws -> Self
}

/// The case page: the case's own fields, its notes and history, and its panels (sections,
/// applications). Every handler that shows the page again with errors calls `render`.
enum CasePage {
    struct NoteView: Encodable {
        let at: String
        let author: String
        let body: String
        /// Written by someone else since the reader's last visit.
        let isNew: Bool
    }

    /// The notes are read a page at a time, newest first; every note is reachable from the page.
    static let notesPerPage = 20

    struct NotesPager: Encodable {
        let total: Int
        let first: Int
        let last: Int
        let newerURL: String?
        let olderURL: String?
    }

    /// A line of the history in words: "Tâche ajoutée : Appeler l'avocate", by whom (a name;
    /// the e-mail only for someone no longer in the organisation), new since the last visit.
    struct EventView: Encodable {
        let at: String
        let who: String
        let what: String
        let isNew: Bool
    }

    struct Context: Page {
        static let template = "cases/show"

        let page: PageChrome
        let csrf: String
        let id: String
        let links: CaseLinks
        let reference: String
        let preferredName: String
        let statusKey: String
        let status: String
        let closureReasonKey: String?
        let openedAt: String
        let openedBy: String
        let version: Int
        let safeContact: SafeContactView?
        let person: PersonView?
        let notes: [NoteView]
        let notesPager: NotesPager
        let workers: [String]
        let colleagues: [FormOption]
        let statuses: [FormOption]
        let closureReasons: [FormOption]
        let history: [EventView]
        let isSupervisor: Bool
        let canPurge: Bool
        let errors: FormErrors
        let values: [String: String]
        let sections: CaseSectionsPanel
        let applications: [ApplicationsPanel.Row]
        let referrals: ReferralsPanel
        let pathways: [FormOption]
        let applicationsNextExpiry: String?
        let lastNoteAt: String?
        /// When the reader last opened the case, if before; what others did since is marked new.
        let lastVisit: String?
        let newCount: Int
        /// Which sections hold something: those come first, the empty ones after.
        let filled: Filled
        /// The directory's search, filled in with the case's province, language and immigration status.
        let findService: String
    }

    struct Filled: Encodable {
        let person, applications, consent, experience, needs, tasks, legal, documents, referrals, notes: Bool
    }

    struct SafeContactView: Encodable {
        let channels: [String]
        let safeTimes: String
        let messagesKey: String
        let codeWord: String
        let neverUse: String
    }

    struct PersonView: Encodable {
        let rows: [LabelledValue]
    }

    /// The case page. Panels re-render it with their errors and what was typed (`values`).
    static func render(
        _ req: Request, file: CaseFile, errors: FormErrors, values: [String: String] = [:],
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let current = try req.requireUser()
        let vault = req.caseVault
        let opened = try await vault.open(file, on: req.db)
        let preferredName = try vault.openText(file.sealedPreferredName, field: .preferredName, with: opened)
        let safe = try vault.openSection(SafeContactSection.self, file.sealedSafeContact, field: .safeContact, with: opened)
        let person = try vault.openSection(PersonSection.self, file.sealedPerson, field: .person, with: opened)
        let (colleagues, assigned) = try await CaseQueries.team(of: file, on: req.db)
        let names = Dictionary(colleagues.map { ($0.id!, $0.displayName) }, uniquingKeysWith: { first, _ in first })
        // `?notes=N` is the page of notes; anything that is not a page number is the first page.
        let notesPage = max(1, min(req.query[String.self, at: "notes"].flatMap { Int($0) } ?? 1, 100_000))
        let (notes, noteCount) = try await CaseQueries.notes(of: file.id!, page: notesPage, perPage: notesPerPage, on: req.db)
        let caseURL = SiteURL.caseFile(.value(file.id!.uuidString)).path
        let firstShown = notes.isEmpty ? 0 : (notesPage - 1) * notesPerPage + 1
        let pager = NotesPager(
            total: noteCount, first: firstShown, last: firstShown == 0 ? 0 : firstShown + notes.count - 1,
            newerURL: notesPage > 1 ? caseURL + (notesPage == 2 ? "" : "?notes=\(notesPage - 1)") + "#notes" : nil,
            olderURL: notesPage * notesPerPage < noteCount ? caseURL + "?notes=\(notesPage + 1)#notes" : nil)
        let history = try await CaseQueries.history(of: file.id!, on: req.db)
        let me = current.user.id!
        let lastVisit = try await CaseQueries.lastVisit(to: file.id!, by: me, on: req.db)
        func isNew(_ at: Date, by author: UUID?) -> Bool { lastVisit.map { at > $0 && author != me } ?? false }

        let input = CasePanelInput(req: req, file: file, opened: opened, colleagues: colleagues, values: values)
        let applications = try await ApplicationsPanel.load(input)
        // A page shown again with errors is the same visit: only a GET counts as one.
        let now = req.now
        let recordVisit = req.method == .GET
        try await req.db.writeTransaction { db in
            if recordVisit { try await CaseQueries.recordVisit(to: file.id!, by: me, at: now, on: db) }
            try await CaseAccess.audit(req, .caseViewed, file, on: db)
        }
        let events = try await historyLines(history, file: file, opened: opened, req: req).map { $0[0] }
        let sections = try await CaseSectionsPanel.load(input)
        let referrals = try await ReferralsPanel.load(input)
        let eventViews = zip(history, events).map { entry, line in
            EventView(
                at: req.formatDateTime(entry.at) ?? "", who: entry.actorID.flatMap { names[$0] } ?? entry.actorEmail ?? "—", what: line,
                isNew: isNew(entry.at, by: entry.actorID))
        }
        let noteViews = try notes.map { note in
            NoteView(
                at: req.formatDateTime(note.createdAt) ?? "", author: note.authorID.flatMap { names[$0] } ?? "—",
                body: try vault.openText(note.sealedBody, field: .note(note.id!), with: opened), isNew: isNew(note.createdAt, by: note.authorID))
        }

        let context = Context(
            page: PageChrome(req, titleKey: "cases.show.title", titleText: "\(file.reference) — \(req.t("cases.show.title"))"), csrf: req.csrfToken,
            id: file.id!.uuidString, links: CaseLinks(file.id!.uuidString),
            reference: file.reference,
            preferredName: preferredName, statusKey: file.caseStatus.labelKey, status: file.status,
            closureReasonKey: file.closureReason.flatMap(ClosureReason.init(rawValue:))?.labelKey,
            openedAt: req.formatDateTime(file.openedAt) ?? "", openedBy: file.openedBy.flatMap { names[$0] } ?? "—", version: file.version,
            safeContact: safe.map { section in
                SafeContactView(
                    channels: section.channels.compactMap(SafeContactChannel.init(rawValue:)).map { req.t($0.labelKey) },
                    safeTimes: section.safeTimes, messagesKey: "case.safe.messages.\(section.messagesAllowed)",
                    codeWord: section.codeWord, neverUse: section.neverUse)
            },
            person: person.map { personRows($0, req: req) },
            notes: noteViews,
            notesPager: pager,
            workers: assigned.compactMap { names[$0] }.sorted(),
            colleagues: colleagues.filter(\.holdsCases)
                .map { FormOption(value: $0.id!.uuidString, label: $0.displayName, selected: assigned.contains($0.id!)) },
            statuses: req.options(CaseStatus.self, selected: [values["status"] ?? file.status], label: \.labelKey),
            closureReasons: req.options(ClosureReason.self, selected: [values["closureReason"] ?? file.closureReason ?? ""], label: \.labelKey),
            history: eventViews,
            isSupervisor: current.has(.supervisor), canPurge: current.has(.supervisor) && file.caseStatus.isClosed,
            errors: errors, values: values,
            sections: sections,
            applications: applications.rows, referrals: referrals, pathways: applications.pathways, applicationsNextExpiry: applications.nextExpiry,
            // On the first page of notes the newest is already read.
            lastNoteAt: try await (notesPage == 1 ? notes.first?.createdAt : CaseQueries.lastNote(of: file.id!, on: req.db))
                .flatMap { req.formatDateTime($0) },
            lastVisit: lastVisit.flatMap { req.formatDateTime($0) },
            newCount: eventViews.filter(\.isNew).count,
            filled: Filled(
                person: person != nil, applications: !applications.rows.isEmpty, consent: sections.hasConsents,
                experience: sections.hasExperience, needs: !sections.setNeeds.isEmpty, tasks: !sections.tasks.isEmpty,
                legal: !sections.legalActions.isEmpty, documents: !sections.documents.isEmpty,
                referrals: !referrals.rows.isEmpty || referrals.receivedFrom != nil, notes: noteCount > 0),
            findService: findServiceURL(file: file, person: person, req: req))
        return try await req.render(context, status: status)
    }

    /// The history's lines in words, in `language` (the reader's by default), task titles opened
    /// from the tasks themselves (a task since deleted, or an event from before titles were
    /// recorded, reads without its title).
    static func historyLines(
        _ history: [CaseHistoryEntry], file: CaseFile, opened: CaseVault.Opened, req: Request, languages: [Language]? = nil
    ) async throws -> [[String]] {
        let phrases = history.map { entry -> HistoryPhrase in
            // The audit detail starts with the case's reference.
            let detail = entry.detail.map {
                $0.hasPrefix(file.reference) ? String($0.dropFirst(file.reference.count)).trimmingCharacters(in: .whitespaces) : $0
            }
            return HistoryPhrase.of(action: entry.action, detail: detail, fallbackKey: AuditAction(rawValue: entry.action)?.labelKey ?? entry.action)
        }
        let taskIDs = Set(phrases.compactMap { phrase -> UUID? in if case .task(let id) = phrase.argument { id } else { nil } })
        var titles: [UUID: String] = [:]
        if !taskIDs.isEmpty {
            for task in try await CaseTask.query(on: req.db).filter(\.$caseID == file.id!).filter(\.$id ~~ taskIDs).all() {
                titles[task.id!] = try req.caseVault.openText(task.sealedTitle, field: .task(task.id!), with: opened)
            }
        }
        let localizer = req.application.localizer
        return phrases.map { phrase in
            (languages ?? [req.language]).map { language in
                func t(_ key: String, _ arguments: [String] = []) -> String { localizer.text(key, language, arguments) }
                switch phrase.argument {
                case .none: return t(phrase.key)
                case .label(let key): return t(phrase.key, [t(key)])
                case .text(let text): return t(phrase.key, [text])
                case .task(let id):
                    guard let title = titles[id] else { return t(phrase.key + "_untitled") }
                    return t(phrase.key, [title])
                }
            }
        }
    }

    /// "Find a service" from the case: its province, the first language of the person's that the
    /// directory knows (read from the free text, in either language), and the immigration status.
    static func findServiceURL(file: CaseFile, person: PersonSection?, req: Request) -> String {
        var components = URLComponents()
        components.path = SiteURL.directory.path
        var items: [URLQueryItem] = []
        if let province = file.province { items.append(URLQueryItem(name: "province", value: province)) }
        if let person {
            let spoken = Set(NameTokens.tokens(person.languages))
            let localizer = req.application.localizer
            if let code = DirectoryController.languages.first(where: { code in
                Language.allCases.contains { !spoken.isDisjoint(with: NameTokens.tokens(localizer.text("directory.language.\(code)", $0))) }
            }) {
                items.append(URLQueryItem(name: "language", value: code))
            }
            if let status = ImmigrationStatus(rawValue: person.immigrationStatus), status != .other {
                items.append(URLQueryItem(name: "eligibility", value: status.rawValue))
            }
        }
        // The search remembers the case, so a service's page can offer to refer this person.
        items.append(URLQueryItem(name: "case", value: file.id!.uuidString))
        components.queryItems = items
        return components.string ?? SiteURL.directory.path
    }

    static func personRows(_ person: PersonSection, req: Request) -> PersonView {
        var rows: [LabelledValue] = []
        func add(_ key: String, _ value: String) { if !value.isEmpty { rows.append(LabelledValue(labelKey: key, value: value)) } }
        add("case.person.legal_name", person.legalName)
        add("case.person.date_of_birth", person.dateOfBirth)
        add("case.person.age_band", AgeBand(rawValue: person.ageBand).map { req.t($0.labelKey) } ?? "")
        add("case.person.gender_identity", person.genderIdentity)
        add("case.person.gender", GenderCode(rawValue: person.gender).map { req.t($0.labelKey) } ?? "")
        add("case.person.pronouns", person.pronouns)
        add("case.person.indigenous_identity", IndigenousIdentity(rawValue: person.indigenousIdentity).map { req.t($0.labelKey) } ?? "")
        add("case.person.country_of_origin", person.countryOfOrigin)
        add("case.person.languages", person.languages)
        if person.interpreterNeeded { add("case.person.interpreter", req.t("common.yes")) }
        add("case.person.immigration_status", ImmigrationStatus(rawValue: person.immigrationStatus).map { req.t($0.labelKey) } ?? "")
        add("case.person.region", person.region.isEmpty ? "" : req.t("case.region.\(person.region)"))
        add("case.person.dependants", person.dependants)
        add("case.person.accessibility", person.accessibilityNeeds)
        return PersonView(rows: rows)
    }

}

/// The case's pages and the forms that act on it, for its templates.
struct CaseLinks: Encodable, Sendable {
    let file: String
    let person: String
    let safeContact: String
    let experience: String
    let notes: String
    let status: String
    let assignments: String
    let purge: String
    let export: String
    let exportJSON: String
    let applications: String
    let consents: String
    let needs: String
    let tasks: String
    let legalActions: String
    let documents: String

    init(_ id: String) {
        func part(_ part: SiteURL.CasePart) -> String { SiteURL.casePart(.value(id), part).path }
        file = SiteURL.caseFile(.value(id)).path
        person = part(.person)
        safeContact = part(.safeContact)
        experience = part(.experience)
        notes = part(.notes)
        status = part(.status)
        assignments = part(.assignments)
        purge = part(.purge)
        export = part(.export)
        exportJSON = part(.exportJSON)
        applications = part(.applications)
        consents = part(.consents)
        needs = part(.needs)
        tasks = part(.tasks)
        legalActions = part(.legalActions)
        documents = part(.documents)
    }

    /// An item of a section: a task's "done", a consent's withdrawal, a document, an application.
    static func item(_ id: String, _ item: SiteURL.CaseItem, _ itemID: String) -> String {
        SiteURL.caseItem(.value(id), item, .value(itemID)).path
    }
}
