import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import App

/// Importing the directory through the page: the HSDS package as exported comes back as updates
/// (no duplicate, no confidential address lost), a plain CSV with bad rows is checked line by line
/// and nothing is written unless only the good rows are asked for; and adding a listing by hand.
@Suite struct DirectoryImportTests {
    static func upload(_ files: [(String, String)], csrf: String) -> (HTTPHeaders, ByteBuffer) {
        let boundary = "----passerelle-import-boundary"
        var body = ByteBuffer()
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(csrf)\r\n")
        for (name, text) in files {
            body.writeString(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"files[]\"; filename=\"\(name)\"\r\nContent-Type: text/csv\r\n\r\n")
            body.writeString(text)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        return (["Content-Type": "multipart/form-data; boundary=\(boundary)"], body)
    }

    static func coordinator(_ app: Application) async throws -> Browser {
        _ = try await DemoSeeder.seed(app, password: Fixtures.password)
        try await DemoSeeder.seedDirectory(app)
        let browser = Browser(app)
        try await browser.signIn("gabrielle.coordo-demo@reseau-fictif.example")
        try await browser.get(SiteURL.directoryImport.path)
        return browser
    }

    static func applyURL(in html: String) -> String? {
        html.firstMatch(of: /action="(\/directory\/import\/[0-9A-F-]{36})"/).map { String($0.output.1) }
    }

    @Test func theExportedPackageComesBackAsUpdatesWithoutDuplicates() async throws {
        try await withTestApp { app in
            // setup
            let browser = try await Self.coordinator(app)
            var files: [(String, String)] = []
            for (name, _) in DirectoryExportController.tables {
                files.append((name + ".csv", try await browser.get(SiteURL.directoryHSDS(.value(name + ".csv")).path).body.string))
            }
            try await browser.get(SiteURL.directoryImport.path)
            let before = try await DirectoryService.query(on: app.db).count()
            let confidential = try #require(try await DirectoryService.query(on: app.db).filter(\.$confidential == true).first())
            // MUT
            let (headers, body) = Self.upload(files, csrf: try #require(browser.csrf))
            let checked = try await browser.send(.POST, SiteURL.directoryImport.path, headers: headers, body: body)
            let apply = try #require(Self.applyURL(in: checked.body.string))
            let applied = try await browser.post(apply)
            // validate
            #expect(checked.status == .ok, "\(checked.body.string.prefix(2000))")
            #expect(checked.body.string.contains("\(before) lignes lues : 0 nouvelles fiches, \(before) fiches à mettre à jour."))
            #expect(applied.status == .seeOther)
            #expect(try await DirectoryService.query(on: app.db).count() == before)
            let after = try #require(try await DirectoryService.find(confidential.id, on: app.db))
            #expect(after.address == confidential.address && after.confidential && after.categories == confidential.categories)
            #expect(after.openingHours == confidential.openingHours && after.languages == confidential.languages)
            #expect(try await DirectoryImportUpload.query(on: app.db).count() == 0)
            #expect(try await DirectoryChange.query(on: app.db).filter(\.$action == "import_updated").count() == before)
        }
    }

    @Test func aPlainFileWithBadRowsIsCheckedLineByLineAndOnlyGoodRowsAreWrittenWhenAsked() async throws {
        try await withTestApp { app in
            // setup
            let browser = try await Self.coordinator(app)
            let existing = try #require(try await DirectoryService.query(on: app.db).sort(\.$nameFR).first())
            let csv = """
                Identifiant,Service,Organisme,État,Catégorie,Langue,Statut d'immigration de la personne,Province ou territoire,Lieu,Milieu,Courriel
                \(existing.id!.uuidString.lowercased()),Nom renommé (fictif),Organisme Importé (fictif),Actif,Logement,"français, tagalog","Toutes et tous, quel que soit le statut",Alberta,Brooks,Rural,accueil@importe.example
                ,Nouveau service (fictif),Organisme Importé (fictif),Ouvert,Logement,anglais,,Alberta,Brooks,Rural,
                ,,Organisme Importé (fictif),Actif,Logement,anglais,,Atlantide,Brooks,Rural,pas-un-courriel
                ,"Service sur
                deux lignes (fictif)",Organisme Importé (fictif),Actif,Santé,English,,Nunavut,Iqaluit,Remote,
                """
            let before = try await DirectoryService.query(on: app.db).count()
            // MUT
            let (headers, body) = Self.upload([("repertoire.csv", csv)], csrf: try #require(browser.csrf))
            let checked = try await browser.send(.POST, SiteURL.directoryImport.path, headers: headers, body: body)
            let apply = try #require(Self.applyURL(in: checked.body.string))
            let refused = try await browser.post(apply)
            let unchanged = try await DirectoryService.query(on: app.db).count()
            let applied = try await browser.post(apply, [("mode", "good")])
            // validate
            let html = checked.body.string
            #expect(checked.status == .unprocessableEntity)
            #expect(
                html.contains("<td data-label=\"Ligne\">3</td><td data-label=\"Colonne\">État</td><td data-label=\"Problème\">Valeur inconnue</td>"))
            #expect(
                html.contains(
                    "<td data-label=\"Ligne\">4</td><td data-label=\"Colonne\">Service</td><td data-label=\"Problème\">Valeur obligatoire manquante</td>"
                ))
            #expect(html.contains("<td data-label=\"Ligne\">4</td><td data-label=\"Colonne\">Province ou territoire</td>"))
            #expect(html.contains("Adresse courriel invalide") && html.contains("Rien n&#39;a été enregistré."))
            #expect(html.contains("Importer seulement les 2 lignes sans problème"))
            #expect(refused.status == .unprocessableEntity && unchanged == before)
            #expect(applied.status == .seeOther)
            #expect(try await DirectoryService.query(on: app.db).count() == before + 1)
            let renamed = try #require(try await DirectoryService.find(existing.id, on: app.db))
            #expect(renamed.nameFR == "Nom renommé (fictif)" && renamed.languages == "fr,tl" && renamed.email == "accueil@importe.example")
            let created = try #require(
                try await DirectoryService.query(on: app.db).filter(\.$city == "Iqaluit").filter(\.$nameFR ~~ "deux lignes").first())
            #expect(created.province == "NU" && created.region == "remote" && created.categories == "health")
            // The listing's history says it was imported; the search finds it.
            #expect(try await browser.get(SiteURL.directory.path + "?q=deux+lignes").body.string.contains("Service sur"))
        }
    }

    @Test func onlyCoordinatorsImportAndBadFilesAreExplained() async throws {
        try await withTestApp { app in
            // setup
            let browser = try await Self.coordinator(app)
            let admin = Browser(app)
            try await admin.signIn("lea.demo@refuge-fictif.example")
            // MUT
            let forbidden = try await admin.get(SiteURL.directoryImport.path)
            let (h1, none) = Self.upload([], csrf: try #require(browser.csrf))
            let empty = try await browser.send(.POST, SiteURL.directoryImport.path, headers: h1, body: none)
            var latin1 = ByteBuffer()
            latin1.writeString("--b\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(try #require(browser.csrf))\r\n")
            latin1.writeString("--b\r\nContent-Disposition: form-data; name=\"files[]\"; filename=\"r.csv\"\r\n\r\n")
            latin1.writeBytes([0x53, 0x65, 0x72, 0x76, 0x69, 0x63, 0x65, 0x0A, 0xE9, 0x74, 0xE9, 0x0A])
            latin1.writeString("\r\n--b--\r\n")
            let notUTF8 = try await browser.send(
                .POST, SiteURL.directoryImport.path, headers: ["Content-Type": "multipart/form-data; boundary=b"], body: latin1)
            let (h3, package) = Self.upload(
                [("phones.csv", "id,service_id,number\n"), ("languages.csv", "id,service_id,code\n")], csrf: try #require(browser.csrf))
            let noServices = try await browser.send(.POST, SiteURL.directoryImport.path, headers: h3, body: package)
            // validate
            #expect(forbidden.status == .forbidden)
            #expect(empty.status == .unprocessableEntity && empty.body.string.contains("Choisissez au moins un fichier CSV."))
            #expect(notUTF8.status == .unprocessableEntity && notUTF8.body.string.contains("n&#39;est pas en UTF-8"))
            #expect(noServices.status == .unprocessableEntity && noServices.body.string.contains("il y manque services.csv"))
            #expect(try await DirectoryImportUpload.query(on: app.db).count() == 0)
        }
    }

    @Test func aListingIsAddedFromAPageAndCompletedInTheFullForm() async throws {
        try await withTestApp { app in
            // setup
            let browser = try await Self.coordinator(app)
            try await browser.get(SiteURL.directoryNew.path)
            let name = String(repeating: "ж", count: DirectoryController.textLimit)
            // MUT
            let bad = try await browser.post(
                SiteURL.directoryNew.path, [("nameFR", name), ("nameEN", ""), ("province", "XX"), ("city", "Brooks"), ("region", "rural")])
            let made = try await browser.post(
                SiteURL.directoryNew.path,
                [
                    ("newOrganisation", "Organisme Ajouté (fictif)"), ("nameFR", name), ("nameEN", "Added service (fictional)"), ("province", "AB"),
                    ("city", "Brooks"), ("region", "rural"), ("category", "housing"),
                ])
            let admin = Browser(app)
            try await admin.signIn("lea.demo@refuge-fictif.example")
            try await admin.get(SiteURL.directoryNew.path)
            let own = try await admin.post(
                SiteURL.directoryNew.path,
                [
                    ("nameFR", "Halte (fictif)"), ("nameEN", "Drop-in (fictional)"), ("province", "QC"), ("city", "Rimouski"), ("region", "urban"),
                    ("category", "health"),
                ])
            // validate
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains(name))
            #expect(bad.body.string.contains("Choisissez l&#39;organisme ou écrivez le nom d&#39;un nouvel organisme."))
            #expect(made.status == .seeOther && (made.location ?? "").hasSuffix("/edit?saved=directory_created"))
            let service = try #require(try await DirectoryService.query(on: app.db).filter(\.$nameFR == name).first())
            #expect(service.province == "AB" && service.categories == "housing" && service.version == 1)
            #expect(try await browser.get(made.location!).body.string.contains(name))
            #expect(own.status == .seeOther)
            let halte = try #require(try await DirectoryService.query(on: app.db).filter(\.$nameEN == "Drop-in (fictional)").first())
            let listing = try #require(try await DirectoryOrganisation.find(halte.organisationID, on: app.db))
            #expect(
                listing.memberOrganisationID
                    == (try await User.query(on: app.db).filter(\.$email == "lea.demo@refuge-fictif.example").first()?.$organisation.id))
        }
    }
}
