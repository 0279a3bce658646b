import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import App

@Suite struct CaseSectionsTests {
    func setUp(_ app: Application, language: Language = .en) async throws -> (Browser, String, User) {
        let organisation = try await Fixtures.organisation(app)
        let worker = try await Fixtures.user(app, in: organisation, roles: [.caseworker], language: language)
        let browser = Browser(app)
        try await browser.signIn(worker.email)
        let id = try await CasesTests.open(browser, name: "Kofi Mẫu")
        try await browser.get(SiteURL.caseFile(.value(id)).path)
        return (browser, id, worker)
    }

    @Test func amountsAreReadAsCanadiansWriteThem() {
        #expect(Amount.cents("1 250,50 $") == 125_050)
        #expect(Amount.cents("1,250.50") == 125_050)
        #expect(Amount.cents("300000") == 30_000_000)
        #expect(Amount.cents("-5") == nil)
        #expect(Amount.cents("beaucoup") == nil)
    }

    @Test func needsAreSetChangedAndCleared() async throws {
        try await withTestApp { app in
            let (browser, id, _) = try await setUp(app)
            let caseID = UUID(uuidString: id)!
            #expect(
                try await browser.post(
                    SiteURL.caseFile(.value(id)).path + "/needs",
                    [
                        ("needs[housing]", "identified"), ("needs[immigration_legal]", "unmet"),
                        ("needs[health]", ""),
                    ]
                ).status == .seeOther)
            #expect(Set(try await CaseNeed.query(on: app.db).filter(\.$caseID == caseID).all(\.$need)) == ["housing", "immigration_legal"])
            try await browser.get(SiteURL.caseFile(.value(id)).path)
            try await browser.post(SiteURL.caseFile(.value(id)).path + "/needs", [("needs[housing]", "met"), ("needs[immigration_legal]", "")])
            let needs = try await CaseNeed.query(on: app.db).filter(\.$caseID == caseID).all()
            #expect(needs.map(\.need) == ["housing"])
            #expect(needs.first?.status == "met")
            // The grid shows each need with its status chosen, the others on the empty choice.
            let page = try await browser.get(SiteURL.caseFile(.value(id)).path).body.string
            #expect(
                page.contains(
                    #"<label for="need-housing">Housing</label><select id="need-housing" name="needs[housing]"><option value="">—</option>"#))
            func select(_ name: String) throws -> Substring {
                let start = try #require(page.range(of: "name=\"\(name)\"")).upperBound
                return page[start..<(try #require(page[start...].range(of: "</select>")).lowerBound)]
            }
            #expect(try select("needs[housing]").contains(#"<option value="met" selected>"#))
            #expect(try !select("needs[health]").contains("selected"))
            let bad = try await browser.post(SiteURL.caseFile(.value(id)).path + "/needs", [("needs[spaceship]", "met")])
            #expect(bad.status == .unprocessableEntity)
        }
    }

    @Test func tasksAreSealedDatedAndCompleted() async throws {
        try await withTestApp { app in
            let (browser, id, worker) = try await setUp(app)
            let bad = try await browser.post(
                SiteURL.caseFile(.value(id)).path + "/tasks", [("title", "Appeler l'avocate (fictive)"), ("dueOn", "2026-13-01")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("Enter a valid date as YYYY-MM-DD."))
            #expect(bad.text.contains("Appeler l&#39;avocate (fictive)"))
            #expect(try await CaseTask.query(on: app.db).count() == 0)
            try await browser.get(SiteURL.caseFile(.value(id)).path)
            #expect(
                try await browser.post(
                    SiteURL.caseFile(.value(id)).path + "/tasks", [("title", "Appeler l'avocate (fictive)"), ("dueOn", "2020-01-15")]
                ).status
                    == .seeOther)
            let task = try #require(try await CaseTask.query(on: app.db).first())
            #expect(task.assigneeID == worker.id)
            #expect(!String(decoding: task.sealedTitle, as: UTF8.self).contains("avocate"))
            let page = try await browser.get(SiteURL.caseFile(.value(id)).path)
            #expect(page.text.contains("Appeler l&#39;avocate (fictive)"))
            #expect(page.text.contains("overdue"))
            try await browser.post(SiteURL.caseFile(.value(id)).path + "/tasks/\(task.id!.uuidString)/done")
            #expect(try await CaseTask.find(task.id, on: app.db)?.doneAt != nil)
        }
    }

    @Test func consentIsRecordedAndWithdrawnAtOnce() async throws {
        try await withTestApp { app in
            let (browser, id, _) = try await setUp(app, language: .fr)
            let missingPartner = try await browser.post(
                SiteURL.caseFile(.value(id)).path + "/consents",
                [("kind", "share"), ("givenOn", "2026-01-10"), ("method", "verbal"), ("language", "espagnol")])
            #expect(missingPartner.status == .unprocessableEntity)
            #expect(missingPartner.text.contains("Nommez le partenaire"))
            #expect(missingPartner.text.contains(#"value="espagnol""#))
            try await browser.get(SiteURL.caseFile(.value(id)).path)
            #expect(
                try await browser.post(
                    SiteURL.caseFile(.value(id)).path + "/consents",
                    [("kind", "statistics"), ("givenOn", "2026-01-10"), ("method", "written"), ("language", "français")]
                ).status == .seeOther)
            var page = try await browser.get(SiteURL.caseFile(.value(id)).path)
            #expect(page.text.contains("Statistiques du réseau : la personne est comptée"))
            let consent = try #require(try await CaseConsent.query(on: app.db).first())
            let withdraw = SiteURL.caseFile(.value(id)).path + "/consents/\(consent.id!.uuidString)/withdraw"
            // Not confirmed: nothing is withdrawn, and the page says how to confirm.
            let unconfirmed = try await browser.post(withdraw)
            #expect(unconfirmed.status == .unprocessableEntity)
            #expect(unconfirmed.text.contains("confirmez le retrait"))
            #expect(try await CaseConsent.query(on: app.db).first()?.withdrawnAt == nil)
            #expect(try await browser.post(withdraw, [("confirm", "yes")]).status == .seeOther)
            page = try await browser.get(SiteURL.caseFile(.value(id)).path)
            #expect(page.text.contains("Statistiques du réseau : la personne n&#39;est pas comptée"))
            let records = try await CaseConsent.query(on: app.db).all().compactMap(\.record)
            #expect(!ConsentRules.isGranted(.statistics, in: records, at: Date()))
        }
    }

    @Test func legalActionsRecordOutcomesAndAmounts() async throws {
        try await withTestApp { app in
            let (browser, id, _) = try await setUp(app)
            let bad = try await browser.post(
                SiteURL.caseFile(.value(id)).path + "/legal-actions", [("kind", "lawsuit"), ("status", "filed"), ("amount", "lots")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("Enter an unambiguous amount"))
            #expect(bad.text.contains(#"value="lots""#))
            try await browser.get(SiteURL.caseFile(.value(id)).path)
            #expect(
                try await browser.post(
                    SiteURL.caseFile(.value(id)).path + "/legal-actions",
                    [
                        ("kind", "employment_standards"), ("status", "decided"),
                        ("filedOn", "2025-03-01"), ("amount", "12 500,00 $"), ("outcome", "Salaire impayé remboursé (fictif)"),
                    ]
                ).status == .seeOther)
            let action = try #require(try await CaseLegalAction.query(on: app.db).first())
            #expect(action.amountAwardedCents == 1_250_000)
            let page = try await browser.get(SiteURL.caseFile(.value(id)).path)
            #expect(page.text.contains("Employment-standards complaint"))
            #expect(page.text.contains("Salaire impayé remboursé (fictif)"))
        }
    }

    @Test func experienceUsesHTCDSValuesSealsNamesAndRefusesStaleSaves() async throws {
        try await withTestApp { app in
            let (browser, id, _) = try await setUp(app)
            let caseID = UUID(uuidString: id)!
            try await browser.get(SiteURL.caseFile(.value(id)).path + "/experience")
            let bad = try await browser.post(
                SiteURL.caseFile(.value(id)).path + "/experience",
                [
                    ("version", "0"), ("exploitationTypes[]", "ForcedLabour"),
                    ("exploitationTypes[]", "Piracy"), ("currency", "dollars"), ("employers", "Ferme Imaginaire inc."),
                ])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("Ferme Imaginaire inc."))
            #expect(try await CaseExperience.query(on: app.db).count() == 0)
            try await browser.get(SiteURL.caseFile(.value(id)).path + "/experience")
            let saved = try await browser.post(
                SiteURL.caseFile(.value(id)).path + "/experience",
                [
                    ("version", "0"), ("traffickingStatus", "PossibleVictimOfTrafficking"),
                    ("exploitationTypes[]", "ForcedLabour"), ("scope", "international"), ("industry", "A_AgricultureForestryAndFishing"),
                    ("controlMethods[]", "DebtBondage"), ("controlMethods[]", "WithholdsDocuments"),
                    ("recruitmentMethods[]", "ThroughAnOnlineAdvertisement"),
                    ("fees", "3 000"), ("currency", "cad"), ("recruiterLicensed", "no"), ("employers", "Ferme Imaginaire inc."),
                    ("account", "Récit fictif"),
                ])
            #expect(saved.status == .seeOther)
            let experience = try #require(try await CaseExperience.query(on: app.db).filter(\.$caseID == caseID).first())
            #expect(experience.exploitationTypes == "ForcedLabour")
            #expect(experience.controlMethods == "DebtBondage,WithholdsDocuments")
            #expect(experience.feesPaidCents == 300_000)
            #expect(experience.feesCurrency == "CAD")
            #expect(!String(decoding: experience.sealedDetails ?? Data(), as: UTF8.self).contains("Imaginaire"))
            let page = try await browser.get(SiteURL.caseFile(.value(id)).path)
            #expect(page.text.contains("Debt bondage"))
            #expect(page.text.contains("Ferme Imaginaire inc."))
            // The amount reopens as the reader writes it, and reads back the same.
            let english = try await browser.get(SiteURL.caseFile(.value(id)).path + "/experience")
            #expect(english.text.contains(#"value="3,000.00""#))
            let french = try await browser.get(SiteURL.caseFile(.value(id)).path + "/experience?lang=fr")
            #expect(french.text.contains("000,00\""))
            try await browser.get(SiteURL.caseFile(.value(id)).path + "/experience?lang=en")
            // A form opened before that save is refused.
            try await browser.get(SiteURL.caseFile(.value(id)).path + "/experience")
            let stale = try await browser.post(
                SiteURL.caseFile(.value(id)).path + "/experience", [("version", "0"), ("exploitationTypes[]", "Servitude")])
            #expect(stale.status == .conflict)
            #expect(try await CaseExperience.query(on: app.db).first()?.exploitationTypes == "ForcedLabour")
        }
    }

    @Test func listsFilterByNeedAndOpenTasks() async throws {
        try await withTestApp { app in
            let (browser, id, _) = try await setUp(app)
            let other = try await CasesTests.open(browser, name: "Olena Muster")
            try await browser.get(SiteURL.caseFile(.value(id)).path)
            try await browser.post(SiteURL.caseFile(.value(id)).path + "/needs", [("needs[housing]", "unmet")])
            try await browser.get(SiteURL.caseFile(.value(other)).path)
            try await browser.post(SiteURL.caseFile(.value(other)).path + "/tasks", [("title", "Suivi (fictif)"), ("dueOn", "2020-01-01")])
            let byNeed = try await browser.get(SiteURL.cases.path + "?need=housing").text
            #expect(byNeed.contains("Kofi Mẫu") && !byNeed.contains("Olena Muster"))
            let byTask = try await browser.get(SiteURL.cases.path + "?tasks=overdue").text
            #expect(byTask.contains("Olena Muster") && !byTask.contains("Kofi Mẫu"))
            #expect(try await browser.get(SiteURL.cases.path + "?need=unicorns&tasks=whatever&page=-3&sort=drop").status == .ok)
        }
    }
}
