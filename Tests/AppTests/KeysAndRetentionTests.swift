import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct KeysAndRetentionTests {
    @Test func rotationRewrapsEveryKeyAndKeepsSearchWorking() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app)
            try await browser.signIn(worker.email)
            let id = try await CasesTests.open(browser, name: "Thandiwe Esempio")
            let old = app.masterKey
            let secret = TwoFactor.newSecret()
            worker.totpSecret = try TwoFactor.seal(secret, userID: worker.id!, master: old)
            try await worker.save(on: app.db)
            let new = Envelope.newKey()
            // MUT
            let count = try await KeysCommand.rewrap(on: app.db, from: old, to: new)
            app.masterKey = new
            // validate
            #expect(count == 1)
            let page = try await browser.get(SiteURL.caseFile(.value(id)).path)
            #expect(page.text.contains("<h1>Thandiwe Esempio</h1>"))
            #expect(try await browser.get(SiteURL.cases.path + "?q=thandiwe").text.contains("Thandiwe Esempio"))
            let stored = try #require(try await User.find(worker.id, on: app.db)?.totpSecret)
            #expect(TwoFactor.open(stored, userID: worker.id!, master: new) == secret)
            #expect(TwoFactor.open(stored, userID: worker.id!, master: old) == nil)
            let check = try #require(try await KeyCheck.query(on: app.db).first())
            #expect(Envelope.verifyKeyCheck(check.sealed, master: new))
            #expect(!Envelope.verifyKeyCheck(check.sealed, master: old))
            let wrapped = try #require(try await CaseKey.query(on: app.db).first())
            #expect(throws: Envelope.Failure.cannotOpen) {
                try Envelope.unwrap(wrapped.wrapped, master: old, organisationID: organisation.id!.uuidString, caseID: id)
            }
        }
    }

    @Test func retentionPreviewsAndPurgesOnlyOldClosedCases() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let chief = try await Fixtures.user(app, in: organisation, roles: [.supervisor], language: .en)
            let browser = Browser(app)
            try await browser.signIn(chief.email)
            let old = try await CasesTests.open(browser, name: "Ana Ejemplo")
            let recent = try await CasesTests.open(browser, name: "Mei Muster")
            let open = try await CasesTests.open(browser, name: "Yusuf Przykład")
            for id in [old, recent] {
                try await browser.get(SiteURL.caseFile(.value(id)).path)
                try await browser.post(
                    SiteURL.caseFile(.value(id)).path + "/status", [("status", "Closed"), ("closureReason", "goals_met"), ("version", "1")])
            }
            try await CaseFile.query(on: app.db).filter(\.$id == UUID(uuidString: old)!).set(
                \.$closedAt, to: Date().addingTimeInterval(-8 * 365 * 86_400)
            ).update()
            try await browser.get(SiteURL.caseSettings.path)
            let bad = try await browser.post(SiteURL.caseSettings.path, [("visibility", "assigned_only"), ("retentionYears", "jamais")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains(#"value="jamais""#))
            try await browser.get(SiteURL.caseSettings.path)
            #expect(
                try await browser.post(SiteURL.caseSettings.path, [("visibility", "assigned_only"), ("retentionYears", "7")]).status == .seeOther)
            let preview = try await browser.get(SiteURL.caseSettings.path)
            let oldReference = try #require(try await CaseFile.find(UUID(uuidString: old), on: app.db)?.reference)
            #expect(preview.text.contains(oldReference))
            let due = try await Retention.due(organisationID: organisation.id!, years: 7, on: app.db, now: Date())
            #expect(due.map(\.id) == [UUID(uuidString: old)])
            for file in due { try await CaseService.purge(file, vault: CaseVault(master: app.masterKey), on: app.db) }
            #expect(try await CaseFile.find(UUID(uuidString: old), on: app.db) == nil)
            #expect(try await CaseFile.find(UUID(uuidString: recent), on: app.db) != nil)
            #expect(try await CaseFile.find(UUID(uuidString: open), on: app.db) != nil)
        }
    }
}
