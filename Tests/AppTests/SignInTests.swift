import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct SignInTests {
    @Test func loginPageFollowsTheBrowserLanguageAndHasTheFormFields() async throws {
        try await withTestApp { app in
            let french = try await Browser(app, acceptLanguage: "fr-CA,fr;q=0.9").get(SiteURL.login.path)
            #expect(french.status == .ok)
            #expect(french.text.contains(#"<html lang="fr-CA">"#))
            #expect(french.text.contains("Connexion"))
            let english = try await Browser(app, acceptLanguage: "en").get(SiteURL.login.path)
            #expect(english.text.contains(#"<html lang="en-CA">"#))
            #expect(english.text.contains("Sign in"))
            for field in [#"name="email""#, #"name="password""#, #"type="hidden" name="_csrf""#] {
                #expect(english.text.contains(field))
            }
        }
    }

    @Test func langParameterSwitchesAndIsRemembered() async throws {
        try await withTestApp { app in
            let browser = Browser(app, acceptLanguage: "fr-CA")
            let switched = try await browser.get(SiteURL.login.path + "?lang=en")
            #expect(switched.text.contains(#"<html lang="en-CA">"#))
            #expect(switched.text.contains(#"href="/login?lang=fr""#))
            let later = try await browser.get(SiteURL.login.path)
            #expect(later.text.contains(#"<html lang="en-CA">"#))
        }
    }

    @Test func signedInUsersChoiceIsSavedToTheirAccount() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker], language: .fr)
            let browser = Browser(app)
            try await browser.signIn(user.email)
            try await browser.get(SiteURL.home.path + "?lang=en")
            let saved = try await User.find(user.id, on: app.db)
            #expect(saved?.language == "en")
            // A new browser without the cookie gets the saved preference after signing in.
            let other = Browser(app, acceptLanguage: "fr")
            try await other.signIn(user.email)
            #expect(try await other.get(SiteURL.home.path).text.contains("Hello,"))
        }
    }

    @Test func signInWithoutTheFormTokenIsRefused() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app)
            try await browser.get(SiteURL.login.path)
            let response = try await browser.post(SiteURL.login.path, [("email", user.email), ("password", Fixtures.password)], csrf: false)
            #expect(response.status == .forbidden)
            let wrongToken = try await browser.post(
                SiteURL.login.path, [("email", user.email), ("password", Fixtures.password), ("_csrf", "forged")], csrf: false)
            #expect(wrongToken.status == .forbidden)
            // A form posted from another site is refused even with a token.
            let crossSite = try await browser.post(
                SiteURL.login.path, [("email", user.email), ("password", Fixtures.password)],
                headers: ["Origin": "https://attacker.example"])
            #expect(crossSite.status == .forbidden)
            #expect(try await User.find(user.id, on: app.db)?.lastSignInAt == nil)
        }
    }

    @Test func signInRotatesTheSessionAndSetsAHardenedCookie() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app)
            try await browser.get(SiteURL.login.path)
            let before = browser.cookies["passerelle"]
            #expect(before != nil)
            let response = try await browser.post(SiteURL.login.path, [("email", "  \(user.email.uppercased()) "), ("password", Fixtures.password)])
            #expect(response.status == .seeOther)
            #expect(response.location == SiteURL.home.path)
            let cookie = try #require(response.headers[.setCookie].first { $0.hasPrefix("passerelle=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(!cookie.contains("Expires"))
            #expect(browser.cookies["passerelle"] != before)
            // The stored key is a hash, never the cookie value.
            let stored = try await BrowserSession.query(on: app.db).filter(\.$userID == user.id!).all()
            #expect(stored.count == 1)
            #expect(stored[0].keyHash != browser.cookies["passerelle"])
            #expect(stored[0].keyHash == Secrets.sha256Hex(browser.cookies["passerelle"]!))
            #expect(try await BrowserSession.query(on: app.db).filter(\.$keyHash == Secrets.sha256Hex(before!)).count() == 0)
            let home = try await browser.get(SiteURL.home.path)
            #expect(home.status == .ok)
            #expect(home.headers.first(name: .cacheControl) == "no-store")
        }
    }

    @Test func theSameAnswerWhetherOrNotTheAccountExists() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.get(SiteURL.login.path)
            let wrongPassword = try await browser.post(SiteURL.login.path, [("email", user.email), ("password", "not the right password")])
            let unknown = try await browser.post(SiteURL.login.path, [("email", "nobody@fictif.example"), ("password", "not the right password")])
            #expect(wrongPassword.status == unknown.status)
            #expect(wrongPassword.status == .unauthorized)
            #expect(wrongPassword.text.contains("Incorrect e-mail address or password."))
            #expect(unknown.text.contains("Incorrect e-mail address or password."))
            // What was typed is kept, the password is not.
            #expect(unknown.text.contains(#"value="nobody@fictif.example""#))
            #expect(!unknown.text.contains("not the right password"))
            #expect(try await User.find(user.id, on: app.db)?.failedSinceLastSignIn == 1)
        }
    }

    @Test func emptyFieldsAreReportedBesideEachField() async throws {
        try await withTestApp { app in
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.get(SiteURL.login.path)
            let response = try await browser.post(SiteURL.login.path, [("email", "<b>typed</b>"), ("password", "")])
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains(#"id="password-error">Ce champ est obligatoire."#))
            #expect(response.text.contains("&lt;b&gt;typed&lt;/b&gt;"))
            #expect(!response.text.contains("<b>typed</b>"))
        }
    }

    @Test func sixWrongPasswordsLockTheAccountForAWhile() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.get(SiteURL.login.path)
            for attempt in 1...6 {
                try await browser.post(SiteURL.login.path, [("email", user.email), ("password", "wrong password \(attempt)")])
            }
            // MUT: the right password is refused while locked.
            let response = try await browser.post(SiteURL.login.path, [("email", user.email), ("password", Fixtures.password)])
            #expect(response.status == .tooManyRequests)
            #expect(response.text.contains("Too many attempts"))
            #expect(browser.cookies["passerelle"] != nil)
            #expect(try await browser.get(SiteURL.home.path).status == .seeOther)
            let throttled = try await AuditEvent.query(on: app.db).filter(\.$action == AuditAction.signInThrottled.rawValue).count()
            #expect(throttled >= 1)
        }
    }

    @Test func lockedAccountOpensAgainAfterTheWindow() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            // setup: five failures sixteen minutes ago
            for _ in 1...5 {
                try await SignInFailure(scope: "account", subject: user.email, at: Date().addingTimeInterval(-16 * 60)).create(on: app.db)
            }
            let response = try await Browser(app).signIn(user.email)
            #expect(response.status == .seeOther)
            #expect(response.location == SiteURL.home.path)
        }
    }

    @Test func homeShowsPreviousSignInAndFailuresSince() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker, .supervisor], language: .en)
            try await Browser(app).signIn(user.email)
            let attacker = Browser(app)
            try await attacker.get(SiteURL.login.path)
            try await attacker.post(SiteURL.login.path, [("email", user.email), ("password", "guess number one")])
            try await attacker.post(SiteURL.login.path, [("email", user.email), ("password", "guess number two")])
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.signIn(user.email)
            let home = try await browser.get(SiteURL.home.path)
            #expect(home.text.contains("Previous sign-in:"))
            #expect(home.text.contains("Warning: 2 failed sign-in attempts"))
            #expect(home.text.contains("Caseworker"))
            #expect(home.text.contains("Supervisor"))
            #expect(home.text.contains(organisation.name))
        }
    }

    @Test func signOutEndsTheSessionOnTheServer() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app)
            try await browser.signIn(user.email)
            let stolen = browser.cookies
            try await browser.get(SiteURL.home.path)
            let response = try await browser.post(SiteURL.logout.path)
            #expect(response.status == .seeOther)
            #expect(try await BrowserSession.query(on: app.db).filter(\.$userID == user.id!).count() == 0)
            // A copy of the old cookie no longer opens anything.
            let replay = Browser(app)
            replay.cookies = stolen
            #expect(try await replay.get(SiteURL.home.path).location == SiteURL.login.path)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == AuditAction.signOut.rawValue).count() == 1)
        }
    }

    @Test func idleSessionsExpire() async throws {
        // Fifteen seconds: with the whole suite running at once on two cores, more than five passed
        // between signing in and the next page.
        try await withTestApp({ $0.sessionLifetime = SessionLifetime(idle: 15, absolute: 60) }) { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app)
            try await browser.signIn(user.email)
            #expect(try await browser.get(SiteURL.home.path).status == .ok)
            try await Task.sleep(for: .milliseconds(15_500))
            #expect(try await browser.get(SiteURL.home.path).location == SiteURL.login.path)
        }
    }

    @Test func absoluteLifetimeEndsEvenActiveSessions() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app)
            try await browser.signIn(user.email)
            try await BrowserSession.query(on: app.db).filter(\.$userID == user.id!)
                .set(\.$createdAt, to: Date().addingTimeInterval(-13 * 3600)).update()
            #expect(try await browser.get(SiteURL.home.path).location == SiteURL.login.path)
        }
    }

    @Test func httpsInstallsUseSecureHostPrefixedCookiesAndHSTS() async throws {
        try await withTestApp({ $0.publicURL = "https://passerelle.example" }) { app in
            let response = try await Browser(app).get(SiteURL.login.path)
            let cookie = try #require(response.headers[.setCookie].first { $0.hasPrefix("__Host-passerelle=") })
            #expect(cookie.contains("Secure"))
            #expect(cookie.contains("Path=/"))
            #expect(response.headers.first(name: .strictTransportSecurity)?.contains("max-age=") == true)
        }
    }

    @Test func forwardedForIsIgnoredUnlessFromATrustedProxy() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app)
            try await browser.get(SiteURL.login.path)
            // An attacker rotating forged addresses still hits the account limit.
            for attempt in 1...5 {
                try await browser.post(
                    SiteURL.login.path, [("email", user.email), ("password", "wrong \(attempt) password")],
                    headers: ["X-Forwarded-For": "203.0.113.\(attempt)"])
            }
            let subjects = Set(try await SignInFailure.query(on: app.db).filter(\.$scope == "address").all(\.$subject))
            #expect(!subjects.contains { $0.hasPrefix("203.0.113.") })
        }
    }
}
