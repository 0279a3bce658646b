import Domain
import Fluent
import Foundation

/// A value sealed under the master key at first start (see `MasterKeyProvider`).
final class KeyCheck: Model, @unchecked Sendable {
    static let schema = "key_checks"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "sealed") var sealed: Data

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $sealed] }
    init(sealed: Data) { self.sealed = sealed }
}

/// Per-organisation case settings: the reference code, who sees which cases, retention.
final class CaseSettings: Model, @unchecked Sendable {
    static let schema = "case_settings"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "reference_code") var referenceCode: String
    @Field(key: "visibility") var visibility: String
    /// Closed cases are purged this many years after closing (`passerelle retention run`); nil: never.
    @OptionalField(key: "retention_years") var retentionYears: Int?

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $organisation, $referenceCode, $visibility, $retentionYears] }

    init(organisationID: UUID, referenceCode: String, visibility: CaseVisibility = .assignedOnly) {
        self.$organisation.id = organisationID
        self.referenceCode = referenceCode
        self.visibility = visibility.rawValue
    }

    var caseVisibility: CaseVisibility { CaseVisibility(rawValue: visibility) ?? .assignedOnly }
}

/// Last reference number used per organisation and year.
final class CaseCounter: Model, @unchecked Sendable {
    static let schema = "case_counters"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "year") var year: Int
    @Field(key: "last_number") var lastNumber: Int

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $organisationID, $year, $lastNumber] }
    init(organisationID: UUID, year: Int, lastNumber: Int) {
        self.organisationID = organisationID
        self.year = year
        self.lastNumber = lastNumber
    }
}

/// A survivor's case file. Everything identifying or narrative is sealed with the case's data
/// key (`sealed_*`); what stays in clear is what lists and statistics filter on and identifies
/// nobody: reference, status, province, dates, version.
final class CaseFile: Model, @unchecked Sendable {
    static let schema = "cases"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "reference") var reference: String
    @Field(key: "status") var status: String
    @OptionalField(key: "closure_reason") var closureReason: String?
    @OptionalField(key: "province") var province: String?
    @Field(key: "opened_at") var openedAt: Date
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "opened_by") var openedBy: UUID?
    @Field(key: "updated_at") var updatedAt: Date
    /// Incremented by every save: a save based on an older version is refused.
    @Field(key: "version") var version: Int
    @Field(key: "sealed_preferred_name") var sealedPreferredName: Data
    @OptionalField(key: "sealed_person") var sealedPerson: Data?
    @OptionalField(key: "sealed_safe_contact") var sealedSafeContact: Data?

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] {
        [
            $id, $organisation, $reference, $status, $closureReason, $province, $openedAt, $closedAt, $openedBy, $updatedAt,
            $version, $sealedPreferredName, $sealedPerson, $sealedSafeContact,
        ]
    }

    var caseStatus: CaseStatus { CaseStatus(rawValue: status) ?? .active }

    /// The wrapped data key, when the case was read with it (`CaseAccess.find`); not a column.
    var wrappedKey: Data?
}

/// The case's data key, wrapped by the master key. Deleting this row is what purges a case.
final class CaseKey: Model, @unchecked Sendable {
    static let schema = "case_keys"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "wrapped") var wrapped: Data

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $caseID, $wrapped] }
    init(caseID: UUID, wrapped: Data) {
        self.caseID = caseID
        self.wrapped = wrapped
    }
}

/// Blind-index terms of a case's names (keyed hashes of normalised tokens).
final class CaseNameTerm: Model, @unchecked Sendable {
    static let schema = "case_name_terms"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "term") var term: String

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $organisationID, $caseID, $term] }
    init(organisationID: UUID, caseID: UUID, term: String) {
        self.organisationID = organisationID
        self.caseID = caseID
        self.term = term
    }
}

final class CaseAssignment: Model, @unchecked Sendable {
    static let schema = "case_assignments"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "user_id") var userID: UUID
    /// The case's opening date, copied for the list's index (see `DenormaliseForScale`).
    @OptionalField(key: "opened_at") var openedAt: Date?

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $caseID, $userID, $openedAt] }
    init(caseID: UUID, userID: UUID, openedAt: Date) {
        self.caseID = caseID
        self.userID = userID
        self.openedAt = openedAt
    }
}

final class CaseNote: Model, @unchecked Sendable {
    static let schema = "case_notes"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @OptionalField(key: "author_id") var authorID: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "sealed_body") var sealedBody: Data

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $caseID, $authorID, $createdAt, $sealedBody] }
    init(caseID: UUID, authorID: UUID?, createdAt: Date, sealedBody: Data) {
        self.caseID = caseID
        self.authorID = authorID
        self.createdAt = createdAt
        self.sealedBody = sealedBody
    }
}
