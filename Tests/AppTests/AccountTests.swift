import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct AccountTests {
    @Test func changingThePasswordChecksTheCurrentOneAndEndsOtherSessions() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let phone = Browser(app)
            try await phone.signIn(user.email)
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(user.email)
            try await browser.get(SiteURL.account.path)
            let wrong = try await browser.post(
                SiteURL.accountPassword.path,
                [("current", "pas le bon"), ("password", "nouvelle phrase fictive"), ("confirmation", "nouvelle phrase fictive")])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.text.contains("Le mot de passe actuel est incorrect."))
            try await browser.get(SiteURL.account.path)
            let changed = try await browser.post(
                SiteURL.accountPassword.path,
                [("current", Fixtures.password), ("password", "nouvelle phrase fictive"), ("confirmation", "nouvelle phrase fictive")])
            #expect(changed.status == .seeOther)
            #expect(try await browser.get(SiteURL.home.path).status == .ok)
            #expect(try await phone.get(SiteURL.home.path).location == SiteURL.login.path)
            #expect(try await Browser(app).signIn(user.email, password: "nouvelle phrase fictive").location == SiteURL.home.path)
        }
    }

    @Test func sessionsAreListedAndCanBeEnded() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let other = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let phone = Browser(app)
            try await phone.signIn(user.email)
            let browser = Browser(app)
            try await browser.signIn(user.email)
            let page = try await browser.get(SiteURL.sessions.path)
            let ids = try await BrowserSession.query(on: app.db).filter(\.$userID == user.id!).all(\.$id).compactMap { $0 }
            #expect(ids.count == 2)
            for id in ids { #expect(page.text.contains(id.uuidString)) }
            // Someone else's session answers 404 and survives.
            let stranger = Browser(app)
            try await stranger.signIn(other.email)
            try await stranger.get(SiteURL.sessions.path)
            #expect(try await stranger.post(SiteURL.sessionEnd(.value(ids[0].uuidString)).path).status == .notFound)
            try await browser.get(SiteURL.sessions.path)
            let ended = try await browser.post(SiteURL.sessions.path + "/end-others")
            #expect(ended.status == .seeOther)
            #expect(try await phone.get(SiteURL.home.path).location == SiteURL.login.path)
            #expect(try await browser.get(SiteURL.home.path).status == .ok)
        }
    }

    @Test func languagePreferenceIsSaved() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker], language: .fr)
            let browser = Browser(app)
            try await browser.signIn(user.email)
            try await browser.get(SiteURL.account.path)
            #expect(try await browser.post(SiteURL.account.path + "/language", [("language", "en")]).status == .seeOther)
            #expect(try await User.find(user.id, on: app.db)?.language == "en")
            try await browser.get(SiteURL.account.path)
            #expect(try await browser.post(SiteURL.account.path + "/language", [("language", "klingon")]).status == .unprocessableEntity)
        }
    }

    @Test func everyPageOfEachRoleRenders() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let admin = try await Fixtures.user(app, in: organisation, roles: [.systemAdmin, .orgAdmin])
            let browser = Browser(app)
            try await browser.signIn(admin.email)
            for language in ["fr", "en"] {
                for path in [
                    SiteURL.home.path, SiteURL.account.path, SiteURL.accountTwoFactor.path, SiteURL.sessions.path, SiteURL.organisations.path,
                    SiteURL.organisations.path + "/new", SiteURL.organisation(.value(organisation.id!.uuidString)).path, SiteURL.users.path,
                    SiteURL.users.path + "/new", SiteURL.user(.value(admin.id!.uuidString)).path, SiteURL.audit.path,
                ] {
                    let response = try await browser.get(path + "?lang=\(language)")
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.text.contains("<main id=\"main\""), "\(path)")
                    #expect(!response.text.contains("http://") || !response.text.contains("<script"), "\(path)")
                }
            }
        }
    }
}
