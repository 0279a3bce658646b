import Crypto
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct TwoFactorTests {
    static func code(secret: String, at date: Date = Date()) -> String {
        let key = SymmetricKey(data: Base32.decode(secret.replacingOccurrences(of: " ", with: ""))!)
        return TOTP(key: key, digest: .sha1, digits: .six, interval: 30).generate(time: date)
    }

    static func secret(in html: String) throws -> String {
        let range = try #require(html.range(of: #"<code class="secret">[A-Z2-7 ]+</code>"#, options: .regularExpression))
        return String(html[range]).replacingOccurrences(of: #"<code class="secret">"#, with: "")
            .replacingOccurrences(of: "</code>", with: "").replacingOccurrences(of: " ", with: "")
    }

    @Test func base32RoundTrips() {
        let bytes: [UInt8] = (0..<20).map { UInt8($0 * 13 % 256) }
        #expect(Base32.decode(Base32.encode(bytes)) == bytes)
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
    }

    @Test func requiredByDefaultSetUpAtFirstSignInThenAskedEachTime() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker], exempt: false)
            let browser = Browser(app)
            // MUT: password accepted, but the home page stays closed until the second factor.
            let afterPassword = try await browser.signIn(user.email)
            #expect(afterPassword.location == SiteURL.twoFactorSetup.path)
            #expect(try await browser.get(SiteURL.home.path).location == SiteURL.login.path)
            let setup = try await browser.get(SiteURL.twoFactorSetup.path)
            let secret = try Self.secret(in: setup.text)
            #expect(setup.text.contains("otpauth://totp/"))
            let bad = try await browser.post(SiteURL.twoFactorSetup.path, [("code", "000000")])
            #expect(bad.status == .unprocessableEntity)
            let code = Self.code(secret: secret)
            let done = try await browser.post(SiteURL.twoFactorSetup.path, [("code", code)])
            #expect(done.location == SiteURL.home.path)
            #expect(try await browser.get(SiteURL.home.path).status == .ok)
            // Stored sealed, never in clear.
            let stored = try #require(try await User.find(user.id, on: app.db)?.totpSecret)
            #expect(stored != secret && !stored.contains(secret))
            #expect(TwoFactor.open(stored, userID: user.id!, master: app.masterKey) == secret)

            // Next sign-in: the code page; the same code cannot be used twice.
            let second = Browser(app)
            #expect(try await second.signIn(user.email).location == SiteURL.twoFactor.path)
            try await second.get(SiteURL.twoFactor.path)
            let replay = try await second.post(SiteURL.twoFactor.path, [("code", code)])
            #expect(replay.status == .unprocessableEntity)
            let next = Self.code(secret: secret, at: Date().addingTimeInterval(30))
            let accepted = try await second.post(SiteURL.twoFactor.path, [("code", next)])
            #expect(accepted.location == SiteURL.home.path)
            let actions = try await AuditEvent.query(on: app.db).all(\.$action)
            #expect(actions.contains(AuditAction.twoFactorEnabled.rawValue))
            #expect(actions.contains(AuditAction.twoFactorFailed.rawValue))
        }
    }

    @Test func wrongCodesAreThrottled() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker], exempt: false)
            let secret = TwoFactor.newSecret()
            user.totpSecret = secret
            try await user.save(on: app.db)
            let browser = Browser(app)
            try await browser.signIn(user.email)
            try await browser.get(SiteURL.twoFactor.path)
            for _ in 1...5 { try await browser.post(SiteURL.twoFactor.path, [("code", "123456")]) }
            let locked = try await browser.post(SiteURL.twoFactor.path, [("code", Self.code(secret: secret))])
            #expect(locked.status == .tooManyRequests)
            #expect(try await browser.get(SiteURL.home.path).location == SiteURL.login.path)
        }
    }

    @Test func demoModeExemptsOnlyDemoAccountsAndSaysSo() async throws {
        try await withTestApp({ $0.demoMode = true }) { app in
            let accounts = try await DemoSeeder.seed(app, password: Fixtures.password)
            let browser = Browser(app, acceptLanguage: "en")
            let response = try await browser.signIn(accounts[0].email)
            #expect(response.location == SiteURL.home.path)
            #expect(try await browser.get(SiteURL.home.path).text.contains("Démonstration : toutes les données sont fictives."))
            // An account created by an admin is not exempt, even on a demo install.
            let organisation = try await Fixtures.organisation(app)
            let real = try await Fixtures.user(app, in: organisation, roles: [.caseworker], exempt: false)
            #expect(try await Browser(app).signIn(real.email).location == SiteURL.twoFactorSetup.path)
        }
    }
}
