import Domain
import Fluent
import Foundation
import SQLKit
import Vapor
import VaporTesting

@testable import App

/// Runs `body` against a freshly configured application: its own temporary SQLite file, or,
/// when `PASSERELLE_TEST_DATABASE_URL` is set, its own schema in that PostgreSQL database, so
/// the same suite runs on both and tests stay independent when run in parallel.
func withTestApp(_ adjust: (inout AppConfig) -> Void = { _ in }, _ body: (Application) async throws -> Void) async throws {
    // PostgreSQL allows 100 connections by default; Swift Testing runs every test at once.
    let usesPostgres = ProcessInfo.processInfo.environment["PASSERELLE_TEST_DATABASE_URL"].map { !$0.isEmpty } ?? false
    if usesPostgres { await TestAppLimiter.shared.acquire() }
    defer { if usesPostgres { Task { await TestAppLimiter.shared.release() } } }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-test-\(UUID().uuidString)").path
    var config = AppConfig(dataDirectory: folder, database: .sqlite(path: folder + "/passerelle.sqlite"), bcryptCost: 4)
    var schema: String?
    if let url = ProcessInfo.processInfo.environment["PASSERELLE_TEST_DATABASE_URL"], !url.isEmpty {
        schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        // One connection per event loop: a hundred tests run side by side within PostgreSQL's
        // default limit of 100 connections.
        config.database = .postgres(url: url, searchPath: schema, connectionsPerEventLoop: 1)
    }
    adjust(&config)
    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning
    func cleanUp() async {
        if let schema, let sql = app.db as? any SQLDatabase {
            try? await sql.raw("DROP SCHEMA IF EXISTS \(unsafeRaw: schema) CASCADE").run()
        }
        try? await app.asyncShutdown()
        try? FileManager.default.removeItem(atPath: folder)
    }
    do {
        try await configure(app, config: config)
        try await body(app)
    } catch {
        // PSQLError hides its detail from `description`; tests need it.
        if String(describing: type(of: error)).contains("PSQLError") { print("database error: \(String(reflecting: error))") }
        await cleanUp()
        throw error
    }
    await cleanUp()
}

/// Factories for what tests need in the database.
enum Fixtures {
    static let password = "une phrase de passe fictive"

    @discardableResult
    static func organisation(
        _ app: Application, name: String = "Organisme Fictif \(UUID().uuidString.prefix(6)) (test)",
        provinces: [Province] = [.QC]
    ) async throws -> Organisation {
        let organisation = Organisation(name: name, type: .ngo, provinces: provinces, languages: ["fr", "en"])
        try await organisation.create(on: app.db)
        return organisation
    }

    @discardableResult
    static func user(
        _ app: Application, in organisation: Organisation, roles: [Role], email: String? = nil,
        language: Language = .fr, exempt: Bool = true, password: String = Fixtures.password
    ) async throws -> User {
        let address = email ?? "personne.\(UUID().uuidString.prefix(8).lowercased())@fictif.example"
        let user = User(organisationID: organisation.id!, email: address, displayName: "Personne Fictive", roles: roles, language: language)
        user.twoFactorExempt = exempt
        user.passwordHash = try await app.passwordService.hash(password, on: app.threadPool)
        try await user.create(on: app.db)
        return user
    }
}

extension Fixtures {
    /// A case opened the way the page opens one (`CaseService.open`), without HTTP.
    @discardableResult
    static func openCase(
        _ app: Application, in organisation: Organisation, by user: User, name: String = "Personne Fictive",
        province: Province? = .QC
    ) async throws -> CaseFile {
        try await CaseService.open(
            on: app.db, vault: CaseVault(master: app.masterKey), organisation: organisation, openedBy: user.id, preferredName: name,
            province: province, now: app.clock.now(), timeZone: app.config.timeZone,
            actor: AuditActor(userID: user.id, email: user.email, organisationID: organisation.id), requestID: nil)
    }
}

/// Bounds how many test applications hold database connections at once.
actor TestAppLimiter {
    static let shared = TestAppLimiter(limit: 12)
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { available = limit }

    func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { available += 1 } else { waiters.removeFirst().resume() }
    }
}

/// Tools beyond Swift that some tests use. Where one is missing the test is skipped with its
/// reason; with PASSERELLE_REQUIRE_TEST_TOOLS=1 (set by `.ci/run`, which installs them) it runs
/// and fails instead, so CI never skips silently.
enum TestTools {
    static let required = ProcessInfo.processInfo.environment["PASSERELLE_REQUIRE_TEST_TOOLS"] == "1"

    static let hasAiosmtpd: Bool = {
        guard let process = try? Process.run(URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", "-c", "import aiosmtpd"]) else {
            return false
        }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
}
