import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// `passerelle generate --services N --referrals N`: a synthetic directory and referrals between
/// the generated organisations, written through the models and `ReferralService.prepare` — the
/// search index kept by the same triggers, the snapshots sealed under their own keys.
extension GenerateCommand {
    static let towns = ["Brooks", "Chibougamau", "Iqaluit", "Whitehorse", "Rimouski", "Thompson", "Moncton", "Kamloops", "Timmins", "Gander"]

    static func generateServices(_ count: Int, organisations: [(Organisation, User, CaseSettings)], on db: any Database, now: Date) async throws
        -> [(DirectoryService, DirectoryOrganisation)]
    {
        guard count > 0 else { return [] }
        let members = organisations.map { organisation, _, _ in
            DirectoryOrganisation(name: organisation.name, memberOrganisationID: organisation.id, website: nil, updatedAt: now)
        }
        let outside = (1...50).map { index in
            DirectoryOrganisation(
                name: String(format: "Service communautaire synthétique %02d (généré)", index), memberOrganisationID: nil,
                website: String(format: "https://service-%02d.genere.example", index), updatedAt: now)
        }
        try await db.writeTransaction { db in
            for listing in members + outside { try await listing.create(on: db) }
        }
        let categories = ServiceCategory.allCases
        let statuses = ImmigrationStatus.allCases
        var created: [(DirectoryService, DirectoryOrganisation)] = []
        var start = 0
        while start < count {
            let end = min(start + 1000, count)
            let batch: [(DirectoryService, DirectoryOrganisation)] = (start..<end).map { number in
                let owner = number % 3 == 0 && !members.isEmpty ? members[number % members.count] : outside[number % outside.count]
                let category = categories[number % categories.count]
                let province = Province.allCases[number % Province.allCases.count]
                let town = towns[number % towns.count]
                let service = DirectoryService()
                service.id = UUID()
                service.organisationID = owner.id!
                service.nameFR = "Service \(number) — \(town) (généré)"
                service.nameEN = "Service \(number) — \(town) (generated)"
                service.descriptionFR = "Hébergement, accompagnement et aide juridique synthétiques n° \(number)."
                service.descriptionEN = "Synthetic housing, support and legal help no. \(number)."
                service.status = (number % 31 == 7 ? ServiceStatus.temporarilyClosed : .active).rawValue
                service.categories = Array(Set([category, categories[(number / 7) % categories.count]])).map(\.rawValue).sorted()
                    .joined(separator: ",")
                service.languages = (["en", "fr"] + (number % 5 == 0 ? ["tl"] : ["es"])).sorted().joined(separator: ",")
                service.eligibleStatuses =
                    number % 4 == 0 ? "" : [statuses[number % statuses.count], .noStatus].map(\.rawValue).joined(separator: ",")
                service.feesFR = "Gratuit"
                service.feesEN = "Free"
                service.accessibilityFR = ""
                service.accessibilityEN = ""
                var hours = OpeningHours()
                for day in Weekday.allCases where ![.sat, .sun].contains(day) { hours.days[day] = .init(opens: 9 * 60, closes: 17 * 60) }
                service.openingHours = hours
                service.phone = String(format: "555-01%02d", number % 100)
                service.email = "accueil-\(number)@genere.example"
                service.website = ""
                service.province = province.rawValue
                service.city = town
                service.region = [RegionKind.urban, .rural, .remote][number % 3].rawValue
                service.confidential = category == .shelter
                service.address = "\(number) rue Synthétique"
                service.postalCode = ""
                service.frontDoor = service.confidential ? "555-0199" : ""
                service.serviceArea = number % 17 == 3 ? ServiceArea.allCanada.stored : province.rawValue
                service.capacityAvailable = number % 2 == 0 ? number % 5 : nil
                service.capacityMaximum = number % 2 == 0 ? 10 : nil
                service.capacityUnit = number % 2 == 0 ? CapacityUnit.places.rawValue : nil
                service.capacityUpdatedAt = number % 2 == 0 ? now : nil
                service.verifiedOn = Day(now).adding(days: -(number % 500)).date
                service.searchText = DirectoryService.searchDocument([
                    service.nameFR, service.nameEN, service.descriptionFR, service.descriptionEN, owner.name, town,
                ])
                service.version = 1
                service.updatedAt = now
                return (service, owner)
            }
            try await db.writeTransaction { db in
                for (service, _) in batch { try await service.create(on: db) }
            }
            created += batch
            start = end
        }
        return created
    }

    /// Referrals from generated cases to services of the other generated organisations, in a mix
    /// of states (revoked ones without their key, as revocation leaves them).
    static func generateReferrals(
        _ count: Int, organisations: [(Organisation, User, CaseSettings)], services: [(DirectoryService, DirectoryOrganisation)],
        vault: CaseVault, on db: any Database, now: Date
    ) async throws -> Int {
        let memberServices = Dictionary(grouping: services.filter { $0.1.memberOrganisationID != nil }) { $0.1.memberOrganisationID! }
        let receivers = organisations.map(\.0.id!).filter { memberServices[$0] != nil }
        guard count > 0, !receivers.isEmpty else { return 0 }
        let workers = Dictionary(uniqueKeysWithValues: organisations.map { ($0.0.id!, $0.1) })
        let states: [ReferralState] = [.pending, .pending, .pending, .pending, .accepted, .accepted, .accepted, .declined, .completed, .revoked]
        var written = 0
        var after: UUID?
        while written < count {
            let take = min(5000, count - written)
            var query: SQLQueryString = "SELECT id, organisation_id FROM cases"
            if let after { query += " WHERE id > \(bind: after)" }
            query += " ORDER BY id LIMIT \(unsafeRaw: String(take))"
            let rows = try await db.rows(query)
            guard !rows.isEmpty else { break }
            var prepared: [(Referral, ReferralKey?, ReferralStep)] = []
            for row in rows {
                let caseID = try row.decode(column: "id", as: UUID.self)
                let senderID = try row.decode(column: "organisation_id", as: UUID.self)
                after = caseID
                guard let worker = workers[senderID] else { continue }
                let number = written + prepared.count
                let receiver = receivers[(receivers.firstIndex(of: senderID).map { $0 + 1 + number % 7 } ?? number) % receivers.count]
                guard receiver != senderID, let options = memberServices[receiver] else { continue }
                let (service, listing) = options[number % options.count]
                let need = [NeedKind.housing, .immigrationLegal, .safetyShelter, .mentalHealth][number % 4]
                let snapshot = ReferralSnapshot(
                    fields: SharedBundle.needsSummary.fields, preferredName: "Personne générée \(number)", person: nil, province: service.province,
                    safe: nil, needs: [need], message: "Message synthétique (généré).")
                let sender = ReferralService.Party(
                    side: .sender, organisationID: senderID, actor: AuditActor(userID: worker.id, email: worker.email, organisationID: senderID),
                    requestID: nil)
                let sentAt = now.addingTimeInterval(-Double(number % 400) * 86_400 - Double(number % 86_400))
                let rows = try ReferralService.prepare(
                    vault: vault, caseID: caseID, service: service, listing: listing, needs: [need], snapshot: snapshot, letterLanguage: .fr,
                    sender: sender, now: sentAt)
                let state = states[number % states.count]
                rows.referral.state = state.rawValue
                rows.referral.declineReason = state == .declined ? DeclineReason.allCases[number % DeclineReason.allCases.count].rawValue : nil
                if state == .revoked { rows.referral.sealedSnapshot = nil }
                prepared.append((rows.referral, state == .revoked ? nil : rows.key, rows.step))
            }
            let batch = prepared
            try await db.writeTransaction { db in
                for (referral, key, step) in batch {
                    try await referral.create(on: db)
                    if let key { try await key.create(on: db) }
                    try await step.create(on: db)
                }
            }
            written += prepared.count
        }
        return written
    }
}
