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

    /// When the person last opened the case (nil if never).
    static func lastVisit(to caseID: UUID, by userID: UUID, on db: any Database) async throws -> Date? {
        try await db.firstRow("SELECT visited_at FROM case_visits WHERE user_id = \(bind: userID) AND case_id = \(bind: caseID)")
            .map { try $0.decode(column: "visited_at", as: Date.self) }
    }

    /// Records that the person opened the case at `now` (their recent cases, and what is new
    /// on their next visit).
    static func recordVisit(to caseID: UUID, by userID: UUID, at now: Date, on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw(
            """
            INSERT INTO case_visits (user_id, case_id, visited_at) VALUES (\(bind: userID), \(bind: caseID), \(bind: now))
            ON CONFLICT (user_id, case_id) DO UPDATE SET visited_at = excluded.visited_at
            """
        ).run()
    }

    /// The cases the viewer opened last, newest first, with their names opened.
    static func recentlyVisited(viewer: CaseViewer, vault: CaseVault, limit: Int = 5, on db: any Database) async throws -> [RecentCase] {
        struct Row: Decodable {
            let id: UUID
            let reference: String
            let status: String
            let visited_at: Date
            let next_due_on: Date?
            let sealed_preferred_name: Data
            let wrapped: Data
        }
        var query: SQLQueryString = """
            SELECT cases.id, cases.reference, cases.status, cases.next_due_on, cases.sealed_preferred_name, case_keys.wrapped, v.visited_at
            FROM case_visits v JOIN cases ON cases.id = v.case_id JOIN case_keys ON case_keys.case_id = cases.id
            WHERE v.user_id = \(bind: viewer.userID) AND cases.organisation_id = \(bind: viewer.organisationID)
            """
        if viewer.assignedOnly { query += " AND " + CaseScope.assigned(to: viewer.userID, caseIDIn: "cases", column: "id") }
        query += " ORDER BY v.visited_at DESC LIMIT \(unsafeRaw: String(max(0, limit)))"
        return try await db.rows(query, decoding: Row.self).map { row in
            let opened = try vault.open(organisationID: viewer.organisationID, caseID: row.id, wrapped: row.wrapped)
            return RecentCase(
                id: row.id, reference: row.reference, status: CaseStatus(rawValue: row.status) ?? .active,
                preferredName: try vault.openText(row.sealed_preferred_name, field: .preferredName, with: opened), visitedAt: row.visited_at,
                nextDueOn: row.next_due_on)
        }
    }

    /// When the case's last note was written, if it has one.
    static func lastNote(of caseID: UUID, on db: any Database) async throws -> Date? {
        try await CaseNote.fetchFirst("SELECT * FROM case_notes WHERE case_id = \(bind: caseID) ORDER BY created_at DESC LIMIT 1", on: db)?.createdAt
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

/// A case the person opened lately (home page).
struct RecentCase: Sendable, Equatable {
    let id: UUID
    let reference: String
    let status: CaseStatus
    let preferredName: String
    let visitedAt: Date
    let nextDueOn: Date?
}

/// One line of a case's history: when, who, and what (an audit action).
struct CaseHistoryEntry: Sendable, Equatable {
    let at: Date
    let actorID: UUID?
    let actorEmail: String?
    let action: String
    let detail: String?
}

extension CaseQueries {
    /// How many history lines the case page shows.
    static let historyLength = 20

    /// What was done to the case, newest first, without the page views (they are in the audit log).
    static func history(of caseID: UUID, limit: Int = historyLength, on db: any Database) async throws -> [CaseHistoryEntry] {
        struct Row: Decodable {
            let occurred_at_ms: Int64
            let actor_id: String?
            let actor_email: String?
            let action: String
            let detail: String?
        }
        // The literal repeats the partial index's predicate (IndexCaseHistory), so it is used.
        // Unprepared, so planned for this case every time: a prepared statement's generic plan
        // (a LIMIT over an ORDER BY that the sequence index also provides) walked the whole audit
        // log on PostgreSQL, halving the case page's throughput at a million cases.
        let rows = try await (db as! any SQLDatabase).raw(
            """
            SELECT occurred_at_ms, actor_id, actor_email, action, detail FROM audit_events
            WHERE target = \(bind: caseID.uuidString) AND action <> '\(unsafeRaw: AuditAction.caseViewed.rawValue)'
            ORDER BY sequence DESC LIMIT \(unsafeRaw: String(max(0, limit)))
            """
        ).all(decoding: Row.self)
        return rows.map {
            CaseHistoryEntry(
                at: Date(timeIntervalSince1970: Double($0.occurred_at_ms) / 1000), actorID: $0.actor_id.flatMap(UUID.init(uuidString:)),
                actorEmail: $0.actor_email, action: $0.action, detail: $0.detail)
        }
    }

    /// The organisation's people by name, and which of them are assigned the case (assignments
    /// are only ever made within the organisation).
    static func team(of file: CaseFile, on db: any Database) async throws -> (colleagues: [User], assigned: Set<UUID>) {
        let people = try await db.rows(
            """
            SELECT users.*, EXISTS (SELECT 1 FROM case_assignments a WHERE a.case_id = \(bind: file.id!) AND a.user_id = users.id) AS assigned_here
            FROM users WHERE organisation_id = \(bind: file.$organisation.id) ORDER BY display_name
            """)
        var colleagues: [User] = []
        var assigned: Set<UUID> = []
        for row in people {
            let user = try User.decode(row, prefix: "")
            colleagues.append(user)
            if try row.decode(column: "assigned_here", as: Bool.self) { assigned.insert(user.id!) }
        }
        return (colleagues, assigned)
    }
}
