import Domain
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct AuditTests {
    @Test func signInsAreChainedAndVerifyUntilARowIsEdited() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            try await Browser(app).signIn(user.email)
            try await Browser(app).signIn(user.email, password: "wrong password again")
            let browser = Browser(app)
            try await browser.signIn(user.email)
            try await browser.get(SiteURL.home.path)
            try await browser.post(SiteURL.logout.path)
            // validate: intact
            let verdict = try await AuditLog.verify(on: app.db)
            #expect(verdict == .intact(count: 4))
            let events = try await AuditEvent.query(on: app.db).sort(\.$sequence).all()
            #expect(events.map(\.action) == ["sign_in", "sign_in_failed", "sign_in", "sign_out"])
            #expect(
                events.allSatisfy { $0.requestID != nil && $0.actorID == user.id?.uuidString && $0.organisationID == organisation.id?.uuidString })
            // MUT: edit one column directly in the database.
            let sql = app.db as! any SQLDatabase
            try await sql.raw("UPDATE audit_events SET outcome = 'success' WHERE sequence = 2").run()
            #expect(try await AuditLog.verify(on: app.db) == .broken(sequence: 2, reason: .contentChanged, checked: 1))
        }
    }

    @Test func deletingTheLastRowIsDetected() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            try await Browser(app).signIn(user.email)
            try await Browser(app).signIn(user.email)
            let sql = app.db as! any SQLDatabase
            try await sql.raw("DELETE FROM audit_events WHERE sequence = 2").run()
            #expect(try await AuditLog.verify(on: app.db) == .broken(sequence: 2, reason: .headMismatch, checked: 1))
        }
    }

    /// Concurrent writers on SQLite must queue, not fail with "database is locked", and the
    /// chain must stay in order.
    @Test func concurrentAppendsKeepTheChainIntact() async throws {
        try await withTestApp { app in
            let loops = Array(app.eventLoopGroup.makeIterator())
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    let db = app.databases.database(logger: app.logger, on: loops[index % loops.count])!
                    group.addTask {
                        try await db.writeTransaction { db in
                            try await AuditLog.append(
                                on: db, actor: .system, action: .signInFailed, target: "t\(index)", outcome: .failure, requestID: nil)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await AuditLog.verify(on: app.db) == .intact(count: 40))
        }
    }

    /// Page views are written by group commit: many at once, in one transaction when they
    /// arrive together, and the chain stays whole and in order with single appends between.
    @Test func groupCommittedEventsKeepTheChainIntact() async throws {
        try await withTestApp { app in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<60 {
                    group.addTask {
                        if index % 10 == 0 {
                            try await app.db.writeTransaction { db in
                                try await AuditLog.append(
                                    on: db, actor: .system, action: .signInFailed, target: "single\(index)", outcome: .failure, requestID: nil)
                            }
                        } else {
                            try await app.auditWriter.append(AuditLog.Entry(actor: .system, action: .caseViewed, target: "view\(index)"), on: app.db)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await AuditLog.verify(on: app.db) == .intact(count: 60))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == AuditAction.caseViewed.rawValue).count() == 54)
        }
    }

    /// PostgreSQL: the writer appends in one statement after the head it last wrote; after
    /// someone else appended, that statement writes nothing and the writer goes the long way.
    @Test func aStaleHeadWritesNothingAndTheWriterRecovers() async throws {
        try await withTestApp { app in
            let sql = app.db as! any SQLDatabase
            func view(_ target: String) async throws {
                try await app.auditWriter.append(AuditLog.Entry(actor: .system, action: .caseViewed, target: target), on: app.db)
            }
            try await view("a")
            try await view("b")
            try await app.db.writeTransaction { db in
                try await AuditLog.append(on: db, actor: .system, action: .signInFailed, target: "single", outcome: .failure, requestID: nil)
            }
            try await view("c")
            try await view("d")
            #expect(try await AuditLog.verify(on: app.db) == .intact(count: 5))
            #expect(try await AuditEvent.query(on: app.db).sort(\.$sequence).all(\.$target) == ["a", "b", "single", "c", "d"])
            guard sql.dialect.name != "sqlite" else { return }
            let stale = AuditLog.Head(sequence: 1, hash: String(repeating: "f", count: 64))
            // Losing the race is an ordinary outcome (nil), not a failed statement that
            // PostgreSQL would log with its parameters.
            let lost = try await AuditLog.appendIfHead(sql: sql, expected: stale, [AuditLog.Entry(actor: .system, action: .caseViewed, target: "x")])
            #expect(lost == nil)
            #expect(try await AuditEvent.query(on: app.db).count() == 5)
            #expect(try await AuditLog.verify(on: app.db) == .intact(count: 5))
        }
    }

    @Test func orgAdminsReadTheirOrganisationsEventsAndFilter() async throws {
        try await withTestApp { app in
            let mine = try await Fixtures.organisation(app)
            let theirs = try await Fixtures.organisation(app)
            let admin = try await Fixtures.user(app, in: mine, roles: [.orgAdmin], language: .en)
            let colleague = try await Fixtures.user(app, in: mine, roles: [.caseworker])
            let stranger = try await Fixtures.user(app, in: theirs, roles: [.caseworker])
            try await Browser(app).signIn(colleague.email)
            try await Browser(app).signIn(stranger.email)
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.signIn(admin.email)
            let page = try await browser.get(SiteURL.audit.path)
            #expect(page.status == .ok)
            #expect(page.text.contains(colleague.email))
            #expect(!page.text.contains(stranger.email))
            let filtered = try await browser.get(SiteURL.audit.path + "?user=\(colleague.id!.uuidString)&action=sign_in")
            #expect(filtered.text.contains(colleague.email))
            #expect(!filtered.text.contains("<td>\(admin.email)</td>"))
            let badDate = try await browser.get(SiteURL.audit.path + "?from=2026-02-31&to=hier")
            #expect(badDate.status == .unprocessableEntity)
            #expect(badDate.text.contains("Enter a valid date as YYYY-MM-DD."))
            #expect(badDate.text.contains(#"value="2026-02-31""#))
            let badAction = try await browser.get(SiteURL.audit.path + "?action=drop_table")
            #expect(badAction.status == .unprocessableEntity)
        }
    }

    @Test func systemAdminsReadEveryEvent() async throws {
        try await withTestApp { app in
            let instance = try await Fixtures.organisation(app)
            let other = try await Fixtures.organisation(app)
            let admin = try await Fixtures.user(app, in: instance, roles: [.systemAdmin])
            let stranger = try await Fixtures.user(app, in: other, roles: [.caseworker])
            try await Browser(app).signIn(stranger.email)
            let browser = Browser(app)
            try await browser.signIn(admin.email)
            #expect(try await browser.get(SiteURL.audit.path).text.contains(stranger.email))
        }
    }
}
