import Foundation
import Testing
import Vapor

@testable import App

@Suite struct RouteAccessTests {
    /// Every route must declare who may use it; a route added without a policy fails here.
    @Test func everyRouteDeclaresAnAccessPolicy() async throws {
        try await withTestApp { app in
            // MUT
            let missing = app.routes.all.filter { $0.userInfo[AccessPolicy.userInfoKey] == nil }
            // validate
            #expect(app.routes.all.count > 20)
            #expect(missing.isEmpty, "routes without an access policy: \(missing.map(\.description))")
        }
    }

    /// Administrative pages refuse the roles that must not use them.
    @Test func rolePoliciesAreEnforced() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let caseworker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app)
            try await browser.signIn(caseworker.email)
            // MUT + validate
            for path in [
                SiteURL.users.path, SiteURL.audit.path, SiteURL.organisations.path, SiteURL.users.path + "/new", SiteURL.organisations.path + "/new",
            ] {
                let response = try await browser.get(path)
                #expect(response.status == .forbidden, "\(path)")
            }
            #expect(try await browser.get(SiteURL.home.path).status == .ok)
        }
    }

    @Test func signedOutVisitorsAreSentToTheSignInPage() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            for path in [SiteURL.home.path, SiteURL.account.path, SiteURL.users.path, SiteURL.audit.path, SiteURL.sessions.path] {
                let response = try await browser.get(path)
                #expect(response.status == .seeOther, "\(path)")
                // Back to the page asked for after signing in; the home page is where one lands anyway.
                #expect(response.location == SiteURL.login.path + (path == SiteURL.home.path ? "" : "?next=" + path))
            }
        }
    }
}
