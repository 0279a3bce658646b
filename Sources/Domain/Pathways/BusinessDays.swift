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

    /// Parses `YYYY-MM-DD`; nil for anything that is not a real date.
    public init?(_ text: String) {
        guard let components = DayParser.parse(text) else { return nil }
        self.init(year: components.year!, month: components.month!, day: components.day!)
    }

    /// The UTC calendar day of an instant (dates are stored at noon UTC, see `DayParser.date`).
    /// The UTC day of an instant: how a stored day (a UTC midnight) is read back.
    public init(_ date: Date) {
        self.init(ordinal: Int((date.timeIntervalSince1970 / 86_400).rounded(.down)))
    }

    /// The calendar day an instant falls on where the people are: at 20:00 in Toronto it is still
    /// today there, though already tomorrow in UTC.
    public init(_ date: Date, in timeZone: TimeZone) {
        self.init(date.addingTimeInterval(TimeInterval(timeZone.secondsFromGMT(for: date))))
    }

    /// Days since 1970-01-01, by integer arithmetic (H. Hinnant's days-from-civil): business-day
    /// counts run over years of dates and must not build calendars day by day.
    public var ordinal: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(ordinal: Int) {
        let z = ordinal + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    public var date: Date { Date(timeIntervalSince1970: Double(ordinal) * 86_400 + 43_200) }
    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    /// 1 = Sunday … 7 = Saturday (1970-01-01 was a Thursday).
    public var weekday: Int { ((ordinal % 7 + 7) % 7 + 4) % 7 + 1 }
    public var isWeekend: Bool { weekday == 1 || weekday == 7 }

    public func adding(days: Int) -> Day { Day(ordinal: ordinal + days) }

    /// Same day `months` later, clamped to the month's end (31 January + 1 month = 28/29 February).
    public func adding(months: Int) -> Day {
        let total = year * 12 + (month - 1) + months
        let newYear = total / 12, newMonth = total % 12 + 1
        let lastDay = Day(year: newMonth == 12 ? newYear + 1 : newYear, month: newMonth == 12 ? 1 : newMonth + 1, day: 1).adding(days: -1).day
        return Day(year: newYear, month: newMonth, day: min(day, lastDay))
    }

    /// Whole days from `self` to `other` (negative when `other` is earlier).
    public func days(until other: Day) -> Int { other.ordinal - ordinal }

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
    /// Computed once for the years a case can plausibly touch, by rule for any other.
    public static func observed(_ year: Int) -> Set<Day> {
        if let days = table[year] { return days }
        return computeObserved(year)
    }

    private static let table: [Int: Set<Day>] = Dictionary(uniqueKeysWithValues: (1990...2100).map { ($0, computeObserved($0)) })

    static func computeObserved(_ year: Int) -> Set<Day> {
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
    /// submitted); nil when `end` is before `start`. Weekdays are counted by arithmetic, then the
    /// observed holidays in the range are taken off: cost follows the number of years, not days.
    public static func between(_ start: Day, _ end: Day) -> Int? {
        guard start <= end else { return nil }
        let first = start.ordinal + 1, last = end.ordinal
        guard first <= last else { return 0 }
        let total = last - first + 1
        var weekdays = total / 7 * 5
        var day = Day(ordinal: first + total / 7 * 7)
        while day.ordinal <= last {
            if !day.isWeekend { weekdays += 1 }
            day = day.adding(days: 1)
        }
        var holidays = 0
        for year in Day(ordinal: first).year...end.year {
            for holiday in FederalHolidays.observed(year) where holiday.ordinal >= first && holiday.ordinal <= last { holidays += 1 }
        }
        return weekdays - holidays
    }
}
