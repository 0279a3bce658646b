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
            try await browser.get(SiteURL.account)
            let wrong = try await browser.post(
                SiteURL.accountPassword,
                [("current", "pas le bon"), ("password", "nouvelle phrase fictive"), ("confirmation", "nouvelle phrase fictive")])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.text.contains("Le mot de passe actuel est incorrect."))
            try await browser.get(SiteURL.account)
            let changed = try await browser.post(
                SiteURL.accountPassword,
                [("current", Fixtures.password), ("password", "nouvelle phrase fictive"), ("confirmation", "nouvelle phrase fictive")])
            #expect(changed.status == .seeOther)
            #expect(try await browser.get(SiteURL.home).status == .ok)
            #expect(try await phone.get(SiteURL.home).location == SiteURL.login)
            #expect(try await Browser(app).signIn(user.email, password: "nouvelle phrase fictive").location == SiteURL.home)
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
            let page = try await browser.get(SiteURL.sessions)
            let ids = try await BrowserSession.query(on: app.db).filter(\.$userID == user.id!).all(\.$id).compactMap { $0 }
            #expect(ids.count == 2)
            for id in ids { #expect(page.text.contains(id.uuidString)) }
            // Someone else's session answers 404 and survives.
            let stranger = Browser(app)
            try await stranger.signIn(other.email)
            try await stranger.get(SiteURL.sessions)
            #expect(try await stranger.post(SiteURL.session(ids[0].uuidString) + "/end").status == .notFound)
            try await browser.get(SiteURL.sessions)
            let ended = try await browser.post(SiteURL.sessions + "/end-others")
            #expect(ended.status == .seeOther)
            #expect(try await phone.get(SiteURL.home).location == SiteURL.login)
            #expect(try await browser.get(SiteURL.home).status == .ok)
        }
    }

    @Test func languagePreferenceIsSaved() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker], language: .fr)
            let browser = Browser(app)
            try await browser.signIn(user.email)
            try await browser.get(SiteURL.account)
            #expect(try await browser.post(SiteURL.account + "/language", [("language", "en")]).status == .seeOther)
            #expect(try await User.find(user.id, on: app.db)?.language == "en")
            try await browser.get(SiteURL.account)
            #expect(try await browser.post(SiteURL.account + "/language", [("language", "klingon")]).status == .unprocessableEntity)
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
                    SiteURL.home, SiteURL.account, SiteURL.accountTwoFactor, SiteURL.sessions, SiteURL.organisations,
                    SiteURL.organisations + "/new", SiteURL.organisation(organisation.id!.uuidString), SiteURL.users,
                    SiteURL.users + "/new", SiteURL.user(admin.id!.uuidString), SiteURL.audit,
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
