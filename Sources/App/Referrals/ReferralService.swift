import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// What travels in a referral: only the ticked fields, copied from the case when it was sent.
struct ReferralSnapshot: Codable, Sendable, Equatable {
    var fields: [String] = []
    var preferredName: String?
    var pronouns: String?
    var languages: String?
    var interpreterNeeded: Bool?
    var province: String?
    var region: String?
    var immigrationStatus: String?
    var needs: [String]?
    var safeChannels: [String]?
    var safeTimes: String?
    var message: String?

    /// The snapshot of `fields` from a case's sections.
    init(
        fields: [SharedField], preferredName: String, person: PersonSection?, province: String?, safe: SafeContactSection?, needs: [NeedKind],
        message: String
    ) {
        self.fields = fields.map(\.rawValue)
        for field in fields {
            switch field {
            case .preferredName: self.preferredName = preferredName
            case .pronouns: self.pronouns = person?.pronouns ?? ""
            case .languages: self.languages = person?.languages ?? ""
            case .interpreter: self.interpreterNeeded = person?.interpreterNeeded ?? false
            case .provinceRegion:
                self.province = province ?? ""
                self.region = person?.region ?? ""
            case .immigrationStatus: self.immigrationStatus = person?.immigrationStatus ?? ""
            case .needs: self.needs = needs.map(\.rawValue)
            case .safeContact:
                self.safeChannels = safe?.channels ?? []
                self.safeTimes = safe?.safeTimes ?? ""
            case .message: self.message = message
            }
        }
    }
}

/// Every write of a referral: sending, each step of its state machine, the system revoking it
/// (consent withdrawn, case purged), and the receiver opening a case from it. Each runs in one
/// write transaction with its history step and an audit event on both sides.
enum ReferralService {
    enum Failure: Error, Equatable {
        /// No consent to share with this organisation is in force.
        case noConsent
        /// The event may not happen now, or not by this party.
        case notAllowed
        /// Someone changed the referral since the page was opened.
        case stale
    }

    struct Party: Sendable {
        let side: ReferralParty
        let organisationID: UUID
        let actor: AuditActor
        let requestID: String?
    }

    /// Sends a referral from a case to a service. The consent is read again inside the
    /// transaction, so a withdrawal recorded a moment before cannot be overtaken.
    static func send(
        on db: any Database, vault: CaseVault, file: CaseFile, service: DirectoryService, listing: DirectoryOrganisation, needs: [NeedKind],
        snapshot: ReferralSnapshot, letterLanguage: Language, sender: Party, now: Date
    ) async throws -> Referral {
        let rows = try prepare(
            vault: vault, caseID: file.id!, service: service, listing: listing, needs: needs, snapshot: snapshot, letterLanguage: letterLanguage,
            sender: sender, now: now)
        let caseID = file.id!
        return try await db.writeTransaction { db in
            try await db.lockCase(caseID)
            let consents = try await CaseConsent.query(on: db).filter(\.$caseID == caseID).all().compactMap(\.record)
            guard ReferralRules.maySend(to: listing.name, consents: consents, at: now) else { throw Failure.noConsent }
            try await rows.referral.create(on: db)
            try await rows.key.create(on: db)
            try await rows.step.create(on: db)
            for need in try await CaseNeed.query(on: db).filter(\.$caseID == caseID).filter(\.$need ~~ needs.map(\.rawValue)).all()
            where need.status != NeedStatus.met.rawValue {
                need.status = NeedStatus.referred.rawValue
                need.updatedAt = now
                try await need.save(on: db)
            }
            try await EvidenceFacts.refresh(caseID: caseID, on: db, vault: vault, now: now)
            try await audit(rows.referral, .referralSent, by: sender, detail: "case:\(caseID.uuidString) \(file.reference)", on: db)
            return rows.referral
        }
    }

    /// The rows of a new referral — the referral with its sealed snapshot, its own key, its first
    /// step — built outside any transaction (sealing is the costly part). `passerelle generate`
    /// builds its referrals here too.
    static func prepare(
        vault: CaseVault, caseID: UUID, service: DirectoryService, listing: DirectoryOrganisation, needs: [NeedKind], snapshot: ReferralSnapshot,
        letterLanguage: Language, sender: Party, now: Date, id: UUID = UUID()
    ) throws -> (referral: Referral, key: ReferralKey, step: ReferralStep) {
        let (opened, wrapped) = try vault.createReferralKey(organisationID: sender.organisationID, referralID: id)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let sealed = try vault.seal(String(decoding: try encoder.encode(snapshot), as: UTF8.self), field: .referralSnapshot, with: opened)
        let referral = Referral()
        referral.id = id
        referral.caseID = caseID
        referral.senderOrganisationID = sender.organisationID
        referral.senderUserID = sender.actor.userID
        referral.serviceID = service.id
        referral.serviceName = service.nameFR == service.nameEN ? service.nameFR : "\(service.nameFR) / \(service.nameEN)"
        referral.receiverName = listing.name
        referral.receiverOrganisationID = listing.memberOrganisationID
        referral.state = ReferralState.pending.rawValue
        referral.needs = needs.map(\.rawValue).joined(separator: ",")
        referral.letterLanguage = letterLanguage.rawValue
        referral.sealedSnapshot = sealed
        referral.createdAt = now
        referral.updatedAt = now
        referral.version = 1
        let step = ReferralStep(
            referralID: id, at: now, event: "sent", state: ReferralState.pending.rawValue, party: ReferralParty.sender.rawValue,
            actorID: sender.actor.userID, reason: nil)
        return (referral, ReferralKey(referralID: id, wrapped: wrapped), step)
    }

    /// One step of the state machine by one side, if the referral is still at `expectedVersion`.
    static func apply(
        _ event: ReferralEvent, to referralID: UUID, expectedVersion: Int, reason: DeclineReason?, by party: Party, now: Date, vault: CaseVault,
        on db: any Database
    ) async throws -> Referral {
        try await db.writeTransaction { db in
            try await lock(referralID, on: db)
            guard let referral = try await Referral.find(referralID, on: db) else { throw Failure.notAllowed }
            guard referral.version == expectedVersion else { throw Failure.stale }
            guard let state = ReferralState(rawValue: referral.state),
                let next = ReferralMachine.next(from: state, event, by: party.side, outsideNetwork: referral.outsideNetwork)
            else { throw Failure.notAllowed }
            try await move(referral, to: next, event: event.rawValue, reason: event == .decline ? reason ?? .other : nil, by: party, now: now, on: db)
            // The referred needs followed the step: the network's figures follow them.
            if let caseID = referral.caseID { try await EvidenceFacts.refresh(caseID: caseID, on: db, vault: vault, now: now) }
            return referral
        }
    }

    /// The consent to share with `partner` was withdrawn (inside the withdrawal's transaction):
    /// every referral of the case to that organisation loses its key at once, and the open ones
    /// turn revoked. Another consent to the same partner still in force keeps them.
    static func consentWithdrawn(caseID: UUID, partner: String, by party: Party, now: Date, on db: any Database) async throws {
        // Only consents never withdrawn still count (a stored time may read back a hair later than `now`).
        let consents = try await CaseConsent.query(on: db).filter(\.$caseID == caseID).filter(\.$withdrawnAt == nil).all().compactMap(\.record)
        let referrals = try await Referral.query(on: db).filter(\.$caseID == caseID).all()
            .filter { $0.receiverName.caseInsensitiveCompare(partner.trimmingCharacters(in: .whitespaces)) == .orderedSame }
        guard !referrals.isEmpty, !ReferralRules.maySend(to: partner, consents: consents, at: now) else { return }
        for referral in referrals { try await cut(referral, event: "consent_withdrawn", by: party, now: now, on: db) }
    }

    /// The case is being purged (inside the purge's transaction): every referral from it loses its key.
    static func casePurged(caseID: UUID, by party: Party, now: Date, on db: any Database) async throws {
        for referral in try await Referral.query(on: db).filter(\.$caseID == caseID).all() {
            try await cut(referral, event: "case_purged", by: party, now: now, on: db)
        }
    }

    /// The receiver opens a case of its own from an accepted referral: the shared fields copied
    /// into it, sealed under the new case's key; the referral records the new case.
    static func openCase(
        from referralID: UUID, snapshot: ReferralSnapshot, organisation: Organisation, user: User, vault: CaseVault, by party: Party, now: Date,
        timeZone: TimeZone, on db: any Database
    ) async throws -> CaseFile {
        guard let referral = try await Referral.find(referralID, on: db), referral.receiverOrganisationID == organisation.id,
            referral.receiverCaseID == nil, referral.state == ReferralState.accepted.rawValue || referral.state == ReferralState.completed.rawValue
        else { throw Failure.notAllowed }
        let name = snapshot.preferredName.flatMap { $0.isEmpty ? nil : $0 } ?? referral.serviceName
        let file = try await CaseService.open(
            on: db, vault: vault, organisation: organisation, openedBy: user.id, preferredName: String(name.prefix(CaseRules.maximumNameLength)),
            province: snapshot.province.flatMap(Province.init(rawValue:)), now: now, timeZone: timeZone, actor: party.actor,
            requestID: party.requestID)
        let opened = try await vault.open(file, on: db)
        var person = PersonSection()
        person.pronouns = snapshot.pronouns ?? ""
        person.languages = snapshot.languages ?? ""
        person.interpreterNeeded = snapshot.interpreterNeeded ?? false
        person.region = snapshot.region ?? ""
        person.immigrationStatus = snapshot.immigrationStatus ?? ""
        var safe = SafeContactSection()
        safe.channels = snapshot.safeChannels ?? []
        safe.safeTimes = snapshot.safeTimes ?? ""
        let sealedPerson = try vault.seal(section: person, field: .person, with: opened)
        let sealedSafe = snapshot.safeChannels == nil ? nil : try vault.seal(section: safe, field: .safeContact, with: opened)
        let caseID = file.id!
        try await db.writeTransaction { db in
            try await lock(referralID, on: db)
            guard let fresh = try await Referral.find(referralID, on: db), fresh.receiverCaseID == nil else { throw Failure.stale }
            try await CaseFile.query(on: db).filter(\.$id == caseID).set(\.$sealedPerson, to: sealedPerson).set(\.$sealedSafeContact, to: sealedSafe)
                .set(\.$version, to: file.version + 1).update()
            for need in (snapshot.needs ?? []).compactMap(NeedKind.init(rawValue:)) {
                try await CaseNeed(caseID: caseID, organisationID: organisation.id!, need: need, status: .inProgress, now: now).create(on: db)
            }
            fresh.receiverCaseID = caseID
            fresh.updatedAt = now
            try await fresh.save(on: db)
            try await ReferralStep(
                referralID: referralID, at: now, event: "case_opened", state: fresh.state, party: ReferralParty.receiver.rawValue,
                actorID: party.actor.userID, reason: nil
            ).create(on: db)
            try await AuditLog.append(
                on: db, actor: party.actor, action: .caseCreated, target: caseID.uuidString, requestID: party.requestID,
                detail: "\(file.reference) referral:\(referralID.uuidString)")
        }
        file.version += 1
        return file
    }

    // MARK: - Inside a transaction

    private static func lock(_ referralID: UUID, on db: any Database) async throws {
        guard !db.isSQLite, let sql = db as? any SQLDatabase else { return }
        try await sql.raw("SELECT id FROM referrals WHERE id = \(bind: referralID) FOR UPDATE").run()
    }

    /// Deletes the referral's key and snapshot; an open one turns revoked.
    private static func cut(_ referral: Referral, event: String, by party: Party, now: Date, on db: any Database) async throws {
        guard let state = ReferralState(rawValue: referral.state) else { return }
        if ReferralMachine.next(from: state, .revoke, by: .sender) != nil {
            try await move(referral, to: .revoked, event: event, reason: nil, by: party, now: now, on: db)
        } else if referral.sealedSnapshot != nil {
            try await ReferralKey.query(on: db).filter(\.$referralID == referral.id!).delete()
            referral.sealedSnapshot = nil
            referral.updatedAt = now
            referral.version += 1
            try await referral.save(on: db)
            try await ReferralStep(
                referralID: referral.id!, at: now, event: event, state: referral.state, party: party.side.rawValue, actorID: party.actor.userID,
                reason: nil
            ).create(on: db)
            try await audit(referral, .referralChanged, by: party, detail: event, on: db)
        }
    }

    private static func move(
        _ referral: Referral, to next: ReferralState, event: String, reason: DeclineReason?, by party: Party, now: Date, on db: any Database
    ) async throws {
        referral.state = next.rawValue
        referral.declineReason = reason?.rawValue
        referral.updatedAt = now
        referral.version += 1
        if next == .revoked {
            try await ReferralKey.query(on: db).filter(\.$referralID == referral.id!).delete()
            referral.sealedSnapshot = nil
        }
        try await referral.save(on: db)
        try await ReferralStep(
            referralID: referral.id!, at: now, event: event, state: next.rawValue, party: party.side.rawValue, actorID: party.actor.userID,
            reason: reason?.rawValue
        ).create(on: db)
        if let caseID = referral.caseID {
            let kinds = referral.needs.split(separator: ",").map(String.init)
            for need in try await CaseNeed.query(on: db).filter(\.$caseID == caseID).filter(\.$need ~~ kinds).all() {
                guard let current = NeedStatus(rawValue: need.status) else { continue }
                let status = ReferralRules.needStatus(after: next, declineReason: reason, current: current)
                guard status != current else { continue }
                need.status = status.rawValue
                need.updatedAt = now
                try await need.save(on: db)
            }
        }
        try await audit(referral, .referralChanged, by: party, detail: "\(event) \(next.rawValue)" + (reason.map { " \($0.rawValue)" } ?? ""), on: db)
    }

    /// One event in the acting organisation's log and one in the other side's (a referral is
    /// seen by both; each organisation's administrators read their own log).
    private static func audit(_ referral: Referral, _ action: AuditAction, by party: Party, detail: String, on db: any Database) async throws {
        let target = referral.id!.uuidString
        var entries = [AuditLog.Entry(actor: party.actor, action: action, target: target, requestID: party.requestID, detail: detail)]
        let other = party.side == .sender ? referral.receiverOrganisationID : referral.senderOrganisationID
        if let other, other != party.actor.organisationID {
            entries.append(
                AuditLog.Entry(
                    actor: AuditActor(userID: nil, email: "referral", organisationID: other), action: action, target: target,
                    requestID: party.requestID, detail: detail))
        }
        try await AuditLog.append(on: db, entries)
    }
}
