import Foundation

/// A calendar day without time or time zone: what permits, submissions and decisions are dated by.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    /// Parses `YYYY-MM-DD`; nil for anything that is not a real date.
    public init?(_ text: String) {
        guard let components = DayParser.parse(text) else { return nil }
        self.init(year: components.year!, month: components.month!, day: components.day!)
    }

    public init(_ date: Date) {
        let c = Day.calendar.dateComponents([.year, .month, .day], from: date)
        self.init(year: c.year!, month: c.month!, day: c.day!)
    }

    public var date: Date { Day.calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 12))! }
    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    /// 1 = Sunday … 7 = Saturday.
    public var weekday: Int { Day.calendar.component(.weekday, from: date) }
    public var isWeekend: Bool { weekday == 1 || weekday == 7 }

    public func adding(days: Int) -> Day { Day(Day.calendar.date(byAdding: .day, value: days, to: date)!) }
    public func adding(months: Int) -> Day { Day(Day.calendar.date(byAdding: .month, value: months, to: date)!) }

    /// Whole days from `self` to `other` (negative when `other` is earlier).
    public func days(until other: Day) -> Int {
        Day.calendar.dateComponents([.day], from: date, to: other.date).day!
    }

    public static func < (lhs: Day, rhs: Day) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

/// Federal statutory holidays, computed by rule for any year, with the day observed when one falls
/// on a weekend (federal public service practice: moved to the next working day).
public enum FederalHolidays {
    /// Easter Sunday (anonymous Gregorian algorithm).
    public static func easter(_ year: Int) -> Day {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return Day(year: year, month: month, day: day)
    }

    static func nthWeekday(_ n: Int, weekday: Int, month: Int, year: Int) -> Day {
        var day = Day(year: year, month: month, day: 1)
        while day.weekday != weekday { day = day.adding(days: 1) }
        return day.adding(days: 7 * (n - 1))
    }

    /// The holidays as they fall (not moved).
    public static func holidays(_ year: Int) -> [(name: String, day: Day)] {
        let easter = easter(year)
        var victoria = Day(year: year, month: 5, day: 24)
        while victoria.weekday != 2 { victoria = victoria.adding(days: -1) }
        var list: [(String, Day)] = [
            ("new_year", Day(year: year, month: 1, day: 1)),
            ("good_friday", easter.adding(days: -2)),
            ("easter_monday", easter.adding(days: 1)),
            ("victoria_day", victoria),
            ("canada_day", Day(year: year, month: 7, day: 1)),
            ("labour_day", nthWeekday(1, weekday: 2, month: 9, year: year)),
            ("thanksgiving", nthWeekday(2, weekday: 2, month: 10, year: year)),
            ("remembrance_day", Day(year: year, month: 11, day: 11)),
            ("christmas", Day(year: year, month: 12, day: 25)),
            ("boxing_day", Day(year: year, month: 12, day: 26)),
        ]
        if year >= 2021 { list.append(("truth_and_reconciliation", Day(year: year, month: 9, day: 30))) }
        return list.sorted { $0.1 < $1.1 }
    }

    /// Days off in a year: each holiday, or the next free weekday when it falls on a weekend.
    public static func observed(_ year: Int) -> Set<Day> {
        var days = Set<Day>()
        for (_, day) in holidays(year) {
            var observed = day
            while observed.isWeekend || days.contains(observed) { observed = observed.adding(days: 1) }
            days.insert(observed)
        }
        return days
    }
}

public enum BusinessDays {
    public static func isBusinessDay(_ day: Day) -> Bool {
        !day.isWeekend && !FederalHolidays.observed(day.year).contains(day)
    }

    /// Business days after `start` up to and including `end` (0 when decided the day it was
    /// submitted); nil when `end` is before `start`.
    public static func between(_ start: Day, _ end: Day) -> Int? {
        guard start <= end else { return nil }
        var count = 0
        var cache: [Int: Set<Day>] = [:]
        var day = start.adding(days: 1)
        while day <= end {
            let holidays = cache[day.year] ?? FederalHolidays.observed(day.year)
            cache[day.year] = holidays
            if !day.isWeekend && !holidays.contains(day) { count += 1 }
            day = day.adding(days: 1)
        }
        return count
    }
}
