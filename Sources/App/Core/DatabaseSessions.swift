import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// Sessions kept in the database so several instances share them (Vapor's Fluent driver keeps
/// the key in clear and knows neither the user nor any expiry). The cookie holds a random key;
/// the table holds its SHA-256, the user, and the times that enforce the idle and absolute limits.
struct DatabaseSessions: AsyncSessionDriver {
    static let userKey = "uid"
    static let touchInterval: TimeInterval = 60

    func createSession(_ data: SessionData, for request: Request) async throws -> SessionID {
        let key = Secrets.randomToken()
        let record = BrowserSession(
            keyHash: Secrets.sha256Hex(key),
            userID: data[Self.userKey].flatMap(UUID.init(uuidString:)),
            data: try Self.encode(data),
            now: Date(),
            userAgent: request.headers.first(name: .userAgent).map { String($0.prefix(300)) },
            address: request.clientAddress)
        try await request.db.writeTransaction { try await record.create(on: $0) }
        return SessionID(string: key)
    }

    /// The session row with its user, the user's organisation and the organisation's case
    /// settings: one query on every request (`CurrentUserMiddleware` takes them from it).
    private static let readColumns =
        "s.*, " + User.prefixedColumns(table: "u", prefix: "user__") + ", "
        + Organisation.prefixedColumns(table: "o", prefix: "org__") + ", " + CaseSettings.prefixedColumns(table: "cs", prefix: "settings__")

    func readSession(_ sessionID: SessionID, for request: Request) async throws -> SessionData? {
        guard
            let row = try await request.db.firstRow(
                """
                SELECT \(unsafeRaw: Self.readColumns) FROM browser_sessions s
                LEFT JOIN users u ON u.id = s.user_id LEFT JOIN organisations o ON o.id = u.organisation_id
                LEFT JOIN case_settings cs ON cs.organisation_id = o.id
                WHERE s.key_hash = \(bind: Secrets.sha256Hex(sessionID.string))
                """)
        else { return nil }
        let record = try BrowserSession.decode(row, prefix: "")
        guard request.config.sessionLifetime.isAlive(createdAt: record.createdAt, lastSeenAt: record.lastSeenAt, now: Date()) else {
            try await request.db.writeTransaction { try await record.delete(on: $0) }
            return nil
        }
        if try !row.decodeNil(column: "user__id"), try !row.decodeNil(column: "org__id") {
            request.storage[SessionUserKey.self] = SessionUser(
                user: try User.decode(row, prefix: "user__"), organisation: try Organisation.decode(row, prefix: "org__"),
                settings: try row.decodeNil(column: "settings__id") ? nil : try CaseSettings.decode(row, prefix: "settings__"))
        }
        request.storage[CurrentSessionRecordKey.self] = record.id
        request.storage[LoadedSessionKey.self] = LoadedSession(data: record.data, lastSeenAt: record.lastSeenAt)
        return try JSONDecoder().decode(SessionData.self, from: Data(record.data.utf8))
    }

    /// An UPDATE, never an upsert: a request still in flight when its session was ended
    /// elsewhere must not bring it back.
    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) async throws -> SessionID {
        let encoded = try Self.encode(data)
        // Most requests change nothing: skip the write (a disk sync on SQLite) unless the data
        // changed or the last-seen time is more than a minute old. The idle limit is 30 minutes,
        // so a minute of imprecision does not matter.
        if let loaded = request.storage[LoadedSessionKey.self], loaded.data == encoded,
            Date().timeIntervalSince(loaded.lastSeenAt) < Self.touchInterval
        {
            return sessionID
        }
        let keyHash = Secrets.sha256Hex(sessionID.string), userID = data[Self.userKey].flatMap(UUID.init(uuidString:))
        try await request.db.writeTransaction { db in
            try await BrowserSession.query(on: db).filter(\.$keyHash == keyHash)
                .set(\.$data, to: encoded).set(\.$userID, to: userID).set(\.$lastSeenAt, to: Date())
                .update()
        }
        return sessionID
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) async throws {
        try await Self.delete(sessionID, on: request.db)
    }

    /// Every write to the sessions table goes through `writeTransaction`: on SQLite, a write outside
    /// the process's write gate waited in SQLite's busy handler on a blocking-pool thread while the
    /// gate's holder needed that thread to commit (measured: ten-second stalls under load).
    static func delete(_ sessionID: SessionID, on db: any Database) async throws {
        let keyHash = Secrets.sha256Hex(sessionID.string)
        try await db.writeTransaction { try await BrowserSession.query(on: $0).filter(\.$keyHash == keyHash).delete() }
    }

    private static func encode(_ data: SessionData) throws -> String {
        // Sorted keys: the same data always encodes the same way, so unchanged sessions are recognised.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(data), as: UTF8.self)
    }

    /// Ends every session of a user at once (deactivation, password change, two-factor reset).
    static func endAll(of userID: UUID, except keep: UUID? = nil, on db: any Database) async throws {
        let query = BrowserSession.query(on: db).filter(\.$userID == userID)
        if let keep { query.filter(\.$id != keep) }
        try await query.delete()
    }
}

struct CurrentSessionRecordKey: StorageKey { typealias Value = UUID }

/// The user of the session row (by its `user_id` column), read with it.
struct SessionUser: Sendable {
    let user: User
    let organisation: Organisation
    /// Nil until the organisation's first case page creates them.
    var settings: CaseSettings?
}

struct SessionUserKey: StorageKey { typealias Value = SessionUser }

/// The session row as read at the start of the request, to avoid rewriting it unchanged.
struct LoadedSession: Sendable {
    let data: String
    let lastSeenAt: Date
}

struct LoadedSessionKey: StorageKey { typealias Value = LoadedSession }

extension Request {
    /// The id of the `browser_sessions` row of this request, once the session has been read.
    var currentSessionRecordID: UUID? { storage[CurrentSessionRecordKey.self] }

    /// The client's address: the socket's, or the forwarded one when the socket is a trusted proxy.
    var clientAddress: String? {
        let socket = remoteAddress?.ipAddress
        if let socket, config.trustedProxies.contains(socket),
            let forwarded = headers.first(name: .xForwardedFor)?.split(separator: ",").last
        {
            return forwarded.trimmingCharacters(in: .whitespaces)
        }
        return socket
    }

    /// Replaces the session by a new one (new id, new CSRF token) at a change of privilege, so a
    /// session id planted before sign-in is worthless after it.
    func rotateSession(keeping data: [String: String]) async throws {
        if hasSession, let oldID = session.id {
            try await DatabaseSessions.delete(oldID, on: db)
        }
        session.id = nil
        session.data = SessionData(initialData: data.merging(["csrf": Secrets.randomToken()]) { _, new in new })
    }
}
