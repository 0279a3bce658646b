import Domain
import Fluent
import Foundation

/// A need of the person and where it stands. Not identifying: kept in clear, so lists can filter
/// on it and the gap map can count unmet needs.
final class CaseNeed: Model, @unchecked Sendable {
    static let schema = "case_needs"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "need") var need: String
    @Field(key: "status") var status: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $caseID, $organisationID, $need, $status, $updatedAt] }
    init(caseID: UUID, organisationID: UUID, need: NeedKind, status: NeedStatus, now: Date) {
        self.caseID = caseID
        self.organisationID = organisationID
        self.need = need.rawValue
        self.status = status.rawValue
        self.updatedAt = now
    }
}

/// A task or follow-up. Its text may tell a story, so it is sealed; the due date, assignee and
/// completion stay in clear for the deadlines board.
final class CaseTask: Model, @unchecked Sendable {
    static let schema = "case_tasks"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "sealed_title") var sealedTitle: Data
    @OptionalField(key: "due_on") var dueOn: Date?
    @OptionalField(key: "assignee_id") var assigneeID: UUID?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "done_at") var doneAt: Date?

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $caseID, $organisationID, $sealedTitle, $dueOn, $assigneeID, $createdAt, $doneAt] }
}

/// One consent as given (or withdrawn) by the person.
final class CaseConsent: Model, @unchecked Sendable {
    static let schema = "case_consents"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "kind") var kind: String
    @OptionalField(key: "partner") var partner: String?
    @Field(key: "given_on") var givenOn: Date
    @Field(key: "method") var method: String
    @Field(key: "language") var language: String
    @Field(key: "recorded_by") var recordedBy: UUID
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $caseID, $kind, $partner, $givenOn, $method, $language, $recordedBy, $withdrawnAt] }

    var record: ConsentRecord? {
        guard let kind = ConsentKind(rawValue: kind) else { return nil }
        return ConsentRecord(kind: kind, partner: partner, givenOn: givenOn, withdrawnAt: withdrawnAt)
    }
}

/// The trafficking experience with HTCDS v2 values. Categories stay in clear for the network's
/// anonymised statistics; names of employers and recruiters, places and the person's own account
/// are sealed.
final class CaseExperience: Model, @unchecked Sendable {
    static let schema = "case_experiences"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @OptionalField(key: "trafficking_status") var traffickingStatus: String?
    /// Comma-separated `ExploitationType` values.
    @Field(key: "exploitation_types") var exploitationTypes: String
    @OptionalField(key: "scope") var scope: String?
    @OptionalField(key: "industry") var industry: String?
    @Field(key: "control_methods") var controlMethods: String
    @Field(key: "recruitment_methods") var recruitmentMethods: String
    @OptionalField(key: "recruiter_relationship") var recruiterRelationship: String?
    @OptionalField(key: "fees_paid_cents") var feesPaidCents: Int?
    @OptionalField(key: "fees_currency") var feesCurrency: String?
    @OptionalField(key: "recruiter_licensed") var recruiterLicensed: String?
    @OptionalField(key: "sealed_details") var sealedDetails: Data?
    @Field(key: "version") var version: Int
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] {
        [
            $id, $caseID, $traffickingStatus, $exploitationTypes, $scope, $industry, $controlMethods, $recruitmentMethods,
            $recruiterRelationship, $feesPaidCents, $feesCurrency, $recruiterLicensed, $sealedDetails, $version, $updatedAt,
        ]
    }
}

/// A legal action: criminal complaint, civil claim, employment-standards complaint.
final class CaseLegalAction: Model, @unchecked Sendable {
    static let schema = "case_legal_actions"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "status") var status: String
    @OptionalField(key: "filed_on") var filedOn: Date?
    @OptionalField(key: "amount_awarded_cents") var amountAwardedCents: Int?
    @OptionalField(key: "sealed_outcome") var sealedOutcome: Data?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] {
        [$id, $caseID, $kind, $status, $filedOn, $amountAwardedCents, $sealedOutcome, $createdAt]
    }
}
