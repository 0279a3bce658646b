import Crypto
import Domain
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The network's figures kept on write. Each case that counts (consent to statistics in force,
/// province recorded) has one contribution in `evidence_facts`, stored under a keyed hash of the
/// case (HMAC under a key derived from the master key: the table names no case), and
/// `evidence_counts` holds their sums by dimension, value, month and province. Every write that
/// can change what a case contributes calls `refresh` inside its own transaction, so the counts
/// move with the case: a withdrawal or a purge takes the case out of every figure computed after.
enum EvidenceFacts {
    static func token(caseID: UUID, organisationID: UUID, master: SymmetricKey) -> String {
        let key = Envelope.derivedKey(master: master, purpose: "evidence-facts", organisationID: organisationID.uuidString)
        return Hex.lowercase(HMAC<SHA256>.authenticationCode(for: Data(caseID.uuidString.utf8), using: key))
    }

    /// What the case contributes now, or nil when it does not count.
    static func fact(caseID: UUID, on db: any Database, vault: CaseVault, now: Date) async throws -> EvidenceFact? {
        guard let file = try await CaseFile.find(caseID, on: db), let province = file.province.flatMap(Province.init(rawValue:)) else {
            return nil
        }
        // A withdrawal is recorded at the moment it is made; its stored time may read back a hair
        // after `now`, so a recorded withdrawal counts as made.
        let consents = try await CaseConsent.query(on: db).filter(\.$caseID == caseID).all().compactMap { consent in
            ConsentKind(rawValue: consent.kind).map {
                ConsentRecord(kind: $0, partner: consent.partner, givenOn: consent.givenOn, withdrawnAt: consent.withdrawnAt.map { min($0, now) })
            }
        }
        guard ConsentRules.isGranted(.statistics, in: consents, at: now) else { return nil }
        let opened = try await vault.open(file, on: db)
        let person = try vault.openSection(PersonSection.self, file.sealedPerson, field: .person, with: opened) ?? PersonSection()
        var values: [EvidenceDimension: [String]] = [:]
        func known<E: RawRepresentable>(_ raw: String?, _ type: E.Type) -> String where E.RawValue == String {
            raw.flatMap(E.init(rawValue:)).map(\.rawValue) ?? "not_recorded"
        }
        values[.genderAge] = [
            "\(GenderCode(rawValue: person.gender)?.rawValue ?? GenderCode.unknown.rawValue)|\(known(person.ageBand, AgeBand.self))"
        ]
        values[.indigenous] = [known(person.indigenousIdentity, IndigenousIdentity.self)]
        values[.citizenship] = [CitizenshipRegion.of(person.countryOfOrigin)]
        values[.immigration] = [known(person.immigrationStatus, ImmigrationStatus.self)]
        let experience = try await CaseExperience.query(on: db).filter(\.$caseID == caseID).first()
        values[.status] = [known(experience?.traffickingStatus, TraffickingStatus.self)]
        values[.scope] = [known(experience?.scope, TraffickingScope.self)]
        let exploitation = (experience?.exploitationTypes ?? "").split(separator: ",").compactMap { ExploitationType(rawValue: String($0)) }
        values[.exploitation] = exploitation.isEmpty ? ["not_recorded"] : exploitation.map(\.rawValue)
        if exploitation.contains(.forcedLabour) {
            values[.industry] = [known(experience?.industry, LabourIndustry.self)]
            values[.fees] = [experience?.feesPaidCents.map { FeeBand.band(cents: $0).rawValue } ?? "not_recorded"]
            values[.licensed] = [
                ["yes", "no", "unknown"].contains(experience?.recruiterLicensed ?? "") ? experience!.recruiterLicensed! : "not_recorded"
            ]
        }
        values[.control] = (experience?.controlMethods ?? "").split(separator: ",").compactMap { ControlMethod(rawValue: String($0))?.rawValue }
        values[.needs] = try await CaseNeed.query(on: db).filter(\.$caseID == caseID).all().compactMap { need in
            guard let kind = NeedKind(rawValue: need.need), let status = NeedStatus(rawValue: need.status) else { return nil }
            return "\(kind.rawValue)|\(status.rawValue)"
        }
        let applications = try await PathwayApplication.query(on: db).filter(\.$caseID == caseID).with(\.$pathway).all()
        values[.permits] = applications.map(\.pathway.code)
        values[.permitDecisions] = applications.compactMap { application in
            [ApplicationState.approved.rawValue, ApplicationState.refused.rawValue].contains(application.state)
                ? "\(application.pathway.code)|\(application.state)" : nil
        }
        values[.permitDays] = applications.compactMap { application in
            guard let days = application.processingDays, let complete = application.completeAtSubmission else { return nil }
            return "\(application.pathway.code)|\(complete ? "complete" : "incomplete")|\(days)"
        }
        values[.permitValidity] = applications.compactMap { application in
            application.validityDays.map { "\(application.pathway.code)|\($0)" }
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month], from: file.openedAt)
        let month = EvidencePeriod.Month(year: parts.year!, month: parts.month!).description
        return EvidenceFact(organisationID: file.$organisation.id.uuidString, province: province, month: month, values: values)
    }

    /// Brings the case's contribution and the kept counts up to date, in the caller's transaction.
    static func refresh(caseID: UUID, on db: any Database, vault: CaseVault, now: Date) async throws {
        guard let organisationID = try await CaseFile.find(caseID, on: db)?.$organisation.id else { return }
        let new = try await fact(caseID: caseID, on: db, vault: vault, now: now)
        try await store(
            new, token: token(caseID: caseID, organisationID: organisationID, master: vault.master), organisationID: organisationID, on: db)
    }

    /// Takes the case out of every figure (a purge), in the caller's transaction.
    static func remove(caseID: UUID, organisationID: UUID, on db: any Database, vault: CaseVault) async throws {
        try await store(
            nil, token: token(caseID: caseID, organisationID: organisationID, master: vault.master), organisationID: organisationID, on: db)
    }

    private static func store(_ new: EvidenceFact?, token: String, organisationID: UUID, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        struct Stored: Decodable { let fact: String }
        let oldText = try await sql.raw("SELECT fact FROM evidence_facts WHERE token = \(bind: token)").first(decoding: Stored.self)?.fact
        let old = oldText.flatMap { try? JSONDecoder().decode(EvidenceFact.self, from: Data($0.utf8)) }
        guard old != new else { return }
        try await sql.raw("DELETE FROM evidence_facts WHERE token = \(bind: token)").run()
        if let new {
            let text = String(decoding: try JSONEncoder().encode(new), as: UTF8.self)
            try await sql.raw(
                "INSERT INTO evidence_facts (token, organisation_id, fact) VALUES (\(bind: token), \(bind: organisationID), \(bind: text))"
            ).run()
        }
        try await apply(EvidenceFact.delta(from: old, to: new), on: sql)
    }

    static func apply(_ delta: [EvidenceFact.Key: Int], on sql: any SQLDatabase) async throws {
        for (key, change) in delta.sorted(by: { $0.key < $1.key }) {
            try await sql.raw(
                """
                INSERT INTO evidence_counts (dimension, month, province, value, count)
                VALUES (\(bind: key.dimension.rawValue), \(bind: key.month), \(bind: key.province.rawValue), \(bind: key.value), \(bind: change))
                ON CONFLICT (dimension, month, province, value) DO UPDATE SET count = evidence_counts.count + excluded.count
                """
            ).run()
        }
        try await sql.raw("DELETE FROM evidence_counts WHERE count = 0").run()
    }

    /// Every contribution computed again from the cases (the demo, a master-key rotation):
    /// what the consistency test compares the kept counts with.
    static func recount(on db: any Database, vault: CaseVault, now: Date) async throws -> [(token: String, organisationID: UUID, fact: EvidenceFact)]
    {
        struct Row: Decodable {
            let id: UUID
            let organisation_id: UUID
        }
        let cases = try await (db as! any SQLDatabase).raw("SELECT id, organisation_id FROM cases ORDER BY id").all(decoding: Row.self)
        var facts: [(String, UUID, EvidenceFact)] = []
        for row in cases {
            guard let fact = try await fact(caseID: row.id, on: db, vault: vault, now: now) else { continue }
            facts.append((token(caseID: row.id, organisationID: row.organisation_id, master: vault.master), row.organisation_id, fact))
        }
        return facts
    }

    static func totals(of facts: [EvidenceFact]) -> [EvidenceFact.Key: Int] {
        var counts: [EvidenceFact.Key: Int] = [:]
        for fact in facts { counts.merge(fact.counts, uniquingKeysWith: +) }
        return counts
    }

    /// The kept counts, every one.
    static func kept(on db: any Database) async throws -> [EvidenceFact.Key: Int] {
        struct Row: Decodable {
            let dimension: String
            let month: String
            let province: String
            let value: String
            let count: Int
        }
        let rows = try await (db as! any SQLDatabase).raw("SELECT dimension, month, province, value, count FROM evidence_counts")
            .all(decoding: Row.self)
        var counts: [EvidenceFact.Key: Int] = [:]
        for row in rows {
            guard let dimension = EvidenceDimension(rawValue: row.dimension), let province = Province(rawValue: row.province) else { continue }
            counts[EvidenceFact.Key(dimension: dimension, value: row.value, month: row.month, province: province)] = row.count
        }
        return counts
    }

    /// Replaces every contribution and count by a full recount, in the caller's write transaction
    /// (a nested `writeTransaction` would wait on the write gate its caller holds).
    static func rebuild(inTransaction db: any Database, vault: CaseVault, now: Date) async throws {
        do {
            let facts = try await recount(on: db, vault: vault, now: now)
            let sql = db as! any SQLDatabase
            try await sql.raw("DELETE FROM evidence_facts").run()
            try await sql.raw("DELETE FROM evidence_counts").run()
            for (token, organisationID, fact) in facts {
                let text = String(decoding: try JSONEncoder().encode(fact), as: UTF8.self)
                try await sql.raw(
                    "INSERT INTO evidence_facts (token, organisation_id, fact) VALUES (\(bind: token), \(bind: organisationID), \(bind: text))"
                ).run()
            }
            try await apply(totals(of: facts.map(\.fact)), on: sql)
        }
    }

    /// Every counted case's contribution (the network's microdata).
    static func allFacts(on db: any Database) async throws -> [EvidenceFact] {
        struct Stored: Decodable { let fact: String }
        return try await (db as! any SQLDatabase).raw("SELECT fact FROM evidence_facts").all(decoding: Stored.self).compactMap {
            try? JSONDecoder().decode(EvidenceFact.self, from: Data($0.fact.utf8))
        }
    }

    /// One organisation's contributions (a supervisor's own figures beside the network's).
    static func facts(organisationID: UUID, on db: any Database) async throws -> [EvidenceFact] {
        struct Stored: Decodable { let fact: String }
        return try await (db as! any SQLDatabase).raw("SELECT fact FROM evidence_facts WHERE organisation_id = \(bind: organisationID)")
            .all(decoding: Stored.self).compactMap { try? JSONDecoder().decode(EvidenceFact.self, from: Data($0.fact.utf8)) }
    }
}

/// The kept counts' stamp: every insert, update or delete of `evidence_counts` moves it, in the
/// writer's transaction, whatever wrote the row (a case's write, a rebuild, `passerelle generate`).
enum EvidenceStamp {
    private static let bump: SQLQueryString = """
        INSERT INTO evidence_stamps (id, stamp) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET stamp = evidence_stamps.stamp + 1
        """

    static let trigger = RowTrigger(
        name: "evidence_counts_stamp", function: "evidence_stamp_bump", table: "evidence_counts", onInsert: [bump], onUpdate: [bump],
        onDelete: [bump])

    /// The shared-names table is read from the red-flag tokens: they move the stamp too (migration 022).
    static let redFlagsTrigger = RowTrigger(
        name: "red_flag_tokens_stamp", function: "red_flag_stamp_bump", table: "red_flag_tokens", onInsert: [bump], onUpdate: [bump],
        onDelete: [bump])

    static func create(on sql: any SQLDatabase) async throws {
        try await sql.raw("CREATE TABLE evidence_stamps (id INTEGER PRIMARY KEY, stamp BIGINT NOT NULL)").run()
        try await trigger.create(on: sql)
    }

    static func drop(on sql: any SQLDatabase) async throws {
        try await trigger.drop(on: sql)
        try await sql.raw("DROP TABLE IF EXISTS evidence_stamps").run()
    }

    static func current(on sql: any SQLDatabase) async throws -> Int {
        struct Row: Decodable { let stamp: Int }
        return try await sql.raw("SELECT stamp FROM evidence_stamps WHERE id = 1").first(decoding: Row.self)?.stamp ?? 0
    }
}

/// Values kept with the stamp they were computed at, given back only while the stamp is the
/// same; at most `capacity` of them, the least recently used forgotten first.
final class StampedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = NIOLockedValueBox<(tick: Int, values: [Key: (stamp: Int, used: Int, value: Value)])>((0, [:]))
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func value(_ key: Key, stamp: Int) -> Value? {
        entries.withLockedValue { entries in
            guard let entry = entries.values[key], entry.stamp == stamp else { return nil }
            entries.tick += 1
            entries.values[key] = (stamp, entries.tick, entry.value)
            return entry.value
        }
    }

    /// Computations under way, so that requests arriving together for a value not yet kept
    /// wait for the one computation instead of each starting its own (at 1,000,000 cases, eight
    /// trends pages opened at once each read the kept counts for a second, side by side).
    private struct Flight: Hashable {
        let key: Key
        let stamp: Int
    }
    private let flights = NIOLockedValueBox<[Flight: Task<Value, any Error>]>([:])

    /// The value kept for the key at this stamp, or the one computation of it (shared by every
    /// caller asking meanwhile), then kept. A failed computation is not kept: the next asks again.
    func value(_ key: Key, stamp: Int, compute: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let kept = value(key, stamp: stamp) { return kept }
        let flight = Flight(key: key, stamp: stamp)
        let task = flights.withLockedValue { flights in
            if let running = flights[flight] { return running }
            let task = Task { [self] in
                defer { _ = self.flights.withLockedValue { $0.removeValue(forKey: flight) } }
                let value = try await compute()
                self.store(key, stamp: stamp, value: value)
                return value
            }
            flights[flight] = task
            return task
        }
        return try await task.value
    }

    func store(_ key: Key, stamp: Int, value: Value) {
        entries.withLockedValue { entries in
            if entries.values[key] == nil, entries.values.count >= capacity,
                let oldest = entries.values.min(by: { $0.value.used < $1.value.used })?.key
            {
                entries.values[oldest] = nil
            }
            entries.tick += 1
            entries.values[key] = (stamp, entries.tick, value)
        }
    }
}

/// The trends page's caches: the counts last read for each selection (and each organisation's
/// own), and the tables rendered from them in each language; both valid while the stamp stays.
final class TrendsCache: Sendable {
    struct Key: Hashable, Sendable {
        let from: String
        let to: String
        let provinces: [String]
        let organisation: UUID?
    }

    /// The rendered tables of a selection in a language, with the pathways' names they were drawn with.
    struct FragmentKey: Hashable, Sendable {
        let counts: Key
        let language: String
        let pathways: String
    }

    struct Fragment: Sendable {
        let html: SafeHTML
        let contributors: String
    }

    static let capacity = 64
    let counts = StampedCache<Key, TrendsQueries.Counts>(capacity: capacity)
    let fragments = StampedCache<FragmentKey, Fragment>(capacity: capacity)
}

extension Application {
    private struct TrendsCacheKey: StorageKey { typealias Value = TrendsCache }

    var trendsCache: TrendsCache {
        if let cache = storage[TrendsCacheKey.self] { return cache }
        let cache = TrendsCache()
        storage[TrendsCacheKey.self] = cache
        return cache
    }
}
