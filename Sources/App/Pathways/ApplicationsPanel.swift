import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// The case page's applications: each protection-permit application with its figures, and the
/// pathways a new one can follow.
struct ApplicationsPanel: CasePanel {
    let rows: [Row]
    let pathways: [FormOption]
    /// The soonest end of a granted permit still running, for the summary.
    let nextExpiry: String?

    struct Row: Encodable {
        let id: String
        let pathway: String
        let stateKey: String
        let submittedOn: String?
        let decidedOn: String?
        let validTo: String?
        let processingDays: Int?
        let validityDays: Int?
        let daysToExpiry: Int?
        let href: String
    }

    static func load(_ input: CasePanelInput) async throws -> Self {
        let req = input.req
        let caseID = input.file.id!
        let today = req.today
        let stored = try await Self.records(of: caseID, on: req.db)
        let rows = stored.map { app in
            let state = ApplicationState(rawValue: app.state) ?? .preparing
            let submitted = app.submitted_on.map(Day.init), decided = app.decided_on.map(Day.init)
            let from = app.valid_from.map(Day.init), to = app.valid_to.map(Day.init)
            return Row(
                id: app.id.uuidString, pathway: req.language == .fr ? app.name_fr : app.name_en, stateKey: state.labelKey,
                submittedOn: submitted?.description, decidedOn: decided?.description, validTo: to?.description,
                processingDays: ApplicationFigures.processingBusinessDays(submitted: submitted, decided: decided),
                validityDays: ApplicationFigures.validityDays(from: from, to: to),
                daysToExpiry: state == .approved ? ApplicationFigures.daysToExpiry(validTo: to, today: today) : nil,
                href: CaseLinks.item(caseID.uuidString, .application, app.id.uuidString))
        }
        let nextExpiry = stored.filter { $0.state == ApplicationState.approved.rawValue }.compactMap(\.valid_to).map(Day.init)
            .filter { $0 >= today }.min()
        return Self(rows: rows, pathways: try await pathwayOptions(req), nextExpiry: nextExpiry.map { req.formatDay($0) })
    }

    /// An application of the case as stored, with its pathway's names.
    struct Record: Decodable, Sendable {
        let id: UUID
        let state: String
        let name_fr: String
        let name_en: String
        let submitted_on: Date?
        let decided_on: Date?
        let valid_from: Date?
        let valid_to: Date?
    }

    /// The case's applications, newest first (of a case the viewer was allowed to open).
    static func records(of caseID: UUID, on db: any Database) async throws -> [Record] {
        try await db.rows(
            """
            SELECT a.id, a.state, p.name_fr, p.name_en, a.submitted_on, a.decided_on, a.valid_from, a.valid_to
            FROM applications a JOIN pathway_types p ON p.id = a.pathway_type_id
            WHERE a.case_id = \(bind: caseID) ORDER BY a.created_at DESC
            """, decoding: Record.self)
    }

    static func pathwayOptions(_ req: Request) async throws -> [FormOption] {
        struct Raw: Decodable {
            let id: UUID
            let name_fr: String
            let name_en: String
        }
        return try await req.db.rows(
            "SELECT id, name_fr, name_en FROM pathway_types WHERE is_current = \(bind: true) ORDER BY code", decoding: Raw.self
        )
        .map { FormOption(value: $0.id.uuidString, label: req.language == .fr ? $0.name_fr : $0.name_en, selected: false) }
    }

}
