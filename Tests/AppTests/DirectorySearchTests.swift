import Domain
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App

/// The service directory: the demo's listings, a search whose fields combine over full-text
/// indexes on both databases, and confidential addresses kept to their organisation.
@Suite struct DirectorySearchTests {
    static func search(_ app: Application, _ query: DirectoryQuery, language: Language = .fr, now: Date? = nil) async throws -> DirectoryPage {
        try await DirectoryQueries.search(query, language: language, now: now ?? app.clock.now(), timeZone: app.config.timeZone, on: app.db)
    }

    @Test func theDemoCoversEveryProvinceAndTerritory() async throws {
        try await withTestApp { app in
            // setup
            _ = try await DemoSeeder.seed(app, password: Fixtures.password)
            // MUT
            let written = try await DemoSeeder.seedDirectory(app)
            let again = try await DemoSeeder.seedDirectory(app)
            // validate
            let services = try await DirectoryService.query(on: app.db).all()
            #expect(written >= 150 && again == 0 && services.count == written)
            for province in Province.allCases {
                #expect(services.filter { $0.province == province.rawValue }.count >= 3, "\(province)")
            }
            #expect(services.contains { $0.region == RegionKind.remote.rawValue } && services.contains { $0.region == RegionKind.rural.rawValue })
            #expect(services.contains(where: \.confidential) && services.contains { $0.capacityAvailable == 0 })
            #expect(services.contains { DirectoryRules.isStale(verifiedOn: $0.verifiedOn.map { Day($0) }, today: Day(app.clock.now())) })
            #expect(services.allSatisfy { $0.email.hasSuffix(".example") && $0.nameFR.contains("(fictif)") && $0.nameEN.contains("(fictional)") })
            #expect(try await DirectoryOrganisation.query(on: app.db).filter(\.$memberOrganisationID != nil).count() > 0)
        }
    }

    @Test func searchFieldsCombineAndTextIgnoresAccentsAndCase() async throws {
        try await withTestApp { app in
            // setup
            _ = try await DemoSeeder.seed(app, password: Fixtures.password)
            try await DemoSeeder.seedDirectory(app)
            // MUT
            let all = try await Self.search(app, DirectoryQuery())
            let alberta = try await Self.search(app, DirectoryQuery(province: .AB))
            let ruralHousingTagalog = try await Self.search(app, DirectoryQuery(province: .AB, region: .rural, category: .housing, language: "tl"))
            let noStatus = try await Self.search(app, DirectoryQuery(province: .AB, category: .immigrationLegal, eligibility: .noStatus))
            let citizen = try await Self.search(app, DirectoryQuery(province: .AB, category: .immigrationLegal, eligibility: .citizen))
            let accents = try await Self.search(app, DirectoryQuery(text: "HEBERGEMENT chibougamau"))
            let english = try await Self.search(app, DirectoryQuery(text: "safe hou"), language: .en)
            let nothing = try await Self.search(app, DirectoryQuery(text: "zzyzx"))
            let hostile = try await Self.search(app, DirectoryQuery(text: "\"' OR 1=1 -- * : & |"))
            // validate
            #expect(all.total > 100 && all.services.count == DirectoryQueries.pageSize && all.hasNext)
            #expect(alberta.total < all.total && alberta.services.allSatisfy { ServiceArea(stored: $0.serviceArea)!.serves(.AB) })
            #expect(ruralHousingTagalog.total >= 1)
            #expect(
                ruralHousingTagalog.services.allSatisfy {
                    $0.region == "rural" && $0.categories.contains("housing") && $0.languages.contains("tl")
                })
            #expect(noStatus.total >= 1 && citizen.total == 0)
            #expect(accents.total == 1 && accents.services.first?.city == "Chibougamau")
            #expect(english.total == 39 && english.services.allSatisfy { $0.nameEN.contains("Safe House") })
            #expect(nothing.total == 0 && hostile.total >= 0)
        }
    }

    @Test func openNowFollowsTheHoursWhereTheOrganisationsWork() async throws {
        try await withTestApp { app in
            // setup
            _ = try await DemoSeeder.seed(app, password: Fixtures.password)
            try await DemoSeeder.seedDirectory(app)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = app.config.timeZone
            let sundayNight = try #require(calendar.date(from: DateComponents(year: 2026, month: 12, day: 6, hour: 23)))
            let mondayMorning = try #require(calendar.date(from: DateComponents(year: 2026, month: 12, day: 7, hour: 10)))
            // MUT
            let night = try await Self.search(app, DirectoryQuery(openNow: true), now: sundayNight)
            let morning = try await Self.search(app, DirectoryQuery(openNow: true), now: mondayMorning)
            // validate: on Sunday night only the shelters open around the clock.
            #expect(night.total > 0 && night.services.allSatisfy { $0.categories.contains("shelter") })
            #expect(morning.total > night.total)
        }
    }

    @Test func theSearchPageAndAConfidentialAddress() async throws {
        try await withTestApp { app in
            // setup
            let accounts = try await DemoSeeder.seed(app, password: Fixtures.password)
            try await DemoSeeder.seedDirectory(app)
            let members = Set(try await DirectoryOrganisation.query(on: app.db).filter(\.$memberOrganisationID != nil).all().map(\.id!))
            let shelter = try #require(
                try await DirectoryService.query(on: app.db).filter(\.$confidential == true).all().first { members.contains($0.organisationID) })
            let owner = try #require(try await DirectoryOrganisation.find(shelter.organisationID, on: app.db))
            let ownAccount = try #require(
                try await User.query(on: app.db).filter(\.$organisation.$id == owner.memberOrganisationID!).all().first { $0.roleList.canReadCases })
            let stranger = try #require(
                accounts.first { $0.roles.contains(.caseworker) && $0.organisation != owner.name })
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(stranger.email)
            let servicePath = SiteURL.directoryService(.value(shelter.id!.uuidString)).path
            // MUT
            let page = try await browser.get(SiteURL.directory.path + "?province=AB&category=housing&language=tl&q=H%C3%A9bergement")
            let hidden = try await browser.get(servicePath)
            let own = Browser(app, acceptLanguage: "fr")
            try await own.signIn(ownAccount.email)
            let shown = try await own.get(servicePath)
            let badPage = try await browser.get(SiteURL.directory.path + "?page=abc&province=XX&category=nope")
            let missing = try await browser.get(SiteURL.directoryService(.value(UUID().uuidString)).path)
            // validate
            #expect(page.status == .ok && page.text.contains("Maison d&#39;hébergement Fictive"))
            #expect(page.text.contains(#"<option value="AB" selected>"#))
            #expect(hidden.status == .ok && !hidden.text.contains(shelter.address) && hidden.text.contains("Confidentielle"))
            #expect(shown.text.contains(shelter.address))
            #expect(badPage.status == .ok)
            #expect(missing.status == .notFound)
        }
    }

    @Test func coordinatorsAndOwnersKeepListingsCurrentAndEveryChangeIsKept() async throws {
        try await withTestApp { app in
            // setup
            let accounts = try await DemoSeeder.seed(app, password: Fixtures.password)
            try await DemoSeeder.seedDirectory(app)
            let coordinator = try #require(accounts.first { $0.roles.contains(.networkCoordinator) })
            let worker = try #require(accounts.first { $0.roles == [.caseworker] })
            let stale = try #require(
                try await DirectoryService.query(on: app.db).all().first {
                    DirectoryRules.isStale(verifiedOn: $0.verifiedOn.map { Day($0) }, today: Day(app.clock.now(), in: app.config.timeZone))
                        && $0.capacityMaximum != nil
                })
            let owner = try #require(try await DirectoryOrganisation.find(stale.organisationID, on: app.db))
            let otherAdmin = try #require(
                try await User.query(on: app.db).all().first { $0.roleList.contains(.orgAdmin) && $0.$organisation.id != owner.memberOrganisationID })
            let id = stale.id!.uuidString
            let path = SiteURL.directoryService(.value(id)).path
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(coordinator.email)
            let listBefore = try await browser.get(SiteURL.directoryStale.path)
            try await browser.get(path)
            // MUT: bad values, then good ones, then a confirmation
            let bad = try await browser.post(
                SiteURL.directoryAction(.value(id), .capacity).path, [("available", "beaucoup"), ("maximum", "12"), ("unit", "beds")])
            let over = try await browser.post(
                SiteURL.directoryAction(.value(id), .capacity).path, [("available", "13"), ("maximum", "12"), ("unit", "beds")])
            let saved = try await browser.post(
                SiteURL.directoryAction(.value(id), .capacity).path, [("available", "3"), ("maximum", "12"), ("unit", "beds")])
            let page = try await browser.get(try #require(saved.location))
            let verified = try await browser.post(SiteURL.directoryAction(.value(id), .verify).path)
            let listAfter = try await browser.get(SiteURL.directoryStale.path)
            // Someone else's listing, and someone who manages none.
            let other = Browser(app, acceptLanguage: "fr")
            try await other.signIn(otherAdmin.email)
            try await other.get(path)
            let forbidden = try await other.post(SiteURL.directoryAction(.value(id), .verify).path)
            let caseworker = Browser(app, acceptLanguage: "fr")
            try await caseworker.signIn(worker.email)
            try await caseworker.get(path)
            let notAManager = try await caseworker.post(SiteURL.directoryAction(.value(id), .verify).path)
            // validate
            #expect(listBefore.text.contains(stale.nameFR.replacingOccurrences(of: "'", with: "&#39;")))
            #expect(bad.status == .unprocessableEntity && bad.text.contains(##"href="#available""##) && bad.text.contains(#"value="beaucoup""#))
            #expect(over.status == .unprocessableEntity && over.text.contains("Pas plus de places libres que de places en tout"))
            #expect(saved.status == .seeOther && page.text.contains("Places enregistrées."))
            #expect(page.text.contains("3 lits libres sur 12"))
            #expect(page.text.contains("places mises à jour par"))
            #expect(verified.status == .seeOther)
            #expect(!listAfter.text.contains(stale.nameFR.replacingOccurrences(of: "'", with: "&#39;")))
            let refreshed = try #require(try await DirectoryService.find(stale.id, on: app.db))
            #expect(refreshed.capacityAvailable == 3 && Day(refreshed.verifiedOn!) == Day(app.clock.now(), in: app.config.timeZone))
            #expect(try await DirectoryChange.query(on: app.db).filter(\.$serviceID == stale.id!).count() == 3)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "directory_changed").count() == 2)
            #expect(forbidden.status == .forbidden && notAManager.status == .forbidden)
        }
    }

    @Test func exportsAreHSDSAndSpreadsheetFilesWithoutConfidentialAddresses() async throws {
        try await withTestApp { app in
            // setup
            let accounts = try await DemoSeeder.seed(app, password: Fixtures.password)
            try await DemoSeeder.seedDirectory(app)
            let hostile = try #require(try await DirectoryService.query(on: app.db).filter(\.$confidential == false).first())
            hostile.nameFR = "=HYPERLINK(\"http://evil.example\") (fictif)"
            try await hostile.save(on: app.db)
            let confidential = try await DirectoryService.query(on: app.db).filter(\.$confidential == true).all()
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(try #require(accounts.first { $0.roles == [.caseworker] }).email)
            // MUT
            let plain = try await browser.get(SiteURL.directoryCSV.path)
            let package = try await browser.get(SiteURL.directoryHSDS(.value("datapackage.json")).path)
            let addresses = try await browser.get(SiteURL.directoryHSDS(.value("addresses.csv")).path)
            let services = try await browser.get(SiteURL.directoryHSDS(.value("services.csv")).path)
            let again = try await browser.get(SiteURL.directoryHSDS(.value("services.csv")).path)
            let locations = try await browser.get(SiteURL.directoryHSDS(.value("locations.csv")).path)
            let unknown = try await browser.get(SiteURL.directoryHSDS(.value("secrets.csv")).path)
            // validate
            #expect(plain.text.hasPrefix("\u{FEFF}Identifiant,Service,Organisme"))
            #expect(!plain.text.contains(",=HYPERLINK") && plain.text.contains("'=HYPERLINK"))
            let resources = try #require(
                (try JSONSerialization.jsonObject(with: Data(package.body.readableBytesView)) as? [String: Any])?["resources"] as? [[String: Any]])
            #expect(resources.map { $0["path"] as? String } == DirectoryExportController.tables.map { "\($0.name).csv" })
            for service in confidential {
                #expect(
                    !plain.text.contains(service.address) && !addresses.text.contains(service.address) && !locations.text.contains(service.address))
            }
            #expect(addresses.text.contains("rue Fictive"))
            #expect(
                services.text.split(separator: "\r\n").first
                    == "id,organization_id,name,description,email,url,status,fees_description,eligibility_description,minimum_age,maximum_age,assured_date,name_fr,name_en,description_fr,description_en,categories,eligible_immigration_statuses"
            )
            #expect(services.text == again.text)
            #expect(unknown.status == .notFound)
        }
    }

    /// As checked from outside: the same services in both languages, each page naming its
    /// category and province in the reader's language.
    @Test func albertaHousingInBothLanguages() async throws {
        try await withTestApp { app in
            // setup
            let accounts = try await DemoSeeder.seed(app, password: Fixtures.password)
            try await DemoSeeder.seedDirectory(app)
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(try #require(accounts.first { $0.roles == [.caseworker] }).email)
            func links(_ html: String) -> Set<String> {
                Set(html.matches(of: /href="(\/directory\/services\/[0-9A-F-]{36})"/).map { String($0.output.1) })
            }
            // MUT
            let french = try await browser.get(SiteURL.directory.path + "?province=AB&category=housing")
            let english = try await browser.get(SiteURL.directory.path + "?province=AB&category=housing&lang=en")
            let page = try await browser.get(try #require(links(english.text).first))
            try await browser.get(SiteURL.directory.path + "?lang=fr")
            // validate
            #expect(!links(french.text).isEmpty && links(french.text) == links(english.text))
            #expect(page.text.contains("Housing") && page.text.contains("Alberta"))
            for link in links(french.text) {
                let service = try #require(try await DirectoryService.find(UUID(uuidString: String(link.split(separator: "/").last!)), on: app.db))
                #expect(service.categories.contains("housing") && ServiceArea(stored: service.serviceArea)!.serves(.AB))
            }
        }
    }

    @Test func aListingIsEditedSavedReopenedAndSavedAgainAtItsLongest() async throws {
        try await withTestApp { app in
            // setup
            let accounts = try await DemoSeeder.seed(app, password: Fixtures.password)
            try await DemoSeeder.seedDirectory(app)
            let coordinator = try #require(accounts.first { $0.roles.contains(.networkCoordinator) })
            let service = try #require(try await DirectoryService.query(on: app.db).filter(\.$confidential == false).first())
            let id = service.id!.uuidString
            let edit = SiteURL.directoryAction(.value(id), .edit).path
            let browser = Browser(app, acceptLanguage: "fr")
            try await browser.signIn(coordinator.email)
            func fields(version: Int, name: String, description: String) -> [(String, String)] {
                [
                    ("version", String(version)), ("nameFR", name), ("nameEN", "Listing (fictional)"), ("descriptionFR", description),
                    ("descriptionEN", "Fictional."), ("status", "active"), ("categories[]", "housing"), ("categories[]", "legal"),
                    ("languages", "fr, en, tl"), ("eligible[]", "no_status"), ("city", "Brooks"), ("address", "1 rue Fictive"),
                    ("opens[mon]", "09:00"), ("closes[mon]", "17:00"), ("frontDoor", ""),
                ]
            }
            let longName = String(repeating: "字", count: DirectoryController.textLimit)
            let longText = String(repeating: "語", count: DirectoryRules.maximumDescriptionLength)
            // MUT: bad values first
            try await browser.get(edit)
            let bad = try await browser.post(
                edit,
                [
                    ("version", String(service.version)), ("nameFR", ""), ("nameEN", "x"), ("status", "active"), ("languages", "klingon"),
                    ("city", "Brooks"), ("confidential", "on"), ("opens[tue]", "9 heures"), ("closes[tue]", "17:00"),
                    ("descriptionFR", longText + "語"), ("email", "pas-une-adresse"),
                ])
            // validate
            #expect(bad.status == .unprocessableEntity)
            for field in ["nameFR", "categories", "languages", "frontDoor", "hours", "descriptionFR", "email"] {
                #expect(bad.text.contains("href=\"#\(field)\""), "\(field)")
            }
            #expect(bad.text.contains(#"value="klingon""#) && bad.text.contains(#"value="9 heures""#))
            // MUT: saved, reopened, saved again at the longest in a two-byte script
            var version = service.version
            for round in 0..<3 {
                try await browser.get(edit)
                let saved = try await browser.post(edit, fields(version: version, name: longName, description: longText))
                #expect(saved.status == .seeOther, "round \(round): \(saved.status)")
                version += 1
                let reopened = try await browser.get(edit)
                #expect(reopened.text.contains(longName) && reopened.text.contains(#"name="version" value="\#(version)""#))
            }
            // In English too: the same form saves, reopens and saves again.
            try await browser.get(edit + "?lang=en")
            let english = try await browser.post(edit, fields(version: version, name: longName, description: longText))
            #expect(english.status == .seeOther)
            version += 1
            let englishAgain = try await browser.get(edit)
            #expect(englishAgain.text.contains("Edit the listing") && englishAgain.text.contains(#"name="version" value="\#(version)""#))
            try await browser.get(edit + "?lang=fr")
            let stale = try await browser.post(edit, fields(version: service.version, name: "Ancien (fictif)", description: ""))
            let found = try await Self.search(app, DirectoryQuery(text: "字"))
            let other = Browser(app, acceptLanguage: "fr")
            try await other.signIn(try #require(accounts.first { $0.roles == [.caseworker] }).email)
            let forbidden = try await other.get(edit)
            // validate
            #expect(stale.status == .conflict)
            let refreshed = try #require(try await DirectoryService.find(service.id, on: app.db))
            #expect(refreshed.nameFR == longName && refreshed.categories == "housing,legal" && refreshed.languages == "fr,en,tl")
            #expect(refreshed.eligibleStatuses == "no_status" && refreshed.monOpens == 540 && refreshed.tueOpens == nil)
            #expect(found.services.contains { $0.id == service.id })
            #expect(try await DirectoryChange.query(on: app.db).filter(\.$serviceID == service.id!).filter(\.$action == "updated").count() == 4)
            #expect(forbidden.status == .forbidden)
        }
    }

    /// The first page of `/directory` (no filter, no words) is every listed service in name
    /// order in the user's language, twenty at a time, with the count; a page past the end shows
    /// the last one, and a listing gone defunct leaves it.
    @Test func withoutAFilterEveryListedServiceInNameOrder() async throws {
        try await withTestApp { app in
            // setup
            _ = try await DemoSeeder.seed(app, password: Fixtures.password)
            try await DemoSeeder.seedDirectory(app)
            let sql = app.db as! any SQLDatabase
            func expected(_ name: String) async throws -> [UUID] {
                try await sql.raw(
                    """
                    SELECT id FROM directory_services WHERE status IN ('active', 'temporarily_closed') \
                    ORDER BY \(unsafeRaw: name), id
                    """
                ).all().map { try $0.uuid("id") }
            }
            func all(_ language: Language) async throws -> (ids: [UUID], totals: Set<Int>) {
                var ids: [UUID] = []
                var totals = Set<Int>()
                var query = DirectoryQuery()
                while true {
                    let page = try await Self.search(app, query, language: language)
                    ids += page.services.map(\.id)
                    totals.insert(page.total)
                    guard page.hasNext else { return (ids, totals) }
                    query.page += 1
                }
            }
            let listedFR = try await expected("name_fr")
            let listedEN = try await expected("name_en")
            // MUT
            let french = try await all(.fr)
            let english = try await all(.en)
            let pastTheEnd = try await Self.search(app, DirectoryQuery(page: 999))
            let gone = try #require(try await DirectoryService.find(french.ids.first, on: app.db))
            gone.status = ServiceStatus.defunct.rawValue
            try await app.db.writeTransaction { try await gone.save(on: $0) }
            let after = try await Self.search(app, DirectoryQuery())
            // validate
            #expect(listedFR.count > DirectoryQueries.pageSize && french.ids == listedFR && french.totals == [listedFR.count])
            #expect(english.ids == listedEN && english.totals == [listedFR.count])
            let lastPage = (listedFR.count + 19) / 20
            #expect(pastTheEnd.page == lastPage)
            #expect(pastTheEnd.services.map(\.id) == Array(listedFR[((lastPage - 1) * 20)...]))
            #expect(after.total == listedFR.count - 1 && !after.services.contains { $0.id == gone.id })
        }
    }

    /// The index answers as a plain reading of each listing would: for random combinations of the
    /// filters and words, the index's count equals the count of listings that satisfy them all, read
    /// field by field in Swift; then a listing edited out of a filter leaves its results at once.
    @Test func theIndexAnswersAsTheListingsReadOneByOne() async throws {
        try await withTestApp { app in
            // setup
            _ = try await DemoSeeder.seed(app, password: Fixtures.password)
            try await DemoSeeder.seedDirectory(app)
            let services = try await DirectoryService.query(on: app.db).all()
            func matches(_ s: DirectoryService, _ q: DirectoryQuery) -> Bool {
                let words = s.searchText.split(separator: " ")
                return DirectoryQueries.listedStatuses.contains(s.status)
                    && (q.province.map { DirectoryServiceAreas.served(s).contains($0) } ?? true)
                    && (q.region.map { $0.rawValue == s.region } ?? true)
                    && (q.category.map { s.categories.split(separator: ",").contains(Substring($0.rawValue)) } ?? true)
                    && (q.language.map { s.languages.split(separator: ",").contains(Substring($0)) } ?? true)
                    && (q.eligibility.map { s.eligibleStatuses.isEmpty || s.eligibleStatuses.split(separator: ",").contains(Substring($0.rawValue)) }
                        ?? true)
                    && DirectorySearchIndex.terms(q.text).allSatisfy { term in words.contains { $0.hasPrefix(term) } }
            }
            var random = SystemRandomNumberGenerator()
            let words = ["", "", "heberg", "juridique", "aide", "safe", "refuge", "sante"]
            var queries: [DirectoryQuery] = []
            for _ in 0..<60 {
                queries.append(
                    DirectoryQuery(
                        province: Bool.random(using: &random) ? Province.allCases.randomElement(using: &random) : nil,
                        region: Int.random(in: 0..<3, using: &random) == 0 ? RegionKind.allCases.randomElement(using: &random) : nil,
                        category: Bool.random(using: &random) ? ServiceCategory.allCases.randomElement(using: &random) : nil,
                        language: Int.random(in: 0..<3, using: &random) == 0 ? ["fr", "en", "tl", "es", "cr"].randomElement(using: &random) : nil,
                        eligibility: Int.random(in: 0..<3, using: &random) == 0 ? ImmigrationStatus.allCases.randomElement(using: &random) : nil,
                        text: words.randomElement(using: &random)!))
            }
            // MUT
            var answers: [(query: DirectoryQuery, total: Int, found: Set<UUID>)] = []
            for query in queries {
                var found = Set<UUID>()
                var paged = query
                var first: DirectoryPage?
                while true {
                    let page = try await Self.search(app, paged)
                    first = first ?? page
                    found.formUnion(page.services.map { $0.id })
                    guard page.hasNext else { break }
                    paged.page += 1
                }
                answers.append((query, first!.total, found))
            }
            let expected = answers.map { answer in Set(services.filter { matches($0, answer.query) }.map { $0.id! }) }
            let edited = try #require(
                try await DirectoryService.find(
                    services.first { $0.status == ServiceStatus.active.rawValue && $0.categories.contains("housing") }?.id, on: app.db))
            let housingBefore = try await Self.search(app, DirectoryQuery(category: .housing, text: edited.nameFR))
            edited.categories = "legal"
            try await app.db.writeTransaction { try await edited.save(on: $0) }
            let housingAfter = try await Self.search(app, DirectoryQuery(category: .housing, text: edited.nameFR))
            let legalAfter = try await Self.search(app, DirectoryQuery(category: .legal, text: edited.nameFR))
            edited.status = ServiceStatus.defunct.rawValue
            try await app.db.writeTransaction { try await edited.save(on: $0) }
            let closedAfter = try await Self.search(app, DirectoryQuery(category: .legal, text: edited.nameFR))
            // validate
            for ((query, total, found), expected) in zip(answers, expected) {
                #expect(found == expected && total == expected.count, "\(query)")
            }
            #expect(answers.contains { $0.total > 0 } && answers.contains { $0.total < 20 })
            #expect(housingBefore.services.contains { $0.id == edited.id })
            #expect(!housingAfter.services.contains { $0.id == edited.id })
            #expect(legalAfter.services.contains { $0.id == edited.id })
            #expect(!closedAfter.services.contains { $0.id == edited.id })
        }
    }
}
