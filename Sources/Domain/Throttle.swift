import Foundation

/// Sliding-window throttling of failed attempts (ASVS V6.3.1). The same rule serves sign-in per
/// account, sign-in per client address and two-factor codes, with different limits.
public struct ThrottlePolicy: Sendable, Equatable {
    public var maximumFailures: Int
    public var window: TimeInterval

    public init(maximumFailures: Int, window: TimeInterval) {
        self.maximumFailures = maximumFailures
        self.window = window
    }

    /// Five wrong passwords for one account in 15 minutes lock it for what remains of the window.
    public static let perAccount = ThrottlePolicy(maximumFailures: 5, window: 15 * 60)
    /// An address may share many people (a shelter's Wi-Fi), so its limit is higher.
    public static let perAddress = ThrottlePolicy(maximumFailures: 30, window: 15 * 60)
    public static let secondFactor = ThrottlePolicy(maximumFailures: 5, window: 15 * 60)

    /// The earliest moment counted; callers fetch failures since then.
    public func windowStart(now: Date) -> Date { now.addingTimeInterval(-window) }

    /// nil when another attempt is allowed, otherwise when it will be.
    public func lockedUntil(failures: [Date], now: Date) -> Date? {
        let recent = failures.filter { $0 > windowStart(now: now) && $0 <= now }.sorted()
        guard recent.count >= maximumFailures else { return nil }
        // The lock lifts when enough failures have aged out of the window.
        let releasing = recent[recent.count - maximumFailures]
        return releasing.addingTimeInterval(window)
    }
}

/// Idle and absolute limits of a signed-in session (ASVS V7.3).
public struct SessionLifetime: Sendable, Equatable {
    public var idle: TimeInterval
    public var absolute: TimeInterval

    public init(idle: TimeInterval = 30 * 60, absolute: TimeInterval = 12 * 3600) {
        self.idle = idle
        self.absolute = absolute
    }

    public func isAlive(createdAt: Date, lastSeenAt: Date, now: Date) -> Bool {
        now.timeIntervalSince(lastSeenAt) < idle && now.timeIntervalSince(createdAt) < absolute
    }
}
