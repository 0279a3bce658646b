import Crypto
import Foundation

/// One event of the audit log as it is hashed. The chain (ARCHITECTURE.md pattern 9): each row
/// stores the previous row's hash and the SHA-256 of (previous hash, its own canonical content),
/// so editing, deleting, inserting or reordering any row breaks every hash after it.
public struct AuditRecord: Sendable, Equatable {
    public var sequence: Int64
    public var occurredAtMilliseconds: Int64
    public var actorID: String?
    public var actorEmail: String?
    public var organisationID: String?
    public var action: String
    public var target: String?
    public var outcome: String
    public var requestID: String?
    public var detail: String?

    public init(
        sequence: Int64, occurredAtMilliseconds: Int64, actorID: String?, actorEmail: String?, organisationID: String?,
        action: String, target: String?, outcome: String, requestID: String?, detail: String?
    ) {
        self.sequence = sequence
        self.occurredAtMilliseconds = occurredAtMilliseconds
        self.actorID = actorID
        self.actorEmail = actorEmail
        self.organisationID = organisationID
        self.action = action
        self.target = target
        self.outcome = outcome
        self.requestID = requestID
        self.detail = detail
    }

    /// A JSON array of the fields in a fixed order: unambiguous whatever the values contain.
    public var canonicalContent: Data {
        let fields: [String?] = [
            "v1", String(sequence), String(occurredAtMilliseconds), actorID, actorEmail, organisationID,
            action, target, outcome, requestID, detail,
        ]
        // Encoding an array of optional strings cannot fail.
        return try! JSONEncoder().encode(fields)
    }
}

public enum AuditChain {
    public static let genesisHash = String(repeating: "0", count: 64)

    public static func hash(previousHash: String, record: AuditRecord) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(previousHash.utf8))
        hasher.update(data: Data([0x0A]))
        hasher.update(data: record.canonicalContent)
        return Hex.lowercase(hasher.finalize())
    }

    public struct StoredEvent: Sendable {
        public var record: AuditRecord
        public var previousHash: String
        public var hash: String
        public init(record: AuditRecord, previousHash: String, hash: String) {
            self.record = record
            self.previousHash = previousHash
            self.hash = hash
        }
    }

    public enum Verdict: Equatable, Sendable {
        case intact(count: Int)
        case broken(sequence: Int64, reason: Reason, checked: Int)
    }

    public enum Reason: String, Sendable {
        case contentChanged = "content changed"
        case linkBroken = "previous-hash link broken"
        case sequenceGap = "sequence gap (row deleted or inserted)"
        case headMismatch = "last event differs from the recorded chain head (rows deleted at the end)"
    }

    /// Streaming verifier so a million events need not sit in memory at once.
    public struct Verifier: Sendable {
        private(set) var expectedSequence: Int64 = 1
        private(set) var previousHash: String = AuditChain.genesisHash
        public private(set) var checked = 0
        public private(set) var verdict: Verdict?

        public init() {}

        /// Feeds the next event in sequence order; returns false once the chain is broken.
        @discardableResult
        public mutating func feed(_ event: StoredEvent) -> Bool {
            guard verdict == nil else { return false }
            let sequence = event.record.sequence
            if sequence != expectedSequence {
                verdict = .broken(sequence: sequence < expectedSequence ? sequence : expectedSequence, reason: .sequenceGap, checked: checked)
                return false
            }
            if event.previousHash != previousHash {
                verdict = .broken(sequence: sequence, reason: .linkBroken, checked: checked)
                return false
            }
            if AuditChain.hash(previousHash: previousHash, record: event.record) != event.hash {
                verdict = .broken(sequence: sequence, reason: .contentChanged, checked: checked)
                return false
            }
            checked += 1
            expectedSequence += 1
            previousHash = event.hash
            return true
        }

        /// Ends the walk, comparing with the head recorded beside the chain (nil when the log is empty).
        public mutating func finish(head: (sequence: Int64, hash: String)?) -> Verdict {
            if let verdict { return verdict }
            let lastSequence = expectedSequence - 1
            let headSequence = head?.sequence ?? 0
            let headHash = head?.hash ?? AuditChain.genesisHash
            if headSequence != lastSequence || headHash != previousHash {
                let verdict = Verdict.broken(sequence: min(headSequence, lastSequence) + 1, reason: .headMismatch, checked: checked)
                self.verdict = verdict
                return verdict
            }
            let verdict = Verdict.intact(count: checked)
            self.verdict = verdict
            return verdict
        }
    }
}
