import Domain
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import App

/// Referrals from a case to a service, through the pages: the consent gate, only the ticked
/// fields travel, both sides' steps, the receiver's new case, the letter outside the network,
/// consent withdrawal and purge making the snapshot unreadable, and a third organisation's 404s.
@Suite struct ReferralTests {
    struct Network {
        let sender: Organisation
        let receiver: Organisation
        let third: Organisation
        let caseworker: User
        let receiving: User
        let outsider: User
        let file: CaseFile
        let service: DirectoryService
        let listing: DirectoryOrganisation
        let outsideService: DirectoryService
        let outsideListing: DirectoryOrganisation
    }

    static func listing(_ app: Application, member: Organisation?, name: String) async throws -> (DirectoryService, DirectoryOrganisation) {
        let owner = DirectoryOrganisation(name: name, memberOrganisationID: member?.id, website: nil, updatedAt: app.clock.now())
        try await owner.create(on: app.db)
        let service = DirectoryService()
        service.id = UUID()
        service.organisationID = owner.id!
        service.nameFR = "Hébergement Fictif (fictif)"
        service.nameEN = "Fictional Housing (fictional)"
        service.descriptionFR = "Description fictive."
        service.descriptionEN = "Fictional description."
        service.status = ServiceStatus.active.rawValue
        service.categories = ServiceCategory.housing.rawValue
        service.languages = "en,fr,tl"
        service.eligibleStatuses = ""
        service.feesFR = ""
        service.feesEN = ""
        service.accessibilityFR = ""
        service.accessibilityEN = ""
        service.openingHours = OpeningHours()
        service.phone = "555-0100"
        service.email = "accueil@fictif.example"
        service.website = ""
        service.province = Province.AB.rawValue
        service.city = "Brooks"
        service.region = RegionKind.rural.rawValue
        service.address = "1 rue Fictive"
        service.postalCode = ""
        service.confidential = false
        service.frontDoor = ""
        service.serviceArea = Province.AB.rawValue
        service.searchText = DirectoryService.searchDocument([service.nameFR, service.nameEN])
        service.version = 1
        service.updatedAt = app.clock.now()
        try await service.create(on: app.db)
        return (service, owner)
    }

    /// Three organisations, a case in the first with a legal name, a note and a need, and a
    /// listing of the second (a member) and one outside the network.
    static func network(_ app: Application, consent: Bool = true) async throws -> Network {
        let sender = try await Fixtures.organisation(app, name: "Organisme Expéditeur (test)")
        let receiver = try await Fixtures.organisation(app, name: "Organisme Receveur (test)", provinces: [.AB])
        let third = try await Fixtures.organisation(app, name: "Organisme Tiers (test)")
        let caseworker = try await Fixtures.user(app, in: sender, roles: [.caseworker])
        let receiving = try await Fixtures.user(app, in: receiver, roles: [.caseworker])
        let outsider = try await Fixtures.user(app, in: third, roles: [.caseworker, .supervisor])
        let file = try await Fixtures.openCase(app, in: sender, by: caseworker, name: "Maricel Halimbawa", province: .AB)
        let vault = CaseVault(master: app.masterKey)
        let opened = try await vault.open(file, on: app.db)
        var person = PersonSection()
        person.legalName = "Nom Légal Secret"
        person.languages = "tagalog, English"
        person.pronouns = "iel (fictif)"
        person.immigrationStatus = ImmigrationStatus.noStatus.rawValue
        file.sealedPerson = try vault.seal(section: person, field: .person, with: opened)
        try await CaseService.save(file, expectedVersion: file.version, terms: nil, on: app.db) { _ in }
        let note = CaseNote()
        note.id = UUID()
        note.caseID = file.id!
        note.authorID = caseworker.id
        note.createdAt = app.clock.now()
        note.sealedBody = try vault.seal("Note secrète du dossier", field: .note(note.id!), with: opened)
        try await note.create(on: app.db)
        try await CaseNeed(caseID: file.id!, organisationID: sender.id!, need: .housing, status: .identified, now: app.clock.now()).create(on: app.db)
        let (service, listing) = try await Self.listing(app, member: receiver, name: receiver.name)
        let (outsideService, outsideListing) = try await Self.listing(app, member: nil, name: "Centre Hors Réseau (fictif)")
        if consent {
            for partner in [listing.name, outsideListing.name] { try await Self.consent(app, file: file, partner: partner, by: caseworker) }
        }
        return Network(
            sender: sender, receiver: receiver, third: third, caseworker: caseworker, receiving: receiving, outsider: outsider, file: file,
            service: service, listing: listing, outsideService: outsideService, outsideListing: outsideListing)
    }

    @discardableResult
    static func consent(_ app: Application, file: CaseFile, partner: String, by user: User) async throws -> CaseConsent {
        let consent = CaseConsent()
        consent.caseID = file.id!
        consent.kind = ConsentKind.share.rawValue
        consent.partner = partner
        consent.givenOn = app.clock.now().addingTimeInterval(-60)
        consent.method = ConsentMethod.verbal.rawValue
        consent.language = "tagalog"
        consent.recordedBy = user.id!
        try await consent.create(on: app.db)
        return consent
    }

    static func formURL(_ n: Network, service: DirectoryService? = nil) -> String {
        SiteURL.casePart(.value(n.file.id!.uuidString), .referrals).path + "?service=\((service ?? n.service).id!.uuidString)"
    }

    /// Sends through the form, as the sending caseworker; returns the referral's id.
    static func send(
        _ browser: Browser, _ n: Network, service: DirectoryService? = nil, fields: [String] = ["preferred_name", "languages", "needs"],
        extra: [(String, String)] = []
    ) async throws -> UUID {
        try await browser.get(formURL(n, service: service))
        let response = try await browser.post(
            SiteURL.casePart(.value(n.file.id!.uuidString), .referrals).path,
            [("service", (service ?? n.service).id!.uuidString), ("needs[]", "housing")] + fields.map { ("fields[]", $0) } + extra)
        #expect(response.status == .seeOther, "\(response.body.string.prefix(400))")
        let location = try #require(response.location)
        return try #require(UUID(uuidString: String(location.dropFirst("/referrals/".count).prefix(36))))
    }

    @Test func onlyTheTickedFieldsTravelAndTheReceiverSeesNothingElse() async throws {
        try await withTestApp { app in
            // setup
            let n = try await Self.network(app)
            let sending = Browser(app)
            try await sending.signIn(n.caseworker.email)
            let form = try await sending.get(Self.formURL(n))
            #expect(form.status == .ok && form.body.string.contains("Maricel Halimbawa") && !form.body.string.contains(" disabled>"))
            // MUT
            let id = try await Self.send(sending, n)
            let receiving = Browser(app)
            try await receiving.signIn(n.receiving.email)
            let inbox = try await receiving.get(SiteURL.referrals.path)
            let page = try await receiving.get(SiteURL.referral(.value(id.uuidString)).path)
            let home = try await receiving.get(SiteURL.home.path)
            // validate
            #expect(inbox.body.string.contains(SiteURL.referral(.value(id.uuidString)).path))
            let html = page.body.string
            #expect(page.status == .ok && html.contains("Maricel Halimbawa") && html.contains("tagalog, English") && html.contains("Logement"))
            for secret in ["Nom Légal Secret", "Note secrète", "iel (fictif)", "Sans statut", SiteURL.caseFile(.value(n.file.id!.uuidString)).path] {
                #expect(!html.contains(secret), "\(secret)")
            }
            #expect(home.body.string.contains("1 référence reçue attend votre réponse"))
            #expect(try await CaseNeed.query(on: app.db).filter(\.$caseID == n.file.id!).first()?.status == NeedStatus.referred.rawValue)
            // The stored snapshot holds nothing in clear, and the key is the referral's own.
            let referral = try #require(try await Referral.find(id, on: app.db))
            #expect(!String(decoding: referral.sealedSnapshot ?? Data(), as: UTF8.self).contains("Maricel"))
            #expect(try await ReferralKey.query(on: app.db).filter(\.$referralID == id).count() == 1)
            let events = try await AuditEvent.query(on: app.db).filter(\.$target == id.uuidString).all()
            #expect(Set(events.compactMap(\.organisationID)) == [n.sender.id!.uuidString, n.receiver.id!.uuidString])
            if case .intact = try await AuditLog.verify(on: app.db) {} else { Issue.record("the audit chain is broken") }
        }
    }

    @Test func aThirdOrganisationGets404OnEveryReferralRoute() async throws {
        try await withTestApp { app in
            // setup
            let n = try await Self.network(app)
            let sending = Browser(app)
            try await sending.signIn(n.caseworker.email)
            let id = try await Self.send(sending, n, service: n.outsideService).uuidString
            let inside = try await Self.send(sending, n).uuidString
            let third = Browser(app)
            try await third.signIn(n.outsider.email)
            try await third.get(SiteURL.home.path)
            // MUT & validate
            for referral in [id, inside] {
                #expect(try await third.get(SiteURL.referral(.value(referral)).path).status == .notFound)
                #expect(try await third.get(SiteURL.referralAction(.value(referral), .letter).path).status == .notFound)
                #expect(
                    try await third.post(SiteURL.referralAction(.value(referral), .events).path, [("event", "accept"), ("version", "1")]).status
                        == .notFound)
                #expect(try await third.post(SiteURL.referralAction(.value(referral), .openCase).path).status == .notFound)
            }
            #expect(try await third.get(Self.formURL(n)).status == .notFound)
            #expect(!(try await third.get(SiteURL.referrals.path).body.string.contains(inside)))
            #expect(try await Referral.find(UUID(uuidString: inside)!, on: app.db)?.state == ReferralState.pending.rawValue)
            // The network coordinator holds no cases: the inbox is not theirs.
            let coordination = try await Fixtures.organisation(app, name: "Réseau Fictif (test)")
            let coordinator = try await Fixtures.user(app, in: coordination, roles: [.networkCoordinator])
            let network = Browser(app)
            try await network.signIn(coordinator.email)
            #expect(try await network.get(SiteURL.referral(.value(inside)).path).status == .forbidden)
        }
    }

    @Test func noReferralWithoutAConsentToShareWithThatOrganisation() async throws {
        try await withTestApp { app in
            // setup
            let n = try await Self.network(app, consent: false)
            try await Self.consent(app, file: n.file, partner: "Un autre organisme (fictif)", by: n.caseworker)
            let sending = Browser(app)
            try await sending.signIn(n.caseworker.email)
            // MUT
            let form = try await sending.get(Self.formURL(n))
            let refused = try await sending.post(
                SiteURL.casePart(.value(n.file.id!.uuidString), .referrals).path,
                [("service", n.service.id!.uuidString), ("fields[]", "preferred_name"), ("message", "Texte gardé (fictif)")])
            // validate
            #expect(
                form.body.string.contains("Aucun consentement à partager avec Organisme Receveur (test)") && form.body.string.contains(" disabled>"))
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Consignez d&#39;abord un consentement en vigueur à partager avec Organisme Receveur (test)."))
            #expect(refused.body.string.contains("Texte gardé (fictif)"))
            #expect(try await Referral.query(on: app.db).count() == 0)
        }
    }

    @Test func badInputIsRefusedBesideItsFieldAndTheLongestMessageTravels() async throws {
        try await withTestApp { app in
            // setup
            let n = try await Self.network(app)
            let sending = Browser(app)
            try await sending.signIn(n.caseworker.email, password: Fixtures.password)
            try await sending.get(Self.formURL(n))
            let path = SiteURL.casePart(.value(n.file.id!.uuidString), .referrals).path
            // MUT
            let nothing = try await sending.post(path, [("service", n.service.id!.uuidString)])
            let emptyMessage = try await sending.post(path, [("service", n.service.id!.uuidString), ("fields[]", "message")])
            let tooLong = try await sending.post(
                path, [("service", n.service.id!.uuidString), ("fields[]", "message"), ("message", String(repeating: "ж", count: 2001))])
            let badService = try await sending.post(path, [("service", "pas-un-id"), ("fields[]", "message")])
            let longest = String(repeating: "ж", count: ReferralsController.messageLimit)
            let id = try await Self.send(sending, n, fields: ["message"], extra: [("message", longest)])
            let again = try await Self.send(sending, n, fields: ["message"], extra: [("message", longest)])
            // validate
            #expect(nothing.status == .unprocessableEntity && nothing.body.string.contains("Cochez au moins un renseignement à partager."))
            #expect(emptyMessage.status == .unprocessableEntity && emptyMessage.body.string.contains("Écrivez le message, ou décochez"))
            #expect(tooLong.status == .unprocessableEntity && tooLong.body.string.contains("aria-invalid=\"true\""))
            #expect(badService.status == .notFound)
            let receiving = Browser(app)
            try await receiving.signIn(n.receiving.email)
            for referral in [id, again] {
                #expect(try await receiving.get(SiteURL.referral(.value(referral.uuidString)).path).body.string.contains(longest))
            }
            #expect(try await Referral.query(on: app.db).count() == 2)
        }
    }

    @Test func bothSidesStepThroughTheStatesAndSeeTheDatedHistory() async throws {
        try await withTestApp { app in
            // setup
            let n = try await Self.network(app)
            let sending = Browser(app)
            try await sending.signIn(n.caseworker.email)
            let id = try await Self.send(sending, n)
            let receiving = Browser(app)
            try await receiving.signIn(n.receiving.email)
            let page = SiteURL.referral(.value(id.uuidString)).path
            let events = SiteURL.referralAction(.value(id.uuidString), .events).path
            try await receiving.get(page)
            // MUT
            let noReason = try await receiving.post(events, [("event", "decline"), ("version", "1")])
            let senderCannotAccept = try await sending.post(events, [("event", "accept"), ("version", "1")])
            let accepted = try await receiving.post(events, [("event", "accept"), ("version", "1")])
            let stale = try await receiving.post(events, [("event", "complete"), ("version", "1")])
            let receiverCannotRevoke = try await receiving.post(events, [("event", "revoke"), ("version", "2")])
            let needWhileAccepted = try await CaseNeed.query(on: app.db).filter(\.$caseID == n.file.id!).first()?.status
            try await sending.get(page)
            let revoked = try await sending.post(events, [("event", "revoke"), ("version", "2")])
            let after = try await receiving.get(page)
            // validate
            #expect(noReason.status == .unprocessableEntity && noReason.body.string.contains("Choisissez la raison du refus."))
            #expect(senderCannotAccept.status == .conflict)
            #expect(accepted.status == .seeOther && stale.status == .conflict && receiverCannotRevoke.status == .conflict)
            #expect(needWhileAccepted == NeedStatus.inProgress.rawValue)
            #expect(revoked.status == .seeOther)
            #expect(
                after.body.string.contains("Retirée : ce qui avait été partagé n&#39;est plus lisible.") && !after.body.string.contains("Maricel"))
            #expect(
                after.body.string.contains("Acceptée — Organisme Receveur (test)")
                    && after.body.string.contains("Retirée par Organisme Expéditeur (test)"))
            #expect(try await ReferralKey.query(on: app.db).count() == 0)
            #expect(try await CaseNeed.query(on: app.db).filter(\.$caseID == n.file.id!).first()?.status == NeedStatus.identified.rawValue)
        }
    }

    @Test func aDeclineForCapacityKeepsTheNeedOpenForTheGapMap() async throws {
        try await withTestApp { app in
            // setup
            let n = try await Self.network(app)
            let sending = Browser(app)
            try await sending.signIn(n.caseworker.email)
            let id = try await Self.send(sending, n)
            let receiving = Browser(app)
            try await receiving.signIn(n.receiving.email)
            try await receiving.get(SiteURL.referral(.value(id.uuidString)).path)
            // MUT
            let declined = try await receiving.post(
                SiteURL.referralAction(.value(id.uuidString), .events).path, [("event", "decline"), ("reason", "at_capacity"), ("version", "1")])
            // validate
            #expect(declined.status == .seeOther)
            let referral = try #require(try await Referral.find(id, on: app.db))
            #expect(referral.state == ReferralState.declined.rawValue && referral.declineReason == DeclineReason.atCapacity.rawValue)
            #expect(referral.needs == "housing")
            #expect(try await CaseNeed.query(on: app.db).filter(\.$caseID == n.file.id!).first()?.status == NeedStatus.unmet.rawValue)
            #expect(
                try await sending.get(SiteURL.referral(.value(id.uuidString)).path).body.string.contains("Refusée — Organisme Receveur (test) — "))
        }
    }

    @Test func withdrawingTheConsentRevokesOpenReferralsInTheSameTransaction() async throws {
        try await withTestApp { app in
            // setup
            let n = try await Self.network(app)
            let sending = Browser(app)
            try await sending.signIn(n.caseworker.email)
            let id = try await Self.send(sending, n)
            let consent = try #require(try await CaseConsent.query(on: app.db).filter(\.$partner == n.listing.name).first())
            try await sending.get(SiteURL.caseFile(.value(n.file.id!.uuidString)).path)
            // MUT
            let withdrawn = try await sending.post(
                SiteURL.caseItem(.value(n.file.id!.uuidString), .consentWithdraw, .value(consent.id!.uuidString)).path, [("confirm", "yes")])
            // validate
            #expect(withdrawn.status == .seeOther)
            let referral = try #require(try await Referral.find(id, on: app.db))
            #expect(referral.state == ReferralState.revoked.rawValue && referral.sealedSnapshot == nil)
            #expect(try await ReferralKey.query(on: app.db).count() == 0)
            let receiving = Browser(app)
            try await receiving.signIn(n.receiving.email)
            let page = try await receiving.get(SiteURL.referral(.value(id.uuidString)).path).body.string
            #expect(page.contains("Retirée : ce qui avait été partagé n&#39;est plus lisible.") && page.contains("Consentement retiré"))
            // A new referral to that organisation is refused until a consent is recorded again.
            try await sending.get(Self.formURL(n))
            let refused = try await sending.post(
                SiteURL.casePart(.value(n.file.id!.uuidString), .referrals).path, [("service", n.service.id!.uuidString), ("fields[]", "languages")])
            #expect(refused.status == .unprocessableEntity)
        }
    }

    @Test func purgingTheCaseMakesWhatItSharedUnreadable() async throws {
        try await withTestApp { app in
            // setup
            let n = try await Self.network(app)
            let sending = Browser(app)
            try await sending.signIn(n.caseworker.email)
            let id = try await Self.send(sending, n)
            // MUT
            try await app.db.writeTransaction { db in try await CaseService.purge(n.file, vault: CaseVault(master: app.masterKey), on: db) }
            // validate
            let referral = try #require(try await Referral.find(id, on: app.db))
            #expect(referral.state == ReferralState.revoked.rawValue && referral.sealedSnapshot == nil && referral.caseID == nil)
            #expect(try await ReferralKey.query(on: app.db).count() == 0)
        }
    }

    @Test func acceptingLetsTheReceiverOpenItsOwnCaseFromTheSharedFields() async throws {
        try await withTestApp { app in
            // setup
            let n = try await Self.network(app)
            let sending = Browser(app)
            try await sending.signIn(n.caseworker.email)
            let id = try await Self.send(sending, n, fields: ["preferred_name", "languages", "province_region", "needs", "safe_contact"])
            let receiving = Browser(app)
            try await receiving.signIn(n.receiving.email)
            try await receiving.get(SiteURL.referral(.value(id.uuidString)).path)
            try await receiving.post(SiteURL.referralAction(.value(id.uuidString), .events).path, [("event", "accept"), ("version", "1")])
            try await receiving.get(SiteURL.referral(.value(id.uuidString)).path)
            // MUT
            let opened = try await receiving.post(SiteURL.referralAction(.value(id.uuidString), .openCase).path)
            let twice = try await receiving.post(SiteURL.referralAction(.value(id.uuidString), .openCase).path)
            // validate
            #expect(opened.status == .seeOther && twice.status == .conflict)
            let referral = try #require(try await Referral.find(id, on: app.db))
            let newCase = try #require(try await CaseFile.find(referral.receiverCaseID, on: app.db))
            #expect(newCase.$organisation.id == n.receiver.id && newCase.province == "AB")
            let casePage = try await receiving.get(SiteURL.caseFile(.value(newCase.id!.uuidString)).path).body.string
            #expect(casePage.contains("Maricel Halimbawa") && casePage.contains("tagalog, English"))
            #expect(
                casePage.contains("Dossier ouvert à partir d&#39;une référence de Organisme Expéditeur (test)")
                    && !casePage.contains("Nom Légal Secret"))
            #expect(try await CaseNeed.query(on: app.db).filter(\.$caseID == newCase.id!).first()?.status == NeedStatus.inProgress.rawValue)
            // Sealed under the receiver's own case key: the sender's key does not open it.
            let key = try await CaseVault(master: app.masterKey).open(newCase, on: app.db)
            #expect(key.organisationID == n.receiver.id!.uuidString)
            // The sender's case lists the referral and its state.
            #expect(try await sending.get(SiteURL.caseFile(.value(n.file.id!.uuidString)).path).body.string.contains("Acceptée"))
        }
    }

    @Test func outsideTheNetworkTheSenderPrintsALetterAndRecordsTheOutcome() async throws {
        try await withTestApp { app in
            // setup
            let n = try await Self.network(app)
            let sending = Browser(app)
            try await sending.signIn(n.caseworker.email)
            let id = try await Self.send(
                sending, n, service: n.outsideService, fields: ["preferred_name", "languages"], extra: [("letterLanguage", "en")])
            // MUT
            let page = try await sending.get(SiteURL.referral(.value(id.uuidString)).path)
            let letter = try await sending.get(SiteURL.referralAction(.value(id.uuidString), .letter).path)
            let accepted = try await sending.post(
                SiteURL.referralAction(.value(id.uuidString), .events).path, [("event", "accept"), ("version", "1")])
            // validate
            #expect(page.body.string.contains("Le service a accepté"))
            let html = letter.body.string
            #expect(letter.status == .ok && html.contains("<html lang=\"en-CA\"") && html.contains("Referral letter"))
            #expect(html.contains("Maricel Halimbawa") && html.contains(n.caseworker.email) && !html.contains("Nom Légal Secret"))
            #expect(accepted.status == .seeOther)
            #expect(try await Referral.find(id, on: app.db)?.state == ReferralState.accepted.rawValue)
        }
    }

    @Test func theDemoHoldsReferralsInEveryStateBetweenItsOrganisations() async throws {
        try await withTestApp { app in
            // setup
            _ = try await DemoSeeder.seed(app, password: Fixtures.password)
            _ = try await DemoSeeder.seedCases(app)
            _ = try await DemoSeeder.seedDirectory(app)
            // MUT
            let created = try await DemoSeeder.seedReferrals(app)
            let again = try await DemoSeeder.seedReferrals(app)
            // validate
            let referrals = try await Referral.query(on: app.db).all()
            #expect(created.count == referrals.count && again.count == 0)
            #expect(Set(referrals.map(\.state)) == Set(ReferralState.allCases.map(\.rawValue)))
            #expect(referrals.contains { $0.receiverOrganisationID == nil })
            let accepted = try #require(referrals.first { $0.state == ReferralState.accepted.rawValue && $0.receiverOrganisationID != nil })
            let receiver = try #require(
                try await User.query(on: app.db).filter(\.$organisation.$id == accepted.receiverOrganisationID!).all()
                    .first { $0.roleList.contains(.caseworker) })
            let browser = Browser(app)
            try await browser.signIn(receiver.email)
            #expect(try await browser.get(SiteURL.referrals.path).body.string.contains(SiteURL.referral(.value(accepted.id!.uuidString)).path))
            #expect(try await browser.get(SiteURL.referral(.value(accepted.id!.uuidString)).path).status == .ok)
            // The demo's red flag: one greenhouse (its name and its number) in two organisations' cases, no other name shared.
            let sql = app.db as! any SQLDatabase
            let shared = try await sql.raw(
                "SELECT token, COUNT(DISTINCT organisation_id) AS n FROM red_flag_tokens GROUP BY token HAVING COUNT(DISTINCT organisation_id) >= 2"
            ).all()
            let organisations = try shared.map { try $0.decode(column: "n", as: Int.self) }
            #expect(organisations == [2, 2])
            // The demo's trends are worth reading: some cells hidden, most of the counted ones shown.
            let coordinator = try #require(
                try await User.query(on: app.db).all().first { $0.roleList == [.networkCoordinator] })
            let network = Browser(app)
            try await network.signIn(coordinator.email)
            let trends = try await network.get(SiteURL.networkTrends.path).text
            let cells = trends.matches(of: /<td>(.*?)<\/td>/).map { String($0.output.1) }.filter { $0 != "0" }
            let hidden = cells.filter { $0.contains(">x<") }.count
            #expect(hidden > 0 && hidden * 2 < cells.count, "\(hidden) of \(cells.count) hidden")
            if case .intact = try await AuditLog.verify(on: app.db) {} else { Issue.record("the audit chain is broken") }
        }
    }

    @Test func aKeyRotationRewrapsReferralKeysToo() async throws {
        try await withTestApp { app in
            // setup
            let n = try await Self.network(app)
            let sending = Browser(app)
            try await sending.signIn(n.caseworker.email)
            let id = try await Self.send(sending, n)
            let new = Envelope.newKey()
            // MUT
            _ = try await KeysCommand.rewrap(on: app.db, from: app.masterKey, to: new)
            app.masterKey = new
            // validate
            let receiving = Browser(app)
            try await receiving.signIn(n.receiving.email)
            #expect(try await receiving.get(SiteURL.referral(.value(id.uuidString)).path).body.string.contains("Maricel Halimbawa"))
        }
    }
}
