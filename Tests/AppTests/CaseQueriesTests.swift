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
            let settings = try await CasesController.settings(for: organisation, on: app.db)
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
}
