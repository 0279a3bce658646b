import Domain
import Foundation
import Testing

@Suite struct ThrottleTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func fiveFailuresLockTheAccount() {
        let policy = ThrottlePolicy.perAccount
        let four = (1...4).map { now.addingTimeInterval(-Double($0) * 60) }
        #expect(policy.lockedUntil(failures: four, now: now) == nil)
        let five = four + [now.addingTimeInterval(-10)]
        let until = policy.lockedUntil(failures: five, now: now)
        #expect(until != nil)
        #expect(until! > now)
    }

    @Test func theLockLiftsWhenFailuresAgeOut() {
        let policy = ThrottlePolicy(maximumFailures: 3, window: 600)
        let failures = [now.addingTimeInterval(-590), now.addingTimeInterval(-300), now.addingTimeInterval(-10)]
        #expect(policy.lockedUntil(failures: failures, now: now) == now.addingTimeInterval(10))
        #expect(policy.lockedUntil(failures: failures, now: now.addingTimeInterval(11)) == nil)
    }

    @Test func sessionLifetimeEnforcesIdleAndAbsoluteLimits() {
        let lifetime = SessionLifetime(idle: 1800, absolute: 43200)
        #expect(lifetime.isAlive(createdAt: now.addingTimeInterval(-3600), lastSeenAt: now.addingTimeInterval(-60), now: now))
        #expect(!lifetime.isAlive(createdAt: now.addingTimeInterval(-3600), lastSeenAt: now.addingTimeInterval(-1801), now: now))
        #expect(!lifetime.isAlive(createdAt: now.addingTimeInterval(-43201), lastSeenAt: now.addingTimeInterval(-5), now: now))
    }
}
