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
}
