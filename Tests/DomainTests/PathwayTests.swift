import Domain
import Foundation
import Testing

@Suite struct BusinessDayTests {
    @Test(arguments: [
        (2024, "2024-03-31"), (2025, "2025-04-20"), (2026, "2026-04-05"), (2027, "2027-03-28"), (2038, "2038-04-25"), (2000, "2000-04-23"),
    ])
    func easterIsComputedByRule(year: Int, expected: String) {
        #expect(FederalHolidays.easter(year).description == expected)
    }

    @Test func holidaysOfAYear() {
        let names = Dictionary(FederalHolidays.holidays(2026).map { ($0.name, $0.day.description) }, uniquingKeysWith: { a, _ in a })
        #expect(names["good_friday"] == "2026-04-03")
        #expect(names["easter_monday"] == "2026-04-06")
        #expect(names["victoria_day"] == "2026-05-18")
        #expect(names["labour_day"] == "2026-09-07")
        #expect(names["thanksgiving"] == "2026-10-12")
        #expect(names["truth_and_reconciliation"] == "2026-09-30")
        #expect(FederalHolidays.holidays(2019).contains { $0.name == "truth_and_reconciliation" } == false)
    }

    @Test func weekendHolidaysAreObservedOnTheNextWorkingDay() {
        // Christmas 2022 was a Sunday and Boxing Day a Monday: observed Monday 26 and Tuesday 27.
        let observed = FederalHolidays.observed(2022)
        #expect(observed.contains(Day(year: 2022, month: 12, day: 26)))
        #expect(observed.contains(Day(year: 2022, month: 12, day: 27)))
        // Canada Day 2023 was a Saturday: observed Monday 3 July.
        #expect(FederalHolidays.observed(2023).contains(Day(year: 2023, month: 7, day: 3)))
    }

    @Test(arguments: [
        ("2026-03-02", "2026-03-02", 0), ("2026-03-02", "2026-03-06", 4), ("2026-03-06", "2026-03-09", 1),
        ("2026-04-02", "2026-04-07", 1),  // Good Friday and Easter Monday skipped
        ("2026-12-23", "2027-01-04", 5),  // 24, 29, 30, 31 Dec and 4 Jan: Christmas, Boxing Day (observed Monday), New Year skipped
        ("2026-09-29", "2026-10-01", 1),  // Truth and Reconciliation
    ])
    func processingTimeCountsBusinessDays(start: String, end: String, expected: Int) {
        #expect(BusinessDays.between(Day(start)!, Day(end)!) == expected)
    }

    @Test func aDecisionBeforeTheSubmissionHasNoProcessingTime() {
        #expect(BusinessDays.between(Day("2026-03-06")!, Day("2026-03-02")!) == nil)
    }
}

@Suite struct ApplicationMachineTests {
    /// Every (state, event) pair: the table is the specification.
    @Test func everyTransition() {
        let expected: [ApplicationState: [ApplicationEvent: ApplicationState]] = [
            .preparing: [.submit: .submitted, .withdraw: .withdrawn],
            .submitted: [.requestInformation: .additionalInformationRequested, .approve: .approved, .refuse: .refused, .withdraw: .withdrawn],
            .additionalInformationRequested: [.provideInformation: .submitted, .approve: .approved, .refuse: .refused, .withdraw: .withdrawn],
        ]
        for state in ApplicationState.allCases {
            for event in ApplicationEvent.allCases {
                let result = ApplicationMachine.next(state, event)
                if let target = expected[state]?[event] {
                    #expect(result == .success(target), "\(state) + \(event)")
                } else {
                    #expect(result == .failure(.impossible(from: state, event: event)), "\(state) + \(event)")
                }
            }
        }
        #expect(ApplicationState.allCases.filter(\.isFinal) == [.approved, .refused, .withdrawn])
        #expect(ApplicationMachine.events(from: .approved).isEmpty)
    }
}

@Suite struct ValidityRulesTests {
    let trp = ValidityRules(minimumDays: 1, maximumDays: 3 * 366, renewable: true)
    let initialVTIP = ValidityRules(minimumDays: 1, maximumDays: 3 * 366, minimumMonths: 12, minimumMonthsFrom: "2025-02-04", renewable: true)

    @Test func anyTRPRunsOneDayToThreeYears() {
        #expect(trp.problems(validFrom: Day("2026-01-01")!, validTo: Day("2026-01-01")!, decided: nil).isEmpty)
        #expect(trp.problems(validFrom: Day("2026-01-01")!, validTo: Day("2029-06-01")!, decided: nil) == [.tooLong])
        #expect(trp.problems(validFrom: Day("2026-01-10")!, validTo: Day("2026-01-01")!, decided: nil) == [.endsBeforeStart])
    }

    @Test func initialVTIPIsAtLeastTwelveMonthsSinceFebruary2025() {
        #expect(initialVTIP.problems(validFrom: Day("2025-03-01")!, validTo: Day("2025-08-27")!, decided: Day("2025-03-01")!) == [.tooShort])
        #expect(initialVTIP.problems(validFrom: Day("2025-03-01")!, validTo: Day("2026-02-28")!, decided: Day("2025-03-01")!).isEmpty)
        // Before the rule, 180 days was what people got: not flagged.
        #expect(initialVTIP.problems(validFrom: Day("2019-11-01")!, validTo: Day("2020-04-28")!, decided: Day("2019-11-01")!).isEmpty)
    }

    @Test func derivedFigures() {
        #expect(ApplicationFigures.validityDays(from: Day("2026-01-01"), to: Day("2026-12-31")) == 365)
        #expect(ApplicationFigures.daysToExpiry(validTo: Day("2026-12-31"), today: Day("2026-12-01")!) == 30)
        #expect(ApplicationFigures.percentile([5, 1, 3, 2, 4], 0.5) == 3)
        #expect(ApplicationFigures.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9)
        #expect(ApplicationFigures.percentile([], 0.5) == nil)
    }
}

@Suite struct PathwayFiguresTests {
    @Test func figuresByPathwayAndProvince() {
        func record(_ state: ApplicationState, _ submitted: String, _ decided: String?, complete: Bool, validTo: String? = nil)
            -> PathwayFigures.Record
        {
            PathwayFigures.Record(
                pathwayCode: "VOWP", province: "QC", state: state, submitted: Day(submitted), decided: decided.flatMap(Day.init),
                validFrom: decided.flatMap(Day.init), validTo: validTo.flatMap(Day.init), completeAtSubmission: complete)
        }
        let rows = PathwayFigures.rows([
            record(.approved, "2026-03-02", "2026-03-04", complete: true, validTo: "2027-03-03"),
            record(.approved, "2026-03-02", "2026-03-05", complete: true, validTo: "2027-03-04"),
            record(.refused, "2026-03-02", "2026-04-13", complete: false),
            record(.submitted, "2026-03-02", nil, complete: false),
        ])
        #expect(rows.count == 1)
        let row = rows[0]
        #expect(row.applications == 4)
        #expect(row.decided == 3)
        #expect(row.approvalRate == 2.0 / 3.0)
        #expect(row.medianProcessingComplete == 2)
        #expect(row.medianProcessingIncomplete == 28)
        #expect(row.medianValidity == 365)
    }

    /// The database computes the figures from counts and ranked values (window functions); the
    /// result must equal the plain computation over every record.
    @Test func rankedFiguresEqualFiguresFromRecords() {
        var records: [PathwayFigures.Record] = []
        let start = Day("2025-01-06")!
        for index in 0..<437 {
            let state = ApplicationState.allCases[index % ApplicationState.allCases.count]
            let submitted = state == .preparing ? nil : start.adding(days: index % 97)
            let decided = state.isFinal ? submitted?.adding(days: (index * 7) % 83) : nil
            let validTo = state == .approved ? decided?.adding(days: (index * 13) % 700 - 30) : nil
            records.append(
                PathwayFigures.Record(
                    pathwayCode: ["VOWP", "TRP"][index % 2], province: ["QC", "ON", ""][index % 3], state: state,
                    submitted: submitted, decided: decided, validFrom: validTo == nil ? nil : decided, validTo: validTo,
                    completeAtSubmission: submitted == nil ? nil : index % 5 < 3))
        }
        // What the GROUP BY and the window functions return.
        var tallies: [String: PathwayFigures.Tally] = [:]
        var series: [String: (PathwayFigures.Series, String, String, [Int])] = [:]
        for record in records {
            tallies[
                "\(record.pathwayCode)|\(record.province)|\(record.state)",
                default: .init(
                    pathwayCode: record.pathwayCode, province: record.province,
                    state: record.state, count: 0)
            ].count += 1
            func add(_ kind: PathwayFigures.Series, _ value: Int?) {
                guard let value else { return }
                series["\(kind)|\(record.pathwayCode)|\(record.province)", default: (kind, record.pathwayCode, record.province, [])].3.append(value)
            }
            if record.state == .approved || record.state == .refused {
                let days = ApplicationFigures.processingBusinessDays(submitted: record.submitted, decided: record.decided)
                add(.processing, days)
                if let complete = record.completeAtSubmission { add(complete ? .complete : .incomplete, days) }
            }
            if record.state == .approved { add(.validity, ApplicationFigures.validityDays(from: record.validFrom, to: record.validTo)) }
        }
        let ranked = series.values.flatMap { kind, code, province, values in
            values.sorted().enumerated().map {
                PathwayFigures.Ranked(series: kind, pathwayCode: code, province: province, value: $1, rank: $0 + 1, count: values.count)
            }
        }
        #expect(PathwayFigures.rows(tallies: Array(tallies.values), ranked: ranked) == PathwayFigures.rows(records))
        #expect(PathwayFigures.nearestRank(percent: 90, count: 30) == 27)
        #expect(ApplicationFigures.percentile(Array(1...30), 0.9) == 27)
        #expect(PathwayFigures.nearestRank(percent: 50, count: 5) == 3)
        #expect(PathwayFigures.nearestRank(percent: 50, count: 4) == 2)
    }

    @Test func csvCellsCannotBecomeFormulas() {
        #expect(CSVWriter.cell("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSVWriter.cell("-2") == "'-2")
        #expect(CSVWriter.cell("VOWP") == "VOWP")
        #expect(CSVWriter.cell("a,b") == "\"a,b\"")
    }
}

@Suite struct DayArithmeticTests {
    @Test func ordinalsRoundTripAndMatchFoundation() {
        for text in ["1970-01-01", "2000-02-29", "2024-12-31", "2026-11-29", "1900-03-01", "2100-02-28"] {
            let day = Day(text)!
            #expect(Day(ordinal: day.ordinal) == day)
            #expect(Day(day.date) == day)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            #expect(day.weekday == calendar.component(.weekday, from: day.date), "\(text)")
        }
        #expect(Day("2026-01-31")!.adding(months: 1) == Day("2026-02-28"))
        #expect(Day("2024-02-29")!.adding(months: 12) == Day("2025-02-28"))
        #expect(Day("2026-12-15")!.adding(months: 1) == Day("2027-01-15"))
    }

    /// The arithmetic count agrees with a day-by-day walk over several years.
    @Test func businessDaysAgreeWithADayByDayWalk() {
        let start = Day("2019-12-20")!
        var walked = 0
        var day = start
        for offset in 1...1200 {
            day = start.adding(days: offset)
            if BusinessDays.isBusinessDay(day) { walked += 1 }
            if offset % 97 == 0 { #expect(BusinessDays.between(start, day) == walked, "\(day)") }
        }
    }
}

@Suite struct DeadlineBoardTests {
    @Test func theWaitingCutoffIsTheLastDayPastTheThreshold() {
        var today = Day("2026-01-02")!
        for _ in 0..<400 {
            let cutoff = DeadlineBoard.latestSubmissionWaitingTooLong(today: today)
            #expect(BusinessDays.between(cutoff, today)! > 30, "\(today)")
            #expect(BusinessDays.between(cutoff.adding(days: 1), today)! <= 30, "\(today)")
            today = today.adding(days: 1)
        }
    }

    @Test func sectionsCountsAndTheVOWPWithNothingNext() {
        let today = Day("2026-11-30")!
        func permit(_ days: Int, _ code: String = "TRP-VTIP", next: Bool = false) -> DeadlineInput.Permit {
            .init(caseID: "c\(days)", reference: "R-\(days)", pathwayCode: code, validTo: today.adding(days: days), nextApplicationInProgress: next)
        }
        let input = DeadlineInput(
            permits: [permit(-1), permit(3), permit(45, "VOWP"), permit(50, "VOWP", next: true), permit(80), permit(120)],
            pending: [
                .init(caseID: "p1", reference: "P-1", pathwayCode: "VOWP", submitted: today.adding(days: -120)),
                .init(caseID: "p2", reference: "P-2", pathwayCode: "VOWP", submitted: today.adding(days: -10)),
            ],
            pendingNotListed: 7,
            tasks: [
                .init(caseID: "t1", reference: "T-1", due: today.adding(days: -2)), .init(caseID: "t2", reference: "T-2", due: today.adding(days: 2)),
            ])
        let board = DeadlineBoard.build(input, today: today)
        #expect(board.expiringWithin30.map(\.reference) == ["R-3"])
        #expect(board.expiringWithin60.map(\.reference) == ["R-45", "R-50"])
        #expect(board.expiringWithin90.map(\.reference) == ["R-80"])
        #expect(board.vowpWithoutNext.map(\.reference) == ["R-45"])
        #expect(board.waitingTooLong.map(\.reference) == ["P-1"])
        #expect(board.overdueTasks.map(\.reference) == ["T-1"])
        #expect(board.waitingNotListed == 7)
        #expect(board.urgentCount == 1 + 1 + 1 + 1 + 7)
    }
}
