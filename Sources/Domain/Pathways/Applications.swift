import Foundation

/// Where an application for a permit or protection stands.
public enum ApplicationState: String, CaseIterable, Codable, Sendable {
    case preparing, submitted, additionalInformationRequested = "additional_information_requested", approved, refused, withdrawn

    public var isFinal: Bool { [.approved, .refused, .withdrawn].contains(self) }
    public var labelKey: String { "application.state.\(rawValue)" }
}

public enum ApplicationEvent: String, CaseIterable, Codable, Sendable {
    case submit, requestInformation = "request_information", provideInformation = "provide_information", approve, refuse, withdraw
    public var labelKey: String { "application.event.\(rawValue)" }
}

/// The whole application workflow as one table (ARCHITECTURE.md: one state machine, table-tested).
public enum ApplicationMachine {
    public static let transitions: [ApplicationState: [ApplicationEvent: ApplicationState]] = [
        .preparing: [.submit: .submitted, .withdraw: .withdrawn],
        .submitted: [.requestInformation: .additionalInformationRequested, .approve: .approved, .refuse: .refused, .withdraw: .withdrawn],
        .additionalInformationRequested: [.provideInformation: .submitted, .approve: .approved, .refuse: .refused, .withdraw: .withdrawn],
        .approved: [:],
        .refused: [:],
        .withdrawn: [:],
    ]

    public enum Refusal: Error, Equatable, Sendable {
        case impossible(from: ApplicationState, event: ApplicationEvent)
    }

    public static func next(_ state: ApplicationState, _ event: ApplicationEvent) -> Result<ApplicationState, Refusal> {
        guard let target = transitions[state]?[event] else { return .failure(.impossible(from: state, event: event)) }
        return .success(target)
    }

    public static func events(from state: ApplicationState) -> [ApplicationEvent] {
        ApplicationEvent.allCases.filter { transitions[state]?[$0] != nil }
    }
}

/// Validity rules of a pathway, as data (they change: the forum asked for one-year TRPs; since
/// 4 February 2025 an initial TRP-VTIP is issued for at least 12 months).
public struct ValidityRules: Codable, Sendable, Equatable {
    public var minimumDays: Int?
    public var maximumDays: Int?
    /// When set, applications decided on or after this day must get at least `minimumMonths`.
    public var minimumMonths: Int?
    public var minimumMonthsFrom: String?
    public var renewable: Bool

    public init(minimumDays: Int? = nil, maximumDays: Int? = nil, minimumMonths: Int? = nil, minimumMonthsFrom: String? = nil, renewable: Bool = true)
    {
        self.minimumDays = minimumDays
        self.maximumDays = maximumDays
        self.minimumMonths = minimumMonths
        self.minimumMonthsFrom = minimumMonthsFrom
        self.renewable = renewable
    }

    public enum Problem: String, Error, Sendable {
        case endsBeforeStart = "application.error.validity_order"
        case tooShort = "application.error.validity_too_short"
        case tooLong = "application.error.validity_too_long"
        case decisionBeforeSubmission = "application.error.decision_before_submission"
        case notRenewable = "application.error.not_renewable"
    }

    /// Problems with a granted validity period decided on `decided`.
    public func problems(validFrom: Day, validTo: Day, decided: Day?) -> [Problem] {
        guard validFrom <= validTo else { return [.endsBeforeStart] }
        var problems: [Problem] = []
        let days = validFrom.days(until: validTo) + 1
        if let minimumDays, days < minimumDays { problems.append(.tooShort) }
        if let maximumDays, days > maximumDays { problems.append(.tooLong) }
        if let minimumMonths, let from = minimumMonthsFrom.flatMap(Day.init), (decided ?? validFrom) >= from,
            validTo < validFrom.adding(months: minimumMonths).adding(days: -1), !problems.contains(.tooShort)
        {
            problems.append(.tooShort)
        }
        return problems
    }
}

/// Figures derived from an application's dates.
public enum ApplicationFigures {
    public static func processingBusinessDays(submitted: Day?, decided: Day?) -> Int? {
        guard let submitted, let decided else { return nil }
        return BusinessDays.between(submitted, decided)
    }

    public static func validityDays(from: Day?, to: Day?) -> Int? {
        guard let from, let to, from <= to else { return nil }
        return from.days(until: to) + 1
    }

    public static func daysToExpiry(validTo: Day?, today: Day) -> Int? {
        validTo.map { today.days(until: $0) }
    }

    /// Median and a percentile by nearest rank, for organisation figures.
    public static func percentile(_ values: [Int], _ p: Double) -> Int? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        // In whole hundredths: ceil(0.9 × 30) in floating point is 28, not 27.
        let rank = PathwayFigures.nearestRank(percent: Int((p * 100).rounded()), count: sorted.count)
        return sorted[min(rank, sorted.count) - 1]
    }
}
