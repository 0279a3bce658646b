import Domain
import Foundation
import Vapor

/// The case page's referrals: those sent from the case (service, state, date) and, for a case
/// opened from a referral, where it came from.
struct ReferralsPanel: CasePanel {
    struct Row: Encodable {
        let href: String
        let service: String
        let receiver: String
        let state: String
        let at: String
    }

    let rows: [Row]
    let receivedFrom: String?
    let receivedURL: String?

    static func load(_ input: CasePanelInput) async throws -> Self {
        let req = input.req
        let caseID = input.file.id!
        let referrals = try await ReferralQueries.ofCase(caseID, on: req.db)
        let sent = referrals.filter { $0.caseID == caseID }
        let received = referrals.first { $0.receiverCaseID == caseID }
        let sender: Organisation? = if let received { try await Organisation.find(received.senderOrganisationID, on: req.db) } else { nil }
        return Self(
            rows: sent.map { referral in
                Row(
                    href: SiteURL.referral(.value(referral.id!.uuidString)).path, service: referral.serviceName, receiver: referral.receiverName,
                    state: req.t(ReferralState(rawValue: referral.state)?.labelKey ?? referral.state),
                    at: req.formatDateTime(referral.createdAt) ?? "")
            },
            receivedFrom: sender?.name,
            receivedURL: received.map { SiteURL.referral(.value($0.id!.uuidString)).path })
    }
}
