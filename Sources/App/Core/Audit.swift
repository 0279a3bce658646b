import Domain
import Fluent
import SQLKit
import Vapor

/// Who did something, as the audit log records it.
struct AuditActor: Sendable {
    var userID: UUID?
    var email: String?
    var organisationID: UUID?

    static let system = AuditActor(userID: nil, email: "system", organisationID: nil)
}

/// Actions are a closed list so the audit page can filter on them and translate them.
enum AuditAction: String, CaseIterable, Sendable {
    case signIn = "sign_in"
    case signInFailed = "sign_in_failed"
    case signInThrottled = "sign_in_throttled"
    case signOut = "sign_out"
    case twoFactorEnabled = "two_factor_enabled"
    case twoFactorFailed = "two_factor_failed"
    case twoFactorReset = "two_factor_reset"
    case sessionEnded = "session_ended"
    case passwordChanged = "password_changed"
    case passwordSet = "password_set"
    case languageChanged = "language_changed"
    case userInvited = "user_invited"
    case userDeactivated = "user_deactivated"
    case userReactivated = "user_reactivated"
    case userRolesChanged = "user_roles_changed"
    case organisationCreated = "organisation_created"
    case organisationUpdated = "organisation_updated"
    case auditViewed = "audit_viewed"
    case caseCreated = "case_created"
    case caseListViewed = "case_list_viewed"
    case caseViewed = "case_viewed"
    case caseUpdated = "case_updated"
    case caseNoteAdded = "case_note_added"
    case caseStatusChanged = "case_status_changed"
    case caseAssigned = "case_assigned"
    case casePurged = "case_purged"
    case caseExported = "case_exported"
    case deadlinesViewed = "deadlines_viewed"
    case calendarFeedChanged = "calendar_feed_changed"
    case figuresViewed = "figures_viewed"
    case pathwayChanged = "pathway_changed"
    case digestChanged = "digest_changed"
    case caseSettingsChanged = "case_settings_changed"

    var labelKey: String { "audit.action.\(rawValue)" }
}

enum AuditOutcome: String, Sendable {
    case success, failure, denied
}

enum AuditLog {
    /// Appends one event. Call it inside the write transaction of the change it records, so
    /// both commit or neither does.
    static func append(on db: any Database, actor: AuditActor, action: AuditAction, target: String? = nil,
                       outcome: AuditOutcome = .success, requestID: String?, detail: String? = nil, now: Date = Date()) async throws {
        if !db.isSQLite, let sql = db as? any SQLDatabase {
            // PostgreSQL: serialise appenders for the rest of this transaction. SQLite writers
            // are already serialised by BEGIN IMMEDIATE.
            try await sql.raw("SELECT pg_advisory_xact_lock(7283001)").run()
        }
        // Plain SQL with plain structs: one append per page view, so it stays off Fluent's
        // per-row model reflection, and the write lock is held for as short a time as possible.
        let sql = db as! any SQLDatabase
        struct Head: Decodable { let sequence: Int64; let hash: String }
        let head = try await sql.select().column("sequence").column("hash").from(AuditHead.schema)
            .where("id", .equal, SQLBind(1)).first(decoding: Head.self)
        let record = AuditRecord(
            sequence: (head?.sequence ?? 0) + 1,
            occurredAtMilliseconds: Int64((now.timeIntervalSince1970 * 1000).rounded()),
            actorID: actor.userID?.uuidString, actorEmail: actor.email, organisationID: actor.organisationID?.uuidString,
            action: action.rawValue, target: target, outcome: outcome.rawValue, requestID: requestID, detail: detail)
        let previousHash = head?.hash ?? AuditChain.genesisHash
        let hash = AuditChain.hash(previousHash: previousHash, record: record)
        try await sql.insert(into: AuditEvent.schema)
            .columns("id", "sequence", "occurred_at_ms", "actor_id", "actor_email", "organisation_id", "action", "target", "outcome",
                     "request_id", "detail", "previous_hash", "hash")
            .values(SQLBind(UUID()), SQLBind(record.sequence), SQLBind(record.occurredAtMilliseconds), SQLBind(record.actorID),
                    SQLBind(record.actorEmail), SQLBind(record.organisationID), SQLBind(record.action), SQLBind(record.target),
                    SQLBind(record.outcome), SQLBind(record.requestID), SQLBind(record.detail), SQLBind(previousHash), SQLBind(hash))
            .run()
        if head != nil {
            try await sql.update(AuditHead.schema).set("sequence", to: SQLBind(record.sequence)).set("hash", to: SQLBind(hash))
                .where("id", .equal, SQLBind(1)).run()
        } else {
            try await sql.insert(into: AuditHead.schema).columns("id", "sequence", "hash")
                .values(SQLBind(1), SQLBind(record.sequence), SQLBind(hash)).run()
        }
    }

    /// Walks the whole chain in pages; memory stays flat however long the log is.
    static func verify(on db: any Database) async throws -> AuditChain.Verdict {
        var verifier = AuditChain.Verifier()
        var after: Int64 = 0
        let pageSize = 2000
        while true {
            let page = try await AuditEvent.query(on: db)
                .filter(\.$sequence > after)
                .sort(\.$sequence)
                .limit(pageSize)
                .all()
            for event in page {
                if !verifier.feed(.init(record: event.record, previousHash: event.previousHash, hash: event.hash)) {
                    return verifier.finish(head: nil)
                }
            }
            guard let last = page.last, page.count == pageSize else { break }
            after = last.sequence
        }
        let head = try await AuditHead.find(1, on: db)
        return verifier.finish(head: head.map { ($0.sequence, $0.hash) })
    }
}

extension Request {
    var auditActor: AuditActor {
        if let current = currentUser {
            return AuditActor(userID: current.user.id, email: current.user.email, organisationID: current.organisation.id)
        }
        return AuditActor(userID: nil, email: nil, organisationID: nil)
    }

    /// Records an event that has no other write to share a transaction with.
    func audit(_ action: AuditAction, target: String? = nil, outcome: AuditOutcome = .success, detail: String? = nil,
               actor: AuditActor? = nil) async throws {
        let actor = actor ?? auditActor
        let requestID = id
        try await db.writeTransaction { db in
            try await AuditLog.append(on: db, actor: actor, action: action, target: target, outcome: outcome, requestID: requestID, detail: detail)
        }
    }
}

extension Request {
    /// One use case that writes: `body` and the audit event that records it, in one transaction.
    func auditedWrite(_ action: AuditAction, target: String?, detail: String? = nil,
                      _ body: @escaping @Sendable (any Database) async throws -> Void) async throws {
        let actor = auditActor
        let requestID = id
        try await db.writeTransaction { db in
            try await body(db)
            try await AuditLog.append(on: db, actor: actor, action: action, target: target, requestID: requestID, detail: detail)
        }
    }
}
