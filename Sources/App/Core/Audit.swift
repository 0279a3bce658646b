import Domain
import Fluent
import SQLKit
import SQLiteKit
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
    /// A role that reads case data was given to someone: shown to the organisation's other
    /// admins and supervisors on their home page.
    case caseAccessGranted = "case_access_granted"
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
    /// A directory listing changed (capacity, verification, its fields).
    case directoryChanged = "directory_changed"
    /// A referral was sent from a case; each later step; a referral page read.
    case referralSent = "referral_sent"
    case referralChanged = "referral_changed"
    case referralViewed = "referral_viewed"
    /// The network's trends read, a table of them exported.
    case trendsViewed = "trends_viewed"
    case trendsExported = "trends_exported"
    /// A case's red-flag tokens looked up across organisations; a supervisor asked to be put in touch.
    case redFlagsChecked = "red_flags_checked"
    case redFlagContactRequested = "red_flag_contact_requested"

    var labelKey: String { "audit.action.\(rawValue)" }
}

enum AuditOutcome: String, Sendable {
    case success, failure, denied
}

enum AuditLog {
    /// What an event says before it is placed in the chain.
    struct Entry: Sendable {
        var actor: AuditActor
        var action: AuditAction
        var target: String?
        var outcome: AuditOutcome = .success
        var requestID: String?
        var detail: String?
        var now = Date()
    }

    /// Appends one event. Call it inside the write transaction of the change it records, so
    /// both commit or neither does.
    static func append(
        on db: any Database, actor: AuditActor, action: AuditAction, target: String? = nil,
        outcome: AuditOutcome = .success, requestID: String?, detail: String? = nil, now: Date = Date()
    ) async throws {
        try await append(
            on: db, [Entry(actor: actor, action: action, target: target, outcome: outcome, requestID: requestID, detail: detail, now: now)])
    }

    /// Appends events in order, inside the caller's write transaction: the head is read once,
    /// the events are chained in memory and written with one INSERT, the head updated once.
    /// Plain SQL with plain structs keeps it off Fluent's per-row model reflection.
    static func append(on db: any Database, _ entries: [Entry]) async throws {
        try await append(sql: db as! any SQLDatabase, entries)
    }

    /// The last event of the chain, as `audit_head` records it.
    struct Head: Decodable, Sendable, Equatable {
        let sequence: Int64
        let hash: String
    }

    /// The events chained after `head`: one row of binds each (the INSERT's columns), and the new head.
    private static func chain(_ entries: [Entry], after head: Head?) -> (rows: [[SQLBind]], head: Head) {
        var sequence = head?.sequence ?? 0
        var previousHash = head?.hash ?? AuditChain.genesisHash
        var rows: [[SQLBind]] = []
        for entry in entries {
            sequence += 1
            let record = AuditRecord(
                sequence: sequence, occurredAtMilliseconds: Int64((entry.now.timeIntervalSince1970 * 1000).rounded()),
                actorID: entry.actor.userID?.uuidString, actorEmail: entry.actor.email, organisationID: entry.actor.organisationID?.uuidString,
                action: entry.action.rawValue, target: entry.target, outcome: entry.outcome.rawValue, requestID: entry.requestID, detail: entry.detail
            )
            let hash = AuditChain.hash(previousHash: previousHash, record: record)
            rows.append([
                SQLBind(UUID()), SQLBind(record.sequence), SQLBind(record.occurredAtMilliseconds), SQLBind(record.actorID),
                SQLBind(record.actorEmail), SQLBind(record.organisationID), SQLBind(record.action), SQLBind(record.target),
                SQLBind(record.outcome), SQLBind(record.requestID), SQLBind(record.detail), SQLBind(previousHash), SQLBind(hash),
            ])
            previousHash = hash
        }
        return (rows, Head(sequence: sequence, hash: previousHash))
    }

    private static let columns =
        "id, sequence, occurred_at_ms, actor_id, actor_email, organisation_id, action, target, outcome, request_id, detail, previous_hash, hash"

    /// Appends inside the caller's transaction; returns the new head.
    @discardableResult
    static func append(sql: any SQLDatabase, _ entries: [Entry]) async throws -> Head? {
        guard !entries.isEmpty else { return nil }
        let readHead: SQLQueryString
        if sql.dialect.name == "sqlite" {
            // Writers are already serialised by BEGIN IMMEDIATE.
            readHead = "SELECT sequence, hash FROM audit_head WHERE id = 1"
        } else {
            // PostgreSQL: the head row's lock serialises appenders until this transaction ends
            // (`appendIfHead` waits on it too). Before the first event there is no row to lock:
            // an advisory lock serialises the first appenders.
            readHead = "SELECT sequence, hash FROM audit_head WHERE id = 1 FOR UPDATE"
        }
        var head = try await sql.raw(readHead).first(decoding: Head.self)
        if head == nil, sql.dialect.name != "sqlite" {
            try await sql.raw("SELECT pg_advisory_xact_lock(7283001)").run()
            head = try await sql.raw(readHead).first(decoding: Head.self)
        }
        let (rows, next) = chain(entries, after: head)
        try await sql.raw("INSERT INTO audit_events (\(unsafeRaw: columns)) VALUES \(SQLList(rows.map { SQLGroupExpression(SQLList($0)) }))").run()
        if head != nil {
            try await sql.raw("UPDATE audit_head SET sequence = \(bind: next.sequence), hash = \(bind: next.hash) WHERE id = 1").run()
        } else {
            try await sql.raw("INSERT INTO audit_head (id, sequence, hash) VALUES (1, \(bind: next.sequence), \(bind: next.hash))").run()
        }
        return next
    }

    /// PostgreSQL, one statement without a transaction around it: appends after `expected` if it
    /// is still the head, and moves the head. When someone else appended first, the head's UPDATE
    /// matches no row, the INSERT selects nothing and the statement succeeds having written
    /// nothing: the caller appends the long way. Losing the race is an ordinary outcome, not a
    /// failed statement, so PostgreSQL's log never receives the events' parameters (staff
    /// e-mails, case ids). Page views are appended this way by `AuditWriter`, which remembers the
    /// head it last wrote — one round trip instead of six.
    static func appendIfHead(sql: any SQLDatabase, expected: Head, _ entries: [Entry]) async throws -> Head? {
        let (rows, next) = chain(entries, after: expected)
        // The column types, so the VALUES list needs nothing from the INSERT to be typed.
        let types = ["uuid", "bigint", "bigint", "text", "text", "text", "text", "text", "text", "text", "text", "text", "text"]
        let typed = rows.map { row -> any SQLExpression in
            SQLGroupExpression(SQLList(zip(row, types).map { bind, type -> any SQLExpression in SQLQueryString("\(bind)::\(unsafeRaw: type)") }))
        }
        let written = try await sql.rows(
            """
            WITH head AS (UPDATE audit_head SET sequence = \(bind: next.sequence), hash = \(bind: next.hash)
              WHERE id = 1 AND sequence = \(bind: expected.sequence) AND hash = \(bind: expected.hash) RETURNING id)
            INSERT INTO audit_events (\(unsafeRaw: columns))
              SELECT v.* FROM (VALUES \(SQLList(typed))) AS v(\(unsafeRaw: columns)) WHERE EXISTS (SELECT 1 FROM head)
            RETURNING sequence
            """ as SQLQueryString)
        return written.count == rows.count ? next : nil
    }

    /// Walks the whole chain in pages; memory stays flat however long the log is. The head is read
    /// first and the walk stops at it: events appended while the walk runs come after that head and
    /// belong to the next verification. Reading the events first and the head last (two
    /// statements, two snapshots) made every run on a live PostgreSQL server report "rows deleted
    /// at the end". Deleting events at the end is still seen: the walk then ends before the head.
    static func verify(on db: any Database) async throws -> AuditChain.Verdict {
        let head = try await AuditHead.find(1, on: db)
        var verifier = AuditChain.Verifier()
        var after: Int64 = 0
        let pageSize = 2000
        while true {
            let query = AuditEvent.query(on: db).filter(\.$sequence > after)
            if let head { query.filter(\.$sequence <= head.sequence) }
            let page = try await query.sort(\.$sequence).limit(pageSize).all()
            for event in page {
                if !verifier.feed(.init(record: event.record, previousHash: event.previousHash, hash: event.hash)) {
                    return verifier.finish(head: nil)
                }
            }
            guard let last = page.last, page.count == pageSize else { break }
            after = last.sequence
        }
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
    func audit(
        _ action: AuditAction, target: String? = nil, outcome: AuditOutcome = .success, detail: String? = nil,
        actor: AuditActor? = nil
    ) async throws {
        try await application.auditWriter.append(
            AuditLog.Entry(
                actor: actor ?? auditActor, action: action, target: target, outcome: outcome,
                requestID: id, detail: detail), on: application.db)
    }
}

/// Group commit for events that have no other write to share a transaction with (page views
/// above all): requests that arrive while a transaction commits are written together in the
/// next one. Each request still waits until its event is committed before it answers.
///
/// On SQLite the writer has a connection of its own: Fluent keeps exactly one connection per
/// event loop, and a page view's commit (with its disk sync) held the loop's only connection
/// while the other requests of that loop waited to read. Its transactions queue behind the same
/// `SQLiteWriteGate` as every other writer of the process.
actor AuditWriter {
    struct SQLiteFile: Sendable {
        let path: String
        let threadPool: NIOThreadPool
        let eventLoop: any EventLoop
        let logger: Logger
        /// The writer's own threads, shut down with it.
        let ownGroup: MultiThreadedEventLoopGroup?

        /// A thread and an event loop of the writer's own: on the request loops, each of its
        /// statements waited behind page rendering while every audited view waited for its commit
        /// (measured at 1,000,000 cases, inbox p95 with the audit 26.6 ms, without it 21.2 ms).
        static func ownThreads(path: String, logger: Logger) -> SQLiteFile {
            let pool = NIOThreadPool(numberOfThreads: 1)
            pool.start()
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            return SQLiteFile(path: path, threadPool: pool, eventLoop: group.next(), logger: logger, ownGroup: group)
        }
    }

    private let sqlite: SQLiteFile?
    private var connection: SQLiteConnection?
    private var pending: [(AuditLog.Entry, CheckedContinuation<Void, any Error>)] = []
    private var draining = false

    init(sqlite: SQLiteFile?) {
        self.sqlite = sqlite
    }

    func append(_ entry: AuditLog.Entry, on db: any Database) async throws {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((entry, continuation))
            if !draining {
                draining = true
                Task { await self.drain(on: db) }
            }
        }
    }

    private func drain(on db: any Database) async {
        while !pending.isEmpty {
            // Within both databases' bind-parameter limits (13 per event).
            let batch = Array(pending.prefix(500))
            pending.removeFirst(batch.count)
            let entries = batch.map(\.0)
            do {
                if let sqlite {
                    try await write(entries, to: sqlite)
                } else {
                    try await writePostgres(entries, on: db)
                }
                for (_, continuation) in batch { continuation.resume() }
            } catch {
                for (_, continuation) in batch { continuation.resume(throwing: error) }
            }
        }
        draining = false
    }

    /// The head this writer last wrote (PostgreSQL): while nobody else appends, the next events go
    /// in one statement (`appendIfHead`); otherwise the long way, which reads the head again.
    private var lastHead: AuditLog.Head?

    private func writePostgres(_ entries: [AuditLog.Entry], on db: any Database) async throws {
        if let expected = lastHead {
            lastHead = nil
            if let next = try await AuditLog.appendIfHead(sql: db as! any SQLDatabase, expected: expected, entries) {
                lastHead = next
                return
            }
        }
        lastHead = try await db.writeTransaction { db in try await AuditLog.append(sql: db as! any SQLDatabase, entries) }
    }

    private func write(_ entries: [AuditLog.Entry], to file: SQLiteFile) async throws {
        let sql = try await ownConnection(file).sql()
        _ = try await SQLiteWriteGate.shared.exclusively {
            try await SQLiteWriteGate.immediateTransaction(on: sql) { try await AuditLog.append(sql: sql, entries) }
        }
    }

    private func ownConnection(_ file: SQLiteFile) async throws -> SQLiteConnection {
        if let connection { return connection }
        let opened = try await SQLiteConnection.open(
            storage: .file(path: file.path), threadPool: file.threadPool, logger: file.logger, on: file.eventLoop)
        // The same connection pragmas as the pool's (DatabaseSetup.prepareSQLite).
        for pragma in DatabaseSetup.connectionPragmas { try await opened.sql().raw(SQLQueryString(pragma)).run() }
        connection = opened
        return opened
    }

    func close() async {
        try? await connection?.close()
        connection = nil
        if let sqlite, let group = sqlite.ownGroup {
            try? await sqlite.threadPool.shutdownGracefully()
            try? await group.shutdownGracefully()
        }
    }
}

extension Application {
    private struct AuditWriterKey: StorageKey { typealias Value = AuditWriter }

    /// Set in `configure`, once the database is known; closed at shutdown.
    var auditWriter: AuditWriter {
        get { storage[AuditWriterKey.self]! }
        set { storage[AuditWriterKey.self] = newValue }
    }
}

struct AuditWriterLifecycle: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        await application.auditWriter.close()
    }
}

extension Request {
    /// One use case that writes: `body` and the audit event that records it, in one transaction.
    func auditedWrite(
        _ action: AuditAction, target: String?, detail: String? = nil,
        _ body: @escaping @Sendable (any Database) async throws -> Void
    ) async throws {
        let actor = auditActor
        let requestID = id
        try await db.writeTransaction { db in
            try await body(db)
            try await AuditLog.append(on: db, actor: actor, action: action, target: target, requestID: requestID, detail: detail)
        }
    }
}
