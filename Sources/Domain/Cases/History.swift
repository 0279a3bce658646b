import Foundation

/// One line of a case's history in words: what an audit event (its action and detail) says
/// happened, as a catalog key and what fills it. "Tâche ajoutée : Appeler l'avocate" is
/// `history.task_added` with the task's title, which the page opens from the task itself (the
/// audit log keeps only the task's id, never its text).
public struct HistoryPhrase: Equatable, Sendable {
    public enum Argument: Equatable, Sendable {
        /// A task of the case, by id: its title, opened with the case's key.
        case task(UUID)
        /// A catalog key (a status, a consent kind, an application step).
        case label(String)
        /// Shown as it is (a pathway code).
        case text(String)
    }

    public let key: String
    public let argument: Argument?

    public init(key: String, argument: Argument? = nil) {
        self.key = key
        self.argument = argument
    }

    /// The phrase for an event of a case's history; `fallbackKey` (the action's own label) for
    /// an event this does not know.
    public static func of(action: String, detail: String?, fallbackKey: String) -> HistoryPhrase {
        let detail = detail ?? ""
        let (head, tail) = split(detail)
        switch action {
        case "case_created": return HistoryPhrase(key: "history.case_created")
        case "case_note_added": return HistoryPhrase(key: "history.note_added")
        case "case_assigned": return HistoryPhrase(key: "history.assigned")
        case "case_exported": return HistoryPhrase(key: detail == "print" ? "history.printed" : "history.exported")
        case "case_status_changed":
            if let status = CaseStatus(rawValue: detail) { return HistoryPhrase(key: "history.status_changed", argument: .label(status.labelKey)) }
            return HistoryPhrase(key: fallbackKey)
        case "case_updated":
            switch head {
            case "task": return task("history.task_added", tail)
            case "task-done": return task("history.task_done", tail)
            case "task-reopened": return task("history.task_reopened", tail)
            case "consent":
                if let kind = ConsentKind(rawValue: tail ?? "") {
                    return HistoryPhrase(key: "history.consent_recorded", argument: .label(kind.labelKey))
                }
            case "consent-withdrawn":
                if let kind = ConsentKind(rawValue: tail ?? "") {
                    return HistoryPhrase(key: "history.consent_withdrawn", argument: .label(kind.labelKey))
                }
            case "application":
                guard let tail, !tail.isEmpty else { break }
                if let event = ApplicationEvent(rawValue: tail) {
                    return HistoryPhrase(key: "history.application_step", argument: .label(event.labelKey))
                }
                return HistoryPhrase(key: "history.application_created", argument: .text(tail))
            case "application-checklist": return HistoryPhrase(key: "history.application_checklist")
            case "needs": return HistoryPhrase(key: "history.needs")
            case "document-added": return HistoryPhrase(key: "history.document_added")
            case "person": return HistoryPhrase(key: "history.person")
            case "safe_contact": return HistoryPhrase(key: "history.safe_contact")
            case "legal-action": return HistoryPhrase(key: "history.legal_action")
            case "experience": return HistoryPhrase(key: "history.experience")
            default: break
            }
            return HistoryPhrase(key: fallbackKey)
        default: return HistoryPhrase(key: fallbackKey)
        }
    }

    /// Every key `of` can answer besides the fallback (the catalog test checks each).
    public static let keys = [
        "history.case_created", "history.note_added", "history.assigned", "history.printed", "history.exported", "history.status_changed",
        "history.task_added", "history.task_added_untitled", "history.task_done", "history.task_done_untitled", "history.task_reopened",
        "history.task_reopened_untitled", "history.consent_recorded", "history.consent_withdrawn", "history.application_step",
        "history.application_created", "history.application_checklist", "history.needs", "history.document_added", "history.person",
        "history.safe_contact", "history.legal_action", "history.experience",
    ]

    /// A task event: with the task's id when the event has it (older events do not).
    private static func task(_ key: String, _ id: String?) -> HistoryPhrase {
        if let id = id.flatMap(UUID.init(uuidString:)) { return HistoryPhrase(key: key, argument: .task(id)) }
        return HistoryPhrase(key: key + "_untitled")
    }

    /// "head:tail" → (head, tail); a detail without a colon is all head.
    private static func split(_ detail: String) -> (String, String?) {
        guard let colon = detail.firstIndex(of: ":") else { return (detail, nil) }
        return (String(detail[..<colon]), String(detail[detail.index(after: colon)...]))
    }
}
