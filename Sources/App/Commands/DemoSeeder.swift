import Domain
import Fluent
import Foundation
import Vapor

/// The demo network of `passerelle demo`: visibly fictional organisations, people and e-mail
/// addresses (all under `.example`), every org-level role in each organisation.
public enum DemoSeeder {
    struct DemoOrganisation {
        let name: String
        let type: OrganisationType
        let provinces: [Province]
        let languages: [String]
        let domain: String
        /// (given name, family name, roles, language)
        let people: [(String, String, [Role], Language)]
    }

    static let organisations: [DemoOrganisation] = [
        .init(
            name: "Maison Refuge-Fictif (démo)", type: .shelter, provinces: [.QC], languages: ["fr", "en", "es"], domain: "refuge-fictif.example",
            people: [
                ("Camille", "Exemple", [.caseworker], .fr), ("Mathis", "Fictif", [.supervisor], .fr),
                ("Léa", "Démo", [.orgAdmin], .fr),
            ]),
        .init(
            name: "Clinique juridique Imaginaire (démo)", type: .legalClinic, provinces: [.QC, .NB], languages: ["fr", "en"],
            domain: "clinique-imaginaire.example",
            people: [
                ("Noémie", "Essai", [.caseworker], .fr), ("Félix", "Exemplaire", [.supervisor, .caseworker], .fr),
                ("Rosalie", "Maquette", [.orgAdmin], .fr),
            ]),
        .init(
            name: "Lakeshore Sample Centre (demo)", type: .ngo, provinces: [.ON], languages: ["en", "fr", "tl"], domain: "lakeshore-sample.example",
            people: [
                ("Jordan", "Sample", [.caseworker], .en), ("Priya", "Placeholder", [.supervisor], .en),
                ("Sam", "Mockup", [.orgAdmin], .en),
            ]),
        .init(
            name: "Coastal Pretend Outreach (demo)", type: .ngo, provinces: [.BC], languages: ["en", "vi", "pa"], domain: "coastal-pretend.example",
            people: [
                ("Linh", "Fictional", [.caseworker], .en), ("Harjit", "Testcase", [.supervisor], .en),
                ("Morgan", "Dummy", [.orgAdmin], .en),
            ]),
        .init(
            name: "Prairie Imaginary Legal Clinic (demo)", type: .legalClinic, provinces: [.AB, .SK], languages: ["en", "fr"],
            domain: "prairie-imaginary.example",
            people: [
                ("Taylor", "Madeup", [.caseworker], .en), ("Chris", "Notreal", [.supervisor], .en),
                ("Avery", "Invented", [.orgAdmin], .en),
            ]),
        .init(
            name: "Harbour Make-Believe Shelter (demo)", type: .shelter, provinces: [.NS, .PE], languages: ["en", "fr"],
            domain: "harbour-makebelieve.example",
            people: [
                ("Jamie", "Storybook", [.caseworker], .en), ("Robin", "Pretend", [.supervisor], .en),
                ("Casey", "Fable", [.orgAdmin], .fr),
            ]),
        .init(
            name: "Ligne d'écoute Fictive (démo)", type: .hotline, provinces: [.QC, .ON, .MB], languages: ["fr", "en"],
            domain: "ecoute-fictive.example",
            people: [
                ("Inès", "Simulée", [.caseworker], .fr), ("Olivier", "Factice", [.supervisor], .fr),
                ("Zoé", "Semblant", [.orgAdmin], .fr),
            ]),
        .init(
            name: "Réseau national Fictif (démo)", type: .networkCoordination, provinces: Province.allCases, languages: ["fr", "en"],
            domain: "reseau-fictif.example",
            people: [
                ("Gabrielle", "Coordo-Démo", [.networkCoordinator], .fr), ("Riley", "Network-Demo", [.networkCoordinator], .en),
                ("Émile", "Admin-Réseau", [.orgAdmin], .fr),
            ]),
        .init(
            name: "Administration Passerelle (démo)", type: .other, provinces: [.ON], languages: ["fr", "en"], domain: "admin-demo.example",
            people: [("Ariane", "Système-Démo", [.systemAdmin], .fr)]),
    ]

    public struct Account: Sendable {
        public let email: String
        public let roles: [Role]
        public let organisation: String
    }

    /// Synthetic case files for the demo organisations (none are added where some exist).
    public static func seedCases(_ app: Application) async throws -> Int {
        let created = try await DemoCases.seed(app)
        // The demo writes its sections directly: its contributions to the network figures are counted once, at the end.
        try await app.db.writeTransaction { db in
            try await EvidenceFacts.rebuild(inTransaction: db, vault: CaseVault(master: app.masterKey), now: Date())
            try await RedFlagTokens.rebuild(inTransaction: db, vault: CaseVault(master: app.masterKey), now: Date())
        }
        return created
    }

    static func email(_ given: String, _ family: String, domain: String) -> String {
        let folded = "\(given).\(family)".folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en"))
        return folded.lowercased().replacingOccurrences(of: " ", with: "-") + "@" + domain
    }

    /// Creates what is missing and sets every demo account's password to `password` (the demo
    /// accounts only: they are the ones marked exempt from two-factor).
    @discardableResult
    public static func seed(_ app: Application, password: String) async throws -> [Account] {
        let hash = try await app.passwordService.hash(password, on: app.threadPool)
        return try await app.db.writeTransaction { db in
            var accounts: [Account] = []
            for spec in organisations {
                let organisation: Organisation
                if let existing = try await Organisation.query(on: db).filter(\.$name == spec.name).first() {
                    organisation = existing
                } else {
                    organisation = Organisation(name: spec.name, type: spec.type, provinces: spec.provinces, languages: spec.languages)
                    try await organisation.create(on: db)
                    try await AuditLog.append(
                        on: db, actor: .system, action: .organisationCreated, target: organisation.id?.uuidString,
                        requestID: nil, detail: "demo")
                }
                for (given, family, roles, language) in spec.people {
                    let address = email(given, family, domain: spec.domain)
                    let user: User
                    if let existing = try await User.query(on: db).filter(\.$email == address).first() {
                        user = existing
                    } else {
                        user = User(
                            organisationID: organisation.id!, email: address, displayName: "\(given) \(family)", roles: roles, language: language)
                        user.twoFactorExempt = true
                        try await user.create(on: db)
                        try await AuditLog.append(
                            on: db, actor: .system, action: .userInvited, target: user.id?.uuidString,
                            requestID: nil, detail: "demo")
                    }
                    if user.twoFactorExempt {
                        user.passwordHash = hash
                        try await user.save(on: db)
                    }
                    accounts.append(Account(email: address, roles: user.roleList, organisation: spec.name))
                }
            }
            return accounts
        }
    }
}
