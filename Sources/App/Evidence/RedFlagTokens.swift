import Crypto
import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// Red flags across organisations, kept as keyed hashes. The employers, recruiters and phone
/// numbers of a case's experience are written one way (`RedFlags`) and hashed with HMAC under a
/// network key derived from the master key, the same in every organisation, so the same name in
/// two organisations' cases gives the same token while the table holds no clear text. A case
/// learns only how many other organisations hold one of its tokens; names of organisations are
/// shown only between two whose supervisors both asked to be put in touch about that token.
enum RedFlagTokens {
    static func key(_ master: SymmetricKey) -> SymmetricKey {
        Envelope.derivedKey(master: master, purpose: "red-flags", organisationID: "network")
    }

    static func token(_ entry: RedFlags.Entry, key: SymmetricKey) -> String {
        Hex.lowercase(HMAC<SHA256>.authenticationCode(for: Data(entry.hashInput.utf8), using: key))
    }

    static func entries(_ details: ExperienceDetails?) -> [RedFlags.Entry] {
        details.map { RedFlags.entries(employers: $0.employers, recruiters: $0.recruiters) } ?? []
    }

    /// Replaces the case's tokens by those of its experience as now saved, in the caller's transaction.
    static func refresh(
        caseID: UUID, organisationID: UUID, province: String?, sector: String?, details: ExperienceDetails?, master: SymmetricKey, now: Date,
        on db: any Database
    ) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("DELETE FROM red_flag_tokens WHERE case_id = \(bind: caseID)").run()
        let key = key(master)
        var seen = Set<String>()
        for entry in entries(details) {
            let token = token(entry, key: key)
            guard seen.insert(token).inserted else { continue }
            try await sql.raw(
                """
                INSERT INTO red_flag_tokens (id, case_id, organisation_id, token, kind, sector, province, created_at)
                VALUES (\(bind: UUID()), \(bind: caseID), \(bind: organisationID), \(bind: token), \(bind: entry.kind.rawValue),
                \(bind: sector ?? "not_recorded"), \(bind: province ?? "not_recorded"), \(bind: now))
                """
            ).run()
        }
    }

    /// Every case's tokens computed again (the demo, a master-key rotation); requests to be put in
    /// touch follow their token to its new hash when the key changed.
    static func rebuild(inTransaction db: any Database, vault: CaseVault, previous: SymmetricKey? = nil, now: Date) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("DELETE FROM red_flag_tokens").run()
        let oldKey = previous.map(key), newKey = key(vault.master)
        for experience in try await CaseExperience.query(on: db).all() {
            guard let file = try await CaseFile.find(experience.caseID, on: db) else { continue }
            let opened = try await vault.open(file, on: db)
            let details = try vault.openSection(ExperienceDetails.self, experience.sealedDetails, field: .experience, with: opened)
            try await refresh(
                caseID: experience.caseID, organisationID: file.$organisation.id, province: file.province, sector: experience.industry,
                details: details, master: vault.master, now: now, on: db)
            if let oldKey {
                for entry in entries(details) {
                    try await sql.raw(
                        "UPDATE red_flag_contacts SET token = \(bind: token(entry, key: newKey)) WHERE token = \(bind: token(entry, key: oldKey))"
                    ).run()
                }
            }
        }
    }

    /// One of the case's names that other organisations' cases hold too.
    struct Shared: Sendable {
        let entry: RedFlags.Entry
        let token: String
        let organisations: Int
        /// This organisation asked to be put in touch about it.
        let requested: Bool
        /// The organisations that asked too, once this one has: their name and who asked.
        let contacts: [Contact]
    }

    struct Contact: Sendable {
        let organisation: String
        let name: String
        let email: String
    }

    /// The case's names also held by other organisations' cases, looked up by token alone.
    static func shared(_ details: ExperienceDetails?, organisationID: UUID, master: SymmetricKey, on db: any Database) async throws -> [Shared] {
        let key = key(master)
        let entries = entries(details).map { ($0, token($0, key: key)) }
        guard !entries.isEmpty else { return [] }
        let sql = db as! any SQLDatabase
        struct Count: Decodable {
            let token: String
            let n: Int
        }
        let counts = try await sql.raw(
            """
            SELECT token, COUNT(DISTINCT organisation_id) AS n FROM red_flag_tokens
            WHERE token IN (\(SQLList(entries.map { SQLBind($0.1) }))) AND organisation_id <> \(bind: organisationID)
            GROUP BY token
            """
        ).all(decoding: Count.self)
        let others = Dictionary(counts.map { ($0.token, $0.n) }, uniquingKeysWith: max)
        let sharedTokens = entries.map(\.1).filter { others[$0, default: 0] > 0 }
        guard !sharedTokens.isEmpty else { return [] }
        struct Request: Decodable {
            let token: String
            let organisation_id: UUID
            let organisation: String
            let name: String
            let email: String
        }
        let requests = try await sql.raw(
            """
            SELECT c.token, c.organisation_id, o.name AS organisation, u.display_name AS name, u.email
            FROM red_flag_contacts c JOIN organisations o ON o.id = c.organisation_id JOIN users u ON u.id = c.requested_by
            WHERE c.token IN (\(SQLList(sharedTokens.map { SQLBind($0) })))
            AND EXISTS (SELECT 1 FROM red_flag_tokens t WHERE t.token = c.token AND t.organisation_id = c.organisation_id)
            ORDER BY o.name
            """
        ).all(decoding: Request.self)
        return entries.compactMap { entry, token in
            guard let n = others[token], n > 0 else { return nil }
            let mine = requests.contains { $0.token == token && $0.organisation_id == organisationID }
            let contacts =
                mine
                ? requests.filter { $0.token == token && $0.organisation_id != organisationID }.map {
                    Contact(organisation: $0.organisation, name: $0.name, email: $0.email)
                } : []
            return Shared(entry: entry, token: token, organisations: n, requested: mine, contacts: contacts)
        }
    }

    /// The organisation asks to be put in touch about one of the case's shared tokens; false when
    /// the token is not the case's or no other organisation holds it.
    static func requestContact(token: String, caseID: UUID, organisationID: UUID, userID: UUID, now: Date, on db: any Database) async throws -> Bool {
        let sql = db as! any SQLDatabase
        struct Row: Decodable { let n: Int }
        let own =
            try await sql.raw("SELECT COUNT(*) AS n FROM red_flag_tokens WHERE token = \(bind: token) AND case_id = \(bind: caseID)")
            .first(decoding: Row.self)?.n ?? 0
        let others =
            try await sql.raw(
                "SELECT COUNT(*) AS n FROM red_flag_tokens WHERE token = \(bind: token) AND organisation_id <> \(bind: organisationID)"
            ).first(decoding: Row.self)?.n ?? 0
        guard own > 0, others > 0 else { return false }
        try await sql.raw(
            """
            INSERT INTO red_flag_contacts (id, token, organisation_id, requested_by, requested_at)
            VALUES (\(bind: UUID()), \(bind: token), \(bind: organisationID), \(bind: userID), \(bind: now))
            ON CONFLICT (token, organisation_id) DO NOTHING
            """
        ).run()
        return true
    }

    /// For the coordinator: how many times a name shared by two or more organisations is
    /// recorded in a case that consents to statistics, by the case's sector and province (each
    /// organisation counted once per name, sector and province).
    static func sharedBySectorAndProvince(on db: any Database) async throws -> [(sector: String, province: String, count: Int)] {
        struct Row: Decodable {
            let sector: String
            let province: String
            let n: Int
        }
        return try await (db as! any SQLDatabase).raw(
            """
            SELECT sector, province, CAST(COUNT(*) AS BIGINT) AS n FROM (
              SELECT DISTINCT token, organisation_id, sector, province FROM red_flag_tokens
              WHERE token IN (SELECT token FROM red_flag_tokens GROUP BY token HAVING COUNT(DISTINCT organisation_id) >= 2)
              AND case_id IN (SELECT case_id FROM case_consents WHERE kind = 'statistics' AND withdrawn_at IS NULL)
            ) shared GROUP BY sector, province
            """
        ).all(decoding: Row.self).map { ($0.sector, $0.province, $0.n) }
    }
}
