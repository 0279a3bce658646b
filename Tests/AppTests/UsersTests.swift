import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct UsersTests {
    /// The set-password path in the newest message to `email` in the outbox: links reach the
    /// person by e-mail, never the admin's page.
    static func link(sentTo email: String, _ app: Application) throws -> String {
        let outbox = app.config.dataDirectory + "/outbox"
        let files = try FileManager.default.contentsOfDirectory(atPath: outbox).filter { $0.hasSuffix(".eml") }.map { outbox + "/" + $0 }
        let dated = try files.map { ($0, try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date ?? .distantPast) }
        for (path, _) in dated.sorted(by: { $0.1 > $1.1 }) {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            guard text.contains("\r\nTo: \(email)\r\n"), let range = text.range(of: #"/set-password/[A-Za-z0-9_-]+"#, options: .regularExpression)
            else { continue }
            return String(text[range])
        }
        Issue.record("no set-password link sent to \(email)")
        throw Abort(.notFound)
    }

    @Test func orgAdminInvitesAndThePersonSetsAPasswordOnce() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let admin = try await Fixtures.user(app, in: organisation, roles: [.orgAdmin])
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(admin.email)
            try await browser.get(SiteURL.users.path + "/new")
            let invited = try await browser.post(
                SiteURL.users.path,
                [
                    ("displayName", "Nouvelle Personne Fictive"), ("email", "Nouvelle@Fictif.example"),
                    ("roles[]", "caseworker"), ("roles[]", "supervisor"), ("language", "fr"),
                ])
            #expect(invited.status == .ok)
            #expect(!invited.text.contains("/set-password/"))
            #expect(invited.text.contains("nouvelle@fictif.example"))
            let path = try Self.link(sentTo: "nouvelle@fictif.example", app)
            let created = try #require(try await User.query(on: app.db).filter(\.$email == "nouvelle@fictif.example").first())
            #expect(created.roleList == [.caseworker, .supervisor])
            #expect(created.passwordHash == nil)
            #expect(created.$organisation.id == organisation.id)

            let person = Browser(app, acceptLanguage: "fr")
            #expect(try await person.get(path).status == .ok)
            let short = try await person.post(path, [("password", "court"), ("confirmation", "court")])
            #expect(short.status == .unprocessableEntity)
            #expect(short.text.contains("au moins 12 caractères"))
            let common = try await person.post(path, [("password", "motdepasse123"), ("confirmation", "motdepasse123")])
            #expect(common.text.contains("trop courant"))
            let mismatch = try await person.post(path, [("password", "une longue phrase fictive"), ("confirmation", "autre")])
            #expect(mismatch.text.contains(#"id="confirmation-error""#))
            let chosen = "Ça, c'est une phrase de passe très longue et bien à moi, avec des accents: éàù — 2026"
            let done = try await person.post(path, [("password", chosen), ("confirmation", chosen)])
            #expect(done.location == SiteURL.login.path + "?notice=password_set")
            // Single use: a used link says so (410) and what to do.
            #expect(try await person.get(path).status == .gone)
            // The whole password counts, beyond bcrypt's 72 bytes.
            let sameFirst72Bytes = String(decoding: chosen.utf8.prefix(80), as: UTF8.self) + " autre fin"
            #expect(chosen.utf8.count > 80)
            let wrongTail = try await Browser(app).signIn("nouvelle@fictif.example", password: sameFirst72Bytes)
            #expect(wrongTail.status == .unauthorized)
            #expect(try await Browser(app).signIn("nouvelle@fictif.example", password: chosen).location == SiteURL.twoFactorSetup.path)
        }
    }

    @Test func expiredLinksDoNotWork() async throws {
        try await withTestApp({ $0.invitationLifetime = -1 }) { app in
            let organisation = try await Fixtures.organisation(app)
            let admin = try await Fixtures.user(app, in: organisation, roles: [.orgAdmin])
            let browser = Browser(app)
            try await browser.signIn(admin.email)
            try await browser.get(SiteURL.users.path + "/new")
            let invited = try await browser.post(
                SiteURL.users.path,
                [
                    ("displayName", "Personne Expirée"), ("email", "expire@fictif.example"),
                    ("roles[]", "caseworker"), ("language", "en"),
                ])
            #expect(!invited.text.contains("/set-password/"))
            let path = try Self.link(sentTo: "expire@fictif.example", app)
            #expect(try await Browser(app).get(path).status == .gone)
        }
    }

    @Test func badInvitationsAreExplainedWithTheInputKept() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let admin = try await Fixtures.user(app, in: organisation, roles: [.orgAdmin], language: .en)
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.signIn(admin.email)
            try await browser.get(SiteURL.users.path + "/new")
            let response = try await browser.post(
                SiteURL.users.path,
                [
                    ("displayName", "Nom <script>x</script>"), ("email", "not-an-address"),
                    ("roles[]", "system_admin"), ("language", "de"),
                ])
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains(#"value="not-an-address""#))
            #expect(response.text.contains("Enter a complete e-mail address"))
            #expect(response.text.contains("This choice is not one of the options."))
            #expect(response.text.contains("Nom &lt;script&gt;x&lt;/script&gt;"))
            #expect(try await User.query(on: app.db).count() == 1)
            // Duplicate address.
            try await browser.get(SiteURL.users.path + "/new")
            let duplicate = try await browser.post(
                SiteURL.users.path,
                [
                    ("displayName", "Double"), ("email", admin.email),
                    ("roles[]", "caseworker"), ("language", "fr"),
                ])
            #expect(duplicate.text.contains("An account already uses this e-mail address."))
        }
    }

    @Test func deactivationEndsEverySessionAtOnce() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let admin = try await Fixtures.user(app, in: organisation, roles: [.orgAdmin])
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let laptop = Browser(app)
            let phone = Browser(app)
            try await laptop.signIn(worker.email)
            try await phone.signIn(worker.email)
            #expect(try await laptop.get(SiteURL.home.path).status == .ok)
            let adminBrowser = Browser(app)
            try await adminBrowser.signIn(admin.email)
            try await adminBrowser.get(SiteURL.user(.value(worker.id!.uuidString)).path)
            let response = try await adminBrowser.post(SiteURL.user(.value(worker.id!.uuidString)).path + "/deactivate")
            #expect(response.status == .seeOther)
            #expect(try await laptop.get(SiteURL.home.path).location == SiteURL.login.path)
            #expect(try await phone.get(SiteURL.home.path).location == SiteURL.login.path)
            #expect(try await Browser(app).signIn(worker.email).status == .unauthorized)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == AuditAction.userDeactivated.rawValue).count() == 1)
        }
    }

    @Test func resetTwoFactorClearsTheSecretAndEndsSessions() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let admin = try await Fixtures.user(app, in: organisation, roles: [.orgAdmin])
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            worker.totpSecret = TwoFactor.newSecret()
            try await worker.save(on: app.db)
            let adminBrowser = Browser(app)
            try await adminBrowser.signIn(admin.email)
            try await adminBrowser.get(SiteURL.user(.value(worker.id!.uuidString)).path)
            try await adminBrowser.post(SiteURL.user(.value(worker.id!.uuidString)).path + "/reset-two-factor")
            let reloaded = try await User.find(worker.id, on: app.db)
            #expect(reloaded?.totpSecret == nil)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == AuditAction.twoFactorReset.rawValue).count() == 1)
        }
    }

    @Test func orgAdminsCannotReachAnotherOrganisationsUsers() async throws {
        try await withTestApp { app in
            let mine = try await Fixtures.organisation(app)
            let theirs = try await Fixtures.organisation(app)
            let admin = try await Fixtures.user(app, in: mine, roles: [.orgAdmin])
            let stranger = try await Fixtures.user(app, in: theirs, roles: [.caseworker])
            let browser = Browser(app)
            try await browser.signIn(admin.email)
            let list = try await browser.get(SiteURL.users.path)
            #expect(!list.text.contains(stranger.email))
            #expect(try await browser.get(SiteURL.user(.value(stranger.id!.uuidString)).path).status == .notFound)
            try await browser.get(SiteURL.users.path)
            for action in ["deactivate", "reset-two-factor", "roles", "password-link", "reactivate"] {
                let response = try await browser.post(SiteURL.user(.value(stranger.id!.uuidString)).path + "/" + action, [("roles[]", "caseworker")])
                #expect(response.status == .notFound, "\(action)")
            }
            #expect(try await User.find(stranger.id, on: app.db)?.isActive == true)
            #expect(try await browser.get(SiteURL.users.path + "/not-a-uuid").status == .notFound)
        }
    }

    @Test func rolesCanBeChangedButSystemAdminIsNotGrantedByOrgAdmins() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let admin = try await Fixtures.user(app, in: organisation, roles: [.orgAdmin])
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app)
            try await browser.signIn(admin.email)
            try await browser.get(SiteURL.user(.value(worker.id!.uuidString)).path)
            let refused = try await browser.post(SiteURL.user(.value(worker.id!.uuidString)).path + "/roles", [("roles[]", "system_admin")])
            #expect(refused.status == .unprocessableEntity)
            try await browser.get(SiteURL.user(.value(worker.id!.uuidString)).path)
            let accepted = try await browser.post(
                SiteURL.user(.value(worker.id!.uuidString)).path + "/roles", [("roles[]", "caseworker"), ("roles[]", "supervisor")])
            #expect(accepted.status == .seeOther)
            #expect(try await User.find(worker.id, on: app.db)?.roleList == [.caseworker, .supervisor])
        }
    }
}
