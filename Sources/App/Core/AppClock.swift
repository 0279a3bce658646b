import Domain
import Foundation
import Vapor

/// The one clock of the application: handlers read `req.now` and `req.today`, never `Date()`, so
/// tests freeze time (`app.clock = .fixed(…)`) instead of computing their dates from today.
struct AppClock: Sendable {
    let now: @Sendable () -> Date

    static let system = AppClock { Date() }

    static func fixed(_ date: Date) -> AppClock { AppClock { date } }
}

struct AppClockKey: StorageKey { typealias Value = AppClock }

extension Application {
    var clock: AppClock {
        get { storage[AppClockKey.self] ?? .system }
        set { storage[AppClockKey.self] = newValue }
    }
}

extension Request {
    /// Now, by the application's clock.
    var now: Date { application.clock.now() }
    /// Today where the organisations work (`PASSERELLE_TIMEZONE`).
    var today: Day { Day(now, in: config.timeZone) }
}
