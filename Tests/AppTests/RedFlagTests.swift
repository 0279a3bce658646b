import Domain
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import App

/// Red flags across organisations through the pages: a name in two organisations' cases shows
/// as a count and nothing else, no clear text is kept, being put in touch needs both
/// supervisors, a purge takes the case's names away, and the coordinator sees counts only.
@Suite struct RedFlagTests {
    struct Side {
        let organisation: Organisation
        let caseworker: User
        let supervisor: User
        let file: CaseFile
    }

    static func side(_ app: Application, _ name: String, employers: String) async throws -> Side {
        let organisation = try await Fixtures.organisation(app, name: name, provinces: [.AB])
        let caseworker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
        let supervisor = try await Fixtures.user(
            app, in: organisation, roles: [.supervisor], email: "superviseure.\(UUID().uuidString.prefix(6).lowercased())@fictif.example")
        let file = try await Fixtures.openCase(app, in: organisation, by: caseworker, province: .AB)
        let browser = Browser(app)
        try await browser.signIn(caseworker.email)
        try await browser.get(SiteURL.home.path)
        try await TrendsTests.experience(
            browser, file, [("exploitationTypes[]", "ForcedLabour"), ("industry", LabourIndustry.allCases[0].rawValue), ("employers", employers)])
        try await TrendsTests.consent(browser, file)
        return Side(organisation: organisation, caseworker: caseworker, supervisor: supervisor, file: file)
    }

    static func casePage(_ app: Application, _ user: User, _ file: CaseFile) async throws -> (Browser, String) {
        let browser = Browser(app)
        try await browser.signIn(user.email)
        let page = try await browser.get(SiteURL.caseFile(.value(file.id!.uuidString)).path)
        #expect(page.status == .ok)
        return (browser, page.text)
    }

    static func flag(in html: String) -> String? {
        html.range(of: #"name="flag" value="[0-9a-f]{64}""#, options: .regularExpression).map { String(html[$0].dropLast().suffix(64)) }
    }

    @Test func aSharedNameShowsAsACountAndBothSupervisorsMustAskToBePutInTouch() async throws {
        try await withTestApp { app in
            // setup: the same employer written two ways in two organisations; a third with its own.
            let a = try await Self.side(app, "Organisme Alpha Fictif (test)", employers: "Ferme Imaginaire inc. (fictive) 403 555-0199")
            let b = try await Self.side(app, "Organisme Bêta Fictif (test)", employers: "FERME IMAGINAIRE")
            let c = try await Self.side(app, "Organisme Gamma Fictif (test)", employers: "Serres Uniques ltée")
            // validate: a count, never the other organisation.
            let (_, seenByWorker) = try await Self.casePage(app, a.caseworker, a.file)
            #expect(
                seenByWorker.contains("figure aussi dans des dossiers d&#39;un autre organisme")
                    || seenByWorker.contains("figure aussi dans des dossiers d'un autre organisme"))
            #expect(!seenByWorker.contains("Bêta") && !seenByWorker.contains("Demander une mise en relation"))
            let (_, third) = try await Self.casePage(app, c.caseworker, c.file)
            #expect(!third.contains("red-flags-heading"))
            // No clear text is kept beside the case.
            let sql = app.db as! any SQLDatabase
            for row in try await sql.raw("SELECT token, kind, sector, province FROM red_flag_tokens").all() {
                let token = try row.decode(column: "token", as: String.self)
                #expect(token.count == 64 && !token.contains("imaginaire"))
            }
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == AuditAction.redFlagsChecked.rawValue).count() >= 2)
            // MUT: Alpha's supervisor asks; Bêta's does not yet.
            let (alpha, alphaPage) = try await Self.casePage(app, a.supervisor, a.file)
            let token = try #require(Self.flag(in: alphaPage))
            let path = SiteURL.casePart(.value(a.file.id!.uuidString), .redFlags).path
            #expect(try await alpha.post(path, [("flag", token)]).status == .seeOther)
            let afterOne = try await alpha.get(SiteURL.caseFile(.value(a.file.id!.uuidString)).path).text
            #expect(afterOne.contains("Mise en relation demandée") && !afterOne.contains("Bêta"))
            let (beta, betaPage) = try await Self.casePage(app, b.supervisor, b.file)
            #expect(!betaPage.contains("Alpha"))
            // Someone else's token, a caseworker, another organisation's case: refused.
            let (gamma, gammaPage) = try await Self.casePage(app, c.supervisor, c.file)
            #expect(Self.flag(in: gammaPage) == nil)
            #expect(try await gamma.post(SiteURL.casePart(.value(c.file.id!.uuidString), .redFlags).path, [("flag", token)]).status == .notFound)
            #expect(try await gamma.post(path, [("flag", token)]).status == .notFound)
            let worker = Browser(app)
            try await worker.signIn(a.caseworker.email)
            try await worker.get(SiteURL.home.path)
            #expect(try await worker.post(path, [("flag", token)]).status == .forbidden)
            #expect(try await alpha.post(path, [("flag", "zz")]).status == .notFound)
            // Bêta asks too: each now sees the other, for this name only.
            #expect(
                try await beta.post(
                    SiteURL.casePart(.value(b.file.id!.uuidString), .redFlags).path, [("flag", try #require(Self.flag(in: betaPage)))]
                ).status == .seeOther)
            let alphaNow = try await alpha.get(SiteURL.caseFile(.value(a.file.id!.uuidString)).path).text
            let betaNow = try await beta.get(SiteURL.caseFile(.value(b.file.id!.uuidString)).path).text
            #expect(alphaNow.contains("Organisme Bêta Fictif (test)") && alphaNow.contains(b.supervisor.email))
            #expect(betaNow.contains("Organisme Alpha Fictif (test)") && betaNow.contains(a.supervisor.email))
            #expect(!alphaNow.contains("Gamma") && !betaNow.contains("Gamma"))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == AuditAction.redFlagContactRequested.rawValue).count() == 2)
            // validate: a purge takes the case's names out of every comparison.
            try await app.db.writeTransaction { db in try await CaseService.purge(b.file, vault: CaseVault(master: app.masterKey), on: db) }
            let alone = try await alpha.get(SiteURL.caseFile(.value(a.file.id!.uuidString)).path).text
            #expect(!alone.contains("red-flags-heading"))
        }
    }

    @Test func aKeyRotationKeepsTheFlagsAndTheRequestsToBePutInTouch() async throws {
        try await withTestApp { app in
            // setup: both supervisors asked about a shared name.
            let a = try await Self.side(app, "Organisme Delta Fictif (test)", employers: "Ferme Rotation inc.")
            let b = try await Self.side(app, "Organisme Epsilon Fictif (test)", employers: "ferme rotation")
            for side in [a, b] {
                let (browser, page) = try await Self.casePage(app, side.supervisor, side.file)
                let path = SiteURL.casePart(.value(side.file.id!.uuidString), .redFlags).path
                #expect(try await browser.post(path, [("flag", try #require(Self.flag(in: page)))]).status == .seeOther)
            }
            let before = try await (app.db as! any SQLDatabase).raw("SELECT token FROM red_flag_tokens").all().map {
                try $0.decode(column: "token", as: String.self)
            }
            // MUT
            let new = Envelope.newKey()
            _ = try await KeysCommand.rewrap(on: app.db, from: app.masterKey, to: new)
            app.masterKey = new
            // validate: new tokens, the same flag, the requests kept.
            let after = try await (app.db as! any SQLDatabase).raw("SELECT token FROM red_flag_tokens").all().map {
                try $0.decode(column: "token", as: String.self)
            }
            #expect(after.count == before.count && Set(after).isDisjoint(with: before))
            let (_, page) = try await Self.casePage(app, a.supervisor, a.file)
            #expect(page.contains("Organisme Epsilon Fictif (test)"))
        }
    }

    @Test func theCoordinatorSeesSharedNamesAsSuppressedCountsOnly() async throws {
        try await withTestApp { app in
            // setup: six organisations name the same recruiter's phone.
            var sides: [Side] = []
            for index in 0..<6 {
                sides.append(try await Self.side(app, "Organisme \(index) Fictif (test)", employers: "Sample Staffing Co. +1 (780) 555-0142"))
            }
            let coordination = try await Fixtures.organisation(app, name: "Coordination Rouge Fictive (test)")
            let coordinator = try await Fixtures.user(app, in: coordination, roles: [.networkCoordinator])
            let grid = try await TrendsQueries.sharedNamesGrid(
                TrendsQueries.Selection(
                    period: EvidencePeriod(from: .init(year: 2020, month: 1), to: .init(year: 2026, month: 12)), provinces: [.AB, .QC]),
                pathways: [], on: app.db)
            // Each organisation counted once for the name and once for the number.
            #expect(grid.counts.cells[0][0] == 12 && grid.counts.grid.last!.last! == 12)
            let browser = Browser(app)
            try await browser.signIn(coordinator.email)
            let page = try await browser.get(SiteURL.networkTrends.path)
            #expect(page.status == .ok && page.text.contains("Noms communs à plusieurs organismes"))
            #expect(!page.text.contains("Sample Staffing") && !page.text.contains("Organisme 0"))
            let csv = try await browser.get(SiteURL.networkTrendCSV(.value("shared-names.csv")).path + "?from=2024-01&to=2026-01&province=AB")
            #expect(csv.status == .ok)
            let rows = TrendsTests.parse(csv.text)
            #expect(rows.first?.last == "Total" && rows.last?.first == "Total")
            // Twelve in one cell of one province: the cell is its whole row (below 2k), so it is hidden, and what would give it away.
            #expect(
                ["x", "12"].contains(rows.last?.last ?? "")
                    && rows.dropFirst().allSatisfy { $0.dropFirst().allSatisfy { $0 == "x" || $0 == "0" || Int($0) ?? 0 >= 11 } })
            // A withdrawal of the consent takes the case out of the coordinator's counts.
            let consent = try await CaseConsent.query(on: app.db).filter(\.$caseID == sides[0].file.id!).first()!
            let worker = Browser(app)
            try await worker.signIn(sides[0].caseworker.email)
            try await worker.get(SiteURL.home.path)
            _ = try await worker.post(
                SiteURL.caseItem(.value(sides[0].file.id!.uuidString), .consentWithdraw, .value(consent.id!.uuidString)).path, [("confirm", "yes")])
            let after = try await TrendsQueries.sharedNamesGrid(
                TrendsQueries.Selection(
                    period: EvidencePeriod(from: .init(year: 2020, month: 1), to: .init(year: 2026, month: 12)), provinces: [.AB]),
                pathways: [], on: app.db)
            #expect(after.counts.grid.last!.last! == 10)
        }
    }
}
