import Fluent
import FluentSQLiteDriver
import SQLKit
import Vapor

extension Database {
    var isSQLite: Bool { (self as? any SQLDatabase)?.dialect.name == "sqlite" }

    /// Runs a use case that writes, in one transaction.
    ///
    /// On SQLite, Fluent's `transaction` begins with a deferred `BEGIN`: two requests can both
    /// start reading and the second to write then fails at once with "database is locked" (SQLite
    /// does not wait in that case, it would deadlock). `BEGIN IMMEDIATE` takes the write lock
    /// first, so concurrent writers queue behind the busy timeout instead.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard isSQLite else {
            return try await transaction(body)
        }
        // Writers of this process queue here, in order, rather than in SQLite's busy handler,
        // which sleeps and polls (1, 2, 5, 10… ms) and turned concurrent page views — each one
        // appends an audit event — into latency spikes. Other processes still meet the busy timeout.
        return try await SQLiteWriteGate.shared.exclusively {
            try await withConnection { connection in
                try await SQLiteWriteGate.immediateTransaction(on: connection as! any SQLDatabase) { try await body(connection) }
            }
        }
    }
}

/// A first-in, first-out lock for the process's SQLite writers.
actor SQLiteWriteGate {
    static let shared = SQLiteWriteGate()
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }

    /// Runs `body` holding the gate, releasing it however `body` ends.
    nonisolated func exclusively<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        do {
            let result = try await body()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }

    /// `BEGIN IMMEDIATE` … `COMMIT`, or `ROLLBACK` when `body` throws. Call it holding the gate.
    static func immediateTransaction<T: Sendable>(on sql: any SQLDatabase, _ body: @Sendable () async throws -> T) async throws -> T {
        try await sql.raw("BEGIN IMMEDIATE").run()
        do {
            let result = try await body()
            try await sql.raw("COMMIT").run()
            return result
        } catch {
            try? await sql.raw("ROLLBACK").run()
            throw error
        }
    }
}

extension Database {
    /// Inside a write transaction: holds the case row until commit, so a version read next
    /// cannot change before the write. SQLite's BEGIN IMMEDIATE already holds the whole database.
    func lockCase(_ caseID: UUID) async throws {
        guard !isSQLite, let sql = self as? any SQLDatabase else { return }
        try await sql.raw("SELECT id FROM cases WHERE id = \(bind: caseID) FOR UPDATE").run()
    }
}

enum DatabaseSetup {
    /// Pragmas for the embedded database. WAL lets readers work while one writer commits and is
    /// remembered by the file; `synchronous=FULL` keeps a committed transaction across a power
    /// failure; the busy timeout makes a writer wait for the lock rather than fail. Connection
    /// pragmas are set on every connection, the pool's (FluentSQLiteDriver keeps exactly one per
    /// event loop, opened once and reused) and the audit writer's. 64 MB of page cache instead of
    /// SQLite's 2 MB: at a million cases the hot index pages stay in memory instead of being read
    /// again with a system call. Checkpoints are `WALCheckpointer`'s; the automatic one, at 10 000
    /// pages of log, is a backstop.
    ///
    /// Every commit by another connection (an audited page view commits several times a second)
    /// empties a connection's page cache in WAL mode, so most reads went back to the file with a
    /// `pread` and a copy. Memory-mapped reads (the first 2 GB, SQLite's ceiling on Linux) take the
    /// same pages from the operating system's cache without either; writes still go through the
    /// WAL, so a commit's durability is unchanged.
    static let connectionPragmas = [
        "PRAGMA busy_timeout = 10000", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON",
        "PRAGMA cache_size = -65536", "PRAGMA wal_autocheckpoint = 10000", "PRAGMA mmap_size = 2147418112",
    ]

    static func prepareSQLite(_ app: Application) async throws {
        for eventLoop in app.eventLoopGroup.makeIterator() {
            let db = app.databases.database(logger: app.logger, on: eventLoop)!
            try await db.withConnection { connection in
                let sql = connection as! any SQLDatabase
                try await sql.raw("PRAGMA journal_mode = WAL").run()
                for pragma in connectionPragmas { try await sql.raw(SQLQueryString(pragma)).run() }
            }
        }
    }

    /// Used by /healthz and by tests.
    static func ping(_ db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("SELECT 1").run()
    }
}

enum CaseScope {
    /// `EXISTS (an assignment of the row's case to this user)`, as a filter checked row by row in
    /// the order of the query's own index. `LIMIT 1 OFFSET 0` keeps PostgreSQL from turning it into
    /// a hash join over all of the user's assignments: its planner misjudges how many of an
    /// organisation's cases are one's own, and read 10 000 assignments to list 50 rows.
    static func assigned(to userID: UUID, caseIDIn table: String, column: String = "case_id") -> SQLQueryString {
        """
        EXISTS (SELECT 1 FROM case_assignments WHERE case_assignments.case_id = \(ident: table).\(ident: column) \
        AND case_assignments.user_id = \(bind: userID) LIMIT 1 OFFSET 0)
        """
    }
}
