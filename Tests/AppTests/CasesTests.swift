import Domain
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct CasesTests {
    /// `user_case_counts` (kept by triggers) equals a count of the assignments, person by person.
    static func expectAssignmentCountsAgree(_ app: Application) async throws {
        struct Count: Decodable, Equatable {
            let user_id: UUID
            let n: Int
        }
        let sql = app.db as! any SQLDatabase
        let kept = try await sql.raw("SELECT user_id, assigned AS n FROM user_case_counts WHERE assigned <> 0 ORDER BY user_id").all(
            decoding: Count.self)
        let counted = try await sql.raw("SELECT user_id, COUNT(*) AS n FROM case_assignments GROUP BY user_id ORDER BY user_id").all(
            decoding: Count.self)
        #expect(kept == counted)
    }

    static func caseID(from location: String?) throws -> String {
        let location = try #require(location)
        let path = location.split(separator: "?").first.map(String.init) ?? location
        return String(path.split(separator: "/").last!)
    }

    /// Opens a case through the page, as a caseworker would.
    static func open(_ browser: Browser, name: String, province: String = "QC") async throws -> String {
        try await browser.get(SiteURL.cases.path + "/new")
        let response = try await browser.post(SiteURL.cases.path, [("preferredName", name), ("province", province)])
        #expect(response.status == .seeOther)
        return try caseID(from: response.location)
    }

    @Test func aCaseOpensWithOnlyAPreferredName() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app, name: "Maison Refuge-Fictif (test)")
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app)
            try await browser.signIn(worker.email)
            let id = try await Self.open(browser, name: "Ọlá Àpẹẹrẹ")
            let page = try await browser.get(SiteURL.caseFile(.value(id)).path)
            #expect(page.status == .ok)
            #expect(page.text.contains("<h1>Ọlá Àpẹẹrẹ</h1>"))
            let year = Calendar(identifier: .gregorian).component(.year, from: Date())
            #expect(page.text.contains("MRF-\(year)-0001"))
            let list = try await browser.get(SiteURL.cases.path)
            #expect(list.text.contains(#"href="/cases/\#(id)""#))
            #expect(list.text.contains("Ọlá Àpẹẹrẹ"))
            let actions = try await AuditEvent.query(on: app.db).all(\.$action)
            for action in [AuditAction.caseCreated, .caseViewed, .caseListViewed] { #expect(actions.contains(action.rawValue)) }
            #expect(try await AuditLog.verify(on: app.db) == .intact(count: actions.count))
            // A second case gets the next number.
            let second = try await Self.open(browser, name: "Maricel Halimbawa")
            #expect(try await CaseFile.find(UUID(uuidString: second), on: app.db)?.reference == "MRF-\(year)-0002")
        }
    }

    @Test func choiceListsShowNamesAsTextAndKeepTheSelection() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let supervisor = try await Fixtures.user(app, in: organisation, roles: [.supervisor])
            let colleague = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            colleague.displayName = #"Léa <b>"Fictive"</b> & 'Cie'"#
            try await colleague.save(on: app.db)
            let browser = Browser(app)
            try await browser.signIn(supervisor.email)
            let list = try await browser.get(SiteURL.cases.path + "?scope=all&status=FollowUp&worker=\(colleague.id!.uuidString)")
            #expect(
                list.text.contains(
                    #"<option value="\#(colleague.id!.uuidString)" selected>Léa &lt;b&gt;&quot;Fictive&quot;&lt;/b&gt; &amp; &#39;Cie&#39;</option>"#)
            )
            #expect(list.text.contains(#"<option value="FollowUp" selected>"#))
            #expect(list.text.contains(#"<option value="Active">"#))
        }
    }

    @Test func emptyOrOverlongNamesAreExplainedAndNothingIsSaved() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app)
            try await browser.signIn(worker.email)
            try await browser.get(SiteURL.cases.path + "/new")
            let empty = try await browser.post(SiteURL.cases.path, [("preferredName", "   "), ("province", "QC")])
            #expect(empty.status == .unprocessableEntity)
            #expect(empty.text.contains("Ce champ est obligatoire."))
            try await browser.get(SiteURL.cases.path + "/new")
            let long = String(repeating: "é", count: 201)
            let tooLong = try await browser.post(SiteURL.cases.path, [("preferredName", long), ("province", "XX")])
            #expect(tooLong.text.contains(long))
            #expect(tooLong.text.contains("Ce choix ne fait pas partie de la liste."))
            #expect(try await CaseFile.query(on: app.db).count() == 0)
        }
    }

    @Test func noNameIsStoredInClear() async throws {
        try await withTestApp { app in
            guard case .sqlite(let path) = app.config.database else { return }
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app)
            try await browser.signIn(worker.email)
            let id = try await Self.open(browser, name: "Zéphyrine Quoxtlimuster")
            try await browser.get(SiteURL.caseFile(.value(id)).path + "/person")
            try await browser.post(
                SiteURL.caseFile(.value(id)).path + "/person",
                [
                    ("version", "1"), ("preferredName", "Zéphyrine Quoxtlimuster"),
                    ("legalName", "Wolfgangine Brightwaterstone"), ("dateOfBirth", "1990-05-04"),
                ])
            try await browser.get(SiteURL.caseFile(.value(id)).path)
            try await browser.post(SiteURL.caseFile(.value(id)).path + "/notes", [("body", "Récit confidentiel Xylophonique")])
            var bytes = Data()
            for suffix in ["", "-wal"] {
                if let data = FileManager.default.contents(atPath: path + suffix) { bytes.append(data) }
            }
            #expect(bytes.count > 10_000)
            for secret in ["Quoxtlimuster", "Zéphyrine", "Brightwaterstone", "Xylophonique", "1990-05-04"] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) found in clear")
                #expect(bytes.range(of: Data(secret.lowercased().utf8)) == nil, "\(secret) found in clear")
            }
        }
    }

    /// Every case route, tried by a caseworker of another organisation: 404, as for a case that
    /// does not exist, and nothing changes.
    @Test func anotherOrganisationGets404OnEveryCaseRoute() async throws {
        try await withTestApp { app in
            let mine = try await Fixtures.organisation(app)
            let theirs = try await Fixtures.organisation(app)
            let owner = try await Fixtures.user(app, in: mine, roles: [.caseworker, .supervisor])
            let outsider = try await Fixtures.user(app, in: theirs, roles: [.caseworker, .supervisor])
            let ownerBrowser = Browser(app)
            try await ownerBrowser.signIn(owner.email)
            let id = try await Self.open(ownerBrowser, name: "Aïcha Exemple")
            let routes = app.routes.all.filter { $0.path.map(\.description).joined(separator: "/").hasPrefix("cases/:id") }
            #expect(routes.count >= 10)
            let browser = Browser(app)
            try await browser.signIn(outsider.email)
            for route in routes {
                let path = "/" + route.path.map { $0.description == ":id" ? id : $0.description }.joined(separator: "/")
                try await browser.get(SiteURL.cases.path)
                let response =
                    route.method == .GET
                    ? try await browser.get(path)
                    : try await browser.post(
                        path,
                        [
                            ("confirmation", "X"), ("status", "Closed"), ("closureReason", "other"), ("body", "x"),
                            ("version", "1"), ("preferredName", "x"), ("workers[]", outsider.id!.uuidString),
                        ])
                #expect(response.status == .notFound, "\(route.method) \(path)")
            }
            let unknown = try await browser.get(SiteURL.caseFile(.value(UUID().uuidString)).path)
            #expect(unknown.status == .notFound)
            let file = try #require(try await CaseFile.find(UUID(uuidString: id), on: app.db))
            #expect(file.version == 1)
            #expect(file.status == CaseStatus.active.rawValue)
            #expect(try await CaseNote.query(on: app.db).count() == 0)
        }
    }

    @Test func rolesWithoutCaseAccessAreRefused() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            for roles in [[Role.systemAdmin], [.networkCoordinator], [.orgAdmin]] {
                let user = try await Fixtures.user(app, in: organisation, roles: roles)
                let browser = Browser(app)
                try await browser.signIn(user.email)
                #expect(try await browser.get(SiteURL.cases.path).status == .forbidden, "\(roles)")
                #expect(try await browser.get(SiteURL.cases.path + "/new").status == .forbidden, "\(roles)")
            }
        }
    }

    @Test func visibilityFollowsTheOrganisationSetting() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let alice = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let bob = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let chief = try await Fixtures.user(app, in: organisation, roles: [.supervisor])
            let aliceBrowser = Browser(app)
            try await aliceBrowser.signIn(alice.email)
            let id = try await Self.open(aliceBrowser, name: "Rosa Ejemplo")
            let bobBrowser = Browser(app)
            try await bobBrowser.signIn(bob.email)
            #expect(try await bobBrowser.get(SiteURL.caseFile(.value(id)).path).status == .notFound)
            #expect(!(try await bobBrowser.get(SiteURL.cases.path + "?scope=all").text.contains("Rosa Ejemplo")))
            let chiefBrowser = Browser(app)
            try await chiefBrowser.signIn(chief.email)
            #expect(try await chiefBrowser.get(SiteURL.caseFile(.value(id)).path).status == .ok)
            #expect(try await chiefBrowser.get(SiteURL.cases.path + "?scope=all").text.contains("Rosa Ejemplo"))
            // The supervisor opens the organisation's cases to every caseworker.
            try await chiefBrowser.get(SiteURL.caseSettings.path)
            #expect(try await chiefBrowser.post(SiteURL.caseSettings.path, [("visibility", "whole_organisation")]).status == .seeOther)
            #expect(try await bobBrowser.get(SiteURL.caseFile(.value(id)).path).status == .ok)
            // Reassignment: only colleagues of the organisation can be assigned.
            try await chiefBrowser.get(SiteURL.caseFile(.value(id)).path)
            // A list naming anyone else is refused whole, the assignments unchanged.
            let refused = try await chiefBrowser.post(
                SiteURL.caseFile(.value(id)).path + "/assignments", [("workers[]", bob.id!.uuidString), ("workers[]", UUID().uuidString)])
            #expect(refused.status == .unprocessableEntity)
            #expect(try await CaseAssignment.query(on: app.db).filter(\.$caseID == UUID(uuidString: id)!).all(\.$userID) == [alice.id!])
            try await chiefBrowser.get(SiteURL.caseFile(.value(id)).path)
            try await chiefBrowser.post(SiteURL.caseFile(.value(id)).path + "/assignments", [("workers[]", bob.id!.uuidString)])
            #expect(try await CaseAssignment.query(on: app.db).filter(\.$caseID == UUID(uuidString: id)!).all(\.$userID) == [bob.id!])
            // The list's count follows (kept by the database's triggers).
            #expect(try await bobBrowser.get(SiteURL.cases.path).text.contains("1 dossier<"))
            #expect(try await aliceBrowser.get(SiteURL.cases.path).text.contains("0 dossier<"))
            try await Self.expectAssignmentCountsAgree(app)
            #expect(try await aliceBrowser.get(SiteURL.cases.path + "?scope=all").text.contains("Rosa Ejemplo"))
            // A caseworker cannot change the setting.
            #expect(try await bobBrowser.get(SiteURL.caseSettings.path).status == .forbidden)
        }
    }

    @Test func searchMatchesWholeNameTokensInAnyScriptAndReferences() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app, name: "Clinique Fictive (test)")
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app)
            try await browser.signIn(worker.email)
            _ = try await Self.open(browser, name: "Nguyễn Thị Mẫu")
            _ = try await Self.open(browser, name: "فاطمة تجريبية")
            _ = try await Self.open(browser, name: "Adéwálé <b>Àpẹẹrẹ</b>")
            func search(_ q: String) async throws -> String {
                try await browser.get(SiteURL.cases.path + "?q=" + Browser.encode(q)).text
            }
            #expect(try await search("nguyen").contains("Nguyễn Thị Mẫu"))
            #expect(try await search("Nguyễn mẫu").contains("Nguyễn Thị Mẫu"))
            // No case bears these names: an empty list, not an error.
            for unmatched in ["nguy", "nguyen fatima"] {
                let response = try await browser.get(SiteURL.cases.path + "?q=" + Browser.encode(unmatched))
                #expect(response.status == .ok, "\(unmatched)")
                #expect(response.text.contains("0 dossier<") && !response.text.contains("Nguyễn Thị Mẫu"), "\(unmatched)")
            }
            #expect(try await search("فاطمة").contains("فاطمة تجريبية"))
            let yoruba = try await search("adewale")
            #expect(yoruba.contains("Adéwálé &lt;b&gt;Àpẹẹrẹ&lt;/b&gt;"))
            #expect(!yoruba.contains("<b>Àpẹẹrẹ</b>"))
            let year = Calendar(identifier: .gregorian).component(.year, from: Date())
            let byReference = try await search("cf-\(year)-0002")
            #expect(byReference.contains("فاطمة تجريبية"))
            #expect(!byReference.contains("Nguyễn Thị Mẫu"))
        }
    }

    @Test func badPersonInputIsExplainedKeptAndNotSaved() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker], language: .en)
            let browser = Browser(app)
            try await browser.signIn(worker.email)
            let id = try await Self.open(browser, name: "Amani Sample")
            try await browser.get(SiteURL.caseFile(.value(id)).path + "/person")
            let future = try await browser.post(
                SiteURL.caseFile(.value(id)).path + "/person",
                [
                    ("version", "1"), ("preferredName", "Amani Sample"),
                    ("legalName", "Amani Legal"), ("dateOfBirth", "2999-01-01"), ("immigrationStatus", "martian"),
                ])
            #expect(future.status == .unprocessableEntity)
            #expect(future.text.contains("This date is in the future."))
            #expect(future.text.contains("This choice is not one of the options."))
            #expect(future.text.contains(#"value="Amani Legal""#))
            try await browser.get(SiteURL.caseFile(.value(id)).path + "/person")
            let impossible = try await browser.post(
                SiteURL.caseFile(.value(id)).path + "/person", [("version", "1"), ("preferredName", "Amani Sample"), ("dateOfBirth", "2001-02-30")])
            #expect(impossible.text.contains("Enter a valid date as YYYY-MM-DD."))
            #expect(try await CaseFile.find(UUID(uuidString: id), on: app.db)?.version == 1)
            // A good save.
            try await browser.get(SiteURL.caseFile(.value(id)).path + "/person")
            let saved = try await browser.post(
                SiteURL.caseFile(.value(id)).path + "/person",
                [
                    ("version", "1"), ("preferredName", "Amani S."),
                    ("dateOfBirth", "2001-02-28"), ("immigrationStatus", "vowp_holder"), ("interpreterNeeded", "on"),
                ])
            #expect(saved.status == .seeOther)
            let page = try await browser.get(SiteURL.caseFile(.value(id)).path)
            #expect(page.text.contains("<h1>Amani S.</h1>"))
            #expect(page.text.contains("Open work permit for vulnerable workers (VOWP)"))
        }
    }

    @Test func aStaleSaveIsRefusedShowingWhatChangedAndKeepingTheInput() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker, .supervisor], language: .en)
            let first = Browser(app)
            try await first.signIn(worker.email)
            let id = try await Self.open(first, name: "Lucía Esempio")
            let second = Browser(app)
            try await second.signIn(worker.email)
            try await first.get(SiteURL.caseFile(.value(id)).path + "/person")
            try await second.get(SiteURL.caseFile(.value(id)).path + "/person")
            #expect(
                try await first.post(
                    SiteURL.caseFile(.value(id)).path + "/person", [("version", "1"), ("preferredName", "Lucía E."), ("countryOfOrigin", "Fictivia")]
                ).status == .seeOther)
            let stale = try await second.post(
                SiteURL.caseFile(.value(id)).path + "/person",
                [("version", "1"), ("preferredName", "Lucía Esempio"), ("countryOfOrigin", "Imaginaria")])
            #expect(stale.status == .conflict)
            #expect(stale.text.contains("Someone changed this case while you were editing."))
            #expect(stale.text.contains("Fictivia"))
            #expect(stale.text.contains(#"value="Imaginaria""#))
            let file = try #require(try await CaseFile.find(UUID(uuidString: id), on: app.db))
            #expect(file.version == 2)
            // The same for the safe-contact panel.
            try await second.get(SiteURL.caseFile(.value(id)).path + "/safe-contact")
            let staleSafe = try await second.post(SiteURL.caseFile(.value(id)).path + "/safe-contact", [("version", "1"), ("neverUse", "x")])
            #expect(staleSafe.status == .conflict)
        }
    }

    @Test func safeContactIsShownFirst() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app)
            try await browser.signIn(worker.email)
            let id = try await Self.open(browser, name: "Noor Muster")
            try await browser.get(SiteURL.caseFile(.value(id)).path + "/safe-contact")
            let saved = try await browser.post(
                SiteURL.caseFile(.value(id)).path + "/safe-contact",
                [
                    ("version", "1"), ("channels[]", "signal"),
                    ("safeTimes", "Mardi, 10 h"), ("messagesAllowed", "no"), ("codeWord", "tournesol"),
                    ("neverUse", "Le cellulaire fourni par l'employeur"),
                ])
            #expect(saved.status == .seeOther)
            let page = try await browser.get(SiteURL.caseFile(.value(id)).path).text
            let safeAt = try #require(page.range(of: "Contact sécuritaire"))
            let personAt = try #require(page.range(of: "id=\"person-heading\""))
            #expect(safeAt.lowerBound < personAt.lowerBound)
            #expect(page.contains("Le cellulaire fourni par l&#39;employeur"))
            try await browser.get(SiteURL.caseFile(.value(id)).path + "/safe-contact")
            let bad = try await browser.post(SiteURL.caseFile(.value(id)).path + "/safe-contact", [("version", "2"), ("channels[]", "pigeon")])
            #expect(bad.status == .unprocessableEntity)
        }
    }

    @Test func closingNeedsAReasonAndPurgeDeletesTheKeyKeepingTheAudit() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app, name: "Harbour Fictif (test)")
            let chief = try await Fixtures.user(app, in: organisation, roles: [.caseworker, .supervisor])
            let browser = Browser(app)
            try await browser.signIn(chief.email)
            let id = try await Self.open(browser, name: "Hana Przykład")
            let caseID = UUID(uuidString: id)!
            try await browser.get(SiteURL.caseFile(.value(id)).path)
            try await browser.post(SiteURL.caseFile(.value(id)).path + "/notes", [("body", "Première rencontre (fictive).")])
            try await browser.get(SiteURL.caseFile(.value(id)).path + "/purge")
            let whileOpen = try await browser.post(SiteURL.caseFile(.value(id)).path + "/purge", [("confirmation", "x")])
            #expect(whileOpen.status == .unprocessableEntity)
            try await browser.get(SiteURL.caseFile(.value(id)).path)
            let noReason = try await browser.post(SiteURL.caseFile(.value(id)).path + "/status", [("status", "Closed"), ("version", "1")])
            #expect(noReason.status == .unprocessableEntity)
            // A status chosen on a page older than the last save is refused, the choice kept.
            try await CaseFile.query(on: app.db).filter(\.$id == caseID).set(\.$version, to: 2).update()
            try await browser.get(SiteURL.caseFile(.value(id)).path)
            let stale = try await browser.post(
                SiteURL.caseFile(.value(id)).path + "/status", [("status", "Closed"), ("closureReason", "goals_met"), ("version", "1")])
            #expect(stale.status == .conflict)
            #expect(stale.text.contains(#"<option value="goals_met" selected>"#))
            #expect(try await CaseFile.find(caseID, on: app.db)?.status == CaseStatus.active.rawValue)
            try await browser.get(SiteURL.caseFile(.value(id)).path)
            #expect(
                try await browser.post(
                    SiteURL.caseFile(.value(id)).path + "/status", [("status", "Closed"), ("closureReason", "goals_met"), ("version", "2")]
                )
                .status == .seeOther)
            let file = try #require(try await CaseFile.find(caseID, on: app.db))
            try await browser.get(SiteURL.caseFile(.value(id)).path + "/purge")
            let wrongReference = try await browser.post(SiteURL.caseFile(.value(id)).path + "/purge", [("confirmation", "HF-1999-0001")])
            #expect(wrongReference.status == .unprocessableEntity)
            try await browser.get(SiteURL.caseFile(.value(id)).path + "/purge")
            let purged = try await browser.post(SiteURL.caseFile(.value(id)).path + "/purge", [("confirmation", file.reference.lowercased())])
            #expect(purged.status == .seeOther)
            #expect(try await CaseFile.find(caseID, on: app.db) == nil)
            #expect(try await CaseKey.query(on: app.db).filter(\.$caseID == caseID).count() == 0)
            #expect(try await CaseNote.query(on: app.db).filter(\.$caseID == caseID).count() == 0)
            #expect(try await CaseNameTerm.query(on: app.db).filter(\.$caseID == caseID).count() == 0)
            #expect(try await browser.get(SiteURL.caseFile(.value(id)).path).status == .notFound)
            try await Self.expectAssignmentCountsAgree(app)
            let event = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == AuditAction.casePurged.rawValue).first())
            #expect(event.detail == file.reference)
            #expect(event.actorEmail == chief.email)
            #expect(try await AuditLog.verify(on: app.db) == .intact(count: try await AuditEvent.query(on: app.db).count()))
        }
    }

    @Test func theServerRefusesAMasterKeyThatCannotOpenItsData() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-key-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func start(_ key: String?) async throws {
            let app = try await Application.make(.testing)
            app.logger.logLevel = .critical
            var config = AppConfig(dataDirectory: folder, database: .sqlite(path: folder + "/passerelle.sqlite"), bcryptCost: 4)
            if let key { config.masterKey = try Envelope.key(fromBase64: key) }
            do { try await configure(app, config: config) } catch {
                try? await app.asyncShutdown()
                throw error
            }
            try await app.asyncShutdown()
        }
        guard ProcessInfo.processInfo.environment["PASSERELLE_TEST_DATABASE_URL"] == nil else { return }
        // First start generates the key file with owner-only permissions.
        try await start(nil)
        let keyPath = folder + "/" + MasterKeyProvider.fileName
        let attributes = try FileManager.default.attributesOfItem(atPath: keyPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        try await start(nil)
        await #expect(throws: MasterKeyProvider.Refused.self) { try await start(Envelope.base64(Envelope.newKey())) }
    }

    @Test func demoCasesFillEveryCaseworkingOrganisation() async throws {
        try await withTestApp({ $0.demoMode = true }) { app in
            let accounts = try await DemoSeeder.seed(app, password: Fixtures.password)
            let created = try await DemoCases.seed(app, perOrganisation: 6)
            #expect(created >= 36)
            #expect(try await DemoCases.seed(app, perOrganisation: 6) == 0)
            let caseworker = try #require(accounts.first { $0.roles == [.caseworker] })
            let browser = Browser(app)
            try await browser.signIn(caseworker.email)
            let list = try await browser.get(SiteURL.cases.path)
            #expect(list.status == .ok)
            let link = try #require(list.text.range(of: #"href="/cases/[0-9A-F-]{36}""#, options: .regularExpression))
            let path = String(list.text[link].dropFirst(6).dropLast())
            #expect(try await browser.get(path).status == .ok)
        }
    }
}

@Suite struct GenerateTests {
    func generate(_ app: Application, cases: Int, organisations: Int) async throws {
        var context = CommandContext(
            console: Terminal(), input: CommandInput(arguments: ["passerelle", "--cases", "\(cases)", "--organisations", "\(organisations)"]))
        context.application = app
        try await GenerateCommand().run(using: &context)
    }

    /// `passerelle generate` writes through the same encryption path as a real case: the list
    /// opens every name, the blind index finds one, numbering continues on a second run.
    @Test func generatedCasesAreListedSearchedAndNumberedInOrder() async throws {
        try await withTestApp { app in
            try await generate(app, cases: 250, organisations: 3)
            try await generate(app, cases: 10, organisations: 3)
            #expect(try await CaseFile.query(on: app.db).count() == 260)
            #expect(try await CaseKey.query(on: app.db).count() == 260)
            #expect(try await CaseAssignment.query(on: app.db).filter(\.$openedAt == nil).count() == 0)
            let references = try await CaseFile.query(on: app.db).all(\.$reference)
            #expect(Set(references).count == 260)
            // Organisation 1 received cases 0, 3, 6… of each run: 84 then 4, numbered 1 to 88.
            let worker = try #require(try await User.query(on: app.db).filter(\.$email == "intervenant.001@genere.example").first())
            let counter = try #require(try await CaseCounter.query(on: app.db).filter(\.$organisationID == worker.$organisation.id).first())
            #expect(counter.lastNumber == 88)
            worker.passwordHash = try await app.passwordService.hash(Fixtures.password, on: app.threadPool)
            try await worker.save(on: app.db)
            let browser = Browser(app)
            try await browser.signIn(worker.email)
            let list = try await browser.get(SiteURL.cases.path + "?status=any")
            #expect(list.text.contains("88 dossiers<"))
            try await CasesTests.expectAssignmentCountsAgree(app)
            // Two cases in three count in the network's figures, kept as a recount of the cases finds them.
            let recounted = try await EvidenceFacts.recount(on: app.db, vault: CaseVault(master: app.masterKey), now: Date())
            #expect(recounted.count > 120 && recounted.count < 230)
            #expect(try await EvidenceFacts.kept(on: app.db) == EvidenceFacts.totals(of: recounted.map(\.fact)))
            let row = try #require(list.text.range(of: #"/cases/[0-9A-F-]{36}">[^<]+ [0-9]+<"#, options: .regularExpression))
            let name = list.text[row].split(separator: ">")[1].dropLast()
            let words = name.split(separator: " ")
            let search = try await browser.get(
                SiteURL.cases.path + "?q=" + "\(words.first!) \(words.last!)".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(search.text.contains("1 dossier<"))
            #expect(search.text.contains(String(name)))
        }
    }
}
