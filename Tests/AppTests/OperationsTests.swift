import Domain
import Fluent
import FluentPostgresDriver
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct OperationsTests {
    struct Boom: Error {}

    @Test func healthzAnswersOkWhenTheDatabaseAnswers() async throws {
        try await withTestApp { app in
            let response = try await app.testing().sendRequest(.GET, SiteURL.healthz.path)
            #expect(response.status == .ok)
            #expect(response.body.string == #"{"status":"ok"}"#)
        }
    }

    @Test func theCheckpointerCopiesTheLogIntoTheDatabaseFile() async throws {
        try await withTestApp { app in
            // SQLite only: PostgreSQL has no write-ahead log of ours to copy.
            guard let checkpointer = app.walCheckpointer else { return }
            let organisation = try await Fixtures.organisation(app)
            for _ in 0..<3 { _ = try await Fixtures.user(app, in: organisation, roles: [.caseworker]) }
            #expect(try await checkpointer.checkpoint() > 0)
        }
    }

    @Test func postgresConnectionsRunWithoutJIT() async throws {
        try await withTestApp { app in
            let sql = app.db as! any SQLDatabase
            guard sql.dialect.name != "sqlite" else { return }
            struct Setting: Decodable { let jit: String }
            let setting = try await sql.raw("SHOW jit").first(decoding: Setting.self)
            #expect(setting?.jit == "off")
        }
    }

    @Test func eachQueryTextHasItsOwnStatementSlot() throws {
        for index in 0..<PreparedStatements.limit { #expect(slotType(index).index == index) }
        let statements = PreparedStatements.shared
        let first = try #require(statements.slot(for: "SELECT $1 || 'slot test one'", types: [.text]))
        let second = try #require(statements.slot(for: "SELECT $1 || 'slot test two'", types: [.text]))
        let third = try #require(statements.slot(for: "SELECT $1 || 'slot test one'", types: [.null]))
        #expect(Set([first.index, second.index, third.index]).count == 3)
        #expect(statements.slot(for: "SELECT $1 || 'slot test one'", types: [.text])?.index == first.index)
        #expect(statements.sql(at: second.index) == "SELECT $1 || 'slot test two'")
        #expect(statements.types(at: third.index) == [.null])
    }

    @Test func onlyValuesWithABinaryFormAreBoundToPreparedStatements() {
        struct Opaque: Encodable, Sendable { let value = 1 }
        #expect(
            PreparedStatements.bindings([UUID(), "texte", 42, Date(), Data([1, 2]), true])?.1 == [.uuid, .text, .int8, .timestamptz, .bytea, .bool])
        #expect(PreparedStatements.bindings([UUID?.none, String?.some("x")])?.1 == [.null, .text])
        #expect(PreparedStatements.bindings([UUID(), Opaque()]) == nil)
    }

    @Test func postgresRunsHandWrittenQueriesAsNamedStatements() async throws {
        try await withTestApp { app in
            guard let postgres = app.db as? any PostgresDatabase else { return }
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let query: SQLQueryString =
                "SELECT * FROM users WHERE organisation_id = \(bind: organisation.id!) AND \(bind: String?.none)::text IS NULL"
            struct Statement: Decodable, Sendable {
                let name: String
                let statement: String
            }
            struct Seen: Sendable {
                let found: [UUID?]
                let prepared: [Statement]
            }
            // Twice on one connection: the second run executes the statement the first prepared.
            let seen = try await postgres.withConnection { (connection: PostgresConnection) -> EventLoopFuture<Seen> in
                connection.eventLoop.makeFutureWithTask {
                    let database: any PostgresDatabase = connection
                    let sql = database.sql()
                    _ = try await sql.rows(query)
                    let found = try await sql.rows(query).map { try User.decode($0, prefix: "").id }
                    let prepared = try await sql.raw("SELECT name, statement FROM pg_prepared_statements").all(decoding: Statement.self)
                    return Seen(found: found, prepared: prepared)
                }
            }.get()
            let found = seen.found, prepared = seen.prepared
            #expect(found == [user.id])
            let statement = try #require(prepared.first { $0.statement.hasPrefix("SELECT * FROM users WHERE organisation_id = $1") }, "\(prepared)")
            #expect(statement.name.hasPrefix("passerelle_"))
        }
    }

    @Test func securityHeadersAreOnPagesAndErrors() async throws {
        try await withTestApp { app in
            for path in [SiteURL.login.path, "/no/such/page", SiteURL.healthz.path] {
                let response = try await app.testing().sendRequest(.GET, path)
                let csp = try #require(response.headers.first(name: "Content-Security-Policy"), "\(path)")
                for directive in ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
                    #expect(csp.contains(directive))
                }
                #expect(!csp.contains("unsafe-inline"))
                #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(response.headers.first(name: "Referrer-Policy") != nil)
                #expect(response.headers.first(name: .cacheControl) == "no-store")
            }
            let css = try await app.testing().sendRequest(.GET, "/css/app.css")
            #expect(css.status == .ok)
            #expect(css.headers.first(name: .cacheControl) != "no-store")
        }
    }

    @Test func unknownRoutesGetALocalisedNotFoundPage() async throws {
        try await withTestApp { app in
            let french = try await Browser(app, acceptLanguage: "fr-CA").get("/dossiers/inexistant")
            #expect(french.status == .notFound)
            #expect(french.text.contains("Page introuvable"))
            #expect(french.text.contains(#"<html lang="fr-CA">"#))
            let english = try await Browser(app, acceptLanguage: "en").get("/nothing/here")
            #expect(english.text.contains("Page not found"))
            // No session is created for a passer-by.
            #expect(english.headers[.setCookie].isEmpty)
        }
    }

    @Test func unexpectedErrorsShowARequestIdAndNoDetail() async throws {
        try await withTestApp { app in
            app.on(.GET, "/test-boom", access: .public) { _ -> String in throw Boom() }
            let response = try await Browser(app, acceptLanguage: "en").get("/test-boom")
            #expect(response.status == .internalServerError)
            #expect(response.text.contains("Unexpected error"))
            let requestID = try #require(response.headers.first(name: "X-Request-Id"))
            #expect(response.text.contains(requestID))
            #expect(!response.text.contains("Boom"))
            #expect(response.headers.first(name: "Content-Security-Policy") != nil)
        }
    }

    @Test func oversizedBodiesAreRefusedWith413() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            try await browser.get(SiteURL.login.path)
            let huge = String(repeating: "a", count: FormLimits.maximumBody)
            let response = try await browser.post(SiteURL.login.path, [("email", huge), ("password", "x")])
            #expect(response.status == .payloadTooLarge)
            #expect(try await AuditEvent.query(on: app.db).count() == 0)
        }
    }

    @Test func malformedBodiesAreTreatedAsEmptyFormsNot500() async throws {
        try await withTestApp { app in
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.get(SiteURL.login.path)
            let token = try #require(browser.csrf)
            let response = try await browser.send(
                .POST, SiteURL.login.path, headers: ["Content-Type": "application/json", "X-CSRF-Token": token],
                body: ByteBuffer(string: "{not json"))
            #expect(response.status.code < 500)
        }
    }

    @Test func metricsNeedLoopbackOrTheToken() async throws {
        _ = PasserelleMetrics.registry
        try await withTestApp({ $0.metricsToken = "test-metrics-token" }) { app in
            _ = try await app.testing().sendRequest(.GET, SiteURL.healthz.path)
            let anonymous = try await app.testing().sendRequest(.GET, SiteURL.metrics.path)
            #expect(anonymous.status == .notFound)
            let withToken = try await app.testing().sendRequest(.GET, SiteURL.metrics.path, headers: ["Authorization": "Bearer test-metrics-token"])
            #expect(withToken.status == .ok)
            #expect(withToken.body.string.contains("http_requests_total"))
            #expect(withToken.body.string.contains("http_request_duration_seconds"))
        }
    }

    @Test func theEmbeddedDatabaseRunsInWALWithForeignKeys() async throws {
        try await withTestApp { app in
            guard app.db.isSQLite else { return }
            let sql = app.db as! any SQLDatabase
            struct Mode: Decodable { let journal_mode: String }
            let mode = try await sql.raw("PRAGMA journal_mode").first(decoding: Mode.self)
            #expect(mode?.journal_mode == "wal")
            struct Keys: Decodable { let foreign_keys: Int }
            #expect(try await sql.raw("PRAGMA foreign_keys").first(decoding: Keys.self)?.foreign_keys == 1)
        }
    }
}
