import Domain
import Fluent
import Foundation
import SQLKit

/// Which side of a referral a viewer is on, if any: nil means the referral does not exist for them.
enum ReferralSide: Sendable, Equatable {
    case sender, receiver

    var party: ReferralParty { self == .sender ? .sender : .receiver }
}

/// Referral reads as functions of a database and a viewer, tested without HTTP.
enum ReferralQueries {
    /// A referral as the inbox lists it: its columns, not its sealed snapshot (which a list never
    /// opens) nor Fluent's per-row model decoding, with the sending organisation's name.
    struct Listed: Sendable, Equatable {
        let id: UUID
        let serviceName: String
        let receiverName: String
        let senderOrganisationID: UUID
        let senderName: String?
        let state: String
        let createdAt: Date

        static let columns = """
            referrals.id, referrals.service_name, referrals.receiver_name, referrals.sender_organisation_id, referrals.state, \
            referrals.created_at, organisations.name AS sender_name
            """

        /// Read column by column: Codable's keyed containers were a tenth of the inbox's time.
        init(_ row: any SQLRow) throws {
            id = try row.uuid("id")
            serviceName = try row.decode(column: "service_name", as: String.self)
            receiverName = try row.decode(column: "receiver_name", as: String.self)
            senderOrganisationID = try row.uuid("sender_organisation_id")
            senderName = try row.decode(column: "sender_name", as: String?.self)
            state = try row.decode(column: "state", as: String.self)
            createdAt = try row.decode(column: "created_at", as: Date.self)
        }
    }

    struct Inbox: Sendable {
        /// Incoming and waiting, oldest first (the one waiting longest is answered first).
        let pending: [Listed]
        /// Incoming and answered, newest first.
        let answered: [Listed]
        let sent: [Listed]
        let sentTotal: Int
        let answeredTotal: Int
        let pendingTotal: Int
    }

    static let perPage = 25

    /// The viewer's side of a referral: the sending organisation (its case still visible to the
    /// viewer, or sent by them) or the receiving one. A third organisation is on no side.
    static func find(_ id: UUID, viewer: CaseViewer, on db: any Database) async throws -> (Referral, ReferralSide)? {
        guard let referral = try await Referral.fetchFirst("SELECT * FROM referrals WHERE id = \(bind: id)", on: db) else { return nil }
        if referral.receiverOrganisationID == viewer.organisationID { return (referral, .receiver) }
        guard referral.senderOrganisationID == viewer.organisationID else { return nil }
        if viewer.assignedOnly, referral.senderUserID != viewer.userID {
            guard let caseID = referral.caseID, try await CaseQueries.find(caseID, viewer: viewer, on: db) != nil else { return nil }
        }
        return (referral, .sender)
    }

    /// The inbox's three lists in one statement and its three counts in another (six statements
    /// before, each prepared again by SQLite and each a trip to the database's thread). Each list
    /// keeps its own order and index: waiting ones oldest first; answered and sent newest first
    /// along the (receiver, created) and (sender, created) indexes (migrations 023 and 024).
    static func inbox(viewer: CaseViewer, page: Int, on db: any Database) async throws -> Inbox {
        let org = viewer.organisationID
        let offset = String((max(page, 1) - 1) * perPage)
        let limit = String(perPage)
        var sentWhere: SQLQueryString = "referrals.sender_organisation_id = \(bind: org)"
        if viewer.assignedOnly {
            sentWhere +=
                " AND (referrals.sender_user_id = \(bind: viewer.userID) OR " + CaseScope.assigned(to: viewer.userID, caseIDIn: "referrals") + ")"
        }
        func list(_ number: Int, _ condition: SQLQueryString, _ order: String, offset: String) -> SQLQueryString {
            """
            SELECT * FROM (SELECT \(unsafeRaw: String(number)) AS list, \(unsafeRaw: Listed.columns) FROM referrals \
            LEFT JOIN organisations ON organisations.id = referrals.sender_organisation_id WHERE \(condition) \
            ORDER BY referrals.created_at \(unsafeRaw: order), referrals.id \(unsafeRaw: order) \
            LIMIT \(unsafeRaw: limit) OFFSET \(unsafeRaw: offset)) AS list\(unsafeRaw: String(number))
            """
        }
        let rows = try await db.rows(
            list(0, "referrals.receiver_organisation_id = \(bind: org) AND referrals.state = 'pending'", "ASC", offset: "0") + " UNION ALL "
                + list(1, "referrals.receiver_organisation_id = \(bind: org) AND referrals.state <> 'pending'", "DESC", offset: offset)
                + " UNION ALL " + list(2, sentWhere, "DESC", offset: offset))
        var lists: [[Listed]] = [[], [], []]
        for row in rows { lists[try row.decode(column: "list", as: Int.self)].append(try Listed(row)) }
        // A compound statement's rows come in its parts' order on both databases, but nothing
        // promises it: each list is put in its order again (75 rows at most).
        func ordered(_ list: [Listed], ascending: Bool) -> [Listed] {
            list.sorted { a, b in
                a.createdAt != b.createdAt
                    ? (a.createdAt < b.createdAt) == ascending : (a.id.uuidString.lowercased() < b.id.uuidString.lowercased()) == ascending
            }
        }
        let counts = try await db.firstRow(
            """
            SELECT (SELECT COUNT(*) FROM referrals WHERE receiver_organisation_id = \(bind: org) AND state = 'pending') AS pending, \
            (SELECT COUNT(*) FROM referrals WHERE receiver_organisation_id = \(bind: org) AND state <> 'pending') AS answered, \
            (SELECT COUNT(*) FROM referrals WHERE \(sentWhere)) AS sent
            """)
        return Inbox(
            pending: ordered(lists[0], ascending: true), answered: ordered(lists[1], ascending: false), sent: ordered(lists[2], ascending: false),
            sentTotal: try counts?.decode(column: "sent", as: Int.self) ?? 0,
            answeredTotal: try counts?.decode(column: "answered", as: Int.self) ?? 0,
            pendingTotal: try counts?.decode(column: "pending", as: Int.self) ?? 0)
    }

    /// How many referrals wait for the organisation's answer (the home page's count).
    static func pendingCount(for organisationID: UUID, on db: any Database) async throws -> Int {
        try await count(
            "SELECT COUNT(*) AS n FROM referrals WHERE receiver_organisation_id = \(bind: organisationID) AND state = 'pending'", on: db)
    }

    /// The referrals sent from a case and the one it was opened from, newest first.
    static func ofCase(_ caseID: UUID, on db: any Database) async throws -> [Referral] {
        try await Referral.fetch(
            "SELECT * FROM referrals WHERE case_id = \(bind: caseID) OR receiver_case_id = \(bind: caseID) ORDER BY created_at DESC", on: db)
    }

    static func steps(of referralID: UUID, on db: any Database) async throws -> [ReferralStep] {
        try await ReferralStep.fetch("SELECT * FROM referral_events WHERE referral_id = \(bind: referralID) ORDER BY at ASC, id ASC", on: db)
    }

    private static func count(_ query: SQLQueryString, on db: any Database) async throws -> Int {
        try await db.firstRow(query)?.decode(column: "n", as: Int.self) ?? 0
    }
}
