import Fluent
import Foundation
import Testing

@testable import App

/// The inbox's three lists read in one statement (`ReferralQueries.inbox`): each in its own
/// order and page, ties on the same instant broken by id, the counts and the senders' names.
@Suite struct ReferralInboxQueryTests {
    @Test func eachListKeepsItsOrderPageAndCount() async throws {
        try await withTestApp { app in
            // setup
            let receiver = try await Fixtures.organisation(app)
            let sender = try await Fixtures.organisation(app)
            let user = try await Fixtures.user(app, in: receiver, roles: [.supervisor])
            let start = Date(timeIntervalSince1970: 1_780_000_000)
            var made: [(state: String, incoming: Bool, at: Date, id: UUID)] = []
            for i in 0..<90 {
                let incoming = i < 60
                let state = i < 30 ? "pending" : (i % 2 == 0 ? "accepted" : "declined")
                let referral = Referral()
                referral.senderOrganisationID = incoming ? sender.id! : receiver.id!
                referral.receiverOrganisationID = incoming ? receiver.id! : sender.id!
                referral.serviceName = "Service fictif \(i) (test)"
                referral.receiverName = incoming ? receiver.name : sender.name
                referral.state = state
                referral.needs = ""
                referral.letterLanguage = "fr"
                // Every third one shares its instant with the one before: the id decides.
                referral.createdAt = start.addingTimeInterval(Double(i - (i % 3 == 2 ? 1 : 0)) * 60)
                referral.updatedAt = referral.createdAt
                referral.version = 1
                try await referral.create(on: app.db)
                made.append((state, incoming, referral.createdAt, referral.id!))
            }
            func order(_ a: (at: Date, id: UUID), _ b: (at: Date, id: UUID)) -> Bool {
                a.at != b.at ? a.at < b.at : a.id.uuidString.lowercased() < b.id.uuidString.lowercased()
            }
            let pending = made.filter { $0.incoming && $0.state == "pending" }.map { ($0.at, $0.id) }.sorted(by: order).map(\.1)
            let answered = made.filter { $0.incoming && $0.state != "pending" }.map { ($0.at, $0.id) }.sorted(by: order).reversed().map(\.1)
            let sent = made.filter { !$0.incoming }.map { ($0.at, $0.id) }.sorted(by: order).reversed().map(\.1)
            let viewer = CaseViewer(userID: user.id!, organisationID: receiver.id!, assignedOnly: false)
            // MUT
            let first = try await ReferralQueries.inbox(viewer: viewer, page: 1, on: app.db)
            let second = try await ReferralQueries.inbox(viewer: viewer, page: 2, on: app.db)
            // validate
            #expect(first.pending.map(\.id) == Array(pending.prefix(25)))
            #expect(first.answered.map(\.id) == Array(answered.prefix(25)))
            #expect(first.sent.map(\.id) == Array(sent.prefix(25)))
            #expect(second.pending.map(\.id) == Array(pending.prefix(25)), "the waiting ones stay on every page")
            #expect(second.answered.map(\.id) == Array(answered.dropFirst(25)))
            #expect(second.sent.map(\.id) == Array(sent.dropFirst(25)))
            #expect((first.pendingTotal, first.answeredTotal, first.sentTotal) == (30, 30, 30))
            #expect(first.pending.allSatisfy { $0.senderName == sender.name && $0.senderOrganisationID == sender.id! })
            #expect(first.sent.allSatisfy { $0.receiverName == sender.name && $0.senderName == receiver.name })
            #expect(first.answered.allSatisfy { ["accepted", "declined"].contains($0.state) })
        }
    }
}
