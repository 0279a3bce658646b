import Fluent
import FluentSQLiteDriver
import NIOCore
import SQLKit
import Vapor

/// Copies SQLite's write-ahead log back into the database file every 200 ms, on a thread and a
/// connection of its own, with a PASSIVE checkpoint (it waits for nobody and nobody waits for it).
///
/// SQLite otherwise checkpoints inside whichever commit crosses 1 000 pages of log — here the
/// audit writer's, while page views wait for their event to be committed. Measured at 10 000
/// cases: list p95 28.4 → 25.8 ms without those checkpoints. The connections keep an automatic
/// checkpoint at 10 000 pages as a backstop should this one fall behind.
actor WALCheckpointer {
    static let interval = TimeAmount.milliseconds(200)

    private let path: String
    private let logger: Logger
    private let pool = NIOThreadPool(numberOfThreads: 1)
    private let eventLoop: any EventLoop
    private var connection: SQLiteConnection?
    private var task: RepeatedTask?
    private var poolStarted = false

    init(path: String, eventLoop: any EventLoop, logger: Logger) {
        self.path = path
        self.eventLoop = eventLoop
        self.logger = logger
    }

    func start() {
        guard task == nil else { return }
        let eventLoop = eventLoop, logger = logger
        task = eventLoop.scheduleRepeatedAsyncTask(initialDelay: Self.interval, delay: Self.interval) { _ in
            eventLoop.makeFutureWithTask {
                do {
                    try await self.checkpoint()
                } catch {
                    logger.warning("WAL checkpoint failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// One PASSIVE checkpoint; the number of log frames now in the database file.
    @discardableResult
    func checkpoint() async throws -> Int {
        let connection = try await ownConnection()
        return try await connection.sql().raw("PRAGMA wal_checkpoint(PASSIVE)").first()
            .map { try $0.decode(column: "checkpointed", as: Int.self) } ?? 0
    }

    private func ownConnection() async throws -> SQLiteConnection {
        if let connection { return connection }
        if !poolStarted {
            pool.start()
            poolStarted = true
        }
        let opened = try await SQLiteConnection.open(storage: .file(path: path), threadPool: pool, logger: logger, on: eventLoop)
        connection = opened
        return opened
    }

    func stop() async {
        let stopped = eventLoop.makePromise(of: Void.self)
        if let task { task.cancel(promise: stopped) } else { stopped.succeed() }
        try? await stopped.futureResult.get()
        task = nil
        try? await connection?.close()
        connection = nil
        if poolStarted { try? await pool.shutdownGracefully() }
    }
}

extension Application {
    private struct WALCheckpointerKey: StorageKey { typealias Value = WALCheckpointer }

    /// Set in `configure` on SQLite; started with the server, stopped at shutdown.
    var walCheckpointer: WALCheckpointer? {
        get { storage[WALCheckpointerKey.self] }
        set { storage[WALCheckpointerKey.self] = newValue }
    }
}

struct WALCheckpointerLifecycle: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        await application.walCheckpointer?.start()
    }

    func shutdownAsync(_ application: Application) async {
        await application.walCheckpointer?.stop()
    }
}
