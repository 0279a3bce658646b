import Domain
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct PathwaysTests {
    func setUp(_ app: Application) async throws -> (Browser, String, User) {
        let organisation = try await Fixtures.organisation(app)
        let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker], language: .en)
        let browser = Browser(app)
        try await browser.signIn(worker.email)
        let id = try await CasesTests.open(browser, name: "Esperanza Ejemplo")
        return (browser, id, worker)
    }

    func start(_ browser: Browser, app: Application, caseID: String, code: String) async throws -> String {
        let pathway = try #require(try await PathwayType.query(on: app.db).filter(\.$code == code).first())
        try await browser.get(SiteURL.caseFile(.value(caseID)).path)
        let created = try await browser.post(SiteURL.caseFile(.value(caseID)).path + "/applications", [("pathway", pathway.id!.uuidString)])
        #expect(created.status == .seeOther)
        // Without the saved notice: the path is where the application's forms post.
        return String(try #require(created.location).split(separator: "?")[0])
    }

    @Test func aVOWPGoesFromPreparationToApprovalWithItsChecklist() async throws {
        try await withTestApp { app in
            let (browser, id, _) = try await setUp(app)
            let path = try await start(browser, app: app, caseID: id, code: "VOWP")
            var page = try await browser.get(path)
            #expect(page.text.contains("Letter of explanation"))
            #expect(page.text.contains("Still missing:"))
            // Approving before submitting is impossible.
            let impossible = try await browser.post(path + "/events", [("event", "approve"), ("on", "2026-01-10"), ("version", "1")])
            #expect(impossible.status == .unprocessableEntity)
            #expect(impossible.text.contains("is not possible when the application is"))
            try await browser.get(path)
            #expect(try await browser.post(path + "/checklist", [("done[]", "letter_of_explanation"), ("version", "1")]).status == .seeOther)
            try await browser.get(path)
            #expect(try await browser.post(path + "/events", [("event", "submit"), ("on", "2026-03-02"), ("version", "2")]).status == .seeOther)
            try await browser.get(path)
            let backwards = try await browser.post(
                path + "/events",
                [("event", "approve"), ("on", "2026-02-01"), ("validFrom", "2026-02-01"), ("validTo", "2027-01-31"), ("version", "3")])
            #expect(backwards.text.contains("This date is before the submission."))
            try await browser.get(path)
            let tooLong = try await browser.post(
                path + "/events",
                [("event", "approve"), ("on", "2026-03-06"), ("validFrom", "2026-03-06"), ("validTo", "2028-03-06"), ("version", "3")])
            #expect(tooLong.text.contains("Too long for this permit"))
            #expect(tooLong.text.contains(#"value="2028-03-06""#))
            try await browser.get(path)
            #expect(
                try await browser.post(
                    path + "/events",
                    [("event", "approve"), ("on", "2026-03-06"), ("validFrom", "2026-03-06"), ("validTo", "2027-03-05"), ("version", "3")]
                ).status == .seeOther)
            page = try await browser.get(path)
            #expect(page.text.contains("4 business days to process"))
            #expect(page.text.contains("365 days of validity"))
            let application = try #require(try await PathwayApplication.query(on: app.db).first())
            #expect(application.completeAtSubmission == true)
            #expect(application.applicationState == .approved)
            // A second VOWP on the same case cannot be submitted.
            let second = try await start(browser, app: app, caseID: id, code: "VOWP")
            try await browser.get(second)
            let refused = try await browser.post(second + "/events", [("event", "submit"), ("on", "2026-06-01"), ("version", "1")])
            #expect(refused.text.contains("This permit cannot be renewed"))
        }
    }

    @Test func aStaleStepIsRefused() async throws {
        try await withTestApp { app in
            let (browser, id, _) = try await setUp(app)
            let path = try await start(browser, app: app, caseID: id, code: "HC")
            try await browser.get(path)
            #expect(try await browser.post(path + "/events", [("event", "submit"), ("on", "2026-03-02"), ("version", "1")]).status == .seeOther)
            try await browser.get(path)
            let stale = try await browser.post(path + "/events", [("event", "withdraw"), ("on", "2026-03-03"), ("version", "1")])
            #expect(stale.status == .conflict)
        }
    }

    @Test func theBoardTheFeedAndTheDigestShowReferencesOnly() async throws {
        try await withTestApp { app in
            let (browser, id, worker) = try await setUp(app)
            let path = try await start(browser, app: app, caseID: id, code: "TRP_VTIP_SUBSEQUENT")
            let today = Day(Date())
            try await browser.get(path)
            try await browser.post(path + "/events", [("event", "submit"), ("on", today.adding(days: -40).description), ("version", "1")])
            try await browser.get(path)
            #expect(
                try await browser.post(
                    path + "/events",
                    [
                        ("event", "approve"), ("on", today.adding(days: -30).description),
                        ("validFrom", today.adding(days: -30).description), ("validTo", today.adding(days: 45).description), ("version", "2"),
                    ]
                ).status == .seeOther)
            let reference = try #require(try await CaseFile.find(UUID(uuidString: id), on: app.db)?.reference)
            let board = try await browser.get(SiteURL.deadlines.path)
            #expect(board.status == .ok)
            #expect(board.text.contains("Permits expiring within 60 days"))
            #expect(board.text.contains(reference))
            #expect(!board.text.contains("VOWP ending with no next application"))
            #expect(!board.text.contains("Overdue tasks"))
            #expect(try await browser.get(SiteURL.home.path).text.contains("urgent deadline"))
            let range = try #require(board.text.range(of: #"/calendar/[0-9A-F-]{36}/[A-Za-z0-9_-]+\.ics"#, options: .regularExpression))
            let feedPath = String(board.text[range])
            let feed = try await Browser(app).get(feedPath)
            #expect(feed.headers.first(name: .contentType)?.hasPrefix("text/calendar") == true)
            let ics = feed.text
            #expect(ics.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
            #expect(
                ics.replacingOccurrences(of: "\r\n ", with: "").contains("SUMMARY:Expiry: TRP for victims of trafficking (subsequent) — \(reference)")
            )
            #expect(!ics.contains("Esperanza"))
            #expect(ics.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 75 })
            // A guessed token, or a revoked feed: nothing.
            #expect(try await Browser(app).get("/calendar/\(worker.id!.uuidString)/guess.ics").status == .notFound)
            try await browser.get(SiteURL.deadlines.path)
            try await browser.post(SiteURL.deadlines.path + "/calendar", [("action", "renew")])
            #expect(try await Browser(app).get(feedPath).status == .notFound)

            // The digest: once per day, into the outbox, references only.
            #expect(try await NotifyCommand.sendDue(app, now: Date()) == 1)
            #expect(try await NotifyCommand.sendDue(app, now: Date()) == 0)
            let outbox = app.config.dataDirectory + "/outbox"
            let files = try FileManager.default.contentsOfDirectory(atPath: outbox).filter { $0.hasSuffix(".eml") }
            #expect(files.count == 1)
            let mail = try String(contentsOfFile: outbox + "/" + files[0], encoding: .utf8)
            #expect(mail.contains("To: \(worker.email)"))
            #expect(mail.contains(reference))
            #expect(!mail.contains("Esperanza"))
            worker.digestEnabled = false
            try await worker.save(on: app.db)
            #expect(try await NotifyCommand.sendDue(app, now: Date().addingTimeInterval(86_400)) == 0)
        }
    }

    @Test func theBoardListsApplicationsWaitingPastThirtyBusinessDays() async throws {
        try await withTestApp { app in
            let (browser, id, _) = try await setUp(app)
            let path = try await start(browser, app: app, caseID: id, code: "VOWP")
            try await browser.get(path)
            try await browser.post(path + "/checklist", [("done[]", "letter_of_explanation"), ("version", "1")])
            try await browser.get(path)
            let today = Day(Date())
            #expect(
                try await browser.post(path + "/events", [("event", "submit"), ("on", today.adding(days: -80).description), ("version", "2")]).status
                    == .seeOther)
            let reference = try #require(try await CaseFile.find(UUID(uuidString: id), on: app.db)?.reference)
            let board = try await browser.get(SiteURL.deadlines.path)
            #expect(board.text.contains("Applications waiting long for a decision"))
            #expect(board.text.contains(reference))
            #expect(board.text.contains("business days"))
            // Submitted ten days ago: not waiting too long yet.
            let other = try await CasesTests.open(browser, name: "Bo Exemple")
            let second = try await start(browser, app: app, caseID: other, code: "TRP_VTIP_SUBSEQUENT")
            try await browser.get(second)
            try await browser.post(second + "/events", [("event", "submit"), ("on", today.adding(days: -10).description), ("version", "1")])
            let otherReference = try #require(try await CaseFile.find(UUID(uuidString: other), on: app.db)?.reference)
            #expect(!(try await browser.get(SiteURL.deadlines.path)).text.contains(otherReference))
        }
    }

    @Test func supervisorsSeeFiguresAsATableAChartAndCSV() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let chief = try await Fixtures.user(app, in: organisation, roles: [.caseworker, .supervisor], language: .en)
            let browser = Browser(app)
            try await browser.signIn(chief.email)
            let id = try await CasesTests.open(browser, name: "Samuel Muster")
            let path = try await start(browser, app: app, caseID: id, code: "VOWP")
            try await browser.get(path)
            try await browser.post(path + "/checklist", [("done[]", "letter_of_explanation"), ("version", "1")])
            try await browser.get(path)
            try await browser.post(path + "/events", [("event", "submit"), ("on", "2026-03-02"), ("version", "2")])
            try await browser.get(path)
            try await browser.post(
                path + "/events",
                [("event", "approve"), ("on", "2026-03-05"), ("validFrom", "2026-03-05"), ("validTo", "2027-03-04"), ("version", "3")])
            let page = try await browser.get(SiteURL.figures.path)
            #expect(page.status == .ok)
            #expect(page.text.contains("<svg"))
            #expect(page.text.contains("Open work permit for vulnerable workers (VOWP)"))
            #expect(page.text.contains("100%"))
            let csv = try await browser.get(SiteURL.figures.path + ".csv")
            #expect(csv.headers.first(name: .contentType)?.hasPrefix("text/csv") == true)
            // Codes and names in the reader's language; the rate as a whole percentage.
            #expect(csv.text.contains("VOWP,Open work permit for vulnerable workers (VOWP),QC,Quebec,1,100,3,3,365,3,"))
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let other = Browser(app)
            try await other.signIn(worker.email)
            #expect(try await other.get(SiteURL.figures.path).status == .forbidden)
        }
    }

    /// The figures page asks the database for counts and ranked values (window functions over the
    /// derived columns); on SQLite and PostgreSQL alike they must equal the computation over every
    /// application. The derived columns are also kept current when an application changes.
    @Test func theDatabaseComputesTheSameFiguresAsEveryRecordWould() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let vault = CaseVault(master: app.masterKey)
            let pathways = try await PathwayType.query(on: app.db).filter(\.$isCurrent == true).sort(\.$code).all()
            var caseIDs: [UUID] = []
            for (index, province) in [Province.QC, .ON, nil].enumerated() {
                let file = try await CaseService.open(
                    on: app.db, vault: vault, organisation: organisation, openedBy: worker.id,
                    preferredName: "Figure Exemple \(index)", province: province, now: Date(), timeZone: app.config.timeZone,
                    actor: .system, requestID: nil)
                caseIDs.append(file.id!)
            }
            let start = Day("2025-01-06")!
            for index in 0..<157 {
                let state = ApplicationState.allCases[index % ApplicationState.allCases.count]
                let application = PathwayApplication()
                application.caseID = caseIDs[index % caseIDs.count]
                application.organisationID = organisation.id!
                application.$pathway.id = pathways[(index / 3) % 3].id!
                application.state = state.rawValue
                application.createdAt = Date()
                application.checklistDone = ""
                application.version = 1
                let submitted = state == .preparing ? nil : start.adding(days: index % 41)
                let decided = state.isFinal ? submitted?.adding(days: (index * 7) % 53) : nil
                application.submittedOn = submitted?.date
                application.decidedOn = decided?.date
                if state == .approved, let decided {
                    application.validFrom = decided.date
                    application.validTo = decided.adding(days: (index * 13) % 500).date
                }
                application.completeAtSubmission = submitted == nil ? nil : index % 5 < 3
                try await application.create(on: app.db)
            }
            func expected() async throws -> [PathwayFigures.Row] {
                let provinces = Dictionary(
                    uniqueKeysWithValues: try await CaseFile.query(on: app.db).filter(\.$id ~~ caseIDs).all().map { ($0.id!, $0.province ?? "") })
                return PathwayFigures.rows(
                    try await PathwayApplication.query(on: app.db).filter(\.$organisationID == organisation.id!).with(\.$pathway).all().map {
                        PathwayFigures.Record(
                            pathwayCode: $0.pathway.code, province: provinces[$0.caseID] ?? "", state: $0.applicationState,
                            submitted: $0.submittedOn.map(Day.init), decided: $0.decidedOn.map(Day.init),
                            validFrom: $0.validFrom.map(Day.init), validTo: $0.validTo.map(Day.init), completeAtSubmission: $0.completeAtSubmission)
                    })
            }
            let sql = app.db as! any SQLDatabase
            var rows = try await FiguresQueries.rows(organisationID: organisation.id!, on: sql)
            #expect(rows.count == 9)
            #expect(rows.contains { $0.medianProcessing != nil && $0.p90Processing != nil && $0.medianValidity != nil })
            #expect(rows == (try await expected()))
            // A later decision updates the derived columns through the model middleware.
            let pending = try #require(try await PathwayApplication.query(on: app.db).filter(\.$state == ApplicationState.submitted.rawValue).first())
            pending.state = ApplicationState.approved.rawValue
            pending.decidedOn = Day(pending.submittedOn!).adding(days: 200).date
            pending.validFrom = pending.decidedOn
            pending.validTo = Day(pending.submittedOn!).adding(days: 900).date
            let before = try await FiguresStamp.current(organisationID: organisation.id!, on: sql)
            #expect(before == 157)
            try await pending.save(on: app.db)
            rows = try await FiguresQueries.rows(organisationID: organisation.id!, on: sql)
            #expect(rows == (try await expected()))
            // Every write moves the organisation's stamp, whatever path makes it: the page's cache
            // is thrown away. A delete through the query builder skips model middleware, not triggers.
            #expect(try await FiguresStamp.current(organisationID: organisation.id!, on: sql) == before + 1)
            try await PathwayApplication.query(on: app.db).filter(\.$id == pending.id!).delete()
            #expect(try await FiguresStamp.current(organisationID: organisation.id!, on: sql) == before + 2)
        }
    }

    @Test func aPathwayEditCreatesANewVersionAndOldApplicationsKeepTheirs() async throws {
        try await withTestApp { app in
            let (browser, id, _) = try await setUp(app)
            let path = try await start(browser, app: app, caseID: id, code: "VOWP")
            let before = try #require(try await PathwayApplication.query(on: app.db).first())
            let instance = try await Fixtures.organisation(app)
            let admin = try await Fixtures.user(app, in: instance, roles: [.systemAdmin], language: .en)
            let adminBrowser = Browser(app)
            try await adminBrowser.signIn(admin.email)
            try await adminBrowser.get(SiteURL.pathways.path + "/VOWP")
            let bad = try await adminBrowser.post(
                SiteURL.pathways.path + "/VOWP", [("nameFR", "PTO-TV"), ("nameEN", ""), ("checklist", "no pipes here"), ("maximumDays", "abc")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("Each line needs four parts"))
            #expect(bad.text.contains("no pipes here"))
            try await adminBrowser.get(SiteURL.pathways.path + "/VOWP")
            let saved = try await adminBrowser.post(
                SiteURL.pathways.path + "/VOWP",
                [
                    ("nameFR", "PTO-TV (2027)"), ("nameEN", "VOWP (2027)"),
                    (
                        "checklist",
                        "letter_of_explanation | Lettre d'explication | Letter of explanation | required\nemployer_letter | Lettre | Letter | optional"
                    ),
                    ("maximumDays", "730"),
                ])
            #expect(saved.status == .seeOther)
            let versions = try await PathwayType.query(on: app.db).filter(\.$code == "VOWP").sort(\.$version).all()
            #expect(versions.map(\.version) == [1, 2])
            #expect(versions.map(\.isCurrent) == [false, true])
            #expect(versions[1].validityRules.maximumDays == 730)
            #expect(versions[1].validityRules.renewable == false)
            let after = try #require(try await PathwayApplication.find(before.id, on: app.db))
            #expect(after.$pathway.id == versions[0].id)
            #expect(try await browser.get(path).text.contains("Open work permit for vulnerable workers (VOWP)"))
            #expect(try await browser.get(SiteURL.pathways.path).status == .forbidden)
        }
    }

    /// Digests go through a real SMTP server on loopback (Python's aiosmtpd) when one is configured.
    /// Skipped, with its reason, where aiosmtpd is absent (a fresh machine with Swift only); CI
    /// installs it and sets PASSERELLE_REQUIRE_TEST_TOOLS=1, which makes its absence a failure.
    @Test(.enabled(if: TestTools.hasAiosmtpd || TestTools.required, "needs Python's aiosmtpd (python3 -m pip install aiosmtpd); .ci/run installs it"))
    func digestsAreSentOverSMTP() async throws {
        guard TestTools.hasAiosmtpd else {
            Issue.record("aiosmtpd is not installed (python3 -m pip install aiosmtpd)")
            return
        }
        let inbox = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-inbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: inbox) }
        let sink = Process()
        sink.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sink.arguments = [
            "python3", URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/smtp_sink.py").path, inbox.path,
        ]
        let output = Pipe()
        let input = Pipe()
        sink.standardOutput = output
        sink.standardInput = input
        try sink.run()
        defer {
            try? input.fileHandleForWriting.close()
            sink.waitUntilExit()
        }
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let port = try #require(Int(line))

        try await withTestApp { app in
            let (browser, id, worker) = try await setUp(app)
            try await browser.get(SiteURL.caseFile(.value(id)).path)
            try await browser.post(SiteURL.caseFile(.value(id)).path + "/tasks", [("title", "Suivi (fictif)"), ("dueOn", "2020-01-01")])
            var mail = MailSettings()
            mail.host = "127.0.0.1"
            mail.port = port
            mail.startTLS = false
            mail.from = "passerelle@test.example"
            #expect(try await NotifyCommand.sendDue(app, now: Date(), mail: mail) == 1)
            #expect(try await NotifyCommand.sendDue(app, now: Date(), mail: mail) == 0)
            let received = try FileManager.default.contentsOfDirectory(atPath: inbox.path)
            #expect(received.count == 1)
            let message = try String(contentsOf: inbox.appendingPathComponent(received[0]), encoding: .utf8)
            #expect(message.contains("X-Envelope-To: \(worker.email)"))
            #expect(message.contains("Overdue tasks"))
            #expect(!message.contains("Esperanza"))
            // A server that refuses: nothing is claimed, the next run tries again.
            mail.port = 1
            #expect(try await NotifyCommand.sendDue(app, now: Date().addingTimeInterval(86_400), mail: mail) == 0)
            #expect(try await DigestSend.query(on: app.db).count() == 1)
        }
    }

    @Test func checklistItemsPointAtTheCasesOwnDocumentsAndTheDigestCanBeTurnedOff() async throws {
        try await withTestApp { app in
            let (browser, id, worker) = try await setUp(app)
            try await browser.get(SiteURL.caseFile(.value(id)).path)
            let (headers, body) = DocumentsTests.multipart(
                Array("Lettre d'explication (fictive)".utf8), filename: "lettre.txt", csrf: try #require(browser.csrf))
            #expect(try await browser.send(.POST, SiteURL.caseFile(.value(id)).path + "/documents", headers: headers, body: body).status == .seeOther)
            let document = try #require(try await CaseDocument.query(on: app.db).first())
            let path = try await start(browser, app: app, caseID: id, code: "VOWP")
            try await browser.get(path)
            let foreign = try await browser.post(
                path + "/checklist", [("done[]", "letter_of_explanation"), ("documents[letter_of_explanation]", UUID().uuidString), ("version", "1")])
            #expect(foreign.status == .unprocessableEntity)
            try await browser.get(path)
            #expect(
                try await browser.post(
                    path + "/checklist",
                    [
                        ("done[]", "letter_of_explanation"),
                        ("documents[letter_of_explanation]", document.id!.uuidString), ("version", "1"),
                    ]
                ).status == .seeOther)
            #expect(try await PathwayApplication.query(on: app.db).first()?.documentLinks == ["letter_of_explanation": document.id!.uuidString])
            #expect(try await browser.get(path).text.contains("lettre.txt"))

            try await browser.get(SiteURL.account.path)
            #expect(try await browser.post(SiteURL.account.path + "/digest", []).status == .seeOther)
            #expect(try await User.find(worker.id, on: app.db)?.digestEnabled == false)
            try await browser.get(SiteURL.account.path)
            try await browser.post(SiteURL.account.path + "/digest", [("digest", "on")])
            #expect(try await User.find(worker.id, on: app.db)?.digestEnabled == true)
        }
    }
}
