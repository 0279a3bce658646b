import Fluent
import Foundation

/// A referral from a case to a directory service. The receiving organisation is the service's
/// member organisation, or none for a service outside the network (a printed letter). What
/// travels is `sealedSnapshot`, sealed with the referral's own key (`ReferralKey`): the key's row
/// deleted, nobody can read it any more.
final class Referral: Model, @unchecked Sendable {
    static let schema = "referrals"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "case_id") var caseID: UUID?
    @Field(key: "sender_organisation_id") var senderOrganisationID: UUID
    @OptionalField(key: "sender_user_id") var senderUserID: UUID?
    @OptionalField(key: "service_id") var serviceID: UUID?
    /// The service's and its organisation's names when it was sent (kept if the listing changes).
    @Field(key: "service_name") var serviceName: String
    @Field(key: "receiver_name") var receiverName: String
    @OptionalField(key: "receiver_organisation_id") var receiverOrganisationID: UUID?
    @Field(key: "state") var state: String
    @OptionalField(key: "decline_reason") var declineReason: String?
    /// Comma-separated `NeedKind` values the referral is for (no personal data: kept for the gap map).
    @Field(key: "needs") var needs: String
    @Field(key: "letter_language") var letterLanguage: String
    @OptionalField(key: "sealed_snapshot") var sealedSnapshot: Data?
    @OptionalField(key: "receiver_case_id") var receiverCaseID: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @Field(key: "version") var version: Int

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] {
        [
            $id, $caseID, $senderOrganisationID, $senderUserID, $serviceID, $serviceName, $receiverName, $receiverOrganisationID, $state,
            $declineReason, $needs, $letterLanguage, $sealedSnapshot, $receiverCaseID, $createdAt, $updatedAt, $version,
        ]
    }

    var outsideNetwork: Bool { receiverOrganisationID == nil }
}

/// A referral's data key, wrapped by the master key. Revoking the referral, withdrawing the
/// consent or purging the case deletes this row.
final class ReferralKey: Model, @unchecked Sendable {
    static let schema = "referral_keys"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "referral_id") var referralID: UUID
    @Field(key: "wrapped") var wrapped: Data

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $referralID, $wrapped] }

    init(referralID: UUID, wrapped: Data) {
        self.referralID = referralID
        self.wrapped = wrapped
    }
}

/// One dated step of a referral, seen by both organisations.
final class ReferralStep: Model, @unchecked Sendable {
    static let schema = "referral_events"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "referral_id") var referralID: UUID
    @Field(key: "at") var at: Date
    /// `sent`, a `ReferralEvent`, or `consent_withdrawn` / `case_purged` (the system revoking).
    @Field(key: "event") var event: String
    @Field(key: "state") var state: String
    @Field(key: "party") var party: String
    @OptionalField(key: "actor_id") var actorID: UUID?
    @OptionalField(key: "reason") var reason: String?

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $referralID, $at, $event, $state, $party, $actorID, $reason] }

    init(referralID: UUID, at: Date, event: String, state: String, party: String, actorID: UUID?, reason: String?) {
        self.referralID = referralID
        self.at = at
        self.event = event
        self.state = state
        self.party = party
        self.actorID = actorID
        self.reason = reason
    }
}
