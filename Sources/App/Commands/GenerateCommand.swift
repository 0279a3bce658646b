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
    }

    var help: String { "Adds synthetic cases for load testing (passerelle generate --cases N --organisations M)." }

    static let batch = 1000

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let total = max(0, signature.cases ?? 10_000)
        let organisationCount = max(1, signature.organisations ?? 100)
        let password = ProcessInfo.processInfo.environment["PASSERELLE_DEMO_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 } ?? "generated-" + Secrets.randomToken(bytes: 9)
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
                organisation = Organisation(name: name, type: .ngo, provinces: [Province.allCases[index % Province.allCases.count]], languages: ["fr", "en"])
                try await organisation.create(on: app.db)
            }
            var worker: User?
            for (role, prefix) in [(Role.caseworker, "intervenant"), (.supervisor, "superviseur")] {
                let email = String(format: "%@.%03d@genere.example", prefix, index)
                let user: User
                if let existing = try await User.query(on: app.db).filter(\.$email == email).first() { user = existing } else {
                    user = User(organisationID: organisation.id!, email: email, displayName: "\(prefix.capitalized) \(index) (généré)", roles: [role], language: .fr)
                    user.twoFactorExempt = true
                    user.passwordHash = hash
                    try await user.create(on: app.db)
                }
                if role == .caseworker { worker = user }
            }
            let settings = try await CasesController.settings(for: organisation, on: app.db)
            if settings.referenceCode != String(format: "G%03d", index) {
                settings.referenceCode = String(format: "G%03d", index)
                try await settings.save(on: app.db)
            }
            organisations.append((organisation, worker!, settings))
        }

        let vault = CaseVault(master: app.masterKey)
        let pathways = try await PathwayType.query(on: app.db).filter(\.$isCurrent == true).sort(\.$code).all()
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        var nextNumber: [UUID: Int] = [:]
        for (organisation, _, _) in organisations {
            nextNumber[organisation.id!] = try await CaseCounter.query(on: app.db).filter(\.$organisationID == organisation.id!)
                .filter(\.$year == year).first()?.lastNumber ?? 0
        }
        var generator = SeededGenerator(seed: UInt64(total) &+ 7)
        var written = 0
        while written < total {
            let count = min(Self.batch, total - written)
            var caseRows: [[any Encodable & Sendable]] = []
            var keyRows: [[any Encodable & Sendable]] = []
            var termRows: [[any Encodable & Sendable]] = []
            var assignmentRows: [[any Encodable & Sendable]] = []
            var applicationRows: [[any Encodable & Sendable]] = []
            for offset in 0..<count {
                let (organisation, worker, settings) = organisations[(written + offset) % organisations.count]
                let organisationID = organisation.id!
                let caseID = UUID()
                let number = nextNumber[organisationID]! + 1
                nextNumber[organisationID] = number
                let name = "\(DemoCases.givenNames[Int.random(in: 0..<DemoCases.givenNames.count, using: &generator)]) "
                    + "\(DemoCases.familyNames[Int.random(in: 0..<DemoCases.familyNames.count, using: &generator)]) \(number)"
                let (opened, wrapped) = try vault.create(organisationID: organisationID, caseID: caseID)
                let openedAt = Date().addingTimeInterval(-Double(Int.random(in: 0..<(5 * 365 * 86_400), using: &generator)))
                let status = [CaseStatus.active, .active, .followUp, .closed][Int.random(in: 0..<4, using: &generator)]
                caseRows.append([caseID, organisationID, CaseReference(organisationCode: settings.referenceCode, year: year, number: number).description,
                                 status.rawValue, organisation.provinceList.first?.rawValue, openedAt, worker.id, openedAt, 1,
                                 try vault.seal(name, field: "preferred_name", with: opened)])
                keyRows.append([UUID(), caseID, wrapped])
                for term in vault.nameTerms([name], organisationID: organisationID) {
                    termRows.append([UUID(), organisationID, caseID, term])
                }
                assignmentRows.append([UUID(), caseID, worker.id!, openedAt])
                // One application per case, in every state, some permits ending within 90 days.
                if !pathways.isEmpty {
                    let pathway = pathways[Int.random(in: 0..<pathways.count, using: &generator)]
                    let state = ApplicationState.allCases[Int.random(in: 0..<ApplicationState.allCases.count, using: &generator)]
                    let submitted: Date? = state == .preparing ? nil : openedAt.addingTimeInterval(Double(Int.random(in: 1...60, using: &generator)) * 86_400)
                    let decided: Date? = state.isFinal ? submitted.map { $0.addingTimeInterval(Double(Int.random(in: 2...90, using: &generator)) * 86_400) } : nil
                    let validTo: Date? = state == .approved && pathway.typicalValidityDays != nil
                        ? Date().addingTimeInterval(Double(Int.random(in: -200...400, using: &generator)) * 86_400) : nil
                    let validFrom = validTo == nil ? nil : decided
                    let processing = ApplicationFigures.processingBusinessDays(submitted: submitted.map(Day.init), decided: decided.map(Day.init))
                    let validity = ApplicationFigures.validityDays(from: validFrom.map(Day.init), to: validTo.map(Day.init))
                    applicationRows.append([UUID(), caseID, organisationID, pathway.id!, state.rawValue, openedAt, submitted, decided,
                                            validFrom, validTo, submitted == nil ? nil : Bool.random(using: &generator), "", 1,
                                            organisation.provinceList.first?.rawValue, processing, validity])
                }
            }
            let (cases, keys, terms, assignments, applications) = (caseRows, keyRows, termRows, assignmentRows, applicationRows)
            try await app.db.writeTransaction { db in
                let sql = db as! any SQLDatabase
                try await Self.insert(sql, "cases", ["id", "organisation_id", "reference", "status", "province", "opened_at", "opened_by",
                                                     "updated_at", "version", "sealed_preferred_name"], cases)
                try await Self.insert(sql, "case_keys", ["id", "case_id", "wrapped"], keys)
                try await Self.insert(sql, "case_name_terms", ["id", "organisation_id", "case_id", "term"], terms)
                try await Self.insert(sql, "case_assignments", ["id", "case_id", "user_id", "opened_at"], assignments)
                try await Self.insert(sql, "applications", ["id", "case_id", "organisation_id", "pathway_type_id", "state", "created_at", "submitted_on",
                                                            "decided_on", "valid_from", "valid_to", "complete_at_submission", "checklist_done", "version",
                                                            "province", "processing_days", "validity_days"], applications)
            }
            written += count
            if written % 100_000 == 0 || written == total {
                let rate = Double(written) / max(Date().timeIntervalSince(started), 0.001)
                context.console.print("generated \(written) cases (\(Int(rate)) cases/s)")
            }
        }
        let lastNumbers = nextNumber
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
        context.console.print(String(format: "generate: %d cases over %d organisations in %.1f s (%.0f cases/s)", total, organisationCount, seconds,
                                     Double(total) / max(seconds, 0.001)))
        context.console.print("generated accounts: intervenant.001@genere.example (caseworker), superviseur.001@genere.example (supervisor)")
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
