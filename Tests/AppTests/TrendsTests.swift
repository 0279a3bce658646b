import Domain
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import App

/// The network's trends through the pages: only consented cases count, a withdrawal or a purge
/// takes a case out at once, the kept counts equal a full recount after random writes, the CSV
/// publishes `x`, 0 or at least 11 with totals that add up, a release is kept, French and
/// English hold the same numbers, who may see what, and bad input.
@Suite struct TrendsTests {
    struct Network {
        let organisation: Organisation
        let caseworker: User
        let supervisor: User
        let coordinator: User
        let cases: [CaseFile]
    }

    /// `count` cases in Alberta, all in the current month; `consented` of them agree to statistics (through the page).
    static func network(_ app: Application, count: Int, consented: Int) async throws -> Network {
        let organisation = try await Fixtures.organisation(app, name: "Organisme Tendances (test)", provinces: [.AB])
        let caseworker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
        let supervisor = try await Fixtures.user(app, in: organisation, roles: [.supervisor, .caseworker])
        let coordination = try await Fixtures.organisation(app, name: "Coordination Fictive (test)")
        let coordinator = try await Fixtures.user(app, in: coordination, roles: [.networkCoordinator])
        var cases: [CaseFile] = []
        for index in 0..<count {
            cases.append(try await Fixtures.openCase(app, in: organisation, by: caseworker, name: "Personne Exemple \(index)", province: .AB))
        }
        let browser = Browser(app)
        try await browser.signIn(caseworker.email)
        try await browser.get(SiteURL.home.path)
        for file in cases.prefix(consented) { try await Self.consent(browser, file) }
        return Network(organisation: organisation, caseworker: caseworker, supervisor: supervisor, coordinator: coordinator, cases: cases)
    }

    static func consent(_ browser: Browser, _ file: CaseFile) async throws {
        let response = try await browser.post(
            SiteURL.casePart(.value(file.id!.uuidString), .consents).path,
            [("kind", "statistics"), ("givenOn", "2026-01-05"), ("method", "verbal"), ("language", "français")])
        #expect(response.status == .seeOther)
    }

    static func casesInAlberta(_ app: Application) async throws -> Int {
        try await EvidenceFacts.kept(on: app.db).filter { $0.key.dimension == .cases && $0.key.province == .AB }.values.reduce(0, +)
    }

    static func experience(_ browser: Browser, _ file: CaseFile, _ fields: [(String, String)]) async throws {
        let version = try await CaseExperience.query(on: browser.app.db).filter(\.$caseID == file.id!).first()?.version ?? 0
        let response = try await browser.post(
            SiteURL.casePart(.value(file.id!.uuidString), .experience).path, [("version", String(version))] + fields)
        #expect(response.status == .seeOther)
    }

    /// Parses a CSV export (the writer quotes fields with commas; these tables have none in numbers).
    static func parse(_ text: String) -> [[String]] {
        text.split(whereSeparator: \.isNewline).map { line in
            var fields: [String] = [], field = "", quoted = false
            for character in line {
                if character == "\"" {
                    quoted.toggle()
                } else if character == ",", !quoted {
                    fields.append(field)
                    field = ""
                } else {
                    field.append(character)
                }
            }
            fields.append(field)
            return fields
        }
    }

    @Test func onlyConsentedCasesCountAndAWithdrawalOrAPurgeTakesThemOut() async throws {
        try await withTestApp { app in
            // setup
            let n = try await Self.network(app, count: 8, consented: 6)
            let browser = Browser(app)
            try await browser.signIn(n.caseworker.email)
            try await browser.get(SiteURL.home.path)
            #expect(try await Self.casesInAlberta(app) == 6)
            // MUT: a withdrawal through the page, then a purge.
            let consent = try await CaseConsent.query(on: app.db).filter(\.$caseID == n.cases[0].id!).first()!
            let withdrawn = try await browser.post(
                SiteURL.caseItem(.value(n.cases[0].id!.uuidString), .consentWithdraw, .value(consent.id!.uuidString)).path,
                [("confirm", "yes")])
            #expect(withdrawn.status == .seeOther)
            #expect(try await Self.casesInAlberta(app) == 5)
            try await app.db.writeTransaction { db in try await CaseService.purge(n.cases[1], vault: CaseVault(master: app.masterKey), on: db) }
            // validate
            #expect(try await Self.casesInAlberta(app) == 4)
            #expect(
                try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM evidence_facts").first()!.decode(column: "n", as: Int.self) == 4
            )
            let facts = try await (app.db as! any SQLDatabase).raw("SELECT token, fact FROM evidence_facts").all()
            for row in facts {
                let text = try row.decode(column: "fact", as: String.self) + (try row.decode(column: "token", as: String.self))
                #expect(!n.cases.contains { text.contains($0.id!.uuidString) }, "a contribution names its case")
            }
        }
    }

    @Test func theTrendsPageReadsTheCountsAgainOnlyWhenTheyMove() async throws {
        try await withTestApp { app in
            // setup
            let n = try await Self.network(app, count: 3, consented: 2)
            let sql = app.db as! any SQLDatabase
            let year = Calendar(identifier: .gregorian).component(.year, from: Date())
            let selection = TrendsQueries.Selection(
                period: EvidencePeriod(from: .init(year: year - 5, month: 1), to: .init(year: year + 1, month: 12)), provinces: [.AB])
            let cache = TrendsCache()
            func alberta(_ counts: TrendsQueries.Counts) -> Int { counts.casesByMonth.filter { $0.province == .AB }.map(\.count).reduce(0, +) }
            let before = try await EvidenceStamp.current(on: sql)
            #expect(alberta(try await TrendsQueries.counts(selection, cache: cache, on: app.db)) == 2)
            // MUT: a count changed behind the cache's back is not seen until the stamp moves...
            try await sql.raw("UPDATE evidence_counts SET count = count WHERE 1 = 0").run()
            #expect(try await EvidenceStamp.current(on: sql) == before)
            let browser = Browser(app)
            try await browser.signIn(n.caseworker.email)
            try await browser.get(SiteURL.home.path)
            try await Self.consent(browser, n.cases[2])
            // validate: ...and a consent through the page moves it.
            #expect(try await EvidenceStamp.current(on: sql) > before)
            #expect(alberta(try await TrendsQueries.counts(selection, cache: cache, on: app.db)) == 3)
            let own = try await TrendsQueries.counts(selection, organisationID: n.organisation.id!, cache: cache, on: app.db)
            #expect(alberta(own) == 3)
        }
    }

    @Test func theMicrodataIsKAnonymousKeptAsAReleaseAndForCoordinatorsOnly() async throws {
        try await withTestApp { app in
            // setup: twelve consented cases in Alberta, a thirteenth without consent.
            let n = try await Self.network(app, count: 13, consented: 12)
            let coordinator = Browser(app)
            try await coordinator.signIn(n.coordinator.email)
            let page = try await coordinator.get(SiteURL.networkTrends.path)
            let link = try #require(
                page.text.range(of: #"/network/microdata\?[^"]+"#, options: .regularExpression).map {
                    String(page.text[$0]).replacingOccurrences(of: "&amp;", with: "&")
                })
            // MUT
            let first = try await coordinator.get(link)
            let again = try await coordinator.get(link)
            // validate: one row per consented case, every row in a class of at least 11, the same release twice.
            #expect(first.status == .ok && first.headers.contentType?.description.hasPrefix("text/csv") == true)
            let rows = Self.parse(first.body.string.replacingOccurrences(of: "\u{FEFF}", with: ""))
            #expect(rows.first == Microdata.quasiIdentifiers)
            #expect(rows.count == 13)
            #expect(Microdata.smallestClass(Array(rows.dropFirst())) ?? 0 >= 11)
            #expect(again.body.string == first.body.string)
            #expect(first.headers.first(name: "Passerelle-Suppressions") != nil)
            #expect(!first.body.string.contains("Personne Exemple"))
            let after = try await coordinator.get(SiteURL.networkTrends.path)
            #expect(after.text.contains("Déjà publiées pour cette sélection : 12 lignes"))
            // A supervisor sees the tables but neither the link nor the microdata.
            let supervisor = Browser(app)
            try await supervisor.signIn(n.supervisor.email)
            #expect(!(try await supervisor.get(SiteURL.networkTrends.path)).text.contains("/network/microdata"))
            #expect(try await supervisor.get(link).status == .forbidden)
            #expect(try await coordinator.get(SiteURL.networkMicrodata.path + "?from=2026-13&to=2026-01").status == .badRequest)
        }
    }

    @Test func theKeptCountsEqualAFullRecountAfterRandomWrites() async throws {
        try await withTestApp { app in
            // setup
            let n = try await Self.network(app, count: 10, consented: 7)
            let browser = Browser(app)
            try await browser.signIn(n.caseworker.email)
            try await browser.get(SiteURL.home.path)
            var generator = SeededGenerator(seed: 14)
            let types = ExploitationType.allCases.map(\.rawValue), controls = ControlMethod.allCases.map(\.rawValue)
            // MUT: random experiences, needs, consents, withdrawals and a purge, each through its own write path.
            for step in 0..<30 {
                let file = n.cases[Int.random(in: 1..<n.cases.count, using: &generator)]
                switch Int.random(in: 0..<5, using: &generator) {
                case 0, 1:
                    try await Self.experience(
                        browser, file,
                        [
                            ("exploitationTypes[]", types.randomElement(using: &generator)!), ("exploitationTypes[]", "ForcedLabour"),
                            ("controlMethods[]", controls.randomElement(using: &generator)!), ("scope", ["domestic", "international"][step % 2]),
                            ("industry", "A_AgricultureForestryAndFishing"), ("fees", String(step * 400)), ("currency", "CAD"),
                            ("recruiterLicensed", ["yes", "no", "unknown"][step % 3]),
                        ])
                case 2:
                    let need = NeedKind.allCases.randomElement(using: &generator)!.rawValue
                    let status = NeedStatus.allCases.randomElement(using: &generator)!.rawValue
                    #expect(
                        try await browser.post(SiteURL.casePart(.value(file.id!.uuidString), .needs).path, [("needs[\(need)]", status)]).status
                            == .seeOther)
                case 3:
                    try await Self.consent(browser, file)
                default:
                    if let consent = try await CaseConsent.query(on: app.db).filter(\.$caseID == file.id!).filter(\.$withdrawnAt == nil).first() {
                        _ = try await browser.post(
                            SiteURL.caseItem(.value(file.id!.uuidString), .consentWithdraw, .value(consent.id!.uuidString)).path, [("confirm", "yes")]
                        )
                    }
                }
            }
            try await app.db.writeTransaction { db in try await CaseService.purge(n.cases[0], vault: CaseVault(master: app.masterKey), on: db) }
            // validate
            let recount = try await EvidenceFacts.recount(on: app.db, vault: CaseVault(master: app.masterKey), now: Date())
            let kept = try await EvidenceFacts.kept(on: app.db)
            #expect(kept == EvidenceFacts.totals(of: recount.map(\.fact)))
            #expect(kept.keys.contains { $0.dimension == .exploitation }, "the random writes recorded no experience")
        }
    }

    @Test func everyExportedCountIsXZeroOrAtLeastElevenAndTheTotalsAddUp() async throws {
        try await withTestApp { app in
            // setup: 30 counted cases, most of them forced labour.
            let n = try await Self.network(app, count: 30, consented: 30)
            let browser = Browser(app)
            try await browser.signIn(n.caseworker.email)
            try await browser.get(SiteURL.home.path)
            for (index, file) in n.cases.enumerated() {
                try await Self.experience(
                    browser, file,
                    [
                        ("exploitationTypes[]", index % 5 == 0 ? "Servitude" : "ForcedLabour"),
                        ("scope", index % 3 == 0 ? "domestic" : "international"),
                    ])
            }
            let network = Browser(app)
            try await network.signIn(n.coordinator.email)
            // MUT
            let page = try await network.get(SiteURL.networkTrends.path)
            // validate
            #expect(page.status == .ok)
            for table in TrendTable.allCases {
                let link = SiteURL.networkTrendCSV(.value(table.rawValue + ".csv")).path
                #expect(page.body.string.contains("href=\"\(link)?"), "no CSV link for \(table.rawValue)")
                let range = page.body.string.range(of: "href=\"\(link)?")!
                let href = String(page.body.string[range.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
                let csv = try await network.get(link + "?" + href)
                #expect(csv.status == .ok && csv.headers.contentType?.description.hasPrefix("text/csv") == true)
                let lines = Self.parse(csv.body.string)
                #expect(lines.first?.last == "Total" && lines.last?.first == "Total")
                let numbers = lines.dropFirst().map { Array($0.dropFirst()) }
                for row in numbers {
                    for cell in row { #expect(cell == "x" || Int(cell).map { $0 == 0 || $0 >= 11 } == true, "\(table.rawValue): \(cell)") }
                }
                for row in numbers where !row.contains("x") {
                    #expect(row.dropLast().compactMap { Int($0) }.reduce(0, +) == Int(row.last!), "\(table.rawValue) row total")
                }
                for column in 0..<(numbers.first?.count ?? 0) {
                    let values = numbers.map { $0[column] }
                    guard !values.contains("x") else { continue }
                    #expect(values.dropLast().compactMap { Int($0) }.reduce(0, +) == Int(values.last!), "\(table.rawValue) column total")
                }
                if table == .scope { #expect(lines.contains { $0.contains("20") || $0.contains("x") }) }
            }
            // A release is kept: the same export after one more case gives the same cells.
            let href = SiteURL.networkTrendCSV(.value("cases-by-period.csv")).path
            let first = try await network.get(SiteURL.networkTrends.path)
            let start = first.body.string.range(of: "href=\"\(href)?")!
            let url = href + "?" + String(first.body.string[start.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
            let before = try await network.get(url).body.string
            let extra = try await Fixtures.openCase(app, in: n.organisation, by: n.caseworker, province: .AB)
            try await Self.consent(browser, extra)
            #expect(try await network.get(url).body.string == before)
            #expect(
                try await AuditEvent.query(on: app.db).filter(\.$action == AuditAction.trendsExported.rawValue).count() >= TrendTable.allCases.count)
        }
    }

    @Test func frenchAndEnglishHoldTheSameNumbers() async throws {
        try await withTestApp { app in
            // setup
            let n = try await Self.network(app, count: 14, consented: 12)
            let french = Browser(app, acceptLanguage: "fr-CA")
            let english = Browser(app, acceptLanguage: "en-CA")
            let frenchCoordinator = try await Fixtures.user(
                app, in: try await Organisation.find(n.coordinator.$organisation.id, on: app.db)!, roles: [.networkCoordinator], language: .en)
            try await french.signIn(n.coordinator.email)
            try await english.signIn(frenchCoordinator.email)
            // MUT
            let fr = try await french.get(SiteURL.networkTrends.path).body.string
            let en = try await english.get(SiteURL.networkTrends.path).body.string
            // validate
            func cells(_ html: String) -> [String] {
                html.components(separatedBy: "<td>").dropFirst().map { String($0.prefix { $0 != "<" }) }
            }
            #expect(fr.contains("Tendances régionales") && en.contains("Regional trends"))
            #expect(!cells(fr).isEmpty && cells(fr) == cells(en))
            #expect(fr.contains(">12<") || fr.contains("x"))
        }
    }

    @Test func whoSeesWhat() async throws {
        try await withTestApp { app in
            // setup
            let n = try await Self.network(app, count: 6, consented: 6)
            let caseworker = Browser(app), supervisor = Browser(app), coordinator = Browser(app)
            try await caseworker.signIn(n.caseworker.email)
            try await supervisor.signIn(n.supervisor.email)
            try await coordinator.signIn(n.coordinator.email)
            // MUT & validate
            #expect(try await caseworker.get(SiteURL.networkTrends.path).status == .forbidden)
            let own = try await supervisor.get(SiteURL.networkTrends.path)
            #expect(own.status == .ok && own.body.string.contains("votre organisation"))
            let network = try await coordinator.get(SiteURL.networkTrends.path)
            #expect(network.status == .ok && !network.body.string.contains("votre organisation"))
            #expect(!network.body.string.contains("Organisme Tendances"), "an organisation is named")
            #expect([.forbidden, .notFound].contains(try await coordinator.get(SiteURL.caseFile(.value(n.cases[0].id!.uuidString)).path).status))
        }
    }

    @Test func badInputGetsAMessageBesideItsFieldAndKeepsWhatWasTyped() async throws {
        try await withTestApp { app in
            // setup
            let n = try await Self.network(app, count: 1, consented: 1)
            let coordinator = Browser(app)
            try await coordinator.signIn(n.coordinator.email)
            // MUT & validate
            let month = try await coordinator.get(SiteURL.networkTrends.path + "?from=2026-13&to=2026-01")
            #expect(
                month.status == .unprocessableEntity && month.body.string.contains("from-error") && month.body.string.contains("value=\"2026-13\""))
            let reversed = try await coordinator.get(SiteURL.networkTrends.path + "?from=2026-06&to=2026-01")
            #expect(reversed.status == .unprocessableEntity && reversed.body.string.contains("to-error"))
            let future = try await coordinator.get(SiteURL.networkTrends.path + "?from=2026-01&to=2099-01")
            #expect(future.status == .unprocessableEntity)
            let province = try await coordinator.get(SiteURL.networkTrends.path + "?province=ZZ")
            #expect(province.status == .unprocessableEntity && province.body.string.contains("province-error"))
            #expect(try await coordinator.get(SiteURL.networkTrendCSV(.value("nothing.csv")).path).status == .notFound)
            #expect(try await coordinator.get(SiteURL.networkTrendCSV(.value("scope.csv")).path + "?from=x").status == .badRequest)
        }
    }
}

/// The trends page's cache: values kept per stamp, and one computation for callers arriving together.
@Suite struct StampedCacheTests {
    actor Counter {
        var calls = 0
        func add() -> Int {
            calls += 1
            return calls
        }
    }

    @Test func callersArrivingTogetherShareOneComputation() async throws {
        // setup
        let cache = StampedCache<String, Int>(capacity: 4)
        let counter = Counter()
        // MUT: twenty callers ask at once for a value that takes a while to compute
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await cache.value("AB", stamp: 7) {
                        try await Task.sleep(for: .milliseconds(50))
                        return await counter.add()
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // validate: computed once, kept for that stamp, computed again when the stamp moves
        #expect(values == Array(repeating: 1, count: 20))
        #expect(await counter.calls == 1)
        #expect(cache.value("AB", stamp: 7) == 1)
        #expect(cache.value("AB", stamp: 8) == nil)
        let moved = try await cache.value("AB", stamp: 8) { await counter.add() }
        #expect(moved == 2)
    }

    @Test func aFailedComputationIsNotKept() async throws {
        struct Failure: Error {}
        let cache = StampedCache<String, Int>(capacity: 4)
        await #expect(throws: Failure.self) { try await cache.value("QC", stamp: 1) { throw Failure() } }
        #expect(cache.value("QC", stamp: 1) == nil)
        #expect(try await cache.value("QC", stamp: 1) { 3 } == 3)
    }
}
