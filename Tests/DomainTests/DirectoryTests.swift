import Foundation
import Testing

@testable import Domain

@Suite struct DirectoryTests {
    /// Every (state, event, who) triple, inside and outside the network: the table is the rule.
    @Test func theReferralMachineAllowsExactlyThisTable() {
        // setup
        let inside: [ReferralState: [ReferralEvent: [ReferralParty: ReferralState]]] = [
            .pending: [.accept: [.receiver: .accepted], .decline: [.receiver: .declined], .revoke: [.sender: .revoked]],
            .accepted: [.complete: [.receiver: .completed], .notComplete: [.receiver: .notCompleted], .revoke: [.sender: .revoked]],
        ]
        let outside: [ReferralState: [ReferralEvent: [ReferralParty: ReferralState]]] = [
            .pending: [.accept: [.sender: .accepted], .decline: [.sender: .declined], .revoke: [.sender: .revoked]],
            .accepted: [.complete: [.sender: .completed], .notComplete: [.sender: .notCompleted], .revoke: [.sender: .revoked]],
        ]
        for (table, outsideNetwork) in [(inside, false), (outside, true)] {
            for state in ReferralState.allCases {
                for event in ReferralEvent.allCases {
                    for party in ReferralParty.allCases {
                        // MUT
                        let next = ReferralMachine.next(from: state, event, by: party, outsideNetwork: outsideNetwork)
                        // validate
                        #expect(next == table[state]?[event]?[party], "\(state) \(event) \(party) outside=\(outsideNetwork)")
                    }
                }
            }
        }
        #expect(ReferralMachine.events(from: .pending, by: .receiver) == [.accept, .decline])
        #expect(ReferralMachine.events(from: .completed, by: .sender).isEmpty)
        #expect(ReferralState.allCases.filter(\.isFinal) == [.declined, .completed, .notCompleted, .revoked])
        #expect(DeclineReason.allCases.filter(\.isGap) == [.atCapacity, .notEligible])
    }

    @Test func openingHoursAnswerOpenNowAcrossMidnight() {
        // setup
        let hours = OpeningHours(days: [.mon: .init(opens: 9 * 60, closes: 17 * 60), .fri: .init(opens: 22 * 60, closes: 6 * 60)])
        // MUT + validate
        #expect(hours.isOpen(on: .mon, at: 9 * 60))
        #expect(!hours.isOpen(on: .mon, at: 17 * 60))
        #expect(!hours.isOpen(on: .tue, at: 10 * 60))
        #expect(hours.isOpen(on: .fri, at: 23 * 60))
        #expect(hours.isOpen(on: .sat, at: 5 * 60))
        #expect(!hours.isOpen(on: .sat, at: 7 * 60))
        #expect(OpeningHours.minutes("09:00") == 540 && OpeningHours.minutes("9h30") == 570 && OpeningHours.minutes("24:00") == 1440)
        #expect(OpeningHours.minutes("25:00") == nil && OpeningHours.minutes("9") == nil && OpeningHours.minutes("09:7") == nil)
        #expect(Weekday(gregorian: 2) == .mon && Weekday(gregorian: 1) == .sun)
    }

    @Test func areasStatusesAndStaleness() {
        // MUT + validate
        #expect(ServiceArea(stored: "all") == .allCanada && ServiceArea(stored: "remote") == .remoteOnly)
        #expect(ServiceArea(stored: "AB,NU") == .provinces([.AB, .NU]) && ServiceArea(stored: "AB,XX") == nil && ServiceArea(stored: "") == nil)
        #expect(ServiceArea.provinces([.AB]).serves(.AB) && !ServiceArea.provinces([.AB]).serves(.QC) && ServiceArea.allCanada.serves(.YT))
        #expect(ServiceStatus(hsds: "temporarily closed") == .temporarilyClosed && ServiceStatus.temporarilyClosed.hsdsValue == "temporarily closed")
        let today = Day(year: 2026, month: 12, day: 3)
        #expect(!DirectoryRules.isStale(verifiedOn: Day(year: 2025, month: 12, day: 3), today: today))
        #expect(DirectoryRules.isStale(verifiedOn: Day(year: 2025, month: 12, day: 2), today: today))
        #expect(DirectoryRules.isStale(verifiedOn: nil, today: today))
        #expect(DirectoryRules.accepts(.noStatus, eligible: []) && DirectoryRules.accepts(.noStatus, eligible: [.noStatus, .trpHolder]))
        #expect(!DirectoryRules.accepts(.visitor, eligible: [.noStatus]) && DirectoryRules.accepts(nil, eligible: [.noStatus]))
        #expect(SharedBundle.contactOnly.fields.contains(.safeContact) && !SharedBundle.contactOnly.fields.contains(.needs))
    }

    @Test func aReferralMovesOnlyTheNeedsItSetAndAGapDeclineLeavesThemUnmet() {
        // MUT + validate
        #expect(ReferralRules.needStatus(after: .accepted, declineReason: nil, current: .referred) == .inProgress)
        #expect(ReferralRules.needStatus(after: .declined, declineReason: .atCapacity, current: .referred) == .unmet)
        #expect(ReferralRules.needStatus(after: .declined, declineReason: .notEligible, current: .referred) == .unmet)
        #expect(ReferralRules.needStatus(after: .declined, declineReason: .cannotReach, current: .referred) == .identified)
        #expect(ReferralRules.needStatus(after: .revoked, declineReason: nil, current: .inProgress) == .identified)
        #expect(ReferralRules.needStatus(after: .completed, declineReason: nil, current: .inProgress) == .met)
        #expect(ReferralRules.needStatus(after: .notCompleted, declineReason: nil, current: .inProgress) == .unmet)
        // A caseworker's own status is never overwritten.
        for own in [NeedStatus.met, .unmet, .identified] {
            #expect(ReferralRules.needStatus(after: .accepted, declineReason: nil, current: own) == own)
        }
    }

    @Test func aReferralNeedsAConsentInForceForThatVeryOrganisation() {
        // setup
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let given = now.addingTimeInterval(-86_400)
        let consents = [
            ConsentRecord(kind: .share, partner: "Organisme Fictif A", givenOn: given, withdrawnAt: nil),
            ConsentRecord(kind: .share, partner: "Organisme Fictif B", givenOn: given, withdrawnAt: now.addingTimeInterval(-60)),
            ConsentRecord(kind: .statistics, partner: nil, givenOn: given, withdrawnAt: nil),
        ]
        // MUT + validate
        #expect(ReferralRules.maySend(to: "organisme fictif a ", consents: consents, at: now))
        #expect(!ReferralRules.maySend(to: "Organisme Fictif B", consents: consents, at: now))
        #expect(!ReferralRules.maySend(to: "Organisme Fictif C", consents: consents, at: now))
        #expect(!ReferralRules.maySend(to: "Organisme Fictif A", consents: consents, at: given.addingTimeInterval(-1)))
        #expect(ReferralRules.fields(ticked: ["needs", "preferred_name", "nonsense"], bundle: nil) == [.preferredName, .needs])
        #expect(ReferralRules.fields(ticked: [], bundle: .contactOnly) == SharedBundle.contactOnly.fields)
    }
}
