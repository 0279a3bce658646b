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
    /// opens) nor Fluent's per-row model decoding.
    struct Listed: Decodable, Sendable {
        let id: UUID
        let serviceName: String
        let receiverName: String
        let senderOrganisationID: UUID
        let state: String
        let createdAt: Date

        enum CodingKeys: String, CodingKey {
            case id, state
            case serviceName = "service_name", receiverName = "receiver_name"
            case senderOrganisationID = "sender_organisation_id", createdAt = "created_at"
        }

        static let columns = "id, service_name, receiver_name, sender_organisation_id, state, created_at"
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

    static func inbox(viewer: CaseViewer, page: Int, on db: any Database) async throws -> Inbox {
        let org = viewer.organisationID
        let offset = (max(page, 1) - 1) * perPage
        let sql = db as! any SQLDatabase
        let pending = try await sql.raw(
            """
            SELECT \(unsafeRaw: Listed.columns) FROM referrals WHERE receiver_organisation_id = \(bind: org) AND state = 'pending'
            ORDER BY created_at ASC, id ASC LIMIT \(unsafeRaw: String(perPage))
            """
        ).all(decoding: Listed.self)
        // Newest first along the (receiver, created) index, skipping the waiting ones, instead of
        // reading and sorting every answered referral of the organisation (migration 023).
        let answered = try await sql.raw(
            """
            SELECT \(unsafeRaw: Listed.columns) FROM referrals
            WHERE receiver_organisation_id = \(bind: org) AND state <> 'pending'
            ORDER BY created_at DESC, id DESC LIMIT \(unsafeRaw: String(perPage)) OFFSET \(unsafeRaw: String(offset))
            """
        ).all(decoding: Listed.self)
        let answeredTotal = try await count(
            "SELECT COUNT(*) AS n FROM referrals WHERE receiver_organisation_id = \(bind: org) AND state <> 'pending'", on: db)
        var sentWhere: SQLQueryString = "sender_organisation_id = \(bind: org)"
        if viewer.assignedOnly {
            sentWhere += " AND (sender_user_id = \(bind: viewer.userID) OR " + CaseScope.assigned(to: viewer.userID, caseIDIn: "referrals") + ")"
        }
        let sent = try await sql.raw(
            """
            SELECT \(unsafeRaw: Listed.columns) FROM referrals WHERE \(sentWhere)
            ORDER BY created_at DESC, id DESC LIMIT \(unsafeRaw: String(perPage)) OFFSET \(unsafeRaw: String(offset))
            """
        ).all(decoding: Listed.self)
        let sentTotal = try await count("SELECT COUNT(*) AS n FROM referrals WHERE \(sentWhere)", on: db)
        let pendingTotal = pending.count < perPage ? pending.count : try await pendingCount(for: org, on: db)
        return Inbox(
            pending: pending, answered: answered, sent: sent, sentTotal: sentTotal, answeredTotal: answeredTotal, pendingTotal: pendingTotal)
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
