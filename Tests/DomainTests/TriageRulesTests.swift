import Foundation
import Testing

@testable import Domain

@Suite struct TriageRulesTests {
    @Test(arguments: [
        ("/cases/abc", "/cases/abc"), ("/cases?status=any&page=2", "/cases?status=any&page=2"), ("/deadlines#calendar", "/deadlines#calendar"),
    ])
    func aPathOfThisSiteIsReturnedTo(_ raw: String, _ expected: String) {
        // MUT + validate
        #expect(ReturnPath.validated(raw) == expected)
    }

    @Test(arguments: [
        "//evil.example/x", "/\\evil.example", "https://evil.example/", "evil", "", "/cases/a b", "/cases/\u{0}x", "/x\r\nLocation: y",
        "/login", "/login?next=/home", String(repeating: "/a", count: 1001),
    ])
    func anythingElseIsRefused(_ raw: String) {
        // MUT + validate
        #expect(ReturnPath.validated(raw, refusing: ["/login"]) == nil)
    }

    @Test func historyLinesSayWhatHappened() {
        let task = UUID()
        // MUT + validate
        #expect(
            HistoryPhrase.of(action: "case_updated", detail: "task:\(task.uuidString)", fallbackKey: "x")
                == HistoryPhrase(key: "history.task_added", argument: .task(task)))
        #expect(HistoryPhrase.of(action: "case_updated", detail: "task", fallbackKey: "x") == HistoryPhrase(key: "history.task_added_untitled"))
        #expect(
            HistoryPhrase.of(action: "case_updated", detail: "task-done:\(task.uuidString)", fallbackKey: "x")
                == HistoryPhrase(key: "history.task_done", argument: .task(task)))
        #expect(
            HistoryPhrase.of(action: "case_status_changed", detail: "Closed", fallbackKey: "x")
                == HistoryPhrase(key: "history.status_changed", argument: .label(CaseStatus.closed.labelKey)))
        #expect(
            HistoryPhrase.of(action: "case_updated", detail: "consent-withdrawn:statistics", fallbackKey: "x")
                == HistoryPhrase(key: "history.consent_withdrawn", argument: .label(ConsentKind.statistics.labelKey)))
        #expect(
            HistoryPhrase.of(action: "case_updated", detail: "application:submit", fallbackKey: "x")
                == HistoryPhrase(key: "history.application_step", argument: .label(ApplicationEvent.submit.labelKey)))
        #expect(
            HistoryPhrase.of(action: "case_updated", detail: "application:VOWP", fallbackKey: "x")
                == HistoryPhrase(key: "history.application_created", argument: .text("VOWP")))
        #expect(HistoryPhrase.of(action: "case_note_added", detail: nil, fallbackKey: "x") == HistoryPhrase(key: "history.note_added"))
        // Something it does not know reads as the action's own label.
        #expect(
            HistoryPhrase.of(action: "case_updated", detail: "something-new", fallbackKey: "audit.action.case_updated").key
                == "audit.action.case_updated")
        #expect(HistoryPhrase.of(action: "case_purged", detail: nil, fallbackKey: "audit.action.case_purged").key == "audit.action.case_purged")
    }

    @Test func theBoardListsTasksDueWithinAWeekApartFromOverdueOnes() {
        // setup
        let today = Day(year: 2026, month: 3, day: 10)
        let tasks = [-2, 0, 3, 7, 8].map { DeadlineInput.Task(caseID: "c\($0)", reference: "R\($0)", due: today.adding(days: $0), taskID: "t\($0)") }
        // MUT
        let board = DeadlineBoard.build(DeadlineInput(permits: [], pending: [], tasks: tasks), today: today)
        // validate
        #expect(board.overdueTasks.map(\.taskID) == ["t-2"])
        #expect(board.tasksDueWithin7.map(\.taskID) == ["t0", "t3", "t7"])
        #expect(board.tasksDueWithin7.map(\.days) == [0, 3, 7])
        #expect(board.urgentCount == 1)
    }

    /// What the experience form shows again ("7 965,00" with Foundation's fr-CA group separator,
    /// a narrow no-break space) reads back exactly.
    @Test(arguments: ["7\u{202F}965,00", "7\u{00A0}965,00", "7,965.00"])
    func amountsShownForEditingReadBack(_ shown: String) {
        #expect(Amount.cents(shown) == 796_500)
    }
}
