import Domain
import Fluent
import Foundation
import Testing
import Vapor

@testable import App

/// The record-level rule as a function of a database and a viewer, on SQLite and PostgreSQL.
@Suite struct CaseQueriesTests {
    @Test func aCaseIsFoundOnlyByTheViewersItsOrganisationAllows() async throws {
        try await withTestApp { app in
            // setup
            let mine = try await Fixtures.organisation(app)
            let theirs = try await Fixtures.organisation(app)
            let opener = try await Fixtures.user(app, in: mine, roles: [.caseworker])
            let colleague = try await Fixtures.user(app, in: mine, roles: [.caseworker])
            let stranger = try await Fixtures.user(app, in: theirs, roles: [.caseworker, .supervisor])
            let file = try await Fixtures.openCase(app, in: mine, by: opener)
            let id = try #require(file.id)
            // MUT
            let asOpener = try await CaseQueries.find(
                id, viewer: CaseViewer(userID: opener.id!, organisationID: mine.id!, assignedOnly: true), on: app.db)
            let asColleagueAssignedOnly = try await CaseQueries.find(
                id, viewer: CaseViewer(userID: colleague.id!, organisationID: mine.id!, assignedOnly: true), on: app.db)
            let asColleagueWholeOrganisation = try await CaseQueries.find(
                id, viewer: CaseViewer(userID: colleague.id!, organisationID: mine.id!, assignedOnly: false), on: app.db)
            let asStranger = try await CaseQueries.find(
                id, viewer: CaseViewer(userID: stranger.id!, organisationID: theirs.id!, assignedOnly: false), on: app.db)
            let unknown = try await CaseQueries.find(
                UUID(), viewer: CaseViewer(userID: opener.id!, organisationID: mine.id!, assignedOnly: false), on: app.db)
            // validate
            #expect(asOpener?.reference == file.reference)
            #expect(asOpener?.wrappedKey != nil)
            #expect(asColleagueAssignedOnly == nil)
            #expect(asColleagueWholeOrganisation?.id == id)
            #expect(asStranger == nil)
            #expect(unknown == nil)
        }
    }

    @Test func aSupervisorSeesEveryCaseOfTheirOrganisationWhateverTheSetting() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let opener = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let supervisor = try await Fixtures.user(app, in: organisation, roles: [.supervisor])
            let file = try await Fixtures.openCase(app, in: organisation, by: opener)
            let settings = try await CaseQueries.settings(for: organisation, on: app.db)
            settings.visibility = CaseVisibility.assignedOnly.rawValue
            // MUT
            let viewer = CaseViewer(user: supervisor, roles: supervisor.roleList, settings: settings)
            let caseworkerViewer = CaseViewer(user: opener, roles: opener.roleList, settings: settings)
            // validate
            #expect(!viewer.assignedOnly)
            #expect(caseworkerViewer.assignedOnly)
            #expect(try await CaseQueries.find(file.id!, viewer: viewer, on: app.db)?.id == file.id)
        }
    }

    @Test func notesComeAPageAtATimeNewestFirstWithTheirTotal() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let file = try await Fixtures.openCase(app, in: organisation, by: worker)
            let vault = CaseVault(master: app.masterKey)
            let opened = try await vault.open(file, on: app.db)
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            for number in 0..<7 {
                let id = UUID()
                let note = CaseNote(
                    caseID: file.id!, authorID: worker.id, createdAt: start.addingTimeInterval(Double(number) * 60),
                    sealedBody: try vault.seal("note \(number)", field: .note(id), with: opened))
                note.id = id
                try await note.create(on: app.db)
            }
            // MUT
            let first = try await CaseQueries.notes(of: file.id!, page: 1, perPage: 3, on: app.db)
            let last = try await CaseQueries.notes(of: file.id!, page: 3, perPage: 3, on: app.db)
            let beyond = try await CaseQueries.notes(of: file.id!, page: 9, perPage: 3, on: app.db)
            // validate
            func bodies(_ notes: [CaseNote]) throws -> [String] {
                try notes.map { try vault.openText($0.sealedBody, field: .note($0.id!), with: opened) }
            }
            #expect(first.total == 7)
            #expect(try bodies(first.notes) == ["note 6", "note 5", "note 4"])
            #expect(try bodies(last.notes) == ["note 0"])
            #expect(beyond.notes.isEmpty)
            #expect(beyond.total == 7)
        }
    }

    @Test func theListKeepsCaseworkersToTheirCasesAndCombinesItsFilters() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let other = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let colleague = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let stranger = try await Fixtures.user(app, in: other, roles: [.caseworker])
            let mine = try await Fixtures.openCase(app, in: organisation, by: worker, name: "Amélie Fictive Tremblay", province: .QC)
            let mineOntario = try await Fixtures.openCase(app, in: organisation, by: worker, name: "Bruno Fictif", province: .ON)
            let theirs = try await Fixtures.openCase(app, in: organisation, by: colleague, name: "Amélie Fictive Gagnon", province: .QC)
            _ = try await Fixtures.openCase(app, in: other, by: stranger, name: "Amélie Fictive Tremblay", province: .QC)
            try await CaseNeed(caseID: mineOntario.id!, organisationID: organisation.id!, need: .housing, status: .unmet, now: app.clock.now())
                .create(on: app.db)
            let vault = CaseVault(master: app.masterKey)
            let task = CaseTask()
            task.caseID = theirs.id!
            task.organisationID = organisation.id!
            task.sealedTitle = try vault.seal("Appeler", field: .task(UUID()), with: try await vault.open(theirs, on: app.db))
            task.dueOn = app.clock.now().addingTimeInterval(-86_400)
            task.createdAt = app.clock.now()
            try await task.create(on: app.db)
            let own = CaseViewer(userID: worker.id!, organisationID: organisation.id!, assignedOnly: true)
            let all = CaseViewer(userID: worker.id!, organisationID: organisation.id!, assignedOnly: false)
            func list(_ query: CaseListQuery, _ viewer: CaseViewer) async throws -> CaseListPage {
                try await CaseQueries.list(query, viewer: viewer, vault: vault, now: app.clock.now(), on: app.db)
            }
            // MUT
            let ownCases = try await list(CaseListQuery(), own)
            let everyone = try await list(CaseListQuery(sort: .reference), all)
            let byName = try await list(CaseListQuery(text: "amelie fictive"), all)
            let byNameOwn = try await list(CaseListQuery(text: "Amélie"), own)
            let byReference = try await list(CaseListQuery(text: theirs.reference), all)
            let byReferenceOwn = try await list(CaseListQuery(text: theirs.reference), own)
            let nobody = try await list(CaseListQuery(text: "Zoé Inexistante"), all)
            let ontario = try await list(CaseListQuery(province: .ON), all)
            let housing = try await list(CaseListQuery(need: .housing), all)
            let housingInQuebec = try await list(CaseListQuery(province: .QC, need: .housing), all)
            let overdue = try await list(CaseListQuery(tasks: .overdue), all)
            let colleagues = try await list(CaseListQuery(worker: colleague.id!), all)
            // validate
            #expect(Set(ownCases.rows.map(\.id)) == [mine.id!, mineOntario.id!])
            #expect(ownCases.total == 2 && !ownCases.capped && !ownCases.hasNext)
            #expect(everyone.rows.map(\.reference) == [mine, mineOntario, theirs].map(\.reference).sorted())
            #expect(everyone.total == 3)
            #expect(Set(byName.rows.map(\.preferredName)) == ["Amélie Fictive Tremblay", "Amélie Fictive Gagnon"])
            #expect(byNameOwn.rows.map(\.id) == [mine.id!])
            #expect(byReference.rows.map(\.id) == [theirs.id!])
            #expect(byReferenceOwn.rows.isEmpty && byReferenceOwn.total == 0)
            #expect(nobody.rows.isEmpty && nobody.total == 0)
            #expect(ontario.rows.map(\.id) == [mineOntario.id!])
            #expect(housing.rows.map(\.id) == [mineOntario.id!])
            #expect(housingInQuebec.rows.isEmpty)
            #expect(overdue.rows.map(\.id) == [theirs.id!])
            #expect(colleagues.rows.map(\.id) == [theirs.id!])
            #expect(colleagues.rows.first?.workers == ["Personne Fictive"])
        }
    }

    @Test func theListPagesItsRowsAndKeepsThePageInRange() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            for number in 0..<(CaseQueries.pageSize + 2) {
                try await Fixtures.openCase(app, in: organisation, by: worker, name: "Personne Fictive \(number)")
            }
            let viewer = CaseViewer(userID: worker.id!, organisationID: organisation.id!, assignedOnly: true)
            let vault = CaseVault(master: app.masterKey)
            // MUT
            let first = try await CaseQueries.list(CaseListQuery(), viewer: viewer, vault: vault, now: app.clock.now(), on: app.db)
            let second = try await CaseQueries.list(CaseListQuery(page: 2), viewer: viewer, vault: vault, now: app.clock.now(), on: app.db)
            let sorted = try await CaseQueries.list(
                CaseListQuery(sort: .activity, page: 2), viewer: viewer, vault: vault, now: app.clock.now(), on: app.db)
            let negative = try await CaseQueries.list(CaseListQuery(page: -4), viewer: viewer, vault: vault, now: app.clock.now(), on: app.db)
            let huge = try await CaseQueries.list(CaseListQuery(page: Int.max), viewer: viewer, vault: vault, now: app.clock.now(), on: app.db)
            // validate
            #expect(first.rows.count == CaseQueries.pageSize && first.total == CaseQueries.pageSize + 2 && first.hasNext)
            #expect(second.rows.count == 2 && !second.hasNext && second.page == 2)
            #expect(Set(first.rows.map(\.id)).isDisjoint(with: second.rows.map(\.id)))
            #expect(sorted.rows.count == 2)
            #expect(negative.page == 1 && negative.rows.count == CaseQueries.pageSize)
            #expect(huge.page == CaseQueries.countCap / CaseQueries.pageSize && huge.rows.isEmpty && huge.total == CaseQueries.pageSize + 2)
        }
    }

    @Test func theHistorySaysWhatWasDoneNewestFirstWithoutPageViews() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let file = try await Fixtures.openCase(app, in: organisation, by: worker)
            let actor = AuditActor(userID: worker.id, email: worker.email, organisationID: organisation.id)
            try await AuditLog.append(on: app.db, actor: actor, action: .caseViewed, target: file.id!.uuidString, requestID: nil)
            try await AuditLog.append(on: app.db, actor: actor, action: .caseNoteAdded, target: file.id!.uuidString, requestID: nil)
            // MUT
            let history = try await CaseQueries.history(of: file.id!, on: app.db)
            let shortest = try await CaseQueries.history(of: file.id!, limit: 1, on: app.db)
            let none = try await CaseQueries.history(of: UUID(), on: app.db)
            // validate
            #expect(history.map(\.action) == [AuditAction.caseNoteAdded.rawValue, AuditAction.caseCreated.rawValue])
            #expect(history.allSatisfy { $0.actorEmail == worker.email })
            #expect(shortest.map(\.action) == [AuditAction.caseNoteAdded.rawValue])
            #expect(none.isEmpty)
        }
    }

    @Test func theTeamIsTheOrganisationsPeopleWithWhoHoldsTheCase() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let other = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let colleague = try await Fixtures.user(app, in: organisation, roles: [.supervisor])
            try await Fixtures.user(app, in: other, roles: [.caseworker])
            let file = try await Fixtures.openCase(app, in: organisation, by: worker)
            // MUT
            let team = try await CaseQueries.team(of: file, on: app.db)
            // validate
            #expect(Set(team.colleagues.map(\.id!)) == [worker.id!, colleague.id!])
            #expect(team.assigned == [worker.id!])
        }
    }

    @Test func thePanelsReadTheirCasesRecordsNewestFirstAndNoOtherCases() async throws {
        try await withTestApp { app in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let file = try await Fixtures.openCase(app, in: organisation, by: worker)
            let other = try await Fixtures.openCase(app, in: organisation, by: worker)
            let vault = CaseVault(master: app.masterKey)
            let opened = try await vault.open(file, on: app.db)
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            for (number, caseFile) in [file, file, other].enumerated() {
                let task = CaseTask()
                let id = UUID()
                task.id = id
                task.caseID = caseFile.id!
                task.organisationID = organisation.id!
                task.sealedTitle = try vault.seal("Tâche \(number)", field: .task(id), with: try await vault.open(caseFile, on: app.db))
                task.createdAt = start.addingTimeInterval(Double(number) * 60)
                try await task.create(on: app.db)
            }
            try await CaseNeed(caseID: file.id!, organisationID: organisation.id!, need: .housing, status: .unmet, now: start).create(on: app.db)
            let pathway = try #require(try await PathwayType.query(on: app.db).filter(\.$isCurrent == true).first())
            for (number, caseFile) in [file, file, other].enumerated() {
                let application = PathwayApplication()
                application.caseID = caseFile.id!
                application.organisationID = organisation.id!
                application.$pathway.id = pathway.id!
                application.state = ApplicationState.preparing.rawValue
                application.createdAt = start.addingTimeInterval(Double(number) * 60)
                application.checklistDone = ""
                application.version = 1
                try await application.create(on: app.db)
            }
            // MUT
            let records = try await CaseSectionsPanel.records(of: file.id!, on: app.db)
            let applications = try await ApplicationsPanel.records(of: file.id!, on: app.db)
            let none = try await CaseSectionsPanel.records(of: UUID(), on: app.db)
            // validate
            #expect(try records.tasks.map { try vault.openText($0.sealedTitle, field: .task($0.id!), with: opened) } == ["Tâche 1", "Tâche 0"])
            #expect(records.needs.map(\.need) == [NeedKind.housing.rawValue])
            #expect(records.consents.isEmpty && records.legalActions.isEmpty && records.documents.isEmpty && records.experience == nil)
            #expect(applications.count == 2)
            #expect(applications.allSatisfy { $0.name_fr == pathway.nameFR && $0.state == ApplicationState.preparing.rawValue })
            #expect(none.tasks.isEmpty && none.needs.isEmpty)
        }
    }
}
