import Crypto
import Domain
import Fluent
import Foundation
import SQLKit

/// Recomputes every case's name terms with today's `NameTokens`, which folds the letters that
/// have no decomposition (Đ, Ł, Ø, Æ, ß, Þ) and indexes names joined by an apostrophe or a hyphen
/// both as parts and joined. The terms are HMACs under a key derived from the master key, so the
/// migration needs the key; it is the one migration registered with it (`configure`).
struct RebuildNameIndex: AsyncMigration {
    let master: SymmetricKey

    var name: String { "012_RebuildNameIndex" }

    func prepare(on database: any Database) async throws {
        // A wrong key is refused with the usual message before anything is rewritten.
        try await MasterKeyProvider.checkAgainstDatabase(master, db: database)
        _ = try await CaseNameIndex.rebuild(on: database, master: master)
    }

    func revert(on database: any Database) async throws {}
}

/// The blind index of case names, rebuilt from the sealed names.
enum CaseNameIndex {
    /// The terms of one case, from its preferred and legal names.
    static func reindex(_ file: CaseFile, caseID: UUID, opened: CaseVault.Opened, vault: CaseVault, on db: any Database) async throws {
        var names = [try vault.openText(file.sealedPreferredName, field: .preferredName, with: opened)]
        if let person = try vault.openSection(PersonSection.self, file.sealedPerson, field: .person, with: opened) {
            names.append(person.legalName)
        }
        try await CaseNameTerm.query(on: db).filter(\.$caseID == caseID).delete()
        for term in vault.nameTerms(names, organisationID: file.$organisation.id) {
            try await CaseNameTerm(organisationID: file.$organisation.id, caseID: caseID, term: term).create(on: db)
        }
    }

    /// Every case, in one transaction; returns how many.
    static func rebuild(on db: any Database, master: SymmetricKey) async throws -> Int {
        try await db.writeTransaction { db in
            let vault = CaseVault(master: master)
            return try await eachCaseKey(on: db) { key, file in
                let organisationID = file.$organisation.id.uuidString
                let dataKey = try Envelope.unwrap(key.wrapped, master: master, organisationID: organisationID, caseID: key.caseID.uuidString)
                let opened = CaseVault.Opened(key: dataKey, organisationID: organisationID, caseID: key.caseID.uuidString)
                try await reindex(file, caseID: key.caseID, opened: opened, vault: vault, on: db)
            }
        }
    }

    /// Walks every case's key with its case, 2,000 at a time in id order (memory stays flat);
    /// returns how many. Shared by the rebuild and `passerelle keys rotate`.
    static func eachCaseKey(on db: any Database, _ body: (CaseKey, CaseFile) async throws -> Void) async throws -> Int {
        var count = 0
        var after: UUID?
        while true {
            let query = CaseKey.query(on: db).join(CaseFile.self, on: \CaseKey.$caseID == \CaseFile.$id).sort(\.$caseID).limit(2000)
            if let after { query.filter(\.$caseID > after) }
            let page = try await query.all()
            for key in page {
                try await body(key, try key.joined(CaseFile.self))
                count += 1
            }
            guard let last = page.last, page.count == 2000 else { return count }
            after = last.caseID
        }
    }
}

/// The home page of an organisation's admins and supervisors lists its recent grants of case
/// access; among all of an organisation's events (page views above all) they are a handful. A
/// partial index holds just them. The query repeats the predicate's literal
/// (`HomeController.recentGrants`), and the literal is written here, frozen with the migration.
struct IndexAccessGrants: AsyncMigration {
    var name: String { "012_IndexAccessGrants" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw(
            """
            CREATE INDEX audit_events_grants_idx ON audit_events (organisation_id, sequence)
            WHERE action = 'case_access_granted'
            """
        ).run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "audit_events_grants_idx").run()
    }
}
