import Domain
import Fluent
import Foundation
import Vapor

/// Referrals between the demo organisations, one in every state and one to a service outside
/// the network, sent and answered through `ReferralService` like the pages do. The first is
/// accepted: a caseworker of the receiving organisation sees what was shared and nothing else.
enum DemoReferrals {
    struct Created: Sendable {
        let count: Int
        /// The accepted referral and the organisation that received it.
        let accepted: (id: UUID, receiver: String)?
    }

    /// (state reached, the receiver's steps, a decline reason)
    static let plan: [(ReferralState, [ReferralEvent], DeclineReason?)] = [
        (.accepted, [.accept], nil), (.pending, [], nil), (.declined, [.decline], .atCapacity), (.completed, [.accept, .complete], nil),
        (.notCompleted, [.accept, .notComplete], nil), (.revoked, [], nil), (.declined, [.decline], .notEligible), (.pending, [], nil),
    ]

    static func seed(_ app: Application) async throws -> Created {
        let db = app.db
        guard try await Referral.query(on: db).count() == 0,
            let sender = try await Organisation.query(on: db).filter(\.$name == DemoSeeder.organisations[0].name).first(),
            let worker = try await User.query(on: db).filter(\.$organisation.$id == sender.id!).all().first(where: {
                $0.roleList.contains(.caseworker)
            })
        else { return Created(count: 0, accepted: nil) }
        // Services of other member organisations (each receiver in turn), and one outside the network.
        let listings = try await DirectoryOrganisation.query(on: db).all()
        let members = listings.filter { $0.memberOrganisationID != nil && $0.memberOrganisationID != sender.id }
            .sorted { $0.name < $1.name }
        guard !members.isEmpty else { return Created(count: 0, accepted: nil) }
        var services: [(DirectoryService, DirectoryOrganisation)] = []
        for listing in members {
            if let service = try await DirectoryService.query(on: db).filter(\.$organisationID == listing.id!)
                .filter(\.$status == ServiceStatus.active.rawValue).sort(\.$nameFR).first()
            {
                services.append((service, listing))
            }
        }
        // The accepted one goes to an English-speaking member's and a French-speaking member's services alike.
        services.sort { a, b in (a.1.name.contains("Lakeshore") ? 0 : 1, a.1.name) < (b.1.name.contains("Lakeshore") ? 0 : 1, b.1.name) }
        let outside = try await DirectoryService.query(on: db).join(
            DirectoryOrganisation.self, on: \DirectoryService.$organisationID == \DirectoryOrganisation.$id
        )
        .filter(DirectoryOrganisation.self, \.$memberOrganisationID == nil).filter(\.$status == ServiceStatus.active.rawValue)
        .filter(\.$province == Province.QC.rawValue).sort(\.$nameFR).first()
        let cases = try await CaseFile.query(on: db).filter(\.$organisation.$id == sender.id!).filter(\.$status == CaseStatus.active.rawValue)
            .sort(\.$reference).limit(plan.count + 1).all()
        let vault = CaseVault(master: app.masterKey)
        let now = app.clock.now()
        let senderParty = ReferralService.Party(
            side: .sender, organisationID: sender.id!, actor: AuditActor(userID: worker.id, email: worker.email, organisationID: sender.id),
            requestID: nil)
        var count = 0
        var accepted: (UUID, String)?
        for (index, file) in cases.enumerated() {
            let isOutside = index == plan.count
            guard
                let (service, listing) = isOutside
                    ? try outside.map({ ($0, try $0.joined(DirectoryOrganisation.self)) }) : services[index % services.count]
            else { continue }
            let sentAt = now.addingTimeInterval(-Double(plan.count + 2 - index) * 86_400)
            try await CaseConsent.query(on: db).filter(\.$caseID == file.id!).filter(\.$partner == listing.name).delete()
            let consent = CaseConsent()
            consent.caseID = file.id!
            consent.kind = ConsentKind.share.rawValue
            consent.partner = listing.name
            consent.givenOn = sentAt.addingTimeInterval(-3600)
            consent.method = ConsentMethod.written.rawValue
            consent.language = "français"
            consent.recordedBy = worker.id!
            try await consent.create(on: db)
            let need: NeedKind = [.housing, .immigrationLegal, .safetyShelter, .mentalHealth][index % 4]
            if try await CaseNeed.query(on: db).filter(\.$caseID == file.id!).filter(\.$need == need.rawValue).count() == 0 {
                try await CaseNeed(caseID: file.id!, organisationID: sender.id!, need: need, status: .identified, now: sentAt).create(on: db)
            }
            let opened = try await vault.open(file, on: db)
            let snapshot = ReferralSnapshot(
                fields: SharedBundle.needsSummary.fields + [.safeContact],
                preferredName: try vault.openText(file.sealedPreferredName, field: .preferredName, with: opened),
                person: try vault.openSection(PersonSection.self, file.sealedPerson, field: .person, with: opened), province: file.province,
                safe: try vault.openSection(SafeContactSection.self, file.sealedSafeContact, field: .safeContact, with: opened), needs: [need],
                message: "Message fictif de démonstration : la personne préfère un premier contact par l'intervenante. / Fictional demo message.")
            let referral = try await ReferralService.send(
                on: db, vault: vault, file: file, service: service, listing: listing, needs: [need], snapshot: snapshot,
                letterLanguage: index % 2 == 0 ? .fr : .en, sender: senderParty, now: sentAt)
            count += 1
            if isOutside { continue }
            let (target, events, reason) = plan[index]
            let receiver = ReferralService.Party(
                side: .receiver, organisationID: listing.memberOrganisationID!,
                actor: AuditActor(userID: nil, email: "demo", organisationID: listing.memberOrganisationID), requestID: nil)
            var version = referral.version
            for (step, event) in events.enumerated() {
                version = try await ReferralService.apply(
                    event, to: referral.id!, expectedVersion: version, reason: reason, by: receiver,
                    now: sentAt.addingTimeInterval(Double(step + 1) * 7200), vault: vault, on: db
                ).version
            }
            if target == .revoked {
                _ = try await ReferralService.apply(
                    .revoke, to: referral.id!, expectedVersion: version, reason: nil, by: senderParty, now: sentAt.addingTimeInterval(3600),
                    vault: vault, on: db)
            }
            if target == .accepted, accepted == nil { accepted = (referral.id!, listing.name) }
        }
        return Created(count: count, accepted: accepted.map { (id: $0.0, receiver: $0.1) })
    }
}

extension DemoSeeder {
    public static func seedReferrals(_ app: Application) async throws -> (count: Int, accepted: String?) {
        let created = try await DemoReferrals.seed(app)
        return (created.count, created.accepted.map { "\(SiteURL.referral(.value($0.id.uuidString)).path) received by \($0.receiver)" })
    }
}
