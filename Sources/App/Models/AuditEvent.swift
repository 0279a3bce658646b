import Domain
import Fluent
import Foundation

/// One row of the hash-chained audit log (see `AuditChain` in Domain). Append-only: no code
/// path updates or deletes these rows.
final class AuditEvent: Model, @unchecked Sendable {
    static let schema = "audit_events"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "sequence") var sequence: Int64
    /// Milliseconds since 1970, stored as an integer so the hashed value survives any driver.
    @Field(key: "occurred_at_ms") var occurredAtMilliseconds: Int64
    @OptionalField(key: "actor_id") var actorID: String?
    @OptionalField(key: "actor_email") var actorEmail: String?
    @OptionalField(key: "organisation_id") var organisationID: String?
    @Field(key: "action") var action: String
    @OptionalField(key: "target") var target: String?
    @Field(key: "outcome") var outcome: String
    @OptionalField(key: "request_id") var requestID: String?
    @OptionalField(key: "detail") var detail: String?
    @Field(key: "previous_hash") var previousHash: String
    @Field(key: "hash") var hash: String

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] {
        [
            $id, $sequence, $occurredAtMilliseconds, $actorID, $actorEmail, $organisationID, $action, $target, $outcome,
            $requestID, $detail, $previousHash, $hash,
        ]
    }

    init(record: AuditRecord, previousHash: String, hash: String) {
        self.sequence = record.sequence
        self.occurredAtMilliseconds = record.occurredAtMilliseconds
        self.actorID = record.actorID
        self.actorEmail = record.actorEmail
        self.organisationID = record.organisationID
        self.action = record.action
        self.target = record.target
        self.outcome = record.outcome
        self.requestID = record.requestID
        self.detail = record.detail
        self.previousHash = previousHash
        self.hash = hash
    }

    var record: AuditRecord {
        AuditRecord(
            sequence: sequence, occurredAtMilliseconds: occurredAtMilliseconds, actorID: actorID, actorEmail: actorEmail,
            organisationID: organisationID, action: action, target: target, outcome: outcome, requestID: requestID, detail: detail)
    }

    var occurredAt: Date { Date(timeIntervalSince1970: Double(occurredAtMilliseconds) / 1000) }
}

/// The chain's head, updated in the same transaction as each append, so deleting the last
/// events is detected too.
final class AuditHead: Model, @unchecked Sendable {
    static let schema = "audit_head"
    typealias Id = Int

    @ID(custom: "id", generatedBy: .user) var id: Int?
    @Field(key: "sequence") var sequence: Int64
    @Field(key: "hash") var hash: String

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $sequence, $hash] }

    init(sequence: Int64, hash: String) {
        self.id = 1
        self.sequence = sequence
        self.hash = hash
    }
}
