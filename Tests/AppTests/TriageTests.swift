import Domain
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App

/// A caseworker's day, second half: the case list triages (open first, next due, last activity
/// kept in the case row), the history says what happened and who, "new since your last visit",
/// recent cases at home, task titles on the deadlines board, back to the asked page after
/// signing in, an expired link that says so.
@Suite struct TriageTests {
    static func activity(_ app: Application, _ file: CaseFile) async throws -> (last: Date?, next: Date?) {
        let row = try #require(
            try await app.db.firstRow("SELECT last_activity_at, next_due_on FROM cases WHERE id = \(bind: file.id!)"))
        return (try row.decode(column: "last_activity_at", as: Date?.self), try row.decode(column: "next_due_on", as: Date?.self))
    }

    @Test func lastActivityAndNextDueAreKeptInTheCaseRowOnEveryWrite() async throws {
        try await withTestApp { app in
            // setup
            let start = Date(timeIntervalSince1970: 1_772_000_000)
            app.clock = .fixed(start)
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let file = try await Fixtures.openCase(app, in: organisation, by: worker)
            let opened = try await Self.activity(app, file)
            #expect(opened.last == start)
            #expect(opened.next == nil)
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(worker.email)
            let casePath = SiteURL.caseFile(.value(file.id!.uuidString)).path
            // MUT: a note an hour later
            app.clock = .fixed(start.addingTimeInterval(3600))
            try await browser.get(casePath)
            #expect(try await browser.post(casePath + "/notes", [("body", "Note fictive")]).status == .seeOther)
            // validate
            #expect(try await Self.activity(app, file).last == start.addingTimeInterval(3600))
            // MUT: tasks two hours later
            app.clock = .fixed(start.addingTimeInterval(7200))
            try await browser.get(casePath)
            #expect(try await browser.post(casePath + "/tasks", [("title", "Plus tard"), ("dueOn", "2026-04-20")]).status == .seeOther)
            try await browser.get(casePath)
            #expect(try await browser.post(casePath + "/tasks", [("title", "Bientôt"), ("dueOn", "2026-04-02")]).status == .seeOther)
            // validate
            var now = try await Self.activity(app, file)
            #expect(now.last == start.addingTimeInterval(7200))
            #expect(now.next.map { Day($0) } == Day("2026-04-02"))
            // MUT: the sooner one done, three hours later
            app.clock = .fixed(start.addingTimeInterval(10800))
            let soon = try #require(
                try await CaseTask.query(on: app.db).filter(\.$caseID == file.id!).filter(\.$dueOn == Day("2026-04-02")!.date).first())
            try await browser.get(casePath)
            #expect(try await browser.post(CaseLinks.item(file.id!.uuidString, .taskDone, soon.id!.uuidString)).status == .seeOther)
            // validate
            now = try await Self.activity(app, file)
            #expect(now.last == start.addingTimeInterval(10800))
            #expect(now.next.map { Day($0) } == Day("2026-04-20"))
            // MUT: an application four hours later
            app.clock = .fixed(start.addingTimeInterval(14400))
            try await browser.get(casePath)
            let pathway = try #require(try await PathwayType.query(on: app.db).filter(\.$isCurrent == true).first())
            #expect(try await browser.post(casePath + "/applications", [("pathway", pathway.id!.uuidString)]).status == .seeOther)
            // validate
            #expect(try await Self.activity(app, file).last == start.addingTimeInterval(14400))
        }
    }

    @Test func theListShowsOpenCasesFirstWithNextDueAndLastActivity() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let open = try await Fixtures.openCase(app, in: organisation, by: worker, name: "Ouverte Fictive")
            let closed = try await Fixtures.openCase(app, in: organisation, by: worker, name: "Fermée Fictive")
            try await (app.db as! any SQLDatabase).raw("UPDATE cases SET status = 'Closed' WHERE id = \(bind: closed.id!)").run()
            let today = Day(app.clock.now(), in: app.config.timeZone)
            try await HomeTests.task(app, open, title: "En retard (fictif)", due: today.adding(days: -2), assignee: worker)
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(worker.email)
            // MUT
            let list = try await browser.get(SiteURL.cases.path)
            let all = try await browser.get(SiteURL.cases.path + "?status=any")
            let byDue = try await browser.get(SiteURL.cases.path + "?sort=next_due")
            // validate
            #expect(list.text.contains("Ouverte Fictive"))
            #expect(!list.text.contains("Fermée Fictive"))
            #expect(all.text.contains("Fermée Fictive"))
            #expect(list.text.contains(#"<th scope="col">Prochaine échéance</th>"#))
            #expect(list.text.contains(#"data-label="Prochaine échéance" class="danger-text">"#))
            #expect(list.text.contains("· en retard</td>"))
            #expect(list.text.contains(#"aria-sort="descending">"#))
            #expect(byDue.text.contains(#"aria-sort="ascending">Prochaine échéance</th>"#))
            #expect(list.text.contains(#"<table class="cards">"#))
        }
    }

    @Test func anEmptyListSaysWhatToDo() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            try await Fixtures.openCase(app, in: organisation, by: worker, name: "Quelqu’un Fictif")
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(worker.email)
            // MUT
            let none = try await browser.get(SiteURL.cases.path + "?q=Introuvable")
            let english = try await browser.get(SiteURL.cases.path + "?q=Introuvable&lang=en")
            try await browser.get(SiteURL.cases.path + "?lang=fr")
            let prefilled = try await browser.get(SiteURL.caseNew.path + "?preferredName=Introuvable")
            // validate
            #expect(none.text.contains("Aucun dossier ne correspond à cette recherche ou à ces filtres."))
            #expect(none.text.contains(#"href="/cases">Effacer les filtres</a>"#))
            #expect(none.text.contains(#"href="/cases/new?preferredName=Introuvable">Ouvrir un dossier pour cette personne</a>"#))
            #expect(!none.text.contains("<table"))
            #expect(english.text.contains("Clear filters"))
            #expect(prefilled.text.contains(#"value="Introuvable""#))
        }
    }

    @Test func theHistorySaysWhatHappenedAndWhoAndWhatIsNew() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let camille = try await Fixtures.user(app, in: organisation, roles: [.caseworker, .supervisor])
            camille.displayName = "Camille Exemple"
            try await camille.save(on: app.db)
            let reader = try await Fixtures.user(app, in: organisation, roles: [.caseworker, .supervisor])
            let file = try await Fixtures.openCase(app, in: organisation, by: camille)
            let casePath = SiteURL.caseFile(.value(file.id!.uuidString)).path
            let other = Browser(app, acceptLanguage: "fr")
            try await other.signIn(reader.email)
            // The reader's first visit: nothing is new yet.
            let first = try await other.get(casePath)
            #expect(!first.text.contains("class=\"new-mark\""))
            app.clock = .fixed(Date().addingTimeInterval(60))
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(camille.email)
            try await browser.get(casePath)
            // MUT
            #expect(try await browser.post(casePath + "/tasks", [("title", "Appeler l'avocate")]).status == .seeOther)
            app.clock = .fixed(Date().addingTimeInterval(120))
            let page = try await other.get(casePath)
            let again = try await other.get(casePath)
            // validate
            #expect(page.text.contains("Tâche ajoutée : Appeler l&#39;avocate — par Camille Exemple"))
            #expect(!page.text.contains(camille.email))
            #expect(page.text.contains(#"<span class="new-mark">Nouveau</span>"#))
            #expect(page.text.contains("1 changement par une autre personne"))
            // Seen: no longer new.
            #expect(!again.text.contains(#"<span class="new-mark">"#))
            // The author's own changes are never "new" to her.
            let own = try await browser.get(casePath)
            #expect(!own.text.contains(#"<span class="new-mark">"#))
        }
    }

    @Test func homeListsTheCasesIOpenedLastThatIMayStillSee() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let file = try await Fixtures.openCase(app, in: organisation, by: worker, name: "Récente Fictive")
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(worker.email)
            let before = try await browser.get(SiteURL.home.path)
            try await browser.get(SiteURL.caseFile(.value(file.id!.uuidString)).path)
            // MUT
            let home = try await browser.get(SiteURL.home.path)
            try await (app.db as! any SQLDatabase).raw("DELETE FROM case_assignments WHERE case_id = \(bind: file.id!)").run()
            let unassigned = try await browser.get(SiteURL.home.path)
            // validate
            #expect(!before.text.contains("Dossiers consultés récemment"))
            #expect(home.text.contains("Dossiers consultés récemment"))
            #expect(home.text.contains("Récente Fictive</a> — \(file.reference)"))
            // Kept to one's own cases: a case no longer assigned leaves the list.
            #expect(!unassigned.text.contains("Récente Fictive"))
        }
    }

    @Test func theBoardNamesTasksAndPeopleOnScreenButTheFeedDoesNot() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let file = try await Fixtures.openCase(app, in: organisation, by: worker, name: "Tableau Fictive")
            let today = Day(app.clock.now(), in: app.config.timeZone)
            try await HomeTests.task(app, file, title: "Rappeler (fictif)", due: today.adding(days: -1), assignee: worker)
            try await HomeTests.task(app, file, title: "Préparer la lettre (fictif)", due: today.adding(days: 3), assignee: worker)
            try await HomeTests.task(app, file, title: "Le même jour (fictif)", due: today.adding(days: 3), assignee: worker)
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(worker.email)
            // MUT
            let board = try await browser.get(SiteURL.deadlines.path)
            try await browser.post(SiteURL.deadlinesCalendar.path, [("action", "create")])
            let withFeed = try await browser.get(SiteURL.deadlines.path)
            let feedPath = try #require(withFeed.text.firstMatch(of: /href="https?:\/\/[^\/"]+(\/[^"]+\.ics)"/)).output.1
            let feed = try await Browser(app).get(String(feedPath))
            // validate
            let overdue = try #require(board.text.range(of: "Tâches en retard"))
            let week = try #require(board.text.range(of: "Tâches à faire d&#39;ici 7 jours"))
            #expect(overdue.lowerBound < week.lowerBound)
            #expect(board.text.contains("Rappeler (fictif)"))
            #expect(board.text.contains("Préparer la lettre (fictif)"))
            #expect(board.text.contains("\(file.reference) · Tableau Fictive</a>"))
            #expect(feed.status == .ok)
            #expect(!feed.text.contains("Rappeler"))
            #expect(!feed.text.contains("Tableau Fictive"))
            // Each task is its own event, even two of a case due the same day.
            let uids = feed.text.components(separatedBy: "\r\n").filter { $0.hasPrefix("UID:task-") }
            #expect(uids.count == 3 && Set(uids).count == 3)
            #expect(feed.text.contains("PRODID:-//Passerelle//Deadlines//FR\r\n"))
        }
    }

    @Test func signingInFromALinkLandsOnThePageAsked() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let file = try await Fixtures.openCase(app, in: organisation, by: worker)
            let casePath = SiteURL.caseFile(.value(file.id!.uuidString)).path
            let browser = Browser(app, acceptLanguage: "fr")
            // MUT
            let asked = try await browser.get(casePath + "?notes=2")
            let login = try await browser.get(try #require(asked.location))
            let signedIn = try await browser.post(
                SiteURL.login.path, [("email", worker.email), ("password", Fixtures.password), ("next", casePath + "?notes=2")])
            let elsewhere = Browser(app)
            try await elsewhere.get(SiteURL.login.path)
            let offsite = try await elsewhere.post(
                SiteURL.login.path, [("email", worker.email), ("password", Fixtures.password), ("next", "//evil.example/")])
            // validate
            #expect(asked.location == "/login?next=" + casePath + "?notes%3D2" || asked.location == "/login?next=\(casePath)?notes=2")
            #expect(login.text.contains(#"name="next" value="\#(casePath)?notes=2""#))
            #expect(signedIn.location == casePath + "?notes=2")
            #expect(offsite.location == SiteURL.home.path)
        }
    }

    @Test func anExpiredLinkSaysSoAndWhatToDo() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let token = "jeton-fictif-expire"
            try await SetPasswordToken(userID: user.id!, tokenHash: Secrets.sha256Hex(token), expiresAt: app.clock.now().addingTimeInterval(-60))
                .create(on: app.db)
            let browser = Browser(app, acceptLanguage: "fr")
            // MUT
            let expired = try await browser.get(SiteURL.setPassword(.value(token)).path)
            let unknown = try await browser.get(SiteURL.setPassword(.value("jeton-inconnu")).path)
            // validate
            #expect(expired.status == .gone)
            #expect(expired.text.contains("Demandez un nouveau lien à l&#39;administration de votre organisme."))
            #expect(unknown.status == .notFound)
        }
    }

    @Test func everySaveSaysSoOnTheNextPageInItsLanguage() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let file = try await Fixtures.openCase(app, in: organisation, by: worker)
            let casePath = SiteURL.caseFile(.value(file.id!.uuidString)).path
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(worker.email)
            try await browser.get(casePath)
            // MUT
            let note = try await browser.post(casePath + "/notes", [("body", "Note fictive")])
            let task = try await browser.post(casePath + "/tasks", [("title", "Tâche fictive")])
            let opened = try await browser.post(SiteURL.cases.path, [("preferredName", "Nouvelle Fictive")])
            let french = try await browser.get(try #require(note.location))
            let english = try await browser.get(casePath + "?saved=note&lang=en")
            try await browser.get(casePath + "?lang=fr")
            let forged = try await browser.get(casePath + "?saved=%3Cscript%3E")
            // validate
            #expect(note.location == casePath + "?saved=note#notes")
            #expect(task.location == casePath + "?saved=task#tasks")
            #expect(opened.location?.hasSuffix("?saved=case") == true)
            #expect(french.text.contains(#"<div class="notice" role="status">Note ajoutée.</div>"#))
            #expect(english.text.contains(#"<div class="notice" role="status">Note added.</div>"#))
            #expect(!forged.text.contains(#"<div class="notice" role="status">"#))
        }
    }

    @Test func timesReadAsQuebecWritesThem() async throws {
        try await withTestApp { app in
            // setup
            let request = Request(application: app, on: app.eventLoopGroup.next())
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = app.config.timeZone
            let date = try #require(calendar.date(from: DateComponents(year: 2026, month: 3, day: 2, hour: 13, minute: 5)))
            let morning = try #require(calendar.date(from: DateComponents(year: 2026, month: 3, day: 2, hour: 9, minute: 0)))
            // MUT
            let french = request.formatDateTime(date, in: .fr)
            let early = request.formatDateTime(morning, in: .fr)
            let english = request.formatDateTime(date, in: .en)
            // validate
            #expect(french == "2 mars 2026 à 13 h 05")
            #expect(early == "2 mars 2026 à 9 h 00")
            #expect(english?.hasPrefix("March 2, 2026") == true)
            #expect(english?.contains("1:05") == true)
            // The clock follows the zone's offset at each instant, daylight saving included, and
            // the kept texts of days and clocks (DateTexts) read as ICU writes each instant.
            let zone = app.config.timeZone
            let englishStyle = Date.FormatStyle(
                date: .long, time: .shortened, locale: Locale(identifier: Language.en.localeIdentifier), timeZone: zone)
            let frenchDay = Date.FormatStyle(date: .long, time: .omitted, locale: Locale(identifier: Language.fr.localeIdentifier), timeZone: zone)
            let before1970 = try #require(calendar.date(from: DateComponents(year: 1969, month: 12, day: 31, hour: 23, minute: 30)))
            for instant in stride(from: 0, to: 24 * 400, by: 7).map({ date.addingTimeInterval(Double($0) * 3_600 + 1_234) }) + [before1970] {
                let time = calendar.dateComponents([.hour, .minute], from: instant)
                let clock = "\(time.hour!) h " + (time.minute! < 10 ? "0" : "") + "\(time.minute!)"
                #expect(request.formatDateTime(instant, in: .fr) == frenchDay.format(instant) + " à " + clock, "\(instant)")
                #expect(request.formatDateTime(instant, in: .en) == englishStyle.format(instant), "\(instant)")
            }
        }
    }

    @Test func theExportHasPermitsLocalTimesTasksAndHistory() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let chief = try await Fixtures.user(app, in: organisation, roles: [.caseworker, .supervisor])
            let file = try await Fixtures.openCase(app, in: organisation, by: chief)
            let casePath = SiteURL.caseFile(.value(file.id!.uuidString)).path
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(chief.email)
            try await browser.get(casePath)
            let pathway = try #require(try await PathwayType.query(on: app.db).filter(\.$code == "VOWP").filter(\.$isCurrent == true).first())
            try await browser.post(casePath + "/applications", [("pathway", pathway.id!.uuidString)])
            try await browser.get(casePath)
            try await browser.post(casePath + "/tasks", [("title", "Appeler (fictif)")])
            // MUT
            let printed = try await browser.get(SiteURL.casePart(.value(file.id!.uuidString), .export).path)
            let json = try await browser.get(SiteURL.casePart(.value(file.id!.uuidString), .exportJSON).path)
            // validate
            #expect(printed.text.contains(pathway.nameFR))
            #expect(printed.text.contains("Tâche</span> / <span lang=\"en-CA\">Task"))
            #expect(printed.text.contains("Appeler (fictif)"))
            #expect(printed.text.contains("Tâche ajoutée : Appeler (fictif) / Task added: Appeler (fictif)"))
            #expect(printed.text.contains(" h "))
            #expect(!printed.text.contains("T00:") && printed.text.firstMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d/) == nil)
            #expect(printed.text.contains("Aucun</span> / <span lang=\"en-CA\">None"))
            #expect(printed.text.contains(#"class="print-only""#))
            #expect(json.text.firstMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
            #expect(json.text.contains("applications.title"))
        }
    }
}
