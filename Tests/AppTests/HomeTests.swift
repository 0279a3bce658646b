import Domain
import Fluent
import Foundation
import Testing
import Vapor

@testable import App

/// "Ma journée / my day": a person's open tasks, overdue first, with their titles and cases.
@Suite struct HomeTests {
    static func task(_ app: Application, _ file: CaseFile, title: String, due: Day?, assignee: User?, done: Bool = false) async throws {
        let vault = CaseVault(master: app.masterKey)
        let task = CaseTask()
        let id = UUID()
        task.id = id
        task.caseID = file.id!
        task.organisationID = file.$organisation.id
        task.sealedTitle = try vault.seal(title, field: .task(id), with: try await vault.open(file, on: app.db))
        task.dueOn = due?.date
        task.assigneeID = assignee?.id
        task.createdAt = app.clock.now()
        task.doneAt = done ? app.clock.now() : nil
        try await task.create(on: app.db)
    }

    @Test func myTasksAreMineOpenAndDueSoonestFirst() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let colleague = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let file = try await Fixtures.openCase(app, in: organisation, by: worker)
            let today = Day(app.clock.now(), in: app.config.timeZone)
            try await Self.task(app, file, title: "Cette semaine", due: today.adding(days: 3), assignee: worker)
            try await Self.task(app, file, title: "En retard", due: today.adding(days: -2), assignee: worker)
            try await Self.task(app, file, title: "Aujourd’hui", due: today, assignee: worker)
            try await Self.task(app, file, title: "Plus tard", due: today.adding(days: 20), assignee: worker)
            try await Self.task(app, file, title: "Sans date", due: nil, assignee: worker)
            try await Self.task(app, file, title: "Faite", due: today.adding(days: -1), assignee: worker, done: true)
            try await Self.task(app, file, title: "D’une collègue", due: today, assignee: colleague)
            let viewer = CaseViewer(userID: worker.id!, organisationID: organisation.id!, assignedOnly: true)
            // MUT
            let tasks = try await HomeQueries.myTasks(viewer: viewer, today: today, vault: CaseVault(master: app.masterKey), on: app.db)
            // validate
            #expect(tasks.map(\.title) == ["En retard", "Aujourd’hui", "Cette semaine"])
            #expect(tasks.allSatisfy { $0.reference == file.reference && $0.caseID == file.id })
        }
    }

    @Test func homeListsMyOverdueTasksByTitle() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let file = try await Fixtures.openCase(app, in: organisation, by: worker)
            let today = Day(app.clock.now(), in: app.config.timeZone)
            try await Self.task(app, file, title: "Appeler l’avocate (fictive)", due: today.adding(days: -1), assignee: worker)
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(worker.email)
            // MUT
            let home = try await browser.get(SiteURL.home.path)
            // validate
            #expect(home.status == .ok)
            #expect(home.text.contains("Mes tâches en retard"))
            #expect(home.text.contains("Appeler l’avocate (fictive)"))
            #expect(home.text.contains(file.reference))
            #expect(home.text.contains("href=\"\(SiteURL.caseFile(.value(file.id!.uuidString)).path)\""))
        }
    }

    @Test func theCasePageSaysWhatToDoNextAtTheTop() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let file = try await Fixtures.openCase(app, in: organisation, by: worker)
            let today = Day(app.clock.now(), in: app.config.timeZone)
            try await Self.task(app, file, title: "Rappeler la personne (fictive)", due: today.adding(days: -3), assignee: worker)
            try await Self.task(app, file, title: "Envoyer la lettre (fictive)", due: today.adding(days: -1), assignee: worker)
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(worker.email)
            // MUT
            let page = try await browser.get(SiteURL.caseFile(.value(file.id!.uuidString)).path)
            // validate
            let html = page.text
            let summary = try #require(html.range(of: "case-summary"))
            let safe = try #require(html.range(of: "safe-heading"))
            #expect(summary.lowerBound < safe.lowerBound)
            #expect(html.contains("<title>\(file.reference) — "))
            #expect(html.contains("Rappeler la personne (fictive)</a>"))
            #expect(html.contains("2 tâches en retard"))
            #expect(html.contains("collecte : non"))
            #expect(html.contains("Aucune note"))
            #expect(html.contains(#"<details class="add-form"><summary>Ajouter une tâche</summary>"#))
            // Repeated buttons say which task they act on.
            #expect(html.contains(#"<span class="visually-hidden"> : Rappeler la personne (fictive)</span></button>"#))
            // A failed add re-renders its section open.
            let failed = try await browser.post(SiteURL.casePart(.value(file.id!.uuidString), .tasks).path, [("title", "")])
            #expect(failed.status == .unprocessableEntity)
            #expect(failed.text.contains(#"<details class="add-form" open><summary>Ajouter une tâche</summary>"#))
        }
    }
}
