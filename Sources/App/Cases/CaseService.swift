import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// Case writes that more than one handler (and the demo seeder) need.
enum CaseService {
    struct StaleVersion: Error {}

    /// Opens a case with nothing but a preferred name: reference, data key, sealed name, blind
    /// index, assignment to whoever opened it, and the audit event, in one transaction.
    static func open(
        on db: any Database, vault: CaseVault, organisation: Organisation, openedBy: UUID?, preferredName: String,
        province: Province?, now: Date, timeZone: TimeZone, actor: AuditActor, requestID: String?, status: CaseStatus = .active
    ) async throws -> CaseFile {
        let organisationID = organisation.id!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let year = calendar.component(.year, from: now)
        let caseID = UUID()
        let (opened, wrapped) = try vault.create(organisationID: organisationID, caseID: caseID)
        let sealedName = try vault.seal(preferredName, field: .preferredName, with: opened)
        let terms = vault.nameTerms([preferredName], organisationID: organisationID)
        return try await db.writeTransaction { db in
            let settings = try await CaseQueries.settings(for: organisation, on: db)
            let number: Int
            if let counter = try await CaseCounter.query(on: db).filter(\.$organisationID == organisationID).filter(\.$year == year).first() {
                counter.lastNumber += 1
                try await counter.save(on: db)
                number = counter.lastNumber
            } else {
                try await CaseCounter(organisationID: organisationID, year: year, lastNumber: 1).create(on: db)
                number = 1
            }
            let file = CaseFile()
            file.id = caseID
            file.$organisation.id = organisationID
            file.reference = CaseReference(organisationCode: settings.referenceCode, year: year, number: number).description
            file.status = status.rawValue
            file.province = province?.rawValue
            file.openedAt = now
            file.openedBy = openedBy
            file.updatedAt = now
            file.version = 1
            file.sealedPreferredName = sealedName
            try await file.create(on: db)
            try await CaseKey(caseID: caseID, wrapped: wrapped).create(on: db)
            for term in terms { try await CaseNameTerm(organisationID: organisationID, caseID: caseID, term: term).create(on: db) }
            if let openedBy { try await CaseAssignment(caseID: caseID, userID: openedBy, openedAt: now).create(on: db) }
            try await AuditLog.append(
                on: db, actor: actor, action: .caseCreated, target: caseID.uuidString, requestID: requestID,
                detail: file.reference)
            return file
        }
    }

    /// The one versioned write of every case section and application: in one write transaction,
    /// the case row locked (BEGIN IMMEDIATE on SQLite, SELECT … FOR UPDATE on PostgreSQL), the
    /// record's version read again and compared with the one the form was opened at; only if they
    /// match, `write` (which audits too) runs. Returns false when someone saved in between: the
    /// caller answers 409 with the stale message and what was typed. Comparing outside the
    /// transaction let two simultaneous submits both win.
    static func versioned(
        on db: any Database, caseID: UUID, expected: Int?,
        current: @escaping @Sendable (any Database) async throws -> Int?,
        write: @escaping @Sendable (any Database) async throws -> Void
    ) async throws -> Bool {
        do {
            try await db.writeTransaction { db in
                try await db.lockCase(caseID)
                guard try await current(db) == expected else { throw StaleVersion() }
                try await write(db)
            }
            return true
        } catch is StaleVersion {
            return false
        }
    }

    /// Saves a changed case if nobody saved it since `expectedVersion`. The version is read and
    /// compared inside the write transaction with the row locked (BEGIN IMMEDIATE on SQLite,
    /// SELECT … FOR UPDATE on PostgreSQL), so two simultaneous saves cannot both win.
    /// Returns false, changing nothing, when someone saved in between.
    @discardableResult
    static func save(
        _ file: CaseFile, expectedVersion: Int, terms: [String]?, on db: any Database,
        audit: @escaping @Sendable (any Database) async throws -> Void
    ) async throws -> Bool {
        let now = Date()
        let snapshot = (
            file.status, file.closureReason, file.closedAt, file.province, file.sealedPreferredName, file.sealedPerson, file.sealedSafeContact
        )
        let caseID = file.id!
        let organisationID = file.$organisation.id
        let saved = try await versioned(
            on: db, caseID: caseID, expected: expectedVersion,
            current: { db in
                try await CaseFile.query(on: db).filter(\.$id == caseID).first()?.version
            },
            write: { db in
                try await CaseFile.query(on: db).filter(\.$id == caseID)
                    .set(\.$status, to: snapshot.0).set(\.$closureReason, to: snapshot.1).set(\.$closedAt, to: snapshot.2)
                    .set(\.$province, to: snapshot.3).set(\.$sealedPreferredName, to: snapshot.4).set(\.$sealedPerson, to: snapshot.5)
                    .set(\.$sealedSafeContact, to: snapshot.6).set(\.$updatedAt, to: now).set(\.$version, to: expectedVersion + 1)
                    .update()
                if let terms {
                    try await CaseNameTerm.query(on: db).filter(\.$caseID == caseID).delete()
                    for term in terms { try await CaseNameTerm(organisationID: organisationID, caseID: caseID, term: term).create(on: db) }
                }
                try await audit(db)
            })
        guard saved else { return false }
        file.version = expectedVersion + 1
        file.updatedAt = now
        return true
    }

    /// Deletes the case's data key and everything sealed with it; dependent rows go by cascade.
    static func purge(_ file: CaseFile, vault: CaseVault, on db: any Database) async throws {
        let caseID = file.id!
        // Out of the network's figures first (the kept counts lose what it added).
        try await EvidenceFacts.remove(caseID: caseID, organisationID: file.$organisation.id, on: db, vault: vault)
        // Its red-flag tokens go with it.
        try await (db as! any SQLDatabase).raw("DELETE FROM red_flag_tokens WHERE case_id = \(bind: caseID)").run()
        // What the case shared in referrals becomes unreadable with it.
        let organisationID = file.$organisation.id
        try await ReferralService.casePurged(
            caseID: caseID,
            by: .init(
                side: .sender, organisationID: organisationID, actor: AuditActor(userID: nil, email: "system", organisationID: organisationID),
                requestID: nil), now: Date(), on: db)
        for table in [
            CaseNote.schema, CaseNameTerm.schema, CaseAssignment.schema, CaseNeed.schema, CaseTask.schema, CaseConsent.schema,
            CaseExperience.schema, CaseLegalAction.schema, CaseDocument.schema, CaseKey.schema,
        ] {
            try await (db as! any SQLDatabase).delete(from: table).where("case_id", .equal, caseID).run()
        }
        try await CaseFile.query(on: db).filter(\.$id == caseID).delete()
    }

    /// WAL frames keep old pages until a checkpoint: after a purge, push them into the main file
    /// (where secure-delete has zeroed them) and truncate the WAL.
    static func checkpointIfSQLite(_ db: any Database) async throws {
        guard db.isSQLite, let sql = db as? any SQLDatabase else { return }
        try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
    }
}
