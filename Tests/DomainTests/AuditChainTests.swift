import Domain
import Testing

@Suite struct AuditChainTests {
    /// A chain of `count` events as the database would hold them.
    func chain(_ count: Int) -> [AuditChain.StoredEvent] {
        var previous = AuditChain.genesisHash
        return (1...count).map { index in
            let record = AuditRecord(
                sequence: Int64(index), occurredAtMilliseconds: 1_700_000_000_000 + Int64(index), actorID: "u\(index)",
                actorEmail: "a@b.example", organisationID: "o1", action: "sign_in", target: nil, outcome: "success",
                requestID: "r\(index)", detail: index == 2 ? "weird \"quoted\" ,\n text" : nil)
            let hash = AuditChain.hash(previousHash: previous, record: record)
            defer { previous = hash }
            return .init(record: record, previousHash: previous, hash: hash)
        }
    }

    func verify(_ events: [AuditChain.StoredEvent], head: (Int64, String)?) -> AuditChain.Verdict {
        var verifier = AuditChain.Verifier()
        for event in events where !verifier.feed(event) { break }
        return verifier.finish(head: head)
    }

    @Test func intactChainVerifies() {
        let events = chain(5)
        #expect(verify(events, head: (5, events[4].hash)) == .intact(count: 5))
        #expect(verify([], head: nil) == .intact(count: 0))
    }

    @Test func editedContentIsDetectedAtThatEvent() {
        var events = chain(5)
        events[2].record.outcome = "failure"
        #expect(verify(events, head: (5, events[4].hash)) == .broken(sequence: 3, reason: .contentChanged, checked: 2))
    }

    @Test func editedTimeIsDetected() {
        var events = chain(3)
        events[0].record.occurredAtMilliseconds += 1
        #expect(verify(events, head: (3, events[2].hash)) == .broken(sequence: 1, reason: .contentChanged, checked: 0))
    }

    @Test func deletedMiddleEventIsDetected() {
        var events = chain(5)
        events.remove(at: 1)
        #expect(verify(events, head: (5, chain(5)[4].hash)) == .broken(sequence: 2, reason: .sequenceGap, checked: 1))
    }

    @Test func deletedLastEventIsDetectedThroughTheHead() {
        let full = chain(5)
        let events = Array(full.prefix(4))
        #expect(verify(events, head: (5, full[4].hash)) == .broken(sequence: 5, reason: .headMismatch, checked: 4))
    }

    @Test func reorderedEventsAreDetected() {
        var events = chain(5)
        events.swapAt(1, 2)
        guard case .broken(let sequence, _, _) = verify(events, head: (5, events[4].hash)) else {
            Issue.record("reordering went unnoticed")
            return
        }
        #expect(sequence == 2)
    }

    @Test func insertedEventWithRewrittenSequenceBreaksTheLink() {
        var events = chain(4)
        // An attacker inserts an event and renumbers the following ones, keeping their hashes.
        var forged = events[1]
        forged.record.action = "sign_out"
        forged.record.sequence = 3
        forged.hash = AuditChain.hash(previousHash: events[1].hash, record: forged.record)
        forged.previousHash = events[1].hash
        events.insert(forged, at: 2)
        for index in 3..<events.count { events[index].record.sequence += 1 }
        guard case .broken(let sequence, _, _) = verify(events, head: (5, events[4].hash)) else {
            Issue.record("insertion went unnoticed")
            return
        }
        #expect(sequence == 4)
    }

    @Test func canonicalContentIsUnambiguous() {
        let a = AuditRecord(
            sequence: 1, occurredAtMilliseconds: 1, actorID: "a,b", actorEmail: nil, organisationID: nil,
            action: "x", target: nil, outcome: "success", requestID: nil, detail: nil)
        var b = a
        b.actorID = "a"
        b.actorEmail = "b"
        #expect(a.canonicalContent != b.canonicalContent)
    }

    @Test func hashesAreLowercaseHexOfSHA256() {
        #expect(Hex.lowercase([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        // The chain's format must not move: a hash computed before this helper existed.
        let record = AuditRecord(
            sequence: 1, occurredAtMilliseconds: 1_700_000_000_000, actorID: nil, actorEmail: nil, organisationID: nil,
            action: "sign_in", target: nil, outcome: "success", requestID: nil, detail: nil)
        #expect(AuditChain.hash(previousHash: AuditChain.genesisHash, record: record) == Self.knownHash)
    }

    static let knownHash = "25c6170b284f44a7b6532c05df08ae3b7df4037807e1aa63af55ae0b9314fd61"
}
