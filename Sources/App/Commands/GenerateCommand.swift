import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// `passerelle generate --cases N --organisations M`: fills a database with synthetic, visibly
/// fictional cases for load tests, through the same encryption path as real ones (a data key per
/// case wrapped by the master key, sealed names, blind-index terms), written in large batches.
struct GenerateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "cases", help: "number of cases to add (default 10000)")
        var cases: Int?

        @Option(name: "organisations", help: "number of synthetic organisations to spread them over (default 100)")
        var organisations: Int?

        @Option(name: "services", help: "number of synthetic directory services to add (default 0)")
        var services: Int?

        @Option(name: "referrals", help: "number of synthetic referrals between the organisations' cases and services (default 0)")
        var referrals: Int?
    }

    var help: String {
        "Adds synthetic cases, directory services and referrals for load testing (passerelle generate --cases N --organisations M --services S --referrals R)."
    }

    static let batch = 10_000

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let total = max(0, signature.cases ?? 10_000)
        let organisationCount = max(1, signature.organisations ?? 100)
        let password =
            ProcessInfo.processInfo.environment["PASSERELLE_DEMO_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 } ?? "generated-"
            + Secrets.randomToken(bytes: 9)
        let hash = try await app.passwordService.hash(password, on: app.threadPool)
        let started = Date()

        // Organisations, each with a caseworker and a supervisor (exempt from two-factor, like demo accounts).
        var organisations: [(Organisation, User, CaseSettings)] = []
        for index in 1...organisationCount {
            let name = String(format: "Organisme synthétique %03d (généré)", index)
            let organisation: Organisation
            if let existing = try await Organisation.query(on: app.db).filter(\.$name == name).first() {
                organisation = existing
            } else {
                organisation = Organisation(
                    name: name, type: .ngo, provinces: [Province.allCases[index % Province.allCases.count]], languages: ["fr", "en"])
                try await organisation.create(on: app.db)
            }
            var worker: User?
            for (role, prefix) in [(Role.caseworker, "intervenant"), (.supervisor, "superviseur")] {
                let email = String(format: "%@.%03d@genere.example", prefix, index)
                let user: User
                if let existing = try await User.query(on: app.db).filter(\.$email == email).first() {
                    user = existing
                } else {
                    user = User(
                        organisationID: organisation.id!, email: email, displayName: "\(prefix.capitalized) \(index) (généré)", roles: [role],
                        language: .fr)
                    user.twoFactorExempt = true
                    user.passwordHash = hash
                    try await user.create(on: app.db)
                }
                if role == .caseworker { worker = user }
            }
            let settings = try await CaseQueries.settings(for: organisation, on: app.db)
            if settings.referenceCode != String(format: "G%03d", index) {
                settings.referenceCode = String(format: "G%03d", index)
                try await settings.save(on: app.db)
            }
            organisations.append((organisation, worker!, settings))
        }

        // The network's coordination, whose coordinator reads the trends (and never a case).
        let coordinationName = "Coordination synthétique (générée)"
        let coordination: Organisation
        if let existing = try await Organisation.query(on: app.db).filter(\.$name == coordinationName).first() {
            coordination = existing
        } else {
            coordination = Organisation(name: coordinationName, type: .networkCoordination, provinces: Province.allCases, languages: ["fr", "en"])
            try await coordination.create(on: app.db)
        }
        if try await User.query(on: app.db).filter(\.$email == "coordination@genere.example").first() == nil {
            let user = User(
                organisationID: coordination.id!, email: "coordination@genere.example", displayName: "Coordination (générée)",
                roles: [.networkCoordinator], language: .fr)
            user.twoFactorExempt = true
            user.passwordHash = hash
            try await user.create(on: app.db)
        }

        let vault = CaseVault(master: app.masterKey)
        let pathways = try await PathwayType.query(on: app.db).filter(\.$isCurrent == true).sort(\.$code).all()
            .map { Pathway(id: $0.id!, code: $0.code, typicalValidityDays: $0.typicalValidityDays) }
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        var firstNumber: [UUID: Int] = [:]
        for (organisation, _, _) in organisations {
            firstNumber[organisation.id!] =
                try await CaseCounter.query(on: app.db).filter(\.$organisationID == organisation.id!)
                .filter(\.$year == year).first()?.lastNumber ?? 0
        }
        // The blind-index terms of every given and family name, per organisation, computed once:
        // only the case number's term is computed per case.
        let plan = Plan(
            organisations: organisations.map { organisation, worker, settings in
                let index = BlindIndex(master: app.masterKey, organisationID: organisation.id!.uuidString)
                return Plan.Organisation(
                    id: organisation.id!, workerID: worker.id!, code: settings.referenceCode,
                    province: organisation.provinceList.first?.rawValue, firstNumber: firstNumber[organisation.id!]!,
                    index: index, givenTerms: DemoCases.givenNames.map(index.terms(for:)),
                    familyTerms: DemoCases.familyNames.map(index.terms(for:)))
            },
            pathways: pathways, year: year, total: total, vault: vault, now: Date(), idBase: UInt64(Date().timeIntervalSince1970 * 1_000_000) * 16)

        // Organisation k receives the cases k, k + n, k + 2n…: (total + n - 1 - k) / n of them.
        let lastNumbers = Dictionary(
            uniqueKeysWithValues: plan.organisations.enumerated().map { k, organisation in
                (organisation.id, organisation.firstNumber + (total + organisationCount - 1 - k) / organisationCount)
            })
        // Pipeline: the next batch is built and sealed on another core while this one is written.
        // On SQLite the load runs on one connection without waiting for each commit to reach the
        // disk and with rarer checkpoints; both are restored, and the log checkpointed, at the end.
        try await app.db.withConnection { db in
            let sql = db as! any SQLDatabase
            if db.isSQLite {
                try await sql.raw("PRAGMA synchronous = OFF").run()
                try await sql.raw("PRAGMA wal_autocheckpoint = 100000").run()
                // Index inserts land at random places (UUID keys): keep the pages they touch in memory.
                try await sql.raw("PRAGMA cache_size = -2000000").run()
            }
            var written = 0
            // Batches are built on a thread of their own: Swift's tasks run on the event loops,
            // where a second-long build would hold up the writer's database replies.
            let builder = NIOThreadPool(numberOfThreads: 1)
            builder.start()
            defer { builder.shutdownGracefully { _ in } }
            func build(from start: Int) -> Task<Batch, any Error> {
                Task { try await builder.runIfActive { try plan.batch(from: start, count: min(Self.batch, total - start)) } }
            }
            var pending: Task<Batch, any Error>? = build(from: 0)
            var counts: [EvidenceFact.Key: Int] = [:]
            // Assignments are counted once at the end, and each case's activity written with its
            // row, rather than by trigger row by row.
            try await AssignmentCounts.trigger.drop(on: sql)
            for trigger in CaseActivity.triggers { try await trigger.drop(on: sql) }
            do {
                while let building = pending {
                    let batch = try await building.value
                    let next = written + batch.count
                    pending = next < total ? build(from: next) : nil
                    try await db.writeTransaction { db in
                        let sql = db as! any SQLDatabase
                        try await Self.insert(
                            sql, "cases",
                            [
                                "id", "organisation_id", "reference", "status", "province", "opened_at", "opened_by",
                                "updated_at", "version", "sealed_preferred_name", "last_activity_at",
                            ], batch.cases)
                        try await Self.insert(sql, "case_keys", ["id", "case_id", "wrapped"], batch.keys)
                        try await Self.insert(sql, "case_name_terms", ["id", "organisation_id", "case_id", "term"], batch.terms)
                        try await Self.insert(sql, "case_assignments", ["id", "case_id", "user_id", "opened_at"], batch.assignments)
                        try await Self.insert(
                            sql, "applications",
                            [
                                "id", "case_id", "organisation_id", "pathway_type_id", "state", "created_at", "submitted_on",
                                "decided_on", "valid_from", "valid_to", "complete_at_submission", "checklist_done", "version",
                                "province", "processing_days", "validity_days",
                            ], batch.applications)
                        try await Self.insert(
                            sql, "case_consents", ["id", "case_id", "kind", "partner", "given_on", "method", "language", "recorded_by"],
                            batch.consents)
                        try await Self.insert(sql, "evidence_facts", ["token", "organisation_id", "fact"], batch.facts)
                    }
                    counts.merge(batch.counts, uniquingKeysWith: +)
                    written = next
                    if written % 100_000 == 0 || written == total {
                        let rate = Double(written) / max(Date().timeIntervalSince(started), 0.001)
                        context.console.print("generated \(written) cases (\(Int(rate)) cases/s)")
                    }
                }
            } catch {
                try? await AssignmentCounts.trigger.create(on: sql)
                try? await AssignmentCounts.recount(on: sql)
                for trigger in CaseActivity.triggers { try? await trigger.create(on: sql) }
                try? await CaseActivity.backfill(on: sql)
                throw error
            }
            // The network's kept counts, added once for the whole run.
            let totals = counts
            try await db.writeTransaction { db in try await EvidenceFacts.apply(totals, on: db as! any SQLDatabase) }
            try await AssignmentCounts.trigger.create(on: sql)
            try await AssignmentCounts.recount(on: sql)
            // Each row was written with its last activity (no task, so no next due date).
            for trigger in CaseActivity.triggers { try await trigger.create(on: sql) }
            if db.isSQLite {
                try await sql.raw("PRAGMA synchronous = FULL").run()
                try await sql.raw("PRAGMA wal_autocheckpoint = 10000").run()
                try await sql.raw("PRAGMA cache_size = -65536").run()
                try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
            }
        }
        try await app.db.writeTransaction { db in
            for (organisationID, last) in lastNumbers {
                if let counter = try await CaseCounter.query(on: db).filter(\.$organisationID == organisationID).filter(\.$year == year).first() {
                    counter.lastNumber = last
                    try await counter.save(on: db)
                } else {
                    try await CaseCounter(organisationID: organisationID, year: year, lastNumber: last).create(on: db)
                }
            }
            try await AuditLog.append(on: db, actor: .system, action: .caseCreated, target: nil, requestID: nil, detail: "generated \(total)")
        }
        let seconds = Date().timeIntervalSince(started)
        context.console.print(
            String(
                format: "generate: %d cases over %d organisations in %.1f s (%.0f cases/s)", total, organisationCount, seconds,
                Double(total) / max(seconds, 0.001)))
        if let count = signature.services, count > 0 {
            let begun = Date()
            let services = try await Self.generateServices(count, organisations: organisations, on: app.db, now: Date())
            context.console.print(String(format: "generate: %d directory services in %.1f s", services.count, Date().timeIntervalSince(begun)))
            if let referrals = signature.referrals, referrals > 0 {
                let begun = Date()
                let written = try await Self.generateReferrals(
                    referrals, organisations: organisations, services: services, vault: vault, on: app.db, now: Date())
                context.console.print(String(format: "generate: %d referrals in %.1f s", written, Date().timeIntervalSince(begun)))
            }
        }
        context.console.print(
            "generated accounts: intervenant.001@genere.example (caseworker), superviseur.001@genere.example (supervisor), coordination@genere.example (network coordinator)"
        )
        if ProcessInfo.processInfo.environment["PASSERELLE_DEMO_PASSWORD"] == nil { context.console.print("password: \(password)") }
    }

    /// One multi-row INSERT per chunk, within the database's bind-parameter limits.
    static func insert(_ sql: any SQLDatabase, _ table: String, _ columns: [String], _ rows: [[any Encodable & Sendable]]) async throws {
        let perStatement = max(1, 30_000 / columns.count)
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + perStatement, rows.count)]
            let builder = sql.insert(into: table).columns(columns)
            for row in chunk { builder.values(row.map { SQLBind($0) as any SQLExpression }) }
            try await builder.run()
            start += perStatement
        }
    }
}

extension GenerateCommand {
    struct Pathway: Sendable {
        let id: UUID
        let code: String
        let typicalValidityDays: Int?
    }

    typealias Rows = [[any Encodable & Sendable]]

    struct Batch: Sendable {
        var count = 0
        var cases: Rows = []
        var keys: Rows = []
        var terms: Rows = []
        var assignments: Rows = []
        var applications: Rows = []
        var consents: Rows = []
        /// The contributions of the cases that consented to statistics, and what they add to the kept counts.
        var facts: Rows = []
        var counts: [EvidenceFact.Key: Int] = [:]
    }

    /// Everything a batch needs, immutable, so batches can be built on any thread. Case `i` goes
    /// to organisation `i % n` with number `first + i / n + 1`, and draws from its own seeded
    /// generator: the result does not depend on how the work is split.
    struct Plan: Sendable {
        struct Organisation: Sendable {
            let id: UUID
            let workerID: UUID
            let code: String
            let province: String?
            let firstNumber: Int
            let index: BlindIndex
            let givenTerms: [[String]]
            let familyTerms: [[String]]
        }

        let organisations: [Organisation]
        let pathways: [Pathway]
        let year: Int
        let total: Int
        let vault: CaseVault
        let now: Date
        /// Microseconds at the start of the run: the base of the generated row identifiers.
        let idBase: UInt64

        /// Row identifiers in increasing order (RFC 9562 version 8: a 60-bit counter around the
        /// version nibble, 62 random bits): each insert lands at the end of the primary-key and
        /// case-id indexes instead of at a random page, which kept generation from slowing down
        /// as the tables grow. Real cases keep random identifiers.
        func id(_ position: Int, _ slot: Int, using generator: inout SeededGenerator) -> UUID {
            let counter = idBase &+ UInt64(position) &* 16 &+ UInt64(slot)
            let high = counter >> 12, low = counter & 0xFFF
            let random = generator.next()
            return UUID(
                uuid: (
                    UInt8(truncatingIfNeeded: high >> 40), UInt8(truncatingIfNeeded: high >> 32), UInt8(truncatingIfNeeded: high >> 24),
                    UInt8(truncatingIfNeeded: high >> 16), UInt8(truncatingIfNeeded: high >> 8), UInt8(truncatingIfNeeded: high),
                    0x80 | UInt8(low >> 8), UInt8(truncatingIfNeeded: low),
                    0x80 | UInt8(truncatingIfNeeded: random >> 58), UInt8(truncatingIfNeeded: random >> 48), UInt8(truncatingIfNeeded: random >> 40),
                    UInt8(truncatingIfNeeded: random >> 32), UInt8(truncatingIfNeeded: random >> 24), UInt8(truncatingIfNeeded: random >> 16),
                    UInt8(truncatingIfNeeded: random >> 8), UInt8(truncatingIfNeeded: random)
                ))
        }

        func batch(from start: Int, count: Int) throws -> Batch {
            var batch = Batch(count: count)
            batch.cases.reserveCapacity(count)
            let encoder = JSONEncoder()
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            for position in start..<(start + count) {
                var generator = SeededGenerator(seed: UInt64(total) &* 31 &+ UInt64(position))
                let organisation = organisations[position % organisations.count]
                let number = organisation.firstNumber + position / organisations.count + 1
                let caseID = id(position, 0, using: &generator)
                let given = Int.random(in: 0..<DemoCases.givenNames.count, using: &generator)
                let family = Int.random(in: 0..<DemoCases.familyNames.count, using: &generator)
                let name = "\(DemoCases.givenNames[given]) \(DemoCases.familyNames[family]) \(number)"
                let (opened, wrapped) = try vault.create(organisationID: organisation.id, caseID: caseID)
                let openedAt = now.addingTimeInterval(-Double(Int.random(in: 0..<(5 * 365 * 86_400), using: &generator)))
                let status = [CaseStatus.active, .active, .followUp, .closed][Int.random(in: 0..<4, using: &generator)]
                batch.cases.append([
                    caseID, organisation.id, CaseReference(organisationCode: organisation.code, year: year, number: number).description,
                    status.rawValue, organisation.province, openedAt, organisation.workerID, openedAt, 1,
                    try vault.seal(name, field: .preferredName, with: opened),
                    // Its last activity: the opening (its application is created then too; no tasks).
                    openedAt,
                ])
                batch.keys.append([id(position, 1, using: &generator), caseID, wrapped])
                // Slots 2 to 13 for the terms (a name has three to five).
                for (slot, term) in Set(organisation.givenTerms[given] + organisation.familyTerms[family] + [organisation.index.term(String(number))])
                    .enumerated()
                {
                    batch.terms.append([id(position, 2 + slot, using: &generator), organisation.id, caseID, term])
                }
                batch.assignments.append([id(position, 14, using: &generator), caseID, organisation.workerID, openedAt])
                // One application per case, in every state, some permits ending within 90 days.
                var permits: [String] = [], decisions: [String] = [], days: [String] = [], validities: [String] = []
                if !pathways.isEmpty {
                    let pathway = pathways[Int.random(in: 0..<pathways.count, using: &generator)]
                    let state = ApplicationState.allCases[Int.random(in: 0..<ApplicationState.allCases.count, using: &generator)]
                    let submitted: Date? =
                        state == .preparing ? nil : openedAt.addingTimeInterval(Double(Int.random(in: 1...60, using: &generator)) * 86_400)
                    let decided: Date? =
                        state.isFinal ? submitted.map { $0.addingTimeInterval(Double(Int.random(in: 2...90, using: &generator)) * 86_400) } : nil
                    let validTo: Date? =
                        state == .approved && pathway.typicalValidityDays != nil
                        ? now.addingTimeInterval(Double(Int.random(in: -200...400, using: &generator)) * 86_400) : nil
                    let validFrom = validTo == nil ? nil : decided
                    let processing = ApplicationFigures.processingBusinessDays(submitted: submitted.map(Day.init), decided: decided.map(Day.init))
                    let validity = ApplicationFigures.validityDays(from: validFrom.map(Day.init), to: validTo.map(Day.init))
                    let complete = submitted == nil ? nil : Bool.random(using: &generator)
                    batch.applications.append([
                        id(position, 15, using: &generator), caseID, organisation.id, pathway.id, state.rawValue, openedAt, submitted, decided,
                        validFrom, validTo, complete, "", 1,
                        organisation.province, processing, validity,
                    ])
                    // What EvidenceFacts.fact reads from it.
                    permits = [pathway.code]
                    if state == .approved || state == .refused { decisions = ["\(pathway.code)|\(state.rawValue)"] }
                    if let processing, let complete { days = ["\(pathway.code)|\(complete ? "complete" : "incomplete")|\(processing)"] }
                    if let validity { validities = ["\(pathway.code)|\(validity)"] }
                }
                // Two cases in three consent to statistics; each then contributes what
                // EvidenceFacts.fact finds in a case with no person, experience or needs recorded.
                if Int.random(in: 0..<3, using: &generator) > 0, let province = organisation.province.flatMap(Province.init(rawValue:)) {
                    batch.consents.append([
                        id(position, 16, using: &generator), caseID, ConsentKind.statistics.rawValue, String?.none, openedAt,
                        ConsentMethod.verbal.rawValue, "français", organisation.workerID,
                    ])
                    let parts = calendar.dateComponents([.year, .month], from: openedAt)
                    let fact = EvidenceFact(
                        organisationID: organisation.id.uuidString, province: province,
                        month: EvidencePeriod.Month(year: parts.year!, month: parts.month!).description,
                        values: [
                            .genderAge: ["\(GenderCode.unknown.rawValue)|not_recorded"], .indigenous: ["not_recorded"],
                            .immigration: ["not_recorded"], .citizenship: ["not_recorded"],
                            .status: ["not_recorded"], .scope: ["not_recorded"], .exploitation: ["not_recorded"], .permits: permits,
                            .permitDecisions: decisions, .permitDays: days, .permitValidity: validities,
                        ])
                    batch.facts.append([
                        EvidenceFacts.token(caseID: caseID, organisationID: organisation.id, master: vault.master), organisation.id,
                        String(decoding: try encoder.encode(fact), as: UTF8.self),
                    ])
                    batch.counts.merge(fact.counts, uniquingKeysWith: +)
                }
            }
            return batch
        }
    }
}
