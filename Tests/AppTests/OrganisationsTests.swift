import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct OrganisationsTests {
    @Test func systemAdminCreatesAndEditsOrganisations() async throws {
        try await withTestApp { app in
            let instance = try await Fixtures.organisation(app)
            let admin = try await Fixtures.user(app, in: instance, roles: [.systemAdmin])
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(admin.email)
            try await browser.get(SiteURL.organisations.path + "/new")
            // Bad input: every problem reported, what was typed kept, nothing saved.
            let bad = try await browser.post(
                SiteURL.organisations.path, [("name", "  "), ("type", "cartel"), ("provinces[]", "ZZ"), ("languages", "fr, <b>")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("Ce champ est obligatoire."))
            #expect(bad.text.contains("Ce choix ne fait pas partie de la liste."))
            #expect(bad.text.contains(#"value="fr, &lt;b&gt;""#))
            #expect(try await Organisation.query(on: app.db).count() == 1)

            try await browser.get(SiteURL.organisations.path + "/new")
            let created = try await browser.post(
                SiteURL.organisations.path,
                [
                    ("name", "Centre Ẹ̀kọ́ Fictif (test)"), ("type", "shelter"),
                    ("provinces[]", "QC"), ("provinces[]", "ON"), ("languages", "fr, en, yo"), ("active", "on"),
                ])
            #expect(created.status == .seeOther)
            let organisation = try #require(try await Organisation.query(on: app.db).filter(\.$name == "Centre Ẹ̀kọ́ Fictif (test)").first())
            #expect(organisation.provinceList == [.QC, .ON])
            #expect(organisation.languages == "fr,en,yo")
            let list = try await browser.get(SiteURL.organisations.path)
            #expect(list.text.contains("Centre Ẹ̀kọ́ Fictif (test)"))

            try await browser.get(SiteURL.organisation(.value(organisation.id!.uuidString)).path)
            let duplicate = try await browser.post(
                SiteURL.organisation(.value(organisation.id!.uuidString)).path,
                [("name", instance.name), ("type", "shelter"), ("provinces[]", "QC"), ("languages", "fr")])
            #expect(duplicate.text.contains("Un organisme porte déjà ce nom."))
            try await browser.get(SiteURL.organisation(.value(organisation.id!.uuidString)).path)
            let closed = try await browser.post(
                SiteURL.organisation(.value(organisation.id!.uuidString)).path,
                [("name", "Centre Fictif renommé (test)"), ("type", "ngo"), ("provinces[]", "QC"), ("languages", "fr")])
            #expect(closed.status == .seeOther)
            let reloaded = try await Organisation.find(organisation.id, on: app.db)
            #expect(reloaded?.isActive == false)
            #expect(reloaded?.name == "Centre Fictif renommé (test)")
            let actions = try await AuditEvent.query(on: app.db).all(\.$action)
            #expect(actions.contains(AuditAction.organisationCreated.rawValue))
            #expect(actions.contains(AuditAction.organisationUpdated.rawValue))
        }
    }

    @Test func membersOfAClosedOrganisationCannotSignIn() async throws {
        try await withTestApp { app in
            let organisation = try await Fixtures.organisation(app)
            let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker])
            let browser = Browser(app)
            try await browser.signIn(worker.email)
            organisation.isActive = false
            try await organisation.save(on: app.db)
            #expect(try await browser.get(SiteURL.home.path).location == SiteURL.login.path)
            #expect(try await Browser(app).signIn(worker.email).status == .unauthorized)
        }
    }
}
