import Domain
import Fluent
import Foundation
import SQLKit

/// Who is looking at case files, and so which ones they may see: the record-level rule every
/// module applies (the case pages today; referrals, the API and the network figures next). Built
/// from a request by `CasesController`, or directly in tests and commands.
struct CaseViewer: Sendable {
    let userID: UUID
    let organisationID: UUID
    /// A caseworker of an organisation that keeps caseworkers to their own cases: only cases
    /// assigned to them. Supervisors see all of their organisation's.
    let assignedOnly: Bool

    init(userID: UUID, organisationID: UUID, assignedOnly: Bool) {
        self.userID = userID
        self.organisationID = organisationID
        self.assignedOnly = assignedOnly
    }

    init(user: User, roles: [Role], settings: CaseSettings) {
        self.init(
            userID: user.id!, organisationID: user.$organisation.id,
            assignedOnly: !roles.contains(.supervisor) && settings.caseVisibility == .assignedOnly)
    }
}

/// Case queries as functions of a database and a viewer, tested without HTTP.
enum CaseQueries {
    /// The organisation's case settings, created with its defaults on first use.
    static func settings(for organisation: Organisation, on db: any Database) async throws -> CaseSettings {
        if let settings = try await CaseSettings.fetchFirst("SELECT * FROM case_settings WHERE organisation_id = \(bind: organisation.id!)", on: db) {
            return settings
        }
        let settings = CaseSettings(organisationID: organisation.id!, referenceCode: CaseReference.code(forOrganisationName: organisation.name))
        try await settings.create(on: db)
        return settings
    }

    /// The organisation's people, by name (for names on the page and the choice of workers).
    static func colleagues(of organisationID: UUID, on db: any Database) async throws -> [User] {
        try await User.fetch("SELECT * FROM users WHERE organisation_id = \(bind: organisationID) ORDER BY display_name", on: db)
    }

    /// The case with its wrapped key, or nil when it does not exist or the viewer may not see it
    /// (the two are indistinguishable on purpose: the page answers 404 either way).
    static func find(_ id: UUID, viewer: CaseViewer, on db: any Database) async throws -> CaseFile? {
        var query: SQLQueryString = """
            SELECT cases.*, case_keys.wrapped AS wrapped_key FROM cases LEFT JOIN case_keys ON case_keys.case_id = cases.id
            WHERE cases.id = \(bind: id) AND cases.organisation_id = \(bind: viewer.organisationID)
            """
        if viewer.assignedOnly {
            query += " AND " + CaseScope.assigned(to: viewer.userID, caseIDIn: "cases", column: "id")
        }
        guard let row = try await db.firstRow(query) else { return nil }
        let file = try CaseFile.decode(row, prefix: "")
        file.wrappedKey = try row.decode(column: "wrapped_key", as: Data?.self)
        return file
    }

    /// One page of a case's notes, newest first, and how many there are in all.
    static func notes(of caseID: UUID, page: Int, perPage: Int, on db: any Database) async throws -> (notes: [CaseNote], total: Int) {
        struct Count: Decodable { let count: Int }
        let total =
            try await db.rows("SELECT COUNT(*) AS count FROM case_notes WHERE case_id = \(bind: caseID)", decoding: Count.self).first?.count ?? 0
        let notes = try await CaseNote.fetch(
            """
            SELECT * FROM case_notes WHERE case_id = \(bind: caseID) ORDER BY created_at DESC, id DESC
            LIMIT \(unsafeRaw: String(perPage)) OFFSET \(unsafeRaw: String((max(page, 1) - 1) * perPage))
            """, on: db)
        return (notes, total)
    }
}
