import Foundation

/// Case status as HTCDS v2 `cas_Status` names it.
public enum CaseStatus: String, CaseIterable, Codable, Sendable {
    case active = "Active"
    case followUp = "FollowUp"
    case closed = "Closed"
    case closedReferred = "ClosedReferred"

    public var isClosed: Bool { self == .closed || self == .closedReferred }
    public var labelKey: String { "case.status.\(rawValue)" }
}

/// Why a case was closed; required when closing.
public enum ClosureReason: String, CaseIterable, Codable, Sendable {
    case goalsMet = "goals_met"
    case referredElsewhere = "referred_elsewhere"
    case personDeclined = "person_declined"
    case lostContact = "lost_contact"
    case movedAway = "moved_away"
    case deceased
    case other

    public var labelKey: String { "case.closure.\(rawValue)" }
}

/// `ORG-YYYY-NNNN`: the organisation's short code, the year the case was opened, a sequence
/// number per organisation and year. Shown instead of names wherever a name is not needed.
public struct CaseReference: Equatable, Sendable, CustomStringConvertible {
    public let organisationCode: String
    public let year: Int
    public let number: Int

    public init(organisationCode: String, year: Int, number: Int) {
        self.organisationCode = organisationCode
        self.year = year
        self.number = number
    }

    public var description: String { String(format: "%@-%04d-%04d", organisationCode, year, number) }

    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).uppercased().split(separator: "-")
        guard parts.count == 3, let year = Int(parts[1]), let number = Int(parts[2]), parts[1].count == 4,
            !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else { return nil }
        self.init(organisationCode: String(parts[0]), year: year, number: number)
    }

    /// A short code from an organisation's name: initials of its significant words, ASCII only.
    public static func code(forOrganisationName name: String) -> String {
        let skip: Set<String> = ["de", "du", "des", "la", "le", "les", "of", "the", "and", "et", "d", "l"]
        // What is in parentheses ("(démo)", "(Montréal)") is a qualifier, not part of the name.
        let bare = name.replacingOccurrences(of: #"\([^)]*\)"#, with: " ", options: .regularExpression)
        let words = bare.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
            .split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
            .filter { !skip.contains($0) && !$0.isEmpty }
        let initials = words.compactMap { $0.first }.filter { $0.isASCII }.map { String($0).uppercased() }.joined()
        return String((initials.isEmpty ? "ORG" : initials).prefix(6))
    }
}

/// Who among caseworkers sees which cases; supervisors always see all of their organisation's.
public enum CaseVisibility: String, CaseIterable, Codable, Sendable {
    case assignedOnly = "assigned_only"
    case wholeOrganisation = "whole_organisation"

    public var labelKey: String { "case.visibility.\(rawValue)" }
}

/// Validation rules of the person section that do not depend on storage.
public enum CaseRules {
    public static let maximumNameLength = 200
    public static let maximumTextLength = 20_000

    public enum Problem: String, Error, Equatable, Sendable, CaseIterable {
        case required = "field.required"
        case tooLong = "field.too_long"
        case dateInvalid = "field.date_invalid"
        case dateInFuture = "case.error.date_in_future"
        case dateTooOld = "case.error.date_too_old"
        case invalidChoice = "field.invalid_choice"
        case unreadable = "field.unreadable"
        case controlCharacter = "field.control_character"
    }

    public static func checkName(_ name: String, required: Bool) -> Problem? {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return required ? .required : nil }
        switch TextInput.problem(trimmed, limit: maximumNameLength, singleLine: true) {
        case .unreadable: return .unreadable
        case .controlCharacter: return .controlCharacter
        case .tooLong: return .tooLong
        case nil: return nil
        }
    }

    /// A calendar date typed as YYYY-MM-DD, that exists, not in the future and not before 1900.
    public static func parseBirthDate(_ text: String, today: DateComponents) -> Result<DateComponents?, Problem> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return .success(nil) }
        let parts = trimmed.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else {
            return .failure(.dateInvalid)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar) else { return .failure(.dateInvalid) }
        if year < 1900 { return .failure(.dateTooOld) }
        let key = year * 10_000 + month * 100 + day
        let todayKey = (today.year ?? 0) * 10_000 + (today.month ?? 0) * 100 + (today.day ?? 0)
        if key > todayKey { return .failure(.dateInFuture) }
        return .success(components)
    }

    /// Refuses a save based on an older version than the stored one: edits never overwrite each
    /// other silently.
    public static func isStale(submittedVersion: Int, storedVersion: Int) -> Bool { submittedVersion != storedVersion }
}
