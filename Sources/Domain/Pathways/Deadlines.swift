import Foundation

/// What the deadlines board, the calendar feed and the daily digest show: references only, never
/// a person's name.
public struct DeadlineInput: Sendable {
    public struct Permit: Sendable {
        public var caseID: String
        public var reference: String
        public var pathwayCode: String
        public var validTo: Day
        /// Another application for this case is being prepared or is pending.
        public var nextApplicationInProgress: Bool
        /// The application itself (the calendar event's own id).
        public var applicationID: String?
        public init(
            caseID: String, reference: String, pathwayCode: String, validTo: Day, nextApplicationInProgress: Bool, applicationID: String? = nil
        ) {
            self.applicationID = applicationID
            self.caseID = caseID
            self.reference = reference
            self.pathwayCode = pathwayCode
            self.validTo = validTo
            self.nextApplicationInProgress = nextApplicationInProgress
        }
    }

    public struct Pending: Sendable {
        public var caseID: String
        public var reference: String
        public var pathwayCode: String
        public var submitted: Day
        public init(caseID: String, reference: String, pathwayCode: String, submitted: Day) {
            self.caseID = caseID
            self.reference = reference
            self.pathwayCode = pathwayCode
            self.submitted = submitted
        }
    }

    public struct Task: Sendable {
        public var caseID: String
        public var reference: String
        public var due: Day
        /// The task itself, so a screen (never the feed or a mail) can show its title.
        public var taskID: String?
        public init(caseID: String, reference: String, due: Day, taskID: String? = nil) {
            self.caseID = caseID
            self.reference = reference
            self.due = due
            self.taskID = taskID
        }
    }

    public var permits: [Permit]
    /// The longest-waiting applications past the threshold, oldest first; at least
    /// `pendingNotListed` more have also waited past it (a board lists the oldest and stops reading).
    public var pending: [Pending]
    public var pendingNotListed: Int
    public var tasks: [Task]

    public init(permits: [Permit], pending: [Pending], pendingNotListed: Int = 0, tasks: [Task]) {
        self.permits = permits
        self.pending = pending
        self.pendingNotListed = pendingNotListed
        self.tasks = tasks
    }
}

public struct DeadlineBoard: Sendable {
    public struct Item: Sendable, Equatable {
        public var caseID: String
        public var reference: String
        public var pathwayCode: String?
        public var day: Day
        /// Days until (positive) or since (negative) `day`; business days for waiting applications.
        public var days: Int
        /// For a task: which one (its title is shown on screen only).
        public var taskID: String? = nil
    }

    public var expiringWithin30: [Item] = []
    public var expiringWithin60: [Item] = []
    public var expiringWithin90: [Item] = []
    public var waitingTooLong: [Item] = []
    public var overdueTasks: [Item] = []
    /// Open tasks due from today to seven days on (not urgent yet: not in `urgentCount`).
    public var tasksDueWithin7: [Item] = []
    /// Applications waiting too long beyond those listed in `waitingTooLong`.
    public var waitingNotListed = 0
    /// A VOWP cannot be renewed: one nearing its end with nothing prepared is the most urgent.
    public var vowpWithoutNext: [Item] = []

    public var urgentCount: Int { expiringWithin30.count + overdueTasks.count + vowpWithoutNext.count + waitingTooLong.count + waitingNotListed }
    public var isEmpty: Bool {
        expiringWithin30.isEmpty && expiringWithin60.isEmpty && expiringWithin90.isEmpty && waitingTooLong.isEmpty
            && overdueTasks.isEmpty && tasksDueWithin7.isEmpty && vowpWithoutNext.isEmpty && waitingNotListed == 0
    }

    public static let vowpCode = "VOWP"

    public static let waitingThresholdBusinessDays = 30

    /// The latest submission day that has waited longer than `threshold` business days by
    /// `today`: a database selects what waits too long with `submitted <= this day`.
    public static func latestSubmissionWaitingTooLong(today: Day, threshold: Int = waitingThresholdBusinessDays) -> Day {
        var day = today.adding(days: -threshold)
        while (BusinessDays.between(day, today) ?? 0) <= threshold { day = day.adding(days: -1) }
        return day
    }

    public static func build(_ input: DeadlineInput, today: Day, waitingThresholdBusinessDays: Int = waitingThresholdBusinessDays) -> DeadlineBoard {
        var board = DeadlineBoard()
        board.waitingNotListed = input.pendingNotListed
        for permit in input.permits {
            let days = today.days(until: permit.validTo)
            guard days >= 0 else { continue }
            let item = Item(caseID: permit.caseID, reference: permit.reference, pathwayCode: permit.pathwayCode, day: permit.validTo, days: days)
            if days <= 30 {
                board.expiringWithin30.append(item)
            } else if days <= 60 {
                board.expiringWithin60.append(item)
            } else if days <= 90 {
                board.expiringWithin90.append(item)
            }
            if permit.pathwayCode == vowpCode, days <= 60, !permit.nextApplicationInProgress { board.vowpWithoutNext.append(item) }
        }
        for pending in input.pending {
            let waited = BusinessDays.between(pending.submitted, today) ?? 0
            if waited > waitingThresholdBusinessDays {
                board.waitingTooLong.append(
                    Item(
                        caseID: pending.caseID, reference: pending.reference, pathwayCode: pending.pathwayCode,
                        day: pending.submitted, days: waited))
            }
        }
        for task in input.tasks {
            let item = Item(
                caseID: task.caseID, reference: task.reference, pathwayCode: nil, day: task.due, days: task.due.days(until: today),
                taskID: task.taskID)
            if task.due < today {
                board.overdueTasks.append(item)
            } else if today.days(until: task.due) <= 7 {
                var upcoming = item
                upcoming.days = today.days(until: task.due)
                board.tasksDueWithin7.append(upcoming)
            }
        }
        board.expiringWithin30.sort { $0.day < $1.day }
        board.expiringWithin60.sort { $0.day < $1.day }
        board.expiringWithin90.sort { $0.day < $1.day }
        board.vowpWithoutNext.sort { $0.day < $1.day }
        board.waitingTooLong.sort { $0.days > $1.days }
        board.overdueTasks.sort { $0.day < $1.day }
        board.tasksDueWithin7.sort { $0.day < $1.day }
        return board
    }
}

/// iCalendar (RFC 5545) for the private feed: CRLF lines folded at 75 octets, text escaped.
public enum ICalendar {
    public struct Event: Sendable {
        public var uid: String
        public var day: Day
        public var summary: String
        public var url: String?
        public init(uid: String, day: Day, summary: String, url: String?) {
            self.uid = uid
            self.day = day
            self.summary = summary
            self.url = url
        }
    }

    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;")
            .replacingOccurrences(of: ",", with: "\\,")
            // Every line break, bare CR included (RFC 5545 3.3.11), becomes the escaped `\n`: a
            // raw CR would end the content line and let the text start properties of its own.
            .replacingOccurrences(of: "\r\n", with: "\\n").replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\n")
    }

    /// Folds a content line so no physical line exceeds 75 octets, never splitting a character.
    public static func fold(_ line: String) -> String {
        var lines: [String] = []
        var current = ""
        var octets = 0
        for character in line {
            let size = String(character).utf8.count
            let limit = lines.isEmpty ? 75 : 74
            if octets + size > limit {
                lines.append(current)
                current = ""
                octets = 0
            }
            current.append(character)
            octets += size
        }
        lines.append(current)
        return lines.joined(separator: "\r\n ")
    }

    /// `language` is the last field of the product identifier: the language of the feed's texts.
    /// A subscribed feed is not an iTIP message, so it carries no `METHOD` (PUBLISH would require
    /// an `ORGANIZER` on every event); `REFRESH-INTERVAL` asks clients to poll daily.
    public static func render(name: String, events: [Event], stamp: Date, language: String = "FR") -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let dtstamp = formatter.string(from: stamp)
        func compact(_ day: Day) -> String { String(format: "%04d%02d%02d", day.year, day.month, day.day) }
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Passerelle//Deadlines//\(language.uppercased())", "CALSCALE:GREGORIAN",
            "REFRESH-INTERVAL;VALUE=DURATION:P1D", "X-PUBLISHED-TTL:P1D", "X-WR-CALNAME:\(escape(name))",
        ]
        for event in events {
            lines += [
                "BEGIN:VEVENT", "UID:\(event.uid)", "DTSTAMP:\(dtstamp)", "DTSTART;VALUE=DATE:\(compact(event.day))",
                "DTEND;VALUE=DATE:\(compact(event.day.adding(days: 1)))", "SUMMARY:\(escape(event.summary))", "TRANSP:TRANSPARENT",
            ]
            if let url = event.url { lines.append("URL:\(url)") }
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }
}
