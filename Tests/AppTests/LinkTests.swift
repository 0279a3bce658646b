import Domain
import Fluent
import Foundation
import Testing
import Vapor

@testable import App

/// Every link and form in the pages leads somewhere: each `href` and form `action` of every page
/// reachable by the people who use them matches a registered route (with its method) or a file in
/// `Public/`. A renamed route or a typo in a template's literal path fails here.
@Suite struct LinkTests {
    struct Target: Hashable {
        let method: String
        let path: String
        init(method: HTTPMethod, path: String) {
            self.method = method.rawValue
            self.path = path
        }
    }

    static func targets(in html: String) -> Set<Target> {
        var found: Set<Target> = []
        let decoded = { (text: Substring) in String(text).replacingOccurrences(of: "&amp;", with: "&") }
        for match in html.matches(of: /href="(\/[^"#?]*)[^"]*"/) { found.insert(Target(method: .GET, path: decoded(match.output.1))) }
        for match in html.matches(of: /<form[^>]*method="(get|post)"[^>]*action="(\/[^"#?]*)[^"]*"/) {
            found.insert(Target(method: match.output.1 == "get" ? .GET : .POST, path: decoded(match.output.2)))
        }
        for match in html.matches(of: /<form[^>]*action="(\/[^"#?]*)[^"]*"[^>]*method="(get|post)"/) {
            found.insert(Target(method: match.output.2 == "get" ? .GET : .POST, path: decoded(match.output.1)))
        }
        return found
    }

    /// Whether a registered route (or a public file) answers this method and path.
    static func isRouted(_ target: Target, in app: Application) -> Bool {
        let parts = target.path.split(separator: "/").map(String.init)
        if target.method == "GET", FileManager.default.fileExists(atPath: app.directory.publicDirectory + parts.joined(separator: "/")) {
            return true
        }
        return app.routes.all.contains { route in
            guard route.method.rawValue == target.method else { return false }
            let pattern = route.path
            if pattern.contains(where: { $0 == .catchall }) { return true }
            guard pattern.count == parts.count else { return false }
            return zip(pattern, parts).allSatisfy { component, part in
                switch component {
                case .constant(let constant): constant == part
                case .parameter: !part.isEmpty
                case .anything: true
                case .catchall: true
                }
            }
        }
    }

    /// Visits pages breadth-first from `start`, following same-site links, at most `limit` pages.
    static func crawl(_ browser: Browser, from start: [String], limit: Int = 60) async throws -> (visited: Int, targets: Set<Target>) {
        var queue = start
        var seen = Set(start)
        var targets: Set<Target> = []
        var visited = 0
        while !queue.isEmpty, visited < limit {
            let path = queue.removeFirst()
            // Links with side effects on GET (the language switch) and downloads are not followed.
            let response = try await browser.get(path)
            visited += 1
            guard response.status == .ok, response.headers.first(name: .contentType)?.contains("text/html") == true else { continue }
            let found = Self.targets(in: response.text)
            targets.formUnion(found)
            for target in found
            where target.method == "GET" && !seen.contains(target.path)
                && !target.path.hasPrefix("/css") && !target.path.hasPrefix("/img") && !target.path.hasSuffix(".ics")
                && !target.path.hasSuffix("export.json") && !target.path.hasSuffix(".csv") && !target.path.contains("/documents/")
            {
                seen.insert(target.path)
                queue.append(target.path)
            }
        }
        return (visited, targets)
    }

    @Test func everyLinkAndFormOfEveryPageLeadsToARoute() async throws {
        try await withTestApp { app in
            // setup: an organisation with a case that has a bit of everything, and one account per kind of user
            let network = try await Fixtures.organisation(app, name: "Réseau Fictif (test)")
            let organisation = try await Fixtures.organisation(app, name: "Maison Refuge-Fictif (test)")
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker, .supervisor])
            let people: [User] = [
                worker,
                try await Fixtures.user(app, in: organisation, roles: [.orgAdmin]),
                try await Fixtures.user(app, in: network, roles: [.systemAdmin]),
                try await Fixtures.user(app, in: network, roles: [.networkCoordinator]),
            ]
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(worker.email)
            let id = try await CasesTests.open(browser, name: "Personne Fictive")
            try await browser.get(SiteURL.caseFile(.value(id)).path)
            try await browser.post(SiteURL.caseFile(.value(id)).path + "/notes", [("body", "Note fictive")])
            try await browser.get(SiteURL.caseFile(.value(id)).path)
            try await browser.post(SiteURL.caseFile(.value(id)).path + "/tasks", [("title", "Tâche fictive"), ("dueOn", "2026-01-05")])
            let pathway = try #require(try await PathwayType.query(on: app.db).filter(\.$code == "VOWP").filter(\.$isCurrent == true).first())
            try await browser.get(SiteURL.caseFile(.value(id)).path)
            try await browser.post(SiteURL.caseFile(.value(id)).path + "/applications", [("pathway", pathway.id!.uuidString)])

            // MUT
            var all: Set<Target> = []
            var pages = 0
            for person in people {
                let visitor = Browser(app, acceptLanguage: person.preferredLanguage.rawValue)
                try await visitor.signIn(person.email)
                let (visited, targets) = try await Self.crawl(visitor, from: [SiteURL.home.path])
                pages += visited
                all.formUnion(targets)
            }
            all.formUnion(try await Self.crawl(Browser(app), from: [SiteURL.login.path]).targets)

            // validate
            #expect(pages > 40, "only \(pages) pages visited")
            #expect(all.contains(Target(method: .POST, path: SiteURL.caseFile(.value(id)).path + "/notes")))
            let broken = all.filter { !Self.isRouted($0, in: app) }
            #expect(broken.isEmpty, "links and forms without a route: \(broken.map { "\($0.method) \($0.path)" }.sorted())")
        }
    }

    /// Every path of the map, each with its parameters as keys.
    static let everyURL: [SiteURL] =
        [
            .root, .login, .twoFactor, .twoFactorSetup, .logout, .home, .account, .accountPassword, .accountLanguage, .accountDigest,
            .accountTwoFactor, .sessions, .sessionEnd(.key), .sessionsEndOthers, .organisations, .organisationNew, .organisation(.key),
            .users, .userNew, .user(.key), .audit, .healthz, .metrics, .setPassword(.key), .cases, .caseNew, .caseSettings,
            .caseFile(.key), .deadlines, .deadlinesCalendar, .calendarFeed(user: .key, token: .key), .figures, .figuresCSV, .pathways,
            .pathway(.key), .directory, .directoryStale, .directoryService(.key), .directoryCSV, .directoryHSDS(.key), .referrals, .referral(.key),
            .directoryNew, .directoryImport, .directoryImportApply(.key),
        ] + SiteURL.UserAction.allCases.map { .userAction(.key, $0) } + SiteURL.CasePart.allCases.map { .casePart(.key, $0) }
        + SiteURL.CaseItem.allCases.map { .caseItem(.key, $0, .key) }
        + SiteURL.DirectoryAction.allCases.map { .directoryAction(.key, $0) }
        + SiteURL.ReferralAction.allCases.map { .referralAction(.key, $0) }

    @Test func everyPathOfTheMapIsRegisteredAndBuildsItsLinks() async throws {
        try await withTestApp { app in
            // setup
            let registered = Set(app.routes.all.map { $0.path.map(\.description).joined(separator: "/") })
            // MUT
            let missing = Self.everyURL.filter { !registered.contains($0.pathComponents.map(\.description).joined(separator: "/")) }
            // validate
            #expect(missing.isEmpty, "not registered: \(missing.map(\.path))")
            #expect(SiteURL.caseItem(.value("c"), .consentWithdraw, .value("k")).path == "/cases/c/consents/k/withdraw")
            #expect(SiteURL.casePart(.key, .safeContact).path == "/cases/:id/safe-contact")
            #expect(SiteURL.root.path == "/")
        }
    }

    /// Templates take their links from their context (`page.links`, a case's `links`, a row's
    /// `href`): the only literal paths left are the stylesheet and the icon in `Public/`.
    @Test func templatesSpellNoPathOfTheirOwn() throws {
        // setup
        let views = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Resources/Views").standardized
        let files = try #require(FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)).compactMap { $0 as? URL }
            .filter { $0.pathExtension == "leaf" }
        // MUT
        var literal: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: /(?:href|action)="(\/[^"]*)"/) where !["/css/app.css", "/img/favicon.svg"].contains(String(match.output.1))
            {
                literal.append("\(file.lastPathComponent): \(match.output.1)")
            }
        }
        // validate
        #expect(files.count > 20)
        #expect(literal.isEmpty, "\(literal)")
    }
}
